/*
 * models/cache.c - LRU caches of integer keys: fully associative (a hash
 * table whose entries are also linked in recency order) and
 * set-associative (per set, its ways' keys and last-use stamps).
 */
#include "models/cache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

enum { FIRST_NODES = 64 };   /* a fully associative cache's first allocation */
/* A set-associative cache's ways are allocated a chunk of sets at a time,
 * on the first use of one of them. */
enum { CHUNK_SETS_LOG2 = 12, CHUNK_SETS = 1 << CHUNK_SETS_LOG2 };

/* A way of a set: its key and its last use (clock value; 0: empty). */
typedef struct cache_way {
	uint64_t key, stamp;
} cache_way;

/* A held key of the fully associative cache: in its bucket's chain and in
 * the recency list (prev: more recent, next: less recent). */
typedef struct lru_node {
	uint64_t key;
	uint32_t prev, next;
	uint32_t chain;         /* the next node of its hash bucket */
} lru_node;

struct mdl_cache {
	uint32_t entries, ways;
	uint64_t hits, misses;
	/* fully associative (ways 0) */
	lru_node *nodes;        /* allocated of them (up to entries); nodes[0 .. used) hold keys */
	uint32_t *buckets;      /* bucket_mask + 1 heads of chains */
	uint32_t bucket_mask;
	uint32_t used, head, tail;   /* head: most recently used; tail: least */
	uint32_t allocated;     /* nodes and buckets grow with the keys held, not the capacity:
				 * a preset may give a cache a billion entries that a run
				 * never fills */
	/* set-associative (ways >= 1) */
	cache_way **chunks;     /* chunk k: sets k * CHUNK_SETS .., each of `ways` ways; NULL
				 * until one of its sets is used (memory follows the sets
				 * touched, not the capacity) */
	uint32_t chunk_count;
	uint64_t clock;
	uint32_t sets;
};

/* Fibonacci hashing: the golden ratio's multiplier spreads consecutive
 * keys (pages of one region, QP numbers) over the buckets. */
static inline uint32_t bucket_of(const mdl_cache *c, uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & c->bucket_mask;
}

/* Room for CAPACITY nodes (at most the entries), and buckets for a load
 * factor of at most 1 (chains of about one): the held keys rechained. */
static int grow_full(mdl_cache *c, uint32_t capacity)
{
	lru_node *nodes = realloc(c->nodes, (size_t)capacity * sizeof *nodes);
	if (!nodes)
		return -1;
	c->nodes = nodes;
	uint32_t buckets = 1;
	while (buckets < capacity)
		buckets *= 2;
	uint32_t *heads = realloc(c->buckets, (size_t)buckets * sizeof *heads);
	if (!heads)
		return -1;
	c->buckets = heads;
	c->bucket_mask = buckets - 1;
	c->allocated = capacity;
	memset(c->buckets, 0xff, (size_t)buckets * sizeof *c->buckets);   /* all NIL */
	for (uint32_t i = 0; i < c->used; i++) {
		uint32_t b = bucket_of(c, c->nodes[i].key);
		c->nodes[i].chain = c->buckets[b];
		c->buckets[b] = i;
	}
	return 0;
}

mdl_cache *mdl_cache_new(uint32_t entries, uint32_t ways)
{
	if (entries == 0 || entries > MDL_CACHE_MAX_ENTRIES || (ways && entries % ways != 0))
		return NULL;
	mdl_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->entries = entries;
	c->ways = ways;
	if (ways == 0) {
		if (grow_full(c, entries < FIRST_NODES ? entries : FIRST_NODES) != 0) {
			mdl_cache_free(c);
			return NULL;
		}
	} else {
		c->sets = entries / ways;
		c->chunk_count = (c->sets + CHUNK_SETS - 1) >> CHUNK_SETS_LOG2;
		if (!(c->chunks = calloc(c->chunk_count, sizeof *c->chunks))) {
			mdl_cache_free(c);
			return NULL;
		}
	}
	mdl_cache_reset(c);
	return c;
}

void mdl_cache_free(mdl_cache *c)
{
	if (!c)
		return;
	free(c->nodes);
	free(c->buckets);
	for (uint32_t k = 0; c->chunks && k < c->chunk_count; k++)
		free(c->chunks[k]);
	free(c->chunks);
	free(c);
}

void mdl_cache_reset(mdl_cache *c)
{
	c->hits = c->misses = 0;
	if (c->ways == 0) {
		c->used = 0;
		c->head = c->tail = NIL;
		memset(c->buckets, 0xff, ((size_t)c->bucket_mask + 1) * sizeof *c->buckets);   /* all NIL */
	} else {
		for (uint32_t k = 0; k < c->chunk_count; k++) {   /* empty again, and small */
			free(c->chunks[k]);
			c->chunks[k] = NULL;
		}
		c->clock = 0;
	}
}

/* ---- fully associative ---- */

