/*
 * test_flows.c - a scenario's `flows:` expanded: the number of connections
 * of each `between:` form, QP indices numbered per VM, that `vms: 16` gives
 * 16 distinct VMs HOST/0..15, loads and their defaults, per-VM rates,
 * seeds, the connection cap, and the documented example.
 * (Refusals are files in tests/bad-input/.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario.h"
#include "sim/flow_experiment.h"
#include "tests/check_run.h"

static scn_scenario scenario;

/* Write TEXT to a temporary scenario file and load it. */
static int load_text(const char *text, vr_diag *diag)
{
	char path[] = "/tmp/vrdmasim-flows-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	vr_diag_clear(diag);
	int rc = scn_load_file(path, &scenario, diag);
	remove(path);
	return rc;
}

/* A scenario of HOSTS (YAML list items), OPTION and FLOWS (YAML). */
static const scn_flows *load_flows(const char *hosts, const char *option, const char *flows)
{
	static char text[8192];
	snprintf(text, sizeof text,
		 "scenario: t\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n%s\noptions: [%s]\nflows:\n%s", hosts, option, flows);
	vr_diag diag;
	ck_assert_msg(load_text(text, &diag) == 0, "%s\n%s", diag.message, text);
	return &scenario.flows;
}

static const char *const TWO_HOSTS = "    - {name: esx-a, vms: 16}\n    - {name: esx-b, vms: 16}";
#define WLAT "    workload: {verb: write_lat, sizes: [64B], iterations: 100}\n"

static void teardown(void)
{
	scn_free(&scenario);
}

START_TEST(each_form_counts_its_connections)
{
	const scn_flows *f = load_flows(TWO_HOSTS, "vrdma",
		"  - name: one\n    between: {from: esx-a/0, to: esx-b/0}\n    qps: 3\n" WLAT
		"  - name: zip\n    between: {pairs: [esx-a/1-5, esx-b/1-5]}\n    qps: 2\n" WLAT
		"  - name: fan\n    between: {incast: {from: [esx-a/0-3, esx-a/9-11], to: esx-b/15}}\n" WLAT
		"  - name: mesh\n    between: {all_to_all: [esx-a/12, esx-b/12]}\n    qps: 2\n" WLAT
		"  - name: listed\n    between: {list: [[esx-a/13, esx-b/13], [esx-b/14, esx-a/14], [esx-a/13, esx-b/13]]}\n" WLAT);
	ck_assert_uint_eq(f->group_count, 5);
	static const size_t expected[] = {3, 10, 7, 4, 3};
	static const scn_flow_between forms[] = {FLOW_ONE_PAIR, FLOW_PAIRS, FLOW_INCAST, FLOW_ALL_TO_ALL, FLOW_LIST};
	size_t total = 0;
	for (size_t g = 0; g < 5; g++) {
		ck_assert_uint_eq(f->groups[g].connection_count, expected[g]);
		ck_assert_int_eq(f->groups[g].between, forms[g]);
		total += expected[g];
	}
	ck_assert_uint_eq(f->connection_count, total);
	/* zip: the i-th of the first range with the i-th of the second, QPs inside */
	const scn_flow_connection *z = f->groups[1].connections;
	for (size_t i = 0; i < 10; i++) {
		ck_assert_uint_eq(z[i].client.host, 0);
		ck_assert_uint_eq(z[i].server.host, 1);
		ck_assert_uint_eq(z[i].client.vm, 1 + i / 2);
		ck_assert_uint_eq(z[i].server.vm, 1 + i / 2);
	}
	/* incast: seven clients, one server */
	for (size_t i = 0; i < 7; i++) {
		ck_assert_uint_eq(f->groups[2].connections[i].server.vm, 15);
		ck_assert_uint_eq(f->groups[2].connections[i].client.vm, i < 4 ? i : 9 + (i - 4));
	}
	ck_assert_str_eq(scn_flow_between_names[FLOW_ALL_TO_ALL], "all_to_all");
}
END_TEST

