/*
 * sweep_data.c - a sweep's results file read, checked and made into
 * series (sweep_data.h).
 */
#include "config.h"

#include "plots/sweep_data.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input/json_seq.h"
#include "input/yaml_read.h"
#include "plots/plot_read.h"

const char *const sweep_metric_names[SWEEP_METRICS] = {"throughput", "p99", "median", "bandwidth"};

int sweep_text_safe(const char *text)
{
	for (const char *c = text; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || (unsigned char)*c >= 0x80 ||
		      strchr(" ._-/*%[]=:+,<>!()", *c)))
			return 0;
	return 1;
}

/* ---- is it a sweep? --------------------------------------------------- */

/* Only the first line is read: a sweep's first line is a whole point; a
 * plain results file's first line is "{" or the whole file (which is
 * then read twice, not held twice: the peak stays that of one reading). */
int sweep_is_results(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;   /* a FIFO would block here: the reader refuses it */
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char *line = NULL;
	size_t capacity = 0;
	ssize_t length = getline(&line, &capacity, f);
	fclose(f);
	int sweep = 0;
	json_doc doc;
	vr_diag diag;
	vr_diag_clear(&diag);
	if (length > 0 && json_load_buffer(path, line, (size_t)length, &doc, &diag) == 0) {
		sweep = json_get(doc.root, "point") != NULL;
		json_free(&doc);
	}
	free(line);
	return sweep;
}

/* Point indices and rounds: whole numbers well inside a size_t and an
 * unsigned (a sweep has at most a million points). */
#define POINT_INDEX_MAX 4e9

/* ---- reading a line --------------------------------------------------- */

typedef struct reader {
	sweep_data *d;
	size_t capacity_points, capacity_samples;
} reader;

static sweep_sample *new_sample(reader *r, vr_diag *diag, const json_doc *doc, const json_node *at)
{
	sweep_data *d = r->d;
	if (d->sample_count == r->capacity_samples) {
		size_t n = r->capacity_samples ? 2 * r->capacity_samples : 64;
		sweep_sample *s = realloc(d->samples, n * sizeof *s);
		if (!s) {
			vr_diag_at(diag, json_where(doc, at), "out of memory");
			return NULL;
		}
		d->samples = s;
		r->capacity_samples = n;
	}
	sweep_sample *s = &d->samples[d->sample_count++];
	memset(s, 0, sizeof *s);
	for (int m = 0; m < SWEEP_METRICS; m++)
		s->y[m] = NAN;
	s->point = d->point_count - 1;
	s->order = d->sample_count - 1;
	return s;
}

static int name_of(const json_doc *doc, const json_node *object, const char *key, const char *what, char list[][MDL_NAME_MAX],
		   size_t *count, size_t *out, vr_diag *diag)
{
	const json_node *v = vr_plot_member(doc, object, key, JSON_STRING, diag);
	return v ? vr_plot_intern(doc, v, what, list, count, SWEEP_NAMES_MAX, out, diag) : -1;
}

/* What a migration's "result" may be (docs/results-schema.md). */
static const char *const migration_results[] = {"converged", "round limit", "does not converge", "unfinished"};

/* One live migration of a flows result: a sample in its group's panel. */
static int read_migration(reader *r, const json_doc *doc, const json_node *m, size_t preset, size_t option, vr_diag *diag)
{
	sweep_data *d = r->d;
	if (m->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, m), "found %s in \"migrations\", expected an object per live migration",
				  json_type_name(m->type));
	sweep_sample *s = new_sample(r, diag, doc, m);
	if (!s)
		return -1;
	s->preset = preset;
	s->option = option;
	s->migration = 1;
	double moved, rounds;
	const json_node *result;
	if (name_of(doc, m, "group", "flow group", d->panels, &d->panel_count, &s->panel, diag) ||
	    !vr_plot_member(doc, m, "transport", JSON_STRING, diag) ||
	    vr_plot_number(doc, m, "total_time_s", &s->mig[SWEEP_MIG_TIME_S], diag) ||
	    vr_plot_number(doc, m, "downtime_ms", &s->mig[SWEEP_MIG_DOWNTIME_MS], diag) ||
	    vr_plot_number(doc, m, "moved_bytes", &moved, diag) || vr_plot_number(doc, m, "rounds", &rounds, diag) ||
	    vr_plot_number(doc, m, "source_cpu_s", &s->mig[SWEEP_MIG_SOURCE_CPU_S], diag) ||
	    vr_plot_number(doc, m, "destination_cpu_s", &s->mig[SWEEP_MIG_DESTINATION_CPU_S], diag) ||
	    !(result = vr_plot_member(doc, m, "result", JSON_STRING, diag)))
		return -1;
	size_t k = 0, known = sizeof migration_results / sizeof migration_results[0];
	while (k < known && strcmp(result->text, migration_results[k]) != 0)
		k++;
	if (k == known)
		return vr_diag_at(diag, json_where(doc, result), "found the result '%.60s', expected converged, round limit, does not converge "
				  "or unfinished", result->text);
	s->converged = k == 0;
	if (!s->converged)
		s->mig[SWEEP_MIG_DOWNTIME_MS] = NAN;   /* no stop-and-copy: no downtime to draw */
	return 0;
}

