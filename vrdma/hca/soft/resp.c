/*
 * vrdma/hca/soft/resp.c -- the responder: executes request packets in PSN
 * order against registered memory and answers (IBA 9.7.5).
 *
 * Per packet, in this order (rxe's responder states, flattened):
 *   PSN    behind resp.psn: a duplicate.  Re-ACK it if it asks, or
 *          re-execute a READ request (its responses may have been lost).
 *          Ahead: a packet was lost; NAK-sequence once (nak_sent) and drop
 *          everything until resp.psn arrives.
 *   opcode must continue the message in progress (MIDDLE/LAST of the same
 *          kind) or start a new one; payload sizes must fit the MTU and the
 *          RETH; else NAK invalid request.
 *   resources  a SEND's first packet and a WRITE-with-immediate's last
 *          consume a receive WQE; none posted: RNR NAK, PSN not advanced.
 *   access rkey, PD, access flags of both QP and region, bounds: else NAK
 *          remote access error.
 *   execute    scatter the payload into the receive's SGEs or the region,
 *          in place; a receive too small fails with IBV_WC_LOC_LEN_ERR and
 *          the requester hears NAK invalid request.
 *   answer ACK when the packet asked for one (coalescing the rest), or the
 *          read response packets.
 * NAKs other than sequence and RNR are fatal for the RC connection: the
 * responder's QP goes to ERROR too (with an async event when no receive
 * completion reports the error).
 */
#include "vrdma/hca/soft/soft.h"

#define DEFAULT_PKEY 0xffffu

static void send_aeth(struct soft_qp *qp, uint8_t syndrome, uint32_t psn, uint64_t op_id)
{
	struct soft_pkt pkt = {.opcode = SOFT_OP_ACKNOWLEDGE, .pkey = DEFAULT_PKEY,
			       .dest_qpn = qp->dest_qpn, .psn = psn, .syndrome = syndrome,
			       .msn = qp->resp.msn & SOFT_PSN_MASK};
	soft_pkt_encode(qp->hca->tx, &pkt);
	soft_net_send(qp->hca, qp, &pkt, soft_pkt_bytes(&pkt), VTRACE_ACTOR_HCA_RESPONDER, op_id);
}

/* The newest PSN all of whose predecessors executed. */
static void send_ack(struct soft_qp *qp, uint64_t op_id)
{
	send_aeth(qp, SOFT_AETH_ACK_UNLIMITED, soft_psn_add(qp->resp.psn, SOFT_PSN_MASK), op_id);
}

/* A NAK that ends the connection.  `recv_status`: how the receive being
 * filled (if any) completes. */
static void fatal(struct soft_qp *qp, const struct soft_pkt *pkt, uint8_t syndrome,
		  enum ibv_wc_status recv_status, enum ibv_event_type event)
{
	send_aeth(qp, syndrome, pkt->psn, 0);
	if (qp->resp.have_recv) {
		qp->resp.have_recv = 0;
		soft_complete_recv(qp, recv_status, IBV_WC_RECV, qp->resp.recv_offset, 0, 0);
		soft_qp_error(qp);
	} else {
		soft_qp_fail(qp, event);
	}
}

static void access_error(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	fatal(qp, pkt, SOFT_AETH_NAK_REMOTE_ACCESS, IBV_WC_REM_ACCESS_ERR, IBV_EVENT_QP_ACCESS_ERR);
}

static void invalid_request(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	fatal(qp, pkt, SOFT_AETH_NAK_INVALID_REQ, IBV_WC_REM_INV_REQ_ERR, IBV_EVENT_QP_REQ_ERR);
}

static void rnr_nak(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	qp->resp.nak_sent = 1;
	send_aeth(qp, (uint8_t)(SOFT_AETH_RNR_NAK | (qp->min_rnr_timer & 0x1fu)), pkt->psn, 0);
}