START_TEST(sixteen_vms_are_sixteen_distinct_vms)
{
	const scn_flows *f = load_flows("    - {name: esx-a, vms: 16}", "vrdma-local",
		"  - name: all\n    between: {all_to_all: esx-a/0-15}\n" WLAT);
	ck_assert_uint_eq(f->vm_count, 16);
	ck_assert_uint_eq(f->connection_count, 16 * 15);
	unsigned as_client[16] = {0}, as_server[16] = {0};
	unsigned pair_seen[16][16] = {{0}};
	for (size_t c = 0; c < f->connection_count; c++) {
		const scn_flow_connection *k = &f->groups[0].connections[c];
		ck_assert_uint_eq(k->client.host, 0);
		ck_assert_uint_lt(k->client.vm, 16);
		ck_assert_uint_lt(k->server.vm, 16);
		ck_assert_uint_ne(k->client.vm, k->server.vm);
		as_client[k->client.vm]++;
		as_server[k->server.vm]++;
		pair_seen[k->client.vm][k->server.vm]++;
	}
	for (unsigned v = 0; v < 16; v++) {
		ck_assert_uint_eq(as_client[v], 15);
		ck_assert_uint_eq(as_server[v], 15);
		ck_assert_uint_eq(scn_vm_index(f, (scn_vm_ref){0, (uint16_t)v}), v);
		ck_assert_uint_eq(f->vm_qps[v], 30);   /* 15 as client, 15 as server */
		for (unsigned w = 0; w < 16; w++)
			ck_assert_uint_eq(pair_seen[v][w], v != w);
	}
}
END_TEST

START_TEST(qp_indices_number_each_vm_across_groups)
{
	const scn_flows *f = load_flows(TWO_HOSTS, "vrdma",
		"  - name: first\n    between: {pairs: [esx-a/0-1, esx-b/0-1]}\n    qps: 4\n" WLAT
		"  - name: second\n    between: {incast: {from: [esx-a/0-1, esx-a/5], to: esx-b/0}}\n    qps: 2\n" WLAT);
	const scn_flow_group *g0 = &f->groups[0], *g1 = &f->groups[1];
	for (size_t c = 0; c < 8; c++) {
		ck_assert_uint_eq(g0->connections[c].client_qp, c % 4);
		ck_assert_uint_eq(g0->connections[c].server_qp, c % 4);
	}
	/* esx-a/0 and /1 continue after their 4 QPs; esx-a/5 starts at 0 */
	ck_assert_uint_eq(g1->connections[0].client_qp, 4);
	ck_assert_uint_eq(g1->connections[1].client_qp, 5);
	ck_assert_uint_eq(g1->connections[4].client.vm, 5);
	ck_assert_uint_eq(g1->connections[4].client_qp, 0);
	/* the server esx-b/0: 4 QPs of the first group, then 6 of the incast */
	for (size_t c = 0; c < 6; c++)
		ck_assert_uint_eq(g1->connections[c].server_qp, 4 + c);
	ck_assert_uint_eq(f->vm_qps[scn_vm_index(f, (scn_vm_ref){1, 0})], 10);
	ck_assert_uint_eq(f->vm_qps[scn_vm_index(f, (scn_vm_ref){0, 0})], 6);
	ck_assert_uint_eq(f->vm_qps[scn_vm_index(f, (scn_vm_ref){1, 1})], 4);
	ck_assert_uint_eq(f->vm_qps[scn_vm_index(f, (scn_vm_ref){0, 7})], 0);
	ck_assert_uint_eq(scn_vm_index(f, (scn_vm_ref){1, 3}), 19);
}
END_TEST

START_TEST(loads_and_their_defaults)
{
	const scn_flows *f = load_flows(TWO_HOSTS, "vrdma",
		"  - name: lat\n    between: {from: esx-a/0, to: esx-b/0}\n" WLAT
		"  - name: bw\n    between: {from: esx-a/1, to: esx-b/1}\n"
		"    workload: {verb: write_bw, sizes: [64KiB], iterations: 100}\n"
		"  - name: bw16\n    between: {from: esx-a/2, to: esx-b/2}\n"
		"    workload: {verb: read_bw, sizes: [4KiB], iterations: 100, tx_depth: 16}\n"
		"  - name: win\n    between: {from: esx-a/3, to: esx-b/3}\n"
		"    workload: {verb: send_bw, size_mix: {64B: 3, 4KiB: 1}, iterations: 100}\n"
		"    load: {closed_loop: {window: 8}}\n"
		"  - name: poisson\n    between: {from: esx-a/4, to: esx-b/4}\n    qps: 2\n" WLAT
		"    load: {open_loop: 20k/s per qp}\n");
	const scn_flow_group *g = f->groups;
	ck_assert_int_eq(g[0].load.loop, FLOW_CLOSED_LOOP);
	ck_assert_uint_eq(g[0].load.window, 1);
	ck_assert_uint_eq(g[1].load.window, SCN_TX_DEPTH_DEFAULT);
	ck_assert_uint_eq(g[2].load.window, 16);
	ck_assert_uint_eq(g[3].load.window, 8);
	ck_assert_uint_eq(g[3].workload.size_count, 2);
	ck_assert_double_eq(g[3].workload.sizes_bytes[1], 4096);
	ck_assert_double_eq_tol(g[3].size_weights[0], 0.75, 1e-12);
	ck_assert_double_eq_tol(g[3].size_weights[1], 0.25, 1e-12);
	ck_assert_double_eq(g[0].size_weights[0], 1.0);
	ck_assert_double_eq(g[0].connections[0].arrival_rate_per_s, 0);
	ck_assert_int_eq(g[4].load.loop, FLOW_OPEN_LOOP);
	ck_assert_int_eq(g[4].load.per, FLOW_PER_QP);
	ck_assert_double_eq(g[4].load.rate_per_s, 20000);
	ck_assert_double_eq(g[4].connections[0].arrival_rate_per_s, 20000);
	ck_assert_double_eq(g[4].connections[1].arrival_rate_per_s, 20000);
	ck_assert_uint_eq(g[4].workload.iterations, 100);
	scn_set_iterations(&scenario, 7);
	ck_assert_uint_eq(g[4].workload.iterations, 7);
}
END_TEST

