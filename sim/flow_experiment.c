/*
 * flow_experiment.c - a flows scenario as servers, paths and flows of the
 * many-flow engine (see flow_experiment.h for the mapping).
 */
#include "sim/flow_experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cache.h"
#include "models/pcie.h"
#include "models/plan.h"
#include "sim/flow_builder.h"
#include "sim/flow_interrupts.h"
#include "sim/flow_migrate.h"

/* The builder of this file's paths (flow_builder.h). */
typedef vr_flow_builder builder;

/* A size mix becomes the flows' choices (one path per size): the engine
 * carries an operation's choice in 8 bits. */
_Static_assert(SCN_SIZES_MAX <= FL_CHOICES_MAX, "a flow group's sizes must fit the engine's choices");

/* The parser guarantees it for scenario files; a scenario built in C is
 * checked here before any output is opened. */
int vr_flow_check(const scn_scenario *s, vr_diag *diag)
{
	for (size_t g = 0; g < s->flows.group_count; g++) {
		const scn_flow_group *grp = &s->flows.groups[g];
		vr_where at = {s->file, grp->line, grp->column};
		size_t n = grp->workload.size_count;
		if (n < 1 || n > SCN_SIZES_MAX)
			return vr_diag_at(diag, at, "found %zu sizes in flow group '%s', expected from 1 to %d", n, grp->name,
					  SCN_SIZES_MAX);
		for (size_t k = 0; k < n; k++)
			if (!(grp->size_weights[k] > 0 && grp->size_weights[k] <= 1))
				return vr_diag_at(diag, at, "found the weight %g for %.0f B in flow group '%s', expected a share above 0 and at most 1",
						  grp->size_weights[k], grp->workload.sizes_bytes[k], grp->name);
	}
	return 0;
}

/* Shared servers keep their waiting times' percentiles (about 350 KB
 * each); a VM's own vCPU, one per VM, keeps only the mean. */
static uint32_t add_server(builder *b, const char *name, uint32_t units, int shared)
{
	fl_server_spec spec = {.name = name, .units = units, .wait_histogram = shared};
	return fl_add_server(b->e, &spec);
}

/* HOST's caches: the HCA's QP contexts and memory translations, the
 * IOMMU's IOTLB, sized by the presets, fully associative LRU. */
static int add_caches(builder *b, size_t host, const mdl_params *p)
{
	static const struct {
		const char *what;
		int entries;
	} caches[] = {{"qp contexts", MDL_HCA_QP_CACHE_ENTRIES}, {"translations", MDL_HCA_MTT_CACHE_ENTRIES},
		      {"iotlb", MDL_IOMMU_IOTLB_ENTRIES}};
	uint32_t ids[3];
	char name[MDL_NAME_MAX + 32];
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "%s %s", b->s->hosts[host].name, caches[i].what);
		double entries = p->value[caches[i].entries];
		if (caches[i].entries == MDL_IOMMU_IOTLB_ENTRIES)   /* its keys are guest pages: host pages reach further */
			entries = fmin(entries * fmax(1.0, MDL_VALUE(p, MEM_HOST_PAGE_SIZE) / MDL_VALUE(p, MEM_PAGE_SIZE)),
				       (double)MDL_CACHE_MAX_ENTRIES);
		fl_cache_spec spec = {.name = name, .entries = entries < UINT32_MAX ? (uint32_t)entries : UINT32_MAX};
		if ((ids[i] = fl_add_cache(b->e, &spec)) == FL_NONE)
			return vr_diag_at(b->diag, (vr_where){b->s->file, 0, 0}, "cannot build the caches: %s",
					  fl_engine_error(b->e));
	}
	b->hosts[host].qp_contexts = ids[0];
	b->hosts[host].translations = ids[1];
	b->hosts[host].iotlb = ids[2];
	return 0;
}

