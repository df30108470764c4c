/*
 * sim/flows/gate.h - a flow's messages cross a link in order.
 *
 * A link serves packets in turns, so that the messages of several flows
 * interleave (path.h, fl_visit.packets); but one flow is one QP, and an
 * HCA sends a QP's messages one after the other.  So at a link visit a
 * flow's message enters the link's turns only once the flow's previous
 * message there has sent its last packet: until then it is parked with
 * its flow, and the departure of that last packet lets the next one in.
 *
 * Each flow keeps a gate per link it crosses (at most FL_GATES_MAX: the
 * four links of a round trip between two hosts; beyond, its messages are
 * not kept in order) and its parked messages, as many as it has in flight
 * at most: memory follows the operations in flight, not those done.
 */
#ifndef FL_GATE_H
#define FL_GATE_H

#include <stdint.h>

#include "sim/flows/heap.h"

enum { FL_GATES_MAX = 4 };

typedef struct fl_gates {
	uint32_t server[FL_GATES_MAX];
	uint8_t held[FL_GATES_MAX];
	uint8_t count;
	fl_event *parked;            /* in arrival order; each names its server by its gate */
	uint8_t *parked_gate;
	uint32_t parked_count, parked_capacity;
} fl_gates;

/* EV (a message reaching the link SERVER) may enter its turns now: 1.  Or
 * the flow's previous message still holds the link: EV is parked, 0. */
int fl_gate_enter(fl_gates *g, uint32_t server, const fl_event *ev);

/* The message of the flow holding SERVER's gate sent its last packet.
 * The next parked message of the flow for SERVER, if any, is taken out
 * into *NEXT (1: the caller schedules it, the gate staying held); else the
 * gate opens (0). */
int fl_gate_leave(fl_gates *g, uint32_t server, fl_event *next);

void fl_gates_free(fl_gates *g);

#endif
