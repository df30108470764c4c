/*
 * vrdma/backend/lifecycle.c -- a guest device's life: activation and reset.
 *
 * Activation reads the DSR the driver wrote (its ABI version, its command
 * slots, its two event rings), maps the event rings (charged to the guest:
 * bill.c) and writes the device's capabilities back into the DSR; ERR and
 * vector 0 answer it.  Reset tears down every object the guest holds
 * (QPs before the MRs, CQs and PDs they use), ends a command mid-walk,
 * unmaps the event rings and forgets doorbells rung for objects now gone.
 * Object teardown is shared with the destroy commands (command.c).
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENT_RING_PAGES 17u

/* ---- activation ---- */

static int map_event_ring(struct vdev *dev, const struct vrdma_pdir_ref *ref, struct vb_ring *ring)
{
	char why[160];
	uint8_t **pages = NULL;
	if (ref->page_count < 2 || ref->page_count > MAX_EVENT_RING_PAGES)
		return EINVAL;
	uint32_t size = (ref->page_count - 1) * (VRDMA_PAGE_BYTES / 8u);
	if (!vring_size_ok(size))
		return EINVAL;
	int rc = vb_charge(dev, vb_ring_bill(ref->page_count));
	if (rc != 0)
		return rc;
	rc = vb_ring_map(dev, ref, MAX_EVENT_RING_PAGES, &pages, why, sizeof why);
	if (rc == 0) {
		struct vrdma_ring_state *state = (struct vrdma_ring_state *)pages[0];
		rc = vb_ring_setup(ring, pages, ref->page_count, 1, 8, size, &state->cons_head,
				   &state->prod_tail);
		if (rc != 0)
			free(pages);
	}
	if (rc != 0)
		vb_release(dev, vb_ring_bill(ref->page_count));
	return rc;
}

static void fill_caps(struct vdev *dev, struct vrdma_caps *caps)
{
	const struct vbackend_config *c = &dev->backend->config;
	struct ibv_port_attr port;
	struct ibv_device_attr attr;
	memset(caps, 0, sizeof *caps);
	memset(&port, 0, sizeof port);
	memset(&attr, 0, sizeof attr);
	dev->backend->hca->ops->query_port(dev->backend->hca, 1, &port);
	dev->backend->hca->ops->query_device(dev->backend->hca, &attr);
	caps->device_id = dev->guest_id;
	caps->max_qp = c->max_qp_per_guest;
	caps->max_cq = c->max_cq_per_guest;
	caps->max_mr = c->max_mr_per_guest;
	caps->max_pd = c->max_pd_per_guest;
	caps->max_qp_wr = c->max_qp_wr;
	caps->max_sge = VRDMA_MAX_SGE;
	caps->max_cqe = c->max_cqe;
	caps->max_inline_bytes = VRDMA_MAX_INLINE_BYTES;
	caps->port_lid = port.lid;
	caps->active_mtu_bytes = vhca_mtu_bytes(port.active_mtu);
	caps->gid_index = (uint32_t)dev->backend->hca->gid_index;
	caps->max_mr_bytes = attr.max_mr_size ? attr.max_mr_size : (uint64_t)VPD_MAX_PAGES * VRDMA_PAGE_BYTES;
	caps->node_guid = attr.node_guid;
}

static void free_ring(struct vb_ring *ring)
{
	free(ring->pages);
	memset(ring, 0, sizeof *ring);
}

static void free_event_ring(struct vdev *dev, struct vb_ring *ring)
{
	if (ring->pages != NULL)
		vb_release(dev, vb_ring_bill(ring->page_count));
	free_ring(ring);
}

