/*
 * sweep.c - a scenario's `sweep:` block read, its points numbered, and each
 * point built as a tree and loaded by the scenario loader.  See sweep.h.
 */
#include "models/sweep.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/sha256.h"
#include "input/yaml_read.h"
#include "models/params.h"

static const char *const block_keys[] = {"grid", "zip", "target", NULL};

/* ---- the block ---- */

/* Is NAME (a path's first key) one of the scenario's own keys? */
static int scenario_key(const char *path)
{
	size_t n = strcspn(path, ".[");
	for (const char *const *k = scn_scenario_keys(); *k; k++)
		if (strlen(*k) == n && strncmp(*k, path, n) == 0)
			return strcmp(*k, "sweep") != 0;
	return 0;
}

static int refuse_variable(const yt_node *key, vr_diag *diag)
{
	const char *near = vr_nearest(key->text, mdl_param_names());
	char keys[512];
	yr_join(scn_scenario_keys(), keys, sizeof keys);
	if (near)
		return vr_diag_at(diag, key->where, "found unknown variable '%s', expected a scenario key or a model parameter (did you mean '%s'?)",
				  key->text, near);
	return vr_diag_at(diag, key->where, "found unknown variable '%s', expected a path through a scenario key (%s) or a model parameter such as virt.vm_exit",
			  key->text, keys);
}

static int read_values(const yt_node *key, const yt_node *values, vr_diag *diag)
{
	if (values->type != YT_SEQ)
		return vr_diag_at(diag, values->where, "found %s for '%s', expected a list of its values, such as [1, 2, 4]",
				  yt_type_name(values->type), key->text);
	if (values->count == 0)
		return vr_diag_at(diag, values->where, "found an empty list for '%s', expected at least one value", key->text);
	for (size_t i = 0; i < values->count; i++) {
		if (values->items[i]->type != YT_SCALAR)
			return vr_diag_at(diag, values->items[i]->where, "found %s as a value of '%s', expected a single value (each point takes one)",
					  yt_type_name(values->items[i]->type), key->text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(values->items[j]->text, values->items[i]->text) == 0)
				return vr_diag_at(diag, values->items[i]->where, "found the value '%s' of '%s' twice, expected each value once",
						  values->items[i]->text, key->text);
	}
	return 0;
}

static int read_var(swp_sweep *sw, const yt_node *key, const yt_node *values, int zipped, vr_diag *diag)
{
	if (sw->var_count == SWP_VARS_MAX)
		return vr_diag_at(diag, key->where, "found more than %d variables, expected at most %d", SWP_VARS_MAX, SWP_VARS_MAX);
	for (size_t v = 0; v < sw->var_count; v++)
		if (strcmp(sw->vars[v].key->text, key->text) == 0)
			return vr_diag_at(diag, key->where, "found the variable '%s' a second time (in grid and zip), expected each variable once",
					  key->text);
	int parameter = !scenario_key(key->text);
	if (parameter && mdl_param_lookup(key->text) < 0)
		return refuse_variable(key, diag);
	if (read_values(key, values, diag) != 0)
		return -1;
	if (zipped && sw->zip_length && values->count != sw->zip_length)
		return vr_diag_at(diag, values->where, "found %zu values for '%s', expected %zu, as many as the other zipped lists have",
				  values->count, key->text, sw->zip_length);
	if (zipped)
		sw->zip_length = values->count;
	sw->vars[sw->var_count++] = (swp_var){key, values, zipped, parameter};
	return 0;
}

static int read_group(swp_sweep *sw, const yt_node *group, int zipped, vr_diag *diag)
{
	if (yr_expect(group, YT_MAP, zipped ? "the zipped variables (VARIABLE: [values])" : "the grid (VARIABLE: [values])",
		      diag) != 0)
		return -1;
	if (group->count == 0)
		return vr_diag_at(diag, group->where, "found no variable, expected at least one VARIABLE: [values]");
	for (size_t i = 0; i < group->count; i++)
		if (read_var(sw, group->keys[i], group->items[i], zipped, diag) != 0)
			return -1;
	return 0;
}

