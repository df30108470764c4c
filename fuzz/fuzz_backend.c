/*
 * fuzz/fuzz_backend.c -- libFuzzer harness for the vRDMA backend's trust
 * boundary: the command channel and the ring consumer.
 *
 * One host (software HCA + backend) and two guests, made once per process:
 *   A  the attacker: a raw VM whose memory the harness writes directly (no
 *      guest driver), with a fixed layout (below);
 *   B  an honest peer, driven by the real guest driver.
 * Before each input A is reset and set up again by hand (DSR, PD, a
 * registered region, a CQ, a QP), and B gets a fresh QP connected to A's
 * QP, so every input starts at the command channel and the ring consumer.
 * The input is then a script of guest actions on A: raw writes into its
 * memory (DSR, slots, rings, page directories, scratch), register writes,
 * UAR doorbells, raw and structured commands, WQEs, ring indices.
 *
 * Determinism: the backend runs on its own thread.  Every action that
 * kicks the backend is followed by a wait for its end: a REQUEST, ACTIVATE
 * or RESET by vector 0 itself (always raised, IMR bit 0 is kept clear); a
 * doorbell by a QUERY_PORT command, because the backend takes pending
 * doorbells before the command of the same wake-up.  The same-host copy
 * path runs inside post_send, so a data transfer is over when the doorbell
 * is.  (Only RNR waits and retransmissions use HCA timers; dlid is forced to
 * the host's own LID so nothing leaves over UDP.)  A vector-0 wait longer
 * than 5 s is reported as a hang (abort).
 *
 * After each input: B's memory outside what the device may legitimately
 * write (its remotely writable region, its CQ ring, its QP's ring-state
 * page, its event rings) is byte for byte what it was; A, reset and
 * activated again, and B both get an answer to QUERY_PORT.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vrdma/backend/backend.h"
#include "vrdma/device/abi.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"
#include "vrdma/guest/internal.h"
#include "vrdma/guest/verbs.h"
#include "fuzz/fuzz.h"
#include "vrdma/hca/hca.h"

#define PAGE VRDMA_PAGE_BYTES
#define A_PAGES 256u
#define B_MEMORY (2u << 20)
#define B_REGION_BYTES (64u << 10)

/* A's layout, in pages. */
enum {
	P_DSR = 0, P_REQ = 1, P_RESP = 2,
	P_ASYNC_DIR = 3, P_ASYNC_TAB = 4, P_ASYNC = 5,     /* 2 pages */
	P_NOTIFY_DIR = 7, P_NOTIFY_TAB = 8, P_NOTIFY = 9,  /* 2 pages */
	P_CQ_DIR = 11, P_CQ_TAB = 12, P_CQ = 13,           /* 2 pages: 64 CQEs */
	P_QP_DIR = 15, P_QP_TAB = 16, P_QP = 17,           /* 3 pages: state, SQ 16, RQ 16 */
	P_MR_DIR = 20, P_MR_TAB = 21,
	P_REGION = 32, REGION_PAGES = 16,
	P_SCRATCH = 64, SCRATCH_PAGES = A_PAGES - 64
};
#define A_CQE 64u
#define A_DEPTH 16u
#define A_SGE 4u
#define A_INLINE 64u
#define A_IOVA 0x7f0000001000ull

static struct {
	struct vhca *hca;
	struct vbackend *backend;
	uint16_t lid;
	struct vrdma_vm *a;
	uint8_t *am;              /* A's memory */
	uint64_t token;
	uint32_t pd, mr, lkey, rkey, cq, qp, qpn;
	uint32_t sq_prod, rq_prod;
	/* B */
	struct vrdma_vm *bvm;
	struct vrdma_context *b;
	struct vrdma_pd *bpd;
	struct vrdma_cq *bcq;
	uint8_t *bbuf;
	struct vrdma_mr *bmr;
	struct vrdma_qp *bqp;
	uint8_t *bsnap;
} w;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_backend: %s\n", what);
	abort();
}

/* ---- A: raw device access ---- */

static uint8_t *apage(uint32_t page) { return w.am + (size_t)page * PAGE; }
static uint64_t agpa(uint32_t page) { return (uint64_t)page * PAGE; }

static void wait_vector0(void)
{
	struct pollfd p = { .fd = w.a->irq_fd[VRDMA_VECTOR_COMMAND], .events = POLLIN };
	int rc;
	while ((rc = poll(&p, 1, 5000)) < 0 && errno == EINTR)
		;
	if (rc == 0)
		die("the backend did not raise vector 0 within 5 s (hang)");
	uint64_t count;
	if (read(p.fd, &count, sizeof count) != sizeof count)
		die("read vector 0");
}

static void reg(uint32_t offset, uint32_t value)
{
	vdev_write_register(w.a->device, offset, value);
}

