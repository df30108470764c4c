/*
 * reference.h - how fast the CPU ran while each test of a dataset ran.
 *
 * A dataset measured with `measure-softroce --reference` (measure-in-qemu
 * always passes it) timed a fixed CPU-bound workload
 * (calibration/reference-workload.c) before the first test and after each
 * one; metadata.yaml holds
 *     reference_workload: {version: 2, runs: [...], ...}
 *     results: [{file: ib_write_lat.txt, reference_before_ns: B,
 *                reference_after_ns: A, reference_typical_before_ns: b,
 *                reference_typical_after_ns: a, ...}, ...]
 * Each run gives two times (reference-workload.c): the elapsed one (B, A),
 * stalls and all, which is what an average over the test (a bandwidth)
 * sees, and the typical one (b, a: the median of short chunks), which is
 * what a median latency sees.  A latency is normalised by the typical
 * times, a bandwidth by the elapsed ones: on a uniformly slower CPU the two
 * agree; on a host that stops the emulator for whole time slices only the
 * elapsed times grow, and so do only the bandwidths.
 * The CPU's speed during a test is taken as the mean of the two runs around
 * it, R = (B + A) / 2 (or (b + a) / 2).  Normalising multiplies the test's times by
 * CAL_REFERENCE_NOMINAL_NS / R (and divides its bandwidths by it): the
 * results are then those of a CPU on which the reference workload takes
 * the nominal time, whatever the emulator's speed was that day.  How far
 * the two runs differ, |A - B| / (A + B), is the uncertainty of that speed:
 * it widens each point's spread (in quadrature), and a test whose runs
 * differ by more than CAL_REFERENCE_MOVED (relative to the faster one) is
 * reported as moved.
 *
 * Contract: a metadata document without `reference_workload` has no
 * reference (present = 0) and its data are fitted as measured.  With one,
 * every result naming a file must carry both runs, as positive finite
 * numbers; the version must be the one this build's workload defines.
 * Anything else is refused with a located error.
 */
#ifndef CAL_REFERENCE_H
#define CAL_REFERENCE_H

#include <stddef.h>

#include "input/diag.h"
#include "input/yaml_tree.h"

/* The workload's definition (its fixed amounts) that this build compares;
 * reference-workload.c prints it as reference_workload_version. */
enum { CAL_REFERENCE_VERSION = 2, CAL_REFERENCE_TESTS_MAX = 64 };

/* The speed normalised datasets are expressed at: the reference workload
 * takes 200 ms.  A unit, not a model parameter: on 2026-12-07 these
 * machines ran version 2 natively in 27 ms and their QEMU TCG guests about
 * 8x slower, so the normalised times stay of the order of the measured
 * ones. */
static const double CAL_REFERENCE_NOMINAL_NS = 200e6;

/* A test during which the speed changed by more than this moved. */
static const double CAL_REFERENCE_MOVED = 0.10;

/* Which of a run's two times: what an average sees, or a median. */
typedef enum cal_reference_statistic { CAL_REFERENCE_ELAPSED, CAL_REFERENCE_TYPICAL } cal_reference_statistic;

typedef struct cal_reference_test {
	char file[256];            /* as results[].file names it: ib_write_lat.txt */
	double before_ns[2], after_ns[2];   /* by cal_reference_statistic */
	vr_where where;            /* the result's entry */
} cal_reference_test;

typedef struct cal_reference {
	int present;
	char file[1024];           /* the metadata's name: the wheres point here */
	vr_where where;            /* the reference_workload block */
	vr_where results_where;    /* the results list */
	size_t count;
	cal_reference_test tests[CAL_REFERENCE_TESTS_MAX];
} cal_reference;

/* Read the reference runs of metadata document ROOT (may be NULL). */
int cal_reference_read(const yt_node *root, cal_reference *out, vr_diag *diag);

/* The runs around the test whose output file is FILE (a base name), or
 * NULL. */
const cal_reference_test *cal_reference_find(const cal_reference *ref, const char *file);

/* The factor a time of that test is multiplied by (a bandwidth is divided
 * by it), and the relative uncertainty of the speed, by statistic. */
double cal_reference_scale(const cal_reference_test *t, cal_reference_statistic s);
double cal_reference_drift(const cal_reference_test *t, cal_reference_statistic s);
/* |A - B| over the faster run, the larger of the two statistics': above
 * CAL_REFERENCE_MOVED, the test moved. */
double cal_reference_change(const cal_reference_test *t);

#endif
