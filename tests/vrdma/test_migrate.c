/*
 * tests/vrdma/test_migrate.c -- live migration of a guest with live RDMA
 * connections (vrdma/backend/migrate.c, vrdma/hca/soft/migrate.c,
 * docs/migration.md).
 *
 * in_flight_under_loss: guest A (host 1) and its peer B (host 2) have
 * writes, sends, posted receives and an RDMA READ in flight both ways with
 * 10 % packet loss when A moves to host 3, whose HCA numbers QPs
 * differently; afterwards both post more.  Every work request completes
 * once, successfully, and every byte is where it should be.
 *
 * The hostile tests: a saved state with any byte flipped, truncated to any
 * length, one byte too long, of another version, or rewritten with a good
 * checksum but bad contents is refused with an error that says what, and
 * leaves the destination's accounting as it was.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/check_run.h"
#include "tests/vrdma/fixture.h"
#include "vrdma/backend/backend.h"

#define LOSS 0.10
#define BUF (2u << 20)
#define KiB 1024u
#define RECVS 12u
#define READ_AT (1u << 20)
#define WRITES 8u
#define WRITE_BYTES (16u * KiB)
#define SEND_BYTES (4u * KiB)
#define READ_BYTES (1u << 20)
#define DEADLINE_S 60.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void post_rdma(struct fx_guest *g, struct vrdma_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id, uint64_t local,
		      uint32_t bytes, struct fx_guest *peer, uint64_t remote)
{
	struct ibv_sge sge = {(uintptr_t)(g->buffer + local), bytes, g->mr->lkey};
	struct ibv_send_wr wr = {.wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op,
				 .send_flags = IBV_SEND_SIGNALED}, *bad;
	if (op != IBV_WR_SEND) {
		wr.wr.rdma.remote_addr = (uintptr_t)(peer->buffer + remote);
		wr.wr.rdma.rkey = peer->mr->rkey;
	}
	ck_assert_int_eq(vrdma_post_send(qp, &wr, &bad), 0);
}

static void post_recv(struct fx_guest *g, struct vrdma_qp *qp, uint64_t wr_id, uint64_t at, uint32_t bytes)
{
	struct ibv_sge sge = {(uintptr_t)(g->buffer + at), bytes, g->mr->lkey};
	struct ibv_recv_wr wr = {.wr_id = wr_id, .sg_list = &sge, .num_sge = 1}, *bad;
	ck_assert_int_eq(vrdma_post_recv(qp, &wr, &bad), 0);
}

/* Completions of one side: wr_id -> times seen. */
struct seen {
	unsigned count[64];
	unsigned total;
};

static void take(struct vrdma_cq *cq, struct seen *s, const char *side)
{
	struct ibv_wc wc[16];
	int n = vrdma_poll_cq(cq, 16, wc);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(wc[i].status == IBV_WC_SUCCESS, "%s: wr_id %llu completed with status %d", side,
			      (unsigned long long)wc[i].wr_id, wc[i].status);
		ck_assert_msg(wc[i].wr_id < 64, "%s: unknown wr_id %llu", side, (unsigned long long)wc[i].wr_id);
		ck_assert_msg(s->count[wc[i].wr_id] == 0, "%s: wr_id %llu completed twice", side,
			      (unsigned long long)wc[i].wr_id);
		s->count[wc[i].wr_id]++;
		s->total++;
	}
}

static uint64_t stat(struct fx_host *h, int cqes)
{
	struct vbackend_stats st;
	vbackend_get_stats(h->backend, &st);
	return cqes ? st.cqes_written : st.wqes_fetched;
}

static void wait_stat(struct fx_host *h, int cqes, uint64_t at_least)
{
	double t = now_s();
	while (stat(h, cqes) < at_least)
		ck_assert_msg(now_s() - t < DEADLINE_S, "host's backend never reached %llu", (unsigned long long)at_least);
}

/* Buffers (A's and B's, BUF each):
 *   [0, 128K)        B writes A's (8 x 16 KiB)
 *   [128K, 176K)     B's send sources (12 x 4 KiB)
 *   [256K, 304K)     A's receives (12 x 4 KiB); B's receives (4 x 4 KiB)
 *   [512K, 656K)     A writes B's (9 x 16 KiB, the last after the move)
 *   [640K, 656K)     A's send sources (4 x 4 KiB)
 *   [1M, 2M)         A reads B's
 * wr_ids: A's writes 0..8, sends 10..13, read 14; A's receives 20..31;
 * B's writes 32..39, sends 40..51; B's receives 52..55. */
