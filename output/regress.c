/*
 * regress.c - two results files' estimates compared figure by figure, and
 * the comparison as text, JSON or CSV (regress.h).
 */
#include "config.h"

#include "output/regress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_write.h"

const char *const vr_change_names[CHANGE_KIND_COUNT] = {"none", "within", "beyond", "appeared", "vanished"};

enum { LABEL_MAX = 2048 };
static const double TOLERANCE_PCT_MAX = 1000;

/* ---- tolerances ---- */

static int parse_percent(const char *text, double *pct)
{
	char *end;
	double value = strtod(text, &end);
	if (end == text || strcmp(end, "%") != 0 || !isfinite(value) || value < 0 || value > TOLERANCE_PCT_MAX)
		return -1;
	*pct = value;
	return 0;
}

int vr_tolerance_parse(const char *text, vr_tolerance *t, char *expected, size_t bytes)
{
	const char *equals = strchr(text, '=');
	double pct;
	if (!equals) {
		if (parse_percent(text, &pct) != 0) {
			snprintf(expected, bytes, "a tolerance in percent from 0%% to 1000%%, such as 2%% or p99_us=5%%");
			return -1;
		}
		t->all_set = 1;
		t->all_pct = pct;
		return 0;
	}
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(equals - text < 63 ? equals - text : 63), text);
	int metric = vr_metric_find(name);
	if (metric < 0) {
		size_t used = (size_t)snprintf(expected, bytes, "a figure's tolerance, NAME=P%% with NAME one of");
		for (size_t m = 0; m < VR_METRIC_COUNT && used < bytes; m++)
			if (vr_metric_find(VR_METRICS[m].name) == (int)m)
				used += (size_t)snprintf(expected + used, bytes - used, "%s %s", m ? "," : "", VR_METRICS[m].name);
		return -1;
	}
	if (parse_percent(equals + 1, &pct) != 0) {
		snprintf(expected, bytes, "%s=P%% with P a percentage from 0%% to 1000%%, such as %s=5%%", name, name);
		return -1;
	}
	size_t k = 0;
	while (k < t->count && strcmp(t->by_metric[k].metric, VR_METRICS[metric].name) != 0)
		k++;
	if (k == VR_TOLERANCES_MAX) {
		snprintf(expected, bytes, "at most %d figures' tolerances", VR_TOLERANCES_MAX);
		return -1;
	}
	t->by_metric[k].metric = VR_METRICS[metric].name;
	t->by_metric[k].pct = pct;
	t->count += k == t->count;
	return 0;
}

double vr_tolerance_pct(const vr_tolerance *t, unsigned metric)
{
	for (size_t k = 0; k < t->count; k++)
		if (strcmp(t->by_metric[k].metric, VR_METRICS[metric].name) == 0)
			return t->by_metric[k].pct;
	return t->all_set ? t->all_pct : VR_TOLERANCE_DEFAULT_PCT;
}

/* ---- the comparison ---- */

static vr_comparison compare_one(const vr_estimate *before, const vr_estimate *after, const vr_tolerance *t)
{
	vr_comparison c = {before, after, CHANGE_NONE, NAN, 0};
	const vr_estimate *either = before ? before : after;
	c.tolerance_pct = vr_tolerance_pct(t, either->metric);
	if (!before || !after) {
		c.change = before ? CHANGE_VANISHED : CHANGE_APPEARED;
		return c;
	}
	double delta = after->value - before->value;
	if (before->value != 0)
		c.change_pct = delta / before->value * 100;
	else if (delta == 0)
		c.change_pct = 0;
	if (delta == 0)
		c.change = CHANGE_NONE;
	else
		c.change = fabs(delta) > c.tolerance_pct / 100 * fabs(before->value) ? CHANGE_BEYOND : CHANGE_WITHIN;
	return c;
}

int vr_regress_compare(const vr_estimates *baseline, const vr_estimates *results, const vr_tolerance *t, int allow_new,
		       vr_regress *out)
{
	memset(out, 0, sizeof *out);
	out->baseline = baseline;
	out->results = results;
	out->allow_new = allow_new;
	out->rows = malloc((baseline->count + results->count + 1) * sizeof *out->rows);
	if (!out->rows)
		return -1;
	size_t i = 0, j = 0;
	while (i < baseline->count || j < results->count) {
		const vr_estimate *b = i < baseline->count ? &baseline->items[i] : NULL;
		const vr_estimate *a = j < results->count ? &results->items[j] : NULL;
		int order = !b ? 1 : !a ? -1 : vr_estimate_compare(b, a);
		vr_comparison c = compare_one(order <= 0 ? b : NULL, order >= 0 ? a : NULL, t);
		i += order <= 0;
		j += order >= 0;
		out->rows[out->count++] = c;
		out->counts[c.change]++;
	}
	return 0;
}

