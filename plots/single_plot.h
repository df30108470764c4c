/*
 * single_plot.h - a single-flow results file as `vrdmasim plot` holds it
 * once read and checked (plot.c), and the pictures drawn from it that have
 * a file of their own: the tails (tail_plot.c) and the breakdown
 * (breakdown_plot.c).  Each writer writes its data (DIR/data/NAME.dat) and
 * script (DIR/NAME.gp) and runs gnuplot; it draws only the options the
 * reader asked for (shown[]), and says NAME.
 */
#ifndef VR_SINGLE_PLOT_H
#define VR_SINGLE_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "input/diag.h"
#include "models/option.h"
#include "plots/plot.h"

enum { VR_PLOT_NAMES_MAX = 64, VR_PLOT_KINDS = 9, VR_PLOT_FIGURES_MAX = 256 };

/* The summary of a breakdown, as results JSON's breakdown_by_kind_us. */
extern const char *const vr_plot_kind_keys[VR_PLOT_KINDS];
extern const char *const vr_plot_kind_titles[VR_PLOT_KINDS];

typedef struct vr_plot_point {
	size_t preset, option, figure;
	double size_bytes;
	double value;               /* latency: median us; bandwidth: average Gb/s */
	double p99_us, p999_us;     /* latency; p999_us NAN when the file has none */
	double kind_us[VR_PLOT_KINDS];
	int has_kinds;
} vr_plot_point;

typedef struct vr_plot_figure {
	mdl_verb verb;
	int completion;             /* index in mdl_completion_names */
	size_t preset;
} vr_plot_figure;

typedef struct vr_plot_data {
	const char *file;
	char presets[VR_PLOT_NAMES_MAX][MDL_NAME_MAX], options[VR_PLOT_NAMES_MAX][MDL_NAME_MAX];
	size_t preset_count, option_count;
	int shown[VR_PLOT_NAMES_MAX];   /* options drawn: all, or those of --options */
	vr_plot_figure figures[VR_PLOT_FIGURES_MAX];
	size_t figure_count;
	vr_plot_point *points;      /* sorted by figure, option, size */
	size_t point_count;
	const vr_plot_request *request;
} vr_plot_data;

/* "latency-write_lat-poll-PRESET" (or bandwidth-...): figure F's curves. */
void vr_plot_figure_name(const vr_plot_data *d, size_t f, char *buf, size_t len);

/* x range and tics of figure F's sizes, a tic every STEP-fold size. */
void vr_plot_size_tics(const vr_plot_data *d, size_t f, double step, FILE *gp);

/* The y label of latency figure F: which part of a round trip it shows. */
const char *vr_plot_latency_part(const vr_plot_data *d, size_t f);

/* tail-VERB-COMPLETION-PRESET: per option, one panel of the median, p99
 * and p99.9 against size.  Latency figures only. */
int vr_plot_tails(const vr_plot_data *d, size_t f, const char *dir, vr_diag *diag);

/* breakdown-VERB-COMPLETION-PRESET-SIZE: a stacked bar per option, with
 * each bar's total; when the slowest is more than ZOOM_RATIO times the
 * fastest, a second panel shows the fast options on their own scale. */
enum { VR_PLOT_ZOOM_RATIO = 4 };
int vr_plot_breakdown(const vr_plot_data *d, size_t f, double size, const char *dir, vr_diag *diag);

/* Close FILE written at PATH: 0, or -1 with DIAG filled. */
int vr_plot_close(FILE *file, const char *path, vr_diag *diag);

#endif
