/*
 * vrdma/guest/page_alloc.h -- the guest's allocator of guest-physical pages.
 *
 * First fit over a bitmap of the VM's pages; runs are contiguous in
 * guest-physical memory (and so in the guest's mapping).  Thread-safe.
 */
#ifndef VRDMA_PAGE_ALLOC_H
#define VRDMA_PAGE_ALLOC_H

#include <pthread.h>
#include <stdint.h>

struct vpa {
	pthread_mutex_t lock;
	uint64_t *bitmap;   /* 1 = in use */
	uint32_t page_count;
	uint32_t hint;      /* where the last search ended */
};

int vpa_init(struct vpa *pa, uint32_t page_count);
void vpa_destroy(struct vpa *pa);
/* First page of a free run of `count` pages, or UINT32_MAX. */
uint32_t vpa_alloc(struct vpa *pa, uint32_t count);
void vpa_free(struct vpa *pa, uint32_t first, uint32_t count);

#endif
