/*
 * test_knee.c - targets and knees (models/target.h, models/knee.h) on
 * hand-made series: the knee is the last value before the first miss, with
 * its bracket (every value meets: the largest, no failure; the first
 * misses: no knee); `Nx first` is relative to the smallest value; integer
 * bisection proposes only integers strictly inside open brackets (never a
 * value already run), real bisection stops within the tolerance; and a
 * target reads into its metric, bound, group, variable and rounds.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/knee.h"
#include "tests/check_run.h"

#define BASE                                                              \
	"scenario: t\npreset: modern-hdr\nseed: 5\n"                          \
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n" \
	"options: [native]\n"                                                 \
	"workload: {verb: write_lat, sizes: [2B], iterations: 100}\n"

static swp_sweep sw;
static vr_diag diag;

static void teardown(void)
{
	swp_close(&sw);
}

static void open_text(const char *text)
{
	vr_diag_clear(&diag);
	int rc = swp_open_buffer("sweep.yaml", text, strlen(text), &sw, &diag);
	ck_assert_msg(rc == 0, "%s", diag.message);
}

static swp_target latency_target(double bound_us)
{
	return (swp_target){.present = 1, .metric = SWP_METRIC_P99, .at_most = 1, .bound_kind = SWP_BOUND_ABSOLUTE, .bound = bound_us};
}

/* A series of COUNT values XS (given in any order) with metrics YS. */
static knee_series series(const double *xs, const double *ys, size_t count)
{
	knee_series s = {.count = count, .cap = count, .meets = -1, .fails = -1};
	s.obs = calloc(count, sizeof *s.obs);
	for (size_t i = 0; i < count; i++) {
		s.obs[i].x = xs[i];
		snprintf(s.obs[i].x_text, sizeof s.obs[i].x_text, "%g", xs[i]);
		s.obs[i].metric = ys[i];
	}
	return s;
}

START_TEST(knee_is_the_last_value_before_the_first_miss)
{
	swp_target t = latency_target(10);
	knee_series s = series((double[]){16, 1, 4, 64}, (double[]){13.8, 4.4, 6.6, 2750}, 4);
	knee_find(&t, &s);
	ck_assert_int_eq(s.meets, 1);
	ck_assert_int_eq(s.fails, 2);
	ck_assert_str_eq(s.obs[s.meets].x_text, "4");
	ck_assert_str_eq(s.obs[s.fails].x_text, "16");
	free(s.obs);
}
END_TEST

START_TEST(meets_everywhere_knee_is_the_largest_value)
{
	swp_target t = latency_target(10);
	knee_series s = series((double[]){1, 2, 4}, (double[]){2, 3, 9.99}, 3);
	knee_find(&t, &s);
	ck_assert_int_eq(s.meets, 2);
	ck_assert_int_eq(s.fails, -1);
	free(s.obs);
}
END_TEST

START_TEST(fails_everywhere_no_knee)
{
	swp_target t = latency_target(1);
	knee_series s = series((double[]){1, 2, 4}, (double[]){2, 3, 4}, 3);
	knee_find(&t, &s);
	ck_assert_int_eq(s.meets, -1);
	ck_assert_int_eq(s.fails, 0);
	free(s.obs);
}
END_TEST

START_TEST(a_dip_further_up_does_not_move_the_knee)
{
	swp_target t = latency_target(10);
	knee_series s = series((double[]){1, 2, 4, 8}, (double[]){2, 11, 9, 20}, 4);
	knee_find(&t, &s);
	ck_assert_int_eq(s.meets, 0);
	ck_assert_int_eq(s.fails, 1);
	free(s.obs);
}
END_TEST

START_TEST(relative_to_the_first_value)
{
	swp_target t = {.present = 1, .metric = SWP_METRIC_P99, .at_most = 1, .bound_kind = SWP_BOUND_FIRST, .bound = 2};
	knee_series s = series((double[]){8, 1, 2, 4}, (double[]){9, 3, 5.9, 6.1}, 4);
	knee_find(&t, &s);
	ck_assert_str_eq(s.obs[s.meets].x_text, "2");
	ck_assert_str_eq(s.obs[s.fails].x_text, "4");
	free(s.obs);
}
END_TEST

START_TEST(throughput_at_least_a_share_of_the_offered_load)
{
	swp_target t = {.present = 1, .metric = SWP_METRIC_THROUGHPUT, .bound_kind = SWP_BOUND_OFFERED, .bound = 0.9};
	ck_assert(swp_target_meets(&t, 91, 0, 100));
	ck_assert(!swp_target_meets(&t, 89, 0, 100));
}
END_TEST

/* The proposals of one series with bracket (LOW, HIGH). */
static size_t propose(int integer, double low, double high, char *first, size_t len)
{
	knee_series s = series((double[]){low, high}, (double[]){1, 2}, 2);
	s.meets = 0;
	s.fails = 1;
	knee_set set = {.series = &s, .count = 1, .cap = 1, .integer = integer};
	size_t *bases, count;
	char **values;
	ck_assert_int_eq(knee_propose(&set, &bases, &values, &count), 0);
	if (count)
		snprintf(first, len, "%s", values[0]);
	knee_points_free(bases, values, count);
	free(s.obs);
	return count;
}

