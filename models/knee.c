/*
 * knee.c - knees, brackets and the points that bisect them.  See knee.h.
 */
#include "models/knee.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/json_read.h"

/* ---- reading the lines ---- */

typedef struct reading {
	const swp_sweep *sw;
	const char *path;
	unsigned line;
	knee_set *set;
	vr_diag *diag;
} reading;

static int coordinate_equals(const json_node *value, const yt_node *grid)
{
	if (value->type == JSON_NUMBER)
		return swp_is_number(grid) && json_number(value) == strtod(grid->text, NULL);
	return value->type == JSON_STRING && !swp_is_number(grid) && strcmp(value->text, grid->text) == 0;
}

/* The grid point whose other coordinates are COORDS', with the knee
 * variable's first value; SIZE_MAX when none. */
static size_t find_base(const swp_sweep *sw, const json_node *coords)
{
	size_t stride = 1;
	for (size_t v = sw->var_count; v-- > sw->knee_var + 1;)
		if (!sw->vars[v].zipped)
			stride *= sw->vars[v].values->count;
	stride *= sw->zip_length ? sw->zip_length : 1;
	size_t knee_count = sw->vars[sw->knee_var].values->count;
	for (size_t k = 0; k < sw->grid_count; k++) {
		if ((k / stride) % knee_count != 0)
			continue;
		int same = 1;
		for (size_t v = 0; same && v < sw->var_count; v++) {
			const json_node *value = json_get(coords, sw->vars[v].key->text);
			same = v == sw->knee_var || (value && coordinate_equals(value, swp_grid_value(sw, k, v)));
		}
		if (same)
			return k;
	}
	return SIZE_MAX;
}

static void append_value(char *buf, size_t len, const json_node *value)
{
	size_t used = strlen(buf);
	if (!value || (value->type != JSON_NUMBER && value->type != JSON_STRING))
		snprintf(buf + used, len - used, "null");
	else if (value->type == JSON_NUMBER)
		snprintf(buf + used, len - used, "%.17g", json_number(value));
	else
		snprintf(buf + used, len - used, "\"%s\"", value->text);   /* names and quantities: no quotes or escapes in them */
}

/* The series of (PRESET, OPTION, RESULT, the other coordinates), added if new. */
static knee_series *series_for(reading *r, size_t entry, const char *preset, const char *option, const char *result,
			       const json_node *coords)
{
	char members[1024] = "";
	for (size_t v = 0; v < r->sw->var_count; v++) {
		if (v == r->sw->knee_var)
			continue;
		snprintf(members + strlen(members), sizeof members - strlen(members), "%s\"%s\":", members[0] ? "," : "",
			 r->sw->vars[v].key->text);
		append_value(members, sizeof members, json_get(coords, r->sw->vars[v].key->text));
	}
	knee_set *set = r->set;
	for (size_t i = 0; i < set->count; i++) {
		knee_series *s = &set->series[i];
		if (!strcmp(s->preset, preset) && !strcmp(s->option, option) && !strcmp(s->result, result) && !strcmp(s->coordinates, members))
			return s;
	}
	if (set->count == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 16;
		knee_series *grown = realloc(set->series, cap * sizeof *grown);
		if (!grown)
			return NULL;
		set->series = grown;
		set->cap = cap;
	}
	knee_series *s = &set->series[set->count++];
	memset(s, 0, sizeof *s);
	snprintf(s->preset, sizeof s->preset, "%s", preset);
	snprintf(s->option, sizeof s->option, "%s", option);
	snprintf(s->result, sizeof s->result, "%s", result);
	snprintf(s->coordinates, sizeof s->coordinates, "%s", members);
	s->base = find_base(r->sw, coords);
	s->entry = entry;
	s->meets = s->fails = -1;
	return s;
}

static int offered_load(reading *r, const knee_series *s, knee_obs *o);

static int add_obs(reading *r, knee_series *s, const json_node *x, double metric, unsigned round)
{
	if (!s)
		return vr_diag_at(r->diag, (vr_where){r->path, r->line, 1}, "out of memory");
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		knee_obs *grown = realloc(s->obs, cap * sizeof *grown);
		if (!grown)
			return vr_diag_at(r->diag, (vr_where){r->path, r->line, 1}, "out of memory");
		s->obs = grown;
		s->cap = cap;
	}
	knee_obs *o = &s->obs[s->count++];
	memset(o, 0, sizeof *o);
	o->x = x->type == JSON_NUMBER ? json_number(x) : strtod(x->text, NULL);
	if (x->type == JSON_NUMBER)
		snprintf(o->x_text, sizeof o->x_text, "%.17g", o->x);   /* as sweep_line writes it */
	else
		snprintf(o->x_text, sizeof o->x_text, "%s", x->text);
	o->metric = metric;
	o->round = round;
	if (r->sw->target.bound_kind == SWP_BOUND_OFFERED)
		return offered_load(r, s, o);
	return 0;
}

