/*
 * test_queueing.c - the many-flow engine against queueing theory, through
 * scenario files of tests/queueing/ loaded and run as `vrdmasim run`
 * runs them: scenario -> vr_flow_build -> the engine.  The engine runs the
 * queues; only the expected values are formulas:
 *  - M/D/1 (Poisson arrivals at rate lambda, fixed service D, rho = lambda D):
 *    mean wait rho D / (2 (1 - rho))  (Pollaczek-Khinchine), and the
 *    waiting time's distribution, Erlang's alternating sum (see
 *    md1_wait_cdf_terms below);
 *  - M/M/1 (exponential service of mean S): mean wait rho S / (1 - rho),
 *    P(wait > t) = rho exp(-(1 - rho) t / S), p99 S ln(100 rho) / (1 - rho).
 * Each at rho 0.5 and 0.9 with at least 10^6 arrivals, the 95 % batch-means
 * half-width of the mean at most 2 % of it, the mean and the p99 within 2 %
 * of theory.  The M/D/1 runs must fail the M/M/1 check (negative control).
 * Then: a saturated backend delivers its capacity, and identical closed-loop
 * flows on one link share it evenly.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario.h"
#include "sim/flow_experiment.h"
#include "tests/check_run.h"

static const double SERVICE_NS = 1000.0;   /* virt.trap_dispatch in the scenarios */

typedef struct queue_run {
	fl_server_figures backend;   /* host a's backend */
	fl_figures group;            /* group 0 */
	fl_figures vms[16];          /* per VM, client side */
	size_t vm_count;
	double uplink_utilisation;   /* host a's uplink */
} queue_run;

static const fl_server_figures *server_named(const fl_engine *e, const char *name, fl_server_figures *out)
{
	for (size_t i = 0; i < fl_server_count(e); i++) {
		fl_server_figures_of(e, (uint32_t)i, out);
		if (strcmp(out->name, name) == 0)
			return out;
	}
	ck_abort_msg("no server named '%s'", name);
	return NULL;
}

/* Load tests/queueing/NAME.yaml and run its flows on its first preset and option. */
static void run_scenario(const char *name, queue_run *out)
{
	char path[1024];
	const char *src = getenv("VRDMASIM_SRCDIR");
	snprintf(path, sizeof path, "%s/tests/queueing/%s.yaml", src ? src : ".", name);
	scn_scenario s;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(scn_load_file(path, &s, &diag) == 0, "%s", diag.message);
	vr_flow_result r;
	ck_assert_msg(vr_flow_build(&s, 0, 0, &r, &diag) == 0, "%s", diag.message);
	ck_assert_int_eq(fl_run(r.engine), 0);
	memset(out, 0, sizeof *out);
	server_named(r.engine, "a backend", &out->backend);
	out->backend.name = NULL;   /* freed with the engine */
	fl_server_figures up;
	out->uplink_utilisation = server_named(r.engine, "a uplink", &up)->utilisation;
	fl_group_figures(r.engine, 0, &out->group);
	out->vm_count = r.vm_count < 16 ? r.vm_count : 16;
	for (size_t v = 0; v < out->vm_count; v++)
		fl_vm_figures(r.engine, (uint32_t)v, &out->vms[v], NULL);
	vr_flow_result_free(&r);
	scn_free(&s);
}

/* ---- theory ---- */

static double md1_mean_wait_ns(double rho)
{
	return rho * SERVICE_NS / (2 * (1 - rho));
}

/* P(wait <= T) in M/D/1 (Erlang): with lambda = rho / D,
 *   (1 - rho) sum_{k=0}^{floor(T/D)} e^{lambda (T - k D)} (lambda (k D - T))^k / k!
 * The terms alternate and grow like e^{lambda T}: summed in long double
 * (64-bit mantissa), the result keeps about 19 - log10(largest term)
 * digits.  *LARGEST (may be NULL) receives that largest term. */
static double md1_wait_cdf_terms(double rho, double t_ns, double *largest)
{
	long double lambda = (long double)rho / SERVICE_NS, sum = 0, big = 0;
	long k_max = (long)floor(t_ns / SERVICE_NS);
	for (long k = 0; k <= k_max; k++) {
		long double x = lambda * ((long double)k * SERVICE_NS - t_ns);
		long double term = expl(-x) * powl(x, (long double)k) / tgammal((long double)k + 1);
		big = fabsl(term) > big ? fabsl(term) : big;
		sum += term;
	}
	if (largest)
		*largest = (double)big;
	return (double)((1 - (long double)rho) * sum);
}

