/*
 * flow_plot.c - a flows results file -> gnuplot scripts and data -> PNG
 * and SVG (the pictures flow_plot.h lists).  The whole file is read and
 * checked first; only then is anything drawn.
 */
#include "config.h"

#include "plots/flow_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/report.h"
#include "plots/gnuplot.h"
#include "plots/plot_read.h"

enum { PRESETS_MAX = 64, OPTIONS_MAX = 64, GROUPS_MAX = 256 };   /* GROUPS_MAX: SCN_FLOW_GROUPS_MAX */

typedef struct row {            /* one flow group's figures in one result */
	size_t group;               /* index in flow_view.groups */
	double ops_per_s, p50_us, p99_us, misses_per_op;
	double p999_us;             /* NAN when the file does not say */
	double qps_per_host;        /* NAN when the file does not say */
} row;

typedef struct block {          /* one result: a preset and an option */
	size_t preset, option;
	size_t first, count;        /* its rows in flow_view.rows */
} block;

typedef struct flow_view {
	const char *file, *gnuplot;
	char presets[PRESETS_MAX][MDL_NAME_MAX], options[OPTIONS_MAX][MDL_NAME_MAX], groups[GROUPS_MAX][MDL_NAME_MAX];
	size_t preset_count, option_count, group_count;
	block *blocks;
	size_t block_count;
	row *rows;
	size_t row_count;
} flow_view;

/* ---- reading --------------------------------------------------------- */

static int read_qps(const json_doc *doc, const json_node *g, row *r, vr_diag *diag)
{
	const json_node *q = json_get(g, "qps_per_host");
	r->qps_per_host = NAN;
	if (!q)
		return 0;   /* written before the field was: no QP sweep to draw */
	if (vr_plot_number(doc, g, "qps_per_host", &r->qps_per_host, diag) != 0)
		return -1;
	if (r->qps_per_host < 1 || r->qps_per_host != floor(r->qps_per_host))
		return vr_diag_at(diag, json_where(doc, q), "found %g for \"qps_per_host\", expected a whole number, 1 or more",
				  r->qps_per_host);
	return 0;
}

static int read_row(flow_view *v, const json_doc *doc, const json_node *g, const block *b, vr_diag *diag)
{
	if (g->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, g), "found %s in \"groups\", expected an object per flow group",
				  json_type_name(g->type));
	row *r = &v->rows[v->row_count];
	const json_node *name = vr_plot_member(doc, g, "group", JSON_STRING, diag);
	if (!name || vr_plot_intern(doc, name, "group", v->groups, &v->group_count, GROUPS_MAX, &r->group, diag) ||
	    vr_plot_number(doc, g, "ops_per_s", &r->ops_per_s, diag) || vr_plot_number(doc, g, "p50_us", &r->p50_us, diag) ||
	    vr_plot_number(doc, g, "p99_us", &r->p99_us, diag) ||
	    vr_plot_number(doc, g, "cache_misses_per_op", &r->misses_per_op, diag) || read_qps(doc, g, r, diag))
		return -1;
	r->p999_us = NAN;   /* drawn where the file has it */
	if (json_get(g, "p999_us") && vr_plot_number(doc, g, "p999_us", &r->p999_us, diag) != 0)
		return -1;
	for (size_t i = b->first; i < v->row_count; i++)
		if (v->rows[i].group == r->group)
			return vr_diag_at(diag, json_where(doc, name), "found the group '%s' twice in one result, expected each once",
					  name->text);
	v->row_count++;
	return 0;
}

static int read_block(flow_view *v, const json_doc *doc, const json_node *o, vr_diag *diag)
{
	if (o->type != JSON_OBJECT)
		return vr_diag_at(diag, json_where(doc, o), "found %s in \"flow_results\", expected an object per preset and option",
				  json_type_name(o->type));
	block *b = &v->blocks[v->block_count];
	const json_node *preset, *option, *groups;
	if (!(preset = vr_plot_member(doc, o, "preset", JSON_STRING, diag)) ||
	    vr_plot_intern(doc, preset, "preset", v->presets, &v->preset_count, PRESETS_MAX, &b->preset, diag) ||
	    !(option = vr_plot_member(doc, o, "option", JSON_STRING, diag)) ||
	    vr_plot_intern(doc, option, "option", v->options, &v->option_count, OPTIONS_MAX, &b->option, diag) ||
	    !(groups = vr_plot_member(doc, o, "groups", JSON_ARRAY, diag)))
		return -1;
	for (size_t i = 0; i < v->block_count; i++)
		if (v->blocks[i].preset == b->preset && v->blocks[i].option == b->option)
			return vr_diag_at(diag, json_where(doc, o), "found the preset '%s' with the option '%s' again, expected one result each",
					  preset->text, option->text);
	if (!json_first(groups))
		return vr_diag_at(diag, json_where(doc, groups), "found no groups, expected the figures of each flow group");
	b->first = v->row_count;
	for (const json_node *g = json_first(groups); g; g = json_next(groups, g))
		if (read_row(v, doc, g, b, diag) != 0)
			return -1;
	b->count = v->row_count - b->first;
	v->block_count++;
	return 0;
}

