/*
 * sweep_data.h - a sweep's results file (JSON lines, docs/results-schema.md,
 * "Sweeps") as `vrdmasim plot` holds it once read and checked: the swept
 * variables, each point's coordinates, and one sample per (point, preset,
 * option, panel) with the figures plotted against the swept variable.
 *
 * A panel is a flow group (flows results) or a verb (single-flow results).
 * A variable is numeric when every value is a JSON number or a quantity of
 * one kind with its unit ("64B", "1800cycles", "10k/s per vm": the unit
 * and any "per WORD" tail are the axis's unit; a bare 0 among them is zero
 * of that unit, as a sweep writes "dirty_rate: [0, 250MBps]"); otherwise its values are
 * names (option, preset, completion) and tell series apart.  The x axis is
 * one numeric variable; every other variable, and the option, make the
 * series: a line each, its colour the option, its dash the rest.  A
 * variable zipped with the x variable (one value per value of x) makes no
 * series of its own.
 *
 * Flow results' live migrations ("migrations", docs/results-schema.md) are
 * samples of their own (migration set) in their group's panel: migration
 * time, downtime and the hypervisors' CPU seconds, and whether it
 * converged (downtime NAN when it did not).
 *
 * Reading is strict: every line must be a sweep point of the same scenario
 * and variables, every value is checked where it is read, and a refusal is
 * FILE:LINE:COL.  Texts that reach gnuplot scripts (coordinates, names)
 * are refused unless made of letters, digits, UTF-8, spaces and
 * . _ - / * % [ ] = : + , < > ! ( ): no quote, backquote, backslash or
 * '@', so nothing in a file can inject a gnuplot command.
 */
#ifndef VR_SWEEP_DATA_H
#define VR_SWEEP_DATA_H

#include <stddef.h>

#include "input/diag.h"
#include "input/units.h"
#include "models/option.h"

enum {
	SWEEP_VARS_MAX = 16,     /* as the sweep block allows */
	SWEEP_TEXT_MAX = 64,     /* a variable's name or a value as written */
	SWEEP_NAMES_MAX = 64,    /* presets, options, panels */
	SWEEP_SERIES_MAX = 512,  /* lines over all figures */
};

typedef enum sweep_metric { SWEEP_THROUGHPUT, SWEEP_P99, SWEEP_MEDIAN, SWEEP_BANDWIDTH, SWEEP_METRICS } sweep_metric;
extern const char *const sweep_metric_names[SWEEP_METRICS];   /* "throughput", "p99", ... */

typedef struct sweep_var {
	char name[SWEEP_TEXT_MAX];   /* the path as the sweep block writes it */
	int numeric;                 /* every value a number (with one unit) */
	char unit[SWEEP_TEXT_MAX];   /* "B", "ns", "cycles", "ops/s per vm"; "" for counts */
	vr_qkind kind;               /* of quantities with units */
	int has_unit;
	double low, high;            /* numeric: the smallest and largest value */
	size_t distinct;             /* values told apart (at most 2 counted) */
	int follows_x;               /* set by sweep_make_series: one value per value of x (zipped with it) */
} sweep_var;

typedef struct sweep_point {
	size_t index;                /* point.index */
	unsigned round;
	unsigned line;               /* in the file, for messages */
	size_t read_at;              /* its place in the file, 0.. */
	char text[SWEEP_VARS_MAX][SWEEP_TEXT_MAX];   /* each coordinate as written */
	double value[SWEEP_VARS_MAX];                /* numeric variables: the value in the axis's unit */
	unsigned char is_number[SWEEP_VARS_MAX];     /* written as a JSON number */
} sweep_point;

/* A live migration's figures (a flows result's "migrations"). */
typedef enum sweep_migration_value {
	SWEEP_MIG_TIME_S, SWEEP_MIG_DOWNTIME_MS, SWEEP_MIG_SOURCE_CPU_S, SWEEP_MIG_DESTINATION_CPU_S, SWEEP_MIG_VALUES
} sweep_migration_value;

typedef struct sweep_sample {
	size_t point, preset, option, panel;
	char extra[SWEEP_TEXT_MAX];  /* single-flow: size and completion, when not swept */
	double y[SWEEP_METRICS];     /* NAN where the result has none (all NAN for a migration) */
	int migration;               /* a live migration of group PANEL, not the group's operations */
	int converged;               /* migration: its "result" is "converged" */
	double mig[SWEEP_MIG_VALUES];   /* migration: its figures (downtime NAN when not converged) */
	size_t series;               /* set by sweep_make_series */
	size_t order;                /* its place in the file, 0.. */
} sweep_sample;

typedef struct sweep_series {
	size_t preset, option, style;   /* style: the rest's combination, 0.. in its preset */
	char rest[256];                 /* the other variables' values (and size, completion) */
	size_t first_sample;            /* whose coordinates it shares */
	char label[256];
	int has_knee;                   /* set by the knee report (sweep_knees.h) */
	double knee, meets_up_to, fails_from;   /* NAN: null */
} sweep_series;

typedef struct sweep_data {
	const char *file;
	char scenario[SWEEP_TEXT_MAX];
	int flows;                   /* flow_results, else results */
	sweep_var vars[SWEEP_VARS_MAX];
	size_t var_count;
	size_t x;                    /* the variable on the x axis */
	char presets[SWEEP_NAMES_MAX][MDL_NAME_MAX], options[SWEEP_NAMES_MAX][MDL_NAME_MAX],
		panels[SWEEP_NAMES_MAX][MDL_NAME_MAX];
	size_t preset_count, option_count, panel_count;
	sweep_point *points;         /* sorted by index, then round */
	size_t point_count;
	sweep_sample *samples;       /* sorted by series, then x */
	size_t sample_count;
	sweep_series series[SWEEP_SERIES_MAX];
	size_t series_count;
} sweep_data;

/* Is PATH a sweep's results file: is its first line an object holding
 * "point"?  1 yes, 0 no (a plain results file, or one whose first line
 * does not parse: the reader of plain results says why, located). */
int sweep_is_results(const char *path);

/* Read PATH into D (zeroed first).  0, or -1 with DIAG filled (located). */
int sweep_read(const char *path, sweep_data *d, vr_diag *diag);

/* Choose the x variable: VARIABLE (NULL: the first numeric variable with
 * more than one value), refused when it is not a numeric variable of D;
 * WHERE names who asked (the knee report, located).  Then make the series
 * and sort the samples.  0, or -1 with DIAG filled. */
int sweep_make_series(sweep_data *d, const char *variable, vr_where where, vr_diag *diag);

/* A coordinate as written, turned into variable V's axis unit: 0 with
 * *OUT, or -1 when it is not such a value. */
int sweep_value(const sweep_var *v, const char *text, double number, int is_number, double *out);

/* Is TEXT safe in a gnuplot string (the characters above)? */
int sweep_text_safe(const char *text);

void sweep_free(sweep_data *d);

#endif
