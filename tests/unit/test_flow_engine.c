/*
 * test_flow_engine.c - the many-flow engine (sim/flows) against queueing
 * theory and its own promises.
 *
 * The engine runs the queues here; only the expected values are formulas:
 *  - M/D/1 (Poisson arrivals, fixed service S, load rho): mean wait
 *    W = rho S / (2 (1 - rho))  (Pollaczek-Khinchine);
 *  - M/M/1 (exponential service of mean S): mean wait rho S / (1 - rho),
 *    P(wait > t) = rho exp(-(1 - rho) t / S), so its p99 is
 *    S ln(100 rho) / (1 - rho)  (L. Kleinrock, Queueing Systems I, 3.2);
 * at rho 0.5 and 0.9, each with at least 10^6 arrivals and a 95 % batch-
 * means half-width of at most 2 % of the mean.  The M/D/1 run must fail
 * the M/M/1 check (negative control).  Then: a saturated server delivers
 * its capacity, identical closed-loop flows share a server evenly, a seed
 * gives bit-identical figures, pure delays fold into one event per visit,
 * the run inside a SimGrid actor leaves SimGrid's clock at the engine's
 * end, bad specs are refused, and a server's peak utilisation is that of
 * its busiest window (a phase full, the run half full).
 */
#include <check.h>
#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/flows/flows.h"
#include "sim/flows/server.h"
#include "tests/check_run.h"

static const double SERVICE_NS = 1000.0;

typedef struct queue_result {
	fl_server_figures server;
	fl_figures group;
	double wall_s;
} queue_result;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One server, one open-loop flow of ARRIVALS Poisson arrivals at load RHO.
 * WINDOW unbounded: the server's own queue is the queue under test. */
static void run_queue(double rho, fl_service service, uint64_t arrivals, uint64_t seed, uint32_t window,
		      queue_result *out)
{
	fl_config config = {.seed = seed, .groups = 1, .vms = 2};
	fl_engine *e = fl_engine_new(&config);
	ck_assert_ptr_nonnull(e);
	fl_server_spec core = {.name = "backend-core", .units = 1, .wait_histogram = 1};
	uint32_t server = fl_add_server(e, &core);
	fl_hop_spec hop = {.server = server, .time_ns = SERVICE_NS, .service = service};
	uint32_t path = fl_add_path(e, &hop, 1);
	fl_flow_spec flow = {.path = path, .group = 0, .client_vm = 0, .server_vm = 1, .bytes_per_op = 64,
			     .load = FL_OPEN_LOOP, .window = window, .rate_per_s = rho / (SERVICE_NS * 1e-9),
			     .operations = arrivals};
	ck_assert_uint_eq(fl_add_flow(e, &flow), 0);
	double t0 = now_s();
	ck_assert_int_eq(fl_run(e), 0);
	out->wall_s = now_s() - t0;
	fl_server_figures_of(e, server, &out->server);
	out->server.name = NULL;   /* freed with the engine */
	fl_group_figures(e, 0, &out->group);
	ck_assert_uint_eq(out->group.completed, arrivals);
	fl_engine_free(e);
}

static double md1_wait_ns(double rho)
{
	return rho * SERVICE_NS / (2 * (1 - rho));
}

static double mm1_wait_ns(double rho)
{
	return rho * SERVICE_NS / (1 - rho);
}

static double mm1_p99_wait_ns(double rho)
{
	return SERVICE_NS * log(100 * rho) / (1 - rho);
}

/* The interval is tight enough, and THEORY lies in it or within 2 %. */
static int mean_matches(const queue_result *r, double theory)
{
	double tolerance = fmax(r->server.wait_half_width_ns, 0.02 * theory);
	return fabs(r->server.mean_wait_ns - theory) <= tolerance;
}

static int mm1_check(const queue_result *r, double rho)
{
	return mean_matches(r, mm1_wait_ns(rho)) &&
	       fabs(r->server.p99_wait_ns - mm1_p99_wait_ns(rho)) <= 0.02 * mm1_p99_wait_ns(rho);
}

