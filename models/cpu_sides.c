/*
 * cpu_sides.c - the two ends' CPU work and cpu.side_overlap (cpu_sides.h).
 */
#include "models/cpu_sides.h"

#include <math.h>

double mdl_sides_pace_ns(double overlap, double a_ns, double b_ns)
{
	return overlap * fmax(a_ns, b_ns) + (1.0 - overlap) * (a_ns + b_ns);
}

double mdl_sides_turn_ns(double overlap, double other_ns)
{
	/* Ends that overlap fully take no turns, even when the other's work is
	 * unbounded (0 x infinity would be NaN, and a NaN calendar never
	 * advances). */
	return overlap >= 1.0 ? 0.0 : (1.0 - overlap) * other_ns;
}

mdl_leg_cpu mdl_leg_cpu_of(const mdl_plan *plan)
{
	mdl_leg_cpu c = {0};
	for (size_t i = 0; i < plan->count; i++) {
		const mdl_plan_stage *st = &plan->stages[i];
		if (!st->software)
			continue;
		switch (st->segment) {
		case SEG_SENDER:
			*(st->per_doorbell ? &c.sender_doorbell_ns : &c.sender_ns) += st->full_ns;
			break;
		case SEG_RECEIVER:
			c.receiver_ns += st->full_ns;
			break;
		case SEG_COMPLETION:
			*(st->side == SIDE_RECEIVER ? &c.ack_ns : &c.completion_ns) += st->full_ns;
			break;
		case SEG_FABRIC:
		case SEG_OFF:
			break;
		}
	}
	return c;
}

mdl_stream_cpu mdl_stream_cpu_of(const mdl_plan *forward, const mdl_plan *response, unsigned post_list,
				 unsigned cq_moderation)
{
	mdl_leg_cpu f = mdl_leg_cpu_of(forward);
	mdl_stream_cpu w = {0};
	w.requester_ns = f.sender_ns + f.sender_doorbell_ns / post_list;
	if (response) {
		mdl_leg_cpu r = mdl_leg_cpu_of(response);
		w.requester_ns += r.receiver_ns + r.ack_ns + r.completion_ns / cq_moderation;
		w.responder_ns = f.receiver_ns + r.sender_ns;
	} else {
		w.requester_ns += f.completion_ns / cq_moderation;
		w.responder_ns = f.receiver_ns + f.ack_ns;
	}
	return w;
}
