/*
 * plan.h - an option compiled for one message size and one direction: the
 * nominal (uncontended) cost of every stage, grouped by who pays it when.
 *
 * The simulator's event path reads plans and does arithmetic only:
 *   SEG_SENDER      folded into the sender's sleep before the transfer
 *   SEG_FABRIC      the transfer itself: platform link latencies (wire,
 *                   switch) plus serialization at the route's bottleneck
 *   SEG_RECEIVER    folded into the receiver's sleep after the transfer
 *   SEG_COMPLETION  the requester's completion, racing the next message
 *   SEG_OFF         CPU time that delays no message
 */
#ifndef MDL_PLAN_H
#define MDL_PLAN_H

#include "models/option.h"

typedef enum mdl_segment { SEG_SENDER, SEG_FABRIC, SEG_RECEIVER, SEG_COMPLETION, SEG_OFF } mdl_segment;

typedef struct mdl_plan_stage {
	int stage;               /* index into the option's stages (breakdown key) */
	mdl_segment segment;
	double nominal_ns;
	int software;            /* subject to jitter */
} mdl_plan_stage;

typedef struct mdl_plan {
	size_t count;
	mdl_plan_stage stages[MDL_STAGES_MAX];
	mdl_message message;
	double fabric_latency_ns;    /* sum of SEG_FABRIC nominals = route link latencies */
	double serialization_ns;     /* message.wire_bytes over the route's slowest link */
	mdl_resource bottleneck;     /* that link */
	mdl_counters counters;       /* per operation, all paths */
} mdl_plan;

/* Compile OPTION for a message of SIZE_BYTES from a host with REQ to a host
 * with RESP.  The option has been validated by its loader. */
void mdl_plan_build(const mdl_option *option, const mdl_params *req, const mdl_params *resp,
		    double size_bytes, mdl_plan *out);

/* Sum of nominal costs of SEGMENT. */
double mdl_plan_segment_ns(const mdl_plan *plan, mdl_segment segment);

#endif
