/*
 * vrdma/device/guest_mem.c -- guest memory as a memfd, mapped by each side.
 */
#include "vrdma/device/guest_mem.h"
#include "vrdma/device/abi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t round_up_to_page(uint64_t bytes)
{
	return (bytes + VRDMA_PAGE_BYTES - 1) & ~(uint64_t)(VRDMA_PAGE_BYTES - 1);
}

int vgm_map(int fd, uint64_t bytes, struct vgm_map *map, char *err, size_t err_bytes)
{
	void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		int e = errno;
		snprintf(err, err_bytes, "cannot map guest memory of %llu bytes: %s",
			 (unsigned long long)bytes, strerror(e));
		return e;
	}
	map->fd = fd;
	map->bytes = bytes;
	map->base = base;
	return 0;
}

int vgm_create(uint64_t bytes, struct vgm_map *map, char *err, size_t err_bytes)
{
	bytes = round_up_to_page(bytes);
	if (bytes == 0) {
		snprintf(err, err_bytes, "guest memory size must be at least one page");
		return EINVAL;
	}
	int fd = memfd_create("vrdma-guest-memory", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		int e = errno;
		snprintf(err, err_bytes, "memfd_create: %s", strerror(e));
		return e;
	}
	if (ftruncate(fd, (off_t)bytes) != 0) {
		int e = errno;
		snprintf(err, err_bytes, "cannot size guest memory to %llu bytes: %s",
			 (unsigned long long)bytes, strerror(e));
		close(fd);
		return e;
	}
	/* A guest process holds this fd: had it shrunk the file, the
	 * backend's accesses to the lost pages would raise SIGBUS. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		int e = errno;
		snprintf(err, err_bytes, "cannot seal guest memory: %s", strerror(e));
		close(fd);
		return e;
	}
	int rc = vgm_map(fd, bytes, map, err, err_bytes);
	if (rc != 0)
		close(fd);
	return rc;
}

void vgm_unmap(struct vgm_map *map, int close_fd)
{
	if (map->base != NULL)
		munmap(map->base, map->bytes);
	if (close_fd && map->fd >= 0)
		close(map->fd);
	map->base = NULL;
	map->fd = -1;
	map->bytes = 0;
}
