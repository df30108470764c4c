/*
 * vrdma/backend/backend.h -- the vRDMA device backend, one per host.
 *
 * A backend owns a thread that serves every vRDMA device (guest) of its host:
 * it executes commands from the command channel, consumes the guests' send
 * and receive rings, hands validated work requests to the HCA through the
 * device layer (hca/hca.h), and proxies completions into the guests' CQ
 * rings with notifications and interrupts.
 *
 * Trust: everything read from guest memory or written to a register is
 * checked before use; a guest that breaks the rules gets error responses,
 * error completions or async error events, and the backend keeps serving the
 * others.  The backend reaches a guest's memory only through its own mapping
 * of that guest's memfd, bounds-checked.
 */
#ifndef VRDMA_BACKEND_H
#define VRDMA_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "vrdma/backend/account.h"
#include "vrdma/backend/limits.h"
#include "vrdma/device/vm.h"
#include "vrdma/hca/hca.h"
#include "vrdma/trace/trace.h"

struct vbackend_config {
	struct vhca *hca;        /* the device-layer driver; the caller destroys it after stop */
	struct vtrace *trace;    /* may be NULL */
	uint8_t host_id;         /* recorded in trace events */
	uint32_t max_qp_per_guest, max_cq_per_guest, max_mr_per_guest, max_pd_per_guest;
	uint32_t max_qp_wr, max_cqe;
	/* What guests may hold, per guest and per host (account.h, limits.h).
	 * The PD, MR, CQ and QP pools are clamped to the HCA's own limits. */
	struct vacct_limits limits;
	/* Placement and waiting (speed only; no effect on what guests see):
	 * cpu       the backend thread's CPU (-1: inherit the caller's set);
	 * poll_ns   after its last work, look for new work this long before
	 *           sleeping in epoll (0: sleep at once).  Worth it only when
	 *           the thread has a core of its own: on a shared core it takes
	 *           the time of the guest it waits for (docs/architecture.md). */
	int cpu;
	uint64_t poll_ns;
};

void vbackend_default_config(struct vbackend_config *config);

/* The poll vrdma-perf gives its backends unless told otherwise: long
 * enough to see the peer's answer of a ping-pong (2-8 us here), short
 * enough to cost little when idle; the poll yields the CPU, and
 * vrdma-perf's guests yield as they spin, so each still runs.  vrdma-host
 * and libvrdma-verbs.so's private host poll 0 us by default: the programs
 * they serve may spin without ever yielding (perftest's latency tests spin
 * on memory), and a backend that polled on such a program's core would
 * lose the scheduler's preference for a thread that wakes from sleep:
 * perftest's ib_write_lat took 4 ms (a time slice) per half round trip
 * instead of 12 us (docs/architecture.md, 'Speed'). */
#define VBACKEND_TOOL_POLL_US 20u
#define VBACKEND_SERVE_POLL_US 0u

struct vbackend;

int vbackend_start(const struct vbackend_config *config, struct vbackend **out, char *err,
		   size_t err_bytes);
/* Stop the thread and free every device's objects. */
void vbackend_stop(struct vbackend *backend);

/* Create a VM with `memory_bytes` of guest memory and a vRDMA device.
 * ENOSPC when the host already runs VBACKEND_MAX_GUESTS guests or cannot
 * reserve the new guest's guarantees (account.h); err says which. */
int vbackend_create_vm(struct vbackend *backend, uint64_t memory_bytes, struct vrdma_vm **out,
		       char *err, size_t err_bytes);
void vbackend_destroy_vm(struct vbackend *backend, struct vrdma_vm *vm);

/* A VM whose guest is another process (host/): what it is given.  The
 * fds stay the VM's (vbackend_destroy_vm closes them); the caller passes
 * copies (SCM_RIGHTS).  The memory and doorbell memfds are sealed against
 * shrinking and growing (guest_mem.c), so the backend's mappings of them
 * cannot fault whatever the guest does to them. */
