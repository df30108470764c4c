/*
 * vrdma/trace/trace_merge.h -- one trace from the traces of the processes
 * of one run.
 *
 * When hosts and guests are processes (vrdma-host, libvrdma-verbs.so
 * attached with VRDMA_HOST), each process records its own side: a guest
 * process its driver's events, a vrdma-host its trap handler's, backend's,
 * HCA's and interrupts'.  All stamp CLOCK_MONOTONIC, the machine's one
 * clock, and name their host and guest as the host assigned them, so
 * their records can be put in one time order.
 *
 * Contract: the output holds every record of every input, each input's in
 * its own order, interleaved by end time (time_ns + duration_ns: when a
 * record's work ended, the order a writer emits in).  Each actor instance
 * lives in one input, so the reader's time check holds of the output when
 * it holds of the inputs.  The configuration text is the first input's
 * (put the trace whose header says what ran first: the guest's), with a
 * `merged-from` line.  Every input is read with the checking reader; the
 * output appears only when all of it was written (vtrace_open), and it may
 * not be one of the inputs.
 */
#ifndef VRDMA_TRACE_MERGE_H
#define VRDMA_TRACE_MERGE_H

#include <stddef.h>

enum { VTRACE_MERGE_INPUTS_MAX = 64 };

/* Merge INPUT_COUNT traces (2..VTRACE_MERGE_INPUTS_MAX) into OUTPUT.
 * Returns 0, or -1 with ERR filled ("FILE: record N at byte offset B:
 * ..." for a bad input). */
int vtrace_merge(const char *output, const char *const *inputs, size_t input_count, char *err, size_t err_bytes);

#endif