/* Each flow group of one preset and option: a sample in its group's panel. */
static int read_flow_result(reader *r, const json_doc *doc, const json_node *fr, vr_diag *diag)
{
	sweep_data *d = r->d;
	size_t preset, option;
	if (name_of(doc, fr, "preset", "preset", d->presets, &d->preset_count, &preset, diag) ||
	    name_of(doc, fr, "option", "option", d->options, &d->option_count, &option, diag))
		return -1;
	const json_node *groups = vr_plot_member(doc, fr, "groups", JSON_ARRAY, diag);
	if (!groups)
		return -1;
	for (const json_node *g = json_first(groups); g; g = json_next(groups, g)) {
		if (g->type != JSON_OBJECT)
			return vr_diag_at(diag, json_where(doc, g), "found %s in \"groups\", expected an object per flow group", json_type_name(g->type));
		sweep_sample *s = new_sample(r, diag, doc, g);
		if (!s)
			return -1;
		s->preset = preset;
		s->option = option;
		if (name_of(doc, g, "group", "flow group", d->panels, &d->panel_count, &s->panel, diag) ||
		    vr_plot_number(doc, g, "ops_per_s", &s->y[SWEEP_THROUGHPUT], diag) ||
		    vr_plot_number(doc, g, "p99_us", &s->y[SWEEP_P99], diag) || vr_plot_number(doc, g, "p50_us", &s->y[SWEEP_MEDIAN], diag))
			return -1;
	}
	const json_node *migrations = json_get(fr, "migrations");
	if (!migrations)
		return 0;
	if (migrations->type != JSON_ARRAY)
		return vr_diag_at(diag, json_where(doc, migrations), "found %s for \"migrations\", expected an array of live migrations",
				  json_type_name(migrations->type));
	for (const json_node *m = json_first(migrations); m; m = json_next(migrations, m))
		if (read_migration(r, doc, m, preset, option, diag) != 0)
			return -1;
	return 0;
}

/* One single-flow result: a sample in its verb's panel. */
static int read_single_result(reader *r, const json_doc *doc, const json_node *res, vr_diag *diag)
{
	sweep_data *d = r->d;
	if (res->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, res), "found %s in \"results\", expected an object per result", json_type_name(res->type));
	sweep_sample *s = new_sample(r, diag, doc, res);
	if (!s)
		return -1;
	const json_node *completion;
	double size_bytes;
	if (name_of(doc, res, "preset", "preset", d->presets, &d->preset_count, &s->preset, diag) ||
	    name_of(doc, res, "option", "option", d->options, &d->option_count, &s->option, diag) ||
	    name_of(doc, res, "verb", "verb", d->panels, &d->panel_count, &s->panel, diag) ||
	    !(completion = vr_plot_member(doc, res, "completion", JSON_STRING, diag)) ||
	    vr_plot_number(doc, res, "size_bytes", &size_bytes, diag))
		return -1;
	if (!vr_is_identifier(completion->text) || strlen(completion->text) >= MDL_NAME_MAX)
		return vr_diag_at(diag, json_where(doc, completion), "found the completion '%.60s', expected poll or event", completion->text);
	snprintf(s->extra, sizeof s->extra, "%.0fB %s", size_bytes, completion->text);
	const json_node *bw = json_get(res, "bandwidth");
	if (bw)
		return vr_plot_number(doc, bw, "bw_average_gbit_per_s", &s->y[SWEEP_BANDWIDTH], diag);
	const json_node *t = vr_plot_member(doc, res, "one_way_us", JSON_OBJECT, diag);
	if (!t || vr_plot_number(doc, t, "median", &s->y[SWEEP_MEDIAN], diag) || vr_plot_number(doc, t, "p99", &s->y[SWEEP_P99], diag))
		return -1;
	return 0;
}

