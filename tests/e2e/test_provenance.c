/*
 * test_provenance.c - results JSON says what made it: the exact command
 * line, every --set, the build's version, the scenario and the calibration
 * overlay with content hashes (checked against sha256sum), and each
 * parameter whose value differs from its preset, with the preset's value
 * and the source of the value in force; parameters left alone are not
 * listed.
 */
#include "config.h"

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"
#include "input/json_read.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_doc doc;
static const json_node *prov;
static char out_path[4200];
static char out_dir[64];   /* the folder of out_path, removed after each test */

/* Run ARGS with `--format json --out OUT` appended; load the provenance. */
static void run_json(const char *const *args)
{
	const char *argv[24];
	size_t n = 0;
	for (; args[n]; n++)
		argv[n] = args[n];
	snprintf(out_dir, sizeof out_dir, "%s", temp_dir());
	snprintf(out_path, sizeof out_path, "%s/r.json", out_dir);
	argv[n++] = "--format";
	argv[n++] = "json";
	argv[n++] = "--out";
	argv[n++] = out_path;
	argv[n] = NULL;
	tool_output o = run_tool(argv);
	ck_assert_msg(o.status == 0, "%s", o.err);
	tool_output_free(&o);
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(json_load_file(out_path, &doc, &diag) == 0, "%s", diag.message);
	prov = json_get(doc.root, "provenance");
	ck_assert_ptr_nonnull(prov);
}

static void teardown(void)
{
	json_free(&doc);
	if (out_dir[0])
		remove_tree(out_dir);
	out_dir[0] = 0;
}

/* sha256sum's digest of PATH (coreutils), into HEX. */
static void sha256sum(const char *path, char hex[65])
{
	const char *args[] = {path, NULL};
	tool_output o = run_program("/usr/bin/sha256sum", args);
	ck_assert_int_eq(o.status, 0);
	ck_assert_uint_ge(o.out_len, 64);
	memcpy(hex, o.out, 64);
	hex[64] = '\0';
	tool_output_free(&o);
}

/* The parameters_changed entry for NAME, or NULL. */
static const json_node *changed(const char *name)
{
	const json_node *list = json_get(prov, "parameters_changed");
	ck_assert_ptr_nonnull(list);
	for (const json_node *e = json_first(list); e; e = json_next(list, e))
		if (strcmp(json_get(e, "parameter")->text, name) == 0)
			return e;
	return NULL;
}

START_TEST(records_command_line_sets_and_hashes)
{
	const char *scenario = src_path("scenarios/softroce-calibrated.yaml");
	char scenario_copy[4200];
	snprintf(scenario_copy, sizeof scenario_copy, "%s", scenario);
	const char *args[] = {"run", scenario_copy, "--set", "virt.vm_exit=2000cycles", "--iterations", "10", NULL};
	run_json(args);

	const json_node *argv = json_get(prov, "command_line");
	ck_assert_uint_eq(json_count(argv), 11);   /* the program, the 6 above, --format json --out FILE */
	ck_assert_str_eq(json_item(argv, 1)->text, "run");
	ck_assert_str_eq(json_item(argv, 2)->text, scenario_copy);
	ck_assert_str_eq(json_item(argv, 4)->text, "virt.vm_exit=2000cycles");
	ck_assert_str_eq(json_item(argv, 10)->text, out_path);
	const json_node *sets = json_get(prov, "sets");
	ck_assert_uint_eq(json_count(sets), 1);
	ck_assert_str_eq(json_item(sets, 0)->text, "virt.vm_exit=2000cycles");

	const char *version = json_get(prov, "version")->text;
	ck_assert_msg(strncmp(version, PACKAGE_VERSION, strlen(PACKAGE_VERSION)) == 0, "version %s", version);

	char hex[65];
	sha256sum(scenario_copy, hex);
	ck_assert_str_eq(json_get(json_get(prov, "scenario"), "sha256")->text, hex);
	const json_node *overlays = json_get(prov, "overlays");
	ck_assert_uint_eq(json_count(overlays), 1);
	const char *overlay = json_get(json_item(overlays, 0), "path")->text;
	ck_assert_ptr_nonnull(strstr(overlay, "calibration/overlays/published-softroce.yaml"));
	sha256sum(overlay, hex);
	ck_assert_str_eq(json_get(json_item(overlays, 0), "sha256")->text, hex);
}
END_TEST

START_TEST(lists_changed_parameters_with_their_sources)
{
	const char *args[] = {"run", src_path("scenarios/softroce-calibrated.yaml"), "--set", "virt.vm_exit=2000cycles",
			      "--iterations", "10", NULL};
	run_json(args);
	const json_node *e = changed("virt.vm_exit");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(json_get(e, "source")->text, "--set virt.vm_exit=2000cycles"));
	ck_assert_str_eq(json_get(e, "unit")->text, "ns");
	/* 2000 cycles at the preset's clock, beside the preset's own cost */
	ck_assert(json_number(json_get(e, "value")) > json_number(json_get(e, "preset_value")));
	ck_assert_uint_eq(json_count(json_get(e, "hosts")), 2);
	/* the overlay's values, said to come from the calibration */
	e = changed("rxe.requester");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(json_get(e, "source")->text, "calibrated"));
	/* a parameter nobody touched is not listed */
	ck_assert_ptr_null(changed("wire.bandwidth"));
}
END_TEST

START_TEST(nothing_changed_nothing_listed)
{
	const char *args[] = {"run", "--iterations", "10", NULL};
	run_json(args);
	ck_assert_uint_eq(json_count(json_get(prov, "parameters_changed")), 0);
	ck_assert_uint_eq(json_count(json_get(prov, "overlays")), 0);
	ck_assert_uint_eq(json_count(json_get(prov, "sets")), 0);
	/* the built-in headline: its text's hash */
	ck_assert_uint_eq(strlen(json_get(json_get(prov, "scenario"), "sha256")->text), 64);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("provenance");
	TCase *tc = tcase_create("provenance");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, records_command_line_sets_and_hashes);
	tcase_add_test(tc, lists_changed_parameters_with_their_sources);
	tcase_add_test(tc, nothing_changed_nothing_listed);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
