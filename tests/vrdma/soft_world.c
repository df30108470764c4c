/*
 * tests/vrdma/soft_world.c -- see soft_world.h.
 */
#include "tests/vrdma/soft_world.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* ---- a little world of HCAs ---- */

struct world sw;
static int async_events;

static void on_async(void *ctx, enum ibv_event_type type, uint32_t object) { async_events++; }

void world_open(double loss)
{
	sw.epoll_fd = epoll_create1(0);
	ck_assert_int_ge(sw.epoll_fd, 0);
	for (int i = 0; i < 3; i++) {
		struct vhca_soft_config config;
		char err[200];
		vhca_soft_default_config(&config);
		config.loss_probability = i < 2 ? loss : 0;
		config.loss_seed = 42 + (uint64_t)i;
		config.rnr_timer_us = 500;
		ck_assert_msg(vhca_soft_create(&config, NULL, (uint8_t)i, &sw.hca[i], err, sizeof err) == 0,
			      "%s", err);
		sw.hca[i]->on_async = on_async;
		ck_assert_int_eq(sw.hca[i]->ops->alloc_pd(sw.hca[i], &sw.pd[i]), 0);
		struct epoll_event ev = {.events = EPOLLIN};
		ck_assert_int_eq(epoll_ctl(sw.epoll_fd, EPOLL_CTL_ADD, sw.hca[i]->ops->event_fd(sw.hca[i]), &ev),
				 0);
	}
}

void world_close(void)
{
	for (int i = 0; i < 3; i++)
		sw.hca[i]->ops->destroy(sw.hca[i]);
	close(sw.epoll_fd);
}

/* Let every HCA do what it has; sleep on their fds when none has any. */
void pump(void)
{
	for (int i = 0; i < 3; i++)
		sw.hca[i]->ops->process(sw.hca[i]);
	struct epoll_event ev;
	epoll_wait(sw.epoll_fd, &ev, 1, 1);
}

uint16_t lid(struct vhca *hca)
{
	struct ibv_port_attr port;
	ck_assert_int_eq(hca->ops->query_port(hca, 1, &port), 0);
	return port.lid;
}

/* ---- registered memory, pages in reverse order ---- */

static uint64_t next_iova = 0x100000000000ull;

void region_open(struct region *r, struct vhca *hca, uint32_t pd, size_t bytes, int access)
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

void region_close(struct region *r)
{
	ck_assert_int_eq(r->hca->ops->dereg_mr(r->hca, r->lkey), 0);
	free(r->pages);
	free(r->base);
}

/* Bytes [offset, offset + bytes) of the region to or from a flat buffer. */
void region_io(struct region *r, uint64_t offset, uint8_t *buf, size_t bytes, int write)
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

void fill(struct region *r, uint64_t offset, size_t bytes, uint64_t seed)
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

int same(struct region *a, uint64_t a_off, struct region *b, uint64_t b_off, size_t bytes)
{
	uint8_t *x = malloc(bytes ? bytes : 1), *y = malloc(bytes ? bytes : 1);
	region_io(a, a_off, x, bytes, 0);
	region_io(b, b_off, y, bytes, 0);
	int equal = memcmp(x, y, bytes) == 0;
	free(x);
	free(y);
	return equal;
}

int zero(struct region *r, uint64_t offset, size_t bytes)
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

const struct conn_opts default_opts = {ALL_ACCESS, 7, 7, 512, 14};

void side_open(struct side *s, int i, const struct conn_opts *o)
{
	s->hca = sw.hca[i];
	s->pd = sw.pd[i];
	ck_assert_int_eq(s->hca->ops->create_cq(s->hca, 4096, NULL, NULL, &s->cq), 0);
	struct vhca_qp_init init = {.pdn = s->pd, .send_cqn = s->cq, .recv_cqn = s->cq,
				    .cap = {.max_send_wr = o->wr, .max_recv_wr = o->wr, .max_send_sge = 4,
					    .max_recv_sge = 4, .max_inline_data = 256}};
	ck_assert_int_eq(s->hca->ops->create_qp(s->hca, &init, &s->qpn), 0);
}