void vr_regress_free(vr_regress *r)
{
	free(r->rows);
	memset(r, 0, sizeof *r);
}

int vr_regress_failed(const vr_regress *r)
{
	return r->counts[CHANGE_BEYOND] || r->counts[CHANGE_VANISHED] || (r->counts[CHANGE_APPEARED] && !r->allow_new);
}

/* ---- text: a perftest-shaped table of what moved ---- */

static int listed(const vr_comparison *c)
{
	return c->change != CHANGE_NONE;
}

static const vr_estimate *either(const vr_comparison *c)
{
	return c->before ? c->before : c->after;
}

static void text_tolerances(const vr_tolerance *t, FILE *out)
{
	fprintf(out, "tolerance %g%% per figure", t->all_set ? t->all_pct : VR_TOLERANCE_DEFAULT_PCT);
	for (size_t k = 0; k < t->count; k++)
		fprintf(out, ", %s %g%%", t->by_metric[k].metric, t->by_metric[k].pct);
}

static void text_row(const vr_regress *r, const vr_comparison *c, int width, FILE *out)
{
	char label[LABEL_MAX], before[32] = "-", after[32] = "-", change[32], status[48];
	vr_estimate_label(either(c), label, sizeof label);
	if (c->before)
		snprintf(before, sizeof before, "%.6f", c->before->value);
	if (c->after)
		snprintf(after, sizeof after, "%.6f", c->after->value);
	if (c->change == CHANGE_APPEARED || c->change == CHANGE_VANISHED)
		snprintf(change, sizeof change, "-");
	else if (isnan(c->change_pct))
		snprintf(change, sizeof change, "from 0");
	else
		snprintf(change, sizeof change, "%+.2f%%", c->change_pct);
	if (c->change == CHANGE_BEYOND || c->change == CHANGE_WITHIN)
		snprintf(status, sizeof status, "%s %g%%", vr_change_names[c->change], c->tolerance_pct);
	else
		snprintf(status, sizeof status, "%s%s", vr_change_names[c->change],
			 c->change == CHANGE_APPEARED && r->allow_new ? " (allowed)" : "");
	fprintf(out, " %-*s  %-20s  %14s  %14s  %10s   %s\n", width, label, VR_METRICS[either(c)->metric].name, before, after,
		change, status);
}

static void write_text(const vr_regress *r, const vr_tolerance *t, FILE *out)
{
	static const char RULE[] = "---------------------------------------------------------------------------------------------"
				   "------------------------\n";
	int width = (int)strlen("estimate");
	char label[LABEL_MAX];
	for (size_t k = 0; k < r->count; k++)
		if (listed(&r->rows[k])) {
			int n = (int)strlen(vr_estimate_label(either(&r->rows[k]), label, sizeof label));
			width = n > width ? n : width;
		}
	fputs(RULE, out);
	fprintf(out, " vrdmasim %s regress | baseline %s (%zu results) | results %s (%zu results)\n ", PACKAGE_VERSION,
		r->baseline->file, r->baseline->results, r->results->file, r->results->results);
	text_tolerances(t, out);
	fputc('\n', out);
	fputs(RULE, out);
	size_t moved = r->count - r->counts[CHANGE_NONE];
	if (moved) {
		fprintf(out, " %-*s  %-20s  %14s  %14s  %10s   %s\n", width, "estimate", "figure", "before", "after", "change",
			"status");
		for (size_t k = 0; k < r->count; k++)
			if (listed(&r->rows[k]))
				text_row(r, &r->rows[k], width, out);
		fputc('\n', out);
	}
	fprintf(out, " %zu figures compared: %zu unchanged, %zu moved within their tolerance, %zu beyond; %zu appeared, %zu vanished\n",
		r->count, r->counts[CHANGE_NONE], r->counts[CHANGE_WITHIN], r->counts[CHANGE_BEYOND],
		r->counts[CHANGE_APPEARED], r->counts[CHANGE_VANISHED]);
	fprintf(out, " %s\n", vr_regress_failed(r) ? "FAILED: estimates moved, appeared or vanished (exit status 1)"
						     : moved ? "passed: every change within its tolerance"
							     : "passed: no change");
}

/* ---- JSON and CSV: every figure compared ---- */

static void json_value(json_writer *w, const char *key, const vr_estimate *e)
{
	json_write_key(w, key);
	if (e)
		json_write_double(w, "%.6f", e->value);
	else
		json_write_null(w);
}

