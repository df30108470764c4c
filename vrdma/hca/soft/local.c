/*
 * vrdma/hca/soft/local.c -- the same-host path: a QP whose peer is on this
 * HCA (ah_attr.dlid == the HCA's own LID) executes each WQE directly
 * against the peer QP, copying page to page from the source region to the
 * destination region (no packet, no bounce buffer).
 *
 * The responder's rules are the wire path's (resp.c): the peer QP must be
 * connected back to this one and ready, a SEND or WRITE-with-immediate
 * needs a posted receive (else an RNR wait, counted against rnr_retry),
 * rkey, PD, access flags and bounds are checked, a receive too small fails
 * both sides.  A peer that is missing or not ready behaves like a peer
 * whose packets are lost: the retransmit timer (the QP's Local ACK
 * Timeout) retries, and retry_cnt expiries end in IBV_WC_RETRY_EXC_ERR.
 *
 * The copy is budgeted (struct vhca's copy_budget_bytes, the backend's
 * turn): a message larger than what is left stops where it is, keeping its
 * progress in req.local_copied_bytes, and goes on at soft_resume_send; its
 * completion comes when its last byte is copied.
 *
 * Tracing: a WQE's copy is reported once, as the requester's DMA_READ and
 * the responder's DMA_WRITE, both from its first byte to its last.
 */
#include "vrdma/hca/soft/soft.h"

static struct soft_qp *ready_peer(struct soft_qp *qp)
{
	struct soft_qp *peer = soft_qp_get(qp->hca, qp->dest_qpn);
	if (!peer || !peer->local || peer->dest_qpn != qp->qpn ||
	    (peer->state != IBV_QPS_RTR && peer->state != IBV_QPS_RTS))
		return NULL;
	return peer;
}

static int wait_for_peer(struct soft_qp *qp)
{
	if (!qp->retx_deadline_ns)
		soft_retx_restart(qp);
	return 0;
}

/* No receive posted: wait rnr_timer, or give up after rnr_retry waits. */
static int rnr_wait(struct soft_qp *qp)
{
	qp->hca->stats.rnr_naks++;
	if (qp->rnr_retry != 7) {
		if (qp->comp.rnr_left == 0) {
			soft_complete_send(qp, IBV_WC_RNR_RETRY_EXC_ERR);
			soft_qp_error(qp);
			return 1;
		}
		qp->comp.rnr_left--;
	}
	qp->req.rnr_wait = 1;
	soft_timer_set(qp, &qp->rnr_deadline_ns,
		       soft_now_ns() + (uint64_t)qp->hca->config.rnr_timer_us * 1000u);
	return 0;
}

static int fail(struct soft_qp *qp, enum ibv_wc_status status)
{
	qp->req.local_copied_bytes = 0;
	soft_complete_send(qp, status);
	soft_qp_error(qp);
	return 1;
}

/* The responder side failed: the peer stops (with a receive completion or
 * an async event), the requester completes with `status`. */
static int fail_both(struct soft_qp *qp, struct soft_qp *peer, enum ibv_wc_status status,
		     enum ibv_wc_status recv_status, enum ibv_event_type event)
{
	if (recv_status != IBV_WC_SUCCESS) {
		soft_complete_recv(peer, recv_status, IBV_WC_RECV, 0, 0, 0);
		soft_qp_error(peer);
	} else {
		soft_qp_fail(peer, event);
	}
	return fail(qp, status);
}

enum copy_result { COPY_FAILED, COPY_DONE, COPY_PAUSED };

/* The copy budget ran out in the middle of the WQE: it stays at req.index
 * with its progress, and whoever set the budget is told. */
static int pause_copy(struct soft_qp *qp)
{
	struct vhca *base = &qp->hca->base;
	if (base->on_paused)
		base->on_paused(base->async_ctx, qp->qpn);
	return 0;
}

/* The whole WQE's copy, traced once when its last byte is copied: from
 * its first byte's time, over every page its copies touched. */
