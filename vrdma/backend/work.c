/*
 * vrdma/backend/work.c -- consuming the guests' send and receive rings.
 *
 * On a doorbell the backend reads the guest's producer index (untrusted),
 * copies each new WQE out of guest memory, checks it, translates it into an
 * ibv_send_wr / ibv_recv_wr and posts it to the HCA.  The payload is not
 * touched here: the HCA reads and writes the registered guest pages itself.
 * Only when the HCA has taken a WQE does the backend advance its consumer
 * index, which tells the guest the slot is free again.  A guest's turn
 * fetches at most VBACKEND_TURN_WQES; the rest wait for its next turn.
 *
 * A WQE that breaks the rules (unknown opcode, too many SGEs, inline data
 * too long) completes with IBV_WC_LOC_QP_OP_ERR and moves the QP to ERROR,
 * as a hardware HCA does with a malformed WQE.  A producer index outside the
 * ring breaks the QP the same way and raises IBV_EVENT_QP_FATAL.
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_SEND_FLAGS (IBV_SEND_FENCE | IBV_SEND_SIGNALED | IBV_SEND_SOLICITED | IBV_SEND_INLINE)

int vb_inflight_init(struct vb_inflight *f, uint32_t capacity)
{
	f->op_ids = calloc(capacity, sizeof *f->op_ids);
	f->guest_wr_ids = calloc(capacity, sizeof *f->guest_wr_ids);
	f->capacity = capacity;
	f->head = f->count = 0;
	if (f->op_ids == NULL || f->guest_wr_ids == NULL) {
		vb_inflight_free(f);
		return ENOMEM;
	}
	return 0;
}

void vb_inflight_free(struct vb_inflight *f)
{
	free(f->op_ids);
	free(f->guest_wr_ids);
	memset(f, 0, sizeof *f);
}

/* Capacity is the queue depth + 1.  When full, the oldest entry must be an
 * unsignalled request the HCA finished silently (it holds no more than the
 * queue depth): drop it.  The + 1 keeps a push that the HCA then refuses
 * from dropping an entry still in flight. */
static void inflight_push(struct vb_inflight *f, uint64_t op_id, uint64_t guest_wr_id)
{
	if (f->count == f->capacity) {
		f->head = (f->head + 1) % f->capacity;
		f->count--;
	}
	uint32_t tail = (f->head + f->count) % f->capacity;
	f->op_ids[tail] = op_id;
	f->guest_wr_ids[tail] = guest_wr_id;
	f->count++;
}

/* Take back the newest entry: the HCA refused the request. */
static void inflight_unpush(struct vb_inflight *f)
{
	if (f->count > 0)
		f->count--;
}

/* The HCA retires unsignalled requests without telling anyone, so a QP it
 * refused for want of room is retried after every round of HCA work, not
 * only after a completion. */
static void stall(struct vb_qp *qp)
{
	struct vbackend *b = qp->dev->backend;
	if (qp->on_stalled_list)
		return;
	qp->on_stalled_list = 1;
	qp->next_stalled = b->stalled;
	b->stalled = qp;
}

void vb_forget_stalled(struct vb_qp *qp)
{
	struct vb_qp **link = &qp->dev->backend->stalled;
	while (*link != NULL && *link != qp)
		link = &(*link)->next_stalled;
	if (*link == qp)
		*link = qp->next_stalled;
	qp->on_stalled_list = 0;
	qp->next_stalled = NULL;
}

void vb_stalled_due(struct vbackend *b)
{
	for (struct vb_qp *qp = b->stalled; qp != NULL; qp = qp->next_stalled)
		vb_schedule(qp->dev);
}

void vb_retry_stalled(struct vdev *dev)
{
	/* Taken off the list first: a retry the HCA refuses again re-enters it. */
	struct vb_qp *mine = NULL;
	struct vb_qp **link = &dev->backend->stalled;
	while (*link != NULL) {
		struct vb_qp *qp = *link;
		if (qp->dev != dev) {
			link = &qp->next_stalled;
			continue;
		}
		*link = qp->next_stalled;
		qp->on_stalled_list = 0;
		qp->next_stalled = mine;
		mine = qp;
	}
	while (mine != NULL) {
		struct vb_qp *qp = mine;
		mine = qp->next_stalled;
		qp->next_stalled = NULL;
		if (qp->rq_stalled)
			vb_consume_recv_queue(qp);
		if (qp->sq_stalled)
			vb_consume_send_queue(qp);
	}
}

