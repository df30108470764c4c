/*
 * test_loaders.c - the good paths of the YAML loaders: presets, options and
 * scenarios load, overrides land where they should and carry provenance,
 * cycles convert through the CPU frequency, size ranges expand as perftest's.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/option.h"
#include "models/preset.h"
#include "input/catalog.h"
#include "models/scenario.h"
#include "tests/check_run.h"

static const vr_where NOWHERE = {"test", 1, 1};

static scn_scenario scenario;

/* Write TEXT to a temporary scenario file and load it. */
static int load_text(const char *text, vr_diag *diag)
{
	char path[] = "/tmp/vrdmasim-scn-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	vr_diag_clear(diag);
	int rc = scn_load_file(path, &scenario, diag);
	remove(path);
	return rc;
}

static const char *const BASE =
	"scenario: t\n"
	"preset: esxi5-qdr-2012\n"
	"topology:\n"
	"  hosts:\n"
	"    - {name: a, vms: 2, hca: {inline_max: 512B}, link: {bandwidth: 10Gbps}}\n"
	"    - {name: b}\n"
	"options: [native, vrdma]\n"
	"workload: {verb: write_lat, sizes: [2B, 4KiB], iterations: 100}\n"
	"overrides:\n"
	"  virt.vm_exit: 2300cycles\n"
	"  switch.latency: 150ns\n";

START_TEST(every_builtin_preset_is_complete_and_sourced)
{
	const char *names[64];
	char storage[64][64];
	size_t n = vr_catalog_names("models/presets", names, 64, storage);
	ck_assert_uint_ge(n, 2);
	for (size_t i = 0; i < n; i++) {
		mdl_params p;
		vr_diag diag;
		vr_diag_clear(&diag);
		ck_assert_msg(mdl_preset_load(names[i], NULL, NOWHERE, &p, &diag) == 0, "%s", diag.message);
		ck_assert_msg(mdl_params_resolve(&p, names[i], &diag) == 0, "%s", diag.message);
		ck_assert_str_eq(p.preset, names[i]);
		for (int id = 0; id < MDL_PARAM_COUNT; id++)
			ck_assert_msg(strlen(p.source[id]) > 10, "%s: %s has no real source", names[i], mdl_param_defs[id].name);
	}
}
END_TEST

START_TEST(every_builtin_option_loads)
{
	const char *names[64];
	char storage[64][64];
	size_t n = vr_catalog_names("models/options", names, 64, storage);
	ck_assert_uint_ge(n, 2);
	for (size_t i = 0; i < n; i++) {
		mdl_option o;
		vr_diag diag;
		vr_diag_clear(&diag);
		ck_assert_msg(mdl_option_load(names[i], NULL, NOWHERE, &o, &diag) == 0, "%s", diag.message);
		ck_assert_str_eq(o.name, names[i]);
		ck_assert_uint_gt(o.stage_count, 5);
	}
}
END_TEST

START_TEST(cycles_resolve_through_frequency)
{
	mdl_params p;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_int_eq(mdl_preset_load("esxi5-qdr-2012", NULL, NOWHERE, &p, &diag), 0);
	ck_assert_int_eq(mdl_params_resolve(&p, "esxi5-qdr-2012", &diag), 0);
	double hz = p.value[MDL_CPU_FREQUENCY];
	ck_assert(p.written[MDL_VIRT_VM_EXIT].is_cycles);
	ck_assert_double_eq_tol(p.value[MDL_VIRT_VM_EXIT], p.written[MDL_VIRT_VM_EXIT].value / hz * 1e9, 1e-9);
}
END_TEST

START_TEST(overrides_apply_with_provenance)
{
	vr_diag diag;
	ck_assert_msg(load_text(BASE, &diag) == 0, "%s", diag.message);
	const mdl_params *a = scn_params(&scenario, 0, 0), *b = scn_params(&scenario, 0, 1);
	double hz = a->value[MDL_CPU_FREQUENCY];
	ck_assert_double_eq_tol(a->value[MDL_VIRT_VM_EXIT], 2300.0 / hz * 1e9, 1e-9);
	ck_assert_double_eq_tol(b->value[MDL_SWITCH_LATENCY], 150.0, 1e-12);
	ck_assert_ptr_nonnull(strstr(a->source[MDL_VIRT_VM_EXIT], "override at "));
	ck_assert_ptr_nonnull(strstr(a->source[MDL_VIRT_VM_EXIT], ":10:3"));
	/* host overrides touch only their host */
	ck_assert_double_eq(a->value[MDL_HCA_INLINE_MAX], 512);
	ck_assert_double_ne(b->value[MDL_HCA_INLINE_MAX], 512);
	ck_assert_double_eq_tol(a->value[MDL_WIRE_BANDWIDTH], 10e9, 1);
	ck_assert_double_ne(b->value[MDL_WIRE_BANDWIDTH], 10e9);
	ck_assert_uint_eq(scenario.hosts[0].vms, 2);
	ck_assert_uint_eq(scenario.hosts[1].vms, 1);
	ck_assert_uint_eq(scenario.seed, 1);                 /* default */
	ck_assert_int_eq(scenario.completion, COMPLETION_POLL);
	ck_assert_uint_eq(scenario.workloads[0].warmup, 0);
	scn_free(&scenario);
}
END_TEST

