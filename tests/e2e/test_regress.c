/*
 * test_regress.c - `vrdmasim regress` as users run it: two runs of one
 * scenario agree, a --set that moves vRDMA's estimates fails with them
 * listed, a 3 % move of a p99 whose median stayed is caught, sweep JSON
 * lines are matched by their points' coordinates (appeared and vanished
 * points reported), malformed inputs are refused located; and `run --cfg`
 * writes a SimGrid (Paje) trace, refusing a bad setting.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static char dir[4096];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
}

static void teardown(void)
{
	remove_tree(dir);
}

static const char *in_dir(const char *name)
{
	static char paths[4][4200];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, sizeof paths[0], "%s/%s", dir, name);
	return p;
}

/* `vrdmasim run SCENARIO --format json --out DIR/NAME` (with SET, if any). */
static const char *run_json(const char *scenario, const char *set, const char *name)
{
	const char *out = in_dir(name);
	const char *args[] = {"run", scenario, "--format", "json", "--out", out, set ? "--set" : NULL, set, NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	return out;
}

static tool_output regress(const char *baseline, const char *results, const char *flag, const char *value)
{
	const char *args[] = {"regress", baseline, results, flag, value, NULL};
	return run_tool(args);
}

START_TEST(same_scenario_twice_no_change)
{
	const char *scenario = src_path("scenarios/seed-vrdma-write-lat.yaml");
	char a[4200];
	snprintf(a, sizeof a, "%s", run_json(scenario, NULL, "a.json"));
	const char *b = run_json(scenario, NULL, "b.json");
	tool_output o = regress(a, b, NULL, NULL);
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "48 figures compared: 48 unchanged"));
	ck_assert_ptr_nonnull(strstr(o.out, "passed: no change"));
	tool_output_free(&o);
}
END_TEST

START_TEST(flows_scenario_twice_no_change)
{
	const char *scenario = src_path("scenarios/many-vms.yaml");
	char a[4200];
	snprintf(a, sizeof a, "%s", run_json(scenario, NULL, "a.json"));
	const char *b = run_json(scenario, NULL, "b.json");
	tool_output o = regress(a, b, "--format", "csv");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "scenario,point,preset,option,verb,size_bytes,completion,group,metric,before,after,"
					    "change_pct,tolerance_pct,status\n"));
	ck_assert_ptr_nonnull(strstr(o.out, "many-vms,,esxi5-qdr-2012,vrdma,,,,pingpong,p99_us,"));
	ck_assert_ptr_nonnull(strstr(o.out, ",pingpong,ops_per_s,"));
	ck_assert_ptr_null(strstr(o.out, ",beyond\n"));
	tool_output_free(&o);
}
END_TEST

/* A VM exit costs more: every vRDMA estimate moves (it traps on each
 * doorbell), native's do not. */
START_TEST(vm_exit_moves_vrdma_estimates)
{
	const char *scenario = src_path("scenarios/seed-vrdma-write-lat.yaml");
	char a[4200];
	snprintf(a, sizeof a, "%s", run_json(scenario, NULL, "a.json"));
	const char *b = run_json(scenario, "virt.vm_exit=3000cycles", "b.json");
	tool_output o = regress(a, b, NULL, NULL);
	ck_assert_msg(o.status == 1, "%d %s%s", o.status, o.out, o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "seed-vrdma-write-lat/esxi5-qdr-2012/vrdma/write_lat/2B/poll"));
	ck_assert_ptr_nonnull(strstr(o.out, "beyond 2%"));
	ck_assert_ptr_null(strstr(o.out, "/native/"));
	ck_assert_ptr_nonnull(strstr(o.out, "48 figures compared: 24 unchanged, 0 moved within their tolerance, 24 beyond"));
	ck_assert_ptr_nonnull(strstr(o.out, "FAILED"));
	tool_output_free(&o);
	/* JSON says the same, figure by figure */
	o = regress(a, b, "--format", "json");
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.out, "\"failed\": true"));
	ck_assert_ptr_nonnull(strstr(o.out, "\"none\": 24, \"within\": 0, \"beyond\": 24"));
	tool_output_free(&o);
}
END_TEST

/* Copy a results file and raise the p99 of vRDMA's 2-byte write by 3 %,
 * its median untouched. */
