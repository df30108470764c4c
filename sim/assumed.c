/*
 * assumed.c - the breakdown slots that rest on assumptions, and their share.
 */
#include "sim/assumed.h"

#include <stdlib.h>
#include <string.h>

#include "models/assumption.h"
#include "sim/platform.h"

/* The leg plans with what in them depends on assumptions. */
typedef struct leg {
	const mdl_plan *plan;
	const mdl_params *sender;
	mdl_plan_assumed assumed;
	size_t extra_base;          /* its extras' slots */
} leg;

static int interference_assumed(const mdl_params *p)
{
	return mdl_param_assumed(p, MDL_JITTER_INTERFERENCE_PROBABILITY) ||
	       mdl_param_assumed(p, MDL_JITTER_INTERFERENCE_LATENCY);
}

/* Mark in SLOTS the breakdown slots of L whose quantities MARKS flags. */
static void mark_slots(unsigned char *slots, const leg *l, const mdl_plan_assumed *marks, int interference)
{
	int completion = 0;
	for (size_t i = 0; i < l->plan->count; i++) {
		slots[l->plan->stages[i].stage] |= marks->stage[i];
		if (l->plan->stages[i].segment == SEG_COMPLETION)
			completion |= marks->stage[i];
	}
	slots[l->extra_base + EXTRA_SERIALIZATION] |= marks->serialization;
	slots[l->extra_base + EXTRA_QUEUEING] |= marks->serialization;
	slots[l->extra_base + EXTRA_PIPELINE] |= marks->pipeline;
	slots[l->extra_base + EXTRA_INTERFERENCE] |= (unsigned char)interference;
	slots[l->extra_base + EXTRA_COMPLETION_WAIT] |= (unsigned char)completion;
}

static void mark_leg(vr_result *r, const leg *l)
{
	mark_slots(r->assumed, l, &l->assumed, interference_assumed(l->sender));
}

static double share(double assumed_ns, double total_ns)
{
	return total_ns > 0 ? assumed_ns / total_ns : 0.0;
}

/* Latency: the typical breakdown's slots on the critical path. */
static double typical_share(const vr_result *r, const unsigned char *slots)
{
	double assumed_ns = 0, total_ns = 0;
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++)
		if (vr_breakdown_used(r, slot)) {
			total_ns += r->breakdown_ns[slot];
			assumed_ns += slots[slot] ? r->breakdown_ns[slot] : 0.0;
		}
	return share(assumed_ns, total_ns);
}

/* The software work per message of the CPU on HOST_SIDE's end of L (the
 * requester is the sender of the first leg). */
static void cpu_work(const leg *l, const mdl_plan_assumed *marks, mdl_side host_side, double *assumed_ns,
		     double *total_ns)
{
	for (size_t i = 0; i < l->plan->count; i++) {
		const mdl_plan_stage *st = &l->plan->stages[i];
		if (!st->software || st->side != host_side)
			continue;
		*total_ns += st->full_ns;
		*assumed_ns += marks->stage[i] ? st->full_ns : 0.0;
	}
}

/* One-way latency of L: its sender and receiver stages, transfer and pipeline. */
static void one_way(const leg *l, const mdl_plan_assumed *marks, double *assumed_ns, double *total_ns)
{
	for (size_t i = 0; i < l->plan->count; i++) {
		const mdl_plan_stage *st = &l->plan->stages[i];
		if (st->segment == SEG_COMPLETION || st->segment == SEG_OFF)
			continue;
		*total_ns += st->nominal_ns;
		*assumed_ns += marks->stage[i] ? st->nominal_ns : 0.0;
	}
	*total_ns += l->plan->serialization_ns + l->plan->pipeline_ns;
	*assumed_ns += (marks->serialization ? l->plan->serialization_ns : 0.0) +
		       (marks->pipeline ? l->plan->pipeline_ns : 0.0);
}

/* Bandwidth: the resource that set the pace.  FORWARD carries the
 * requests, RESPONSE (READ only, else NULL) the data back; FM and RM mark
 * what in each depends on what is counted. */
