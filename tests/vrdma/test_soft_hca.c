/*
 * test_soft_hca.c - the software HCA (vrdma/hca/soft) through its vhca_ops:
 * two HCAs on loopback UDP and one same-host pair, RC QPs, every verb at
 * awkward sizes with one and several SGEs, ordering, the QP state machine,
 * protection and RNR errors, injected loss, many QPs, flushes, and the
 * packet decoder fed malformed bytes.
 *
 * Regions are built as the backend builds them: a page list whose pages
 * are in reverse host order and an iova unrelated to host addresses, so a
 * driver that treated a region as one flat buffer would fail.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "vrdma/hca/hca.h"
#include "vrdma/hca/soft/packet.h"

#define PAGE VHCA_PAGE_BYTES
#define KiB 1024u
#define MiB (1024u * 1024u)
#define ALL_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)

/* ---- a little world of HCAs ---- */

struct world {
	struct vhca *hca[3];   /* 0 and 1 talk over UDP; 2 talks to itself */
	uint32_t pd[3];
	int epoll_fd;
};

static struct world w;
static int async_events;

static void on_async(void *ctx, enum ibv_event_type type, uint32_t object) { async_events++; }

static void world_open(double loss)
{
	w.epoll_fd = epoll_create1(0);
	ck_assert_int_ge(w.epoll_fd, 0);
	for (int i = 0; i < 3; i++) {
		struct vhca_soft_config config;
		char err[200];
		vhca_soft_default_config(&config);
		config.loss_probability = i < 2 ? loss : 0;
		config.loss_seed = 42 + (uint64_t)i;
		config.rnr_timer_us = 500;
		ck_assert_msg(vhca_soft_create(&config, NULL, (uint8_t)i, &w.hca[i], err, sizeof err) == 0,
			      "%s", err);
		w.hca[i]->on_async = on_async;
		ck_assert_int_eq(w.hca[i]->ops->alloc_pd(w.hca[i], &w.pd[i]), 0);
		struct epoll_event ev = {.events = EPOLLIN};
		ck_assert_int_eq(epoll_ctl(w.epoll_fd, EPOLL_CTL_ADD, w.hca[i]->ops->event_fd(w.hca[i]), &ev),
				 0);
	}
}

static void world_close(void)
{
	for (int i = 0; i < 3; i++)
		w.hca[i]->ops->destroy(w.hca[i]);
	close(w.epoll_fd);
}

/* Let every HCA do what it has; sleep on their fds when none has any. */
static void pump(void)
{
	for (int i = 0; i < 3; i++)
		w.hca[i]->ops->process(w.hca[i]);
	struct epoll_event ev;
	epoll_wait(w.epoll_fd, &ev, 1, 1);
}

static uint16_t lid(struct vhca *hca)
{
	struct ibv_port_attr port;
	ck_assert_int_eq(hca->ops->query_port(hca, 1, &port), 0);
	return port.lid;
}

/* ---- registered memory, pages in reverse order ---- */

struct region {
	struct vhca *hca;
	uint8_t *base;
	uint8_t **pages;
	struct vhca_mem mem;
	uint32_t lkey, rkey;
};

static uint64_t next_iova = 0x100000000000ull;

static void region_open(struct region *r, struct vhca *hca, uint32_t pd, size_t bytes, int access)
{
	uint32_t offset = 100;   /* the region starts inside its first page */
	uint32_t count = (uint32_t)((offset + bytes + PAGE - 1) / PAGE);
	r->hca = hca;
	ck_assert_int_eq(posix_memalign((void **)&r->base, PAGE, (size_t)count * PAGE), 0);
	memset(r->base, 0, (size_t)count * PAGE);
	r->pages = malloc(count * sizeof *r->pages);
	for (uint32_t i = 0; i < count; i++)
		r->pages[i] = r->base + (size_t)(count - 1 - i) * PAGE;
	r->mem = (struct vhca_mem){.iova = next_iova + offset, .length_bytes = bytes,
				   .first_page_offset = offset, .page_count = count,
				   .pages = r->pages, .fd = -1};
	next_iova += ((uint64_t)count + 16) * PAGE;
	ck_assert_int_eq(hca->ops->reg_mr(hca, pd, &r->mem, access, &r->lkey, &r->rkey), 0);
}

static void region_close(struct region *r)
{
	ck_assert_int_eq(r->hca->ops->dereg_mr(r->hca, r->lkey), 0);
	free(r->pages);
	free(r->base);
}

static uint64_t iova(const struct region *r, uint64_t offset) { return r->mem.iova + offset; }

/* Bytes [offset, offset + bytes) of the region to or from a flat buffer. */
static void region_io(struct region *r, uint64_t offset, uint8_t *buf, size_t bytes, int write)
{
	uint64_t at = r->mem.first_page_offset + offset;
	while (bytes) {
		size_t within = at % PAGE, n = PAGE - within < bytes ? PAGE - within : bytes;
		uint8_t *p = r->pages[at / PAGE] + within;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		at += n;
		buf += n;
		bytes -= n;
	}
}

static void fill(struct region *r, uint64_t offset, size_t bytes, uint64_t seed)
{
	uint8_t *tmp = malloc(bytes ? bytes : 1);
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (size_t i = 0; i < bytes; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		tmp[i] = (uint8_t)x;
	}
	region_io(r, offset, tmp, bytes, 1);
	free(tmp);
}

static int same(struct region *a, uint64_t a_off, struct region *b, uint64_t b_off, size_t bytes)
{
	uint8_t *x = malloc(bytes ? bytes : 1), *y = malloc(bytes ? bytes : 1);
	region_io(a, a_off, x, bytes, 0);
	region_io(b, b_off, y, bytes, 0);
	int equal = memcmp(x, y, bytes) == 0;
	free(x);
	free(y);
	return equal;
}

static int zero(struct region *r, uint64_t offset, size_t bytes)
{
	uint8_t *x = malloc(bytes ? bytes : 1);
	region_io(r, offset, x, bytes, 0);
	int z = 1;
	for (size_t i = 0; i < bytes; i++)
		z &= x[i] == 0;
	free(x);
	return z;
}

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

static const struct conn_opts default_opts = {ALL_ACCESS, 7, 7, 512, 14};
/* About 2 ms: a single thread pumps every HCA here, so no peer stands
 * still while a timer runs, and losses are repaired quickly. */
#define SHORT_ACK_TIMEOUT 9

static void side_open(struct side *s, int i, const struct conn_opts *o)
{
	s->hca = w.hca[i];
	s->pd = w.pd[i];
	ck_assert_int_eq(s->hca->ops->create_cq(s->hca, 4096, NULL, NULL, &s->cq), 0);
	struct vhca_qp_init init = {.pdn = s->pd, .send_cqn = s->cq, .recv_cqn = s->cq,
				    .cap = {.max_send_wr = o->wr, .max_recv_wr = o->wr, .max_send_sge = 4,
					    .max_recv_sge = 4, .max_inline_data = 256}};
	ck_assert_int_eq(s->hca->ops->create_qp(s->hca, &init, &s->qpn), 0);
}

