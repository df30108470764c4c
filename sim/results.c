/*
 * results.c - naming of breakdown slots.
 */
#include "sim/results.h"

#include <math.h>
#include <string.h>

const char *const vr_bw_limit_names[BW_LIMIT_COUNT] = {
	[BW_LIMIT_LINK] = "link", [BW_LIMIT_SENDER_CPU] = "sender_cpu",
	[BW_LIMIT_RECEIVER_CPU] = "receiver_cpu", [BW_LIMIT_WINDOW] = "window",
};

const char *const vr_extra_stage_names[2 * EXTRA_COUNT] = {
	[EXTRA_INTERFERENCE] = "interference",
	[EXTRA_SERIALIZATION] = "serialization",
	[EXTRA_PIPELINE] = "pipeline",
	[EXTRA_QUEUEING] = "queueing",
	[EXTRA_COMPLETION_WAIT] = "send_completion_wait",
	[EXTRA_COUNT + EXTRA_INTERFERENCE] = "interference_response",
	[EXTRA_COUNT + EXTRA_SERIALIZATION] = "serialization_response",
	[EXTRA_COUNT + EXTRA_PIPELINE] = "pipeline_response",
	[EXTRA_COUNT + EXTRA_QUEUEING] = "queueing_response",
	[EXTRA_COUNT + EXTRA_COMPLETION_WAIT] = "send_completion_wait_response",
};

void vr_breakdown_reset(vr_breakdown *b)
{
	memset(b, 0, sizeof *b);
	vr_median_reset(&b->latency);
}

static void close_round(vr_breakdown *b, unsigned long long round, double latency_ns, int counted)
{
	double *costs = b->round_ns[round & 1];
	vr_median_add(&b->latency, latency_ns);
	if (counted) {
		double median = vr_median_value(&b->latency);
		int typical = fabs(latency_ns - median) <= VR_TYPICAL_BAND * median;
		b->counted++;
		b->typical += (uint64_t)typical;
		for (size_t k = 0; k < VR_BREAKDOWN_SLOTS; k++) {
			b->sum_ns[k] += costs[k];
			if (typical)
				b->typical_ns[k] += costs[k];
		}
	}
	memset(costs, 0, sizeof b->round_ns[0]);
}

void vr_breakdown_close_pending(vr_breakdown *b)
{
	if (b->pending)
		close_round(b, b->pending_round, b->pending_latency_ns, b->pending_counted);
	b->pending = 0;
}

void vr_breakdown_pend(vr_breakdown *b, unsigned long long round, double latency_ns, int counted)
{
	vr_breakdown_close_pending(b);
	b->pending = 1;
	b->pending_round = round;
	b->pending_latency_ns = latency_ns;
	b->pending_counted = counted;
}

const char *vr_breakdown_name(const mdl_option *option, size_t slot)
{
	if (slot < option->stage_count)
		return option->stages[slot].name;
	if (slot >= VR_EXTRA_BASE && slot < VR_BREAKDOWN_SLOTS)
		return vr_extra_stage_names[slot - VR_EXTRA_BASE];
	return NULL;
}

int vr_breakdown_used(const vr_result *r, size_t slot)
{
	return slot < VR_BREAKDOWN_SLOTS && r->role[slot] == ROLE_CRITICAL;
}
