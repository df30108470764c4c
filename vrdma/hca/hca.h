/*
 * vrdma/hca/hca.h -- the RDMA device layer: the one interface through which a
 * vRDMA backend reaches an HCA ("an RDMA device layer for hardware drivers to
 * plug into", in the 2012 design).  A driver fills a struct vhca_ops; the
 * backend never looks behind it.  Two drivers exist:
 *   hca/soft/   a software HCA shaped like Linux's rxe (RoCEv2-style packets
 *               over UDP on loopback, or a direct copy between QPs of one host);
 *   hca/verbs/  the host's verbs stack through libibverbs (a real HCA or a
 *               kernel SoftRoCE device), where one exists.
 *
 * Types are rdma-core's own (<infiniband/verbs.h>), used as plain data.
 * Objects are named by 32-bit numbers the driver chooses (PDN, CQN, QPN,
 * lkey, rkey).  Memory is handed over page by page: the backend has already
 * translated the guest's page directory, so the driver sees host pointers.
 *
 * Threading: a driver instance is used from one thread (the backend's).  It
 * exposes a file descriptor that becomes readable when it has work (packets,
 * timers); the backend waits on it and calls process(), which runs the
 * requester, responder and completer and reports new completions through the
 * CQ callback.
 *
 * Errors: functions return 0 or a positive errno value.  Work-request errors
 * that verbs reports through completions (bad lkey, remote access error, RNR
 * retries exceeded, flushes) are completions, not return values.
 */
#ifndef VRDMA_HCA_H
#define VRDMA_HCA_H

#include <stdint.h>
#include <infiniband/verbs.h>

#include "vrdma/trace/trace.h"

#define VHCA_PAGE_BYTES 4096u

/* A registered region's memory: page_count pages of VHCA_PAGE_BYTES, the
 * first byte of the region at pages[0] + first_page_offset.  iova is the
 * address work requests use for that first byte.  `pages` and
 * `page_offsets` belong to the caller and stay valid until dereg_mr.
 * page_offsets[i] is page i's offset in `fd` (the guest memory file), for
 * drivers that must map the region contiguously; fd may be -1. */
struct vhca_mem {
	uint64_t iova;
	uint64_t length_bytes;
	uint32_t first_page_offset;
	uint32_t page_count;
	uint8_t *const *pages;
	const uint64_t *page_offsets;
	int fd;
};

/* Called (from process() or post_*) when a CQ gains completions. */
typedef void (*vhca_cq_event_fn)(void *ctx, uint32_t cqn);
/* Called when an object fails asynchronously (QP to ERROR, CQ overrun). */
typedef void (*vhca_async_event_fn)(void *ctx, enum ibv_event_type type, uint32_t object);
/* Called when a QP's send work stopped at the copy budget (struct vhca). */
typedef void (*vhca_paused_fn)(void *ctx, uint32_t qpn);

struct vhca_qp_init {
	uint32_t pdn;
	uint32_t send_cqn;
	uint32_t recv_cqn;
	struct ibv_qp_cap cap;  /* max_send_wr, max_recv_wr, max_send_sge, max_recv_sge, max_inline_data */
	int sq_sig_all;
	uint16_t trace_guest;   /* recorded in trace events of this QP */
};

struct vhca;

/* Live migration (docs/migration.md).  A QP's transport state as a driver
 * saves it and another instance of the driver restores it: its connection
 * attributes, where its requester resends from, its responder's place in
 * the peer's stream, and the work requests it holds, unretired. */
#define VHCA_SAVE_MAX_SGE 32u
#define VHCA_SAVE_MAX_INLINE 512u
struct vhca_saved_send {
	uint64_t wr_id, remote_addr;
	uint32_t opcode, send_flags, imm_data, rkey, num_sge, inline_bytes;
	struct ibv_sge sge[VHCA_SAVE_MAX_SGE];
	uint8_t inline_data[VHCA_SAVE_MAX_INLINE];
};
struct vhca_saved_recv {
	uint64_t wr_id;
	uint32_t num_sge;
	struct ibv_sge sge[VHCA_SAVE_MAX_SGE];
};
struct vhca_qp_image {
	/* attributes (ibv_qp_attr's, as modify_qp took them) */
	uint32_t state, access_flags, port_num, pkey_index, dlid, dest_qpn, path_mtu;
	uint32_t timeout, retry_cnt, rnr_retry, min_rnr_timer, max_rd_atomic, max_dest_rd_atomic;
	/* requester: the PSN of the oldest unretired send (it resends from there) */
	uint32_t sq_psn;
	/* responder: expected PSN, messages done, the message in progress */
	uint32_t rq_psn, msn, in_message, last_opcode, have_recv, recv_offset;
	uint64_t write_va;
	uint32_t write_rkey, write_left, write_total;
	/* a location the peer may still hold: the old one of a new-location
	 * message it had not answered when the QP was saved (prior_lid 0: none;
	 * a move soon after a move, or a resume after a refused move) */
	uint32_t prior_lid, prior_qpn;
	/* unretired work requests, oldest first; the caller gives arrays of the
	 * QP's depth (capacity) */
	uint32_t send_count, recv_count;
	struct vhca_saved_send *sends;
	struct vhca_saved_recv *recvs;
};

