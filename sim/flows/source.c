/*
 * sim/flows/source.c - where operations come from and what their
 * completion does: closed and open loops.
 *
 * Closed loop: WINDOW operations are posted at the flow's start; each
 * completion posts the next, until OPERATIONS are posted.  Its latency runs
 * from post to completion.  Only the flow's own operations touch its
 * state, so a completion is handled as soon as its time is known (in the
 * handler of the last server visit), without an event of its own.
 *
 * Open loop: arrivals form a Poisson process from the flow's stream.  An
 * arrival is posted at once if fewer than WINDOW operations are in flight,
 * else it waits in the flow's FIFO and is posted by the completion that
 * frees the window: post = max(arrival, that completion), Lindley's
 * recursion again.  The FIFO needs no storage: arrivals are drawn one at a
 * time, the oldest waiting one being next_arrival_ps, and all those after
 * it are still in the stream's future.  Latency runs from the arrival.
 * Here completions are events, since an arrival between the last visit
 * and the completion must still see the window full.
 *
 * A size mix: each operation posts on the choice it draws at its post (from
 * the flow's choice stream, apart from the arrivals'), carries it in its
 * events, and is counted under it at completion.
 *
 *   flow state (open loop):   idle --arrival--> posting --window full--> blocked
 *   blocked --completion--> posting;  an ARRIVAL event is pending only when
 *   the next arrival is in the future (next_arrival_ps > now).
 */
#include <math.h>

#include "sim/flows/internal.h"
#include "sim/flows/rng.h"

/* May F post (or take an arrival) at AT_PS: operations left, and its stop
 * (if any) not reached? */
static inline int more_to_post(const fl_flow *f, int64_t at_ps)
{
	return (f->spec.operations == 0 || f->posted < f->spec.operations) && (!f->stop_ps || at_ps < f->stop_ps);
}

/* Schedule the start of an operation of flow FI along its choice CHOICE at
 * AT_PS, its events carrying ORIGIN_PS (a fan-out's slot). */
static void start_on(fl_engine *e, uint32_t fi, fl_flow *f, uint32_t choice, int64_t at_ps, int64_t origin_ps)
{
	/* held (fl_hold): the operation is posted, its start waits for the
	 * release; out of memory it starts now, as if not held */
	if (f->held && at_ps >= f->hold_from_ps &&
	    fl_backlog_push(&f->parked, (fl_arrival){.time_ps = origin_ps, .choice = choice}) == 0)
		return;
	const fl_path *path = f->picks[choice].path.path;
	fl_event ev = {
		.time_ps = at_ps + path->lead_ps,
		.origin_ps = origin_ps,
		.flow = fi,
		.hop = 0,
		.kind = path->count ? FL_EVENT_VISIT : FL_EVENT_DONE,
		.choice = (uint8_t)choice,
	};
	fl_schedule(e, ev);
	if (path->lead_forks)
		fl_forks_start(e, fi, path->forks, path->lead_forks, at_ps);
}

/* Post an operation of flow FI at AT_PS whose latency counts from ORIGIN_PS;
 * it draws its choice here (a flow of one choice draws nothing), or takes
 * CHOSEN (a triggered arrival's, below the flow's choices), or, fanning
 * out, takes every choice at once, one leg each. */
static void post_chosen(fl_engine *e, uint32_t fi, fl_flow *f, int64_t at_ps, int64_t origin_ps, uint32_t chosen)
{
	f->posted++;
	f->in_flight++;
	if (f->spec.fan_out) {
		uint32_t slot = fl_fan_take(&f->fan, origin_ps, f->pick_count);
		for (uint32_t leg = 0; leg < f->pick_count; leg++)
			start_on(e, fi, f, leg, at_ps, (int64_t)slot);
		return;
	}
	uint32_t choice = chosen < f->pick_count ? chosen
			  : f->pick_count > 1 ? fl_choice_draw(f->picks, f->pick_count, &f->choice_rng) : 0;
	start_on(e, fi, f, choice, at_ps, origin_ps);
}

static void post(fl_engine *e, uint32_t fi, fl_flow *f, int64_t at_ps, int64_t origin_ps)
{
	post_chosen(e, fi, f, at_ps, origin_ps, UINT32_MAX);
}

/* Triggered: post the waiting arrivals the window admits, oldest first. */
static void take_backlog(fl_engine *e, uint32_t fi, fl_flow *f, int64_t now_ps)
{
	fl_arrival a;
	while (f->in_flight < f->spec.window && more_to_post(f, now_ps) && fl_backlog_pop(&f->backlog, &a))
		post_chosen(e, fi, f, now_ps, a.time_ps, a.choice < f->pick_count ? a.choice : 0);
}

