/*
 * test_migrate.c - pre-copy's arithmetic (models/migrate.h) against rounds
 * computed by hand: a constant dirty rate over a link of constant rate,
 * each round lasting its bytes over that rate; the working set's cap; the
 * round limit; a dirty rate at or above the link's that never converges
 * without a limit; an idle VM; a phase model's integrals by hand, one
 * phase against the constant rate, and a burst that is not divergence.
 */
#include <check.h>
#include <math.h>

#include "models/migrate.h"
#include "tests/check_run.h"

/* Run P to its end over a link of RATE bytes/s; returns the rounds' bytes
 * in ROUND_BYTES (at most MAX of them). */
static size_t run_precopy(mdl_precopy *p, const scn_migrate *m, double rate, double *round_bytes, size_t max)
{
	double now_ns = 0, bytes = mdl_precopy_start(p, m, now_ns);
	size_t n = 0;
	while (bytes > 0 && n < max) {
		round_bytes[n++] = bytes;
		now_ns += bytes / rate * 1e9;
		bytes = mdl_precopy_next(p, now_ns, bytes);
	}
	return n;
}

static scn_migrate migration(double memory, double dirty_per_s, double target_ns, unsigned max_rounds)
{
	return (scn_migrate){.on = 1, .memory_bytes = memory, .working_set_bytes = memory, .dirty_bytes_per_s = dirty_per_s,
			     .page_bytes = 4096, .message_bytes = 262144, .downtime_target_ns = target_ns,
			     .max_rounds = max_rounds};
}

/* 1.024 GB over 1.024 GB/s, 10 % of the rate dirtied: rounds of 1 s,
 * 100 ms, 10 ms; after the third, 1.024 MB left crosses in 1 ms <= 5 ms:
 * stop-and-copy of 1 ms.  Total 1.111 s, 4 rounds. */
START_TEST(constant_rate_rounds_by_hand)
{
	scn_migrate m = migration(1.024e9, 1.024e8, 5e6, 0);
	mdl_precopy p;
	double rounds[16];
	size_t n = run_precopy(&p, &m, 1.024e9, rounds, 16);
	ck_assert_uint_eq(n, 4);
	ck_assert_double_eq_tol(rounds[0], 1.024e9, 1e-3);
	ck_assert_double_eq_tol(rounds[1], 1.024e8, 1e-3);
	ck_assert_double_eq_tol(rounds[2], 1.024e7, 1e-3);
	ck_assert_double_eq_tol(rounds[3], 1.024e6, 1e-3);
	ck_assert_int_eq(p.phase, PRECOPY_DONE);
	ck_assert_uint_eq(p.rounds, 4);
	ck_assert_int_eq(p.forced, 0);
	ck_assert_double_eq_tol(p.downtime_ns, 1e6, 1e-3);
	ck_assert_double_eq_tol(p.end_ns, 1.111e9, 1e-3);
	ck_assert_double_eq_tol(p.moved_bytes, 1.024e9 + 1.024e8 + 1.024e7 + 1.024e6, 1e-3);
}
END_TEST

/* Dirtied pages stop at the working set: 64 MiB written over and over in
 * a 1 s round is 64 MiB, not the rate's 512 MB. */
START_TEST(the_working_set_caps_a_round)
{
	scn_migrate m = migration(1.024e9, 5.12e8, 1e9, 0);
	m.working_set_bytes = 67108864;
	mdl_precopy p;
	double rounds[16];
	size_t n = run_precopy(&p, &m, 1.024e9, rounds, 16);
	ck_assert_uint_ge(n, 2);
	ck_assert_double_eq_tol(rounds[1], 67108864, 1e-3);
	/* 64 MiB at 1.024 GB/s is 65.5 ms, within the 1 s target: stop-and-copy */
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq_tol(p.downtime_ns, 67108864 / 1.024e9 * 1e9, 1);
}
END_TEST

/* Dirtying at the link's rate: each round dirties what it sends. */
START_TEST(dirty_rate_at_the_link_rate_does_not_converge)
{
	scn_migrate m = migration(1.024e9, 1.024e9, 1e6, 0);
	mdl_precopy p;
	double rounds[2000];
	size_t n = run_precopy(&p, &m, 1.024e9, rounds, 2000);
	ck_assert_uint_eq(n, 1);   /* round 2 would be as large as round 1 */
	ck_assert_int_eq(p.phase, PRECOPY_DIVERGED);
	ck_assert_double_eq_tol(p.end_ns, 1e9, 1e-3);
	/* just below the link's rate it shrinks, slowly: never beyond the cap */
	m.dirty_bytes_per_s = 0.999 * 1.024e9;
	n = run_precopy(&p, &m, 1.024e9, rounds, 2000);
	ck_assert_uint_le(n, SCN_MIGRATE_ROUNDS_MAX);
	ck_assert_int_eq(p.phase, PRECOPY_DIVERGED);
}
END_TEST

