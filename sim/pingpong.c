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

#define V(p, id) MDL_VALUE(p, id)

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

/* One draw of a stage's cost.  A stage that strikes by chance draws
 * whether it does even when its chance is 0, so that a run with the event
 * switched off draws the same numbers for every other stage. */
static double draw(vr_jitter *j, const mdl_plan_stage *st)
{
	if (st->event_ns > 0)
		return st->nominal_ns + (gsl_rng_uniform(j->rng) < st->event_chance ? st->event_ns : 0.0);
	if (!st->software || j->sigma == 0 || st->nominal_ns == 0)
		return st->nominal_ns;
	return st->nominal_ns * exp(gsl_ran_gaussian_ziggurat(j->rng, j->sigma));   /* lognormal, median 1 */
}

/* Draw every stage of SEGMENT and record them in ROUND. */
static double draw_segment(vr_pingpong_side *side, const mdl_plan *plan, mdl_segment segment,
			   unsigned long long round)
{
	double total = 0;
	for (size_t i = 0; i < plan->count; i++) {
		const mdl_plan_stage *st = &plan->stages[i];
		if (st->segment != segment)
			continue;
		double ns = draw(&side->jitter, st);
		total += ns;
		vr_breakdown_record(side->breakdown, round, (size_t)st->stage, ns);
	}
	return total;
}

/* The sender's work before the transfer, with any interference. */
static double draw_sender(vr_pingpong_side *side, unsigned long long round)
{
	double ns = draw_segment(side, side->send_plan, SEG_SENDER, round);
	double lost = 0;
	/* Interference interrupts a CPU: an HCA answering a READ has none. */
	if (side->send_plan->sender_software && side->jitter.interference_probability > 0 &&
	    gsl_rng_uniform(side->jitter.rng) < side->jitter.interference_probability)
		lost = side->jitter.interference_ns;
	vr_breakdown_record(side->breakdown, round, side->extra_base + EXTRA_INTERFERENCE, lost);
	draw_segment(side, side->send_plan, SEG_OFF, round);
	return ns + lost;
}

/* What contention added to a transfer: the measured time less its nominal
 * parts.  SimGrid's clock is a double in seconds, so an uncontended
 * transfer comes back a rounding error off its nominal time, either way:
 * within the engine's resolution (1 ps, the smallest time a parameter may
 * take) that is no queueing, not -0.000000. */
#define QUEUEING_RESOLUTION_NS 1e-3
static double queueing_ns(double residual_ns)
{
	return fabs(residual_ns) < QUEUEING_RESOLUTION_NS ? 0.0 : residual_ns;
}

/* Move the message; charge its fabric time to the fabric stages (their
 * latencies), serialization at the route's slowest link, and queueing
 * (whatever contention added).  Returns the end of the transfer. */
static double transfer(vr_pingpong_side *side, unsigned long long round)
{
	static int token;   /* SimGrid refuses NULL payloads; the data is the timing */
	const mdl_plan *plan = side->send_plan;
	double start = now_ns();
	sleep_ns(plan->pipeline_ns);   /* a slow per-packet stage paces the later packets */
	sg_mailbox_put(side->peer_box, &token, (long)plan->message.wire_bytes);
	double end = now_ns();
	vr_breakdown *b = side->breakdown;
	for (size_t i = 0; i < plan->count; i++)
		if (plan->stages[i].segment == SEG_FABRIC)
			vr_breakdown_record(b, round, (size_t)plan->stages[i].stage, plan->stages[i].nominal_ns);
	vr_breakdown_record(b, round, side->extra_base + EXTRA_SERIALIZATION, plan->serialization_ns);
	vr_breakdown_record(b, round, side->extra_base + EXTRA_PIPELINE, plan->pipeline_ns);
	vr_breakdown_record(b, round, side->extra_base + EXTRA_QUEUEING,
			    queueing_ns((end - start) - plan->fabric_latency_ns - plan->serialization_ns - plan->pipeline_ns));
	return end;
}

/* Receive a message; returns when its payload is visible and this side's
 * own pending send completion is consumed.  *RECEIVER_NS gets the time
 * from arrival to that moment. */
static double receive(vr_pingpong_side *side, double completion_ready, unsigned long long round,
		      double *receiver_ns)
{
	sg_mailbox_get(side->own_box);
	double arrival = now_ns();
	double visible = arrival + draw_segment(side, side->recv_plan, SEG_RECEIVER, round);
	double proceed = fmax(visible, completion_ready);
	vr_breakdown_record(side->breakdown, round, side->extra_base + EXTRA_COMPLETION_WAIT, proceed - visible);
	*receiver_ns = proceed - arrival;
	return proceed;
}

/* The initiator measures round trips from one post to the next and closes
 * each round once the responder is surely done with it: after its next sleep
 * (the engine closes the last one). */
static void run_initiator(vr_pingpong_side *side)
{
	double post_at = now_ns();
	sleep_ns(draw_sender(side, 0));
	for (unsigned long long i = 0; i < side->total; i++) {
		int counted = i >= side->warmup;
		double sent = transfer(side, i);
		double ready = sent + side->send_plan->completion_start_ns + draw_segment(side, side->send_plan, SEG_COMPLETION, i);
		double receiver_ns;
		double proceed = receive(side, ready, i, &receiver_ns);
		double latency = (proceed - post_at) * side->latency_per_round_trip;
		if (counted)
			vr_stats_add(side->stats, latency);
		vr_breakdown_pend(side->breakdown, i, latency, counted);
		if (i + 1 == side->total)
			break;
		double sender_ns = draw_sender(side, i + 1);
		sleep_ns(receiver_ns + sender_ns);
		vr_breakdown_close_pending(side->breakdown);
		post_at = proceed;
	}
}

static void run_responder(vr_pingpong_side *side)
{
	double ready = -INFINITY;   /* no send of ours pending yet */
	for (unsigned long long i = 0; i < side->total; i++) {
		double receiver_ns;
		receive(side, ready, i, &receiver_ns);
		double sender_ns = draw_sender(side, i);
		sleep_ns(receiver_ns + sender_ns);
		double sent = transfer(side, i);
		ready = sent + side->send_plan->completion_start_ns + draw_segment(side, side->send_plan, SEG_COMPLETION, i);
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
