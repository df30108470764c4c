/*
 * flags.c - the flag table of vrdmasim and its parser (getopt_long), with
 * the refusals it says.  See flags.h.
 */
#include "commands/flags.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/fit.h"
#include "commands/command.h"
#include "input/diag.h"
#include "input/units.h"
#include "input/yaml_read.h"
#include "models/scenario.h"
#include "models/target.h"
#include "sim/simgrid_cfg.h"

/* The order of the rows is the order every list of flags follows: the
 * refusals of each command name its flags in this order. */
const cli_flag CLI_FLAGS[] = {
	{FLAG_MODEL, "model", 0, "softroce|virt", CMD_CALIBRATE,
	 "the model to fit (required): softroce (perftest\noutputs, published figures) or virt (a dataset of\ncalibration/measure-vmexits)"},
	{FLAG_PRESET, "preset", 0, "P", CMD_CALIBRATE,
	 "the preset the fit starts from (default\nesxi5-qdr-2012)"},
	{FLAG_PRESET, "preset", 0, "P[,P...]", CMD_REPLAY,
	 "the presets whose modelled hardware runs the trace\n(default esxi5-qdr-2012)"},
	{FLAG_FIT, "fit", 0, "GROUPS", CMD_CALIBRATE,
	 "the factors to fit, comma-separated: fixed,\nper_packet, per_byte (default: these three) and\noverlap"},
	{FLAG_COSTS, "costs", 0, "model|measured", CMD_REPLAY,
	 "cost the software stages as the preset models them\n(model, default) or as the trace measured them,\nscaled by the clocks (measured)"},
	{FLAG_COMPARE, "compare", 0, NULL, CMD_REPLAY, "print the vRDMA option's pipeline beside the\ntrace's, stage by stage"},
	{FLAG_OUT, "out", 0, "FILE", CMD_SWEEP,
	 "append each point's results to FILE as a JSON line\n(a new file, or one to go on with --resume;\ndefault: standard output)"},
	{FLAG_OUT, "out", 0, "FILE", CMD_MERGE, "the merged results (required; written only if\nevery input is read)"},
	{FLAG_JOBS, "jobs", 'j', "N", CMD_SWEEP, "run N points at once, each in its own process\n(default 1, at most 64)"},
	{FLAG_RESUME, "resume", 0, NULL, CMD_SWEEP,
	 "go on with --out FILE: run only the points it does\nnot hold yet"},
	{FLAG_LIST_POINTS, "list-points", 0, NULL, CMD_SWEEP,
	 "print the points (index, a tab, the coordinates),\none per line, and run none"},
	{FLAG_POINT, "point", 0, "K", CMD_SWEEP,
	 "run only point K (from 0): one task of GNU parallel\nor of a Slurm job array"},
	{FLAG_ROUND, "round", 0, "R", CMD_SWEEP,
	 "--list-points and --point address round R of the\ntarget's refinement (default 0, the grid)"},
	{FLAG_FROM, "from", 0, "FILE", CMD_SWEEP,
	 "the results of the rounds before --round R\n(default: --out FILE)"},
	{FLAG_KNEES, "knees", 0, "FILE", CMD_SWEEP,
	 "write the target's knees to FILE as JSON (with\n--resume and every point done: runs nothing)"},
	{FLAG_FORMAT, "format", 0, "text|json|csv", CMD_RUN | CMD_REPLAY | CMD_REGRESS | CMD_COMPARE,
	 "output format (default text: perftest-shaped tables)"},
	{FLAG_OUT, "out", 0, "FILE", CMD_RUN | CMD_REPLAY, "write results to FILE (created only if the run\nsucceeds)"},
	{FLAG_OUT, "out", 0, "DIR", CMD_PLOT, "the folder for the pictures (required)"},
	{FLAG_OUT, "out", 0, "FILE", CMD_REGRESS, "write the comparison to FILE (whether or not\nestimates moved)"},
	{FLAG_OUT, "out", 0, "FILE", CMD_CALIBRATE,
	 "write the overlay a scenario names with\n'calibration: FILE' (only if the fit succeeds)"},
	{FLAG_OVERLAY, "overlay", 0, "FILE", CMD_CALIBRATE, "the same as --out FILE"},
	{FLAG_JSON, "json", 0, "FILE", CMD_CALIBRATE, "write the fit as JSON, which 'vrdmasim plot' draws\n(softroce only)"},
	{FLAG_KEEP_PLATFORM, "keep-platform", 0, "DIR", CMD_RUN, "keep the generated SimGrid platform as\nDIR/platform.xml"},
	{FLAG_ITERATIONS, "iterations", 0, "N", CMD_RUN | CMD_REPLAY | CMD_SWEEP | CMD_COMPARE,
	 "override the scenario's iteration count"},
	{FLAG_PRESET, "preset", 0, "P[,P...]", CMD_RUN | CMD_SWEEP,
	 "run on these presets instead of the scenario's\n(repeatable; a sweep over 'preset' sweeps these):\n--preset edr-skylake,ndr-sapphirerapids"},
	{FLAG_SET, "set", 0, "NAME=QUANTITY", CMD_RUN | CMD_VALIDATE | CMD_SWEEP | CMD_COMPARE,
	 "override a model parameter everywhere, after the\nscenario's overrides (repeatable):\n--set virt.vm_exit=2000cycles"},
	{FLAG_CFG, "cfg", 0, "NAME:VALUE", CMD_RUN,
	 "a SimGrid tracing setting, as SimGrid's --cfg=\n(repeatable): --cfg tracing:yes --cfg\ntracing/filename:run.trace writes a Paje trace"},
	{FLAG_TOLERANCE, "tolerance", 0, "[NAME=]P%", CMD_REGRESS,
	 "how far a figure may move, in percent of the\nbaseline (default 2%); NAME=P% for one figure,\nsuch as p99_us=5% (repeatable)"},
	{FLAG_ALLOW_NEW, "allow-new", 0, NULL, CMD_REGRESS,
	 "estimates in RESULTS only are reported but do not\nfail (vanished ones always do)"},
	{FLAG_MAX_ERROR, "max-error", 0, "PCT", CMD_COMPARE,
	 "exit 1 when a figure is more than PCT percent from\nthe published one (a range or a bound: beyond it;\nestimates never count), such as --max-error 50"},
	{FLAG_SIZE, "size", 0, "SIZE", CMD_PLOT, "the message size of the breakdown (default: the\nsmallest), such as 2B or 64KiB"},
	{FLAG_OPTIONS, "options", 0, "O[,O...]", CMD_PLOT,
	 "draw only these options of the results, in every\npicture: --options native,sriov,vrdma"},
	{FLAG_KNEES, "knees", 0, "FILE", CMD_PLOT,
	 "a sweep's knee report (sweep --knees FILE): its\nvariable on x, each knee and its bracket marked,\nthe target's bound as a line"},
	{FLAG_GROUP, "group", 0, "NAME", CMD_PLOT, "a sweep's pictures draw only this flow group"},
	{FLAG_X, "x", 0, "VAR", CMD_PLOT,
	 "the swept variable on a sweep's x axis (default:\nthe knee report's, else the first number that\nvaries): --x topology.hosts[*].vms"},
	{FLAG_HELP, "help", 'h', NULL, CMD_ALL, "this help (after a command: that command's)"},
	{FLAG_VERSION, "version", 'V', NULL, CMD_ALL, "the version"},
	/* the shell completion's question: hidden */
	{FLAG_COMPLETE, "complete", 0, NULL, CMD_HELP, NULL},
};
#define ROWS (sizeof CLI_FLAGS / sizeof CLI_FLAGS[0])   /* a constant here, for array sizes */
const size_t CLI_FLAG_COUNT = ROWS;

