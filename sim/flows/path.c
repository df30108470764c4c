/*
 * sim/flows/path.c - folding pure delays between server visits, and
 * placing forks after the visit they follow.
 */
#include "sim/flows/path.h"

#include "sim/flows/heap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_VISITS = UINT16_MAX };   /* an event's hop field is 16 bits */
/* An event's tag counts a visit's turns (heap.h); more packets than this
 * are served in this many turns of several packets each. */
enum { MAX_TURNS = FL_TURN_ADMITTED - 1 };

int64_t fl_ps_of_ns(double ns)
{
	double ps = ns * 1e3;
	if (!(ps >= 0) || ps > 0x1p62)
		return -1;
	return (int64_t)llround(ps);
}

/* Check HOPS and count their visits and forks. */
/* Is cache hop H one the scope allows?  0, or -1 with a message. */
static int check_cache_hop(const fl_hop_spec *h, size_t i, size_t caches, char *error, size_t size)
{
	if (h->cache >= caches) {
		snprintf(error, size, "hop %zu: found cache %u, expected one of the %zu added", i, h->cache, caches);
		return -1;
	}
	if (h->key > FL_KEY_PAGE_AGAIN || h->pages > UINT16_MAX) {
		snprintf(error, size, "hop %zu: found key %d of %u pages, expected a known key and at most %d pages", i,
			 (int)h->key, h->pages, UINT16_MAX);
		return -1;
	}
	return 0;
}

/* Is interrupt hop H (start or end) one the scope allows, in its place:
 * a start while none is open, an end of the open one's vector?  *OPEN is
 * the open one's index (SIZE_MAX: none).  0, or -1 with a message. */
static int check_irq_hop(const fl_hop_spec *hops, size_t i, size_t irqs, size_t *open, char *error, size_t size)
{
	const fl_hop_spec *h = &hops[i];
	if (h->irq >= irqs && h->irq != FL_CLIENT_OWN && h->irq != FL_SERVER_OWN) {
		snprintf(error, size, "hop %zu: found interrupt vector %u, expected one of the %zu added or a flow's own", i,
			 h->irq, irqs);
		return -1;
	}
	if (h->server == FL_IRQ && *open != SIZE_MAX) {
		snprintf(error, size, "hop %zu: found an interrupt's start inside the one of hop %zu, expected its end first", i,
			 *open);
		return -1;
	}
	if (h->server == FL_IRQ_END && (*open == SIZE_MAX || hops[*open].irq != h->irq)) {
		snprintf(error, size, "hop %zu: found an interrupt's end without the start of one of its vector", i);
		return -1;
	}
	*open = h->server == FL_IRQ ? i : SIZE_MAX;
	return 0;
}

static int is_irq(uint32_t server)
{
	return server == FL_IRQ || server == FL_IRQ_END;
}

static int check_hops(const fl_hop_spec *hops, size_t count, fl_path_scope scope, size_t *visits, size_t *forks,
		      char *error, size_t size)
{
	size_t servers = scope.servers, paths = scope.paths;
	size_t run = 0;   /* forks since the last visit */
	size_t open = SIZE_MAX;   /* the interrupt's start not yet ended */
	*visits = *forks = 0;
	for (size_t i = 0; i < count; i++) {
		uint32_t server = hops[i].server;
		if (server == FL_CACHE && check_cache_hop(&hops[i], i, scope.caches, error, size) != 0)
			return -1;
		if (is_irq(server) && check_irq_hop(hops, i, scope.irqs, &open, error, size) != 0)
			return -1;
		if (server != FL_NONE && server != FL_FORK && server != FL_CACHE && !is_irq(server) &&
		    (hops[i].service > FL_SERVICE_LOGNORMAL || !(hops[i].cv >= 0 && hops[i].cv <= 100))) {
			snprintf(error, size, "hop %zu: found service %d with cv %g, expected a known service and a cv from 0 to 100",
				 i, (int)hops[i].service, hops[i].cv);
			return -1;
		}
		if (fl_ps_of_ns(hops[i].time_ns) < 0) {
			snprintf(error, size, "hop %zu: found time %g ns, expected a finite time >= 0", i, hops[i].time_ns);
			return -1;
		}
		if (fl_ps_of_ns(hops[i].overlap_ns) < 0) {
			snprintf(error, size, "hop %zu: found an overlap of %g ns, expected a finite time >= 0", i,
				 hops[i].overlap_ns);
			return -1;
		}
		if (server == FL_FORK) {
			if (hops[i].branch >= paths) {
				snprintf(error, size, "hop %zu: found branch path %u, expected one of the %zu added", i,
					 hops[i].branch, paths);
				return -1;
			}
			if (open != SIZE_MAX) {
				snprintf(error, size, "hop %zu: found a fork inside an interrupt, expected none there", i);
				return -1;
			}
			if (++run > UINT8_MAX && *visits) {
				snprintf(error, size, "hop %zu: found more than %d forks after one visit", i, UINT8_MAX);
				return -1;
			}
			++*forks;
			continue;
		}
		if (server != FL_NONE && server != FL_CLIENT_OWN && server != FL_SERVER_OWN && server != FL_CACHE &&
		    !is_irq(server) && server >= servers) {
			snprintf(error, size, "hop %zu: found server %u, expected one of the %zu added", i, server, servers);
			return -1;
		}
		if (server != FL_NONE) {
			++*visits;
			run = 0;
		}
	}
	if (open != SIZE_MAX) {
		snprintf(error, size, "hop %zu: found an interrupt's start without its end", open);
		return -1;
	}
	if (*visits > MAX_VISITS || *forks > MAX_VISITS) {
		snprintf(error, size, "found %zu server visits and %zu forks in a path, expected at most %d of each", *visits,
			 *forks, MAX_VISITS);
		return -1;
	}
	return 0;
}

