/*
 * knee_report.h - a sweep's knees (models/knee.h) for a person and for a
 * program: an aligned table (`vrdmasim sweep` prints it at the end), and
 * the knee report of the contract in docs/results-schema.md ("Knees"):
 *
 *   {"tool": "vrdmasim", "kind": "knees", "scenario": NAME, "target": TEXT,
 *    "variable": VAR, "knees": [{"preset", "option", "coordinates": {...},
 *    "knee", "meets_up_to", "fails_from", "rounds"}]}
 *
 * with "verb", "size_bytes" and "completion" in an entry of a single-flow
 * result.  Values are written as the sweep's coordinates are: a plain
 * number as a number, a number with a unit as text.  Call knee_find on
 * every series first.
 */
#ifndef VR_OUTPUT_KNEE_REPORT_H
#define VR_OUTPUT_KNEE_REPORT_H

#include <stdio.h>

#include "models/knee.h"

/* 0, or -1 when OUT failed. */
int vr_knee_table(FILE *out, const swp_sweep *sw, const knee_set *set);
int vr_knee_json(FILE *out, const swp_sweep *sw, const knee_set *set);

#endif
