/*
 * sweep_plot.h - pictures of a sweep's results (`vrdmasim sweep --out
 * R.jsonl`), drawn against the swept variable:
 *
 *   sweep-METRIC-PRESET   per preset and metric (throughput and p99 of
 *                         each flow group; median, p99 or bandwidth of
 *                         single-flow results), a panel per flow group or
 *                         verb (or only --group's), a line per option and
 *                         combination of the other variables (colour: the
 *                         option; dash: the rest), the swept variable's
 *                         value on x in its unit (log x when it spans more
 *                         than 10x); points of every round drawn together,
 *                         in order of the variable
 *
 *   sweep-migration-PRESET
 *                         per preset whose flow results hold live
 *                         migrations: migration time, downtime and the
 *                         hypervisors' CPU (source + destination), a
 *                         panel each, a line per migration group
 *                         (colour) and series (dash); a migration that
 *                         did not converge is off its line: a cross at its
 *                         time and CPU, no downtime ("-" in the data),
 *                         said in the title and key.  Data: a block per
 *                         group and series, columns x, total_time_s,
 *                         downtime_ms, hypervisor_cpu_s, source_cpu_s,
 *                         destination_cpu_s, converged (1/0), round, point
 *
 * The x axis is --x VAR's variable, or the knee report's, or the first
 * numeric variable that varies.
 * With a knee report (--knees K.json, plots/sweep_knees.h) its variable is
 * the x axis, each series' knee is a large ring on its line, its bracket
 * (meets_up_to .. fails_from) a band of the series' colour, and a target
 * with an absolute bound a dashed horizontal line on its metric's picture.
 * Beside each picture stay its script (NAME.gp), data (data/NAME.dat: a
 * block per panel and series, rows in order of x) and knees
 * (data/NAME-knees.dat).
 */
#ifndef VR_SWEEP_PLOT_H
#define VR_SWEEP_PLOT_H

#include "input/diag.h"
#include "plots/plot.h"

/* Draw the sweep RQ->results_path into RQ->out_dir (options, group, knees
 * as asked).  0, or -1 with DIAG filled: *BAD_INPUT tells bad input (a
 * located refusal; nothing written) from a failure to draw. */
int vr_plot_sweep(const vr_plot_request *rq, int *bad_input, vr_diag *diag);

#endif
