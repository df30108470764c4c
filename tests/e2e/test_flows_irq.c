/*
 * test_flows_irq.c - event completions' interrupts in a many-flow run
 * (sim/flow_interrupts.h), through `vrdmasim run` and its CSV (rows of
 * kind irq: completions/s in ops_per_s, interrupts raised/s in
 * interrupts_per_s, the interrupts' VM exits/s in vm_exits_per_s), against
 * figures computed by hand:
 *  - Poisson completions at L on one VM's vector of moderation window T,
 *    the interrupt's own work made free: L / (1 + L T) interrupts/s;
 *  - delivery: the vCPU halted while its thread waited (one HLT exit per
 *    interrupt), and without posting the guest's EOI exits too;
 *  - vRDMA's backend: its work per interrupt is the re-arm's trap, its
 *    proxying per completion, so its busy time is linear in both.
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

/* QPS open-loop streams of 64 B RDMA writes at RATE per QP from a/0 to
 * b/0, a completion each (cq_moderation 1), by events, on OPTION over
 * DURATION with OVERRIDES; the CSV. */
static tool_output run_streams(const char *name, const char *option, unsigned qps, const char *rate,
			       const char *duration, const char *overrides)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "scenario: irq\npreset: esxi5-qdr-2012\nseed: 5\ncompletion: event\nduration: %s\n"
		 "overrides: {%s}\n"
		 "topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\noptions: [%s]\nflows:\n"
		 "  - name: s\n    between: {from: a/0, to: b/0}\n    qps: %u\n"
		 "    workload: {verb: write_bw, sizes: [64B], cq_moderation: 1, iterations: 1000000000}\n"
		 "    load: {open_loop: %s per qp}\n    service: fixed\n",
		 duration, overrides, option, qps, rate);
	tool_output o = run_tool((const char *[]){"run", write_test_file(dir, name, text), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	return o;
}

/* What the sender's handling of one interrupt costs, made free: the MSI
 * write, the idle core's C-state exit, the handlers, the wake-up and the
 * re-arm. */
#define FREE_HANDLING "pcie.write_latency: 0ns, cpu.idle_exit: 0ns, irq.handler: 0ns, irq.wakeup: 0ns, cpu.req_notify_cq: 0ns"

/* 4 QPs at 50,000/s each: L = 200,000 completions/s, 4 us window: L T =
 * 0.8, so 111,111 interrupts/s; without a window none coalesce (the
 * completions are apart: each op's vCPU work is well under 1 us).  The
 * completions are the arrivals shifted by a light queueing: near Poisson. */
START_TEST(completions_coalesce_as_l_over_one_plus_l_t)
{
	tool_output o = run_streams("window.yaml", "native", 4, "50000/s", "100ms",
				    "hca.interrupt_moderation: 4us, " FREE_HANDLING);
	double completions = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_OPS_PER_S);
	double raised = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_INTERRUPTS_PER_S);
	double want = completions / (1 + completions * 4e-6);
	printf("window 4 us: %.0f completions/s, %.0f interrupts/s (L/(1+LT) = %.0f)\n", completions, raised, want);
	ck_assert_double_eq_tol(completions, 200000, 0.03 * 200000);
	ck_assert_double_eq_tol(raised, want, 0.03 * want);
	tool_output_free(&o);

	o = run_streams("none.yaml", "native", 4, "50000/s", "100ms", "hca.interrupt_moderation: 0ns, " FREE_HANDLING);
	completions = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_OPS_PER_S);
	raised = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_INTERRUPTS_PER_S);
	ck_assert_double_eq_tol(raised, completions, 1e-9 * completions);
	tool_output_free(&o);
}
END_TEST

/* Passthrough: each interrupt finds the vCPU halted (its HLT exit);
 * without posting (the preset's Sandy Bridge) the EOI exits too.  The
 * receiver (b/0) takes no completion: no interrupt, no row of its own but
 * zeros. */
START_TEST(posted_interrupts_exit_once_injected_ones_twice)
{
	static const char *const posted[] = {"virt.posted_interrupts: 0", "virt.posted_interrupts: 1"};
	for (int p = 0; p < 2; p++) {
		tool_output o = run_streams("posted.yaml", "passthrough", 4, "50000/s", "20ms", posted[p]);
		double raised = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_INTERRUPTS_PER_S);
		double exits = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_VM_EXITS_PER_S);
		printf("%s: %.0f interrupts/s, %.0f exits/s from them\n", posted[p], raised, exits);
		ck_assert_double_gt(raised, 1000);
		ck_assert_double_eq_tol(exits, p ? raised : 2 * raised, 1e-6 * raised);
		ck_assert_double_eq_tol(flows_csv_cell(o.out, "irq", "b/0", FLOWS_COL_INTERRUPTS_PER_S), 0, 1e-12);
		/* passthrough's other stages exit never: the VM's exits are its interrupts' */
		ck_assert_double_eq_tol(flows_csv_cell(o.out, "vm", "a/0", FLOWS_COL_VM_EXITS_PER_S), exits, 1e-6 * raised + 1e-9);
		tool_output_free(&o);
	}
}
END_TEST

/* vRDMA with the backend's costs made round: a trap's dispatch 100 ns,
 * proxying a CQE 200 ns, the rest free.  Per completion the backend
 * dispatches the send's doorbell trap and proxies its CQE (300 ns); per
 * interrupt it dispatches the re-arm's trap (100 ns).  Its busy share is
 * 300 ns x completions/s + 100 ns x interrupts/s, its time per interrupt
 * 100 ns + 300 ns x the CQEs it carries, whatever the coalescing: more
 * QPs armed on the vector, more CQEs per interrupt. */