static const char *with_p99_up_3pct(const char *from, const char *name)
{
	char *text = read_file(from);
	char *entry = strstr(text, "\"option\": \"vrdma\", \"verb\": \"write_lat\", \"size_bytes\": 2,");
	ck_assert_ptr_nonnull(entry);
	char *p99 = strstr(entry, "\"p99\": ");
	ck_assert_ptr_nonnull(p99);
	p99 += strlen("\"p99\": ");
	double value = strtod(p99, NULL);
	char *end = strchr(p99, ',');
	char moved[32];
	snprintf(moved, sizeof moved, "%.6f", value * 1.03);
	FILE *f = fopen(in_dir(name), "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%.*s%s%s", (int)(p99 - text), text, moved, end);
	fclose(f);
	free(text);
	return in_dir(name);
}

START_TEST(p99_move_caught_median_still)
{
	char a[4200], b[4200];
	snprintf(a, sizeof a, "%s", run_json(src_path("scenarios/seed-vrdma-write-lat.yaml"), NULL, "a.json"));
	snprintf(b, sizeof b, "%s", with_p99_up_3pct(a, "b.json"));
	tool_output o = regress(a, b, NULL, NULL);
	ck_assert_msg(o.status == 1, "%d %s%s", o.status, o.out, o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "seed-vrdma-write-lat/esxi5-qdr-2012/vrdma/write_lat/2B/poll  p99_us"));
	ck_assert_ptr_nonnull(strstr(o.out, "+3.00%   beyond 2%"));
	ck_assert_ptr_null(strstr(o.out, "median_us"));
	ck_assert_ptr_nonnull(strstr(o.out, "47 unchanged, 0 moved within their tolerance, 1 beyond"));
	tool_output_free(&o);
	/* a wider tolerance, for all figures or for p99 alone, lets it pass;
	 * one for another figure does not */
	o = regress(a, b, "--tolerance", "5%");
	ck_assert_msg(o.status == 0, "%s%s", o.out, o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "+3.00%   within 5%"));
	tool_output_free(&o);
	o = regress(a, b, "--tolerance", "p99_us=3.5%");
	ck_assert_int_eq(o.status, 0);
	tool_output_free(&o);
	o = regress(a, b, "--tolerance", "median_us=5%");
	ck_assert_int_eq(o.status, 1);
	tool_output_free(&o);
}
END_TEST

/* Sweep JSON lines, made by hand per the contract: points matched by their
 * coordinates whatever their order, line or run. */
START_TEST(sweep_points_by_coordinates)
{
	char before[4200], after[4200];
	snprintf(before, sizeof before, "%s", src_path("tests/regress/sweep-before.jsonl"));
	snprintf(after, sizeof after, "%s", src_path("tests/regress/sweep-after.jsonl"));
	tool_output o = regress(before, after, NULL, NULL);
	ck_assert_msg(o.status == 1, "%d %s%s", o.status, o.out, o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "capacity{completion=poll,vms_per_host=8}/esxi5-qdr-2012/vrdma/tenants   p99_us"));
	ck_assert_ptr_nonnull(strstr(o.out, "+3.00%   beyond 2%"));
	ck_assert_ptr_nonnull(strstr(o.out, "capacity{completion=poll,vms_per_host=16}/esxi5-qdr-2012/vrdma/tenants  p50_us"));
	ck_assert_ptr_nonnull(strstr(o.out, "vanished"));
	ck_assert_ptr_nonnull(strstr(o.out, "capacity{completion=poll,vms_per_host=32}/esxi5-qdr-2012/vrdma/tenants  ops_per_s"));
	ck_assert_ptr_nonnull(strstr(o.out, "appeared"));
	ck_assert_ptr_nonnull(strstr(o.out, "12 figures compared: 5 unchanged, 0 moved within their tolerance, 1 beyond; 3 appeared, 3 vanished"));
	tool_output_free(&o);
	/* appeared points may be allowed; vanished ones still fail */
	o = regress(before, after, "--allow-new", NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.out, "appeared (allowed)"));
	tool_output_free(&o);
	o = regress(before, before, NULL, NULL);
	ck_assert_int_eq(o.status, 0);
	tool_output_free(&o);
	/* the results a sweep added since are allowed; nothing moved */
	const char *args[] = {"regress", before, before, "--allow-new", "--format", "json", NULL};
	o = run_tool(args);
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.out, "\"point\": \"completion=poll,vms_per_host=16\""));
	tool_output_free(&o);
}
END_TEST

