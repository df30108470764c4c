/*
 * flows.c - a scenario's `flows:` read group by group: name, workload,
 * QPs, load, then `between:` (models/flow_between.c), whose pairs are
 * counted against the scenario's cap before they are expanded into
 * connections with their QP indices and arrival rates.
 */
#include "models/flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/yaml_read.h"
#include "models/flow_between.h"
#include "models/services.h"

static const char *const group_keys[] = {"name", "between", "qps", "workload", "load", "service", "start", "stop",
					 "transport", "migrate", "vsan", "iser", "ft", NULL};
const char *const scn_flow_transport_names[FLOW_TRANSPORT_COUNT + 1] = {"", "rdma", "tcp", NULL};
const char *const scn_flow_transport_options[FLOW_TRANSPORT_COUNT] = {NULL, "native", "host-tcp"};
static const char *const service_names[] = {"fixed", "exponential", "jitter", NULL};
static const char *const load_keys[] = {"closed_loop", "open_loop", NULL};
static const char *const closed_loop_keys[] = {"window", NULL};
static const char *const rate_per_names[] = {"qp", "vm", NULL};

typedef struct reader {
	const scn_host *hosts;
	size_t host_count;
	unsigned long long seed;      /* the scenario's */
	scn_flows *f;
	uint32_t *client_connections; /* [vm_count]: scratch, a group's connections per client VM */
	vr_diag *diag;
} reader;

