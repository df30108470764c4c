/*
 * vrdma/hca/soft/soft.h -- the software HCA's private structures, shared by
 * its pipeline files (soft.c instance and tables, mr.c regions and DMA,
 * cq.c, qp.c, req.c requester, resp.c responder, comp.c completer, net.c
 * UDP and timers, local.c same-host path).  Nothing here is seen by the
 * backend, which only knows struct vhca_ops.
 *
 * Shape (as rxe): a QP has a requester that walks its send queue and turns
 * WQEs into packets, a responder that executes incoming requests against
 * registered memory and answers with ACKs or read responses, and a
 * completer that consumes those answers and retires send WQEs in order.
 * All run on the instance's one thread, inline from post_send() and
 * process(); there is no internal locking.
 *
 * Invariants of a QP's send queue (indices are free-running uint32_t, the
 * slot is index % sq_size):
 *   sq_head <= req.index <= sq_tail
 *   [sq_head, req.index)   sent at least once (PSNs assigned), not retired
 *   [req.index, sq_tail)   not sent yet, except after a go-back-N rewind,
 *                          when req.index points at a WQE that has PSNs
 *   comp.psn               oldest PSN not yet acknowledged or answered
 *   req.psn                next PSN the requester sends
 * so the packets in flight are PSNs [comp.psn, req.psn), and an answer
 * for a PSN outside them is not taken (comp.c): it would move comp.psn
 * past req.psn.
 */
#ifndef VRDMA_HCA_SOFT_H
#define VRDMA_HCA_SOFT_H

#include <stddef.h>
#include <stdint.h>
#include <infiniband/verbs.h>

#include "vrdma/hca/hca.h"
#include "vrdma/hca/soft/packet.h"

/* Limits, reported by query_device.  Tables are arrays indexed by the low
 * bits of an object's number, so each must fit its index field. */
#define SOFT_MAX_PD 4096u
#define SOFT_MAX_MR 4096u
#define SOFT_MAX_CQ 4096u
#define SOFT_MAX_QP 4096u         /* QPN = generation << 12 | slot */
#define SOFT_QP_SLOT_BITS 12u
#define SOFT_MAX_QP_WR 16384u     /* per queue */
#define SOFT_MAX_CQE 65536u
#define SOFT_MAX_SGE 32u
#define SOFT_MAX_INLINE 512u
#define SOFT_MAX_RD_ATOMIC 16u
#define SOFT_MAX_MSG_BYTES 0x80000000u  /* 2 GiB: the IB message limit */
#define SOFT_MAX_REGION_PAGES (1u << 28)  /* 1 TiB of 4 KiB pages */
#define SOFT_RX_BATCH 4096u       /* packets drained per process() call */
#define SOFT_RX_MMSG 32u          /* packets taken per recvmmsg */
#define SOFT_TX_MMSG 64u          /* packets queued before a sendmmsg: 16 x a 64 KiB message at
				   * 4 KiB MTU would do; 64 lets a batch of WQEs go in one call */
#define SOFT_SOCKET_BUFFER_BYTES (8u << 20)

_Static_assert(SOFT_MAX_QP == 1u << SOFT_QP_SLOT_BITS, "QP slot field holds the table index");

/* The IBA's Local ACK Timeout is 4.096 us x 2^timeout, timeout being the
 * QP attribute (5 bits: at most 2^31 units, about 2.4 hours); timeout 0
 * means infinite, no retransmit timer (ibv_modify_qp(3); rxe_qp.c alike). */
#define SOFT_ACK_TIMEOUT_UNIT_NS 4096u
#define SOFT_MAX_ACK_TIMEOUT 31u
_Static_assert(((uint64_t)SOFT_ACK_TIMEOUT_UNIT_NS << SOFT_MAX_ACK_TIMEOUT) < UINT64_MAX / 2,
	       "a deadline of now + the longest timeout fits in 64-bit nanoseconds");

#define SOFT_PSN_MASK 0xffffffu
static inline uint32_t soft_psn_add(uint32_t psn, uint32_t n) { return (psn + n) & SOFT_PSN_MASK; }
/* a - b in 24-bit serial arithmetic: negative when a is before b. */
static inline int32_t soft_psn_diff(uint32_t a, uint32_t b)
{
	return (int32_t)((a - b) << 8) >> 8;
}

struct soft_hca;

/* ---- protection domains and memory regions (mr.c) ---- */

struct soft_pd {
	int used;
	uint32_t refs;          /* MRs and QPs on this PD: dealloc refuses while > 0 */
};