static int count_points(swp_sweep *sw, vr_diag *diag)
{
	double points = sw->zip_length ? (double)sw->zip_length : 1;
	for (size_t v = 0; v < sw->var_count; v++)
		if (!sw->vars[v].zipped)
			points *= (double)sw->vars[v].values->count;
	if (points > SWP_POINTS_MAX)
		return vr_diag_at(diag, sw->block->where, "found a sweep of %.0f points, expected at most %d", points, SWP_POINTS_MAX);
	sw->point_count = (size_t)points;
	return 0;
}

int swp_knee_number(const yt_node *value, double *number, char *unit, size_t unit_len)
{
	char *end;
	*number = strtod(value->text, &end);
	if (end == value->text || !isfinite(*number) || !strchr("0123456789", value->text[0]))
		return -1;
	snprintf(unit, unit_len, "%s", end);
	return 0;
}

/* The knee variable: named by the target or the grid's first; swept with
 * numbers, all with the same unit. */
static int read_knee_var(swp_sweep *sw, vr_diag *diag)
{
	const yt_node *name = sw->target.variable;
	size_t v = 0;
	while (v < sw->var_count && (name ? strcmp(sw->vars[v].key->text, name->text) != 0 : sw->vars[v].zipped))
		v++;
	if (v == sw->var_count) {
		if (!name)
			return vr_diag_at(diag, sw->target.node->where, "found a target with no grid variable to find the knee over, expected 'variable:' naming a swept variable");
		char names[1024] = "";
		for (size_t i = 0; i < sw->var_count; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", sw->vars[i].key->text);
		return vr_diag_at(diag, name->where, "found '%s', which the sweep does not vary, expected a swept variable (%s)", name->text, names);
	}
	const yt_node *values = sw->vars[v].values;
	char unit[64], first_unit[64];
	double x;
	for (size_t i = 0; i < values->count; i++) {
		const yt_node *value = values->items[i];
		if (value->quoted || swp_knee_number(value, &x, unit, sizeof unit) != 0)
			return vr_diag_at(diag, value->where, "found '%s' as a value of the knee variable '%s', expected a number (the knee is a value of it: not an option, a preset or a mode)",
					  value->text, sw->vars[v].key->text);
		if (i == 0)
			memcpy(first_unit, unit, sizeof unit);
		else if (strcmp(unit, first_unit) != 0)
			return vr_diag_at(diag, value->where, "found '%s' as a value of the knee variable '%s', expected a number with the unit of its first value ('%s')",
					  value->text, sw->vars[v].key->text, first_unit);
	}
	if (sw->vars[v].zipped)
		return vr_diag_at(diag, (name ? name : sw->target.node)->where, "found the zipped variable '%s' as the knee variable, expected a grid variable (a zipped one moves with others)",
				  sw->vars[v].key->text);
	sw->knee_var = v;
	return 0;
}

static int read_target(swp_sweep *sw, const yt_node *node, vr_diag *diag)
{
	return swp_target_read(node, &sw->target, diag) || read_knee_var(sw, diag) ? -1 : 0;
}

static int read_block(swp_sweep *sw, vr_diag *diag)
{
	const yt_node *root = sw->doc.root, *v;
	if (!root || root->type != YT_MAP)
		return vr_diag_at(diag, (vr_where){sw->doc.file, 0, 0}, "found %s, expected a scenario with a 'sweep' block",
				  root ? yt_type_name(root->type) : "an empty file");
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "sweep") == 0)
			sw->block = root->keys[i];
	if (!sw->block)
		return vr_diag_at(diag, (vr_where){sw->doc.file, 0, 0}, "found a scenario without 'sweep', expected a 'sweep' block with 'grid' or 'zip' ('vrdmasim run' runs a single scenario)");
	const yt_node *block = yt_get(root, "sweep");
	if (yr_expect(block, YT_MAP, "the sweep {grid, zip}", diag) || yr_known_keys(block, block_keys, "the sweep", diag))
		return -1;
	if (block->count == 0)
		return vr_diag_at(diag, block->where, "found an empty sweep, expected 'grid' or 'zip' (or both)");
	if (((v = yt_get(block, "grid")) && read_group(sw, v, 0, diag)) || ((v = yt_get(block, "zip")) && read_group(sw, v, 1, diag)))
		return -1;
	sw->seed = 1;
	if ((v = yt_get(root, "seed")) && yr_count(v, "the seed", 0, UINT32_MAX, &sw->seed, diag))
		return -1;
	if (count_points(sw, diag) != 0)
		return -1;
	sw->grid_count = sw->point_count;
	return (v = yt_get(block, "target")) ? read_target(sw, v, diag) : 0;
}

