/*
 * test_soft_hca_errors.c - the software HCA (vrdma/hca/soft) when things go
 * wrong, through its vhca_ops: the QP state machine, protection and RNR
 * errors, exhausted retries, slow peers and ACK timeouts, flushes, device
 * queries, and the packet decoder fed malformed bytes (and the HCA fed
 * garbage datagrams).  The HCAs, regions and connections are
 * soft_world.c's; moving data is test_soft_hca_data.c's.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "tests/vrdma/soft_world.h"
#include "vrdma/hca/soft/packet.h"

START_TEST(qp_state_machine)
{
	world_open(0);
	struct side a, b;
	side_open(&a, 0, &default_opts);
	side_open(&b, 1, &default_opts);
	struct vhca *h = a.hca;
	struct ibv_sge sge = {.addr = 0, .length = 0, .lkey = 0};
	ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &sge, 0, 0, 0, 0, 0), EINVAL);   /* RESET */
	ck_assert_int_eq(post_recv(&a, 1, &sge, 0), EINVAL);
	struct ibv_qp_attr attr = {.qp_state = IBV_QPS_RTR};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), EINVAL);  /* RESET->RTR */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_INIT, .port_num = 1};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_PORT), EINVAL);  /* missing */
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, 0), EINVAL);   /* no state */
	ck_assert_int_eq(h->ops->modify_qp(h, 12345, &attr, IBV_QP_STATE), EINVAL);   /* no QP */
	attr.port_num = 2;
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
								    IBV_QP_ACCESS_FLAGS), EINVAL);  /* bad port */
	ck_assert_int_eq(to_init(&a, ALL_ACCESS), 0);
	ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &sge, 0, 0, 0, 0, 0), EINVAL);   /* INIT */
	ck_assert_int_eq(post_recv(&a, 1, &sge, 0), 0);                              /* allowed */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTS};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), EINVAL);  /* INIT->RTS */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_4096,
				    .ah_attr = {.dlid = lid(b.hca)}};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU),
			 EINVAL);   /* RTR without DEST_QPN, RQ_PSN, ... */
	ck_assert_int_eq(to_rtr(&a, lid(b.hca), b.qpn), 0);
	ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &sge, 0, 0, 0, 0, 0), EINVAL);   /* RTR */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTS, .sq_psn = 1};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_SQ_PSN), EINVAL);
	struct conn_opts bad = default_opts;
	bad.retry_cnt = 8;
	ck_assert_int_eq(to_rts(&a, &bad), EINVAL);   /* retry_cnt is 3 bits */
	ck_assert_int_eq(to_rts(&a, &default_opts), 0);
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_INIT};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), EINVAL);  /* RTS->INIT */
	struct ibv_qp_attr q;
	ck_assert_int_eq(h->ops->query_qp(h, a.qpn, &q), 0);
	ck_assert_int_eq(q.qp_state, IBV_QPS_RTS);
	ck_assert_uint_eq(q.dest_qp_num, b.qpn);
	/* RTS -> ERROR flushes the receive posted in INIT; -> RESET -> INIT again */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_ERR};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), 0);
	expect_wc(&a, 1, IBV_WC_WR_FLUSH_ERR, IBV_WC_RECV);
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RESET};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), 0);
	ck_assert_int_eq(to_init(&a, ALL_ACCESS), 0);
	/* objects in use refuse to go */
	ck_assert_int_eq(h->ops->destroy_cq(h, a.cq), EBUSY);
	ck_assert_int_eq(h->ops->dealloc_pd(h, a.pd), EBUSY);
	side_close(&a);
	side_close(&b);
	world_close();
}
END_TEST

/* One failing operation on a fresh connection: the requester's status, the
 * receive's (if one is posted), and both QPs end in ERROR. */
