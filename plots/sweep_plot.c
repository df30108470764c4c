/*
 * sweep_plot.c - a sweep's results -> gnuplot data and scripts -> PNG and
 * SVG, against the swept variable, with the knees (sweep_plot.h).
 */
#include "config.h"

#include "plots/sweep_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/gnuplot.h"
#include "plots/plot_read.h"
#include "plots/single_plot.h"
#include "plots/sweep_data.h"
#include "plots/sweep_knees.h"

enum {
	TICS_MAX = 12,          /* beyond, the values' own tics crowd: automatic tics */
	PANEL_COLUMNS_MAX = 3,  /* panels per row */
	LOG_SPAN = 10,          /* an axis spanning more than this factor is logarithmic */
	PICTURE_WIDTH = 1500,   /* pixels */
};

static const char *const metric_labels[SWEEP_METRICS] = {
	"throughput [ops/s]", "p99 latency [µs]", "median latency [µs]", "BW average [Gb/s]",
};

typedef struct view {
	sweep_data d;
	sweep_target target;
	int has_target;
	int shown[SWEEP_NAMES_MAX];   /* options drawn */
	int has_group;                /* --group: */
	size_t group;
	const char *gnuplot;
} view;

typedef struct block {
	size_t panel, series;
} block;

/* ---- what a picture holds --------------------------------------------- */

static int sample_drawn(const view *v, const sweep_sample *s, size_t preset, sweep_metric m)
{
	return s->preset == preset && v->shown[s->option] && isfinite(s->y[m]) && (!v->has_group || s->panel == v->group);
}

/* A series' colour (a linetype, 1..): its option's, or when one option
 * is drawn its style's, so that the lines differ by more than a dash. */
static size_t colour_of(const view *v, const sweep_series *g)
{
	size_t shown = 0;
	for (size_t o = 0; o < v->d.option_count; o++)
		shown += v->shown[o] != 0;
	return (shown > 1 ? g->option : g->style) % (size_t)VR_GP_COLOURS + 1;
}

static double x_of(const view *v, const sweep_sample *s)
{
	return v->d.points[s->point].value[v->d.x];
}

/* The (panel, series) blocks of PRESET's picture of M, panels in order:
 * a malloc'd list, *COUNT of them (0: nothing to draw). */
static block *blocks_of(const view *v, size_t preset, sweep_metric m, size_t *count)
{
	const sweep_data *d = &v->d;
	block *list = malloc((d->sample_count + 1) * sizeof *list);
	*count = 0;
	for (size_t p = 0; list && p < d->panel_count; p++)
		for (size_t g = 0; g < d->series_count; g++)
			for (size_t i = 0; i < d->sample_count; i++)
				if (d->samples[i].series == g && d->samples[i].panel == p && sample_drawn(v, &d->samples[i], preset, m)) {
					list[(*count)++] = (block){p, g};
					break;
				}
	return list;
}

/* The value of series G in panel P at X, NAN when it was not run there. */
static double y_at(const view *v, size_t p, size_t g, sweep_metric m, double x)
{
	for (size_t i = v->d.series[g].first_sample; i < v->d.sample_count && v->d.samples[i].series == g; i++)
		if (v->d.samples[i].panel == p && !v->d.samples[i].migration && x_of(v, &v->d.samples[i]) == x)
			return v->d.samples[i].y[m];
	return NAN;
}

/* ---- data ---------------------------------------------------------------- */

static FILE *create(const char *dir, const char *sub, const char *name, const char *ext, char *path, size_t len, vr_diag *diag)
{
	snprintf(path, len, "%s%s%s/%s.%s", dir, sub[0] ? "/" : "", sub, name, ext);
	FILE *f = fopen(path, "w");
	if (!f)
		vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
	return f;
}

