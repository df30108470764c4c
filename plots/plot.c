/*
 * plot.c - results file -> gnuplot scripts and data -> PNG and SVG: the
 * reading, --options, and the curves against size (latency, bandwidth, and
 * their overhead against native); the tails and the breakdown have files
 * of their own (single_plot.h).
 *
 * Reading is strict (every value checked, located), because a results file
 * is input like any other and its names end up in file names and gnuplot
 * scripts: names must be identifiers, so nothing in a file can inject
 * gnuplot commands.
 */
#include "config.h"

#include "plots/plot.h"

#include "plots/fit_plot.h"
#include "plots/flow_plot.h"
#include "plots/gnuplot.h"
#include "plots/plot_read.h"
#include "plots/single_plot.h"
#include "plots/sweep_data.h"
#include "plots/sweep_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/option.h"
#include "input/json_read.h"
#include "input/yaml_read.h"

enum { NAMES_MAX = VR_PLOT_NAMES_MAX, KINDS = VR_PLOT_KINDS, FIGURES_MAX = VR_PLOT_FIGURES_MAX };

const char *const vr_plot_kind_keys[KINDS] = {
	"software", "virtualization", "interrupts", "pcie_dma", "adapter", "fabric", "streaming", "pipeline", "waiting",
};
const char *const vr_plot_kind_titles[KINDS] = {
	"CPU software", "VM exits and virtual interrupts", "device interrupts", "PCIe: doorbells, DMA, translation",
	"HCA or NIC pipeline", "wire, switch, copy between VMs", "serialization and queueing on links",
	"later packets, paced by a per-packet stage", "waiting (jitter, completion)",
};
typedef vr_plot_point point;
typedef vr_plot_figure figure;
typedef vr_plot_data plot_data;

/* ---- reading --------------------------------------------------------- */

/* Index of NAME in LIST (added if new): identifiers only. */
static int intern(const json_doc *doc, const json_node *at, const char *what, char list[][MDL_NAME_MAX], size_t *count, size_t *out,
		  vr_diag *diag)
{
	return vr_plot_intern(doc, at, what, list, count, NAMES_MAX, out, diag);
}

static int choice(const json_doc *doc, const json_node *at, const char *what, const char *const *names, int *out, vr_diag *diag)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], at->text) == 0) {
			*out = i;
			return 0;
		}
	char list[160];
	yr_join(names, list, sizeof list);
	return vr_diag_at(diag, json_where(doc, at), "found the %s '%.60s', expected one of %s", what, at->text, list);
}

/* The figure a result belongs in, added if new; -1 when there are too many. */
static int figure_of(plot_data *d, mdl_verb verb, int completion, size_t preset, size_t *out)
{
	for (size_t f = 0; f < d->figure_count; f++)
		if (d->figures[f].verb == verb && d->figures[f].completion == completion && d->figures[f].preset == preset) {
			*out = f;
			return 0;
		}
	if (d->figure_count == FIGURES_MAX)
		return -1;
	d->figures[d->figure_count] = (figure){verb, completion, preset};
	*out = d->figure_count++;
	return 0;
}

