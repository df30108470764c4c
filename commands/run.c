/*
 * run.c - `vrdmasim run [SCENARIO.yaml]`: run a scenario and report it.
 * Nothing is written to --out unless the whole run succeeded.
 */
#include "commands/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands/command.h"
#include "commands/outputs.h"
#include "input/catalog.h"
#include "input/outfile.h"
#include "input/yaml_tree.h"
#include "models/replay.h"
#include "models/replay_scenario.h"
#include "output/report.h"
#include "output/vrdma_migration_report.h"
#include "sim/engine.h"
#include "sim/flow_experiment.h"
#include "sim/simgrid_cfg.h"

static const char *const HEADLINE = "scenarios/seed-vrdma-write-lat.yaml";

/* The scenario's tree: the file, or the built-in headline; with --preset,
 * its presets replaced by the command line's. */
static int load_tree(const cli_args *c, yt_doc *doc, vr_diag *diag)
{
	int rc;
	if (c->scenario) {
		rc = yt_load_file(c->scenario, doc, diag);
	} else {
		const vr_embedded_file *f = vr_catalog_file(HEADLINE);
		rc = yt_load_buffer(HEADLINE, f->text, f->length, doc, diag);
	}
	if (rc != 0 || !c->presets[0])
		return rc;
	yt_node *list = scn_preset_list(c->presets, c->presets_label, diag);
	if (!list)
		return -1;
	rc = doc->root && doc->root->type == YT_MAP ? scn_replace_presets(doc->root, list, diag) : 0;
	yt_free(&(yt_doc){.root = list});
	return rc;
}

int cmd_load_scenario(const cli_args *c, scn_scenario *s)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	yt_doc doc = {0};
	memset(s, 0, sizeof *s);
	int rc = load_tree(c, &doc, &diag);
	if (rc == 0)
		rc = scn_load_doc(&doc, s, &diag);
	yt_free(&doc);
	for (size_t i = 0; rc == 0 && i < c->set_count; i++)
		rc = scn_set_parameter(s, c->sets[i], &diag);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	return rc;
}

/* Open --out and the trace file a --cfg asks for, before the run: a bad
 * path fails at once.  Both are all-or-nothing: SimGrid traces into the
 * trace's temporary file, renamed into place with the results. */
static int open_outputs(const cli_args *c, vr_outfile *out, vr_outfile *trace, vr_diag *diag)
{
	const char *trace_file = vr_simgrid_cfg_trace_file(c->cfgs, c->cfg_count);
	if (c->out && vr_outfile_open(out, c->out, diag) != 0)
		return -1;
	if (trace_file && vr_outfile_open(trace, trace_file, diag) != 0) {
		if (c->out)
			vr_outfile_abort(out);
		return -1;
	}
	return 0;
}

static int commit_outputs(vr_outfile *out, vr_outfile *trace, vr_diag *diag)
{
	vr_outfile *files[] = {out, trace};
	return vr_outfile_commit_all(files, 2, diag);
}

static void abort_outputs(vr_outfile *out, vr_outfile *trace)
{
	if (out->stream)
		vr_outfile_abort(out);
	if (trace->stream)
		vr_outfile_abort(trace);
}

/* A `vrdma_migration:` scenario: the model's arithmetic, no engine
 * (models/vrdma_migration.h); the outputs are all-or-nothing as a run's. */
static int run_vrdma_migration(const cli_args *c, scn_scenario *s, vr_outfile *of, vr_outfile *trace)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	FILE *stream = c->out ? of->stream : stdout;
	int rc = vr_vmig_report(s, c->format, &(vr_invocation){c->argc, c->argv, c->set_count, c->sets}, stream, &diag);
	if (rc == 0 && !c->out && (fflush(stdout) != 0 || ferror(stdout)))
		rc = vr_diag_at(&diag, (vr_where){"stdout", 0, 0}, "cannot write the results: %s", strerror(errno));
	if (rc == 0)
		rc = commit_outputs(of, trace, &diag);
	else
		abort_outputs(of, trace);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	scn_free(s);
	return rc ? 1 : 0;
}

int cmd_run_loaded(const cli_args *c, scn_scenario *s, const char *argv0)
{
	if (cmd_outputs_refused(c)) {
		scn_free(s);
		return EXIT_BAD_INPUT;
	}
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_outfile of = {0}, trace = {0};
	if (open_outputs(c, &of, &trace, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		scn_free(s);
		return 1;
	}
	if (s->vmig)
		return run_vrdma_migration(c, s, &of, &trace);
	vr_engine_config config = {.keep_platform_dir = c->keep_platform, .argv0 = argv0, .cfgs = c->cfgs,
				   .cfg_count = c->cfg_count};
	if (trace.stream)
		config.trace_file = trace.temp[0] ? trace.temp : trace.target;
	vr_run run;
	int rc = vr_engine_run(s, &config, &run, &diag);
	FILE *stream = c->out ? of.stream : stdout;
	if (rc == 0)
		rc = vr_report(&run, c->format, &(vr_invocation){c->argc, c->argv, c->set_count, c->sets}, stream, &diag);
	if (rc == 0 && s->replay && c->format == FORMAT_TEXT)
		vr_replay_print_profile(s->replay, s->replay_map, stream);
	if (rc == 0 && s->replay && c->format == FORMAT_TEXT)
		scn_replay_print_migration(s, stream);
	if (rc == 0 && c->compare && c->format == FORMAT_TEXT)
		rc = vr_report_compare(&run, stream, &diag);
	if (rc == 0 && !c->out && (fflush(stdout) != 0 || ferror(stdout)))
		rc = vr_diag_at(&diag, (vr_where){"stdout", 0, 0}, "cannot write the results: %s", strerror(errno));
	if (rc == 0)
		rc = commit_outputs(&of, &trace, &diag);
	else
		abort_outputs(&of, &trace);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	vr_run_free(&run);
	scn_free(s);
	return rc ? 1 : 0;
}

static int run_command(const cli_args *c, const char *argv0)
{
	scn_scenario s;
	if (cmd_load_scenario(c, &s) != 0) {
		scn_free(&s);
		return EXIT_BAD_INPUT;
	}
	if (c->iterations)
		scn_set_iterations(&s, c->iterations);
	/* What the many-flow engine cannot run yet is refused before any
	 * output is opened. */
	vr_diag diag;
	vr_diag_clear(&diag);
	if (s.flows.group_count && vr_flow_check(&s, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		scn_free(&s);
		return EXIT_BAD_INPUT;
	}
	return cmd_run_loaded(c, &s, argv0);
}

const vr_command VR_CMD_RUN = {
	.name = "run",
	.bit = CMD_RUN,
	.synopsis = "run [SCENARIO.yaml] [OPTION...]",
	.description = "run a scenario (without a file: the built-in headline\n"
		       "scenario, scenarios/seed-vrdma-write-lat.yaml)",
	.operands_max = 1,
	.operands_refusal = "at most one scenario file",
	.handler = run_command,
};