enum { LONG_VAL_BASE = 256 };   /* getopt_long's val of a long flag: above any char */

const cli_flag *cli_flag_row(cli_flag_id id, unsigned command_bit)
{
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++)
		if (CLI_FLAGS[k].id == id && (command_bit == 0 || (CLI_FLAGS[k].commands & command_bit)))
			return &CLI_FLAGS[k];
	return NULL;
}

int cli_refuse(const struct vr_command *command, const char *found, const char *expected)
{
	fprintf(stderr, "vrdmasim: found '%s', expected %s\n", found, expected);
	if (command)
		fprintf(stderr, "Try 'vrdmasim %s --help'.\n", command->name);
	else
		fprintf(stderr, "Try 'vrdmasim --help'.\n");
	return EXIT_BAD_INPUT;
}

/* ---- the refusals, said from the tables ---- */

static int counted(const cli_flag *row, unsigned command_bit)
{
	return (row->commands & command_bit) && row->help && row->id != FLAG_HELP && row->id != FLAG_VERSION &&
	       cli_flag_row(row->id, command_bit) == row;
}

/* "--a, --b or --c with 'CMD'": the flags COMMAND takes (not the ones
 * every command takes). */
static void flags_of(const vr_command *command, char *text, size_t bytes)
{
	size_t total = 0, listed = 0, used = 0;
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++)
		total += counted(&CLI_FLAGS[k], command->bit);
	text[0] = '\0';
	for (size_t k = 0; k < CLI_FLAG_COUNT && used < bytes; k++) {
		if (!counted(&CLI_FLAGS[k], command->bit))
			continue;
		listed++;
		const char *joint = listed == 1 ? "" : listed == total ? " or " : ", ";
		used += (size_t)snprintf(text + used, bytes - used, "%s--%s", joint, CLI_FLAGS[k].name);
	}
	if (used >= bytes)
		return;
	if (total == 0)
		snprintf(text, bytes, "no option with '%s'", command->name);
	else
		snprintf(text + used, bytes - used, " with '%s'", command->name);
	if (total == 1) {
		char once[128];
		snprintf(once, sizeof once, "only %s", text);
		snprintf(text, bytes, "%s", once);
	}
}

