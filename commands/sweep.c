/*
 * sweep.c - `vrdmasim sweep FILE`: run the points of a scenario's `sweep:`
 * block (models/sweep.h), streaming one JSON line per point (the
 * contract: docs/results-schema.md, "Sweeps").  --list-points prints the
 * points, --point K runs one (GNU parallel, a Slurm job array), --resume
 * goes on with a results file; the workers are commands/sweep_pool.h's,
 * a target's rounds and knees commands/sweep_rounds.h's.
 *
 * Every point is loaded before any runs (only point K with --point), so a
 * value the scenario refuses fails the sweep at once, exit 2, located.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/command.h"
#include "commands/outputs.h"
#include "commands/sweep_pool.h"
#include "commands/sweep_rounds.h"
#include "input/point_lines.h"

/* Every point of the current round (or point K alone) loads, and the
 * target fits the first: 0, or EXIT_BAD_INPUT said. */
static int check_points(const cli_args *c, const swp_sweep *sw)
{
	size_t first = c->has_point ? (size_t)c->point : 0, end = c->has_point ? first + 1 : sw->point_count;
	if (first >= sw->point_count)
		return 0;   /* run_points refuses K */
	for (size_t k = first; k < end; k++) {
		vr_diag diag;
		vr_diag_clear(&diag);
		scn_scenario s;
		int rc = sweep_load_point(c, sw, k, &s, &diag);
		if (rc == 0 && k == first)
			rc = swp_check_target(sw, &s, &diag);
		scn_free(&s);
		if (rc != 0) {
			fprintf(stderr, "%s\n", diag.message);
			return EXIT_BAD_INPUT;
		}
	}
	return 0;
}

