/*
 * tests/vrdma/test_vrdma.c -- the reference implementation end to end:
 * guest driver, device, backend and software HCA, two hosts over UDP and
 * one host's direct copy path.
 *
 * Every verb moves real bytes between guest memories: checksums on both
 * sides, sizes 1 B to 16 MiB, one and several SGEs, inline.  Then RC
 * ordering, completion events, RNR, packet loss, many QPs and two guests.
 */
#include "tests/check_run.h"
#include "tests/vrdma/fixture.h"

#include <check.h>
#include <string.h>

#define BUFFER_BYTES (34u << 20) /* 16 MiB source + 16 MiB destination + room */
#define HALF (17u << 20)

struct pair {
	struct fx_host hosts[2];
	int host_count;
	struct fx_guest a, b;
	struct vrdma_qp *qa, *qb;
};

static void pair_start(struct pair *p, int two_hosts, double loss, uint32_t max_sge)
{
	memset(p, 0, sizeof *p);
	p->host_count = two_hosts ? 2 : 1;
	for (int h = 0; h < p->host_count; h++)
		fx_host_start(&p->hosts[h], (uint8_t)(h + 1), loss, NULL);
	fx_guest_start(&p->a, &p->hosts[0], BUFFER_BYTES);
	fx_guest_start(&p->b, &p->hosts[two_hosts ? 1 : 0], BUFFER_BYTES);
	p->qa = fx_create_qp(&p->a, 256, max_sge, 128);
	p->qb = fx_create_qp(&p->b, 256, max_sge, 128);
	fx_connect(p->qa, &p->a, p->qb, &p->b, 7);
}

static void pair_stop(struct pair *p)
{
	fx_guest_stop(&p->a);
	fx_guest_stop(&p->b);
	for (int h = 0; h < p->host_count; h++)
		fx_host_stop(&p->hosts[h]);
}

/* Scatter `bytes` from offset `at` in `nsge` nearly equal pieces. */
static int make_sges(struct fx_guest *g, uint64_t at, uint64_t bytes, int nsge, struct ibv_sge *sge)
{
	uint64_t piece = bytes / (uint64_t)nsge, done = 0;
	for (int i = 0; i < nsge; i++) {
		uint64_t n = i == nsge - 1 ? bytes - done : piece;
		/* leave a gap of 3 bytes between pieces so layout matters */
		sge[i].addr = (uintptr_t)(g->buffer + at + done + (uint64_t)i * 3);
		sge[i].length = (uint32_t)n;
		sge[i].lkey = g->mr->lkey;
		done += n;
	}
	return nsge;
}

static uint64_t gather_checksum(const struct ibv_sge *sge, int n)
{
	/* checksum of the concatenation */
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)sge[i].addr;
		for (uint32_t j = 0; j < sge[i].length; j++)
			h = (h ^ p[j]) * 1099511628211ull;
	}
	return h;
}

static void post_one(struct vrdma_qp *qp, enum ibv_wr_opcode op, struct ibv_sge *sge, int nsge,
		     uint64_t remote, uint32_t rkey, int flags, uint64_t wr_id)
{
	struct ibv_send_wr wr, *bad = NULL;
	memset(&wr, 0, sizeof wr);
	wr.wr_id = wr_id;
	wr.opcode = op;
	wr.sg_list = sge;
	wr.num_sge = nsge;
	wr.send_flags = IBV_SEND_SIGNALED | flags;
	wr.imm_data = htobe32(0xabcd0000u | (uint32_t)wr_id);
	wr.wr.rdma.remote_addr = remote;
	wr.wr.rdma.rkey = rkey;
	ck_assert_int_eq(vrdma_post_send(qp, &wr, &bad), 0);
}

static void post_recv_sges(struct vrdma_qp *qp, struct ibv_sge *sge, int nsge, uint64_t wr_id)
{
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = sge, .num_sge = nsge }, *bad = NULL;
	ck_assert_int_eq(vrdma_post_recv(qp, &wr, &bad), 0);
}

