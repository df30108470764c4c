/*
 * sim/flows/path.h - an operation's path, compiled for the event loop.
 *
 * The caller's hops (pure delays and server visits, flows.h) become: the
 * delay before the first visit, then per visit its server, its service
 * time and the delay that follows it.  Consecutive pure delays are summed,
 * so an operation costs one event per server it visits, whatever the
 * number of uncontended stages between them.  A cache lookup is a visit
 * too (service FL_VISIT_CACHE, server its cache, service_ps a miss's cost,
 * key its fl_cache_key, packets its pages): an event, so that a cache sees
 * its lookups in time order.
 */
#ifndef FL_PATH_H
#define FL_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "sim/flows/flows.h"

/* fl_visit.service of a cache lookup, an interrupt's start and its end
 * (beyond every fl_service).  An interrupt's start keeps in packets the
 * index of its end's visit, where its riders go on from. */
enum { FL_VISIT_CACHE = 0x80, FL_VISIT_IRQ = 0x81, FL_VISIT_IRQ_END = 0x82 };

enum { FL_VISIT_GATED = 1, FL_VISIT_PER_MISS = 2 };

typedef struct fl_visit {
	uint32_t server;        /* a server, FL_CLIENT_OWN, FL_SERVER_OWN; a cache lookup: its cache */
	uint8_t service;        /* an fl_service: fixed, or drawn from the server's stream; FL_VISIT_CACHE */
	uint8_t fork_count;     /* forks after this visit: forks[fork_first ..] */
	uint16_t fork_first;
	int64_t service_ps;     /* fixed service time, the exponential's mean, the lognormal's median */
	uint16_t packets;       /* turns it is served in (1: whole), see fl_hop_spec */
	uint8_t flags;          /* FL_VISIT_GATED: a link, a flow's messages cross it in order
				 * (gate.h); FL_VISIT_PER_MISS: its service counts once per miss of
				 * the flow's last cache lookup, no visit without one */
	uint8_t key;            /* a cache lookup: its fl_cache_key */
	float sigma;            /* the lognormal's shape */
	int64_t after_ps;       /* the pure delays that follow, summed */
	int64_t overlap_ps;     /* a link: how early its first packets came; a lookup: the misses'
				 * cost hidden behind the message's packets (fl_hop_spec.overlap_ns) */
} fl_visit;

/* Turn K's share of a visit's service: the whole split in PACKETS, the
 * first ones a picosecond longer so that the shares sum to the whole. */
static inline int64_t fl_visit_turn_ps(int64_t whole_ps, uint32_t packets, uint32_t k)
{
	int64_t share = whole_ps / packets, left = whole_ps % packets;
	return share + ((int64_t)k < left ? 1 : 0);
}

/* Detached work that starts OFFSET_PS after its visit's service ends (or
 * after the post, for a fork before the first visit). */
typedef struct fl_fork {
	int64_t offset_ps;
	uint32_t branch;        /* its path's index */
} fl_fork;

typedef struct fl_path {
	int64_t lead_ps;        /* pure delays before the first visit (all of them without visits) */
	fl_visit *visits;       /* owned */
	uint32_t count;         /* visits */
	uint32_t lead_forks;    /* forks before the first visit: forks[0 .. lead_forks) */
	fl_fork *forks;         /* owned; those of each visit follow, in order */
	uint32_t fork_count;
} fl_path;

/* The picoseconds of NS, rounded to nearest; -1 if NS is negative, not a
 * number, or beyond 2^62 ps. */
int64_t fl_ps_of_ns(double ns);

/* What a path's hops may name: servers, paths (a fork's branch) and caches
 * (a lookup's) added before it. */
typedef struct fl_path_scope {
	size_t servers, paths, caches, irqs;
} fl_path_scope;

/* Compile HOPS[0 .. COUNT) within SCOPE into OUT.  Returns 0, or -1 with a
 * message in ERROR (SIZE bytes) for an unknown server, branch or cache, a
 * negative or non-finite time, more than 65,535 visits or forks (255 after
 * a visit) or pages, or no memory. */
int fl_path_compile(const fl_hop_spec *hops, size_t count, fl_path_scope scope, fl_path *out, char *error,
		    size_t size);
void fl_path_free(fl_path *p);

#endif
