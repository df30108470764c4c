/*
 * sim/flows/path.c - folding pure delays between server visits.
 */
#include "sim/flows/path.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_VISITS = UINT16_MAX };   /* an event's hop field is 16 bits */

int64_t fl_ps_of_ns(double ns)
{
	double ps = ns * 1e3;
	if (!(ps >= 0) || ps > 0x1p62)
		return -1;
	return (int64_t)llround(ps);
}

int fl_path_compile(const fl_hop_spec *hops, size_t count, size_t servers, fl_path *out, char *error,
		    size_t size)
{
	out->lead_ps = 0;
	out->count = 0;
	out->visits = NULL;
	out->completed = 0;
	size_t visits = 0;
	for (size_t i = 0; i < count; i++) {
		if (fl_ps_of_ns(hops[i].time_ns) < 0) {
			snprintf(error, size, "hop %zu: found time %g ns, expected a finite time >= 0", i, hops[i].time_ns);
			return -1;
		}
		if (hops[i].server != FL_NONE && hops[i].server >= servers) {
			snprintf(error, size, "hop %zu: found server %u, expected one of the %zu added", i, hops[i].server,
				 servers);
			return -1;
		}
		visits += hops[i].server != FL_NONE;
	}
	if (visits > MAX_VISITS) {
		snprintf(error, size, "found %zu server visits in a path, expected at most %d", visits, MAX_VISITS);
		return -1;
	}
	if (visits && !(out->visits = calloc(visits, sizeof *out->visits))) {
		snprintf(error, size, "out of memory for a path of %zu visits", visits);
		return -1;
	}
	int64_t *pending = &out->lead_ps;   /* where the next pure delay adds up */
	for (size_t i = 0; i < count; i++) {
		int64_t ps = fl_ps_of_ns(hops[i].time_ns);
		if (hops[i].server == FL_NONE) {
			*pending += ps;
			continue;
		}
		fl_visit *v = &out->visits[out->count++];
		v->server = hops[i].server;
		v->exponential = hops[i].service == FL_SERVICE_EXPONENTIAL;
		v->service_ps = ps;
		v->mean_ps = hops[i].time_ns * 1e3;
		v->after_ps = 0;
		pending = &v->after_ps;
	}
	return 0;
}

void fl_path_free(fl_path *p)
{
	free(p->visits);
	p->visits = NULL;
	p->count = 0;
}
