/*
 * test_headline.c - pins the estimates of the headline scenario and of its
 * send and read siblings, polled and by event (tests/regression/configs.sh:
 * native and vRDMA, both presets, every size) against
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
#include <unistd.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

static const double TOLERANCE = 0.005;   /* 0.5% of the baseline value */

/* Run configuration NAME (a line of configs.sh) and return its CSV. */
static tool_output run_config(const char *scenario, const char *completion, const char *iterations)
{
	static char path[256];
	const char *file = src_path(scenario);
	if (strcmp(completion, "poll") != 0) {
		char cmd[1024];
		snprintf(path, sizeof path, "/tmp/vrdmasim-regression-%d.yaml", (int)getpid());
		snprintf(cmd, sizeof cmd, "sed 's/^completion: poll$/completion: %s/' %s > %s", completion, file, path);
		ck_assert_int_eq(system(cmd), 0);
		file = path;
	}
	const char *args[] = {"run", file, "--format", "csv", strcmp(iterations, "0") ? "--iterations" : NULL, iterations, NULL};
	tool_output o = run_tool(args);
	if (file == path)
		remove(path);
	return o;
}

START_TEST(estimates_match_baseline)
{
	FILE *configs = fopen(src_path("tests/regression/configs.sh"), "r");
	FILE *baseline = fopen(src_path("tests/regression/headline-baseline.csv"), "r");
	ck_assert_ptr_nonnull(configs);
	ck_assert_ptr_nonnull(baseline);
	char line[512], name[64], scenario[256], completion[16], iterations[16];
	int checked = 0, runs = 0;
	tool_output o = {0};
	char current[64] = "";
	while (fgets(line, sizeof line, baseline)) {
		if (line[0] == '#' || !strncmp(line, "config,", 7))
			continue;
		char config[64], preset[64], option[64], size[32];
		double median, p99;
		ck_assert_int_eq(sscanf(line, "%63[^,],%63[^,],%63[^,],%31[^,],%lf,%lf", config, preset, option, size, &median, &p99), 6);
		if (strcmp(config, current) != 0) {
			/* the next configuration, in configs.sh order */
			do {
				ck_assert_ptr_nonnull(fgets(line, sizeof line, configs));
			} while (line[0] == '#');
			ck_assert_int_eq(sscanf(line, "%63s %255s %15s %15s", name, scenario, completion, iterations), 4);
			ck_assert_str_eq(name, config);
			tool_output_free(&o);
			o = run_config(scenario, completion, iterations);
			ck_assert_msg(o.status == 0, "%s: %s", config, o.err);
			snprintf(current, sizeof current, "%s", config);
			runs++;
		}
		double got_median = csv_value(o.out, preset, option, size, "median_us");
		double got_p99 = csv_value(o.out, preset, option, size, "p99_us");
		ck_assert_msg(fabs(got_median - median) <= TOLERANCE * median,
			      "%s %s %s %s B: median %.4f us, baseline %.4f us", config, preset, option, size, got_median, median);
		ck_assert_msg(fabs(got_p99 - p99) <= TOLERANCE * p99,
			      "%s %s %s %s B: p99 %.4f us, baseline %.4f us", config, preset, option, size, got_p99, p99);
		checked++;
	}
	tool_output_free(&o);
	fclose(configs);
	fclose(baseline);
	ck_assert_int_eq(runs, 6);
	ck_assert_int_eq(checked, 6 * 2 * 2 * 6);
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
