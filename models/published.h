/*
 * published.h - a file of published end-to-end figures and the scenarios
 * that reproduce them (validation/published.yaml; docs/validation.md
 * describes it), loaded strictly, and how far a model figure lies from
 * each.
 *
 * A figure is what a public source measured (or claimed, or estimated):
 * one perftest figure of one system, its value, a range or a bound, the
 * source, and the scenario that runs the same test on the preset nearest
 * that system.  The scenario is a scenario as docs/scenario-format.md
 * describes it, written inline (its errors are located in this file) or
 * named by a path beside the file, and it must yield exactly one result:
 * one preset, one option, one workload of one size.  Entries under
 * `not_modelled:` are figures the model cannot run yet, kept with their
 * sources and the reason.  Every error reads "FILE:LINE:COL: found X,
 * expected Y".
 */
#ifndef MDL_PUBLISHED_H
#define MDL_PUBLISHED_H

#include <stddef.h>

#include "input/diag.h"
#include "input/yaml_tree.h"
#include "models/scenario.h"

/* What kind of figure the source gives. */
typedef enum pub_kind {
	PUB_MEASUREMENT,    /* measured on the system described */
	PUB_VENDOR_CLAIM,   /* a vendor's figure, usually a bound */
	PUB_ESTIMATE,       /* a back-of-envelope estimate, measured by nobody */
	PUB_KIND_COUNT
} pub_kind;

extern const char *const pub_kind_names[PUB_KIND_COUNT + 1];

/* Which model figure is compared: perftest's columns. */
typedef enum pub_metric {
	PUB_T_TYPICAL,      /* latency tests: the median (perftest's t_typical) */
	PUB_T_AVG,          /* latency tests: the mean */
	PUB_BW_AVERAGE,     /* bandwidth tests: BW average */
	PUB_BW_PEAK,        /* bandwidth tests: BW peak */
	PUB_METRIC_COUNT
} pub_metric;

extern const char *const pub_metric_names[PUB_METRIC_COUNT + 1];

/* Is METRIC a latency (else a bandwidth)? */
int pub_metric_is_latency(pub_metric metric);

typedef struct pub_figure {
	const char *id;           /* unique in the file; the strings point into the tree */
	const char *measured;     /* system, test, size, setting */
	const char *source;       /* the citation */
	const char *setting;      /* the preset chosen, and how far it is from the system */
	pub_kind kind;
	pub_metric metric;
	int has_low, has_high;    /* a value has both, equal; a bound one */
	double low, high;         /* ns (latencies) or bits/s (bandwidths) */
	yt_doc own;               /* a scenario named by path: its tree (else empty) */
	scn_scenario scenario;    /* resolved: exactly one result */
} pub_figure;

typedef struct pub_unmodelled {
	const char *id, *measured, *published, *source, *why;
} pub_unmodelled;

typedef struct pub_file {
	yt_doc doc;
	size_t count;
	pub_figure *figures;
	size_t unmodelled_count;
	pub_unmodelled *unmodelled;
} pub_file;

/* Load PATH and every figure's scenario.  Returns 0, or -1 with DIAG
 * filled; free with pub_free either way. */
int pub_load(const char *path, pub_file *out, vr_diag *diag);

void pub_free(pub_file *f);

/* How a model figure stands against a published one. */
typedef enum pub_verdict {
	PUB_ERROR,          /* against a single value: the error says it all */
	PUB_WITHIN,         /* inside the range, or on the right side of the bound */
	PUB_OUTSIDE,        /* beyond the range or the bound */
} pub_verdict;

extern const char *const pub_verdict_names[3];

/* Compare MODEL (ns or bits/s, as F's figure) with F's figure: returns the
 * verdict, and into *ERROR_PERCENT the signed error, (model - value) /
 * value x 100 against a value, else 0 within and the distance beyond the
 * nearest bound (over that bound, x 100) outside. */
pub_verdict pub_compare(const pub_figure *f, double model, double *error_percent);

#endif