/* One transfer of `bytes` with `nsge` SGEs on each side; checksums match. */
static void transfer(struct pair *p, enum ibv_wr_opcode op, uint64_t bytes, int nsge, int inline_data)
{
	struct ibv_sge src[12], dst[12];
	struct ibv_wc wc;
	uint64_t seed = bytes * 31 + (uint64_t)op * 7 + (uint64_t)nsge;
	/* a is the requester.  WRITE/SEND: a's low half -> b's high half.
	 * READ: b's low half -> a's high half. */
	struct fx_guest *from = op == IBV_WR_RDMA_READ ? &p->b : &p->a;
	struct fx_guest *to = op == IBV_WR_RDMA_READ ? &p->a : &p->b;
	fx_fill(from->buffer, HALF, seed);
	memset(to->buffer + HALF, 0, HALF);
	int ns = make_sges(from, 0, bytes, nsge, src);
	int nd = make_sges(to, HALF, bytes, nsge, dst);
	/* a read fetches one contiguous remote range */
	uint64_t want = op == IBV_WR_RDMA_READ ? fx_checksum(from->buffer, bytes) : gather_checksum(src, ns);
	int is_send = op == IBV_WR_SEND || op == IBV_WR_SEND_WITH_IMM;
	int consumes_recv = is_send || op == IBV_WR_RDMA_WRITE_WITH_IMM;
	if (consumes_recv)
		post_recv_sges(p->qb, is_send ? dst : NULL, is_send ? nd : 0, 77);
	if (op == IBV_WR_RDMA_READ)
		post_one(p->qa, op, dst, nd, (uint64_t)(uintptr_t)src[0].addr, p->b.mr->rkey, 0, 5);
	else if (is_send)
		post_one(p->qa, op, src, ns, 0, 0, inline_data ? IBV_SEND_INLINE : 0, 5);
	else /* a write goes to one contiguous remote range */
		post_one(p->qa, op, src, ns, (uint64_t)(uintptr_t)(p->b.buffer + HALF), p->b.mr->rkey,
			 inline_data ? IBV_SEND_INLINE : 0, 5);
	fx_wait_wc(p->a.cq, &wc);
	ck_assert_msg(wc.status == IBV_WC_SUCCESS, "%s of %llu bytes: %s", op == IBV_WR_RDMA_READ ? "read" : "op",
		      (unsigned long long)bytes, vrdma_wc_status_str(wc.status));
	ck_assert_uint_eq(wc.wr_id, 5);
	ck_assert_uint_eq(wc.qp_num, p->qa->qp_num);
	if (consumes_recv) {
		struct ibv_wc rwc;
		fx_wait_wc(p->b.cq, &rwc);
		ck_assert_int_eq(rwc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(rwc.wr_id, 77);
		ck_assert_uint_eq(rwc.byte_len, bytes);
		if (op != IBV_WR_SEND) {
			ck_assert(rwc.wc_flags & IBV_WC_WITH_IMM);
			ck_assert_uint_eq(be32toh(rwc.imm_data), 0xabcd0005u);
		}
	}
	uint64_t got;
	if (is_send || op == IBV_WR_RDMA_READ)
		got = gather_checksum(dst, nd);
	else
		got = fx_checksum(p->b.buffer + HALF, bytes);
	ck_assert_msg(got == want, "payload of %llu bytes in %d SGEs differs", (unsigned long long)bytes, nsge);
}

static const uint64_t SIZES[] = { 1, 2, 63, 4095, 4096, 4097, 65536, 1000000 };
static const enum ibv_wr_opcode VERBS[] = { IBV_WR_RDMA_WRITE, IBV_WR_RDMA_WRITE_WITH_IMM, IBV_WR_SEND,
					    IBV_WR_SEND_WITH_IMM, IBV_WR_RDMA_READ };

static void every_verb(int two_hosts)
{
	struct pair p;
	pair_start(&p, two_hosts, 0, 12);
	for (size_t v = 0; v < sizeof VERBS / sizeof VERBS[0]; v++)
		for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++)
			for (int nsge = 1; nsge <= 12; nsge += 11) {
				if ((uint64_t)nsge > SIZES[s])
					continue;
				transfer(&p, VERBS[v], SIZES[s], nsge, 0);
			}
	/* 16 MiB, and a 3-SGE layout, once per verb */
	for (size_t v = 0; v < sizeof VERBS / sizeof VERBS[0]; v++) {
		transfer(&p, VERBS[v], 16u << 20, 1, 0);
		transfer(&p, VERBS[v], 300000, 3, 0);
	}
	/* inline, up to the QP's limit */
	transfer(&p, IBV_WR_RDMA_WRITE, 100, 2, 1);
	transfer(&p, IBV_WR_SEND, 128, 1, 1);
	pair_stop(&p);
}

