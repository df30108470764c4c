/*
 * main.c - the vrdmasim command line: run, validate, plot, calibrate, list.
 *
 * Exit status: 0 success; 2 bad input (scenario, preset, option, command
 * line), with "FILE:LINE:COL: found X, expected Y" on stderr; 1 a failure
 * while running or writing output.  Nothing is written to --out unless the
 * whole run succeeded.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration/fit.h"
#include "plots/plot.h"
#include "input/catalog.h"
#include "sim/engine.h"
#include "input/file.h"
#include "input/outfile.h"
#include "models/replay_scenario.h"
#include "output/report.h"
#include "models/scenario.h"
#include "input/yaml_read.h"

enum {
	EXIT_BAD_INPUT = 2,
	CLI_SETS_MAX = 32,    /* --set options in one command line */
};

static const char *const HEADLINE = "scenarios/seed-vrdma-write-lat.yaml";

static const char USAGE[] =
	"Usage: vrdmasim COMMAND [ARGS]\n"
	"\n"
	"A discrete-event simulator (SimGrid) and performance model of virtualized RDMA.\n"
	"\n"
	"Commands:\n"
	"  run [SCENARIO.yaml]    run a scenario (without a file: the built-in headline\n"
	"                         scenario, scenarios/seed-vrdma-write-lat.yaml)\n"
	"  validate SCENARIO.yaml check a scenario, its presets and options, run nothing\n"
	"  plot RESULTS.json --out DIR [--size SIZE]\n"
	"                         draw a run's results with gnuplot (PNG and SVG):\n"
	"                         latency and bandwidth against size per option, and\n"
	"                         the breakdown per option at SIZE (default: the smallest)\n"
	"  calibrate DATASET... --model softroce [--preset P] [--fit GROUPS] [--out FILE] [--json FILE]\n"
	"                         fit the SoftRoCE model to perftest outputs (a dataset\n"
	"                         folder) or published figures (CSV); print the factors,\n"
	"                         their 95%% intervals, residuals and R^2; --out writes\n"
	"                         the overlay a scenario names with 'calibration: FILE';\n"
	"                         --json the fit, which 'vrdmasim plot' draws\n"
	"                         GROUPS: fixed,per_packet,per_byte (default) and overlap\n"
	"  replay TRACE [--preset P[,P...]] [--costs model|measured] [--compare]\n"
	"                         estimate the operations of a vrdma-perf trace on a\n"
	"                         preset's modelled hardware: the vRDMA option with each\n"
	"                         stage repeated as often as the trace saw it (default\n"
	"                         preset esxi5-qdr-2012); --compare prints the option's\n"
	"                         pipeline beside it, stage by stage; --costs measured\n"
	"                         costs the software stages as the trace measured them\n"
	"                         (scaled by the clocks); takes --format,\n"
	"                         --out and --iterations as run does\n"
	"  list                   the built-in presets and options\n"
	"\n"
	"Options of run:\n"
	"  --format text|json|csv output format (default text: perftest-shaped tables)\n"
	"  --out FILE             write results to FILE (created only if the run succeeds)\n"
	"  --keep-platform DIR    keep the generated SimGrid platform as DIR/platform.xml\n"
	"  --iterations N         override the scenario's iteration count\n"
	"  --set NAME=QUANTITY    override a model parameter everywhere, after the\n"
	"                         scenario's overrides (repeatable): --set virt.vm_exit=2000cycles\n"
	"\n"
	"  -h, --help             this help\n"
	"  -V, --version          the version\n"
	"\n"
	"Exit status: 0 success, 2 bad input (located on stderr), 1 run or output failure.\n"
	"Documentation: docs/scenario-format.md, docs/results-schema.md, docs/architecture.md\n";

typedef struct cli {
	const char *command;
	const char *scenario;
	const char *out;
	const char *keep_platform;
	vr_format format;
	unsigned long long iterations;   /* 0: the scenario's */
	const char *sets[CLI_SETS_MAX];  /* --set NAME=QUANTITY, in order */
	size_t set_count;
	int argc;                        /* the whole command line, for provenance */
	char **argv;
	double plot_size_bytes;          /* plot --size; 0: the smallest */
	const char *inputs[16];          /* calibrate: datasets */
	size_t input_count;
	const char *model, *preset;      /* calibrate --model, --preset */
	const char *json;                /* calibrate --json */
	unsigned groups;                 /* calibrate --fit */
	int compare;                     /* replay --compare */
	int measured;                    /* replay --costs measured */
} cli;

