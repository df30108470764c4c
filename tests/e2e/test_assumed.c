/*
 * test_assumed.c - every result says how much of its estimate rests on
 * assumptions (sim/assumed.h, docs/results-schema.md "Assumptions"): 0 when
 * no value is an assumption, 1 when every value is, exactly one stage's
 * share when only that stage's parameter is, the clock's assumption
 * reaching every value written in cycles, a --set taking a value off the
 * assumptions, and bandwidth tests' share of their pace.  The presets are
 * the 2012 preset rewritten with other sources.
 */
#include "config.h"

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64];

/* How the test preset's sources are rewritten. */
typedef enum { NONE_ASSUMED, ALL_ASSUMED, ONLY_ASSUMED } rewrite;

/* The 2012 preset with every source made a citation (NONE_ASSUMED), an
 * assumption (ALL_ASSUMED), or a citation but for parameter ONLY's. */
static char *rewritten_preset(rewrite how, const char *only)
{
	char *text = read_file(src_path("models/presets/esxi5-qdr-2012.yaml"));
	size_t cap = strlen(text) * 2 + 4096, used = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	char current[128] = "";
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		const char *p = line + strspn(line, " ");
		size_t indent = (size_t)(p - line);
		if (indent == 2 && strchr(p, ':'))
			snprintf(current, sizeof current, "%.*s", (int)(strchr(p, ':') - p), p);
		if (!strncmp(line, "preset:", 7)) {
			used += (size_t)snprintf(out + used, cap - used, "preset: test-assumed\n");
			continue;
		}
		if (indent == 4 && !strncmp(p, "source:", 7)) {
			int assumed = how == ALL_ASSUMED || (how == ONLY_ASSUMED && !strcmp(current, only));
			used += (size_t)snprintf(out + used, cap - used, "    source: \"%s: test\"\n",
						 assumed ? "assumption" : "test figure");
			continue;
		}
		used += (size_t)snprintf(out + used, cap - used, "%s\n", line);
	}
	free(text);
	return out;
}

static const char SCENARIO[] =
	"scenario: test-assumed\n"
	"description: \"shares resting on assumptions\"\n"
	"preset: preset.yaml\n"
	"seed: 7\n"
	"topology:\n"
	"  hosts:\n"
	"    - {name: a, vms: 1}\n"
	"    - {name: b, vms: 1}\n"
	"options: [native, vrdma]\n"
	"workload:\n"
	"  verb: write_lat\n"
	"  sizes: [2B, 64KiB]\n"
	"  iterations: 200\n"
	"  warmup: 20\n"
	"completion: poll\n";

static const char BW_SCENARIO[] =
	"scenario: test-assumed\n"
	"description: \"shares of a pace resting on assumptions\"\n"
	"preset: preset.yaml\n"
	"topology:\n"
	"  hosts:\n"
	"    - {name: a, vms: 1}\n"
	"    - {name: b, vms: 1}\n"
	"options: [native, softroce-directpath]\n"
	"workload: {verb: write_bw, sizes: [64KiB], iterations: 100, warmup: 10, tx_depth: 32}\n"
	"completion: poll\n";

/* Run scenario TEXT over the preset HOW/ONLY (plus EXTRA arguments, NULL-
 * terminated) and return its CSV (free it). */
static char *run_text_csv(const char *text, rewrite how, const char *only, const char *const *extra)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
	char *preset = rewritten_preset(how, only);
	write_test_file(dir, "preset.yaml", preset);
	free(preset);
	char scenario[128];
	snprintf(scenario, sizeof scenario, "%s", write_test_file(dir, "s.yaml", text));
	const char *argv[16] = {"run", scenario, "--format", "csv"};
	size_t n = 4;
	for (size_t i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	tool_output o = run_tool(argv);
	ck_assert_msg(o.status == 0, "%s", o.err);
	char *csv = strdup(o.out);
	tool_output_free(&o);
	remove_tree(dir);
	return csv;
}

static char *run_csv(rewrite how, const char *only, const char *const *extra)
{
	return run_text_csv(SCENARIO, how, only, extra);
}

static double share(const char *csv, const char *option, const char *size)
{
	return csv_value(csv, "test-assumed", option, size, "assumed_share_of_typical");
}

START_TEST(no_assumption_no_share)
{
	char *csv = run_csv(NONE_ASSUMED, NULL, NULL);
	static const char *const cases[][2] = {{"native", "2"}, {"native", "65536"}, {"vrdma", "2"}, {"vrdma", "65536"}};
	for (size_t i = 0; i < 4; i++)
		ck_assert_double_eq(share(csv, cases[i][0], cases[i][1]), 0.0);
	free(csv);
}
END_TEST

START_TEST(all_assumed_all_share)
{
	char *csv = run_csv(ALL_ASSUMED, NULL, NULL);
	static const char *const cases[][2] = {{"native", "2"}, {"native", "65536"}, {"vrdma", "2"}, {"vrdma", "65536"}};
	for (size_t i = 0; i < 4; i++)
		ck_assert_double_eq_tol(share(csv, cases[i][0], cases[i][1]), 1.0, 1e-9);
	free(csv);
}
END_TEST

/* Only cpu.post_send assumed: native's share is its post_send stage over
 * the breakdown's sum, by hand; vRDMA's guest posts through its own
 * vrdma.guest_post_send, but its backend posts with cpu.post_send too. */