/* data/NAME.dat: a block per (panel, series), rows in order of x. */
static int write_data(const view *v, const char *work, const char *name, sweep_metric m, const block *b, size_t n, vr_diag *diag)
{
	const sweep_data *d = &v->d;
	const sweep_var *x = &d->vars[d->x];
	char path[8192];
	FILE *dat = create(work, "data", name, "dat", path, sizeof path, diag);
	if (!dat)
		return -1;
	for (size_t k = 0; k < n; k++) {
		const sweep_series *g = &d->series[b[k].series];
		fprintf(dat, "# %s | %s: %s%s%s%s %s round point\n", d->panels[b[k].panel], g->label, x->name, x->unit[0] ? "[" : "", x->unit,
			x->unit[0] ? "]" : "", sweep_metric_names[m]);
		for (size_t i = g->first_sample; i < d->sample_count && d->samples[i].series == b[k].series; i++) {
			const sweep_sample *s = &d->samples[i];
			if (s->panel == b[k].panel && isfinite(s->y[m]))
				fprintf(dat, "%.9g %.9g %u %zu\n", x_of(v, s), s->y[m], d->points[s->point].round, d->points[s->point].index);
		}
		fprintf(dat, "\n\n");
	}
	return vr_plot_close(dat, path, diag);
}

static int knee_in(const view *v, size_t panel)
{
	return !v->target.has_panel || v->target.panel == panel;
}

/* Is the target's bound a line on panel P of M's picture? */
static int target_drawn(const view *v, sweep_metric m, size_t p)
{
	return v->has_target && v->target.has_line && v->target.metric == m && knee_in(v, p);
}

/* The knee of block K in M's picture, or NAN when it has none there. */
static double knee_y(const view *v, const block *b, size_t k, sweep_metric m)
{
	const sweep_series *g = &v->d.series[b[k].series];
	if (!g->has_knee || !knee_in(v, b[k].panel) || !isfinite(g->knee))
		return NAN;
	return y_at(v, b[k].panel, b[k].series, m, g->knee);
}

/* data/NAME-knees.dat: a block per panel that has knees (in the
 * pictures' order) of its series' knees: x, y, colour, meets_up_to,
 * fails_from ("-": null).  ROWS[j]: knees in panel j (0..), written as
 * block INDEX[j] when there are some. */
static int write_knees(const view *v, const char *work, const char *name, sweep_metric m, const block *b, size_t n, size_t *rows,
		       size_t *index, vr_diag *diag)
{
	const sweep_data *d = &v->d;
	char path[8192], file[300];
	snprintf(file, sizeof file, "%s-knees", name);
	FILE *dat = create(work, "data", file, "dat", path, sizeof path, diag);
	if (!dat)
		return -1;
	size_t panel_block = 0, blocks = 0;
	for (size_t k = 0; k < n; k++) {
		if (k == 0 || b[k].panel != b[k - 1].panel) {
			panel_block = k ? panel_block + 1 : 0;
			rows[panel_block] = 0;
			index[panel_block] = blocks;
		}
		double y = knee_y(v, b, k, m);
		if (!isfinite(y))
			continue;
		if (!rows[panel_block]++)
			fprintf(dat, "%s# %s: knee %s colour meets_up_to fails_from\n", blocks++ ? "\n\n" : "", d->panels[b[k].panel],
				sweep_metric_names[m]);
		const sweep_series *g = &d->series[b[k].series];
		fprintf(dat, "%.9g %.9g %zu ", g->knee, y, colour_of(v, g));
		fprintf(dat, isfinite(g->meets_up_to) ? "%.9g " : "- ", g->meets_up_to);
		fprintf(dat, isfinite(g->fails_from) ? "%.9g" : "-", g->fails_from);
		fprintf(dat, "  # %s\n", g->label);
	}
	return vr_plot_close(dat, path, diag);
}

/* ---- the script ---------------------------------------------------------- */

