/*
 * scenario.c - the strict scenario loader.
 *
 * Order of work: read the YAML tree; check the top-level keys; read the
 * workload and options (cheap, catch most mistakes); then build each
 * (preset, host) parameter set as preset <- scenario overrides <- host
 * overrides, and resolve it.  Only a fully valid scenario leaves here.
 */
#include "models/scenario.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/preset.h"
#include "input/catalog.h"
#include "models/replay_scenario.h"
#include "input/yaml_read.h"
#include "models/vrdma_migration_scenario.h"

static const char *const top_keys[] = {
	"scenario", "description", "preset", "seed", "topology", "options",
	"workload", "workloads", "flows", "duration", "completion", "calibration", "overrides", "replay", "sweep",
	"vrdma_migration", NULL,
};
static const char *const replay_keys[] = {"trace", "costs", "iterations", "compare", NULL};
static const char *const topology_keys[] = {"hosts", "switch", "fabric", NULL};
/* `fabric:` how the hosts are joined: through a switch (InfiniBand's or
 * Ethernet's), or back to back, one cable between two hosts' adapters. */
static const char *const fabric_names[] = {"switched", "back-to-back", NULL};
static const char *const host_keys[] = {"name", "vms", "cpu", "hca", "link", NULL};


typedef struct loader {
	scn_scenario *s;
	const yt_doc *doc;
	vr_diag *diag;
	scn_preset_ref presets[SCN_PRESETS_MAX];
	const yt_node *host_cpu[SCN_HOSTS_MAX], *host_hca[SCN_HOSTS_MAX], *host_link[SCN_HOSTS_MAX];
	int replaying;                 /* `replay:`: options[0] is the replayed option */
} loader;

static int read_name(const yt_node *node, const char *what, char *out, size_t len, vr_diag *diag)
{
	const char *text;
	if (yr_string(node, what, &text, diag) != 0)
		return -1;
	if (strlen(text) >= len)
		return vr_diag_at(diag, node->where, "found a %s of %zu characters, expected at most %zu",
				  what, strlen(text), len - 1);
	snprintf(out, len, "%s", text);
	return 0;
}

int scn_add_preset(scn_scenario *s, scn_preset_ref *presets, const char *name, vr_where where, vr_diag *diag)
{
	if (s->preset_count == SCN_PRESETS_MAX)
		return vr_diag_at(diag, where, "found more than %d presets, expected at most %d", SCN_PRESETS_MAX, SCN_PRESETS_MAX);
	for (size_t j = 0; j < s->preset_count; j++)
		if (strcmp(presets[j].name, name) == 0)
			return vr_diag_at(diag, where, "found preset '%s' twice, expected each preset once", name);
	presets[s->preset_count++] = (scn_preset_ref){name, where};
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Append NAME, located at AT, to *LIST (made on the first name). */
static int list_add(yt_node **list, const char *name, vr_where at)
{
	yt_node *scalar = yt_scalar(name, at);
	if (!scalar)
		return -1;
	if (!*list) {
		*list = yt_list_of(scalar);
		return *list ? 0 : -1;
	}
	if (yt_list_append(*list, scalar) != 0) {
		yt_free(&(yt_doc){.root = scalar});
		return -1;
	}
	return 0;
}

yt_node *scn_preset_list(const char *presets, const char *label, vr_diag *diag)
{
	yt_node *list = NULL;
	for (const char *item = presets;; item++) {
		size_t len = strcspn(item, ","), lead = 0;
		while (lead < len && is_blank(item[lead]))
			lead++;
		while (len > lead && is_blank(item[len - 1]))
			len--;
		vr_where at = {label, 1, (unsigned)(item + lead - presets) + 1};
		char name[1024];
		int rc = 0;
		if (len == lead)
			rc = vr_diag_at(diag, at, "found an empty preset name, expected preset names or paths separated by commas (P[,P...])");
		else if (len - lead >= sizeof name)
			rc = vr_diag_at(diag, at, "found a preset name of %zu characters, expected at most %zu", len - lead, sizeof name - 1);
		else if (snprintf(name, sizeof name, "%.*s", (int)(len - lead), item + lead) < 0 || list_add(&list, name, at) != 0)
			rc = vr_diag_at(diag, at, "out of memory");
		if (rc != 0) {
			yt_free(&(yt_doc){.root = list});
			return NULL;
		}
		item += strcspn(item, ",");
		if (!*item)
			return list;
	}
}

int scn_replace_presets(yt_node *root, const yt_node *list, vr_diag *diag)
{
	yt_node *copy = yt_copy(list);
	if (!copy)
		return vr_diag_at(diag, list->where, "out of memory");
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "preset") == 0) {
			yt_replace_item(root, i, copy);
			return 0;
		}
	if (yt_map_append(root, "preset", list->where, copy) != 0) {
		yt_free(&(yt_doc){.root = copy});
		return vr_diag_at(diag, list->where, "out of memory");
	}
	return 0;
}