START_TEST(in_flight_under_loss)
{
	struct fx_host h1, h2, h3;
	fx_host_start(&h1, 1, LOSS, NULL);
	fx_host_start(&h2, 2, LOSS, NULL);
	fx_host_start(&h3, 3, LOSS, NULL);
	/* host 1: another guest first, so that A's key is not in the slot the
	 * destination's first guest takes; host 3: a guest with two QPs, so A's
	 * QP gets another number there */
	struct fx_guest other1, other3, a, b;
	fx_guest_start(&other1, &h1, 64 * KiB);
	fx_guest_start(&other3, &h3, 64 * KiB);
	fx_create_qp(&other3, 16, 1, 0);
	fx_create_qp(&other3, 16, 1, 0);
	fx_guest_start(&a, &h1, BUF);
	fx_guest_start(&b, &h2, BUF);
	struct vrdma_qp *qa = fx_create_qp(&a, 64, 1, 0), *qb = fx_create_qp(&b, 64, 1, 0);
	fx_connect(qa, &a, qb, &b, 7);
	uint32_t qa_num = qa->qp_num, a_lkey = a.mr->lkey;
	fx_fill(a.buffer, BUF, 11);
	fx_fill(b.buffer, BUF, 22);
	/* the bytes each side's memory must end with */
	uint8_t *expect_a = malloc(BUF), *expect_b = malloc(BUF);
	memcpy(expect_a, a.buffer, BUF);
	memcpy(expect_b, b.buffer, BUF);
	memcpy(expect_a, b.buffer, WRITES * WRITE_BYTES);
	for (unsigned i = 0; i < RECVS; i++)
		memcpy(expect_a + 256 * KiB + i * SEND_BYTES, b.buffer + 128 * KiB + i * SEND_BYTES, SEND_BYTES);
	memcpy(expect_b + 512 * KiB, a.buffer + 512 * KiB, (WRITES + 1) * WRITE_BYTES);
	memcpy(expect_a + READ_AT, b.buffer + READ_AT, READ_BYTES);
	for (unsigned i = 0; i < 4; i++)
		memcpy(expect_b + 256 * KiB + i * SEND_BYTES, a.buffer + 640 * KiB + i * SEND_BYTES, SEND_BYTES);

	/* A's receives, all posted before the move; two of B's sends land and
	 * stay unpolled in A's CQ */
	uint64_t fetched = stat(&h1, 0), cqes = stat(&h1, 1);
	for (unsigned i = 0; i < RECVS; i++)
		post_recv(&a, qa, 20 + i, 256 * KiB + i * SEND_BYTES, SEND_BYTES);
	/* B's last receive is posted only after the move: A's last SEND waits
	 * out RNR NAKs meanwhile, so the save finds at least it unretired
	 * however fast the rest went */
	for (unsigned i = 0; i < 3; i++)
		post_recv(&b, qb, 52 + i, 256 * KiB + i * SEND_BYTES, SEND_BYTES);
	for (unsigned i = 0; i < 2; i++)
		post_rdma(&b, qb, IBV_WR_SEND, 40 + i, 128 * KiB + i * SEND_BYTES, SEND_BYTES, &a, 0);
	wait_stat(&h1, 1, cqes + 2);
	/* then everything at once, both ways, and the move as soon as A's
	 * backend has handed A's work to its HCA */
	post_rdma(&a, qa, IBV_WR_RDMA_READ, 14, READ_AT, READ_BYTES, &b, READ_AT);
	for (unsigned i = 0; i < WRITES; i++) {
		post_rdma(&b, qb, IBV_WR_RDMA_WRITE, 32 + i, i * WRITE_BYTES, WRITE_BYTES, &a, i * WRITE_BYTES);
		post_rdma(&a, qa, IBV_WR_RDMA_WRITE, i, 512 * KiB + i * WRITE_BYTES, WRITE_BYTES, &b,
			  512 * KiB + i * WRITE_BYTES);
	}
	for (unsigned i = 2; i < RECVS - 2; i++)
		post_rdma(&b, qb, IBV_WR_SEND, 40 + i, 128 * KiB + i * SEND_BYTES, SEND_BYTES, &a, 0);
	for (unsigned i = 0; i < 4; i++)
		post_rdma(&a, qa, IBV_WR_SEND, 10 + i, 640 * KiB + i * SEND_BYTES, SEND_BYTES, &b, 0);
	wait_stat(&h1, 0, fetched + RECVS + 1 + WRITES + 4);

	char err[256] = "";
	struct vbackend_migration m;
	struct vrdma_vm *moved = NULL;
	ck_assert_msg(vbackend_migrate_vm(h1.backend, a.vm, h3.backend, &moved, &m, err, sizeof err) == 0, "%s", err);
	vrdma_context_moved(a.ctx, moved);
	a.vm = moved;
	a.host = &h3;
	fprintf(stderr, "migration: at the save %u sends unretired, %u receives posted, %u CQEs unpolled\n",
		m.sends_in_flight, m.recvs_posted, m.cqes_unpolled);
	ck_assert_uint_ge(m.recvs_posted, 2);   /* the last two are used only after the move */
	ck_assert_uint_ge(m.cqes_unpolled, 2);  /* the first two sends' */
	ck_assert_uint_ge(m.sends_in_flight, 1); /* the 1 MiB read at least, over a lossy wire */
	ck_assert_int_eq(m.qpn_remapped, 1);
	ck_assert_uint_eq(qa->qp_num, qa_num);
	ck_assert_uint_eq(a.mr->lkey, a_lkey);

	/* both sides go on */
	post_recv(&b, qb, 55, 256 * KiB + 3 * SEND_BYTES, SEND_BYTES);
	for (unsigned i = RECVS - 2; i < RECVS; i++)
		post_rdma(&b, qb, IBV_WR_SEND, 40 + i, 128 * KiB + i * SEND_BYTES, SEND_BYTES, &a, 0);
	post_rdma(&a, qa, IBV_WR_RDMA_WRITE, WRITES, 512 * KiB + WRITES * WRITE_BYTES, WRITE_BYTES, &b,
		  512 * KiB + WRITES * WRITE_BYTES);
	const unsigned a_expected = WRITES + 1 + 4 + 1 + RECVS, b_expected = WRITES + RECVS + 4;
	struct seen sa = {0}, sb = {0};
	double t = now_s();
	int reconnected = 0;
	while (sa.total < a_expected || sb.total < b_expected || !reconnected) {
		take(a.cq, &sa, "A");
		take(b.cq, &sb, "B");
		reconnected = reconnected || vbackend_reconnected(h3.backend, moved, &m);
		ck_assert_msg(now_s() - t < DEADLINE_S, "A has %u of %u completions, B %u of %u", sa.total, a_expected,
			      sb.total, b_expected);
	}
	/* nothing more, nothing twice */
	ck_assert(fx_no_wc_within(a.cq, 50));
	ck_assert(fx_no_wc_within(b.cq, 50));
	ck_assert_msg(memcmp(a.buffer, expect_a, BUF) == 0, "A's memory differs from what was sent and read");
	ck_assert_msg(memcmp(b.buffer, expect_b, BUF) == 0, "B's memory differs from what A wrote and sent");
	fprintf(stderr, "migration: %u QPs, state %llu bytes; quiesce %.1f us, transfer %.1f us, "
		"register %.1f us, pause %.1f us, reconnect %.1f us\n", m.qps,
		(unsigned long long)m.state_bytes, m.quiesce_ns / 1e3, m.transfer_ns / 1e3, m.register_ns / 1e3,
		m.pause_ns / 1e3, m.reconnect_ns / 1e3);
	free(expect_a);
	free(expect_b);
	fx_guest_stop(&a);
	fx_guest_stop(&b);
	fx_guest_stop(&other1);
	fx_guest_stop(&other3);
	fx_host_stop(&h1);
	fx_host_stop(&h2);
	fx_host_stop(&h3);
}
END_TEST

