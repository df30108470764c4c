/*
 * tests/vrdma/test_hostile_rings.c -- hostile guests against the vRDMA
 * backend: rings, WQEs, keys, memory changing under the backend, teardown.
 *
 * The backend serves many guests, and everything a guest writes is
 * untrusted: registers, UAR doorbells, the DSR, the command request slot,
 * page directories, ring indices, WQEs, CQ consumer indices.  Each test
 * here builds a world of honest guests -- x and y on host 1, z on host 2,
 * with connected QPs x<->y (the same-host copy path) and x<->z (UDP) --
 * lets an attacker loose on host 1, and then checks that
 *   - the attacker got the error the ABI promises (an errno in the command
 *     response or ERR, an error completion, an async event);
 *   - the backend counted it (guest_errors);
 *   - not one byte of any honest guest's memory changed during the attack;
 *   - the honest guests still complete RDMA writes with the right data.
 * Attackers come two ways: a raw VM whose memory the test writes byte by
 * byte (no driver at all), or a VM opened with the honest driver whose
 * rings, WQEs and indices the test then corrupts (below).  The world and
 * the raw attacker are hostile.c's.
 */
#include "tests/check_run.h"
#include "tests/vrdma/fixture.h"
#include "tests/vrdma/hostile.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"
#include "vrdma/guest/internal.h" /* the CQ ring's memory, to corrupt it */

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- a driver-made attacker and its accomplice ---- */

struct gang {
	struct fx_guest a, b;     /* a attacks; b is a's willing peer */
	struct vrdma_qp *qa, *qb;
};

static void gang_start(struct gang *g, struct fx_host *ha, struct fx_host *hb)
{
	fx_guest_start(&g->a, ha, 64u << 10);
	fx_guest_start(&g->b, hb, 64u << 10);
}

static void gang_pair(struct gang *g)
{
	g->qa = fx_create_qp(&g->a, 16, 2, 64);
	g->qb = fx_create_qp(&g->b, 16, 2, 64);
	fx_connect(g->qa, &g->a, g->qb, &g->b, 0);
}

static void gang_stop(struct gang *g)
{
	fx_guest_stop(&g->a);
	fx_guest_stop(&g->b);
}

static struct vrdma_ring_state *sq_state(struct vrdma_qp *qp)
{
	return (void *)(qp->memory + VRDMA_QP_SQ_STATE_OFFSET);
}

static struct vrdma_ring_state *rq_state(struct vrdma_qp *qp)
{
	return (void *)(qp->memory + VRDMA_QP_RQ_STATE_OFFSET);
}

/* Write a raw WQE into the send ring as the driver would, ring the bell. */
static void raw_post_send(struct fx_guest *g, struct vrdma_qp *qp, const struct vrdma_send_wqe *wqe)
{
	uint8_t *slot = qp->memory + PAGE + (size_t)vring_slot(qp->sq_prod, qp->cap.max_send_wr) * VRDMA_WQE_BYTES;
	memcpy(slot, wqe, sizeof *wqe);
	qp->sq_prod = vring_next(qp->sq_prod, qp->cap.max_send_wr);
	vring_store(&sq_state(qp)->prod_tail, qp->sq_prod);
	vdev_write_uar(g->vm->device, VRDMA_UAR_QP, qp->handle | VRDMA_UAR_QP_SEND);
}

static void raw_post_recv(struct fx_guest *g, struct vrdma_qp *qp, const struct vrdma_recv_wqe *wqe)
{
	uint32_t sq_pages = (qp->cap.max_send_wr * VRDMA_WQE_BYTES + PAGE - 1) / PAGE;
	uint8_t *slot = qp->memory + PAGE + (size_t)sq_pages * PAGE +
			(size_t)vring_slot(qp->rq_prod, qp->cap.max_recv_wr) * VRDMA_WQE_BYTES;
	memcpy(slot, wqe, sizeof *wqe);
	qp->rq_prod = vring_next(qp->rq_prod, qp->cap.max_recv_wr);
	vring_store(&rq_state(qp)->prod_tail, qp->rq_prod);
	vdev_write_uar(g->vm->device, VRDMA_UAR_QP, qp->handle | VRDMA_UAR_QP_RECV);
}

