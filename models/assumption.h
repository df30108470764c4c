/*
 * assumption.h - which values of a parameter set are assumptions, and which
 * stages of a plan depend on them.
 *
 * A value is an assumption when the source recorded with it starts with
 * "assumption" (the presets' convention for a reasoned estimate that no
 * public document backs), or when it is a time written in cycles and
 * cpu.frequency is itself an assumption.  Every other source counts as
 * sourced: a citation, "derived: ...", a calibration overlay's
 * "calibrated: ..." (a fit to measurements), and the user's own values
 * ("override at ...": a scenario's overrides, a host's map, --set, a
 * sweep's parameter), which the results' provenance lists one by one.
 *
 * A quantity of a plan (a stage's nominal time, the serialization, the
 * pipeline) depends on a parameter when rebuilding the plan with that
 * parameter nudged changes it.  Nudging, rather than listing what each cost
 * function reads, is exact for min() and max() (only the bottleneck link
 * counts), covers the cpu stages' named parameters, `repeat:` and measured
 * cycles alike, and needs no table kept in step with mechanism_cost.c.
 */
#ifndef MDL_ASSUMPTION_H
#define MDL_ASSUMPTION_H

#include <stddef.h>

#include "models/plan.h"

/* Is the value of parameter ID in P an assumption? */
int mdl_param_assumed(const mdl_params *p, int id);

/* How many of P's values are assumptions. */
size_t mdl_params_assumed_count(const mdl_params *p);

/* Which quantities of a plan depend on an assumption: 1 or 0 each. */
typedef struct mdl_plan_assumed {
	unsigned char stage[MDL_STAGES_MAX];   /* plan->stages[i], by i */
	unsigned char serialization;           /* plan->serialization_ns */
	unsigned char pipeline;                /* plan->pipeline_ns */
} mdl_plan_assumed;

/* Fill OUT for PLAN, which mdl_plan_build made from the same arguments.
 * Returns 0, or -1 when out of memory (OUT then marks everything assumed). */
int mdl_plan_find_assumed(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
			  double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg,
			  const mdl_footprint *footprint, const mdl_plan *plan, mdl_plan_assumed *out);

/* Which quantities of PLAN depend on each parameter, assumed or not:
 * BY_PARAM[id] as mdl_plan_find_assumed would mark them if id alone were
 * an assumption, its value nudged on the sender, on the receiver, and on
 * both at once (a link rate enters as the smaller of the two ends').  Nudging cpu.frequency moves every time written in cycles with it (so
 * many cycles take so much less time at a faster clock).  The same
 * arguments as mdl_plan_find_assumed; BY_PARAM has MDL_PARAM_COUNT
 * entries.  Returns 0, or -1 when out of memory (BY_PARAM then marks
 * everything). */
int mdl_plan_find_dependence(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
			     double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg,
			     const mdl_footprint *footprint, const mdl_plan *plan, mdl_plan_assumed *by_param);

#endif
