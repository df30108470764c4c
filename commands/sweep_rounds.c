/*
 * sweep_rounds.c - rounds of bisection and the knee report.  See
 * sweep_rounds.h.
 */
#include "commands/sweep_rounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "input/outfile.h"
#include "input/point_lines.h"
#include "models/knee.h"
#include "output/knee_report.h"

/* The knees of LINES' rounds below BELOW_ROUND, found. */
static int knees_of(const swp_sweep *sw, const vr_point_lines *lines, const char *path, unsigned below_round, knee_set *set,
		    vr_diag *diag)
{
	if (knee_collect(sw, lines, path, below_round, set, diag) != 0)
		return -1;
	for (size_t i = 0; i < set->count; i++)
		knee_find(&sw->target, &set->series[i]);
	return 0;
}

/* Does LINES hold every point of SW's current round? */
static int round_complete(const swp_sweep *sw, const vr_point_lines *lines, const char *path, vr_diag *diag)
{
	unsigned char *seen = calloc(sw->point_count ? sw->point_count : 1, 1);
	if (!seen)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
	size_t held = 0;
	for (size_t i = 0; i < lines->count; i++) {
		const vr_point_line *l = &lines->lines[i];
		if (l->round == sw->round && l->index < sw->point_count && !seen[l->index]) {
			seen[l->index] = 1;
			held++;
		}
	}
	free(seen);
	if (held < sw->point_count)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "found %zu of the %zu points of round %u, expected every point of the rounds before the one asked for (run round %u first, or merge its parts)",
				  held, sw->point_count, sw->round, sw->round);
	return 0;
}

/* From round sw->round (complete in LINES) to the next: its points. */
static int step(swp_sweep *sw, const vr_point_lines *lines, const char *path, vr_diag *diag)
{
	knee_set set;
	size_t *bases = NULL, count = 0;
	char **values = NULL;
	int rc = knees_of(sw, lines, path, sw->round + 1, &set, diag);
	if (rc == 0 && knee_propose(&set, &bases, &values, &count) != 0)
		rc = vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
	if (rc == 0)
		rc = swp_set_round(sw, sw->round + 1, bases, values, count, diag);
	knee_points_free(bases, values, count);
	knee_set_free(&set);
	return rc;
}

static int read_lines(const swp_sweep *sw, const char *path, vr_point_lines *lines, vr_diag *diag)
{
	if (vr_point_lines_read(path, lines, diag) != 0)
		return -1;
	for (size_t i = 0; i < lines->count; i++)
		if (strcmp(lines->lines[i].sha256, sw->doc.sha256) != 0) {
			vr_diag_at(diag, (vr_where){path, lines->lines[i].line, 1}, "found the results of another sweep (scenario sha256 %.12s...), expected results of %s",
				   lines->lines[i].sha256, sw->doc.file);
			vr_point_lines_free(lines);
			return -1;
		}
	return 0;
}

int sweep_enter_round(swp_sweep *sw, unsigned round, const char *path)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_point_lines lines;
	if (swp_set_round(sw, 0, NULL, NULL, 0, &diag) != 0 || read_lines(sw, path, &lines, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	int rc = 0;
	while (rc == 0 && sw->round < round)
		rc = round_complete(sw, &lines, path, &diag) || step(sw, &lines, path, &diag) ? -1 : 0;
	vr_point_lines_free(&lines);
	if (rc != 0) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

int sweep_next_round(swp_sweep *sw, const char *path)
{
	if (!sw->target.present || sw->round >= sw->target.refine)
		return 0;
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_point_lines lines;
	int rc = read_lines(sw, path, &lines, &diag);
	if (rc == 0) {
		rc = step(sw, &lines, path, &diag);
		vr_point_lines_free(&lines);
	}
	if (rc != 0) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	return sw->point_count > 0;
}

static int write_json(const cli_args *c, const swp_sweep *sw, const knee_set *set, vr_diag *diag)
{
	vr_outfile of;
	if (vr_outfile_open(&of, c->knees, diag) != 0)
		return -1;
	if (vr_knee_json(of.stream, sw, set) != 0) {
		vr_outfile_abort(&of);
		return vr_diag_at(diag, (vr_where){c->knees, 0, 0}, "cannot write the knee report");
	}
	return vr_outfile_commit(&of, diag);
}

int sweep_report_knees(const cli_args *c, const swp_sweep *sw, const char *path)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_point_lines lines;
	knee_set set;
	if (read_lines(sw, path, &lines, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	int rc = knees_of(sw, &lines, path, ~0u, &set, &diag) ? EXIT_BAD_INPUT : 0;
	if (rc == 0 && vr_knee_table(stdout, sw, &set) != 0)
	{
		vr_diag_at(&diag, (vr_where){"stdout", 0, 0}, "cannot print the knees");
		rc = 1;
	}
	if (rc == 0 && c->knees && write_json(c, sw, &set, &diag) != 0)
		rc = 1;
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	knee_set_free(&set);
	vr_point_lines_free(&lines);
	return rc;
}