struct vhca_ops {
	const char *name;
	void (*destroy)(struct vhca *hca);
	int (*query_device)(struct vhca *hca, struct ibv_device_attr *attr);
	int (*query_port)(struct vhca *hca, uint8_t port_num, struct ibv_port_attr *attr);
	/* GID `index` of the port; EINVAL for an index the port does not have. */
	int (*query_gid)(struct vhca *hca, uint8_t port_num, int index, union ibv_gid *gid);
	int (*alloc_pd)(struct vhca *hca, uint32_t *pdn);
	int (*dealloc_pd)(struct vhca *hca, uint32_t pdn);           /* EBUSY while in use */
	int (*reg_mr)(struct vhca *hca, uint32_t pdn, const struct vhca_mem *mem, int access,
		      uint32_t *lkey, uint32_t *rkey);
	int (*dereg_mr)(struct vhca *hca, uint32_t lkey);
	int (*create_cq)(struct vhca *hca, int cqe, vhca_cq_event_fn on_completion, void *ctx,
			 uint32_t *cqn);
	int (*destroy_cq)(struct vhca *hca, uint32_t cqn);            /* EBUSY while QPs use it */
	/* Take up to `max` completions, oldest first; returns how many (>= 0),
	 * or -errno.  wc->qp_num is the QPN. */
	int (*poll_cq)(struct vhca *hca, uint32_t cqn, int max, struct ibv_wc *wc);
	int (*create_qp)(struct vhca *hca, const struct vhca_qp_init *init, uint32_t *qpn);
	/* RC only.  ah_attr.dlid names the peer HCA (the soft HCA: its UDP port
	 * on 127.0.0.1; its own LID means the same-host copy path). */
	int (*modify_qp)(struct vhca *hca, uint32_t qpn, const struct ibv_qp_attr *attr,
			 int attr_mask);
	int (*query_qp)(struct vhca *hca, uint32_t qpn, struct ibv_qp_attr *attr);
	int (*destroy_qp)(struct vhca *hca, uint32_t qpn);
	/* One work request (wr->next is ignored).  sg_list addresses are iovas
	 * of registered regions, except with IBV_SEND_INLINE, where they are host
	 * pointers read before the call returns.  wr_id is echoed in the
	 * completion and used as the trace op id.  ENOMEM: queue full, retry
	 * after a completion.  EINVAL: the QP's state refuses posting. */
	int (*post_send)(struct vhca *hca, uint32_t qpn, const struct ibv_send_wr *wr);
	int (*post_recv)(struct vhca *hca, uint32_t qpn, const struct ibv_recv_wr *wr);
	int (*event_fd)(struct vhca *hca);
	void (*process)(struct vhca *hca);
	/* Continue a QP's send work that stopped at the copy budget (see
	 * struct vhca); NULL for a driver that never stops there. */
	void (*resume_send)(struct vhca *hca, uint32_t qpn);
	/* Live migration; NULL for a driver that cannot (docs/migration.md).
	 * save_qp: OUT *image (sends/recvs of `capacity` entries each); the QP
	 * is left as it was.  ENOTSUP for a QP on the same-host path.
	 * restore_qp: a QP just created with the saved QP's init takes the
	 * image and goes on; it tells its peer the new location (OLD_LID,
	 * OLD_QPN -> this HCA's LID and QPN; and the image's prior location ->
	 * the same, when it has one) until the peer answers either.
	 * reg_mr_key: reg_mr with the keys KEY (lkey == rkey), EEXIST when
	 * this HCA cannot give that key. */
	int (*save_qp)(struct vhca *hca, uint32_t qpn, uint32_t capacity, struct vhca_qp_image *image);
	int (*restore_qp)(struct vhca *hca, uint32_t qpn, const struct vhca_qp_image *image,
			  uint16_t old_lid, uint32_t old_qpn);
	int (*reg_mr_key)(struct vhca *hca, uint32_t pdn, const struct vhca_mem *mem, int access,
			  uint32_t key);
	/* 1 when every restored QP's peer has answered the new location, and
	 * *last_ns (CLOCK_MONOTONIC) when the last answer came */
	int (*reconnected)(struct vhca *hca, uint64_t *last_ns);
};

