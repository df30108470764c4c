/*
 * vrdma/hca/soft/soft.c -- the software HCA instance: configuration,
 * creation and teardown, the ops table the backend calls, device and port
 * queries, and process(), the one entry point that moves packets and
 * timers along.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>
#include <time.h>

#include "vrdma/hca/soft/soft.h"

uint64_t soft_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);   /* the timerfd's clock */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void soft_trace(struct soft_hca *hca, enum vtrace_kind kind, enum vtrace_actor actor,
		uint16_t guest, uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1,
		uint32_t arg2, uint16_t flags, uint64_t start_ns)
{
	vhca_trace(&hca->base, kind, actor, guest, object, op_id, arg0, arg1, arg2, flags, start_ns);
}

void soft_trace_dma(struct soft_hca *hca, enum vtrace_kind kind, enum vtrace_actor actor,
		    const struct soft_qp *qp, uint64_t op_id, uint32_t key, uint64_t iova,
		    uint64_t bytes, uint32_t pages, uint64_t start_ns)
{
	soft_trace(hca, VTRACE_TRANSLATE, actor, qp->trace_guest, key, op_id, pages, bytes, 0, 0, 0);
	soft_trace(hca, kind, actor, qp->trace_guest, qp->qpn, op_id, iova, bytes, 0, 0, start_ns);
}

void vhca_soft_default_config(struct vhca_soft_config *config)
{
	*config = (struct vhca_soft_config){
		.udp_port = 0,
		.mtu_bytes = 4096,
		.loss_probability = 0,
		.loss_seed = 1,
		.rnr_timer_us = 640,              /* IBA table 45, min_rnr_timer 12 */
		.max_outstanding_packets = 128,   /* 512 KiB at 4 KiB MTU: fits the socket buffers */
	};
}

static int valid_config(const struct vhca_soft_config *c, char *err, size_t err_bytes)
{
	const char *why = NULL;
	if (c->mtu_bytes != 256 && c->mtu_bytes != 512 && c->mtu_bytes != 1024 &&
	    c->mtu_bytes != 2048 && c->mtu_bytes != 4096)
		why = "mtu_bytes must be 256, 512, 1024, 2048 or 4096";
	else if (!(c->loss_probability >= 0 && c->loss_probability <= 1))
		why = "loss_probability must be within 0..1";
	else if (c->rnr_timer_us == 0)
		why = "rnr_timer_us must be positive";
	else if (c->max_outstanding_packets == 0 || c->max_outstanding_packets > (1u << 22))
		why = "max_outstanding_packets must be within 1..4194304 (half the PSN space)";
	if (why)
		snprintf(err, err_bytes, "soft HCA: %s", why);
	return why ? EINVAL : 0;
}

static void soft_destroy(struct vhca *vhca)
{
	struct soft_hca *hca = soft_hca(vhca);
	for (uint32_t i = 0; i < SOFT_MAX_QP; i++)
		if (hca->qps[i])
			soft_destroy_qp(vhca, hca->qps[i]->qpn);
	for (uint32_t i = 0; i < SOFT_MAX_CQ; i++)
		free(hca->cqs[i].ring);
	soft_net_close(hca);
	free(hca);
}

static int soft_query_device(struct vhca *vhca, struct ibv_device_attr *a)
{
	struct soft_hca *hca = soft_hca(vhca);
	memset(a, 0, sizeof *a);
	snprintf(a->fw_ver, sizeof a->fw_ver, "vrdma-soft 1");
	a->node_guid = a->sys_image_guid = htobe64(0x0002c90300000000ull | hca->lid);
	a->max_mr_size = (uint64_t)SOFT_MAX_REGION_PAGES * VHCA_PAGE_BYTES;
	a->page_size_cap = VHCA_PAGE_BYTES;
	a->max_qp = SOFT_MAX_QP;
	a->max_qp_wr = SOFT_MAX_QP_WR;
	a->device_cap_flags = IBV_DEVICE_RC_RNR_NAK_GEN | IBV_DEVICE_PORT_ACTIVE_EVENT;
	a->max_sge = a->max_sge_rd = SOFT_MAX_SGE;
	a->max_cq = SOFT_MAX_CQ;
	a->max_cqe = SOFT_MAX_CQE;
	a->max_mr = SOFT_MAX_MR;
	a->max_pd = SOFT_MAX_PD;
	a->max_qp_rd_atom = a->max_qp_init_rd_atom = SOFT_MAX_RD_ATOMIC;
	a->max_res_rd_atom = SOFT_MAX_RD_ATOMIC * SOFT_MAX_QP;
	a->atomic_cap = IBV_ATOMIC_NONE;
	a->max_pkeys = 1;
	a->phys_port_cnt = 1;
	return 0;
}

static int soft_query_port(struct vhca *vhca, uint8_t port_num, struct ibv_port_attr *a)
{
	struct soft_hca *hca = soft_hca(vhca);
	if (port_num != 1 || !a)
		return EINVAL;
	memset(a, 0, sizeof *a);
	a->state = IBV_PORT_ACTIVE;
	a->max_mtu = IBV_MTU_4096;
	a->active_mtu = vhca_mtu_enum(hca->config.mtu_bytes);
	a->gid_tbl_len = 1;
	a->max_msg_sz = SOFT_MAX_MSG_BYTES;
	a->pkey_tbl_len = 1;
	a->lid = hca->lid;   /* the UDP port: peers put it in ah_attr.dlid */
	a->active_width = 1; /* 1X */
	a->active_speed = 1; /* SDR: nominal; the real rate is the loopback's */
	a->phys_state = 5;   /* LinkUp */
	a->link_layer = IBV_LINK_LAYER_INFINIBAND;   /* LID addressing */
	return 0;
}

