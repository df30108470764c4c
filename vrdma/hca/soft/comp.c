/*
 * vrdma/hca/soft/comp.c -- the completer: consumes ACKs, NAKs and read
 * responses for a QP's requests and retires send WQEs strictly in order
 * (IBA 9.7.5.1 / rxe_comp.c).
 *
 *  - An ACK for PSN p acknowledges every PSN up to p (coalesced ACKs); a
 *    NAK or a read response at p implies an ACK of every PSN before p.
 *  - A READ retires only through its responses, written straight into its
 *    local SGEs.  An ACK beyond a READ whose responses are missing means
 *    they were lost: go back and ask again (an implied NAK).
 *  - NAK sequence: go back to p now.  RNR NAK: pause the requester for
 *    config.rnr_timer_us, then go back to p; rnr_retry 7 waits forever,
 *    otherwise rnr_retry NAKs in a row end in IBV_WC_RNR_RETRY_EXC_ERR.
 *  - Other NAKs fail the WQE at p (remote access, invalid request, remote
 *    operation) and the QP.
 *  - The retransmit timer runs while PSNs are in flight and restarts on
 *    progress; it waits the QP's Local ACK Timeout (attribute timeout:
 *    4.096 us x 2^timeout, none for 0), so a peer slower than that, not
 *    some fixed guess, counts as silent.  retry_cnt expiries in a row
 *    without progress end in IBV_WC_RETRY_EXC_ERR.
 * Failures move the QP to ERROR, which flushes the WQEs behind.
 */
#include "vrdma/hca/soft/soft.h"

static void psn_max(uint32_t *psn, uint32_t candidate)
{
	if (soft_psn_diff(candidate, *psn) > 0)
		*psn = candidate;
}

void soft_comp_retire_before(struct soft_qp *qp, uint32_t psn)
{
	while (qp->state == IBV_QPS_RTS && qp->sq_head != qp->sq_tail) {
		struct soft_send_wqe *wqe = soft_sq_at(qp, qp->sq_head);
		if (!wqe->has_psn)
			break;
		uint32_t end = soft_psn_add(wqe->first_psn, wqe->npackets);
		if (wqe->opcode == IBV_WR_RDMA_READ) {
			psn_max(&qp->comp.psn, wqe->first_psn);
			return;
		}
		if (soft_psn_diff(end, psn) > 0)
			break;
		psn_max(&qp->comp.psn, end);
		soft_complete_send(qp, IBV_WC_SUCCESS);
	}
	psn_max(&qp->comp.psn, psn);
}

/* PSNs in [comp.psn - 1, req.psn): anything else is stale or bogus.  Not
 * up to the newest PSN ever assigned: an answer for a PSN the window has
 * not let out yet, or one sent before a rewind the requester has not
 * resent yet (it waits out an RNR NAK), would move comp.psn past req.psn,
 * retire WQEs under req.index and leave nothing in flight and no timer
 * running.  Such an answer is dropped; the resent packets are answered
 * again. */
static int plausible(const struct soft_qp *qp, uint32_t psn)
{
	return soft_psn_diff(psn, qp->comp.psn) >= -1 && soft_psn_diff(psn, qp->req.psn) < 0;
}

/* After comp.psn moved: the retry budget refills and the timer restarts. */
static void progressed(struct soft_qp *qp)
{
	qp->comp.retry_left = qp->retry_cnt;
	qp->comp.rnr_left = qp->rnr_retry;
	qp->comp.read_gap = 0;
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	if (soft_psn_diff(qp->req.psn, qp->comp.psn) > 0)
		soft_retx_restart(qp);
}

static void fail_head(struct soft_qp *qp, enum ibv_wc_status status)
{
	if (qp->sq_head != qp->sq_tail)
		soft_complete_send(qp, status);
	soft_qp_error(qp);
}