/* Does the packet continue the message in progress, or start one? */
static int valid_sequence(const struct soft_qp *qp, const struct soft_pkt *pkt)
{
	unsigned int flags = pkt->info->flags;
	const struct soft_opcode_info *prev = soft_opcode_info(qp->resp.last_opcode);
	if (qp->resp.in_message) {
		unsigned int kind = prev->flags & (SOFT_OPF_SEND | SOFT_OPF_WRITE);
		if ((flags & SOFT_OPF_FIRST) || !(flags & kind))
			return 0;
	} else if (!(flags & SOFT_OPF_FIRST)) {
		return 0;
	}
	if (pkt->payload_bytes > qp->mtu_bytes)
		return 0;
	if (!(flags & SOFT_OPF_LAST) && (flags & SOFT_HDR_PAYLOAD) && pkt->payload_bytes != qp->mtu_bytes)
		return 0;   /* FIRST and MIDDLE packets are full (IBA 9.7.4.1.4) */
	if ((flags & SOFT_OPF_LAST) && !(flags & SOFT_OPF_FIRST) && pkt->payload_bytes == 0)
		return 0;
	return 1;
}

/* The peer's region named by an RETH, if this QP lets it be used so. */
static int remote_ok(struct soft_qp *qp, uint32_t rkey, uint64_t va, uint64_t bytes, int access)
{
	if ((qp->access_flags & access) != access)
		return 0;
	if (bytes == 0)
		return 1;   /* a zero-length RDMA names no memory (IBA 9.4.4) */
	struct ibv_sge sge = {.addr = va, .length = (uint32_t)bytes, .lkey = rkey};
	struct soft_sgl sgl = {.sge = &sge, .num_sge = 1, .pdn = qp->pdn, .access = access};
	uint64_t total;
	return bytes <= UINT32_MAX && soft_sgl_check(qp->hca, &sgl, &total) == 0;
}

/* Write payload at `offset` of a list, tracing the DMA. */
static int deliver(struct soft_qp *qp, const struct soft_sgl *sgl, uint64_t offset,
		   const struct soft_pkt *pkt, uint64_t op_id)
{
	struct soft_hca *hca = qp->hca;
	struct soft_dma dma;
	soft_dma_start(&dma, hca, sgl, offset);
	uint64_t iova = soft_dma_iova(&dma), start = soft_tracing(hca) ? soft_now_ns() : 0;
	uint32_t key = soft_dma_key(&dma);
	if (soft_dma_from_buf(&dma, pkt->payload, pkt->payload_bytes))
		return 0;
	if (start && pkt->payload_bytes)
		soft_trace_dma(hca, VTRACE_DMA_WRITE, VTRACE_ACTOR_HCA_RESPONDER, qp, op_id, key, iova,
			       pkt->payload_bytes, dma.pages, start);
	return 1;
}

/* In-order packet done: advance, close the message if it ended, answer. */
static void advance(struct soft_qp *qp, const struct soft_pkt *pkt, uint64_t op_id)
{
	qp->resp.psn = soft_psn_add(qp->resp.psn, 1);
	qp->resp.last_opcode = pkt->opcode;
	qp->resp.in_message = !(pkt->info->flags & SOFT_OPF_LAST);
	if (!qp->resp.in_message)
		qp->resp.msn++;
	if (pkt->ackreq)
		send_ack(qp, op_id);
}

static void do_send(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	if (pkt->info->flags & SOFT_OPF_FIRST) {
		if (qp->rq_head == qp->rq_tail) {
			rnr_nak(qp, pkt);
			return;
		}
		qp->resp.have_recv = 1;
		qp->resp.recv_offset = 0;
	}
	struct soft_sgl sgl;
	uint64_t room;
	uint64_t op_id = soft_rq_at(qp, qp->rq_head)->wr_id;
	soft_recv_sgl(qp, qp->rq_head, &sgl);
	if (soft_sgl_check(qp->hca, &sgl, &room)) {
		/* the receive names bad memory: a local error here, a remote
		 * operational error there (IBA 9.9.3.1.3) */
		fatal(qp, pkt, SOFT_AETH_NAK_REMOTE_OP, IBV_WC_LOC_PROT_ERR, IBV_EVENT_QP_FATAL);
		return;
	}
	if ((uint64_t)qp->resp.recv_offset + pkt->payload_bytes > room) {
		fatal(qp, pkt, SOFT_AETH_NAK_INVALID_REQ, IBV_WC_LOC_LEN_ERR, IBV_EVENT_QP_REQ_ERR);
		return;
	}
	if (!deliver(qp, &sgl, qp->resp.recv_offset, pkt, op_id)) {
		fatal(qp, pkt, SOFT_AETH_NAK_REMOTE_OP, IBV_WC_LOC_PROT_ERR, IBV_EVENT_QP_FATAL);
		return;
	}
	qp->resp.recv_offset += pkt->payload_bytes;
	advance(qp, pkt, op_id);
	/* last: the completion goes after the ACK, its callback may touch the QP */
	if (pkt->info->flags & SOFT_OPF_LAST) {
		int imm = (pkt->info->flags & SOFT_HDR_IMMDT) != 0;
		qp->resp.have_recv = 0;
		soft_complete_recv(qp, IBV_WC_SUCCESS, IBV_WC_RECV, qp->resp.recv_offset, imm, pkt->imm);
	}
}

