/*
 * params.h - the model's parameters: registry (params.def), a set of values
 * with their provenance, and the rules that make a set complete and sane.
 *
 * Life of a parameter set: a preset fills every value (mdl_params_set with
 * the preset's source), a calibration overlay or the scenario may overwrite
 * some, then mdl_params_resolve() converts cycles to time through
 * cpu.frequency, checks every bound and cross-parameter rule, and fills
 * `value` in canonical units (ns, bits/s, bytes, Hz, ratio).
 */
#ifndef MDL_PARAMS_H
#define MDL_PARAMS_H

#include "input/diag.h"
#include "input/units.h"
#include "input/yaml_tree.h"

typedef enum mdl_param_id {
#define PARAM(id, name, kind, lo, hi, bound, why, meaning) MDL_##id,
#include "models/params.def"
#undef PARAM
	MDL_PARAM_COUNT
} mdl_param_id;

enum { MDL_SOURCE_MAX = 320 };

typedef struct mdl_param_def {
	const char *name;       /* dotted, as written in presets and scenarios */
	vr_qkind kind;
	double min, max;        /* canonical units */
	int zero_allowed;       /* 0 is accepted besides min..max ("none", "free") */
	const char *why;        /* why min and max are the ends, for errors and docs */
	const char *meaning;
} mdl_param_def;

extern const mdl_param_def mdl_param_defs[MDL_PARAM_COUNT];

/* The resolved value of parameter ID (without its MDL_ prefix) in P. */
#define MDL_VALUE(p, id) ((p)->value[MDL_##id])

typedef struct mdl_params {
	char preset[64];                        /* name of the preset it started from */
	int set[MDL_PARAM_COUNT];               /* given a value yet? */
	vr_quantity written[MDL_PARAM_COUNT];   /* as written (maybe in cycles) */
	vr_where where[MDL_PARAM_COUNT];        /* where the value in force was written */
	char where_file[MDL_PARAM_COUNT][256];  /* storage for where[].file */
	char source[MDL_PARAM_COUNT][MDL_SOURCE_MAX]; /* provenance of the value in force */
	unsigned order[MDL_PARAM_COUNT];        /* when it was set: later layers have larger numbers */
	unsigned sets;                          /* counter behind order[] */
	double value[MDL_PARAM_COUNT];          /* canonical, valid after resolve */
	int back_to_back;                       /* not a parameter: the topology's `fabric:
						 * back-to-back` (models/scenario.h): this host's
						 * cable runs straight to the peer's adapter, no
						 * switch; the fabric mechanisms read it */
} mdl_params;

/* Registry look-ups: index of NAME or -1; NULL-terminated list of names. */
int mdl_param_lookup(const char *name);
const char *const *mdl_param_names(void);

/* Set the parameter named by KEY (a scalar node) from VALUE (a scalar node
 * holding a quantity), recording SOURCE.  Unknown names get a suggestion. */
int mdl_params_set(mdl_params *params, const yt_node *key, const yt_node *value,
		   const char *source, vr_diag *diag);

/* Apply a mapping of "name: quantity" overrides (a scenario's `overrides:`).
 * PREFIX, when not NULL, restricts and is prepended to the names (a host's
 * `hca:` map overrides hca.*). */
int mdl_params_override(mdl_params *params, const yt_node *map, const char *prefix,
			vr_diag *diag);

/* Is VALUE (canonical units) within the bounds of parameter ID? */
int mdl_param_in_bounds(int id, double value);

/* Write "a value from MIN to MAX (WHY)" for parameter ID into BUF. */
void mdl_param_expected(int id, char *buf, size_t len);

/* Complete, convert and check; fills value[].  FILE names the preset for
 * "missing parameter" errors. */
int mdl_params_resolve(mdl_params *params, const char *file, vr_diag *diag);

#endif