static int soft_event_fd(struct vhca *vhca) { return soft_hca(vhca)->epoll_fd; }

/* Everything pending, nothing waited for: the packets queued on the socket
 * (each may run responder, completer and requester inline), then the
 * timers that are due. */
static void soft_process(struct vhca *vhca)
{
	struct soft_hca *hca = soft_hca(vhca);
	soft_net_receive_all(hca);
	if (hca->timer_armed_ns && soft_now_ns() >= hca->timer_armed_ns)
		soft_timers_run(hca);
	soft_net_flush(hca);
}

/* The entry points that may send packets leave none queued (net.c). */
static int soft_post_send_op(struct vhca *vhca, uint32_t qpn, const struct ibv_send_wr *wr)
{
	int rc = soft_post_send(vhca, qpn, wr);
	soft_net_flush(soft_hca(vhca));
	return rc;
}

static int soft_post_recv_op(struct vhca *vhca, uint32_t qpn, const struct ibv_recv_wr *wr)
{
	int rc = soft_post_recv(vhca, qpn, wr);
	soft_net_flush(soft_hca(vhca));
	return rc;
}

static int soft_modify_qp_op(struct vhca *vhca, uint32_t qpn, const struct ibv_qp_attr *attr, int mask)
{
	int rc = soft_modify_qp(vhca, qpn, attr, mask);
	soft_net_flush(soft_hca(vhca));
	return rc;
}

static int soft_destroy_qp_op(struct vhca *vhca, uint32_t qpn)
{
	int rc = soft_destroy_qp(vhca, qpn);
	soft_net_flush(soft_hca(vhca));
	return rc;
}

static void soft_resume_send_op(struct vhca *vhca, uint32_t qpn)
{
	soft_resume_send(vhca, qpn);
	soft_net_flush(soft_hca(vhca));
}

/* One GID: a link-local address that carries the LID, for peers that
 * address by GID.  The soft HCA itself routes by LID. */
static int soft_query_gid(struct vhca *vhca, uint8_t port_num, int index, union ibv_gid *gid)
{
	struct soft_hca *hca = (struct soft_hca *)vhca;
	if (port_num != 1 || index != 0)
		return EINVAL;
	memset(gid, 0, sizeof *gid);
	gid->raw[0] = 0xfe;
	gid->raw[1] = 0x80;
	gid->raw[14] = (uint8_t)(hca->lid >> 8);
	gid->raw[15] = (uint8_t)hca->lid;
	return 0;
}

static const struct vhca_ops soft_ops = {
	.name = "soft",
	.destroy = soft_destroy,
	.query_device = soft_query_device,
	.query_port = soft_query_port,
	.query_gid = soft_query_gid,
	.alloc_pd = soft_alloc_pd,
	.dealloc_pd = soft_dealloc_pd,
	.reg_mr = soft_reg_mr,
	.dereg_mr = soft_dereg_mr,
	.create_cq = soft_create_cq,
	.destroy_cq = soft_destroy_cq,
	.poll_cq = soft_poll_cq,
	.create_qp = soft_create_qp,
	.modify_qp = soft_modify_qp_op,
	.query_qp = soft_query_qp,
	.destroy_qp = soft_destroy_qp_op,
	.post_send = soft_post_send_op,
	.post_recv = soft_post_recv_op,
	.event_fd = soft_event_fd,
	.process = soft_process,
	.resume_send = soft_resume_send_op,
	.save_qp = soft_save_qp,
	.restore_qp = soft_restore_qp,
	.reg_mr_key = soft_reg_mr_key,
	.reconnected = soft_reconnected,
};

int vhca_soft_create(const struct vhca_soft_config *config, struct vtrace *trace, uint8_t trace_host,
		     struct vhca **out, char *err, size_t err_bytes)
{
	struct vhca_soft_config defaults;
	if (!config) {
		vhca_soft_default_config(&defaults);
		config = &defaults;
	}
	int e = valid_config(config, err, err_bytes);
	if (e)
		return e;
	struct soft_hca *hca = calloc(1, sizeof *hca);
	if (!hca) {
		snprintf(err, err_bytes, "soft HCA: out of memory");
		return ENOMEM;
	}
	hca->base = (struct vhca){.ops = &soft_ops, .trace = trace, .trace_host = trace_host,
				  .copy_budget_bytes = UINT64_MAX};
	hca->config = *config;
	hca->rng = config->loss_seed;
	/* Keys start from unpredictable generations: a key is not a secret,
	 * but one that can be guessed from the slot alone invites forgery. */
	if (getrandom(hca->mr_gen, sizeof hca->mr_gen, 0) != (ssize_t)sizeof hca->mr_gen)
		memset(hca->mr_gen, 0, sizeof hca->mr_gen);
	e = soft_net_open(hca, err, err_bytes);
	if (e) {
		soft_net_close(hca);
		free(hca);
		return e;
	}
	*out = &hca->base;
	return 0;
}

void vhca_soft_get_stats(struct vhca *vhca, struct vhca_soft_stats *stats)
{
	if (vhca && vhca->ops == &soft_ops)
		*stats = soft_hca(vhca)->stats;
	else
		memset(stats, 0, sizeof *stats);
}