static int to_init(struct side *s, int access)
{
	struct ibv_qp_attr a = {.qp_state = IBV_QPS_INIT, .pkey_index = 0, .port_num = 1,
				.qp_access_flags = (unsigned int)access};
	return s->hca->ops->modify_qp(s->hca, s->qpn, &a,
				      IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
}

static int to_rtr(struct side *s, uint16_t dlid, uint32_t dest_qpn)
{
	struct ibv_qp_attr a = {.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_4096,
				.dest_qp_num = dest_qpn, .rq_psn = 0xfffff0, .max_dest_rd_atomic = 4,
				.min_rnr_timer = 12, .ah_attr = {.dlid = dlid, .port_num = 1}};
	return s->hca->ops->modify_qp(s->hca, s->qpn, &a,
				      IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
					      IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
					      IBV_QP_MIN_RNR_TIMER);
}

/* sq_psn near the top of the 24-bit space, so PSNs wrap during the tests */
static int to_rts(struct side *s, const struct conn_opts *o)
{
	struct ibv_qp_attr a = {.qp_state = IBV_QPS_RTS, .sq_psn = 0xfffff0, .timeout = o->timeout,
				.retry_cnt = o->retry_cnt, .rnr_retry = o->rnr_retry, .max_rd_atomic = 4};
	return s->hca->ops->modify_qp(s->hca, s->qpn, &a,
				      IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
					      IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
}

static void conn_open_with(struct conn *c, int ia, int ib, const struct conn_opts *o)
{
	side_open(&c->a, ia, o);
	side_open(&c->b, ib, o);
	ck_assert_int_eq(to_init(&c->a, o->qp_access), 0);
	ck_assert_int_eq(to_init(&c->b, o->qp_access), 0);
	ck_assert_int_eq(to_rtr(&c->a, lid(c->b.hca), c->b.qpn), 0);
	ck_assert_int_eq(to_rtr(&c->b, lid(c->a.hca), c->a.qpn), 0);
	ck_assert_int_eq(to_rts(&c->a, o), 0);
	ck_assert_int_eq(to_rts(&c->b, o), 0);
}

/* wire: HCA 0 to HCA 1; local: HCA 2 to itself */
static void conn_open(struct conn *c, int local)
{
	conn_open_with(c, local ? 2 : 0, local ? 2 : 1, &default_opts);
}

static void side_close(struct side *s)
{
	ck_assert_int_eq(s->hca->ops->destroy_qp(s->hca, s->qpn), 0);
	ck_assert_int_eq(s->hca->ops->destroy_cq(s->hca, s->cq), 0);
}

static void conn_close(struct conn *c)
{
	side_close(&c->a);
	side_close(&c->b);
}

static int post(struct side *s, enum ibv_wr_opcode op, uint64_t wr_id, struct ibv_sge *sge, int n,
		uint64_t remote, uint32_t rkey, uint32_t imm, unsigned int flags)
{
	struct ibv_send_wr wr = {.wr_id = wr_id, .sg_list = sge, .num_sge = n, .opcode = op,
				 .send_flags = flags, .imm_data = imm};
	wr.wr.rdma.remote_addr = remote;
	wr.wr.rdma.rkey = rkey;
	return s->hca->ops->post_send(s->hca, s->qpn, &wr);
}

static int post_recv(struct side *s, uint64_t wr_id, struct ibv_sge *sge, int n)
{
	struct ibv_recv_wr wr = {.wr_id = wr_id, .sg_list = sge, .num_sge = n};
	return s->hca->ops->post_recv(s->hca, s->qpn, &wr);
}

/* The next completion of the side's CQ, pumping all HCAs; 0 on timeout. */
/* ibv_wc_status_str lives in libibverbs, which the test does not link */
static const char *status_name(enum ibv_wc_status status)
{
	static char text[4][16];
	static int next;
	char *t = text[next++ % 4];
	snprintf(t, sizeof text[0], "status %d", (int)status);
	return t;
}

static int wait_wc(struct side *s, struct ibv_wc *wc, int timeout_ms)
{
	for (int t = 0; t < timeout_ms * 4; t++) {
		if (s->hca->ops->poll_cq(s->hca, s->cq, 1, wc) == 1)
			return 1;
		pump();
	}
	return s->hca->ops->poll_cq(s->hca, s->cq, 1, wc) == 1;
}

static void expect_wc(struct side *s, uint64_t wr_id, enum ibv_wc_status status, enum ibv_wc_opcode op)
{
	struct ibv_wc wc;
	ck_assert_msg(wait_wc(s, &wc, 20000), "no completion for wr %llu", (unsigned long long)wr_id);
	ck_assert_msg(wc.status == status, "wr %llu: status %s, expected %s", (unsigned long long)wc.wr_id,
		      status_name(wc.status), status_name(status));
	ck_assert_uint_eq(wc.wr_id, wr_id);
	if (status == IBV_WC_SUCCESS)
		ck_assert_int_eq(wc.opcode, op);
}

static void expect_quiet(struct side *s)
{
	struct ibv_wc wc;
	for (int i = 0; i < 20; i++)
		pump();
	ck_assert_int_eq(s->hca->ops->poll_cq(s->hca, s->cq, 1, &wc), 0);
}

/* `n` SGEs covering `bytes` of r from `offset`, 64-byte holes between them. */
static uint64_t split(struct region *r, uint64_t offset, uint32_t bytes, int n, struct ibv_sge *sge)
{
	uint32_t left = bytes;
	for (int i = 0; i < n; i++) {
		uint32_t part = i + 1 == n ? left : bytes / (uint32_t)n;
		sge[i] = (struct ibv_sge){.addr = iova(r, offset), .length = part, .lkey = r->lkey};
		offset += part + 64;
		left -= part;
	}
	return offset;
}

/* Copy the SGE pieces of r into one flat region range, for comparing. */
static int same_sgl(struct region *r, const struct ibv_sge *sge, int n, struct region *flat, uint64_t off)
{
	for (int i = 0; i < n; i++) {
		if (!same(r, sge[i].addr - r->mem.iova, flat, off, sge[i].length))
			return 0;
		off += sge[i].length;
	}
	return 1;
}

/* One message of `bytes` with `nsge` local SGEs; data and completions checked. */
static void transfer(struct conn *c, enum ibv_wr_opcode op, uint32_t bytes, int nsge)
{
	static uint64_t seq;
	uint64_t id = ++seq;
	size_t room = (size_t)bytes + 64u * 4 + 8192;
	struct region local, remote;
	region_open(&local, c->a.hca, c->a.pd, room, ALL_ACCESS);
	region_open(&remote, c->b.hca, c->b.pd, room, ALL_ACCESS);
	struct ibv_sge sge[4], rsge[4];
	split(&local, 8, bytes, nsge, sge);
	int read = op == IBV_WR_RDMA_READ, send = op == IBV_WR_SEND || op == IBV_WR_SEND_WITH_IMM;
	int imm = op == IBV_WR_SEND_WITH_IMM || op == IBV_WR_RDMA_WRITE_WITH_IMM;
	if (read)
		fill(&remote, 7, bytes, id);
	else
		fill(&local, 0, room, id);
	int rn = send ? (nsge > 1 ? nsge - 1 : 1) : 1;   /* a different split on the receive side */
	split(&remote, 7, bytes, rn, rsge);
	if (send || imm)
		ck_assert_int_eq(post_recv(&c->b, id, rsge, rn), 0);
	ck_assert_int_eq(post(&c->a, op, id, sge, nsge, iova(&remote, 7), remote.rkey, htonl((uint32_t)id),
			      IBV_SEND_SIGNALED), 0);
	static const enum ibv_wc_opcode wc_op[] = {
		[IBV_WR_RDMA_WRITE] = IBV_WC_RDMA_WRITE, [IBV_WR_RDMA_WRITE_WITH_IMM] = IBV_WC_RDMA_WRITE,
		[IBV_WR_SEND] = IBV_WC_SEND, [IBV_WR_SEND_WITH_IMM] = IBV_WC_SEND,
		[IBV_WR_RDMA_READ] = IBV_WC_RDMA_READ};
	if (send || imm) {
		struct ibv_wc wc;
		ck_assert(wait_wc(&c->b, &wc, 20000));
		ck_assert_msg(wc.status == IBV_WC_SUCCESS, "%s", status_name(wc.status));
		ck_assert_uint_eq(wc.wr_id, id);
		ck_assert_uint_eq(wc.byte_len, bytes);
		ck_assert_int_eq(wc.opcode, send ? IBV_WC_RECV : IBV_WC_RECV_RDMA_WITH_IMM);
		ck_assert_int_eq(!!(wc.wc_flags & IBV_WC_WITH_IMM), imm);
		if (imm)
			ck_assert_uint_eq(ntohl(wc.imm_data), (uint32_t)id);
		ck_assert_uint_eq(wc.qp_num, c->b.qpn);
	}
	expect_wc(&c->a, id, IBV_WC_SUCCESS, wc_op[op]);
	/* the flat side is `remote` from 7 (or the receive's SGEs); the split
	 * side is `local`'s SGEs */
	if (send) {   /* gather both sides' pieces into flat buffers */
		uint8_t *x = malloc(bytes + 1), *y = malloc(bytes + 1);
		uint64_t o = 0;
		for (int k = 0; k < nsge; o += sge[k].length, k++)
			region_io(&local, sge[k].addr - local.mem.iova, x + o, sge[k].length, 0);
		o = 0;
		for (int k = 0; k < rn; o += rsge[k].length, k++)
			region_io(&remote, rsge[k].addr - remote.mem.iova, y + o, rsge[k].length, 0);
		ck_assert_msg(memcmp(x, y, bytes) == 0, "send of %u bytes in %d SGEs corrupted", bytes, nsge);
		free(x);
		free(y);
	} else {
		ck_assert_msg(same_sgl(&local, sge, nsge, &remote, 7), "%s of %u bytes in %d SGEs corrupted",
			      read ? "read" : "write", bytes, nsge);
		ck_assert(zero(&remote, 7 + bytes, 64));   /* nothing written past the end */
	}
	ck_assert(zero(&remote, 0, 7));
	region_close(&local);
	region_close(&remote);
}

static const enum ibv_wr_opcode verbs[] = {IBV_WR_RDMA_WRITE, IBV_WR_RDMA_WRITE_WITH_IMM, IBV_WR_SEND,
					    IBV_WR_SEND_WITH_IMM, IBV_WR_RDMA_READ};
static const uint32_t sizes[] = {1, 4095, 4096, 4097, 64 * KiB, 1 * MiB};

static void every_verb(int local)
{
	world_open(0);
	struct conn c;
	conn_open(&c, local);
	for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
			for (int nsge = 1; nsge <= 3; nsge += 2)
				transfer(&c, verbs[v], sizes[s], nsge);
	transfer(&c, IBV_WR_RDMA_WRITE, 0, 1);   /* zero-length */
	conn_close(&c);
	world_close();
}

START_TEST(every_verb_over_the_wire) { every_verb(0); }
END_TEST

START_TEST(every_verb_on_the_same_host) { every_verb(1); }
END_TEST

START_TEST(sixteen_mebibytes)
{
	world_open(0);
	struct conn c, l;
	conn_open(&c, 0);
	conn_open(&l, 1);
	transfer(&c, IBV_WR_RDMA_WRITE, 16 * MiB, 1);
	transfer(&c, IBV_WR_RDMA_READ, 16 * MiB, 3);
	transfer(&c, IBV_WR_SEND, 16 * MiB, 1);
	transfer(&l, IBV_WR_RDMA_WRITE, 16 * MiB, 3);
	conn_close(&c);
	conn_close(&l);
	world_close();
}
END_TEST

static void inline_sends(int local)
{
	world_open(0);
	struct conn c;
	conn_open(&c, local);
	struct region dst;
	region_open(&dst, c.b.hca, c.b.pd, 4096, ALL_ACCESS);
	char text[256];
	for (int i = 0; i < 256; i++)
		text[i] = (char)(i * 7 + 1);
	struct ibv_sge s[2] = {{.addr = (uintptr_t)text, .length = 100}, {.addr = (uintptr_t)(text + 100), .length = 156}};
	struct ibv_sge r = {.addr = iova(&dst, 0), .length = 4096, .lkey = dst.lkey};
	ck_assert_int_eq(post_recv(&c.b, 1, &r, 1), 0);
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 1, s, 2, 0, 0, 0, IBV_SEND_INLINE | IBV_SEND_SIGNALED), 0);
	memset(text, 0, sizeof text);   /* inline data was taken at post time */
	ck_assert_int_eq(post(&c.a, IBV_WR_RDMA_WRITE, 2, s, 1, iova(&dst, 1000), dst.rkey, 0,
			      IBV_SEND_INLINE | IBV_SEND_SIGNALED), 0);
	expect_wc(&c.b, 1, IBV_WC_SUCCESS, IBV_WC_RECV);
	expect_wc(&c.a, 1, IBV_WC_SUCCESS, IBV_WC_SEND);
	expect_wc(&c.a, 2, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE);
	uint8_t got[256];
	region_io(&dst, 0, got, 256, 0);
	for (int i = 0; i < 256; i++)
		ck_assert_uint_eq(got[i], (uint8_t)(i * 7 + 1));
	ck_assert(zero(&dst, 1000, 100));
	/* too much inline data: refused at post */
	struct ibv_sge big = {.addr = (uintptr_t)text, .length = 257};
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 3, &big, 1, 0, 0, 0, IBV_SEND_INLINE), EINVAL);
	region_close(&dst);
	conn_close(&c);
	world_close();
}

