/*
 * sim/flows/server.h - a FIFO server with k identical units, served by
 * arithmetic instead of a SimGrid activity.
 *
 * Contract: requests are admitted in non-decreasing arrival time (the
 * engine admits a request in the handler of its arrival event, and events
 * pop in time order), but for a cut-through visit's first turn, dated
 * when its first bytes came (flows.h, overlap_ns): it too starts no
 * earlier than the unit's free time, so starts stay in admission order.  A request then starts on the unit that frees first,
 * at start = max(arrival, that unit's free time) — Lindley's recursion
 * generalised to k units (a k-server FIFO queue, M/G/k when arrivals are
 * Poisson) — and holds the unit for its service time.  Because the
 * earliest free time never decreases, starts are in admission order: the
 * requests still waiting at time t are the last admitted ones whose start
 * is after t, kept in a ring of their start times to count the queue.
 *
 * Statistics: visits, busy time (utilisation = busy / (units x elapsed)),
 * the busy time in FL_WINDOWS windows of equal width that cover the run
 * (the width doubles, pairs of windows merging, whenever work reaches past
 * the last: it ends between 1/64 and 1/32 of the run, so the busiest
 * window is the peak utilisation over a few per cent of the run: a
 * server full during one phase of a scenario shows it),
 * the longest queue an arrival joined (counting itself, not the requests
 * in service), the waiting time (start - arrival: its sum and batch means,
 * and its histogram when asked for).
 */
#ifndef FL_SERVER_H
#define FL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "sim/flows/batch.h"
#include "sim/stats.h"

enum { FL_WINDOWS = 64 };

typedef struct fl_server {
	char *name;              /* owned copy */
	uint32_t units;          /* parallel units (>= 1) */
	int64_t *free_ps;        /* min-heap of the units' free times: free_ps[0] frees first */
	uint64_t rng;            /* stream of exponential service times */
	/* the waiting requests' start times, oldest first (a ring) */
	int64_t *waiting;
	size_t waiting_head, waiting_count, waiting_capacity;
	/* statistics */
	uint64_t visits;
	int64_t busy_ps;         /* total service time given */
	int64_t window_busy_ps[FL_WINDOWS];   /* service given in window i: [i, i + 1) x width */
	unsigned window_shift;   /* the windows' width: 2^window_shift ps */
	uint64_t max_queue;      /* longest queue an arrival joined, itself included */
	uint64_t wait_sum_ps;    /* total waiting time */
	int64_t max_wait_ps;
	fl_batch wait_batch;     /* batch means of the waiting time (ns) */
	vr_stats *wait_stats;    /* waiting-time histogram (ns), or NULL when not asked for */
} fl_server;

/* Set up S; 0, or -1 when out of memory. */
int fl_server_init(fl_server *s, const char *name, uint32_t units, uint64_t seed, int wait_histogram);
void fl_server_free(fl_server *s);

/* Admit a request arriving at ARRIVAL_PS needing SERVICE_PS of one unit;
 * returns when it leaves (its start + SERVICE_PS). */
int64_t fl_server_admit(fl_server *s, int64_t arrival_ps, int64_t service_ps);

/* The highest utilisation of S over one of its windows that ends by END_PS,
 * and the windows' width into *WIDTH_PS; -1 when no window ends by then (a
 * run shorter than the first width). */
double fl_server_peak_utilisation(const fl_server *s, int64_t end_ps, int64_t *width_ps);

#endif
