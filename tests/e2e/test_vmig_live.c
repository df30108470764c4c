/*
 * test_vmig_live.c - a vRDMA VM migrated live (`migrate:`'s `vrdma:`, end
 * to end): the downtime with the device is the downtime without it plus
 * the terms models/vrdma_migration.c computes (called here on the
 * scenario's own parameters); the VM's peers see their pause in their
 * latency (a closed-loop peer's max is at least the pause, by less than a
 * millisecond more); the QPs and peers are counted from the other groups'
 * connections; with `qps:` given the model's figures come back as they
 * are; without `vrdma:` the migration's results have no vrdma part.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario.h"
#include "models/vrdma_migration.h"

static char dir[1024];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
}

static void teardown(void)
{
	remove_tree(dir);
}

/* A 64 MiB VM (esx-a/0) migrated from esx-a to esx-b over RDMA, 2 QPs to
 * each of 4 peer VMs (RDMA READs of 64 B: closed loops, or with LIGHT open
 * loops of 2000/s that hardly load the source's links), its `migrate:`
 * ending in VRDMA (", vrdma: {...}" or ""): the scenario's file. */
static int light;

static const char *scenario(const char *vrdma)
{
	char text[4096];
	snprintf(text, sizeof text,
		 "scenario: vmig-live\npreset: esxi5-qdr-2012\nseed: 5\n"
		 "topology:\n  hosts:\n    - {name: esx-a, vms: 1}\n    - {name: esx-b, vms: 1}\n"
		 "    - {name: p1, vms: 1}\n    - {name: p2, vms: 1}\n    - {name: p3, vms: 1}\n    - {name: p4, vms: 1}\n"
		 "options: [native]\nflows:\n"
		 "  - name: vmotion\n    between: {from: esx-a, to: esx-b}\n    transport: rdma\n    qps: 2\n"
		 "    migrate: {memory: 64MiB, dirty_rate: 200MBps, downtime_target: 2ms, registration: pin_all%s}\n"
		 "  - name: peers\n    between: {incast: {from: [p1/0, p2/0, p3/0, p4/0], to: esx-a/0}}\n    qps: 2\n"
		 "    workload: {verb: read_lat, sizes: [64B], iterations: %s}\n%s",
		 vrdma, light ? "200" : "20000", light ? "    load: {open_loop: 2000/s per qp}\n" : "");
	return write_test_file(dir, "vmig-live.yaml", text);
}