/* With a round limit the same VM is stopped after 5 rounds, its target
 * missed: the downtime is the whole last remainder (1 s). */
START_TEST(the_round_limit_forces_stop_and_copy)
{
	scn_migrate m = migration(1.024e9, 2.048e9, 1e6, 5);
	mdl_precopy p;
	double rounds[16];
	size_t n = run_precopy(&p, &m, 1.024e9, rounds, 16);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(p.phase, PRECOPY_DONE);
	ck_assert_int_eq(p.forced, 1);
	ck_assert_double_eq_tol(p.downtime_ns, 1e9, 1e-3);
}
END_TEST

START_TEST(an_idle_vm_moves_its_memory_once)
{
	scn_migrate m = migration(1.024e9, 0, 1e6, 0);
	mdl_precopy p;
	double rounds[4];
	size_t n = run_precopy(&p, &m, 1.024e9, rounds, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(p.phase, PRECOPY_DONE);
	ck_assert_double_eq(p.downtime_ns, 0);
	ck_assert_double_eq_tol(p.moved_bytes, 1.024e9, 1e-3);
}
END_TEST

/* Two phases: 100 MB/s for 2 s, then 1 GB/s for 500 ms (a cycle of
 * 2.5 s dirtying 0.2 GB + 0.5 GB = 0.7 GB). */
static scn_migrate two_phases(int repeat)
{
	scn_migrate m = migration(1.024e9, 0, 5e6, 0);
	m.phases = (scn_dirty_phases){.count = 2, .repeat = repeat,
				      .phase = {{.bytes_per_s = 1e8, .duration_ns = 2e9}, {.bytes_per_s = 1e9, .duration_ns = 5e8}}};
	return m;
}

/* The integrals by hand: inside a phase, across a phase boundary, across
 * a cycle's end (repeat: back to 100 MB/s; without: 1 GB/s holds), over
 * whole cycles, and from an origin other than 0. */
START_TEST(phase_integrals_by_hand)
{
	scn_migrate r = two_phases(1), n = two_phases(0);
	/* [0, 1 s]: 1 s at 100 MB/s */
	ck_assert_double_eq_tol(mdl_dirty_bytes(&r, 0, 0, 1e9), 1e8, 1e-3);
	/* [1.5 s, 2.2 s]: 0.5 s at 100 MB/s + 0.2 s at 1 GB/s */
	ck_assert_double_eq_tol(mdl_dirty_bytes(&r, 0, 1.5e9, 2.2e9), 5e7 + 2e8, 1e-3);
	ck_assert_double_eq_tol(mdl_dirty_bytes(&n, 0, 1.5e9, 2.2e9), 5e7 + 2e8, 1e-3);
	/* [2.4 s, 3.0 s]: 0.1 s at 1 GB/s, then with repeat 0.5 s of the next
	 * cycle at 100 MB/s, without it 0.5 s more at 1 GB/s */
	ck_assert_double_eq_tol(mdl_dirty_bytes(&r, 0, 2.4e9, 3.0e9), 1e8 + 5e7, 1e-3);
	ck_assert_double_eq_tol(mdl_dirty_bytes(&n, 0, 2.4e9, 3.0e9), 1e8 + 5e8, 1e-3);
	/* [1 s, 6 s]: repeat: the rest of cycle 1 (1 s at 100 MB/s + 0.5 s at
	 * 1 GB/s = 0.6 GB), cycle 2 (0.7 GB), 1 s of cycle 3 (0.1 GB) = 1.4 GB;
	 * without: 0.6 GB and then 3.5 s at 1 GB/s = 4.1 GB */
	ck_assert_double_eq_tol(mdl_dirty_bytes(&r, 0, 1e9, 6e9), 1.4e9, 1e-3);
	ck_assert_double_eq_tol(mdl_dirty_bytes(&n, 0, 1e9, 6e9), 4.1e9, 1e-3);
	/* the phases start at the origin: 10 s later, the same interval */
	ck_assert_double_eq_tol(mdl_dirty_bytes(&r, 10e9, 11.5e9, 12.2e9), 2.5e8, 1e-3);
	/* before the origin nothing counts; an empty interval dirties nothing */
	ck_assert_double_eq_tol(mdl_dirty_bytes(&r, 10e9, 9e9, 11e9), 1e8, 1e-3);
	ck_assert_double_eq(mdl_dirty_bytes(&r, 0, 3e9, 3e9), 0);
	/* long-run rates: a cycle's mean (0.7 GB / 2.5 s), or the last phase's */
	ck_assert_double_eq_tol(mdl_dirty_long_run(&r), 2.8e8, 1e-3);
	ck_assert_double_eq_tol(mdl_dirty_long_run(&n), 1e9, 1e-3);
}
END_TEST

/* One phase, repeated or held, is the constant rate: the same rounds and
 * figures to the bit, converging or not. */
START_TEST(one_phase_equals_the_constant_rate_exactly)
{
	static const double rates[] = {1.024e8, 5.12e8, 0.999 * 1.024e9, 2.048e9, 0};
	for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
		for (int repeat = 0; repeat < 2; repeat++) {
			scn_migrate c = migration(1.024e9, rates[k], 5e6, k == 3 ? 5 : 0);
			scn_migrate f = c;
			f.dirty_bytes_per_s = 0;   /* the phase alone says the rate */
			f.phases = (scn_dirty_phases){.count = 1, .repeat = repeat,
						      .phase = {{.bytes_per_s = rates[k], .duration_ns = 3e8}}};
			mdl_precopy pc, pf;
			double rc[SCN_MIGRATE_ROUNDS_MAX + 1], rf[SCN_MIGRATE_ROUNDS_MAX + 1];
			size_t nc = run_precopy(&pc, &c, 1.024e9, rc, SCN_MIGRATE_ROUNDS_MAX + 1);
			size_t nf = run_precopy(&pf, &f, 1.024e9, rf, SCN_MIGRATE_ROUNDS_MAX + 1);
			ck_assert_uint_eq(nc, nf);
			for (size_t i = 0; i < nc; i++)
				ck_assert_double_eq(rc[i], rf[i]);
			ck_assert_int_eq(pc.phase, pf.phase);
			ck_assert_uint_eq(pc.rounds, pf.rounds);
			ck_assert_double_eq(pc.downtime_ns, pf.downtime_ns);
			ck_assert_double_eq(pc.end_ns, pf.end_ns);
			ck_assert_double_eq(pc.moved_bytes, pf.moved_bytes);
			ck_assert_int_eq(pc.forced, pf.forced);
		}
	}
}
END_TEST

