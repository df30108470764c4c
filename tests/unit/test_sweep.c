/*
 * test_sweep.c - a sweep's points (models/sweep.h): grid order, zipped
 * lists moving together, values put where the paths say (every host, a
 * named flow group, a model parameter), and seeds that follow a point's
 * coordinates, not its index.  The refusals are in the bad-input corpus
 * (tests/bad-input/sweep-*.yaml).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "models/sweep.h"
#include "tests/check_run.h"

#define BASE                                                              \
	"scenario: t\npreset: modern-hdr\nseed: 5\n"                          \
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n" \
	"options: [native]\n"                                                 \
	"workload: {verb: write_lat, sizes: [2B], iterations: 100}\n"

static swp_sweep sw;
static vr_diag diag;

static void open_text(const char *text)
{
	vr_diag_clear(&diag);
	int rc = swp_open_buffer("sweep.yaml", text, strlen(text), &sw, &diag);
	ck_assert_msg(rc == 0, "%s", diag.message);
}

static void teardown(void)
{
	swp_close(&sw);
}

START_TEST(grid_first_variable_slowest)
{
	open_text(BASE "sweep:\n  grid:\n    completion: [poll, event]\n    workload.sizes: [2B, 64B, 4KiB]\n");
	ck_assert_uint_eq(sw.point_count, 6);
	ck_assert_str_eq(swp_value(&sw, 0, 0)->text, "poll");
	ck_assert_str_eq(swp_value(&sw, 0, 1)->text, "2B");
	ck_assert_str_eq(swp_value(&sw, 1, 1)->text, "64B");
	ck_assert_str_eq(swp_value(&sw, 3, 0)->text, "event");
	ck_assert_str_eq(swp_value(&sw, 3, 1)->text, "2B");
	char text[256];
	swp_describe(&sw, 5, text, sizeof text);
	ck_assert_str_eq(text, "completion=event workload.sizes=4KiB");
}
END_TEST

START_TEST(zipped_lists_move_together)
{
	open_text(BASE "sweep:\n  grid:\n    completion: [poll, event]\n"
		       "  zip:\n    workload.sizes: [2B, 64B, 4KiB]\n    virt.vm_exit: [1000cycles, 2000cycles, 3000cycles]\n");
	ck_assert_uint_eq(sw.point_count, 6);
	for (size_t k = 0; k < 6; k++) {
		const char *size = swp_value(&sw, k, 1)->text, *exit_cost = swp_value(&sw, k, 2)->text;
		ck_assert_int_eq(size[0] == '2' ? 1 : size[0] == '6' ? 2 : 3, exit_cost[0] - '0');
	}
	ck_assert_str_eq(swp_value(&sw, 4, 0)->text, "event");
	ck_assert_str_eq(swp_value(&sw, 4, 1)->text, "64B");
}
END_TEST

START_TEST(points_load_with_their_values)
{
	open_text(BASE "sweep:\n  grid:\n    topology.hosts[*].vms: [2, 3]\n    workload.sizes: [64B]\n"
		       "    virt.vm_exit: [1000cycles]\n    completion: [event]\n");
	scn_scenario s;
	int rc = swp_load_point(&sw, 1, &s, &diag);
	ck_assert_msg(rc == 0, "%s", diag.message);
	ck_assert_uint_eq(s.hosts[0].vms, 3);
	ck_assert_uint_eq(s.hosts[1].vms, 3);
	ck_assert_uint_eq(s.workloads[0].size_count, 1);
	ck_assert_double_eq(s.workloads[0].sizes_bytes[0], 64);
	ck_assert_int_eq(s.completion, COMPLETION_EVENT);
	ck_assert_uint_eq(s.seed, swp_seed(&sw, 1));
	ck_assert_str_eq(s.sha256, sw.doc.sha256);
	int id = mdl_param_lookup("virt.vm_exit");
	ck_assert(scn_params(&s, 0, 0)->written[id].is_cycles && scn_params(&s, 0, 0)->written[id].value == 1000);
	scn_free(&s);
}
END_TEST

START_TEST(a_named_item_alone_takes_the_value)
{
	open_text(BASE "sweep:\n  grid:\n    topology.hosts[b].vms: [4]\n");
	scn_scenario s;
	int rc = swp_load_point(&sw, 0, &s, &diag);
	ck_assert_msg(rc == 0, "%s", diag.message);
	ck_assert_uint_eq(s.hosts[0].vms, 1);
	ck_assert_uint_eq(s.hosts[1].vms, 4);
	scn_free(&s);
}
END_TEST

/* The seed of the point (size 64B, event) with SIZES listed. */
static unsigned long long seed_of_64B_event(const char *sizes)
{
	char text[1024];
	snprintf(text, sizeof text, BASE "sweep:\n  grid:\n    workload.sizes: %s\n    completion: [poll, event]\n", sizes);
	open_text(text);
	unsigned long long seed = 0;
	for (size_t k = 0; k < sw.point_count; k++)
		if (strcmp(swp_value(&sw, k, 0)->text, "64B") == 0 && strcmp(swp_value(&sw, k, 1)->text, "event") == 0)
			seed = swp_seed(&sw, k);
	swp_close(&sw);
	return seed;
}

START_TEST(seeds_follow_coordinates_not_indices)
{
	unsigned long long before = seed_of_64B_event("[2B, 64B]"), after = seed_of_64B_event("[2B, 16B, 64B, 4KiB]");
	ck_assert_uint_ne(before, 0);
	ck_assert_uint_eq(before, after);
	open_text(BASE "sweep:\n  grid:\n    workload.sizes: [2B, 64B]\n    completion: [poll, event]\n");
	for (size_t i = 0; i < sw.point_count; i++)
		for (size_t j = 0; j < i; j++)
			ck_assert_uint_ne(swp_seed(&sw, i), swp_seed(&sw, j));
	ck_assert_uint_le(swp_seed(&sw, 3), 4294967295ull);
}
END_TEST

START_TEST(seeds_follow_the_scenario_seed)
{
	open_text(BASE "sweep:\n  grid:\n    workload.sizes: [2B]\n");
	unsigned long long five = swp_seed(&sw, 0);
	swp_close(&sw);
	char text[1024];
	snprintf(text, sizeof text, "%s", BASE "sweep:\n  grid:\n    workload.sizes: [2B]\n");
	memcpy(strstr(text, "seed: 5"), "seed: 6", 7);
	open_text(text);
	ck_assert_uint_ne(five, swp_seed(&sw, 0));
}
END_TEST

START_TEST(numbers_and_names)
{
	open_text(BASE "sweep:\n  grid:\n    topology.hosts[*].vms: [2]\n    workload.sizes: [64B]\n");
	ck_assert(swp_is_number(swp_value(&sw, 0, 0)));
	ck_assert(!swp_is_number(swp_value(&sw, 0, 1)));
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("sweep");
	TCase *tc = tcase_create("points");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, grid_first_variable_slowest);
	tcase_add_test(tc, zipped_lists_move_together);
	tcase_add_test(tc, points_load_with_their_values);
	tcase_add_test(tc, a_named_item_alone_takes_the_value);
	tcase_add_test(tc, seeds_follow_coordinates_not_indices);
	tcase_add_test(tc, seeds_follow_the_scenario_seed);
	tcase_add_test(tc, numbers_and_names);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
