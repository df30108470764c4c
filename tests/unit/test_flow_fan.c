/*
 * test_flow_fan.c - the many-flow engine's fan-out operations (every leg
 * at once, done with the slowest: a write acknowledged by each replica)
 * and triggered flows (an arrival per completion of a leader: a log that
 * follows a VM's input), sim/flows/flows.h.  Every figure is exact
 * arithmetic on integer picoseconds.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim/flows/flows.h"
#include "tests/check_run.h"

static fl_engine *engine(uint32_t groups)
{
	fl_config config = {.seed = 7, .groups = groups, .vms = 2};
	fl_engine *e = fl_engine_new(&config);
	ck_assert_ptr_nonnull(e);
	return e;
}

static uint32_t server(fl_engine *e, const char *name)
{
	uint32_t s = fl_add_server(e, &(fl_server_spec){.name = name, .units = 1});
	ck_assert_uint_ne(s, FL_NONE);
	return s;
}

static uint32_t one_visit(fl_engine *e, uint32_t at, double ns)
{
	uint32_t p = fl_add_path(e, &(fl_hop_spec){.server = at, .time_ns = ns}, 1);
	ck_assert_uint_ne(p, FL_NONE);
	return p;
}

/* Three legs of 1, 3 and 2 us on three servers: each operation takes the
 * slowest, 3 us; every leg counts once per operation; the bytes are the
 * legs' summed. */
START_TEST(a_fan_out_completes_with_its_slowest_leg)
{
	fl_engine *e = engine(1);
	uint32_t a = server(e, "a"), b = server(e, "b"), c = server(e, "c");
	fl_choice legs[] = {{.path = one_visit(e, a, 1000), .bytes_per_op = 4096, .weight = 1},
			    {.path = one_visit(e, b, 3000), .weight = 1},
			    {.path = one_visit(e, c, 2000), .weight = 1}};
	fl_flow_spec flow = {.client_vm = 0, .server_vm = 1, .load = FL_CLOSED_LOOP, .window = 1, .operations = 10,
			     .choices = legs, .choice_count = 3, .fan_out = 1};
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_group_figures(e, 0, &f);
	ck_assert_uint_eq(f.completed, 10);
	ck_assert_uint_eq(f.bytes, 10 * 4096);
	ck_assert_double_eq(f.min_ns, 3000);
	ck_assert_double_eq(f.max_ns, 3000);
	ck_assert_double_eq(fl_end_ns(e), 30000);
	for (uint32_t leg = 0; leg < 3; leg++)
		ck_assert_uint_eq(fl_flow_choice_completed(e, 0, leg), 10);
	fl_server_figures sa;
	fl_server_figures_of(e, a, &sa);
	ck_assert_uint_eq(sa.visits, 10);
	ck_assert_double_eq_tol(sa.utilisation, 10.0 / 30, 1e-12);   /* a leg's server idles while the slowest runs */
	fl_engine_free(e);
}
END_TEST

/* The slowest leg is not always the same one: a neighbour keeps leg b's
 * server busy for 5 us from 0, so the first operation waits for it
 * (5 + 1 = 6 us) although its other leg takes 2 us alone; later ones take
 * 2 us.  Window 2: two operations at once, each with its own slot. */
START_TEST(every_leg_is_waited_for)
{
	fl_engine *e = engine(2);
	uint32_t a = server(e, "a"), b = server(e, "b");
	fl_choice legs[] = {{.path = one_visit(e, a, 2000), .weight = 1}, {.path = one_visit(e, b, 1000), .weight = 1}};
	fl_flow_spec neighbour = {.path = one_visit(e, b, 5000), .group = 1, .load = FL_CLOSED_LOOP, .window = 1,
				  .operations = 1};
	ck_assert_uint_ne(fl_add_flow(e, &neighbour), FL_NONE);
	fl_flow_spec flow = {.client_vm = 0, .server_vm = 1, .load = FL_CLOSED_LOOP, .window = 2, .operations = 4,
			     .choices = legs, .choice_count = 2, .fan_out = 1};
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_group_figures(e, 0, &f);
	ck_assert_uint_eq(f.completed, 4);
	/* a serves the first two operations' legs 0-2 and 2-4 us; b the
	 * neighbour 0-5, then 5-6 and 6-7: they end at 6 and 7 us (latencies
	 * 6 and 7 us, waiting for b although a was done).  Posted at 6 and 7,
	 * the next two take a 6-8 and b 7-8 (done at 8: 2 us), a 8-10 and
	 * b 8-9 (done at 10: 3 us). */
	ck_assert_double_eq(f.max_ns, 7000);
	ck_assert_double_eq(f.min_ns, 2000);
	ck_assert_double_eq(f.mean_ns, (6000 + 7000 + 2000 + 3000) / 4.0);
	ck_assert_double_eq(fl_end_ns(e), 10000);
	fl_engine_free(e);
}
END_TEST

/* Open loop too: legs complete as events; latency from the arrival. */
START_TEST(a_fan_out_in_open_loop)
{
	fl_engine *e = engine(1);
	uint32_t a = server(e, "a");
	fl_hop_spec slow = {.server = FL_NONE, .time_ns = 4000};
	fl_choice legs[] = {{.path = one_visit(e, a, 1000), .weight = 1}, {.path = fl_add_path(e, &slow, 1), .weight = 1}};
	fl_flow_spec flow = {.client_vm = 0, .server_vm = 1, .load = FL_OPEN_LOOP, .window = 64, .rate_per_s = 1e3,
			     .operations = 50, .choices = legs, .choice_count = 2, .fan_out = 1};
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_group_figures(e, 0, &f);
	ck_assert_uint_eq(f.completed, 50);
	ck_assert_double_eq(f.min_ns, 4000);   /* the pure delay leg, never beaten */
	fl_engine_free(e);
}
END_TEST

