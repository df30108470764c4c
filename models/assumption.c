/*
 * assumption.c - assumptions in a parameter set, and the plan quantities
 * that depend on them (found by nudging each assumed value in turn).
 */
#include "models/assumption.h"

#include <stdlib.h>
#include <string.h>

static const char ASSUMPTION_PREFIX[] = "assumption";

/* A relative nudge far above rounding (2e-16) and far below any value's
 * own uncertainty: a dependent quantity moves, an independent one is
 * recomputed bit for bit. */
static const double NUDGE = 1e-6;

int mdl_param_assumed(const mdl_params *p, int id)
{
	if (strncmp(p->source[id], ASSUMPTION_PREFIX, sizeof ASSUMPTION_PREFIX - 1) == 0)
		return 1;
	/* So many cycles are so many ns only at the assumed clock. */
	return id != MDL_CPU_FREQUENCY && mdl_param_defs[id].kind == VR_Q_TIME && p->written[id].is_cycles &&
	       mdl_param_assumed(p, MDL_CPU_FREQUENCY);
}

size_t mdl_params_assumed_count(const mdl_params *p)
{
	size_t n = 0;
	for (int id = 0; id < MDL_PARAM_COUNT; id++)
		n += (size_t)mdl_param_assumed(p, id);
	return n;
}

/* A value near V: 0 becomes the smallest value the parameter allows. */
static double nudged(int id, double v)
{
	if (v != 0)
		return v * (1.0 + NUDGE);
	return mdl_param_defs[id].min > 0 ? mdl_param_defs[id].min : NUDGE;
}

/* Mark in OUT what differs between the plan BASE and NUDGED. */
static void mark_changes(const mdl_plan *base, const mdl_plan *nudged_plan, mdl_plan_assumed *out)
{
	if (nudged_plan->count != base->count) {   /* not expected: stages depend on the verb only */
		memset(out, 1, sizeof *out);
		return;
	}
	for (size_t i = 0; i < base->count; i++)
		out->stage[i] |= nudged_plan->stages[i].nominal_ns != base->stages[i].nominal_ns ||
				 nudged_plan->stages[i].full_ns != base->stages[i].full_ns;
	out->serialization |= nudged_plan->serialization_ns != base->serialization_ns;
	out->pipeline |= nudged_plan->pipeline_ns != base->pipeline_ns;
}

/* What the nudging loops work in: copies of the two hosts' parameters and
 * a plan, about 200 KB.  Kept for the process's life rather than
 * allocated per call: the loops run once or twice per result, and a fresh
 * block each time costs a page fault per page (10 us each in a nested VM,
 * and every time under the sanitizers' quarantine).  One caller at a time:
 * SimGrid runs one actor at a time, and sweep and compare fork rather than
 * start threads. */
typedef struct nudge_work {
	mdl_params copies[2];
	mdl_plan plan;
} nudge_work;

static nudge_work *work_area(void)
{
	static nudge_work *w;
	if (w == NULL)
		w = malloc(sizeof *w);
	return w;
}

int mdl_plan_find_assumed(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
			  double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg,
			  const mdl_footprint *footprint, const mdl_plan *plan, mdl_plan_assumed *out)
{
	memset(out, 0, sizeof *out);
	int shared = sender == receiver;
	nudge_work *w = work_area();
	if (!w) {
		memset(out, 1, sizeof *out);
		return -1;
	}
	w->copies[0] = *sender;
	if (!shared)
		w->copies[1] = *receiver;
	mdl_params *hosts[2] = {&w->copies[0], shared ? &w->copies[0] : &w->copies[1]};
	for (int h = 0; h < (shared ? 1 : 2); h++)
		for (int id = 0; id < MDL_PARAM_COUNT; id++) {
			if (!mdl_param_assumed(hosts[h], id))
				continue;
			double kept = hosts[h]->value[id];
			hosts[h]->value[id] = nudged(id, kept);
			mdl_plan_build(option, hosts[0], hosts[1], size_bytes, verb, completion, leg, footprint, &w->plan);
			hosts[h]->value[id] = kept;
			mark_changes(plan, &w->plan, out);
		}
	return 0;
}

/* Nudge ID in P up (SIGN 1) or down (-1), with the times written in
 * cycles when ID is the clock.  A value at 0 is only nudged up. */
static void nudge_param(mdl_params *p, int id, int sign)
{
	p->value[id] = sign > 0 || p->value[id] == 0 ? nudged(id, p->value[id]) : p->value[id] * (1.0 - NUDGE);
	if (id != MDL_CPU_FREQUENCY)
		return;
	for (int k = 0; k < MDL_PARAM_COUNT; k++)
		if (k != MDL_CPU_FREQUENCY && mdl_param_defs[k].kind == VR_Q_TIME && p->written[k].is_cycles)
			p->value[k] = vr_quantity_ns(p->written[k], p->value[MDL_CPU_FREQUENCY]);
}

int mdl_plan_find_dependence(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
			     double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg,
			     const mdl_footprint *footprint, const mdl_plan *plan, mdl_plan_assumed *by_param)
{
	memset(by_param, 0, MDL_PARAM_COUNT * sizeof *by_param);
	int shared = sender == receiver;
	nudge_work *w = work_area();
	if (!w) {
		memset(by_param, 1, MDL_PARAM_COUNT * sizeof *by_param);
		return -1;
	}
	mdl_params *copies = w->copies;
	mdl_plan *nudged_plan = &w->plan;
	/* whole copies once; a nudge (nudge_param) moves only values, so each
	 * turn starts afresh from the values alone */
	copies[0] = *sender;
	if (!shared)
		copies[1] = *receiver;
	/* The sender alone, the receiver alone, and both at once: a rate that
	 * enters as the smaller of the two ends' moves only when both move.
	 * Up and down: of several links as slow as each other (min) any one
	 * made slower sets the pace, of several equal pipeline stages (max)
	 * any one made slower. */
	for (int step = 0; step < 6; step++)
		for (int id = 0; id < MDL_PARAM_COUNT; id++) {
			int which = step % 3, sign = step < 3 ? 1 : -1;
			if (shared && which != 2)
				continue;
			/* afresh: the clock's nudge moves other values too */
			memcpy(copies[0].value, sender->value, sizeof sender->value);
			if (!shared)
				memcpy(copies[1].value, receiver->value, sizeof receiver->value);
			if (which != 1)
				nudge_param(&copies[0], id, sign);
			if (which != 0 && !shared)
				nudge_param(&copies[1], id, sign);
			const mdl_params *s = &copies[0], *r = shared ? &copies[0] : &copies[1];
			mdl_plan_build(option, s, r, size_bytes, verb, completion, leg, footprint, nudged_plan);
			mark_changes(plan, nudged_plan, &by_param[id]);
		}
	return 0;
}
