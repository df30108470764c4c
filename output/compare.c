/*
 * compare.c - published figures beside the model's, as text, JSON or CSV.
 * See compare.h.
 */
#include "config.h"
#include "output/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_write.h"

#define NS_PER_US 1e3
#define BITS_PER_GBIT 1e9

static const char *const RULE =
	"---------------------------------------------------------------------------------------------------------------------";

/* A figure's number in its display unit: us or Gb/s. */
static double shown(const pub_figure *f, double canonical)
{
	return canonical / (pub_metric_is_latency(f->metric) ? NS_PER_US : BITS_PER_GBIT);
}

static const char *unit_key(const pub_figure *f)
{
	return pub_metric_is_latency(f->metric) ? "us" : "gbit_per_s";
}

static const char *unit_text(const pub_figure *f)
{
	return pub_metric_is_latency(f->metric) ? "usec" : "Gb/s";
}

int vr_compare_beyond(const vr_compare_row *row, double max_error_percent)
{
	return row->figure->kind != PUB_ESTIMATE && fabs(row->error_percent) > max_error_percent;
}

/* The parameters ROW's estimate depends on, largest share first (ties by
 * name order in params.def): their ids into ORDER, their count returned. */
static size_t ranked(const vr_compare_row *row, int *order)
{
	size_t n = 0;
	for (int id = 0; id < MDL_PARAM_COUNT; id++)
		if (row->shares[id] > 0)
			order[n++] = id;
	for (size_t i = 1; i < n; i++)   /* insertion sort: stable, and n is small */
		for (size_t j = i; j > 0 && row->shares[order[j]] > row->shares[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	return n;
}

/* "0.81-0.83", "< 0.600", "> 2.000", "1.750" */
static void published_text(const pub_figure *f, char *buf, size_t len)
{
	if (f->has_low && f->has_high && f->low == f->high)
		snprintf(buf, len, "%.3f", shown(f, f->low));
	else if (f->has_low && f->has_high)
		snprintf(buf, len, "%.3f-%.3f", shown(f, f->low), shown(f, f->high));
	else if (f->has_high)
		snprintf(buf, len, "< %.3f", shown(f, f->high));
	else
		snprintf(buf, len, "> %.3f", shown(f, f->low));
}

/* "+10.2%", "within", "outside +36.2%" */
static void error_text(const vr_compare_row *row, char *buf, size_t len)
{
	if (row->verdict == PUB_ERROR)
		snprintf(buf, len, "%+.1f%%", row->error_percent);
	else if (row->verdict == PUB_WITHIN)
		snprintf(buf, len, "within");
	else
		snprintf(buf, len, "outside %+.1f%%", row->error_percent);
}

/* ---- text ---- */

static void text_parameters(const pub_file *file, const vr_compare_row *rows, FILE *out)
{
	fprintf(out, "\n Parameters each estimate depends on: share of the estimate in stages that read each [%%],\n"
		     " largest first (at most %d; JSON and CSV list them all)\n", VR_COMPARE_TEXT_PARAMS);
	for (size_t i = 0; i < file->count; i++) {
		int order[MDL_PARAM_COUNT];
		size_t n = ranked(&rows[i], order);
		fprintf(out, " %s:", rows[i].figure->id);
		for (size_t k = 0; k < n && k < VR_COMPARE_TEXT_PARAMS; k++)
			fprintf(out, "%s %s %.1f", k ? "," : "", mdl_param_defs[order[k]].name, rows[i].shares[order[k]] * 100);
		if (n > VR_COMPARE_TEXT_PARAMS)
			fprintf(out, " (and %zu more)", n - VR_COMPARE_TEXT_PARAMS);
		fputc('\n', out);
	}
}

static void write_text(const pub_file *file, const vr_compare_row *rows, const char *const *sets, size_t set_count,
		       FILE *out)
{
	fprintf(out, "%s\n vrdmasim %s compare | %s | %zu figure(s) compared, %zu not modelled yet\n", RULE,
		PACKAGE_VERSION, file->doc.file, file->count, file->unmodelled_count);
	for (size_t k = 0; k < set_count; k++)
		fprintf(out, " --set %s (a what-if: not the presets' model)\n", sets[k]);
	fprintf(out, " error = (model - published) / published; a range or a bound: within, or how far beyond it\n%s\n", RULE);
	fprintf(out, " %-40s %-12s %-6s %15s %10s %16s %12s\n", "#figure", "kind", "unit", "published", "model", "error",
		"assumed[%]");
	for (size_t i = 0; i < file->count; i++) {
		const vr_compare_row *r = &rows[i];
		char published[64], error[64];
		published_text(r->figure, published, sizeof published);
		error_text(r, error, sizeof error);
		fprintf(out, " %-40s %-12s %-6s %15s %10.3f %16s %12.1f\n", r->figure->id, pub_kind_names[r->figure->kind],
			unit_text(r->figure), published, shown(r->figure, r->model), error, r->assumed_share * 100);
	}
	text_parameters(file, rows, out);
	if (file->unmodelled_count)
		fprintf(out, "\n Not modelled yet:\n");
	for (size_t i = 0; i < file->unmodelled_count; i++) {
		const pub_unmodelled *u = &file->unmodelled[i];
		fprintf(out, " %s: %s (%s): %s\n", u->id, u->published, u->source, u->why);
	}
	fprintf(out, "%s\n", RULE);
}

/* ---- JSON ---- */

static void json_bound(json_writer *w, const char *key, int has, double value, const pub_figure *f)
{
	if (has)
		json_write_key_double(w, key, "%.6f", shown(f, value));
	else {
		json_write_key(w, key);
		json_write_null(w);
	}
}

static void json_figure(json_writer *w, const vr_compare_row *r)
{
	const pub_figure *f = r->figure;
	const scn_scenario *s = &f->scenario;
	const scn_workload *wl = &s->workloads[0];
	char key[64];
	json_write_break(w, 2);
	json_write_object_begin(w);
	json_write_key_string(w, "id", f->id);
	json_write_key_string(w, "kind", pub_kind_names[f->kind]);
	json_write_key_string(w, "metric", pub_metric_names[f->metric]);
	json_write_break(w, 3);
	json_write_key_string(w, "preset", scn_params(s, 0, 0)->preset);
	json_write_key_string(w, "option", s->options[0].name);
	json_write_key_string(w, "verb", mdl_verb_names[wl->verb]);
	json_write_key_double(w, "size_bytes", "%.0f", wl->sizes_bytes[0]);
	json_write_key_string(w, "completion", mdl_completion_names[s->completion]);
	json_write_break(w, 3);
	snprintf(key, sizeof key, "published_low_%s", unit_key(f));
	json_bound(w, key, f->has_low, f->low, f);
	snprintf(key, sizeof key, "published_high_%s", unit_key(f));
	json_bound(w, key, f->has_high, f->high, f);
	snprintf(key, sizeof key, "model_%s", unit_key(f));
	json_write_key_double(w, key, "%.6f", shown(f, r->model));
	json_write_key_double(w, "error_percent", "%.4f", r->error_percent);
	json_write_key_string(w, "verdict", pub_verdict_names[r->verdict]);
	json_write_key_double(w, pub_metric_is_latency(f->metric) ? "assumed_share_of_typical" : "assumed_share_of_pace",
			      "%.4f", r->assumed_share);
	json_write_break(w, 3);
	json_write_key(w, "parameters");
	json_write_array_begin(w);
	int order[MDL_PARAM_COUNT];
	size_t n = ranked(r, order);
	for (size_t k = 0; k < n; k++) {
		json_write_object_begin(w);
		json_write_key_string(w, "name", mdl_param_defs[order[k]].name);
		json_write_key_double(w, "share_of_estimate", "%.4f", r->shares[order[k]]);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_break(w, 3);
	json_write_key_string(w, "measured", f->measured);
	json_write_break(w, 3);
	json_write_key_string(w, "source", f->source);
	json_write_break(w, 3);
	json_write_key_string(w, "setting", f->setting);
	json_write_break(w, 2);
	json_write_object_end(w);
}

static int write_json(const pub_file *file, const vr_compare_row *rows, const char *const *sets, size_t set_count,
		      FILE *out)
{
	json_writer w;
	json_write_init(&w, out);
	json_write_object_begin(&w);
	json_write_key_string(&w, "version", PACKAGE_VERSION);
	json_write_key_string(&w, "file", file->doc.file);
	json_write_key_string(&w, "file_sha256", file->doc.sha256);
	json_write_key(&w, "sets");   /* the command line's --set: a what-if when any */
	json_write_array_begin(&w);
	for (size_t k = 0; k < set_count; k++)
		json_write_string(&w, sets[k]);
	json_write_array_end(&w);
	json_write_break(&w, 1);
	json_write_key(&w, "figures");
	json_write_array_begin(&w);
	for (size_t i = 0; i < file->count; i++)
		json_figure(&w, &rows[i]);
	json_write_break(&w, 1);
	json_write_array_end(&w);
	json_write_break(&w, 1);
	json_write_key(&w, "not_modelled");
	json_write_array_begin(&w);
	for (size_t i = 0; i < file->unmodelled_count; i++) {
		const pub_unmodelled *u = &file->unmodelled[i];
		json_write_break(&w, 2);
		json_write_object_begin(&w);
		json_write_key_string(&w, "id", u->id);
		json_write_key_string(&w, "published", u->published);
		json_write_key_string(&w, "measured", u->measured);
		json_write_key_string(&w, "source", u->source);
		json_write_key_string(&w, "why", u->why);
		json_write_object_end(&w);
	}
	if (file->unmodelled_count)
		json_write_break(&w, 1);
	json_write_array_end(&w);
	json_write_break(&w, 0);
	json_write_object_end(&w);
	json_write_end_document(&w);
	return json_write_failed(&w) ? -1 : 0;
}

/* ---- CSV: one row per figure compared ---- */

static void csv_bound(FILE *out, int has, double value, const pub_figure *f, int latency)
{
	if (has && pub_metric_is_latency(f->metric) == latency)
		fprintf(out, ",%.6f", shown(f, value));
	else
		fputc(',', out);
}

static void write_csv(const pub_file *file, const vr_compare_row *rows, FILE *out)
{
	fputs("id,kind,metric,preset,option,verb,size_bytes,completion,published_low_us,published_high_us,model_us,"
	      "published_low_gbit_per_s,published_high_gbit_per_s,model_gbit_per_s,error_percent,verdict,assumed_share,"
	      "parameters\n", out);
	for (size_t i = 0; i < file->count; i++) {
		const vr_compare_row *r = &rows[i];
		const pub_figure *f = r->figure;
		const scn_scenario *s = &f->scenario;
		fprintf(out, "%s,%s,%s,%s,%s,%s,%.0f,%s", f->id, pub_kind_names[f->kind], pub_metric_names[f->metric],
			scn_params(s, 0, 0)->preset, s->options[0].name, mdl_verb_names[s->workloads[0].verb],
			s->workloads[0].sizes_bytes[0], mdl_completion_names[s->completion]);
		for (int latency = 1; latency >= 0; latency--) {
			csv_bound(out, f->has_low, f->low, f, latency);
			csv_bound(out, f->has_high, f->high, f, latency);
			csv_bound(out, 1, r->model, f, latency);
		}
		fprintf(out, ",%.4f,%s,%.4f,\"", r->error_percent, pub_verdict_names[r->verdict], r->assumed_share);
		int order[MDL_PARAM_COUNT];
		size_t n = ranked(r, order);
		for (size_t k = 0; k < n; k++)
			fprintf(out, "%s%s=%.4f", k ? ";" : "", mdl_param_defs[order[k]].name, r->shares[order[k]]);
		fputs("\"\n", out);
	}
}

/* Every number of the rows is finite: JSON has no inf or nan, and no
 * table should show one. */
static int finite_rows(const pub_file *file, const vr_compare_row *rows)
{
	for (size_t i = 0; i < file->count; i++) {
		if (!isfinite(rows[i].model) || !isfinite(rows[i].error_percent) || !isfinite(rows[i].assumed_share))
			return 0;
		for (int id = 0; id < MDL_PARAM_COUNT; id++)
			if (!isfinite(rows[i].shares[id]))
				return 0;
	}
	return 1;
}

int vr_compare_write(const pub_file *file, const vr_compare_row *rows, const char *const *sets, size_t set_count,
		     vr_format format, FILE *out)
{
	if (!finite_rows(file, rows))
		return -1;
	int rc = 0;
	switch (format) {
	case FORMAT_TEXT: write_text(file, rows, sets, set_count, out); break;
	case FORMAT_JSON: rc = write_json(file, rows, sets, set_count, out); break;
	case FORMAT_CSV: write_csv(file, rows, out); break;
	case FORMAT_COUNT: rc = -1; break;
	}
	return rc == 0 && !ferror(out) ? 0 : -1;
}
