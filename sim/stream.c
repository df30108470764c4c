/*
 * stream.c - bandwidth workloads: a window of work requests in flight.
 *
 * Timeline of message i (ns of simulated clock):
 *   requester CPU:  post_i = max(its CPU free, slot free) + its software
 *                   stages; then the transfer starts (SimGrid, shared links)
 *   arrival_i       = end of transfer + the sender's hardware stages
 *                     (pipelined latency, added as arithmetic)
 *   receiver CPU:   done_i = max(arrival_i + receiver hardware, its CPU
 *                   free) + its software stages (and its part of the ACK)
 *   ready_i         = (arrival_i, or done_i for software transports) + the
 *                     completion path's latency, for signaled requests
 *   requester CPU:  consumes the CQE at max(ready_i, CPU free) + its
 *                   completion software; that frees the requests up to i.
 * For a READ the forward message is the request; the responder's CPU
 * (rxe) or HCA turns it into the response, which the completer receives.
 */
#include "sim/stream.h"

#include "models/cpu_sides.h"

#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Costs of one leg, summed from its plan once: its CPU work by end
 * (models/cpu_sides.h) and its hardware latencies. */
typedef struct leg_costs {
	double sender_cpu_ns;          /* per message, not counting per-doorbell stages */
	double sender_doorbell_cpu_ns; /* per doorbell */
	double sender_hw_ns;           /* latency of the sender's hardware stages */
	double receiver_hw_ns, receiver_cpu_ns;
	double ack_cpu_ns;             /* the receiver's part of the completion path, per message */
	double completion_latency_ns;  /* completion path latency before the requester sees the CQE */
	double completion_cpu_ns;      /* the requester's completion software, per CQE */
	long wire_bytes;
} leg_costs;

static leg_costs costs_of(const mdl_plan *plan)
{
	mdl_leg_cpu cpu = mdl_leg_cpu_of(plan);
	leg_costs c = {
		.sender_cpu_ns = cpu.sender_ns, .sender_doorbell_cpu_ns = cpu.sender_doorbell_ns,
		.receiver_cpu_ns = cpu.receiver_ns, .ack_cpu_ns = cpu.ack_ns, .completion_cpu_ns = cpu.completion_ns,
	};
	for (size_t i = 0; i < plan->count; i++) {
		const mdl_plan_stage *st = &plan->stages[i];
		if (st->segment == SEG_SENDER && !st->software)
			c.sender_hw_ns += st->nominal_ns;
		else if (st->segment == SEG_RECEIVER && !st->software)
			c.receiver_hw_ns += st->nominal_ns;
		else if (st->segment == SEG_COMPLETION && (!st->software || st->side == SIDE_RECEIVER))
			c.completion_latency_ns += st->full_ns;
	}
	c.wire_bytes = (long)plan->message.wire_bytes;
	return c;
}

enum { PEAK_SPAN_MAX = 64 };   /* signaled completions a peak is measured over, at most */
enum { TRANSFERS_MAX = 16 };    /* transfers of one QP streaming at once, at most */
enum { RX_DEPTH = 512 };        /* receives perftest's send_bw keeps posted (its -r default) */

/* State shared by the actors of one experiment (one process: plain memory). */
typedef struct stream {
	const vr_stream_setup *setup;
	leg_costs forward, response;
	sg_mailbox_t to_responder, to_requester;
	sg_sem_t cqe_ready;            /* released once per signaled request, in order */
	double *ready_ns;              /* ring of tx_depth: when signaled request i's CQE is visible */
	double receives_ready_ns[RX_DEPTH];   /* SEND: when each posted receive is there again */
	unsigned long long *message_ids;   /* ring of tx_depth: the payloads the transfers carry */
	double requester_cpu_free;     /* the READ completer shares the requester's CPU */
	/* Per message, each end's CPU also holds the other end's work as far as
	 * the two do not overlap (cpu.side_overlap below 1: they take turns on
	 * shared CPUs): its turn, models/cpu_sides.h. */
	double requester_turn_ns, responder_turn_ns;
	/* measurement */
	double first_post_ns, last_completion_ns;
	double sender_cpu_busy_ns, receiver_cpu_busy_ns;
	/* peak: the last few signaled completions */
	size_t peak_span;
	double peak_time_ns[PEAK_SPAN_MAX + 1];
	unsigned long long peak_index[PEAK_SPAN_MAX + 1];
	size_t peak_count;
	double peak_bytes_per_s;
} stream;