struct vbackend_remote {
	int memory_fd;                      /* the guest memory's memfd */
	uint64_t memory_bytes;
	int doorbells_fd;                   /* one page: struct vrdma_doorbells */
	int kick_fd;                        /* eventfd: write 1 after ringing (doorbells.h) */
	int irq_fd[VRDMA_VECTOR_COUNT];     /* SOCK_SEQPACKET: 8-byte messages, one per interrupt */
};
/* vbackend_create_vm for a guest process: the same device, whose doorbells
 * the guest rings in the shared page, and whose interrupt lines are
 * sockets the backend writes without blocking.  OUT: *remote. */
int vbackend_create_remote_vm(struct vbackend *backend, uint64_t memory_bytes, struct vrdma_vm **out,
			      struct vbackend_remote *remote, char *err, size_t err_bytes);

/*
 * Live migration (migrate.c, docs/migration.md).  A guest's device state
 * is saved in one backend and restored in another, on another HCA; the
 * guest keeps its QP numbers, keys, CQs and ring contents; the HCA tells
 * each peer the new location.
 */
#define VBACKEND_MIGRATION_VERSION 2u
struct vbackend_migration {
	uint64_t quiesce_ns;   /* source: stop taking work, completions into the guest's rings, save */
	uint64_t transfer_ns;  /* the guest's memory (and the state) into the destination */
	uint64_t register_ns;  /* destination: memory re-registered, CQs and QPs recreated */
	uint64_t reconnect_ns; /* from the resume until every peer answered the new location */
	uint64_t pause_ns;     /* the guest stopped: save to resume (vbackend_migrate_vm) */
	uint64_t resumed_ns;   /* CLOCK_MONOTONIC at the resume */
	uint64_t state_bytes, pages;
	uint32_t qps, in_flight, mrs;
	/* at the save: sends the HCA had not retired, receives posted, and
	 * CQEs in the guest's CQ rings it had not polled */
	uint32_t sends_in_flight, recvs_posted, cqes_unpolled;
	int qpn_remapped;      /* a QP's number on the destination's HCA differs */
};
/* Quiesce VM's device and save its state: OUT *state (malloc'd, *bytes).
 * From then on the source takes no more of the guest's work and its HCA
 * QPs are gone; vbackend_destroy_vm frees the rest.  M may be NULL. */
int vbackend_save_vm(struct vbackend *backend, struct vrdma_vm *vm, uint8_t **state, size_t *bytes,
		     struct vbackend_migration *m, char *err, size_t err_bytes);
/* A new VM from a saved state (checked: a state that is corrupted,
 * truncated, over-long, of another version or beyond this host's limits is
 * refused with err saying where and why, and nothing is left behind) and a
 * copy of its MEMORY (memory_bytes, NULL: zeros).  M may be NULL. */
int vbackend_restore_vm(struct vbackend *backend, const uint8_t *state, size_t bytes, const uint8_t *memory,
			uint64_t memory_bytes, struct vrdma_vm **out, struct vbackend_migration *m, char *err,
			size_t err_bytes);
/* vbackend_restore_vm for a guest process (host/): the memory is read from
 * MEMORY_FD (pread: a file shorter than memory_bytes is refused, never a
 * fault), the VM's lines are a remote VM's (OUT: *remote), and the vectors
 * in PENDING_VECTORS (bit v: vector v) are raised once after the restore:
 * interrupts the guest had not read on the source's lines. */
int vbackend_restore_remote_vm(struct vbackend *backend, const uint8_t *state, size_t bytes, int memory_fd,
			       uint64_t memory_bytes, unsigned pending_vectors, struct vrdma_vm **out,
			       struct vbackend_remote *remote, struct vbackend_migration *m, char *err,
			       size_t err_bytes);
