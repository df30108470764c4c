/*
 * test_atomics.c - perftest's atomic tests end to end: atomic_lat and
 * atomic_bw run on every option and preset; an atomic is a READ of 8 bytes
 * plus the responder's execution, so it takes longer than read_lat at 8 B
 * and streams no faster than read_bw; its breakdown adds up and names the
 * stage that executes it; fetch-and-add and compare-and-swap cost alike;
 * the text names the test as perftest's banner does.
 *
 * tests/e2e/atomics.yaml runs twice in an unchecked fixture: as written
 * (with the presets' jitter) and without jitter, for comparisons between
 * verbs that differ by less than a random draw.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

enum { NPRESETS = 2, NOPTIONS = 10 };

static const char *const PRESETS[NPRESETS] = {"esxi5-qdr-2012", "modern-hdr"};
static const char *const OPTIONS[NOPTIONS] = {
	"native", "passthrough", "sriov", "sriov-local", "softroce-directpath", "softroce-pvnic",
	"softroce-pvnic-local", "softroce-loopback", "vrdma", "vrdma-local",
};
/* The stage that executes the atomic, per option (models/options/). */
static const char *const EXECUTES[NOPTIONS] = {
	"responder_atomic_execute", "responder_atomic_execute", "responder_atomic_execute", "responder_atomic_execute",
	"rxe_atomic_execute", "rxe_atomic_execute", "rxe_atomic_execute", "rxe_atomic_execute",
	"responder_atomic_execute", "backend_atomic_execute",
};

static tool_output jittered, nominal;

static void run_scenarios(void)
{
	const char *path = src_path("tests/e2e/atomics.yaml");
	jittered = run_tool((const char *[]){"run", path, "--format", "csv", NULL});
	nominal = run_tool((const char *[]){"run", path, "--format", "csv", "--set", "jitter.cpu_cv=0", "--set",
					    "jitter.interference_probability=0", NULL});
}

static void free_scenarios(void)
{
	tool_output_free(&jittered);
	tool_output_free(&nominal);
}

static void assert_ran(const tool_output *o, const char *what)
{
	ck_assert_msg(o->status == 0, "%s: exit status %d: %s", what, o->status, o->err);
	ck_assert_msg(o->out && strchr(o->out, '\n'), "%s: no CSV", what);
}

static double value(const tool_output *o, size_t p, size_t opt, const char *verb, const char *column)
{
	return csv_value_verb(o->out, PRESETS[p], OPTIONS[opt], verb, "8", column);
}

/* Every option and preset ran both atomic tests, at 8 B only. */
START_TEST(every_option_runs_atomics)
{
	assert_ran(&jittered, "atomics.yaml");
	assert_ran(&nominal, "atomics.yaml without jitter");
	size_t lines = 0;
	for (const char *p = strchr(jittered.out, '\n'); p; p = strchr(p + 1, '\n'))
		lines++;
	ck_assert_uint_eq(lines, 1 + NPRESETS * NOPTIONS * 4);
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++) {
			ck_assert_msg(value(&jittered, p, o, "atomic_lat", "median_us") > 0, "%s %s: no atomic_lat",
				      PRESETS[p], OPTIONS[o]);
			ck_assert_msg(value(&jittered, p, o, "atomic_bw", "msg_rate_mpps") > 0, "%s %s: no atomic_bw",
				      PRESETS[p], OPTIONS[o]);
		}
}
END_TEST

/* An atomic is a READ of 8 bytes plus its execution at the responder:
 * atomic_lat >= read_lat at 8 B (strictly: the execution costs time). */
START_TEST(atomic_lat_at_least_read_lat)
{
	assert_ran(&nominal, "atomics.yaml without jitter");
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++) {
			double atomic = value(&nominal, p, o, "atomic_lat", "median_us");
			double read = value(&nominal, p, o, "read_lat", "median_us");
			ck_assert_msg(read > 0 && atomic > read, "%s %s: atomic_lat %g us, read_lat at 8 B %g us", PRESETS[p],
				      OPTIONS[o], atomic, read);
		}
}
END_TEST

/* The typical atomic's stages add up to its median, and its execution is
 * one of them. */
