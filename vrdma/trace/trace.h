/*
 * vrdma/trace/trace.h -- the mechanism trace of the reference implementation.
 *
 * Every part of the functional vRDMA device (guest driver, trap handler,
 * backend, software HCA, interrupt delivery) reports what it did as fixed-size
 * records: a monotonic nanosecond timestamp, who did it (actor), what it was
 * (kind), which object and operation it belongs to, and two or three
 * kind-specific arguments.  The simulator replays these records (issue 6), so
 * the format is versioned and documented in docs/trace-format.md.
 *
 * File layout (little-endian):
 *   bytes 0..7    magic "VRDMATRC"
 *   u32           format version (VTRACE_VERSION)
 *   u32           record size in bytes (sizeof(struct vtrace_record) = 56)
 *   u32           length of the configuration text that follows
 *   u32           reserved, 0
 *   text          configuration, "key: value" lines (UTF-8, no NUL)
 *   records       struct vtrace_record, back to back, in the order written
 *
 * Records of one actor instance are in time order; records of different
 * threads may interleave slightly out of order (each thread buffers).
 *
 * Contract: a NULL `struct vtrace *` is valid everywhere and records nothing,
 * so tracing costs one branch when it is off.  vtrace_emit() is thread-safe.
 */
#ifndef VRDMA_TRACE_H
#define VRDMA_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define VTRACE_MAGIC "VRDMATRC"
#define VTRACE_VERSION 1u

/* Who did the work.  Values are part of the file format: append only. */
enum vtrace_actor {
	VTRACE_ACTOR_GUEST_VCPU = 1,      /* guest driver code on a guest vCPU */
	VTRACE_ACTOR_TRAP_HANDLER = 2,    /* the hypervisor side of a VM exit */
	VTRACE_ACTOR_BACKEND = 3,         /* the device backend thread */
	VTRACE_ACTOR_HCA_REQUESTER = 4,
	VTRACE_ACTOR_HCA_RESPONDER = 5,
	VTRACE_ACTOR_HCA_COMPLETER = 6,
	VTRACE_ACTOR_INTERRUPT = 7,       /* interrupt delivery (irqfd) */
	VTRACE_ACTOR_COUNT_
};

/* What happened.  Values are part of the file format: append only.
 * arg meanings are listed per kind; unused args are 0. */
