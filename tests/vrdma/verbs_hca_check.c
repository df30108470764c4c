/*
 * tests/vrdma/verbs_hca_check.c -- the verbs HCA driver (vrdma/hca/verbs)
 * against a real RDMA device: data integrity and error completions, end to
 * end (guest driver, backend, driver, device).
 *
 * Two hosts (backends) on the same device, one guest each, one RC QP
 * between them, as vrdma-perf --demo --hca=verbs:DEVICE sets them up.
 * Checks, byte for byte in the guests' memories:
 *   RDMA WRITE of a 1 MiB + 123 B pattern from three unaligned SGEs;
 *   RDMA READ of it back; SEND with immediate into two SGEs; inline SEND;
 * then the failures: an lkey the guest does not own and an SGE past its
 * region complete with IBV_WC_LOC_PROT_ERR after the requests posted
 * before them, in order; a bad rkey completes with IBV_WC_REM_ACCESS_ERR.
 *
 * Usage: verbs_hca_check [DEVICE [GID_INDEX]]   (default rxe0 1, or
 * $VRDMA_VERBS_DEVICE).  Exit 0 all passed, 1 a check failed, 77 no such
 * device (automake's "skipped").
 */
#include "vrdma/backend/backend.h"
#include "vrdma/guest/verbs.h"
#include "vrdma/hca/hca.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUFFER_BYTES (4u << 20)
#define GUEST_BYTES (BUFFER_BYTES + (32u << 20))
#define PATTERN_BYTES ((1u << 20) + 123u)
#define WAIT_LIMIT_S 30.0
#define QUEUE_DEPTH 64u

struct host {
	struct vhca *hca;
	struct vbackend *backend;
};

struct guest {
	struct vrdma_vm *vm;
	struct vrdma_context *ctx;
	struct vrdma_pd *pd;
	struct vrdma_cq *cq;
	struct vrdma_qp *qp;
	uint8_t *buffer;
	struct vrdma_mr *mr;
	union ibv_gid gid;
	int ethernet;
	uint16_t lid;
};

static int failures;

/* "ok" for a section only when it added no failure. */
#define OK_IF_CLEAN(before, ...)                                                                  \
	do {                                                                                        \
		if (failures == (before))                                                           \
			printf("ok   " __VA_ARGS__);                                                \
	} while (0)

#define CHECK(cond, ...)                                                                            \
	do {                                                                                        \
		if (!(cond)) {                                                                      \
			failures++;                                                                 \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                 \
			printf(__VA_ARGS__);                                                        \
			printf("\n");                                                               \
		}                                                                                   \
	} while (0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fill(uint8_t *p, uint64_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

/* One completion, or a zeroed wc with status IBV_WC_GENERAL_ERR on timeout. */
static struct ibv_wc wait_wc(struct guest *g)
{
	struct ibv_wc wc;
	double start = now_s();
	while (vrdma_poll_cq(g->cq, 1, &wc) == 0) {
		sched_yield();
		if (now_s() - start > WAIT_LIMIT_S) {
			memset(&wc, 0, sizeof wc);
			wc.status = IBV_WC_GENERAL_ERR;
			wc.wr_id = UINT64_MAX;
			printf("no completion within %.0f s\n", WAIT_LIMIT_S);
			return wc;
		}
	}
	return wc;
}

static int start_host(struct host *h, const char *device, int gid_index, uint8_t id)
{
	char err[512];
	int rc = vhca_verbs_create(device, gid_index, NULL, id, &h->hca, err, sizeof err);
	if (rc) {
		printf("%s\n", err);
		return rc;
	}
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = h->hca;
	bc.host_id = id;
	rc = vbackend_start(&bc, &h->backend, err, sizeof err);
	if (rc)
		printf("%s\n", err);
	return rc;
}

static int start_guest(struct guest *g, struct host *h)
{
	char err[256];
	memset(g, 0, sizeof *g);
	if (vbackend_create_vm(h->backend, GUEST_BYTES, &g->vm, err, sizeof err)) {
		printf("%s\n", err);
		return -1;
	}
	g->ctx = vrdma_open_device(g->vm);
	g->pd = g->ctx ? vrdma_alloc_pd(g->ctx) : NULL;
	g->cq = g->pd ? vrdma_create_cq(g->ctx, 4 * QUEUE_DEPTH, NULL, NULL) : NULL;
	g->buffer = g->cq ? vrdma_alloc_buffer(g->ctx, BUFFER_BYTES) : NULL;
	if (!g->buffer)
		return -1;
	memset(g->buffer, 0, BUFFER_BYTES);
	g->mr = vrdma_reg_mr(g->pd, g->buffer, BUFFER_BYTES,
			     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	struct ibv_port_attr port;
	if (!g->mr || vrdma_query_port(g->ctx, 1, &port))
		return -1;
	g->ethernet = port.link_layer == IBV_LINK_LAYER_ETHERNET;
	g->lid = port.lid;
	return vrdma_query_gid(g->ctx, 1, (int)vrdma_caps(g->ctx)->gid_index, &g->gid) ? -1 : 0;
}

static struct vrdma_qp *new_qp(struct guest *g)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = QUEUE_DEPTH, .max_recv_wr = QUEUE_DEPTH, .max_send_sge = 4,
			 .max_recv_sge = 4, .max_inline_data = 64 },
	};
	return vrdma_create_qp(g->pd, g->cq, g->cq, &init);
}

