/*
 * perftest_row.h - one perftest result, as either reader found it (the text
 * table's row, calibration/perftest.c; the --out_json file's "results",
 * calibration/perftest_json.c), checked by perftest's own definitions and
 * converted into a pt_row.
 *
 * A reader fills a pt_fields: each value as printed (in the unit of its
 * column), where it stands, and its text; the checks below then refuse, at
 * the offending value, what no perftest run prints: a time or a bandwidth
 * of zero or less, figures out of order, a message rate the bandwidth
 * cannot carry, values beyond what an RDMA link or perftest's options allow.
 * Internal to the perftest readers.
 */
#ifndef CAL_PERFTEST_ROW_H
#define CAL_PERFTEST_ROW_H

#include "calibration/perftest.h"

/* A result's fields, in both formats.  The text table's columns and the
 * JSON members name the same figures (perftest_parameters.h: RESULT_FMT*
 * and REPORT_FMT*_JSON). */
typedef enum pt_column {
	PT_COL_BYTES, PT_COL_ITERATIONS, PT_COL_T_MIN, PT_COL_T_MAX, PT_COL_T_TYPICAL, PT_COL_T_AVG, PT_COL_T_STDEV,
	PT_COL_T_P99, PT_COL_T_P999, PT_COL_BW_PEAK, PT_COL_BW_AVG, PT_COL_MSG_RATE, PT_COL_COUNT
} pt_column;

typedef struct pt_fields {
	double value[PT_COL_COUNT];        /* as printed, in the column's unit; NAN: perftest printed inf or nan */
	vr_where where[PT_COL_COUNT];      /* line 0: the result has no such field */
	char text[PT_COL_COUNT][40];       /* as printed, for messages */
	const char *name[PT_COL_COUNT];    /* the format's name of each field ("t_typical[usec]", "t_typical") */
	const char *noun;                  /* "the column" or "the member" */
	const char *whole;                 /* "row" or "results object" */
	pt_bw_unit unit;                   /* of PT_COL_BW_PEAK and PT_COL_BW_AVG */
} pt_fields;

/* Bytes per second in one printed unit (MB/sec and MiB/sec: 2^20 bytes;
 * Gb/sec: 10^9 bits), and the unit's name. */
double pt_bytes_per_s_per_unit(pt_bw_unit unit);
const char *pt_unit_name(pt_bw_unit unit);

/* A field that F has: WHERE is its place, TEXT what was printed. */
void pt_fields_set(pt_fields *f, pt_column c, double value, vr_where where, const char *text);

/* Check F (a latency result when BANDWIDTH is 0) and fill *ROW from it;
 * LINE is the row's line.  Returns 0, or -1 with DIAG at the offending
 * value. */
int pt_fields_to_row(const pt_fields *f, int bandwidth, unsigned line, pt_row *row, vr_diag *diag);

#endif
