/*
 * vrdma/perf/setup.c -- hosts, guests and the connection vrdma-perf runs on.
 *
 * --demo: two hosts, each a software HCA on its own UDP port and a backend;
 * one guest on each.  --same-host: one HCA and backend, two guests; the
 * peers' LID is the host's own, so the HCA takes its direct copy path.
 * The connection is perftest's: each side publishes LID, QPN, PSN, rkey and
 * buffer address, then walks its QP through INIT, RTR and RTS.
 */
#include "config.h"
#include "vrdma/perf/perf.h"
#include "vrdma/backend/backend.h"
#include "vrdma/hca/hca.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GUEST_OVERHEAD_BYTES (32u << 20) /* rings, directories, the DSR */

struct perf_host {
	struct vhca *hca;
	struct vbackend *backend;
};

struct perf_world {
	struct perf_host hosts[3];    /* [2]: --migrate-at's destination */
	int host_count;
	struct vrdma_vm *vms[2];
	int vm_host[2];               /* the host each guest is on */
	struct perf_endpoint ends[2]; /* [0] server, [1] client */
	struct vtrace *trace;
};

static void read_cpu(char *model, size_t model_bytes, double *mhz)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	snprintf(model, model_bytes, "unknown");
	*mhz = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		char *value = colon + 2 <= line + strlen(line) ? colon + 2 : colon + 1;
		value[strcspn(value, "\n")] = '\0';
		if (strncmp(line, "model name", 10) == 0 && strcmp(model, "unknown") == 0)
			snprintf(model, model_bytes, "%s", value);
		else if (strncmp(line, "cpu MHz", 7) == 0 && *mhz == 0)
			*mhz = strtod(value, NULL);
	}
	fclose(f);
}

static int open_trace(const struct perf_options *opt, struct perf_world *w, char *err, size_t err_bytes)
{
	if (opt->trace_path == NULL)
		return 0;
	char model[256], host[128] = "unknown", config[2048];
	double mhz;
	read_cpu(model, sizeof model, &mhz);
	gethostname(host, sizeof host - 1);
	snprintf(config, sizeof config,
		 "format-version: %u\nrecorder: vrdma-perf %s\nhost-name: %s\ncpu-model: %s\n"
		 "cpu-mhz: %.3f\nclock: CLOCK_MONOTONIC\npage-bytes: %u\nmtu-bytes: %u\ntest: %s\n"
		 "transport: %s\niterations: %llu\nsizes: %s%llu\ncompletion: %s\ntx-depth: %u\n"
		 "inline-bytes: %u\nloss-probability: %g\nhca: %s%s\nqps: %u\nmigrate-at: %llu\n",
		 VTRACE_VERSION, PACKAGE_VERSION, host, model, mhz, VRDMA_PAGE_BYTES, opt->mtu_bytes,
		 opt->test_name, opt->two_hosts ? "two-host" : "same-host",
		 (unsigned long long)opt->iterations, opt->all_sizes ? "2.." : "",
		 (unsigned long long)perf_max_size(opt), opt->use_events ? "event" : "poll", opt->tx_depth,
		 opt->inline_bytes, opt->loss_probability, opt->hca_device[0] ? "verbs:" : "soft",
		 opt->hca_device, opt->qps, (unsigned long long)opt->migrate_at);
	w->trace = vtrace_open(opt->trace_path, config, err, err_bytes);
	return w->trace ? 0 : -1;
}

static int start_host(const struct perf_options *opt, struct perf_world *w, int index, char *err,
		      size_t err_bytes)
{
	struct perf_host *h = &w->hosts[index];
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.mtu_bytes = opt->mtu_bytes;
	hc.loss_probability = opt->loss_probability;
	hc.loss_seed = opt->seed + (uint64_t)index;
	/* --hca=verbs: every host opens the same device; their QPs meet
	 * through its loopback, as two processes' would. */
	int rc = opt->hca_device[0]
		 ? vhca_verbs_create(opt->hca_device, opt->hca_gid_index, w->trace, (uint8_t)(index + 1),
				     &h->hca, err, err_bytes)
		 : vhca_soft_create(&hc, w->trace, (uint8_t)(index + 1), &h->hca, err, err_bytes);
	if (rc != 0)
		return rc;
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = h->hca;
	bc.trace = w->trace;
	bc.host_id = (uint8_t)(index + 1);
	bc.cpu = opt->cpu_backend[index < 2 ? index : 1]; /* the destination where the client's was */
	bc.poll_ns = opt->backend_poll_ns;
	rc = vbackend_start(&bc, &h->backend, err, err_bytes);
	if (rc != 0) {
		h->hca->ops->destroy(h->hca);
		h->hca = NULL;
		return rc;
	}
	w->host_count = index + 1;
	return 0;
}

static int fail_errno(char *err, size_t err_bytes, const char *what, int rc)
{
	snprintf(err, err_bytes, "%s: %s", what, strerror(rc ? rc : errno));
	return rc ? rc : (errno ? errno : EIO);
}