int swp_open_buffer(const char *name, const char *text, size_t length, swp_sweep *sw, vr_diag *diag)
{
	memset(sw, 0, sizeof *sw);
	if (yt_load_buffer(name, text, length, &sw->doc, diag) != 0)
		return -1;
	return read_block(sw, diag);
}

int swp_open(const char *path, swp_sweep *sw, vr_diag *diag)
{
	memset(sw, 0, sizeof *sw);
	if (yt_load_file(path, &sw->doc, diag) != 0)
		return -1;
	return read_block(sw, diag);
}

/* The variable V's list of values in the tree, for replacing it. */
static yt_node **values_slot(swp_sweep *sw, size_t v)
{
	yt_node *root = sw->doc.root;
	for (size_t i = 0; i < root->count; i++) {
		if (strcmp(root->keys[i]->text, "sweep") != 0)
			continue;
		yt_node *block = root->items[i];
		for (size_t g = 0; g < block->count; g++)
			for (size_t k = 0; block->items[g]->type == YT_MAP && k < block->items[g]->count; k++)
				if (block->items[g]->items[k] == sw->vars[v].values)
					return &block->items[g]->items[k];
	}
	return NULL;
}

int swp_replace_presets(swp_sweep *sw, const yt_node *list, vr_diag *diag)
{
	if (scn_replace_presets(sw->doc.root, list, diag) != 0)
		return -1;
	for (size_t v = 0; v < sw->var_count; v++) {
		if (sw->vars[v].parameter || strcmp(sw->vars[v].key->text, "preset") != 0)
			continue;
		if (sw->vars[v].zipped && list->count != sw->zip_length)
			return vr_diag_at(diag, list->where, "found %zu presets for the zipped variable 'preset', expected %zu, as many as the other zipped lists have",
					  list->count, sw->zip_length);
		yt_node **slot = values_slot(sw, v), *copy = yt_copy(list);
		if (!slot || !copy) {
			yt_free(&(yt_doc){.root = copy});
			return vr_diag_at(diag, list->where, "out of memory");
		}
		yt_free(&(yt_doc){.root = *slot});
		*slot = copy;
		sw->vars[v].values = copy;
	}
	if (count_points(sw, diag) != 0)
		return -1;
	sw->grid_count = sw->point_count;
	return 0;
}

static void drop_round(swp_sweep *sw)
{
	for (size_t k = 0; sw->round && k < sw->point_count; k++)
		yt_free(&(yt_doc){.root = sw->refined_value[k]});
	free(sw->refined_base);
	free(sw->refined_value);
	sw->refined_base = NULL;
	sw->refined_value = NULL;
	sw->round = 0;
	sw->point_count = sw->grid_count;
}

