/*
 * reference.c - the reference workload's runs in a dataset's metadata.
 */
#include "calibration/reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The workload's fixed amounts take 27 ms natively on a 2026 server core
 * and about eight times that under QEMU TCG: below 1 ms or above an hour, the file
 * was edited or the run broken (and the scale would run off). */
static const double REFERENCE_MIN_NS = 1e6, REFERENCE_MAX_NS = 3.6e12;

static int positive_number(const yt_node *map, const char *key, const char *what, double *out, vr_diag *diag)
{
	const yt_node *n = yt_get(map, key);
	if (!n)
		return vr_diag_at(diag, map->where, "found a result without %s, expected %s (measure-softroce --reference writes it for every test)", key, what);
	if (n->type != YT_SCALAR)
		return vr_diag_at(diag, n->where, "found %s for %s, expected %s", yt_type_name(n->type), key, what);
	char *end;
	double v = strtod(n->text, &end);
	if (end == n->text || *end != '\0' || !isfinite(v) || !(v >= REFERENCE_MIN_NS && v <= REFERENCE_MAX_NS))
		return vr_diag_at(diag, n->where, "found '%s' for %s, expected %s (from %.0f to %.0f)", n->text, key, what,
				  REFERENCE_MIN_NS, REFERENCE_MAX_NS);
	*out = v;
	return 0;
}

static int read_version(const yt_node *block, vr_diag *diag)
{
	if (block->type != YT_MAP)
		return vr_diag_at(diag, block->where, "found %s for reference_workload, expected a map (version, runs)", yt_type_name(block->type));
	const yt_node *v = yt_get(block, "version");
	if (!v)
		return vr_diag_at(diag, block->where, "found reference_workload without a version, expected version: %d", CAL_REFERENCE_VERSION);
	char expected[16];
	snprintf(expected, sizeof expected, "%d", CAL_REFERENCE_VERSION);
	if (v->type != YT_SCALAR || strcmp(v->text, expected) != 0)
		return vr_diag_at(diag, v->where,
				  "found the reference workload's version '%s', expected %d (another version does other work: its times are not comparable)",
				  v->type == YT_SCALAR ? v->text : yt_type_name(v->type), CAL_REFERENCE_VERSION);
	return 0;
}

static int read_test(const yt_node *result, cal_reference *out, vr_diag *diag)
{
	if (result->type != YT_MAP)
		return vr_diag_at(diag, result->where, "found %s in results, expected a map per test", yt_type_name(result->type));
	const yt_node *file = yt_get(result, "file");
	if (!file)
		return 0;   /* not a test's output: nothing to normalise */
	if (file->type != YT_SCALAR || strchr(file->text, '/') || strlen(file->text) >= sizeof out->tests[0].file)
		return vr_diag_at(diag, file->where, "found '%s' for file, expected the base name of a perftest output",
				  file->type == YT_SCALAR ? file->text : yt_type_name(file->type));
	if (out->count == CAL_REFERENCE_TESTS_MAX)
		return vr_diag_at(diag, result->where, "found more than %d results, expected at most %d", CAL_REFERENCE_TESTS_MAX,
				  CAL_REFERENCE_TESTS_MAX);
	cal_reference_test *t = &out->tests[out->count];
	snprintf(t->file, sizeof t->file, "%s", file->text);
	t->where = result->where;
	t->where.file = out->file;
	if (positive_number(result, "reference_before_ns", "the reference workload's time before the test, in ns",
			    &t->before_ns[CAL_REFERENCE_ELAPSED], diag) ||
	    positive_number(result, "reference_after_ns", "the reference workload's time after the test, in ns",
			    &t->after_ns[CAL_REFERENCE_ELAPSED], diag) ||
	    positive_number(result, "reference_typical_before_ns", "the reference workload's typical time (median chunk) before the test, in ns",
			    &t->before_ns[CAL_REFERENCE_TYPICAL], diag) ||
	    positive_number(result, "reference_typical_after_ns", "the reference workload's typical time (median chunk) after the test, in ns",
			    &t->after_ns[CAL_REFERENCE_TYPICAL], diag))
		return -1;
	for (size_t i = 0; i < out->count; i++)
		if (strcmp(out->tests[i].file, t->file) == 0)
			return vr_diag_at(diag, file->where, "found a second result for %s, expected one per test (the first is at line %u)",
					  t->file, out->tests[i].where.line);
	out->count++;
	return 0;
}

int cal_reference_read(const yt_node *root, cal_reference *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	const yt_node *block = root && root->type == YT_MAP ? yt_get(root, "reference_workload") : NULL;
	if (!block)
		return 0;
	out->present = 1;
	snprintf(out->file, sizeof out->file, "%s", block->where.file ? block->where.file : "metadata.yaml");
	out->where = block->where;
	out->where.file = out->file;
	if (read_version(block, diag) != 0)
		return -1;
	const yt_node *results = yt_get(root, "results");
	if (!results || results->type != YT_SEQ)
		return vr_diag_at(diag, results ? results->where : root->where,
				  "found reference_workload but no results list, expected results: [...] with each test's reference runs");
	out->results_where = results->where;
	out->results_where.file = out->file;
	for (size_t i = 0; i < results->count; i++)
		if (read_test(results->items[i], out, diag) != 0)
			return -1;
	return 0;
}

const cal_reference_test *cal_reference_find(const cal_reference *ref, const char *file)
{
	for (size_t i = 0; i < ref->count; i++)
		if (strcmp(ref->tests[i].file, file) == 0)
			return &ref->tests[i];
	return NULL;
}

double cal_reference_scale(const cal_reference_test *t, cal_reference_statistic s)
{
	return CAL_REFERENCE_NOMINAL_NS / ((t->before_ns[s] + t->after_ns[s]) / 2);
}

double cal_reference_drift(const cal_reference_test *t, cal_reference_statistic s)
{
	return fabs(t->after_ns[s] - t->before_ns[s]) / (t->after_ns[s] + t->before_ns[s]);
}

static double change_of(const cal_reference_test *t, cal_reference_statistic s)
{
	return fabs(t->after_ns[s] - t->before_ns[s]) / fmin(t->after_ns[s], t->before_ns[s]);
}

double cal_reference_change(const cal_reference_test *t)
{
	return fmax(change_of(t, CAL_REFERENCE_ELAPSED), change_of(t, CAL_REFERENCE_TYPICAL));
}
