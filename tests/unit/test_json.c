/*
 * test_json.c - the JSON reader behind `vrdmasim plot`: what it accepts,
 * and that every malformed document is refused at the right line and
 * column with a found/expected message.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim/json.h"
#include "tests/check_run.h"

static json_doc doc;
static vr_diag diag;

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
	ck_assert_uint_eq(a->count, 5);
	ck_assert_double_eq(a->items[0]->number, 1);
	ck_assert_double_eq(a->items[1]->number, -2500);
	ck_assert_int_eq(a->items[2]->type, JSON_TRUE);
	ck_assert_int_eq(a->items[3]->type, JSON_FALSE);
	ck_assert_int_eq(a->items[4]->type, JSON_NULL);
	const json_node *s = json_get(doc.root, "s");
	ck_assert_str_eq(s->text, "x\xc3\xa9\n\"");
	ck_assert_uint_eq(s->where.line, 2);
	ck_assert_uint_eq(s->where.column, 7);
	ck_assert_ptr_null(json_get(doc.root, "missing"));
	ck_assert_ptr_null(json_get(a, "a"));   /* not an object */
	json_free(&doc);
	ck_assert_int_eq(parse("  []  "), 0);
	ck_assert_uint_eq(doc.root->count, 0);
	json_free(&doc);
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
	tcase_add_test(tc, refuses_malformed_documents);
	tcase_add_test(tc, refuses_deep_nesting);
	tcase_add_test(tc, missing_file_is_reported);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