/* splitmix64's finaliser: nearby inputs, unrelated outputs. */
static unsigned long long mix64(unsigned long long x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* FNV-1a of a name: the group's seed follows its name, not its place. */
static unsigned long long name_hash(const char *name)
{
	unsigned long long h = 0xCBF29CE484222325ull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001B3ull;
	return h;
}

unsigned long long scn_flow_connection_seed(const scn_flow_group *g, size_t c)
{
	return mix64(g->seed ^ mix64((unsigned long long)c));
}

static int read_group_name(reader *r, const yt_node *node, scn_flow_group *g, size_t index)
{
	const yt_node *v;
	const char *text;
	if (yr_required(node, "name", "a flow group", &v, r->diag) || yr_string(v, "a flow group's name", &text, r->diag))
		return -1;
	/* Names head the per-group results in text, CSV and JSON. */
	if (strlen(text) >= sizeof g->name || !vr_is_identifier(text))
		return vr_diag_at(r->diag, v->where, "found the flow group name '%.60s', expected at most %zu letters, digits, '_', '.' and '-'",
				  text, sizeof g->name - 1);
	for (size_t j = 0; j < index; j++)
		if (strcmp(r->f->groups[j].name, text) == 0)
			return vr_diag_at(r->diag, v->where, "found the flow group name '%s' twice, expected unique names (results are reported per group)",
					  text);
	snprintf(g->name, sizeof g->name, "%s", text);
	return 0;
}

/* `closed_loop: {window: N}`: N operations in flight on each QP. */
static int read_closed_loop(reader *r, const yt_node *node, scn_flow_group *g)
{
	const scn_workload *w = &g->workload;
	const yt_node *v;
	unsigned long long window = w->tx_depth;
	if (yr_expect(node, YT_MAP, "the closed loop ({window: N})", r->diag) ||
	    yr_known_keys(node, closed_loop_keys, "the closed loop", r->diag))
		return -1;
	if ((v = yt_get(node, "window"))) {
		if (!mdl_verb_is_bandwidth(w->verb) && strcmp(v->text ? v->text : "", "1") != 0)
			return vr_diag_at(r->diag, v->where, "found a window in a %s flow, expected it only with a bandwidth test (write_bw, read_bw, send_bw, atomic_bw): a latency test keeps one operation in flight per QP (more QPs: 'qps')",
					  mdl_verb_names[w->verb]);
		if (yr_count(v, "the window (at most the workload's tx_depth: the send queue holds no more)", 1, w->tx_depth, &window, r->diag))
			return -1;
		if (window < w->post_list)
			return vr_diag_at(r->diag, v->where, "found a window of %llu below the post list of %u, expected at least the requests of one doorbell",
					  window, w->post_list);
	}
	g->load = (scn_flow_load){.loop = FLOW_CLOSED_LOOP, .window = (unsigned)window};
	return 0;
}

/* `open_loop: RATE per qp` or `RATE per vm`: Poisson arrivals. */
static int read_open_loop(reader *r, const yt_node *node, scn_flow_group *g)
{
	static const char *const example = "RATE per qp or RATE per vm (such as 20000/s per qp or 1e5/s per vm)";
	char copy[128], rest[2], rate_text[64], per_word[8], per[8], expected[160];
	if (yr_expect(node, YT_SCALAR, "the open loop", r->diag) != 0)
		return -1;
	snprintf(copy, sizeof copy, "%s", node->text);
	if (strlen(node->text) >= sizeof copy ||
	    sscanf(copy, "%63s %7s %7s %1s", rate_text, per_word, per, rest) != 3 || strcmp(per_word, "per") != 0)
		return vr_diag_at(r->diag, node->where, "found '%.60s' for the open loop, expected %s", node->text, example);
	vr_quantity q;
	if (vr_parse_quantity(rate_text, VR_Q_OP_RATE, &q, expected, sizeof expected) != 0)
		return vr_diag_at(r->diag, node->where, "found '%s' for the arrival rate in '%s', expected %s", rate_text, node->text,
				  expected);
	if (!(q.value > 0) || q.value > SCN_FLOW_RATE_MAX_PER_S)
		return vr_diag_at(r->diag, node->where, "found the arrival rate '%s', expected a rate above 0/s and at most 1e9/s (a flow that never sends has no place in the flows)",
				  rate_text);
	int which;
	if (yr_choice(&(yt_node){.type = YT_SCALAR, .where = node->where, .text = per},
		      "the 'per' of the arrival rate (a QP, or a client VM: split over its QPs)", rate_per_names, &which, r->diag))
		return -1;
	g->load = (scn_flow_load){.loop = FLOW_OPEN_LOOP, .rate_per_s = q.value, .per = which ? FLOW_PER_VM : FLOW_PER_QP};
	return 0;
}

/* `load:`, after the workload (its verb and tx_depth set the default). */
static int read_load(reader *r, const yt_node *node, scn_flow_group *g)
{
	g->load = (scn_flow_load){.loop = FLOW_CLOSED_LOOP, .window = g->workload.tx_depth};
	if (!node)
		return 0;
	if (yr_expect(node, YT_MAP, "the load ({closed_loop: {window: N}} or {open_loop: RATE per qp})", r->diag) ||
	    yr_known_keys(node, load_keys, "the load", r->diag))
		return -1;
	if (node->count != 1)
		return vr_diag_at(r->diag, node->where, "found %s, expected one of 'closed_loop' and 'open_loop'",
				  node->count ? "both 'closed_loop' and 'open_loop'" : "an empty load");
	if (strcmp(node->keys[0]->text, "closed_loop") == 0)
		return read_closed_loop(r, node->items[0], g);
	return read_open_loop(r, node->items[0], g);
}

/* Each connection's arrival rate: a per-VM rate is split evenly over the
 * client VM's connections in the group. */
static void set_rates(reader *r, scn_flow_group *g)
{
	if (g->load.loop != FLOW_OPEN_LOOP)
		return;
	scn_flows *f = r->f;
	memset(r->client_connections, 0, (f->vm_count + r->host_count) * sizeof *r->client_connections);
	for (size_t c = 0; c < g->connection_count; c++)
		r->client_connections[scn_vm_index(f, g->connections[c].client)]++;
	for (size_t c = 0; c < g->connection_count; c++) {
		double share = g->load.per == FLOW_PER_VM ? r->client_connections[scn_vm_index(f, g->connections[c].client)] : 1;
		g->connections[c].arrival_rate_per_s = g->load.rate_per_s / share;
	}
}

/* The pairs of PLAN, QPS connections each, numbered on their VMs. */
static int expand(reader *r, scn_flow_group *g, const flow_plan *plan, const yt_node *at)
{
	scn_flows *f = r->f;
	unsigned long long pairs = flow_plan_pairs(plan), total = pairs * g->qps;
	if (total > (unsigned long long)SCN_FLOW_CONNECTIONS_MAX - f->connection_count)
		return vr_diag_at(r->diag, at->where, "found %llu connections in flow group '%s' (%llu pairs of VMs, %u QP(s) each) after %zu in the groups before it, expected at most %d in a scenario (the connections are held in memory, %zu bytes each)",
				  total, g->name, pairs, g->qps, f->connection_count, SCN_FLOW_CONNECTIONS_MAX,
				  sizeof *g->connections);
	g->connections = malloc((size_t)total * sizeof *g->connections);
	if (!g->connections)
		return vr_diag_at(r->diag, at->where, "out of memory");
	for (size_t k = 0; k < pairs; k++) {
		scn_vm_ref client, server;
		flow_plan_pair(plan, k, &client, &server);
		for (unsigned q = 0; q < g->qps; q++)
			g->connections[g->connection_count++] = (scn_flow_connection){
				.client = client, .server = server,
				.client_qp = f->vm_qps[scn_vm_index(f, client)]++,
				.server_qp = f->vm_qps[scn_vm_index(f, server)]++,
			};
	}
	f->connection_count += g->connection_count;
	set_rates(r, g);
	return 0;
}

/* `start:` or `stop:` (WHAT): a time, not cycles, at most a simulated day. */
static int read_time(reader *r, const yt_node *v, const char *what, double *out_ns)
{
	vr_quantity q;
	if (yr_quantity(v, VR_Q_TIME, what, &q, r->diag))
		return -1;
	if (q.is_cycles || q.value > SCN_FLOW_DURATION_MAX_NS)
		return vr_diag_at(r->diag, v->where, "found '%s' for %s, expected a time such as 10ms, at most a simulated day",
				  v->text, what);
	*out_ns = q.value;
	return 0;
}

/* `transport:` (rdma or tcp) exactly when the group joins hypervisors
 * (host names without '/'), never mixed with VMs, always between two hosts. */
static int check_endpoints(reader *r, const yt_node *node, const yt_node *between, scn_flow_group *g,
			   const flow_plan *plan)
{
	const yt_node *v = yt_get(node, "transport");
	size_t hypervisors = 0, pairs = (size_t)flow_plan_pairs(plan);
	for (size_t k = 0; k < pairs; k++) {
		scn_vm_ref a, b;
		flow_plan_pair(plan, k, &a, &b);
		if (scn_is_hypervisor(a) != scn_is_hypervisor(b))
			return vr_diag_at(r->diag, between->where, "found a VM paired with the hypervisor of %s in flow group '%s', expected VMs (HOST/INDEX) only or hypervisors (HOST) only",
					  r->hosts[scn_is_hypervisor(a) ? a.host : b.host].name, g->name);
		if (scn_is_hypervisor(a) && a.host == b.host)
			return vr_diag_at(r->diag, between->where, "found the hypervisor of %s paired with itself in flow group '%s', expected two distinct hosts",
					  r->hosts[a.host].name, g->name);
		hypervisors += scn_is_hypervisor(a);
	}
	if (!hypervisors) {
		if (v)
			return vr_diag_at(r->diag, v->where, "found 'transport' in flow group '%s' between VMs, expected it only between hypervisors (between: {from: HOST, to: HOST}): VMs run the scenario's options",
					  g->name);
		return 0;
	}
	if (!v)
		return vr_diag_at(r->diag, node->where, "found flow group '%s' between hypervisors without 'transport', expected transport: rdma or transport: tcp",
				  g->name);
	int which;
	if (yr_choice(v, "the hypervisors' transport", scn_flow_transport_names + 1, &which, r->diag))
		return -1;
	g->transport = (scn_flow_transport)(which + 1);
	g->transport_line = v->where.line;
	g->transport_column = v->where.column;
	r->f->endpoint_count = r->f->vm_count + r->host_count;
	return 0;
}

/* `workload:`, or `migrate:` (a migration's streams send messages of its
 * pages: write_bw of migrate.message bytes, perftest's window). */
static int read_workload_or_migrate(reader *r, const yt_node *node, scn_flow_group *g, const char *what)
{
	const yt_node *v = yt_get(node, "migrate"), *w = yt_get(node, "workload");
	if (!v) {
		if (yr_required(node, "workload", what, &w, r->diag))
			return -1;
		return scn_read_workload(w, SCN_WORKLOAD_FLOW, &g->workload, g->size_weights, r->diag);
	}
	const yt_node *key = NULL;
	for (size_t i = 0; i < node->count; i++)
		if (strcmp(node->keys[i]->text, "migrate") == 0)
			key = node->keys[i];
	static const char *const refused[] = {"workload", "load", "stop"};
	for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
		if ((w = yt_get(node, refused[k])))
			return vr_diag_at(r->diag, w->where, "found '%s' beside 'migrate' in %s, expected none: a migration's rounds set its messages and its end",
					  refused[k], what);
	if (scn_read_migrate(key, v, &g->migrate, r->diag) != 0)
		return -1;
	g->workload = (scn_workload){.verb = VERB_WRITE_BW, .size_count = 1, .iterations = 1, .footprint = {.qps = 1},
				     .tx_depth = SCN_TX_DEPTH_DEFAULT, .post_list = 1, .cq_moderation = 1};
	g->workload.sizes_bytes[0] = g->migrate.message_bytes;
	g->workload.footprint.registered_bytes = g->migrate.memory_bytes;
	g->size_weights[0] = 1;
	return 0;
}

/* A migration joins two hypervisors; registration is RDMA's. */
static int check_migrate(reader *r, const yt_node *node, const scn_flow_group *g)
{
	if (!g->migrate.on)
		return 0;
	vr_where at = {node->where.file, g->migrate.line, g->migrate.column};
	if (g->transport == FLOW_TRANSPORT_OPTIONS)
		return vr_diag_at(r->diag, at, "found 'migrate' in flow group '%s' between VMs, expected it between two hypervisors (between: {from: HOST, to: HOST}, transport: rdma or tcp)",
				  g->name);
	if (g->transport == FLOW_TRANSPORT_TCP && g->migrate.registration_given)
		return vr_diag_at(r->diag, yt_get(yt_get(node, "migrate"), "registration")->where,
				  "found 'registration' in a migration over tcp (flow group '%s'), expected it only with transport: rdma (TCP copies; it registers nothing)",
				  g->name);
	return 0;
}

/* The migrating VM named at AT (`vm: HOST/INDEX`) for migration G: a VM
 * of its source host, into *VM. */
static int migrating_vm(reader *r, const yt_node *at, const scn_flow_group *g, scn_vm_ref *vm)
{
	if (flow_between_vm(at, r->hosts, r->host_count, r->f, "the migrating VM", vm, r->diag))
		return -1;
	size_t source = g->connections[0].client.host;
	if (vm->host != source)
		return vr_diag_at(r->diag, at->where, "found the VM '%s' on host '%s' for migration '%s', expected a VM of its source host '%s'",
				  at->text, r->hosts[vm->host].name, g->name, r->hosts[source].name);
	return 0;
}

/* `migrate:`'s `vm: HOST/INDEX` and `vrdma: {vm: HOST/INDEX}`: a VM of the
 * migration's source host (once the connections are expanded); the same
 * one when both are given.  `vrdma:`'s alone names the migrated VM too. */
static int resolve_migrate_vm(reader *r, const yt_node *node, scn_flow_group *g)
{
	scn_migrate *m = &g->migrate;
	scn_migrate_vrdma *v = &m->vrdma;
	if (!m->on)
		return 0;
	const yt_node *own = yt_get(yt_get(node, "migrate"), "vm");
	const yt_node *device = v->vm_given ? yt_get(yt_get(yt_get(node, "migrate"), "vrdma"), "vm") : NULL;
	scn_vm_ref vm, device_vm;
	if (m->vm_given && migrating_vm(r, own, g, &vm))
		return -1;
	if (v->vm_given && migrating_vm(r, device, g, &device_vm))
		return -1;
	if (m->vm_given && v->vm_given && (vm.host != device_vm.host || vm.vm != device_vm.vm))
		return vr_diag_at(r->diag, device->where, "found the VM '%s' in 'vrdma' of migration '%s', expected the migrated VM '%s' (or no 'vm' in 'vrdma': the device is the migrated VM's)",
				  device->text, g->name, own->text);
	if (!m->vm_given && v->vm_given) {
		vm = device_vm;
		m->vm_given = 1;
	}
	if (v->vm_given) {
		v->vm_host = vm.host;
		v->vm_index = vm.vm;
	}
	if (m->vm_given) {
		m->vm_host = vm.host;
		m->vm_index = vm.vm;
	}
	return 0;
}

/* `qps`, `service`, `start` and `stop`, which every group may have. */
static int read_group_common(reader *r, const yt_node *node, scn_flow_group *g)
{
	const yt_node *v;
	unsigned long long qps = 1;
	if ((v = yt_get(node, "qps")) && yr_count(v, "the QPs per connected pair of VMs", 1, SCN_FLOW_QPS_MAX, &qps, r->diag))
		return -1;
	g->qps = (unsigned)qps;
	int service = FLOW_SERVICE_JITTER;
	if ((v = yt_get(node, "service")) &&
	    yr_choice(v, "the service times at shared servers (fixed: each stage's cost; exponential: of that mean; jitter: the preset's jitter.cpu_cv on software stages)",
		      service_names, &service, r->diag))
		return -1;
	g->service = (scn_flow_service)service;
	if ((v = yt_get(node, "start")) && read_time(r, v, "when the group starts", &g->start_ns) != 0)
		return -1;
	if ((v = yt_get(node, "stop")) && read_time(r, v, "when the group stops posting", &g->stop_ns) != 0)
		return -1;
	if (v && !(g->stop_ns > g->start_ns))
		return vr_diag_at(r->diag, v->where, "found the stop '%s', expected a time after the group's start (%g ns)",
				  v->text, g->start_ns);
	return 0;
}

/* FT's `follows:`: an earlier group of VMs that delivers data to the
 * primary VM (a WRITE or SEND it serves, a READ or atomic it posts). */
static int check_follows(reader *r, const yt_node *node, scn_flow_group *g, size_t index)
{
	const yt_node *v = yt_get(yt_get(node, "ft"), "follows");
	scn_vm_ref primary = {.host = (uint16_t)g->svc.from, .vm = (uint16_t)g->svc.primary_vm};
	for (size_t j = 0; j < index; j++) {
		const scn_flow_group *src = &r->f->groups[j];
		if (strcmp(src->name, g->svc.follows) != 0)
			continue;
		if (src->transport != FLOW_TRANSPORT_OPTIONS)
			return vr_diag_at(r->diag, v->where, "found '%s' for the group the FT log follows, a group of hypervisors, expected a group of VMs (the primary's input)",
					  src->name);
		mdl_verb op = mdl_verb_operation(src->workload.verb);
		int read = op == VERB_READ_LAT || op == VERB_ATOMIC_LAT;
		for (size_t c = 0; c < src->connection_count; c++) {
			scn_vm_ref at = read ? src->connections[c].client : src->connections[c].server;
			if (at.host == primary.host && at.vm == primary.vm) {
				g->svc_follows = j;
				return 0;
			}
		}
		return vr_diag_at(r->diag, v->where, "found group '%s', which delivers nothing to %s/%u, expected a group whose data reaches the primary VM (it serves a WRITE or SEND, or posts a READ)",
				  src->name, r->hosts[primary.host].name, primary.vm);
	}
	return vr_diag_at(r->diag, v->where, "found '%s' for the group the FT log follows, expected the name of a group before this one",
			  g->svc.follows);
}

/* A service group (models/services.h): its class block names its hosts
 * and its operation; its connections join those hosts' hypervisors over
 * `transport:`.  Its workload stands for the class's operation: one size
 * (vSAN's write, iSER's command, FT's logged input: the followed group's
 * sizes), its iterations, a bandwidth test's window; without `load:` one
 * operation in flight (FT's log: the workload's tx_depth). */
static int read_service_group(reader *r, const yt_node *node, scn_flow_group *g, size_t index, svc_class cls)
{
	static const char *const refused[] = {"workload", "between", "migrate", NULL};
	const yt_node *v;
	for (size_t k = 0; refused[k]; k++)
		if ((v = yt_get(node, refused[k])))
			return vr_diag_at(r->diag, v->where, "found '%s' in flow group '%s' of class %s, expected none: the '%s' block names its hosts and its operation",
					  refused[k], g->name, svc_class_names[cls], svc_class_names[cls]);
	if (svc_read(node, cls, r->hosts, r->host_count, &g->svc, r->diag) != 0)
		return -1;
	if (!(v = yt_get(node, "transport")))
		return vr_diag_at(r->diag, node->where, "found flow group '%s' of class %s without 'transport', expected transport: rdma or transport: tcp",
				  g->name, svc_class_names[cls]);
	int which;
	if (yr_choice(v, "the hypervisors' transport", scn_flow_transport_names + 1, &which, r->diag))
		return -1;
	g->transport = (scn_flow_transport)(which + 1);
	g->transport_line = g->between_line = v->where.line;
	g->transport_column = g->between_column = v->where.column;
	r->f->endpoint_count = r->f->vm_count + r->host_count;
	g->workload = (scn_workload){.verb = VERB_SEND_BW, .size_count = 1, .sizes_bytes = {g->svc.size_bytes},
				     .iterations = g->svc.iterations, .footprint = {.qps = 1}, .tx_depth = 128,
				     .post_list = 1, .cq_moderation = 1};
	g->size_weights[0] = 1;
	if (cls == SVC_FT) {
		if (check_follows(r, node, g, index) != 0)
			return -1;
		const scn_flow_group *src = &r->f->groups[g->svc_follows];
		g->workload.size_count = src->workload.size_count;
		memcpy(g->workload.sizes_bytes, src->workload.sizes_bytes, sizeof g->workload.sizes_bytes);
		memcpy(g->size_weights, src->size_weights, sizeof g->size_weights);
	}
	if (read_group_common(r, node, g) || read_load(r, yt_get(node, "load"), g))
		return -1;
	if (cls == SVC_FT && g->load.loop == FLOW_OPEN_LOOP)
		return vr_diag_at(r->diag, yt_get(node, "load")->where, "found an open loop in FT group '%s', expected {closed_loop: {window: W}}: its records arrive with the input it follows and its timer ticks",
				  g->name);
	if (!yt_get(node, "load") && cls != SVC_FT)
		g->load.window = 1;
	/* the connections: vSAN's to each replica, iSER's and FT's one, each QPS times */
	scn_vm_ref a[SVC_REPLICAS_MAX], b[SVC_REPLICAS_MAX];
	size_t pairs = cls == SVC_VSAN ? g->svc.replica_count : 1;
	for (size_t k = 0; k < pairs; k++) {
		a[k] = (scn_vm_ref){.host = (uint16_t)g->svc.from, .vm = SCN_VM_HYPERVISOR};
		b[k] = (scn_vm_ref){.host = (uint16_t)(cls == SVC_VSAN ? g->svc.replicas[k] : g->svc.to), .vm = SCN_VM_HYPERVISOR};
	}
	flow_plan plan = {.form = FLOW_LIST, .a_count = pairs, .b_count = pairs, .a = a, .b = b};
	g->between = FLOW_LIST;
	g->seed = mix64(r->seed ^ name_hash(g->name));
	return expand(r, g, &plan, node);
}

static int read_group(reader *r, const yt_node *node, size_t index)
{
	scn_flow_group *g = &r->f->groups[index];
	const yt_node *between;
	char what[MDL_NAME_MAX + 16];
	if (yr_expect(node, YT_MAP, "a flow group", r->diag) || yr_known_keys(node, group_keys, "a flow group", r->diag) ||
	    read_group_name(r, node, g, index))
		return -1;
	g->line = node->where.line;
	g->column = node->where.column;
	int cls = svc_class_of(node, r->diag);
	if (cls < 0)
		return -1;
	if (cls > SVC_NONE)
		return read_service_group(r, node, g, index, (svc_class)cls);
	snprintf(what, sizeof what, "flow group '%s'", g->name);
	if (read_workload_or_migrate(r, node, g, what) != 0)
		return -1;
	const yt_node *w = yt_get(node, "workload"), *warmup = w ? yt_get(w, "warmup") : NULL;
	if (warmup && g->workload.warmup > 0)
		return vr_diag_at(r->diag, warmup->where, "found warmup %llu in flow group '%s', expected 0: the many-flow engine measures every operation from the start (a scenario's `duration:` bounds a steady-state run instead)",
				  (unsigned long long)g->workload.warmup, g->name);
	if (read_group_common(r, node, g) != 0)
		return -1;
	if (read_load(r, yt_get(node, "load"), g) || yr_required(node, "between", what, &between, r->diag))
		return -1;
	g->between_line = between->where.line;
	g->between_column = between->where.column;
	flow_plan plan;
	int rc = flow_between_read(between, r->hosts, r->host_count, r->f, &plan, r->diag);
	g->between = plan.form;
	if (rc == 0)
		rc = check_endpoints(r, node, between, g, &plan);
	if (rc == 0)
		rc = check_migrate(r, node, g);
	if (rc == 0)
		rc = expand(r, g, &plan, between);
	if (rc == 0)
		rc = resolve_migrate_vm(r, node, g);
	flow_plan_free(&plan);
	g->seed = mix64(r->seed ^ name_hash(g->name));
	return rc;
}

static int set_topology(scn_flows *f, const scn_host *hosts, size_t host_count)
{
	for (size_t h = 0; h < host_count; h++) {
		f->vm_first[h] = (unsigned)f->vm_count;
		f->vm_count += hosts[h].vms;
	}
	f->endpoint_count = f->vm_count;   /* hypervisors join when a group names them */
	f->vm_qps = calloc(f->vm_count + host_count, sizeof *f->vm_qps);
	return f->vm_qps ? 0 : -1;
}

int scn_flows_read(const yt_node *key, const yt_node *node, const scn_host *hosts, size_t host_count,
		   unsigned long long seed, scn_flows *out, vr_diag *diag)
{
	*out = (scn_flows){.line = key->where.line, .column = key->where.column};
	if (yr_expect(node, YT_SEQ, "the flows (a list of flow groups)", diag) != 0)
		return -1;
	if (node->count == 0 || node->count > SCN_FLOW_GROUPS_MAX)
		return vr_diag_at(diag, node->where, "found %zu flow groups, expected from 1 to %d", node->count, SCN_FLOW_GROUPS_MAX);
	reader r = {.hosts = hosts, .host_count = host_count, .seed = seed, .f = out, .diag = diag};
	out->groups = calloc(node->count, sizeof *out->groups);
	if (!out->groups || set_topology(out, hosts, host_count) ||
	    !(r.client_connections = calloc(out->vm_count + host_count, sizeof *r.client_connections)))
		return vr_diag_at(diag, node->where, "out of memory");
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < node->count; i++) {
		out->group_count = i + 1;   /* what scn_flows_free releases */
		rc = read_group(&r, node->items[i], i);
	}
	free(r.client_connections);
	return rc;
}

