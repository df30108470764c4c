/*
 * stats.h - latency statistics in bounded memory.
 *
 * Exact count, min, max, mean and standard deviation (Welford), and
 * percentiles from the log-linear histogram of common/histogram.h: values
 * up to 2^11 ps are exact, above that each power of two is split into 1024 equal
 * buckets, so a percentile is within 0.1% of the true sample.  Memory is
 * fixed (about 350 KB) whatever the number of samples.
 */
#ifndef VR_STATS_H
#define VR_STATS_H

#include <stdint.h>

#include "common/histogram.h"

enum {
	STATS_SUB_BITS = 10,                       /* 1024 buckets per octave */
	STATS_OCTAVES = 41,                        /* up to 2^51 ps, about 37 minutes */
	STATS_BUCKETS = HISTOGRAM_BUCKETS(STATS_SUB_BITS, STATS_OCTAVES),
};

typedef struct vr_stats {
	uint64_t count;
	double min_ns, max_ns;
	double mean_ns, m2;                        /* Welford accumulators */
	uint64_t buckets[STATS_BUCKETS];
} vr_stats;

void vr_stats_reset(vr_stats *s);
void vr_stats_add(vr_stats *s, double value_ns);

double vr_stats_stdev_ns(const vr_stats *s);   /* population standard deviation */

/* The sample of rank floor(q * count) + 1 (perftest's choice: q = 0.5 is its
 * t_typical, 0.99 its 99% percentile).  0 when empty. */
double vr_stats_quantile_ns(const vr_stats *s, double q);


/*
 * A running median in constant memory: the P-square algorithm (R. Jain and
 * I. Chlamtac, "The P2 algorithm for dynamic calculation of quantiles and
 * histograms without storing observations", CACM 28(10), 1985).  Five
 * markers track the minimum, the quartiles' neighbourhood, the median and
 * the maximum; used for the per-stage breakdown of t_typical.
 */
typedef struct vr_median {
	uint64_t count;
	int varied;            /* seen two different values (else all equal height[0]) */
	double height[5];      /* marker heights (values) */
	double position[5];    /* actual marker positions, 1-based */
	double desired[5];     /* desired marker positions */
} vr_median;

void vr_median_reset(vr_median *m);
void vr_median_add(vr_median *m, double value);
/* The running median (exact for up to 5 samples); 0 when empty. */
double vr_median_value(const vr_median *m);

#endif
