/*
 * counters.c - see counters.h.
 */
#include "models/counters.h"

const mdl_counter_info mdl_counter_infos[COUNTER_COUNT] = {
#define MDL_COUNTER(name, unit, meaning) [COUNTER_##name] = {#name, unit, meaning},
#include "models/counters.def"
#undef MDL_COUNTER
};

double mdl_counter_value(const mdl_counters *c, mdl_counter k)
{
	switch (k) {
#define MDL_COUNTER(name, unit, meaning) \
	case COUNTER_##name:             \
		return c->name;
#include "models/counters.def"
#undef MDL_COUNTER
	case COUNTER_COUNT:
		break;
	}
	return 0.0;
}

void mdl_counters_add(mdl_counters *sum, const mdl_counters *more)
{
#define MDL_COUNTER(name, unit, meaning) sum->name += more->name;
#include "models/counters.def"
#undef MDL_COUNTER
}

void mdl_counters_scale(mdl_counters *c, double factor)
{
#define MDL_COUNTER(name, unit, meaning) c->name *= factor;
#include "models/counters.def"
#undef MDL_COUNTER
}