/* A small valid results object; the malformed ones below are variations. */
static const char GOOD[] =
	"{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"scenario\": \"s\", \"results\": [{\"preset\": \"p\", \"option\": \"o\", "
	"\"verb\": \"write_lat\", \"size_bytes\": 2, \"completion\": \"poll\", \"one_way_us\": {\"median\": 1.5, \"p99\": 2.5}}]}\n";

static void refused(const char *name, const char *text, const char *message)
{
	const char *bad = write_test_file(dir, name, text);
	char path[4200];
	snprintf(path, sizeof path, "%s", bad);
	const char *good = write_test_file(dir, "good.json", GOOD);
	tool_output o = regress(good, path, "--out", in_dir("report.txt"));
	ck_assert_msg(o.status == 2, "%s: status %d, %s", name, o.status, o.err);
	char expected[8400];
	snprintf(expected, sizeof expected, "%s:%s", path, message);
	ck_assert_msg(strstr(o.err, expected), "%s: %s\nexpected %s", name, o.err, expected);
	ck_assert_str_eq(o.out, "");
	struct stat st;
	ck_assert_int_ne(stat(in_dir("report.txt"), &st), 0);   /* no report written */
	tool_output_free(&o);
}

START_TEST(malformed_inputs_refused_located)
{
	char syntax[2048];
	snprintf(syntax, sizeof syntax, "%s\n{\"tool\": }\n", GOOD);
	refused("syntax.jsonl", syntax, "3:10: found '}', expected");
	refused("infinite.json",
		"{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"scenario\": \"s\", \"results\": [{\"preset\": \"p\", \"option\": \"o\",\n"
		" \"verb\": \"write_lat\", \"size_bytes\": 2, \"completion\": \"poll\", \"one_way_us\": {\"median\": 1.5, \"p99\": 1e999}}]}\n",
		"2:99: found the number 1e999, expected one within the range of a double");
	refused("negative.json",
		"{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"scenario\": \"s\", \"results\": [{\"preset\": \"p\", \"option\": \"o\", "
		"\"verb\": \"write_lat\", \"size_bytes\": 2, \"completion\": \"poll\", \"one_way_us\": {\"median\": -1, \"p99\": 1}}]}\n",
		"1:188: found -1 for \"median\", expected a finite number, zero or more");
	refused("string.json",
		"{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"scenario\": \"s\", \"results\": [{\"preset\": \"p\", \"option\": \"o\", "
		"\"verb\": \"write_lat\", \"size_bytes\": \"2\", \"completion\": \"poll\", \"one_way_us\": {\"median\": 1, \"p99\": 1}}]}\n",
		"1:138: found a string for \"size_bytes\", expected a number");
	refused("no-scenario.json", "{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": []}\n",
		"1:1: found a results object without \"scenario\", expected it");
	refused("other-tool.json", "{\"tool\": \"perftest\", \"schema_version\": 2}\n", "1:10: found the tool 'perftest', expected vrdmasim's results");
	refused("neither.json",
		"{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"scenario\": \"s\", \"results\": [{\"preset\": \"p\", \"option\": \"o\", "
		"\"verb\": \"write_lat\", \"size_bytes\": 2, \"completion\": \"poll\"}]}\n",
		"1:72: found a result with neither \"one_way_us\" nor \"bandwidth\"");
	char twice[2048];
	snprintf(twice, sizeof twice, "%s%s", GOOD, GOOD);
	refused("twice.jsonl", twice, "2:188: found median_us of s/p/o/write_lat/2B/poll a second time (the first at line 1, column 188)");
	char same_line[2048];
	snprintf(same_line, sizeof same_line, "%.*s {}\n", (int)strlen(GOOD) - 1, GOOD);
	refused("same-line.jsonl", same_line, "1:208: found '{', expected the end of the line after an object");
	refused("empty.json", "\n\n", "3:1: found the end of the file, expected a results file: a JSON object");
	refused("array.json", "[1, 2]\n", "1:1: found '[', expected '{' starting an object");
	refused("point.jsonl",
		"{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"scenario\": \"s\", \"results\": [], \"point\": {\"coordinates\": {\"vms\": true}}}\n",
		"1:108: found true for the coordinate \"vms\", expected a finite number or a name");
}
END_TEST

