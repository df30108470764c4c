/*
 * published.c - the published figures file, loaded strictly, and the
 * comparison of a model figure with a published one.  See published.h.
 */
#include "models/published.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/catalog.h"
#include "input/yaml_read.h"

const char *const pub_kind_names[PUB_KIND_COUNT + 1] = {"measurement", "vendor_claim", "estimate", NULL};
const char *const pub_metric_names[PUB_METRIC_COUNT + 1] = {"t_typical", "t_avg", "bw_average", "bw_peak", NULL};
const char *const pub_verdict_names[3] = {"error", "within", "outside"};

static const char *const FILE_KEYS[] = {"figures", "description", "not_modelled", NULL};
static const char *const FIGURE_KEYS[] = {"id", "measured", "kind", "metric", "published", "source", "setting",
					  "scenario", NULL};
static const char *const PUBLISHED_KEYS[] = {"from", "to", "below", "above", NULL};
static const char *const UNMODELLED_KEYS[] = {"id", "measured", "published", "source", "why", NULL};

int pub_metric_is_latency(pub_metric metric)
{
	return metric == PUB_T_TYPICAL || metric == PUB_T_AVG;
}

/* ---- the published value: 1.75us, {from: A, to: B}, {below: X}, {above: X} ---- */

/* A figure in cycles (no clock to read it by) or of 0 (no error relative to it). */
static int refuse_value(const yt_node *v, vr_qkind kind, vr_diag *diag)
{
	return vr_diag_at(diag, v->where, "found '%s' for the published figure, expected %s above 0, not in cycles (a published figure has no clock)",
			  v->text, kind == VR_Q_TIME ? "a time such as 600ns or 1.2us" : "a data rate such as 56Gbps or 311MiBps");
}

static int read_bound(const yt_node *map, const char *key, vr_qkind kind, int *has, double *out, vr_diag *diag)
{
	const yt_node *v = yt_get(map, key);
	if (!v)
		return 0;
	vr_quantity q;
	char what[64];
	snprintf(what, sizeof what, "the published figure's '%s'", key);
	if (yr_quantity(v, kind, what, &q, diag) != 0)
		return -1;
	if (q.is_cycles || q.value <= 0)
		return refuse_value(v, kind, diag);
	*has = 1;
	*out = q.value;
	return 0;
}

static int read_published(const yt_node *node, pub_figure *f, vr_diag *diag)
{
	vr_qkind kind = pub_metric_is_latency(f->metric) ? VR_Q_TIME : VR_Q_RATE;
	if (node->type == YT_SCALAR) {
		vr_quantity q;
		if (yr_quantity(node, kind, "the published figure", &q, diag) != 0)
			return -1;
		if (q.is_cycles || q.value <= 0)
			return refuse_value(node, kind, diag);
		f->has_low = f->has_high = 1;
		f->low = f->high = q.value;
		return 0;
	}
	if (yr_expect(node, YT_MAP, "the published figure (a value, or {from:, to:}, {below:} or {above:})", diag) != 0 ||
	    yr_known_keys(node, PUBLISHED_KEYS, "the published figure", diag) != 0)
		return -1;
	int from = 0, to = 0, below = 0, above = 0;
	double from_v = 0, to_v = 0, below_v = 0, above_v = 0;
	if (read_bound(node, "from", kind, &from, &from_v, diag) || read_bound(node, "to", kind, &to, &to_v, diag) ||
	    read_bound(node, "below", kind, &below, &below_v, diag) ||
	    read_bound(node, "above", kind, &above, &above_v, diag))
		return -1;
	if (from + to == 2 && below + above == 0) {
		if (to_v < from_v)
			return vr_diag_at(diag, yt_get(node, "to")->where, "found 'to' below 'from', expected a range from low to high");
		f->has_low = f->has_high = 1;
		f->low = from_v;
		f->high = to_v;
		return 0;
	}
	if (from + to == 0 && below + above == 1) {
		f->has_high = below;
		f->has_low = above;
		f->high = below_v;
		f->low = above_v;
		return 0;
	}
	return vr_diag_at(diag, node->where, "found %s, expected either from: and to: (a range) or one of below: and above: (a bound)",
			  from + to + below + above == 0 ? "no bound" : "a mix of bounds");
}

/* ---- a figure's scenario ---- */