static int read_flows(flow_view *v, const json_doc *doc, vr_diag *diag)
{
	const json_node *root = doc->root, *t = json_get(root, "tool"), *s = json_get(root, "schema_version");
	if (!t || t->type != JSON_STRING || strcmp(t->text, "vrdmasim") != 0)
		return vr_diag_at(diag, json_where(doc, t ? t : root), "found %s, expected \"tool\": \"vrdmasim\" (a file written by vrdmasim run --format json)",
				  t ? "another \"tool\"" : "no \"tool\"");
	if (!s || s->type != JSON_NUMBER || json_number(s) != VR_JSON_SCHEMA_VERSION)
		return vr_diag_at(diag, json_where(doc, s ? s : root), "found %s schema_version, expected %d for flow results",
				  s ? "an unknown" : "no", VR_JSON_SCHEMA_VERSION);
	const json_node *results = json_get(root, "flow_results");
	if (results->type != JSON_ARRAY || !json_first(results))
		return vr_diag_at(diag, json_where(doc, results), "found %s \"flow_results\", expected an array of results, one or more",
				  results->type == JSON_ARRAY ? "an empty" : json_type_name(results->type));
	size_t rows = 0;
	for (const json_node *o = json_first(results); o; o = json_next(results, o))
		rows += json_count(json_get(o, "groups"));
	v->blocks = calloc(json_count(results), sizeof *v->blocks);
	v->rows = calloc(rows ? rows : 1, sizeof *v->rows);
	if (!v->blocks || !v->rows)
		return vr_diag_at(diag, json_where(doc, results), "out of memory");
	for (const json_node *o = json_first(results); o; o = json_next(results, o))
		if (read_block(v, doc, o, diag) != 0)
			return -1;
	return 0;
}

/* ---- drawing --------------------------------------------------------- */

static FILE *create(const char *work, const char *folder, const char *name, const char *ext, vr_diag *diag)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s%s%s.%s", work, folder, *folder ? "/" : "", name, ext);
	FILE *f = fopen(path, "w");
	if (!f)
		vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	return f;
}

static int finish(FILE *f, const char *name, vr_diag *diag)
{
	return fclose(f) == 0 ? 0 : vr_diag_at(diag, (vr_where){name, 0, 0}, "cannot write: %s", strerror(errno));
}

static const row *row_of(const flow_view *v, const block *b, size_t group)
{
	for (size_t i = b->first; i < b->first + b->count; i++)
		if (v->rows[i].group == group)
			return &v->rows[i];
	return NULL;
}

/* PRESET's groups in the order they first appear, into COLS; their count. */
static size_t preset_groups(const flow_view *v, size_t preset, size_t *cols)
{
	size_t n = 0;
	for (size_t k = 0; k < v->block_count; k++)
		for (size_t i = v->blocks[k].first; v->blocks[k].preset == preset && i < v->blocks[k].first + v->blocks[k].count; i++) {
			size_t c = 0;
			while (c < n && cols[c] != v->rows[i].group)
				c++;
			if (c == n)
				cols[n++] = v->rows[i].group;
		}
	return n;
}

/* A latency cell: the value, or '-' (missing) where there is none to draw. */
static void latency_cell(FILE *dat, double us, double *lo, double *hi)
{
	if (!(us > 0)) {
		fprintf(dat, " -");
		return;
	}
	fprintf(dat, " %.9g", us);
	*lo = fmin(*lo, us);
	*hi = fmax(*hi, us);
}

/* Does some result of PRESET have a p99.9? */
static int has_p999(const flow_view *v, size_t preset)
{
	for (size_t k = 0; k < v->block_count; k++)
		for (size_t i = v->blocks[k].first; v->blocks[k].preset == preset && i < v->blocks[k].first + v->blocks[k].count; i++)
			if (!isnan(v->rows[i].p999_us))
				return 1;
	return 0;
}

