/*
 * gnuplot.h - what every picture of `vrdmasim plot` shares: the terminals
 * (PNG, then SVG of the same plot), colours, size labels, running gnuplot,
 * and drawing in a working folder whose pictures reach the output folder
 * only when every one of them was drawn.
 */
#ifndef VR_GNUPLOT_H
#define VR_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

#include "input/diag.h"

enum { VR_GP_COLOURS = 9 };
extern const char *const vr_gp_colours[VR_GP_COLOURS];   /* Okabe-Ito, then grey */

/* Script lines before the plot (terminal, line types, grid) and after it
 * (PNG and SVG outputs named NAME). */
void vr_gp_script_head(FILE *gp);
void vr_gp_script_tail(FILE *gp, const char *name);

/* The style alone (line types, grid, border), for scripts that several
 * terminals load. */
void vr_gp_script_style(FILE *gp);

/* The head of such a script: who wrote it, its drivers (DRIVERS-png.gp and
 * DRIVERS-svg.gp, vr_gp_run_per_terminal), then the style. */
void vr_gp_loaded_script_head(FILE *gp, const char *drivers);

/* "2B", "64KiB", "8MiB". */
void vr_gp_size_text(double bytes, char *buf, size_t len);

/* Run GNUPLOT on SCRIPT inside DIR (its messages go to DIR/gnuplot.log). */
int vr_gp_run(const char *gnuplot, const char *dir, const char *script, vr_diag *diag);

/* Draw DIR/NAME.gp, a script that sets no terminal (a multiplot cannot be
 * replotted), once per terminal: NAME.png, then NAME.svg, WIDTH x HEIGHT
 * pixels, through driver scripts written in DIR and removed after. */
int vr_gp_run_per_terminal(const char *gnuplot, const char *dir, const char *name, int width, int height, vr_diag *diag);

/* Create folder PATH if missing (a file there is an error). */
int vr_gp_make_dir(const char *path, vr_diag *diag);

/* Make a working folder in OUT_DIR (with data/), let DRAW write scripts and
 * data there and run gnuplot, then move everything into OUT_DIR; on any
 * failure OUT_DIR is left as it was. */
typedef int (*vr_gp_drawer)(const void *ctx, const char *work, vr_diag *diag);
int vr_gp_render(const char *out_dir, vr_gp_drawer draw, const void *ctx, vr_diag *diag);

#endif
