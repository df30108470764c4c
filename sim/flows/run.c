/*
 * sim/flows/run.c - the event loop: pop the earliest event, handle it.
 *
 * One handler per event kind, each O(1) apart from the heap: a visit is
 * Lindley's recursion at its server plus the folded delays to the next
 * server; completions and arrivals are the source's (source.c).  No
 * allocation per event (the heap and a server's queue ring grow by
 * doubling, bounded by the operations in flight), no logging, no SimGrid.
 */
#include "sim/flows/internal.h"
#include "sim/flows/rng.h"

#include <stdio.h>

/* The service of turn TURN of visit V at server S (PER_MISS times the
 * visit's for a per-miss visit), drawn from S's stream if it varies. */
static inline int64_t turn_service_ps(fl_server *s, const fl_visit *v, uint32_t turn, uint32_t per_miss)
{
	int64_t service_ps = v->packets > 1 ? fl_visit_turn_ps(v->service_ps, v->packets, turn) : v->service_ps * per_miss;
	if (v->service == FL_SERVICE_EXPONENTIAL)
		service_ps = fl_rng_exponential_ps(&s->rng, (double)service_ps);
	else if (v->service == FL_SERVICE_LOGNORMAL && v->sigma > 0)
		service_ps = fl_rng_lognormal_ps(&s->rng, (double)service_ps, v->sigma);
	return service_ps;
}

/* The operation of EV at visit V takes its turn at the server.  When its
 * last turn is done its forks start, its flow's next message parked at
 * this link (if any) gets in, and it moves on: returns 1 with *NEXT_PS the
 * time it reaches its next place.  Otherwise it queues again for its next
 * turn (a link's next packet, behind what arrived meanwhile), or waits
 * parked for its flow's previous message to leave the link: returns 0.
 * A message that reaches a server (not parked) with its first bytes ahead
 * of it (V->overlap_ps, cut-through) starts its first turn when they came
 * if the server was free then, and takes at once the turns that end by
 * its arrival (nothing else can have reached the server in between), but
 * leaves no earlier than it arrived. */
static inline int serve(fl_engine *e, const fl_event *ev, const fl_path *path, const fl_visit *v, int64_t *next_ps)
{
	if (v->service >= FL_VISIT_CACHE)   /* a lookup or an interrupt, no server */
		return v->service == FL_VISIT_CACHE ? fl_cache_visit(e, ev, path, v, next_ps)
						    : fl_irq_visit(e, ev, path, v, next_ps);
	uint32_t sid = v->server;
	if (sid >= FL_SERVER_OWN)   /* the flow's client's or server's own */
		sid = sid == FL_CLIENT_OWN ? e->flows[ev->flow].spec.client_own : e->flows[ev->flow].spec.server_own;
	uint32_t per_miss = 1;
	if ((v->flags & FL_VISIT_PER_MISS) && (per_miss = e->flows[ev->flow].last_misses) == 0) {
		*next_ps = ev->time_ps + v->after_ps;   /* nothing missed: nothing to read */
		if (v->fork_count)
			fl_forks_start(e, ev->flow, path->forks + v->fork_first, v->fork_count, ev->time_ps);
		return 1;
	}
	fl_server *s = &e->servers[sid];
	uint32_t tag = fl_event_tag(ev), turn = tag == FL_TURN_ADMITTED ? 0 : tag;
	int ordered = (v->flags & FL_VISIT_GATED) && ev->kind == FL_EVENT_VISIT;
	if (ordered && tag == 0 && !fl_gate_enter(&e->flows[ev->flow].gates, sid, ev))
		return 0;   /* parked behind its flow's previous message */
	int64_t arrival_ps = ev->time_ps;
	if (tag == 0 && v->overlap_ps)
		arrival_ps = arrival_ps > v->overlap_ps ? arrival_ps - v->overlap_ps : 0;
	int64_t leave_ps = fl_server_admit(s, arrival_ps, turn_service_ps(s, v, turn, per_miss));
	while (tag == 0 && v->overlap_ps && turn + 1 < v->packets && leave_ps <= ev->time_ps)
		leave_ps = fl_server_admit(s, leave_ps, turn_service_ps(s, v, ++turn, per_miss));
	if (leave_ps < ev->time_ps)
		leave_ps = ev->time_ps;   /* not before its last bytes came */
	if (turn + 1 < v->packets) {
		fl_event again = *ev;
		again.time_ps = leave_ps;
		fl_event_set_tag(&again, turn + 1);
		fl_schedule(e, again);
		return 0;
	}
	fl_event next;
	if (ordered && fl_gate_leave(&e->flows[ev->flow].gates, sid, &next)) {
		next.time_ps = leave_ps;   /* its flow's next message takes its first turn */
		fl_event_set_tag(&next, FL_TURN_ADMITTED);
		fl_schedule(e, next);
	}
	if (v->fork_count)
		fl_forks_start(e, ev->flow, path->forks + v->fork_first, v->fork_count, leave_ps);
	*next_ps = leave_ps + v->after_ps;
	return 1;
}

