/*
 * test_perftest_formats.c - perftest's three formats (4.x text, >= 24.07
 * text, --out_json; tests/calibration/README.md): the same runs read in each
 * give the same numbers; the same run given in two formats is refused as a
 * repeat; every file of tests/bad-input/perftest/ is refused with its
 * message (a .txt's first line "# expect: ...", a .json's NAME.expect).
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/dataset.h"
#include "calibration/perftest.h"
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static const char *const QEMU = "calibration/data/softroce-qemu-tcg-2026-11-25";
static const char *const NEW = "tests/calibration/perftest-24.07";

static pt_run a, b;   /* large: not on the stack */
static vr_diag diag;

static void load(const char *dir, const char *name, pt_run *run)
{
	char rel[512];
	snprintf(rel, sizeof rel, "%s/%s", dir, name);
	vr_diag_clear(&diag);
	ck_assert_msg(pt_parse_file(src_path(rel), run, &diag) == 0, "%s: %s", rel, diag.message);
}

/* Every column, bit for bit (NaN where neither has it). */
static void same_row(const pt_row *x, const pt_row *y, const char *what)
{
	const double xs[] = {x->size_bytes, x->iterations, x->t_min_us, x->t_max_us, x->t_typical_us, x->t_avg_us, x->t_stdev_us,
			     x->t_p99_us, x->t_p999_us, x->bw_peak_bytes_per_s, x->bw_average_bytes_per_s, x->msg_rate_per_s};
	const double ys[] = {y->size_bytes, y->iterations, y->t_min_us, y->t_max_us, y->t_typical_us, y->t_avg_us, y->t_stdev_us,
			     y->t_p99_us, y->t_p999_us, y->bw_peak_bytes_per_s, y->bw_average_bytes_per_s, y->msg_rate_per_s};
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
		ck_assert_msg(isnan(xs[i]) ? isnan(ys[i]) : xs[i] == ys[i], "%s: field %zu: %.17g vs %.17g", what, i, xs[i], ys[i]);
	ck_assert_int_eq(x->finite, y->finite);
}

static void same_settings(const pt_run *x, const pt_run *y)
{
	ck_assert_int_eq(x->verb, y->verb);
	ck_assert_double_eq(x->mtu_bytes, y->mtu_bytes);
	ck_assert_double_eq(x->tx_depth, y->tx_depth);
}

/* 4.5's text and 24.07's: every row of the three sweeps. */
START_TEST(text_45_and_2407_agree)
{
	static const char *const files[] = {"ib_write_lat.txt", "ib_read_lat.txt", "ib_write_bw.txt"};
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		load(QEMU, files[f], &a);
		load(NEW, files[f], &b);
		same_settings(&a, &b);
		ck_assert_uint_eq(a.row_count, 23);
		ck_assert_uint_eq(b.row_count, 23);
		for (size_t i = 0; i < a.row_count; i++)
			same_row(&a.rows[i], &b.rows[i], files[f]);
	}
	/* the units as printed: MB/sec in 4.5, MiB/sec in 24.07, both 2^20 bytes */
	ck_assert_int_eq(a.bw_unit, PT_UNIT_MB);
	ck_assert_int_eq(b.bw_unit, PT_UNIT_MIB);
	ck_assert_double_eq_tol(b.rows[15].bw_average_bytes_per_s, 109.00 * 1048576, 1e-6);   /* 65536 B */
	ck_assert_int_eq(b.format, PT_FORMAT_TEXT);
}
END_TEST

/* The row of A whose size is SIZE. */
static const pt_row *row_at(const pt_run *run, double size)
{
	for (size_t i = 0; i < run->row_count; i++)
		if (run->rows[i].size_bytes == size)
			return &run->rows[i];
	ck_abort_msg("%s: no row of %g bytes", run->file, size);
	return NULL;
}

/* One JSON per size against 4.5's sweep; the -a file is the last size. */
START_TEST(json_and_text_agree)
{
	static const struct { const char *text, *json; double size; } cases[] = {
		{"ib_send_lat.txt", "ib_send_lat-s2.json", 2},        {"ib_send_lat.txt", "ib_send_lat-s64.json", 64},
		{"ib_send_lat.txt", "ib_send_lat-s4096.json", 4096},  {"ib_send_lat.txt", "ib_send_lat-s1048576.json", 1048576},
		{"ib_send_bw.txt", "ib_send_bw-s2.json", 2},          {"ib_send_bw.txt", "ib_send_bw-s65536.json", 65536},
		{"ib_send_bw.txt", "ib_send_bw-a.json", 8388608},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		load(QEMU, cases[i].text, &a);
		load(NEW, cases[i].json, &b);
		same_settings(&a, &b);
		ck_assert_uint_eq(b.row_count, 1);
		ck_assert_int_eq(b.format, PT_FORMAT_JSON);
		same_row(row_at(&a, cases[i].size), &b.rows[0], cases[i].json);
	}
	ck_assert_int_eq(b.bw_unit, PT_UNIT_MIB);   /* told by MsgRate */
	ck_assert_uint_eq(b.rows[0].line, 26);      /* BW_average's line */
}
END_TEST

