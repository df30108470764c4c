/*
 * run.h - `vrdmasim run`, and what the commands that load or run a
 * scenario share with it (validate loads one; replay runs one).
 */
#ifndef VR_COMMANDS_RUN_H
#define VR_COMMANDS_RUN_H

#include "commands/flags.h"
#include "models/scenario.h"

/* The scenario C names (without one: the built-in headline scenario),
 * with C's --set overrides applied, into S.  0, or non-zero with the
 * located reason said on stderr.  The caller frees S either way. */
int cmd_load_scenario(const cli_args *c, scn_scenario *s);

/* Run S (loaded; freed here) and report it as C asks: --format, --out
 * (written only if everything succeeds), --keep-platform, replay's
 * profile and --compare.  Returns the exit status: EXIT_BAD_INPUT for
 * refused outputs, 1 for a failed run or write, 0. */
int cmd_run_loaded(const cli_args *c, scn_scenario *s, const char *argv0);

#endif
