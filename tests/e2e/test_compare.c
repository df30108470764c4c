/*
 * test_compare.c - `vrdmasim compare`, run as `make validate` runs it, on
 * the shipped validation/published.yaml (found through VRDMASIM_SRCDIR, so
 * a VPATH build and distcheck run it too):
 *   - it runs every figure and exits 0 whatever the model's errors;
 *   - docs/validation.md's tables hold what it prints, to their rounding:
 *     every figure, its published figure, the model's, the error, the share
 *     that rests on assumptions and the parameters it depends on most;
 *   - what the dependence says is right where it can be reasoned: a 2 MiB
 *     write depends on the link rate, native RDMA on no VM exit, vRDMA on
 *     the trap, rxe on its requester;
 *   - --max-error exits 1 beyond it (estimates never count), a scenario
 *     may be named by path, and a malformed file exits 2, located.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

#define FIGURES "validation/published.yaml"
#define DOC "docs/validation.md"

enum { FIGURES_MAX = 64, FIELDS_MAX = 24 };

/* ---- the command's CSV ---- */

typedef struct csv_row {
	char field[FIELDS_MAX][1024];
	size_t count;
} csv_row;

/* Split LINE (up to its newline) at commas; the last field, quoted, may
 * hold none. */
static void split(const char *line, csv_row *row)
{
	row->count = 0;
	size_t n = 0;
	int quoted = 0;
	for (const char *p = line; *p && *p != '\n' && row->count < FIELDS_MAX; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == ',' && !quoted) {
			row->field[row->count++][n] = '\0';
			n = 0;
			continue;
		}
		if (n + 1 < sizeof row->field[0])
			row->field[row->count][n++] = *p;
	}
	row->field[row->count++][n] = '\0';
}

static int column(const csv_row *header, const char *name)
{
	for (size_t k = 0; k < header->count; k++)
		if (strcmp(header->field[k], name) == 0)
			return (int)k;
	ck_abort_msg("the CSV has no column '%s'", name);
	return -1;
}

/* The figures of CSV: header into *HEADER, rows into ROWS; their count. */
static size_t read_csv(const char *csv, csv_row *header, csv_row *rows)
{
	split(csv, header);
	size_t n = 0;
	for (const char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		ck_assert(n < FIGURES_MAX);
		split(line + 1, &rows[n++]);
	}
	return n;
}

static const csv_row *row_of(const csv_row *rows, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].field[0], id) == 0)
			return &rows[i];
	return NULL;
}

static const char *value(const csv_row *header, const csv_row *row, const char *name)
{
	return row->field[column(header, name)];
}

/* The share (0 to 1) of parameter NAME in ROW's parameters; 0 if absent. */
static double share_of(const csv_row *header, const csv_row *row, const char *name)
{
	const char *list = value(header, row, "parameters");
	size_t len = strlen(name);
	for (const char *p = list; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL)
		if (strncmp(p, name, len) == 0 && p[len] == '=')
			return strtod(p + len + 1, NULL);
	return 0;
}

/* The shipped figures' comparison is the same for every test that reads
 * it, and each run of it perturbs every parameter of every figure (a
 * minute under the sanitizers): each format runs once, kept in a directory
 * main() makes for this run (the tests are forked children; the file is
 * what they share). */
static char cache_dir[4096];

static tool_output run_compare(const char *file, const char *format)
{
	char cached[4200];
	snprintf(cached, sizeof cached, "%s/compare.%s", cache_dir, format);
	int shipped = strcmp(file, src_path(FIGURES)) == 0 && cache_dir[0];
	FILE *f = shipped ? fopen(cached, "r") : NULL;
	if (f != NULL) {
		fclose(f);
		return (tool_output){.status = 0, .out = read_file(cached), .err = strdup("")};
	}
	tool_output o = run_tool((const char *[]){"compare", file, "--format", format, NULL});
	ck_assert_msg(o.status == 0, "compare %s --format %s: exit %d: %s", file, format, o.status, o.err);
	if (shipped) {
		char partial[4300];
		snprintf(partial, sizeof partial, "%s.partial", cached);
		f = fopen(partial, "w");
		ck_assert_msg(f && fputs(o.out, f) >= 0 && fclose(f) == 0, "cannot keep %s", partial);
		ck_assert_int_eq(rename(partial, cached), 0);
	}
	return o;
}

/* ---- the doc's tables ---- */

