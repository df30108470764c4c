/*
 * vrdma/hca/verbs/verbs.h -- the verbs HCA driver's private structures,
 * shared by its files (verbs.c instance, queries and events; mr.c PDs and
 * regions; cq.c completion queues; qp.c queue pairs and posting).  The
 * backend sees only struct vhca_ops.
 *
 * The driver translates the device layer onto the host's libibverbs, as the
 * 2012 design's backend translated guest verbs onto the hypervisor's OFED:
 * every vhca object is one object of the real device.
 *
 * Numbering (hca.h lets the driver choose):
 *   PDN, CQN  table slot + 1;
 *   lkey      (slot + 1) << 8 | generation: the driver's own, checked and
 *             replaced by the real lkey in every SGE before posting;
 *   rkey      the real MR's rkey: the peer hands it to its own device;
 *   QPN       the real QPN: the peer puts it in dest_qp_num.
 * Addresses: regions are registered with ibv_reg_mr_iova at the guest's
 * iova, so the guest's addresses are the device's, locally and remotely,
 * and no SGE or remote address is rewritten.
 *
 * Threading: one thread (the backend's), no locks, as hca.h requires.
 */
#ifndef VRDMA_HCA_VERBS_H
#define VRDMA_HCA_VERBS_H

#include <stddef.h>
#include <stdint.h>
#include <infiniband/verbs.h>

#include "vrdma/hca/hca.h"

/* Table sizes: the backend's defaults (64 guests x 1024 MRs, CQs, QPs;
 * 64 x 64 PDs) fit.  A key's slot field is 16 bits plus 8 of generation. */
#define VERBS_MAX_PD 4096u
#define VERBS_MAX_MR 65536u
#define VERBS_MAX_CQ 65536u
#define VERBS_MAX_QP 65536u
#define VERBS_QPN_TABLE (2u * VERBS_MAX_QP)   /* open addressing, at most half full */
#define VERBS_MAX_SGE 32u                     /* per work request, the soft HCA's limit */
#define VERBS_MAX_REGION_PAGES (1u << 28)     /* 1 TiB of 4 KiB pages: size_t never wraps */
#define VERBS_POISON_SLOTS 16u                /* refused WRs awaiting their completion, per queue */
#define VERBS_KEY_GEN_BITS 8u

_Static_assert((VERBS_QPN_TABLE & (VERBS_QPN_TABLE - 1)) == 0, "QPN table size is a power of two");
_Static_assert(VERBS_MAX_MR << VERBS_KEY_GEN_BITS != 0, "lkey holds slot and generation");

struct verbs_pd {
	struct ibv_pd *pd;      /* NULL: slot free */
	uint32_t refs;          /* MRs and QPs on it: dealloc refuses while > 0 */
};

struct verbs_mr {
	struct ibv_mr *mr;      /* NULL: slot free */
	uint32_t lkey;          /* ours (see above) */
	uint32_t pdn;
	int access;             /* IBV_ACCESS_* as registered */
	uint64_t iova;          /* the guest's address of the first byte */
	uint64_t length_bytes;
	void *map;              /* our contiguous mapping of the guest's pages */
	size_t map_bytes;
};

struct verbs_cq {
	struct ibv_cq *cq;      /* NULL: slot free; cq->cq_context points here */
	uint32_t cqn;
	uint32_t refs;          /* QPs using it: destroy refuses while > 0 */
	vhca_cq_event_fn on_completion;
	void *ctx;
};

/* Work requests the driver refused (an SGE outside its region) but posted
 * empty to the QP, moved to ERROR, so that their completion comes back in
 * order with the others; poll_cq rewrites it to IBV_WC_LOC_PROT_ERR. */
struct verbs_poison {
	uint64_t wr_id[VERBS_POISON_SLOTS];
	enum ibv_wc_opcode opcode[VERBS_POISON_SLOTS];
	uint32_t head, count;
};

