/*
 * measure-vmexits.c - time VM exits on this host's KVM with a few bytes of
 * real-mode guest code (calibration/vmexits/guest.h), and write a dataset
 * that `vrdmasim calibrate DATASET --model virt` fits.
 *
 *   measure-vmexits --out DIR [--samples N] [--cpu K] [--host-cpu L] [--warmup W]
 *   measure-vmexits --probe
 *
 * The round trips (calibration/README.md says what each includes):
 *   hypercall    VMCALL with an unknown number, answered in the kernel  guest TSC
 *   pio_kernel   OUT to a port matched by an ioeventfd                  guest TSC
 *   mmio_kernel  a store to an address matched by an ioeventfd          guest TSC
 *   pio_user     OUT handed to this program (KVM_EXIT_IO), re-entered   guest TSC
 *   mmio_user    a store handed to this program (KVM_EXIT_MMIO)         guest TSC
 *   irq_guest    a doorbell whose eventfd is an irqfd, until the guest's
 *                handler runs                                          guest TSC
 *   irq_host     this program writes the irqfd; the guest's handler
 *                rings a doorbell; this program's read returns          host clock
 * The vCPU's thread is pinned to --cpu, irq_host's host thread to
 * --host-cpu.  DIR.tmp is written, then renamed to DIR; a non-empty DIR is
 * refused.  Exit status: 0 done, 1 KVM or the measurement failed, 2 a bad
 * command line.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <poll.h>

#include "calibration/vmexit_data.h"
#include "calibration/vmexits/host_info.h"
#include "calibration/vmexits/kvm_stats.h"
#include "calibration/vmexits/stats.h"
#include "calibration/vmexits/vm.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum { SAMPLES_DEFAULT = 10000, WARMUP_DEFAULT = 200, SAMPLES_MAX = 10000000 };
static const double WATCHDOG_S = 0.5;          /* how often a stuck KVM_RUN is checked */
static const double BATCH_TIMEOUT_S = 20.0;    /* a batch slower than this has hung */
static const double PROBE_TIMEOUT_S = 3.0;     /* a test's first round trip slower than this: the test cannot run here */
static const double TSC_CALIBRATION_S = 0.2;

typedef enum clock_kind { CLOCK_GUEST_TSC, CLOCK_HOST } clock_kind;

typedef struct vmx_test {
	const char *name;
	vmx_entry entry;
	vmx_entry handler;     /* ENTRY_COUNT: none */
	clock_kind clock;
	const char *what;      /* what the round trip includes */
} vmx_test;

static const vmx_test TESTS[] = {
	{"hypercall", ENTRY_HYPERCALL, ENTRY_COUNT, CLOCK_GUEST_TSC,
	 "VMCALL with an unknown number: exit, KVM's hypercall handler answers -KVM_ENOSYS, entry"},
	{"pio_kernel", ENTRY_PIO_KERNEL, ENTRY_COUNT, CLOCK_GUEST_TSC,
	 "OUT to a port matched by a KVM ioeventfd: exit, in-kernel PIO bus signals the eventfd (no waiter), entry"},
	{"mmio_kernel", ENTRY_MMIO_KERNEL, ENTRY_COUNT, CLOCK_GUEST_TSC,
	 "store to an MMIO address matched by a KVM ioeventfd of any length (fast MMIO bus, virtio's doorbell): exit, eventfd signalled (no waiter), entry"},
	{"pio_user", ENTRY_PIO_USER, ENTRY_COUNT, CLOCK_GUEST_TSC,
	 "OUT to a port no ioeventfd matches: exit, KVM_RUN returns KVM_EXIT_IO to this program, KVM_RUN again, entry"},
	{"mmio_user", ENTRY_MMIO_USER, ENTRY_COUNT, CLOCK_GUEST_TSC,
	 "store to unbacked memory: exit, KVM decodes it, KVM_RUN returns KVM_EXIT_MMIO to this program, KVM_RUN again, entry"},
	{"irq_guest", ENTRY_IRQ_GUEST, ENTRY_HANDLER_FLAG, CLOCK_GUEST_TSC,
	 "store to an ioeventfd whose eventfd is an irqfd (GSI 5, PIC, auto-EOI): exit, eventfd signalled, irqfd's work item injects, entry with the interrupt, the guest's handler sets a flag and returns"},
	{"irq_host", ENTRY_IRQ_HOST, ENTRY_HANDLER_ACK, CLOCK_HOST,
	 "this program writes the irqfd's eventfd (GSI 5, PIC, auto-EOI): irqfd's work item injects, the running vCPU is kicked out and re-entered with the interrupt, the guest's handler stores to an ioeventfd's address (an exit), this program's blocking read of that eventfd returns"},
};
enum { TEST_COUNT = sizeof TESTS / sizeof TESTS[0] };

