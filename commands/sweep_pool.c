/*
 * sweep_pool.c - workers that run a sweep's points, and the parent that
 * writes their lines.  See sweep_pool.h.
 */
#include "commands/sweep_pool.h"
#include "models/vrdma_migration_scenario.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fd_io.h"
#include "commands/command.h"
#include "input/cleanup.h"
#include "output/sweep_line.h"
#include "sim/engine.h"
#include "sim/flow_experiment.h"

enum { PROGRESS_REFRESH_MS = 1000 };

int sweep_load_point(const cli_args *c, const swp_sweep *sw, size_t k, scn_scenario *s, vr_diag *diag)
{
	if (swp_load_point(sw, k, s, diag) != 0)
		return -1;
	for (size_t i = 0; i < c->set_count; i++)
		if (scn_set_parameter(s, c->sets[i], diag) != 0)
			return -1;
	if (c->iterations)
		scn_set_iterations(s, c->iterations);
	/* Its own grid stands for a sweep (models/vrdma_migration_scenario.h). */
	if (s->vmig)
		return vr_diag_at(diag, s->vmig->where,
				  "found 'vrdma_migration' in a sweep, expected it in 'vrdmasim run' (its qps and registered_memory take lists of values)");
	return s->flows.group_count ? vr_flow_check(s, diag) : 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- a worker ---- */

/* The command line a point's provenance records: the one that runs that
 * point alone (with --set and --iterations), the same whichever -j,
 * --resume or machine ran it. */
static int point_argv(const cli_args *c, const swp_sweep *sw, size_t k, char *index, char *iterations, size_t bytes, char **argv)
{
	int n = 0;
	static char round[32];   /* a worker runs one point */
	snprintf(round, sizeof round, "%u", sw->round);
	snprintf(index, bytes, "%zu", k);
	snprintf(iterations, bytes, "%llu", c->iterations);
	argv[n++] = "vrdmasim";
	argv[n++] = "sweep";
	argv[n++] = (char *)c->scenario;
	argv[n++] = "--point";
	argv[n++] = index;
	if (sw->round) {
		argv[n++] = "--round";
		argv[n++] = round;
	}
	for (size_t i = 0; i < c->set_count; i++) {
		argv[n++] = "--set";
		argv[n++] = (char *)c->sets[i];
	}
	if (c->iterations) {
		argv[n++] = "--iterations";
		argv[n++] = iterations;
	}
	return n;
}

/* Run point K and send its line to FD; the worker's exit status. */
static int run_point(const cli_args *c, const swp_sweep *sw, size_t k, int fd)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_point_record record = {.sweep = sw, .index = k, .round = sw->round};
	gethostname(record.host, sizeof record.host - 1);
	time_t started = time(NULL);
	strftime(record.started_utc, sizeof record.started_utc, "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
	double t0 = now_s();
	scn_scenario s;
	vr_run run = {0};
	char index[32], iterations[32], *argv[10 + 2 * CLI_SETS_MAX], *line = NULL;
	size_t length = 0;
	vr_invocation inv = {point_argv(c, sw, k, index, iterations, sizeof index, argv), argv, c->set_count, c->sets};
	int rc = sweep_load_point(c, sw, k, &s, &diag) ? EXIT_BAD_INPUT : 0;
	if (rc == 0)
		rc = vr_engine_run(&s, &(vr_engine_config){.argv0 = "vrdmasim"}, &run, &diag) ? 1 : 0;
	record.elapsed_s = now_s() - t0;
	if (rc == 0)
		rc = vr_sweep_line(&run, &inv, &record, &line, &length, &diag) ? 1 : 0;
	if (rc == 0 && fd_write_all(fd, line, length) != 0) {
		vr_diag_at(&diag, (vr_where){"sweep", 0, 0}, "cannot send point %zu's results: %s", k, strerror(errno));
		rc = 1;
	}
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	free(line);
	if (rc == 0)
		vr_run_free(&run);
	scn_free(&s);
	return rc;
}

/* ---- the parent ---- */

typedef struct worker {
	pid_t pid;
	int fd;             /* the read end of its pipe; -1: a free slot */
	size_t point;
	char *line;         /* what it sent so far */
	size_t length, capacity;
} worker;

typedef struct pool {
	const sweep_job *job;
	worker workers[CLI_JOBS_MAX];
	unsigned jobs, running;
	size_t next, done, failed;
	double started_s;
	int progress;       /* stderr is a terminal, and not CI's */
} pool;

static int start_worker(pool *p, worker *w)
{
	const sweep_job *job = p->job;
	int ends[2];
	if (pipe(ends) != 0)
		return -1;
	size_t k = job->points[p->next];
	fflush(stdout);
	fflush(stderr);
	vr_cleanup_block(1);   /* no interrupt between the fork and the registration */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* A parent killed outright (SIGKILL) takes its workers along:
		 * no orphan runs on with nobody to read its line. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(1);
		vr_cleanup_forget_all();
		vr_cleanup_block(0);
		close(ends[0]);
		if (job->fd != STDOUT_FILENO)
			close(job->fd);
		_exit(run_point(job->c, job->sweep, k, ends[1]));
	}
	if (pid > 0)
		vr_cleanup_add_child(pid);
	vr_cleanup_block(0);
	close(ends[1]);
	if (pid < 0) {
		close(ends[0]);
		return -1;
	}
	*w = (worker){.pid = pid, .fd = ends[0], .point = k};
	p->next++;
	p->running++;
	return 0;
}