/* The x axis: the variable's values as tics when few, log when wide. */
static void x_axis(const view *v, FILE *gp)
{
	const sweep_data *d = &v->d;
	const sweep_var *x = &d->vars[d->x];
	int log_x = x->low > 0 && x->high > LOG_SPAN * x->low;
	if (log_x)
		fprintf(gp, "set logscale x 10\nset xrange [%.9g:%.9g]\n", x->low / 1.3, x->high * 1.3);
	else {
		double pad = x->high > x->low ? (x->high - x->low) * 0.05 : fmax(fabs(x->low) * 0.1, 1);
		fprintf(gp, "unset logscale x\nset xrange [%.9g:%.9g]\n", x->low - pad, x->high + pad);
	}
	fprintf(gp, "set xlabel '%s%s%s%s'\n", x->name, x->unit[0] ? " [" : "", x->unit, x->unit[0] ? "]" : "");
	/* Tics at the values run, written as the sweep writes them (the
	 * "per vm" tail is in the label), when there are few of them. */
	double seen[TICS_MAX];
	size_t n = 0;
	const char *texts[TICS_MAX];
	for (size_t i = 0; i < d->point_count && n <= TICS_MAX; i++) {
		size_t k = 0;
		while (k < n && seen[k] != d->points[i].value[d->x])
			k++;
		if (k < n)
			continue;
		if (n == TICS_MAX) {
			n++;
			break;
		}
		seen[n] = d->points[i].value[d->x];
		texts[n++] = d->points[i].text[d->x];
	}
	if (n > TICS_MAX) {
		fprintf(gp, "set xtics autofreq\nset format x '%s'\n", x->has_unit ? "%.1s%c" : "%g");
		return;
	}
	fprintf(gp, "set xtics (");
	for (size_t k = 0; k < n; k++) {
		const char *per = strstr(texts[k], " per ");
		int len = per ? (int)(per - texts[k]) : (int)strlen(texts[k]);
		fprintf(gp, "%s'%.*s' %.9g", k ? ", " : "", len, texts[k], seen[k]);
	}
	fprintf(gp, ")\n");
}

/* The y axis of M over the blocks of panel P: log when wide. */
static void y_axis(const view *v, sweep_metric m, size_t preset, size_t p, FILE *gp)
{
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < v->d.sample_count; i++) {
		const sweep_sample *s = &v->d.samples[i];
		if (s->panel == p && sample_drawn(v, s, preset, m) && s->y[m] > 0) {
			lo = fmin(lo, s->y[m]);
			hi = fmax(hi, s->y[m]);
		}
	}
	if (target_drawn(v, m, p)) {
		lo = fmin(lo, v->target.line);
		hi = fmax(hi, v->target.line);
	}
	fprintf(gp, "set ylabel '%s'\n", metric_labels[m]);
	if (hi > LOG_SPAN * lo)
		fprintf(gp, "set logscale y 10\nset yrange [%.9g:%.9g]\nset format y '%s'\n", lo / 1.5, hi * 1.5,
			m == SWEEP_THROUGHPUT ? "%.0s%c" : "%g");
	else
		fprintf(gp, "unset logscale y\nset yrange [0:%.9g]\nset format y '%s'\n", hi * 1.15, m == SWEEP_THROUGHPUT ? "%.1s%c" : "%g");
}

