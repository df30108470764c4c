/*
 * plot.c - `vrdmasim plot RESULTS.json --out DIR`: draw a run's results,
 * or a calibration's fit, with gnuplot ($VRDMASIM_GNUPLOT, else gnuplot).
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands/command.h"
#include "input/diag.h"
#include "plots/plot.h"

static int plot_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_plot_request rq = {.results_path = c->scenario, .out_dir = c->out, .breakdown_bytes = c->plot_size_bytes,
			      .options = c->plot_options, .knees = c->plot_knees, .group = c->plot_group, .x = c->plot_x,
			      .gnuplot = getenv("VRDMASIM_GNUPLOT")};
	int bad_input;
	if (vr_plot(&rq, &bad_input, &diag) == 0)
		return 0;
	fprintf(stderr, "%s\n", diag.message);
	return bad_input ? EXIT_BAD_INPUT : 1;
}

static int plot_check(const cli_args *c)
{
	if (!c->scenario || !c->out)
		return cli_refuse(&VR_CMD_PLOT, "", c->scenario ? "--out DIR: the folder for the pictures"
								 : "a results file: vrdmasim plot RESULTS.json --out DIR");
	return 0;
}

const vr_command VR_CMD_PLOT = {
	.name = "plot",
	.bit = CMD_PLOT,
	.synopsis = "plot RESULTS.json|SWEEP.jsonl --out DIR [OPTION...]",
	.description = "draw a run's results with gnuplot (PNG and SVG):\n"
		       "latency and bandwidth against size per option, each\n"
		       "option's cost against native's, the median, p99\n"
		       "and p99.9 per option, and the breakdown per option\n"
		       "at SIZE (default: the smallest), with a close-up of\n"
		       "the fast options; for a flows scenario, each\n"
		       "group's p50 and p99 per option, and rate, p99 and\n"
		       "cache misses against QPs per host; or the fit\n"
		       "'calibrate --json' wrote; or a sweep's results\n"
		       "against the swept variable (throughput and p99 per\n"
		       "flow group, or median, p99 or bandwidth; live\n"
		       "migrations' time, downtime and hypervisor CPU per\n"
		       "migration group), with the knees of a knee\n"
		       "report.  --options draws only the options named",
	.operands_max = 1,
	.operands_refusal = "one results file",
	.check = plot_check,
	.handler = plot_command,
};
