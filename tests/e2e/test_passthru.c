/*
 * test_passthru.c - what passthrough pays beyond native, as README.md's
 * table "What passthrough and SR-IOV pay beyond native" states it: for
 * each row, scenarios/passthrough-costs.yaml run without the generic
 * jitter, then with the row's parameter switched off; the difference in
 * passthrough's t_avg (or p99.9) is the table's figure within its rounding
 * (0.001 us), and native's row does not move at all (none of these
 * mechanisms is on its path).  The mechanisms that cost nothing with
 * perftest's working set must cost something once it outgrows their
 * reach, and interrupt remapping once completions take interrupts.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

#define SECTION "### What passthrough and SR-IOV pay beyond native"
#define SCENARIO "scenarios/passthrough-costs.yaml"
#define HALF_DIGIT_US 0.0005

enum { ROWS_MAX = 16, CELLS = 4 };

static const char *const PRESETS[] = {"esxi5-qdr-2012", "esxi5-qdr-2012", "modern-hdr", "modern-hdr"};
static const char *const SIZES[] = {"2", "65536", "2", "65536"};

/* A row of the README's table: the --set that switches the mechanism
 * off, the measure (a CSV column) and the four figures. */
typedef struct row {
	char set[256];
	char column[16];
	double us[CELLS];
} row;

/* The table's rows, from README.md. */
static size_t read_table(row *rows)
{
	char *readme = read_file(src_path("README.md"));
	const char *at = strstr(readme, SECTION);
	ck_assert_msg(at, "README.md has no section '%s'", SECTION);
	at = strstr(at, "| mechanism |");
	ck_assert_msg(at, "README.md's section '%s' has no table", SECTION);
	size_t count = 0;
	for (const char *line = strchr(at, '\n') + 1; *line == '|'; line = strchr(line, '\n') + 1) {
		char text[256];
		if (markdown_cell(line, 1, text, sizeof text) || !strchr(text, '='))
			continue;   /* the rule under the header */
		ck_assert(count < ROWS_MAX);
		row *r = &rows[count++];
		snprintf(r->set, sizeof r->set, "%s", text);
		ck_assert(markdown_cell(line, 2, text, sizeof text) == 0);
		snprintf(r->column, sizeof r->column, "%s", !strcmp(text, "p99.9") ? "p999_us" : "mean_us");
		ck_assert_msg(!strcmp(text, "p99.9") || !strcmp(text, "t_avg"), "measure '%s'", text);
		for (int c = 0; c < CELLS; c++) {
			ck_assert(markdown_cell(line, 3 + c, text, sizeof text) == 0);
			char *end;
			r->us[c] = strtod(text, &end);
			ck_assert_msg(end != text && *end == '\0', "'%s' in the row of %s", text, r->set);
		}
		if (!strchr(line, '\n'))
			break;
	}
	free(readme);
	return count;
}

/* SCENARIO without the generic jitter, with the --set of each of SETS
 * (NULL-terminated, at most 4). */
static tool_output run_costs(const char *scenario, const char *const *sets)
{
	const char *args[20] = {"run", scenario, "--format", "csv", "--set", "jitter.cpu_cv=0", "--set",
				"jitter.interference_probability=0"};
	int n = 8;
	for (int i = 0; sets[i] && i < 4; i++) {
		args[n++] = "--set";
		args[n++] = sets[i];
	}
	args[n] = NULL;
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s --set %s: exit %d: %s", scenario, sets[0] ? sets[0] : "-", o.status, o.err);
	return o;
}

START_TEST(each_mechanism_adds_what_the_readme_says)
{
	row rows[ROWS_MAX];
	size_t count = read_table(rows);
	ck_assert_msg(count >= 5, "README's table has %zu rows", count);
	tool_output all = run_costs(src_path(SCENARIO), (const char *[]){NULL});
	int positive = 0;
	for (size_t i = 0; i < count; i++) {
		tool_output off = run_costs(src_path(SCENARIO), (const char *[]){rows[i].set, NULL});
		for (int c = 0; c < CELLS; c++) {
			double adds = csv_value(all.out, PRESETS[c], "passthrough", SIZES[c], rows[i].column) -
				      csv_value(off.out, PRESETS[c], "passthrough", SIZES[c], rows[i].column);
			printf("%s %s %s B: %s adds %.6f us (README: %.3f)\n", rows[i].set, PRESETS[c], SIZES[c],
			       rows[i].column, adds, rows[i].us[c]);
			ck_assert_msg(fabs(adds - rows[i].us[c]) <= HALF_DIGIT_US + 1e-9,
				      "%s, %s at %s B: the model adds %.6f us to %s, README says %.3f", rows[i].set,
				      PRESETS[c], SIZES[c], adds, rows[i].column, rows[i].us[c]);
			positive += rows[i].us[c] > 0;
			double native = csv_value(all.out, PRESETS[c], "native", SIZES[c], rows[i].column);
			ck_assert_msg(!isnan(native) && native == csv_value(off.out, PRESETS[c], "native", SIZES[c],
									    rows[i].column),
				      "%s moved native (%s, %s B)", rows[i].set, PRESETS[c], SIZES[c]);
		}
		tool_output_free(&off);
	}
	ck_assert_msg(positive >= 8, "only %d of the table's figures are above 0", positive);
	tool_output_free(&all);
}
END_TEST