typedef struct options {
	const char *out;
	long samples, warmup;
	int cpu, host_cpu;
	int probe;
	unsigned tests;        /* bit per TESTS[] row to run */
} options;

typedef struct results {
	char unavailable[TEST_COUNT][512];   /* why a test could not run here; "" if it ran */
	double *ns[TEST_COUNT];         /* round trips, ns */
	uint32_t *cycles[TEST_COUNT];   /* guest TSC cycles; NULL for host-clock tests */
	size_t count[TEST_COUNT];
	vmx_stats stats;                /* the vCPU's counters */
	vmx_stats_snapshot before[TEST_COUNT], after[TEST_COUNT];   /* around the kept round trips */
} results;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: measure-vmexits --out DIR [--samples N] [--cpu K] [--host-cpu L] [--warmup W]\n"
		"       measure-vmexits --probe\n"
		"Time VM exits on this host's KVM (/dev/kvm) with a tiny real-mode guest and\n"
		"write a dataset for 'vrdmasim calibrate DIR --model virt'.\n"
		"  --out DIR       the dataset folder (written as DIR.tmp, then renamed;\n"
		"                  refused if DIR exists and is not empty)\n"
		"  --samples N     round trips kept per test (default %d)\n"
		"  --warmup W      round trips run first and dropped, per test (default %d)\n"
		"  --cpu K         pin the vCPU's thread to CPU K (default: the last CPU)\n"
		"  --tests LIST    run only these tests (comma-separated names; default all:\n"
		"                  hypercall,pio_kernel,mmio_kernel,pio_user,mmio_user,\n"
		"                  irq_guest,irq_host)\n"
		"  --host-cpu L    pin irq_host's host thread to CPU L (default: another CPU\n"
		"                  than K when there is one)\n"
		"  --probe         create a VM, run one exit; print 'usable' and exit 0, or\n"
		"                  the reason and exit 1\n"
		"Exit status: 0 done, 1 KVM or the measurement failed, 2 a bad command line.\n",
		SAMPLES_DEFAULT, WARMUP_DEFAULT);
}

static int bad_usage(const char *fmt, const char *value)
{
	fprintf(stderr, "measure-vmexits: ");
	fprintf(stderr, fmt, value);
	fprintf(stderr, "\n(measure-vmexits --help shows the options)\n");
	return EXIT_USAGE;
}