START_TEST(a_rate_per_vm_is_split_over_its_qps)
{
	const scn_flows *f = load_flows(TWO_HOSTS, "vrdma",
		"  - name: g\n    between: {list: [[esx-a/0, esx-b/0], [esx-a/0, esx-b/1], [esx-a/1, esx-b/2]]}\n    qps: 2\n" WLAT
		"    load: {open_loop: 1.2M/s per vm}\n");
	const scn_flow_group *g = f->groups;
	ck_assert_uint_eq(g->connection_count, 6);
	for (size_t c = 0; c < 4; c++)   /* esx-a/0: 4 QPs */
		ck_assert_double_eq_tol(g->connections[c].arrival_rate_per_s, 3e5, 1e-6);
	for (size_t c = 4; c < 6; c++)   /* esx-a/1: 2 QPs */
		ck_assert_double_eq_tol(g->connections[c].arrival_rate_per_s, 6e5, 1e-6);
}
END_TEST

static unsigned long long seed_of(const char *flows, const char *name)
{
	const scn_flows *f = load_flows(TWO_HOSTS, "vrdma", flows);
	unsigned long long seed = 0;
	for (size_t g = 0; g < f->group_count; g++)
		if (strcmp(f->groups[g].name, name) == 0)
			seed = f->groups[g].seed;
	ck_assert_uint_ne(scn_flow_connection_seed(&f->groups[0], 0), scn_flow_connection_seed(&f->groups[0], 1));
	scn_free(&scenario);
	return seed;
}

START_TEST(seeds_follow_names_not_places)
{
	const char *ab = "  - name: a\n    between: {from: esx-a/0, to: esx-b/0}\n" WLAT
			 "  - name: b\n    between: {from: esx-a/1, to: esx-b/1}\n" WLAT;
	const char *ba = "  - name: b\n    between: {from: esx-a/1, to: esx-b/1}\n" WLAT
			 "  - name: a\n    between: {from: esx-a/0, to: esx-b/0}\n" WLAT;
	ck_assert_uint_eq(seed_of(ab, "a"), seed_of(ba, "a"));
	ck_assert_uint_eq(seed_of(ab, "b"), seed_of(ba, "b"));
	ck_assert_uint_ne(seed_of(ab, "a"), seed_of(ab, "b"));
}
END_TEST

START_TEST(the_cap_holds_exactly)
{
	const char *hosts = "    - {name: a, vms: 1000}\n    - {name: b, vms: 1000}";
	const scn_flows *f = load_flows(hosts, "vrdma",
		"  - name: big\n    between: {pairs: [a/0-999, b/0-999]}\n    qps: 1000\n" WLAT);
	ck_assert_uint_eq(f->connection_count, SCN_FLOW_CONNECTIONS_MAX);
	ck_assert_uint_eq(f->groups[0].connections[SCN_FLOW_CONNECTIONS_MAX - 1].client_qp, 999);
	scn_free(&scenario);
	char text[1024];
	snprintf(text, sizeof text,
		 "scenario: t\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n%s\noptions: [vrdma]\nflows:\n"
		 "  - name: big\n    between: {pairs: [a/0-999, b/0-999]}\n    qps: 1000\n" WLAT
		 "  - name: one\n    between: {from: a/0, to: b/0}\n" WLAT, hosts);
	vr_diag diag;
	ck_assert_int_eq(load_text(text, &diag), -1);
	ck_assert_msg(strstr(diag.message, ":14:14: found 1 connections in flow group 'one'") &&
		      strstr(diag.message, "after 1000000 in the groups before it, expected at most 1000000 in a scenario"),
		      "%s", diag.message);
}
END_TEST

