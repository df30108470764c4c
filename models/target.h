/*
 * target.h - a sweep's `target:` (docs/scenario-format.md, "Targets"): the
 * question a sweep answers, "the largest value of VARIABLE for which METRIC
 * still meets BOUND", and how many rounds of bisection refine the answer.
 *
 *   target: p99 <= 10us                       # short form
 *   target: {require: p99 <= 2x first, group: probe,
 *            variable: topology.hosts[*].vms, refine: 3}
 *
 * METRIC is p50, p99, p99.9 (a flow group's or a single-flow result's
 * latency) or throughput (a flow group's operations/s); BOUND is a time
 * (latency) or a rate of operations (throughput), `N%` (throughput: that
 * share of the group's offered load, open loop only) or `Nx first` (N times
 * the metric at the variable's smallest value, per series).  The knee
 * variable must be swept with numbers (`4`, or a number with the same unit
 * on every value: `10k/s per vm`); the default is the grid's first variable.
 */
#ifndef VR_MODELS_TARGET_H
#define VR_MODELS_TARGET_H

#include <stddef.h>

#include "input/yaml_tree.h"

typedef enum swp_metric { SWP_METRIC_P50, SWP_METRIC_P99, SWP_METRIC_P999, SWP_METRIC_THROUGHPUT } swp_metric;
typedef enum swp_bound { SWP_BOUND_ABSOLUTE, SWP_BOUND_FIRST, SWP_BOUND_OFFERED } swp_bound;

enum { SWP_REFINE_MAX = 20 };   /* rounds of bisection: 2^20 narrows any grid enough */

typedef struct swp_target {
	int present;
	const yt_node *node;     /* the `target:` value, for places */
	const yt_node *require;  /* the "METRIC OP BOUND" scalar */
	char text[128];          /* the requirement as written (the knee report's "target") */
	swp_metric metric;
	int at_most;             /* <= (latency); else >= (throughput) */
	swp_bound bound_kind;
	double bound;            /* us for latency, ops/s for throughput; the factor (x first)
				  * or the share (0.9 for 90%) otherwise */
	const yt_node *group;    /* `group:`, or NULL (the only group, or every result) */
	const yt_node *variable; /* `variable:`, or NULL (the grid's first) */
	unsigned refine;         /* rounds of bisection after the grid (0: none) */
} swp_target;

/* Read NODE (the `target:` value) into T.  Checks its own syntax only;
 * swp_open checks the group and the variable against the sweep.  0, or -1
 * with DIAG filled, located. */
int swp_target_read(const yt_node *node, swp_target *t, vr_diag *diag);

/* The metric's name as written in the target ("p99"), and its member in a
 * flow group's results ("p99_us") and in a single-flow result's one_way_us
 * ("p99"; NULL for throughput, which single-flow results do not carry). */
const char *swp_metric_name(swp_metric m);
const char *swp_metric_group_key(swp_metric m);
const char *swp_metric_single_key(swp_metric m);

/* Does VALUE (of the metric) meet T, FIRST the metric at the smallest
 * value of the variable and OFFERED the group's offered load (ops/s)? */
int swp_target_meets(const swp_target *t, double value, double first, double offered);

#endif