static int bad_cli(const char *found, const char *expected)
{
	fprintf(stderr, "vrdmasim: found '%s', expected %s\n", found, expected);
	fprintf(stderr, "Try 'vrdmasim --help'.\n");
	return EXIT_BAD_INPUT;
}

static int option_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "vrdmasim: found '%s' without a value, expected '%s VALUE'\n", argv[*i], argv[*i]);
		return EXIT_BAD_INPUT;
	}
	*out = argv[++*i];
	return 0;
}

static int parse_run_flag(cli *c, int argc, char **argv, int *i)
{
	static const char *const flags[] = {"--format", "--out", "--keep-platform", "--iterations", "--set", "--size", "--help", "--version", NULL};
	const char *arg = argv[*i], *value;
	if (strcmp(arg, "--model") == 0) {
		if (option_value(argc, argv, i, &value))
			return EXIT_BAD_INPUT;
		if (strcmp(value, "softroce") != 0)
			return bad_cli(value, "a model to calibrate: softroce");
		c->model = value;
		return 0;
	}
	if (strcmp(arg, "--preset") == 0)
		return option_value(argc, argv, i, &c->preset);
	if (strcmp(arg, "--costs") == 0) {
		if (option_value(argc, argv, i, &value))
			return EXIT_BAD_INPUT;
		if (strcmp(value, "model") != 0 && strcmp(value, "measured") != 0)
			return bad_cli(value, "a source of costs: model (the preset's) or measured (the trace's)");
		c->measured = strcmp(value, "measured") == 0;
		return 0;
	}
	if (strcmp(arg, "--compare") == 0) {
		c->compare = 1;
		return 0;
	}
	if (strcmp(arg, "--json") == 0)
		return option_value(argc, argv, i, &c->json);
	if (strcmp(arg, "--fit") == 0) {
		if (option_value(argc, argv, i, &value))
			return EXIT_BAD_INPUT;
		vr_diag diag;
		vr_diag_clear(&diag);
		if (cal_groups_parse(value, &c->groups, &diag) != 0) {
			fprintf(stderr, "vrdmasim: %s\nTry 'vrdmasim --help'.\n", diag.message);
			return EXIT_BAD_INPUT;
		}
		return 0;
	}
	if (strcmp(arg, "--size") == 0) {
		if (option_value(argc, argv, i, &value))
			return EXIT_BAD_INPUT;
		vr_quantity q;
		char expected[160];
		if (vr_parse_quantity(value, VR_Q_SIZE, &q, expected, sizeof expected) != 0 || q.value < 1)
			return bad_cli(value, "a message size with its unit, such as 2B or 64KiB");
		c->plot_size_bytes = q.value;
		return 0;
	}
	if (strcmp(arg, "--format") == 0) {
		if (option_value(argc, argv, i, &value))
			return EXIT_BAD_INPUT;
		for (int f = 0; f < FORMAT_COUNT; f++)
			if (strcmp(value, vr_format_names[f]) == 0) {
				c->format = (vr_format)f;
				return 0;
			}
		return bad_cli(value, "a format: text, json or csv");
	}
	if (strcmp(arg, "--out") == 0)
		return option_value(argc, argv, i, &c->out);
	if (strcmp(arg, "--set") == 0) {
		if (c->set_count == sizeof c->sets / sizeof c->sets[0])
			return bad_cli(arg, "at most 32 --set options (CLI_SETS_MAX)");
		return option_value(argc, argv, i, &c->sets[c->set_count++]);
	}
	if (strcmp(arg, "--keep-platform") == 0)
		return option_value(argc, argv, i, &c->keep_platform);
	if (strcmp(arg, "--iterations") == 0) {
		if (option_value(argc, argv, i, &value))
			return EXIT_BAD_INPUT;
		/* The same grammar as the scenario's `iterations:`. */
		vr_quantity q;
		char expected[160];
		if (vr_parse_quantity(value, VR_Q_COUNT, &q, expected, sizeof expected) != 0 ||
		    q.value < 1 || q.value > SCN_ITERATIONS_MAX)
			return bad_cli(value, "a whole number of iterations from 1 to 1000000000");
		c->iterations = (unsigned long long)q.value;
		return 0;
	}
	const char *near = vr_nearest(arg, flags);
	char expected[160];
	if (near)
		snprintf(expected, sizeof expected, "an option of '%s' (did you mean '%s'?)", c->command, near);
	else
		snprintf(expected, sizeof expected, "an option of '%s': --format, --out, --keep-platform, --iterations or --set", c->command);
	return bad_cli(arg, expected);
}

