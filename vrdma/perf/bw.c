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
		uint32_t q = perf_qp_index(ep, wc.qp_num);
		ep->recvs_outstanding[q]--;
		ok = perf_check_wc(&wc, s, "a receive") == 0 && perf_post_recv_on(ep, q, received) == 0;
	}
	if (!ok)
		atomic_store(&shared->abort, 1);
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (!atomic_load(&shared->client_done) && !atomic_load(&shared->abort) && perf_spin(&spin) == 0)
		;
}

/* Per QP: requests posted and completed (by the number in wr_id). */
struct qp_window {
	uint64_t posted, completed, quota;
};

/* wr_id: the QP's index in the top 16 bits, its request number below. */
#define WR_QP_SHIFT 48

void perf_bw_client(const struct perf_options *opt, struct perf_endpoint *ep, struct perf_sample *s,
		    struct perf_shared *shared)
{
	uint64_t size = shared->size_bytes, iters = opt->iterations;
	uint32_t nq = ep->qp_count;
	uint32_t depth = ep->qp->cap.max_send_wr < opt->tx_depth ? ep->qp->cap.max_send_wr : opt->tx_depth;
	uint32_t moderation = opt->cq_moderation < depth ? opt->cq_moderation : depth;
	enum ibv_wr_opcode opcode = opcode_of(opt->test);
	int inline_ok = size <= opt->inline_bytes && opcode != IBV_WR_RDMA_READ;
	struct qp_window win[PERF_QPS_MAX];
	/* -n messages in all, dealt round the QPs */
	for (uint32_t q = 0; q < nq; q++)
		win[q] = (struct qp_window){ .quota = iters / nq + (q < iters % nq ? 1 : 0) };
	uint64_t completed = 0;
	/* The peak: the best rate over a window of completions that spans
	 * every QP's batches (one QP's batch alone says little of the whole). */
	uint64_t peak_window = (uint64_t)moderation * nq, window_count = 0;
	pthread_barrier_wait(&shared->start);
	double start_s = perf_now_s(), last_s = start_s, window_s = start_s;
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (completed < iters && !s->failed) {
		for (uint32_t q = 0; q < nq && !s->failed; q++) {
			struct qp_window *w = &win[q];
			while (w->posted < w->quota && w->posted - w->completed < depth) {
				int signaled = (w->posted + 1) % moderation == 0 || w->posted + 1 == w->quota;
				uint64_t wr_id = ((uint64_t)q << WR_QP_SHIFT) | (w->posted + 1);
				int rc = perf_post_on(ep, q, opcode, size, signaled, inline_ok, wr_id);
				if (rc != 0) {
					s->failed = 1;
					snprintf(s->error, sizeof s->error, "post_send refused request %llu on QP %u: %s",
						 (unsigned long long)w->posted, q, strerror(rc));
					break;
				}
				w->posted++;
			}
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
			/* everything up to the request it names is done (RC order) */
			uint32_t q = (uint32_t)(wc[i].wr_id >> WR_QP_SHIFT);
			uint64_t done = wc[i].wr_id & ((1ull << WR_QP_SHIFT) - 1);
			if (q >= nq)
				continue;
			double now = perf_now_s();
			if (done > win[q].completed) {
				completed += done - win[q].completed;
				win[q].completed = done;
			}
			if (completed - window_count >= peak_window && now > window_s) {
				double rate = (double)(completed - window_count) * (double)size / (now - window_s);
				if (rate > s->peak_bytes_per_s)
					s->peak_bytes_per_s = rate;
				window_count = completed;
				window_s = now;
			}
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