static void print_queue(const char *name, double rho, uint64_t arrivals, const queue_result *r, double mean_theory,
			double p99_theory)
{
	printf("%s rho %.1f arrivals %llu: mean wait %.2f ns +- %.2f (%.2f %%), theory %.2f (off %.2f %%); "
	       "p99 wait %.1f ns, theory %.1f; wall %.2f s\n",
	       name, rho, (unsigned long long)arrivals, r->server.mean_wait_ns, r->server.wait_half_width_ns,
	       100 * r->server.wait_half_width_ns / r->server.mean_wait_ns, mean_theory,
	       100 * (r->server.mean_wait_ns - mean_theory) / mean_theory, r->server.p99_wait_ns, p99_theory,
	       r->wall_s);
}

/* At rho 0.9 the waits are strongly correlated (the queue relaxes over
 * hundreds of services): 10^6 arrivals leave a half-width near 4 % for
 * M/M/1, and its p99 wanders by up to 3 % at 6 x 10^6 (seeds 1-10).  At
 * 2 x 10^7 the half-width is about 1 % and the p99 within 1.4 % for seeds
 * 1-10; M/D/1 varies less and needs fewer. */
static uint64_t arrivals_at(double rho, fl_service service)
{
	if (rho < 0.8)
		return 1000000;
	return service == FL_SERVICE_EXPONENTIAL ? 20000000 : 6000000;
}

static const double RHOS[] = {0.5, 0.9};

START_TEST(md1_mean_wait)
{
	double rho = RHOS[_i];
	queue_result r;
	run_queue(rho, FL_SERVICE_FIXED, arrivals_at(rho, FL_SERVICE_FIXED), 11, UINT32_MAX, &r);
	print_queue("M/D/1", rho, arrivals_at(rho, FL_SERVICE_FIXED), &r, md1_wait_ns(rho), NAN);
	ck_assert_double_le(r.server.wait_half_width_ns, 0.02 * r.server.mean_wait_ns);
	ck_assert_msg(mean_matches(&r, md1_wait_ns(rho)), "M/D/1 mean wait %g ns, theory %g", r.server.mean_wait_ns,
		      md1_wait_ns(rho));
	ck_assert_double_eq_tol(r.server.utilisation, rho, 0.01);
	/* Negative control: the same run must not pass for M/M/1. */
	ck_assert_msg(!mm1_check(&r, rho), "the M/D/1 run passed the M/M/1 check");
}
END_TEST

START_TEST(mm1_mean_and_p99_wait)
{
	double rho = RHOS[_i];
	queue_result r;
	run_queue(rho, FL_SERVICE_EXPONENTIAL, arrivals_at(rho, FL_SERVICE_EXPONENTIAL), 12, UINT32_MAX, &r);
	print_queue("M/M/1", rho, arrivals_at(rho, FL_SERVICE_EXPONENTIAL), &r, mm1_wait_ns(rho), mm1_p99_wait_ns(rho));
	ck_assert_double_le(r.server.wait_half_width_ns, 0.02 * r.server.mean_wait_ns);
	ck_assert_msg(mean_matches(&r, mm1_wait_ns(rho)), "M/M/1 mean wait %g ns, theory %g", r.server.mean_wait_ns,
		      mm1_wait_ns(rho));
	ck_assert_double_eq_tol(r.server.p99_wait_ns, mm1_p99_wait_ns(rho), 0.02 * mm1_p99_wait_ns(rho));
	ck_assert(mm1_check(&r, rho));
}
END_TEST

/* Window 1: arrivals queue in the flow's FIFO before the post, and latency
 * counts from the arrival; the flow is then the M/M/1 queue, the server
 * never holds more than one request, and the mean latency is the M/M/1
 * sojourn S / (1 - rho). */
START_TEST(open_loop_latency_counts_the_flow_fifo)
{
	queue_result r;
	run_queue(0.5, FL_SERVICE_EXPONENTIAL, 1000000, 13, 1, &r);
	double sojourn_ns = SERVICE_NS / (1 - 0.5);
	printf("M/M/1 through the QP FIFO: mean latency %.2f ns +- %.2f, theory %.2f\n", r.group.mean_ns,
	       r.group.mean_half_width_ns, sojourn_ns);
	ck_assert_double_eq(r.server.mean_wait_ns, 0);
	ck_assert_uint_eq(r.server.max_queue, 0);
	ck_assert_double_le(r.group.mean_half_width_ns, 0.02 * r.group.mean_ns);
	ck_assert_double_le(fabs(r.group.mean_ns - sojourn_ns), fmax(r.group.mean_half_width_ns, 0.02 * sojourn_ns));
}
END_TEST

