/*
 * pingpong.h - the write_lat workload: two actors bounce an RDMA WRITE back
 * and forth, each polling the last byte of its buffer (perftest's
 * ib_write_lat), and each consuming its own send completion before it
 * waits for the next message.
 *
 * One simulated transfer per message (the fabric segment, contended on the
 * platform's links) and one sleep per message (every uncontended cost on
 * both sides, folded into arithmetic): two activities per one-way.
 */
#ifndef VR_PINGPONG_H
#define VR_PINGPONG_H

#include <gsl/gsl_rng.h>
#include <simgrid/forward.h>

#include "models/plan.h"
#include "sim/results.h"
#include "sim/stats.h"

/* Seeded noise of one actor's software stages. */
typedef struct vr_jitter {
	gsl_rng *rng;
	double sigma;                  /* lognormal shape from the CV; 0: no noise */
	double interference_probability;
	double interference_ns;
} vr_jitter;

typedef struct vr_pingpong_side {
	int initiator;                 /* posts first and records the samples */
	const mdl_plan *send_plan;     /* this side -> peer */
	const mdl_plan *recv_plan;     /* peer -> this side */
	sg_mailbox_t own_box, peer_box;
	unsigned long long total;      /* warm-up plus measured iterations */
	unsigned long long warmup;
	double latency_per_round_trip;  /* reported sample = round trip x this (perftest: 1/2, READ 1) */
	size_t extra_base;              /* first breakdown slot of the extras of this side's sends */
	vr_jitter jitter;
	vr_stats *stats;               /* initiator: one-way samples */
	vr_breakdown *breakdown;       /* shared by both sides */
} vr_pingpong_side;

/* Set up a side's jitter from PARAMS with a seed; vr_jitter_free after. */
void vr_jitter_init(vr_jitter *j, const mdl_params *params, unsigned long seed);
void vr_jitter_free(vr_jitter *j);

/* The actor body; its data (sg_actor_self_get_data) is a vr_pingpong_side. */
void vr_pingpong_actor(int argc, char **argv);

#endif
