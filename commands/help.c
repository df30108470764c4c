/*
 * help.c - `vrdmasim help [COMMAND]`, the text of --help, and the hidden
 * `vrdmasim help --complete [COMMAND]` the shell completion asks (one
 * command, or one flag and its metavariable, per line).  See help.h.
 */
#include "commands/help.h"

#include <string.h>

#include "config.h"

enum { HELP_COLUMN = 26 };   /* where descriptions start; they hold 53 characters a line */

static const char EXIT_STATUS[] =
	"Exit status: 0 success, 2 bad input (located on stderr), 1 run or output failure.\n";
static const char DOCUMENTATION[] =
	"Documentation: docs/scenario-format.md, docs/results-schema.md, docs/architecture.md\n";

/* "  LEFT" then TEXT's lines at HELP_COLUMN; LEFT alone on its line when
 * it leaves no two spaces before the column (help2man's cue). */
static void print_item(FILE *f, const char *left, const char *text)
{
	int used = fprintf(f, "  %s", left);
	if (used + 2 > HELP_COLUMN) {
		fputc('\n', f);
		used = 0;
	}
	for (const char *line = text; *line;) {
		size_t length = strcspn(line, "\n");
		fprintf(f, "%*s%.*s\n", HELP_COLUMN - used, "", (int)length, line);
		used = 0;
		line += length + (line[length] == '\n');
	}
}

/* "-h, --help" or "--out FILE" */
static void flag_left(const cli_flag *flag, char *left, size_t bytes)
{
	char shorts[8] = "";
	if (flag->short_name)
		snprintf(shorts, sizeof shorts, "-%c, ", flag->short_name);
	snprintf(left, bytes, "%s--%s%s%s", shorts, flag->name, flag->metavar ? " " : "",
		 flag->metavar ? flag->metavar : "");
}

/* COMMAND_BIT's flags, each with its help (the flags of every command
 * when CMD_ALL). */
static void print_flags(FILE *f, unsigned command_bit)
{
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++) {
		char left[96];
		if (!CLI_FLAGS[k].help || !(CLI_FLAGS[k].commands & command_bit) ||
		    (command_bit == CMD_ALL) != (CLI_FLAGS[k].commands == CMD_ALL))
			continue;
		flag_left(&CLI_FLAGS[k], left, sizeof left);
		print_item(f, left, CLI_FLAGS[k].help);
	}
}

void cmd_help_global(FILE *f)
{
	fputs("Usage: vrdmasim COMMAND [OPTION...] [FILE...]\n"
	      "  or:  vrdmasim help [COMMAND]\n"
	      "\n"
	      "A discrete-event simulator (SimGrid) and performance model of virtualized RDMA.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t k = 0; VR_COMMANDS[k]; k++)
		print_item(f, VR_COMMANDS[k]->synopsis, VR_COMMANDS[k]->description);
	for (size_t k = 0; VR_COMMANDS[k]; k++) {
		unsigned takes = 0;
		for (size_t r = 0; r < CLI_FLAG_COUNT; r++)
			takes |= CLI_FLAGS[r].help && CLI_FLAGS[r].commands != CMD_ALL ? CLI_FLAGS[r].commands : 0;
		if (!(takes & VR_COMMANDS[k]->bit))
			continue;
		fprintf(f, "\nOptions of %s:\n", VR_COMMANDS[k]->name);
		print_flags(f, VR_COMMANDS[k]->bit);
	}
	fputs("\nOptions of every command:\n", f);
	print_flags(f, CMD_ALL);
	fputs("\n", f);
	fputs(EXIT_STATUS, f);
	fputs(DOCUMENTATION, f);
}

void cmd_help_command(const vr_command *command, FILE *f)
{
	fprintf(f, "Usage: vrdmasim %s\n\n", command->synopsis);
	fprintf(f, "%s\n\nOptions:\n", command->description);
	print_flags(f, command->bit);
	print_flags(f, CMD_ALL);
	fputs("\n", f);
	fputs(command->exit_status ? command->exit_status : EXIT_STATUS, f);
}

void cmd_print_version(FILE *f)
{
	fprintf(f, "vrdmasim %s\n", PACKAGE_VERSION);
}

/* The completion's question: the commands, or COMMAND's flags (with the
 * metavariable of their value, from which the script offers values). */
static int complete(const char *command_name)
{
	if (!command_name) {
		for (size_t k = 0; VR_COMMANDS[k]; k++)
			printf("%s\n", VR_COMMANDS[k]->name);
		return 0;
	}
	const vr_command *command = vr_command_find(command_name);
	if (!command)
		return EXIT_BAD_INPUT;
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++)
		if (CLI_FLAGS[k].help && (CLI_FLAGS[k].commands & command->bit))
			printf("--%s%s%s\n", CLI_FLAGS[k].name, CLI_FLAGS[k].metavar ? " " : "",
			       CLI_FLAGS[k].metavar ? CLI_FLAGS[k].metavar : "");
	return 0;
}

static int help_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	if (c->complete)
		return complete(c->scenario);
	if (!c->scenario) {
		cmd_help_global(stdout);
		return 0;
	}
	const vr_command *command = vr_command_find(c->scenario);
	if (!command)
		return vr_command_refuse(c->scenario, NULL);
	cmd_help_command(command, stdout);
	return 0;
}

const vr_command VR_CMD_HELP = {
	.name = "help",
	.bit = CMD_HELP,
	.synopsis = "help [COMMAND]",
	.description = "this help, or COMMAND's own: its synopsis,\n"
		       "description and options",
	.operands_max = 1,
	.operands_refusal = "one command",
	.handler = help_command,
};
