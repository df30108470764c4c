/*
 * vrdma/perf/internal.h -- what the test bodies share.
 */
#ifndef VRDMA_PERF_INTERNAL_H
#define VRDMA_PERF_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "vrdma/perf/perf.h"

/* State the two sides of one size share (perftest shares it over TCP). */
struct perf_shared {
	uint64_t size_bytes;
	pthread_barrier_t start;
	atomic_int client_done; /* the client finished: a passive server may stop */
	atomic_int abort;       /* one side failed: the other gives up */
	struct perf_world *world; /* --migrate-at: the client moves itself */
};

typedef void (*perf_side_fn)(const struct perf_options *opt, struct perf_endpoint *ep,
			     struct perf_sample *sample, struct perf_shared *shared);

struct perf_spin {
	uint64_t count;
	double since_s;
};

double perf_now_s(void);
void perf_spin_init(struct perf_spin *s);
/* Count a spin; yield now and then; -1 after too long without progress. */
int perf_spin(struct perf_spin *s);
int perf_check_wc(const struct ibv_wc *wc, struct perf_sample *s, const char *what);

/* Post one RDMA WRITE/READ/SEND of `bytes` from/to the send half. */
int perf_post(struct perf_endpoint *ep, enum ibv_wr_opcode opcode, uint64_t bytes, int signaled,
	      int inline_ok, uint64_t wr_id);
int perf_post_recv(struct perf_endpoint *ep, uint64_t wr_id);
/* The same on QP number Q of the endpoint. */
int perf_post_on(struct perf_endpoint *ep, uint32_t q, enum ibv_wr_opcode opcode, uint64_t bytes, int signaled,
		 int inline_ok, uint64_t wr_id);
int perf_post_recv_on(struct perf_endpoint *ep, uint32_t q, uint64_t wr_id);
/* Which of the endpoint's QPs has this QPN (0 when none does). */
uint32_t perf_qp_index(const struct perf_endpoint *ep, uint32_t qp_num);
/* Top the receive queue up to rx_depth. */
int perf_prepost(struct perf_endpoint *ep, struct perf_sample *s);

/* lat.c */
void perf_lat_server(const struct perf_options *, struct perf_endpoint *, struct perf_sample *, struct perf_shared *);
void perf_lat_client(const struct perf_options *, struct perf_endpoint *, struct perf_sample *, struct perf_shared *);
/* bw.c */
void perf_bw_server(const struct perf_options *, struct perf_endpoint *, struct perf_sample *, struct perf_shared *);
void perf_bw_client(const struct perf_options *, struct perf_endpoint *, struct perf_sample *, struct perf_shared *);

#endif
