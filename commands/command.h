/*
 * command.h - the contract of a vrdmasim command.
 *
 * A command is a row of VR_COMMANDS (commands/main.c): its name, the
 * synopsis and description its help prints, how many operands it takes,
 * and its handler.  Which flags it takes is said by the flag table
 * (commands/flags.c), by the command's bit; the parser, the help, the
 * refusals, the man page and the shell completion all read the two tables.
 *
 * A handler gets the parsed command line, already checked against the
 * tables and against the command's check(), and returns the exit status:
 * 0 success; 2 (EXIT_BAD_INPUT) bad input, said on stderr as
 * "FILE:LINE:COL: found X, expected Y"; 1 a failure while running or
 * writing output.
 */
#ifndef VR_COMMANDS_COMMAND_H
#define VR_COMMANDS_COMMAND_H

#include <stddef.h>

#include "commands/flags.h"

enum { EXIT_BAD_INPUT = 2 };

typedef struct vr_command {
	const char *name;
	unsigned bit;                 /* CMD_*: how the flag table names it */
	const char *synopsis;         /* what follows "vrdmasim " in the usage line */
	const char *description;      /* lines of at most 53 characters, no indentation */
	size_t operands_max;          /* operands (files) it takes */
	const char *operands_refusal; /* "expected ..." when given more */
	/* The operands and flags it needs, checked before the handler runs:
	 * 0, or EXIT_BAD_INPUT said on stderr.  NULL: nothing required. */
	int (*check)(const cli_args *c);
	int (*handler)(const cli_args *c, const char *argv0);
	const char *exit_status;      /* its help's "Exit status: ..." line; NULL: the usual one */
} vr_command;

/* The commands, in the order the help lists them; NULL-terminated. */
extern const vr_command *const VR_COMMANDS[];

/* The command named NAME; NULL if there is none. */
const vr_command *vr_command_find(const char *name);

/* WORD is no command: say so (with the nearest command, if one is near)
 * on stderr, with where CONTEXT's help is (NULL: the global help), and
 * return EXIT_BAD_INPUT. */
int vr_command_refuse(const char *word, const vr_command *context);

/* The commands (commands/<name>.c). */
extern const vr_command VR_CMD_RUN, VR_CMD_VALIDATE, VR_CMD_PLOT, VR_CMD_CALIBRATE, VR_CMD_REPLAY,
	VR_CMD_LIST, VR_CMD_HELP, VR_CMD_REGRESS, VR_CMD_SWEEP, VR_CMD_MERGE, VR_CMD_COMPARE;

#endif
