/*
 * cpu_sides.h - the two ends' CPU work and how it combines: the one place
 * where cpu.side_overlap meets the per-message (or per-packet) software
 * time of both ends.
 *
 * With overlap o (cpu.side_overlap), two ends doing A and B of CPU work per
 * message (or per packet) set the pace
 *     o * max(A, B) + (1 - o) * (A + B)
 * 1: each end on cores of its own, they pipeline and the busier one sets
 * the pace; 0: they take turns on shared CPUs and their work adds up.  The
 * latency pipeline (models/plan.c), the calibration's bandwidth arithmetic
 * (calibration/fit.c) and the simulated bandwidth stream (sim/stream.c)
 * all go through here.  The stream keeps a calendar per end; it charges
 * each end its own work plus its turn, (1 - o) times the other end's work
 * (mdl_sides_turn_ns): the busier end then runs at exactly the pace above,
 * since max(A, B) + (1 - o) * min(A, B) is that pace.
 *
 * What a stream's message costs each end's CPU (mdl_stream_cpu_of), from
 * its plans, as the stream charges it: the requester posts (per-doorbell
 * work once per post list), consumes one completion every cq_moderation
 * messages, and for a READ also receives the response (the completer);
 * the responder receives and sends the ACK's software part, or for a READ
 * receives the request and sends the response.
 */
#ifndef MDL_CPU_SIDES_H
#define MDL_CPU_SIDES_H

#include "models/plan.h"

/* The pace two ends with A_NS and B_NS of CPU work set, at OVERLAP. */
double mdl_sides_pace_ns(double overlap, double a_ns, double b_ns);

/* An end's turn: how long the other end's OTHER_NS of work holds this
 * end's CPU too, at OVERLAP. */
double mdl_sides_turn_ns(double overlap, double other_ns);

/* One leg's software work per message, by whose CPU runs it. */
typedef struct mdl_leg_cpu {
	double sender_ns;          /* before the transfer, not counting per-doorbell stages */
	double sender_doorbell_ns; /* per doorbell (once per post list) */
	double receiver_ns;        /* after the transfer */
	double ack_ns;             /* the receiver's part of the completion path */
	double completion_ns;      /* the requester's completion software, per CQE */
} mdl_leg_cpu;

mdl_leg_cpu mdl_leg_cpu_of(const mdl_plan *plan);

/* A stream's CPU work per message on each end. */
typedef struct mdl_stream_cpu {
	double requester_ns, responder_ns;
} mdl_stream_cpu;

/* FORWARD: the message (or the READ request); RESPONSE: the READ's
 * response, else NULL. */
mdl_stream_cpu mdl_stream_cpu_of(const mdl_plan *forward, const mdl_plan *response, unsigned post_list,
				 unsigned cq_moderation);

#endif
