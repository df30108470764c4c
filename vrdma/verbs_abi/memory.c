/*
 * vrdma/verbs_abi/memory.c -- protection domains and memory regions:
 * ibv_alloc_pd, ibv_dealloc_pd, ibv_reg_mr, ibv_reg_mr_iova2, ibv_dereg_mr.
 *
 * A region on a buffer that is not guest memory gets a window first
 * (window.h): the program's pages become guest memory in place, and the
 * region is registered under the program's own addresses (or the iova it
 * asked for), so the keys and addresses it sends its peer are its own.
 */
#include "vrdma/verbs_abi/abi.h"
#include "vrdma/verbs_abi/window.h"

#include <errno.h>
#include <stdlib.h>

/* The access flags the device honours; the optional range
 * (IBV_ACCESS_OPTIONAL_RANGE, e.g. relaxed ordering) may be ignored, as
 * verbs allows. */
#define MANDATORY_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
			  IBV_ACCESS_REMOTE_ATOMIC | IBV_ACCESS_MW_BIND | IBV_ACCESS_ZERO_BASED | \
			  IBV_ACCESS_ON_DEMAND | IBV_ACCESS_HUGETLB)

VAB_EXPORT struct ibv_pd *ibv_alloc_pd(struct ibv_context *context)
{
	struct vab_pd *pd = calloc(1, sizeof *pd);
	if (pd == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	pd->driver = vrdma_alloc_pd(vab_context_of(context)->driver);
	if (pd->driver == NULL) {
		free(pd);
		return NULL;
	}
	pd->ibv.context = context;
	return &pd->ibv;
}

VAB_EXPORT int ibv_dealloc_pd(struct ibv_pd *ibv)
{
	struct vab_pd *pd = (struct vab_pd *)ibv;
	int rc = vrdma_dealloc_pd(pd->driver);
	if (rc == 0)
		free(pd);
	return rc;
}

VAB_EXPORT struct ibv_mr *ibv_reg_mr_iova2(struct ibv_pd *ibv, void *addr, size_t length, uint64_t iova,
					   unsigned int access)
{
	struct vab_pd *pd = (struct vab_pd *)ibv;
	struct vrdma_context *driver = vab_context_of(ibv->context)->driver;
	int mandatory = (int)(access & ~(unsigned)IBV_ACCESS_OPTIONAL_RANGE);
	if (mandatory & ~MANDATORY_ACCESS) {
		vab_unsupported("memory-region access flags beyond local/remote read, write and atomic");
		return NULL;
	}
	if (mandatory & (IBV_ACCESS_ZERO_BASED | IBV_ACCESS_ON_DEMAND | IBV_ACCESS_HUGETLB | IBV_ACCESS_MW_BIND)) {
		vab_unsupported("zero-based, on-demand-paging, huge-page and memory-window regions");
		return NULL;
	}
	struct vab_mr *mr = calloc(1, sizeof *mr);
	if (mr == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	struct vab_span *sp = &mr->span;
	int rc = vab_window_open(driver, vab_device_vm(), addr, length, sp);
	if (rc == 0 && (mr->driver = vrdma_reg_mr_pages(pd->driver, sp->page_gpas, sp->pages, sp->first_page_offset,
							 length, iova, mandatory)) == NULL)
		rc = errno ? errno : EIO;
	if (rc != 0) {
		vab_window_close(driver, vab_device_vm(), sp);
		free(mr);
		errno = rc;
		return NULL;
	}
	mr->ibv = (struct ibv_mr){.context = ibv->context, .pd = ibv, .addr = addr, .length = length,
				  .handle = mr->driver->handle, .lkey = mr->driver->lkey, .rkey = mr->driver->rkey};
	return &mr->ibv;
}

#undef ibv_reg_mr
VAB_EXPORT struct ibv_mr *ibv_reg_mr(struct ibv_pd *pd, void *addr, size_t length, int access)
{
	return ibv_reg_mr_iova2(pd, addr, length, (uintptr_t)addr, (unsigned int)access);
}

VAB_EXPORT int ibv_dereg_mr(struct ibv_mr *ibv)
{
	struct vab_mr *mr = (struct vab_mr *)ibv;
	struct vrdma_context *driver = vab_context_of(ibv->context)->driver;
	int rc = vrdma_dereg_mr(mr->driver);
	if (rc != 0)
		return rc;
	vab_window_close(driver, vab_device_vm(), &mr->span);
	free(mr);
	return 0;
}
