/*
 * test_knee.c - `vrdmasim sweep` with a target, end to end, on a small
 * flows scenario whose vRDMA backend saturates as the QPs of an open-loop
 * group grow (each QP offers 50k ops/s; 100 operations each; the target on the
 * median, which rises with the load without the noise of a p99 of 100):
 *   - bisection in rounds finds the knee and bracket a dense grid finds;
 *   - the knee table is printed and --knees writes the report (JSON);
 *   - the per-round recipe (--list-points --round R --from, --point K
 *     --round R, merge) gives the lines -j 2 gives, task by task and with
 *     GNU parallel as the README writes it (skipped, saying so, without
 *     `parallel`);
 *   - the shipped studies (scenarios/capacity-*.yaml) run and answer;
 *   - a throughput target against the offered load;
 *   - a sweep killed with SIGKILL in round 1, then resumed, gives the
 *     lines of an uninterrupted run (sorted, "ran" aside);
 *   - --resume on a finished results file runs nothing and prints the
 *     knees again; --round beyond refine: and an incomplete earlier round
 *     are refused.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCENARIO(GRID, REFINE)                                                        \
	"scenario: knee-qps\npreset: modern-hdr\nseed: 3\n"                              \
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"         \
	"options: [vrdma, sriov]\n"                                                       \
	"flows:\n  - name: load\n    between: {pairs: [a/0, b/0]}\n    qps: 1\n"          \
	"    workload: {verb: write_lat, sizes: [64B], iterations: 100}\n"                \
	"    load: {open_loop: 50k/s per qp}\n"                                           \
	"sweep:\n  grid:\n    flows[load].qps: " GRID "\n"                                \
	"    flows[load].workload.sizes: [64B, 1KiB]\n"                                   \
	"  target: {require: p50 <= 4us, refine: " REFINE "}\n"

static char work[256];
static const char *tool;

static void setup(void)
{
	snprintf(work, sizeof work, "%s", temp_dir());
	tool = getenv("VRDMASIM") ? getenv("VRDMASIM") : "./vrdmasim";
	write_test_file(work, "s.yaml", SCENARIO("[1, 4, 16, 24]", "6"));
	write_test_file(work, "dense.yaml", SCENARIO("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]", "0"));
}

static void teardown(void)
{
	remove_tree(work);
}

static tool_output shell(const char *script)
{
	char text[4096];
	snprintf(text, sizeof text, "cd '%s' && VRDMASIM='%s' && %s", work, tool, script);
	return run_program("/bin/sh", (const char *[]){"-c", text, NULL});
}

static tool_output shell_ok(const char *script)
{
	tool_output o = shell(script);
	ck_assert_msg(o.status == 0, "%s: status %d: %s", script, o.status, o.err);
	return o;
}

/* NAME's lines without "ran", sorted, joined; every line whole. */
/* NAME in the work folder. */
static const char *in_work_path(const char *name)
{
	static char path[2][512];
	static int turn;
	turn = !turn;
	snprintf(path[turn], sizeof path[turn], "%s/%s", work, name);
	return path[turn];
}

static void assert_same_lines(const char *a, const char *b)
{
	char *x = sweep_lines_canonical(in_work_path(a), NULL), *y = sweep_lines_canonical(in_work_path(b), NULL);
	ck_assert_msg(strcmp(x, y) == 0, "%s and %s hold different lines", a, b);
	free(x);
	free(y);
}

/* The knee entries of a --knees report, "rounds" aside: one per line. */
static char *knees_without_rounds(const char *name)
{
	char *text = read_file(in_work_path(name));
	for (char *r; (r = strstr(text, ", \"rounds\": "));) {
		char *end = strchr(r, '}');
		memmove(r, end, strlen(end) + 1);
	}
	char *first = strstr(text, "\"knees\": [");
	ck_assert_ptr_nonnull(first);
	memmove(text, first, strlen(first) + 1);
	return text;
}