static int make_endpoint(const struct perf_options *opt, struct vrdma_vm *vm, struct perf_endpoint *ep,
			 char *err, size_t err_bytes)
{
	uint32_t depth = opt->tx_depth < 2 ? 2 : opt->tx_depth;
	ep->rx_depth = opt->test == PERF_SEND_BW ? 512 : (opt->test == PERF_SEND_LAT ? 16 : 1);
	ep->ctx = vrdma_open_device(vm);
	if (ep->ctx == NULL)
		return fail_errno(err, err_bytes, "opening the vRDMA device", 0);
	ep->pd = vrdma_alloc_pd(ep->ctx);
	if (ep->pd == NULL)
		return fail_errno(err, err_bytes, "alloc_pd", 0);
	if (opt->use_events && (ep->channel = vrdma_create_comp_channel(ep->ctx)) == NULL)
		return fail_errno(err, err_bytes, "create_comp_channel", 0);
	ep->send_cq = vrdma_create_cq(ep->ctx, (int)(depth * 2 * opt->qps), NULL, ep->channel);
	ep->recv_cq = ep->send_cq ? vrdma_create_cq(ep->ctx, (int)(ep->rx_depth * 2 * opt->qps), NULL, ep->channel)
				  : NULL;
	if (ep->send_cq == NULL || ep->recv_cq == NULL)
		return fail_errno(err, err_bytes, "create_cq", 0);
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = depth, .max_recv_wr = ep->rx_depth, .max_send_sge = 1,
			 .max_recv_sge = 1, .max_inline_data = opt->inline_bytes },
	};
	for (ep->qp_count = 0; ep->qp_count < opt->qps; ep->qp_count++) {
		struct ibv_qp_init_attr qp_init = init;
		ep->qps[ep->qp_count] = vrdma_create_qp(ep->pd, ep->send_cq, ep->recv_cq, &qp_init);
		if (ep->qps[ep->qp_count] == NULL)
			return fail_errno(err, err_bytes, "create_qp", 0);
	}
	ep->qp = ep->qps[0];
	ep->buffer_bytes = 2 * perf_max_size(opt); /* receive half, then send half */
	ep->buffer = vrdma_alloc_buffer(ep->ctx, ep->buffer_bytes);
	if (ep->buffer == NULL)
		return fail_errno(err, err_bytes, "allocating the buffer in guest memory", 0);
	memset(ep->buffer, 0, ep->buffer_bytes);
	ep->mr = vrdma_reg_mr(ep->pd, ep->buffer, ep->buffer_bytes,
			      IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (ep->mr == NULL)
		return fail_errno(err, err_bytes, "reg_mr", 0);
	struct ibv_port_attr port;
	int rc = vrdma_query_port(ep->ctx, 1, &port);
	if (rc != 0)
		return fail_errno(err, err_bytes, "query_port", rc);
	ep->local = (struct perf_peer_info){ .lid = port.lid, .rkey = ep->mr->rkey, .addr = (uintptr_t)ep->buffer,
					     .ethernet = port.link_layer == IBV_LINK_LAYER_ETHERNET };
	for (uint32_t q = 0; q < ep->qp_count; q++) {
		ep->local.qpn[q] = ep->qps[q]->qp_num;
		ep->local.psn[q] = (uint32_t)(lrand48() & 0xffffff);
	}
	rc = vrdma_query_gid(ep->ctx, 1, (int)vrdma_caps(ep->ctx)->gid_index, &ep->local.gid);
	if (rc != 0)
		return fail_errno(err, err_bytes, "query_gid", rc);
	return 0;
}

