/*
 * vrdma/verbs_abi/window.c -- guest memory windows over an application's
 * buffers (contract in window.h).
 *
 * The bytes move with pwrite/pread on the memfd, issued as raw system
 * calls: the kernel copies whole pages, the bytes of the buffer's
 * neighbours included, and a sanitizer's interceptor would take reading
 * those neighbours (a malloc chunk's redzones) for an overflow.
 */
#include "vrdma/verbs_abi/abi.h"
#include "vrdma/verbs_abi/window.h"
#include "vrdma/device/abi.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct vab_window {
	uintptr_t start;            /* page-aligned program address */
	size_t bytes;               /* whole pages */
	uint8_t *guest;             /* the same pages in the driver's mapping */
	int refs;                   /* registrations using it */
	struct vab_window *next;
};

#define STACK_MARGIN_BYTES (64u << 10)

static pthread_mutex_t windows_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vab_window *windows;

static int refuse(uintptr_t start, size_t bytes, const char *why)
{
	fprintf(stderr, "vrdma: cannot register memory at 0x%" PRIxPTR "..0x%" PRIxPTR ": %s\n", start,
		start + bytes, why);
	errno = EOPNOTSUPP;
	return EOPNOTSUPP;
}

/* Whether every page of [start, end) is readable and writable private
 * anonymous memory, per /proc/self/maps ("lo-hi perms offset dev inode
 * [path]"). */
static int private_anonymous(uintptr_t start, uintptr_t end, const char **why)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t covered = start;
	*why = "the pages are not mapped";
	if (f == NULL) {
		*why = "/proc/self/maps cannot be read";
		return 0;
	}
	while (covered < end && fgets(line, sizeof line, f)) {
		unsigned long lo, hi, inode;
		char perms[8], path[256] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &lo, &hi, perms, &inode, path) < 4)
			continue;
		if (hi <= covered || lo >= end)
			continue;
		if (lo > covered)
			break; /* a hole */
		if (perms[0] != 'r' || perms[1] != 'w') {
			*why = "the pages are not readable and writable";
			break;
		}
		if (strcmp(path, "[stack]") == 0) {
			*why = "the pages are the main thread's stack, which the remap would race with";
			break;
		}
		if (perms[3] != 'p' || inode != 0 || (path[0] != '\0' && strcmp(path, "[heap]") != 0)) {
			*why = "the pages are a file-backed or shared mapping, which a remap would change";
			break;
		}
		covered = hi;
	}
	fclose(f);
	return covered >= end;
}

