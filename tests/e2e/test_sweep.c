/*
 * test_sweep.c - `vrdmasim sweep` and `vrdmasim merge` end to end, on tiny
 * points (write_lat, a few thousand iterations):
 *   - -j 2 writes the same lines as -j 1 (sorted, "ran" aside);
 *   - a sweep killed with SIGKILL at random instants (-j 2), then resumed
 *     until it ends, writes the same lines as an uninterrupted one, and a
 *     partial last line (a write a kill cut) is dropped, said, and run
 *     again; SIGINT stops it with whole lines only;
 *   - the README's recipes: GNU parallel (--list-points, --point, merge;
 *     skipped with a message when `parallel` is not installed) and a
 *     Slurm job array (SLURM_ARRAY_TASK_ID set by hand) give the -j lines;
 *   - merge refuses the files of another sweep and a point twice with other
 *     results; sweep refuses an existing --out without --resume.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { POINTS = 12, KILLS_MAX = 40 };

static const char SWEEP[] =
	"scenario: tiny-sweep\npreset: modern-hdr\nseed: 11\n"
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
	"options: [native]\nworkload: {verb: write_lat, sizes: [2B], iterations: 4000}\n"
	"sweep:\n  grid:\n    workload.sizes: [2B, 64B, 4KiB]\n    completion: [poll, event]\n"
	"  zip:\n    virt.vm_exit: [1800cycles, 2400cycles]\n";

static char work[256];
static const char *tool;

static void setup(void)
{
	snprintf(work, sizeof work, "%s", temp_dir());
	tool = getenv("VRDMASIM") ? getenv("VRDMASIM") : "./vrdmasim";
	write_test_file(work, "s.yaml", SWEEP);
}

static void teardown(void)
{
	remove_tree(work);
}

static const char *in_work(const char *name)
{
	static char path[2][512];
	static int turn;
	turn ^= 1;
	snprintf(path[turn], sizeof path[turn], "%s/%s", work, name);
	return path[turn];
}

/* Run SCRIPT with /bin/sh in the work folder, $VRDMASIM the tool. */
static tool_output shell(const char *script)
{
	char text[4096];
	snprintf(text, sizeof text, "cd '%s' && VRDMASIM='%s' && %s", work, tool, script);
	return run_program("/bin/sh", (const char *[]){"-c", text, NULL});
}

static void sweep_ok(const char *script)
{
	tool_output o = shell(script);
	ck_assert_msg(o.status == 0, "%s: status %d: %s", script, o.status, o.err);
	tool_output_free(&o);
}

/* The -j 2 reference run, canonical. */
static char *reference(void)
{
	sweep_ok("\"$VRDMASIM\" sweep s.yaml -j 2 --out ref.jsonl");
	size_t n;
	char *text = sweep_lines_canonical(in_work("ref.jsonl"), &n);
	ck_assert_uint_eq(n, POINTS);
	return text;
}

static void assert_same(const char *expected, const char *file)
{
	size_t n;
	char *got = sweep_lines_canonical(in_work(file), &n);
	ck_assert_msg(strcmp(got, expected) == 0, "%s differs from the uninterrupted -j 2 run", file);
	free(got);
}

START_TEST(two_workers_write_what_one_writes)
{
	char *expected = reference();
	tool_output o = shell("\"$VRDMASIM\" sweep s.yaml -j 1 --out one.jsonl");
	ck_assert_int_eq(o.status, 0);
	ck_assert_msg(o.err[0] == '\0', "not a terminal: nothing on stderr, found: %s", o.err);
	tool_output_free(&o);
	assert_same(expected, "one.jsonl");
	free(expected);
}
END_TEST