/* The rows of the table that follows HEADING (a line of DOC), from the
 * first whose first cell is a figure id: each row's line, into LINES. */
static size_t table_rows(const char *doc, const char *heading, const char **lines)
{
	const char *at = strstr(doc, heading);
	ck_assert_msg(at, DOC " has no '%s'", heading);
	at = strstr(at, "\n|");
	ck_assert_msg(at, DOC "'s '%s' has no table", heading);
	size_t n = 0;
	for (const char *line = at + 1; *line == '|'; line = strchr(line, '\n') + 1) {
		char first[128];
		if (markdown_cell(line, 0, first, sizeof first) == 0 && strcmp(first, "figure") != 0 && first[0] != '-' &&
		    first[0] != ':') {
			ck_assert(n < FIGURES_MAX);
			lines[n++] = line;
		}
		if (!strchr(line, '\n'))
			break;
	}
	return n;
}

/* A number at the start of TEXT ("0.913 µs", "48.0 %"); fails the test if none. */
static double number(const char *text, const char *where)
{
	char *end;
	double v = strtod(text, &end);
	ck_assert_msg(end != text, "'%s' in %s is no number", text, where);
	return v;
}

/* "0.810-0.830", "< 0.600", "1.750" as the command's CSV gives it. */
static void published_text(const csv_row *header, const csv_row *row, char *out, size_t size)
{
	int latency = value(header, row, "model_us")[0] != '\0';
	const char *low = value(header, row, latency ? "published_low_us" : "published_low_gbit_per_s");
	const char *high = value(header, row, latency ? "published_high_us" : "published_high_gbit_per_s");
	if (low[0] && high[0] && strcmp(low, high) == 0)
		snprintf(out, size, "%.3f", atof(low));
	else if (low[0] && high[0])
		snprintf(out, size, "%.3f-%.3f", atof(low), atof(high));
	else if (high[0])
		snprintf(out, size, "< %.3f", atof(high));
	else
		snprintf(out, size, "> %.3f", atof(low));
}

/* The doc's error cell ("+10.0%", "within", "outside +36.1%") against
 * ROW's verdict and error, to the cell's rounding. */
static void check_error(const char *id, const char *text, const csv_row *header, const csv_row *row)
{
	const char *verdict = value(header, row, "verdict");
	double error = atof(value(header, row, "error_percent"));
	if (strcmp(verdict, "within") == 0) {
		ck_assert_msg(strcmp(text, "within") == 0, "%s: error '%s', the command: within", id, text);
		return;
	}
	int outside = strncmp(text, "outside ", 8) == 0;
	ck_assert_msg(outside == (strcmp(verdict, "outside") == 0), "%s: error '%s', the command: %s", id, text, verdict);
	const char *digits = text + (outside ? 8 : 0);
	ck_assert_msg(digits[0] == '+' || digits[0] == '-', "%s: error '%s' has no sign", id, text);
	ck_assert_msg(fabs(number(digits, id) - error) <= 0.05 + 1e-6, "%s: error '%s', the command %+.4f%%", id, text, error);
}

