/*
 * tests/vrdma/test_perf.c -- vrdma-perf and vrdma-trace as a user runs them.
 *
 * Every test, two hosts and one host, prints perftest's table, which
 * vrdmasim's own perftest reader takes (4.5's text, 24.07's, and the
 * --out_json file: the same figures); bad command lines are refused with
 * exit 2 and leave no trace file; --trace writes a trace whose operations
 * each run from post to poll, which vrdma-trace summarises and converts.
 */
#include "config.h"

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"
#include "calibration/perftest.h"
#include "input/diag.h"
#include "vrdma/trace/trace_read.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *perf_path(void)
{
	const char *p = getenv("VRDMA_PERF");
	return p ? p : "./vrdma-perf";
}

static const char *trace_tool_path(void)
{
	const char *p = getenv("VRDMA_TRACE");
	return p ? p : "./vrdma-trace";
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void parses_as_perftest(const tool_output *o, const char *test, size_t rows)
{
	pt_run run;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(pt_parse_buffer(test, o->out, o->out_len, &run, &diag) == 0, "%s: %s\n%s", test,
		      diag.message, o->out);
	ck_assert_uint_eq(run.row_count, rows);
	for (size_t r = 0; r < run.row_count; r++) {
		ck_assert(run.rows[r].finite);
		if (strstr(test, "lat")) {
			ck_assert(run.rows[r].t_min_us > 0);
			ck_assert(run.rows[r].t_min_us <= run.rows[r].t_typical_us);
			ck_assert(run.rows[r].t_typical_us <= run.rows[r].t_max_us);
		} else {
			ck_assert(run.rows[r].bw_average_bytes_per_s > 0);
			ck_assert(run.rows[r].bw_peak_bytes_per_s >= run.rows[r].bw_average_bytes_per_s);
		}
	}
}

static const char *const TESTS[] = { "write_lat", "read_lat", "send_lat", "write_bw", "read_bw", "send_bw" };

START_TEST(every_test_two_hosts)
{
	const char *test = TESTS[_i];
	int lat = strstr(test, "lat") != NULL;
	const char *args[] = { test, "--demo", "-n", lat ? "200" : "400", "-s", lat ? "3000" : "65536", NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_msg(o.status == 0, "%s: exit %d\n%s", test, o.status, o.err);
	parses_as_perftest(&o, test, 1);
	tool_output_free(&o);
}
END_TEST

START_TEST(every_test_same_host_events)
{
	const char *test = TESTS[_i];
	int lat = strstr(test, "lat") != NULL;
	int events = strcmp(test, "write_lat") != 0; /* write_lat waits on memory */
	const char *args[] = { test, "--same-host", "-n", lat ? "100" : "300", events ? "-e" : "-F", NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_msg(o.status == 0, "%s: exit %d\n%s", test, o.status, o.err);
	parses_as_perftest(&o, test, 1);
	tool_output_free(&o);
}
END_TEST

/* Placed and polling (bench's way), and placed and sleeping: the same
 * tables; pinning needs CPU 0 only. */
START_TEST(pinned_and_polling)
{
	const char *polls[] = { "--backend-poll-us=50", "--backend-poll-us=0" };
	for (int i = 0; i < 2; i++) {
		const char *args[] = { i ? "write_bw" : "write_lat", "--demo", "-n", "200", "--cpu-guest=0",
				       "--cpu-backend=0,0", polls[i], NULL };
		tool_output o = run_program(perf_path(), args);
		ck_assert_msg(o.status == 0, "%s: exit %d\n%s", polls[i], o.status, o.err);
		parses_as_perftest(&o, args[0], 1);
		tool_output_free(&o);
	}
	const char *same[] = { "send_lat", "--same-host", "-n", "200", "--cpu-guest=0,0", "--cpu-backend=0",
			       "--backend-poll-us=50", NULL };
	tool_output o = run_program(perf_path(), same);
	ck_assert_msg(o.status == 0, "same host: exit %d\n%s", o.status, o.err);
	parses_as_perftest(&o, "send_lat", 1);
	tool_output_free(&o);
}
END_TEST

START_TEST(size_sweep_and_loss)
{
	const char *args[] = { "send_lat", "--demo", "-a", "-n", "20", "--loss", "0.02", NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_msg(o.status == 0, "exit %d\n%s", o.status, o.err);
	parses_as_perftest(&o, "send_lat", 23); /* 2 B .. 8 MiB */
	tool_output_free(&o);
}
END_TEST

static const struct {
	const char *args[8];
	const char *says;
} BAD[] = {
	{ { NULL }, "expected a test name" },
	{ { "ping_lat", "--demo", NULL }, "unknown test 'ping_lat'" },
	{ { "write_lat", NULL }, "expected exactly one of --demo" },
	{ { "write_lat", "--demo", "--same-host", NULL }, "found both" },
	{ { "write_lat", "--demo", "-s", "12x", NULL }, "-s: found '12x', expected an integer" },
	{ { "write_lat", "--demo", "-s", "0", NULL }, "-s: found '0'" },
	{ { "write_lat", "--demo", "-s", "99999999999", NULL }, "expected an integer in 1..16777216" },
	{ { "write_lat", "--demo", "-n", "-3", NULL }, "-n: found '-3'" },
	{ { "write_lat", "--demo", "-m", "1000", NULL }, "-m: found '1000', expected 256, 512" },
	{ { "write_lat", "--demo", "-I", "4096", NULL }, "-I: found '4096'" },
	{ { "write_lat", "--demo", "-e", NULL }, "write_lat waits on memory" },
	{ { "read_bw", "--demo", "-I", "64", NULL }, "RDMA READ carries no inline data" },
	{ { "write_lat", "--same-host", "--loss", "0.1", NULL }, "--loss: the same-host path" },
	{ { "write_lat", "--demo", "--loss", "2", NULL }, "expected a probability" },
	{ { "write_lat", "--demo", "--loss", "0x1p-4", NULL }, "expected a probability" },
	{ { "write_lat", "--demo", "--bogus", NULL }, "unknown option '--bogus'" },
	{ { "write_lat", "--demo", "-s", NULL }, "found nothing, expected a value" },
	{ { "write_lat", "--demo", "server.example", NULL }, "found 'server.example'" },
	{ { "write_lat", "--demo", "-a", "-s", "8", NULL }, "found both -a and -s" },
	{ { "write_lat", "--demo", "-q", "2", NULL }, "-q: found 2, expected 1" },
	{ { "write_bw", "--demo", "-q", "0", NULL }, "-q: found '0', expected an integer in 1..64" },
	{ { "write_bw", "--demo", "-q", "65", NULL }, "-q: found '65'" },
	{ { "write_bw", "--demo", "--perftest_version=5.0", NULL }, "--perftest_version: found '5.0', expected 4.5 (MB/sec) or 24.07" },
	{ { "write_bw", "--demo", "--out_json", "--out_json_file=", NULL }, "--out_json_file: found an empty name" },
	{ { "write_lat", "--demo", "--cpu-guest=x", NULL }, "--cpu-guest: found 'x', expected an integer" },
	{ { "write_lat", "--demo", "--cpu-backend=0,", NULL }, "--cpu-backend: found '', expected an integer" },
	{ { "write_lat", "--demo", "--cpu-guest=,1", NULL }, "--cpu-guest: found ',1', expected CPU or CPU,CPU" },
	{ { "write_lat", "--demo", "--backend-poll-us=-1", NULL }, "--backend-poll-us: found '-1'" },
	{ { "write_lat", "--same-host", "--migrate-at=5", NULL }, "--migrate-at: found it with --same-host" },
	{ { "write_bw", "--demo", "--migrate-at=5", NULL }, "--migrate-at: found it with a bandwidth test" },
	{ { "write_lat", "--demo", "-n", "10", "--migrate-at=10", NULL }, "--migrate-at: found 10, expected an iteration before the last (at most 9)" },
	{ { "write_lat", "--demo", "--migrate-at=0", NULL }, "--migrate-at: found '0'" },
};

START_TEST(bad_command_lines)
{
	char dir[64], trace[128];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(trace, sizeof trace, "%s/t.vtrace", dir);
	/* the test name, then --trace FILE, then the case's options */
	const char *args[12];
	size_t n = 0;
	if (BAD[_i].args[0] != NULL) {
		args[n++] = BAD[_i].args[0];
		args[n++] = "--trace";
		args[n++] = trace;
		for (size_t k = 1; BAD[_i].args[k]; k++)
			args[n++] = BAD[_i].args[k];
	}
	args[n] = NULL;
	tool_output o = run_program(perf_path(), args);
	ck_assert_msg(o.status == 2, "case %d: exit %d", _i, o.status);
	ck_assert_msg(strstr(o.err, BAD[_i].says) != NULL, "case %d: stderr was: %s", _i, o.err);
	ck_assert(!exists(trace));
	tool_output_free(&o);
	rmdir(dir);
}
END_TEST

START_TEST(unwritable_trace_is_refused)
{
	const char *args[] = { "write_lat", "--demo", "-n", "10", "--trace", "/nonexistent-dir/t.vtrace", NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "/nonexistent-dir/t.vtrace") != NULL, "%s", o.err);
	tool_output_free(&o);
}
END_TEST

/* Every operation of a traced write_lat runs post -> ... -> poll with
 * the mechanism events between, in time order per actor (the reader
 * checks that). */
START_TEST(trace_of_write_lat)
{
	char dir[64], trace[128], chrome[128];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(trace, sizeof trace, "%s/w.vtrace", dir);
	snprintf(chrome, sizeof chrome, "%s/w.json", dir);
	const char *args[] = { "write_lat", "--demo", "-n", "50", "--trace", trace, NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	char err[512];
	struct vtrace_reader *r = vtrace_reader_open(trace, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	char mhz[64];
	ck_assert_int_eq(vtrace_config_get(vtrace_reader_config(r), "cpu-mhz", mhz, sizeof mhz), 1);
	ck_assert(atof(mhz) >= 0);
	unsigned counts[VTRACE_KIND_COUNT_] = { 0 };
	struct vtrace_record rec;
	int rc;
	while ((rc = vtrace_reader_next(r, &rec, err, sizeof err)) == 1)
		counts[rec.kind]++;
	ck_assert_msg(rc == 0, "%s", err);
	vtrace_reader_close(r);
	/* 50 iterations, a write from each guest */
	ck_assert_uint_eq(counts[VTRACE_POST], 100);
	ck_assert_uint_eq(counts[VTRACE_WQE_FETCH], 100);
	ck_assert_uint_ge(counts[VTRACE_DOORBELL], 100);
	/* a retransmission (a UDP packet lost or late on a loaded machine)
	 * reads its payload again and may write it again; completions stay
	 * exactly one per work request */
	unsigned resent = counts[VTRACE_RETRANSMIT];
	ck_assert_uint_ge(counts[VTRACE_DMA_READ], 100);
	ck_assert_uint_le(counts[VTRACE_DMA_READ], 100 + resent);
	ck_assert_uint_ge(counts[VTRACE_DMA_WRITE], 100);
	ck_assert_uint_le(counts[VTRACE_DMA_WRITE], 100 + resent);
	ck_assert_uint_ge(counts[VTRACE_PACKET_TX], 200); /* request and ACK */
	ck_assert_uint_eq(counts[VTRACE_CQE_WRITE], 100);
	ck_assert_uint_eq(counts[VTRACE_POLL], 100);
	ck_assert_uint_ge(counts[VTRACE_COMMAND], 20);
	const char *sargs[] = { trace, "--json", NULL };
	o = run_program(trace_tool_path(), sargs);
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "rdma-write"));
	tool_output_free(&o);
	const char *cargs[] = { trace, "--chrome", chrome, NULL };
	o = run_program(trace_tool_path(), cargs);
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert(exists(chrome));
	tool_output_free(&o);
	unlink(trace);
	unlink(chrome);
	rmdir(dir);
}
END_TEST

/* Several QPs: the bandwidth tests deal the messages round them; a trace
 * of it replays with every QP's window in flight at once. */
START_TEST(many_qps_and_their_replay)
{
	char dir[64], trace[128];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(trace, sizeof trace, "%s/q.vtrace", dir);
	const char *tests[] = { "write_bw", "read_bw", "send_bw" };
	for (int t = 0; t < 3; t++) {
		const char *args[] = { tests[t], t == 1 ? "--demo" : "--same-host", "-q", "4", "-t", "8", "-n", "400",
				       "--trace", trace, NULL };
		tool_output o = run_program(perf_path(), args);
		ck_assert_msg(o.status == 0, "%s: %s", tests[t], o.err);
		ck_assert_ptr_nonnull(strstr(o.out, "Number of qps   : 4"));
		parses_as_perftest(&o, tests[t], 1);
		tool_output_free(&o);
	}
	const char *replay[] = { "replay", trace, NULL };
	tool_output o = run_tool(replay);
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_msg(strstr(o.out, "send_bw, one host, completion by poll, 4 QPs, tx depth 8 per QP") != NULL, "%s",
		      o.err);
	tool_output_free(&o);
	unlink(trace);
	rmdir(dir);
}
END_TEST

/* --migrate-at: the client moves live mid-run under loss; the run
 * succeeds, reports the pause each side saw (table and JSON), its trace
 * marks the steps, and the trace replays with the steps in the breakdown. */
START_TEST(migration_mid_run_and_its_replay)
{
	char dir[64], trace[128], json[128];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(trace, sizeof trace, "%s/m.vtrace", dir);
	snprintf(json, sizeof json, "%s/m.json", dir);
	const char *tests[] = { "write_lat", "send_lat", "read_lat" };
	for (int t = 0; t < 3; t++) {
		const char *args[] = { tests[t], "--demo", "-n", "60", "--migrate-at", "30", "--loss", "0.1",
				       "--trace", trace, "--out_json", "--out_json_file", json, NULL };
		tool_output o = run_program(perf_path(), args);
		ck_assert_msg(o.status == 0, "%s: %s", tests[t], o.err);
		parses_as_perftest(&o, tests[t], 1);
		ck_assert_msg(strstr(o.out, "Migration: the client's guest moved from host 2 to host 3 before iteration 30"),
			      "%s", o.out);
		ck_assert_ptr_nonnull(strstr(o.out, " client   "));
		ck_assert_ptr_nonnull(strstr(o.out, "steps[usec]: quiesce "));
		char *j = read_file(json);
		ck_assert_ptr_nonnull(j);
		ck_assert_ptr_nonnull(strstr(j, "\"migration\": {"));
		ck_assert_ptr_nonnull(strstr(j, "\"client_pause_us\": "));
		free(j);
		tool_output_free(&o);
		const char *summary[] = { trace, NULL };
		o = run_program(trace_tool_path(), summary);
		ck_assert_msg(o.status == 0, "%s", o.err);
		ck_assert_ptr_nonnull(strstr(o.out, "migrate-quiesce"));
		ck_assert_ptr_nonnull(strstr(o.out, "migrate-transfer"));
		ck_assert_ptr_nonnull(strstr(o.out, "migrate-register"));
		ck_assert_ptr_nonnull(strstr(o.out, "migrate-reconnect"));
		tool_output_free(&o);
		const char *replay[] = { "replay", trace, NULL };
		o = run_tool(replay);
		ck_assert_msg(o.status == 0, "%s: %s", tests[t], o.err);
		ck_assert_msg(strstr(o.out, "live migration in the trace (measured; the model's estimate follows): quiesce ") != NULL,
			      "%s", o.out);
		/* the model's transfer is the guest memory over the preset's
		 * link: within what 8 to 200 Gb/s would take (units hold) */
		const char *copied = strstr(o.out, " B of guest memory copied");
		const char *row = strstr(o.out, "\n transfer ");
		ck_assert_msg(copied && row && strstr(o.out, "\n pause (sum) "), "%s", o.out);
		const char *digits = copied;
		while (digits > o.out && digits[-1] >= '0' && digits[-1] <= '9')
			digits--;
		double memory_bytes = strtod(digits, NULL), trace_us = 0, model_us = 0;
		ck_assert_int_eq(sscanf(row, "\n transfer %lf %lf", &trace_us, &model_us), 2);
		ck_assert_msg(memory_bytes > 0 && trace_us > 0, "%s", o.out);
		ck_assert_msg(model_us > memory_bytes * 8 / 200e9 * 1e6 && model_us < memory_bytes * 8 / 8e9 * 1e6,
			      "model transfer %g us for %g B", model_us, memory_bytes);
		tool_output_free(&o);
	}
	unlink(trace);
	unlink(json);
	rmdir(dir);
}
END_TEST

/* A send_lat trace pre-posts receives; the replay counts the receive side
 * against the receives that completed, so it agrees with the pipeline. */
START_TEST(send_lat_replay_agrees)
{
	char dir[64], trace[128];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(trace, sizeof trace, "%s/s.vtrace", dir);
	const char *args[] = { "send_lat", "--same-host", "-n", "100", "--trace", trace, NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	const char *replay[] = { "replay", trace, "--compare", "--iterations", "3000", "--format", "csv", NULL };
	o = run_tool(replay);
	ck_assert_msg(o.status == 0, "%s", o.err);
	double t = csv_value(o.out, "esxi5-qdr-2012", "vrdma-local.trace", "2", "median_us");
	double p = csv_value(o.out, "esxi5-qdr-2012", "vrdma-local", "2", "median_us");
	ck_assert_msg(t > 0 && fabs(t - p) <= 0.01 * p, "trace %.3f us vs pipeline %.3f us", t, p);
	tool_output_free(&o);
	unlink(trace);
	rmdir(dir);
}
END_TEST

/* --help (what help2man reads: to stdout, exit 0) and --version. */
START_TEST(help_and_version)
{
	static const char *const help[][3] = {{"--help", NULL}, {"write_lat", "-h", NULL}};
	for (size_t k = 0; k < 2; k++) {
		tool_output o = run_program(perf_path(), help[k]);
		ck_assert_int_eq(o.status, 0);
		ck_assert_ptr_nonnull(strstr(o.out, "Usage: vrdma-perf TEST"));
		ck_assert_ptr_nonnull(strstr(o.out, "  -V, --version  "));
		tool_output_free(&o);
	}
	static const char *const version[][3] = {{"--version", NULL}, {"-V", NULL}, {"write_bw", "--version", NULL}};
	for (size_t k = 0; k < 3; k++) {
		tool_output o = run_program(perf_path(), version[k]);
		ck_assert_int_eq(o.status, 0);
		ck_assert_str_eq(o.out, "vrdma-perf (vrdmasim) " PACKAGE_VERSION "\n");
		tool_output_free(&o);
	}
}
END_TEST

/* What vrdma-perf prints in each of perftest's formats is read back by
 * vrdmasim's perftest reader (calibration/perftest.h): 4.5's and 24.07's
 * text and the --out_json file, which holds the same figures as the text's
 * (last) row, bit for bit. */
START_TEST(formats_round_trip)
{
	static const struct {
		const char *test, *size, *version;
		int gbits;
		pt_bw_unit unit;
	} cases[] = {
		{ "write_lat", "64", "24.07", 0, PT_UNIT_NONE }, { "send_bw", "4096", "24.07", 0, PT_UNIT_MIB },
		{ "write_bw", "4096", "4.5", 0, PT_UNIT_MB },    { "read_bw", "2", "24.07", 1, PT_UNIT_GB },
		{ "send_lat", NULL, "24.07", 0, PT_UNIT_NONE },  /* -a: the JSON holds the last size */
	};
	char dir[64], json[128];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(json, sizeof json, "%s/report.json", dir);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char version[40];
		snprintf(version, sizeof version, "--perftest_version=%s", cases[i].version);
		const char *args[16] = { cases[i].test, "--same-host", "-n", cases[i].size ? "100" : "5", version, "--out_json",
					 "--out_json_file", json };
		size_t n = 8;
		if (cases[i].size) {
			args[n++] = "-s";
			args[n++] = cases[i].size;
		} else {
			args[n++] = "-a";
		}
		if (cases[i].gbits)
			args[n++] = "--report_gbits";
		tool_output o = run_program(perf_path(), args);
		ck_assert_msg(o.status == 0, "%s: exit %d\n%s", cases[i].test, o.status, o.err);
		static pt_run text, from_json;
		vr_diag diag;
		vr_diag_clear(&diag);
		ck_assert_msg(pt_parse_buffer("out.txt", o.out, o.out_len, &text, &diag) == 0, "%s: %s\n%s", cases[i].test,
			      diag.message, o.out);
		ck_assert_msg(pt_parse_file(json, &from_json, &diag) == 0, "%s: %s", cases[i].test, diag.message);
		ck_assert_uint_eq(text.row_count, cases[i].size ? 1 : 23);
		ck_assert_int_eq(text.bw_unit, cases[i].unit);
		ck_assert_int_eq(from_json.bw_unit, cases[i].unit == PT_UNIT_MB ? PT_UNIT_MIB : cases[i].unit);
		ck_assert_int_eq(from_json.verb, text.verb);
		ck_assert_double_eq(from_json.mtu_bytes, text.mtu_bytes);
		ck_assert_double_eq(from_json.tx_depth, text.tx_depth);
		const pt_row *t = &text.rows[text.row_count - 1], *j = &from_json.rows[0];
		const double tv[] = { t->size_bytes, t->iterations, t->t_min_us, t->t_typical_us, t->t_p999_us, t->bw_peak_bytes_per_s,
				      t->bw_average_bytes_per_s, t->msg_rate_per_s };
		const double jv[] = { j->size_bytes, j->iterations, j->t_min_us, j->t_typical_us, j->t_p999_us, j->bw_peak_bytes_per_s,
				      j->bw_average_bytes_per_s, j->msg_rate_per_s };
		for (size_t k = 0; k < sizeof tv / sizeof tv[0]; k++)
			ck_assert_msg(isnan(tv[k]) ? isnan(jv[k]) : tv[k] == jv[k], "%s: field %zu: text %.17g, JSON %.17g",
				      cases[i].test, k, tv[k], jv[k]);
		tool_output_free(&o);
	}
	/* a file it cannot write: exit 2, named */
	const char *args[] = { "write_lat", "--same-host", "-n", "10", "--out_json", "--out_json_file=/nonexistent-dir/r.json", NULL };
	tool_output o = run_program(perf_path(), args);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "cannot write '/nonexistent-dir/r.json'") != NULL, "%s", o.err);
	tool_output_free(&o);
	remove_tree(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma-perf");
	TCase *t = tcase_create("cli");
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, every_test_two_hosts, 0, 6);
	tcase_add_loop_test(t, every_test_same_host_events, 0, 6);
	tcase_add_test(t, size_sweep_and_loss);
	tcase_add_test(t, pinned_and_polling);
	tcase_add_test(t, formats_round_trip);
	tcase_add_test(t, help_and_version);
	tcase_add_loop_test(t, bad_command_lines, 0, (int)(sizeof BAD / sizeof BAD[0]));
	tcase_add_test(t, unwritable_trace_is_refused);
	tcase_add_test(t, trace_of_write_lat);
	tcase_add_test(t, many_qps_and_their_replay);
	tcase_add_test(t, send_lat_replay_agrees);
	tcase_add_test(t, migration_mid_run_and_its_replay);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
