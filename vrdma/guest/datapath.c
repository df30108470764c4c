/*
 * vrdma/guest/datapath.c -- posting, polling, notification.
 *
 * post_send writes each WQE into the next send-ring slot, publishes the new
 * producer index, and rings one doorbell for the whole list (each doorbell
 * is a VM exit, so a list costs one).  poll_cq reads CQEs the device wrote
 * into the CQ ring; it never exits.  req_notify_cq arms the CQ with a
 * doorbell; the device then raises the notification vector once.
 */
#include "vrdma/guest/internal.h"
#include "vrdma/device/ring.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static struct vrdma_ring_state *sq_state(struct vrdma_qp *qp)
{
	return (void *)(qp->memory + VRDMA_QP_SQ_STATE_OFFSET);
}

static struct vrdma_ring_state *rq_state(struct vrdma_qp *qp)
{
	return (void *)(qp->memory + VRDMA_QP_RQ_STATE_OFFSET);
}

static void *sq_slot(struct vrdma_qp *qp, uint32_t index)
{
	return qp->memory + VRDMA_PAGE_BYTES + (size_t)vring_slot(index, qp->cap.max_send_wr) * VRDMA_WQE_BYTES;
}

static void *rq_slot(struct vrdma_qp *qp, uint32_t index)
{
	size_t sq_bytes = (size_t)qp->cap.max_send_wr * VRDMA_WQE_BYTES;
	size_t sq_pages_bytes = (sq_bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES * VRDMA_PAGE_BYTES;
	return qp->memory + VRDMA_PAGE_BYTES + sq_pages_bytes +
	       (size_t)vring_slot(index, qp->cap.max_recv_wr) * VRDMA_WQE_BYTES;
}

static int ring_full(uint32_t prod, const uint32_t *device_cons, uint32_t size)
{
	return vring_used(prod, vring_load(device_cons), size) >= size;
}

static uint64_t total_bytes(const struct ibv_sge *sge, int n)
{
	uint64_t total = 0;
	for (int i = 0; i < n; i++)
		total += sge[i].length;
	return total;
}

static int build_send_wqe(struct vrdma_qp *qp, const struct ibv_send_wr *wr, struct vrdma_send_wqe *w)
{
	memset(w, 0, sizeof *w);
	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->cap.max_send_sge)
		return EINVAL;
	w->wr_id = wr->wr_id;
	w->opcode = wr->opcode;
	w->send_flags = wr->send_flags;
	w->imm_data = wr->imm_data;
	w->remote_addr = wr->wr.rdma.remote_addr;
	w->rkey = wr->wr.rdma.rkey;
	if (wr->send_flags & IBV_SEND_INLINE) {
		uint64_t bytes = total_bytes(wr->sg_list, wr->num_sge);
		if (bytes > qp->cap.max_inline_data || wr->opcode == IBV_WR_RDMA_READ)
			return EINVAL;
		uint32_t at = 0;
		for (int i = 0; i < wr->num_sge; i++) {
			memcpy(w->u.inline_data + at, (const void *)(uintptr_t)wr->sg_list[i].addr,
			       wr->sg_list[i].length);
			at += wr->sg_list[i].length;
		}
		w->inline_bytes = at;
		return 0;
	}
	w->num_sge = (uint32_t)wr->num_sge;
	for (int i = 0; i < wr->num_sge; i++) {
		w->u.sge[i].addr = wr->sg_list[i].addr;
		w->u.sge[i].length = wr->sg_list[i].length;
		w->u.sge[i].lkey = wr->sg_list[i].lkey;
	}
	return 0;
}

int vrdma_post_send(struct vrdma_qp *qp, struct ibv_send_wr *wr, struct ibv_send_wr **bad_wr)
{
	struct vrdma_context *ctx = qp->context;
	struct vrdma_ring_state *state = sq_state(qp);
	int posted = 0, rc = 0;
	uint64_t last_op = 0;
	if (qp->state != IBV_QPS_RTS)
		rc = EINVAL;
	for (; wr != NULL && rc == 0; wr = wr->next) {
		if (ring_full(qp->sq_prod, &state->cons_head, qp->cap.max_send_wr)) {
			rc = ENOMEM;
			break;
		}
		struct vrdma_send_wqe w;
		rc = build_send_wqe(qp, wr, &w);
		if (rc != 0)
			break;
		uint64_t op = vtrace_op_id(ctx->vm->host_id, ctx->vm->guest_id, qp->handle, 0, qp->sq_sequence++);
		uint16_t flags = (uint16_t)(((wr->send_flags & IBV_SEND_SIGNALED) || qp->sq_sig_all ? VTRACE_F_SIGNALED : 0) |
					    (wr->send_flags & IBV_SEND_INLINE ? VTRACE_F_INLINE : 0));
		VG_TRACE(ctx, VTRACE_POST, qp->handle, op, wr->opcode, total_bytes(wr->sg_list, wr->num_sge),
			 (uint32_t)wr->num_sge, flags);
		memcpy(sq_slot(qp, qp->sq_prod), &w, sizeof w);
		VG_TRACE(ctx, VTRACE_WQE_WRITE, qp->handle, op, qp->sq_prod, sizeof w, 0, 0);
		last_op = op;
		qp->sq_prod = vring_next(qp->sq_prod, qp->cap.max_send_wr);
		vring_store(&state->prod_tail, qp->sq_prod);
		posted++;
	}
	if (posted > 0)
		vdev_write_uar_traced(ctx->vm->device, VRDMA_UAR_QP, qp->handle | VRDMA_UAR_QP_SEND, last_op);
	if (rc != 0 && bad_wr != NULL)
		*bad_wr = wr;
	return rc;
}