/* Every host's servers, in host order (see the header). */
static int add_servers(builder *b)
{
	const scn_scenario *s = b->s;
	int fabric = mdl_route_between_hosts(b->option->route);
	char name[MDL_NAME_MAX + 32];
	for (size_t h = 0; h < s->host_count; h++) {
		const mdl_params *p = scn_params(s, b->preset, h);
		host_servers *hs = &b->hosts[h];
		uint32_t id = FL_NONE, cores = (uint32_t)MDL_VALUE(p, CPU_GUEST_CORES);
		/* cpu.hypervisor_cores 0: the hypervisor's services take the
		 * guest cores' pool with the vCPUs (so there is a pool) */
		int services = s->flows.endpoint_count > s->flows.vm_count;
		uint32_t service_cores = (uint32_t)MDL_VALUE(p, CPU_HYPERVISOR_CORES);
		hs->cores_shared = s->hosts[h].vms > cores || (services && service_cores == 0);
		if (hs->cores_shared) {
			snprintf(name, sizeof name, "%s guest cores", s->hosts[h].name);
			id = hs->vcpu0 = add_server(b, name, cores, 1);
		}
		for (unsigned v = 0; v < s->hosts[h].vms && !hs->cores_shared; v++) {
			snprintf(name, sizeof name, "%s/%u vcpu", s->hosts[h].name, v);
			id = add_server(b, name, 1, 0);
			if (v == 0)
				hs->vcpu0 = id;
		}
		snprintf(name, sizeof name, "%s backend", s->hosts[h].name);
		hs->backend = add_server(b, name, (uint32_t)MDL_VALUE(p, VRDMA_BACKEND_THREADS), 1);
		snprintf(name, sizeof name, "%s hca", s->hosts[h].name);
		hs->hca = add_server(b, name, (uint32_t)MDL_VALUE(p, HCA_ENGINES), 1);
		snprintf(name, sizeof name, "%s pcie up", s->hosts[h].name);
		hs->pcie_up = add_server(b, name, 1, 1);
		snprintf(name, sizeof name, "%s pcie down", s->hosts[h].name);
		hs->pcie_down = add_server(b, name, 1, 1);
		if (add_caches(b, h, p) != 0)
			return -1;
		hs->uplink = hs->downlink = FL_NONE;
		if (fabric) {
			snprintf(name, sizeof name, "%s uplink", s->hosts[h].name);
			hs->uplink = add_server(b, name, 1, 1);
			snprintf(name, sizeof name, "%s downlink", s->hosts[h].name);
			hs->downlink = add_server(b, name, 1, 1);
		}
		/* the hypervisor's own services (hypervisors' groups): cores of their own, after
		 * every server a VM-only scenario has, so that its servers keep their order;
		 * or, with none of their own, the guest cores' pool */
		hs->hypervisor = FL_NONE;
		if (services && service_cores == 0) {
			hs->hypervisor = hs->vcpu0;
		} else if (services) {
			snprintf(name, sizeof name, "%s hypervisor", s->hosts[h].name);
			hs->hypervisor = add_server(b, name, service_cores, 1);
		}
		if (id == FL_NONE || hs->backend == FL_NONE || hs->hca == FL_NONE || hs->pcie_down == FL_NONE ||
		    (fabric && hs->downlink == FL_NONE) ||
		    (services && hs->hypervisor == FL_NONE))
			return vr_diag_at(b->diag, (vr_where){s->file, 0, 0}, "cannot build the servers: %s",
					  fl_engine_error(b->e));
	}
	return 0;
}

/* The vCPU server of VM AT: its host's pool, or its own named by its role
 * (so that one path serves every pair of VMs of the same two hosts). */
static uint32_t vcpu_at(const builder *b, scn_vm_ref at)
{
	if (scn_is_hypervisor(at))   /* the hypervisor's own work: its cores */
		return b->hosts[at.host].hypervisor;
	if (b->hosts[at.host].cores_shared)
		return b->hosts[at.host].vcpu0;
	return at.host == b->client.host && at.vm == b->client.vm ? FL_CLIENT_OWN : FL_SERVER_OWN;
}

/* The server that runs STAGE of a message from FROM to TO, or FL_NONE. */
static uint32_t server_of(const builder *b, const mdl_plan_stage *ps, scn_vm_ref from, scn_vm_ref to)
{
	scn_vm_ref at = ps->side == SIDE_RECEIVER ? to : from;
	const host_servers *hs = &b->hosts[at.host];
	switch (b->path_option->stages[ps->stage].server) {
	case SERVE_VCPU:
		return vcpu_at(b, at);
	case SERVE_BACKEND: return hs->backend;
	case SERVE_HCA: return hs->hca;
	case SERVE_PCIE:   /* two directions: see pcie_stage */
	case SERVE_LINK:
	case SERVE_NONE:
	case SERVE_COUNT: break;
	}
	return FL_NONE;
}

/* With `service: jitter`, a software stage's coefficient of variation:
 * jitter.cpu_cv of the host that runs it (as the single-flow model draws
 * it, lognormal around the stage's cost).  Hardware stages do not vary. */
static double stage_cv(const builder *b, const mdl_plan_stage *ps, scn_vm_ref from, scn_vm_ref to)
{
	if (b->service != FLOW_SERVICE_JITTER || !ps->software)
		return 0;
	scn_vm_ref at = ps->side == SIDE_RECEIVER ? to : from;
	return MDL_VALUE(scn_params(b->s, b->preset, at.host), JITTER_CPU_CV);
}

/* Is SERVER a VM's own vCPU (not a host's pool of guest cores)? */
static int is_own_vcpu(uint32_t server)
{
	return server == FL_CLIENT_OWN || server == FL_SERVER_OWN;
}

/* Where PS stands in an interrupt its VM's vector coalesces
 * (flow_interrupts.h); 0 in none. */
static int irq_place(const builder *b, const mdl_plan *plan, const mdl_plan_stage *ps)
{
	return vr_irq_place(b->path_option, plan, (size_t)(ps - plan->stages), b->cq_moderation, b->completion_detached);
}

/* PS, if it is an interrupt's stage, within its VM's vector's start and
 * end (opened with msi's moderation window, if any): msi's MSI write a
 * delay and its handler on the VM's vCPU, others on their servers.
 * Returns 0 for another stage. */
