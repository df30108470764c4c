/*
 * breakdown_plot.c - breakdown-VERB-COMPLETION-PRESET-SIZE (single_plot.h):
 * one stacked bar per option, where the time of a typical operation goes
 * (breakdown_by_kind_us) at one size, each bar's total written above it.
 *
 * One option can be ten times the others (SoftRoCE beside SR-IOV): the
 * bars of the fast options then shrink to slivers whose parts cannot be
 * told apart.  A log axis would lie about stacked parts, so a second panel
 * shows the options within VR_PLOT_ZOOM_RATIO times the fastest on their
 * own linear scale (its data in data/NAME-zoom.dat).
 */
#include "config.h"

#include "plots/single_plot.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "plots/gnuplot.h"

typedef struct bar {
	size_t option;
	const vr_plot_point *point;
	double total_us;
} bar;

/* The bars of figure F at SIZE, one per option drawn; their count. */
static size_t bars_of(const vr_plot_data *d, size_t f, double size, bar *bars)
{
	size_t n = 0;
	for (size_t o = 0; o < d->option_count; o++)
		for (size_t i = 0; d->shown[o] && i < d->point_count; i++) {
			const vr_plot_point *p = &d->points[i];
			if (p->figure != f || p->option != o || p->size_bytes != size || !p->has_kinds)
				continue;
			bars[n] = (bar){o, p, 0};
			for (size_t k = 0; k < VR_PLOT_KINDS; k++)
				bars[n].total_us += p->kind_us[k];
			n++;
			break;
		}
	return n;
}

/* BARS (those with KEEP set, or all when KEEP is NULL) into DIR/data/NAME.dat. */
static int write_bars(const vr_plot_data *d, const bar *bars, size_t n, const int *keep, const char *dir, const char *name,
		      vr_diag *diag)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/data/%s.dat", dir, name);
	FILE *dat = fopen(path, "w");
	if (!dat)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	fprintf(dat, "# option");
	for (size_t k = 0; k < VR_PLOT_KINDS; k++)
		fprintf(dat, " %s_us", vr_plot_kind_keys[k]);
	fprintf(dat, "\n");
	for (size_t b = 0; b < n; b++) {
		if (keep && !keep[b])
			continue;
		fprintf(dat, "%s", d->options[bars[b].option]);
		for (size_t k = 0; k < VR_PLOT_KINDS; k++)
			fprintf(dat, " %.9g", bars[b].point->kind_us[k]);
		fprintf(dat, "\n");
	}
	return vr_plot_close(dat, path, diag);
}

/* One panel of stacked bars from data/DATA.dat, totals above them. */
static void panel(FILE *gp, const char *data, double top_us, int key)
{
	fprintf(gp, "set yrange [0:%.9g]\n", top_us * 1.12);
	if (key)
		fprintf(gp, "set key outside right top vertical box opaque invert\n");
	else
		fprintf(gp, "unset key\n");
	fprintf(gp, "plot 'data/%s.dat' using 2:xtic(1) lt 1 title '%s'", data, vr_plot_kind_titles[0]);
	for (size_t k = 1; k < VR_PLOT_KINDS; k++)
		fprintf(gp, ", \\\n  '' using %zu lt %zu title '%s'", k + 2, k + 1, vr_plot_kind_titles[k]);
	fprintf(gp, ", \\\n  '' using 0:(");
	for (size_t k = 0; k < VR_PLOT_KINDS; k++)
		fprintf(gp, "%s$%zu", k ? "+" : "", k + 2);
	fprintf(gp, "):(sprintf('%%.3g', ");
	for (size_t k = 0; k < VR_PLOT_KINDS; k++)
		fprintf(gp, "%s$%zu", k ? "+" : "", k + 2);
	fprintf(gp, ")) with labels font ',10' offset 0,0.7 notitle\n");
}

int vr_plot_breakdown(const vr_plot_data *d, size_t f, double size, const char *dir, vr_diag *diag)
{
	const vr_plot_figure *g = &d->figures[f];
	char curves[256], label[32], name[300], zoom_name[320], path[8192];
	vr_plot_figure_name(d, f, curves, sizeof curves);
	vr_gp_size_text(size, label, sizeof label);
	snprintf(name, sizeof name, "breakdown-%s-%s-%s-%s", mdl_verb_names[g->verb], mdl_completion_names[g->completion],
		 d->presets[g->preset], label);
	bar bars[VR_PLOT_NAMES_MAX] = {{0, NULL, 0}};
	size_t n = bars_of(d, f, size, bars);
	if (write_bars(d, bars, n, NULL, dir, name, diag) != 0)
		return -1;
	if (!n)
		return vr_diag_at(diag, (vr_where){d->file, 0, 0}, "found no %s results at %s with a breakdown_by_kind_us, expected a size that was run (--size)",
				  curves, label);
	/* The fast options: within VR_PLOT_ZOOM_RATIO times the fastest. */
	double fastest = INFINITY, slowest = 0, zoom_top = 0;
	for (size_t b = 0; b < n; b++)
		if (bars[b].total_us > 0) {
			fastest = fmin(fastest, bars[b].total_us);
			slowest = fmax(slowest, bars[b].total_us);
		}
	int keep[VR_PLOT_NAMES_MAX];
	size_t kept = 0;
	for (size_t b = 0; b < n; b++) {
		keep[b] = bars[b].total_us <= VR_PLOT_ZOOM_RATIO * fastest;
		kept += (size_t)keep[b];
		if (keep[b])
			zoom_top = fmax(zoom_top, bars[b].total_us);
	}
	int zoom = kept > 0 && kept < n;
	snprintf(zoom_name, sizeof zoom_name, "%s-zoom", name);
	if (zoom && write_bars(d, bars, n, keep, dir, zoom_name, diag) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.gp", dir, name);
	FILE *gp = fopen(path, "w");
	if (!gp)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	vr_gp_loaded_script_head(gp, name);
	fprintf(gp, "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.9 border lc rgb '#333333'\n");
	fprintf(gp, "set boxwidth 0.7\nset xtics rotate by 30 right\nset grid noxtics\n");
	fprintf(gp, "set ylabel 't_typical, %s [µs]'\n", vr_plot_latency_part(d, f));
	char title[400];
	snprintf(title, sizeof title, "%s %s, %s, %s: a typical operation by kind (totals above the bars)", mdl_verb_names[g->verb],
		 label, mdl_completion_names[g->completion], d->presets[g->preset]);
	if (!zoom) {
		fprintf(gp, "set title '%s'\nset bmargin 8\n", title);
		panel(gp, name, slowest, 1);
	} else {
		fprintf(gp, "set multiplot title '%s'\n", title);
		fprintf(gp, "set tmargin at screen 0.88\nset bmargin at screen 0.2\n");
		fprintf(gp, "set lmargin at screen 0.06\nset rmargin at screen 0.39\nset title 'every option'\n");
		panel(gp, name, slowest, 0);
		fprintf(gp, "set lmargin at screen 0.45\nset rmargin at screen 0.67\n");
		fprintf(gp, "set title 'close-up: the options within %d× of the fastest'\n", (int)VR_PLOT_ZOOM_RATIO);
		panel(gp, zoom_name, zoom_top, 1);
		fprintf(gp, "unset multiplot\n");
	}
	fprintf(gp, "set output\n");
	if (vr_plot_close(gp, path, diag) != 0)
		return -1;
	return vr_gp_run_per_terminal(d->request->gnuplot ? d->request->gnuplot : "gnuplot", dir, name, zoom ? 1500 : 1300, 700,
				      diag);
}
