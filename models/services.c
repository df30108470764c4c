/*
 * services.c - the classes of hypervisor service traffic: each class's
 * block read and checked against the topology, and one operation's
 * messages (services.h).
 */
#include "models/services.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/yaml_read.h"

const char *const svc_class_names[SVC_CLASS_COUNT + 1] = {"none", "vsan", "iser", "ft", NULL};

static const char *const vsan_keys[] = {"from", "replicas", "size", "iterations", NULL};
static const char *const iser_keys[] = {"initiator", "target", "reads", "size", "iterations", NULL};
static const char *const ft_keys[] = {"primary", "secondary", "follows", NULL};

int svc_class_of(const yt_node *group, vr_diag *diag)
{
	const yt_node *first = NULL;
	int cls = SVC_NONE;
	for (int c = SVC_VSAN; c < SVC_CLASS_COUNT; c++) {
		const yt_node *v = yt_get(group, svc_class_names[c]);
		if (!v)
			continue;
		if (first)
			return vr_diag_at(diag, v->where, "found '%s' beside '%s' in one flow group, expected one class of service per group",
					  svc_class_names[c], svc_class_names[cls]);
		first = v;
		cls = c;
	}
	return cls;
}

/* A host of the topology named by NODE (a host, not a VM: no '/'). */
static int read_host(const yt_node *node, const char *what, const scn_host *hosts, size_t host_count, unsigned *out,
		     vr_diag *diag)
{
	const char *text;
	if (yr_string(node, what, &text, diag) != 0)
		return -1;
	const char *names[SCN_HOSTS_MAX + 1];
	for (size_t h = 0; h < host_count; h++) {
		names[h] = hosts[h].name;
		if (strcmp(text, hosts[h].name) == 0) {
			*out = (unsigned)h;
			return 0;
		}
	}
	names[host_count] = NULL;
	char list[SCN_HOSTS_MAX * (MDL_NAME_MAX + 2)];
	yr_join(names, list, sizeof list);
	const char *near = vr_nearest(text, names);
	return vr_diag_at(diag, node->where, "found '%.60s' for %s, expected a host of the topology (its hypervisor): %s%s%s%s", text,
			  what, list, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* `replicas: [HOST, ...]` or `replicas: N` (the N hosts after the writer
 * in the topology's order, wrapping round). */
static int read_replicas(const yt_node *b, const yt_node *v, const scn_host *hosts, size_t host_count, svc_spec *out, vr_diag *diag)
{
	if (!v) {
		if (host_count - 1 < SVC_VSAN_DEFAULT_REPLICAS)
			return vr_diag_at(diag, b->where,
					  "found %zu host(s) besides the writer, expected at least %u for vSAN's default two replicas (failures to tolerate 1): list 'replicas:'",
					  host_count - 1, SVC_VSAN_DEFAULT_REPLICAS);
		out->replica_count = SVC_VSAN_DEFAULT_REPLICAS;
	} else if (v->type == YT_SCALAR) {
		unsigned long long n;
		if (yr_count(v, "the replicas (a count of hosts besides the writer, or a list of hosts)", 1,
			     host_count - 1 < SVC_REPLICAS_MAX ? host_count - 1 : SVC_REPLICAS_MAX, &n, diag))
			return -1;
		out->replica_count = (unsigned)n;
	} else {
		if (yr_expect(v, YT_SEQ, "the replicas (a list of hosts, or a count)", diag))
			return -1;
		if (v->count < 1 || v->count > SVC_REPLICAS_MAX)
			return vr_diag_at(diag, v->where, "found %zu replicas, expected from 1 to %d", v->count, SVC_REPLICAS_MAX);
		for (size_t i = 0; i < v->count; i++) {
			unsigned h;
			if (read_host(v->items[i], "a replica", hosts, host_count, &h, diag))
				return -1;
			if (h == out->from)
				return vr_diag_at(diag, v->items[i]->where, "found the replica '%s', the writer itself, expected another host (a replica on the writer is a local write, not replication)",
						  hosts[h].name);
			for (size_t j = 0; j < i; j++)
				if (out->replicas[j] == h)
					return vr_diag_at(diag, v->items[i]->where, "found the replica '%s' twice, expected each replica once (vSAN places the copies of an object on different hosts)",
							  hosts[h].name);
			out->replicas[i] = h;
		}
		out->replica_count = (unsigned)v->count;
		return 0;
	}
	for (unsigned i = 0; i < out->replica_count; i++)
		out->replicas[i] = (unsigned)((out->from + 1 + i) % host_count);
	return 0;
}

/* `size:` (whole bytes, 1 B to 1 GiB) and `iterations:`. */
static int read_size_iterations(const yt_node *block, const char *what, svc_spec *out, vr_diag *diag)
{
	const yt_node *v;
	vr_quantity q;
	if (yr_required(block, "size", what, &v, diag) || yr_quantity(v, VR_Q_SIZE, "the size of an operation's data", &q, diag))
		return -1;
	if (!(q.value >= 1 && q.value <= 1073741824.0))
		return vr_diag_at(diag, v->where, "found the size '%s', expected from 1B to 1GiB", v->text);
	out->size_bytes = q.value;
	if (yr_required(block, "iterations", what, &v, diag) ||
	    yr_count(v, "the operations per connection", 1, 1000000000ull, &out->iterations, diag))
		return -1;
	return 0;
}

static int read_vsan(const yt_node *b, const scn_host *hosts, size_t host_count, svc_spec *out, vr_diag *diag)
{
	const yt_node *v;
	if (yr_known_keys(b, vsan_keys, "a vSAN block", diag) || yr_required(b, "from", "a vSAN block", &v, diag) ||
	    read_host(v, "the writing host", hosts, host_count, &out->from, diag))
		return -1;
	if (host_count < 2)
		return vr_diag_at(diag, b->where, "found one host, expected at least two for vSAN replication");
	if (read_replicas(b, yt_get(b, "replicas"), hosts, host_count, out, diag) != 0)
		return -1;
	return read_size_iterations(b, "a vSAN block", out, diag);
}

static int read_iser(const yt_node *b, const scn_host *hosts, size_t host_count, svc_spec *out, vr_diag *diag)
{
	const yt_node *v;
	vr_quantity q;
	if (yr_known_keys(b, iser_keys, "an iSER block", diag) || yr_required(b, "initiator", "an iSER block", &v, diag) ||
	    read_host(v, "the initiator", hosts, host_count, &out->from, diag) ||
	    yr_required(b, "target", "an iSER block", &v, diag) || read_host(v, "the target", hosts, host_count, &out->to, diag))
		return -1;
	if (out->to == out->from)
		return vr_diag_at(diag, v->where, "found the target '%s', the initiator's own host, expected another host",
				  hosts[out->to].name);
	if (yr_required(b, "reads", "an iSER block", &v, diag) || yr_quantity(v, VR_Q_RATIO, "the share of reads", &q, diag))
		return -1;
	if (!(q.value >= 0 && q.value <= 1))
		return vr_diag_at(diag, v->where, "found the share of reads '%s', expected a ratio from 0 (all writes) to 1 (all reads)",
				  v->text);
	out->read_share = q.value;
	return read_size_iterations(b, "an iSER block", out, diag);
}

static int read_ft(const yt_node *b, const scn_host *hosts, size_t host_count, svc_spec *out, vr_diag *diag)
{
	const yt_node *v;
	const char *text;
	if (yr_known_keys(b, ft_keys, "an FT block", diag) || yr_required(b, "primary", "an FT block", &v, diag) ||
	    yr_string(v, "the primary VM", &text, diag))
		return -1;
	const char *slash = strrchr(text, '/');
	unsigned index = 0;
	char host[MDL_NAME_MAX], rest[2];
	if (!slash || (size_t)(slash - text) >= sizeof host || sscanf(slash + 1, "%u%1s", &index, rest) != 1)
		return vr_diag_at(diag, v->where, "found '%.60s' for the primary VM, expected HOST/INDEX (such as %s/0)", text,
				  hosts[0].name);
	snprintf(host, sizeof host, "%.*s", (int)(slash - text), text);
	yt_node host_node = {.type = YT_SCALAR, .where = v->where, .text = host};
	if (read_host(&host_node, "the primary VM's host", hosts, host_count, &out->from, diag))
		return -1;
	if (index >= hosts[out->from].vms)
		return vr_diag_at(diag, v->where, "found the VM index %u in '%s', expected below %u (the host's vms)", index, text,
				  hosts[out->from].vms);
	out->primary_vm = index;
	if (yr_required(b, "secondary", "an FT block", &v, diag) ||
	    read_host(v, "the secondary VM's host", hosts, host_count, &out->to, diag))
		return -1;
	if (out->to == out->from)
		return vr_diag_at(diag, v->where, "found the secondary on '%s', the primary's host, expected another host (FT keeps the two VMs on different hosts)",
				  hosts[out->to].name);
	if (yr_required(b, "follows", "an FT block", &v, diag) || yr_string(v, "the group the FT log follows", &text, diag))
		return -1;
	if (strlen(text) >= sizeof out->follows)
		return vr_diag_at(diag, v->where, "found '%.60s' for the group the FT log follows, expected a flow group's name", text);
	snprintf(out->follows, sizeof out->follows, "%s", text);
	return 0;
}

int svc_read(const yt_node *group, svc_class cls, const scn_host *hosts, size_t host_count, svc_spec *out,
	     vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->cls = cls;
	const yt_node *b = yt_get(group, svc_class_names[cls]);
	if (!b || yr_expect(b, YT_MAP, "a service class's block", diag))
		return -1;
	out->line = b->where.line;
	out->column = b->where.column;
	switch (cls) {
	case SVC_VSAN: return read_vsan(b, hosts, host_count, out, diag);
	case SVC_ISER: return read_iser(b, hosts, host_count, out, diag);
	case SVC_FT: return read_ft(b, hosts, host_count, out, diag);
	case SVC_NONE:
	case SVC_CLASS_COUNT: break;
	}
	return -1;
}

/* iSCSI data of BYTES in PDUs of at most SVC_ISCSI_MAX_SEGMENT, each with its BHS. */
static double iscsi_data_bytes(double bytes)
{
	return bytes + SVC_ISCSI_BHS_BYTES * ceil(bytes / SVC_ISCSI_MAX_SEGMENT);
}

size_t svc_messages(svc_class cls, svc_transport transport, int read, double size, svc_message *out)
{
	size_t n = 0;
	int tcp = transport == SVC_OVER_TCP;
	switch (cls) {
	case SVC_VSAN:
		out[n++] = (svc_message){SVC_SEND, 0, size + SVC_VSAN_HEADER_BYTES};
		out[n++] = (svc_message){SVC_SEND, 1, SVC_VSAN_HEADER_BYTES};
		break;
	case SVC_ISER: {
		double control = tcp ? SVC_ISCSI_BHS_BYTES : SVC_ISER_HEADER_BYTES + SVC_ISCSI_BHS_BYTES;
		out[n++] = (svc_message){SVC_SEND, 0, control};   /* the SCSI command */
		if (read)
			out[n++] = tcp ? (svc_message){SVC_SEND, 1, iscsi_data_bytes(size)}   /* Data-In */
				       : (svc_message){SVC_WRITE, 1, size};                  /* into the initiator */
		else if (tcp) {
			out[n++] = (svc_message){SVC_SEND, 1, SVC_ISCSI_BHS_BYTES};          /* R2T */
			out[n++] = (svc_message){SVC_SEND, 0, iscsi_data_bytes(size)};       /* Data-Out */
		} else {
			out[n++] = (svc_message){SVC_READ, 1, size};   /* the target reads the initiator's buffer */
		}
		out[n++] = (svc_message){SVC_SEND, 1, control};   /* the SCSI response */
		break;
	}
	case SVC_FT:
		out[n++] = (svc_message){SVC_SEND, 0, size};
		break;
	case SVC_NONE:
	case SVC_CLASS_COUNT: break;
	}
	return n;
}

double svc_ft_log_bytes(const mdl_params *p, double input_bytes)
{
	return ceil(input_bytes * MDL_VALUE(p, FT_LOG_PER_INPUT_BYTE));
}

double svc_ft_tick_bytes(const mdl_params *p)
{
	return MDL_VALUE(p, FT_TICK_LOG_BYTES);
}

double svc_ft_tick_rate_hz(const mdl_params *p)
{
	return MDL_VALUE(p, VIRT_TIMER_TICK_RATE);
}
