/*
 * sweep_line.h - one sweep point's results as one line of a sweep's results
 * file (the JSON-lines contract, docs/results-schema.md): the document
 * `vrdmasim run --format json` writes for the point's scenario, on one line,
 * with "point" (index, round, coordinates, seed) and "ran" (host, start,
 * elapsed: the only fields that say when and where it ran) appended, "ran"
 * last.
 */
#ifndef VR_OUTPUT_SWEEP_LINE_H
#define VR_OUTPUT_SWEEP_LINE_H

#include <stddef.h>

#include "input/diag.h"
#include "models/sweep.h"
#include "output/provenance.h"
#include "sim/results.h"

/* A point: which, and where and when it ran. */
typedef struct vr_point_record {
	const swp_sweep *sweep;
	size_t index;
	unsigned round;              /* 0: the grid (rounds of refinement come with target:) */
	char host[256];
	char started_utc[32];        /* 2026-12-07T03:30:44Z */
	double elapsed_s;
} vr_point_record;

/* RUN's line, newline included, into *LINE (malloc'd; the caller frees),
 * *LENGTH bytes.  0, or -1 with DIAG filled. */
int vr_sweep_line(const vr_run *run, const vr_invocation *inv, const vr_point_record *p, char **line, size_t *length,
		  vr_diag *diag);

/* The bytes of LINE up to its "ran" member: what two runs of one point
 * share (merge and the tests compare it).  LENGTH when it has none. */
size_t vr_sweep_line_without_ran(const char *line, size_t length);

#endif