/* RESET -> INIT -> RTR -> RTS toward the peer's QP, perftest's way. */
static int to_rts(struct guest *g, struct vrdma_qp *qp, const struct guest *peer, uint32_t peer_qpn)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1,
				 .qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
						    IBV_ACCESS_REMOTE_READ };
	int rc = vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = peer_qpn;
	a.rq_psn = 7;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 12;
	a.ah_attr.dlid = peer->lid;
	a.ah_attr.port_num = 1;
	if (peer->ethernet) {
		a.ah_attr.is_global = 1;
		a.ah_attr.grh.dgid = peer->gid;
		a.ah_attr.grh.sgid_index = (uint8_t)vrdma_caps(g->ctx)->gid_index;
		a.ah_attr.grh.hop_limit = 1;
	}
	if (!rc)
		rc = vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
						     IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 7;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 16;
	if (!rc)
		rc = vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
						     IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
	if (rc)
		printf("modify_qp: %s\n", strerror(rc));
	return rc;
}

static int connect_pair(struct guest *a, struct guest *b)
{
	a->qp = new_qp(a);
	b->qp = new_qp(b);
	if (!a->qp || !b->qp) {
		printf("create_qp: %s\n", strerror(errno));
		return -1;
	}
	return to_rts(a, a->qp, b, b->qp->qp_num) || to_rts(b, b->qp, a, a->qp->qp_num) ? -1 : 0;
}

static int post(struct guest *g, enum ibv_wr_opcode op, struct ibv_sge *sge, int nsge, uint64_t wr_id,
		uint64_t remote_addr, uint32_t rkey, unsigned flags)
{
	struct ibv_send_wr wr = { .wr_id = wr_id, .sg_list = sge, .num_sge = nsge, .opcode = op,
				  .send_flags = IBV_SEND_SIGNALED | flags, .imm_data = htobe32(0x1234abcd) };
	wr.wr.rdma.remote_addr = remote_addr;
	wr.wr.rdma.rkey = rkey;
	struct ibv_send_wr *bad;
	return vrdma_post_send(g->qp, &wr, &bad);
}

/* Three unaligned pieces of PATTERN_BYTES starting at `at`, 3-byte gaps. */
static void three_sges(struct guest *g, uint64_t at, struct ibv_sge *sge)
{
	uint32_t piece = PATTERN_BYTES / 3;
	for (int i = 0; i < 3; i++)
		sge[i] = (struct ibv_sge){ .addr = (uintptr_t)(g->buffer + at + (uint64_t)i * (piece + 3)),
					   .length = i == 2 ? PATTERN_BYTES - 2 * piece : piece,
					   .lkey = g->mr->lkey };
}

static void gather(const struct ibv_sge *sge, int n, uint8_t *out)
{
	for (int i = 0; i < n; i++) {
		memcpy(out, (const void *)(uintptr_t)sge[i].addr, sge[i].length);
		out += sge[i].length;
	}
}

static void check_write_read(struct guest *a, struct guest *b, uint8_t *scratch)
{
	int before = failures;
	struct ibv_sge sge[3];
	three_sges(a, 5, sge);
	fill(scratch, PATTERN_BYTES, 42);
	for (int i = 0, off = 0; i < 3; off += (int)sge[i].length, i++)
		memcpy((void *)(uintptr_t)sge[i].addr, scratch + off, sge[i].length);
	uint8_t *dst = b->buffer + (2u << 20) + 77;
	CHECK(post(a, IBV_WR_RDMA_WRITE, sge, 3, 1, (uintptr_t)dst, b->mr->rkey, 0) == 0, "post write");
	struct ibv_wc wc = wait_wc(a);
	CHECK(wc.status == IBV_WC_SUCCESS && wc.wr_id == 1 && wc.opcode == IBV_WC_RDMA_WRITE,
	      "RDMA WRITE: %s wr_id %llu", vrdma_wc_status_str(wc.status), (unsigned long long)wc.wr_id);
	CHECK(memcmp(dst, scratch, PATTERN_BYTES) == 0, "RDMA WRITE: the bytes differ at the target");
	CHECK(dst[-1] == 0 && dst[PATTERN_BYTES] == 0, "RDMA WRITE: bytes outside the target changed");
	OK_IF_CLEAN(before, "RDMA WRITE %u B from 3 unaligned SGEs arrived intact\n", PATTERN_BYTES);
	before = failures;

	struct ibv_sge back = { .addr = (uintptr_t)(a->buffer + (2u << 20) + 1), .length = PATTERN_BYTES,
				.lkey = a->mr->lkey };
	CHECK(post(a, IBV_WR_RDMA_READ, &back, 1, 2, (uintptr_t)dst, b->mr->rkey, 0) == 0, "post read");
	wc = wait_wc(a);
	CHECK(wc.status == IBV_WC_SUCCESS && wc.wr_id == 2 && wc.opcode == IBV_WC_RDMA_READ,
	      "RDMA READ: %s", vrdma_wc_status_str(wc.status));
	CHECK(memcmp((void *)(uintptr_t)back.addr, scratch, PATTERN_BYTES) == 0, "RDMA READ: the bytes differ");
	OK_IF_CLEAN(before, "RDMA READ of it back, intact\n");
}