static struct vrdma_send_wqe write_wqe(struct fx_guest *from, uint64_t wr_id, uint64_t remote, uint32_t rkey)
{
	struct vrdma_send_wqe w;
	memset(&w, 0, sizeof w);
	w.wr_id = wr_id;
	w.opcode = IBV_WR_RDMA_WRITE;
	w.send_flags = IBV_SEND_SIGNALED;
	w.num_sge = 1;
	w.remote_addr = remote;
	w.rkey = rkey;
	w.u.sge[0] = (struct vrdma_sge){ .addr = (uintptr_t)from->buffer, .length = 256, .lkey = from->mr->lkey };
	return w;
}

/* Wait for an async event of `type` on `ctx` (fails after 5 s). */
static uint32_t wait_async(struct vrdma_context *ctx, enum ibv_event_type want)
{
	enum ibv_event_type type;
	uint32_t handle;
	double end = now_s() + 5;
	while (now_s() < end) {
		if (vrdma_poll_async_event(ctx, &type, &handle)) {
			ck_assert_msg(type == want, "async event %d, expected %d", (int)type, (int)want);
			return handle;
		}
		usleep(200);
	}
	ck_abort_msg("no async event %d within 5 s", (int)want);
	return 0;
}

static enum ibv_qp_state qp_state(struct vrdma_qp *qp)
{
	struct ibv_qp_attr attr;
	struct ibv_qp_init_attr init;
	ck_assert_int_eq(vrdma_query_qp(qp, &attr, IBV_QP_STATE, &init), 0);
	return attr.qp_state;
}

/* ---- rings ---- */

