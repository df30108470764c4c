/*
 * plan.c - compiling an option into per-segment arithmetic.
 */
#include "models/plan.h"

#include <math.h>
#include <string.h>

static mdl_segment segment_of(const mdl_stage *stage, int seen_wire)
{
	switch (stage->path) {
	case PATH_COMPLETION: return SEG_COMPLETION;
	case PATH_OFF: return SEG_OFF;
	case PATH_REQUEST:
	case PATH_COUNT: break;
	}
	if (stage->mechanism == MECH_WIRE || stage->mechanism == MECH_SWITCH)
		return SEG_FABRIC;
	return seen_wire ? SEG_RECEIVER : SEG_SENDER;
}

/* The route crosses both hosts' PCIe and HCA links, both cables and the
 * switch; the transfer streams at the slowest of them (SimGrid's CM02 does
 * the same).  Returns the resource and its rate. */
static mdl_resource bottleneck(const mdl_params *req, const mdl_params *resp, double *bps)
{
	static const mdl_resource order[] = {RES_WIRE, RES_SWITCH, RES_HCA, RES_PCIE};
	mdl_resource best = RES_WIRE;
	*bps = INFINITY;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		double rate = fmin(mdl_resource_bps(order[i], req), mdl_resource_bps(order[i], resp));
		if (rate < *bps) {
			*bps = rate;
			best = order[i];
		}
	}
	return best;
}

void mdl_plan_build(const mdl_option *option, const mdl_params *req, const mdl_params *resp,
		    double size_bytes, mdl_plan *out)
{
	memset(out, 0, sizeof *out);
	out->message = mdl_message_make(req, size_bytes);
	double rate_bps;
	out->bottleneck = bottleneck(req, resp, &rate_bps);
	out->serialization_ns = out->message.wire_bytes * 8.0 / rate_bps * 1e9;
	int seen_wire = 0;
	for (size_t i = 0; i < option->stage_count; i++) {
		const mdl_stage *s = &option->stages[i];
		mdl_cost c = mdl_mechanism_cost(s->mechanism, req, resp, &out->message,
						s->cost_param, s->per_page_param, s->side);
		mdl_plan_stage *p = &out->stages[out->count++];
		p->stage = (int)i;
		p->segment = segment_of(s, seen_wire);
		p->nominal_ns = c.fixed_ns;
		p->software = c.software;
		mdl_counters_add(&out->counters, &c.counts);
		if (p->segment == SEG_FABRIC)
			out->fabric_latency_ns += c.fixed_ns;
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
