/*
 * outputs.h - the files a command will write (--out, --json,
 * --keep-platform), checked once its inputs are read and before any work.
 */
#ifndef VR_COMMANDS_OUTPUTS_H
#define VR_COMMANDS_OUTPUTS_H

#include "commands/flags.h"

/* 0 when every output of C can be written: not empty, not one of the
 * inputs (input/file.h), not another of its outputs.  Else says why on
 * stderr and returns EXIT_BAD_INPUT.  The output layer checks again when
 * it opens and when it commits. */
int cmd_outputs_refused(const cli_args *c);

#endif