static int list_points(const swp_sweep *sw)
{
	char coordinates[4096];
	for (size_t k = 0; k < sw->point_count; k++) {
		swp_describe(sw, k, coordinates, sizeof coordinates);
		printf("%zu\t%s\n", k, coordinates);
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* The points PATH holds already, marked in DONE; a partial last line (a
 * write a kill cut) is dropped first, and said. */
static int read_done(const char *path, const swp_sweep *sw, unsigned char *done, vr_diag *diag)
{
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 0;
	vr_point_lines lines;
	if (vr_point_lines_read(path, &lines, diag) != 0)
		return -1;
	int rc = 0;
	if (lines.torn_bytes) {
		if (truncate(path, (off_t)lines.whole_bytes) != 0)
			rc = vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot drop its partial last line: %s", strerror(errno));
		else
			fprintf(stderr, "vrdmasim: %s: dropped a partial last line (%zu bytes) that an interrupted write left; its point runs again\n",
				path, lines.torn_bytes);
	}
	for (size_t i = 0; rc == 0 && i < lines.count; i++) {
		const vr_point_line *l = &lines.lines[i];
		if (l->round != sw->round && strcmp(l->sha256, sw->doc.sha256) == 0)
			continue;   /* another round's point */
		if (strcmp(l->sha256, sw->doc.sha256) != 0)
			rc = vr_diag_at(diag, (vr_where){path, l->line, 1}, "found the results of another sweep (scenario sha256 %.12s...), expected results of %s (sha256 %.12s...)",
					l->sha256, sw->doc.file, sw->doc.sha256);
		else if (l->index >= sw->point_count)
			rc = vr_diag_at(diag, (vr_where){path, l->line, 1}, "found point %zu, expected a point of %s (0 to %zu)", l->index,
					sw->doc.file, sw->point_count - 1);
		else
			done[l->index] = 1;
	}
	vr_point_lines_free(&lines);
	return rc;
}

/* The results file, ready to append to: a new one, or (--resume) the one
 * to go on with.  The descriptor, or -1 with DIAG filled. */
static int open_results(const cli_args *c, const swp_sweep *sw, int going_on, unsigned char *done, vr_diag *diag)
{
	if (!c->out)
		return STDOUT_FILENO;
	struct stat st;
	if (!going_on && stat(c->out, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		return vr_diag_at(diag, (vr_where){"--out", 0, 0}, "found '%s', which holds results already, expected a new file (or --resume to go on with it)",
				  c->out);
	if (going_on && read_done(c->out, sw, done, diag) != 0)
		return -1;
	int fd = open(c->out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return vr_diag_at(diag, (vr_where){"--out", 0, 0}, "cannot open '%s': %s", c->out, strerror(errno));
	return fd;
}

/* Run the current round's points (point K alone with --point) that the
 * results do not hold; GOING_ON: the results file is one to go on with
 * (--resume, or a round after the grid). */
static int run_points(const cli_args *c, const swp_sweep *sw, int going_on)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	if (c->has_point && c->point >= sw->point_count) {
		fprintf(stderr, "vrdmasim: found point %llu, expected a point of %s from 0 to %zu\n", c->point, sw->doc.file,
			sw->point_count - 1);
		return EXIT_BAD_INPUT;
	}
	if (sw->round == 0 && cmd_outputs_refused(c))   /* later rounds append to the results they read */
		return EXIT_BAD_INPUT;
	unsigned char *done = calloc(sw->point_count, 1);
	size_t *todo = calloc(sw->point_count, sizeof *todo);
	int fd = done && todo ? open_results(c, sw, going_on, done, &diag) : vr_diag_at(&diag, (vr_where){"sweep", 0, 0}, "out of memory");
	int rc = EXIT_BAD_INPUT;
	if (fd >= 0) {
		size_t count = 0, held = 0;
		for (size_t k = c->has_point ? (size_t)c->point : 0; k < (c->has_point ? c->point + 1 : sw->point_count); k++)
			if (!done[k])
				todo[count++] = k;
		for (size_t k = 0; k < sw->point_count; k++)
			held += done[k];
		rc = sweep_pool_run(&(sweep_job){.c = c, .sweep = sw, .points = todo, .count = count, .fd = fd, .held = held});
		if (fd != STDOUT_FILENO && close(fd) != 0) {
			fprintf(stderr, "vrdmasim: cannot write '%s': %s\n", c->out, strerror(errno));
			rc = 1;
		}
	} else
		fprintf(stderr, "%s\n", diag.message);
	free(done);
	free(todo);
	return rc;
}

/* Every round in turn (the grid alone without a target), then the knees. */
static int run_rounds(const cli_args *c, swp_sweep *sw)
{
	int rc = run_points(c, sw, c->resume), more = 0;
	while (rc == 0 && c->out && (more = sweep_next_round(sw, c->out)) == 1)
		rc = run_points(c, sw, 1);
	if (rc == 0 && more == EXIT_BAD_INPUT)
		rc = EXIT_BAD_INPUT;
	if (rc == 0 && sw->target.present && c->out)
		rc = sweep_report_knees(c, sw, c->out);
	return rc;
}

/* The target's demands on the command line. */
static int target_refused(const cli_args *c, const swp_sweep *sw)
{
	char found[64] = "";
	const char *expected = NULL;
	if (!sw->target.present && c->knees) {
		snprintf(found, sizeof found, "--knees and no 'target:' in the sweep");
		expected = "a target to find the knees of, such as 'target: p99 <= 10us'";
	} else if (c->has_round && c->round > sw->target.refine) {
		snprintf(found, sizeof found, "--round %llu", c->round);
		expected = sw->target.present ? "a round the target's 'refine:' asks for (0 to its value)" : "--round 0 (no target, so no refinement)";
	} else if (sw->target.present && !c->out && !c->list_points && !c->has_point && (sw->target.refine || c->knees)) {
		snprintf(found, sizeof found, "no --out");
		expected = "--out FILE (the knees and each round of refinement read the results back)";
	}
	if (!expected)
		return 0;
	fprintf(stderr, "vrdmasim: %s: found %s, expected %s\n", sw->doc.file, found, expected);
	return EXIT_BAD_INPUT;
}

/* --preset: every point runs on the command line's presets. */
static int replace_presets(const cli_args *c, swp_sweep *sw, vr_diag *diag)
{
	if (!c->presets[0])
		return 0;
	yt_node *list = scn_preset_list(c->presets, c->presets_label, diag);
	if (!list)
		return -1;
	int rc = swp_replace_presets(sw, list, diag);
	yt_free(&(yt_doc){.root = list});
	return rc;
}

static int sweep_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	vr_diag diag;
	vr_diag_clear(&diag);
	swp_sweep sw;
	if (swp_open(c->scenario, &sw, &diag) != 0 || replace_presets(c, &sw, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		swp_close(&sw);
		return EXIT_BAD_INPUT;
	}
	int later = c->has_round && c->round > 0;
	cli_args grid = *c;
	grid.has_point = c->has_point && !later;   /* a later round's K is not the grid's */
	int rc = target_refused(c, &sw);
	if (rc == 0)
		rc = check_points(&grid, &sw);
	if (rc == 0 && later && (rc = sweep_enter_round(&sw, (unsigned)c->round, c->from ? c->from : c->out)) == 0 && c->has_point)
		rc = check_points(c, &sw);
	if (rc == 0)
		rc = c->list_points ? list_points(&sw) : c->has_point ? run_points(c, &sw, c->resume) : run_rounds(c, &sw);
	swp_close(&sw);
	return rc;
}

static int sweep_check(const cli_args *c)
{
	if (!c->scenario)
		return cli_refuse(&VR_CMD_SWEEP, "", "a scenario with a 'sweep' block: vrdmasim sweep FILE");
	if (c->resume && !c->out)
		return cli_refuse(&VR_CMD_SWEEP, "--resume", "--resume with --out FILE, the results to go on with");
	if (c->has_round && !c->list_points && !c->has_point)
		return cli_refuse(&VR_CMD_SWEEP, "--round", "--round R with --list-points or --point K (a whole sweep runs every round)");
	if (c->has_round && c->round > 0 && !c->from && !c->out)
		return cli_refuse(&VR_CMD_SWEEP, "--round", "--round R with --from FILE or --out FILE, the results of the rounds before R");
	if (c->from && !c->has_round)
		return cli_refuse(&VR_CMD_SWEEP, "--from", "--from FILE with --round R");
	return 0;
}

const vr_command VR_CMD_SWEEP = {
	.name = "sweep",
	.bit = CMD_SWEEP,
	.synopsis = "sweep SCENARIO.yaml [--out FILE] [-j N] [OPTION...]",
	.description = "run every point of the scenario's 'sweep' block,\n"
		       "each an independent run in its own process, and\n"
		       "write one JSON line per point as it ends;\n"
		       "--list-points and --point K split the points\n"
		       "between machines (GNU parallel, a Slurm job array);\n"
		       "with a 'target:', rounds of bisection follow the\n"
		       "grid and the knees are printed at the end",
	.operands_max = 1,
	.operands_refusal = "one scenario file",
	.check = sweep_check,
	.handler = sweep_command,
};
