/*
 * vrdma/hca/verbs/verbs.c -- the verbs HCA instance: opening the host's RDMA
 * device, the ops table, device/port/GID queries, and process(), which
 * takes the device's completion and async events.
 *
 * Events: every CQ reports on one completion channel; the channel's fd and
 * the device's async fd are both made non-blocking and put in an epoll set
 * whose fd is event_fd(), so the backend waits on one fd as with the soft
 * HCA.  process() drains both without waiting.
 *
 * What this driver can trace (see the README): VTRACE_TRANSLATE when a
 * region is mapped and registered (pages, bytes, duration of mapping and
 * pinning) and VTRACE_HCA_COMPLETION when the backend polls a completion
 * (time of the poll, not of the device's CQE write).  Packets, ACKs,
 * retransmissions and the device's DMA happen inside the device or the
 * host kernel and are not observable from here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "vrdma/hca/verbs/verbs.h"

int verbs_errno(int rc)
{
	if (rc > 0)
		return rc;
	if (rc < 0 && rc != -1)
		return -rc;
	return errno ? errno : EIO;
}

void verbs_trace(struct verbs_hca *hca, enum vtrace_kind kind, enum vtrace_actor actor,
		 uint16_t guest, uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1,
		 uint32_t arg2, uint16_t flags, uint64_t start_ns)
{
	vhca_trace(&hca->base, kind, actor, guest, object, op_id, arg0, arg1, arg2, flags, start_ns);
}

static void verbs_destroy(struct vhca *vhca)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	if (hca->ctx) {
		verbs_qp_destroy_all(hca);
		verbs_mr_release_all(hca);
		for (uint32_t i = 0; i < VERBS_MAX_CQ; i++)
			if (hca->cqs[i].cq)
				ibv_destroy_cq(hca->cqs[i].cq);
		for (uint32_t i = 0; i < VERBS_MAX_PD; i++)
			if (hca->pds[i].pd)
				ibv_dealloc_pd(hca->pds[i].pd);
		if (hca->channel)
			ibv_destroy_comp_channel(hca->channel);
		ibv_close_device(hca->ctx);
	}
	if (hca->epoll_fd >= 0)
		close(hca->epoll_fd);
	free(hca->pds);
	free(hca->mrs);
	free(hca->mr_gen);
	free(hca->cqs);
	free(hca->qpn_table);
	free(hca);
}

static int verbs_query_device(struct vhca *vhca, struct ibv_device_attr *attr)
{
	if (!attr)
		return EINVAL;
	int rc = ibv_query_device(verbs_hca(vhca)->ctx, attr);
	return rc ? verbs_errno(rc) : 0;
}

static int verbs_query_port(struct vhca *vhca, uint8_t port_num, struct ibv_port_attr *attr)
{
	if (!attr)
		return EINVAL;
	int rc = ibv_query_port(verbs_hca(vhca)->ctx, port_num, attr);
	return rc ? verbs_errno(rc) : 0;
}

static int verbs_query_gid(struct vhca *vhca, uint8_t port_num, int index, union ibv_gid *gid)
{
	if (!gid || index < 0)
		return EINVAL;
	/* libibverbs says -1 for an index past the table: the contract's EINVAL */
	return ibv_query_gid(verbs_hca(vhca)->ctx, port_num, index, gid) ? EINVAL : 0;
}

static int verbs_event_fd(struct vhca *vhca) { return verbs_hca(vhca)->epoll_fd; }

