/*
 * vrdma_migration_scenario.c - the `vrdma_migration:` block read key by
 * key (contract in the header; docs/scenario-format.md, "Migrating a vRDMA
 * VM").
 */
#include "models/vrdma_migration_scenario.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/yaml_read.h"

static const char *const block_keys[] = {"from", "to", "peers", "qps", "registered_memory", "regions", "cqs_per_qp",
					 "pds", "in_flight", "quiesce", "registration", "precopy", "base_downtime", NULL};
static const char *const in_flight_keys[] = {"requests", "size", NULL};

/* The smallest page a region may hold (mem.page_size's lower bound). */
enum { SMALLEST_PAGE_BYTES = 4096 };

typedef struct reader {
	const scn_host *hosts;
	size_t host_count;
	scn_vmig *v;
	vr_diag *diag;
} reader;

/* NODE names a host of the topology: its index in *OUT. */
static int read_host(reader *r, const yt_node *node, const char *what, size_t *out)
{
	const char *name;
	if (yr_string(node, what, &name, r->diag))
		return -1;
	for (size_t h = 0; h < r->host_count; h++)
		if (strcmp(r->hosts[h].name, name) == 0) {
			*out = h;
			return 0;
		}
	return vr_diag_at(r->diag, node->where, "found host '%.60s' as %s, expected a host of the topology", name, what);
}

static int read_ends(reader *r, const yt_node *block)
{
	scn_vmig *v = r->v;
	const yt_node *n;
	v->from = 0;
	v->to = 1;
	if (r->host_count < 2)
		return vr_diag_at(r->diag, block->where, "found %zu host(s), expected at least 2 for a migration (a source and a destination)",
				  r->host_count);
	if ((n = yt_get(block, "from")) && read_host(r, n, "the migration's source", &v->from))
		return -1;
	if ((n = yt_get(block, "to")) && read_host(r, n, "the migration's destination", &v->to))
		return -1;
	if (v->from == v->to)
		return vr_diag_at(r->diag, n ? n->where : block->where,
				  "found the destination '%s' equal to the source, expected another host", r->hosts[v->to].name);
	return 0;
}

/* `peers: [HOST, ...]`: default every host but the two ends. */
static int read_peers(reader *r, const yt_node *block)
{
	scn_vmig *v = r->v;
	const yt_node *n = yt_get(block, "peers");
	v->peer_count = 0;
	if (!n) {
		for (size_t h = 0; h < r->host_count; h++)
			if (h != v->from && h != v->to)
				v->peers[v->peer_count++] = h;
		return 0;
	}
	if (yr_expect(n, YT_SEQ, "the peer hosts (a list of host names)", r->diag))
		return -1;
	for (size_t i = 0; i < n->count; i++) {
		size_t h;
		if (read_host(r, n->items[i], "a peer host", &h))
			return -1;
		if (h == v->from || h == v->to)
			return vr_diag_at(r->diag, n->items[i]->where,
					  "found peer host '%s', which is the migration's %s, expected a host other than its two ends",
					  r->hosts[h].name, h == v->from ? "source" : "destination");
		for (size_t j = 0; j < v->peer_count; j++)
			if (v->peers[j] == h)
				return vr_diag_at(r->diag, n->items[i]->where, "found peer host '%s' twice, expected each peer once",
						  r->hosts[h].name);
		v->peers[v->peer_count++] = h;
	}
	return 0;
}

