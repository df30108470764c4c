/*
 * estimates.c - a results file's estimates, read strictly and keyed
 * (estimates.h).
 */
#include "output/estimates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/json_seq.h"
#include "input/yaml_read.h"
#include "output/report.h"

const char *const vr_key_part_names[KEY_PART_COUNT] = {
	"scenario", "point", "preset", "option", "verb", "size_bytes", "completion", "group",
};

const vr_metric VR_METRICS[] = {
	{"median_us", FROM_LATENCY, "one_way_us", "median"},
	{"p99_us", FROM_LATENCY, "one_way_us", "p99"},
	{"bw_average_mib_per_s", FROM_BANDWIDTH, "bandwidth", "bw_average_mib_per_s"},
	{"bw_peak_mib_per_s", FROM_BANDWIDTH, "bandwidth", "bw_peak_mib_per_s"},
	{"p50_us", FROM_FLOW_GROUP, NULL, "p50_us"},
	{"p99_us", FROM_FLOW_GROUP, NULL, "p99_us"},
	{"ops_per_s", FROM_FLOW_GROUP, NULL, "ops_per_s"},
};
const size_t VR_METRIC_COUNT = sizeof VR_METRICS / sizeof VR_METRICS[0];

/* Longest coordinates text ("name=value,..." of a point), and of a name. */
enum { POINT_TEXT_MAX = 1024, NAME_TEXT_MAX = 128 };

int vr_metric_find(const char *name)
{
	for (size_t m = 0; m < VR_METRIC_COUNT; m++)
		if (strcmp(VR_METRICS[m].name, name) == 0)
			return (int)m;
	return -1;
}

/* What one object of the file is being read into. */
typedef struct reading {
	vr_estimates *out;
	const json_doc *doc;
	const char *part[KEY_PART_COUNT];   /* the key so far */
} reading;

static const json_node *member(const reading *r, const json_node *object, const char *key, json_type type,
			       const char *what, vr_diag *diag)
{
	const json_node *v = json_get(object, key);
	if (!v) {
		vr_diag_at(diag, json_where(r->doc, object), "found %s without \"%s\", expected it (docs/results-schema.md)", what, key);
		return NULL;
	}
	if (v->type != type) {
		vr_diag_at(diag, json_where(r->doc, v), "found %s for \"%s\", expected %s", json_type_name(v->type), key,
			   json_type_name(type));
		return NULL;
	}
	return v;
}

/* A name that goes into a key: an identifier, as the loaders made it. */
static int check_name(const reading *r, const json_node *v, const char *what, vr_diag *diag)
{
	if (!vr_is_identifier(v->text) || strlen(v->text) >= NAME_TEXT_MAX)
		return vr_diag_at(diag, json_where(r->doc, v),
				  "found the %s '%.60s', expected a name of letters, digits, '_', '.' and '-' (at most %d)", what,
				  v->text, NAME_TEXT_MAX - 1);
	return 0;
}

static const char *name_member(const reading *r, const json_node *object, const char *key, const char *what, vr_diag *diag)
{
	const json_node *v = member(r, object, key, JSON_STRING, what, diag);
	return v && check_name(r, v, key, diag) == 0 ? v->text : NULL;
}

/* A number that is finite and zero or more (sizes, figures). */
static int number_of(const reading *r, const json_node *v, const char *key, double *out, vr_diag *diag)
{
	double value = json_number(v);
	if (!isfinite(value) || value < 0)
		return vr_diag_at(diag, json_where(r->doc, v), "found %g for \"%s\", expected a finite number, zero or more",
				  value, key);
	*out = value;
	return 0;
}