START_TEST(the_doc_holds_what_the_command_prints)
{
	tool_output o = run_compare(src_path(FIGURES), "csv");
	static csv_row header, rows[FIGURES_MAX];
	size_t n = read_csv(o.out, &header, rows);
	ck_assert_msg(n >= 10, "only %zu figures compared", n);
	char *doc = read_file(src_path(DOC));
	const char *lines[FIGURES_MAX];
	size_t m = table_rows(doc, "## The table", lines);
	ck_assert_msg(m == n, DOC "'s table has %zu figures, the command compares %zu", m, n);
	for (size_t i = 0; i < m; i++) {
		char id[128], text[256], want[64];
		ck_assert(markdown_cell(lines[i], 0, id, sizeof id) == 0);
		const csv_row *r = row_of(rows, n, id);
		ck_assert_msg(r, DOC ": figure '%s' is not in " FIGURES, id);
		int latency = value(&header, r, "model_us")[0] != '\0';
		ck_assert(markdown_cell(lines[i], 2, text, sizeof text) == 0);
		published_text(&header, r, want, sizeof want);
		ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s: published '%s', the command '%s'", id, text, want);
		ck_assert(markdown_cell(lines[i], 3, text, sizeof text) == 0);
		double model = atof(value(&header, r, latency ? "model_us" : "model_gbit_per_s"));
		ck_assert_msg(fabs(number(text, id) - model) <= 0.0005 + 1e-9, "%s: model %s, the command %.6f", id, text, model);
		ck_assert(markdown_cell(lines[i], 4, text, sizeof text) == 0);
		check_error(id, text, &header, r);
		ck_assert(markdown_cell(lines[i], 5, text, sizeof text) == 0);
		double assumed = atof(value(&header, r, "assumed_share")) * 100;
		ck_assert_msg(fabs(number(text, id) - assumed) <= 0.05 + 1e-9, "%s: assumed %s, the command %.2f%%", id, text, assumed);
	}
	/* Each figure's parameters: every one the doc names, at the share it says. */
	m = table_rows(doc, "## What each estimate depends on", lines);
	ck_assert_msg(m == n, DOC "'s parameter table has %zu figures, the command compares %zu", m, n);
	for (size_t i = 0; i < m; i++) {
		char id[128], text[1024];
		ck_assert(markdown_cell(lines[i], 0, id, sizeof id) == 0);
		const csv_row *r = row_of(rows, n, id);
		ck_assert_msg(r, DOC ": figure '%s' is not in " FIGURES, id);
		ck_assert(markdown_cell(lines[i], 1, text, sizeof text) == 0);
		size_t named = 0;
		for (char *item = strtok(text, ","); item; item = strtok(NULL, ",")) {
			char name[128];
			double percent;
			ck_assert_msg(sscanf(item, " %127s %lf", name, &percent) == 2, "%s: '%s' is not 'NAME PERCENT'", id, item);
			double share = share_of(&header, r, name) * 100;
			ck_assert_msg(fabs(share - percent) <= 0.05 + 1e-9, "%s: %s at %.1f%% in the doc, %.2f%% by the command",
				      id, name, percent, share);
			named++;
		}
		ck_assert_msg(named >= 3, "%s: the doc names only %zu parameters", id, named);
	}
	free(doc);
	tool_output_free(&o);
}
END_TEST

START_TEST(dependence_where_it_can_be_reasoned)
{
	tool_output o = run_compare(src_path(FIGURES), "csv");
	static csv_row header, rows[FIGURES_MAX];
	size_t n = read_csv(o.out, &header, rows);
	const csv_row *big = row_of(rows, n, "nvidia-forum-edr-write-lat-2MiB");
	const csv_row *native = row_of(rows, n, "potter2018-cx4-edr-b2b-send-lat-32B");
	const csv_row *vrdma = row_of(rows, n, "ranadive2012-vrdma-write-lat-estimate");
	const csv_row *rxe = row_of(rows, n, "pearson2022-rxe-lo-write-lat-2B");
	ck_assert(big && native && vrdma && rxe);
	ck_assert_double_gt(share_of(&header, big, "wire.bandwidth"), 0.9);   /* 2 MiB is serialization */
	ck_assert_double_eq(share_of(&header, native, "virt.vm_exit"), 0);
	ck_assert_double_eq(share_of(&header, native, "virt.trap_dispatch"), 0);
	ck_assert_double_gt(share_of(&header, vrdma, "virt.trap_dispatch"), 0.1);
	ck_assert_double_gt(share_of(&header, vrdma, "virt.vm_exit"), 0.1);
	ck_assert_double_gt(share_of(&header, rxe, "rxe.requester"), 0.1);
	ck_assert_double_eq(share_of(&header, rxe, "wire.bandwidth"), 0);   /* rxe on lo crosses no wire */
	/* a stage in cycles moves with the clock */
	ck_assert_double_gt(share_of(&header, vrdma, "cpu.frequency"), share_of(&header, vrdma, "virt.trap_dispatch"));
	for (size_t i = 0; i < n; i++) {
		double assumed = atof(value(&header, &rows[i], "assumed_share"));
		ck_assert_msg(assumed >= 0 && assumed <= 1, "%s: assumed share %g", rows[i].field[0], assumed);
	}
	tool_output_free(&o);
}
END_TEST