enum vtrace_kind {
	/* guest: a verb posted. object = QP handle; arg0 = ibv_wr_opcode, or
	 * VTRACE_RECV_OPCODE for post_recv; arg1 = total bytes; arg2 = SGE count;
	 * flags: VTRACE_F_SIGNALED, VTRACE_F_INLINE */
	VTRACE_POST = 1,
	/* guest: WQE stored in a ring. object = QP handle; arg0 = ring index
	 * (with wrap bit); arg1 = WQE bytes */
	VTRACE_WQE_WRITE = 2,
	/* trap handler: a register or UAR write, i.e. a VM exit. object = the
	 * handle the value names (QP/CQ) or 0; arg0 = register offset; arg1 =
	 * value written; arg2 = enum vtrace_doorbell */
	VTRACE_DOORBELL = 3,
	/* backend: a command from the command channel executed. object = handle
	 * created or named; arg0 = command code; arg1 = result (0 or errno);
	 * duration_ns = execution time */
	VTRACE_COMMAND = 4,
	/* backend: a WQE read from a guest ring and validated. object = QP
	 * handle; arg0 = ring index; arg1 = WQE bytes; arg2 = 0 or errno */
	VTRACE_WQE_FETCH = 5,
	/* backend or HCA: guest/IO addresses translated. object = lkey/rkey or
	 * page-directory owner; arg0 = pages touched; arg1 = bytes covered */
	VTRACE_TRANSLATE = 6,
	/* HCA: payload read from / written to registered memory. object = QPN;
	 * arg0 = address (iova); arg1 = bytes; duration_ns = copy time */
	VTRACE_DMA_READ = 7,
	VTRACE_DMA_WRITE = 8,
	/* HCA: a packet sent / received. object = destination QPN; arg0 =
	 * BTH opcode; arg1 = PSN; arg2 = payload bytes; flags VTRACE_F_ACKREQ */
	VTRACE_PACKET_TX = 9,
	VTRACE_PACKET_RX = 10,
	/* HCA completer: an ACK or NAK processed. object = QPN; arg0 = AETH
	 * syndrome; arg1 = PSN acknowledged */
	VTRACE_ACK = 11,
	/* HCA requester: packets sent again. object = QPN; arg0 = enum
	 * vtrace_retransmit_reason; arg1 = first PSN resent */
	VTRACE_RETRANSMIT = 12,
	/* HCA: a completion generated in the HCA's own CQ. object = CQN; arg0 =
	 * ibv_wc_status; arg1 = byte_len; arg2 = ibv_wc_opcode */
	VTRACE_HCA_COMPLETION = 13,
	/* backend: a CQE written into the guest's CQ ring. object = CQ handle;
	 * arg0 = ibv_wc_status; arg1 = byte_len; arg2 = ring index */
	VTRACE_CQE_WRITE = 14,
	/* backend: a CQ notification queued for the guest. object = CQ handle */
	VTRACE_NOTIFY = 15,
	/* interrupt delivery: object = vector; flags VTRACE_F_SUPPRESSED when
	 * the CQ was not armed and no interrupt was sent */
	VTRACE_INTERRUPT = 16,
	/* guest: poll_cq returned. object = CQ handle; arg0 = completions
	 * returned; arg1 = empty polls since the last non-empty one (empty polls
	 * are counted, not recorded one by one) */
	VTRACE_POLL = 17,
	/* HCA: a packet lost on the path (injected loss). object = dest QPN;
	 * arg0 = opcode; arg1 = PSN */
	VTRACE_PACKET_DROP = 18,
	/* guest: woke from a completion-event wait. object = CQ handle */
	VTRACE_EVENT_WAKE = 19,
	/* backend: an async error event queued for the guest. object = handle;
	 * arg0 = ibv_event_type */
	VTRACE_ASYNC_EVENT = 20,
	/* Live migration of a guest (docs/migration.md): spans of the backend
	 * (object = 0, guest = the moving guest):
	 * quiesce: the source stops taking the guest's work and brings its
	 *   completions into the guest's rings; arg0 = QPs, arg1 = work
	 *   requests in flight recorded;
	 * transfer: the saved state and guest memory move; arg0 = state
	 *   bytes, arg1 = memory bytes;
	 * register: the destination restores (memory re-registered, CQs and
	 *   QPs recreated); arg0 = MRs, arg1 = pages registered;
	 * and of the HCA completer (object = QPN):
	 * reconnect: a span of the destination's, from the QP's restore until
	 *   its peer answered the new location, and an instant of the peer's,
	 *   when it took the new location; arg0 = 1 (QPs), arg1 = QPN
	 *   remapped (1) or kept (0). */
	VTRACE_MIGRATE_QUIESCE = 21,
	VTRACE_MIGRATE_TRANSFER = 22,
	VTRACE_MIGRATE_REGISTER = 23,
	VTRACE_MIGRATE_RECONNECT = 24,
	VTRACE_KIND_COUNT_
};

/* arg2 of VTRACE_DOORBELL: what the register write asked for. */
enum vtrace_doorbell {
	VTRACE_DB_SEND = 1,       /* UAR: send queue has new WQEs */
	VTRACE_DB_RECV = 2,       /* UAR: receive queue has new WQEs */
	VTRACE_DB_CQ_ARM = 3,     /* UAR: arm CQ for the next completion */
	VTRACE_DB_CQ_ARM_SOLICITED = 4,
	VTRACE_DB_CQ_POLL = 5,    /* UAR: guest polled (only when configured to trap) */
	VTRACE_DB_REQUEST = 6,    /* register: command in the request slot */
	VTRACE_DB_DSR = 7,        /* register: device shared region address */
	VTRACE_DB_CONTROL = 8,    /* register: activate / reset */
	VTRACE_DB_INTR_MASK = 9,  /* register: interrupt mask */
	VTRACE_DB_INVALID = 10    /* a write the device does not understand */
};

/* VTRACE_INTERRUPT's object: the device's interrupt vector, as the device
 * ABI numbers them (vrdma/backend/completion.c checks that they agree), named here
 * so that a reader of traces needs only this file. */
enum vtrace_vector {
	VTRACE_VECTOR_COMMAND = 0,
	VTRACE_VECTOR_ASYNC = 1,
	VTRACE_VECTOR_CQ_NOTIFY = 2,
};

enum vtrace_retransmit_reason {
	VTRACE_RETX_TIMEOUT = 1,
	VTRACE_RETX_NAK_SEQUENCE = 2,
	VTRACE_RETX_RNR = 3
};

#define VTRACE_RECV_OPCODE 0xffu

/* flags */
#define VTRACE_F_SIGNALED 0x0001u
#define VTRACE_F_INLINE 0x0002u
#define VTRACE_F_ACKREQ 0x0004u
#define VTRACE_F_SUPPRESSED 0x0008u
#define VTRACE_F_ERROR 0x0010u  /* the event ended in an error */

