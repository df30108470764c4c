/*
 * sim/flows/latency.h - a latency statistic whose memory follows the range
 * of its values, for the thousands of flows and VMs of a run.
 *
 * sim/stats' vr_stats keeps 1024 buckets per octave over 41 octaves (about
 * 350 KB): right for a handful of statistics, too much for 8,000 flows.
 * This one uses the same bucket layout (common/histogram.h) with 128
 * buckets per octave (a percentile within 0.4 % of the sample, the bucket's
 * middle within 0.2 %), and allocates an octave's counts (1 KB) only when a
 * value first falls in it.  A flow's latencies span a few octaves, so it
 * costs about 0.4 KB of pointers and a few KB of counts; an allocation
 * happens at most FL_LATENCY_BLOCKS times per statistic, not per sample.
 * Count, sum, min and max are exact.
 */
#ifndef FL_LATENCY_H
#define FL_LATENCY_H

#include <stdint.h>

#include "common/histogram.h"

enum {
	FL_LATENCY_SUB_BITS = 7,    /* 128 buckets per octave */
	FL_LATENCY_OCTAVES = 44,    /* up to 2^51 ps, as sim/stats */
	FL_LATENCY_BUCKETS = HISTOGRAM_BUCKETS(FL_LATENCY_SUB_BITS, FL_LATENCY_OCTAVES),
	FL_LATENCY_BLOCK = 1 << FL_LATENCY_SUB_BITS,                  /* buckets per block */
	FL_LATENCY_BLOCKS = FL_LATENCY_BUCKETS >> FL_LATENCY_SUB_BITS,
};

typedef struct fl_latency {
	uint64_t count;
	int64_t min_ps, max_ps;
	uint64_t sum_ps;                        /* exact: 2^64 ps is 213 days of summed latency */
	uint64_t *block[FL_LATENCY_BLOCKS];     /* counts per octave, NULL until used */
} fl_latency;

/* What a flow keeps of its latencies: count, extremes and sum, exact, in
 * 32 bytes (a million flows cannot each hold a histogram; their VMs do). */
typedef struct fl_summary {
	uint64_t count;
	int64_t min_ps, max_ps;
	uint64_t sum_ps;
} fl_summary;

static inline void fl_summary_add(fl_summary *s, int64_t value_ps)
{
	if (s->count == 0 || value_ps < s->min_ps)
		s->min_ps = value_ps;
	if (s->count == 0 || value_ps > s->max_ps)
		s->max_ps = value_ps;
	s->count++;
	s->sum_ps += value_ps < 0 ? 0 : (uint64_t)value_ps;
}

void fl_latency_init(fl_latency *l);
void fl_latency_free(fl_latency *l);

void fl_latency_add(fl_latency *l, int64_t value_ps);

/* Add every sample of FROM to INTO (same layout: exact). */
void fl_latency_merge(fl_latency *into, const fl_latency *from);

double fl_latency_mean_ns(const fl_latency *l);   /* 0 when empty */

/* The sample of rank floor(q * count) + 1, as vr_stats_quantile_ns: the
 * extremes exact, others a bucket's middle clamped to them; 0 when empty. */
double fl_latency_quantile_ns(const fl_latency *l, double q);

#endif
