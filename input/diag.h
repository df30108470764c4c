/*
 * diag.h - user-facing errors that say where, what was found, what was expected.
 *
 * Loaders never print: they fill a vr_diag and return -1.  The caller decides
 * whether to print it (the CLI, with exit status 2) or to inspect it (tests).
 * Message shape, one line:  FILE:LINE:COL: found X, expected Y
 * Lines and columns are 1-based (libyaml's marks are 0-based: add 1).
 */
#ifndef VR_DIAG_H
#define VR_DIAG_H

#include <stddef.h>

#define VR_DIAG_MESSAGE_MAX 1024

typedef struct vr_diag {
	int failed;                          /* 0 until the first error */
	char message[VR_DIAG_MESSAGE_MAX];   /* the first error, formatted */
} vr_diag;

/* Position of a value in an input file; line == 0 means "the whole file". */
typedef struct vr_where {
	const char *file;
	unsigned line;
	unsigned column;
} vr_where;

void vr_diag_clear(vr_diag *diag);

/* Record an error at WHERE (printf-style text after "FILE:LINE:COL: ").
 * Only the first error is kept: later ones are usually consequences.
 * Always returns -1 so callers can `return vr_diag_at(...)`. */
int vr_diag_at(vr_diag *diag, vr_where where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The candidate nearest to WORD by edit distance, or NULL when none is close
 * enough to be a plausible typo.  CANDIDATES ends with NULL. */
const char *vr_nearest(const char *word, const char *const *candidates);

#endif
