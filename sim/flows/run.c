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

static void on_visit(fl_engine *e, const fl_event *ev)
{
	const fl_flow *f = &e->flows[ev->flow];
	const fl_path *path = f->picks[ev->choice].path.path;
	const fl_visit *v = &path->visits[ev->hop];
	fl_server *s = &e->servers[v->server];
	int64_t service_ps = v->exponential ? fl_rng_exponential_ps(&s->rng, v->mean_ps) : v->service_ps;
	int64_t next_ps = fl_server_admit(s, ev->time_ps, service_ps) + v->after_ps;
	if ((uint32_t)ev->hop + 1 < path->count) {
		fl_event next = *ev;
		next.time_ps = next_ps;
		next.hop++;
		fl_schedule(e, next);
	} else {
		fl_source_finish(e, ev->flow, ev->choice, ev->origin_ps, next_ps);
	}
}

static int bounded(const fl_engine *e)
{
	if (e->horizon_ps)
		return 1;
	for (size_t i = 0; i < e->flow_count; i++)
		if (e->flows[i].spec.operations == 0)
			return 0;
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
	int64_t now_ps = 0;
	fl_event ev;
	while (e->heap.count) {
		if (e->horizon_ps && e->heap.events[0].time_ps > e->horizon_ps)
			break;
		ev = e->heap.events[0];
		e->top_is_current = 1;
		now_ps = ev.time_ps;
		e->events++;
		switch ((fl_event_kind)ev.kind) {
		case FL_EVENT_VISIT: on_visit(e, &ev); break;
		case FL_EVENT_DONE: fl_source_complete(e, ev.flow, ev.choice, ev.origin_ps, ev.time_ps); break;
		case FL_EVENT_ARRIVAL: fl_source_arrival(e, ev.flow, ev.time_ps); break;
		}
		if (e->top_is_current) {   /* the handler scheduled nothing: drop the event */
			fl_event done;
			fl_heap_pop(&e->heap, &done);
		}
	}
	e->top_is_current = 0;
	e->end_ps = e->horizon_ps ? e->horizon_ps : (now_ps > e->last_done_ps ? now_ps : e->last_done_ps);
	return fl_report_gather(e);
}