static void check_send(struct guest *a, struct guest *b, uint8_t *scratch)
{
	int before = failures;
	struct ibv_sge rsge[2] = {
		{ .addr = (uintptr_t)(b->buffer + 9), .length = 1000, .lkey = b->mr->lkey },
		{ .addr = (uintptr_t)(b->buffer + 8192 + 1), .length = 70000, .lkey = b->mr->lkey } };
	struct ibv_recv_wr rwr = { .wr_id = 10, .sg_list = rsge, .num_sge = 2 };
	struct ibv_recv_wr *rbad;
	CHECK(vrdma_post_recv(b->qp, &rwr, &rbad) == 0, "post recv");
	struct ibv_sge sge = { .addr = (uintptr_t)(a->buffer + 3), .length = 50000, .lkey = a->mr->lkey };
	fill(a->buffer + 3, 50000, 7);
	CHECK(post(a, IBV_WR_SEND_WITH_IMM, &sge, 1, 3, 0, 0, 0) == 0, "post send");
	struct ibv_wc wc = wait_wc(a);
	CHECK(wc.status == IBV_WC_SUCCESS && wc.wr_id == 3, "SEND: %s", vrdma_wc_status_str(wc.status));
	wc = wait_wc(b);
	CHECK(wc.status == IBV_WC_SUCCESS && wc.wr_id == 10 && wc.byte_len == 50000 &&
	      (wc.wc_flags & IBV_WC_WITH_IMM) && wc.imm_data == htobe32(0x1234abcd),
	      "RECV: %s byte_len %u", vrdma_wc_status_str(wc.status), wc.byte_len);
	gather(rsge, 2, scratch);
	CHECK(memcmp(scratch, a->buffer + 3, 50000) == 0, "SEND: the received bytes differ");
	OK_IF_CLEAN(before, "SEND with immediate, 50000 B into 2 receive SGEs, intact\n");
	before = failures;

	rwr.wr_id = 11;
	CHECK(vrdma_post_recv(b->qp, &rwr, &rbad) == 0, "post recv");
	uint8_t text[48];
	fill(text, sizeof text, 9);
	struct ibv_sge inl = { .addr = (uintptr_t)text, .length = sizeof text };
	CHECK(post(a, IBV_WR_SEND, &inl, 1, 4, 0, 0, IBV_SEND_INLINE) == 0, "post inline send");
	wc = wait_wc(a);
	CHECK(wc.status == IBV_WC_SUCCESS && wc.wr_id == 4, "inline SEND: %s", vrdma_wc_status_str(wc.status));
	wc = wait_wc(b);
	CHECK(wc.status == IBV_WC_SUCCESS && wc.byte_len == sizeof text &&
	      memcmp(b->buffer + 9, text, sizeof text) == 0, "inline SEND: %s", vrdma_wc_status_str(wc.status));
	OK_IF_CLEAN(before, "inline SEND, 48 B, intact\n");
}

/* Four good writes, then one whose SGE is bad: five completions in order,
 * the last IBV_WC_LOC_PROT_ERR, the QP in ERROR. */
