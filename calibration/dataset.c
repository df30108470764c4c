/*
 * dataset.c - perftest folders and published-figure CSVs into points.
 */
#include "calibration/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calibration/perftest.h"
#include "calibration/reference.h"
#include "input/file.h"
#include "input/yaml_tree.h"

const char *const cal_setting_names[SETTING_COUNT + 1] = {"loopback", "two-hosts", NULL};

/* A point's spread may not vanish: a zero would give it infinite weight. */
static const double SPREAD_FLOOR = 0.01;   /* relative to the value */
/* Without t_stdev (perftest 3.x): the 99th percentile sits 2.33 standard
 * deviations above a normal median. */
static const double Z99 = 2.326;
static const double BYTES_PER_MIB = 1048576.0;   /* the CSV's MiB/s, perftest's MB/sec */

static const char *keep_file(cal_dataset *d, const char *path, vr_diag *diag)
{
	if (d->file_count == CAL_FILES_MAX) {
		vr_diag_at(diag, (vr_where){path, 0, 0}, "found more than %d input files, expected at most %d", CAL_FILES_MAX, CAL_FILES_MAX);
		return NULL;
	}
	if ((size_t)snprintf(d->files[d->file_count], sizeof d->files[0], "%s", path) >= sizeof d->files[0]) {
		vr_diag_at(diag, (vr_where){path, 0, 0}, "found a path longer than %zu bytes, expected a shorter one", sizeof d->files[0] - 1);
		return NULL;
	}
	d->scale[d->file_count] = 1;
	d->change[d->file_count] = NAN;
	return d->files[d->file_count++];
}

/* ---- repeated inputs -------------------------------------------------- */

/* FNV-1a, 64 bits, over each parsed row of one file; the rows' hashes are
 * summed (mod 2^64), so a copy with its rows in another order has the same
 * fingerprint.  A collision between two different files could only refuse
 * the second one wrongly; a repeat always collides, so it is never let
 * through. */
static const uint64_t FNV_BASIS = 14695981039346656037ull, FNV_PRIME = 1099511628211ull;

typedef struct rows_fingerprint {
	uint64_t hash;             /* the sum of the rows' hashes */
	uint64_t row_hash;         /* the row being hashed */
	size_t rows;
	vr_where first;            /* the first row, where a repeat is reported */
} rows_fingerprint;

static void fingerprint_start(rows_fingerprint *f)
{
	*f = (rows_fingerprint){0, FNV_BASIS, 0, {NULL, 0, 0}};
}

static void fingerprint_add(rows_fingerprint *f, const double *values, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		unsigned char bytes[sizeof(double)];
		double v = values[i] == 0 ? 0 : values[i];   /* -0 and 0 alike; every NaN printed is perftest's failure */
		memcpy(bytes, &v, sizeof bytes);
		for (size_t k = 0; k < sizeof bytes; k++)
			f->row_hash = (f->row_hash ^ bytes[k]) * FNV_PRIME;
	}
}

/* End the row at WHERE: its hash joins the file's, in any order. */
static void fingerprint_row(rows_fingerprint *f, vr_where where)
{
	if (f->rows++ == 0)
		f->first = where;
	f->hash += f->row_hash;
	f->row_hash = FNV_BASIS;
}

/* Record F for the file added last; refuse it when an earlier file had the
 * same rows. */
static int refuse_repeat(cal_dataset *d, const rows_fingerprint *f, vr_diag *diag)
{
	size_t last = d->file_count - 1;
	d->rows_hash[last] = f->hash;
	d->rows[last] = f->rows;
	for (size_t i = 0; i < last && f->rows; i++)
		if (d->rows[i] == f->rows && d->rows_hash[i] == f->hash)
			return vr_diag_at(diag, f->first,
					  "found the same measurements as %s (%zu rows), expected each dataset once: given twice, its points would count double and narrow the intervals",
					  d->files[i], f->rows);
	return 0;
}

/* A point is its test, message size, setting and MTU (unknown MTUs alike):
 * measured twice, in one file or across inputs, it would count double. */
static int same_point(const cal_point *a, const cal_point *b)
{
	int same_mtu = isnan(a->mtu_bytes) ? isnan(b->mtu_bytes) : a->mtu_bytes == b->mtu_bytes;
	return a->verb == b->verb && a->size_bytes == b->size_bytes && a->setting == b->setting && same_mtu;
}

