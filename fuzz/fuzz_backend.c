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
 *
 * The world (A's layout, B, the helpers that drive them) is
 * fuzz_backend_world.c; this file is the script: its actions and the two
 * libFuzzer entry points.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_backend_world.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fw_create();
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
	__atomic_store_n((uint32_t *)(fw.am + gpa), v, __ATOMIC_RELEASE);
}

static void act_poke_bytes(struct in *in)
{
	uint32_t room;
	uint64_t gpa = target_gpa(in, &room);
	uint32_t len = g8(in) % 64u;
	for (uint32_t i = 0; i < len && i < room; i++)
		fw.am[gpa + i] = g8(in);
}

static void act_register(struct in *in)
{
	uint32_t offset = g8(in) & 0x3fu;
	uint32_t value = g32(in);
	if (offset == VRDMA_REG_IMR)
		value &= ~1u; /* vector 0 stays the harness's clock */
	if (offset == VRDMA_REG_CTL && (value & 3u))
		value &= 3u; /* mostly ACTIVATE and RESET, which kick */
	fw_reg(offset, value);
	if (offset == VRDMA_REG_REQUEST ||
	    (offset == VRDMA_REG_CTL && (value == VRDMA_CTL_ACTIVATE || value == VRDMA_CTL_RESET)))
		fw_wait_vector0();
}

static void act_uar(struct in *in)
{
	uint8_t kind = g8(in);
	uint32_t value;
	uint32_t offset = VRDMA_UAR_QP;
	switch (kind % 5) {
	case 0: value = fw.qp | VRDMA_UAR_QP_SEND; break;
	case 1: value = fw.qp | VRDMA_UAR_QP_RECV; break;
	case 2: offset = VRDMA_UAR_CQ; value = fw.cq | VRDMA_UAR_CQ_ARM; break;
	case 3: offset = VRDMA_UAR_CQ; value = g32(in); break;
	default: offset = g8(in); value = g32(in); break;
	}
	vdev_write_uar(fw.a->device, offset, value);
	fw_sync_backend();
}

/* Keep A's QP on this host: a dlid elsewhere would send UDP packets to
 * arbitrary ports of this machine. */
static void tame_modify(union vrdma_request *req)
{
	if (req->hdr.command == VRDMA_CMD_MODIFY_QP && (req->modify_qp.attr_mask & IBV_QP_AV))
		req->modify_qp.attr.dlid = fw.lid;
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
	req.hdr.token = ++fw.token;
	tame_modify(&req);
	memcpy(apage(P_REQ), &req, sizeof req);
	fw_kick_request();
}

static uint64_t pick_addr(struct in *in)
{
	uint8_t how = g8(in);
	uint32_t off = g16(in);
	switch (how % 5) {
	case 0: return A_IOVA + off % (REGION_PAGES * PAGE);
	case 1: return (uintptr_t)fw.bbuf + off % B_REGION_BYTES;
	case 2: return A_IOVA + (REGION_PAGES * PAGE) - (off & 0xff);
	case 3: return A_IOVA - (off & 0xff);
	default: return g64(in);
	}
}

