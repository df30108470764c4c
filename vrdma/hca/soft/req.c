/*
 * vrdma/hca/soft/req.c -- the requester: walks a QP's send queue from
 * req.index and turns each WQE into packets (IBA 9.7.4.1).
 *
 *  - PSNs: a WQE gets its first PSN when first sent; a SEND or WRITE of n
 *    MTU segments takes n PSNs, a READ takes one PSN per response packet
 *    it asks for (the responder answers with those PSNs).
 *  - Window: at most config.max_outstanding_packets PSNs in flight
 *    ([comp.psn, req.psn)), so a large message never floods the peer's
 *    socket.  A READ larger than the window is asked for in window-sized
 *    chunks, each a READ request at the next PSN: the peer sees ordinary
 *    consecutive reads.
 *  - ACK requests: on the last packet of a message, on the packet that
 *    fills the window, and every quarter window, so a long message is
 *    acknowledged while it streams.
 *  - Retransmission is go-back-N (soft_req_rewind): the completer moves
 *    req back to comp.psn after a timeout, a NAK-sequence or an RNR wait.
 *    A packet resent from the middle of a message is a MIDDLE or LAST
 *    packet; the responder still holds the message state from its FIRST.
 */
#include "vrdma/hca/soft/soft.h"

uint32_t soft_req_packets(const struct soft_qp *qp, const struct soft_send_wqe *wqe)
{
	uint32_t n = (uint32_t)(((uint64_t)wqe->length_bytes + qp->mtu_bytes - 1u) / qp->mtu_bytes);
	return n ? n : 1u;
}

static uint32_t window(const struct soft_qp *qp) { return qp->hca->config.max_outstanding_packets; }

static uint32_t in_flight(const struct soft_qp *qp)
{
	return (uint32_t)soft_psn_diff(qp->req.psn, qp->comp.psn);
}

/* The BTH opcode of packet `k` of a SEND or WRITE WQE. */
static uint8_t data_opcode(const struct soft_send_wqe *wqe, int first, int last)
{
	static const uint8_t send[2][2] = {{SOFT_OP_SEND_MIDDLE, SOFT_OP_SEND_LAST},
					   {SOFT_OP_SEND_FIRST, SOFT_OP_SEND_ONLY}};
	static const uint8_t write[2][2] = {{SOFT_OP_WRITE_MIDDLE, SOFT_OP_WRITE_LAST},
					    {SOFT_OP_WRITE_FIRST, SOFT_OP_WRITE_ONLY}};
	switch (wqe->opcode) {
	case IBV_WR_SEND: return send[first][last];
	case IBV_WR_RDMA_WRITE: return write[first][last];
	case IBV_WR_SEND_WITH_IMM:
		if (last)
			return first ? SOFT_OP_SEND_ONLY_IMM : SOFT_OP_SEND_LAST_IMM;
		return send[first][0];
	default: /* IBV_WR_RDMA_WRITE_WITH_IMM */
		if (last)
			return first ? SOFT_OP_WRITE_ONLY_IMM : SOFT_OP_WRITE_LAST_IMM;
		return write[first][0];
	}
}

static int wants_ack(const struct soft_qp *qp, uint32_t psn, int last)
{
	uint32_t every = window(qp) / 4u ? window(qp) / 4u : 1u;
	return last || in_flight(qp) + 1u >= window(qp) || (psn + 1u) % every == 0;
}

/* The timer covers the oldest PSN in flight: a packet sent behind others
 * leaves a running timer alone (the completer restarts it on progress). */
static void arm_retransmit(struct soft_qp *qp)
{
	if (!qp->retx_deadline_ns)
		soft_retx_restart(qp);
}

/* A local region vanished under a message being sent: the WQE (if it is
 * the oldest) fails with a protection error and the QP stops. */
static void fail_local(struct soft_qp *qp)
{
	if (qp->sq_head == qp->req.index)
		soft_complete_send(qp, IBV_WC_LOC_PROT_ERR);
	soft_qp_error(qp);
}

/* Packet k of a SEND or WRITE: gather its payload straight from the
 * source pages into the packet. */
static int send_data(struct soft_qp *qp, struct soft_send_wqe *wqe, uint32_t k)
{
	struct soft_hca *hca = qp->hca;
	uint32_t offset = k * qp->mtu_bytes;
	uint32_t bytes = wqe->length_bytes - offset < qp->mtu_bytes ? wqe->length_bytes - offset
								    : qp->mtu_bytes;
	int first = k == 0, last = k + 1 == wqe->npackets;
	struct soft_pkt pkt = {.opcode = data_opcode(wqe, first, last), .pkey = 0xffff,
			       .dest_qpn = qp->dest_qpn, .psn = qp->req.psn,
			       .ackreq = (uint8_t)wants_ack(qp, qp->req.psn, last),
			       .solicited = last && (wqe->send_flags & IBV_SEND_SOLICITED),
			       .payload_bytes = bytes, .imm = wqe->imm_data};
	if (first && (wqe->opcode == IBV_WR_RDMA_WRITE || wqe->opcode == IBV_WR_RDMA_WRITE_WITH_IMM)) {
		pkt.va = wqe->remote_addr;
		pkt.rkey = wqe->rkey;
		pkt.dma_length = wqe->length_bytes;
	}
	size_t header = soft_pkt_encode(hca->tx, &pkt);
	struct soft_sgl sgl;
	struct soft_dma dma;
	soft_send_sgl(qp, qp->req.index, 0, &sgl);
	soft_dma_start(&dma, hca, &sgl, offset);
	uint64_t iova = soft_dma_iova(&dma), start = soft_tracing(hca) ? soft_now_ns() : 0;
	if (soft_dma_to_buf(&dma, hca->tx + header, bytes)) {
		fail_local(qp);
		return 0;
	}
	if (start)
		soft_trace_dma(hca, VTRACE_DMA_READ, VTRACE_ACTOR_HCA_REQUESTER, qp, wqe->wr_id,
			       soft_dma_key(&dma), iova, bytes, dma.pages, start);
	soft_net_send(hca, qp, &pkt, soft_pkt_bytes(&pkt), VTRACE_ACTOR_HCA_REQUESTER, wqe->wr_id);
	qp->req.psn = soft_psn_add(qp->req.psn, 1);
	if (last)
		qp->req.index++;
	return 1;
}