/* Refuse the point at INDEX when an earlier one measured the same. */
static int refuse_repeated_point(const cal_dataset *d, size_t index, vr_diag *diag)
{
	const cal_point *p = &d->points[index];
	for (size_t i = 0; i < index; i++) {
		const cal_point *q = &d->points[i];
		if (!same_point(p, q))
			continue;
		char mtu[32] = "an unknown MTU";
		if (!isnan(p->mtu_bytes))
			snprintf(mtu, sizeof mtu, "MTU %.0f", p->mtu_bytes);
		return vr_diag_at(diag, p->where,
				  "found %s at %.0f B (%s, %s) a second time, expected each point once (the first is at %s:%u:%u): counted twice, it would narrow the intervals",
				  mdl_verb_names[p->verb], p->size_bytes, cal_setting_names[p->setting], mtu, q->where.file,
				  q->where.line, q->where.column);
	}
	return 0;
}

static cal_point *new_point(cal_dataset *d, vr_where where, vr_diag *diag)
{
	if (d->count == CAL_POINTS_MAX) {
		vr_diag_at(diag, where, "found more than %d measurements, expected at most %d", CAL_POINTS_MAX, CAL_POINTS_MAX);
		return NULL;
	}
	cal_point *p = &d->points[d->count++];
	memset(p, 0, sizeof *p);
	p->where = where;
	return p;
}

static double floor_spread(double sigma, double value)
{
	return isfinite(sigma) && sigma > SPREAD_FLOOR * value ? sigma : SPREAD_FLOOR * value;
}

/* A perftest run's rows, every column, with its test and MTU. */
static void fingerprint_run(rows_fingerprint *f, const pt_run *run, const char *file)
{
	fingerprint_start(f);
	const double head[] = {(double)run->verb, run->mtu_bytes};
	for (size_t i = 0; i < run->row_count; i++) {
		const pt_row *r = &run->rows[i];
		fingerprint_add(f, head, sizeof head / sizeof head[0]);
		const double columns[] = {r->size_bytes, r->iterations, r->t_min_us, r->t_max_us, r->t_typical_us, r->t_avg_us,
					  r->t_stdev_us, r->t_p99_us, r->t_p999_us, r->bw_peak_bytes_per_s, r->bw_average_bytes_per_s,
					  r->msg_rate_per_s};
		fingerprint_add(f, columns, sizeof columns / sizeof columns[0]);
		fingerprint_row(f, (vr_where){file, r->line, 1});
	}
}