static double md1_wait_cdf(double rho, double t_ns)
{
	return md1_wait_cdf_terms(rho, t_ns, NULL);
}

/* The smallest T with P(wait <= T) >= Q, by bisection. */
static double md1_wait_quantile_ns(double rho, double q)
{
	double lo = 0, hi = SERVICE_NS;
	while (md1_wait_cdf(rho, hi) < q)
		hi *= 2;
	for (int i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;
		if (md1_wait_cdf(rho, mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

static double mm1_mean_wait_ns(double rho)
{
	return rho * SERVICE_NS / (1 - rho);
}

static double mm1_p99_wait_ns(double rho)
{
	return SERVICE_NS * log(100 * rho) / (1 - rho);
}

static int within(double value, double theory, double fraction)
{
	return fabs(value - theory) <= fraction * theory;
}

/* The mean within 2 % of THEORY, or THEORY inside its interval. */
static int mean_matches(const fl_server_figures *s, double theory)
{
	return fabs(s->mean_wait_ns - theory) <= fmax(s->wait_half_width_ns, 0.02 * theory);
}

static int mm1_check(const fl_server_figures *s, double rho)
{
	return mean_matches(s, mm1_mean_wait_ns(rho)) && within(s->p99_wait_ns, mm1_p99_wait_ns(rho), 0.02);
}

static void print_run(const char *name, const queue_run *r, double mean_theory, double p99_theory)
{
	printf("%s: %llu arrivals, utilisation %.4f; mean wait %.2f ns +- %.2f (%.2f %%), theory %.2f (off %+.2f %%); "
	       "p99 wait %.1f ns, theory %.1f (off %+.2f %%)\n",
	       name, (unsigned long long)r->backend.visits, r->backend.utilisation, r->backend.mean_wait_ns,
	       r->backend.wait_half_width_ns, 100 * r->backend.wait_half_width_ns / r->backend.mean_wait_ns, mean_theory,
	       100 * (r->backend.mean_wait_ns - mean_theory) / mean_theory, r->backend.p99_wait_ns, p99_theory,
	       100 * (r->backend.p99_wait_ns - p99_theory) / p99_theory);
}

/* ---- the checks ---- */

static const char *const MD1[] = {"md1-rho50", "md1-rho90"};
static const char *const MM1[] = {"mm1-rho50", "mm1-rho90"};
static const double RHOS[] = {0.5, 0.9};

/* The theory code itself.  At rho 0.5: P(wait = 0) = 1 - rho, and the
 * distribution's mean (the integral of its tail) is Pollaczek-Khinchine's.
 * At rho 0.9 the tail is too long to integrate with these alternating sums,
 * but up to the p99 they keep at least 4 digits (largest term below 1e15)
 * and the distribution rises from 1 - rho. */
START_TEST(md1_distribution_is_erlangs)
{
	double rho = 0.5, step_ns = SERVICE_NS / 200, mean_ns = 0, tail = rho;
	ck_assert_double_eq_tol(md1_wait_cdf(rho, 0), 1 - rho, 1e-15);
	for (double t = 0; tail > 1e-9; t += step_ns) {
		double next = 1 - md1_wait_cdf(rho, t + step_ns);
		mean_ns += (tail + next) / 2 * step_ns;
		tail = next;
	}
	ck_assert_msg(within(mean_ns, md1_mean_wait_ns(rho), 1e-4), "integral %g, P-K %g", mean_ns, md1_mean_wait_ns(rho));

	rho = 0.9;
	double p99_ns = md1_wait_quantile_ns(rho, 0.99), largest, last = 0;
	ck_assert_double_eq_tol(md1_wait_cdf_terms(rho, p99_ns, &largest), 0.99, 1e-6);
	ck_assert_double_lt(largest, 1e15);
	for (double t = 0; t <= p99_ns; t += SERVICE_NS / 10) {
		double p = md1_wait_cdf(rho, t);
		ck_assert_double_ge(p, last - 1e-9);
		last = p;
	}
	ck_assert_double_eq_tol(md1_wait_cdf(rho, 0), 1 - rho, 1e-15);
	printf("M/D/1 p99 wait: %.2f D at rho 0.5, %.2f D at rho 0.9 (largest term there %.2g)\n",
	       md1_wait_quantile_ns(0.5, 0.99) / SERVICE_NS, p99_ns / SERVICE_NS, largest);
}
END_TEST

START_TEST(md1_backend_matches_theory)
{
	double rho = RHOS[_i];
	queue_run r;
	run_scenario(MD1[_i], &r);
	double p99_theory = md1_wait_quantile_ns(rho, 0.99);
	print_run(MD1[_i], &r, md1_mean_wait_ns(rho), p99_theory);
	ck_assert_uint_ge(r.backend.visits, 1000000);
	ck_assert_double_le(r.backend.wait_half_width_ns, 0.02 * r.backend.mean_wait_ns);
	ck_assert_msg(mean_matches(&r.backend, md1_mean_wait_ns(rho)), "mean wait %g ns, theory %g", r.backend.mean_wait_ns,
		      md1_mean_wait_ns(rho));
	ck_assert_msg(within(r.backend.p99_wait_ns, p99_theory, 0.02), "p99 wait %g ns, theory %g", r.backend.p99_wait_ns,
		      p99_theory);
	ck_assert_double_eq_tol(r.backend.utilisation, rho, 0.01);
	/* Negative control: fixed service must not pass as exponential. */
	ck_assert_msg(!mm1_check(&r.backend, rho), "the M/D/1 run passed the M/M/1 check");
}
END_TEST

START_TEST(mm1_backend_matches_theory)
{
	double rho = RHOS[_i];
	queue_run r;
	run_scenario(MM1[_i], &r);
	print_run(MM1[_i], &r, mm1_mean_wait_ns(rho), mm1_p99_wait_ns(rho));
	ck_assert_uint_ge(r.backend.visits, 1000000);
	ck_assert_double_le(r.backend.wait_half_width_ns, 0.02 * r.backend.mean_wait_ns);
	ck_assert_msg(mm1_check(&r.backend, rho), "mean wait %g ns (theory %g), p99 %g ns (theory %g)",
		      r.backend.mean_wait_ns, mm1_mean_wait_ns(rho), r.backend.p99_wait_ns, mm1_p99_wait_ns(rho));
}
END_TEST

/* 16 doorbells always in flight: the backend never idles, and the flow
 * completes one operation per service time; only the last operation's way
 * after the backend (a few us of 100 ms) separates the two. */
START_TEST(saturated_backend_delivers_its_capacity)
{
	queue_run r;
	run_scenario("saturated", &r);
	double capacity_per_s = 1e9 / SERVICE_NS;
	printf("saturated: %.3f ops/s, capacity %.3f; backend utilisation %.6f\n", r.group.ops_per_s, capacity_per_s,
	       r.backend.utilisation);
	ck_assert_uint_eq(r.group.completed, 100000);
	ck_assert_double_eq_tol(r.group.ops_per_s, capacity_per_s, 1e-4 * capacity_per_s);
	ck_assert_double_ge(r.backend.utilisation, 0.9999);
	ck_assert_uint_eq(r.backend.max_queue, 15);   /* 16 in flight, one in service */
}
END_TEST

/* Eight identical streams on host a's uplink for 100 ms: the link is busy
 * all the time and each VM gets an eighth of it, to one operation. */
START_TEST(closed_loop_flows_share_a_link_evenly)
{
	queue_run r;
	run_scenario("link-share", &r);
	ck_assert_uint_eq(r.vm_count, 16);
	uint64_t least = UINT64_MAX, most = 0;
	for (size_t v = 0; v < 8; v++) {
		least = r.vms[v].completed < least ? r.vms[v].completed : least;
		most = r.vms[v].completed > most ? r.vms[v].completed : most;
	}
	printf("8 streams on one uplink: %llu operations, per VM %llu to %llu, uplink utilisation %.5f\n",
	       (unsigned long long)r.group.completed, (unsigned long long)least, (unsigned long long)most,
	       r.uplink_utilisation);
	ck_assert_uint_ge(least, 500);
	ck_assert_uint_le(most - least, 1);
	ck_assert_double_ge(r.uplink_utilisation, 0.999);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("queueing");
	TCase *theory = tcase_create("theory");
	tcase_set_timeout(theory, 600);
	tcase_add_test(theory, md1_distribution_is_erlangs);
	tcase_add_loop_test(theory, md1_backend_matches_theory, 0, 2);
	tcase_add_loop_test(theory, mm1_backend_matches_theory, 0, 2);
	tcase_add_test(theory, saturated_backend_delivers_its_capacity);
	tcase_add_test(theory, closed_loop_flows_share_a_link_evenly);
	suite_add_tcase(suite, theory);
	return run_suite(suite);
}
