/*
 * compare.c - `vrdmasim compare FIGURES.yaml`: run each published figure's
 * scenario (models/published.h) and print published, model and error,
 * with how much of each estimate rests on assumptions and which
 * parameters it depends on (output/compare.h).
 *
 * The whole file is loaded and checked before anything runs.  SimGrid
 * runs once per process (sim/engine.h), so each figure runs in a child of
 * its own, which sends its numbers back through a pipe.  The comparison
 * is a report: a model that disagrees still exits 0, unless --max-error
 * says how far it may (then 1 beyond it, estimates aside).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd_io.h"
#include "commands/command.h"
#include "output/compare.h"
#include "sim/assumed.h"
#include "sim/engine.h"


/* What a child sends back: the figure's numbers, or why it failed. */
typedef struct child_report {
	int ok;
	double model;                   /* ns or bits/s */
	double assumed_share;
	double shares[MDL_PARAM_COUNT];
	char error[VR_DIAG_MESSAGE_MAX];
} child_report;

/* The model's figure for F's metric from the one result R. */
static double model_figure(const pub_figure *f, const vr_result *r)
{
	switch (f->metric) {
	case PUB_T_TYPICAL: return r->median_ns;
	case PUB_T_AVG: return r->mean_ns;
	case PUB_BW_AVERAGE: return r->bw.average_bytes_per_s * 8;
	case PUB_BW_PEAK: return r->bw.peak_bytes_per_s * 8;
	case PUB_METRIC_COUNT: break;
	}
	return 0;
}

/* In the child: run F and fill REPORT. */
static void run_figure(const pub_figure *f, const char *argv0, child_report *report)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_run run = {0};
	if (vr_engine_run(&f->scenario, &(vr_engine_config){.argv0 = argv0}, &run, &diag) != 0) {
		snprintf(report->error, sizeof report->error, "%s", diag.message);
		return;
	}
	const vr_result *r = &run.results[0];
	report->model = model_figure(f, r);
	report->assumed_share = r->assumed_share;
	if (vr_result_param_shares(r, &f->scenario, report->shares) != 0)
		snprintf(report->error, sizeof report->error, "%s: out of memory", f->id);
	else
		report->ok = 1;
	vr_run_free(&run);
}

/* Run F in a child process; its numbers into ROW.  0, or 1 said on stderr. */
static int run_in_child(const pub_figure *f, const char *argv0, vr_compare_row *row)
{
	static child_report report;   /* large: not on the stack */
	int fds[2];
	if (pipe(fds) != 0) {
		fprintf(stderr, "vrdmasim: cannot run figure %s: %s\n", f->id, strerror(errno));
		return 1;
	}
	fflush(NULL);   /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		memset(&report, 0, sizeof report);
		run_figure(f, argv0, &report);
		_exit(fd_write_all(fds[1], &report, sizeof report) == 0 ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0) {
		fprintf(stderr, "vrdmasim: cannot run figure %s: %s\n", f->id, strerror(errno));
		close(fds[0]);
		return 1;
	}
	int got = fd_read_all(fds[0], &report, sizeof report) == 0;
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!got || !report.ok) {
		fprintf(stderr, "vrdmasim: figure %s did not run%s%s\n", f->id, got ? ": " : "", got ? report.error : "");
		return 1;
	}
	row->figure = f;
	row->model = report.model;
	row->assumed_share = report.assumed_share;
	memcpy(row->shares, report.shares, sizeof row->shares);
	row->verdict = pub_compare(f, row->model, &row->error_percent);
	return 0;
}

/* The file, with --set applied to every figure's scenario.  0, or
 * EXIT_BAD_INPUT said on stderr. */
static int load(const cli_args *c, pub_file *file)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc = pub_load(c->scenario, file, &diag);
	for (size_t i = 0; rc == 0 && i < file->count; i++)
		for (size_t k = 0; rc == 0 && k < c->set_count; k++)
			rc = scn_set_parameter(&file->figures[i].scenario, c->sets[k], &diag);
	for (size_t i = 0; rc == 0 && c->iterations && i < file->count; i++)
		scn_set_iterations(&file->figures[i].scenario, c->iterations);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	return rc ? EXIT_BAD_INPUT : 0;
}

static int compare_command(const cli_args *c, const char *argv0)
{
	pub_file file;
	if (load(c, &file) != 0) {
		pub_free(&file);
		return EXIT_BAD_INPUT;
	}
	vr_compare_row *rows = calloc(file.count, sizeof *rows);
	int rc = rows ? 0 : 1;
	for (size_t i = 0; rc == 0 && i < file.count; i++)
		rc = run_in_child(&file.figures[i], argv0, &rows[i]);
	if (rc == 0 && (vr_compare_write(&file, rows, c->sets, c->set_count, c->format, stdout) != 0 || fflush(stdout) != 0)) {
		fprintf(stderr, "vrdmasim: cannot write the comparison: %s\n", strerror(errno));
		rc = 1;
	}
	for (size_t i = 0; rc == 0 && c->has_max_error && i < file.count; i++)
		if (vr_compare_beyond(&rows[i], c->max_error_percent)) {
			fprintf(stderr, "vrdmasim: figure %s: the model is %+.1f%% from the published figure, beyond --max-error %g%%\n",
				rows[i].figure->id, rows[i].error_percent, c->max_error_percent);
			rc = 1;
		}
	free(rows);
	pub_free(&file);
	return rc;
}

static int compare_check(const cli_args *c)
{
	return c->scenario ? 0 : cli_refuse(&VR_CMD_COMPARE, "", "a file of published figures, such as validation/published.yaml");
}

const vr_command VR_CMD_COMPARE = {
	.name = "compare",
	.bit = CMD_COMPARE,
	.synopsis = "compare FIGURES.yaml [OPTION...]",
	.description = "run each published figure's scenario and print\n"
		       "published, model and error, how much of each\n"
		       "estimate rests on assumptions and the parameters\n"
		       "it depends on (validation/published.yaml; see\n"
		       "docs/validation.md)",
	.operands_max = 1,
	.operands_refusal = "one file of published figures",
	.check = compare_check,
	.handler = compare_command,
	.exit_status = "Exit status: 0 every figure ran (whatever the errors), 1 a figure could not run\n"
		       "or one is beyond --max-error, 2 bad input (located on stderr).\n",
};
