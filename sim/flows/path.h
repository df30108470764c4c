/*
 * sim/flows/path.h - an operation's path, compiled for the event loop.
 *
 * The caller's hops (pure delays and server visits, flows.h) become: the
 * delay before the first visit, then per visit its server, its service
 * time and the delay that follows it.  Consecutive pure delays are summed,
 * so an operation costs one event per server it visits, whatever the
 * number of uncontended stages between them.
 */
#ifndef FL_PATH_H
#define FL_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "sim/flows/flows.h"

typedef struct fl_visit {
	uint32_t server;
	uint32_t exponential;   /* service drawn from the server's stream */
	int64_t service_ps;     /* fixed service time */
	double mean_ps;         /* the exponential's mean */
	int64_t after_ps;       /* the pure delays that follow, summed */
} fl_visit;

typedef struct fl_path {
	int64_t lead_ps;        /* pure delays before the first visit (all of them without visits) */
	fl_visit *visits;       /* owned */
	uint32_t count;         /* visits */
	uint64_t completed;     /* operations completed along it (counted by the run) */
} fl_path;

/* The picoseconds of NS, rounded to nearest; -1 if NS is negative, not a
 * number, or beyond 2^62 ps. */
int64_t fl_ps_of_ns(double ns);

/* Compile HOPS[0 .. COUNT) over SERVERS servers into OUT.  Returns 0, or -1
 * with a message in ERROR (SIZE bytes) for an unknown server, a negative or
 * non-finite time, more than 65,535 visits, or no memory. */
int fl_path_compile(const fl_hop_spec *hops, size_t count, size_t servers, fl_path *out, char *error,
		    size_t size);
void fl_path_free(fl_path *p);

#endif
