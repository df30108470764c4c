/*
 * sim/flows/gate.c - a flow's messages cross a link in order (gate.h).
 */
#include "sim/flows/gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The gate of SERVER, added if new; -1 when the flow has FL_GATES_MAX. */
static int gate_of(fl_gates *g, uint32_t server)
{
	for (int i = 0; i < g->count; i++)
		if (g->server[i] == server)
			return i;
	if (g->count == FL_GATES_MAX)
		return -1;
	g->server[g->count] = server;
	g->held[g->count] = 0;
	return g->count++;
}

static void park(fl_gates *g, int gate, const fl_event *ev)
{
	if (g->parked_count == g->parked_capacity) {
		/* Bounded by the flow's operations in flight. */
		uint32_t capacity = g->parked_capacity ? 2 * g->parked_capacity : 4;
		fl_event *events = realloc(g->parked, capacity * sizeof *events);
		uint8_t *gates = events ? realloc(g->parked_gate, capacity) : NULL;
		if (!events || !gates) {
			fprintf(stderr, "vrdmasim: out of memory for a flow's queued messages\n");
			abort();
		}
		g->parked = events;
		g->parked_gate = gates;
		g->parked_capacity = capacity;
	}
	g->parked[g->parked_count] = *ev;
	g->parked_gate[g->parked_count++] = (uint8_t)gate;
}

int fl_gate_enter(fl_gates *g, uint32_t server, const fl_event *ev)
{
	int gate = gate_of(g, server);
	if (gate < 0)
		return 1;
	if (!g->held[gate]) {
		g->held[gate] = 1;
		return 1;
	}
	park(g, gate, ev);
	return 0;
}

int fl_gate_leave(fl_gates *g, uint32_t server, fl_event *next)
{
	int gate = gate_of(g, server);
	if (gate < 0)
		return 0;
	for (uint32_t i = 0; i < g->parked_count; i++) {
		if (g->parked_gate[i] != gate)
			continue;
		*next = g->parked[i];
		memmove(&g->parked[i], &g->parked[i + 1], (g->parked_count - i - 1) * sizeof *g->parked);
		memmove(&g->parked_gate[i], &g->parked_gate[i + 1], g->parked_count - i - 1);
		g->parked_count--;
		return 1;
	}
	g->held[gate] = 0;
	return 0;
}

void fl_gates_free(fl_gates *g)
{
	free(g->parked);
	free(g->parked_gate);
	memset(g, 0, sizeof *g);
}
