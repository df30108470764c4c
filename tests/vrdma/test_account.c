/*
 * tests/vrdma/test_account.c -- the backend's resource accounting and share
 * policy (vrdma/backend/account.h), read through its own counters.
 *
 * Each share test runs one host whose limits make one resource scarce (the
 * others generous): four greedy guests take all they can of it, then an
 * honest guest must still get its whole guarantee.  Every test ends by
 * destroying what it made and checking that the counters are back where
 * they began: no quota leaks.  Issue 11: four guests registering 1,024
 * one-page regions each had left an honest guest's reg_mr failing.
 */
#include "tests/check_run.h"
#include "tests/vrdma/fixture.h"
#include "vrdma/device/page_dir.h"

#include <check.h>
#include <errno.h>
#include <string.h>

#define PAGE VRDMA_PAGE_BYTES
#define GUEST_BYTES (8u << 20)
#define GREEDY 4
#define MAX_OBJECTS 512u
#define CQE_UNIT 64u          /* CQEs of one CQ the CQE test makes */
#define WQE_UNIT_DEPTH 64u    /* depth of each queue of one QP of the WQE test */
#define PAGE_UNIT 64u         /* pages of one region of the page test */

/* A guest of these tests: a device, a PD, a one-entry CQ for its QPs, and
 * the objects it made, to destroy one by one. */
struct guest {
	struct vrdma_vm *vm;
	struct vrdma_context *ctx;
	struct vrdma_pd *pd;
	struct vrdma_cq *cq;
	uint8_t *buffer;
	void *objects[MAX_OBJECTS];
	uint32_t count;
};

/* Every pool and guarantee generous (1/16 of the default pool, so
 * sixteen guests fit), except `scarce`: host total 10 x guarantee. */
static void scarce_limits(struct vacct_limits *l, enum vacct_resource scarce, uint64_t guarantee)
{
	vacct_default_limits(l);
	for (int r = 0; r < VACCT_COUNT; r++)
		l->guarantee[r] = l->host_total[r] / 16;
	l->guarantee[scarce] = guarantee;
	l->host_total[scarce] = 10 * guarantee;
	l->share_percent = 25;
}

static void guest_start(struct guest *g, struct fx_host *h)
{
	char err[256];
	memset(g, 0, sizeof *g);
	ck_assert_msg(vbackend_create_vm(h->backend, GUEST_BYTES, &g->vm, err, sizeof err) == 0, "%s", err);
	g->ctx = vrdma_open_device(g->vm);
	ck_assert_ptr_nonnull(g->ctx);
	g->pd = vrdma_alloc_pd(g->ctx);
	ck_assert_ptr_nonnull(g->pd);
	g->cq = vrdma_create_cq(g->ctx, 1, NULL, NULL);
	ck_assert_ptr_nonnull(g->cq);
	g->buffer = vrdma_alloc_buffer(g->ctx, PAGE_UNIT * PAGE);
	ck_assert_ptr_nonnull(g->buffer);
}

static struct vrdma_qp *make_qp(struct guest *g, uint32_t depth)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = depth, .max_recv_wr = depth, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	return vrdma_create_qp(g->pd, g->cq, g->cq, &init);
}

/* One unit of the scarce resource: 0, or the errno of the refusal. */
static int grab(struct guest *g, enum vacct_resource r)
{
	void *o = NULL;
	ck_assert_uint_lt(g->count, MAX_OBJECTS);
	switch (r) {
	case VACCT_PD: o = vrdma_alloc_pd(g->ctx); break;
	case VACCT_MR: o = vrdma_reg_mr(g->pd, g->buffer, PAGE, IBV_ACCESS_LOCAL_WRITE); break;
	case VACCT_CQ: o = vrdma_create_cq(g->ctx, 1, NULL, NULL); break;
	case VACCT_QP: o = make_qp(g, 1); break;
	case VACCT_CQE: o = vrdma_create_cq(g->ctx, CQE_UNIT, NULL, NULL); break;
	case VACCT_WQE: o = make_qp(g, WQE_UNIT_DEPTH); break;
	case VACCT_PAGE: o = vrdma_reg_mr(g->pd, g->buffer, PAGE_UNIT * PAGE, IBV_ACCESS_LOCAL_WRITE); break;
	default: ck_abort();
	}
	if (o == NULL)
		return errno;
	g->objects[g->count++] = o;
	return 0;
}

/* What one unit costs in resource r. */
static uint64_t unit_cost(enum vacct_resource r)
{
	switch (r) {
	case VACCT_CQE: return CQE_UNIT;
	case VACCT_WQE: return 2 * WQE_UNIT_DEPTH;
	case VACCT_PAGE: return vpd_mapped_pages(PAGE_UNIT);
	default: return 1;
	}
}

