/*
 * test_io.c - what the commands read and write, as a hostile or careless
 * user meets it: no output may replace one of the command's inputs (named
 * directly or indirectly, by another spelling, a symbolic or a hard link),
 * no input may block (a FIFO), an empty output path fails before any work,
 * sizes read from a trace obey the scenario's rule, and a file that is not
 * of the kind asked for is never quoted.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"
#include "vrdma/trace/trace.h"

enum { BLOCKED_AFTER_S = 20 };   /* far above any refusal; a blocked open dies of SIGALRM */

static char dir[64];

static const char TINY[] =
	"scenario: tiny\n"
	"preset: PRESET\n"
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
	"options: [OPTION]\n"
	"workload: {verb: write_lat, sizes: [2B], iterations: 20}\n";

static const char *in_dir(const char *name)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, sizeof paths[0], "%s/%s", dir, name);
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void copy_file(const char *from, const char *to)
{
	char *text = slurp(from);
	write_text(to, text);
	free(text);
}

static void copy_binary(const char *from, const char *to)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

/* The tiny scenario with PRESET and OPTION and LINES appended. */
static void write_scenario(const char *path, const char *preset, const char *option, const char *lines)
{
	char text[2048];
	const char *p = strstr(TINY, "PRESET"), *o = strstr(TINY, "OPTION");
	snprintf(text, sizeof text, "%.*s%s%.*s%s%s%s", (int)(p - TINY), TINY, preset, (int)(o - p - 6), p + 6, option,
		 o + 6, lines);
	write_text(path, text);
}

static tool_output run_vrdmasim(const char *const *args)
{
	const char *tool = getenv("VRDMASIM");
	return run_program_within(tool ? tool : "./vrdmasim", args, BLOCKED_AFTER_S);
}

/* ARGS must be refused (status STATUS) saying SAYS, and the file KEPT must
 * be left as it was. */
static void refused_keeping(const char *const *args, int status, const char *says, const char *kept)
{
	char *before = slurp(kept);
	tool_output o = run_vrdmasim(args);
	char *after = slurp(kept);
	ck_assert_msg(o.status == status, "%s %s: status %d (expected %d): %s", args[0], args[1], o.status, status, o.err);
	ck_assert_msg(strstr(o.err, says) != NULL, "%s %s: said '%s', expected '%s'", args[0], args[1], o.err, says);
	ck_assert_msg(strcmp(before, after) == 0, "%s was changed", kept);
	free(before);
	free(after);
	tool_output_free(&o);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
}

static void teardown(void)
{
	remove_tree(dir);
}

/* ---- output over input ---- */

START_TEST(run_output_is_the_scenario)
{
	const char *s = in_dir("s.yaml");
	write_scenario(s, "esxi5-qdr-2012", "native", "");
	ck_assert_int_eq(link(s, in_dir("hard.yaml")), 0);
	ck_assert_int_eq(symlink("s.yaml", in_dir("soft.yaml")), 0);
	char dotted[300];
	snprintf(dotted, sizeof dotted, "%s/./s.yaml", dir);
	const char *outs[] = {s, dotted, in_dir("hard.yaml"), in_dir("soft.yaml")};
	for (size_t k = 0; k < 4; k++) {
		const char *args[] = {"run", s, "--format", "json", "--out", outs[k], NULL};
		refused_keeping(args, 2, "which is the input", s);
	}
	/* the message names both paths */
	tool_output o = run_vrdmasim((const char *[]){"run", s, "--out", in_dir("hard.yaml"), NULL});
	ck_assert_msg(strstr(o.err, "hard.yaml") && strstr(o.err, "s.yaml'"), "%s", o.err);
	tool_output_free(&o);
	/* --keep-platform DIR writes DIR/platform.xml: not over the scenario either */
	const char *platform = in_dir("platform.xml");
	copy_file(s, platform);
	refused_keeping((const char *[]){"run", platform, "--keep-platform", dir, NULL}, 2, "which is the input", platform);
}
END_TEST