/* The options each command takes, and what to say of any other. */
static const char *const RUN_FLAGS[] = {"--format", "--out", "--keep-platform", "--iterations", "--set", NULL};
static const char *const VALIDATE_FLAGS[] = {"--set", NULL};
static const char *const PLOT_FLAGS[] = {"--out", "--size", NULL};
static const char *const CALIBRATE_FLAGS[] = {"--model", "--preset", "--fit", "--out", "--json", NULL};
static const char *const REPLAY_FLAGS[] = {"--preset", "--costs", "--compare", "--format", "--out", "--iterations", NULL};
static const char *const NO_FLAGS[] = {NULL};

static const struct {
	const char *command;
	const char *const *flags;
	const char *refusal;       /* NULL: parse_run_flag explains (and suggests) */
} COMMANDS[] = {
	{"run", RUN_FLAGS, NULL},
	/* validate runs nothing and writes nothing: only --set applies. */
	{"validate", VALIDATE_FLAGS, "only --set with 'validate'"},
	{"plot", PLOT_FLAGS, "--out or --size with 'plot'"},
	{"calibrate", CALIBRATE_FLAGS, "--model, --preset, --fit, --out or --json with 'calibrate'"},
	{"replay", REPLAY_FLAGS, "--preset, --costs, --compare, --format, --out or --iterations with 'replay'"},
	{"list", NO_FLAGS, "no option for this command"},
};

static int listed(const char *const *list, const char *word)
{
	for (size_t k = 0; list[k]; k++)
		if (strcmp(list[k], word) == 0)
			return 1;
	return 0;
}

/* 0 if COMMAND takes FLAG; else the bad-command-line status, said. */
static int flag_refused(const char *command, const char *flag)
{
	size_t k = 0;
	while (strcmp(COMMANDS[k].command, command) != 0)
		k++;
	if (listed(COMMANDS[k].flags, flag))
		return 0;
	/* Name the command a known option belongs to, where it helps. */
	int commands_with_own_refusal = COMMANDS[k].flags == VALIDATE_FLAGS || COMMANDS[k].flags == NO_FLAGS ||
					COMMANDS[k].flags == CALIBRATE_FLAGS || COMMANDS[k].flags == REPLAY_FLAGS;
	if (!commands_with_own_refusal && listed(CALIBRATE_FLAGS, flag))
		return bad_cli(flag, "an option of this command (--model, --preset, --fit and --json are for 'calibrate')");
	if (COMMANDS[k].flags == RUN_FLAGS && strcmp(flag, "--size") == 0)
		return bad_cli(flag, "an option of 'run' (--size is for 'plot')");
	return COMMANDS[k].refusal ? bad_cli(flag, COMMANDS[k].refusal) : 0;
}

