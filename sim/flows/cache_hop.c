/*
 * sim/flows/cache_hop.c - caches in the many-flow engine: the caches the
 * flows share (models/cache.h) and the hop that looks a flow's key up in
 * one, an operation taking longer by a miss's cost per miss.
 *
 * A lookup is handled in its own event, at the time the operation reaches
 * it, so that a cache shared by many flows sees their lookups in time
 * order (ties in scheduling order): the working set it holds is that of
 * all the tenants up to that moment.  Its keys:
 *  - FL_KEY_QP: the flow's qp_key (the QP context an HCA fetches per WQE);
 *  - FL_KEY_PAGE: the flow's next PAGES pages of its registered memory,
 *    page_base + i with i cycling over page_count (its buffer's pages, an
 *    operation after the other);
 *  - FL_KEY_PAGE_AGAIN: the same pages as its flow's last FL_KEY_PAGE
 *    lookup (the IOTLB translating what the MTT just gave).  A flow with
 *    several operations in flight may have moved on meanwhile: it then
 *    looks up the pages of its latest operation, which over a cyclic
 *    working set is the same set of keys.
 * The misses of one lookup cost one after the other (no overlap: how many
 * reads an HCA keeps outstanding is PCIe's part, not the cache's).
 */
#include "sim/flows/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t fl_add_cache(fl_engine *e, const fl_cache_spec *spec)
{
	const char *name = spec->name ? spec->name : "";
	if (e->ran || e->cache_count >= UINT16_MAX) {
		snprintf(e->error, sizeof e->error, "cache %s: %s", name,
			 e->ran ? "added after the run" : "too many caches (at most 65,535)");
		return FL_NONE;
	}
	fl_cache *grown = realloc(e->caches, (e->cache_count + 1) * sizeof *e->caches);
	if (!grown) {
		snprintf(e->error, sizeof e->error, "out of memory for cache %s", name);
		return FL_NONE;
	}
	e->caches = grown;
	fl_cache *c = &e->caches[e->cache_count];
	c->cache = mdl_cache_new(spec->entries, spec->ways);
	c->name = strdup(name);
	if (!c->cache || !c->name) {
		snprintf(e->error, sizeof e->error,
			 "cache %s: found %u entries in %u ways, expected 1 to %u entries and ways 0 (fully associative) or a divisor of them",
			 name, spec->entries, spec->ways, (unsigned)MDL_CACHE_MAX_ENTRIES);
		mdl_cache_free(c->cache);
		free(c->name);
		return FL_NONE;
	}
	return (uint32_t)e->cache_count++;
}

void fl_caches_free(fl_engine *e)
{
	for (size_t i = 0; i < e->cache_count; i++) {
		mdl_cache_free(e->caches[i].cache);
		free(e->caches[i].name);
	}
	free(e->caches);
}

/* Look up PAGES pages of F from page index FIRST: the misses. */
static uint32_t lookup_pages(mdl_cache *c, const fl_flow *f, uint32_t first, uint32_t pages)
{
	uint32_t count = f->spec.page_count ? f->spec.page_count : 1, misses = 0;
	for (uint32_t k = 0, i = first; k < pages; k++) {
		misses += !mdl_cache_lookup(c, f->spec.page_base + i);
		if (++i == count)
			i = 0;
	}
	return misses;
}

int fl_cache_visit(fl_engine *e, const fl_event *ev, const fl_path *path, const fl_visit *v, int64_t *next_ps)
{
	mdl_cache *c = e->caches[v->server].cache;
	fl_flow *f = &e->flows[ev->flow];
	uint32_t misses;
	int64_t cost_ps;
	if (v->key == FL_KEY_QP) {
		misses = !mdl_cache_lookup(c, f->spec.qp_key);
		cost_ps = (int64_t)misses * v->service_ps;
	} else {
		if (v->key == FL_KEY_PAGE) {
			uint32_t count = f->spec.page_count ? f->spec.page_count : 1;
			f->page_last = f->page_next;
			f->page_next = (uint32_t)(((uint64_t)f->page_next + v->packets) % count);
			f->pages_charged_ps = 0;
		}
		misses = lookup_pages(c, f, f->page_last, v->packets);
		/* As the stages of the single-flow model's pipeline: the first
		 * page's share of the misses' cost delays the message at each
		 * lookup in turn; the later pages' shares hide behind the
		 * message's later packets up to the visit's overlap, and the
		 * lookups of the same pages at other stages (the IOTLB after
		 * the HCA's, the receiver's) run beside them, the slowest
		 * setting the pace: each adds only what exceeds the delay the
		 * earlier ones charged. */
		int64_t miss_ps = (int64_t)misses * v->service_ps, first_ps = miss_ps / v->packets;
		int64_t excess_ps = miss_ps - first_ps - v->overlap_ps - f->pages_charged_ps;
		if (excess_ps > 0)
			f->pages_charged_ps += excess_ps;
		cost_ps = first_ps + (excess_ps > 0 ? excess_ps : 0);
	}
	f->last_misses = misses;
	e->groups[f->spec.group].cache_misses += misses;
	int64_t leave_ps = ev->time_ps + (cost_ps > 0 ? cost_ps : 0);
	if (v->fork_count)
		fl_forks_start(e, ev->flow, path->forks + v->fork_first, v->fork_count, leave_ps);
	*next_ps = leave_ps + v->after_ps;
	return 1;
}

size_t fl_cache_count(const fl_engine *e)
{
	return e->cache_count;
}

void fl_cache_figures_of(const fl_engine *e, uint32_t cache, fl_cache_figures *out)
{
	memset(out, 0, sizeof *out);
	if (cache >= e->cache_count)
		return;
	const fl_cache *c = &e->caches[cache];
	out->name = c->name;
	out->entries = mdl_cache_entries(c->cache);
	out->ways = mdl_cache_ways(c->cache);
	out->hits = mdl_cache_hits(c->cache);
	out->misses = mdl_cache_misses(c->cache);
	out->lookups = out->hits + out->misses;
	out->hit_rate = mdl_cache_hit_rate(c->cache);
}
