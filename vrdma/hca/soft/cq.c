/*
 * vrdma/hca/soft/cq.c -- completion queues: a bounded ring of ibv_wc per
 * CQ, filled by the completer and responder, emptied by poll_cq.  A full
 * CQ loses the completion and raises IBV_EVENT_CQ_ERR, as an overrun does
 * in verbs; it never grows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vrdma/hca/soft/soft.h"

struct soft_cq *soft_cq_get(struct soft_hca *hca, uint32_t cqn)
{
	if (cqn == 0 || cqn > SOFT_MAX_CQ || hca->cqs[cqn - 1].cqn != cqn)
		return NULL;
	return &hca->cqs[cqn - 1];
}

int soft_create_cq(struct vhca *vhca, int cqe, vhca_cq_event_fn fn, void *ctx, uint32_t *cqn)
{
	struct soft_hca *hca = soft_hca(vhca);
	if (cqe < 1 || (uint32_t)cqe > SOFT_MAX_CQE)
		return EINVAL;
	for (uint32_t i = 0; i < SOFT_MAX_CQ; i++) {
		struct soft_cq *cq = &hca->cqs[i];
		if (cq->cqn)
			continue;
		struct ibv_wc *ring = calloc((size_t)cqe, sizeof *ring);
		if (!ring)
			return ENOMEM;
		*cq = (struct soft_cq){.cqn = i + 1, .ring = ring, .size = (uint32_t)cqe,
				       .on_completion = fn, .ctx = ctx};
		*cqn = cq->cqn;
		return 0;
	}
	return ENOMEM;
}

int soft_destroy_cq(struct vhca *vhca, uint32_t cqn)
{
	struct soft_cq *cq = soft_cq_get(soft_hca(vhca), cqn);
	if (!cq)
		return EINVAL;
	if (cq->refs)
		return EBUSY;
	free(cq->ring);
	memset(cq, 0, sizeof *cq);
	return 0;
}

int soft_poll_cq(struct vhca *vhca, uint32_t cqn, int max, struct ibv_wc *wc)
{
	struct soft_cq *cq = soft_cq_get(soft_hca(vhca), cqn);
	if (!cq || max < 0 || (max > 0 && !wc))
		return -EINVAL;
	int n = 0;
	while (n < max && cq->count) {
		wc[n++] = cq->ring[cq->head];
		cq->head = (cq->head + 1) % cq->size;
		cq->count--;
	}
	return n;
}

void soft_cq_push(struct soft_hca *hca, uint32_t cqn, const struct ibv_wc *wc,
		  enum vtrace_actor actor, uint16_t guest)
{
	struct soft_cq *cq = soft_cq_get(hca, cqn);
	if (!cq)
		return;
	if (soft_tracing(hca))
		soft_trace(hca, VTRACE_HCA_COMPLETION, actor, guest, cqn, wc->wr_id, wc->status,
			   wc->byte_len, wc->opcode, wc->status ? VTRACE_F_ERROR : 0, 0);
	if (cq->count == cq->size) {
		if (hca->base.on_async)
			hca->base.on_async(hca->base.async_ctx, IBV_EVENT_CQ_ERR, cqn);
		return;
	}
	cq->ring[(cq->head + cq->count) % cq->size] = *wc;
	cq->count++;
	if (cq->on_completion)
		cq->on_completion(cq->ctx, cqn);
}
