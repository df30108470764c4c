/*
 * sim/flows/server.c - Lindley's recursion over k units, with statistics.
 */
#include "sim/flows/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The windows' first width: 2^20 ps, about 1 us. */
enum { FIRST_WINDOW_SHIFT = 20 };

int fl_server_init(fl_server *s, const char *name, uint32_t units, uint64_t seed, int wait_histogram)
{
	memset(s, 0, sizeof *s);
	s->units = units;
	s->rng = seed;
	s->name = strdup(name ? name : "");
	s->free_ps = calloc(units, sizeof *s->free_ps);
	if (wait_histogram) {
		s->wait_stats = malloc(sizeof *s->wait_stats);
		if (s->wait_stats)
			vr_stats_reset(s->wait_stats);
	}
	fl_batch_reset(&s->wait_batch);
	s->window_shift = FIRST_WINDOW_SHIFT;
	if (!s->name || !s->free_ps || (wait_histogram && !s->wait_stats)) {
		fl_server_free(s);
		return -1;
	}
	return 0;
}

void fl_server_free(fl_server *s)
{
	free(s->name);
	free(s->free_ps);
	free(s->waiting);
	free(s->wait_stats);
	memset(s, 0, sizeof *s);
}

/* The unit at the root now frees at FREE_PS (no earlier than before): sift
 * it down to keep the earliest free unit at the root. */
static void units_sift_down(int64_t *free_ps, uint32_t units, int64_t value)
{
	uint32_t i = 0;
	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= units)
			break;
		if (child + 1 < units && free_ps[child + 1] < free_ps[child])
			child++;
		if (free_ps[child] >= value)
			break;
		free_ps[i] = free_ps[child];
		i = child;
	}
	free_ps[i] = value;
}

static void waiting_push(fl_server *s, int64_t start_ps)
{
	if (s->waiting_count == s->waiting_capacity) {
		/* Grow and unwrap the ring.  Bounded by the operations in flight.
		 * Its capacity is a power of two: indices wrap with a mask. */
		size_t capacity = s->waiting_capacity ? 2 * s->waiting_capacity : 16;
		int64_t *ring = malloc(capacity * sizeof *ring);
		if (!ring) {
			fprintf(stderr, "vrdmasim: out of memory for the queue of server %s\n", s->name);
			abort();
		}
		for (size_t i = 0; i < s->waiting_count; i++)
			ring[i] = s->waiting[(s->waiting_head + i) & (s->waiting_capacity - 1)];
		free(s->waiting);
		s->waiting = ring;
		s->waiting_head = 0;
		s->waiting_capacity = capacity;
	}
	s->waiting[(s->waiting_head + s->waiting_count++) & (s->waiting_capacity - 1)] = start_ps;
}

/* Forget the waiting requests that have started by NOW_PS. */
static void waiting_expire(fl_server *s, int64_t now_ps)
{
	while (s->waiting_count && s->waiting[s->waiting_head] <= now_ps) {
		s->waiting_head = (s->waiting_head + 1) & (s->waiting_capacity - 1);
		s->waiting_count--;
	}
}

/* Twice as wide windows: pairs merge, the later half empties. */
static void windows_widen(fl_server *s)
{
	for (size_t i = 0; i < FL_WINDOWS / 2; i++)
		s->window_busy_ps[i] = s->window_busy_ps[2 * i] + s->window_busy_ps[2 * i + 1];
	memset(s->window_busy_ps + FL_WINDOWS / 2, 0, FL_WINDOWS / 2 * sizeof *s->window_busy_ps);
	s->window_shift++;
}

/* Service from FROM_PS to TO_PS, into the windows it spans (usually one). */
static void windows_add(fl_server *s, int64_t from_ps, int64_t to_ps)
{
	if (to_ps <= from_ps)
		return;
	while (((to_ps - 1) >> s->window_shift) >= FL_WINDOWS)
		windows_widen(s);
	for (int64_t at = from_ps; at < to_ps;) {
		int64_t i = at >> s->window_shift, end = (i + 1) << s->window_shift;
		if (end > to_ps)
			end = to_ps;
		s->window_busy_ps[i] += end - at;
		at = end;
	}
}

double fl_server_peak_utilisation(const fl_server *s, int64_t end_ps, int64_t *width_ps)
{
	int64_t width = (int64_t)1 << s->window_shift;
	*width_ps = width;
	double peak = -1;
	for (int64_t i = 0; i < FL_WINDOWS && (i + 1) * width <= end_ps; i++) {
		double u = (double)s->window_busy_ps[i] / ((double)s->units * (double)width);
		if (u > peak)
			peak = u;
	}
	return peak > 1 ? 1 : peak;   /* (-1: no whole window) */
}

int64_t fl_server_admit(fl_server *s, int64_t arrival_ps, int64_t service_ps)
{
	int64_t free_ps = s->free_ps[0];
	int64_t start_ps = arrival_ps > free_ps ? arrival_ps : free_ps;
	int64_t leave_ps = start_ps + service_ps;
	if (s->units == 1)
		s->free_ps[0] = leave_ps;
	else
		units_sift_down(s->free_ps, s->units, leave_ps);
	s->visits++;
	s->busy_ps += service_ps;
	windows_add(s, start_ps, leave_ps);
	int64_t wait_ps = start_ps - arrival_ps;
	if (s->waiting_count)
		waiting_expire(s, arrival_ps);
	if (wait_ps > 0) {
		waiting_push(s, start_ps);
		if (s->waiting_count > s->max_queue)
			s->max_queue = s->waiting_count;
		if (wait_ps > s->max_wait_ps)
			s->max_wait_ps = wait_ps;
	}
	s->wait_sum_ps += (uint64_t)wait_ps;
	fl_batch_add(&s->wait_batch, (double)wait_ps / 1e3);
	if (s->wait_stats)
		vr_stats_add(s->wait_stats, (double)wait_ps / 1e3);
	return leave_ps;
}
