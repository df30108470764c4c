/*
 * vm.h - one KVM virtual machine with one vCPU and the guest of guest.h:
 * its memory, the in-kernel interrupt controllers, the ioeventfds and the
 * irqfd the tests use, and the loop that runs a batch.
 *
 * Every function returns 0, or -1 with vm->error saying what failed and
 * why (which call, errno's text, what to do about it).  Not thread-safe
 * except as stated: vmx_vm_run_batch runs in one thread (the vCPU's)
 * while another thread may use the eventfds.
 */
#ifndef VMX_VM_H
#define VMX_VM_H

#include <stdint.h>

#include "calibration/vmexits/guest.h"

typedef struct vmx_vm {
	int kvm_fd, vm_fd, vcpu_fd;         /* -1 while not open */
	int api_version;                    /* KVM_GET_API_VERSION */
	struct kvm_run *run;                /* the vCPU's shared page */
	size_t run_bytes;
	uint8_t *mem;                       /* the guest's memory (GUEST_MEM_BYTES) */
	int kernel_efd;                     /* PORT_KERNEL's and MMIO_KERNEL_GPA's ioeventfd */
	int irq_efd;                        /* the irqfd on GUEST_IRQ; MMIO_IRQ_TRIGGER_GPA's ioeventfd */
	int ack_efd;                        /* MMIO_IRQ_ACK_GPA's ioeventfd (nonblocking) */
	double deadline_s;                  /* a batch not done by then (CLOCK_MONOTONIC) fails */
	char error[512];
} vmx_vm;

/* Open /dev/kvm, create the VM, its memory, irqchip, vCPU, eventfds and
 * the guest's code.  On failure VM is closed again and vm->error says
 * which step failed. */
int vmx_vm_open(vmx_vm *vm);

/* Release everything (safe on a VM that failed to open). */
void vmx_vm_close(vmx_vm *vm);

/* Point the guest's interrupt vector GUEST_IRQ_VECTOR at HANDLER. */
void vmx_vm_set_handler(vmx_vm *vm, vmx_entry handler);

/* Run ENTRY with CX = COUNT (at most GUEST_BATCH_MAX) until the guest
 * writes PORT_DONE, re-entering after every user-space exit; the samples
 * are then at vmx_vm_samples().  Fails on a guest error, an unexpected
 * exit, a failed KVM_RUN, or when vm->deadline_s passes (SIGALRM must be
 * delivered to this thread now and then for that: see vmx_vm_watchdog). */
int vmx_vm_run_batch(vmx_vm *vm, vmx_entry entry, unsigned count);

/* The batch's COUNT guest TSC differences (cycles). */
const uint32_t *vmx_vm_samples(const vmx_vm *vm);

/* A byte of guest memory at GPA, shared with the running guest. */
volatile uint8_t *vmx_vm_byte(vmx_vm *vm, uint32_t gpa);

/* Start (SECONDS > 0) or stop (0) a SIGALRM every SECONDS, whose handler
 * does nothing: it only makes a blocked KVM_RUN return so that the
 * deadline is checked. */
int vmx_vm_watchdog(double seconds);

/* The guest's TSC frequency KVM reports (KVM_GET_TSC_KHZ), 0 if unknown. */
long vmx_vm_tsc_khz(const vmx_vm *vm);

#endif
