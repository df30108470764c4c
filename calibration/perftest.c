/*
 * perftest.c - line by line: banner, settings, one results table.
 */
#include "calibration/perftest.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/file.h"

enum { PT_FILE_MAX = 16 << 20, LINE_MAX_BYTES = 4096, COLUMNS_MAX = 16 };

static const double BYTES_PER_MB = 1048576.0;   /* perftest's MB: 2^20 bytes */
static const double BITS_PER_GB = 1e9;          /* perftest's --report_gbits */

/* perftest prints bandwidth to 0.01 (MB/sec or Gb/sec) and MsgRate to
 * 0.000001 Mpps, rounded: a check between two printed figures allows half a
 * printed step on each.  Rounding keeps order, but peak and average come
 * from different cycle counts: an average one step above the peak is
 * allowed too. */
static const double BW_PRINT_STEP = 0.01;
static const double MSG_RATE_PRINT_STEP_PER_S = 1;   /* 0.000001 Mpps */

/* The banners perftest prints, centred on a line of their own. */
static const struct { const char *banner; mdl_verb verb; } BANNERS[] = {
	{"RDMA_Write Latency Test", VERB_WRITE_LAT}, {"RDMA_Read Latency Test", VERB_READ_LAT},
	{"Send Latency Test", VERB_SEND_LAT},         {"RDMA_Write BW Test", VERB_WRITE_BW},
	{"RDMA_Read BW Test", VERB_READ_BW},           {"Send BW Test", VERB_SEND_BW},
	/* ib_atomic_*: "Atomic", then -A's operation (perftest_parameters.c,
	 * ctx_print_test_info); both are one test to the model */
	{"Atomic FETCH_AND_ADD Latency Test", VERB_ATOMIC_LAT}, {"Atomic CMP_AND_SWAP Latency Test", VERB_ATOMIC_LAT},
	{"Atomic FETCH_AND_ADD BW Test", VERB_ATOMIC_BW},       {"Atomic CMP_AND_SWAP BW Test", VERB_ATOMIC_BW},
};

typedef enum column {
	COL_BYTES, COL_ITERATIONS, COL_T_MIN, COL_T_MAX, COL_T_TYPICAL, COL_T_AVG, COL_T_STDEV, COL_T_P99, COL_T_P999,
	COL_BW_PEAK_MB, COL_BW_AVG_MB, COL_BW_PEAK_GB, COL_BW_AVG_GB, COL_MSG_RATE, COL_COUNT
} column;

/* Header labels; longer ones first where one is a prefix of another. */
static const char *const LABELS[COL_COUNT] = {
	[COL_BYTES] = "#bytes", [COL_ITERATIONS] = "#iterations", [COL_T_MIN] = "t_min[usec]",
	[COL_T_MAX] = "t_max[usec]", [COL_T_TYPICAL] = "t_typical[usec]", [COL_T_AVG] = "t_avg[usec]",
	[COL_T_STDEV] = "t_stdev[usec]", [COL_T_P99] = "99% percentile[usec]", [COL_T_P999] = "99.9% percentile[usec]",
	[COL_BW_PEAK_MB] = "BW peak[MB/sec]", [COL_BW_AVG_MB] = "BW average[MB/sec]", [COL_BW_PEAK_GB] = "BW peak[Gb/sec]",
	[COL_BW_AVG_GB] = "BW average[Gb/sec]", [COL_MSG_RATE] = "MsgRate[Mpps]",
};

typedef struct parser {
	pt_run *run;
	vr_diag *diag;
	vr_where at;               /* the line being read */
	int have_banner;
	int table_state;           /* 0 before, 1 inside, 2 closed */
	unsigned table_line;
	size_t column_count;
	column columns[COLUMNS_MAX];
} parser;

