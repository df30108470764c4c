/*
 * report.h - results as people read them (perftest-shaped tables and a
 * breakdown) and as scripts read them (JSON, CSV; units in the keys).
 * The fields are output/fields.def's; docs/results-schema.md documents the
 * JSON and CSV, its field table generated from fields.def (make check's
 * tests/unit/test_fields holds them in step).
 */
#ifndef VR_REPORT_H
#define VR_REPORT_H

#include <stdio.h>

#include "input/diag.h"
#include "sim/results.h"
#include "output/provenance.h"

typedef enum vr_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV, FORMAT_COUNT } vr_format;

extern const char *const vr_format_names[FORMAT_COUNT + 1];

enum { VR_JSON_SCHEMA_VERSION = 2 };

/* The writers refuse a run holding a non-finite number (no JSON reader
 * accepts inf or nan, and no table should show one): they write nothing,
 * say which result and field in DIAG as an internal error, and return -1.
 * Validation (models/params.def's bounds) keeps runs finite; this is the
 * last line.  0 when written. */
int vr_report_text(const vr_run *run, FILE *out, vr_diag *diag);
/* JSON records INV's provenance (output/provenance.h); INV may be NULL. */
int vr_report_json(const vr_run *run, const vr_invocation *inv, FILE *out, vr_diag *diag);
int vr_report_csv(const vr_run *run, FILE *out, vr_diag *diag);

int vr_report(const vr_run *run, vr_format format, const vr_invocation *inv, FILE *out, vr_diag *diag);

/* Options 0 and 1 of the run side by side, stage by stage, for each preset,
 * test and size (`vrdmasim replay --compare`: the trace-driven estimate and
 * the pipeline's).  Differences over 0.5% are marked. */
int vr_report_compare(const vr_run *run, FILE *out, vr_diag *diag);
/* (Differences beyond 1 ns and 1% are marked.) */

#endif