/* The target group's offered load at O: the point's scenario loaded, its
 * group's arrival rates summed. */
static int offered_load(reading *r, const knee_series *s, knee_obs *o)
{
	scn_scenario scn;
	if (s->base == SIZE_MAX || swp_load_variant(r->sw, s->base, o->x_text, &scn, r->diag) != 0) {
		scn_free(&scn);
		return s->base == SIZE_MAX ? vr_diag_at(r->diag, (vr_where){r->path, r->line, 1}, "found a point whose coordinates are not the grid's, expected a point of %s", r->sw->doc.file) : -1;
	}
	const scn_flows *f = &scn.flows;
	for (size_t g = 0; g < f->group_count; g++) {
		if (r->sw->target.group ? strcmp(f->groups[g].name, r->sw->target.group->text) != 0 : g != 0)
			continue;
		for (size_t c = 0; c < f->groups[g].connection_count; c++)
			o->offered += f->groups[g].connections[c].arrival_rate_per_s;
	}
	scn_free(&scn);
	return 0;
}

static int refuse(reading *r, const char *found)
{
	return vr_diag_at(r->diag, (vr_where){r->path, r->line, 1}, "found %s, expected a sweep point's results with the target's metric (%s)", found,
			  swp_metric_name(r->sw->target.metric));
}

/* A flows point: each (preset, option) entry's group. */
static int read_flows(reading *r, const json_node *results, const json_node *coords, const json_node *x, unsigned round)
{
	const swp_target *t = &r->sw->target;
	size_t entry = 0;
	for (const json_node *e = json_first(results); e; e = json_next(results, e), entry++) {
		const json_node *preset = json_get(e, "preset"), *option = json_get(e, "option"), *groups = json_get(e, "groups"), *group = NULL;
		for (const json_node *g = json_first(groups); g && !group; g = json_next(groups, g)) {
			const json_node *name = json_get(g, "group");
			if (!t->group || (name && name->type == JSON_STRING && strcmp(name->text, t->group->text) == 0))
				group = g;
		}
		const json_node *metric = json_get(group, swp_metric_group_key(t->metric));
		if (!preset || preset->type != JSON_STRING || !option || option->type != JSON_STRING || !metric || metric->type != JSON_NUMBER)
			return refuse(r, "a flows result without the target's group or metric");
		if (add_obs(r, series_for(r, entry, preset->text, option->text, "", coords), x, json_number(metric), round) != 0)
			return -1;
	}
	return 0;
}

/* A single-flow point: each (preset, option, verb, size, completion) result. */
static int read_single(reading *r, const json_node *results, const json_node *coords, const json_node *x, unsigned round)
{
	const char *key = swp_metric_single_key(r->sw->target.metric);
	size_t entry = 0;
	for (const json_node *e = json_first(results); e; e = json_next(results, e), entry++) {
		const json_node *preset = json_get(e, "preset"), *option = json_get(e, "option"), *verb = json_get(e, "verb");
		const json_node *size = json_get(e, "size_bytes"), *completion = json_get(e, "completion");
		const json_node *metric = key ? json_get(json_get(e, "one_way_us"), key) : NULL;
		if (!preset || preset->type != JSON_STRING || !option || option->type != JSON_STRING || !verb || verb->type != JSON_STRING ||
		    !size || size->type != JSON_NUMBER || !completion || completion->type != JSON_STRING || !metric || metric->type != JSON_NUMBER)
			return refuse(r, "a result without its preset, option, verb, size, completion or latency");
		char result[192];
		snprintf(result, sizeof result, "\"verb\":\"%s\",\"size_bytes\":%.17g,\"completion\":\"%s\"", verb->text, json_number(size),
			 completion->text);
		if (add_obs(r, series_for(r, entry, preset->text, option->text, result, coords), x, json_number(metric), round) != 0)
			return -1;
	}
	return 0;
}

static int read_one(reading *r, const vr_point_line *l)
{
	json_doc doc;
	if (json_load_buffer_at(r->path, l->line, l->text, l->length - 1, &doc, r->diag) != 0)
		return -1;
	const json_node *root = doc.root, *coords = json_get(json_get(root, "point"), "coordinates");
	const json_node *x = json_get(coords, r->sw->vars[r->sw->knee_var].key->text);
	const json_node *flows = json_get(root, "flow_results"), *single = json_get(root, "results");
	int rc;
	if (!x || (x->type != JSON_NUMBER && x->type != JSON_STRING) || (x->type == JSON_STRING && !isfinite(strtod(x->text, NULL))))
		rc = refuse(r, "a point without the knee variable's value");
	else
		rc = flows ? read_flows(r, flows, coords, x, l->round) : single ? read_single(r, single, coords, x, l->round)
									: refuse(r, "a point without results");
	json_free(&doc);
	return rc;
}

