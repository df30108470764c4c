/*
 * test_reference.c - datasets normalised by their reference workload
 * (calibration/reference.h): each test's times scaled to the nominal
 * speed, bandwidths the other way, spreads widened by the speed's drift; a
 * moved test reported; every malformed or out-of-range reference refused
 * where it stands; normalised and as-measured inputs never mixed.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/dataset.h"
#include "calibration/reference.h"
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static cal_dataset data;
static vr_diag diag;
static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
	memset(&data, 0, sizeof data);
	vr_diag_clear(&diag);
}

static void teardown(void)
{
	remove_tree(dir);
}

static void copy_fixture(const char *name, const char *as)
{
	char rel[128], cmd[700];
	snprintf(rel, sizeof rel, "tests/calibration/perftest/%s", name);
	snprintf(cmd, sizeof cmd, "cp %s %s/%s", src_path(rel), dir, as);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_metadata(const char *text)
{
	char path[400];
	snprintf(path, sizeof path, "%s/metadata.yaml", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A latency and a bandwidth test, their reference runs given. */
static void dataset(const char *lat_runs, const char *bw_runs)
{
	copy_fixture("write_lat-4.x.txt", "ib_write_lat.txt");
	copy_fixture("send_bw.txt", "ib_send_bw.txt");
	char text[1200];
	snprintf(text, sizeof text,
		 "mode: loopback\n"
		 "results:\n"
		 "  - test: ib_write_lat\n"
		 "    file: ib_write_lat.txt\n"
		 "%s"
		 "  - test: ib_send_bw\n"
		 "    file: ib_send_bw.txt\n"
		 "%s"
		 "reference_workload:\n"
		 "  version: 2\n",
		 lat_runs, bw_runs);
	write_metadata(text);
}

/* A test's runs: elapsed B then A, typical b then a (ns, as text). */
#define RUNS(B, A, b, a)                                                                                   \
	"    reference_before_ns: " B "\n    reference_after_ns: " A "\n    reference_typical_before_ns: " b \
	"\n    reference_typical_after_ns: " a "\n"
#define STEADY(T) RUNS(T, T, T, T)

static const cal_point *point_of(mdl_verb verb, size_t nth)
{
	for (size_t i = 0; i < data.count; i++)
		if (data.points[i].verb == verb && nth-- == 0)
			return &data.points[i];
	ck_abort_msg("no such point");
	return NULL;
}

