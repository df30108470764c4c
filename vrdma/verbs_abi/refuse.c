/*
 * vrdma/verbs_abi/refuse.c -- what the vRDMA device does not have, refused
 * with errno EOPNOTSUPP and one stderr line naming the feature: address
 * handles (UD), shared receive queues, multicast, the extended post-send
 * API (ibv_wr_*), extended CQs and QPs, XRC, and the RDMA connection
 * manager (librdmacm's entry points are interposed too: left alone, it
 * would drive this library's devices through paths it does not offer).
 */
#include "vrdma/verbs_abi/abi.h"

#include <errno.h>
#include <stdio.h>

int vab_unsupported(const char *feature)
{
	fprintf(stderr, "vrdma: %s: not supported by the vRDMA device (RC queue pairs only)\n", feature);
	errno = EOPNOTSUPP;
	return EOPNOTSUPP;
}

static void *refuse_null(const char *feature)
{
	vab_unsupported(feature);
	return NULL;
}

VAB_EXPORT struct ibv_ah *ibv_create_ah(struct ibv_pd *pd, struct ibv_ah_attr *attr)
{
	return refuse_null("address handles (UD)");
}

VAB_EXPORT struct ibv_ah *ibv_create_ah_from_wc(struct ibv_pd *pd, struct ibv_wc *wc, struct ibv_grh *grh,
						uint8_t port_num)
{
	return refuse_null("address handles (UD)");
}

VAB_EXPORT int ibv_destroy_ah(struct ibv_ah *ah)
{
	return vab_unsupported("address handles (UD)");
}

VAB_EXPORT struct ibv_srq *ibv_create_srq(struct ibv_pd *pd, struct ibv_srq_init_attr *attr)
{
	return refuse_null("shared receive queues (SRQ)");
}

VAB_EXPORT int ibv_destroy_srq(struct ibv_srq *srq)
{
	return vab_unsupported("shared receive queues (SRQ)");
}

VAB_EXPORT int ibv_attach_mcast(struct ibv_qp *qp, const union ibv_gid *gid, uint16_t lid)
{
	return vab_unsupported("multicast");
}

VAB_EXPORT int ibv_detach_mcast(struct ibv_qp *qp, const union ibv_gid *gid, uint16_t lid)
{
	return vab_unsupported("multicast");
}

VAB_EXPORT struct ibv_qp_ex *ibv_qp_to_qp_ex(struct ibv_qp *qp)
{
	return refuse_null("the extended post-send API (ibv_qp_to_qp_ex, ibv_wr_*)");
}

VAB_EXPORT const char *ibv_wc_status_str(enum ibv_wc_status status)
{
	return vrdma_wc_status_str(status);
}

/* Verbs whose libibverbs versions would reach into a provider's private
 * state this context does not have: refused here instead of crashing. */
VAB_EXPORT int ibv_resize_cq(struct ibv_cq *cq, int cqe)
{
	return vab_unsupported("resizing a completion queue (ibv_resize_cq)");
}

VAB_EXPORT int ibv_rereg_mr(struct ibv_mr *mr, int flags, struct ibv_pd *pd, void *addr, size_t length, int access)
{
	vab_unsupported("re-registering a memory region (ibv_rereg_mr)");
	return IBV_REREG_MR_ERR_INPUT;
}

VAB_EXPORT int ibv_modify_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr, int mask)
{
	return vab_unsupported("shared receive queues (SRQ)");
}

VAB_EXPORT int ibv_query_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr)
{
	return vab_unsupported("shared receive queues (SRQ)");
}

VAB_EXPORT int ibv_query_ece(struct ibv_qp *qp, struct ibv_ece *ece)
{
	return vab_unsupported("enhanced connection establishment (ECE)");
}

VAB_EXPORT int ibv_set_ece(struct ibv_qp *qp, struct ibv_ece *ece)
{
	return vab_unsupported("enhanced connection establishment (ECE)");
}

VAB_EXPORT struct ibv_context *ibv_import_device(int cmd_fd)
{
	return refuse_null("importing objects from another process (ibv_import_*)");
}

VAB_EXPORT struct ibv_pd *ibv_import_pd(struct ibv_context *context, uint32_t pd_handle)
{
	return refuse_null("importing objects from another process (ibv_import_*)");
}

VAB_EXPORT struct ibv_mr *ibv_import_mr(struct ibv_pd *pd, uint32_t mr_handle)
{
	return refuse_null("importing objects from another process (ibv_import_*)");
}

VAB_EXPORT struct ibv_mr *ibv_reg_dmabuf_mr(struct ibv_pd *pd, uint64_t offset, size_t length, uint64_t iova,
					    int fd, int access)
{
	return refuse_null("dma-buf memory regions (ibv_reg_dmabuf_mr)");
}

/* ---- the extended context's ops ---- */

static struct ibv_cq_ex *refuse_cq_ex(struct ibv_context *context, struct ibv_cq_init_attr_ex *attr)
{
	return refuse_null("extended completion queues (ibv_create_cq_ex)");
}

static struct ibv_qp *refuse_qp_ex(struct ibv_context *context, struct ibv_qp_init_attr_ex *attr)
{
	return refuse_null("extended queue pair attributes (ibv_create_qp_ex beyond a PD)");
}

static struct ibv_srq *refuse_srq_ex(struct ibv_context *context, struct ibv_srq_init_attr_ex *attr)
{
	return refuse_null("shared receive queues (SRQ)");
}

static struct ibv_xrcd *refuse_xrcd(struct ibv_context *context, struct ibv_xrcd_init_attr *attr)
{
	return refuse_null("XRC domains");
}

static struct ibv_td *refuse_td(struct ibv_context *context, struct ibv_td_init_attr *attr)
{
	return refuse_null("thread domains");
}

static struct ibv_dm *refuse_dm(struct ibv_context *context, struct ibv_alloc_dm_attr *attr)
{
	return refuse_null("device memory (ibv_alloc_dm)");
}

void vab_set_refusing_ops(struct verbs_context *v)
{
	v->create_cq_ex = refuse_cq_ex;
	v->create_qp_ex = refuse_qp_ex;
	v->create_srq_ex = refuse_srq_ex;
	v->open_xrcd = refuse_xrcd;
	v->alloc_td = refuse_td;
	v->alloc_dm = refuse_dm;
}

/* ---- librdmacm (RDMACM_1.0), with its types left opaque ---- */

struct rdma_event_channel;
struct rdma_cm_id;
struct rdma_addrinfo;
VAB_EXPORT struct rdma_event_channel *rdma_create_event_channel(void);
VAB_EXPORT int rdma_create_id(struct rdma_event_channel *channel, struct rdma_cm_id **id, void *context,
			      int port_space);
VAB_EXPORT int rdma_getaddrinfo(const char *node, const char *service, const struct rdma_addrinfo *hints,
				struct rdma_addrinfo **res);

struct rdma_event_channel *rdma_create_event_channel(void)
{
	return refuse_null("the RDMA connection manager (rdma_cm)");
}

int rdma_create_id(struct rdma_event_channel *channel, struct rdma_cm_id **id, void *context, int port_space)
{
	vab_unsupported("the RDMA connection manager (rdma_cm)");
	return -1;
}

int rdma_getaddrinfo(const char *node, const char *service, const struct rdma_addrinfo *hints,
		     struct rdma_addrinfo **res)
{
	vab_unsupported("the RDMA connection manager (rdma_cm)");
	return -1;
}
