/*
 * vrdma/perf/run.c -- running one size: the two guest threads, waiting.
 *
 * Each size runs the server side on a thread of its own and the client side
 * on the caller's, as two guests' vCPUs.  A wait spins on memory or on the
 * CQ, yielding the CPU now and then so that the backends (which sleep on
 * eventfds) get to run on a machine with few cores; it gives up after
 * STALL_S seconds without progress so a broken peer ends the run with an
 * error instead of a hang.
 */
#include "vrdma/perf/internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#define SPINS_BEFORE_YIELD 64
#define STALL_S 20.0

double perf_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void perf_spin_init(struct perf_spin *s)
{
	s->count = 0;
	s->since_s = perf_now_s();
}

int perf_spin(struct perf_spin *s)
{
	if (++s->count % SPINS_BEFORE_YIELD == 0) {
		sched_yield();
		if (perf_now_s() - s->since_s > STALL_S)
			return -1;
	}
	return 0;
}

int perf_wait_completion(struct perf_endpoint *ep, struct vrdma_cq *cq, int use_events, struct ibv_wc *wc)
{
	struct perf_spin spin;
	perf_spin_init(&spin);
	for (;;) {
		int n = vrdma_poll_cq(cq, 1, wc);
		if (n > 0)
			return 1;
		if (n < 0)
			return 0;
		if (use_events) {
			/* Arm, then look again: a completion may have landed before the arm. */
			vrdma_req_notify_cq(cq, 0);
			if (vrdma_poll_cq(cq, 1, wc) > 0)
				return 1;
			struct vrdma_cq *ev_cq;
			void *ev_ctx;
			if (vrdma_get_cq_event(ep->channel, &ev_cq, &ev_ctx) != 0)
				return 0;
			vrdma_ack_cq_events(ev_cq, 1);
			continue;
		}
		if (perf_spin(&spin) != 0)
			return 0;
	}
}

int perf_check_wc(const struct ibv_wc *wc, struct perf_sample *s, const char *what)
{
	if (wc->status == IBV_WC_SUCCESS)
		return 0;
	s->failed = 1;
	snprintf(s->error, sizeof s->error, "%s completed with %s (status %d)", what,
		 vrdma_wc_status_str(wc->status), wc->status);
	return -1;
}

/* The send half of the buffer is the source of writes and sends, and the
 * destination of reads; the receive half is where the peer's data lands. */
int perf_post(struct perf_endpoint *ep, enum ibv_wr_opcode opcode, uint64_t bytes, int signaled,
	      int inline_ok, uint64_t wr_id)
{
	return perf_post_on(ep, 0, opcode, bytes, signaled, inline_ok, wr_id);
}

int perf_post_on(struct perf_endpoint *ep, uint32_t q, enum ibv_wr_opcode opcode, uint64_t bytes, int signaled,
		 int inline_ok, uint64_t wr_id)
{
	uint64_t half = ep->buffer_bytes / 2;
	struct ibv_sge sge = {
		.addr = (uintptr_t)(opcode == IBV_WR_RDMA_READ ? ep->buffer : ep->buffer + half),
		.length = (uint32_t)bytes,
		.lkey = ep->mr->lkey,
	};
	struct ibv_send_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = opcode };
	wr.send_flags = (signaled ? IBV_SEND_SIGNALED : 0) | (inline_ok ? IBV_SEND_INLINE : 0);
	wr.wr.rdma.remote_addr = opcode == IBV_WR_RDMA_READ ? ep->remote.addr + half : ep->remote.addr;
	wr.wr.rdma.rkey = ep->remote.rkey;
	struct ibv_send_wr *bad = NULL;
	return vrdma_post_send(ep->qps[q], &wr, &bad);
}

/* Receives take the whole receive half, so one posted for a small size
 * still fits a bigger one later in a sweep. */
int perf_post_recv(struct perf_endpoint *ep, uint64_t wr_id)
{
	return perf_post_recv_on(ep, 0, wr_id);
}

int perf_post_recv_on(struct perf_endpoint *ep, uint32_t q, uint64_t wr_id)
{
	struct ibv_sge sge = { .addr = (uintptr_t)ep->buffer, .length = (uint32_t)(ep->buffer_bytes / 2),
			       .lkey = ep->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad = NULL;
	int rc = vrdma_post_recv(ep->qps[q], &wr, &bad);
	if (rc == 0)
		ep->recvs_outstanding[q]++;
	return rc;
}

int perf_prepost(struct perf_endpoint *ep, struct perf_sample *s)
{
	for (uint32_t q = 0; q < ep->qp_count; q++)
		while (ep->recvs_outstanding[q] < ep->rx_depth)
			if (perf_post_recv_on(ep, q, ep->recvs_outstanding[q]) != 0) {
				s->failed = 1;
				snprintf(s->error, sizeof s->error, "post_recv refused a receive");
				return -1;
			}
	return 0;
}

uint32_t perf_qp_index(const struct perf_endpoint *ep, uint32_t qp_num)
{
	for (uint32_t q = 0; q < ep->qp_count; q++)
		if (ep->qps[q]->qp_num == qp_num)
			return q;
	return 0;
}

struct side_args {
	const struct perf_options *opt;
	struct perf_endpoint *self, *peer;
	struct perf_sample *sample;
	struct perf_shared *shared;
	perf_side_fn fn;
};

void perf_pin_thread(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *side_thread(void *p)
{
	struct side_args *a = p;
	perf_pin_thread(a->opt->cpu_guest[0]);
	a->fn(a->opt, a->self, a->sample, a->shared);
	return NULL;
}

int perf_run_size(const struct perf_options *opt, struct perf_world *w, uint64_t size_bytes,
		  struct perf_sample *sample)
{
	struct perf_endpoint *server = perf_world_server(w), *client = perf_world_client(w);
	struct perf_shared shared;
	struct perf_sample server_sample;
	memset(&shared, 0, sizeof shared);
	memset(&server_sample, 0, sizeof server_sample);
	memset(sample, 0, sizeof *sample);
	shared.size_bytes = size_bytes;
	shared.world = w;
	pthread_barrier_init(&shared.start, NULL, 2);
	sample->size_bytes = server_sample.size_bytes = size_bytes;
	sample->iterations = server_sample.iterations = opt->iterations;
	sample->latency_us = calloc(opt->iterations, sizeof *sample->latency_us);
	if (sample->latency_us == NULL)
		return ENOMEM;
	/* Receive halves start clean: a byte left by a bigger size must not
	 * look like a new arrival. */
	memset(server->buffer, 0, size_bytes);
	memset(client->buffer, 0, size_bytes);
	int lat = opt->test == PERF_WRITE_LAT || opt->test == PERF_READ_LAT || opt->test == PERF_SEND_LAT;
	perf_side_fn server_fn = lat ? perf_lat_server : perf_bw_server;
	perf_side_fn client_fn = lat ? perf_lat_client : perf_bw_client;
	struct side_args sa = { opt, server, client, &server_sample, &shared, server_fn };
	pthread_t thread;
	int rc = pthread_create(&thread, NULL, side_thread, &sa);
	if (rc != 0) {
		free(sample->latency_us);
		sample->latency_us = NULL;
		return rc;
	}
	perf_pin_thread(opt->cpu_guest[1]);
	client_fn(opt, client, sample, &shared);
	pthread_join(thread, NULL);
	pthread_barrier_destroy(&shared.start);
	sample->server_wait_us = server_sample.server_wait_us;
	if (server_sample.failed && !sample->failed) {
		sample->failed = 1;
		snprintf(sample->error, sizeof sample->error, "server: %.150s", server_sample.error);
	}
	return 0;
}