struct soft_mr {
	uint32_t key;           /* lkey == rkey; 0 when the slot is free */
	uint32_t pdn;
	int access;             /* IBV_ACCESS_* */
	uint64_t iova;
	uint64_t length_bytes;
	uint32_t first_page_offset;
	uint32_t page_count;
	uint8_t *const *pages;  /* the caller's, valid until dereg */
};

/* A list of buffers the DMA engine walks: SGEs naming registered regions
 * by key, or (send side, IBV_SEND_INLINE) the bytes themselves. */
struct soft_sgl {
	const struct ibv_sge *sge;
	uint32_t num_sge;
	uint32_t pdn;           /* every region must belong to this PD */
	int access;             /* access every region must grant, 0 for local read */
	const uint8_t *inline_data;
	uint32_t inline_bytes;
};

/* A position in a soft_sgl, advanced span by span. */
struct soft_dma {
	struct soft_hca *hca;
	const struct soft_sgl *sgl;
	uint32_t index;         /* current SGE */
	uint64_t offset;        /* bytes into that SGE */
	uint32_t pages;         /* spans handed out: pages touched, for TRANSLATE */
	int failed;             /* a key vanished or a bound broke mid-walk */
};

/* ---- completion queues (cq.c) ---- */

struct soft_cq {
	uint32_t cqn;           /* 0 when free */
	struct ibv_wc *ring;
	uint32_t size;
	uint32_t head;          /* oldest completion */
	uint32_t count;
	uint32_t refs;          /* QPs using it: destroy refuses while > 0 */
	vhca_cq_event_fn on_completion;
	void *ctx;
};

/* ---- queue pairs (qp.c) ---- */

struct soft_send_wqe {
	uint64_t wr_id;
	enum ibv_wr_opcode opcode;
	unsigned int send_flags;
	uint32_t imm_data;      /* as posted (network order) */
	uint64_t remote_addr;
	uint32_t rkey;
	uint32_t num_sge;
	uint32_t length_bytes;  /* message size */
	uint32_t inline_bytes;  /* > 0 (or flag) when data is in the inline slot */
	int has_psn;            /* first_psn/npackets assigned (sent at least once) */
	uint32_t first_psn;
	uint32_t npackets;      /* request packets, or response packets for a READ */
	int signaled;
};

struct soft_recv_wqe {
	uint64_t wr_id;
	uint32_t num_sge;
};

struct soft_req {
	uint32_t index;         /* next WQE to send (see the invariants above) */
	uint32_t psn;           /* next PSN to send */
	int busy;               /* running: a re-entrant call only sets `again` */
	int again;
	int rnr_wait;           /* paused until the RNR timer fires */
	uint64_t local_copied_bytes; /* same-host: of the WQE at index, copied before it
				      * stopped at the copy budget (local.c) */
	uint64_t local_copy_start_ns; /* tracing: when its first byte was copied */
	uint32_t local_src_pages, local_dst_pages; /* tracing: pages its copies touched */
};

struct soft_comp {
	uint32_t psn;           /* oldest unanswered PSN */
	uint32_t retry_left;    /* timeouts left without progress */
	uint32_t rnr_left;      /* RNR NAKs left (rnr_retry 7: unlimited) */
	int read_gap;           /* a read-response gap already triggered a rewind */
};

struct soft_resp {
	uint32_t psn;           /* expected PSN */
	uint32_t msn;           /* messages completed, reported in AETH */
	int nak_sent;           /* drop out-of-order packets until psn arrives */
	int in_message;         /* a SEND or WRITE is between FIRST and LAST */
	uint8_t last_opcode;    /* previous in-order request opcode */
	/* the current SEND (or WRITE_WITH_IMM) receive, at rq_head */
	int have_recv;
	uint32_t recv_offset;   /* bytes scattered so far */
	/* the current WRITE */
	uint64_t write_va;
	uint32_t write_rkey;
	uint32_t write_left;    /* bytes the RETH announced and not yet written */
	uint32_t write_total;
};

struct soft_qp {
	uint32_t qpn;           /* 0 when free */
	struct soft_hca *hca;
	enum ibv_qp_state state;
	uint32_t pdn, send_cqn, recv_cqn;
	struct ibv_qp_cap cap;
	int sq_sig_all;
	uint16_t trace_guest;

	/* attributes from modify_qp */
	int access_flags;
	uint16_t pkey_index;
	uint8_t port_num;
	struct ibv_ah_attr ah_attr;
	enum ibv_mtu path_mtu;
	uint32_t mtu_bytes;
	uint32_t dest_qpn;
	uint32_t rq_psn_attr, sq_psn_attr;
	uint8_t max_dest_rd_atomic, min_rnr_timer;
	uint8_t max_rd_atomic, timeout, retry_cnt, rnr_retry;
	int local;              /* peer is on this HCA: local.c, no packets */

