/*
 * regress.h - two results files' estimates compared, figure by figure
 * (`vrdmasim regress BASELINE RESULTS`), and the comparison written as
 * text (a perftest-shaped table), JSON or CSV.
 *
 * Estimates are matched by their key (output/estimates.h).  A figure has
 * moved beyond its tolerance when |after - before| > tolerance x |before|
 * (a figure of 0 that becomes anything else has moved beyond any
 * tolerance).  An estimate in RESULTS only has appeared, one in BASELINE
 * only has vanished.  The comparison fails when a figure moved beyond its
 * tolerance, when one vanished (the results no longer cover what the
 * baseline pinned), or when one appeared, unless new estimates are allowed
 * (--allow-new: a scenario that grew an option or a size).
 */
#ifndef VR_OUTPUT_REGRESS_H
#define VR_OUTPUT_REGRESS_H

#include <stdio.h>

#include "output/estimates.h"
#include "output/report.h"

#define VR_TOLERANCE_DEFAULT_PCT 2.0   /* per figure, when --tolerance does not say */
enum { VR_TOLERANCES_MAX = 8 };        /* per-metric --tolerance NAME=P% given */

/* The tolerance of each figure, in percent of its baseline value. */
typedef struct vr_tolerance {
	int all_set;           /* --tolerance P% was given */
	double all_pct;
	size_t count;          /* --tolerance NAME=P% given, the later winning */
	struct {
		const char *metric;   /* a name of VR_METRICS (static) */
		double pct;
	} by_metric[VR_TOLERANCES_MAX];
} vr_tolerance;

/* Take TEXT, "P%" (every figure) or "NAME=P%" (the figures called NAME,
 * such as p99_us), P a number from 0 to 1000.  0, or -1 with what was
 * expected in EXPECTED (BYTES). */
int vr_tolerance_parse(const char *text, vr_tolerance *t, char *expected, size_t bytes);

/* The tolerance of METRIC (index in VR_METRICS), in percent. */
double vr_tolerance_pct(const vr_tolerance *t, unsigned metric);

typedef enum vr_change {
	CHANGE_NONE,        /* the same value */
	CHANGE_WITHIN,      /* moved, within its tolerance */
	CHANGE_BEYOND,      /* moved beyond its tolerance */
	CHANGE_APPEARED,    /* in the results only */
	CHANGE_VANISHED,    /* in the baseline only */
	CHANGE_KIND_COUNT
} vr_change;

/* none, within, beyond, appeared, vanished: the "status" of JSON and CSV. */
extern const char *const vr_change_names[CHANGE_KIND_COUNT];

typedef struct vr_comparison {
	const vr_estimate *before, *after;   /* NULL when it appeared, vanished */
	vr_change change;
	double change_pct;                   /* (after - before) / before x 100; NAN when undefined */
	double tolerance_pct;
} vr_comparison;

typedef struct vr_regress {
	const vr_estimates *baseline, *results;
	vr_comparison *rows;                 /* in key order */
	size_t count;
	size_t counts[CHANGE_KIND_COUNT];
	int allow_new;                       /* appeared estimates do not fail */
} vr_regress;

/* Compare BASELINE with RESULTS into OUT (free with vr_regress_free; it
 * points into both sets, which must outlive it).  0, or -1 out of memory. */
int vr_regress_compare(const vr_estimates *baseline, const vr_estimates *results, const vr_tolerance *t, int allow_new,
		       vr_regress *out);

void vr_regress_free(vr_regress *r);

/* 1 when the comparison fails (see above), else 0. */
int vr_regress_failed(const vr_regress *r);

/* Write R as FORMAT to OUT.  Text lists the figures that moved, appeared
 * or vanished, then a summary line; JSON and CSV list every figure
 * compared.  0, or -1 when the stream failed. */
int vr_regress_write(const vr_regress *r, const vr_tolerance *t, vr_format format, FILE *out);

#endif