START_TEST(producer_index_beyond_ring)
{
	struct world w;
	world_start(&w);
	struct gang g;
	gang_start(&g, &w.h1, &w.h1);
	static const uint32_t bad_prod[] = { 2 * 16, 2 * 16 + 5, 0xffffffffu, 17 /* 17 ahead of 0 */ };
	for (size_t i = 0; i < sizeof bad_prod / sizeof bad_prod[0]; i++) {
		for (int queue = 0; queue < 2; queue++) {
			gang_pair(&g);
			uint64_t before = guest_errors(&w.h1);
			struct vrdma_ring_state *s = queue ? rq_state(g.qa) : sq_state(g.qa);
			vring_store(&s->prod_tail, bad_prod[i]);
			vdev_write_uar(g.a.vm->device, VRDMA_UAR_QP,
				       g.qa->handle | (queue ? VRDMA_UAR_QP_RECV : VRDMA_UAR_QP_SEND));
			ck_assert_uint_eq(wait_async(g.a.ctx, IBV_EVENT_QP_FATAL), g.qa->handle);
			ck_assert_uint_eq(guest_errors(&w.h1), before + 1);
			ck_assert_int_eq(qp_state(g.qa), IBV_QPS_ERR);
			/* the broken ring is not read again, however often it rings */
			for (int k = 0; k < 10; k++)
				vdev_write_uar(g.a.vm->device, VRDMA_UAR_QP, g.qa->handle | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
			ck_assert(fx_no_wc_within(g.a.cq, 20));
			ck_assert_uint_eq(guest_errors(&w.h1), before + 1);
			ck_assert_int_eq(vrdma_destroy_qp(g.qa), 0);
			ck_assert_int_eq(vrdma_destroy_qp(g.qb), 0);
			world_check(&w);
		}
	}
	gang_stop(&g);
	world_stop(&w);
}
END_TEST

static void expect_error_wc(struct vrdma_cq *cq, uint64_t wr_id, enum ibv_wc_status status)
{
	struct ibv_wc wc;
	fx_wait_wc(cq, &wc);
	ck_assert_msg(wc.status == status, "wr %llu: %s, expected %s", (unsigned long long)wc.wr_id,
		      vrdma_wc_status_str(wc.status), vrdma_wc_status_str(status));
	ck_assert_uint_eq(wc.wr_id, wr_id);
}

/* Drain what a QP in error flushed. */
static void drain(struct vrdma_cq *cq)
{
	struct ibv_wc wc;
	while (!fx_no_wc_within(cq, 5))
		while (vrdma_poll_cq(cq, 1, &wc) > 0)
			;
}

START_TEST(malformed_wqes)
{
	struct world w;
	world_start(&w);
	struct gang g;
	gang_start(&g, &w.h1, &w.h1);
	struct vrdma_send_wqe cases[8];
	int n = 0;
	for (int i = 0; i < 8; i++)
		cases[i] = write_wqe(&g.a, 100u + (unsigned)i, (uintptr_t)g.b.buffer, g.b.mr->rkey);
	cases[n++].num_sge = 3;                       /* more than the QP's max_send_sge (2) */
	cases[n++].num_sge = 0xffffffffu;
	cases[n++].opcode = 99;                       /* unknown opcodes */
	cases[n++].opcode = IBV_WR_ATOMIC_FETCH_AND_ADD;
	cases[n].send_flags |= IBV_SEND_INLINE;       /* inline longer than max_inline (64) */
	cases[n++].inline_bytes = 65;
	cases[n].send_flags |= IBV_SEND_INLINE;
	cases[n++].inline_bytes = 0xffffffffu;
	cases[n].send_flags |= IBV_SEND_INLINE;       /* inline read */
	cases[n++].opcode = IBV_WR_RDMA_READ;
	cases[n++].send_flags |= 1u << 20;            /* unknown flag */
	for (int i = 0; i < n; i++) {
		gang_pair(&g);
		uint64_t before = guest_errors(&w.h1);
		raw_post_send(&g.a, g.qa, &cases[i]);
		expect_error_wc(g.a.cq, cases[i].wr_id, IBV_WC_LOC_QP_OP_ERR);
		ck_assert_uint_eq(guest_errors(&w.h1), before + 1);
		ck_assert_int_eq(qp_state(g.qa), IBV_QPS_ERR);
		drain(g.a.cq);
		drain(g.b.cq);
		ck_assert_int_eq(vrdma_destroy_qp(g.qa), 0);
		ck_assert_int_eq(vrdma_destroy_qp(g.qb), 0);
	}
	/* a receive WQE with too many SGEs */
	gang_pair(&g);
	struct vrdma_recv_wqe rw;
	memset(&rw, 0, sizeof rw);
	rw.wr_id = 555;
	rw.num_sge = 13;
	raw_post_recv(&g.a, g.qa, &rw);
	expect_error_wc(g.a.cq, 555, IBV_WC_LOC_QP_OP_ERR);
	drain(g.a.cq);
	drain(g.b.cq);
	ck_assert_int_eq(vrdma_destroy_qp(g.qa), 0);
	ck_assert_int_eq(vrdma_destroy_qp(g.qb), 0);
	world_check(&w);
	gang_stop(&g);
	world_stop(&w);
}
END_TEST

/* Keys of other guests, and addresses outside the attacker's region, on
 * one host and across two. */
static void foreign_keys(int two_hosts)
{
	struct world w;
	world_start(&w);
	struct gang g;
	gang_start(&g, &w.h1, two_hosts ? &w.h2 : &w.h1);
	struct fx_guest *third = two_hosts ? &w.z : &w.y; /* on b's host */
	struct {
		struct vrdma_send_wqe wqe;
		enum ibv_wc_status want;
	} cases[6];
	int n = 0;
	/* x's lkey (same HCA as a): a local protection error */
	cases[n].wqe = write_wqe(&g.a, 1, (uintptr_t)g.b.buffer, g.b.mr->rkey);
	cases[n].wqe.u.sge[0] = (struct vrdma_sge){ .addr = (uintptr_t)w.x.buffer, .length = 64, .lkey = w.x.mr->lkey };
	cases[n++].want = IBV_WC_LOC_PROT_ERR;
	/* an SGE beyond a's own region, and one wrapping around */
	cases[n].wqe = write_wqe(&g.a, 2, (uintptr_t)g.b.buffer, g.b.mr->rkey);
	cases[n].wqe.u.sge[0].addr = (uintptr_t)g.a.buffer + g.a.buffer_bytes - 16;
	cases[n].wqe.u.sge[0].length = 32;
	cases[n++].want = IBV_WC_LOC_PROT_ERR;
	cases[n].wqe = write_wqe(&g.a, 3, (uintptr_t)g.b.buffer, g.b.mr->rkey);
	cases[n].wqe.u.sge[0].addr = UINT64_MAX - 8;
	cases[n++].want = IBV_WC_LOC_PROT_ERR;
	/* the rkey of a third guest's region, through b's QP */
	cases[n].wqe = write_wqe(&g.a, 4, (uintptr_t)third->buffer, third->mr->rkey);
	cases[n++].want = IBV_WC_REM_ACCESS_ERR;
	/* b's rkey, but outside b's region */
	cases[n].wqe = write_wqe(&g.a, 5, (uintptr_t)g.b.buffer + g.b.buffer_bytes - 8, g.b.mr->rkey);
	cases[n++].want = IBV_WC_REM_ACCESS_ERR;
	/* a read of the third guest's region */
	cases[n].wqe = write_wqe(&g.a, 6, (uintptr_t)third->buffer, third->mr->rkey);
	cases[n].wqe.opcode = IBV_WR_RDMA_READ;
	cases[n++].want = IBV_WC_REM_ACCESS_ERR;
	for (int i = 0; i < n; i++) {
		gang_pair(&g);
		raw_post_send(&g.a, g.qa, &cases[i].wqe);
		expect_error_wc(g.a.cq, cases[i].wqe.wr_id, cases[i].want);
		drain(g.a.cq);
		drain(g.b.cq);
		enum ibv_event_type type;
		uint32_t handle;
		while (vrdma_poll_async_event(g.b.ctx, &type, &handle))
			;
		ck_assert_int_eq(vrdma_destroy_qp(g.qa), 0);
		ck_assert_int_eq(vrdma_destroy_qp(g.qb), 0);
		world_check(&w);
	}
	/* and the same pair still does honest work between themselves */
	gang_pair(&g);
	fx_fill(g.a.buffer, 256, 99);
	struct vrdma_send_wqe ok = write_wqe(&g.a, 7, (uintptr_t)g.b.buffer + 4096, g.b.mr->rkey);
	raw_post_send(&g.a, g.qa, &ok);
	expect_error_wc(g.a.cq, 7, IBV_WC_SUCCESS);
	ck_assert(memcmp(g.b.buffer + 4096, g.a.buffer, 256) == 0);
	gang_stop(&g);
	world_stop(&w);
}

START_TEST(foreign_keys_same_host) { foreign_keys(0); }
END_TEST

START_TEST(foreign_keys_two_hosts) { foreign_keys(1); }
END_TEST

START_TEST(cq_consumer_index_garbage)
{
	struct world w;
	world_start(&w);
	struct gang g;
	gang_start(&g, &w.h1, &w.h1);
	static const uint32_t bad_cons[] = { 0xdeadbeefu, 2 * 4096, 1 /* ahead of the producer */ };
	for (size_t i = 0; i < sizeof bad_cons / sizeof bad_cons[0]; i++) {
		struct vrdma_cq *cq = vrdma_create_cq(g.a.ctx, 16, NULL, NULL);
		ck_assert_ptr_nonnull(cq);
		struct ibv_qp_init_attr init = { .qp_type = IBV_QPT_RC,
			.cap = { .max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 2, .max_recv_sge = 2 } };
		g.qa = vrdma_create_qp(g.a.pd, cq, cq, &init);
		ck_assert_ptr_nonnull(g.qa);
		g.qb = fx_create_qp(&g.b, 16, 2, 64);
		fx_connect(g.qa, &g.a, g.qb, &g.b, 0);
		uint64_t before = guest_errors(&w.h1);
		struct vrdma_ring_state *s = (void *)cq->memory;
		vring_store(&s->cons_head, bad_cons[i]);
		struct vrdma_send_wqe wqe = write_wqe(&g.a, 1, (uintptr_t)g.b.buffer, g.b.mr->rkey);
		raw_post_send(&g.a, g.qa, &wqe);
		ck_assert_uint_eq(wait_async(g.a.ctx, IBV_EVENT_CQ_ERR), cq->handle);
		ck_assert_uint_eq(vring_load(&s->prod_tail), 0); /* no CQE written */
		ck_assert_uint_ge(guest_errors(&w.h1), before + 1);
		/* more work on the broken CQ: silently dropped, no second event */
		raw_post_send(&g.a, g.qa, &wqe);
		raw_post_send(&g.a, g.qa, &wqe);
		usleep(20000);
		enum ibv_event_type type;
		uint32_t handle;
		ck_assert(!vrdma_poll_async_event(g.a.ctx, &type, &handle));
		ck_assert_int_eq(vrdma_destroy_qp(g.qa), 0);
		ck_assert_int_eq(vrdma_destroy_qp(g.qb), 0);
		ck_assert_int_eq(vrdma_destroy_cq(cq), 0);
		world_check(&w);
	}
	/* a CQ that overflows (never consumed) breaks the same way */
	struct vrdma_cq *cq = vrdma_create_cq(g.a.ctx, 2, NULL, NULL);
	struct ibv_qp_init_attr init = { .qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 2, .max_recv_sge = 2 } };
	g.qa = vrdma_create_qp(g.a.pd, cq, cq, &init);
	g.qb = fx_create_qp(&g.b, 16, 2, 64);
	fx_connect(g.qa, &g.a, g.qb, &g.b, 0);
	for (int i = 0; i < 3; i++) {
		struct vrdma_send_wqe wqe = write_wqe(&g.a, 10u + (unsigned)i, (uintptr_t)g.b.buffer, g.b.mr->rkey);
		raw_post_send(&g.a, g.qa, &wqe);
	}
	ck_assert_uint_eq(wait_async(g.a.ctx, IBV_EVENT_CQ_ERR), cq->handle);
	gang_stop(&g);
	world_stop(&w);
}
END_TEST