	/* send queue: sq_size slots of WQE, SGEs and inline bytes */
	struct soft_send_wqe *sq;
	struct ibv_sge *sq_sge;         /* cap.max_send_sge per slot */
	uint8_t *sq_inline;             /* cap.max_inline_data per slot */
	uint32_t sq_size, sq_head, sq_tail;

	/* receive queue */
	struct soft_recv_wqe *rq;
	struct ibv_sge *rq_sge;         /* cap.max_recv_sge per slot */
	uint32_t rq_size, rq_head, rq_tail;

	struct soft_req req;
	struct soft_comp comp;
	struct soft_resp resp;

	/* timers (net.c): absolute CLOCK_MONOTONIC ns, 0 when not armed */
	uint64_t retx_deadline_ns;
	uint64_t rnr_deadline_ns;
	/* live migration (migrate.c): this QP was restored here and tells its
	 * peer the new location until the peer answers */
	int redirect_pending;
	uint16_t redirect_old_lid;
	uint32_t redirect_old_qpn;
	uint16_t redirect_prior_lid;   /* the image's prior location (hca.h), 0: none */
	uint32_t redirect_prior_qpn;
	uint64_t redirect_deadline_ns;
	uint64_t restored_ns;   /* when it was restored here (the reconnect span's start) */
	struct soft_qp *timer_prev, *timer_next;  /* on hca->timers while armed */
};

/* ---- the instance (soft.c) ---- */

struct soft_hca {
	struct vhca base;       /* first: the backend's struct vhca * */
	struct vhca_soft_config config;
	uint16_t lid;           /* the bound UDP port */
	int sock, timer_fd, epoll_fd;
	uint64_t timer_armed_ns;  /* what timer_fd is set to, 0 = disarmed */
	uint64_t rng;           /* loss injection PRNG state */
	struct soft_qp *timers; /* QPs with an armed deadline */
	uint32_t timer_due[SOFT_MAX_QP];  /* soft_timers_run's scratch: QPNs due */
	struct vhca_soft_stats stats;
	uint64_t redirect_answered_ns; /* migrate.c: when a peer last answered a new location */

	struct soft_pd pds[SOFT_MAX_PD];
	struct soft_mr mrs[SOFT_MAX_MR];
	uint8_t mr_gen[SOFT_MAX_MR];
	struct soft_cq cqs[SOFT_MAX_CQ];
	struct soft_qp *qps[SOFT_MAX_QP];
	uint16_t qp_gen[SOFT_MAX_QP];

	/* Packets are built in place in a queue of SOFT_TX_MMSG buffers and
	 * leave in one sendmmsg (net.c): tx is the next free buffer, where the
	 * pipeline encodes the packet that soft_net_send then queues.  The
	 * queue is flushed when full and before every entry point returns. */
	uint8_t *tx;
	uint32_t tx_count;
	uint16_t tx_port[SOFT_TX_MMSG];
	uint32_t tx_bytes[SOFT_TX_MMSG];
	uint8_t tx_queue[SOFT_TX_MMSG][SOFT_PKT_MAX_BYTES];
	/* rx: the one packet soft_net_dispatch reads (the fuzz harness's way
	 * in); rx_queue: recvmmsg's buffers */
	uint8_t rx[SOFT_PKT_MAX_BYTES + 64];
	uint8_t rx_queue[SOFT_RX_MMSG][SOFT_PKT_MAX_BYTES + 64];
};

static inline struct soft_hca *soft_hca(struct vhca *hca) { return (struct soft_hca *)hca; }
static inline int soft_tracing(const struct soft_hca *hca) { return hca->base.trace != NULL; }
uint64_t soft_now_ns(void);
void soft_trace(struct soft_hca *hca, enum vtrace_kind kind, enum vtrace_actor actor,
		uint16_t guest, uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1,
		uint32_t arg2, uint16_t flags, uint64_t start_ns);
/* A copy to or from registered memory: TRANSLATE (key, pages, bytes) and
 * DMA_READ or DMA_WRITE (QPN, iova, bytes, duration since start_ns). */
void soft_trace_dma(struct soft_hca *hca, enum vtrace_kind kind, enum vtrace_actor actor,
		    const struct soft_qp *qp, uint64_t op_id, uint32_t key, uint64_t iova,
		    uint64_t bytes, uint32_t pages, uint64_t start_ns);

