/*
 * test_replay.c - vrdmasim replay end to end.
 *
 * The shipped write_lat trace, replayed on both presets, agrees with the
 * vRDMA pipeline within 5% (the bar; in fact within jitter), and
 * its JSON has the keys of a run.  A trace whose structure differs (an
 * extra doorbell per operation) shows the difference in that stage.  Bad
 * traces are refused with the record number and byte offset, exit 2 and
 * no output file.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"
#include "vrdma/trace/trace.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRACE "scenarios/traces/vrdma-perf-write-lat.vtrace"

/* t_typical (µs) of OPTION in a CSV run on PRESET, from its median column. */
static double typical_us(const char *csv, const char *preset, const char *option)
{
	return csv_value(csv, preset, option, "2", "median_us");
}

START_TEST(shipped_trace_agrees_with_pipeline)
{
	const char *presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	const char *args[] = {"replay", src_path(TRACE), "--compare", "--preset", "esxi5-qdr-2012,modern-hdr",
			      "--format", "csv", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	for (int p = 0; p < 2; p++) {
		double trace = typical_us(o.out, presets[p], "vrdma.trace");
		double pipeline = typical_us(o.out, presets[p], "vrdma");
		ck_assert_msg(trace > 0 && pipeline > 0, "%s: no figures in\n%s", presets[p], o.out);
		ck_assert_msg(fabs(trace - pipeline) <= 0.05 * pipeline, "%s: trace %.3f us vs pipeline %.3f us",
			      presets[p], trace, pipeline);
	}
	tool_output_free(&o);
}
END_TEST

/* The headline's trace-driven scenario: `replay:` in a scenario, beside
 * the pipeline and native. */
START_TEST(scenario_names_a_trace)
{
	const char *args[] = {"run", src_path("scenarios/seed-vrdma-write-lat-trace.yaml"), "--format", "csv",
			      "--iterations", "2000", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	double trace = typical_us(o.out, "esxi5-qdr-2012", "vrdma.trace");
	double pipeline = typical_us(o.out, "esxi5-qdr-2012", "vrdma");
	double native = typical_us(o.out, "esxi5-qdr-2012", "native");
	ck_assert_msg(trace > 0 && fabs(trace - pipeline) <= 0.05 * pipeline, "trace %.3f vs pipeline %.3f", trace, pipeline);
	ck_assert_msg(native > 0 && native < pipeline, "native %.3f", native);
	tool_output_free(&o);
}
END_TEST

START_TEST(text_shows_the_trace_and_the_comparison)
{
	const char *args[] = {"replay", src_path(TRACE), "--compare", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "test write_lat"));
	ck_assert_ptr_nonnull(strstr(o.out, "200 send work requests"));
	const char *row = strstr(o.out, "\n doorbell_vm_exit                   doorbell (send) ");
	ck_assert_ptr_nonnull(row);
	ck_assert_ptr_nonnull(strstr(row, "1.000"));
	ck_assert(strstr(row, "1.000") < strchr(row + 1, '\n'));
	ck_assert_ptr_nonnull(strstr(o.out, "vrdma.trace vs vrdma: esxi5-qdr-2012, write_lat"));
	tool_output_free(&o);
}
END_TEST

START_TEST(json_has_the_keys_of_a_run)
{
	const char *args[] = {"replay", src_path(TRACE), "--format", "json", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "\"schema_version\""));
	ck_assert_ptr_nonnull(strstr(o.out, "\"option\": \"vrdma.trace\""));
	ck_assert_ptr_nonnull(strstr(o.out, "\"breakdown_us\""));
	tool_output_free(&o);
}
END_TEST

/* ---- traces written by hand ---- */

static char dir[64];

static void write_file(const char *path, const void *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
	fclose(f);
}

static const char CONFIG[] = "test: write_lat\ntransport: two-host\ncompletion: poll\ntx-depth: 1\ncpu-mhz: 2000\n";

/* A trace of N writes, each: post, wqe-write, DOORBELLS doorbells,
 * wqe-fetch, cqe-write, poll.  Returns its size. */
