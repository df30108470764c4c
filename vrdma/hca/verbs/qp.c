/*
 * vrdma/hca/verbs/qp.c -- queue pairs on the real device, and posting.
 *
 * Posting checks every SGE against the driver's own region table (key, PD,
 * bounds, local write for what the device will write) and swaps in the real
 * lkey; the guest's address is already the device's (regions are
 * registered at the guest's iova).  Remote addresses and rkeys go through
 * untouched: the remote device checks them.
 *
 * A refused SGE must complete with IBV_WC_LOC_PROT_ERR and break the QP, as
 * it would on an HCA -- and in order: the backend matches completions to
 * its in-flight FIFO, so a completion written ahead of older work requests
 * would orphan them.  So the driver moves the QP to ERROR (as the HCA would
 * on the error), posts the request empty so that the device flushes it
 * after everything posted before it, remembers its wr_id, and poll_cq
 * turns that flush back into IBV_WC_LOC_PROT_ERR (see verbs_poison).
 * Requests posted earlier are flushed rather than run to the end: the one
 * way this differs from an HCA that finds the bad key itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vrdma/hca/verbs/verbs.h"

#define TOMBSTONE ((struct verbs_qp *)1)
#define DEFAULT_HOP_LIMIT 64     /* RoCEv2: the IP TTL of a routed path */

/* ---- QPN -> QP: open addressing, linear probing, tombstones ---- */

static uint32_t qpn_hash(uint32_t qpn) { return (qpn * 2654435761u) & (VERBS_QPN_TABLE - 1u); }

struct verbs_qp *verbs_qp_find(struct verbs_hca *hca, uint32_t qpn)
{
	for (uint32_t i = 0, h = qpn_hash(qpn); i < VERBS_QPN_TABLE; i++, h = (h + 1) & (VERBS_QPN_TABLE - 1)) {
		struct verbs_qpn_entry *e = &hca->qpn_table[h];
		if (!e->qp)
			return NULL;
		if (e->qp != TOMBSTONE && e->qpn == qpn)
			return e->qp;
	}
	return NULL;
}

static void qpn_insert(struct verbs_hca *hca, struct verbs_qp *qp)
{
	uint32_t h = qpn_hash(qp->qpn);
	while (hca->qpn_table[h].qp && hca->qpn_table[h].qp != TOMBSTONE)
		h = (h + 1) & (VERBS_QPN_TABLE - 1);   /* ends: at most half full */
	hca->qpn_table[h] = (struct verbs_qpn_entry){.qpn = qp->qpn, .qp = qp};
	hca->qp_count++;
}

static void qpn_remove(struct verbs_hca *hca, uint32_t qpn)
{
	for (uint32_t i = 0, h = qpn_hash(qpn); i < VERBS_QPN_TABLE; i++, h = (h + 1) & (VERBS_QPN_TABLE - 1)) {
		struct verbs_qpn_entry *e = &hca->qpn_table[h];
		if (!e->qp)
			return;
		if (e->qp != TOMBSTONE && e->qpn == qpn) {
			e->qp = TOMBSTONE;
			hca->qp_count--;
			return;
		}
	}
}

/* ---- create, modify, query, destroy ---- */

