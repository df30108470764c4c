/*
 * vrdma/hca/soft/qp.c -- queue pairs: creation, the RC state machine,
 * posting, and the completions and flushes of their work requests.
 *
 * State machine (IBA 10.3.1, RC, no SQD):
 *
 *   RESET --modify--> INIT --modify--> RTR --modify--> RTS
 *     ^                                                 |
 *     +------modify-------- ERROR <---- any state, by modify or by a
 *                                       failed work request
 *
 *   RESET  nothing posted; queues empty.      post_send/post_recv: EINVAL
 *   INIT   receives may be posted, none consumed.   post_send: EINVAL
 *   RTR    the responder runs.                      post_send: EINVAL
 *   RTS    requester, responder and completer run.
 *   ERROR  every outstanding WQE completed with IBV_WC_WR_FLUSH_ERR; new
 *          posts are accepted and flushed at once (as rxe and the IB spec
 *          (10.8.3.3) do: a WR posted to an errored QP completes in error).
 *   ->RESET discards WQEs without completions, as verbs does.
 *
 * Each transition has required and optional attribute masks (table below,
 * IBA 11.2.4.2 / ibv_modify_qp(3)); a missing required bit or any other bit
 * is EINVAL, as is a transition not drawn above.  IBV_QP_STATE is always
 * required.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vrdma/hca/soft/soft.h"

struct soft_qp *soft_qp_get(struct soft_hca *hca, uint32_t qpn)
{
	struct soft_qp *qp = hca->qps[qpn & (SOFT_MAX_QP - 1u)];
	return qp && qp->qpn == qpn ? qp : NULL;
}

static uint32_t stride(uint32_t n) { return n ? n : 1u; }

static int valid_cap(const struct ibv_qp_cap *cap)
{
	return cap->max_send_wr >= 1 && cap->max_send_wr <= SOFT_MAX_QP_WR &&
	       cap->max_recv_wr >= 1 && cap->max_recv_wr <= SOFT_MAX_QP_WR &&
	       cap->max_send_sge <= SOFT_MAX_SGE && cap->max_recv_sge <= SOFT_MAX_SGE &&
	       cap->max_inline_data <= SOFT_MAX_INLINE;
}

static void free_qp(struct soft_qp *qp)
{
	free(qp->sq);
	free(qp->sq_sge);
	free(qp->sq_inline);
	free(qp->rq);
	free(qp->rq_sge);
	free(qp);
}

static struct soft_qp *alloc_qp(const struct vhca_qp_init *init)
{
	struct soft_qp *qp = calloc(1, sizeof *qp);
	if (!qp)
		return NULL;
	const struct ibv_qp_cap *cap = &init->cap;
	qp->sq_size = cap->max_send_wr;
	qp->rq_size = cap->max_recv_wr;
	qp->sq = calloc(qp->sq_size, sizeof *qp->sq);
	qp->sq_sge = calloc((size_t)qp->sq_size * stride(cap->max_send_sge), sizeof *qp->sq_sge);
	qp->sq_inline = calloc((size_t)qp->sq_size * stride(cap->max_inline_data), 1);
	qp->rq = calloc(qp->rq_size, sizeof *qp->rq);
	qp->rq_sge = calloc((size_t)qp->rq_size * stride(cap->max_recv_sge), sizeof *qp->rq_sge);
	if (!qp->sq || !qp->sq_sge || !qp->sq_inline || !qp->rq || !qp->rq_sge) {
		free_qp(qp);
		return NULL;
	}
	return qp;
}

int soft_create_qp(struct vhca *vhca, const struct vhca_qp_init *init, uint32_t *qpn)
{
	struct soft_hca *hca = soft_hca(vhca);
	struct soft_pd *pd = init ? soft_pd_get(hca, init->pdn) : NULL;
	struct soft_cq *scq = init ? soft_cq_get(hca, init->send_cqn) : NULL;
	struct soft_cq *rcq = init ? soft_cq_get(hca, init->recv_cqn) : NULL;
	if (!pd || !scq || !rcq || !valid_cap(&init->cap))
		return EINVAL;
	uint32_t slot = 0;
	while (slot < SOFT_MAX_QP && hca->qps[slot])
		slot++;
	if (slot == SOFT_MAX_QP)
		return ENOMEM;
	struct soft_qp *qp = alloc_qp(init);
	if (!qp)
		return ENOMEM;
	/* generation in the upper 12 bits of the 24-bit QPN, never 0, so QPNs
	 * 0 and 1 (IB's special QPs) are never handed out */
	uint16_t gen = (uint16_t)(hca->qp_gen[slot] % 4095u + 1u);
	hca->qp_gen[slot] = gen;
	qp->qpn = (uint32_t)gen << SOFT_QP_SLOT_BITS | slot;
	qp->hca = hca;
	qp->state = IBV_QPS_RESET;
	qp->pdn = init->pdn;
	qp->send_cqn = init->send_cqn;
	qp->recv_cqn = init->recv_cqn;
	qp->cap = init->cap;
	qp->sq_sig_all = init->sq_sig_all;
	qp->trace_guest = init->trace_guest;
	pd->refs++;
	scq->refs++;
	rcq->refs++;
	hca->qps[slot] = qp;
	*qpn = qp->qpn;
	return 0;
}

