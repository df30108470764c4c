/*
 * vrdma/trace/duration.c -- see duration.h.
 */
#include "vrdma/trace/duration.h"

#include <string.h>

void vtrace_durations_add(struct vtrace_durations *d, uint64_t value)
{
	if (d->count == 0 || value < d->min_ns)
		d->min_ns = value;
	if (value > d->max_ns)
		d->max_ns = value;
	d->count++;
	d->sum_ns += value;
	d->buckets[histogram_bucket(VTRACE_DURATION_SUB_BITS, VTRACE_DURATION_BUCKETS, value)]++;
}

/* The RANK-th smallest value (1-based), to the buckets' precision, kept
 * within the exact min and max. */
static uint64_t rank_value(const struct vtrace_durations *d, uint64_t rank)
{
	size_t b = histogram_rank_bucket(d->buckets, VTRACE_DURATION_BUCKETS, rank);
	if (b == VTRACE_DURATION_BUCKETS)
		return d->max_ns;
	uint64_t v = histogram_bucket_middle_floor(VTRACE_DURATION_SUB_BITS, b);
	return v < d->min_ns ? d->min_ns : v > d->max_ns ? d->max_ns : v;
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