static int read_presets(loader *l, const yt_node *node)
{
	const char *text;
	if (node->type == YT_SCALAR)
		return yr_string(node, "the preset", &text, l->diag) ||
		       scn_add_preset(l->s, l->presets, text, node->where, l->diag);
	if (node->type != YT_SEQ || node->count == 0)
		return vr_diag_at(l->diag, node->where, "found %s for the preset, expected a preset name or a list of them",
				  node->type == YT_SEQ ? "an empty list" : yt_type_name(node->type));
	if (node->count > SCN_PRESETS_MAX)
		return vr_diag_at(l->diag, node->where, "found %zu presets, expected at most %d", node->count, SCN_PRESETS_MAX);
	for (size_t i = 0; i < node->count; i++)
		if (yr_string(node->items[i], "a preset name", &text, l->diag) ||
		    scn_add_preset(l->s, l->presets, text, node->items[i]->where, l->diag))
			return -1;
	return 0;
}

static int read_host(loader *l, const yt_node *node, size_t index)
{
	scn_host *h = &l->s->hosts[index];
	const yt_node *v;
	if (yr_expect(node, YT_MAP, "a host", l->diag) || yr_known_keys(node, host_keys, "a host", l->diag) ||
	    yr_required(node, "name", "a host", &v, l->diag) ||
	    read_name(v, "host name", h->name, sizeof h->name, l->diag))
		return -1;
	/* Host names become SimGrid identifiers and XML attributes. */
	if (!vr_is_identifier(h->name))
		return vr_diag_at(l->diag, v->where, "found the host name '%s', expected letters, digits, '_', '.' and '-' only",
				  h->name);
	for (size_t j = 0; j < index; j++)
		if (strcmp(l->s->hosts[j].name, h->name) == 0)
			return vr_diag_at(l->diag, v->where, "found the host name '%s' twice, expected unique names", h->name);
	h->vms = 1;
	unsigned long long vms;
	if ((v = yt_get(node, "vms"))) {
		if (yr_count(v, "the number of VMs", 1, SCN_VMS_PER_HOST_MAX, &vms, l->diag) != 0)
			return -1;
		h->vms = (unsigned)vms;
	}
	l->host_cpu[index] = yt_get(node, "cpu");
	l->host_hca[index] = yt_get(node, "hca");
	l->host_link[index] = yt_get(node, "link");
	return 0;
}

/* `fabric: back-to-back`: one cable joins two hosts, so at most two, and no
 * switch to override. */
static int read_fabric(loader *l, const yt_node *topology, const yt_node *hosts)
{
	const yt_node *v = yt_get(topology, "fabric"), *sw = yt_get(topology, "switch");
	int fabric = 0;
	if (!v)
		return 0;
	if (yr_choice(v, "the fabric", fabric_names, &fabric, l->diag))
		return -1;
	l->s->back_to_back = fabric == 1;
	if (!l->s->back_to_back)
		return 0;
	if (hosts->count > 2)
		return vr_diag_at(l->diag, hosts->items[2]->where,
				  "found %zu hosts on a back-to-back fabric, expected at most 2 (one cable joins two hosts' adapters; more need a switch)",
				  hosts->count);
	if (sw)
		return vr_diag_at(l->diag, sw->where, "found 'switch' on a back-to-back fabric, expected no switch overrides (no switch is crossed)");
	return 0;
}