START_TEST(inline_data) { inline_sends(0); inline_sends(1); }
END_TEST

/* Many writes, then a send: its receive completion implies they landed. */
static void ordering(int local)
{
	world_open(0);
	struct conn c;
	conn_open(&c, local);
	struct region src, dst, msg;
	region_open(&src, c.a.hca, c.a.pd, 100 * 5000, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 100 * 5000, ALL_ACCESS);
	region_open(&msg, c.b.hca, c.b.pd, 64, ALL_ACCESS);
	fill(&src, 0, 100 * 5000, 9);
	struct ibv_sge r = {.addr = iova(&msg, 0), .length = 64, .lkey = msg.lkey};
	ck_assert_int_eq(post_recv(&c.b, 77, &r, 1), 0);
	for (int i = 0; i < 100; i++) {
		struct ibv_sge s = {.addr = iova(&src, (uint64_t)i * 5000), .length = 5000, .lkey = src.lkey};
		ck_assert_int_eq(post(&c.a, IBV_WR_RDMA_WRITE, (uint64_t)i, &s, 1, iova(&dst, (uint64_t)i * 5000),
				      dst.rkey, 0, 0), 0);
	}
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 8, .lkey = src.lkey};
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 100, &s, 1, 0, 0, 0, IBV_SEND_SIGNALED), 0);
	expect_wc(&c.b, 77, IBV_WC_SUCCESS, IBV_WC_RECV);
	ck_assert(same(&src, 0, &dst, 0, 100 * 5000));
	/* unsignaled writes completed silently: the only send completion is 100 */
	expect_wc(&c.a, 100, IBV_WC_SUCCESS, IBV_WC_SEND);
	expect_quiet(&c.a);
	region_close(&src);
	region_close(&dst);
	region_close(&msg);
	conn_close(&c);
	world_close();
}