/* A READ at the head whose missing responses an answer has overtaken. */
static int read_overtaken(struct soft_qp *qp, uint32_t acked_before)
{
	if (qp->sq_head == qp->sq_tail)
		return 0;
	const struct soft_send_wqe *wqe = soft_sq_at(qp, qp->sq_head);
	return wqe->opcode == IBV_WR_RDMA_READ && wqe->has_psn &&
	       soft_psn_diff(acked_before, qp->comp.psn) > 0;
}

static void on_ack(struct soft_qp *qp, uint32_t psn)
{
	uint32_t next = soft_psn_add(psn, 1);
	soft_comp_retire_before(qp, next);
	if (qp->state == IBV_QPS_RTS && read_overtaken(qp, next) && !qp->comp.read_gap) {
		qp->comp.read_gap = 1;
		soft_req_rewind(qp, VTRACE_RETX_NAK_SEQUENCE);
	}
}

static void on_rnr(struct soft_qp *qp, uint32_t psn)
{
	soft_comp_retire_before(qp, psn);
	if (qp->state != IBV_QPS_RTS || qp->req.rnr_wait)
		return;
	qp->hca->stats.rnr_naks++;
	if (qp->rnr_retry != 7) {
		if (qp->comp.rnr_left == 0) {
			fail_head(qp, IBV_WC_RNR_RETRY_EXC_ERR);
			return;
		}
		qp->comp.rnr_left--;
	}
	qp->req.rnr_wait = 1;
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	soft_timer_set(qp, &qp->rnr_deadline_ns,
		       soft_now_ns() + (uint64_t)qp->hca->config.rnr_timer_us * 1000u);
}

static enum ibv_wc_status nak_status(uint8_t syndrome)
{
	switch (syndrome) {
	case SOFT_AETH_NAK_INVALID_REQ: return IBV_WC_REM_INV_REQ_ERR;
	case SOFT_AETH_NAK_REMOTE_ACCESS: return IBV_WC_REM_ACCESS_ERR;
	case SOFT_AETH_NAK_REMOTE_OP: return IBV_WC_REM_OP_ERR;
	default: return IBV_WC_REM_INV_RD_REQ_ERR;
	}
}

static void on_aeth(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	uint8_t type = pkt->syndrome & SOFT_AETH_TYPE_MASK;
	uint32_t before = qp->comp.psn, head = qp->sq_head;
	if (type == SOFT_AETH_ACK)
		on_ack(qp, pkt->psn);
	else if (type == SOFT_AETH_RNR_NAK)
		on_rnr(qp, pkt->psn);
	else if (pkt->syndrome == SOFT_AETH_NAK_PSN_SEQ) {
		soft_comp_retire_before(qp, pkt->psn);
		soft_req_rewind(qp, VTRACE_RETX_NAK_SEQUENCE);
	} else {
		soft_comp_retire_before(qp, pkt->psn);
		if (qp->state == IBV_QPS_RTS)
			fail_head(qp, nak_status(pkt->syndrome));
	}
	if (qp->state == IBV_QPS_RTS && (before != qp->comp.psn || head != qp->sq_head) &&
	    !qp->req.rnr_wait)
		progressed(qp);
}

/* Response packet k of the READ at the head: its bytes go straight into
 * the READ's local SGEs at k * MTU. */
