/*
 * tests/vrdma/soft_world.h -- a little world of software HCAs for the tests
 * of vrdma/hca/soft (test_soft_hca_*.c), driven through its vhca_ops.
 *
 * Three HCAs: 0 and 1 talk over loopback UDP, 2 talks to itself (the
 * same-host path).  One thread pumps them all (pump), so no peer stands
 * still while a timer runs.  Regions are built as the backend builds them:
 * a page list whose pages are in reverse host order and an iova unrelated
 * to host addresses, so a driver that treated a region as one flat buffer
 * would fail.  A connection is two RC QPs, each with its own CQ, brought to
 * RTS with PSNs near the top of the 24-bit space, so PSNs wrap.
 */
#ifndef TESTS_VRDMA_SOFT_WORLD_H
#define TESTS_VRDMA_SOFT_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "vrdma/hca/hca.h"

#define PAGE VHCA_PAGE_BYTES
#define KiB 1024u
#define MiB (1024u * 1024u)
#define ALL_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)
/* About 2 ms: a single thread pumps every HCA here, so no peer stands
 * still while a timer runs, and losses are repaired quickly. */
#define SHORT_ACK_TIMEOUT 9

/* ---- a little world of HCAs ---- */

struct world {
	struct vhca *hca[3];   /* 0 and 1 talk over UDP; 2 talks to itself */
	uint32_t pd[3];
	int epoll_fd;
};

extern struct world sw;

/* Create the three HCAs, a PD on each; LOSS: the UDP pair's drop probability. */
void world_open(double loss);
void world_close(void);
/* Let every HCA do what it has; sleep on their fds when none has any. */
void pump(void);
/* HCA's port LID. */
uint16_t lid(struct vhca *hca);

/* ---- registered memory, pages in reverse order ---- */

struct region {
	struct vhca *hca;
	uint8_t *base;
	uint8_t **pages;
	struct vhca_mem mem;
	uint32_t lkey, rkey;
};

/* A region of BYTES on HCA's PD, starting inside its first page. */
void region_open(struct region *r, struct vhca *hca, uint32_t pd, size_t bytes, int access);
void region_close(struct region *r);
static inline uint64_t iova(const struct region *r, uint64_t offset) { return r->mem.iova + offset; }
/* Bytes [offset, offset + bytes) of the region to or from a flat buffer. */
void region_io(struct region *r, uint64_t offset, uint8_t *buf, size_t bytes, int write);
/* Pseudo-random bytes from SEED. */
void fill(struct region *r, uint64_t offset, size_t bytes, uint64_t seed);
/* 1 when the two ranges hold the same bytes. */
int same(struct region *a, uint64_t a_off, struct region *b, uint64_t b_off, size_t bytes);
/* 1 when the range is all zero. */
int zero(struct region *r, uint64_t offset, size_t bytes);

/* ---- connected QPs ---- */

struct side {
	struct vhca *hca;
	uint32_t pd, cq, qpn;
};

struct conn {
	struct side a, b;
};

struct conn_opts {
	int qp_access;
	uint8_t rnr_retry, retry_cnt;
	uint32_t wr;
	uint8_t timeout;        /* Local ACK Timeout: 4.096 us x 2^timeout, 0 = infinite */
};

extern const struct conn_opts default_opts;

/* A CQ and an RC QP on HCA I (still RESET). */
void side_open(struct side *s, int i, const struct conn_opts *o);
/* The QP to INIT, RTR, RTS: the verbs' return code. */
int to_init(struct side *s, int access);
int to_rtr(struct side *s, uint16_t dlid, uint32_t dest_qpn);
/* sq_psn near the top of the 24-bit space, so PSNs wrap during the tests */
int to_rts(struct side *s, const struct conn_opts *o);
/* Two sides on HCAs IA and IB, connected and in RTS (checked). */
void conn_open_with(struct conn *c, int ia, int ib, const struct conn_opts *o);
/* wire: HCA 0 to HCA 1; local: HCA 2 to itself */
void conn_open(struct conn *c, int local);
void side_close(struct side *s);
void conn_close(struct conn *c);
/* Post one send work request: the verbs' return code. */
int post(struct side *s, enum ibv_wr_opcode op, uint64_t wr_id, struct ibv_sge *sge, int n,
	 uint64_t remote, uint32_t rkey, uint32_t imm, unsigned int flags);
int post_recv(struct side *s, uint64_t wr_id, struct ibv_sge *sge, int n);
/* "status N" (ibv_wc_status_str lives in libibverbs, which the tests do
 * not link); four calls may share one message. */
const char *status_name(enum ibv_wc_status status);
/* The next completion of the side's CQ, pumping all HCAs; 0 on timeout. */
int wait_wc(struct side *s, struct ibv_wc *wc, int timeout_ms);
/* The next completion is WR_ID's with STATUS (and OP on success). */
void expect_wc(struct side *s, uint64_t wr_id, enum ibv_wc_status status, enum ibv_wc_opcode op);
/* No completion after a while of pumping. */
void expect_quiet(struct side *s);
/* One message of `bytes` with `nsge` local SGEs; data and completions checked. */
void transfer(struct conn *c, enum ibv_wr_opcode op, uint32_t bytes, int nsge);

#endif