int to_init(struct side *s, int access)
{
	struct ibv_qp_attr a = {.qp_state = IBV_QPS_INIT, .pkey_index = 0, .port_num = 1,
				.qp_access_flags = (unsigned int)access};
	return s->hca->ops->modify_qp(s->hca, s->qpn, &a,
				      IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
}

int to_rtr(struct side *s, uint16_t dlid, uint32_t dest_qpn)
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
int to_rts(struct side *s, const struct conn_opts *o)
{
	struct ibv_qp_attr a = {.qp_state = IBV_QPS_RTS, .sq_psn = 0xfffff0, .timeout = o->timeout,
				.retry_cnt = o->retry_cnt, .rnr_retry = o->rnr_retry, .max_rd_atomic = 4};
	return s->hca->ops->modify_qp(s->hca, s->qpn, &a,
				      IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
					      IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
}

void conn_open_with(struct conn *c, int ia, int ib, const struct conn_opts *o)
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
void conn_open(struct conn *c, int local)
{
	conn_open_with(c, local ? 2 : 0, local ? 2 : 1, &default_opts);
}

void side_close(struct side *s)
{
	ck_assert_int_eq(s->hca->ops->destroy_qp(s->hca, s->qpn), 0);
	ck_assert_int_eq(s->hca->ops->destroy_cq(s->hca, s->cq), 0);
}

void conn_close(struct conn *c)
{
	side_close(&c->a);
	side_close(&c->b);
}

int post(struct side *s, enum ibv_wr_opcode op, uint64_t wr_id, struct ibv_sge *sge, int n,
	 uint64_t remote, uint32_t rkey, uint32_t imm, unsigned int flags)
{
	struct ibv_send_wr wr = {.wr_id = wr_id, .sg_list = sge, .num_sge = n, .opcode = op,
				 .send_flags = flags, .imm_data = imm};
	wr.wr.rdma.remote_addr = remote;
	wr.wr.rdma.rkey = rkey;
	return s->hca->ops->post_send(s->hca, s->qpn, &wr);
}

int post_recv(struct side *s, uint64_t wr_id, struct ibv_sge *sge, int n)
{
	struct ibv_recv_wr wr = {.wr_id = wr_id, .sg_list = sge, .num_sge = n};
	return s->hca->ops->post_recv(s->hca, s->qpn, &wr);
}

/* ibv_wc_status_str lives in libibverbs, which the tests do not link */
const char *status_name(enum ibv_wc_status status)
{
	static char text[4][16];
	static int next;
	char *t = text[next++ % 4];
	snprintf(t, sizeof text[0], "status %d", (int)status);
	return t;
}

/* The next completion of the side's CQ, pumping all HCAs; 0 on timeout. */
int wait_wc(struct side *s, struct ibv_wc *wc, int timeout_ms)
{
	for (int t = 0; t < timeout_ms * 4; t++) {
		if (s->hca->ops->poll_cq(s->hca, s->cq, 1, wc) == 1)
			return 1;
		pump();
	}
	return s->hca->ops->poll_cq(s->hca, s->cq, 1, wc) == 1;
}

void expect_wc(struct side *s, uint64_t wr_id, enum ibv_wc_status status, enum ibv_wc_opcode op)
{
	struct ibv_wc wc;
	ck_assert_msg(wait_wc(s, &wc, 20000), "no completion for wr %llu", (unsigned long long)wr_id);
	ck_assert_msg(wc.status == status, "wr %llu: status %s, expected %s", (unsigned long long)wc.wr_id,
		      status_name(wc.status), status_name(status));
	ck_assert_uint_eq(wc.wr_id, wr_id);
	if (status == IBV_WC_SUCCESS)
		ck_assert_int_eq(wc.opcode, op);
}

void expect_quiet(struct side *s)
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
void transfer(struct conn *c, enum ibv_wr_opcode op, uint32_t bytes, int nsge)
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
