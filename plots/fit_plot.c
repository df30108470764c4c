/*
 * fit_plot.c - `vrdmasim plot FIT.json`: a calibration's measured points
 * with their spreads as error bars, the fitted model's curve, and the
 * residuals below, one picture per perftest test in the fit.
 */
#include "config.h"

#include "plots/fit_plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/option.h"
#include "plots/gnuplot.h"
#include "input/yaml_read.h"

typedef struct fit_view {
	const json_doc *doc;
	const json_node *points, *curves;
	char preset[64];
	double r_squared;
	const char *gnuplot;
} fit_view;

static int number_of(const json_doc *doc, const json_node *object, const char *key, double *out, vr_diag *diag)
{
	const json_node *v = json_get(object, key);
	if (!v || v->type != JSON_NUMBER || !isfinite(json_number(v)))
		return vr_diag_at(diag, json_where(doc, v ? v : object), "found %s for \"%s\", expected a number (a file written by vrdmasim calibrate --json)",
				  v ? json_type_name(v->type) : "nothing", key);
	*out = json_number(v);
	return 0;
}

static int verb_of(const json_doc *doc, const json_node *object, mdl_verb *out, vr_diag *diag)
{
	const json_node *v = json_get(object, "verb");
	if (v && v->type == JSON_STRING)
		for (int k = 0; k < VERB_COUNT; k++)
			if (strcmp(v->text, mdl_verb_names[k]) == 0) {
				*out = (mdl_verb)k;
				return 0;
			}
	return vr_diag_at(diag, json_where(doc, v ? v : object), "found %s for \"verb\", expected a perftest test name (write_lat ... send_bw)",
			  v ? "an unknown value" : "nothing");
}

/* Check the whole file before drawing anything. */
static int read_fit(fit_view *f, vr_diag *diag)
{
	const json_node *root = f->doc->root, *v;
	if (!(v = json_get(root, "preset")) || v->type != JSON_STRING || !vr_is_identifier(v->text) || strlen(v->text) >= sizeof f->preset)
		return vr_diag_at(diag, json_where(f->doc, v ? v : root), "found %s for \"preset\", expected a preset name", v ? "a bad value" : "nothing");
	snprintf(f->preset, sizeof f->preset, "%s", v->text);
	if (number_of(f->doc, root, "r_squared", &f->r_squared, diag))
		return -1;
	f->points = json_get(root, "points");
	f->curves = json_get(root, "curves");
	if (!f->points || f->points->type != JSON_ARRAY || !json_first(f->points))
		return vr_diag_at(diag, json_where(f->doc, f->points ? f->points : root), "found no \"points\", expected the fitted measurements");
	if (!f->curves || f->curves->type != JSON_ARRAY)
		return vr_diag_at(diag, json_where(f->doc, f->curves ? f->curves : root), "found no \"curves\", expected the fitted model's curves");
	for (const json_node *p = json_first(f->points); p; p = json_next(f->points, p)) {
		double x;
		mdl_verb verb;
		if (p->type != JSON_OBJECT)
			return vr_diag_at(diag, json_where(f->doc, p), "found %s in \"points\", expected an object", json_type_name(p->type));
		if (verb_of(f->doc, p, &verb, diag) || number_of(f->doc, p, "size_bytes", &x, diag) || number_of(f->doc, p, "measured", &x, diag) ||
		    number_of(f->doc, p, "spread", &x, diag) || number_of(f->doc, p, "fitted", &x, diag))
			return -1;
	}
	for (const json_node *c = json_first(f->curves), *pts; c; c = json_next(f->curves, c)) {
		mdl_verb verb;
		if (c->type != JSON_OBJECT || verb_of(f->doc, c, &verb, diag))
			return c->type != JSON_OBJECT ? vr_diag_at(diag, json_where(f->doc, c), "found %s in \"curves\", expected an object", json_type_name(c->type)) : -1;
		if (!(pts = json_get(c, "points")) || pts->type != JSON_ARRAY)
			return vr_diag_at(diag, json_where(f->doc, c), "found a curve without \"points\", expected [size, value] pairs");
		for (const json_node *pair = json_first(pts); pair; pair = json_next(pts, pair)) {
			if (pair->type != JSON_ARRAY || json_count(pair) != 2 || json_item(pair, 0)->type != JSON_NUMBER ||
			    json_item(pair, 1)->type != JSON_NUMBER)
				return vr_diag_at(diag, json_where(f->doc, pair), "found %s in a curve, expected a [size, value] pair of numbers",
						  json_type_name(pair->type));
		}
	}
	return 0;
}