/* ---- memory changing under the backend's feet ---- */

struct scribbler {
	pthread_t thread;
	volatile int stop;
	uint8_t *spans[8];
	size_t bytes[8];
	int count;
	uint64_t seed;
	volatile uint64_t writes;   /* done so far: the test waits for the first ones */
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	uint64_t x = s->seed | 1;
	while (!s->stop) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int which = (int)(x % (uint64_t)s->count);
		size_t at = (size_t)((x >> 8) % s->bytes[which]) & ~(size_t)3;
		uint32_t v = (uint32_t)(x >> 32);
		if ((x & 7) == 0)
			v &= 0x3f; /* plausible small indices too */
		__atomic_store_n((uint32_t *)(s->spans[which] + at), v, __ATOMIC_RELAXED);
		__atomic_add_fetch(&s->writes, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

START_TEST(memory_changes_under_the_backend)
{
	struct world w;
	world_start(&w);
	struct gang g;
	gang_start(&g, &w.h1, &w.h1);
	gang_pair(&g);
	/* everything a's device reads: the QP's rings, the CQ ring, the event
	 * rings, the DSR and the command slots */
	struct scribbler s = { .seed = 12345 };
	uint32_t qp_pages = g.qa->memory_pages;
	s.spans[s.count] = g.qa->memory, s.bytes[s.count++] = (size_t)qp_pages * PAGE;
	s.spans[s.count] = g.a.vm->memory.base, s.bytes[s.count++] = 64 * PAGE; /* DSR, slots, rings, directories */
	ck_assert_int_eq(pthread_create(&s.thread, NULL, scribble, &s), 0);
	double end = now_s() + 1.0;
	unsigned rounds = 0;
	while (now_s() < end) {
		vdev_write_uar(g.a.vm->device, VRDMA_UAR_QP, g.qa->handle | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
		vdev_write_uar(g.a.vm->device, VRDMA_UAR_CQ, 1 | VRDMA_UAR_CQ_ARM);
		/* a command whose request the scribbler may be rewriting */
		vdev_write_register(g.a.vm->device, VRDMA_REG_REQUEST, 1);
		uint64_t count;
		struct pollfd p = { .fd = g.a.vm->irq_fd[VRDMA_VECTOR_COMMAND], .events = POLLIN };
		ck_assert_msg(poll(&p, 1, 5000) == 1, "the backend stopped answering");
		ck_assert_int_eq(read(p.fd, &count, sizeof count), (ssize_t)sizeof count);
		rounds++;
	}
	s.stop = 1;
	pthread_join(s.thread, NULL);
	ck_assert_uint_gt(rounds, 10);
	world_check(&w);

	/* a page directory rewritten while CREATE_MR walks it */
	struct raw r;
	raw_open(&r, &w.h1);
	uint32_t pd = raw_create_pd(&r);
	struct vrdma_pdir_ref ref = raw_dir(&r, R_DIR, 0, 1000); /* directory + 2 tables */
	struct scribbler s2 = { .seed = 999 };
	s2.spans[s2.count] = rpage(&r, R_DIR), s2.bytes[s2.count++] = 3 * PAGE;
	ck_assert_int_eq(pthread_create(&s2.thread, NULL, scribble, &s2), 0);
	/* On a loaded machine the scribbler may not have run yet: wait until it
	 * has rewritten the directory and tables many times over, then walk them
	 * while it goes on, until one walk is refused (or 5 s have passed). */
	double give_up = now_s() + 5.0;
	while (__atomic_load_n(&s2.writes, __ATOMIC_RELAXED) < 10000 && now_s() < give_up)
		sched_yield();
	unsigned ok = 0, refused = 0;
	for (int i = 0; i < 200 || (refused == 0 && now_s() < give_up); i++) {
		uint32_t mr;
		int rc = raw_create_mr(&r, pd, 0, 1000ull * PAGE, IBV_ACCESS_LOCAL_WRITE, ref, &mr);
		ck_assert(rc == 0 || rc == EINVAL);
		if (rc == 0) {
			ok++;
			ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, mr), 0);
		} else {
			refused++;
		}
	}
	s2.stop = 1;
	pthread_join(s2.thread, NULL);
	ck_assert_uint_gt(refused, 0);
	raw_stop(&r);
	gang_stop(&g);
	world_stop(&w);
}
END_TEST

/* The driver side of attackers whose VM vanished under them: kept
 * reachable so the leak checker does not count it. */
static struct vrdma_context *orphans[4];

/* An attacker that goes away with work in flight: RESET, or its VM
 * destroyed, while its WQEs are queued. */
START_TEST(teardown_with_work_in_flight)
{
	struct world w;
	world_start(&w);
	for (int way = 0; way < 3; way++) {
		struct gang g;
		gang_start(&g, &w.h1, way == 2 ? &w.h2 : &w.h1);
		gang_pair(&g);
		for (int i = 0; i < 16; i++) {
			struct vrdma_send_wqe wqe = write_wqe(&g.a, (uint64_t)i, (uintptr_t)g.b.buffer, g.b.mr->rkey);
			wqe.u.sge[0].length = (uint32_t)g.a.buffer_bytes;
			wqe.opcode = i % 2 ? IBV_WR_RDMA_WRITE : IBV_WR_RDMA_READ;
			raw_post_send(&g.a, g.qa, &wqe);
		}
		if (way == 0) {
			vdev_write_register(g.a.vm->device, VRDMA_REG_CTL, VRDMA_CTL_RESET);
			ck_assert(vector_fired(g.a.vm, VRDMA_VECTOR_COMMAND, 5000));
		}
		if (way >= 1) {
			/* the VM goes away without closing its device */
			vbackend_destroy_vm(w.h1.backend, g.a.vm);
			g.a.vm = NULL;
		}
		world_check(&w);
		if (g.a.vm == NULL) {
			/* the driver's side only: the device is gone */
			orphans[way] = g.a.ctx;
			g.a.ctx = NULL;
			fx_guest_stop(&g.b);
			vrdma_destroy_comp_channel(g.a.channel);
		} else {
			gang_stop(&g);
		}
	}
	world_stop(&w);
}
END_TEST


static Suite *suite(void)
{
	Suite *s = suite_create("vrdma hostile guests: rings");
	TCase *t = tcase_create("hostile");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, producer_index_beyond_ring);
	tcase_add_test(t, malformed_wqes);
	tcase_add_test(t, foreign_keys_same_host);
	tcase_add_test(t, foreign_keys_two_hosts);
	tcase_add_test(t, cq_consumer_index_garbage);
	tcase_add_test(t, memory_changes_under_the_backend);
	tcase_add_test(t, teardown_with_work_in_flight);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