/* "'run' and 'replay'": the commands that take the flag ID. */
static void commands_of(cli_flag_id id, char *text, size_t bytes)
{
	unsigned bits = 0;
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++)
		if (CLI_FLAGS[k].id == id)
			bits |= CLI_FLAGS[k].commands;
	size_t total = 0, listed = 0, used = 0;
	for (size_t k = 0; VR_COMMANDS[k]; k++)
		total += (bits & VR_COMMANDS[k]->bit) != 0;
	text[0] = '\0';
	for (size_t k = 0; VR_COMMANDS[k] && used < bytes; k++) {
		if (!(bits & VR_COMMANDS[k]->bit))
			continue;
		listed++;
		const char *joint = listed == 1 ? "" : listed == total ? " and " : ", ";
		used += (size_t)snprintf(text + used, bytes - used, "%s'%s'", joint, VR_COMMANDS[k]->name);
	}
}

/* A flag of another command, or none at all: say which flags COMMAND
 * takes, and whose flag FOUND is or which flag it looks like. */
static int refuse_flag(const vr_command *command, const char *found, const cli_flag *known)
{
	char flags[512], expected[1024], whose[256];
	flags_of(command, flags, sizeof flags);
	if (known) {
		commands_of(known->id, whose, sizeof whose);
		snprintf(expected, sizeof expected, "%s (--%s is for %s)", flags, known->name, whose);
		return cli_refuse(command, found, expected);
	}
	const char *names[ROWS + 1];
	char storage[ROWS][40];
	size_t n = 0;
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++)
		if ((CLI_FLAGS[k].commands & command->bit) && CLI_FLAGS[k].help) {
			snprintf(storage[n], sizeof storage[n], "--%s", CLI_FLAGS[k].name);
			names[n] = storage[n];
			n++;
		}
	names[n] = NULL;
	const char *near = vr_nearest(found, names);
	if (near)
		snprintf(expected, sizeof expected, "%s (did you mean '%s'?)", flags, near);
	else
		snprintf(expected, sizeof expected, "%s", flags);
	return cli_refuse(command, found, expected);
}