static int read_topology(loader *l, const yt_node *node)
{
	const yt_node *hosts;
	if (yr_expect(node, YT_MAP, "the topology", l->diag) ||
	    yr_known_keys(node, topology_keys, "the topology", l->diag) ||
	    yr_required(node, "hosts", "the topology", &hosts, l->diag) ||
	    yr_expect(hosts, YT_SEQ, "the hosts", l->diag))
		return -1;
	if (hosts->count < 1 || hosts->count > SCN_HOSTS_MAX)
		return vr_diag_at(l->diag, hosts->where, "found %zu hosts, expected from 1 to %d", hosts->count, SCN_HOSTS_MAX);
	for (size_t i = 0; i < hosts->count; i++)
		if (read_host(l, hosts->items[i], i) != 0)
			return -1;
	l->s->host_count = hosts->count;
	return read_fabric(l, node, hosts);
}

/* One workload (a mapping) or several (a list of them: `workloads:`). */
static int read_workloads(loader *l, const yt_node *root)
{
	scn_scenario *s = l->s;
	const yt_node *one = yt_get(root, "workload"), *many = yt_get(root, "workloads");
	if (one && many)
		return vr_diag_at(l->diag, many->where, "found both 'workload' and 'workloads', expected one of them");
	if (one) {
		s->workload_count = 1;
		return scn_read_workload(one, SCN_WORKLOAD_SWEEP, &s->workloads[0], NULL, l->diag);
	}
	if (!many)
		return vr_diag_at(l->diag, root->where, "found a scenario without 'workload', expected the key 'workload' (required; or 'workloads', a list)");
	if (yr_expect(many, YT_SEQ, "the workloads", l->diag) != 0)
		return -1;
	if (many->count == 0 || many->count > SCN_WORKLOADS_MAX)
		return vr_diag_at(l->diag, many->where, "found %zu workloads, expected from 1 to %d", many->count, SCN_WORKLOADS_MAX);
	for (size_t i = 0; i < many->count; i++)
		if (scn_read_workload(many->items[i], SCN_WORKLOAD_SWEEP, &s->workloads[s->workload_count++], NULL, l->diag) != 0)
			return -1;
	return 0;
}

/* `flows:` instead of the one flow of `workload:`, `workloads:` or
 * `replay:` (between the first VMs): a scenario says one or the other. */
static int read_flows(loader *l, const yt_node *root)
{
	static const char *const single[] = {"workload", "workloads", "replay"};
	const yt_node *v, *key = NULL;
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "flows") == 0)
			key = root->keys[i];
	for (size_t k = 0; k < sizeof single / sizeof single[0]; k++)
		if ((v = yt_get(root, single[k])))
			return vr_diag_at(l->diag, key->where, "found 'flows' beside '%s', expected one of them ('%s' is one flow between the first VMs; 'flows' lists every flow of the scenario)",
					  single[k], single[k]);
	scn_scenario *s = l->s;
	if (scn_flows_read(key, yt_get(root, "flows"), s->hosts, s->host_count, s->seed, &s->flows, l->diag) != 0)
		return -1;
	if ((v = yt_get(root, "duration"))) {
		vr_quantity q;
		if (yr_quantity(v, VR_Q_TIME, "the simulated time the flows run", &q, l->diag))
			return -1;
		if (q.is_cycles)
			return vr_diag_at(l->diag, v->where, "found the duration '%s' in cycles, expected a time such as 20ms (hosts may differ in clock)",
					  v->text);
		if (!(q.value > 0) || q.value > SCN_FLOW_DURATION_MAX_NS)
			return vr_diag_at(l->diag, v->where, "found the duration '%s', expected above 0 s and at most 1 day of simulated time",
					  v->text);
		s->flows.duration_ns = q.value;
	}
	/* FT logs its primary's timer ticks for as long as the run goes */
	for (size_t g = 0; g < s->flows.group_count && !s->flows.duration_ns; g++)
		if (s->flows.groups[g].svc.cls == SVC_FT)
			return vr_diag_at(l->diag, (vr_where){s->file, s->flows.groups[g].svc.line, s->flows.groups[g].svc.column},
					  "found the FT group '%s' without the scenario's 'duration', expected 'duration:' (its primary's timer ticks are logged for the whole run)",
					  s->flows.groups[g].name);
	return 0;
}

