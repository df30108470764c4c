/*
 * test_perftest.c - the perftest output parser: the layouts perftest
 * prints (latency and bandwidth, MB/sec and Gb/sec, 3.x and 4.x headers,
 * warnings mixed in), and a located error for every kind of malformed file.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calibration/perftest.h"
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static pt_run run;
static vr_diag diag;

static int parse_fixture(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof rel, "tests/calibration/perftest/%s", name);
	vr_diag_clear(&diag);
	return pt_parse_file(src_path(rel), &run, &diag);
}

static int parse(const char *text)
{
	vr_diag_clear(&diag);
	return pt_parse_buffer("t.txt", text, strlen(text), &run, &diag);
}

START_TEST(latency_4x)
{
	ck_assert_msg(parse_fixture("write_lat-4.x.txt") == 0, "%s", diag.message);
	ck_assert_int_eq(run.verb, VERB_WRITE_LAT);
	ck_assert_uint_eq(run.banner_line, 2);
	ck_assert_double_eq(run.mtu_bytes, 1024);
	ck_assert_double_eq(run.tx_depth, 1);
	ck_assert_uint_eq(run.row_count, 4);
	const pt_row *r = &run.rows[3];
	ck_assert_double_eq(r->size_bytes, 4096);
	ck_assert_double_eq(r->iterations, 1000);
	ck_assert_double_eq_tol(r->t_min_us, 2.51, 1e-12);
	ck_assert_double_eq_tol(r->t_typical_us, 2.58, 1e-12);
	ck_assert_double_eq_tol(r->t_avg_us, 2.63, 1e-12);
	ck_assert_double_eq_tol(r->t_stdev_us, 0.18, 1e-12);
	ck_assert_double_eq_tol(r->t_p99_us, 3.02, 1e-12);
	ck_assert_double_eq_tol(r->t_p999_us, 9.12, 1e-12);
	ck_assert(isnan(r->bw_average_bytes_per_s));
	ck_assert_uint_eq(r->line, 25);
}
END_TEST

/* perftest 3.x printed only min, max and typical. */
START_TEST(latency_3x)
{
	ck_assert_msg(parse_fixture("write_lat-3.x.txt") == 0, "%s", diag.message);
	ck_assert_uint_eq(run.row_count, 2);
	ck_assert_double_eq(run.mtu_bytes, 2048);
	ck_assert_double_eq_tol(run.rows[1].t_typical_us, 1.05, 1e-12);
	ck_assert(isnan(run.rows[1].t_avg_us) && isnan(run.rows[1].t_stdev_us));
}
END_TEST

START_TEST(bandwidth_in_mb_and_gb)
{
	ck_assert_msg(parse_fixture("send_bw.txt") == 0, "%s", diag.message);
	ck_assert_int_eq(run.verb, VERB_SEND_BW);
	ck_assert_int_eq(run.report_gbits, 0);
	ck_assert_double_eq(run.tx_depth, 128);
	ck_assert_uint_eq(run.row_count, 2);
	ck_assert_double_eq_tol(run.rows[0].bw_average_bytes_per_s, 310.95 * 1048576, 1e-3);   /* MB = 2^20 B */
	ck_assert_double_eq_tol(run.rows[0].bw_peak_bytes_per_s, 311.20 * 1048576, 1e-3);
	ck_assert_double_eq_tol(run.rows[0].msg_rate_per_s, 0.004975e6, 1e-6);
	ck_assert(isnan(run.rows[0].t_typical_us));
	ck_assert_msg(parse_fixture("write_bw-gbits.txt") == 0, "%s", diag.message);
	ck_assert_int_eq(run.verb, VERB_WRITE_BW);
	ck_assert_int_eq(run.report_gbits, 1);
	ck_assert_double_eq_tol(run.rows[0].bw_average_bytes_per_s, 96.37e9 / 8, 1e-3);   /* Gb = 10^9 bits */
}
END_TEST

