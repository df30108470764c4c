/*
 * counters.h - what an operation counts (VM exits, doorbells, DMA
 * transactions, packets), from the one list in counters.def.
 *
 * Counts are averages per operation (doubles, so that batching can make
 * them fractional).  DMA counts are PCIe transactions: read requests
 * (max_read_request each) and write TLPs (max_payload each).  Code that
 * goes over every counter uses MDL_COUNTER and counters.def, or
 * mdl_counter_value() with an mdl_counter: never the struct as an array.
 */
#ifndef MDL_COUNTERS_H
#define MDL_COUNTERS_H

typedef struct mdl_counters {
#define MDL_COUNTER(name, unit, meaning) double name;
#include "models/counters.def"
#undef MDL_COUNTER
} mdl_counters;

typedef enum mdl_counter {
#define MDL_COUNTER(name, unit, meaning) COUNTER_##name,
#include "models/counters.def"
#undef MDL_COUNTER
	COUNTER_COUNT
} mdl_counter;

typedef struct mdl_counter_info {
	const char *name;      /* field, JSON key, CSV column */
	const char *unit;      /* what one counts */
	const char *meaning;
} mdl_counter_info;

extern const mdl_counter_info mdl_counter_infos[COUNTER_COUNT];

/* Counter K of C. */
double mdl_counter_value(const mdl_counters *c, mdl_counter k);

void mdl_counters_add(mdl_counters *sum, const mdl_counters *more);
void mdl_counters_scale(mdl_counters *c, double factor);

#endif
