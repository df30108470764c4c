/*
 * fuzz/fuzz_packet.c -- libFuzzer harness for the software HCA's packet path
 * from a peer host: the decoder (packet.c), the responder (resp.c), the
 * completer (comp.c) and the requester they drive (req.c).
 *
 * Each input gets a fresh software HCA H (so QPNs and, with H's key
 * generations zeroed, rkeys are the same for every input; fuzz/README.md
 * lists them) holding
 *   PD0: MR0 (all access, 3 pages), MR1 (local write + remote read, 2 pages),
 *        MR3 (local write only, 2 pages);  PD1: MR2 (all access, 1 page);
 *   one CQ of PK_CQE entries for everything;
 *   QP0 (PD0, all remote access) and QP1 (PD0, no remote access), both RTS
 *   and connected to the peer: ah_attr.dlid is a UDP socket of this process
 *   (so what H sends lands here and nowhere else), dest QPNs PK_PEER_QPN0/1,
 *   receive PSN PK_RQ_PSN and send PSN PK_SQ_PSN, near the 24-bit wrap;
 *   receives posted on both QPs.
 * Region pages are separate heap blocks listed in reverse order, so ASan
 * sees a copy that leaves its page.
 *
 * The input is a script of up to PK_MAX_STEPS actions, an opcode byte then
 * its operands (multi-byte operands little-endian):
 *   op % 8 = 0, 1, 2  a packet from the peer: length (2 bytes), then that
 *                     many bytes (fewer if the input ends), handed to the
 *                     soft HCA's receive path (soft_net_dispatch, the
 *                     function its UDP loop calls per datagram); op bit 3:
 *                     from a wrong port
 *   3  post a send on QP op>>3&1: kind, flags, local region, offset, length,
 *      remote region, offset, immediate (a WRITE, READ or SEND that H's
 *      requester turns into packets the peer can then answer)
 *   4  post a receive: QP, region, offset, length
 *   5  the retransmit and RNR timers fire now (deadlines forced due, then
 *      process(), the backend's call)
 *   6  poll the CQ
 *   7  control: deregister / register a region again, a QP to ERROR, or
 *      tracing on (a trace that is abandoned with H, so trace arguments
 *      taken from packets are exercised too)
 * After each action the harness checks what the code promises: every
 * packet H sent decodes and goes to a peer QPN; the send queue invariants
 * of soft.h hold (sq_head <= req.index <= sq_tail, at most the window in
 * flight); queues hold no more than their depth.  ASan, UBSan and
 * LeakSanitizer (H is destroyed after each input) watch the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_packet.h"
#include "vrdma/guest/verbs.h"
#include "vrdma/hca/hca.h"
#include "vrdma/hca/soft/soft.h"

#if defined(__SANITIZE_ADDRESS__)
#define PK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PK_ASAN 1
#endif
#endif
#ifdef PK_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define PK_MAX_POLL 64

static struct {
	int peer;                 /* the peer's UDP socket */
	uint16_t peer_port;
	struct vhca *hca;
	struct soft_hca *soft;
	uint32_t pd[2], cq, qpn[2];
	uint8_t *page[PK_PAGES];
	uint8_t *page_list[PK_NMR][PK_PAGES];
	struct vhca_mem mem[PK_NMR];
	uint32_t key[PK_NMR];     /* 0: not registered */
	uint64_t wr_id;
} w;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_packet: %s\n", what);
	abort();
}

