/*
 * vrdma/guest/page_alloc.c -- first-fit page runs over a bitmap.
 */
#include "vrdma/guest/page_alloc.h"

#include <errno.h>
#include <stdlib.h>

static int page_used(const struct vpa *pa, uint32_t page)
{
	return (pa->bitmap[page / 64] >> (page % 64)) & 1u;
}

static void mark(struct vpa *pa, uint32_t first, uint32_t count, int used)
{
	for (uint32_t p = first; p < first + count; p++) {
		if (used)
			pa->bitmap[p / 64] |= UINT64_C(1) << (p % 64);
		else
			pa->bitmap[p / 64] &= ~(UINT64_C(1) << (p % 64));
	}
}

int vpa_init(struct vpa *pa, uint32_t page_count)
{
	pa->bitmap = calloc((page_count + 63) / 64, sizeof *pa->bitmap);
	if (pa->bitmap == NULL)
		return ENOMEM;
	pa->page_count = page_count;
	pa->hint = 0;
	pthread_mutex_init(&pa->lock, NULL);
	return 0;
}

void vpa_destroy(struct vpa *pa)
{
	free(pa->bitmap);
	pa->bitmap = NULL;
	pthread_mutex_destroy(&pa->lock);
}

/* Search [from, to) for a free run. */
static uint32_t search(const struct vpa *pa, uint32_t from, uint32_t to, uint32_t count)
{
	uint32_t run = 0;
	for (uint32_t p = from; p < to; p++) {
		if (pa->bitmap[p / 64] == UINT64_MAX && p % 64 == 0) {
			run = 0;
			p += 63;
			continue;
		}
		run = page_used(pa, p) ? 0 : run + 1;
		if (run == count)
			return p + 1 - count;
	}
	return UINT32_MAX;
}

uint32_t vpa_alloc(struct vpa *pa, uint32_t count)
{
	if (count == 0 || count > pa->page_count)
		return UINT32_MAX;
	pthread_mutex_lock(&pa->lock);
	uint32_t first = search(pa, pa->hint, pa->page_count, count);
	if (first == UINT32_MAX)
		first = search(pa, 0, pa->page_count, count);
	if (first != UINT32_MAX) {
		mark(pa, first, count, 1);
		pa->hint = first + count < pa->page_count ? first + count : 0;
	}
	pthread_mutex_unlock(&pa->lock);
	return first;
}

void vpa_free(struct vpa *pa, uint32_t first, uint32_t count)
{
	if (first >= pa->page_count || count > pa->page_count - first)
		return;
	pthread_mutex_lock(&pa->lock);
	mark(pa, first, count, 0);
	pthread_mutex_unlock(&pa->lock);
}
