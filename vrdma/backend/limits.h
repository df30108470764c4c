/*
 * vrdma/backend/limits.h -- every default limit of the backend's resource
 * accounting (account.h), each with the reason for its value.
 *
 * These are defaults: struct vbackend_config.limits carries the values a
 * backend uses, and a user may change them per backend.  The object pools
 * (PD, MR, CQ, QP) are further clamped to what the HCA itself holds
 * (ibv_device_attr), since the backend cannot promise more than its HCA.
 */
#ifndef VRDMA_BACKEND_LIMITS_H
#define VRDMA_BACKEND_LIMITS_H

/* Guests one backend serves at most (handles the device table). */
#define VBACKEND_MAX_GUESTS 64u

/* ---- host pools: how much of each resource all guests of a host hold ---- */

/* The software HCA's object tables hold 4096 of each (SOFT_MAX_*); the
 * backend's own tables are per guest, so the HCA's is the host bound. */
#define VB_LIMIT_HOST_PD 4096u
#define VB_LIMIT_HOST_MR 4096u
#define VB_LIMIT_HOST_CQ 4096u
#define VB_LIMIT_HOST_QP 4096u
/* The soft HCA keeps one struct ibv_wc (48 B) per CQE of every CQ: 4 Mi
 * CQEs bound that at 192 MiB of host memory. */
#define VB_LIMIT_HOST_CQE (1u << 22)
/* A WQE slot costs the backend 16 B (its in-flight table) and the soft HCA
 * at most about 600 B (the WR, 12 SGEs, 192 B inline): 1 Mi WQEs bound both
 * at about 600 MiB. */
#define VB_LIMIT_HOST_WQE (1u << 20)
/* Every page a guest object maps (region pages, ring pages, the page
 * directory's own pages) costs the backend 16 B (its GPA and its host
 * pointer): 16 Mi mappings, 64 GiB of guest memory mapped at once, bound
 * that at 256 MiB. */
#define VB_LIMIT_HOST_PAGE (1u << 24)

/* ---- per guest ---- */

/* Each guest is guaranteed 1/128 of every pool, reserved when it attaches:
 * all VBACKEND_MAX_GUESTS guests fit with half of every pool left to
 * share.  (32 MRs, 32 QPs, 32 Ki CQEs, 8 Ki WQEs -- one QP 4096 deep both
 * ways -- and 512 MiB of mapped memory.) */
#define VB_LIMIT_GUARANTEE_DIVISOR (2u * VBACKEND_MAX_GUESTS)

/* Beyond its guarantee a guest may hold at most this share of the
 * unreserved pool (what is left after every attached guest's guarantee).
 * A fixed fraction rather than "the pool over the attached guests": a
 * guest's cap does not halve when another guest attaches, so an
 * application sized at start keeps working, and since guarantees are held
 * back from what others may take, no share policy can starve anyone below
 * its guarantee.  25 %: at least four guests must be at their cap to use
 * up the shared pool. */
#define VB_LIMIT_SHARE_PERCENT 25u

/* A guest may map each page of its memory this many times over (a page can
 * be in a ring and in several regions; aliases cost the same as distinct
 * pages).  So what the backend holds for a guest's mappings is bounded by
 * its own memory: 4 x 16 B per 4 KiB page, 1/64 of it. */
#define VB_LIMIT_MAPPINGS_PER_GUEST_PAGE 4u

#endif
