/*
 * test_mechanism_table.c - what the rows of models/mechanisms.def and
 * models/routes.def guarantee: every mechanism is complete (name,
 * description, cost function), its columns agree with each other and with
 * what its cost function does, every route has a transfer, every shipped
 * option uses only rows and every row is used, and the docs list exactly
 * the mechanisms of the table.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/catalog.h"
#include "models/option.h"
#include "models/preset.h"
#include "tests/check_run.h"

static const vr_where NOWHERE = {"test", 1, 1};

START_TEST(every_row_is_complete)
{
	for (int m = 0; m < MECH_COUNT; m++) {
		const mdl_mechanism_info *row = &mdl_mechanisms[m];
		ck_assert_msg(row->name && row->name[0], "mechanism %d has no name", m);
		ck_assert_msg(row->name[strspn(row->name, "abcdefghijklmnopqrstuvwxyz_")] == '\0',
			      "'%s': expected lower-case letters and '_' (option files write it)", row->name);
		ck_assert_msg(row->description && row->description[0], "'%s' has no description", row->name);
		ck_assert_msg(row->cost != NULL, "'%s' has no cost function", row->name);
		ck_assert_msg(row->paths != 0, "'%s' may appear on no path", row->name);
		for (int k = 0; k < m; k++)
			ck_assert_msg(strcmp(mdl_mechanisms[k].name, row->name) != 0, "'%s' twice", row->name);
	}
}
END_TEST

/* A mechanism runs on a host, or belongs to a route; never both. */
START_TEST(side_route_and_part_agree)
{
	for (int m = 0; m < MECH_COUNT; m++) {
		const mdl_mechanism_info *row = &mdl_mechanisms[m];
		int on_host = row->part == PART_HOST;
		ck_assert_msg(on_host == (row->side != SIDE_FABRIC), "'%s': side and part disagree", row->name);
		ck_assert_msg(on_host == (row->route == ROUTE_NONE), "'%s': route and part disagree", row->name);
		if (row->part == PART_TRANSFER)
			ck_assert_msg(row->paths == ON_REQUEST, "'%s': a transfer carries a message", row->name);
		if (row->part == PART_ACK)
			ck_assert_msg(row->paths == ON_COMPLETION, "'%s': an ACK is on the completion path", row->name);
	}
}
END_TEST

START_TEST(every_route_has_a_transfer)
{
	for (int r = ROUTE_NONE + 1; r < ROUTE_COUNT; r++) {
		int transfers = 0;
		for (int m = 0; m < MECH_COUNT; m++)
			transfers += mdl_mechanisms[m].part == PART_TRANSFER && (int)mdl_mechanisms[m].route == r;
		ck_assert_msg(transfers > 0, "route '%s' has no transfer mechanism", mdl_routes[r].name);
		ck_assert_msg(mdl_routes[r].name && strcmp(mdl_routes[r].name, mdl_route_names[r]) == 0, "route %d", r);
		ck_assert_msg(mdl_routes[r].endpoint || mdl_routes[r].between_hosts,
			      "route '%s': two VMs on one host need endpoints of their own", mdl_routes[r].name);
	}
}
END_TEST

/* Every cost function, on both a small (inline, BlueFlame) and a large
 * message: finite, not negative, the row's resource, and a doorbell
 * counted only by a per-doorbell row. */
START_TEST(costs_match_their_rows)
{
	static mdl_params params;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_int_eq(mdl_preset_load("esxi5-qdr-2012", NULL, NOWHERE, &params, &diag), 0);
	ck_assert_int_eq(mdl_params_resolve(&params, "esxi5-qdr-2012", &diag), 0);
	const mdl_cpu_cost cpu = {MDL_HCA_PACKET_PROCESSING, -1, -1, -1, -1, -1};
	const mdl_footprint fp = {1, 0};
	static const double sizes[] = {8, 1 << 20};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		mdl_message msg = mdl_message_make(&params, LINK_INFINIBAND, sizes[k], sizes[k], 1, &fp);
		for (int m = 0; m < MECH_COUNT; m++) {
			const mdl_mechanism_info *row = &mdl_mechanisms[m];
			mdl_cost c = mdl_mechanism_cost((mdl_mechanism)m, &params, &params, &msg, &cpu, row->side, 0.0);
			ck_assert_msg(isfinite(c.fixed_ns) && c.fixed_ns >= 0, "'%s': %g ns", row->name, c.fixed_ns);
			ck_assert_msg(c.per_packet_ns >= 0 && c.per_packet_ns <= c.fixed_ns, "'%s': per packet", row->name);
			ck_assert_msg(c.resource == row->resource || (c.resource == RES_NONE && msg.inline_payload),
				      "'%s': resource %s", row->name, mdl_resource_names[c.resource]);
			if (c.counts.doorbells > 0)
				ck_assert_msg(row->per_doorbell, "'%s' rings a doorbell: expected per_doorbell", row->name);
		}
	}
}
END_TEST

