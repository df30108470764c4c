/*
 * vrdma/backend/account.h -- per-guest and per-host accounting of what guest
 * objects hold on the host.
 *
 * Everything a guest's commands make the host hold is charged to the guest
 * before the host allocates it: objects (PD, MR, CQ, QP), CQEs and WQEs
 * (the HCA's per-entry state), and every page an object maps (region
 * pages, ring pages and the page directory's own pages -- mappings are
 * counted, so a directory whose entries all alias one page costs the same
 * as distinct pages).  So host memory per guest is bounded by its charges.
 *
 * Share policy (defaults and reasons in limits.h):
 *   - each guest has a guarantee per resource, reserved when it attaches;
 *     an attach that cannot get every guarantee is refused;
 *   - beyond its guarantee a guest may take at most share_percent of the
 *     unreserved pool (host total minus every attached guest's guarantee);
 *   - a guest's mapped pages are also capped by its own memory
 *     (mappings_per_guest_page per page);
 *   - committed = the sum over guests of max(in use, guarantee) never
 *     exceeds the host total: what one guest takes beyond its guarantee is
 *     never another's guarantee, so every guest can always reach its own.
 * A charge over the cap or the pool fails whole (ENOMEM); a release returns
 * exactly what the matching charge took.
 *
 * Not thread-safe: the backend calls it under its lock.
 */
#ifndef VRDMA_BACKEND_ACCOUNT_H
#define VRDMA_BACKEND_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

enum vacct_resource {
	VACCT_PD,
	VACCT_MR,
	VACCT_CQ,
	VACCT_QP,
	VACCT_CQE,   /* completion queue entries, summed over CQs */
	VACCT_WQE,   /* send + receive queue slots, summed over QPs */
	VACCT_PAGE,  /* page mappings: regions, rings, page directories */
	VACCT_COUNT
};

/* "pd", "mr", ... */
extern const char *const vacct_resource_names[VACCT_COUNT];

/* A backend's limits (vbackend_config.limits). */
struct vacct_limits {
	uint64_t host_total[VACCT_COUNT]; /* the host's pool of each */
	uint64_t guarantee[VACCT_COUNT];  /* reserved for each guest at attach */
	uint32_t share_percent;           /* of the unreserved pool, beyond the guarantee (0..100) */
	uint32_t mappings_per_guest_page; /* page mappings per page of guest memory */
};

/* One resource's counters, as the tests and tools read them. */
struct vacct_usage {
	uint64_t in_use;
	uint64_t reserved;   /* guest: its guarantee; host: the sum of guarantees */
	uint64_t cap;        /* guest: the most it may hold now; host: the pool */
	uint64_t high_water; /* the most ever in use */
};

/* An amount of every resource (what one object costs). */
struct vacct_bill {
	uint64_t amount[VACCT_COUNT];
};

struct vacct_host {
	struct vacct_limits limits;
	uint64_t reserved[VACCT_COUNT];   /* sum of attached guests' guarantees */
	uint64_t committed[VACCT_COUNT];  /* sum of max(in use, guarantee) */
	uint64_t in_use[VACCT_COUNT];     /* sum of guests' in use */
	uint64_t high_water[VACCT_COUNT];
};

struct vacct_guest {
	int attached;
	uint64_t guarantee[VACCT_COUNT];
	uint64_t own_cap[VACCT_COUNT];    /* caps of the guest's own (its memory) */
	uint64_t in_use[VACCT_COUNT];
	uint64_t high_water[VACCT_COUNT];
};

void vacct_default_limits(struct vacct_limits *limits);

/* 0, or EINVAL with `why` filled: a guarantee above its pool, a share over
 * 100 %, no mappings allowed. */
int vacct_check_limits(const struct vacct_limits *limits, char *why, size_t why_bytes);

void vacct_host_init(struct vacct_host *host, const struct vacct_limits *limits);

/* Reserve the guarantees of a guest with `memory_pages` pages of memory.
 * 0, or ENOSPC with `why` naming the resource the host cannot guarantee. */
int vacct_attach(struct vacct_host *host, struct vacct_guest *guest, uint64_t memory_pages,
		 char *why, size_t why_bytes);
/* Give back the guarantees; the guest must hold nothing (asserted). */
void vacct_detach(struct vacct_host *host, struct vacct_guest *guest);

/* Take a whole bill, or nothing: 0, or ENOMEM. */
int vacct_charge(struct vacct_host *host, struct vacct_guest *guest, const struct vacct_bill *bill);
/* Return a bill charged before. */
void vacct_release(struct vacct_host *host, struct vacct_guest *guest, const struct vacct_bill *bill);

/* OUT: usage[VACCT_COUNT], of one guest or of the host. */
void vacct_guest_usage(const struct vacct_host *host, const struct vacct_guest *guest,
		       struct vacct_usage *usage);
void vacct_host_usage(const struct vacct_host *host, struct vacct_usage *usage);

#endif