/* One row per option (a cluster of bars), two columns per group (p50,
 * p99), three with P999 (p99.9).  Returns the number of values written;
 * LO and HI their range. */
static size_t bars_data(const flow_view *v, size_t preset, const size_t *cols, size_t n, int p999, FILE *dat, double *lo,
			double *hi)
{
	size_t values = 0;
	fprintf(dat, "# option");
	for (size_t c = 0; c < n; c++) {
		fprintf(dat, " %s_p50_us %s_p99_us", v->groups[cols[c]], v->groups[cols[c]]);
		if (p999)
			fprintf(dat, " %s_p999_us", v->groups[cols[c]]);
	}
	fprintf(dat, "\n");
	for (size_t k = 0; k < v->block_count; k++) {
		const block *b = &v->blocks[k];
		if (b->preset != preset)
			continue;
		fprintf(dat, "%s", v->options[b->option]);
		for (size_t c = 0; c < n; c++) {
			const row *r = row_of(v, b, cols[c]);
			latency_cell(dat, r ? r->p50_us : 0, lo, hi);
			latency_cell(dat, r ? r->p99_us : 0, lo, hi);
			if (p999)
				latency_cell(dat, r && !isnan(r->p999_us) ? r->p999_us : 0, lo, hi);
			values += r && r->p50_us > 0;
		}
		fprintf(dat, "\n");
	}
	return values;
}

static void bars_script(const flow_view *v, size_t preset, const size_t *cols, size_t n, int p999, double lo, double hi,
			const char *name, FILE *gp)
{
	vr_gp_script_head(gp);
	fprintf(gp, "set title '%s: latency of each flow group, p50 (solid), p99 (light)%s'\n", v->presets[preset],
		p999 ? " and p99.9 (hatched)" : "");
	fprintf(gp, "set style data histograms\nset style histogram clustered gap 1\n");
	fprintf(gp, "set style fill solid 1.0 border lc rgb '#333333'\nset datafile missing '-'\nset grid noxtics\n");
	if (hi > 10 * lo)   /* a probe's microseconds beside a stream's milliseconds */
		fprintf(gp, "set logscale y 10\nset format y '%%g'\nset yrange [%.9g:%.9g]\n", lo / 2, hi * 2);
	else
		fprintf(gp, "set yrange [0:*]\n");
	fprintf(gp, "set ylabel 'latency [µs] (write_lat, send_lat: half a round trip)'\n");
	fprintf(gp, "set key outside right top vertical box\nplot ");
	size_t per_group = p999 ? 3 : 2;
	for (size_t c = 0; c < n; c++) {
		size_t lt = c % (size_t)VR_GP_COLOURS + 1, column = per_group * c + 2;
		fprintf(gp, "%s'data/%s.dat' using %zu%s lt %zu fs solid 1.0 title '%s p50', \\\n", c ? ", \\\n     " : "", name,
			column, c ? "" : ":xtic(1)", lt, v->groups[cols[c]]);
		fprintf(gp, "     '' using %zu lt %zu fs solid 0.35 title '%s p99'", column + 1, lt, v->groups[cols[c]]);
		if (p999)
			fprintf(gp, ", \\\n     '' using %zu lt %zu fs pattern 4 title '%s p99.9'", column + 2, lt, v->groups[cols[c]]);
	}
	fprintf(gp, "\n");
	vr_gp_script_tail(gp, name);
}

/* flows-latency-PRESET; *DRAWN set when there was something to draw. */
static int draw_bars(const flow_view *v, size_t preset, const char *work, int *drawn, vr_diag *diag)
{
	size_t cols[GROUPS_MAX], n = preset_groups(v, preset, cols);
	if (n > FLOW_PLOT_BAR_GROUPS_MAX)
		return 0;
	char name[MDL_NAME_MAX + 32], script[MDL_NAME_MAX + 40];
	snprintf(name, sizeof name, "flows-latency-%s", v->presets[preset]);
	FILE *dat = create(work, "data", name, "dat", diag);
	if (!dat)
		return -1;
	double lo = INFINITY, hi = 0;
	int p999 = has_p999(v, preset);
	size_t values = bars_data(v, preset, cols, n, p999, dat, &lo, &hi);
	if (finish(dat, name, diag) != 0)
		return -1;
	if (!values)
		return 0;   /* no latency at all (nothing completed): no picture */
	FILE *gp = create(work, "", name, "gp", diag);
	if (!gp)
		return -1;
	bars_script(v, preset, cols, n, p999, lo, hi, name, gp);
	if (finish(gp, name, diag) != 0)
		return -1;
	*drawn = 1;
	snprintf(script, sizeof script, "%s.gp", name);
	return vr_gp_run(v->gnuplot, work, script, diag);
}