static int push(const reading *r, unsigned metric, double value, vr_where at, vr_diag *diag)
{
	vr_estimates *e = r->out;
	if (e->count == e->capacity) {
		size_t capacity = e->capacity ? 2 * e->capacity : 256;
		vr_estimate *items = realloc(e->items, capacity * sizeof *items);
		if (!items)
			return vr_diag_at(diag, at, "out of memory");
		e->items = items;
		e->capacity = capacity;
	}
	size_t bytes = 0;
	for (int k = 0; k < KEY_PART_COUNT; k++)
		bytes += strlen(r->part[k]) + 1;
	vr_estimate *x = &e->items[e->count];
	x->storage = malloc(bytes);
	if (!x->storage)
		return vr_diag_at(diag, at, "out of memory");
	char *p = x->storage;
	for (int k = 0; k < KEY_PART_COUNT; k++) {
		size_t n = strlen(r->part[k]) + 1;
		memcpy(p, r->part[k], n);
		x->part[k] = p;
		p += n;
	}
	x->metric = metric;
	x->value = value;
	x->line = at.line;
	x->column = at.column;
	e->count++;
	return 0;
}

/* The figures of SOURCE in OBJECT (a result's, or a flow group). */
static int figures(reading *r, const json_node *object, vr_metric_source source, vr_diag *diag)
{
	for (size_t m = 0; m < VR_METRIC_COUNT; m++) {
		const vr_metric *metric = &VR_METRICS[m];
		if (metric->source != source)
			continue;
		const json_node *holder = metric->object ? member(r, object, metric->object, JSON_OBJECT, "a result", diag)
							 : object;
		const json_node *v = holder ? member(r, holder, metric->key, JSON_NUMBER, "a result", diag) : NULL;
		double value = 0;
		if (!v || number_of(r, v, metric->key, &value, diag) != 0 ||
		    push(r, (unsigned)m, value, json_where(r->doc, v), diag) != 0)
			return -1;
	}
	r->out->results++;
	return 0;
}

/* One element of "results": a single-flow latency or bandwidth result. */
static int single_result(reading *r, const json_node *result, vr_diag *diag)
{
	if (result->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(r->doc, result), "found %s in \"results\", expected a result (an object)",
				  json_type_name(result->type));
	const json_node *size = member(r, result, "size_bytes", JSON_NUMBER, "a result", diag);
	double size_bytes = 0;
	if (!(r->part[KEY_PRESET] = name_member(r, result, "preset", "a result", diag)) ||
	    !(r->part[KEY_OPTION] = name_member(r, result, "option", "a result", diag)) ||
	    !(r->part[KEY_VERB] = name_member(r, result, "verb", "a result", diag)) || !size ||
	    number_of(r, size, "size_bytes", &size_bytes, diag) != 0 ||
	    !(r->part[KEY_COMPLETION] = name_member(r, result, "completion", "a result", diag)))
		return -1;
	char size_text[32];
	snprintf(size_text, sizeof size_text, "%.17g", size_bytes);
	r->part[KEY_SIZE] = size_text;
	int latency = json_get(result, "one_way_us") != NULL, bandwidth = json_get(result, "bandwidth") != NULL;
	if (latency == bandwidth)
		return vr_diag_at(diag, json_where(r->doc, result), "found a result with %s, expected one of \"one_way_us\" (latency) "
				  "and \"bandwidth\"", latency ? "both \"one_way_us\" and \"bandwidth\"" : "neither \"one_way_us\" nor \"bandwidth\"");
	int rc = figures(r, result, latency ? FROM_LATENCY : FROM_BANDWIDTH, diag);
	r->part[KEY_SIZE] = "";
	return rc;
}

/* One element of "flow_results": an option and preset, its flow groups. */
static int flow_result(reading *r, const json_node *result, vr_diag *diag)
{
	if (result->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(r->doc, result), "found %s in \"flow_results\", expected a result (an object)",
				  json_type_name(result->type));
	const json_node *groups;
	if (!(r->part[KEY_PRESET] = name_member(r, result, "preset", "a flow result", diag)) ||
	    !(r->part[KEY_OPTION] = name_member(r, result, "option", "a flow result", diag)) ||
	    !(groups = member(r, result, "groups", JSON_ARRAY, "a flow result", diag)))
		return -1;
	for (const json_node *g = json_first(groups); g; g = json_next(groups, g)) {
		if (g->type != JSON_OBJECT)
			return vr_diag_at(diag, json_where(r->doc, g), "found %s in \"groups\", expected a flow group (an object)",
					  json_type_name(g->type));
		if (!(r->part[KEY_GROUP] = name_member(r, g, "group", "a flow group", diag)) ||
		    figures(r, g, FROM_FLOW_GROUP, diag) != 0)
			return -1;
	}
	r->part[KEY_GROUP] = "";
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp((*(const json_node *const *)a)->text, (*(const json_node *const *)b)->text);
}