int soft_destroy_qp(struct vhca *vhca, uint32_t qpn)
{
	struct soft_hca *hca = soft_hca(vhca);
	struct soft_qp *qp = soft_qp_get(hca, qpn);
	if (!qp)
		return EINVAL;
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	soft_timer_clear(qp, &qp->rnr_deadline_ns);
	soft_timer_clear(qp, &qp->redirect_deadline_ns);
	soft_pd_get(hca, qp->pdn)->refs--;
	soft_cq_get(hca, qp->send_cqn)->refs--;
	soft_cq_get(hca, qp->recv_cqn)->refs--;
	hca->qps[qpn & (SOFT_MAX_QP - 1u)] = NULL;
	free_qp(qp);
	return 0;
}

/* ---- modify_qp ---- */

#define M_INIT_OPT (IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS)
#define M_RTR_REQ (IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN | \
		   IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER)
#define M_RTS_REQ (IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | \
		   IBV_QP_MAX_QP_RD_ATOMIC)
#define M_RTS_OPT (IBV_QP_ACCESS_FLAGS | IBV_QP_MIN_RNR_TIMER | IBV_QP_TIMEOUT | \
		   IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY)

static const struct transition {
	enum ibv_qp_state from, to;
	int required, optional;   /* besides IBV_QP_STATE and IBV_QP_CUR_STATE */
} transitions[] = {
	{IBV_QPS_RESET, IBV_QPS_INIT, M_INIT_OPT, 0},
	{IBV_QPS_INIT, IBV_QPS_INIT, 0, M_INIT_OPT},
	{IBV_QPS_INIT, IBV_QPS_RTR, M_RTR_REQ, IBV_QP_PKEY_INDEX | IBV_QP_ACCESS_FLAGS},
	{IBV_QPS_RTR, IBV_QPS_RTS, M_RTS_REQ, IBV_QP_ACCESS_FLAGS | IBV_QP_MIN_RNR_TIMER},
	{IBV_QPS_RTS, IBV_QPS_RTS, 0, M_RTS_OPT},
};

/* Any state may go to RESET or ERROR with no other attribute. */
static int allowed_mask(enum ibv_qp_state from, enum ibv_qp_state to, int mask)
{
	int rest = mask & ~(IBV_QP_STATE | IBV_QP_CUR_STATE);
	if (to == IBV_QPS_RESET || to == IBV_QPS_ERR)
		return rest == 0;
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
		const struct transition *t = &transitions[i];
		if (t->from == from && t->to == to)
			return (rest & t->required) == t->required &&
			       (rest & ~(t->required | t->optional)) == 0;
	}
	return 0;
}

#define QP_ACCESS (IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC | \
		   IBV_ACCESS_LOCAL_WRITE)

