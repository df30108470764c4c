/*
 * test_virt_fit.c - the VM-exit dataset reader and the virt.* fit
 * (calibration/vmexit_data.h, calibration/virt_fit.h):
 *   - synthetic datasets with known round trips: the fit recovers them;
 *   - the committed dataset (measured on this kind of machine): finite
 *     values, intervals around them, the fit within the measured medians'
 *     intervals;
 *   - every case in tests/bad-input/vmexits/ (a folder each, whose
 *     metadata.yaml's first line is `# expect: MESSAGE`) is refused with
 *     that message.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calibration/virt_fit.h"
#include "calibration/vmexit_data.h"
#include "models/params.h"
#include "models/preset.h"
#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static const char *const COMMITTED = "calibration/data/vmexits-kvm-nested-2026-12-07";
static const char *const PRESET = "esxi5-qdr-2012";

/* Round trips (ns) of a synthetic host, built from known combinations. */
enum { X_NS = 1200, DM_NS = 900, DP_NS = 700, UM_NS = 7000, UP_NS = 6500, I_NS = 3000 };

static double truth(cal_vx_test t)
{
	switch (t) {
	case VX_HYPERCALL: return X_NS;
	case VX_MMIO_KERNEL: return X_NS + DM_NS;
	case VX_PIO_KERNEL: return X_NS + DP_NS;
	case VX_MMIO_USER: return X_NS + DM_NS + UM_NS;
	case VX_PIO_USER: return X_NS + DP_NS + UP_NS;
	case VX_IRQ_GUEST: return X_NS + DM_NS + I_NS;
	default: return 250000;
	}
}

/* A dataset in DIR with the tests of MASK, N samples each: the round trip
 * of TRUTH (or OVERRIDE_NS for test OVERRIDE) plus a symmetric spread of
 * +-5 ns and a slow outlier every 50th sample, which medians ignore. */
static void write_dataset(const char *dir, unsigned mask, size_t n, int override, double override_ns)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/samples", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof path, "%s/metadata.yaml", dir);
	FILE *meta = fopen(path, "w");
	ck_assert_ptr_nonnull(meta);
	fprintf(meta, "format: %s\nnested: false\ntests:\n", CAL_VX_FORMAT);
	for (int t = 0; t < VX_COUNT; t++) {
		if (!(mask & (1u << t)))
			continue;
		int host = t == VX_IRQ_HOST;
		fprintf(meta, "  - {name: %s, clock: %s, file: samples/%s.csv}\n", cal_vx_test_names[t], host ? "host_monotonic" : "guest_tsc",
			cal_vx_test_names[t]);
		snprintf(path, sizeof path, "%s/samples/%s.csv", dir, cal_vx_test_names[t]);
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, host ? "round_trip_ns\n" : "tsc_cycles,round_trip_ns\n");
		double base = t == override ? override_ns : truth((cal_vx_test)t);
		for (size_t k = 0; k < n; k++) {
			double ns = base + 5.0 * ((double)((k * 7919) % 101) - 50.0) / 50.0 + (k % 50 == 49 ? 2000.0 : 0.0);
			if (!host)
				fprintf(f, "%.0f,", ns * 2.6);
			fprintf(f, "%.1f\n", ns);
		}
		ck_assert_int_eq(fclose(f), 0);
	}
	ck_assert_int_eq(fclose(meta), 0);
}

static unsigned all_tests(void)
{
	return (1u << VX_COUNT) - 1;
}

static double param(const cal_virt_result *r, const char *name)
{
	return r->calibrated.value[mdl_param_lookup(name)];
}

static void expect_interval(double low, double value, double high, const char *what)
{
	ck_assert_msg(isfinite(low) && isfinite(value) && isfinite(high), "%s: not finite", what);
	ck_assert_msg(low <= value && value <= high, "%s: %g outside [%g, %g]", what, value, low, high);
}

START_TEST(recovers_known_round_trips)
{
	const char *dir = temp_dir();
	write_dataset(dir, all_tests(), 4000, -1, 0);
	static cal_vx_dataset d;
	static cal_virt_result r;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(cal_vx_load(dir, &d, &diag) == 0, "%s", diag.message);
	ck_assert_msg(cal_virt_fit(&d, PRESET, &r, &diag) == 0, "%s", diag.message);
	const double want[VC_COUNT] = {X_NS, DM_NS, DP_NS, UM_NS, UP_NS, I_NS};
	for (int k = 0; k < VC_COUNT; k++) {
		ck_assert_msg(r.fitted[k], "%s not fitted", cal_vx_combo_names[k]);
		ck_assert_msg(fabs(r.ns[k] - want[k]) < 1.0, "%s: %g, expected %g", cal_vx_combo_names[k], r.ns[k], want[k]);
		expect_interval(r.low[k], r.ns[k], r.high[k], cal_vx_combo_names[k]);
	}
	ck_assert(!r.doorbell_whole);
	ck_assert_double_eq_tol(param(&r, "virt.vm_exit") + param(&r, "virt.vm_entry"), X_NS, 1.0);
	ck_assert_double_eq_tol(param(&r, "virt.trap_dispatch"), DM_NS, 1.0);
	ck_assert_double_eq_tol(param(&r, "virt.interrupt_injection"), I_NS, 1.0);
	/* exit and entry split as the preset splits them (910 : 740 cycles) */
	ck_assert_double_eq_tol(param(&r, "virt.vm_exit") / X_NS, 910.0 / 1650.0, 1e-3);
	/* what the fit does not touch stays the preset's */
	ck_assert_double_eq(param(&r, "virt.eoi_exit"), r.base.value[mdl_param_lookup("virt.eoi_exit")]);
	cal_vx_free(&d);
	remove_tree(dir);
}
END_TEST