static void failing(int local, int access, enum ibv_wr_opcode op, int breakage,
		    enum ibv_wc_status want, enum ibv_wc_status want_recv)
{
	struct conn c;
	struct conn_opts o = default_opts;
	o.qp_access = access;
	conn_open_with(&c, local ? 2 : 0, local ? 2 : 1, &o);
	struct region src, dst, ro;
	region_open(&src, c.a.hca, c.a.pd, 8192, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 8192, ALL_ACCESS);
	region_open(&ro, c.b.hca, c.b.pd, 8192, 0);   /* no remote access */
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 6000, .lkey = src.lkey};
	struct ibv_sge r = {.addr = iova(&dst, 0), .length = 8192, .lkey = dst.lkey};
	uint64_t remote = iova(&dst, 0);
	uint32_t rkey = dst.rkey;
	switch (breakage) {
	case 1: s.lkey ^= 0x10000; break;               /* bad lkey */
	case 2: rkey ^= 0x10000; break;                 /* bad rkey */
	case 3: rkey = ro.rkey; remote = iova(&ro, 0); break;   /* region without remote access */
	case 4: remote = iova(&dst, 4000); break;       /* past the region's end */
	case 5: r.length = 5999; break;                 /* receive too small */
	case 6: s.addr = iova(&src, 8000); break;       /* local SGE past its region */
	default: break;                                 /* the QP's access flags break it */
	}
	if (want_recv != IBV_WC_SUCCESS || op == IBV_WR_SEND)
		ck_assert_int_eq(post_recv(&c.b, 5, &r, 1), 0);
	ck_assert_int_eq(post(&c.a, op, 9, &s, 1, remote, rkey, 0, IBV_SEND_SIGNALED), 0);
	ck_assert_int_eq(post(&c.a, op, 10, &s, 1, remote, rkey, 0, 0), 0);  /* flushed behind */
	expect_wc(&c.a, 9, want, 0);
	expect_wc(&c.a, 10, IBV_WC_WR_FLUSH_ERR, 0);
	if (want_recv != IBV_WC_SUCCESS)
		expect_wc(&c.b, 5, want_recv, 0);
	struct ibv_qp_attr q;
	ck_assert_int_eq(c.a.hca->ops->query_qp(c.a.hca, c.a.qpn, &q), 0);
	ck_assert_int_eq(q.qp_state, IBV_QPS_ERR);
	/* an errored QP still takes posts and flushes them */
	ck_assert_int_eq(post(&c.a, op, 11, &s, 1, remote, rkey, 0, 0), 0);
	expect_wc(&c.a, 11, IBV_WC_WR_FLUSH_ERR, 0);
	region_close(&src);
	region_close(&dst);
	region_close(&ro);
	conn_close(&c);
}

static void protection_errors(int local)
{
	world_open(0);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 1, IBV_WC_LOC_PROT_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_SEND, 6, IBV_WC_LOC_PROT_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 2, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_READ, 2, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 3, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_READ, 3, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 4, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ, IBV_WR_RDMA_WRITE, 0,
		IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE, IBV_WR_RDMA_READ, 0,
		IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_SEND, 5, IBV_WC_REM_INV_REQ_ERR, IBV_WC_LOC_LEN_ERR);
	world_close();
}

START_TEST(protection_errors_over_the_wire) { protection_errors(0); }
END_TEST

START_TEST(protection_errors_on_the_same_host) { protection_errors(1); }
END_TEST

