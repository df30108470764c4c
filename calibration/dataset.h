/*
 * dataset.h - measurements to calibrate against, with where each came from.
 *
 * Two kinds of input:
 *   - a dataset folder (calibration/measure-softroce writes one): every
 *     *.txt file in it is a perftest text output (4.x's or >= 24.07's),
 *     every *.json file perftest's --out_json file (calibration/perftest.h),
 *     the two alike (the same run in two formats is a repeat); its
 *     metadata.yaml, when there, says whether it ran in loopback or across
 *     two hosts (`mode: loopback | client`);
 *   - a CSV of published figures, one per row, with a header line
 *       verb,size_bytes,t_typical_us,bw_average_mib_per_s,mtu_bytes,setting,source
 *     (lines starting with '#' are comments; `setting` says what was
 *     measured, `loopback` or `two-hosts`; `source` cites it).
 * A dataset folder whose metadata records the reference workload's runs
 * (calibration/reference.h) is normalised: each test's times are scaled to
 * the nominal CPU speed, its spreads widened by how much that speed moved.
 * Normalised and measured-as-is inputs are not mixed in one fit (their
 * units differ), nor are published figures with normalised folders.
 * A point keeps one figure: t_typical (latency tests) or BW average
 * (bandwidth tests), and its spread, which weighs it in the fit.
 * The same measurements given twice are refused: every point would count
 * double and the intervals would narrow for nothing.  A point (test,
 * message size, setting, MTU) may appear once across all inputs: a row
 * repeated in its file, or a second run of the same point, is refused at
 * the second occurrence, naming the first.  A whole file given again (under
 * another name, with other comments, its rows in another order) is refused
 * as such first: files are compared by their parsed rows in any order
 * (every column perftest printed; a CSV row's figures).
 */
#ifndef CAL_DATASET_H
#define CAL_DATASET_H

#include <stdint.h>

#include "models/option.h"
#include "input/diag.h"

enum { CAL_POINTS_MAX = 1024, CAL_FILES_MAX = 64 };

typedef enum cal_setting { SETTING_LOOPBACK, SETTING_TWO_HOSTS, SETTING_COUNT } cal_setting;
extern const char *const cal_setting_names[SETTING_COUNT + 1];

typedef struct cal_point {
	mdl_verb verb;
	double size_bytes;
	double value;              /* latency tests: t_typical in us; bandwidth tests: BW average in bytes/s; normalised */
	double sigma;              /* the spread of VALUE, same unit: weighs the point */
	double mtu_bytes;          /* the RoCE path MTU it ran with; NAN if unknown */
	cal_setting setting;
	vr_where where;            /* file and line */
	double measured;           /* VALUE as measured, before normalising */
	int stalled;               /* a latency median far above its minimum: see CAL_STALL_RATIO */
} cal_point;

/* A latency test's median more than this many times its minimum: in at
 * least half the iterations a polling side was not running, so the median
 * measures the host scheduler's time slices, not the CPU's work.  On an
 * emulator it means the host ran more runnable threads than cores (a
 * busy loop beside QEMU, a build); the reference workload cannot scale it
 * away.  SoftRoCE's own spread on a quiet host stays below 1.3x at every
 * size (calibration/data/softroce-qemu-tcg-2026-11-25). */
static const double CAL_STALL_RATIO = 3.0;

typedef struct cal_dataset {
	size_t count;
	size_t unusable;           /* perftest rows with inf or nan, left out */
	cal_point points[CAL_POINTS_MAX];
	size_t file_count;
	char files[CAL_FILES_MAX][1024];   /* storage for points' where.file */
	uint64_t rows_hash[CAL_FILES_MAX];   /* each file's parsed rows (FNV-1a, summed), to find repeats */
	size_t rows[CAL_FILES_MAX];          /* each file's row count */
	double scale[CAL_FILES_MAX];         /* latencies times, bandwidths over it; 1: measured as is */
	double change[CAL_FILES_MAX];        /* the reference's change during the file's test; NAN: none */
	size_t normalised_files, raw_files;  /* inputs of each kind: never both */
} cal_dataset;

/* Add the measurements of PATH (a dataset folder or a CSV file) to D. */
int cal_dataset_add(cal_dataset *d, const char *path, vr_diag *diag);

#endif