/* ---- hostile saved states ---- */

#define SMALL_MEMORY (1u << 20)

struct saved {
	struct fx_host src, dst, peer;
	uint8_t *state;
	size_t bytes;
	uint8_t *memory;
	struct vacct_usage before[VACCT_COUNT];
};

/* VRDMA_RESTORE_SEEDS=DIR: fuzz/fuzz_restore.c's seeds from this state
 * (its input: a flag byte, then the body, or the whole state). */
static void write_seeds(const uint8_t *state, size_t bytes)
{
	const char *dir = getenv("VRDMA_RESTORE_SEEDS");
	if (dir == NULL)
		return;
	for (int whole = 0; whole < 2; whole++) {
		char path[512];
		snprintf(path, sizeof path, "%s/seed-%s", dir, whole ? "whole" : "body");
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		uint8_t flag = (uint8_t)whole;
		fwrite(&flag, 1, 1, f);
		if (whole)
			fwrite(state, 1, bytes, f);
		else
			fwrite(state + 32, 1, bytes - 32, f);
		ck_assert_int_eq(fclose(f), 0);
	}
}

/* A small guest (1 MiB), an MR, a CQ and a QP in RTS, saved. */
static void saved_open(struct saved *s)
{
	char err[256];
	memset(s, 0, sizeof *s);
	fx_host_start(&s->src, 1, 0, NULL);
	fx_host_start(&s->dst, 2, 0, NULL);
	fx_host_start(&s->peer, 4, 0, NULL);
	struct vrdma_vm *vm;
	ck_assert_msg(vbackend_create_vm(s->src.backend, SMALL_MEMORY, &vm, err, sizeof err) == 0, "%s", err);
	struct vrdma_context *ctx = vrdma_open_device(vm);
	ck_assert_ptr_nonnull(ctx);
	struct vrdma_pd *pd = vrdma_alloc_pd(ctx);
	struct vrdma_cq *cq = vrdma_create_cq(ctx, 64, NULL, NULL);
	uint8_t *buffer = vrdma_alloc_buffer(ctx, 16 * KiB);
	ck_assert_ptr_nonnull(buffer);
	struct vrdma_mr *mr = vrdma_reg_mr(pd, buffer, 16 * KiB, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	ck_assert_ptr_nonnull(mr);
	struct ibv_qp_init_attr init = {.qp_type = IBV_QPT_RC,
					.cap = {.max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 1, .max_recv_sge = 1}};
	struct vrdma_qp *qp = vrdma_create_qp(pd, cq, cq, &init);
	ck_assert_ptr_nonnull(qp);
	/* a peer host, with no such QP: it refuses the new location */
	struct ibv_qp_attr at = {.qp_state = IBV_QPS_INIT, .port_num = 1, .qp_access_flags = IBV_ACCESS_REMOTE_WRITE};
	ck_assert_int_eq(vrdma_modify_qp(qp, &at, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS), 0);
	struct ibv_recv_wr rwr = {.wr_id = 5, .num_sge = 1,
				  .sg_list = &(struct ibv_sge){(uintptr_t)buffer, 64, mr->lkey}}, *bad;
	ck_assert_int_eq(vrdma_post_recv(qp, &rwr, &bad), 0);
	memset(&at, 0, sizeof at);
	at.qp_state = IBV_QPS_RTR;
	at.path_mtu = IBV_MTU_1024;
	at.dest_qp_num = 0xabcd;
	at.rq_psn = 7;
	at.ah_attr.dlid = s->peer.lid;
	at.ah_attr.port_num = 1;
	ck_assert_int_eq(vrdma_modify_qp(qp, &at, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
							IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER), 0);
	memset(&at, 0, sizeof at);
	at.qp_state = IBV_QPS_RTS;
	at.timeout = 14;
	at.retry_cnt = 7;
	ck_assert_int_eq(vrdma_modify_qp(qp, &at, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
							IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC), 0);
	ck_assert_int_eq(vbackend_save_vm(s->src.backend, vm, &s->state, &s->bytes, NULL, err, sizeof err), 0);
	write_seeds(s->state, s->bytes);
	s->memory = malloc(SMALL_MEMORY);
	memcpy(s->memory, vm->memory.base, SMALL_MEMORY);
	vbackend_get_usage(s->dst.backend, NULL, s->before);
	/* a good state restores, and its VM's end gives everything back; the
	 * guest closes its device there (the source's is frozen) */
	struct vrdma_vm *out;
	ck_assert_msg(vbackend_restore_vm(s->dst.backend, s->state, s->bytes, s->memory, SMALL_MEMORY, &out, NULL, err,
					  sizeof err) == 0, "%s", err);
	vrdma_context_moved(ctx, out);
	vrdma_close_device(ctx);
	vbackend_destroy_vm(s->dst.backend, out);
	vbackend_destroy_vm(s->src.backend, vm);
}

static void saved_close(struct saved *s)
{
	free(s->state);
	free(s->memory);
	fx_host_stop(&s->src);
	fx_host_stop(&s->dst);
	fx_host_stop(&s->peer);
}

/* STATE is refused with an error containing WANT (NULL: any), and the
 * destination holds what it held before. */
static void refused(struct saved *s, const uint8_t *state, size_t bytes, const char *want)
{
	char err[256] = "";
	struct vrdma_vm *out = NULL;
	int rc = vbackend_restore_vm(s->dst.backend, state, bytes, s->memory, SMALL_MEMORY, &out, NULL, err, sizeof err);
	ck_assert_msg(rc != 0, "a bad state (%zu bytes) was restored", bytes);
	ck_assert_msg(err[0] != 0, "refused without an error message");
	if (want)
		ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not say \"%s\"", err, want);
	struct vacct_usage now[VACCT_COUNT];
	vbackend_get_usage(s->dst.backend, NULL, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		ck_assert_msg(now[r].in_use == s->before[r].in_use, "%s left in use after a refusal: %llu, was %llu",
			      vacct_resource_names[r], (unsigned long long)now[r].in_use,
			      (unsigned long long)s->before[r].in_use);
}

START_TEST(every_byte_flipped_is_refused)
{
	struct saved s;
	saved_open(&s);
	uint8_t *copy = malloc(s.bytes);
	for (size_t i = 0; i < s.bytes; i++) {
		memcpy(copy, s.state, s.bytes);
		copy[i] ^= 0xff;
		refused(&s, copy, s.bytes, i < 8 ? "magic" : i < 12 ? "version" : i >= 32 ? "checksum" : NULL);
	}
	free(copy);
	saved_close(&s);
}
END_TEST

START_TEST(truncated_overlong_other_version_refused)
{
	struct saved s;
	saved_open(&s);
	for (size_t n = 0; n < s.bytes; n++)
		refused(&s, s.state, n, n < 32 ? "shorter than its" : n < 8 ? NULL : "truncated");
	uint8_t *longer = malloc(s.bytes + 1);
	memcpy(longer, s.state, s.bytes);
	longer[s.bytes] = 0;
	refused(&s, longer, s.bytes + 1, "over-long");
	memcpy(longer, s.state, s.bytes);
	longer[8] = 3;
	refused(&s, longer, s.bytes, "version 3 (expected 2)");
	free(longer);
	saved_close(&s);
}
END_TEST

static void reseal(uint8_t *state, size_t bytes)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 32; i < bytes; i++) {
		c ^= state[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	c = ~c;
	for (int k = 0; k < 4; k++)
		state[24 + k] = (uint8_t)(c >> (8 * k));
}

/* A checksum does not make a state true: every byte of the body flipped,
 * then sealed again, is either refused with the destination unchanged, or
 * a state the destination can hold (then destroyed, giving all back). */
START_TEST(resealed_contents_are_checked)
{
	struct saved s;
	saved_open(&s);
	uint8_t *copy = malloc(s.bytes);
	unsigned refusals = 0;
	for (size_t i = 32; i < s.bytes; i++) {
		memcpy(copy, s.state, s.bytes);
		copy[i] ^= 0xff;
		reseal(copy, s.bytes);
		char err[256] = "";
		struct vrdma_vm *out = NULL;
		if (vbackend_restore_vm(s.dst.backend, copy, s.bytes, s.memory, SMALL_MEMORY, &out, NULL, err, sizeof err) == 0) {
			vbackend_destroy_vm(s.dst.backend, out);
		} else {
			ck_assert_msg(strncmp(err, "saved state: byte offset ", 25) == 0, "error \"%s\" locates nothing", err);
			refusals++;
		}
		struct vacct_usage now[VACCT_COUNT];
		vbackend_get_usage(s.dst.backend, NULL, now);
		for (int r = 0; r < VACCT_COUNT; r++)
			ck_assert_uint_eq(now[r].in_use, s.before[r].in_use);
	}
	ck_assert_uint_gt(refusals, (s.bytes - 32) / 4);
	free(copy);
	saved_close(&s);
}
END_TEST

/* The destination's limits bind restored objects as created ones. */
START_TEST(destination_limits_apply)
{
	struct saved s;
	saved_open(&s);
	struct fx_host tight;
	struct vacct_limits lim;
	struct vbackend_config defaults;
	vbackend_default_config(&defaults);
	lim = defaults.limits;
	lim.guarantee[VACCT_QP] = 0;
	lim.host_total[VACCT_QP] = 0;
	fx_host_start_limits(&tight, 3, &lim);
	char err[256] = "";
	struct vrdma_vm *out = NULL;
	ck_assert_int_ne(vbackend_restore_vm(tight.backend, s.state, s.bytes, s.memory, SMALL_MEMORY, &out, NULL, err,
					     sizeof err), 0);
	ck_assert_msg(strstr(err, "QP 1 over the guest's share of this host") != NULL, "%s", err);
	struct vacct_usage now[VACCT_COUNT];
	vbackend_get_usage(tight.backend, NULL, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		ck_assert_uint_eq(now[r].in_use, 0);
	fx_host_stop(&tight);
	saved_close(&s);
}
END_TEST

/* A destination that refuses the state (no QP allowed there) leaves the
 * guest running on its source, resumed from the same state: the writes it
 * had in flight complete once, their bytes arrive, and it goes on. */
START_TEST(refused_move_resumes_on_source)
{
	struct fx_host h1, h2, tight;
	fx_host_start(&h1, 1, LOSS, NULL);
	fx_host_start(&h2, 2, LOSS, NULL);
	struct vbackend_config defaults;
	vbackend_default_config(&defaults);
	struct vacct_limits lim = defaults.limits;
	lim.guarantee[VACCT_QP] = 0;
	lim.host_total[VACCT_QP] = 0;
	fx_host_start_limits(&tight, 3, &lim);
	struct fx_guest a, b;
	fx_guest_start(&a, &h1, 256 * KiB);
	fx_guest_start(&b, &h2, 256 * KiB);
	struct vrdma_qp *qa = fx_create_qp(&a, 64, 1, 0), *qb = fx_create_qp(&b, 64, 1, 0);
	fx_connect(qa, &a, qb, &b, 7);
	fx_fill(a.buffer, 256 * KiB, 31);
	for (unsigned i = 0; i < WRITES; i++)
		post_rdma(&a, qa, IBV_WR_RDMA_WRITE, i, i * WRITE_BYTES, WRITE_BYTES, &b, i * WRITE_BYTES);
	char err[256] = "";
	struct vrdma_vm *resumed = NULL;
	ck_assert_int_ne(vbackend_migrate_vm(h1.backend, a.vm, tight.backend, &resumed, NULL, err, sizeof err), 0);
	ck_assert_msg(strstr(err, "over the guest's share") != NULL, "%s", err);
	ck_assert_ptr_nonnull(resumed);
	vrdma_context_moved(a.ctx, resumed);
	a.vm = resumed;
	post_rdma(&a, qa, IBV_WR_RDMA_WRITE, WRITES, WRITES * WRITE_BYTES, WRITE_BYTES, &b, WRITES * WRITE_BYTES);
	struct seen sa = {0};
	double t = now_s();
	while (sa.total < WRITES + 1) {
		take(a.cq, &sa, "A");
		ck_assert_msg(now_s() - t < DEADLINE_S, "A has %u of %u completions", sa.total, WRITES + 1);
	}
	ck_assert(fx_no_wc_within(a.cq, 50));
	ck_assert_int_eq(memcmp(a.buffer, b.buffer, (WRITES + 1) * WRITE_BYTES), 0);
	struct vacct_usage now[VACCT_COUNT];
	vbackend_get_usage(tight.backend, NULL, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		ck_assert_uint_eq(now[r].in_use, 0);
	fx_guest_stop(&a);
	fx_guest_stop(&b);
	fx_host_stop(&tight);
	fx_host_stop(&h2);
	fx_host_stop(&h1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *t = tcase_create("migrate");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, in_flight_under_loss);
	tcase_add_test(t, every_byte_flipped_is_refused);
	tcase_add_test(t, truncated_overlong_other_version_refused);
	tcase_add_test(t, resealed_contents_are_checked);
	tcase_add_test(t, destination_limits_apply);
	tcase_add_test(t, refused_move_resumes_on_source);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
