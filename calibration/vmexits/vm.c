/*
 * vm.c - a KVM VM with one real-mode vCPU (vm.h has the contract).
 */
#include "calibration/vmexits/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The API version every KVM since Linux 2.6.22 reports. */
enum { KVM_API_EXPECTED = 12 };

static int fail(vmx_vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->error, sizeof vm->error, fmt, ap);
	va_end(ap);
	return -1;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int open_kvm(vmx_vm *vm)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return fail(vm, "no /dev/kvm: this kernel has no KVM (or this container does not expose it); load kvm_intel or kvm_amd");
		if (e == EACCES || e == EPERM)
			return fail(vm, "cannot open /dev/kvm: %s (run as root or as a member of the group that owns it, usually kvm)", strerror(e));
		return fail(vm, "cannot open /dev/kvm: %s", strerror(e));
	}
	vm->api_version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (vm->api_version != KVM_API_EXPECTED)
		return fail(vm, "KVM_GET_API_VERSION answered %d, expected %d", vm->api_version, KVM_API_EXPECTED);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return fail(vm, "KVM_CREATE_VM failed: %s (the CPU's virtualization extensions are off, or KVM is in use by another hypervisor)",
			    strerror(errno));
	return 0;
}

static int add_memory(vmx_vm *vm)
{
	vm->mem = mmap(NULL, GUEST_MEM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return fail(vm, "cannot map %d bytes of guest memory: %s", GUEST_MEM_BYTES, strerror(errno));
	}
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM_BYTES, .userspace_addr = (uintptr_t)vm->mem};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) != 0)
		return fail(vm, "KVM_SET_USER_MEMORY_REGION failed: %s", strerror(errno));
	size_t bytes;
	const uint8_t *code = vmx_guest_code(&bytes);
	memcpy(vm->mem + GUEST_CODE_GPA, code, bytes);
	return 0;
}

/* An ioeventfd on ADDRESS: PIO of one byte, or MMIO of any length (KVM
 * puts those on its fast MMIO bus, as virtio's notification doorbells). */
static int add_ioeventfd(vmx_vm *vm, int efd, uint64_t address, int pio)
{
	struct kvm_ioeventfd io = {.addr = address, .len = pio ? 1 : 0, .fd = efd, .flags = pio ? KVM_IOEVENTFD_FLAG_PIO : 0};
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) != 0)
		return fail(vm, "KVM_IOEVENTFD on %s 0x%llx failed: %s", pio ? "port" : "MMIO address",
			    (unsigned long long)address, strerror(errno));
	return 0;
}

static int add_eventfds(vmx_vm *vm)
{
	vm->kernel_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->ack_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->kernel_efd < 0 || vm->irq_efd < 0 || vm->ack_efd < 0)
		return fail(vm, "eventfd failed: %s", strerror(errno));
	if (add_ioeventfd(vm, vm->kernel_efd, PORT_KERNEL, 1) || add_ioeventfd(vm, vm->kernel_efd, MMIO_KERNEL_GPA, 0) ||
	    add_ioeventfd(vm, vm->irq_efd, MMIO_IRQ_TRIGGER_GPA, 0) || add_ioeventfd(vm, vm->ack_efd, MMIO_IRQ_ACK_GPA, 0))
		return -1;
	struct kvm_irqfd irqfd = {.fd = (uint32_t)vm->irq_efd, .gsi = GUEST_IRQ};
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) != 0)
		return fail(vm, "KVM_IRQFD on GSI %d failed: %s", GUEST_IRQ, strerror(errno));
	return 0;
}

/* A real-mode segment register with selector SELECTOR. */
static void real_segment(struct kvm_segment *s, uint16_t selector)
{
	s->selector = selector;
	s->base = (uint64_t)selector << 4;
	s->limit = 0xFFFF;
}

