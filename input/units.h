/*
 * units.h - strict parsing of quantities written with their units.
 *
 * Every dimensioned number a user writes carries its unit: "1.2us", "600ns",
 * "56Gbps", "12.5GBps", "2.9GHz", "1600cycles", "4KiB".  A bare number is an
 * error for dimensioned kinds; ratios and counts are bare numbers.
 * Canonical units (what `value` holds after parsing):
 *   TIME ns, RATE bits/s, SIZE bytes, FREQ Hz, OP_RATE operations/s,
 *   RATIO and COUNT unitless.
 * "cycles" is a TIME whose value stays in cycles (is_cycles = 1) until the
 * caller knows the CPU frequency: see vr_quantity_ns().
 */
#ifndef VR_UNITS_H
#define VR_UNITS_H

#include <stddef.h>

typedef enum vr_qkind {
	VR_Q_TIME,
	VR_Q_RATE,
	VR_Q_SIZE,
	VR_Q_FREQ,
	VR_Q_RATIO,
	VR_Q_COUNT,
	VR_Q_OP_RATE,      /* operations per second: "20000/s", "20k/s", "1.5Mops/s" */
} vr_qkind;

typedef struct vr_quantity {
	double value;      /* canonical unit, or cycles when is_cycles */
	int is_cycles;     /* a TIME written in cycles */
} vr_quantity;

/* Parse TEXT as a quantity of KIND.  Negative values are refused here: no
 * quantity in the model is negative.  On error returns -1 and writes into
 * EXPECTED (size EXPECTED_LEN) what a valid value looks like. */
int vr_parse_quantity(const char *text, vr_qkind kind, vr_quantity *out,
		      char *expected, size_t expected_len);

/* A TIME quantity in nanoseconds, converting cycles through FREQUENCY_HZ. */
double vr_quantity_ns(vr_quantity q, double frequency_hz);

/* Human name of a kind ("time", "data rate", ...) and an example of it. */
const char *vr_qkind_name(vr_qkind kind);
const char *vr_qkind_example(vr_qkind kind);

#endif
