/*
 * validate.c - `vrdmasim validate SCENARIO.yaml`: check a scenario, its
 * presets and options (and --set overrides), or every point of a sweep;
 * run nothing, write nothing.
 */
#include <stdio.h>

#include "commands/command.h"
#include "commands/run.h"
#include "commands/sweep_pool.h"
#include "models/scenario.h"
#include "models/vrdma_migration_scenario.h"

/* A file with a `sweep:` block: every point loads.  -1 when it has none. */
static int validate_sweep(const cli_args *c)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	swp_sweep sw;
	int rc = swp_open(c->scenario, &sw, &diag);
	if (!sw.block) {
		swp_close(&sw);
		return -1;
	}
	for (size_t k = 0; rc == 0 && k < sw.point_count; k++) {
		scn_scenario s;
		rc = sweep_load_point(c, &sw, k, &s, &diag);
		scn_free(&s);
	}
	if (rc == 0)
		printf("%s: valid sweep (%zu variable(s), %zu point(s))\n", c->scenario, sw.var_count, sw.point_count);
	else
		fprintf(stderr, "%s\n", diag.message);
	swp_close(&sw);
	return rc ? EXIT_BAD_INPUT : 0;
}

static int validate_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	int swept = validate_sweep(c);
	if (swept >= 0)
		return swept;
	scn_scenario s;
	int rc = cmd_load_scenario(c, &s);
	size_t sizes = 0;
	for (size_t w = 0; rc == 0 && w < s.workload_count; w++)
		sizes += s.workloads[w].size_count;
	if (rc == 0 && s.vmig)
		printf("%s: valid (%zu preset(s), a vRDMA VM's migration at %zu point(s))\n", c->scenario, s.preset_count,
		       s.vmig->qps_count * s.vmig->memory_count);
	else if (rc == 0 && s.flows.group_count)
		printf("%s: valid (%zu preset(s), %zu option(s), %zu flow group(s), %zu connection(s))\n", c->scenario,
		       s.preset_count, s.option_count, s.flows.group_count, s.flows.connection_count);
	else if (rc == 0)
		printf("%s: valid (%zu preset(s), %zu workload(s), %zu option(s), %zu size(s))\n", c->scenario,
		       s.preset_count, s.workload_count, s.option_count, sizes);
	scn_free(&s);
	return rc ? EXIT_BAD_INPUT : 0;
}

static int validate_check(const cli_args *c)
{
	return c->scenario ? 0 : cli_refuse(&VR_CMD_VALIDATE, "", "a scenario file to validate");
}

const vr_command VR_CMD_VALIDATE = {
	.name = "validate",
	.bit = CMD_VALIDATE,
	.synopsis = "validate SCENARIO.yaml [--set NAME=QUANTITY]...",
	.description = "check a scenario, its presets and options, run nothing",
	.operands_max = 1,
	.operands_refusal = "at most one scenario file",
	.check = validate_check,
	.handler = validate_command,
};