/* 0 on a good header (magic, version, lengths, checksum), else EINVAL with err. */
int vbackend_check_state_header(const uint8_t *state, size_t bytes, char *err, size_t err_bytes);
/* Move an in-process guest: save in FROM, restore in TO, the guest's
 * mapping of its memory moved underneath (same addresses), the source VM
 * destroyed.  The guest then uses *out (vrdma_context_moved).  When TO
 * refuses the state, the guest resumes in FROM from the same state, as a
 * hypervisor resumes a VM whose migration failed: the error is returned
 * and *out is the resumed VM (NULL only when FROM refused it too). */
int vbackend_migrate_vm(struct vbackend *from, struct vrdma_vm *vm, struct vbackend *to, struct vrdma_vm **out,
			struct vbackend_migration *m, char *err, size_t err_bytes);
/* 1 when every peer of the restored QPs answered the new location (and
 * m->reconnect_ns is then set, once). */
int vbackend_reconnected(struct vbackend *backend, struct vrdma_vm *vm, struct vbackend_migration *m);

/* Counters for tests: traps seen, bad inputs refused. */
struct vbackend_stats {
	uint64_t traps, commands, wqes_fetched, cqes_written, interrupts, interrupts_suppressed;
	uint64_t guest_errors; /* malformed commands, WQEs, rings, doorbells */
};
void vbackend_get_stats(struct vbackend *backend, struct vbackend_stats *stats);
/* The host's number (vbackend_config.host_id). */
uint8_t vbackend_host_id(const struct vbackend *backend);

/* Resource accounting (account.h).  OUT: usage[VACCT_COUNT] of one guest
 * (vm) or of the whole host (vm NULL): in use, reserved, cap, high-water
 * mark.  The host's in-use counts are the sums of its guests'. */
void vbackend_get_usage(struct vbackend *backend, const struct vrdma_vm *vm, struct vacct_usage *usage);

/*
 * Fairness.  The one backend thread serves its guests in turns, round
 * robin; in one turn a guest gets at most these (the rest of its work, a
 * large same-host message or a command's long page-directory walk
 * included, continues in its next turn), so a guest that became due waits
 * for at most one turn of each other guest.
 */
#define VBACKEND_TURN_COPY_BYTES (256u << 10) /* same-host payload copied: 25-50 us of memcpy
						* here (5-10 GB/s), about an honest pair's own
						* round trip; 4 WQEs of a 64 KiB stream */
#define VBACKEND_TURN_WQES 32u      /* WQEs fetched: a quarter of perftest's tx depth (128), so a
				     * posted batch moves in few turns at one trap each */
#define VBACKEND_TURN_DOORBELLS 64u /* doorbell bits (SQ, RQ, CQ arm) taken: one bitmap word */
#define VBACKEND_TURN_COMMANDS 1u   /* commands: the request slot holds one */
#define VBACKEND_TURN_PAGES 8192u   /* page-directory entries a command walks (16 tables): about
				     * 25 us here (3 ns an entry), 75 us when the backend's arrays
				     * are touched the first time; a 1 GiB CREATE_MR (262,144
				     * entries) took 0.7-2.4 ms in one go and now takes 32 turns */

/* Work done for a guest, counted by the backend thread. */
struct vbackend_work {
	uint64_t wqes, commands, doorbells, copied_bytes;
	uint64_t pages; /* page-directory entries walked by commands */
};

/* One guest's service.  `waited` is, for the time it last waited to be
 * served (from its first doorbell or register write, or from the end of a
 * turn that left it work), the work done meanwhile for the other guests;
 * max_waited the most of that over every wait. */
struct vbackend_guest_stats {
	uint64_t turns;
	struct vbackend_work total, last_turn, max_waited;
};
/* OUT: *stats of the guest whose VM is `vm` (a VM of this backend). */
void vbackend_get_guest_stats(struct vbackend *backend, const struct vrdma_vm *vm,
			      struct vbackend_guest_stats *stats);

#endif