/* The device's object an async event names, as the backend numbers it. */
static uint32_t async_object(const struct ibv_async_event *ev)
{
	switch (ev->event_type) {
	case IBV_EVENT_CQ_ERR:
		return ((struct verbs_cq *)ev->element.cq->cq_context)->cqn;
	case IBV_EVENT_QP_FATAL: case IBV_EVENT_QP_REQ_ERR: case IBV_EVENT_QP_ACCESS_ERR:
	case IBV_EVENT_COMM_EST: case IBV_EVENT_SQ_DRAINED: case IBV_EVENT_PATH_MIG:
	case IBV_EVENT_PATH_MIG_ERR: case IBV_EVENT_QP_LAST_WQE_REACHED:
		return ev->element.qp->qp_num;
	case IBV_EVENT_PORT_ACTIVE: case IBV_EVENT_PORT_ERR: case IBV_EVENT_LID_CHANGE:
	case IBV_EVENT_PKEY_CHANGE: case IBV_EVENT_SM_CHANGE: case IBV_EVENT_CLIENT_REREGISTER:
	case IBV_EVENT_GID_CHANGE:
		return (uint32_t)ev->element.port_num;
	default:
		return 0;   /* device fatal, SRQ events (no SRQs here), WQ events */
	}
}

static void async_events(struct verbs_hca *hca)
{
	struct ibv_async_event ev;
	while (ibv_get_async_event(hca->ctx, &ev) == 0) {
		enum ibv_event_type type = ev.event_type;
		uint32_t object = async_object(&ev);
		/* Acked before forwarding: destroy_qp/cq wait for every ack. */
		ibv_ack_async_event(&ev);
		if (hca->base.on_async)
			hca->base.on_async(hca->base.async_ctx, type, object);
	}
}

static void verbs_process(struct vhca *vhca)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	async_events(hca);
	verbs_cq_events(hca);
}

static const struct vhca_ops verbs_ops = {
	.name = "verbs",
	.destroy = verbs_destroy,
	.query_device = verbs_query_device,
	.query_port = verbs_query_port,
	.query_gid = verbs_query_gid,
	.alloc_pd = verbs_alloc_pd,
	.dealloc_pd = verbs_dealloc_pd,
	.reg_mr = verbs_reg_mr,
	.dereg_mr = verbs_dereg_mr,
	.create_cq = verbs_create_cq,
	.destroy_cq = verbs_destroy_cq,
	.poll_cq = verbs_poll_cq,
	.create_qp = verbs_create_qp,
	.modify_qp = verbs_modify_qp,
	.query_qp = verbs_query_qp,
	.destroy_qp = verbs_destroy_qp,
	.post_send = verbs_post_send,
	.post_recv = verbs_post_recv,
	.event_fd = verbs_event_fd,
	.process = verbs_process,
};

/* "a, b, c" of the devices libibverbs lists. */
static void device_names(struct ibv_device **list, int n, char *out, size_t out_bytes)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < n && used < out_bytes; i++) {
		int w = snprintf(out + used, out_bytes - used, "%s%s", i ? ", " : "",
				 ibv_get_device_name(list[i]));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int open_named_device(struct verbs_hca *hca, const char *name, char *err, size_t err_bytes)
{
	int n = 0;
	errno = 0;
	struct ibv_device **list = ibv_get_device_list(&n);
	if (!list) {
		int e = errno ? errno : ENODEV;
		snprintf(err, err_bytes, "verbs HCA: no RDMA device '%s': %s", name,
			 e == ENOSYS ? "this host's kernel offers no RDMA devices (no /sys/class/infiniband_verbs)"
				     : strerror(e));
		return ENODEV;
	}
	struct ibv_device *found = NULL;
	for (int i = 0; i < n && !found; i++)
		if (strcmp(ibv_get_device_name(list[i]), name) == 0)
			found = list[i];
	int rc = 0;
	if (!found) {
		char names[512];
		device_names(list, n, names, sizeof names);
		snprintf(err, err_bytes, "verbs HCA: no RDMA device '%s': %s%s", name,
			 n ? "the devices found are " : "libibverbs found no RDMA device on this host", names);
		rc = ENODEV;
	} else if (!(hca->ctx = ibv_open_device(found))) {
		rc = errno ? errno : ENODEV;
		snprintf(err, err_bytes, "verbs HCA: cannot open RDMA device '%s': %s", name, strerror(rc));
	}
	ibv_free_device_list(list);
	return rc;
}

/* Port 1 must have the GID peers will address; on RoCE it must be set. */
static int check_port(struct verbs_hca *hca, const char *name, int gid_index, char *err,
		      size_t err_bytes)
{
	struct ibv_port_attr port;
	union ibv_gid gid;
	static const union ibv_gid zero;
	int rc = ibv_query_port(hca->ctx, 1, &port);
	if (rc) {
		rc = verbs_errno(rc);
		snprintf(err, err_bytes, "verbs HCA: %s port 1: %s", name, strerror(rc));
		return rc;
	}
	hca->link_ethernet = port.link_layer == IBV_LINK_LAYER_ETHERNET;
	if (gid_index >= port.gid_tbl_len || ibv_query_gid(hca->ctx, 1, gid_index, &gid) ||
	    (hca->link_ethernet && memcmp(&gid, &zero, sizeof gid) == 0)) {
		snprintf(err, err_bytes, "verbs HCA: %s port 1 has no GID at index %d (its table holds %d; "
			 "on RoCE the index must name a configured address)", name, gid_index, port.gid_tbl_len);
		return EINVAL;
	}
	return 0;
}

static int nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? errno : 0;
}

