/*
 * params.c - parameter registry and the rules for a complete, sane set.
 */
#include "models/params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/yaml_read.h"

#define RANGE 0
#define ZERO_OR 1
const mdl_param_def mdl_param_defs[MDL_PARAM_COUNT] = {
#define PARAM(id, pname, pkind, lo, hi, bound, pwhy, pmeaning) \
	[MDL_##id] = {.name = pname, .kind = VR_Q_##pkind, .min = lo, .max = hi, \
		      .zero_allowed = bound, .why = pwhy, .meaning = pmeaning},
#include "models/params.def"
#undef PARAM
};

static const char *const param_names[MDL_PARAM_COUNT + 1] = {
#define PARAM(id, pname, kind, lo, hi, bound, why, meaning) pname,
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

/* Names under PREFIX ("hca"), written without it, for suggestions. */
static const char *nearest_under(const char *word, const char *prefix, char storage[][64])
{
	const char *names[MDL_PARAM_COUNT + 1];
	size_t n = 0, len = strlen(prefix);
	for (int i = 0; i < MDL_PARAM_COUNT; i++)
		if (!strncmp(param_names[i], prefix, len) && param_names[i][len] == '.') {
			snprintf(storage[n], 64, "%s", param_names[i] + len + 1);
			names[n] = storage[n];
			n++;
		}
	names[n] = NULL;
	return vr_nearest(word, names);
}

static int unknown_name(const char *written, const char *prefix, const yt_node *key, vr_diag *diag)
{
	char storage[MDL_PARAM_COUNT][64];
	const char *near = prefix ? nearest_under(written, prefix, storage) : vr_nearest(written, param_names);
	char context[96] = "";
	if (prefix)
		snprintf(context, sizeof context, " under '%s' (the %s.* parameters)", prefix, prefix);
	if (near)
		return vr_diag_at(diag, key->where, "found unknown model parameter '%s'%s, expected '%s' (did you mean '%s'?)",
				  written, context, near, near);
	return vr_diag_at(diag, key->where,
			  "found unknown model parameter '%s'%s, expected a name from models/params.def such as '%s'",
			  written, context, prefix ? "bandwidth" : "virt.vm_exit");
}

static int set_by_name(mdl_params *params, const char *prefix, const yt_node *key,
		       const yt_node *value, const char *source, vr_diag *diag)
{
	char name[160];
	snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key->text);
	int id = mdl_param_lookup(name);
	if (id < 0)
		return unknown_name(key->text, prefix, key, diag);
	char what[192];
	snprintf(what, sizeof what, "'%s'", name);
	vr_quantity q;
	if (yr_quantity(value, mdl_param_defs[id].kind, what, &q, diag) != 0)
		return -1;
	params->written[id] = q;
	params->set[id] = 1;
	params->order[id] = ++params->sets;
	snprintf(params->where_file[id], sizeof params->where_file[id], "%s", value->where.file);
	params->where[id] = value->where;
	params->where[id].file = params->where_file[id];
	snprintf(params->source[id], sizeof params->source[id], "%s", source);
	return 0;
}

int mdl_params_set(mdl_params *params, const yt_node *key, const yt_node *value,
		   const char *source, vr_diag *diag)
{
	return set_by_name(params, NULL, key, value, source, diag);
}

int mdl_params_override(mdl_params *params, const yt_node *map, const char *prefix,
			vr_diag *diag)
{
	if (yr_expect(map, YT_MAP, "parameter overrides", diag) != 0)
		return -1;
	for (size_t i = 0; i < map->count; i++) {
		const yt_node *key = map->keys[i];
		char source[MDL_SOURCE_MAX];
		snprintf(source, sizeof source, "override at %s:%u:%u", key->where.file,
			 key->where.line, key->where.column);
		if (set_by_name(params, prefix, key, map->items[i], source, diag) != 0)
			return -1;
	}
	return 0;
}