/* The first line names the variables; every other line must have the same. */
static int read_coordinates(sweep_data *d, sweep_point *p, const json_doc *doc, const json_node *coordinates, vr_diag *diag)
{
	size_t k = 0;
	for (const json_node *name = json_first(coordinates); name; name = json_next(coordinates, name + 1), k++) {
		const json_node *value = name + 1;
		if (k == SWEEP_VARS_MAX)
			return vr_diag_at(diag, json_where(doc, name), "found more than %d coordinates, expected at most %d", SWEEP_VARS_MAX, SWEEP_VARS_MAX);
		if (d->point_count == 1) {
			if (strlen(name->text) >= SWEEP_TEXT_MAX || !sweep_text_safe(name->text))
				return vr_diag_at(diag, json_where(doc, name), "found the variable '%.60s', expected a sweep variable's path", name->text);
			snprintf(d->vars[k].name, SWEEP_TEXT_MAX, "%s", name->text);
			d->var_count = k + 1;
		} else if (k >= d->var_count || strcmp(d->vars[k].name, name->text) != 0)
			return vr_diag_at(diag, json_where(doc, name), "found the variable '%.60s', expected '%s' as on line %u (one sweep's results)",
					  name->text, k < d->var_count ? d->vars[k].name : "no more", d->points[0].line);
		if (value->type != JSON_NUMBER && value->type != JSON_STRING)
			return vr_diag_at(diag, json_where(doc, value), "found %s for '%s', expected a number or a text", json_type_name(value->type), name->text);
		if (value->type == JSON_NUMBER)   /* a number's text runs on into the line: print it */
			snprintf(p->text[k], SWEEP_TEXT_MAX, "%.15g", json_number(value));
		else if (strlen(value->text) >= SWEEP_TEXT_MAX || !sweep_text_safe(value->text))
			return vr_diag_at(diag, json_where(doc, value), "found the value '%.60s', expected a coordinate as a sweep writes it", value->text);
		else
			snprintf(p->text[k], SWEEP_TEXT_MAX, "%s", value->text);
		p->is_number[k] = value->type == JSON_NUMBER;
		p->value[k] = json_number(value);
	}
	if (k != d->var_count)
		return vr_diag_at(diag, json_where(doc, coordinates), "found %zu coordinates, expected %zu as on line %u (one sweep's results)", k,
				  d->var_count, d->points[0].line);
	return 0;
}

