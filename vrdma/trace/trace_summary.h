/*
 * vrdma/trace/trace_summary.h -- what `vrdma-trace FILE` prints: record
 * counts per kind and actor, and per verb the time each operation spends in
 * each stage of its path.
 *
 * An operation is the set of records with one op_id (op_id 0 is no
 * operation).  Its verb is arg0 of its VTRACE_POST record.  Its events are
 * put in time order (time_ns, then file order); a stage is the interval
 * between two consecutive events, named "kindA -> kindB"; the total is from
 * its first event's time_ns to its last event's time_ns, so the stages of
 * an operation add up to its total.
 *
 * Memory is bounded, whatever the trace's length:
 *   - at most `open_ops_max` operations are open at once.  A trace does not
 *     say which event is an operation's last, so an operation stays open
 *     until the table is full and it is the oldest (first seen), or until the
 *     end of the trace.  With 65,536 open, an operation's records may spread
 *     over 65,536 newer operations' starts before it is cut in two;
 *   - an open operation keeps at most VTRACE_SUMMARY_OP_EVENTS_MAX events;
 *     more (a long retransmission storm) are counted but not timed;
 *   - durations go into log-spaced histograms (HDR-style: exact below 64 ns,
 *     then 32 buckets per power of two, so a bucket's middle is within
 *     1.6% of any value in it), one per (verb, stage) seen, which give the
 *     median and p99; count, mean, min and max are exact.
 */
#ifndef VRDMA_TRACE_SUMMARY_H
#define VRDMA_TRACE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vrdma/trace/duration.h"
#include "vrdma/trace/trace.h"

#define VTRACE_SUMMARY_OPEN_OPS 65536u
#define VTRACE_SUMMARY_OP_EVENTS_MAX 128u

/* How operations are grouped: the verb of their post. */
enum vtrace_verb {
	VTRACE_VERB_RDMA_WRITE,      /* IBV_WR_RDMA_WRITE */
	VTRACE_VERB_RDMA_WRITE_IMM,  /* IBV_WR_RDMA_WRITE_WITH_IMM */
	VTRACE_VERB_SEND,            /* IBV_WR_SEND */
	VTRACE_VERB_SEND_IMM,        /* IBV_WR_SEND_WITH_IMM */
	VTRACE_VERB_RDMA_READ,       /* IBV_WR_RDMA_READ */
	VTRACE_VERB_RECV,            /* VTRACE_RECV_OPCODE */
	VTRACE_VERB_OTHER,           /* another opcode (atomics...) */
	VTRACE_VERB_NO_POST,         /* no post record seen for the op id */
	VTRACE_VERB_COUNT_
};


struct vtrace_summary;

const char *vtrace_verb_name(enum vtrace_verb verb);  /* "rdma-write", ... */

/* A fresh summary keeping at most OPEN_OPS_MAX operations open (0 means
 * VTRACE_SUMMARY_OPEN_OPS).  NULL when out of memory. */
struct vtrace_summary *vtrace_summary_new(size_t open_ops_max);
void vtrace_summary_free(struct vtrace_summary *summary);

/* Feed records one by one, then finish (closes every open operation).
 * add() returns 0, or -1 when out of memory. */
int vtrace_summary_add(struct vtrace_summary *summary, const struct vtrace_record *record);
void vtrace_summary_finish(struct vtrace_summary *summary);

/* Keep a copy of the trace's configuration text, for printing.  0 or -1. */
int vtrace_summary_set_config(struct vtrace_summary *summary, const char *config);

/* All of the above for the trace at PATH.  Returns 0, or -1 with ERR
 * filled by the reader ("PATH: record 12 at byte offset 712: ..."). */
int vtrace_summary_read(struct vtrace_summary *summary, const char *path, char *err, size_t err_bytes);

/* ---- results (after finish) ---- */

uint64_t vtrace_summary_records(const struct vtrace_summary *summary);
uint64_t vtrace_summary_kind_count(const struct vtrace_summary *summary, unsigned kind, unsigned actor);
uint64_t vtrace_summary_ops(const struct vtrace_summary *summary, enum vtrace_verb verb);
/* Operations finished early because the open table was full. */
uint64_t vtrace_summary_ops_evicted(const struct vtrace_summary *summary);
/* Events past VTRACE_SUMMARY_OP_EVENTS_MAX of their operation. */
uint64_t vtrace_summary_events_untimed(const struct vtrace_summary *summary);

/* The stage FROM_KIND -> TO_KIND of VERB's operations into *OUT.  Returns 1,
 * or 0 when no operation had that stage (*OUT zeroed). */
int vtrace_summary_stage(const struct vtrace_summary *summary, enum vtrace_verb verb, unsigned from_kind,
			 unsigned to_kind, struct vtrace_duration_stats *out);
/* First to last event of VERB's operations with at least two events. */
int vtrace_summary_total(const struct vtrace_summary *summary, enum vtrace_verb verb,
			 struct vtrace_duration_stats *out);

/* Print as aligned tables, or as one JSON object; TITLE names the trace
 * (its path).  Return 0, or -1 when OUT reports a write error. */
int vtrace_summary_print(const struct vtrace_summary *summary, const char *title, FILE *out);
int vtrace_summary_print_json(const struct vtrace_summary *summary, const char *title, FILE *out);

#endif
