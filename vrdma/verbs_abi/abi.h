/*
 * vrdma/verbs_abi/abi.h -- libvrdma-verbs: libibverbs' ABI over the vRDMA
 * guest driver (vrdma/guest/verbs.h), for unmodified verbs programs.
 *
 * Preloaded (LD_PRELOAD), the library defines the ibv_* functions that
 * Debian 12's rdma-core (libibverbs 44) programs import, under the same
 * symbol versions (verbs.map), so the dynamic linker binds the program's
 * references here rather than in libibverbs.  Every verbs object the
 * program sees is rdma-core's own struct as the first member of a wrapper
 * that holds the driver's object; the data path (post_send, post_recv,
 * poll_cq, req_notify_cq) is reached through context->ops, as verbs.h
 * inlines it.  The context is an "extended" one (struct verbs_context)
 * whose only extended ops are refusals (extended CQs and QPs, SRQ_EX,
 * XRC), so verbs.h's inline helpers either fall back to the plain verbs
 * (ibv_query_port, ibv_query_device_ex) or reach a clear refusal.
 *
 * Refusals: anything the device does not have (UD, SRQ, AH, multicast,
 * rdma_cm, extended CQs, ...) fails with errno EOPNOTSUPP and one line on
 * stderr naming the feature (vab_unsupported).
 */
#ifndef VRDMA_VERBS_ABI_H
#define VRDMA_VERBS_ABI_H

#include <infiniband/verbs.h>
#include <stddef.h>
#include <stdint.h>

#include "vrdma/guest/verbs.h"
#include "vrdma/verbs_abi/window.h"

/* Symbols the preloaded library exports (the rest is hidden). */
#define VAB_EXPORT __attribute__((visibility("default")))

/* The wrappers: rdma-core's struct first, so a pointer to it is a pointer
 * to the wrapper.  The context is the exception: verbs.h finds the
 * verbs_context just before struct ibv_context, so it sits last. */
struct vab_context {
	struct vrdma_context *driver;
	struct verbs_context verbs;       /* verbs.context is what the program holds */
};

struct vab_pd {
	struct ibv_pd ibv;
	struct vrdma_pd *driver;
};

struct vab_mr {
	struct ibv_mr ibv;
	struct vrdma_mr *driver;
	struct vab_span span;             /* its pages and the windows over them */
};

struct vab_channel {
	struct ibv_comp_channel ibv;      /* ibv.fd: the notification vector's eventfd (a dup) */
	struct vrdma_comp_channel *driver;
};

struct vab_cq {
	struct ibv_cq ibv;
	struct vrdma_cq *driver;          /* its cq_context is this wrapper */
};

struct vab_qp {
	struct ibv_qp ibv;
	struct vrdma_qp *driver;
};

static inline struct vab_context *vab_context_of(struct ibv_context *context)
{
	return (struct vab_context *)((uint8_t *)context - offsetof(struct vab_context, verbs.context));
}

/* process.c: the one vRDMA device of this process (a VM of a host), made
 * on first use.  NULL with errno set and a line on stderr on failure. */
struct vrdma_context *vab_device_driver(void);
/* The process's struct ibv_device for it. */
struct ibv_device *vab_device(void);
/* The VM whose guest memory the device reaches (once the device exists). */
struct vrdma_vm *vab_device_vm(void);

/* refuse.c: errno = EOPNOTSUPP and one stderr line naming the feature.
 * Returns EOPNOTSUPP (for the verbs that return an errno). */
int vab_unsupported(const char *feature);

/* cq.c and qp.c: the data path verbs.h reaches through context->ops. */
int vab_poll_cq(struct ibv_cq *cq, int num_entries, struct ibv_wc *wc);
int vab_req_notify_cq(struct ibv_cq *cq, int solicited_only);
int vab_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr, struct ibv_send_wr **bad_wr);
int vab_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr, struct ibv_recv_wr **bad_wr);
/* refuse.c: the extended ops, all refusals. */
void vab_set_refusing_ops(struct verbs_context *verbs);

#endif