static double now_ns(void)
{
	return simgrid_get_clock() * 1e9;
}

static void sleep_until(double t_ns)
{
	double dt = t_ns - now_ns();
	if (dt > 0)
		sg_actor_sleep_for(dt * 1e-9);
}

static int signaled(const vr_stream_setup *s, unsigned long long i)
{
	return (i + 1) % s->cq_moderation == 0 || i + 1 == s->total;
}

/* The receiving side of a message whose data lands at ARRIVAL_NS (now plus
 * the hardware latencies on its way): when its CQE is ready.  Its CPU work
 * is charged to that CPU from now, which keeps the CPU's calendar simple
 * (the work cannot start before the data is there, so the completion time
 * counts from the later of the two). */
static double completion_ready(stream *st, const leg_costs *leg, double turn_ns, double arrival_ns, double *cpu_free,
			       double *busy, double *received_ns)
{
	double cpu_ns = leg->receiver_cpu_ns + leg->ack_cpu_ns + turn_ns;
	double received = arrival_ns + leg->receiver_hw_ns;
	if (cpu_ns > 0) {
		received = fmax(received, *cpu_free) + leg->receiver_cpu_ns;
		*cpu_free = fmax(*cpu_free, now_ns()) + cpu_ns;
		*busy += cpu_ns;
	}
	if (received_ns)
		*received_ns = received;
	double start = st->setup->forward->completion_after_receiver ? received : arrival_ns;
	return start + leg->completion_latency_ns;
}

/* The HCA sends one QP's messages in order.  SimGrid shares a link
 * fairly among all transfers on it, which would let a whole window finish
 * at once; so at most a few transfers run together: enough to overlap each
 * one's link latency with the previous one's streaming. */
static unsigned transfers_in_flight(const mdl_plan *plan, const leg_costs *leg, unsigned tx_depth)
{
	/* Cover the link latency and the CPU's post between two transfers. */
	double gap_ns = plan->fabric_latency_ns + leg->sender_cpu_ns + leg->sender_doorbell_cpu_ns;
	double per_message_ns = plan->serialization_ns > 0 ? plan->serialization_ns : 1e-3;
	double overlap = ceil(gap_ns / per_message_ns) + 2.0;
	unsigned k = overlap > TRANSFERS_MAX ? TRANSFERS_MAX : (unsigned)overlap;
	return k < tx_depth ? k : tx_depth;
}

/* One QP's transmit side: transfers started in order, a few at a time. */
typedef struct send_queue {
	unsigned lanes;
	unsigned long long sent;
	sg_comm_t lane[TRANSFERS_MAX];
} send_queue;

static void send_queue_init(send_queue *q, const mdl_plan *plan, const leg_costs *leg, unsigned tx_depth)
{
	memset(q, 0, sizeof *q);
	q->lanes = transfers_in_flight(plan, leg, tx_depth);
}

/* Start a transfer of BYTES carrying PAYLOAD to MAILBOX, once the one
 * `lanes` messages earlier is through. */
static void send_queue_put(send_queue *q, sg_mailbox_t mailbox, void *payload, long bytes)
{
	sg_comm_t *slot = &q->lane[q->sent++ % q->lanes];
	if (*slot)
		sg_comm_wait(*slot);
	*slot = sg_mailbox_put_async(mailbox, payload, bytes);
}

