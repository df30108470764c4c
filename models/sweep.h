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
} swp_sweep;

/* Read PATH and its `sweep:` block, refusing a malformed one (unknown key,
 * empty list, zipped lists of different lengths, a variable twice, a value
 * that is not a single value).  0, or -1 with DIAG filled; swp_close either
 * way. */
int swp_open(const char *path, swp_sweep *sw, vr_diag *diag);

/* The same from memory (tests); NAME is used in messages. */
int swp_open_buffer(const char *name, const char *text, size_t length, swp_sweep *sw, vr_diag *diag);

void swp_close(swp_sweep *sw);

/* The value of variable VAR at point INDEX (< sw->point_count). */
const yt_node *swp_value(const swp_sweep *sw, size_t index, size_t var);

/* Point INDEX's seed: from the scenario's seed and its coordinates. */
unsigned long long swp_seed(const swp_sweep *sw, size_t index);

/* Point INDEX as a scenario, loaded and checked (OUT: free with scn_free
 * either way).  0, or -1 with DIAG filled, located at the variable or the
 * value that was refused. */
int swp_load_point(const swp_sweep *sw, size_t index, scn_scenario *out, vr_diag *diag);

/* Load every point, as swp_load_point: the first refusal wins. */
int swp_check_points(const swp_sweep *sw, vr_diag *diag);

/* "VAR=VALUE VAR=VALUE" of point INDEX, into BUF (for --list-points). */
void swp_describe(const swp_sweep *sw, size_t index, char *buf, size_t len);

/* Is the scalar TEXT written as a plain number (a coordinate written as a
 * JSON number), rather than a quantity with a unit or a name? */
int swp_is_number(const yt_node *value);

#endif