void fl_source_trigger(fl_engine *e, uint32_t fi, uint32_t choice, int64_t now_ps)
{
	fl_flow *f = &e->flows[fi];
	if (!more_to_post(f, now_ps))
		return;
	if (f->in_flight < f->spec.window && !f->backlog.count) {
		post_chosen(e, fi, f, now_ps, now_ps, choice < f->pick_count ? choice : 0);
		return;
	}
	/* out of memory: the arrival is lost, as a log buffer that cannot grow drops it */
	if (fl_backlog_push(&f->backlog, (fl_arrival){.time_ps = now_ps, .choice = choice}) == 0)
		take_backlog(e, fi, f, now_ps);
}

/* Open loop: post the arrivals up to NOW_PS the window admits; make sure
 * the next future arrival has its event. */
static void take_arrivals(fl_engine *e, uint32_t fi, fl_flow *f, int64_t now_ps)
{
	while (more_to_post(f, f->next_arrival_ps) && f->in_flight < f->spec.window && f->next_arrival_ps <= now_ps) {
		post(e, fi, f, now_ps, f->next_arrival_ps);
		f->next_arrival_ps += fl_rng_exponential_ps(&f->rng, f->mean_gap_ps);
	}
	if (more_to_post(f, f->next_arrival_ps) && f->next_arrival_ps > now_ps && !f->arrival_pending) {
		fl_event ev = {.time_ps = f->next_arrival_ps, .flow = fi, .kind = FL_EVENT_ARRIVAL};
		f->arrival_pending = 1;
		fl_schedule(e, ev);
	}
}

void fl_source_start(fl_engine *e, uint32_t fi)
{
	fl_flow *f = &e->flows[fi];
	/* No more adds: the arrays stopped moving. */
	f->picks = f->pick_count > 1 ? &e->picks[f->pick_first] : &f->one;
	for (uint32_t c = 0; c < f->pick_count; c++)
		f->picks[c].path.path = &e->paths[f->picks[c].path.index];
	if (f->spec.load == FL_CLOSED_LOOP) {
		for (uint32_t k = 0; k < f->spec.window && more_to_post(f, f->start_ps); k++)
			post(e, fi, f, f->start_ps, f->start_ps);
		return;
	}
	if (f->spec.load == FL_TRIGGERED)
		return;   /* its leaders' completions bring its arrivals */
	f->next_arrival_ps = f->start_ps + fl_rng_exponential_ps(&f->rng, f->mean_gap_ps);
	take_arrivals(e, fi, f, f->start_ps);
}

void fl_hold(fl_engine *e, uint32_t fi, double from_ns)
{
	if (fi >= e->flow_count)
		return;
	e->flows[fi].held = 1;
	e->flows[fi].held_ever = 1;
	e->flows[fi].hold_from_ps = (int64_t)llround(from_ns * 1e3);
	e->flows[fi].release_ps = INT64_MAX;
}

void fl_release(fl_engine *e, uint32_t fi, double at_ns)
{
	if (fi >= e->flow_count || !e->flows[fi].held)
		return;
	fl_event ev = {.time_ps = (int64_t)llround(at_ns * 1e3), .flow = fi, .kind = FL_EVENT_RELEASE};
	fl_schedule(e, ev);
}

void fl_source_release(fl_engine *e, uint32_t fi, int64_t now_ps)
{
	fl_flow *f = &e->flows[fi];
	fl_arrival a;
	f->held = 0;
	f->release_ps = now_ps;
	while (fl_backlog_pop(&f->parked, &a))
		start_on(e, fi, f, a.choice, now_ps, a.time_ps);
}

void fl_source_arrival(fl_engine *e, uint32_t fi, int64_t now_ps)
{
	fl_flow *f = &e->flows[fi];
	f->arrival_pending = 0;
	take_arrivals(e, fi, f, now_ps);
}

/* Flow FI of controller C has nothing in flight and nothing left to post
 * at DONE_PS: when it is the last of C's flows, ask C for the next round
 * and post it (at the round's last completion). */