static size_t make_trace(const char *path, int n, int doorbells, int drop_post_of)
{
	static unsigned char buf[1 << 20];
	size_t at = 0;
	uint32_t version = VTRACE_VERSION, record = 56, config = sizeof CONFIG - 1, zero = 0;
	memcpy(buf, VTRACE_MAGIC, 8);
	memcpy(buf + 8, &version, 4);
	memcpy(buf + 12, &record, 4);
	memcpy(buf + 16, &config, 4);
	memcpy(buf + 20, &zero, 4);
	memcpy(buf + 24, CONFIG, config);
	at = 24 + config;
	uint64_t t = 1000;
	for (int i = 0; i < n; i++) {
		uint64_t op = vtrace_op_id(1, 1, 1, 0, (uint32_t)i);
		struct vtrace_record rs[8];
		int k = 0;
		rs[k++] = (struct vtrace_record){.time_ns = t += 10, .op_id = op, .arg0 = 0, .arg1 = 2, .kind = VTRACE_POST,
						  .actor = VTRACE_ACTOR_GUEST_VCPU, .host = 1, .guest = 1};
		if (i == drop_post_of)
			k--;
		rs[k++] = (struct vtrace_record){.time_ns = t += 10, .op_id = op, .kind = VTRACE_WQE_WRITE,
						  .actor = VTRACE_ACTOR_GUEST_VCPU, .host = 1, .guest = 1};
		for (int d = 0; d < doorbells; d++)
			rs[k++] = (struct vtrace_record){.time_ns = t += 10, .op_id = op, .arg2 = VTRACE_DB_SEND,
							  .kind = VTRACE_DOORBELL, .actor = VTRACE_ACTOR_TRAP_HANDLER,
							  .host = 1, .guest = 1};
		rs[k++] = (struct vtrace_record){.time_ns = t += 10, .op_id = op, .kind = VTRACE_WQE_FETCH,
						  .actor = VTRACE_ACTOR_BACKEND, .host = 1, .guest = 1};
		rs[k++] = (struct vtrace_record){.time_ns = t += 10, .op_id = op, .kind = VTRACE_CQE_WRITE,
						  .actor = VTRACE_ACTOR_BACKEND, .host = 1, .guest = 1};
		rs[k++] = (struct vtrace_record){.time_ns = t += 10, .op_id = op, .arg0 = 1, .kind = VTRACE_POLL,
						  .actor = VTRACE_ACTOR_GUEST_VCPU, .host = 1, .guest = 1};
		for (int j = 0; j < k; j++) {
			vtrace_record_encode(&rs[j], buf + at);
			at += 56;
		}
	}
	write_file(path, buf, at);
	return at;
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
}

static void teardown(void)
{
	remove_tree(dir);
}

/* The comparison's line of STAGE into LINE; 0 when there is none. */
static int stage_line(const char *out, const char *stage, char *line, size_t n)
{
	char key[80];
	snprintf(key, sizeof key, "\n %s ", stage);
	const char *at = strstr(strstr(out, " vs ") ? strstr(out, " vs ") : out, key);
	if (!at)
		return 0;
	at++;
	size_t len = strcspn(at, "\n");
	snprintf(line, n, "%.*s", (int)len, at);
	return 1;
}

/* Two doorbells per write where the pipeline assumes one: the replay pays
 * the exit twice, and the comparison marks exactly those stages. */
START_TEST(extra_doorbell_shows_in_its_stage)
{
	char path[128];
	snprintf(path, sizeof path, "%s/two-doorbells.vtrace", dir);
	make_trace(path, 100, 2, -1);
	const char *args[] = {"replay", path, "--compare", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	char line[256], post[256];
	ck_assert(stage_line(o.out, "doorbell_vm_exit", line, sizeof line));
	ck_assert_msg(strstr(line, "<-") != NULL, "not marked: %s", line);
	ck_assert(stage_line(o.out, "guest_post_send", post, sizeof post));
	ck_assert_msg(strstr(post, "<-") == NULL, "marked: %s", post);
	tool_output_free(&o);
}
END_TEST

/* Measured costs: the trace's own durations of the guest driver's and the
 * backend's work, in the recording machine's cycles, at the preset's
 * clock.  The synthetic trace spends 20 ns from post to doorbell at
 * 2000 MHz: 40 cycles, 17.4 ns at esxi5-qdr-2012's 2.3 GHz. */
START_TEST(measured_costs_scale_with_the_clocks)
{
	char path[128];
	snprintf(path, sizeof path, "%s/measured.vtrace", dir);
	make_trace(path, 100, 1, -1);
	const char *args[] = {"replay", path, "--costs", "measured", "--format", "csv", NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	double post_us = csv_value(o.out, "esxi5-qdr-2012", "vrdma.measured", "2", "breakdown_guest_post_send_us");
	ck_assert_msg(fabs(post_us - 0.0174) < 0.0174 * 0.05, "guest_post_send %.5f us", post_us);
	/* the hardware stays the preset's */
	double hca_us = csv_value(o.out, "esxi5-qdr-2012", "vrdma.measured", "2", "breakdown_hca_tx_us");
	ck_assert_msg(fabs(hca_us - 0.320) < 1e-6, "hca_tx %.5f us", hca_us);
	tool_output_free(&o);
}
END_TEST

static void refused(const char *path, const char *says)
{
	char out[160];
	snprintf(out, sizeof out, "%s/out.json", dir);
	const char *args[] = {"replay", path, "--format", "json", "--out", out, NULL};
	tool_output o = run_tool(args);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, says) != NULL, "expected '%s' in: %s", says, o.err);
	struct stat st;
	ck_assert_msg(stat(out, &st) != 0, "an output file was written");
	tool_output_free(&o);
}