/* `duration:` bounds the many-flow engine's run; one flow has its iterations. */
static int refuse_duration(loader *l, const yt_node *root)
{
	const yt_node *v = yt_get(root, "duration");
	if (!v)
		return 0;
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "duration") == 0)
			v = root->keys[i];
	return vr_diag_at(l->diag, v->where, "found 'duration' without 'flows', expected it only beside 'flows' (a workload runs its iterations)");
}

/* Can O run every workload's verb and the completion mode? */
static int check_option_verbs(const scn_scenario *s, const mdl_option *o, vr_where at, vr_diag *diag)
{
	for (size_t w = 0; w < s->workload_count; w++)
		if (!mdl_option_runs(o, s->workloads[w].verb))
			return vr_diag_at(diag, at, "found option '%s', which cannot run verb '%s', expected an option that supports it",
					  o->name, mdl_verb_names[s->workloads[w].verb]);
	for (size_t g = 0; g < s->flows.group_count; g++)
		if (s->flows.groups[g].transport == FLOW_TRANSPORT_OPTIONS && !mdl_option_runs(o, s->flows.groups[g].workload.verb))
			return vr_diag_at(diag, at, "found option '%s', which cannot run verb '%s' (flow group '%s'), expected an option that supports it",
					  o->name, mdl_verb_names[s->flows.groups[g].workload.verb], s->flows.groups[g].name);
	if (!(o->completions & (1u << s->completion)))
		return vr_diag_at(diag, at, "found option '%s', which has no '%s' completion mode, expected an option that supports it",
				  o->name, mdl_completion_names[s->completion]);
	return 0;
}

int scn_check_option(const scn_scenario *s, const mdl_option *o, vr_where at, vr_diag *diag)
{
	if (check_option_verbs(s, o, at, diag) != 0)
		return -1;
	int either = o->placement == PLACE_DIFFERENT_HOSTS && o->same_host[0] && s->flows.group_count;
	if (o->placement == PLACE_DIFFERENT_HOSTS && s->host_count < 2 && !either)
		return vr_diag_at(diag, at, "found option '%s' with %zu host in the topology, expected at least 2 hosts (it runs between VMs on different hosts)",
				  o->name, s->host_count);
	/* An option models one data path: between hosts, or inside one.  A
	 * flow on the other kind of path would be timed on a path it does
	 * not take, unless the option names its counterpart inside one host. */
	return scn_flows_check_placement(&s->flows, s->hosts, either ? -1 : o->placement == PLACE_SAME_HOST, o->name,
					 s->file, diag);
}

/* Load option I's counterpart inside one host, if it names one and a flow
 * connects two VMs of one host (WHERE: the option in the scenario). */
static int load_same_host(scn_scenario *s, size_t i, vr_where where, vr_diag *diag)
{
	const mdl_option *o = &s->options[i];
	if (!o->same_host[0] || !scn_flows_any_same_host(&s->flows))
		return 0;
	mdl_option *local = s->same_host_options[i] = calloc(1, sizeof *local);
	if (!local)
		return vr_diag_at(diag, where, "out of memory");
	/* by name from the catalogue, whatever file O came from */
	if (mdl_option_load(o->same_host, s->file, where, local, diag) != 0)
		return -1;
	if (local->placement != PLACE_SAME_HOST)
		return vr_diag_at(diag, where, "found option '%s' naming '%s' as its same_host counterpart, whose placement is %s, expected same-host",
				  o->name, local->name, mdl_placement_names[local->placement]);
	return check_option_verbs(s, local, where, diag);
}