static void rnr(int local)
{
	world_open(0);
	struct conn c;
	conn_open(&c, local);
	struct region src, dst;
	region_open(&src, c.a.hca, c.a.pd, 10000, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 10000, ALL_ACCESS);
	fill(&src, 0, 10000, 3);
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 10000, .lkey = src.lkey};
	struct ibv_sge r = {.addr = iova(&dst, 0), .length = 10000, .lkey = dst.lkey};
	struct vhca_soft_stats before, after;
	vhca_soft_get_stats(c.a.hca, &before);
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 1, &s, 1, 0, 0, 0, IBV_SEND_SIGNALED), 0);
	ck_assert_int_eq(post(&c.a, IBV_WR_RDMA_WRITE_WITH_IMM, 2, &s, 1, iova(&dst, 0), dst.rkey, 5,
			      IBV_SEND_SIGNALED), 0);
	for (int i = 0; i < 40; i++)   /* ~10 ms: several RNR waits */
		pump();
	expect_quiet(&c.a);
	ck_assert_int_eq(post_recv(&c.b, 7, &r, 1), 0);
	expect_wc(&c.b, 7, IBV_WC_SUCCESS, IBV_WC_RECV);
	expect_wc(&c.a, 1, IBV_WC_SUCCESS, IBV_WC_SEND);
	ck_assert(same(&src, 0, &dst, 0, 10000));
	for (int i = 0; i < 10; i++)
		pump();
	ck_assert_int_eq(post_recv(&c.b, 8, &r, 1), 0);
	expect_wc(&c.b, 8, IBV_WC_SUCCESS, IBV_WC_RECV_RDMA_WITH_IMM);
	expect_wc(&c.a, 2, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE);
	vhca_soft_get_stats(c.a.hca, &after);
	ck_assert_uint_gt(after.rnr_naks, before.rnr_naks + 2);
	conn_close(&c);
	/* rnr_retry 0: the first RNR NAK ends it */
	struct conn_opts o = default_opts;
	o.rnr_retry = 0;
	conn_open_with(&c, local ? 2 : 0, local ? 2 : 1, &o);
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 3, &s, 1, 0, 0, 0, IBV_SEND_SIGNALED), 0);
	expect_wc(&c.a, 3, IBV_WC_RNR_RETRY_EXC_ERR, 0);
	conn_close(&c);
	region_close(&src);
	region_close(&dst);
	world_close();
}

START_TEST(receiver_not_ready) { rnr(0); rnr(1); }
END_TEST

/* A peer QP that does not exist: every try times out. */
START_TEST(retries_exhausted)
{
	world_open(0);
	for (int local = 0; local < 2; local++) {
		struct conn_opts o = default_opts;
		o.retry_cnt = 2;
		o.timeout = SHORT_ACK_TIMEOUT;
		struct side a;
		side_open(&a, local ? 2 : 0, &o);
		ck_assert_int_eq(to_init(&a, ALL_ACCESS), 0);
		ck_assert_int_eq(to_rtr(&a, lid(sw.hca[local ? 2 : 1]), 0xabcde), 0);
		ck_assert_int_eq(to_rts(&a, &o), 0);
		struct ibv_sge s = {0};
		ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &s, 0, 0, 0, 0, 0), 0);
		expect_wc(&a, 1, IBV_WC_RETRY_EXC_ERR, 0);
		side_close(&a);
	}
	world_close();
}
END_TEST

/* Only HCA `i` runs for `ms` milliseconds: the others stand still, as the
 * peer of a host that does not schedule its HCA for a while. */
static void pump_only(int i, unsigned ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		sw.hca[i]->ops->process(sw.hca[i]);
		usleep(500);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

/* The requester waits its QP's Local ACK Timeout (4.096 us x 2^timeout,
 * 0 = infinite) for an answer, not a shorter time of its own: a peer that
 * stands still for 30 ms is neither retried nor given up on by a QP whose
 * timeout is 18 (about 1.07 s) or 0, and the write completes once the peer
 * runs again.  On the same host, a peer not ready yet is waited for the
 * same way, and the try after the first expiry finds it ready. */
static void patient(int local, uint8_t timeout)
{
	world_open(0);
	struct conn_opts o = default_opts;
	o.timeout = timeout;
	o.retry_cnt = 1;           /* a second expiry would fail the write */
	struct conn c;
	int ia = local ? 2 : 0, ib = local ? 2 : 1;
	side_open(&c.a, ia, &o);
	side_open(&c.b, ib, &o);
	ck_assert_int_eq(to_init(&c.a, ALL_ACCESS), 0);
	ck_assert_int_eq(to_init(&c.b, ALL_ACCESS), 0);
	ck_assert_int_eq(to_rtr(&c.a, lid(c.b.hca), c.b.qpn), 0);
	ck_assert_int_eq(to_rts(&c.a, &o), 0);
	if (!local) {   /* the wire peer is ready, just not running */
		ck_assert_int_eq(to_rtr(&c.b, lid(c.a.hca), c.a.qpn), 0);
		ck_assert_int_eq(to_rts(&c.b, &o), 0);
	}
	struct region src, dst;
	region_open(&src, c.a.hca, c.a.pd, 8192, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 8192, ALL_ACCESS);
	fill(&src, 0, 8192, 9);
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 8192, .lkey = src.lkey};
	struct vhca_soft_stats before, after;
	vhca_soft_get_stats(c.a.hca, &before);
	ck_assert_int_eq(post(&c.a, IBV_WR_RDMA_WRITE, 1, &s, 1, iova(&dst, 0), dst.rkey, 0,
			      IBV_SEND_SIGNALED), 0);
	pump_only(ia, 30);
	vhca_soft_get_stats(c.a.hca, &after);
	ck_assert_msg(after.timeouts == before.timeouts && after.retransmits == before.retransmits,
		      "timeout %u: %llu expiries and %llu retransmissions within 30 ms", timeout,
		      (unsigned long long)(after.timeouts - before.timeouts),
		      (unsigned long long)(after.retransmits - before.retransmits));
	if (local) {   /* ready now: the next try (one timeout on) goes through */
		ck_assert_int_eq(to_rtr(&c.b, lid(c.a.hca), c.a.qpn), 0);
		ck_assert_int_eq(to_rts(&c.b, &o), 0);
	}
	if (timeout != 0) {   /* with no timer a same-host try never comes again */
		expect_wc(&c.a, 1, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE);
		ck_assert(same(&src, 0, &dst, 0, 8192));
	}
	region_close(&src);
	region_close(&dst);
	conn_close(&c);
	world_close();
}

