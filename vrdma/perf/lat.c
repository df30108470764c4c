/*
 * vrdma/perf/lat.c -- write_lat, send_lat, read_lat as perftest runs them.
 *
 * write_lat: ping-pong of RDMA WRITEs; each side spins on the last byte of
 *   its receive half until the peer's write lands.  Half the round trip.
 * send_lat: ping-pong of SENDs; each side waits for the receive completion
 *   (polling or by event).  Half the round trip.
 * read_lat: the client reads from the server and waits for the read's
 *   completion; the whole operation is the latency (as ib_read_lat reports).
 */
#include "vrdma/perf/internal.h"

#include <stdio.h>
#include <string.h>

static uint8_t marker(uint64_t iteration)
{
	return (uint8_t)(iteration % 255u + 1u);
}

static int inline_ok(const struct perf_options *opt, uint64_t size)
{
	return size <= opt->inline_bytes;
}

/* Reap send completions without waiting; -1 on an error completion. */
static int reap_sends(struct perf_endpoint *ep, struct perf_sample *s, uint32_t *outstanding)
{
	struct ibv_wc wc[16];
	int n;
	while ((n = vrdma_poll_cq(ep->send_cq, 16, wc)) > 0)
		for (int i = 0; i < n; i++) {
			if (perf_check_wc(&wc[i], s, "a send-queue request") != 0)
				return -1;
			(*outstanding)--;
		}
	return 0;
}

/* Keep the send queue from overflowing: wait while it is full. */
static int room_to_post(struct perf_endpoint *ep, struct perf_sample *s, uint32_t *outstanding,
			uint32_t depth)
{
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (*outstanding >= depth) {
		if (reap_sends(ep, s, outstanding) != 0)
			return -1;
		if (*outstanding >= depth && perf_spin(&spin) != 0) {
			snprintf(s->error, sizeof s->error, "no send completion for %u requests", *outstanding);
			s->failed = 1;
			return -1;
		}
	}
	return 0;
}

static int wait_marker(struct perf_endpoint *ep, uint64_t size, uint8_t want, struct perf_sample *s,
		       struct perf_shared *shared)
{
	volatile uint8_t *last = ep->buffer + size - 1;
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (*last != want) {
		if (atomic_load(&shared->abort) || perf_spin(&spin) != 0) {
			s->failed = 1;
			snprintf(s->error, sizeof s->error, "the peer's write of %llu bytes never arrived",
				 (unsigned long long)size);
			return -1;
		}
	}
	return 0;
}

/* Post one signalled message of the ping-pong, once the queue has room. */
static int ping(const struct perf_options *opt, struct perf_endpoint *ep, enum ibv_wr_opcode opcode,
		uint64_t size, uint64_t i, struct perf_sample *s, uint32_t *outstanding)
{
	if (room_to_post(ep, s, outstanding, ep->qp->cap.max_send_wr) != 0)
		return -1;
	if (perf_post(ep, opcode, size, 1, inline_ok(opt, size), i) != 0) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "post_send refused the %s",
			 opcode == IBV_WR_SEND ? "send" : "write");
		return -1;
	}
	(*outstanding)++;
	return 0;
}

static int write_ping(const struct perf_options *opt, struct perf_endpoint *ep, uint64_t size,
		      uint64_t i, struct perf_sample *s, uint32_t *outstanding)
{
	uint64_t half = ep->buffer_bytes / 2;
	ep->buffer[half + size - 1] = marker(i);
	return ping(opt, ep, IBV_WR_RDMA_WRITE, size, i, s, outstanding);
}

static int wait_recv(const struct perf_options *opt, struct perf_endpoint *ep, uint64_t size,
		     uint64_t i, struct perf_sample *s)
{
	struct ibv_wc wc;
	if (!perf_wait_completion(ep, ep->recv_cq, opt->use_events, &wc)) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "no receive completion at iteration %llu",
			 (unsigned long long)i);
		return -1;
	}
	ep->recvs_outstanding[0]--;
	if (perf_check_wc(&wc, s, "a receive") != 0)
		return -1;
	return perf_post_recv(ep, i) == 0 ? 0 : -1;
}

static int send_ping(const struct perf_options *opt, struct perf_endpoint *ep, uint64_t size,
		     uint64_t i, struct perf_sample *s, uint32_t *outstanding)
{
	if (ping(opt, ep, IBV_WR_SEND, size, i, s, outstanding) != 0)
		return -1;
	return reap_sends(ep, s, outstanding);
}