static size_t result_count(const scn_scenario *s)
{
	size_t sizes = 0;
	for (size_t w = 0; w < s->workload_count; w++)
		sizes += s->workloads[w].size_count;
	return s->preset_count * s->option_count * sizes;
}

/* The scenario: inline (a mapping, located in this file) or a path beside it. */
static int read_scenario(const pub_file *file, const yt_node *node, pub_figure *f, vr_diag *diag)
{
	int rc;
	if (node->type == YT_SCALAR) {
		char path[4096];
		vr_catalog_resolve(node->text, file->doc.file, path, sizeof path);
		if (access(path, R_OK) != 0)
			return vr_diag_at(diag, node->where, "found '%s' for the figure's scenario, expected a readable scenario file beside %s (%s: %s)",
					  node->text, file->doc.file, path, strerror(errno));
		if (yt_load_file(path, &f->own, diag) != 0)
			return -1;
		rc = scn_load_doc(&f->own, &f->scenario, diag);
	} else {
		if (yr_expect(node, YT_MAP, "the figure's scenario (a scenario, or the path of one)", diag) != 0)
			return -1;
		yt_doc inline_doc = {.file = file->doc.file, .root = (yt_node *)node};
		memcpy(inline_doc.sha256, file->doc.sha256, sizeof inline_doc.sha256);
		rc = scn_load_doc(&inline_doc, &f->scenario, diag);
	}
	if (rc != 0)
		return -1;
	if (f->scenario.flows.group_count)
		return vr_diag_at(diag, node->where, "found a scenario with flows:, expected one workload (a single flow)");
	size_t n = result_count(&f->scenario);
	if (n != 1)
		return vr_diag_at(diag, node->where,
				  "found a scenario with %zu results (presets x options x sizes), expected exactly one", n);
	int latency = !mdl_verb_is_bandwidth(f->scenario.workloads[0].verb);
	if (latency != pub_metric_is_latency(f->metric))
		return vr_diag_at(diag, node->where, "found a %s test (%s) for the metric %s, expected a %s test",
				  latency ? "latency" : "bandwidth", mdl_verb_names[f->scenario.workloads[0].verb],
				  pub_metric_names[f->metric], latency ? "bandwidth" : "latency");
	return 0;
}

/* ---- entries ---- */

/* The text under KEY of MAP (an entry: ENTRY names it), WHAT it is. */
static int read_text(const yt_node *map, const char *key, const char *entry, const char *what, const char **out,
		     vr_diag *diag)
{
	const yt_node *v;
	return yr_required(map, key, entry, &v, diag) || yr_string(v, what, out, diag);
}

static int read_figure(const pub_file *file, const yt_node *node, pub_figure *f, vr_diag *diag)
{
	const yt_node *v;
	int choice;
	if (yr_expect(node, YT_MAP, "a figure", diag) != 0 || yr_known_keys(node, FIGURE_KEYS, "a figure", diag) != 0)
		return -1;
	if (read_text(node, "id", "a figure", "the figure's id", &f->id, diag))
		return -1;
	if (!vr_is_identifier(f->id))
		return vr_diag_at(diag, yt_get(node, "id")->where,
				  "found '%s' for the figure's id, expected letters, digits, '_', '.' and '-'", f->id);
	if (read_text(node, "measured", "a figure", "what was measured", &f->measured, diag) ||
	    read_text(node, "source", "a figure", "the figure's source", &f->source, diag) ||
	    read_text(node, "setting", "a figure", "the preset chosen and how it differs", &f->setting, diag))
		return -1;
	if (yr_required(node, "kind", "a figure", &v, diag) ||
	    yr_choice(v, "the figure's kind", pub_kind_names, &choice, diag))
		return -1;
	f->kind = (pub_kind)choice;
	if (yr_required(node, "metric", "a figure", &v, diag) ||
	    yr_choice(v, "the figure's metric", pub_metric_names, &choice, diag))
		return -1;
	f->metric = (pub_metric)choice;
	if (yr_required(node, "published", "a figure", &v, diag) || read_published(v, f, diag))
		return -1;
	return yr_required(node, "scenario", "a figure", &v, diag) || read_scenario(file, v, f, diag);
}