int fl_path_compile(const fl_hop_spec *hops, size_t count, fl_path_scope scope, fl_path *out, char *error,
		    size_t size)
{
	memset(out, 0, sizeof *out);
	size_t visits, forks;
	if (check_hops(hops, count, scope, &visits, &forks, error, size) != 0)
		return -1;
	if ((visits && !(out->visits = calloc(visits, sizeof *out->visits))) ||
	    (forks && !(out->forks = calloc(forks, sizeof *out->forks)))) {
		fl_path_free(out);
		snprintf(error, size, "out of memory for a path of %zu visits", visits);
		return -1;
	}
	int64_t *pending = &out->lead_ps;   /* where the next pure delay adds up */
	int64_t since_ps = 0;               /* delays since the last visit (or the post) */
	fl_visit *last = NULL, *irq = NULL;
	for (size_t i = 0; i < count; i++) {
		int64_t ps = fl_ps_of_ns(hops[i].time_ns);
		if (hops[i].server == FL_FORK) {
			out->forks[out->fork_count++] = (fl_fork){.offset_ps = since_ps, .branch = hops[i].branch};
			if (last)
				last->fork_count++;
			else
				out->lead_forks++;
			continue;
		}
		if (hops[i].server == FL_NONE) {
			*pending += ps;
			since_ps += ps;
			continue;
		}
		fl_visit *v = last = &out->visits[out->count++];
		v->fork_first = (uint16_t)out->fork_count;
		pending = &v->after_ps;
		since_ps = 0;
		v->service_ps = ps;
		if (hops[i].server == FL_CACHE) {   /* a lookup: its cost per miss, its pages in packets */
			v->server = hops[i].cache;
			v->service = FL_VISIT_CACHE;
			v->key = (uint8_t)hops[i].key;
			v->packets = (uint16_t)(hops[i].pages < 1 ? 1 : hops[i].pages);
			v->overlap_ps = fl_ps_of_ns(hops[i].overlap_ns);
			continue;
		}
		if (is_irq(hops[i].server)) {   /* a start keeps its end's index */
			v->server = hops[i].irq;
			v->service = hops[i].server == FL_IRQ ? FL_VISIT_IRQ : FL_VISIT_IRQ_END;
			if (hops[i].server == FL_IRQ)
				irq = v;
			else
				irq->packets = (uint16_t)(out->count - 1);
			continue;
		}
		v->server = hops[i].server;
		v->service = (uint8_t)hops[i].service;
		v->sigma = hops[i].service == FL_SERVICE_LOGNORMAL ? (float)sqrt(log1p(hops[i].cv * hops[i].cv)) : 0;
		v->packets = (uint16_t)(hops[i].packets < 1 ? 1 : hops[i].packets > MAX_TURNS ? MAX_TURNS : hops[i].packets);
		v->flags = (uint8_t)((hops[i].packets > 0 ? FL_VISIT_GATED : 0) | (hops[i].per_miss ? FL_VISIT_PER_MISS : 0));
		int64_t lead_ps = fl_ps_of_ns(hops[i].overlap_ns);
		v->overlap_ps = lead_ps < v->service_ps ? lead_ps : v->service_ps;   /* at most its whole service */
	}
	return 0;
}

void fl_path_free(fl_path *p)
{
	free(p->visits);
	free(p->forks);
	memset(p, 0, sizeof *p);
}
