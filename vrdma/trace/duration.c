/*
 * vrdma/trace/duration.c -- see duration.h.
 */
#include "vrdma/trace/duration.h"

#include <string.h>

#define SUB (1u << VTRACE_DURATION_SUB_BITS)

/* Values below 2 * SUB are exact; above, a power of two has SUB buckets. */
static unsigned bucket_of(uint64_t value)
{
	if (value < 2 * SUB)
		return (unsigned)value;
	unsigned top = 63u - (unsigned)__builtin_clzll(value);   /* >= SUB_BITS + 1 */
	unsigned shift = top - VTRACE_DURATION_SUB_BITS;
	return (shift + 1) * SUB + (unsigned)((value >> shift) & (SUB - 1));
}

/* The middle of bucket B (its only value when exact). */
static uint64_t bucket_middle(unsigned b)
{
	if (b < 2 * SUB)
		return b;
	unsigned shift = b / SUB - 1;
	uint64_t low = (uint64_t)(SUB + b % SUB) << shift;
	return low + (((uint64_t)1 << shift) - 1) / 2;
}

void vtrace_durations_add(struct vtrace_durations *d, uint64_t value)
{
	if (d->count == 0 || value < d->min_ns)
		d->min_ns = value;
	if (value > d->max_ns)
		d->max_ns = value;
	d->count++;
	d->sum_ns += value;
	d->buckets[bucket_of(value)]++;
}

/* The RANK-th smallest value (1-based), to the buckets' precision, kept
 * within the exact min and max. */
static uint64_t rank_value(const struct vtrace_durations *d, uint64_t rank)
{
	uint64_t seen = 0;
	for (unsigned b = 0; b < VTRACE_DURATION_BUCKETS; b++) {
		seen += d->buckets[b];
		if (seen >= rank) {
			uint64_t v = bucket_middle(b);
			return v < d->min_ns ? d->min_ns : v > d->max_ns ? d->max_ns : v;
		}
	}
	return d->max_ns;
}

void vtrace_durations_stats(const struct vtrace_durations *d, struct vtrace_duration_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!d || d->count == 0)
		return;
	out->count = d->count;
	out->mean_ns = (double)(d->sum_ns / d->count);
	out->median_ns = rank_value(d, (d->count + 1) / 2);
	out->p99_ns = rank_value(d, (d->count * 99 + 99) / 100);
	out->min_ns = d->min_ns;
	out->max_ns = d->max_ns;
}
