/*
 * vrdma/backend/account.c -- see account.h.
 */
#include "vrdma/backend/account.h"
#include "vrdma/backend/limits.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const vacct_resource_names[VACCT_COUNT] = {
	[VACCT_PD] = "pd", [VACCT_MR] = "mr", [VACCT_CQ] = "cq", [VACCT_QP] = "qp",
	[VACCT_CQE] = "cqe", [VACCT_WQE] = "wqe", [VACCT_PAGE] = "page",
};

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

void vacct_default_limits(struct vacct_limits *l)
{
	static const uint64_t pools[VACCT_COUNT] = {
		[VACCT_PD] = VB_LIMIT_HOST_PD, [VACCT_MR] = VB_LIMIT_HOST_MR,
		[VACCT_CQ] = VB_LIMIT_HOST_CQ, [VACCT_QP] = VB_LIMIT_HOST_QP,
		[VACCT_CQE] = VB_LIMIT_HOST_CQE, [VACCT_WQE] = VB_LIMIT_HOST_WQE,
		[VACCT_PAGE] = VB_LIMIT_HOST_PAGE,
	};
	memset(l, 0, sizeof *l);
	for (int r = 0; r < VACCT_COUNT; r++) {
		l->host_total[r] = pools[r];
		l->guarantee[r] = pools[r] / VB_LIMIT_GUARANTEE_DIVISOR;
	}
	l->share_percent = VB_LIMIT_SHARE_PERCENT;
	l->mappings_per_guest_page = VB_LIMIT_MAPPINGS_PER_GUEST_PAGE;
}

int vacct_check_limits(const struct vacct_limits *l, char *why, size_t why_bytes)
{
	for (int r = 0; r < VACCT_COUNT; r++)
		if (l->guarantee[r] > l->host_total[r]) {
			snprintf(why, why_bytes, "guarantee of %llu %s per guest exceeds the host's %llu",
				 (unsigned long long)l->guarantee[r], vacct_resource_names[r],
				 (unsigned long long)l->host_total[r]);
			return EINVAL;
		}
	if (l->share_percent > 100) {
		snprintf(why, why_bytes, "share of %u%% of the unreserved pool (expected 0..100)", l->share_percent);
		return EINVAL;
	}
	if (l->mappings_per_guest_page == 0) {
		snprintf(why, why_bytes, "0 page mappings per guest page (expected at least 1)");
		return EINVAL;
	}
	return 0;
}

void vacct_host_init(struct vacct_host *host, const struct vacct_limits *limits)
{
	memset(host, 0, sizeof *host);
	host->limits = *limits;
}

/* What one guest may hold of `r` now: its guarantee plus its share of the
 * unreserved pool, within its own cap. */
static uint64_t guest_cap(const struct vacct_host *host, const struct vacct_guest *g, int r)
{
	uint64_t unreserved = host->limits.host_total[r] - host->reserved[r];
	uint64_t share = unreserved * host->limits.share_percent / 100u;
	return min_u64(g->own_cap[r], g->guarantee[r] + share);
}

int vacct_attach(struct vacct_host *host, struct vacct_guest *g, uint64_t memory_pages, char *why,
		 size_t why_bytes)
{
	memset(g, 0, sizeof *g);
	for (int r = 0; r < VACCT_COUNT; r++)
		g->own_cap[r] = UINT64_MAX;
	g->own_cap[VACCT_PAGE] = memory_pages * host->limits.mappings_per_guest_page;
	for (int r = 0; r < VACCT_COUNT; r++) {
		/* Reserving what the guest can never use would only shrink the pool. */
		g->guarantee[r] = min_u64(host->limits.guarantee[r], g->own_cap[r]);
		uint64_t left = host->limits.host_total[r] - host->committed[r];
		if (g->guarantee[r] > left) {
			snprintf(why, why_bytes,
				 "the host cannot guarantee another guest %llu %s: %llu of %llu are reserved or in use",
				 (unsigned long long)g->guarantee[r], vacct_resource_names[r],
				 (unsigned long long)host->committed[r],
				 (unsigned long long)host->limits.host_total[r]);
			return ENOSPC;
		}
	}
	for (int r = 0; r < VACCT_COUNT; r++) {
		host->reserved[r] += g->guarantee[r];
		host->committed[r] += g->guarantee[r];
	}
	g->attached = 1;
	return 0;
}

void vacct_detach(struct vacct_host *host, struct vacct_guest *g)
{
	if (!g->attached)
		return;
	for (int r = 0; r < VACCT_COUNT; r++) {
		assert(g->in_use[r] == 0);
		host->reserved[r] -= g->guarantee[r];
		host->committed[r] -= g->guarantee[r];
	}
	g->attached = 0;
}

/* How much `committed` grows when the guest goes from `from` to `to`. */
static uint64_t commit_growth(const struct vacct_guest *g, int r, uint64_t from, uint64_t to)
{
	return max_u64(to, g->guarantee[r]) - max_u64(from, g->guarantee[r]);
}

static int may_take(const struct vacct_host *host, const struct vacct_guest *g, int r, uint64_t amount)
{
	uint64_t to = g->in_use[r] + amount;
	if (to < g->in_use[r] || to > guest_cap(host, g, r))
		return 0;
	return host->committed[r] + commit_growth(g, r, g->in_use[r], to) <= host->limits.host_total[r];
}

int vacct_charge(struct vacct_host *host, struct vacct_guest *g, const struct vacct_bill *bill)
{
	for (int r = 0; r < VACCT_COUNT; r++)
		if (bill->amount[r] != 0 && !may_take(host, g, r, bill->amount[r]))
			return ENOMEM;
	for (int r = 0; r < VACCT_COUNT; r++) {
		uint64_t to = g->in_use[r] + bill->amount[r];
		host->committed[r] += commit_growth(g, r, g->in_use[r], to);
		g->in_use[r] = to;
		host->in_use[r] += bill->amount[r];
		g->high_water[r] = max_u64(g->high_water[r], to);
		host->high_water[r] = max_u64(host->high_water[r], host->in_use[r]);
	}
	return 0;
}

void vacct_release(struct vacct_host *host, struct vacct_guest *g, const struct vacct_bill *bill)
{
	for (int r = 0; r < VACCT_COUNT; r++) {
		assert(bill->amount[r] <= g->in_use[r]);
		uint64_t to = g->in_use[r] - bill->amount[r];
		host->committed[r] -= commit_growth(g, r, to, g->in_use[r]);
		g->in_use[r] = to;
		host->in_use[r] -= bill->amount[r];
	}
}

void vacct_guest_usage(const struct vacct_host *host, const struct vacct_guest *g, struct vacct_usage *usage)
{
	for (int r = 0; r < VACCT_COUNT; r++)
		usage[r] = (struct vacct_usage){ .in_use = g->in_use[r], .reserved = g->guarantee[r],
						 .cap = guest_cap(host, g, r), .high_water = g->high_water[r] };
}

void vacct_host_usage(const struct vacct_host *host, struct vacct_usage *usage)
{
	for (int r = 0; r < VACCT_COUNT; r++)
		usage[r] = (struct vacct_usage){ .in_use = host->in_use[r], .reserved = host->reserved[r],
						 .cap = host->limits.host_total[r],
						 .high_water = host->high_water[r] };
}