static int read_result(plot_data *d, const json_doc *doc, const json_node *r, int schema, vr_diag *diag)
{
	if (r->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, r), "found %s in \"results\", expected an object per result", json_type_name(r->type));
	point *p = &d->points[d->point_count];
	memset(p, 0, sizeof *p);
	const json_node *v;
	int verb, completion;
	if (!(v = vr_plot_member(doc, r, "preset", JSON_STRING, diag)) || intern(doc, v, "preset", d->presets, &d->preset_count, &p->preset, diag) ||
	    !(v = vr_plot_member(doc, r, "option", JSON_STRING, diag)) || intern(doc, v, "option", d->options, &d->option_count, &p->option, diag) ||
	    !(v = vr_plot_member(doc, r, "verb", JSON_STRING, diag)) || choice(doc, v, "verb", mdl_verb_names, &verb, diag) ||
	    !(v = vr_plot_member(doc, r, "completion", JSON_STRING, diag)) || choice(doc, v, "completion mode", mdl_completion_names, &completion, diag) ||
	    vr_plot_number(doc, r, "size_bytes", &p->size_bytes, diag))
		return -1;
	if (p->size_bytes < 1)
		return vr_diag_at(diag, json_where(doc, json_get(r, "size_bytes")), "found %g for \"size_bytes\", expected at least 1", p->size_bytes);
	if (mdl_verb_is_bandwidth((mdl_verb)verb)) {
		const json_node *bw = vr_plot_member(doc, r, "bandwidth", JSON_OBJECT, diag);
		if (!bw || vr_plot_number(doc, bw, "bw_average_gbit_per_s", &p->value, diag))
			return -1;
	} else {
		const json_node *t = vr_plot_member(doc, r, "one_way_us", JSON_OBJECT, diag);
		if (!t || vr_plot_number(doc, t, "median", &p->value, diag) || vr_plot_number(doc, t, "p99", &p->p99_us, diag))
			return -1;
		p->p999_us = NAN;   /* optional: drawn where the file has it */
		if (json_get(t, "p999") && vr_plot_number(doc, t, "p999", &p->p999_us, diag))
			return -1;
		const json_node *kinds = schema >= 2 ? vr_plot_member(doc, r, "breakdown_by_kind_us", JSON_OBJECT, diag) : NULL;
		if (schema >= 2 && !kinds)
			return -1;
		for (size_t k = 0; kinds && k < KINDS; k++)
			if (vr_plot_number(doc, kinds, vr_plot_kind_keys[k], &p->kind_us[k], diag))
				return -1;
		p->has_kinds = kinds != NULL;
	}
	if (figure_of(d, (mdl_verb)verb, completion, p->preset, &p->figure) != 0)
		return vr_diag_at(diag, json_where(doc, r), "found more than %d figures' worth of results, expected fewer", FIGURES_MAX);
	d->point_count++;
	return 0;
}

static int read_results(plot_data *d, const json_doc *doc, vr_diag *diag)
{
	const json_node *root = doc->root, *v;
	if (root->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, root), "found %s, expected a vrdmasim results object", json_type_name(root->type));
	v = json_get(root, "tool");
	if (!v || v->type != JSON_STRING || strcmp(v->text, "vrdmasim") != 0)
		return vr_diag_at(diag, json_where(doc, v ? v : root), "found %s, expected \"tool\": \"vrdmasim\" (a file written by vrdmasim run --format json)",
				  v ? "another \"tool\"" : "no \"tool\"");
	v = json_get(root, "schema_version");
	if (!v || v->type != JSON_NUMBER || (json_number(v) != 1 && json_number(v) != 2))
		return vr_diag_at(diag, json_where(doc, v ? v : root), "found %s schema_version, expected 1 or 2",
				  v ? "an unknown" : "no");
	int schema = (int)json_number(v);
	v = json_get(root, "results");
	if (!v || v->type != JSON_ARRAY)
		return vr_diag_at(diag, json_where(doc, v ? v : root), "found %s \"results\", expected an array of results",
				  v ? json_type_name(v->type) : "no");
	size_t count = json_count(v);
	if (count == 0)
		return vr_diag_at(diag, json_where(doc, v), "found no results, expected at least one to plot");
	d->points = calloc(count, sizeof *d->points);
	if (!d->points)
		return vr_diag_at(diag, json_where(doc, v), "out of memory");
	for (const json_node *r = json_first(v); r; r = json_next(v, r))
		if (read_result(d, doc, r, schema, diag) != 0)
			return -1;
	return 0;
}

/* ---- writing scripts and data ---------------------------------------- */

static int by_size(const void *a, const void *b)
{
	const point *p = a, *q = b;
	if (p->figure != q->figure)
		return p->figure < q->figure ? -1 : 1;
	if (p->option != q->option)
		return p->option < q->option ? -1 : 1;
	return (p->size_bytes > q->size_bytes) - (p->size_bytes < q->size_bytes);
}