/* The request slot's current contents as a command: REQUEST, wait. */
static void kick_request(void)
{
	reg(VRDMA_REG_REQUEST, 1);
	wait_vector0();
}

/* A command from the harness: 0 or errno; EIO when no proper response. */
static int acmd(union vrdma_request *req, uint32_t command, union vrdma_response *resp)
{
	req->hdr.command = command;
	req->hdr.token = ++w.token;
	memcpy(apage(P_REQ), req, sizeof *req);
	memset(apage(P_RESP), 0, PAGE);
	kick_request();
	memcpy(resp, apage(P_RESP), sizeof *resp);
	if (resp->hdr.token != req->hdr.token || resp->hdr.ack != (command | VRDMA_RESPONSE_ACK))
		return EIO;
	return (int)resp->hdr.err;
}

/* All previous doorbells have been served when this returns. */
static void sync_backend(void)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_port.port_num = 1;
	reg(VRDMA_REG_IMR, 0);
	acmd(&req, VRDMA_CMD_QUERY_PORT, &resp);
}

/* A one-table directory at dir/table listing `n` (<= 512) page GPAs. */
static void build_dir(uint32_t dir, uint32_t table, const uint64_t *gpas, uint32_t n)
{
	uint64_t *d = (uint64_t *)apage(dir), *t = (uint64_t *)apage(table);
	memset(d, 0, PAGE);
	memset(t, 0, PAGE);
	d[0] = agpa(table);
	for (uint32_t i = 0; i < n && i < VPD_ENTRIES_PER_PAGE; i++)
		t[i] = gpas[i];
}

static void build_contig_dir(uint32_t dir, uint32_t table, uint32_t first, uint32_t n)
{
	uint64_t gpas[32];
	for (uint32_t i = 0; i < n; i++)
		gpas[i] = agpa(first + i);
	build_dir(dir, table, gpas, n);
}

static void write_clean_dsr(void)
{
	struct vrdma_dsr dsr;
	memset(&dsr, 0, sizeof dsr);
	dsr.driver_version = VRDMA_ABI_VERSION;
	dsr.request_slot_gpa = agpa(P_REQ);
	dsr.response_slot_gpa = agpa(P_RESP);
	dsr.async_ring = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_ASYNC_DIR), .page_count = 2 };
	dsr.notify_ring = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_NOTIFY_DIR), .page_count = 2 };
	memcpy(apage(P_DSR), &dsr, sizeof dsr);
}

static void a_reset(void)
{
	reg(VRDMA_REG_IMR, 0);
	reg(VRDMA_REG_CTL, VRDMA_CTL_RESET);
	wait_vector0();
}

static int a_activate(void)
{
	reg(VRDMA_REG_IMR, 0);
	reg(VRDMA_REG_DSR_LOW, (uint32_t)agpa(P_DSR));
	reg(VRDMA_REG_DSR_HIGH, 0);
	reg(VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE);
	wait_vector0();
	return (int)vdev_read_register(w.a->device, VRDMA_REG_ERR);
}

static void modify_a_qp_to_rts(uint32_t dest_qpn)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = w.qp;
	req.modify_qp.attr_mask = IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS;
	req.modify_qp.attr.qp_state = IBV_QPS_INIT;
	req.modify_qp.attr.port_num = 1;
	req.modify_qp.attr.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	if (acmd(&req, VRDMA_CMD_MODIFY_QP, &resp) != 0)
		die("A: INIT");
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = w.qp;
	req.modify_qp.attr_mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
	req.modify_qp.attr.qp_state = IBV_QPS_RTR;
	req.modify_qp.attr.path_mtu = IBV_MTU_4096;
	req.modify_qp.attr.dest_qp_num = dest_qpn;
	req.modify_qp.attr.rq_psn = 100;
	req.modify_qp.attr.max_dest_rd_atomic = 16;
	req.modify_qp.attr.min_rnr_timer = 1;
	req.modify_qp.attr.dlid = w.lid;
	req.modify_qp.attr.port_num = 1;
	if (acmd(&req, VRDMA_CMD_MODIFY_QP, &resp) != 0)
		die("A: RTR");
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = w.qp;
	req.modify_qp.attr_mask = IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				  IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC;
	req.modify_qp.attr.qp_state = IBV_QPS_RTS;
	req.modify_qp.attr.sq_psn = 100;
	req.modify_qp.attr.timeout = 14;
	req.modify_qp.attr.retry_cnt = 1;
	req.modify_qp.attr.rnr_retry = 0; /* an RNR fails at once: no timers */
	req.modify_qp.attr.max_rd_atomic = 16;
	if (acmd(&req, VRDMA_CMD_MODIFY_QP, &resp) != 0)
		die("A: RTS");
}