void vb_copy_paused(void *backend, uint32_t qpn)
{
	struct vb_qp *qp = vb_qpn_find(backend, qpn);
	if (qp == NULL)
		return;
	struct vdev *dev = qp->dev;
	for (uint32_t i = 0; i < dev->paused_count; i++)
		if (dev->paused_qpns[i] == qpn)
			return;
	if (dev->paused_count < dev->backend->config.max_qp_per_guest)
		dev->paused_qpns[dev->paused_count++] = qpn;
	vb_schedule(dev);
}

/* QPNs, not pointers: a QP destroyed meanwhile is simply not found. */
void vb_resume_paused(struct vdev *dev)
{
	struct vbackend *b = dev->backend;
	uint32_t count = dev->paused_count;
	dev->paused_count = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct vb_qp *qp = vb_qpn_find(b, dev->paused_qpns[i]);
		if (qp != NULL && qp->dev == dev)
			b->hca->ops->resume_send(b->hca, qp->qpn);
	}
}

/* One WQE of the turn's budget; when it is spent, the ring waits for the
 * guest's next turn. */
static int take_wqe_budget(struct vb_qp *qp, int send_queue)
{
	struct vbackend *b = qp->dev->backend;
	if (b->turn_wqes_left > 0) {
		b->turn_wqes_left--;
		return 1;
	}
	vb_ring_again(qp->dev, send_queue, qp->handle);
	return 0;
}

static void move_to_error(struct vb_qp *qp)
{
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };
	struct vbackend *b = qp->dev->backend;
	b->hca->ops->modify_qp(b->hca, qp->qpn, &attr, IBV_QP_STATE);
}

/* The guest broke a ring of this QP: stop reading it, fail the QP. */
static void break_qp(struct vb_qp *qp)
{
	if (qp->broken)
		return;
	qp->broken = 1;
	qp->dev->backend->stats.guest_errors++;
	move_to_error(qp);
	vb_guest_async_event(qp->dev, IBV_EVENT_QP_FATAL, qp->handle);
}

/* New WQEs the guest says it has, or -1 when its index is impossible. */
static int64_t guest_backlog(struct vb_ring *ring)
{
	uint32_t prod = vring_load(ring->guest_index);
	if (!vring_index_ok(prod, ring->size))
		return -1;
	uint32_t used = vring_used(prod, ring->index, ring->size);
	if (used > ring->size)
		return -1;
	return used;
}

static void advance(struct vb_ring *ring)
{
	ring->index = vring_next(ring->index, ring->size);
	vring_store(ring->device_index, ring->index);
}

int vb_check_send_wqe(const struct vb_qp *qp, const struct vrdma_send_wqe *w)
{
	switch (w->opcode) {
	case IBV_WR_RDMA_WRITE: case IBV_WR_RDMA_WRITE_WITH_IMM: case IBV_WR_SEND:
	case IBV_WR_SEND_WITH_IMM: case IBV_WR_RDMA_READ:
		break;
	default:
		return EINVAL;
	}
	if ((w->send_flags & ~(uint32_t)KNOWN_SEND_FLAGS) != 0)
		return EINVAL;
	if (w->send_flags & IBV_SEND_INLINE) {
		if (w->opcode == IBV_WR_RDMA_READ || w->inline_bytes > qp->max_inline_bytes)
			return EINVAL;
	} else if (w->num_sge > qp->max_send_sge) {
		return EINVAL;
	}
	return 0;
}

static enum ibv_wc_opcode wc_opcode_of(uint32_t wr_opcode)
{
	switch (wr_opcode) {
	case IBV_WR_RDMA_WRITE: case IBV_WR_RDMA_WRITE_WITH_IMM: return IBV_WC_RDMA_WRITE;
	case IBV_WR_RDMA_READ: return IBV_WC_RDMA_READ;
	default: return IBV_WC_SEND;
	}
}