START_TEST(rc_ordering) { ordering(0); ordering(1); }
END_TEST

START_TEST(qp_state_machine)
{
	world_open(0);
	struct side a, b;
	side_open(&a, 0, &default_opts);
	side_open(&b, 1, &default_opts);
	struct vhca *h = a.hca;
	struct ibv_sge sge = {.addr = 0, .length = 0, .lkey = 0};
	ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &sge, 0, 0, 0, 0, 0), EINVAL);   /* RESET */
	ck_assert_int_eq(post_recv(&a, 1, &sge, 0), EINVAL);
	struct ibv_qp_attr attr = {.qp_state = IBV_QPS_RTR};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), EINVAL);  /* RESET->RTR */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_INIT, .port_num = 1};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_PORT), EINVAL);  /* missing */
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, 0), EINVAL);   /* no state */
	ck_assert_int_eq(h->ops->modify_qp(h, 12345, &attr, IBV_QP_STATE), EINVAL);   /* no QP */
	attr.port_num = 2;
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
								    IBV_QP_ACCESS_FLAGS), EINVAL);  /* bad port */
	ck_assert_int_eq(to_init(&a, ALL_ACCESS), 0);
	ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &sge, 0, 0, 0, 0, 0), EINVAL);   /* INIT */
	ck_assert_int_eq(post_recv(&a, 1, &sge, 0), 0);                              /* allowed */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTS};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), EINVAL);  /* INIT->RTS */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_4096,
				    .ah_attr = {.dlid = lid(b.hca)}};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU),
			 EINVAL);   /* RTR without DEST_QPN, RQ_PSN, ... */
	ck_assert_int_eq(to_rtr(&a, lid(b.hca), b.qpn), 0);
	ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &sge, 0, 0, 0, 0, 0), EINVAL);   /* RTR */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RTS, .sq_psn = 1};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE | IBV_QP_SQ_PSN), EINVAL);
	struct conn_opts bad = default_opts;
	bad.retry_cnt = 8;
	ck_assert_int_eq(to_rts(&a, &bad), EINVAL);   /* retry_cnt is 3 bits */
	ck_assert_int_eq(to_rts(&a, &default_opts), 0);
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_INIT};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), EINVAL);  /* RTS->INIT */
	struct ibv_qp_attr q;
	ck_assert_int_eq(h->ops->query_qp(h, a.qpn, &q), 0);
	ck_assert_int_eq(q.qp_state, IBV_QPS_RTS);
	ck_assert_uint_eq(q.dest_qp_num, b.qpn);
	/* RTS -> ERROR flushes the receive posted in INIT; -> RESET -> INIT again */
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_ERR};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), 0);
	expect_wc(&a, 1, IBV_WC_WR_FLUSH_ERR, IBV_WC_RECV);
	attr = (struct ibv_qp_attr){.qp_state = IBV_QPS_RESET};
	ck_assert_int_eq(h->ops->modify_qp(h, a.qpn, &attr, IBV_QP_STATE), 0);
	ck_assert_int_eq(to_init(&a, ALL_ACCESS), 0);
	/* objects in use refuse to go */
	ck_assert_int_eq(h->ops->destroy_cq(h, a.cq), EBUSY);
	ck_assert_int_eq(h->ops->dealloc_pd(h, a.pd), EBUSY);
	side_close(&a);
	side_close(&b);
	world_close();
}
END_TEST

/* One failing operation on a fresh connection: the requester's status, the
 * receive's (if one is posted), and both QPs end in ERROR. */