/* VALUE as a whole number in [LO, HI] into *OUT; 0 or -1. */
static int whole(const char *value, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* LIST ("hypercall,irq_host") into *TESTS, a bit per TESTS[] row. */
static int parse_tests(const char *list, unsigned *tests)
{
	*tests = 0;
	for (const char *item = list;; item++) {
		size_t len = strcspn(item, ",");
		size_t i = 0;
		while (i < TEST_COUNT && !(strlen(TESTS[i].name) == len && strncmp(TESTS[i].name, item, len) == 0))
			i++;
		if (i == TEST_COUNT)
			return -1;
		*tests |= 1u << i;
		item += len;
		if (*item == '\0')
			return 0;
	}
}

static int parse_options(int argc, char **argv, options *o)
{
	static const struct option longs[] = {
		{"out", required_argument, NULL, 'o'},     {"samples", required_argument, NULL, 'n'},
		{"warmup", required_argument, NULL, 'w'},  {"cpu", required_argument, NULL, 'c'},
		{"host-cpu", required_argument, NULL, 'H'}, {"probe", no_argument, NULL, 'p'},
		{"tests", required_argument, NULL, 't'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), v;
	*o = (options){NULL, SAMPLES_DEFAULT, WARMUP_DEFAULT, -1, -1, 0, (1u << TEST_COUNT) - 1};
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'o': o->out = optarg; break;
		case 'n':
			if (whole(optarg, 1, SAMPLES_MAX, &o->samples))
				return bad_usage("--samples '%s': expected a whole number from 1 to 10000000", optarg);
			break;
		case 'w':
			if (whole(optarg, 0, SAMPLES_MAX, &o->warmup))
				return bad_usage("--warmup '%s': expected a whole number from 0 to 10000000", optarg);
			break;
		case 'c':
		case 'H':
			if (whole(optarg, 0, ncpu - 1, &v))
				return bad_usage(ch == 'c' ? "--cpu '%s': expected an online CPU number (0 to the CPU count - 1)"
							   : "--host-cpu '%s': expected an online CPU number (0 to the CPU count - 1)", optarg);
			*(ch == 'c' ? &o->cpu : &o->host_cpu) = (int)v;
			break;
		case 'p': o->probe = 1; break;
		case 't':
			if (parse_tests(optarg, &o->tests) != 0)
				return bad_usage("--tests '%s': expected test names separated by commas (see --help)", optarg);
			break;
		case 'h': usage(stdout); exit(0);
		default:
			return bad_usage("'%s': unknown option or missing value", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("'%s': unexpected operand (the dataset folder is --out DIR)", argv[optind]);
	if (!o->probe && !o->out)
		return bad_usage("%sexpected --out DIR (or --probe)", "");
	if (o->probe && o->out)
		return bad_usage("%s--probe writes nothing: expected --probe or --out DIR, not both", "");
	if (o->cpu < 0)
		o->cpu = (int)(ncpu - 1);
	if (o->host_cpu < 0)
		o->host_cpu = ncpu > 1 ? (o->cpu + 1) % (int)ncpu : o->cpu;
	return 0;
}

static int pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int run_batch(vmx_vm *vm, vmx_entry entry, unsigned count)
{
	vm->deadline_s = now_s() + BATCH_TIMEOUT_S;
	return vmx_vm_run_batch(vm, entry, count);
}

/* A guest-timed test: WARMUP round trips dropped, then SAMPLES kept. */
static int measure_guest(vmx_vm *vm, const vmx_test *t, const options *o, double khz, results *r, size_t i)
{
	if (t->handler != ENTRY_COUNT)
		vmx_vm_set_handler(vm, t->handler);
	vm->deadline_s = now_s() + PROBE_TIMEOUT_S;
	if (vmx_vm_run_batch(vm, t->entry, 1) != 0)
		return 1;   /* the first round trip failed: the test cannot run on this host */
	for (long left = o->warmup; left > 0; left -= GUEST_BATCH_MAX)
		if (run_batch(vm, t->entry, (unsigned)(left < GUEST_BATCH_MAX ? left : GUEST_BATCH_MAX)) != 0)
			return -1;
	r->count[i] = 0;
	vmx_stats_read(&r->stats, &r->before[i]);
	while (r->count[i] < (size_t)o->samples) {
		size_t left = (size_t)o->samples - r->count[i];
		unsigned batch = (unsigned)(left < GUEST_BATCH_MAX ? left : GUEST_BATCH_MAX);
		if (run_batch(vm, t->entry, batch) != 0)
			return -1;
		const uint32_t *cycles = vmx_vm_samples(vm);
		for (unsigned k = 0; k < batch; k++, r->count[i]++) {
			r->cycles[i][r->count[i]] = cycles[k];
			r->ns[i][r->count[i]] = (double)cycles[k] * 1e6 / khz;
		}
	}
	vmx_stats_read(&r->stats, &r->after[i]);
	return 0;
}

typedef struct vcpu_thread {
	vmx_vm *vm;
	int cpu;
	int rc;
} vcpu_thread;

static void *run_vcpu(void *arg)
{
	vcpu_thread *v = arg;
	sigset_t alarm;
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alarm, NULL);   /* the watchdog's signal comes here */
	pin_to(v->cpu);
	v->vm->deadline_s = 0;   /* the host thread stops it; a hang shows there */
	v->rc = vmx_vm_run_batch(v->vm, ENTRY_IRQ_HOST, 1);
	return NULL;
}

/* One irq_host round trip: write the irqfd, wait for the guest's doorbell. */
static int irq_round_trip(vmx_vm *vm, double timeout_s, double *ns)
{
	uint64_t one = 1, got;
	struct pollfd wait = {.fd = vm->ack_efd, .events = POLLIN};
	double t0 = now_s();
	if (write(vm->irq_efd, &one, sizeof one) != (ssize_t)sizeof one)
		return -1;
	if (poll(&wait, 1, (int)(timeout_s * 1e3)) != 1 || read(vm->ack_efd, &got, sizeof got) != (ssize_t)sizeof got)
		return -1;
	*ns = (now_s() - t0) * 1e9;
	return 0;
}

/* irq_host: the vCPU runs in its own thread; this one, pinned to
 * --host-cpu, raises the interrupts and times them. */
static int measure_host(vmx_vm *vm, const vmx_test *t, const options *o, results *r, size_t i)
{
	vmx_vm_set_handler(vm, t->handler);
	*vmx_vm_byte(vm, GUEST_STOP_GPA) = 0;
	*vmx_vm_byte(vm, GUEST_READY_GPA) = 0;
	sigset_t alarm, old;
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm, &old);
	vcpu_thread v = {vm, o->cpu, 0};
	pthread_t thread;
	if (pthread_create(&thread, NULL, run_vcpu, &v) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		snprintf(vm->error, sizeof vm->error, "cannot start the vCPU thread: %s", strerror(errno));
		return -1;
	}
	pin_to(o->host_cpu);
	int rc = 0;
	double until = now_s() + BATCH_TIMEOUT_S;
	while (!*vmx_vm_byte(vm, GUEST_READY_GPA) && (rc = now_s() > until ? -1 : 0) == 0)
		sched_yield();
	uint64_t drain;
	while (read(vm->ack_efd, &drain, sizeof drain) > 0)
		continue;
	r->count[i] = 0;
	for (long k = 0; rc == 0 && k < o->warmup + o->samples; k++) {
		double ns;
		if (k == o->warmup)
			vmx_stats_read(&r->stats, &r->before[i]);
		rc = irq_round_trip(vm, k ? BATCH_TIMEOUT_S : PROBE_TIMEOUT_S, &ns);
		if (rc == 0 && k >= o->warmup)
			r->ns[i][r->count[i]++] = ns;
	}
	vmx_stats_read(&r->stats, &r->after[i]);
	*vmx_vm_byte(vm, GUEST_STOP_GPA) = 1;
	pthread_join(thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pin_to(o->cpu);
	if (rc != 0) {
		snprintf(vm->error, sizeof vm->error, "the guest's doorbell did not come within %.0f s of the irqfd write",
			 r->count[i] ? BATCH_TIMEOUT_S : PROBE_TIMEOUT_S);
		return r->count[i] ? -1 : 1;
	}
	return v.rc;
}

static int allocate(results *r, const options *o)
{
	memset(r, 0, sizeof *r);
	r->stats.fd = -1;
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!(o->tests & (1u << i)))
			continue;   /* not asked for: no buffers (measure_all and the writers skip it) */
		r->ns[i] = calloc((size_t)o->samples, sizeof *r->ns[i]);
		r->cycles[i] = TESTS[i].clock == CLOCK_GUEST_TSC ? calloc((size_t)o->samples, sizeof *r->cycles[i]) : NULL;
		if (!r->ns[i] || (TESTS[i].clock == CLOCK_GUEST_TSC && !r->cycles[i]))
			return -1;
	}
	return 0;
}

