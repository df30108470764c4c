/*
 * knee.h - the answer to a sweep's target (models/target.h): per series
 * (preset, option, single-flow result, and the values of the variables
 * other than the knee variable), the largest value of the knee variable
 * that meets the target, bracketed; and the points that bisect the
 * brackets not yet tight (the next round of refinement).
 *
 * The knee is where the target is first missed: the series' values sorted
 * up, FAILS the first that does not meet it, MEETS the one before (the
 * knee).  Every value meets: the knee is the largest, FAILS none; the
 * smallest already fails: no knee.  A series that dips back under the
 * target further up is still read at its first crossing, so that a round
 * of bisection never moves a knee past a failure already seen.
 *
 * A bracket is tight when nothing lies between its ends worth running: for
 * a knee variable whose values are all integers, fails - meets <= 1 (it
 * bisects over integers: never a fraction, never a value already run);
 * otherwise fails - meets <= KNEE_REAL_TOLERANCE * fails.  A round's points
 * are each open bracket's midpoint, one point per distinct (grid point
 * with the same other coordinates, midpoint), in that order: the list
 * depends only on the results of the rounds before.
 */
#ifndef VR_MODELS_KNEE_H
#define VR_MODELS_KNEE_H

#include <stddef.h>

#include "input/point_lines.h"
#include "models/sweep.h"

#define KNEE_REAL_TOLERANCE 0.01   /* a real bracket is tight within 1 % of its upper end */

typedef struct knee_obs {
	double x;                /* the knee variable's value, as a number */
	char x_text[64];         /* ... as written ("6", "12.5k/s per vm") */
	double metric;           /* the target's metric there (us, or ops/s) */
	double offered;          /* the group's offered load, ops/s (0: unknown) */
	unsigned round;
} knee_obs;

typedef struct knee_series {
	char preset[64], option[64];
	char result[192];        /* single-flow: "verb":..,"size_bytes":..,"completion":..; flows: "" */
	char coordinates[1024];  /* the other variables: "\"VAR\":VALUE,..." (JSON members) */
	size_t base;             /* the grid point with these coordinates and the knee variable's first value */
	size_t entry;            /* its place among a point's results (the scenario's preset, option order) */
	knee_obs *obs;
	size_t count, cap;
	long meets, fails;       /* after knee_find: indexes in obs (sorted up), -1: none */
} knee_series;

typedef struct knee_set {
	knee_series *series;
	size_t count, cap;
	int integer;             /* every grid value of the knee variable is an integer */
} knee_set;

/* Gather SW's target metric from LINES (whole lines of SW's results) of
 * rounds below BELOW_ROUND into OUT (emptied first; knee_set_free either
 * way), its series in grid order, then in the order of a point's results
 * (whatever order the lines are in).  OFFERED (may be NULL) gives a line's group offered load.  0, or -1
 * with DIAG filled (a line without the metric: FILE:LINE). */
int knee_collect(const swp_sweep *sw, const vr_point_lines *lines, const char *path, unsigned below_round, knee_set *out,
		 vr_diag *diag);

/* Sort S's values up and find its knee and bracket under T. */
void knee_find(const swp_target *t, knee_series *s);

/* The rounds a series' points came from (1 + the highest round). */
unsigned knee_rounds(const knee_series *s);

/* The next round's points (after knee_find on every series): *BASES and
 * *VALUES (malloc'd; free with knee_points_free), *COUNT of them.  0, or -1
 * (out of memory). */
int knee_propose(const knee_set *set, size_t **bases, char ***values, size_t *count);
void knee_points_free(size_t *bases, char **values, size_t count);

void knee_set_free(knee_set *set);

#endif
