/*
 * help.h - vrdmasim's help, generated from the command table
 * (VR_COMMANDS) and the flag table (CLI_FLAGS): the global help, each
 * command's own, and the version.  help2man turns the global help into
 * the man page.
 */
#ifndef VR_COMMANDS_HELP_H
#define VR_COMMANDS_HELP_H

#include <stdio.h>

#include "commands/command.h"

/* `vrdmasim --help`: every command and every flag. */
void cmd_help_global(FILE *f);

/* `vrdmasim COMMAND --help`: its synopsis, description and flags only. */
void cmd_help_command(const vr_command *command, FILE *f);

/* `--version`: "vrdmasim VERSION". */
void cmd_print_version(FILE *f);

#endif