/* Values each present attribute may take. */
static int valid_attr(const struct ibv_qp_attr *a, int mask)
{
	if ((mask & IBV_QP_PORT) && a->port_num != 1)
		return 0;
	if ((mask & IBV_QP_PKEY_INDEX) && a->pkey_index != 0)
		return 0;
	if ((mask & IBV_QP_ACCESS_FLAGS) && (a->qp_access_flags & ~QP_ACCESS))
		return 0;
	if ((mask & IBV_QP_PATH_MTU) && !vhca_mtu_bytes(a->path_mtu))
		return 0;
	if ((mask & IBV_QP_AV) && a->ah_attr.dlid == 0)
		return 0;
	if ((mask & IBV_QP_DEST_QPN) && a->dest_qp_num > SOFT_PSN_MASK)
		return 0;
	if ((mask & IBV_QP_MAX_DEST_RD_ATOMIC) && a->max_dest_rd_atomic > SOFT_MAX_RD_ATOMIC)
		return 0;
	if ((mask & IBV_QP_MAX_QP_RD_ATOMIC) && a->max_rd_atomic > SOFT_MAX_RD_ATOMIC)
		return 0;
	if ((mask & IBV_QP_MIN_RNR_TIMER) && a->min_rnr_timer > 31)
		return 0;
	if ((mask & IBV_QP_TIMEOUT) && a->timeout > SOFT_MAX_ACK_TIMEOUT)
		return 0;
	if ((mask & (IBV_QP_RETRY_CNT)) && a->retry_cnt > 7)
		return 0;
	if ((mask & (IBV_QP_RNR_RETRY)) && a->rnr_retry > 7)
		return 0;
	return 1;
}

static void apply_attr(struct soft_qp *qp, const struct ibv_qp_attr *a, int mask)
{
	if (mask & IBV_QP_ACCESS_FLAGS)
		qp->access_flags = (int)a->qp_access_flags;
	if (mask & IBV_QP_PKEY_INDEX)
		qp->pkey_index = a->pkey_index;
	if (mask & IBV_QP_PORT)
		qp->port_num = a->port_num;
	if (mask & IBV_QP_AV) {
		qp->ah_attr = a->ah_attr;
		qp->local = a->ah_attr.dlid == qp->hca->lid;
	}
	if (mask & IBV_QP_PATH_MTU) {
		qp->path_mtu = a->path_mtu;
		uint32_t bytes = vhca_mtu_bytes(a->path_mtu);
		qp->mtu_bytes = bytes < qp->hca->config.mtu_bytes ? bytes : qp->hca->config.mtu_bytes;
	}
	if (mask & IBV_QP_DEST_QPN)
		qp->dest_qpn = a->dest_qp_num;
	if (mask & IBV_QP_RQ_PSN)
		qp->rq_psn_attr = a->rq_psn & SOFT_PSN_MASK;
	if (mask & IBV_QP_SQ_PSN)
		qp->sq_psn_attr = a->sq_psn & SOFT_PSN_MASK;
	if (mask & IBV_QP_MAX_DEST_RD_ATOMIC)
		qp->max_dest_rd_atomic = a->max_dest_rd_atomic;
	if (mask & IBV_QP_MIN_RNR_TIMER)
		qp->min_rnr_timer = a->min_rnr_timer;
	if (mask & IBV_QP_MAX_QP_RD_ATOMIC)
		qp->max_rd_atomic = a->max_rd_atomic;
	if (mask & IBV_QP_TIMEOUT)
		qp->timeout = a->timeout;
	if (mask & IBV_QP_RETRY_CNT)
		qp->retry_cnt = a->retry_cnt;
	if (mask & IBV_QP_RNR_RETRY)
		qp->rnr_retry = a->rnr_retry;
}

/* Back to the freshly created state: WQEs dropped without completions. */
static void reset_qp(struct soft_qp *qp)
{
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	soft_timer_clear(qp, &qp->rnr_deadline_ns);
	qp->sq_head = qp->sq_tail = 0;
	qp->rq_head = qp->rq_tail = 0;
	memset(&qp->req, 0, sizeof qp->req);
	memset(&qp->comp, 0, sizeof qp->comp);
	memset(&qp->resp, 0, sizeof qp->resp);
	qp->access_flags = 0;
	qp->local = 0;
}