START_TEST(slow_peer_within_the_ack_timeout) { patient(0, 18); patient(1, 18); }
END_TEST

START_TEST(infinite_ack_timeout) { patient(0, 0); patient(1, 0); }
END_TEST

/* 200 messages of mixed kinds and sizes through a lossy wire: each arrives
 * intact, in order, completed exactly once. */

START_TEST(flush_on_error)
{
	world_open(0);
	for (int local = 0; local < 2; local++) {
		struct conn c;
		conn_open(&c, local);
		struct region buf;
		region_open(&buf, c.b.hca, c.b.pd, 4096, ALL_ACCESS);
		struct ibv_sge r = {.addr = iova(&buf, 0), .length = 4096, .lkey = buf.lkey};
		for (uint64_t i = 0; i < 5; i++)
			ck_assert_int_eq(post_recv(&c.b, i, &r, 1), 0);
		struct ibv_qp_attr attr = {.qp_state = IBV_QPS_ERR};
		ck_assert_int_eq(c.b.hca->ops->modify_qp(c.b.hca, c.b.qpn, &attr, IBV_QP_STATE), 0);
		for (uint64_t i = 0; i < 5; i++)
			expect_wc(&c.b, i, IBV_WC_WR_FLUSH_ERR, 0);
		ck_assert_int_eq(post_recv(&c.b, 9, &r, 1), 0);
		expect_wc(&c.b, 9, IBV_WC_WR_FLUSH_ERR, 0);
		/* the peer of an errored QP: its sends find nobody and time out */
		region_close(&buf);
		conn_close(&c);
	}
	world_close();
}
END_TEST

/* ---- the packet decoder ---- */

static size_t encode(uint8_t *buf, uint8_t opcode, uint32_t payload)
{
	struct soft_pkt pkt = {.opcode = opcode, .pkey = 0xffff, .dest_qpn = 0x1234, .psn = 0xabcdef,
			       .ackreq = 1, .va = 0x1122334455667788ull, .rkey = 0x99, .dma_length = payload,
			       .syndrome = SOFT_AETH_ACK_UNLIMITED, .msn = 3, .imm = 0x01020304,
			       .payload_bytes = payload};
	size_t header = soft_pkt_encode(buf, &pkt);
	memset(buf + header, 0x5a, payload);
	return soft_pkt_bytes(&pkt);
}