/* One event: 56 bytes, fixed layout (the file format). */
struct vtrace_record {
	uint64_t time_ns;     /* CLOCK_MONOTONIC */
	uint64_t op_id;       /* the work request this belongs to (vtrace_op_id), 0 if none */
	uint64_t arg0;
	uint64_t arg1;
	uint32_t object;      /* QP/CQ handle, QPN, key, vector: see the kind */
	uint32_t arg2;
	uint32_t duration_ns; /* work covered by this event, 0 for instants */
	uint16_t kind;        /* enum vtrace_kind */
	uint8_t actor;        /* enum vtrace_actor */
	uint8_t host;         /* which host (backend) */
	uint16_t guest;       /* which guest (device id) on that host, 0 = none */
	uint16_t flags;
	uint32_t reserved;
};

/*
 * Operation ids tie a work request's events together across guest, backend
 * and HCA without trusting anything the guest says: both sides count the
 * work requests of each queue, so both compute the same id.
 *   bits 63..56  host id             bits 55..48  guest device id
 *   bits 47..33  QP handle           bit  32      1 for the receive queue
 *   bits 31..0   sequence number of the work request in its queue
 */
static inline uint64_t vtrace_op_id(uint32_t host, uint32_t guest, uint32_t qp_handle,
				    int recv_queue, uint32_t sequence)
{
	return ((uint64_t)(host & 0xffu) << 56) | ((uint64_t)(guest & 0xffu) << 48) |
	       ((uint64_t)(qp_handle & 0x7fffu) << 33) | ((uint64_t)(recv_queue ? 1u : 0u) << 32) |
	       sequence;
}

struct vtrace;

uint64_t vtrace_now_ns(void);

/* Open a trace for writing.  The file appears at `path` only when
 * vtrace_close() succeeds (written beside it, then renamed), so a failed
 * run leaves nothing half-written.  `config_text` is "key: value" lines. */
struct vtrace *vtrace_open(const char *path, const char *config_text, char *err, size_t err_bytes);

/* Record one event; thread-safe.  NULL trace: nothing. */
void vtrace_emit(struct vtrace *trace, const struct vtrace_record *record);

/* Shorthand for the common case; fills time_ns with vtrace_now_ns(). */
void vtrace_event(struct vtrace *trace, enum vtrace_kind kind, enum vtrace_actor actor,
		  uint8_t host, uint16_t guest, uint32_t object, uint64_t op_id, uint64_t arg0,
		  uint64_t arg1, uint32_t arg2, uint16_t flags);

/* Flush and publish.  Returns 0, or -1 with err filled (the file is removed). */
int vtrace_close(struct vtrace *trace, char *err, size_t err_bytes);

/* Drop a trace without publishing it (error paths). */
void vtrace_abandon(struct vtrace *trace);

const char *vtrace_kind_name(unsigned kind);   /* "post", ...; NULL when unknown */
const char *vtrace_actor_name(unsigned actor); /* "guest-vcpu", ...; NULL when unknown */

/*
 * Additions for the reader and the tools (docs/trace-format.md).
 *
 * Time: time_ns is when the work began and duration_ns how long it took
 * (0 for an instant).  A record is emitted when its work has ended, so
 * within one actor instance the end times (time_ns + duration_ns) never
 * decrease in file order, even when a span (a command) contains other
 * events of the same actor (the translations it did): those end first and
 * are emitted first.  An actor instance is (host, guest, actor), and for
 * the per-QP HCA actors (requester, responder, completer) also the record's
 * object; see vrdma/trace/trace_read.h.  vtrace_close() and
 * vtrace_abandon() must not race with vtrace_emit().
 */
#define VTRACE_HEADER_BYTES 24u
#define VTRACE_RECORD_BYTES 56u
/* Configuration text is a few dozen lines; a larger one means a corrupt
 * header, and readers refuse it rather than allocate it. */
#define VTRACE_CONFIG_BYTES_MAX (1u << 20)

_Static_assert(sizeof(struct vtrace_record) == VTRACE_RECORD_BYTES,
	       "struct vtrace_record is the on-disk layout: 56 bytes, no padding");

/* The record in its file form: little-endian fields at their struct offsets
 * (time_ns 0, op_id 8, arg0 16, arg1 24, object 32, arg2 36, duration_ns 40,
 * kind 44, actor 46, host 47, guest 48, flags 50, reserved 52). */
void vtrace_record_encode(const struct vtrace_record *record, unsigned char out[VTRACE_RECORD_BYTES]);
void vtrace_record_decode(const unsigned char in[VTRACE_RECORD_BYTES], struct vtrace_record *record);

#endif
