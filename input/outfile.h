/*
 * outfile.h - all-or-nothing output files: write into a temporary file next
 * to the target, rename it into place only when everything succeeded, so a
 * failed run never leaves a half-written result behind.  Open it before the
 * run, so a bad path fails at once.  A target that exists and is not a
 * regular file (a device, a pipe) is written directly; a symbolic link is
 * followed.  A target that is one of the command's inputs (by device and
 * inode: input/file.h) is refused, at the open and again at the commit.
 */
#ifndef VR_OUTFILE_H
#define VR_OUTFILE_H

#include <stdio.h>

#include "input/diag.h"

typedef struct vr_outfile {
	FILE *stream;
	char target[4096];
	char temp[4096 + 16];   /* empty when writing directly */
} vr_outfile;

int vr_outfile_open(vr_outfile *of, const char *target, vr_diag *diag);
/* Flush, close and rename into place; on failure the temp file is removed. */
int vr_outfile_commit(vr_outfile *of, vr_diag *diag);
/* Commit the COUNT outputs of one command together: an interrupt (SIGINT,
 * SIGTERM, SIGHUP) waits until all are in place, so that it finds either
 * none renamed (and removes their temporary files) or all.  A failure
 * discards the outputs not yet committed.  FILES with a NULL stream are
 * skipped (outputs not asked for). */
int vr_outfile_commit_all(vr_outfile *const *files, size_t count, vr_diag *diag);
/* Discard: close and remove the temporary file. */
void vr_outfile_abort(vr_outfile *of);

#endif
