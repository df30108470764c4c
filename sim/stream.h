/*
 * stream.h - the bandwidth workloads (perftest's ib_write_bw, ib_read_bw,
 * ib_send_bw): one requester keeps up to tx_depth work requests in flight,
 * rings one doorbell per post list, asks for a completion every
 * cq_moderation requests, and measures from its first post to its last
 * completion.
 *
 * What each message costs, from its plans (models/plan.h):
 *   - the software stages of a side occupy that side's CPU, one message
 *     after another (per-doorbell stages once per post list): a CPU that
 *     cannot keep up limits the rate; as far as cpu.side_overlap says the
 *     two ends take turns on shared CPUs, each also holds its turn of the
 *     other's work (models/cpu_sides.h, the fit's arithmetic too);
 *   - the payload streams over the route's links as a SimGrid transfer,
 *     alongside every other message in flight: the slowest link limits the
 *     rate, and contention shares it;
 *   - the hardware stages are latency only (the HCA and DMA engines are
 *     pipelines), which only matters when the window runs dry.
 * A READ's request travels to the responder, which answers with the data;
 * the requester's CPU also completes the responses.
 *
 * Actors: the requester (posts, waits for completions), the receiver of its
 * messages (turns arrivals into completion times) and, for READ, the
 * requester's completer (receives the responses).  Messages are
 * arithmetic except for one transfer each.
 */
#ifndef VR_STREAM_H
#define VR_STREAM_H

#include "models/plan.h"
#include "sim/results.h"

/* What the engine hands a stream experiment; results go into RESULT. */
typedef struct vr_stream_setup {
	const mdl_plan *forward;        /* requester -> responder: the message, or the READ request */
	const mdl_plan *response;       /* READ: responder -> requester; else NULL */
	const char *requester_host, *responder_host;   /* SimGrid hosts */
	const char *mailbox_prefix;     /* unique per experiment */
	unsigned long long total;       /* messages, warm-up included */
	unsigned long long warmup;      /* not measured */
	unsigned tx_depth, post_list, cq_moderation;
	int receives;                   /* SEND: each message consumes a posted receive */
	vr_result *result;
} vr_stream_setup;

/* Run one experiment inside the simulation (from the controller actor):
 * starts the actors, waits for them, fills the bandwidth fields of the
 * result. */
void vr_stream_run(const vr_stream_setup *setup);

#endif
