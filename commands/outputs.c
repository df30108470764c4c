/*
 * outputs.c - the files a command will write, refused before any work when
 * they cannot be written as asked.  See outputs.h.
 */
#include "commands/outputs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands/command.h"
#include "input/diag.h"
#include "input/file.h"
#include "sim/simgrid_cfg.h"

/* The file a path names or would name: its folder resolved, then its
 * name.  OUT: resolved.  0 when the folder exists. */
static int output_identity(const char *path, char *resolved, size_t bytes)
{
	char copy[PATH_MAX], folder[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	char *slash = strrchr(copy, '/');
	const char *name = slash ? slash + 1 : copy;
	if (slash == copy)
		snprintf(folder, sizeof folder, "/");
	else if (slash) {
		*slash = '\0';
		if (!realpath(copy, folder))
			return -1;
	} else if (!realpath(".", folder))
		return -1;
	int length = snprintf(resolved, bytes, "%s/%s", folder, name);
	if (length < 0 || (size_t)length >= bytes)
		return -1;
	struct stat st;
	char target[PATH_MAX];
	if (lstat(resolved, &st) == 0 && S_ISLNK(st.st_mode) && realpath(resolved, target))
		snprintf(resolved, bytes, "%s", target);
	return 0;
}

/* Two outputs of one command that are one file: the second would replace
 * the first (calibrate --out X --json X, --out DIR/platform.xml with
 * --keep-platform DIR). */
static int outputs_collide(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	char ra[PATH_MAX], rb[PATH_MAX];
	return output_identity(a, ra, sizeof ra) == 0 && output_identity(b, rb, sizeof rb) == 0 && strcmp(ra, rb) == 0;
}

static int refuse_colliding_outputs(const cli_args *c, const char *platform, vr_diag *diag)
{
	const char *named[][2] = {{"--out", c->out}, {"--json", c->json}, {"--keep-platform", platform[0] ? platform : NULL},
				  {"--cfg tracing/filename", vr_simgrid_cfg_trace_file(c->cfgs, c->cfg_count)}};
	enum { OUTPUTS = sizeof named / sizeof named[0] };
	for (int i = 0; i < OUTPUTS; i++)
		for (int j = i + 1; j < OUTPUTS; j++)
			if (named[i][1] && named[j][1] && named[i][1][0] && named[j][1][0] &&
			    outputs_collide(named[i][1], named[j][1]))
				return vr_diag_at(diag, (vr_where){named[j][0], 0, 0},
						  "found '%s', the same file as %s '%s', expected outputs that are different files",
						  named[j][1], named[i][0], named[i][1]);
	struct stat st;
	if (platform[0] && stat(platform, &st) == 0 && !S_ISREG(st.st_mode))
		return vr_diag_at(diag, (vr_where){"--keep-platform", 0, 0},
				  "found '%s', which is not a regular file, expected a folder whose platform.xml SimGrid can read back",
				  platform);
	return 0;
}

/* Every file the command writes, checked once its inputs are read and
 * before any work: not empty, not one of the inputs (input/file.h),
 * not another of its outputs.  The output layer checks again when it
 * opens and when it commits. */
int cmd_outputs_refused(const cli_args *c)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	char platform[4200] = "";
	const char *trace = vr_simgrid_cfg_trace_file(c->cfgs, c->cfg_count);
	if (c->keep_platform && c->keep_platform[0])
		snprintf(platform, sizeof platform, "%s/platform.xml", c->keep_platform);
	if ((c->out && vr_output_check(c->out, "--out", &diag)) || (c->json && vr_output_check(c->json, "--json", &diag)) ||
	    (c->keep_platform && vr_output_check(c->keep_platform, "--keep-platform", &diag)) ||
	    (platform[0] && vr_output_check(platform, "--keep-platform", &diag)) ||
	    (trace && vr_output_check(trace, "--cfg tracing/filename", &diag)) ||
	    refuse_colliding_outputs(c, platform, &diag)) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	return 0;
}