START_TEST(decoder_round_trip)
{
	static uint8_t buf[SOFT_PKT_MAX_BYTES];
	for (unsigned op = 0; op < SOFT_OP_COUNT; op++) {
		const struct soft_opcode_info *info = soft_opcode_info(op);
		uint32_t payload = (info->flags & SOFT_HDR_PAYLOAD) ? 4093 : 0;
		if (op == SOFT_OP_WRITE_FIRST)
			payload = 4093;   /* dma_length must exceed it: set below */
		size_t n = encode(buf, (uint8_t)op, payload);
		if (op == SOFT_OP_WRITE_FIRST)
			buf[SOFT_BTH_BYTES + 12] = 0x7f;   /* dma_length high byte */
		struct soft_pkt pkt;
		ck_assert_msg(soft_pkt_decode(buf, n, &pkt) == 0, "%s", info->name);
		ck_assert_uint_eq(pkt.opcode, op);
		ck_assert_uint_eq(pkt.psn, 0xabcdef);
		ck_assert_uint_eq(pkt.dest_qpn, 0x1234);
		ck_assert_uint_eq(pkt.payload_bytes, payload);
		ck_assert_uint_eq(pkt.ackreq, 1);
		if (info->flags & SOFT_HDR_RETH)
			ck_assert(pkt.va == 0x1122334455667788ull && pkt.rkey == 0x99);
		if (info->flags & SOFT_HDR_AETH)
			ck_assert(pkt.syndrome == SOFT_AETH_ACK_UNLIMITED && pkt.msn == 3);
		if (info->flags & SOFT_HDR_IMMDT)
			ck_assert_uint_eq(pkt.imm, 0x01020304);
	}
}
END_TEST

START_TEST(decoder_rejects_malformed)
{
	static uint8_t buf[SOFT_PKT_MAX_BYTES + 16];
	struct soft_pkt pkt;
	size_t n = encode(buf, SOFT_OP_SEND_ONLY, 100);
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), 0);
	for (size_t cut = 0; cut < SOFT_BTH_BYTES; cut++)   /* short */
		ck_assert_int_eq(soft_pkt_decode(buf, cut, &pkt), EINVAL);
	ck_assert_int_eq(soft_pkt_decode(NULL, 100, &pkt), EINVAL);
	ck_assert_int_eq(soft_pkt_decode(buf, n - 1, &pkt), EINVAL);   /* payload+pad not aligned */
	buf[0] = 0x13;   /* atomic: not spoken */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	buf[0] = 0xff;
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_SEND_ONLY, 100);
	buf[1] |= 0x01;   /* transport version */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_READ_REQUEST, 0);
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), 0);
	ck_assert_int_eq(soft_pkt_decode(buf, n - 1, &pkt), EINVAL);   /* RETH cut */
	ck_assert_int_eq(soft_pkt_decode(buf, n + 4, &pkt), EINVAL);   /* payload on a read request */
	buf[SOFT_BTH_BYTES + 12] = 0xff;   /* dma_length over 2 GiB */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_ACKNOWLEDGE, 0);
	buf[SOFT_BTH_BYTES] = 0x40;   /* reserved AETH type */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	buf[SOFT_BTH_BYTES] = 0x6f;   /* undefined NAK code */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_READ_RESPONSE_ONLY, 8);
	buf[SOFT_BTH_BYTES] = SOFT_AETH_NAK_REMOTE_ACCESS;   /* NAK in a read response */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_WRITE_ONLY, 64);
	buf[SOFT_BTH_BYTES + 15] = 65;   /* dma_length disagrees with the payload */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_SEND_MIDDLE, 4096);
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), 0);
	ck_assert_int_eq(soft_pkt_decode(buf, n + 4, &pkt), EINVAL);   /* payload over 4096 */
	/* random garbage never crashes the decoder */
	uint64_t x = 7;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t len = x % 80;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)(x >> (j % 56));
		buf[0] = (uint8_t)(x % 20);
		(void)soft_pkt_decode(buf, len, &pkt);
	}
}
END_TEST