static int same_number(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static int same_bracket(const sweep_series *a, const sweep_series *b)
{
	return same_number(a->meets_up_to, b->meets_up_to) && same_number(a->fails_from, b->fails_from);
}

/* The bands of the knees' brackets in panel P, behind the lines. */
static void brackets(const view *v, const block *b, size_t n, size_t p, FILE *gp)
{
	fprintf(gp, "unset object\n");
	size_t object = 1;
	for (size_t k = 0; k < n; k++) {
		const sweep_series *g = &v->d.series[b[k].series];
		if (b[k].panel != p || !g->has_knee || !knee_in(v, p) || (!isfinite(g->meets_up_to) && !isfinite(g->fails_from)))
			continue;
		size_t same = 0;   /* a band drawn already (two series with one bracket): once */
		while (same < k && !(b[same].panel == p && v->d.series[b[same].series].has_knee && colour_of(v, &v->d.series[b[same].series]) ==
				     colour_of(v, g) && same_bracket(&v->d.series[b[same].series], g)))
			same++;
		if (same < k)
			continue;
		char from[64], to[64];
		snprintf(from, sizeof from, isfinite(g->meets_up_to) ? "first %.9g" : "graph 0", g->meets_up_to);
		snprintf(to, sizeof to, isfinite(g->fails_from) ? "first %.9g" : "graph 1", g->fails_from);
		fprintf(gp, "set object %zu rect from %s, graph 0 to %s, graph 1 behind fillcolor rgb '%s' fillstyle transparent solid 0.12 noborder"
			    "  # bracket of %s\n", object++, from, to, vr_gp_colours[colour_of(v, g) - 1], g->label);
	}
}

/* Panel P: its blocks' lines, its knees, the target.  The first panel's
 * key is the picture's: it names the knee and the target, wherever they
 * are drawn (ANY_KNEES, TARGET). */
static void panel(const view *v, const char *name, sweep_metric m, const block *b, size_t n, size_t p, size_t knee_block,
		  size_t knee_rows, int first, int any_knees, int target, FILE *gp)
{
	const char *sep = "plot ";
	for (size_t k = 0; k < n; k++) {
		if (b[k].panel != p)
			continue;
		const sweep_series *g = &v->d.series[b[k].series];
		fprintf(gp, "%s\\\n  'data/%s.dat' index %zu using 1:2 with linespoints lt %zu dt %zu pt %zu title '%s'", sep, name, k,
			colour_of(v, g), g->style % 5 + 1, g->style % 6 + 4, g->label);
		sep = ", ";
	}
	if (first && any_knees)
		fprintf(gp, ", \\\n  NaN with points pt 6 ps 3.5 lw 2.5 lc rgb '#000000' title 'knee (ring); band: last value that meets .. first that fails'");
	if (first && target)
		fprintf(gp, ", \\\n  NaN with lines dt 2 lw 2 lc rgb '#D55E00' title 'target: %s'", v->target.text);
	if (knee_rows)
		fprintf(gp, ", \\\n  'data/%s-knees.dat' index %zu using 1:2:3 with points pt 6 ps 3.5 lw 2.5 lc variable notitle", name, knee_block);
	if (target_drawn(v, m, p))
		fprintf(gp, ", \\\n  %.9g with lines dt 2 lw 2 lc rgb '#D55E00' notitle", v->target.line);
	fprintf(gp, "\n");
}

static int draw_picture(const view *v, size_t preset, sweep_metric m, const char *work, vr_diag *diag)
{
	const sweep_data *d = &v->d;
	size_t n, panels = 0, knee_rows[SWEEP_NAMES_MAX], knee_index[SWEEP_NAMES_MAX];
	block *b = blocks_of(v, preset, m, &n);
	if (!b)
		return vr_diag_at(diag, (vr_where){d->file, 0, 0}, "out of memory");
	for (size_t k = 0; k < n; k++)
		panels += k == 0 || b[k].panel != b[k - 1].panel;
	char name[MDL_NAME_MAX + 32], path[8192];
	snprintf(name, sizeof name, "sweep-%s-%s", sweep_metric_names[m], d->presets[preset]);
	FILE *gp = NULL;
	int rc = n == 0 ? 0 : -1;
	if (n == 0 || write_data(v, work, name, m, b, n, diag) != 0 || write_knees(v, work, name, m, b, n, knee_rows, knee_index, diag) != 0 ||
	    !(gp = create(work, "", name, "gp", path, sizeof path, diag)))
		goto done;
	size_t columns = panels < PANEL_COLUMNS_MAX ? panels : PANEL_COLUMNS_MAX, rows = (panels + columns - 1) / columns;
	vr_gp_loaded_script_head(gp, name);
	/* The key is a column of its own at the right, as wide as its
	 * longest line (about 9.5 pixels a character at 12 points, and the sample). */
	size_t longest = v->has_target ? 62 : 20;   /* the knee's line */
	for (size_t k = 0; k < n; k++)
		longest = fmax(longest, strlen(d->series[b[k].series].label));
	double right = 1 - (9.5 * (double)longest + 120) / PICTURE_WIDTH;
	right = fmin(fmax(right, 0.45), 0.8);
	fprintf(gp, "set multiplot layout %zu,%zu margins 0.07,%.3f,%.3f,0.86 spacing 0.07,0.12 title \"%s, %s: %s against %s%s%s\"\n", rows,
		columns, right, rows > 1 ? 0.08 : 0.12, d->scenario, d->presets[preset], sweep_metric_names[m], d->vars[d->x].name,
		v->has_target ? "\\ntarget: " : "", v->has_target ? v->target.text : "");
	fprintf(gp, "set key at screen %.3f, screen 0.86 left top Left reverse box spacing 1.2\n", right + 0.02);
	x_axis(v, gp);
	size_t any_knees = 0;
	int target = 0;
	for (size_t k = 0, panel_block = 0; k < n; k++)
		if (!k || b[k].panel != b[k - 1].panel) {
			target |= target_drawn(v, m, b[k].panel);
			any_knees += knee_rows[k ? ++panel_block : 0];
		}
	for (size_t k = 0, panel_block = 0; k < n; k++) {
		if (k && b[k].panel == b[k - 1].panel)
			continue;
		if (k)
			panel_block++;
		fprintf(gp, "set title '%s %s'\n", d->flows ? "flow group" : "verb", d->panels[b[k].panel]);
		y_axis(v, m, preset, b[k].panel, gp);
		brackets(v, b, n, b[k].panel, gp);
		panel(v, name, m, b, n, b[k].panel, knee_index[panel_block], knee_rows[panel_block], k == 0, any_knees > 0, target, gp);
		if (k == 0)
			fprintf(gp, "unset key\n");   /* one key, beside every panel: the first panel's */
	}
	fprintf(gp, "unset multiplot\nset output\n");
	FILE *closing = gp;
	gp = NULL;
	if (vr_plot_close(closing, path, diag) == 0)
		rc = vr_gp_run_per_terminal(v->gnuplot, work, name, PICTURE_WIDTH, rows > 1 ? 420 * (int)rows : 620, diag);
done:
	if (gp)
		fclose(gp);
	free(b);
	return rc;
}

/* "dirty_rate", "open_loop": a path's last key, for labels. */
static const char *short_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* ---- live migrations ------------------------------------------------------ */

/* The panels of a migration picture: what each draws of a row of its data. */
static const struct {
	const char *title, *label, *using;   /* USING: the y column (of data/sweep-migration-PRESET.dat) */
	int marks;                           /* a migration that did not converge is a cross here */
} migration_panels[] = {
	{"migration time", "total time [s]", "2", 1},
	{"downtime (stop-and-copy)", "downtime [ms]", "3", 0},
	{"hypervisor CPU (source + destination)", "CPU [s]", "4", 1},
};

static int migration_drawn(const view *v, const sweep_sample *s, size_t preset)
{
	return s->migration && s->preset == preset && v->shown[s->option] && (!v->has_group || s->panel == v->group);
}

/* The (group, series) blocks of PRESET's migrations, groups in order: a
 * malloc'd list, *COUNT of them (0: none), *FAILED: a migration of them
 * did not converge. */
static block *migration_blocks(const view *v, size_t preset, size_t *count, int *failed)
{
	const sweep_data *d = &v->d;
	block *list = malloc((d->sample_count + 1) * sizeof *list);
	*count = 0;
	*failed = 0;
	for (size_t p = 0; list && p < d->panel_count; p++)
		for (size_t g = 0; g < d->series_count; g++) {
			int found = 0;
			for (size_t i = d->series[g].first_sample; i < d->sample_count && d->samples[i].series == g; i++)
				if (d->samples[i].panel == p && migration_drawn(v, &d->samples[i], preset)) {
					found = 1;
					*failed |= !d->samples[i].converged;
				}
			if (found)
				list[(*count)++] = (block){p, g};
		}
	return list;
}

/* data/NAME.dat: a block per (group, series), rows in order of x; a
 * migration that did not converge has "-" for its downtime. */
static int write_migrations(const view *v, const char *work, const char *name, const block *b, size_t n, vr_diag *diag)
{
	const sweep_data *d = &v->d;
	const sweep_var *x = &d->vars[d->x];
	char path[8192];
	FILE *dat = create(work, "data", name, "dat", path, sizeof path, diag);
	if (!dat)
		return -1;
	for (size_t k = 0; k < n; k++) {
		const sweep_series *g = &d->series[b[k].series];
		fprintf(dat, "# %s | %s: %s%s%s%s total_time_s downtime_ms hypervisor_cpu_s source_cpu_s destination_cpu_s converged round point\n",
			d->panels[b[k].panel], g->label, x->name, x->unit[0] ? "[" : "", x->unit, x->unit[0] ? "]" : "");
		for (size_t i = g->first_sample; i < d->sample_count && d->samples[i].series == b[k].series; i++) {
			const sweep_sample *s = &d->samples[i];
			if (s->panel != b[k].panel || !s->migration)
				continue;
			const double *m = s->mig;
			fprintf(dat, "%.9g %.9g ", x_of(v, s), m[SWEEP_MIG_TIME_S]);
			fprintf(dat, s->converged ? "%.9g " : "- ", m[SWEEP_MIG_DOWNTIME_MS]);
			fprintf(dat, "%.9g %.9g %.9g %d %u %zu\n", m[SWEEP_MIG_SOURCE_CPU_S] + m[SWEEP_MIG_DESTINATION_CPU_S],
				m[SWEEP_MIG_SOURCE_CPU_S], m[SWEEP_MIG_DESTINATION_CPU_S], s->converged, d->points[s->point].round,
				d->points[s->point].index);
		}
		fprintf(dat, "\n\n");
	}
	return vr_plot_close(dat, path, diag);
}

/* A block's line in the key: its group, then the option and the other
 * variables when they tell lines apart. */
static void migration_label(const view *v, const block *b, char *label, size_t len)
{
	const sweep_series *g = &v->d.series[b->series];
	size_t shown = 0;
	for (size_t o = 0; o < v->d.option_count; o++)
		shown += v->shown[o] != 0;
	if (shown > 1)
		snprintf(label, len, "%s, %s", v->d.panels[b->panel], g->label);
	else
		snprintf(label, len, "%s%s%s", v->d.panels[b->panel], g->rest[0] ? ", " : "", g->rest);
}

/* sweep-migration-PRESET: migration time, downtime and the hypervisors'
 * CPU against x, a line per migration group (colour) and series (dash). */
static int draw_migrations(const view *v, size_t preset, const char *work, vr_diag *diag)
{
	const sweep_data *d = &v->d;
	size_t n;
	int failed;
	block *b = migration_blocks(v, preset, &n, &failed);
	if (!b)
		return vr_diag_at(diag, (vr_where){d->file, 0, 0}, "out of memory");
	char name[MDL_NAME_MAX + 32], path[8192];
	snprintf(name, sizeof name, "sweep-migration-%s", d->presets[preset]);
	FILE *gp = NULL;
	int rc = n == 0 ? 0 : -1;
	if (n == 0 || write_migrations(v, work, name, b, n, diag) != 0 || !(gp = create(work, "", name, "gp", path, sizeof path, diag)))
		goto done;
	vr_gp_loaded_script_head(gp, name);
	size_t longest = 16;   /* "did not converge" */
	char label[MDL_NAME_MAX + 300];
	for (size_t k = 0; k < n; k++) {
		migration_label(v, &b[k], label, sizeof label);
		longest = fmax(longest, strlen(label));
	}
	double right = fmin(fmax(1 - (9.5 * (double)longest + 120) / PICTURE_WIDTH, 0.45), 0.8);
	fprintf(gp, "set multiplot layout 1,3 margins 0.07,%.3f,0.2,0.86 spacing 0.07,0.12 title \"%s, %s: live migration against %s%s\"\n",
		right, d->scenario, d->presets[preset], d->vars[d->x].name, failed ? "\\n×: did not converge (no downtime; time and CPU until it stopped)" : "");
	fprintf(gp, "set key at screen %.3f, screen 0.86 left top Left reverse box spacing 1.2 width 2\n", right + 0.02);
	x_axis(v, gp);
	/* three panels side by side: the full name is in the title, the tics slanted */
	const sweep_var *x = &d->vars[d->x];
	fprintf(gp, "set xlabel '%s%s%s%s'\nset xtics rotate by 50 right\n", short_name(x->name), x->unit[0] ? " [" : "", x->unit,
		x->unit[0] ? "]" : "");
	for (size_t f = 0; f < sizeof migration_panels / sizeof migration_panels[0]; f++) {
		fprintf(gp, "set title '%s'\nset ylabel '%s'\nunset logscale y\nset yrange [0:*]\nset format y '%%g'\n", migration_panels[f].title,
			migration_panels[f].label);
		const char *sep = "plot ";
		for (size_t k = 0; k < n; k++) {
			migration_label(v, &b[k], label, sizeof label);
			size_t colour = b[k].panel % (size_t)VR_GP_COLOURS + 1, style = d->series[b[k].series].style;
			/* converged points on the line; the others, crosses */
			fprintf(gp, "%s\\\n  'data/%s.dat' index %zu using 1:($7 > 0 ? $%s : NaN) with linespoints lt %zu dt %zu pt 7 title '%s'", sep,
				name, k, migration_panels[f].using, colour, style % 5 + 1, label);
			sep = ", ";
			if (migration_panels[f].marks && failed)
				fprintf(gp, ", \\\n  'data/%s.dat' index %zu using 1:($7 > 0 ? NaN : $%s) with points lt %zu pt 2 ps 2.5 lw 2 notitle", name,
					k, migration_panels[f].using, colour);
		}
		if (f == 0 && failed)
			fprintf(gp, ", \\\n  NaN with points pt 2 ps 2.5 lw 2 lc rgb '#000000' title 'did not converge'");
		fprintf(gp, "\n");
		if (f == 0)
			fprintf(gp, "unset key\n");
	}
	fprintf(gp, "unset multiplot\nset output\n");
	FILE *closing = gp;
	gp = NULL;
	if (vr_plot_close(closing, path, diag) == 0)
		rc = vr_gp_run_per_terminal(v->gnuplot, work, name, PICTURE_WIDTH, 660, diag);
done:
	if (gp)
		fclose(gp);
	free(b);
	return rc;
}

static int draw_all(const void *ctx, const char *work, vr_diag *diag)
{
	const view *v = ctx;
	for (size_t p = 0; p < v->d.preset_count; p++) {
		for (int m = 0; m < SWEEP_METRICS; m++)
			if (draw_picture(v, p, (sweep_metric)m, work, diag) != 0)
				return -1;
		if (draw_migrations(v, p, work, diag) != 0)
			return -1;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------- */

static int take_group(view *v, const char *group, vr_diag *diag)
{
	for (size_t p = 0; p < v->d.panel_count; p++)
		if (v->d.flows && strcmp(v->d.panels[p], group) == 0) {
			v->has_group = 1;
			v->group = p;
			return 0;
		}
	if (!v->d.flows)
		return vr_diag_at(diag, (vr_where){"--group", 0, 0}, "found --group %.60s with single-flow results, expected it only with flow "
				  "results (%s has no flow groups)", group, v->d.file);
	char have[1024] = "";
	for (size_t p = 0; p < v->d.panel_count && strlen(have) + MDL_NAME_MAX + 3 < sizeof have; p++)
		snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", p ? ", " : "", v->d.panels[p]);
	return vr_diag_at(diag, (vr_where){"--group", 0, 0}, "found the flow group '%.60s', expected a group %s holds: %s", group, v->d.file, have);
}

static int read_view(const vr_plot_request *rq, view *v, vr_diag *diag)
{
	if (sweep_read(rq->results_path, &v->d, diag) != 0)
		return -1;
	if (rq->knees) {
		v->has_target = 1;
		if (sweep_knees_read(rq->knees, &v->d, &v->target, diag) != 0)
			return -1;
		if (rq->x && strcmp(rq->x, v->d.vars[v->d.x].name) != 0)
			return vr_diag_at(diag, (vr_where){"--x", 0, 0}, "found --x %.60s, expected the knee report's variable, %s, or no --x",
					  rq->x, v->d.vars[v->d.x].name);
	} else if (sweep_make_series(&v->d, rq->x, (vr_where){"--x", 0, 0}, diag) != 0)
		return -1;
	if (rq->group && take_group(v, rq->group, diag) != 0)
		return -1;
	if (rq->breakdown_bytes > 0)
		return vr_diag_at(diag, (vr_where){"--size", 0, 0}, "found --size with a sweep's results, expected it only with a run's");
	return vr_plot_filter(v->d.file, rq->options, (const char (*)[MDL_NAME_MAX])v->d.options, v->d.option_count, v->shown, diag);
}

int vr_plot_sweep(const vr_plot_request *rq, int *bad_input, vr_diag *diag)
{
	*bad_input = 1;
	view *v = calloc(1, sizeof *v);
	if (!v)
		return vr_diag_at(diag, (vr_where){rq->results_path, 0, 0}, "out of memory");
	v->gnuplot = rq->gnuplot ? rq->gnuplot : "gnuplot";
	int rc = read_view(rq, v, diag);
	if (rc == 0) {
		*bad_input = 0;
		rc = vr_gp_render(rq->out_dir, draw_all, v, diag);
	}
	sweep_free(&v->d);
	free(v);
	return rc;
}
