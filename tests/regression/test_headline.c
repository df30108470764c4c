/*
 * test_headline.c - pins the estimates of the headline scenario and of its
 * send and read siblings, polled and by event, and of every option for every
 * verb (tests/regression/configs.sh) against tests/regression/baseline.json,
 * with `vrdmasim regress`: the median and p99 of latency tests, the average
 * and peak bandwidth of bandwidth tests.
 *
 * The results to compare are made by the script that made the baseline
 * (tests/regression/make-baseline.sh, `make regression-baseline`), so the
 * two cannot drift apart.  A change that moves an estimate by more than
 * the tolerance fails here until the baseline is regenerated on purpose
 * and the move is explained in the commit.  The simulation is
 * deterministic; the tolerance only absorbs floating-point differences
 * between compilers and libm versions, so it is tight.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static const char TOLERANCE[] = "0.5%";   /* of the baseline value, per figure */

/* Results of every configuration: the headline configurations (6 of 2
 * presets, 2 options, 6 sizes) and the all-options ones (9 of 9 options,
 * 2 presets, 4 sizes), two figures each. */
enum { RESULTS = 6 * 2 * 2 * 6 + 9 * 9 * 2 * 4, FIGURES = 2 * RESULTS };

START_TEST(estimates_match_baseline)
{
	const char *tool = getenv("VRDMASIM") ? getenv("VRDMASIM") : "./vrdmasim";
	char srcdir[4096], script[4200], baseline[4200];
	snprintf(srcdir, sizeof srcdir, "%s", src_path("."));
	snprintf(script, sizeof script, "%s", src_path("tests/regression/make-baseline.sh"));
	snprintf(baseline, sizeof baseline, "%s", src_path("tests/regression/baseline.json"));
	const char *make_args[] = {script, srcdir, tool, NULL};
	tool_output made = run_program("/bin/sh", make_args);
	ck_assert_msg(made.status == 0, "make-baseline.sh: %s", made.err);

	char dir[4096];
	snprintf(dir, sizeof dir, "%s", temp_dir());
	char results[4200];
	snprintf(results, sizeof results, "%s", write_test_file(dir, "results.json", made.out));
	tool_output_free(&made);

	const char *args[] = {"regress", baseline, results, "--tolerance", TOLERANCE, NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "estimates moved, appeared or vanished: regenerate the baseline on purpose "
				     "(make regression-baseline) if the move is meant\n%s%s", o.out, o.err);
	/* every configuration's every result was compared: none was forgotten */
	char summary[4400];
	snprintf(summary, sizeof summary, "(%d results) | results %s (%d results)", RESULTS, results, RESULTS);
	ck_assert_msg(strstr(o.out, summary), "%s", o.out);
	snprintf(summary, sizeof summary, " %d figures compared:", FIGURES);
	ck_assert_msg(strstr(o.out, summary), "%s", o.out);
	tool_output_free(&o);
	remove_tree(dir);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("regression");
	TCase *tc = tcase_create("headline");
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, estimates_match_baseline);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