static void check_refused(struct guest *a, struct guest *b, struct ibv_sge bad, const char *what)
{
	int before = failures;
	struct ibv_sge good = { .addr = (uintptr_t)a->buffer, .length = 4096, .lkey = a->mr->lkey };
	for (uint64_t i = 0; i < 4; i++)
		CHECK(post(a, IBV_WR_RDMA_WRITE, &good, 1, 100 + i, (uintptr_t)b->buffer, b->mr->rkey, 0) == 0,
		      "post write");
	CHECK(post(a, IBV_WR_RDMA_WRITE, &bad, 1, 104, (uintptr_t)b->buffer, b->mr->rkey, 0) == 0, "post bad");
	for (uint64_t i = 0; i < 5; i++) {
		struct ibv_wc wc = wait_wc(a);
		CHECK(wc.wr_id == 100 + i, "%s: completion %llu has wr_id %llu", what, (unsigned long long)i,
		      (unsigned long long)wc.wr_id);
		if (i < 4)
			CHECK(wc.status == IBV_WC_SUCCESS || wc.status == IBV_WC_WR_FLUSH_ERR, "%s: %s", what,
			      vrdma_wc_status_str(wc.status));
		else
			CHECK(wc.status == IBV_WC_LOC_PROT_ERR, "%s: %s, expected local protection error", what,
			      vrdma_wc_status_str(wc.status));
	}
	struct ibv_qp_attr attr;
	struct ibv_qp_init_attr init;
	CHECK(vrdma_query_qp(a->qp, &attr, IBV_QP_STATE, &init) == 0 && attr.qp_state == IBV_QPS_ERR,
	      "%s: the QP is not in ERROR", what);
	OK_IF_CLEAN(before, "%s: IBV_WC_LOC_PROT_ERR after the 4 requests before it, QP in ERROR\n", what);
}

static void check_bad_rkey(struct guest *a, struct guest *b)
{
	int before = failures;
	struct ibv_sge good = { .addr = (uintptr_t)a->buffer, .length = 64, .lkey = a->mr->lkey };
	CHECK(post(a, IBV_WR_RDMA_WRITE, &good, 1, 200, (uintptr_t)b->buffer, b->mr->rkey ^ 0x5a5a00, 0) == 0,
	      "post write");
	struct ibv_wc wc = wait_wc(a);
	CHECK(wc.wr_id == 200 && wc.status == IBV_WC_REM_ACCESS_ERR, "bad rkey: %s",
	      vrdma_wc_status_str(wc.status));
	OK_IF_CLEAN(before, "bad rkey: %s (found by the device)\n", vrdma_wc_status_str(wc.status));
}

/* A new QP pair for each failure: each leaves its QP in ERROR. */
static void fresh_pair(struct guest *a, struct guest *b)
{
	vrdma_destroy_qp(a->qp);
	vrdma_destroy_qp(b->qp);
	if (connect_pair(a, b)) {
		failures++;
		printf("FAIL reconnecting\n");
	}
}

int main(int argc, char **argv)
{
	const char *device = argc > 1 ? argv[1] : getenv("VRDMA_VERBS_DEVICE");
	int gid_index = argc > 2 ? atoi(argv[2]) : 1;
	if (!device)
		device = "rxe0";
	struct host hosts[2] = {{0}};
	struct guest a, b;
	for (int h = 0; h < 2; h++) {
		int rc = start_host(&hosts[h], device, gid_index, (uint8_t)(h + 1));
		if (rc)
			return rc == ENODEV && h == 0 ? 77 : 1;
	}
	if (start_guest(&a, &hosts[0]) || start_guest(&b, &hosts[1]) || connect_pair(&a, &b)) {
		printf("FAIL setting up the guests: %s\n", strerror(errno));
		return 1;
	}
	printf("verbs HCA on %s (GID index %d), two hosts, QPNs %#x and %#x\n", device, gid_index,
	       a.qp->qp_num, b.qp->qp_num);
	uint8_t *scratch = malloc(PATTERN_BYTES + 1);
	if (!scratch)
		return 1;
	check_write_read(&a, &b, scratch);
	check_send(&a, &b, scratch);
	check_refused(&a, &b, (struct ibv_sge){ .addr = (uintptr_t)a.buffer, .length = 64,
						.lkey = a.mr->lkey + 1 },
		      "an lkey the guest does not own");
	fresh_pair(&a, &b);
	check_refused(&a, &b, (struct ibv_sge){ .addr = (uintptr_t)(a.buffer + BUFFER_BYTES - 10),
						.length = 64, .lkey = a.mr->lkey },
		      "an SGE past the end of its region");
	fresh_pair(&a, &b);
	check_bad_rkey(&a, &b);
	free(scratch);
	/* Closing resets the device, which destroys the rest (as fixture.c). */
	vrdma_close_device(a.ctx);
	vrdma_close_device(b.ctx);
	vbackend_destroy_vm(hosts[0].backend, a.vm);
	vbackend_destroy_vm(hosts[1].backend, b.vm);
	for (int h = 0; h < 2; h++) {
		vbackend_stop(hosts[h].backend);
		hosts[h].hca->ops->destroy(hosts[h].hca);
	}
	printf("%s: %d check(s) failed\n", failures ? "FAILED" : "PASSED", failures);
	return failures ? 1 : 0;
}