static double pace_share(const vr_result *r, const leg *forward, const mdl_plan_assumed *fm, const leg *response,
			 const mdl_plan_assumed *rm)
{
	double assumed_ns = 0, total_ns = 0;
	switch (r->bw.limit) {
	case BW_LIMIT_LINK:
		return (response ? rm : fm)->serialization;
	case BW_LIMIT_SENDER_CPU:
	case BW_LIMIT_RECEIVER_CPU: {
		int requester = r->bw.limit == BW_LIMIT_SENDER_CPU;
		cpu_work(forward, fm, requester ? SIDE_SENDER : SIDE_RECEIVER, &assumed_ns, &total_ns);
		if (response)
			cpu_work(response, rm, requester ? SIDE_RECEIVER : SIDE_SENDER, &assumed_ns, &total_ns);
		break;
	}
	case BW_LIMIT_WINDOW:
	case BW_LIMIT_COUNT:
		one_way(forward, fm, &assumed_ns, &total_ns);
		if (response)
			one_way(response, rm, &assumed_ns, &total_ns);
		break;
	}
	return share(assumed_ns, total_ns);
}

void vr_result_find_assumed(vr_result *r, const scn_scenario *s, const mdl_option *option, const scn_workload *w,
			    const mdl_params *a, const mdl_params *b, const mdl_plan *ab, const mdl_plan *ba)
{
	int read = mdl_verb_round_trip(w->verb);   /* READ and atomics: the legs the engine built */
	static leg legs[2];   /* large (a plan's worth of flags each): not on an actor's stack */
	legs[0] = (leg){.plan = ab, .sender = a, .extra_base = VR_EXTRA_BASE};
	legs[1] = (leg){.plan = ba, .sender = b, .extra_base = read ? VR_EXTRA_RESPONSE_BASE : VR_EXTRA_BASE};
	mdl_plan_find_assumed(option, a, b, r->size_bytes, w->verb, s->completion,
			      mdl_leg_of(w->verb, 0), &w->footprint, ab, &legs[0].assumed);
	mdl_plan_find_assumed(option, b, a, r->size_bytes, w->verb, s->completion,
			      mdl_leg_of(w->verb, 1), &w->footprint, ba, &legs[1].assumed);
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++)
		r->assumed[slot] = 0;
	for (size_t k = 0; k < 2; k++)
		mark_leg(r, &legs[k]);
	r->assumed_share = mdl_verb_is_bandwidth(w->verb)
		? pace_share(r, &legs[0], &legs[0].assumed, read ? &legs[1] : NULL, &legs[1].assumed)
		: typical_share(r, r->assumed);
}

int vr_result_param_shares(const vr_result *r, const scn_scenario *s, double *shares)
{
	const mdl_option *option = &s->options[r->option];
	const scn_workload *w = &s->workloads[r->workload];
	const mdl_params *a = scn_params(s, r->preset, vr_platform_host_of(option->route, 0));
	const mdl_params *b = scn_params(s, r->preset, vr_platform_host_of(option->route, 1));
	int read = mdl_verb_round_trip(w->verb);
	mdl_plan *plans = malloc(2 * sizeof *plans);
	mdl_plan_assumed *by_param[2] = {malloc(MDL_PARAM_COUNT * sizeof **by_param),
					 malloc(MDL_PARAM_COUNT * sizeof **by_param)};
	unsigned char slots[VR_BREAKDOWN_SLOTS];
	int rc = plans && by_param[0] && by_param[1] ? 0 : -1;
	for (int k = 0; rc == 0 && k < 2; k++) {
		const mdl_params *sender = k == 0 ? a : b, *receiver = k == 0 ? b : a;
		mdl_plan_build(option, sender, receiver, r->size_bytes, w->verb, s->completion, mdl_leg_of(w->verb, k), &w->footprint,
			       &plans[k]);
		rc = mdl_plan_find_dependence(option, sender, receiver, r->size_bytes, w->verb, s->completion,
					      mdl_leg_of(w->verb, k), &w->footprint, &plans[k], by_param[k]);
	}
	leg legs[2] = {{.plan = &plans[0], .sender = a, .extra_base = VR_EXTRA_BASE},
		       {.plan = &plans[1], .sender = b, .extra_base = read ? VR_EXTRA_RESPONSE_BASE : VR_EXTRA_BASE}};
	for (int id = 0; rc == 0 && id < MDL_PARAM_COUNT; id++) {
		memset(slots, 0, sizeof slots);
		int interference = id == MDL_JITTER_INTERFERENCE_PROBABILITY || id == MDL_JITTER_INTERFERENCE_LATENCY;
		for (int k = 0; k < 2; k++)
			mark_slots(slots, &legs[k], &by_param[k][id], interference);
		shares[id] = mdl_verb_is_bandwidth(w->verb)
			? pace_share(r, &legs[0], &by_param[0][id], read ? &legs[1] : NULL, &by_param[1][id])
			: typical_share(r, slots);
	}
	free(plans);
	free(by_param[0]);
	free(by_param[1]);
	return rc;
}
