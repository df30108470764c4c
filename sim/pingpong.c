/*
 * pingpong.c - write_lat actors.
 *
 * Timeline of one message from S to R (times in ns of simulated clock):
 *   S: sleep(sender stages) ; transfer over the route (fabric) ; the send
 *      CQE becomes consumable at end-of-transfer + completion stages.
 *   R: on arrival, receiver stages (HCA rx, DMA write, poll detect) make the
 *      payload visible; R then also needs its own previous send CQE, so it
 *      proceeds at max(visible, its completion ready); the difference is
 *      "send_completion_wait".  R's reply starts with its sender stages.
 * The initiator's round trip runs from one post to the next; one-way is
 * half of it, as perftest reports.
 */
#include "sim/pingpong.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/mailbox.h>

#define V(p, id) ((p)->value[MDL_##id])

void vr_jitter_init(vr_jitter *j, const mdl_params *params, unsigned long seed)
{
	double cv = V(params, JITTER_CPU_CV);
	j->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(j->rng, seed);
	j->sigma = sqrt(log1p(cv * cv));   /* lognormal with this CV, median 1 */
	j->interference_probability = V(params, JITTER_INTERFERENCE_PROBABILITY);
	j->interference_ns = V(params, JITTER_INTERFERENCE_LATENCY);
}

void vr_jitter_free(vr_jitter *j)
{
	gsl_rng_free(j->rng);
	j->rng = NULL;
}

static double now_ns(void)
{
	return simgrid_get_clock() * 1e9;
}

static void sleep_ns(double ns)
{
	if (ns > 0)
		sg_actor_sleep_for(ns * 1e-9);
}

/* One draw of a stage's cost. */
static double draw(vr_jitter *j, const mdl_plan_stage *st)
{
	if (!st->software || j->sigma == 0 || st->nominal_ns == 0)
		return st->nominal_ns;
	return st->nominal_ns * exp(gsl_ran_gaussian_ziggurat(j->rng, j->sigma));   /* lognormal, median 1 */
}

/* Draw every stage of SEGMENT; record them in ACC (when not NULL). */
static double draw_segment(vr_jitter *j, const mdl_plan *plan, mdl_segment segment, vr_breakdown *acc)
{
	double total = 0;
	for (size_t i = 0; i < plan->count; i++) {
		const mdl_plan_stage *st = &plan->stages[i];
		if (st->segment != segment)
			continue;
		double ns = draw(j, st);
		total += ns;
		if (acc)
			vr_breakdown_record(acc, (size_t)st->stage, ns);
	}
	return total;
}

static double draw_sender(vr_pingpong_side *side, vr_breakdown *acc)
{
	double ns = draw_segment(&side->jitter, side->send_plan, SEG_SENDER, acc);
	double lost = 0;
	/* Interference interrupts a CPU: an HCA answering a READ has none. */
	if (side->send_plan->sender_software && side->jitter.interference_probability > 0 &&
	    gsl_rng_uniform(side->jitter.rng) < side->jitter.interference_probability)
		lost = side->jitter.interference_ns;
	if (acc)
		vr_breakdown_record(acc, side->extra_base + EXTRA_INTERFERENCE, lost);
	ns += lost;
	if (acc)
		draw_segment(&side->jitter, side->send_plan, SEG_OFF, acc);
	return ns;
}

/* Move the message; charge its fabric time to the fabric stages (their
 * latencies), serialization at the route's slowest link, and queueing
 * (whatever contention added).  Returns the end of the transfer. */
static double transfer(vr_pingpong_side *side, int counted)
{
	static int token;   /* SimGrid refuses NULL payloads; the data is the timing */
	const mdl_plan *plan = side->send_plan;
	double start = now_ns();
	sg_mailbox_put(side->peer_box, &token, (long)plan->message.wire_bytes);
	double end = now_ns();
	if (counted) {
		vr_breakdown *acc = side->breakdown;
		for (size_t i = 0; i < plan->count; i++)
			if (plan->stages[i].segment == SEG_FABRIC)
				vr_breakdown_record(acc, (size_t)plan->stages[i].stage, plan->stages[i].nominal_ns);
		vr_breakdown_record(acc, side->extra_base + EXTRA_SERIALIZATION, plan->serialization_ns);
		vr_breakdown_record(acc, side->extra_base + EXTRA_QUEUEING,
				    (end - start) - plan->fabric_latency_ns - plan->serialization_ns);
	}
	return end;
}

/* Receive a message; returns when its payload is visible and this side's
 * own pending send completion is consumed.  *RECEIVER_NS gets the time
 * from arrival to that moment. */
static double receive(vr_pingpong_side *side, double completion_ready, int counted, double *receiver_ns)
{
	sg_mailbox_get(side->own_box);
	double arrival = now_ns();
	vr_breakdown *acc = counted ? side->breakdown : NULL;
	double visible = arrival + draw_segment(&side->jitter, side->recv_plan, SEG_RECEIVER, acc);
	double proceed = fmax(visible, completion_ready);
	if (acc)
		vr_breakdown_record(acc, side->extra_base + EXTRA_COMPLETION_WAIT, proceed - visible);
	*receiver_ns = proceed - arrival;
	return proceed;
}

static void run_initiator(vr_pingpong_side *side)
{
	double post_at = now_ns();
	sleep_ns(draw_sender(side, side->warmup == 0 ? side->breakdown : NULL));
	for (unsigned long long i = 0; i < side->total; i++) {
		int counted = i >= side->warmup;
		double sent = transfer(side, counted);
		double ready = sent + draw_segment(&side->jitter, side->send_plan, SEG_COMPLETION,
						   counted ? side->breakdown : NULL);
		double receiver_ns;
		double proceed = receive(side, ready, counted, &receiver_ns);
		if (counted)
			vr_stats_add(side->stats, (proceed - post_at) * side->latency_per_round_trip);
		if (i + 1 == side->total)
			break;
		double sender_ns = draw_sender(side, i + 1 >= side->warmup ? side->breakdown : NULL);
		sleep_ns(receiver_ns + sender_ns);
		post_at = proceed;
	}
}

static void run_responder(vr_pingpong_side *side)
{
	double ready = -INFINITY;   /* no send of ours pending yet */
	for (unsigned long long i = 0; i < side->total; i++) {
		int counted = i >= side->warmup;
		double receiver_ns;
		receive(side, ready, counted, &receiver_ns);
		double sender_ns = draw_sender(side, counted ? side->breakdown : NULL);
		sleep_ns(receiver_ns + sender_ns);
		double sent = transfer(side, counted);
		ready = sent + draw_segment(&side->jitter, side->send_plan, SEG_COMPLETION,
					    counted ? side->breakdown : NULL);
	}
}

void vr_pingpong_actor(int argc, char **argv)
{
	vr_pingpong_side *side = sg_actor_self_get_data();
	if (side->initiator)
		run_initiator(side);
	else
		run_responder(side);
}
