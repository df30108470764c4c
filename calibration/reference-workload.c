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
 *            every packet (crc32_le in the kernel, in software under TCG);
 *   udp      UDP round trips over loopback between two threads on two CPUs,
 *            the receiver polling (MSG_DONTWAIT) as perftest polls its CQ:
 *            the kernel's network stack, which rxe's packets go through.
 *
 * Two times per part, because the tests report two kinds of statistic:
 *   *_ns          the elapsed time of the part (the median of REPEATS runs):
 *                 what a throughput (perftest's average bandwidth) sees,
 *                 stalls and all;
 *   *_typical_ns  the median of the part's short chunks (100 system calls,
 *                 one 256 KiB copy, a 4 KiB CRC, one round trip: tens of
 *                 microseconds) times their number: what a median latency
 *                 sees.  When the emulator shares its host with other work,
 *                 the host's scheduler stops it for whole time slices
 *                 (milliseconds): the elapsed times grow with every stop,
 *                 while a short chunk, like a short round trip, is mostly
 *                 not stopped at all.  On a uniformly slower CPU both grow
 *                 alike.
 * The per-CPU parts run on every CPU at once (a thread pinned to each),
 * because the tests keep every CPU busy (both perftest sides poll): an
 * emulator sharing its host with other work slows each vCPU by how many of
 * them compete.  A part's time is the mean over the threads.  The output is
 * "key: value" lines (YAML), in nanoseconds, and a checksum so that no work
 * can be optimised away.  The amounts are part of the definition:
 * WORKLOAD_VERSION changes whenever they do, and datasets of different
 * versions are not compared.
 *
 * Usage: reference-workload [--fraction F] [--repeats N] [--threads N]
 *   --fraction F  do F (0 < F <= 1) of each part's work (tests use a small
 *                 fraction; datasets always the whole);
 *   --repeats N   runs of each part (default 5, odd);
 *   --threads N   threads, one pinned to each of the first N CPUs it may
 *                 use (default: all of them).
 * Exit 0; 1 when the system refuses a resource; 2 on a bad command line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
	WORKLOAD_VERSION = 2,
	SYSCALL_CHUNKS = 1000,
	SYSCALLS_PER_CHUNK = 100,  /* 100,000 system calls */
	COPY_BUFFER_BYTES = 256 * 1024,
	COPY_CHUNKS = 1024,        /* one copy each: 256 MiB copied */
	CRC_BUFFER_BYTES = 64 * 1024,
	CRC_CHUNK_BYTES = 4096,
	CRC_CHUNKS = 1024,         /* 4 MiB checksummed */
	UDP_ROUND_TRIPS = 2000,    /* one chunk each */
	UDP_MESSAGE_BYTES = 64,
	CHUNKS_MAX = 2000,
	REPEATS_DEFAULT = 5,
	REPEATS_MAX = 99,
	THREADS_MAX = 256,
};

enum part { PART_SYSCALL, PART_COPY, PART_CRC, PART_UDP, PARTS };
static const char *const PART_NAMES[PARTS] = {"syscall", "copy", "crc", "udp"};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
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

/* One part's chunk times of one run, and what the run gives: its elapsed
 * time and its typical time (median chunk x chunks). */
typedef struct chunks {
	unsigned count;
	uint64_t ns[CHUNKS_MAX];
} chunks;

static uint64_t chunks_elapsed(const chunks *c)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < c->count; i++)
		sum += c->ns[i];
	return sum;
}

static uint64_t chunks_typical(chunks *c)
{
	return c->count ? median(c->ns, c->count) * c->count : 0;
}

static void part_syscall(chunks *c, unsigned count, uint64_t *sum)
{
	c->count = count;
	for (unsigned k = 0; k < count; k++) {
		uint64_t start = now_ns();
		for (unsigned i = 0; i < SYSCALLS_PER_CHUNK; i++)
			*sum += (uint64_t)syscall(SYS_getppid);
		c->ns[k] = now_ns() - start;
	}
}