int swp_set_round(swp_sweep *sw, unsigned round, const size_t *bases, char *const *values, size_t count, vr_diag *diag)
{
	drop_round(sw);
	if (round == 0)
		return 0;
	sw->refined_base = calloc(count ? count : 1, sizeof *sw->refined_base);
	sw->refined_value = calloc(count ? count : 1, sizeof *sw->refined_value);
	if (!sw->refined_base || !sw->refined_value) {
		drop_round(sw);
		return vr_diag_at(diag, sw->block->where, "out of memory");
	}
	sw->round = round;
	sw->point_count = 0;
	const yt_node *key = sw->vars[sw->knee_var].key;
	for (size_t k = 0; k < count; k++) {
		yt_node *value = yt_scalar(values[k], key->where);
		if (!value) {
			drop_round(sw);
			return vr_diag_at(diag, sw->block->where, "out of memory");
		}
		sw->refined_base[k] = bases[k];
		sw->refined_value[k] = value;
		sw->point_count = k + 1;
	}
	return 0;
}

void swp_close(swp_sweep *sw)
{
	drop_round(sw);
	yt_free(&sw->doc);
	memset(sw, 0, sizeof *sw);
}

/* ---- points ---- */

const yt_node *swp_value(const swp_sweep *sw, size_t index, size_t var)
{
	if (sw->round == 0)
		return swp_grid_value(sw, index, var);
	return var == sw->knee_var ? sw->refined_value[index] : swp_grid_value(sw, sw->refined_base[index], var);
}

const yt_node *swp_grid_value(const swp_sweep *sw, size_t index, size_t var)
{
	size_t zip = sw->zip_length ? sw->zip_length : 1;
	if (sw->vars[var].zipped)
		return sw->vars[var].values->items[index % zip];
	size_t rest = index / zip;
	for (size_t v = sw->var_count; v-- > 0;) {
		if (sw->vars[v].zipped)
			continue;
		size_t n = sw->vars[v].values->count;
		if (v == var)
			return sw->vars[v].values->items[rest % n];
		rest /= n;
	}
	return NULL;
}

unsigned long long swp_seed(const swp_sweep *sw, size_t index)
{
	char text[8192], hex[VR_SHA256_HEX_BYTES];
	size_t used = (size_t)snprintf(text, sizeof text, "seed=%llu\n", sw->seed);
	for (size_t v = 0; v < sw->var_count && used < sizeof text; v++)
		used += (size_t)snprintf(text + used, sizeof text - used, "%s=%s\n", sw->vars[v].key->text,
					 swp_value(sw, index, v)->text);
	vr_sha256_hex(text, used < sizeof text ? used : sizeof text - 1, hex);
	hex[8] = '\0';
	return strtoull(hex, NULL, 16);   /* 32 bits: the range `seed:` takes */
}

void swp_describe(const swp_sweep *sw, size_t index, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t v = 0; v < sw->var_count && used < len; v++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", v ? " " : "", sw->vars[v].key->text,
					 swp_value(sw, index, v)->text);
}

int swp_is_number(const yt_node *value)
{
	char *end;
	if (value->quoted || !value->text[0])
		return 0;
	strtod(value->text, &end);
	return *end == '\0' && strspn(value->text, "0123456789+-.eE") == strlen(value->text);
}

/* ---- a point's tree ---- */

typedef struct placing {
	const swp_var *var;
	const yt_node *value;
	vr_diag *diag;
} placing;

/* VALUE in place of PARENT's item INDEX: a list the scenario holds there
 * becomes a list of the one value (`sizes: [64B]`). */
static int put_at(const placing *pl, yt_node *parent, size_t index)
{
	yt_node *copy = yt_copy(pl->value);
	if (copy && parent->items[index]->type == YT_SEQ)
		copy = yt_list_of(copy);
	if (!copy)
		return vr_diag_at(pl->diag, pl->value->where, "out of memory");
	yt_replace_item(parent, index, copy);
	return 0;
}

static int walk(const placing *pl, yt_node *node, const char *path);

/* Items of LIST that SELECTOR ("*", an index, a name) picks, each walked
 * with the rest of the path (or replaced, at its end). */