static int connect_qp(const struct perf_options *opt, struct perf_endpoint *ep, uint32_t q, char *err,
		      size_t err_bytes)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_INIT;
	a.pkey_index = 0;
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	int rc = vrdma_modify_qp(ep->qps[q], &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	if (rc != 0)
		return fail_errno(err, err_bytes, "modify_qp to INIT", rc);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = vhca_mtu_enum(opt->mtu_bytes);
	a.dest_qp_num = ep->remote.qpn[q];
	a.rq_psn = ep->remote.psn[q];
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 1;
	a.ah_attr.dlid = (uint16_t)ep->remote.lid;
	a.ah_attr.port_num = 1;
	if (ep->remote.ethernet) {
		a.ah_attr.is_global = 1;
		a.ah_attr.grh.dgid = ep->remote.gid;
		a.ah_attr.grh.sgid_index = (uint8_t)vrdma_caps(ep->ctx)->gid_index;
		a.ah_attr.grh.hop_limit = 1;
	}
	rc = vrdma_modify_qp(ep->qps[q], &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
						 IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
	if (rc != 0)
		return fail_errno(err, err_bytes, "modify_qp to RTR", rc);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = ep->local.psn[q];
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 16;
	rc = vrdma_modify_qp(ep->qps[q], &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
						 IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
	if (rc != 0)
		return fail_errno(err, err_bytes, "modify_qp to RTS", rc);
	return 0;
}

/* QP q of one guest meets QP q of the other, as perftest pairs them. */
static int connect_endpoint(const struct perf_options *opt, struct perf_endpoint *ep, char *err,
			    size_t err_bytes)
{
	int rc = 0;
	for (uint32_t q = 0; rc == 0 && q < ep->qp_count; q++)
		rc = connect_qp(opt, ep, q, err, err_bytes);
	return rc;
}

int perf_world_create(const struct perf_options *opt, struct perf_world **out, char *err, size_t err_bytes)
{
	struct perf_world *w = calloc(1, sizeof *w);
	if (w == NULL)
		return fail_errno(err, err_bytes, "out of memory", ENOMEM);
	srand48((long)opt->seed);
	int rc = open_trace(opt, w, err, err_bytes) ? EIO : 0;
	for (int h = 0; rc == 0 && h < (opt->two_hosts ? (opt->migrate_at ? 3 : 2) : 1); h++)
		rc = start_host(opt, w, h, err, err_bytes);
	uint64_t guest_bytes = 2 * perf_max_size(opt) + GUEST_OVERHEAD_BYTES;
	for (int g = 0; rc == 0 && g < 2; g++) {
		w->vm_host[g] = opt->two_hosts ? g : 0;
		struct perf_host *h = &w->hosts[w->vm_host[g]];
		rc = vbackend_create_vm(h->backend, guest_bytes, &w->vms[g], err, err_bytes);
		if (rc == 0)
			rc = make_endpoint(opt, w->vms[g], &w->ends[g], err, err_bytes);
	}
	if (rc == 0) {
		w->ends[0].remote = w->ends[1].local;
		w->ends[1].remote = w->ends[0].local;
		for (int g = 0; rc == 0 && g < 2; g++)
			rc = connect_endpoint(opt, &w->ends[g], err, err_bytes);
	}
	if (rc != 0) {
		if (w->trace) {
			vtrace_abandon(w->trace);
			w->trace = NULL;
		}
		perf_world_destroy(w, 0, NULL, 0);
		return rc;
	}
	*out = w;
	return 0;
}

static void destroy_endpoint(struct perf_endpoint *ep)
{
	if (ep->ctx == NULL)
		return;
	for (uint32_t q = 0; q < ep->qp_count; q++)
		if (ep->qps[q]) vrdma_destroy_qp(ep->qps[q]);
	if (ep->mr) vrdma_dereg_mr(ep->mr);
	if (ep->buffer) vrdma_free_buffer(ep->ctx, ep->buffer, ep->buffer_bytes);
	if (ep->send_cq) vrdma_destroy_cq(ep->send_cq);
	if (ep->recv_cq) vrdma_destroy_cq(ep->recv_cq);
	if (ep->channel) vrdma_destroy_comp_channel(ep->channel);
	if (ep->pd) vrdma_dealloc_pd(ep->pd);
	vrdma_close_device(ep->ctx);
	memset(ep, 0, sizeof *ep);
}

int perf_world_destroy(struct perf_world *w, int publish_trace, char *err, size_t err_bytes)
{
	if (w == NULL)
		return 0;
	for (int g = 0; g < 2; g++)
		destroy_endpoint(&w->ends[g]);
	for (int g = 0; g < 2; g++)
		if (w->vms[g] != NULL)
			vbackend_destroy_vm(w->hosts[w->vm_host[g]].backend, w->vms[g]);
	for (int h = 0; h < w->host_count; h++) {
		vbackend_stop(w->hosts[h].backend);
		w->hosts[h].hca->ops->destroy(w->hosts[h].hca);
	}
	/* Every thread that records is stopped: the trace is complete. */
	int rc = 0;
	if (w->trace && publish_trace)
		rc = vtrace_close(w->trace, err, err_bytes);
	else if (w->trace)
		vtrace_abandon(w->trace);
	free(w);
	return rc;
}

struct perf_endpoint *perf_world_server(struct perf_world *w) { return &w->ends[0]; }
struct perf_endpoint *perf_world_client(struct perf_world *w) { return &w->ends[1]; }

int perf_world_migrate_client(struct perf_world *w, struct vbackend_migration *m, char *err, size_t err_bytes)
{
	if (w->host_count < 3)
		return snprintf(err, err_bytes, "no destination host"), EINVAL;
	struct vrdma_vm *moved = NULL;
	int rc = vbackend_migrate_vm(w->hosts[w->vm_host[1]].backend, w->vms[1], w->hosts[2].backend, &moved, m,
				     err, err_bytes);
	if (moved == NULL) { /* neither host took the guest back: it is gone */
		w->vms[1] = NULL;
		return rc;
	}
	vrdma_context_moved(w->ends[1].ctx, moved);
	w->vms[1] = moved;
	if (rc == 0)
		w->vm_host[1] = 2;
	return rc;
}

int perf_world_reconnected(struct perf_world *w, struct vbackend_migration *m)
{
	return vbackend_reconnected(w->hosts[w->vm_host[1]].backend, w->vms[1], m);
}