static void a_setup(void)
{
	union vrdma_request req;
	union vrdma_response resp;
	a_reset();
	memset(w.am, 0, (size_t)A_PAGES * PAGE);
	write_clean_dsr();
	build_contig_dir(P_ASYNC_DIR, P_ASYNC_TAB, P_ASYNC, 2);
	build_contig_dir(P_NOTIFY_DIR, P_NOTIFY_TAB, P_NOTIFY, 2);
	if (a_activate() != 0)
		die("A: activate");
	memset(&req, 0, sizeof req);
	if (acmd(&req, VRDMA_CMD_CREATE_PD, &resp) != 0)
		die("A: CREATE_PD");
	w.pd = resp.create_pd.pd_handle;
	build_contig_dir(P_MR_DIR, P_MR_TAB, P_REGION, REGION_PAGES);
	memset(&req, 0, sizeof req);
	req.create_mr.iova = A_IOVA;
	req.create_mr.length_bytes = (uint64_t)REGION_PAGES * PAGE;
	req.create_mr.pd_handle = w.pd;
	req.create_mr.access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	req.create_mr.pages = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_MR_DIR), .page_count = REGION_PAGES };
	if (acmd(&req, VRDMA_CMD_CREATE_MR, &resp) != 0)
		die("A: CREATE_MR");
	w.mr = resp.create_mr.mr_handle;
	w.lkey = resp.create_mr.lkey;
	w.rkey = resp.create_mr.rkey;
	build_contig_dir(P_CQ_DIR, P_CQ_TAB, P_CQ, 2);
	memset(&req, 0, sizeof req);
	req.create_cq.cqe_count = A_CQE;
	req.create_cq.ring = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_CQ_DIR), .page_count = 2 };
	if (acmd(&req, VRDMA_CMD_CREATE_CQ, &resp) != 0)
		die("A: CREATE_CQ");
	w.cq = resp.create_cq.cq_handle;
	build_contig_dir(P_QP_DIR, P_QP_TAB, P_QP, 3);
	memset(&req, 0, sizeof req);
	req.create_qp.pd_handle = w.pd;
	req.create_qp.send_cq_handle = req.create_qp.recv_cq_handle = w.cq;
	req.create_qp.max_send_wr = req.create_qp.max_recv_wr = A_DEPTH;
	req.create_qp.max_send_sge = req.create_qp.max_recv_sge = A_SGE;
	req.create_qp.max_inline_data = A_INLINE;
	req.create_qp.sq_first_page = 1;
	req.create_qp.rq_first_page = 2;
	req.create_qp.pages = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_QP_DIR), .page_count = 3 };
	if (acmd(&req, VRDMA_CMD_CREATE_QP, &resp) != 0)
		die("A: CREATE_QP");
	w.qp = resp.create_qp.qp_handle;
	w.qpn = resp.create_qp.qpn;
	w.sq_prod = w.rq_prod = 0;
}

/* ---- B: the honest driver ---- */