static void destroy_objects(struct guest *g, enum vacct_resource r)
{
	while (g->count > 0) {
		void *o = g->objects[--g->count];
		int rc;
		switch (r) {
		case VACCT_PD: rc = vrdma_dealloc_pd(o); break;
		case VACCT_MR: case VACCT_PAGE: rc = vrdma_dereg_mr(o); break;
		case VACCT_CQ: case VACCT_CQE: rc = vrdma_destroy_cq(o); break;
		default: rc = vrdma_destroy_qp(o); break;
		}
		ck_assert_int_eq(rc, 0);
	}
}

static void guest_stop(struct guest *g, struct fx_host *h)
{
	vrdma_close_device(g->ctx);
	vbackend_destroy_vm(h->backend, g->vm);
	memset(g, 0, sizeof *g);
}

static struct vacct_usage usage_of(struct fx_host *h, const struct guest *g, enum vacct_resource r)
{
	struct vacct_usage u[VACCT_COUNT];
	vbackend_get_usage(h->backend, g ? g->vm : NULL, u);
	return u[r];
}

/* Host in use = the sum of its guests', resource by resource. */
static void check_host_sum(struct fx_host *h, struct guest *guests, int n)
{
	struct vacct_usage host[VACCT_COUNT], one[VACCT_COUNT];
	uint64_t sum[VACCT_COUNT] = { 0 }, reserved[VACCT_COUNT] = { 0 };
	vbackend_get_usage(h->backend, NULL, host);
	for (int i = 0; i < n; i++) {
		vbackend_get_usage(h->backend, guests[i].vm, one);
		for (int r = 0; r < VACCT_COUNT; r++) {
			sum[r] += one[r].in_use;
			reserved[r] += one[r].reserved;
		}
	}
	for (int r = 0; r < VACCT_COUNT; r++) {
		ck_assert_msg(host[r].in_use == sum[r], "%s: host holds %llu, its guests %llu",
			      vacct_resource_names[r], (unsigned long long)host[r].in_use,
			      (unsigned long long)sum[r]);
		ck_assert_uint_eq(host[r].reserved, reserved[r]);
		ck_assert_uint_le(host[r].in_use, host[r].cap);
		ck_assert_uint_le(host[r].high_water, host[r].cap);
	}
}

/* Four greedy guests at their cap of r; the honest one still gets its
 * guarantee; destroying everything returns every count. */
static void honest_gets_guarantee(enum vacct_resource r, uint64_t guarantee)
{
	struct vacct_limits limits;
	scarce_limits(&limits, r, guarantee);
	struct fx_host h;
	fx_host_start_limits(&h, 1, &limits);
	struct guest g[GREEDY + 1]; /* g[GREEDY] is the honest one */
	uint64_t baseline[GREEDY + 1];
	for (int i = 0; i <= GREEDY; i++) {
		guest_start(&g[i], &h);
		baseline[i] = usage_of(&h, &g[i], r).in_use;
		ck_assert_uint_eq(usage_of(&h, &g[i], r).reserved, guarantee);
	}
	for (int i = 0; i < GREEDY; i++) {
		int rc;
		while ((rc = grab(&g[i], r)) == 0)
			;
		ck_assert_int_eq(rc, ENOMEM);
		struct vacct_usage u = usage_of(&h, &g[i], r);
		ck_assert_msg(u.in_use > u.reserved, "%s: a greedy guest got no more than its guarantee",
			      vacct_resource_names[r]);
		ck_assert_uint_le(u.in_use, u.cap);
		ck_assert_uint_le(u.high_water, u.cap);
	}
	/* The greedy ones took all of the pool that is not the honest one's. */
	struct guest *honest = &g[GREEDY];
	struct vacct_usage u = usage_of(&h, honest, r);
	while (u.in_use + unit_cost(r) <= u.reserved) {
		int rc = grab(honest, r);
		ck_assert_msg(rc == 0, "%s: the honest guest was refused (%s) at %llu of its guarantee %llu",
			      vacct_resource_names[r], strerror(rc), (unsigned long long)u.in_use,
			      (unsigned long long)u.reserved);
		u = usage_of(&h, honest, r);
	}
	ck_assert_uint_gt(honest->count, 0);
	check_host_sum(&h, g, GREEDY + 1);
	/* One guest too many: the pool cannot back its guarantee. */
	struct vrdma_vm *extra = NULL;
	char err[256] = "";
	ck_assert_int_eq(vbackend_create_vm(h.backend, GUEST_BYTES, &extra, err, sizeof err), ENOSPC);
	ck_assert_msg(strstr(err, vacct_resource_names[r]) != NULL, "refusal names no resource: %s", err);
	for (int i = 0; i <= GREEDY; i++) {
		destroy_objects(&g[i], r);
		ck_assert_uint_eq(usage_of(&h, &g[i], r).in_use, baseline[i]);
	}
	check_host_sum(&h, g, GREEDY + 1);
	for (int i = 0; i <= GREEDY; i++)
		guest_stop(&g[i], &h);
	struct vacct_usage host[VACCT_COUNT];
	vbackend_get_usage(h.backend, NULL, host);
	for (int k = 0; k < VACCT_COUNT; k++) {
		ck_assert_uint_eq(host[k].in_use, 0);
		ck_assert_uint_eq(host[k].reserved, 0);
	}
	fx_host_stop(&h);
}