static int irq_stage(builder *b, const mdl_plan *plan, const mdl_plan_stage *ps, scn_vm_ref from, scn_vm_ref to)
{
	int place = irq_place(b, plan, ps);
	if (b->detaching || !place || b->count + 4 > HOPS_MAX)
		return 0;
	scn_vm_ref at = ps->side == SIDE_RECEIVER ? to : from;
	const host_servers *hs = &b->hosts[at.host];
	int client = at.host == b->client.host && at.vm == b->client.vm;
	uint32_t vector = client ? FL_CLIENT_OWN : FL_SERVER_OWN, server = server_of(b, ps, from, to);
	vr_irq_part msi;
	double ns = ps->nominal_ns * vr_flow_stage_share(b, ps);
	if (vr_irq_msi_split(b->path_option, ps, scn_params(b->s, b->preset, at.host), &msi)) {
		server = vcpu_at(b, at);
		ns = msi.vcpu_ns;
	}
	if (place & VR_IRQ_FIRST) {
		b->hops[b->count++] = (fl_hop_spec){.server = FL_IRQ, .irq = vector, .time_ns = msi.window_ns};
		b->irq = scn_is_hypervisor(at) ? (vr_irq_work){.vcpu0 = hs->hypervisor, .backend = hs->backend}
					       : (vr_irq_work){.vcpu0 = hs->vcpu0, .own_vcpus = !hs->cores_shared, .backend = hs->backend};
	}
	vr_flow_hop(b, FL_NONE, msi.delay_ns);
	vr_flow_hop_varying(b, server, server == FL_NONE ? ps->nominal_ns : ns, stage_cv(b, ps, from, to));
	b->irq.vcpu_ns += server == vcpu_at(b, at) ? ns : 0;
	b->irq.backend_ns += server == hs->backend ? ns : 0;
	if (place & VR_IRQ_LAST) {
		b->hops[b->count++] = (fl_hop_spec){.server = FL_IRQ_END, .irq = vector};
		vr_flow_irq_set_work(b->s, b->result, at, &b->irq);
	}
	return 1;
}

static void add_segment(builder *b, const mdl_plan *plan, mdl_segment seg, scn_vm_ref from, scn_vm_ref to)
{
	for (size_t i = 0; i < plan->count; i++) {
		const mdl_plan_stage *ps = &plan->stages[i];
		if (ps->segment != seg)
			continue;
		if (vr_flow_translation_stage(b, plan, ps, from, to) || vr_flow_pcie_stage(b, plan, ps, from, to) ||
		    irq_stage(b, plan, ps, from, to))
			continue;
		uint32_t server = server_of(b, ps, from, to);
		if (b->detaching && is_own_vcpu(server))
			server = FL_NONE;
		/* work on a server is shared by a batch; a delay is each request's; a
		 * hypervisors' group charges its CPU every packet's work (whole_cpu) */
		double cost_ns = b->whole_cpu && ps->software && server != FL_NONE ? ps->full_ns : ps->nominal_ns;
		double ns = server == FL_NONE ? cost_ns : cost_ns * vr_flow_stage_share(b, ps);
		vr_flow_hop_varying(b, server, ns, stage_cv(b, ps, from, to));
	}
}

/* Fork, here, the work of PLAN's stages of SEGMENT as detached work (none
 * if they visit no server: delays alone load nothing).  The work on a VM's
 * own vCPU is left out: the single-flow model, whose parameters the
 * calibration fits, takes a sender's completion and off-path work as done
 * in the gaps of its own ping-pong, and one pair alone must time as it
 * does; the shared servers (backend, HCA, a pool of guest cores) carry it.
 * 0, or -1 when the branch cannot be added. */
static int fork_segment(builder *b, const mdl_plan *plan, mdl_segment segment, scn_vm_ref from, scn_vm_ref to)
{
	fl_hop_spec *main_hops = b->hops;
	size_t main_count = b->count;
	double pace_ns = b->packet_pace_ns;
	b->hops = b->branch_hops;
	b->count = 0;
	b->detaching = 1;
	add_segment(b, plan, segment, from, to);
	b->detaching = 0;
	b->packet_pace_ns = pace_ns;
	int visits = 0;
	for (size_t i = 0; i < b->count; i++)
		visits |= b->hops[i].server != FL_NONE;
	uint32_t branch = visits ? fl_add_path(b->e, b->hops, b->count) : FL_NONE;
	b->hops = main_hops;
	b->count = main_count;
	if (!visits)
		return 0;
	if (branch == FL_NONE)
		return -1;
	if (b->count < HOPS_MAX)
		b->hops[b->count++] = (fl_hop_spec){.server = FL_FORK, .branch = branch};
	return 0;
}

/* One message from FROM to TO: the sender's stages (its off-path work
 * forked after them: the VM entry after a trap delays no message), the
 * transfer, the receiver's stages.  With COMPLETION_DETACHED (latency
 * tests) the sender's completion is forked where it starts, on the data's
 * arrival or after the receiver's stages (completion_starts): the sender
 * handles it while the reply is on its way. */
static int add_leg(builder *b, const mdl_plan *plan, scn_vm_ref from, scn_vm_ref to, int completion_detached)
{
	b->pages_taken = 0;
	b->packet_pace_ns = 0;
	add_segment(b, plan, SEG_SENDER, from, to);
	if (fork_segment(b, plan, SEG_OFF, from, to) != 0)
		return -1;
	vr_flow_add_transfer(b, plan, from, to);
	if (completion_detached && !plan->completion_after_receiver && fork_segment(b, plan, SEG_COMPLETION, from, to))
		return -1;
	add_segment(b, plan, SEG_RECEIVER, from, to);
	if (completion_detached && plan->completion_after_receiver && fork_segment(b, plan, SEG_COMPLETION, from, to))
		return -1;
	return 0;
}