static int parse_cli(cli *c, int argc, char **argv)
{
	static const char *const commands[] = {"run", "validate", "plot", "calibrate", "replay", "list", NULL};
	memset(c, 0, sizeof *c);
	if (argc < 2)
		return bad_cli("", "a command: run, validate, plot, calibrate, replay or list");
	c->command = argv[1];
	c->argc = argc;
	c->argv = argv;
	int known = 0;
	for (int k = 0; commands[k]; k++)
		known |= strcmp(commands[k], c->command) == 0;
	if (!known) {
		const char *near = vr_nearest(c->command, commands);
		char expected[96];
		if (near)
			snprintf(expected, sizeof expected, "a command (did you mean '%s'?)", near);
		else
			snprintf(expected, sizeof expected, "a command: run, validate, plot, calibrate, replay or list");
		return bad_cli(c->command, expected);
	}
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			int refused = flag_refused(c->command, argv[i]);
			if (refused)
				return refused;
			int rc = parse_run_flag(c, argc, argv, &i);
			if (rc)
				return rc;
		} else if (strcmp(c->command, "calibrate") == 0) {
			if (c->input_count == sizeof c->inputs / sizeof c->inputs[0])
				return bad_cli(argv[i], "at most 16 datasets");
			c->inputs[c->input_count++] = argv[i];
		} else if (!c->scenario && strcmp(c->command, "list") != 0) {
			c->scenario = argv[i];
		} else {
			return bad_cli(argv[i], strcmp(c->command, "plot") == 0 ? "one results file"
						: strcmp(c->command, "replay") == 0 ? "one trace file" : "at most one scenario file");
		}
	}
	const char *paths[] = {c->out, c->json, c->keep_platform};
	for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++)
		if (paths[k] && !paths[k][0])
			return bad_cli("", "a file or folder name after the option, not an empty one");
	if (strcmp(c->command, "calibrate") == 0 && (!c->input_count || !c->model))
		return bad_cli("", c->input_count ? "--model softroce: the model to calibrate"
						  : "a dataset folder or CSV: vrdmasim calibrate DATASET... --model softroce");
	if (strcmp(c->command, "plot") == 0 && (!c->scenario || !c->out))
		return bad_cli("", c->scenario ? "--out DIR: the folder for the pictures" : "a results file: vrdmasim plot RESULTS.json --out DIR");
	if (strcmp(c->command, "validate") == 0 && !c->scenario)
		return bad_cli("", "a scenario file to validate");
	if (strcmp(c->command, "replay") == 0 && !c->scenario)
		return bad_cli("", "a trace file: vrdmasim replay TRACE [--preset P] [--compare]");
	return 0;
}

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

static int refuse_colliding_outputs(const cli *c, const char *platform, vr_diag *diag)
{
	const char *named[][2] = {{"--out", c->out}, {"--json", c->json}, {"--keep-platform", platform[0] ? platform : NULL}};
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
static int outputs_refused(const cli *c)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	char platform[4200] = "";
	if (c->keep_platform && c->keep_platform[0])
		snprintf(platform, sizeof platform, "%s/platform.xml", c->keep_platform);
	if ((c->out && vr_output_check(c->out, "--out", &diag)) || (c->json && vr_output_check(c->json, "--json", &diag)) ||
	    (c->keep_platform && vr_output_check(c->keep_platform, "--keep-platform", &diag)) ||
	    (platform[0] && vr_output_check(platform, "--keep-platform", &diag)) ||
	    refuse_colliding_outputs(c, platform, &diag)) {
		fprintf(stderr, "%s\n", diag.message);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int load_scenario(const cli *c, scn_scenario *s)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc;
	if (c->scenario) {
		rc = scn_load_file(c->scenario, s, &diag);
	} else {
		const vr_embedded_file *f = vr_catalog_file(HEADLINE);
		rc = scn_load_buffer(HEADLINE, f->text, f->length, s, &diag);
	}
	for (size_t i = 0; rc == 0 && i < c->set_count; i++)
		rc = scn_set_parameter(s, c->sets[i], &diag);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	return rc;
}

static int command_list(void)
{
	const char *names[64];
	char storage[64][64];
	static const char *const dirs[] = {"models/presets", "models/options"};
	for (size_t d = 0; d < 2; d++) {
		vr_catalog_names(dirs[d], names, 64, storage);
		printf("%s:\n", d == 0 ? "presets" : "options");
		for (size_t i = 0; names[i]; i++)
			printf("  %s\n", names[i]);
	}
	return 0;
}

static int command_plot(const cli *c)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_plot_request rq = {.results_path = c->scenario, .out_dir = c->out, .breakdown_bytes = c->plot_size_bytes,
			      .gnuplot = getenv("VRDMASIM_GNUPLOT")};
	int bad_input;
	if (vr_plot(&rq, &bad_input, &diag) == 0)
		return 0;
	fprintf(stderr, "%s\n", diag.message);
	return bad_input ? EXIT_BAD_INPUT : 1;
}

