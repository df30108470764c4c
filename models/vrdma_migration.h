/*
 * vrdma_migration.h - what a paravirtual RDMA device adds to a live
 * migration of its VM: the steps of the stop-and-copy that its QPs, CQs,
 * MRs and PDs need, the VM's added downtime and the pause its peers see.
 *
 * Contract (docs/architecture.md, "Migrating a vRDMA VM"):
 * - The VM has Q QPs (RC, each connected to a QP on one of P peer hosts,
 *   spread round robin, so the busiest peer host holds ceil(Q/P)), C CQs,
 *   D PDs and R memory regions holding M registered bytes, M/R each.
 * - The steps, in the order they run inside the stop-and-copy, each on the
 *   critical path of the VM's downtime:
 *   1. quiesce: the source's backend stops fetching WQEs from the guest's
 *      rings.  DRAIN: the requests already handed to the HCA finish: their
 *      bytes leave at the source's link rate and the last one's ACK comes
 *      back a round trip later (nothing in flight: no wait).  RECORD: they are not waited for; their
 *      WQEs travel with the device state and are posted again on the
 *      destination (no wait, more state).
 *   2. device state: the device's fixed state plus each object's record
 *      (vrdma.device_state_bytes, vrdma.{qp,cq,mr,pd}_state_bytes), sent
 *      over the migration link (the slower of the two hosts' wire.bandwidth)
 *      and landing one fabric latency later.  Rings and page directories
 *      are guest memory and travel with it.
 *   3. re-registration on the destination's HCA: per region
 *      mr.register_call plus mr.register_page per 4 KiB of it (the
 *      parameters vMotion's registration uses, models/migrate.h).
 *      AT_SWITCHOVER: all of it in the downtime.  DURING_PRECOPY: the
 *      destination registers as the guest's pages arrive, so only what
 *      outlasts the pre-copy is added: precopy_ns, or with
 *      precopy_first_round the first round's sending of the registered
 *      memory itself (M over the migration link: the VM's memory holds at
 *      least M, so its first round lasts at least that long).
 *   4. objects on the destination: hca.alloc_pd per PD, hca.create_cq per
 *      CQ, then each QP created (hca.create_qp) and taken RESET->INIT->
 *      RTR->RTS (3 x hca.modify_qp), one command at a time: the HCA's
 *      command interface runs them in turn.
 *   The VM resumes after step 4: added downtime = 1 + 2 + 3 + 4.
 * - Peers: the destination's hypervisor then sends each peer host one
 *   message with the new location (the fabric's one-way latency plus the
 *   peer's vrdma.peer_notify), and each peer host re-points its QPs in
 *   parallel with the others, one QP after another: RTS->RESET->INIT->RTR
 *   ->RTS (4 x the peer's hca.modify_qp), since an RC QP's destination QPN
 *   and address vector are attributes of INIT->RTR only (ibv_modify_qp(3),
 *   the required attributes per transition; an alternate path, APM, keeps
 *   the remote QPN, which changes here).  A peer's QP is paused from the
 *   quiesce to the end of its re-pointing: base_downtime_ns (the rest of
 *   the stop-and-copy: memory, other devices) + the added downtime + the
 *   notification + its host's re-pointing; the busiest peer host's is
 *   reported.
 * - Every input is checked by the caller (limits below); every output is
 *   finite for inputs within them and non-negative.
 */
#ifndef MDL_VRDMA_MIGRATION_H
#define MDL_VRDMA_MIGRATION_H

#include "models/params.h"

/* Limits on a migrating VM's device, with their reasons. */
#define MDL_VMIG_OBJECTS_MAX 16777216ULL      /* QPs, CQs, PDs, MRs: a 24-bit number
						* space (QPNs, CQNs, PDNs, key indices) */
#define MDL_VMIG_PEERS_MAX 4096ULL            /* peer hosts: far beyond a rack or a pod */
#define MDL_VMIG_OUTSTANDING_MAX 32768ULL     /* requests in flight per QP: max_qp_wr of
						* current HCAs (ibv_devinfo) */
#define MDL_VMIG_REGISTERED_MAX 70368744177664ULL /* 64 TiB: beyond any host's memory */
#define MDL_VMIG_MESSAGE_MAX 1073741824ULL    /* 1 GiB: the largest message (params.def) */
#define MDL_VMIG_TIME_MAX_NS 3.6e12           /* an hour of pre-copy or downtime */
#define MDL_VMIG_REGISTER_PAGE_BYTES 4096.0   /* mr.register_page's unit (params.def) */

