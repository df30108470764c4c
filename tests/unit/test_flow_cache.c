/*
 * test_flow_cache.c - caches in the many-flow engine (sim/flows/flows.h:
 * fl_add_cache, FL_CACHE hops): hit rates through the engine against the
 * working sets computed by hand, and a miss's cost in the latency.  Every
 * figure is exact arithmetic on integer picoseconds.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim/flows/flows.h"
#include "tests/check_run.h"

enum { MISS_NS = 1000, HIT_NS = 200 };   /* the round trip below, with a miss and without */

static fl_engine *engine(uint32_t vms)
{
	fl_config config = {.seed = 1, .groups = 1, .vms = vms};
	fl_engine *e = fl_engine_new(&config);
	ck_assert_ptr_nonnull(e);
	return e;
}

static uint32_t add_cache(fl_engine *e, uint32_t entries, uint32_t ways)
{
	uint32_t c = fl_add_cache(e, &(fl_cache_spec){.name = "qp-contexts", .entries = entries, .ways = ways});
	ck_assert_uint_ne(c, FL_NONE);
	return c;
}

/* 50 ns, a lookup of KEY (MISS_NS a miss), 50 ns, 100 ns at an HCA of
 * enough engines for every flow (no queueing): HIT_NS, or HIT_NS + MISS_NS. */
static uint32_t lookup_path(fl_engine *e, uint32_t cache, fl_cache_key key, uint32_t pages)
{
	uint32_t hca = fl_add_server(e, &(fl_server_spec){.name = "hca", .units = 1024});
	ck_assert_uint_ne(hca, FL_NONE);
	fl_hop_spec hops[] = {{.server = FL_NONE, .time_ns = 50},
			      {.server = FL_CACHE, .cache = cache, .key = key, .pages = pages, .time_ns = MISS_NS},
			      {.server = FL_NONE, .time_ns = 50},
			      {.server = hca, .time_ns = 100}};
	uint32_t path = fl_add_path(e, hops, 4);
	ck_assert_uint_ne(path, FL_NONE);
	return path;
}

/* FLOWS ping-pong flows of OPS operations, flow i on QP KEY_STRIDE x i,
 * starting i ns apart: they look their QPs up in the order 0, 1, ...,
 * a cyclic sweep over FLOWS keys for as long as their latencies agree. */
static void add_qp_flows(fl_engine *e, uint32_t path, uint32_t flows, uint64_t key_stride, uint64_t ops)
{
	for (uint32_t i = 0; i < flows; i++) {
		fl_flow_spec flow = {.path = path, .load = FL_CLOSED_LOOP, .window = 1, .operations = ops,
				     .start_ns = i, .qp_key = key_stride * i};
		ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	}
}

static void check_cache(const fl_engine *e, uint32_t cache, uint64_t hits, uint64_t misses)
{
	fl_cache_figures c;
	fl_cache_figures_of(e, cache, &c);
	ck_assert_uint_eq(c.hits, hits);
	ck_assert_uint_eq(c.misses, misses);
	ck_assert_uint_eq(c.lookups, hits + misses);
	ck_assert_double_eq_tol(c.hit_rate, (double)hits / (double)(hits + misses), 1e-15);
}

/* N <= C flows cycling on an LRU of C QP contexts: N misses (the first
 * round), hits ever after; each flow's first operation pays the miss. */