/* QPs the HCA of HOST's caches hold: every VM's on it, and its
 * hypervisor's when a group joins hypervisors. */
static double host_qps(const scn_scenario *s, size_t host)
{
	double qps = 0;
	for (unsigned v = 0; v < s->hosts[host].vms; v++)
		qps += s->flows.vm_qps[scn_vm_index(&s->flows, (scn_vm_ref){(uint16_t)host, (uint16_t)v})];
	if (s->flows.endpoint_count > s->flows.vm_count)
		qps += s->flows.vm_qps[scn_vm_index(&s->flows, (scn_vm_ref){(uint16_t)host, SCN_VM_HYPERVISOR})];
	return qps;
}

/* Add what PLAN's stages count per operation, each on its host: the
 * sender side's on FROM's host (index FROM_SIDE of the path's two), the
 * receiver side's on the other; fabric stages on neither. */
static void count_leg(const builder *b, const mdl_plan *plan, vr_flow_path_counts *pc, int from_side)
{
	mdl_counters per_irq[2] = {{0}};   /* an interrupt's, per side (once per interrupt raised) */
	int irqs[2] = {0, 0};
	for (size_t i = 0; i < plan->count; i++) {
		const mdl_plan_stage *ps = &plan->stages[i];
		if (ps->side == SIDE_FABRIC)
			continue;
		int side = ps->side == SIDE_RECEIVER ? !from_side : from_side;
		mdl_counters c = ps->counts;
		mdl_counters_scale(&c, vr_flow_stage_share(b, ps));
		irqs[side] |= irq_place(b, plan, ps);
		mdl_counters_add(irq_place(b, plan, ps) ? &per_irq[side] : &pc->counts[side], &c);
	}
	for (int side = 0; side < 2; side++)
		if (irqs[side])
			vr_flow_irq_set_counts(b->s, b->result, side ? b->server : b->client, &per_irq[side]);
}

/* Record what one operation along PATH counts on each host: THERE goes
 * from the client to the server, BACK (if the operation has a second leg)
 * the other way. */
static int count_path(builder *b, uint32_t path, const mdl_plan *there,
		      const mdl_plan *back)
{
	vr_flow_result *r = b->result;
	if (path >= b->path_capacity) {
		size_t capacity = b->path_capacity ? 2 * b->path_capacity : 64;
		vr_flow_path_counts *grown = realloc(r->paths, capacity * sizeof *grown);
		if (!grown)
			return -1;
		r->paths = grown;
		b->path_capacity = capacity;
	}
	vr_flow_path_counts *pc = &r->paths[path];
	memset(pc, 0, sizeof *pc);
	count_leg(b, there, pc, 0);
	if (back)
		count_leg(b, back, pc, 1);
	r->path_count = path + 1;
	return 0;
}

/* flow_builder.h's: a service's messages (sim/flow_services.c) as legs. */
int vr_flow_add_leg(builder *b, const mdl_plan *plan, scn_vm_ref from, scn_vm_ref to, int completion_detached)
{
	return add_leg(b, plan, from, to, completion_detached);
}

double vr_flow_host_qps(const scn_scenario *s, size_t host)
{
	return host_qps(s, host);
}

int vr_flow_count_legs(builder *b, uint32_t path, const mdl_plan *plans, const int *sides, size_t count)
{
	if (count_path(b, path, &plans[0], NULL) != 0)   /* grows the table, counts the first */
		return -1;
	vr_flow_path_counts *pc = &b->result->paths[path];
	if (sides[0])   /* the first leg went from the server's side */
		memset(pc, 0, sizeof *pc);
	for (size_t k = sides[0] ? 0 : 1; k < count; k++)
		count_leg(b, &plans[k], pc, sides[k]);
	pc->own_ends = 1;
	pc->ends[0] = (uint32_t)scn_vm_index(&b->s->flows, b->client);
	pc->ends[1] = (uint32_t)scn_vm_index(&b->s->flows, b->server);
	return 0;
}

/* The path of one connection of group G for messages of SIZE bytes; its
 * latency scale into *SCALE (the verb's alone: the same for every size of
 * a mix). */
