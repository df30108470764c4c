/*
 * vrdma/backend/completion.c -- proxying completions and events to guests.
 *
 * When the HCA reports completions on a CQ, the backend takes them, maps
 * each back to the guest's QP handle and wr_id, and writes CQEs into the
 * guest's CQ ring.  If the guest armed the CQ, it then queues a notification
 * and raises the CQ interrupt (vector 2) once, and disarms; otherwise the
 * interrupt is suppressed, which is what makes polling cheap.  A guest CQ
 * ring that overflows, or whose consumer index is impossible, is broken:
 * the guest gets IBV_EVENT_CQ_ERR and no more CQEs there.
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/ring.h"

#include <string.h>
#include <unistd.h>

/* The trace names the vectors for its readers (vrdma/trace/trace.h). */
_Static_assert((int)VTRACE_VECTOR_COMMAND == (int)VRDMA_VECTOR_COMMAND && (int)VTRACE_VECTOR_ASYNC == (int)VRDMA_VECTOR_ASYNC &&
	       (int)VTRACE_VECTOR_CQ_NOTIFY == (int)VRDMA_VECTOR_CQ_NOTIFY, "trace and device ABI number vectors alike");

#define WC_BATCH 32

void vb_raise_interrupt(struct vdev *dev, enum vrdma_vector vector)
{
	uint32_t mask = atomic_load(&dev->reg_imr);
	int suppressed = (mask >> vector) & 1u;
	VB_TRACE(dev, VTRACE_INTERRUPT, VTRACE_ACTOR_INTERRUPT, vector, 0, vector, 0, 0,
		 suppressed ? VTRACE_F_SUPPRESSED : 0);
	if (suppressed) {
		dev->backend->stats.interrupts_suppressed++;
		return;
	}
	dev->backend->stats.interrupts++;
	uint64_t one = 1;
	ssize_t n = write(dev->irq_fd[vector], &one, sizeof one);
	(void)n;
}

/* Room in a device-produced ring, or -1 when the guest's index is broken. */
static int64_t ring_room(struct vb_ring *ring)
{
	uint32_t cons = vring_load(ring->guest_index);
	if (!vring_index_ok(cons, ring->size))
		return -1;
	uint32_t used = vring_used(ring->index, cons, ring->size);
	if (used > ring->size)
		return -1;
	return ring->size - used;
}

static int push_event(struct vb_ring *ring, const void *entry, size_t bytes)
{
	if (ring->size == 0 || ring_room(ring) <= 0)
		return -1;
	memcpy(vb_ring_slot(ring, ring->index), entry, bytes);
	ring->index = vring_next(ring->index, ring->size);
	vring_store(ring->device_index, ring->index);
	return 0;
}

void vb_guest_async_event(struct vdev *dev, enum ibv_event_type type, uint32_t handle)
{
	struct vrdma_async_event e = { .type = (uint32_t)type, .handle = handle };
	VB_TRACE(dev, VTRACE_ASYNC_EVENT, VTRACE_ACTOR_BACKEND, handle, 0, type, 0, 0, VTRACE_F_ERROR);
	if (push_event(&dev->async_ring, &e, sizeof e) == 0)
		vb_raise_interrupt(dev, VRDMA_VECTOR_ASYNC);
}

static void notify(struct vb_cq *cq)
{
	struct vdev *dev = cq->dev;
	unsigned armed = atomic_exchange(&cq->arm, 0);
	if (!armed) {
		/* The guest arms, then polls once more, then sleeps.  An arm
		 * that trapped but is not drained yet must count, or a CQE
		 * written between that last poll and the drain is never
		 * signalled.  The fence orders our CQE store before this
		 * load, as the guest's locked bit-set orders its arm before
		 * its poll. */
		atomic_thread_fence(memory_order_seq_cst);
		armed = (unsigned)vb_take_arm_doorbell(dev, cq->handle);
	}
	if (!armed) {
		VB_TRACE(dev, VTRACE_INTERRUPT, VTRACE_ACTOR_INTERRUPT, VRDMA_VECTOR_CQ_NOTIFY, 0,
			 VRDMA_VECTOR_CQ_NOTIFY, cq->handle, 0, VTRACE_F_SUPPRESSED);
		dev->backend->stats.interrupts_suppressed++;
		return;
	}
	struct vrdma_cq_notification n = { .cq_handle = cq->handle };
	VB_TRACE(dev, VTRACE_NOTIFY, VTRACE_ACTOR_BACKEND, cq->handle, 0, 0, 0, 0, 0);
	if (push_event(&dev->notify_ring, &n, sizeof n) != 0) {
		dev->backend->stats.guest_errors++;
		return;
	}
	vb_raise_interrupt(dev, VRDMA_VECTOR_CQ_NOTIFY);
}