/* A follower takes an arrival per completion of its leader: the leader
 * completes every 1 us (at 1, 2, ... 5 us), the follower serves 2 us
 * each with a window of 1, so arrivals wait: it starts at 1, 3, 5, 7, 9
 * and ends at 3, 5, 7, 9, 11 us: latencies 2, 3, 4, 5, 6 us from each
 * arrival. */
START_TEST(a_follower_follows_its_leader)
{
	fl_engine *e = engine(2);
	uint32_t a = server(e, "a"), b = server(e, "b");
	fl_flow_spec leader = {.path = one_visit(e, a, 1000), .load = FL_CLOSED_LOOP, .window = 1, .operations = 5};
	uint32_t l = fl_add_flow(e, &leader);
	fl_flow_spec follower = {.path = one_visit(e, b, 2000), .group = 1, .load = FL_TRIGGERED, .window = 1,
				 .bytes_per_op = 100};
	uint32_t f = fl_add_flow(e, &follower);
	ck_assert_uint_ne(f, FL_NONE);
	ck_assert_int_eq(fl_follow(e, f, l), 0);
	ck_assert_int_eq(fl_follow(e, f, l), -1);   /* one follower per leader */
	ck_assert_int_eq(fl_follow(e, l, f), -1);   /* the leader is not triggered */
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures g;
	fl_group_figures(e, 1, &g);
	ck_assert_uint_eq(g.completed, 5);
	ck_assert_uint_eq(g.bytes, 500);
	ck_assert_double_eq(g.min_ns, 2000);
	ck_assert_double_eq(g.max_ns, 6000);
	ck_assert_double_eq(g.mean_ns, 4000);
	ck_assert_double_eq(fl_end_ns(e), 11000);
	fl_engine_free(e);
}
END_TEST

/* The follower takes its leader's choice: a log record as large as the
 * input it logs.  Two leaders (the VM's two inputs) share one follower. */
START_TEST(a_follower_takes_its_leaders_choice)
{
	fl_engine *e = engine(2);
	uint32_t a = server(e, "a"), b = server(e, "b");
	uint32_t small = one_visit(e, a, 100), large = one_visit(e, a, 300);
	fl_choice mix[] = {{.path = small, .bytes_per_op = 64, .weight = 3}, {.path = large, .bytes_per_op = 4096, .weight = 1}};
	fl_flow_spec leader = {.load = FL_CLOSED_LOOP, .window = 1, .operations = 1000, .choices = mix, .choice_count = 2};
	uint32_t l1 = fl_add_flow(e, &leader), l2 = fl_add_flow(e, &leader);
	uint32_t log_small = one_visit(e, b, 10), log_large = one_visit(e, b, 20);
	fl_choice logs[] = {{.path = log_small, .bytes_per_op = 70, .weight = 1}, {.path = log_large, .bytes_per_op = 4400, .weight = 1}};
	fl_flow_spec follower = {.group = 1, .load = FL_TRIGGERED, .window = 8, .choices = logs, .choice_count = 2};
	uint32_t f = fl_add_flow(e, &follower);
	ck_assert_int_eq(fl_follow(e, f, l1), 0);
	ck_assert_int_eq(fl_follow(e, f, l2), 0);
	ck_assert_int_eq(fl_run(e), 0);
	for (uint32_t c = 0; c < 2; c++)
		ck_assert_uint_eq(fl_flow_choice_completed(e, f, c),
				  fl_flow_choice_completed(e, l1, c) + fl_flow_choice_completed(e, l2, c));
	fl_figures g;
	fl_group_figures(e, 1, &g);
	ck_assert_uint_eq(g.completed, 2000);
	ck_assert_uint_eq(g.bytes, 70 * fl_flow_choice_completed(e, f, 0) + 4400 * fl_flow_choice_completed(e, f, 1));
	ck_assert_uint_gt(fl_flow_choice_completed(e, f, 1), 0);
	fl_engine_free(e);
}
END_TEST

/* A triggered flow without a leader posts nothing and does not keep the
 * run from ending; a horizon cuts a follower as any flow. */
START_TEST(a_follower_alone_posts_nothing)
{
	fl_engine *e = engine(1);
	uint32_t a = server(e, "a");
	fl_flow_spec follower = {.path = one_visit(e, a, 10), .load = FL_TRIGGERED, .window = 1};
	ck_assert_uint_ne(fl_add_flow(e, &follower), FL_NONE);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures g;
	fl_group_figures(e, 0, &g);
	ck_assert_uint_eq(g.completed, 0);
	fl_engine_free(e);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flow fan-out and followers");
	TCase *tc = tcase_create("fan");
	tcase_add_test(tc, a_fan_out_completes_with_its_slowest_leg);
	tcase_add_test(tc, every_leg_is_waited_for);
	tcase_add_test(tc, a_fan_out_in_open_loop);
	tcase_add_test(tc, a_follower_follows_its_leader);
	tcase_add_test(tc, a_follower_takes_its_leaders_choice);
	tcase_add_test(tc, a_follower_alone_posts_nothing);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