/* mr.c */
struct soft_pd *soft_pd_get(struct soft_hca *hca, uint32_t pdn);
struct soft_mr *soft_mr_get(struct soft_hca *hca, uint32_t key);
int soft_alloc_pd(struct vhca *vhca, uint32_t *pdn);
int soft_dealloc_pd(struct vhca *vhca, uint32_t pdn);
int soft_reg_mr(struct vhca *vhca, uint32_t pdn, const struct vhca_mem *mem, int access,
		uint32_t *lkey, uint32_t *rkey);
int soft_dereg_mr(struct vhca *vhca, uint32_t lkey);
/* 0 when every SGE names a region of the PD granting `access` and lies
 * inside it; OUT: *total_bytes.  Otherwise EINVAL (key, PD, bounds) or
 * EACCES (access). */
int soft_sgl_check(struct soft_hca *hca, const struct soft_sgl *sgl, uint64_t *total_bytes);
void soft_dma_start(struct soft_dma *dma, struct soft_hca *hca, const struct soft_sgl *sgl,
		    uint64_t offset);
/* Copy between the list and a flat buffer, or between two lists; each
 * returns 0, or EFAULT when a region vanished or a bound broke. */
int soft_dma_to_buf(struct soft_dma *dma, uint8_t *buf, uint32_t bytes);
int soft_dma_from_buf(struct soft_dma *dma, const uint8_t *buf, uint32_t bytes);
int soft_dma_copy(struct soft_dma *dst, struct soft_dma *src, uint64_t bytes);
/* The iova at the position (0 for inline data), and the key of its region. */
uint64_t soft_dma_iova(const struct soft_dma *dma);
uint32_t soft_dma_key(const struct soft_dma *dma);

/* cq.c */
struct soft_cq *soft_cq_get(struct soft_hca *hca, uint32_t cqn);
int soft_create_cq(struct vhca *vhca, int cqe, vhca_cq_event_fn fn, void *ctx, uint32_t *cqn);
int soft_destroy_cq(struct vhca *vhca, uint32_t cqn);
int soft_poll_cq(struct vhca *vhca, uint32_t cqn, int max, struct ibv_wc *wc);
/* Add one completion and notify; a full CQ raises IBV_EVENT_CQ_ERR. */
void soft_cq_push(struct soft_hca *hca, uint32_t cqn, const struct ibv_wc *wc,
		  enum vtrace_actor actor, uint16_t guest);

/* qp.c */
struct soft_qp *soft_qp_get(struct soft_hca *hca, uint32_t qpn);
int soft_create_qp(struct vhca *vhca, const struct vhca_qp_init *init, uint32_t *qpn);
int soft_modify_qp(struct vhca *vhca, uint32_t qpn, const struct ibv_qp_attr *attr, int mask);
int soft_query_qp(struct vhca *vhca, uint32_t qpn, struct ibv_qp_attr *attr);
int soft_destroy_qp(struct vhca *vhca, uint32_t qpn);
int soft_post_send(struct vhca *vhca, uint32_t qpn, const struct ibv_send_wr *wr);
int soft_post_recv(struct vhca *vhca, uint32_t qpn, const struct ibv_recv_wr *wr);
static inline struct soft_send_wqe *soft_sq_at(struct soft_qp *qp, uint32_t index)
{
	return &qp->sq[index % qp->sq_size];
}
static inline struct soft_recv_wqe *soft_rq_at(struct soft_qp *qp, uint32_t index)
{
	return &qp->rq[index % qp->rq_size];
}
/* The WQE's data as a DMA list: its SGEs (needing `access`) or inline bytes. */
void soft_send_sgl(struct soft_qp *qp, uint32_t index, int access, struct soft_sgl *sgl);
void soft_recv_sgl(struct soft_qp *qp, uint32_t index, struct soft_sgl *sgl);
/* Move to ERROR and flush.  A work request's failure is reported by its
 * completion (soft_qp_error); an error no completion reports raises an
 * affiliated async event too (soft_qp_fail), as IBA 11.6.3 has it. */
void soft_qp_error(struct soft_qp *qp);
void soft_qp_fail(struct soft_qp *qp, enum ibv_event_type event);
/* Complete every outstanding WQE of an ERROR QP with IBV_WC_WR_FLUSH_ERR. */
void soft_qp_flush(struct soft_qp *qp);
/* Completions of one send WQE (the completer's) or one receive (the responder's). */
void soft_complete_send(struct soft_qp *qp, enum ibv_wc_status status);  /* the WQE at sq_head */
void soft_complete_recv(struct soft_qp *qp, enum ibv_wc_status status, enum ibv_wc_opcode opcode,
			uint32_t byte_len, int with_imm, uint32_t imm_data);  /* at rq_head */

