/*
 * stats.c - Welford moments and a log-linear histogram (common/histogram).
 */
#include "sim/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/histogram.h"

void vr_stats_reset(vr_stats *s)
{
	memset(s, 0, sizeof *s);
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
	s->buckets[histogram_bucket(STATS_SUB_BITS, STATS_BUCKETS, ps <= 0 ? 0 : (uint64_t)llround(ps))]++;
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
	if (rank >= s->count)
		return s->max_ns;       /* the extremes are known exactly */
	if (rank == 1)
		return s->min_ns;
	size_t bucket = histogram_rank_bucket(s->buckets, STATS_BUCKETS, rank);
	if (bucket >= STATS_BUCKETS - 1)
		return s->max_ns;       /* the top bucket also holds every larger value */
	/* Clamp to the exact extremes: a bucket midpoint may lie outside them. */
	double v = histogram_bucket_middle(STATS_SUB_BITS, bucket) / 1e3;
	return v < s->min_ns ? s->min_ns : (v > s->max_ns ? s->max_ns : v);
}

/* ---- P-square running median ---------------------------------------- */

static const double P2_INCREMENT[5] = {0.0, 0.25, 0.5, 0.75, 1.0};   /* for p = 0.5 */

void vr_median_reset(vr_median *m)
{
	memset(m, 0, sizeof *m);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Piecewise-parabolic prediction of marker I moved by D (+1 or -1). */
static double p2_parabolic(const vr_median *m, int i, double d)
{
	const double *q = m->height, *n = m->position;
	return q[i] + d / (n[i + 1] - n[i - 1]) *
		((n[i] - n[i - 1] + d) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
		 (n[i + 1] - n[i] - d) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
}

static double p2_linear(const vr_median *m, int i, int d)
{
	return m->height[i] + d * (m->height[i + d] - m->height[i]) / (m->position[i + d] - m->position[i]);
}

/* A run of COUNT equal values, as the P-square state it would have built:
 * all heights equal, positions spread as the quantiles they stand for. */
static void p2_from_constant(vr_median *m)
{
	double c = m->height[0];
	double last = (double)(m->count - 1);
	for (int i = 0; i < 5; i++) {
		m->height[i] = c;
		m->position[i] = 1 + floor(last * P2_INCREMENT[i]);
		m->desired[i] = 1 + last * P2_INCREMENT[i];
	}
}

void vr_median_add(vr_median *m, double value)
{
	/* Most stages cost the same every time (hardware without jitter):
	 * count a run of equal values, build the estimator only when it ends. */
	if (!m->varied) {
		if (m->count > 0 && value == m->height[0]) {
			m->count++;
			return;
		}
		if (m->count > 0) {
			m->varied = 1;
			if (m->count >= 5)
				p2_from_constant(m);
			else
				for (uint64_t i = 1; i < m->count; i++)
					m->height[i] = m->height[0];
		}
	}
	if (m->count < 5) {
		m->height[m->count++] = value;
		if (m->count == 5) {
			qsort(m->height, 5, sizeof m->height[0], compare_double);
			for (int i = 0; i < 5; i++) {
				m->position[i] = i + 1;
				m->desired[i] = 1 + 4 * P2_INCREMENT[i];
			}
		}
		return;
	}
	m->count++;
	int k;
	if (value < m->height[0]) {
		m->height[0] = value;
		k = 0;
	} else if (value >= m->height[4]) {
		m->height[4] = value;
		k = 3;
	} else {
		for (k = 0; k < 3 && value >= m->height[k + 1]; k++)
			;
	}
	for (int i = k + 1; i < 5; i++)
		m->position[i] += 1;
	for (int i = 0; i < 5; i++)
		m->desired[i] += P2_INCREMENT[i];
	for (int i = 1; i <= 3; i++) {
		double d = m->desired[i] - m->position[i];
		if ((d >= 1 && m->position[i + 1] - m->position[i] > 1) ||
		    (d <= -1 && m->position[i - 1] - m->position[i] < -1)) {
			int step = d >= 0 ? 1 : -1;
			double candidate = p2_parabolic(m, i, step);
			if (m->height[i - 1] < candidate && candidate < m->height[i + 1])
				m->height[i] = candidate;
			else
				m->height[i] = p2_linear(m, i, step);
			m->position[i] += step;
		}
	}
}

double vr_median_value(const vr_median *m)
{
	if (m->count == 0)
		return 0.0;
	if (!m->varied)
		return m->height[0];
	if (m->count < 5) {
		double sorted[5];
		memcpy(sorted, m->height, m->count * sizeof sorted[0]);
		qsort(sorted, m->count, sizeof sorted[0], compare_double);
		return sorted[m->count / 2];
	}
	return m->height[2];
}