/* Every shipped option loads (so names only rows), and every row is named
 * by some shipped option: the table has no dead rows. */
START_TEST(options_use_every_row)
{
	const char *names[64];
	char storage[64][64];
	size_t n = vr_catalog_names("models/options", names, 64, storage);
	ck_assert_uint_gt(n, 0);
	int used[MECH_COUNT] = {0};
	static mdl_option option;
	for (size_t i = 0; i < n; i++) {
		vr_diag diag;
		vr_diag_clear(&diag);
		ck_assert_msg(mdl_option_load(names[i], NULL, NOWHERE, &option, &diag) == 0, "%s", diag.message);
		for (size_t s = 0; s < option.stage_count; s++) {
			ck_assert_int_lt(option.stages[s].mechanism, MECH_COUNT);
			used[option.stages[s].mechanism] = 1;
		}
	}
	for (int m = 0; m < MECH_COUNT; m++)
		ck_assert_msg(used[m], "no shipped option uses '%s'", mdl_mechanisms[m].name);
}
END_TEST

static int mechanism_named(const char *name, size_t len)
{
	for (int m = 0; m < MECH_COUNT; m++)
		if (strlen(mdl_mechanisms[m].name) == len && strncmp(mdl_mechanisms[m].name, name, len) == 0)
			return m;
	return -1;
}

/* docs/scenario-format.md's table of mechanisms names each row once (in
 * its first column) and nothing else. */
START_TEST(docs_list_the_table)
{
	const char *src = getenv("VRDMASIM_SRCDIR");
	char path[4096], line[2048];
	snprintf(path, sizeof path, "%s/docs/scenario-format.md", src ? src : ".");
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	int listed[MECH_COUNT] = {0}, in_table = 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "| mechanisms |", 14) == 0) {
			in_table = 1;
			continue;
		}
		if (!in_table || strncmp(line, "|---", 4) == 0)
			continue;
		if (line[0] != '|')
			break;
		char *end = strchr(line + 1, '|');
		ck_assert_ptr_nonnull(end);
		for (char *p = strchr(line, '`'); p && p < end; p = strchr(p + 1, '`')) {
			char *close = strchr(p + 1, '`');
			ck_assert_ptr_nonnull(close);
			int m = mechanism_named(p + 1, (size_t)(close - p - 1));
			ck_assert_msg(m >= 0, "%s lists '%.*s', which is no mechanism", path, (int)(close - p - 1), p + 1);
			listed[m]++;
			p = close;
		}
	}
	fclose(f);
	ck_assert_msg(in_table, "%s has no '| mechanisms |' table", path);
	for (int m = 0; m < MECH_COUNT; m++)
		ck_assert_msg(listed[m] == 1, "%s lists '%s' %d times, expected once", path, mdl_mechanisms[m].name, listed[m]);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("mechanism_table");
	TCase *rows = tcase_create("rows");
	tcase_add_test(rows, every_row_is_complete);
	tcase_add_test(rows, side_route_and_part_agree);
	tcase_add_test(rows, every_route_has_a_transfer);
	tcase_add_test(rows, costs_match_their_rows);
	suite_add_tcase(suite, rows);
	TCase *uses = tcase_create("uses");
	tcase_add_test(uses, options_use_every_row);
	tcase_add_test(uses, docs_list_the_table);
	suite_add_tcase(suite, uses);
	return run_suite(suite);
}
