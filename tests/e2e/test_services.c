/*
 * test_services.c - the hypervisors' own traffic in a flows scenario, end
 * to end: groups between hypervisors (`between: {from: HOST, to: HOST}`
 * with `transport:`) run on the host's hypervisor cores, the HCA, PCIe
 * and links; TCP loads those cores with its per-byte work where RDMA does
 * not; with TCP's CPU costs at zero both are bound by the same link; a
 * transport runs alike under every option; VM-only scenarios have no
 * hypervisor server; a migration that names its VM stops that VM's own
 * flows for the downtime.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[1024];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
}

static void teardown(void)
{
	remove_tree(dir);
}

/* One group between the two hosts' hypervisors over TRANSPORT, streaming
 * 256 KiB messages, on PRESET under OPTIONS, with OVERRIDES (a YAML map or
 * ""); its CSV results. */
static const char *service_workload = ", iterations: 300";   /* the rest of the service group's workload */

static tool_output run_service(const char *preset, const char *options, const char *transport, const char *overrides)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: service\npreset: %s\nseed: 3\n%s%s%s"
		 "topology:\n  hosts:\n    - {name: a, vms: 2}\n    - {name: b, vms: 2}\n"
		 "options: [%s]\nflows:\n  - name: svc\n    between: {from: a, to: b}\n    transport: %s\n    qps: 2\n"
		 "    workload: {verb: write_bw, sizes: [256KiB]%s}\n",
		 preset, overrides[0] ? "overrides: " : "", overrides, overrides[0] ? "\n" : "", options, transport,
		 service_workload);
	const char *file = write_test_file(dir, "service.yaml", text);
	tool_output o = run_tool((const char *[]){"run", file, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	return o;
}

/* TCP's CPU costs zeroed: the copies and checksum at the largest rate a
 * parameter takes, every per-call, per-packet and wake-up cost 0. */
static const char *const no_tcp_cpu =
	"{mem.copy_bandwidth: 10Tbps, tcp.checksum_bandwidth: 10Tbps, tcp.call: 0ns, net.tx_per_packet: 0ns, "
	"net.rx_per_packet: 0ns, nic.driver_tx: 0ns, nic.driver_rx: 0ns, irq.wakeup: 0ns}";

START_TEST(tcp_loads_the_hypervisor_cores_and_rdma_hardly)
{
	tool_output tcp = run_service("esxi5-qdr-2012", "vrdma", "tcp", "");
	tool_output rdma = run_service("esxi5-qdr-2012", "vrdma", "rdma", "");
	double tcp_a = flows_csv_cell(tcp.out, "server", "a hypervisor", FLOWS_COL_UTILISATION);
	double tcp_b = flows_csv_cell(tcp.out, "server", "b hypervisor", FLOWS_COL_UTILISATION);
	double rdma_a = flows_csv_cell(rdma.out, "server", "a hypervisor", FLOWS_COL_UTILISATION);
	/* 256 KiB at 5.9 GB/s of copy and 9.2 GB/s of checksum is about 72 us
	 * a message on each side; RDMA's post and poll are well under 1 us */
	ck_assert_msg(tcp_a > 0.05 && tcp_b > 0.05, "tcp: a %g, b %g", tcp_a, tcp_b);
	ck_assert_msg(rdma_a > 0 && rdma_a * 50 < tcp_a, "rdma %g against tcp %g", rdma_a, tcp_a);
	/* the hypervisor is named by its host among the VMs; the VMs post nothing */
	ck_assert_double_eq(flows_csv_cell(tcp.out, "vm", "a", FLOWS_COL_OPS), 600);
	ck_assert_double_eq(flows_csv_cell(tcp.out, "vm", "a/0", FLOWS_COL_OPS), 0);
	ck_assert_msg(flows_csv_cell(tcp.out, "server", "a hca", FLOWS_COL_VISITS) > 0, "%s", tcp.out);
	tool_output_free(&tcp);
	tool_output_free(&rdma);
}
END_TEST

START_TEST(without_cpu_costs_tcp_and_rdma_are_bound_by_the_same_link)
{
	static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	for (size_t i = 0; i < 2; i++) {
		tool_output tcp = run_service(presets[i], "native", "tcp", no_tcp_cpu);
		tool_output rdma = run_service(presets[i], "native", "rdma", no_tcp_cpu);
		double t = flows_csv_cell(tcp.out, "group", "svc", FLOWS_COL_MB_PER_S);
		double r = flows_csv_cell(rdma.out, "group", "svc", FLOWS_COL_MB_PER_S);
		ck_assert_msg(t > 0 && fabs(t - r) <= 0.01 * r, "%s: tcp %g MB/s, rdma %g MB/s", presets[i], t, r);
		tool_output_free(&tcp);
		tool_output_free(&rdma);
		/* with its costs TCP is CPU-bound on the modern host (HDR outruns 4 cores' copies) */
		if (i == 1) {
			tcp = run_service(presets[i], "native", "tcp", "");
			ck_assert_msg(flows_csv_cell(tcp.out, "group", "svc", FLOWS_COL_MB_PER_S) < 0.99 * r, "%s", tcp.out);
			tool_output_free(&tcp);
		}
	}
}
END_TEST

START_TEST(a_transport_runs_alike_under_every_option)
{
	tool_output o = run_service("modern-hdr", "vrdma, sriov, native", "tcp", "");
	double mb[3];
	static const char *const options[] = {"vrdma", "sriov", "native"};
	for (int k = 0; k < 3; k++) {
		char prefix[64];
		snprintf(prefix, sizeof prefix, "modern-hdr,%s,group,svc,", options[k]);
		const char *row = strstr(o.out, prefix);
		ck_assert_msg(row != NULL, "%s", o.out);
		mb[k] = strtod(strchr(strchr(row + strlen(prefix), ',') + 1, ',') + 1, NULL);
	}
	/* the same plans and servers; only the seeds of the software stages'
	 * jitter follow the option */
	ck_assert_msg(mb[0] > 0 && fabs(mb[1] - mb[0]) < 0.01 * mb[0] && fabs(mb[2] - mb[0]) < 0.01 * mb[0], "%g %g %g",
		      mb[0], mb[1], mb[2]);
	tool_output_free(&o);
}
END_TEST

START_TEST(vm_only_scenarios_have_no_hypervisor_server)
{
	const char *file = write_test_file(dir, "vms.yaml",
					   "scenario: vms\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n    - {name: a, vms: 1}\n"
					   "    - {name: b, vms: 1}\noptions: [vrdma]\nflows:\n  - name: pp\n"
					   "    between: {from: a/0, to: b/0}\n    workload: {verb: write_lat, sizes: [64B], iterations: 100}\n");
	tool_output o = run_tool((const char *[]){"run", file, "--format", "csv", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_msg(strstr(o.out, "hypervisor") == NULL && strstr(o.out, ",vm,a,") == NULL, "%s", o.out);
	tool_output_free(&o);
}
END_TEST

/* A migration between the two hypervisors over TRANSPORT on PRESET:
 * MIGRATE its `migrate:` map, with OVERRIDES; the JSON results. */
static tool_output run_migration(const char *preset, const char *transport, const char *migrate, const char *overrides)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: migration\npreset: %s\nseed: 3\n%s%s%s"
		 "topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
		 "options: [native]\nflows:\n  - name: vm\n    between: {from: a, to: b}\n    transport: %s\n    qps: 2\n"
		 "    migrate: %s\n",
		 preset, overrides[0] ? "overrides: " : "", overrides, overrides[0] ? "\n" : "", transport, migrate);
	const char *file = write_test_file(dir, "migration.yaml", text);
	tool_output o = run_tool((const char *[]){"run", file, "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	return o;
}

/* The number after "KEY": in the first migration of O's JSON. */
static double migration_value(const tool_output *o, const char *key)
{
	char quoted[64];
	snprintf(quoted, sizeof quoted, "\"%s\":", key);
	const char *at = strstr(o->out, "\"migrations\"");
	ck_assert_msg(at != NULL, "%s", o->out);
	at = strstr(at, quoted);
	ck_assert_msg(at != NULL, "%s in %s", key, o->out);
	return strtod(at + strlen(quoted), NULL);
}

static int migration_result_is(const tool_output *o, const char *result)
{
	char quoted[64];
	snprintf(quoted, sizeof quoted, "\"result\": \"%s\"", result);
	const char *at = strstr(o->out, "\"migrations\"");
	return at && strstr(at, quoted);
}

/* The test: with TCP's per-byte CPU costs and registration at
 * zero, a migration over TCP and one over RDMA take the same time. */
START_TEST(without_cpu_and_registration_costs_tcp_and_rdma_migrate_alike)
{
	static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	static const char *const no_costs =
		"{mem.copy_bandwidth: 10Tbps, tcp.checksum_bandwidth: 10Tbps, tcp.call: 0ns, net.tx_per_packet: 0ns, "
		"net.rx_per_packet: 0ns, nic.driver_tx: 0ns, nic.driver_rx: 0ns, irq.wakeup: 0ns, "
		"mr.register_call: 0ns, mr.register_page: 0ns}";
	for (size_t i = 0; i < 2; i++) {
		const char *migrate = "{memory: 1GiB, dirty_rate: 200MBps, downtime_target: 20ms, registration: on_demand}";
		tool_output rdma = run_migration(presets[i], "rdma", migrate, no_costs);
		tool_output tcp = run_migration(presets[i], "tcp",
						"{memory: 1GiB, dirty_rate: 200MBps, downtime_target: 20ms}", no_costs);
		double r = migration_value(&rdma, "total_time_s"), t = migration_value(&tcp, "total_time_s");
		/* both link-bound; RDMA's HCA also misses its translations of the
		 * VM's 1 GiB (IPoIB's buffers need none): about 2 % */
		ck_assert_msg(r > 0 && fabs(t - r) <= 0.03 * r, "%s: tcp %g s, rdma %g s", presets[i], t, r);
		ck_assert(migration_result_is(&rdma, "converged") && migration_result_is(&tcp, "converged"));
		tool_output_free(&rdma);
		tool_output_free(&tcp);
		/* with their costs TCP spends more CPU than RDMA */
		rdma = run_migration(presets[i], "rdma", migrate, "");
		tcp = run_migration(presets[i], "tcp", "{memory: 1GiB, dirty_rate: 200MBps, downtime_target: 20ms}", "");
		ck_assert_msg(migration_value(&tcp, "source_cpu_s") > 2 * migration_value(&rdma, "source_cpu_s"), "%g s, %g s",
			      migration_value(&tcp, "source_cpu_s"), migration_value(&rdma, "source_cpu_s"));
		tool_output_free(&rdma);
		tool_output_free(&tcp);
	}
}
END_TEST

/* Pre-copy on an idle fabric against rounds by hand: R, the streams'
 * rate, measured alone; the VM dirties 0.1 R: rounds of M/R, 0.1 M/R,
 * 0.01 M/R, then 0.001 M (a third of the 1 ms target) stops and copies. */
START_TEST(precopy_rounds_on_an_idle_fabric_match_the_hand_computation)
{
	/* the streams' rate with the VM's memory registered: the same translation misses */
	service_workload = ", iterations: 2000, registered_memory: 1GiB";
	tool_output o = run_service("esxi5-qdr-2012", "native", "rdma", "{mr.register_call: 0ns, mr.register_page: 0ns}");
	service_workload = ", iterations: 300";
	double rate = flows_csv_cell(o.out, "group", "svc", FLOWS_COL_MB_PER_S) * 1e6;   /* bytes/s */
	tool_output_free(&o);
	ck_assert(rate > 1e9);
	double memory = 1073741824.0;
	char migrate[256];
	snprintf(migrate, sizeof migrate, "{memory: 1GiB, dirty_rate: %.0fBps, downtime_target: 1ms}", 0.1 * rate);
	o = run_migration("esxi5-qdr-2012", "rdma", migrate, "{mr.register_call: 0ns, mr.register_page: 0ns}");
	double expected_s = memory * (1 + 0.1 + 0.01 + 0.001) / rate;
	ck_assert_double_eq(migration_value(&o, "rounds"), 4);
	ck_assert_msg(fabs(migration_value(&o, "total_time_s") - expected_s) < 0.02 * expected_s, "%g s against %g s",
		      migration_value(&o, "total_time_s"), expected_s);
	/* the stop-and-copy: 0.001 M in whole 256 KiB messages (5), behind
	 * the first message's own crossing (one more at the rate) */
	double downtime_ms = 1e3 * (ceil(0.001 * memory / 262144) + 1) * 262144 / rate;
	ck_assert_msg(fabs(migration_value(&o, "downtime_ms") - downtime_ms) < 0.05 * downtime_ms, "%g ms against %g ms",
		      migration_value(&o, "downtime_ms"), downtime_ms);
	/* bytes moved: every round's, whole 256 KiB messages */
	ck_assert_msg(fabs(migration_value(&o, "moved_bytes") - memory * 1.111) < 4 * 262144, "%g B",
		      migration_value(&o, "moved_bytes"));
	tool_output_free(&o);
}
END_TEST

/* Dirtying faster than the link: "does not converge" without a round
 * limit (never a hang), the round limit's forced stop with one. */
START_TEST(a_dirty_rate_above_the_link_does_not_converge)
{
	tool_output o = run_migration("esxi5-qdr-2012", "rdma", "{memory: 256MiB, dirty_rate: 20GBps, downtime_target: 10ms}", "");
	ck_assert_msg(migration_result_is(&o, "does not converge"), "%.2000s", o.out);
	ck_assert_double_eq(migration_value(&o, "downtime_ms"), 0);
	tool_output_free(&o);
	o = run_migration("esxi5-qdr-2012", "tcp", "{memory: 256MiB, dirty_rate: 20GBps, downtime_target: 10ms, max_rounds: 3}", "");
	ck_assert_msg(migration_result_is(&o, "round limit"), "%.2000s", o.out);
	ck_assert_double_eq(migration_value(&o, "rounds"), 4);
	ck_assert_msg(migration_value(&o, "downtime_ms") > 10, "%g ms", migration_value(&o, "downtime_ms"));
	tool_output_free(&o);
	tool_output t = run_tool((const char *[]){"run", src_path("tests/bad-input/migrate-zero-downtime.yaml"), NULL});
	ck_assert_int_eq(t.status, 2);
	ck_assert_msg(strstr(t.err, "expected a time above 0"), "%s", t.err);
	tool_output_free(&t);
}
END_TEST

/* The number after "KEY": in group GROUP's object of O's JSON. */
static double group_value(const tool_output *o, const char *group, const char *key)
{
	char name[96], quoted[64];
	snprintf(name, sizeof name, "\"group\": \"%s\"", group);
	snprintf(quoted, sizeof quoted, "\"%s\":", key);
	const char *at = strstr(o->out, name);
	ck_assert_msg(at != NULL, "%s in %.2000s", group, o->out);
	at = strstr(at, quoted);
	ck_assert_msg(at != NULL, "%s of %s", key, group);
	return strtod(at + strlen(quoted), NULL);
}

/* A migration that names its VM (`vm: a/0`) stops that VM for the
 * downtime: its own flows are held from the stop-and-copy's start to its
 * end, so its probe's max (read_lat: whole round trips) reaches the
 * downtime and its p99 most of it (about 60 of its 400 reads arrive
 * while it is stopped, spread over the stop), where a VM on other hosts,
 * whose traffic shares esx-b's links with the last pages, does not move;
 * the migration counts the held operations.  Without `vm:` nothing is
 * held.  A round limit of 2 at 2 GB/s forces a long stop (about 30 ms). */
START_TEST(the_migrated_vm_is_stopped_for_the_downtime)
{
	static const char *const base =
		"scenario: migrated-vm\npreset: esxi5-qdr-2012\nseed: 3\n"
		"topology:\n  hosts:\n    - {name: a, vms: 2}\n    - {name: b, vms: 1}\n    - {name: c, vms: 2}\n"
		"options: [native]\nflows:\n  - name: vmotion\n    between: {from: a, to: b}\n    transport: rdma\n"
		"    qps: 2\n    start: 10ms\n"
		"    migrate: {%smemory: 256MiB, dirty_rate: 2GBps, downtime_target: 20ms, max_rounds: 2}\n"
		"  - name: own\n    between: {from: a/0, to: c/0}\n"
		"    workload: {verb: read_lat, sizes: [64B], iterations: 400}\n    load: {open_loop: 2000/s per qp}\n"
		"    stop: 200ms\n"
		"  - name: other\n    between: {from: c/1, to: b/0}\n"
		"    workload: {verb: read_lat, sizes: [64B], iterations: 400}\n    load: {open_loop: 2000/s per qp}\n"
		"    stop: 200ms\n";
	char text[2048];
	snprintf(text, sizeof text, base, "vm: a/0, ");
	const char *file = write_test_file(dir, "migrated-vm.yaml", text);
	tool_output o = run_tool((const char *[]){"run", file, "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	double downtime_us = 1e3 * migration_value(&o, "downtime_ms");
	ck_assert_msg(migration_result_is(&o, "round limit") && downtime_us > 10e3, "%g us", downtime_us);
	double own_max = group_value(&o, "own", "max_us"), own_p99 = group_value(&o, "own", "p99_us");
	double other_max = group_value(&o, "other", "max_us");
	/* the first read after the stop waits nearly all of it (arrivals 0.5 ms
	 * apart on average), none waits longer than it and a read's own time */
	ck_assert_msg(own_max >= 0.9 * downtime_us && own_max <= downtime_us + 100, "own max %g us, downtime %g us", own_max,
		      downtime_us);
	ck_assert_msg(own_p99 >= 0.5 * downtime_us, "own p99 %g us, downtime %g us", own_p99, downtime_us);
	ck_assert_msg(other_max < 0.01 * downtime_us, "other max %g us, downtime %g us", other_max, downtime_us);
	double held = migration_value(&o, "held_operations");
	ck_assert_msg(held >= 30 && held <= 120, "%g held", held);   /* 2000/s over about 30 ms: about 60 */
	ck_assert_double_eq(migration_value(&o, "held_flows"), 1);
	ck_assert_double_eq_tol(migration_value(&o, "held_ms"), downtime_us / 1e3, 1e-6);
	ck_assert_msg(strstr(o.out, "\"vm\": \"a/0\""), "%.3000s", o.out);
	tool_output_free(&o);
	/* no VM named: nothing held; the probe waits behind the migration's
	 * packets on a's PCIe link and uplink (about 1 ms at most), not for
	 * the stop */
	snprintf(text, sizeof text, base, "");
	file = write_test_file(dir, "migrated-vm.yaml", text);
	o = run_tool((const char *[]){"run", file, "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_msg(group_value(&o, "own", "max_us") < 0.1 * downtime_us, "%g us", group_value(&o, "own", "max_us"));
	ck_assert(strstr(o.out, "held_operations") == NULL);
	tool_output_free(&o);
}
END_TEST

/* cpu.hypervisor_cores 0: the services run on the guest cores' pool.  A
 * TCP stream between the hypervisors (about 72 us of copy and checksum per
 * 256 KiB message on each side) and a VM's 64 B read probe share a's one
 * guest core: the probe's tail waits behind the copies, which it does not
 * with the service on cores of its own; the pool carries the service's
 * work and no hypervisor server is left. */
static tool_output run_beside_probe(const char *overrides)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: shared-cores\npreset: esxi5-qdr-2012\nseed: 3\noverrides: %s\n"
		 "topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
		 "options: [vrdma]\nflows:\n  - name: svc\n    between: {from: a, to: b}\n    transport: tcp\n"
		 "    qps: 2\n    workload: {verb: write_bw, sizes: [256KiB], iterations: 200}\n"
		 "  - name: probe\n    between: {from: a/0, to: b/0}\n"
		 "    workload: {verb: read_lat, sizes: [64B], iterations: 200}\n    load: {open_loop: 5000/s per qp}\n",
		 overrides);
	const char *file = write_test_file(dir, "shared-cores.yaml", text);
	tool_output o = run_tool((const char *[]){"run", file, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	return o;
}

START_TEST(services_on_the_guest_cores_delay_the_vms)
{
	tool_output own = run_beside_probe("{cpu.guest_cores: 1}");
	tool_output shared = run_beside_probe("{cpu.guest_cores: 1, cpu.hypervisor_cores: 0}");
	double own_p99 = flows_csv_cell(own.out, "group", "probe", FLOWS_COL_P99_US);
	double shared_p99 = flows_csv_cell(shared.out, "group", "probe", FLOWS_COL_P99_US);
	ck_assert_msg(shared_p99 > own_p99 + 20, "probe p99: %g us shared, %g us on cores of its own", shared_p99, own_p99);
	ck_assert_msg(strstr(own.out, "a hypervisor") != NULL, "%s", own.out);
	ck_assert_msg(strstr(shared.out, "a hypervisor") == NULL, "%s", shared.out);
	double pool = flows_csv_cell(shared.out, "server", "a guest cores", FLOWS_COL_UTILISATION);
	double service = flows_csv_cell(own.out, "server", "a hypervisor", FLOWS_COL_UTILISATION) *
			 2; /* the preset's 2 hypervisor cores against the pool's 1 */
	ck_assert_msg(pool >= 0.9 * service, "the pool carries %g, the service took %g of a core", pool, service);
	tool_output_free(&own);
	tool_output_free(&shared);
}
END_TEST

static Suite *services_suite(void)
{
	Suite *s = suite_create("services");
	TCase *tc = tcase_create("hypervisors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tcp_loads_the_hypervisor_cores_and_rdma_hardly);
	tcase_add_test(tc, services_on_the_guest_cores_delay_the_vms);
	tcase_add_test(tc, without_cpu_costs_tcp_and_rdma_are_bound_by_the_same_link);
	tcase_add_test(tc, a_transport_runs_alike_under_every_option);
	tcase_add_test(tc, vm_only_scenarios_have_no_hypervisor_server);
	tcase_add_test(tc, without_cpu_and_registration_costs_tcp_and_rdma_migrate_alike);
	tcase_add_test(tc, precopy_rounds_on_an_idle_fabric_match_the_hand_computation);
	tcase_add_test(tc, a_dirty_rate_above_the_link_does_not_converge);
	tcase_add_test(tc, the_migrated_vm_is_stopped_for_the_downtime);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(services_suite());
}
