/*
 * vrdma/guest/internal.h -- the guest driver's private structures.
 */
#ifndef VRDMA_GUEST_INTERNAL_H
#define VRDMA_GUEST_INTERNAL_H

#include <pthread.h>

#include "vrdma/device/abi.h"
#include "vrdma/guest/page_alloc.h"
#include "vrdma/guest/verbs.h"

struct vrdma_pd {
	struct vrdma_context *context;
	uint32_t handle;
};

/* A device-produced event ring (async events, CQ notifications). */
struct vg_event_ring {
	uint8_t *memory;          /* page 0 ring state, entries from page 1 */
	uint64_t gpa;
	uint32_t pages;
	uint64_t directory_gpa;
	uint32_t directory_pages;
	uint32_t size;
	uint32_t cons;
};

struct vrdma_cq {
	struct vrdma_context *context;
	struct vrdma_comp_channel *channel;
	void *cq_context;
	uint32_t handle;
	uint32_t size;
	uint8_t *memory;
	uint64_t memory_gpa;
	uint32_t memory_pages;
	uint64_t directory_gpa;
	uint32_t directory_pages;
	uint32_t cons;
	uint64_t empty_polls;     /* since the last non-empty poll (for the trace) */
	unsigned events_pending_ack;
};

#define VG_CHANNEL_QUEUE 256u

struct vrdma_comp_channel {
	struct vrdma_context *context;
	uint32_t queue[VG_CHANNEL_QUEUE]; /* CQ handles notified, not yet taken */
	uint32_t head, count;
};

struct vrdma_context {
	struct vrdma_vm *vm;
	struct vpa pages;
	pthread_mutex_t command_lock;
	uint64_t token;
	uint8_t *dsr_page;
	uint64_t dsr_gpa;
	union vrdma_request *request;
	union vrdma_response *response;
	uint64_t slots_gpa;       /* request and response slots: two pages */
	struct vg_event_ring async_ring, notify_ring;
	struct vrdma_caps caps;
	pthread_mutex_t event_lock;
	pthread_cond_t event_arrived;
	int event_reader;         /* a thread is blocked on the notification vector */
	struct vrdma_qp **qps;    /* by handle - 1, for wc.qp_num */
	struct vrdma_cq **cqs;    /* by handle - 1 */
	struct vrdma_pd **pds;    /* by handle - 1: what close frees */
	struct vrdma_mr **mrs;    /* by handle - 1 */
};

/* device.c */
int vg_command(struct vrdma_context *ctx, uint32_t command, union vrdma_request *req,
	       union vrdma_response *resp);
/* Guest memory for an object, described by a new page directory. */
int vg_alloc_described(struct vrdma_context *ctx, uint32_t pages, uint8_t **memory, uint64_t *gpa,
		       struct vrdma_pdir_ref *ref, uint64_t *directory_gpa, uint32_t *directory_pages);
/* The same for any guest pages, in order (gpas[i]: page i). */
int vg_describe_pages(struct vrdma_context *ctx, const uint64_t *gpas, uint32_t pages,
		      struct vrdma_pdir_ref *ref, uint64_t *directory_gpa, uint32_t *directory_pages);
int vg_describe(struct vrdma_context *ctx, uint64_t first_gpa, uint32_t pages,
		struct vrdma_pdir_ref *ref, uint64_t *directory_gpa, uint32_t *directory_pages);
void vg_free_pages(struct vrdma_context *ctx, uint64_t gpa, uint32_t pages);

#define VG_TRACE(ctx, kind, object, op, a0, a1, a2, flags)                                         \
	do {                                                                                      \
		if ((ctx)->vm->trace)                                                             \
			vtrace_event((ctx)->vm->trace, kind, VTRACE_ACTOR_GUEST_VCPU,             \
				     (ctx)->vm->host_id, (ctx)->vm->guest_id, object, op, a0, a1, a2, flags); \
	} while (0)

#endif
