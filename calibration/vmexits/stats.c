/*
 * stats.c - order statistics of round trips.
 */
#include "calibration/vmexits/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The value of nearest rank ceil(Q n) (1-based) of the sorted S. */
static double rank_value(const double *s, size_t n, double q)
{
	double r = ceil(q * (double)n);
	size_t k = r < 1 ? 1 : (size_t)r;
	return s[(k > n ? n : k) - 1];
}

void vmx_summarise(const double *v, size_t n, vmx_summary *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	double *s = malloc(n * sizeof *s);
	if (!s || n == 0) {
		free(s);
		out->min = out->max = out->mean = out->median = out->p99 = out->p999 = NAN;
		out->median_low = out->median_high = NAN;
		return;
	}
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, by_value);
	double sum = 0, squares = 0;
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		squares += (s[i] - out->mean) * (s[i] - out->mean);
	out->stdev = n > 1 ? sqrt(squares / (double)(n - 1)) : 0.0;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	out->p99 = rank_value(s, n, 0.99);
	out->p999 = rank_value(s, n, 0.999);
	/* The median lies between the order statistics n/2 -+ 1.96 sqrt(n)/2
	 * with 95% probability, whatever the distribution (binomial, normal
	 * approximation). */
	double half = 1.959964 * sqrt((double)n) / 2;
	double lo = floor((double)n / 2 - half), hi = ceil((double)n / 2 + half);
	out->median_low = s[lo < 0 ? 0 : (size_t)lo];
	out->median_high = s[hi > (double)(n - 1) ? n - 1 : (size_t)hi];
	free(s);
}