static void part_copy(chunks *c, unsigned count, unsigned char *a, unsigned char *b, uint64_t *sum)
{
	c->count = count;
	for (unsigned k = 0; k < count; k++) {
		uint64_t start = now_ns();
		a[k % COPY_BUFFER_BYTES] ^= (unsigned char)k;   /* each copy differs */
		memcpy(b, a, COPY_BUFFER_BYTES);
		unsigned char *t = a;
		a = b;
		b = t;
		c->ns[k] = now_ns() - start;
	}
	*sum += a[count % COPY_BUFFER_BYTES];
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

static void part_crc(chunks *c, unsigned count, const unsigned char *buffer, uint64_t *sum)
{
	uint32_t crc = 0xFFFFFFFFu;
	c->count = count;
	for (unsigned k = 0; k < count; k++) {
		uint64_t start = now_ns();
		const unsigned char *at = buffer + (size_t)k * CRC_CHUNK_BYTES % CRC_BUFFER_BYTES;
		for (size_t i = 0; i < CRC_CHUNK_BYTES; i++)
			crc = crc_table[(crc ^ at[i]) & 0xFF] ^ (crc >> 8);
		c->ns[k] = now_ns() - start;
	}
	*sum += crc;
}

static int usage_error(const char *what, const char *found)
{
	fprintf(stderr, "reference-workload: %s, found '%s'\nUsage: reference-workload [--fraction F] [--repeats N] [--threads N]\n", what,
		found);
	return 2;
}

static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);   /* best effort: the time is what counts */
}

/* One thread's share of the per-CPU parts, on its own CPU, with its own
 * buffers; the median elapsed and typical times over the repeats. */
typedef struct worker {
	pthread_t thread;
	int cpu;                   /* -1: not pinned */
	unsigned syscall_chunks, copy_chunks, crc_chunks, repeats;
	pthread_barrier_t *start;
	uint64_t sum;
	uint64_t elapsed_ns[PARTS][REPEATS_MAX], typical_ns[PARTS][REPEATS_MAX];
	chunks scratch;
	int failed;
} worker;

static void record(worker *w, enum part part, unsigned repeat)
{
	w->elapsed_ns[part][repeat] = chunks_elapsed(&w->scratch);
	w->typical_ns[part][repeat] = chunks_typical(&w->scratch);
}

static void *work(void *arg)
{
	worker *w = arg;
	pin(w->cpu);
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
		part_syscall(&w->scratch, w->syscall_chunks, &w->sum);
		record(w, PART_SYSCALL, r);
		part_copy(&w->scratch, w->copy_chunks, a, b, &w->sum);
		record(w, PART_COPY, r);
		part_crc(&w->scratch, w->crc_chunks, a, &w->sum);
		record(w, PART_CRC, r);
	}
	free(a);
	free(b);
	return NULL;
}

/* ---- the UDP part: a ping-pong between two threads ---------------------- */

typedef struct udp_side {
	pthread_t thread;
	int cpu, fd, poll;         /* poll: receive with MSG_DONTWAIT in a loop */
	unsigned round_trips, repeats, is_client;
	struct sockaddr_in peer;
	pthread_barrier_t *start;
	chunks scratch;
	uint64_t elapsed_ns[REPEATS_MAX], typical_ns[REPEATS_MAX];
	int failed;
} udp_side;

static int udp_receive(udp_side *s, unsigned char *message)
{
	for (;;) {
		ssize_t n = recv(s->fd, message, UDP_MESSAGE_BYTES, s->poll ? MSG_DONTWAIT : 0);
		if (n == UDP_MESSAGE_BYTES)
			return 0;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
	}
}

static int udp_send(udp_side *s, const unsigned char *message)
{
	ssize_t n = sendto(s->fd, message, UDP_MESSAGE_BYTES, 0, (const struct sockaddr *)&s->peer, sizeof s->peer);
	return n == UDP_MESSAGE_BYTES ? 0 : -1;
}

static void *udp_run(void *arg)
{
	udp_side *s = arg;
	unsigned char message[UDP_MESSAGE_BYTES] = {0};
	pin(s->cpu);
	pthread_barrier_wait(s->start);
	for (unsigned r = 0; r < s->repeats && !s->failed; r++) {
		s->scratch.count = s->round_trips;
		for (unsigned k = 0; k < s->round_trips; k++) {
			uint64_t start = now_ns();
			message[0] = (unsigned char)k;
			int failed = s->is_client ? udp_send(s, message) || udp_receive(s, message)
						  : udp_receive(s, message) || udp_send(s, message);
			if (failed) {
				s->failed = 1;
				break;
			}
			s->scratch.ns[k] = now_ns() - start;
		}
		s->elapsed_ns[r] = chunks_elapsed(&s->scratch);
		s->typical_ns[r] = chunks_typical(&s->scratch);
	}
	return NULL;
}

static int udp_socket(struct sockaddr_in *bound)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t length = sizeof *bound;
	*bound = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || bind(fd, (struct sockaddr *)bound, sizeof *bound) != 0 ||
	    getsockname(fd, (struct sockaddr *)bound, &length) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The client's elapsed and typical medians over the repeats, or -1 when
 * the system refused a socket or a message. */
