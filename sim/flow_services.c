/*
 * flow_services.c - a hypervisor service's group (models/services.h) as
 * flows of the many-flow engine: each operation's messages as the legs of
 * one path over its transport's plans, a vSAN write as a fan-out of one
 * path per replica, iSER's reads and writes as two choices, FT's log as a
 * flow triggered by the completions of the group it follows plus the
 * guest timer ticks' records (flow_builder.h).
 */
#include "sim/flow_builder.h"

#include <math.h>
#include <string.h>

#include "models/services.h"

/* The latency verb and leg of message M over the transport. */
static mdl_verb verb_of(const svc_message *m)
{
	switch (m->verb) {
	case SVC_WRITE: return VERB_WRITE_LAT;
	case SVC_READ: return VERB_READ_LAT;
	case SVC_SEND: break;
	}
	return VERB_SEND_LAT;
}

/* The hypervisor of HOST. */
static scn_vm_ref hypervisor(unsigned host)
{
	return (scn_vm_ref){.host = (uint16_t)host, .vm = SCN_VM_HYPERVISOR};
}

/* One path: the messages M[0 .. N) between the hypervisors I (the
 * initiator) and T, in turn.  A SEND or WRITE is its plan's message with
 * its sender's completion beside what follows (as a ping-pong's); a READ
 * is its request and its response, its completion the response's arrival. */
static uint32_t message_path(vr_flow_builder *b, const scn_flow_group *g, const svc_message *m, size_t n, unsigned i,
			     unsigned t)
{
	const scn_scenario *s = b->s;
	mdl_plan plans[2 * SVC_MESSAGES_MAX];
	int sides[2 * SVC_MESSAGES_MAX];
	size_t legs = 0;
	mdl_footprint fp = g->workload.footprint;
	double qi = vr_flow_host_qps(s, i), qt = vr_flow_host_qps(s, t);
	fp.qps = qi > qt ? qi : qt;
	b->client = hypervisor(i);
	b->server = hypervisor(t);
	b->path_option = s->transport_options[g->transport];
	b->whole_cpu = 1;
	b->count = 0;
	b->service = g->service;
	b->post_list = b->cq_moderation = 1;
	b->hops = b->main_hops;
	for (size_t k = 0; k < n; k++) {
		unsigned from = m[k].from_target ? t : i, to = m[k].from_target ? i : t;
		const mdl_params *pf = scn_params(s, b->preset, from), *pt = scn_params(s, b->preset, to);
		mdl_verb verb = verb_of(&m[k]);
		int read = m[k].verb == SVC_READ;
		b->completion_detached = !read;
		mdl_plan_build(b->path_option, pf, pt, m[k].bytes, verb, s->completion, mdl_leg_of(verb, 0), &fp, &plans[legs]);
		sides[legs] = from != i;
		if (vr_flow_add_leg(b, &plans[legs++], hypervisor(from), hypervisor(to), !read) != 0)
			return FL_NONE;
		if (read) {   /* the data comes back */
			mdl_plan_build(b->path_option, pt, pf, m[k].bytes, verb, s->completion, mdl_leg_of(verb, 1), &fp, &plans[legs]);
			sides[legs] = to != i;
			if (vr_flow_add_leg(b, &plans[legs++], hypervisor(to), hypervisor(from), 0) != 0)
				return FL_NONE;
		}
	}
	uint32_t path = fl_add_path(b->e, b->hops, b->count);
	if (path != FL_NONE && vr_flow_count_legs(b, path, plans, sides, legs) != 0)
		return FL_NONE;
	return path;
}

