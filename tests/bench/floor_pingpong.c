/*
 * tests/bench/floor_pingpong.c -- make bench's latency floors for the
 * reference implementation: two threads, pinned, handing a 2-byte token
 * back and forth through the kernel, each blocking (sleeping) until the
 * other's arrives, as the vRDMA backend sleeps in epoll.
 *   udp      two UDP sockets on 127.0.0.1, a datagram each way (the
 *            two-host path's one hand-off: a backend's sendto waking the
 *            peer backend);
 *   eventfd  two eventfds, a write each way (a guest's kick waking its
 *            backend, or a backend's interrupt waking a guest);
 *   udp-poll the udp floor with both threads polling instead of sleeping:
 *            a non-blocking receive and a sched_yield until the token is
 *            there, as a polling backend (backend/wait.c) looks for
 *            packets.  Across cores it has no wake-up (no inter-processor
 *            interrupt), so it is the floor to hold a polling backend to
 *            there; on one core each yield hands the core over.
 * Usage: floor_pingpong udp|udp-poll|eventfd ITERATIONS CPU_A CPU_B
 * Output (one line, units in the keys):
 *   floor=udp cpu_a=0 cpu_b=1 iterations=N half_rtt_p50_us=X half_rtt_avg_us=Y
 * The first tenth of the iterations warms up and is not counted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind { UDP, UDP_POLL, EVENTFD };
static const char *const kind_name[] = {"udp", "udp-poll", "eventfd"};

struct side {
	enum kind kind;
	int cpu;
	int in_fd, out_fd;          /* eventfd: read in, write out; udp: own socket twice */
	struct sockaddr_in peer;    /* udp: where to send */
	long iterations;
	int starts;                 /* 1: sends first and times the round trips */
	double *half_rtt_us;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
		fprintf(stderr, "floor_pingpong: cannot pin to CPU %d\n", cpu);
		exit(1);
	}
}

static void put(const struct side *s)
{
	if (s->kind == EVENTFD) {
		uint64_t one = 1;
		if (write(s->out_fd, &one, sizeof one) != sizeof one)
			exit(1);
	} else {
		char token[2] = {1, 2};
		if (sendto(s->out_fd, token, sizeof token, 0, (const struct sockaddr *)&s->peer, sizeof s->peer) != 2)
			exit(1);
	}
}

static void get(const struct side *s)
{
	uint64_t value;
	if (s->kind == UDP_POLL) {
		while (recv(s->in_fd, &value, sizeof value, MSG_DONTWAIT) <= 0)
			sched_yield();
		return;
	}
	if (read(s->in_fd, &value, sizeof value) <= 0) /* an eventfd's count, or a datagram */
		exit(1);
}

static void *run(void *arg)
{
	struct side *s = arg;
	pin(s->cpu);
	for (long i = 0; i < s->iterations; i++) {
		double t0 = now_us();
		if (s->starts) {
			put(s);
			get(s);
			s->half_rtt_us[i] = (now_us() - t0) / 2.0;
		} else {
			get(s);
			put(s);
		}
	}
	return NULL;
}

static int udp_socket(struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t bytes = sizeof *addr;
	*addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &bytes) != 0) {
		perror("floor_pingpong: socket");
		exit(1);
	}
	return fd;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long n = argc == 5 ? atol(argv[2]) : 0;
	int kind = -1;
	for (int k = UDP; argc == 5 && k <= EVENTFD; k++)
		if (strcmp(argv[1], kind_name[k]) == 0)
			kind = k;
	if (n < 10 || kind < 0) {
		fprintf(stderr, "usage: floor_pingpong udp|udp-poll|eventfd ITERATIONS(>=10) CPU_A CPU_B\n");
		return 2;
	}
	struct side a = {.kind = kind, .cpu = atoi(argv[3]), .iterations = n, .starts = 1};
	struct side b = {.kind = kind, .cpu = atoi(argv[4]), .iterations = n};
	a.half_rtt_us = calloc((size_t)n, sizeof *a.half_rtt_us);
	if (kind == EVENTFD) {
		int ab = eventfd(0, 0), ba = eventfd(0, 0);
		a.out_fd = b.in_fd = ab;
		b.out_fd = a.in_fd = ba;
	} else {
		a.in_fd = a.out_fd = udp_socket(&b.peer);
		b.in_fd = b.out_fd = udp_socket(&a.peer);
	}
	pthread_t ta, tb;
	pthread_create(&tb, NULL, run, &b);
	pthread_create(&ta, NULL, run, &a);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	long warm = n / 10, counted = n - warm;
	double sum = 0;
	for (long i = warm; i < n; i++)
		sum += a.half_rtt_us[i];
	qsort(a.half_rtt_us + warm, (size_t)counted, sizeof *a.half_rtt_us, compare);
	printf("floor=%s cpu_a=%d cpu_b=%d iterations=%ld half_rtt_p50_us=%.3f half_rtt_avg_us=%.3f\n",
	       kind_name[kind], a.cpu, b.cpu, counted, a.half_rtt_us[warm + counted / 2],
	       sum / (double)counted);
	free(a.half_rtt_us);
	return 0;
}
