/*
 * outfile.c - temp file + rename for regular files; straight writes for
 * what is not one (a terminal, a pipe, /dev/null).  A symbolic link is
 * followed, so the file it points to is the one replaced.
 */
#include "input/outfile.h"

#include "input/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/cleanup.h"

/* Follow symbolic links from PATH (even to a file that does not exist yet)
 * so the file they name is the one written; into OUT. */
static void follow_links(const char *path, char *out, size_t len)
{
	enum { HOPS_MAX = 16 };   /* as the kernel's own limit on nested links (40) is generous */
	snprintf(out, len, "%s", path);
	for (int hop = 0; hop < HOPS_MAX; hop++) {
		struct stat st;
		char link[PATH_MAX], next[PATH_MAX * 2];
		if (lstat(out, &st) != 0 || !S_ISLNK(st.st_mode))
			return;
		ssize_t n = readlink(out, link, sizeof link - 1);
		if (n < 0)
			return;
		link[n] = '\0';
		const char *slash = strrchr(out, '/');
		if (link[0] != '/' && slash)
			snprintf(next, sizeof next, "%.*s/%s", (int)(slash - out), out, link);
		else
			snprintf(next, sizeof next, "%s", link);
		if (strlen(next) >= len)
			return;   /* too long to follow: write at the last path that fits */
		memcpy(out, next, strlen(next) + 1);
	}
}

int vr_outfile_open(vr_outfile *of, const char *target, vr_diag *diag)
{
	memset(of, 0, sizeof *of);
	if (strlen(target) >= sizeof of->target)
		return vr_diag_at(diag, (vr_where){"--out", 0, 0}, "found a path of %zu characters, expected a shorter one",
				  strlen(target));
	if (vr_output_check(target, target, diag) != 0)
		return -1;
	char resolved[PATH_MAX];
	struct stat st;
	if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* Not a regular file (a terminal, /dev/null, a pipe such as a shell's
		 * >(cmd)): write to it as it is, never replace it.  O_NONBLOCK: a
		 * FIFO no process reads would block the open forever; it fails with
		 * ENXIO instead, and the flag is cleared once open. */
		snprintf(of->target, sizeof of->target, "%s", target);
		int fd = open(target, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ENXIO)
			return vr_diag_at(diag, (vr_where){target, 0, 0},
					  "found a FIFO that no process reads, expected a reader on it or a regular file");
		if (fd < 0 || fcntl(fd, F_SETFL, 0) != 0 || !(of->stream = fdopen(fd, "w"))) {
			int saved = errno;
			if (fd >= 0)
				close(fd);
			return vr_diag_at(diag, (vr_where){target, 0, 0}, "cannot open the output: %s", strerror(saved));
		}
		return 0;
	}
	follow_links(target, resolved, sizeof resolved);
	snprintf(of->target, sizeof of->target, "%s", resolved);
	snprintf(of->temp, sizeof of->temp, "%s.XXXXXX", of->target);
	/* no interrupt between the creation and the registration */
	vr_cleanup_block(1);
	int fd = mkstemp(of->temp);
	int saved = errno;
	if (fd >= 0)
		vr_cleanup_add(of->temp, VR_CLEANUP_FILE);   /* gone even if the run dies of a signal */
	vr_cleanup_block(0);
	if (fd < 0) {
		of->temp[0] = '\0';
		return vr_diag_at(diag, (vr_where){target, 0, 0}, "cannot create the output file: %s", strerror(saved));
	}
	/* mkstemp makes 0600; give the file the mode a plain creation would. */
	mode_t mask = umask(0);
	umask(mask);
	if (S_ISREG(st.st_mode) && access(of->target, F_OK) == 0)
		fchmod(fd, st.st_mode & 07777);
	else
		fchmod(fd, 0666 & ~mask);
	of->stream = fdopen(fd, "w");
	if (!of->stream) {
		close(fd);
		unlink(of->temp);
		vr_cleanup_forget(of->temp);
		of->temp[0] = '\0';
		return vr_diag_at(diag, (vr_where){target, 0, 0}, "cannot open the output file: %s", strerror(errno));
	}
	return 0;
}

int vr_outfile_commit(vr_outfile *of, vr_diag *diag)
{
	int failed = ferror(of->stream) != 0;
	failed |= fclose(of->stream) != 0;
	of->stream = NULL;
	int saved = errno;
	if (!of->temp[0]) {
		if (!failed)
			return 0;
		return vr_diag_at(diag, (vr_where){of->target, 0, 0}, "cannot write the output: %s", strerror(saved));
	}
	/* An input read after the open (a preset the fit loads) is refused too. */
	if (!failed && vr_output_check(of->target, of->target, diag) != 0) {
		unlink(of->temp);
		vr_cleanup_forget(of->temp);
		return -1;
	}
	/* Forgotten once renamed or removed: a signal in between finds it gone. */
	if (!failed && rename(of->temp, of->target) == 0) {
		vr_cleanup_forget(of->temp);
		return 0;
	}
	saved = errno;
	unlink(of->temp);
	vr_cleanup_forget(of->temp);
	return vr_diag_at(diag, (vr_where){of->target, 0, 0}, "cannot write the output file: %s", strerror(saved));
}

int vr_outfile_commit_all(vr_outfile *const *files, size_t count, vr_diag *diag)
{
	int rc = 0;
	vr_cleanup_block(1);
	for (size_t k = 0; k < count; k++) {
		if (!files[k]->stream)
			continue;
		if (rc == 0)
			rc = vr_outfile_commit(files[k], diag);
		else
			vr_outfile_abort(files[k]);
	}
	vr_cleanup_block(0);
	return rc;
}

void vr_outfile_abort(vr_outfile *of)
{
	if (of->stream)
		fclose(of->stream);
	of->stream = NULL;
	if (of->temp[0]) {
		unlink(of->temp);
		vr_cleanup_forget(of->temp);
	}
	of->temp[0] = '\0';
}