static uint32_t add_path(builder *b, const scn_flow_group *g, const scn_flow_connection *c, double size,
			 double *scale)
{
	const scn_scenario *s = b->s;
	const scn_workload *w = &g->workload;
	const mdl_params *cp = scn_params(s, b->preset, c->client.host), *sp = scn_params(s, b->preset, c->server.host);
	mdl_footprint fp = w->footprint;
	double qa = host_qps(s, c->client.host), qb = host_qps(s, c->server.host);
	fp.qps = qa > qb ? qa : qb;
	int read = mdl_verb_round_trip(w->verb);
	mdl_plan there, back;
	b->client = c->client;
	b->server = c->server;
	/* Two VMs of one host talk through the option's same-host counterpart;
	 * hypervisors through their transport's option, whatever the run's. */
	b->path_option = c->client.host == c->server.host && b->local ? b->local : b->option;
	b->whole_cpu = g->transport != FLOW_TRANSPORT_OPTIONS;
	if (b->whole_cpu)
		b->path_option = s->transport_options[g->transport];
	mdl_plan_build(b->path_option, cp, sp, size, w->verb, s->completion, mdl_leg_of(w->verb, 0), &fp, &there);
	mdl_plan_build(b->path_option, sp, cp, size, w->verb, s->completion, mdl_leg_of(w->verb, 1), &fp, &back);
	b->count = 0;
	b->service = g->service;
	b->post_list = w->post_list ? w->post_list : 1;
	b->cq_moderation = w->cq_moderation ? w->cq_moderation : 1;
	b->hops = b->main_hops;
	if (b->register_ns > 0) {
		/* on_demand registration (flow_migrate.h): the source registers its
		 * chunk, asks the destination to register its own (a control round
		 * trip), then sends; each message carries its share */
		double share = g->migrate.message_bytes / g->migrate.chunk_bytes;
		vr_flow_hop(b, b->hosts[c->client.host].hypervisor, b->register_ns);
		vr_flow_hop(b, FL_NONE, 2 * there.fabric_latency_ns * share);
		vr_flow_hop(b, b->hosts[c->server.host].hypervisor, b->register_ns);
	}
	int bandwidth = mdl_verb_is_bandwidth(w->verb), both_legs = !bandwidth || read;
	/* A ping-pong's WRITE or SEND completes beside the reply; a READ's
	 * completion is its response's arrival, on the path. */
	int detached = !bandwidth && !read;
	b->completion_detached = detached;
	if (add_leg(b, &there, c->client, c->server, detached) != 0 ||
	    (both_legs && add_leg(b, &back, c->server, c->client, detached) != 0))
		return FL_NONE;
	if (bandwidth)
		add_segment(b, read ? &back : &there, SEG_COMPLETION, c->client, c->server);
	*scale = bandwidth || read ? 1.0 : 0.5;
	uint32_t path = fl_add_path(b->e, b->hops, b->count);
	if (path != FL_NONE && count_path(b, path, &there, both_legs ? &back : NULL) != 0)
		return FL_NONE;
	return path;
}

/* The pages of a connection's buffer, its translations' working set: the
 * workload's registered memory, or its largest message (perftest's
 * buffer), at the first host's page size. */
static uint32_t buffer_pages(const builder *b, const scn_flow_group *g)
{
	const scn_workload *w = &g->workload;
	double bytes = w->footprint.registered_bytes;
	for (size_t k = 0; k < w->size_count; k++)
		bytes = fmax(bytes, w->sizes_bytes[k]);
	double pages = ceil(bytes / MDL_VALUE(scn_params(b->s, b->preset, 0), MEM_PAGE_SIZE));
	return pages < 1 ? 1 : pages > (double)(1u << PAGE_KEY_BITS) ? 1u << PAGE_KEY_BITS : (uint32_t)pages;
}

/* The own server (vCPU) of VM, or FL_NONE when its host pools its cores. */
static uint32_t own_vcpu(const builder *b, scn_vm_ref vm)
{
	const host_servers *hs = &b->hosts[vm.host];
	return hs->cores_shared || scn_is_hypervisor(vm) ? FL_NONE : hs->vcpu0 + vm.vm;
}

/* The paths of group G's connections from HOST_A's VMs to HOST_B's, one
 * per size, into CHOICES: built once per pair of hosts (a VM's own vCPU is
 * named by its role) and kept in CACHE ([host_a][host_b][size]). */
static int group_paths(builder *b, size_t g, const scn_flow_connection *c, uint32_t *cache, fl_choice *choices,
		       double *scale)
{
	const scn_flow_group *grp = &b->s->flows.groups[g];
	const scn_workload *w = &grp->workload;
	uint32_t *paths = &cache[((size_t)c->client.host * b->s->host_count + c->server.host) * w->size_count];
	for (size_t k = 0; k < w->size_count; k++) {
		if (paths[k] == FL_NONE && (paths[k] = add_path(b, grp, c, w->sizes_bytes[k], scale)) == FL_NONE)
			return -1;
		choices[k] = (fl_choice){.path = paths[k], .bytes_per_op = (uint64_t)w->sizes_bytes[k],
					 .weight = grp->size_weights[k]};
	}
	return 0;
}

/* The work the path just built (b->main_hops) does on the servers SOURCE
 * and DESTINATION, into NS[2]. */
static void hypervisor_work(const builder *b, uint32_t source, uint32_t destination, double ns[2])
{
	ns[0] = ns[1] = 0;
	for (size_t i = 0; i < b->count; i++) {
		ns[0] += b->main_hops[i].server == source ? b->main_hops[i].time_ns : 0;
		ns[1] += b->main_hops[i].server == destination ? b->main_hops[i].time_ns : 0;
	}
}

/* Is connection C an end at the VM migrating in V? */
static int at_vm(const scn_migrate_vrdma *v, const scn_flow_connection *c)
{
	return (c->client.host == v->vm_host && c->client.vm == v->vm_index) ||
	       (c->server.host == v->vm_host && c->server.vm == v->vm_index);
}

/* Migration group G's `vrdma:` (flow_migrate.h): its device's QPs, the
 * other groups' connections with an end at the VM, whose other ends' hosts
 * are its peers (the busiest, with the most of them, gives the peers'
 * parameters); or the QPs and peers given, the source's parameters then
 * standing for the peers'. */
