/*
 * perftest_json.c - the file perftest >= 24.01 writes with --out_json:
 * {"test_info": {...}, "results": {...}}, one size (calibration/perftest.h).
 *
 * The JSON itself is read by the strict reader (input/json_read.h); this
 * file knows perftest's members.  Two things perftest writes that are not
 * JSON are recognised first, so that they get a message of their own:
 * perftest before 24.01's unquoted keys ("test_info: {"), and the inf or
 * -nan that "%.2f" prints when its clock sample failed (kept, as in the
 * text, as a result marked not finite).
 */
#include "calibration/perftest_row.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/json_read.h"

enum { FAILED_MAX = 16, MEMBERS_MAX = 256 };

/* Each field's member (perftest_parameters.h, REPORT_FMT_LAT_JSON and
 * REPORT_FMT_JSON, 24.07). */
static const char *const KEYS[PT_COL_COUNT] = {
	[PT_COL_BYTES] = "MsgSize", [PT_COL_ITERATIONS] = "n_iterations", [PT_COL_T_MIN] = "t_min", [PT_COL_T_MAX] = "t_max",
	[PT_COL_T_TYPICAL] = "t_typical", [PT_COL_T_AVG] = "t_avg", [PT_COL_T_STDEV] = "t_stdev",
	[PT_COL_T_P99] = "percentile_99", [PT_COL_T_P999] = "percentile_99.9", [PT_COL_BW_PEAK] = "BW_peak",
	[PT_COL_BW_AVG] = "BW_average", [PT_COL_MSG_RATE] = "MsgRate",
};
static const pt_column LATENCY_KEYS[] = {PT_COL_BYTES, PT_COL_ITERATIONS, PT_COL_T_MIN, PT_COL_T_MAX, PT_COL_T_TYPICAL,
					 PT_COL_T_AVG, PT_COL_T_STDEV, PT_COL_T_P99, PT_COL_T_P999};
static const pt_column BANDWIDTH_KEYS[] = {PT_COL_BYTES, PT_COL_ITERATIONS, PT_COL_BW_PEAK, PT_COL_BW_AVG, PT_COL_MSG_RATE};
static const char *const LATENCY_LIST = "MsgSize, n_iterations, t_min, t_max, t_typical, t_avg, t_stdev, percentile_99, percentile_99.9";
static const char *const BANDWIDTH_LIST = "MsgSize, n_iterations, BW_peak, BW_average, MsgRate";

typedef struct reader {
	json_doc doc;
	pt_run *run;
	vr_diag *diag;
	size_t failed_count;             /* perftest's inf/nan values, replaced by 0 before parsing */
	size_t failed_offset[FAILED_MAX];
} reader;

static vr_where where_of(const reader *r, const json_node *node)
{
	return json_where(&r->doc, node);
}

/* ---- what perftest writes that is not JSON ---------------------------- */

/* Where OFFSET of TEXT is, 1-based. */
static vr_where place(const char *file, const char *text, size_t offset)
{
	vr_where w = {file, 1, 1};
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			w.line++;
			w.column = 1;
		} else {
			w.column++;
		}
	}
	return w;
}

/* perftest before 24.01 (commit f9e82f7) wrote "test_info: {": a key
 * without quotes as the first member. */
static int refuse_unquoted_keys(const char *file, const char *text, size_t length, vr_diag *diag)
{
	size_t i = 0;
	while (i < length && isspace((unsigned char)text[i]))
		i++;
	if (i == length || text[i] != '{')
		return 0;
	for (i++; i < length && isspace((unsigned char)text[i]); i++)
		;
	if (i == length || !(isalpha((unsigned char)text[i]) || text[i] == '_'))
		return 0;
	size_t n = 0;
	while (i + n < length && (isalnum((unsigned char)text[i + n]) || text[i + n] == '_') && n < 40)
		n++;
	return vr_diag_at(diag, place(file, text, i),
			  "found the key '%.*s' without quotes, expected JSON: perftest before 24.01 wrote --out_json keys unquoted "
			  "(quoted since its commit f9e82f7); run perftest >= 24.01, or read its text output", (int)n, text + i);
}