static int draw_verb(const fit_view *f, mdl_verb verb, const char *work, vr_diag *diag)
{
	char name[64], path[8192];
	int bw = mdl_verb_is_bandwidth(verb);
	snprintf(name, sizeof name, "fit-%s", mdl_verb_names[verb]);
	snprintf(path, sizeof path, "%s/data/%s.dat", work, name);
	FILE *dat = fopen(path, "w");
	if (!dat)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	fprintf(dat, "# size_bytes measured spread fitted residual_in_spreads (%s)\n", bw ? "MiB/s" : "us");
	double lo = INFINITY, hi = 0;
	for (const json_node *p = json_first(f->points); p; p = json_next(f->points, p)) {
		mdl_verb v;
		double size, measured, spread, fitted;
		verb_of(f->doc, p, &v, diag);
		if (v != verb)
			continue;
		number_of(f->doc, p, "size_bytes", &size, diag);
		number_of(f->doc, p, "measured", &measured, diag);
		number_of(f->doc, p, "spread", &spread, diag);
		number_of(f->doc, p, "fitted", &fitted, diag);
		fprintf(dat, "%.0f %.9g %.9g %.9g %.9g\n", size, measured, spread, fitted, spread > 0 ? (fitted - measured) / spread : 0);
		lo = fmin(lo, size);
		hi = fmax(hi, size);
	}
	fprintf(dat, "\n\n# size_bytes fitted model\n");
	for (const json_node *c = json_first(f->curves); c; c = json_next(f->curves, c)) {
		const json_node *pts = json_get(c, "points");
		mdl_verb v;
		verb_of(f->doc, c, &v, diag);
		for (const json_node *pair = json_first(pts); v == verb && pair; pair = json_next(pts, pair))
			fprintf(dat, "%.0f %.9g\n", json_number(json_item(pair, 0)), json_number(json_item(pair, 1)));
	}
	if (fclose(dat) != 0)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/%s.gp", work, name);
	FILE *gp = fopen(path, "w");
	if (!gp)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	vr_gp_loaded_script_head(gp, "fit-*");
	fprintf(gp, "set multiplot layout 2,1 title '%s: SoftRoCE model fitted on %s (R^2 %.4f)'\n", mdl_verb_names[verb], f->preset,
		f->r_squared);
	/* Both panels share the x range and the left margin, so residuals sit
	 * under their points. */
	fprintf(gp, "set logscale x 2\nset xrange [%.9g:%.9g]\nset lmargin 12\n", lo / 1.5, hi * 1.5);
	fprintf(gp, "set xlabel 'message size [bytes]'\nset format x '%%.0f'\nset key top left box\n");
	fprintf(gp, "set size 1,0.62\nset origin 0,0.36\nset logscale y 10\nset format y '%%g'\n");
	fprintf(gp, "set ylabel '%s'\n", bw ? "BW average [MB/s, 2^20 B]" : "t_typical [µs]");
	fprintf(gp, "plot 'data/%s.dat' index 0 using 1:2:3 with yerrorbars lt 1 pt 7 title 'measured (bars: spread)', \\\n"
		    "     '' index 1 using 1:2 with lines lt 6 lw 2 title 'fitted model'\n", name);
	fprintf(gp, "set size 1,0.34\nset origin 0,0\nunset logscale y\nset ylabel '(fitted - measured) / spread'\nunset key\n");
	fprintf(gp, "plot 'data/%s.dat' index 0 using 1:5 with impulses lt 6 lw 3, '' index 0 using 1:5 with points lt 6 pt 7, 0 with lines lt 9\n",
		name);
	fprintf(gp, "unset multiplot\n");
	fprintf(gp, "set output\n");
	if (fclose(gp) != 0)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	/* Multiplot cannot be replotted: run the script once per terminal. */
	return vr_gp_run_per_terminal(f->gnuplot, work, name, 1300, 800, diag);
}

static int draw_all(const void *ctx, const char *work, vr_diag *diag)
{
	const fit_view *f = ctx;
	unsigned done = 0;
	for (const json_node *p = json_first(f->points); p; p = json_next(f->points, p)) {
		mdl_verb verb;
		verb_of(f->doc, p, &verb, diag);
		if (done & (1u << verb))
			continue;
		done |= 1u << verb;
		if (draw_verb(f, verb, work, diag) != 0)
			return -1;
	}
	return 0;
}

int vr_plot_calibration(const json_doc *doc, const char *out_dir, const char *gnuplot, int *bad_input, vr_diag *diag)
{
	fit_view f = {.doc = doc, .gnuplot = gnuplot ? gnuplot : "gnuplot"};
	*bad_input = 1;
	if (read_fit(&f, diag) != 0)
		return -1;
	*bad_input = 0;
	return vr_gp_render(out_dir, draw_all, &f, diag);
}
