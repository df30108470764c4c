/*
 * flow_plot.h - pictures of a flows scenario's results (`vrdmasim run
 * --format json` of a scenario with `flows:`: "flow_results",
 * docs/results-schema.md, "Many flows"), chosen by what is in the file:
 *
 *   flows-latency-PRESET  per preset, grouped bars: each option's p50,
 *                         p99 and p99.9 (where the file has p999_us) per
 *                         flow group (up to FLOW_PLOT_BAR_GROUPS_MAX
 *                         groups), log y when they span more than a factor
 *                         of 10; e.g. a probe alone and beside neighbours
 *   flows-qps-PRESET      per preset whose groups each hold a different
 *                         number of QPs per host (a QP sweep, at least two
 *                         groups, "qps_per_host" in each): message rate
 *                         (M ops/s), p99 (and p99.9, dashed) and cache
 *                         misses per operation against QPs per host
 *                         (log x), a line per option
 *
 * PNG and SVG of each, beside their gnuplot scripts (NAME.gp) and data
 * (data/NAME.dat).  Reading is strict (plots/plot_read.h): a bad value is
 * refused, located, before anything is drawn.
 */
#ifndef VR_FLOW_PLOT_H
#define VR_FLOW_PLOT_H

#include "input/json_read.h"

enum { FLOW_PLOT_BAR_GROUPS_MAX = 16 };   /* beyond, the bars and their key stop being readable */

/* Draw DOC (already read; its root has "flow_results") into OUT_DIR with
 * GNUPLOT (NULL: "gnuplot" on PATH), only the options OPTIONS names
 * (comma-separated; NULL: all; a name the file does not hold is bad
 * input).  0, or -1 with DIAG filled: *BAD_INPUT tells a malformed file
 * from a failure to draw. */
int vr_plot_flows(const json_doc *doc, const char *out_dir, const char *gnuplot, const char *options, int *bad_input,
		  vr_diag *diag);

#endif