/* The worker's line, whole, in the results: one write, interrupts held. */
static int write_line(const pool *p, const worker *w)
{
	vr_cleanup_block(1);
	int rc = fd_write_all(p->job->fd, w->line, w->length);
	vr_cleanup_block(0);
	if (rc != 0)
		fprintf(stderr, "vrdmasim: cannot write point %zu's results: %s\n", w->point, strerror(errno));
	return rc;
}

static void finish_worker(pool *p, worker *w)
{
	int status = 0;
	close(w->fd);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	vr_cleanup_forget_child(w->pid);
	int whole = w->length && w->line[w->length - 1] == '\n';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && whole && write_line(p, w) == 0)
		p->done++;
	else {
		char where[512];
		swp_describe(p->job->sweep, w->point, where, sizeof where);
		fprintf(stderr, "vrdmasim: point %zu (%s) failed%s\n", w->point, where,
			WIFSIGNALED(status) ? ": its worker died of a signal" : "");
		p->failed++;
	}
	free(w->line);
	*w = (worker){.fd = -1};
	p->running--;
}

/* Read what W sent; at its end, finish it. */
static void drain(pool *p, worker *w)
{
	if (w->capacity - w->length < 65536) {
		size_t capacity = w->capacity ? 2 * w->capacity : 131072;
		char *grown = realloc(w->line, capacity);
		if (!grown) {
			kill(w->pid, SIGTERM);
			w->length = 0;
			finish_worker(p, w);
			return;
		}
		w->line = grown;
		w->capacity = capacity;
	}
	ssize_t n = read(w->fd, w->line + w->length, w->capacity - w->length);
	if (n < 0 && errno == EINTR)
		return;
	if (n > 0) {
		w->length += (size_t)n;
		return;
	}
	finish_worker(p, w);
}

/* "12/64 points done, 2 running, about 1m20s left" on a terminal. */
static void show_progress(const pool *p, int last)
{
	if (!p->progress)
		return;
	const sweep_job *job = p->job;
	size_t total = job->held + job->count, done = job->held + p->done + p->failed;
	double elapsed = now_s() - p->started_s, left = 0;
	if (p->done + p->failed)
		left = elapsed / (double)(p->done + p->failed) * (double)(job->count - p->done - p->failed);
	fprintf(stderr, "\r\033[Kvrdmasim sweep: %zu/%zu points done, %u running", done, total, p->running);
	if (p->done + p->failed && !last)
		fprintf(stderr, ", about %.0fm%02.0fs left", (double)(long)(left / 60), left - 60 * (double)(long)(left / 60));
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

int sweep_pool_run(const sweep_job *job)
{
	pool p = {.job = job, .jobs = job->c->jobs ? job->c->jobs : 1, .started_s = now_s()};
	p.progress = isatty(STDERR_FILENO) && !getenv("CI");
	for (unsigned i = 0; i < CLI_JOBS_MAX; i++)
		p.workers[i].fd = -1;
	vr_cleanup_catch_signals();
	while (p.next < job->count || p.running) {
		for (unsigned i = 0; i < p.jobs && p.next < job->count; i++)
			if (p.workers[i].fd < 0 && start_worker(&p, &p.workers[i]) != 0) {
				fprintf(stderr, "vrdmasim: cannot start a worker: %s\n", strerror(errno));
				p.failed += job->count - p.next;
				p.next = job->count;
			}
		struct pollfd fds[CLI_JOBS_MAX];
		unsigned slot[CLI_JOBS_MAX], n = 0;
		for (unsigned i = 0; i < p.jobs; i++)
			if (p.workers[i].fd >= 0) {
				fds[n] = (struct pollfd){.fd = p.workers[i].fd, .events = POLLIN};
				slot[n++] = i;
			}
		show_progress(&p, 0);
		if (n == 0)
			continue;
		if (poll(fds, n, PROGRESS_REFRESH_MS) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < n; i++)
			if (fds[i].revents)
				drain(&p, &p.workers[slot[i]]);
	}
	show_progress(&p, 1);
	return p.failed ? 1 : 0;
}