/* A value after ':' outside strings that is perftest's inf or nan
 * ("inf", "-inf", "nan", "-nan", as glibc's printf writes them): replaced
 * in TEXT by "0" and spaces, its offset kept.  Returns 0 or -1 (too many). */
static int mark_perftest_failures(reader *r, const char *file, char *text, size_t length)
{
	static const char *const failed[] = {"-inf", "-nan", "inf", "nan"};
	int in_string = 0;
	char last = 0;   /* the last character outside strings that is not a space */
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
			last = c;
			continue;
		}
		if (isspace((unsigned char)c))
			continue;
		for (size_t k = 0; last == ':' && k < sizeof failed / sizeof failed[0]; k++) {
			size_t n = strlen(failed[k]);
			if (i + n > length || strncmp(text + i, failed[k], n) != 0 || (i + n < length && isalnum((unsigned char)text[i + n])))
				continue;
			if (r->failed_count == FAILED_MAX)
				return vr_diag_at(r->diag, place(file, text, i), "found more than %d values perftest could not compute, expected at most %d",
						  FAILED_MAX, FAILED_MAX);
			r->failed_offset[r->failed_count++] = i;
			text[i] = '0';
			memset(text + i + 1, ' ', n - 1);
			break;
		}
		last = c;
	}
	return 0;
}

static int is_perftest_failure(const reader *r, const json_node *node)
{
	for (size_t i = 0; i < r->failed_count; i++)
		if (node->offset == r->failed_offset[i])
			return 1;
	return 0;
}

/* ---- perftest's members ----------------------------------------------- */

static int wrong_type(const reader *r, const json_node *node, const char *key, const char *expected)
{
	return vr_diag_at(r->diag, where_of(r, node), "found %s for '%s', expected %s", json_type_name((json_type)node->type), key,
			  expected);
}

/* Refuse a key that OBJECT holds twice: json_get would read the first.
 * perftest writes a few dozen members at most; the cap keeps the pairwise
 * check cheap on a hostile file. */
static int refuse_repeated_keys(const reader *r, const json_node *object, const char *what)
{
	size_t members = json_count(object);
	if (members > MEMBERS_MAX)
		return vr_diag_at(r->diag, where_of(r, object), "found %zu members in %s, expected perftest's few (at most %d)", members, what,
				  MEMBERS_MAX);
	for (const json_node *a = json_first(object); a; a = json_next(object, a + 1))
		for (const json_node *b = json_first(object); b != a; b = json_next(object, b + 1))
			if (strcmp(a->text, b->text) == 0) {
				vr_where first = where_of(r, b);
				return vr_diag_at(r->diag, where_of(r, a), "found '%s' a second time in %s, expected each member once (the first is at line %u)",
						  a->text, what, first.line);
			}
	return 0;
}

static int read_test(reader *r, const json_node *info)
{
	const json_node *test = json_get(info, "test");
	if (!test)
		return vr_diag_at(r->diag, where_of(r, info), "found test_info without 'test', expected the test's name (%s)", pt_test_list('_'));
	if (test->type != JSON_STRING)
		return wrong_type(r, test, "test", "a string, the test's name");
	if (pt_test_verb(test->text, strlen(test->text), '_', &r->run->verb) != 0)
		return vr_diag_at(r->diag, where_of(r, test), "found the test '%.80s', expected one the model knows: %s", test->text,
				  pt_test_list('_'));
	r->run->banner_line = where_of(r, test).line;
	return 0;
}

/* "Mtu" (always written) and "TX_depth" (the client's): whole numbers above
 * zero. */
static int read_setting(reader *r, const json_node *info, const char *key, int required, double *out)
{
	const json_node *v = json_get(info, key);
	if (!v) {
		if (!required)
			return 0;
		return vr_diag_at(r->diag, where_of(r, info), "found test_info without '%s', expected perftest's settings (it always writes %s)",
				  key, key);
	}
	if (v->type != JSON_NUMBER)
		return wrong_type(r, v, key, "a whole number above zero");
	if (is_perftest_failure(r, v))
		return vr_diag_at(r->diag, where_of(r, v), "found inf or nan for '%s', expected a whole number above zero", key);
	double x = json_number(v);
	if (!(x >= 1 && x <= 1e9 && x == floor(x)))
		return vr_diag_at(r->diag, where_of(r, v), "found %g for '%s', expected a whole number from 1 to 10^9", x, key);
	*out = x;
	return 0;
}