/* What getopt_long returned '?' or ':' for (opterr off). */
static int refuse_token(const vr_command *command, int result, char **argv)
{
	const cli_flag *row = NULL;
	if (optopt >= LONG_VAL_BASE)
		row = cli_flag_row((cli_flag_id)(optopt - LONG_VAL_BASE), 0);
	else if (optopt)
		for (size_t k = 0; k < CLI_FLAG_COUNT && !row; k++)
			if (CLI_FLAGS[k].short_name == optopt)
				row = &CLI_FLAGS[k];
	char found[128], expected[160];
	if (result == ':' && row) {
		const cli_flag *own = cli_flag_row(row->id, command->bit);
		snprintf(found, sizeof found, "--%s", row->name);
		if (!own)
			return refuse_flag(command, found, row);
		fprintf(stderr, "vrdmasim: found '%s' without a value, expected '%s %s'\n", found, found, own->metavar);
		return EXIT_BAD_INPUT;
	}
	if (row && optopt >= LONG_VAL_BASE && !cli_flag_row(row->id, command->bit)) {
		snprintf(found, sizeof found, "--%s", row->name);
		return refuse_flag(command, found, row);
	}
	if (row && optopt >= LONG_VAL_BASE) {   /* a value given to a flag that takes none */
		snprintf(expected, sizeof expected, "'--%s' without a value", row->name);
		return cli_refuse(command, argv[optind - 1], expected);
	}
	if (optopt) {
		snprintf(found, sizeof found, "-%c", optopt);
		return refuse_flag(command, found, NULL);
	}
	/* an unknown or ambiguous long flag: the word before any '=' */
	snprintf(found, sizeof found, "%.*s", (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
	return refuse_flag(command, found, NULL);
}

/* ---- the values ---- */

static int take_format(const vr_command *command, const char *value, cli_args *c)
{
	for (int f = 0; f < FORMAT_COUNT; f++)
		if (strcmp(value, vr_format_names[f]) == 0) {
			c->format = (vr_format)f;
			return 0;
		}
	return cli_refuse(command, value, "a format: text, json or csv");
}

static int take_fit(const vr_command *command, const char *value, cli_args *c)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	if (cal_groups_parse(value, &c->groups, &diag) == 0)
		return 0;
	fprintf(stderr, "vrdmasim: %s\nTry 'vrdmasim %s --help'.\n", diag.message, command->name);
	return EXIT_BAD_INPUT;
}

static int take_size(const vr_command *command, const char *value, cli_args *c)
{
	vr_quantity q;
	char expected[160];
	if (vr_parse_quantity(value, VR_Q_SIZE, &q, expected, sizeof expected) != 0 || q.value < 1)
		return cli_refuse(command, value, "a message size with its unit, such as 2B or 64KiB");
	c->plot_size_bytes = q.value;
	return 0;
}

/* A list of option names; whether the results hold them, plot says. */
static int take_options(const vr_command *command, const char *value, cli_args *c)
{
	const char *expected = "option names separated by commas, such as native,sriov,vrdma";
	for (const char *item = value;; item++) {
		size_t len = strcspn(item, ",");
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name - 1 ? len : sizeof name - 1), item);
		if (len == 0 || len >= sizeof name || !vr_is_identifier(name))
			return cli_refuse(command, value, expected);
		item += len;
		if (!*item)
			break;
	}
	c->plot_options = value;
	return 0;
}

/* The same grammar as the scenario's `iterations:`. */
static int take_iterations(const vr_command *command, const char *value, cli_args *c)
{
	vr_quantity q;
	char expected[160];
	if (vr_parse_quantity(value, VR_Q_COUNT, &q, expected, sizeof expected) != 0 || q.value < 1 ||
	    q.value > SCN_ITERATIONS_MAX)
		return cli_refuse(command, value, "a whole number of iterations from 1 to 1000000000");
	c->iterations = (unsigned long long)q.value;
	return 0;
}

static int take_tolerance(const vr_command *command, const char *value, cli_args *c)
{
	char expected[256];
	if (vr_tolerance_parse(value, &c->tolerance, expected, sizeof expected) != 0)
		return cli_refuse(command, value, expected);
	return 0;
}

static int take_count(const vr_command *command, const char *value, unsigned long long max, const char *expected,
		      unsigned long long *out)
{
	char *end;
	if (!value[0] || strspn(value, "0123456789") != strlen(value) || strlen(value) > 12 ||
	    (*out = strtoull(value, &end, 10)) > max)
		return cli_refuse(command, value, expected);
	return 0;
}

/* Checked here, before SimGrid sees it: SimGrid aborts on a setting it
 * does not know (sim/simgrid_cfg.h). */
static int take_cfg(const vr_command *command, const char *value, cli_args *c)
{
	char expected[512];
	if (c->cfg_count == CLI_CFGS_MAX)
		return cli_refuse(command, "--cfg", "at most 16 --cfg settings (CLI_CFGS_MAX)");
	if (vr_simgrid_cfg_check(value, expected, sizeof expected) != 0)
		return cli_refuse(command, value, expected);
	c->cfgs[c->cfg_count++] = value;
	return 0;
}