static int fail(parser *p, unsigned col, const char *fmt, const char *a, const char *b)
{
	vr_where w = p->at;
	w.column = col;
	return vr_diag_at(p->diag, w, fmt, a, b);
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int is_rule(const char *line)
{
	const char *s = skip_blanks(line);
	size_t dashes = strspn(s, "-");
	return dashes >= 10 && *skip_blanks(s + dashes) == '\0';
}

static int read_banner(parser *p, const char *line)
{
	const char *s = skip_blanks(line);
	for (size_t i = 0; i < sizeof BANNERS / sizeof BANNERS[0]; i++) {
		size_t n = strlen(BANNERS[i].banner);
		if (strncmp(s, BANNERS[i].banner, n) != 0 || *skip_blanks(s + n) != '\0')
			continue;
		if (p->have_banner && p->run->verb != BANNERS[i].verb) {
			char first[32];
			snprintf(first, sizeof first, "%u", p->run->banner_line);
			return fail(p, (unsigned)(s - line) + 1,
				    "found a second test, '%s', expected one test per file (the first began at line %s)",
				    BANNERS[i].banner, first);
		}
		p->have_banner = 1;
		p->run->verb = BANNERS[i].verb;
		p->run->banner_line = p->at.line;
		return 1;
	}
	return 0;
}

/* "Mtu : 1024[B]", "TX depth : 128": settings the fit needs. */
static void read_setting(parser *p, const char *line)
{
	static const struct { const char *key; size_t offset; } keys[] = {
		{"Mtu", offsetof(pt_run, mtu_bytes)}, {"TX depth", offsetof(pt_run, tx_depth)},
	};
	const char *s = skip_blanks(line);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t n = strlen(keys[i].key);
		if (strncmp(s, keys[i].key, n) != 0)
			continue;
		const char *colon = skip_blanks(s + n);
		if (*colon != ':')
			continue;
		char *end;
		double v = strtod(colon + 1, &end);
		if (end != colon + 1 && isfinite(v))
			*(double *)((char *)p->run + keys[i].offset) = v;
	}
}

static int read_header(parser *p, const char *line)
{
	p->column_count = 0;
	const char *s = skip_blanks(line);
	while (*s) {
		size_t best = COL_COUNT, best_len = 0;
		for (size_t c = 0; c < COL_COUNT; c++) {
			size_t n = strlen(LABELS[c]);
			if (n > best_len && strncmp(s, LABELS[c], n) == 0) {
				best = c;
				best_len = n;
			}
		}
		if (best == COL_COUNT) {
			char found[64];
			snprintf(found, sizeof found, "%.*s", (int)strcspn(s, " \t"), s);
			return fail(p, (unsigned)(s - line) + 1, "found the column '%s' in the table header, expected one of perftest's columns%s",
				    found, " (#bytes, #iterations, t_min[usec]..., BW peak[MB/sec]..., MsgRate[Mpps])");
		}
		if (p->column_count == COLUMNS_MAX)
			return fail(p, (unsigned)(s - line) + 1, "found more columns than perftest prints%s%s, expected at most 9", "", "");
		p->columns[p->column_count++] = (column)best;
		s = skip_blanks(s + best_len);
	}
	int has[COL_COUNT] = {0};
	for (size_t i = 0; i < p->column_count; i++)
		has[p->columns[i]]++;
	int bandwidth = has[COL_BW_AVG_MB] || has[COL_BW_AVG_GB] || has[COL_BW_PEAK_MB] || has[COL_BW_PEAK_GB] || has[COL_MSG_RATE];
	int latency = has[COL_T_MIN] || has[COL_T_TYPICAL] || has[COL_T_AVG];
	const char *need = NULL;
	if (!has[COL_BYTES])
		need = "#bytes";
	else if (!has[COL_ITERATIONS])
		need = "#iterations";
	else if (latency == bandwidth)
		need = latency ? "either latency or bandwidth columns, not both" : "latency or bandwidth columns";
	else if (latency && !has[COL_T_TYPICAL])
		need = "t_typical[usec]";
	else if (bandwidth && !has[COL_BW_AVG_MB] && !has[COL_BW_AVG_GB])
		need = "BW average[MB/sec] or [Gb/sec]";
	if (need)
		return fail(p, 1, "found a table header without %s, expected perftest's full header%s", need, "");
	for (size_t c = 0; c < COL_COUNT; c++)
		if (has[c] > 1)
			return fail(p, 1, "found the column '%s' twice in the table header, expected each once%s", LABELS[c], "");
	if (p->have_banner && mdl_verb_is_bandwidth(p->run->verb) != bandwidth)
		return fail(p, 1, "found a %s table in the output of a %s test, expected one of the test's own kind",
			    bandwidth ? "bandwidth" : "latency", bandwidth ? "latency" : "bandwidth");
	p->run->report_gbits = has[COL_BW_AVG_GB] != 0;
	p->table_state = 1;
	p->table_line = p->at.line;
	return 0;
}

