/*
 * fit_plot.h - pictures of a calibration (`vrdmasim calibrate --json`):
 * per perftest test, fit-TEST.png and .svg with the measured points and
 * their spreads, the fitted model's curve, and the residuals in spreads.
 */
#ifndef VR_FIT_PLOT_H
#define VR_FIT_PLOT_H

#include "input/json_read.h"

/* Draw DOC (already read; its root has "kind": "calibration") into OUT_DIR.
 * with GNUPLOT (NULL: "gnuplot" on PATH).  *BAD_INPUT tells a malformed
 * file from a failure to draw. */
int vr_plot_calibration(const json_doc *doc, const char *out_dir, const char *gnuplot, int *bad_input, vr_diag *diag);

#endif