/* "name=value,..." of a sweep point's coordinates, by name: the same point
 * whatever order its file lists them in.  Numbers are written %.17g, so 8
 * and 8.0 are one coordinate. */
static int point_text(const reading *r, const json_node *point, char *text, size_t bytes, vr_diag *diag)
{
	const json_node *coordinates = member(r, point, "coordinates", JSON_OBJECT, "a point", diag);
	if (!coordinates)
		return -1;
	enum { COORDINATES_MAX = 32 };
	const json_node *names[COORDINATES_MAX];
	size_t n = 0;
	for (const json_node *k = json_first(coordinates); k; k = json_next(coordinates, k + 1)) {
		if (n == COORDINATES_MAX)
			return vr_diag_at(diag, json_where(r->doc, k), "found more than %d coordinates, expected at most %d",
					  COORDINATES_MAX, COORDINATES_MAX);
		if (check_name(r, k, "coordinate", diag) != 0)
			return -1;
		names[n++] = k;
	}
	qsort(names, n, sizeof names[0], compare_names);
	size_t used = 0;
	text[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const json_node *v = names[i] + 1;
		if (i > 0 && strcmp(names[i]->text, names[i - 1]->text) == 0)
			return vr_diag_at(diag, json_where(r->doc, names[i]), "found the coordinate \"%s\" twice, expected it once",
					  names[i]->text);
		char value[64];
		if (v->type == JSON_STRING && check_name(r, v, "coordinate value", diag) == 0)
			snprintf(value, sizeof value, "%s", v->text);
		else if (v->type == JSON_NUMBER && isfinite(json_number(v)))
			snprintf(value, sizeof value, "%.17g", json_number(v));
		else
			return diag->failed ? -1 : vr_diag_at(diag, json_where(r->doc, v), "found %s for the coordinate \"%s\", expected a "
							    "finite number or a name", json_type_name(v->type), names[i]->text);
		int length = snprintf(text + used, bytes - used, "%s%s=%s", i ? "," : "", names[i]->text, value);
		if (length < 0 || (size_t)length >= bytes - used)
			return vr_diag_at(diag, json_where(r->doc, coordinates), "found coordinates longer than %zu characters, expected fewer",
					  bytes - 1);
		used += (size_t)length;
	}
	return 0;
}

/* The members every results object has, and the point of a sweep's. */
static int header(reading *r, const json_node *root, char *point, size_t bytes, vr_diag *diag)
{
	const json_node *tool = member(r, root, "tool", JSON_STRING, "a results object", diag);
	if (!tool)
		return -1;
	if (strcmp(tool->text, "vrdmasim") != 0)
		return vr_diag_at(diag, json_where(r->doc, tool), "found the tool '%.60s', expected vrdmasim's results", tool->text);
	const json_node *schema = member(r, root, "schema_version", JSON_NUMBER, "a results object", diag);
	if (!schema)
		return -1;
	if (json_number(schema) != VR_JSON_SCHEMA_VERSION)
		return vr_diag_at(diag, json_where(r->doc, schema), "found schema_version %g, expected %d (this vrdmasim's results)",
				  json_number(schema), VR_JSON_SCHEMA_VERSION);
	if (!(r->part[KEY_SCENARIO] = name_member(r, root, "scenario", "a results object", diag)))
		return -1;
	const json_node *p = json_get(root, "point");
	if (p && p->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(r->doc, p), "found %s for \"point\", expected an object (a sweep point)",
				  json_type_name(p->type));
	if (p && point_text(r, p, point, bytes, diag) != 0)
		return -1;
	r->part[KEY_POINT] = point;
	return 0;
}

