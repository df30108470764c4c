/*
 * vrdma/device/doorbells.h -- the doorbell page: pending doorbells as bits.
 *
 * One page per guest device, shared by whoever rings (the trap handler of
 * an in-process guest, or the guest process itself: host/attach.c) and the
 * backend, which takes the bits in its turns.  A bit per QP send queue, QP
 * receive queue and CQ arm, so repeated doorbells coalesce as KVM's
 * ioeventfd does.  `rung` lets a ringer kick the backend only once per
 * turn: it sets its bit, then kicks only when it turns `rung` from 0 to 1;
 * the backend clears `rung` when a turn of that guest begins, before it
 * takes the bits.
 *
 * Trust: a guest process can write anything into its page.  The backend
 * takes each word once (atomic exchange) and checks every handle a bit
 * names against the guest's own tables; `rung` it only clears.  A guest
 * that scribbles here loses its own doorbells and nothing else.
 */
#ifndef VRDMA_DOORBELLS_H
#define VRDMA_DOORBELLS_H

#include <stdatomic.h>
#include <stdint.h>

#include "vrdma/device/abi.h"

#define VRDMA_DOORBELL_WORDS 64u /* bitmap words: handles 1..4095 of QPs and CQs */

struct vrdma_doorbells {
	_Atomic uint64_t sq[VRDMA_DOORBELL_WORDS];     /* send queue rung, by QP handle */
	_Atomic uint64_t rq[VRDMA_DOORBELL_WORDS];     /* receive queue rung, by QP handle */
	_Atomic uint64_t cq_arm[VRDMA_DOORBELL_WORDS]; /* CQ armed, by CQ handle */
	atomic_uint rung;                              /* 1: the backend was kicked this turn */
};
_Static_assert(sizeof(struct vrdma_doorbells) <= VRDMA_PAGE_BYTES, "the doorbells fit one page");

static inline void vdb_set(_Atomic uint64_t *bitmap, uint32_t handle)
{
	atomic_fetch_or(&bitmap[handle / 64u], UINT64_C(1) << (handle % 64u));
}

/* Decode a UAR write (abi.h) into the bits it sets.  Returns 1 when it set
 * at least one bit (the caller then kicks unless `rung` was set), 0 for a
 * valid write that sets none (a CQ poll doorbell), -1 for an invalid one. */
static inline int vdb_ring(struct vrdma_doorbells *db, uint32_t offset, uint32_t value)
{
	uint32_t handle = value & VRDMA_UAR_HANDLE_MASK;
	if (handle == 0 || handle >= VRDMA_DOORBELL_WORDS * 64u)
		return -1;
	uint32_t flags = value & ~VRDMA_UAR_HANDLE_MASK;
	if (offset == VRDMA_UAR_QP) {
		if (flags == 0 || (flags & ~(VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV)) != 0)
			return -1;
		if (flags & VRDMA_UAR_QP_SEND)
			vdb_set(db->sq, handle);
		if (flags & VRDMA_UAR_QP_RECV)
			vdb_set(db->rq, handle);
		return 1;
	}
	if (offset == VRDMA_UAR_CQ) {
		if (flags == VRDMA_UAR_CQ_ARM || flags == (VRDMA_UAR_CQ_ARM | VRDMA_UAR_CQ_ARM_SOLICITED)) {
			vdb_set(db->cq_arm, handle);
			return 1;
		}
		if (flags == VRDMA_UAR_CQ_POLL)
			return 0;
	}
	return -1;
}

#endif