/* A value or a list of values (the grid's axis) into OUT[*COUNT]. */
static int read_axis(reader *r, const yt_node *n, const char *what, int is_size, unsigned long long max,
		     unsigned long long *out, size_t *count)
{
	size_t items = n->type == YT_SEQ ? n->count : 1;
	if (items == 0 || items > SCN_VMIG_POINTS_MAX)
		return vr_diag_at(r->diag, n->where, "found %zu values of %s, expected from 1 to %d", items, what,
				  SCN_VMIG_POINTS_MAX);
	for (size_t i = 0; i < items; i++) {
		const yt_node *item = n->type == YT_SEQ ? n->items[i] : n;
		if (!is_size) {
			if (yr_count(item, what, 0, max, &out[i], r->diag))
				return -1;
			continue;
		}
		vr_quantity q;
		if (yr_quantity(item, VR_Q_SIZE, what, &q, r->diag))
			return -1;
		if (!(q.value <= (double)max) || q.value != floor(q.value))
			return vr_diag_at(r->diag, item->where, "found %s '%s', expected a whole number of bytes from 0B to 65536GiB (64 TiB, beyond any host's memory)",
					  what, item->text);
		out[i] = (unsigned long long)q.value;
	}
	*count = items;
	return 0;
}

static int read_count(reader *r, const yt_node *block, const char *key, const char *what, unsigned long long dflt,
		      unsigned long long max, unsigned long long *out)
{
	const yt_node *n = yt_get(block, key);
	*out = dflt;
	return n ? yr_count(n, what, 0, max, out, r->diag) : 0;
}

static int read_time(reader *r, const yt_node *block, const char *key, const char *what, double *out)
{
	const yt_node *n = yt_get(block, key);
	vr_quantity q;
	*out = 0;
	if (!n)
		return 0;
	if (yr_quantity(n, VR_Q_TIME, what, &q, r->diag))
		return -1;
	if (q.is_cycles || !(q.value <= MDL_VMIG_TIME_MAX_NS))
		return vr_diag_at(r->diag, n->where, "found %s '%s', expected a time from 0s to 1h (in s, ms, us or ns)%s", what, n->text,
				  strcmp(key, "precopy") == 0 ? " or first_round" : "");
	*out = q.value;
	return 0;
}

/* `in_flight: {requests: N, size: SIZE}` per QP at the quiesce. */
static int read_in_flight(reader *r, const yt_node *block)
{
	mdl_vmig_device *d = &r->v->device;
	const yt_node *n = yt_get(block, "in_flight"), *v;
	d->outstanding = 1;
	d->outstanding_bytes = 4096;
	if (!n)
		return 0;
	if (yr_expect(n, YT_MAP, "the requests in flight per QP ({requests: N, size: SIZE})", r->diag) ||
	    yr_known_keys(n, in_flight_keys, "the requests in flight", r->diag))
		return -1;
	if ((v = yt_get(n, "requests")) &&
	    yr_count(v, "requests in flight per QP", 0, MDL_VMIG_OUTSTANDING_MAX, &d->outstanding, r->diag))
		return -1;
	if ((v = yt_get(n, "size"))) {
		vr_quantity q;
		if (yr_quantity(v, VR_Q_SIZE, "the size of a request in flight", &q, r->diag))
			return -1;
		if (!(q.value <= (double)MDL_VMIG_MESSAGE_MAX) || q.value != floor(q.value))
			return vr_diag_at(r->diag, v->where, "found a request of '%s', expected a whole number of bytes from 0B to 1GiB (the largest message)",
					  v->text);
		d->outstanding_bytes = (unsigned long long)q.value;
	}
	return 0;
}

/* `quiesce:` and `registration:` into D. */
static int read_choices(reader *r, const yt_node *block, mdl_vmig_device *d)
{
	const yt_node *n;
	int choice;
	d->quiesce = MDL_VMIG_DRAIN;
	d->registration = MDL_VMIG_AT_SWITCHOVER;
	if ((n = yt_get(block, "quiesce"))) {
		if (yr_choice(n, "the quiesce", mdl_vmig_quiesce_names, &choice, r->diag))
			return -1;
		d->quiesce = (mdl_vmig_quiesce)choice;
	}
	if ((n = yt_get(block, "registration"))) {
		if (yr_choice(n, "the registration", mdl_vmig_registration_names, &choice, r->diag))
			return -1;
		d->registration = (mdl_vmig_registration)choice;
	}
	return 0;
}