static void release(results *r)
{
	for (size_t i = 0; i < TEST_COUNT; i++) {
		free(r->ns[i]);
		free(r->cycles[i]);
	}
}

/* Create a VM and run one in-kernel and one user-space exit. */
static int probe(void)
{
	vmx_vm vm;
	if (vmx_vm_open(&vm) != 0) {
		printf("not usable: %s\n", vm.error);
		return EXIT_FAILED;
	}
	vmx_stats stats;
	vmx_stats_snapshot before, after;
	vmx_stats_open(&stats, vm.vcpu_fd);
	vmx_stats_read(&stats, &before);
	vmx_vm_watchdog(WATCHDOG_S);
	int rc = run_batch(&vm, ENTRY_PIO_KERNEL, 1);
	vmx_vm_watchdog(0);
	vmx_stats_read(&stats, &after);
	if (rc != 0) {
		printf("not usable: %s\n", vm.error);
	} else {
		printf("usable: KVM API %d (%s), a VM ran an in-kernel exit and a user-space exit", vm.api_version, vmx_kvm_vendor_module());
		/* the guest's first instructions: emulated, or run on the CPU? */
		for (size_t i = 0; i < stats.count; i++)
			if (strcmp(stats.name[i], "insn_emulation") == 0 && after.value[i] - before.value[i] > 4)
				printf("; KVM emulated its %llu instructions (the guest's code did not run on the CPU)",
				       (unsigned long long)(after.value[i] - before.value[i]));
		printf("\n");
	}
	vmx_stats_close(&stats);
	vmx_vm_close(&vm);
	return rc ? EXIT_FAILED : 0;
}