/* An RC QP re-pointed at a new remote QP: RTS->RESET, then RESET->INIT,
 * INIT->RTR (new destination QPN and address), RTR->RTS. */
enum { MDL_VMIG_PEER_MODIFIES = 4 };
/* A QP created on the destination: RESET->INIT->RTR->RTS. */
enum { MDL_VMIG_LOCAL_MODIFIES = 3 };

typedef enum mdl_vmig_quiesce { MDL_VMIG_DRAIN, MDL_VMIG_RECORD, MDL_VMIG_QUIESCE_COUNT } mdl_vmig_quiesce;
extern const char *const mdl_vmig_quiesce_names[MDL_VMIG_QUIESCE_COUNT + 1];

typedef enum mdl_vmig_registration {
	MDL_VMIG_AT_SWITCHOVER,
	MDL_VMIG_DURING_PRECOPY,
	MDL_VMIG_REGISTRATION_COUNT
} mdl_vmig_registration;
extern const char *const mdl_vmig_registration_names[MDL_VMIG_REGISTRATION_COUNT + 1];

/* The migrating VM's vRDMA device and how it is migrated. */
typedef struct mdl_vmig_device {
	unsigned long long qps;              /* Q: RC QPs, each connected to a peer */
	unsigned long long cqs;              /* C */
	unsigned long long pds;              /* D */
	unsigned long long regions;          /* R: memory regions (MRs), at least 1 when
					      * registered_bytes > 0 */
	unsigned long long registered_bytes; /* M, split evenly over the regions */
	unsigned long long peers;            /* P: peer hosts, at least 1 when qps > 0 */
	unsigned long long outstanding;      /* requests in flight per QP at the quiesce */
	unsigned long long outstanding_bytes;/* the size of each */
	mdl_vmig_quiesce quiesce;
	mdl_vmig_registration registration;
	double precopy_ns;                   /* the pre-copy that registration may overlap */
	int precopy_first_round;             /* 1: that pre-copy is M over the migration link */
	double base_downtime_ns;             /* the stop-and-copy without the device */
} mdl_vmig_device;

/* What the device adds, step by step (ns, bytes). */
typedef struct mdl_vmig_result {
	double quiesce_ns;          /* 1: drain the requests in flight (0 when recorded) */
	double state_bytes;         /* 2: the device state sent */
	double transfer_ns;         /* 2: its time on the migration link, latency included */
	double register_ns;         /* 3: the registration work on the destination */
	double register_added_ns;   /* 3: the part of it in the downtime */
	double objects_ns;          /* 4: PDs and CQs created */
	double qp_restore_ns;       /* 4: QPs created and taken to RTS */
	double added_downtime_ns;   /* 1 + 2 + 3 + 4 */
	double notify_ns;           /* the new location reaching a peer host */
	double repoint_ns;          /* the busiest peer host re-pointing its QPs */
	unsigned long long peer_qps_max; /* that host's QPs: ceil(Q/P), 0 without QPs */
	double peer_pause_ns;       /* base + added downtime + notify + repoint (0 without QPs) */
} mdl_vmig_result;

/* The fabric's one-way latency between two hosts of parameters A and B:
 * their cables, the switch (none back to back) and an HCA pipeline at each
 * end. */
double mdl_vmig_one_way_ns(const mdl_params *a, const mdl_params *b);

/* The device state of DEV in bytes on a source of parameters SRC. */
double mdl_vmig_state_bytes(const mdl_vmig_device *dev, const mdl_params *src);

/* The pre-copy registration of DEV may overlap, from SRC to DST. */
double mdl_vmig_precopy_ns(const mdl_vmig_device *dev, const mdl_params *src, const mdl_params *dst);

/* The registration work of DEV on a destination of parameters DST. */
double mdl_vmig_register_ns(const mdl_vmig_device *dev, const mdl_params *dst);

/* DEV migrating from SRC to DST, whose peers run PEER's parameters (the
 * busiest peer host's; NULL when DEV has no QPs).  OUT gets every step. */
void mdl_vmig_compute(const mdl_vmig_device *dev, const mdl_params *src, const mdl_params *dst,
		      const mdl_params *peer, mdl_vmig_result *out);

#endif