static void do_write(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	struct soft_resp *resp = &qp->resp;
	unsigned int flags = pkt->info->flags;
	if ((flags & SOFT_OPF_RECV) && qp->rq_head == qp->rq_tail) {
		rnr_nak(qp, pkt);   /* before touching memory: the retry rewrites nothing twice */
		return;
	}
	if (flags & SOFT_OPF_FIRST) {
		if (!remote_ok(qp, pkt->rkey, pkt->va, pkt->dma_length, IBV_ACCESS_REMOTE_WRITE)) {
			access_error(qp, pkt);
			return;
		}
		resp->write_va = pkt->va;
		resp->write_rkey = pkt->rkey;
		resp->write_left = resp->write_total = pkt->dma_length;
	}
	if (pkt->payload_bytes > resp->write_left ||
	    ((flags & SOFT_OPF_LAST) && pkt->payload_bytes != resp->write_left)) {
		invalid_request(qp, pkt);
		return;
	}
	struct ibv_sge sge = {.addr = resp->write_va, .length = pkt->payload_bytes,
			      .lkey = resp->write_rkey};
	struct soft_sgl sgl = {.sge = &sge, .num_sge = 1, .pdn = qp->pdn,
			       .access = IBV_ACCESS_REMOTE_WRITE};
	if (pkt->payload_bytes && !deliver(qp, &sgl, 0, pkt, 0)) {
		access_error(qp, pkt);   /* the region went away mid-message */
		return;
	}
	resp->write_va += pkt->payload_bytes;
	resp->write_left -= pkt->payload_bytes;
	uint64_t op_id = (flags & SOFT_OPF_RECV) ? soft_rq_at(qp, qp->rq_head)->wr_id : 0;
	advance(qp, pkt, op_id);
	if (flags & SOFT_OPF_RECV)
		soft_complete_recv(qp, IBV_WC_SUCCESS, IBV_WC_RECV_RDMA_WITH_IMM, resp->write_total, 1,
				   pkt->imm);
}

/* Read response packets for [va, va + length) with PSNs from `psn`. */
static void respond_read(struct soft_qp *qp, const struct soft_pkt *req)
{
	struct soft_hca *hca = qp->hca;
	uint32_t mtu = qp->mtu_bytes, left = req->dma_length, psn = req->psn;
	uint32_t n = left ? (uint32_t)(((uint64_t)left + mtu - 1u) / mtu) : 1u;
	struct ibv_sge sge = {.addr = req->va, .length = left, .lkey = req->rkey};
	struct soft_sgl sgl = {.sge = &sge, .num_sge = 1, .pdn = qp->pdn,
			       .access = IBV_ACCESS_REMOTE_READ};
	struct soft_dma dma;
	soft_dma_start(&dma, hca, &sgl, 0);
	for (uint32_t i = 0; i < n; i++) {
		static const uint8_t ops[2][2] = {
			{SOFT_OP_READ_RESPONSE_MIDDLE, SOFT_OP_READ_RESPONSE_LAST},
			{SOFT_OP_READ_RESPONSE_FIRST, SOFT_OP_READ_RESPONSE_ONLY}};
		uint32_t bytes = left < mtu ? left : mtu;
		struct soft_pkt pkt = {.opcode = ops[i == 0][i + 1 == n], .pkey = DEFAULT_PKEY,
				       .dest_qpn = qp->dest_qpn, .psn = soft_psn_add(psn, i),
				       .syndrome = SOFT_AETH_ACK_UNLIMITED,
				       .msn = qp->resp.msn & SOFT_PSN_MASK, .payload_bytes = bytes};
		size_t header = soft_pkt_encode(hca->tx, &pkt);
		uint64_t iova = soft_dma_iova(&dma), start = soft_tracing(hca) ? soft_now_ns() : 0;
		uint32_t pages = dma.pages;
		if (soft_dma_to_buf(&dma, hca->tx + header, bytes))
			return;   /* region gone: the requester's retry meets the rkey check */
		if (start && bytes)
			soft_trace_dma(hca, VTRACE_DMA_READ, VTRACE_ACTOR_HCA_RESPONDER, qp, 0, req->rkey,
				       iova, bytes, dma.pages - pages, start);
		soft_net_send(hca, qp, &pkt, soft_pkt_bytes(&pkt), VTRACE_ACTOR_HCA_RESPONDER, 0);
		left -= bytes;
	}
}

