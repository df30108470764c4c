/*
 * vrdma/device/guest_mem.h -- a guest's physical memory: one memfd.
 *
 * The guest side and the backend each map the same memfd; a guest-physical
 * address (GPA) is an offset in it.  The backend reaches guest memory only
 * through vgm_at(), which refuses any range that is not wholly inside this
 * guest's memory: that check is what keeps one guest out of another's
 * memory and the backend out of its own.
 */
#ifndef VRDMA_GUEST_MEM_H
#define VRDMA_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct vgm_map {
	int fd;             /* the memfd; owned by whoever created it */
	uint64_t bytes;     /* size, a multiple of the page size */
	uint8_t *base;      /* this side's mapping */
};

/* Create a guest memory of `bytes` (rounded up to pages) and map it: a
 * memfd sealed against shrinking, growing and further seals.  The caller
 * owns map->fd.  Returns 0, or an errno with err filled. */
int vgm_create(uint64_t bytes, struct vgm_map *map, char *err, size_t err_bytes);

/* Map an existing guest memory (the backend's view).  Does not take fd. */
int vgm_map(int fd, uint64_t bytes, struct vgm_map *map, char *err, size_t err_bytes);

/* Unmap; closes the fd only when `close_fd`. */
void vgm_unmap(struct vgm_map *map, int close_fd);

/* Host pointer for [gpa, gpa + length), or NULL when any byte of it lies
 * outside the guest's memory (overflow-safe). */
static inline void *vgm_at(const struct vgm_map *map, uint64_t gpa, uint64_t length)
{
	if (gpa > map->bytes || length > map->bytes - gpa)
		return NULL;
	return map->base + gpa;
}

/* GPA of a pointer into this side's mapping; UINT64_MAX when outside. */
static inline uint64_t vgm_gpa_of(const struct vgm_map *map, const void *pointer)
{
	const uint8_t *p = pointer;
	if (p < map->base || p >= map->base + map->bytes)
		return UINT64_MAX;
	return (uint64_t)(p - map->base);
}

#endif