/* Move `bytes` between the program's pages and the memfd at `gpa`. */
static int transfer(long call, int fd, uintptr_t at, size_t bytes, uint64_t gpa)
{
	size_t done = 0;
	while (done < bytes) {
		long n = syscall(call, fd, (void *)(at + done), bytes - done, (off_t)(gpa + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		done += (size_t)n;
	}
	return 0;
}

/* The window holding page `page`, or NULL; *next_start: where the next
 * window above it starts (UINTPTR_MAX: none). */
static struct vab_window *covering(uintptr_t page, uintptr_t *next_start)
{
	*next_start = UINTPTR_MAX;
	for (struct vab_window *w = windows; w; w = w->next) {
		if (page >= w->start && page < w->start + w->bytes)
			return w;
		if (w->start > page && w->start < *next_start)
			*next_start = w->start;
	}
	return NULL;
}

/* A new window over [start, end), on the list with no reference yet. */
static int open_new(struct vrdma_context *driver, struct vrdma_vm *vm, uintptr_t start, uintptr_t end,
		    struct vab_window **out)
{
	const char *why;
	size_t bytes = end - start;
	/* The calling thread's own frames (this one and the system calls
	 * below it) must not live on pages being remapped: a write to them
	 * between the copy and the remap would be lost. */
	uintptr_t here = (uintptr_t)&why;
	if (start < here + STACK_MARGIN_BYTES && end + STACK_MARGIN_BYTES > here)
		return refuse(start, bytes, "the pages are the calling thread's stack, which the remap would race with");
	if (!private_anonymous(start, end, &why))
		return refuse(start, bytes, why);
	struct vab_window *w = calloc(1, sizeof *w);
	uint8_t *guest = w ? vrdma_alloc_buffer(driver, bytes) : NULL;
	if (guest == NULL) {
		fprintf(stderr, "vrdma: no %zu bytes of guest memory left for a region (VRDMA_GUEST_MEMORY_BYTES)\n",
			bytes);
		free(w);
		return ENOMEM;
	}
	uint64_t gpa = vgm_gpa_of(&vm->memory, guest);
	int rc = transfer(SYS_pwrite64, vm->memory.fd, start, bytes, gpa);
	if (rc == 0 && mmap((void *)start, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, vm->memory.fd,
			    (off_t)gpa) == MAP_FAILED)
		rc = errno;
	if (rc != 0) {
		vrdma_free_buffer(driver, guest, bytes);
		free(w);
		return rc;
	}
	*w = (struct vab_window){.start = start, .bytes = bytes, .guest = guest, .next = windows};
	windows = w;
	*out = w;
	return 0;
}

/* Record window w in the span once (runs of one window are adjacent). */
static void note_window(struct vab_span *span, struct vab_window *w)
{
	if (span->window_count == 0 || span->windows[span->window_count - 1] != w)
		span->windows[span->window_count++] = w;
}

static void close_window(struct vrdma_context *driver, struct vrdma_vm *vm, struct vab_window *window);

/* Fill span->page_gpas for the page range, opening windows for uncovered
 * runs.  Called with windows_lock held. */
static int cover(struct vrdma_context *driver, struct vrdma_vm *vm, uintptr_t start, struct vab_span *span)
{
	uint32_t i = 0;
	while (i < span->pages) {
		uintptr_t page = start + (uintptr_t)i * VRDMA_PAGE_BYTES, next;
		struct vab_window *w = covering(page, &next);
		if (w == NULL) {
			uintptr_t end = start + (uintptr_t)span->pages * VRDMA_PAGE_BYTES;
			int rc = open_new(driver, vm, page, next < end ? next : end, &w);
			if (rc != 0)
				return rc;
		}
		note_window(span, w);
		uint64_t gpa = vgm_gpa_of(&vm->memory, w->guest) + (page - w->start);
		for (; i < span->pages && page < w->start + w->bytes; i++, page += VRDMA_PAGE_BYTES, gpa += VRDMA_PAGE_BYTES)
			span->page_gpas[i] = gpa;
	}
	return 0;
}

int vab_window_open(struct vrdma_context *driver, struct vrdma_vm *vm, void *addr, size_t length,
		    struct vab_span *span)
{
	uintptr_t a = (uintptr_t)addr;
	memset(span, 0, sizeof *span);
	if (length == 0 || a + length < a || length > vm->memory.bytes)
		return EINVAL;
	uintptr_t start = a & ~(uintptr_t)(VRDMA_PAGE_BYTES - 1);
	uintptr_t end = (a + length + VRDMA_PAGE_BYTES - 1) & ~(uintptr_t)(VRDMA_PAGE_BYTES - 1);
	span->pages = (uint32_t)((end - start) / VRDMA_PAGE_BYTES);
	span->first_page_offset = (uint32_t)(a - start);
	span->page_gpas = malloc(span->pages * sizeof *span->page_gpas);
	/* At most one window per page, and in practice one or two. */
	span->windows = malloc(span->pages * sizeof *span->windows);
	if (span->page_gpas == NULL || span->windows == NULL) {
		vab_window_close(driver, vm, span);
		return ENOMEM;
	}
	uint64_t gpa = vgm_gpa_of(&vm->memory, addr);
	if (gpa != UINT64_MAX && length <= vm->memory.bytes - gpa) {
		/* Guest memory already (the driver's own mapping). */
		for (uint32_t i = 0; i < span->pages; i++)
			span->page_gpas[i] = gpa - span->first_page_offset + (uint64_t)i * VRDMA_PAGE_BYTES;
		return 0;
	}
	pthread_mutex_lock(&windows_lock);
	int rc = cover(driver, vm, start, span);
	for (uint32_t k = 0; k < span->window_count; k++)
		span->windows[k]->refs++;
	pthread_mutex_unlock(&windows_lock);
	if (rc != 0)
		vab_window_close(driver, vm, span);
	return rc;
}

void vab_window_close(struct vrdma_context *driver, struct vrdma_vm *vm, struct vab_span *span)
{
	pthread_mutex_lock(&windows_lock);
	for (uint32_t k = 0; k < span->window_count; k++) {
		struct vab_window *w = span->windows[k];
		if (--w->refs > 0)
			continue;
		for (struct vab_window **p = &windows; *p; p = &(*p)->next)
			if (*p == w) {
				*p = w->next;
				break;
			}
		close_window(driver, vm, w);
	}
	pthread_mutex_unlock(&windows_lock);
	free(span->page_gpas);
	free(span->windows);
	memset(span, 0, sizeof *span);
}

/* Put private memory back over a window no registration uses. */
static void close_window(struct vrdma_context *driver, struct vrdma_vm *vm, struct vab_window *window)
{
	/* Private memory back, with the bytes the window holds now: filled
	 * aside, then moved over the window in one step, so the pages never
	 * read as zeros (the window's own record may live on them). */
	uintptr_t start = window->start;
	size_t bytes = window->bytes;
	uint64_t gpa = vgm_gpa_of(&vm->memory, window->guest);
	void *fresh = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int rc = fresh == MAP_FAILED ? errno : transfer(SYS_pread64, vm->memory.fd, (uintptr_t)fresh, bytes, gpa);
	if (rc == 0 && mremap(fresh, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)start) == MAP_FAILED)
		rc = errno;
	if (rc != 0) {
		/* The window stays: the program's bytes are safe in it. */
		fprintf(stderr, "vrdma: restoring private memory at 0x%" PRIxPTR " after dereg_mr failed: %s\n",
			start, strerror(rc));
		if (fresh != MAP_FAILED)
			munmap(fresh, bytes);
		free(window);
		return;
	}
	vrdma_free_buffer(driver, window->guest, window->bytes);
	free(window);
}
