/*
 * mechanism_cost.h - the cost functions the rows of mechanisms.def name,
 * one per mechanism or per family (the two propagations).  Each is a few
 * lines of arithmetic over named parameters and the message (mdl_cost_fn);
 * none allocates or branches on options.  Only mechanism.c's table needs
 * these names: everyone else calls mdl_mechanism_cost.
 */
#ifndef MDL_MECHANISM_COST_H
#define MDL_MECHANISM_COST_H

#include "models/mechanism.h"

#define MECHANISM(ID, name, side, route, part, resource, kind, paths, per_doorbell, server, cost, description) \
	mdl_cost_fn cost;
#include "models/mechanisms.def"
#undef MECHANISM

#endif