static void trace_copy(struct soft_qp *qp, struct soft_qp *peer, const struct soft_sgl *dst,
		       const struct soft_sgl *src, uint64_t bytes, uint64_t op_id, uint64_t peer_op_id)
{
	struct soft_hca *hca = qp->hca;
	struct soft_dma d, s;
	soft_dma_start(&d, hca, dst, 0);
	soft_dma_start(&s, hca, src, 0);
	int read = src->sge && src->access == IBV_ACCESS_REMOTE_READ;
	uint64_t start = qp->req.local_copy_start_ns;
	soft_trace_dma(hca, VTRACE_DMA_READ, VTRACE_ACTOR_HCA_REQUESTER, read ? peer : qp,
		       read ? peer_op_id : op_id, soft_dma_key(&s), soft_dma_iova(&s), bytes,
		       qp->req.local_src_pages, start);
	soft_trace_dma(hca, VTRACE_DMA_WRITE, VTRACE_ACTOR_HCA_RESPONDER, read ? qp : peer,
		       read ? op_id : peer_op_id, soft_dma_key(&d), soft_dma_iova(&d), bytes,
		       qp->req.local_dst_pages, start);
}

/* Copy the WQE's `bytes` from `src` to `dst`: as much as the copy budget
 * allows, from where the WQE stopped last time. */
static enum copy_result copy(struct soft_qp *qp, struct soft_qp *peer, const struct soft_sgl *dst,
			     const struct soft_sgl *src, uint64_t bytes, uint64_t op_id,
			     uint64_t peer_op_id)
{
	struct soft_hca *hca = qp->hca;
	struct soft_req *req = &qp->req;
	uint64_t done = req->local_copied_bytes;
	uint64_t chunk = bytes - done;
	if (hca->base.on_paused && chunk > hca->base.copy_budget_bytes)
		chunk = hca->base.copy_budget_bytes;
	if (done == 0) {
		req->local_copy_start_ns = soft_tracing(hca) ? soft_now_ns() : 0;
		req->local_src_pages = req->local_dst_pages = 0;
	}
	struct soft_dma d, s;
	soft_dma_start(&d, hca, dst, done);
	soft_dma_start(&s, hca, src, done);
	if (soft_dma_copy(&d, &s, chunk)) {
		req->local_copied_bytes = 0;
		return COPY_FAILED;
	}
	hca->base.copied_bytes += chunk;
	if (hca->base.on_paused)
		hca->base.copy_budget_bytes -= chunk;
	req->local_src_pages += s.pages;
	req->local_dst_pages += d.pages;
	if (done + chunk < bytes) {
		req->local_copied_bytes = done + chunk;
		return COPY_PAUSED;
	}
	req->local_copied_bytes = 0;
	if (req->local_copy_start_ns && bytes)
		trace_copy(qp, peer, dst, src, bytes, op_id, peer_op_id);
	return COPY_DONE;
}

static int remote_ok(struct soft_qp *peer, struct soft_sgl *sgl, struct ibv_sge *sge,
		     const struct soft_send_wqe *wqe, int access)
{
	*sge = (struct ibv_sge){.addr = wqe->remote_addr, .length = wqe->length_bytes,
				.lkey = wqe->rkey};
	*sgl = (struct soft_sgl){.sge = sge, .num_sge = 1, .pdn = peer->pdn, .access = access};
	uint64_t total;
	if ((peer->access_flags & access) != access)
		return 0;
	return wqe->length_bytes == 0 || soft_sgl_check(peer->hca, sgl, &total) == 0;
}

static int do_send(struct soft_qp *qp, struct soft_qp *peer, const struct soft_send_wqe *wqe,
		   const struct soft_sgl *src)
{
	if (peer->rq_head == peer->rq_tail)
		return rnr_wait(qp);
	struct soft_sgl dst;
	uint64_t room;
	soft_recv_sgl(peer, peer->rq_head, &dst);
	if (soft_sgl_check(qp->hca, &dst, &room))
		return fail_both(qp, peer, IBV_WC_REM_OP_ERR, IBV_WC_LOC_PROT_ERR, IBV_EVENT_QP_FATAL);
	if (wqe->length_bytes > room)
		return fail_both(qp, peer, IBV_WC_REM_INV_REQ_ERR, IBV_WC_LOC_LEN_ERR,
				 IBV_EVENT_QP_REQ_ERR);
	uint64_t recv_id = soft_rq_at(peer, peer->rq_head)->wr_id;
	enum copy_result copied = copy(qp, peer, &dst, src, wqe->length_bytes, wqe->wr_id, recv_id);
	if (copied != COPY_DONE)
		return copied == COPY_PAUSED ? pause_copy(qp) : fail(qp, IBV_WC_LOC_PROT_ERR);
	/* the send's completion callback may post into this WQE's slot or
	 * change the peer: keep what the receive needs, look the peer up again */
	uint32_t peer_qpn = peer->qpn, recv_index = peer->rq_head, bytes = wqe->length_bytes;
	uint32_t imm_data = wqe->imm_data;
	int imm = wqe->opcode == IBV_WR_SEND_WITH_IMM;
	soft_complete_send(qp, IBV_WC_SUCCESS);
	if (soft_qp_get(qp->hca, peer_qpn) == peer && peer->rq_head == recv_index)
		soft_complete_recv(peer, IBV_WC_SUCCESS, IBV_WC_RECV, bytes, imm, imm_data);
	return 1;
}

