/*
 * params.c - parameter registry and the rules for a complete, sane set.
 */
#include "models/params.h"

#include <stdio.h>
#include <string.h>

#include "sim/yaml_read.h"

#define MIN_EXCL 1
#define MIN_INCL 0
const mdl_param_def mdl_param_defs[MDL_PARAM_COUNT] = {
#define PARAM(id, pname, pkind, lo, hi, bound, pmeaning) \
	[MDL_##id] = {.name = pname, .kind = VR_Q_##pkind, .min = lo, .max = hi, \
		      .min_exclusive = bound, .meaning = pmeaning},
#include "models/params.def"
#undef PARAM
};

static const char *const param_names[MDL_PARAM_COUNT + 1] = {
#define PARAM(id, pname, kind, lo, hi, bound, meaning) pname,
#include "models/params.def"
#undef PARAM
	NULL
};

int mdl_param_lookup(const char *name)
{
	for (int i = 0; i < MDL_PARAM_COUNT; i++)
		if (strcmp(param_names[i], name) == 0)
			return i;
	return -1;
}

const char *const *mdl_param_names(void)
{
	return param_names;
}

static int set_by_name(mdl_params *params, const char *name, const yt_node *key,
		       const yt_node *value, const char *source, vr_diag *diag)
{
	int id = mdl_param_lookup(name);
	if (id < 0) {
		const char *near = vr_nearest(name, param_names);
		if (near)
			return vr_diag_at(diag, key->where,
					  "found unknown model parameter '%s', expected '%s' (did you mean '%s'?)",
					  name, near, near);
		return vr_diag_at(diag, key->where,
				  "found unknown model parameter '%s', expected a name from models/params.def such as 'virt.vm_exit'",
				  name);
	}
	char what[128];
	snprintf(what, sizeof what, "'%s'", name);
	vr_quantity q;
	if (yr_quantity(value, mdl_param_defs[id].kind, what, &q, diag) != 0)
		return -1;
	params->written[id] = q;
	params->set[id] = 1;
	snprintf(params->where_file[id], sizeof params->where_file[id], "%s", value->where.file);
	params->where[id] = value->where;
	params->where[id].file = params->where_file[id];
	snprintf(params->source[id], sizeof params->source[id], "%s", source);
	return 0;
}

int mdl_params_set(mdl_params *params, const yt_node *key, const yt_node *value,
		   const char *source, vr_diag *diag)
{
	return set_by_name(params, key->text, key, value, source, diag);
}

int mdl_params_override(mdl_params *params, const yt_node *map, const char *prefix,
			vr_diag *diag)
{
	if (yr_expect(map, YT_MAP, "parameter overrides", diag) != 0)
		return -1;
	for (size_t i = 0; i < map->count; i++) {
		const yt_node *key = map->keys[i];
		char name[160], source[MDL_SOURCE_MAX];
		snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key->text);
		snprintf(source, sizeof source, "override at %s:%u:%u", key->where.file,
			 key->where.line, key->where.column);
		if (set_by_name(params, name, key, map->items[i], source, diag) != 0)
			return -1;
	}
	return 0;
}

static int check_bounds(const mdl_params *params, int id, vr_diag *diag)
{
	const mdl_param_def *def = &mdl_param_defs[id];
	double v = params->value[id];
	int too_low = def->min_exclusive ? v <= def->min : v < def->min;
	if (!too_low && v <= def->max)
		return 0;
	char range[96];
	if (def->min_exclusive && def->min == 0)
		snprintf(range, sizeof range, "a value above zero");
	else
		snprintf(range, sizeof range, "a value from %g to %g (canonical units)", def->min, def->max);
	return vr_diag_at(diag, params->where[id], "found %g for '%s' (%s), expected %s",
			  v, def->name, def->meaning, range);
}

/* Rules that relate parameters to each other. */
static int check_relations(const mdl_params *params, vr_diag *diag)
{
	if (params->value[MDL_HCA_BLUEFLAME_MAX] > params->value[MDL_HCA_INLINE_MAX])
		return vr_diag_at(diag, params->where[MDL_HCA_BLUEFLAME_MAX],
				  "found hca.blueflame_max (%g B) above hca.inline_max (%g B), expected at most hca.inline_max: only inline WQEs are pushed with the doorbell",
				  params->value[MDL_HCA_BLUEFLAME_MAX], params->value[MDL_HCA_INLINE_MAX]);
	return 0;
}

/* cpu.frequency is resolved and checked first: every cycles value needs it. */
_Static_assert(MDL_CPU_FREQUENCY == 0, "cpu.frequency must be the first parameter");

int mdl_params_resolve(mdl_params *params, const char *file, vr_diag *diag)
{
	for (int id = 0; id < MDL_PARAM_COUNT; id++)
		if (!params->set[id])
			return vr_diag_at(diag, (vr_where){file, 0, 0},
					  "found no value for '%s' (%s), expected every model parameter to be given",
					  param_names[id], mdl_param_defs[id].meaning);
	double frequency_hz = params->written[MDL_CPU_FREQUENCY].value;
	for (int id = 0; id < MDL_PARAM_COUNT; id++) {
		params->value[id] = mdl_param_defs[id].kind == VR_Q_TIME
			? vr_quantity_ns(params->written[id], frequency_hz)
			: params->written[id].value;
		if (check_bounds(params, id, diag) != 0)
			return -1;
	}
	return check_relations(params, diag);
}
