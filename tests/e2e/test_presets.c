/*
 * test_presets.c - the presets added for the hardware people ask about
 * (edr-skylake, ndr-sapphirerapids) run every shipped scenario: each file
 * ending in .yaml in scenarios/, with `--preset P` replacing its presets (a sweep's
 * `preset` variable too), exits 0, its results are the new preset's, and
 * no figure in them is infinite or not a number.  Runs are kept short:
 * `--iterations 20` (a flow group's operations per connection), and a
 * sweep runs its grid and rounds at that count.  Also: --preset refuses an
 * empty or unknown name, located in the flag.
 */
#include "config.h"

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const NEW_PRESETS[] = {"edr-skylake", "ndr-sapphirerapids"};
enum { SCENARIOS_MAX = 64 };

static char names[SCENARIOS_MAX][256];
static size_t name_count;

/* Every .yaml file of scenarios/, sorted (readdir's order is the file system's). */
static int by_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void list_scenarios(void)
{
	DIR *dir = opendir(src_path("scenarios"));
	ck_assert_ptr_nonnull(dir);
	struct dirent *e;
	name_count = 0;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0 && name_count < SCENARIOS_MAX)
			snprintf(names[name_count++], sizeof names[0], "%s", e->d_name);
	}
	closedir(dir);
	qsort(names, name_count, sizeof names[0], by_name);
	ck_assert_uint_ge(name_count, 10);   /* the shipped studies, not an empty folder */
}

static int is_sweep(const char *path)
{
	char *text = read_file(path);
	int sweep = strncmp(text, "sweep:", 6) == 0 || strstr(text, "\nsweep:") != NULL;
	free(text);
	return sweep;
}

/* A token spelling an infinity or a NaN as printf writes them ("inf",
 * "-nan", "Infinity" ...) where a number would stand: after a separator
 * of CSV, JSON or a table. */
static const char *non_finite(const char *text)
{
	for (const char *p = text; *p; p++) {
		if (p != text && !strchr(",:[ \t\n", p[-1]))
			continue;
		const char *q = *p == '-' || *p == '+' ? p + 1 : p;
		if ((strncasecmp(q, "inf", 3) == 0 || strncasecmp(q, "nan", 3) == 0) && !isalpha((unsigned char)q[3]))
			return p;
		if (strncasecmp(q, "infinity", 8) == 0)
			return p;
	}
	return NULL;
}

/* The results must be finite and the new preset's alone. */
static void check_results(const char *what, const char *text, const char *preset, int json)
{
	const char *bad = non_finite(text);
	ck_assert_msg(!bad, "%s: a non-finite figure: %.40s", what, bad);
	/* the JSON writer puts null for a non-finite number (and fails) */
	ck_assert_msg(!json || !strstr(text, ":null"), "%s: a null figure", what);
	char needle[128];
	snprintf(needle, sizeof needle, json ? "\"preset\":\"%s\"" : "\n%s,", preset);
	ck_assert_msg(strstr(text, needle), "%s: no result of preset %s", what, preset);
	for (const char *old = "esxi5-qdr-2012"; old; old = strcmp(old, "modern-hdr") ? "modern-hdr" : NULL) {
		snprintf(needle, sizeof needle, json ? "\"preset\":\"%s\"" : "\n%s,", old);
		ck_assert_msg(!strstr(text, needle), "%s: a result of the replaced preset %s", what, old);
	}
}

static void run_single(const char *path, const char *name, const char *preset)
{
	const char *args[] = {"run", path, "--preset", preset, "--iterations", "20", "--format", "csv", NULL};
	tool_output o = run_tool(args);
	char what[512];
	snprintf(what, sizeof what, "run %s --preset %s", name, preset);
	ck_assert_msg(o.status == 0, "%s: exit %d: %s", what, o.status, o.err);
	check_results(what, o.out, preset, 0);
	tool_output_free(&o);
}

static void run_sweep(const char *path, const char *name, const char *preset)
{
	const char *dir = temp_dir();
	char out[4200];
	snprintf(out, sizeof out, "%s/points.jsonl", dir);
	const char *args[] = {"sweep", path, "--preset", preset, "--iterations", "20", "-j", "2", "--out", out, NULL};
	tool_output o = run_tool(args);
	char what[512];
	snprintf(what, sizeof what, "sweep %s --preset %s", name, preset);
	ck_assert_msg(o.status == 0, "%s: exit %d: %s", what, o.status, o.err);
	char *lines = read_file(out);
	ck_assert_msg(lines[0], "%s: no point ran", what);
	check_results(what, lines, preset, 1);
	free(lines);
	tool_output_free(&o);
	remove_tree(dir);
}

/* One test per new preset: _i is its index. */
START_TEST(runs_every_shipped_scenario)
{
	const char *preset = NEW_PRESETS[_i];
	list_scenarios();
	for (size_t k = 0; k < name_count; k++) {
		char rel[300];
		snprintf(rel, sizeof rel, "scenarios/%s", names[k]);
		char path[4200];
		snprintf(path, sizeof path, "%s", src_path(rel));
		if (is_sweep(path))
			run_sweep(path, names[k], preset);
		else
			run_single(path, names[k], preset);
	}
}
END_TEST

START_TEST(listed_by_list)
{
	const char *args[] = {"list", NULL};
	tool_output o = run_tool(args);
	ck_assert_int_eq(o.status, 0);
	for (size_t p = 0; p < sizeof NEW_PRESETS / sizeof NEW_PRESETS[0]; p++)
		ck_assert_msg(strstr(o.out, NEW_PRESETS[p]), "vrdmasim list lacks %s", NEW_PRESETS[p]);
	tool_output_free(&o);
}
END_TEST

/* Repeated flags join into one list, and the built-in headline takes it. */
START_TEST(repeated_flags_join)
{
	const char *args[] = {"run", "--preset", "edr-skylake", "--preset", "ndr-sapphirerapids", "--iterations", "5",
			      "--format", "csv", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "\nedr-skylake,native,write_lat,2,"));
	ck_assert_ptr_nonnull(strstr(o.out, "\nndr-sapphirerapids,vrdma,write_lat,65536,"));
	ck_assert_ptr_null(strstr(o.out, "\nesxi5-qdr-2012,"));
	tool_output_free(&o);
}
END_TEST

START_TEST(refuses_bad_names_where_they_are)
{
	const char *unknown[] = {"run", "--preset", "edr-skylake,nope", NULL};
	tool_output o = run_tool(unknown);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "--preset edr-skylake,nope:1:13: found preset 'nope'"), "%s", o.err);
	tool_output_free(&o);
	const char *empty[] = {"sweep", src_path("scenarios/capacity-qps.yaml"), "--preset", "a,,b", "--list-points", NULL};
	o = run_tool(empty);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "--preset a,,b:1:3: found an empty preset name"), "%s", o.err);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("presets");
	TCase *tc = tcase_create("presets");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, runs_every_shipped_scenario, 0, (int)(sizeof NEW_PRESETS / sizeof NEW_PRESETS[0]));
	tcase_add_test(tc, listed_by_list);
	tcase_add_test(tc, repeated_flags_join);
	tcase_add_test(tc, refuses_bad_names_where_they_are);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
