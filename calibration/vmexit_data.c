/*
 * vmexit_data.c - reading a VM-exit dataset (vmexit_data.h).
 */
#include "calibration/vmexit_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/file.h"
#include "input/yaml_read.h"
#include "input/yaml_tree.h"

const char *const cal_vx_test_names[VX_COUNT + 1] = {
	"hypercall", "pio_kernel", "mmio_kernel", "pio_user", "mmio_user", "irq_guest", "irq_host", NULL};

static const double ROUND_TRIP_MAX_NS = 1e9;   /* a second is a hang, not an exit */
enum { LINE_MAX_BYTES = 256 };

static const char *header_of(cal_vx_test t)
{
	return t == VX_IRQ_HOST ? CAL_VX_HEADER_HOST : CAL_VX_HEADER_GUEST;
}

static int grow(double **v, size_t *capacity, size_t need)
{
	if (need <= *capacity)
		return 0;
	size_t next = *capacity ? *capacity * 2 : 4096;
	double *p = realloc(*v, next * sizeof *p);
	if (!p)
		return -1;
	*v = p;
	*capacity = next;
	return 0;
}

/* One number of a samples row: finite, above zero, at most a second (ns)
 * or 2^32 (cycles, the guest's 32-bit differences). */
static int sample_field(const char *text, vr_where at, int cycles, double *out, vr_diag *diag)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	const char *what = cycles ? "a cycle count above zero" : "a round trip in ns above zero";
	if (*text == '\0')
		return vr_diag_at(diag, at, "found an empty field, expected %s", what);
	if (end == text || *end != '\0')
		return vr_diag_at(diag, at, "found '%s', expected %s", text, what);
	if (!isfinite(v))
		return vr_diag_at(diag, at, "found '%s' (not finite), expected %s", text, what);
	if (!(v > 0))
		return vr_diag_at(diag, at, "found %s%s, expected %s", text, v < 0 ? " (negative)" : "", what);
	if (cycles ? v > 4294967295.0 : v > ROUND_TRIP_MAX_NS)
		return vr_diag_at(diag, at, "found %s, expected at most %s", text, cycles ? "2^32 cycles (the guest keeps 32 bits)" : "1e9 ns (a second is a hang, not an exit)");
	*out = v;
	return 0;
}

/* A samples row: its round trip into *NS. */
static int sample_row(char *line, vr_where at, cal_vx_test t, double *ns, vr_diag *diag)
{
	char *comma = strchr(line, ',');
	if (t == VX_IRQ_HOST) {
		at.column = comma ? (unsigned)(comma - line) + 1 : 1;
		if (comma)
			return vr_diag_at(diag, at, "found a second field, expected one: %s", header_of(t));
		return sample_field(line, at, 0, ns, diag);
	}
	if (!comma) {
		at.column = (unsigned)strlen(line) + 1;
		return vr_diag_at(diag, at, "found one field, expected two: %s", header_of(t));
	}
	const char *third = strchr(comma + 1, ',');
	if (third) {
		at.column = (unsigned)(third - line) + 1;
		return vr_diag_at(diag, at, "found a third field, expected two: %s", header_of(t));
	}
	*comma = '\0';
	double cycles;
	at.column = 1;
	if (sample_field(line, at, 1, &cycles, diag) != 0)
		return -1;
	at.column = (unsigned)(comma - line) + 2;
	return sample_field(comma + 1, at, 0, ns, diag);
}

