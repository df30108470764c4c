/*
 * test_fields.c - docs/results-schema.md's field table and CSV column list
 * are those of the one table (output/fields.def, models/counters.def).
 *
 * The doc holds generated blocks between the lines
 *     <!-- begin generated: NAME ... -->   and   <!-- end generated: NAME -->
 * This test fails when a block differs from what the tables give; run
 *     tests/unit/test_fields --update docs/results-schema.md
 * (`make results-schema-doc`) to rewrite them.
 */
#include "tests/check_run.h"
#include "output/fields.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the generated blocks ---- */

static void fields_block(FILE *out)
{
	fputs("| JSON key | CSV column | unit | results | meaning |\n|---|---|---|---|---|\n", out);
	for (vr_field f = 0; f < FIELD_COUNT; f++) {
		const vr_field_info *field = &vr_fields[f];
		const char *group = vr_field_group_keys[field->group];
		fprintf(out, "| `%s%s%s` | `%s` | %s | %s | %s |\n", group ? group : "", group ? "." : "", field->key,
			field->csv, field->unit, vr_field_tests_names[field->tests], field->meaning);
	}
	for (mdl_counter c = 0; c < COUNTER_COUNT; c++)
		fprintf(out, "| `per_op.%s` | `%s` | %s | all | %s |\n", mdl_counter_infos[c].name, mdl_counter_infos[c].name,
			mdl_counter_infos[c].unit, mdl_counter_infos[c].meaning);
}

/* The CSV columns of fields for TESTS, each followed by a comma. */
static void csv_columns(vr_field_tests tests, FILE *out)
{
	fputc('`', out);
	for (vr_field f = 0; f < FIELD_COUNT; f++)
		if (vr_fields[f].tests == tests)
			fprintf(out, "%s,", vr_fields[f].csv);
	fputs("`\n", out);
}

static void csv_block(FILE *out)
{
	csv_columns(FIELD_ALL, out);
	fputs("then, if the run has latency tests,\n", out);
	csv_columns(FIELD_LATENCY, out);
	fputs("then, if it has bandwidth tests,\n", out);
	csv_columns(FIELD_BANDWIDTH, out);
	fputs("then `", out);
	for (mdl_counter c = 0; c < COUNTER_COUNT; c++)
		fprintf(out, "%s,", mdl_counter_infos[c].name);
	fputs("breakdown_<stage>_us...`.\n", out);
}

static const struct {
	const char *name;
	void (*write)(FILE *out);
} BLOCKS[] = {{"fields", fields_block}, {"csv", csv_block}};

enum { BLOCK_COUNT = sizeof BLOCKS / sizeof BLOCKS[0] };

/* Block B as the tables give it (malloc'd). */
static char *generated(size_t b)
{
	char *text = NULL;
	size_t bytes = 0;
	FILE *out = open_memstream(&text, &bytes);
	if (!out)
		abort();
	BLOCKS[b].write(out);
	fclose(out);
	return text;
}

/* ---- the doc ---- */

static char *read_all(const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return NULL;
	char *text = NULL;
	size_t bytes = 0;
	FILE *out = open_memstream(&text, &bytes);
	int c;
	while ((c = fgetc(in)) != EOF)
		fputc(c, out);
	fclose(in);
	fclose(out);
	return text;
}

/* Where block NAME's text starts in DOC (after its begin line) and its
 * length (up to its end line).  0, or -1 when the markers are missing. */
static int find_block(const char *doc, const char *name, const char **start, size_t *length)
{
	char begin[64], end[64];
	snprintf(begin, sizeof begin, "<!-- begin generated: %s ", name);
	snprintf(end, sizeof end, "<!-- end generated: %s -->", name);
	const char *b = strstr(doc, begin), *e = strstr(doc, end);
	if (!b || !e || !(b = strchr(b, '\n')) || e < b + 1)
		return -1;
	*start = b + 1;
	*length = (size_t)(e - *start);
	return 0;
}

/* Does every generated block of DOC match the tables?  Names the first
 * that does not in *WRONG. */
