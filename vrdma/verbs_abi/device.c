/*
 * vrdma/verbs_abi/device.c -- device discovery, contexts and the queries:
 * ibv_get_device_list, ibv_open_device, ibv_query_device, ibv_query_port,
 * ibv_query_gid, _ibv_query_gid_ex, ibv_query_pkey.
 *
 * What programs check, and what the device answers:
 *   port: ACTIVE, link layer InfiniBand, LID = the soft HCA's UDP port (its
 *         address), one GID, one P_Key (the default, 0xffff);
 *   device: the driver's limits, plus what perftest reads to size its
 *         work (max_qp_rd_atom for ib_read_*; vendor 0, so perftest treats
 *         it as an unknown HCA and keeps the classic post_send).
 */
#include "vrdma/verbs_abi/abi.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define VAB_MAX_RD_ATOMIC 16 /* the soft HCA's SOFT_MAX_RD_ATOMIC */

VAB_EXPORT struct ibv_device **ibv_get_device_list(int *num_devices)
{
	struct ibv_device **list = calloc(2, sizeof *list);
	if (list == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	list[0] = vab_device();
	if (num_devices != NULL)
		*num_devices = list[0] ? 1 : 0;
	return list;
}

VAB_EXPORT void ibv_free_device_list(struct ibv_device **list)
{
	free(list);
}

VAB_EXPORT const char *ibv_get_device_name(struct ibv_device *device)
{
	return device->name;
}

VAB_EXPORT __be64 ibv_get_device_guid(struct ibv_device *device)
{
	struct vrdma_context *driver = vab_device_driver();
	return driver ? (__be64)vrdma_caps(driver)->node_guid : 0; /* kept in network order */
}

VAB_EXPORT struct ibv_context *ibv_open_device(struct ibv_device *device)
{
	struct vrdma_context *driver = vab_device_driver();
	if (driver == NULL || device != vab_device()) {
		errno = ENODEV;
		return NULL;
	}
	struct vab_context *c = calloc(1, sizeof *c);
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	c->driver = driver;
	c->verbs.sz = sizeof c->verbs;
	vab_set_refusing_ops(&c->verbs);
	struct ibv_context *ctx = &c->verbs.context;
	ctx->device = device;
	ctx->ops.poll_cq = vab_poll_cq;
	ctx->ops.req_notify_cq = vab_req_notify_cq;
	ctx->ops.post_send = vab_post_send;
	ctx->ops.post_recv = vab_post_recv;
	/* No command channel to the kernel; the async fd never fires (the
	 * device's async events are not forwarded). */
	ctx->cmd_fd = -1;
	ctx->async_fd = eventfd(0, EFD_CLOEXEC);
	ctx->num_comp_vectors = 1;
	pthread_mutex_init(&ctx->mutex, NULL);
	ctx->abi_compat = __VERBS_ABI_IS_EXTENDED;
	return ctx;
}

/* The driver's context stays open for the process (process.c); what the
 * program leaves behind is destroyed then by the device's RESET. */
VAB_EXPORT int ibv_close_device(struct ibv_context *context)
{
	struct vab_context *c = vab_context_of(context);
	if (context->async_fd >= 0)
		close(context->async_fd);
	pthread_mutex_destroy(&context->mutex);
	free(c);
	return 0;
}

VAB_EXPORT int ibv_query_device(struct ibv_context *context, struct ibv_device_attr *attr)
{
	struct vrdma_context *driver = vab_context_of(context)->driver;
	int rc = vrdma_query_device(driver, attr);
	if (rc != 0)
		return rc;
	attr->sys_image_guid = attr->node_guid;
	attr->hw_ver = 1;
	attr->max_qp_rd_atom = VAB_MAX_RD_ATOMIC;
	attr->max_qp_init_rd_atom = VAB_MAX_RD_ATOMIC;
	attr->max_res_rd_atom = VAB_MAX_RD_ATOMIC * attr->max_qp;
	attr->max_sge_rd = attr->max_sge;
	attr->max_pkeys = 1;
	attr->local_ca_ack_delay = 15;
	attr->atomic_cap = IBV_ATOMIC_NONE;
	return 0;
}

/* The libibverbs 1.1 entry: programs built against rdma-core 44 pass a
 * whole struct ibv_port_attr, older ones the shorter compat struct, which
 * ends at `flags`; only that much is written. */
#undef ibv_query_port
VAB_EXPORT int ibv_query_port(struct ibv_context *context, uint8_t port_num,
			      struct _compat_ibv_port_attr *out)
{
	struct ibv_port_attr attr;
	int rc = vrdma_query_port(vab_context_of(context)->driver, port_num, &attr);
	if (rc != 0)
		return rc;
	attr.port_cap_flags = 0;
	attr.pkey_tbl_len = 1;
	attr.lmc = 0;
	attr.max_vl_num = 1;
	attr.active_width = 2;  /* 4x */
	attr.active_speed = 32; /* EDR: a 100 Gb/s port, as a modern HCA's */
	attr.phys_state = 5;    /* LinkUp */
	memcpy(out, &attr, offsetof(struct ibv_port_attr, port_cap_flags2));
	return 0;
}

VAB_EXPORT int ibv_query_gid(struct ibv_context *context, uint8_t port_num, int index, union ibv_gid *gid)
{
	int rc = vrdma_query_gid(vab_context_of(context)->driver, port_num, index, gid);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

VAB_EXPORT int _ibv_query_gid_ex(struct ibv_context *context, uint32_t port_num, uint32_t gid_index,
				 struct ibv_gid_entry *entry, uint32_t flags, size_t entry_size)
{
	if (flags != 0 || entry_size < sizeof *entry || port_num > UINT8_MAX || gid_index > INT32_MAX)
		return EINVAL;
	memset(entry, 0, sizeof *entry);
	int rc = vrdma_query_gid(vab_context_of(context)->driver, (uint8_t)port_num, (int)gid_index, &entry->gid);
	if (rc != 0)
		return rc;
	entry->gid_index = gid_index;
	entry->port_num = port_num;
	entry->gid_type = IBV_GID_TYPE_IB;
	return 0;
}

VAB_EXPORT int ibv_query_pkey(struct ibv_context *context, uint8_t port_num, int index, __be16 *pkey)
{
	if (port_num != 1 || index != 0) {
		errno = EINVAL;
		return -1;
	}
	*pkey = htobe16(0xffff);
	return 0;
}

/* rdma-core's private entry (IBVERBS_PRIVATE_34) that ibv_devinfo -v
 * calls for each GID; left to libibverbs it would read the provider's
 * internals this context does not have.  The GID is an IB one (type 0,
 * "IB/RoCE v1"). */
VAB_EXPORT int ibv_query_gid_type(struct ibv_context *context, uint8_t port_num, unsigned int index,
				  int *type);
int ibv_query_gid_type(struct ibv_context *context, uint8_t port_num, unsigned int index, int *type)
{
	union ibv_gid gid;
	if (index > INT32_MAX || vrdma_query_gid(vab_context_of(context)->driver, port_num, (int)index, &gid) != 0) {
		errno = EINVAL;
		return -1;
	}
	*type = 0;
	return 0;
}