/* ---- the dataset ------------------------------------------------------ */

/* Whether PATH is absent, or an empty directory. */
static int absent_or_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static FILE *create_in(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "measure-vmexits: cannot create %s: %s\n", path, strerror(errno));
	return f;
}

static int close_checked(FILE *f, const char *what)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "measure-vmexits: cannot write %s\n", what);
		return -1;
	}
	return 0;
}

/* samples/<test>.csv: the units are in the header. */
static int write_samples(const char *dir, const results *r)
{
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!r->count[i])
			continue;   /* not run (--tests) */
		char name[128];
		snprintf(name, sizeof name, "samples/%s.csv", TESTS[i].name);
		FILE *f = create_in(dir, name);
		if (!f)
			return -1;
		fprintf(f, "%s\n", TESTS[i].clock == CLOCK_GUEST_TSC ? CAL_VX_HEADER_GUEST : CAL_VX_HEADER_HOST);
		for (size_t k = 0; k < r->count[i]; k++) {
			if (r->cycles[i])
				fprintf(f, "%u,", (unsigned)r->cycles[i][k]);
			fprintf(f, "%.1f\n", r->ns[i][k]);
		}
		if (close_checked(f, name) != 0)
			return -1;
	}
	return 0;
}

static int write_summary(const char *dir, const results *r)
{
	FILE *f = create_in(dir, "summary.csv");
	if (!f)
		return -1;
	fprintf(f, "test,clock,n,median_ns,mean_ns,p99_ns,p999_ns,min_ns,max_ns,stdev_ns\n");
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!r->count[i])
			continue;
		vmx_summary s;
		vmx_summarise(r->ns[i], r->count[i], &s);
		fprintf(f, "%s,%s,%zu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", TESTS[i].name,
			TESTS[i].clock == CLOCK_GUEST_TSC ? "guest_tsc" : "host_monotonic", s.n, s.median, s.mean, s.p99, s.p999,
			s.min, s.max, s.stdev);
	}
	return close_checked(f, "summary.csv");
}

typedef struct run_facts {
	vmx_host_info host;
	double load_before[3], load_after[3];
	long kvm_tsc_khz;
	double host_tsc_khz, used_khz;
	int api_version;
	char date[32];
	char command[2048];
} run_facts;

static void write_load(FILE *f, const char *key, const double load[3])
{
	fprintf(f, "%s: [%.2f, %.2f, %.2f]\n", key, load[0], load[1], load[2]);
}

static void write_host(FILE *f, const run_facts *m)
{
	fprintf(f, "cpu_model: ");
	vr_yaml_quoted(f, m->host.cpu_model);
	fprintf(f, "\nkernel: ");
	vr_yaml_quoted(f, m->host.kernel);
	fprintf(f, "\nkvm_api_version: %d\n", m->api_version);
	fprintf(f, "nested: %s\n", m->host.hypervisor_flag ? "true" : "false");
	fprintf(f, "nested_evidence:\n");
	fprintf(f, "  cpuinfo_hypervisor_flag: %s   # the CPU says this kernel runs in a VM: its KVM is nested\n",
		m->host.hypervisor_flag ? "true" : "false");
	fprintf(f, "  cpuinfo_vmx_or_svm_flag: %s\n", m->host.vmx_or_svm_flag ? "true" : "false");
	fprintf(f, "  dmi_sys_vendor: ");
	vr_yaml_quoted(f, m->host.dmi_vendor);
	fprintf(f, "\n  dmi_product_name: ");
	vr_yaml_quoted(f, m->host.dmi_product);
	fprintf(f, "\nkvm_vendor_module: %s\n", vmx_kvm_vendor_module());
	fprintf(f, "kvm_module_parameters:\n");
	vmx_write_kvm_params(f, 2);
}

static int any_unavailable(const results *r)
{
	for (size_t i = 0; i < TEST_COUNT; i++)
		if (r->unavailable[i][0])
			return 1;
	return 0;
}