int verbs_create_qp(struct vhca *vhca, const struct vhca_qp_init *init, uint32_t *qpn)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	if (!init || !qpn)
		return EINVAL;
	struct verbs_pd *pd = verbs_pd_get(hca, init->pdn);
	struct verbs_cq *scq = verbs_cq_get(hca, init->send_cqn);
	struct verbs_cq *rcq = verbs_cq_get(hca, init->recv_cqn);
	if (!pd || !scq || !rcq)
		return EINVAL;
	if (hca->qp_count >= VERBS_MAX_QP)
		return ENOMEM;
	struct verbs_qp *qp = calloc(1, sizeof *qp);
	if (!qp)
		return ENOMEM;
	struct ibv_qp_init_attr attr = {
		.send_cq = scq->cq, .recv_cq = rcq->cq, .cap = init->cap, .qp_type = IBV_QPT_RC,
		.sq_sig_all = init->sq_sig_all ? 1 : 0, .qp_context = qp};
	errno = 0;
	qp->qp = ibv_create_qp(pd->pd, &attr);
	if (!qp->qp) {
		int rc = errno ? errno : EINVAL;
		free(qp);
		return rc;
	}
	qp->qpn = qp->qp->qp_num;
	qp->pdn = init->pdn;
	qp->send_cqn = init->send_cqn;
	qp->recv_cqn = init->recv_cqn;
	qp->port_num = 1;
	qp->trace_guest = init->trace_guest;
	qpn_insert(hca, qp);
	pd->refs++;
	scq->refs++;
	rcq->refs++;
	*qpn = qp->qpn;
	return 0;
}

/* What verbs on the host needs that the guest may leave out: the port of
 * the address vector, and on RoCE a GRH (the guest may be written for IB). */
static void complete_av(const struct verbs_hca *hca, const struct verbs_qp *qp, struct ibv_ah_attr *ah)
{
	if (ah->port_num == 0)
		ah->port_num = qp->port_num;
	if (hca->link_ethernet && !ah->is_global) {
		ah->is_global = 1;
		ah->grh.sgid_index = (uint8_t)hca->base.gid_index;
		if (ah->grh.hop_limit == 0)
			ah->grh.hop_limit = DEFAULT_HOP_LIMIT;
	}
}

int verbs_modify_qp(struct vhca *vhca, uint32_t qpn, const struct ibv_qp_attr *attr, int attr_mask)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_qp *qp = verbs_qp_find(hca, qpn);
	if (!qp || !attr)
		return EINVAL;
	struct ibv_qp_attr a = *attr;
	if (attr_mask & IBV_QP_AV)
		complete_av(hca, qp, &a.ah_attr);
	int rc = ibv_modify_qp(qp->qp, &a, attr_mask);
	if (rc)
		return verbs_errno(rc);
	if (attr_mask & IBV_QP_PORT)
		qp->port_num = a.port_num;
	if ((attr_mask & IBV_QP_STATE) && a.qp_state == IBV_QPS_RESET)
		qp->send_poison.count = qp->recv_poison.count = 0;   /* RESET empties the queues */
	return 0;
}

#define QUERY_MASK (IBV_QP_STATE | IBV_QP_CUR_STATE | IBV_QP_ACCESS_FLAGS | IBV_QP_PKEY_INDEX |      \
		    IBV_QP_PORT | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |      \
		    IBV_QP_RNR_RETRY | IBV_QP_RQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER |  \
		    IBV_QP_SQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_CAP | IBV_QP_DEST_QPN)

int verbs_query_qp(struct vhca *vhca, uint32_t qpn, struct ibv_qp_attr *attr)
{
	struct verbs_qp *qp = verbs_qp_find(verbs_hca(vhca), qpn);
	struct ibv_qp_init_attr init;
	if (!qp || !attr)
		return EINVAL;
	int rc = ibv_query_qp(qp->qp, attr, QUERY_MASK, &init);
	return rc ? verbs_errno(rc) : 0;
}

static void release_qp(struct verbs_hca *hca, struct verbs_qp *qp)
{
	struct verbs_pd *pd = verbs_pd_get(hca, qp->pdn);
	struct verbs_cq *scq = verbs_cq_get(hca, qp->send_cqn);
	struct verbs_cq *rcq = verbs_cq_get(hca, qp->recv_cqn);
	if (pd)
		pd->refs--;
	if (scq)
		scq->refs--;
	if (rcq)
		rcq->refs--;
	qpn_remove(hca, qp->qpn);
	free(qp);
}

int verbs_destroy_qp(struct vhca *vhca, uint32_t qpn)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_qp *qp = verbs_qp_find(hca, qpn);
	if (!qp)
		return EINVAL;
	int rc = ibv_destroy_qp(qp->qp);
	if (rc)
		return verbs_errno(rc);
	release_qp(hca, qp);
	return 0;
}