static int read_modes(reader *r, const yt_node *block)
{
	mdl_vmig_device *d = &r->v->device;
	const yt_node *n = yt_get(block, "registration");
	if (read_choices(r, block, d))
		return -1;
	const yt_node *pre = yt_get(block, "precopy");
	if (pre && pre->type == YT_SCALAR && strcmp(pre->text, "first_round") == 0)
		d->precopy_first_round = 1;
	else if (read_time(r, block, "precopy", "the pre-copy's time", &d->precopy_ns))
		return -1;
	if (read_time(r, block, "base_downtime", "the downtime without the device", &d->base_downtime_ns))
		return -1;
	if (d->registration == MDL_VMIG_DURING_PRECOPY && !yt_get(block, "precopy"))
		return vr_diag_at(r->diag, n->where,
				  "found registration during_precopy without 'precopy', expected the pre-copy that registration overlaps: a time (precopy: 30s) or first_round");
	return 0;
}

/* Every region of every memory in the grid holds at least a page. */
static int check_regions(reader *r, const yt_node *block)
{
	const scn_vmig *v = r->v;
	const yt_node *n = yt_get(block, "regions");
	for (size_t m = 0; m < v->memory_count; m++) {
		unsigned long long pages = v->memory[m] / SMALLEST_PAGE_BYTES;
		if (v->memory[m] > 0 && (v->regions == 0 || v->regions > pages))
			return vr_diag_at(r->diag, n ? n->where : block->where,
					  "found %llu region(s) for %llu B of registered memory, expected from 1 to %llu (a region holds at least one 4 KiB page)",
					  v->regions, v->memory[m], pages);
	}
	return 0;
}

static int check_peers(reader *r, const yt_node *block)
{
	const scn_vmig *v = r->v;
	for (size_t i = 0; i < v->qps_count; i++)
		if (v->qps[i] > 0 && v->peer_count == 0)
			return vr_diag_at(r->diag, yt_get(block, "qps")->where,
					  "found %llu QP(s) and no peer host, expected peers (hosts other than the two ends) for the QPs to connect to",
					  v->qps[i]);
	return 0;
}

int scn_vmig_read(const yt_node *node, const scn_host *hosts, size_t host_count, scn_vmig *out, vr_diag *diag)
{
	reader r = {.hosts = hosts, .host_count = host_count, .v = out, .diag = diag};
	memset(out, 0, sizeof *out);
	out->where = node->where;
	const yt_node *n;
	if (yr_expect(node, YT_MAP, "the vRDMA VM's migration (a mapping)", diag) ||
	    yr_known_keys(node, block_keys, "the vRDMA VM's migration", diag) || read_ends(&r, node) ||
	    read_peers(&r, node) || yr_required(node, "qps", "the vRDMA VM's migration", &n, diag) ||
	    read_axis(&r, n, "QPs", 0, MDL_VMIG_OBJECTS_MAX, out->qps, &out->qps_count) ||
	    yr_required(node, "registered_memory", "the vRDMA VM's migration", &n, diag) ||
	    read_axis(&r, n, "registered memory", 1, MDL_VMIG_REGISTERED_MAX, out->memory, &out->memory_count) ||
	    read_count(&r, node, "regions", "memory regions", 1, MDL_VMIG_OBJECTS_MAX, &out->regions) ||
	    read_count(&r, node, "cqs_per_qp", "CQs per QP (a send and a receive CQ at most)", 1, 2, &out->cqs_per_qp) ||
	    read_count(&r, node, "pds", "protection domains", 1, MDL_VMIG_OBJECTS_MAX, &out->device.pds) ||
	    read_in_flight(&r, node) || read_modes(&r, node) || check_regions(&r, node) || check_peers(&r, node))
		return -1;
	out->device.peers = out->peer_count;
	return 0;
}

mdl_vmig_device scn_vmig_point(const scn_vmig *v, size_t qps_index, size_t memory_index)
{
	mdl_vmig_device d = v->device;
	d.qps = v->qps[qps_index];
	d.cqs = d.qps * v->cqs_per_qp;
	d.registered_bytes = v->memory[memory_index];
	d.regions = d.registered_bytes ? v->regions : 0;
	return d;
}