int vrdma_post_recv(struct vrdma_qp *qp, struct ibv_recv_wr *wr, struct ibv_recv_wr **bad_wr)
{
	struct vrdma_context *ctx = qp->context;
	struct vrdma_ring_state *state = rq_state(qp);
	int posted = 0, rc = 0;
	uint64_t last_op = 0;
	if (qp->state == IBV_QPS_RESET || qp->state == IBV_QPS_ERR)
		rc = EINVAL;
	for (; wr != NULL && rc == 0; wr = wr->next) {
		if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->cap.max_recv_sge) {
			rc = EINVAL;
			break;
		}
		if (ring_full(qp->rq_prod, &state->cons_head, qp->cap.max_recv_wr)) {
			rc = ENOMEM;
			break;
		}
		struct vrdma_recv_wqe w;
		memset(&w, 0, sizeof w);
		w.wr_id = wr->wr_id;
		w.num_sge = (uint32_t)wr->num_sge;
		for (int i = 0; i < wr->num_sge; i++) {
			w.sge[i].addr = wr->sg_list[i].addr;
			w.sge[i].length = wr->sg_list[i].length;
			w.sge[i].lkey = wr->sg_list[i].lkey;
		}
		uint64_t op = vtrace_op_id(ctx->vm->host_id, ctx->vm->guest_id, qp->handle, 1, qp->rq_sequence++);
		VG_TRACE(ctx, VTRACE_POST, qp->handle, op, VTRACE_RECV_OPCODE,
			 total_bytes(wr->sg_list, wr->num_sge), (uint32_t)wr->num_sge, 0);
		memcpy(rq_slot(qp, qp->rq_prod), &w, sizeof w);
		VG_TRACE(ctx, VTRACE_WQE_WRITE, qp->handle, op, qp->rq_prod, sizeof w, 0, 0);
		last_op = op;
		qp->rq_prod = vring_next(qp->rq_prod, qp->cap.max_recv_wr);
		vring_store(&state->prod_tail, qp->rq_prod);
		posted++;
	}
	if (posted > 0)
		vdev_write_uar_traced(ctx->vm->device, VRDMA_UAR_QP, qp->handle | VRDMA_UAR_QP_RECV, last_op);
	if (rc != 0 && bad_wr != NULL)
		*bad_wr = wr;
	return rc;
}

int vrdma_poll_cq(struct vrdma_cq *cq, int num_entries, struct ibv_wc *wc)
{
	struct vrdma_context *ctx = cq->context;
	struct vrdma_ring_state *state = (void *)cq->memory;
	uint32_t prod = vring_load(&state->prod_tail);
	int n = 0;
	while (n < num_entries && cq->cons != prod) {
		const struct vrdma_cqe *e = (const void *)(cq->memory + VRDMA_PAGE_BYTES +
							 (size_t)vring_slot(cq->cons, cq->size) * VRDMA_CQE_BYTES);
		struct ibv_wc *w = &wc[n++];
		memset(w, 0, sizeof *w);
		w->wr_id = e->wr_id;
		w->status = (enum ibv_wc_status)e->status;
		w->opcode = (enum ibv_wc_opcode)e->opcode;
		w->byte_len = e->byte_len;
		w->imm_data = e->imm_data;
		w->src_qp = e->src_qp;
		w->wc_flags = e->wc_flags;
		w->vendor_err = e->vendor_err;
		uint32_t h = e->qp_handle;
		w->qp_num = h != 0 && h <= ctx->caps.max_qp && ctx->qps[h - 1] ? ctx->qps[h - 1]->qp_num : 0;
		/* One poll event per completion, tied to its work request;
		 * the empty polls before it ride on the first. */
		VG_TRACE(ctx, VTRACE_POLL, cq->handle, e->trace_op_id, 1, cq->empty_polls, 0, 0);
		cq->empty_polls = 0;
		cq->cons = vring_next(cq->cons, cq->size);
	}
	if (n == 0) {
		cq->empty_polls++;
		return 0;
	}
	vring_store(&state->cons_head, cq->cons);
	return n;
}

