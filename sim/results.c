/*
 * results.c - naming of breakdown slots.
 */
#include "sim/results.h"

#include <math.h>
#include <stdio.h>
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

/* First non-finite of the N doubles at V, or -1. */
static long first_non_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return (long)i;
	return -1;
}

int vr_result_finite(const vr_result *r, const char **field)
{
	static char name[64];
	const struct {
		const char *name;
		const double *v;
		size_t n;
	} groups[] = {
		{"size_bytes", &r->size_bytes, 1},
		{"min_ns", &r->min_ns, 1}, {"median_ns", &r->median_ns, 1}, {"mean_ns", &r->mean_ns, 1},
		{"stdev_ns", &r->stdev_ns, 1}, {"p99_ns", &r->p99_ns, 1}, {"p999_ns", &r->p999_ns, 1},
		{"max_ns", &r->max_ns, 1},
		{"breakdown_ns", r->breakdown_ns, VR_BREAKDOWN_SLOTS},
		{"breakdown_mean_ns", r->breakdown_mean_ns, VR_BREAKDOWN_SLOTS},
#define MDL_COUNTER(counter, unit, meaning) {"per_op." #counter, &r->per_op.counter, 1},
#include "models/counters.def"
#undef MDL_COUNTER
		{"bw.peak_bytes_per_s", &r->bw.peak_bytes_per_s, 1},
		{"bw.average_bytes_per_s", &r->bw.average_bytes_per_s, 1},
		{"bw.msg_rate_per_s", &r->bw.msg_rate_per_s, 1}, {"bw.duration_ns", &r->bw.duration_ns, 1},
		{"bw.sender_cpu_ns", &r->bw.sender_cpu_ns, 1}, {"bw.receiver_cpu_ns", &r->bw.receiver_cpu_ns, 1},
		{"bw.link_ns", &r->bw.link_ns, 1},
		{"assumed_share", &r->assumed_share, 1},
	};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		long i = first_non_finite(groups[g].v, groups[g].n);
		if (i < 0)
			continue;
		if (groups[g].n == 1)
			snprintf(name, sizeof name, "%s", groups[g].name);
		else
			snprintf(name, sizeof name, "%s[%ld]", groups[g].name, i);
		*field = name;
		return 0;
	}
	return 1;
}

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