START_TEST(the_backends_work_is_per_completion_and_per_interrupt)
{
	static const unsigned qps[] = {1, 4, 16};
	double per_irq[3];
	for (int k = 0; k < 3; k++) {
		char rate[32];
		snprintf(rate, sizeof rate, "%u/s", 400000 / qps[k]);
		tool_output o = run_streams("backend.yaml", "vrdma", qps[k], rate, "20ms",
					    "virt.trap_dispatch: 100ns, vrdma.cqe_proxy: 200ns, vrdma.backend_cq_poll: 0ns, "
					    "vrdma.translate_wqe: 0ns, vrdma.translate_page: 0ns, cpu.post_send: 0ns");
		double completions = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_OPS_PER_S);
		double raised = flows_csv_cell(o.out, "irq", "a/0", FLOWS_COL_INTERRUPTS_PER_S);
		double busy = flows_csv_cell(o.out, "server", "a backend", FLOWS_COL_UTILISATION);
		double want = 300e-9 * completions + 100e-9 * raised;
		per_irq[k] = completions / raised;
		printf("vrdma, %u QPs: %.0f completions/s, %.0f interrupts/s (%.2f CQEs each), backend %.4f (want %.4f)\n",
		       qps[k], completions, raised, per_irq[k], busy, want);
		ck_assert_double_eq_tol(busy, want, 0.01 * want);
		tool_output_free(&o);
	}
	ck_assert_double_gt(per_irq[0], 1.0);   /* 400,000/s on one vector: some ride even on one QP */
}
END_TEST

/* Cell COLUMN of the CSV row PRESET,OPTION,irq,NAME; NaN if none. */
static double irq_cell(const char *csv, const char *preset, const char *option, const char *name, int column)
{
	char head[256];
	int n = snprintf(head, sizeof head, "%s,%s,irq,%s,", preset, option, name);
	for (const char *line = csv; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, head, (size_t)n) != 0)
			continue;
		const char *cell = line;
		for (int c = 0; c < column && cell; c++)
			cell = strchr(cell, ',') ? strchr(cell, ',') + 1 : NULL;
		return cell ? strtod(cell, NULL) : NAN;
	}
	return NAN;
}

/* scenarios/interrupts.yaml: the exits per interrupt are the options'
 * (the halted vCPU's HLT; the 2012 preset's EOI exit, the modern one
 * posts; vRDMA's re-arm traps once more), the top tier's completions are
 * its rate where its VM keeps up, more of them ride an interrupt than the
 * bottom tier's, every CSV row has the header's cells, and the text says
 * where interrupt handling saturates a vCPU. */
START_TEST(the_shipped_scenario_runs_and_counts_as_computed)
{
	static const char *const presets[] = {"esxi5-qdr-2012", "modern-hdr"};
	static const char *const options[] = {"sriov", "passthrough", "vrdma"};
	tool_output o = run_tool((const char *[]){"run", src_path("scenarios/interrupts.yaml"), "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	for (int p = 0; p < 2; p++)
		for (int k = 0; k < 3; k++) {
			int vrdma = k == 2;
			double exits_per_irq = 1 + (p == 0 ? 1 : 0) + (vrdma ? 1 : 0);
			double top = irq_cell(o.out, presets[p], options[k], "esx-a/12", FLOWS_COL_OPS_PER_S);
			double raised = irq_cell(o.out, presets[p], options[k], "esx-a/12", FLOWS_COL_INTERRUPTS_PER_S);
			double exits = irq_cell(o.out, presets[p], options[k], "esx-a/12", FLOWS_COL_VM_EXITS_PER_S);
			double low = irq_cell(o.out, presets[p], options[k], "esx-a/0", FLOWS_COL_INTERRUPTS_PER_S) /
				     irq_cell(o.out, presets[p], options[k], "esx-a/0", FLOWS_COL_OPS_PER_S);
			ck_assert_msg(raised > 0 && raised < top, "%s %s: %g interrupts/s for %g completions/s", presets[p],
				      options[k], raised, top);
			ck_assert_double_eq_tol(exits, exits_per_irq * raised, 1e-6 * raised);
			ck_assert_double_lt(raised / top, low);   /* the busier vector coalesces more */
			if (!vrdma)   /* 4,000 Poisson arrivals: within 5 % */
				ck_assert_double_eq_tol(top, 400000, 0.05 * 400000);
		}
	/* Every row, whatever its kind (group, vm, irq, server, cache,
	 * host), has the header's cells. */
	size_t header_cells = 1, cells = 1, rows = 0;
	const char *c = o.out;
	for (; *c && *c != '\n'; c++)
		header_cells += *c == ',';
	for (const char *row = ++c; *c; c++) {
		if (*c == ',')
			cells++;
		else if (*c == '\n') {
			ck_assert_msg(cells == header_cells, "%zu cells, header %zu: %.*s", cells, header_cells,
				      (int)(c - row < 200 ? c - row : 200), row);
			cells = 1;
			rows++;
			row = c + 1;
		}
	}
	ck_assert_uint_gt(rows, 500);
	tool_output_free(&o);
	o = run_tool((const char *[]){"run", src_path("scenarios/interrupts.yaml"), NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "interrupt handling is what saturates it"));
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flows interrupts");
	TCase *tc = tcase_create("interrupts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, completions_coalesce_as_l_over_one_plus_l_t);
	tcase_add_test(tc, posted_interrupts_exit_once_injected_ones_twice);
	tcase_add_test(tc, the_backends_work_is_per_completion_and_per_interrupt);
	tcase_add_test(tc, the_shipped_scenario_runs_and_counts_as_computed);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