/*
 * `replay: {trace: FILE, costs: model|measured, iterations: N, compare:
 * true}`: a trace of the reference implementation sets the workload and the
 * completion mode, and option 0 is the option the trace replays
 * (models/replay.h); with `compare: true` option 1 is that option as the
 * pipeline assumes it; the listed options, if any, run the same workload
 * beside them.
 */
static int read_replay(loader *l, const yt_node *root, const yt_node *node)
{
	static const char *const replaced[] = {"workload", "workloads", "completion"};
	scn_scenario *s = l->s;
	const yt_node *v;
	const char *trace;
	int costs = COSTS_MODEL;
	unsigned long long iterations = 0;
	for (size_t k = 0; k < sizeof replaced / sizeof replaced[0]; k++)
		if ((v = yt_get(root, replaced[k])))
			return vr_diag_at(l->diag, v->where, "found '%s' beside 'replay', expected the trace to set the workload and the completion mode",
					  replaced[k]);
	if (yr_expect(node, YT_MAP, "the replay {trace, costs, iterations}", l->diag) ||
	    yr_known_keys(node, replay_keys, "the replay", l->diag) ||
	    yr_required(node, "trace", "the replay", &v, l->diag) || yr_string(v, "a trace file", &trace, l->diag))
		return -1;
	vr_where at = v->where;
	if ((v = yt_get(node, "costs")) && yr_choice(v, "the source of costs", vr_replay_costs_names, &costs, l->diag))
		return -1;
	if ((v = yt_get(node, "iterations")) && yr_count(v, "the iterations", 1, SCN_ITERATIONS_MAX, &iterations, l->diag))
		return -1;
	static const char *const no_yes[] = {"false", "true", NULL};
	int compare = 0;
	if ((v = yt_get(node, "compare")) && yr_choice(v, "whether to run the pipeline beside it", no_yes, &compare, l->diag))
		return -1;
	scn_replay_request rq = {.trace = trace, .costs = (vr_replay_costs)costs, .iterations = iterations, .compare = compare};
	/* A trace's errors name the trace and the record; a scenario's
	 * replay is also located at its `trace:`. */
	vr_diag trace_diag;
	vr_diag_clear(&trace_diag);
	if (scn_replay_attach(s, &rq, at, &trace_diag, l->diag) != 0) {
		if (trace_diag.failed)
			return vr_diag_at(l->diag, at, "found trace '%s', expected a vrdma-perf trace that can be replayed: %s",
					  trace, trace_diag.message);
		return -1;
	}
	l->replaying = 1;
	return 0;
}

/* `vrdma_migration:` (models/vrdma_migration_scenario.h): the model of a
 * vRDMA VM's migration, evaluated per preset over its grid; it runs no
 * workload and no option. */
static int read_vrdma_migration(loader *l, const yt_node *root, const yt_node *node)
{
	static const char *const beside[] = {"workload", "workloads", "flows", "replay", "options", "completion", "duration"};
	for (size_t i = 0; i < sizeof beside / sizeof beside[0]; i++) {
		const yt_node *v = yt_get(root, beside[i]);
		for (size_t k = 0; v && k < root->count; k++)
			if (root->items[k] == v)
				return vr_diag_at(l->diag, root->keys[k]->where,
						  "found '%s' beside 'vrdma_migration', expected none (the migration's model runs no workload or option)",
						  beside[i]);
	}
	l->s->vmig = calloc(1, sizeof *l->s->vmig);
	if (!l->s->vmig)
		return vr_diag_at(l->diag, node->where, "out of memory");
	return scn_vmig_read(node, l->s->hosts, l->s->host_count, l->s->vmig, l->diag);
}

/* The options hypervisors' groups run on (`transport:`), whatever the
 * scenario's options: loaded once each, checked against the groups'
 * verbs and the completion mode, located at the group's `transport:`. */