static int read_samples(cal_vx_dataset *d, cal_vx_test t, vr_where listed, vr_diag *diag)
{
	const char *path = d->file[t];
	if (access(path, F_OK) != 0)
		return vr_diag_at(diag, listed, "found no file %s (%s), expected the samples of %s", path, strerror(errno), cal_vx_test_names[t]);
	FILE *f = vr_input_open(path, "measure-vmexits' samples CSV", diag);   /* a regular file, recorded as an input */
	if (!f)
		return -1;
	char line[LINE_MAX_BYTES];
	vr_where at = {path, 0, 1};
	size_t capacity = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		at.line++;
		size_t len = strcspn(line, "\r\n");
		if (line[len] == '\0' && !feof(f))
			rc = vr_diag_at(diag, at, "found a line longer than %d bytes, expected a short CSV row", LINE_MAX_BYTES - 2);
		line[len] = '\0';
		if (rc == 0 && at.line == 1) {
			if (strcmp(line, header_of(t)) != 0)
				rc = vr_diag_at(diag, at, "found the header '%.60s', expected '%s' (measure-vmexits' samples of %s)", line,
						header_of(t), cal_vx_test_names[t]);
			continue;
		}
		if (rc == 0 && grow(&d->ns[t], &capacity, d->count[t] + 1) != 0)
			rc = vr_diag_at(diag, at, "out of memory");
		if (rc == 0 && sample_row(line, at, t, &d->ns[t][d->count[t]], diag) == 0)
			d->count[t]++;
		else
			rc = -1;
	}
	fclose(f);
	if (rc == 0 && at.line == 0)
		rc = vr_diag_at(diag, (vr_where){path, 0, 0}, "found an empty file, expected the header '%s' and samples", header_of(t));
	if (rc == 0 && d->count[t] < CAL_VX_SAMPLES_MIN)
		rc = vr_diag_at(diag, (vr_where){path, at.line + 1, 1}, "found %zu samples of %s, expected at least %d (the fit takes the medians of ten blocks)",
				d->count[t], cal_vx_test_names[t], CAL_VX_SAMPLES_MIN);
	return rc;
}

/* A counter of STATS (a map) as a number; NAN if absent or not one. */
static double counter(const yt_node *stats, const char *name)
{
	const yt_node *v = stats && stats->type == YT_MAP ? yt_get(stats, name) : NULL;
	char *end;
	double x = v && v->type == YT_SCALAR ? strtod(v->text, &end) : NAN;
	return v && v->type == YT_SCALAR && *end == '\0' && isfinite(x) ? x : NAN;
}

/* What KVM counted for test T (informative: a counter missing from the
 * map counted nothing; no map at all, nothing is known). */
static void read_counters(cal_vx_dataset *d, cal_vx_test t, const yt_node *stats)
{
	d->emulated[t] = d->exits[t] = NAN;
	if (!stats || stats->type != YT_MAP)
		return;
	d->emulated[t] = isnan(counter(stats, "insn_emulation")) ? 0 : counter(stats, "insn_emulation");
	d->exits[t] = isnan(counter(stats, "exits")) ? 0 : counter(stats, "exits");
}

/* One item of metadata.yaml's `tests:`: {name, clock, file, includes}. */
static int read_test(cal_vx_dataset *d, const yt_node *item, vr_diag *diag)
{
	static const char *const keys[] = {"name", "clock", "file", "includes", "kvm_vcpu_stats_per_round_trip", NULL};
	static const char *const clocks[] = {"guest_tsc", "host_monotonic", NULL};
	const yt_node *name, *clock, *file;
	const char *path;
	int t, c;
	if (yr_expect(item, YT_MAP, "a test ({name, clock, file, includes})", diag) ||
	    yr_known_keys(item, keys, "a test", diag) || yr_required(item, "name", "a test", &name, diag) ||
	    yr_choice(name, "a test's name", cal_vx_test_names, &t, diag) ||
	    yr_required(item, "clock", "a test", &clock, diag) || yr_choice(clock, "a test's clock", clocks, &c, diag) ||
	    yr_required(item, "file", "a test", &file, diag) || yr_string(file, "its samples file", &path, diag))
		return -1;
	if (c != (t == VX_IRQ_HOST))
		return vr_diag_at(diag, clock->where, "found the clock '%s' for %s, expected %s", clocks[c], cal_vx_test_names[t],
				  clocks[t == VX_IRQ_HOST]);
	if (d->present[t])
		return vr_diag_at(diag, name->where, "found the test %s a second time, expected each test once", cal_vx_test_names[t]);
	if (strstr(path, "..") || path[0] == '/')
		return vr_diag_at(diag, file->where, "found the path '%s', expected a file inside the dataset folder", path);
	char joined[CAL_VX_PATH_MAX];
	if ((size_t)snprintf(joined, sizeof joined, "%s/%s", d->dir, path) >= sizeof joined)
		return vr_diag_at(diag, file->where, "found a path longer than %zu bytes, expected a shorter one", sizeof joined - 1);
	memcpy(d->file[t], joined, sizeof joined);
	d->present[t] = 1;
	read_counters(d, (cal_vx_test)t, yt_get(item, "kvm_vcpu_stats_per_round_trip"));
	return read_samples(d, (cal_vx_test)t, file->where, diag);
}

