/*
 * sim/flows/report.c - the figures of a finished run: per flow, group, VM
 * and server, and the busiest server.
 */
#include "sim/flows/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* F's own window: to its last completion if it did all its operations,
 * else to the run's end. */
static fl_window flow_window(const fl_engine *e, const fl_flow *f)
{
	int done = (f->spec.operations && f->completed == f->spec.operations) || (f->stop_ps && f->in_flight == 0);
	return (fl_window){f->start_ps, done ? f->last_done_ps : e->end_ps, 1};
}

static void window_widen(fl_window *w, fl_window by)
{
	if (!w->set || by.start_ps < w->start_ps)
		w->start_ps = by.start_ps;
	if (!w->set || by.end_ps > w->end_ps)
		w->end_ps = by.end_ps;
	w->set = 1;
}

/* The bytes of F's completed operations, each counted by its choice. */
static uint64_t flow_bytes(const fl_flow *f)
{
	uint64_t bytes = 0;
	for (uint32_t c = 0; c < f->pick_count; c++)
		bytes += f->picks[c].completed * f->picks[c].bytes_per_op;
	return bytes;
}

int fl_report_gather(fl_engine *e)
{
	for (size_t i = 0; i < e->flow_count; i++) {
		const fl_flow *f = &e->flows[i];
		fl_window w = flow_window(e, f);
		fl_group *g = &e->groups[f->spec.group];
		window_widen(&g->window, w);
		fl_vm *client = &e->vms[f->spec.client_vm];
		window_widen(&client->window, w);
		client->completed += f->completed;
		client->bytes += flow_bytes(f);
		e->vms[f->spec.server_vm].served += f->completed;
	}
	return 0;
}

double fl_end_ns(const fl_engine *e)
{
	return (double)e->end_ps / 1e3;
}

uint64_t fl_events(const fl_engine *e)
{
	return e->events;
}

size_t fl_flow_count(const fl_engine *e)
{
	return e->flow_count;
}

size_t fl_server_count(const fl_engine *e)
{
	return e->server_count;
}

/* Counts, rates over ELAPSED_PS and the latency figures of L (or, without
 * it, of the summary S: no percentiles). */
static void fill(fl_figures *out, uint64_t completed, uint64_t bytes, int64_t elapsed_ps, const fl_latency *l,
		 const fl_summary *sm)
{
	memset(out, 0, sizeof *out);
	out->completed = completed;
	out->bytes = bytes;
	double elapsed_s = (double)elapsed_ps / 1e12;
	out->ops_per_s = elapsed_s > 0 ? (double)completed / elapsed_s : 0;
	out->bytes_per_s = elapsed_s > 0 ? (double)bytes / elapsed_s : 0;
	out->mean_half_width_ns = NAN;
	if (sm && sm->count) {
		out->min_ns = (double)sm->min_ps / 1e3;
		out->max_ns = (double)sm->max_ps / 1e3;
		out->mean_ns = (double)sm->sum_ps / (double)sm->count / 1e3;
	}
	if (!l || !l->count)
		return;
	out->min_ns = (double)l->min_ps / 1e3;
	out->max_ns = (double)l->max_ps / 1e3;
	out->mean_ns = fl_latency_mean_ns(l);
	out->p50_ns = fl_latency_quantile_ns(l, 0.5);
	out->p99_ns = fl_latency_quantile_ns(l, 0.99);
	out->p999_ns = fl_latency_quantile_ns(l, 0.999);
}

void fl_flow_figures(const fl_engine *e, uint32_t flow, fl_figures *out)
{
	const fl_flow *f = &e->flows[flow];
	fl_window w = flow_window(e, f);
	int64_t elapsed_ps = w.end_ps - w.start_ps;
	fill(out, f->completed, flow_bytes(f), elapsed_ps, NULL, &f->latency);
}

uint64_t fl_flow_choice_completed(const fl_engine *e, uint32_t flow, uint32_t choice)
{
	const fl_flow *f = &e->flows[flow];
	if (choice >= f->pick_count)
		return 0;
	return f->pick_count > 1 ? e->picks[f->pick_first + choice].completed : f->one.completed;
}

uint32_t fl_flow_choice_path(const fl_engine *e, uint32_t flow, uint32_t choice)
{
	const fl_flow *f = &e->flows[flow];
	if (choice >= f->pick_count || !f->picks)
		return FL_NONE;
	return (uint32_t)(f->picks[choice].path.path - e->paths);
}