START_TEST(list_points_reads_as_index_tab_coordinates)
{
	tool_output o = run_tool((const char *[]){"sweep", in_work("s.yaml"), "--list-points", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert(strstr(o.out, "0\tworkload.sizes=2B completion=poll virt.vm_exit=1800cycles\n") == o.out);
	ck_assert_ptr_nonnull(strstr(o.out, "\n11\tworkload.sizes=4KiB completion=event virt.vm_exit=2400cycles\n"));
	tool_output_free(&o);
}
END_TEST

static pid_t start_sweep(const char *out, int resume)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (chdir(work) != 0 || !freopen("/dev/null", "w", stderr))
			_exit(126);
		execl(tool, tool, "sweep", "s.yaml", "-j", "2", "--out", out, resume ? "--resume" : NULL, (char *)NULL);
		_exit(127);
	}
	return pid;
}

START_TEST(killed_and_resumed_writes_what_an_uninterrupted_run_writes)
{
	char *expected = reference();
	unsigned seed = (unsigned)time(NULL);
	srand(seed);
	int finished = 0, kills = 0;
	for (int attempt = 0; attempt < KILLS_MAX && !finished; attempt++) {
		pid_t pid = start_sweep("killed.jsonl", attempt > 0);
		usleep((useconds_t)(rand() % 250000));
		kills += kill(pid, SIGKILL) == 0;
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		ck_assert_msg(finished || WIFSIGNALED(status), "attempt %d: status %d (seed %u)", attempt, status, seed);
	}
	if (!finished)   /* the last of KILLS_MAX attempts was killed too */
		sweep_ok("\"$VRDMASIM\" sweep s.yaml -j 2 --out killed.jsonl --resume");
	ck_assert_int_ge(kills, 1);
	assert_same(expected, "killed.jsonl");
	free(expected);
}
END_TEST

/* A kill in the middle of a write leaves a partial last line: --resume
 * drops it, says so, and runs its point again. */
START_TEST(resume_drops_a_partial_last_line)
{
	char *expected = reference();
	char *text = read_file(in_work("ref.jsonl"));
	char *third = strchr(strchr(strchr(text, '\n') + 1, '\n') + 1, '\n') + 1;
	third[200] = '\0';   /* two whole lines, then 200 bytes of the third */
	write_test_file(work, "torn.jsonl", text);
	free(text);
	tool_output o = shell("\"$VRDMASIM\" sweep s.yaml -j 2 --out torn.jsonl --resume");
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_msg(strstr(o.err, "dropped a partial last line (200 bytes)") != NULL, "said: %s", o.err);
	tool_output_free(&o);
	assert_same(expected, "torn.jsonl");
	free(expected);
}
END_TEST