static const char *const HEAD =
	"---------------------------------------------------------------------------------------\n"
	"                    RDMA_Write Latency Test\n"
	" Mtu             : 1024[B]\n"
	"---------------------------------------------------------------------------------------\n";
static const char *const LAT_HEADER =
	" #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec]\n";
static const char *const RULE = "---------------------------------------------------------------------------------------\n";

/* ib_atomic_lat and ib_atomic_bw name their test "Atomic", then -A's
 * operation (perftest_parameters.c, ctx_print_test_info); their tables are
 * read_lat's and read_bw's, at 8 bytes.  Either operation is one test. */
START_TEST(atomic_banners)
{
	static const struct { const char *banner; mdl_verb verb; } cases[] = {
		{"Atomic FETCH_AND_ADD Latency Test", VERB_ATOMIC_LAT}, {"Atomic CMP_AND_SWAP Latency Test", VERB_ATOMIC_LAT},
		{"Atomic FETCH_AND_ADD BW Test", VERB_ATOMIC_BW},       {"Atomic CMP_AND_SWAP BW Test", VERB_ATOMIC_BW},
	};
	static const char *const BW_HEADER =
		" #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]\n";
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int bw = cases[i].verb == VERB_ATOMIC_BW;
		char text[2048];
		snprintf(text, sizeof text, "%s                    %s\n Outstand reads  : 16\n Mtu             : 4096[B]\n%s%s%s%s",
			 RULE, cases[i].banner, RULE, bw ? BW_HEADER : LAT_HEADER,
			 bw ? " 8          1000000          61.02              60.87               7.978716\n"
			    : " 8       1000          2.01           5.43         2.05               2.07           0.08            2.31                    5.43\n",
			 RULE);
		ck_assert_msg(parse(text) == 0, "%s: %s", cases[i].banner, diag.message);
		ck_assert_int_eq(run.verb, cases[i].verb);
		ck_assert_uint_eq(run.row_count, 1);
		ck_assert_double_eq(run.rows[0].size_bytes, 8);
		if (bw)
			ck_assert_double_eq_tol(run.rows[0].msg_rate_per_s, 7.978716e6, 1e-3);
		else
			ck_assert_double_eq_tol(run.rows[0].t_typical_us, 2.05, 1e-12);
	}
}
END_TEST

