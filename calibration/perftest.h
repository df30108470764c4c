/*
 * perftest.h - reading what perftest (linux-rdma/perftest) prints or writes.
 *
 * One file is one run of one test (ib_write_lat, ib_send_bw...), in one of
 * three formats:
 *   - perftest 4.x's text (Debian 12 ships 4.5): a banner naming the test
 *     ("RDMA_Write Latency Test"), a block of settings ("Mtu : 1024[B]",
 *     "TX depth : 128"...), connection lines, then a table between dashed
 *     rules whose header names its columns:
 *       latency:   #bytes #iterations t_min[usec] t_max[usec] t_typical[usec]
 *                  (perftest 3.x stops there) t_avg[usec] t_stdev[usec]
 *                  99% percentile[usec] 99.9% percentile[usec]
 *       bandwidth: #bytes #iterations BW peak[MB/sec] BW average[MB/sec]
 *                  MsgRate[Mpps]   (Gb/sec with --report_gbits)
 *   - perftest >= 24.07's text: the same, but the bandwidth columns say
 *     MiB/sec (perftest commit 1d202bb, "Display proper unit for MiB/sec
 *     results", 2024-03-19, src/perftest_parameters.h RESULT_FMT*): the
 *     figures did not change, 4.x's "MB" was already 2^20 bytes (it divides
 *     by 0x100000 in perftest_parameters.c, print_report_bw; Gb/sec by
 *     125000000);
 *   - the JSON perftest >= 24.01 writes with --out_json (into
 *     --out_json_file=FILE, default perftest_out.json; commits 45e574b, 2021,
 *     and f9e82f7, "Make output JSON standard", 2024-01-02, which quoted the
 *     keys): one object {"test_info": {...}, "results": {...}}; test_info's
 *     "test" is the banner with '_' for ' ' ("RDMA_Write_Latency_Test"),
 *     "Mtu" a number of bytes; results holds ONE size (perftest reopens the
 *     file with O_TRUNC for every size: after -a, the last): "MsgSize",
 *     "n_iterations", then "t_min" "t_max" "t_typical" "t_avg" "t_stdev"
 *     "percentile_99" "percentile_99.9" (latency) or "BW_peak" "BW_average"
 *     "MsgRate" (bandwidth), and "CPU_util" with --cpu_util.  The file does
 *     not say the bandwidth unit: MiB/sec, or Gb/sec with --report_gbits;
 *     the reader tells them apart by MsgRate * MsgSize, which is bytes per
 *     second in both, and refuses a result that fits both or neither.
 * Anything else in a text file (warnings, the server's banner) is skipped;
 * the banner and the table are checked strictly; every error names the file,
 * line and column (for JSON, of the offending value).  perftest prints inf
 * or -nan when its CPU clock sample fails (into its JSON too, which is then
 * not JSON): such a result is kept, marked not finite, for the caller to
 * leave out.
 */
#ifndef CAL_PERFTEST_H
#define CAL_PERFTEST_H

#include "models/option.h"
#include "input/diag.h"

enum { PT_ROWS_MAX = 64 };

/* What no RDMA measurement can show, for perftest rows and published
 * figures alike: a figure beyond these is an edited or corrupted file, and
 * would break the fit (a 1e308 gives nan).  The fastest links carry
 * 0.8 Tbit/s (an 800G port); 10 Tbit/s leaves an order of magnitude.  A
 * one-way latency of a second is a timeout, not a transfer; t_max and the
 * percentiles are left unbounded, as a stall may inflate them. */
static const double PT_BW_MAX_BITS_PER_S = 10e12;
static const double PT_LATENCY_MAX_US = 1e6;
/* perftest's own limits (perftest_parameters.c, -s: 1 .. UINT_MAX / 2 in
 * 4.5 and 24.07; perftest_parameters.h MAX_ITER: 10^8 in 4.5, 2^32 in
 * 24.07): a size or a count beyond them was not printed by perftest. */
static const double PT_SIZE_MAX_BYTES = 2147483647.0;
static const double PT_ITERATIONS_MAX = 4294967296.0;

/* The unit of a bandwidth table (PT_UNIT_NONE: a latency table). */
typedef enum pt_bw_unit { PT_UNIT_NONE, PT_UNIT_MB, PT_UNIT_MIB, PT_UNIT_GB, PT_UNIT_COUNT } pt_bw_unit;

typedef enum pt_format { PT_FORMAT_TEXT, PT_FORMAT_JSON } pt_format;

/* Latency columns are microseconds; bandwidth columns bytes per second
 * (converted from MB/sec or MiB/sec, 2^20 bytes, or Gb/sec, 10^9 bits) and messages
 * per second.  A column the file does not have is NAN. */
typedef struct pt_row {
	double size_bytes;
	double iterations;
	double t_min_us, t_max_us, t_typical_us, t_avg_us, t_stdev_us, t_p99_us, t_p999_us;
	double bw_peak_bytes_per_s, bw_average_bytes_per_s, msg_rate_per_s;
	unsigned line;             /* where the row is, for messages */
	int finite;                /* 0: perftest printed inf or nan in it (a failed clock sample) */
} pt_row;

typedef struct pt_run {
	char file[1024];
	mdl_verb verb;             /* from the banner */
	unsigned banner_line;
	double mtu_bytes;          /* "Mtu : 1024[B]"; NAN if not printed */
	double tx_depth;           /* "TX depth : 128"; NAN if not printed */
	int report_gbits;          /* the bandwidth table is in Gb/sec */
	pt_bw_unit bw_unit;        /* the bandwidth table's unit, as printed (JSON: as told by MsgRate) */
	pt_format format;
	size_t row_count;
	pt_row rows[PT_ROWS_MAX];
} pt_run;

/* Parse perftest's text output held in TEXT (LENGTH bytes) from file NAME. */
int pt_parse_buffer(const char *name, const char *text, size_t length, pt_run *out, vr_diag *diag);

/* Parse perftest's --out_json file held in TEXT (LENGTH bytes) from NAME. */
int pt_parse_json_buffer(const char *name, const char *text, size_t length, pt_run *out, vr_diag *diag);

/* The test a banner names ("RDMA_Write Latency Test"; SEPARATOR '_' for
 * the JSON's "RDMA_Write_Latency_Test"): 0 with *VERB, or -1. */
int pt_test_verb(const char *banner, size_t length, char separator, mdl_verb *verb);

/* The tests the readers know, for messages ("RDMA_Write Latency Test, ..."). */
const char *pt_test_list(char separator);

/* Read and parse PATH: JSON when its name ends in .json, else text. */
int pt_parse_file(const char *path, pt_run *out, vr_diag *diag);

#endif