/* Post one checked send WQE; returns the HCA's answer. */
static int post_send_wqe(struct vb_qp *qp, const struct vrdma_send_wqe *w, uint64_t op_id)
{
	struct ibv_sge sges[VRDMA_MAX_SGE];
	struct ibv_send_wr wr;
	memset(&wr, 0, sizeof wr);
	wr.wr_id = op_id;
	wr.opcode = (enum ibv_wr_opcode)w->opcode;
	wr.send_flags = w->send_flags;
	wr.imm_data = w->imm_data;
	wr.wr.rdma.remote_addr = w->remote_addr;
	wr.wr.rdma.rkey = w->rkey;
	wr.sg_list = sges;
	if (w->send_flags & IBV_SEND_INLINE) {
		/* Inline data is in the WQE we copied: hand the HCA a host pointer. */
		sges[0].addr = (uintptr_t)w->u.inline_data;
		sges[0].length = w->inline_bytes;
		sges[0].lkey = 0;
		wr.num_sge = w->inline_bytes ? 1 : 0;
	} else {
		for (uint32_t i = 0; i < w->num_sge; i++) {
			sges[i].addr = w->u.sge[i].addr;
			sges[i].length = w->u.sge[i].length;
			sges[i].lkey = w->u.sge[i].lkey;
		}
		wr.num_sge = (int)w->num_sge;
	}
	struct vbackend *b = qp->dev->backend;
	return b->hca->ops->post_send(b->hca, qp->qpn, &wr);
}

/* Hand one fetched send WQE to the HCA.  ENOMEM: the HCA is full and the
 * caller keeps the WQE; otherwise it is gone (posted, or failed into an
 * error completion). */
static int hand_send(struct vb_qp *qp, const struct vrdma_send_wqe *w, uint64_t op_id)
{
	/* Recorded before posting: the same-host path (and a QP in ERROR)
	 * completes inside post_send. */
	inflight_push(&qp->sq_inflight, op_id, w->wr_id);
	int rc = post_send_wqe(qp, w, op_id);
	if (rc != 0)
		inflight_unpush(&qp->sq_inflight);
	if (rc == ENOMEM)
		return ENOMEM;
	qp->dev->backend->stats.wqes_fetched++;
	if (rc != 0)
		vb_write_error_cqe(qp, 1, w->wr_id, op_id, IBV_WC_LOC_QP_OP_ERR, wc_opcode_of(w->opcode));
	return 0;
}

static int hand_recv(struct vb_qp *qp, const struct vrdma_recv_wqe *w, uint64_t op_id)
{
	struct ibv_sge sges[VRDMA_MAX_SGE];
	struct ibv_recv_wr wr = { .wr_id = op_id, .sg_list = sges, .num_sge = (int)w->num_sge };
	for (uint32_t i = 0; i < w->num_sge; i++) {
		sges[i].addr = w->sge[i].addr;
		sges[i].length = w->sge[i].length;
		sges[i].lkey = w->sge[i].lkey;
	}
	struct vbackend *b = qp->dev->backend;
	inflight_push(&qp->rq_inflight, op_id, w->wr_id);
	int rc = b->hca->ops->post_recv(b->hca, qp->qpn, &wr);
	if (rc != 0)
		inflight_unpush(&qp->rq_inflight);
	if (rc == ENOMEM)
		return ENOMEM;
	b->stats.wqes_fetched++;
	if (rc != 0)
		vb_write_error_cqe(qp, 0, w->wr_id, op_id, IBV_WC_LOC_QP_OP_ERR, IBV_WC_RECV);
	return 0;
}

/*
 * A WQE is copied out of the ring and the consumer index advanced before
 * the HCA sees it: the slot is free as soon as we hold a copy.  (Advancing
 * only after the post would let a same-host completion, which happens
 * inside the post, reach the guest while its slot still looks taken.)
 * A WQE the HCA refuses for want of room is held here until it has room.
 */