static int take_jobs(const vr_command *command, const char *value, cli_args *c)
{
	unsigned long long jobs = 0;
	int rc = take_count(command, value, CLI_JOBS_MAX, "a number of workers from 1 to 64", &jobs);
	if (rc)
		return rc;
	if (jobs == 0)
		return cli_refuse(command, value, "a number of workers from 1 to 64");
	c->jobs = (unsigned)jobs;
	return 0;
}

/* calibrate and replay take one --preset (the last); run and sweep join
 * theirs into one list, which the scenario's loader reads. */
static int take_preset(const vr_command *command, const char *value, cli_args *c)
{
	c->preset = value;
	size_t used = strlen(c->presets);
	if (used + (used > 0) + strlen(value) >= sizeof c->presets)
		return cli_refuse(command, value, "presets of at most 1023 characters in all (CLI_PRESETS_BYTES)");
	if (used)
		c->presets[used++] = ',';
	memcpy(c->presets + used, value, strlen(value) + 1);
	snprintf(c->presets_label, sizeof c->presets_label, "--preset %s", c->presets);
	return 0;
}

/* A percentage: a plain number, with or without a '%'. */
static int take_max_error(const vr_command *command, const char *value, cli_args *c)
{
	char number[64];
	size_t len = strlen(value);
	if (len && value[len - 1] == '%')
		len--;
	snprintf(number, sizeof number, "%.*s", (int)(len < sizeof number - 1 ? len : sizeof number - 1), value);
	vr_quantity q;
	char expected[160];
	if (len == 0 || len >= sizeof number - 1 || vr_parse_quantity(number, VR_Q_RATIO, &q, expected, sizeof expected) != 0)
		return cli_refuse(command, value, "a percentage that is not negative, such as 50 or 12.5%");
	c->has_max_error = 1;
	c->max_error_percent = q.value;
	return 0;
}

static int take_flag(const vr_command *command, cli_flag_id id, const char *value, cli_args *c)
{
	switch (id) {
	case FLAG_MODEL:
		if (strcmp(value, "softroce") != 0 && strcmp(value, "virt") != 0)
			return cli_refuse(command, value, "a model to calibrate: softroce or virt");
		c->model = value;
		return 0;
	case FLAG_PRESET: return take_preset(command, value, c);
	case FLAG_FIT: return take_fit(command, value, c);
	case FLAG_COSTS:
		if (strcmp(value, "model") != 0 && strcmp(value, "measured") != 0)
			return cli_refuse(command, value, "a source of costs: model (the preset's) or measured (the trace's)");
		c->measured = strcmp(value, "measured") == 0;
		return 0;
	case FLAG_COMPARE: c->compare = 1; return 0;
	case FLAG_FORMAT: return take_format(command, value, c);
	case FLAG_OUT:
	case FLAG_OVERLAY:
		if (c->out && (id == FLAG_OVERLAY || c->out_is_overlay))
			return cli_refuse(command, value, "one overlay: --overlay FILE and --out FILE are the same option");
		c->out = value;
		c->out_is_overlay = id == FLAG_OVERLAY;
		return 0;
	case FLAG_JSON: c->json = value; return 0;
	case FLAG_KEEP_PLATFORM: c->keep_platform = value; return 0;
	case FLAG_ITERATIONS: return take_iterations(command, value, c);
	case FLAG_SET:
		if (c->set_count == CLI_SETS_MAX)
			return cli_refuse(command, "--set", "at most 32 --set options (CLI_SETS_MAX)");
		c->sets[c->set_count++] = value;
		return 0;
	case FLAG_SIZE: return take_size(command, value, c);
	case FLAG_OPTIONS: return take_options(command, value, c);
	case FLAG_JOBS: return take_jobs(command, value, c);
	case FLAG_RESUME: c->resume = 1; return 0;
	case FLAG_LIST_POINTS: c->list_points = 1; return 0;
	case FLAG_POINT:
		c->has_point = 1;
		return take_count(command, value, ~0ull,
				  "a point index from 0 (under Slurm: --point $SLURM_ARRAY_TASK_ID)", &c->point);
	case FLAG_HELP: c->help = 1; return 0;
	case FLAG_VERSION: c->version = 1; return 0;
	case FLAG_COMPLETE: c->complete = 1; return 0;
	case FLAG_TOLERANCE: return take_tolerance(command, value, c);
	case FLAG_ALLOW_NEW: c->allow_new = 1; return 0;
	case FLAG_CFG: return take_cfg(command, value, c);
	case FLAG_KNEES:   /* sweep writes the report, plot reads it: each takes its own */
		c->knees = c->plot_knees = value;
		return 0;
	case FLAG_FROM: c->from = value; return 0;
	case FLAG_ROUND:
		c->has_round = 1;
		return take_count(command, value, SWP_REFINE_MAX, "a round from 0 (the grid) to the target's refine:", &c->round);
	case FLAG_GROUP: c->plot_group = value; return 0;
	case FLAG_X: c->plot_x = value; return 0;
	case FLAG_MAX_ERROR: return take_max_error(command, value, c);
	case FLAG_ID_COUNT: break;
	}
	return EXIT_BAD_INPUT;
}