static double *field_of(pt_row *r, column c, double *scale, const pt_run *run)
{
	*scale = 1;
	switch (c) {
	case COL_BYTES: return &r->size_bytes;
	case COL_ITERATIONS: return &r->iterations;
	case COL_T_MIN: return &r->t_min_us;
	case COL_T_MAX: return &r->t_max_us;
	case COL_T_TYPICAL: return &r->t_typical_us;
	case COL_T_AVG: return &r->t_avg_us;
	case COL_T_STDEV: return &r->t_stdev_us;
	case COL_T_P99: return &r->t_p99_us;
	case COL_T_P999: return &r->t_p999_us;
	case COL_BW_PEAK_MB: *scale = BYTES_PER_MB; return &r->bw_peak_bytes_per_s;
	case COL_BW_AVG_MB: *scale = BYTES_PER_MB; return &r->bw_average_bytes_per_s;
	case COL_BW_PEAK_GB: *scale = BITS_PER_GB / 8; return &r->bw_peak_bytes_per_s;
	case COL_BW_AVG_GB: *scale = BITS_PER_GB / 8; return &r->bw_average_bytes_per_s;
	case COL_MSG_RATE: *scale = 1e6; return &r->msg_rate_per_s;
	case COL_COUNT: break;
	}
	(void)run;
	return NULL;
}

/* The order a latency row's times must keep, from perftest's own
 * definitions: the minimum, the median, the percentiles and the maximum are
 * points of one sorted sample (and printing to 0.01 us keeps their order);
 * the mean lies within its range.  A row that breaks them is not a
 * measurement (an edited or corrupted file), and its t_typical must not be
 * fitted. */
static const column SORTED[] = {COL_T_MIN, COL_T_TYPICAL, COL_T_P99, COL_T_P999, COL_T_MAX};
static const column MEAN_RANGE[] = {COL_T_MIN, COL_T_AVG, COL_T_MAX};
static const char *const SORTED_RULE = "t_min <= t_typical <= 99% <= 99.9% <= t_max";
static const char *const MEAN_RULE = "t_min <= t_avg <= t_max";

/* The text of the field at COL of LINE, for a message. */
static void field_text(const char *line, unsigned col, char *out, size_t size)
{
	const char *s = line + col - 1;
	snprintf(out, size, "%.*s", (int)strcspn(s, " \t"), s);
}

/* COLUMNS (N, in the order they must keep) as the row has them. */
static int check_order(parser *p, const char *line, const double *value, const unsigned *col, const column *columns, size_t n,
		       const char *rule)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			column a = columns[i], b = columns[j];
			if (!col[a] || !col[b] || value[a] <= value[b])
				continue;
			char low[64], high[64], found[256];
			field_text(line, col[a], high, sizeof high);
			field_text(line, col[b], low, sizeof low);
			snprintf(found, sizeof found, "%s %s above %s %s", LABELS[a], high, LABELS[b], low);
			return fail(p, col[a], "found %s in the same row, expected %s", found, rule);
		}
	return 0;
}

/* A bound on one column: VALUE (in the column's unit, LIMIT in it too). */
static int check_bound(parser *p, const char *line, const double *value, const unsigned *col, column c, double limit,
		       const char *why)
{
	if (!col[c] || value[c] <= limit)
		return 0;
	char text[64], what[160];
	field_text(line, col[c], text, sizeof text);
	snprintf(what, sizeof what, "'%s', expected %s", LABELS[c], why);
	return fail(p, col[c], "found %s in the column %s", text, what);
}

/* A finite latency row: every time above zero (the spread may be zero),
 * and the order above. */
static int check_latency_row(parser *p, const char *line, const double *value, const unsigned *col)
{
	for (size_t c = COL_T_MIN; c <= COL_T_P999; c++) {
		if (!col[c] || c == COL_T_STDEV || value[c] > 0)
			continue;
		char text[64], what[96];
		field_text(line, col[c], text, sizeof text);
		snprintf(what, sizeof what, "'%s', expected a time above zero", LABELS[c]);
		return fail(p, col[c], "found %s in the column %s", text, what);
	}
	static const column BOUNDED[] = {COL_T_MIN, COL_T_TYPICAL, COL_T_AVG, COL_T_STDEV};
	for (size_t i = 0; i < sizeof BOUNDED / sizeof BOUNDED[0]; i++)
		if (check_bound(p, line, value, col, BOUNDED[i], PT_LATENCY_MAX_US, "at most 1 s (a second is a timeout, not an RDMA transfer)") != 0)
			return -1;
	if (check_order(p, line, value, col, SORTED, sizeof SORTED / sizeof SORTED[0], SORTED_RULE) != 0)
		return -1;
	return check_order(p, line, value, col, MEAN_RANGE, sizeof MEAN_RANGE / sizeof MEAN_RANGE[0], MEAN_RULE);
}