static const char *const canonical_unit[] = {
	[VR_Q_TIME] = " ns", [VR_Q_RATE] = " bit/s", [VR_Q_SIZE] = " B", [VR_Q_FREQ] = " Hz",
	[VR_Q_RATIO] = "", [VR_Q_COUNT] = "", [VR_Q_OP_RATE] = " op/s",
};

/* Sizes that hardware encodes as powers of two: a value between two of
 * them names no real setting (a 257 B MTU, a 5000 B page). */
static const struct {
	int id;
	const char *why;
} POWERS_OF_TWO[] = {
	{MDL_PCIE_MAX_PAYLOAD, "the Device Control register encodes MPS as 128 B << n"},
	{MDL_PCIE_MAX_READ_REQUEST, "the Device Control register encodes MRRS as 128 B << n"},
	{MDL_WIRE_MTU, "the IBTA's PMTU values are 256, 512, 1024, 2048 and 4096 B"},
	{MDL_ETH_MTU, "RoCE uses the IBTA's PMTU values, 256 to 4096 B"},
	{MDL_MEM_PAGE_SIZE, "page sizes are powers of two (4 KiB, 2 MiB, 1 GiB on x86-64)"},
	{MDL_MEM_HOST_PAGE_SIZE, "page sizes are powers of two (4 KiB, 2 MiB, 1 GiB on x86-64)"},
};

static const char *power_of_two_reason(int id)
{
	for (size_t i = 0; i < sizeof POWERS_OF_TWO / sizeof POWERS_OF_TWO[0]; i++)
		if (POWERS_OF_TWO[i].id == id)
			return POWERS_OF_TWO[i].why;
	return NULL;
}

static int is_power_of_two(double value)
{
	int exponent;
	return frexp(value, &exponent) == 0.5;
}

int mdl_param_in_bounds(int id, double value)
{
	const mdl_param_def *def = &mdl_param_defs[id];
	if (def->zero_allowed && value == 0)
		return 1;
	if (power_of_two_reason(id) && !is_power_of_two(value))
		return 0;
	return value >= def->min && value <= def->max;   /* false for NaN */
}

void mdl_param_expected(int id, char *buf, size_t len)
{
	const mdl_param_def *def = &mdl_param_defs[id];
	const char *unit = canonical_unit[def->kind];
	const char *pow2 = power_of_two_reason(id);
	snprintf(buf, len, "%s%s from %g%s to %g%s: %s%s%s", def->zero_allowed ? "0 or " : "",
		 pow2 ? "a power of two" : "a value", def->min, unit, def->max, unit, def->why, pow2 ? "; " : "",
		 pow2 ? pow2 : "");
}

static int check_bounds(const mdl_params *params, int id, vr_diag *diag)
{
	const mdl_param_def *def = &mdl_param_defs[id];
	double v = params->value[id];
	if (mdl_param_in_bounds(id, v))
		return 0;
	char range[512], how[512] = "";
	mdl_param_expected(id, range, sizeof range);
	/* A time written in cycles can be out of range because of the clock. */
	if (params->written[id].is_cycles)
		snprintf(how, sizeof how, ", written as %g cycles at cpu.frequency %g Hz (%s)",
			 params->written[id].value, params->value[MDL_CPU_FREQUENCY], params->source[MDL_CPU_FREQUENCY]);
	return vr_diag_at(diag, params->where[id], "found %.10g%s for '%s' (%s)%s, expected %s",
			  v, canonical_unit[def->kind], def->name, def->meaning, how, range);
}

/* Rules that relate parameters to each other. */
static int check_relations(const mdl_params *params, vr_diag *diag)
{
	/* Locate a broken relation at whichever side was written last: that is
	 * the edit that broke it. */
	int blue = MDL_HCA_BLUEFLAME_MAX, inl = MDL_HCA_INLINE_MAX;
	if (params->value[blue] > params->value[inl])
		return vr_diag_at(diag, params->where[params->order[blue] > params->order[inl] ? blue : inl],
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
					  "found no value for '%s', expected every model parameter to be given (this one: %s)",
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