static int by_place(const void *a, const void *b)
{
	const knee_series *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return strcmp(x->coordinates, y->coordinates);   /* points off the grid: still one order */
}

int knee_collect(const swp_sweep *sw, const vr_point_lines *lines, const char *path, unsigned below_round, knee_set *out,
		 vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->integer = 1;
	const yt_node *values = sw->vars[sw->knee_var].values;
	for (size_t i = 0; i < values->count; i++) {
		double x;
		char unit[64];
		swp_knee_number(values->items[i], &x, unit, sizeof unit);
		out->integer &= x == floor(x) && !strpbrk(values->items[i]->text, ".eE");
	}
	reading r = {sw, path, 0, out, diag};
	for (size_t i = 0; i < lines->count; i++) {
		if (lines->lines[i].round >= below_round)
			continue;
		r.line = lines->lines[i].line;
		if (read_one(&r, &lines->lines[i]) != 0)
			return -1;
	}
	qsort(out->series, out->count, sizeof *out->series, by_place);
	return 0;
}

/* ---- knees ---- */

static int by_x(const void *a, const void *b)
{
	double x = ((const knee_obs *)a)->x, y = ((const knee_obs *)b)->x;
	return x < y ? -1 : x > y;
}

void knee_find(const swp_target *t, knee_series *s)
{
	qsort(s->obs, s->count, sizeof *s->obs, by_x);
	s->meets = s->fails = -1;
	for (size_t i = 0; i < s->count; i++) {
		if (!swp_target_meets(t, s->obs[i].metric, s->obs[0].metric, s->obs[i].offered)) {
			s->fails = (long)i;
			break;
		}
		s->meets = (long)i;
	}
}

unsigned knee_rounds(const knee_series *s)
{
	unsigned highest = 0;
	for (size_t i = 0; i < s->count; i++)
		if (s->obs[i].round > highest)
			highest = s->obs[i].round;
	return highest + 1;
}

/* ---- bisection ---- */

/* The midpoint of S's bracket as text, or 0 when the bracket is tight. */
static int midpoint(const knee_set *set, const knee_series *s, const char *unit, char *text, size_t len)
{
	if (s->meets < 0 || s->fails < 0)
		return 0;
	double low = s->obs[s->meets].x, high = s->obs[s->fails].x;
	if (set->integer) {
		if (high - low <= 1)
			return 0;
		snprintf(text, len, "%.0f%s", floor((low + high) / 2), unit);
		return 1;
	}
	if (high - low <= KNEE_REAL_TOLERANCE * fabs(high))
		return 0;
	snprintf(text, len, "%.6g%s", (low + high) / 2, unit);
	return 1;
}

typedef struct proposal {
	size_t base;
	double x;
	char text[64];
} proposal;

static int compare_proposals(const void *a, const void *b)
{
	const proposal *p = a, *q = b;
	if (p->base != q->base)
		return p->base < q->base ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

int knee_propose(const knee_set *set, size_t **bases, char ***values, size_t *count)
{
	*bases = NULL;
	*values = NULL;
	*count = 0;
	proposal *all = calloc(set->count ? set->count : 1, sizeof *all);
	if (!all)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < set->count; i++) {
		const knee_series *s = &set->series[i];
		char unit[64] = "";
		if (s->meets >= 0) {
			const char *t = s->obs[s->meets].x_text;
			char *end;
			strtod(t, &end);
			snprintf(unit, sizeof unit, "%s", end);
		}
		if (s->base != SIZE_MAX && midpoint(set, s, unit, all[n].text, sizeof all[n].text)) {
			all[n].base = s->base;
			all[n].x = strtod(all[n].text, NULL);
			n++;
		}
	}
	qsort(all, n, sizeof *all, compare_proposals);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || compare_proposals(&all[kept - 1], &all[i]) != 0)
			all[kept++] = all[i];
	*bases = calloc(kept ? kept : 1, sizeof **bases);
	*values = calloc(kept ? kept : 1, sizeof **values);
	int rc = *bases && *values ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < kept; i++) {
		(*bases)[i] = all[i].base;
		if (!((*values)[i] = strdup(all[i].text)))
			rc = -1;
		*count = i + 1;
	}
	free(all);
	if (rc != 0) {
		knee_points_free(*bases, *values, *count);
		*bases = NULL;
		*values = NULL;
		*count = 0;
	}
	return rc;
}

void knee_points_free(size_t *bases, char **values, size_t count)
{
	for (size_t i = 0; values && i < count; i++)
		free(values[i]);
	free(values);
	free(bases);
}

void knee_set_free(knee_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free(set->series[i].obs);
	free(set->series);
	memset(set, 0, sizeof *set);
}