static int select_items(const placing *pl, yt_node *list, const char *selector, size_t selector_len, const char *rest)
{
	const yt_node *key = pl->var->key;
	char sel[128];
	snprintf(sel, sizeof sel, "%.*s", (int)selector_len, selector);
	if (list->type != YT_SEQ)
		return vr_diag_at(pl->diag, key->where, "found '[%s]' in '%s' on %s, expected it after a list", sel, key->text,
				  yt_type_name(list->type));
	int all = strcmp(sel, "*") == 0, numeric = sel[0] && strspn(sel, "0123456789") == strlen(sel);
	size_t picked = 0;
	for (size_t i = 0; i < list->count; i++) {
		const yt_node *name = list->items[i]->type == YT_MAP ? yt_get(list->items[i], "name") : NULL;
		int match = all || (numeric && strtoull(sel, NULL, 10) == i) ||
			    (!numeric && name && name->type == YT_SCALAR && strcmp(name->text, sel) == 0);
		if (!match)
			continue;
		picked++;
		if (!*rest ? put_at(pl, list, i) : walk(pl, list->items[i], rest + 1))
			return -1;
	}
	if (picked == 0)
		return vr_diag_at(pl->diag, key->where, numeric ? "found '[%s]' in '%s', expected an index below %zu (the list's length)"
							     : "found '[%s]' in '%s', expected '*', an index or the name of an item (%zu items, none named so)",
				  sel, key->text, list->count);
	return 0;
}

/* Follow PATH ("key.key[sel].key") from NODE and put the value there. */
static int walk(const placing *pl, yt_node *node, const char *path)
{
	const yt_node *key = pl->var->key;
	size_t n = strcspn(path, ".[");
	if (n == 0)
		return vr_diag_at(pl->diag, key->where, "found '%s', expected a path such as workload.sizes or topology.hosts[*].vms",
				  key->text);
	if (node->type != YT_MAP)
		return vr_diag_at(pl->diag, key->where, "found '%s' reaching into %s at '%.*s', expected a path through mappings",
				  key->text, yt_type_name(node->type), (int)n, path);
	size_t at = node->count;
	for (size_t i = 0; i < node->count; i++)
		if (strlen(node->keys[i]->text) == n && strncmp(node->keys[i]->text, path, n) == 0)
			at = i;
	const char *rest = path + n;
	if (at == node->count) {
		if (*rest)
			return vr_diag_at(pl->diag, key->where, "found '%s', whose '%.*s' the scenario does not have, expected a path to a key the scenario has (a sweep adds only the last key)",
					  key->text, (int)n, path);
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)n, path);
		yt_node *copy = yt_copy(pl->value);
		if (!copy || yt_map_append(node, name, key->where, copy) != 0)
			return vr_diag_at(pl->diag, key->where, "out of memory");
		return 0;
	}
	if (!*rest)
		return put_at(pl, node, at);
	if (*rest == '.')
		return walk(pl, node->items[at], rest + 1);
	const char *close = strchr(rest, ']');
	if (!close || (close[1] && close[1] != '.'))
		return vr_diag_at(pl->diag, key->where, "found '%s', expected '[*]', '[INDEX]' or '[NAME]' followed by '.' or the end", key->text);
	return select_items(pl, node->items[at], rest + 1, (size_t)(close - rest - 1), close + 1);
}

/* The point's `seed:`, in place of the scenario's or added. */
static int put_seed(const swp_sweep *sw, yt_node *root, size_t index, vr_diag *diag)
{
	char text[32];
	snprintf(text, sizeof text, "%llu", swp_seed(sw, index));
	yt_node *seed = yt_scalar(text, sw->block->where);
	if (!seed)
		return vr_diag_at(diag, sw->block->where, "out of memory");
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "seed") == 0) {
			yt_replace_item(root, i, seed);
			return 0;
		}
	if (yt_map_append(root, "seed", sw->block->where, seed) != 0) {
		yt_free(&(yt_doc){.root = seed});
		return vr_diag_at(diag, sw->block->where, "out of memory");
	}
	return 0;
}

