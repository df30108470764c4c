/*
 * perftest_row.c - a perftest result's checks, shared by the text and JSON
 * readers, and its conversion into a pt_row.
 */
#include "calibration/perftest_row.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* perftest prints bandwidth to 0.01 (MB/sec, MiB/sec or Gb/sec; Gb/sec
 * below 0.1 to 0.000001) and MsgRate to 0.000001 Mpps, rounded: a check
 * between two printed figures allows half a printed step on each.
 * Rounding keeps order, but peak and average come from different cycle
 * counts: an average one step above the peak is allowed too. */
static const double BW_PRINT_STEP = 0.01;
static const double MSG_RATE_PRINT_STEP_PER_S = 1;   /* 0.000001 Mpps */

static const struct { double bytes_per_s; const char *name; } UNITS[PT_UNIT_COUNT] = {
	[PT_UNIT_NONE] = {NAN, "(none)"},
	[PT_UNIT_MB] = {1048576.0, "MB/sec"},       /* perftest 4.x: 2^20 bytes (divides by 0x100000) */
	[PT_UNIT_MIB] = {1048576.0, "MiB/sec"},     /* perftest >= 24.07: the same 2^20 bytes, named right */
	[PT_UNIT_GB] = {1e9 / 8, "Gb/sec"},         /* --report_gbits: 10^9 bits (divides by 125000000) */
};

double pt_bytes_per_s_per_unit(pt_bw_unit unit)
{
	return UNITS[unit].bytes_per_s;
}

const char *pt_unit_name(pt_bw_unit unit)
{
	return UNITS[unit].name;
}

void pt_fields_set(pt_fields *f, pt_column c, double value, vr_where where, const char *text)
{
	f->value[c] = value;
	f->where[c] = where;
	snprintf(f->text[c], sizeof f->text[c], "%s", text);
}

static int has(const pt_fields *f, pt_column c)
{
	return f->where[c].line != 0;
}

static int fail_at(const pt_fields *f, pt_column c, const char *found, const char *expected, vr_diag *diag)
{
	return vr_diag_at(diag, f->where[c], "found %s, expected %s", found, expected);
}

/* "2e6 in the column 't_typical[usec]'" */
static int fail_value(const pt_fields *f, pt_column c, const char *expected, vr_diag *diag)
{
	char found[160];
	snprintf(found, sizeof found, "%s in %s '%s'", f->text[c], f->noun, f->name[c]);
	return fail_at(f, c, found, expected, diag);
}

/* The order a latency result's times must keep, from perftest's own
 * definitions: the minimum, the median, the percentiles and the maximum are
 * points of one sorted sample (and printing to 0.01 us keeps their order);
 * the mean lies within its range.  A result that breaks them is not a
 * measurement (an edited or corrupted file), and its t_typical must not be
 * fitted. */
static const pt_column SORTED[] = {PT_COL_T_MIN, PT_COL_T_TYPICAL, PT_COL_T_P99, PT_COL_T_P999, PT_COL_T_MAX};
static const pt_column MEAN_RANGE[] = {PT_COL_T_MIN, PT_COL_T_AVG, PT_COL_T_MAX};
static const char *const SORTED_RULE = "t_min <= t_typical <= 99% <= 99.9% <= t_max";
static const char *const MEAN_RULE = "t_min <= t_avg <= t_max";

/* COLUMNS (N, in the order they must keep) as the result has them. */
static int check_order(const pt_fields *f, const pt_column *columns, size_t n, const char *rule, vr_diag *diag)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			pt_column a = columns[i], b = columns[j];
			if (!has(f, a) || !has(f, b) || f->value[a] <= f->value[b])
				continue;
			char found[256];
			snprintf(found, sizeof found, "%s %s above %s %s in the same %s", f->name[a], f->text[a], f->name[b],
				 f->text[b], f->whole);
			return fail_at(f, a, found, rule, diag);
		}
	return 0;
}

/* A bound on one field, LIMIT in its unit. */
static int check_bound(const pt_fields *f, pt_column c, double limit, const char *why, vr_diag *diag)
{
	if (!has(f, c) || f->value[c] <= limit)
		return 0;
	return fail_value(f, c, why, diag);
}

/* A finite latency result: every time above zero (the spread may be zero),
 * at most a second, and the order above. */
static int check_latency(const pt_fields *f, vr_diag *diag)
{
	for (pt_column c = PT_COL_T_MIN; c <= PT_COL_T_P999; c++)
		if (has(f, c) && c != PT_COL_T_STDEV && !(f->value[c] > 0))
			return fail_value(f, c, "a time above zero", diag);
	static const pt_column BOUNDED[] = {PT_COL_T_MIN, PT_COL_T_TYPICAL, PT_COL_T_AVG, PT_COL_T_STDEV};
	for (size_t i = 0; i < sizeof BOUNDED / sizeof BOUNDED[0]; i++)
		if (check_bound(f, BOUNDED[i], PT_LATENCY_MAX_US, "at most 1 s (a second is a timeout, not an RDMA transfer)", diag))
			return -1;
	if (check_order(f, SORTED, sizeof SORTED / sizeof SORTED[0], SORTED_RULE, diag) != 0)
		return -1;
	return check_order(f, MEAN_RANGE, sizeof MEAN_RANGE / sizeof MEAN_RANGE[0], MEAN_RULE, diag);
}

