/*
 * test_json.c - the JSON reader behind `vrdmasim plot`: what it accepts,
 * and that every malformed document is refused at the right line and
 * column with a found/expected message.
 */
#include <check.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/json_read.h"
#include "tests/check_run.h"

static json_doc doc;
static vr_diag diag;

/* Bytes the C library's heap has handed out (0 when malloc is not glibc's,
 * as under the sanitizers). */
static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	return mallinfo2().uordblks + mallinfo2().hblkhd;
#else
	return 0;
#endif
}

static int parse(const char *text)
{
	vr_diag_clear(&diag);
	return json_load_buffer("t.json", text, strlen(text), &doc, &diag);
}

START_TEST(reads_values_with_positions)
{
	ck_assert_int_eq(parse("{\"a\": [1, -2.5e3, true, false, null],\n \"s\": \"x\\u00e9\\n\\\"\"}"), 0);
	const json_node *a = json_get(doc.root, "a");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->type, JSON_ARRAY);
	ck_assert_uint_eq(json_count(a), 5);
	ck_assert_double_eq(json_number(json_item(a, 0)), 1);
	ck_assert_double_eq(json_number(json_item(a, 1)), -2500);
	ck_assert_int_eq(json_item(a, 2)->type, JSON_TRUE);
	ck_assert_int_eq(json_item(a, 3)->type, JSON_FALSE);
	ck_assert_int_eq(json_item(a, 4)->type, JSON_NULL);
	ck_assert_ptr_null(json_item(a, 5));
	const json_node *s = json_get(doc.root, "s");
	ck_assert_str_eq(s->text, "x\xc3\xa9\n\"");
	ck_assert_uint_eq(json_where(&doc, s).line, 2);
	ck_assert_uint_eq(json_where(&doc, s).column, 7);
	ck_assert_uint_eq(json_count(doc.root), 2);
	ck_assert_ptr_null(json_get(doc.root, "missing"));
	ck_assert_ptr_null(json_get(a, "a"));   /* not an object */
	json_free(&doc);
	ck_assert_int_eq(parse("  []  "), 0);
	ck_assert_uint_eq(json_count(doc.root), 0);
	json_free(&doc);
}
END_TEST

/* Nested containers, names beside values, strings in place and escaped,
 * and the position of values after a string with escapes. */
START_TEST(walks_nested_documents)
{
	ck_assert_int_eq(parse("{\"k\": {\"x\": [[], [1, {\"y\": \"a\\nb\"}], {}], \"z\": 3},\n \"e\": \"\\t\", \"n\": -0.5}"), 0);
	const json_node *k = json_get(doc.root, "k"), *x = json_get(k, "x");
	ck_assert_uint_eq(json_count(x), 3);
	ck_assert_uint_eq(json_count(json_item(x, 0)), 0);
	ck_assert_uint_eq(json_count(json_item(x, 2)), 0);
	const json_node *inner = json_item(x, 1);
	ck_assert_double_eq(json_number(json_first(inner)), 1);
	ck_assert_str_eq(json_get(json_item(inner, 1), "y")->text, "a\nb");
	ck_assert_double_eq(json_number(json_get(k, "z")), 3);
	ck_assert_str_eq(json_get(doc.root, "e")->text, "\t");
	const json_node *n = json_get(doc.root, "n");
	ck_assert_double_eq(json_number(n), -0.5);
	ck_assert_uint_eq(json_where(&doc, n).line, 2);
	ck_assert_uint_eq(json_where(&doc, n).column, 18);
	ck_assert_ptr_null(json_get(doc.root, "y"));   /* not a member of the root */
	json_free(&doc);
}
END_TEST

/* Documents that cost the most nodes per byte, and strings with escapes:
 * the reader's own count of what it allocated stays within the bound in
 * json.h, and so does the heap's count where the C library keeps one (not
 * under the sanitizers, which replace malloc). */
static void check_memory_bound(const char *unit, size_t repeat, const char *open, const char *close)
{
	size_t unit_len = strlen(unit), length = strlen(open) + repeat * (unit_len + 1) + strlen(close);
	char *text = malloc(length + 1), *w = text;
	ck_assert_ptr_nonnull(text);
	w += sprintf(w, "%s", open);
	for (size_t i = 0; i < repeat; i++)
		w += sprintf(w, "%s%s", i ? "," : "", unit);
	w += sprintf(w, "%s", close);
	length = (size_t)(w - text);
	size_t bound = JSON_MEMORY_PER_INPUT_BYTE * length + JSON_MEMORY_FIXED_BYTES + strlen("t.json") + 1;
	size_t heap_before = heap_in_use();
	vr_diag_clear(&diag);
	ck_assert_msg(json_load_buffer("t.json", text, length, &doc, &diag) == 0, "%s", diag.message);
	size_t heap_used = heap_in_use() - heap_before;
	ck_assert_msg(doc.bytes_allocated <= bound, "%s x%zu: %zu bytes for %zu of input (%.1f per byte), expected at most %zu",
		      unit, repeat, doc.bytes_allocated, length, (double)doc.bytes_allocated / (double)length, bound);
	ck_assert_msg(heap_used <= bound + bound / 8, "%s x%zu: the heap grew by %zu bytes for %zu of input (%.1f per byte)",
		      unit, repeat, heap_used, length, (double)heap_used / (double)length);
	json_free(&doc);
	free(text);
}