/* ---- the world ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	w.peer = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t bytes = sizeof addr;
	if (w.peer < 0 || bind(w.peer, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    getsockname(w.peer, (struct sockaddr *)&addr, &bytes) != 0)
		die("peer socket");
	w.peer_port = ntohs(addr.sin_port);
	for (uint32_t i = 0; i < PK_PAGES; i++)
		if (!(w.page[i] = malloc(VHCA_PAGE_BYTES)))
			die("out of memory");
	return 0;
}

/* FIRST: the region's first registration, whose key the seeds know. */
static void reg_region(int i, int first)
{
	const struct pk_region *d = &pk_regions[i];
	for (uint32_t p = 0; p < d->pages; p++)   /* reverse host order */
		w.page_list[i][p] = w.page[d->first_page + d->pages - 1 - p];
	w.mem[i] = (struct vhca_mem){.iova = d->iova, .length_bytes = d->length_bytes,
				     .first_page_offset = d->first_page_offset, .page_count = d->pages,
				     .pages = w.page_list[i], .fd = -1};
	uint32_t lkey, rkey;
	if (w.hca->ops->reg_mr(w.hca, w.pd[d->pd], &w.mem[i], d->access, &lkey, &rkey) != 0)
		die("reg_mr");
	if (lkey != rkey || (first && lkey != PK_KEY(i)))
		die("the key is not the one the seeds use");
	w.key[i] = lkey;
}

static void connect_qp(int i, int access)
{
	struct vhca_qp_init init = {.pdn = w.pd[0], .send_cqn = w.cq, .recv_cqn = w.cq,
				    .cap = {.max_send_wr = PK_DEPTH, .max_recv_wr = PK_DEPTH,
					    .max_send_sge = PK_SGE, .max_recv_sge = PK_SGE,
					    .max_inline_data = PK_INLINE}};
	if (w.hca->ops->create_qp(w.hca, &init, &w.qpn[i]) != 0)
		die("create_qp");
	struct ibv_qp_attr a = {.qp_state = IBV_QPS_INIT, .port_num = 1,
				.qp_access_flags = (unsigned int)access};
	int e = w.hca->ops->modify_qp(w.hca, w.qpn[i], &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
				      IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	a = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTR, .path_mtu = vhca_mtu_enum(PK_MTU_BYTES),
				 .dest_qp_num = i ? PK_PEER_QPN1 : PK_PEER_QPN0, .rq_psn = PK_RQ_PSN,
				 .max_dest_rd_atomic = 4, .min_rnr_timer = 12,
				 .ah_attr = {.dlid = w.peer_port, .port_num = 1}};
	e = e ? e : w.hca->ops->modify_qp(w.hca, w.qpn[i], &a, IBV_QP_STATE | IBV_QP_AV |
					  IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
					  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
	/* retry_cnt and rnr_retry 2: the retry-exhausted paths are reachable */
	a = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTS, .sq_psn = PK_SQ_PSN, .timeout = PK_ACK_TIMEOUT,
				 .retry_cnt = 2, .rnr_retry = 2, .max_rd_atomic = 4};
	e = e ? e : w.hca->ops->modify_qp(w.hca, w.qpn[i], &a, IBV_QP_STATE | IBV_QP_SQ_PSN |
					  IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
					  IBV_QP_MAX_QP_RD_ATOMIC);
	if (e)
		die("modify_qp");
	if (w.qpn[i] != (i ? PK_QPN1 : PK_QPN0))
		die("QPN is not the one the seeds use");
}

/* A local SGE in region `mr` (or beyond it: offsets are not clamped to the
 * region, so bounds checks are fuzzed too). */
static struct ibv_sge sge_in(uint32_t mr, uint32_t offset, uint32_t length)
{
	const struct pk_region *d = &pk_regions[mr % PK_NMR];
	uint32_t key = w.key[mr % PK_NMR] ? w.key[mr % PK_NMR] : 0xdead00u;
	return (struct ibv_sge){.addr = d->iova + offset, .length = length, .lkey = key};
}

static void post_recv(uint32_t qp, struct ibv_sge *sge, int n)
{
	struct ibv_recv_wr wr = {.wr_id = ++w.wr_id, .sg_list = sge, .num_sge = n};
	(void)w.hca->ops->post_recv(w.hca, w.qpn[qp & 1], &wr);
}