void verbs_qp_destroy_all(struct verbs_hca *hca)
{
	for (uint32_t h = 0; h < VERBS_QPN_TABLE; h++) {
		struct verbs_qp *qp = hca->qpn_table[h].qp;
		if (qp && qp != TOMBSTONE) {
			ibv_destroy_qp(qp->qp);
			release_qp(hca, qp);
		}
	}
}

/* ---- refused requests ---- */

static int poison_push(struct verbs_poison *p, uint64_t wr_id, enum ibv_wc_opcode opcode)
{
	if (p->count == VERBS_POISON_SLOTS)
		return ENOMEM;
	uint32_t tail = (p->head + p->count) % VERBS_POISON_SLOTS;
	p->wr_id[tail] = wr_id;
	p->opcode[tail] = opcode;
	p->count++;
	return 0;
}

/* The oldest refused request is this completion's: take it (1). */
static int poison_take(struct verbs_poison *p, uint64_t wr_id, enum ibv_wc_opcode *opcode)
{
	if (!p->count || p->wr_id[p->head] != wr_id)
		return 0;
	*opcode = p->opcode[p->head];
	p->head = (p->head + 1) % VERBS_POISON_SLOTS;
	p->count--;
	return 1;
}

void verbs_qp_unpoison(struct verbs_hca *hca, struct ibv_wc *wc)
{
	struct verbs_qp *qp = verbs_qp_find(hca, wc->qp_num);
	enum ibv_wc_opcode opcode;
	if (!qp || !(poison_take(&qp->send_poison, wc->wr_id, &opcode) ||
		     poison_take(&qp->recv_poison, wc->wr_id, &opcode)))
		return;
	wc->status = IBV_WC_LOC_PROT_ERR;
	wc->opcode = opcode;
	wc->byte_len = 0;
	wc->vendor_err = 0;
}

/* The QP's state allows posting to this queue (verbs: send from RTS on,
 * receive from INIT on), else EINVAL as the device would say. */
static int may_post(struct verbs_qp *qp, int send)
{
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr init;
	if (ibv_query_qp(qp->qp, &a, IBV_QP_STATE, &init))
		return EINVAL;
	if (a.qp_state == IBV_QPS_RESET || (send && (a.qp_state == IBV_QPS_INIT || a.qp_state == IBV_QPS_RTR)))
		return EINVAL;
	return 0;
}

/* Break the QP and queue an empty stand-in for the refused request (see
 * the banner).  Returns 0, or an errno for the backend to report. */
static int refuse(struct verbs_qp *qp, int send, uint64_t wr_id, enum ibv_wc_opcode opcode)
{
	struct verbs_poison *p = send ? &qp->send_poison : &qp->recv_poison;
	int rc = may_post(qp, send);
	if (rc)
		return rc;
	if (p->count == VERBS_POISON_SLOTS)
		return EINVAL;
	struct ibv_qp_attr err = {.qp_state = IBV_QPS_ERR};
	rc = ibv_modify_qp(qp->qp, &err, IBV_QP_STATE);
	if (rc)
		return verbs_errno(rc);
	if (send) {
		struct ibv_send_wr wr = {.wr_id = wr_id, .opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED};
		struct ibv_send_wr *bad;
		rc = ibv_post_send(qp->qp, &wr, &bad);
	} else {
		struct ibv_recv_wr wr = {.wr_id = wr_id};
		struct ibv_recv_wr *bad;
		rc = ibv_post_recv(qp->qp, &wr, &bad);
	}
	return rc ? verbs_errno(rc) : poison_push(p, wr_id, opcode);
}

/* ---- posting ---- */

/* Check an SGE list and swap in the real lkeys: 0, or EACCES when an SGE
 * names no region of the QP's PD, leaves it, or needs write access the
 * region lacks.  Empty SGEs are dropped (they move no byte). */