static void enter_state(struct soft_qp *qp, enum ibv_qp_state to)
{
	enum ibv_qp_state from = qp->state;
	qp->state = to;
	if (to == IBV_QPS_RESET)
		reset_qp(qp);
	else if (to == IBV_QPS_RTR && from == IBV_QPS_INIT)
		qp->resp = (struct soft_resp){.psn = qp->rq_psn_attr};
	else if (to == IBV_QPS_RTS && from == IBV_QPS_RTR) {
		qp->req = (struct soft_req){.index = qp->sq_head, .psn = qp->sq_psn_attr};
		qp->comp = (struct soft_comp){.psn = qp->sq_psn_attr, .retry_left = qp->retry_cnt,
					      .rnr_left = qp->rnr_retry};
	} else if (to == IBV_QPS_ERR)
		soft_qp_flush(qp);
}

int soft_modify_qp(struct vhca *vhca, uint32_t qpn, const struct ibv_qp_attr *attr, int mask)
{
	struct soft_qp *qp = soft_qp_get(soft_hca(vhca), qpn);
	if (!qp || !attr || !(mask & IBV_QP_STATE))
		return EINVAL;
	if ((mask & IBV_QP_CUR_STATE) && attr->cur_qp_state != qp->state)
		return EINVAL;
	if (!allowed_mask(qp->state, attr->qp_state, mask) || !valid_attr(attr, mask))
		return EINVAL;
	apply_attr(qp, attr, mask);
	if (attr->qp_state != qp->state)
		enter_state(qp, attr->qp_state);
	if (qp->state == IBV_QPS_RTS)
		soft_req_run(qp);
	return 0;
}

int soft_query_qp(struct vhca *vhca, uint32_t qpn, struct ibv_qp_attr *a)
{
	struct soft_qp *qp = soft_qp_get(soft_hca(vhca), qpn);
	if (!qp || !a)
		return EINVAL;
	memset(a, 0, sizeof *a);
	a->qp_state = a->cur_qp_state = qp->state;
	a->path_mtu = qp->path_mtu;
	a->qp_access_flags = (unsigned int)qp->access_flags;
	a->pkey_index = qp->pkey_index;
	a->port_num = qp->port_num;
	a->ah_attr = qp->ah_attr;
	a->dest_qp_num = qp->dest_qpn;
	a->rq_psn = qp->state >= IBV_QPS_RTR ? qp->resp.psn : qp->rq_psn_attr;
	a->sq_psn = qp->state >= IBV_QPS_RTS ? qp->req.psn : qp->sq_psn_attr;
	a->max_dest_rd_atomic = qp->max_dest_rd_atomic;
	a->min_rnr_timer = qp->min_rnr_timer;
	a->max_rd_atomic = qp->max_rd_atomic;
	a->timeout = qp->timeout;
	a->retry_cnt = qp->retry_cnt;
	a->rnr_retry = qp->rnr_retry;
	a->cap = qp->cap;
	return 0;
}

/* ---- posting ---- */

static int valid_send(const struct soft_qp *qp, const struct ibv_send_wr *wr, uint64_t *total)
{
	switch (wr->opcode) {
	case IBV_WR_SEND:
	case IBV_WR_SEND_WITH_IMM:
	case IBV_WR_RDMA_WRITE:
	case IBV_WR_RDMA_WRITE_WITH_IMM:
	case IBV_WR_RDMA_READ: break;
	default: return 0;
	}
	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->cap.max_send_sge ||
	    (wr->num_sge > 0 && !wr->sg_list))
		return 0;
	*total = 0;
	for (int i = 0; i < wr->num_sge; i++)
		*total += wr->sg_list[i].length;
	if (*total > SOFT_MAX_MSG_BYTES)
		return 0;
	if (wr->send_flags & IBV_SEND_INLINE)
		return wr->opcode != IBV_WR_RDMA_READ && *total <= qp->cap.max_inline_data;
	return 1;
}