START_TEST(bad_command_lines_refused)
{
	const char *good = write_test_file(dir, "good.json", GOOD);
	char path[4200];
	snprintf(path, sizeof path, "%s", good);
	tool_output o = regress(path, path, "--tolerance", "2");
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "found '2', expected a tolerance in percent"));
	tool_output_free(&o);
	o = regress(path, path, "--tolerance", "p98_us=5%");
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "NAME one of median_us, p99_us"));
	tool_output_free(&o);
	o = regress(path, NULL, NULL, NULL);
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "expected two results files: BASELINE RESULTS"));
	tool_output_free(&o);
	o = regress(path, path, "--out", path);   /* the report would replace an input */
	ck_assert_int_eq(o.status, 2);
	tool_output_free(&o);
	o = regress(path, path, "--out", in_dir("report.json"));
	ck_assert_int_eq(o.status, 0);
	char *report = read_file(in_dir("report.json"));
	ck_assert_ptr_nonnull(strstr(report, "passed: no change"));
	free(report);
	tool_output_free(&o);
}
END_TEST

/* `run --cfg`: SimGrid's tracing settings through, a Paje trace written
 * (all or nothing), bad settings refused before any work. */
START_TEST(cfg_writes_paje_trace)
{
	char trace[4200], setting[4300];
	snprintf(trace, sizeof trace, "%s", in_dir("run.trace"));
	snprintf(setting, sizeof setting, "tracing/filename:%s", trace);
	const char *args[] = {"run", "--iterations", "10", "--cfg", "tracing:yes", "--cfg", "tracing/uncategorized:yes",
			      "--cfg", setting, NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	char *text = read_file(trace);
	ck_assert_ptr_nonnull(strstr(text, "%EventDef PajeDefineContainerType"));
	ck_assert_ptr_nonnull(strstr(text, "p0-esx-a"));   /* the platform's hosts are containers */
	size_t events = 0;   /* PajeSetVariable, PajeAddVariable...: resource usage over time */
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		events += p[1] >= '0' && p[1] <= '9';
	ck_assert_uint_gt(events, 100);
	free(text);
	remove(trace);

	const char *bad[][2] = {
		{"network/model:LV08", "expected NAME:VALUE with NAME a SimGrid tracing setting"},
		{"tracing:maybe", "expected tracing:VALUE with VALUE yes, no, on, off, true, false, 1 or 0"},
		{"tracing/precision:99", "a number of digits from 0 to 15"},
		{"tracing", "expected tracing:VALUE"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		const char *refused_args[] = {"run", "--cfg", "tracing:yes", "--cfg", setting, "--cfg", bad[k][0], NULL};
		o = run_tool(refused_args);
		ck_assert_msg(o.status == 2, "%s: %d", bad[k][0], o.status);
		ck_assert_msg(strstr(o.err, bad[k][1]), "%s: %s", bad[k][0], o.err);
		ck_assert_str_eq(o.out, "");
		struct stat st;
		ck_assert_int_ne(stat(trace, &st), 0);
		tool_output_free(&o);
	}
	/* a trace file in a folder that does not exist: nothing run, nothing written */
	snprintf(setting, sizeof setting, "tracing/filename:%s/no/such/run.trace", dir);
	const char *nowhere[] = {"run", "--cfg", "tracing:yes", "--cfg", setting, NULL};
	o = run_tool(nowhere);
	ck_assert_int_ne(o.status, 0);
	ck_assert_str_eq(o.out, "");
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("regress");
	TCase *runs = tcase_create("runs");
	tcase_add_checked_fixture(runs, setup, teardown);
	tcase_set_timeout(runs, 120);
	tcase_add_test(runs, same_scenario_twice_no_change);
	tcase_add_test(runs, flows_scenario_twice_no_change);
	tcase_add_test(runs, vm_exit_moves_vrdma_estimates);
	tcase_add_test(runs, p99_move_caught_median_still);
	tcase_add_test(runs, cfg_writes_paje_trace);
	suite_add_tcase(suite, runs);
	TCase *files = tcase_create("files");
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, sweep_points_by_coordinates);
	tcase_add_test(files, malformed_inputs_refused_located);
	tcase_add_test(files, bad_command_lines_refused);
	suite_add_tcase(suite, files);
	return run_suite(suite);
}
