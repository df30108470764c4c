/*
 * plan.h - an option compiled for one message size and one direction: the
 * nominal (uncontended) cost of every stage, grouped by who pays it when.
 *
 * The simulator's event path reads plans and does arithmetic only:
 *   SEG_SENDER      folded into the sender's sleep before the transfer
 *   SEG_FABRIC      the transfer itself: platform link latencies (wire,
 *                   switch...) plus serialization at the route's bottleneck
 * Stages whose work repeats per packet (mechanism.h, per_packet_ns) are
 * charged one packet each: the packets flow through them as through a
 * pipeline, so the message pays the other packets only once, at the pace of
 * the slowest stage or link (pipeline_ns, beyond the link serialization).
 * The software stages of one side share that side's CPU, so their
 * per-packet work adds up into one pipeline stage.
 *   SEG_RECEIVER    folded into the receiver's sleep after the transfer
 *   SEG_COMPLETION  the requester's completion, racing the next message
 *   SEG_OFF         CPU time that delays no message
 */
#ifndef MDL_PLAN_H
#define MDL_PLAN_H

#include "models/option.h"

typedef enum mdl_segment { SEG_SENDER, SEG_FABRIC, SEG_RECEIVER, SEG_COMPLETION, SEG_OFF } mdl_segment;

/* Which message a plan carries: a WRITE or SEND (request path, with its
 * completion and off-path work), or one of the two legs of a READ. */
typedef enum mdl_leg { LEG_MESSAGE, LEG_READ_REQUEST, LEG_READ_RESPONSE } mdl_leg;

typedef struct mdl_plan_stage {
	int stage;               /* index into the option's stages (breakdown key) */
	mdl_segment segment;
	mdl_side side;           /* whose CPU or hardware runs it */
	double nominal_ns;       /* its share of one message's latency (first packet, if pipelined) */
	double full_ns;          /* the work of the whole message (all its packets) */
	int software;            /* runs on a CPU: subject to jitter, occupies that CPU */
	int per_doorbell;        /* done once per doorbell, shared by a post list */
	mdl_counters counts;     /* the events it counts, per operation */
	double event_chance;     /* a stage that strikes by chance (a timer tick): the chance
				  * it strikes one message, its rate x the leg's one-way time */
	double event_ns;         /* and what it costs then (0: no such stage) */
} mdl_plan_stage;

typedef struct mdl_plan {
	size_t count;
	mdl_plan_stage stages[MDL_STAGES_MAX];
	mdl_message message;
	mdl_route route;             /* the links the transfer crosses */
	double fabric_latency_ns;    /* sum of SEG_FABRIC nominals = route link latencies */
	double serialization_ns;     /* message.wire_bytes over the route's slowest link */
	mdl_resource bottleneck;     /* that link */
	double pipeline_ns;          /* later packets held back by a stage slower than that link */
	double pipeline_cacheless_ns; /* the same without the translation stages' misses
				       * (mdl_mechanism_translates): the many-flow model
				       * charges those at its caches */
	double pipeline_hardware_ns;  /* the same without the software stages' pace either: what
				       * is left when their whole per-packet work is charged to the
				       * CPU that runs it (a hypervisors' group, flow_experiment.h) */
	mdl_counters counters;       /* per operation, all paths */
	int sender_software;         /* a CPU works before the transfer (it can be interrupted) */
	int completion_after_receiver; /* the completion path starts once the receiver's stages are done */
	double completion_start_ns;  /* after the transfer, when the completion path starts: the
				      * receiver's nominal stages if completion_after_receiver, else 0 */
	double side_overlap;         /* the sender's cpu.side_overlap: how far the two ends' CPU
				      * work overlaps (models/cpu_sides.h) */
} mdl_plan;

/* The leg of VERB's plan that goes there (BACK 0: A -> B) or back (1):
 * a READ or an atomic is a request and a response; any other verb is a
 * message each way. */
mdl_leg mdl_leg_of(mdl_verb verb, int back);

/* Compile LEG of OPTION running VERB with COMPLETION, for SIZE_BYTES of
 * payload, from a host with SENDER's parameters to one with RECEIVER's,
 * for a workload whose caches must hold FOOTPRINT.  Stages that do not
 * apply to VERB and COMPLETION are left out.  The option has been
 * validated by its loader. */
void mdl_plan_build(const mdl_option *option, const mdl_params *sender, const mdl_params *receiver,
		    double size_bytes, mdl_verb verb, mdl_completion completion, mdl_leg leg,
		    const mdl_footprint *footprint, mdl_plan *out);

/* Sum of nominal costs of SEGMENT. */
double mdl_plan_segment_ns(const mdl_plan *plan, mdl_segment segment);

/* The uncontended one-way time of a message: sender, transfer (link
 * latencies, serialization, pipeline) and receiver. */
double mdl_plan_one_way_ns(const mdl_plan *plan);

/* The software work of SEGMENT's stages for the whole message (all its
 * packets): what occupies that side's CPU. */
double mdl_plan_cpu_ns(const mdl_plan *plan, mdl_segment segment);

#endif