static int read_point(reader *r, const json_doc *doc, vr_diag *diag)
{
	sweep_data *d = r->d;
	const json_node *root = doc->root, *point = json_get(root, "point"), *v;
	if (root->type != JSON_OBJECT || !point || point->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, point ? point : root), "found %s, expected a sweep's point: every line of a sweep's results "
				  "(vrdmasim sweep --out R.jsonl) holds \"point\"", point ? "a \"point\" that is no object" : "a line without \"point\"");
	if (d->point_count == r->capacity_points) {
		size_t n = r->capacity_points ? 2 * r->capacity_points : 64;
		sweep_point *p = realloc(d->points, n * sizeof *p);
		if (!p)
			return vr_diag_at(diag, json_where(doc, root), "out of memory");
		d->points = p;
		r->capacity_points = n;
	}
	sweep_point *p = &d->points[d->point_count++];
	memset(p, 0, sizeof *p);
	p->line = json_where(doc, root).line;
	p->read_at = d->point_count - 1;
	double index, round;
	const json_node *coordinates = vr_plot_member(doc, point, "coordinates", JSON_OBJECT, diag);
	if (vr_plot_number(doc, point, "index", &index, diag) || vr_plot_number(doc, point, "round", &round, diag) || !coordinates ||
	    read_coordinates(d, p, doc, coordinates, diag) || !(v = vr_plot_member(doc, root, "scenario", JSON_STRING, diag)))
		return -1;
	if (index != floor(index) || index > POINT_INDEX_MAX || round != floor(round) || round > POINT_INDEX_MAX)
		return vr_diag_at(diag, json_where(doc, point), "found the point index %g, round %g, expected whole numbers up to %g", index, round,
				  POINT_INDEX_MAX);
	p->index = (size_t)index;
	p->round = (unsigned)round;
	if (strlen(v->text) >= sizeof d->scenario || !sweep_text_safe(v->text))   /* it reaches the pictures' titles */
		return vr_diag_at(diag, json_where(doc, v), "found the scenario '%.60s', expected a scenario's name", v->text);
	if (d->point_count == 1)
		snprintf(d->scenario, sizeof d->scenario, "%s", v->text);
	else if (strcmp(d->scenario, v->text) != 0)
		return vr_diag_at(diag, json_where(doc, v), "found the scenario '%.60s', expected '%s' as on line %u (one sweep's results)", v->text,
				  d->scenario, d->points[0].line);
	const json_node *results = json_get(root, "flow_results");
	int flows = results != NULL;
	if (!results && !(results = vr_plot_member(doc, root, "results", JSON_ARRAY, diag)))
		return -1;
	if (results->type != JSON_ARRAY)
		return vr_diag_at(diag, json_where(doc, results), "found %s, expected an array of results", json_type_name(results->type));
	if (d->point_count > 1 && flows != d->flows)
		return vr_diag_at(diag, json_where(doc, results), "found %s, expected %s as on line %u", flows ? "flow results" : "single-flow results",
				  d->flows ? "flow results" : "single-flow results", d->points[0].line);
	d->flows = flows;
	for (const json_node *res = json_first(results); res; res = json_next(results, res))
		if ((flows ? read_flow_result(r, doc, res, diag) : read_single_result(r, doc, res, diag)) != 0)
			return -1;
	return 0;
}

static int read_each(const json_doc *doc, void *context, vr_diag *diag)
{
	return read_point(context, doc, diag);
}

/* ---- the variables ---------------------------------------------------- */

static const vr_qkind unit_kinds[] = {VR_Q_SIZE, VR_Q_TIME, VR_Q_OP_RATE, VR_Q_RATE, VR_Q_FREQ};
static const char *const unit_names[] = {"B", "ns", "ops/s", "bit/s", "Hz"};

/* TEXT as a quantity of KIND, a "per WORD" tail apart (into TAIL). */
static int quantity_of(const char *text, vr_qkind kind, double *out, int *cycles, char *tail, size_t tail_len)
{
	char number[SWEEP_TEXT_MAX], expected[160];
	const char *per = strstr(text, " per ");
	size_t len = per ? (size_t)(per - text) : strlen(text);
	snprintf(number, sizeof number, "%.*s", (int)len, text);
	snprintf(tail, tail_len, "%s", per ? per : "");
	vr_quantity q;
	if (vr_parse_quantity(number, kind, &q, expected, sizeof expected) != 0)
		return -1;
	*out = q.value;
	*cycles = q.is_cycles;
	return 0;
}

int sweep_value(const sweep_var *v, const char *text, double number, int is_number, double *out)
{
	if (!v->numeric)
		return -1;
	if (!v->has_unit) {
		if (!is_number)
			return -1;
		*out = number;
		return 0;
	}
	if (is_number) {   /* 0 is zero in any unit: "[0, 250MBps]" */
		*out = 0;
		return number == 0 ? 0 : -1;
	}
	char tail[SWEEP_TEXT_MAX], unit[SWEEP_TEXT_MAX];
	int cycles;
	if (quantity_of(text, v->kind, out, &cycles, tail, sizeof tail) != 0)
		return -1;
	size_t k = 0;
	while (unit_kinds[k] != v->kind)
		k++;
	snprintf(unit, sizeof unit, "%s%.50s", cycles ? "cycles" : unit_names[k], tail);
	return strcmp(unit, v->unit) == 0 ? 0 : -1;
}

/* Variable K: numeric (plain numbers, or quantities of one kind and unit)
 * or names; its range and whether it varies. */