/* req.c */
void soft_req_run(struct soft_qp *qp);
/* Go back to comp.psn and send again (go-back-N). */
void soft_req_rewind(struct soft_qp *qp, enum vtrace_retransmit_reason reason);
uint32_t soft_req_packets(const struct soft_qp *qp, const struct soft_send_wqe *wqe);

/* resp.c */
void soft_resp_receive(struct soft_qp *qp, const struct soft_pkt *pkt);

/* comp.c */
void soft_comp_receive(struct soft_qp *qp, const struct soft_pkt *pkt);
void soft_comp_timeout(struct soft_qp *qp);
void soft_comp_rnr_expired(struct soft_qp *qp);
/* Retire WQEs at the head wholly answered before `psn` (not READs). */
void soft_comp_retire_before(struct soft_qp *qp, uint32_t psn);

/* net.c */
int soft_net_open(struct soft_hca *hca, char *err, size_t err_bytes);
void soft_net_close(struct soft_hca *hca);
/* Queue the `bytes` of hca->tx for the peer of `qp` (injected loss may
 * drop it instead); hca->tx then names the next free buffer. */
void soft_net_send(struct soft_hca *hca, struct soft_qp *qp, const struct soft_pkt *pkt,
		   size_t bytes, enum vtrace_actor actor, uint64_t op_id);
void soft_net_receive_all(struct soft_hca *hca);
/* Send every queued packet (sendmmsg): at the end of each entry point. */
void soft_net_flush(struct soft_hca *hca);
/* One datagram of `bytes` bytes (at most sizeof hca->rx) in hca->rx, sent
 * from `from`: decoded and handed to its QP's responder or completer, as
 * soft_net_receive_all does with each; fuzz/fuzz_packet.c injects here. */
struct sockaddr_in;
void soft_net_dispatch(struct soft_hca *hca, size_t bytes, const struct sockaddr_in *from);
void soft_timer_set(struct soft_qp *qp, uint64_t *deadline, uint64_t when_ns);
void soft_timer_clear(struct soft_qp *qp, uint64_t *deadline);
/* The QP's Local ACK Timeout in ns, 0 for infinite (attribute timeout 0). */
uint64_t soft_ack_timeout_ns(const struct soft_qp *qp);
/* (Re)start the retransmit timer: due one Local ACK Timeout from now, or
 * not armed at all when the timeout is infinite. */
void soft_retx_restart(struct soft_qp *qp);
void soft_timers_run(struct soft_hca *hca);

/* migrate.c: live migration (hca.h's save_qp, restore_qp, reg_mr_key).
 * A location datagram (a management message, not a transport packet: its
 * first byte is no RC opcode) tells a peer QP that its peer moved. */
#define SOFT_MGMT_MARK 0xffu
#define SOFT_MGMT_BYTES 20u
/* How often a restored QP tells its peer again until it answers: about
 * ten loopback round trips here, short beside the Local ACK Timeout
 * (perftest's 14: 67 ms) that a peer would otherwise wait out. */
#define SOFT_REDIRECT_RESEND_NS 1000000u
int soft_save_qp(struct vhca *vhca, uint32_t qpn, uint32_t capacity, struct vhca_qp_image *image);
int soft_restore_qp(struct vhca *vhca, uint32_t qpn, const struct vhca_qp_image *image,
		    uint16_t old_lid, uint32_t old_qpn);
int soft_reg_mr_key(struct vhca *vhca, uint32_t pdn, const struct vhca_mem *mem, int access,
		    uint32_t key);
int soft_reconnected(struct vhca *vhca, uint64_t *last_ns);
/* A datagram whose first byte is SOFT_MGMT_MARK, from port FROM_PORT. */
void soft_mgmt_receive(struct soft_hca *hca, const uint8_t *buf, size_t bytes, uint16_t from_port);
/* The redirect timer fired. */
void soft_redirect_resend(struct soft_qp *qp);
/* Queue BYTES at BUF for PORT (injected loss applies). */
void soft_net_send_raw(struct soft_hca *hca, uint16_t port, const uint8_t *buf, size_t bytes);

/* local.c */
/* Execute the send WQE at req.index against the peer QP of this HCA.
 * Returns 1 when it finished (completed or failed), 0 when it must wait
 * (RNR, peer not ready: a timer is armed; or the copy budget ran out:
 * on_paused was called, and resume_send goes on from there). */
int soft_local_execute(struct soft_qp *qp);
void soft_resume_send(struct vhca *vhca, uint32_t qpn);

#endif
