/*
 * test_bounds.c - the extreme-value sweep, generated from the parameter
 * table (models/params.def through mdl_param_defs, not a hand list).
 *
 * Every parameter alone (--set) at each end of its accepted range (0 when
 * the row accepts it, its minimum, its maximum) runs
 *   - a scenario of every option with every latency and bandwidth verb at
 *     the smallest (1 B) and the largest (1 GiB) message, polling for the
 *     lower ends and events for the upper ones, and
 *   - a replay of the shipped trace with measured costs, every option beside,
 *   - a many-flow run (ping-pongs, a size mix, an open loop of reads) on
 *     the shared servers, caches and PCIe of four options,
 *   - a vRDMA VM's migration (models/vrdma_migration.h) at the ends of its
 *     grid: no QP and 2^24 QPs, no memory and 64 TiB,
 * and must exit 0 with nothing on stderr (no abort, no SimGrid deadlock, no
 * sanitizer report) and no inf or nan in its JSON.  Just outside each end,
 * `validate` must refuse the value, quoting the bound's reason.  A trace's
 * clock (cpu-mhz) obeys cpu.frequency's bounds: the replay runs at both
 * ends, and refuses inf, nan and values outside with the reason.
 * Every parameter at once at the same end runs finite too, single flows
 * and many.
 * docs/parameters.md lists every row's bounds and reason.
 * Few iterations and one process per scenario and end keep it to seconds.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"
#include "models/params.h"

#include <check.h>
#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACE "scenarios/traces/vrdma-perf-write-lat.vtrace"

static const char *const OPTIONS =
	"[native, passthrough, sriov, sriov-local, softroce-directpath, softroce-pvnic, softroce-pvnic-local,"
	" softroce-loopback, vrdma, vrdma-local]";
static const char *const VERBS[] = {"write_lat", "send_lat", "read_lat", "write_bw", "read_bw", "send_bw"};
enum { VERB_COUNT = sizeof VERBS / sizeof VERBS[0] };

static char dir[64], sweep_poll[128], sweep_event[128], replay[128], clocked_trace[128], clocked_replay[128];
static char flows_poll[128], flows_event[128], vmig[128];

/* The unit --set writes a canonical value in (see input/units.h). */
static const char *const unit_of[] = {
	[VR_Q_TIME] = "ns", [VR_Q_RATE] = "bps", [VR_Q_SIZE] = "B", [VR_Q_FREQ] = "Hz",
	[VR_Q_RATIO] = "", [VR_Q_COUNT] = "",
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_sweep(const char *path, const char *completion)
{
	char text[4096];
	int n = snprintf(text, sizeof text,
			 "scenario: bounds-sweep\npreset: [modern-hdr]\n"
			 "topology:\n  hosts:\n    - {name: host-a, vms: 2}\n    - {name: host-b, vms: 1}\n"
			 "options: %s\nworkloads:\n", OPTIONS);
	for (size_t v = 0; v < VERB_COUNT; v++)
		n += snprintf(text + n, sizeof text - (size_t)n,
			      "  - {verb: %s, sizes: [1B, 1GiB], iterations: 2, warmup: 1}\n", VERBS[v]);
	snprintf(text + n, sizeof text - (size_t)n, "completion: %s\n", completion);
	write_file(path, text);
}

/* A many-flow run at PATH: ping-pongs, a stream with a size mix and an
 * open loop of reads, on shared servers, caches and PCIe, for the options
 * of each kind of server. */
static void write_flows(const char *path, const char *completion)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: bounds-flows\npreset: [modern-hdr]\ncompletion: %s\n"
		 "topology:\n  hosts:\n    - {name: host-a, vms: 2}\n    - {name: host-b, vms: 2}\n"
		 "options: [native, sriov, softroce-pvnic, vrdma]\nflows:\n"
		 "  - {name: ping, between: {pairs: [host-a/0-1, host-b/0-1]}, workload: {verb: send_lat, sizes: [1B], iterations: 3}}\n"
		 "  - {name: mix, between: {from: host-b/0, to: host-a/0}, qps: 2,\n"
		 "     workload: {verb: write_bw, size_mix: {1B: 1, 64KiB: 1}, iterations: 4}}\n"
		 "  - {name: reads, between: {from: host-a/1, to: host-b/1}, workload: {verb: read_bw, sizes: [4KiB], iterations: 4},\n"
		 "     load: {open_loop: 100k/s per qp}}\n",
		 completion);
	write_file(path, text);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
	snprintf(sweep_poll, sizeof sweep_poll, "%s/sweep-poll.yaml", dir);
	snprintf(sweep_event, sizeof sweep_event, "%s/sweep-event.yaml", dir);
	snprintf(replay, sizeof replay, "%s/replay.yaml", dir);
	write_sweep(sweep_poll, "poll");
	write_sweep(sweep_event, "event");
	snprintf(flows_poll, sizeof flows_poll, "%s/flows-poll.yaml", dir);
	snprintf(flows_event, sizeof flows_event, "%s/flows-event.yaml", dir);
	write_flows(flows_poll, "poll");
	write_flows(flows_event, "event");
	snprintf(vmig, sizeof vmig, "%s/vmig.yaml", dir);
	write_file(vmig, "scenario: bounds-vmig\npreset: [modern-hdr]\n"
			 "topology:\n  hosts:\n    - {name: host-a}\n    - {name: host-b}\n    - {name: host-c}\n"
			 "vrdma_migration:\n  qps: [0, 16777216]\n  registered_memory: [0B, 65536GiB]\n"
			 "  in_flight: {requests: 32768, size: 1GiB}\n  registration: during_precopy\n  precopy: first_round\n");
	char text[4096];
	snprintf(text, sizeof text,
		 "scenario: bounds-replay\npreset: [modern-hdr]\n"
		 "topology:\n  hosts:\n    - {name: host-a, vms: 2}\n    - {name: host-b, vms: 2}\n"
		 "replay: {trace: \"%s\", costs: measured, iterations: 3}\n"
		 "options: [native, passthrough, sriov, softroce-directpath, softroce-pvnic, vrdma]\n",
		 src_path(TRACE));
	write_file(replay, text);
	snprintf(clocked_trace, sizeof clocked_trace, "%s/clocked.vtrace", dir);
	snprintf(clocked_replay, sizeof clocked_replay, "%s/clocked.yaml", dir);
	snprintf(text, sizeof text,
		 "scenario: bounds-clock\npreset: [esxi5-qdr-2012, modern-hdr]\n"
		 "topology:\n  hosts:\n    - {name: host-a, vms: 2}\n    - {name: host-b, vms: 2}\n"
		 "replay: {trace: clocked.vtrace, costs: measured, iterations: 3, compare: true}\n");
	write_file(clocked_replay, text);
}