static int vrdma_device(builder *b, size_t g, vr_migration *m)
{
	const scn_scenario *s = b->s;
	const scn_flow_group *grp = &s->flows.groups[g];
	const scn_migrate_vrdma *v = &grp->migrate.vrdma;
	size_t source = grp->connections[0].client.host, destination = grp->connections[0].server.host;
	m->vrdma = 1;
	m->device = v->device;
	m->src = scn_params(s, b->preset, source);
	m->dst = scn_params(s, b->preset, destination);
	m->peer = m->device.qps ? m->src : NULL;
	if (!v->vm_given)
		return 0;
	unsigned long long *per_host = calloc(s->host_count, sizeof *per_host);
	if (!per_host)
		return vr_diag_at(b->diag, (vr_where){s->file, grp->line, grp->column}, "out of memory");
	m->device.qps = m->device.peers = 0;
	for (size_t h = 0; h < s->flows.group_count; h++) {
		const scn_flow_group *o = &s->flows.groups[h];
		for (size_t c = 0; h != g && !o->migrate.on && o->svc.cls == SVC_NONE && c < o->connection_count; c++) {
			const scn_flow_connection *k = &o->connections[c];
			if (!at_vm(v, k))
				continue;
			int client_here = k->client.host == v->vm_host && k->client.vm == v->vm_index;
			per_host[client_here ? k->server.host : k->client.host]++;
			m->device.qps++;
		}
	}
	size_t busiest = 0;
	for (size_t h = 0; h < s->host_count; h++) {
		m->device.peers += per_host[h] > 0;
		busiest = per_host[h] > per_host[busiest] ? h : busiest;
	}
	free(per_host);
	if (m->device.qps > MDL_VMIG_OBJECTS_MAX)
		return vr_diag_at(b->diag, (vr_where){s->file, grp->migrate.line, grp->migrate.column},
				  "found %llu QPs at the migrating VM, expected at most %llu", m->device.qps, MDL_VMIG_OBJECTS_MAX);
	m->device.cqs = m->device.qps * v->cqs_per_qp;
	m->peer = m->device.qps ? scn_params(s, b->preset, busiest) : NULL;
	return 0;
}

/* After every flow is added: the flows each migration that names its VM
 * holds while the VM is stopped (the other groups' flows with an end at
 * the VM). */
static int held_flows(builder *b)
{
	const scn_scenario *s = b->s;
	for (size_t g = 0; b->result->migrations && g < s->flows.group_count; g++) {
		vr_migration *m = &b->result->migrations[g];
		const scn_migrate *mg = &s->flows.groups[g].migrate;
		if (!m->on || !mg->vm_given)
			continue;
		uint32_t vm = (uint32_t)scn_vm_index(&s->flows, (scn_vm_ref){mg->vm_host, mg->vm_index});
		size_t flows = fl_flow_count(b->e);
		m->engine = b->e;
		m->held = malloc((flows ? flows : 1) * sizeof *m->held);
		if (!m->held)
			return vr_diag_at(b->diag, (vr_where){s->file, 0, 0}, "out of memory");
		for (uint32_t f = 0; f < flows; f++) {
			uint32_t client, server;
			fl_flow_vms(b->e, f, &client, &server);
			if (client == vm || server == vm)   /* a migration's streams join hypervisors */
				m->held[m->held_count++] = f;
		}
	}
	return 0;
}

/* Migration group G (its connections its streams): a controller of
 * rounds, round 1's messages spread over the streams, which start once
 * pin_all's registration is done; on_demand's round 1 takes a path that
 * registers, later rounds the plain one. */
static int add_migration(builder *b, size_t g, double *scale)
{
	const scn_flow_group *grp = &b->s->flows.groups[g];
	const scn_flow_connection *c0 = &grp->connections[0];
	vr_migration *m = &b->result->migrations[g];
	m->stop_start_ns = m->release_ns = -1;
	if (grp->migrate.vrdma.on && vrdma_device(b, g, m) != 0)
		return -1;
	double pin_ns;
	int rdma = grp->transport == FLOW_TRANSPORT_RDMA;
	double register_ns = vr_migration_register_ns(&grp->migrate, rdma, scn_params(b->s, b->preset, c0->client.host), &pin_ns);
	uint64_t ops = vr_migration_start(m, &grp->migrate, grp->start_ns, pin_ns);
	m->source_cpu = b->hosts[c0->client.host].hypervisor;
	m->destination_cpu = b->hosts[c0->server.host].hypervisor;
	vr_where at = {b->s->file, grp->line, grp->column};
	if (ops < grp->connection_count)
		return vr_diag_at(b->diag, at, "found %zu streams in migration '%s' for %llu messages of memory, expected at most one stream per message",
				  grp->connection_count, grp->name, (unsigned long long)ops);
	fl_controller_spec cs = {.next_round = vr_migration_next_round, .ctx = m};
	uint32_t controller = fl_add_controller(b->e, &cs);
	for (size_t i = 0; i < grp->connection_count && controller != FL_NONE; i++) {
		const scn_flow_connection *c = &grp->connections[i];
		double size = grp->migrate.message_bytes;
		uint32_t plain = add_path(b, grp, c, size, scale), first = plain;
		hypervisor_work(b, m->source_cpu, m->destination_cpu, m->cpu_ns[1]);
		memcpy(m->cpu_ns[0], m->cpu_ns[1], sizeof m->cpu_ns[0]);
		if (plain != FL_NONE && register_ns > 0) {
			b->register_ns = register_ns;
			first = add_path(b, grp, c, size, scale);
			b->register_ns = 0;
			hypervisor_work(b, m->source_cpu, m->destination_cpu, m->cpu_ns[0]);
		}
		m->later_path = plain;
		fl_flow_spec spec = {
			.path = first, .group = (uint32_t)g,
			.client_vm = (uint32_t)scn_vm_index(&b->s->flows, c->client),
			.server_vm = (uint32_t)scn_vm_index(&b->s->flows, c->server),
			.client_own = FL_NONE, .server_own = FL_NONE,
			.client_irq = b->result->irq_first + (uint32_t)scn_vm_index(&b->s->flows, c->client),
			.server_irq = b->result->irq_first + (uint32_t)scn_vm_index(&b->s->flows, c->server),
			.qp_key = b->connection, .page_base = (uint64_t)b->connection << PAGE_KEY_BITS,
			.page_count = (uint32_t)fmin(ceil(grp->migrate.memory_bytes / MDL_VALUE(scn_params(b->s, b->preset, 0), MEM_PAGE_SIZE)),
						     (double)(1u << PAGE_KEY_BITS)),
			.bytes_per_op = (uint64_t)size, .load = FL_CLOSED_LOOP, .window = grp->workload.tx_depth,
			.operations = ops / grp->connection_count + (i < ops % grp->connection_count),
			.start_ns = grp->start_ns + pin_ns, .controller = controller + 1,
		};
		b->connection++;
		if (plain == FL_NONE || first == FL_NONE || fl_add_flow(b->e, &spec) == FL_NONE)
			controller = FL_NONE;
	}
	if (controller == FL_NONE)
		return vr_diag_at(b->diag, at, "cannot build migration '%s': %s", grp->name, fl_engine_error(b->e));
	return 0;
}