static int add_vcpu(vmx_vm *vm)
{
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) != 0)
		return fail(vm, "KVM_CREATE_IRQCHIP failed: %s", strerror(errno));
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return fail(vm, "KVM_CREATE_VCPU failed: %s", strerror(errno));
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return fail(vm, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return fail(vm, "cannot map the vCPU's kvm_run: %s", strerror(errno));
	}
	vm->run_bytes = (size_t)size;
	struct kvm_sregs sregs;
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) != 0)
		return fail(vm, "KVM_GET_SREGS failed: %s", strerror(errno));
	real_segment(&sregs.cs, 0);
	real_segment(&sregs.ds, 0);
	real_segment(&sregs.ss, 0);
	real_segment(&sregs.gs, 0);
	real_segment(&sregs.es, GUEST_SAMPLES_SEG);
	real_segment(&sregs.fs, GUEST_MMIO_SEG);
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) != 0)
		return fail(vm, "KVM_SET_SREGS failed: %s", strerror(errno));
	return 0;
}

/* Real-mode IVT entry VECTOR -> GUEST_CODE_GPA + OFFSET (segment 0). */
static void set_vector(vmx_vm *vm, unsigned vector, unsigned offset)
{
	uint16_t ip = (uint16_t)(GUEST_CODE_GPA + offset);
	uint8_t *slot = vm->mem + 4 * vector;
	slot[0] = (uint8_t)ip;
	slot[1] = (uint8_t)(ip >> 8);
	slot[2] = slot[3] = 0;
}

/* Every exception lands in a stub that reports it, not in address 0. */
static void set_fault_stubs(vmx_vm *vm)
{
	for (unsigned v = 0; v < GUEST_FAULT_VECTORS; v++)
		set_vector(vm, v, vmx_guest_offset(ENTRY_FAULT_STUBS) + v * GUEST_FAULT_STUB_BYTES);
}

int vmx_vm_open(vmx_vm *vm)
{
	memset(vm, 0, sizeof *vm);
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = vm->kernel_efd = vm->irq_efd = vm->ack_efd = -1;
	if (open_kvm(vm) || add_memory(vm) || add_vcpu(vm) || add_eventfds(vm)) {
		char why[sizeof vm->error];
		memcpy(why, vm->error, sizeof why);
		vmx_vm_close(vm);
		memcpy(vm->error, why, sizeof why);
		return -1;
	}
	set_fault_stubs(vm);
	vmx_vm_set_handler(vm, ENTRY_HANDLER_FLAG);
	return 0;
}

void vmx_vm_close(vmx_vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_bytes);
	if (vm->mem)
		munmap(vm->mem, GUEST_MEM_BYTES);
	int *fds[] = {&vm->ack_efd, &vm->irq_efd, &vm->kernel_efd, &vm->vcpu_fd, &vm->vm_fd, &vm->kvm_fd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	memset(vm, 0, sizeof *vm);
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = vm->kernel_efd = vm->irq_efd = vm->ack_efd = -1;
}

void vmx_vm_set_handler(vmx_vm *vm, vmx_entry handler)
{
	set_vector(vm, GUEST_IRQ_VECTOR, vmx_guest_offset(handler));
}

const uint32_t *vmx_vm_samples(const vmx_vm *vm)
{
	return (const uint32_t *)(const void *)(vm->mem + GUEST_SAMPLES_SEG * 16);
}

volatile uint8_t *vmx_vm_byte(vmx_vm *vm, uint32_t gpa)
{
	return vm->mem + gpa;
}

long vmx_vm_tsc_khz(const vmx_vm *vm)
{
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	return khz > 0 ? khz : 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

int vmx_vm_watchdog(double seconds)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;   /* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return -1;
	struct itimerval t;
	memset(&t, 0, sizeof t);
	t.it_value.tv_sec = (time_t)seconds;
	t.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
	t.it_interval = t.it_value;
	return setitimer(ITIMER_REAL, &t, NULL);
}

static int set_entry(vmx_vm *vm, vmx_entry entry, unsigned count)
{
	struct kvm_regs regs;
	memset(&regs, 0, sizeof regs);
	regs.rip = GUEST_CODE_GPA + vmx_guest_offset(entry);
	regs.rflags = 0x2;   /* bit 1 is always set; IF clear */
	regs.rsp = GUEST_STACK_TOP;
	regs.rcx = count;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) != 0)
		return fail(vm, "KVM_SET_REGS failed: %s", strerror(errno));
	return 0;
}

