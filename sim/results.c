/*
 * results.c - naming of breakdown slots.
 */
#include "sim/results.h"

const char *const vr_extra_stage_names[2 * EXTRA_COUNT] = {
	[EXTRA_INTERFERENCE] = "interference",
	[EXTRA_SERIALIZATION] = "serialization",
	[EXTRA_QUEUEING] = "queueing",
	[EXTRA_COMPLETION_WAIT] = "send_completion_wait",
	[EXTRA_COUNT + EXTRA_INTERFERENCE] = "interference_response",
	[EXTRA_COUNT + EXTRA_SERIALIZATION] = "serialization_response",
	[EXTRA_COUNT + EXTRA_QUEUEING] = "queueing_response",
	[EXTRA_COUNT + EXTRA_COMPLETION_WAIT] = "send_completion_wait_response",
};

void vr_breakdown_reset(vr_breakdown *b)
{
	for (size_t k = 0; k < VR_BREAKDOWN_SLOTS; k++) {
		b->sum_ns[k] = 0;
		vr_median_reset(&b->median[k]);
	}
}

const char *vr_breakdown_name(const mdl_option *option, size_t slot)
{
	if (slot < option->stage_count)
		return option->stages[slot].name;
	if (slot >= VR_EXTRA_BASE && slot < VR_BREAKDOWN_SLOTS)
		return vr_extra_stage_names[slot - VR_EXTRA_BASE];
	return NULL;
}

/* Extras below a femtosecond per operation are rounding, not time. */
static const double EXTRA_SHOWN_ABOVE_NS = 1e-6;

int vr_breakdown_used(const vr_result *r, size_t slot)
{
	if (slot < MDL_STAGES_MAX)
		return r->role[slot] == ROLE_CRITICAL;
	if (slot >= MDL_STAGES_MAX && slot < VR_BREAKDOWN_SLOTS)
		return r->breakdown_mean_ns[slot] > EXTRA_SHOWN_ABOVE_NS || r->breakdown_mean_ns[slot] < -EXTRA_SHOWN_ABOVE_NS;
	return 0;
}