static void send_queue_drain(send_queue *q)
{
	for (unsigned k = 0; k < q->lanes; k++)
		if (q->lane[k]) {
			sg_comm_wait(q->lane[k]);
			q->lane[k] = NULL;
		}
}

/* Receives WRITE or SEND messages (or, for READ, the requests: it answers). */
static void responder_actor(int argc, char **argv)
{
	stream *st = sg_actor_self_get_data();
	const vr_stream_setup *s = st->setup;
	sg_mailbox_set_receiver(sg_mailbox_get_name(st->to_responder));
	double cpu_free = 0, busy = 0;
	send_queue responses;
	if (s->response)
		send_queue_init(&responses, s->response, &st->response, s->tx_depth);
	for (unsigned long long n = 0; n < s->total; n++) {
		unsigned long long *id = sg_mailbox_get(st->to_responder);
		if (s->response) {
			/* READ: the responder's CPU (rxe; none for an HCA) builds the
			 * response, whose transfer starts when it is done.  The
			 * hardware latencies on the way are added by the completer. */
			double cpu_ns = st->forward.receiver_cpu_ns + st->response.sender_cpu_ns + st->responder_turn_ns;
			cpu_free = fmax(now_ns(), cpu_free) + cpu_ns;
			busy += cpu_ns;
			sleep_until(cpu_free);
			send_queue_put(&responses, st->to_requester, id, st->response.wire_bytes);
			continue;
		}
		double arrival = now_ns() + st->forward.sender_hw_ns;
		/* A SEND needs a posted receive: perftest keeps RX_DEPTH of them and
		 * re-posts each once it has taken its completion; a receiver that
		 * falls behind holds the sender up (RNR, in the real protocol). */
		double *reposted = s->receives ? &st->receives_ready_ns[*id % RX_DEPTH] : NULL;
		if (reposted)
			arrival = fmax(arrival, *reposted);
		double ready = completion_ready(st, &st->forward, st->responder_turn_ns, arrival, &cpu_free, &busy, reposted);
		if (signaled(s, *id)) {
			st->ready_ns[*id % s->tx_depth] = ready;
			sg_sem_release(st->cqe_ready);
		}
	}
	if (s->response)
		send_queue_drain(&responses);
	st->receiver_cpu_busy_ns = busy;
}

/* READ: the requester's side receiving the responses. */
static void completer_actor(int argc, char **argv)
{
	stream *st = sg_actor_self_get_data();
	const vr_stream_setup *s = st->setup;
	sg_mailbox_set_receiver(sg_mailbox_get_name(st->to_requester));
	double busy = 0;
	for (unsigned long long n = 0; n < s->total; n++) {
		unsigned long long *id = sg_mailbox_get(st->to_requester);
		/* The hardware latencies of the request's and the response's way. */
		double arrival = now_ns() + st->forward.sender_hw_ns + st->forward.receiver_hw_ns + st->response.sender_hw_ns;
		double ready = completion_ready(st, &st->response, 0.0, arrival, &st->requester_cpu_free, &busy, NULL);
		if (signaled(s, *id)) {
			st->ready_ns[*id % s->tx_depth] = ready;
			sg_sem_release(st->cqe_ready);
		}
	}
	st->sender_cpu_busy_ns += busy;
}

/* Peak bandwidth: the best rate over a span of consecutive signaled
 * completions (about one window's worth). */
static void note_completion(stream *st, unsigned long long index, double t_ns, double bytes)
{
	size_t slot = st->peak_count % (st->peak_span + 1);
	st->peak_index[slot] = index;
	st->peak_time_ns[slot] = t_ns;
	st->peak_count++;
	if (st->peak_count <= st->peak_span)
		return;
	size_t oldest = st->peak_count % (st->peak_span + 1);
	double dt = t_ns - st->peak_time_ns[oldest];
	if (dt > 0)
		st->peak_bytes_per_s = fmax(st->peak_bytes_per_s,
					    (double)(index - st->peak_index[oldest]) * bytes / (dt * 1e-9));
}