START_TEST(scales_times_and_bandwidths)
{
	/* Latency test at twice the nominal time, steady: times halve.
	 * Bandwidth test at half of it: bandwidths halve too. */
	dataset(STEADY("400000000"), STEADY("100000000"));
	ck_assert_msg(cal_dataset_add(&data, dir, &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(data.normalised_files, 1);
	const cal_point *lat = point_of(VERB_WRITE_LAT, 0), *bw = point_of(VERB_SEND_BW, 0);
	ck_assert_double_eq_tol(lat->value, lat->measured / 2, 1e-12);
	ck_assert_double_eq_tol(bw->value, bw->measured / 2, 1e-3);
	ck_assert(lat->measured == 1.84);   /* the fixture's t_typical, as printed */
	/* No drift: the spread scales with the value. */
	ck_assert_double_eq_tol(lat->sigma, (1.84 - 1.80) / 2, 1e-12);
	for (size_t i = 0; i < data.file_count; i++)
		ck_assert_double_eq_tol(data.change[i], 0, 1e-12);
}
END_TEST

/* A host that stops the emulator for time slices stretches the elapsed
 * times, not the typical ones: a median latency follows the typical time,
 * an average bandwidth the elapsed one. */
START_TEST(latencies_follow_typical_bandwidths_elapsed)
{
	dataset(RUNS("400000000", "400000000", "200000000", "200000000"), RUNS("100000000", "100000000", "400000000", "400000000"));
	ck_assert_msg(cal_dataset_add(&data, dir, &diag) == 0, "%s", diag.message);
	const cal_point *lat = point_of(VERB_WRITE_LAT, 0), *bw = point_of(VERB_SEND_BW, 0);
	ck_assert_double_eq_tol(lat->value, lat->measured, 1e-12);
	ck_assert_double_eq_tol(bw->value, bw->measured / 2, 1e-3);
}
END_TEST

START_TEST(widens_spreads_by_the_drift)
{
	/* 180 then 220 ms: mean 200 (scale 1), drift 40/400 = 10 %, change
	 * 40/180 = 22 %: moved. */
	dataset(RUNS("180000000", "220000000", "180000000", "220000000"), STEADY("200000000"));
	ck_assert_msg(cal_dataset_add(&data, dir, &diag) == 0, "%s", diag.message);
	const cal_point *lat = point_of(VERB_WRITE_LAT, 0);
	ck_assert_double_eq_tol(lat->value, lat->measured, 1e-12);
	ck_assert_double_eq_tol(lat->sigma, hypot(1.84 - 1.80, 0.1 * 1.84), 1e-12);
	int moved = 0;
	for (size_t i = 0; i < data.file_count; i++)
		moved += data.change[i] > CAL_REFERENCE_MOVED;
	ck_assert_int_eq(moved, 1);
}
END_TEST

/* Values at the ends of the accepted range: finite, positive results. */
START_TEST(extreme_references_stay_finite)
{
	dataset(RUNS("1000000", "3600000000000", "3600000000000", "1000000"), STEADY("3600000000000"));
	ck_assert_msg(cal_dataset_add(&data, dir, &diag) == 0, "%s", diag.message);
	for (size_t i = 0; i < data.count; i++) {
		ck_assert(isfinite(data.points[i].value) && data.points[i].value > 0);
		ck_assert(isfinite(data.points[i].sigma) && data.points[i].sigma > 0);
	}
}
END_TEST

static void refused(const char *lat_runs, const char *expected)
{
	memset(&data, 0, sizeof data);
	vr_diag_clear(&diag);   /* a diagnostic keeps the first error */
	dataset(lat_runs, STEADY("200000000"));
	ck_assert_int_ne(cal_dataset_add(&data, dir, &diag), 0);
	ck_assert_msg(strstr(diag.message, expected), "message '%s' lacks '%s'", diag.message, expected);
}

START_TEST(refuses_bad_references)
{
	refused("    reference_after_ns: 200000000\n",
		"metadata.yaml:3:5: found a result without reference_before_ns, expected the reference workload's time before the test");
	refused("    reference_before_ns: 200000000\n",
		"metadata.yaml:3:5: found a result without reference_after_ns");
	refused("    reference_before_ns: -5\n    reference_after_ns: 200000000\n",
		"metadata.yaml:5:26: found '-5' for reference_before_ns, expected the reference workload's time before the test, in ns (from 1000000 to 3600000000000)");
	refused("    reference_before_ns: .nan\n    reference_after_ns: 200000000\n", "found '.nan' for reference_before_ns");
	refused("    reference_before_ns: nan\n    reference_after_ns: 200000000\n", "found 'nan' for reference_before_ns");
	refused("    reference_before_ns: inf\n    reference_after_ns: 200000000\n", "found 'inf' for reference_before_ns");
	refused("    reference_before_ns: 1e300\n    reference_after_ns: 200000000\n", "found '1e300' for reference_before_ns");
	refused("    reference_before_ns: 999999\n    reference_after_ns: 200000000\n", "found '999999' for reference_before_ns");
	refused("    reference_before_ns: [1]\n    reference_after_ns: 200000000\n",
		"metadata.yaml:5:26: found a list for reference_before_ns");
	refused("    reference_before_ns: 2e8 ms\n    reference_after_ns: 200000000\n", "found '2e8 ms' for reference_before_ns");
	refused("    reference_before_ns: 2e8\n    reference_after_ns: 2e8\n    reference_typical_after_ns: 2e8\n",
		"metadata.yaml:3:5: found a result without reference_typical_before_ns, expected the reference workload's typical time (median chunk) before the test");
	refused(RUNS("2e8", "2e8", "2e8", "0"), "found '0' for reference_typical_after_ns");
}
END_TEST

START_TEST(refuses_another_version)
{
	copy_fixture("write_lat-4.x.txt", "ib_write_lat.txt");
	write_metadata("results:\n  - file: ib_write_lat.txt\n    reference_before_ns: 2e8\n    reference_after_ns: 2e8\nreference_workload:\n  version: 1\n");
	ck_assert_int_ne(cal_dataset_add(&data, dir, &diag), 0);
	ck_assert_msg(strstr(diag.message, "metadata.yaml:6:12: found the reference workload's version '1', expected 2"), "%s", diag.message);
	write_metadata("results:\n  - file: ib_write_lat.txt\nreference_workload: yes\n");
	vr_diag_clear(&diag);
	ck_assert_int_ne(cal_dataset_add(&data, dir, &diag), 0);
	ck_assert_msg(strstr(diag.message, "metadata.yaml:3:21: found a single value for reference_workload, expected a map"), "%s", diag.message);
}
END_TEST

START_TEST(refuses_a_test_without_runs)
{
	copy_fixture("write_lat-4.x.txt", "ib_write_lat.txt");
	copy_fixture("send_bw.txt", "ib_send_bw.txt");
	write_metadata("results:\n  - file: ib_write_lat.txt\n" STEADY("2e8") "reference_workload:\n  version: 2\n");
	ck_assert_int_ne(cal_dataset_add(&data, dir, &diag), 0);
	ck_assert_msg(strstr(diag.message, "metadata.yaml:2:3: found no reference runs for ib_send_bw.txt in results"), "%s", diag.message);
}
END_TEST

/* Normalised and as-measured data are in different units. */
START_TEST(never_mixes_kinds)
{
	dataset(STEADY("2e8"), STEADY("2e8"));
	ck_assert_msg(cal_dataset_add(&data, dir, &diag) == 0, "%s", diag.message);
	ck_assert_int_ne(cal_dataset_add(&data, src_path("calibration/data/published-softroce.csv"), &diag), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "found an input without reference workload runs after a normalised dataset"));
	memset(&data, 0, sizeof data);
	vr_diag_clear(&diag);
	ck_assert_msg(cal_dataset_add(&data, src_path("calibration/data/softroce-qemu-tcg-2026-11-25"), &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(data.normalised_files, 0);
	ck_assert_int_ne(cal_dataset_add(&data, dir, &diag), 0);
	ck_assert_msg(strstr(diag.message, "found a dataset normalised by its reference workload after inputs measured as they are"), "%s", diag.message);
}
END_TEST

/* The workload itself (built by make; measure-in-qemu builds its own
 * static copy from the same source): a small fraction runs, prints every
 * part, and a bad command line is refused. */
START_TEST(the_workload_runs)
{
	tool_output o = run_program("./calibration/reference-workload", (const char *[]){"--fraction", "0.001", "--repeats", "1", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	char version[64];
	snprintf(version, sizeof version, "reference_workload_version: %d\n", CAL_REFERENCE_VERSION);
	ck_assert_ptr_nonnull(strstr(o.out, version));
	static const char *const keys[] = {"syscall_ns: ", "copy_ns: ", "crc_ns: ", "udp_ns: ", "total_ns: ", "typical_ns: ", "udp_typical_ns: "};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *at = strstr(o.out, keys[i]);
		ck_assert_msg(at && strtod(at + strlen(keys[i]), NULL) > 0, "%s in %s", keys[i], o.out);
	}
	tool_output_free(&o);
	static const char *const bad[][3] = {{"--fraction", "0", NULL}, {"--fraction", "1.5", NULL}, {"--repeats", "4", NULL}, {"--frobnicate", NULL, NULL}};
	for (size_t i = 0; i < 4; i++) {
		o = run_program("./calibration/reference-workload", bad[i]);
		ck_assert_int_eq(o.status, 2);
		ck_assert_ptr_nonnull(strstr(o.err, "Usage: reference-workload"));
		tool_output_free(&o);
	}
}
END_TEST

static Suite *reference_suite(void)
{
	Suite *s = suite_create("reference");
	TCase *tc = tcase_create("normalise");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scales_times_and_bandwidths);
	tcase_add_test(tc, latencies_follow_typical_bandwidths_elapsed);
	tcase_add_test(tc, widens_spreads_by_the_drift);
	tcase_add_test(tc, extreme_references_stay_finite);
	tcase_add_test(tc, refuses_bad_references);
	tcase_add_test(tc, refuses_another_version);
	tcase_add_test(tc, refuses_a_test_without_runs);
	tcase_add_test(tc, never_mixes_kinds);
	tcase_add_test(tc, the_workload_runs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(reference_suite());
}
