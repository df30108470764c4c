/*
 * sweep_pool.h - a sweep's points run by worker processes, at most -j at
 * once.  Each worker (a fork) loads its point, runs it on the normal run
 * path (sim/engine.h) and sends its results line (output/sweep_line.h) to
 * the parent through a pipe; the parent alone writes the results file, a
 * whole line per write() with the interrupts held, so an interrupt never
 * cuts a line, and only SIGKILL in the middle of a write can leave a partial
 * last line (which `--resume` drops).  An interrupt (SIGINT, SIGTERM,
 * SIGHUP) stops the workers (input/cleanup.h) and the parent dies of it.
 */
#ifndef VR_COMMANDS_SWEEP_POOL_H
#define VR_COMMANDS_SWEEP_POOL_H

#include <stddef.h>

#include "commands/flags.h"
#include "input/diag.h"
#include "models/sweep.h"

typedef struct sweep_job {
	const cli_args *c;          /* --set, --iterations, -j */
	const swp_sweep *sweep;
	const size_t *points;       /* the points to run, in this order */
	size_t count;
	int fd;                     /* the results, written line by line */
	size_t held;                /* points the results held before (progress) */
} sweep_job;

/* Run JOB's points.  0 when each ran and its line was written; 1 when a
 * point failed or a line could not be written (each said on stderr; the
 * other points still run). */
int sweep_pool_run(const sweep_job *job);

/* Point K of SW as C asks (the sweep's values, then --set, then
 * --iterations), checked for the engine.  0, or -1 with DIAG filled; free
 * S with scn_free either way. */
int sweep_load_point(const cli_args *c, const swp_sweep *sw, size_t k, scn_scenario *s, vr_diag *diag);

#endif
