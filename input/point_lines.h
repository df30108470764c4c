/*
 * point_lines.h - a sweep's results file read back (docs/results-schema.md,
 * "Sweeps"): JSON lines, each one point's results with its "point" member.
 * `sweep --resume` reads what is done, `merge` joins files.
 *
 * Every whole line must be a JSON object holding point.index, point.round
 * and provenance.scenario.sha256 (the sweep it belongs to); a refusal names
 * FILE:LINE.  A last line without its newline is what a kill left in the
 * middle of a write: it is not read, and its length is reported.
 */
#ifndef VR_INPUT_POINT_LINES_H
#define VR_INPUT_POINT_LINES_H

#include <stddef.h>

#include "input/diag.h"
#include "input/sha256.h"

typedef struct vr_point_line {
	size_t index;                      /* point.index */
	unsigned round;                    /* point.round */
	char sha256[VR_SHA256_HEX_BYTES];  /* provenance.scenario.sha256: the sweep's file */
	const char *text;                  /* the line in vr_point_lines.text, newline included */
	size_t length;                     /* bytes of text, newline included */
	unsigned line;                     /* 1-based, for messages */
} vr_point_line;

typedef struct vr_point_lines {
	char *text;              /* the file, read whole */
	size_t whole_bytes;      /* bytes of whole lines: where a torn line starts */
	size_t torn_bytes;       /* bytes after the last newline (0: none) */
	vr_point_line *lines;
	size_t count;
} vr_point_lines;

/* Read PATH.  0, or -1 with DIAG filled (nothing to free then). */
int vr_point_lines_read(const char *path, vr_point_lines *out, vr_diag *diag);

void vr_point_lines_free(vr_point_lines *l);

#endif
