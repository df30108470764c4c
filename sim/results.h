/*
 * results.h - what one experiment (preset x option x size) produced, and the
 * run that holds them all.  Output formats live in report.h.
 *
 * The breakdown has one slot per option stage, then the extra slots below
 * (which appear in output only when non-zero).  Breakdown values are means
 * per one-way operation on the critical path; they sum to the mean one-way
 * latency.
 */
#ifndef VR_RESULTS_H
#define VR_RESULTS_H

#include "models/plan.h"
#include "sim/scenario.h"

typedef enum vr_extra_stage {
	EXTRA_INTERFERENCE,        /* jitter: an interruption of the sender's CPU */
	EXTRA_QUEUEING,            /* fabric time beyond the uncontended transfer */
	EXTRA_COMPLETION_WAIT,     /* the send CQE arrived after the reply */
	EXTRA_COUNT
} vr_extra_stage;

extern const char *const vr_extra_stage_names[EXTRA_COUNT];

enum { VR_BREAKDOWN_SLOTS = MDL_STAGES_MAX + EXTRA_COUNT };

typedef struct vr_result {
	size_t preset;                /* index into the scenario's presets */
	size_t option;                /* index into the scenario's options */
	double size_bytes;
	unsigned long long iterations, warmup;
	double min_ns, median_ns, mean_ns, stdev_ns, p99_ns, p999_ns, max_ns;  /* one way */
	double breakdown_ns[VR_BREAKDOWN_SLOTS];
	double off_path_ns;           /* CPU time per operation that delays no message */
	mdl_counters per_op;
} vr_result;

typedef struct vr_run {
	const scn_scenario *scenario;
	size_t count;
	vr_result *results;           /* preset-major, then option, then size */
} vr_run;

/* Name of breakdown slot SLOT for OPTION (a stage name or an extra). */
const char *vr_breakdown_name(const mdl_option *option, size_t slot);

/* Is slot SLOT used by OPTION (a stage of it, or a non-zero extra)? */
int vr_breakdown_used(const mdl_option *option, const vr_result *r, size_t slot);

#endif
