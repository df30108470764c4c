/*
 * vrdma/backend/lines.c -- a VM's wires to its backend: the doorbell page,
 * the kicks, the interrupt lines.
 *
 * In-process guest: the trap handler rings the doorbell page and writes
 * the private kick eventfd; interrupts are eventfds the backend writes and
 * the guest reads (the same fd).
 *
 * Guest process (vbackend_create_remote_vm): it gets the doorbell page's
 * memfd, its own kick eventfd, and the far ends of its interrupt lines.
 * An fd both sides hold shares its file flags, so the guest could make any
 * read or write of it block (clear O_NONBLOCK; fill an eventfd's counter to
 * its limit).  Hence: the guest's kick is only watched (edge-triggered,
 * backend.c), never read or written here; an interrupt line is a
 * SOCK_SEQPACKET pair whose backend end is the backend's alone, written
 * non-blocking (a guest that never reads loses interrupts, as it would
 * anyway); register writes reach the private kick through the host
 * process (host/), never through the guest's fd.
 */
#include "vrdma/backend/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

static int open_irq_line(struct vdev *dev, int v, int remote)
{
	if (!remote) {
		dev->vm.irq_fd[v] = dev->irq_fd[v] = eventfd(0, EFD_CLOEXEC);
		return dev->irq_fd[v] < 0 ? errno : 0;
	}
	int ends[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0)
		return errno;
	dev->irq_fd[v] = ends[0];
	dev->vm.irq_fd[v] = ends[1];
	int flags = fcntl(ends[0], F_GETFL);
	if (flags < 0 || fcntl(ends[0], F_SETFL, flags | O_NONBLOCK) != 0)
		return errno;
	/* the guest only reads: nothing it sends may queue up here */
	return shutdown(ends[0], SHUT_RD) != 0 ? errno : 0;
}

int vb_lines_open(struct vdev *dev, int remote, char *err, size_t err_bytes)
{
	dev->remote = remote;
	int rc = vgm_create(VRDMA_PAGE_BYTES, &dev->bells_page, err, err_bytes);
	if (rc != 0)
		return rc;
	dev->bells = (struct vrdma_doorbells *)dev->bells_page.base;
	dev->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = dev->kick_fd < 0 ? errno : 0;
	if (rc == 0 && remote) {
		dev->guest_kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		rc = dev->guest_kick_fd < 0 ? errno : 0;
	}
	for (int v = 0; v < VRDMA_VECTOR_COUNT && rc == 0; v++)
		rc = open_irq_line(dev, v, remote);
	if (rc != 0)
		snprintf(err, err_bytes, "cannot make the VM's doorbells and interrupt lines: %s", strerror(rc));
	return rc;
}

void vb_lines_close(struct vdev *dev)
{
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++) {
		if (dev->irq_fd[v] >= 0 && dev->irq_fd[v] != dev->vm.irq_fd[v])
			close(dev->irq_fd[v]);
		if (dev->vm.irq_fd[v] >= 0)
			close(dev->vm.irq_fd[v]);
		dev->irq_fd[v] = dev->vm.irq_fd[v] = -1;
	}
	if (dev->kick_fd >= 0)
		close(dev->kick_fd);
	if (dev->guest_kick_fd >= 0)
		close(dev->guest_kick_fd);
	dev->kick_fd = dev->guest_kick_fd = -1;
	vgm_unmap(&dev->bells_page, 1);
	dev->bells = NULL;
}

void vb_lines_share(struct vdev *dev, struct vbackend_remote *remote)
{
	remote->memory_fd = dev->memory.fd;
	remote->memory_bytes = dev->memory.bytes;
	remote->doorbells_fd = dev->bells_page.fd;
	remote->kick_fd = dev->guest_kick_fd;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		remote->irq_fd[v] = dev->vm.irq_fd[v];
}