START_TEST(bad_traces)
{
	char path[128];
	snprintf(path, sizeof path, "%s/bad.vtrace", dir);
	/* an event of a work request that was never posted */
	make_trace(path, 10, 1, 3);
	char says[256];
	snprintf(says, sizeof says,
		 "record 18 at byte offset %zu: a 'wqe-write' event of work request 0x0101000200000003, which never started",
		 24 + (sizeof CONFIG - 1) + 18 * 56);
	refused(path, says);
	/* truncated last record */
	size_t n = make_trace(path, 10, 1, -1);
	ck_assert_int_eq(truncate(path, (off_t)(n - 20)), 0);
	refused(path, "found 36 bytes of 56");
	/* unknown version */
	make_trace(path, 10, 1, -1);
	FILE *f = fopen(path, "r+b");
	uint32_t v = 9;
	fseek(f, 8, SEEK_SET);
	fwrite(&v, 4, 1, f);
	fclose(f);
	refused(path, "format version");
	/* unknown event kind */
	make_trace(path, 10, 1, -1);
	f = fopen(path, "r+b");
	uint16_t kind = 99;
	fseek(f, 24 + (long)(sizeof CONFIG - 1) + 56 * 2 + 44, SEEK_SET);
	fwrite(&kind, 2, 1, f);
	fclose(f);
	refused(path, "unknown event kind 99");
	/* time going backwards within one actor */
	make_trace(path, 10, 1, -1);
	f = fopen(path, "r+b");
	uint64_t early = 5;
	fseek(f, 24 + (long)(sizeof CONFIG - 1) + 56 * 6, SEEK_SET);
	fwrite(&early, 8, 1, f);
	fclose(f);
	refused(path, "record 6 at byte offset");
	/* measured costs need the recording machine's clock */
	{
		char cmd[512];
		make_trace(path, 10, 1, -1);
		snprintf(cmd, sizeof cmd, "sed -i 's/cpu-mhz: 2000/cpu-mhz: 0000/' %s", path);
		ck_assert_int_eq(system(cmd), 0);
		char out[160];
		snprintf(out, sizeof out, "%s/out.json", dir);
		const char *args[] = {"replay", path, "--costs", "measured", "--out", out, NULL};
		tool_output o = run_tool(args);
		ck_assert_int_eq(o.status, 2);
		ck_assert_ptr_nonnull(strstr(o.err, "expected it for measured costs"));
		tool_output_free(&o);
	}
	/* not a trace; no such file */
	write_file(path, "hello", 5);
	refused(path, "not a vrdma trace");
	snprintf(path, sizeof path, "%s/missing.vtrace", dir);
	refused(path, "missing.vtrace");
}
END_TEST

START_TEST(bad_command_lines)
{
	const char *none[] = {"replay", NULL};
	tool_output o = run_tool(none);
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "expected a trace file"));
	tool_output_free(&o);
	const char *flag[] = {"replay", src_path(TRACE), "--set", "virt.vm_exit=1us", NULL};
	o = run_tool(flag);
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "--preset, --costs, --compare, --format, --out or --iterations with 'replay'"));
	tool_output_free(&o);
	/* A preset list's errors are located in the argument, at the name. */
	static const struct {
		const char *list, *says;
	} presets[] = {
		{"esxi6", "--preset esxi6:1:1: found preset 'esxi6', expected a built-in preset"},
		{"modern-hdr, esxi6", "--preset modern-hdr, esxi6:1:13: found preset 'esxi6'"},
		{"modern-hdr,modern-hdr", ":1:12: found preset 'modern-hdr' twice, expected each preset once"},
		{"modern-hdr,,esxi6", ":1:12: found an empty preset name, expected preset names or paths"},
	};
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		const char *args[] = {"replay", src_path(TRACE), "--preset", presets[i].list, NULL};
		o = run_tool(args);
		ck_assert_int_eq(o.status, 2);
		ck_assert_msg(strstr(o.err, presets[i].says) != NULL, "expected '%s' in: %s", presets[i].says, o.err);
		tool_output_free(&o);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("replay");
	TCase *t = tcase_create("replay");
	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, shipped_trace_agrees_with_pipeline);
	tcase_add_test(t, scenario_names_a_trace);
	tcase_add_test(t, text_shows_the_trace_and_the_comparison);
	tcase_add_test(t, json_has_the_keys_of_a_run);
	tcase_add_test(t, extra_doorbell_shows_in_its_stage);
	tcase_add_test(t, measured_costs_scale_with_the_clocks);
	tcase_add_test(t, bad_traces);
	tcase_add_test(t, bad_command_lines);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
