/*
 * replay.c - `vrdmasim replay TRACE`: estimate the operations a vrdma-perf
 * trace recorded on a preset's modelled hardware, run as `run` runs a
 * scenario.
 */
#include <stdio.h>
#include <string.h>

#include "commands/command.h"
#include "commands/run.h"
#include "input/diag.h"
#include "models/replay_scenario.h"
#include "models/scenario.h"

/* The scenario of `vrdmasim replay TRACE`: that trace on the presets asked
 * for (--compare puts the pipeline's own option beside it). */
static int load_replay(const cli_args *c, scn_scenario *s)
{
	scn_replay_request rq = {.trace = c->scenario, .costs = c->measured ? COSTS_MEASURED : COSTS_MODEL,
				 .iterations = c->iterations, .compare = c->compare};
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc = scn_replay_build(&rq, c->preset, s, &diag);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	return rc;
}

static int replay_command(const cli_args *c, const char *argv0)
{
	scn_scenario s;
	if (load_replay(c, &s) != 0) {
		scn_free(&s);
		return EXIT_BAD_INPUT;
	}
	return cmd_run_loaded(c, &s, argv0);
}

static int replay_check(const cli_args *c)
{
	if (!c->scenario)
		return cli_refuse(&VR_CMD_REPLAY, "", "a trace file: vrdmasim replay TRACE [--preset P] [--compare]");
	return 0;
}

const vr_command VR_CMD_REPLAY = {
	.name = "replay",
	.bit = CMD_REPLAY,
	.synopsis = "replay TRACE [OPTION...]",
	.description = "estimate the operations of a vrdma-perf trace on a\n"
		       "preset's modelled hardware: the vRDMA option with each\n"
		       "stage repeated as often as the trace saw it; --compare\n"
		       "prints the option's pipeline beside it, stage by stage;\n"
		       "--costs measured costs the software stages as the trace\n"
		       "measured them (scaled by the clocks)",
	.operands_max = 1,
	.operands_refusal = "one trace file",
	.check = replay_check,
	.handler = replay_command,
};
