/*
 * sim/flows/fan.h - the state a fan-out flow keeps per operation in flight
 * (its legs left, its slowest leg so far) and the arrivals a triggered
 * flow keeps while its window is full.
 *
 * Contract:
 * - A fan-out operation's legs run as events of their own that carry, in
 *   place of the operation's origin, the index of its slot here (heap.h);
 *   the slot holds the origin, the legs not yet done and the latest leg's
 *   end.  Slots are at most the flow's window (its operations in flight),
 *   allocated when the flow is added; a free list hands them out.
 * - A triggered flow's arrivals come from other flows' completions, so,
 *   unlike an open loop's, the ones its window cannot take yet are stored:
 *   a ring of (arrival time, choice) that grows by doubling, bounded by
 *   the backlog (memory follows the log the stream has not sent yet).
 */
#ifndef FL_FAN_H
#define FL_FAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct fl_fan_slot {
	int64_t origin_ps;           /* the operation's latency starts here */
	int64_t done_ps;             /* its latest leg's end so far */
	uint32_t legs_left;          /* legs not yet done */
	uint32_t next_free;          /* in the free list: the next free slot (UINT32_MAX: none) */
} fl_fan_slot;

typedef struct fl_fan {
	fl_fan_slot *slots;          /* [window] */
	uint32_t first_free;         /* UINT32_MAX: none */
} fl_fan;

/* WINDOW slots, all free.  0, or -1 when out of memory. */
int fl_fan_init(fl_fan *f, uint32_t window);
void fl_fan_free(fl_fan *f);

/* A free slot for an operation of LEGS legs from ORIGIN_PS: its index
 * (there is one while the flow keeps to its window). */
uint32_t fl_fan_take(fl_fan *f, int64_t origin_ps, uint32_t legs);

/* Leg of slot SLOT done at DONE_PS: 1 when it was the last (the slot is
 * freed and *ORIGIN_PS, *END_PS are the operation's), else 0. */
int fl_fan_leg_done(fl_fan *f, uint32_t slot, int64_t done_ps, int64_t *origin_ps, int64_t *end_ps);

typedef struct fl_arrival {
	int64_t time_ps;
	uint32_t choice;
} fl_arrival;

typedef struct fl_backlog {
	fl_arrival *ring;
	size_t head, count, capacity;   /* capacity a power of two (or 0) */
} fl_backlog;

/* Append A: 0, or -1 when out of memory. */
int fl_backlog_push(fl_backlog *b, fl_arrival a);
/* The oldest arrival, removed into OUT: 1, or 0 when empty. */
int fl_backlog_pop(fl_backlog *b, fl_arrival *out);
void fl_backlog_free(fl_backlog *b);

#endif