/* Garbage sent to a live HCA's port is rejected and changes nothing. */
START_TEST(hca_survives_garbage)
{
	world_open(0);
	struct conn c;
	conn_open(&c, 0);
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(lid(sw.hca[1])),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static uint8_t buf[SOFT_PKT_MAX_BYTES];
	uint64_t x = 99;
	for (int i = 0; i < 2000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t len = encode(buf, (uint8_t)(x % SOFT_OP_COUNT), 0);
		buf[5] = (uint8_t)(c.b.qpn >> 16), buf[6] = (uint8_t)(c.b.qpn >> 8), buf[7] = (uint8_t)c.b.qpn;
		buf[9 + x % 3] ^= (uint8_t)(x >> 8);
		sendto(sock, buf, len + (x >> 20) % 9, 0, (struct sockaddr *)&to, sizeof to);
		if (i % 100 == 0)
			pump();
	}
	close(sock);
	for (int i = 0; i < 10; i++)
		pump();
	struct vhca_soft_stats st;
	vhca_soft_get_stats(sw.hca[1], &st);
	ck_assert_uint_gt(st.packets_rejected, 1000);
	transfer(&c, IBV_WR_SEND, 5000, 2);   /* the connection still works */
	conn_close(&c);
	world_close();
}
END_TEST

START_TEST(device_queries)
{
	world_open(0);
	struct ibv_device_attr d;
	ck_assert_int_eq(sw.hca[0]->ops->query_device(sw.hca[0], &d), 0);
	ck_assert_int_eq(d.max_qp, 4096);
	ck_assert_int_eq(d.max_mr, 4096);
	ck_assert_int_eq(d.max_cq, 4096);
	ck_assert_int_ne(lid(sw.hca[0]), lid(sw.hca[1]));
	struct ibv_port_attr p;
	ck_assert_int_eq(sw.hca[0]->ops->query_port(sw.hca[0], 2, &p), EINVAL);
	struct vhca_soft_config config;
	vhca_soft_default_config(&config);
	config.mtu_bytes = 1000;
	struct vhca *h;
	char err[200];
	ck_assert_int_eq(vhca_soft_create(&config, NULL, 0, &h, err, sizeof err), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "mtu_bytes"));
	/* a region description that lies is refused */
	uint8_t *pages[1] = {NULL};
	struct vhca_mem m = {.iova = 0, .length_bytes = 10, .page_count = 1, .pages = pages};
	uint32_t l, r;
	ck_assert_int_eq(sw.hca[0]->ops->reg_mr(sw.hca[0], sw.pd[0], &m, 0, &l, &r), EINVAL);
	static uint8_t page[PAGE] __attribute__((aligned(4096)));
	pages[0] = page;
	m.length_bytes = PAGE + 1;
	ck_assert_int_eq(sw.hca[0]->ops->reg_mr(sw.hca[0], sw.pd[0], &m, 0, &l, &r), EINVAL);
	m.length_bytes = 10;
	m.iova = UINT64_MAX - 5;
	ck_assert_int_eq(sw.hca[0]->ops->reg_mr(sw.hca[0], sw.pd[0], &m, 0, &l, &r), EINVAL);
	m.iova = 0;
	ck_assert_int_eq(sw.hca[0]->ops->reg_mr(sw.hca[0], sw.pd[0], &m, IBV_ACCESS_REMOTE_WRITE, &l, &r), EINVAL);
	ck_assert_int_eq(sw.hca[0]->ops->reg_mr(sw.hca[0], sw.pd[0], &m, 0, &l, &r), 0);
	ck_assert_int_eq(sw.hca[0]->ops->dereg_mr(sw.hca[0], l), 0);
	ck_assert_int_eq(sw.hca[0]->ops->dereg_mr(sw.hca[0], l), EINVAL);
	world_close();
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("soft_hca errors");
	TCase *packets = tcase_create("packets");
	tcase_add_test(packets, decoder_round_trip);
	tcase_add_test(packets, decoder_rejects_malformed);
	suite_add_tcase(suite, packets);
	TCase *errors = tcase_create("errors");
	tcase_set_timeout(errors, 60);
	tcase_add_test(errors, device_queries);
	tcase_add_test(errors, qp_state_machine);
	tcase_add_test(errors, protection_errors_over_the_wire);
	tcase_add_test(errors, protection_errors_on_the_same_host);
	tcase_add_test(errors, receiver_not_ready);
	tcase_add_test(errors, retries_exhausted);
	tcase_add_test(errors, slow_peer_within_the_ack_timeout);
	tcase_add_test(errors, infinite_ack_timeout);
	tcase_add_test(errors, flush_on_error);
	tcase_add_test(errors, hca_survives_garbage);
	suite_add_tcase(suite, errors);
	return run_suite(suite);
}
