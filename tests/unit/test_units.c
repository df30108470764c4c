/*
 * test_units.c - the quantity parser: every unit, and every way to get it wrong.
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "input/units.h"
#include "tests/check_run.h"

static double parse_ok(const char *text, vr_qkind kind)
{
	vr_quantity q;
	char why[160];
	ck_assert_msg(vr_parse_quantity(text, kind, &q, why, sizeof why) == 0, "'%s' refused: %s", text, why);
	return q.is_cycles ? -q.value : q.value;
}

static void parse_bad(const char *text, vr_qkind kind, const char *why_contains)
{
	vr_quantity q;
	char why[160];
	ck_assert_msg(vr_parse_quantity(text, kind, &q, why, sizeof why) == -1, "'%s' accepted", text);
	ck_assert_msg(strstr(why, why_contains) != NULL, "'%s': '%s' lacks '%s'", text, why, why_contains);
}

START_TEST(times)
{
	ck_assert_double_eq_tol(parse_ok("1.2us", VR_Q_TIME), 1200.0, 1e-9);
	ck_assert_double_eq_tol(parse_ok("600ns", VR_Q_TIME), 600.0, 1e-9);
	ck_assert_double_eq_tol(parse_ok("250ps", VR_Q_TIME), 0.25, 1e-12);
	ck_assert_double_eq_tol(parse_ok("2ms", VR_Q_TIME), 2e6, 1e-6);
	ck_assert_double_eq_tol(parse_ok("1s", VR_Q_TIME), 1e9, 1e-3);
	ck_assert_double_eq_tol(parse_ok("3\xc2\xb5s", VR_Q_TIME), 3000.0, 1e-9);
	ck_assert_double_eq_tol(parse_ok("1e3ns", VR_Q_TIME), 1000.0, 1e-9);
}
END_TEST

START_TEST(cycles_convert_through_frequency)
{
	vr_quantity q;
	char why[160];
	ck_assert_int_eq(vr_parse_quantity("1600cycles", VR_Q_TIME, &q, why, sizeof why), 0);
	ck_assert_int_eq(q.is_cycles, 1);
	ck_assert_double_eq_tol(vr_quantity_ns(q, 3.2e9), 500.0, 1e-9);
	ck_assert_double_eq_tol(vr_quantity_ns(q, 1.6e9), 1000.0, 1e-9);
	parse_bad("1600cycles", VR_Q_SIZE, "size");
}
END_TEST

START_TEST(rates_sizes_frequencies)
{
	ck_assert_double_eq_tol(parse_ok("56Gbps", VR_Q_RATE), 56e9, 1);
	ck_assert_double_eq_tol(parse_ok("12.5GBps", VR_Q_RATE), 100e9, 1);
	ck_assert_double_eq(parse_ok("311MiBps", VR_Q_RATE), 311.0 * 1048576 * 8);   /* perftest's MB/sec */
	ck_assert_double_eq_tol(parse_ok("100Mbps", VR_Q_RATE), 1e8, 1e-3);
	ck_assert_double_eq(parse_ok("4KiB", VR_Q_SIZE), 4096);
	ck_assert_double_eq(parse_ok("8MiB", VR_Q_SIZE), 8388608);
	ck_assert_double_eq(parse_ok("2B", VR_Q_SIZE), 2);
	ck_assert_double_eq(parse_ok("1.5KiB", VR_Q_SIZE), 1536);
	ck_assert_double_eq(parse_ok("64.1KB", VR_Q_SIZE), 64100);   /* 64.1 * 1e3 is not exact in binary */
	ck_assert_double_eq(parse_ok("1.001KB", VR_Q_SIZE), 1001);
	ck_assert_double_eq_tol(parse_ok("2.9GHz", VR_Q_FREQ), 2.9e9, 1);
	ck_assert_double_eq_tol(parse_ok("0.05", VR_Q_RATIO), 0.05, 1e-12);
	ck_assert_double_eq(parse_ok("1000", VR_Q_COUNT), 1000);
}
END_TEST

START_TEST(refusals)
{
	parse_bad("64", VR_Q_SIZE, "a unit after the number");
	parse_bad("600", VR_Q_TIME, "a unit after the number");
	parse_bad("64ns", VR_Q_SIZE, "size");
	parse_bad("1.2us", VR_Q_RATE, "data rate");
	parse_bad("4KB/s", VR_Q_RATE, "data rate");
	parse_bad("1.5B", VR_Q_SIZE, "whole number of bytes");
	parse_bad("-5ns", VR_Q_TIME, "not negative");
	parse_bad("0x10B", VR_Q_SIZE, "size");
	parse_bad("infns", VR_Q_TIME, "time");
	parse_bad("nan", VR_Q_RATIO, "plain number");
	parse_bad("", VR_Q_TIME, "time");
	parse_bad("us", VR_Q_TIME, "time");
	parse_bad(".ns", VR_Q_TIME, "time");
	parse_bad("1.5", VR_Q_COUNT, "whole number");
	parse_bad("5 ns", VR_Q_TIME, "time");
	parse_bad("5NS", VR_Q_TIME, "time");
	parse_bad("1e999ns", VR_Q_TIME, "time");
}
END_TEST

START_TEST(rates_of_operations)
{
	ck_assert_double_eq(parse_ok("20000/s", VR_Q_OP_RATE), 20000);
	ck_assert_double_eq(parse_ok("20k/s", VR_Q_OP_RATE), 20000);
	ck_assert_double_eq(parse_ok("1.5M/s", VR_Q_OP_RATE), 1.5e6);
	ck_assert_double_eq(parse_ok("1e5/s", VR_Q_OP_RATE), 1e5);
	ck_assert_double_eq(parse_ok("300ops/s", VR_Q_OP_RATE), 300);
	ck_assert_double_eq(parse_ok("2kops/s", VR_Q_OP_RATE), 2000);
	ck_assert_double_eq(parse_ok("0.5Mops/s", VR_Q_OP_RATE), 5e5);
	parse_bad("20000", VR_Q_OP_RATE, "a unit after the number");
	parse_bad("20000/ms", VR_Q_OP_RATE, "rate of operations");
	ck_assert_double_eq(parse_ok("20K/s", VR_Q_OP_RATE), 20000);
	parse_bad("20m/s", VR_Q_OP_RATE, "20k/s");
	parse_bad("20 /s", VR_Q_OP_RATE, "rate of operations");
	parse_bad("56Gbps", VR_Q_OP_RATE, "rate of operations");
	parse_bad("20000/s", VR_Q_RATE, "data rate");
	parse_bad("-1/s", VR_Q_OP_RATE, "not negative");
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("units");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, times);
	tcase_add_test(tc, cycles_convert_through_frequency);
	tcase_add_test(tc, rates_sizes_frequencies);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, rates_of_operations);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
