/*
 * vrdma/device/vm.h -- what a guest holds of its machine: its memory and its
 * vRDMA device's "pins" (register and UAR writes, interrupt lines).
 *
 * The backend (vbackend_create_vm) makes these for a guest in its own
 * process, host/attach.c (vrdma_attach) for a guest process of a vrdma-host;
 * the guest driver uses both alike.  Register and UAR writes go through
 * vdev_write_register()/vdev_write_uar(), the trap: for an in-process device
 * they run the hypervisor's exit handler on the calling (vCPU) thread, which
 * records the exit and kicks the backend's eventfd; for a remote one they
 * ring the shared doorbell page or send the write to the host process.
 * Interrupts arrive as readable counts on irq_fd[vector] (an eventfd, or a
 * socket of 8-byte messages for a guest process).
 */
#ifndef VRDMA_VM_H
#define VRDMA_VM_H

#include <stdint.h>

#include "vrdma/device/abi.h"
#include "vrdma/device/guest_mem.h"
#include "vrdma/trace/trace.h"

struct vdev;

/* A device model: the exit handlers behind vdev_*.  Every device model's
 * struct vdev begins with a pointer to its ops (the backend's trap.c, the
 * remote device of host/attach.c); vdev_* dispatch through it. */
struct vdev_ops {
	void (*write_register)(struct vdev *device, uint32_t offset, uint32_t value);
	uint32_t (*read_register)(struct vdev *device, uint32_t offset);
	void (*write_uar)(struct vdev *device, uint32_t offset, uint32_t value, uint64_t trace_op_id);
};

struct vrdma_vm {
	/* the guest's view of its memory: memory.fd is the memfd (sealed against
	 * shrinking and growing), memory.bytes its size, memory.base this
	 * process's mapping of it */
	struct vgm_map memory;
	struct vdev *device;                 /* the device model, opaque to the guest */
	int irq_fd[VRDMA_VECTOR_COUNT];      /* readable when the vector fired */
	uint16_t guest_id;                   /* device number on its host */
	uint8_t host_id;
	struct vtrace *trace;
};

/* A write to a device register: a VM exit. */
void vdev_write_register(struct vdev *device, uint32_t offset, uint32_t value);
/* A read of a device register (served from the register file, no exit). */
uint32_t vdev_read_register(struct vdev *device, uint32_t offset);
/* A write to the UAR page: a doorbell, a VM exit. */
void vdev_write_uar(struct vdev *device, uint32_t offset, uint32_t value);
/* The same, naming for the trace only the newest work request this
 * doorbell announces (the device never uses it). */
void vdev_write_uar_traced(struct vdev *device, uint32_t offset, uint32_t value, uint64_t trace_op_id);

#endif
