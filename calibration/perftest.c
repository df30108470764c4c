/*
 * perftest.c - perftest's text, line by line: banner, settings, one
 * results table (4.x's MB/sec and >= 24.07's MiB/sec alike).
 */
#include "calibration/perftest.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/perftest_row.h"
#include "input/file.h"

enum { PT_FILE_MAX = 16 << 20, LINE_MAX_BYTES = 4096, COLUMNS_MAX = 16, LABEL_MAX = 32 };

/* The banners perftest prints, centred on a line of their own; its JSON
 * names the test the same way with '_' for ' ' (perftest_parameters.c,
 * ctx_print_test_info and write_test_info_to_file). */
static const struct { const char *banner; mdl_verb verb; } BANNERS[] = {
	{"RDMA_Write Latency Test", VERB_WRITE_LAT}, {"RDMA_Read Latency Test", VERB_READ_LAT},
	{"Send Latency Test", VERB_SEND_LAT},         {"RDMA_Write BW Test", VERB_WRITE_BW},
	{"RDMA_Read BW Test", VERB_READ_BW},           {"Send BW Test", VERB_SEND_BW},
	/* ib_atomic_*: "Atomic", then -A's operation (perftest_parameters.c,
	 * ctx_print_test_info); both are one test to the model */
	{"Atomic FETCH_AND_ADD Latency Test", VERB_ATOMIC_LAT}, {"Atomic CMP_AND_SWAP Latency Test", VERB_ATOMIC_LAT},
	{"Atomic FETCH_AND_ADD BW Test", VERB_ATOMIC_BW},       {"Atomic CMP_AND_SWAP BW Test", VERB_ATOMIC_BW},
};
enum { BANNER_COUNT = sizeof BANNERS / sizeof BANNERS[0] };

/* The first word of every test perftest names (testsStr in
 * perftest_parameters.c, 24.07): a line made of one of them and ending in
 * "Test" is a banner, known or not. */
static const char *const TEST_WORDS[] = {"Send", "RDMA_Write", "RDMA_Write_imm", "RDMA_Read", "Atomic"};

int pt_test_verb(const char *banner, size_t length, char separator, mdl_verb *verb)
{
	for (size_t i = 0; i < BANNER_COUNT; i++) {
		const char *b = BANNERS[i].banner;
		if (strlen(b) != length)
			continue;
		size_t k = 0;
		while (k < length && (b[k] == ' ' ? banner[k] == separator : banner[k] == b[k]))
			k++;
		if (k == length) {
			*verb = BANNERS[i].verb;
			return 0;
		}
	}
	return -1;
}

const char *pt_test_list(char separator)
{
	static char lists[2][600];
	char *list = lists[separator == '_'];
	if (list[0])
		return list;
	for (size_t i = 0, n = 0; i < BANNER_COUNT; i++)
		n += (size_t)snprintf(list + n, sizeof lists[0] - n, "%s%s", i ? ", " : "", BANNERS[i].banner);
	for (char *c = list; *c; c++)
		if (*c == ' ' && c[-1] != ',')
			*c = separator;
	return list;
}

/* Header labels; a bandwidth column's label is its stem, then its unit in
 * brackets (MB/sec, MiB/sec or Gb/sec).  Longer ones first where one is a
 * prefix of another. */
static const char *const LABELS[PT_COL_COUNT] = {
	[PT_COL_BYTES] = "#bytes", [PT_COL_ITERATIONS] = "#iterations", [PT_COL_T_MIN] = "t_min[usec]",
	[PT_COL_T_MAX] = "t_max[usec]", [PT_COL_T_TYPICAL] = "t_typical[usec]", [PT_COL_T_AVG] = "t_avg[usec]",
	[PT_COL_T_STDEV] = "t_stdev[usec]", [PT_COL_T_P99] = "99% percentile[usec]", [PT_COL_T_P999] = "99.9% percentile[usec]",
	[PT_COL_BW_PEAK] = "BW peak[", [PT_COL_BW_AVG] = "BW average[", [PT_COL_MSG_RATE] = "MsgRate[Mpps]",
};

