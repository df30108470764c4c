/*
 * plan.c - compiling an option into per-segment arithmetic.
 */
#include "models/plan.h"

#include <math.h>
#include <string.h>

static mdl_segment segment_of(const mdl_stage *stage, int seen_wire)
{
	if (stage->path == PATH_COMPLETION)
		return SEG_COMPLETION;
	if (stage->path == PATH_OFF)
		return SEG_OFF;
	if (stage->mechanism == MECH_WIRE || stage->mechanism == MECH_SWITCH)
		return SEG_FABRIC;
	return seen_wire ? SEG_RECEIVER : SEG_SENDER;
}

/* Does a stage on PATH belong to a plan of LEG? */
static int path_in_leg(mdl_path path, mdl_leg leg)
{
	switch (leg) {
	case LEG_MESSAGE: return path == PATH_REQUEST || path == PATH_COMPLETION || path == PATH_OFF;
	case LEG_READ_REQUEST: return path == PATH_READ_REQUEST || path == PATH_OFF;
	case LEG_READ_RESPONSE: return path == PATH_READ_RESPONSE;
	}
	return 0;
}

/* The route crosses both hosts' PCIe and HCA links, both cables and the
 * switch; the transfer streams at the slowest of them (SimGrid's CM02 does
 * the same).  Returns the resource and its rate. */
static mdl_resource bottleneck(const mdl_params *sender, const mdl_params *receiver, double *bps)
{
	static const mdl_resource order[] = {RES_WIRE, RES_SWITCH, RES_HCA, RES_PCIE};
	mdl_resource best = RES_WIRE;
	*bps = INFINITY;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		double rate = fmin(mdl_resource_bps(order[i], sender), mdl_resource_bps(order[i], receiver));
		if (rate < *bps) {
			*bps = rate;
			best = order[i];
		}
	}
	return best;
}

void mdl_plan_build(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
		    double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg, mdl_plan *out)
{
	memset(out, 0, sizeof *out);
	/* A READ request carries no payload; its response is never inline. */
	double wire_payload = leg == LEG_READ_REQUEST ? 0.0 : size_bytes;
	out->message = mdl_message_make(sender, wire_payload, size_bytes, leg != LEG_READ_RESPONSE);
	double rate_bps;
	out->bottleneck = bottleneck(sender, receiver, &rate_bps);
	out->serialization_ns = out->message.wire_bytes * 8.0 / rate_bps * 1e9;
	int seen_wire = 0;
	for (size_t i = 0; i < option->stage_count; i++) {
		const mdl_stage *s = &option->stages[i];
		if (!path_in_leg(s->path, leg) || !mdl_stage_applies(s, verb, completion))
			continue;
		mdl_cost c = mdl_mechanism_cost(s->mechanism, sender, receiver, &out->message,
						s->cost_param, s->per_page_param, s->side);
		mdl_plan_stage *p = &out->stages[out->count++];
		p->stage = (int)i;
		p->segment = segment_of(s, seen_wire);
		p->nominal_ns = c.fixed_ns;
		p->software = c.software;
		mdl_counters_add(&out->counters, &c.counts);
		if (p->segment == SEG_FABRIC)
			out->fabric_latency_ns += c.fixed_ns;
		if (p->segment == SEG_SENDER && c.software)
			out->sender_software = 1;
		if (s->mechanism == MECH_WIRE)
			seen_wire = 1;
	}
}

double mdl_plan_segment_ns(const mdl_plan *plan, mdl_segment segment)
{
	double sum = 0;
	for (size_t i = 0; i < plan->count; i++)
		if (plan->stages[i].segment == segment)
			sum += plan->stages[i].nominal_ns;
	return sum;
}