/* A server of 4 units of 1 us behind a closed loop of window 64: completions
 * at 1, 1, 1, 1, 2, 2, ... us, so the throughput is exactly 4 per us.  A
 * second, light flow (its own group) makes the busiest server a choice. */
START_TEST(saturated_server_delivers_capacity)
{
	fl_config config = {.seed = 1, .groups = 2, .vms = 2};
	fl_engine *e = fl_engine_new(&config);
	uint32_t light = fl_add_server(e, &(fl_server_spec){.name = "light", .units = 1});
	uint32_t hca = fl_add_server(e, &(fl_server_spec){.name = "hca-engines", .units = 4});
	uint32_t path = fl_add_path(e, &(fl_hop_spec){.server = hca, .time_ns = SERVICE_NS}, 1);
	uint32_t light_path = fl_add_path(e, &(fl_hop_spec){.server = light, .time_ns = 10}, 1);
	fl_flow_spec flow = {.path = path, .client_vm = 0, .server_vm = 1, .bytes_per_op = 4096,
			     .load = FL_CLOSED_LOOP, .window = 64, .operations = 100000};
	fl_add_flow(e, &flow);
	fl_add_flow(e, &(fl_flow_spec){.path = light_path, .group = 1, .load = FL_CLOSED_LOOP, .window = 1,
				       .operations = 1000});
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures g;
	fl_group_figures(e, 0, &g);
	double capacity = 4 / (SERVICE_NS * 1e-9);
	printf("saturated: %.6f Mops/s, capacity %.6f\n", g.ops_per_s / 1e6, capacity / 1e6);
	ck_assert_double_eq_tol(g.ops_per_s, capacity, capacity * 1e-12);
	ck_assert_double_eq_tol(g.bytes_per_s, capacity * 4096, capacity * 4096 * 1e-12);
	ck_assert_uint_eq(fl_busiest_server(e), hca);
	fl_server_figures s;
	fl_server_figures_of(e, hca, &s);
	ck_assert_double_eq_tol(s.utilisation, 1.0, 1e-12);
	ck_assert_uint_eq(s.max_queue, 60);   /* 64 in flight, 4 in service */
	fl_engine_free(e);

	/* Open loop at twice the capacity until a horizon: the capacity too. */
	config.horizon_ns = 1e7;
	e = fl_engine_new(&config);
	uint32_t core = fl_add_server(e, &(fl_server_spec){.name = "core", .units = 1});
	path = fl_add_path(e, &(fl_hop_spec){.server = core, .time_ns = SERVICE_NS}, 1);
	flow = (fl_flow_spec){.path = path, .client_vm = 0, .server_vm = 1, .load = FL_OPEN_LOOP,
			      .window = UINT32_MAX, .rate_per_s = 2e6};
	fl_add_flow(e, &flow);
	ck_assert_int_eq(fl_run(e), 0);
	fl_group_figures(e, 0, &g);
	printf("overloaded open loop: %.6f Mops/s, capacity 1\n", g.ops_per_s / 1e6);
	ck_assert_double_eq_tol(g.ops_per_s, 1e6, 1e6 * 1e-3);
	fl_engine_free(e);
}
END_TEST

