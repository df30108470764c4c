/*
 * engine.h - runs a resolved scenario on SimGrid.
 *
 * One SimGrid engine per process (SimGrid cannot restart): the platform of
 * every preset is loaded at once, and a controller actor runs the
 * experiments (preset x option x size) one after another, so each sees an
 * idle platform.  Results come back in a vr_run.
 */
#ifndef VR_ENGINE_H
#define VR_ENGINE_H

#include "sim/results.h"

typedef struct vr_engine_config {
	const char *keep_platform_dir;   /* write platform.xml there and keep it, or NULL */
	const char *argv0;               /* for SimGrid's own initialisation */
	const char *const *cfgs;         /* SimGrid tracing settings, NAME:VALUE, checked (sim/simgrid_cfg.h) */
	size_t cfg_count;
	const char *trace_file;          /* NULL, or the file SimGrid traces into, in place of tracing/filename's */
} vr_engine_config;

/* Run S; fills RUN (free with vr_run_free).  Returns 0, or -1 with a message
 * in DIAG (I/O trouble writing the platform). */
int vr_engine_run(const scn_scenario *s, const vr_engine_config *config, vr_run *run, vr_diag *diag);

void vr_run_free(vr_run *run);

#endif