START_TEST(without_hypercall_splits_the_whole_doorbell)
{
	const char *dir = temp_dir();
	write_dataset(dir, all_tests() & ~(1u << VX_HYPERCALL), 1000, -1, 0);
	static cal_vx_dataset d;
	static cal_virt_result r;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(cal_vx_load(dir, &d, &diag) == 0, "%s", diag.message);
	ck_assert_msg(cal_virt_fit(&d, PRESET, &r, &diag) == 0, "%s", diag.message);
	ck_assert(r.doorbell_whole);
	ck_assert(!r.fitted[VC_EXIT_ENTRY]);
	double exit_ns = param(&r, "virt.vm_exit"), dispatch = param(&r, "virt.trap_dispatch"), entry = param(&r, "virt.vm_entry");
	ck_assert_double_eq_tol(exit_ns + dispatch + entry, X_NS + DM_NS, 1.0);
	/* the preset's 910 : 1210 : 740 cycles */
	ck_assert_double_eq_tol(dispatch / (exit_ns + dispatch + entry), 1210.0 / 2860.0, 1e-3);
	ck_assert_double_eq_tol(param(&r, "virt.interrupt_injection"), I_NS, 1.0);
	cal_vx_free(&d);
	remove_tree(dir);
}
END_TEST

START_TEST(refuses_an_injection_below_zero)
{
	/* irq_guest faster than the doorbell it starts with: no model has that */
	const char *dir = temp_dir();
	write_dataset(dir, (1u << VX_MMIO_KERNEL) | (1u << VX_IRQ_GUEST), 200, VX_IRQ_GUEST, 1500);
	static cal_vx_dataset d;
	static cal_virt_result r;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(cal_vx_load(dir, &d, &diag) == 0, "%s", diag.message);
	ck_assert_int_eq(cal_virt_fit(&d, PRESET, &r, &diag), -1);
	ck_assert_msg(strstr(diag.message, "found the combination injection fitted to -600.0 ns, expected a cost above zero"), "%s",
		      diag.message);
	cal_vx_free(&d);
	remove_tree(dir);
}
END_TEST

START_TEST(fits_the_committed_dataset)
{
	static cal_vx_dataset d;
	static cal_virt_result r;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(cal_vx_load(src_path(COMMITTED), &d, &diag) == 0, "%s", diag.message);
	ck_assert_msg(cal_virt_fit(&d, PRESET, &r, &diag) == 0, "%s", diag.message);
	ck_assert(d.present[VX_MMIO_KERNEL] && d.present[VX_IRQ_GUEST]);
	for (int k = 0; k < VC_COUNT; k++)
		if (r.fitted[k])
			expect_interval(r.low[k], r.ns[k], r.high[k], cal_vx_combo_names[k]);
	for (int k = 0; k < CAL_VX_MODEL_PARAMS; k++)
		if (r.param_set[k])
			expect_interval(r.param_low[k], r.param_ns[k], r.param_high[k], "a calibrated parameter");
	/* the fit reproduces each measured median within the two intervals */
	for (int t = 0; t < VX_COUNT; t++) {
		if (!d.present[t] || t == VX_IRQ_HOST || (t == VX_PIO_USER && !d.present[VX_PIO_KERNEL]))
			continue;
		double room = (r.fit_high[t] - r.fit_low[t]) / 2 + (r.median_high[t] - r.median_low[t]) / 2;
		ck_assert_msg(fabs(r.fit[t] - r.median[t]) <= room, "%s: fitted %g, measured median %g (room %g)", cal_vx_test_names[t],
			      r.fit[t], r.median[t], room);
	}
	cal_vx_free(&d);
}
END_TEST