static tool_output run_json(const char *file)
{
	tool_output o = run_tool((const char *[]){"run", file, "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	return o;
}

/* The number after "KEY": from FROM (a key that precedes it) in O's JSON. */
static double value_after(const tool_output *o, const char *from, const char *key)
{
	char quoted[64];
	const char *at = strstr(o->out, from);
	ck_assert_msg(at != NULL, "%s in %s", from, o->out);
	snprintf(quoted, sizeof quoted, "\"%s\":", key);
	at = strstr(at, quoted);
	ck_assert_msg(at != NULL, "%s in %s", key, o->out);
	return strtod(at + strlen(quoted), NULL);
}

/* The model on FILE's parameters: esx-a to esx-b, peers p1 (the first of
 * the busiest), DEVICE. */
static mdl_vmig_result model(const char *file, const mdl_vmig_device *device)
{
	scn_scenario s;
	vr_diag diag;
	ck_assert_msg(scn_load_file(file, &s, &diag) == 0, "%s", diag.message);
	mdl_vmig_result r;
	mdl_vmig_compute(device, scn_params(&s, 0, 0), scn_params(&s, 0, 1), scn_params(&s, 0, 2), &r);
	scn_free(&s);
	return r;
}

static const char *const device_map =
	", vrdma: {vm: esx-a/0, registered_memory: 256MiB, regions: 8, cqs_per_qp: 2, pds: 2, quiesce: drain, registration: at_switchover}";

START_TEST(downtime_is_the_downtime_without_plus_the_models_terms)
{
	light = 1;   /* the peers' load hardly changes the stop-and-copy they are held in */
	tool_output without = run_json(scenario(""));
	ck_assert_msg(strstr(without.out, "\"vrdma\"") == NULL, "%s", without.out);
	double base_ms = value_after(&without, "\"migrations\"", "downtime_ms");
	tool_output with = run_json(scenario(device_map));
	double down_ms = value_after(&with, "\"migrations\"", "downtime_ms");
	double measured_ms = value_after(&with, "\"vrdma\"", "measured_downtime_ms");
	ck_assert_double_eq(value_after(&with, "\"vrdma\"", "qps"), 8);
	ck_assert_double_eq(value_after(&with, "\"vrdma\"", "peers"), 4);
	/* the device as the run counted it, by the model */
	mdl_vmig_device d = {.qps = 8, .cqs = 16, .pds = 2, .regions = 8, .registered_bytes = 268435456, .peers = 4,
			     .outstanding = 1, .outstanding_bytes = 4096, .quiesce = MDL_VMIG_DRAIN,
			     .registration = MDL_VMIG_AT_SWITCHOVER};
	mdl_vmig_result r = model(scenario(device_map), &d);
	ck_assert_msg(fabs(value_after(&with, "\"vrdma\"", "added_downtime_ms") - r.added_downtime_ns / 1e6) < 1e-5,
		      "%g ms against %g ms", value_after(&with, "\"vrdma\"", "added_downtime_ms"), r.added_downtime_ns / 1e6);
	ck_assert_msg(fabs(value_after(&with, "\"vrdma\"", "register_added_ms") - r.register_added_ns / 1e6) < 1e-5, "%s",
		      with.out);
	ck_assert_msg(fabs(value_after(&with, "\"vrdma\"", "qp_restore_ms") - r.qp_restore_ns / 1e6) < 1e-5, "%s", with.out);
	/* downtime = the measured stop-and-copy (its state included) + the rest */
	double rest_ms = (r.quiesce_ns + r.register_added_ns + r.objects_ns + r.qp_restore_ns) / 1e6;
	ck_assert_msg(fabs(down_ms - (measured_ms + rest_ms)) < 1e-5, "%g against %g + %g", down_ms, measured_ms, rest_ms);
	/* and the downtime without the device plus all the model adds: the
	 * state's crossing measured rather than computed, within one 256 KiB
	 * message at the 2012 link (the round's messages are whole) */
	double message_ms = 262144.0 * 8 / 32e9 * 1e3 * 1.25;
	ck_assert_msg(fabs(down_ms - (base_ms + r.added_downtime_ns / 1e6)) <= message_ms, "%g ms against %g + %g ms",
		      down_ms, base_ms, r.added_downtime_ns / 1e6);
	ck_assert_msg(r.added_downtime_ns / 1e6 > 10 * message_ms, "%g ms", r.added_downtime_ns / 1e6);
	tool_output_free(&without);
	tool_output_free(&with);
	light = 0;
}
END_TEST

START_TEST(a_peer_sees_its_pause_in_its_max_latency)
{
	tool_output o = run_json(scenario(device_map));
	double pause_ms = value_after(&o, "\"vrdma\"", "peer_pause_ms");
	double down_ms = value_after(&o, "\"migrations\"", "downtime_ms");
	ck_assert_msg(pause_ms > down_ms, "%g ms, downtime %g ms", pause_ms, down_ms);
	/* without the device the peers are never held: their max is far below */
	tool_output w = run_json(scenario(""));
	double free_ms = value_after(&w, "\"group\": \"peers\"", "max_us") / 1e3;
	ck_assert_msg(free_ms < 0.1 * pause_ms, "%s", w.out);
	/* A closed loop's first operation held is posted when the one in
	 * flight at the stop-and-copy's start completes (the quiesce drains
	 * it), at most one latency later (no more than the max without the
	 * hold, the load being the same until then), and waits until the
	 * release: its latency is the pause less that, plus its own. */
	double max_ms = value_after(&o, "\"group\": \"peers\"", "max_us") / 1e3;
	ck_assert_msg(max_ms >= pause_ms - free_ms && max_ms < pause_ms + 1, "max %g ms, pause %g ms", max_ms, pause_ms);
	static const char *const vms[] = {"\"vm\": \"p1/0\"", "\"vm\": \"p4/0\""};
	for (size_t i = 0; i < 2; i++) {
		double vm_ms = value_after(&o, vms[i], "max_us") / 1e3;
		ck_assert_msg(vm_ms >= pause_ms - free_ms && vm_ms < pause_ms + 1, "%s: max %g ms, pause %g ms", vms[i], vm_ms,
			      pause_ms);
	}
	tool_output_free(&o);
	tool_output_free(&w);
}
END_TEST

/* `qps:` and `peers:` given: the model's terms for them, the source's
 * parameters standing for the peers'. */
START_TEST(qps_given_take_the_models_terms)
{
	const char *file =
		scenario(", vrdma: {qps: 64, peers: 3, registered_memory: 1GiB, regions: 4, quiesce: record, registration: at_switchover}");
	tool_output o = run_json(file);
	mdl_vmig_device d = {.qps = 64, .cqs = 64, .pds = 1, .regions = 4, .registered_bytes = 1073741824, .peers = 3,
			     .outstanding = 1, .outstanding_bytes = 4096, .quiesce = MDL_VMIG_RECORD,
			     .registration = MDL_VMIG_AT_SWITCHOVER};
	scn_scenario s;
	vr_diag diag;
	ck_assert_msg(scn_load_file(file, &s, &diag) == 0, "%s", diag.message);
	mdl_vmig_result r;
	mdl_vmig_compute(&d, scn_params(&s, 0, 0), scn_params(&s, 0, 1), scn_params(&s, 0, 0), &r);
	scn_free(&s);
	ck_assert_double_eq(value_after(&o, "\"vrdma\"", "qps"), 64);
	ck_assert_msg(fabs(value_after(&o, "\"vrdma\"", "added_downtime_ms") - r.added_downtime_ns / 1e6) < 1e-5, "%s",
		      o.out);
	ck_assert_msg(fabs(value_after(&o, "\"vrdma\"", "repoint_ms") - r.repoint_ns / 1e6) < 1e-5, "%s", o.out);
	ck_assert_double_eq(value_after(&o, "\"vrdma\"", "quiesce_ms"), 0);   /* recorded: nothing waited for */
	ck_assert_double_eq(value_after(&o, "\"vrdma\"", "state_bytes"), round(r.state_bytes));
	tool_output_free(&o);
}
END_TEST

static Suite *vmig_live_suite(void)
{
	Suite *s = suite_create("vmig_live");
	TCase *tc = tcase_create("live");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, downtime_is_the_downtime_without_plus_the_models_terms);
	tcase_add_test(tc, a_peer_sees_its_pause_in_its_max_latency);
	tcase_add_test(tc, qps_given_take_the_models_terms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(vmig_live_suite());
}