START_TEST(bisection_finds_the_dense_grid_knee)
{
	tool_output o = shell_ok("\"$VRDMASIM\" sweep s.yaml -j 2 --out r.jsonl --knees k.json && "
				 "\"$VRDMASIM\" sweep dense.yaml -j 2 --out d.jsonl --knees dk.json");
	ck_assert_msg(strstr(o.out, "# knees: the largest flows[load].qps with p50 <= 4us\n") != NULL, "table: %s", o.out);
	ck_assert_msg(strstr(o.out, "preset      option  at                               knee  meets_up_to  fails_from  rounds\n") != NULL,
		      "table: %s", o.out);
	tool_output_free(&o);
	char *refined = knees_without_rounds("k.json"), *dense = knees_without_rounds("dk.json");
	ck_assert_msg(strstr(refined, "\"option\": \"vrdma\"") && strstr(refined, "\"fails_from\": null"), "%s", refined);
	ck_assert_msg(strcmp(refined, dense) == 0, "bisection:\n%s\ndense grid:\n%s", refined, dense);
	char *report = read_file(in_work_path("k.json"));
	ck_assert(strstr(report, "{\"tool\": \"vrdmasim\", \"kind\": \"knees\", \"scenario\": \"knee-qps\", \"target\": \"p50 <= 4us\", "
				 "\"variable\": \"flows[load].qps\", \"knees\": [") == report);
	/* 1KiB: (4, 16) then 10, 13, 11, 12: knee 12; 64B: (16, 24) then 20, 18, 17: knee 16 */
	ck_assert_ptr_nonnull(strstr(report, "\"option\": \"vrdma\", \"coordinates\": {\"flows[load].workload.sizes\":\"1KiB\"}, \"knee\": 12, "
					     "\"meets_up_to\": 12, \"fails_from\": 13, \"rounds\": 5}"));
	ck_assert_ptr_nonnull(strstr(report, "\"knee\": 16, \"meets_up_to\": 16, \"fails_from\": 17, \"rounds\": 4}"));
	free(report);
	free(refined);
	free(dense);
}
END_TEST

START_TEST(per_round_recipe_gives_the_j_lines)
{
	tool_output_free(&(tool_output){0});
	tool_output o = shell_ok(
		"\"$VRDMASIM\" sweep s.yaml -j 2 --out ref.jsonl > /dev/null && "
		"\"$VRDMASIM\" sweep s.yaml --list-points | while IFS='\t' read k rest; do "
		"  \"$VRDMASIM\" sweep s.yaml --point $k --out r0-$k.jsonl || exit 1; done && "
		"\"$VRDMASIM\" merge r0-*.jsonl --out all.jsonl && "
		"for r in 1 2 3 4 5 6; do "
		"  \"$VRDMASIM\" sweep s.yaml --list-points --round $r --from all.jsonl > list-$r || exit 1; "
		"  [ -s list-$r ] || break; "
		"  while IFS='\t' read k rest; do "
		"    SLURM_ARRAY_TASK_ID=$k; \"$VRDMASIM\" sweep s.yaml --round $r --from all.jsonl --point $SLURM_ARRAY_TASK_ID "
		"      --out r$r-$k.jsonl || exit 1; done < list-$r; "
		"  \"$VRDMASIM\" merge all.jsonl r$r-*.jsonl --out next.jsonl && mv next.jsonl all.jsonl || exit 1; "
		"done && \"$VRDMASIM\" sweep s.yaml --out all.jsonl --resume --knees k.json");
	ck_assert_msg(strstr(o.out, "# knees:") != NULL, "the finished results' knees: %s", o.out);
	tool_output_free(&o);
	assert_same_lines("ref.jsonl", "all.jsonl");
	char *lines = read_file(in_work_path("ref.jsonl"));
	ck_assert_msg(strstr(lines, "\"round\":2") != NULL, "the test needs at least two rounds of refinement");
	free(lines);
}
END_TEST

