/*
 * test_common.c - common/: the JSON writer (punctuation, line breaks, the
 * escaper, exact fixed-point numbers, refusal of non-finite numbers).
 */
#include "tests/check_run.h"
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
	return run_suite(suite);
}