static int add_run(cal_dataset *d, const pt_run *run, const char *file, cal_setting setting, vr_diag *diag)
{
	rows_fingerprint f;
	fingerprint_run(&f, run, file);
	if (refuse_repeat(d, &f, diag) != 0)
		return -1;
	for (size_t i = 0; i < run->row_count; i++) {
		const pt_row *r = &run->rows[i];
		if (!r->finite) {
			d->unusable++;   /* perftest's clock sample failed: no figure to fit */
			continue;
		}
		cal_point *p = new_point(d, (vr_where){file, r->line, 1}, diag);
		if (!p)
			return -1;
		p->verb = run->verb;
		p->size_bytes = r->size_bytes;
		p->mtu_bytes = run->mtu_bytes;
		p->setting = setting;
		if (mdl_verb_is_bandwidth(run->verb)) {
			p->value = r->bw_average_bytes_per_s;
			p->sigma = floor_spread(fabs(r->bw_peak_bytes_per_s - r->bw_average_bytes_per_s), p->value);
		} else {
			/* The spread below the median (t_typical - t_min): rare long
			 * stalls (interrupts, an emulator's hiccups) inflate t_stdev and
			 * the upper percentiles, not this.  Without t_min, t_stdev. */
			p->value = r->t_typical_us;
			p->stalled = !isnan(r->t_min_us) && r->t_min_us > 0 && r->t_typical_us > CAL_STALL_RATIO * r->t_min_us;
			double sigma = !isnan(r->t_min_us) ? r->t_typical_us - r->t_min_us
				     : !isnan(r->t_stdev_us) ? r->t_stdev_us
				     : !isnan(r->t_p99_us) ? (r->t_p99_us - r->t_typical_us) / Z99 : NAN;
			p->sigma = floor_spread(sigma, p->value);
		}
		if (!(p->value > 0))
			return vr_diag_at(diag, p->where, "found a result of zero, expected a measurement to fit");
		p->measured = p->value;
		if (refuse_repeated_point(d, d->count - 1, diag) != 0)
			return -1;
	}
	return 0;
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && strcmp(name + n - k, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What a dataset folder measured: its metadata.yaml says `mode: loopback`
 * or `mode: client` (the client of a two-host run); loopback without one.
 * REF gets the reference workload's runs, when it recorded them. */
static int folder_metadata(const char *dir, cal_setting *out, cal_reference *ref, vr_diag *diag)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/metadata.yaml", dir);
	*out = SETTING_LOOPBACK;
	memset(ref, 0, sizeof *ref);
	if (access(path, F_OK) != 0)
		return 0;
	yt_doc doc;
	if (yt_load_file(path, &doc, diag) != 0)
		return -1;
	const yt_node *mode = yt_get(doc.root, "mode");
	int rc = 0;
	if (mode && mode->type == YT_SCALAR && strcmp(mode->text, "client") == 0)
		*out = SETTING_TWO_HOSTS;
	else if (mode && (mode->type != YT_SCALAR || strcmp(mode->text, "loopback") != 0))
		rc = vr_diag_at(diag, mode->where, "found the mode '%s', expected loopback or client (as measure-softroce writes)",
				mode->type == YT_SCALAR ? mode->text : "(not a scalar)");
	if (rc == 0)
		rc = cal_reference_read(doc.root, ref, diag);
	yt_free(&doc);
	return rc;
}

/* Normalised and as-measured inputs are in different units: one kind per
 * fit.  WHERE is the input being added. */
static int one_kind(cal_dataset *d, int normalised, vr_where where, vr_diag *diag)
{
	if (normalised ? d->raw_files : d->normalised_files)
		return vr_diag_at(diag, where,
				  normalised ? "found a dataset normalised by its reference workload after inputs measured as they are, expected one kind per fit (their times are in different units: fit each alone)"
					     : "found an input without reference workload runs after a normalised dataset, expected one kind per fit (their times are in different units: fit each alone)");
	if (normalised)
		d->normalised_files++;
	else
		d->raw_files++;
	return 0;
}

/* Scale the points from FIRST on, all of file FILE_INDEX (base name NAME),
 * to the nominal CPU speed, widening their spreads by the speed's drift. */
static int normalise(cal_dataset *d, size_t first, size_t file_index, const cal_reference *ref, const char *name, vr_diag *diag)
{
	const cal_reference_test *t = cal_reference_find(ref, name);
	if (!t)
		return vr_diag_at(diag, ref->results_where, "found no reference runs for %s in results, expected reference_before_ns and reference_after_ns for every test",
				  name);
	d->change[file_index] = cal_reference_change(t);
	for (size_t i = first; i < d->count; i++) {
		cal_point *p = &d->points[i];
		/* a bandwidth is an average over the test, a latency a median */
		int bandwidth = mdl_verb_is_bandwidth(p->verb);
		cal_reference_statistic s = bandwidth ? CAL_REFERENCE_ELAPSED : CAL_REFERENCE_TYPICAL;
		double scale = cal_reference_scale(t, s), drift = cal_reference_drift(t, s);
		double k = bandwidth ? 1 / scale : scale;
		d->scale[file_index] = scale;
		p->value *= k;
		p->sigma = hypot(p->sigma * k, p->value * drift);
	}
	return 0;
}

/* Every *.txt (perftest's text) and *.json (its --out_json file) of a
 * dataset folder, in name order (reproducible). */
static int add_folder(cal_dataset *d, const char *dir, vr_diag *diag)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return vr_diag_at(diag, (vr_where){dir, 0, 0}, "cannot read the folder: %s", strerror(errno));
	char *names[CAL_FILES_MAX];
	size_t n = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(dp)) && rc == 0) {
		if (!has_suffix(e->d_name, ".txt") && !has_suffix(e->d_name, ".json"))
			continue;
		if (n == CAL_FILES_MAX)
			rc = vr_diag_at(diag, (vr_where){dir, 0, 0}, "found more than %d perftest outputs, expected at most %d", CAL_FILES_MAX, CAL_FILES_MAX);
		else if (!(names[n++] = strdup(e->d_name)))
			rc = vr_diag_at(diag, (vr_where){dir, 0, 0}, "out of memory");
	}
	closedir(dp);
	if (rc == 0 && n == 0)
		rc = vr_diag_at(diag, (vr_where){dir, 0, 0}, "found no perftest output (*.txt, *.json), expected a dataset folder as calibration/measure-softroce writes");
	qsort(names, n, sizeof names[0], by_name);
	cal_setting setting = SETTING_LOOPBACK;
	static cal_reference ref;   /* large: not on the stack */
	if (rc == 0)
		rc = folder_metadata(dir, &setting, &ref, diag);
	if (rc == 0)
		rc = one_kind(d, ref.present, (vr_where){dir, 0, 0}, diag);
	static pt_run run;   /* large: not on the stack */
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[1024];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) {
			rc = vr_diag_at(diag, (vr_where){dir, 0, 0}, "found a path longer than %zu bytes, expected a shorter one", sizeof path - 1);
			break;
		}
		size_t first = d->count;
		const char *kept = keep_file(d, path, diag);
		rc = !kept || pt_parse_file(kept, &run, diag) || add_run(d, &run, kept, setting, diag) ? -1 : 0;
		if (rc == 0 && ref.present)
			rc = normalise(d, first, d->file_count - 1, &ref, names[i], diag);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* ---- published figures (CSV) ----------------------------------------- */

