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
		if (perms[3] != 'p' || inode != 0 || (path[0] != '\0' && strcmp(path, "[heap]") != 0 &&
						       strcmp(path, "[stack]") != 0)) {
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

static struct vab_window *find(uintptr_t start, uintptr_t end, int *partial)
{
	*partial = 0;
	for (struct vab_window *w = windows; w; w = w->next) {
		uintptr_t wend = w->start + w->bytes;
		if (start >= w->start && end <= wend)
			return w;
		if (start < wend && end > w->start)
			*partial = 1;
	}
	return NULL;
}

static int open_new(struct vrdma_context *driver, struct vrdma_vm *vm, uintptr_t start, uintptr_t end,
		    struct vab_window **out)
{
	const char *why;
	size_t bytes = end - start;
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
	*w = (struct vab_window){.start = start, .bytes = bytes, .guest = guest, .refs = 1, .next = windows};
	windows = w;
	*out = w;
	return 0;
}

int vab_window_open(struct vrdma_context *driver, struct vrdma_vm *vm, void *addr, size_t length,
		    void **guest_addr, struct vab_window **window)
{
	uintptr_t a = (uintptr_t)addr;
	*window = NULL;
	if (vgm_gpa_of(&vm->memory, addr) != UINT64_MAX) {
		*guest_addr = addr;
		return 0;
	}
	if (length == 0 || a + length < a)
		return EINVAL;
	uintptr_t start = a & ~(uintptr_t)(VRDMA_PAGE_BYTES - 1);
	uintptr_t end = (a + length + VRDMA_PAGE_BYTES - 1) & ~(uintptr_t)(VRDMA_PAGE_BYTES - 1);
	int partial, rc = 0;
	pthread_mutex_lock(&windows_lock);
	struct vab_window *w = find(start, end, &partial);
	if (w != NULL)
		w->refs++;
	else if (partial)
		rc = refuse(start, end - start, "the range covers part of an earlier registration's pages");
	else
		rc = open_new(driver, vm, start, end, &w);
	pthread_mutex_unlock(&windows_lock);
	if (rc != 0)
		return rc;
	*window = w;
	*guest_addr = w->guest + (a - w->start);
	return 0;
}

void vab_window_close(struct vrdma_context *driver, struct vrdma_vm *vm, struct vab_window *window)
{
	if (window == NULL)
		return;
	pthread_mutex_lock(&windows_lock);
	if (--window->refs > 0) {
		pthread_mutex_unlock(&windows_lock);
		return;
	}
	for (struct vab_window **p = &windows; *p; p = &(*p)->next)
		if (*p == window) {
			*p = window->next;
			break;
		}
	pthread_mutex_unlock(&windows_lock);
	/* Private memory back, with the bytes the window holds now. */
	uint64_t gpa = vgm_gpa_of(&vm->memory, window->guest);
	if (mmap((void *)window->start, window->bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    transfer(SYS_pread64, vm->memory.fd, window->start, window->bytes, gpa) != 0)
		fprintf(stderr, "vrdma: restoring private memory at 0x%" PRIxPTR " after dereg_mr failed: %s\n",
			window->start, strerror(errno));
	vrdma_free_buffer(driver, window->guest, window->bytes);
	free(window);
}
