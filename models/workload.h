/*
 * workload.h - one perftest-like test as a scenario writes it: the verb, its
 * sizes and its knobs, read strictly (file:line:col errors).
 *
 * Two uses share the reader: a scenario's `workload:`/`workloads:` (a sweep:
 * each size is an experiment of its own) and a flow group's `workload:`
 * (models/flows.h: one size, or a mix of sizes drawn per operation).
 */
#ifndef VR_WORKLOAD_H
#define VR_WORKLOAD_H

#include "input/yaml_tree.h"
#include "models/option.h"
#include "models/params.h"

enum {
	SCN_SIZES_MAX = 64,
	SCN_ITERATIONS_MAX = 1000000000,   /* a billion round trips: hours of wall time */
	SCN_QPS_MAX = 1000000,             /* more QPs than any HCA supports */
	SCN_TX_DEPTH_MAX = 65536,          /* beyond any send queue */
	SCN_TX_DEPTH_DEFAULT = 128,        /* perftest's bandwidth tests */
	SCN_CQ_MODERATION_DEFAULT = 100,   /* perftest's -Q default */
};
#define SCN_REGISTERED_MAX_BYTES 1125899906842624.0   /* 1 PiB */
/* A message size: at least one byte (perftest's smallest is 2 B, a 0 B
 * message moves nothing to time), at most 1 GiB (beyond any RDMA message
 * we model; the HCA's limit is 2 GiB).  Scenario sizes and the sizes a
 * replayed trace posts are held to the same rule. */
#define SCN_SIZE_MIN_BYTES 1.0
#define SCN_SIZE_MAX_BYTES 1073741824.0
#define SCN_SIZE_RANGE_TEXT "a size from 1B to 1GiB"
/* An atomic moves 8 bytes, always: perftest refuses any other size for its
 * atomic tests (perftest_parameters.h, DEF_SIZE_ATOMIC). */
#define SCN_ATOMIC_BYTES 8.0

/* Is BYTES a message size the model runs (the rule above)? */
int scn_size_in_range(double bytes);

/* One perftest-like test: the verb, its sizes and its knobs. */
typedef struct scn_workload {
	mdl_verb verb;
	size_t size_count;
	double sizes_bytes[SCN_SIZES_MAX];
	unsigned long long iterations;
	unsigned long long warmup;
	mdl_footprint footprint;      /* QPs and registered memory the caches must hold */
	unsigned tx_depth;            /* bandwidth tests: work requests in flight (perftest -t); 1 for latency */
	unsigned post_list;           /* work requests per doorbell (perftest -l) */
	unsigned cq_moderation;       /* a completion every this many requests (perftest -Q) */
	mdl_atomic atomic;            /* atomic_lat, atomic_bw: the operation (perftest -A) */
} scn_workload;

typedef enum scn_workload_use {
	SCN_WORKLOAD_SWEEP,   /* `workload:`: sizes is a sweep, `qps` sizes the caches' footprint */
	SCN_WORKLOAD_FLOW,    /* a flow group's: one size (`sizes: [64B]`) or `size_mix:
			       * {64B: 9, 64KiB: 1}`; no `qps` (the group's connections
			       * set it); iterations count operations per connection */
} scn_workload_use;

/* Read NODE into W.  For SCN_WORKLOAD_FLOW, WEIGHTS (SCN_SIZES_MAX of them)
 * receives the probability of each of W's sizes, summing to 1 (a single
 * size: 1); WEIGHTS is unused for a sweep and may be NULL.  Returns 0, or
 * -1 with DIAG filled. */
int scn_read_workload(const yt_node *node, scn_workload_use use, scn_workload *w, double *weights,
		      vr_diag *diag);

#endif