static int part_udp(const int *cpus, int usable, unsigned round_trips, unsigned repeats, uint64_t *elapsed, uint64_t *typical)
{
	static udp_side sides[2];
	struct sockaddr_in addresses[2];
	pthread_barrier_t start;
	int fds[2] = {udp_socket(&addresses[0]), udp_socket(&addresses[1])};
	if (fds[0] < 0 || fds[1] < 0)
		return -1;
	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++)
		sides[i] = (udp_side){.cpu = i < usable ? cpus[i] : -1, .fd = fds[i], .poll = usable >= 2,
				      .round_trips = round_trips, .repeats = repeats, .is_client = i == 0,
				      .peer = addresses[1 - i], .start = &start};
	int rc = 0;
	if (pthread_create(&sides[1].thread, NULL, udp_run, &sides[1]) != 0)
		return -1;
	if (pthread_create(&sides[0].thread, NULL, udp_run, &sides[0]) != 0) {
		shutdown(fds[1], SHUT_RDWR);
		rc = -1;
	} else {
		pthread_join(sides[0].thread, NULL);
	}
	if (sides[0].failed)
		rc = -1;
	if (rc != 0) {   /* the server may wait for a message that never comes */
		pthread_cancel(sides[1].thread);
	}
	pthread_join(sides[1].thread, NULL);
	close(fds[0]);
	close(fds[1]);
	pthread_barrier_destroy(&start);
	if (rc != 0 || sides[1].failed)
		return -1;
	*elapsed = median(sides[0].elapsed_ns, repeats);
	*typical = median(sides[0].typical_ns, repeats);
	return 0;
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

static unsigned scaled(unsigned amount, double fraction)
{
	return (unsigned)(amount * fraction) + 1;
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
				      .syscall_chunks = scaled(SYSCALL_CHUNKS - 1, fraction),
				      .copy_chunks = scaled(COPY_CHUNKS - 1, fraction),
				      .crc_chunks = scaled(CRC_CHUNKS - 1, fraction),
				      .repeats = (unsigned)repeats,
				      .start = &start};
		if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
			fprintf(stderr, "reference-workload: cannot start thread %ld of %ld\n", t + 1, threads);
			return 1;   /* the others wait at the barrier: exit ends them */
		}
	}
	uint64_t sum = 0;
	double elapsed[PARTS] = {0}, typical[PARTS] = {0};
	for (long t = 0; t < threads; t++) {
		worker *w = &workers[t];
		pthread_join(w->thread, NULL);
		if (w->failed) {
			fprintf(stderr, "reference-workload: out of memory\n");
			return 1;
		}
		sum += w->sum;
		for (int p = PART_SYSCALL; p < PART_UDP; p++) {
			elapsed[p] += (double)median(w->elapsed_ns[p], (unsigned)repeats) / (double)threads;
			typical[p] += (double)median(w->typical_ns[p], (unsigned)repeats) / (double)threads;
		}
	}
	pthread_barrier_destroy(&start);
	uint64_t udp_elapsed, udp_typical;
	if (part_udp(cpus, usable, scaled(UDP_ROUND_TRIPS - 1, fraction), (unsigned)repeats, &udp_elapsed, &udp_typical) != 0) {
		fprintf(stderr, "reference-workload: the UDP loopback ping-pong failed: %s\n", strerror(errno));
		return 1;
	}
	elapsed[PART_UDP] = (double)udp_elapsed;
	typical[PART_UDP] = (double)udp_typical;
	printf("reference_workload_version: %d\n", WORKLOAD_VERSION);
	printf("fraction: %g\n", fraction);
	printf("repeats: %ld\n", repeats);
	printf("threads: %ld\n", threads);
	printf("pinned: %s\n", usable >= threads ? "true" : "false");
	printf("udp_polled: %s\n", usable >= 2 ? "true" : "false");
	double total = 0, total_typical = 0;
	for (int p = 0; p < PARTS; p++) {
		printf("%s_ns: %.0f\n", PART_NAMES[p], elapsed[p]);
		printf("%s_typical_ns: %.0f\n", PART_NAMES[p], typical[p]);
		total += elapsed[p];
		total_typical += typical[p];
	}
	printf("total_ns: %.0f\n", total);
	printf("typical_ns: %.0f\n", total_typical);
	printf("checksum: \"%016llx\"\n", (unsigned long long)sum);
	return 0;
}
