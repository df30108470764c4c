/*
 * test_services.c - the hypervisors' own traffic in a flows scenario, end
 * to end: groups between hypervisors (`between: {from: HOST, to: HOST}`
 * with `transport:`) run on the host's hypervisor cores, the HCA, PCIe
 * and links; TCP loads those cores with its per-byte work where RDMA does
 * not; with TCP's CPU costs at zero both are bound by the same link; a
 * transport runs alike under every option; VM-only scenarios have no
 * hypervisor server.
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
static tool_output run_service(const char *preset, const char *options, const char *transport, const char *overrides)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: service\npreset: %s\nseed: 3\n%s%s%s"
		 "topology:\n  hosts:\n    - {name: a, vms: 2}\n    - {name: b, vms: 2}\n"
		 "options: [%s]\nflows:\n  - name: svc\n    between: {from: a, to: b}\n    transport: %s\n    qps: 2\n"
		 "    workload: {verb: write_bw, sizes: [256KiB], iterations: 300}\n",
		 preset, overrides[0] ? "overrides: " : "", overrides, overrides[0] ? "\n" : "", options, transport);
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

static Suite *services_suite(void)
{
	Suite *s = suite_create("services");
	TCase *tc = tcase_create("hypervisors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tcp_loads_the_hypervisor_cores_and_rdma_hardly);
	tcase_add_test(tc, without_cpu_costs_tcp_and_rdma_are_bound_by_the_same_link);
	tcase_add_test(tc, a_transport_runs_alike_under_every_option);
	tcase_add_test(tc, vm_only_scenarios_have_no_hypervisor_server);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(services_suite());
}