/* Drain what is still in flight so the next size starts from empty queues. */
static void settle(struct perf_endpoint *ep, struct perf_sample *s, uint32_t outstanding)
{
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (outstanding > 0 && !s->failed && reap_sends(ep, s, &outstanding) == 0)
		if (outstanding > 0 && perf_spin(&spin) != 0)
			break;
}

void perf_lat_server(const struct perf_options *opt, struct perf_endpoint *ep, struct perf_sample *s,
		     struct perf_shared *shared)
{
	uint64_t size = shared->size_bytes;
	uint32_t outstanding = 0;
	int ok = opt->test != PERF_SEND_LAT || perf_prepost(ep, s) == 0;
	pthread_barrier_wait(&shared->start);
	double last = perf_now_s();
	for (uint64_t i = 0; ok && i < opt->iterations; i++) {
		if (opt->test == PERF_WRITE_LAT)
			ok = wait_marker(ep, size, marker(i), s, shared) == 0 &&
			     write_ping(opt, ep, size, i, s, &outstanding) == 0;
		else if (opt->test == PERF_SEND_LAT)
			ok = wait_recv(opt, ep, size, i, s) == 0 && send_ping(opt, ep, size, i, s, &outstanding) == 0;
		else
			break; /* read_lat: the server's HCA answers; its guest does nothing */
		/* --migrate-at: how long the server waited for the client's
		 * iteration that followed the move */
		double now = perf_now_s();
		if (opt->migrate_at && i == opt->migrate_at)
			s->server_wait_us = (now - last) * 1e6;
		last = now;
	}
	if (!ok)
		atomic_store(&shared->abort, 1);
	settle(ep, s, outstanding);
	/* A passive server waits for the client, so that teardown does not
	 * race its reads. */
	struct perf_spin spin;
	perf_spin_init(&spin);
	while (!atomic_load(&shared->client_done) && !atomic_load(&shared->abort) && perf_spin(&spin) == 0)
		;
}

void perf_lat_client(const struct perf_options *opt, struct perf_endpoint *ep, struct perf_sample *s,
		     struct perf_shared *shared)
{
	uint64_t size = shared->size_bytes;
	uint32_t outstanding = 0;
	int ok = opt->test != PERF_SEND_LAT || perf_prepost(ep, s) == 0;
	pthread_barrier_wait(&shared->start);
	for (uint64_t i = 0; ok && i < opt->iterations; i++) {
		if (opt->migrate_at && i == opt->migrate_at && !s->migrated) {
			char err[120];
			if (perf_world_migrate_client(shared->world, &s->migration, err, sizeof err) != 0) {
				s->failed = 1;
				snprintf(s->error, sizeof s->error, "the move at iteration %llu: %.100s",
					 (unsigned long long)i, err);
				ok = 0;
				break;
			}
			s->migrated = 1;
		}
		double t0 = perf_now_s();
		if (opt->test == PERF_WRITE_LAT) {
			ok = write_ping(opt, ep, size, i, s, &outstanding) == 0 &&
			     wait_marker(ep, size, marker(i), s, shared) == 0;
			s->latency_us[i] = (perf_now_s() - t0) * 1e6 / 2.0;
			if (ok)
				ok = reap_sends(ep, s, &outstanding) == 0;
		} else if (opt->test == PERF_SEND_LAT) {
			ok = send_ping(opt, ep, size, i, s, &outstanding) == 0 && wait_recv(opt, ep, size, i, s) == 0;
			s->latency_us[i] = (perf_now_s() - t0) * 1e6 / 2.0;
		} else {
			struct ibv_wc wc;
			ok = perf_post(ep, IBV_WR_RDMA_READ, size, 1, 0, i) == 0 &&
			     perf_wait_completion(ep, ep->send_cq, opt->use_events, &wc) &&
			     perf_check_wc(&wc, s, "an RDMA READ") == 0;
			s->latency_us[i] = (perf_now_s() - t0) * 1e6;
			if (!ok && !s->failed) {
				s->failed = 1;
				snprintf(s->error, sizeof s->error, "the read at iteration %llu did not complete",
					 (unsigned long long)i);
			}
		}
		if (s->migrated && i == opt->migrate_at)
			s->client_round_trip_us = (perf_now_s() - t0) * 1e6;
	}
	/* the reconnection, as the destination's HCA timed it */
	struct perf_spin rspin;
	perf_spin_init(&rspin);
	while (ok && s->migrated && !perf_world_reconnected(shared->world, &s->migration))
		if (perf_spin(&rspin) != 0)
			break;
	if (!ok)
		atomic_store(&shared->abort, 1);
	settle(ep, s, outstanding);
	atomic_store(&shared->client_done, 1);
}
