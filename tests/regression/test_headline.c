/*
 * test_headline.c - pins the estimates of the headline scenario and of its
 * send and read siblings, polled and by event, and of every option for every
 * verb (tests/regression/configs.sh) against
 * tests/regression/headline-baseline.csv: the median and p99 of latency
 * tests, the average and peak bandwidth of bandwidth tests.
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

/* Run a configuration of configs.sh and return its CSV. */
static tool_output run_config(const char *scenario, const char *completion, const char *iterations, const char *verb)
{
	static char path[256];
	const char *file = src_path(scenario);
	if (strcmp(completion, "poll") != 0 || strcmp(verb, "-") != 0) {
		char cmd[1024];
		snprintf(path, sizeof path, "/tmp/vrdmasim-regression-%d.yaml", (int)getpid());
		snprintf(cmd, sizeof cmd, "sed -e 's/^completion: poll$/completion: %s/' -e 's/^  verb: write_lat$/  verb: %s/' %s > %s",
			 completion, strcmp(verb, "-") ? verb : "write_lat", file, path);
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
	char line[512], name[64], scenario[256], completion[16], iterations[16], verb[16];
	int checked = 0, runs = 0, configs_total = 0;
	int bandwidth = 0;
	tool_output o = {0};
	char current[64] = "";
	while (fgets(line, sizeof line, baseline)) {
		if (line[0] == '#' || !strncmp(line, "config,", 7))
			continue;
		char config[64], preset[64], option[64], size[32];
		double first, second;
		ck_assert_int_eq(sscanf(line, "%63[^,],%63[^,],%63[^,],%31[^,],%lf,%lf", config, preset, option, size, &first, &second), 6);
		if (strcmp(config, current) != 0) {
			/* the next configuration, in configs.sh order */
			do {
				ck_assert_ptr_nonnull(fgets(line, sizeof line, configs));
			} while (line[0] == '#');
			ck_assert_int_eq(sscanf(line, "%63s %255s %15s %15s %15s", name, scenario, completion, iterations, verb), 5);
			ck_assert_str_eq(name, config);
			tool_output_free(&o);
			o = run_config(scenario, completion, iterations, verb);
			bandwidth = strstr(verb, "_bw") != NULL;
			ck_assert_msg(o.status == 0, "%s: %s", config, o.err);
			snprintf(current, sizeof current, "%s", config);
			runs++;
		}
		const char *first_key = bandwidth ? "bw_average_mib_per_s" : "median_us";
		const char *second_key = bandwidth ? "bw_peak_mib_per_s" : "p99_us";
		double got_first = csv_value(o.out, preset, option, size, first_key);
		double got_second = csv_value(o.out, preset, option, size, second_key);
		ck_assert_msg(fabs(got_first - first) <= TOLERANCE * first,
			      "%s %s %s %s B: %s %.4f, baseline %.4f", config, preset, option, size, first_key, got_first, first);
		ck_assert_msg(fabs(got_second - second) <= TOLERANCE * second,
			      "%s %s %s %s B: %s %.4f, baseline %.4f", config, preset, option, size, second_key, got_second, second);
		checked++;
	}
	tool_output_free(&o);
	/* Every configuration has its rows: none was forgotten by the baseline. */
	rewind(configs);
	while (fgets(line, sizeof line, configs))
		configs_total += line[0] != '#' && line[0] != '\n';
	fclose(configs);
	fclose(baseline);
	ck_assert_int_eq(runs, configs_total);
	ck_assert_int_eq(checked, 6 * 2 * 2 * 6 + 9 * 9 * 2 * 4);   /* headline configs; all-options configs */
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
