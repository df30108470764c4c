/*
 * test_vmig.c - `vrdmasim run` on a `vrdma_migration:` scenario, as users
 * run it: the shipped scenario end to end in every format (every point of
 * both presets, finite, the JSON closed with the block), `--out` all or
 * nothing, `--set` reaching the model, `validate` counting the points, and
 * a sweep of such a scenario refused, located at the block.
 */
#include "config.h"

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* CSV column KEY of the row starting with PREFIX, as a number. */
static double csv_cell(const char *csv, const char *prefix, const char *key)
{
	const char *head_end = strchr(csv, '\n');
	int column = -1, k = 0;
	for (const char *p = csv; p && p < head_end; p = strchr(p, ','), p = p ? p + 1 : NULL, k++)
		if (strncmp(p, key, strlen(key)) == 0 && (p[strlen(key)] == ',' || p[strlen(key)] == '\n'))
			column = k;
	ck_assert_int_ge(column, 0);
	char needle[256];
	snprintf(needle, sizeof needle, "\n%s", prefix);
	const char *row = strstr(csv, needle);
	ck_assert_ptr_nonnull(row);
	row++;
	for (int c = 0; c < column; c++)
		row = strchr(row, ',') + 1;
	return strtod(row, NULL);
}

START_TEST(shipped_scenario_in_every_format)
{
	const char *path = src_path("scenarios/vmotion-vrdma-vm.yaml");
	tool_output text = run_tool((const char *[]){"run", path, NULL});
	ck_assert_msg(text.status == 0, "%s", text.err);
	ck_assert_uint_eq(count(text.out, "\nesxi5-qdr-2012 "), 16);
	ck_assert_uint_eq(count(text.out, "\nmodern-hdr "), 16);
	tool_output json = run_tool((const char *[]){"run", path, "--format", "json", NULL});
	ck_assert_msg(json.status == 0, "%s", json.err);
	ck_assert_uint_eq(count(json.out, "\"added_downtime_ms\":"), 32);
	ck_assert(strstr(json.out, "\"vrdma_migration\": {\"from\": \"src\"") || strstr(json.out, "\"vrdma_migration\":{\"from\":\"src\""));
	ck_assert(!strstr(json.out, ": nan") && !strstr(json.out, ": -nan") && !strstr(json.out, ": inf") &&
		  !strstr(json.out, ": -inf") && !strstr(json.out, ": null"));
	tool_output csv = run_tool((const char *[]){"run", path, "--format", "csv", NULL});
	ck_assert_msg(csv.status == 0, "%s", csv.err);
	ck_assert_uint_eq(count(csv.out, "\n"), 33);
	/* 4096 QPs, 1 MiB, modern-hdr: 4096 x (35 + 3 x 15) us of QPs restored */
	ck_assert(fabs(csv_cell(csv.out, "modern-hdr,4096,4096,1048576,", "qp_restore_ms") - 327.68) < 1e-6);
	tool_output_free(&text);
	tool_output_free(&json);
	tool_output_free(&csv);
}
END_TEST

START_TEST(set_reaches_the_model_and_out_is_written_whole)
{
	const char *dir = temp_dir();
	char out[4200];
	snprintf(out, sizeof out, "%s/vmig.csv", dir);
	const char *path = src_path("scenarios/vmotion-vrdma-vm.yaml");
	tool_output o = run_tool((const char *[]){"run", path, "--preset", "modern-hdr", "--set", "hca.modify_qp=0us",
						 "--set", "hca.create_qp=0us", "--format", "csv", "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	char *csv = read_file(out);
	ck_assert(csv_cell(csv, "modern-hdr,4096,4096,1048576,", "qp_restore_ms") == 0);
	ck_assert(csv_cell(csv, "modern-hdr,4096,4096,1048576,", "repoint_ms") == 0);
	free(csv);
	tool_output_free(&o);
	/* a refused --set writes nothing */
	char bad[4200];
	snprintf(bad, sizeof bad, "%s/bad.csv", dir);
	o = run_tool((const char *[]){"run", path, "--set", "hca.modify_qp=-1us", "--out", bad, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert(access(bad, F_OK) != 0);
	tool_output_free(&o);
	remove_tree(dir);
}
END_TEST

START_TEST(validate_counts_and_sweep_refuses)
{
	tool_output o = run_tool((const char *[]){"validate", src_path("scenarios/vmotion-vrdma-vm-overlap.yaml"), NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert(strstr(o.out, "a vRDMA VM's migration at 16 point(s)"));
	tool_output_free(&o);
	const char *dir = temp_dir();
	const char *file = write_test_file(dir, "sweep.yaml",
		"scenario: s\npreset: modern-hdr\ntopology:\n  hosts: [{name: a}, {name: b}, {name: c}]\n"
		"vrdma_migration:\n  qps: 4\n  registered_memory: 1GiB\n"
		"sweep:\n  grid:\n    vrdma_migration.regions: [1, 2]\n");
	o = run_tool((const char *[]){"validate", file, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "sweep.yaml:6:3: found 'vrdma_migration' in a sweep"), "%s", o.err);
	tool_output_free(&o);
	remove_tree(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vmig");
	TCase *t = tcase_create("run");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, shipped_scenario_in_every_format);
	tcase_add_test(t, set_reaches_the_model_and_out_is_written_whole);
	tcase_add_test(t, validate_counts_and_sweep_refuses);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