static void on_read_response(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	soft_comp_retire_before(qp, pkt->psn);
	if (qp->state != IBV_QPS_RTS || pkt->psn != qp->comp.psn || qp->sq_head == qp->sq_tail) {
		if (qp->state == IBV_QPS_RTS && !qp->comp.read_gap &&
		    soft_psn_diff(pkt->psn, qp->comp.psn) > 0) {
			qp->comp.read_gap = 1;   /* responses lost: ask again once */
			soft_req_rewind(qp, VTRACE_RETX_NAK_SEQUENCE);
		}
		return;
	}
	struct soft_send_wqe *wqe = soft_sq_at(qp, qp->sq_head);
	uint32_t k = (uint32_t)soft_psn_diff(pkt->psn, wqe->first_psn);
	uint64_t offset = (uint64_t)k * qp->mtu_bytes;
	uint64_t want = wqe->length_bytes - offset < qp->mtu_bytes ? wqe->length_bytes - offset
								   : qp->mtu_bytes;
	if (wqe->opcode != IBV_WR_RDMA_READ || k >= wqe->npackets || pkt->payload_bytes != want) {
		qp->hca->stats.packets_rejected++;
		return;
	}
	struct soft_sgl sgl;
	struct soft_dma dma;
	soft_send_sgl(qp, qp->sq_head, IBV_ACCESS_LOCAL_WRITE, &sgl);
	soft_dma_start(&dma, qp->hca, &sgl, offset);
	uint64_t iova = soft_dma_iova(&dma), start = soft_tracing(qp->hca) ? soft_now_ns() : 0;
	uint32_t key = soft_dma_key(&dma);
	if (soft_dma_from_buf(&dma, pkt->payload, pkt->payload_bytes)) {
		fail_head(qp, IBV_WC_LOC_PROT_ERR);
		return;
	}
	if (start && pkt->payload_bytes)
		soft_trace_dma(qp->hca, VTRACE_DMA_WRITE, VTRACE_ACTOR_HCA_COMPLETER, qp, wqe->wr_id, key,
			       iova, pkt->payload_bytes, dma.pages, start);
	qp->comp.psn = soft_psn_add(qp->comp.psn, 1);
	if (k + 1 == wqe->npackets)
		soft_complete_send(qp, IBV_WC_SUCCESS);
	if (qp->state == IBV_QPS_RTS)
		progressed(qp);
}

static void trace_answer(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	uint64_t op_id = qp->sq_head != qp->sq_tail ? soft_sq_at(qp, qp->sq_head)->wr_id : 0;
	soft_trace(qp->hca, VTRACE_PACKET_RX, VTRACE_ACTOR_HCA_COMPLETER, qp->trace_guest, qp->qpn,
		   op_id, pkt->opcode, pkt->psn, pkt->payload_bytes, 0, 0);
	if (pkt->info->flags & SOFT_HDR_AETH)
		soft_trace(qp->hca, VTRACE_ACK, VTRACE_ACTOR_HCA_COMPLETER, qp->trace_guest, qp->qpn,
			   op_id, pkt->syndrome, pkt->psn, 0, 0, 0);
}

void soft_comp_receive(struct soft_qp *qp, const struct soft_pkt *pkt)
{
	if (qp->state != IBV_QPS_RTS || !plausible(qp, pkt->psn)) {
		qp->hca->stats.packets_rejected++;
		return;
	}
	if (soft_tracing(qp->hca))
		trace_answer(qp, pkt);
	if (pkt->opcode == SOFT_OP_ACKNOWLEDGE)
		on_aeth(qp, pkt);
	else
		on_read_response(qp, pkt);
	if (qp->state == IBV_QPS_RTS)
		soft_req_run(qp);
}

void soft_comp_timeout(struct soft_qp *qp)
{
	if (qp->state != IBV_QPS_RTS)
		return;
	qp->hca->stats.timeouts++;
	if (!qp->local && soft_psn_diff(qp->req.psn, qp->comp.psn) <= 0)
		return;   /* nothing in flight any more */
	if (qp->comp.retry_left == 0) {
		fail_head(qp, IBV_WC_RETRY_EXC_ERR);
		return;
	}
	qp->comp.retry_left--;
	qp->comp.read_gap = 0;
	soft_req_rewind(qp, VTRACE_RETX_TIMEOUT);
}

void soft_comp_rnr_expired(struct soft_qp *qp)
{
	if (qp->state != IBV_QPS_RTS || !qp->req.rnr_wait)
		return;
	qp->req.rnr_wait = 0;
	soft_req_rewind(qp, VTRACE_RETX_RNR);
}
