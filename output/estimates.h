/*
 * estimates.h - the estimates of a results file, keyed for comparison
 * (`vrdmasim regress`).
 *
 * A results file is what `vrdmasim run --format json` writes (single-flow
 * `results`, many-flow `flow_results`), or several of them one after
 * another: a sweep's JSON lines (one run's object per line, with its
 * `point`), or run outputs joined with cat (input/json_seq.h).
 * An estimate is one figure of one result: its key (scenario, the point's
 * coordinates, preset, option, verb, size, completion, flow group), which
 * figure (VR_METRICS) and its value.  Everything else (provenance, seeds,
 * breakdowns, where and when a point ran) is not compared.
 *
 * Reading is strict: every value regress uses is checked where it is read
 * (names are identifiers, figures finite numbers, zero or more, each
 * estimate once per file), and a bad one is refused with
 * FILE:LINE:COL: found X, expected Y.
 */
#ifndef VR_OUTPUT_ESTIMATES_H
#define VR_OUTPUT_ESTIMATES_H

#include <stddef.h>

#include "input/diag.h"

/* The parts of an estimate's key, in the order keys sort and print. */
typedef enum vr_key_part {
	KEY_SCENARIO, KEY_POINT, KEY_PRESET, KEY_OPTION, KEY_VERB, KEY_SIZE, KEY_COMPLETION, KEY_GROUP, KEY_PART_COUNT
} vr_key_part;

/* Their names in regress's JSON and CSV: scenario, point, preset, option,
 * verb, size_bytes, completion, group. */
extern const char *const vr_key_part_names[KEY_PART_COUNT];

/* Which results carry a figure. */
typedef enum vr_metric_source { FROM_LATENCY, FROM_BANDWIDTH, FROM_FLOW_GROUP } vr_metric_source;

/* A figure regress compares: its name (a results CSV column, with its
 * unit), which results have it, and where it is in their JSON. */
typedef struct vr_metric {
	const char *name;          /* median_us, p99_us, ...: what --tolerance NAME=P% names */
	vr_metric_source source;
	const char *object;        /* the member holding it ("one_way_us"), or NULL: the flow group itself */
	const char *key;           /* its key there */
} vr_metric;

/* The figures: latency results' median and p99, bandwidth results'
 * average and peak, flow groups' p50, p99 and throughput. */
extern const vr_metric VR_METRICS[];
extern const size_t VR_METRIC_COUNT;

/* The index of the metric NAME in VR_METRICS (the first of that name), or
 * -1.  Names may repeat across sources (p99_us): a tolerance names both. */
int vr_metric_find(const char *name);

typedef struct vr_estimate {
	const char *part[KEY_PART_COUNT]; /* into the estimate's own storage; "" when it has none (a flow group has no verb) */
	char *storage;                    /* the parts, NUL-separated: free() it */
	unsigned metric;                  /* index in VR_METRICS */
	double value;                     /* finite, zero or more */
	unsigned line, column;            /* where the value is in the file */
} vr_estimate;

typedef struct vr_estimates {
	char *file;                 /* the path read (heap) */
	vr_estimate *items;         /* sorted by vr_estimate_compare: no two alike */
	size_t count, capacity;
	size_t results;             /* results and flow groups read (each has one or more figures) */
	long objects;               /* top-level objects (runs, sweep points) */
} vr_estimates;

/* Read the results file PATH into OUT (sorted).  Returns 0, or -1 with
 * DIAG filled and nothing to free. */
int vr_estimates_read(const char *path, vr_estimates *out, vr_diag *diag);

void vr_estimates_free(vr_estimates *e);

/* Order of keys, then metrics: <0, 0 (the same estimate) or >0. */
int vr_estimate_compare(const vr_estimate *a, const vr_estimate *b);

/* The key as people read it: its non-empty parts joined by '/', the point
 * in braces ("many-vms{vms=8}/esxi5-qdr-2012/vrdma/pingpong").  Returns
 * BUF. */
char *vr_estimate_label(const vr_estimate *e, char *buf, size_t bytes);

#endif