typedef struct parser {
	pt_run *run;
	vr_diag *diag;
	vr_where at;               /* the line being read */
	int have_banner;
	int table_state;           /* 0 before, 1 inside, 2 closed */
	unsigned table_line;
	size_t column_count;
	pt_column columns[COLUMNS_MAX];
	char label[PT_COL_COUNT][LABEL_MAX];   /* each column's label as the header printed it */
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

/* A line that names a test the way perftest's banner does: one of its test
 * words first, "Test" last. */
static int looks_like_banner(const char *s, size_t length)
{
	if (length < 5 || strncmp(s + length - 5, " Test", 5) != 0)
		return 0;
	size_t first = strcspn(s, " ");
	for (size_t i = 0; i < sizeof TEST_WORDS / sizeof TEST_WORDS[0]; i++)
		if (strlen(TEST_WORDS[i]) == first && strncmp(s, TEST_WORDS[i], first) == 0)
			return 1;
	return 0;
}

static int read_banner(parser *p, const char *line)
{
	const char *s = skip_blanks(line);
	size_t length = strlen(s);
	while (length && (s[length - 1] == ' ' || s[length - 1] == '\t'))
		length--;
	mdl_verb verb;
	if (pt_test_verb(s, length, ' ', &verb) != 0) {
		if (!looks_like_banner(s, length))
			return 0;
		char found[128];
		snprintf(found, sizeof found, "%.*s", (int)(length < 100 ? length : 100), s);
		return fail(p, (unsigned)(s - line) + 1, "found the test '%s', expected one the model knows: %s", found, pt_test_list(' '));
	}
	if (p->have_banner && p->run->verb != verb) {
		char first[32], found[128];
		snprintf(first, sizeof first, "%u", p->run->banner_line);
		snprintf(found, sizeof found, "%.*s", (int)length, s);
		return fail(p, (unsigned)(s - line) + 1,
			    "found a second test, '%s', expected one test per file (the first began at line %s)", found, first);
	}
	p->have_banner = 1;
	p->run->verb = verb;
	p->run->banner_line = p->at.line;
	return 1;
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

/* The unit in "BW peak[UNIT]" at S (after the '['): its length up to ']'
 * into *LENGTH. */
static int read_unit(parser *p, const char *line, const char *s, pt_bw_unit *unit, size_t *length)
{
	size_t n = strcspn(s, "] \t");
	for (pt_bw_unit u = PT_UNIT_MB; u < PT_UNIT_COUNT; u++)
		if (strlen(pt_unit_name(u)) == n && strncmp(s, pt_unit_name(u), n) == 0 && s[n] == ']') {
			*unit = u;
			*length = n + 1;
			return 0;
		}
	char found[64];
	snprintf(found, sizeof found, "%.*s", (int)(n < 40 ? n : 40), s);
	return fail(p, (unsigned)(s - line) + 1, "found the bandwidth unit '%s'%s, expected MB/sec (perftest 4.x), MiB/sec "
		    "(perftest >= 24.07) or Gb/sec (--report_gbits), closed by ']'", found, "");
}

/* The column at S: its label into P's labels. */
static int read_column(parser *p, const char *line, const char **s, pt_bw_unit *unit)
{
	size_t best = PT_COL_COUNT, best_len = 0;
	for (size_t c = 0; c < PT_COL_COUNT; c++) {
		size_t n = strlen(LABELS[c]);
		if (n > best_len && strncmp(*s, LABELS[c], n) == 0) {
			best = c;
			best_len = n;
		}
	}
	if (best == PT_COL_COUNT) {
		char found[64];
		snprintf(found, sizeof found, "%.*s", (int)strcspn(*s, " \t"), *s);
		return fail(p, (unsigned)(*s - line) + 1, "found the column '%s' in the table header, expected one of perftest's columns%s",
			    found, " (#bytes, #iterations, t_min[usec]..., BW peak[MB/sec]..., MsgRate[Mpps])");
	}
	if (best == PT_COL_BW_PEAK || best == PT_COL_BW_AVG) {
		pt_bw_unit u = PT_UNIT_NONE;
		size_t n = 0;
		if (read_unit(p, line, *s + best_len, &u, &n) != 0)
			return -1;
		if (*unit != PT_UNIT_NONE && u != *unit)
			return fail(p, (unsigned)(*s - line) + 1, "found the unit %s beside %s, expected one unit for the table's bandwidth",
				    pt_unit_name(u), pt_unit_name(*unit));
		*unit = u;
		best_len += n;
	}
	if (p->column_count == COLUMNS_MAX)
		return fail(p, (unsigned)(*s - line) + 1, "found more columns than perftest prints%s%s, expected at most 9", "", "");
	snprintf(p->label[best], LABEL_MAX, "%.*s", (int)best_len, *s);
	p->columns[p->column_count++] = (pt_column)best;
	*s = skip_blanks(*s + best_len);
	return 0;
}

static int read_header(parser *p, const char *line)
{
	p->column_count = 0;
	pt_bw_unit unit = PT_UNIT_NONE;
	const char *s = skip_blanks(line);
	while (*s)
		if (read_column(p, line, &s, &unit) != 0)
			return -1;
	int has[PT_COL_COUNT] = {0};
	for (size_t i = 0; i < p->column_count; i++)
		has[p->columns[i]]++;
	int bandwidth = has[PT_COL_BW_AVG] || has[PT_COL_BW_PEAK] || has[PT_COL_MSG_RATE];
	int latency = has[PT_COL_T_MIN] || has[PT_COL_T_TYPICAL] || has[PT_COL_T_AVG];
	const char *need = NULL;
	if (!has[PT_COL_BYTES])
		need = "#bytes";
	else if (!has[PT_COL_ITERATIONS])
		need = "#iterations";
	else if (latency == bandwidth)
		need = latency ? "either latency or bandwidth columns, not both" : "latency or bandwidth columns";
	else if (latency && !has[PT_COL_T_TYPICAL])
		need = "t_typical[usec]";
	else if (bandwidth && !has[PT_COL_BW_AVG])
		need = "BW average[MB/sec], [MiB/sec] or [Gb/sec]";
	if (need)
		return fail(p, 1, "found a table header without %s, expected perftest's full header%s", need, "");
	for (size_t c = 0; c < PT_COL_COUNT; c++)
		if (has[c] > 1)
			return fail(p, 1, "found the column '%s' twice in the table header, expected each once%s", p->label[c], "");
	if (p->have_banner && mdl_verb_is_bandwidth(p->run->verb) != bandwidth)
		return fail(p, 1, "found a %s table in the output of a %s test, expected one of the test's own kind",
			    bandwidth ? "bandwidth" : "latency", bandwidth ? "latency" : "bandwidth");
	p->run->bw_unit = unit;
	p->run->report_gbits = unit == PT_UNIT_GB;
	p->table_state = 1;
	p->table_line = p->at.line;
	return 0;
}

/* One field of a row at S (LENGTH bytes) into F's column C. */
static int read_field(parser *p, const char *line, const char *s, size_t len, pt_column c, pt_fields *f)
{
	char text[64], *end;
	snprintf(text, sizeof text, "%.*s", (int)(len < 63 ? len : 63), s);
	double v = strtod(text, &end);
	/* perftest's own non-numbers, in result columns only */
	static const char *const failed[] = {"inf", "-inf", "nan", "-nan"};
	int perftest_failed = 0;
	for (size_t k = 0; k < sizeof failed / sizeof failed[0]; k++)
		perftest_failed |= strcmp(text, failed[k]) == 0;
	if (perftest_failed && c != PT_COL_BYTES && c != PT_COL_ITERATIONS) {
		v = NAN;
	} else if (*end != '\0' || end == text || !isfinite(v) || v < 0) {
		char what[96];
		snprintf(what, sizeof what, "a number, zero or more, in the column '%s'", p->label[c]);
		return fail(p, (unsigned)(s - line) + 1, "found '%s', expected %s", text, what);
	}
	vr_where w = p->at;
	w.column = (unsigned)(s - line) + 1;
	pt_fields_set(f, c, v, w, text);
	return 0;
}

static int read_row(parser *p, const char *line)
{
	pt_run *run = p->run;
	if (run->row_count == PT_ROWS_MAX)
		return fail(p, 1, "found more than 64 rows in the table%s%s, expected perftest's sizes (2 B to 8 MiB: 23)", "", "");
	pt_fields f = {.noun = "the column", .whole = "row", .unit = run->bw_unit};
	for (size_t c = 0; c < PT_COL_COUNT; c++)
		f.name[c] = p->label[c];
	const char *s = skip_blanks(line);
	size_t k = 0;
	while (*s) {
		size_t len = strcspn(s, " \t");
		if (k == p->column_count) {
			char found[64], expected[64];
			snprintf(found, sizeof found, "more than %zu fields", p->column_count);
			snprintf(expected, sizeof expected, "%zu (the columns of the header at line %u)", p->column_count, p->table_line);
			return fail(p, (unsigned)(s - line) + 1, "found %s, expected %s", found, expected);
		}
		if (read_field(p, line, s, len, p->columns[k], &f) != 0)
			return -1;
		k++;
		s = skip_blanks(s + len);
	}
	if (k < p->column_count) {
		char found[48], expected[64];
		snprintf(found, sizeof found, "%zu field%s", k, k == 1 ? "" : "s");
		snprintf(expected, sizeof expected, "%zu (the columns of the header at line %u)", p->column_count, p->table_line);
		return fail(p, (unsigned)(s - line) + 1, "found %s, expected %s", found, expected);
	}
	if (pt_fields_to_row(&f, run->bw_unit != PT_UNIT_NONE, p->at.line, &run->rows[run->row_count], p->diag) != 0)
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
	size_t n = strlen(path);
	int json = n > 5 && strcmp(path + n - 5, ".json") == 0;
	if (vr_read_file(path, PT_FILE_MAX, json ? "perftest's --out_json file" : "a perftest output", &text, &length, diag) != 0)
		return -1;
	int rc = json ? pt_parse_json_buffer(path, text, length, out, diag) : pt_parse_buffer(path, text, length, out, diag);
	free(text);
	return rc;
}