void fl_flow_vms(const fl_engine *e, uint32_t flow, uint32_t *client_vm, uint32_t *server_vm)
{
	*client_vm = e->flows[flow].spec.client_vm;
	*server_vm = e->flows[flow].spec.server_vm;
}

uint64_t fl_flow_held_ops(const fl_engine *e, uint32_t flow)
{
	return flow < e->flow_count ? e->flows[flow].held_ops : 0;
}

uint32_t fl_flow_choice_count(const fl_engine *e, uint32_t flow)
{
	return e->flows[flow].pick_count;
}

void fl_group_figures(const fl_engine *e, uint32_t group, fl_figures *out)
{
	const fl_group *g = &e->groups[group];
	fill(out, g->completed, g->bytes, g->window.end_ps - g->window.start_ps, NULL, NULL);
	out->cache_misses = g->cache_misses;
	const vr_stats *s = g->latency;
	if (!s->count)
		return;
	out->min_ns = s->min_ns;
	out->max_ns = s->max_ns;
	out->mean_ns = s->mean_ns;
	out->p50_ns = vr_stats_quantile_ns(s, 0.5);
	out->p99_ns = vr_stats_quantile_ns(s, 0.99);
	out->p999_ns = vr_stats_quantile_ns(s, 0.999);
	out->mean_half_width_ns = fl_batch_half_width(&g->batch);
}

void fl_vm_figures(const fl_engine *e, uint32_t vm, fl_figures *out, uint64_t *served_ops)
{
	const fl_vm *v = &e->vms[vm];
	fill(out, v->completed, v->bytes, v->window.end_ps - v->window.start_ps, &v->latency, NULL);
	if (served_ops)
		*served_ops = v->served;
}

/* Busy time within [0, END_PS]: work admitted before a horizon may run past
 * it.  Every arrival is at or before the end, so a unit is busy without a
 * gap from the end to its free time: what lies beyond is free - end. */
static int64_t busy_until_end_ps(const fl_server *s, int64_t end_ps)
{
	int64_t busy_ps = s->busy_ps;
	for (uint32_t u = 0; u < s->units; u++)
		if (s->free_ps[u] > end_ps)
			busy_ps -= s->free_ps[u] - end_ps;
	return busy_ps;
}

void fl_server_figures_of(const fl_engine *e, uint32_t server, fl_server_figures *out)
{
	const fl_server *s = &e->servers[server];
	memset(out, 0, sizeof *out);
	out->name = s->name;
	out->units = s->units;
	out->visits = s->visits;
	out->utilisation = e->end_ps > 0 ? (double)busy_until_end_ps(s, e->end_ps) / ((double)s->units * (double)e->end_ps) : 0;
	int64_t width_ps;
	out->peak_utilisation = fl_server_peak_utilisation(s, e->end_ps, &width_ps);
	out->peak_window_ns = (double)width_ps / 1e3;
	if (out->peak_utilisation < 0) {
		out->peak_utilisation = out->utilisation;
		out->peak_window_ns = (double)e->end_ps / 1e3;
	}
	out->max_queue = s->max_queue;
	out->mean_wait_ns = s->visits ? (double)s->wait_sum_ps / (double)s->visits / 1e3 : 0;
	out->wait_half_width_ns = fl_batch_half_width(&s->wait_batch);
	out->max_wait_ns = (double)s->max_wait_ps / 1e3;
	out->has_wait_percentiles = s->wait_stats != NULL;
	if (s->wait_stats) {
		out->p50_wait_ns = vr_stats_quantile_ns(s->wait_stats, 0.5);
		out->p99_wait_ns = vr_stats_quantile_ns(s->wait_stats, 0.99);
	}
}

/* The server that saturates first: the highest utilisation over its busiest
 * window (a server full during one phase of a scenario), then over the
 * run; ties go to the first added. */
uint32_t fl_busiest_server(const fl_engine *e)
{
	uint32_t best = FL_NONE;
	fl_server_figures b = {0};
	for (size_t i = 0; i < e->server_count; i++) {
		fl_server_figures f;
		fl_server_figures_of(e, (uint32_t)i, &f);
		if (best == FL_NONE || f.peak_utilisation > b.peak_utilisation ||
		    (f.peak_utilisation == b.peak_utilisation && f.utilisation > b.utilisation)) {
			best = (uint32_t)i;
			b = f;
		}
	}
	return best;
}
