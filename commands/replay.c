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
#include "models/replay.h"
#include "models/scenario.h"

/* The scenario of `vrdmasim replay TRACE`: a `replay:` of that trace on
 * the presets asked for (`compare: true` puts the pipeline's own option
 * beside it).  The trace path is a YAML string: quote it. */
static int load_replay(const cli_args *c, scn_scenario *s)
{
	char text[8192], trace[4200];
	size_t n = 0;
	for (const char *p = c->scenario; *p && n + 3 < sizeof trace; p++) {
		if (*p == '"' || *p == '\\')
			trace[n++] = '\\';
		trace[n++] = *p;
	}
	trace[n] = '\0';
	char iterations[64] = "";
	if (c->iterations)
		snprintf(iterations, sizeof iterations, ", iterations: %llu", c->iterations);
	snprintf(text, sizeof text,
		 "scenario: replay\n"
		 "preset: [%s]\n"
		 "topology:\n  hosts:\n    - {name: host-a, vms: 2}\n    - {name: host-b, vms: 2}\n"
		 "replay: {trace: \"%s\", costs: %s, compare: %s%s}\n",
		 c->preset ? c->preset : "esxi5-qdr-2012", trace, c->measured ? "measured" : "model",
		 c->compare ? "true" : "false", iterations);
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc = scn_load_buffer(VR_REPLAY_COMMAND_SCENARIO, text, strlen(text), s, &diag);
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