/* A finite bandwidth row, by perftest's definitions: BW average above zero
 * and within physical bounds; BW peak (the best interval) not below it,
 * unless perftest left the peak out (0: its noPeak setting); MsgRate the
 * average over the message size (perftest computes both from the same
 * iterations and cycles, so only their printed rounding separates them). */
static int check_bandwidth_row(parser *p, const char *line, const double *value, const unsigned *col, const pt_row *r)
{
	column avg = col[COL_BW_AVG_GB] ? COL_BW_AVG_GB : COL_BW_AVG_MB;
	column peak = col[COL_BW_AVG_GB] ? COL_BW_PEAK_GB : COL_BW_PEAK_MB;
	double scale = col[COL_BW_AVG_GB] ? BITS_PER_GB / 8 : BYTES_PER_MB;   /* bytes per second per printed unit */
	double limit = PT_BW_MAX_BITS_PER_S / 8 / scale;
	if (check_bound(p, line, value, col, avg, limit, "at most 10 Tbit/s (no RDMA link carries more)") != 0 ||
	    check_bound(p, line, value, col, peak, limit, "at most 10 Tbit/s (no RDMA link carries more)") != 0)
		return -1;
	char text[64], other[64], found[256];
	if (!(value[avg] > 0)) {
		field_text(line, col[avg], text, sizeof text);
		return fail(p, col[avg], "found %s in the column '%s', expected a bandwidth above zero", text, LABELS[avg]);
	}
	if (col[peak] && value[peak] != 0 && value[avg] > value[peak] + BW_PRINT_STEP) {
		field_text(line, col[avg], text, sizeof text);
		field_text(line, col[peak], other, sizeof other);
		snprintf(found, sizeof found, "%s %s above %s %s", LABELS[avg], text, LABELS[peak], other);
		return fail(p, col[avg], "found %s in the same row, expected %s", found,
			    "BW average <= BW peak (to 0.01, perftest's printed step)");
	}
	if (col[COL_MSG_RATE]) {
		double expected_per_s = r->bw_average_bytes_per_s / r->size_bytes;
		double tolerance_per_s = (BW_PRINT_STEP / 2) * scale / r->size_bytes + MSG_RATE_PRINT_STEP_PER_S / 2;
		if (fabs(r->msg_rate_per_s - expected_per_s) > tolerance_per_s * (1 + 1e-9)) {
			field_text(line, col[COL_MSG_RATE], text, sizeof text);
			snprintf(other, sizeof other, "%.6f", expected_per_s / 1e6);
			snprintf(found, sizeof found, "%s %s, expected BW average / #bytes = %s Mpps", LABELS[COL_MSG_RATE], text, other);
			return fail(p, col[COL_MSG_RATE], "found %s (to perftest's printed rounding)%s", found, "");
		}
	}
	return 0;
}

