/*
 * test_common.c - common/: the JSON writer (punctuation, line breaks, the
 * escaper, exact fixed-point numbers, refusal of non-finite numbers) and
 * the log-linear histogram (its layout and the rank walk).
 */
#include "tests/check_run.h"
#include "common/histogram.h"
#include "common/json_write.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *text;
static size_t text_bytes;
static FILE *out;
static json_writer w;

static void setup(void)
{
	out = open_memstream(&text, &text_bytes);
	ck_assert_ptr_nonnull(out);
	json_write_init(&w, out);
}

static void teardown(void)
{
	free(text);
	text = NULL;
}

/* What was written so far (the stream closed). */
static const char *written(void)
{
	fclose(out);
	return text;
}

START_TEST(json_punctuation_and_breaks)
{
	json_write_object_begin(&w);
	json_write_break(&w, 2);
	json_write_key_string(&w, "a", "x");
	json_write_key_uint(&w, "b", 7);
	json_write_break(&w, 2);
	json_write_key(&w, "c");
	json_write_array_begin(&w);
	json_write_int(&w, -3);
	json_write_array_begin(&w);
	json_write_array_end(&w);
	json_write_object_begin(&w);
	json_write_object_end(&w);
	json_write_bool(&w, 1);
	json_write_bool(&w, 0);
	json_write_null(&w);
	json_write_array_end(&w);
	json_write_break(&w, 0);
	json_write_object_end(&w);
	json_write_end_document(&w);
	ck_assert_int_eq(json_write_failed(&w), 0);
	ck_assert_str_eq(written(), "{\n  \"a\": \"x\", \"b\": 7,\n  \"c\": [-3, [], {}, true, false, null]\n}\n");
}
END_TEST

START_TEST(json_break_before_first_item_and_closing)
{
	json_write_array_begin(&w);
	json_write_break(&w, 4);
	json_write_uint(&w, 1);
	json_write_break(&w, 4);
	json_write_uint(&w, 2);
	json_write_break(&w, 1);
	json_write_array_end(&w);
	ck_assert_str_eq(written(), "[\n    1,\n    2\n ]");
}
END_TEST

START_TEST(json_one_escaper)
{
	json_write_array_begin(&w);
	json_write_string(&w, "q\"b\\n\nt\tc\x01\x1f\xc3\xa9");
	json_write_string_n(&w, "cut here", 3);
	json_write_object_begin(&w);
	json_write_key_n(&w, "k\"ey", 4);
	json_write_string(&w, "");
	json_write_object_end(&w);
	json_write_array_end(&w);
	ck_assert_str_eq(written(), "[\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\xc3\xa9\", \"cut\", {\"k\\\"ey\": \"\"}]");
}
END_TEST

START_TEST(json_numbers_by_format)
{
	json_write_array_begin(&w);
	ck_assert_int_eq(json_write_double(&w, "%.6f", 1.5), 0);
	ck_assert_int_eq(json_write_double(&w, "%.9g", 1.0 / 3), 0);
	ck_assert_int_eq(json_write_double(&w, "%g", 2.0), 0);
	ck_assert_int_eq(json_write_double(&w, "%.0f", 4096.0), 0);
	json_write_uint_scaled(&w, 1234567, 3);
	json_write_uint_scaled(&w, 5, 3);
	json_write_uint_scaled(&w, 12, 0);
	json_write_uint(&w, 18446744073709551615ull);
	json_write_array_end(&w);
	ck_assert_int_eq(json_write_failed(&w), 0);
	ck_assert_str_eq(written(), "[1.500000, 0.333333333, 2, 4096, 1234.567, 0.005, 12, 18446744073709551615]");
}
END_TEST

START_TEST(json_refuses_non_finite)
{
	json_write_object_begin(&w);
	ck_assert_int_eq(json_write_key_double(&w, "a", "%.6f", 1.0), 0);
	ck_assert_int_eq(json_write_failed(&w), 0);
	ck_assert_int_eq(json_write_key_double(&w, "b", "%.6f", INFINITY), -1);
	ck_assert_int_eq(json_write_key_double(&w, "c", "%g", NAN), -1);
	json_write_object_end(&w);
	ck_assert_int_eq(json_write_failed(&w), 1);
	/* still a JSON document: no inf, no nan */
	ck_assert_str_eq(written(), "{\"a\": 1.000000, \"b\": null, \"c\": null}");
}
END_TEST

