/*
 * stats.c - Welford moments and a log-linear histogram.
 */
#include "sim/stats.h"

#include <math.h>
#include <string.h>

enum { SUB_COUNT = 1 << STATS_SUB_BITS };

void vr_stats_reset(vr_stats *s)
{
	memset(s, 0, sizeof *s);
}

/* Bucket of a value in picoseconds.  Below 2*SUB_COUNT values map 1:1;
 * above, the top STATS_SUB_BITS+1 bits select octave and sub-bucket. */
static size_t bucket_of(uint64_t ps)
{
	if (ps < 2 * SUB_COUNT)
		return (size_t)ps;
	int top = 63 - __builtin_clzll(ps);            /* floor(log2(ps)) >= 11 */
	int shift = top - STATS_SUB_BITS;
	size_t index = (size_t)(shift + 1) * SUB_COUNT + (size_t)((ps >> shift) - SUB_COUNT);
	return index < STATS_BUCKETS ? index : STATS_BUCKETS - 1;
}

/* Midpoint of a bucket, in picoseconds. */
static double bucket_value(size_t index)
{
	if (index < 2 * SUB_COUNT)
		return (double)index;
	size_t shift = index / SUB_COUNT - 1;
	uint64_t low = ((uint64_t)(index % SUB_COUNT) + SUB_COUNT) << shift;
	return (double)low + ((double)((uint64_t)1 << shift) - 1.0) / 2.0;
}

void vr_stats_add(vr_stats *s, double value_ns)
{
	if (s->count == 0 || value_ns < s->min_ns)
		s->min_ns = value_ns;
	if (s->count == 0 || value_ns > s->max_ns)
		s->max_ns = value_ns;
	s->count++;
	double delta = value_ns - s->mean_ns;
	s->mean_ns += delta / (double)s->count;
	s->m2 += delta * (value_ns - s->mean_ns);
	double ps = value_ns * 1e3;
	s->buckets[bucket_of(ps <= 0 ? 0 : (uint64_t)llround(ps))]++;
}

double vr_stats_stdev_ns(const vr_stats *s)
{
	return s->count ? sqrt(s->m2 / (double)s->count) : 0.0;
}

double vr_stats_quantile_ns(const vr_stats *s, double q)
{
	if (s->count == 0)
		return 0.0;
	uint64_t rank = (uint64_t)floor(q * (double)s->count) + 1;
	if (rank > s->count)
		rank = s->count;
	uint64_t seen = 0;
	for (size_t i = 0; i < STATS_BUCKETS; i++) {
		seen += s->buckets[i];
		if (seen >= rank) {
			/* Clamp to the exact extremes: a bucket midpoint may lie outside them. */
			double v = bucket_value(i) / 1e3;
			return v < s->min_ns ? s->min_ns : (v > s->max_ns ? s->max_ns : v);
		}
	}
	return s->max_ns;
}
