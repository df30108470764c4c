/*
 * vrdma/guest/verbs.h -- the guest driver: a verbs API over the vRDMA device.
 *
 * This is what an application inside the guest links against.  It speaks
 * rdma-core's own types (ibv_send_wr, ibv_recv_wr, ibv_sge, ibv_wc,
 * ibv_qp_attr, ibv_qp_init_attr, ibv_port_attr, ibv_device_attr) and keeps
 * verbs' conventions: functions that create return NULL and set errno;
 * functions that act return 0 or an errno value; post_send/post_recv set
 * *bad_wr to the first request not posted.
 *
 * Underneath, the driver owns guest memory (a page allocator over the VM's
 * memfd), builds page directories for rings and regions, talks to the device
 * through the command channel (one command at a time, completion on
 * interrupt vector 0), writes WQEs into rings and rings doorbells on the UAR
 * page, and reads CQEs from CQ rings.  Every doorbell is a VM exit.
 *
 * Buffers the HCA touches must be guest memory: allocate them with
 * vrdma_alloc_buffer().  Only RC queue pairs exist.
 *
 * Threading: a context may be used from several threads; each QP's posting
 * and each CQ's polling should be done from one thread at a time (as with
 * most verbs providers).
 */
#ifndef VRDMA_GUEST_VERBS_H
#define VRDMA_GUEST_VERBS_H

#include <stddef.h>
#include <stdint.h>
#include <infiniband/verbs.h>

#include "vrdma/device/vm.h"

struct vrdma_context;
struct vrdma_pd;
struct vrdma_cq;
struct vrdma_comp_channel;

struct vrdma_mr {
	struct vrdma_pd *pd;
	void *addr;
	size_t length;
	uint32_t lkey;
	uint32_t rkey;
	uint32_t handle;
	uint64_t directory_gpa;   /* private: the page directory's pages */
	uint32_t directory_pages;
};

struct vrdma_qp {
	struct vrdma_context *context;
	struct vrdma_pd *pd;
	struct vrdma_cq *send_cq;
	struct vrdma_cq *recv_cq;
	void *qp_context;
	uint32_t qp_num;          /* the HCA's QPN: what the peer puts in dest_qp_num */
	uint32_t handle;          /* the device's name for it */
	enum ibv_qp_state state;
	struct ibv_qp_cap cap;
	int sq_sig_all;
	/* private */
	uint8_t *memory;          /* ring state page, then SQ slots, then RQ slots */
	uint64_t memory_gpa;
	uint32_t memory_pages;
	uint64_t directory_gpa;
	uint32_t directory_pages;
	uint32_t sq_prod, rq_prod;
	uint32_t sq_sequence, rq_sequence;
};

/* Open the VM's vRDMA device: allocate the DSR, command slots and event
 * rings, activate.  NULL with errno set on failure. */
struct vrdma_context *vrdma_open_device(struct vrdma_vm *vm);
int vrdma_close_device(struct vrdma_context *context);
/* The hypervisor moved the VM (live migration, backend.h's
 * vbackend_migrate_vm): its device is now VM's.  Not a verb: the guest's
 * objects, numbers, keys and memory addresses are unchanged; this only
 * re-points the machine's pins (exits, interrupt lines). */
void vrdma_context_moved(struct vrdma_context *context, struct vrdma_vm *vm);

int vrdma_query_device(struct vrdma_context *context, struct ibv_device_attr *attr);
int vrdma_query_port(struct vrdma_context *context, uint8_t port_num, struct ibv_port_attr *attr);
int vrdma_query_gid(struct vrdma_context *context, uint8_t port_num, int index, union ibv_gid *gid);

/* Page-aligned guest memory for buffers; NULL with errno = ENOMEM. */
void *vrdma_alloc_buffer(struct vrdma_context *context, size_t bytes);
void vrdma_free_buffer(struct vrdma_context *context, void *buffer, size_t bytes);

struct vrdma_pd *vrdma_alloc_pd(struct vrdma_context *context);
int vrdma_dealloc_pd(struct vrdma_pd *pd);

struct vrdma_mr *vrdma_reg_mr(struct vrdma_pd *pd, void *addr, size_t length, int access);
/* The same, where work requests name the region's first byte `iova`
 * rather than `addr` (ibv_reg_mr_iova2): how another mapping of the same
 * guest pages (libvrdma-verbs' windows over an application's buffer) is
 * registered under the application's own addresses. */
struct vrdma_mr *vrdma_reg_mr_iova(struct vrdma_pd *pd, void *addr, size_t length, uint64_t iova,
				   int access);
/* The same over any guest pages in order (page_gpas[i], page-aligned): the
 * region's first byte is first_page_offset into page 0, and `pages` must
 * be exactly what length needs.  mr->addr is the first byte as this side
 * maps it (meaningful only when the pages are contiguous). */
struct vrdma_mr *vrdma_reg_mr_pages(struct vrdma_pd *pd, const uint64_t *page_gpas, uint32_t pages,
				    uint32_t first_page_offset, size_t length, uint64_t iova, int access);
int vrdma_dereg_mr(struct vrdma_mr *mr);

struct vrdma_comp_channel *vrdma_create_comp_channel(struct vrdma_context *context);
int vrdma_destroy_comp_channel(struct vrdma_comp_channel *channel);

/* cqe is rounded up to a power of two. */
struct vrdma_cq *vrdma_create_cq(struct vrdma_context *context, int cqe, void *cq_context,
				 struct vrdma_comp_channel *channel);
int vrdma_destroy_cq(struct vrdma_cq *cq);
int vrdma_poll_cq(struct vrdma_cq *cq, int num_entries, struct ibv_wc *wc);
int vrdma_req_notify_cq(struct vrdma_cq *cq, int solicited_only);
/* Block until a notification for a CQ of this channel arrives. */
int vrdma_get_cq_event(struct vrdma_comp_channel *channel, struct vrdma_cq **cq, void **cq_context);
void vrdma_ack_cq_events(struct vrdma_cq *cq, unsigned int nevents);

/* init_attr->qp_type must be IBV_QPT_RC; send_cq/recv_cq are ignored in
 * favour of the arguments; cap's queue sizes are rounded up to powers of two
 * and reported back. */
struct vrdma_qp *vrdma_create_qp(struct vrdma_pd *pd, struct vrdma_cq *send_cq,
				 struct vrdma_cq *recv_cq, struct ibv_qp_init_attr *init_attr);
int vrdma_modify_qp(struct vrdma_qp *qp, struct ibv_qp_attr *attr, int attr_mask);
int vrdma_query_qp(struct vrdma_qp *qp, struct ibv_qp_attr *attr, int attr_mask,
		   struct ibv_qp_init_attr *init_attr);
int vrdma_destroy_qp(struct vrdma_qp *qp);

int vrdma_post_send(struct vrdma_qp *qp, struct ibv_send_wr *wr, struct ibv_send_wr **bad_wr);
int vrdma_post_recv(struct vrdma_qp *qp, struct ibv_recv_wr *wr, struct ibv_recv_wr **bad_wr);

/* Async events (QP fatal, CQ error): 1 and the event when one is pending,
 * 0 when none (non-blocking). */
int vrdma_poll_async_event(struct vrdma_context *context, enum ibv_event_type *type,
			   uint32_t *handle);

/* ibv_wc_status_str's names, without linking libibverbs. */
const char *vrdma_wc_status_str(enum ibv_wc_status status);

/* The device's limits as it reported them at activation. */
const struct vrdma_caps *vrdma_caps(const struct vrdma_context *context);

#endif