int vrdma_req_notify_cq(struct vrdma_cq *cq, int solicited_only)
{
	uint32_t flags = VRDMA_UAR_CQ_ARM | (solicited_only ? VRDMA_UAR_CQ_ARM_SOLICITED : 0);
	vdev_write_uar(cq->context->vm->device, VRDMA_UAR_CQ, cq->handle | flags);
	return 0;
}

/* Move notifications from the device's ring to their channels' queues. */
static void drain_notifications(struct vrdma_context *ctx)
{
	struct vg_event_ring *ring = &ctx->notify_ring;
	struct vrdma_ring_state *state = (void *)ring->memory;
	uint32_t prod = vring_load(&state->prod_tail);
	while (ring->cons != prod) {
		const struct vrdma_cq_notification *n = (const void *)(ring->memory + VRDMA_PAGE_BYTES +
								    (size_t)vring_slot(ring->cons, ring->size) * 8u);
		uint32_t h = n->cq_handle;
		struct vrdma_cq *cq = h != 0 && h <= ctx->caps.max_cq ? ctx->cqs[h - 1] : NULL;
		if (cq != NULL && cq->channel != NULL && cq->channel->count < VG_CHANNEL_QUEUE) {
			struct vrdma_comp_channel *ch = cq->channel;
			ch->queue[(ch->head + ch->count) % VG_CHANNEL_QUEUE] = h;
			ch->count++;
		}
		ring->cons = vring_next(ring->cons, ring->size);
	}
	vring_store(&state->cons_head, ring->cons);
}

int vrdma_get_cq_event(struct vrdma_comp_channel *ch, struct vrdma_cq **cq_out, void **cq_context)
{
	struct vrdma_context *ctx = ch->context;
	pthread_mutex_lock(&ctx->event_lock);
	for (;;) {
		drain_notifications(ctx);
		while (ch->count > 0) {
			uint32_t h = ch->queue[ch->head];
			ch->head = (ch->head + 1) % VG_CHANNEL_QUEUE;
			ch->count--;
			struct vrdma_cq *cq = ctx->cqs[h - 1];
			if (cq == NULL)
				continue; /* destroyed since */
			pthread_mutex_unlock(&ctx->event_lock);
			*cq_out = cq;
			if (cq_context != NULL)
				*cq_context = cq->cq_context;
			cq->events_pending_ack++;
			VG_TRACE(ctx, VTRACE_EVENT_WAKE, cq->handle, 0, 0, 0, 0, 0);
			return 0;
		}
		if (ctx->event_reader) {
			pthread_cond_wait(&ctx->event_arrived, &ctx->event_lock);
			continue;
		}
		/* Become the one thread that sleeps on the interrupt line. */
		ctx->event_reader = 1;
		pthread_mutex_unlock(&ctx->event_lock);
		uint64_t count;
		ssize_t n;
		while ((n = read(ctx->vm->irq_fd[VRDMA_VECTOR_CQ_NOTIFY], &count, sizeof count)) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&ctx->event_lock);
		ctx->event_reader = 0;
		pthread_cond_broadcast(&ctx->event_arrived);
		if (n < 0) {
			pthread_mutex_unlock(&ctx->event_lock);
			return errno;
		}
	}
}

void vrdma_ack_cq_events(struct vrdma_cq *cq, unsigned int nevents)
{
	cq->events_pending_ack = nevents > cq->events_pending_ack ? 0 : cq->events_pending_ack - nevents;
}

int vrdma_poll_async_event(struct vrdma_context *ctx, enum ibv_event_type *type, uint32_t *handle)
{
	struct vg_event_ring *ring = &ctx->async_ring;
	struct vrdma_ring_state *state = (void *)ring->memory;
	pthread_mutex_lock(&ctx->event_lock);
	uint32_t prod = vring_load(&state->prod_tail);
	int found = 0;
	if (ring->cons != prod) {
		const struct vrdma_async_event *e = (const void *)(ring->memory + VRDMA_PAGE_BYTES +
								 (size_t)vring_slot(ring->cons, ring->size) * 8u);
		*type = (enum ibv_event_type)e->type;
		*handle = e->handle;
		ring->cons = vring_next(ring->cons, ring->size);
		vring_store(&state->cons_head, ring->cons);
		found = 1;
	}
	pthread_mutex_unlock(&ctx->event_lock);
	return found;
}