/* What every flow of group G shares: its load, its keys, its group. */
static fl_flow_spec base_spec(vr_flow_builder *b, size_t g, unsigned from, unsigned to)
{
	const scn_flow_group *grp = &b->s->flows.groups[g];
	int open = grp->load.loop == FLOW_OPEN_LOOP;
	fl_flow_spec spec = {
		.group = (uint32_t)g,
		.client_vm = (uint32_t)scn_vm_index(&b->s->flows, hypervisor(from)),
		.server_vm = (uint32_t)scn_vm_index(&b->s->flows, hypervisor(to)),
		.client_own = FL_NONE, .server_own = FL_NONE,
		.client_irq = b->result->irq_first + (uint32_t)scn_vm_index(&b->s->flows, hypervisor(from)),
		.server_irq = b->result->irq_first + (uint32_t)scn_vm_index(&b->s->flows, hypervisor(to)),
		.qp_key = b->connection, .page_base = (uint64_t)b->connection << PAGE_KEY_BITS,
		.page_count = (uint32_t)fmax(1, ceil(grp->svc.size_bytes / MDL_VALUE(scn_params(b->s, b->preset, from), MEM_PAGE_SIZE))),
		.load = open ? FL_OPEN_LOOP : FL_CLOSED_LOOP,
		.window = open ? grp->workload.tx_depth : grp->load.window,
		/* a rate per VM is the writer's, split over its QPs in the group */
		.rate_per_s = grp->load.per == FLOW_PER_VM ? grp->load.rate_per_s / grp->qps : grp->load.rate_per_s,
		.operations = grp->svc.iterations,
		.start_ns = grp->start_ns, .stop_ns = grp->stop_ns,
	};
	if (spec.window < 1)
		spec.window = 1;
	return spec;
}

/* vSAN: per QP, one flow that fans each write out to every replica. */
static int add_vsan(vr_flow_builder *b, size_t g)
{
	const scn_flow_group *grp = &b->s->flows.groups[g];
	const svc_spec *v = &grp->svc;
	svc_message m[SVC_MESSAGES_MAX];
	size_t n = svc_messages(SVC_VSAN, grp->transport == FLOW_TRANSPORT_TCP ? SVC_OVER_TCP : SVC_OVER_RDMA, 0,
				v->size_bytes, m);
	fl_choice legs[SVC_REPLICAS_MAX];
	for (unsigned r = 0; r < v->replica_count; r++) {
		uint32_t path = message_path(b, grp, m, n, v->from, v->replicas[r]);
		if (path == FL_NONE)
			return -1;
		/* the write's data once, on its first leg: the VM wrote it once */
		legs[r] = (fl_choice){.path = path, .bytes_per_op = r == 0 ? (uint64_t)v->size_bytes : 0, .weight = 1};
	}
	for (unsigned q = 0; q < grp->qps; q++) {
		fl_flow_spec spec = base_spec(b, g, v->from, v->replicas[0]);
		spec.fan_out = 1;
		spec.choices = legs;
		spec.choice_count = v->replica_count;
		b->connection += v->replica_count;
		if (fl_add_flow(b->e, &spec) == FL_NONE)
			return -1;
	}
	return 0;
}

/* iSER: per QP, one flow whose commands draw read or write. */
static int add_iser(vr_flow_builder *b, size_t g)
{
	const scn_flow_group *grp = &b->s->flows.groups[g];
	const svc_spec *v = &grp->svc;
	svc_transport t = grp->transport == FLOW_TRANSPORT_TCP ? SVC_OVER_TCP : SVC_OVER_RDMA;
	fl_choice choices[2];
	uint32_t count = 0;
	for (int read = 1; read >= 0; read--) {
		double weight = read ? v->read_share : 1 - v->read_share;
		if (!(weight > 0))
			continue;
		svc_message m[SVC_MESSAGES_MAX];
		size_t n = svc_messages(SVC_ISER, t, read, v->size_bytes, m);
		uint32_t path = message_path(b, grp, m, n, v->from, v->to);
		if (path == FL_NONE)
			return -1;
		choices[count++] = (fl_choice){.path = path, .bytes_per_op = (uint64_t)v->size_bytes, .weight = weight};
	}
	for (unsigned q = 0; q < grp->qps; q++) {
		fl_flow_spec spec = base_spec(b, g, v->from, v->to);
		spec.choices = choices;
		spec.choice_count = count;
		b->connection++;
		if (fl_add_flow(b->e, &spec) == FL_NONE)
			return -1;
	}
	return 0;
}