START_TEST(breakdown_names_the_execution)
{
	assert_ran(&jittered, "atomics.yaml");
	char column[96];
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++) {
			double m = value(&jittered, p, o, "atomic_lat", "median_us");
			double sum = csv_breakdown_sum_verb(jittered.out, PRESETS[p], OPTIONS[o], "atomic_lat", "8");
			ck_assert_msg(m > 0 && fabs(sum - m) <= 0.01 * m, "%s %s: breakdown sums to %g, median %g", PRESETS[p],
				      OPTIONS[o], sum, m);
			snprintf(column, sizeof column, "breakdown_%s_us", EXECUTES[o]);
			ck_assert_msg(value(&jittered, p, o, "atomic_lat", column) > 0, "%s %s: no %s", PRESETS[p], OPTIONS[o],
				      column);
			ck_assert_msg(isnan(value(&jittered, p, o, "read_lat", column)) ||
					      value(&jittered, p, o, "read_lat", column) == 0,
				      "%s %s: a READ executes an atomic", PRESETS[p], OPTIONS[o]);
		}
}
END_TEST

/* A stream of atomics goes no faster than a stream of 8-byte READs. */
START_TEST(atomic_bw_at_most_read_bw)
{
	assert_ran(&nominal, "atomics.yaml without jitter");
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++) {
			double atomic = value(&nominal, p, o, "atomic_bw", "msg_rate_mpps");
			double read = value(&nominal, p, o, "read_bw", "msg_rate_mpps");
			ck_assert_msg(atomic > 0 && atomic <= read * 1.001, "%s %s: atomic_bw %g Mpps, read_bw %g Mpps",
				      PRESETS[p], OPTIONS[o], atomic, read);
		}
}
END_TEST

/* perftest's -A: both operations cost alike, and the text says which ran,
 * as perftest's banner does. */
START_TEST(both_operations_cost_alike)
{
	static const char *const OPERATIONS[] = {"fetch_and_add", "cmp_and_swap"};
	static const char *const BANNERS[] = {"test atomic_lat (Atomic FETCH_AND_ADD; t = a whole round trip",
					      "test atomic_lat (Atomic CMP_AND_SWAP; t = a whole round trip"};
	static const char *const LISTED[] = {"native", "softroce-directpath"};
	const char *dir = temp_dir();
	ck_assert_ptr_nonnull(dir);
	double median[2][2];
	for (size_t k = 0; k < 2; k++) {
		char scenario[512], name[64];
		snprintf(scenario, sizeof scenario,
			 "scenario: atomic-operations\npreset: modern-hdr\ntopology:\n  hosts: [{name: a}, {name: b}]\n"
			 "options: [native, softroce-directpath]\nworkload: {verb: atomic_lat, atomic: %s, iterations: 100}\n",
			 OPERATIONS[k]);
		snprintf(name, sizeof name, "%s.yaml", OPERATIONS[k]);
		char path[1024];
		snprintf(path, sizeof path, "%s", write_test_file(dir, name, scenario));
		const char *const args[] = {"run", path, "--set", "jitter.cpu_cv=0", "--set", "jitter.interference_probability=0",
					    NULL, NULL, NULL};
		tool_output text = run_tool(args);
		ck_assert_msg(text.status == 0, "%s", text.err);
		ck_assert_msg(strstr(text.out, BANNERS[k]) != NULL, "%s: no '%s'", OPERATIONS[k], BANNERS[k]);
		const char *const csv_args[] = {"run", path, "--set", "jitter.cpu_cv=0", "--set", "jitter.interference_probability=0",
						"--format", "csv", NULL};
		tool_output csv = run_tool(csv_args);
		ck_assert_msg(csv.status == 0, "%s", csv.err);
		for (size_t o = 0; o < 2; o++)
			median[k][o] = csv_value_verb(csv.out, "modern-hdr", LISTED[o], "atomic_lat", "8", "median_us");
		tool_output_free(&text);
		tool_output_free(&csv);
	}
	for (size_t o = 0; o < 2; o++)
		ck_assert_msg(median[0][o] > 0 && median[0][o] == median[1][o], "%s: fetch_and_add %g us, cmp_and_swap %g us",
			      LISTED[o], median[0][o], median[1][o]);
	remove_tree(dir);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("atomics");
	TCase *tc = tcase_create("every_option");
	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, run_scenarios, free_scenarios);
	tcase_add_test(tc, every_option_runs_atomics);
	tcase_add_test(tc, atomic_lat_at_least_read_lat);
	tcase_add_test(tc, breakdown_names_the_execution);
	tcase_add_test(tc, atomic_bw_at_most_read_bw);
	tcase_add_test(tc, both_operations_cost_alike);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