static int read_row(parser *p, const char *line)
{
	pt_run *run = p->run;
	if (run->row_count == PT_ROWS_MAX)
		return fail(p, 1, "found more than 64 rows in the table%s%s, expected perftest's sizes (2 B to 8 MiB: 23)", "", "");
	pt_row *r = &run->rows[run->row_count];
	double nan = NAN;
	*r = (pt_row){nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, p->at.line, 1};
	const char *s = skip_blanks(line);
	size_t k = 0;
	double value[COL_COUNT];
	unsigned col[COL_COUNT] = {0};   /* 0: not in this table */
	while (*s) {
		size_t len = strcspn(s, " \t");
		if (k == p->column_count) {
			char found[64], expected[64];
			snprintf(found, sizeof found, "more than %zu fields", p->column_count);
			snprintf(expected, sizeof expected, "%zu (the columns of the header at line %u)", p->column_count, p->table_line);
			return fail(p, (unsigned)(s - line) + 1, "found %s, expected %s", found, expected);
		}
		char text[64], *end;
		snprintf(text, sizeof text, "%.*s", (int)(len < 63 ? len : 63), s);
		double v = strtod(text, &end);
		/* perftest's own non-numbers, in result columns only */
		static const char *const failed[] = {"inf", "-inf", "nan", "-nan"};
		int perftest_failed = 0;
		for (size_t f = 0; f < sizeof failed / sizeof failed[0]; f++)
			perftest_failed |= strcmp(text, failed[f]) == 0;
		if (perftest_failed && p->columns[k] != COL_BYTES && p->columns[k] != COL_ITERATIONS) {
			r->finite = 0;
			v = NAN;
		} else if (*end != '\0' || end == text || !isfinite(v) || v < 0) {
			char what[96];
			snprintf(what, sizeof what, "a number, zero or more, in the column '%s'", LABELS[p->columns[k]]);
			return fail(p, (unsigned)(s - line) + 1, "found '%s', expected %s", text, what);
		}
		double scale;
		double *field = field_of(r, p->columns[k], &scale, run);
		*field = v * scale;
		value[p->columns[k]] = v;
		col[p->columns[k]] = (unsigned)(s - line) + 1;
		k++;
		s = skip_blanks(s + len);
	}
	if (k < p->column_count) {
		char found[48], expected[64];
		snprintf(found, sizeof found, "%zu field%s", k, k == 1 ? "" : "s");
		snprintf(expected, sizeof expected, "%zu (the columns of the header at line %u)", p->column_count, p->table_line);
		return fail(p, (unsigned)(s - line) + 1, "found %s, expected %s", found, expected);
	}
	if (r->size_bytes < 1 || r->size_bytes != floor(r->size_bytes) || r->iterations < 1)
		return fail(p, 1, "found a row with %s, expected %s", r->size_bytes < 1 || r->size_bytes != floor(r->size_bytes)
			    ? "a message size that is not a whole number of bytes" : "no iterations", "a size of 1 byte or more and 1 iteration or more");
	int bandwidth = col[COL_BW_AVG_MB] || col[COL_BW_AVG_GB];   /* the header has one kind of columns */
	if (r->finite && (bandwidth ? check_bandwidth_row(p, line, value, col, r) : check_latency_row(p, line, value, col)) != 0)
		return -1;
	run->row_count++;
	return 0;
}

static int read_line(parser *p, const char *line)
{
	if (p->table_state == 1) {
		if (is_rule(line)) {
			if (p->run->row_count == 0)
				return fail(p, 1, "found the table closed without a row%s%s, expected at least one result row", "", "");
			p->table_state = 2;
			return 0;
		}
		if (*skip_blanks(line) == '\0')
			return 0;
		return read_row(p, line);
	}
	int banner = read_banner(p, line);
	if (banner != 0)
		return banner < 0 ? -1 : 0;
	const char *s = skip_blanks(line);
	if (strncmp(s, "#bytes", 6) == 0) {
		if (p->table_state == 2)
			return fail(p, (unsigned)(s - line) + 1, "found a second results table%s%s, expected one run per file", "", "");
		return read_header(p, line);
	}
	read_setting(p, line);
	return 0;
}

int pt_parse_buffer(const char *name, const char *text, size_t length, pt_run *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", name);
	out->mtu_bytes = NAN;
	out->tx_depth = NAN;
	parser p = {.run = out, .diag = diag, .at = {out->file, 0, 0}};
	const char *s = text, *end = text + length;
	char line[LINE_MAX_BYTES];
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		p.at.line++;
		if (len >= sizeof line)
			return fail(&p, 1, "found a line of %s bytes%s, expected perftest's lines (under 4 KiB)", "many", "");
		memcpy(line, s, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (memchr(s, '\0', len))
			return fail(&p, 1, "found a NUL byte%s%s, expected text", "", "");
		if (read_line(&p, line) != 0)
			return -1;
		s = nl ? nl + 1 : end;
	}
	p.at.line++;
	if (p.table_state == 1)
		return vr_diag_at(diag, (vr_where){out->file, p.table_line, 1},
				  "found the results table cut off at the end of the file, expected it closed by a dashed rule: a truncated output?");
	if (p.table_state == 0)
		return vr_diag_at(diag, (vr_where){out->file, 0, 0},
				  "found no results table, expected perftest's output with its '#bytes #iterations ...' table");
	if (!p.have_banner)
		return vr_diag_at(diag, (vr_where){out->file, 0, 0},
				  "found no test banner ('RDMA_Write Latency Test', 'Send BW Test'...), expected perftest's full output");
	return 0;
}

int pt_parse_file(const char *path, pt_run *out, vr_diag *diag)
{
	char *text;
	size_t length;
	if (vr_read_file(path, PT_FILE_MAX, "a perftest output", &text, &length, diag) != 0)
		return -1;
	int rc = pt_parse_buffer(path, text, length, out, diag);
	free(text);
	return rc;
}
