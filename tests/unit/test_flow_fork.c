/*
 * test_flow_fork.c - the many-flow engine's forks (detached work that
 * loads servers without holding its operation back) and turns (a visit
 * served packet by packet, queueing again after each: how a link
 * interleaves the messages of several flows, a flow's own in order),
 * sim/flows/flows.h.  Every figure here is exact
 * arithmetic on integer picoseconds.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim/flows/flows.h"
#include "tests/check_run.h"

static fl_engine *engine(void)
{
	fl_config config = {.seed = 1, .groups = 1, .vms = 2};
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

static void ping(fl_engine *e, uint32_t path, uint64_t operations)
{
	fl_flow_spec flow = {.path = path, .client_vm = 0, .server_vm = 1, .load = FL_CLOSED_LOOP, .window = 1,
			     .operations = operations};
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
}

/* A 1 us visit, then a fork of 2 us of work on another server, then a 1 us
 * delay: each operation takes 2 us, and the other server does 2 us per
 * operation, all of it detached. */
START_TEST(a_fork_loads_a_server_without_delaying_its_operation)
{
	fl_engine *e = engine();
	uint32_t a = server(e, "a"), b = server(e, "b");
	uint32_t branch = fl_add_path(e, &(fl_hop_spec){.server = b, .time_ns = 2000}, 1);
	fl_hop_spec hops[] = {{.server = a, .time_ns = 1000}, {.server = FL_FORK, .branch = branch},
			      {.server = FL_NONE, .time_ns = 1000}};
	ping(e, fl_add_path(e, hops, 3), 10);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 0, &f);
	ck_assert_uint_eq(f.completed, 10);
	ck_assert_double_eq(f.min_ns, 2000);
	ck_assert_double_eq(f.max_ns, 2000);
	fl_server_figures sb;
	fl_server_figures_of(e, b, &sb);
	ck_assert_uint_eq(sb.visits, 10);
	ck_assert_double_eq(sb.mean_wait_ns, 0);   /* one every 2 us, each 2 us */
	/* b works from 1 to 21 us; the run ends with the last operation at
	 * 20 us, and utilisation counts the busy time within it */
	ck_assert_double_eq_tol(sb.utilisation, 19.0 / 20, 1e-12);
	ck_assert_uint_eq(fl_events(e), 20);      /* a visit each, and a branch each */
	fl_engine_free(e);
}
END_TEST

/* Detached work on the operation's own server: the next operation queues
 * behind it.  The first takes 1 us; every later one waits 1 us for the
 * previous one's branch. */
START_TEST(detached_work_delays_what_queues_behind_it)
{
	fl_engine *e = engine();
	uint32_t a = server(e, "a");
	uint32_t branch = fl_add_path(e, &(fl_hop_spec){.server = a, .time_ns = 1000}, 1);
	fl_hop_spec hops[] = {{.server = a, .time_ns = 1000}, {.server = FL_FORK, .branch = branch}};
	ping(e, fl_add_path(e, hops, 2), 100);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 0, &f);
	ck_assert_double_eq(f.min_ns, 1000);
	ck_assert_double_eq(f.max_ns, 2000);
	ck_assert_double_eq(f.mean_ns, (1000 + 99 * 2000) / 100.0);
	ck_assert_double_eq(fl_end_ns(e), 1000 + 99 * 2000);
	fl_engine_free(e);
}
END_TEST

/* A fork before the first visit starts at the post, after the delays
 * before it; one in a branch forks again.  Here the branch (500 ns of
 * delay, a 1 us visit to b, then a fork of 1 us on c) runs beside a
 * 3 us delay. */
