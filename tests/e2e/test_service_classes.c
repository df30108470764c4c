/*
 * test_service_classes.c - the hypervisor services' classes end to end
 * (docs/scenario-format.md, "Hypervisor services"): one replicated write
 * and one iSER read and write on an idle fabric against the sum of their
 * messages, each timed alone as the transport's plan (a hypervisors'
 * ping-pong group of that verb and size, which the engine times as the
 * plans say); a vSAN write waits for its slowest replica; FT's log
 * follows the input its primary receives; scenarios/vsan-neighbour.yaml
 * runs.  Every run has fixed service times (no jitter) on three idle hosts.
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

/* Run the groups GROUPS (YAML list items) on three hosts, esx-c's link
 * LINK_C (a rate, or "" for the preset's), under option native; the CSV. */
static tool_output run_groups(const char *preset, const char *link_c, const char *groups)
{
	char text[4096];
	snprintf(text, sizeof text,
		 "scenario: classes\npreset: %s\nseed: 5\ntopology:\n  hosts:\n    - {name: a, vms: 1}\n"
		 "    - {name: b, vms: 1}\n    - {name: c, vms: 1%s%s%s}\noptions: [native]\nflows:\n%s",
		 preset, link_c[0] ? ", link: {bandwidth: " : "", link_c, link_c[0] ? "}" : "", groups);
	const char *file = write_test_file(dir, "classes.yaml", text);
	tool_output o = run_tool((const char *[]){"run", file, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s%s", o.err, text);
	return o;
}

static double p50(const tool_output *o, const char *group)
{
	double v = flows_csv_cell(o->out, "group", group, FLOWS_COL_P50_US);
	ck_assert_msg(v > 0, "%s: %s", group, o->out);
	return v;
}

/* A hypervisors' ping-pong group NAME of VERB and SIZE between a and TO
 * over TRANSPORT starting at START: its p50 is one message's time alone
 * (half the round trip; a READ's whole). */
static void pingpong(char *buf, size_t len, const char *name, const char *to, const char *transport, const char *verb,
		     const char *size, const char *start)
{
	size_t n = strlen(buf);
	snprintf(buf + n, len - n,
		 "  - name: %s\n    between: {from: a, to: %s}\n    transport: %s\n    service: fixed\n    start: %s\n"
		 "    workload: {verb: %s, sizes: [%s], iterations: 200}\n",
		 name, to, transport, start, verb, size);
}

/* One replicated write to one replica is its data message and its
 * acknowledgement, each as the transport's plan times it alone. */
START_TEST(one_replicated_write_is_its_two_messages)
{
	static const char *const transports[] = {"rdma", "tcp"};
	for (int t = 0; t < 2; t++) {
		char groups[2048] = "";
		snprintf(groups, sizeof groups,
			 "  - name: write\n    transport: %s\n    service: fixed\n"
			 "    vsan: {from: a, replicas: [b], size: 4KiB, iterations: 200}\n", transports[t]);
		pingpong(groups, sizeof groups, "data", "b", transports[t], "send_lat", "4160B", "100ms");
		pingpong(groups, sizeof groups, "ack", "b", transports[t], "send_lat", "64B", "200ms");
		tool_output o = run_groups("esxi5-qdr-2012", "", groups);
		double expected = p50(&o, "data") + p50(&o, "ack"), got = p50(&o, "write");
		ck_assert_msg(fabs(got - expected) <= 0.01 * expected, "%s: write %g us, data + ack %g us", transports[t], got,
			      expected);
		tool_output_free(&o);
	}
}
END_TEST

/* iSER over RDMA: a read is the command SEND (60 B), the target's RDMA
 * WRITE of the data and the response SEND; a write the command, the
 * target's RDMA READ (request and data back) and the response. */
START_TEST(iser_read_and_write_are_their_messages)
{
	char groups[4096] = "";
	snprintf(groups, sizeof groups,
		 "  - name: reads\n    transport: rdma\n    service: fixed\n"
		 "    iser: {initiator: a, target: b, reads: 1, size: 16KiB, iterations: 200}\n"
		 "  - name: writes\n    transport: rdma\n    service: fixed\n    start: 100ms\n"
		 "    iser: {initiator: a, target: b, reads: 0, size: 16KiB, iterations: 200}\n");
	pingpong(groups, sizeof groups, "control", "b", "rdma", "send_lat", "60B", "200ms");
	pingpong(groups, sizeof groups, "data-write", "b", "rdma", "write_lat", "16KiB", "300ms");
	pingpong(groups, sizeof groups, "data-read", "b", "rdma", "read_lat", "16KiB", "400ms");
	tool_output o = run_groups("modern-hdr", "", groups);
	double control = p50(&o, "control");
	double read = 2 * control + p50(&o, "data-write"), write = 2 * control + p50(&o, "data-read");
	ck_assert_msg(fabs(p50(&o, "reads") - read) <= 0.01 * read, "read %g us against %g", p50(&o, "reads"), read);
	ck_assert_msg(fabs(p50(&o, "writes") - write) <= 0.01 * write, "write %g us against %g", p50(&o, "writes"), write);
	tool_output_free(&o);
}
END_TEST

/* iSCSI over TCP: a read of 16 KiB is the command PDU (48 B), two Data-In
 * PDUs (16,384 B and two 48 B headers) and the response PDU (48 B); a
 * write the command, an R2T, the Data-Out PDUs and the response. */
START_TEST(iscsi_read_and_write_are_their_pdus)
{
	char groups[4096] = "";
	snprintf(groups, sizeof groups,
		 "  - name: reads\n    transport: tcp\n    service: fixed\n"
		 "    iser: {initiator: a, target: b, reads: 1, size: 16KiB, iterations: 200}\n"
		 "  - name: writes\n    transport: tcp\n    service: fixed\n    start: 100ms\n"
		 "    iser: {initiator: a, target: b, reads: 0, size: 16KiB, iterations: 200}\n");
	pingpong(groups, sizeof groups, "pdu", "b", "tcp", "send_lat", "48B", "200ms");
	pingpong(groups, sizeof groups, "data", "b", "tcp", "send_lat", "16480B", "300ms");
	tool_output o = run_groups("esxi5-qdr-2012", "", groups);
	double pdu = p50(&o, "pdu"), data = p50(&o, "data");
	ck_assert_msg(fabs(p50(&o, "reads") - (2 * pdu + data)) <= 0.01 * (2 * pdu + data), "read %g us, pdu %g, data %g",
		      p50(&o, "reads"), pdu, data);
	ck_assert_msg(fabs(p50(&o, "writes") - (3 * pdu + data)) <= 0.01 * (3 * pdu + data), "write %g us, pdu %g, data %g",
		      p50(&o, "writes"), pdu, data);
	tool_output_free(&o);
}
END_TEST

/* All replicas must acknowledge: with esx-c's link four times slower, a
 * write to b and c takes at least as long as one to c alone, and less than
 * the two one after the other (the copies go out at once). */
START_TEST(a_write_waits_for_its_slowest_replica)
{
	const char *groups =
		"  - name: to-b\n    transport: rdma\n    service: fixed\n"
		"    vsan: {from: a, replicas: [b], size: 64KiB, iterations: 100}\n"
		"  - name: to-c\n    transport: rdma\n    service: fixed\n    start: 100ms\n"
		"    vsan: {from: a, replicas: [c], size: 64KiB, iterations: 100}\n"
		"  - name: to-both\n    transport: rdma\n    service: fixed\n    start: 200ms\n"
		"    vsan: {from: a, replicas: [b, c], size: 64KiB, iterations: 100}\n";
	tool_output o = run_groups("esxi5-qdr-2012", "8Gbps", groups);
	double b = p50(&o, "to-b"), c = p50(&o, "to-c"), both = p50(&o, "to-both");
	ck_assert_msg(c > 2 * b, "the slow replica: b %g us, c %g us", b, c);
	ck_assert_msg(both >= c * 0.999 && both < b + c, "both %g us, b %g, c %g", both, b, c);
	/* each write counts its data once, both replicas' legs once each */
	ck_assert_double_eq(flows_csv_cell(o.out, "group", "to-both", FLOWS_COL_OPS), 100);
	tool_output_free(&o);
}
END_TEST

/* FT's log follows the primary's input: 1.067 bytes of log per byte the
 * primary a/0 receives (from b/0), plus 179 B per 1 kHz tick; twice the
 * input, twice the input's share of the log. */
static double ft_rate(const char *rate, double *input_mb)
{
	char groups[1024];
	snprintf(groups, sizeof groups,
		 "  - name: web\n    between: {from: b/0, to: a/0}\n    workload: {verb: write_bw, sizes: [4KiB], iterations: 1000000}\n"
		 "    load: {open_loop: %s per qp}\n"
		 "  - name: ft\n    transport: rdma\n    ft: {primary: a/0, secondary: c, follows: web}\n"
		 "duration: 20ms\n", rate);
	tool_output o = run_groups("modern-hdr", "", groups);
	*input_mb = flows_csv_cell(o.out, "group", "web", FLOWS_COL_MB_PER_S);
	double log_mb = flows_csv_cell(o.out, "group", "ft", FLOWS_COL_MB_PER_S);
	tool_output_free(&o);
	return log_mb;
}

START_TEST(ft_log_follows_its_source_group)
{
	double in1, in2;
	double log1 = ft_rate("20k/s", &in1), log2 = ft_rate("40k/s", &in2);
	double ticks_mb = 179.0 * 1000 / (1024 * 1024);   /* MB = 2^20 B, as perftest */
	ck_assert_msg(in1 > 0 && fabs(log1 - (1.067 * in1 + ticks_mb)) <= 0.03 * log1, "input %g MB/s, log %g MB/s", in1, log1);
	ck_assert_msg(fabs(log2 - (1.067 * in2 + ticks_mb)) <= 0.03 * log2, "input %g MB/s, log %g MB/s", in2, log2);
	ck_assert_msg(log2 > 1.8 * log1, "log %g then %g MB/s", log1, log2);
}
END_TEST

/* The shipped scenario: every option and preset runs its five groups; the
 * replication's writes complete and the probe's tail does not shrink. */
START_TEST(vsan_neighbour_runs)
{
	tool_output o = run_tool((const char *[]){"run", src_path("scenarios/vsan-neighbour.yaml"), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	static const char *const rows[] = {"esxi5-qdr-2012,vrdma,group,vsan-rdma,", "modern-hdr,passthrough,group,vsan-tcp,",
					   "esxi5-qdr-2012,sriov,group,probe-vsan-tcp,", "modern-hdr,vrdma,server,esx-a hypervisor,"};
	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
		ck_assert_msg(strstr(o.out, rows[k]) != NULL, "%s missing", rows[k]);
	ck_assert_msg(flows_csv_cell(o.out, "group", "vsan-rdma", FLOWS_COL_OPS) > 400, "%s", o.out);
	ck_assert_msg(flows_csv_cell(o.out, "group", "probe-vsan-rdma", FLOWS_COL_P99_US) >=
			      flows_csv_cell(o.out, "group", "probe-alone", FLOWS_COL_P99_US),
		      "%s", o.out);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("service classes");
	TCase *tc = tcase_create("classes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, one_replicated_write_is_its_two_messages);
	tcase_add_test(tc, iser_read_and_write_are_their_messages);
	tcase_add_test(tc, iscsi_read_and_write_are_their_pdus);
	tcase_add_test(tc, a_write_waits_for_its_slowest_replica);
	tcase_add_test(tc, ft_log_follows_its_source_group);
	tcase_add_test(tc, vsan_neighbour_runs);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