void vb_activate(struct vdev *dev)
{
	uint64_t gpa = ((uint64_t)atomic_load(&dev->reg_dsr_high) << 32) | atomic_load(&dev->reg_dsr_low);
	struct vrdma_dsr *dsr = vgm_at(&dev->memory, gpa, VRDMA_PAGE_BYTES);
	struct vrdma_dsr copy;
	int rc = 0;
	if (dev->active)
		rc = EBUSY;
	else if (dsr == NULL || (gpa & (VRDMA_PAGE_BYTES - 1)) != 0)
		rc = EINVAL;
	if (rc == 0) {
		memcpy(&copy, dsr, sizeof copy);
		if (copy.driver_version != VRDMA_ABI_VERSION ||
		    vgm_at(&dev->memory, copy.request_slot_gpa, VRDMA_PAGE_BYTES) == NULL ||
		    vgm_at(&dev->memory, copy.response_slot_gpa, VRDMA_PAGE_BYTES) == NULL)
			rc = EINVAL;
	}
	if (rc == 0)
		rc = map_event_ring(dev, &copy.async_ring, &dev->async_ring);
	if (rc == 0) {
		rc = map_event_ring(dev, &copy.notify_ring, &dev->notify_ring);
		if (rc != 0)
			free_event_ring(dev, &dev->async_ring);
	}
	if (rc == 0) {
		struct vrdma_caps caps;
		fill_caps(dev, &caps);
		memcpy(&dsr->caps, &caps, sizeof caps);
		dev->dsr_gpa = gpa;
		dev->active = 1;
	} else {
		dev->backend->stats.guest_errors++;
	}
	atomic_store(&dev->reg_err, (unsigned)rc);
	vb_raise_interrupt(dev, VRDMA_VECTOR_COMMAND);
}

/* ---- object teardown, shared by destroy commands and reset ---- */

void vb_destroy_qp(struct vdev *dev, struct vb_qp *qp)
{
	struct vbackend *b = dev->backend;
	if (qp->qpn != 0) { /* a saved QP (migrate.c) has left the HCA already */
		b->hca->ops->destroy_qp(b->hca, qp->qpn);
		vb_qpn_remove(b, qp->qpn);
	}
	if (qp->on_stalled_list)
		vb_forget_stalled(qp);
	struct vb_cq *scq = vb_cq_get(dev, qp->send_cq_handle);
	struct vb_cq *rcq = vb_cq_get(dev, qp->recv_cq_handle);
	if (scq)
		scq->qp_refs--;
	if (rcq)
		rcq->qp_refs--;
	vb_inflight_free(&qp->sq_inflight);
	vb_inflight_free(&qp->rq_inflight);
	free(qp->pages);
	vb_release(dev, vb_qp_bill(qp->sq.size + qp->rq.size, qp->page_count));
	memset(qp, 0, sizeof *qp);
}

void vb_destroy_mr(struct vdev *dev, struct vb_mr *mr)
{
	dev->backend->hca->ops->dereg_mr(dev->backend->hca, mr->lkey);
	free(mr->pages);
	free(mr->gpas);
	vb_release(dev, vb_mr_bill(mr->mem.page_count));
	memset(mr, 0, sizeof *mr);
}

void vb_destroy_cq(struct vdev *dev, struct vb_cq *cq)
{
	dev->backend->hca->ops->destroy_cq(dev->backend->hca, cq->cqn);
	vb_release(dev, vb_cq_bill(cq->ring.size, cq->ring.page_count));
	free_ring(&cq->ring);
	memset(cq, 0, sizeof *cq);
}

void vb_reset_device(struct vdev *dev)
{
	const struct vbackend_config *c = &dev->backend->config;
	for (uint32_t i = 0; i < c->max_qp_per_guest; i++)
		if (dev->qps[i].used)
			vb_destroy_qp(dev, &dev->qps[i]);
	for (uint32_t i = 0; i < c->max_mr_per_guest; i++)
		if (dev->mrs[i].used)
			vb_destroy_mr(dev, &dev->mrs[i]);
	for (uint32_t i = 0; i < c->max_cq_per_guest; i++)
		if (dev->cqs[i].used)
			vb_destroy_cq(dev, &dev->cqs[i]);
	for (uint32_t i = 0; i < c->max_pd_per_guest; i++)
		if (dev->pds[i].used) {
			dev->backend->hca->ops->dealloc_pd(dev->backend->hca, dev->pds[i].pdn);
			dev->pds[i].used = 0;
			vb_release(dev, vb_pd_bill());
		}
	vb_walk_free(dev); /* a command mid-walk: its arrays and its charge */
	free_event_ring(dev, &dev->async_ring);
	free_event_ring(dev, &dev->notify_ring);
	/* Doorbells rung before the reset name objects that are gone. */
	for (uint32_t w = 0; w < VRDMA_DOORBELL_WORDS; w++) {
		atomic_store(&dev->bells->sq[w], 0);
		atomic_store(&dev->bells->rq[w], 0);
		atomic_store(&dev->bells->cq_arm[w], 0);
	}
	dev->active = 0;
	atomic_store(&dev->reg_err, 0);
}