int scn_flows_check_placement(const scn_flows *f, const scn_host *hosts, int same_host, const char *option,
			      const char *file, vr_diag *diag)
{
	for (size_t i = 0; i < f->group_count; i++) {
		const scn_flow_group *g = &f->groups[i];
		for (size_t c = 0; g->transport == FLOW_TRANSPORT_OPTIONS && c < g->connection_count; c++) {
			scn_vm_ref a = g->connections[c].client, b = g->connections[c].server;
			if (same_host < 0 || (a.host == b.host) == same_host)
				continue;
			return vr_diag_at(diag, (vr_where){file, g->between_line, g->between_column},
					  "found flow group '%s' connecting %s/%u to %s/%u, on %s, expected VMs on %s for option '%s' (%s)",
					  g->name, hosts[a.host].name, a.vm, hosts[b.host].name, b.vm,
					  same_host ? "two hosts" : "one host", same_host ? "one host" : "two hosts", option,
					  same_host ? "it runs between VMs of the same host"
						    : "it runs between VMs on different hosts and names no counterpart inside one host (same_host:)");
		}
	}
	return 0;
}

int scn_flows_any_same_host(const scn_flows *f)
{
	for (size_t i = 0; i < f->group_count; i++)
		for (size_t c = 0; c < f->groups[i].connection_count; c++)
			if (f->groups[i].connections[c].client.host == f->groups[i].connections[c].server.host)
				return 1;
	return 0;
}

size_t scn_flow_group_qps_per_host(const scn_flow_group *g)
{
	size_t per_host[SCN_HOSTS_MAX] = {0}, most = 0;
	for (size_t c = 0; c < g->connection_count; c++) {
		per_host[g->connections[c].client.host]++;
		per_host[g->connections[c].server.host]++;
	}
	for (size_t h = 0; h < SCN_HOSTS_MAX; h++)
		most = per_host[h] > most ? per_host[h] : most;
	return most;
}

void scn_flows_free(scn_flows *f)
{
	for (size_t i = 0; f->groups && i < f->group_count; i++)
		free(f->groups[i].connections);
	free(f->groups);
	free(f->vm_qps);
	*f = (scn_flows){0};
}
