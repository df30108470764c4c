/*
 * calibrate.c - `vrdmasim calibrate DATASET... --model softroce`: fit the
 * SoftRoCE model to measurements; print the fit, and write the overlay
 * (--out) and the fit as JSON (--json) only if it succeeds.
 * `vrdmasim calibrate DATASET --model virt`: fit the virt.* parameters to
 * a VM-exit dataset (calibration/virt_fit.h) the same way.
 */
#include <stdio.h>
#include <string.h>

#include "calibration/dataset.h"
#include "calibration/fit.h"
#include "calibration/virt_fit.h"
#include "calibration/vmexit_data.h"
#include "commands/command.h"
#include "commands/outputs.h"
#include "input/diag.h"
#include "input/outfile.h"

/* --model virt: one VM-exit dataset; the overlay only if the fit succeeds. */
static int calibrate_virt(const cli_args *c)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	static cal_vx_dataset data;
	static cal_virt_result fit;
	if (cal_vx_load(c->inputs[0], &data, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	/* open the overlay first: a bad path fails before the fit */
	vr_outfile overlay = {0};
	int rc = 0;
	if (c->out && vr_outfile_open(&overlay, c->out, &diag) != 0)
		rc = 1;
	else if (cal_virt_fit(&data, c->preset ? c->preset : "esxi5-qdr-2012", &fit, &diag) != 0)
		rc = EXIT_BAD_INPUT;
	if (rc == 0) {
		cal_virt_report(&data, &fit, stdout);
		if (c->out) {
			cal_virt_write_overlay(&fit, c->inputs[0], overlay.stream);
			rc = vr_outfile_commit_all((vr_outfile *const[]){&overlay}, 1, &diag) ? 1 : 0;
		}
	} else if (c->out && overlay.stream) {
		vr_outfile_abort(&overlay);
	}
	if (rc)
		fprintf(stderr, "%s\n", diag.message);
	cal_vx_free(&data);
	return rc;
}

static int calibrate_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	if (strcmp(c->model, "virt") == 0)
		return calibrate_virt(c);
	vr_diag diag;
	vr_diag_clear(&diag);
	static cal_dataset data;
	static cal_fit_result fit;
	char inputs[2048] = "";
	for (size_t i = 0; i < c->input_count; i++) {
		if (cal_dataset_add(&data, c->inputs[i], &diag) != 0) {
			fprintf(stderr, "%s\n", diag.message);
			return EXIT_BAD_INPUT;
		}
		snprintf(inputs + strlen(inputs), sizeof inputs - strlen(inputs), "%s%s", i ? ", " : "", c->inputs[i]);
	}
	if (cmd_outputs_refused(c))
		return EXIT_BAD_INPUT;
	cal_fit_request rq = {.preset = c->preset ? c->preset : "esxi5-qdr-2012",
			      .groups = c->groups ? c->groups : CAL_GROUPS_DEFAULT};
	/* Open the outputs before fitting: a bad path fails first; nothing is
	 * written unless the fit succeeds. */
	vr_outfile overlay = {0}, json = {0};
	if ((c->out && vr_outfile_open(&overlay, c->out, &diag) != 0) ||
	    (c->json && vr_outfile_open(&json, c->json, &diag) != 0)) {
		fprintf(stderr, "%s\n", diag.message);
		if (c->out && overlay.stream)
			vr_outfile_abort(&overlay);
		return 1;
	}
	if (cal_fit(&data, &rq, &fit, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		if (c->out)
			vr_outfile_abort(&overlay);
		if (c->json)
			vr_outfile_abort(&json);
		return EXIT_BAD_INPUT;
	}
	cal_fit_report(&data, &fit, stdout);
	if (c->out)
		cal_fit_write_overlay(&fit, inputs, overlay.stream);
	if (c->json)
		cal_fit_write_json(&data, &fit, inputs, json.stream);
	/* both outputs or neither, even if interrupted between them */
	int rc = vr_outfile_commit_all((vr_outfile *const[]){&overlay, &json}, 2, &diag);
	if (rc)
		fprintf(stderr, "%s\n", diag.message);
	return rc ? 1 : 0;
}

static int calibrate_check(const cli_args *c)
{
	if (!c->input_count || !c->model)
		return cli_refuse(&VR_CMD_CALIBRATE, "", c->input_count ? "--model softroce or --model virt: the model to calibrate"
			: "a dataset folder or CSV: vrdmasim calibrate DATASET... --model softroce|virt");
	if (strcmp(c->model, "virt") == 0 && c->input_count != 1)
		return cli_refuse(&VR_CMD_CALIBRATE, c->inputs[1], "one VM-exit dataset with --model virt");
	if (strcmp(c->model, "virt") == 0 && (c->json || c->groups))
		return cli_refuse(&VR_CMD_CALIBRATE, c->json ? "--json" : "--fit",
				  "--model softroce for --json and --fit (the virt fit writes its overlay only)");
	return 0;
}

const vr_command VR_CMD_CALIBRATE = {
	.name = "calibrate",
	.bit = CMD_CALIBRATE,
	.synopsis = "calibrate DATASET... --model softroce|virt [OPTION...]",
	.description = "fit the SoftRoCE model to perftest outputs (a dataset\n"
		       "folder: perftest's text, *.txt, 4.x or >= 24.07, and its\n"
		       "--out_json files, *.json) or published figures (CSV);\n"
		       "print the factors, their 95% intervals, residuals and\n"
		       "R^2; --out writes the overlay a scenario names with\n"
		       "'calibration: FILE'; --json the fit, which 'vrdmasim\n"
		       "plot' draws. --model virt fits the virt.* parameters\n"
		       "to one dataset of calibration/measure-vmexits",
	.operands_max = CLI_OPERANDS_MAX,
	.operands_refusal = "at most 16 datasets",
	.check = calibrate_check,
	.handler = calibrate_command,
};