/* Point INDEX's tree: the scenario without `sweep:`, its values put. */
static int build_tree(const swp_sweep *sw, size_t index, yt_node *root, vr_diag *diag)
{
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "sweep") == 0)
			yt_map_remove(root, i--);
	for (size_t v = 0; v < sw->var_count; v++) {
		placing pl = {&sw->vars[v], swp_value(sw, index, v), diag};
		if (!sw->vars[v].parameter && walk(&pl, root, sw->vars[v].key->text) != 0)
			return -1;
	}
	return put_seed(sw, root, index, diag);
}

int swp_load_point(const swp_sweep *sw, size_t index, scn_scenario *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	yt_doc doc = {.file = strdup(sw->doc.file), .root = yt_copy(sw->doc.root)};
	memcpy(doc.sha256, sw->doc.sha256, sizeof doc.sha256);
	int rc = !doc.file || !doc.root ? vr_diag_at(diag, sw->block->where, "out of memory")
					 : build_tree(sw, index, doc.root, diag) || scn_load_doc(&doc, out, diag);
	for (size_t v = 0; rc == 0 && v < sw->var_count; v++)
		if (sw->vars[v].parameter)
			rc = scn_set_parameter_node(out, sw->vars[v].key, swp_value(sw, index, v), diag);
	yt_free(&doc);
	return rc ? -1 : 0;
}

int swp_load_variant(const swp_sweep *sw, size_t base, const char *knee_value, scn_scenario *out, vr_diag *diag)
{
	/* a one-point round, on a shallow copy: SW itself stays as it is */
	swp_sweep one = *sw;
	yt_node *value = yt_scalar(knee_value, sw->vars[sw->knee_var].key->where);
	if (!value) {
		memset(out, 0, sizeof *out);
		return vr_diag_at(diag, sw->block->where, "out of memory");
	}
	one.round = 1;
	one.point_count = 1;
	one.refined_base = &base;
	one.refined_value = &value;
	int rc = swp_load_point(&one, 0, out, diag);
	yt_free(&(yt_doc){.root = value});
	return rc;
}

int swp_check_points(const swp_sweep *sw, vr_diag *diag)
{
	for (size_t k = 0; k < sw->point_count; k++) {
		scn_scenario s;
		int rc = swp_load_point(sw, k, &s, diag);
		if (rc == 0 && k == 0)
			rc = swp_check_target(sw, &s, diag);
		scn_free(&s);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int swp_check_target(const swp_sweep *sw, const scn_scenario *s, vr_diag *diag)
{
	const swp_target *t = &sw->target;
	if (!t->present)
		return 0;
	const scn_flows *f = &s->flows;
	if (f->group_count == 0) {
		if (t->group)
			return vr_diag_at(diag, t->group->where, "found the flow group '%s' in a scenario without flows, expected no 'group:' (the target applies to every single-flow result)",
					  t->group->text);
		if (t->metric == SWP_METRIC_THROUGHPUT)
			return vr_diag_at(diag, t->require->where, "found a throughput target in a scenario without flows, expected p50, p99 or p99.9 (single-flow results are latencies)");
		return 0;
	}
	if (!t->group && f->group_count > 1)
		return vr_diag_at(diag, t->node->where, "found a target without 'group:' in a scenario of %zu flow groups, expected the group it is about (group: %s)",
				  f->group_count, f->groups[0].name);
	size_t g = 0;
	while (t->group && g < f->group_count && strcmp(f->groups[g].name, t->group->text) != 0)
		g++;
	if (g == f->group_count) {
		char names[512] = "";
		for (size_t i = 0; i < f->group_count; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", f->groups[i].name);
		return vr_diag_at(diag, t->group->where, "found the flow group '%s', which the scenario does not have, expected one of %s", t->group->text, names);
	}
	if (t->bound_kind == SWP_BOUND_OFFERED && f->groups[t->group ? g : 0].load.loop != FLOW_OPEN_LOOP)
		return vr_diag_at(diag, t->require->where, "found a share of the offered load on the closed-loop group '%s', expected an open-loop group (a closed loop offers what it gets) or a rate",
				  f->groups[t->group ? g : 0].name);
	return 0;
}