static void failing(int local, int access, enum ibv_wr_opcode op, int breakage,
		    enum ibv_wc_status want, enum ibv_wc_status want_recv)
{
	struct conn c;
	struct conn_opts o = default_opts;
	o.qp_access = access;
	conn_open_with(&c, local ? 2 : 0, local ? 2 : 1, &o);
	struct region src, dst, ro;
	region_open(&src, c.a.hca, c.a.pd, 8192, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 8192, ALL_ACCESS);
	region_open(&ro, c.b.hca, c.b.pd, 8192, 0);   /* no remote access */
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 6000, .lkey = src.lkey};
	struct ibv_sge r = {.addr = iova(&dst, 0), .length = 8192, .lkey = dst.lkey};
	uint64_t remote = iova(&dst, 0);
	uint32_t rkey = dst.rkey;
	switch (breakage) {
	case 1: s.lkey ^= 0x10000; break;               /* bad lkey */
	case 2: rkey ^= 0x10000; break;                 /* bad rkey */
	case 3: rkey = ro.rkey; remote = iova(&ro, 0); break;   /* region without remote access */
	case 4: remote = iova(&dst, 4000); break;       /* past the region's end */
	case 5: r.length = 5999; break;                 /* receive too small */
	case 6: s.addr = iova(&src, 8000); break;       /* local SGE past its region */
	default: break;                                 /* the QP's access flags break it */
	}
	if (want_recv != IBV_WC_SUCCESS || op == IBV_WR_SEND)
		ck_assert_int_eq(post_recv(&c.b, 5, &r, 1), 0);
	ck_assert_int_eq(post(&c.a, op, 9, &s, 1, remote, rkey, 0, IBV_SEND_SIGNALED), 0);
	ck_assert_int_eq(post(&c.a, op, 10, &s, 1, remote, rkey, 0, 0), 0);  /* flushed behind */
	expect_wc(&c.a, 9, want, 0);
	expect_wc(&c.a, 10, IBV_WC_WR_FLUSH_ERR, 0);
	if (want_recv != IBV_WC_SUCCESS)
		expect_wc(&c.b, 5, want_recv, 0);
	struct ibv_qp_attr q;
	ck_assert_int_eq(c.a.hca->ops->query_qp(c.a.hca, c.a.qpn, &q), 0);
	ck_assert_int_eq(q.qp_state, IBV_QPS_ERR);
	/* an errored QP still takes posts and flushes them */
	ck_assert_int_eq(post(&c.a, op, 11, &s, 1, remote, rkey, 0, 0), 0);
	expect_wc(&c.a, 11, IBV_WC_WR_FLUSH_ERR, 0);
	region_close(&src);
	region_close(&dst);
	region_close(&ro);
	conn_close(&c);
}

static void protection_errors(int local)
{
	world_open(0);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 1, IBV_WC_LOC_PROT_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_SEND, 6, IBV_WC_LOC_PROT_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 2, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_READ, 2, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 3, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_READ, 3, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_RDMA_WRITE, 4, IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ, IBV_WR_RDMA_WRITE, 0,
		IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE, IBV_WR_RDMA_READ, 0,
		IBV_WC_REM_ACCESS_ERR, IBV_WC_SUCCESS);
	failing(local, ALL_ACCESS, IBV_WR_SEND, 5, IBV_WC_REM_INV_REQ_ERR, IBV_WC_LOC_LEN_ERR);
	world_close();
}

START_TEST(protection_errors_over_the_wire) { protection_errors(0); }
END_TEST

START_TEST(protection_errors_on_the_same_host) { protection_errors(1); }
END_TEST

static void rnr(int local)
{
	world_open(0);
	struct conn c;
	conn_open(&c, local);
	struct region src, dst;
	region_open(&src, c.a.hca, c.a.pd, 10000, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 10000, ALL_ACCESS);
	fill(&src, 0, 10000, 3);
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 10000, .lkey = src.lkey};
	struct ibv_sge r = {.addr = iova(&dst, 0), .length = 10000, .lkey = dst.lkey};
	struct vhca_soft_stats before, after;
	vhca_soft_get_stats(c.a.hca, &before);
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 1, &s, 1, 0, 0, 0, IBV_SEND_SIGNALED), 0);
	ck_assert_int_eq(post(&c.a, IBV_WR_RDMA_WRITE_WITH_IMM, 2, &s, 1, iova(&dst, 0), dst.rkey, 5,
			      IBV_SEND_SIGNALED), 0);
	for (int i = 0; i < 40; i++)   /* ~10 ms: several RNR waits */
		pump();
	expect_quiet(&c.a);
	ck_assert_int_eq(post_recv(&c.b, 7, &r, 1), 0);
	expect_wc(&c.b, 7, IBV_WC_SUCCESS, IBV_WC_RECV);
	expect_wc(&c.a, 1, IBV_WC_SUCCESS, IBV_WC_SEND);
	ck_assert(same(&src, 0, &dst, 0, 10000));
	for (int i = 0; i < 10; i++)
		pump();
	ck_assert_int_eq(post_recv(&c.b, 8, &r, 1), 0);
	expect_wc(&c.b, 8, IBV_WC_SUCCESS, IBV_WC_RECV_RDMA_WITH_IMM);
	expect_wc(&c.a, 2, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE);
	vhca_soft_get_stats(c.a.hca, &after);
	ck_assert_uint_gt(after.rnr_naks, before.rnr_naks + 2);
	conn_close(&c);
	/* rnr_retry 0: the first RNR NAK ends it */
	struct conn_opts o = default_opts;
	o.rnr_retry = 0;
	conn_open_with(&c, local ? 2 : 0, local ? 2 : 1, &o);
	ck_assert_int_eq(post(&c.a, IBV_WR_SEND, 3, &s, 1, 0, 0, 0, IBV_SEND_SIGNALED), 0);
	expect_wc(&c.a, 3, IBV_WC_RNR_RETRY_EXC_ERR, 0);
	conn_close(&c);
	region_close(&src);
	region_close(&dst);
	world_close();
}

START_TEST(receiver_not_ready) { rnr(0); rnr(1); }
END_TEST

/* A peer QP that does not exist: every try times out. */
START_TEST(retries_exhausted)
{
	world_open(0);
	for (int local = 0; local < 2; local++) {
		struct conn_opts o = default_opts;
		o.retry_cnt = 2;
		o.timeout = SHORT_ACK_TIMEOUT;
		struct side a;
		side_open(&a, local ? 2 : 0, &o);
		ck_assert_int_eq(to_init(&a, ALL_ACCESS), 0);
		ck_assert_int_eq(to_rtr(&a, lid(w.hca[local ? 2 : 1]), 0xabcde), 0);
		ck_assert_int_eq(to_rts(&a, &o), 0);
		struct ibv_sge s = {0};
		ck_assert_int_eq(post(&a, IBV_WR_SEND, 1, &s, 0, 0, 0, 0, 0), 0);
		expect_wc(&a, 1, IBV_WC_RETRY_EXC_ERR, 0);
		side_close(&a);
	}
	world_close();
}
END_TEST

/* Only HCA `i` runs for `ms` milliseconds: the others stand still, as the
 * peer of a host that does not schedule its HCA for a while. */
