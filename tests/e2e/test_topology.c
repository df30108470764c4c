/*
 * test_topology.c - hosts joined back to back (`topology: {fabric:
 * back-to-back}`): between hosts, a message crosses one cable and no
 * switch, so a one-way time is the switched one less switch.latency (or
 * eth.switch_latency) and one wire.propagation, in a single flow and in a
 * flows scenario; a READ saves that twice; options inside one host do not
 * change; the platform agrees with the plans (no queueing appears); the
 * shipped scenarios/back-to-back.yaml runs.
 *
 * The switch's and the cable's values are set on the command line, so the
 * expected differences do not hang on the presets' figures.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

enum { NPRESETS = 2 };
static const char *const PRESETS[NPRESETS] = {"esxi5-qdr-2012", "modern-hdr"};

/* What the command line sets, and what one direction saves back to back. */
static const double SWITCH_US = 0.150, ETH_SWITCH_US = 0.400, CABLE_US = 0.025;
static const char *const SETTINGS[] = {"--set", "switch.latency=150ns", "--set", "eth.switch_latency=400ns",
				       "--set", "wire.propagation=25ns", "--set", "jitter.cpu_cv=0",
				       "--set", "jitter.interference_probability=0"};
#define NSETTINGS (sizeof SETTINGS / sizeof SETTINGS[0])

static const char *const SINGLE =
	"scenario: topology\npreset: [esxi5-qdr-2012, modern-hdr]\ntopology:\n%s  hosts: [{name: a, vms: 2}, {name: b}]\n"
	"options: [native, softroce-directpath, vrdma, sriov-local, vrdma-local]\nworkloads:\n"
	"  - {verb: write_lat, sizes: [2B], iterations: 200}\n  - {verb: read_lat, sizes: [2B], iterations: 200}\n";
static const char *const FLOWS =
	"scenario: topology-flows\npreset: [esxi5-qdr-2012, modern-hdr]\ntopology:\n%s  hosts: [{name: a}, {name: b}]\n"
	"options: [native, softroce-directpath]\nflows:\n"
	"  - {name: probe, between: {from: a/0, to: b/0}, workload: {verb: write_lat, sizes: [2B], iterations: 2000}}\n";

static char dir[256];

/* Run TEMPLATE with its topology switched or back to back; the CSV. */
static tool_output run_csv(const char *template, int back_to_back, const char *name)
{
	char text[1024];
	snprintf(text, sizeof text, template, back_to_back ? "  fabric: back-to-back\n" : "");
	char path[1024];
	snprintf(path, sizeof path, "%s", write_test_file(dir, name, text));
	const char *args[4 + NSETTINGS + 1] = {"run", path, "--format", "csv"};
	for (size_t i = 0; i < NSETTINGS; i++)
		args[4 + i] = SETTINGS[i];
	args[4 + NSETTINGS] = NULL;
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "%s: exit status %d: %s", name, o.status, o.err);
	return o;
}

static void make_dir(void)
{
	const char *made = temp_dir();
	ck_assert_ptr_nonnull(made);
	snprintf(dir, sizeof dir, "%s", made);
}

