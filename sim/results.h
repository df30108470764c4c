/*
 * results.h - what one experiment (preset x option x size) produced, and the
 * run that holds them all.  Output formats live in report.h.
 *
 * The breakdown has one slot per option stage, then the extra slots below
 * (interference, queueing and the completion wait are zero for most
 * runs).  For each slot a result holds its cost per operation in typical
 * operations and on average (see vr_breakdown).  Message-path stages and the
 * extras are the critical path: they sum to the median and to the mean.  Completion-path slots hold the
 * requester's completion work, which races the reply and reaches the
 * critical path only as "send_completion_wait"; off-path slots hold CPU
 * time that delays no message.
 */
#ifndef VR_RESULTS_H
#define VR_RESULTS_H

#include "models/plan.h"
#include "models/scenario.h"
#include "sim/stats.h"

typedef enum vr_extra_stage {
	EXTRA_INTERFERENCE,        /* jitter: an interruption of the sender's CPU */
	EXTRA_SERIALIZATION,       /* the message streaming through the route's slowest link */
	EXTRA_PIPELINE,            /* later packets held back by a per-packet stage slower than that link */
	EXTRA_QUEUEING,            /* fabric time beyond the uncontended transfer */
	EXTRA_COMPLETION_WAIT,     /* the send CQE arrived after the reply */
	EXTRA_COUNT
} vr_extra_stage;

/* Extras come in two sets: one for the messages of WRITE and SEND (both
 * directions alike) and for READ requests, one for READ responses, whose
 * names end in "_response". */
enum {
	VR_EXTRA_BASE = MDL_STAGES_MAX,
	VR_EXTRA_RESPONSE_BASE = MDL_STAGES_MAX + EXTRA_COUNT,
	VR_BREAKDOWN_SLOTS = MDL_STAGES_MAX + 2 * EXTRA_COUNT,
};

extern const char *const vr_extra_stage_names[2 * EXTRA_COUNT];

/* What a slot is to one result: which segment of its plans it sits in. */
typedef enum vr_slot_role {
	ROLE_NONE,         /* not part of this verb, completion mode or option */
	ROLE_CRITICAL,     /* on the message path: sums to the latency */
	ROLE_COMPLETION,   /* the sender's completion, racing the next message */
	ROLE_OFF,          /* CPU time that delays no message */
} vr_slot_role;

/* A bandwidth test's result (perftest's ib_*_bw), and what set its pace. */
typedef enum vr_bw_limit {
	BW_LIMIT_LINK,           /* the slowest link on the route was saturated */
	BW_LIMIT_SENDER_CPU,     /* the requester's CPU could not post (and complete) faster */
	BW_LIMIT_RECEIVER_CPU,   /* the receiver's CPU could not take messages faster */
	BW_LIMIT_WINDOW,         /* no resource was saturated: the window of work requests was */
	BW_LIMIT_COUNT
} vr_bw_limit;

extern const char *const vr_bw_limit_names[BW_LIMIT_COUNT];

typedef struct vr_bandwidth {
	double peak_bytes_per_s, average_bytes_per_s;
	double msg_rate_per_s;
	double duration_ns;          /* first measured post to last completion */
	double sender_cpu_ns, receiver_cpu_ns;   /* CPU busy per message */
	double link_ns;              /* the bottleneck link's time per message */
	mdl_resource link;
	vr_bw_limit limit;
} vr_bandwidth;

/* Every double of a result is listed in vr_result_finite (results.c): add
 * a new one there too, or a non-finite value could reach the writers. */
typedef struct vr_result {
	size_t preset;                /* index into the scenario's presets */
	size_t option;                /* index into the scenario's options */
	size_t workload;              /* index into the scenario's workloads */
	double size_bytes;
	unsigned long long iterations, warmup;
	double min_ns, median_ns, mean_ns, stdev_ns, p99_ns, p999_ns, max_ns;  /* one way */
	double breakdown_ns[VR_BREAKDOWN_SLOTS];       /* per operation, typical operations (sums to the median) */
	double breakdown_mean_ns[VR_BREAKDOWN_SLOTS];  /* per operation, all operations (sums to the mean) */
	unsigned char role[VR_BREAKDOWN_SLOTS];        /* vr_slot_role of each slot */
	unsigned char assumed[VR_BREAKDOWN_SLOTS];     /* its cost rests on an assumption (sim/assumed.h) */
	double assumed_share;                          /* of t_typical, or of a bandwidth test's pace: 0 to 1 */
	uint64_t typical_rounds;                       /* round trips behind breakdown_ns */
	mdl_counters per_op;
	vr_bandwidth bw;                               /* bandwidth tests only */
} vr_result;

/*
 * Per-slot accumulators of one experiment.  Both actors add each stage's
 * cost into the round trip it belongs to (two buffers: a round is closed
 * only once both actors are done with it); the initiator closes a round with
 * its latency sample.  Over the measured rounds the run keeps
 *   sum_ns:      every round, so means per slot sum to the mean latency;
 *   typical_ns:  the rounds whose latency lies within VR_TYPICAL_BAND of the
 *                running median, so they sum to the median (t_typical):
 *                the breakdown of a typical operation, whatever the jitter
 *                or the asymmetry between the hosts.
 */
#define VR_TYPICAL_BAND 0.002   /* relative half-width around the median */

typedef struct vr_breakdown {
	double round_ns[2][VR_BREAKDOWN_SLOTS];  /* open rounds, by parity */
	double sum_ns[VR_BREAKDOWN_SLOTS];
	double typical_ns[VR_BREAKDOWN_SLOTS];
	uint64_t counted, typical;               /* rounds in sum_ns, in typical_ns */
	vr_median latency;                       /* running median of the samples, warm-up included */
	int pending;                             /* a round awaits closing */
	unsigned long long pending_round;
	double pending_latency_ns;
	int pending_counted;
} vr_breakdown;

void vr_breakdown_reset(vr_breakdown *b);

static inline void vr_breakdown_record(vr_breakdown *b, unsigned long long round, size_t slot, double ns)
{
	b->round_ns[round & 1][slot] += ns;
}

/* The initiator has the latency of ROUND; close it once both actors are past
 * it (vr_breakdown_close_pending), closing any round still pending first. */
void vr_breakdown_pend(vr_breakdown *b, unsigned long long round, double latency_ns, int counted);
void vr_breakdown_close_pending(vr_breakdown *b);

typedef struct vr_run {
	const scn_scenario *scenario;
	size_t count;
	vr_result *results;           /* preset-major, then workload, then option, then size */
	size_t flow_count;            /* a flows scenario's: preset-major, then option; 0 otherwise */
	struct vr_flow_result *flows;
	int flow_failed;              /* a flow engine could not run (flow_error says why) */
	char flow_error[256];
} vr_run;

/* Is every number of R finite?  When not, *FIELD names the first that is
 * not ("median_ns", "breakdown_ns[3]"...; static storage). */
int vr_result_finite(const vr_result *r, const char **field);

/* Name of breakdown slot SLOT for OPTION (a stage name or an extra). */
const char *vr_breakdown_name(const mdl_option *option, size_t slot);

/* Is slot SLOT on R's critical path (a message stage, or a non-zero extra)? */
int vr_breakdown_used(const vr_result *r, size_t slot);

#endif
