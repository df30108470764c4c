/*
 * sim/flows/fan.c - fan-out slots and a triggered flow's backlog (fan.h).
 */
#include "sim/flows/fan.h"

#include <stdlib.h>
#include <string.h>

int fl_fan_init(fl_fan *f, uint32_t window)
{
	f->slots = calloc(window ? window : 1, sizeof *f->slots);
	if (!f->slots)
		return -1;
	for (uint32_t i = 0; i < window; i++)
		f->slots[i].next_free = i + 1 < window ? i + 1 : UINT32_MAX;
	f->first_free = window ? 0 : UINT32_MAX;
	return 0;
}

void fl_fan_free(fl_fan *f)
{
	free(f->slots);
	f->slots = NULL;
}

uint32_t fl_fan_take(fl_fan *f, int64_t origin_ps, uint32_t legs)
{
	uint32_t i = f->first_free;
	fl_fan_slot *s = &f->slots[i];
	f->first_free = s->next_free;
	*s = (fl_fan_slot){.origin_ps = origin_ps, .done_ps = origin_ps, .legs_left = legs, .next_free = UINT32_MAX};
	return i;
}

int fl_fan_leg_done(fl_fan *f, uint32_t slot, int64_t done_ps, int64_t *origin_ps, int64_t *end_ps)
{
	fl_fan_slot *s = &f->slots[slot];
	if (done_ps > s->done_ps)
		s->done_ps = done_ps;
	if (--s->legs_left > 0)
		return 0;
	*origin_ps = s->origin_ps;
	*end_ps = s->done_ps;
	s->next_free = f->first_free;
	f->first_free = slot;
	return 1;
}

int fl_backlog_push(fl_backlog *b, fl_arrival a)
{
	if (b->count == b->capacity) {
		size_t capacity = b->capacity ? 2 * b->capacity : 16;
		fl_arrival *ring = malloc(capacity * sizeof *ring);
		if (!ring)
			return -1;
		for (size_t k = 0; k < b->count; k++)   /* unwrap, oldest first */
			ring[k] = b->ring[(b->head + k) & (b->capacity - 1)];
		free(b->ring);
		b->ring = ring;
		b->head = 0;
		b->capacity = capacity;
	}
	b->ring[(b->head + b->count++) & (b->capacity - 1)] = a;
	return 0;
}

int fl_backlog_pop(fl_backlog *b, fl_arrival *out)
{
	if (!b->count)
		return 0;
	*out = b->ring[b->head];
	b->head = (b->head + 1) & (b->capacity - 1);
	b->count--;
	return 1;
}

void fl_backlog_free(fl_backlog *b)
{
	free(b->ring);
	memset(b, 0, sizeof *b);
}
