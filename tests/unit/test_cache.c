/*
 * test_cache.c - models/cache.h against working sets computed by hand:
 * cyclic sweeps larger than an LRU miss every time, sweeps that fit never
 * miss after the first pass, keys of one set behave as an LRU of WAYS
 * entries, and the fully associative cache agrees lookup by lookup with a
 * naive LRU (an array kept in recency order) on random sequences.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "models/cache.h"
#include "tests/check_run.h"

static mdl_cache *cache(uint32_t entries, uint32_t ways)
{
	mdl_cache *c = mdl_cache_new(entries, ways);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* PASSES cyclic sweeps over KEYS keys (base, base + stride, ...): the
 * misses of each pass in MISSES[pass]. */
static void sweep(mdl_cache *c, uint32_t keys, uint64_t stride, int passes, uint64_t *misses)
{
	for (int p = 0; p < passes; p++) {
		uint64_t before = mdl_cache_misses(c);
		for (uint32_t k = 0; k < keys; k++)
			mdl_cache_lookup(c, 1000 + k * stride);
		misses[p] = mdl_cache_misses(c) - before;
	}
}

/* An LRU of C entries swept over C + 1 keys: each key was evicted C
 * lookups ago, so every lookup misses, pass after pass. */
START_TEST(a_sweep_one_larger_than_an_lru_always_misses)
{
	static const uint32_t sizes[] = {1, 2, 7, 64, 1024};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		uint32_t c_entries = sizes[s];
		mdl_cache *c = cache(c_entries, 0);
		uint64_t misses[4];
		sweep(c, c_entries + 1, 1, 4, misses);
		for (int p = 0; p < 4; p++)
			ck_assert_uint_eq(misses[p], c_entries + 1);
		ck_assert_uint_eq(mdl_cache_hits(c), 0);
		ck_assert_double_eq(mdl_cache_hit_rate(c), 0);
		mdl_cache_free(c);
	}
}
END_TEST

/* A sweep over C keys: C misses filling it, then hits only. */
START_TEST(a_sweep_that_fits_never_misses_after_warm_up)
{
	static const uint32_t sizes[] = {1, 2, 7, 64, 1024};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		uint32_t c_entries = sizes[s];
		mdl_cache *c = cache(c_entries, 0);
		uint64_t misses[4];
		sweep(c, c_entries, 1, 4, misses);
		ck_assert_uint_eq(misses[0], c_entries);
		for (int p = 1; p < 4; p++)
			ck_assert_uint_eq(misses[p], 0);
		ck_assert_uint_eq(mdl_cache_hits(c), 3 * (uint64_t)c_entries);
		/* 3 passes of 4 hit: exactly 0.75 */
		ck_assert_double_eq(mdl_cache_hit_rate(c), 0.75);
		mdl_cache_free(c);
	}
}
END_TEST

/* Recency, not insertion order: touching a keeps it, b leaves. */
START_TEST(the_least_recently_used_key_is_evicted)
{
	static const uint32_t ways[] = {0, 3};   /* fully associative, and one set of 3 */
	for (size_t w = 0; w < 2; w++) {
		mdl_cache *c = cache(3, ways[w]);
		ck_assert_int_eq(mdl_cache_lookup(c, 10), 0);
		ck_assert_int_eq(mdl_cache_lookup(c, 20), 0);
		ck_assert_int_eq(mdl_cache_lookup(c, 30), 0);
		ck_assert_int_eq(mdl_cache_lookup(c, 10), 1);
		ck_assert_int_eq(mdl_cache_lookup(c, 40), 0);   /* evicts 20 */
		ck_assert_int_eq(mdl_cache_lookup(c, 10), 1);
		ck_assert_int_eq(mdl_cache_lookup(c, 30), 1);
		ck_assert_int_eq(mdl_cache_lookup(c, 40), 1);
		ck_assert_int_eq(mdl_cache_lookup(c, 20), 0);   /* evicts 10 */
		ck_assert_int_eq(mdl_cache_lookup(c, 10), 0);
		ck_assert_uint_eq(mdl_cache_hits(c), 4);
		ck_assert_uint_eq(mdl_cache_misses(c), 6);
		ck_assert_double_eq(mdl_cache_hit_rate(c), 0.4);
		mdl_cache_free(c);
	}
}
END_TEST

/* 64 entries in 16 sets of 4: keys that are multiples of 16 all fall in
 * set 0, an LRU of 4, whatever room the other sets have. */
