/*
 * test_calibrate.c - `vrdmasim calibrate` as a user meets it: a fit of the
 * published figures with its report, overlay and JSON; refusals that
 * write nothing; the fit's pictures; a scenario using the overlay; and a
 * bandwidth stream on the QEMU dataset's overlay that keeps the fit's pace.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", temp_dir());
}

static void teardown(void)
{
	remove_tree(dir);
}

START_TEST(fits_published_figures)
{
	char overlay[300], json[300], plots[300], path[400];
	snprintf(overlay, sizeof overlay, "%s/softroce.yaml", dir);
	snprintf(json, sizeof json, "%s/fit.json", dir);
	snprintf(plots, sizeof plots, "%s/plots", dir);
	tool_output o = run_tool((const char *[]){"calibrate", src_path("calibration/data/published-softroce.csv"), "--model", "softroce",
						  "--fit", "per_packet,per_byte", "--out", overlay, "--json", json, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, " per_packet "));
	ck_assert_ptr_nonnull(strstr(o.out, "95% interval"));
	ck_assert_ptr_nonnull(strstr(o.out, "(1 measurements of another setting left out)"));
	ck_assert_ptr_nonnull(strstr(o.out, "R^2 0.99"));
	ck_assert_ptr_nonnull(strstr(o.out, "published-softroce.csv:9"));   /* residuals name their source line */
	tool_output_free(&o);
	ck_assert_int_eq(access(overlay, R_OK), 0);
	/* The overlay in a scenario: SoftRoCE runs with the fitted values. */
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "scenario: calibrated\npreset: esxi5-qdr-2012\ntopology:\n  hosts: [{name: a}]\noptions: [softroce-loopback]\n"
		   "workload: {verb: write_lat, sizes: [2B, 4KiB], iterations: 300}\ncalibration: softroce.yaml\n"
		   "overrides: {jitter.cpu_cv: 0, jitter.interference_probability: 0, eth.mtu: 4KiB}\n");
	fclose(f);
	o = run_tool((const char *[]){"run", path, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	/* The fit reproduced 1.84 us and 2.58 us within 1%; so does the run. */
	double t2 = csv_value(o.out, "esxi5-qdr-2012", "softroce-loopback", "2", "median_us");
	double t4k = csv_value(o.out, "esxi5-qdr-2012", "softroce-loopback", "4096", "median_us");
	ck_assert_msg(t2 > 1.84 * 0.98 && t2 < 1.84 * 1.02, "2 B: %g us", t2);
	ck_assert_msg(t4k > 2.58 * 0.98 && t4k < 2.58 * 1.02, "4 KiB: %g us", t4k);
	tool_output_free(&o);
	/* The fit's pictures. */
	o = run_tool((const char *[]){"plot", json, "--out", plots, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	snprintf(path, sizeof path, "%s/fit-write_lat.svg", plots);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char svg[1 << 20];
	size_t n = fread(svg, 1, sizeof svg - 1, f);
	svg[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(svg, "fitted model"));
	ck_assert_ptr_nonnull(strstr(svg, "t_typical [µs]"));
	ck_assert_ptr_nonnull(strstr(svg, "(fitted - measured) / spread"));
	snprintf(path, sizeof path, "%s/fit-write_lat.png", plots);
	ck_assert_int_eq(access(path, R_OK), 0);
}
END_TEST

/* The fit's value for VERB at SIZE bytes in its JSON (one point per line). */
static double fitted_at(const char *json, const char *verb, const char *size)
{
	char key[128];
	snprintf(key, sizeof key, "{\"verb\": \"%s\", \"size_bytes\": %s,", verb, size);
	const char *at = strstr(json, key);
	ck_assert_msg(at, "no fitted point %s", key);
	at = strstr(at, "\"fitted\": ");
	ck_assert_ptr_nonnull(at);
	return atof(at + strlen("\"fitted\": "));
}

/* A fit of the committed QEMU dataset (where the two ends take turns on
 * shared CPUs: cpu.side_overlap fitted to 0) and a bandwidth stream run on
 * its overlay: the stream goes at the pace the fit predicts (both combine
 * the two ends' work through models/cpu_sides.h). */
START_TEST(stream_on_overlay_matches_fit)
{
	char overlay[300], json[300], path[400];
	snprintf(overlay, sizeof overlay, "%s/qemu.yaml", dir);
	snprintf(json, sizeof json, "%s/qemu.json", dir);
	tool_output o = run_tool((const char *[]){"calibrate", src_path("calibration/data/softroce-qemu-tcg-2026-11-25"), "--model",
						  "softroce", "--fit", "fixed,per_packet,per_byte,overlap", "--out", overlay, "--json", json,
						  NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	char *fit = read_file(json);
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "scenario: overlay-stream\npreset: esxi5-qdr-2012\ntopology:\n  hosts: [{name: a, vms: 2}]\n"
		   "options: [softroce-loopback]\ncalibration: qemu.yaml\n"
		   "workloads:\n  - {verb: write_bw, sizes: [2B, 1KiB, 4KiB, 64KiB, 1MiB], iterations: 1000}\n"
		   "  - {verb: send_bw, sizes: [2B, 64KiB], iterations: 1000}\n");
	fclose(f);
	o = run_tool((const char *[]){"run", path, "--format", "csv", NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	const struct { const char *verb, *size; } at[] = {
		{"write_bw", "2"}, {"write_bw", "1024"}, {"write_bw", "4096"}, {"write_bw", "65536"}, {"write_bw", "1048576"},
		{"send_bw", "2"}, {"send_bw", "65536"},
	};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		double predicted = fitted_at(fit, at[i].verb, at[i].size);
		double simulated = csv_value_verb(o.out, "esxi5-qdr-2012", "softroce-loopback", at[i].verb, at[i].size,
						  "bw_average_mib_per_s");
		ck_assert_msg(fabs(simulated / predicted - 1.0) < 0.01, "%s %s B: the stream %g MiB/s, the fit %g MiB/s",
			      at[i].verb, at[i].size, simulated, predicted);
	}
	/* The turns matter: at 64 KiB the ends' work adds up (not 2x the fit). */
	ck_assert_double_lt(fitted_at(fit, "write_bw", "65536"), 110.0);
	tool_output_free(&o);
	free(fit);
}
END_TEST

/* A folder of perftest >= 24.07's formats (its text and --out_json files,
 * tests/calibration/README.md) fits; given beside the QEMU dataset it was
 * transcribed from, it is refused as a repeat, exit 2, nothing written. */
START_TEST(fits_perftest_2407_formats)
{
	char overlay[300], json[300];
	snprintf(overlay, sizeof overlay, "%s/new.yaml", dir);
	snprintf(json, sizeof json, "%s/new.json", dir);
	char folder[512];   /* src_path's buffer is static: one path at a time */
	snprintf(folder, sizeof folder, "%s", src_path("tests/calibration/perftest-24.07"));
	tool_output o = run_tool((const char *[]){"calibrate", folder, "--model", "softroce", "--out", overlay, "--json", json, NULL});
	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "fitted on preset esxi5-qdr-2012: 81 measurements"));   /* 3 sweeps of 23, 12 JSON files */
	ck_assert_ptr_nonnull(strstr(o.out, "eth.mtu set to the measured RoCE MTU: 1024 B"));
	ck_assert_ptr_nonnull(strstr(o.out, "ib_send_bw-a.json:26"));   /* a JSON point's residual names its file and line */
	ck_assert_ptr_nonnull(strstr(o.out, "ib_write_bw.txt:"));
	tool_output_free(&o);
	ck_assert_int_eq(access(overlay, R_OK), 0);
	/* the fitted write_bw at 64 KiB: what 24.07's MiB/sec said, in the MiB/s the fit writes */
	char *fit = read_file(json);
	double bw = fitted_at(fit, "write_bw", "65536");
	ck_assert_msg(bw > 60 && bw < 160, "write_bw at 64 KiB: %g MiB/s", bw);
	free(fit);
	remove(overlay);
	o = run_tool((const char *[]){"calibrate", src_path("calibration/data/softroce-qemu-tcg-2026-11-25"), folder, "--model", "softroce",
				      "--out", overlay, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "perftest-24.07/ib_read_lat.txt:") && strstr(o.err, "found the same measurements as"), "%s", o.err);
	ck_assert_int_ne(access(overlay, F_OK), 0);
	tool_output_free(&o);
}
END_TEST

/* Refusals: exit status 2, a located message, no file written. */
START_TEST(refuses_and_writes_nothing)
{
	char overlay[300];
	snprintf(overlay, sizeof overlay, "%s/o.yaml", dir);
	const char *csv = src_path("calibration/data/published-softroce.csv");
	const struct { const char *args[10]; const char *message; } cases[] = {
		{{"calibrate", NULL}, "expected a dataset folder or CSV"},
		{{"calibrate", "x.csv", NULL}, "--model softroce"},
		{{"calibrate", "x.csv", "--model", "rxe", NULL}, "found 'rxe', expected a model to calibrate: softroce"},
		{{"calibrate", "x.csv", "--model", "softroce", "--fit", "per_word", NULL}, "found 'per_word', expected a group to fit"},
		{{"calibrate", "/nonexistent.csv", "--model", "softroce", NULL}, "/nonexistent.csv: cannot open"},
		{{"calibrate", "x.csv", "--model", "softroce", "--size", "2B", NULL}, "with 'calibrate'"},
		/* empty items in --fit: refused, not the default groups */
		{{"calibrate", csv, "--model", "softroce", "--fit", ",,,", "--out", overlay, NULL}, "--fit: found an empty item in ',,,'"},
		{{"calibrate", csv, "--model", "softroce", "--fit", "per_packet,,per_byte", "--out", overlay, NULL}, "found an empty item"},
		/* the same dataset twice */
		{{"calibrate", csv, csv, "--model", "softroce", "--fit", "per_packet,per_byte", "--out", overlay, NULL},
		 "found the same measurements as"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tool_output o = run_tool(cases[i].args);
		ck_assert_msg(o.status == 2, "case %zu: status %d", i, o.status);
		ck_assert_msg(strstr(o.err, cases[i].message), "case %zu: %s", i, o.err);
		ck_assert_int_ne(access(overlay, F_OK), 0);
		tool_output_free(&o);
	}
	/* A fit that runs a factor away: refused, no overlay. */
	tool_output o = run_tool((const char *[]){"calibrate", csv, "--model", "softroce", "--fit", "fixed", "--out", overlay, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "published-softroce.csv: found the factor k_fixed running off"));
	ck_assert_ptr_nonnull(strstr(o.err, "no overlay written"));
	ck_assert_int_ne(access(overlay, F_OK), 0);
	tool_output_free(&o);
	/* The published figures with their rows in reverse order: the same
	 * dataset, refused. */
	char reordered[300], cmd[1000];
	snprintf(reordered, sizeof reordered, "%s/reordered.csv", dir);
	snprintf(cmd, sizeof cmd, "(grep -v '^write_lat' %s; grep '^write_lat' %s | tac) > %s", csv, csv, reordered);
	ck_assert_int_eq(system(cmd), 0);
	o = run_tool((const char *[]){"calibrate", csv, reordered, "--model", "softroce", "--out", overlay, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "reordered.csv:") && strstr(o.err, "found the same measurements as "), "%s", o.err);
	ck_assert_int_ne(access(overlay, F_OK), 0);
	tool_output_free(&o);
	/* Two MTUs in one fit. */
	o = run_tool((const char *[]){"calibrate", src_path("tests/calibration/perftest"), "--model", "softroce", "--out", overlay, NULL});
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "one fit, one MTU"));
	ck_assert_int_ne(access(overlay, F_OK), 0);
	tool_output_free(&o);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("calibrate-cli");
	TCase *tc = tcase_create("calibrate");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fits_published_figures);
	tcase_add_test(tc, refuses_and_writes_nothing);
	tcase_add_test(tc, fits_perftest_2407_formats);
	tcase_add_test(tc, stream_on_overlay_matches_fit);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