/* Start `sweep s.yaml -j 2 --out OUT` (--resume when RESUME). */
static pid_t start_sweep(const char *out, int resume)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (chdir(work) != 0 || !freopen("/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(tool, tool, "sweep", "s.yaml", "-j", "2", "--out", out, resume ? "--resume" : NULL, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Does NAME hold a line of round 1? */
static int holds_round_one(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", work, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[65536];
	int found = 0;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "\"round\":1,") != NULL;
	fclose(f);
	return found;
}

START_TEST(killed_in_round_one_then_resumed_gives_the_same_lines)
{
	tool_output_free(&(tool_output){0});
	tool_output o = shell_ok("\"$VRDMASIM\" sweep s.yaml -j 2 --out ref.jsonl");
	tool_output_free(&o);
	pid_t pid = start_sweep("killed.jsonl", 0);
	int status = 0, exited = 0;
	for (int i = 0; i < 20000 && !holds_round_one("killed.jsonl"); i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		usleep(500);
	}
	if (!exited) {
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	}
	ck_assert_msg(!exited && WIFSIGNALED(status), "the sweep ended before round 1 could be interrupted (status %d)", status);
	o = shell_ok("\"$VRDMASIM\" sweep s.yaml -j 2 --out killed.jsonl --resume");
	tool_output_free(&o);
	assert_same_lines("ref.jsonl", "killed.jsonl");
}
END_TEST

/* The README's per-round GNU parallel recipe, as written there. */
START_TEST(gnu_parallel_per_round_recipe_gives_the_j_lines)
{
	tool_output which = shell("command -v parallel");
	int absent = which.status != 0;
	tool_output_free(&which);
	if (absent) {
		fprintf(stderr, "test_knee: skipped the GNU parallel recipe: 'parallel' is not installed (Debian package parallel)\n");
		return;
	}
	tool_output o = shell_ok(
		"\"$VRDMASIM\" sweep s.yaml -j 2 --out ref.jsonl > /dev/null && "
		"\"$VRDMASIM\" sweep s.yaml --list-points | "
		"  parallel --colsep '\\t' \"$VRDMASIM\" sweep s.yaml --point {1} --out r0-{1}.jsonl && "
		"\"$VRDMASIM\" merge r0-*.jsonl --out all.jsonl && "
		"for r in 1 2 3 4 5 6; do "
		"  \"$VRDMASIM\" sweep s.yaml --list-points --round $r --from all.jsonl > list-$r || exit 1; "
		"  [ -s list-$r ] || break; "
		"  parallel --colsep '\\t' \"$VRDMASIM\" sweep s.yaml --round $r --from all.jsonl "
		"    --point {1} --out r$r-{1}.jsonl :::: list-$r || exit 1; "
		"  \"$VRDMASIM\" merge all.jsonl r$r-*.jsonl --out next.jsonl && mv next.jsonl all.jsonl || exit 1; "
		"done && \"$VRDMASIM\" sweep s.yaml --out all.jsonl --resume --knees knees.json");
	tool_output_free(&o);
	assert_same_lines("ref.jsonl", "all.jsonl");
}
END_TEST

/* The shipped studies run and answer (the backend one with fewer
 * operations per VM, to keep make check fast). */
START_TEST(the_shipped_studies_answer)
{
	char backend[1024];   /* src_path's buffer is static */
	snprintf(backend, sizeof backend, "%s", src_path("scenarios/capacity-vrdma-backend.yaml"));
	char script[3072];
	snprintf(script, sizeof script, "\"$VRDMASIM\" sweep '%s' -j 2 --iterations 200 --out backend.jsonl && "
		 "\"$VRDMASIM\" sweep '%s' -j 2 --out qps.jsonl --knees qps.json",
		 backend, src_path("scenarios/capacity-qps.yaml"));
	tool_output o = shell_ok(script);
	ck_assert_msg(strstr(o.out, "# knees: the largest topology.hosts[*].vms with p99 <= 10us\n") != NULL, "%s", o.out);
	ck_assert_msg(strstr(o.out, "# knees: the largest flows[load].qps with p99 <= 2x first\n") != NULL, "%s", o.out);
	tool_output_free(&o);
	char *report = read_file(in_work_path("qps.json"));
	size_t entries = 0;
	for (const char *p = report; (p = strstr(p, "\"knee\": ")); p++)
		entries++;
	ck_assert_uint_eq(entries, 6);   /* two presets, three options */
	ck_assert_msg(strstr(report, "\"option\": \"vrdma\", \"coordinates\": {}, \"knee\": null") == NULL, "%s", report);
	free(report);
}
END_TEST

/* throughput >= 50% of the offered load: the group's QPs' arrival rates
 * summed (50k/s each); vRDMA's backend delivers about 0.86 M/s of the
 * 3.2 M/s 64 QPs offer, SR-IOV 2.7 M/s. */
START_TEST(throughput_against_the_offered_load)
{
	write_test_file(work, "t.yaml",
			"scenario: knee-throughput\npreset: modern-hdr\nseed: 3\n"
			"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
			"options: [vrdma, sriov]\n"
			"flows:\n  - name: load\n    between: {pairs: [a/0, b/0]}\n    qps: 1\n"
			"    workload: {verb: write_lat, sizes: [1KiB], iterations: 100}\n"
			"    load: {open_loop: 50k/s per qp}\n"
			"sweep:\n  grid:\n    flows[load].qps: [1, 4, 16, 64]\n"
			"  target: {require: throughput >= 50%, group: load}\n");
	tool_output o = shell_ok("\"$VRDMASIM\" sweep t.yaml -j 2 --out t.jsonl --knees t.json");
	tool_output_free(&o);
	char *report = read_file(in_work_path("t.json"));
	ck_assert_msg(strstr(report, "\"option\": \"vrdma\", \"coordinates\": {}, \"knee\": 16, \"meets_up_to\": 16, \"fails_from\": 64") != NULL,
		      "%s", report);
	ck_assert_msg(strstr(report, "\"option\": \"sriov\", \"coordinates\": {}, \"knee\": 64, \"meets_up_to\": 64, \"fails_from\": null") != NULL,
		      "%s", report);
	free(report);
}
END_TEST

START_TEST(rounds_are_refused_out_of_order)
{
	tool_output o = shell_ok("\"$VRDMASIM\" sweep s.yaml --point 0 --out part.jsonl");
	tool_output_free(&o);
	o = shell("\"$VRDMASIM\" sweep s.yaml --list-points --round 1 --from part.jsonl");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "part.jsonl: found 1 of the 8 points of round 0, expected every point of the rounds before") != NULL, "%s",
		      o.err);
	tool_output_free(&o);
	o = shell("\"$VRDMASIM\" sweep s.yaml --list-points --round 7 --from part.jsonl");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "found --round 7, expected a round the target's 'refine:' asks for") != NULL, "%s", o.err);
	tool_output_free(&o);
	o = shell("\"$VRDMASIM\" sweep s.yaml --knees k.json");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "found no --out, expected --out FILE") != NULL, "%s", o.err);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("knee_e2e");
	TCase *tc = tcase_create("knees");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bisection_finds_the_dense_grid_knee);
	tcase_add_test(tc, per_round_recipe_gives_the_j_lines);
	tcase_add_test(tc, killed_in_round_one_then_resumed_gives_the_same_lines);
	tcase_add_test(tc, gnu_parallel_per_round_recipe_gives_the_j_lines);
	tcase_add_test(tc, the_shipped_studies_answer);
	tcase_add_test(tc, throughput_against_the_offered_load);
	tcase_add_test(tc, rounds_are_refused_out_of_order);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