/* perftest/'s 4.x fixtures and perftest-json/'s files of the same runs,
 * Gb/sec included; a JSON with perftest's inf and -nan is kept, marked. */
START_TEST(json_fixtures_agree_with_4x)
{
	static const struct { const char *text, *json; double size; pt_bw_unit unit; } cases[] = {
		{"write_lat-4.x.txt", "write_lat.json", 4096, PT_UNIT_NONE},
		{"send_bw.txt", "send_bw.json", 65536, PT_UNIT_MIB},
		{"write_bw-gbits.txt", "write_bw-gbits.json", 65536, PT_UNIT_GB},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		load("tests/calibration/perftest", cases[i].text, &a);
		load("tests/calibration/perftest-json", cases[i].json, &b);
		same_settings(&a, &b);
		ck_assert_int_eq(b.bw_unit, cases[i].unit);
		ck_assert_int_eq(b.report_gbits, a.report_gbits);
		same_row(row_at(&a, cases[i].size), &b.rows[0], cases[i].json);
	}
	load("tests/calibration/perftest-json", "write_lat-nan.json", &b);
	ck_assert_uint_eq(b.row_count, 1);
	ck_assert_int_eq(b.rows[0].finite, 0);
	ck_assert(isnan(b.rows[0].t_typical_us));
	ck_assert_double_eq(b.rows[0].size_bytes, 2);
}
END_TEST

/* DIR/NAME as a copy of the source tree's REL. */
static void copy_in(const char *dir, const char *name, const char *rel)
{
	char *text = read_file(src_path(rel));
	write_test_file(dir, name, text);
	free(text);
}

static int add_folder(const char *dir)
{
	static cal_dataset data;
	memset(&data, 0, sizeof data);
	vr_diag_clear(&diag);
	return cal_dataset_add(&data, dir, &diag);
}

/* The same run in two formats: the whole file repeated, or one of its
 * points; both refused, naming the first. */
START_TEST(same_run_in_two_formats_is_a_repeat)
{
	static const struct { const char *first, *second, *message; } cases[] = {
		{"calibration/data/softroce-qemu-tcg-2026-11-25/ib_write_bw.txt", "tests/calibration/perftest-24.07/ib_write_bw.txt",
		 "b.txt:23:1: found the same measurements as "},
		{"tests/calibration/perftest/write_bw-gbits.txt", "tests/calibration/perftest-json/write_bw-gbits.json",
		 "b.json:25:1: found the same measurements as "},
		{"calibration/data/softroce-qemu-tcg-2026-11-25/ib_send_lat.txt", "tests/calibration/perftest-24.07/ib_send_lat-s4096.json",
		 "b.json:26:1: found send_lat at 4096 B (loopback, MTU 1024) a second time"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *dir = temp_dir();
		copy_in(dir, "a.txt", cases[i].first);
		copy_in(dir, strstr(cases[i].second, ".json") ? "b.json" : "b.txt", cases[i].second);
		ck_assert_msg(add_folder(dir) != 0, "case %zu accepted", i);
		ck_assert_msg(strstr(diag.message, cases[i].message) && strstr(diag.message, "/a.txt"), "case %zu: %s", i, diag.message);
		remove_tree(dir);
	}
	/* apart, each is accepted */
	ck_assert_msg(add_folder(src_path("tests/calibration/perftest-24.07")) == 0, "%s", diag.message);
}
END_TEST

/* A JSON bandwidth result with these printed figures. */
static int parse_bw_json(const char *size, const char *iterations, const char *bw, const char *rate)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "{\n\"test_info\": {\n\"test\": \"RDMA_Write_BW_Test\",\n\"Mtu\": 4096\n},\n\"results\": {\n\"MsgSize\": %s,\n"
		 "\"n_iterations\": %s,\n\"BW_peak\": %s,\n\"BW_average\": %s,\n\"MsgRate\": %s\n}\n}\n", size, iterations, bw, bw, rate);
	vr_diag_clear(&diag);
	return pt_parse_json_buffer("r.json", text, strlen(text), &b, &diag);
}