/* Is every result of PRESET a QP sweep: two groups or more, each with its
 * own number of QPs per host? */
static int is_sweep(const flow_view *v, size_t preset)
{
	int any = 0;
	for (size_t k = 0; k < v->block_count; k++) {
		const block *b = &v->blocks[k];
		if (b->preset != preset)
			continue;
		if (b->count < 2)
			return 0;
		for (size_t i = b->first; i < b->first + b->count; i++) {
			if (isnan(v->rows[i].qps_per_host))
				return 0;
			for (size_t j = b->first; j < i; j++)
				if (v->rows[j].qps_per_host == v->rows[i].qps_per_host)
					return 0;
		}
		any = 1;
	}
	return any;
}

static int by_qps(const void *a, const void *b)
{
	const row *p = a, *q = b;
	return (p->qps_per_host > q->qps_per_host) - (p->qps_per_host < q->qps_per_host);
}

typedef struct sweep_range {
	double qps_lo, qps_hi;      /* QPs per host */
	double rate_lo, rate_hi;    /* M ops/s, positive ones */
} sweep_range;

/* One data block per option: QPs per host, M ops/s, p99 us, misses/op. */
static size_t sweep_data(const flow_view *v, size_t preset, FILE *dat, size_t *options, sweep_range *range)
{
	size_t n = 0;
	for (size_t k = 0; k < v->block_count; k++) {
		const block *b = &v->blocks[k];
		if (b->preset != preset)
			continue;
		row sorted[GROUPS_MAX];
		memcpy(sorted, &v->rows[b->first], b->count * sizeof *sorted);
		qsort(sorted, b->count, sizeof *sorted, by_qps);
		fprintf(dat, "# %s: qps_per_host mops_per_s p99_us cache_misses_per_op p999_us\n", v->options[b->option]);
		for (size_t i = 0; i < b->count; i++) {
			const row *r = &sorted[i];
			fprintf(dat, "%.0f %.9g ", r->qps_per_host, r->ops_per_s / 1e6);
			fprintf(dat, r->p99_us > 0 ? "%.9g" : "-", r->p99_us);
			fprintf(dat, " %.9g ", r->misses_per_op);
			fprintf(dat, r->p999_us > 0 ? "%.9g\n" : "-\n", r->p999_us);
			range->qps_lo = fmin(range->qps_lo, r->qps_per_host);
			range->qps_hi = fmax(range->qps_hi, r->qps_per_host);
			if (r->ops_per_s > 0) {
				range->rate_lo = fmin(range->rate_lo, r->ops_per_s / 1e6);
				range->rate_hi = fmax(range->rate_hi, r->ops_per_s / 1e6);
			}
		}
		fprintf(dat, "\n\n");
		options[n++] = b->option;
	}
	return n;
}

/* A line per option of COLUMN; and of DASHED (a column, 0: none) dashed,
 * in the same colour. */
static void sweep_panel(const flow_view *v, const char *name, const size_t *options, size_t n, int column, int dashed, FILE *gp)
{
	fprintf(gp, "plot \\\n");
	for (size_t b = 0; b < n; b++) {
		size_t lt = options[b] % (size_t)VR_GP_COLOURS + 1;
		/* Earlier lines wider: options with equal figures stay visible. */
		fprintf(gp, "  'data/%s.dat' index %zu using 1:%d with linespoints lt %zu lw %.1f title '%s'", name, b, column, lt,
			1.5 + 0.7 * (double)(n - 1 - b), v->options[options[b]]);
		if (dashed)
			fprintf(gp, ", \\\n  'data/%s.dat' index %zu using 1:%d with lines lt %zu lw 1.5 dt 2 title '%s p99.9'", name, b,
				dashed, lt, v->options[options[b]]);
		fprintf(gp, "%s\n", b + 1 < n ? ", \\" : "");
	}
}

