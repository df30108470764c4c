/*
 * vrdma/backend/bill.c -- what each guest object costs its guest.
 *
 * Every object is charged to its guest (a bill computed from the object's
 * validated geometry) before the host allocates anything for it, and the
 * same bill, computed from what the object kept, is released when it is
 * destroyed, so create/destroy loops end where they began (account.h).
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/page_dir.h"

#include <string.h>

static struct vacct_bill object_bill(enum vacct_resource object, uint32_t pages,
				     enum vacct_resource entry, uint64_t entries)
{
	struct vacct_bill bill;
	memset(&bill, 0, sizeof bill);
	bill.amount[object] = 1;
	bill.amount[entry] += entries;
	if (pages != 0)
		bill.amount[VACCT_PAGE] += vpd_mapped_pages(pages);
	return bill;
}

struct vacct_bill vb_pd_bill(void) { return object_bill(VACCT_PD, 0, VACCT_PD, 0); }
struct vacct_bill vb_mr_bill(uint32_t pages) { return object_bill(VACCT_MR, pages, VACCT_MR, 0); }
struct vacct_bill vb_cq_bill(uint32_t cqes, uint32_t pages) { return object_bill(VACCT_CQ, pages, VACCT_CQE, cqes); }
struct vacct_bill vb_qp_bill(uint32_t wqes, uint32_t pages) { return object_bill(VACCT_QP, pages, VACCT_WQE, wqes); }

/* An event ring is no object of its own: only its pages count. */
struct vacct_bill vb_ring_bill(uint32_t pages)
{
	struct vacct_bill bill;
	memset(&bill, 0, sizeof bill);
	bill.amount[VACCT_PAGE] = vpd_mapped_pages(pages);
	return bill;
}

int vb_charge(struct vdev *dev, struct vacct_bill bill)
{
	return vacct_charge(&dev->backend->account, &dev->account, &bill);
}

void vb_release(struct vdev *dev, struct vacct_bill bill)
{
	vacct_release(&dev->backend->account, &dev->account, &bill);
}