/* Does connection C of a VM group of VERB deliver its data to VM? */
static int delivers_to(const scn_flow_connection *c, mdl_verb verb, scn_vm_ref vm)
{
	int read = mdl_verb_operation(verb) == VERB_READ_LAT || mdl_verb_operation(verb) == VERB_ATOMIC_LAT;
	scn_vm_ref at = read ? c->client : c->server;
	return at.host == vm.host && at.vm == vm.vm;
}

/* FT: a record per operation of the followed group that delivers to the
 * primary (each of its sizes its record's), and the timer ticks'. */
static int add_ft(vr_flow_builder *b, size_t g, const uint32_t *first_flow)
{
	const scn_scenario *s = b->s;
	const scn_flow_group *grp = &s->flows.groups[g];
	const svc_spec *v = &grp->svc;
	const scn_flow_group *src = &s->flows.groups[grp->svc_follows];
	const mdl_params *pp = scn_params(s, b->preset, v->from);
	scn_vm_ref primary = {.host = (uint16_t)v->from, .vm = (uint16_t)v->primary_vm};
	svc_message m[SVC_MESSAGES_MAX];
	fl_choice records[SCN_SIZES_MAX];
	for (size_t k = 0; k < src->workload.size_count; k++) {
		double bytes = svc_ft_log_bytes(pp, src->workload.sizes_bytes[k]);
		size_t n = svc_messages(SVC_FT, SVC_OVER_TCP, 0, bytes, m);
		uint32_t path = message_path(b, grp, m, n, v->from, v->to);
		if (path == FL_NONE)
			return -1;
		records[k] = (fl_choice){.path = path, .bytes_per_op = (uint64_t)bytes, .weight = 1};
	}
	fl_flow_spec spec = base_spec(b, g, v->from, v->to);
	spec.load = FL_TRIGGERED;
	spec.window = grp->load.window ? grp->load.window : 1;
	spec.operations = 0;
	spec.choices = records;
	spec.choice_count = (uint32_t)src->workload.size_count;
	b->connection++;
	uint32_t follower = fl_add_flow(b->e, &spec);
	if (follower == FL_NONE)
		return -1;
	for (size_t c = 0; c < src->connection_count; c++)
		if (delivers_to(&src->connections[c], src->workload.verb, primary) &&
		    fl_follow(b->e, follower, first_flow[grp->svc_follows] + (uint32_t)c) != 0)
			return -1;
	double tick_bytes = svc_ft_tick_bytes(pp), ticks_hz = svc_ft_tick_rate_hz(pp);
	if (!(tick_bytes > 0 && ticks_hz > 0))
		return 0;
	size_t n = svc_messages(SVC_FT, SVC_OVER_TCP, 0, tick_bytes, m);
	fl_flow_spec ticks = base_spec(b, g, v->from, v->to);
	ticks.path = message_path(b, grp, m, n, v->from, v->to);
	ticks.bytes_per_op = (uint64_t)tick_bytes;
	ticks.load = FL_OPEN_LOOP;
	ticks.rate_per_s = ticks_hz;
	ticks.window = spec.window;
	ticks.operations = 0;   /* the scenario's duration ends them */
	b->connection++;
	return ticks.path == FL_NONE || fl_add_flow(b->e, &ticks) == FL_NONE ? -1 : 0;
}

int vr_flow_add_service(vr_flow_builder *b, size_t g, const uint32_t *first_flow, double *scale)
{
	*scale = 1.0;   /* a service's latency is its whole operation's */
	switch (b->s->flows.groups[g].svc.cls) {
	case SVC_VSAN: return add_vsan(b, g);
	case SVC_ISER: return add_iser(b, g);
	case SVC_FT: return add_ft(b, g, first_flow);
	case SVC_NONE:
	case SVC_CLASS_COUNT: break;
	}
	return -1;
}