/* N identical ping-pong flows on one link: each gets 1/N of it. */
START_TEST(closed_loop_flows_share_evenly)
{
	enum { N = 16 };
	fl_config config = {.seed = 5, .groups = 1, .vms = 2 * N};
	fl_engine *e = fl_engine_new(&config);
	uint32_t link = fl_add_server(e, &(fl_server_spec){.name = "uplink", .units = 1});
	fl_hop_spec hops[] = {{.server = FL_NONE, .time_ns = 2000},
			      {.server = link, .time_ns = SERVICE_NS, .service = FL_SERVICE_EXPONENTIAL},
			      {.server = FL_NONE, .time_ns = 1500}};
	uint32_t path = fl_add_path(e, hops, 3);
	for (uint32_t i = 0; i < N; i++)
		fl_add_flow(e, &(fl_flow_spec){.path = path, .client_vm = i, .server_vm = N + i,
					       .load = FL_CLOSED_LOOP, .window = 1, .operations = 0});
	/* no horizon with unbounded flows: refused */
	ck_assert_int_eq(fl_run(e), -1);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "horizon"));
	fl_engine_free(e);

	config.horizon_ns = 2e8;   /* about 200,000 services */
	e = fl_engine_new(&config);
	link = fl_add_server(e, &(fl_server_spec){.name = "uplink", .units = 1});
	hops[1].server = link;
	path = fl_add_path(e, hops, 3);
	for (uint32_t i = 0; i < N; i++)
		fl_add_flow(e, &(fl_flow_spec){.path = path, .client_vm = i, .server_vm = N + i,
					       .load = FL_CLOSED_LOOP, .window = 1});
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures g, f;
	fl_group_figures(e, 0, &g);
	double worst = 0;
	for (uint32_t i = 0; i < N; i++) {
		fl_flow_figures(e, i, &f);
		double share = (double)f.completed / (double)g.completed;
		worst = fmax(worst, fabs(share * N - 1));
		uint64_t served;
		fl_figures vm;
		fl_vm_figures(e, i, &vm, NULL);
		ck_assert_uint_eq(vm.completed, f.completed);
		fl_vm_figures(e, N + i, &vm, &served);
		ck_assert_uint_eq(served, f.completed);
	}
	printf("%d flows on one link: %llu operations, worst share off by %.3f %%\n", N,
	       (unsigned long long)g.completed, 100 * worst);
	ck_assert_double_le(worst, 0.01);
	fl_server_figures s;
	fl_server_figures_of(e, link, &s);
	ck_assert_double_eq_tol(s.utilisation, 1.0, 0.005);
	fl_engine_free(e);
}
END_TEST

START_TEST(same_seed_same_bits)
{
	queue_result a, b, c;
	run_queue(0.8, FL_SERVICE_EXPONENTIAL, 100000, 99, UINT32_MAX, &a);
	run_queue(0.8, FL_SERVICE_EXPONENTIAL, 100000, 99, UINT32_MAX, &b);
	run_queue(0.8, FL_SERVICE_EXPONENTIAL, 100000, 100, UINT32_MAX, &c);
	a.wall_s = b.wall_s = c.wall_s = 0;
	ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
	ck_assert_int_ne(memcmp(&a, &c, sizeof a), 0);
}
END_TEST

/* Delays around a visit fold into it: one event per operation here, and the
 * latency is their exact sum. */
START_TEST(pure_delays_fold)
{
	fl_config config = {.seed = 1, .groups = 1, .vms = 1};
	fl_engine *e = fl_engine_new(&config);
	uint32_t core = fl_add_server(e, &(fl_server_spec){.name = "core", .units = 1});
	fl_hop_spec hops[] = {{.server = FL_NONE, .time_ns = 100},   {.server = FL_NONE, .time_ns = 200.5},
			      {.server = core, .time_ns = 300},      {.server = FL_NONE, .time_ns = 50},
			      {.server = FL_NONE, .time_ns = 25.25}};
	uint32_t path = fl_add_path(e, hops, 5);
	fl_add_flow(e, &(fl_flow_spec){.path = path, .load = FL_CLOSED_LOOP, .window = 1, .operations = 10,
				       .start_ns = 1000});
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 0, &f);
	ck_assert_uint_eq(fl_events(e), 10);
	ck_assert_double_eq(f.min_ns, 675.75);
	ck_assert_double_eq(f.max_ns, 675.75);
	ck_assert_double_eq(fl_end_ns(e), 1000 + 10 * 675.75);
	fl_engine_free(e);
}
END_TEST

/* A controller that holds flow 1 when its first round ends and releases it
 * 5 us after its second round ends (a migration's peers). */
static uint64_t hold_round(void *ctx, double now_ns, uint32_t *path)
{
	fl_engine *e = ctx;
	(void)path;
	static int round;
	if (++round == 1) {
		fl_hold(e, 1, now_ns);
		return 1;
	}
	fl_release(e, 1, now_ns + 5000);
	round = 0;
	return 0;
}

/* A held closed loop: its next post waits from the hold (1 us) to the
 * release (7 us), its latency counting from the post; nothing is lost. */
