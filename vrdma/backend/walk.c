/*
 * vrdma/backend/walk.c -- a command's page directory, walked a budget per turn.
 *
 * CREATE_MR, CREATE_CQ and CREATE_QP name a page directory that may span
 * many pages; walking it at once would hold the backend thread for as long
 * as the guest likes.  The walk begins with the object's bill charged and
 * the backend's arrays allocated (vb_walk_begin), goes on at most the turn's
 * page budget per turn (vb_walk_step, backend.h VBACKEND_TURN_PAGES), and
 * the finished object takes the arrays and the bill (vb_walk_taken); what
 * is left is freed and released (vb_walk_free), also on a reset mid-walk.
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/page_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Free what the walk still owns and release the bill it still holds
 * (finish_X takes both on success, leaving NULL and a zero bill). */
void vb_walk_free(struct vdev *dev)
{
	struct vb_walk *w = &dev->walk;
	if (w->running)
		vb_release(dev, w->bill);
	free(w->gpas);
	free(w->pages);
	memset(w, 0, sizeof *w);
}

/* The object took the walk's arrays (those it keeps) and its bill. */
void vb_walk_taken(struct vb_walk *w, int took_gpas)
{
	if (took_gpas)
		w->gpas = NULL;
	w->pages = NULL;
	memset(&w->bill, 0, sizeof w->bill);
}

/* Charge `bill` and begin walking `ref` for the object in slot `handle`.
 * Returns VB_WALKING, or an errno with nothing charged. */
int vb_walk_begin(struct vdev *dev, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
		  struct vacct_bill bill, uint32_t handle, char *why, size_t why_bytes)
{
	struct vb_walk *w = &dev->walk;
	int rc = vb_charge(dev, bill);
	if (rc != 0)
		return rc;
	rc = vpd_walk_begin(&dev->memory, ref, max_pages, &w->cursor, why, why_bytes);
	if (rc == 0) {
		/* Charged before the host allocates 16 B per page. */
		w->gpas = calloc(ref->page_count, sizeof *w->gpas);
		w->pages = calloc(ref->page_count, sizeof *w->pages);
		if (w->gpas == NULL || w->pages == NULL)
			rc = ENOMEM;
	}
	w->bill = bill;
	w->running = 1;
	if (rc != 0) {
		vb_walk_free(dev);
		return rc;
	}
	w->handle = handle;
	return VB_WALKING;
}

/* Walk at most the turn's page budget; each page's host pointer is taken
 * as it is walked, so no pass over the whole region is left for the end. */
int vb_walk_step(struct vdev *dev)
{
	struct vb_walk *w = &dev->walk;
	struct vbackend *b = dev->backend;
	char why[200];
	uint32_t from = w->cursor.done, walked = 0;
	int rc = vpd_walk_step(&dev->memory, &w->cursor, b->turn_pages_left, w->gpas, &walked, why,
			       sizeof why);
	for (uint32_t i = from; i < from + walked; i++)
		w->pages[i] = vgm_at(&dev->memory, w->gpas[i], VRDMA_PAGE_BYTES);
	b->turn_pages_left -= walked;
	b->pages_walked += walked;
	return rc;
}

int vb_walk_done(const struct vb_walk *w)
{
	return w->cursor.done == w->cursor.ref.page_count;
}