static void list_unlink(mdl_cache *c, uint32_t i)
{
	lru_node *n = &c->nodes[i];
	if (n->prev != NIL)
		c->nodes[n->prev].next = n->next;
	else
		c->head = n->next;
	if (n->next != NIL)
		c->nodes[n->next].prev = n->prev;
	else
		c->tail = n->prev;
}

static void list_push_front(mdl_cache *c, uint32_t i)
{
	lru_node *n = &c->nodes[i];
	n->prev = NIL;
	n->next = c->head;
	if (c->head != NIL)
		c->nodes[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

/* Take node I (held) out of its bucket's chain. */
static void chain_remove(mdl_cache *c, uint32_t i)
{
	uint32_t *link = &c->buckets[bucket_of(c, c->nodes[i].key)];
	while (*link != i)
		link = &c->nodes[*link].chain;
	*link = c->nodes[i].chain;
}

static int lookup_full(mdl_cache *c, uint64_t key)
{
	uint32_t b = bucket_of(c, key);
	for (uint32_t i = c->buckets[b]; i != NIL; i = c->nodes[i].chain) {
		if (c->nodes[i].key != key)
			continue;
		if (c->head != i) {
			list_unlink(c, i);
			list_push_front(c, i);
		}
		return 1;
	}
	uint32_t i;
	if (c->used < c->entries) {
		if (c->used == c->allocated) {
			uint32_t capacity = c->allocated > c->entries / 2 ? c->entries : 2 * c->allocated;
			if (grow_full(c, capacity) != 0) {
				fprintf(stderr, "vrdmasim: out of memory for a cache of %u keys\n", capacity);
				abort();   /* no lookup can be answered */
			}
			b = bucket_of(c, key);
		}
		i = c->used++;
	} else {   /* full: the least recently used key leaves */
		i = c->tail;
		list_unlink(c, i);
		chain_remove(c, i);
	}
	c->nodes[i].key = key;
	c->nodes[i].chain = c->buckets[b];
	c->buckets[b] = i;
	list_push_front(c, i);
	return 0;
}

/* ---- set-associative ---- */

/* The ways of set SET, its chunk allocated (empty) on first use. */
static cache_way *set_ways(mdl_cache *c, uint32_t set)
{
	cache_way **chunk = &c->chunks[set >> CHUNK_SETS_LOG2];
	if (!*chunk) {
		uint32_t first = set & ~(uint32_t)(CHUNK_SETS - 1);
		size_t sets = c->sets - first < CHUNK_SETS ? c->sets - first : CHUNK_SETS;
		if (!(*chunk = calloc(sets * c->ways, sizeof **chunk))) {
			fprintf(stderr, "vrdmasim: out of memory for a cache of %u entries\n", c->entries);
			abort();
		}
	}
	return *chunk + (size_t)(set & (CHUNK_SETS - 1)) * c->ways;
}

static int lookup_set(mdl_cache *c, uint64_t key)
{
	cache_way *ways = set_ways(c, (uint32_t)(key % c->sets));
	uint32_t victim = 0;
	c->clock++;
	for (uint32_t w = 0; w < c->ways; w++) {
		if (ways[w].stamp && ways[w].key == key) {
			ways[w].stamp = c->clock;
			return 1;
		}
		if (ways[w].stamp < ways[victim].stamp)   /* an empty way (0) is taken first */
			victim = w;
	}
	ways[victim] = (cache_way){.key = key, .stamp = c->clock};
	return 0;
}

int mdl_cache_lookup(mdl_cache *c, uint64_t key)
{
	int hit = c->ways == 0 ? lookup_full(c, key) : lookup_set(c, key);
	if (hit)
		c->hits++;
	else
		c->misses++;
	return hit;
}

uint64_t mdl_cache_hits(const mdl_cache *c)
{
	return c->hits;
}

uint64_t mdl_cache_misses(const mdl_cache *c)
{
	return c->misses;
}

double mdl_cache_hit_rate(const mdl_cache *c)
{
	uint64_t lookups = c->hits + c->misses;
	return lookups ? (double)c->hits / (double)lookups : 0;
}

uint32_t mdl_cache_entries(const mdl_cache *c)
{
	return c->entries;
}

uint32_t mdl_cache_ways(const mdl_cache *c)
{
	return c->ways;
}

double mdl_cache_sweep_miss_ratio(double entries, uint32_t ways, double keys)
{
	entries = floor(entries);
	keys = floor(keys);
	if (keys <= 0)
		return 0.0;
	if (ways == 0 || ways >= entries)
		return keys > entries ? 1.0 : 0.0;
	/* Key K goes to set K mod SETS: EXTRA sets hold BASE + 1 keys, the
	 * others BASE. */
	double sets = floor(entries / ways);
	double base = floor(keys / sets), extra = keys - base * sets;
	double missing = (base + 1 > ways ? extra * (base + 1) : 0.0) + (base > ways ? (sets - extra) * base : 0.0);
	return missing / keys;
}