/* ---- the parser ---- */

/* getopt_long's view of the table: one long option per flag name; the
 * short ones after "-:": operands in order, as they come (whatever
 * POSIXLY_CORRECT says), and a missing value told apart from an unknown
 * flag. */
static void getopt_tables(struct option *longs, char *shorts)
{
	size_t n = 0, s = 0;
	shorts[s++] = '-';
	shorts[s++] = ':';
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++) {
		if (cli_flag_row(CLI_FLAGS[k].id, 0) != &CLI_FLAGS[k])
			continue;   /* another row of a flag already there */
		longs[n++] = (struct option){CLI_FLAGS[k].name, CLI_FLAGS[k].metavar ? required_argument : no_argument,
					     NULL, LONG_VAL_BASE + (int)CLI_FLAGS[k].id};
		if (CLI_FLAGS[k].short_name) {
			shorts[s++] = CLI_FLAGS[k].short_name;
			if (CLI_FLAGS[k].metavar)
				shorts[s++] = ':';
		}
	}
	longs[n] = (struct option){NULL, 0, NULL, 0};
	shorts[s] = '\0';
}

static cli_flag_id id_of(int result)
{
	if (result >= LONG_VAL_BASE)
		return (cli_flag_id)(result - LONG_VAL_BASE);
	for (size_t k = 0; k < CLI_FLAG_COUNT; k++)
		if (CLI_FLAGS[k].short_name == result)
			return CLI_FLAGS[k].id;
	return FLAG_ID_COUNT;
}

static int take_operand(const vr_command *command, const char *operand, cli_args *c)
{
	if (c->input_count == command->operands_max || c->input_count == CLI_OPERANDS_MAX)
		return cli_refuse(command, operand, command->operands_refusal);
	c->inputs[c->input_count++] = operand;
	c->scenario = c->inputs[0];
	return 0;
}

int cli_parse(const vr_command *command, int argc, char **argv, cli_args *c)
{
	struct option longs[ROWS + 1];
	char shorts[2 * ROWS + 3];
	memset(c, 0, sizeof *c);
	c->command = command->name;
	getopt_tables(longs, shorts);
	optind = 0;   /* glibc: start afresh */
	opterr = 0;   /* the refusals are ours */
	int result;
	while ((result = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (result == '?' || result == ':')
			return refuse_token(command, result, argv);
		if (result == 1) {   /* an operand */
			int rc = take_operand(command, optarg, c);
			if (rc)
				return rc;
			continue;
		}
		cli_flag_id id = id_of(result);
		const cli_flag *row = cli_flag_row(id, command->bit);
		char found[64];
		snprintf(found, sizeof found, "--%s", cli_flag_row(id, 0)->name);
		if (!row)
			return refuse_flag(command, found, cli_flag_row(id, 0));
		int rc = take_flag(command, id, optarg, c);
		if (rc)
			return rc;
		if (c->help || c->version)
			return 0;   /* nothing after them matters */
	}
	for (int i = optind; i < argc; i++) {   /* after "--" */
		int rc = take_operand(command, argv[i], c);
		if (rc)
			return rc;
	}
	const char *paths[] = {c->out, c->json, c->keep_platform, c->plot_knees};
	for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++)
		if (paths[k] && !paths[k][0])
			return cli_refuse(command, "", "a file or folder name after the option, not an empty one");
	return command->check ? command->check(c) : 0;
}
