/*
 * sim/flows/build.c - building and freeing a many-flow engine: its
 * servers, paths and flows, checked as they are added.
 */
#include "sim/flows/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/flows/rng.h"

static void fail(fl_engine *e, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void fail(fl_engine *e, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	vsnprintf(e->error, sizeof e->error, format, ap);
	va_end(ap);
}

/* Room for MORE more elements in *ARRAY (of COUNT used, *CAPACITY allocated). */
static int reserve_n(void **array, size_t count, size_t more, size_t *capacity, size_t element)
{
	if (count + more <= *capacity)
		return 0;
	size_t grown = *capacity ? 2 * *capacity : 16;
	while (grown < count + more)
		grown *= 2;
	void *p = realloc(*array, grown * element);
	if (!p)
		return -1;
	*array = p;
	*capacity = grown;
	return 0;
}

static int reserve(void **array, size_t count, size_t *capacity, size_t element)
{
	return reserve_n(array, count, 1, capacity, element);
}

fl_engine *fl_engine_new(const fl_config *config)
{
	fl_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->config = *config;
	e->horizon_ps = config->horizon_ns > 0 ? fl_ps_of_ns(config->horizon_ns) : 0;
	e->groups = calloc(config->groups ? config->groups : 1, sizeof *e->groups);
	e->vms = calloc(config->vms ? config->vms : 1, sizeof *e->vms);
	fl_heap_init(&e->heap);
	if (!e->groups || !e->vms || e->horizon_ps < 0) {
		fl_engine_free(e);
		return NULL;
	}
	for (uint32_t g = 0; g < config->groups; g++) {
		fl_batch_reset(&e->groups[g].batch);
		if (!(e->groups[g].latency = malloc(sizeof *e->groups[g].latency))) {
			fl_engine_free(e);
			return NULL;
		}
		vr_stats_reset(e->groups[g].latency);
	}
	return e;
}

void fl_engine_free(fl_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->server_count; i++)
		fl_server_free(&e->servers[i]);
	for (size_t i = 0; i < e->path_count; i++)
		fl_path_free(&e->paths[i]);
	for (size_t i = 0; i < e->flow_count; i++) {
		fl_gates_free(&e->flows[i].gates);
		fl_fan_free(&e->flows[i].fan);
		fl_backlog_free(&e->flows[i].backlog);
		fl_backlog_free(&e->flows[i].parked);
	}
	if (e->groups)
		for (uint32_t g = 0; g < e->config.groups; g++)
			free(e->groups[g].latency);
	if (e->vms)
		for (uint32_t v = 0; v < e->config.vms; v++)
			fl_latency_free(&e->vms[v].latency);
	fl_caches_free(e);
	fl_irqs_free(e);
	for (size_t i = 0; i < e->controller_count; i++)
		free(e->controllers[i].flows);
	free(e->controllers);
	free(e->servers);
	free(e->paths);
	free(e->flows);
	free(e->picks);
	free(e->groups);
	free(e->vms);
	fl_heap_free(&e->heap);
	free(e);
}

const char *fl_engine_error(const fl_engine *e)
{
	return e->error;
}

uint32_t fl_add_server(fl_engine *e, const fl_server_spec *spec)
{
	if (e->ran || spec->units == 0 || e->server_count >= FL_NONE) {
		fail(e, "server %s: found %u units%s, expected at least 1 before the run", spec->name ? spec->name : "",
		     spec->units, e->ran ? " after the run" : "");
		return FL_NONE;
	}
	if (reserve((void **)&e->servers, e->server_count, &e->server_capacity, sizeof *e->servers) < 0) {
		fail(e, "out of memory for server %zu", e->server_count);
		return FL_NONE;
	}
	uint32_t index = (uint32_t)e->server_count;
	uint64_t seed = fl_rng_seed(e->config.seed, FL_STREAM_SERVER, index);
	if (fl_server_init(&e->servers[index], spec->name, spec->units, seed, spec->wait_histogram) < 0) {
		fail(e, "out of memory for server %s", spec->name ? spec->name : "");
		return FL_NONE;
	}
	e->server_count++;
	return index;
}

uint32_t fl_add_path(fl_engine *e, const fl_hop_spec *hops, size_t count)
{
	if (e->ran) {
		fail(e, "a path added after the run");
		return FL_NONE;
	}
	if (reserve((void **)&e->paths, e->path_count, &e->path_capacity, sizeof *e->paths) < 0) {
		fail(e, "out of memory for path %zu", e->path_count);
		return FL_NONE;
	}
	char why[200];
	fl_path_scope scope = {.servers = e->server_count, .paths = e->path_count, .caches = e->cache_count,
			       .irqs = e->irq_count};
	if (fl_path_compile(hops, count, scope, &e->paths[e->path_count], why, sizeof why) < 0) {
		fail(e, "path %zu: %s", e->path_count, why);
		return FL_NONE;
	}
	return (uint32_t)e->path_count++;
}