static void b_to_rts(uint32_t dest_qpn)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	if (vrdma_modify_qp(w.bqp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		die("B: INIT");
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_4096;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 100;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 1;
	a.ah_attr.dlid = w.lid;
	a.ah_attr.port_num = 1;
	if (vrdma_modify_qp(w.bqp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
					      IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		die("B: RTR");
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 100;
	a.timeout = 14;
	a.retry_cnt = 1;
	a.rnr_retry = 0;
	a.max_rd_atomic = 16;
	if (vrdma_modify_qp(w.bqp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
					      IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC))
		die("B: RTS");
}

static void b_drain_cq(void)
{
	struct ibv_wc wc[16];
	while (vrdma_poll_cq(w.bcq, 16, wc) > 0)
		;
	enum ibv_event_type type;
	uint32_t handle;
	while (vrdma_poll_async_event(w.b, &type, &handle))
		;
}

static void b_new_qp(void)
{
	if (w.bqp != NULL && vrdma_destroy_qp(w.bqp) != 0)
		die("B: destroy QP");
	b_drain_cq();
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 4, .max_recv_sge = 4,
			 .max_inline_data = 64 },
	};
	w.bqp = vrdma_create_qp(w.bpd, w.bcq, w.bcq, &init);
	if (w.bqp == NULL)
		die("B: create QP");
	b_to_rts(w.qpn);
	/* receives for A's sends: the second half of B's region */
	for (int i = 0; i < 4; i++) {
		struct ibv_sge sge = { .addr = (uintptr_t)(w.bbuf + B_REGION_BYTES / 2 + (size_t)i * 4096),
				       .length = 4096, .lkey = w.bmr->lkey };
		struct ibv_recv_wr wr = { .wr_id = 1000u + (unsigned)i, .sg_list = &sge, .num_sge = 1 }, *bad;
		if (vrdma_post_recv(w.bqp, &wr, &bad) != 0)
			die("B: post_recv");
	}
}

/* B's memory the device may write: its region (A may RDMA-write there),
 * its CQ ring, its QP's ring-state page, its event rings. */
static int b_may_change(uint64_t gpa)
{
	const struct vgm_map *m = &w.bvm->memory;
	uint64_t region = (uint64_t)(w.bbuf - m->base);
	uint64_t cq = (uint64_t)(w.bcq->memory - m->base);
	uint64_t qp = (uint64_t)(w.bqp->memory - m->base);
	uint64_t as = w.b->async_ring.gpa, ns = w.b->notify_ring.gpa;
	return (gpa >= region && gpa < region + B_REGION_BYTES) ||
	       (gpa >= cq && gpa < cq + (uint64_t)w.bcq->memory_pages * PAGE) ||
	       (gpa >= qp && gpa < qp + PAGE) ||
	       (gpa >= as && gpa < as + (uint64_t)w.b->async_ring.pages * PAGE) ||
	       (gpa >= ns && gpa < ns + (uint64_t)w.b->notify_ring.pages * PAGE);
}

static void b_check_untouched(void)
{
	const uint8_t *now = w.bvm->memory.base;
	for (uint64_t page = 0; page < B_MEMORY / PAGE; page++) {
		uint64_t gpa = page * PAGE;
		if (b_may_change(gpa))
			continue;
		if (memcmp(now + gpa, w.bsnap + gpa, PAGE) != 0) {
			fprintf(stderr, "fuzz_backend: the honest guest's page at GPA 0x%llx changed\n",
				(unsigned long long)gpa);
			abort();
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.rnr_timer_us = 100;
	if (vhca_soft_create(&hc, NULL, 1, &w.hca, err, sizeof err) != 0)
		die(err);
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = w.hca;
	bc.host_id = 1;
	if (vbackend_start(&bc, &w.backend, err, sizeof err) != 0)
		die(err);
	struct ibv_port_attr port;
	memset(&port, 0, sizeof port);
	w.hca->ops->query_port(w.hca, 1, &port);
	w.lid = port.lid;
	if (vbackend_create_vm(w.backend, (uint64_t)A_PAGES * PAGE, &w.a, err, sizeof err) != 0)
		die(err);
	w.am = w.a->memory.base;
	if (vbackend_create_vm(w.backend, B_MEMORY, &w.bvm, err, sizeof err) != 0)
		die(err);
	w.b = vrdma_open_device(w.bvm);
	if (w.b == NULL)
		die("B: open");
	w.bpd = vrdma_alloc_pd(w.b);
	w.bcq = vrdma_create_cq(w.b, 256, NULL, NULL);
	w.bbuf = vrdma_alloc_buffer(w.b, B_REGION_BYTES);
	if (!w.bpd || !w.bcq || !w.bbuf)
		die("B: setup");
	w.bmr = vrdma_reg_mr(w.bpd, w.bbuf, B_REGION_BYTES,
			     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (w.bmr == NULL)
		die("B: reg_mr");
	w.bsnap = malloc(B_MEMORY);
	if (w.bsnap == NULL)
		die("out of memory");
	return 0;
}

/* ---- actions ---- */

/* A place in A's memory an action writes to: a page range by selector. */
static uint64_t target_gpa(struct in *in, uint32_t *room)
{
	static const uint16_t first[] = { P_DSR, P_REQ, P_ASYNC, P_NOTIFY, P_CQ, P_CQ_DIR, P_QP, P_QP + 1,
					  P_QP + 2, P_QP_DIR, P_MR_DIR, P_ASYNC_DIR, P_SCRATCH, P_REGION };
	static const uint16_t pages[] = { 1, 1, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, SCRATCH_PAGES, REGION_PAGES };
	uint8_t sel = g8(in);
	uint32_t off = g16(in);
	if (sel >= sizeof first / sizeof first[0]) {
		uint64_t gpa = ((uint64_t)g8(in) << 16 | off) % ((uint64_t)A_PAGES * PAGE);
		*room = (uint32_t)((uint64_t)A_PAGES * PAGE - gpa);
		return gpa;
	}
	uint32_t span = (uint32_t)pages[sel] * PAGE;
	off %= span;
	*room = span - off;
	return agpa(first[sel]) + off;
}

static void act_poke32(struct in *in)
{
	uint32_t room;
	uint64_t gpa = target_gpa(in, &room) & ~(uint64_t)3;
	uint32_t v = g32(in);
	__atomic_store_n((uint32_t *)(w.am + gpa), v, __ATOMIC_RELEASE);
}

static void act_poke_bytes(struct in *in)
{
	uint32_t room;
	uint64_t gpa = target_gpa(in, &room);
	uint32_t len = g8(in) % 64u;
	for (uint32_t i = 0; i < len && i < room; i++)
		w.am[gpa + i] = g8(in);
}

static void act_register(struct in *in)
{
	uint32_t offset = g8(in) & 0x3fu;
	uint32_t value = g32(in);
	if (offset == VRDMA_REG_IMR)
		value &= ~1u; /* vector 0 stays the harness's clock */
	if (offset == VRDMA_REG_CTL && (value & 3u))
		value &= 3u; /* mostly ACTIVATE and RESET, which kick */
	reg(offset, value);
	if (offset == VRDMA_REG_REQUEST ||
	    (offset == VRDMA_REG_CTL && (value == VRDMA_CTL_ACTIVATE || value == VRDMA_CTL_RESET)))
		wait_vector0();
}

static void act_uar(struct in *in)
{
	uint8_t kind = g8(in);
	uint32_t value;
	uint32_t offset = VRDMA_UAR_QP;
	switch (kind % 5) {
	case 0: value = w.qp | VRDMA_UAR_QP_SEND; break;
	case 1: value = w.qp | VRDMA_UAR_QP_RECV; break;
	case 2: offset = VRDMA_UAR_CQ; value = w.cq | VRDMA_UAR_CQ_ARM; break;
	case 3: offset = VRDMA_UAR_CQ; value = g32(in); break;
	default: offset = g8(in); value = g32(in); break;
	}
	vdev_write_uar(w.a->device, offset, value);
	sync_backend();
}

/* Keep A's QP on this host: a dlid elsewhere would send UDP packets to
 * arbitrary ports of this machine. */
static void tame_modify(union vrdma_request *req)
{
	if (req->hdr.command == VRDMA_CMD_MODIFY_QP && (req->modify_qp.attr_mask & IBV_QP_AV))
		req->modify_qp.attr.dlid = w.lid;
}

static void act_raw_command(struct in *in)
{
	union vrdma_request req;
	memset(&req, 0, sizeof req);
	uint8_t cmd = g8(in);
	uint32_t len = g8(in);
	uint8_t *body = (uint8_t *)&req + sizeof req.hdr;
	for (uint32_t i = 0; i < len && i < sizeof req - sizeof req.hdr; i++)
		body[i] = g8(in);
	req.hdr.command = cmd < 16 ? cmd : g32(in);
	req.hdr.token = ++w.token;
	tame_modify(&req);
	memcpy(apage(P_REQ), &req, sizeof req);
	kick_request();
}

static uint64_t pick_addr(struct in *in)
{
	uint8_t how = g8(in);
	uint32_t off = g16(in);
	switch (how % 5) {
	case 0: return A_IOVA + off % (REGION_PAGES * PAGE);
	case 1: return (uintptr_t)w.bbuf + off % B_REGION_BYTES;
	case 2: return A_IOVA + (REGION_PAGES * PAGE) - (off & 0xff);
	case 3: return A_IOVA - (off & 0xff);
	default: return g64(in);
	}
}

static uint32_t pick_key(struct in *in)
{
	switch (g8(in) % 6) {
	case 0: return w.lkey;
	case 1: return w.rkey;
	case 2: return w.bmr->lkey;
	case 3: return w.bmr->rkey;
	case 4: return 0;
	default: return g32(in);
	}
}

static uint32_t pick_len(struct in *in)
{
	uint8_t how = g8(in);
	switch (how % 4) {
	case 0: return g8(in);
	case 1: return g16(in);
	case 2: return (uint32_t)REGION_PAGES * PAGE;
	default: return g32(in);
	}
}

static void act_post_send(struct in *in)
{
	struct vrdma_send_wqe wqe;
	memset(&wqe, 0, sizeof wqe);
	static const uint32_t ops[] = { IBV_WR_RDMA_WRITE, IBV_WR_RDMA_WRITE_WITH_IMM, IBV_WR_SEND,
					IBV_WR_SEND_WITH_IMM, IBV_WR_RDMA_READ, IBV_WR_ATOMIC_CMP_AND_SWP };
	uint8_t op = g8(in);
	wqe.wr_id = g16(in);
	wqe.opcode = op < 6 * 40 ? ops[op % 6] : g32(in);
	wqe.send_flags = g8(in);
	if (wqe.send_flags & 0x80)
		wqe.send_flags = g32(in);
	uint8_t n = g8(in);
	wqe.num_sge = n < 200 ? n % (A_SGE + 2) : g32(in);
	wqe.imm_data = g32(in);
	wqe.remote_addr = pick_addr(in);
	wqe.rkey = pick_key(in);
	if (wqe.send_flags & IBV_SEND_INLINE) {
		wqe.inline_bytes = g8(in);
		for (uint32_t i = 0; i < 16 && i < wqe.inline_bytes && i < VRDMA_MAX_INLINE_BYTES; i++)
			wqe.u.inline_data[i] = g8(in);
	} else {
		for (uint32_t i = 0; i < VRDMA_MAX_SGE && i < wqe.num_sge; i++) {
			wqe.u.sge[i].addr = pick_addr(in);
			wqe.u.sge[i].length = pick_len(in);
			wqe.u.sge[i].lkey = pick_key(in);
		}
	}
	uint8_t *slot = apage(P_QP + 1) + (size_t)vring_slot(w.sq_prod, A_DEPTH) * VRDMA_WQE_BYTES;
	memcpy(slot, &wqe, sizeof wqe);
	w.sq_prod = vring_next(w.sq_prod, A_DEPTH);
	vring_store((uint32_t *)(apage(P_QP) + VRDMA_QP_SQ_STATE_OFFSET), w.sq_prod);
	vdev_write_uar(w.a->device, VRDMA_UAR_QP, w.qp | VRDMA_UAR_QP_SEND);
	sync_backend();
}

static void act_post_recv(struct in *in)
{
	struct vrdma_recv_wqe wqe;
	memset(&wqe, 0, sizeof wqe);
	wqe.wr_id = g16(in);
	uint8_t n = g8(in);
	wqe.num_sge = n < 200 ? n % (A_SGE + 2) : g32(in);
	for (uint32_t i = 0; i < VRDMA_MAX_SGE && i < wqe.num_sge; i++) {
		wqe.sge[i].addr = pick_addr(in);
		wqe.sge[i].length = pick_len(in);
		wqe.sge[i].lkey = pick_key(in);
	}
	uint8_t *slot = apage(P_QP + 2) + (size_t)vring_slot(w.rq_prod, A_DEPTH) * VRDMA_WQE_BYTES;
	memcpy(slot, &wqe, sizeof wqe);
	w.rq_prod = vring_next(w.rq_prod, A_DEPTH);
	vring_store((uint32_t *)(apage(P_QP) + VRDMA_QP_RQ_STATE_OFFSET), w.rq_prod);
	vdev_write_uar(w.a->device, VRDMA_UAR_QP, w.qp | VRDMA_UAR_QP_RECV);
	sync_backend();
}

static void act_set_index(struct in *in)
{
	uint8_t which = g8(in);
	uint32_t v = g32(in);
	uint32_t *index;
	switch (which % 5) {
	case 0: index = (uint32_t *)(apage(P_QP) + VRDMA_QP_SQ_STATE_OFFSET); w.sq_prod = v; break;
	case 1: index = (uint32_t *)(apage(P_QP) + VRDMA_QP_RQ_STATE_OFFSET); w.rq_prod = v; break;
	case 2: index = &((struct vrdma_ring_state *)apage(P_CQ))->cons_head; break;
	case 3: index = &((struct vrdma_ring_state *)apage(P_ASYNC))->cons_head; break;
	default: index = &((struct vrdma_ring_state *)apage(P_NOTIFY))->cons_head; break;
	}
	vring_store(index, v);
	if (which & 0x80) {
		vdev_write_uar(w.a->device, VRDMA_UAR_QP, w.qp | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
		sync_backend();
	}
}

/* Consume everything in A's CQ and event rings, as a driver would. */
static void act_consume(void)
{
	struct vrdma_ring_state *s[] = { (void *)apage(P_CQ), (void *)apage(P_ASYNC), (void *)apage(P_NOTIFY) };
	for (int i = 0; i < 3; i++)
		vring_store(&s[i]->cons_head, vring_load(&s[i]->prod_tail));
}

/* A directory in scratch pages from the input: n entries, each a good page,
 * an unaligned or outside GPA, or raw. */
static struct vrdma_pdir_ref fuzz_dir(struct in *in, uint32_t n_good_first, uint32_t good_count)
{
	uint32_t n = g16(in) % 1100u;
	uint64_t *d = (uint64_t *)apage(P_SCRATCH), *t0 = (uint64_t *)apage(P_SCRATCH + 1),
		 *t1 = (uint64_t *)apage(P_SCRATCH + 2), *t2 = (uint64_t *)apage(P_SCRATCH + 3);
	memset(d, 0, PAGE);
	d[0] = agpa(P_SCRATCH + 1);
	d[1] = agpa(P_SCRATCH + 2);
	d[2] = agpa(P_SCRATCH + 3);
	uint8_t mode = g8(in);
	for (uint32_t i = 0; i < n && i < 3 * VPD_ENTRIES_PER_PAGE; i++) {
		uint64_t *t = i < 512 ? t0 : i < 1024 ? t1 : t2;
		uint64_t good = agpa(n_good_first + i % (good_count ? good_count : 1));
		uint64_t v = good;
		if (mode & 1) {
			switch (g8(in) % 8) {
			case 0: v = good + 8; break;
			case 1: v = (uint64_t)A_PAGES * PAGE; break;
			case 2: v = (uint64_t)A_PAGES * PAGE - 8; break;
			case 3: v = g64(in); break;
			case 4: v = UINT64_MAX & ~(uint64_t)(PAGE - 1); break;
			default: break;
			}
		}
		t[i % 512] = v;
	}
	if (mode & 2) {   /* the value, then the slot (the order clang gave the seeds) */
		uint64_t entry = g64(in);
		d[g8(in) % 4] = entry;
	}
	struct vrdma_pdir_ref ref = { .dir_gpa = agpa(P_SCRATCH), .page_count = n };
	if (mode & 4)
		ref.dir_gpa = g64(in);
	if (mode & 8)
		ref.page_count = g32(in);
	return ref;
}

static void act_create_mr(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.create_mr.pd_handle = g8(in) < 200 ? w.pd : g32(in);
	req.create_mr.iova = g8(in) < 128 ? A_IOVA + g16(in) : g64(in);
	req.create_mr.length_bytes = g8(in) < 128 ? g16(in) : g64(in);
	req.create_mr.access_flags = g8(in);
	if (req.create_mr.access_flags & 0x80)
		req.create_mr.access_flags = g32(in);
	req.create_mr.pages = fuzz_dir(in, P_REGION, REGION_PAGES);
	acmd(&req, VRDMA_CMD_CREATE_MR, &resp);
}

static void act_create_cq(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	uint8_t s = g8(in);
	req.create_cq.cqe_count = s < 200 ? 1u << (s % 20) : g32(in);
	req.create_cq.ring = fuzz_dir(in, P_SCRATCH + 8, SCRATCH_PAGES - 8);
	acmd(&req, VRDMA_CMD_CREATE_CQ, &resp);
}

static void act_create_qp(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.create_qp.pd_handle = g8(in) < 200 ? w.pd : g32(in);
	req.create_qp.send_cq_handle = g8(in) < 200 ? w.cq : g32(in);
	req.create_qp.recv_cq_handle = g8(in) < 200 ? w.cq : g32(in);
	req.create_qp.sq_sig_all = g8(in) % 3;
	uint8_t s = g8(in), r = g8(in);
	req.create_qp.max_send_wr = s < 200 ? 1u << (s % 14) : g32(in);
	req.create_qp.max_recv_wr = r < 200 ? 1u << (r % 14) : g32(in);
	req.create_qp.max_send_sge = g8(in) % 16;
	req.create_qp.max_recv_sge = g8(in) % 16;
	req.create_qp.max_inline_data = g8(in) < 200 ? g8(in) : g32(in);
	uint32_t sq_pages = (uint32_t)(((uint64_t)req.create_qp.max_send_wr * VRDMA_WQE_BYTES + PAGE - 1) / PAGE);
	uint32_t rq_pages = (uint32_t)(((uint64_t)req.create_qp.max_recv_wr * VRDMA_WQE_BYTES + PAGE - 1) / PAGE);
	req.create_qp.sq_first_page = g8(in) < 200 ? 1 : g32(in);
	req.create_qp.rq_first_page = g8(in) < 200 ? 1 + sq_pages : g32(in);
	req.create_qp.pages = fuzz_dir(in, P_SCRATCH + 8, SCRATCH_PAGES - 8);
	if (g8(in) < 128)
		req.create_qp.pages.page_count = 1 + sq_pages + rq_pages;
	acmd(&req, VRDMA_CMD_CREATE_QP, &resp);
}

static void act_modify_qp(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = g8(in) < 200 ? w.qp : g32(in);
	req.modify_qp.attr_mask = g32(in);
	uint8_t len = g8(in);
	uint8_t *attr = (uint8_t *)&req.modify_qp.attr;
	for (uint32_t i = 0; i < len && i < sizeof req.modify_qp.attr; i++)
		attr[i] = g8(in);
	req.modify_qp.attr.qp_state = g8(in) % 8;
	req.hdr.command = VRDMA_CMD_MODIFY_QP;
	tame_modify(&req);
	acmd(&req, VRDMA_CMD_MODIFY_QP, &resp);
}

static void act_destroy(struct in *in)
{
	static const uint32_t cmds[] = { VRDMA_CMD_DESTROY_PD, VRDMA_CMD_DESTROY_MR, VRDMA_CMD_DESTROY_CQ,
					 VRDMA_CMD_DESTROY_QP };
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	uint8_t which = g8(in);
	uint32_t handle = g8(in);
	if (handle >= 250)
		handle = g32(in);
	req.destroy_pd.pd_handle = handle; /* the handle is the first field of every destroy */
	acmd(&req, cmds[which % 4], &resp);
	if (which & 0x80) /* ... and the QP too: then the CQ and PD are free to go */
		acmd(&req, cmds[(which + 1) % 4], &resp);
}

static void act_reactivate(struct in *in)
{
	a_reset();
	struct vrdma_dsr dsr;
	memcpy(&dsr, apage(P_DSR), sizeof dsr);
	uint8_t what = g8(in);
	if (what & 1) dsr.driver_version = g32(in);
	if (what & 2) dsr.request_slot_gpa = g64(in);
	if (what & 4) dsr.response_slot_gpa = g64(in);
	if (what & 8) dsr.async_ring.dir_gpa = g64(in);
	if (what & 16) dsr.async_ring.page_count = g32(in);
	if (what & 32) dsr.notify_ring.dir_gpa = g64(in);
	if (what & 64) dsr.notify_ring.page_count = g32(in);
	memcpy(apage(P_DSR), &dsr, sizeof dsr);
	uint32_t dsr_gpa = (what & 128) ? g32(in) : (uint32_t)agpa(P_DSR);
	reg(VRDMA_REG_DSR_LOW, dsr_gpa);
	reg(VRDMA_REG_DSR_HIGH, (what & 128) ? g8(in) : 0);
	reg(VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE);
	wait_vector0();
	write_clean_dsr();
}

/* FUZZ_DEBUG set: what A's CQ and async ring hold, for checking seeds. */
static void debug_dump(void)
{
	struct vrdma_ring_state *cq = (void *)apage(P_CQ), *as = (void *)apage(P_ASYNC);
	struct vbackend_stats st;
	vbackend_get_stats(w.backend, &st);
	fprintf(stderr, "A: CQ prod %u cons %u, async prod %u; guest_errors %llu\n", cq->prod_tail,
		cq->cons_head, as->prod_tail, (unsigned long long)st.guest_errors);
	for (uint32_t i = cq->cons_head; i != cq->prod_tail && i < 2 * A_CQE; i = vring_next(i, A_CQE)) {
		const struct vrdma_cqe *e = (const void *)(apage(P_CQ + 1) + (size_t)vring_slot(i, A_CQE) * VRDMA_CQE_BYTES);
		fprintf(stderr, "  CQE wr_id %llu opcode %u status %s\n", (unsigned long long)e->wr_id,
			e->opcode, vrdma_wc_status_str((enum ibv_wc_status)e->status));
	}
	for (uint32_t i = 0; i != as->prod_tail && i < 1024; i = vring_next(i, 512)) {
		const struct vrdma_async_event *e = (const void *)(apage(P_ASYNC + 1) + (size_t)vring_slot(i, 512) * 8u);
		fprintf(stderr, "  async event %u handle %u\n", e->type, e->handle);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	a_setup();
	b_new_qp();
	modify_a_qp_to_rts(w.bqp->qp_num);
	memcpy(w.bsnap, w.bvm->memory.base, B_MEMORY);
	for (int steps = 0; in.n > 0 && steps < 64; steps++) {
		switch (g8(&in) % 16) {
		case 0: act_poke32(&in); break;
		case 1: act_poke_bytes(&in); break;
		case 2: act_register(&in); break;
		case 3: act_uar(&in); break;
		case 4: act_raw_command(&in); break;
		case 5: act_post_send(&in); break;
		case 6: act_post_recv(&in); break;
		case 7: act_set_index(&in); break;
		case 8: act_consume(); break;
		case 9: act_create_mr(&in); break;
		case 10: act_create_cq(&in); break;
		case 11: act_create_qp(&in); break;
		case 12: act_modify_qp(&in); break;
		case 13: act_destroy(&in); break;
		case 14: sync_backend(); break;
		default: act_reactivate(&in); break;
		}
	}
	sync_backend();
	if (getenv("FUZZ_DEBUG") != NULL)
		debug_dump();
	b_check_untouched();
	/* The backend still serves both guests. */
	struct ibv_port_attr port;
	if (vrdma_query_port(w.b, 1, &port) != 0)
		die("B: QUERY_PORT failed after the input");
	a_reset();
	write_clean_dsr();
	build_contig_dir(P_ASYNC_DIR, P_ASYNC_TAB, P_ASYNC, 2);
	build_contig_dir(P_NOTIFY_DIR, P_NOTIFY_TAB, P_NOTIFY, 2);
	if (a_activate() != 0)
		die("A: activation failed after the input");
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_port.port_num = 1;
	if (acmd(&req, VRDMA_CMD_QUERY_PORT, &resp) != 0)
		die("A: QUERY_PORT failed after the input");
	return 0;
}
