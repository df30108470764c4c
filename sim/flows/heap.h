/*
 * sim/flows/heap.h - the many-flow engine's event queue: a binary min-heap
 * of events ordered by (time, sequence number).
 *
 * The sequence number is taken at push time from a counter the heap owns,
 * so events of equal time pop in the order they were scheduled: the run is
 * deterministic whatever the heap's internal order.  Time is in integer
 * picoseconds (see flows.h for why).  An event is 32 bytes and carries the
 * whole state of the operation it moves (flow, choice, visit index, origin
 * time), so an operation in flight needs no storage besides its event: the
 * flow and its choice name the path, the visit index the place on it.
 */
#ifndef FL_HEAP_H
#define FL_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef enum fl_event_kind {
	FL_EVENT_VISIT,      /* an operation reaches the server of visit HOP of its path */
	FL_EVENT_DONE,       /* an operation completes (open loop, or a path without servers) */
	FL_EVENT_ARRIVAL,    /* an open-loop arrival at a QP */
	FL_EVENT_BRANCH,     /* detached work reaches the server of visit HOP of path ORIGIN_PS */
	FL_EVENT_TRIGGER,    /* a leader's operation completed: an arrival at follower FLOW on CHOICE */
	FL_EVENT_RELEASE,    /* FLOW's hold (fl_hold) ends: its parked operations start */
} fl_event_kind;

typedef struct fl_event {
	int64_t time_ps;     /* when it happens */
	uint64_t seq;        /* tie-break: order of scheduling, above FL_EVENT_TAG_BITS; below,
			      * the tag: VISIT, BRANCH: the turn (packet) taken at the server */
	int64_t origin_ps;   /* when the operation arrived (its latency's start); BRANCH: its path;
			      * a fan-out flow's VISIT and DONE: the operation's slot (fan.h) */
	uint32_t flow;       /* the flow it belongs to */
	uint16_t hop;        /* FL_EVENT_VISIT: the visit index in the path of its choice */
	uint8_t kind;        /* an fl_event_kind */
	uint8_t choice;      /* VISIT, DONE: the flow's choice the operation drew (< FL_CHOICES_MAX) */
} fl_event;

/* The low bits of seq carry a tag the heap keeps; the order of scheduling
 * (unique) above them decides ties alone.  2^48 schedulings per run. */
enum { FL_EVENT_TAG_BITS = 16 };
#define FL_EVENT_TAG_MASK ((UINT64_C(1) << FL_EVENT_TAG_BITS) - 1)

/* The tag of a message's first turn at a link once its flow's gate let it
 * in (a parked message let in by its predecessor's last packet). */
#define FL_TURN_ADMITTED ((uint32_t)FL_EVENT_TAG_MASK)

static inline uint32_t fl_event_tag(const fl_event *ev)
{
	return (uint32_t)(ev->seq & FL_EVENT_TAG_MASK);
}

static inline void fl_event_set_tag(fl_event *ev, uint32_t tag)
{
	ev->seq = (ev->seq & ~FL_EVENT_TAG_MASK) | (tag & FL_EVENT_TAG_MASK);
}

/* The heap moves events on every push and pop: keep them at 32 bytes. */
_Static_assert(sizeof(fl_event) == 32, "fl_event grew beyond 32 bytes");

typedef struct fl_heap {
	fl_event *events;    /* events[0] is the earliest */
	size_t count, capacity;
	uint64_t next_seq;
} fl_heap;

void fl_heap_init(fl_heap *h);
void fl_heap_free(fl_heap *h);

/* Schedule EV (its seq is set here).  Grows the array when full (doubling:
 * the heap holds one event per operation in flight or flow waiting). */
void fl_heap_push(fl_heap *h, fl_event ev);

/* Replace the earliest event by EV (its seq is set here): the same heap as
 * a pop and a push, with one sift instead of two.  Not empty. */
void fl_heap_replace_top(fl_heap *h, fl_event ev);

/* Remove the earliest event into OUT; the heap must not be empty. */
void fl_heap_pop(fl_heap *h, fl_event *out);

static inline const fl_event *fl_heap_top(const fl_heap *h)
{
	return h->count ? &h->events[0] : NULL;
}

#endif