static void world_open(void)
{
	char err[256];
	struct vhca_soft_config c;
	vhca_soft_default_config(&c);
	c.mtu_bytes = PK_MTU_BYTES;
	c.rnr_timer_us = PK_TIMER_US;
	c.max_outstanding_packets = PK_WINDOW_PACKETS;
	if (vhca_soft_create(&c, NULL, 0, &w.hca, err, sizeof err) != 0)
		die(err);
	w.soft = soft_hca(w.hca);
	memset(w.soft->mr_gen, 0, sizeof w.soft->mr_gen);   /* keys as the seeds know them */
	w.wr_id = 0;
	if (w.hca->ops->alloc_pd(w.hca, &w.pd[0]) || w.hca->ops->alloc_pd(w.hca, &w.pd[1]) ||
	    w.hca->ops->create_cq(w.hca, (int)PK_CQE, NULL, NULL, &w.cq))
		die("setup");
	for (int i = 0; i < PK_NMR; i++)
		reg_region(i, 1);
	connect_qp(0, PK_ALL_ACCESS);
	connect_qp(1, 0);
	/* QP0: one receive of 1500 bytes, one of two SGEs; QP1: one */
	struct ibv_sge one = sge_in(PK_MR0, 0, PK_RECV0_BYTES);
	struct ibv_sge two[2] = {sge_in(PK_MR0, 2000, 100), sge_in(PK_MR3, 0, PK_RECV1_BYTES - 100)};
	post_recv(0, &one, 1);
	post_recv(0, two, 2);
	post_recv(1, &one, 1);
}

static void world_close(void)
{
	struct vtrace *trace = w.hca->trace;
	w.hca->ops->destroy(w.hca);
	if (trace)
		vtrace_abandon(trace);
	w.hca = NULL;
	memset(w.key, 0, sizeof w.key);
}

/* ---- what H sent: every packet must be well formed and for the peer ---- */

static void drain_peer(void)
{
	static uint8_t buf[SOFT_PKT_MAX_BYTES + 64];
	for (;;) {
		ssize_t n = recv(w.peer, buf, sizeof buf, MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		struct soft_pkt pkt;
		if ((size_t)n > sizeof buf || soft_pkt_decode(buf, (size_t)n, &pkt) != 0)
			die("the HCA sent a packet its own decoder refuses");
		if (pkt.dest_qpn != PK_PEER_QPN0 && pkt.dest_qpn != PK_PEER_QPN1)
			die("the HCA sent a packet to a QPN that is not its peer's");
	}
}

/* ---- invariants (soft.h) ---- */

static void check_qp(uint32_t qpn)
{
	struct soft_qp *qp = soft_qp_get(w.soft, qpn);
	if (!qp)
		die("a QP vanished");
	if (qp->sq_tail - qp->sq_head > qp->sq_size || qp->rq_tail - qp->rq_head > qp->rq_size)
		die("a queue holds more than its depth");
	if (qp->state != IBV_QPS_RTS)
		return;
	if (qp->req.index - qp->sq_head > qp->sq_tail - qp->sq_head)
		die("send queue invariant broken: not sq_head <= req.index <= sq_tail");
	int32_t in_flight = soft_psn_diff(qp->req.psn, qp->comp.psn);
	if (in_flight < 0 || (uint32_t)in_flight > PK_WINDOW_PACKETS)
		die("PSNs in flight [comp.psn, req.psn) outside 0..window");
}

static int debug;   /* FUZZ_DEBUG set: the QPs after each action, the CQ at the end */

static void show_qps(const char *after)
{
	for (int i = 0; debug && i < 2; i++) {
		struct soft_qp *qp = soft_qp_get(w.soft, w.qpn[i]);
		fprintf(stderr, "%-8s QP%d state %d sq %u..%u req %u psn %06x comp %06x resp %06x rq %u..%u\n",
			after, i, qp->state, qp->sq_head, qp->sq_tail, qp->req.index, qp->req.psn,
			qp->comp.psn, qp->resp.psn, qp->rq_head, qp->rq_tail);
	}
}

static void check(void)
{
	drain_peer();
	check_qp(w.qpn[0]);
	check_qp(w.qpn[1]);
}

/* ---- actions ---- */

static void act_packet(struct in *in, uint8_t op)
{
	size_t bytes = g16(in);
	if (bytes > in->n)
		bytes = in->n;
	struct soft_hca *h = w.soft;
	if (bytes > sizeof h->rx) {   /* soft_net_receive_all's own check */
		h->stats.packets_rejected++;
		in->p += bytes, in->n -= bytes;
		return;
	}
	memcpy(h->rx, in->p, bytes);
	in->p += bytes, in->n -= bytes;
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				   .sin_port = htons((uint16_t)(w.peer_port + ((op & PK_FROM_WRONG_PORT) ? 1 : 0)))};
	/* the datagram's end is the buffer's end: a read past it is a report */
	POISON(h->rx + bytes, sizeof h->rx - bytes);
	soft_net_dispatch(h, bytes, &from);
	UNPOISON(h->rx + bytes, sizeof h->rx - bytes);
}

