/*
 * tests/bench/fair_bench.c -- make bench: an honest guest's latency beside a
 * hostile guest on the same host (one backend thread serves both).
 *
 * The honest guest x writes 2 B into its neighbour y (same-host copy path,
 * signalled, polled) ITERATIONS times; the per-write latency (post to
 * completion) is reported as p50 / p99 / max beside each of:
 *   alone        nothing else;
 *   spinner      a thread that merely spins (the reference: CPU competition only);
 *   post-list    a guest posting 256 same-host WRITEs of 16 MiB behind one
 *                doorbell, again and again;
 *   mr-loop      a guest registering and deregistering a 1 GiB region in a loop
 *                (the largest one CREATE_MR takes: 262,144 page-directory
 *                entries, walked VBACKEND_TURN_PAGES a turn);
 *   storm        a guest ringing every doorbell of its UAR in a loop.
 * Placement is fixed, so runs compare: the backend thread and the hostile
 * (or spinning) thread on CPU 0, the honest guest's thread alone on CPU 1
 * (a cross-core wake-up costs 5-25 us on these VMs; compare only runs placed
 * the same way).  The backend's counters follow each line: the most work
 * done for other guests while x waited to be served.
 *
 * It runs inside a Check runner only so that the test fixture's asserts
 * work; it is not part of make check.  Usage: fair_bench [ITERATIONS [PATTERN]]
 */
#include "tests/vrdma/fixture.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_ITERATIONS 20000u
#define HONEST_BYTES (64u << 10)
#define HONEST_WRITE_BYTES 2u
#define POST_LIST_WQES 256u
#define POST_LIST_WRITE_BYTES (16u << 20)
#define MR_LOOP_BYTES (1ull << 30) /* VPD_MAX_PAGES pages */
#define STORM_HANDLES 4095u
#define BACKEND_CPU 0
#define HONEST_CPU 1

static unsigned iterations = DEFAULT_ITERATIONS;
static const char *only; /* one pattern by name, or NULL for all */

struct world {
	struct fx_host host;
	struct fx_guest x, y, a, b;
	struct vrdma_qp *xy, *yx, *ab, *ba;
	atomic_int stop;
};

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* ---- the hostile patterns: run until w->stop ---- */

static void *spinner(void *arg)
{
	struct world *w = arg;
	pin(BACKEND_CPU);
	volatile uint64_t n = 0;
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed))
		n++;
	return NULL;
}

static void *post_list(void *arg)
{
	struct world *w = arg;
	pin(BACKEND_CPU);
	static struct ibv_sge sges[POST_LIST_WQES];
	static struct ibv_send_wr wrs[POST_LIST_WQES];
	for (unsigned i = 0; i < POST_LIST_WQES; i++) {
		sges[i] = (struct ibv_sge){ .addr = (uintptr_t)w->a.buffer, .length = POST_LIST_WRITE_BYTES,
					    .lkey = w->a.mr->lkey };
		wrs[i] = (struct ibv_send_wr){ .wr_id = i, .opcode = IBV_WR_RDMA_WRITE, .sg_list = &sges[i],
					       .num_sge = 1,
					       .send_flags = i + 1 == POST_LIST_WQES ? IBV_SEND_SIGNALED : 0,
					       .next = i + 1 < POST_LIST_WQES ? &wrs[i + 1] : NULL };
		wrs[i].wr.rdma.remote_addr = (uintptr_t)w->b.buffer;
		wrs[i].wr.rdma.rkey = w->b.mr->rkey;
	}
	while (!atomic_load(&w->stop)) {
		struct ibv_send_wr *bad = NULL;
		struct ibv_wc wc;
		if (vrdma_post_send(w->ab, wrs, &bad) != 0)
			break;
		while (vrdma_poll_cq(w->a.cq, 1, &wc) == 0)
			sched_yield();
	}
	return NULL;
}

static void *mr_loop(void *arg)
{
	struct world *w = arg;
	pin(BACKEND_CPU);
	while (!atomic_load(&w->stop)) {
		struct vrdma_mr *mr = vrdma_reg_mr(w->a.pd, w->a.buffer, w->a.buffer_bytes, IBV_ACCESS_LOCAL_WRITE);
		if (mr == NULL || vrdma_dereg_mr(mr) != 0)
			break;
	}
	return NULL;
}

