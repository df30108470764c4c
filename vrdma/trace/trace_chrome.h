/*
 * vrdma/trace/trace_chrome.h -- a trace as Chrome trace-event JSON, the
 * format chrome://tracing and Perfetto (ui.perfetto.dev) open.
 *
 * Output: {"traceEvents": [...], "displayTimeUnit": "ns"}, streamed record
 * by record (never built in memory):
 *   - a record with duration_ns > 0 is a complete event ("ph": "X", "dur"),
 *     any other an instant on its thread ("ph": "i", "s": "t");
 *   - "ts" and "dur" are microseconds with three decimals (exact ns);
 *   - "pid" is the host; "tid" is the track of the actor: guest-side actors
 *     (guest-vcpu, trap-handler) get one track per guest, tid = guest * 8 +
 *     actor; host-side actors (backend, HCA, interrupt) one per host, tid =
 *     actor;
 *   - "name" is the kind's name, "cat" the actor's; "args" holds the op id
 *     (a hex string: JSON numbers lose bits past 2^53), the object, the
 *     arguments named as trace.h describes them, and the flags;
 *   - before a host's or a track's first event come metadata events ("ph":
 *     "M"): process_name "host N"; thread_name ("guest 1 vcpu", "guest 1
 *     trap handler", "backend", "hca requester", "hca responder", "hca
 *     completer", "interrupt") and thread_sort_index (guests first, then the
 *     host's pipeline order).
 */
#ifndef VRDMA_TRACE_CHROME_H
#define VRDMA_TRACE_CHROME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vtrace_reader;

/* Convert the trace at TRACE_PATH into OUT_PATH: written to OUT_PATH.tmp,
 * renamed into place only when everything succeeded.  Returns 0 with
 * *EVENTS (when not NULL) the number of JSON events written, or -1 with ERR
 * filled (the reader's message for a bad trace); no output is left then. */
int vtrace_chrome_convert(const char *trace_path, const char *out_path, uint64_t *events, char *err,
			  size_t err_bytes);

/* The conversion itself, from READER's remaining records to OUT.  Returns 0
 * or -1 with ERR filled (a bad record; write errors are the caller's to
 * find with ferror). */
int vtrace_chrome_write(struct vtrace_reader *reader, FILE *out, uint64_t *events, char *err, size_t err_bytes);

#endif
