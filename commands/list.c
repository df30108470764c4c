/*
 * list.c - `vrdmasim list`: the presets and options built into the binary;
 * for each preset, how many of its values are sourced and how many are
 * assumptions (models/assumption.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands/command.h"
#include "input/catalog.h"
#include "models/assumption.h"
#include "models/preset.h"

/* "(N values: S sourced, A assumptions)" for preset NAME, or nothing when
 * it does not load (`vrdmasim validate` says why). */
static void print_preset_counts(const char *name)
{
	mdl_params *p = malloc(sizeof *p);
	vr_diag diag;
	vr_diag_clear(&diag);
	if (p && mdl_preset_load(name, NULL, (vr_where){"list", 0, 0}, p, &diag) == 0) {
		size_t assumed = mdl_params_assumed_count(p);
		printf("(%d values: %zu sourced, %zu assumptions)", MDL_PARAM_COUNT, (size_t)MDL_PARAM_COUNT - assumed,
		       assumed);
	}
	free(p);
}

static int list_command(const cli_args *c, const char *argv0)
{
	(void)c;
	(void)argv0;
	const char *names[64];
	char storage[64][64];
	static const char *const dirs[] = {"models/presets", "models/options"};
	for (size_t d = 0; d < 2; d++) {
		vr_catalog_names(dirs[d], names, 64, storage);
		printf("%s:\n", d == 0 ? "presets" : "options");
		for (size_t i = 0; names[i]; i++) {
			printf(d == 0 ? "  %-20s" : "  %s", names[i]);
			if (d == 0)
				print_preset_counts(names[i]);
			printf("\n");
		}
	}
	return 0;
}

const vr_command VR_CMD_LIST = {
	.name = "list",
	.bit = CMD_LIST,
	.synopsis = "list",
	.description = "the built-in presets and options; per preset, how many values are sourced and how many are assumptions",
	.operands_max = 0,
	.operands_refusal = "nothing after 'list'",
	.handler = list_command,
};