static int read_allowed(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	return remote_ok(qp, pkt->rkey, pkt->va, pkt->dma_length, IBV_ACCESS_REMOTE_READ);
}

static uint32_t read_packets(const struct soft_qp *qp, const struct soft_pkt *pkt)
{
	uint32_t mtu = qp->mtu_bytes;
	return pkt->dma_length ? (uint32_t)(((uint64_t)pkt->dma_length + mtu - 1u) / mtu) : 1u;
}

static void do_read(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	if (!read_allowed(qp, pkt)) {
		access_error(qp, pkt);
		return;
	}
	respond_read(qp, pkt);
	qp->resp.psn = soft_psn_add(pkt->psn, read_packets(qp, pkt));
	qp->resp.last_opcode = pkt->opcode;
	qp->resp.msn++;
}

/* Behind resp.psn: already executed.  A READ is executed again (it has no
 * side effect); anything else is answered with the current ACK.
 * A re-sent READ request may reach past resp.psn: the requester asks again
 * from its first missing response, and may then ask for more than the
 * original request did (its window has room).  All PSNs of one request
 * belong to one READ, so the part past resp.psn is new and in order. */
static void duplicate(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	if (pkt->opcode == SOFT_OP_READ_REQUEST) {
		uint32_t end = soft_psn_add(pkt->psn, read_packets(qp, pkt));
		if (soft_psn_diff(end, qp->resp.psn) > 0 && !qp->resp.in_message) {
			qp->resp.nak_sent = 0;
			do_read(qp, pkt);
		} else if (read_allowed(qp, pkt)) {
			respond_read(qp, pkt);
		}
		return;
	}
	if (pkt->ackreq)
		send_ack(qp, 0);
}

static void trace_rx(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	uint64_t op_id = 0;
	if ((pkt->info->flags & SOFT_OPF_SEND) && qp->rq_head != qp->rq_tail)
		op_id = soft_rq_at(qp, qp->rq_head)->wr_id;
	soft_trace(qp->hca, VTRACE_PACKET_RX, VTRACE_ACTOR_HCA_RESPONDER, qp->trace_guest, qp->qpn,
		   op_id, pkt->opcode, pkt->psn, pkt->payload_bytes,
		   pkt->ackreq ? VTRACE_F_ACKREQ : 0, 0);
}

void soft_resp_receive(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	if ((qp->state != IBV_QPS_RTR && qp->state != IBV_QPS_RTS) || pkt->pkey != DEFAULT_PKEY) {
		qp->hca->stats.packets_rejected++;
		return;
	}
	if (soft_tracing(qp->hca))
		trace_rx(qp, pkt);
	int32_t ahead = soft_psn_diff(pkt->psn, qp->resp.psn);
	if (ahead < 0) {
		duplicate(qp, pkt);
		return;
	}
	if (ahead > 0) {
		if (!qp->resp.nak_sent)
			send_aeth(qp, SOFT_AETH_NAK_PSN_SEQ, qp->resp.psn, 0);
		qp->resp.nak_sent = 1;
		return;
	}
	qp->resp.nak_sent = 0;
	if (!valid_sequence(qp, pkt)) {
		invalid_request(qp, pkt);
		return;
	}
	unsigned int flags = pkt->info->flags;
	if (flags & SOFT_OPF_SEND)
		do_send(qp, pkt);
	else if (flags & SOFT_OPF_WRITE)
		do_write(qp, pkt);
	else
		do_read(qp, pkt);
}
