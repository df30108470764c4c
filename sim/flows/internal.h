/*
 * sim/flows/internal.h - the many-flow engine's state, shared by its files
 * (build.c builds it, source.c and run.c move it, report.c reads it).
 * Not for callers: they use flows.h.
 */
#ifndef FL_INTERNAL_H
#define FL_INTERNAL_H

#include <stdint.h>

#include "sim/flows/batch.h"
#include "sim/flows/flows.h"
#include "sim/flows/heap.h"
#include "sim/flows/latency.h"
#include "sim/flows/path.h"
#include "sim/flows/server.h"
#include "sim/stats.h"

/* A flow (one QP connection) and its source. */
typedef struct fl_flow {
	const fl_path *path;         /* set when the run starts */
	fl_flow_spec spec;
	int64_t start_ps;
	double mean_gap_ps;          /* open loop: mean time between arrivals */
	uint64_t posted;             /* operations posted (closed) or arrivals taken (open) */
	uint64_t completed;
	uint32_t in_flight;
	uint32_t arrival_pending;    /* open loop: an arrival event is in the heap */
	int64_t next_arrival_ps;     /* open loop: the oldest arrival not yet posted */
	int64_t last_done_ps;        /* its latest completion counted */
	uint64_t rng;                /* open loop: the arrivals' stream */
	fl_latency latency;
} fl_flow;

/* A throughput's window: from the first start to the last end of the flows
 * it gathers (a flow that did all its operations ends at its last
 * completion, one still running at the run's end). */
typedef struct fl_window {
	int64_t start_ps, end_ps;
	int set;                     /* a flow widened it */
} fl_window;

typedef struct fl_group {
	uint64_t completed, bytes;
	fl_window window;            /* filled after the run */
	vr_stats *latency;           /* ns, 0.1 % percentiles */
	fl_batch batch;              /* batch means of the latency (ns) */
} fl_group;

typedef struct fl_vm {
	uint64_t completed, bytes, served;
	fl_window window;            /* of the flows it posts on */
	fl_latency latency;          /* merged from its flows after the run */
} fl_vm;

struct fl_engine {
	fl_config config;
	int64_t horizon_ps;          /* 0: none */
	fl_server *servers;
	size_t server_count, server_capacity;
	fl_path *paths;
	size_t path_count, path_capacity;
	fl_flow *flows;
	size_t flow_count, flow_capacity;
	fl_group *groups;            /* config.groups */
	fl_vm *vms;                  /* config.vms, filled after the run */
	fl_heap heap;
	int64_t end_ps;              /* the run's end */
	int64_t last_done_ps;        /* the latest completion counted */
	uint64_t events;
	int top_is_current;          /* the heap's top is the event being handled */
	int ran;
	char error[256];
};

/* Schedule EV.  The first event a handler schedules takes the place of the
 * one it handles at the heap's top (one sift instead of a pop and a push). */
static inline void fl_schedule(fl_engine *e, fl_event ev)
{
	if (e->top_is_current) {
		e->top_is_current = 0;
		fl_heap_replace_top(&e->heap, ev);
	} else {
		fl_heap_push(&e->heap, ev);
	}
}

/* source.c: the flows' loads. */
void fl_source_start(fl_engine *e, uint32_t flow);
/* An operation of FLOW left its last server, to complete at DONE_PS (>= the
 * current event's time). */
void fl_source_finish(fl_engine *e, uint32_t flow, int64_t origin_ps, int64_t done_ps);
/* It completes now, at DONE_PS. */
void fl_source_complete(fl_engine *e, uint32_t flow, int64_t origin_ps, int64_t done_ps);
void fl_source_arrival(fl_engine *e, uint32_t flow, int64_t now_ps);

/* report.c: gather the VMs' figures once the run is over. */
int fl_report_gather(fl_engine *e);

#endif
