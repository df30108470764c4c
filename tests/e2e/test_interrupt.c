/*
 * test_interrupt.c - SIGINT or SIGTERM during a command leaves nothing
 * behind: no output, no temporary output file, no platform folder in
 * $TMPDIR, no plot working folder; and the process dies of the signal (a
 * shell or batch system sees the interrupt, not an ordinary failure).
 *
 * Each command runs in a fresh folder with its outputs there and TMPDIR
 * pointing at a subfolder.  The test waits until the command is mid-way
 * (its temporary output exists, or the plot's working folder) and sends the
 * signal.  SimGrid catches SIGINT at initialisation to print its actors and
 * exit(1): the runs check that vrdmasim takes the signal back.
 * `calibrate` finishes in a fraction of a second: it is interrupted at
 * increasing delays, and each outcome must be whole (both outputs) or
 * nothing (no file), never one output of two or a temporary file.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_MIDWAY_SECONDS = 120 };

static char work[4096];

static const char LONG_RUN[] =
	"scenario: interrupted\npreset: modern-hdr\n"
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
	"options: [native]\nworkload: {verb: write_lat, sizes: [2B], iterations: 100000000}\ncompletion: poll\n";

static void setup(void)
{
	snprintf(work, sizeof work, "%s", temp_dir());
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s/tmp", work);
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	char scenario[4200];
	snprintf(scenario, sizeof scenario, "%s/long.yaml", work);
	FILE *f = fopen(scenario, "w");
	ck_assert_ptr_nonnull(f);
	fputs(LONG_RUN, f);
	fclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(work, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Start vrdmasim with ARGS in the work folder, TMPDIR in work/tmp. */
