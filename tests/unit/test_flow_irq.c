/*
 * test_flow_irq.c - interrupt vectors in the many-flow engine
 * (sim/flows/flows.h: fl_add_irq, FL_IRQ ... FL_IRQ_END hops): coalescing
 * against figures computed by hand.
 *  - Poisson completions at rate L on one vector of moderation window T
 *    and no handler: the vector is busy T after each interrupt, then idle
 *    until the next arrival (an exponential wait of mean 1/L: memoryless),
 *    a renewal cycle of mean T + 1/L, so L / (1 + L T) interrupts per
 *    second;
 *  - a rider skips the interrupt's work and goes on when it ends;
 *  - per-completion work before the interrupt grows with the completions,
 *    the interrupt's work with the interrupts: a server's busy time is
 *    raised x S + completions x P.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/flows/flows.h"
#include "tests/check_run.h"

static fl_engine *engine(double horizon_ns)
{
	fl_config config = {.seed = 7, .groups = 1, .vms = 1, .horizon_ns = horizon_ns};
	fl_engine *e = fl_engine_new(&config);
	ck_assert_ptr_nonnull(e);
	return e;
}

static uint32_t add_irq(fl_engine *e)
{
	uint32_t q = fl_add_irq(e, &(fl_irq_spec){.name = "vm0 vector"});
	ck_assert_uint_ne(q, FL_NONE);
	return q;
}

static uint32_t add_server(fl_engine *e, const char *name)
{
	uint32_t s = fl_add_server(e, &(fl_server_spec){.name = name, .units = 1});
	ck_assert_uint_ne(s, FL_NONE);
	return s;
}

/* Interrupts/s of FLOWS open-loop flows of RATE/FLOWS each (Poisson: their
 * sum is Poisson of RATE) on one vector of window WINDOW_NS, over 0.2 s. */
static double interrupts_per_s(double rate_per_s, double window_ns, uint32_t flows, uint64_t *raised, uint64_t *rode)
{
	fl_engine *e = engine(2e8);
	uint32_t q = add_irq(e);
	fl_hop_spec hops[] = {{.server = FL_IRQ, .irq = FL_CLIENT_OWN, .time_ns = window_ns},
			      {.server = FL_IRQ_END, .irq = FL_CLIENT_OWN}};
	uint32_t path = fl_add_path(e, hops, 2);
	ck_assert_uint_ne(path, FL_NONE);
	for (uint32_t i = 0; i < flows; i++) {
		fl_flow_spec f = {.path = path, .load = FL_OPEN_LOOP, .window = 1u << 20, .rate_per_s = rate_per_s / flows,
				  .client_irq = q};
		ck_assert_uint_ne(fl_add_flow(e, &f), FL_NONE);
	}
	ck_assert_int_eq(fl_run(e), 0);
	fl_irq_figures fig;
	fl_irq_figures_of(e, q, &fig);
	ck_assert_str_eq(fig.name, "vm0 vector");
	*raised = fig.raised;
	*rode = fig.rode;
	double per_s = (double)fig.raised / (fl_end_ns(e) / 1e9);
	fl_engine_free(e);
	return per_s;
}

START_TEST(poisson_completions_raise_l_over_one_plus_l_t)
{
	static const struct {
		double rate_per_s, window_ns;
		uint32_t flows;
	} cases[] = {{1e6, 1000, 1}, {1e6, 1000, 4}, {2e5, 8000, 3}, {1e5, 0, 1}};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		uint64_t raised, rode;
		double l = cases[k].rate_per_s, t = cases[k].window_ns / 1e9;
		double got = interrupts_per_s(l, cases[k].window_ns, cases[k].flows, &raised, &rode);
		double want = l / (1 + l * t);
		/* 0.2 s: 20,000 to 200,000 arrivals, the count within a few 0.1 % */
		ck_assert_msg(fabs(got - want) < 0.02 * want, "case %zu: %.0f interrupts/s, expected %.0f", k, got, want);
		/* what arrived rode an interrupt or raised one */
		double arrived = (double)(raised + rode) / 0.2;
		ck_assert_msg(fabs(arrived - l) < 0.02 * l, "case %zu: %.0f arrivals/s, expected %.0f", k, arrived, l);
		if (cases[k].window_ns == 0)
			ck_assert_uint_eq(rode, 0);   /* no window, no handler: nothing to ride */
	}
}
END_TEST

/* Flow A at 0 raises: window 100 ns, its handler 100 .. 150, end, 10 ns:
 * 160 ns.  Flow B at 10 ns rides it: goes on at 150, done at 160 (150 ns),
 * without a visit to the handler.  C at 200 ns finds the vector idle again. */