/* Every malformed layout: refused, with the file and line. */
START_TEST(refuses_malformed_output)
{
	char text[4096];
	static const struct { const char *header, *rows, *tail, *message; } cases[] = {
		/* truncated: no closing rule */
		{NULL, " 2       1000          1.80           7.35         1.84               1.87           0.11            2.08                    7.35\n", "",
		 "t.txt:5:1: found the results table cut off at the end of the file"},
		/* a row cut short */
		{NULL, " 2       1000          1.80           7.35         1.84\n", NULL,
		 "t.txt:6:56: found 5 fields, expected 9 (the columns of the header at line 5)"},
		/* a non-numeric field */
		{NULL, " 2       1000          1.80           7.35         fast               1.87           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:52: found 'fast', expected a number, zero or more, in the column 't_typical[usec]'"},
		{NULL, " inf     1000          1.80           7.35         1.84               1.87           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:2: found 'inf', expected a number, zero or more, in the column '#bytes'"},
		/* missing columns */
		{" #bytes #iterations    t_min[usec]    t_max[usec]\n", " 2 1000 1.8 7.3\n", NULL,
		 "t.txt:5:1: found a table header without t_typical[usec], expected perftest's full header"},
		{" #bytes    t_typical[usec]\n", " 2 1.8\n", NULL,
		 "t.txt:5:1: found a table header without #iterations"},
		/* an unknown column */
		{" #bytes #iterations    t_typical[usec]  t_median[usec]\n", " 2 1000 1.8 1.8\n", NULL,
		 "t.txt:5:41: found the column 't_median[usec]' in the table header, expected one of perftest's columns"},
		/* bandwidth columns in a latency test's output */
		{" #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]\n", " 65536 5000 311.2 310.9 0.004\n", NULL,
		 "t.txt:5:1: found a bandwidth table in the output of a latency test"},
		/* a table with no rows */
		{NULL, "", NULL, "t.txt:6:1: found the table closed without a row"},
		/* a size that is not whole */
		{NULL, " 2.5     1000          1.80           7.35         1.84               1.87           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:2: found 2.5 in the column '#bytes', expected a whole number of bytes from 1 to 2147483647"},
		/* rows that contradict themselves: a median above the 99th percentile */
		{NULL, " 2       1000          1.80           9.500          9.000               1.87           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:54: found t_typical[usec] 9.000 above 99% percentile[usec] 2.08 in the same row, expected t_min <= t_typical <= 99% <= 99.9% <= t_max"},
		/* a median below the minimum */
		{NULL, " 2       1000          1.80           7.35         1.70               1.87           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:24: found t_min[usec] 1.80 above t_typical[usec] 1.70 in the same row"},
		/* a 99.9th percentile above the maximum */
		{NULL, " 2       1000          1.80           7.35         1.84               1.87           0.11            2.08                    9.35\n", NULL,
		 "t.txt:6:126: found 99.9% percentile[usec] 9.35 above t_max[usec] 7.35 in the same row"},
		/* an average outside [t_min, t_max] */
		{NULL, " 2       1000          1.80           7.35         1.84               1.07           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:24: found t_min[usec] 1.80 above t_avg[usec] 1.07 in the same row, expected t_min <= t_avg <= t_max"},
		/* a time of zero */
		{NULL, " 2       1000          0              7.35         1.84               1.87           0.11            2.08                    7.35\n", NULL,
		 "t.txt:6:24: found 0 in the column 't_min[usec]', expected a time above zero"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "%s%s%s%s", HEAD, cases[i].header ? cases[i].header : LAT_HEADER, cases[i].rows,
			 cases[i].tail ? cases[i].tail : RULE);
		ck_assert_msg(parse(text) != 0, "case %zu accepted", i);
		ck_assert_msg(strncmp(diag.message, cases[i].message, strlen(cases[i].message)) == 0,
			      "case %zu:\n  got      %s\n  expected %s", i, diag.message, cases[i].message);
	}
}
END_TEST

static const char *const BW_HEAD =
	"---------------------------------------------------------------------------------------\n"
	"                    RDMA_Write BW Test\n"
	" Mtu             : 1024[B]\n"
	"---------------------------------------------------------------------------------------\n"
	" #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]\n";

/* Bandwidth rows that contradict perftest's definitions, or no link's
 * physics, are refused at the field; latencies beyond a second too. */
START_TEST(refuses_impossible_rows)
{
	char text[4096];
	static const struct { const char *head, *row, *message; } cases[] = {
		/* an average above the peak */
		{NULL, " 16         500              1.14               91.01   		   0.066440\n",
		 "t.txt:6:49: found BW average[MB/sec] 91.01 above BW peak[MB/sec] 1.14 in the same row, expected BW average <= BW peak"},
		/* a message rate the bandwidth cannot carry: 99 Mpps of 16 B is 1510 MB/s, not 1 */
		{NULL, " 16         500              1.14               1.01   		   99\n",
		 "t.txt:6:61: found MsgRate[Mpps] 99, expected BW average / #bytes = 0.066191 Mpps"},
		/* a bandwidth no link carries, which would make the fit nan */
		{NULL, " 16         500              1e308               1e308   		   0.066440\n",
		 "t.txt:6:50: found 1e308 in the column 'BW average[MB/sec]', expected at most 10 Tbit/s"},
		{NULL, " 16         500              1.14               0   		   0\n",
		 "t.txt:6:49: found 0 in the column 'BW average[MB/sec]', expected a bandwidth above zero"},
		/* a latency of more than a second */
		{HEAD, " 2       1000          1.80           3e6         2e6               1.87           0.11            2.08                    7.35\n",
		 "t.txt:6:51: found 2e6 in the column 't_typical[usec]', expected at most 1 s"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "%s%s%s%s", cases[i].head ? cases[i].head : BW_HEAD, cases[i].head ? LAT_HEADER : "",
			 cases[i].row, RULE);
		ck_assert_msg(parse(text) != 0, "case %zu accepted", i);
		ck_assert_msg(strncmp(diag.message, cases[i].message, strlen(cases[i].message)) == 0,
			      "case %zu:\n  got      %s\n  expected %s", i, diag.message, cases[i].message);
	}
	/* perftest's rounding passes: the average a step above the peak, a rate
	 * of 0.000013 Mpps for 104.58 MB/s of 8 MiB (13.07 per second); a peak
	 * of 0 is perftest's noPeak */
	snprintf(text, sizeof text, "%s 16 500 1.14 1.15 0.075369\n 8388608 500 105.09 104.58 0.000013\n 16 500 0.00 1.01 0.066191\n%s",
		 BW_HEAD, RULE);
	ck_assert_msg(parse(text) == 0, "%s", diag.message);
}
END_TEST

