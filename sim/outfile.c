/*
 * outfile.c - temp file + rename.
 */
#include "sim/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vr_outfile_open(vr_outfile *of, const char *target, vr_diag *diag)
{
	memset(of, 0, sizeof *of);
	if (strlen(target) >= sizeof of->target)
		return vr_diag_at(diag, (vr_where){"--out", 0, 0}, "found a path of %zu characters, expected a shorter one",
				  strlen(target));
	snprintf(of->target, sizeof of->target, "%s", target);
	snprintf(of->temp, sizeof of->temp, "%s.XXXXXX", target);
	int fd = mkstemp(of->temp);
	if (fd < 0)
		return vr_diag_at(diag, (vr_where){target, 0, 0}, "cannot create the output file: %s", strerror(errno));
	of->stream = fdopen(fd, "w");
	if (!of->stream) {
		close(fd);
		unlink(of->temp);
		return vr_diag_at(diag, (vr_where){target, 0, 0}, "cannot open the output file: %s", strerror(errno));
	}
	return 0;
}

int vr_outfile_commit(vr_outfile *of, vr_diag *diag)
{
	int failed = ferror(of->stream) != 0;
	failed |= fclose(of->stream) != 0;
	of->stream = NULL;
	if (!failed && rename(of->temp, of->target) == 0)
		return 0;
	int saved = errno;
	unlink(of->temp);
	return vr_diag_at(diag, (vr_where){of->target, 0, 0}, "cannot write the output file: %s", strerror(saved));
}

void vr_outfile_abort(vr_outfile *of)
{
	if (of->stream)
		fclose(of->stream);
	of->stream = NULL;
	if (of->temp[0])
		unlink(of->temp);
}