static void write_tests(FILE *f, const results *r)
{
	fprintf(f, "tests:\n");
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!r->count[i])
			continue;
		fprintf(f, "  - {name: %s, clock: %s, file: samples/%s.csv, includes: ", TESTS[i].name,
			TESTS[i].clock == CLOCK_GUEST_TSC ? "guest_tsc" : "host_monotonic", TESTS[i].name);
		vr_yaml_quoted(f, TESTS[i].what);
		fprintf(f, ",\n      kvm_vcpu_stats_per_round_trip: ");
		vmx_stats_write(f, &r->stats, &r->before[i], &r->after[i], (double)r->count[i]);
		fprintf(f, "}\n");
	}
	fprintf(f, "tests_unavailable:%s\n", any_unavailable(r) ? "" : " []");
	for (size_t i = 0; i < TEST_COUNT; i++)
		if (r->unavailable[i][0]) {
			fprintf(f, "  - {name: %s, reason: ", TESTS[i].name);
			vr_yaml_quoted(f, r->unavailable[i]);
			fprintf(f, "}\n");
		}
}

static int write_metadata(const char *dir, const options *o, const run_facts *m, const results *r)
{
	FILE *f = create_in(dir, "metadata.yaml");
	if (!f)
		return -1;
	size_t code_bytes;
	vmx_guest_code(&code_bytes);
	fprintf(f, "# VM-exit round trips measured on KVM by calibration/measure-vmexits (calibration/README.md).\n");
	fprintf(f, "format: %s\n", CAL_VX_FORMAT);
	fprintf(f, "date: %s\ncommand: ", m->date);
	vr_yaml_quoted(f, m->command);
	fprintf(f, "\n");
	write_host(f, m);
	fprintf(f, "guest: {mode: real-16bit, code_bytes: %zu, memory_bytes: %d, interrupt: \"8259 PIC (in-kernel irqchip), IRQ %d, vector 0x%x, auto-EOI; irqfd on GSI %d\"}\n",
		code_bytes, GUEST_MEM_BYTES, GUEST_IRQ, GUEST_IRQ_VECTOR, GUEST_IRQ);
	fprintf(f, "tsc:\n  kvm_get_tsc_khz: %ld\n  host_calibrated_khz: %.0f   # host RDTSC against CLOCK_MONOTONIC_RAW over %.1f s\n",
		m->kvm_tsc_khz, m->host_tsc_khz, TSC_CALIBRATION_S);
	fprintf(f, "  used_khz: %.0f\n  used_from: %s\n", m->used_khz, m->kvm_tsc_khz > 0 ? "KVM_GET_TSC_KHZ" : "host calibration");
	fprintf(f, "placement: {vcpu_thread_cpu: %d, host_thread_cpu: %d, cpus_online: %d}   # host_thread: irq_host's writer and reader\n",
		o->cpu, o->host_cpu, m->host.cpus_online);
	write_load(f, "load_average_before", m->load_before);
	write_load(f, "load_average_after", m->load_after);
	fprintf(f, "samples_per_test: %ld\nwarmup_per_test: %ld\n", o->samples, o->warmup);
	fprintf(f, "kvm_vcpu_stats: %s   # tests[].kvm_vcpu_stats_per_round_trip: the vCPU's counters over the kept round trips\n",
		r->stats.count ? "KVM_GET_STATS_FD" : "\"none: KVM_GET_STATS_FD failed (Linux before 5.14?)\"");
	fprintf(f, "watchdog_signal_s: %.1f   # a SIGALRM this often interrupts KVM_RUN (one user-space exit per period)\n", WATCHDOG_S);
	write_tests(f, r);
	return close_checked(f, "metadata.yaml");
}

static int write_dataset(const options *o, const results *r, const run_facts *m)
{
	char tmp[4096], samples[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", o->out);
	snprintf(samples, sizeof samples, "%s/samples", tmp);
	if (mkdir(tmp, 0777) != 0 || mkdir(samples, 0777) != 0) {
		fprintf(stderr, "measure-vmexits: cannot create %s: %s\n", samples, strerror(errno));
		return -1;
	}
	if (write_samples(tmp, r) || write_summary(tmp, r) || write_metadata(tmp, o, m, r))
		return -1;
	if (rename(tmp, o->out) != 0) {
		fprintf(stderr, "measure-vmexits: cannot rename %s to %s: %s\n", tmp, o->out, strerror(errno));
		return -1;
	}
	return 0;
}

static void describe_run(int argc, char **argv, run_facts *m)
{
	memset(m, 0, sizeof *m);
	vmx_host_info_read(&m->host);
	time_t now = time(NULL);
	strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (int i = 0; i < argc; i++)
		snprintf(m->command + strlen(m->command), sizeof m->command - strlen(m->command), "%s%s", i ? " " : "", argv[i]);
}

static void print_summary(const results *r)
{
	printf("%-12s %8s %10s %10s %10s\n", "round trip", "n", "median_us", "mean_us", "p99_us");
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!r->count[i])
			continue;
		vmx_summary s;
		vmx_summarise(r->ns[i], r->count[i], &s);
		printf("%-12s %8zu %10.3f %10.3f %10.3f\n", TESTS[i].name, s.n, s.median / 1e3, s.mean / 1e3, s.p99 / 1e3);
	}
}