static int read_unmodelled(const yt_node *node, pub_unmodelled *u, vr_diag *diag)
{
	const char *what = "a figure not modelled yet";
	return yr_expect(node, YT_MAP, what, diag) || yr_known_keys(node, UNMODELLED_KEYS, what, diag) ||
	       read_text(node, "id", what, "its id", &u->id, diag) ||
	       read_text(node, "measured", what, "what was measured", &u->measured, diag) ||
	       read_text(node, "published", what, "the published figure, as text", &u->published, diag) ||
	       read_text(node, "source", what, "its source", &u->source, diag) ||
	       read_text(node, "why", what, "why the model cannot run it yet", &u->why, diag);
}

/* Every id once, over both lists. */
static int check_ids(const pub_file *f, const yt_node *figures, const yt_node *unmodelled, vr_diag *diag)
{
	size_t n = f->count + f->unmodelled_count;
	for (size_t i = 0; i < n; i++) {
		const char *a = i < f->count ? f->figures[i].id : f->unmodelled[i - f->count].id;
		for (size_t j = 0; j < i; j++) {
			const char *b = j < f->count ? f->figures[j].id : f->unmodelled[j - f->count].id;
			if (strcmp(a, b) != 0)
				continue;
			const yt_node *entry = i < f->count ? figures->items[i] : unmodelled->items[i - f->count];
			return vr_diag_at(diag, yt_get(entry, "id")->where, "found the id '%s' a second time, expected each id once", a);
		}
	}
	return 0;
}

static int load_lists(pub_file *out, vr_diag *diag)
{
	const yt_node *root = out->doc.root, *figures, *unmodelled = yt_get(root, "not_modelled");
	const yt_node *v = yt_get(root, "description");
	const char *description;   /* for people: checked, not kept */
	if (v && yr_string(v, "the file's description", &description, diag))
		return -1;
	if (yr_required(root, "figures", "the published figures", &figures, diag) ||
	    yr_expect(figures, YT_SEQ, "the list of figures", diag))
		return -1;
	if (figures->count == 0)
		return vr_diag_at(diag, figures->where, "found an empty list, expected at least one figure");
	if (unmodelled && yr_expect(unmodelled, YT_SEQ, "the list of figures not modelled yet", diag))
		return -1;
	out->figures = calloc(figures->count, sizeof *out->figures);
	out->unmodelled = calloc(unmodelled ? unmodelled->count + 1 : 1, sizeof *out->unmodelled);
	if (!out->figures || !out->unmodelled)
		return vr_diag_at(diag, figures->where, "out of memory");
	for (size_t i = 0; i < figures->count; i++) {
		out->count++;   /* counted before it loads: pub_free frees what a failed load left */
		if (read_figure(out, figures->items[i], &out->figures[i], diag))
			return -1;
	}
	for (size_t i = 0; unmodelled && i < unmodelled->count; i++) {
		out->unmodelled_count++;
		if (read_unmodelled(unmodelled->items[i], &out->unmodelled[i], diag))
			return -1;
	}
	return check_ids(out, figures, unmodelled, diag);
}

int pub_load(const char *path, pub_file *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	if (yt_load_file(path, &out->doc, diag) != 0)
		return -1;
	if (!out->doc.root)
		return vr_diag_at(diag, (vr_where){out->doc.file, 0, 0}, "found an empty file, expected published figures");
	if (yr_document(out->doc.root, FILE_KEYS, "a published figures file", diag) != 0)
		return -1;
	return load_lists(out, diag);
}

void pub_free(pub_file *f)
{
	for (size_t i = 0; i < f->count; i++) {
		scn_free(&f->figures[i].scenario);
		if (f->figures[i].own.file)
			yt_free(&f->figures[i].own);
	}
	free(f->figures);
	free(f->unmodelled);
	if (f->doc.file)
		yt_free(&f->doc);
	memset(f, 0, sizeof *f);
}

/* ---- the comparison ---- */

pub_verdict pub_compare(const pub_figure *f, double model, double *error_percent)
{
	if (f->has_low && f->has_high && f->low == f->high) {
		*error_percent = (model - f->low) / f->low * 100.0;
		return PUB_ERROR;
	}
	*error_percent = 0;
	if (f->has_low && model < f->low) {
		*error_percent = (model - f->low) / f->low * 100.0;
		return PUB_OUTSIDE;
	}
	if (f->has_high && model > f->high) {
		*error_percent = (model - f->high) / f->high * 100.0;
		return PUB_OUTSIDE;
	}
	return PUB_WITHIN;
}