/* Path MTUs as verbs names them, and in bytes (0 for no valid MTU). */
static inline enum ibv_mtu vhca_mtu_enum(uint32_t bytes)
{
	return bytes <= 256 ? IBV_MTU_256 : bytes <= 512 ? IBV_MTU_512 : bytes <= 1024 ? IBV_MTU_1024
	       : bytes <= 2048 ? IBV_MTU_2048 : IBV_MTU_4096;
}

static inline uint32_t vhca_mtu_bytes(enum ibv_mtu mtu)
{
	return mtu >= IBV_MTU_256 && mtu <= IBV_MTU_4096 ? 128u << mtu : 0;
}

/* Every driver's instance starts with this. */
struct vhca {
	const struct vhca_ops *ops;
	vhca_async_event_fn on_async;
	void *async_ctx;
	struct vtrace *trace;
	uint8_t trace_host;
	int gid_index;          /* the GID peers should address (RoCE); 0 otherwise */
	/* Payload a driver copies on the host's CPU (the soft HCA's same-host
	 * path) is budgeted, so that one work request cannot hold the
	 * backend's thread: the driver copies at most copy_budget_bytes
	 * (counting it down), stops the rest of the work request where it is,
	 * calls on_paused(async_ctx, qpn), and goes on at resume_send.  The
	 * driver starts with no limit (UINT64_MAX). */
	uint64_t copy_budget_bytes;
	uint64_t copied_bytes;  /* copied so far: the backend's fairness counters */
	vhca_paused_fn on_paused; /* NULL: nobody to tell (the budget is then no limit) */
};

/* The software HCA (hca/soft).  Its retransmit timeout is no setting of
 * the HCA: each QP waits its own Local ACK Timeout (the timeout attribute,
 * 4.096 us x 2^timeout), as the IBA and rxe have it. */
struct vhca_soft_config {
	uint16_t udp_port;            /* 0: any free port; query_port's lid reports it */
	uint32_t mtu_bytes;           /* 256, 512, 1024, 2048 or 4096 */
	double loss_probability;      /* packets dropped on send, for tests (0..1) */
	uint64_t loss_seed;
	uint32_t rnr_timer_us;          /* wait before resending after an RNR NAK */
	uint32_t max_outstanding_packets; /* requester window */
};

/* Counters of one software HCA, for tests and tools. */
struct vhca_soft_stats {
	uint64_t packets_sent;        /* handed to the socket, retransmissions included */
	uint64_t packets_received;    /* accepted by the decoder */
	uint64_t packets_rejected;    /* malformed, or for no QP / a QP not expecting them */
	uint64_t packets_dropped;     /* injected loss */
	uint64_t send_failures;       /* the socket refused a packet (buffer full): lost */
	uint64_t retransmits;         /* go-back-N rewinds (timeout, NAK sequence, RNR) */
	uint64_t timeouts;            /* retransmit timer expiries */
	uint64_t rnr_naks;            /* RNR NAKs received (or local RNR waits) */
};

/* A trace event of a driver (NULL trace: nothing).  START_NS: when the work
 * began (the event is emitted when it ends, as trace.h asks), or 0 for an
 * instant. */
void vhca_trace(struct vhca *hca, enum vtrace_kind kind, enum vtrace_actor actor, uint16_t guest,
		uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1, uint32_t arg2, uint16_t flags,
		uint64_t start_ns);

void vhca_soft_default_config(struct vhca_soft_config *config);
/* OUT: *stats; zeros when `hca` is not a software HCA. */
void vhca_soft_get_stats(struct vhca *hca, struct vhca_soft_stats *stats);
/* Returns 0 and *out, or an errno with err filled. */
int vhca_soft_create(const struct vhca_soft_config *config, struct vtrace *trace, uint8_t trace_host,
		     struct vhca **out, char *err, size_t err_bytes);

/* The host's verbs stack (hca/verbs): opens RDMA device `device_name`
 * (ibv_get_device_list names, e.g. "rxe0" or "mlx5_0") and drives port 1.
 * gid_index (0..255) is the GID peers address, struct vhca.gid_index; on
 * RoCE it must name a configured GID (rxe: 1 is the IPv4 RoCEv2 one).
 * Guest regions are mapped from vhca_mem.fd, which must be a real file
 * (fd >= 0).  Returns 0 and *out, or an errno with err filled (ENODEV: no
 * such device, the message lists those found). */
int vhca_verbs_create(const char *device_name, int gid_index, struct vtrace *trace,
		      uint8_t trace_host, struct vhca **out, char *err, size_t err_bytes);

#endif
