/*
 * test_migrate.c - pre-copy's arithmetic (models/migrate.h) against rounds
 * computed by hand: a constant dirty rate over a link of constant rate,
 * each round lasting its bytes over that rate; the working set's cap; the
 * round limit; a dirty rate at or above the link's that never converges
 * without a limit; an idle VM.
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

int main(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("precopy");
	tcase_add_test(tc, constant_rate_rounds_by_hand);
	tcase_add_test(tc, the_working_set_caps_a_round);
	tcase_add_test(tc, dirty_rate_at_the_link_rate_does_not_converge);
	tcase_add_test(tc, the_round_limit_forces_stop_and_copy);
	tcase_add_test(tc, an_idle_vm_moves_its_memory_once);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