static int translate_sges(struct verbs_hca *hca, const struct verbs_qp *qp, const struct ibv_sge *in,
			  int count, int need_write, struct ibv_sge *out, int *out_count)
{
	int n = 0;
	for (int i = 0; i < count; i++) {
		if (in[i].length == 0)
			continue;
		const struct verbs_mr *mr = verbs_mr_get(hca, in[i].lkey);
		if (!mr || mr->pdn != qp->pdn || in[i].addr < mr->iova ||
		    in[i].addr - mr->iova > mr->length_bytes ||
		    in[i].length > mr->length_bytes - (in[i].addr - mr->iova) ||
		    (need_write && !(mr->access & IBV_ACCESS_LOCAL_WRITE)))
			return EACCES;
		out[n] = (struct ibv_sge){.addr = in[i].addr, .length = in[i].length, .lkey = mr->mr->lkey};
		n++;
	}
	*out_count = n;
	return 0;
}

static enum ibv_wc_opcode wc_opcode_of(enum ibv_wr_opcode op)
{
	switch (op) {
	case IBV_WR_RDMA_WRITE: case IBV_WR_RDMA_WRITE_WITH_IMM: return IBV_WC_RDMA_WRITE;
	case IBV_WR_RDMA_READ: return IBV_WC_RDMA_READ;
	default: return IBV_WC_SEND;
	}
}

static int known_opcode(enum ibv_wr_opcode op)
{
	return op == IBV_WR_RDMA_WRITE || op == IBV_WR_RDMA_WRITE_WITH_IMM || op == IBV_WR_SEND ||
	       op == IBV_WR_SEND_WITH_IMM || op == IBV_WR_RDMA_READ;
}

int verbs_post_send(struct vhca *vhca, uint32_t qpn, const struct ibv_send_wr *wr)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_qp *qp = verbs_qp_find(hca, qpn);
	if (!qp || !wr || !known_opcode(wr->opcode) || wr->num_sge < 0 ||
	    (uint32_t)wr->num_sge > VERBS_MAX_SGE || (wr->num_sge && !wr->sg_list))
		return EINVAL;
	struct ibv_sge sges[VERBS_MAX_SGE];
	struct ibv_send_wr copy = *wr;
	copy.next = NULL;
	if (!(wr->send_flags & IBV_SEND_INLINE)) {
		/* RDMA READ writes into the local SGEs: they need local write. */
		if (translate_sges(hca, qp, wr->sg_list, wr->num_sge, wr->opcode == IBV_WR_RDMA_READ,
				   sges, &copy.num_sge))
			return refuse(qp, 1, wr->wr_id, wc_opcode_of(wr->opcode));
		copy.sg_list = sges;
	}   /* inline: the SGEs are host pointers the device copies now (hca.h) */
	struct ibv_send_wr *bad;
	int rc = ibv_post_send(qp->qp, &copy, &bad);
	return rc ? verbs_errno(rc) : 0;
}

int verbs_post_recv(struct vhca *vhca, uint32_t qpn, const struct ibv_recv_wr *wr)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_qp *qp = verbs_qp_find(hca, qpn);
	if (!qp || !wr || wr->num_sge < 0 || (uint32_t)wr->num_sge > VERBS_MAX_SGE ||
	    (wr->num_sge && !wr->sg_list))
		return EINVAL;
	struct ibv_sge sges[VERBS_MAX_SGE];
	struct ibv_recv_wr copy = *wr;
	copy.next = NULL;
	if (translate_sges(hca, qp, wr->sg_list, wr->num_sge, 1, sges, &copy.num_sge))
		return refuse(qp, 0, wr->wr_id, IBV_WC_RECV);
	copy.sg_list = sges;
	struct ibv_recv_wr *bad;
	int rc = ibv_post_recv(qp->qp, &copy, &bad);
	return rc ? verbs_errno(rc) : 0;
}
