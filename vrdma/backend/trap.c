/*
 * vrdma/backend/trap.c -- VM exits: register and UAR writes.
 *
 * A guest's write to a device register or to its UAR page exits to the
 * hypervisor.  The exit handler runs here, on the guest's (vCPU) thread: it
 * records the exit, decodes it into a pending bit (one per doorbell, so
 * repeated doorbells coalesce as KVM's ioeventfd does) and kicks the
 * backend's eventfd.  The pending bits live in the device's doorbell page
 * (device/doorbells.h), which a guest process rings itself.  The handler
 * does no device work itself: QEMU's
 * emulation drained rings inside the exit, which stalled the vCPU and ran
 * guest-controlled work in the exit path.
 */
#include "vrdma/backend/internal.h"

#include <stdint.h>
#include <unistd.h>

/* Kick only the first time the guest becomes due: until the backend starts
 * its turn, more doorbells just set bits, so a doorbell storm costs the
 * backend one wake-up per turn, not one per doorbell. */
static void kick_backend(struct vdev *dev)
{
	if (atomic_exchange(&dev->due, 1) != 0)
		return;
	if (vb_trap_kick_polling(dev->backend))
		return; /* the backend is looking for work: no system call, no wake-up */
	uint64_t one = 1;
	ssize_t n = write(dev->kick_fd, &one, sizeof one);
	(void)n;
}

static void set_pending_bit(_Atomic uint64_t *bitmap, uint32_t handle)
{
	vdb_set(bitmap, handle);
}

static void trace_exit_op(struct vdev *dev, uint32_t object, uint32_t offset, uint32_t value,
			  enum vtrace_doorbell kind, uint64_t op_id)
{
	atomic_fetch_add_explicit(&dev->backend->traps, 1, memory_order_relaxed);
	VB_TRACE(dev, VTRACE_DOORBELL, VTRACE_ACTOR_TRAP_HANDLER, object, op_id, offset, value, kind,
		 kind == VTRACE_DB_INVALID ? VTRACE_F_ERROR : 0);
}

static void trace_exit(struct vdev *dev, uint32_t object, uint32_t offset, uint32_t value,
		       enum vtrace_doorbell kind)
{
	trace_exit_op(dev, object, offset, value, kind, 0);
}

static void invalid_write(struct vdev *dev, uint32_t offset, uint32_t value)
{
	atomic_fetch_add(&dev->pending.invalid, 1);
	trace_exit(dev, 0, offset, value, VTRACE_DB_INVALID);
}

static void trap_write_register(struct vdev *dev, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case VRDMA_REG_DSR_LOW:
		atomic_store(&dev->reg_dsr_low, value);
		trace_exit(dev, 0, offset, value, VTRACE_DB_DSR);
		return; /* the address is used on ACTIVATE: nothing to do now */
	case VRDMA_REG_DSR_HIGH:
		atomic_store(&dev->reg_dsr_high, value);
		trace_exit(dev, 0, offset, value, VTRACE_DB_DSR);
		return;
	case VRDMA_REG_CTL:
		if (value != VRDMA_CTL_ACTIVATE && value != VRDMA_CTL_RESET)
			break;
		atomic_store(&dev->pending.control, value);
		trace_exit(dev, 0, offset, value, VTRACE_DB_CONTROL);
		kick_backend(dev);
		return;
	case VRDMA_REG_REQUEST:
		atomic_store(&dev->pending.request, 1);
		trace_exit(dev, 0, offset, value, VTRACE_DB_REQUEST);
		kick_backend(dev);
		return;
	case VRDMA_REG_IMR:
		atomic_store(&dev->reg_imr, value);
		trace_exit(dev, 0, offset, value, VTRACE_DB_INTR_MASK);
		return;
	default:
		break;
	}
	invalid_write(dev, offset, value);
}

static uint32_t trap_read_register(struct vdev *dev, uint32_t offset)
{
	switch (offset) {
	case VRDMA_REG_VERSION:
		return VRDMA_ABI_VERSION;
	case VRDMA_REG_ERR:
		return atomic_load(&dev->reg_err);
	case VRDMA_REG_IMR:
		return atomic_load(&dev->reg_imr);
	default:
		return 0;
	}
}

static void trap_write_uar(struct vdev *dev, uint32_t offset, uint32_t value, uint64_t op_id)
{
	uint32_t handle = value & VRDMA_UAR_HANDLE_MASK;
	int in_range = handle != 0 && handle < VRDMA_DOORBELL_WORDS * 64u;
	if (offset == VRDMA_UAR_QP && in_range &&
	    (value & (VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV)) != 0 &&
	    (value & ~(VRDMA_UAR_HANDLE_MASK | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV)) == 0) {
		if (value & VRDMA_UAR_QP_SEND) {
			set_pending_bit(dev->bells->sq, handle);
			trace_exit_op(dev, handle, offset, value, VTRACE_DB_SEND, op_id);
		}
		if (value & VRDMA_UAR_QP_RECV) {
			set_pending_bit(dev->bells->rq, handle);
			trace_exit_op(dev, handle, offset, value, VTRACE_DB_RECV, op_id);
		}
		kick_backend(dev);
		return;
	}
	if (offset == VRDMA_UAR_CQ && in_range) {
		uint32_t flags = value & ~VRDMA_UAR_HANDLE_MASK;
		if (flags == VRDMA_UAR_CQ_ARM || flags == (VRDMA_UAR_CQ_ARM | VRDMA_UAR_CQ_ARM_SOLICITED)) {
			set_pending_bit(dev->bells->cq_arm, handle);
			trace_exit(dev, handle, offset, value,
				   flags & VRDMA_UAR_CQ_ARM_SOLICITED ? VTRACE_DB_CQ_ARM_SOLICITED
								       : VTRACE_DB_CQ_ARM);
			kick_backend(dev);
			return;
		}
		if (flags == VRDMA_UAR_CQ_POLL) {
			/* Completions are proxied as they happen; a poll doorbell
			 * costs the exit and nothing else. */
			trace_exit(dev, handle, offset, value, VTRACE_DB_CQ_POLL);
			return;
		}
	}
	invalid_write(dev, offset, value);
}

