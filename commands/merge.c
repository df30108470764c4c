/*
 * merge.c - `vrdmasim merge A.jsonl B.jsonl ... --out ALL.jsonl`: join the
 * results files of one sweep's parts (`sweep --point K` on many machines)
 * into one, ordered by round and point.  Refused: files of another sweep
 * (the scenario's sha256 in the provenance differs), a point twice with
 * different results (the "ran" member aside), a partial last line.  The
 * output is written only if every input was read (input/outfile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "commands/outputs.h"
#include "input/outfile.h"
#include "input/point_lines.h"
#include "output/sweep_line.h"

typedef struct entry {
	const vr_point_line *line;
	const char *file;
} entry;

static int by_point(const void *a, const void *b)
{
	const vr_point_line *x = ((const entry *)a)->line, *y = ((const entry *)b)->line;
	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int same_results(const vr_point_line *a, const vr_point_line *b)
{
	size_t na = vr_sweep_line_without_ran(a->text, a->length), nb = vr_sweep_line_without_ran(b->text, b->length);
	return na == nb && memcmp(a->text, b->text, na) == 0;
}

/* Read every input; OUT: their lines, in one array.  0, or -1 with DIAG. */
static int read_inputs(const cli_args *c, vr_point_lines *files, entry **out, size_t *count, vr_diag *diag)
{
	size_t total = 0;
	for (size_t f = 0; f < c->input_count; f++) {
		if (vr_point_lines_read(c->inputs[f], &files[f], diag) != 0)
			return -1;
		if (files[f].torn_bytes)
			return vr_diag_at(diag, (vr_where){c->inputs[f], files[f].count + 1, 1},
					  "found a partial last line (%zu bytes, an interrupted write), expected whole lines ('vrdmasim sweep --resume' mends it)",
					  files[f].torn_bytes);
		total += files[f].count;
	}
	entry *all = *out = calloc(total ? total : 1, sizeof *all);
	if (!all)
		return vr_diag_at(diag, (vr_where){"merge", 0, 0}, "out of memory");
	const vr_point_line *first = NULL;
	const char *first_file = NULL;
	for (size_t f = 0; f < c->input_count; f++)
		for (size_t i = 0; i < files[f].count; i++) {
			const vr_point_line *l = &files[f].lines[i];
			if (!first) {
				first = l;
				first_file = c->inputs[f];
			} else if (strcmp(l->sha256, first->sha256) != 0)
				return vr_diag_at(diag, (vr_where){c->inputs[f], l->line, 1},
						  "found the results of another sweep (scenario sha256 %.12s...), expected the sweep of %s:%u (sha256 %.12s...)",
						  l->sha256, first_file, first->line, first->sha256);
			all[(*count)++] = (entry){l, c->inputs[f]};
		}
	return 0;
}

/* Sorted ALL without repeats, into OF; a point twice with other results is refused. */
static int write_merged(entry *all, size_t count, vr_outfile *of, vr_diag *diag)
{
	qsort(all, count, sizeof *all, by_point);
	for (size_t i = 0; i < count; i++) {
		if (i && by_point(&all[i - 1], &all[i]) == 0) {
			if (!same_results(all[i - 1].line, all[i].line))
				return vr_diag_at(diag, (vr_where){all[i].file, all[i].line->line, 1},
						  "found point %zu again with other results than %s:%u, expected one result per point",
						  all[i].line->index, all[i - 1].file, all[i - 1].line->line);
			continue;
		}
		if (fwrite(all[i].line->text, 1, all[i].line->length, of->stream) != all[i].line->length)
			return vr_diag_at(diag, (vr_where){of->target, 0, 0}, "cannot write the merged results");
	}
	return 0;
}

static int merge_command(const cli_args *c, const char *argv0)
{
	(void)argv0;
	if (cmd_outputs_refused(c))
		return EXIT_BAD_INPUT;
	vr_diag diag;
	vr_diag_clear(&diag);
	vr_point_lines *files = calloc(c->input_count, sizeof *files);
	entry *all = NULL;
	size_t count = 0;
	int rc = files ? read_inputs(c, files, &all, &count, &diag) : vr_diag_at(&diag, (vr_where){"merge", 0, 0}, "out of memory");
	int status = rc ? EXIT_BAD_INPUT : 0;
	vr_outfile of = {0};
	if (rc == 0 && vr_outfile_open(&of, c->out, &diag) != 0)
		rc = -1, status = 1;
	if (rc == 0 && write_merged(all, count, &of, &diag) != 0) {
		vr_outfile_abort(&of);
		rc = -1;
		status = strstr(diag.message, "cannot write") ? 1 : EXIT_BAD_INPUT;
	} else if (rc == 0 && vr_outfile_commit(&of, &diag) != 0)
		rc = -1, status = 1;
	if (rc != 0)
		fprintf(stderr, "%s\n", diag.message);
	for (size_t f = 0; files && f < c->input_count; f++)
		vr_point_lines_free(&files[f]);
	free(files);
	free(all);
	return status;
}

static int merge_check(const cli_args *c)
{
	if (!c->scenario || !c->out)
		return cli_refuse(&VR_CMD_MERGE, "", c->scenario ? "--out FILE: the merged results"
								 : "results files: vrdmasim merge A.jsonl B.jsonl ... --out ALL.jsonl");
	return 0;
}

const vr_command VR_CMD_MERGE = {
	.name = "merge",
	.bit = CMD_MERGE,
	.synopsis = "merge RESULTS.jsonl... --out FILE",
	.description = "join the results files of one sweep's parts\n"
		       "(sweep --point K on many machines) into one,\n"
		       "ordered by point; refuses files of another sweep\n"
		       "and a point twice with different results",
	.operands_max = CLI_OPERANDS_MAX,
	.operands_refusal = "at most 1024 results files (merge in steps beyond)",
	.check = merge_check,
	.handler = merge_command,
};