static void act_post_send(struct in *in, uint8_t op)
{
	static const enum ibv_wr_opcode kinds[] = {IBV_WR_RDMA_WRITE, IBV_WR_RDMA_WRITE_WITH_IMM,
						   IBV_WR_SEND, IBV_WR_SEND_WITH_IMM, IBV_WR_RDMA_READ};
	enum ibv_wr_opcode kind = kinds[g8(in) % PK_SEND_KINDS];
	uint8_t flags = g8(in);
	uint8_t local_mr = g8(in);
	uint32_t local_off = g16(in) % PK_MAX_LOCAL_BYTES, length = g16(in) % PK_MAX_LOCAL_BYTES;
	uint8_t remote_mr = g8(in);
	uint32_t remote_off = g16(in) % PK_MAX_LOCAL_BYTES, imm = g32(in);
	static uint8_t inline_bytes[PK_INLINE];
	struct ibv_sge sge[PK_SGE] = {sge_in(local_mr, local_off, length),
				      sge_in(PK_MR3, 0, length / 2u)};
	struct ibv_send_wr wr = {.wr_id = ++w.wr_id, .opcode = kind, .sg_list = sge,
				 .num_sge = (flags & PK_F_TWO_SGE) ? 2 : 1, .imm_data = imm,
				 .send_flags = (flags & PK_F_SIGNALED) ? IBV_SEND_SIGNALED : 0};
	if (flags & PK_F_INLINE) {   /* inline: the bytes are the caller's */
		sge[0] = (struct ibv_sge){.addr = (uintptr_t)inline_bytes, .length = length % (PK_INLINE + 1u)};
		wr.num_sge = 1;
		wr.send_flags |= IBV_SEND_INLINE;
	}
	if (flags & PK_F_SOLICITED)
		wr.send_flags |= IBV_SEND_SOLICITED;
	const struct pk_region *r = &pk_regions[remote_mr % PK_NMR];
	wr.wr.rdma.remote_addr = r->iova + remote_off;
	wr.wr.rdma.rkey = (remote_mr & PK_REMOTE_RAW_KEY) ? imm : w.key[remote_mr % PK_NMR];
	(void)w.hca->ops->post_send(w.hca, w.qpn[(op & PK_ON_QP1) ? 1 : 0], &wr);
}

static void act_post_recv(struct in *in)
{
	uint8_t qp = g8(in), mr = g8(in);
	uint32_t off = g16(in) % PK_MAX_LOCAL_BYTES, length = g16(in) % PK_MAX_LOCAL_BYTES;
	struct ibv_sge sge = sge_in(mr, off, length);
	post_recv(qp, &sge, 1);
}

/* Both timers of both QPs due now, then the backend's process() call,
 * which runs the timer list as a timerfd wake-up would. */