static int load_transports(scn_scenario *s, vr_diag *diag)
{
	for (size_t g = 0; g < s->flows.group_count; g++) {
		const scn_flow_group *grp = &s->flows.groups[g];
		if (grp->transport == FLOW_TRANSPORT_OPTIONS)
			continue;
		vr_where at = {s->file, grp->transport_line, grp->transport_column};
		mdl_option **o = &s->transport_options[grp->transport];
		if (!*o && (!(*o = calloc(1, sizeof **o)) ||
			    mdl_option_load(scn_flow_transport_options[grp->transport], s->file, at, *o, diag) != 0))
			return *o ? -1 : vr_diag_at(diag, at, "out of memory");
		if (!mdl_option_runs(*o, grp->workload.verb))
			return vr_diag_at(diag, at, "found transport '%s' in flow group '%s', which cannot run verb '%s', expected a verb it runs (write_bw, send_bw, write_lat, send_lat)",
					  scn_flow_transport_names[grp->transport], grp->name, mdl_verb_names[grp->workload.verb]);
		if (!((*o)->completions & (1u << s->completion)))
			return vr_diag_at(diag, at, "found transport '%s' in flow group '%s', which has no '%s' completion mode, expected a completion mode it supports",
					  scn_flow_transport_names[grp->transport], grp->name, mdl_completion_names[s->completion]);
	}
	return 0;
}

static int read_options(loader *l, const yt_node *node)
{
	scn_scenario *s = l->s;
	if (!node && l->replaying)
		return scn_check_option(s, &s->options[0], l->doc->root->where, l->diag);
	if (!node)
		return vr_diag_at(l->diag, l->doc->root->where, "found a scenario without 'options', expected the key 'options' (required)");
	if (yr_expect(node, YT_SEQ, "the options", l->diag) != 0)
		return -1;
	size_t first = s->option_count;   /* after the replayed option, if any */
	if (node->count + first == 0 || node->count + first > SCN_OPTIONS_MAX)
		return vr_diag_at(l->diag, node->where, "found %zu options, expected from 1 to %d", node->count,
				  SCN_OPTIONS_MAX - (int)first);
	if (l->replaying && scn_check_option(s, &s->options[0], node->where, l->diag))
		return -1;
	for (size_t n = 0; n < node->count; n++) {
		size_t i = first + n;
		const char *name;
		if (yr_string(node->items[n], "an option name", &name, l->diag) ||
		    mdl_option_load(name, s->file, node->items[n]->where, &s->options[i], l->diag) ||
		    scn_check_option(s, &s->options[i], node->items[n]->where, l->diag) ||
		    load_same_host(s, i, node->items[n]->where, l->diag))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->options[j].name, s->options[i].name) == 0)
				return vr_diag_at(l->diag, node->items[n]->where, "found option '%s' twice, expected each option once",
						  s->options[i].name);
		s->option_count++;
	}
	return load_transports(s, l->diag);
}

/* One preset's parameters on each host: BASE <- switch overrides <- host
 * overrides, resolved. */
static int build_hosts(scn_scenario *s, size_t p, const mdl_params *base, const char *preset,
		       const scn_layers *layers, vr_diag *diag)
{
	for (size_t h = 0; h < s->host_count; h++) {
		mdl_params *out = &s->params[p * s->host_count + h];
		*out = *base;
		out->back_to_back = s->back_to_back;
		if ((layers->overrides && mdl_params_override(out, layers->overrides, NULL, diag)) ||
		    (layers->switch_map && mdl_params_override(out, layers->switch_map, "switch", diag)) ||
		    (layers->host_cpu && layers->host_cpu[h] && mdl_params_override(out, layers->host_cpu[h], "cpu", diag)) ||
		    (layers->host_hca && layers->host_hca[h] && mdl_params_override(out, layers->host_hca[h], "hca", diag)) ||
		    (layers->host_link && layers->host_link[h] && mdl_params_override(out, layers->host_link[h], "wire", diag)) ||
		    mdl_params_resolve(out, preset, diag))
			return -1;
	}
	return 0;
}

/* preset <- calibration overlay <- scenario overrides <- switch overrides <-
 * host overrides, resolved. */
