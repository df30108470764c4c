/*
 * tests/bench/udp_stream.c -- make bench's bandwidth floor for the
 * reference implementation: a bare UDP stream over loopback between two
 * pinned threads, shaped as the software HCA's write_bw stream is:
 *   - packets of 12 + 4096 bytes (a BTH and a full 4 KiB MTU payload),
 *     MESSAGE_BYTES / 4096 of them per message;
 *   - a window of 128 packets in flight, the receiver acknowledging every
 *     32 (the HCA's max_outstanding_packets and its quarter-window ACK
 *     requests), so the receiver's socket buffer is never overrun;
 *   - BATCH packets per system call: sendmmsg/recvmmsg when BATCH > 1,
 *     sendto/recv one packet at a time when BATCH is 1;
 *   - socket buffers of 8 MiB asked for (the HCA's; the kernel may cap them).
 * Each side blocks (sleeps) when it must wait, as the backend does.
 * Usage: udp_stream MESSAGES MESSAGE_BYTES BATCH CPU_SENDER CPU_RECEIVER
 * Output (one line, units in the keys; MiB as perftest's "MB"):
 *   floor=udp_stream batch=B cpu_a=0 cpu_b=1 message_bytes=65536 messages=N
 *   bandwidth_mib_per_s=X packets_per_s=Y timeouts=T
 * A window that saw no acknowledgement for 100 ms (a packet lost) is
 * counted in `timeouts` and reopened.
 */
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
#include <time.h>
#include <unistd.h>

#define PAYLOAD_BYTES 4096u
#define PACKET_BYTES (12u + PAYLOAD_BYTES)
#define WINDOW_PACKETS 128u
#define ACK_EVERY 32u
#define BATCH_MAX 64u
#define BUFFER_BYTES (8 << 20)

struct stream {
	int tx, rx;                 /* sender's socket, receiver's socket */
	struct sockaddr_in to_rx, to_tx;
	uint64_t packets;           /* to send in all */
	unsigned batch;
	int cpu_tx, cpu_rx;
	uint64_t timeouts;
};

static uint8_t tx_buffers[BATCH_MAX][PACKET_BYTES], rx_buffers[BATCH_MAX][PACKET_BYTES];

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
		fprintf(stderr, "udp_stream: cannot pin to CPU %d\n", cpu);
		exit(1);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int open_socket(struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), bytes = BUFFER_BYTES;
	socklen_t len = sizeof *addr;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
	*addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
		perror("udp_stream: socket");
		exit(1);
	}
	return fd;
}

/* Send `n` packets: one sendmmsg, or n sendto. */
static void send_packets(struct stream *s, unsigned n)
{
	if (s->batch == 1) {
		for (unsigned i = 0; i < n; i++)
			if (sendto(s->tx, tx_buffers[0], PACKET_BYTES, 0, (struct sockaddr *)&s->to_rx, sizeof s->to_rx) < 0)
				exit(1);
		return;
	}
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){tx_buffers[i], PACKET_BYTES};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &s->to_rx, .msg_namelen = sizeof s->to_rx,
						       .msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	for (unsigned done = 0; done < n;) {
		int sent = sendmmsg(s->tx, msgs + done, n - done, 0);
		if (sent <= 0)
			exit(1);
		done += (unsigned)sent;
	}
}

/* The receiver's cumulative count, or -1 after 100 ms without one. */
static int64_t wait_ack(struct stream *s)
{
	uint64_t acked;
	ssize_t n = recv(s->tx, &acked, sizeof acked, 0);
	return n == sizeof acked ? (int64_t)acked : -1;
}