/* Passthrough's t_avg at 64 KiB on modern-hdr with the --set of MORE (up to
 * two, NULL-terminated), less the same with OFF set too; native's must
 * not move. */
static double adds_at_64k(const char *scenario, const char *const *more, const char *off)
{
	const char *with_sets[4] = {more[0], more[0] ? more[1] : NULL, NULL, NULL};
	const char *without_sets[4] = {off, more[0], more[0] ? more[1] : NULL, NULL};
	tool_output with = run_costs(scenario, with_sets), without = run_costs(scenario, without_sets);
	double adds = csv_value(with.out, "modern-hdr", "passthrough", "65536", "mean_us") -
		      csv_value(without.out, "modern-hdr", "passthrough", "65536", "mean_us");
	double native = csv_value(with.out, "modern-hdr", "native", "65536", "mean_us") -
			csv_value(without.out, "modern-hdr", "native", "65536", "mean_us");
	ck_assert_msg(native == 0, "--set %s moved native by %g us", off, native);
	tool_output_free(&with);
	tool_output_free(&without);
	printf("--set %s %s, 64 KiB: switching %s off saves %.6f us\n", more[0] ? more[0] : "", more[0] && more[1] ? more[1] : "",
	       off, adds);
	return adds;
}

/* TEXT with its first FROM replaced by TO: a new string, TEXT freed. */
static char *replaced(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from);
	ck_assert_msg(at != NULL, SCENARIO " has no '%s'", from);
	size_t head = (size_t)(at - text);
	char *out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcpy(out + head + strlen(to), at + strlen(from));
	free(text);
	return out;
}

/* SCENARIO cut to the one cell the checks below read (modern-hdr, 64 KiB):
 * a quarter of its runs' work; with EVENT, send_lat with event
 * completions.  Written in DIR as NAME; its path into PATH. */
static void cell_at_64k(const char *dir, const char *name, int event, char *path, size_t path_bytes)
{
	char *text = read_file(src_path(SCENARIO));
	text = replaced(text, "preset: [esxi5-qdr-2012, modern-hdr]", "preset: modern-hdr");
	text = replaced(text, "sizes: [2B, 64KiB]", "sizes: [64KiB]");
	if (event) {
		text = replaced(text, "verb: write_lat", "verb: send_lat");
		text = replaced(text, "completion: poll", "completion: event");
	}
	snprintf(path, path_bytes, "%s", write_test_file(dir, name, text));
	free(text);
}

/* The walks cost once the working set outgrows the reach, and not before:
 * 64 KiB lies in one 2 MiB host page however few the IOTLB's entries, but
 * its sixteen 4 KiB host pages outnumber four entries and each walks (the
 * first 300 ns on the path); sixteen guest pages outnumber a 4-entry TLB.
 * An event completion pays its interrupt's remapping. */
START_TEST(walks_and_remapping_cost_once_they_happen)
{
	const char *dir = temp_dir();
	char scenario[4096], event[4096];
	cell_at_64k(dir, "cell.yaml", 0, scenario, sizeof scenario);
	cell_at_64k(dir, "event.yaml", 1, event, sizeof event);
	ck_assert_double_eq(adds_at_64k(scenario, (const char *[]){"iommu.iotlb_entries=4", NULL}, "iommu.page_walk=0ns"), 0);
	ck_assert_double_eq(adds_at_64k(scenario, (const char *[]){"mem.host_page_size=4KiB", NULL}, "iommu.page_walk=0ns"), 0);
	double walked = adds_at_64k(scenario, (const char *[]){"mem.host_page_size=4KiB", "iommu.iotlb_entries=4"},
				    "iommu.page_walk=0ns");
	ck_assert_double_gt(walked, 0.2);
	ck_assert_double_gt(adds_at_64k(scenario, (const char *[]){"cpu.tlb_entries=4", NULL}, "virt.ept_walk=0ns"), 0);
	ck_assert_double_eq(adds_at_64k(scenario, (const char *[]){NULL}, "virt.ept_walk=0ns"), 0);
	/* send_lat with event completions: each MSI-X is remapped */
	ck_assert_double_gt(adds_at_64k(event, (const char *[]){NULL}, "iommu.interrupt_remap=0ns"), 0);
	remove_tree(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("passthru");
	TCase *tc = tcase_create("costs");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, each_mechanism_adds_what_the_readme_says);
	tcase_add_test(tc, walks_and_remapping_cost_once_they_happen);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
