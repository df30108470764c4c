/*
 * vrdma/backend/objects.c -- guest object handles, the QPN map, guest rings.
 *
 * Handles are index + 1 into per-guest tables of fixed size: a handle from
 * the guest is checked against the table bound and the slot's use before
 * anything else.  The QPN map finds the QP a completion from the HCA
 * belongs to.
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/page_dir.h"

#include <errno.h>
#include <stdlib.h>

#define QPN_TOMBSTONE ((struct vb_qp *)1)

struct vb_pd *vb_pd_get(struct vdev *dev, uint32_t handle)
{
	if (handle == 0 || handle > dev->backend->config.max_pd_per_guest || !dev->pds[handle - 1].used)
		return NULL;
	return &dev->pds[handle - 1];
}

struct vb_mr *vb_mr_get(struct vdev *dev, uint32_t handle)
{
	if (handle == 0 || handle > dev->backend->config.max_mr_per_guest || !dev->mrs[handle - 1].used)
		return NULL;
	return &dev->mrs[handle - 1];
}

struct vb_cq *vb_cq_get(struct vdev *dev, uint32_t handle)
{
	if (handle == 0 || handle > dev->backend->config.max_cq_per_guest || !dev->cqs[handle - 1].used)
		return NULL;
	return &dev->cqs[handle - 1];
}

struct vb_qp *vb_qp_get(struct vdev *dev, uint32_t handle)
{
	if (handle == 0 || handle > dev->backend->config.max_qp_per_guest || !dev->qps[handle - 1].used)
		return NULL;
	return &dev->qps[handle - 1];
}

static uint32_t qpn_hash(uint32_t qpn, uint32_t size)
{
	return (qpn * 2654435761u) & (size - 1u);
}

int vb_qpn_insert(struct vbackend *b, uint32_t qpn, struct vb_qp *qp)
{
	uint32_t size = b->qpn_table_size;
	for (uint32_t i = 0, h = qpn_hash(qpn, size); i < size; i++, h = (h + 1) & (size - 1)) {
		struct vb_qpn_entry *e = &b->qpn_table[h];
		if (e->qp == NULL || e->qp == QPN_TOMBSTONE) {
			e->qpn = qpn;
			e->qp = qp;
			return 0;
		}
	}
	return ENOMEM;
}

struct vb_qp *vb_qpn_find(struct vbackend *b, uint32_t qpn)
{
	uint32_t size = b->qpn_table_size;
	for (uint32_t i = 0, h = qpn_hash(qpn, size); i < size; i++, h = (h + 1) & (size - 1)) {
		struct vb_qpn_entry *e = &b->qpn_table[h];
		if (e->qp == NULL)
			return NULL;
		if (e->qp != QPN_TOMBSTONE && e->qpn == qpn)
			return e->qp;
	}
	return NULL;
}

void vb_qpn_remove(struct vbackend *b, uint32_t qpn)
{
	uint32_t size = b->qpn_table_size;
	for (uint32_t i = 0, h = qpn_hash(qpn, size); i < size; i++, h = (h + 1) & (size - 1)) {
		struct vb_qpn_entry *e = &b->qpn_table[h];
		if (e->qp == NULL)
			return;
		if (e->qp != QPN_TOMBSTONE && e->qpn == qpn) {
			e->qp = QPN_TOMBSTONE;
			return;
		}
	}
}

/* Walk a page directory into host pointers of the backend's view. */
int vb_ring_map(struct vdev *dev, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
		uint8_t ***pages_out, char *why, size_t why_bytes)
{
	if (ref->page_count == 0 || ref->page_count > max_pages)
		return vpd_walk(&dev->memory, ref, max_pages, NULL, why, why_bytes);
	uint64_t *gpas = calloc(ref->page_count, sizeof *gpas);
	uint8_t **pages = calloc(ref->page_count, sizeof *pages);
	if (gpas == NULL || pages == NULL) {
		free(gpas);
		free(pages);
		return ENOMEM;
	}
	int rc = vpd_walk(&dev->memory, ref, max_pages, gpas, why, why_bytes);
	if (rc == 0)
		for (uint32_t i = 0; i < ref->page_count; i++)
			pages[i] = vgm_at(&dev->memory, gpas[i], VRDMA_PAGE_BYTES);
	free(gpas);
	if (rc != 0) {
		free(pages);
		return rc;
	}
	*pages_out = pages;
	return 0;
}

/* Check that `size` slots of `slot_bytes` fit from `first_page` on, and
 * remember where they are.  slot_bytes divides the page size, so no slot
 * straddles two pages. */
int vb_ring_setup(struct vb_ring *ring, uint8_t **pages, uint32_t page_count, uint32_t first_page,
		  uint32_t slot_bytes, uint32_t size, uint32_t *guest_index, uint32_t *device_index)
{
	uint32_t per_page = VRDMA_PAGE_BYTES / slot_bytes;
	if (first_page >= page_count || size == 0)
		return EINVAL;
	if ((uint64_t)(page_count - first_page) * per_page < size)
		return EINVAL;
	ring->pages = pages;
	ring->page_count = page_count;
	ring->first_page = first_page;
	ring->slot_bytes = slot_bytes;
	ring->size = size;
	ring->guest_index = guest_index;
	ring->device_index = device_index;
	ring->index = 0;
	return 0;
}

void *vb_ring_slot(const struct vb_ring *ring, uint32_t index)
{
	uint32_t slot = index & (ring->size - 1u);
	uint32_t per_page = VRDMA_PAGE_BYTES / ring->slot_bytes;
	return ring->pages[ring->first_page + slot / per_page] + (slot % per_page) * ring->slot_bytes;
}