START_TEST(guarantee_of_pds) { honest_gets_guarantee(VACCT_PD, 4); }
END_TEST
START_TEST(guarantee_of_mrs) { honest_gets_guarantee(VACCT_MR, 8); }
END_TEST
START_TEST(guarantee_of_cqs) { honest_gets_guarantee(VACCT_CQ, 4); }
END_TEST
START_TEST(guarantee_of_qps) { honest_gets_guarantee(VACCT_QP, 4); }
END_TEST
START_TEST(guarantee_of_cqes) { honest_gets_guarantee(VACCT_CQE, 4 * CQE_UNIT); }
END_TEST
START_TEST(guarantee_of_wqes) { honest_gets_guarantee(VACCT_WQE, 4 * 2 * WQE_UNIT_DEPTH); }
END_TEST
START_TEST(guarantee_of_pages) { honest_gets_guarantee(VACCT_PAGE, 8 * vpd_mapped_pages(PAGE_UNIT)); }
END_TEST

/* Issue 11's starvation at the default limits: four guests register
 * 1,024 one-page regions each; an honest guest's reg_mr still works. */
START_TEST(default_limits_one_page_regions)
{
	struct fx_host h;
	fx_host_start(&h, 1, 0, NULL);
	struct guest g[GREEDY + 1];
	for (int i = 0; i <= GREEDY; i++)
		guest_start(&g[i], &h);
	static struct vrdma_mr *mrs[GREEDY][1024];
	for (int i = 0; i < GREEDY; i++)
		for (int k = 0; k < 1024; k++)
			mrs[i][k] = vrdma_reg_mr(g[i].pd, g[i].buffer, PAGE, IBV_ACCESS_LOCAL_WRITE);
	struct vrdma_mr *mr = vrdma_reg_mr(g[GREEDY].pd, g[GREEDY].buffer, PAGE, IBV_ACCESS_LOCAL_WRITE);
	ck_assert_msg(mr != NULL, "honest reg_mr: %s", strerror(errno));
	check_host_sum(&h, g, GREEDY + 1);
	ck_assert_int_eq(vrdma_dereg_mr(mr), 0);
	for (int i = 0; i < GREEDY; i++)
		for (int k = 0; k < 1024; k++)
			if (mrs[i][k])
				ck_assert_int_eq(vrdma_dereg_mr(mrs[i][k]), 0);
	for (int i = 0; i <= GREEDY; i++)
		guest_stop(&g[i], &h);
	fx_host_stop(&h);
}
END_TEST

/* Attach until the MR pool cannot back another guarantee: exactly
 * host_total / guarantee guests, the next refused with the reason; a
 * detach gives the guarantee back. */
