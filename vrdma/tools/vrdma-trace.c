/*
 * vrdma/tools/vrdma-trace.c -- `vrdma-trace FILE`: summarise a vRDMA trace,
 * or convert it to Chrome trace-event JSON; `vrdma-trace --merge OUT FILE...`
 * makes one trace of the traces of a run's processes.  Only the command
 * line lives here; the work is in vrdma/trace/trace_summary.c,
 * trace_chrome.c and trace_merge.c.
 *
 * Exit status: 0 success, 2 a bad command line or a bad trace (the reason
 * on stderr, and no output file left behind), 1 a failure to write stdout.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vrdma/trace/trace_chrome.h"
#include "vrdma/trace/trace_merge.h"
#include "vrdma/trace/trace_summary.h"

#define ERR_BYTES 1024

enum mode { MODE_TABLE, MODE_JSON, MODE_CHROME, MODE_MERGE };

struct command {
	const char *trace_path;
	const char *chrome_path;  /* MODE_CHROME */
	const char *merge_path;   /* MODE_MERGE: the output */
	const char *inputs[VTRACE_MERGE_INPUTS_MAX];   /* MODE_MERGE */
	size_t input_count;
	enum mode mode;
};

static const char usage_text[] =
	"Usage: vrdma-trace FILE [--json | --chrome OUT.json]\n"
	"       vrdma-trace --merge OUT FILE FILE...\n"
	"\n"
	"Summarise a vRDMA trace (vrdma-perf --trace FILE) as tables, or convert it.\n"
	"\n"
	"Options:\n"
	"  --json              the summary as JSON\n"
	"  --chrome OUT.json   Chrome trace-event JSON, for ui.perfetto.dev\n"
	"  --merge OUT         one trace of the traces of a run's processes (a guest\n"
	"                      program's VRDMA_VERBS_TRACE first, then vrdma-host\n"
	"                      --trace files), in end-time order, with the first\n"
	"                      file's configuration\n"
	"  -h, --help          this help\n"
	"  -V, --version       the version\n"
	"\n"
	"Exit status: 0 success, 2 a bad command line or a bad trace, 1 a failure to\n"
	"write standard output.\n";

static int usage(const char *problem, const char *word)
{
	if (problem)
		fprintf(stderr, "vrdma-trace: %s%s%s\n", problem, word ? ": " : "", word ? word : "");
	fputs(usage_text, stderr);
	return 2;
}

/* Fills CMD; returns -1 (done, exit 0: --help, --version), 0, or 2 (usage printed). */
static int parse(int argc, char **argv, struct command *cmd)
{
	int modes = 0;
	memset(cmd, 0, sizeof *cmd);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(usage_text, stdout);
			return -1;
		} else if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
			printf("vrdma-trace (vrdmasim) %s\n", PACKAGE_VERSION);
			return -1;
		} else if (strcmp(arg, "--json") == 0) {
			cmd->mode = MODE_JSON;
			modes++;
		} else if (strcmp(arg, "--chrome") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage("--chrome needs an output file", NULL);
			cmd->chrome_path = argv[++i];
			cmd->mode = MODE_CHROME;
			modes++;
		} else if (strcmp(arg, "--merge") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage("--merge needs an output file", NULL);
			cmd->merge_path = argv[++i];
			cmd->mode = MODE_MERGE;
			modes++;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return usage("unknown option", arg);
		} else if (cmd->mode == MODE_MERGE || cmd->input_count > 0) {
			if (cmd->input_count == VTRACE_MERGE_INPUTS_MAX)
				return usage("too many traces to merge (at most 64)", arg);
			cmd->inputs[cmd->input_count++] = arg;
		} else if (cmd->trace_path) {
			return usage("one trace file at a time, found another", arg);
		} else {
			cmd->trace_path = arg;
		}
	}
	if (modes > 1)
		return usage("--json, --chrome and --merge exclude each other", NULL);
	if (cmd->mode == MODE_MERGE) {
		if (cmd->trace_path) {   /* a file named before --merge */
			memmove(cmd->inputs + 1, cmd->inputs, cmd->input_count * sizeof cmd->inputs[0]);
			cmd->inputs[0] = cmd->trace_path;
			cmd->input_count++;
		}
		return cmd->input_count >= 2 ? 0 : usage("--merge needs at least two traces", NULL);
	}
	if (!cmd->trace_path)
		return usage("missing the trace file", NULL);
	return 0;
}

static int run_summary(const struct command *cmd)
{
	char err[ERR_BYTES];
	struct vtrace_summary *summary = vtrace_summary_new(0);
	if (!summary) {
		fprintf(stderr, "vrdma-trace: out of memory\n");
		return 2;
	}
	if (vtrace_summary_read(summary, cmd->trace_path, err, sizeof err) != 0) {
		fprintf(stderr, "vrdma-trace: %s\n", err);
		vtrace_summary_free(summary);
		return 2;
	}
	int failed = cmd->mode == MODE_JSON ? vtrace_summary_print_json(summary, cmd->trace_path, stdout)
					    : vtrace_summary_print(summary, cmd->trace_path, stdout);
	vtrace_summary_free(summary);
	if (failed) {
		fprintf(stderr, "vrdma-trace: cannot write the summary to standard output\n");
		return 1;
	}
	return 0;
}

static int run_chrome(const struct command *cmd)
{
	char err[ERR_BYTES];
	if (vtrace_chrome_convert(cmd->trace_path, cmd->chrome_path, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "vrdma-trace: %s\n", err);
		return 2;
	}
	return 0;
}

static int run_merge(const struct command *cmd)
{
	char err[ERR_BYTES];
	if (vtrace_merge(cmd->merge_path, cmd->inputs, cmd->input_count, err, sizeof err) != 0) {
		fprintf(stderr, "vrdma-trace: %s\n", err);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct command cmd;
	int status = parse(argc, argv, &cmd);
	if (status != 0)
		return status < 0 ? 0 : status;
	if (cmd.mode == MODE_MERGE)
		return run_merge(&cmd);
	return cmd.mode == MODE_CHROME ? run_chrome(&cmd) : run_summary(&cmd);
}
