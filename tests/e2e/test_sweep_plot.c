/*
 * test_sweep_plot.c - `vrdmasim plot` of a sweep's results, as a user meets
 * it: a small real sweep (tests/e2e/plot-sweep.yaml, run by `vrdmasim
 * sweep`) drawn against its variable (pictures, labelled axes with units,
 * a line per option and completion mode, data in order of the variable,
 * every round together), a hand-made knee report marked (ring, bracket,
 * target), --group, single-flow results against a swept size
 * (tests/e2e/plot-sweep-single.yaml), live migrations against a zipped
 * dirty rate written with units and a bare 0 (tests/e2e/plot-sweep-migration.jsonl,
 * hand-made: one migration does not converge), and the refusals: located,
 * exit 2, nothing written.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static char dir[256], results[300], out[300];
enum { WHERE_BYTES = 1024 };

/* The sweep, run once per test (a fraction of a second). */
static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(results, sizeof results, "%s/r.jsonl", dir);
	snprintf(out, sizeof out, "%s/plots", dir);
	tool_output o = run_tool((const char *[]){"sweep", src_path("tests/e2e/plot-sweep.yaml"), "-j", "2", "--out", results, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
}

static void teardown(void)
{
	remove_tree(dir);
}

/* FILE's text (malloc'd), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = calloc(1, 1 << 22);
	size_t len = fread(text, 1, (1 << 22) - 1, f);
	text[len] = '\0';
	fclose(f);
	return text;
}

static char *file_in(const char *folder, const char *name)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", folder, name);
	char *text = slurp(path);
	ck_assert_msg(text != NULL, "%s is missing", path);
	return text;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void plot_ok(const char *const *args)
{
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
}

/* Picture NAME: a PNG of some size and an SVG. */
static void picture(const char *name)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s.png", out, name);
	char *png = slurp(path);
	ck_assert_msg(png && memcmp(png, "\x89PNG", 4) == 0, "%s", path);
	free(png);
	snprintf(path, sizeof path, "%s/%s.svg", out, name);
	char *svg = slurp(path);
	ck_assert_msg(svg && strstr(svg, "<svg"), "%s", path);
	free(svg);
}

/* Every block of a data file has its x (first column) increasing; the
 * number of blocks and the x values of the first, space-separated. */
static size_t blocks_in_order(const char *data, char *first_xs, size_t len)
{
	size_t blocks = 0;
	double last = -INFINITY;
	int in_block = 0;
	first_xs[0] = '\0';
	for (const char *line = data; *line; line = strchr(line, '\n') + 1) {
		if (*line == '#' || *line == '\n') {
			in_block = in_block && *line == '#';
			if (*line == '\n')
				last = -INFINITY;
		} else {
			blocks += !in_block;
			in_block = 1;
			double x = strtod(line, NULL);
			ck_assert_msg(x > last, "x %g after %g in a block", x, last);
			last = x;
			if (blocks == 1)
				snprintf(first_xs + strlen(first_xs), len - strlen(first_xs), "%s%g", first_xs[0] ? " " : "", x);
		}
		if (!strchr(line, '\n'))
			break;
	}
	return blocks;
}