void vr_plot_figure_name(const plot_data *d, size_t f, char *buf, size_t len)
{
	const figure *g = &d->figures[f];
	snprintf(buf, len, "%s-%s-%s-%s", mdl_verb_is_bandwidth(g->verb) ? "bandwidth" : "latency", mdl_verb_names[g->verb],
		 mdl_completion_names[g->completion], d->presets[g->preset]);
}

const char *vr_plot_latency_part(const plot_data *d, size_t f)
{
	return mdl_verb_round_trip(d->figures[f].verb) ? "whole round trip" : "half a round trip";
}

int vr_plot_close(FILE *file, const char *path, vr_diag *diag)
{
	if (fclose(file) != 0)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	return 0;
}

/* Size tics every STEP-fold from the smallest size, labelled as sizes. */
void vr_plot_size_tics(const plot_data *d, size_t f, double step, FILE *gp)
{
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < d->point_count; i++)
		if (d->points[i].figure == f) {
			lo = fmin(lo, d->points[i].size_bytes);
			hi = fmax(hi, d->points[i].size_bytes);
		}
	fprintf(gp, "set xrange [%.17g:%.17g]\nset xtics (", lo / 1.2, hi * 1.2);
	const char *sep = "";
	for (double size = lo; size <= hi * 1.0001; size *= step) {
		char label[32];
		vr_gp_size_text(size, label, sizeof label);
		fprintf(gp, "%s'%s' %.17g", sep, label, size);
		sep = ", ";
	}
	fprintf(gp, ")\n");
}

/* The point of option O in figure F at SIZE; NULL if it was not run. */
static const point *point_at(const plot_data *d, size_t f, size_t o, double size)
{
	for (size_t i = 0; i < d->point_count; i++)
		if (d->points[i].figure == f && d->points[i].option == o && d->points[i].size_bytes == size)
			return &d->points[i];
	return NULL;
}

/* The data of a curve figure: a block per option drawn, as `index` reads
 * them; native's value beside each (for the overhead) when REFERENCE. */
static int write_blocks(const plot_data *d, size_t f, const char *path, const size_t *reference, size_t *block_option,
			size_t *blocks, double *ratio_lo, double *ratio_hi, vr_diag *diag)
{
	const figure *g = &d->figures[f];
	FILE *dat = fopen(path, "w");
	if (!dat)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	const char *metric = mdl_verb_is_bandwidth(g->verb) ? "bw_average_gbit_per_s" : "t_typical_us";
	*blocks = 0;
	for (size_t o = 0; o < d->option_count; o++) {
		if (!d->shown[o] || (reference && o == *reference))
			continue;
		int any = 0;
		for (size_t i = 0; i < d->point_count; i++) {
			const point *p = &d->points[i], *native = reference ? point_at(d, f, *reference, p->size_bytes) : NULL;
			if (p->figure != f || p->option != o || !(p->value > 0) || (reference && !(native && native->value > 0)))
				continue;
			if (!any++)
				fprintf(dat, reference ? "# %s: size_bytes %s native_%s ratio difference\n" : "# %s: size_bytes %s\n",
					d->options[o], metric, metric);
			if (reference) {
				fprintf(dat, "%.0f %.9g %.9g %.9g %.9g\n", p->size_bytes, p->value, native->value, p->value / native->value,
					p->value - native->value);
				*ratio_lo = fmin(*ratio_lo, p->value / native->value);
				*ratio_hi = fmax(*ratio_hi, p->value / native->value);
			}
			else
				fprintf(dat, "%.0f %.9g\n", p->size_bytes, p->value);
		}
		if (any) {
			fprintf(dat, "\n\n");
			block_option[(*blocks)++] = o;
		}
	}
	return vr_plot_close(dat, path, diag);
}

/* One line per block; earlier lines wider, so that options with equal
 * results (they happen: passthrough and native when polling) stay
 * visible. */
