/*
 * regress.c - `vrdmasim regress BASELINE RESULTS`: compare two results
 * files' estimates figure by figure (output/regress.h).
 *
 * Exit status: 0 when no figure moved beyond its tolerance and none
 * appeared (unless --allow-new) or vanished; 1 when one did (the report
 * says which), or when the report could not be written; 2 when an input
 * is malformed (FILE:LINE:COL: found X, expected Y) or the command line
 * is.  --out is written whether the estimates moved or not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands/command.h"
#include "commands/outputs.h"
#include "input/outfile.h"
#include "output/estimates.h"
#include "output/regress.h"

static int write_report(const cli_args *c, const vr_regress *r, vr_diag *diag)
{
	vr_outfile of = {0};
	if (c->out && vr_outfile_open(&of, c->out, diag) != 0)
		return -1;
	FILE *stream = c->out ? of.stream : stdout;
	if (vr_regress_write(r, &c->tolerance, c->format, stream) != 0 || (!c->out && fflush(stdout) != 0)) {
		if (c->out)
			vr_outfile_abort(&of);
		return vr_diag_at(diag, (vr_where){c->out ? c->out : "stdout", 0, 0}, "cannot write the comparison: %s",
				  strerror(errno));
	}
	return c->out ? vr_outfile_commit(&of, diag) : 0;
}

static int regress_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_estimates baseline, results;
	if (vr_estimates_read(c->inputs[0], &baseline, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	if (vr_estimates_read(c->inputs[1], &results, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		vr_estimates_free(&baseline);
		return EXIT_BAD_INPUT;
	}
	int rc = EXIT_BAD_INPUT;
	vr_regress r;
	if (cmd_outputs_refused(c) == 0) {
		rc = 1;
		if (vr_regress_compare(&baseline, &results, &c->tolerance, c->allow_new, &r) != 0)
			fprintf(stderr, "vrdmasim: out of memory\n");
		else if (write_report(c, &r, &diag) != 0)
			fprintf(stderr, "%s\n", diag.message);
		else
			rc = vr_regress_failed(&r);
		vr_regress_free(&r);
	}
	vr_estimates_free(&baseline);
	vr_estimates_free(&results);
	return rc;
}

static int regress_check(const cli_args *c)
{
	if (c->input_count != 2)
		return cli_refuse(&VR_CMD_REGRESS, c->input_count ? c->inputs[0] : "",
				  "two results files: BASELINE RESULTS");
	return 0;
}

const vr_command VR_CMD_REGRESS = {
	.name = "regress",
	.bit = CMD_REGRESS,
	.synopsis = "regress BASELINE RESULTS [OPTION...]",
	.description = "compare two results files (run --format json, a\n"
		       "sweep's JSON lines, or several joined with cat):\n"
		       "each latency median and p99, bandwidth average\n"
		       "and peak, flow group p50, p99 and ops_per_s; exit\n"
		       "status 1 when one moved beyond its tolerance,\n"
		       "appeared or vanished",
	.operands_max = 2,
	.operands_refusal = "two results files: BASELINE RESULTS",
	.check = regress_check,
	.handler = regress_command,
	.exit_status = "Exit status: 0 no estimate moved beyond its tolerance, 1 one did, appeared or\n"
		       "vanished (or the report could not be written), 2 bad input (located on stderr).\n",
};
