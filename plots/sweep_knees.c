/*
 * sweep_knees.c - a knee report read and matched to a sweep's series
 * (sweep_knees.h).
 */
#include "config.h"

#include "plots/sweep_knees.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/json_read.h"
#include "input/units.h"
#include "plots/plot_read.h"

/* A word of TEXT equal to WORD, not inside a longer name. */
static int has_word(const char *text, const char *word)
{
	size_t len = strlen(word);
	for (const char *at = strstr(text, word); at; at = strstr(at + 1, word)) {
		int before = at == text || !(isalnum((unsigned char)at[-1]) || at[-1] == '_');
		int after = !(isalnum((unsigned char)at[len]) || at[len] == '_');
		if (before && after)
			return 1;
	}
	return 0;
}

/* The metric, the group and the bound of TEXT ("p99 <= 10us",
 * "throughput >= 90%", "load p99 <= 10us"): what can be drawn of it. */
static void parse_target(const sweep_data *d, const char *text, sweep_target *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->text, sizeof t->text, "%s", text);
	const char *cmp = strpbrk(text, "<>");
	if (!cmp)
		return;
	char left[128];
	snprintf(left, sizeof left, "%.*s", (int)(cmp - text), text);
	static const struct { const char *word; sweep_metric metric; } words[] = {
		{"p99", SWEEP_P99}, {"p50", SWEEP_MEDIAN}, {"median", SWEEP_MEDIAN}, {"throughput", SWEEP_THROUGHPUT},
		{"ops_per_s", SWEEP_THROUGHPUT}, {"bandwidth", SWEEP_BANDWIDTH},
	};
	for (size_t w = 0; w < sizeof words / sizeof words[0] && !t->has_metric; w++)
		if (has_word(left, words[w].word)) {
			t->has_metric = 1;
			t->metric = words[w].metric;
		}
	for (size_t p = 0; p < d->panel_count && d->flows; p++)
		if (has_word(left, d->panels[p])) {
			t->has_panel = 1;
			t->panel = p;
		}
	const char *bound = cmp + 1 + (cmp[1] == '=');
	while (*bound == ' ')
		bound++;
	static const vr_qkind kinds[SWEEP_METRICS] = {VR_Q_OP_RATE, VR_Q_TIME, VR_Q_TIME, VR_Q_RATE};
	static const double scale[SWEEP_METRICS] = {1, 1e-3, 1e-3, 1e-9};   /* to ops/s, us, us, Gb/s */
	vr_quantity q;
	char expected[160];
	if (t->has_metric && vr_parse_quantity(bound, kinds[t->metric], &q, expected, sizeof expected) == 0 && !q.is_cycles) {
		t->has_line = 1;
		t->line = q.value * scale[t->metric];
	}
}

static const json_node *text_member(const json_doc *doc, const json_node *object, const char *key, vr_diag *diag)
{
	const json_node *v = vr_plot_member(doc, object, key, JSON_STRING, diag);
	if (v && (strlen(v->text) >= 128 || !sweep_text_safe(v->text))) {
		vr_diag_at(diag, json_where(doc, v), "found the %s '%.60s', expected a knee report's text (no quotes)", key, v->text);
		return NULL;
	}
	return v;
}

/* "knee", "meets_up_to", "fails_from": null, or a value of the x variable. */
static int x_value(const sweep_data *d, const json_doc *doc, const json_node *entry, const char *key, double *out, vr_diag *diag)
{
	const json_node *v = json_get(entry, key);
	if (!v)
		return vr_diag_at(diag, json_where(doc, entry), "found a knee without \"%s\", expected it (null when there is none)", key);
	*out = NAN;
	if (v->type == JSON_NULL)
		return 0;
	const sweep_var *x = &d->vars[d->x];
	if ((v->type != JSON_NUMBER && v->type != JSON_STRING) ||
	    sweep_value(x, v->text, json_number(v), v->type == JSON_NUMBER, out) != 0)
		return vr_diag_at(diag, json_where(doc, v), "found %s%.40s%s for \"%s\", expected null or a value of %s as the sweep writes it (%s)",
				  v->type == JSON_STRING ? "'" : json_type_name(v->type), v->type == JSON_STRING ? v->text : "",
				  v->type == JSON_STRING ? "'" : "", key, x->name, d->points[0].text[d->x]);
	return 0;
}

/* Does series S's point have the values of COORDINATES (checked names)? */
static int series_has(const sweep_data *d, const sweep_series *s, const size_t *vars, const json_node *const *values, size_t count)
{
	const sweep_point *p = &d->points[d->samples[s->first_sample].point];
	for (size_t c = 0; c < count; c++) {
		const sweep_var *v = &d->vars[vars[c]];
		double value;
		if (v->numeric ? sweep_value(v, values[c]->text, json_number(values[c]), values[c]->type == JSON_NUMBER, &value) != 0 ||
					 value != p->value[vars[c]]
			       : strcmp(values[c]->text, p->text[vars[c]]) != 0)
			return 0;
	}
	return 1;
}

