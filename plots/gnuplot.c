/*
 * gnuplot.c - running gnuplot on scripts in a working folder, and
 * publishing its pictures into the output folder only when all are drawn.
 */
#include "config.h"

#include "plots/gnuplot.h"
#include "input/cleanup.h"

#include "input/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Okabe-Ito colours (told apart with colour-vision deficiencies), then grey. */
const char *const vr_gp_colours[VR_GP_COLOURS] = {
	"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
};

void vr_gp_size_text(double bytes, char *buf, size_t len)
{
	if (bytes >= 1048576 && fmod(bytes, 1048576) == 0)
		snprintf(buf, len, "%.0fMiB", bytes / 1048576);
	else if (bytes >= 1024 && fmod(bytes, 1024) == 0)
		snprintf(buf, len, "%.0fKiB", bytes / 1024);
	else
		snprintf(buf, len, "%.0fB", bytes);
}

/* Terminal lines shared by every script: PNG first, then SVG by replot. */
void vr_gp_script_head(FILE *gp)
{
	fprintf(gp, "# Written by vrdmasim %s plot; run `gnuplot FILE.gp` in this folder to redraw.\n", PACKAGE_VERSION);
	fprintf(gp, "set terminal pngcairo size 1300,700 font 'DejaVu Sans,12' noenhanced\n");
	vr_gp_script_style(gp);
}

void vr_gp_loaded_script_head(FILE *gp, const char *drivers)
{
	fprintf(gp, "# Written by vrdmasim %s plot; %s-png.gp and %s-svg.gp were its drivers:\n", PACKAGE_VERSION, drivers,
		drivers);
	fprintf(gp, "# set a terminal and an output, then load this file.\n");
	vr_gp_script_style(gp);
}

void vr_gp_script_style(FILE *gp)
{
	fprintf(gp, "set encoding utf8\n");
	for (size_t i = 0; i < (size_t)VR_GP_COLOURS; i++)
		fprintf(gp, "set linetype %zu lc rgb '%s' lw 2 pt %zu ps 1.1\n", i + 1, vr_gp_colours[i], i + 1);
	fprintf(gp, "set grid xtics ytics mytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n");
}

void vr_gp_script_tail(FILE *gp, const char *name)
{
	fprintf(gp, "set output '%s.png'\nreplot\n", name);
	fprintf(gp, "set terminal svg size 1300,700 dynamic font 'DejaVu Sans,12' background rgb 'white' noenhanced\n");
	fprintf(gp, "set output '%s.svg'\nreplot\nunset output\n", name);
}

/* ---- running gnuplot and publishing ---------------------------------- */

/* Run GNUPLOT on SCRIPT inside DIR; its messages go to DIR/gnuplot.log. */
int vr_gp_run(const char *gnuplot, const char *dir, const char *script, vr_diag *diag)
{
	char log[4096];
	snprintf(log, sizeof log, "%s/gnuplot.log", dir);
	vr_cleanup_block(1);
	pid_t pid = fork();
	if (pid < 0) {
		vr_cleanup_block(0);
		return vr_diag_at(diag, (vr_where){gnuplot, 0, 0}, "cannot start gnuplot: %s", strerror(errno));
	}
	if (pid == 0) {
		vr_cleanup_block(0);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		if (chdir(dir) != 0)
			_exit(126);
		execlp(gnuplot, gnuplot, script, (char *)NULL);
		_exit(127);
	}
	vr_cleanup_add_child(pid);   /* an interrupt stops it before removing its folder */
	vr_cleanup_block(0);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			vr_cleanup_forget_child(pid);
			return vr_diag_at(diag, (vr_where){gnuplot, 0, 0}, "cannot wait for gnuplot: %s", strerror(errno));
		}
	vr_cleanup_forget_child(pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return vr_diag_at(diag, (vr_where){gnuplot, 0, 0}, "cannot run '%s': install gnuplot (Debian: apt-get install gnuplot-nox)", gnuplot);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char first[512] = "";
		FILE *f = fopen(log, "r");
		if (f) {
			char line[512];
			while (fgets(line, sizeof line, f))
				if (strstr(line, "rror") || strstr(line, "line ")) {
					snprintf(first, sizeof first, "%s", line);
					first[strcspn(first, "\n")] = '\0';
					break;
				}
			fclose(f);
		}
		return vr_diag_at(diag, (vr_where){script, 0, 0}, "gnuplot failed (%s)%s%s", WIFEXITED(status) ? "non-zero exit" : "killed",
				  first[0] ? ": " : "", first);
	}
	return 0;
}

