/*
 * tests/vrdma/fixture.c -- see fixture.h.
 */
#include "tests/vrdma/fixture.h"

#include <check.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#define WAIT_LIMIT_S 20.0
#define OVERHEAD_BYTES (16u << 20)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void host_start(struct fx_host *host, uint8_t host_id, double loss, struct vtrace *trace,
		       const struct vacct_limits *limits)
{
	char err[256];
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.loss_probability = loss;
	hc.loss_seed = 7 + host_id;
	ck_assert_msg(vhca_soft_create(&hc, trace, host_id, &host->hca, err, sizeof err) == 0, "%s", err);
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = host->hca;
	bc.trace = trace;
	bc.host_id = host_id;
	/* as vrdma-perf runs it: polling before sleeping, so that every
	 * test (hostile and fairness ones included) goes through the trap
	 * handlers' kick by memory as well as by eventfd (backend/wait.c) */
	bc.poll_ns = 20000;
	if (limits)
		bc.limits = *limits;
	ck_assert_msg(vbackend_start(&bc, &host->backend, err, sizeof err) == 0, "%s", err);
	struct ibv_port_attr port;
	memset(&port, 0, sizeof port);
	host->hca->ops->query_port(host->hca, 1, &port);
	host->lid = port.lid;
}

void fx_host_start(struct fx_host *host, uint8_t host_id, double loss, struct vtrace *trace)
{
	host_start(host, host_id, loss, trace, NULL);
}

void fx_host_start_limits(struct fx_host *host, uint8_t host_id, const struct vacct_limits *limits)
{
	host_start(host, host_id, 0, NULL, limits);
}

void fx_host_stop(struct fx_host *host)
{
	vbackend_stop(host->backend);
	host->hca->ops->destroy(host->hca);
	memset(host, 0, sizeof *host);
}

void fx_guest_start(struct fx_guest *g, struct fx_host *host, uint64_t buffer_bytes)
{
	char err[256];
	memset(g, 0, sizeof *g);
	g->host = host;
	ck_assert_msg(vbackend_create_vm(host->backend, buffer_bytes + OVERHEAD_BYTES, &g->vm, err, sizeof err) == 0,
		      "%s", err);
	g->ctx = vrdma_open_device(g->vm);
	ck_assert_ptr_nonnull(g->ctx);
	g->pd = vrdma_alloc_pd(g->ctx);
	ck_assert_ptr_nonnull(g->pd);
	g->channel = vrdma_create_comp_channel(g->ctx);
	ck_assert_ptr_nonnull(g->channel);
	g->cq = vrdma_create_cq(g->ctx, 4096, g, g->channel);
	ck_assert_ptr_nonnull(g->cq);
	g->buffer_bytes = buffer_bytes;
	g->buffer = vrdma_alloc_buffer(g->ctx, buffer_bytes);
	ck_assert_ptr_nonnull(g->buffer);
	g->mr = vrdma_reg_mr(g->pd, g->buffer, buffer_bytes,
			     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	ck_assert_ptr_nonnull(g->mr);
}

void fx_guest_stop(struct fx_guest *g)
{
	/* Closing resets the device, which destroys the rest; a completion
	 * channel outlives the device, as in verbs. */
	vrdma_close_device(g->ctx);
	vrdma_destroy_comp_channel(g->channel);
	vbackend_destroy_vm(g->host->backend, g->vm);
	memset(g, 0, sizeof *g);
}

struct vrdma_qp *fx_create_qp(struct fx_guest *g, uint32_t depth, uint32_t max_sge, uint32_t max_inline)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = depth, .max_recv_wr = depth, .max_send_sge = max_sge,
			 .max_recv_sge = max_sge, .max_inline_data = max_inline },
	};
	struct vrdma_qp *qp = vrdma_create_qp(g->pd, g->cq, g->cq, &init);
	ck_assert_ptr_nonnull(qp);
	return qp;
}

static void to_rts(struct vrdma_qp *qp, uint16_t dlid, uint32_t dest_qpn, uint8_t rnr_retry)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	ck_assert_int_eq(vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS), 0);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_4096;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 100;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 1;
	a.ah_attr.dlid = dlid;
	a.ah_attr.port_num = 1;
	ck_assert_int_eq(vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
						      IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER), 0);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 100;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = rnr_retry;
	a.max_rd_atomic = 16;
	ck_assert_int_eq(vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
						      IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC), 0);
}

void fx_connect(struct vrdma_qp *a, struct fx_guest *ga, struct vrdma_qp *b, struct fx_guest *gb,
		uint8_t rnr_retry)
{
	to_rts(a, gb->host->lid, b->qp_num, rnr_retry);
	to_rts(b, ga->host->lid, a->qp_num, rnr_retry);
}

void fx_wait_wc(struct vrdma_cq *cq, struct ibv_wc *wc)
{
	double start = now_s();
	unsigned spins = 0;
	while (vrdma_poll_cq(cq, 1, wc) == 0) {
		if (++spins % 64 == 0) {
			sched_yield();
			ck_assert_msg(now_s() - start < WAIT_LIMIT_S, "no completion within %.0f s", WAIT_LIMIT_S);
		}
	}
}

int fx_no_wc_within(struct vrdma_cq *cq, unsigned ms)
{
	struct ibv_wc wc;
	double end = now_s() + ms / 1000.0;
	while (now_s() < end) {
		if (vrdma_poll_cq(cq, 1, &wc) > 0)
			return 0;
		sched_yield();
	}
	return 1;
}

uint64_t fx_checksum(const uint8_t *bytes, uint64_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ bytes[i]) * 1099511628211ull;
	return h;
}

void fx_fill(uint8_t *bytes, uint64_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bytes[i] = (uint8_t)x;
	}
}