static int read_test_info(reader *r, const json_node *info)
{
	if (info->type != JSON_OBJECT)
		return wrong_type(r, info, "test_info", "an object (the test and its settings)");
	if (refuse_repeated_keys(r, info, "test_info") != 0 || read_test(r, info) != 0)
		return -1;
	return read_setting(r, info, "Mtu", 1, &r->run->mtu_bytes) != 0 || read_setting(r, info, "TX_depth", 0, &r->run->tx_depth) != 0
		       ? -1 : 0;
}

/* The column a member of results holds, or PT_COL_COUNT. */
static pt_column column_of(const char *key)
{
	for (pt_column c = 0; c < PT_COL_COUNT; c++)
		if (strcmp(key, KEYS[c]) == 0)
			return c;
	return PT_COL_COUNT;
}

/* One member of results into F. */
static int read_result(reader *r, const json_node *name, int bandwidth, pt_fields *f)
{
	const json_node *v = name + 1;
	const char *list = bandwidth ? BANDWIDTH_LIST : LATENCY_LIST;
	pt_column c = column_of(name->text);
	int of_kind = c != PT_COL_COUNT && (bandwidth ? c <= PT_COL_ITERATIONS || c >= PT_COL_BW_PEAK : c <= PT_COL_T_P999);
	if (strcmp(name->text, "CPU_util") == 0)
		return 0;   /* --cpu_util: not fitted */
	if (!of_kind)
		return vr_diag_at(r->diag, where_of(r, name),
				  "found the member '%.60s' in the results of a %s test, expected %s (and CPU_util): perftest's full report, "
				  "not --output's one figure nor -D's duration report", name->text, bandwidth ? "bandwidth" : "latency", list);
	if (v->type != JSON_NUMBER)
		return wrong_type(r, v, name->text, "a number");
	vr_where w = where_of(r, v);
	if (is_perftest_failure(r, v)) {
		if (c == PT_COL_BYTES || c == PT_COL_ITERATIONS)
			return vr_diag_at(r->diag, w, "found inf or nan for '%s', expected a whole number", name->text);
		pt_fields_set(f, c, NAN, w, "nan");
		return 0;
	}
	char text[40];
	size_t n = strspn(v->text, "0123456789+-.eE");
	snprintf(text, sizeof text, "%.*s", (int)(n < 39 ? n : 39), v->text);
	double x = json_number(v);
	if (x < 0)
		return vr_diag_at(r->diag, w, "found %s for '%s', expected a number, zero or more", text, name->text);
	pt_fields_set(f, c, x, w, text);
	return 0;
}

/* The file does not say MiB/sec or Gb/sec: MsgRate (Mpps) times MsgSize is
 * bytes per second in both; the unit is the one that agrees with it, to
 * perftest's printed rounding (BW to 0.01, MsgRate to 0.000001 Mpps). */
static int infer_unit(reader *r, pt_fields *f)
{
	double avg = f->value[PT_COL_BW_AVG], size = f->value[PT_COL_BYTES];
	double from_rate = f->value[PT_COL_MSG_RATE] * 1e6 * size;
	if (isnan(avg) || isnan(from_rate) || !(avg > 0)) {
		f->unit = PT_UNIT_MIB;   /* a failed result (not fitted) or one the checks refuse: its unit moot */
		return 0;
	}
	static const pt_bw_unit candidates[] = {PT_UNIT_MIB, PT_UNIT_GB};
	int fits[2];
	for (size_t i = 0; i < 2; i++) {
		double scale = pt_bytes_per_s_per_unit(candidates[i]);
		double tolerance = 0.005 * scale + 0.5 * size;
		fits[i] = fabs(avg * scale - from_rate) <= tolerance * (1 + 1e-9);
	}
	if (fits[0] != fits[1]) {
		f->unit = fits[0] ? PT_UNIT_MIB : PT_UNIT_GB;
		return 0;
	}
	return vr_diag_at(r->diag, f->where[PT_COL_MSG_RATE],
			  "found MsgRate %s Mpps at %s bytes, which agrees with BW_average %s in %s, expected it to tell MiB/sec "
			  "(MsgRate * MsgSize = BW_average * 2^20) from Gb/sec (--report_gbits: BW_average * 1.25e8)",
			  f->text[PT_COL_MSG_RATE], f->text[PT_COL_BYTES], f->text[PT_COL_BW_AVG], fits[0] ? "both units" : "neither unit");
}