/* The ends of every range: accepted at the limit, finite; refused past it. */
START_TEST(values_at_the_ends_of_their_range)
{
	/* 10 Tbit/s is 1192092.90 MiB/s (to the cent): 1192092.89 passes */
	ck_assert_msg(parse_bw_json("65536", "5000", "1192092.89", "19.073486") == 0, "%s", diag.message);
	ck_assert(isfinite(b.rows[0].bw_average_bytes_per_s) && b.rows[0].bw_average_bytes_per_s < 10e12 / 8);
	ck_assert_int_ne(parse_bw_json("65536", "5000", "1192092.91", "19.073487"), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "r.json:10:15: found 1192092.91 in the member 'BW_average', expected at most 10 Tbit/s"));
	/* perftest's largest -s and -n */
	ck_assert_msg(parse_bw_json("2147483647", "4294967296", "100.00", "0.000000") == 0, "%s", diag.message);
	ck_assert_double_eq(b.rows[0].size_bytes, 2147483647.0);
	ck_assert_double_eq(b.rows[0].iterations, 4294967296.0);
	ck_assert_int_ne(parse_bw_json("2147483648", "5000", "100.00", "0.000000"), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "r.json:7:12: found 2147483648 in the member 'MsgSize'"));
	ck_assert_int_ne(parse_bw_json("65536", "4294967297", "100.00", "0.001600"), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "r.json:8:17: found 4294967297 in the member 'n_iterations'"));
	/* the smallest: 1 byte, 1 iteration, a rate of 0.01 MiB/s */
	ck_assert_msg(parse_bw_json("1", "1", "0.01", "0.010486") == 0, "%s", diag.message);
	ck_assert(isfinite(b.rows[0].msg_rate_per_s) && b.rows[0].msg_rate_per_s > 0);
	/* numbers JSON cannot hold as a double */
	ck_assert_int_ne(parse_bw_json("65536", "5000", "1e400", "1"), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "r.json:9:12: found the number 1e400, expected one within the range of a double"));
}
END_TEST

/* ---- tests/bad-input/perftest ----------------------------------------- */

enum { CASES_MAX = 128 };
static char cases[CASES_MAX][256];
static size_t case_count;

static int by_name(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

static void find_cases(void)
{
	DIR *d = opendir(src_path("tests/bad-input/perftest"));
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d)) && case_count < CASES_MAX;) {
		size_t n = strlen(e->d_name);
		if ((n > 4 && strcmp(e->d_name + n - 4, ".txt") == 0) || (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0))
			snprintf(cases[case_count++], sizeof cases[0], "%s", e->d_name);
	}
	closedir(d);
	qsort(cases, case_count, sizeof cases[0], by_name);
}

/* The expected message: a .txt's first line after "# expect: ", a .json's
 * NAME.expect (JSON has no comments). */
static void expectation(const char *name, char *out, size_t size)
{
	char rel[400];
	size_t n = strlen(name);
	int json = strcmp(name + n - 5, ".json") == 0;
	snprintf(rel, sizeof rel, "tests/bad-input/perftest/%.*s%s", (int)(json ? n - 5 : n), name, json ? ".expect" : "");
	char *text = read_file(src_path(rel));
	const char *s = text;
	if (!json) {
		ck_assert_msg(strncmp(s, "# expect: ", 10) == 0, "%s: first line must be '# expect: ...'", name);
		s += 10;
	}
	snprintf(out, size, "%.*s", (int)strcspn(s, "\n"), s);
	free(text);
}

START_TEST(refuses_bad_input)
{
	const char *name = cases[_i];
	char expected[512], rel[400];
	expectation(name, expected, sizeof expected);
	snprintf(rel, sizeof rel, "tests/bad-input/perftest/%s", name);
	vr_diag_clear(&diag);
	ck_assert_msg(pt_parse_file(src_path(rel), &a, &diag) != 0, "%s: accepted, expected: %s", name, expected);
	ck_assert_msg(strstr(diag.message, expected) != NULL, "%s:\n  message:  %s\n  expected: %s", name, diag.message, expected);
	/* located: the message's place is FILE:LINE:COL */
	const char *after = strstr(diag.message, name) + strlen(name);
	unsigned line = 0, col = 0;
	ck_assert_msg(sscanf(after, ":%u:%u:", &line, &col) == 2 && line > 0 && col > 0, "%s: not located: %s", name, diag.message);
	ck_assert_msg(strstr(diag.message, "found") && strstr(diag.message, "expected"), "%s: %s", name, diag.message);
}
END_TEST

START_TEST(has_cases)
{
	ck_assert_msg(case_count >= 30, "only %zu perftest bad-input cases", case_count);
}
END_TEST

int main(void)
{
	find_cases();
	Suite *suite = suite_create("perftest-formats");
	TCase *tc = tcase_create("formats");
	tcase_add_test(tc, text_45_and_2407_agree);
	tcase_add_test(tc, json_and_text_agree);
	tcase_add_test(tc, json_fixtures_agree_with_4x);
	tcase_add_test(tc, same_run_in_two_formats_is_a_repeat);
	tcase_add_test(tc, values_at_the_ends_of_their_range);
	suite_add_tcase(suite, tc);
	TCase *bad = tcase_create("bad-input");
	tcase_add_test(bad, has_cases);
	tcase_add_loop_test(bad, refuses_bad_input, 0, (int)case_count);
	suite_add_tcase(suite, bad);
	return run_suite(suite);
}