/* Does every FL_CLIENT_OWN or FL_SERVER_OWN visit of PATH (and of its
 * branches, DEPTH deep at most) name a server (an interrupt vector for an
 * interrupt's visits) for SPEC? */
static int path_owns_known(const fl_engine *e, const fl_flow_spec *spec, uint32_t path, int depth)
{
	const fl_path *p = &e->paths[path];
	for (uint32_t i = 0; i < p->count; i++) {
		const fl_visit *v = &p->visits[i];
		int irq = v->service == FL_VISIT_IRQ || v->service == FL_VISIT_IRQ_END;
		size_t known = irq ? e->irq_count : e->server_count;
		uint32_t client = irq ? spec->client_irq : spec->client_own, server = irq ? spec->server_irq : spec->server_own;
		if (v->service == FL_VISIT_CACHE)
			continue;
		if ((v->server == FL_CLIENT_OWN && client >= known) || (v->server == FL_SERVER_OWN && server >= known))
			return 0;
	}
	for (uint32_t k = 0; k < p->fork_count && depth > 0; k++)
		if (!path_owns_known(e, spec, p->forks[k].branch, depth - 1))
			return 0;
	return 1;
}

static int own_servers_known(const fl_engine *e, const fl_flow_spec *spec)
{
	if (spec->choice_count == 0)
		return spec->path >= e->path_count || path_owns_known(e, spec, spec->path, 8);
	for (uint32_t c = 0; c < spec->choice_count; c++)
		if (spec->choices[c].path < e->path_count && !path_owns_known(e, spec, spec->choices[c].path, 8))
			return 0;
	return 1;
}

/* NULL if SPEC may be run, else what is wrong with it. */
static const char *flow_spec_problem(const fl_engine *e, const fl_flow_spec *spec)
{
	if (spec->choice_count == 0 && spec->path >= e->path_count)
		return "unknown path";
	if (spec->choice_count > 0 && !spec->choices)
		return "choice_count without choices";
	if (spec->group >= e->config.groups)
		return "group beyond config.groups";
	if (spec->client_vm >= e->config.vms || spec->server_vm >= e->config.vms)
		return "VM beyond config.vms";
	if (spec->window == 0)
		return "window 0 (expected at least 1)";
	if (spec->controller > e->controller_count)
		return "unknown controller";
	if (spec->controller && (spec->load != FL_CLOSED_LOOP || spec->choice_count > 1 || spec->operations == 0))
		return "a controlled flow is a closed loop of one choice with its first round's operations";
	if (!own_servers_known(e, spec))
		return "a path visits a client's or server's own server the flow does not name";
	if (spec->load != FL_CLOSED_LOOP && spec->load != FL_OPEN_LOOP && spec->load != FL_TRIGGERED)
		return "unknown load";
	if (spec->fan_out && spec->choice_count > FL_CHOICES_MAX)
		return "more legs than FL_CHOICES_MAX";
	if (spec->load == FL_OPEN_LOOP && !(spec->rate_per_s > 0 && isfinite(spec->rate_per_s)))
		return "open loop without a finite rate > 0";
	if (fl_ps_of_ns(spec->start_ns) < 0)
		return "start time not a finite time >= 0";
	if (spec->stop_ns != 0 && !(fl_ps_of_ns(spec->stop_ns) > fl_ps_of_ns(spec->start_ns)))
		return "stop time not a finite time after the start";
	return NULL;
}

/* Compile the choices of flow INDEX (SPEC's, or its one path) into F: a
 * single one into F itself, several appended to the engine's picks. */
static int add_picks(fl_engine *e, uint32_t index, const fl_flow_spec *spec, fl_flow *f)
{
	fl_choice one = {.path = spec->path, .bytes_per_op = spec->bytes_per_op, .weight = 1};
	const fl_choice *choices = spec->choice_count ? spec->choices : &one;
	size_t count = spec->choice_count ? spec->choice_count : 1;
	fl_pick *into = &f->one;
	if (count > 1 && count <= FL_CHOICES_MAX) {
		if (e->pick_count + count > UINT32_MAX ||
		    reserve_n((void **)&e->picks, e->pick_count, count, &e->pick_capacity, sizeof *e->picks) < 0) {
			fail(e, "no room for the %zu choices of flow %u", count, index);
			return -1;
		}
		into = e->picks + e->pick_count;
	}
	char why[200];
	if (fl_choices_compile(choices, count, e->path_count, into, why, sizeof why) < 0) {
		fail(e, "flow %u: %s", index, why);
		return -1;
	}
	f->pick_count = (uint32_t)count;
	if (count > 1) {
		f->pick_first = (uint32_t)e->pick_count;
		e->pick_count += count;
	}
	return 0;
}

