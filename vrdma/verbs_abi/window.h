/*
 * vrdma/verbs_abi/window.h -- guest memory in place of an application's
 * buffer, so that any buffer the program allocated can be registered.
 *
 * The backend reaches only guest memory (one memfd).  A buffer the program
 * got from malloc, memalign or posix_memalign is ordinary private memory,
 * so registering it opens a window: fresh guest pages are allocated, the
 * buffer's pages' current bytes are written into them, and the guest
 * memfd is mapped MAP_SHARED|MAP_FIXED over the buffer's page range.  From
 * then on the program's own addresses are guest memory: the HCA reads and
 * writes them with no copy, and the program sees every byte at once.
 * Closing the last registration of a window puts private anonymous memory
 * back with the same bytes and frees the guest pages, so the program may
 * free() or reuse the buffer as usual.
 *
 * Refused (EOPNOTSUPP, one stderr line): pages that are not private
 * anonymous memory (heap or anonymous mmap), i.e. file-backed or shared
 * mappings, whose meaning a remap would change; stacks (the main
 * thread's, and any within 64 KiB of the calling thread's frames), whose
 * frames could be written between the copy and the remap; read-only or
 * unmapped pages.
 *
 * Caveats (docs/verbs-abi.md): the whole pages move, neighbours of the
 * buffer on them included (their bytes are kept); a thread writing those
 * pages while the window opens may lose that write; after fork() the
 * child shares the window's pages with the parent instead of copying them.
 */
#ifndef VRDMA_VERBS_ABI_WINDOW_H
#define VRDMA_VERBS_ABI_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "vrdma/device/vm.h"
#include "vrdma/guest/verbs.h"

struct vab_window;

/* What one registration holds: its pages as guest-physical addresses,
 * and the windows it took a reference on (none when the buffer was guest
 * memory already). */
struct vab_span {
	uint64_t *page_gpas;        /* one per page of the range, in order */
	uint32_t pages;
	uint32_t first_page_offset; /* of the buffer's first byte */
	struct vab_window **windows;
	uint32_t window_count;
};

/* Make [addr, addr + length) guest memory: pages already in windows keep
 * theirs (a range may overlap earlier registrations in any way), every
 * maximal run of other pages gets a new window.  OUT: *span.  Returns 0 or
 * an errno (EOPNOTSUPP with the reason on stderr, ENOMEM when guest memory
 * is short: VRDMA_GUEST_MEMORY_BYTES). */
int vab_window_open(struct vrdma_context *driver, struct vrdma_vm *vm, void *addr, size_t length,
		    struct vab_span *span);
/* Drop the span's references; windows no registration uses any more are
 * closed. */
void vab_window_close(struct vrdma_context *driver, struct vrdma_vm *vm, struct vab_span *span);

#endif