/* One top-level object: a run's results, or a sweep point's. */
static int read_object(const json_doc *doc, void *context, vr_diag *diag)
{
	reading r = {.out = context, .doc = doc};
	for (int k = 0; k < KEY_PART_COUNT; k++)
		r.part[k] = "";
	const json_node *root = doc->root;
	char point[POINT_TEXT_MAX] = "";
	if (header(&r, root, point, sizeof point, diag) != 0)
		return -1;
	const json_node *results = json_get(root, "results"), *flows = json_get(root, "flow_results");
	if (!results && !flows)
		return vr_diag_at(diag, json_where(doc, root), "found a results object without \"results\" or \"flow_results\", expected one");
	if (results && !member(&r, root, "results", JSON_ARRAY, "", diag))
		return -1;
	if (flows && !member(&r, root, "flow_results", JSON_ARRAY, "", diag))
		return -1;
	for (const json_node *x = json_first(results); x; x = json_next(results, x))
		if (single_result(&r, x, diag) != 0)
			return -1;
	for (const json_node *x = json_first(flows); x; x = json_next(flows, x))
		if (flow_result(&r, x, diag) != 0)
			return -1;
	return 0;
}

int vr_estimate_compare(const vr_estimate *a, const vr_estimate *b)
{
	for (int k = 0; k < KEY_PART_COUNT; k++) {
		int c = strcmp(a->part[k], b->part[k]);
		if (c && k == KEY_SIZE && a->part[k][0] && b->part[k][0]) {   /* sizes in numeric order */
			double x = strtod(a->part[k], NULL), y = strtod(b->part[k], NULL);
			c = x != y ? (x > y) - (x < y) : c;
		}
		if (c)
			return c;
	}
	int c = strcmp(VR_METRICS[a->metric].name, VR_METRICS[b->metric].name);
	return c ? c : (a->metric > b->metric) - (a->metric < b->metric);
}

static int compare_items(const void *a, const void *b)
{
	const vr_estimate *x = a, *y = b;
	int c = vr_estimate_compare(x, y);
	if (c)
		return c;
	/* ties (refused below) in file order, so that the second is the one named */
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->column > y->column) - (x->column < y->column);
}

static int refuse_twice(const vr_estimates *e, vr_diag *diag)
{
	for (size_t i = 1; i < e->count; i++)
		if (vr_estimate_compare(&e->items[i - 1], &e->items[i]) == 0) {
			char label[2048];
			const vr_estimate *first = &e->items[i - 1], *second = &e->items[i];
			return vr_diag_at(diag, (vr_where){e->file, second->line, second->column},
					  "found %s of %s a second time (the first at line %u, column %u), expected each estimate once",
					  VR_METRICS[second->metric].name, vr_estimate_label(second, label, sizeof label), first->line,
					  first->column);
		}
	return 0;
}

int vr_estimates_read(const char *path, vr_estimates *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->file = strdup(path);
	if (!out->file)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
	out->objects = json_seq_read(path, "a results file", read_object, out, diag);
	int rc = out->objects < 0 ? -1 : 0;
	if (rc == 0) {
		qsort(out->items, out->count, sizeof out->items[0], compare_items);
		rc = refuse_twice(out, diag);
	}
	if (rc != 0)
		vr_estimates_free(out);
	return rc;
}

void vr_estimates_free(vr_estimates *e)
{
	for (size_t i = 0; i < e->count; i++)
		free(e->items[i].storage);
	free(e->items);
	free(e->file);
	memset(e, 0, sizeof *e);
}

char *vr_estimate_label(const vr_estimate *e, char *buf, size_t bytes)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int k = 0; k < KEY_PART_COUNT && used < bytes; k++) {
		const char *p = e->part[k];
		if (!p[0])
			continue;
		const char *before = k == KEY_POINT ? "{" : used ? "/" : "";
		const char *after = k == KEY_POINT ? "}" : k == KEY_SIZE ? "B" : "";
		int n = snprintf(buf + used, bytes - used, "%s%s%s", before, p, after);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