enum { CSV_FIELDS = 7 };
static const char *const CSV_HEADER = "verb,size_bytes,t_typical_us,bw_average_mib_per_s,mtu_bytes,setting,source";

/* Split LINE into fields at commas outside double quotes (quotes removed,
 * "" inside quotes is a quote; a quoted field ends on its line and is the
 * whole field).  *COUNT gets the number of fields (at most MAX), COLS each
 * field's column.  Returns 0, or -1 with DIAG at AT's line. */
static int split_csv(char *line, char **fields, unsigned *cols, size_t max, size_t *count, vr_where at, vr_diag *diag)
{
	size_t n = 0;
	char *r = line, *w = line;
	while (n < max) {
		fields[n] = w;
		at.column = cols[n] = (unsigned)(r - line) + 1;
		n++;
		int quoted = *r == '"';
		if (quoted)
			r++;
		while (*r && (quoted || *r != ',')) {
			if (quoted && *r == '"') {
				if (r[1] == '"') {
					*w++ = '"';
					r += 2;
					continue;
				}
				r++;
				if (*r && *r != ',') {
					at.column = (unsigned)(r - line) + 1;
					return vr_diag_at(diag, at, "found '%c' after a quoted field, expected ',' or the end of the line", *r);
				}
				quoted = 0;
				continue;
			}
			*w++ = *r++;
		}
		if (quoted)
			return vr_diag_at(diag, at, "found '\"' opening a field that is not closed on its line, expected a closing '\"'");
		int more = *r == ',';
		*w++ = '\0';
		if (!more)
			break;
		r++;
	}
	*count = n;
	return 0;
}

static int csv_number(const char *text, vr_where where, const char *what, int optional, double *out, vr_diag *diag)
{
	if (*text == '\0') {
		if (optional) {
			*out = NAN;
			return 0;
		}
		return vr_diag_at(diag, where, "found an empty field, expected %s", what);
	}
	char *end;
	double v = strtod(text, &end);
	if (*end != '\0' || !isfinite(v) || !(v > 0))
		return vr_diag_at(diag, where, "found '%s', expected %s (a number above zero)", text, what);
	*out = v;
	return 0;
}