START_TEST(one_stage_by_hand)
{
	char *csv = run_csv(ONLY_ASSUMED, "cpu.post_send", NULL);
	for (size_t k = 0; k < 2; k++) {
		const char *size = k ? "65536" : "2";
		double post_send = csv_value(csv, "test-assumed", "native", size, "breakdown_post_send_us");
		double sum = csv_breakdown_sum(csv, "test-assumed", "native", size);
		ck_assert_double_gt(post_send, 0.05);
		ck_assert_double_eq_tol(share(csv, "native", size), post_send / sum, 2e-4);
		double backend = csv_value(csv, "test-assumed", "vrdma", size, "breakdown_backend_post_send_us");
		ck_assert_double_eq_tol(share(csv, "vrdma", size),
					backend / csv_breakdown_sum(csv, "test-assumed", "vrdma", size), 2e-4);
	}
	free(csv);
}
END_TEST

/* An assumed clock makes every value written in cycles an assumption: the
 * CPU stages, the vRDMA traps; the hardware stages (in ns) stay sourced. */
START_TEST(assumed_clock_reaches_cycles)
{
	char *csv = run_csv(ONLY_ASSUMED, "cpu.frequency", NULL);
	double post_send = csv_value(csv, "test-assumed", "native", "2", "breakdown_post_send_us");
	double poll = csv_value(csv, "test-assumed", "native", "2", "breakdown_poll_detect_us");
	double sum = csv_breakdown_sum(csv, "test-assumed", "native", "2");
	ck_assert_double_eq_tol(share(csv, "native", "2"), (post_send + poll) / sum, 2e-4);
	ck_assert_double_gt(share(csv, "vrdma", "2"), share(csv, "native", "2"));
	ck_assert_double_lt(share(csv, "vrdma", "2"), 1.0);
	free(csv);
}
END_TEST

/* A --set is the user's value, not an assumption (docs/results-schema.md):
 * setting the one assumed parameter to its own value clears the share and
 * moves no estimate. */
START_TEST(set_is_not_an_assumption)
{
	char *before = run_csv(ONLY_ASSUMED, "cpu.post_send", NULL);
	char *after = run_csv(ONLY_ASSUMED, "cpu.post_send", (const char *const[]){"--set", "cpu.post_send=200cycles", NULL});
	ck_assert_double_gt(share(before, "native", "2"), 0.0);
	ck_assert_double_eq(share(after, "native", "2"), 0.0);
	ck_assert_double_eq(csv_value(before, "test-assumed", "native", "2", "median_us"),
			    csv_value(after, "test-assumed", "native", "2", "median_us"));
	free(before);
	free(after);
}
END_TEST

/* The shipped presets: the text says it under every breakdown, JSON has the
 * key and the stages, and `vrdmasim list` counts the assumptions. */
START_TEST(shipped_outputs_say_it)
{
	const char *scenario = src_path("scenarios/seed-vrdma-write-lat.yaml");
	tool_output o = run_tool((const char *[]){"run", scenario, "--iterations", "100", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, " rests on assumptions [%]"));
	ck_assert_ptr_nonnull(strstr(o.out, " (stages whose cost depends on an assumed value: post_send,"));
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", scenario, "--iterations", "100", "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "\"assumed_share_of_typical\": 0."));
	ck_assert_ptr_nonnull(strstr(o.out, "\"assumed_stages\": [\"post_send\""));
	/* hca.bandwidth is assumed but above the PCIe link that sets the
	 * serialization: only the bottleneck's rate counts. */
	const char *line = strstr(o.out, "\"assumed_stages\"");
	ck_assert_ptr_null(memmem(line, (size_t)(strchr(line, ']') - line), "serialization", 13));
	tool_output_free(&o);
	o = run_tool((const char *[]){"list", NULL});
	ck_assert_ptr_nonnull(strstr(o.out, " sourced, "));
	ck_assert_ptr_nonnull(strstr(o.out, " assumptions)"));
	tool_output_free(&o);
}
END_TEST

/* Bandwidth: native is limited by its PCIe link, SoftRoCE by a CPU; the
 * share of that pace is 0 with no assumption and 1 with every value one. */
START_TEST(bandwidth_pace)
{
	for (int all = 0; all < 2; all++) {
		char *csv = run_text_csv(BW_SCENARIO, all ? ALL_ASSUMED : NONE_ASSUMED, NULL, NULL);
		for (size_t k = 0; k < 2; k++) {
			const char *option = k ? "softroce-directpath" : "native";
			ck_assert_double_eq_tol(csv_value(csv, "test-assumed", option, "65536", "assumed_share_of_pace"),
						all ? 1.0 : 0.0, 1e-9);
		}
		free(csv);
	}
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("assumed");
	TCase *tc = tcase_create("assumed");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, no_assumption_no_share);
	tcase_add_test(tc, all_assumed_all_share);
	tcase_add_test(tc, one_stage_by_hand);
	tcase_add_test(tc, assumed_clock_reaches_cycles);
	tcase_add_test(tc, set_is_not_an_assumption);
	tcase_add_test(tc, shipped_outputs_say_it);
	tcase_add_test(tc, bandwidth_pace);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