const struct vdev_ops vb_trap_ops = {
	.write_register = trap_write_register,
	.read_register = trap_read_register,
	.write_uar = trap_write_uar,
};

/* Take the pending bits of a bitmap, calling fn(dev, handle) for each, as
 * many as the turn's doorbell budget allows; the rest stay pending. */
static void take_bits(struct vdev *dev, _Atomic uint64_t *bitmap, void (*fn)(struct vdev *, uint32_t))
{
	struct vbackend *b = dev->backend;
	for (uint32_t w = 0; w < VRDMA_DOORBELL_WORDS; w++) {
		if (atomic_load_explicit(&bitmap[w], memory_order_relaxed) == 0)
			continue;
		uint64_t bits = atomic_exchange_explicit(&bitmap[w], 0, memory_order_acquire);
		while (bits != 0) {
			if (b->turn_doorbells_left == 0) {
				atomic_fetch_or_explicit(&bitmap[w], bits, memory_order_relaxed);
				dev->more = 1;
				return;
			}
			b->turn_doorbells_left--;
			uint32_t bit = (uint32_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			b->doorbells++;
			fn(dev, w * 64u + bit);
		}
	}
}

void vb_ring_again(struct vdev *dev, int send_queue, uint32_t handle)
{
	set_pending_bit(send_queue ? dev->bells->sq : dev->bells->rq, handle);
	vb_schedule(dev);
}

static void send_doorbell(struct vdev *dev, uint32_t handle)
{
	struct vb_qp *qp = vb_qp_get(dev, handle);
	if (qp == NULL) {
		dev->backend->stats.guest_errors++;
		return;
	}
	vb_consume_send_queue(qp);
}

static void recv_doorbell(struct vdev *dev, uint32_t handle)
{
	struct vb_qp *qp = vb_qp_get(dev, handle);
	if (qp == NULL) {
		dev->backend->stats.guest_errors++;
		return;
	}
	vb_consume_recv_queue(qp);
}

static void arm_doorbell(struct vdev *dev, uint32_t handle)
{
	struct vb_cq *cq = vb_cq_get(dev, handle);
	if (cq == NULL) {
		dev->backend->stats.guest_errors++;
		return;
	}
	vb_arm_cq(cq, VRDMA_UAR_CQ_ARM);
}

static void take_doorbells(struct vdev *dev);

void vb_drain_doorbells(struct vdev *dev)
{
	unsigned control = atomic_exchange(&dev->pending.control, 0);
	if (control == VRDMA_CTL_RESET) {
		vb_reset_device(dev);
		vb_raise_interrupt(dev, VRDMA_VECTOR_COMMAND);
	} else if (control == VRDMA_CTL_ACTIVATE)
		vb_activate(dev);
	unsigned invalid = atomic_exchange(&dev->pending.invalid, 0);
	dev->backend->stats.guest_errors += invalid;
	if (dev->active)
		take_doorbells(dev);
	/* The command after the doorbells: a guest thread rang those before it
	 * wrote REQUEST (it cannot ring for an object a pending command
	 * creates, since it waits for the response).  A command mid-walk goes
	 * on first; a REQUEST written meanwhile waits for a turn of its own. */
	if (dev->walk.running) {
		vb_continue_command(dev);
		if (atomic_load(&dev->pending.request))
			vb_schedule(dev);
	} else if (atomic_exchange(&dev->pending.request, 0))
		vb_execute_command(dev);
}

static void take_doorbells(struct vdev *dev)
{
	/* Arms first: a guest arms its CQ before posting, and a same-host
	 * operation can complete inside the post.  Receives before sends: a
	 * guest that posts a receive and then a send expects the receive there. */
	take_bits(dev, dev->bells->cq_arm, arm_doorbell);
	take_bits(dev, dev->bells->rq, recv_doorbell);
	take_bits(dev, dev->bells->sq, send_doorbell);
}

int vb_take_arm_doorbell(struct vdev *dev, uint32_t handle)
{
	if (handle >= VRDMA_DOORBELL_WORDS * 64u)
		return 0;
	uint64_t bit = UINT64_C(1) << (handle % 64u);
	_Atomic uint64_t *word = &dev->bells->cq_arm[handle / 64u];
	if ((atomic_load(word) & bit) == 0)
		return 0;
	return (atomic_fetch_and(word, ~bit) & bit) != 0;
}