START_TEST(json_refuses_too_deep)
{
	for (int i = 0; i <= JSON_WRITE_DEPTH_MAX; i++)
		json_write_array_begin(&w);
	ck_assert_int_eq(json_write_failed(&w), 1);
	written();
}
END_TEST

/* ---- histogram ---- */

/* Every value lies in its bucket, the buckets tile the values in order. */
static void check_layout(unsigned sub_bits, size_t count, uint64_t value)
{
	size_t b = histogram_bucket(sub_bits, count, value);
	uint64_t low = histogram_bucket_low(sub_bits, b), width = histogram_bucket_width(sub_bits, b);
	ck_assert_msg(low <= value && value - low < width, "value %llu in bucket %zu [%llu, +%llu)",
		      (unsigned long long)value, b, (unsigned long long)low, (unsigned long long)width);
	if (b + 1 < count)
		ck_assert_uint_eq(histogram_bucket_low(sub_bits, b + 1), low + width);
}

START_TEST(histogram_layout)
{
	/* the trace's durations (S = 5, every 64-bit value) */
	size_t all = HISTOGRAM_BUCKETS(5, 59);
	ck_assert_uint_eq(all, 1920);
	ck_assert_uint_eq(histogram_bucket(5, all, 63), 63);
	ck_assert_uint_eq(histogram_bucket(5, all, 64), 64);
	ck_assert_uint_eq(histogram_bucket(5, all, 66), 65);    /* width 2 from 64 */
	ck_assert_uint_eq(histogram_bucket(5, all, UINT64_MAX), all - 1);
	for (uint64_t v = 0; v < 5000; v++)
		check_layout(5, all, v);
	for (unsigned k = 6; k < 64; k++) {
		check_layout(5, all, (uint64_t)1 << k);
		check_layout(5, all, ((uint64_t)1 << k) - 1);
		check_layout(5, all, ((uint64_t)1 << k) + ((uint64_t)1 << k) / 3);
	}
	/* the simulator's latencies (S = 10): values past the top count in the last */
	size_t sim = HISTOGRAM_BUCKETS(10, 41);
	check_layout(10, sim, 2047);
	check_layout(10, sim, 123456789);
	check_layout(10, sim, ((uint64_t)1 << 51) - 1);
	ck_assert_uint_eq(histogram_bucket(10, sim, (uint64_t)1 << 51), sim - 1);
	ck_assert_uint_eq(histogram_bucket(10, sim, UINT64_MAX), sim - 1);
}
END_TEST

START_TEST(histogram_middles)
{
	ck_assert_double_eq(histogram_bucket_middle(5, 63), 63.0);        /* exact */
	ck_assert_double_eq(histogram_bucket_middle(5, 64), 64.5);        /* 64, 65 */
	ck_assert_uint_eq(histogram_bucket_middle_floor(5, 64), 64);
	ck_assert_double_eq(histogram_bucket_middle(5, 96), 129.5);       /* 128 .. 131 */
	ck_assert_uint_eq(histogram_bucket_middle_floor(5, 96), 129);
	/* the top 64-bit bucket: exact as an integer */
	ck_assert_uint_eq(histogram_bucket_middle_floor(5, 1919), UINT64_MAX - (((uint64_t)1 << 58) - 1) / 2 - 1);
}
END_TEST

START_TEST(histogram_rank_walk)
{
	const uint64_t counts[5] = {0, 2, 0, 3, 1};
	ck_assert_uint_eq(histogram_rank_bucket(counts, 5, 1), 1);
	ck_assert_uint_eq(histogram_rank_bucket(counts, 5, 2), 1);
	ck_assert_uint_eq(histogram_rank_bucket(counts, 5, 3), 3);
	ck_assert_uint_eq(histogram_rank_bucket(counts, 5, 6), 4);
	ck_assert_uint_eq(histogram_rank_bucket(counts, 5, 7), 5);        /* fewer values than the rank */
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("common");
	TCase *tc = tcase_create("json_write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, json_punctuation_and_breaks);
	tcase_add_test(tc, json_break_before_first_item_and_closing);
	tcase_add_test(tc, json_one_escaper);
	tcase_add_test(tc, json_numbers_by_format);
	tcase_add_test(tc, json_refuses_non_finite);
	tcase_add_test(tc, json_refuses_too_deep);
	suite_add_tcase(suite, tc);
	tc = tcase_create("histogram");
	tcase_add_test(tc, histogram_layout);
	tcase_add_test(tc, histogram_middles);
	tcase_add_test(tc, histogram_rank_walk);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