START_TEST(flows_that_fit_miss_only_while_warming_up)
{
	enum { C = 16, OPS = 50 };
	static const uint32_t counts[] = {1, 7, C};
	for (size_t k = 0; k < 3; k++) {
		uint32_t n = counts[k];
		fl_engine *e = engine(1);
		uint32_t cache = add_cache(e, C, 0);
		add_qp_flows(e, lookup_path(e, cache, FL_KEY_QP, 0), n, 1, OPS);
		ck_assert_int_eq(fl_run(e), 0);
		check_cache(e, cache, (uint64_t)n * (OPS - 1), n);
		fl_figures f;
		fl_flow_figures(e, n - 1, &f);
		ck_assert_uint_eq(f.completed, OPS);
		ck_assert_double_eq(f.max_ns, HIT_NS + MISS_NS);
		ck_assert_double_eq(f.min_ns, HIT_NS);
		ck_assert_double_eq_tol(f.mean_ns, HIT_NS + (double)MISS_NS / OPS, 1e-9);
		fl_cache_figures c;
		fl_cache_figures_of(e, cache, &c);
		ck_assert_str_eq(c.name, "qp-contexts");
		ck_assert_uint_eq(c.entries, C);
		ck_assert_uint_eq(fl_cache_count(e), 1);
		fl_engine_free(e);
	}
}
END_TEST

/* C + 1 flows: each QP was evicted C lookups before its turn comes back,
 * so every lookup misses and every operation pays the miss. */
START_TEST(one_flow_more_than_the_cache_misses_every_time)
{
	enum { C = 16, OPS = 50 };
	fl_engine *e = engine(1);
	uint32_t cache = add_cache(e, C, 0);
	add_qp_flows(e, lookup_path(e, cache, FL_KEY_QP, 0), C + 1, 1, OPS);
	ck_assert_int_eq(fl_run(e), 0);
	check_cache(e, cache, 0, (uint64_t)(C + 1) * OPS);
	fl_figures g;
	fl_group_figures(e, 0, &g);
	ck_assert_uint_eq(g.completed, (uint64_t)(C + 1) * OPS);
	ck_assert_double_eq(g.min_ns, HIT_NS + MISS_NS);
	ck_assert_double_eq(g.max_ns, HIT_NS + MISS_NS);
	fl_engine_free(e);
}
END_TEST

/* 16 entries in 8 sets of 2: QPs 0, 8, 16 share set 0, an LRU of 2. */
START_TEST(qps_of_one_set_thrash_its_ways)
{
	enum { OPS = 20 };
	fl_engine *e = engine(1);
	uint32_t cache = add_cache(e, 16, 2);
	add_qp_flows(e, lookup_path(e, cache, FL_KEY_QP, 0), 3, 8, OPS);
	ck_assert_int_eq(fl_run(e), 0);
	check_cache(e, cache, 0, 3 * OPS);
	fl_engine_free(e);
	e = engine(1);   /* two of them fit */
	cache = add_cache(e, 16, 2);
	add_qp_flows(e, lookup_path(e, cache, FL_KEY_QP, 0), 2, 8, OPS);
	ck_assert_int_eq(fl_run(e), 0);
	check_cache(e, cache, 2 * (OPS - 1), 2);
	fl_engine_free(e);
}
END_TEST

/* One flow over its P pages, PAGES a lookup, on an LRU of 64: P <= 64
 * pages miss once each, 65 always; a second cache looking the same pages
 * up again sees the same keys. */
START_TEST(a_flows_pages_are_its_working_set)
{
	enum { C = 64, OPS = 260 };
	static const struct { uint32_t page_count, pages; uint64_t misses; } cases[] = {
		{64, 1, 64}, {64, 4, 64}, {65, 1, OPS}, {65, 5, 5 * OPS}, {1, 1, 1}, {0, 3, 1},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		fl_engine *e = engine(1);
		uint32_t mtt = add_cache(e, C, 0), iotlb = add_cache(e, C, C);   /* one set: its ways as an LRU */
		uint32_t hca = fl_add_server(e, &(fl_server_spec){.name = "hca", .units = 1});
		fl_hop_spec hops[] = {
			{.server = FL_CACHE, .cache = mtt, .key = FL_KEY_PAGE, .pages = cases[k].pages, .time_ns = 10},
			{.server = FL_CACHE, .cache = iotlb, .key = FL_KEY_PAGE_AGAIN, .pages = cases[k].pages,
			 .time_ns = 7},
			{.server = hca, .time_ns = 100}};
		fl_flow_spec flow = {.path = fl_add_path(e, hops, 3), .load = FL_CLOSED_LOOP, .window = 1,
				     .operations = OPS, .page_base = 4096, .page_count = cases[k].page_count};
		ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
		ck_assert_int_eq(fl_run(e), 0);
		uint64_t lookups = (uint64_t)OPS * cases[k].pages;
		check_cache(e, mtt, lookups - cases[k].misses, cases[k].misses);
		check_cache(e, iotlb, lookups - cases[k].misses, cases[k].misses);
		/* The first page's share of each lookup's misses adds up (10 + 7
		 * ns a miss); the later pages' go on beside each other (as the
		 * stages of a pipeline), the slower lookup's (10 ns) setting the
		 * pace, over the 100 ns visit. */
		fl_figures f;
		fl_flow_figures(e, 0, &f);
		double pages = cases[k].pages, misses = (double)cases[k].misses / OPS;
		ck_assert_double_eq_tol(f.mean_ns, 100 + 17.0 * misses / pages + 10.0 * misses * (pages - 1) / pages, 1e-3);
		fl_engine_free(e);
	}
}
END_TEST

