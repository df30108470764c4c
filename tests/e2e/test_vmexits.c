/*
 * test_vmexits.c - calibration/measure-vmexits on this machine's KVM:
 * --probe, a short measurement into a dataset that `vrdmasim calibrate
 * --model virt` fits, and the tool's refusals.  Where there is no usable
 * KVM (no /dev/kvm, no permission, a VM that cannot be created or run) or
 * the tool was not built (no <linux/kvm.h>), the test says why and exits
 * 77: automake counts it as SKIP, never as a pass.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

enum { EXIT_SKIP = 77, TOOL_SECONDS = 120 };

static char tool[1200];

/* The program: $MEASURE_VMEXITS, else the build tree's. */
static void find_tool(void)
{
	const char *env = getenv("MEASURE_VMEXITS"), *build = getenv("VRDMASIM_BUILDDIR");
	if (env)
		snprintf(tool, sizeof tool, "%s", env);
	else
		snprintf(tool, sizeof tool, "%s/calibration/measure-vmexits", build ? build : ".");
}

static int file_has(const char *path, const char *text)
{
	char *all = read_file(path);
	int found = strstr(all, text) != NULL;
	free(all);
	return found;
}

START_TEST(probe_says_usable)
{
	tool_output o = run_program_within(tool, (const char *[]){"--probe", NULL}, TOOL_SECONDS);
	ck_assert_msg(o.status == 0, "--probe: status %d: %s%s", o.status, o.out, o.err);
	ck_assert_msg(strncmp(o.out, "usable", 6) == 0, "--probe printed: %s", o.out);
	tool_output_free(&o);
}
END_TEST

START_TEST(short_measurement_calibrates)
{
	const char *dir = temp_dir();
	char out[1300], overlay[1300], path[1400];
	snprintf(out, sizeof out, "%s/ds", dir);
	snprintf(overlay, sizeof overlay, "%s/virt.yaml", dir);
	tool_output o = run_program_within(tool, (const char *[]){"--out", out, "--samples", "200", "--warmup", "10", NULL}, TOOL_SECONDS);
	ck_assert_msg(o.status == 0, "measure-vmexits: status %d: %s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "placement: vCPU thread on CPU"), "no placement in: %s", o.out);
	tool_output_free(&o);
	snprintf(path, sizeof path, "%s/metadata.yaml", out);
	ck_assert(file_has(path, "format: vrdmasim-vmexits-1\n"));
	ck_assert(file_has(path, "\nnested: "));
	ck_assert(file_has(path, "\nload_average_after: ["));
	snprintf(path, sizeof path, "%s/summary.csv", out);
	ck_assert(file_has(path, "test,clock,n,median_ns,mean_ns,p99_ns,"));
	snprintf(path, sizeof path, "%s.tmp", out);
	ck_assert_msg(access(path, F_OK) != 0, "%s left behind", path);
	o = run_tool((const char *[]){"calibrate", out, "--model", "virt", "--overlay", overlay, NULL});
	ck_assert_msg(o.status == 0, "calibrate --model virt: status %d: %s", o.status, o.err);
	ck_assert(strstr(o.out, "t_typical[usec]") && strstr(o.out, "virt.trap_dispatch"));
	tool_output_free(&o);
	ck_assert(file_has(overlay, "calibration: virt\n") && file_has(overlay, "  virt.trap_dispatch:\n    value: "));
	remove_tree(dir);
}
END_TEST

/* `make measure-vmexits`, as the READMEs offer it, into a folder of ours. */
START_TEST(make_target_measures)
{
	const char *dir = temp_dir(), *build = getenv("VRDMASIM_BUILDDIR");
	char out[1300], meta[1400];
	snprintf(out, sizeof out, "%s/mk", dir);
	tool_output o = run_program_within("/bin/sh",
		(const char *[]){"-c", "${MAKE:-make} -s -C \"$1\" measure-vmexits MEASURE_VMEXITS_OUT=\"$2\" MEASURE_VMEXITS_ARGS='--samples 100 --warmup 5'",
				 "sh", build ? build : ".", out, NULL}, TOOL_SECONDS);
	ck_assert_msg(o.status == 0, "make measure-vmexits: status %d: %s%s", o.status, o.out, o.err);
	tool_output_free(&o);
	snprintf(meta, sizeof meta, "%s/metadata.yaml", out);
	ck_assert(file_has(meta, "format: vrdmasim-vmexits-1\n"));
	remove_tree(dir);
}
END_TEST

START_TEST(refuses_bad_command_lines)
{
	const char *dir = temp_dir();
	char full[1300];
	snprintf(full, sizeof full, "%s/x", dir);
	ck_assert_int_eq(mkdir(full, 0777), 0);
	const struct {
		const char *args[8];
		const char *says;
	} cases[] = {
		{{"--bogus", NULL}, "'--bogus': unknown option"},
		{{"--samples", "0", "--out", "o", NULL}, "--samples '0': expected a whole number from 1"},
		{{"--cpu", "9999", "--out", "o", NULL}, "--cpu '9999': expected an online CPU number"},
		{{"--tests", "vmcall", "--out", "o", NULL}, "--tests 'vmcall': expected test names"},
		{{"--probe", "--out", "o", NULL}, "--probe writes nothing"},
		{{NULL}, "expected --out DIR (or --probe)"},
		{{"--out", dir, NULL}, "the folder exists and is not empty"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tool_output o = run_program_within(tool, cases[i].args, TOOL_SECONDS);
		ck_assert_msg(o.status == 2, "case %zu: status %d, expected 2", i, o.status);
		ck_assert_msg(strstr(o.err, cases[i].says), "case %zu: %s", i, o.err);
		tool_output_free(&o);
	}
	remove_tree(dir);
}
END_TEST

int main(void)
{
	find_tool();
	if (access(tool, X_OK) != 0) {
		printf("SKIP: %s was not built (configure found no <linux/kvm.h>, or the host is not x86-64)\n", tool);
		return EXIT_SKIP;
	}
	tool_output probe = run_program_within(tool, (const char *[]){"--probe", NULL}, TOOL_SECONDS);
	if (probe.status != 0) {
		printf("SKIP: no usable KVM on this machine: %s%s", probe.out, probe.err);
		tool_output_free(&probe);
		return EXIT_SKIP;
	}
	tool_output_free(&probe);
	Suite *s = suite_create("measure-vmexits");
	TCase *tc = tcase_create("kvm");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, probe_says_usable);
	tcase_add_test(tc, short_measurement_calibrates);
	tcase_add_test(tc, make_target_measures);
	tcase_add_test(tc, refuses_bad_command_lines);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