START_TEST(attach_refused_when_guarantee_cannot_be_met)
{
	struct vacct_limits limits;
	scarce_limits(&limits, VACCT_MR, 8);
	struct fx_host h;
	fx_host_start_limits(&h, 1, &limits);
	struct vrdma_vm *vms[11];
	char err[256] = "";
	for (int i = 0; i < 10; i++)
		ck_assert_msg(vbackend_create_vm(h.backend, 1u << 16, &vms[i], err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(vbackend_create_vm(h.backend, 1u << 16, &vms[10], err, sizeof err), ENOSPC);
	ck_assert_msg(strstr(err, "cannot guarantee") && strstr(err, "mr"), "unclear refusal: %s", err);
	vbackend_destroy_vm(h.backend, vms[3]);
	ck_assert_msg(vbackend_create_vm(h.backend, 1u << 16, &vms[3], err, sizeof err) == 0, "%s", err);
	struct vacct_usage host[VACCT_COUNT];
	vbackend_get_usage(h.backend, NULL, host);
	ck_assert_uint_eq(host[VACCT_MR].reserved, host[VACCT_MR].cap);
	for (int i = 0; i < 10; i++)
		vbackend_destroy_vm(h.backend, vms[i]);
	vbackend_get_usage(h.backend, NULL, host);
	ck_assert_uint_eq(host[VACCT_MR].reserved, 0);
	fx_host_stop(&h);
}
END_TEST

/* A guest's guarantee of mapped pages is bounded by its memory too: a
 * small guest reserves no more than it could ever map. */
START_TEST(small_guest_reserves_what_it_can_map)
{
	struct fx_host h;
	fx_host_start(&h, 1, 0, NULL);
	struct vrdma_vm *vm;
	char err[256];
	ck_assert_msg(vbackend_create_vm(h.backend, 1u << 16, &vm, err, sizeof err) == 0, "%s", err);
	struct vacct_usage u[VACCT_COUNT];
	vbackend_get_usage(h.backend, vm, u);
	uint64_t can_map = (uint64_t)VB_LIMIT_MAPPINGS_PER_GUEST_PAGE * ((1u << 16) / PAGE);
	ck_assert_uint_eq(u[VACCT_PAGE].reserved, can_map);
	ck_assert_uint_eq(u[VACCT_PAGE].cap, can_map);
	vbackend_destroy_vm(h.backend, vm);
	fx_host_stop(&h);
}
END_TEST

/* Create/destroy loops and a device reset end at zero; the high-water
 * mark remembers the peak. */
START_TEST(no_quota_leaks)
{
	struct fx_host h;
	fx_host_start(&h, 1, 0, NULL);
	struct guest g;
	guest_start(&g, &h);
	struct vacct_usage start[VACCT_COUNT], now[VACCT_COUNT];
	vbackend_get_usage(h.backend, g.vm, start);
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(grab(&g, VACCT_WQE), 0);
		ck_assert_int_eq(grab(&g, VACCT_WQE), 0);
		destroy_objects(&g, VACCT_WQE);
		ck_assert_int_eq(grab(&g, VACCT_PAGE), 0);
		destroy_objects(&g, VACCT_PAGE);
		ck_assert_int_eq(grab(&g, VACCT_CQE), 0);
		destroy_objects(&g, VACCT_CQE);
		ck_assert_int_eq(grab(&g, VACCT_PD), 0);
		destroy_objects(&g, VACCT_PD);
	}
	vbackend_get_usage(h.backend, g.vm, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		ck_assert_msg(now[r].in_use == start[r].in_use, "%s: %llu in use after the loops, %llu before",
			      vacct_resource_names[r], (unsigned long long)now[r].in_use,
			      (unsigned long long)start[r].in_use);
	ck_assert_uint_eq(now[VACCT_QP].high_water, start[VACCT_QP].in_use + 2);
	ck_assert_uint_eq(now[VACCT_WQE].high_water, start[VACCT_WQE].in_use + 2 * unit_cost(VACCT_WQE));
	/* a reset (close) destroys the rest and returns it all */
	ck_assert_int_eq(grab(&g, VACCT_WQE), 0);
	ck_assert_int_eq(grab(&g, VACCT_WQE), 0);
	vrdma_close_device(g.ctx);
	vbackend_get_usage(h.backend, g.vm, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		ck_assert_msg(now[r].in_use == 0, "%s: %llu in use after a reset", vacct_resource_names[r],
			      (unsigned long long)now[r].in_use);
	vbackend_destroy_vm(h.backend, g.vm);
	vbackend_get_usage(h.backend, NULL, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		ck_assert_uint_eq(now[r].in_use, 0);
	fx_host_stop(&h);
}
END_TEST

/* Limits a backend cannot keep are refused when it starts. */
START_TEST(bad_limits_refused)
{
	struct vacct_limits l;
	char why[200];
	vacct_default_limits(&l);
	ck_assert_int_eq(vacct_check_limits(&l, why, sizeof why), 0);
	l.guarantee[VACCT_QP] = l.host_total[VACCT_QP] + 1;
	ck_assert_int_eq(vacct_check_limits(&l, why, sizeof why), EINVAL);
	ck_assert_msg(strstr(why, "qp") != NULL, "%s", why);
	vacct_default_limits(&l);
	l.share_percent = 101;
	ck_assert_int_eq(vacct_check_limits(&l, why, sizeof why), EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma resource accounting");
	TCase *t = tcase_create("account");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, guarantee_of_pds);
	tcase_add_test(t, guarantee_of_mrs);
	tcase_add_test(t, guarantee_of_cqs);
	tcase_add_test(t, guarantee_of_qps);
	tcase_add_test(t, guarantee_of_cqes);
	tcase_add_test(t, guarantee_of_wqes);
	tcase_add_test(t, guarantee_of_pages);
	tcase_add_test(t, default_limits_one_page_regions);
	tcase_add_test(t, attach_refused_when_guarantee_cannot_be_met);
	tcase_add_test(t, small_guest_reserves_what_it_can_map);
	tcase_add_test(t, no_quota_leaks);
	tcase_add_test(t, bad_limits_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