START_TEST(size_ranges_expand_like_perftest)
{
	vr_diag diag;
	char text[2048];
	snprintf(text, sizeof text, "%s", BASE);
	char *sizes = strstr(text, "sizes: [2B, 4KiB]");
	memcpy(sizes, "sizes: all       ", 17);
	ck_assert_msg(load_text(text, &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(scenario.workloads[0].size_count, 23);          /* 2 B .. 8 MiB */
	ck_assert_double_eq(scenario.workloads[0].sizes_bytes[0], 2);
	ck_assert_double_eq(scenario.workloads[0].sizes_bytes[22], 8388608);
	scn_free(&scenario);
	snprintf(text, sizeof text, "%s", BASE);
	sizes = strstr(text, "sizes: [2B, 4KiB]");
	const char *range = "sizes: {from: 4B, to: 16B}";
	char rebuilt[2048];
	snprintf(rebuilt, sizeof rebuilt, "%.*s%s%s", (int)(sizes - text), text, range, sizes + strlen("sizes: [2B, 4KiB]"));
	ck_assert_msg(load_text(rebuilt, &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(scenario.workloads[0].size_count, 3);           /* 4, 8, 16 */
	ck_assert_double_eq(scenario.workloads[0].sizes_bytes[0], 4);
	ck_assert_double_eq(scenario.workloads[0].sizes_bytes[2], 16);
	scn_free(&scenario);
}
END_TEST

START_TEST(headline_scenario_is_built_in)
{
	const vr_embedded_file *f = vr_catalog_file("scenarios/seed-vrdma-write-lat.yaml");
	ck_assert_ptr_nonnull(f);
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(scn_load_buffer(f->path, f->text, f->length, &scenario, &diag) == 0, "%s", diag.message);
	ck_assert_uint_eq(scenario.preset_count, 2);
	ck_assert_uint_eq(scenario.option_count, 2);
	ck_assert_str_eq(scenario.options[1].name, "vrdma");
	ck_assert_str_eq(scn_params(&scenario, 0, 0)->preset, "esxi5-qdr-2012");
	ck_assert_str_eq(scn_params(&scenario, 1, 0)->preset, "modern-hdr");
	scn_free(&scenario);
}
END_TEST

START_TEST(options_and_presets_by_path)
{
	const char *src = getenv("VRDMASIM_SRCDIR");
	char text[4096];
	snprintf(text, sizeof text,
		 "scenario: t\npreset: %s/models/presets/modern-hdr.yaml\n"
		 "topology: {hosts: [{name: a}, {name: b}]}\n"
		 "options: [%s/models/options/vrdma.yaml]\n"
		 "workload: {verb: write_lat, sizes: [2B], iterations: 1}\n",
		 src ? src : ".", src ? src : ".");
	vr_diag diag;
	ck_assert_msg(load_text(text, &diag) == 0, "%s", diag.message);
	ck_assert_str_eq(scenario.options[0].name, "vrdma");
	ck_assert_str_eq(scn_params(&scenario, 0, 1)->preset, "modern-hdr");
	scn_free(&scenario);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("loaders");
	TCase *tc = tcase_create("good_inputs");
	tcase_add_test(tc, every_builtin_preset_is_complete_and_sourced);
	tcase_add_test(tc, every_builtin_option_loads);
	tcase_add_test(tc, cycles_resolve_through_frequency);
	tcase_add_test(tc, overrides_apply_with_provenance);
	tcase_add_test(tc, size_ranges_expand_like_perftest);
	tcase_add_test(tc, headline_scenario_is_built_in);
	tcase_add_test(tc, options_and_presets_by_path);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