static int measure_all(vmx_vm *vm, const options *o, run_facts *m, results *r)
{
	m->kvm_tsc_khz = vmx_vm_tsc_khz(vm);
	m->host_tsc_khz = vmx_host_tsc_khz(TSC_CALIBRATION_S);
	m->used_khz = m->kvm_tsc_khz > 0 ? (double)m->kvm_tsc_khz : m->host_tsc_khz;
	m->api_version = vm->api_version;
	if (!(m->used_khz > 0)) {
		snprintf(vm->error, sizeof vm->error, "no TSC frequency: KVM_GET_TSC_KHZ failed and the host calibration gave none");
		return -1;
	}
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!(o->tests & (1u << i)))
			continue;
		fprintf(stderr, "measure-vmexits: %s (%ld round trips)\n", TESTS[i].name, o->samples);
		int rc = TESTS[i].clock == CLOCK_GUEST_TSC ? measure_guest(vm, &TESTS[i], o, m->used_khz, r, i)
							  : measure_host(vm, &TESTS[i], o, r, i);
		if (rc > 0) {
			/* its first round trip failed: the others may still run */
			snprintf(r->unavailable[i], sizeof r->unavailable[i], "%s", vm->error);
			r->count[i] = 0;
			fprintf(stderr, "measure-vmexits: %s cannot run on this host: %s\n", TESTS[i].name, vm->error);
		} else if (rc < 0) {
			return -1;
		}
	}
	return 0;
}

static int measure(const options *o, int argc, char **argv)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", o->out);
	if (!absent_or_empty(o->out))
		return bad_usage("--out '%s': the folder exists and is not empty; expected a new or empty folder", o->out);
	if (!absent_or_empty(tmp))
		return bad_usage("'%s' is left from an earlier run: remove it first", tmp);
	rmdir(tmp);
	run_facts m;
	describe_run(argc, argv, &m);
	if (pin_to(o->cpu) != 0) {
		fprintf(stderr, "measure-vmexits: cannot pin to CPU %d\n", o->cpu);
		return EXIT_FAILED;
	}
	vmx_vm vm;
	results r;
	if (vmx_vm_open(&vm) != 0) {
		fprintf(stderr, "measure-vmexits: %s\n", vm.error);
		return EXIT_FAILED;
	}
	if (allocate(&r, o) != 0) {
		fprintf(stderr, "measure-vmexits: out of memory for %ld samples per test\n", o->samples);
		release(&r);
		vmx_vm_close(&vm);
		return EXIT_FAILED;
	}
	vmx_stats_open(&r.stats, vm.vcpu_fd);
	vmx_load_average(m.load_before);
	vmx_vm_watchdog(WATCHDOG_S);
	int rc = measure_all(&vm, o, &m, &r);
	vmx_vm_watchdog(0);
	vmx_load_average(m.load_after);
	if (rc != 0)
		fprintf(stderr, "measure-vmexits: %s\n", vm.error);
	vmx_stats_close(&r.stats);
	vmx_vm_close(&vm);
	if (rc == 0 && (rc = write_dataset(o, &r, &m)) == 0) {
		print_summary(&r);
		printf("placement: vCPU thread on CPU %d, irq_host's host thread on CPU %d; TSC %.0f kHz (%s)\nwrote %s\n", o->cpu,
		       o->host_cpu, m.used_khz, m.kvm_tsc_khz > 0 ? "KVM_GET_TSC_KHZ" : "host calibration", o->out);
	}
	release(&r);
	return rc ? EXIT_FAILED : 0;
}

int main(int argc, char **argv)
{
	options o;
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;
	if (o.probe)
		return probe();
	return measure(&o, argc, argv);
}
