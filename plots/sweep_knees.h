/*
 * sweep_knees.h - a knee report (`vrdmasim sweep --knees K.json`) read
 * against the sweep it answers, for `vrdmasim plot --knees`.  The report
 * (issue 15's contract): {"tool": "vrdmasim", "kind": "knees", "scenario",
 * "target": TEXT, "variable": VAR, "knees": [{"preset", "option",
 * "coordinates": {OTHER_VAR: VALUE}, "knee", "meets_up_to", "fails_from"
 * (VALUEs of VAR as the sweep writes them, or null), "rounds"}]}.
 *
 * The report must be of the sweep's scenario; its variable (a numeric
 * variable of the sweep) becomes the x axis; each knee names a preset and
 * an option of the sweep and the values of other variables, and lands on
 * every series that has them (sweep_series.knee, meets_up_to, fails_from:
 * NAN for null).  A knee that no series has is refused, located.
 *
 * The target's text gives its metric (p99, p50 or median, throughput,
 * bandwidth), a flow group when it names one, and its bound: a time, a
 * rate of operations or a data rate becomes a horizontal line on that
 * metric's pictures; a share of the offered load ("90%") varies with the
 * load, so it is only written in the title.
 */
#ifndef VR_SWEEP_KNEES_H
#define VR_SWEEP_KNEES_H

#include "plots/sweep_data.h"

typedef struct sweep_target {
	char text[128];          /* as the report writes it */
	int has_metric;
	sweep_metric metric;
	int has_line;            /* the bound as a horizontal line: */
	double line;             /* in the metric's unit (us, ops/s, Gb/s) */
	int has_panel;           /* the target names a flow group: */
	size_t panel;
} sweep_target;

/* Read PATH for D (read, series not made yet): check it, make D's series
 * with the report's variable on the x axis, set the knees and *TARGET.
 * 0, or -1 with DIAG filled (located). */
int sweep_knees_read(const char *path, sweep_data *d, sweep_target *target, vr_diag *diag);

#endif