static int do_write(struct soft_qp *qp, struct soft_qp *peer, const struct soft_send_wqe *wqe,
		    const struct soft_sgl *src)
{
	int imm = wqe->opcode == IBV_WR_RDMA_WRITE_WITH_IMM;
	if (imm && peer->rq_head == peer->rq_tail)
		return rnr_wait(qp);
	struct soft_sgl dst;
	struct ibv_sge sge;
	if (!remote_ok(peer, &dst, &sge, wqe, IBV_ACCESS_REMOTE_WRITE))
		return fail_both(qp, peer, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS,
				 IBV_EVENT_QP_ACCESS_ERR);
	uint64_t recv_id = imm ? soft_rq_at(peer, peer->rq_head)->wr_id : 0;
	enum copy_result copied = copy(qp, peer, &dst, src, wqe->length_bytes, wqe->wr_id, recv_id);
	if (copied != COPY_DONE)
		return copied == COPY_PAUSED ? pause_copy(qp) : fail(qp, IBV_WC_LOC_PROT_ERR);
	uint32_t peer_qpn = peer->qpn, recv_index = peer->rq_head, bytes = wqe->length_bytes;
	uint32_t imm_data = wqe->imm_data;
	soft_complete_send(qp, IBV_WC_SUCCESS);
	if (imm && soft_qp_get(qp->hca, peer_qpn) == peer && peer->rq_head == recv_index)
		soft_complete_recv(peer, IBV_WC_SUCCESS, IBV_WC_RECV_RDMA_WITH_IMM, bytes, 1, imm_data);
	return 1;
}

static int do_read(struct soft_qp *qp, struct soft_qp *peer, const struct soft_send_wqe *wqe,
		   const struct soft_sgl *dst)
{
	struct soft_sgl src;
	struct ibv_sge sge;
	if (!remote_ok(peer, &src, &sge, wqe, IBV_ACCESS_REMOTE_READ))
		return fail_both(qp, peer, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS,
				 IBV_EVENT_QP_ACCESS_ERR);
	enum copy_result copied = copy(qp, peer, dst, &src, wqe->length_bytes, wqe->wr_id, 0);
	if (copied != COPY_DONE)
		return copied == COPY_PAUSED ? pause_copy(qp) : fail(qp, IBV_WC_LOC_PROT_ERR);
	soft_complete_send(qp, IBV_WC_SUCCESS);
	return 1;
}

int soft_local_execute(struct soft_qp *qp)
{
	struct soft_qp *peer = ready_peer(qp);
	if (!peer) {
		qp->req.local_copied_bytes = 0; /* the message starts over, as after a rewind */
		return wait_for_peer(qp);
	}
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	qp->comp.retry_left = qp->retry_cnt;
	struct soft_send_wqe *wqe = soft_sq_at(qp, qp->req.index);
	int read = wqe->opcode == IBV_WR_RDMA_READ;
	struct soft_sgl local;
	uint64_t total;
	soft_send_sgl(qp, qp->req.index, read ? IBV_ACCESS_LOCAL_WRITE : 0, &local);
	if (soft_sgl_check(qp->hca, &local, &total))
		return fail(qp, IBV_WC_LOC_PROT_ERR);
	int done;
	if (read)
		done = do_read(qp, peer, wqe, &local);
	else if (wqe->opcode == IBV_WR_SEND || wqe->opcode == IBV_WR_SEND_WITH_IMM)
		done = do_send(qp, peer, wqe, &local);
	else
		done = do_write(qp, peer, wqe, &local);
	if (done)
		qp->comp.rnr_left = qp->rnr_retry;
	return done;
}

void soft_resume_send(struct vhca *vhca, uint32_t qpn)
{
	struct soft_qp *qp = soft_qp_get(soft_hca(vhca), qpn);
	if (qp && qp->state == IBV_QPS_RTS)
		soft_req_run(qp);
}
