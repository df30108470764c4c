/*
 * tests/bench/shm_pingpong.c -- the floor vrdma-perf is measured against:
 * two processes on this machine talking through shared memory, nothing
 * else.
 *   latency:   a 2-byte ping-pong; each side spins on a flag the other
 *              writes; prints the median half round trip in microseconds;
 *   bandwidth: 64 KiB messages through a shared ring of 16 slots, copied
 *              in by one process and out by the other; prints MB/s
 *              (2^20 bytes), as perftest does.
 * Usage: shm_pingpong ITERATIONS MESSAGES
 * Output: "shm_half_rtt_us=X shm_bandwidth_mib_per_s=Y"
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 16
#define MESSAGE_BYTES 65536

struct shared {
	volatile uint64_t ping, pong;                 /* latency flags */
	volatile uint64_t produced, consumed;         /* bandwidth ring indices */
	uint8_t slots[SLOTS][MESSAGE_BYTES];
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double latency_us(struct shared *s, long n)
{
	double *samples = malloc((size_t)n * sizeof *samples);
	pid_t pid = fork();
	if (pid == 0) {
		for (long i = 1; i <= n; i++) {
			while (s->ping != (uint64_t)i)
				;
			s->pong = (uint64_t)i;
		}
		_exit(0);
	}
	for (long i = 1; i <= n; i++) {
		double t0 = now_s();
		s->ping = (uint64_t)i;
		while (s->pong != (uint64_t)i)
			;
		samples[i - 1] = (now_s() - t0) * 1e6 / 2.0;
	}
	waitpid(pid, NULL, 0);
	qsort(samples, (size_t)n, sizeof *samples, compare);
	double median = samples[n / 2];
	free(samples);
	return median;
}

static double bandwidth_mib_per_s(struct shared *s, long messages)
{
	static uint8_t source[MESSAGE_BYTES], sink[MESSAGE_BYTES];
	memset(source, 7, sizeof source);
	pid_t pid = fork();
	if (pid == 0) {
		for (long i = 0; i < messages; i++) {
			while (s->produced == (uint64_t)i)
				;
			memcpy(sink, s->slots[i % SLOTS], MESSAGE_BYTES);
			__atomic_store_n(&s->consumed, (uint64_t)i + 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	double t0 = now_s();
	for (long i = 0; i < messages; i++) {
		while ((uint64_t)i - s->consumed >= SLOTS)
			;
		memcpy(s->slots[i % SLOTS], source, MESSAGE_BYTES);
		__atomic_store_n(&s->produced, (uint64_t)i + 1, __ATOMIC_RELEASE);
	}
	while (s->consumed != (uint64_t)messages)
		;
	double elapsed = now_s() - t0;
	waitpid(pid, NULL, 0);
	return (double)messages * MESSAGE_BYTES / elapsed / (1024.0 * 1024.0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, messages = argc > 2 ? atol(argv[2]) : 100000;
	if (n <= 0 || messages <= 0) {
		fprintf(stderr, "usage: shm_pingpong ITERATIONS MESSAGES\n");
		return 2;
	}
	struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(s, 0, sizeof *s);
	double lat = latency_us(s, n);
	double bw = bandwidth_mib_per_s(s, messages);
	printf("shm_half_rtt_us=%.3f shm_bandwidth_mib_per_s=%.1f\n", lat, bw);
	return 0;
}