START_TEST(memory_is_a_small_multiple_of_the_input)
{
	static const struct { const char *unit, *open, *close; } shapes[] = {
		{"1", "[", "]"}, {"[]", "[", "]"}, {"{}", "[", "]"}, {"\"\"", "[", "]"}, {"[1]", "[", "]"},
		{"\"\\n\"", "[", "]"}, {"\"\":0", "{", "}"}, {"\"\\u00e9\":[0]", "{", "}"}, {"[[[[0]]]]", "[", "]"},
	};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		for (size_t repeat = 1; repeat <= 100000; repeat *= 100)
			check_memory_bound(shapes[i].unit, repeat, shapes[i].open, shapes[i].close);
}
END_TEST

/* A document of separators: measure() counts a node for each, more than any
 * document that parses can hold; the parser still stops at the first. */
START_TEST(a_document_of_separators_is_refused_where_it_breaks)
{
	size_t length = 200000;
	char *text = malloc(length + 1);
	ck_assert_ptr_nonnull(text);
	memset(text, ',', length);
	text[0] = '[';
	text[1] = '1';
	text[length] = '\0';
	vr_diag_clear(&diag);
	ck_assert_int_ne(json_load_buffer("t.json", text, length, &doc, &diag), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "t.json:1:4: found ','"));
	free(text);
}
END_TEST

/* Each malformed document: the message starts with its place and says what
 * was found. */
START_TEST(refuses_malformed_documents)
{
	static const struct { const char *text, *message; } cases[] = {
		{"", "t.json:1:1: found the end of the file, expected a value"},
		{"{\"a\": 1,}", "t.json:1:9: found '}', expected '\"' starting a member name"},
		{"{\"a\" 1}", "t.json:1:6: found '1', expected ':' after a member name"},
		{"[1 2]", "t.json:1:4: found '2', expected ',' or ']' after an element"},
		{"[1,\n  tru]", "t.json:2:3: found 't', expected a value"},
		{"\"abc", "t.json:1:5: found the end of the file, expected '\"' closing the string"},
		{"\"a\tb\"", "t.json:1:3: found byte 0x09, expected a character of a string"},
		{"\"\\x\"", "t.json:1:3: found 'x', expected an escape"},
		{"\"\\u12g4\"", "t.json:1:6: found 'g', expected a hexadecimal digit"},
		{"01", "t.json:1:2: found '1', expected the end of the file after the top-level value"},
		{"1.", "t.json:1:3: found the end of the file, expected a digit after the decimal point"},
		{"1e+", "t.json:1:4: found the end of the file, expected a digit of the exponent"},
		{"1e999", "t.json:1:1: found the number 1e999, expected one within the range of a double"},
		{"{} {}", "t.json:1:4: found '{', expected the end of the file"},
		{"[-]", "t.json:1:2: found '-', expected a value"},
		{"[}", "t.json:1:2: found '}', expected a value"},
		{"{]", "t.json:1:2: found ']', expected '\"' starting a member name"},
		{"{\"a\":}", "t.json:1:6: found '}', expected a value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(parse(cases[i].text) != 0, "accepted: %s", cases[i].text);
		ck_assert_msg(strncmp(diag.message, cases[i].message, strlen(cases[i].message)) == 0,
			      "%s:\n  got      %s\n  expected %s", cases[i].text, diag.message, cases[i].message);
		ck_assert_ptr_null(doc.root);
	}
}
END_TEST

START_TEST(refuses_deep_nesting)
{
	char text[256];
	memset(text, '[', 100);
	text[100] = '\0';
	ck_assert_int_ne(parse(text), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "nested deeper than 64 levels"));
}
END_TEST

START_TEST(missing_file_is_reported)
{
	vr_diag_clear(&diag);
	ck_assert_int_ne(json_load_file("/nonexistent/r.json", &doc, &diag), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "/nonexistent/r.json: cannot open the file"));
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("json");
	TCase *tc = tcase_create("reader");
	tcase_add_test(tc, reads_values_with_positions);
	tcase_add_test(tc, walks_nested_documents);
	tcase_add_test(tc, memory_is_a_small_multiple_of_the_input);
	tcase_add_test(tc, a_document_of_separators_is_refused_where_it_breaks);
	tcase_add_test(tc, refuses_malformed_documents);
	tcase_add_test(tc, refuses_deep_nesting);
	tcase_add_test(tc, missing_file_is_reported);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