START_TEST(forks_at_the_post_and_inside_branches)
{
	fl_engine *e = engine();
	uint32_t b = server(e, "b"), c = server(e, "c");
	uint32_t leaf = fl_add_path(e, &(fl_hop_spec){.server = c, .time_ns = 1000}, 1);
	fl_hop_spec branch_hops[] = {{.server = FL_NONE, .time_ns = 500}, {.server = b, .time_ns = 1000},
				     {.server = FL_FORK, .branch = leaf}};
	uint32_t branch = fl_add_path(e, branch_hops, 3);
	fl_hop_spec hops[] = {{.server = FL_NONE, .time_ns = 200}, {.server = FL_FORK, .branch = branch},
			      {.server = FL_NONE, .time_ns = 2800}};
	ping(e, fl_add_path(e, hops, 3), 5);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 0, &f);
	ck_assert_double_eq(f.max_ns, 3000);
	fl_server_figures sb, sc;
	fl_server_figures_of(e, b, &sb);
	fl_server_figures_of(e, c, &sc);
	ck_assert_uint_eq(sb.visits, 5);
	ck_assert_uint_eq(sc.visits, 5);
	ck_assert_double_eq(sb.mean_wait_ns, 0);
	/* b works 700..1700 ns of each 3 us, c 1700..2700: 1/3 each */
	ck_assert_double_eq_tol(sb.utilisation, 1.0 / 3, 1e-12);
	ck_assert_double_eq_tol(sc.utilisation, 1.0 / 3, 1e-12);
	fl_engine_free(e);
}
END_TEST

START_TEST(a_fork_to_an_unknown_path_is_refused)
{
	fl_engine *e = engine();
	uint32_t a = server(e, "a");
	fl_hop_spec hops[] = {{.server = a, .time_ns = 1000}, {.server = FL_FORK, .branch = 7}};
	ck_assert_uint_eq(fl_add_path(e, hops, 2), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "branch path 7"));
	fl_engine_free(e);
}
END_TEST

/* Alone, a message served in 7 turns takes exactly the whole visit's time
 * (1 us split in 7: the shares sum to it), in 7 events. */
START_TEST(turns_alone_take_the_whole_time)
{
	fl_engine *e = engine();
	uint32_t link = server(e, "link");
	ping(e, fl_add_path(e, &(fl_hop_spec){.server = link, .time_ns = 1000, .packets = 7}, 1), 3);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 0, &f);
	ck_assert_double_eq(f.min_ns, 1000);
	ck_assert_double_eq(f.max_ns, 1000);
	ck_assert_uint_eq(fl_events(e), 3 * 7);
	fl_engine_free(e);
}
END_TEST

/* One 10-packet message (1 us a packet) starts at 0; a 1-packet message
 * arrives at 0.5 us.  Served whole, in order, the small one would wait
 * 9.5 us; packet by packet it waits for the packet on the wire, takes the
 * next turn (done at 2 us) and delays the large one by one packet (11 us). */
/* A link shared by flow 0 (10-packet messages of 1 us each, WINDOW in
 * flight, OPERATIONS of them, from 0) and flow 1 (one 1-packet message at
 * 0.5 us), run; their figures into A and B.  Returns the engine. */
static fl_engine *run_link(uint32_t window, uint64_t operations, fl_figures *a, fl_figures *b)
{
	fl_config config = {.seed = 1, .groups = 2, .vms = 4};
	fl_engine *e = fl_engine_new(&config);
	uint32_t link = server(e, "link");
	uint32_t large = fl_add_path(e, &(fl_hop_spec){.server = link, .time_ns = 10000, .packets = 10}, 1);
	uint32_t small = fl_add_path(e, &(fl_hop_spec){.server = link, .time_ns = 1000, .packets = 1}, 1);
	fl_add_flow(e, &(fl_flow_spec){.path = large, .group = 0, .client_vm = 0, .server_vm = 1,
				       .load = FL_CLOSED_LOOP, .window = window, .operations = operations});
	fl_add_flow(e, &(fl_flow_spec){.path = small, .group = 1, .client_vm = 2, .server_vm = 3,
				       .load = FL_CLOSED_LOOP, .window = 1, .operations = 1, .start_ns = 500});
	ck_assert_int_eq(fl_run(e), 0);
	fl_flow_figures(e, 0, a);
	fl_flow_figures(e, 1, b);
	return e;
}

START_TEST(turns_interleave_a_small_message_with_a_large_one)
{
	fl_figures big, little;
	fl_engine *e = run_link(1, 1, &big, &little);
	ck_assert_double_eq(little.max_ns, 1500);
	ck_assert_double_eq(big.max_ns, 11000);
	fl_server_figures s;
	fl_server_figures_of(e, 0, &s);
	ck_assert_uint_eq(s.visits, 11);   /* a visit per packet */
	fl_engine_free(e);
}
END_TEST

