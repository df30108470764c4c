/*
 * sim/flows/irq_hop.c - interrupt vectors in the many-flow engine: the
 * completions that reach a vector while one of its interrupts is pending
 * or handled ride it (interrupt moderation and a handler that drains its
 * CQ before re-arming, as mlx5's EQ handler and NAPI do).
 *
 * A vector is busy from the moment a completion raises an interrupt (its
 * FL_IRQ visit, when the vector was idle) until that completion reaches
 * the interrupt's FL_IRQ_END, i.e. through the moderation window, the
 * MSI, the injection and the handler, queueing included.  A completion
 * that reaches FL_IRQ while the vector is busy is no interrupt of its
 * own: its event is kept (a stack per vector, grown by doubling, bounded
 * by the operations in flight) and rescheduled at its own path's
 * FL_IRQ_END when the interrupt ends, tagged as a rider so that its end
 * visit only passes it on.  Decided in the arrival's event, no server, no
 * SimGrid activity: two events per completion (start and end).
 *
 * Order: a vector's riders all go on at the interrupt's end, in the order
 * the heap gives events of equal time (their scheduling order: the stack
 * is released last first, which only decides ties among them).
 */
#include "sim/flows/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The event tag of a rider rescheduled at its interrupt's end. */
enum { RIDER_TAG = 1 };

uint32_t fl_add_irq(fl_engine *e, const fl_irq_spec *spec)
{
	const char *name = spec->name ? spec->name : "";
	if (e->ran || e->irq_count >= FL_IRQ_END) {
		snprintf(e->error, sizeof e->error, "interrupt vector %s: %s", name,
			 e->ran ? "added after the run" : "too many vectors");
		return FL_NONE;
	}
	fl_irq *grown = realloc(e->irqs, (e->irq_count + 1) * sizeof *e->irqs);
	if (!grown) {
		snprintf(e->error, sizeof e->error, "out of memory for interrupt vector %s", name);
		return FL_NONE;
	}
	e->irqs = grown;
	fl_irq *q = &e->irqs[e->irq_count];
	memset(q, 0, sizeof *q);
	if (!(q->name = strdup(name))) {
		snprintf(e->error, sizeof e->error, "out of memory for interrupt vector %s", name);
		return FL_NONE;
	}
	return (uint32_t)e->irq_count++;
}

void fl_irqs_free(fl_engine *e)
{
	for (size_t i = 0; i < e->irq_count; i++) {
		free(e->irqs[i].name);
		free(e->irqs[i].riders);
	}
	free(e->irqs);
}

/* Keep rider EV until its interrupt ends: 0, or -1 out of memory. */
static int keep_rider(fl_irq *q, const fl_event *ev, uint16_t end_visit)
{
	if (q->rider_count == q->rider_capacity) {
		size_t capacity = q->rider_capacity ? 2 * q->rider_capacity : 16;
		fl_event *grown = realloc(q->riders, capacity * sizeof *grown);
		if (!grown)
			return -1;
		q->riders = grown;
		q->rider_capacity = capacity;
	}
	fl_event *kept = &q->riders[q->rider_count++];
	*kept = *ev;
	kept->hop = end_visit;
	return 0;
}

int fl_irq_visit(fl_engine *e, const fl_event *ev, const fl_path *path, const fl_visit *v, int64_t *next_ps)
{
	const fl_flow *f = &e->flows[ev->flow];
	uint32_t id = v->server;
	if (id >= FL_SERVER_OWN)
		id = id == FL_CLIENT_OWN ? f->spec.client_irq : f->spec.server_irq;
	fl_irq *q = &e->irqs[id];
	if (v->service == FL_VISIT_IRQ) {
		if (!q->busy) {   /* the vector was idle: raise, after the moderation window */
			q->busy = 1;
			q->raised++;
			int64_t leave_ps = ev->time_ps + v->service_ps;
			if (v->fork_count)
				fl_forks_start(e, ev->flow, path->forks + v->fork_first, v->fork_count, leave_ps);
			*next_ps = leave_ps + v->after_ps;
			return 1;
		}
		q->rode++;
		if (keep_rider(q, ev, v->packets) == 0)
			return 0;
		/* out of memory: it goes on at once, as if its interrupt had ended */
		fl_event now = *ev;
		now.hop = v->packets;
		fl_event_set_tag(&now, RIDER_TAG);
		fl_schedule(e, now);
		return 0;
	}
	if (fl_event_tag(ev) != RIDER_TAG) {   /* the interrupt's own completion: it ends */
		q->busy = 0;
		while (q->rider_count) {
			fl_event rider = q->riders[--q->rider_count];
			rider.time_ps = ev->time_ps;
			fl_event_set_tag(&rider, RIDER_TAG);
			fl_schedule(e, rider);
		}
	}
	if (v->fork_count)
		fl_forks_start(e, ev->flow, path->forks + v->fork_first, v->fork_count, ev->time_ps);
	*next_ps = ev->time_ps + v->after_ps;
	return 1;
}

size_t fl_irq_count(const fl_engine *e)
{
	return e->irq_count;
}

void fl_irq_figures_of(const fl_engine *e, uint32_t irq, fl_irq_figures *out)
{
	memset(out, 0, sizeof *out);
	if (irq >= e->irq_count)
		return;
	out->name = e->irqs[irq].name;
	out->raised = e->irqs[irq].raised;
	out->rode = e->irqs[irq].rode;
}