static void break_cq(struct vb_cq *cq)
{
	if (cq->broken)
		return;
	cq->broken = 1;
	cq->dev->backend->stats.guest_errors++;
	vb_guest_async_event(cq->dev, IBV_EVENT_CQ_ERR, cq->handle);
}

static void write_cqe(struct vb_cq *cq, const struct vrdma_cqe *cqe, uint64_t op_id)
{
	struct vdev *dev = cq->dev;
	if (cq->broken)
		return;
	int64_t room = ring_room(&cq->ring);
	if (room <= 0) {
		break_cq(cq); /* overrun, or a consumer index that cannot be */
		return;
	}
	uint32_t index = cq->ring.index;
	memcpy(vb_ring_slot(&cq->ring, index), cqe, sizeof *cqe);
	cq->ring.index = vring_next(index, cq->ring.size);
	vring_store(cq->ring.device_index, cq->ring.index);
	dev->backend->stats.cqes_written++;
	VB_TRACE(dev, VTRACE_CQE_WRITE, VTRACE_ACTOR_BACKEND, cq->handle, op_id, cqe->status,
		 cqe->byte_len, index, cqe->status ? VTRACE_F_ERROR : 0);
}

void vb_write_error_cqe(struct vb_qp *qp, int send_queue, uint64_t guest_wr_id, uint64_t op_id,
			enum ibv_wc_status status, enum ibv_wc_opcode opcode)
{
	struct vb_cq *cq = vb_cq_get(qp->dev, send_queue ? qp->send_cq_handle : qp->recv_cq_handle);
	if (cq == NULL)
		return;
	struct vrdma_cqe cqe;
	memset(&cqe, 0, sizeof cqe);
	cqe.wr_id = guest_wr_id;
	cqe.qp_handle = qp->handle;
	cqe.opcode = opcode;
	cqe.status = status;
	cqe.trace_op_id = op_id;
	write_cqe(cq, &cqe, op_id);
	notify(cq);
}

static void proxy_one(struct vb_cq *cq, const struct ibv_wc *wc)
{
	struct vb_qp *qp = vb_qpn_find(cq->dev->backend, wc->qp_num);
	if (qp == NULL || qp->dev != cq->dev)
		return; /* the QP was destroyed meanwhile */
	int is_recv = (wc->opcode & IBV_WC_RECV) != 0 || (wc->status != IBV_WC_SUCCESS && ((wc->wr_id >> 32) & 1u));
	/* (bit 32 of the op id: the receive queue; see vtrace_op_id) */
	struct vb_inflight *f = is_recv ? &qp->rq_inflight : &qp->sq_inflight;
	uint64_t guest_wr_id = 0;
	vb_inflight_take(f, wc->wr_id, &guest_wr_id);
	struct vrdma_cqe cqe;
	memset(&cqe, 0, sizeof cqe);
	cqe.wr_id = guest_wr_id;
	cqe.qp_handle = qp->handle;
	cqe.opcode = wc->opcode;
	cqe.status = wc->status;
	cqe.byte_len = wc->byte_len;
	cqe.imm_data = wc->imm_data;
	cqe.src_qp = wc->src_qp;
	cqe.wc_flags = wc->wc_flags;
	cqe.vendor_err = wc->vendor_err;
	cqe.trace_op_id = wc->wr_id;
	write_cqe(cq, &cqe, wc->wr_id);
	/* Room in the HCA again: the QP's ring goes on in its guest's turn. */
	if (is_recv ? qp->rq_stalled : qp->sq_stalled)
		vb_schedule(qp->dev);
}

void vb_cq_event(void *ctx, uint32_t cqn)
{
	struct vb_cq *cq = ctx;
	struct vbackend *b = cq->dev->backend;
	int total = 0;
	for (;;) {
		int n = b->hca->ops->poll_cq(b->hca, cqn, WC_BATCH, b->wc_batch);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			proxy_one(cq, &b->wc_batch[i]);
		total += n;
		if (n < WC_BATCH)
			break;
	}
	if (total > 0)
		notify(cq);
}

void vb_async_event(void *ctx, enum ibv_event_type type, uint32_t object)
{
	struct vbackend *b = ctx;
	if (type == IBV_EVENT_QP_FATAL || type == IBV_EVENT_QP_REQ_ERR || type == IBV_EVENT_QP_ACCESS_ERR ||
	    type == IBV_EVENT_COMM_EST || type == IBV_EVENT_SQ_DRAINED || type == IBV_EVENT_QP_LAST_WQE_REACHED) {
		struct vb_qp *qp = vb_qpn_find(b, object);
		if (qp != NULL)
			vb_guest_async_event(qp->dev, type, qp->handle);
	}
}

void vb_arm_cq(struct vb_cq *cq, unsigned arm)
{
	atomic_store(&cq->arm, arm);
}