START_TEST(a_held_flow_waits_and_counts_the_wait)
{
	fl_config config = {.seed = 1, .groups = 2, .vms = 2};
	fl_engine *e = fl_engine_new(&config);
	uint32_t a = fl_add_server(e, &(fl_server_spec){.name = "a", .units = 1});
	uint32_t b = fl_add_server(e, &(fl_server_spec){.name = "b", .units = 1});
	uint32_t slow = fl_add_path(e, &(fl_hop_spec){.server = a, .time_ns = 1000}, 1);
	uint32_t fast = fl_add_path(e, &(fl_hop_spec){.server = b, .time_ns = 100}, 1);
	uint32_t c = fl_add_controller(e, &(fl_controller_spec){.next_round = hold_round, .ctx = e});
	ck_assert_uint_eq(fl_add_flow(e, &(fl_flow_spec){.path = slow, .load = FL_CLOSED_LOOP, .window = 1,
							 .operations = 1, .controller = c + 1}), 0);
	ck_assert_uint_eq(fl_add_flow(e, &(fl_flow_spec){.path = fast, .group = 1, .client_vm = 1,
							 .load = FL_CLOSED_LOOP, .window = 1, .operations = 100}), 1);
	ck_assert_int_eq(fl_run(e), 0);
	fl_figures f;
	fl_flow_figures(e, 1, &f);
	ck_assert_uint_eq(f.completed, 100);
	ck_assert_double_eq(f.min_ns, 100);
	/* posted at 1 us (or 1.1 us, when its completion at 1 us came first),
	 * started at 7 us, done 100 ns later (the controller is called when the
	 * round's last operation's end is known, before it: the hold starts at
	 * the round's end all the same) */
	ck_assert_msg(f.max_ns == 6100 || f.max_ns == 6000, "%g ns", f.max_ns);
	ck_assert_double_eq(fl_end_ns(e), f.max_ns == 6100 ? 7000 + 100 + 89 * 100.0 : 7000 + 100 + 88 * 100.0);
	fl_engine_free(e);
}
END_TEST

START_TEST(bad_specs_are_refused)
{
	fl_config config = {.seed = 1, .groups = 1, .vms = 2};
	fl_engine *e = fl_engine_new(&config);
	ck_assert_uint_eq(fl_add_server(e, &(fl_server_spec){.name = "none", .units = 0}), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "expected at least 1"));
	ck_assert_uint_eq(fl_add_path(e, &(fl_hop_spec){.server = 3, .time_ns = 1}, 1), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "found server 3"));
	ck_assert_uint_eq(fl_add_path(e, &(fl_hop_spec){.server = FL_NONE, .time_ns = -1}, 1), FL_NONE);
	uint32_t path = fl_add_path(e, &(fl_hop_spec){.server = FL_NONE, .time_ns = 1}, 1);
	ck_assert_uint_eq(path, 0);
	fl_flow_spec flow = {.path = path, .load = FL_CLOSED_LOOP, .window = 0, .operations = 1};
	ck_assert_uint_eq(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "window 0"));
	flow.window = 1;
	flow.client_vm = 2;
	ck_assert_uint_eq(fl_add_flow(e, &flow), FL_NONE);
	flow.client_vm = 0;
	flow.load = FL_OPEN_LOOP;
	ck_assert_uint_eq(fl_add_flow(e, &flow), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "rate"));
	fl_engine_free(e);
}
END_TEST

/* ---- inside SimGrid: its clock ends where the engine's does ---- */

static const char PLATFORM[] =
	"<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
	"<platform version=\"4.1\"><zone id=\"z\" routing=\"Full\"><host id=\"h\" speed=\"1Gf\"/></zone></platform>\n";

static double engine_end_ns;

static void driver(int argc, char **argv)
{
	sg_actor_sleep_for(1e-6);   /* the engine's time 0 is the clock at the call */
	fl_config config = {.seed = 3, .groups = 1, .vms = 1};
	fl_engine *e = fl_engine_new(&config);
	uint32_t core = fl_add_server(e, &(fl_server_spec){.name = "core", .units = 1});
	uint32_t path = fl_add_path(e, &(fl_hop_spec){.server = core, .time_ns = 250}, 1);
	fl_add_flow(e, &(fl_flow_spec){.path = path, .load = FL_CLOSED_LOOP, .window = 4, .operations = 1000});
	ck_assert_int_eq(fl_run_in_actor(e), 0);
	engine_end_ns = fl_end_ns(e);
	fl_engine_free(e);
}