static int watch(int epoll_fd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? errno : 0;
}

static int open_events(struct verbs_hca *hca, char *err, size_t err_bytes)
{
	int rc = 0;
	hca->channel = ibv_create_comp_channel(hca->ctx);
	hca->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (!hca->channel || hca->epoll_fd < 0)
		rc = errno ? errno : EIO;
	if (!rc)
		rc = nonblocking(hca->channel->fd);
	if (!rc)
		rc = nonblocking(hca->ctx->async_fd);
	if (!rc)
		rc = watch(hca->epoll_fd, hca->channel->fd);
	if (!rc)
		rc = watch(hca->epoll_fd, hca->ctx->async_fd);
	if (rc)
		snprintf(err, err_bytes, "verbs HCA: event channel: %s", strerror(rc));
	return rc;
}

static int alloc_tables(struct verbs_hca *hca)
{
	hca->pds = calloc(VERBS_MAX_PD, sizeof *hca->pds);
	hca->mrs = calloc(VERBS_MAX_MR, sizeof *hca->mrs);
	hca->mr_gen = calloc(VERBS_MAX_MR, sizeof *hca->mr_gen);
	hca->cqs = calloc(VERBS_MAX_CQ, sizeof *hca->cqs);
	hca->qpn_table = calloc(VERBS_QPN_TABLE, sizeof *hca->qpn_table);
	return hca->pds && hca->mrs && hca->mr_gen && hca->cqs && hca->qpn_table ? 0 : ENOMEM;
}

int vhca_verbs_create(const char *device_name, int gid_index, struct vtrace *trace,
		      uint8_t trace_host, struct vhca **out, char *err, size_t err_bytes)
{
	if (!device_name || !device_name[0] || gid_index < 0 || gid_index > UINT8_MAX || !out) {
		snprintf(err, err_bytes, "verbs HCA: expected a device name and a GID index in 0..255");
		return EINVAL;
	}
	struct verbs_hca *hca = calloc(1, sizeof *hca);
	if (!hca) {
		snprintf(err, err_bytes, "verbs HCA: out of memory");
		return ENOMEM;
	}
	hca->base = (struct vhca){.ops = &verbs_ops, .trace = trace, .trace_host = trace_host,
				  .gid_index = gid_index};
	hca->epoll_fd = -1;
	int rc = alloc_tables(hca);
	if (rc)
		snprintf(err, err_bytes, "verbs HCA: out of memory");
	if (!rc)
		rc = open_named_device(hca, device_name, err, err_bytes);
	if (!rc)
		rc = check_port(hca, device_name, gid_index, err, err_bytes);
	if (!rc)
		rc = open_events(hca, err, err_bytes);
	if (rc) {
		verbs_destroy(&hca->base);
		return rc;
	}
	*out = &hca->base;
	return 0;
}
