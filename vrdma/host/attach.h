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

/*
 * Live migration of a guest process (host/wire.h's SAVE, RESTORE, RESUME;
 * docs/migration.md).  The caller plays the VMM: it stops every thread
 * that uses the device (no verbs call, no wait on an interrupt line, until
 * this returns), then vrdma_move asks the source to quiesce and save the
 * device, hands the state and the guest's memory to the destination's
 * vrdma-host, and switches the guest to what the destination gives back.
 * The switch is invisible to the guest driver: the new memory is mapped at
 * the old address, the new doorbell page over the old one, and the new
 * kick, interrupt lines and socket take the old fds' numbers (dup2).  The
 * VM's guest_id and host_id stay the guest's own (they name its work
 * requests in traces); T->host_id says where it runs now.  Interrupts raised on the source's lines
 * and not yet read are raised again by the destination.  A dup of an
 * interrupt line made before the move (a verbs completion channel's) still
 * reads the source's line: make it after.
 */
struct vrdma_move_times {
	uint64_t save_ns;        /* SAVE sent to SAVED read: the source's quiesce and save */
	uint64_t restore_ns;     /* RESTORE sent to WELCOME read: the destination's copy and restore */
	uint64_t switch_ns;      /* the guest's mappings and fds switched (after a refusal:
				    the source's RESUME too) */
	uint64_t pause_ns;       /* the whole move, as the stopped guest saw it */
	uint64_t state_bytes;    /* the saved state */
	uint32_t sends_in_flight; /* at the save: sends the source's HCA had not retired */
	uint32_t recvs_posted;   /* at the save: receives posted and not yet taken */
	uint32_t cqes_unpolled;  /* at the save: completions in the guest's CQs it had not polled */
	int resumed_at_source;   /* the destination refused; the source took the guest back */
	unsigned host_id;        /* the host it runs on after the move (--host-id) */
};
/* Returns 0 (moved), or an errno with err filled and T->resumed_at_source
 * saying whether the guest runs again (on the source; a save the source
 * refused also leaves it running there, resumed_at_source 0 then and
 * save_ns 0) or its device is lost (EIO: its registers read as all ones). */
int vrdma_move(struct vrdma_vm *vm, const char *to_socket_path, struct vrdma_move_times *t, char *err,
	       size_t err_bytes);

#endif