static pid_t start(const char *const *args)
{
	const char *tool = getenv("VRDMASIM") ? getenv("VRDMASIM") : "./vrdmasim";
	const char *argv[32] = {tool};
	size_t n = 1;
	for (; args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	/* Check's runner catches SIGINT and SIGTERM to kill the test's process
	 * group: the child must not run its handler if the signal comes
	 * before the exec. */
	sigset_t interrupts, old;
	sigemptyset(&interrupts);
	sigaddset(&interrupts, SIGINT);
	sigaddset(&interrupts, SIGTERM);
	sigprocmask(SIG_BLOCK, &interrupts, &old);
	pid_t pid = fork();
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		char tmp[4200];
		snprintf(tmp, sizeof tmp, "%s/tmp", work);
		setenv("TMPDIR", tmp, 1);
		if (chdir(work) != 0 || !freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* An entry of FOLDER (relative to work) whose name starts with PREFIX. */
static int has_entry(const char *folder, const char *prefix)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", work, folder);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d)))
		found = strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return found;
}

/* Entries of FOLDER besides those named in KEEP (NULL-terminated); the
 * first into FIRST. */
static int extra_entries(const char *folder, const char *const *keep, char *first, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", work, folder);
	DIR *d = opendir(path);
	if (!d)
		return 0;   /* not made yet: nothing in it */
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int kept = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
		for (size_t k = 0; keep && keep[k] && !kept; k++)
			kept = strcmp(e->d_name, keep[k]) == 0;
		if (!kept && n++ == 0)
			snprintf(first, len, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

/* Wait until FOLDER holds an entry starting with PREFIX; 0 if PID ended first. */
static int wait_midway(pid_t pid, const char *folder, const char *prefix)
{
	struct timespec tick = {0, 1000000};
	for (long i = 0; i < WAIT_MIDWAY_SECONDS * 1000L; i++) {
		if (has_entry(folder, prefix))
			return 1;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 0;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* Interrupt PID with SIG once FOLDER/PREFIX* exists; it must die of SIG and
 * leave the work folder as it was (only KEEP) and work/tmp empty. */
static void interrupt_midway(pid_t pid, int sig, const char *folder, const char *prefix, const char *const *keep)
{
	ck_assert_msg(wait_midway(pid, folder, prefix), "the command ended before %s/%s* appeared", folder, prefix);
	ck_assert_int_eq(kill(pid, sig), 0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig,
		      "expected death by signal %d, found %s %d", sig,
		      WIFSIGNALED(status) ? "signal" : "exit status", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	char first[256] = "";
	ck_assert_msg(extra_entries(".", keep, first, sizeof first) == 0, "left behind: %s", first);
	ck_assert_msg(extra_entries("tmp", NULL, first, sizeof first) == 0, "left behind in TMPDIR: %s", first);
}

static const char *const KEEP_SCENARIO[] = {"tmp", "long.yaml", NULL};

static void run_interrupted(int sig, const char *format)
{
	const char *args[] = {"run", "long.yaml", "--format", format, "--out", "out.result", NULL};
	interrupt_midway(start(args), sig, ".", "out.result.", KEEP_SCENARIO);
}

START_TEST(run_sigint_json)
{
	run_interrupted(SIGINT, "json");
}
END_TEST

START_TEST(run_sigterm_csv)
{
	run_interrupted(SIGTERM, "csv");
}
END_TEST

START_TEST(run_sigint_keep_platform)
{
	const char *args[] = {"run", "long.yaml", "--keep-platform", "platform", "--out", "out.txt", NULL};
	interrupt_midway(start(args), SIGINT, ".", "out.txt.", (const char *const[]){"tmp", "long.yaml", "platform", NULL});
	/* the kept platform, if the interrupt came after it, is whole: no
	 * temporary file beside it */
	char first[256] = "";
	ck_assert_msg(extra_entries("platform", (const char *const[]){"platform.xml", NULL}, first, sizeof first) == 0,
		      "left behind in platform/: %s", first);
}
END_TEST

START_TEST(replay_sigint)
{
	const char *args[] = {"replay", src_path("scenarios/traces/vrdma-perf-write-lat.vtrace"), "--iterations", "100000000",
			      "--format", "json", "--out", "replay.json", NULL};
	interrupt_midway(start(args), SIGINT, ".", "replay.json.", KEEP_SCENARIO);
}
END_TEST

/* The plot draws in a working folder inside --out, with gnuplot as a child:
 * interrupted, the folder is gone and gnuplot is stopped before it. */
START_TEST(plot_sigterm)
{
	char results[4200];
	snprintf(results, sizeof results, "%s/results.json", work);
	const char *make[] = {"run", src_path("tests/e2e/plot-scenario.yaml"), "--format", "json", "--out", results, NULL};
	tool_output o = run_tool(make);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	char plots[4200];
	snprintf(plots, sizeof plots, "%s/plots", work);
	ck_assert_int_eq(mkdir(plots, 0700), 0);
	const char *args[] = {"plot", "results.json", "--out", "plots", NULL};
	interrupt_midway(start(args), SIGTERM, "plots", ".vrdmasim-plot-",
			 (const char *const[]){"tmp", "long.yaml", "results.json", "plots", NULL});
	char first[256] = "";
	ck_assert_msg(extra_entries("plots", NULL, first, sizeof first) == 0, "left behind in plots/: %s", first);
}
END_TEST

static void remove_in_work(const char *name)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", work, name);
	remove(path);
}

/* Whole or nothing, whenever the signal lands. */
START_TEST(calibrate_whole_or_nothing)
{
	const char *args[] = {"calibrate", src_path("calibration/data/softroce-qemu-tcg-2026-11-25"), "--model", "softroce",
			      "--fit", "fixed,per_packet,per_byte,overlap", "--out", "overlay.yaml", "--json", "fit.json", NULL};
	int whole = 0, nothing = 0;
	for (int attempt = 0; attempt < 24; attempt++) {
		pid_t pid = start(args);
		struct timespec delay = {0, (long)attempt * 5000000L};
		nanosleep(&delay, NULL);
		kill(pid, SIGINT);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		char first[256] = "";
		if (WIFEXITED(status)) {
			ck_assert_int_eq(WEXITSTATUS(status), 0);
			ck_assert(has_entry(".", "overlay.yaml") && has_entry(".", "fit.json"));
			ck_assert_msg(extra_entries(".", (const char *const[]){"tmp", "long.yaml", "overlay.yaml", "fit.json", NULL},
						    first, sizeof first) == 0, "left behind: %s", first);
			whole++;
		} else {
			/* killed: before the outputs went into place, or after both */
			ck_assert_int_eq(WTERMSIG(status), SIGINT);
			int outputs = has_entry(".", "overlay.yaml") + has_entry(".", "fit.json");
			ck_assert_msg(outputs == 0 || outputs == 2, "one output of two in place");
			ck_assert_msg(extra_entries(".", (const char *const[]){"tmp", "long.yaml", "overlay.yaml", "fit.json", NULL},
						    first, sizeof first) == 0, "left behind: %s", first);
			nothing += outputs == 0;
			whole += outputs == 2;
		}
		remove_in_work("overlay.yaml");
		remove_in_work("fit.json");
	}
	ck_assert_int_eq(whole + nothing, 24);
	ck_assert_msg(nothing > 0, "no attempt was interrupted before its outputs");
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("interrupt");
	TCase *tc = tcase_create("interrupt");
	tcase_set_timeout(tc, 600);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, run_sigint_json);
	tcase_add_test(tc, run_sigterm_csv);
	tcase_add_test(tc, run_sigint_keep_platform);
	tcase_add_test(tc, replay_sigint);
	tcase_add_test(tc, plot_sigterm);
	tcase_add_test(tc, calibrate_whole_or_nothing);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