int vr_gp_run_per_terminal(const char *gnuplot, const char *dir, const char *name, int width, int height, vr_diag *diag)
{
	char path[8192], script[600];
	for (int svg = 0; svg < 2; svg++) {
		snprintf(script, sizeof script, "%s-%s.gp", name, svg ? "svg" : "png");
		snprintf(path, sizeof path, "%s/%s", dir, script);
		FILE *w = fopen(path, "w");
		if (!w)
			return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
		if (svg)
			fprintf(w, "set terminal svg size %d,%d dynamic font 'DejaVu Sans,12' background rgb 'white' noenhanced\n", width,
				height);
		else
			fprintf(w, "set terminal pngcairo size %d,%d font 'DejaVu Sans,12' noenhanced\n", width, height);
		fprintf(w, "set output '%s.%s'\nload '%s.gp'\n", name, svg ? "svg" : "png", name);
		if (fclose(w) != 0)
			return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write: %s", strerror(errno));
		if (vr_gp_run(gnuplot, dir, script, diag) != 0)
			return -1;
		remove(path);
	}
	return 0;
}

int vr_gp_make_dir(const char *path, vr_diag *diag)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot create the folder: %s", strerror(errno));
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "found a file where the output folder should be, expected a folder");
	return 0;
}

/* Move every file of FROM (and FROM/data) into TO; gnuplot.log stays.
 * CHECK_ONLY: move nothing, refuse a target that is an input of the
 * command (the results file), so the folder is not changed half-way. */
static int publish(const char *from, const char *to, const char *sub, int check_only, vr_diag *diag)
{
	char src_dir[4096], dst_dir[4096];
	snprintf(src_dir, sizeof src_dir, "%s%s%s", from, sub ? "/" : "", sub ? sub : "");
	snprintf(dst_dir, sizeof dst_dir, "%s%s%s", to, sub ? "/" : "", sub ? sub : "");
	if (sub && !check_only && vr_gp_make_dir(dst_dir, diag) != 0)
		return -1;
	DIR *dir = opendir(src_dir);
	if (!dir)
		return vr_diag_at(diag, (vr_where){src_dir, 0, 0}, "cannot read the folder: %s", strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "gnuplot.log") == 0 || strcmp(e->d_name, "data") == 0)
			continue;
		char a[8192], b[8192];
		snprintf(a, sizeof a, "%s/%s", src_dir, e->d_name);
		snprintf(b, sizeof b, "%s/%s", dst_dir, e->d_name);
		if (check_only)
			rc = vr_output_check(b, b, diag);
		else if (rename(a, b) != 0)
			rc = vr_diag_at(diag, (vr_where){b, 0, 0}, "cannot write: %s", strerror(errno));
	}
	closedir(dir);
	return rc;
}

/* Remove the working folder and what is left in it. */
static void remove_tree(const char *path)
{
	char sub[4096 + 8];
	snprintf(sub, sizeof sub, "%s/data", path);
	const char *dirs[] = {sub, path};
	for (size_t k = 0; k < 2; k++) {
		DIR *dir = opendir(dirs[k]);
		if (!dir)
			continue;
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || (k == 1 && strcmp(e->d_name, "data") == 0))
				continue;
			char f[8192];
			snprintf(f, sizeof f, "%s/%s", dirs[k], e->d_name);
			remove(f);
		}
		closedir(dir);
		rmdir(dirs[k]);
	}
}

int vr_gp_render(const char *out_dir, vr_gp_drawer draw, const void *ctx, vr_diag *diag)
{
	char work[4096], data[4200 + 16];
	if (strlen(out_dir) > 2048)
		return vr_diag_at(diag, (vr_where){"--out", 0, 0}, "found a folder name of %zu characters, expected at most 2048", strlen(out_dir));
	snprintf(work, sizeof work, "%s/.vrdmasim-plot-XXXXXX", out_dir);
	if (vr_gp_make_dir(out_dir, diag) != 0)
		return -1;
	/* gone even if the plot is interrupted, from its creation on */
	vr_cleanup_block(1);
	int made = mkdtemp(work) != NULL;
	int saved = errno;
	if (made)
		vr_cleanup_add(work, VR_CLEANUP_TREE);
	vr_cleanup_block(0);
	if (!made)
		return vr_diag_at(diag, (vr_where){out_dir, 0, 0}, "cannot create a working folder: %s", strerror(saved));
	snprintf(data, sizeof data, "%s/data", work);
	int rc = vr_gp_make_dir(data, diag);
	if (rc == 0)
		rc = draw(ctx, work, diag);
	/* gnuplot drew everything: only now does the folder change. */
	for (int check_only = 1; check_only >= 0; check_only--) {
		if (rc == 0)
			rc = publish(work, out_dir, "data", check_only, diag);
		if (rc == 0)
			rc = publish(work, out_dir, NULL, check_only, diag);
	}
	remove_tree(work);
	vr_cleanup_forget(work);
	return rc;
}
