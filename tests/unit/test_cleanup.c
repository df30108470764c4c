/*
 * test_cleanup.c - an engine failure leaves no temporary folder or file.
 *
 * A child process opens an output (temp file next to the target) and runs
 * the engine with $TMPDIR pointing at a private folder, as `vrdmasim run
 * --out` does, with a value validation would have refused forced into the
 * resolved parameters, or none:
 *   - a software CRC at 1e-300 bit/s: a stage of infinite duration, and
 *     SimGrid aborts the run;
 *   - a denormal cable latency: the platform writer refuses it (SimGrid's
 *     parser would abort on it) as an internal error;
 *   - a long run, stopped by SIGTERM.
 * The folder must be empty afterwards: no platform folder, no platform
 * XML, no half-written output.
 */
#include "tests/check_run.h"
#include "sim/engine.h"
#include "input/outfile.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char SCENARIO[] =
	"scenario: cleanup\npreset: modern-hdr\n"
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
	"options: [softroce-directpath]\nworkload: {verb: write_bw, sizes: [64B], iterations: 1000000000}\ncompletion: poll\n";

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/vrdmasim-cleanup-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove DIR and whatever a failing run left in it (two levels at most). */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Entries in DIR; the first into FIRST. */
static int entries(char *first, size_t len)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *e;
	first[0] = '\0';
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n++ == 0)
			snprintf(first, len, "%s", e->d_name);
	closedir(d);
	return n;
}

typedef enum breakage { INTACT, INFINITE_STAGE, DENORMAL_LATENCY } breakage;

enum { EXIT_REFUSED = 6, EXIT_RAN = 5 };

/* What was left in DIR (the first into LEFT), then DIR removed: a failing
 * test skips its teardown. */
static int take_leftovers(char *left, size_t len)
{
	int n = entries(left, len);
	teardown();
	return n;
}

/* The child: a run as `vrdmasim run --out DIR/out.json`, with the
 * platform in DIR, and HOW it is broken. */
static void child_run(breakage how)
{
	/* As after exec: Check's runner handles SIGTERM by killing its whole
	 * process group, and a fork inherits that. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	int devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, STDERR_FILENO);
	setenv("TMPDIR", dir, 1);
	vr_diag diag;
	vr_diag_clear(&diag);
	scn_scenario s;
	if (scn_load_buffer("cleanup.yaml", SCENARIO, strlen(SCENARIO), &s, &diag) != 0)
		_exit(3);
	for (size_t h = 0; h < s.host_count; h++) {
		if (how == INFINITE_STAGE)
			s.params[h].value[MDL_RXE_ICRC_BANDWIDTH] = 1e-300;
		if (how == DENORMAL_LATENCY)
			s.params[h].value[MDL_WIRE_PROPAGATION] = 1e-300;   /* 1e-309 s in the XML */
	}
	char out[128];
	snprintf(out, sizeof out, "%s/out.json", dir);
	vr_outfile of;
	if (vr_outfile_open(&of, out, &diag) != 0)
		_exit(4);
	vr_engine_config config = {.argv0 = "test_cleanup"};
	vr_run run;
	if (vr_engine_run(&s, &config, &run, &diag) != 0 && strstr(diag.message, "internal error")) {
		vr_outfile_abort(&of);
		_exit(EXIT_REFUSED);
	}
	_exit(EXIT_RAN);
}

static int wait_child(pid_t pid)
{
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

START_TEST(engine_abort_leaves_nothing)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_run(INFINITE_STAGE);
	int status = wait_child(pid);
	char left[256];
	int n = take_leftovers(left, sizeof left);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "the engine did not abort (status %#x)", status);
	ck_assert_msg(n == 0, "left behind: %s/%s", dir, left);
}
END_TEST

START_TEST(unrepresentable_platform_refused_leaves_nothing)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_run(DENORMAL_LATENCY);
	int status = wait_child(pid);
	char left[256];
	int n = take_leftovers(left, sizeof left);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_REFUSED,
		      "not refused as an internal error (status %#x)", status);
	ck_assert_msg(n == 0, "left behind: %s/%s", dir, left);
}
END_TEST

/* Sleep until DIR holds something (the output's temp file), at most 10 s. */
static void wait_for_output(void)
{
	char first[256];
	for (int i = 0; i < 1000 && entries(first, sizeof first) == 0; i++)
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
}

START_TEST(interrupted_run_leaves_nothing)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_run(INTACT);
	wait_for_output();
	nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);   /* into the run */
	kill(pid, SIGTERM);
	int status = wait_child(pid);
	char left[256];
	int n = take_leftovers(left, sizeof left);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %#x", status);
	ck_assert_msg(n == 0, "left behind: %s/%s", dir, left);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cleanup");
	TCase *t = tcase_create("engine failure");
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, engine_abort_leaves_nothing);
	tcase_add_test(t, unrepresentable_platform_refused_leaves_nothing);
	tcase_add_test(t, interrupted_run_leaves_nothing);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
