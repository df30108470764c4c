/*
 * guest.c - the guest's code: real-mode x86, assembled with the host
 * program and copied into the guest's memory (guest.h has the contract).
 *
 * Every timed loop reads the TSC behind an LFENCE (so earlier instructions
 * have finished), does the one thing measured, reads the TSC again and
 * stores the difference.  Ports are immediates: RDTSC overwrites EDX.
 */
#include "calibration/vmexits/guest.h"

/* The addresses are repeated as numbers inside the assembly; guest.h's
 * enum holds them for C, and these assertions keep the two together. */
_Static_assert(GUEST_FLAG_GPA == 0x500 && GUEST_STOP_GPA == 0x504 && GUEST_READY_GPA == 0x508, "guest.c's asm");
_Static_assert(MMIO_KERNEL_GPA == GUEST_MMIO_SEG * 16 + 0x0000 && MMIO_USER_GPA == GUEST_MMIO_SEG * 16 + 0x1000 &&
	       MMIO_IRQ_TRIGGER_GPA == GUEST_MMIO_SEG * 16 + 0x2000 && MMIO_IRQ_ACK_GPA == GUEST_MMIO_SEG * 16 + 0x3000,
	       "guest.c's asm: FS offsets");
_Static_assert(PORT_DONE == 0xE0 && PORT_USER == 0xE1 && PORT_KERNEL == 0xE2 && PORT_ERROR == 0xE3 && PORT_FAULT == 0xE4,
	       "guest.c's asm: ports");
_Static_assert(GUEST_FAULT_STUB_BYTES == 8 && GUEST_FAULT_VECTORS == 32, "guest.c's asm: .balign 8, .irp 0..31");
_Static_assert(GUEST_IRQ == 5 && GUEST_IRQ_VECTOR == 0x25, "guest.c's asm: PIC base 0x20, mask 0xDF");

