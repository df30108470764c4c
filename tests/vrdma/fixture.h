/*
 * tests/vrdma/fixture.h -- hosts, guests and connected QPs for the tests of
 * the reference implementation.
 *
 * A fixture host is a software HCA and a backend.  A fixture guest is a VM
 * on a host with its device opened, a PD, CQs and a buffer registered.
 * fx_connect() joins two QPs (on one host or two) as perftest does.
 */
#ifndef TESTS_VRDMA_FIXTURE_H
#define TESTS_VRDMA_FIXTURE_H

#include <stdint.h>

#include "vrdma/backend/backend.h"
#include "vrdma/guest/verbs.h"
#include "vrdma/hca/hca.h"

struct fx_host {
	struct vhca *hca;
	struct vbackend *backend;
	uint16_t lid;
};

struct fx_guest {
	struct fx_host *host;
	struct vrdma_vm *vm;
	struct vrdma_context *ctx;
	struct vrdma_pd *pd;
	struct vrdma_comp_channel *channel;
	struct vrdma_cq *cq;       /* send and receive completions */
	uint8_t *buffer;
	uint64_t buffer_bytes;
	struct vrdma_mr *mr;
};

/* loss: probability of dropping a sent packet (0 for none). */
void fx_host_start(struct fx_host *host, uint8_t host_id, double loss, struct vtrace *trace);
/* The same with the backend's accounting limits (account.h). */
void fx_host_start_limits(struct fx_host *host, uint8_t host_id, const struct vacct_limits *limits);
void fx_host_stop(struct fx_host *host);

void fx_guest_start(struct fx_guest *guest, struct fx_host *host, uint64_t buffer_bytes);
void fx_guest_stop(struct fx_guest *guest);

struct vrdma_qp *fx_create_qp(struct fx_guest *guest, uint32_t depth, uint32_t max_sge,
			      uint32_t max_inline);
/* RESET -> INIT -> RTR -> RTS on both; rnr_retry as given (7 = forever). */
void fx_connect(struct vrdma_qp *a, struct fx_guest *ga, struct vrdma_qp *b, struct fx_guest *gb,
		uint8_t rnr_retry);

/* Wait for one completion (polling, with a deadline); fails the test on
 * timeout. */
void fx_wait_wc(struct vrdma_cq *cq, struct ibv_wc *wc);
/* 1 when no completion shows up within `ms` milliseconds. */
int fx_no_wc_within(struct vrdma_cq *cq, unsigned ms);

uint64_t fx_checksum(const uint8_t *bytes, uint64_t n);
void fx_fill(uint8_t *bytes, uint64_t n, uint64_t seed);

#endif
