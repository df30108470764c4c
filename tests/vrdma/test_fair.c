/*
 * tests/vrdma/test_fair.c -- one guest cannot stall the others.
 *
 * One backend thread serves every guest of a host.  Each test here sets a
 * hostile guest to one pattern that used to freeze the others (a huge
 * same-host post list behind one doorbell, a CREATE_MR/DESTROY_MR loop, the
 * same loop over a region whose page directory takes many turns to walk, a
 * doorbell storm) while an honest guest x writes to its neighbour y on the
 * same host, and then checks, with the backend's own counters and not with
 * timings, that
 *   - while x waited to be served, the hostile guest got at most one turn's
 *     budget (bytes copied, WQEs, doorbells, commands, page-directory
 *     entries walked: backend.h);
 *   - the hostile guest's work was under way when x began (and, for the
 *     post list, x did wait for it: else the test proved nothing);
 *   - every honest write completed with the right data.
 */
#include "tests/check_run.h"
#include "tests/vrdma/fixture.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define HONEST_BYTES (256u << 10)
#define HONEST_WRITE_BYTES 8192u
#define HONEST_WRITES 200u
#define POST_LIST_WQES 256u          /* as the attack measured: one doorbell */
#define POST_LIST_WRITE_BYTES (1u << 20)
#define MR_LOOP_BYTES (16u << 20)    /* 4,096 pages per CREATE_MR */
#define BIG_MR_BYTES (256u << 20)    /* 65,536 pages per CREATE_MR: 8 page budgets */
#define STORM_HANDLES 4095u          /* every doorbell bit of a guest */

struct world {
	struct fx_host host;
	struct fx_guest x, y, a, b;  /* honest x -> y; hostile a (-> b) */
	struct vrdma_qp *xy, *yx, *ab, *ba;
	uint64_t round;
};

static void world_start(struct world *w, uint64_t hostile_bytes)
{
	memset(w, 0, sizeof *w);
	fx_host_start(&w->host, 1, 0, NULL);
	fx_guest_start(&w->x, &w->host, HONEST_BYTES);
	fx_guest_start(&w->y, &w->host, HONEST_BYTES);
	fx_guest_start(&w->a, &w->host, hostile_bytes);
	fx_guest_start(&w->b, &w->host, hostile_bytes);
	w->xy = fx_create_qp(&w->x, 16, 1, 0);
	w->yx = fx_create_qp(&w->y, 16, 1, 0);
	w->ab = fx_create_qp(&w->a, POST_LIST_WQES, 1, 0);
	w->ba = fx_create_qp(&w->b, POST_LIST_WQES, 1, 0);
	fx_connect(w->xy, &w->x, w->yx, &w->y, 7);
	fx_connect(w->ab, &w->a, w->ba, &w->b, 7);
}

static void world_stop(struct world *w)
{
	fx_guest_stop(&w->b);
	fx_guest_stop(&w->a);
	fx_guest_stop(&w->y);
	fx_guest_stop(&w->x);
	fx_host_stop(&w->host);
}

/* x writes into y, one signalled write at a time, data checked. */
static void honest_writes(struct world *w, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		uint64_t seed = ++w->round;
		uint8_t *dst = w->y.buffer + HONEST_WRITE_BYTES;
		fx_fill(w->x.buffer, HONEST_WRITE_BYTES, seed);
		memset(dst, 0, HONEST_WRITE_BYTES);
		struct ibv_sge sge = { .addr = (uintptr_t)w->x.buffer, .length = HONEST_WRITE_BYTES,
				       .lkey = w->x.mr->lkey };
		struct ibv_send_wr wr, *bad = NULL;
		memset(&wr, 0, sizeof wr);
		wr.wr_id = seed;
		wr.opcode = IBV_WR_RDMA_WRITE;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.send_flags = IBV_SEND_SIGNALED;
		wr.wr.rdma.remote_addr = (uintptr_t)dst;
		wr.wr.rdma.rkey = w->y.mr->rkey;
		ck_assert_int_eq(vrdma_post_send(w->xy, &wr, &bad), 0);
		struct ibv_wc wc;
		fx_wait_wc(w->x.cq, &wc);
		ck_assert_msg(wc.status == IBV_WC_SUCCESS, "honest write: %s", vrdma_wc_status_str(wc.status));
		ck_assert_uint_eq(wc.wr_id, seed);
		ck_assert_msg(memcmp(dst, w->x.buffer, HONEST_WRITE_BYTES) == 0, "honest write: wrong data");
	}
}