/* One flow is one QP: its messages cross a link in order.  Flow A posts
 * two 10-packet messages at 0 (window 2); flow B one packet at 0.5 us.  B
 * takes the turn after A's first packet (done at 2 us); A's first message
 * ends at 11 us, and only then does its second start: done at 21 us.
 * Interleaved with each other, both of A's would have ended near 20. */
START_TEST(a_flows_messages_cross_a_link_in_order)
{
	fl_figures a, b;
	fl_engine *e = run_link(2, 2, &a, &b);
	ck_assert_double_eq(b.max_ns, 1500);
	ck_assert_double_eq(a.min_ns, 11000);
	ck_assert_double_eq(a.max_ns, 21000);
	fl_engine_free(e);
}
END_TEST

/* One path for two flows, visiting each flow's client's own server: the
 * first flow loads server x, the second y; a flow that names no own server
 * for a path that visits one is refused. */
START_TEST(own_servers_are_the_flows)
{
	fl_config config = {.seed = 1, .groups = 1, .vms = 4};
	fl_engine *e = fl_engine_new(&config);
	uint32_t x = server(e, "x"), y = server(e, "y");
	fl_hop_spec hops[] = {{.server = FL_CLIENT_OWN, .time_ns = 1000}, {.server = FL_SERVER_OWN, .time_ns = 500}};
	uint32_t path = fl_add_path(e, hops, 2);
	fl_flow_spec flow = {.path = path, .client_vm = 0, .server_vm = 1, .client_own = x, .server_own = y,
			     .load = FL_CLOSED_LOOP, .window = 1, .operations = 4};
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	flow.client_own = y;
	flow.server_own = x;
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	flow.client_own = FL_NONE;
	ck_assert_uint_eq(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "own server"));
	ck_assert_int_eq(fl_run(e), 0);
	fl_server_figures sx, sy;
	fl_server_figures_of(e, x, &sx);
	fl_server_figures_of(e, y, &sy);
	ck_assert_uint_eq(sx.visits, 8);   /* 4 as flow 0's client, 4 as flow 1's server */
	ck_assert_uint_eq(sy.visits, 8);
	fl_engine_free(e);
}
END_TEST

/* A flow's stop: a closed loop of 1 us operations from 2 us posts until
 * 12 us (exactly 10 operations), then drains; unbounded operations with a
 * stop need no horizon; a stop before the start is refused. */
START_TEST(a_stop_ends_a_flows_posting)
{
	fl_engine *e = engine();
	uint32_t core = server(e, "core");
	uint32_t path = fl_add_path(e, &(fl_hop_spec){.server = core, .time_ns = 1000}, 1);
	fl_flow_spec flow = {.path = path, .client_vm = 0, .server_vm = 1, .load = FL_CLOSED_LOOP, .window = 1,
			     .operations = 0, .start_ns = 2000, .stop_ns = 12000};
	ck_assert_uint_ne(fl_add_flow(e, &flow), FL_NONE);
	flow.stop_ns = 1000;
	ck_assert_uint_eq(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "stop"));
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 0, &f);
	ck_assert_uint_eq(f.completed, 10);
	ck_assert_double_eq(fl_end_ns(e), 12000);
	ck_assert_double_eq_tol(f.ops_per_s, 1e6, 1e-6);   /* over its window, 2 to 12 us */
	fl_engine_free(e);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flow forks and turns");
	TCase *tc = tcase_create("forks");
	tcase_add_test(tc, a_fork_loads_a_server_without_delaying_its_operation);
	tcase_add_test(tc, detached_work_delays_what_queues_behind_it);
	tcase_add_test(tc, forks_at_the_post_and_inside_branches);
	tcase_add_test(tc, a_fork_to_an_unknown_path_is_refused);
	tcase_add_test(tc, turns_alone_take_the_whole_time);
	tcase_add_test(tc, turns_interleave_a_small_message_with_a_large_one);
	tcase_add_test(tc, a_flows_messages_cross_a_link_in_order);
	tcase_add_test(tc, own_servers_are_the_flows);
	tcase_add_test(tc, a_stop_ends_a_flows_posting);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