static void json_row(json_writer *w, const vr_comparison *c)
{
	const vr_estimate *e = either(c);
	json_write_break(w, 4);
	json_write_object_begin(w);
	for (int k = 0; k < KEY_PART_COUNT; k++) {
		if (!e->part[k][0])
			continue;
		if (k == KEY_SIZE)
			json_write_key_double(w, vr_key_part_names[k], "%.0f", strtod(e->part[k], NULL));
		else
			json_write_key_string(w, vr_key_part_names[k], e->part[k]);
	}
	json_write_key_string(w, "metric", VR_METRICS[e->metric].name);
	json_value(w, "before", c->before);
	json_value(w, "after", c->after);
	json_write_key(w, "change_pct");
	if (isnan(c->change_pct))
		json_write_null(w);
	else
		json_write_double(w, "%.6f", c->change_pct);
	json_write_key_double(w, "tolerance_pct", "%g", c->tolerance_pct);
	json_write_key_string(w, "status", vr_change_names[c->change]);
	json_write_object_end(w);
}

static int write_json(const vr_regress *r, const vr_tolerance *t, FILE *out)
{
	json_writer w;
	json_write_init(&w, out);
	json_write_object_begin(&w);
	json_write_break(&w, 2);
	json_write_key_string(&w, "tool", "vrdmasim");
	json_write_key_string(&w, "version", PACKAGE_VERSION);
	json_write_key_string(&w, "command", "regress");
	json_write_break(&w, 2);
	json_write_key_string(&w, "baseline", r->baseline->file);
	json_write_key_string(&w, "results", r->results->file);
	json_write_break(&w, 2);
	json_write_key(&w, "tolerance_pct");
	json_write_object_begin(&w);
	for (size_t m = 0; m < VR_METRIC_COUNT; m++)
		if (vr_metric_find(VR_METRICS[m].name) == (int)m)
			json_write_key_double(&w, VR_METRICS[m].name, "%g", vr_tolerance_pct(t, (unsigned)m));
	json_write_object_end(&w);
	json_write_key(&w, "allow_new");
	json_write_bool(&w, r->allow_new);
	json_write_key(&w, "failed");
	json_write_bool(&w, vr_regress_failed(r));
	json_write_break(&w, 2);
	json_write_key(&w, "summary");
	json_write_object_begin(&w);
	json_write_key_uint(&w, "baseline_results", r->baseline->results);
	json_write_key_uint(&w, "results_results", r->results->results);
	json_write_key_uint(&w, "figures", r->count);
	for (int k = 0; k < CHANGE_KIND_COUNT; k++)
		json_write_key_uint(&w, vr_change_names[k], r->counts[k]);
	json_write_object_end(&w);
	json_write_break(&w, 2);
	json_write_key(&w, "comparisons");
	json_write_array_begin(&w);
	for (size_t k = 0; k < r->count; k++)
		json_row(&w, &r->rows[k]);
	json_write_array_end(&w);
	json_write_end_document(&w);
	return json_write_failed(&w) ? -1 : 0;
}

static void csv_number(FILE *out, const vr_estimate *e)
{
	if (e)
		fprintf(out, ",%.6f", e->value);
	else
		fputc(',', out);
}

static void write_csv(const vr_regress *r, FILE *out)
{
	for (int k = 0; k < KEY_PART_COUNT; k++)
		fprintf(out, "%s,", vr_key_part_names[k]);
	fputs("metric,before,after,change_pct,tolerance_pct,status\n", out);
	for (size_t i = 0; i < r->count; i++) {
		const vr_comparison *c = &r->rows[i];
		const vr_estimate *e = either(c);
		for (int k = 0; k < KEY_PART_COUNT; k++)   /* a point's coordinates hold commas: quoted */
			fprintf(out, k == KEY_POINT && e->part[k][0] ? "\"%s\"," : "%s,", e->part[k]);
		fputs(VR_METRICS[e->metric].name, out);
		csv_number(out, c->before);
		csv_number(out, c->after);
		if (isnan(c->change_pct))
			fputc(',', out);
		else
			fprintf(out, ",%.6f", c->change_pct);
		fprintf(out, ",%g,%s\n", c->tolerance_pct, vr_change_names[c->change]);
	}
}

int vr_regress_write(const vr_regress *r, const vr_tolerance *t, vr_format format, FILE *out)
{
	int rc = 0;
	switch (format) {
	case FORMAT_TEXT: write_text(r, t, out); break;
	case FORMAT_JSON: rc = write_json(r, t, out); break;
	case FORMAT_CSV: write_csv(r, out); break;
	case FORMAT_COUNT: rc = -1; break;
	}
	return rc == 0 && !ferror(out) ? 0 : -1;
}