static void act_timers(void)
{
	for (int i = 0; i < 2; i++) {
		struct soft_qp *qp = soft_qp_get(w.soft, w.qpn[i]);
		if (qp->retx_deadline_ns)
			qp->retx_deadline_ns = 1;
		if (qp->rnr_deadline_ns)
			qp->rnr_deadline_ns = 1;
	}
	if (w.soft->timers)
		w.soft->timer_armed_ns = 1;
	w.hca->ops->process(w.hca);
}

static void act_poll(void)
{
	struct ibv_wc wc[PK_MAX_POLL];
	(void)w.hca->ops->poll_cq(w.hca, w.cq, PK_MAX_POLL, wc);
}

/* A trace written beside $TMPDIR/fuzz_packet.vtrace, abandoned (removed)
 * when H goes. */
static void trace_on(void)
{
	char err[256];
	if (w.hca->trace)
		return;
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/fuzz_packet.vtrace", tmp && *tmp ? tmp : "/tmp");
	w.hca->trace = vtrace_open(path, "harness: fuzz_packet\n", err, sizeof err);
	if (!w.hca->trace)
		die(err);
}

static void act_control(struct in *in)
{
	uint8_t what = g8(in), which = g8(in);
	int mr = which % PK_NMR;
	switch (what % PK_CTL_KINDS) {
	case PK_CTL_DEREG:   /* a region goes away (mid-message, under a posted WQE...) */
		if (w.key[mr] && w.hca->ops->dereg_mr(w.hca, w.key[mr]) == 0)
			w.key[mr] = 0;
		break;
	case PK_CTL_REREG:
		if (!w.key[mr])
			reg_region(mr, 0);
		break;
	case PK_CTL_QP_ERROR: {
		struct ibv_qp_attr a = {.qp_state = IBV_QPS_ERR};
		(void)w.hca->ops->modify_qp(w.hca, w.qpn[which & 1], &a, IBV_QP_STATE);
		break;
	}
	default:
		trace_on();
		break;
	}
}

/* What the input did, for checking seeds. */
static void debug_dump(void)
{
	const struct vhca_soft_stats *st = &w.soft->stats;
	fprintf(stderr, "H: received %llu rejected %llu sent %llu retransmits %llu timeouts %llu rnr %llu\n",
		(unsigned long long)st->packets_received, (unsigned long long)st->packets_rejected,
		(unsigned long long)st->packets_sent, (unsigned long long)st->retransmits,
		(unsigned long long)st->timeouts, (unsigned long long)st->rnr_naks);
	show_qps("end");
	struct ibv_wc wc[PK_MAX_POLL];
	int n = w.hca->ops->poll_cq(w.hca, w.cq, PK_MAX_POLL, wc);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  CQE qp %06x wr_id %llu opcode %d status %s bytes %u\n", wc[i].qp_num,
			(unsigned long long)wc[i].wr_id, wc[i].opcode, vrdma_wc_status_str(wc[i].status),
			wc[i].byte_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	debug = getenv("FUZZ_DEBUG") != NULL;
	world_open();
	check();
	for (int steps = 0; in.n > 0 && steps < PK_MAX_STEPS; steps++) {
		uint8_t op = g8(&in);
		if (debug)
			fprintf(stderr, "action %u (op %u), %zu bytes left\n", op % 8u, op, in.n);
		switch (op % 8u) {
		case PK_ACT_PACKET: case PK_ACT_PACKET + 1: case PK_ACT_PACKET + 2:
			act_packet(&in, op);
			break;
		case PK_ACT_SEND: act_post_send(&in, op); break;
		case PK_ACT_RECV: act_post_recv(&in); break;
		case PK_ACT_TIMERS: act_timers(); break;
		case PK_ACT_POLL: act_poll(); break;
		default: act_control(&in); break;
		}
		show_qps("after");
		check();
	}
	if (debug)
		debug_dump();
	world_close();
	drain_peer();
	return 0;
}