/* A burst above the link's rate inside a cycle whose mean is below it:
 * 1.6 GB over 1.024 GB/s ends round 1 at 1.6 s, 0.1 s into a burst of
 * 2 GB/s (0.15 GB + 0.2 GB dirtied); round 2 (0.34 s) spends 0.2 s in the
 * burst and dirties more than it sent (0.41 GB against 0.35 GB), which a
 * constant rate would call "does not converge"; the cycle's mean,
 * (0.15 + 0.6) GB / 1.8 s = 0.42 GB/s, is below the link, so the rounds
 * go on and shrink in the quiet phase.  Without repeat the burst's rate
 * holds for ever: that does not converge. */
START_TEST(a_burst_is_not_divergence)
{
	scn_migrate m = migration(1.6384e9, 0, 5e6, 0);
	m.phases = (scn_dirty_phases){.count = 2, .repeat = 1,
				      .phase = {{.bytes_per_s = 1e8, .duration_ns = 1.5e9}, {.bytes_per_s = 2e9, .duration_ns = 3e8}}};
	mdl_precopy p;
	double rounds[64];
	size_t n = run_precopy(&p, &m, 1.024e9, rounds, 64);
	ck_assert_int_eq(p.phase, PRECOPY_DONE);
	ck_assert_int_eq(p.forced, 0);
	ck_assert_uint_ge(n, 4);
	ck_assert_double_eq_tol(rounds[1], 3.5e8, 4096);
	ck_assert_msg(rounds[2] > rounds[1], "round 3 %g B after round 2 %g B", rounds[2], rounds[1]);
	ck_assert_double_eq_tol(rounds[2], 4e8 + 1e8 * (3.5e8 / 1.024e9 - 0.2), 8192);
	ck_assert(p.downtime_ns <= 5e6);
	m.phases.repeat = 0;
	n = run_precopy(&p, &m, 1.024e9, rounds, 64);
	ck_assert_int_eq(p.phase, PRECOPY_DIVERGED);
	ck_assert_uint_eq(n, 1);   /* known after round 1, as a constant 2 GB/s would be */
	/* a cycle whose mean is above the link does not converge either:
	 * 3 GB/s for 1 s, idle for 0.5 s, a mean of 2 GB/s */
	m.phases = (scn_dirty_phases){.count = 2, .repeat = 1,
				      .phase = {{.bytes_per_s = 3e9, .duration_ns = 1e9}, {.bytes_per_s = 0, .duration_ns = 5e8}}};
	n = run_precopy(&p, &m, 1.024e9, rounds, 64);
	ck_assert_int_eq(p.phase, PRECOPY_DIVERGED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("precopy");
	tcase_add_test(tc, constant_rate_rounds_by_hand);
	tcase_add_test(tc, the_working_set_caps_a_round);
	tcase_add_test(tc, dirty_rate_at_the_link_rate_does_not_converge);
	tcase_add_test(tc, the_round_limit_forces_stop_and_copy);
	tcase_add_test(tc, an_idle_vm_moves_its_memory_once);
	tcase_add_test(tc, phase_integrals_by_hand);
	tcase_add_test(tc, one_phase_equals_the_constant_rate_exactly);
	tcase_add_test(tc, a_burst_is_not_divergence);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