/* tests/flows/many-flows.yaml, docs/scenario-format.md's example, into
 * the scenario under test. */
static void load_documented_example(vr_diag *diag)
{
	char path[1024];
	const char *src = getenv("VRDMASIM_SRCDIR");
	snprintf(path, sizeof path, "%s/tests/flows/many-flows.yaml", src ? src : ".");
	vr_diag_clear(diag);
	ck_assert_msg(scn_load_file(path, &scenario, diag) == 0, "%s", diag->message);
}

START_TEST(the_documented_example)
{
	vr_diag diag;
	load_documented_example(&diag);
	const scn_flows *f = &scenario.flows;
	static const char *const names[] = {"probe", "hogs", "fan", "mesh", "listed"};
	static const size_t counts[] = {1, 60, 16, 6, 2};
	ck_assert_uint_eq(f->group_count, 5);
	ck_assert_uint_eq(f->connection_count, 85);
	ck_assert_uint_eq(scenario.workload_count, 0);
	for (size_t g = 0; g < 5; g++) {
		ck_assert_str_eq(f->groups[g].name, names[g]);
		ck_assert_uint_eq(f->groups[g].connection_count, counts[g]);
	}
	ck_assert_uint_eq(f->vm_count, 40);
	/* mesh: 1e5/s per VM over each VM's two QPs */
	ck_assert_double_eq_tol(f->groups[3].connections[0].arrival_rate_per_s, 5e4, 1e-6);
	ck_assert_uint_eq(f->line, 12);
	ck_assert_uint_eq(f->groups[1].between_line, 17);
}
END_TEST

/* What the reader gives, the many-flow engine takes: the example's size
 * mix included; a scenario built in C with a group of no size, or a weight
 * of 0, is refused at its group. */
START_TEST(the_engine_takes_every_group_read)
{
	vr_diag diag;
	load_documented_example(&diag);
	scn_flow_group *fan = &scenario.flows.groups[2];
	ck_assert_uint_eq(fan->workload.size_count, 2);
	ck_assert_double_eq_tol(fan->size_weights[0], 0.9, 1e-15);
	ck_assert_int_eq(vr_flow_check(&scenario, &diag), 0);
	fan->size_weights[1] = 0;
	ck_assert_int_eq(vr_flow_check(&scenario, &diag), -1);
	ck_assert_msg(strstr(diag.message, "many-flows.yaml:21:5: found the weight 0 for 65536 B in flow group 'fan'"), "%s",
		      diag.message);
	fan->workload.size_count = 0;
	vr_diag_clear(&diag);
	ck_assert_int_eq(vr_flow_check(&scenario, &diag), -1);
	ck_assert_msg(strstr(diag.message, "many-flows.yaml:21:5: found 0 sizes in flow group 'fan', expected from 1 to 64"),
		      "%s", diag.message);
}
END_TEST

START_TEST(single_flow_scenarios_have_no_flows)
{
	char path[1024];
	const char *src = getenv("VRDMASIM_SRCDIR");
	snprintf(path, sizeof path, "%s/scenarios/options-compare.yaml", src ? src : ".");
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(scn_load_file(path, &scenario, &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(scenario.flows.group_count, 0);
	ck_assert_ptr_null(scenario.flows.groups);
	ck_assert_uint_ge(scenario.workload_count, 1);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flows");
	TCase *tc = tcase_create("expansion");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, each_form_counts_its_connections);
	tcase_add_test(tc, sixteen_vms_are_sixteen_distinct_vms);
	tcase_add_test(tc, qp_indices_number_each_vm_across_groups);
	tcase_add_test(tc, loads_and_their_defaults);
	tcase_add_test(tc, a_rate_per_vm_is_split_over_its_qps);
	tcase_add_test(tc, seeds_follow_names_not_places);
	tcase_add_test(tc, the_cap_holds_exactly);
	tcase_add_test(tc, the_documented_example);
	tcase_add_test(tc, the_engine_takes_every_group_read);
	tcase_add_test(tc, single_flow_scenarios_have_no_flows);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