/* The host facts an overlay's provenance repeats (whichever are there). */
static void describe_host(cal_vx_dataset *d, const yt_node *root)
{
	static const char *const keys[] = {"nested", "kvm_vendor_module", "cpu_model", "date", NULL};
	size_t used = 0;
	for (size_t i = 0; keys[i] && used < sizeof d->host; i++) {
		const yt_node *v = yt_get(root, keys[i]);
		if (v && v->type == YT_SCALAR)
			used += (size_t)snprintf(d->host + used, sizeof d->host - used, "%s%s: %s", used ? ", " : "", keys[i], v->text);
	}
}

static int read_metadata(cal_vx_dataset *d, const char *meta, vr_diag *diag)
{
	yt_doc doc;
	if (yt_load_file(meta, &doc, diag) != 0)
		return -1;
	const yt_node *root = doc.root, *format, *tests;
	const char *name;
	int rc = 0;
	if (!root || root->type != YT_MAP)
		rc = vr_diag_at(diag, root ? root->where : (vr_where){doc.file, 0, 0},
				"found no map of keys, expected a VM-exit dataset's metadata (format: %s)", CAL_VX_FORMAT);
	else if (!(format = yt_get(root, "format")))
		rc = vr_diag_at(diag, root->where,
				"found no 'format' key, expected 'format: %s' (a dataset of calibration/measure-vmexits; a perftest dataset is calibrated with --model softroce)",
				CAL_VX_FORMAT);
	else if (yr_string(format, "the dataset's format", &name, diag) != 0)
		rc = -1;
	else if (strcmp(name, CAL_VX_FORMAT) != 0)
		rc = vr_diag_at(diag, format->where, "found the format '%s', expected '%s'", name, CAL_VX_FORMAT);
	else if (yr_required(root, "tests", "a VM-exit dataset's metadata", &tests, diag) ||
		 yr_expect(tests, YT_SEQ, "the list of tests", diag))
		rc = -1;
	else if (tests->count == 0)
		rc = vr_diag_at(diag, tests->where, "found no tests, expected the tests measure-vmexits ran");
	for (size_t i = 0; rc == 0 && i < tests->count; i++)
		rc = read_test(d, tests->items[i], diag);
	if (rc == 0)
		describe_host(d, root);
	yt_free(&doc);
	return rc;
}

int cal_vx_load(const char *dir, cal_vx_dataset *d, vr_diag *diag)
{
	memset(d, 0, sizeof *d);
	if (strlen(dir) >= sizeof d->dir)
		return vr_diag_at(diag, (vr_where){dir, 0, 0}, "found a path longer than %zu bytes, expected a shorter one", sizeof d->dir - 1);
	snprintf(d->dir, sizeof d->dir, "%s", dir);
	char meta[CAL_VX_PATH_MAX];
	snprintf(meta, sizeof meta, "%s/metadata.yaml", dir);
	if (access(meta, F_OK) != 0)
		return vr_diag_at(diag, (vr_where){dir, 0, 0}, "found no metadata.yaml (%s), expected a dataset folder as calibration/measure-vmexits writes",
				  strerror(errno));
	if (read_metadata(d, meta, diag) != 0) {
		cal_vx_free(d);
		return -1;
	}
	return 0;
}

void cal_vx_free(cal_vx_dataset *d)
{
	for (int t = 0; t < VX_COUNT; t++)
		free(d->ns[t]);
	memset(d, 0, sizeof *d);
}
