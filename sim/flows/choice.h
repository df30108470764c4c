/*
 * sim/flows/choice.h - a flow's choices (a size mix): which path, and how
 * many bytes, each operation posted takes, drawn from the flow's own
 * stream by a cumulative table.
 *
 * Contract: a flow's choices are compiled once, when the flow is added,
 * into FL_PICK entries in the caller's order; entry i holds the cumulative
 * probability of choices 0 .. i as an integer BOUND on the 53-bit scale
 * (the last is exactly 2^53).  A draw takes 53 bits u from the stream and
 * picks the first entry whose bound exceeds u: choice i comes with the
 * probability weight_i / sum of weights, to within 2^-53 (a choice
 * lighter than 2^-53 of the total is never drawn).  Binary search: the
 * cost is log2 of the number of choices, a handful of compares for a size
 * mix, without a branch on the draw; one draw per operation posted, and
 * none for a flow of one choice, whose stream is then never touched.
 * Memory: one entry per (flow, choice), never per operation.
 */
#ifndef FL_CHOICE_H
#define FL_CHOICE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/flows/flows.h"
#include "sim/flows/path.h"
#include "sim/flows/rng.h"

#define FL_PICK_SCALE (UINT64_C(1) << 53)   /* the draw's resolution: a double's mantissa */

/* 32 bytes on 64-bit hosts, so that indexing by an event's choice is a shift. */
typedef struct fl_pick {
	union {
		size_t index;          /* until the run starts: the fl_add_path index */
		const fl_path *path;   /* from then on (the path array may move before) */
	} path;
	uint64_t bytes_per_op;   /* an operation that takes this choice moves these bytes */
	uint64_t completed;      /* operations completed on this choice */
	uint64_t bound;          /* cumulative probability through this choice, x 2^53 */
} fl_pick;

/* Compile CHOICES[0 .. COUNT) over PATHS paths into OUT[0 .. COUNT).
 * Returns 0, or -1 with a message in ERROR (SIZE bytes) for no choice,
 * more than FL_CHOICES_MAX, an unknown path, or a weight that is not a
 * finite number above 0 (or weights whose sum is not finite). */
int fl_choices_compile(const fl_choice *choices, size_t count, size_t paths, fl_pick *out, char *error,
		       size_t size);

/* The index of the choice an operation takes, from PICKS[0 .. COUNT)
 * (COUNT >= 2) and the stream RNG. */
static inline uint32_t fl_choice_draw(const fl_pick *picks, uint32_t count, uint64_t *rng)
{
	uint64_t u = fl_rng_next(rng) >> 11;   /* uniform on [0, 2^53) */
	/* Binary search without a data-dependent branch (the loop runs
	 * ceil(log2 count) times whatever u): the answer stays in
	 * [base, base + n), the last bound being 2^53 > u. */
	const fl_pick *base = picks;
	for (uint32_t n = count; n > 1;) {
		uint32_t half = n / 2;
		base = u < base[half - 1].bound ? base : base + half;
		n -= half;
	}
	return (uint32_t)(base - picks);
}

#endif