static const char *const live_keys[] = {"vm", "qps", "peers", "registered_memory", "regions", "cqs_per_qp", "pds",
					"in_flight", "quiesce", "registration", NULL};

/* `vm:` or `qps:` (with `peers:`), one of them. */
static int read_live_qps(reader *r, const yt_node *node, scn_migrate_vrdma *out)
{
	const yt_node *vm = yt_get(node, "vm"), *qps = yt_get(node, "qps"), *peers = yt_get(node, "peers");
	mdl_vmig_device *d = &out->device;
	if (vm && qps)
		return vr_diag_at(r->diag, qps->where, "found 'qps' beside 'vm' in 'vrdma', expected one of them: the VM (its QPs are its connections in the other flow groups) or its QP count");
	if (!vm && !qps)
		return vr_diag_at(r->diag, node->where, "found 'vrdma' without 'vm' or 'qps', expected the migrating VM (vm: HOST/INDEX) or its QPs (qps: N)");
	if (vm && peers)
		return vr_diag_at(r->diag, peers->where, "found 'peers' beside 'vm' in 'vrdma', expected it only with 'qps': the VM's peers are the hosts at the other end of its connections");
	if (vm) {
		const char *text;
		out->vm_given = 1;
		return yr_string(vm, "the migrating VM (HOST/INDEX)", &text, r->diag);
	}
	if (yr_count(qps, "the migrating VM's QPs", 0, MDL_VMIG_OBJECTS_MAX, &d->qps, r->diag))
		return -1;
	d->peers = d->qps ? 1 : 0;
	if (peers && yr_count(peers, "the peer hosts the QPs connect to", 1, MDL_VMIG_PEERS_MAX, &d->peers, r->diag))
		return -1;
	if (peers && d->qps == 0)
		return vr_diag_at(r->diag, peers->where, "found 'peers' with qps: 0, expected it only with QPs to connect");
	return 0;
}

int scn_vmig_read_live(const yt_node *node, scn_migrate_vrdma *out, vr_diag *diag)
{
	scn_vmig v;
	reader r = {.v = &v, .diag = diag};
	memset(out, 0, sizeof *out);
	memset(&v, 0, sizeof v);
	out->on = 1;
	const yt_node *n;
	if (yr_expect(node, YT_MAP, "'vrdma' (the migrating VM's device: {vm: HOST/INDEX, registered_memory: SIZE, ...})", diag) ||
	    yr_known_keys(node, live_keys, "'vrdma'", diag) || read_live_qps(&r, node, out))
		return -1;
	v.memory_count = 1;
	if ((n = yt_get(node, "registered_memory")) &&
	    read_axis(&r, n, "registered memory", 1, MDL_VMIG_REGISTERED_MAX, v.memory, &v.memory_count))
		return -1;
	if (n && n->type == YT_SEQ)
		return vr_diag_at(diag, n->where, "found a list of registered memory in 'vrdma', expected one size (a sweep varies it across runs)");
	if (read_count(&r, node, "regions", "memory regions", 1, MDL_VMIG_OBJECTS_MAX, &v.regions) ||
	    read_count(&r, node, "cqs_per_qp", "CQs per QP (a send and a receive CQ at most)", 1, 2, &out->cqs_per_qp) ||
	    read_count(&r, node, "pds", "protection domains", 1, MDL_VMIG_OBJECTS_MAX, &v.device.pds) ||
	    read_in_flight(&r, node) || read_choices(&r, node, &v.device) || check_regions(&r, node))
		return -1;
	mdl_vmig_device *d = &out->device;
	d->registered_bytes = v.memory[0];
	d->regions = d->registered_bytes ? v.regions : 0;
	d->pds = v.device.pds;
	d->outstanding = v.device.outstanding;
	d->outstanding_bytes = v.device.outstanding_bytes;
	d->quiesce = v.device.quiesce;
	d->registration = v.device.registration;
	d->cqs = d->qps * out->cqs_per_qp;
	return 0;
}