/* Inline data is read from the caller's pointers now, as verbs promises. */
static void copy_inline(struct soft_qp *qp, uint32_t slot, const struct ibv_send_wr *wr)
{
	uint8_t *to = qp->sq_inline + (size_t)slot * stride(qp->cap.max_inline_data);
	for (int i = 0; i < wr->num_sge; i++) {
		if (wr->sg_list[i].length)
			memcpy(to, (const void *)(uintptr_t)wr->sg_list[i].addr, wr->sg_list[i].length);
		to += wr->sg_list[i].length;
	}
}

int soft_post_send(struct vhca *vhca, uint32_t qpn, const struct ibv_send_wr *wr)
{
	struct soft_qp *qp = soft_qp_get(soft_hca(vhca), qpn);
	uint64_t total;
	if (!qp || !wr || (qp->state != IBV_QPS_RTS && qp->state != IBV_QPS_ERR) ||
	    !valid_send(qp, wr, &total))
		return EINVAL;
	if (qp->sq_tail - qp->sq_head == qp->sq_size)
		return ENOMEM;
	uint32_t slot = qp->sq_tail % qp->sq_size;
	struct soft_send_wqe *wqe = &qp->sq[slot];
	*wqe = (struct soft_send_wqe){
		.wr_id = wr->wr_id, .opcode = wr->opcode, .send_flags = wr->send_flags,
		.imm_data = wr->imm_data, .remote_addr = wr->wr.rdma.remote_addr,
		.rkey = wr->wr.rdma.rkey, .num_sge = (uint32_t)wr->num_sge,
		.length_bytes = (uint32_t)total,
		.signaled = qp->sq_sig_all || (wr->send_flags & IBV_SEND_SIGNALED)};
	if (wr->send_flags & IBV_SEND_INLINE) {
		wqe->inline_bytes = (uint32_t)total;
		copy_inline(qp, slot, wr);
	} else if (wr->num_sge) {
		memcpy(qp->sq_sge + (size_t)slot * stride(qp->cap.max_send_sge), wr->sg_list,
		       (size_t)wr->num_sge * sizeof *wr->sg_list);
	}
	qp->sq_tail++;
	if (qp->state == IBV_QPS_ERR)
		soft_qp_flush(qp);
	else
		soft_req_run(qp);
	return 0;
}

int soft_post_recv(struct vhca *vhca, uint32_t qpn, const struct ibv_recv_wr *wr)
{
	struct soft_qp *qp = soft_qp_get(soft_hca(vhca), qpn);
	if (!qp || !wr || qp->state == IBV_QPS_RESET || wr->num_sge < 0 ||
	    (uint32_t)wr->num_sge > qp->cap.max_recv_sge || (wr->num_sge > 0 && !wr->sg_list))
		return EINVAL;
	if (qp->rq_tail - qp->rq_head == qp->rq_size)
		return ENOMEM;
	uint32_t slot = qp->rq_tail % qp->rq_size;
	qp->rq[slot] = (struct soft_recv_wqe){.wr_id = wr->wr_id, .num_sge = (uint32_t)wr->num_sge};
	if (wr->num_sge)
		memcpy(qp->rq_sge + (size_t)slot * stride(qp->cap.max_recv_sge), wr->sg_list,
		       (size_t)wr->num_sge * sizeof *wr->sg_list);
	qp->rq_tail++;
	if (qp->state == IBV_QPS_ERR)
		soft_qp_flush(qp);
	return 0;
}

void soft_send_sgl(struct soft_qp *qp, uint32_t index, int access, struct soft_sgl *sgl)
{
	uint32_t slot = index % qp->sq_size;
	const struct soft_send_wqe *wqe = &qp->sq[slot];
	*sgl = (struct soft_sgl){.pdn = qp->pdn, .access = access};
	if (wqe->send_flags & IBV_SEND_INLINE) {
		sgl->inline_data = qp->sq_inline + (size_t)slot * stride(qp->cap.max_inline_data);
		sgl->inline_bytes = wqe->inline_bytes;
	} else {
		sgl->sge = qp->sq_sge + (size_t)slot * stride(qp->cap.max_send_sge);
		sgl->num_sge = wqe->num_sge;
	}
}