static int doc_matches(const char *doc, const char **wrong)
{
	for (size_t b = 0; b < BLOCK_COUNT; b++) {
		const char *start;
		size_t length;
		char *want = generated(b);
		int same = find_block(doc, BLOCKS[b].name, &start, &length) == 0 && strlen(want) == length &&
			   memcmp(want, start, length) == 0;
		free(want);
		if (!same) {
			*wrong = BLOCKS[b].name;
			return 0;
		}
	}
	return 1;
}

static char *doc_path(void)
{
	const char *srcdir = getenv("VRDMASIM_SRCDIR");
	char *path = NULL;
	if (asprintf(&path, "%s/docs/results-schema.md", srcdir ? srcdir : ".") < 0)
		abort();
	return path;
}

START_TEST(doc_is_the_table)
{
	char *path = doc_path();
	char *doc = read_all(path);
	ck_assert_msg(doc != NULL, "cannot read %s", path);
	const char *wrong = NULL;
	ck_assert_msg(doc_matches(doc, &wrong),
		      "%s: the generated block '%s' differs from output/fields.def and models/counters.def: run make results-schema-doc",
		      path, wrong);
	free(doc);
	free(path);
}
END_TEST

/* The check can fail: a doc with a key renamed, or a block missing. */
START_TEST(a_stale_doc_is_caught)
{
	char *path = doc_path();
	char *doc = read_all(path);
	ck_assert_ptr_nonnull(doc);
	char *key = strstr(doc, "`min_us`");
	ck_assert_ptr_nonnull(key);
	memcpy(key, "`low_us`", 8);
	const char *wrong = NULL;
	ck_assert_int_eq(doc_matches(doc, &wrong), 0);
	ck_assert_str_eq(wrong, "fields");
	ck_assert_int_eq(doc_matches("no blocks here", &wrong), 0);
	free(doc);
	free(path);
}
END_TEST

/* Every field has a key, a column, a meaning; keys and columns unique. */
START_TEST(table_is_whole)
{
	for (vr_field f = 0; f < FIELD_COUNT; f++) {
		ck_assert_msg(*vr_fields[f].key && *vr_fields[f].csv && *vr_fields[f].meaning, "field %d", (int)f);
		ck_assert_msg(vr_fields[f].type != FIELD_NUMBER || *vr_fields[f].format, "%s: no format", vr_fields[f].key);
		for (vr_field g = 0; g < f; g++) {
			ck_assert_msg(strcmp(vr_fields[f].csv, vr_fields[g].csv) != 0, "column %s twice", vr_fields[f].csv);
			ck_assert_msg(vr_fields[f].group != vr_fields[g].group || strcmp(vr_fields[f].key, vr_fields[g].key) != 0,
				      "key %s twice", vr_fields[f].key);
		}
	}
}
END_TEST

/* Rewrite the generated blocks of the doc at PATH.  0, or 1 on failure. */
static int update(const char *path)
{
	char *doc = read_all(path);
	if (!doc) {
		fprintf(stderr, "%s: cannot read it\n", path);
		return 1;
	}
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", path) < 0)
		abort();
	FILE *out = fopen(tmp, "w");
	if (!out) {
		fprintf(stderr, "%s: cannot write it\n", tmp);
		return 1;
	}
	const char *at = doc;
	for (;;) {
		/* the block that comes first from AT on */
		size_t first = BLOCK_COUNT;
		const char *start = NULL, *s;
		size_t length = 0, l;
		for (size_t b = 0; b < BLOCK_COUNT; b++)
			if (find_block(at, BLOCKS[b].name, &s, &l) == 0 && (!start || s < start)) {
				first = b;
				start = s;
				length = l;
			}
		if (first == BLOCK_COUNT)
			break;
		fwrite(at, 1, (size_t)(start - at), out);
		char *text = generated(first);
		fputs(text, out);
		free(text);
		at = start + length;
	}
	fputs(at, out);
	int failed = fclose(out) != 0 || rename(tmp, path) != 0;
	if (failed)
		fprintf(stderr, "%s: cannot write it\n", path);
	free(tmp);
	free(doc);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--update") == 0)
		return update(argv[2]);
	Suite *suite = suite_create("fields");
	TCase *tc = tcase_create("doc");
	tcase_add_test(tc, table_is_whole);
	tcase_add_test(tc, doc_is_the_table);
	tcase_add_test(tc, a_stale_doc_is_caught);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
