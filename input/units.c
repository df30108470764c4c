/*
 * units.c - quantity parsing: a decimal number immediately followed by a unit
 * from the table of its kind.  The tables are the whole grammar.
 */
#include "input/units.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct unit {
	const char *symbol;
	double to_canonical;   /* multiply the written number by this */
} unit;

static const unit time_units[] = {
	{"ps", 1e-3}, {"ns", 1.0}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9},
	{NULL, 0},
};
/* Rates: "bps" family counts bits, "Bps" family counts bytes (decimal prefixes,
 * as link and PCIe rates are quoted); "KiBps", "MiBps", "GiBps" count bytes
 * in binary multiples, as perftest's MB/sec (2^20 bytes). */
static const unit rate_units[] = {
	{"bps", 1.0}, {"kbps", 1e3}, {"Kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12},
	{"Bps", 8.0}, {"kBps", 8e3}, {"KBps", 8e3}, {"MBps", 8e6}, {"GBps", 8e9}, {"TBps", 8e12},
	{"KiBps", 8.0 * 1024}, {"MiBps", 8.0 * 1048576}, {"GiBps", 8.0 * 1073741824},
	{NULL, 0},
};
static const unit size_units[] = {
	{"B", 1.0}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
	{NULL, 0},
};
static const unit freq_units[] = {
	{"Hz", 1.0}, {"kHz", 1e3}, {"KHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9},
	{NULL, 0},
};
/* Rates of operations (a flow's arrivals), decimal prefixes: "/s" reads
 * "per second", "ops/s" says the same at length. */
static const unit op_rate_units[] = {
	{"/s", 1.0}, {"k/s", 1e3}, {"K/s", 1e3}, {"M/s", 1e6},
	{"ops/s", 1.0}, {"kops/s", 1e3}, {"Kops/s", 1e3}, {"Mops/s", 1e6},
	{NULL, 0},
};
static const unit no_units[] = {{"", 1.0}, {NULL, 0}};

static const unit *units_of(vr_qkind kind)
{
	switch (kind) {
	case VR_Q_TIME: return time_units;
	case VR_Q_RATE: return rate_units;
	case VR_Q_SIZE: return size_units;
	case VR_Q_FREQ: return freq_units;
	case VR_Q_OP_RATE: return op_rate_units;
	case VR_Q_RATIO:
	case VR_Q_COUNT: return no_units;
	}
	return no_units;
}

const char *vr_qkind_name(vr_qkind kind)
{
	static const char *const names[] = {
		[VR_Q_TIME] = "time", [VR_Q_RATE] = "data rate", [VR_Q_SIZE] = "size",
		[VR_Q_FREQ] = "frequency", [VR_Q_RATIO] = "ratio", [VR_Q_COUNT] = "count",
	};
	return names[kind];
}

const char *vr_qkind_example(vr_qkind kind)
{
	static const char *const examples[] = {
		[VR_Q_TIME] = "a time with its unit, such as 600ns, 1.2us or 1600cycles",
		[VR_Q_RATE] = "a data rate with its unit, such as 56Gbps or 12.5GBps",
		[VR_Q_SIZE] = "a size with its unit, such as 64B, 4KiB or 8MiB",
		[VR_Q_FREQ] = "a frequency with its unit, such as 2.9GHz",
		[VR_Q_RATIO] = "a plain number, such as 0.05",
		[VR_Q_COUNT] = "a whole number, such as 1000",
		[VR_Q_OP_RATE] = "a rate of operations with its unit, such as 20000/s, 20k/s or 1.5M/s",
	};
	return examples[kind];
}

/* Plain decimal only: strtod would also take hex, "inf" and "nan". */
static int scan_decimal(const char *text, double *value, const char **rest)
{
	const char *p = text;
	if (*p == '+')
		p++;
	const char *digits = p;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (p == digits || (p == digits + 1 && *digits == '.'))
		return -1;
	if ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) ||
	     ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
		p += 2;
		while (isdigit((unsigned char)*p))
			p++;
	}
	char *end;
	*value = strtod(text, &end);
	if (end != p || !isfinite(*value))
		return -1;
	*rest = p;
	return 0;
}

/* A digit other than 0 before the exponent: the text means a value above 0. */
static int written_nonzero(const char *text)
{
	for (const char *p = text; *p && *p != 'e' && *p != 'E'; p++)
		if (*p >= '1' && *p <= '9')
			return 1;
	return 0;
}

/* 1e-400ns is not 0 as written, but 0 (or a denormal) once read: refuse it
 * here, quoting the text, rather than let it pass as 0 or reach SimGrid. */
static int underflows(const char *text, double value)
{
	return written_nonzero(text) && fpclassify(value) != FP_NORMAL;
}

static int refuse_underflow(vr_qkind kind, char *expected, size_t expected_len)
{
	snprintf(expected, expected_len, "0 or a %s whose magnitude a double holds in the model's units, above %g (%s)",
		 vr_qkind_name(kind), DBL_MIN, vr_qkind_example(kind));
	return -1;
}

int vr_parse_quantity(const char *text, vr_qkind kind, vr_quantity *out,
		      char *expected, size_t expected_len)
{
	double number;
	const char *suffix;
	snprintf(expected, expected_len, "%s", vr_qkind_example(kind));
	if (text[0] == '-') {
		snprintf(expected, expected_len, "a value that is not negative (%s)",
			 vr_qkind_example(kind));
		return -1;
	}
	if (scan_decimal(text, &number, &suffix) != 0)
		return -1;
	if (underflows(text, number))
		return refuse_underflow(kind, expected, expected_len);
	if (kind == VR_Q_TIME && strcmp(suffix, "cycles") == 0) {
		out->value = number;
		out->is_cycles = 1;
		return 0;
	}
	for (const unit *u = units_of(kind); u->symbol; u++) {
		if (strcmp(suffix, u->symbol) != 0)
			continue;
		out->value = number * u->to_canonical;
		out->is_cycles = 0;
		/* 1e308s is finite as written, not in ns: refuse it here, where
		 * the caller still quotes what was written. */
		if (!isfinite(out->value)) {
			snprintf(expected, expected_len, "a %s that stays finite in the model's units (%s)",
				 vr_qkind_name(kind), vr_qkind_example(kind));
			return -1;
		}
		if (underflows(text, out->value))
			return refuse_underflow(kind, expected, expected_len);
		/* 64.1KB is 64100 bytes, though 64.1 * 1e3 is not exactly that in
		 * binary floating point: allow for rounding, then snap. */
		double whole = round(out->value);
		if ((kind == VR_Q_COUNT || kind == VR_Q_SIZE) &&
		    fabs(out->value - whole) > 1e-9 * fmax(1.0, whole)) {
			snprintf(expected, expected_len, "a whole number of %s",
				 kind == VR_Q_SIZE ? "bytes" : "items");
			return -1;
		}
		if (kind == VR_Q_COUNT || kind == VR_Q_SIZE)
			out->value = whole;
		return 0;
	}
	if (*suffix == '\0' && kind != VR_Q_RATIO && kind != VR_Q_COUNT)
		snprintf(expected, expected_len, "a unit after the number: %s",
			 vr_qkind_example(kind));
	return -1;
}

double vr_quantity_ns(vr_quantity q, double frequency_hz)
{
	return q.is_cycles ? q.value / frequency_hz * 1e9 : q.value;
}
