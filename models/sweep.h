/*
 * sweep.h - a scenario's `sweep:` block (docs/scenario-format.md): variables,
 * each a list of values, combined as a grid or zipped, into points.
 *
 * A variable is a scenario key addressed by a path (`workload.sizes`,
 * `topology.hosts[*].vms`, `flows[load].load.open_loop`, `completion`) or a
 * model parameter as --set names it (`virt.vm_exit`).  A point is the
 * scenario's tree with its values put in place (without the `sweep:` block),
 * loaded by the normal loader, so that every value is checked as the key
 * always checks it and a refusal is located at the value; then its
 * parameters are set as --set sets them.
 *
 * Points are numbered grid-first: the grid's variables in the order written,
 * the first slowest, then the zipped lists as one more (fastest) dimension.
 * Each point's seed derives from the scenario's `seed:` and the point's
 * coordinates (variable names and values as written), not from its index,
 * so adding a value to a variable keeps every other point's seed.
 */
#ifndef VR_MODELS_SWEEP_H
#define VR_MODELS_SWEEP_H

#include <stddef.h>

#include "input/yaml_tree.h"
#include "models/scenario.h"
#include "models/target.h"

enum {
	SWP_VARS_MAX = 16,              /* variables in one sweep */
	SWP_POINTS_MAX = 1000000,       /* points in one sweep: beyond, a study wants bisection (target:) */
};

typedef struct swp_var {
	const yt_node *key;      /* the variable as written: its name and its place */
	const yt_node *values;   /* its list of values (scalars) */
	int zipped;              /* under `zip:` (moves with the other zipped variables) */
	int parameter;           /* a model parameter (as --set names it), not a scenario key */
} swp_var;

typedef struct swp_sweep {
	yt_doc doc;              /* the scenario file, `sweep:` included */
	const yt_node *block;    /* the `sweep:` key, for places */
	size_t var_count;
	swp_var vars[SWP_VARS_MAX];
	size_t zip_length;       /* values of each zipped variable; 0 without `zip:` */
	size_t point_count;
	unsigned long long seed; /* the scenario's `seed:` (1 without one) */
	swp_target target;       /* `target:` (target.present 0 without one) */
	size_t knee_var;         /* with a target: the variable the knee is over */
	size_t grid_count;       /* points of the grid (round 0) */
	/* The round whose points point_count, swp_value and swp_load_point
	 * address (swp_set_round): 0, the grid, or a round of refinement whose
	 * points are grid points with the knee variable's value replaced. */
	unsigned round;
	size_t *refined_base;    /* round > 0: point K is grid point refined_base[K] ... */
	yt_node **refined_value; /* ... with the knee variable's value refined_value[K] */
} swp_sweep;

/* The knee variable's value as a number and the unit written after it
 * ("10k/s per vm": 10 and "k/s per vm"); -1 when it does not start with a
 * number.  UNIT holds UNIT_LEN bytes. */
int swp_knee_number(const yt_node *value, double *number, char *unit, size_t unit_len);

/* Address round ROUND: the grid (0; BASES and VALUES unused) or COUNT
 * points, each grid point BASES[K] with the knee variable's value VALUES[K]
 * (text such as "6", "12.5k/s per vm"; copied).  0, or -1 (out of memory)
 * with DIAG filled. */
int swp_set_round(swp_sweep *sw, unsigned round, const size_t *bases, char *const *values, size_t count, vr_diag *diag);

/* Read PATH and its `sweep:` block, refusing a malformed one (unknown key,
 * empty list, zipped lists of different lengths, a variable twice, a value
 * that is not a single value).  0, or -1 with DIAG filled; swp_close either
 * way. */
int swp_open(const char *path, swp_sweep *sw, vr_diag *diag);

/* The same from memory (tests); NAME is used in messages. */
int swp_open_buffer(const char *name, const char *text, size_t length, swp_sweep *sw, vr_diag *diag);

void swp_close(swp_sweep *sw);

/* Replace the presets of every point by LIST (scn_preset_list: --preset):
 * the scenario's `preset:` and, when the sweep varies `preset`, that
 * variable's values (so the sweep runs over LIST instead).  Call before
 * swp_set_round.  0, or -1 with DIAG filled (a zipped `preset` whose length
 * LIST changes, out of memory). */
int swp_replace_presets(swp_sweep *sw, const yt_node *list, vr_diag *diag);

/* The value of variable VAR at point INDEX (< sw->point_count) of the
 * current round. */
const yt_node *swp_value(const swp_sweep *sw, size_t index, size_t var);

/* The value of variable VAR at grid point INDEX (< sw->grid_count). */
const yt_node *swp_grid_value(const swp_sweep *sw, size_t index, size_t var);

/* Point INDEX's seed: from the scenario's seed and its coordinates. */
unsigned long long swp_seed(const swp_sweep *sw, size_t index);

/* Point INDEX as a scenario, loaded and checked (OUT: free with scn_free
 * either way).  0, or -1 with DIAG filled, located at the variable or the
 * value that was refused. */
int swp_load_point(const swp_sweep *sw, size_t index, scn_scenario *out, vr_diag *diag);

/* Grid point BASE with the knee variable's value KNEE_VALUE, as
 * swp_load_point loads a point (OUT: scn_free either way). */
int swp_load_variant(const swp_sweep *sw, size_t base, const char *knee_value, scn_scenario *out, vr_diag *diag);

/* Does the target fit the scenario S (a point of the sweep): its group is
 * one of S's flow groups (and named when S has several), a throughput is
 * asked of flows, a share of the offered load of an open loop?  0, or -1
 * with DIAG filled, located in the target. */
int swp_check_target(const swp_sweep *sw, const scn_scenario *s, vr_diag *diag);

/* Load every point, as swp_load_point, and check the target against the
 * first (swp_check_target): the first refusal wins. */
int swp_check_points(const swp_sweep *sw, vr_diag *diag);

/* "VAR=VALUE VAR=VALUE" of point INDEX, into BUF (for --list-points). */
void swp_describe(const swp_sweep *sw, size_t index, char *buf, size_t len);

/* Is the scalar TEXT written as a plain number (a coordinate written as a
 * JSON number), rather than a quantity with a unit or a name? */
int swp_is_number(const yt_node *value);

#endif
