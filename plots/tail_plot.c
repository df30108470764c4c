/*
 * tail_plot.c - tail-VERB-COMPLETION-PRESET (single_plot.h): the tail
 * beside the typical, a panel per option drawn (so that nine options stay
 * readable), each with the median, p99 and p99.9 against message size and
 * the band from the median to the highest percentile shaded.  Each panel
 * has its own latency scale: the question is how far an option's tail
 * lies from its own median; the latency figure compares the options.
 * p99.9 is drawn where the results have it (one_way_us.p999).
 */
#include "config.h"

#include "plots/single_plot.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "plots/gnuplot.h"

/* The colours of the three percentiles, the same in every panel. */
static const char *const MEDIAN_COLOUR = "#000000", *const P99_COLOUR = "#D55E00", *const P999_COLOUR = "#0072B2";

/* One block per option drawn: size_bytes median_us p99_us p999_us ('-'
 * where the file has no p999).  OPTIONS gets the options of the blocks;
 * *ANY_P999 whether some point has a p999. */
static int write_data(const vr_plot_data *d, size_t f, const char *path, size_t *options, size_t *blocks, int *any_p999,
		      vr_diag *diag)
{
	FILE *dat = fopen(path, "w");
	if (!dat)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	*blocks = 0;
	*any_p999 = 0;
	for (size_t o = 0; o < d->option_count; o++) {
		int any = 0;
		for (size_t i = 0; d->shown[o] && i < d->point_count; i++) {
			const vr_plot_point *p = &d->points[i];
			if (p->figure != f || p->option != o || !(p->value > 0))
				continue;
			if (!any++)
				fprintf(dat, "# %s: size_bytes median_us p99_us p999_us\n", d->options[o]);
			fprintf(dat, "%.0f %.9g %.9g ", p->size_bytes, p->value, p->p99_us);
			fprintf(dat, isnan(p->p999_us) ? "-\n" : "%.9g\n", p->p999_us);
			*any_p999 |= !isnan(p->p999_us);
		}
		if (any) {
			fprintf(dat, "\n\n");
			options[(*blocks)++] = o;
		}
	}
	return vr_plot_close(dat, path, diag);
}

/* Columns of a grid for N panels: up to three side by side. */
static size_t columns_for(size_t n)
{
	return n <= 3 ? n : n == 4 ? 2 : 3;
}

int vr_plot_tails(const vr_plot_data *d, size_t f, const char *dir, vr_diag *diag)
{
	const vr_plot_figure *g = &d->figures[f];
	char name[300], path[8192];
	snprintf(name, sizeof name, "tail-%s-%s-%s", mdl_verb_names[g->verb], mdl_completion_names[g->completion],
		 d->presets[g->preset]);
	snprintf(path, sizeof path, "%s/data/%s.dat", dir, name);
	size_t options[VR_PLOT_NAMES_MAX], n = 0;
	int p999 = 0;
	if (write_data(d, f, path, options, &n, &p999, diag) != 0)
		return -1;
	if (!n)
		return vr_diag_at(diag, (vr_where){d->file, 0, 0}, "found no positive latency to plot for %s", name);
	size_t cols = columns_for(n), rows = (n + cols - 1) / cols;
	snprintf(path, sizeof path, "%s/%s.gp", dir, name);
	FILE *gp = fopen(path, "w");
	if (!gp)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	vr_gp_loaded_script_head(gp, name);
	fprintf(gp, "set datafile missing '-'\nset style fill transparent solid 0.15 noborder\n");
	fprintf(gp, "set multiplot layout %zu,%zu title '%s, completion by %s: %s - median, p99%s per option (each panel its own scale)'\n",
		rows, cols, mdl_verb_names[g->verb], mdl_completion_names[g->completion], d->presets[g->preset],
		p999 ? " and p99.9" : "");
	fprintf(gp, "set logscale x 2\nset logscale y 10\nset format y '%%g'\n");
	vr_plot_size_tics(d, f, 64, gp);
	fprintf(gp, "set key top left opaque\n");
	for (size_t b = 0; b < n; b++) {
		fprintf(gp, "set title '%s'\n", d->options[options[b]]);
		/* Axis labels on the outer panels only: the grid shares them. */
		fprintf(gp, b + cols >= n ? "set xlabel 'message size'\n" : "set xlabel ''\n");
		if (b % cols == 0)
			fprintf(gp, "set ylabel 'latency, %s [µs]'\n", vr_plot_latency_part(d, f));
		else
			fprintf(gp, "set ylabel ''\n");
		fprintf(gp, "plot 'data/%s.dat' index %zu using 1:2:%d with filledcurves lc rgb '%s' notitle, \\\n", name, b, p999 ? 4 : 3,
			P999_COLOUR);
		fprintf(gp, "  '' index %zu using 1:2 with lines lc rgb '%s' lw 2 title 'median', \\\n", b, MEDIAN_COLOUR);
		fprintf(gp, "  '' index %zu using 1:3 with lines lc rgb '%s' lw 2 dt 2 title 'p99'", b, P99_COLOUR);
		if (p999)
			fprintf(gp, ", \\\n  '' index %zu using 1:4 with lines lc rgb '%s' lw 1.5 dt 3 title 'p99.9'", b, P999_COLOUR);
		fprintf(gp, "\n");
	}
	fprintf(gp, "unset multiplot\nset output\n");
	if (vr_plot_close(gp, path, diag) != 0)
		return -1;
	return vr_gp_run_per_terminal(d->request->gnuplot ? d->request->gnuplot : "gnuplot", dir, name, 1500,
				      (int)(rows * 300 + 60), diag);
}