static int command_calibrate(const cli *c)
{
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
	if (outputs_refused(c))
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
	int rc = vr_outfile_commit_all((vr_outfile *const[]){&overlay, &json}, 2, &diag);
	if (rc)
		fprintf(stderr, "%s\n", diag.message);
	return rc ? 1 : 0;
}

/* The scenario of `vrdmasim replay TRACE`: that trace on the presets asked
 * for (--compare puts the pipeline's own option beside it). */
static int load_replay(const cli *c, scn_scenario *s)
{
	scn_replay_request rq = {.trace = c->scenario, .costs = c->measured ? COSTS_MEASURED : COSTS_MODEL,
				 .iterations = c->iterations, .compare = c->compare};
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc = scn_replay_build(&rq, c->preset, s, &diag);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	return rc;
}

static int command_run(const cli *c, const char *argv0)
{
	scn_scenario s;
	int replay = strcmp(c->command, "replay") == 0;
	if ((replay ? load_replay(c, &s) : load_scenario(c, &s)) != 0) {
		scn_free(&s);
		return EXIT_BAD_INPUT;
	}
	if (c->iterations && !replay)
		scn_set_iterations(&s, c->iterations);
	if (outputs_refused(c)) {
		scn_free(&s);
		return EXIT_BAD_INPUT;
	}
	vr_diag diag;
	vr_diag_clear(&diag);
	/* Open the output first: a bad path should fail before a long run. */
	vr_outfile of = {0};
	if (c->out && vr_outfile_open(&of, c->out, &diag) != 0) {
		fprintf(stderr, "%s\n", diag.message);
		scn_free(&s);
		return 1;
	}
	vr_engine_config config = {.keep_platform_dir = c->keep_platform, .argv0 = argv0};
	vr_run run;
	int rc = vr_engine_run(&s, &config, &run, &diag);
	FILE *stream = c->out ? of.stream : stdout;
	if (rc == 0)
		rc = vr_report(&run, c->format, &(vr_invocation){c->argc, c->argv, c->set_count, c->sets}, stream, &diag);
	if (rc == 0 && s.replay && c->format == FORMAT_TEXT)
		vr_replay_print_profile(s.replay, s.replay_map, stream);
	if (rc == 0 && c->compare && c->format == FORMAT_TEXT)
		rc = vr_report_compare(&run, stream, &diag);
	if (rc == 0 && c->out)
		rc = vr_outfile_commit(&of, &diag);
	else if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = vr_diag_at(&diag, (vr_where){"stdout", 0, 0}, "cannot write the results: %s", strerror(errno));
	else if (rc != 0 && c->out)
		vr_outfile_abort(&of);
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	vr_run_free(&run);
	scn_free(&s);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(USAGE, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("vrdmasim %s\n", PACKAGE_VERSION);
			return 0;
		}
	}
	cli c;
	int rc = parse_cli(&c, argc, argv);
	if (rc)
		return rc;
	if (strcmp(c.command, "list") == 0)
		return command_list();
	if (strcmp(c.command, "plot") == 0)
		return command_plot(&c);
	if (strcmp(c.command, "calibrate") == 0)
		return command_calibrate(&c);
	if (strcmp(c.command, "validate") == 0) {
		scn_scenario s;
		rc = load_scenario(&c, &s);
		size_t sizes = 0;
		for (size_t w = 0; rc == 0 && w < s.workload_count; w++)
			sizes += s.workloads[w].size_count;
		if (rc == 0)
			printf("%s: valid (%zu preset(s), %zu workload(s), %zu option(s), %zu size(s))\n", c.scenario,
			       s.preset_count, s.workload_count, s.option_count, sizes);
		scn_free(&s);
		return rc ? EXIT_BAD_INPUT : 0;
	}
	return command_run(&c, argv[0]);
}