/* Is signaled request I's CQE there to be polled at T_NS? */
static int completion_visible(stream *st, unsigned long long i, double t_ns)
{
	return !sg_sem_would_block(st->cqe_ready) && st->ready_ns[i % st->setup->tx_depth] <= t_ns;
}

/* Consume the next signaled completion (request NEXT_SIGNALED). */
static void consume(stream *st, unsigned long long next_signaled, double *cpu_free)
{
	const vr_stream_setup *s = st->setup;
	const leg_costs *leg = s->response ? &st->response : &st->forward;
	sg_sem_acquire(st->cqe_ready);
	double ready = st->ready_ns[next_signaled % s->tx_depth];
	double done = fmax(ready, fmax(*cpu_free, st->requester_cpu_free)) + leg->completion_cpu_ns;
	*cpu_free = done;
	st->requester_cpu_free = done;
	st->sender_cpu_busy_ns += leg->completion_cpu_ns;
	sleep_until(done);
	if (next_signaled >= s->warmup) {
		st->last_completion_ns = done;
		note_completion(st, next_signaled + 1, done, s->result->size_bytes);
	}
}

/* Consume signaled request *NEXT, move *NEXT to the following one, and
 * return how many requests are released (all up to the consumed one). */
static unsigned long long consume_next(stream *st, unsigned long long *next, double *cpu_free)
{
	consume(st, *next, cpu_free);
	unsigned long long released = *next + 1;
	do
		++*next;
	while (*next < st->setup->total && !signaled(st->setup, *next));
	return released;
}

static void requester_actor(int argc, char **argv)
{
	stream *st = sg_actor_self_get_data();
	const vr_stream_setup *s = st->setup;
	send_queue queue;
	send_queue_init(&queue, s->forward, &st->forward, s->tx_depth);
	double cpu_free = now_ns();
	unsigned long long released = 0;   /* requests whose slots are free again */
	unsigned long long next_signaled = 0;
	while (!signaled(s, next_signaled))
		next_signaled++;
	for (unsigned long long i = 0; i < s->total; i++) {
		/* Like perftest, poll between posts: take every completion that is
		 * there; wait for one only when the window is full. */
		while (next_signaled < i &&
		       (i - released >= s->tx_depth || completion_visible(st, next_signaled, now_ns()))) {
			released = consume_next(st, &next_signaled, &cpu_free);
		}
		/* The doorbell (and its trap) ends each post list. */
		int rings = (i + 1) % s->post_list == 0 || i + 1 == s->total;
		double cpu_ns = st->forward.sender_cpu_ns + (rings ? st->forward.sender_doorbell_cpu_ns : 0.0) +
				st->requester_turn_ns;
		double start = fmax(now_ns(), st->requester_cpu_free);
		if (i == s->warmup)
			st->first_post_ns = start;
		double posted = start + cpu_ns;
		st->requester_cpu_free = posted;
		cpu_free = posted;
		st->sender_cpu_busy_ns += cpu_ns;
		sleep_until(posted);
		st->message_ids[i % s->tx_depth] = i;
		send_queue_put(&queue, st->to_responder, &st->message_ids[i % s->tx_depth], st->forward.wire_bytes);
	}
	while (released < s->total) {
		released = consume_next(st, &next_signaled, &cpu_free);
	}
	send_queue_drain(&queue);
}

