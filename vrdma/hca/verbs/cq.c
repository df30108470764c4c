/*
 * vrdma/hca/verbs/cq.c -- completion queues: one real CQ per vhca CQ, all on
 * the instance's completion channel.
 *
 * A CQ is armed when created and re-armed on each of its events *before*
 * its callback polls it, so a completion that lands after the poll raises a
 * new event instead of waiting unseen (the verbs idiom: arm, then poll).
 * Events are acked one by one as they are taken, so destroy never waits.
 */
#include <errno.h>
#include <string.h>

#include "vrdma/hca/verbs/verbs.h"

struct verbs_cq *verbs_cq_get(struct verbs_hca *hca, uint32_t cqn)
{
	if (cqn == 0 || cqn > VERBS_MAX_CQ || !hca->cqs[cqn - 1].cq)
		return NULL;
	return &hca->cqs[cqn - 1];
}

int verbs_create_cq(struct vhca *vhca, int cqe, vhca_cq_event_fn fn, void *ctx, uint32_t *cqn)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	if (cqe < 1 || !cqn)
		return EINVAL;
	for (uint32_t i = 0; i < VERBS_MAX_CQ; i++) {
		struct verbs_cq *cq = &hca->cqs[i];
		if (cq->cq)
			continue;
		errno = 0;
		struct ibv_cq *real = ibv_create_cq(hca->ctx, cqe, cq, hca->channel, 0);
		if (!real)
			return errno ? errno : ENOMEM;
		int rc = ibv_req_notify_cq(real, 0);
		if (rc) {
			ibv_destroy_cq(real);
			return verbs_errno(rc);
		}
		*cq = (struct verbs_cq){.cq = real, .cqn = i + 1, .on_completion = fn, .ctx = ctx};
		*cqn = cq->cqn;
		return 0;
	}
	return ENOMEM;
}

int verbs_destroy_cq(struct vhca *vhca, uint32_t cqn)
{
	struct verbs_cq *cq = verbs_cq_get(verbs_hca(vhca), cqn);
	if (!cq)
		return EINVAL;
	if (cq->refs)
		return EBUSY;
	int rc = ibv_destroy_cq(cq->cq);
	if (rc)
		return verbs_errno(rc);
	memset(cq, 0, sizeof *cq);
	return 0;
}

static void trace_completion(struct verbs_hca *hca, uint32_t cqn, const struct ibv_wc *wc)
{
	struct verbs_qp *qp = verbs_qp_find(hca, wc->qp_num);
	verbs_trace(hca, VTRACE_HCA_COMPLETION, VTRACE_ACTOR_HCA_COMPLETER, qp ? qp->trace_guest : 0,
		    cqn, wc->wr_id, wc->status, wc->byte_len, wc->opcode,
		    wc->status ? VTRACE_F_ERROR : 0, 0);
}

int verbs_poll_cq(struct vhca *vhca, uint32_t cqn, int max, struct ibv_wc *wc)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_cq *cq = verbs_cq_get(hca, cqn);
	if (!cq || max < 0 || (max > 0 && !wc))
		return -EINVAL;
	if (max == 0)
		return 0;
	int n = ibv_poll_cq(cq->cq, max, wc);
	if (n < 0)
		return -verbs_errno(n);
	for (int i = 0; i < n; i++) {
		if (wc[i].status != IBV_WC_SUCCESS)
			verbs_qp_unpoison(hca, &wc[i]);
		if (hca->base.trace)
			trace_completion(hca, cqn, &wc[i]);
	}
	return n;
}

void verbs_cq_events(struct verbs_hca *hca)
{
	struct ibv_cq *real;
	void *context;
	/* The channel's fd is non-blocking: -1 (EAGAIN) when none is left. */
	while (ibv_get_cq_event(hca->channel, &real, &context) == 0) {
		struct verbs_cq *cq = context;
		ibv_ack_cq_events(real, 1);
		ibv_req_notify_cq(real, 0);
		if (cq->on_completion)
			cq->on_completion(cq->ctx, cq->cqn);
	}
}