START_TEST(draws_throughput_and_p99_against_the_variable)
{
	plot_ok((const char *[]){"plot", results, "--out", out, NULL});
	picture("sweep-throughput-modern-hdr");
	picture("sweep-p99-modern-hdr");
	picture("sweep-median-modern-hdr");
	char *gp = file_in(out, "sweep-p99-modern-hdr.gp");
	/* The variable's values with units on x, log (50k..800k spans 16x). */
	ck_assert_msg(strstr(gp, "set xlabel 'flows[load].load.open_loop [ops/s per vm]'"), "%s", gp);
	ck_assert_msg(strstr(gp, "set logscale x"), "%s", gp);
	ck_assert_msg(strstr(gp, "'50k/s' 50000") && strstr(gp, "'800k/s' 800000"), "%s", gp);
	ck_assert_msg(strstr(gp, "set ylabel 'p99 latency [µs]'"), "%s", gp);
	/* A panel per flow group; a line per option and completion mode. */
	ck_assert_msg(strstr(gp, "set title 'flow group probe'") && strstr(gp, "set title 'flow group load'"), "%s", gp);
	static const char *const lines[] = {"title 'sriov, poll'", "title 'vrdma, poll'", "title 'sriov, event'", "title 'vrdma, event'"};
	for (size_t i = 0; i < 4; i++)
		ck_assert_msg(strstr(gp, lines[i]), "%s in %s", lines[i], gp);
	ck_assert_msg(!strstr(gp, "knees.dat"), "no knee without a report: %s", gp);
	free(gp);
	gp = file_in(out, "sweep-throughput-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "set ylabel 'throughput [ops/s]'"), "%s", gp);
	free(gp);
	/* Data in order of the variable: two panels of four lines. */
	char *data = file_in(out, "data/sweep-p99-modern-hdr.dat"), xs[256];
	ck_assert_uint_eq(blocks_in_order(data, xs, sizeof xs), 8);
	ck_assert_str_eq(xs, "50000 100000 200000 400000 800000");
	ck_assert_msg(strstr(data, "# probe | sriov, poll:"), "%s", data);
	free(data);
}
END_TEST

/* The lines come in the order points end: the pictures do not depend on it. */
START_TEST(same_pictures_whatever_the_order_of_lines)
{
	plot_ok((const char *[]){"plot", results, "--out", out, NULL});
	char *text = slurp(results), reversed[400], out2[400];
	ck_assert_ptr_nonnull(text);
	snprintf(reversed, sizeof reversed, "%s/reversed.jsonl", dir);
	FILE *f = fopen(reversed, "w");
	ck_assert_ptr_nonnull(f);
	for (char *end = text + strlen(text) - 1; end > text;) {   /* the last line first */
		char *start = end;
		while (start > text && start[-1] != '\n')
			start--;
		fwrite(start, 1, (size_t)(end - start + 1), f);
		end = start - 1;
	}
	fclose(f);
	free(text);
	snprintf(out2, sizeof out2, "%s/plots2", dir);
	plot_ok((const char *[]){"plot", reversed, "--out", out2, NULL});
	char *a = file_in(out, "data/sweep-p99-modern-hdr.dat"), *b = file_in(out2, "data/sweep-p99-modern-hdr.dat");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

/* A point of a later round (bisection's) lands in order among the grid's. */
START_TEST(rounds_are_drawn_together)
{
	char *text = slurp(results);
	ck_assert_ptr_nonnull(text);
	char *line = strstr(text, "\"index\":4,\"round\":0");
	ck_assert_msg(line != NULL, "point 4 in %s", results);
	while (line > text && line[-1] != '\n')
		line--;
	size_t len = strcspn(line, "\n");
	char *extra = calloc(1, len + 64), *w = extra;
	for (const char *r = line; r < line + len;) {   /* point 10, round 1, at 300k/s */
		if (strncmp(r, "\"index\":4,\"round\":0", 19) == 0) {
			w += sprintf(w, "\"index\":10,\"round\":1");
			r += 19;
		} else if (strncmp(r, "200k/s per vm", 13) == 0) {
			w += sprintf(w, "300k/s per vm");
			r += 13;
		} else
			*w++ = *r++;
	}
	FILE *f = fopen(results, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", extra);
	fclose(f);
	free(extra);
	free(text);
	plot_ok((const char *[]){"plot", results, "--out", out, NULL});
	char *data = file_in(out, "data/sweep-p99-modern-hdr.dat"), xs[256];
	ck_assert_uint_eq(blocks_in_order(data, xs, sizeof xs), 8);
	ck_assert_msg(strstr(data, "\n300000 "), "%s", data);
	ck_assert_msg(strstr(data, " 1 10\n"), "round 1, point 10: %s", data);
	free(data);
	char *gp = file_in(out, "sweep-p99-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "'300k/s' 300000"), "%s", gp);
	free(gp);
}
END_TEST

START_TEST(marks_the_knees_of_a_report)
{
	plot_ok((const char *[]){"plot", results, "--knees", src_path("tests/e2e/plot-sweep-knees.json"), "--out", out, NULL});
	picture("sweep-p99-modern-hdr");
	char *knees = file_in(out, "data/sweep-p99-modern-hdr-knees.dat");
	/* The target names the group load: its panel only; a ring per series
	 * at its knee, with its bracket. */
	ck_assert_msg(strstr(knees, "# load:") && !strstr(knees, "# probe:"), "%s", knees);
	ck_assert_msg(strstr(knees, "100000 ") && strstr(knees, " 100000 200000  # vrdma, poll"), "%s", knees);
	ck_assert_msg(strstr(knees, " 50000 100000  # vrdma, event"), "%s", knees);
	free(knees);
	char *gp = file_in(out, "sweep-p99-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "rect from first 100000, graph 0 to first 200000, graph 1"), "%s", gp);
	ck_assert_msg(strstr(gp, "knees.dat' index 0 using 1:2:3 with points pt 6"), "%s", gp);
	ck_assert_msg(strstr(gp, "  10 with lines dt 2"), "the target at 10 us: %s", gp);
	ck_assert_msg(strstr(gp, "title 'target: load p99 <= 10us'"), "%s", gp);
	free(gp);
	/* Not a p99 picture: rings and brackets, no target line. */
	gp = file_in(out, "sweep-throughput-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "rect from first 50000, graph 0 to first 100000, graph 1"), "%s", gp);
	ck_assert_msg(!strstr(gp, "with lines dt 2 lw 2 lc rgb '#D55E00' notitle"), "%s", gp);
	free(gp);
}
END_TEST

START_TEST(draws_one_group)
{
	plot_ok((const char *[]){"plot", results, "--group", "load", "--options", "vrdma", "--x", "flows[load].load.open_loop", "--out", out,
				  NULL});
	char *gp = file_in(out, "sweep-p99-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "set title 'flow group load'") && !strstr(gp, "flow group probe"), "%s", gp);
	ck_assert_msg(strstr(gp, "title 'vrdma, poll'") && !strstr(gp, "sriov"), "%s", gp);
	free(gp);
}
END_TEST

/* A refusal: exit 2, MESSAGE on stderr, no output folder. */
static void refused(const char *const *args, const char *message)
{
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 2, "status %d: %s", o.status, o.err);
	ck_assert_msg(strstr(o.err, message), "expected '%s' in: %s", message, o.err);
	ck_assert_msg(!exists(out), "%s was made", out);
	tool_output_free(&o);
}

START_TEST(refuses_bad_input_located)
{
	char *text = slurp(results), where[WHERE_BYTES];
	ck_assert_ptr_nonnull(text);
	/* A malformed line, and a line that is no sweep point. */
	char *second = strchr(text, '\n') + 1;
	const char *bad = write_test_file(dir, "bad.jsonl", "");
	FILE *f = fopen(bad, "w");
	fwrite(text, 1, (size_t)(second - text), f);
	fprintf(f, "{\"tool\": \"vrdmasim\", \"point\": [1,}\n");
	fclose(f);
	snprintf(where, sizeof where, "%s:2:34: found '}'", bad);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	f = fopen(bad, "w");
	fwrite(text, 1, (size_t)(second - text), f);
	fprintf(f, "{\"tool\": \"vrdmasim\", \"results\": []}\n");
	fclose(f);
	snprintf(where, sizeof where, "%s:2:1: found a line without \"point\"", bad);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	/* A name that would end a gnuplot string. */
	char *name = strstr(text, "\"scenario\":\"plot-sweep-test\"");
	ck_assert_ptr_nonnull(name);
	f = fopen(bad, "w");
	fwrite(text, 1, (size_t)(name - text), f);
	fprintf(f, "\"scenario\":\"plot'sweep\"%.*s", (int)(second - name - 28), name + 28);
	fclose(f);
	snprintf(where, sizeof where, "%s:1:", bad);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, "found the scenario 'plot'sweep', expected a scenario's name");
	free(text);
	/* A plain run's results with a knee report: not a sweep. */
	char plain[300];
	snprintf(plain, sizeof plain, "%s/plain.json", dir);
	tool_output o = run_tool((const char *[]){"run", src_path("tests/e2e/plot-flows.yaml"), "--format", "json", "--out", plain, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	snprintf(where, sizeof where, "%s:1:1: found a results file that is not a sweep's", plain);
	refused((const char *[]){"plot", plain, "--knees", src_path("tests/e2e/plot-sweep-knees.json"), "--out", out, NULL}, where);
	/* A knee report of another scenario, or of a point the sweep lacks. */
	const char *other = write_test_file(dir, "other.json",
					    "{\"tool\": \"vrdmasim\", \"kind\": \"knees\",\n \"scenario\": \"capacity\", \"target\": \"p99 <= 10us\",\n"
					    " \"variable\": \"flows[load].load.open_loop\", \"knees\": []}\n");
	snprintf(where, sizeof where, "%s:2:14: found the knees of scenario 'capacity', expected those of 'plot-sweep-test'", other);
	refused((const char *[]){"plot", results, "--knees", other, "--out", out, NULL}, where);
	const char *lacking = write_test_file(dir, "lacking.json",
					      "{\"tool\": \"vrdmasim\", \"kind\": \"knees\", \"scenario\": \"plot-sweep-test\",\n"
					      " \"target\": \"p99 <= 10us\", \"variable\": \"flows[load].load.open_loop\", \"knees\": [\n"
					      "  {\"preset\": \"modern-hdr\", \"option\": \"vrdma\", \"coordinates\": {\"completion\": \"spin\"},\n"
					      "   \"knee\": null, \"meets_up_to\": null, \"fails_from\": \"50k/s per vm\", \"rounds\": 1}]}\n");
	snprintf(where, sizeof where, "%s:3:3: found a knee of modern-hdr, vrdma at coordinates no point", lacking);
	refused((const char *[]){"plot", results, "--knees", lacking, "--out", out, NULL}, where);
	const char *names = write_test_file(dir, "names.json",
					    "{\"tool\": \"vrdmasim\", \"kind\": \"knees\", \"scenario\": \"plot-sweep-test\",\n"
					    " \"target\": \"p99 <= 10us\", \"variable\": \"completion\", \"knees\": []}\n");
	snprintf(where, sizeof where, "%s:2:39: found the variable 'completion', expected a numeric variable", names);
	refused((const char *[]){"plot", results, "--knees", names, "--out", out, NULL}, where);
	/* --x naming no numeric variable, or another than the knee report's. */
	refused((const char *[]){"plot", results, "--x", "completion", "--out", out, NULL},
		"--x: found the variable 'completion', expected a numeric variable");
	refused((const char *[]){"plot", results, "--x", "seed", "--knees", src_path("tests/e2e/plot-sweep-knees.json"), "--out", out, NULL},
		"--x: found --x seed, expected the knee report's variable, flows[load].load.open_loop, or no --x");
	/* --group naming no group, and flags of other commands. */
	refused((const char *[]){"plot", results, "--group", "lod", "--out", out, NULL},
		"--group: found the flow group 'lod', expected a group");
	refused((const char *[]){"plot", results, "--size", "64B", "--out", out, NULL}, "found --size with a sweep's results");
	refused((const char *[]){"plot", results, "--knees", "", "--out", out, NULL}, "not an empty one");
}
END_TEST

/* Single-flow results: a panel per verb; median, p99 or bandwidth against
 * a swept size, its tics the sizes as written. */
START_TEST(draws_single_flow_results_against_size)
{
	char single[400];
	snprintf(single, sizeof single, "%s/single.jsonl", dir);
	tool_output o = run_tool((const char *[]){"sweep", src_path("tests/e2e/plot-sweep-single.yaml"), "--out", single, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	plot_ok((const char *[]){"plot", single, "--out", out, NULL});
	picture("sweep-bandwidth-modern-hdr");
	picture("sweep-p99-modern-hdr");
	char *gp = file_in(out, "sweep-bandwidth-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "set xlabel 'workloads[*].sizes [B]'") && strstr(gp, "'64B' 64, '4KiB' 4096, '64KiB' 65536"), "%s", gp);
	ck_assert_msg(strstr(gp, "set ylabel 'BW average [Gb/s]'") && strstr(gp, "set title 'verb write_bw'"), "%s", gp);
	ck_assert_msg(strstr(gp, "title 'vrdma, vm_exit=2400cycles'"), "%s", gp);
	free(gp);
	gp = file_in(out, "sweep-median-modern-hdr.gp");
	ck_assert_msg(strstr(gp, "set title 'verb write_lat'") && !strstr(gp, "write_bw"), "%s", gp);
	free(gp);
	char *data = file_in(out, "data/sweep-bandwidth-modern-hdr.dat"), xs[256];
	ck_assert_uint_eq(blocks_in_order(data, xs, sizeof xs), 4);
	ck_assert_str_eq(xs, "64 4096 65536");
	free(data);
	remove_tree(out);
	refused((const char *[]){"plot", single, "--group", "probe", "--out", out, NULL}, "found --group probe with single-flow results");
}
END_TEST

/* TEXT with its first OLD made NEW, written as DIR/NAME; *LINE and *COLUMN
 * (1..) of AT's first byte in it. */
static const char *variant(const char *text, const char *old, const char *new, const char *name, const char *at, unsigned *line,
			   unsigned *column)
{
	const char *hit = strstr(text, old);
	ck_assert_msg(hit != NULL, "'%s' is not in the fixture", old);
	size_t len = strlen(text) + strlen(new) + 1;
	char *changed = malloc(len);
	ck_assert_ptr_nonnull(changed);
	snprintf(changed, len, "%.*s%s%s", (int)(hit - text), text, new, hit + strlen(old));
	const char *found = strstr(changed, at);
	ck_assert_ptr_nonnull(found);
	*line = 1;
	const char *start = changed;
	for (const char *c = changed; c < found; c++)
		if (*c == '\n') {
			(*line)++;
			start = c + 1;
		}
	*column = (unsigned)(found - start) + 1;
	const char *path = write_test_file(dir, name, changed);
	free(changed);
	return path;
}

/* Live migrations (hand-made results, points out of order): a line per
 * migration group against the dirty rate, "0" and "250MBps" read as
 * numbers of one unit (bit/s), the zipped variable no series of its own;
 * the migration that did not converge has no downtime ("-") and is a
 * cross, said in the title and key; nothing is inf or nan. */
START_TEST(draws_live_migrations_against_the_dirty_rate)
{
	const char *fixture = src_path("tests/e2e/plot-sweep-migration.jsonl");
	plot_ok((const char *[]){"plot", fixture, "--out", out, NULL});
	picture("sweep-migration-p1");
	char data[sizeof out + 16];
	snprintf(data, sizeof data, "%s/data", out);
	char *dat = file_in(data, "sweep-migration-p1.dat");
	const char *columns = "flows[tcp].migrate.dirty_rate[bit/s] total_time_s downtime_ms hypervisor_cpu_s source_cpu_s "
			      "destination_cpu_s converged round point\n";
	char expected[2048];
	snprintf(expected, sizeof expected,
		 "# tcp | native: %s0 2.5 0 5 2.75 2.25 1 0 0\n2e+09 2.75 14 6 3 3 1 0 1\n1.6e+10 3.25 - 7 3.5 3.5 0 0 2\n\n\n"
		 "# rdma | native: %s0 3 0 0.75 0.5 0.25 1 0 0\n2e+09 3.25 14.5 1 0.5 0.5 1 0 1\n1.6e+10 4.5 84 1 0.5 0.5 1 0 2\n\n\n",
		 columns, columns);
	ck_assert_str_eq(dat, expected);
	ck_assert(!strstr(dat, "nan") && !strstr(dat, "inf"));
	free(dat);
	char *gp = file_in(out, "sweep-migration-p1.gp");
	ck_assert(strstr(gp, "set xtics ('0' 0, '250MBps' 2e+09, '2GBps' 1.6e+10)"));
	ck_assert(strstr(gp, "live migration against flows[tcp].migrate.dirty_rate\\n×: did not converge"));
	ck_assert(strstr(gp, "title 'did not converge'"));
	ck_assert(strstr(gp, "index 0 using 1:($7 > 0 ? $2 : NaN) with linespoints lt") && strstr(gp, "title 'tcp'"));
	ck_assert(strstr(gp, "index 0 using 1:($7 > 0 ? NaN : $2) with points"));   /* the cross of tcp's migration time */
	ck_assert(strstr(gp, "index 1 using 1:($7 > 0 ? $4 : NaN)") && strstr(gp, "title 'rdma'"));
	ck_assert(!strstr(gp, "dirty_rate="));   /* the zipped variable makes no line of its own */
	free(gp);

	/* Bad migrations: located, nothing drawn. */
	remove_tree(out);
	char *text = slurp(fixture), where[WHERE_BYTES];
	ck_assert_ptr_nonnull(text);
	unsigned line, column;
	const char *bad = variant(text, "\"downtime_ms\": 0, ", "", "missing.jsonl", "{\"group\": \"tcp\"", &line, &column);
	snprintf(where, sizeof where, "%s:%u:%u: found a result without \"downtime_ms\"", bad, line, column);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	bad = variant(text, "\"rounds\": 3,", "\"rounds\": \"3\",", "typed.jsonl", "\"3\"", &line, &column);
	snprintf(where, sizeof where, "%s:%u:%u: found a string for \"rounds\"", bad, line, column);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	bad = variant(text, "\"does not converge\"", "\"diverged\"", "result.jsonl", "\"diverged\"", &line, &column);
	snprintf(where, sizeof where, "%s:%u:%u: found the result 'diverged', expected converged, round limit", bad, line, column);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	bad = variant(text, "\"source_cpu_s\": 0.5,", "\"source_cpu_s\": -0.5,", "negative.jsonl", "-0.5", &line, &column);
	snprintf(where, sizeof where, "%s:%u:%u: found -0.5 for \"source_cpu_s\", expected a finite number", bad, line, column);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	bad = variant(text, "\"migrations\": [{", "\"migrations\": 3, \"x\": [{", "array.jsonl", "3, \"x\"", &line, &column);
	snprintf(where, sizeof where, "%s:%u:%u: found a number for \"migrations\", expected an array", bad, line, column);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	bad = variant(text, "\"migrations\": [{", "\"migrations\": [7, {", "object.jsonl", "7, {", &line, &column);
	snprintf(where, sizeof where, "%s:%u:%u: found a number in \"migrations\", expected an object", bad, line, column);
	refused((const char *[]){"plot", bad, "--out", out, NULL}, where);
	/* A bare number other than 0 among quantities is no value of their unit: then the variable is names. */
	bad = variant(text, "\"flows[tcp].migrate.dirty_rate\": 0,", "\"flows[tcp].migrate.dirty_rate\": 5,", "five.jsonl", "5,", &line,
		      &column);
	refused((const char *[]){"plot", bad, "--x", "flows[tcp].migrate.dirty_rate", "--out", out, NULL},
		"--x: found the variable 'flows[tcp].migrate.dirty_rate', expected a numeric variable");
	free(text);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("sweep_plot");
	TCase *tc = tcase_create("sweep_plot");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, draws_throughput_and_p99_against_the_variable);
	tcase_add_test(tc, same_pictures_whatever_the_order_of_lines);
	tcase_add_test(tc, rounds_are_drawn_together);
	tcase_add_test(tc, marks_the_knees_of_a_report);
	tcase_add_test(tc, draws_one_group);
	tcase_add_test(tc, refuses_bad_input_located);
	tcase_add_test(tc, draws_single_flow_results_against_size);
	tcase_add_test(tc, draws_live_migrations_against_the_dirty_rate);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
