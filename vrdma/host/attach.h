/*
 * vrdma/host/attach.h -- a guest process's VM on a vrdma-host.
 *
 * vrdma_attach connects to a vrdma-host's socket and returns a struct
 * vrdma_vm that the guest driver (vrdma/guest) uses exactly as an
 * in-process one: vrdma_open_device(vm) and so on.  The VM's memory is
 * the host-made memfd, mapped here: vm->memory.fd (sealed: it can be
 * mapped, MAP_FIXED too, but not resized), vm->memory.bytes (whole pages)
 * and vm->memory.base (this process's mapping).  Register writes and reads
 * travel on the socket; doorbells are rung in a shared page with an
 * eventfd kick (device/doorbells.h); interrupts arrive on vm->irq_fd[].
 *
 * The VM lives as long as the connection: vrdma_detach (or this process's
 * end) closes it and the host destroys the VM.  Close the device
 * (vrdma_close_device) before detaching.  Not for use after fork() in the
 * child: the child shares the parent's connection.
 */
#ifndef VRDMA_HOST_ATTACH_H
#define VRDMA_HOST_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "vrdma/device/vm.h"

/* Attach to the vrdma-host listening on socket_path with memory_bytes of
 * guest memory (rounded up to pages by the host).  Returns 0 and *out, or
 * an errno with err filled (ENOSPC, EINVAL: the host's refusal, its reason
 * in err; ECONNREFUSED, ENOENT: no host there). */
int vrdma_attach(const char *socket_path, uint64_t memory_bytes, struct vrdma_vm **out, char *err,
		 size_t err_bytes);
void vrdma_detach(struct vrdma_vm *vm);

#endif