static void round_idle(fl_engine *e, fl_controller *c, int64_t done_ps)
{
	if (done_ps > c->round_end_ps)
		c->round_end_ps = done_ps;
	while (++c->idle == c->flow_count) {
		uint32_t path = FL_NONE;
		uint64_t ops = c->spec.next_round(c->spec.ctx, (double)c->round_end_ps / 1e3, &path);
		if (ops == 0)
			return;
		c->rounds++;
		c->idle = 0;
		int64_t at_ps = c->round_end_ps;
		for (uint32_t k = 0; k < c->flow_count; k++) {
			uint32_t fi = c->flows[k];
			fl_flow *f = &e->flows[fi];
			uint64_t share = ops / c->flow_count + (k < ops % c->flow_count);
			if (path != FL_NONE)
				f->one.path.path = &e->paths[path];
			f->spec.operations += share;
			for (uint32_t w = 0; w < f->spec.window && more_to_post(f, at_ps); w++)
				post(e, fi, f, at_ps, at_ps);
		}
		/* flows given nothing this round are idle already */
		c->idle = 0;
		for (uint32_t k = 0; k < c->flow_count; k++)
			c->idle += e->flows[c->flows[k]].in_flight == 0;
		if (c->idle < c->flow_count)
			return;
		c->idle--;   /* all idle: ask again (the loop's increment counts the last) */
	}
}

void fl_source_finish(fl_engine *e, uint32_t fi, uint32_t choice, int64_t origin_ps, int64_t done_ps)
{
	if (e->flows[fi].spec.load == FL_CLOSED_LOOP) {
		fl_source_complete(e, fi, choice, origin_ps, done_ps);
		return;
	}
	fl_event ev = {.time_ps = done_ps, .origin_ps = origin_ps, .flow = fi, .kind = FL_EVENT_DONE,
		       .choice = (uint8_t)choice};
	fl_schedule(e, ev);
}

/* A fan-out operation's leg on CHOICE ended at DONE_PS: counted on its
 * choice (within the horizon); 1 with the operation's *ORIGIN_PS and
 * *DONE_PS when it was the last leg. */
static int fan_leg(fl_engine *e, fl_flow *f, uint32_t choice, int64_t *origin_ps, int64_t *done_ps)
{
	if (!e->horizon_ps || *done_ps <= e->horizon_ps)
		f->picks[choice].completed++;
	return fl_fan_leg_done(&f->fan, (uint32_t)*origin_ps, *done_ps, origin_ps, done_ps);
}

/* The bytes of an operation of F on CHOICE: a fan-out's, all its legs'. */
static uint64_t op_bytes(const fl_flow *f, uint32_t choice)
{
	if (!f->spec.fan_out)
		return f->picks[choice].bytes_per_op;
	uint64_t bytes = 0;
	for (uint32_t c = 0; c < f->pick_count; c++)
		bytes += f->picks[c].bytes_per_op;
	return bytes;
}

void fl_source_complete(fl_engine *e, uint32_t fi, uint32_t choice, int64_t origin_ps, int64_t done_ps)
{
	fl_flow *f = &e->flows[fi];
	if (f->spec.fan_out && !fan_leg(e, f, choice, &origin_ps, &done_ps))
		return;   /* legs still running */
	if (e->horizon_ps && done_ps > e->horizon_ps)
		return;   /* after the end: neither counted nor followed */
	fl_pick *pick = &f->picks[choice];
	int64_t latency_ps = done_ps - origin_ps;
	/* posted or arrived while held: it waited for the release (parked, or
	 * behind parked ones for the window) */
	f->held_ops += f->held_ever && origin_ps >= f->hold_from_ps && origin_ps < f->release_ps;
	f->completed++;
	if (!f->spec.fan_out)
		pick->completed++;
	f->in_flight--;
	fl_summary_add(&f->latency, latency_ps);
	fl_latency_add(&e->vms[f->spec.client_vm].latency, latency_ps);
	fl_group *g = &e->groups[f->spec.group];
	g->completed++;
	g->bytes += op_bytes(f, choice);
	double latency_ns = (double)latency_ps / 1e3;
	vr_stats_add(g->latency, latency_ns);
	fl_batch_add(&g->batch, latency_ns);
	if (done_ps > e->last_done_ps)
		e->last_done_ps = done_ps;
	f->last_done_ps = done_ps;
	if (f->follower != FL_NONE) {   /* in time order with the follower's own events */
		fl_event ev = {.time_ps = done_ps, .flow = f->follower, .kind = FL_EVENT_TRIGGER,
			       .choice = (uint8_t)(f->spec.fan_out ? 0 : choice)};
		fl_schedule(e, ev);
	}
	if (f->spec.load == FL_CLOSED_LOOP) {
		if (more_to_post(f, done_ps))
			post(e, fi, f, done_ps, done_ps);
		else if (f->spec.controller && f->in_flight == 0)
			round_idle(e, &e->controllers[f->spec.controller - 1], done_ps);
	} else if (f->spec.load == FL_TRIGGERED) {
		take_backlog(e, fi, f, done_ps);
	} else {
		take_arrivals(e, fi, f, done_ps);
	}
}