static void *sender(void *arg)
{
	struct stream *s = arg;
	pin(s->cpu_tx);
	struct timeval timeout = {.tv_usec = 100000};
	setsockopt(s->tx, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	uint64_t sent = 0, acked = 0;
	while (sent < s->packets) {
		while (sent - acked >= WINDOW_PACKETS) {
			int64_t a = wait_ack(s);
			if (a < 0) {
				s->timeouts++;
				acked = sent;
			} else if ((uint64_t)a > acked) {
				acked = (uint64_t)a;
			}
		}
		uint64_t room = WINDOW_PACKETS - (sent - acked), left = s->packets - sent;
		unsigned n = (unsigned)(room < s->batch ? room : s->batch);
		if (n > left)
			n = (unsigned)left;
		send_packets(s, n);
		sent += n;
	}
	return NULL;
}

/* Up to `batch` packets, blocking for the first; how many arrived. */
static unsigned receive_packets(struct stream *s)
{
	if (s->batch == 1)
		return recv(s->rx, rx_buffers[0], PACKET_BYTES, 0) > 0 ? 1u : 0u;
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	for (unsigned i = 0; i < s->batch; i++) {
		iov[i] = (struct iovec){rx_buffers[i], PACKET_BYTES};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	int n = recvmmsg(s->rx, msgs, s->batch, MSG_WAITFORONE, NULL);
	return n > 0 ? (unsigned)n : 0u;
}

/* Receive until the sender stops sending (a 200 ms silence once all
 * arrived or the sender has given up on the rest). */
static uint64_t receive_all(struct stream *s, double *last_s)
{
	uint64_t got = 0, next_ack = ACK_EVERY;
	while (got < s->packets) {
		unsigned n = receive_packets(s);
		if (n == 0)
			break;
		got += n;
		*last_s = now_s();
		if (got >= next_ack || got == s->packets) {
			sendto(s->rx, &got, sizeof got, 0, (struct sockaddr *)&s->to_tx, sizeof s->to_tx);
			next_ack = (got / ACK_EVERY + 1) * ACK_EVERY;
		}
	}
	return got;
}

struct receiver_args {
	struct stream *s;
	uint64_t got;
	double last_s;
};

static void *receiver(void *arg)
{
	struct receiver_args *r = arg;
	pin(r->s->cpu_rx);
	struct timeval timeout = {.tv_usec = 200000};
	setsockopt(r->s->rx, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	r->got = receive_all(r->s, &r->last_s);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 6 || atol(argv[1]) <= 0 || atol(argv[2]) < (long)PAYLOAD_BYTES || atoi(argv[3]) < 1 ||
	    atoi(argv[3]) > (int)BATCH_MAX) {
		fprintf(stderr, "usage: udp_stream MESSAGES MESSAGE_BYTES(>=4096) BATCH(1..%u) CPU_SENDER CPU_RECEIVER\n",
			BATCH_MAX);
		return 2;
	}
	uint64_t messages = (uint64_t)atol(argv[1]), message_bytes = (uint64_t)atol(argv[2]);
	struct stream s = {.batch = (unsigned)atoi(argv[3]), .cpu_tx = atoi(argv[4]), .cpu_rx = atoi(argv[5])};
	s.packets = messages * ((message_bytes + PAYLOAD_BYTES - 1) / PAYLOAD_BYTES);
	s.tx = open_socket(&s.to_tx);
	s.rx = open_socket(&s.to_rx);
	memset(tx_buffers, 7, sizeof tx_buffers);
	struct receiver_args r = {.s = &s};
	pthread_t tr, ts;
	double t0 = now_s();
	r.last_s = t0;
	pthread_create(&tr, NULL, receiver, &r);
	pthread_create(&ts, NULL, sender, &s);
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	double elapsed = r.last_s - t0;
	printf("floor=udp_stream batch=%u cpu_a=%d cpu_b=%d message_bytes=%llu messages=%llu "
	       "bandwidth_mib_per_s=%.1f packets_per_s=%.0f timeouts=%llu\n",
	       s.batch, s.cpu_tx, s.cpu_rx, (unsigned long long)message_bytes, (unsigned long long)messages,
	       (double)r.got * PAYLOAD_BYTES / elapsed / (1024.0 * 1024.0), (double)r.got / elapsed,
	       (unsigned long long)s.timeouts);
	return 0;
}