static int name_index(const sweep_data *d, const json_doc *doc, const json_node *v, const char *what, const char list[][MDL_NAME_MAX],
		      size_t count, size_t *out, vr_diag *diag)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(list[i], v->text) == 0) {
			*out = i;
			return 0;
		}
	return vr_diag_at(diag, json_where(doc, v), "found the %s '%.60s', expected a %s %s holds (%s)", what, v->text, what, d->file,
			  list[0]);
}

static int read_knee(sweep_data *d, const json_doc *doc, const json_node *entry, vr_diag *diag)
{
	if (entry->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, entry), "found %s in \"knees\", expected an object per knee", json_type_name(entry->type));
	const json_node *preset = text_member(doc, entry, "preset", diag), *option, *coordinates;
	size_t p, o, vars[SWEEP_VARS_MAX], count = 0;
	const json_node *values[SWEEP_VARS_MAX];
	double knee, meets, fails;
	if (!preset || name_index(d, doc, preset, "preset", d->presets, d->preset_count, &p, diag) ||
	    !(option = text_member(doc, entry, "option", diag)) || name_index(d, doc, option, "option", d->options, d->option_count, &o, diag) ||
	    !(coordinates = vr_plot_member(doc, entry, "coordinates", JSON_OBJECT, diag)) || x_value(d, doc, entry, "knee", &knee, diag) ||
	    x_value(d, doc, entry, "meets_up_to", &meets, diag) || x_value(d, doc, entry, "fails_from", &fails, diag))
		return -1;
	for (const json_node *name = json_first(coordinates); name; name = json_next(coordinates, name + 1)) {
		size_t k = 0;
		while (k < d->var_count && strcmp(d->vars[k].name, name->text) != 0)
			k++;
		if (k == d->var_count || k == d->x || count == SWEEP_VARS_MAX)
			return vr_diag_at(diag, json_where(doc, name), "found the variable '%.60s', expected another variable %s swept than %s",
					  name->text, d->file, d->vars[d->x].name);
		if (name[1].type != JSON_NUMBER && name[1].type != JSON_STRING)
			return vr_diag_at(diag, json_where(doc, name + 1), "found %s, expected a value as the sweep writes it", json_type_name(name[1].type));
		vars[count] = k;
		values[count++] = name + 1;
	}
	size_t matched = 0;
	for (size_t i = 0; i < d->series_count; i++) {
		sweep_series *s = &d->series[i];
		if (s->preset != p || s->option != o || !series_has(d, s, vars, values, count))
			continue;
		s->has_knee = 1;
		s->knee = knee;
		s->meets_up_to = meets;
		s->fails_from = fails;
		matched++;
	}
	if (!matched)
		return vr_diag_at(diag, json_where(doc, entry), "found a knee of %s, %s at coordinates no point of %s has, expected the knees of its sweep",
				  preset->text, option->text, d->file);
	return 0;
}

/* The head: a knee report of D's scenario, its target and variable. */
static int read_head(sweep_data *d, const json_doc *doc, sweep_target *target, vr_diag *diag)
{
	const json_node *root = doc->root, *v;
	if (root->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, root), "found %s, expected a knee report (vrdmasim sweep --knees K.json)", json_type_name(root->type));
	v = json_get(root, "kind");
	if (!v || v->type != JSON_STRING || strcmp(v->text, "knees") != 0 || !(v = json_get(root, "tool")) || v->type != JSON_STRING ||
	    strcmp(v->text, "vrdmasim") != 0)
		return vr_diag_at(diag, json_where(doc, v ? v : root), "found %s, expected \"tool\": \"vrdmasim\", \"kind\": \"knees\" (a knee "
				  "report: vrdmasim sweep --knees K.json)", v ? "another tool or kind" : "no \"kind\"");
	if (!(v = text_member(doc, root, "scenario", diag)))
		return -1;
	if (strcmp(v->text, d->scenario) != 0)
		return vr_diag_at(diag, json_where(doc, v), "found the knees of scenario '%.60s', expected those of '%s' (the scenario of %s)", v->text,
				  d->scenario, d->file);
	if (!(v = text_member(doc, root, "target", diag)))
		return -1;
	parse_target(d, v->text, target);
	if (!(v = text_member(doc, root, "variable", diag)))
		return -1;
	return sweep_make_series(d, v->text, json_where(doc, v), diag);
}

int sweep_knees_read(const char *path, sweep_data *d, sweep_target *target, vr_diag *diag)
{
	json_doc doc;
	if (json_load_file(path, &doc, diag) != 0)
		return -1;
	int rc = read_head(d, &doc, target, diag);
	const json_node *knees = rc == 0 ? vr_plot_member(&doc, doc.root, "knees", JSON_ARRAY, diag) : NULL;
	if (rc == 0 && !knees)
		rc = -1;
	for (const json_node *k = knees ? json_first(knees) : NULL; rc == 0 && k; k = json_next(knees, k))
		rc = read_knee(d, &doc, k, diag);
	json_free(&doc);
	return rc;
}