/* Inputs named by the scenario: a preset file, an option file, an overlay,
 * a replayed trace. */
START_TEST(run_output_is_an_indirect_input)
{
	copy_file(src_path("models/presets/esxi5-qdr-2012.yaml"), in_dir("p.yaml"));
	copy_file(src_path("models/options/native.yaml"), in_dir("o.yaml"));
	copy_file(src_path("calibration/overlays/published-softroce.yaml"), in_dir("ov.yaml"));
	const char *s = in_dir("s.yaml");
	write_scenario(s, "./p.yaml", "./o.yaml", "calibration: ./ov.yaml\n");
	const char *indirect[] = {"p.yaml", "o.yaml", "ov.yaml"};
	for (size_t k = 0; k < 3; k++) {
		const char *args[] = {"run", s, "--out", in_dir(indirect[k]), NULL};
		refused_keeping(args, 2, "which is the input", in_dir(indirect[k]));
	}
	/* a scenario's trace, and the replay command's */
	const char *trace = in_dir("t.vtrace");
	copy_binary(src_path("scenarios/traces/vrdma-perf-write-lat.vtrace"), trace);
	const char *r = in_dir("r.yaml");
	write_text(r, "scenario: r\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n    - {name: a, vms: 2}\n    - {name: b, vms: 2}\n"
		      "replay: {trace: t.vtrace}\n");
	refused_keeping((const char *[]){"run", r, "--out", trace, NULL}, 2, "which is the input", trace);
	refused_keeping((const char *[]){"replay", trace, "--out", trace, NULL}, 2, "which is the input", trace);
}
END_TEST

START_TEST(calibrate_output_is_an_input)
{
	const char *csv = in_dir("pub.csv");
	copy_file(src_path("calibration/data/published-softroce.csv"), csv);
	const char *fit[] = {"--fit", "per_packet,per_byte"};
	refused_keeping((const char *[]){"calibrate", csv, "--model", "softroce", fit[0], fit[1], "--out", csv, NULL}, 2,
			"which is the input", csv);
	refused_keeping((const char *[]){"calibrate", csv, "--model", "softroce", fit[0], fit[1], "--json", csv, NULL}, 2,
			"which is the input", csv);
	/* the base preset is read by the fit, after the outputs are opened:
	 * refused before anything is renamed into place */
	const char *p = in_dir("p.yaml");
	copy_file(src_path("models/presets/esxi5-qdr-2012.yaml"), p);
	tool_output o = run_vrdmasim((const char *[]){"calibrate", csv, "--model", "softroce", fit[0], fit[1], "--preset", p,
						      "--out", p, NULL});
	ck_assert_msg(o.status != 0 && strstr(o.err, "which is the input"), "status %d: %s", o.status, o.err);
	tool_output_free(&o);
	char *now = slurp(p), *was = slurp(src_path("models/presets/esxi5-qdr-2012.yaml"));
	ck_assert_msg(strcmp(now, was) == 0, "the preset was replaced");
	free(now);
	free(was);
}
END_TEST

/* plot writes into a folder: a results file inside it, named as one of
 * the files the plot writes, stays as it was, and nothing else moves. */
