/*
 * sweep_rounds.h - a sweep's target answered (models/knee.h): the rounds
 * of bisection after the grid, each a list of points computed only from the
 * results of the rounds before it (so `--resume`, `--list-points --round R`
 * and `--point K --round R` address any round), and the knee report at the
 * end, read back from the results file: the table on standard output, the
 * JSON with --knees FILE (all or nothing: input/outfile.h).
 */
#ifndef VR_COMMANDS_SWEEP_ROUNDS_H
#define VR_COMMANDS_SWEEP_ROUNDS_H

#include "commands/flags.h"
#include "models/sweep.h"

/* Address round ROUND of SW (0: the grid), its points computed from the
 * results in PATH, which must hold every point of every round before it.
 * 0, or EXIT_BAD_INPUT with the refusal said on stderr. */
int sweep_enter_round(swp_sweep *sw, unsigned round, const char *path);

/* After round sw->round has run into PATH: address the next one.  1 when
 * it has points, 0 when every bracket is tight (or the target's refine:
 * rounds are done), EXIT_BAD_INPUT (said) when PATH cannot be read. */
int sweep_next_round(swp_sweep *sw, const char *path);

/* The knees of the results in PATH, printed (a table, on standard output)
 * and written to C's --knees FILE.  0, 1 when an output failed,
 * EXIT_BAD_INPUT when PATH could not be read (each said). */
int sweep_report_knees(const cli_args *c, const swp_sweep *sw, const char *path);

#endif