START_TEST(keys_of_one_set_behave_as_an_lru_of_its_ways)
{
	mdl_cache *c = cache(64, 4);
	uint64_t misses[3];
	sweep(c, 5, 16, 3, misses);   /* 5 keys in a set of 4: always miss */
	for (int p = 0; p < 3; p++)
		ck_assert_uint_eq(misses[p], 5);
	mdl_cache_reset(c);
	ck_assert_uint_eq(mdl_cache_misses(c), 0);
	sweep(c, 4, 16, 3, misses);   /* 4 keys fit */
	ck_assert_uint_eq(misses[0], 4);
	ck_assert_uint_eq(misses[1], 0);
	ck_assert_uint_eq(misses[2], 0);
	/* 64 consecutive keys spread 4 per set: they fit, 65 do not, and the
	 * 65th's set (set of 1000 + 64) misses on all its 5 keys only */
	mdl_cache_reset(c);
	sweep(c, 64, 1, 3, misses);
	ck_assert_uint_eq(misses[0], 64);
	ck_assert_uint_eq(misses[2], 0);
	mdl_cache_reset(c);
	sweep(c, 65, 1, 3, misses);
	ck_assert_uint_eq(misses[0], 65);
	ck_assert_uint_eq(misses[1], 5);
	ck_assert_uint_eq(misses[2], 5);
	mdl_cache_free(c);
}
END_TEST

/* A 64-bit LCG: the tests' own random keys. */
static uint64_t next_random(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *state >> 33;
}

/* Random lookups within a working set smaller than the cache: each key
 * misses once, then never again. */
START_TEST(a_random_working_set_that_fits_converges_to_no_misses)
{
	static const uint32_t ways[] = {0, 8, 256};
	for (size_t w = 0; w < 3; w++) {
		mdl_cache *c = cache(256, ways[w]);
		uint64_t rng = 7;
		/* 200 keys 0 .. 199: at most one per way of each set of 8 */
		for (int i = 0; i < 100000; i++)
			mdl_cache_lookup(c, next_random(&rng) % 200);
		ck_assert_uint_eq(mdl_cache_misses(c), 200);
		ck_assert_uint_eq(mdl_cache_hits(c), 100000 - 200);
		mdl_cache_free(c);
	}
}
END_TEST

/* The fully associative cache and one set of as many ways as entries agree
 * lookup by lookup with a naive LRU (most recent first in an array) on
 * random keys from a working set larger than the cache. */
START_TEST(random_lookups_agree_with_a_naive_lru)
{
	enum { ENTRIES = 37, RANGE = 60, LOOKUPS = 200000 };
	mdl_cache *full = cache(ENTRIES, 0), *one_set = cache(ENTRIES, ENTRIES);
	uint64_t naive[ENTRIES];
	uint32_t held = 0, naive_hits = 0;
	uint64_t rng = 11;
	for (int i = 0; i < LOOKUPS; i++) {
		uint64_t key = next_random(&rng) % RANGE;
		uint32_t at = 0;
		while (at < held && naive[at] != key)
			at++;
		int hit = at < held;
		if (!hit)
			at = held < ENTRIES ? held++ : ENTRIES - 1;   /* the last (least recent) leaves */
		for (; at > 0; at--)
			naive[at] = naive[at - 1];
		naive[0] = key;
		naive_hits += (uint32_t)hit;
		ck_assert_int_eq(mdl_cache_lookup(full, key), hit);
		ck_assert_int_eq(mdl_cache_lookup(one_set, key), hit);
	}
	ck_assert_uint_eq(mdl_cache_hits(full), naive_hits);
	ck_assert_uint_gt(naive_hits, LOOKUPS / 2);   /* a mix of hits and misses was tested */
	ck_assert_uint_lt(naive_hits, LOOKUPS);
	mdl_cache_free(full);
	mdl_cache_free(one_set);
}
END_TEST

START_TEST(reset_empties_and_bad_shapes_are_refused)
{
	mdl_cache *c = cache(4, 0);
	mdl_cache_lookup(c, 1);
	mdl_cache_lookup(c, 1);
	mdl_cache_reset(c);
	ck_assert_uint_eq(mdl_cache_hits(c) + mdl_cache_misses(c), 0);
	ck_assert_double_eq(mdl_cache_hit_rate(c), 0);
	ck_assert_int_eq(mdl_cache_lookup(c, 1), 0);   /* forgotten */
	ck_assert_uint_eq(mdl_cache_entries(c), 4);
	ck_assert_uint_eq(mdl_cache_ways(c), 0);
	mdl_cache_free(c);
	ck_assert_ptr_null(mdl_cache_new(0, 0));
	ck_assert_ptr_null(mdl_cache_new(10, 3));   /* 3 does not divide 10 */
	ck_assert_ptr_null(mdl_cache_new(MDL_CACHE_MAX_ENTRIES + 1, 0));
	mdl_cache_free(NULL);
}
END_TEST

