/*
 * test_soft_hca_data.c - the software HCA (vrdma/hca/soft) moving data,
 * through its vhca_ops: two HCAs on loopback UDP and one same-host pair, RC
 * QPs, every verb at awkward sizes with one and several SGEs, inline data,
 * ordering, many QPs, and injected loss.  The HCAs, regions and
 * connections are soft_world.c's; errors are test_soft_hca_errors.c's.
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
#include "tests/vrdma/soft_world.h"
#include "vrdma/hca/soft/packet.h"

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
	region_open(&src, sw.hca[0], sw.pd[0], (size_t)N * BYTES, ALL_ACCESS);
	region_open(&dst, sw.hca[1], sw.pd[1], (size_t)N * BYTES, ALL_ACCESS);
	region_open(&msg, sw.hca[1], sw.pd[1], (size_t)N * 64, ALL_ACCESS);
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

int main(void)
{
	Suite *suite = suite_create("soft_hca data");
	TCase *data = tcase_create("data");
	tcase_set_timeout(data, 120);
	tcase_add_test(data, every_verb_over_the_wire);
	tcase_add_test(data, every_verb_on_the_same_host);
	tcase_add_test(data, sixteen_mebibytes);
	tcase_add_test(data, inline_data);
	tcase_add_test(data, rc_ordering);
	tcase_add_test(data, many_qps);
	suite_add_tcase(suite, data);
	TCase *loss = tcase_create("loss");
	tcase_set_timeout(loss, 120);
	tcase_add_test(loss, loss_5_percent);
	tcase_add_test(loss, loss_20_percent);
	suite_add_tcase(suite, loss);
	return run_suite(suite);
}