static void pump_only(int i, unsigned ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		w.hca[i]->ops->process(w.hca[i]);
		usleep(500);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

/* The requester waits its QP's Local ACK Timeout (4.096 us x 2^timeout,
 * 0 = infinite) for an answer, not a shorter time of its own: a peer that
 * stands still for 30 ms is neither retried nor given up on by a QP whose
 * timeout is 18 (about 1.07 s) or 0, and the write completes once the peer
 * runs again.  On the same host, a peer not ready yet is waited for the
 * same way, and the try after the first expiry finds it ready. */
static void patient(int local, uint8_t timeout)
{
	world_open(0);
	struct conn_opts o = default_opts;
	o.timeout = timeout;
	o.retry_cnt = 1;           /* a second expiry would fail the write */
	struct conn c;
	int ia = local ? 2 : 0, ib = local ? 2 : 1;
	side_open(&c.a, ia, &o);
	side_open(&c.b, ib, &o);
	ck_assert_int_eq(to_init(&c.a, ALL_ACCESS), 0);
	ck_assert_int_eq(to_init(&c.b, ALL_ACCESS), 0);
	ck_assert_int_eq(to_rtr(&c.a, lid(c.b.hca), c.b.qpn), 0);
	ck_assert_int_eq(to_rts(&c.a, &o), 0);
	if (!local) {   /* the wire peer is ready, just not running */
		ck_assert_int_eq(to_rtr(&c.b, lid(c.a.hca), c.a.qpn), 0);
		ck_assert_int_eq(to_rts(&c.b, &o), 0);
	}
	struct region src, dst;
	region_open(&src, c.a.hca, c.a.pd, 8192, ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, 8192, ALL_ACCESS);
	fill(&src, 0, 8192, 9);
	struct ibv_sge s = {.addr = iova(&src, 0), .length = 8192, .lkey = src.lkey};
	struct vhca_soft_stats before, after;
	vhca_soft_get_stats(c.a.hca, &before);
	ck_assert_int_eq(post(&c.a, IBV_WR_RDMA_WRITE, 1, &s, 1, iova(&dst, 0), dst.rkey, 0,
			      IBV_SEND_SIGNALED), 0);
	pump_only(ia, 30);
	vhca_soft_get_stats(c.a.hca, &after);
	ck_assert_msg(after.timeouts == before.timeouts && after.retransmits == before.retransmits,
		      "timeout %u: %llu expiries and %llu retransmissions within 30 ms", timeout,
		      (unsigned long long)(after.timeouts - before.timeouts),
		      (unsigned long long)(after.retransmits - before.retransmits));
	if (local) {   /* ready now: the next try (one timeout on) goes through */
		ck_assert_int_eq(to_rtr(&c.b, lid(c.a.hca), c.a.qpn), 0);
		ck_assert_int_eq(to_rts(&c.b, &o), 0);
	}
	if (timeout != 0) {   /* with no timer a same-host try never comes again */
		expect_wc(&c.a, 1, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE);
		ck_assert(same(&src, 0, &dst, 0, 8192));
	}
	region_close(&src);
	region_close(&dst);
	conn_close(&c);
	world_close();
}

START_TEST(slow_peer_within_the_ack_timeout) { patient(0, 18); patient(1, 18); }
END_TEST

START_TEST(infinite_ack_timeout) { patient(0, 0); patient(1, 0); }
END_TEST

/* 200 messages of mixed kinds and sizes through a lossy wire: each arrives
 * intact, in order, completed exactly once. */
static void lossy(double loss)
{
	world_open(loss);
	struct conn_opts o = default_opts;
	o.timeout = SHORT_ACK_TIMEOUT;
	struct conn c;
	conn_open_with(&c, 0, 1, &o);
	enum { N = 200 };
	static const uint32_t mix[] = {1, 100, 4096, 5000, 20000, 70000};
	uint64_t off[N + 1] = {0};
	for (int i = 0; i < N; i++)
		off[i + 1] = off[i] + mix[i % 6] + 13;
	struct region src, dst, rsrc, rdst;
	region_open(&src, c.a.hca, c.a.pd, off[N], ALL_ACCESS);
	region_open(&rdst, c.a.hca, c.a.pd, off[N], ALL_ACCESS);
	region_open(&dst, c.b.hca, c.b.pd, off[N], ALL_ACCESS);
	region_open(&rsrc, c.b.hca, c.b.pd, off[N], ALL_ACCESS);
	fill(&src, 0, off[N], 1);
	fill(&rsrc, 0, off[N], 2);
	/* send, write-with-immediate, read, in turn */
	for (int i = 0; i < N; i++) {
		struct ibv_sge r = {.addr = iova(&dst, off[i]), .length = mix[i % 6], .lkey = dst.lkey};
		if (i % 3 != 2)
			ck_assert_int_eq(post_recv(&c.b, (uint64_t)i, &r, 1), 0);
	}
	for (int i = 0; i < N; i++) {
		static const enum ibv_wr_opcode kinds[] = {IBV_WR_SEND, IBV_WR_RDMA_WRITE_WITH_IMM,
							   IBV_WR_RDMA_READ};
		int read = i % 3 == 2;
		struct ibv_sge s = {.addr = iova(read ? &rdst : &src, off[i]), .length = mix[i % 6],
				    .lkey = read ? rdst.lkey : src.lkey};
		uint64_t remote = iova(read ? &rsrc : &dst, off[i]);
		ck_assert_int_eq(post(&c.a, kinds[i % 3], (uint64_t)i, &s, 1, remote,
				      read ? rsrc.rkey : dst.rkey, htonl((uint32_t)i), IBV_SEND_SIGNALED), 0);
	}
	for (int i = 0; i < N; i++) {
		struct ibv_wc wc;
		ck_assert_msg(wait_wc(&c.a, &wc, 30000), "message %d never completed", i);
		ck_assert_msg(wc.status == IBV_WC_SUCCESS && wc.wr_id == (uint64_t)i,
			      "message %d: got wr %llu status %s", i, (unsigned long long)wc.wr_id,
			      status_name(wc.status));
	}
	for (int i = 0; i < N; i++) {
		if (i % 3 == 2)
			continue;
		struct ibv_wc wc;
		ck_assert(wait_wc(&c.b, &wc, 30000));
		ck_assert_uint_eq(wc.wr_id, (uint64_t)i);
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(wc.byte_len, mix[i % 6]);
	}
	for (int i = 0; i < N; i++) {
		if (i % 3 == 2)
			ck_assert_msg(same(&rdst, off[i], &rsrc, off[i], mix[i % 6]), "read %d corrupted", i);
		else
			ck_assert_msg(same(&src, off[i], &dst, off[i], mix[i % 6]), "message %d corrupted", i);
	}
	expect_quiet(&c.a);
	expect_quiet(&c.b);
	struct vhca_soft_stats a, b;
	vhca_soft_get_stats(c.a.hca, &a);
	vhca_soft_get_stats(c.b.hca, &b);
	ck_assert_uint_gt(a.packets_dropped + b.packets_dropped, 0);
	ck_assert_uint_gt(a.retransmits, 0);
	region_close(&src);
	region_close(&dst);
	region_close(&rsrc);
	region_close(&rdst);
	conn_close(&c);
	world_close();
}

START_TEST(loss_5_percent) { lossy(0.05); }
END_TEST

START_TEST(loss_20_percent) { lossy(0.20); }
END_TEST

START_TEST(many_qps)
{
	world_open(0);
	enum { N = 64, BYTES = 64 * KiB };
	static struct conn c[N];
	struct region src, dst, msg;
	region_open(&src, w.hca[0], w.pd[0], (size_t)N * BYTES, ALL_ACCESS);
	region_open(&dst, w.hca[1], w.pd[1], (size_t)N * BYTES, ALL_ACCESS);
	region_open(&msg, w.hca[1], w.pd[1], (size_t)N * 64, ALL_ACCESS);
	fill(&src, 0, (size_t)N * BYTES, 5);
	struct conn_opts o = default_opts;
	o.wr = 8;
	for (int i = 0; i < N; i++)
		conn_open_with(&c[i], 0, 1, &o);
	for (int i = 0; i < N; i++) {
		struct ibv_sge r = {.addr = iova(&msg, (uint64_t)i * 64), .length = 64, .lkey = msg.lkey};
		ck_assert_int_eq(post_recv(&c[i].b, (uint64_t)i, &r, 1), 0);
		struct ibv_sge s = {.addr = iova(&src, (uint64_t)i * BYTES), .length = BYTES, .lkey = src.lkey};
		ck_assert_int_eq(post(&c[i].a, IBV_WR_RDMA_WRITE, 1, &s, 1, iova(&dst, (uint64_t)i * BYTES),
				      dst.rkey, 0, 0), 0);
		s.length = 64;
		ck_assert_int_eq(post(&c[i].a, IBV_WR_SEND, 2, &s, 1, 0, 0, 0, IBV_SEND_SIGNALED), 0);
	}
	for (int i = 0; i < N; i++) {
		expect_wc(&c[i].b, (uint64_t)i, IBV_WC_SUCCESS, IBV_WC_RECV);
		expect_wc(&c[i].a, 2, IBV_WC_SUCCESS, IBV_WC_SEND);
		ck_assert(same(&src, (uint64_t)i * BYTES, &dst, (uint64_t)i * BYTES, BYTES));
	}
	for (int i = 0; i < N; i++)
		conn_close(&c[i]);
	region_close(&src);
	region_close(&dst);
	region_close(&msg);
	world_close();
}
END_TEST

START_TEST(flush_on_error)
{
	world_open(0);
	for (int local = 0; local < 2; local++) {
		struct conn c;
		conn_open(&c, local);
		struct region buf;
		region_open(&buf, c.b.hca, c.b.pd, 4096, ALL_ACCESS);
		struct ibv_sge r = {.addr = iova(&buf, 0), .length = 4096, .lkey = buf.lkey};
		for (uint64_t i = 0; i < 5; i++)
			ck_assert_int_eq(post_recv(&c.b, i, &r, 1), 0);
		struct ibv_qp_attr attr = {.qp_state = IBV_QPS_ERR};
		ck_assert_int_eq(c.b.hca->ops->modify_qp(c.b.hca, c.b.qpn, &attr, IBV_QP_STATE), 0);
		for (uint64_t i = 0; i < 5; i++)
			expect_wc(&c.b, i, IBV_WC_WR_FLUSH_ERR, 0);
		ck_assert_int_eq(post_recv(&c.b, 9, &r, 1), 0);
		expect_wc(&c.b, 9, IBV_WC_WR_FLUSH_ERR, 0);
		/* the peer of an errored QP: its sends find nobody and time out */
		region_close(&buf);
		conn_close(&c);
	}
	world_close();
}
END_TEST

/* ---- the packet decoder ---- */

static size_t encode(uint8_t *buf, uint8_t opcode, uint32_t payload)
{
	struct soft_pkt pkt = {.opcode = opcode, .pkey = 0xffff, .dest_qpn = 0x1234, .psn = 0xabcdef,
			       .ackreq = 1, .va = 0x1122334455667788ull, .rkey = 0x99, .dma_length = payload,
			       .syndrome = SOFT_AETH_ACK_UNLIMITED, .msn = 3, .imm = 0x01020304,
			       .payload_bytes = payload};
	size_t header = soft_pkt_encode(buf, &pkt);
	memset(buf + header, 0x5a, payload);
	return soft_pkt_bytes(&pkt);
}

START_TEST(decoder_round_trip)
{
	static uint8_t buf[SOFT_PKT_MAX_BYTES];
	for (unsigned op = 0; op < SOFT_OP_COUNT; op++) {
		const struct soft_opcode_info *info = soft_opcode_info(op);
		uint32_t payload = (info->flags & SOFT_HDR_PAYLOAD) ? 4093 : 0;
		if (op == SOFT_OP_WRITE_FIRST)
			payload = 4093;   /* dma_length must exceed it: set below */
		size_t n = encode(buf, (uint8_t)op, payload);
		if (op == SOFT_OP_WRITE_FIRST)
			buf[SOFT_BTH_BYTES + 12] = 0x7f;   /* dma_length high byte */
		struct soft_pkt pkt;
		ck_assert_msg(soft_pkt_decode(buf, n, &pkt) == 0, "%s", info->name);
		ck_assert_uint_eq(pkt.opcode, op);
		ck_assert_uint_eq(pkt.psn, 0xabcdef);
		ck_assert_uint_eq(pkt.dest_qpn, 0x1234);
		ck_assert_uint_eq(pkt.payload_bytes, payload);
		ck_assert_uint_eq(pkt.ackreq, 1);
		if (info->flags & SOFT_HDR_RETH)
			ck_assert(pkt.va == 0x1122334455667788ull && pkt.rkey == 0x99);
		if (info->flags & SOFT_HDR_AETH)
			ck_assert(pkt.syndrome == SOFT_AETH_ACK_UNLIMITED && pkt.msn == 3);
		if (info->flags & SOFT_HDR_IMMDT)
			ck_assert_uint_eq(pkt.imm, 0x01020304);
	}
}
END_TEST

START_TEST(decoder_rejects_malformed)
{
	static uint8_t buf[SOFT_PKT_MAX_BYTES + 16];
	struct soft_pkt pkt;
	size_t n = encode(buf, SOFT_OP_SEND_ONLY, 100);
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), 0);
	for (size_t cut = 0; cut < SOFT_BTH_BYTES; cut++)   /* short */
		ck_assert_int_eq(soft_pkt_decode(buf, cut, &pkt), EINVAL);
	ck_assert_int_eq(soft_pkt_decode(NULL, 100, &pkt), EINVAL);
	ck_assert_int_eq(soft_pkt_decode(buf, n - 1, &pkt), EINVAL);   /* payload+pad not aligned */
	buf[0] = 0x13;   /* atomic: not spoken */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	buf[0] = 0xff;
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_SEND_ONLY, 100);
	buf[1] |= 0x01;   /* transport version */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_READ_REQUEST, 0);
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), 0);
	ck_assert_int_eq(soft_pkt_decode(buf, n - 1, &pkt), EINVAL);   /* RETH cut */
	ck_assert_int_eq(soft_pkt_decode(buf, n + 4, &pkt), EINVAL);   /* payload on a read request */
	buf[SOFT_BTH_BYTES + 12] = 0xff;   /* dma_length over 2 GiB */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_ACKNOWLEDGE, 0);
	buf[SOFT_BTH_BYTES] = 0x40;   /* reserved AETH type */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	buf[SOFT_BTH_BYTES] = 0x6f;   /* undefined NAK code */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_READ_RESPONSE_ONLY, 8);
	buf[SOFT_BTH_BYTES] = SOFT_AETH_NAK_REMOTE_ACCESS;   /* NAK in a read response */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_WRITE_ONLY, 64);
	buf[SOFT_BTH_BYTES + 15] = 65;   /* dma_length disagrees with the payload */
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), EINVAL);
	n = encode(buf, SOFT_OP_SEND_MIDDLE, 4096);
	ck_assert_int_eq(soft_pkt_decode(buf, n, &pkt), 0);
	ck_assert_int_eq(soft_pkt_decode(buf, n + 4, &pkt), EINVAL);   /* payload over 4096 */
	/* random garbage never crashes the decoder */
	uint64_t x = 7;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t len = x % 80;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)(x >> (j % 56));
		buf[0] = (uint8_t)(x % 20);
		(void)soft_pkt_decode(buf, len, &pkt);
	}
}
END_TEST

