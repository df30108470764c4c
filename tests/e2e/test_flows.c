/*
 * test_flows.c - `vrdmasim run` of flows scenarios, end to end: the
 * shipped many-VM scenario reports every VM and a saturating backend;
 * per-VM throughput falls as VMs share one backend thread; one pair alone
 * matches the single-flow path; runs are deterministic; a size mix runs,
 * its bytes and latency those of its sizes; what the engine cannot run is
 * refused with exit 2 and no output file.
 */
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* N VMs per host, N ping-pong pairs of vRDMA write_lat 64 B. */
static const char *pairs_scenario(unsigned n)
{
	static char text[1024];
	snprintf(text, sizeof text,
		 "scenario: pairs\npreset: esxi5-qdr-2012\nseed: 5\n"
		 "topology:\n  hosts:\n    - {name: a, vms: %u}\n    - {name: b, vms: %u}\n"
		 "options: [vrdma]\nflows:\n  - name: pp\n    between: {pairs: [a/0-%u, b/0-%u]}\n"
		 "    workload: {verb: write_lat, sizes: [64B], iterations: 500}\n",
		 n, n, n - 1, n - 1);
	char name[32];
	snprintf(name, sizeof name, "pairs-%u.yaml", n);
	return write_scenario(name, text);
}

START_TEST(many_vms_reports_every_vm_and_a_saturating_backend)
{
	tool_output o = run_tool((const char *[]){"run", src_path("scenarios/many-vms.yaml"), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	size_t vms = 0;
	for (const char *p = o.out; (p = strstr(p, ",vm,")); p++)
		vms++;
	ck_assert_uint_eq(vms, 32);   /* 16 VMs on each of two hosts */
	for (unsigned v = 0; v < 16; v++) {
		char name[32];
		snprintf(name, sizeof name, "esx-a/%u", v);
		ck_assert_msg(flows_csv_cell(o.out, "vm", name, FLOWS_COL_OPS_PER_S) > 0, "%s posted nothing", name);
	}
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", src_path("scenarios/many-vms.yaml"), NULL});
	ck_assert_int_eq(o.status, 0);
	const char *sat = strstr(o.out, "saturates first: ");
	ck_assert_msg(sat && strncmp(sat + strlen("saturates first: esx-a "), "backend", 7) == 0, "%s", o.out);
	tool_output_free(&o);
}
END_TEST

/* One backend thread per host, about 1 us of it per round trip of 10 us: a
 * VM alone uses 18 % of it, and identical ping-pongs fall into step without
 * waiting until it saturates (near 6 VMs); beyond, every VM added takes its
 * share from the others. */
START_TEST(per_vm_throughput_falls_as_vms_share_the_backend)
{
	static const unsigned counts[] = {1, 8, 16};
	double per_vm[3], backend[3];
	for (size_t i = 0; i < 3; i++) {
		tool_output o = run_tool((const char *[]){"run", pairs_scenario(counts[i]), "--format", "csv", NULL});
		ck_assert_msg(o.status == 0, "%s", o.err);
		per_vm[i] = flows_csv_cell(o.out, "vm", "a/0", FLOWS_COL_OPS_PER_S);
		backend[i] = flows_csv_cell(o.out, "server", "a backend", FLOWS_COL_UTILISATION);
		tool_output_free(&o);
		ck_assert(per_vm[i] > 0 && backend[i] > 0);
	}
	for (size_t i = 1; i < 3; i++) {
		ck_assert_msg(per_vm[i] < 0.8 * per_vm[i - 1], "%u VMs: %g ops/s each, %u VMs: %g", counts[i - 1],
			      per_vm[i - 1], counts[i], per_vm[i]);
		ck_assert_msg(backend[i] > backend[i - 1], "backend utilisation %g then %g", backend[i - 1], backend[i]);
	}
	ck_assert_double_lt(backend[0], 0.5);
	ck_assert_double_gt(backend[2], 0.99);
	/* saturated: 16 VMs share what 8 had, to 1 % */
	ck_assert_double_eq_tol(per_vm[2] * 16, per_vm[1] * 8, 0.01 * per_vm[1] * 8);
}
END_TEST

/* 16 one-vCPU VMs per host running SoftRoCE in the guest (CPU-bound: a VM
 * alone keeps its vCPU about a third busy): on 16 cores each VM has its
 * own; on 4 they queue for the cores, which saturate, and each VM gets
 * less. */
START_TEST(vms_beyond_the_guest_cores_share_them)
{
	double per_vm[2];
	static const unsigned cores[] = {16, 4};
	for (size_t i = 0; i < 2; i++) {
		static char text[1024];
		snprintf(text, sizeof text,
			 "scenario: cores\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n"
			 "    - {name: a, vms: 16, cpu: {guest_cores: %u}}\n    - {name: b, vms: 16, cpu: {guest_cores: %u}}\n"
			 "options: [softroce-directpath]\nflows:\n  - name: pp\n    between: {pairs: [a/0-15, b/0-15]}\n"
			 "    workload: {verb: write_lat, sizes: [64B], iterations: 300}\n",
			 cores[i], cores[i]);
		tool_output o = run_tool((const char *[]){"run", write_scenario("cores.yaml", text), "--format", "csv", NULL});
		ck_assert_msg(o.status == 0, "%s", o.err);
		per_vm[i] = flows_csv_cell(o.out, "vm", "a/0", FLOWS_COL_OPS_PER_S);
		double own = flows_csv_cell(o.out, "server", "a/0 vcpu", FLOWS_COL_UTILISATION);
		double pool = flows_csv_cell(o.out, "server", "a guest cores", FLOWS_COL_UTILISATION);
		if (i == 0) {
			ck_assert(own > 0.2 && own < 0.5 && isnan(pool));
		} else {
			ck_assert(isnan(own) && pool > 0.99);
			ck_assert_ptr_nonnull(strstr(o.out, ",server,a guest cores,,,,,,,,4,"));
		}
		tool_output_free(&o);
	}
	printf("SoftRoCE, 16 VMs per host: %.0f round trips/s per VM on 16 cores, %.0f on 4\n", per_vm[0], per_vm[1]);
	ck_assert_double_lt(per_vm[1], 0.9 * per_vm[0]);
}
END_TEST

/* VM exits and interrupts per host: a vRDMA write ping-pong traps once per
 * round trip on each host (the doorbell of the write it posts) when it
 * polls; by event each message's completion adds an interrupt on the
 * sender's host, and its injection, end of interrupt and re-arm add exits.
 * Native traps never. */
START_TEST(vm_exits_and_interrupts_per_host)
{
	const char *poll = pairs_scenario(4);
	tool_output o = run_tool((const char *[]){"run", poll, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	double ops = flows_csv_cell(o.out, "group", "pp", FLOWS_COL_OPS_PER_S);
	ck_assert_double_gt(ops, 0);
	for (const char *const *host = (const char *const[]){"a", "b", NULL}; *host; host++) {
		ck_assert_double_eq_tol(flows_csv_cell(o.out, "host", *host, FLOWS_COL_VM_EXITS_PER_S), ops, 1e-3 * ops);
		ck_assert_double_eq(flows_csv_cell(o.out, "host", *host, FLOWS_COL_INTERRUPTS_PER_S), 0);
		/* the host's are its VMs' */
		double sum = 0;
		for (int v = 0; v < 4; v++) {
			char vm[8];
			snprintf(vm, sizeof vm, "%s/%d", *host, v);
			sum += flows_csv_cell(o.out, "vm", vm, FLOWS_COL_VM_EXITS_PER_S);
		}
		ck_assert_double_eq_tol(sum, ops, 1e-3 * ops);
	}
	tool_output_free(&o);

	static char text[1024];
	snprintf(text, sizeof text,
		 "scenario: pairs\npreset: esxi5-qdr-2012\ncompletion: event\n"
		 "topology:\n  hosts:\n    - {name: a, vms: 4}\n    - {name: b, vms: 4}\n"
		 "options: [vrdma, native]\nflows:\n  - name: pp\n    between: {pairs: [a/0-3, b/0-3]}\n"
		 "    workload: {verb: write_lat, sizes: [64B], iterations: 500}\n");
	o = run_tool((const char *[]){"run", write_scenario("event.yaml", text), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	/* native's rows follow vrdma's: read them from the first of them on */
	const char *native = strstr(o.out, ",native,");
	ck_assert_ptr_nonnull(native);
	double vrdma_ops = flows_csv_cell(o.out, "group", "pp", FLOWS_COL_OPS_PER_S);
	double vrdma_exits = flows_csv_cell(o.out, "host", "a", FLOWS_COL_VM_EXITS_PER_S);
	double vrdma_irqs = flows_csv_cell(o.out, "host", "a", FLOWS_COL_INTERRUPTS_PER_S);
	double native_exits = flows_csv_cell(native, "host", "a", FLOWS_COL_VM_EXITS_PER_S);
	printf("by event: vrdma %.0f round trips/s, host a %.0f exits/s, %.0f interrupts/s; native %.0f exits/s\n",
	       vrdma_ops, vrdma_exits, vrdma_irqs, native_exits);
	ck_assert_double_eq_tol(vrdma_irqs, vrdma_ops, 1e-3 * vrdma_ops);
	ck_assert_double_gt(vrdma_exits, 2 * vrdma_ops);
	ck_assert_double_eq(native_exits, 0);
	tool_output_free(&o);
}
END_TEST

/* One pair alone on idle hardware: the many-flow engine's one-way latency
 * is the single-flow path's median (the engine has no jitter). */
START_TEST(one_pair_matches_the_single_flow_path)
{
	static const char *const verbs[] = {"write_lat", "send_lat", "read_lat"};
	for (size_t v = 0; v < 3; v++) {
		char flows[768], classic[768];
		const char *head = "preset: esxi5-qdr-2012\nseed: 5\n"
				   "topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\noptions: [vrdma]\n";
		snprintf(flows, sizeof flows, "scenario: f\n%sflows:\n  - name: one\n    between: {from: a/0, to: b/0}\n"
			 "    workload: {verb: %s, sizes: [64B], iterations: 200}\n", head, verbs[v]);
		snprintf(classic, sizeof classic, "scenario: c\n%sworkload: {verb: %s, sizes: [64B], iterations: 2000}\n",
			 head, verbs[v]);
		tool_output f = run_tool((const char *[]){"run", write_scenario("f.yaml", flows), "--format", "csv", NULL});
		tool_output c = run_tool((const char *[]){"run", write_scenario("c.yaml", classic), "--format", "csv", NULL});
		ck_assert_msg(f.status == 0 && c.status == 0, "%s%s", f.err, c.err);
		double engine_us = flows_csv_cell(f.out, "group", "one", FLOWS_COL_P50_US);
		double median_us = csv_value(c.out, "esxi5-qdr-2012", "vrdma", "64", "median_us");
		ck_assert_msg(fabs(engine_us - median_us) <= 0.05 * median_us, "%s: flows %g us, single flow %g us",
			      verbs[v], engine_us, median_us);
		tool_output_free(&f);
		tool_output_free(&c);
	}
}
END_TEST

/* One pair alone at any size: a message streams through its links as
 * the single-flow model has it (each link starts on its first packets,
 * its serialization counted once at the slowest), and its pages' misses
 * hide behind its packets as the single-flow pipeline hides them; so the
 * engine's one-way latency is the single-flow median within a few per
 * cent, from one packet to 1 MiB (512 packets of 2 KiB, 256 pages that
 * outnumber the IOTLB) on both presets.  (Before, a message crossed each
 * link whole in turn: 1 MiB took 4 times its single-flow time.)  What is
 * left apart is the PCIe model's (models/pcie.h: TLPs and read tags). */
START_TEST(one_pair_of_any_size_matches_the_single_flow_model)
{
	static const char *const sizes[] = {"2", "4096", "65536", "1048576"};
	static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	static const char *const options[] = {"native", "passthrough", "sriov", "vrdma"};
	const char *head = "preset: [esxi5-qdr-2012, modern-hdr]\nseed: 5\n"
			   "topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
			   "options: [native, passthrough, sriov, vrdma]\n";
	char classic[768];
	snprintf(classic, sizeof classic, "scenario: c\n%sworkload: {verb: write_lat, sizes: [2B, 4KiB, 64KiB, 1MiB], "
		 "iterations: 300}\n", head);
	tool_output c = run_tool((const char *[]){"run", write_scenario("c.yaml", classic), "--format", "csv", NULL});
	ck_assert_msg(c.status == 0, "%s", c.err);
	for (size_t k = 0; k < 4; k++) {
		char flows[768];
		snprintf(flows, sizeof flows, "scenario: f\n%sflows:\n  - name: one\n    between: {from: a/0, to: b/0}\n"
			 "    workload: {verb: write_lat, sizes: [%sB], iterations: 100}\n", head, sizes[k]);
		tool_output f = run_tool((const char *[]){"run", write_scenario("f.yaml", flows), "--format", "csv", NULL});
		ck_assert_msg(f.status == 0, "%s", f.err);
		for (size_t p = 0; p < 2; p++)
			for (size_t o = 0; o < 4; o++) {
				char row[128];
				snprintf(row, sizeof row, "\n%s,%s,group,one,", presets[p], options[o]);
				const char *line = strstr(f.out, row);
				ck_assert_msg(line != NULL, "no row %s", row + 1);
				double engine_us = flows_csv_cell(line + 1, "group", "one", FLOWS_COL_P50_US);
				double median_us = csv_value(c.out, presets[p], options[o], sizes[k], "median_us");
				ck_assert_msg(fabs(engine_us - median_us) <= 0.05 * median_us,
					      "%s %s %s B: flows %g us, single flow %g us", presets[p], options[o], sizes[k],
					      engine_us, median_us);
			}
		tool_output_free(&f);
	}
	tool_output_free(&c);
}
END_TEST

/* A stream's batching: a post list of L requests traps once (vRDMA's
 * doorbell), and by event a completion comes every cq_moderation
 * requests; the backend's completion proxying shrinks with it too.  A
 * completion per request reaches the VM's interrupt vector and rides an
 * interrupt already raised when there is one (flow_interrupts.h): one
 * interrupt (the virtual one) per interrupt raised, and per request a
 * doorbell's exit, per interrupt three (injection, EOI, the re-arm's
 * trap).  A completion every 100 requests keeps its share per request. */
START_TEST(post_lists_and_completion_moderation_share_their_work)
{
	double ops[2], exits[2], irqs[2], backend[2];
	static const unsigned post_list[] = {1, 4}, moderation[] = {1, 100};
	for (size_t i = 0; i < 2; i++) {
		static char text[1024];
		snprintf(text, sizeof text,
			 "scenario: bw\npreset: esxi5-qdr-2012\ncompletion: event\ntopology:\n  hosts:\n"
			 "    - {name: a, vms: 1}\n    - {name: b, vms: 1}\noptions: [vrdma]\nflows:\n  - name: s\n"
			 "    between: {from: a/0, to: b/0}\n"
			 "    workload: {verb: write_bw, sizes: [4KiB], iterations: 20000, post_list: %u, cq_moderation: %u}\n",
			 post_list[i], moderation[i]);
		tool_output o = run_tool((const char *[]){"run", write_scenario("bw.yaml", text), "--format", "csv", NULL});
		ck_assert_msg(o.status == 0, "%s", o.err);
		ops[i] = flows_csv_cell(o.out, "group", "s", FLOWS_COL_OPS_PER_S);
		exits[i] = flows_csv_cell(o.out, "host", "a", FLOWS_COL_VM_EXITS_PER_S);
		irqs[i] = flows_csv_cell(o.out, "host", "a", FLOWS_COL_INTERRUPTS_PER_S);
		backend[i] = flows_csv_cell(o.out, "server", "a backend", FLOWS_COL_UTILISATION);
		double completions = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_OPS_PER_S);
		double raised = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_INTERRUPTS_PER_S);
		tool_output_free(&o);
		printf("post list %u, a completion every %u: %.0f ops/s, %.0f exits/s, %.0f interrupts/s, backend %.3f\n",
		       post_list[i], moderation[i], ops[i], exits[i], irqs[i], backend[i]);
		if (moderation[i] > 1) {
			ck_assert_double_eq_tol(irqs[i], ops[i] / moderation[i], 1e-3 * ops[i] / moderation[i]);
			continue;
		}
		ck_assert_double_eq_tol(completions, ops[i], 1e-6 * ops[i]);
		ck_assert_double_eq_tol(irqs[i], raised, 1e-6 * ops[i]);
		ck_assert_double_lt(raised, 0.5 * completions);   /* 128 in flight: they coalesce */
		ck_assert_double_eq_tol(exits[i], ops[i] + 3 * raised, 1e-6 * ops[i]);
	}
	ck_assert_double_lt(exits[1], 0.3 * ops[1]); /* a quarter, and the completion's per 100 */
	/* with the interrupts coalesced the vCPU no longer sets the rate: both
	 * fill the PCIe link (4 KiB x 810,000/s); batching frees the backend */
	ck_assert_double_ge(ops[1], 0.99 * ops[0]);
	ck_assert_double_lt(backend[1], 0.5 * backend[0]);
}
END_TEST

/* A latency probe beside four streams of 64 KiB writes (128 in flight
 * each) on the same hosts: a link and a PCIe direction interleave packets
 * of each QP, and a QP's messages go in order, so the probe waits for a
 * packet of each stream (about 0.5 us each on QDR) at each of the four it
 * crosses (a's PCIe down and uplink, b's downlink and PCIe up), not for
 * 512 messages of 16 us; the streams still fill the slowest: on QDR the
 * PCIe Gen2 x8 link (3.4 GB/s of payload) before the wire (4 GB/s). */
START_TEST(a_probe_waits_for_packets_not_messages)
{
	const char *path = write_scenario("probe.yaml",
		"scenario: probe\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n    - {name: a, vms: 5}\n"
		"    - {name: b, vms: 5}\noptions: [sriov]\nflows:\n  - name: probe\n    between: {from: a/0, to: b/0}\n"
		"    workload: {verb: write_lat, sizes: [64B], iterations: 2000}\n  - name: hogs\n"
		"    between: {pairs: [a/1-4, b/1-4]}\n    workload: {verb: write_bw, sizes: [64KiB], iterations: 2000}\n");
	tool_output o = run_tool((const char *[]){"run", path, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	double p99_us = flows_csv_cell(o.out, "group", "probe", FLOWS_COL_P99_US);
	double p50_us = flows_csv_cell(o.out, "group", "probe", FLOWS_COL_P50_US);
	double link = flows_csv_cell(o.out, "server", "a pcie down", FLOWS_COL_UTILISATION);
	printf("probe beside 4 streams: p50 %.3f us, p99 %.3f us; a pcie down %.4f busy\n", p50_us, p99_us, link);
	ck_assert_double_lt(p99_us, 8);
	ck_assert_double_gt(p50_us, 1.342);   /* alone: 1.342 us */
	/* the probe's VM posts only the probe: the same latency, per VM */
	ck_assert_double_eq_tol(flows_csv_cell(o.out, "vm", "a/0", FLOWS_COL_P50_US), p50_us, 0.01 * p50_us);
	ck_assert(isnan(flows_csv_cell(o.out, "vm", "b/0", FLOWS_COL_P50_US)));
	ck_assert_double_gt(link, 0.99);
	tool_output_free(&o);
}
END_TEST

/* vrdma, sriov and softroce-pvnic name their counterparts inside one host
 * (`same_host:`): a pair of VMs of one host in a flows run takes that
 * option's path, and matches its single-flow median.  softroce-pvnic's
 * ACKs and replies both pass the host's vNIC backend: on one backend
 * thread they queue behind each other, which the single-flow model leaves
 * out, so the comparison gives it two. */
START_TEST(a_pair_inside_one_host_takes_the_local_counterpart)
{
	static const char *const options[][2] = {
		{"vrdma", "vrdma-local"}, {"sriov", "sriov-local"}, {"softroce-pvnic", "softroce-pvnic-local"}};
	for (size_t i = 0; i < 3; i++) {
		char flows[768], classic[768];
		snprintf(flows, sizeof flows,
			 "scenario: f\npreset: esxi5-qdr-2012\noverrides: {vrdma.backend_threads: 2}\ntopology:\n  hosts:\n"
			 "    - {name: a, vms: 2}\n    - {name: b, vms: 1}\noptions: [%s]\nflows:\n  - name: one\n"
			 "    between: {from: a/0, to: a/1}\n    workload: {verb: write_lat, sizes: [64B], iterations: 200}\n",
			 options[i][0]);
		snprintf(classic, sizeof classic,
			 "scenario: c\npreset: esxi5-qdr-2012\ntopology:\n  hosts:\n    - {name: a, vms: 2}\n"
			 "options: [%s]\nworkload: {verb: write_lat, sizes: [64B], iterations: 2000}\n",
			 options[i][1]);
		tool_output f = run_tool((const char *[]){"run", write_scenario("f.yaml", flows), "--format", "csv", NULL});
		tool_output c = run_tool((const char *[]){"run", write_scenario("c.yaml", classic), "--format", "csv", NULL});
		ck_assert_msg(f.status == 0 && c.status == 0, "%s%s", f.err, c.err);
		double engine_us = flows_csv_cell(f.out, "group", "one", FLOWS_COL_P50_US);
		double median_us = csv_value(c.out, "esxi5-qdr-2012", options[i][1], "64", "median_us");
		printf("%s inside one host: flows %.3f us, %s alone %.3f us\n", options[i][0], engine_us, options[i][1],
		       median_us);
		ck_assert_msg(fabs(engine_us - median_us) <= 0.05 * median_us, "%s: flows %g us, %s %g us", options[i][0],
			      engine_us, options[i][1], median_us);
		/* nothing crosses the fabric */
		ck_assert_double_eq(flows_csv_cell(f.out, "server", "a uplink", FLOWS_COL_UTILISATION), 0);
		tool_output_free(&f);
		tool_output_free(&c);
	}
}
END_TEST

/* Every bad flows scenario of tests/bad-input (flows-*, duration-*,
 * host-*), given to `vrdmasim run --out`: exit 2, its located message on
 * stderr (the file's `# expect:` line), and no output file. */
START_TEST(bad_flow_scenarios_exit_2_and_write_nothing)
{
	const char *dir_path = src_path("tests/bad-input");
	char dir_copy[1024];
	snprintf(dir_copy, sizeof dir_copy, "%s", dir_path);
	DIR *d = opendir(dir_copy);
	ck_assert_ptr_nonnull(d);
	struct dirent *entry;
	unsigned cases = 0;
	while ((entry = readdir(d))) {
		const char *n = entry->d_name;
		if ((strncmp(n, "flows-", 6) && strncmp(n, "duration-", 9) && strncmp(n, "host-", 5)) ||
		    !strstr(n, ".yaml"))
			continue;
		char path[1400], out[1400], expect[1024] = "";
		snprintf(path, sizeof path, "%s/%s", dir_copy, n);
		snprintf(out, sizeof out, "%s/out.json", dir);
		FILE *f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(expect, sizeof expect, f));
		fclose(f);
		ck_assert_msg(strncmp(expect, "# expect: ", 10) == 0, "%s has no expect line", n);
		memmove(expect, expect + 10, strlen(expect + 10) + 1);
		expect[strcspn(expect, "\r\n")] = '\0';
		tool_output o = run_tool((const char *[]){"run", path, "--format", "json", "--out", out, NULL});
		ck_assert_msg(o.status == 2, "%s: exit %d, expected 2", n, o.status);
		ck_assert_msg(strstr(o.err, expect) != NULL, "%s: stderr '%s', expected '%s'", n, o.err, expect);
		ck_assert_msg(access(out, F_OK) != 0, "%s: an output file was written", n);
		tool_output_free(&o);
		cases++;
	}
	closedir(d);
	printf("%u bad flows scenarios refused by vrdmasim run\n", cases);
	ck_assert_uint_ge(cases, 35);
}
END_TEST

/* `service: jitter` (the default) draws each software stage as the
 * single-flow model does (lognormal, the preset's jitter.cpu_cv): one vRDMA
 * pair alone spreads as a single-flow run does, to its p99 (the rarer
 * interference of the single-flow model shows beyond); `service: fixed`
 * does not spread at all. */
START_TEST(jitter_spreads_one_pair_as_the_single_flow_model)
{
	const char *head = "preset: esxi5-qdr-2012\nseed: 5\ntopology:\n  hosts:\n    - {name: a, vms: 1}\n"
			   "    - {name: b, vms: 1}\noptions: [vrdma]\n";
	char flows[768], fixed[768], classic[768];
	const char *pair = "flows:\n  - name: one\n    between: {from: a/0, to: b/0}\n"
			   "    workload: {verb: write_lat, sizes: [64B], iterations: 20000}\n";
	snprintf(flows, sizeof flows, "scenario: f\n%s%s", head, pair);
	snprintf(fixed, sizeof fixed, "scenario: x\n%s%s    service: fixed\n", head, pair);
	snprintf(classic, sizeof classic, "scenario: c\n%sworkload: {verb: write_lat, sizes: [64B], iterations: 20000}\n",
		 head);
	tool_output f = run_tool((const char *[]){"run", write_scenario("f.yaml", flows), "--format", "csv", NULL});
	tool_output x = run_tool((const char *[]){"run", write_scenario("x.yaml", fixed), "--format", "csv", NULL});
	tool_output c = run_tool((const char *[]){"run", write_scenario("c.yaml", classic), "--format", "csv", NULL});
	ck_assert_msg(f.status == 0 && x.status == 0 && c.status == 0, "%s%s%s", f.err, x.err, c.err);
	double p50 = flows_csv_cell(f.out, "group", "one", FLOWS_COL_P50_US), p99 = flows_csv_cell(f.out, "group", "one", FLOWS_COL_P99_US);
	double median = csv_value(c.out, "esxi5-qdr-2012", "vrdma", "64", "median_us");
	double classic_p99 = csv_value(c.out, "esxi5-qdr-2012", "vrdma", "64", "p99_us");
	printf("one vRDMA pair: flows p50 %.3f p99 %.3f us, single flow median %.3f p99 %.3f us\n", p50, p99, median,
	       classic_p99);
	ck_assert_double_eq_tol(p50, median, 0.005 * median);
	ck_assert_double_eq_tol(p99 - p50, classic_p99 - median, 0.25 * (classic_p99 - median));
	ck_assert_double_eq(flows_csv_cell(x.out, "group", "one", FLOWS_COL_P99_US), flows_csv_cell(x.out, "group", "one", FLOWS_COL_P50_US));
	tool_output_free(&f);
	tool_output_free(&x);
	tool_output_free(&c);
}
END_TEST

/* scenarios/noisy-neighbour.yaml: for every option and preset the probe's
 * tail (p99) is longer beside its neighbours than alone (it started before
 * them: `start:`), and the neighbours stream. */
START_TEST(the_noisy_neighbour_slows_the_probe)
{
	tool_output o = run_tool((const char *[]){"run", src_path("scenarios/noisy-neighbour.yaml"), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	unsigned blocks = 0;
	for (const char *at = strstr(o.out, ",group,probe-alone,"); at; at = strstr(at + 1, ",group,probe-alone,")) {
		const char *line = at;
		while (line > o.out && line[-1] != '\n')
			line--;
		double alone = flows_csv_cell(line, "group", "probe-alone", FLOWS_COL_P99_US);
		double beside = flows_csv_cell(line, "group", "probe-beside", FLOWS_COL_P99_US);
		double streams = flows_csv_cell(line, "group", "neighbours", FLOWS_COL_MB_PER_S);
		ck_assert_msg(beside > 1.2 * alone && streams > 1000, "block %u: alone %g us, beside %g us, %g MB/s", blocks,
			      alone, beside, streams);
		blocks++;
	}
	ck_assert_uint_eq(blocks, 6);   /* 2 presets x 3 options */
	tool_output_free(&o);
}
END_TEST

START_TEST(same_output_twice)
{
	for (int format = 0; format < 3; format++) {
		const char *name = format == 0 ? "text" : format == 1 ? "json" : "csv";
		const char *args[] = {"run", src_path("scenarios/many-vms.yaml"), "--format", name, NULL};
		tool_output a = run_tool(args), b = run_tool(args);
		ck_assert_int_eq(a.status, 0);
		ck_assert_int_eq(b.status, 0);
		ck_assert_uint_eq(a.out_len, b.out_len);
		ck_assert_msg(memcmp(a.out, b.out, a.out_len) == 0, "%s output differs between two runs", name);
		tool_output_free(&a);
		tool_output_free(&b);
	}
}
END_TEST

/* The events the engine handled (make bench's events/s), in JSON and text:
 * one pair in a closed loop spends the same events on every round trip, so
 * twice the iterations is twice the events. */
static unsigned long long json_events(const char *scenario, const char *iterations)
{
	tool_output o = run_tool((const char *[]){"run", scenario, "--iterations", iterations, "--format", "json", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	const char *at = strstr(o.out, "\"events\": ");
	ck_assert_msg(at != NULL, "no events in %s", o.out);
	unsigned long long events = strtoull(at + strlen("\"events\": "), NULL, 10);
	tool_output_free(&o);
	return events;
}

START_TEST(events_are_reported_per_run)
{
	const char *path = pairs_scenario(1);
	unsigned long long events = json_events(path, "100");
	ck_assert_msg(events > 0, "no events reported");
	ck_assert_uint_eq(json_events(path, "200"), 2 * events);
	tool_output o = run_tool((const char *[]){"run", path, "--iterations", "100", NULL});
	ck_assert_int_eq(o.status, 0);
	char text[64];
	snprintf(text, sizeof text, "| %llu events\n", events);
	ck_assert_msg(strstr(o.out, text), "no '%s' in %s", text, o.out);
	tool_output_free(&o);
}
END_TEST

/* The group of a two-host scenario with VMs a/0-1 and b/0-1 whose flow
 * groups are GROUPS (YAML, indented as list items of `flows:`). */
static const char *flows_scenario(const char *name, const char *groups)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: mix\npreset: esxi5-qdr-2012\nseed: 5\n"
		 "topology:\n  hosts:\n    - {name: a, vms: 2}\n    - {name: b, vms: 2}\noptions: [vrdma]\nflows:\n%s",
		 groups);
	return write_scenario(name, text);
}

/* |X - MEAN| within 5 standard deviations SIGMA. */
static int within_5_sigma(double x, double mean, double sigma)
{
	return fabs(x - mean) <= 5 * sigma;
}

/* A size mix runs beside a single-size group, the same twice: every
 * operation is counted, and the bytes per operation (MB/s over ops/s) are the mix's mean size
 * within the binomial spread of the 64 KiB draws (p = 0.1 of N). */
START_TEST(a_size_mix_runs_end_to_end)
{
	enum { N = 20000 };
	char groups[512];
	snprintf(groups, sizeof groups,
		 "  - name: ok\n    between: {from: a/0, to: b/0}\n    workload: {verb: write_lat, sizes: [64B], iterations: 10}\n"
		 "  - name: mixed\n    between: {from: a/1, to: b/1}\n"
		 "    workload: {verb: write_bw, size_mix: {64B: 9, 64KiB: 1}, iterations: %d}\n",
		 N);
	const char *path = flows_scenario("mix.yaml", groups);
	char out[1200];
	snprintf(out, sizeof out, "%s/out.csv", dir);
	tool_output o = run_tool((const char *[]){"run", path, "--format", "csv", "--out", out, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", path, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	/* The draws are seeded: the file of the first run is this run's output. */
	char written[8192] = "";
	FILE *f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(written, 1, sizeof written - 1, f);
	fclose(f);
	ck_assert_uint_eq(n, o.out_len);
	ck_assert_int_eq(memcmp(written, o.out, n), 0);
	ck_assert_double_eq(flows_csv_cell(o.out, "group", "mixed", FLOWS_COL_OPS), N);
	ck_assert_double_eq(flows_csv_cell(o.out, "group", "ok", FLOWS_COL_OPS), 10);
	double bytes_per_op = flows_csv_cell(o.out, "group", "mixed", FLOWS_COL_MB_PER_S) * 1e6 /
			      flows_csv_cell(o.out, "group", "mixed", FLOWS_COL_OPS_PER_S);
	double mean = 0.9 * 64 + 0.1 * 65536, sigma = (65536 - 64) * sqrt(0.1 * 0.9 / N);
	printf("size mix 64B:9 64KiB:1: %.1f bytes per operation, expected %.1f +- %.1f\n", bytes_per_op, mean, sigma);
	ck_assert_msg(within_5_sigma(bytes_per_op, mean, sigma), "%g bytes per operation, expected %g", bytes_per_op,
		      mean);
	ck_assert_double_eq_tol(flows_csv_cell(o.out, "vm", "a/1", FLOWS_COL_MB_PER_S), flows_csv_cell(o.out, "group", "mixed", FLOWS_COL_MB_PER_S),
				1e-6);
	tool_output_free(&o);
}
END_TEST

/* Ping-pong alone on a pair (window 1: nothing queues).  A run's mean
 * round trip is 1 / (ops/s): the operations follow each other from time 0.
 * A 50/50 mix's lies between the two sizes' alone, within the binomial
 * spread of their weighted mean; its p99 is the large size's latency,
 * halved as a single size's is (the group's latency scale holds). */
START_TEST(a_mix_latency_lies_between_its_sizes)
{
	enum { N = 4000 };
	static const char *const workloads[] = {"sizes: [64B]", "sizes: [64KiB]", "size_mix: {64B: 1, 64KiB: 1}"};
	double round_trip_us[3], p50_us[3], p99_us[3];
	for (int i = 0; i < 3; i++) {
		char groups[512], name[32];
		snprintf(groups, sizeof groups,
			 "  - name: pp\n    between: {from: a/0, to: b/0}\n    workload: {verb: write_lat, %s, iterations: %d}\n",
			 workloads[i], N);
		snprintf(name, sizeof name, "lat-%d.yaml", i);
		tool_output o = run_tool((const char *[]){"run", flows_scenario(name, groups), "--format", "csv", NULL});
		ck_assert_msg(o.status == 0, "%s", o.err);
		round_trip_us[i] = 1e6 / flows_csv_cell(o.out, "group", "pp", FLOWS_COL_OPS_PER_S);
		p50_us[i] = flows_csv_cell(o.out, "group", "pp", FLOWS_COL_P50_US);
		p99_us[i] = flows_csv_cell(o.out, "group", "pp", FLOWS_COL_P99_US);
		tool_output_free(&o);
	}
	double small = round_trip_us[0], large = round_trip_us[1], mix = round_trip_us[2];
	double mean = (small + large) / 2, sigma = (large - small) * 0.5 / sqrt(N);
	printf("mean round trip: 64B %.3f us, 64KiB %.3f us, 50/50 mix %.3f us (expected %.3f +- %.3f)\n", small, large,
	       mix, mean, sigma);
	ck_assert_msg(small < mix && mix < large, "mix %g us outside [%g, %g]", mix, small, large);
	ck_assert_msg(within_5_sigma(mix, mean, sigma), "mix %g us, expected %g +- %g", mix, mean, sigma);
	/* One-way latency is half the round trip, for each size alone and in the mix. */
	ck_assert_double_eq_tol(p50_us[0], small / 2, 0.005 * small);
	ck_assert_double_eq_tol(p50_us[1], large / 2, 0.005 * large);
	ck_assert_double_eq_tol(p99_us[2], p50_us[1], 0.005 * p50_us[1]);
}
END_TEST

/* `sizes:` with several sizes is a sweep elsewhere; in a flow group it
 * stays refused (a mix is spelled size_mix): exit 2, located, nothing
 * written. */
START_TEST(a_list_of_sizes_in_a_flow_group_is_refused)
{
	const char *path = flows_scenario("sweep.yaml",
		"  - name: ok\n    between: {from: a/0, to: b/0}\n    workload: {verb: write_lat, sizes: [64B], iterations: 10}\n"
		"  - name: swept\n    between: {from: a/1, to: b/1}\n"
		"    workload: {verb: write_bw, sizes: [64B, 64KiB], iterations: 10}\n");
	char out[1200];
	snprintf(out, sizeof out, "%s/out.json", dir);
	tool_output o = run_tool((const char *[]){"run", path, "--format", "json", "--out", out, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "sweep.yaml:15:39: found 2 sizes in a flow's workload, expected one size"), "%s",
		      o.err);
	ck_assert_int_ne(access(out, F_OK), 0);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flows");
	TCase *tc = tcase_create("end_to_end");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, many_vms_reports_every_vm_and_a_saturating_backend);
	tcase_add_test(tc, per_vm_throughput_falls_as_vms_share_the_backend);
	tcase_add_test(tc, vm_exits_and_interrupts_per_host);
	tcase_add_test(tc, vms_beyond_the_guest_cores_share_them);
	tcase_add_test(tc, one_pair_matches_the_single_flow_path);
	tcase_add_test(tc, one_pair_of_any_size_matches_the_single_flow_model);
	tcase_add_test(tc, a_pair_inside_one_host_takes_the_local_counterpart);
	tcase_add_test(tc, post_lists_and_completion_moderation_share_their_work);
	tcase_add_test(tc, a_probe_waits_for_packets_not_messages);
	tcase_add_test(tc, bad_flow_scenarios_exit_2_and_write_nothing);
	tcase_add_test(tc, jitter_spreads_one_pair_as_the_single_flow_model);
	tcase_add_test(tc, the_noisy_neighbour_slows_the_probe);
	tcase_add_test(tc, same_output_twice);
	tcase_add_test(tc, events_are_reported_per_run);
	tcase_add_test(tc, a_size_mix_runs_end_to_end);
	tcase_add_test(tc, a_mix_latency_lies_between_its_sizes);
	tcase_add_test(tc, a_list_of_sizes_in_a_flow_group_is_refused);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