/* The largest cache a preset may ask for (2^30 entries) costs what its
 * keys need: a sweep of 100,000 keys fits, and misses once each, both
 * fully associative and in 4 ways (which would need 32 GB and 16 GB up
 * front). */
START_TEST(the_largest_cache_costs_what_its_keys_need)
{
	static const uint32_t ways[] = {0, 4};
	for (int w = 0; w < 2; w++) {
		mdl_cache *c = mdl_cache_new(MDL_CACHE_MAX_ENTRIES, ways[w]);
		ck_assert_ptr_nonnull(c);
		for (int pass = 0; pass < 2; pass++)
			for (uint64_t k = 0; k < 100000; k++)
				mdl_cache_lookup(c, k);   /* neighbouring sets: few pages touched */
		ck_assert_uint_eq(mdl_cache_misses(c), 100000);
		ck_assert_uint_eq(mdl_cache_hits(c), 100000);
		mdl_cache_free(c);
	}
}
END_TEST

/* The closed form the single-flow model uses agrees with the cache itself:
 * for caches of several shapes (fully associative, sets of 1, 2, 4 and 8
 * ways) and sweeps around their sizes (uneven sets included), the misses
 * of a warm pass over consecutive keys, divided by the keys, equal
 * mdl_cache_sweep_miss_ratio; and it needs no cache for a petabyte. */
START_TEST(the_sweep_miss_ratio_is_what_the_cache_counts)
{
	static const uint32_t shapes[][2] = {{64, 0}, {64, 1}, {64, 2}, {64, 8}, {96, 4}, {256, 0}, {1, 0}, {4, 4}};
	for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
		uint32_t entries = shapes[s][0], ways = shapes[s][1];
		for (uint32_t keys = 1; keys <= 3 * entries + 5; keys++) {
			mdl_cache *c = cache(entries, ways);
			uint64_t misses[2];
			for (int p = 0; p < 2; p++) {
				uint64_t before = mdl_cache_misses(c);
				for (uint32_t k = 0; k < keys; k++)
					mdl_cache_lookup(c, k);
				misses[p] = mdl_cache_misses(c) - before;
			}
			ck_assert_uint_eq(misses[0], keys);   /* cold */
			double expected = (double)misses[1] / keys;
			ck_assert_msg(mdl_cache_sweep_miss_ratio(entries, ways, keys) == expected,
				      "%u entries, %u ways, %u keys: %g, the cache counts %g", entries, ways, keys,
				      mdl_cache_sweep_miss_ratio(entries, ways, keys), expected);
			mdl_cache_free(c);
		}
	}
	/* A petabyte of 4 KiB pages against 64 entries, and nothing to sweep. */
	ck_assert_double_eq(mdl_cache_sweep_miss_ratio(64, 0, 0x1p50 / 4096), 1.0);
	ck_assert_double_eq(mdl_cache_sweep_miss_ratio(1e9, 0, 1e9), 0.0);
	ck_assert_double_eq(mdl_cache_sweep_miss_ratio(64, 0, 0), 0.0);
	ck_assert_double_eq(mdl_cache_sweep_miss_ratio(0, 0, 10), 1.0);   /* holds nothing */
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("cache");
	TCase *tc = tcase_create("replacement");
	/* CPU-bound sweeps of a few hundred thousand lookups: seconds under
	 * the sanitizers on a loaded two-core machine, not Check's default 4 */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_sweep_one_larger_than_an_lru_always_misses);
	tcase_add_test(tc, a_sweep_that_fits_never_misses_after_warm_up);
	tcase_add_test(tc, the_least_recently_used_key_is_evicted);
	tcase_add_test(tc, keys_of_one_set_behave_as_an_lru_of_its_ways);
	tcase_add_test(tc, a_random_working_set_that_fits_converges_to_no_misses);
	tcase_add_test(tc, random_lookups_agree_with_a_naive_lru);
	tcase_add_test(tc, reset_empties_and_bad_shapes_are_refused);
	tcase_add_test(tc, the_largest_cache_costs_what_its_keys_need);
	tcase_add_test(tc, the_sweep_miss_ratio_is_what_the_cache_counts);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