/* Garbage sent to a live HCA's port is rejected and changes nothing. */
START_TEST(hca_survives_garbage)
{
	world_open(0);
	struct conn c;
	conn_open(&c, 0);
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(lid(w.hca[1])),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static uint8_t buf[SOFT_PKT_MAX_BYTES];
	uint64_t x = 99;
	for (int i = 0; i < 2000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t len = encode(buf, (uint8_t)(x % SOFT_OP_COUNT), 0);
		buf[5] = (uint8_t)(c.b.qpn >> 16), buf[6] = (uint8_t)(c.b.qpn >> 8), buf[7] = (uint8_t)c.b.qpn;
		buf[9 + x % 3] ^= (uint8_t)(x >> 8);
		sendto(sock, buf, len + (x >> 20) % 9, 0, (struct sockaddr *)&to, sizeof to);
		if (i % 100 == 0)
			pump();
	}
	close(sock);
	for (int i = 0; i < 10; i++)
		pump();
	struct vhca_soft_stats st;
	vhca_soft_get_stats(w.hca[1], &st);
	ck_assert_uint_gt(st.packets_rejected, 1000);
	transfer(&c, IBV_WR_SEND, 5000, 2);   /* the connection still works */
	conn_close(&c);
	world_close();
}
END_TEST

START_TEST(device_queries)
{
	world_open(0);
	struct ibv_device_attr d;
	ck_assert_int_eq(w.hca[0]->ops->query_device(w.hca[0], &d), 0);
	ck_assert_int_eq(d.max_qp, 4096);
	ck_assert_int_eq(d.max_mr, 4096);
	ck_assert_int_eq(d.max_cq, 4096);
	ck_assert_int_ne(lid(w.hca[0]), lid(w.hca[1]));
	struct ibv_port_attr p;
	ck_assert_int_eq(w.hca[0]->ops->query_port(w.hca[0], 2, &p), EINVAL);
	struct vhca_soft_config config;
	vhca_soft_default_config(&config);
	config.mtu_bytes = 1000;
	struct vhca *h;
	char err[200];
	ck_assert_int_eq(vhca_soft_create(&config, NULL, 0, &h, err, sizeof err), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "mtu_bytes"));
	/* a region description that lies is refused */
	uint8_t *pages[1] = {NULL};
	struct vhca_mem m = {.iova = 0, .length_bytes = 10, .page_count = 1, .pages = pages};
	uint32_t l, r;
	ck_assert_int_eq(w.hca[0]->ops->reg_mr(w.hca[0], w.pd[0], &m, 0, &l, &r), EINVAL);
	static uint8_t page[PAGE] __attribute__((aligned(4096)));
	pages[0] = page;
	m.length_bytes = PAGE + 1;
	ck_assert_int_eq(w.hca[0]->ops->reg_mr(w.hca[0], w.pd[0], &m, 0, &l, &r), EINVAL);
	m.length_bytes = 10;
	m.iova = UINT64_MAX - 5;
	ck_assert_int_eq(w.hca[0]->ops->reg_mr(w.hca[0], w.pd[0], &m, 0, &l, &r), EINVAL);
	m.iova = 0;
	ck_assert_int_eq(w.hca[0]->ops->reg_mr(w.hca[0], w.pd[0], &m, IBV_ACCESS_REMOTE_WRITE, &l, &r), EINVAL);
	ck_assert_int_eq(w.hca[0]->ops->reg_mr(w.hca[0], w.pd[0], &m, 0, &l, &r), 0);
	ck_assert_int_eq(w.hca[0]->ops->dereg_mr(w.hca[0], l), 0);
	ck_assert_int_eq(w.hca[0]->ops->dereg_mr(w.hca[0], l), EINVAL);
	world_close();
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("soft_hca");
	TCase *packets = tcase_create("packets");
	tcase_add_test(packets, decoder_round_trip);
	tcase_add_test(packets, decoder_rejects_malformed);
	suite_add_tcase(suite, packets);
	TCase *data = tcase_create("data");
	tcase_set_timeout(data, 120);
	tcase_add_test(data, every_verb_over_the_wire);
	tcase_add_test(data, every_verb_on_the_same_host);
	tcase_add_test(data, sixteen_mebibytes);
	tcase_add_test(data, inline_data);
	tcase_add_test(data, rc_ordering);
	tcase_add_test(data, many_qps);
	suite_add_tcase(suite, data);
	TCase *errors = tcase_create("errors");
	tcase_set_timeout(errors, 60);
	tcase_add_test(errors, device_queries);
	tcase_add_test(errors, qp_state_machine);
	tcase_add_test(errors, protection_errors_over_the_wire);
	tcase_add_test(errors, protection_errors_on_the_same_host);
	tcase_add_test(errors, receiver_not_ready);
	tcase_add_test(errors, retries_exhausted);
	tcase_add_test(errors, slow_peer_within_the_ack_timeout);
	tcase_add_test(errors, infinite_ack_timeout);
	tcase_add_test(errors, flush_on_error);
	tcase_add_test(errors, hca_survives_garbage);
	suite_add_tcase(suite, errors);
	TCase *loss = tcase_create("loss");
	tcase_set_timeout(loss, 120);
	tcase_add_test(loss, loss_5_percent);
	tcase_add_test(loss, loss_20_percent);
	suite_add_tcase(suite, loss);
	return run_suite(suite);
}