struct verbs_qp {
	struct ibv_qp *qp;
	uint32_t qpn;           /* the real QPN */
	uint32_t pdn, send_cqn, recv_cqn;
	uint8_t port_num;       /* from INIT, for an AV that names no port */
	uint16_t trace_guest;
	struct verbs_poison send_poison, recv_poison;
};

struct verbs_qpn_entry {
	uint32_t qpn;
	struct verbs_qp *qp;    /* NULL: never used; VERBS_TOMBSTONE: removed */
};

struct verbs_hca {
	struct vhca base;
	struct ibv_context *ctx;
	struct ibv_comp_channel *channel; /* every CQ's events, fd non-blocking */
	int epoll_fd;           /* event_fd(): the channel's fd and the async fd */
	int link_ethernet;      /* port 1 is RoCE: address vectors need a GRH */
	struct verbs_pd *pds;
	struct verbs_mr *mrs;
	uint8_t *mr_gen;        /* per MR slot, so a stale lkey does not match */
	struct verbs_cq *cqs;
	struct verbs_qpn_entry *qpn_table;
	uint32_t qp_count;
};

static inline struct verbs_hca *verbs_hca(struct vhca *h) { return (struct verbs_hca *)h; }

/* An ibv_* call's failure as a positive errno (they disagree on how). */
int verbs_errno(int rc);
void verbs_trace(struct verbs_hca *hca, enum vtrace_kind kind, enum vtrace_actor actor,
		 uint16_t guest, uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1,
		 uint32_t arg2, uint16_t flags, uint64_t start_ns);

/* mr.c */
struct verbs_pd *verbs_pd_get(struct verbs_hca *hca, uint32_t pdn);
struct verbs_mr *verbs_mr_get(struct verbs_hca *hca, uint32_t lkey);
int verbs_alloc_pd(struct vhca *hca, uint32_t *pdn);
int verbs_dealloc_pd(struct vhca *hca, uint32_t pdn);
int verbs_reg_mr(struct vhca *hca, uint32_t pdn, const struct vhca_mem *mem, int access,
		 uint32_t *lkey, uint32_t *rkey);
int verbs_dereg_mr(struct vhca *hca, uint32_t lkey);
void verbs_mr_release_all(struct verbs_hca *hca);

/* cq.c */
struct verbs_cq *verbs_cq_get(struct verbs_hca *hca, uint32_t cqn);
int verbs_create_cq(struct vhca *hca, int cqe, vhca_cq_event_fn fn, void *ctx, uint32_t *cqn);
int verbs_destroy_cq(struct vhca *hca, uint32_t cqn);
int verbs_poll_cq(struct vhca *hca, uint32_t cqn, int max, struct ibv_wc *wc);
/* Take every pending CQ event: ack, re-arm, call the CQ's callback. */
void verbs_cq_events(struct verbs_hca *hca);

/* qp.c */
struct verbs_qp *verbs_qp_find(struct verbs_hca *hca, uint32_t qpn);
int verbs_create_qp(struct vhca *hca, const struct vhca_qp_init *init, uint32_t *qpn);
int verbs_modify_qp(struct vhca *hca, uint32_t qpn, const struct ibv_qp_attr *attr, int attr_mask);
int verbs_query_qp(struct vhca *hca, uint32_t qpn, struct ibv_qp_attr *attr);
int verbs_destroy_qp(struct vhca *hca, uint32_t qpn);
int verbs_post_send(struct vhca *hca, uint32_t qpn, const struct ibv_send_wr *wr);
int verbs_post_recv(struct vhca *hca, uint32_t qpn, const struct ibv_recv_wr *wr);
/* A completion of a refused WR gets its true status back (see verbs_poison). */
void verbs_qp_unpoison(struct verbs_hca *hca, struct ibv_wc *wc);
void verbs_qp_destroy_all(struct verbs_hca *hca);

#endif
