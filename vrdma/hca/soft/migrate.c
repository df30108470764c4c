/*
 * vrdma/hca/soft/migrate.c -- live migration of a QP between two software
 * HCAs (hca.h's save_qp, restore_qp, reg_mr_key; docs/migration.md).
 *
 * Save: the QP's attributes, the PSN its requester resends from (the first
 * PSN of its oldest unretired send: go-back-N from there is what a timeout
 * would do anyway, and the peer's responder answers what it already took
 * as duplicates), its responder's place in the peer's stream (expected
 * PSN, MSN and the message in progress), and its unretired work requests.
 *
 * Restore: a QP just created takes the attributes through the ordinary
 * modify_qp checks, the work requests through the ordinary post checks, and
 * the responder state, itself checked; then it tells the peer its new
 * location with a location datagram, again every SOFT_REDIRECT_RESEND_NS
 * until the peer answers.  The peer accepts it only for its QP whose peer
 * is the old location, from the new location's port; it then sends there
 * and resends what was unacknowledged at once (go-back-N).
 *
 * Location datagram (network order): mark 0xff (no RC opcode), kind (1
 * tell, 2 answer), 2 bytes zero, u32 the receiving QPN, u16 old LID, u16
 * new LID, u32 old QPN, u32 new QPN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "vrdma/hca/soft/soft.h"

#define MGMT_TELL 1u
#define MGMT_ANSWER 2u

/* ---- save ---- */

static uint32_t sge_stride(uint32_t n) { return n ? n : 1u; }

int soft_save_qp(struct vhca *vhca, uint32_t qpn, uint32_t capacity, struct vhca_qp_image *im)
{
	struct soft_qp *qp = soft_qp_get(soft_hca(vhca), qpn);
	if (!qp || !im)
		return EINVAL;
	if (qp->local || qp->state == IBV_QPS_ERR || qp->state == IBV_QPS_SQD || qp->state == IBV_QPS_SQE)
		return ENOTSUP;
	if (qp->sq_tail - qp->sq_head > capacity || qp->rq_tail - qp->rq_head > capacity)
		return E2BIG;
	struct vhca_saved_send *sends = im->sends;
	struct vhca_saved_recv *recvs = im->recvs;
	memset(im, 0, sizeof *im);
	im->sends = sends;
	im->recvs = recvs;
	im->state = qp->state;
	im->access_flags = (uint32_t)qp->access_flags;
	im->port_num = qp->port_num;
	im->pkey_index = qp->pkey_index;
	im->dlid = qp->ah_attr.dlid;
	im->dest_qpn = qp->dest_qpn;
	im->path_mtu = qp->path_mtu;
	im->timeout = qp->timeout;
	im->retry_cnt = qp->retry_cnt;
	im->rnr_retry = qp->rnr_retry;
	im->min_rnr_timer = qp->min_rnr_timer;
	/* a location message not yet answered: the peer may still send to the
	 * old location it named (or an older one it named itself) */
	if (qp->redirect_pending) {
		im->prior_lid = qp->redirect_prior_lid ? qp->redirect_prior_lid : qp->redirect_old_lid;
		im->prior_qpn = qp->redirect_prior_lid ? qp->redirect_prior_qpn : qp->redirect_old_qpn;
	}
	im->max_rd_atomic = qp->max_rd_atomic;
	im->max_dest_rd_atomic = qp->max_dest_rd_atomic;
	if (qp->state == IBV_QPS_RTS) {
		const struct soft_send_wqe *head = qp->sq_head != qp->sq_tail ? soft_sq_at(qp, qp->sq_head) : NULL;
		im->sq_psn = head && head->has_psn ? head->first_psn : qp->req.psn;
	} else {
		im->sq_psn = qp->sq_psn_attr;
	}
	im->rq_psn = qp->state >= IBV_QPS_RTR ? qp->resp.psn : qp->rq_psn_attr;
	im->msn = qp->resp.msn;
	im->in_message = (uint32_t)qp->resp.in_message;
	im->last_opcode = qp->resp.last_opcode;
	im->have_recv = (uint32_t)qp->resp.have_recv;
	im->recv_offset = qp->resp.have_recv ? qp->resp.recv_offset : 0; /* stale once a receive completed */
	im->write_va = qp->resp.write_va;
	im->write_rkey = qp->resp.write_rkey;
	im->write_left = qp->resp.write_left;
	im->write_total = qp->resp.write_total;
	for (uint32_t i = qp->sq_head; i != qp->sq_tail; i++) {
		const struct soft_send_wqe *w = soft_sq_at(qp, i);
		uint32_t slot = i % qp->sq_size;
		struct vhca_saved_send *s = &sends[im->send_count++];
		memset(s, 0, sizeof *s);
		s->wr_id = w->wr_id;
		s->remote_addr = w->remote_addr;
		s->opcode = (uint32_t)w->opcode;
		s->send_flags = w->send_flags;
		s->imm_data = w->imm_data;
		s->rkey = w->rkey;
		if (w->send_flags & IBV_SEND_INLINE) {
			s->inline_bytes = w->inline_bytes;
			memcpy(s->inline_data, qp->sq_inline + (size_t)slot * sge_stride(qp->cap.max_inline_data),
			       w->inline_bytes);
		} else {
			s->num_sge = w->num_sge;
			memcpy(s->sge, qp->sq_sge + (size_t)slot * sge_stride(qp->cap.max_send_sge),
			       (size_t)w->num_sge * sizeof *s->sge);
		}
	}
	for (uint32_t i = qp->rq_head; i != qp->rq_tail; i++) {
		const struct soft_recv_wqe *w = soft_rq_at(qp, i);
		uint32_t slot = i % qp->rq_size;
		struct vhca_saved_recv *r = &recvs[im->recv_count++];
		memset(r, 0, sizeof *r);
		r->wr_id = w->wr_id;
		r->num_sge = w->num_sge;
		memcpy(r->sge, qp->rq_sge + (size_t)slot * sge_stride(qp->cap.max_recv_sge),
		       (size_t)w->num_sge * sizeof *r->sge);
	}
	return 0;
}

