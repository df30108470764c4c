/*
 * test_stats.c - bounded-memory statistics against exact ones.
 */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#include "sim/stats.h"
#include "tests/check_run.h"

static vr_stats stats;

START_TEST(moments_are_exact)
{
	vr_stats_reset(&stats);
	double values[] = {1000, 1200, 1100, 900, 5000};
	for (size_t i = 0; i < 5; i++)
		vr_stats_add(&stats, values[i]);
	ck_assert_uint_eq(stats.count, 5);
	ck_assert_double_eq(stats.min_ns, 900);
	ck_assert_double_eq(stats.max_ns, 5000);
	ck_assert_double_eq_tol(stats.mean_ns, 1840, 1e-9);
	/* population stdev of the five values */
	double var = (pow(1000 - 1840, 2) + pow(1200 - 1840, 2) + pow(1100 - 1840, 2) +
		      pow(900 - 1840, 2) + pow(5000 - 1840, 2)) / 5;
	ck_assert_double_eq_tol(vr_stats_stdev_ns(&stats), sqrt(var), 1e-9);
	/* perftest's ranks: median is sorted[n/2] = 1100 */
	ck_assert_double_eq_tol(vr_stats_quantile_ns(&stats, 0.5), 1100, 1100 * 1e-3);
}
END_TEST

/* Percentiles within 0.1% of the exact order statistic, on skewed data. */
START_TEST(percentiles_match_sorted_samples)
{
	enum { N = 100000 };
	static double samples[N];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 7);
	vr_stats_reset(&stats);
	for (size_t i = 0; i < N; i++) {
		samples[i] = 2000.0 * gsl_ran_lognormal(rng, 0, 0.3) + (gsl_rng_uniform(rng) < 0.01 ? 50000 : 0);
		vr_stats_add(&stats, samples[i]);
	}
	gsl_rng_free(rng);
	gsl_sort(samples, 1, N);
	double qs[] = {0.0, 0.5, 0.9, 0.99, 0.999, 1.0};
	for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
		size_t rank = (size_t)floor(qs[k] * N);
		if (rank >= N)
			rank = N - 1;
		double exact = samples[rank];
		double got = vr_stats_quantile_ns(&stats, qs[k]);
		ck_assert_msg(fabs(got - exact) <= exact * 1e-3, "q=%g: %g vs exact %g", qs[k], got, exact);
	}
}
END_TEST

START_TEST(memory_is_fixed)
{
	/* The whole state is one fixed-size struct: no allocation per sample. */
	ck_assert_uint_lt(sizeof(vr_stats), 400 * 1024);
	vr_stats_reset(&stats);
	for (int i = 0; i < 1000000; i++)
		vr_stats_add(&stats, 1000.0 + (i % 1000));
	ck_assert_uint_eq(stats.count, 1000000);
	ck_assert_double_eq_tol(vr_stats_quantile_ns(&stats, 0.5), 1500, 1.5);
}
END_TEST

START_TEST(extremes_and_empty)
{
	vr_stats_reset(&stats);
	ck_assert_double_eq(vr_stats_quantile_ns(&stats, 0.5), 0);
	vr_stats_add(&stats, 0.0);
	vr_stats_add(&stats, 1e12);   /* 1000 s: beyond the top octave is clamped, not lost */
	ck_assert_uint_eq(stats.count, 2);
	ck_assert_double_eq(vr_stats_quantile_ns(&stats, 1.0), 1e12);
	ck_assert_double_eq(vr_stats_quantile_ns(&stats, 0.0), 0.0);
}
END_TEST

/* The running median tracks the exact one on skewed data, after runs of
 * equal values, and with a rare spike that must not move it. */
START_TEST(running_median)
{
	enum { N = 50001 };
	static double samples[N];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 11);
	vr_median m;
	vr_median_reset(&m);
	ck_assert_double_eq(vr_median_value(&m), 0);
	for (int i = 0; i < 3; i++)
		vr_median_add(&m, 42.0);
	ck_assert_double_eq(vr_median_value(&m), 42.0);
	vr_median_reset(&m);
	for (size_t i = 0; i < N; i++) {
		samples[i] = i < 1000 ? 300.0 : 300.0 * gsl_ran_lognormal(rng, 0, 0.05);
		if (i % 997 == 0)
			samples[i] += 5000;     /* interference */
		vr_median_add(&m, samples[i]);
	}
	gsl_rng_free(rng);
	gsl_sort(samples, 1, N);
	double exact = samples[N / 2];
	ck_assert_msg(fabs(vr_median_value(&m) - exact) <= 0.005 * exact, "P2 %g vs exact %g", vr_median_value(&m), exact);
	/* a constant run stays exact however long */
	vr_median_reset(&m);
	for (int i = 0; i < 100000; i++)
		vr_median_add(&m, 123.25);
	ck_assert_double_eq(vr_median_value(&m), 123.25);
	ck_assert_uint_eq(m.count, 100000);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("stats");
	TCase *tc = tcase_create("histogram");
	tcase_add_test(tc, moments_are_exact);
	tcase_add_test(tc, percentiles_match_sorted_samples);
	tcase_add_test(tc, memory_is_fixed);
	tcase_add_test(tc, extremes_and_empty);
	tcase_add_test(tc, running_median);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
