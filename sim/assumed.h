/*
 * assumed.h - how much of a result rests on assumptions.
 *
 * A breakdown slot rests on assumptions when its cost depends on a
 * parameter whose value is an assumption (models/assumption.h): an option
 * stage when its nominal time does, serialization and queueing when the
 * bottleneck link's rate does, the pipeline when its pace does,
 * interference when jitter.interference_* are assumptions, the completion
 * wait when a completion stage does.  A slot counts whole: it is the
 * smallest unit the breakdown reports, and a stage with one assumed input
 * is not known better than that input.
 *
 * Latency tests: the share of t_typical (the typical breakdown, which sums
 * to the median) in slots that rest on assumptions.  Bandwidth tests: the
 * share of the per-message time of the resource that set the pace (the
 * link: its serialization; a CPU: its software stages, by their work per
 * message; the window: the one-way latency of the legs).
 */
#ifndef VR_ASSUMED_H
#define VR_ASSUMED_H

#include "sim/results.h"

/* Fill R's assumed[] and assumed_share from its plans AB (host A to B) and
 * BA, built by mdl_plan_build from A's and B's parameters with W's verb and
 * footprint; R's breakdown and bandwidth figures are final. */
void vr_result_find_assumed(vr_result *r, const scn_scenario *s, const mdl_option *option, const scn_workload *w,
			    const mdl_params *a, const mdl_params *b, const mdl_plan *ab, const mdl_plan *ba);

/* For every parameter, the share of R's estimate (measured as
 * assumed_share is: of t_typical, or of a bandwidth test's pace) that
 * rests on stages whose cost depends on it (models/assumption.h,
 * mdl_plan_find_dependence): SHARES[id], 0 to 1, MDL_PARAM_COUNT of them.
 * A stage that reads several parameters counts for each, so the shares
 * need not sum to 1.  R is a single-flow result of S, run.  Returns 0, or
 * -1 when out of memory. */
int vr_result_param_shares(const vr_result *r, const scn_scenario *s, double *shares);

#endif
