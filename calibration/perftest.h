/*
 * perftest.h - reading what perftest (linux-rdma/perftest 4.x) prints.
 *
 * One file is one run of one test (ib_write_lat, ib_send_bw...): a banner
 * naming the test ("RDMA_Write Latency Test"), a block of settings
 * ("Mtu : 1024[B]", "TX depth : 128"...), connection lines, then a table
 * between dashed rules whose header names its columns:
 *   latency:   #bytes #iterations t_min[usec] t_max[usec] t_typical[usec]
 *              (perftest 3.x stops there) t_avg[usec] t_stdev[usec]
 *              99% percentile[usec] 99.9% percentile[usec]
 *   bandwidth: #bytes #iterations BW peak[MB/sec] BW average[MB/sec]
 *              MsgRate[Mpps]   (Gb/sec with --report_gbits)
 * Anything else (warnings, the server's banner) is skipped; the banner and
 * the table are checked strictly, and every error names the file and line.
 * perftest prints inf or -nan in a row when its CPU clock sample fails: such
 * a row is kept, marked not finite, for the caller to leave out.
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

/* Latency columns are microseconds; bandwidth columns bytes per second
 * (converted from MB/sec, 2^20 bytes, or Gb/sec, 10^9 bits) and messages
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
	size_t row_count;
	pt_row rows[PT_ROWS_MAX];
} pt_run;

/* Parse perftest's output held in TEXT (LENGTH bytes) from file NAME. */
int pt_parse_buffer(const char *name, const char *text, size_t length, pt_run *out, vr_diag *diag);

/* Read and parse PATH. */
int pt_parse_file(const char *path, pt_run *out, vr_diag *diag);

#endif
