/*
 * plan.c - compiling an option into per-segment arithmetic.
 */
#include "models/plan.h"

#include "models/cpu_sides.h"

#include <math.h>
#include <string.h>

static mdl_segment segment_of(const mdl_stage *stage, int seen_fabric)
{
	if (stage->path == PATH_COMPLETION)
		return SEG_COMPLETION;
	if (stage->path == PATH_OFF)
		return SEG_OFF;
	if (mdl_mechanisms[stage->mechanism].part == PART_TRANSFER)
		return SEG_FABRIC;
	return seen_fabric ? SEG_RECEIVER : SEG_SENDER;
}

mdl_leg mdl_leg_of(mdl_verb verb, int back)
{
	if (!mdl_verb_round_trip(verb))
		return LEG_MESSAGE;
	return back ? LEG_READ_RESPONSE : LEG_READ_REQUEST;
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

/* The slowest of the links ROUTE crosses (routes.def), on both ends:
 * SimGrid's CM02 streams a transfer at that rate, and so do we. */
static mdl_resource bottleneck(mdl_route route, const mdl_params *sender, const mdl_params *receiver, double *bps)
{
	const mdl_resource *links = mdl_routes[route].links;
	mdl_resource best = links[0];
	*bps = INFINITY;
	for (size_t i = 0; i < MDL_ROUTE_LINKS_MAX && links[i] != RES_NONE; i++) {
		mdl_resource r = links[i];
		double rate = fmin(mdl_resource_bps(r, sender), mdl_resource_bps(r, receiver));
		if (rate < *bps) {
			*bps = rate;
			best = r;
		}
	}
	return best;
}

/* What a READ-shaped request carries beyond the headers wire.header_bytes
 * and eth.header_bytes count (they hold a READ's RETH): nothing for a
 * READ; for an atomic the AtomicETH's 28 bytes (address, R_Key, swap or
 * add, compare) where a RETH has 16 (IBTA Vol. 1, 9.3.3 and 9.3.5). */
static double request_payload_bytes(mdl_verb verb)
{
	static const double ATOMIC_ETH_BEYOND_RETH_BYTES = 28.0 - 16.0;
	return mdl_verb_is_atomic(verb) ? ATOMIC_ETH_BEYOND_RETH_BYTES : 0.0;
}

void mdl_plan_build(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
		    double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg,
		    const mdl_footprint *footprint, mdl_plan *out)
{
	memset(out, 0, sizeof *out);
	/* A READ request carries no payload; its response is never inline. */
	double wire_payload = leg == LEG_READ_REQUEST ? request_payload_bytes(verb) : size_bytes;
	out->message = mdl_message_make(sender, option->link, wire_payload, size_bytes, leg != LEG_READ_RESPONSE, footprint);
	out->route = option->route;
	out->completion_after_receiver = option->completion_after_receiver;
	double rate_bps;
	out->bottleneck = bottleneck(option->route, sender, receiver, &rate_bps);
	out->serialization_ns = out->message.wire_bytes * 8.0 / rate_bps * 1e9;
	double later_packets = out->message.packets - 1.0;
	double slowest_per_packet_ns = out->serialization_ns / out->message.packets;
	double slowest_cacheless_ns = slowest_per_packet_ns;
	/* Software stages of one side share its CPU: their per-packet work adds
	 * up into one pipeline stage.  Hardware stages are stages of their own. */
	double cpu_per_packet_ns[2] = {0, 0};
	int seen_fabric = 0;
	for (size_t i = 0; i < option->stage_count; i++) {
		const mdl_stage *s = &option->stages[i];
		if (!path_in_leg(s->path, leg) || !mdl_stage_applies(s, verb, completion))
			continue;
		if (sender->back_to_back && mdl_mechanism_is_switch(s->mechanism))
			continue;   /* one cable between the two adapters, no switch */
		/* What the message has taken so far (its pipeline, known only at
		 * the end, left out): at least how long a thread that blocked at
		 * the post has waited, for the wake-up of a halted vCPU. */
		double elapsed_ns = mdl_plan_segment_ns(out, SEG_SENDER) + out->fabric_latency_ns +
				    (seen_fabric ? out->serialization_ns : 0.0) + mdl_plan_segment_ns(out, SEG_RECEIVER) +
				    mdl_plan_segment_ns(out, SEG_COMPLETION);
		mdl_cost c = mdl_mechanism_cost(s->mechanism, sender, receiver, &out->message, &s->cpu, s->side, elapsed_ns);
		const mdl_params *own = s->side == SIDE_RECEIVER ? receiver : sender;
		if (s->behind_posted_write)   /* in flight with the write before it (option.h) */
			c.fixed_ns = fmax(0.0, c.fixed_ns - MDL_VALUE(own, PCIE_WRITE_LATENCY));
		if (s->measured_cycles >= 0) {
			/* a trace measured this work: its cycles, at this CPU's clock */
			c.fixed_ns = s->measured_cycles / own->value[MDL_CPU_FREQUENCY] * 1e9;
			c.per_packet_ns = 0;
		}
		if (s->replay_times >= 0 || s->repeat_param >= 0) {
			/* a replayed stage happens as often as the trace saw it */
			double times = s->replay_times >= 0 ? s->replay_times : own->value[s->repeat_param];
			c.fixed_ns *= times;
			c.per_packet_ns *= times;
			mdl_counters_scale(&c.counts, times);
		}
		mdl_plan_stage *p = &out->stages[out->count++];
		p->stage = (int)i;
		p->segment = segment_of(s, seen_fabric);
		p->side = s->side;
		p->nominal_ns = c.fixed_ns;
		p->full_ns = c.fixed_ns;
		p->per_doorbell = s->per_doorbell;
		p->software = c.software;
		p->counts = c.counts;
		p->event_chance = c.events_per_ns;   /* a rate until the one-way time is known */
		p->event_ns = c.event_ns;
		mdl_counters_add(&out->counters, &c.counts);
		if (p->segment == SEG_SENDER || p->segment == SEG_RECEIVER) {
			/* In the pipeline: this stage's share is its first packet. */
			p->nominal_ns -= later_packets * c.per_packet_ns;
			if (c.software)
				cpu_per_packet_ns[p->segment == SEG_RECEIVER] += c.per_packet_ns;
			else
				slowest_per_packet_ns = fmax(slowest_per_packet_ns, c.per_packet_ns);
			if (!c.software && !mdl_mechanism_translates(s->mechanism))
				slowest_cacheless_ns = fmax(slowest_cacheless_ns, c.per_packet_ns);
		}
		if (p->segment == SEG_FABRIC) {
			out->fabric_latency_ns += c.fixed_ns;
			seen_fabric = 1;
		}
		if (p->segment == SEG_SENDER && c.software)
			out->sender_software = 1;
	}
	out->completion_start_ns = out->completion_after_receiver ? mdl_plan_segment_ns(out, SEG_RECEIVER) : 0.0;
	/* Between two VMs of one host nothing reaches a cable, whatever the
	 * HCA's transmit stage counted. */
	if (!mdl_route_between_hosts(option->route))
		out->counters.wire_packets = 0;
	/* The two ends' CPUs overlap as far as cpu.side_overlap says: fully on
	 * cores of their own, not at all when they take turns on shared ones. */
	out->side_overlap = MDL_VALUE(sender, CPU_SIDE_OVERLAP);
	double cpu_pace_ns = mdl_sides_pace_ns(out->side_overlap, cpu_per_packet_ns[0], cpu_per_packet_ns[1]);
	slowest_per_packet_ns = fmax(slowest_per_packet_ns, cpu_pace_ns);
	double later_serialization_ns = out->serialization_ns - out->serialization_ns / out->message.packets;
	out->pipeline_ns = fmax(0.0, later_packets * slowest_per_packet_ns - later_serialization_ns);
	out->pipeline_cacheless_ns = fmax(0.0, later_packets * fmax(slowest_cacheless_ns, cpu_pace_ns) -
					  later_serialization_ns);
	out->pipeline_hardware_ns = fmax(0.0, later_packets * slowest_cacheless_ns - later_serialization_ns);
	/* An event striking at a rate meets a message with the chance its
	 * rate x the time the message is under way. */
	double one_way_ns = mdl_plan_one_way_ns(out);
	for (size_t i = 0; i < out->count; i++)
		if (out->stages[i].event_chance > 0)
			out->stages[i].event_chance = fmin(1.0, out->stages[i].event_chance * one_way_ns);
}

double mdl_plan_segment_ns(const mdl_plan *plan, mdl_segment segment)
{
	double sum = 0;
	for (size_t i = 0; i < plan->count; i++)
		if (plan->stages[i].segment == segment)
			sum += plan->stages[i].nominal_ns;
	return sum;
}

double mdl_plan_one_way_ns(const mdl_plan *plan)
{
	return mdl_plan_segment_ns(plan, SEG_SENDER) + plan->fabric_latency_ns + plan->serialization_ns + plan->pipeline_ns +
	       mdl_plan_segment_ns(plan, SEG_RECEIVER);
}

double mdl_plan_cpu_ns(const mdl_plan *plan, mdl_segment segment)
{
	double sum = 0;
	for (size_t i = 0; i < plan->count; i++)
		if (plan->stages[i].segment == segment && plan->stages[i].software)
			sum += plan->stages[i].full_ns;
	return sum;
}
