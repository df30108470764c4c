/*
 * vrdma/trace/trace_merge.c -- a k-way merge of traces by end time.
 *
 * The inputs are few (a host process and its guests), so the next record
 * is found by a scan over the inputs' heads rather than a heap.
 */
#include "vrdma/trace/trace_merge.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vrdma/trace/trace.h"
#include "vrdma/trace/trace_read.h"

struct head {
	struct vtrace_reader *reader;
	struct vtrace_record record;
	int live;    /* record holds the input's next record */
};

static uint64_t end_ns(const struct vtrace_record *r)
{
	return r->time_ns + r->duration_ns;
}

/* Read the next record of H; 0, or -1 with ERR filled. */
static int advance(struct head *h, char *err, size_t err_bytes)
{
	int rc = vtrace_reader_next(h->reader, &h->record, err, err_bytes);
	h->live = rc == 1;
	return rc < 0 ? -1 : 0;
}

static int open_inputs(struct head *heads, const char *output, const char *const *inputs, size_t count, char *err,
		       size_t err_bytes)
{
	struct stat out;
	int output_exists = stat(output, &out) == 0;
	for (size_t i = 0; i < count; i++) {
		heads[i].reader = vtrace_reader_open(inputs[i], err, err_bytes);
		if (!heads[i].reader)
			return -1;
		dev_t device;
		ino_t inode;
		vtrace_reader_file_id(heads[i].reader, &device, &inode);
		if (output_exists && out.st_dev == device && out.st_ino == inode) {
			snprintf(err, err_bytes, "%s: the output is input %zu (%s), expected another file", output, i + 1,
				 inputs[i]);
			return -1;
		}
		if (advance(&heads[i], err, err_bytes) != 0)
			return -1;
	}
	return 0;
}

/* The first input's configuration and where the rest came from. */
static char *merged_config(const struct head *heads, size_t count)
{
	const char *first = vtrace_reader_config(heads[0].reader);
	size_t bytes = strlen(first) + 64;
	char *text = malloc(bytes);
	if (!text)
		return NULL;
	size_t n = strlen(first);
	memcpy(text, first, n);
	if (n > 0 && text[n - 1] != '\n')
		text[n++] = '\n';
	snprintf(text + n, bytes - n, "merged-from: %zu traces\n", count);
	return text;
}

static int copy_in_order(struct vtrace *trace, struct head *heads, size_t count, char *err, size_t err_bytes)
{
	for (;;) {
		struct head *next = NULL;
		for (size_t i = 0; i < count; i++)
			if (heads[i].live && (!next || end_ns(&heads[i].record) < end_ns(&next->record)))
				next = &heads[i];
		if (!next)
			return 0;
		vtrace_emit(trace, &next->record);
		if (advance(next, err, err_bytes) != 0)
			return -1;
	}
}

int vtrace_merge(const char *output, const char *const *inputs, size_t input_count, char *err, size_t err_bytes)
{
	if (input_count < 2 || input_count > VTRACE_MERGE_INPUTS_MAX) {
		snprintf(err, err_bytes, "found %zu traces to merge, expected 2 to %d", input_count, VTRACE_MERGE_INPUTS_MAX);
		return -1;
	}
	struct head heads[VTRACE_MERGE_INPUTS_MAX];
	memset(heads, 0, sizeof heads);
	int rc = open_inputs(heads, output, inputs, input_count, err, err_bytes);
	char *config = rc == 0 ? merged_config(heads, input_count) : NULL;
	if (rc == 0 && !config) {
		snprintf(err, err_bytes, "out of memory");
		rc = -1;
	}
	struct vtrace *trace = rc == 0 ? vtrace_open(output, config, err, err_bytes) : NULL;
	if (rc == 0 && !trace)
		rc = -1;
	if (rc == 0 && copy_in_order(trace, heads, input_count, err, err_bytes) != 0) {
		vtrace_abandon(trace);
		rc = -1;
	} else if (rc == 0 && vtrace_close(trace, err, err_bytes) != 0) {
		rc = -1;
	}
	free(config);
	for (size_t i = 0; i < input_count; i++)
		if (heads[i].reader)
			vtrace_reader_close(heads[i].reader);
	return rc;
}