/* The shipped trace as if recorded at a clock of MHZ (at most 8
 * characters: the configuration keeps its length, padded with spaces). */
static void write_clocked_trace(const char *mhz)
{
	static const char KEY[] = "cpu-mhz: 2596.122";
	FILE *f = fopen(src_path(TRACE), "rb");
	ck_assert_ptr_nonnull(f);
	static char bytes[1 << 20];
	size_t n = fread(bytes, 1, sizeof bytes, f);
	fclose(f);
	ck_assert_uint_lt(n, sizeof bytes);
	char *at = memmem(bytes, n, KEY, strlen(KEY));
	ck_assert_ptr_nonnull(at);
	char value[16];
	snprintf(value, sizeof value, "%-8s", mhz);
	ck_assert_uint_eq(strlen(value), 8);
	memcpy(at + strlen("cpu-mhz: "), value, 8);
	f = fopen(clocked_trace, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

/* The folder and whatever is in it (an output a failing run left). */
static void teardown(void)
{
	nftw(dir, remove_entry, 4, FTW_DEPTH | FTW_PHYS);
}

/* Does TEXT hold the word inf or nan (as printf writes a non-finite
 * double), in any case? */
static const char *non_finite(const char *text)
{
	for (const char *p = text; *p; p++) {
		if (p > text && isalpha((unsigned char)p[-1]))
			continue;
		if ((!strncasecmp(p, "inf", 3) || !strncasecmp(p, "nan", 3)) && !isalpha((unsigned char)p[3]))
			return p;
	}
	return NULL;
}

/* --set NAME=VALUE for parameter ID in BUF. */
static const char *set_arg(int id, double value, char *buf, size_t len)
{
	snprintf(buf, len, "%s=%.17g%s", mdl_param_defs[id].name, value, unit_of[mdl_param_defs[id].kind]);
	return buf;
}

/* A value at an end of its own range may still break a relation with
 * another parameter (hca.blueflame_max at most hca.inline_max): then run
 * and validate must both refuse it as bad input, and not for its bounds. */
static int refused_by_relation(const char *scenario, const char *set, const tool_output *run, int id)
{
	if (run->status != 2 || strstr(run->err, mdl_param_defs[id].why))
		return 0;
	const char *args[] = {"validate", scenario, "--set", set, NULL};
	tool_output o = run_tool(args);
	int same = o.status == 2 && strcmp(o.err, run->err) == 0;
	tool_output_free(&o);
	return same;
}

/* Run SCENARIO with SET (parameter ID); append a line to FAILURES if it
 * misbehaves. */
static void run_one(const char *scenario, int id, const char *set, char *failures, size_t len)
{
	const char *args[] = {"run", scenario, "--format", "json", "--set", set, NULL};
	tool_output o = run_tool(args);
	const char *bad = non_finite(o.out);
	const char *what = refused_by_relation(scenario, set, &o, id) ? NULL
			 : o.status != 0 ? "failed" : *o.err ? "spoke on stderr"
			 : bad ? "wrote a non-finite number"
			 : !strstr(o.out, "\"results\"") && !strstr(o.out, "\"flow_results\"") &&
			   !strstr(o.out, "\"vrdma_migration_results\"") ? "wrote no results" : NULL;
	if (what) {
		size_t n = strlen(failures);
		snprintf(failures + n, len - n, "  --set %s on %s %s (exit %d): %.200s%.60s\n", set,
			 strrchr(scenario, '/') + 1, what, o.status, o.err, bad ? bad : "");
	}
	tool_output_free(&o);
}

/* The accepted ends of parameter ID: 0 when the row accepts it, MIN, MAX. */
static size_t ends_of(int id, double ends[3])
{
	const mdl_param_def *def = &mdl_param_defs[id];
	size_t n = 0;
	if (def->zero_allowed)
		ends[n++] = 0;
	ends[n++] = def->min;
	ends[n++] = def->max;
	return n;
}

START_TEST(every_parameter_at_each_end_runs_finite)
{
	static char failures[1 << 16];
	failures[0] = '\0';
	size_t runs = 0;
	for (int id = 0; id < MDL_PARAM_COUNT; id++) {
		double ends[3];
		size_t n = ends_of(id, ends);
		for (size_t e = 0; e < n; e++) {
			char set[200];
			set_arg(id, ends[e], set, sizeof set);
			run_one(e + 1 < n ? sweep_poll : sweep_event, id, set, failures, sizeof failures);
			run_one(replay, id, set, failures, sizeof failures);
			run_one(e + 1 < n ? flows_poll : flows_event, id, set, failures, sizeof failures);
			run_one(vmig, id, set, failures, sizeof failures);
			runs += 4;
		}
	}
	ck_assert_msg(failures[0] == '\0', "of %zu runs:\n%s", runs, failures);
}
END_TEST

/* Every parameter at once at the same end: the lowest accepted value (0
 * where accepted), the minimum, the maximum, as a scenario's overrides. */
START_TEST(all_parameters_at_once_at_each_end_run_finite)
{
	static char failures[1 << 14];
	failures[0] = '\0';
	char path[160];
	snprintf(path, sizeof path, "%s/all-at-once.yaml", dir);
	for (int run = 0; run < 6; run++) {
		int end = run % 3;
		static char text[1 << 15];
		FILE *f = fopen(run < 3 ? sweep_poll : flows_poll, "r");
		ck_assert_ptr_nonnull(f);
		size_t n = fread(text, 1, sizeof text - 1, f);
		fclose(f);
		n += (size_t)snprintf(text + n, sizeof text - n, "overrides:\n");
		for (int id = 0; id < MDL_PARAM_COUNT; id++) {
			const mdl_param_def *d = &mdl_param_defs[id];
			double v = end == 2 ? d->max : end == 0 && d->zero_allowed ? 0 : d->min;
			n += (size_t)snprintf(text + n, sizeof text - n, "  %s: %.17g%s\n", d->name, v, unit_of[d->kind]);
		}
		write_file(path, text);
		const char *args[] = {"run", path, "--format", "json", NULL};
		tool_output o = run_tool(args);
		const char *bad = non_finite(o.out);
		if (o.status != 0 || *o.err || bad) {
			size_t k = strlen(failures);
			snprintf(failures + k, sizeof failures - k, "  %s, end %d: exit %d: %.300s%.60s\n",
				 run < 3 ? "single flows" : "many flows", end, o.status, o.err, bad ? bad : "");
		}
		tool_output_free(&o);
	}
	ck_assert_msg(failures[0] == '\0', "all parameters at once:\n%s", failures);
}
END_TEST

/* Just outside each end, validate refuses with the row's reason. */
START_TEST(validate_refuses_just_outside_each_end)
{
	static char failures[1 << 16];
	failures[0] = '\0';
	for (int id = 0; id < MDL_PARAM_COUNT; id++) {
		const mdl_param_def *def = &mdl_param_defs[id];
		/* Sizes and counts are whole numbers: one below, one above. */
		int whole = def->kind == VR_Q_SIZE || def->kind == VR_Q_COUNT;
		double outside[] = {whole ? def->min - 1 : def->min * 0.5, whole ? def->max + 1 : def->max * 1.5};
		for (size_t k = 0; k < 2; k++) {
			if (outside[k] == 0 && def->zero_allowed)
				continue;
			char set[200];
			set_arg(id, outside[k], set, sizeof set);
			const char *args[] = {"validate", sweep_poll, "--set", set, NULL};
			tool_output o = run_tool(args);
			if (o.status != 2 || !strstr(o.err, def->why)) {
				size_t n = strlen(failures);
				snprintf(failures + n, sizeof failures - n, "  --set %s: exit %d: %.300s\n", set, o.status,
					 o.err);
			}
			tool_output_free(&o);
		}
	}
	ck_assert_msg(failures[0] == '\0', "accepted or refused without the reason:\n%s", failures);
}
END_TEST

/* MHz of cpu.frequency's bound BOUND_HZ, as a trace writes it. */
static void mhz_of(double bound_hz, char *buf, size_t len)
{
	snprintf(buf, len, "%.10g", bound_hz / 1e6);
}

START_TEST(trace_clock_at_each_end_runs_finite)
{
	const mdl_param_def *f = &mdl_param_defs[MDL_CPU_FREQUENCY];
	const double ends[] = {f->min, f->max};
	for (size_t e = 0; e < 2; e++) {
		char mhz[32];
		mhz_of(ends[e], mhz, sizeof mhz);
		write_clocked_trace(mhz);
		const char *args[] = {"run", clocked_replay, "--format", "json", NULL};
		tool_output o = run_tool(args);
		ck_assert_msg(o.status == 0 && !*o.err, "cpu-mhz %s: exit %d: %s", mhz, o.status, o.err);
		ck_assert_msg(!non_finite(o.out), "cpu-mhz %s: %.80s", mhz, non_finite(o.out));
		tool_output_free(&o);
	}
}
END_TEST

/* `vrdmasim replay --costs measured` of a trace with an impossible clock
 * aborted (duration is not finite): refused, located, with the reason. */
START_TEST(trace_clock_outside_is_refused)
{
	const mdl_param_def *f = &mdl_param_defs[MDL_CPU_FREQUENCY];
	char below[32], above[32];
	mhz_of(f->min * 0.5, below, sizeof below);
	mhz_of(f->max * 1.5, above, sizeof above);
	/* (0 is "not recorded": test_replay.c) */
	const char *values[] = {"inf", "1e308", "nan", "-1", "1e-300", below, above, "2.5GHz", "0x1.p+12" /* 4096 as a hex float */};
	for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
		write_clocked_trace(values[k]);
		char out[160];
		snprintf(out, sizeof out, "%s/out.json", dir);
		const char *args[] = {"replay", clocked_trace, "--costs", "measured", "--format", "json", "--out", out, NULL};
		tool_output o = run_tool(args);
		ck_assert_msg(o.status == 2, "cpu-mhz %s: exit %d: %s", values[k], o.status, o.err);
		ck_assert_msg(strstr(o.err, "clocked.vtrace: byte offset ") && strstr(o.err, "cpu-mhz") &&
			      strstr(o.err, f->why), "cpu-mhz %s: %s", values[k], o.err);
		ck_assert_msg(access(out, F_OK) != 0, "cpu-mhz %s: wrote %s", values[k], out);
		tool_output_free(&o);
	}
}
END_TEST

/* docs/parameters.md has a row per parameter, as the registry says. */
START_TEST(docs_list_every_bound_and_its_reason)
{
	static const char *const unit[] = {
		[VR_Q_TIME] = " ns", [VR_Q_RATE] = " bit/s", [VR_Q_SIZE] = " B", [VR_Q_FREQ] = " Hz",
		[VR_Q_RATIO] = "", [VR_Q_COUNT] = "",
	};
	FILE *f = fopen(src_path("docs/parameters.md"), "r");
	ck_assert_ptr_nonnull(f);
	static char doc[1 << 17];
	size_t n = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[n] = '\0';
	for (int id = 0; id < MDL_PARAM_COUNT; id++) {
		const mdl_param_def *d = &mdl_param_defs[id];
		char row[1024];
		snprintf(row, sizeof row, "| `%s` | %s%g%s to %g%s | %s | %s |\n", d->name, d->zero_allowed ? "0 or " : "",
			 d->min, unit[d->kind], d->max, unit[d->kind], d->meaning, d->why);
		ck_assert_msg(strstr(doc, row), "docs/parameters.md lacks the row\n%s", row);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bounds");
	TCase *t = tcase_create("bounds");
	tcase_set_timeout(t, 900);
	/* unchecked: set up once, and torn down even after a failure */
	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_add_test(t, docs_list_every_bound_and_its_reason);
	tcase_add_test(t, validate_refuses_just_outside_each_end);
	tcase_add_test(t, every_parameter_at_each_end_runs_finite);
	tcase_add_test(t, all_parameters_at_once_at_each_end_run_finite);
	tcase_add_test(t, trace_clock_at_each_end_runs_finite);
	tcase_add_test(t, trace_clock_outside_is_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
