/*
 * sim/flows/rng.h - the engine's random streams: one 64-bit word of state
 * per stream, so every flow and every server can own one.
 *
 * The generator is SplitMix64 (G. Steele, D. Lea, C. Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): a Weyl sequence passed
 * through a 64-bit mixer.  A stream's seed comes from the base seed, the
 * kind of owner and its index alone (fl_rng_seed), never from the order in
 * which events happen to draw, so adding a flow does not shift the draws
 * of another.
 */
#ifndef FL_RNG_H
#define FL_RNG_H

#include <math.h>
#include <stdint.h>

/* What owns a stream: part of its seed, so that flow 3 and server 3 differ.
 * A flow owns two: its arrivals, and its choices (kept apart so that a
 * size mix does not move the arrival times). */
enum fl_stream_kind { FL_STREAM_FLOW = 1, FL_STREAM_SERVER = 2, FL_STREAM_CHOICE = 3 };

static inline uint64_t fl_rng_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint64_t fl_rng_next(uint64_t *state)
{
	return fl_rng_mix(*state += 0x9E3779B97F4A7C15ull);
}

/* The seed of stream INDEX of KIND under BASE. */
static inline uint64_t fl_rng_seed(uint64_t base, enum fl_stream_kind kind, uint64_t index)
{
	return fl_rng_mix(fl_rng_mix(base ^ ((uint64_t)kind << 56)) + index * 0xD1B54A32D192ED03ull);
}

/* A uniform draw in (0, 1]: 53 random bits, never 0 (log of it is finite). */
static inline double fl_rng_unit(uint64_t *state)
{
	return (double)((fl_rng_next(state) >> 11) + 1) * 0x1p-53;
}

/* A lognormal draw of median MEDIAN_PS and shape SIGMA (the normal's
 * standard deviation, from Box and Muller's transform of two uniforms),
 * rounded to the picosecond. */
static inline int64_t fl_rng_lognormal_ps(uint64_t *state, double median_ps, double sigma)
{
	double u = fl_rng_unit(state), v = fl_rng_unit(state);
	double normal = sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
	return (int64_t)(median_ps * exp(sigma * normal) + 0.5);
}

/* An exponential draw of mean MEAN_PS, rounded to the picosecond. */
static inline int64_t fl_rng_exponential_ps(uint64_t *state, double mean_ps)
{
	return (int64_t)(-mean_ps * log(fl_rng_unit(state)) + 0.5);
}

#endif
