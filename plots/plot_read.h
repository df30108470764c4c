/*
 * plot_read.h - strict reading of the results files `vrdmasim plot` draws:
 * every value is checked where it is read, and a bad one is reported
 * located (FILE:LINE:COL: found X, expected Y).  Names end up in file names
 * and gnuplot scripts, so only identifiers pass: nothing in a file can
 * inject a gnuplot command.
 */
#ifndef VR_PLOT_READ_H
#define VR_PLOT_READ_H

#include <stddef.h>

#include "input/json_read.h"
#include "models/option.h"

/* Member KEY of OBJECT, of TYPE; NULL with DIAG filled when it is missing
 * or of another type. */
const json_node *vr_plot_member(const json_doc *doc, const json_node *object, const char *key, json_type type,
				vr_diag *diag);

/* Member KEY of OBJECT as a finite number, zero or more, into *OUT.
 * 0, or -1 with DIAG filled. */
int vr_plot_number(const json_doc *doc, const json_node *object, const char *key, double *out, vr_diag *diag);

/* The index of AT's text (a WHAT name: "preset", "option"...) in LIST of
 * *COUNT names, added if new while fewer than MAX.  0 with *OUT set, or -1
 * with DIAG filled when it is no identifier or LIST is full. */
int vr_plot_intern(const json_doc *doc, const json_node *at, const char *what, char list[][MDL_NAME_MAX], size_t *count,
		   size_t max, size_t *out, vr_diag *diag);

/* --options LIST (names separated by commas): SHOWN[i] set for each name
 * of NAMES (COUNT of them, read from FILE) that LIST holds, or for every
 * one when LIST is NULL.  0, or -1 with DIAG filled ("--options: found
 * the option 'x', expected options FILE holds: ...") for a name FILE does
 * not hold. */
int vr_plot_filter(const char *file, const char *list, const char names[][MDL_NAME_MAX], size_t count, int *shown,
		   vr_diag *diag);

#endif
