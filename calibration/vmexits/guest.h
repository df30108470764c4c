/*
 * guest.h - the few bytes of guest code measure-vmexits runs, and the
 * guest-physical layout both sides agree on.
 *
 * The guest runs in 16-bit real mode: no page tables, no GDT, no IDT to
 * build (the interrupt vector table at address 0 is written by the host),
 * so the code is a few dozen instructions and every exit it takes is one
 * of the exits being measured.  On VMX with unrestricted guest (and on
 * SVM) real mode runs on the CPU and the instructions that exit (OUT, a
 * store to unbacked memory, VMCALL) take the same exit handlers as in any
 * other mode.  Where the CPU cannot run real mode for KVM (VMX without
 * unrestricted guest, or a software hypervisor such as PVM) KVM emulates
 * the guest's instructions instead: the dataset's per-test counters
 * (kvm_stats.h: insn_emulation against exits) show which happened.
 *
 * Each test is an entry point.  The host sets CS = DS = SS = 0, ES =
 * GUEST_SAMPLES_SEG, FS = GUEST_MMIO_SEG, SP = GUEST_STACK_TOP, CX = the
 * batch's count, DI = 0, IF = 0, and enters at the entry's offset from
 * GUEST_CODE_GPA.  A timed test stores one 32-bit TSC difference per round
 * trip at ES:DI (the low halves: a round trip is far below 2^32 cycles)
 * and leaves with an OUT to PORT_DONE.
 */
#ifndef VMX_GUEST_H
#define VMX_GUEST_H

#include <stddef.h>
#include <stdint.h>

enum {
	GUEST_MEM_BYTES = 0x80000,      /* one memory slot at GPA 0 */
	GUEST_CODE_GPA = 0x8000,
	GUEST_STACK_TOP = 0x7000,
	GUEST_FLAG_GPA = 0x500,         /* the handler sets it: the interrupt arrived */
	GUEST_STOP_GPA = 0x504,         /* the host sets it: leave the irq_host loop */
	GUEST_READY_GPA = 0x508,        /* the guest sets it: interrupts are open */
	GUEST_SAMPLES_SEG = 0x1000,     /* ES: samples at GPA 0x10000 */
	GUEST_BATCH_MAX = 16384,        /* 32-bit samples in ES's 64 KiB */
	GUEST_MMIO_SEG = 0x9000,        /* FS: the MMIO page below, no memory slot */
	MMIO_KERNEL_GPA = 0x90000,      /* ioeventfd (any length: KVM's fast MMIO bus) */
	MMIO_USER_GPA = 0x91000,        /* no ioeventfd: KVM_EXIT_MMIO */
	MMIO_IRQ_TRIGGER_GPA = 0x92000, /* ioeventfd on the irqfd's eventfd: raises the interrupt */
	MMIO_IRQ_ACK_GPA = 0x93000,     /* ioeventfd the host waits on */
	PORT_DONE = 0xE0,               /* user exit: the batch is over */
	PORT_USER = 0xE1,               /* no ioeventfd: KVM_EXIT_IO */
	PORT_KERNEL = 0xE2,             /* ioeventfd, 1 byte */
	PORT_ERROR = 0xE3,              /* user exit: the guest found something wrong (AL says what) */
	PORT_FAULT = 0xE4,              /* user exit: the guest took exception AL (an unexpected one) */
	GUEST_FAULT_VECTORS = 32,       /* exceptions 0-31 have a stub each ... */
	GUEST_FAULT_STUB_BYTES = 8,     /* ... this far apart, from ENTRY_FAULT_STUBS */
	GUEST_IRQ = 5,                  /* the PIC pin, and the irqfd's GSI */
	GUEST_IRQ_VECTOR = 0x25,        /* the guest programs the PIC's base to 0x20 */
};

/* The answer KVM gives an unknown hypercall number (-KVM_ENOSYS), as the
 * guest sees it in EAX; PORT_ERROR's AL is GUEST_ERROR_HYPERCALL if not. */
enum { GUEST_ERROR_HYPERCALL = 1 };

typedef enum vmx_entry {
	ENTRY_PIO_KERNEL, ENTRY_MMIO_KERNEL, ENTRY_PIO_USER, ENTRY_MMIO_USER, ENTRY_HYPERCALL,
	ENTRY_IRQ_GUEST, ENTRY_IRQ_HOST, ENTRY_HANDLER_FLAG, ENTRY_HANDLER_ACK, ENTRY_FAULT_STUBS, ENTRY_COUNT
} vmx_entry;

/* The code to copy to GUEST_CODE_GPA, and its size in bytes. */
const uint8_t *vmx_guest_code(size_t *bytes);

/* Offset of ENTRY from the start of the code. */
uint16_t vmx_guest_offset(vmx_entry entry);

#endif
