/*
 * test_flows_pcie.c - the HCA's shared hardware in a many-flow run
 * (sim/flow_experiment.h): a host's PCIe link (models/pcie.h), where a
 * saturated direction delivers its payload capacity and read tags cap the
 * reads; the HCA's QP-context cache (models/cache.h), whose hit rate
 * follows the working set of the QPs; runs are deterministic.
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

static const char *write_scenario(const char *name, const char *text)
{
	return write_test_file(dir, name, text);
}

/* Eight streams of 64 KiB RDMA writes (128 in flight each) from host a to
 * host b, whose links run at 100 Gb/s: faster than QDR's PCIe Gen2 x8, so
 * the PCIe link is what fills, with EXTRA overrides. */
static tool_output run_streams(const char *name, const char *extra)
{
	static char text[1024];
	snprintf(text, sizeof text,
		 "scenario: pcie\npreset: esxi5-qdr-2012\nseed: 3\n%s"
		 "topology:\n  hosts:\n    - {name: a, vms: 8, link: {bandwidth: 100Gbps}}\n"
		 "    - {name: b, vms: 8, link: {bandwidth: 100Gbps}}\noptions: [native]\nflows:\n"
		 "  - name: s\n    between: {pairs: [a/0-7, b/0-7]}\n"
		 "    workload: {verb: write_bw, sizes: [64KiB], iterations: 400}\n",
		 extra);
	tool_output o = run_tool((const char *[]){"run", write_scenario(name, text), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	return o;
}

/* The preset's PCIe payload capacity: 3.71875 GB/s of TLP bytes, 256 B of
 * data in each 280 B write TLP or read completion: 3400 MB/s.  The sender's
 * downstream carries the payload's read completions (and the doorbells),
 * the receiver's upstream its writes: both fill, and the streams deliver
 * the capacity (less the doorbells' share, 0.2 %). */
START_TEST(a_saturated_pcie_direction_delivers_its_capacity)
{
	tool_output o = run_streams("sat.yaml", "");
	double capacity_mb_s = 3.71875e9 * 256.0 / 280.0 / 1e6;
	double mb_s = flows_csv_cell(o.out, "group", "s", FLOWS_COL_MB_PER_S);
	double up = flows_csv_cell(o.out, "server", "b pcie up", FLOWS_COL_UTILISATION);
	double down = flows_csv_cell(o.out, "server", "a pcie down", FLOWS_COL_UTILISATION);
	double link = flows_csv_cell(o.out, "server", "a uplink", FLOWS_COL_UTILISATION);
	printf("8 streams of 64 KiB: %.1f MB/s (PCIe payload capacity %.1f); b pcie up %.4f, a pcie down %.4f, a uplink %.4f\n",
	       mb_s, capacity_mb_s, up, down, link);
	ck_assert_double_eq_tol(mb_s, capacity_mb_s, 0.01 * capacity_mb_s);
	ck_assert_double_gt(up, 0.99);
	ck_assert_double_gt(down, 0.99);
	ck_assert_double_lt(link, 0.5);
	ck_assert_msg(strstr(o.out, "pcie") != NULL, "no PCIe server in %s", o.out);
	tool_output_free(&o);
}
END_TEST

/* One read tag: each 512 B read request holds it for the read latency
 * (560 ns), so the payload reads deliver 512 B per 560 ns, 914 MB/s,
 * whatever the link could do. */
START_TEST(read_tags_cap_the_reads)
{
	tool_output o = run_streams("tags.yaml", "overrides: {pcie.read_tags: 1}\n");
	double cap_mb_s = 512.0 / 560e-9 / 1e6;
	double mb_s = flows_csv_cell(o.out, "group", "s", FLOWS_COL_MB_PER_S);
	printf("one read tag: %.1f MB/s (cap %.1f)\n", mb_s, cap_mb_s);
	ck_assert_double_eq_tol(mb_s, cap_mb_s, 0.01 * cap_mb_s);
	tool_output_free(&o);
}
END_TEST

START_TEST(the_same_run_twice_gives_the_same_output)
{
	tool_output a = run_streams("a.yaml", ""), b = run_streams("b.yaml", "");
	ck_assert_uint_eq(a.out_len, b.out_len);
	ck_assert_msg(memcmp(a.out, b.out, a.out_len) == 0, "two runs differ");
	tool_output_free(&a);
	tool_output_free(&b);
}
END_TEST

/* Q QPs, ten per pair of VMs, each a native write ping-pong, all in
 * flight: the HCA of each host looks up a QP's context when its write
 * leaves and when the reply arrives.  On the preset's 256-entry LRU, 200
 * QPs miss only once each (warm-up); 300 cycle through it, so the first
 * lookup of every round trip misses and the second (the same QP again)
 * hits: half; on 1,024 entries they fit again.  Each miss reads the
 * context over the host's PCIe link: one more visit there per miss. */
START_TEST(the_qp_context_cache_follows_the_working_set)
{
	static const unsigned vms[] = {20, 30, 30};
	static const char *const entries[] = {"256", "256", "1024"};
	double misses[3], reads[3];
	for (int i = 0; i < 3; i++) {
		char text[1024];
		snprintf(text, sizeof text,
			 "scenario: qps\npreset: esxi5-qdr-2012\noverrides: {hca.qp_cache_entries: %s, cpu.guest_cores: 64}\n"
			 "topology:\n  hosts:\n    - {name: a, vms: %u}\n    - {name: b, vms: %u}\noptions: [native]\n"
			 "flows:\n  - name: qps\n    between: {pairs: [a/0-%u, b/0-%u]}\n    qps: 10\n"
			 "    workload: {verb: write_lat, sizes: [64B], iterations: 200}\n    service: fixed\n",
			 entries[i], vms[i], vms[i], vms[i] - 1, vms[i] - 1);
		tool_output o = run_tool((const char *[]){"run", write_scenario("qps.yaml", text), "--format", "csv", NULL});
		ck_assert_msg(o.status == 0, "%s", o.err);
		unsigned qps = 10 * vms[i];
		double lookups = flows_csv_cell(o.out, "cache", "a qp contexts", FLOWS_COL_LOOKUPS);
		misses[i] = round(lookups * (1 - flows_csv_cell(o.out, "cache", "a qp contexts", FLOWS_COL_HIT_RATE)));
		reads[i] = flows_csv_cell(o.out, "server", "a pcie down", FLOWS_COL_VISITS);
		printf("%u QPs on %s entries: %.0f lookups, %.0f misses on a's QP contexts, %.0f visits to a's PCIe down\n",
		       qps, entries[i], lookups, misses[i], reads[i]);
		ck_assert_double_eq(lookups, 2.0 * qps * 200);
		if (i == 1)
			ck_assert_double_le(fabs(misses[i] - lookups / 2), qps);   /* and the warm-up's */
		else
			ck_assert_double_eq(misses[i], qps);   /* the working set fits */
		tool_output_free(&o);
	}
	/* the same 300 QPs, thrashing 256 entries or fitting in 1024: a read per miss */
	ck_assert_double_eq(reads[1] - reads[2], misses[1] - misses[2]);
}
END_TEST

/* scenarios/qp-scaling.yaml: on the 2012 preset (256 QP contexts), native
 * messages miss nothing but the warm-up up to 256 QPs per host and miss
 * every time from 1,024 on, and the message rate falls; the 16,384-QP
 * phase posts and drains before the run ends. */
START_TEST(qp_scaling_shows_where_the_context_cache_misses)
{
	tool_output o = run_tool((const char *[]){"run", src_path("scenarios/qp-scaling.yaml"), "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	const char *native = strstr(o.out, "\"option\": \"native\"");
	ck_assert_ptr_nonnull(native);
	double per_op[3], rate[3];
	static const char *const groups[] = {"qps-256", "qps-1024", "qps-16384"};
	for (int i = 0; i < 3; i++) {
		char key[64];
		snprintf(key, sizeof key, "\"group\": \"%s\"", groups[i]);
		const char *at = strstr(native, key);
		ck_assert_ptr_nonnull(at);
		rate[i] = strtod(strstr(at, "\"ops_per_s\": ") + strlen("\"ops_per_s\": "), NULL);
		per_op[i] = strtod(strstr(at, "\"cache_misses_per_op\": ") + strlen("\"cache_misses_per_op\": "), NULL);
		printf("native, QDR, %s: %.0f messages/s, %.4f misses per message\n", groups[i], rate[i], per_op[i]);
	}
	ck_assert_double_lt(per_op[0], 0.1);
	ck_assert_double_gt(per_op[1], 2.0);   /* a QP context on each host, every message */
	ck_assert_double_gt(per_op[2], 3.9);   /* and the translations too */
	ck_assert_double_lt(rate[2], 0.9 * rate[0]);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flows_pcie");
	TCase *tc = tcase_create("pcie");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_saturated_pcie_direction_delivers_its_capacity);
	tcase_add_test(tc, read_tags_cap_the_reads);
	tcase_add_test(tc, the_same_run_twice_gives_the_same_output);
	tcase_add_test(tc, the_qp_context_cache_follows_the_working_set);
	tcase_add_test(tc, qp_scaling_shows_where_the_context_cache_misses);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