uint32_t fl_add_flow(fl_engine *e, const fl_flow_spec *spec)
{
	const char *problem = e->ran ? "added after the run" : flow_spec_problem(e, spec);
	if (problem || e->flow_count >= FL_NONE) {
		fail(e, "flow %zu: %s", e->flow_count, problem ? problem : "too many flows");
		return FL_NONE;
	}
	if (reserve((void **)&e->flows, e->flow_count, &e->flow_capacity, sizeof *e->flows) < 0) {
		fail(e, "out of memory for flow %zu", e->flow_count);
		return FL_NONE;
	}
	uint32_t index = (uint32_t)e->flow_count;
	if (spec->controller) {
		fl_controller *c = &e->controllers[spec->controller - 1];
		size_t capacity = c->flow_capacity;
		if (reserve((void **)&c->flows, c->flow_count, &capacity, sizeof *c->flows) < 0) {
			fail(e, "out of memory for flow %zu", e->flow_count);
			return FL_NONE;
		}
		c->flow_capacity = (uint32_t)capacity;
		c->flows[c->flow_count++] = index;
	}
	fl_flow *f = &e->flows[index];
	memset(f, 0, sizeof *f);
	if (add_picks(e, index, spec, f) < 0)
		return FL_NONE;
	e->flow_count++;
	f->spec = *spec;
	f->spec.choices = NULL;   /* the caller's array: not kept */
	f->start_ps = fl_ps_of_ns(spec->start_ns);
	f->stop_ps = spec->stop_ns != 0 ? fl_ps_of_ns(spec->stop_ns) : 0;
	f->mean_gap_ps = spec->load == FL_OPEN_LOOP ? 1e12 / spec->rate_per_s : 0;
	f->rng = fl_rng_seed(e->config.seed, FL_STREAM_FLOW, index);
	f->choice_rng = fl_rng_seed(e->config.seed, FL_STREAM_CHOICE, index);
	f->follower = FL_NONE;
	if (spec->fan_out && fl_fan_init(&f->fan, spec->window) != 0) {
		e->flow_count--;
		fail(e, "out of memory for the slots of flow %u", index);
		return FL_NONE;
	}
	return index;
}

uint32_t fl_add_controller(fl_engine *e, const fl_controller_spec *spec)
{
	if (e->ran || !spec->next_round) {
		fail(e, "controller %zu: %s", e->controller_count, e->ran ? "added after the run" : "no next_round");
		return FL_NONE;
	}
	fl_controller *grown = realloc(e->controllers, (e->controller_count + 1) * sizeof *grown);
	if (!grown) {
		fail(e, "out of memory for controller %zu", e->controller_count);
		return FL_NONE;
	}
	e->controllers = grown;
	e->controllers[e->controller_count] = (fl_controller){.spec = *spec, .rounds = 1};
	return (uint32_t)e->controller_count++;
}

void fl_controller_figures(const fl_engine *e, uint32_t controller, uint64_t *rounds, double *end_ns)
{
	const fl_controller *c = controller < e->controller_count ? &e->controllers[controller] : NULL;
	*rounds = c ? c->rounds : 0;
	*end_ns = c ? (double)c->round_end_ps / 1e3 : 0;
}

int fl_follow(fl_engine *e, uint32_t follower, uint32_t leader)
{
	if (e->ran || follower >= e->flow_count || leader >= e->flow_count || leader == follower) {
		fail(e, "follow: found follower %u and leader %u, expected two different flows added before the run", follower,
		     leader);
		return -1;
	}
	if (e->flows[follower].spec.load != FL_TRIGGERED) {
		fail(e, "follow: flow %u is not triggered (load FL_TRIGGERED), expected a triggered follower", follower);
		return -1;
	}
	if (e->flows[leader].follower != FL_NONE) {
		fail(e, "follow: flow %u already has follower %u, expected one follower per leader", leader,
		     e->flows[leader].follower);
		return -1;
	}
	e->flows[leader].follower = follower;
	return 0;
}