/* ---- restore ---- */

static int bring_up(struct vhca *vhca, uint32_t qpn, const struct vhca_qp_image *im)
{
	struct ibv_qp_attr a;
	if (im->state == IBV_QPS_RESET)
		return 0;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_INIT;
	a.port_num = (uint8_t)im->port_num;
	a.pkey_index = (uint16_t)im->pkey_index;
	a.qp_access_flags = im->access_flags;
	if (im->port_num > UINT8_MAX || im->pkey_index > UINT16_MAX)
		return EINVAL;
	int rc = soft_modify_qp(vhca, qpn, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	if (rc || im->state == IBV_QPS_INIT)
		return rc;
	if (im->dlid > UINT16_MAX || im->path_mtu > IBV_MTU_4096 || im->max_dest_rd_atomic > UINT8_MAX ||
	    im->min_rnr_timer > UINT8_MAX)
		return EINVAL;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = (enum ibv_mtu)im->path_mtu;
	a.dest_qp_num = im->dest_qpn;
	a.rq_psn = im->rq_psn;
	a.max_dest_rd_atomic = (uint8_t)im->max_dest_rd_atomic;
	a.min_rnr_timer = (uint8_t)im->min_rnr_timer;
	a.ah_attr.dlid = (uint16_t)im->dlid;
	a.ah_attr.port_num = (uint8_t)im->port_num;
	rc = soft_modify_qp(vhca, qpn, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
					   IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
	if (rc || im->state == IBV_QPS_RTR)
		return rc;
	if (im->state != IBV_QPS_RTS || im->timeout > UINT8_MAX || im->retry_cnt > UINT8_MAX ||
	    im->rnr_retry > UINT8_MAX || im->max_rd_atomic > UINT8_MAX)
		return EINVAL;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = im->sq_psn;
	a.timeout = (uint8_t)im->timeout;
	a.retry_cnt = (uint8_t)im->retry_cnt;
	a.rnr_retry = (uint8_t)im->rnr_retry;
	a.max_rd_atomic = (uint8_t)im->max_rd_atomic;
	return soft_modify_qp(vhca, qpn, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
						 IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
}

/* The responder's message in progress must be one it could have reached. */
static int valid_resp(const struct soft_qp *qp, const struct vhca_qp_image *im)
{
	if (im->in_message > 1 || im->have_recv > 1 || im->last_opcode >= SOFT_OP_COUNT ||
	    (im->msn & ~SOFT_PSN_MASK) || (im->rq_psn & ~SOFT_PSN_MASK) || (im->sq_psn & ~SOFT_PSN_MASK) ||
	    im->write_left > im->write_total || im->write_total > SOFT_MAX_MSG_BYTES)
		return 0;
	if (im->have_recv) {
		if (im->recv_count == 0)
			return 0;
		uint64_t room = 0;
		for (uint32_t i = 0; i < im->recvs[0].num_sge && i < VHCA_SAVE_MAX_SGE; i++)
			room += im->recvs[0].sge[i].length;
		if (im->recv_offset > room)
			return 0;
	} else if (im->recv_offset != 0) {
		return 0;
	}
	(void)qp;
	return 1;
}

static void mgmt_send(struct soft_hca *hca, uint16_t port, uint8_t kind, uint32_t to_qpn, uint16_t old_lid,
		      uint16_t new_lid, uint32_t old_qpn, uint32_t new_qpn)
{
	uint8_t b[SOFT_MGMT_BYTES];
	uint32_t v;
	uint16_t h;
	memset(b, 0, sizeof b);
	b[0] = SOFT_MGMT_MARK;
	b[1] = kind;
	v = htonl(to_qpn);
	memcpy(b + 4, &v, 4);
	h = htons(old_lid);
	memcpy(b + 8, &h, 2);
	h = htons(new_lid);
	memcpy(b + 10, &h, 2);
	v = htonl(old_qpn);
	memcpy(b + 12, &v, 4);
	v = htonl(new_qpn);
	memcpy(b + 16, &v, 4);
	soft_net_send_raw(hca, port, b, sizeof b);
}

static void tell_peer(struct soft_qp *qp)
{
	mgmt_send(qp->hca, qp->ah_attr.dlid, MGMT_TELL, qp->dest_qpn, qp->redirect_old_lid, qp->hca->lid,
		  qp->redirect_old_qpn, qp->qpn);
	if (qp->redirect_prior_lid)
		mgmt_send(qp->hca, qp->ah_attr.dlid, MGMT_TELL, qp->dest_qpn, qp->redirect_prior_lid, qp->hca->lid,
			  qp->redirect_prior_qpn, qp->qpn);
	soft_timer_set(qp, &qp->redirect_deadline_ns, soft_now_ns() + SOFT_REDIRECT_RESEND_NS);
}

void soft_redirect_resend(struct soft_qp *qp)
{
	if (qp->redirect_pending)
		tell_peer(qp);
}

int soft_restore_qp(struct vhca *vhca, uint32_t qpn, const struct vhca_qp_image *im, uint16_t old_lid,
		    uint32_t old_qpn)
{
	struct soft_hca *hca = soft_hca(vhca);
	struct soft_qp *qp = soft_qp_get(hca, qpn);
	if (!qp || !im || qp->state != IBV_QPS_RESET || qp->sq_head != qp->sq_tail || qp->rq_head != qp->rq_tail)
		return EINVAL;
	if (im->send_count > qp->sq_size || im->recv_count > qp->rq_size || !valid_resp(qp, im))
		return EINVAL;
	if (im->state != IBV_QPS_RESET && im->state != IBV_QPS_INIT && im->state != IBV_QPS_RTR &&
	    im->state != IBV_QPS_RTS)
		return EINVAL;
	int rc = bring_up(vhca, qpn, im);
	if (rc)
		return rc;
	if (qp->local && (im->send_count || im->recv_count || im->in_message))
		return ENOTSUP;
	for (uint32_t i = 0; i < im->recv_count; i++) {
		const struct vhca_saved_recv *r = &im->recvs[i];
		if (r->num_sge > VHCA_SAVE_MAX_SGE)
			return EINVAL;
		struct ibv_recv_wr wr = {.wr_id = r->wr_id, .num_sge = (int)r->num_sge,
					 .sg_list = (struct ibv_sge *)r->sge};
		if ((rc = soft_post_recv(vhca, qpn, &wr)) != 0)
			return rc;
	}
	qp->resp.msn = im->msn;
	qp->resp.in_message = (int)im->in_message;
	qp->resp.last_opcode = (uint8_t)im->last_opcode;
	qp->resp.have_recv = (int)im->have_recv;
	qp->resp.recv_offset = im->recv_offset;
	qp->resp.write_va = im->write_va;
	qp->resp.write_rkey = im->write_rkey;
	qp->resp.write_left = im->write_left;
	qp->resp.write_total = im->write_total;
	if (qp->state == IBV_QPS_RTS && !qp->local) {
		qp->redirect_pending = 1;
		qp->redirect_old_lid = old_lid;
		qp->redirect_old_qpn = old_qpn;
		qp->redirect_prior_lid = (uint16_t)im->prior_lid;
		qp->redirect_prior_qpn = im->prior_qpn;
		qp->restored_ns = soft_now_ns();
		tell_peer(qp);
	}
	for (uint32_t i = 0; i < im->send_count; i++) {
		const struct vhca_saved_send *s = &im->sends[i];
		struct ibv_sge inl = {.addr = (uintptr_t)s->inline_data, .length = s->inline_bytes};
		if (s->num_sge > VHCA_SAVE_MAX_SGE || s->inline_bytes > VHCA_SAVE_MAX_INLINE)
			return EINVAL;
		struct ibv_send_wr wr = {.wr_id = s->wr_id, .opcode = (enum ibv_wr_opcode)s->opcode,
					 .send_flags = s->send_flags, .imm_data = s->imm_data};
		wr.wr.rdma.remote_addr = s->remote_addr;
		wr.wr.rdma.rkey = s->rkey;
		if (s->send_flags & IBV_SEND_INLINE) {
			wr.sg_list = &inl;
			wr.num_sge = s->inline_bytes ? 1 : 0;
		} else {
			wr.sg_list = (struct ibv_sge *)s->sge;
			wr.num_sge = (int)s->num_sge;
		}
		if ((rc = soft_post_send(vhca, qpn, &wr)) != 0)
			return rc;
	}
	soft_net_flush(hca);
	return 0;
}

int soft_reconnected(struct vhca *vhca, uint64_t *last_ns)
{
	struct soft_hca *hca = soft_hca(vhca);
	*last_ns = hca->redirect_answered_ns;
	for (uint32_t i = 0; i < SOFT_MAX_QP; i++)
		if (hca->qps[i] && hca->qps[i]->redirect_pending)
			return 0;
	return 1;
}

/* ---- the location datagram ---- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return ntohs(v);
}

void soft_mgmt_receive(struct soft_hca *hca, const uint8_t *buf, size_t bytes, uint16_t from_port)
{
	if (bytes != SOFT_MGMT_BYTES || buf[2] != 0 || buf[3] != 0 || (buf[1] != MGMT_TELL && buf[1] != MGMT_ANSWER)) {
		hca->stats.packets_rejected++;
		return;
	}
	uint32_t to_qpn = rd32(buf + 4), old_qpn = rd32(buf + 12), new_qpn = rd32(buf + 16);
	uint16_t old_lid = rd16(buf + 8), new_lid = rd16(buf + 10);
	struct soft_qp *qp = soft_qp_get(hca, to_qpn);
	if (!qp || qp->local || qp->state < IBV_QPS_RTR || qp->state > IBV_QPS_RTS ||
	    from_port != (buf[1] == MGMT_TELL ? new_lid : qp->ah_attr.dlid)) {
		hca->stats.packets_rejected++;
		return;
	}
	if (buf[1] == MGMT_TELL) {
		int moved_here = qp->ah_attr.dlid == new_lid && qp->dest_qpn == new_qpn;
		if (!moved_here && !(qp->ah_attr.dlid == old_lid && qp->dest_qpn == old_qpn)) {
			hca->stats.packets_rejected++;
			return;
		}
		hca->stats.packets_received++;
		if (!moved_here) {
			qp->ah_attr.dlid = new_lid;
			qp->dest_qpn = new_qpn;
			qp->comp.retry_left = qp->retry_cnt;
			if (soft_tracing(hca))
				soft_trace(hca, VTRACE_MIGRATE_RECONNECT, VTRACE_ACTOR_HCA_COMPLETER, qp->trace_guest,
					   qp->qpn, 0, 1, old_qpn != new_qpn, 0, 0, 0);
			/* what the old location never acknowledged goes to the new one now */
			if (qp->state == IBV_QPS_RTS && soft_psn_diff(qp->req.psn, qp->comp.psn) > 0)
				soft_req_rewind(qp, VTRACE_RETX_TIMEOUT);
		}
		mgmt_send(hca, new_lid, MGMT_ANSWER, new_qpn, old_lid, new_lid, old_qpn, new_qpn);
		return;
	}
	/* an answer: this QP's peer knows where it is now */
	int named_old = qp->redirect_old_lid == old_lid && qp->redirect_old_qpn == old_qpn;
	int named_prior = qp->redirect_prior_lid && qp->redirect_prior_lid == old_lid && qp->redirect_prior_qpn == old_qpn;
	if (!qp->redirect_pending || qp->qpn != new_qpn || !(named_old || named_prior) || new_lid != hca->lid) {
		hca->stats.packets_rejected++;
		return;
	}
	hca->stats.packets_received++;
	qp->redirect_pending = 0;
	hca->redirect_answered_ns = soft_now_ns();
	if (soft_tracing(hca))
		soft_trace(hca, VTRACE_MIGRATE_RECONNECT, VTRACE_ACTOR_HCA_COMPLETER, qp->trace_guest, qp->qpn, 0, 1,
			   old_qpn != new_qpn, 0, 0, qp->restored_ns);
	soft_timer_clear(qp, &qp->redirect_deadline_ns);
	if (qp->state == IBV_QPS_RTS && soft_psn_diff(qp->req.psn, qp->comp.psn) > 0) {
		qp->comp.retry_left = qp->retry_cnt;
		soft_req_rewind(qp, VTRACE_RETX_TIMEOUT);
	}
}