void fl_forks_start(fl_engine *e, uint32_t flow, const fl_fork *forks, uint32_t count, int64_t at_ps)
{
	for (uint32_t k = 0; k < count; k++) {
		const fl_path *branch = &e->paths[forks[k].branch];
		int64_t start_ps = at_ps + forks[k].offset_ps;
		if (branch->lead_forks)
			fl_forks_start(e, flow, branch->forks, branch->lead_forks, start_ps);
		if (!branch->count)
			continue;   /* only delays: nothing to load */
		fl_event ev = {.time_ps = start_ps + branch->lead_ps, .origin_ps = (int64_t)forks[k].branch,
			       .flow = flow, .hop = 0, .kind = FL_EVENT_BRANCH};
		fl_schedule(e, ev);
	}
}

/* EV, done at its visit at NEXT_PS, goes on to its path's next visit: 1;
 * or it has left its path's last server: 0. */
static int to_next_visit(fl_engine *e, const fl_event *ev, const fl_path *path, int64_t next_ps)
{
	if ((uint32_t)ev->hop + 1 >= path->count)
		return 0;
	fl_event next = *ev;
	next.time_ps = next_ps;
	next.hop++;
	fl_event_set_tag(&next, 0);
	fl_schedule(e, next);
	return 1;
}

/* Detached work at a server: served, then on to its next visit, or gone. */
static void on_branch(fl_engine *e, const fl_event *ev)
{
	const fl_path *path = &e->paths[ev->origin_ps];
	int64_t next_ps;
	if (serve(e, ev, path, &path->visits[ev->hop], &next_ps))
		to_next_visit(e, ev, path, next_ps);
}

static void on_visit(fl_engine *e, const fl_event *ev)
{
	const fl_path *path = e->flows[ev->flow].picks[ev->choice].path.path;
	int64_t next_ps;
	if (serve(e, ev, path, &path->visits[ev->hop], &next_ps) && !to_next_visit(e, ev, path, next_ps))
		fl_source_finish(e, ev->flow, ev->choice, ev->origin_ps, next_ps);
}

static int bounded(const fl_engine *e)
{
	if (e->horizon_ps)
		return 1;
	for (size_t i = 0; i < e->flow_count; i++)
		if (e->flows[i].spec.operations == 0 && !e->flows[i].stop_ps && e->flows[i].spec.load != FL_TRIGGERED)
			return 0;   /* a triggered flow ends with its leaders */
	return 1;
}

int fl_run(fl_engine *e)
{
	if (e->ran) {
		snprintf(e->error, sizeof e->error, "the engine has already run");
		return -1;
	}
	if (!bounded(e)) {
		snprintf(e->error, sizeof e->error, "found a flow without an operation count and no horizon, expected one of them");
		return -1;
	}
	e->ran = 1;
	for (uint32_t i = 0; i < e->flow_count; i++)
		fl_source_start(e, i);
	fl_event ev;
	while (e->heap.count) {
		if (e->horizon_ps && e->heap.events[0].time_ps > e->horizon_ps)
			break;
		ev = e->heap.events[0];
		e->top_is_current = 1;
		e->events++;
		switch ((fl_event_kind)ev.kind) {
		case FL_EVENT_VISIT: on_visit(e, &ev); break;
		case FL_EVENT_DONE: fl_source_complete(e, ev.flow, ev.choice, ev.origin_ps, ev.time_ps); break;
		case FL_EVENT_ARRIVAL: fl_source_arrival(e, ev.flow, ev.time_ps); break;
		case FL_EVENT_BRANCH: on_branch(e, &ev); break;
		case FL_EVENT_TRIGGER: fl_source_trigger(e, ev.flow, ev.choice, ev.time_ps); break;
		case FL_EVENT_RELEASE: fl_source_release(e, ev.flow, ev.time_ps); break;
		}
		if (e->top_is_current) {   /* the handler scheduled nothing: drop the event */
			fl_event done;
			fl_heap_pop(&e->heap, &done);
		}
	}
	e->top_is_current = 0;
	/* Without a horizon the run ends with its last completion: detached
	 * work still going then (a last operation's completion handling) is
	 * no part of what was measured. */
	e->end_ps = e->horizon_ps ? e->horizon_ps : e->last_done_ps;
	return fl_report_gather(e);
}
