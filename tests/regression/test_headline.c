/*
 * test_headline.c - pins the headline estimates (native and vRDMA, both
 * presets, every size of the headline scenario) against
 * tests/regression/headline-baseline.csv.
 *
 * A change that moves an estimate by more than the tolerance fails here
 * until the baseline is regenerated on purpose (`make regression-baseline`)
 * and the move is explained in the commit.  The simulation is
 * deterministic; the tolerance only absorbs floating-point differences
 * between compilers and libm versions, so it is tight.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

static const double TOLERANCE = 0.005;   /* 0.5% of the baseline value */

START_TEST(headline_matches_baseline)
{
	tool_output o = run_tool((const char *[]){"run", "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	FILE *f = fopen(src_path("tests/regression/headline-baseline.csv"), "r");
	ck_assert_ptr_nonnull(f);
	char line[512];
	int checked = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || !strncmp(line, "preset,", 7))
			continue;
		char preset[64], option[64], size[32];
		double median, p99;
		ck_assert_int_eq(sscanf(line, "%63[^,],%63[^,],%31[^,],%lf,%lf", preset, option, size, &median, &p99), 5);
		double got_median = csv_value(o.out, preset, option, size, "median_us");
		double got_p99 = csv_value(o.out, preset, option, size, "p99_us");
		ck_assert_msg(fabs(got_median - median) <= TOLERANCE * median,
			      "%s %s %s B: median %.4f us, baseline %.4f us", preset, option, size, got_median, median);
		ck_assert_msg(fabs(got_p99 - p99) <= TOLERANCE * p99,
			      "%s %s %s B: p99 %.4f us, baseline %.4f us", preset, option, size, got_p99, p99);
		checked++;
	}
	fclose(f);
	ck_assert_int_eq(checked, 2 * 2 * 6);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("regression");
	TCase *tc = tcase_create("headline");
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, headline_matches_baseline);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