START_TEST(every_verb_two_hosts) { every_verb(1); }
END_TEST

START_TEST(every_verb_same_host) { every_verb(0); }
END_TEST

/* RC ordering: many writes, then a send; when the send's receive
 * completes, every write before it has landed. */
static void ordering(int two_hosts, double loss)
{
	struct pair p;
	pair_start(&p, two_hosts, loss, 1);
	const int writes = 200;
	const uint64_t chunk = 20000;
	fx_fill(p.a.buffer, writes * chunk, 99);
	memset(p.b.buffer + HALF, 0, writes * chunk);
	struct ibv_sge rsge = { (uintptr_t)p.b.buffer, 64, p.b.mr->lkey };
	post_recv_sges(p.qb, &rsge, 1, 1);
	for (int i = 0; i < writes; i++) {
		struct ibv_sge s = { (uintptr_t)(p.a.buffer + i * chunk), (uint32_t)chunk, p.a.mr->lkey };
		struct ibv_send_wr wr, *bad;
		memset(&wr, 0, sizeof wr);
		wr.wr_id = (uint64_t)i;
		wr.opcode = IBV_WR_RDMA_WRITE;
		wr.sg_list = &s;
		wr.num_sge = 1;
		wr.send_flags = i % 50 == 49 ? IBV_SEND_SIGNALED : 0; /* mostly unsignalled */
		wr.wr.rdma.remote_addr = (uintptr_t)(p.b.buffer + HALF + i * chunk);
		wr.wr.rdma.rkey = p.b.mr->rkey;
		ck_assert_int_eq(vrdma_post_send(p.qa, &wr, &bad), 0);
	}
	/* 200 writes and the send fit the 256-deep queue: nothing waits
	 * between them.  When the send's receive completes, every write
	 * before it must have landed. */
	struct ibv_sge ssge = { (uintptr_t)p.a.buffer, 8, p.a.mr->lkey };
	post_one(p.qa, IBV_WR_SEND, &ssge, 1, 0, 0, 0, 1000);
	struct ibv_wc wc;
	fx_wait_wc(p.b.cq, &wc);
	ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
	ck_assert_uint_eq(wc.wr_id, 1);
	ck_assert(memcmp(p.a.buffer, p.b.buffer + HALF, writes * chunk) == 0);
	/* the signalled writes (every 50th) and the send complete in order */
	for (int k = 0; k <= writes / 50; k++) {
		fx_wait_wc(p.a.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(wc.wr_id, k < writes / 50 ? (uint64_t)(k * 50 + 49) : 1000);
	}
	pair_stop(&p);
}

START_TEST(rc_ordering_two_hosts) { ordering(1, 0); }
END_TEST

START_TEST(rc_ordering_same_host) { ordering(0, 0); }
END_TEST

/* Loss on the UDP path: everything arrives once, intact, in order. */
START_TEST(loss_recovered_by_retransmission)
{
	struct pair p;
	pair_start(&p, 1, 0.05, 1);
	const int messages = 150;
	uint64_t sizes[] = { 1, 100, 4096, 9000, 70000 };
	for (int i = 0; i < messages; i++) {
		uint64_t n = sizes[i % 5];
		fx_fill(p.a.buffer, n, (uint64_t)i);
		struct ibv_sge r = { (uintptr_t)(p.b.buffer + HALF), (uint32_t)HALF, p.b.mr->lkey };
		post_recv_sges(p.qb, &r, 1, (uint64_t)i);
		struct ibv_sge s = { (uintptr_t)p.a.buffer, (uint32_t)n, p.a.mr->lkey };
		post_one(p.qa, IBV_WR_SEND, &s, 1, 0, 0, 0, (uint64_t)i);
		struct ibv_wc wc;
		fx_wait_wc(p.b.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(wc.wr_id, (uint64_t)i); /* in order, none twice */
		ck_assert_uint_eq(wc.byte_len, n);
		ck_assert(memcmp(p.a.buffer, p.b.buffer + HALF, n) == 0);
		fx_wait_wc(p.a.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(wc.wr_id, (uint64_t)i);
	}
	ck_assert(fx_no_wc_within(p.b.cq, 50)); /* no duplicate receive */
	pair_stop(&p);
}
END_TEST

START_TEST(ordering_under_loss) { ordering(1, 0.05); }
END_TEST

/* Send with no receive posted: RNR, then it completes once one is posted. */
START_TEST(rnr_then_receive)
{
	struct pair p;
	pair_start(&p, 1, 0, 1);
	struct ibv_sge s = { (uintptr_t)p.a.buffer, 32, p.a.mr->lkey };
	post_one(p.qa, IBV_WR_SEND, &s, 1, 0, 0, 0, 9);
	ck_assert(fx_no_wc_within(p.a.cq, 100));
	struct ibv_sge r = { (uintptr_t)p.b.buffer, 64, p.b.mr->lkey };
	post_recv_sges(p.qb, &r, 1, 10);
	struct ibv_wc wc;
	fx_wait_wc(p.b.cq, &wc);
	ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
	fx_wait_wc(p.a.cq, &wc);
	ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
	pair_stop(&p);
}
END_TEST

START_TEST(rnr_retries_exhausted)
{
	struct pair p;
	memset(&p, 0, sizeof p);
	p.host_count = 2;
	fx_host_start(&p.hosts[0], 1, 0, NULL);
	fx_host_start(&p.hosts[1], 2, 0, NULL);
	fx_guest_start(&p.a, &p.hosts[0], 1 << 20);
	fx_guest_start(&p.b, &p.hosts[1], 1 << 20);
	p.qa = fx_create_qp(&p.a, 16, 1, 0);
	p.qb = fx_create_qp(&p.b, 16, 1, 0);
	fx_connect(p.qa, &p.a, p.qb, &p.b, 0);
	struct ibv_sge s = { (uintptr_t)p.a.buffer, 32, p.a.mr->lkey };
	post_one(p.qa, IBV_WR_SEND, &s, 1, 0, 0, 0, 9);
	struct ibv_wc wc;
	fx_wait_wc(p.a.cq, &wc);
	ck_assert_int_eq(wc.status, IBV_WC_RNR_RETRY_EXC_ERR);
	pair_stop(&p);
}
END_TEST

/* Completion events: arm, post, sleep on the channel, wake. */
START_TEST(completion_events)
{
	struct pair p;
	pair_start(&p, 1, 0, 1);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(vrdma_req_notify_cq(p.a.cq, 0), 0);
		struct ibv_sge s = { (uintptr_t)p.a.buffer, 1000, p.a.mr->lkey };
		post_one(p.qa, IBV_WR_RDMA_WRITE, &s, 1, (uintptr_t)p.b.buffer, p.b.mr->rkey, 0, (uint64_t)i);
		struct vrdma_cq *cq = NULL;
		void *cq_ctx = NULL;
		ck_assert_int_eq(vrdma_get_cq_event(p.a.channel, &cq, &cq_ctx), 0);
		ck_assert_ptr_eq(cq, p.a.cq);
		ck_assert_ptr_eq(cq_ctx, &p.a);
		vrdma_ack_cq_events(cq, 1);
		struct ibv_wc wc;
		ck_assert_int_eq(vrdma_poll_cq(p.a.cq, 1, &wc), 1);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(wc.wr_id, (uint64_t)i);
	}
	struct vbackend_stats st;
	vbackend_get_stats(p.hosts[0].backend, &st);
	ck_assert_uint_ge(st.interrupts, 20);
	pair_stop(&p);
}
END_TEST

/* Polling without arming: no CQ interrupt is ever raised. */
START_TEST(polling_suppresses_interrupts)
{
	struct pair p;
	pair_start(&p, 1, 0, 1);
	struct vbackend_stats before, after;
	vbackend_get_stats(p.hosts[0].backend, &before);
	for (int i = 0; i < 50; i++) {
		struct ibv_sge s = { (uintptr_t)p.a.buffer, 8, p.a.mr->lkey };
		post_one(p.qa, IBV_WR_RDMA_WRITE, &s, 1, (uintptr_t)p.b.buffer, p.b.mr->rkey, 0, (uint64_t)i);
		struct ibv_wc wc;
		fx_wait_wc(p.a.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
	}
	vbackend_get_stats(p.hosts[0].backend, &after);
	ck_assert_uint_eq(after.interrupts, before.interrupts);
	ck_assert_uint_ge(after.interrupts_suppressed - before.interrupts_suppressed, 50);
	ck_assert_uint_ge(after.traps - before.traps, 50); /* a doorbell per post */
	pair_stop(&p);
}
END_TEST

/* Many QPs between two guests, and a third guest on the same host at once. */
START_TEST(many_qps_and_guests)
{
	struct fx_host h[2];
	struct fx_guest a, b, c;
	fx_host_start(&h[0], 1, 0, NULL);
	fx_host_start(&h[1], 2, 0, NULL);
	fx_guest_start(&a, &h[0], 8 << 20);
	fx_guest_start(&b, &h[1], 8 << 20);
	fx_guest_start(&c, &h[0], 8 << 20);
	enum { QPS = 64 };
	struct vrdma_qp *qa[QPS], *qb[QPS], *qc[QPS], *qa2[QPS];
	for (int i = 0; i < QPS; i++) {
		qa[i] = fx_create_qp(&a, 8, 1, 0);
		qb[i] = fx_create_qp(&b, 8, 1, 0);
		fx_connect(qa[i], &a, qb[i], &b, 7);
		qc[i] = fx_create_qp(&c, 8, 1, 0);
		qa2[i] = fx_create_qp(&a, 8, 1, 0);
		fx_connect(qc[i], &c, qa2[i], &a, 7); /* c and a on one host: direct path */
	}
	fx_fill(a.buffer, 4 << 20, 1);
	fx_fill(c.buffer, 4 << 20, 2);
	for (int i = 0; i < QPS; i++) {
		struct ibv_sge s = { (uintptr_t)(a.buffer + i * 65536), 65536, a.mr->lkey };
		post_one(qa[i], IBV_WR_RDMA_WRITE, &s, 1, (uintptr_t)(b.buffer + (4 << 20) + i * 65536), b.mr->rkey, 0,
			 (uint64_t)i);
		struct ibv_sge s2 = { (uintptr_t)(c.buffer + i * 65536), 65536, c.mr->lkey };
		post_one(qc[i], IBV_WR_RDMA_WRITE, &s2, 1, (uintptr_t)(a.buffer + (4 << 20) + i * 65536), a.mr->rkey,
			 0, (uint64_t)i);
	}
	for (int i = 0; i < QPS; i++) {
		struct ibv_wc wc;
		fx_wait_wc(a.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		fx_wait_wc(c.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
	}
	ck_assert(memcmp(a.buffer, b.buffer + (4 << 20), QPS * 65536) == 0);
	ck_assert(memcmp(c.buffer, a.buffer + (4 << 20), QPS * 65536) == 0);
	fx_guest_stop(&a);
	fx_guest_stop(&b);
	fx_guest_stop(&c);
	fx_host_stop(&h[0]);
	fx_host_stop(&h[1]);
}
END_TEST

/* The QP state machine as the guest sees it. */
START_TEST(qp_states)
{
	struct fx_host h;
	struct fx_guest g;
	fx_host_start(&h, 1, 0, NULL);
	fx_guest_start(&g, &h, 1 << 20);
	struct vrdma_qp *qp = fx_create_qp(&g, 8, 1, 0);
	struct ibv_sge s = { (uintptr_t)g.buffer, 8, g.mr->lkey };
	struct ibv_send_wr wr = { .sg_list = &s, .num_sge = 1, .opcode = IBV_WR_SEND }, *bad = NULL;
	ck_assert_int_eq(vrdma_post_send(qp, &wr, &bad), EINVAL); /* RESET */
	ck_assert_ptr_eq(bad, &wr);
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS; /* RESET -> RTS is not a transition */
	ck_assert_int_ne(vrdma_modify_qp(qp, &a, IBV_QP_STATE), 0);
	a.qp_state = IBV_QPS_INIT; /* INIT without its attributes */
	ck_assert_int_ne(vrdma_modify_qp(qp, &a, IBV_QP_STATE), 0);
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_REMOTE_WRITE;
	ck_assert_int_eq(vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS), 0);
	struct ibv_qp_attr q;
	struct ibv_qp_init_attr qi;
	ck_assert_int_eq(vrdma_query_qp(qp, &q, IBV_QP_STATE, &qi), 0);
	ck_assert_int_eq(q.qp_state, IBV_QPS_INIT);
	ck_assert_int_eq(vrdma_post_send(qp, &wr, &bad), EINVAL); /* INIT */
	a.qp_state = IBV_QPS_ERR;
	ck_assert_int_eq(vrdma_modify_qp(qp, &a, IBV_QP_STATE), 0);
	ck_assert_int_eq(vrdma_query_qp(qp, &q, IBV_QP_STATE, &qi), 0);
	ck_assert_int_eq(q.qp_state, IBV_QPS_ERR);
	a.qp_state = IBV_QPS_RESET;
	ck_assert_int_eq(vrdma_modify_qp(qp, &a, IBV_QP_STATE), 0);
	ck_assert_int_eq(vrdma_destroy_qp(qp), 0);
	fx_guest_stop(&g);
	fx_host_stop(&h);
}
END_TEST

/* Moving a QP to ERROR flushes posted receives. */
START_TEST(flush_on_error)
{
	struct pair p;
	pair_start(&p, 1, 0, 1);
	for (int i = 0; i < 4; i++) {
		struct ibv_sge r = { (uintptr_t)p.b.buffer, 64, p.b.mr->lkey };
		post_recv_sges(p.qb, &r, 1, (uint64_t)(100 + i));
	}
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };
	ck_assert_int_eq(vrdma_modify_qp(p.qb, &a, IBV_QP_STATE), 0);
	for (int i = 0; i < 4; i++) {
		struct ibv_wc wc;
		fx_wait_wc(p.b.cq, &wc);
		ck_assert_int_eq(wc.status, IBV_WC_WR_FLUSH_ERR);
		ck_assert_uint_eq(wc.wr_id, (uint64_t)(100 + i));
	}
	pair_stop(&p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma");
	TCase *t = tcase_create("end to end");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, every_verb_two_hosts);
	tcase_add_test(t, every_verb_same_host);
	tcase_add_test(t, rc_ordering_two_hosts);
	tcase_add_test(t, rc_ordering_same_host);
	tcase_add_test(t, loss_recovered_by_retransmission);
	tcase_add_test(t, ordering_under_loss);
	tcase_add_test(t, rnr_then_receive);
	tcase_add_test(t, rnr_retries_exhausted);
	tcase_add_test(t, completion_events);
	tcase_add_test(t, polling_suppresses_interrupts);
	tcase_add_test(t, many_qps_and_guests);
	tcase_add_test(t, qp_states);
	tcase_add_test(t, flush_on_error);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