/* A finite bandwidth result, by perftest's definitions: BW average above
 * zero and within physical bounds; BW peak (the best interval) not below
 * it, unless perftest left the peak out (0: its noPeak setting); MsgRate the
 * average over the message size (perftest computes both from the same
 * iterations and cycles, so only their printed rounding separates them). */
static int check_bandwidth(const pt_fields *f, const pt_row *r, vr_diag *diag)
{
	double scale = pt_bytes_per_s_per_unit(f->unit);
	double limit = PT_BW_MAX_BITS_PER_S / 8 / scale;
	const char *physics = "at most 10 Tbit/s (no RDMA link carries more)";
	if (check_bound(f, PT_COL_BW_AVG, limit, physics, diag) != 0 || check_bound(f, PT_COL_BW_PEAK, limit, physics, diag) != 0)
		return -1;
	if (!(f->value[PT_COL_BW_AVG] > 0))
		return fail_value(f, PT_COL_BW_AVG, "a bandwidth above zero", diag);
	if (has(f, PT_COL_BW_PEAK) && !(f->value[PT_COL_BW_PEAK] >= 0))
		return fail_value(f, PT_COL_BW_PEAK, "a bandwidth of zero or more", diag);
	char found[256];
	if (has(f, PT_COL_BW_PEAK) && f->value[PT_COL_BW_PEAK] != 0 &&
	    f->value[PT_COL_BW_AVG] > f->value[PT_COL_BW_PEAK] + BW_PRINT_STEP) {
		snprintf(found, sizeof found, "%s %s above %s %s in the same %s", f->name[PT_COL_BW_AVG], f->text[PT_COL_BW_AVG],
			 f->name[PT_COL_BW_PEAK], f->text[PT_COL_BW_PEAK], f->whole);
		return fail_at(f, PT_COL_BW_AVG, found, "BW average <= BW peak (to 0.01, perftest's printed step)", diag);
	}
	if (!has(f, PT_COL_MSG_RATE))
		return 0;
	double expected_per_s = r->bw_average_bytes_per_s / r->size_bytes;
	double tolerance_per_s = (BW_PRINT_STEP / 2) * scale / r->size_bytes + MSG_RATE_PRINT_STEP_PER_S / 2;
	if (!(f->value[PT_COL_MSG_RATE] >= 0) || fabs(r->msg_rate_per_s - expected_per_s) > tolerance_per_s * (1 + 1e-9)) {
		char expected[96];
		snprintf(found, sizeof found, "%s %s", f->name[PT_COL_MSG_RATE], f->text[PT_COL_MSG_RATE]);
		snprintf(expected, sizeof expected, "BW average / #bytes = %.6f Mpps (to perftest's printed rounding)", expected_per_s / 1e6);
		return fail_at(f, PT_COL_MSG_RATE, found, expected, diag);
	}
	return 0;
}

/* The message size and the count: whole, and within perftest's limits. */
static int check_counts(const pt_fields *f, vr_diag *diag)
{
	double size = f->value[PT_COL_BYTES], iterations = f->value[PT_COL_ITERATIONS];
	if (!(size >= 1 && size <= PT_SIZE_MAX_BYTES && size == floor(size)))
		return fail_value(f, PT_COL_BYTES, "a whole number of bytes from 1 to 2147483647 (perftest's -s range)", diag);
	if (!(iterations >= 1 && iterations <= PT_ITERATIONS_MAX && iterations == floor(iterations)))
		return fail_value(f, PT_COL_ITERATIONS, "a whole count from 1 to 2^32 (perftest's -n range)", diag);
	return 0;
}

int pt_fields_to_row(const pt_fields *f, int bandwidth, unsigned line, pt_row *row, vr_diag *diag)
{
	double nan = NAN;
	*row = (pt_row){nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, line, 1};
	if (check_counts(f, diag) != 0)
		return -1;
	double *field[PT_COL_COUNT] = {
		&row->size_bytes, &row->iterations, &row->t_min_us, &row->t_max_us, &row->t_typical_us, &row->t_avg_us,
		&row->t_stdev_us, &row->t_p99_us, &row->t_p999_us, &row->bw_peak_bytes_per_s, &row->bw_average_bytes_per_s,
		&row->msg_rate_per_s,
	};
	for (pt_column c = 0; c < PT_COL_COUNT; c++) {
		if (!has(f, c))
			continue;
		double scale = c == PT_COL_BW_PEAK || c == PT_COL_BW_AVG ? pt_bytes_per_s_per_unit(f->unit) : c == PT_COL_MSG_RATE ? 1e6 : 1;
		*field[c] = f->value[c] * scale;
		if (isnan(f->value[c]))
			row->finite = 0;   /* perftest's failed clock sample: kept, not checked */
	}
	if (!row->finite)
		return 0;
	return bandwidth ? check_bandwidth(f, row, diag) : check_latency(f, diag);
}