int scn_build_params(scn_scenario *s, const scn_preset_ref *presets, const scn_layers *layers, vr_diag *diag)
{
	static const scn_layers none;
	layers = layers ? layers : &none;
	s->params = calloc(s->preset_count * s->host_count, sizeof *s->params);
	s->preset_params = calloc(s->preset_count, sizeof *s->preset_params);
	if (!s->params || !s->preset_params)
		return vr_diag_at(diag, (vr_where){s->file, 0, 0}, "out of memory");
	for (size_t p = 0; p < s->preset_count; p++) {
		mdl_params base;
		const char *overlay_path;
		if (mdl_preset_load(presets[p].name, s->file, presets[p].where, &base, diag))
			return -1;
		/* the preset alone, resolved: what provenance compares with */
		s->preset_params[p] = base;
		if (mdl_params_resolve(&s->preset_params[p], presets[p].name, diag) ||
		    (layers->calibration &&
		     (yr_string(layers->calibration, "the calibration overlay", &overlay_path, diag) ||
		      mdl_overlay_load_from(overlay_path, s->file, layers->calibration->where, &base, &s->overlay, diag))) ||
		    build_hosts(s, p, &base, presets[p].name, layers, diag))
			return -1;
	}
	return 0;
}

static int build_params(loader *l, const yt_node *root)
{
	const yt_node *topology = yt_get(root, "topology");
	scn_layers layers = {
		.calibration = yt_get(root, "calibration"),
		.overrides = yt_get(root, "overrides"),
		.switch_map = yt_get(topology, "switch"),
		.host_cpu = l->host_cpu,
		.host_hca = l->host_hca,
		.host_link = l->host_link,
	};
	return scn_build_params(l->s, l->presets, &layers, l->diag);
}

static int load_tree(loader *l)
{
	scn_scenario *s = l->s;
	const yt_node *root = l->doc->root, *v;
	int choice;
	if (!root)
		return vr_diag_at(l->diag, (vr_where){s->file, 0, 0}, "found an empty file, expected a scenario");
	if (yr_document(root, top_keys, "a scenario", l->diag) ||
	    yr_required(root, "scenario", "a scenario", &v, l->diag) ||
	    read_name(v, "scenario name", s->name, sizeof s->name, l->diag))
		return -1;
	/* The name is printed in tables and written into CSV and JSON. */
	if (!vr_is_identifier(s->name))
		return vr_diag_at(l->diag, v->where, "found the scenario name '%s', expected letters, digits, '_', '.' and '-' only",
				  s->name);
	/* A sweep's points reach here without their `sweep:` (models/sweep.h). */
	for (size_t i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->text, "sweep") == 0)
			return vr_diag_at(l->diag, root->keys[i]->where,
					  "found a 'sweep' block, expected a single scenario ('vrdmasim sweep FILE' runs a sweep's points)");
	if ((v = yt_get(root, "description")) && read_name(v, "description", s->description, sizeof s->description, l->diag))
		return -1;
	s->seed = 1;
	if ((v = yt_get(root, "seed")) && yr_count(v, "the seed", 0, UINT32_MAX, &s->seed, l->diag))
		return -1;
	s->completion = COMPLETION_POLL;
	if ((v = yt_get(root, "completion")) && yr_choice(v, "the completion mode", mdl_completion_names, &choice, l->diag))
		return -1;
	if (v)
		s->completion = (mdl_completion)choice;
	const yt_node *replay = yt_get(root, "replay"), *vmig = yt_get(root, "vrdma_migration");
	if (yr_required(root, "preset", "a scenario", &v, l->diag) || read_presets(l, v) ||
	    yr_required(root, "topology", "a scenario", &v, l->diag) || read_topology(l, v))
		return -1;
	if (vmig)
		return read_vrdma_migration(l, root, vmig) || build_params(l, root) ? -1 : 0;
	if ((yt_get(root, "flows") ? read_flows(l, root)
				   : refuse_duration(l, root) || (replay ? read_replay(l, root, replay) : read_workloads(l, root))) ||
	    read_options(l, yt_get(root, "options")))
		return -1;
	return build_params(l, root);
}