START_TEST(cli_refusals)
{
	const char *dir = temp_dir();
	char data[1300], a[1300], b[1300];
	snprintf(data, sizeof data, "%s/ds", dir);
	snprintf(a, sizeof a, "%s/a.yaml", dir);
	snprintf(b, sizeof b, "%s/b.yaml", dir);
	ck_assert_int_eq(mkdir(data, 0777), 0);
	write_dataset(data, (1u << VX_MMIO_KERNEL) | (1u << VX_IRQ_GUEST), 200, -1, 0);
	const struct {
		const char *args[10];
		const char *says;
	} cases[] = {
		{{"calibrate", data, "--model", "virt", "--json", a, NULL}, "found '--json', expected --model softroce for --json and --fit"},
		{{"calibrate", data, data, "--model", "virt", NULL}, "expected one VM-exit dataset with --model virt"},
		{{"calibrate", data, "--model", "virt", "--overlay", a, "--out", b, NULL}, "expected one overlay"},
		{{"calibrate", src_path("calibration/data/softroce-qemu-tcg-2026-11-25"), "--model", "virt", NULL},
		 "softroce-qemu-tcg-2026-11-25/metadata.yaml:3:9: found the format 'vrdmasim-softroce-dataset-1', expected 'vrdmasim-vmexits-1'"},
		{{"calibrate", data, "--model", "virt", "--preset", "nope", NULL}, "nope"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tool_output o = run_tool(cases[i].args);
		ck_assert_msg(o.status == 2, "case %zu: status %d, expected 2 (%s)", i, o.status, o.err);
		ck_assert_msg(strstr(o.err, cases[i].says), "case %zu: %s", i, o.err);
		tool_output_free(&o);
	}
	ck_assert_msg(access(a, F_OK) != 0 && access(b, F_OK) != 0, "an overlay was written by a refused command");
	/* and the command that works: a report, an overlay that loads */
	tool_output o = run_tool((const char *[]){"calibrate", data, "--model", "virt", "--overlay", a, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert(strstr(o.out, "virt.interrupt_injection") != NULL);
	tool_output_free(&o);
	mdl_params p;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(mdl_preset_load(PRESET, NULL, (vr_where){"test", 0, 0}, &p, &diag) == 0, "%s", diag.message);
	ck_assert_msg(mdl_overlay_load(a, NULL, (vr_where){"test", 0, 0}, &p, &diag) == 0, "%s", diag.message);
	ck_assert_msg(mdl_params_resolve(&p, PRESET, &diag) == 0, "%s", diag.message);
	ck_assert_double_eq_tol(p.value[mdl_param_lookup("virt.interrupt_injection")], I_NS, 1.0);
	remove_tree(dir);
}
END_TEST

/* ---- tests/bad-input/vmexits/ ----------------------------------------- */

enum { CASES_MAX = 64 };
static char cases[CASES_MAX][1400];
static size_t case_count;

static int by_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void find_cases(void)
{
	char root[1024];
	snprintf(root, sizeof root, "%s", src_path("tests/bad-input/vmexits"));
	DIR *dir = opendir(root);
	if (!dir)
		return;
	struct dirent *e;
	while ((e = readdir(dir)) && case_count < CASES_MAX)
		if (e->d_name[0] != '.')
			snprintf(cases[case_count++], sizeof cases[0], "%s/%s", root, e->d_name);
	closedir(dir);
	qsort(cases, case_count, sizeof cases[0], by_name);
}

START_TEST(refuses_bad_dataset)
{
	char meta[1500], expected[1024] = "";
	snprintf(meta, sizeof meta, "%s/metadata.yaml", cases[_i]);
	FILE *f = fopen(meta, "r");
	ck_assert_msg(f != NULL, "%s: no metadata.yaml", cases[_i]);
	char *got = fgets(expected, sizeof expected, f);
	fclose(f);
	ck_assert_msg(got && strncmp(expected, "# expect: ", 10) == 0, "%s: its first line must be '# expect: ...'", meta);
	memmove(expected, expected + 10, strlen(expected + 10) + 1);
	expected[strcspn(expected, "\r\n")] = '\0';
	static cal_vx_dataset d;
	static cal_virt_result r;
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc = cal_vx_load(cases[_i], &d, &diag);
	if (rc == 0) {
		rc = cal_virt_fit(&d, PRESET, &r, &diag);
		cal_vx_free(&d);
	}
	ck_assert_msg(rc == -1, "%s: accepted, expected '%s'", cases[_i], expected);
	ck_assert_msg(strstr(diag.message, expected) != NULL, "%s:\n  got:      %s\n  expected: %s", cases[_i], diag.message, expected);
}
END_TEST

int main(void)
{
	find_cases();
	Suite *s = suite_create("virt-fit");
	TCase *tc = tcase_create("synthetic");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, recovers_known_round_trips);
	tcase_add_test(tc, without_hypercall_splits_the_whole_doorbell);
	tcase_add_test(tc, refuses_an_injection_below_zero);
	tcase_add_test(tc, cli_refusals);
	suite_add_tcase(s, tc);
	TCase *committed = tcase_create("committed");
	tcase_set_timeout(committed, 60);
	tcase_add_test(committed, fits_the_committed_dataset);
	suite_add_tcase(s, committed);
	TCase *bad = tcase_create("bad-input");
	if (case_count == 0)
		fprintf(stderr, "test_virt_fit: no cases in tests/bad-input/vmexits\n");
	tcase_add_loop_test(bad, refuses_bad_dataset, 0, case_count ? (int)case_count : 1);
	suite_add_tcase(s, bad);
	return run_suite(s);
}
