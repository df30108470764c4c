/*
 * reference-workload.c - a fixed piece of CPU-bound work whose time says how
 * fast the CPU it runs on is, right now.
 *
 * Calibration datasets taken on an emulated CPU (QEMU TCG) run 1.7-2x
 * slower or faster from one machine to another and with the host's load,
 * with the same shape.  measure-softroce runs this program before the first
 * perftest test and after each one; the fit divides every measured time by
 * the reference time around it, so that datasets taken at different
 * emulation speeds describe the same costs.
 *
 * The work is what SoftRoCE's own work is made of, in fixed amounts:
 *   syscall  system calls that do nothing (getppid): entering and leaving
 *            the kernel, the per-message part of a software transport;
 *   copy     memcpy between two buffers: rxe copies every payload byte;
 *   crc      a table-driven CRC-32 over a buffer: rxe computes the ICRC of
 *            every packet (crc32_le in the kernel, in software under TCG).
 * Each part runs REPEATS times; its time is the median of those, so that one
 * preemption does not move the result.  The work runs on every CPU at once
 * (a thread pinned to each), because the tests keep every CPU busy (both
 * perftest sides poll): an emulator sharing its host with other work slows
 * each vCPU by how many of them compete, and a workload on one vCPU alone
 * would see less of that than the tests do.  A part's time is the mean of
 * the threads' medians.  The output is "key: value" lines
 * (YAML), in nanoseconds, and a checksum so that no work can be optimised
 * away.  The amounts are part of the definition: WORKLOAD_VERSION changes
 * whenever they do, and datasets of different versions are not compared.
 *
 * Usage: reference-workload [--fraction F] [--repeats N] [--threads N]
 *   --fraction F  do F (0 < F <= 1) of each part's work (tests use a small
 *                 fraction; datasets always the whole);
 *   --repeats N   runs of each part (default 5, odd);
 *   --threads N   threads, one pinned to each of the first N CPUs it may
 *                 use (default: all of them).
 * Exit 0; 2 on a bad command line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
	WORKLOAD_VERSION = 1,
	SYSCALLS = 100000,
	COPY_BUFFER_BYTES = 256 * 1024,
	COPIES = 1024,             /* 256 MiB copied */
	CRC_BUFFER_BYTES = 64 * 1024,
	CRC_PASSES = 64,           /* 4 MiB checksummed */
	REPEATS_DEFAULT = 5,
	REPEATS_MAX = 99,
	THREADS_MAX = 256,
};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t part_syscall(unsigned count, uint64_t *sum)
{
	uint64_t start = now_ns();
	for (unsigned i = 0; i < count; i++)
		*sum += (uint64_t)syscall(SYS_getppid);
	return now_ns() - start;
}

static uint64_t part_copy(unsigned count, unsigned char *a, unsigned char *b, uint64_t *sum)
{
	uint64_t start = now_ns();
	for (unsigned i = 0; i < count; i++) {
		a[i % COPY_BUFFER_BYTES] ^= (unsigned char)i;   /* each copy differs */
		memcpy(b, a, COPY_BUFFER_BYTES);
		unsigned char *t = a;
		a = b;
		b = t;
	}
	uint64_t elapsed = now_ns() - start;
	*sum += a[count % COPY_BUFFER_BYTES];
	return elapsed;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;   /* CRC-32 (IEEE 802.3), reflected */
		crc_table[n] = c;
	}
}