/* One flow: back to back saves a switch and a cable each way, exactly. */
START_TEST(single_flow_drops_the_switch_and_a_cable)
{
	make_dir();
	tool_output sw = run_csv(SINGLE, 0, "switched.yaml"), b2b = run_csv(SINGLE, 1, "back-to-back.yaml");
	static const struct { const char *option; double saved_us; } between[] = {
		{"native", 0.150 + 0.025}, {"softroce-directpath", 0.400 + 0.025}, {"vrdma", 0.150 + 0.025},
	};
	ck_assert(SWITCH_US + CABLE_US == between[0].saved_us && ETH_SWITCH_US + CABLE_US == between[1].saved_us);
	for (size_t p = 0; p < NPRESETS; p++) {
		for (size_t o = 0; o < sizeof between / sizeof between[0]; o++) {
			/* write_lat: half a round trip, one direction; read_lat: both */
			static const char *const verbs[] = {"write_lat", "read_lat"};
			for (size_t v = 0; v < 2; v++) {
				double a = csv_value_verb(sw.out, PRESETS[p], between[o].option, verbs[v], "2", "median_us");
				double b = csv_value_verb(b2b.out, PRESETS[p], between[o].option, verbs[v], "2", "median_us");
				double expected = (v + 1) * between[o].saved_us;
				ck_assert_msg(a > 0 && fabs(a - b - expected) < 2e-6, "%s %s %s: switched %.6f us, back to back %.6f us, expected %.6f us less",
					      PRESETS[p], between[o].option, verbs[v], a, b, expected);
				double queueing = csv_value_verb(b2b.out, PRESETS[p], between[o].option, verbs[v], "2",
								 "breakdown_queueing_us");
				ck_assert_msg(queueing == 0, "%s %s %s back to back: queueing %g us (platform and plans disagree)",
					      PRESETS[p], between[o].option, verbs[v], queueing);
			}
			ck_assert_msg(isnan(csv_value_verb(b2b.out, PRESETS[p], between[o].option, "write_lat", "2",
							   "breakdown_switch_us")),
				      "%s %s: a switch in the breakdown back to back", PRESETS[p], between[o].option);
		}
		/* inside one host nothing reaches a cable */
		static const char *const local[] = {"sriov-local", "vrdma-local"};
		for (size_t o = 0; o < 2; o++) {
			double a = csv_value_verb(sw.out, PRESETS[p], local[o], "write_lat", "2", "median_us");
			double b = csv_value_verb(b2b.out, PRESETS[p], local[o], "write_lat", "2", "median_us");
			ck_assert_msg(a > 0 && a == b, "%s %s: switched %g us, back to back %g us", PRESETS[p], local[o], a, b);
		}
	}
	tool_output_free(&sw);
	tool_output_free(&b2b);
	remove_tree(dir);
}
END_TEST

/* A flows scenario: the same saving, within the histogram's 0.1 %. */
START_TEST(flows_drop_the_switch_and_a_cable)
{
	make_dir();
	tool_output sw = run_csv(FLOWS, 0, "switched.yaml"), b2b = run_csv(FLOWS, 1, "back-to-back.yaml");
	static const struct { const char *option; double saved_us; } between[] = {
		{"native", 0.150 + 0.025}, {"softroce-directpath", 0.400 + 0.025},
	};
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < 2; o++) {
			char prefix[128];
			snprintf(prefix, sizeof prefix, "%s,%s,", PRESETS[p], between[o].option);
			const char *row_a = strstr(sw.out, prefix), *row_b = strstr(b2b.out, prefix);
			ck_assert_msg(row_a && row_b, "%s: no rows", prefix);
			double a = flows_csv_cell(row_a, "group", "probe", FLOWS_COL_P50_US);
			double b = flows_csv_cell(row_b, "group", "probe", FLOWS_COL_P50_US);
			ck_assert_msg(a > 0 && fabs(a - b - between[o].saved_us) <= 0.002 * a,
				      "%s: p50 switched %.6f us, back to back %.6f us, expected %.6f us less", prefix, a, b,
				      between[o].saved_us);
		}
	tool_output_free(&sw);
	tool_output_free(&b2b);
	remove_tree(dir);
}
END_TEST

/* The shipped scenarios/back-to-back.yaml runs, every row, back to back. */
START_TEST(the_shipped_scenario_runs)
{
	const char *path = src_path("scenarios/back-to-back.yaml");
	tool_output text = run_tool((const char *[]){"run", path, "--iterations", "200", NULL});
	ck_assert_msg(text.status == 0, "%s", text.err);
	ck_assert_ptr_nonnull(strstr(text.out, "| different-hosts, back to back (no switch)"));
	tool_output csv = run_tool((const char *[]){"run", path, "--iterations", "200", "--format", "csv", NULL});
	ck_assert_msg(csv.status == 0, "%s", csv.err);
	static const char *const options[] = {"native", "sriov", "vrdma"};
	for (size_t o = 0; o < 3; o++) {
		ck_assert(csv_value_verb(csv.out, "modern-hdr", options[o], "send_lat", "32", "median_us") > 0);
		ck_assert(csv_value_verb(csv.out, "modern-hdr", options[o], "write_lat", "2", "median_us") > 0);
		ck_assert(isnan(csv_value_verb(csv.out, "modern-hdr", options[o], "write_lat", "2", "breakdown_switch_us")));
	}
	tool_output_free(&text);
	tool_output_free(&csv);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("topology");
	TCase *tc = tcase_create("back_to_back");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, single_flow_drops_the_switch_and_a_cable);
	tcase_add_test(tc, flows_drop_the_switch_and_a_cable);
	tcase_add_test(tc, the_shipped_scenario_runs);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
