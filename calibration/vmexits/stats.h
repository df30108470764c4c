/*
 * stats.h - the summary of one test's round trips, as measure-vmexits
 * writes it and `calibrate --model virt` recomputes it from the samples.
 */
#ifndef VMX_STATS_H
#define VMX_STATS_H

#include <stddef.h>

typedef struct vmx_summary {
	size_t n;
	double min, max, mean, stdev;
	double median;            /* the middle value (mean of the two middle ones for even n) */
	double p99, p999;         /* nearest rank: the smallest value with at least 99% (99.9%) at or below it */
	double median_low, median_high;   /* a distribution-free 95% interval of the median (order statistics) */
} vmx_summary;

/* Summarise the N values of V (N >= 1; V is left unchanged). */
void vmx_summarise(const double *v, size_t n, vmx_summary *out);

#endif