static int add_flows(builder *b, double *scales)
{
	const scn_flows *f = &b->s->flows;
	size_t hosts = b->s->host_count;
	uint32_t *cache = malloc(hosts * hosts * SCN_SIZES_MAX * sizeof *cache);
	if (!cache)
		return vr_diag_at(b->diag, (vr_where){b->s->file, 0, 0}, "out of memory");
	uint32_t *first_flow = malloc((f->group_count ? f->group_count : 1) * sizeof *first_flow);
	if (!first_flow) {
		free(cache);
		return vr_diag_at(b->diag, (vr_where){b->s->file, 0, 0}, "out of memory");
	}
	for (size_t g = 0; g < f->group_count; g++) {
		const scn_flow_group *grp = &f->groups[g];
		fl_choice choices[SCN_SIZES_MAX];
		int failed = 0;
		first_flow[g] = (uint32_t)fl_flow_count(b->e);
		if (grp->migrate.on) {
			if (add_migration(b, g, &scales[g]) != 0) {
				free(cache);
				free(first_flow);
				return -1;
			}
			continue;
		}
		for (size_t i = 0; i < hosts * hosts * SCN_SIZES_MAX; i++)
			cache[i] = FL_NONE;
		if (grp->svc.cls != SVC_NONE)   /* a hypervisor's service: sim/flow_services.c */
			failed = vr_flow_add_service(b, g, first_flow, &scales[g]) != 0;
		for (size_t i = 0; grp->svc.cls == SVC_NONE && i < grp->connection_count && !failed; i++) {
			const scn_flow_connection *c = &grp->connections[i];
			int open = grp->load.loop == FLOW_OPEN_LOOP;
			fl_flow_spec spec = {
				.group = (uint32_t)g,
				.client_vm = (uint32_t)scn_vm_index(f, c->client), .server_vm = (uint32_t)scn_vm_index(f, c->server),
				.client_own = own_vcpu(b, c->client), .server_own = own_vcpu(b, c->server),
				.client_irq = b->result->irq_first + (uint32_t)scn_vm_index(f, c->client),
				.server_irq = b->result->irq_first + (uint32_t)scn_vm_index(f, c->server),
				/* each connection its QP and its buffer's pages */
				.qp_key = b->connection, .page_base = (uint64_t)b->connection << PAGE_KEY_BITS,
				.page_count = buffer_pages(b, grp),
				.load = open ? FL_OPEN_LOOP : FL_CLOSED_LOOP,
				.window = open ? grp->workload.tx_depth : grp->load.window,
				.rate_per_s = c->arrival_rate_per_s,
				.operations = grp->workload.iterations,
				.start_ns = grp->start_ns, .stop_ns = grp->stop_ns,
				.choices = choices, .choice_count = (uint32_t)grp->workload.size_count,
			};
			if (spec.window < 1)
				spec.window = 1;
			failed = group_paths(b, g, c, cache, choices, &scales[g]) != 0 || fl_add_flow(b->e, &spec) == FL_NONE;
			b->connection++;
		}
		if (failed) {
			free(cache);
			free(first_flow);
			return vr_diag_at(b->diag, (vr_where){b->s->file, grp->line, grp->column},
					  "cannot build flow group '%s': %s", grp->name, fl_engine_error(b->e));
		}
	}
	free(cache);
	free(first_flow);
	return 0;
}

