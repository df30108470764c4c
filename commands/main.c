/*
 * main.c - the vrdmasim command line: find the command, parse its flags
 * (commands/flags.c), and hand over to its handler (commands/<name>.c).
 *
 * Exit status: 0 success; 2 bad input (scenario, preset, option, command
 * line), with "FILE:LINE:COL: found X, expected Y" on stderr; 1 a failure
 * while running or writing output.  Nothing is written to --out unless the
 * whole run succeeded.
 */
#include <stdio.h>
#include <string.h>

#include "commands/command.h"
#include "commands/help.h"
#include "input/diag.h"

const vr_command *const VR_COMMANDS[] = {
	&VR_CMD_RUN, &VR_CMD_VALIDATE, &VR_CMD_PLOT, &VR_CMD_CALIBRATE, &VR_CMD_REPLAY, &VR_CMD_SWEEP, &VR_CMD_MERGE,
	&VR_CMD_REGRESS, &VR_CMD_COMPARE, &VR_CMD_LIST, &VR_CMD_HELP, NULL,
};

const vr_command *vr_command_find(const char *name)
{
	for (size_t k = 0; VR_COMMANDS[k]; k++)
		if (strcmp(VR_COMMANDS[k]->name, name) == 0)
			return VR_COMMANDS[k];
	return NULL;
}

int vr_command_refuse(const char *word, const vr_command *context)
{
	const char *names[sizeof VR_COMMANDS / sizeof VR_COMMANDS[0]];
	char expected[256] = "a command: ";
	size_t n = 0;
	for (; VR_COMMANDS[n]; n++) {
		names[n] = VR_COMMANDS[n]->name;
		size_t used = strlen(expected);
		snprintf(expected + used, sizeof expected - used, "%s%s", n == 0 ? "" : VR_COMMANDS[n + 1] ? ", " : " or ",
			 names[n]);
	}
	names[n] = NULL;
	const char *near = word[0] ? vr_nearest(word, names) : NULL;
	if (near)
		snprintf(expected, sizeof expected, "a command (did you mean '%s'?)", near);
	return cli_refuse(context, word, expected);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return vr_command_refuse("", NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_help_global(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		cmd_print_version(stdout);
		return 0;
	}
	const vr_command *command = vr_command_find(argv[1]);
	if (!command)
		return vr_command_refuse(argv[1], NULL);
	cli_args c;
	int rc = cli_parse(command, argc - 1, argv + 1, &c);
	c.argc = argc;
	c.argv = argv;
	if (rc)
		return rc;
	if (c.help) {
		cmd_help_command(command, stdout);
		return 0;
	}
	if (c.version) {
		cmd_print_version(stdout);
		return 0;
	}
	return command->handler(&c, argv[0]);
}