static uint64_t part_crc(unsigned passes, const unsigned char *buffer, uint64_t *sum)
{
	uint64_t start = now_ns();
	uint32_t crc = 0xFFFFFFFFu;
	for (unsigned p = 0; p < passes; p++)
		for (size_t i = 0; i < CRC_BUFFER_BYTES; i++)
			crc = crc_table[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
	uint64_t elapsed = now_ns() - start;
	*sum += crc;
	return elapsed;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *values, unsigned count)
{
	qsort(values, count, sizeof values[0], by_value);
	return values[count / 2];
}

static int usage_error(const char *what, const char *found)
{
	fprintf(stderr, "reference-workload: %s, found '%s'\nUsage: reference-workload [--fraction F] [--repeats N] [--threads N]\n", what,
		found);
	return 2;
}

/* One thread's share: the whole work, on its own CPU, with its own buffers. */
typedef struct worker {
	pthread_t thread;
	int cpu;                   /* -1: not pinned */
	unsigned syscalls, copies, passes, repeats;
	pthread_barrier_t *start;
	uint64_t sum;
	uint64_t t_syscall[REPEATS_MAX], t_copy[REPEATS_MAX], t_crc[REPEATS_MAX];
	int failed;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	if (w->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof set, &set);   /* best effort: the time is what counts */
	}
	unsigned char *a = malloc(COPY_BUFFER_BYTES), *b = malloc(COPY_BUFFER_BYTES);
	pthread_barrier_wait(w->start);
	if (!a || !b) {
		w->failed = 1;
		free(a);
		free(b);
		return NULL;
	}
	for (size_t i = 0; i < COPY_BUFFER_BYTES; i++)
		a[i] = b[i] = (unsigned char)(i * 131u + 7u);
	for (unsigned r = 0; r < w->repeats; r++) {
		w->t_syscall[r] = part_syscall(w->syscalls, &w->sum);
		w->t_copy[r] = part_copy(w->copies, a, b, &w->sum);
		w->t_crc[r] = part_crc(w->passes, a, &w->sum);
	}
	free(a);
	free(b);
	return NULL;
}

/* The CPUs this process may run on, up to MAX of them, into CPUS. */
static int usable_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

int main(int argc, char **argv)
{
	double fraction = 1;
	long repeats = REPEATS_DEFAULT, threads = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "--fraction") == 0 && i + 1 < argc) {
			errno = 0;
			fraction = strtod(argv[++i], &end);
			if (errno || *end || !(fraction > 0 && fraction <= 1))
				return usage_error("--fraction expects a number in (0, 1]", argv[i]);
		} else if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) {
			errno = 0;
			repeats = strtol(argv[++i], &end, 10);
			if (errno || *end || repeats < 1 || repeats > REPEATS_MAX || repeats % 2 == 0)
				return usage_error("--repeats expects an odd number from 1 to 99", argv[i]);
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
			errno = 0;
			threads = strtol(argv[++i], &end, 10);
			if (errno || *end || threads < 1 || threads > THREADS_MAX)
				return usage_error("--threads expects a number from 1 to 256", argv[i]);
		} else {
			return usage_error("unknown argument or missing value", argv[i]);
		}
	}
	static int cpus[THREADS_MAX];
	int usable = usable_cpus(cpus, THREADS_MAX);
	if (threads == 0)
		threads = usable > 0 ? usable : 1;
	static worker workers[THREADS_MAX];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	crc_init();
	for (long t = 0; t < threads; t++) {
		workers[t] = (worker){.cpu = t < usable ? cpus[t] : -1,
				      .syscalls = (unsigned)(SYSCALLS * fraction) + 1,
				      .copies = (unsigned)(COPIES * fraction) + 1,
				      .passes = (unsigned)(CRC_PASSES * fraction) + 1,
				      .repeats = (unsigned)repeats,
				      .start = &start};
		if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
			fprintf(stderr, "reference-workload: cannot start thread %ld of %ld\n", t + 1, threads);
			return 1;   /* the others wait at the barrier: exit ends them */
		}
	}
	uint64_t sum = 0;
	double s = 0, c = 0, k = 0;
	for (long t = 0; t < threads; t++) {
		worker *w = &workers[t];
		pthread_join(w->thread, NULL);
		if (w->failed) {
			fprintf(stderr, "reference-workload: out of memory\n");
			return 1;
		}
		sum += w->sum;
		s += (double)median(w->t_syscall, (unsigned)repeats) / (double)threads;
		c += (double)median(w->t_copy, (unsigned)repeats) / (double)threads;
		k += (double)median(w->t_crc, (unsigned)repeats) / (double)threads;
	}
	pthread_barrier_destroy(&start);
	printf("reference_workload_version: %d\n", WORKLOAD_VERSION);
	printf("fraction: %g\n", fraction);
	printf("repeats: %ld\n", repeats);
	printf("threads: %ld\n", threads);
	printf("pinned: %s\n", usable >= threads ? "true" : "false");
	printf("syscall_ns: %.0f\n", s);
	printf("copy_ns: %.0f\n", c);
	printf("crc_ns: %.0f\n", k);
	printf("total_ns: %.0f\n", s + c + k);
	printf("checksum: \"%016llx\"\n", (unsigned long long)sum);
	return 0;
}
