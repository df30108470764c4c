/*
 * test_cli.c - the vrdmasim program as a user meets it: commands, exit
 * statuses, output formats, determinism, no half-written output, and the
 * headline estimates inside the ranges the README states.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

static const char *const ITER[] = {"--iterations", "3000"};

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

START_TEST(help_and_version)
{
	tool_output o = run_tool((const char *[]){"--help", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.out, "Usage: vrdmasim"));
	ck_assert_ptr_nonnull(strstr(o.out, "validate"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"--version", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.out, "vrdmasim " PACKAGE_VERSION));
	tool_output_free(&o);
	o = run_tool((const char *[]){"list", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.out, "esxi5-qdr-2012"));
	ck_assert_ptr_nonnull(strstr(o.out, "modern-hdr"));
	ck_assert_ptr_nonnull(strstr(o.out, "vrdma"));
	tool_output_free(&o);
}
END_TEST

/* Each command's help: its synopsis and its own flags only, from
 * `vrdmasim CMD --help` and `vrdmasim help CMD` alike. */
START_TEST(command_help)
{
	static const struct { const char *command, *has[3], *lacks; } cases[] = {
		{"run", {"Usage: vrdmasim run", "--keep-platform DIR", "--set NAME=QUANTITY"}, "--size"},
		{"plot", {"Usage: vrdmasim plot", "--out DIR", "--size SIZE"}, "--format"},
		{"replay", {"--costs model|measured", "--compare", "--preset P[,P...]"}, "--set"},
		{"calibrate", {"95% intervals", "--fit GROUPS", "--json FILE"}, "--keep-platform"},
		{"list", {"Usage: vrdmasim list", "presets and options", "--version"}, "--out"},
		{"compare", {"Usage: vrdmasim compare FIGURES.yaml", "--max-error PCT", "--format text|json|csv"}, "--out"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tool_output a = run_tool((const char *[]){cases[i].command, "--help", NULL});
		tool_output b = run_tool((const char *[]){"help", cases[i].command, NULL});
		ck_assert_msg(a.status == 0 && b.status == 0, "%s: %d %d", cases[i].command, a.status, b.status);
		ck_assert_str_eq(a.out, b.out);
		for (size_t k = 0; k < 3; k++)
			ck_assert_msg(strstr(a.out, cases[i].has[k]), "%s --help lacks %s", cases[i].command, cases[i].has[k]);
		ck_assert_msg(!strstr(a.out, cases[i].lacks), "%s --help has %s", cases[i].command, cases[i].lacks);
		ck_assert_ptr_null(strstr(a.out, "%%"));
		tool_output_free(&a);
		tool_output_free(&b);
	}
	/* the global help: every command, no stray printf escape */
	tool_output o = run_tool((const char *[]){"help", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.out, "Usage: vrdmasim COMMAND"));
	ck_assert_ptr_nonnull(strstr(o.out, "Options of replay:"));
	ck_assert_ptr_null(strstr(o.out, "%%"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"help", "rnu", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "found 'rnu', expected a command (did you mean 'run'?)"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", "-V", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_str_eq(o.out, "vrdmasim " PACKAGE_VERSION "\n");
	tool_output_free(&o);
}
END_TEST

/* TEXT without its provenance line (which quotes the command line). */
static void drop_provenance(char *text)
{
	char *line = strstr(text, "\n  \"provenance\": ");
	ck_assert_ptr_nonnull(line);
	char *end = strchr(line + 1, '\n');
	ck_assert_ptr_nonnull(end);
	memmove(line, end, strlen(end) + 1);
}

/* --flag=value is --flag value; a flag that takes no value refuses one. */
START_TEST(flag_equals_value)
{
	tool_output a = run_tool((const char *[]){"run", "--iterations=50", "--format=json", NULL});
	tool_output b = run_tool((const char *[]){"run", "--iterations", "50", "--format", "json", NULL});
	ck_assert_msg(a.status == 0, "%s", a.err);
	ck_assert_int_eq(b.status, 0);
	ck_assert_ptr_nonnull(strstr(a.out, "\"one_way_us\""));
	ck_assert_ptr_nonnull(strstr(a.out, "\"--iterations=50\", \"--format=json\""));
	drop_provenance(a.out);
	drop_provenance(b.out);
	ck_assert_str_eq(a.out, b.out);
	tool_output_free(&a);
	tool_output_free(&b);
	a = run_tool((const char *[]){"run", "--format=xml", NULL});
	ck_assert_int_eq(a.status, 2);
	ck_assert_ptr_nonnull(strstr(a.err, "found 'xml', expected a format: text, json or csv"));
	tool_output_free(&a);
	a = run_tool((const char *[]){"replay", "t.vtrace", "--compare=yes", NULL});
	ck_assert_int_eq(a.status, 2);
	ck_assert_ptr_nonnull(strstr(a.err, "found '--compare=yes', expected '--compare' without a value"));
	tool_output_free(&a);
}
END_TEST

/* A flag of another command is refused, naming the command's own flags and
 * the commands the flag is for (run took replay's --compare silently once). */
START_TEST(flags_of_other_commands)
{
	static const struct { const char *args[5]; const char *says; } cases[] = {
		{{"run", "--compare", NULL},
		 "found '--compare', expected --format, --out, --keep-platform, --iterations, --preset, --set or --cfg with 'run' (--compare is for 'replay')"},
		{{"run", "--costs", "measured", NULL}, "(--costs is for 'replay')"},
		{{"list", "--out", "x", NULL},
		 "found '--out', expected no option with 'list' (--out is for 'run', 'plot', 'calibrate', 'replay', 'sweep', 'merge' and 'regress')"},
		{{"validate", "s.yaml", "--format=json", NULL}, "expected only --set with 'validate' (--format is for 'run', 'replay', 'regress' and 'compare')"},
		{{"run", "--size", "2B", NULL}, "(--size is for 'plot')"},
		{{"plot", "r.json", "--out", NULL}, "found '--out' without a value, expected '--out DIR'"},
		{{"list", "extra", NULL}, "found 'extra', expected nothing after 'list'"},
		{{"compare", "a.yaml", "b.yaml", NULL}, "found 'b.yaml', expected one file of published figures"},
		{{"compare", "a.yaml", "--preset", "modern-hdr", NULL}, "expected --format, --iterations, --set or --max-error with 'compare' (--preset is for 'run', 'calibrate', 'replay' and 'sweep')"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tool_output o = run_tool(cases[i].args);
		ck_assert_msg(o.status == 2, "case %zu: status %d", i, o.status);
		ck_assert_msg(strstr(o.err, cases[i].says), "case %zu: %s\nexpected: %s", i, o.err, cases[i].says);
		tool_output_free(&o);
	}
}
END_TEST

/* An uncontended transfer has no queueing: a residual of SimGrid's clock
 * rounding printed as 0, never as -0.000000 or a negative time. */
START_TEST(no_negative_queueing)
{
	const char *scenarios[] = {"scenarios/seed-vrdma-write-lat.yaml", "scenarios/seed-vrdma-read-lat.yaml"};
	for (size_t k = 0; k < 2; k++) {
		tool_output o = run_tool((const char *[]){"run", src_path(scenarios[k]), "--iterations", "200", "--format", "json", NULL});
		ck_assert_msg(o.status == 0, "%s: status %d: %s", scenarios[k], o.status, o.err);
		for (const char *q = strstr(o.out, "\"queueing"); q; q = strstr(q + 1, "\"queueing")) {
			const char *value = strchr(q, ':');
			ck_assert_ptr_nonnull(value);
			value++;
			while (*value == ' ')
				value++;
			ck_assert_msg(*value != '-', "%s: %.40s", scenarios[k], q);
		}
		tool_output_free(&o);
	}
}
END_TEST

START_TEST(bad_command_lines)
{
	static const char *const cases[][5] = {
		{"rnu", NULL, NULL, NULL, "did you mean 'run'?"},
		{NULL, NULL, NULL, NULL, "expected a command"},
		{"run", "--fromat", "json", NULL, "did you mean '--format'?"},
		{"run", "--format", "xml", NULL, "expected a format: text, json or csv"},
		{"run", "--iterations", "-5", NULL, "expected a whole number of iterations"},
		{"run", "--iterations", "12abc", NULL, "expected a whole number of iterations"},
		{"run", "--out", NULL, NULL, "without a value"},
		{"validate", NULL, NULL, NULL, "expected a scenario file"},
		{"run", "--set", "virt.vm_exti=5us", NULL, "--set virt.vm_exti=5us:1:1: found unknown model parameter 'virt.vm_exti', expected 'virt.vm_exit'"},
		{"run", "--set", "virt.vm_exit=5", NULL, "--set virt.vm_exit=5:1:14: found '5' for 'virt.vm_exit', expected a unit"},
		{"run", "--set", "cpu.frequency=0GHz", NULL, "--set cpu.frequency=0GHz:1:15: found 0 Hz for 'cpu.frequency'"},
		{"run", "--set", "virt.vm_exit", NULL, "expected NAME=QUANTITY"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tool_output o = run_tool(cases[i]);
		ck_assert_msg(o.status == 2, "case %zu: status %d", i, o.status);
		ck_assert_msg(strstr(o.err, cases[i][4]) && strstr(o.err, "found"), "case %zu: %s", i, o.err);
		tool_output_free(&o);
	}
}
END_TEST

START_TEST(validate_reports_place)
{
	tool_output o = run_tool((const char *[]){"validate", src_path("scenarios/seed-vrdma-write-lat.yaml"), NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.out, "valid"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"validate", src_path("tests/e2e/typo-scenario.yaml"), NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "typo-scenario.yaml:15:1: found unknown key 'opions'"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"validate", "/nonexistent/x.yaml", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "/nonexistent/x.yaml: cannot open"));
	tool_output_free(&o);
}
END_TEST

/* A flows scenario validates with its groups and connections counted, and
 * runs, its size-mix group ('fan') included (--iterations keeps it short). */
START_TEST(flows_validate_and_run_a_size_mix)
{
	tool_output o = run_tool((const char *[]){"validate", src_path("tests/flows/many-flows.yaml"), NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "valid (1 preset(s), 1 option(s), 5 flow group(s), 85 connection(s))"));
	tool_output_free(&o);
	const char *dir = temp_dir();
	char out[256];
	snprintf(out, sizeof out, "%s/results.json", dir);
	o = run_tool((const char *[]){"run", src_path("tests/flows/many-flows.yaml"), "--iterations", "20", "--format",
				      "json", "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert(file_exists(out));
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", src_path("tests/flows/many-flows.yaml"), "--iterations", "20", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	const char *fan = strstr(o.out, "\n fan ");
	unsigned long long ops = 0;
	ck_assert_msg(fan && sscanf(fan, " fan %llu", &ops) == 1, "%s", o.out);
	ck_assert_uint_eq(ops, 16 * 20);   /* 16 clients, 20 operations each */
	tool_output_free(&o);
	ck_assert_int_eq(remove(out), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A failed run leaves no output file, and no temporary either. */
START_TEST(no_half_written_output)
{
	const char *dir = temp_dir();
	char out[256], listing[512];
	snprintf(out, sizeof out, "%s/results.json", dir);
	tool_output o = run_tool((const char *[]){"run", src_path("tests/e2e/typo-scenario.yaml"),
						  "--format", "json", "--out", out, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert(!file_exists(out));
	tool_output_free(&o);
	snprintf(out, sizeof out, "%s/no-such-dir/results.json", dir);
	o = run_tool((const char *[]){"run", "--iterations", "10", "--out", out, NULL});
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.err, "cannot create the output file"));
	tool_output_free(&o);
	snprintf(listing, sizeof listing, "rmdir %s", dir);   /* fails if anything was left */
	ck_assert_int_eq(system(listing), 0);
}
END_TEST

/* --out follows a symbolic link and writes through a device; it never
 * replaces either. */
START_TEST(out_respects_links_and_devices)
{
	const char *dir = temp_dir();
	char real[256], link[256], cmd[600];
	snprintf(real, sizeof real, "%s/real.csv", dir);
	snprintf(link, sizeof link, "%s/link.csv", dir);
	ck_assert_int_eq(symlink(real, link), 0);
	tool_output o = run_tool((const char *[]){"run", "--iterations", "10", "--format", "csv", "--out", link, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	struct stat st;
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(stat(real, &st), 0);
	ck_assert(S_ISREG(st.st_mode) && st.st_size > 100);
	mode_t mask = umask(0);
	umask(mask);
	ck_assert_int_eq(st.st_mode & 0777, 0666 & ~mask);   /* as a plain creation, not mkstemp's 0600 */
	o = run_tool((const char *[]){"run", "--iterations", "10", "--format", "csv", "--out", "/dev/null", NULL});
	ck_assert_int_eq(o.status, 0);
	tool_output_free(&o);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(json_has_the_documented_keys)
{
	const char *dir = temp_dir();
	char out[256], cmd[512];
	snprintf(out, sizeof out, "%s/r.json", dir);
	tool_output o = run_tool((const char *[]){"run", ITER[0], ITER[1], "--format", "json", "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_uint_eq(o.out_len, 0);
	tool_output_free(&o);
	FILE *f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	static char json[1 << 20];
	size_t n = fread(json, 1, sizeof json - 1, f);
	json[n] = '\0';
	fclose(f);
	size_t results = count_of(json, "\"preset\": ");
	ck_assert_uint_eq(results, 2 * 2 * 6);   /* presets x options x sizes of the headline */
	static const char *const keys[] = {
		"\"option\": ", "\"verb\": \"write_lat\"", "\"size_bytes\": ", "\"completion\": \"poll\"",
		"\"iterations\": 3000", "\"one_way_us\": {\"min\": ", "\"median\": ", "\"mean\": ", "\"stdev\": ",
		"\"p99\": ", "\"p999\": ", "\"max\": ", "\"breakdown_us\": {", "\"per_op\": {\"vm_exits\": ",
		"\"doorbells\": ", "\"breakdown_by_kind_us\": {\"software\": ", "\"dma_reads\": ", "\"dma_writes\": ", "\"wire_packets\": ",
	};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		ck_assert_msg(count_of(json, keys[k]) == results, "%s appears %zu times", keys[k], count_of(json, keys[k]));
	ck_assert_ptr_nonnull(strstr(json, "\"doorbell_vm_exit\": "));
	ck_assert_ptr_nonnull(strstr(json, "\"backend_translate_wqe\": "));
	ck_assert_ptr_nonnull(strstr(json, "\"seed\": 2012"));
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Same scenario and seed: byte-identical output; the seed matters. */
START_TEST(deterministic)
{
	const char *args[] = {"run", "--iterations", "2000", "--format", "csv", NULL};
	tool_output a = run_tool(args), b = run_tool(args);
	ck_assert_int_eq(a.status, 0);
	ck_assert_uint_eq(a.out_len, b.out_len);
	ck_assert_mem_eq(a.out, b.out, a.out_len);
	tool_output_free(&b);
	const char *dir = temp_dir();
	char path[256], cmd[512];
	snprintf(path, sizeof path, "%s/seeded.yaml", dir);
	snprintf(cmd, sizeof cmd, "sed 's/^seed: 2012$/seed: 7/' %s > %s", src_path("scenarios/seed-vrdma-write-lat.yaml"), path);
	ck_assert_int_eq(system(cmd), 0);
	b = run_tool((const char *[]){"run", path, "--iterations", "2000", "--format", "csv", NULL});
	ck_assert_int_eq(b.status, 0);
	ck_assert(a.out_len != b.out_len || memcmp(a.out, b.out, a.out_len) != 0);
	tool_output_free(&a);
	tool_output_free(&b);
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The per-stage medians sum to the median one-way latency within 1%. */
START_TEST(breakdown_sums_to_total)
{
	tool_output o = run_tool((const char *[]){"run", ITER[0], ITER[1], "--format", "csv", NULL});
	ck_assert_int_eq(o.status, 0);
	static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	static const char *const options[] = {"native", "vrdma"};
	static const char *const sizes[] = {"2", "64", "256", "1024", "4096", "65536"};
	for (size_t p = 0; p < 2; p++)
		for (size_t k = 0; k < 2; k++)
			for (size_t z = 0; z < 6; z++) {
				double sum = csv_breakdown_sum(o.out, presets[p], options[k], sizes[z]);
				double median = csv_value(o.out, presets[p], options[k], sizes[z], "median_us");
				ck_assert_msg(fabs(sum - median) <= 0.01 * median, "%s %s %s: sum %g median %g",
					      presets[p], options[k], sizes[z], sum, median);
			}
	tool_output_free(&o);
}
END_TEST

/* The ranges README.md states for the headline result. */
START_TEST(headline_within_readme_ranges)
{
	tool_output o = run_tool((const char *[]){"run", ITER[0], ITER[1], "--format", "csv", NULL});
	ck_assert_int_eq(o.status, 0);
	struct { const char *preset, *option; double lo_us, hi_us; } ranges[] = {
		{"esxi5-qdr-2012", "native", 1.0, 1.5},
		{"esxi5-qdr-2012", "vrdma", 2.0, 3.0},
		{"modern-hdr", "native", 0.8, 1.2},
		{"modern-hdr", "vrdma", 1.6, 2.6},
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		double median = csv_value(o.out, ranges[i].preset, ranges[i].option, "2", "median_us");
		ck_assert_msg(median >= ranges[i].lo_us && median <= ranges[i].hi_us, "%s %s 2B median %g not in [%g, %g]",
			      ranges[i].preset, ranges[i].option, median, ranges[i].lo_us, ranges[i].hi_us);
	}
	/* vRDMA costs more than native on the same hardware, at every size. */
	static const char *const sizes[] = {"2", "64", "256", "1024", "4096", "65536"};
	for (size_t z = 0; z < 6; z++)
		ck_assert(csv_value(o.out, "esxi5-qdr-2012", "vrdma", sizes[z], "median_us") >
			  csv_value(o.out, "esxi5-qdr-2012", "native", sizes[z], "median_us"));
	ck_assert_double_eq(csv_value(o.out, "esxi5-qdr-2012", "vrdma", "2", "vm_exits"), 1);
	ck_assert_double_eq(csv_value(o.out, "esxi5-qdr-2012", "native", "2", "vm_exits"), 0);
	tool_output_free(&o);
}
END_TEST

START_TEST(text_is_perftest_shaped)
{
	tool_output o = run_tool((const char *[]){"run", "--iterations", "500", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_uint_eq(count_of(o.out, " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]"
					   "    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec]"), 4);
	ck_assert_uint_eq(count_of(o.out, "Breakdown of t: cost of each stage in a typical operation"), 4);
	ck_assert_ptr_nonnull(strstr(o.out, " doorbell_vm_exit "));
	tool_output_free(&o);
}
END_TEST

START_TEST(keeps_platform_on_request)
{
	const char *dir = temp_dir();
	char path[256], cmd[512];
	tool_output o = run_tool((const char *[]){"run", "--iterations", "10", "--format", "csv", "--keep-platform", dir, NULL});
	ck_assert_int_eq(o.status, 0);
	tool_output_free(&o);
	snprintf(path, sizeof path, "%s/platform.xml", dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char xml[1 << 16];
	xml[fread(xml, 1, sizeof xml - 1, f)] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(xml, "<link id=\"p0-switch\""));
	ck_assert_ptr_nonnull(strstr(xml, "sharing_policy=\"FATPIPE\""));
	ck_assert_ptr_nonnull(strstr(xml, "<link id=\"p1-esx-b-pcie\""));
	ck_assert_ptr_nonnull(strstr(xml, "<route src=\"p0-esx-a\" dst=\"p0-esx-b\">"));
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* --set moves exactly what it names: the VM exit is on vRDMA's path only. */
START_TEST(set_overrides_a_parameter)
{
	tool_output base = run_tool((const char *[]){"run", "--iterations", "1000", "--format", "csv", NULL});
	tool_output slow = run_tool((const char *[]){"run", "--iterations", "1000", "--format", "csv",
						     "--set", "virt.vm_exit=5us", NULL});
	ck_assert_int_eq(base.status, 0);
	ck_assert_int_eq(slow.status, 0);
	double before = csv_value(base.out, "modern-hdr", "vrdma", "2", "breakdown_doorbell_vm_exit_us");
	double after = csv_value(slow.out, "modern-hdr", "vrdma", "2", "breakdown_doorbell_vm_exit_us");
	ck_assert_double_eq_tol(after, 5.0, 0.5);   /* jittered around 5 us */
	ck_assert_double_lt(before, 1.0);
	ck_assert_double_eq(csv_value(base.out, "modern-hdr", "native", "2", "median_us"),
			    csv_value(slow.out, "modern-hdr", "native", "2", "median_us"));
	tool_output_free(&base);
	tool_output_free(&slow);
}
END_TEST

/* SEND and READ: the breakdown still sums to the median; vRDMA costs more
 * than native; a READ reports its whole round trip. */
START_TEST(send_and_read_verbs)
{
	const char *verbs[] = {"scenarios/seed-vrdma-send-lat.yaml", "scenarios/seed-vrdma-read-lat.yaml"};
	tool_output write = run_tool((const char *[]){"run", "--iterations", "2000", "--format", "csv", NULL});
	for (size_t v = 0; v < 2; v++) {
		tool_output o = run_tool((const char *[]){"run", src_path(verbs[v]), "--iterations", "2000", "--format", "csv", NULL});
		ck_assert_msg(o.status == 0, "%s", o.err);
		static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
		for (size_t p = 0; p < 2; p++) {
			double native = csv_value(o.out, presets[p], "native", "2", "median_us");
			double vrdma = csv_value(o.out, presets[p], "vrdma", "2", "median_us");
			double sum = csv_breakdown_sum(o.out, presets[p], "vrdma", "2");
			ck_assert_msg(fabs(sum - vrdma) <= 0.01 * vrdma, "%s: sum %g median %g", verbs[v], sum, vrdma);
			ck_assert_double_gt(vrdma, native);
			/* SEND adds the receive completion to WRITE's path; a READ's
			 * round trip is longer than a WRITE's one-way time. */
			ck_assert_double_gt(native, csv_value(write.out, presets[p], "native", "2", "median_us"));
		}
		/* vRDMA SEND traps twice per message: the send and the re-posted receive. */
		if (v == 0)
			ck_assert_double_eq(csv_value(o.out, "esxi5-qdr-2012", "vrdma", "2", "vm_exits"), 2);
		tool_output_free(&o);
	}
	tool_output_free(&write);
}
END_TEST

/* Completion by event (interrupt, wake-up, re-arm) costs more than
 * polling, for every verb and option; the breakdown still sums to t_typical. */
START_TEST(event_costs_more_than_poll)
{
	const char *scenarios[] = {"scenarios/seed-vrdma-write-lat.yaml", "scenarios/seed-vrdma-send-lat.yaml",
				   "scenarios/seed-vrdma-read-lat.yaml"};
	const char *dir = temp_dir();
	char path[256], cmd[700];
	snprintf(path, sizeof path, "%s/event.yaml", dir);
	for (size_t v = 0; v < 3; v++) {
		snprintf(cmd, sizeof cmd, "sed 's/^completion: poll$/completion: event/' %s > %s", src_path(scenarios[v]), path);
		ck_assert_int_eq(system(cmd), 0);
		tool_output poll = run_tool((const char *[]){"run", src_path(scenarios[v]), "--iterations", "1500", "--format", "csv", NULL});
		tool_output event = run_tool((const char *[]){"run", path, "--iterations", "1500", "--format", "csv", NULL});
		ck_assert_msg(event.status == 0, "%s", event.err);
		ck_assert_ptr_nonnull(strstr(event.out, ",event,"));
		static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
		static const char *const options[] = {"native", "vrdma"};
		for (size_t p = 0; p < 2; p++)
			for (size_t o = 0; o < 2; o++) {
				double polled = csv_value(poll.out, presets[p], options[o], "2", "median_us");
				double evented = csv_value(event.out, presets[p], options[o], "2", "median_us");
				double sum = csv_breakdown_sum(event.out, presets[p], options[o], "2");
				ck_assert_msg(evented > polled, "%s %s %s: event %g <= poll %g", scenarios[v], presets[p], options[o], evented, polled);
				ck_assert_msg(fabs(sum - evented) <= 0.01 * evented, "%s: sum %g median %g", scenarios[v], sum, evented);
				ck_assert_double_ge(csv_value(event.out, presets[p], options[o], "2", "interrupts"), 1);
				ck_assert_double_eq(csv_value(poll.out, presets[p], options[o], "2", "interrupts"), 0);
			}
		tool_output_free(&poll);
		tool_output_free(&event);
	}
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("cli");
	TCase *tc = tcase_create("end_to_end");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, command_help);
	tcase_add_test(tc, flag_equals_value);
	tcase_add_test(tc, flags_of_other_commands);
	tcase_add_test(tc, no_negative_queueing);
	tcase_add_test(tc, bad_command_lines);
	tcase_add_test(tc, validate_reports_place);
	tcase_add_test(tc, flows_validate_and_run_a_size_mix);
	tcase_add_test(tc, no_half_written_output);
	tcase_add_test(tc, out_respects_links_and_devices);
	tcase_add_test(tc, json_has_the_documented_keys);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, breakdown_sums_to_total);
	tcase_add_test(tc, headline_within_readme_ranges);
	tcase_add_test(tc, text_is_perftest_shaped);
	tcase_add_test(tc, keeps_platform_on_request);
	tcase_add_test(tc, set_overrides_a_parameter);
	tcase_add_test(tc, send_and_read_verbs);
	tcase_add_test(tc, event_costs_more_than_poll);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