/* A lookup in detached work counts too, and costs the work, not the
 * operation. */
START_TEST(detached_work_looks_up_without_delaying_its_operation)
{
	fl_engine *e = engine(1);
	uint32_t cache = add_cache(e, 1, 0);
	uint32_t s = fl_add_server(e, &(fl_server_spec){.name = "s", .units = 1});
	fl_hop_spec branch[] = {{.server = FL_CACHE, .cache = cache, .key = FL_KEY_QP, .time_ns = 500},
				{.server = s, .time_ns = 10}};
	uint32_t b = fl_add_path(e, branch, 2);
	fl_hop_spec hops[] = {{.server = FL_FORK, .branch = b}, {.server = FL_NONE, .time_ns = 1000}};
	add_qp_flows(e, fl_add_path(e, hops, 2), 2, 1, 10);   /* two QPs on a cache of one */
	ck_assert_int_eq(fl_run(e), 0);
	check_cache(e, cache, 0, 20);
	fl_figures g;
	fl_group_figures(e, 0, &g);
	ck_assert_double_eq(g.max_ns, 1000);
	fl_engine_free(e);
}
END_TEST

START_TEST(unknown_caches_and_bad_shapes_are_refused)
{
	fl_engine *e = engine(1);
	ck_assert_uint_eq(fl_add_cache(e, &(fl_cache_spec){.name = "x", .entries = 0}), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "entries"));
	ck_assert_uint_eq(fl_add_cache(e, &(fl_cache_spec){.name = "x", .entries = 10, .ways = 3}), FL_NONE);
	fl_hop_spec hop = {.server = FL_CACHE, .cache = 0, .time_ns = 1};
	ck_assert_uint_eq(fl_add_path(e, &hop, 1), FL_NONE);   /* no cache added */
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "cache 0"));
	uint32_t c = add_cache(e, 4, 0);
	hop.cache = c;
	hop.key = (fl_cache_key)7;
	ck_assert_uint_eq(fl_add_path(e, &hop, 1), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "key"));
	hop.key = FL_KEY_PAGE;
	hop.pages = 70000;
	ck_assert_uint_eq(fl_add_path(e, &hop, 1), FL_NONE);
	hop.pages = 2;
	ck_assert_uint_ne(fl_add_path(e, &hop, 1), FL_NONE);
	fl_engine_free(e);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flow caches");
	TCase *tc = tcase_create("caches");
	tcase_add_test(tc, flows_that_fit_miss_only_while_warming_up);
	tcase_add_test(tc, one_flow_more_than_the_cache_misses_every_time);
	tcase_add_test(tc, qps_of_one_set_thrash_its_ways);
	tcase_add_test(tc, a_flows_pages_are_its_working_set);
	tcase_add_test(tc, detached_work_looks_up_without_delaying_its_operation);
	tcase_add_test(tc, unknown_caches_and_bad_shapes_are_refused);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
