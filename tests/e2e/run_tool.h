/*
 * run_tool.h - run the vrdmasim binary from a test and capture what it says.
 * The binary is $VRDMASIM (set by `make check`), else ./vrdmasim.
 */
#ifndef VR_TEST_RUN_TOOL_H
#define VR_TEST_RUN_TOOL_H

#include <stddef.h>

typedef struct tool_output {
	int status;          /* exit status, or 128 + signal */
	char *out;           /* stdout, NUL-terminated, malloc'd */
	size_t out_len;
	char *err;           /* stderr */
} tool_output;

/* Run vrdmasim with ARGS (NULL-terminated, without argv[0]). */
tool_output run_tool(const char *const *args);
/* Run another program (a path) the same way. */
tool_output run_program(const char *program, const char *const *args);
/* The same, killed by SIGALRM (status 128 + 14) after SECONDS (0: never),
 * for programs that might block. */
tool_output run_program_within(const char *program, const char *const *args, unsigned seconds);
void tool_output_free(tool_output *o);

/* Path of a file in the source tree ($VRDMASIM_SRCDIR/REL) in a static buffer. */
const char *src_path(const char *rel);

/* A fresh temporary directory (mkdtemp); caller removes it. */
const char *temp_dir(void);

/* Remove DIR and whatever is in it (no shell); a test fails if it cannot. */
void remove_tree(const char *dir);

/* The whole of file PATH, NUL-terminated, for the caller to free; a test
 * fails if it cannot be read. */
char *read_file(const char *path);

/* A sweep's results file PATH as its lines without their "ran" member
 * (when and where a point ran), sorted and joined (free it); their count
 * into *LINES if not NULL.  A test fails on a partial last line or a line
 * without "ran". */
char *sweep_lines_canonical(const char *path, size_t *lines);

/* Write TEXT into DIR/NAME (a test fails if it cannot); its path, in a
 * static buffer. */
const char *write_test_file(const char *dir, const char *name, const char *text);

/* The columns of a flows scenario's CSV (docs/results-schema.md). */
enum {
	FLOWS_COL_OPS = 4, FLOWS_COL_OPS_PER_S = 5, FLOWS_COL_MB_PER_S = 6, FLOWS_COL_P50_US = 7, FLOWS_COL_P99_US = 8,
	FLOWS_COL_VISITS = 12, FLOWS_COL_UTILISATION = 13, FLOWS_COL_P99_WAIT_US = 15, FLOWS_COL_VM_EXITS_PER_S = 16,
	FLOWS_COL_INTERRUPTS_PER_S = 17, FLOWS_COL_LOOKUPS = 18, FLOWS_COL_HIT_RATE = 19,
};

/* Column COLUMN (0-based) of the first row of KIND (group, vm, server,
 * host, cache) named NAME in a flows CSV; NaN if absent or empty. */
double flows_csv_cell(const char *csv, const char *kind, const char *name, int column);

/* Column COLUMN of the CSV row whose first fields match PRESET, OPTION and
 * SIZE (as text) in CSV; NaN when absent. */
double csv_value(const char *csv, const char *preset, const char *option, const char *size,
		 const char *column);

/* Sum of the breakdown_* columns of that row. */
double csv_breakdown_sum(const char *csv, const char *preset, const char *option, const char *size);

/* The same for the row whose verb is VERB too: a scenario with several
 * workloads has a row per verb for each preset, option and size. */
double csv_value_verb(const char *csv, const char *preset, const char *option, const char *verb,
		      const char *size, const char *column);
double csv_breakdown_sum_verb(const char *csv, const char *preset, const char *option, const char *verb,
			      const char *size);

/* The text of cell K (0-based, after the leading '|') of the Markdown
 * table row LINE into OUT (SIZE bytes): trimmed, runs of spaces made one,
 * backticks dropped.  -1 when the row has fewer cells. */
int markdown_cell(const char *line, int k, char *out, size_t size);

#endif