void soft_recv_sgl(struct soft_qp *qp, uint32_t index, struct soft_sgl *sgl)
{
	uint32_t slot = index % qp->rq_size;
	*sgl = (struct soft_sgl){.sge = qp->rq_sge + (size_t)slot * stride(qp->cap.max_recv_sge),
				 .num_sge = qp->rq[slot].num_sge, .pdn = qp->pdn,
				 .access = IBV_ACCESS_LOCAL_WRITE};
}

/* ---- completions ---- */

static enum ibv_wc_opcode send_wc_opcode(enum ibv_wr_opcode opcode)
{
	switch (opcode) {
	case IBV_WR_RDMA_WRITE:
	case IBV_WR_RDMA_WRITE_WITH_IMM: return IBV_WC_RDMA_WRITE;
	case IBV_WR_RDMA_READ: return IBV_WC_RDMA_READ;
	default: return IBV_WC_SEND;
	}
}

/* Unsignaled WQEs complete silently, but an error always reports (verbs). */
void soft_complete_send(struct soft_qp *qp, enum ibv_wc_status status)
{
	struct soft_send_wqe *wqe = soft_sq_at(qp, qp->sq_head);
	uint32_t index = qp->sq_head++;
	if (qp->req.index == index)
		qp->req.index = qp->sq_head;
	if (status == IBV_WC_SUCCESS && !wqe->signaled)
		return;
	struct ibv_wc wc = {.wr_id = wqe->wr_id, .status = status,
			    .opcode = send_wc_opcode(wqe->opcode), .byte_len = wqe->length_bytes,
			    .qp_num = qp->qpn, .src_qp = qp->dest_qpn};
	soft_cq_push(qp->hca, qp->send_cqn, &wc, VTRACE_ACTOR_HCA_COMPLETER, qp->trace_guest);
}

void soft_complete_recv(struct soft_qp *qp, enum ibv_wc_status status, enum ibv_wc_opcode opcode,
			uint32_t byte_len, int with_imm, uint32_t imm_data)
{
	struct soft_recv_wqe *wqe = soft_rq_at(qp, qp->rq_head++);
	struct ibv_wc wc = {.wr_id = wqe->wr_id, .status = status, .opcode = opcode,
			    .byte_len = byte_len, .qp_num = qp->qpn, .src_qp = qp->dest_qpn,
			    .wc_flags = with_imm ? IBV_WC_WITH_IMM : 0, .imm_data = imm_data,
			    .slid = qp->ah_attr.dlid};
	soft_cq_push(qp->hca, qp->recv_cqn, &wc, VTRACE_ACTOR_HCA_RESPONDER, qp->trace_guest);
}

void soft_qp_flush(struct soft_qp *qp)
{
	soft_timer_clear(qp, &qp->retx_deadline_ns);
	soft_timer_clear(qp, &qp->rnr_deadline_ns);
	qp->req.rnr_wait = 0;
	qp->resp.have_recv = 0;
	qp->resp.in_message = 0;
	while (qp->state == IBV_QPS_ERR && qp->sq_head != qp->sq_tail)
		soft_complete_send(qp, IBV_WC_WR_FLUSH_ERR);
	while (qp->state == IBV_QPS_ERR && qp->rq_head != qp->rq_tail)
		soft_complete_recv(qp, IBV_WC_WR_FLUSH_ERR, IBV_WC_RECV, 0, 0, 0);
	qp->req.index = qp->sq_head;
}

void soft_qp_error(struct soft_qp *qp)
{
	if (qp->state == IBV_QPS_ERR || qp->state == IBV_QPS_RESET)
		return;
	qp->state = IBV_QPS_ERR;
	soft_qp_flush(qp);
}

void soft_qp_fail(struct soft_qp *qp, enum ibv_event_type event)
{
	if (qp->state == IBV_QPS_ERR || qp->state == IBV_QPS_RESET)
		return;
	struct vhca *base = &qp->hca->base;
	if (base->on_async)
		base->on_async(base->async_ctx, event, qp->qpn);
	soft_qp_error(qp);
}