/* flows-qps-PRESET: three panels, one multiplot (drawn once per terminal). */
static int draw_sweep(const flow_view *v, size_t preset, const char *work, vr_diag *diag)
{
	char name[MDL_NAME_MAX + 32];
	size_t options[OPTIONS_MAX];
	sweep_range range = {INFINITY, 0, INFINITY, 0};
	snprintf(name, sizeof name, "flows-qps-%s", v->presets[preset]);
	FILE *dat = create(work, "data", name, "dat", diag);
	if (!dat)
		return -1;
	size_t n = sweep_data(v, preset, dat, options, &range);
	if (finish(dat, name, diag) != 0)
		return -1;
	FILE *gp = create(work, "", name, "gp", diag);
	if (!gp)
		return -1;
	vr_gp_loaded_script_head(gp, name);
	fprintf(gp, "set datafile missing '-'\n");
	fprintf(gp, "set multiplot layout 1,3 title '%s: each flow group against the QPs it holds per host'\n", v->presets[preset]);
	fprintf(gp, "set logscale x 4\nset format x '%%g'\nset xrange [%.9g:%.9g]\nset xlabel 'QPs per host'\n", range.qps_lo / 1.5,
		range.qps_hi * 1.5);
	fprintf(gp, "set key top left box opaque\nset ylabel 'message rate [M ops/s]'\n");
	if (range.rate_hi > 10 * range.rate_lo)   /* a backend thread's plateau beside an HCA's */
		fprintf(gp, "set logscale y 10\nset format y '%%g'\nset yrange [%.9g:%.9g]\n", range.rate_lo / 2, range.rate_hi * 2);
	else
		fprintf(gp, "set yrange [0:*]\n");
	sweep_panel(v, name, options, n, 2, 0, gp);
	int p999 = has_p999(v, preset);
	fprintf(gp, "unset key\nset logscale y 10\nset format y '%%g'\nset yrange [*:*]\nset ylabel '%s latency [µs]'\n",
		p999 ? "p99 (solid) and p99.9 (dashed)" : "p99");
	sweep_panel(v, name, options, n, 3, p999 ? 5 : 0, gp);
	fprintf(gp, "unset logscale y\nset yrange [0:*]\nset ylabel 'cache misses per operation (every cache)'\n");
	sweep_panel(v, name, options, n, 4, 0, gp);
	fprintf(gp, "unset multiplot\nset output\n");
	if (finish(gp, name, diag) != 0)
		return -1;
	return vr_gp_run_per_terminal(v->gnuplot, work, name, 1500, 560, diag);
}

static int draw_all(const void *ctx, const char *work, vr_diag *diag)
{
	const flow_view *v = ctx;
	int drawn = 0;
	for (size_t p = 0; p < v->preset_count; p++) {
		if (draw_bars(v, p, work, &drawn, diag) != 0)
			return -1;
		if (!is_sweep(v, p))
			continue;
		if (draw_sweep(v, p, work, diag) != 0)
			return -1;
		drawn = 1;
	}
	if (!drawn)
		return vr_diag_at(diag, (vr_where){v->file, 0, 0}, "found no latency to draw (no group completed an operation) and no QP sweep, expected one of them");
	return 0;
}

/* --options: keep only the results of the options OPTIONS names. */
static int keep_options(flow_view *v, const char *options, vr_diag *diag)
{
	int shown[OPTIONS_MAX];
	if (vr_plot_filter(v->file, options, (const char (*)[MDL_NAME_MAX])v->options, v->option_count, shown, diag) != 0)
		return -1;
	size_t kept = 0;
	for (size_t k = 0; k < v->block_count; k++)
		if (shown[v->blocks[k].option])
			v->blocks[kept++] = v->blocks[k];
	v->block_count = kept;
	return 0;
}

int vr_plot_flows(const json_doc *doc, const char *out_dir, const char *gnuplot, const char *options, int *bad_input,
		  vr_diag *diag)
{
	flow_view *v = calloc(1, sizeof *v);
	*bad_input = 1;
	if (!v)
		return vr_diag_at(diag, (vr_where){doc->file, 0, 0}, "out of memory");
	v->file = doc->file;
	v->gnuplot = gnuplot ? gnuplot : "gnuplot";
	int rc = read_flows(v, doc, diag);
	if (rc == 0)
		rc = keep_options(v, options, diag);
	if (rc == 0) {
		*bad_input = 0;
		rc = vr_gp_render(out_dir, draw_all, v, diag);
	}
	free(v->blocks);
	free(v->rows);
	free(v);
	return rc;
}