static uint32_t pick_key(struct in *in)
{
	switch (g8(in) % 6) {
	case 0: return fw.lkey;
	case 1: return fw.rkey;
	case 2: return fw.bmr->lkey;
	case 3: return fw.bmr->rkey;
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
	uint8_t *slot = apage(P_QP + 1) + (size_t)vring_slot(fw.sq_prod, A_DEPTH) * VRDMA_WQE_BYTES;
	memcpy(slot, &wqe, sizeof wqe);
	fw.sq_prod = vring_next(fw.sq_prod, A_DEPTH);
	vring_store((uint32_t *)(apage(P_QP) + VRDMA_QP_SQ_STATE_OFFSET), fw.sq_prod);
	vdev_write_uar(fw.a->device, VRDMA_UAR_QP, fw.qp | VRDMA_UAR_QP_SEND);
	fw_sync_backend();
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
	uint8_t *slot = apage(P_QP + 2) + (size_t)vring_slot(fw.rq_prod, A_DEPTH) * VRDMA_WQE_BYTES;
	memcpy(slot, &wqe, sizeof wqe);
	fw.rq_prod = vring_next(fw.rq_prod, A_DEPTH);
	vring_store((uint32_t *)(apage(P_QP) + VRDMA_QP_RQ_STATE_OFFSET), fw.rq_prod);
	vdev_write_uar(fw.a->device, VRDMA_UAR_QP, fw.qp | VRDMA_UAR_QP_RECV);
	fw_sync_backend();
}

static void act_set_index(struct in *in)
{
	uint8_t which = g8(in);
	uint32_t v = g32(in);
	uint32_t *index;
	switch (which % 5) {
	case 0: index = (uint32_t *)(apage(P_QP) + VRDMA_QP_SQ_STATE_OFFSET); fw.sq_prod = v; break;
	case 1: index = (uint32_t *)(apage(P_QP) + VRDMA_QP_RQ_STATE_OFFSET); fw.rq_prod = v; break;
	case 2: index = &((struct vrdma_ring_state *)apage(P_CQ))->cons_head; break;
	case 3: index = &((struct vrdma_ring_state *)apage(P_ASYNC))->cons_head; break;
	default: index = &((struct vrdma_ring_state *)apage(P_NOTIFY))->cons_head; break;
	}
	vring_store(index, v);
	if (which & 0x80) {
		vdev_write_uar(fw.a->device, VRDMA_UAR_QP, fw.qp | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
		fw_sync_backend();
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
	req.create_mr.pd_handle = g8(in) < 200 ? fw.pd : g32(in);
	req.create_mr.iova = g8(in) < 128 ? A_IOVA + g16(in) : g64(in);
	req.create_mr.length_bytes = g8(in) < 128 ? g16(in) : g64(in);
	req.create_mr.access_flags = g8(in);
	if (req.create_mr.access_flags & 0x80)
		req.create_mr.access_flags = g32(in);
	req.create_mr.pages = fuzz_dir(in, P_REGION, REGION_PAGES);
	fw_acmd(&req, VRDMA_CMD_CREATE_MR, &resp);
}

static void act_create_cq(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	uint8_t s = g8(in);
	req.create_cq.cqe_count = s < 200 ? 1u << (s % 20) : g32(in);
	req.create_cq.ring = fuzz_dir(in, P_SCRATCH + 8, SCRATCH_PAGES - 8);
	fw_acmd(&req, VRDMA_CMD_CREATE_CQ, &resp);
}

static void act_create_qp(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.create_qp.pd_handle = g8(in) < 200 ? fw.pd : g32(in);
	req.create_qp.send_cq_handle = g8(in) < 200 ? fw.cq : g32(in);
	req.create_qp.recv_cq_handle = g8(in) < 200 ? fw.cq : g32(in);
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
	fw_acmd(&req, VRDMA_CMD_CREATE_QP, &resp);
}

static void act_modify_qp(struct in *in)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = g8(in) < 200 ? fw.qp : g32(in);
	req.modify_qp.attr_mask = g32(in);
	uint8_t len = g8(in);
	uint8_t *attr = (uint8_t *)&req.modify_qp.attr;
	for (uint32_t i = 0; i < len && i < sizeof req.modify_qp.attr; i++)
		attr[i] = g8(in);
	req.modify_qp.attr.qp_state = g8(in) % 8;
	req.hdr.command = VRDMA_CMD_MODIFY_QP;
	tame_modify(&req);
	fw_acmd(&req, VRDMA_CMD_MODIFY_QP, &resp);
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
	fw_acmd(&req, cmds[which % 4], &resp);
	if (which & 0x80) /* ... and the QP too: then the CQ and PD are free to go */
		fw_acmd(&req, cmds[(which + 1) % 4], &resp);
}

static void act_reactivate(struct in *in)
{
	fw_a_reset();
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
	fw_reg(VRDMA_REG_DSR_LOW, dsr_gpa);
	fw_reg(VRDMA_REG_DSR_HIGH, (what & 128) ? g8(in) : 0);
	fw_reg(VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE);
	fw_wait_vector0();
	fw_write_clean_dsr();
}

/* FUZZ_DEBUG set: what A's CQ and async ring hold, for checking seeds. */
static void debug_dump(void)
{
	struct vrdma_ring_state *cq = (void *)apage(P_CQ), *as = (void *)apage(P_ASYNC);
	struct vbackend_stats st;
	vbackend_get_stats(fw.backend, &st);
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
	fw_a_setup();
	fw_b_new_qp();
	fw_modify_a_qp_to_rts(fw.bqp->qp_num);
	memcpy(fw.bsnap, fw.bvm->memory.base, B_MEMORY);
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
		case 14: fw_sync_backend(); break;
		default: act_reactivate(&in); break;
		}
	}
	fw_sync_backend();
	if (getenv("FUZZ_DEBUG") != NULL)
		debug_dump();
	fw_b_check_untouched();
	/* The backend still serves both guests. */
	struct ibv_port_attr port;
	if (vrdma_query_port(fw.b, 1, &port) != 0)
		fw_die("B: QUERY_PORT failed after the input");
	fw_a_reset();
	fw_write_clean_dsr();
	fw_build_contig_dir(P_ASYNC_DIR, P_ASYNC_TAB, P_ASYNC, 2);
	fw_build_contig_dir(P_NOTIFY_DIR, P_NOTIFY_TAB, P_NOTIFY, 2);
	if (fw_a_activate() != 0)
		fw_die("A: activation failed after the input");
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_port.port_num = 1;
	if (fw_acmd(&req, VRDMA_CMD_QUERY_PORT, &resp) != 0)
		fw_die("A: QUERY_PORT failed after the input");
	return 0;
}
