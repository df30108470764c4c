/*
 * vrdma/perf/bw.c -- write_bw, read_bw, send_bw as perftest runs them.
 *
 * The client keeps up to tx_depth requests in flight and signals one in
 * cq_moderation (and the last), so each send completion accounts for a
 * batch.  The run's time is from the first post to the last completion;
 * the peak is the best rate of one batch.  For send_bw the server keeps
 * rx_depth receives posted and reposts each as it completes.
 */
#include "vrdma/perf/internal.h"

#include <stdio.h>
#include <string.h>

static enum ibv_wr_opcode opcode_of(enum perf_test test)
{
	return test == PERF_READ_BW ? IBV_WR_RDMA_READ : test == PERF_SEND_BW ? IBV_WR_SEND : IBV_WR_RDMA_WRITE;
}

void perf_bw_server(const struct perf_options *opt, struct perf_endpoint *ep, struct perf_sample *s,
		    struct perf_shared *shared)
{
	int ok = opt->test != PERF_SEND_BW || perf_prepost(ep, s) == 0;
	pthread_barrier_wait(&shared->start);
	for (uint64_t received = 0; ok && opt->test == PERF_SEND_BW && received < opt->iterations; received++) {
		struct ibv_wc wc;
		if (!perf_wait_completion(ep, ep->recv_cq, opt->use_events, &wc) || atomic_load(&shared->abort)) {
			s->failed = !atomic_load(&shared->abort);
			snprintf(s->error, sizeof s->error, "receive %llu never completed", (unsigned long long)received);
			ok = 0;
			break;
		}
		ep->recvs_outstanding--;
		ok = perf_check_wc(&wc, s, "a receive") == 0 && perf_post_recv(ep, received) == 0;
	}
	if (!ok)
		atomic_store(&shared->abort, 1);
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (!atomic_load(&shared->client_done) && !atomic_load(&shared->abort) && perf_spin(&spin) == 0)
		;
}

void perf_bw_client(const struct perf_options *opt, struct perf_endpoint *ep, struct perf_sample *s,
		    struct perf_shared *shared)
{
	uint64_t size = shared->size_bytes, iters = opt->iterations;
	uint32_t depth = ep->qp->cap.max_send_wr < opt->tx_depth ? ep->qp->cap.max_send_wr : opt->tx_depth;
	uint32_t moderation = opt->cq_moderation < depth ? opt->cq_moderation : depth;
	enum ibv_wr_opcode opcode = opcode_of(opt->test);
	int inline_ok = size <= opt->inline_bytes && opcode != IBV_WR_RDMA_READ;
	uint64_t posted = 0, completed = 0;
	pthread_barrier_wait(&shared->start);
	double start_s = perf_now_s(), last_s = start_s;
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (completed < iters && !s->failed) {
		while (posted < iters && posted - completed < depth) {
			int signaled = (posted + 1) % moderation == 0 || posted + 1 == iters;
			int rc = perf_post(ep, opcode, size, signaled, inline_ok, posted + 1);
			if (rc != 0) {
				s->failed = 1;
				snprintf(s->error, sizeof s->error, "post_send refused request %llu: %s",
					 (unsigned long long)posted, strerror(rc));
				break;
			}
			posted++;
		}
		struct ibv_wc wc[16];
		int n = vrdma_poll_cq(ep->send_cq, 16, wc);
		if (n == 0 && opt->use_events) {
			if (!perf_wait_completion(ep, ep->send_cq, 1, wc)) {
				s->failed = 1;
				snprintf(s->error, sizeof s->error, "no completion after %llu of %llu requests",
					 (unsigned long long)completed, (unsigned long long)iters);
				break;
			}
			n = 1;
		}
		for (int i = 0; i < n; i++) {
			if (perf_check_wc(&wc[i], s, "a request") != 0)
				break;
			/* wr_id is the request's number: everything up to it is done (RC order) */
			uint64_t done = wc[i].wr_id;
			double now = perf_now_s();
			if (done > completed && now > last_s) {
				double rate = (double)(done - completed) * (double)size / (now - last_s);
				if (rate > s->peak_bytes_per_s)
					s->peak_bytes_per_s = rate;
			}
			if (done > completed)
				completed = done;
			last_s = now;
			perf_spin_init(&spin);
		}
		if (n == 0 && perf_spin(&spin) != 0) {
			s->failed = 1;
			snprintf(s->error, sizeof s->error, "no completion after %llu of %llu requests",
				 (unsigned long long)completed, (unsigned long long)iters);
		}
	}
	s->elapsed_s = last_s - start_s;
	if (s->failed)
		atomic_store(&shared->abort, 1);
	atomic_store(&shared->client_done, 1);
}