static void plot_blocks(const plot_data *d, FILE *gp, const char *name, int column, const size_t *block_option, size_t blocks)
{
	for (size_t b = 0; b < blocks; b++)
		fprintf(gp, "  'data/%s.dat' index %zu using 1:%d with linespoints lt %zu lw %.1f title '%s'%s\n", name, b, column,
			block_option[b] % ((size_t)VR_GP_COLOURS) + 1, 1.5 + 0.7 * (double)(blocks - 1 - b),
			d->options[block_option[b]], b + 1 < blocks ? ", \\" : "");
}

/* Latency or bandwidth against size: one line per option. */
static int write_curves(const plot_data *d, size_t f, const char *dir, vr_diag *diag)
{
	const figure *g = &d->figures[f];
	char name[256], path[8192];
	vr_plot_figure_name(d, f, name, sizeof name);
	snprintf(path, sizeof path, "%s/data/%s.dat", dir, name);
	size_t blocks, block_option[NAMES_MAX];
	if (write_blocks(d, f, path, NULL, block_option, &blocks, NULL, NULL, diag) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.gp", dir, name);
	FILE *gp = fopen(path, "w");
	if (!gp)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	vr_gp_script_head(gp);
	int bw = mdl_verb_is_bandwidth(g->verb);
	fprintf(gp, "set title '%s, completion by %s: %s'\n", mdl_verb_names[g->verb], mdl_completion_names[g->completion],
		d->presets[g->preset]);
	fprintf(gp, "set logscale x 2\nset xlabel 'message size'\n");
	vr_plot_size_tics(d, f, 4, gp);
	fprintf(gp, "set logscale y 10\nset format y '%%g'\n");
	if (bw)
		fprintf(gp, "set ylabel 'BW average [Gb/s]'\n");
	else
		fprintf(gp, "set ylabel 't_typical, %s [µs]'\n", vr_plot_latency_part(d, f));
	fprintf(gp, "set key outside right top vertical box\n");
	fprintf(gp, "plot \\\n");
	plot_blocks(d, gp, name, 2, block_option, blocks);
	vr_gp_script_tail(gp, name);
	if (vr_plot_close(gp, path, diag) != 0)
		return -1;
	return blocks ? 0 : vr_diag_at(diag, (vr_where){d->file, 0, 0}, "found no positive values to plot for %s", name);
}

/* The index of native in the results, if it was run in figure F. */
static int native_of(const plot_data *d, size_t f, size_t *out)
{
	for (size_t o = 0; o < d->option_count; o++)
		if (strcmp(d->options[o], "native") == 0)
			for (size_t i = 0; i < d->point_count; i++)
				if (d->points[i].figure == f && d->points[i].option == o && d->points[i].value > 0) {
					*out = o;
					return 1;
				}
	return 0;
}

/* overhead-VERB-COMPLETION-PRESET: each option's value divided by native's
 * at the same size, one line per option: what virtualization costs.
 * Native is the reference whether or not --options names it. */
static int write_overhead(const plot_data *d, size_t f, size_t native, const char *dir, vr_diag *diag)
{
	const figure *g = &d->figures[f];
	char name[256], path[8192];
	snprintf(name, sizeof name, "overhead-%s-%s-%s", mdl_verb_names[g->verb], mdl_completion_names[g->completion],
		 d->presets[g->preset]);
	snprintf(path, sizeof path, "%s/data/%s.dat", dir, name);
	size_t blocks, block_option[NAMES_MAX];
	double lo = 1, hi = 1;   /* the ratios, and native's 1 */
	if (write_blocks(d, f, path, &native, block_option, &blocks, &lo, &hi, diag) != 0)
		return -1;
	if (!blocks) {   /* only native to draw: no overhead */
		remove(path);
		return 0;
	}
	snprintf(path, sizeof path, "%s/%s.gp", dir, name);
	FILE *gp = fopen(path, "w");
	if (!gp)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	vr_gp_script_head(gp);
	int bw = mdl_verb_is_bandwidth(g->verb);
	fprintf(gp, "set title '%s, completion by %s: %s - each option against native at the same size'\n", mdl_verb_names[g->verb],
		mdl_completion_names[g->completion], d->presets[g->preset]);
	fprintf(gp, "set logscale x 2\nset xlabel 'message size'\n");
	vr_plot_size_tics(d, f, 4, gp);
	/* Ratios read best at 1, 2 and 5 times a power of ten: tics there,
	 * and the axis from the tic below the lowest to the one above the
	 * highest. */
	double bottom = 0, top = 0;
	const char *sep = "";
	fprintf(gp, "set logscale y 10\nset ytics (");
	for (double decade = pow(10, floor(log10(lo))); !(top > 0); decade *= 10)
		for (int m = 1; m <= 5 && !(top > 0); m += m == 1 ? 1 : 3) {
			double tic = m * decade;
			if (tic <= lo * 1.0001)
				bottom = tic;
			if (tic >= hi * 0.9999)
				top = tic;
			fprintf(gp, "%s'%g×' %.9g", sep, tic, tic);
			sep = ", ";
		}
	fprintf(gp, ")\nset yrange [%.9g:%.9g]\n", bottom, top);
	if (bw)
		fprintf(gp, "set ylabel 'BW average ÷ native BW average [×], below 1: slower'\n");
	else
		fprintf(gp, "set ylabel 't_typical ÷ native t_typical [×], above 1: slower'\n");
	fprintf(gp, "set key outside right top vertical box\n");
	fprintf(gp, "plot \\\n  1 with lines lc rgb '#000000' lw 1.5 dt 2 title 'native (= 1×)', \\\n");
	plot_blocks(d, gp, name, 4, block_option, blocks);
	vr_gp_script_tail(gp, name);
	if (vr_plot_close(gp, path, diag) != 0)
		return -1;
	char script[300];
	snprintf(script, sizeof script, "%s.gp", name);
	return vr_gp_run(d->request->gnuplot ? d->request->gnuplot : "gnuplot", dir, script, diag);
}

/* --size must be a size the latency results were run at. */
static int check_size(const plot_data *d, double size, vr_diag *diag)
{
	char sizes[256] = "", label[32];
	double listed[64];
	size_t n = 0;
	for (size_t i = 0; i < d->point_count; i++) {
		const point *p = &d->points[i];
		if (!p->has_kinds)
			continue;
		if (p->size_bytes == size)
			return 0;
		size_t k = 0;
		while (k < n && listed[k] != p->size_bytes)
			k++;
		if (k == n && n < 64) {
			listed[n++] = p->size_bytes;
			vr_gp_size_text(p->size_bytes, label, sizeof label);
			if (strlen(sizes) + strlen(label) + 3 < sizeof sizes)
				snprintf(sizes + strlen(sizes), sizeof sizes - strlen(sizes), "%s%s", n > 1 ? ", " : "", label);
		}
	}
	vr_gp_size_text(size, label, sizeof label);
	if (n == 0)
		return vr_diag_at(diag, (vr_where){"--size", 0, 0}, "found --size %s, expected no --size: %s has no latency breakdowns to draw",
				  label, d->file);
	return vr_diag_at(diag, (vr_where){"--size", 0, 0}, "found --size %s, expected a size %s was run at: %s", label, d->file, sizes);
}

/* The breakdown size: as asked, or the smallest size of the figure. */
static double breakdown_size(const plot_data *d, size_t f, double asked)
{
	if (asked > 0)
		return asked;
	double smallest = INFINITY;
	for (size_t i = 0; i < d->point_count; i++)
		if (d->points[i].figure == f && d->points[i].has_kinds)
			smallest = fmin(smallest, d->points[i].size_bytes);
	return smallest;
}

/* Has figure F results of an option drawn?  (--options may leave none:
 * a preset or test the options named were not run with.) */
static int figure_shown(const plot_data *d, size_t f)
{
	for (size_t i = 0; i < d->point_count; i++)
		if (d->points[i].figure == f && d->shown[d->points[i].option])
			return 1;
	return 0;
}

static int draw_all(const void *ctx, const char *work, vr_diag *diag)
{
	const plot_data *d = ctx;
	const vr_plot_request *rq = d->request;
	const char *gnuplot = rq->gnuplot ? rq->gnuplot : "gnuplot";
	for (size_t f = 0; f < d->figure_count; f++) {
		char name[256], script[300];
		if (!figure_shown(d, f))
			continue;
		vr_plot_figure_name(d, f, name, sizeof name);
		if (write_curves(d, f, work, diag) != 0)
			return -1;
		snprintf(script, sizeof script, "%s.gp", name);
		if (vr_gp_run(gnuplot, work, script, diag) != 0)
			return -1;
		size_t native;
		if (native_of(d, f, &native) && write_overhead(d, f, native, work, diag) != 0)
			return -1;
		if (mdl_verb_is_bandwidth(d->figures[f].verb))
			continue;
		if (vr_plot_tails(d, f, work, diag) != 0)
			return -1;
		double size = breakdown_size(d, f, rq->breakdown_bytes);
		if (!isfinite(size))
			continue;   /* schema 1: no kinds to stack */
		if (vr_plot_breakdown(d, f, size, work, diag) != 0)
			return -1;
	}
	return 0;
}

int vr_plot(const vr_plot_request *rq, int *bad_input, vr_diag *diag)
{
	*bad_input = 1;
	if (sweep_is_results(rq->results_path))
		return vr_plot_sweep(rq, bad_input, diag);
	if (rq->knees || rq->group || rq->x)
		return vr_diag_at(diag, (vr_where){rq->results_path, 1, 1}, "found a results file that is not a sweep's, expected one "
				  "(vrdmasim sweep --out R.jsonl: a line per point, each with \"point\") with %s",
				  rq->knees ? "--knees" : rq->group ? "--group" : "--x");
	json_doc doc;
	if (json_load_file(rq->results_path, &doc, diag) != 0)
		return -1;
	const json_node *kind = json_get(doc.root, "kind");
	if (kind && kind->type == JSON_STRING && strcmp(kind->text, "calibration") == 0) {
		if (rq->breakdown_bytes > 0 || rq->options) {
			json_free(&doc);
			return vr_diag_at(diag, (vr_where){rq->options ? "--options" : "--size", 0, 0},
					  "found %s with a calibration file, expected it only with run results",
					  rq->options ? "--options" : "--size");
		}
		int rc = vr_plot_calibration(&doc, rq->out_dir, rq->gnuplot, bad_input, diag);
		json_free(&doc);
		return rc;
	}
	if (json_get(doc.root, "flow_results")) {
		int rc = rq->breakdown_bytes > 0
				 ? vr_diag_at(diag, (vr_where){"--size", 0, 0}, "found --size with flow results, expected it only with single-flow results")
				 : vr_plot_flows(&doc, rq->out_dir, rq->gnuplot, rq->options, bad_input, diag);
		json_free(&doc);
		return rc;
	}
	plot_data *d = calloc(1, sizeof *d);
	if (!d) {
		json_free(&doc);
		return vr_diag_at(diag, (vr_where){rq->results_path, 0, 0}, "out of memory");
	}
	d->file = rq->results_path;
	int rc = read_results(d, &doc, diag);
	json_free(&doc);
	if (rc == 0 && rq->breakdown_bytes > 0)
		rc = check_size(d, rq->breakdown_bytes, diag);
	if (rc == 0)
		rc = vr_plot_filter(d->file, rq->options, (const char (*)[MDL_NAME_MAX])d->options, d->option_count, d->shown, diag);
	if (rc == 0) {
		*bad_input = 0;
		qsort(d->points, d->point_count, sizeof *d->points, by_size);
		d->request = rq;
		rc = vr_gp_render(rq->out_dir, draw_all, d, diag);
	}
	free(d->points);
	free(d);
	return rc;
}