/* What each resource allows per message, and which one set the pace. */
static void attribute(const stream *st, vr_bandwidth *bw, double per_message_ns)
{
	const vr_stream_setup *s = st->setup;
	const mdl_plan *data = s->response ? s->response : s->forward;
	bw->sender_cpu_ns = st->sender_cpu_busy_ns / (double)s->total;
	bw->receiver_cpu_ns = st->receiver_cpu_busy_ns / (double)s->total;
	bw->link_ns = data->serialization_ns;
	bw->link = data->bottleneck;
	double busiest = fmax(bw->link_ns, fmax(bw->sender_cpu_ns, bw->receiver_cpu_ns));
	/* Within 5% of the pace: that resource is saturated; else the window
	 * (tx depth or CQ moderation) left every resource idle some of the time. */
	if (busiest < 0.95 * per_message_ns)
		bw->limit = BW_LIMIT_WINDOW;
	else if (busiest == bw->link_ns)
		bw->limit = BW_LIMIT_LINK;
	else if (busiest == bw->sender_cpu_ns)
		bw->limit = BW_LIMIT_SENDER_CPU;
	else
		bw->limit = BW_LIMIT_RECEIVER_CPU;
}

void vr_stream_run(const vr_stream_setup *setup)
{
	stream *st = calloc(1, sizeof *st);
	st->setup = setup;
	st->forward = costs_of(setup->forward);
	if (setup->response)
		st->response = costs_of(setup->response);
	mdl_stream_cpu work = mdl_stream_cpu_of(setup->forward, setup->response, setup->post_list, setup->cq_moderation);
	st->requester_turn_ns = mdl_sides_turn_ns(setup->forward->side_overlap, work.responder_ns);
	st->responder_turn_ns = mdl_sides_turn_ns(setup->forward->side_overlap, work.requester_ns);
	st->ready_ns = calloc(setup->tx_depth, sizeof *st->ready_ns);
	st->message_ids = calloc(setup->tx_depth, sizeof *st->message_ids);
	st->cqe_ready = sg_sem_init(0);
	/* A peak over a few windows' worth of completions, not over two CQEs
	 * whose spacing carries the completion path's own jitter. */
	size_t span = (size_t)ceil(4.0 * setup->tx_depth / setup->cq_moderation);
	st->peak_span = span < 2 ? 2 : span > PEAK_SPAN_MAX ? PEAK_SPAN_MAX : span;
	char name[128];
	snprintf(name, sizeof name, "%s-fwd", setup->mailbox_prefix);
	st->to_responder = sg_mailbox_by_name(name);
	snprintf(name, sizeof name, "%s-back", setup->mailbox_prefix);
	st->to_requester = sg_mailbox_by_name(name);
	st->requester_cpu_free = simgrid_get_clock() * 1e9;

	sg_actor_t actors[3];
	size_t n = 0;
	actors[n] = sg_actor_init("responder", sg_host_by_name(setup->responder_host));
	sg_actor_set_data(actors[n], st);
	sg_actor_start(actors[n++], responder_actor, 0, NULL);
	if (setup->response) {
		actors[n] = sg_actor_init("completer", sg_host_by_name(setup->requester_host));
		sg_actor_set_data(actors[n], st);
		sg_actor_start(actors[n++], completer_actor, 0, NULL);
	}
	actors[n] = sg_actor_init("requester", sg_host_by_name(setup->requester_host));
	sg_actor_set_data(actors[n], st);
	sg_actor_start(actors[n++], requester_actor, 0, NULL);
	for (size_t k = 0; k < n; k++)
		sg_actor_join(actors[k], -1);

	vr_result *r = setup->result;
	vr_bandwidth *bw = &r->bw;
	double duration_ns = st->last_completion_ns - st->first_post_ns;
	double messages = (double)(setup->total - setup->warmup);
	bw->duration_ns = duration_ns;
	bw->average_bytes_per_s = duration_ns > 0 ? messages * r->size_bytes / (duration_ns * 1e-9) : 0;
	bw->msg_rate_per_s = duration_ns > 0 ? messages / (duration_ns * 1e-9) : 0;
	bw->peak_bytes_per_s = fmax(st->peak_bytes_per_s, bw->average_bytes_per_s);
	attribute(st, bw, duration_ns / messages);
	sg_sem_destroy(st->cqe_ready);
	free(st->ready_ns);
	free(st->message_ids);
	free(st);
}
