/*
 * test_report.c - the writers never print a non-finite number.
 *
 * A run whose result holds inf or nan (which validation keeps from
 * happening: models/params.def's bounds) is refused by the text, JSON and
 * CSV writers and by the comparison: nothing written, -1, and an internal
 * error naming the result and the field.  A finite run is written.
 */
#include "tests/check_run.h"
#include "output/report.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SCENARIO[] =
	"scenario: report\npreset: modern-hdr\n"
	"topology:\n  hosts:\n    - {name: a, vms: 1}\n    - {name: b, vms: 1}\n"
	"options: [native, vrdma]\nworkload: {verb: write_lat, sizes: [64B], iterations: 10}\ncompletion: poll\n";

static scn_scenario scenario;
static vr_result results[2];
static vr_run run;

static void setup(void)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(scn_load_buffer("report.yaml", SCENARIO, strlen(SCENARIO), &scenario, &diag) == 0, "%s",
		      diag.message);
	memset(results, 0, sizeof results);
	for (size_t i = 0; i < 2; i++) {
		results[i].option = i;
		results[i].size_bytes = 64;
		results[i].iterations = 10;
		results[i].min_ns = results[i].median_ns = results[i].mean_ns = 1000.0;
	}
	run = (vr_run){.scenario = &scenario, .count = 2, .results = results};
}

static void teardown(void)
{
	scn_free(&scenario);
}

typedef int (*writer)(const vr_run *, FILE *, vr_diag *);
static int write_text(const vr_run *r, FILE *f, vr_diag *d) { return vr_report(r, FORMAT_TEXT, NULL, f, d); }
static int write_json(const vr_run *r, FILE *f, vr_diag *d) { return vr_report(r, FORMAT_JSON, NULL, f, d); }
static int write_csv(const vr_run *r, FILE *f, vr_diag *d) { return vr_report(r, FORMAT_CSV, NULL, f, d); }
static const writer WRITERS[] = {write_text, write_json, write_csv, vr_report_compare};
static const char *const WRITER_NAMES[] = {"text", "json", "csv", "compare"};
enum { WRITER_COUNT = sizeof WRITERS / sizeof WRITERS[0] };

/* Write the run with writer W; returns its status, OUT its bytes. */
static int write_with(size_t w, char **out, size_t *len, vr_diag *diag)
{
	vr_diag_clear(diag);
	FILE *f = open_memstream(out, len);
	ck_assert_ptr_nonnull(f);
	int rc = WRITERS[w](&run, f, diag);
	fclose(f);
	return rc;
}

START_TEST(finite_run_is_written)
{
	for (size_t w = 0; w < WRITER_COUNT; w++) {
		char *out;
		size_t len;
		vr_diag diag;
		ck_assert_msg(write_with(w, &out, &len, &diag) == 0, "%s: %s", WRITER_NAMES[w], diag.message);
		ck_assert_msg(len > 0, "%s wrote nothing", WRITER_NAMES[w]);
		free(out);
	}
}
END_TEST

/* Each kind of non-finite number, in a latency, a breakdown, a counter
 * and a bandwidth field of the second result. */
START_TEST(non_finite_run_is_refused)
{
	double *fields[] = {&results[1].median_ns, &results[1].breakdown_ns[0], &results[1].per_op.doorbells,
			    &results[1].bw.average_bytes_per_s};
	const char *names[] = {"median_ns", "breakdown_ns[0]", "per_op.doorbells", "bw.average_bytes_per_s"};
	const double bad[] = {INFINITY, -INFINITY, NAN};
	for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
		for (size_t b = 0; b < 3; b++) {
			double keep = *fields[k];
			*fields[k] = bad[b];
			for (size_t w = 0; w < WRITER_COUNT; w++) {
				char *out;
				size_t len;
				vr_diag diag;
				int rc = write_with(w, &out, &len, &diag);
				ck_assert_msg(rc == -1 && len == 0, "%s wrote %zu bytes with %g in %s", WRITER_NAMES[w], len,
					      bad[b], names[k]);
				ck_assert_msg(strstr(diag.message, "internal error") && strstr(diag.message, names[k]) &&
					      strstr(diag.message, "vrdma"), "%s: %s", WRITER_NAMES[w], diag.message);
				free(out);
			}
			*fields[k] = keep;
		}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report");
	TCase *t = tcase_create("finite");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, finite_run_is_written);
	tcase_add_test(t, non_finite_run_is_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