/* A row where perftest's clock sample failed: kept, marked, not an error. */
START_TEST(keeps_perftest_failed_rows_marked)
{
	char text[4096];
	snprintf(text, sizeof text, "%s%s 2 1000 1.8 7.35 1.84 1.87 0.11 2.08 7.35\n 4 1000 inf inf -nan -nan -nan -nan -nan\n%s", HEAD,
		 LAT_HEADER, RULE);
	ck_assert_msg(parse(text) == 0, "%s", diag.message);
	ck_assert_uint_eq(run.row_count, 2);
	ck_assert_int_eq(run.rows[0].finite, 1);
	ck_assert_int_eq(run.rows[1].finite, 0);
	ck_assert_double_eq(run.rows[1].size_bytes, 4);
}
END_TEST

START_TEST(refuses_mixed_or_missing_parts)
{
	char text[4096];
	/* two different tests in one file */
	snprintf(text, sizeof text, "%s%s 2 1000 1 2 1.5 1.5 0.1 2 2\n%s                    Send BW Test\n", HEAD, LAT_HEADER, RULE);
	ck_assert_int_ne(parse(text), 0);
	ck_assert_str_eq(diag.message, "t.txt:8:21: found a second test, 'Send BW Test', expected one test per file (the first began at line 2)");
	/* two tables of the same test */
	snprintf(text, sizeof text, "%s%s 2 1000 1 2 1.5 1.5 0.1 2 2\n%s%s 4 1000 1 2 1.5 1.5 0.1 2 2\n%s", HEAD, LAT_HEADER, RULE,
		 LAT_HEADER, RULE);
	ck_assert_int_ne(parse(text), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "t.txt:8:2: found a second results table"));
	/* no table at all, no banner */
	ck_assert_int_ne(parse(HEAD), 0);
	ck_assert_str_eq(diag.message, "t.txt: found no results table, expected perftest's output with its '#bytes #iterations ...' table");
	snprintf(text, sizeof text, "%s 2 1000 1 2 1.5 1.5 0.1 2 2\n%s", LAT_HEADER, RULE);
	ck_assert_int_ne(parse(text), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "found no test banner"));
	/* not a file */
	vr_diag_clear(&diag);
	ck_assert_int_ne(pt_parse_file("/nonexistent/ib_write_lat.txt", &run, &diag), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "/nonexistent/ib_write_lat.txt: cannot open the file"));
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("perftest");
	TCase *tc = tcase_create("parser");
	tcase_add_test(tc, latency_4x);
	tcase_add_test(tc, latency_3x);
	tcase_add_test(tc, bandwidth_in_mb_and_gb);
	tcase_add_test(tc, atomic_banners);
	tcase_add_test(tc, refuses_malformed_output);
	tcase_add_test(tc, refuses_mixed_or_missing_parts);
	tcase_add_test(tc, keeps_perftest_failed_rows_marked);
	tcase_add_test(tc, refuses_impossible_rows);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
