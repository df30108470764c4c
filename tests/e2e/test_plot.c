/*
 * test_plot.c - `vrdmasim plot` as a user meets it: the pictures it draws
 * (PNG and SVG, labelled), its refusal of bad results files and sizes with
 * located messages, and an output folder left as it was on any failure.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static char dir[256], results[300];

/* A results file from a small run, made once per test. */
static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(results, sizeof results, "%s/r.json", dir);
	tool_output o = run_tool((const char *[]){"run", src_path("tests/e2e/plot-scenario.yaml"), "--format", "json",
						  "--out", results, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
}

static void teardown(void)
{
	remove_tree(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 21];
	*len = fread(buf, 1, sizeof buf - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static size_t entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Picture NAME in OUT: a PNG of some size and an SVG; the SVG's text. */
static const char *picture(const char *out, const char *name)
{
	char path[600];
	size_t len;
	snprintf(path, sizeof path, "%s/%s.png", out, name);
	const char *png = slurp(path, &len);
	ck_assert_msg(png && len > 2000 && memcmp(png, "\x89PNG", 4) == 0, "%s", path);
	snprintf(path, sizeof path, "%s/%s.svg", out, name);
	const char *svg = slurp(path, &len);
	ck_assert_msg(svg && strstr(svg, "<svg"), "%s", path);
	return svg;
}

START_TEST(draws_every_picture)
{
	char out[400], path[600];
	snprintf(out, sizeof out, "%s/plots", dir);
	tool_output o = run_tool((const char *[]){"plot", results, "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_uint_eq(o.out_len, 0);
	tool_output_free(&o);
	static const char *const names[] = {
		"latency-write_lat-poll-esxi5-qdr-2012", "breakdown-write_lat-poll-esxi5-qdr-2012-2B",
		"bandwidth-write_bw-poll-esxi5-qdr-2012", "overhead-write_lat-poll-esxi5-qdr-2012",
		"overhead-write_bw-poll-esxi5-qdr-2012", "tail-write_lat-poll-esxi5-qdr-2012",
	};
	/* Labelled: axes with units, and a legend naming the options (or,
	 * for the breakdown, the kinds; for the tails, the percentiles). */
	static const char *const labels[][4] = {
		{"message size", "[µs]", "vrdma", "native"},
		{"VM exits and virtual interrupts", "[µs]", "totals above the bars", "vrdma"},
		{"message size", "[Gb/s]", "vrdma", "native"},
		{"message size", "native t_typical [×]", "vrdma", "native (= 1×)"},
		{"message size", "native BW average [×]", "vrdma", "native (= 1×)"},
		{"message size", "[µs]", "p99.9", "vrdma"},
	};
	enum { PICTURES = sizeof names / sizeof names[0] };
	for (size_t i = 0; i < PICTURES; i++) {
		const char *svg = picture(out, names[i]);
		snprintf(path, sizeof path, "%s/%s.svg", out, names[i]);
		for (size_t k = 0; k < 4; k++)
			ck_assert_msg(strstr(svg, labels[i][k]), "%s has no '%s'", path, labels[i][k]);
		snprintf(path, sizeof path, "%s/%s.gp", out, names[i]);
		ck_assert_msg(access(path, R_OK) == 0, "%s", path);
		snprintf(path, sizeof path, "%s/data/%s.dat", out, names[i]);
		ck_assert_msg(access(path, R_OK) == 0, "%s", path);
	}
	ck_assert_uint_eq(entries(out), PICTURES * 3 + 1);   /* png, svg, gp each, and data/: no working folder left */
	/* The overhead: vrdma against native at each size, native itself not a line. */
	size_t len;
	snprintf(path, sizeof path, "%s/data/overhead-write_lat-poll-esxi5-qdr-2012.dat", out);
	const char *dat = slurp(path, &len);
	ck_assert_msg(dat && strstr(dat, "# vrdma: size_bytes t_typical_us native_t_typical_us ratio difference") &&
			      !strstr(dat, "# native:"), "%s", dat);
	double size, value, native, ratio, difference;
	ck_assert_int_eq(sscanf(strchr(dat, '\n') + 1, "%lf %lf %lf %lf %lf", &size, &value, &native, &ratio, &difference), 5);
	ck_assert_msg(size == 2 && ratio > 1.5 && fabs(ratio - value / native) < 1e-6 && fabs(difference - (value - native)) < 1e-6,
		      "vrdma at 2B: %g us against native's %g: ratio %g", value, native, ratio);
	/* The tails: median <= p99 <= p99.9 in every row. */
	snprintf(path, sizeof path, "%s/data/tail-write_lat-poll-esxi5-qdr-2012.dat", out);
	dat = slurp(path, &len);
	size_t rows = 0;
	for (const char *line = dat; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		double median, p99, p999;
		if (sscanf(line, "%lf %lf %lf %lf", &size, &median, &p99, &p999) != 4)
			continue;
		ck_assert_msg(median > 0 && median <= p99 && p99 <= p999, "%.80s", line);
		rows++;
	}
	ck_assert_uint_eq(rows, 2 * 3);   /* two options, three sizes */
	/* A chosen size for the breakdown. */
	o = run_tool((const char *[]){"plot", results, "--out", out, "--size", "4KiB", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	snprintf(path, sizeof path, "%s/breakdown-write_lat-poll-esxi5-qdr-2012-4KiB.png", out);
	ck_assert_int_eq(access(path, R_OK), 0);
}
END_TEST

/* --options: every picture draws only the options named (native stays the
 * overhead's reference); a name the results do not hold, or no name, is
 * refused with nothing written, on stdout or in the folder. */
START_TEST(draws_only_the_options_asked)
{
	char out[400], path[600];
	size_t len;
	snprintf(out, sizeof out, "%s/only", dir);
	tool_output o = run_tool((const char *[]){"plot", results, "--out", out, "--options", "vrdma", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	static const char *const data[] = {"latency-write_lat-poll-esxi5-qdr-2012", "bandwidth-write_bw-poll-esxi5-qdr-2012",
					   "overhead-write_lat-poll-esxi5-qdr-2012", "tail-write_lat-poll-esxi5-qdr-2012"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/data/%s.dat", out, data[i]);
		const char *dat = slurp(path, &len);
		ck_assert_msg(dat && strstr(dat, "# vrdma:") && !strstr(dat, "# native:"), "%s: %s", path, dat);
	}
	snprintf(path, sizeof path, "%s/data/breakdown-write_lat-poll-esxi5-qdr-2012-2B.dat", out);
	const char *dat = slurp(path, &len);
	ck_assert_msg(dat && strstr(dat, "\nvrdma ") && !strstr(dat, "\nnative "), "%s", dat);
	const char *svg = picture(out, "overhead-write_lat-poll-esxi5-qdr-2012");
	ck_assert_msg(strstr(svg, "native (= 1×)"), "the overhead lost its reference");
	/* Refusals: exit 2, said on stderr, nothing on stdout or in the folder. */
	static const char *const bad[][2] = {
		{"native,sriov", "--options: found the option 'sriov', expected options "},
		{"vrdma,", "found 'vrdma,', expected option names separated by commas"},
		{"x';system('id')", "found 'x';system('id')', expected option names separated by commas"},
	};
	snprintf(out, sizeof out, "%s/refused", dir);
	for (size_t i = 0; i < 3; i++) {
		o = run_tool((const char *[]){"plot", results, "--out", out, "--options", bad[i][0], NULL});
		ck_assert_msg(o.status == 2, "status %d for %s: %s", o.status, bad[i][0], o.err);
		ck_assert_msg(strstr(o.err, bad[i][1]), "for %s:\n  got %s  expected %s", bad[i][0], o.err, bad[i][1]);
		ck_assert_uint_eq(o.out_len, 0);
		ck_assert_uint_eq(entries(out), 0);
		tool_output_free(&o);
	}
	o = run_tool((const char *[]){"plot", results, "--out", out, "--options", "native,sriov", NULL});
	ck_assert_msg(strstr(o.err, "holds: native, vrdma"), "%s", o.err);
	tool_output_free(&o);
}
END_TEST

/* A result file written by hand: one option ten times the other (as
 * SoftRoCE beside native) and no p999. */
#define ZOOM_RESULT(OPTION, SCALE) \
	"{\"preset\": \"p\", \"option\": \"" OPTION "\", \"verb\": \"write_lat\", \"completion\": \"poll\", \"size_bytes\": 64, " \
	"\"one_way_us\": {\"median\": " SCALE ", \"p99\": " SCALE "}, \"breakdown_by_kind_us\": {\"software\": " SCALE ", " \
	"\"virtualization\": 0, \"interrupts\": 0, \"pcie_dma\": 0.3, \"adapter\": 0.2, \"fabric\": 0.1, \"streaming\": 0, " \
	"\"pipeline\": 0, \"waiting\": 0}}"

/* The breakdown of options ten times apart: beside every option, a
 * close-up of the fast ones on their own scale; the tails without a p99.9
 * when the file has none. */
START_TEST(breakdown_close_up_of_the_fast_options)
{
	char out[400], path[600];
	size_t len;
	const char *file = write_test_file(dir, "spread.json", "{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": ["
					   ZOOM_RESULT("native", "1") ", " ZOOM_RESULT("slow", "0.5") ", " ZOOM_RESULT("softroce", "9") "]}");
	snprintf(out, sizeof out, "%s/spread", dir);
	tool_output o = run_tool((const char *[]){"plot", file, "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	const char *svg = picture(out, "breakdown-write_lat-poll-p-64B");
	ck_assert_msg(strstr(svg, "every option") && strstr(svg, "close-up: the options within 4× of the fastest") &&
			      strstr(svg, "[µs]") && strstr(svg, "CPU software"), "no close-up in the breakdown");
	snprintf(path, sizeof path, "%s/data/breakdown-write_lat-poll-p-64B-zoom.dat", out);
	const char *dat = slurp(path, &len);
	ck_assert_msg(dat && strstr(dat, "\nnative ") && strstr(dat, "\nslow ") && !strstr(dat, "softroce"), "%s", dat);
	svg = picture(out, "tail-write_lat-poll-p");
	ck_assert_msg(strstr(svg, "p99") && !strstr(svg, "p99.9"), "a p99.9 drawn without one in the file");
	/* Within 4x of each other: one panel, no close-up. */
	o = run_tool((const char *[]){"plot", file, "--out", out, "--options", "native,slow", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	svg = picture(out, "breakdown-write_lat-poll-p-64B");
	ck_assert_msg(!strstr(svg, "close-up"), "a close-up of options within 4x of each other");
	/* A test only other options ran: no picture of it, and no refusal. */
	file = write_test_file(dir, "bw.json", "{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [" ZOOM_RESULT("native", "1")
			       ", {\"preset\": \"p\", \"option\": \"other\", \"verb\": \"write_bw\", \"completion\": \"poll\", "
			       "\"size_bytes\": 64, \"bandwidth\": {\"bw_average_gbit_per_s\": 3}}]}");
	snprintf(out, sizeof out, "%s/bw", dir);
	o = run_tool((const char *[]){"plot", file, "--out", out, "--options", "native", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	picture(out, "latency-write_lat-poll-p");
	snprintf(path, sizeof path, "%s/bandwidth-write_bw-poll-p.png", out);
	ck_assert_msg(access(path, R_OK) != 0, "%s drawn without an option asked for", path);
}
END_TEST

/* Write TEXT as a results file and check plot refuses it with MESSAGE,
 * exit status 2, and leaves the output folder untouched. */
static void refuses(const char *text, const char *message)
{
	char bad[400], out[400];
	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	FILE *f = fopen(bad, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	tool_output o = run_tool((const char *[]){"plot", bad, "--out", out, NULL});
	ck_assert_msg(o.status == 2, "status %d for %s: %s", o.status, text, o.err);
	ck_assert_msg(strstr(o.err, message), "for %.60s:\n  got %s  expected %s", text, o.err, message);
	ck_assert_uint_eq(entries(out), 0);
	tool_output_free(&o);
}

START_TEST(refuses_bad_results_files)
{
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [", "bad.json:1:");
	refuses("[1, 2]", "bad.json:1:1: found an array, expected a vrdmasim results object");
	refuses("{\"tool\": \"perftest\"}", "bad.json:1:10: found another \"tool\", expected \"tool\": \"vrdmasim\"");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 9, \"results\": []}", "bad.json:1:40: found an unknown schema_version, expected 1 or 2");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": []}", "found no results, expected at least one to plot");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\"}]}",
		"found a result without \"option\"");
	/* Names become file names and gnuplot titles: nothing can be injected. */
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\", \"option\": \"x'; system 'touch /tmp/pwned\"}]}",
		"found the option name 'x'; system 'touch /tmp/pwned', expected at most 47 letters, digits");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\", \"option\": \"o\", \"verb\": \"atomic\"}]}",
		"found the verb 'atomic', expected one of write_lat");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\", \"option\": \"o\", \"verb\": \"write_bw\", "
		"\"completion\": \"poll\", \"size_bytes\": -4}]}", "found -4 for \"size_bytes\", expected a finite number, zero or more");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\", \"option\": \"o\", \"verb\": \"write_bw\", "
		"\"completion\": \"poll\", \"size_bytes\": 64, \"bandwidth\": {\"bw_average_gbit_per_s\": \"fast\"}}]}",
		"found a string for \"bw_average_gbit_per_s\"");
	/* The tails are read as strictly: p99 required, p999 checked where present. */
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\", \"option\": \"o\", \"verb\": \"write_lat\", "
		"\"completion\": \"poll\", \"size_bytes\": 64, \"one_way_us\": {\"median\": 1}}]}", "found a result without \"p99\"");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"results\": [{\"preset\": \"p\", \"option\": \"o\", \"verb\": \"write_lat\", "
		"\"completion\": \"poll\", \"size_bytes\": 64, \"one_way_us\": {\"median\": 1, \"p99\": 2, \"p999\": -3}}]}",
		"bad.json:1:193: found -3 for \"p999\", expected a finite number, zero or more");
}
END_TEST

START_TEST(refuses_bad_sizes_and_command_lines)
{
	char out[400];
	snprintf(out, sizeof out, "%s/out", dir);
	tool_output o = run_tool((const char *[]){"plot", results, "--out", out, "--size", "3KiB", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "found --size 3KiB, expected a size"));
	ck_assert_ptr_nonnull(strstr(o.err, "2B, 4KiB, 64KiB"));
	ck_assert_uint_eq(entries(out), 0);
	tool_output_free(&o);
	o = run_tool((const char *[]){"plot", results, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "--out DIR"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"plot", results, "--out", out, "--size", "big", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "found 'big', expected a message size with its unit"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"plot", results, "--out", out, "--format", "csv", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "--out, --size, --options, --knees, --group or --x with 'plot'"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", "--size", "2B", NULL});
	ck_assert_int_eq(o.status, 2);
	tool_output_free(&o);
	o = run_tool((const char *[]){"plot", "/nonexistent.json", "--out", out, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "/nonexistent.json: cannot open the file"));
	tool_output_free(&o);
}
END_TEST

/* Run SCENARIO (from the source tree) into the JSON file NAME in the test's
 * folder, and plot it into its folder PLOTS, silently: their paths into
 * JSON and OUT (400 bytes each). */
static void run_and_plot(const char *scenario, const char *name, const char *plots, char *json, char *out)
{
	snprintf(json, 400, "%s/%s", dir, name);
	snprintf(out, 400, "%s/%s", dir, plots);
	tool_output o = run_tool((const char *[]){"run", src_path(scenario), "--format", "json", "--out", json, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	o = run_tool((const char *[]){"plot", json, "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_uint_eq(o.out_len, 0);
	tool_output_free(&o);
}

/* A flows scenario's results: each group's p50 and p99 per option, and
 * (its groups hold 1, 4 and 32 QPs per host) rate, p99 and misses against
 * QPs per host. */
START_TEST(draws_flow_pictures)
{
	char flows[400], out[400], path[600];
	run_and_plot("tests/e2e/plot-flows.yaml", "flows.json", "flow-plots", flows, out);
	tool_output o;
	static const char *const names[] = {"flows-latency-esxi5-qdr-2012", "flows-qps-esxi5-qdr-2012"};
	static const char *const labels[][4] = {{"probe p99", "qps-32 p50", "latency [µs]", "probe p99.9"},
						{"QPs per host", "M ops/s", "vrdma", "p99 (solid) and p99.9 (dashed) latency [µs]"}};
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		const char *svg = picture(out, names[i]);
		snprintf(path, sizeof path, "%s/%s.svg", out, names[i]);
		for (size_t k = 0; k < 4; k++)
			ck_assert_msg(strstr(svg, labels[i][k]), "%s has no '%s'", path, labels[i][k]);
		snprintf(path, sizeof path, "%s/data/%s.dat", out, names[i]);
		ck_assert_msg(slurp(path, &len) && len > 0, "%s", path);
	}
	/* The sweep's data: QPs per host in order, each option's block. */
	size_t len;
	snprintf(path, sizeof path, "%s/data/flows-qps-esxi5-qdr-2012.dat", out);
	const char *dat = slurp(path, &len);
	ck_assert_msg(strstr(dat, "# native: qps_per_host mops_per_s p99_us cache_misses_per_op p999_us") && strstr(dat, "# vrdma:"),
		      "%s", dat);
	const char *one = strstr(dat, "\n1 "), *four = strstr(dat, "\n4 "), *many = strstr(dat, "\n32 ");
	ck_assert_msg(one && four && many && one < four && four < many, "%s", dat);
	ck_assert_uint_eq(entries(out), 2 * 3 + 1);   /* png, svg, gp each, and data/ */
	/* --options keeps only the options named, in flows pictures too. */
	o = run_tool((const char *[]){"plot", flows, "--out", out, "--options", "vrdma", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	dat = slurp(path, &len);
	ck_assert_msg(strstr(dat, "# vrdma:") && !strstr(dat, "# native:"), "%s", dat);
	o = run_tool((const char *[]){"plot", flows, "--out", out, "--options", "sriov", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "--options: found the option 'sriov', expected options"), "%s", o.err);
	tool_output_free(&o);
	/* --size is for single-flow results only. */
	o = run_tool((const char *[]){"plot", flows, "--out", out, "--size", "64B", NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "found --size with flow results"), "%s", o.err);
	tool_output_free(&o);
}
END_TEST

/* README's "The noisy neighbour" pictures, drawn as it says (its QP sweep
 * is plot-flows.yaml's in small: qp-scaling.yaml runs in test_flows_pcie). */
START_TEST(draws_the_readme_noisy_neighbour)
{
	char flows[400], out[400], path[600];
	run_and_plot("scenarios/noisy-neighbour.yaml", "nn.json", "plots", flows, out);
	static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		snprintf(path, sizeof path, "%s/flows-latency-%s.png", out, presets[i]);
		ck_assert_msg(slurp(path, &len) && len > 2000, "%s", path);
	}
	ck_assert_uint_eq(entries(out), 2 * 3 + 1);   /* no QP sweep: the probe's groups hold one QP per host each */
}
END_TEST

/* README's comparison: the pictures it shows (docs/images/) are the ones
 * its commands draw (fewer iterations here), and its --options line works. */
START_TEST(draws_the_readme_comparison)
{
	char json[400], out[400], path[600];
	snprintf(json, sizeof json, "%s/r.json", dir);
	tool_output o = run_tool((const char *[]){"run", src_path("scenarios/options-compare.yaml"), "--iterations", "100", "--format",
						  "json", "--out", json, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	snprintf(out, sizeof out, "%s/plots", dir);
	o = run_tool((const char *[]){"plot", json, "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	static const char *const shown[] = {
		"latency-write_lat-poll-esxi5-qdr-2012", "overhead-write_lat-poll-esxi5-qdr-2012", "breakdown-write_lat-poll-esxi5-qdr-2012-2B",
		"tail-write_lat-poll-esxi5-qdr-2012", "bandwidth-write_bw-poll-modern-hdr", "overhead-write_bw-poll-modern-hdr",
	};
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
		snprintf(path, sizeof path, "docs/images/%s.png", shown[i]);
		ck_assert_msg(access(src_path(path), R_OK) == 0, "README shows %s", path);
		picture(out, shown[i]);
	}
	/* SoftRoCE ten times the rest: the breakdown's close-up keeps the others. */
	size_t len;
	snprintf(path, sizeof path, "%s/data/breakdown-write_lat-poll-esxi5-qdr-2012-2B-zoom.dat", out);
	const char *dat = slurp(path, &len);
	ck_assert_msg(dat && strstr(dat, "\nvrdma ") && strstr(dat, "\nsriov ") && !strstr(dat, "softroce"), "%s", dat ? dat : path);
	snprintf(out, sizeof out, "%s/few", dir);
	o = run_tool((const char *[]){"plot", json, "--out", out, "--options", "native,sriov,vrdma", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	snprintf(path, sizeof path, "%s/data/latency-write_lat-poll-modern-hdr.dat", out);
	dat = slurp(path, &len);
	ck_assert_msg(dat && strstr(dat, "# sriov:") && !strstr(dat, "# passthrough:") && !strstr(dat, "softroce"), "%s", dat ? dat : path);
}
END_TEST

START_TEST(refuses_bad_flow_results)
{
#define HEAD "{\"tool\": \"vrdmasim\", \"schema_version\": 2, \"flow_results\": "
#define BLOCK "[{\"preset\": \"p\", \"option\": \"o\", \"groups\": "
	refuses(HEAD "[]}", "bad.json:1:59: found an empty \"flow_results\", expected an array of results");
	refuses("{\"tool\": \"vrdmasim\", \"schema_version\": 1, \"flow_results\": [1]}",
		"bad.json:1:40: found an unknown schema_version, expected 2 for flow results");
	refuses(HEAD "[7]}", "bad.json:1:60: found a number in \"flow_results\", expected an object per preset and option");
	refuses(HEAD BLOCK "[]}]}", "bad.json:1:101: found no groups, expected the figures of each flow group");
	refuses(HEAD BLOCK "[{\"group\": \"g\", \"ops_per_s\": \"many\"}]}]}",
		"bad.json:1:130: found a string for \"ops_per_s\", expected a different type");
	refuses(HEAD BLOCK "[{\"group\": \"g\", \"ops_per_s\": 1, \"p50_us\": 1, \"p99_us\": -2}]}]}",
		"found -2 for \"p99_us\", expected a finite number, zero or more");
	refuses(HEAD BLOCK "[{\"group\": \"g\", \"ops_per_s\": 1, \"p50_us\": 1, \"p99_us\": 2}]}]}",
		"found a result without \"cache_misses_per_op\"");
	refuses(HEAD BLOCK "[{\"group\": \"g\", \"ops_per_s\": 1, \"p50_us\": 1, \"p99_us\": 2, \"cache_misses_per_op\": 0, "
		"\"p999_us\": true}]}]}", "found true for \"p999_us\", expected a different type");
	refuses(HEAD BLOCK "[{\"group\": \"g\", \"ops_per_s\": 1, \"p50_us\": 1, \"p99_us\": 2, \"cache_misses_per_op\": 0, "
		"\"qps_per_host\": 0.5}]}]}", "found 0.5 for \"qps_per_host\", expected a whole number, 1 or more");
	/* Group names reach gnuplot titles: nothing can be injected. */
	refuses(HEAD BLOCK "[{\"group\": \"g' title system('touch /tmp/pwned')\"}]}]}",
		"found the group name 'g' title system('touch /tmp/pwned')', expected at most 47 letters, digits");
	refuses(HEAD BLOCK "[{\"group\": \"g\", \"ops_per_s\": 1, \"p50_us\": 1, \"p99_us\": 2, \"cache_misses_per_op\": 0}]}, "
		"{\"preset\": \"p\", \"option\": \"o\", \"groups\": []}]}",
		"found the preset 'p' with the option 'o' again, expected one result each");
#undef BLOCK
#undef HEAD
}
END_TEST

/* Without gnuplot: a clear message, status 1, nothing in the folder. */
START_TEST(missing_gnuplot_changes_nothing)
{
	char out[400];
	snprintf(out, sizeof out, "%s/out", dir);
	setenv("VRDMASIM_GNUPLOT", "/nonexistent/gnuplot", 1);
	tool_output o = run_tool((const char *[]){"plot", results, "--out", out, NULL});
	unsetenv("VRDMASIM_GNUPLOT");
	ck_assert_int_eq(o.status, 1);
	ck_assert_msg(strstr(o.err, "install gnuplot"), "%s", o.err);
	ck_assert_uint_eq(entries(out), 0);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("plot");
	TCase *tc = tcase_create("plot");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, draws_every_picture);
	tcase_add_test(tc, draws_only_the_options_asked);
	tcase_add_test(tc, breakdown_close_up_of_the_fast_options);
	tcase_add_test(tc, refuses_bad_results_files);
	tcase_add_test(tc, refuses_bad_sizes_and_command_lines);
	tcase_add_test(tc, missing_gnuplot_changes_nothing);
	tcase_add_test(tc, draws_flow_pictures);
	tcase_add_test(tc, draws_the_readme_noisy_neighbour);
	tcase_add_test(tc, draws_the_readme_comparison);
	tcase_add_test(tc, refuses_bad_flow_results);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
