/*
 * list.c - `vrdmasim list`: the presets and options built into the binary.
 */
#include <stdio.h>

#include "commands/command.h"
#include "input/catalog.h"

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
		for (size_t i = 0; names[i]; i++)
			printf("  %s\n", names[i]);
	}
	return 0;
}

const vr_command VR_CMD_LIST = {
	.name = "list",
	.bit = CMD_LIST,
	.synopsis = "list",
	.description = "the built-in presets and options",
	.operands_max = 0,
	.operands_refusal = "nothing after 'list'",
	.handler = list_command,
};