START_TEST(integer_bisection_proposes_integers_strictly_inside)
{
	char mid[64];
	for (int low = 0; low < 40; low++)
		for (int high = low + 1; high < 45; high++) {
			size_t n = propose(1, low, high, mid, sizeof mid);
			if (high - low <= 1) {
				ck_assert_uint_eq(n, 0);
				continue;
			}
			ck_assert_uint_eq(n, 1);
			char *end;
			long m = strtol(mid, &end, 10);
			ck_assert_msg(*end == '\0', "%s is not an integer", mid);
			ck_assert_msg(m > low && m < high, "%ld outside (%d, %d)", m, low, high);
		}
}
END_TEST

START_TEST(real_bisection_stops_within_the_tolerance)
{
	char mid[64];
	ck_assert_uint_eq(propose(0, 1.0, 2.0, mid, sizeof mid), 1);
	ck_assert_str_eq(mid, "1.5");
	ck_assert_uint_eq(propose(0, 99.5, 100.0, mid, sizeof mid), 0);
}
END_TEST

START_TEST(no_bracket_nothing_to_bisect)
{
	knee_series s = series((double[]){1, 2}, (double[]){1, 2}, 2);
	s.meets = 1;   /* meets everywhere */
	knee_set set = {.series = &s, .count = 1, .cap = 1, .integer = 1};
	size_t *bases, count;
	char **values;
	ck_assert_int_eq(knee_propose(&set, &bases, &values, &count), 0);
	ck_assert_uint_eq(count, 0);
	knee_points_free(bases, values, count);
	free(s.obs);
}
END_TEST

START_TEST(a_target_reads)
{
	open_text(BASE "sweep:\n  grid:\n    completion: [poll, event]\n    topology.hosts[*].vms: [1, 2, 4]\n"
		       "  target:\n    require: p99.9 <= 2x first\n    variable: topology.hosts[*].vms\n    refine: 3\n");
	ck_assert(sw.target.present);
	ck_assert_int_eq(sw.target.metric, SWP_METRIC_P999);
	ck_assert_int_eq(sw.target.bound_kind, SWP_BOUND_FIRST);
	ck_assert(sw.target.bound == 2);
	ck_assert_uint_eq(sw.knee_var, 1);
	ck_assert_uint_eq(sw.target.refine, 3);
	swp_close(&sw);
	open_text(BASE "sweep:\n  grid:\n    topology.hosts[*].vms: [1, 2]\n  target: p50 <= 1.5us\n");
	ck_assert_int_eq(sw.target.metric, SWP_METRIC_P50);
	ck_assert(fabs(sw.target.bound - 1.5) < 1e-12);
	ck_assert_uint_eq(sw.knee_var, 0);
	ck_assert_uint_eq(sw.target.refine, 0);
}
END_TEST

START_TEST(a_round_addresses_refined_points)
{
	open_text(BASE "sweep:\n  grid:\n    completion: [poll, event]\n    topology.hosts[*].vms: [1, 4]\n"
		       "  target:\n    require: p99 <= 10us\n    variable: topology.hosts[*].vms\n");
	ck_assert_int_eq(swp_set_round(&sw, 1, (size_t[]){2}, (char *[]){"3"}, 1, &diag), 0);
	ck_assert_uint_eq(sw.point_count, 1);
	ck_assert_str_eq(swp_value(&sw, 0, 0)->text, "event");
	ck_assert_str_eq(swp_value(&sw, 0, 1)->text, "3");
	scn_scenario s;
	ck_assert_msg(swp_load_point(&sw, 0, &s, &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(s.hosts[0].vms, 3);
	scn_free(&s);
	ck_assert_int_eq(swp_set_round(&sw, 0, NULL, NULL, 0, &diag), 0);
	ck_assert_uint_eq(sw.point_count, 4);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("knee");
	TCase *tc = tcase_create("knees");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, knee_is_the_last_value_before_the_first_miss);
	tcase_add_test(tc, meets_everywhere_knee_is_the_largest_value);
	tcase_add_test(tc, fails_everywhere_no_knee);
	tcase_add_test(tc, a_dip_further_up_does_not_move_the_knee);
	tcase_add_test(tc, relative_to_the_first_value);
	tcase_add_test(tc, throughput_at_least_a_share_of_the_offered_load);
	tcase_add_test(tc, integer_bisection_proposes_integers_strictly_inside);
	tcase_add_test(tc, real_bisection_stops_within_the_tolerance);
	tcase_add_test(tc, no_bracket_nothing_to_bisect);
	tcase_add_test(tc, a_target_reads);
	tcase_add_test(tc, a_round_addresses_refined_points);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