static void *storm(void *arg)
{
	struct world *w = arg;
	pin(BACKEND_CPU);
	struct vdev *dev = w->a.vm->device;
	for (uint32_t h = 1; !atomic_load_explicit(&w->stop, memory_order_relaxed); h = h % STORM_HANDLES + 1)
		vdev_write_uar(dev, VRDMA_UAR_QP, h | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
	return NULL;
}

/* ---- the honest guest ---- */

static int by_value(const void *l, const void *r)
{
	double a = *(const double *)l, b = *(const double *)r;
	return (a > b) - (a < b);
}

static void honest_run(struct world *w, double *latency_us)
{
	struct ibv_sge sge = { .addr = (uintptr_t)w->x.buffer, .length = HONEST_WRITE_BYTES,
			       .lkey = w->x.mr->lkey };
	struct ibv_send_wr wr = { .opcode = IBV_WR_RDMA_WRITE, .sg_list = &sge, .num_sge = 1,
				  .send_flags = IBV_SEND_SIGNALED };
	wr.wr.rdma.remote_addr = (uintptr_t)w->y.buffer;
	wr.wr.rdma.rkey = w->y.mr->rkey;
	for (unsigned i = 0; i < iterations; i++) {
		struct ibv_send_wr *bad = NULL;
		struct ibv_wc wc;
		wr.wr_id = i;
		w->x.buffer[0] = (uint8_t)i;
		double start = now_us();
		ck_assert_int_eq(vrdma_post_send(w->xy, &wr, &bad), 0);
		fx_wait_wc(w->x.cq, &wc);
		latency_us[i] = now_us() - start;
		ck_assert_int_eq(wc.status, IBV_WC_SUCCESS);
		ck_assert_uint_eq(wc.wr_id, i);
		ck_assert_uint_eq(w->y.buffer[0], (uint8_t)i);
	}
}

static void world_start(struct world *w, uint64_t hostile_bytes)
{
	memset(w, 0, sizeof *w);
	pin(BACKEND_CPU); /* the backend thread inherits this */
	fx_host_start(&w->host, 1, 0, NULL);
	pin(HONEST_CPU);
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

static const struct pattern {
	const char *name;
	void *(*run)(void *);
	uint64_t hostile_bytes;
} patterns[] = {
	{ "alone", NULL, HONEST_BYTES },
	{ "spinner", spinner, HONEST_BYTES },
	{ "post-list", post_list, POST_LIST_WRITE_BYTES },
	{ "mr-loop", mr_loop, MR_LOOP_BYTES },
	{ "storm", storm, HONEST_BYTES },
};

START_TEST(beside_each_pattern)
{
	const struct pattern *p = &patterns[_i];
	if (only != NULL && strcmp(only, p->name) != 0)
		return;
	struct world w;
	double *latency_us = calloc(iterations, sizeof *latency_us);
	ck_assert_ptr_nonnull(latency_us);
	world_start(&w, p->hostile_bytes);
	pthread_t thread;
	if (p->run != NULL)
		ck_assert_int_eq(pthread_create(&thread, NULL, p->run, &w), 0);
	honest_run(&w, latency_us);
	atomic_store(&w.stop, 1);
	if (p->run != NULL)
		pthread_join(thread, NULL);
	struct vbackend_guest_stats x;
	vbackend_get_guest_stats(w.host.backend, w.x.vm, &x);
	world_stop(&w);
	qsort(latency_us, iterations, sizeof *latency_us, by_value);
	printf("%-10s p50 %9.1f us  p99 %9.1f us  max %10.1f us | while x waited, at most: "
	       "%llu B copied, %llu WQEs, %llu doorbells, %llu commands, %llu pages walked\n",
	       p->name, latency_us[iterations / 2], latency_us[iterations * 99 / 100],
	       latency_us[iterations - 1], (unsigned long long)x.max_waited.copied_bytes,
	       (unsigned long long)x.max_waited.wqes, (unsigned long long)x.max_waited.doorbells,
	       (unsigned long long)x.max_waited.commands, (unsigned long long)x.max_waited.pages);
	fflush(stdout);
	free(latency_us);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc > 1)
		iterations = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		only = argv[2];
	if (iterations < 100 || argc > 3) {
		fprintf(stderr, "usage: fair_bench [ITERATIONS >= 100 [PATTERN]]\n");
		return 2;
	}
	printf("honest 2 B same-host write latency, %u writes beside each pattern "
	       "(backend and hostile on CPU %d, honest on CPU %d)\n", iterations, BACKEND_CPU, HONEST_CPU);
	Suite *s = suite_create("fair bench");
	TCase *t = tcase_create("patterns");
	tcase_set_timeout(t, 600);
	tcase_add_loop_test(t, beside_each_pattern, 0, (int)(sizeof patterns / sizeof patterns[0]));
	suite_add_tcase(s, t);
	SRunner *runner = srunner_create(s);
	srunner_set_fork_status(runner, CK_NOFORK);
	srunner_run_all(runner, CK_SILENT);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
