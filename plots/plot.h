/*
 * plot.h - `vrdmasim plot RESULTS.json --out DIR`: pictures of a run, drawn
 * by gnuplot (PNG and SVG of each).
 *
 * From the results file (docs/results-schema.md) it draws, per preset:
 *   latency-VERB-COMPLETION-PRESET      t_typical against message size, one
 *                                       line per option (log-log)
 *   breakdown-VERB-COMPLETION-PRESET-SIZE  one stacked bar per option: where
 *                                       the time of a typical operation goes
 *                                       (breakdown_by_kind_us) at one size
 *                                       with each bar's total, and beside it
 *                                       the fast options on their own scale
 *                                       when the slowest is 4x the fastest
 *   bandwidth-VERB-COMPLETION-PRESET    BW average against message size
 *   overhead-VERB-COMPLETION-PRESET     each option's t_typical (or BW
 *                                       average) divided by native's at the
 *                                       same size, when native was run
 *   tail-VERB-COMPLETION-PRESET         a panel per option: median, p99 and
 *                                       p99.9 (where the file has it)
 *                                       against message size
 * With OPTIONS (--options native,sriov), every picture draws only those
 * options (native stays the overhead's reference); a name the file does
 * not hold is refused as bad input.
 * A calibration file (`vrdmasim calibrate --json`) gets its own pictures
 * (plots/fit_plot.h), and so do a flows scenario's (plots/flow_plot.h)
 * and a sweep's, against the swept variable (plots/sweep_plot.h).  Beside the pictures stay the gnuplot scripts (NAME.gp) and data (data/NAME.dat)
 * that made them, so a picture can be restyled without re-running.
 *
 * The pictures are made in a fresh folder inside DIR and moved into DIR
 * only when gnuplot has drawn every one of them: a failure leaves DIR as
 * it was.
 */
#ifndef VR_PLOT_H
#define VR_PLOT_H

#include "input/diag.h"

typedef struct vr_plot_request {
	const char *results_path;   /* a vrdmasim JSON results file */
	const char *out_dir;        /* created if missing */
	double breakdown_bytes;     /* size for the breakdown bars; 0: the smallest run */
	const char *options;        /* --options: names separated by commas; NULL: all */
	const char *gnuplot;        /* program to run; NULL: "gnuplot" on PATH */
	const char *knees;          /* --knees: a sweep's knee report; NULL: none */
	const char *group;          /* --group: the one flow group a sweep's pictures draw; NULL: all */
	const char *x;              /* --x: a sweep's variable on the x axis; NULL: the knee report's or the first */
} vr_plot_request;

/* Returns 0; -1 with DIAG filled: bad input (the results file, located,
 * or the size) when *BAD_INPUT is set, else a failure to draw or write. */
int vr_plot(const vr_plot_request *request, int *bad_input, vr_diag *diag);

#endif