START_TEST(plot_output_is_the_results)
{
	const char *s = in_dir("s.yaml");
	write_scenario(s, "esxi5-qdr-2012", "native", "");
	const char *results = in_dir("latency-write_lat-poll-esxi5-qdr-2012.gp");
	tool_output o = run_vrdmasim((const char *[]){"run", s, "--format", "json", "--out", results, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	refused_keeping((const char *[]){"plot", results, "--out", dir, NULL}, 1, "which is the input", results);
	ck_assert_msg(access(in_dir("latency-write_lat-poll-esxi5-qdr-2012.png"), F_OK) != 0, "a picture was published");
}
END_TEST

START_TEST(chrome_output_is_the_trace)
{
	const char *tool = getenv("VRDMA_TRACE");
	const char *trace = in_dir("t.vtrace");
	copy_binary(src_path("scenarios/traces/vrdma-perf-write-lat.vtrace"), trace);
	ck_assert_int_eq(link(trace, in_dir("hard.vtrace")), 0);
	char dotted[300];
	snprintf(dotted, sizeof dotted, "%s/./t.vtrace", dir);
	const char *outs[] = {trace, dotted, in_dir("hard.vtrace")};
	struct stat before;
	ck_assert_int_eq(stat(trace, &before), 0);
	for (size_t k = 0; k < 3; k++) {
		tool_output o = run_program_within(tool ? tool : "./vrdma-trace", (const char *[]){trace, "--chrome", outs[k], NULL},
						   BLOCKED_AFTER_S);
		ck_assert_msg(o.status == 2 && strstr(o.err, "which is the trace being read"), "status %d: %s", o.status, o.err);
		tool_output_free(&o);
		struct stat after;
		ck_assert_int_eq(stat(trace, &after), 0);
		ck_assert_msg(after.st_size == before.st_size && after.st_ino == before.st_ino, "the trace was replaced");
	}
	/* nor through its temporary file (OUT.tmp) */
	copy_binary(trace, in_dir("c.json.tmp"));
	tool_output o = run_program_within(tool ? tool : "./vrdma-trace",
					   (const char *[]){in_dir("c.json.tmp"), "--chrome", in_dir("c.json"), NULL}, BLOCKED_AFTER_S);
	ck_assert_msg(o.status == 2 && strstr(o.err, "which is the trace being read"), "status %d: %s", o.status, o.err);
	tool_output_free(&o);
}
END_TEST

/* ---- inputs that are not regular files ---- */

START_TEST(fifo_inputs_are_refused_at_once)
{
	const char *fifo = in_dir("fifo.yaml"), *csv = in_dir("fifo.csv"), *trace = in_dir("fifo.vtrace");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(mkfifo(csv, 0600), 0);
	ck_assert_int_eq(mkfifo(trace, 0600), 0);
	const char *s = in_dir("s.yaml");
	write_text(s, "scenario: r\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n    - {name: a, vms: 2}\n    - {name: b, vms: 2}\n"
		      "replay: {trace: fifo.vtrace}\n");
	const char *const cases[][6] = {
		{"validate", fifo, NULL},
		{"run", fifo, NULL},
		{"replay", trace, NULL},
		{"run", s, NULL},
		{"plot", fifo, "--out", dir, NULL},
		{"calibrate", csv, "--model", "softroce", NULL},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		tool_output o = run_vrdmasim(cases[k]);
		ck_assert_msg(o.status == 2 && strstr(o.err, "found a FIFO, expected a regular file"), "%s %s: status %d: %s",
			      cases[k][0], cases[k][1], o.status, o.err);
		tool_output_free(&o);
	}
	/* a perftest output in a dataset folder */
	ck_assert_int_eq(mkdir(in_dir("dataset"), 0700), 0);
	ck_assert_int_eq(mkfifo(in_dir("dataset/write_lat.txt"), 0600), 0);
	tool_output o = run_vrdmasim((const char *[]){"calibrate", in_dir("dataset"), "--model", "softroce", NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "found a FIFO"), "status %d: %s", o.status, o.err);
	tool_output_free(&o);
	const char *tool = getenv("VRDMA_TRACE");
	o = run_program_within(tool ? tool : "./vrdma-trace", (const char *[]){trace, NULL}, BLOCKED_AFTER_S);
	ck_assert_msg(o.status == 2 && strstr(o.err, "found a FIFO, expected a regular file"), "status %d: %s", o.status, o.err);
	tool_output_free(&o);
}
END_TEST

/* ---- outputs that are one file, outputs that are FIFOs ---- */

/* Two outputs of one command naming one file: the second would replace the
 * first, so the command is refused before any work. */
START_TEST(two_outputs_one_file_are_refused)
{
	const char *csv = in_dir("pub.csv"), *x = in_dir("x");
	copy_file(src_path("calibration/data/published-softroce.csv"), csv);
	tool_output o = run_vrdmasim((const char *[]){"calibrate", csv, "--model", "softroce", "--fit", "per_packet,per_byte",
						      "--out", x, "--json", x, NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "the same file as --out"), "status %d: %s", o.status, o.err);
	ck_assert_msg(access(x, F_OK) != 0, "an output was written");
	tool_output_free(&o);
	const char *s = in_dir("s.yaml");
	write_scenario(s, "esxi5-qdr-2012", "native", "");
	ck_assert_int_eq(mkdir(in_dir("kept"), 0700), 0);
	char spelled[300];
	snprintf(spelled, sizeof spelled, "%s/kept/../kept/platform.xml", dir);
	o = run_vrdmasim((const char *[]){"run", s, "--out", spelled, "--keep-platform", in_dir("kept"), NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "the same file as --out") && o.out[0] == '\0', "status %d: %s", o.status,
		      o.err);
	tool_output_free(&o);
}
END_TEST

/* A FIFO as an output: one no process reads is refused, never waited on
 * forever; a platform.xml that is not a regular file is refused before
 * the run (SimGrid reads it back). */
START_TEST(fifo_outputs_do_not_block)
{
	const char *s = in_dir("s.yaml"), *fifo = in_dir("out.fifo");
	write_scenario(s, "esxi5-qdr-2012", "native", "");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	tool_output o = run_vrdmasim((const char *[]){"run", s, "--out", fifo, NULL});
	ck_assert_msg(o.status != 0 && strstr(o.err, "found a FIFO that no process reads"), "status %d: %s", o.status, o.err);
	tool_output_free(&o);
	ck_assert_int_eq(mkdir(in_dir("kept"), 0700), 0);
	ck_assert_int_eq(mkfifo(in_dir("kept/platform.xml"), 0600), 0);
	o = run_vrdmasim((const char *[]){"run", s, "--out", in_dir("r.json"), "--keep-platform", in_dir("kept"), NULL});
	ck_assert_msg(o.status == 2 && strstr(o.err, "which is not a regular file"), "status %d: %s", o.status, o.err);
	tool_output_free(&o);
}
END_TEST

/* ---- outputs checked before any work ---- */

START_TEST(empty_output_fails_before_the_run)
{
	const char *s = in_dir("s.yaml");
	write_scenario(s, "esxi5-qdr-2012", "native", "");
	const char *const cases[][8] = {
		{"run", s, "--out", "", NULL},
		{"run", s, "--keep-platform", "", NULL},
		{"replay", src_path("scenarios/traces/vrdma-perf-write-lat.vtrace"), "--out", "", NULL},
		{"calibrate", src_path("calibration/data/published-softroce.csv"), "--model", "softroce", "--json", "", NULL},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		tool_output o = run_vrdmasim(cases[k]);
		ck_assert_msg(o.status == 2 && strstr(o.err, "not an empty one"), "%s: status %d: %s", cases[k][0], o.status, o.err);
		ck_assert_msg(o.out[0] == '\0', "%s: worked before failing: %s", cases[k][0], o.out);
		tool_output_free(&o);
	}
}
END_TEST

/* ---- files of another kind are not quoted ---- */

START_TEST(foreign_file_is_not_quoted)
{
	write_text(in_dir("shadow"), "root:$6$secret-hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n");
	write_text(in_dir("one-line"), "secret-token-1234\n");
	const char *files[] = {"./shadow", "./one-line"};
	for (size_t k = 0; k < 2; k++) {
		const char *s = in_dir("s.yaml");
		write_scenario(s, files[k], "native", "");
		tool_output o = run_vrdmasim((const char *[]){"validate", s, NULL});
		ck_assert_msg(o.status == 2 && (strstr(o.err, "without 'preset'") || strstr(o.err, "found a single value for a preset")),
			      "status %d: %s", o.status, o.err);
		ck_assert_msg(!strstr(o.err, "secret") && !strstr(o.err, "root"), "quoted the file: %s", o.err);
		tool_output_free(&o);
		/* and as a scenario */
		o = run_vrdmasim((const char *[]){"validate", in_dir(files[k] + 2), NULL});
		ck_assert_msg(o.status == 2 && !strstr(o.err, "secret") && !strstr(o.err, "root"), "quoted the file: %s", o.err);
		tool_output_free(&o);
	}
}
END_TEST

/* ---- sizes read from a trace ---- */

/* The shipped trace with the size of its first send post set to BYTES;
 * returns that record's number and byte offset. */
static uint64_t trace_with_post_size(const char *path, uint64_t bytes, uint64_t *offset)
{
	copy_binary(src_path("scenarios/traces/vrdma-perf-write-lat.vtrace"), path);
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	unsigned char header[VTRACE_HEADER_BYTES], raw[VTRACE_RECORD_BYTES];
	ck_assert_uint_eq(fread(header, 1, sizeof header, f), sizeof header);
	uint32_t config = (uint32_t)header[16] | (uint32_t)header[17] << 8 | (uint32_t)header[18] << 16 | (uint32_t)header[19] << 24;
	uint64_t at = VTRACE_HEADER_BYTES + config;
	for (uint64_t n = 0;; n++, at += VTRACE_RECORD_BYTES) {
		fseek(f, (long)at, SEEK_SET);
		ck_assert_uint_eq(fread(raw, 1, sizeof raw, f), sizeof raw);
		struct vtrace_record r;
		vtrace_record_decode(raw, &r);
		if (r.kind != VTRACE_POST || r.op_id == 0 || ((r.op_id >> 32) & 1u))
			continue;
		r.arg1 = bytes;
		vtrace_record_encode(&r, raw);
		fseek(f, (long)at, SEEK_SET);
		ck_assert_uint_eq(fwrite(raw, 1, sizeof raw, f), sizeof raw);
		fclose(f);
		*offset = at;
		return n;
	}
}

START_TEST(trace_sizes_obey_the_scenario_rule)
{
	const uint64_t sizes[] = {0, UINT64_MAX, (1ull << 30) + 1};
	for (size_t k = 0; k < 3; k++) {
		const char *trace = in_dir("t.vtrace");
		uint64_t offset, n = trace_with_post_size(trace, sizes[k], &offset);
		char says[256];
		snprintf(says, sizeof says, "t.vtrace: record %llu at byte offset %llu: found a post of %llu bytes, expected a size from 1B to 1GiB",
			 (unsigned long long)n, (unsigned long long)offset, (unsigned long long)sizes[k]);
		tool_output o = run_vrdmasim((const char *[]){"replay", trace, "--iterations", "10", NULL});
		ck_assert_msg(o.status == 2 && strstr(o.err, says), "%llu B: status %d: %s\nexpected: %s",
			      (unsigned long long)sizes[k], o.status, o.err, says);
		tool_output_free(&o);
	}
}
END_TEST

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	Suite *suite = suite_create("io");
	TCase *tc = tcase_create("io");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, run_output_is_the_scenario);
	tcase_add_test(tc, run_output_is_an_indirect_input);
	tcase_add_test(tc, calibrate_output_is_an_input);
	tcase_add_test(tc, plot_output_is_the_results);
	tcase_add_test(tc, chrome_output_is_the_trace);
	tcase_add_test(tc, fifo_inputs_are_refused_at_once);
	tcase_add_test(tc, two_outputs_one_file_are_refused);
	tcase_add_test(tc, fifo_outputs_do_not_block);
	tcase_add_test(tc, empty_output_fails_before_the_run);
	tcase_add_test(tc, foreign_file_is_not_quoted);
	tcase_add_test(tc, trace_sizes_obey_the_scenario_rule);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
