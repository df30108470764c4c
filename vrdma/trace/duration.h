/*
 * vrdma/trace/duration.h -- statistics of many durations in fixed memory.
 *
 * The log-linear buckets of common/histogram.h: values below 64 ns are
 * exact; above, each power of two is cut into 32 buckets, so a bucket's
 * middle is within 1.6% of any value in it.  Count, mean, min and max are exact; the median and
 * the 99th percentile come from the buckets.  Used by the trace summary
 * (time per stage) and by the simulator's replay (measured costs).
 */
#ifndef VRDMA_TRACE_DURATION_H
#define VRDMA_TRACE_DURATION_H

#include <stdint.h>

#include "common/histogram.h"

#define VTRACE_DURATION_SUB_BITS 5u
/* every 64-bit value */
#define VTRACE_DURATION_BUCKETS HISTOGRAM_BUCKETS(VTRACE_DURATION_SUB_BITS, 64u - VTRACE_DURATION_SUB_BITS)

struct vtrace_durations {
	uint64_t count;
	long double sum_ns;     /* x86-64 long double: exact for any sum below 2^64 */
	uint64_t min_ns, max_ns;
	uint64_t buckets[VTRACE_DURATION_BUCKETS];
};

/* Statistics of one set of durations. */
struct vtrace_duration_stats {
	uint64_t count;
	double mean_ns;
	uint64_t median_ns;   /* lower median (the ceil(n/2)-th smallest), from the buckets */
	uint64_t p99_ns;      /* the ceil(0.99 n)-th smallest, from the buckets */
	uint64_t min_ns;
	uint64_t max_ns;
};

void vtrace_durations_add(struct vtrace_durations *d, uint64_t ns);
/* All zero for NULL or an empty set. */
void vtrace_durations_stats(const struct vtrace_durations *d, struct vtrace_duration_stats *out);

#endif