/* Each VM's latency scale as a client (see vr_flow_result). */
static int vm_scales(const scn_scenario *s, vr_flow_result *out)
{
	out->vm_latency_scale = calloc(s->flows.endpoint_count ? s->flows.endpoint_count : 1, sizeof *out->vm_latency_scale);
	if (!out->vm_latency_scale)
		return -1;
	for (size_t g = 0; g < s->flows.group_count; g++) {
		const scn_flow_group *grp = &s->flows.groups[g];
		for (size_t c = 0; c < grp->connection_count; c++) {
			double *vm = &out->vm_latency_scale[scn_vm_index(&s->flows, grp->connections[c].client)];
			*vm = *vm == 0 || *vm == out->latency_scale[g] ? out->latency_scale[g] : NAN;
		}
	}
	return 0;
}

int vr_flow_build(const scn_scenario *s, size_t preset, size_t option, vr_flow_result *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->irq_first = FL_NONE;
	out->preset = preset;
	out->option = option;
	out->vm_count = s->flows.endpoint_count;   /* the VMs, then the hosts' hypervisors if used */
	fl_config config = {
		.seed = s->seed * 0x9E3779B97F4A7C15ull + preset * 131 + option,
		.groups = (uint32_t)s->flows.group_count, .vms = (uint32_t)s->flows.endpoint_count,
		.horizon_ns = s->flows.duration_ns,
	};
	out->engine = fl_engine_new(&config);
	out->latency_scale = calloc(s->flows.group_count ? s->flows.group_count : 1, sizeof *out->latency_scale);
	int migrations = 0;
	for (size_t g = 0; g < s->flows.group_count; g++)
		migrations |= s->flows.groups[g].migrate.on;
	if (migrations)
		out->migrations = calloc(s->flows.group_count, sizeof *out->migrations);
	out->migration_count = out->migrations ? s->flows.group_count : 0;
	builder *b = calloc(1, sizeof *b);
	host_servers *hosts = calloc(s->host_count, sizeof *hosts);
	int rc = -1;
	if (!out->engine || !out->latency_scale || !b || !hosts || (migrations && !out->migrations)) {
		vr_diag_at(diag, (vr_where){s->file, 0, 0}, "out of memory");
	} else {
		*b = (builder){.s = s, .option = &s->options[option], .local = s->same_host_options[option],
			       .preset = preset, .e = out->engine,
			       .hosts = hosts, .result = out, .diag = diag};
		rc = add_servers(b) != 0 ? -1 : 0;
		if (rc == 0 && vr_flow_irq_vectors(s, out) != 0)
			rc = vr_diag_at(diag, (vr_where){s->file, 0, 0}, "cannot build the interrupt vectors: %s",
					fl_engine_error(out->engine));
		if (rc == 0 && (add_flows(b, out->latency_scale) != 0 || held_flows(b) != 0))
			rc = -1;
		out->vm_rates = calloc(s->flows.endpoint_count ? s->flows.endpoint_count : 1, sizeof *out->vm_rates);
		if (rc == 0 && (vm_scales(s, out) != 0 || !out->vm_rates))
			rc = vr_diag_at(diag, (vr_where){s->file, 0, 0}, "out of memory");
	}
	free(hosts);
	free(b);
	return rc;
}

void vr_flow_host_rates(const scn_scenario *s, const vr_flow_result *r, size_t host, mdl_counters *per_s)
{
	memset(per_s, 0, sizeof *per_s);
	for (unsigned v = 0; v < s->hosts[host].vms; v++)
		mdl_counters_add(per_s, &r->vm_rates[s->flows.vm_first[host] + v]);
}

int vr_flow_vm_rates(const vr_flow_result *r, mdl_counters *per_s)
{
	memset(per_s, 0, r->vm_count * sizeof *per_s);
	double seconds = fl_end_ns(r->engine) / 1e9;
	if (!(seconds > 0))
		return 0;
	for (uint32_t flow = 0; flow < fl_flow_count(r->engine); flow++) {
		uint32_t vm[2];
		fl_flow_vms(r->engine, flow, &vm[0], &vm[1]);
		for (uint32_t c = 0; c < fl_flow_choice_count(r->engine, flow); c++) {
			uint32_t path = fl_flow_choice_path(r->engine, flow, c);
			if (path >= r->path_count)
				continue;
			double ops = (double)fl_flow_choice_completed(r->engine, flow, c);
			const vr_flow_path_counts *pc = &r->paths[path];
			for (int side = 0; side < 2; side++) {
				mdl_counters n = pc->counts[side];
				mdl_counters_scale(&n, ops / seconds);
				mdl_counters_add(&per_s[pc->own_ends ? pc->ends[side] : vm[side]], &n);
			}
		}
	}
	vr_flow_irq_add_rates(r, per_s);
	return 0;
}

void vr_flow_result_free(vr_flow_result *r)
{
	fl_engine_free(r->engine);
	free(r->latency_scale);
	free(r->vm_latency_scale);
	free(r->vm_rates);
	free(r->paths);
	for (size_t g = 0; r->migrations && g < r->migration_count; g++)
		free(r->migrations[g].held);
	free(r->migrations);
	r->migrations = NULL;
	vr_flow_irq_free(r);
	r->engine = NULL;
	r->latency_scale = NULL;
	r->vm_latency_scale = NULL;
	r->vm_rates = NULL;
	r->paths = NULL;
	r->path_count = 0;
}