__asm__(
	".pushsection .rodata.vmexits_guest, \"a\"\n"
	".code16\n"
	".macro T0\n"           /* start: EBX = TSC */
	"	lfence\n"
	"	rdtsc\n"
	"	movl %eax, %ebx\n"
	".endm\n"
	".macro T1\n"           /* stop: ES:DI += TSC - EBX */
	"	lfence\n"
	"	rdtsc\n"
	"	subl %ebx, %eax\n"
	"	movl %eax, %es:(%di)\n"
	"	addw $4, %di\n"
	".endm\n"
	"vmx_g_start:\n"
	"vmx_g_pio_kernel:\n"          /* OUT to a port an ioeventfd matches */
	"1:	T0\n"
	"	outb %al, $0xE2\n"
	"	T1\n"
	"	decw %cx\n"
	"	jnz 1b\n"
	"	jmp vmx_g_done\n"
	"vmx_g_mmio_kernel:\n"         /* a store to an ioeventfd's MMIO address */
	"1:	T0\n"
	"	movb %al, %fs:0x0000\n"
	"	T1\n"
	"	decw %cx\n"
	"	jnz 1b\n"
	"	jmp vmx_g_done\n"
	"vmx_g_pio_user:\n"            /* OUT to a port KVM hands to user space */
	"1:	T0\n"
	"	outb %al, $0xE1\n"
	"	T1\n"
	"	decw %cx\n"
	"	jnz 1b\n"
	"	jmp vmx_g_done\n"
	"vmx_g_mmio_user:\n"           /* a store KVM hands to user space */
	"1:	T0\n"
	"	movb %al, %fs:0x1000\n"
	"	T1\n"
	"	decw %cx\n"
	"	jnz 1b\n"
	"	jmp vmx_g_done\n"
	"vmx_g_hypercall:\n"           /* VMCALL with a number KVM does not know */
	"1:	T0\n"
	"	movl $0xFFFF, %eax\n"
	"	vmcall\n"
	"	movl %eax, %esi\n"
	"	T1\n"
	"	cmpl $0xFFFFFC18, %esi\n"  /* -KVM_ENOSYS (-1000) */
	"	jne vmx_g_hypercall_error\n"
	"	decw %cx\n"
	"	jnz 1b\n"
	"	jmp vmx_g_done\n"
	"vmx_g_irq_guest:\n"           /* doorbell -> irqfd -> handler, seen by the guest */
	"	call vmx_g_pic_init\n"
	"	sti\n"
	"1:	movb $0, %cs:0x500\n"
	"	T0\n"
	"	movb %al, %fs:0x2000\n"
	"2:	cmpb $0, %cs:0x500\n"
	"	je 2b\n"
	"	T1\n"
	"	decw %cx\n"
	"	jnz 1b\n"
	"	cli\n"
	"	jmp vmx_g_done\n"
	"vmx_g_irq_host:\n"            /* wait for the host's interrupts until it says stop */
	"	call vmx_g_pic_init\n"
	"	movb $1, %cs:0x508\n"
	"	sti\n"
	"1:	cmpb $0, %cs:0x504\n"
	"	je 1b\n"
	"	cli\n"
	"	jmp vmx_g_done\n"
	"vmx_g_handler_flag:\n"        /* irq_guest's handler: say it came */
	"	movb $1, %cs:0x500\n"
	"	iret\n"
	"vmx_g_handler_ack:\n"         /* irq_host's handler: ring the host's doorbell */
	"	movb %al, %fs:0x3000\n"
	"	iret\n"
	/* The master PIC: vectors from 0x20, auto-EOI (no EOI exit to time
	 * beside the injection), every pin masked but GUEST_IRQ's. */
	"vmx_g_pic_init:\n"
	"	movb $0x11, %al\n"
	"	outb %al, $0x20\n"
	"	movb $0x20, %al\n"
	"	outb %al, $0x21\n"
	"	movb $0x04, %al\n"
	"	outb %al, $0x21\n"
	"	movb $0x03, %al\n"
	"	outb %al, $0x21\n"
	"	movb $0xDF, %al\n"
	"	outb %al, $0x21\n"
	"	ret\n"
	"vmx_g_hypercall_error:\n"
	"	movb $1, %al\n"
	"	outb %al, $0xE3\n"
	"	jmp vmx_g_hypercall_error\n"
	/* Exceptions 0-31: each stub reports its vector (eight bytes apart). */
	"	.balign 8\n"
	"vmx_g_fault_stubs:\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	.balign 8\n"
	"	movb $\\n, %al\n"
	"	jmp vmx_g_fault\n"
	"	.endr\n"
	"vmx_g_fault:\n"
	"	outb %al, $0xE4\n"
	"	jmp vmx_g_fault\n"
	"vmx_g_done:\n"
	"	outb %al, $0xE0\n"
	"	jmp vmx_g_done\n"
	"vmx_g_end:\n"
	".purgem T0\n"
	".purgem T1\n"
	".code64\n"
	".popsection\n");

/* The labels above, as C sees them (their addresses only). */
extern const uint8_t vmx_g_start[], vmx_g_end[], vmx_g_pio_kernel[], vmx_g_mmio_kernel[], vmx_g_pio_user[],
	vmx_g_mmio_user[], vmx_g_hypercall[], vmx_g_irq_guest[], vmx_g_irq_host[], vmx_g_handler_flag[],
	vmx_g_handler_ack[], vmx_g_fault_stubs[];

const uint8_t *vmx_guest_code(size_t *bytes)
{
	*bytes = (size_t)(vmx_g_end - vmx_g_start);
	return vmx_g_start;
}

uint16_t vmx_guest_offset(vmx_entry entry)
{
	const uint8_t *const at[ENTRY_COUNT] = {
		[ENTRY_PIO_KERNEL] = vmx_g_pio_kernel, [ENTRY_MMIO_KERNEL] = vmx_g_mmio_kernel,
		[ENTRY_PIO_USER] = vmx_g_pio_user,     [ENTRY_MMIO_USER] = vmx_g_mmio_user,
		[ENTRY_HYPERCALL] = vmx_g_hypercall,   [ENTRY_IRQ_GUEST] = vmx_g_irq_guest,
		[ENTRY_IRQ_HOST] = vmx_g_irq_host,     [ENTRY_HANDLER_FLAG] = vmx_g_handler_flag,
		[ENTRY_HANDLER_ACK] = vmx_g_handler_ack,   [ENTRY_FAULT_STUBS] = vmx_g_fault_stubs,
	};
	return (uint16_t)(at[entry] - vmx_g_start);
}
