/*
 * sim/flows/heap.c - binary min-heap of events by (time, seq).
 */
#include "sim/flows/heap.h"

#include <stdio.h>
#include <stdlib.h>

static inline int earlier(const fl_event *a, const fl_event *b)
{
	return a->time_ps < b->time_ps || (a->time_ps == b->time_ps && a->seq < b->seq);
}

void fl_heap_init(fl_heap *h)
{
	h->events = NULL;
	h->count = h->capacity = 0;
	h->next_seq = 0;
}

void fl_heap_free(fl_heap *h)
{
	free(h->events);
	fl_heap_init(h);
}

static void grow(fl_heap *h)
{
	size_t capacity = h->capacity ? 2 * h->capacity : 256;
	fl_event *events = realloc(h->events, capacity * sizeof *events);
	if (!events) {
		fprintf(stderr, "vrdmasim: out of memory for %zu events\n", capacity);
		abort();
	}
	h->events = events;
	h->capacity = capacity;
}

void fl_heap_push(fl_heap *h, fl_event ev)
{
	if (h->count == h->capacity)
		grow(h);
	ev.seq = (h->next_seq++ << FL_EVENT_TAG_BITS) | (ev.seq & FL_EVENT_TAG_MASK);
	size_t i = h->count++;
	/* Sift up: move parents down until EV's place is found. */
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(&ev, &h->events[parent]))
			break;
		h->events[i] = h->events[parent];
		i = parent;
	}
	h->events[i] = ev;
}

/* Put LAST at the root of the N events and sift it down. */
static void sift_down(fl_heap *h, fl_event last, size_t n)
{
	size_t i = 0;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && earlier(&h->events[child + 1], &h->events[child]))
			child++;
		if (!earlier(&h->events[child], &last))
			break;
		h->events[i] = h->events[child];
		i = child;
	}
	h->events[i] = last;
}

void fl_heap_replace_top(fl_heap *h, fl_event ev)
{
	ev.seq = (h->next_seq++ << FL_EVENT_TAG_BITS) | (ev.seq & FL_EVENT_TAG_MASK);
	sift_down(h, ev, h->count);
}

void fl_heap_pop(fl_heap *h, fl_event *out)
{
	*out = h->events[0];
	fl_event last = h->events[--h->count];
	if (h->count)
		sift_down(h, last, h->count);
}
