/*
 * sim/flows/actor.c - running the many-flow engine inside a SimGrid actor.
 *
 * The engine keeps its own clock; SimGrid only needs to know how long the
 * run took, so the actor sleeps until the engine's end once, instead of one
 * SimGrid activity per operation.
 */
#include "sim/flows/flows.h"

#include <simgrid/actor.h>
#include <simgrid/engine.h>

int fl_run_in_actor(fl_engine *e)
{
	double start_s = simgrid_get_clock();
	int status = fl_run(e);
	if (status == 0)
		sg_actor_sleep_until(start_s + fl_end_ns(e) * 1e-9);
	return status;
}