static void classify(sweep_data *d, size_t k)
{
	sweep_var *v = &d->vars[k];
	/* The unit is that of the first value written with one: a bare 0 has none. */
	size_t first = 0;
	while (first + 1 < d->point_count && d->points[first].is_number[k])
		first++;
	const sweep_point *p0 = &d->points[first];
	v->numeric = 1;
	v->has_unit = !p0->is_number[k];
	if (v->has_unit) {
		size_t u = 0;
		char tail[SWEEP_TEXT_MAX];
		int cycles;
		double value;
		while (u < sizeof unit_kinds / sizeof unit_kinds[0] && quantity_of(p0->text[k], unit_kinds[u], &value, &cycles, tail, sizeof tail) != 0)
			u++;
		if (u == sizeof unit_kinds / sizeof unit_kinds[0]) {
			v->numeric = 0;
			return;
		}
		v->kind = unit_kinds[u];
		snprintf(v->unit, sizeof v->unit, "%s%.50s", cycles ? "cycles" : unit_names[u], tail);
	}
	v->low = INFINITY;
	v->high = -INFINITY;
	for (size_t i = 0; i < d->point_count; i++) {
		sweep_point *p = &d->points[i];
		if (sweep_value(v, p->text[k], p->value[k], p->is_number[k], &p->value[k]) != 0) {
			v->numeric = 0;
			v->unit[0] = '\0';
			return;
		}
		v->low = fmin(v->low, p->value[k]);
		v->high = fmax(v->high, p->value[k]);
	}
	if (v->high == v->low)
		v->distinct = 1;
}

/* Names vary when two points differ in text. */
static void count_names(sweep_data *d, size_t k)
{
	d->vars[k].distinct = 1;
	for (size_t i = 1; i < d->point_count; i++)
		if (strcmp(d->points[i].text[k], d->points[0].text[k]) != 0)
			d->vars[k].distinct = 2;
}

static int by_index(const void *a, const void *b)
{
	const sweep_point *p = a, *q = b;
	if (p->index != q->index)
		return p->index < q->index ? -1 : 1;
	return (p->round > q->round) - (p->round < q->round);
}

int sweep_read(const char *path, sweep_data *d, vr_diag *diag)
{
	memset(d, 0, sizeof *d);
	d->file = path;
	reader r = {d, 0, 0};
	if (json_seq_read(path, "a sweep's results file", read_each, &r, diag) < 0)
		return -1;
	if (d->sample_count == 0)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "found no results in the points, expected at least one to plot");
	/* Samples name their points by position: sort the points with them. */
	size_t *rank = malloc(d->point_count * sizeof *rank);
	sweep_point *sorted = malloc(d->point_count * sizeof *sorted);
	if (!rank || !sorted) {
		free(rank);
		free(sorted);
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
	}
	memcpy(sorted, d->points, d->point_count * sizeof *sorted);
	qsort(sorted, d->point_count, sizeof *sorted, by_index);
	for (size_t j = 0; j < d->point_count; j++)
		rank[sorted[j].read_at] = j;
	for (size_t s = 0; s < d->sample_count; s++)
		d->samples[s].point = rank[d->samples[s].point];
	free(d->points);
	free(rank);
	d->points = sorted;
	for (size_t k = 0; k < d->var_count; k++) {
		count_names(d, k);
		classify(d, k);
	}
	return 0;
}

/* ---- series ------------------------------------------------------------ */

static int choose_x(sweep_data *d, const char *variable, vr_where where, vr_diag *diag)
{
	char have[512] = "";
	for (size_t k = 0; k < d->var_count; k++) {
		const sweep_var *v = &d->vars[k];
		if (variable ? strcmp(v->name, variable) == 0 && v->numeric : v->numeric && v->distinct > 1) {
			d->x = k;
			return 0;
		}
		if (v->numeric && strlen(have) + strlen(v->name) + 3 < sizeof have)
			snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", have[0] ? ", " : "", v->name);
	}
	if (variable)
		return vr_diag_at(diag, where, "found the variable '%.60s', expected a numeric variable %s swept: %s", variable, d->file,
				  have[0] ? have : "none");
	for (size_t k = 0; k < d->var_count; k++)
		if (d->vars[k].numeric) {
			d->x = k;
			return 0;
		}
	return vr_diag_at(diag, (vr_where){d->file, 0, 0}, "found no numeric swept variable, expected one for the x axis (a sweep of "
			  "names only, such as options, is a plain run's comparison)");
}

