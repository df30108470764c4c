/*
 * models/cache.h - a cache of integer keys with a replacement model: what
 * an HCA's QP-context and translation (MTT/MPT) caches and an IOMMU's
 * IOTLB do with the keys many tenants touch (issue 14).
 *
 * Contract:
 *  - A cache holds at most ENTRIES keys.  WAYS chooses its organisation:
 *      0           fully associative, least recently used (LRU) evicted;
 *      1 .. N      set-associative: ENTRIES / WAYS sets of WAYS entries,
 *                  key K in set K mod sets, LRU within its set.  ENTRIES
 *                  must be a multiple of WAYS.  WAYS = ENTRIES (one set)
 *                  behaves exactly as the fully associative cache.
 *  - mdl_cache_lookup(K): a hit if K is held (K becomes the most recently
 *    used of its set); else a miss, K is inserted, evicting the least
 *    recently used key of its set when the set is full.  Each lookup
 *    counts one hit or one miss.
 *  - mdl_cache_reset empties the cache and zeroes its counters.
 *  - Memory follows the keys held, at most ENTRIES of them (about 32
 *    bytes a key fully associative, grown by doubling as keys arrive: a
 *    preset may size a cache far beyond what a run fills; 16 bytes an
 *    entry set-associative, allocated 4,096 sets at a time when one of
 *    them is first used, and an 8-byte pointer per 4,096 sets up front).
 *    A lookup costs O(1) expected fully associative (a hash table and an
 *    intrusive doubly linked list; it allocates only when the cache grows,
 *    log2(ENTRIES) times at most), O(WAYS) set-associative (a scan of the
 *    set's ways); either aborts with a message when memory runs out.
 *  - Deterministic: no randomness; the same key sequence gives the same
 *    hits and misses.
 */
#ifndef MDL_CACHE_H
#define MDL_CACHE_H

#include <stdint.h>

typedef struct mdl_cache mdl_cache;

/* The largest ENTRIES accepted (keeps indices in 32 bits with room). */
#define MDL_CACHE_MAX_ENTRIES (UINT32_C(1) << 30)

/* A new empty cache; NULL if ENTRIES is 0 or above MDL_CACHE_MAX_ENTRIES,
 * WAYS does not divide ENTRIES, or memory ran out. */
mdl_cache *mdl_cache_new(uint32_t entries, uint32_t ways);
void mdl_cache_free(mdl_cache *c);

/* 1: a hit; 0: a miss (KEY now held). */
int mdl_cache_lookup(mdl_cache *c, uint64_t key);

void mdl_cache_reset(mdl_cache *c);

uint64_t mdl_cache_hits(const mdl_cache *c);
uint64_t mdl_cache_misses(const mdl_cache *c);
/* hits / lookups; 0 before any lookup. */
double mdl_cache_hit_rate(const mdl_cache *c);
uint32_t mdl_cache_entries(const mdl_cache *c);
uint32_t mdl_cache_ways(const mdl_cache *c);   /* 0: fully associative */

/* The share of lookups that miss, once warm, when KEYS distinct
 * consecutive keys are looked up over and over in the same order (a
 * cyclic sweep: a buffer's pages, a host's QPs served in turn) in a cache
 * of ENTRIES and WAYS as mdl_cache_new takes them: what mdl_cache_lookup
 * would count, computed without a cache, so that ENTRIES and KEYS may be
 * any size (up to 2^53).  Under LRU a set whose keys outnumber its ways
 * misses on every one of them (each is evicted just before its turn comes
 * back); a set whose keys fit never misses.  0 when KEYS < 1; 1 when
 * ENTRIES < 1 holds nothing; WAYS above ENTRIES counts as one set. */
double mdl_cache_sweep_miss_ratio(double entries, uint32_t ways, double keys);

#endif