static int load_doc(const yt_doc *doc, scn_scenario *out, vr_diag *diag)
{
	loader l = {.s = out, .doc = doc, .diag = diag};
	return load_tree(&l);
}

const char *const *scn_scenario_keys(void)
{
	return top_keys;
}

int scn_load_doc(const yt_doc *doc, scn_scenario *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", doc->file);
	memcpy(out->sha256, doc->sha256, sizeof out->sha256);
	return load_doc(doc, out, diag);
}

int scn_load_buffer(const char *name, const char *text, size_t length,
		    scn_scenario *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", name);
	yt_doc doc;
	if (yt_load_buffer(name, text, length, &doc, diag) != 0)
		return -1;
	memcpy(out->sha256, doc.sha256, sizeof out->sha256);
	int rc = load_doc(&doc, out, diag);
	yt_free(&doc);
	return rc;
}

int scn_load_file(const char *path, scn_scenario *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", path);
	yt_doc doc;
	if (yt_load_file(path, &doc, diag) != 0)
		return -1;
	memcpy(out->sha256, doc.sha256, sizeof out->sha256);
	int rc = load_doc(&doc, out, diag);
	yt_free(&doc);
	return rc;
}

const mdl_params *scn_params(const scn_scenario *s, size_t preset, size_t host)
{
	return &s->params[preset * s->host_count + host];
}

int scn_set_parameter(scn_scenario *s, const char *assignment, vr_diag *diag)
{
	char label[256], name[160];
	snprintf(label, sizeof label, "--set %s", assignment);
	const char *equals = strchr(assignment, '=');
	if (!equals || equals == assignment || !equals[1] || (size_t)(equals - assignment) >= sizeof name)
		return vr_diag_at(diag, (vr_where){"--set", 0, 0}, "found '%s', expected NAME=QUANTITY such as virt.vm_exit=1800cycles",
				  assignment);
	snprintf(name, sizeof name, "%.*s", (int)(equals - assignment), assignment);
	/* A one-entry mapping, located in the argument, checked like an override. */
	yt_node key = {.type = YT_SCALAR, .where = {label, 1, 1}, .text = name};
	yt_node value = {.type = YT_SCALAR, .where = {label, 1, (unsigned)(equals - assignment) + 2}, .text = (char *)equals + 1};
	return scn_set_parameter_node(s, &key, &value, diag);
}

int scn_set_parameter_node(scn_scenario *s, const yt_node *key, const yt_node *value, vr_diag *diag)
{
	yt_node *keys[] = {(yt_node *)key}, *items[] = {(yt_node *)value};
	yt_node map = {.type = YT_MAP, .where = key->where, .count = 1, .keys = keys, .items = items};
	for (size_t i = 0; i < s->preset_count * s->host_count; i++)
		if (mdl_params_override(&s->params[i], &map, NULL, diag) ||
		    mdl_params_resolve(&s->params[i], s->params[i].preset, diag))
			return -1;
	return 0;
}

void scn_set_iterations(scn_scenario *s, unsigned long long iterations)
{
	for (size_t w = 0; w < s->workload_count; w++)
		s->workloads[w].iterations = iterations;
	for (size_t g = 0; g < s->flows.group_count; g++)
		s->flows.groups[g].workload.iterations = iterations;
}

void scn_free(scn_scenario *s)
{
	scn_flows_free(&s->flows);
	for (size_t i = 0; i < SCN_OPTIONS_MAX; i++) {
		free(s->same_host_options[i]);
		s->same_host_options[i] = NULL;
	}
	for (size_t i = 0; i < FLOW_TRANSPORT_COUNT; i++) {
		free(s->transport_options[i]);
		s->transport_options[i] = NULL;
	}
	free(s->params);
	free(s->preset_params);
	s->preset_params = NULL;
	free(s->replay);
	free(s->replay_map);
	free(s->vmig);
	s->vmig = NULL;
	s->params = NULL;
	s->replay = NULL;
	s->replay_map = NULL;
}
