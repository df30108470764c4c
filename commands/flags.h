/*
 * flags.h - the flags of vrdmasim: one table, and the parser that reads it.
 *
 * Each row of CLI_FLAGS names a flag, its short form, the metavariable of
 * its value (NULL: it takes none; "a|b|c": one of those words), the
 * commands that take it (CMD_* bits) and its help.  A flag whose meaning
 * differs between commands has a row per meaning (--out FILE of 'run',
 * --out DIR of 'plot').  getopt_long parses the command line from this
 * table; the help, the man page, the refusals and the shell completion
 * are generated from it, so none of them can drift from the parser.
 */
#ifndef VR_COMMANDS_FLAGS_H
#define VR_COMMANDS_FLAGS_H

#include <stddef.h>

#include "output/regress.h"
#include "output/report.h"

/* The commands, as the flag table names them. */
enum {
	CMD_RUN = 1u << 0,
	CMD_VALIDATE = 1u << 1,
	CMD_PLOT = 1u << 2,
	CMD_CALIBRATE = 1u << 3,
	CMD_REPLAY = 1u << 4,
	CMD_LIST = 1u << 5,
	CMD_HELP = 1u << 6,
	CMD_SWEEP = 1u << 7,
	CMD_MERGE = 1u << 8,
	CMD_REGRESS = 1u << 9,
	CMD_COMPARE = 1u << 10,
	CMD_ALL = (1u << 11) - 1,
};

enum {
	CLI_SETS_MAX = 32,      /* --set options in one command line */
	CLI_OPERANDS_MAX = 1024, /* operands: calibrate's datasets, merge's parts (a job array's) */
	CLI_JOBS_MAX = 64,      /* sweep -j: workers (input/cleanup.h watches as many) */
	CLI_CFGS_MAX = 16,      /* --cfg NAME:VALUE in one command line */
	CLI_PRESETS_BYTES = 1024, /* run and sweep --preset: all the names, with their commas */
};

typedef enum cli_flag_id {
	FLAG_MODEL, FLAG_PRESET, FLAG_FIT, FLAG_COSTS, FLAG_COMPARE, FLAG_FORMAT, FLAG_OUT, FLAG_OVERLAY, FLAG_JSON,
	FLAG_KEEP_PLATFORM, FLAG_ITERATIONS, FLAG_SET, FLAG_SIZE, FLAG_OPTIONS, FLAG_JOBS, FLAG_RESUME, FLAG_LIST_POINTS,
	FLAG_POINT, FLAG_HELP, FLAG_VERSION, FLAG_COMPLETE, FLAG_TOLERANCE, FLAG_ALLOW_NEW, FLAG_CFG,
	FLAG_KNEES, FLAG_ROUND, FLAG_FROM, FLAG_GROUP, FLAG_X, FLAG_MAX_ERROR, FLAG_ID_COUNT
} cli_flag_id;

typedef struct cli_flag {
	cli_flag_id id;
	const char *name;     /* without the leading "--" */
	char short_name;      /* 0: none */
	const char *metavar;  /* NULL: takes no value; "a|b": one of those words */
	unsigned commands;    /* CMD_* bits of the commands that take it */
	const char *help;     /* lines of at most 53 characters; NULL: hidden */
} cli_flag;

/* The table, in the order help and refusals list the flags. */
extern const cli_flag CLI_FLAGS[];
extern const size_t CLI_FLAG_COUNT;

/* A command line, parsed. */
typedef struct cli_args {
	const char *command;             /* the command's name */
	const char *scenario;            /* the first operand: scenario, results, trace, command */
	const char *inputs[CLI_OPERANDS_MAX]; /* every operand (calibrate: datasets) */
	size_t input_count;
	const char *out;
	const char *keep_platform;
	vr_format format;
	unsigned long long iterations;   /* 0: the scenario's */
	const char *sets[CLI_SETS_MAX];  /* --set NAME=QUANTITY, in order */
	size_t set_count;
	double plot_size_bytes;          /* plot --size; 0: the smallest */
	const char *plot_options;        /* plot --options O[,O...]; NULL: every option */
	const char *plot_knees;          /* plot --knees K.json: a sweep's knee report */
	const char *plot_group;          /* plot --group NAME: one flow group of a sweep */
	const char *plot_x;              /* plot --x VAR: a sweep's variable on the x axis */
	const char *model, *preset;      /* calibrate --model, --preset; replay --preset */
	char presets[CLI_PRESETS_BYTES]; /* run, sweep --preset P[,P...] (repeatable), joined by
					  * commas; "" without one: the scenario's presets */
	char presets_label[CLI_PRESETS_BYTES + 16]; /* "--preset LIST": where its errors point */
	const char *json;                /* calibrate --json */
	int out_is_overlay;              /* calibrate: --out was given as --overlay */
	unsigned groups;                 /* calibrate --fit; 0: the default */
	int compare;                     /* replay --compare */
	int measured;                    /* replay --costs measured */
	vr_tolerance tolerance;          /* regress --tolerance */
	int allow_new;                   /* regress --allow-new */
	int has_max_error;               /* compare --max-error given: */
	double max_error_percent;        /* how far (%) a figure may be from the published one */
	const char *cfgs[CLI_CFGS_MAX];  /* run --cfg NAME:VALUE (SimGrid's tracing), in order */
	size_t cfg_count;
	unsigned jobs;                   /* sweep -j; 0: one */
	int resume, list_points;         /* sweep --resume, --list-points */
	int has_point;                   /* sweep --point given: */
	unsigned long long point;        /* its index */
	const char *knees;               /* sweep --knees FILE: the knee report */
	unsigned long long round;        /* sweep --round R: the round --list-points and --point address */
	int has_round;
	const char *from;                /* sweep --from FILE: the rounds before --round (default --out) */
	int help, version, complete;     /* --help, --version, help --complete */
	int argc;                        /* the whole command line, program first: results' provenance */
	char **argv;
} cli_args;

struct vr_command;

/* Parse the flags and operands of COMMAND in ARGV[1..ARGC-1] (ARGV[0] is
 * the command's name), in order; "--" ends the flags into C.  Returns 0,
 * or EXIT_BAD_INPUT with the refusal said on stderr. */
int cli_parse(const struct vr_command *command, int argc, char **argv, cli_args *c);

/* The flag's row for COMMAND's bit (the first row of the flag for any
 * command when COMMAND_BIT is 0); NULL if COMMAND takes no such flag. */
const cli_flag *cli_flag_row(cli_flag_id id, unsigned command_bit);

/* Say "vrdmasim: found 'FOUND', expected EXPECTED" on stderr, and where
 * the help of COMMAND (NULL: the global help) is; returns EXIT_BAD_INPUT. */
int cli_refuse(const struct vr_command *command, const char *found, const char *expected);

#endif