START_TEST(a_rider_skips_the_work_and_waits_for_the_interrupts_end)
{
	fl_engine *e = engine(0);
	uint32_t q = add_irq(e), handler = add_server(e, "vcpu");
	fl_hop_spec hops[] = {{.server = FL_IRQ, .irq = q, .time_ns = 100},
			      {.server = handler, .time_ns = 50},
			      {.server = FL_IRQ_END, .irq = q},
			      {.server = FL_NONE, .time_ns = 10}};
	uint32_t path = fl_add_path(e, hops, 4);
	ck_assert_uint_ne(path, FL_NONE);
	static const double starts_ns[] = {0, 10, 200};
	for (int i = 0; i < 3; i++) {
		fl_flow_spec f = {.path = path, .load = FL_CLOSED_LOOP, .window = 1, .operations = 1, .start_ns = starts_ns[i]};
		ck_assert_uint_ne(fl_add_flow(e, &f), FL_NONE);
	}
	ck_assert_int_eq(fl_run(e), 0);
	static const double want_ns[] = {160, 150, 160};
	for (uint32_t i = 0; i < 3; i++) {
		fl_figures fg;
		fl_flow_figures(e, i, &fg);
		ck_assert_uint_eq(fg.completed, 1);
		ck_assert_double_eq_tol(fg.mean_ns, want_ns[i], 1e-9);
	}
	fl_server_figures sf;
	fl_server_figures_of(e, handler, &sf);
	ck_assert_uint_eq(sf.visits, 2);
	fl_irq_figures fig;
	fl_irq_figures_of(e, q, &fig);
	ck_assert_uint_eq(fig.raised, 2);
	ck_assert_uint_eq(fig.rode, 1);
	fl_engine_free(e);
}
END_TEST

/* K flows complete together, every 10 us: each pays P = 100 ns at the
 * backend, then one interrupt of S = 300 ns there carries all K.  The
 * backend's busy time per interrupt is S + K P: linear in K, the
 * interrupt amortised, the per-completion work not. */
START_TEST(work_per_interrupt_grows_with_the_completions_it_carries)
{
	enum { OPS = 50 };
	for (uint32_t k = 1; k <= 8; k *= 2) {
		fl_engine *e = engine(0);
		uint32_t q = add_irq(e), backend = add_server(e, "backend");
		fl_hop_spec hops[] = {{.server = FL_NONE, .time_ns = 10000},
				      {.server = backend, .time_ns = 100},
				      {.server = FL_IRQ, .irq = q, .time_ns = 0},
				      {.server = backend, .time_ns = 300},
				      {.server = FL_IRQ_END, .irq = q}};
		uint32_t path = fl_add_path(e, hops, 5);
		for (uint32_t i = 0; i < k; i++) {
			fl_flow_spec f = {.path = path, .load = FL_CLOSED_LOOP, .window = 1, .operations = OPS};
			ck_assert_uint_ne(fl_add_flow(e, &f), FL_NONE);
		}
		ck_assert_int_eq(fl_run(e), 0);
		fl_irq_figures fig;
		fl_irq_figures_of(e, q, &fig);
		/* the first of the K raises; the others queue behind its proxying
		 * and find the vector busy */
		ck_assert_uint_eq(fig.raised, OPS);
		ck_assert_uint_eq(fig.rode, (uint64_t)(k - 1) * OPS);
		fl_server_figures sf;
		fl_server_figures_of(e, backend, &sf);
		double busy_ns = sf.utilisation * fl_end_ns(e);
		ck_assert_double_eq_tol(busy_ns, OPS * (300.0 + 100.0 * k), 1e-6);
		fl_engine_free(e);
	}
}
END_TEST

START_TEST(misplaced_interrupt_hops_are_refused)
{
	fl_engine *e = engine(0);
	fl_hop_spec start = {.server = FL_IRQ, .irq = 0}, end = {.server = FL_IRQ_END, .irq = 0};
	fl_hop_spec fork = {.server = FL_FORK, .branch = 0};
	fl_hop_spec hops[3] = {start, end};
	ck_assert_uint_eq(fl_add_path(e, hops, 2), FL_NONE);   /* no vector added */
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "vector 0"));
	uint32_t q = add_irq(e);
	ck_assert_uint_eq(fl_add_path(e, &start, 1), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "without its end"));
	ck_assert_uint_eq(fl_add_path(e, &end, 1), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "without the start"));
	hops[1] = start;
	ck_assert_uint_eq(fl_add_path(e, hops, 2), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "inside"));
	uint32_t first = fl_add_path(e, (fl_hop_spec[]){{.server = FL_NONE, .time_ns = 1}}, 1);
	ck_assert_uint_ne(first, FL_NONE);
	hops[1] = fork;
	hops[2] = end;
	ck_assert_uint_eq(fl_add_path(e, hops, 3), FL_NONE);
	ck_assert_ptr_nonnull(strstr(fl_engine_error(e), "fork inside"));
	/* a flow's own vector it does not name */
	hops[0].irq = hops[1].irq = FL_SERVER_OWN;
	hops[1] = (fl_hop_spec){.server = FL_IRQ_END, .irq = FL_SERVER_OWN};
	uint32_t path = fl_add_path(e, hops, 2);
	ck_assert_uint_ne(path, FL_NONE);
	fl_flow_spec f = {.path = path, .load = FL_CLOSED_LOOP, .window = 1, .operations = 1, .server_irq = q + 1};
	ck_assert_uint_eq(fl_add_flow(e, &f), FL_NONE);
	f.server_irq = q;
	ck_assert_uint_ne(fl_add_flow(e, &f), FL_NONE);
	fl_engine_free(e);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flow interrupts");
	TCase *tc = tcase_create("interrupts");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, poisson_completions_raise_l_over_one_plus_l_t);
	tcase_add_test(tc, a_rider_skips_the_work_and_waits_for_the_interrupts_end);
	tcase_add_test(tc, work_per_interrupt_grows_with_the_completions_it_carries);
	tcase_add_test(tc, misplaced_interrupt_hops_are_refused);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