/* "vms", "open_loop": a path's last key, for labels. */
static const char *short_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* Does part PART (0: the size, 1: the completion) of the single-flow
 * samples' extra differ between two of them? */
static int part_varies(const sweep_data *d, int part)
{
	for (size_t i = 1; i < d->sample_count; i++) {
		const char *a = d->samples[0].extra, *b = d->samples[i].extra;
		const char *a_space = strchr(a, ' '), *b_space = strchr(b, ' ');
		if (part ? strcmp(a_space, b_space) != 0
			 : (a_space - a != b_space - b || strncmp(a, b, (size_t)(a_space - a)) != 0))
			return 1;
	}
	return 0;
}

/* The other varying variables' values, and the single-flow size and
 * completion when no variable holds them. */
static void rest_of(const sweep_data *d, const sweep_sample *s, char *rest, size_t len)
{
	const sweep_point *p = &d->points[s->point];
	int completion_swept = 0;
	rest[0] = '\0';
	for (size_t k = 0; k < d->var_count; k++) {
		const sweep_var *v = &d->vars[k];
		completion_swept |= strcmp(v->name, "completion") == 0;
		if (k == d->x || v->distinct < 2 || v->follows_x || strcmp(v->name, "options") == 0 || strcmp(v->name, "preset") == 0)
			continue;
		size_t used = strlen(rest);
		if (v->numeric)
			snprintf(rest + used, len - used, "%s%s=%s", used ? ", " : "", short_name(v->name), p->text[k]);
		else
			snprintf(rest + used, len - used, "%s%s", used ? ", " : "", p->text[k]);
	}
	if (!d->flows) {   /* "64B poll": each part where it varies and no variable holds it */
		const char *completion = strchr(s->extra, ' ') + 1;
		int size_len = (int)(completion - 1 - s->extra);
		int size_shown = !(d->vars[d->x].has_unit && d->vars[d->x].kind == VR_Q_SIZE) && part_varies(d, 0);
		int completion_shown = !completion_swept && part_varies(d, 1);
		size_t used = strlen(rest);
		if (size_shown)
			used += (size_t)snprintf(rest + used, len - used, "%s%.*s", used ? ", " : "", size_len, s->extra);
		if (completion_shown && used < len)
			snprintf(rest + used, len - used, "%s%s", used ? ", " : "", completion);
	}
}

static int series_of(sweep_data *d, const sweep_sample *s, const char *rest, size_t *out, vr_diag *diag)
{
	size_t style = 0;
	int styled = 0;   /* the combination has a style in this preset already */
	for (size_t i = 0; i < d->series_count; i++) {
		const sweep_series *g = &d->series[i];
		if (g->preset != s->preset)
			continue;
		if (strcmp(g->rest, rest) == 0) {
			if (g->option == s->option) {
				*out = i;
				return 0;
			}
			style = g->style;
			styled = 1;
		} else if (!styled && g->style >= style)
			style = g->style + 1;
	}
	if (d->series_count == SWEEP_SERIES_MAX)
		return vr_diag_at(diag, (vr_where){d->file, d->points[s->point].line, 1}, "found more than %d lines to draw, expected fewer "
				  "(--options or --group draw fewer)", SWEEP_SERIES_MAX);
	sweep_series *g = &d->series[d->series_count];
	memset(g, 0, sizeof *g);
	g->preset = s->preset;
	g->option = s->option;
	g->style = style;
	g->first_sample = (size_t)(s - d->samples);
	g->knee = g->meets_up_to = g->fails_from = NAN;
	memcpy(g->rest, rest, strnlen(rest, sizeof g->rest - 1));
	g->rest[sizeof g->rest - 1] = '\0';
	char label[sizeof g->label], option[MDL_NAME_MAX];
	memcpy(option, d->options[s->option], sizeof option);
	snprintf(label, sizeof label, "%s%s%s", option, rest[0] ? ", " : "", rest);
	memcpy(g->label, label, sizeof label);
	*out = d->series_count++;
	return 0;
}

static const sweep_data *sorting;