static int read_results(reader *r, const json_node *results)
{
	if (results->type != JSON_OBJECT)
		return wrong_type(r, results, "results", "an object (perftest's figures)");
	if (refuse_repeated_keys(r, results, "results") != 0)
		return -1;
	int bandwidth = mdl_verb_is_bandwidth(r->run->verb);
	pt_fields f = {.noun = "the member", .whole = "results object", .unit = PT_UNIT_NONE};
	memcpy(f.name, KEYS, sizeof f.name);
	for (const json_node *name = json_first(results); name; name = json_next(results, name + 1))
		if (read_result(r, name, bandwidth, &f) != 0)
			return -1;
	const pt_column *need = bandwidth ? BANDWIDTH_KEYS : LATENCY_KEYS;
	size_t count = bandwidth ? sizeof BANDWIDTH_KEYS / sizeof BANDWIDTH_KEYS[0] : sizeof LATENCY_KEYS / sizeof LATENCY_KEYS[0];
	for (size_t i = 0; i < count; i++)
		if (f.where[need[i]].line == 0)
			return vr_diag_at(r->diag, where_of(r, results), "found results without '%s', expected perftest's full report: %s",
					  KEYS[need[i]], bandwidth ? BANDWIDTH_LIST : LATENCY_LIST);
	if (bandwidth && infer_unit(r, &f) != 0)
		return -1;
	r->run->bw_unit = f.unit;
	r->run->report_gbits = f.unit == PT_UNIT_GB;
	unsigned line = f.where[bandwidth ? PT_COL_BW_AVG : PT_COL_T_TYPICAL].line;
	if (pt_fields_to_row(&f, bandwidth, line, &r->run->rows[0], r->diag) != 0)
		return -1;
	r->run->row_count = 1;
	return 0;
}

/* The top level: exactly test_info, then results. */
static int read_document(reader *r)
{
	const json_node *root = r->doc.root;
	if (root->type != JSON_OBJECT)
		return vr_diag_at(r->diag, where_of(r, root), "found %s as the document, expected an object with test_info and results",
				  json_type_name((json_type)root->type));
	if (refuse_repeated_keys(r, root, "the document") != 0)
		return -1;
	for (const json_node *name = json_first(root); name; name = json_next(root, name + 1))
		if (strcmp(name->text, "test_info") != 0 && strcmp(name->text, "results") != 0)
			return vr_diag_at(r->diag, where_of(r, name), "found the member '%.60s', expected perftest's test_info and results only",
					  name->text);
	static const char *const parts[] = {"test_info", "results"};
	for (size_t i = 0; i < 2; i++)
		if (!json_get(root, parts[i]))
			return vr_diag_at(r->diag, where_of(r, root), "found no '%s', expected perftest's two members, test_info and results: "
					  "a truncated file?", parts[i]);
	return read_test_info(r, json_get(root, "test_info")) != 0 ? -1 : read_results(r, json_get(root, "results"));
}

int pt_parse_json_buffer(const char *name, const char *text, size_t length, pt_run *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", name);
	out->mtu_bytes = NAN;
	out->tx_depth = NAN;
	out->format = PT_FORMAT_JSON;
	if (refuse_unquoted_keys(out->file, text, length, diag) != 0)
		return -1;
	reader r = {.run = out, .diag = diag};
	char *copy = malloc(length + 1);
	if (!copy)
		return vr_diag_at(diag, (vr_where){out->file, 0, 0}, "out of memory");
	memcpy(copy, text, length);
	copy[length] = '\0';
	int rc = mark_perftest_failures(&r, out->file, copy, length);
	if (rc == 0)
		rc = json_load_buffer(out->file, copy, length, &r.doc, diag);
	free(copy);
	if (rc != 0)
		return -1;
	rc = read_document(&r);
	json_free(&r.doc);
	return rc;
}