/* One exit back in user space: 1 when the batch is over, 0 to re-enter,
 * -1 on anything unexpected. */
static int handle_exit(vmx_vm *vm)
{
	struct kvm_run *r = vm->run;
	switch (r->exit_reason) {
	case KVM_EXIT_IO: {
		uint8_t value = *((uint8_t *)r + r->io.data_offset);
		if (r->io.direction == KVM_EXIT_IO_OUT && r->io.port == PORT_DONE)
			return 1;
		if (r->io.direction == KVM_EXIT_IO_OUT && r->io.port == PORT_USER)
			return 0;
		if (r->io.port == PORT_FAULT)
			return fail(vm, "the guest took exception %u%s", value,
				    value == 6 ? " (#UD: an instruction this KVM does not run in the guest's mode)" : "");
		if (r->io.port == PORT_ERROR)
			return fail(vm, "the guest reports error %u%s", value,
				    value == GUEST_ERROR_HYPERCALL ? " (VMCALL with an unknown number did not return -KVM_ENOSYS)" : "");
		return fail(vm, "unexpected port I/O exit: port 0x%x, %s", r->io.port, r->io.direction == KVM_EXIT_IO_OUT ? "out" : "in");
	}
	case KVM_EXIT_MMIO:
		if (r->mmio.is_write && r->mmio.phys_addr == MMIO_USER_GPA)
			return 0;
		return fail(vm, "unexpected MMIO exit at 0x%llx", (unsigned long long)r->mmio.phys_addr);
	case KVM_EXIT_FAIL_ENTRY:
		return fail(vm, "KVM_RUN: VM entry failed (hardware reason 0x%llx)",
			    (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return fail(vm, "KVM_RUN: KVM internal error, suberror %u (KVM could not emulate the guest's instruction)", r->internal.suberror);
	case KVM_EXIT_SHUTDOWN:
		return fail(vm, "KVM_RUN: the guest shut down (triple fault)");
	case KVM_EXIT_HLT:
		return fail(vm, "KVM_RUN: the guest halted");
	default:
		return fail(vm, "KVM_RUN: unexpected exit reason %u", r->exit_reason);
	}
}

int vmx_vm_run_batch(vmx_vm *vm, vmx_entry entry, unsigned count)
{
	if (count == 0 || count > GUEST_BATCH_MAX)
		return fail(vm, "a batch of %u round trips, expected 1 to %d", count, GUEST_BATCH_MAX);
	if (set_entry(vm, entry, count) != 0)
		return -1;
	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) != 0) {
			if (errno != EINTR && errno != EAGAIN)
				return fail(vm, "KVM_RUN failed: %s", strerror(errno));
			if (vm->deadline_s > 0 && now_s() > vm->deadline_s) {
				struct kvm_regs regs;
				memset(&regs, 0, sizeof regs);
				ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs);
				const uint8_t *at = vm->mem + (regs.rip & 0xFFFF);
				if (at[0] == 0x0F && at[1] == 0x01 && at[2] == 0xC1)
					return fail(vm, "the guest's VMCALL never completes: the vCPU stays on it (KVM's instruction emulator, when it runs the guest's code instead of the CPU, rewrites a VMCALL for the vendor and executes it again: em_hypercall, arch/x86/kvm/emulate.c)");
				return fail(vm, "the guest did not finish its batch in time (the interrupt never arrived, or the vCPU is starved); it is at IP 0x%llx (entry 0x%x, bytes there %02x %02x %02x), CX %llu",
					    (unsigned long long)regs.rip, GUEST_CODE_GPA + vmx_guest_offset(entry), at[0], at[1], at[2],
					    (unsigned long long)(regs.rcx & 0xFFFF));
			}
			continue;
		}
		int rc = handle_exit(vm);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
	}
}
