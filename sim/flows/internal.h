/*
 * sim/flows/internal.h - the many-flow engine's state, shared by its files
 * (build.c builds it, source.c and run.c move it, report.c reads it).
 * Not for callers: they use flows.h.
 */
#ifndef FL_INTERNAL_H
#define FL_INTERNAL_H

#include <stdint.h>

#include "models/cache.h"
#include "sim/flows/batch.h"
#include "sim/flows/choice.h"
#include "sim/flows/fan.h"
#include "sim/flows/flows.h"
#include "sim/flows/gate.h"
#include "sim/flows/heap.h"
#include "sim/flows/latency.h"
#include "sim/flows/path.h"
#include "sim/flows/server.h"
#include "sim/stats.h"

/* A flow (one QP connection) and its source.  The fields every operation
 * touches come first, in the flow's first cache lines (8,000 flows are
 * megabytes: a line more per operation shows in the event rate). */
typedef struct fl_flow {
	fl_pick *picks;              /* its choices, set when the run starts: &one, or e->picks + pick_first */
	uint32_t pick_count;         /* its choices (1 .. FL_CHOICES_MAX) */
	uint32_t in_flight;
	uint64_t posted;             /* operations posted (closed) or arrivals taken (open) */
	uint64_t completed;          /* its bytes: each choice's completed x bytes_per_op */
	fl_pick one;                 /* the choice of a flow of one */
	fl_flow_spec spec;           /* choices NULL: they are in the picks */
	fl_summary latency;          /* count, extremes, sum (its VM keeps the percentiles) */
	uint16_t arrival_pending;    /* open loop: an arrival event is in the heap */
	uint8_t held;                /* fl_hold: what it posts waits in PARKED until its release */
	uint8_t held_ever;           /* fl_hold was called: completions test for HELD_OPS */
	uint32_t pick_first;         /* with 2 choices or more: where they start in e->picks */
	int64_t next_arrival_ps;     /* open loop: the oldest arrival not yet posted */
	int64_t last_done_ps;        /* its latest completion counted */
	uint64_t rng;                /* open loop: the arrivals' stream */
	double mean_gap_ps;          /* open loop: mean time between arrivals */
	uint64_t choice_rng;         /* the choices' stream (drawn only with 2 choices or more) */
	int64_t start_ps;
	int64_t stop_ps;             /* 0: none (fl_flow_spec.stop_ns) */
	fl_gates gates;              /* its messages in order at each link (gate.h) */
	uint32_t page_next;          /* FL_KEY_PAGE: the index of the next page it looks up */
	uint32_t page_last;          /* the first page its last FL_KEY_PAGE lookup took */
	uint32_t last_misses;        /* of its last cache lookup (per-miss visits) */
	int64_t pages_charged_ps;    /* what the lookups of its last FL_KEY_PAGE pages have delayed
				      * the message by: later lookups of them (FL_KEY_PAGE_AGAIN)
				      * overlap it, as the stages of one pipeline do */
	uint32_t follower;           /* the flow its completions trigger (fl_follow), or FL_NONE */
	fl_fan fan;                  /* fan_out: its operations' slots (fan.h) */
	fl_backlog backlog;          /* FL_TRIGGERED: arrivals its window cannot take yet */
	fl_backlog parked;           /* held: its operations' starts (origin, choice), oldest first */
	int64_t hold_from_ps;        /* held: posts from then on wait */
	int64_t release_ps;          /* held_ever: the last hold's release (INT64_MAX until it) */
	uint64_t held_ops;           /* operations completed whose post or arrival fell within a hold */
} fl_flow;

/* A cache the flows look keys up in (cache_hop.c). */
typedef struct fl_cache {
	char *name;                  /* owned copy */
	mdl_cache *cache;            /* owned */
} fl_cache;

/* An interrupt vector (irq_hop.c). */
typedef struct fl_irq {
	char *name;                  /* owned copy */
	int busy;                    /* an interrupt raised has not reached its FL_IRQ_END */
	uint64_t raised, rode;
	fl_event *riders;            /* completions waiting for that interrupt's end, a stack */
	size_t rider_count, rider_capacity;
} fl_irq;

/* A controller of rounds (source.c): its flows, how many are idle. */
typedef struct fl_controller {
	fl_controller_spec spec;
	uint32_t *flows;             /* owned: its flows, in order of addition */
	uint32_t flow_count, flow_capacity;
	uint32_t idle;               /* flows with nothing posted left in flight this round */
	uint64_t rounds;
	int64_t round_end_ps;        /* the latest completion of the round */
} fl_controller;

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
	uint64_t cache_misses;       /* of its flows' lookups, in every cache */
} fl_group;

typedef struct fl_vm {
	uint64_t completed, bytes, served;
	fl_window window;            /* of the flows it posts on */
	fl_latency latency;          /* of the operations it posts, as they complete */
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
	fl_cache *caches;
	size_t cache_count;
	fl_irq *irqs;
	size_t irq_count;
	fl_controller *controllers;
	size_t controller_count;
	fl_pick *picks;              /* the choices of the flows that have several, flow after flow */
	size_t pick_count, pick_capacity;
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

/* run.c: start the detached work of FORKS[0 .. COUNT) of an operation
 * whose place on its path is reached at AT_PS (each fork at its offset). */
void fl_forks_start(fl_engine *e, uint32_t flow, const fl_fork *forks, uint32_t count, int64_t at_ps);

/* cache_hop.c: the operation of EV reaches its cache lookup V (on PATH):
 * looks up its flow's keys, starts V's forks, and sets *NEXT_PS to when it
 * reaches its next place (a miss's cost later per miss).  Returns 1. */
int fl_cache_visit(fl_engine *e, const fl_event *ev, const fl_path *path, const fl_visit *v, int64_t *next_ps);
void fl_caches_free(fl_engine *e);

/* irq_hop.c: the operation of EV reaches interrupt visit V (FL_VISIT_IRQ
 * or FL_VISIT_IRQ_END, on PATH).  Returns 1 with *NEXT_PS when it goes on
 * to its next visit, 0 when it waits for an interrupt to end (or was
 * rescheduled). */
int fl_irq_visit(fl_engine *e, const fl_event *ev, const fl_path *path, const fl_visit *v, int64_t *next_ps);
void fl_irqs_free(fl_engine *e);

/* source.c: the flows' loads. */
void fl_source_start(fl_engine *e, uint32_t flow);
/* An operation of FLOW on its choice CHOICE left its last server, to
 * complete at DONE_PS (>= the current event's time). */
void fl_source_finish(fl_engine *e, uint32_t flow, uint32_t choice, int64_t origin_ps, int64_t done_ps);
/* It completes now, at DONE_PS. */
void fl_source_complete(fl_engine *e, uint32_t flow, uint32_t choice, int64_t origin_ps, int64_t done_ps);
void fl_source_arrival(fl_engine *e, uint32_t flow, int64_t now_ps);
/* A leader's operation completed at NOW_PS: an arrival at triggered FLOW on CHOICE. */
/* FL_EVENT_RELEASE: FLOW's hold ends at NOW_PS; what it parked starts. */
void fl_source_release(fl_engine *e, uint32_t flow, int64_t now_ps);
void fl_source_trigger(fl_engine *e, uint32_t flow, uint32_t choice, int64_t now_ps);

/* report.c: gather the VMs' figures once the run is over. */
int fl_report_gather(fl_engine *e);

#endif