/* Ask for response packets k.. of a READ, as many as the window allows. */
static void send_read(struct soft_qp *qp, struct soft_send_wqe *wqe, uint32_t k)
{
	uint32_t room = window(qp) - in_flight(qp);
	uint32_t n = wqe->npackets - k < room ? wqe->npackets - k : room;
	uint32_t offset = k * qp->mtu_bytes;
	uint64_t left = wqe->length_bytes - offset, chunk = (uint64_t)n * qp->mtu_bytes;
	struct soft_pkt pkt = {.opcode = SOFT_OP_READ_REQUEST, .pkey = 0xffff, .ackreq = 1,
			       .dest_qpn = qp->dest_qpn, .psn = qp->req.psn,
			       .va = wqe->remote_addr + offset, .rkey = wqe->rkey,
			       .dma_length = (uint32_t)(left < chunk ? left : chunk)};
	soft_pkt_encode(qp->hca->tx, &pkt);
	soft_net_send(qp->hca, qp, &pkt, soft_pkt_bytes(&pkt), VTRACE_ACTOR_HCA_REQUESTER, wqe->wr_id);
	qp->req.psn = soft_psn_add(qp->req.psn, n);   /* the responses' PSNs */
	if (k + n == wqe->npackets)
		qp->req.index++;
}

/* A WQE about to be sent for the first time: its local buffers must be
 * valid (else IBV_WC_LOC_PROT_ERR, reported in order, so only once every
 * older WQE has retired).  Returns 1 when it may go. */
static int start_wqe(struct soft_qp *qp, struct soft_send_wqe *wqe)
{
	struct soft_sgl sgl;
	uint64_t total;
	soft_send_sgl(qp, qp->req.index, wqe->opcode == IBV_WR_RDMA_READ ? IBV_ACCESS_LOCAL_WRITE : 0,
		      &sgl);
	if (soft_sgl_check(qp->hca, &sgl, &total)) {
		if (qp->sq_head == qp->req.index) {
			soft_complete_send(qp, IBV_WC_LOC_PROT_ERR);
			soft_qp_error(qp);
		}
		return 0;
	}
	wqe->has_psn = 1;
	wqe->first_psn = qp->req.psn;
	wqe->npackets = soft_req_packets(qp, wqe);
	return 1;
}

/* Send the next packet (or READ request) if the window allows; 0 when the
 * requester must stop for now. */
static int send_next(struct soft_qp *qp)
{
	if (in_flight(qp) >= window(qp))
		return 0;
	struct soft_send_wqe *wqe = soft_sq_at(qp, qp->req.index);
	if (!wqe->has_psn && !start_wqe(qp, wqe))
		return 0;
	uint32_t k = (uint32_t)soft_psn_diff(qp->req.psn, wqe->first_psn);
	arm_retransmit(qp);
	if (wqe->opcode == IBV_WR_RDMA_READ) {
		send_read(qp, wqe, k);
		return 1;
	}
	return send_data(qp, wqe, k);
}

static void run_once(struct soft_qp *qp)
{
	while (qp->state == IBV_QPS_RTS && !qp->req.rnr_wait && qp->req.index != qp->sq_tail) {
		int progressed = qp->local ? soft_local_execute(qp) : send_next(qp);
		if (!progressed)
			break;
	}
}

/* Re-entrant calls (a completion callback posting more work) only ask the
 * running loop to go around again. */
void soft_req_run(struct soft_qp *qp)
{
	if (qp->req.busy) {
		qp->req.again = 1;
		return;
	}
	qp->req.busy = 1;
	do {
		qp->req.again = 0;
		run_once(qp);
	} while (qp->req.again);
	qp->req.busy = 0;
}

void soft_req_rewind(struct soft_qp *qp, enum vtrace_retransmit_reason reason)
{
	struct soft_hca *hca = qp->hca;
	if (qp->state != IBV_QPS_RTS)
		return;
	if (qp->local) {   /* nothing in flight: just try again */
		soft_req_run(qp);
		return;
	}
	hca->stats.retransmits++;
	if (soft_tracing(hca))
		soft_trace(hca, VTRACE_RETRANSMIT, VTRACE_ACTOR_HCA_REQUESTER, qp->trace_guest, qp->qpn,
			   qp->sq_head != qp->sq_tail ? soft_sq_at(qp, qp->sq_head)->wr_id : 0, reason,
			   qp->comp.psn, 0, 0, 0);
	qp->req.index = qp->sq_head;
	qp->req.psn = qp->comp.psn;
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	soft_req_run(qp);
}
