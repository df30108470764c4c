/*
 * sim/flows/choice.c - a flow's choices compiled into a cumulative table.
 */
#include "sim/flows/choice.h"

#include <math.h>
#include <stdio.h>

int fl_choices_compile(const fl_choice *choices, size_t count, size_t paths, fl_pick *out, char *error,
		       size_t size)
{
	if (count == 0 || count > FL_CHOICES_MAX) {
		snprintf(error, size, "found %zu choices, expected from 1 to %d", count, FL_CHOICES_MAX);
		return -1;
	}
	double total = 0;
	for (size_t i = 0; i < count; i++) {
		if (choices[i].path >= paths) {
			snprintf(error, size, "choice %zu: found path %u, expected one of the %zu added", i,
				 choices[i].path, paths);
			return -1;
		}
		if (!(choices[i].weight > 0 && isfinite(choices[i].weight))) {
			snprintf(error, size, "choice %zu: found weight %g, expected a finite number above 0", i,
				 choices[i].weight);
			return -1;
		}
		total += choices[i].weight;
	}
	if (!isfinite(total)) {
		snprintf(error, size, "found weights whose sum is not finite, expected a finite sum");
		return -1;
	}
	/* Bounds from the running sum, rounded once each: they never decrease,
	 * and the last is the whole scale whatever the rounding. */
	double cumulative = 0;
	for (size_t i = 0; i < count; i++) {
		cumulative += choices[i].weight;
		double bound = nearbyint(cumulative / total * (double)FL_PICK_SCALE);
		out[i] = (fl_pick){
			.path.index = choices[i].path,
			.bound = i + 1 == count || bound >= (double)FL_PICK_SCALE ? FL_PICK_SCALE : (uint64_t)bound,
			.bytes_per_op = choices[i].bytes_per_op,
			.completed = 0,
		};
	}
	return 0;
}