START_TEST(simgrid_clock_agrees)
{
	char path[] = "/tmp/flow-engine-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, PLATFORM, sizeof PLATFORM - 1), (ssize_t)(sizeof PLATFORM - 1));
	close(fd);
	char *argv[] = {"test_flow_engine", "--log=root.thres:warning", "--cfg=contexts/factory:thread", NULL};
	int argc = 3;
	simgrid_init(&argc, argv);
	simgrid_load_platform(path);
	remove(path);
	sg_actor_create("driver", sg_host_by_name("h"), driver, 0, NULL);
	simgrid_run();
	ck_assert_double_eq(engine_end_ns, 250000);
	ck_assert_double_eq_tol(simgrid_get_clock(), 1e-6 + 250e-6, 1e-15);
}
END_TEST

/* A server full for the first half of a run and idle after: utilisation
 * 0.5 over the run, 1 over its busiest window; a second unit idle halves
 * it; one service longer than the first window widens the windows until it
 * fits, and still fills them; a run shorter than the first window has no
 * whole window (-1). */
START_TEST(peak_utilisation_is_the_busiest_window)
{
	enum { US = 1000000 };   /* ps */
	fl_server s;
	int64_t width;
	ck_assert_int_eq(fl_server_init(&s, "half", 1, 1, 0), 0);
	int64_t t = 0;
	for (int i = 0; i < 50000; i++)   /* 50 ms of 1 us services, back to back */
		t = fl_server_admit(&s, t, US);
	ck_assert_int_eq(t, (int64_t)50000 * US);
	ck_assert_double_eq(fl_server_peak_utilisation(&s, 2 * t, &width), 1.0);
	ck_assert(width >= t / FL_WINDOWS && width <= 2 * t / FL_WINDOWS);
	fl_server_free(&s);
	ck_assert_int_eq(fl_server_init(&s, "two units", 2, 1, 0), 0);
	t = 0;
	for (int i = 0; i < 50000; i++)
		t = fl_server_admit(&s, t, US);   /* one unit at a time: the other stays free */
	ck_assert_double_eq_tol(fl_server_peak_utilisation(&s, t, &width), 0.5, 1e-12);
	fl_server_free(&s);
	ck_assert_int_eq(fl_server_init(&s, "long", 1, 1, 0), 0);
	ck_assert_int_eq(fl_server_admit(&s, 0, 10000 * (int64_t)US), 10000 * (int64_t)US);
	ck_assert_double_eq(fl_server_peak_utilisation(&s, 10000 * (int64_t)US, &width), 1.0);
	ck_assert_int_ge(width * FL_WINDOWS, 10000 * (int64_t)US);
	fl_server_free(&s);
	ck_assert_int_eq(fl_server_init(&s, "short", 1, 1, 0), 0);
	fl_server_admit(&s, 0, 100);
	ck_assert_double_eq(fl_server_peak_utilisation(&s, 1000, &width), -1);
	fl_server_free(&s);
}
END_TEST

static Suite *flow_engine_suite(void)
{
	Suite *s = suite_create("flow engine");
	TCase *theory = tcase_create("queueing theory");
	tcase_set_timeout(theory, 300);
	tcase_add_loop_test(theory, md1_mean_wait, 0, 2);
	tcase_add_loop_test(theory, mm1_mean_and_p99_wait, 0, 2);
	tcase_add_test(theory, open_loop_latency_counts_the_flow_fifo);
	suite_add_tcase(s, theory);
	TCase *sharing = tcase_create("capacity and sharing");
	tcase_set_timeout(sharing, 120);
	tcase_add_test(sharing, saturated_server_delivers_capacity);
	tcase_add_test(sharing, closed_loop_flows_share_evenly);
	suite_add_tcase(s, sharing);
	TCase *engine = tcase_create("engine");
	tcase_set_timeout(engine, 60);
	tcase_add_test(engine, same_seed_same_bits);
	tcase_add_test(engine, pure_delays_fold);
	tcase_add_test(engine, a_held_flow_waits_and_counts_the_wait);
	tcase_add_test(engine, bad_specs_are_refused);
	tcase_add_test(engine, simgrid_clock_agrees);
	tcase_add_test(engine, peak_utilisation_is_the_busiest_window);
	suite_add_tcase(s, engine);
	return s;
}

int main(void)
{
	return run_suite(flow_engine_suite());
}