START_TEST(text_and_json_name_every_figure)
{
	tool_output csv = run_compare(src_path(FIGURES), "csv");
	tool_output text = run_compare(src_path(FIGURES), "text");
	tool_output json = run_compare(src_path(FIGURES), "json");
	static csv_row header, rows[FIGURES_MAX];
	size_t n = read_csv(csv.out, &header, rows);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(strstr(text.out, rows[i].field[0]), "the text lacks %s", rows[i].field[0]);
		char key[160];
		snprintf(key, sizeof key, "\"id\": \"%.100s\"", rows[i].field[0]);
		ck_assert_msg(strstr(json.out, key), "the JSON lacks %s", rows[i].field[0]);
	}
	const char *keys[] = {"\"model_us\"", "\"model_gbit_per_s\"", "\"published_low_us\"", "\"error_percent\"",
			      "\"assumed_share_of_typical\"", "\"assumed_share_of_pace\"", "\"parameters\"",
			      "\"share_of_estimate\"", "\"not_modelled\"", "qemu-rdma-migration-throughput"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		ck_assert_msg(strstr(json.out, keys[k]), "the JSON lacks %s", keys[k]);
	ck_assert(strstr(text.out, "Not modelled yet"));
	ck_assert(strstr(text.out, "estimate"));
	tool_output_free(&csv);
	tool_output_free(&text);
	tool_output_free(&json);
}
END_TEST

/* One figure of value VALUE, its scenario SCENARIO (inline or a path). */
static const char *one_figure(const char *dir, const char *kind, const char *value, const char *scenario)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "figures:\n"
		 "  - id: one\n    kind: %s\n    measured: \"m\"\n    metric: t_typical\n    published: %s\n"
		 "    source: \"s\"\n    setting: \"p\"\n    scenario: %s\n",
		 kind, value, scenario);
	return write_test_file(dir, "figures.yaml", text);
}

START_TEST(max_error_path_and_bad_input)
{
	const char *dir = temp_dir();
	write_test_file(dir, "native.yaml",
			"scenario: one\npreset: modern-hdr\ntopology: {hosts: [{name: a}, {name: b}]}\n"
			"options: [native]\nworkload: {verb: write_lat, sizes: [2B], iterations: 200}\n");
	char file[4096];
	/* a scenario named by path, beside the file; the model is about 0.96 us */
	snprintf(file, sizeof file, "%s", one_figure(dir, "measurement", "0.5us", "native.yaml"));
	tool_output o = run_tool((const char *[]){"compare", file, NULL});
	ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	o = run_tool((const char *[]){"compare", file, "--max-error", "50%", NULL});
	ck_assert_msg(o.status == 1 && strstr(o.err, "beyond --max-error"), "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	o = run_tool((const char *[]){"compare", file, "--max-error", "1000", NULL});
	ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	/* an estimate is no measurement: never beyond */
	snprintf(file, sizeof file, "%s", one_figure(dir, "estimate", "0.5us", "native.yaml"));
	o = run_tool((const char *[]){"compare", file, "--max-error", "1", NULL});
	ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	/* a bound the model keeps: within, 0 % */
	snprintf(file, sizeof file, "%s", one_figure(dir, "vendor_claim", "{below: 5us}", "native.yaml"));
	o = run_tool((const char *[]){"compare", file, "--format", "csv", "--max-error", "0", NULL});
	ck_assert_msg(o.status == 0 && strstr(o.out, ",0.0000,within,"), "exit %d: %s%s", o.status, o.out, o.err);
	tool_output_free(&o);
	/* located refusals, exit 2 */
	o = run_tool((const char *[]){"compare", src_path("tests/bad-input/published-two-results.yaml"), NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "published-two-results.yaml:11:7: found a scenario with 2 results"),
		      "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	o = run_tool((const char *[]){"compare", file, "--max-error", "lots", NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "found 'lots', expected a percentage"), "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	o = run_tool((const char *[]){"compare", NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "expected a file of published figures"), "exit %d: %s", o.status, o.err);
	tool_output_free(&o);
	remove_tree(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("published");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, the_doc_holds_what_the_command_prints);
	tcase_add_test(tc, dependence_where_it_can_be_reasoned);
	tcase_add_test(tc, text_and_json_name_every_figure);
	tcase_add_test(tc, max_error_path_and_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	snprintf(cache_dir, sizeof cache_dir, "%s", temp_dir());
	int failed = run_suite(suite());
	/* outside any test: no ck_assert (remove_tree's) here */
	const char *formats[] = {"csv", "text", "json"};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		char cached[4200];
		snprintf(cached, sizeof cached, "%s/compare.%s", cache_dir, formats[i]);
		unlink(cached);
	}
	rmdir(cache_dir);
	return failed;
}