static int csv_row(cal_dataset *d, char *line, vr_where at, rows_fingerprint *fingerprint, vr_diag *diag)
{
	char *f[CSV_FIELDS + 1];
	unsigned col[CSV_FIELDS + 1];
	size_t n;
	if (split_csv(line, f, col, CSV_FIELDS + 1, &n, at, diag) != 0)
		return -1;
	if (n != CSV_FIELDS)
		return vr_diag_at(diag, at, "found %zu fields, expected %d (%s)", n, CSV_FIELDS, CSV_HEADER);
	cal_point *p = new_point(d, at, diag);
	if (!p)
		return -1;
	int verb = -1, setting = -1;
	for (int v = 0; v < VERB_COUNT; v++)
		if (strcmp(f[0], mdl_verb_names[v]) == 0)
			verb = v;
	for (int s = 0; s < SETTING_COUNT; s++)
		if (strcmp(f[5], cal_setting_names[s]) == 0)
			setting = s;
	vr_where w = at;
	if (verb < 0) {
		w.column = col[0];
		return vr_diag_at(diag, w, "found the verb '%s', expected a perftest test: write_lat, read_lat, send_lat, atomic_lat, write_bw, read_bw, send_bw or atomic_bw", f[0]);
	}
	if (setting < 0) {
		w.column = col[5];
		return vr_diag_at(diag, w, "found the setting '%s', expected loopback or two-hosts", f[5]);
	}
	int bandwidth = mdl_verb_is_bandwidth((mdl_verb)verb);
	double t_us, bw_mib;
	w.column = col[1];
	if (csv_number(f[1], w, "the message size in bytes", 0, &p->size_bytes, diag))
		return -1;
	w.column = col[2];
	if (csv_number(f[2], w, "t_typical in microseconds (latency tests)", bandwidth, &t_us, diag))
		return -1;
	w.column = col[3];
	if (csv_number(f[3], w, "BW average in MiB/s (bandwidth tests)", !bandwidth, &bw_mib, diag))
		return -1;
	if (!bandwidth && t_us > PT_LATENCY_MAX_US) {
		w.column = col[2];
		return vr_diag_at(diag, w, "found '%s', expected t_typical at most 1 s (a second is a timeout, not an RDMA transfer)", f[2]);
	}
	if (bandwidth && bw_mib * BYTES_PER_MIB * 8 > PT_BW_MAX_BITS_PER_S) {
		w.column = col[3];
		return vr_diag_at(diag, w, "found '%s', expected BW average at most 10 Tbit/s (no RDMA link carries more)", f[3]);
	}
	w.column = col[4];
	if (csv_number(f[4], w, "the RoCE MTU in bytes", 1, &p->mtu_bytes, diag))
		return -1;
	if (*f[6] == '\0') {
		w.column = col[6];
		return vr_diag_at(diag, w, "found no source, expected where the figure was published");
	}
	/* The row's figures: the setting and the source only describe them. */
	const double figures[] = {verb, p->size_bytes, t_us, bw_mib, p->mtu_bytes};
	fingerprint_add(fingerprint, figures, sizeof figures / sizeof figures[0]);
	fingerprint_row(fingerprint, at);
	p->verb = (mdl_verb)verb;
	p->setting = (cal_setting)setting;
	p->value = p->measured = bandwidth ? bw_mib * BYTES_PER_MIB : t_us;
	/* A published figure carries no spread: the floor weighs them alike. */
	p->sigma = floor_spread(NAN, p->value);
	return 0;
}

/* A first line with a comma is some CSV's header: quoting it helps.  Any
 * other line is not quoted: a file that has not shown itself to be a CSV
 * (a password file, a key) must not have its content echoed in an error. */
static int wrong_header(const char *line, vr_where where, vr_diag *diag)
{
	if (strchr(line, ',') != NULL)
		return vr_diag_at(diag, where, "found the header '%.80s', expected '%s'", line, CSV_HEADER);
	return vr_diag_at(diag, where, "found a first line that is not a CSV header (not quoted), expected '%s'",
			  CSV_HEADER);
}

static int add_csv(cal_dataset *d, const char *path, vr_diag *diag)
{
	const char *file = keep_file(d, path, diag);
	char *text;
	size_t length;
	if (!file || one_kind(d, 0, (vr_where){path, 0, 0}, diag) != 0 || vr_read_file(path, 1 << 20, "a small CSV of published figures", &text, &length, diag) != 0)
		return -1;
	int rc = 0, header = 0;
	unsigned line_no = 0;
	rows_fingerprint fingerprint;
	fingerprint_start(&fingerprint);
	size_t first_point = d->count;
	for (char *line = text, *next; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!header) {
			header = 1;
			if (strcmp(line, CSV_HEADER) != 0)
				rc = wrong_header(line, (vr_where){file, line_no, 1}, diag);
			continue;
		}
		rc = csv_row(d, line, (vr_where){file, line_no, 1}, &fingerprint, diag);
	}
	if (rc == 0 && !header)
		rc = vr_diag_at(diag, (vr_where){file, 0, 0}, "found no header, expected '%s' and rows", CSV_HEADER);
	if (rc == 0)
		rc = refuse_repeat(d, &fingerprint, diag);
	for (size_t i = first_point; i < d->count && rc == 0; i++)
		rc = refuse_repeated_point(d, i, diag);
	free(text);
	return rc;
}

int cal_dataset_add(cal_dataset *d, const char *path, vr_diag *diag)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot open: %s (expected a dataset folder or a CSV of published figures)",
				  strerror(errno));
	if (S_ISDIR(st.st_mode))
		return add_folder(d, path, diag);
	if (has_suffix(path, ".csv"))
		return add_csv(d, path, diag);
	return vr_diag_at(diag, (vr_where){path, 0, 0}, "found a file that is not .csv, expected a dataset folder or a CSV of published figures");
}