START_TEST(interrupt_leaves_whole_lines)
{
	pid_t pid = start_sweep("interrupted.jsonl", 0);
	usleep(150000);
	kill(pid, SIGINT);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg((WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
		      "status %d", status);
	struct stat st;
	if (stat(in_work("interrupted.jsonl"), &st) == 0) {
		size_t n;
		free(sweep_lines_canonical(in_work("interrupted.jsonl"), &n));   /* fails on a partial line */
		ck_assert_uint_le(n, POINTS);
	}
}
END_TEST

START_TEST(gnu_parallel_recipe_gives_the_j_results)
{
	tool_output which = shell("command -v parallel");
	int absent = which.status != 0;
	tool_output_free(&which);
	if (absent) {
		fprintf(stderr, "test_sweep: skipped the GNU parallel recipe: 'parallel' is not installed (Debian package parallel)\n");
		return;
	}
	char *expected = reference();
	sweep_ok("\"$VRDMASIM\" sweep s.yaml --list-points | parallel --colsep '\\t' -j 2 "
		 "\"$VRDMASIM\" sweep s.yaml --point {1} --out part-{1}.jsonl && "
		 "\"$VRDMASIM\" merge part-*.jsonl --out merged.jsonl");
	assert_same(expected, "merged.jsonl");
	free(expected);
}
END_TEST

START_TEST(slurm_array_recipe_gives_the_j_results)
{
	char *expected = reference();
	char script[1024];
	snprintf(script, sizeof script,
		 "for t in $(seq 0 %d); do SLURM_ARRAY_TASK_ID=$t sh -c '\"$0\" sweep s.yaml --point $SLURM_ARRAY_TASK_ID "
		 "--out part-$SLURM_ARRAY_TASK_ID.jsonl' \"$VRDMASIM\" || exit 1; done && "
		 "\"$VRDMASIM\" merge part-*.jsonl part-3.jsonl --out merged.jsonl",
		 POINTS - 1);
	sweep_ok(script);
	assert_same(expected, "merged.jsonl");
	free(expected);
}
END_TEST

START_TEST(merge_refuses_another_sweep_and_disagreeing_points)
{
	free(reference());
	/* another sweep: the same points of a scenario that differs */
	char other[sizeof SWEEP + 32];
	snprintf(other, sizeof other, "%s", SWEEP);
	memcpy(strstr(other, "seed: 11"), "seed: 12", 8);
	write_test_file(work, "other.yaml", other);
	sweep_ok("\"$VRDMASIM\" sweep other.yaml --point 0 --out other.jsonl");
	tool_output o = shell("\"$VRDMASIM\" merge ref.jsonl other.jsonl --out m.jsonl");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "other.jsonl:1:1: found the results of another sweep") != NULL, "%s", o.err);
	tool_output_free(&o);
	/* point 0 again, with a median that moved */
	sweep_ok("\"$VRDMASIM\" sweep s.yaml --point 0 --out p0.jsonl && sed 's/\"median\":[0-9]/\"median\":9/' p0.jsonl > moved.jsonl");
	o = shell("\"$VRDMASIM\" merge ref.jsonl moved.jsonl --out m.jsonl");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "found point 0 again with other results") != NULL, "%s", o.err);
	tool_output_free(&o);
	struct stat st;
	ck_assert_int_ne(stat(in_work("m.jsonl"), &st), 0);
	/* the same point again with the same results: one line */
	sweep_ok("\"$VRDMASIM\" merge ref.jsonl p0.jsonl --out m.jsonl");
	size_t n;
	free(sweep_lines_canonical(in_work("m.jsonl"), &n));
	ck_assert_uint_eq(n, POINTS);
	/* an existing --out without --resume */
	o = shell("\"$VRDMASIM\" sweep s.yaml --out ref.jsonl");
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "expected a new file (or --resume") != NULL, "%s", o.err);
	tool_output_free(&o);
}
END_TEST

/* docs/scenario-format.md's example sweep loads, point by point, and its
 * points run (two of them, with few iterations). */
START_TEST(the_documented_example_runs)
{
	char *doc = read_file(src_path("docs/scenario-format.md"));
	char *section = strstr(doc, "## Sweeps: `sweep:`");
	ck_assert_ptr_nonnull(section);
	char *begin = strstr(section, "```yaml\n"), *end = begin ? strstr(begin + 8, "```") : NULL;
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	write_test_file(work, "doc.yaml", begin + 8);
	free(doc);
	sweep_ok("\"$VRDMASIM\" validate doc.yaml && \"$VRDMASIM\" sweep doc.yaml --list-points > points.txt && "
		 "test $(wc -l < points.txt) = 16 && \"$VRDMASIM\" sweep doc.yaml --point 15 --iterations 200 --out d.jsonl && "
		 "\"$VRDMASIM\" sweep doc.yaml --point 0 --iterations 200 --out d.jsonl --resume");
	size_t n;
	free(sweep_lines_canonical(in_work("d.jsonl"), &n));
	ck_assert_uint_eq(n, 2);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, two_workers_write_what_one_writes);
	tcase_add_test(tc, list_points_reads_as_index_tab_coordinates);
	tcase_add_test(tc, killed_and_resumed_writes_what_an_uninterrupted_run_writes);
	tcase_add_test(tc, resume_drops_a_partial_last_line);
	tcase_add_test(tc, interrupt_leaves_whole_lines);
	tcase_add_test(tc, gnu_parallel_recipe_gives_the_j_results);
	tcase_add_test(tc, slurm_array_recipe_gives_the_j_results);
	tcase_add_test(tc, merge_refuses_another_sweep_and_disagreeing_points);
	tcase_add_test(tc, the_documented_example_runs);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