void vb_consume_send_queue(struct vb_qp *qp)
{
	struct vdev *dev = qp->dev;
	if (qp->broken)
		return;
	qp->sq_stalled = 0;
	if (qp->sq_holding) {
		if (hand_send(qp, &qp->sq_held, qp->sq_held_op) == ENOMEM) {
			qp->sq_stalled = 1;
			stall(qp);
			return;
		}
		qp->sq_holding = 0;
	}
	int64_t backlog = guest_backlog(&qp->sq);
	if (backlog < 0) {
		break_qp(qp);
		return;
	}
	for (; backlog > 0 && take_wqe_budget(qp, 1); backlog--) {
		struct vrdma_send_wqe w;
		uint32_t index = qp->sq.index;
		memcpy(&w, vb_ring_slot(&qp->sq, index), sizeof w);
		uint64_t op_id = vtrace_op_id(dev->op_host, dev->op_guest, qp->handle, 0,
					      qp->sq_sequence++);
		advance(&qp->sq);
		int bad = vb_check_send_wqe(qp, &w);
		VB_TRACE(dev, VTRACE_WQE_FETCH, VTRACE_ACTOR_BACKEND, qp->handle, op_id, index,
			 sizeof w, (uint32_t)bad, bad ? VTRACE_F_ERROR : 0);
		if (bad) {
			dev->backend->stats.guest_errors++;
			vb_write_error_cqe(qp, 1, w.wr_id, op_id, IBV_WC_LOC_QP_OP_ERR, wc_opcode_of(w.opcode));
			move_to_error(qp);
			continue;
		}
		if (hand_send(qp, &w, op_id) == ENOMEM) {
			qp->sq_held = w;
			qp->sq_held_op = op_id;
			qp->sq_holding = 1;
			qp->sq_stalled = 1;
			stall(qp);
			return;
		}
	}
}

void vb_consume_recv_queue(struct vb_qp *qp)
{
	struct vdev *dev = qp->dev;
	if (qp->broken)
		return;
	qp->rq_stalled = 0;
	if (qp->rq_holding) {
		if (hand_recv(qp, &qp->rq_held, qp->rq_held_op) == ENOMEM) {
			qp->rq_stalled = 1;
			stall(qp);
			return;
		}
		qp->rq_holding = 0;
	}
	int64_t backlog = guest_backlog(&qp->rq);
	if (backlog < 0) {
		break_qp(qp);
		return;
	}
	for (; backlog > 0 && take_wqe_budget(qp, 0); backlog--) {
		struct vrdma_recv_wqe w;
		uint32_t index = qp->rq.index;
		memcpy(&w, vb_ring_slot(&qp->rq, index), sizeof w);
		uint64_t op_id = vtrace_op_id(dev->op_host, dev->op_guest, qp->handle, 1,
					      qp->rq_sequence++);
		advance(&qp->rq);
		int bad = w.num_sge > qp->max_recv_sge ? EINVAL : 0;
		VB_TRACE(dev, VTRACE_WQE_FETCH, VTRACE_ACTOR_BACKEND, qp->handle, op_id, index,
			 sizeof w, (uint32_t)bad, bad ? VTRACE_F_ERROR : 0);
		if (bad) {
			dev->backend->stats.guest_errors++;
			vb_write_error_cqe(qp, 0, w.wr_id, op_id, IBV_WC_LOC_QP_OP_ERR, IBV_WC_RECV);
			move_to_error(qp);
			continue;
		}
		if (hand_recv(qp, &w, op_id) == ENOMEM) {
			qp->rq_held = w;
			qp->rq_held_op = op_id;
			qp->rq_holding = 1;
			qp->rq_stalled = 1;
			stall(qp);
			return;
		}
	}
}

/* Find the guest's wr_id for an op id, dropping older entries (finished
 * unsignalled requests).  Returns 0 when found. */
int vb_inflight_take(struct vb_inflight *f, uint64_t op_id, uint64_t *guest_wr_id)
{
	while (f->count > 0) {
		uint64_t head_op = f->op_ids[f->head];
		uint64_t wr_id = f->guest_wr_ids[f->head];
		f->head = (f->head + 1) % f->capacity;
		f->count--;
		if (head_op == op_id) {
			*guest_wr_id = wr_id;
			return 0;
		}
	}
	return ENOENT;
}