/* The file's order is the order points ended: series are numbered in the
 * order of the points instead, so that two runs of a sweep draw alike. */
static int by_point(const void *a, const void *b)
{
	const sweep_sample *s = a, *t = b;
	if (s->point != t->point)
		return s->point < t->point ? -1 : 1;
	return (s->order > t->order) - (s->order < t->order);
}

/* Number the names of LIST (*COUNT) in the order the sorted samples meet
 * them (FIELD: the byte offset of the sample's index of them). */
static void renumber(sweep_data *d, char list[][MDL_NAME_MAX], size_t count, size_t field)
{
	size_t map[SWEEP_NAMES_MAX], next = 0;
	char names[SWEEP_NAMES_MAX][MDL_NAME_MAX];
	for (size_t i = 0; i < count; i++)
		map[i] = SWEEP_NAMES_MAX;
	for (size_t i = 0; i < d->sample_count; i++) {
		size_t *index = (size_t *)((char *)&d->samples[i] + field);
		if (map[*index] == SWEEP_NAMES_MAX) {
			memcpy(names[next], list[*index], MDL_NAME_MAX);
			map[*index] = next++;
		}
		*index = map[*index];
	}
	memcpy(list, names, next * sizeof names[0]);
}

static int by_series_x(const void *a, const void *b)
{
	const sweep_sample *s = a, *t = b;
	if (s->series != t->series)
		return s->series < t->series ? -1 : 1;
	double x = sorting->points[s->point].value[sorting->x], y = sorting->points[t->point].value[sorting->x];
	if (x != y)
		return x < y ? -1 : 1;
	return (s->panel > t->panel) - (s->panel < t->panel);
}

static int by_x(const void *a, const void *b)
{
	double x = sorting->points[*(const size_t *)a].value[sorting->x], y = sorting->points[*(const size_t *)b].value[sorting->x];
	return (x > y) - (x < y);
}

/* Which variables are zipped with x: one text per value of x (the points
 * in order of x, each compared with the first of its value). */
static int mark_zipped(sweep_data *d, vr_diag *diag)
{
	size_t *order = malloc(d->point_count * sizeof *order);
	if (!order)
		return vr_diag_at(diag, (vr_where){d->file, 0, 0}, "out of memory");
	for (size_t i = 0; i < d->point_count; i++)
		order[i] = i;
	sorting = d;
	qsort(order, d->point_count, sizeof *order, by_x);
	sorting = NULL;
	for (size_t k = 0; k < d->var_count; k++) {
		d->vars[k].follows_x = k != d->x;
		for (size_t i = 1, first = 0; i < d->point_count && d->vars[k].follows_x; i++) {
			const sweep_point *p = &d->points[order[i]], *q = &d->points[order[first]];
			if (p->value[d->x] != q->value[d->x])
				first = i;
			else if (strcmp(p->text[k], q->text[k]) != 0)
				d->vars[k].follows_x = 0;
		}
	}
	free(order);
	return 0;
}

int sweep_make_series(sweep_data *d, const char *variable, vr_where where, vr_diag *diag)
{
	if (choose_x(d, variable, where, diag) != 0 || mark_zipped(d, diag) != 0)
		return -1;
	d->series_count = 0;
	qsort(d->samples, d->sample_count, sizeof *d->samples, by_point);
	renumber(d, d->presets, d->preset_count, offsetof(sweep_sample, preset));
	renumber(d, d->options, d->option_count, offsetof(sweep_sample, option));
	renumber(d, d->panels, d->panel_count, offsetof(sweep_sample, panel));
	for (size_t i = 0; i < d->sample_count; i++) {
		char rest[256];
		rest_of(d, &d->samples[i], rest, sizeof rest);
		if (series_of(d, &d->samples[i], rest, &d->samples[i].series, diag) != 0)
			return -1;
	}
	sorting = d;   /* qsort has no context argument */
	qsort(d->samples, d->sample_count, sizeof *d->samples, by_series_x);
	sorting = NULL;
	for (size_t i = d->sample_count; i-- > 0;)
		d->series[d->samples[i].series].first_sample = i;
	return 0;
}

void sweep_free(sweep_data *d)
{
	free(d->points);
	free(d->samples);
	d->points = NULL;
	d->samples = NULL;
}