static void guest_stats(struct world *w, struct fx_guest *g, struct vbackend_guest_stats *s)
{
	vbackend_get_guest_stats(w->host.backend, g->vm, s);
}

/* While x waited, the others (only the hostile guest works) got at most
 * one turn's budget. */
static void assert_x_waited_at_most_one_turn(struct world *w)
{
	struct vbackend_guest_stats x;
	guest_stats(w, &w->x, &x);
	ck_assert_msg(x.turns >= HONEST_WRITES, "x served %llu times", (unsigned long long)x.turns);
	const struct { const char *what; uint64_t waited, budget; } kinds[] = {
		{ "bytes copied", x.max_waited.copied_bytes, VBACKEND_TURN_COPY_BYTES },
		{ "WQEs fetched", x.max_waited.wqes, VBACKEND_TURN_WQES },
		{ "doorbells taken", x.max_waited.doorbells, VBACKEND_TURN_DOORBELLS },
		{ "commands run", x.max_waited.commands, VBACKEND_TURN_COMMANDS },
		{ "page-directory entries walked", x.max_waited.pages, VBACKEND_TURN_PAGES },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		ck_assert_msg(kinds[i].waited <= kinds[i].budget, "while x waited, %llu %s for others (budget %llu)",
			      (unsigned long long)kinds[i].waited, kinds[i].what,
			      (unsigned long long)kinds[i].budget);
}

/* 256 same-host WRITEs of 1 MiB behind one doorbell (the attack used
 * 128 MiB each; the budget is the same at any size). */
START_TEST(huge_same_host_post_list)
{
	struct world w;
	world_start(&w, POST_LIST_WRITE_BYTES);
	static struct ibv_sge sges[POST_LIST_WQES];
	static struct ibv_send_wr wrs[POST_LIST_WQES];
	for (unsigned i = 0; i < POST_LIST_WQES; i++) {
		sges[i] = (struct ibv_sge){ .addr = (uintptr_t)w.a.buffer, .length = POST_LIST_WRITE_BYTES,
					    .lkey = w.a.mr->lkey };
		memset(&wrs[i], 0, sizeof wrs[i]);
		wrs[i].wr_id = i;
		wrs[i].opcode = IBV_WR_RDMA_WRITE;
		wrs[i].sg_list = &sges[i];
		wrs[i].num_sge = 1;
		wrs[i].send_flags = i + 1 == POST_LIST_WQES ? IBV_SEND_SIGNALED : 0;
		wrs[i].wr.rdma.remote_addr = (uintptr_t)w.b.buffer;
		wrs[i].wr.rdma.rkey = w.b.mr->rkey;
		wrs[i].next = i + 1 < POST_LIST_WQES ? &wrs[i + 1] : NULL;
	}
	fx_fill(w.a.buffer, POST_LIST_WRITE_BYTES, 99);
	struct ibv_send_wr *bad = NULL;
	ck_assert_int_eq(vrdma_post_send(w.ab, wrs, &bad), 0);
	honest_writes(&w, HONEST_WRITES);
	struct ibv_wc wc;
	fx_wait_wc(w.a.cq, &wc);
	ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
	ck_assert_uint_eq(wc.wr_id, POST_LIST_WQES - 1);
	ck_assert(memcmp(w.a.buffer, w.b.buffer, POST_LIST_WRITE_BYTES) == 0);

	struct vbackend_guest_stats a, x;
	guest_stats(&w, &w.a, &a);
	guest_stats(&w, &w.x, &x);
	ck_assert_uint_eq(a.total.copied_bytes, (uint64_t)POST_LIST_WQES * POST_LIST_WRITE_BYTES);
	ck_assert_uint_eq(a.total.wqes, POST_LIST_WQES);
	ck_assert_msg(x.max_waited.copied_bytes > 0, "x never waited for the hostile copies");
	assert_x_waited_at_most_one_turn(&w);
	world_stop(&w);
}
END_TEST

/* ---- hostile threads: one pattern each, until told to stop ---- */

struct attacker {
	struct world *w;
	atomic_int stop;
	uint64_t rounds;
	pthread_t thread;
};

static void *mr_loop(void *arg)
{
	struct attacker *at = arg;
	struct fx_guest *a = &at->w->a;
	while (!atomic_load(&at->stop)) {
		struct vrdma_mr *mr = vrdma_reg_mr(a->pd, a->buffer, a->buffer_bytes, IBV_ACCESS_LOCAL_WRITE);
		if (mr == NULL || vrdma_dereg_mr(mr) != 0)
			break;
		at->rounds++;
	}
	return NULL;
}

static void *doorbell_storm(void *arg)
{
	struct attacker *at = arg;
	struct vdev *dev = at->w->a.vm->device;
	for (uint32_t handle = 1; !atomic_load(&at->stop); handle = handle % STORM_HANDLES + 1) {
		vdev_write_uar(dev, VRDMA_UAR_QP, handle | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
		at->rounds++;
	}
	return NULL;
}

static uint64_t commands_of(const struct vbackend_guest_stats *s) { return s->total.commands; }
static uint64_t doorbells_of(const struct vbackend_guest_stats *s) { return s->total.doorbells; }

/* The attack runs, and x writes only once the backend has done `at_least`
 * of the attacker's work: on a loaded machine the attacker's thread might
 * otherwise not run before x is done. */
static void beside_attacker(struct world *w, void *(*pattern)(void *), struct attacker *at,
			    uint64_t (*work_of)(const struct vbackend_guest_stats *), uint64_t at_least)
{
	at->w = w;
	atomic_store(&at->stop, 0);
	at->rounds = 0;
	ck_assert_int_eq(pthread_create(&at->thread, NULL, pattern, at), 0);
	struct vbackend_guest_stats a;
	for (guest_stats(w, &w->a, &a); work_of(&a) < at_least; guest_stats(w, &w->a, &a))
		ck_assert_msg(fx_no_wc_within(w->x.cq, 1), "x completed work it never posted");
	honest_writes(w, HONEST_WRITES);
	atomic_store(&at->stop, 1);
	pthread_join(at->thread, NULL);
}

START_TEST(create_destroy_mr_loop)
{
	struct world w;
	struct attacker at;
	world_start(&w, MR_LOOP_BYTES);
	struct vbackend_guest_stats a;
	guest_stats(&w, &w.a, &a);
	beside_attacker(&w, mr_loop, &at, commands_of, a.total.commands + 4);
	guest_stats(&w, &w.a, &a);
	ck_assert_uint_ge(a.total.commands, 2 * at.rounds);
	assert_x_waited_at_most_one_turn(&w);
	world_stop(&w);
}
END_TEST

/* One CREATE_MR walks 65,536 entries: before the page budget, all in one
 * turn while x waited. */
START_TEST(create_mr_of_a_large_region_loop)
{
	struct world w;
	struct attacker at;
	world_start(&w, BIG_MR_BYTES);
	struct vbackend_guest_stats a, x;
	guest_stats(&w, &w.a, &a);
	beside_attacker(&w, mr_loop, &at, commands_of, a.total.commands + 4);
	guest_stats(&w, &w.a, &a);
	guest_stats(&w, &w.x, &x);
	uint64_t region_pages = BIG_MR_BYTES / VRDMA_PAGE_BYTES;
	ck_assert_uint_ge(a.total.pages, at.rounds * region_pages);
	ck_assert_msg(x.max_waited.pages > 0, "x never waited for the hostile walks");
	assert_x_waited_at_most_one_turn(&w);
	world_stop(&w);
}
END_TEST

START_TEST(doorbell_storm_on_every_handle)
{
	struct world w;
	struct attacker at;
	world_start(&w, HONEST_BYTES);
	beside_attacker(&w, doorbell_storm, &at, doorbells_of, 4 * VBACKEND_TURN_DOORBELLS);
	assert_x_waited_at_most_one_turn(&w);
	world_stop(&w);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma fairness");
	TCase *t = tcase_create("fair");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, huge_same_host_post_list);
	tcase_add_test(t, create_destroy_mr_loop);
	tcase_add_test(t, create_mr_of_a_large_region_loop);
	tcase_add_test(t, doorbell_storm_on_every_handle);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
