/*
 * vrdma/guest/device.c -- opening the device, the command channel, guest
 * memory for objects.
 *
 * Opening: allocate the DSR page, the two command slots and the two event
 * rings in guest memory, write the DSR's address to DSR_LOW/DSR_HIGH, write
 * ACTIVATE to CTL, and wait for vector 0.  The device fills the DSR's caps.
 *
 * A command: fill the request slot, write REQUEST (a VM exit), wait for
 * vector 0, read the response slot.  One at a time (command_lock).
 */
#include "vrdma/guest/internal.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EVENT_RING_PAGES 2u /* state page + one page of 512 entries */

static void wait_vector(struct vrdma_context *ctx, enum vrdma_vector vector)
{
	uint64_t count;
	while (read(ctx->vm->irq_fd[vector], &count, sizeof count) < 0 && errno == EINTR)
		;
}

void vg_free_pages(struct vrdma_context *ctx, uint64_t gpa, uint32_t pages)
{
	if (pages != 0)
		vpa_free(&ctx->pages, (uint32_t)(gpa / VRDMA_PAGE_BYTES), pages);
}

int vg_describe_pages(struct vrdma_context *ctx, const uint64_t *gpas, uint32_t pages,
		      struct vrdma_pdir_ref *ref, uint64_t *directory_gpa, uint32_t *directory_pages)
{
	if (pages == 0 || pages > VPD_MAX_PAGES)
		return EINVAL;
	uint32_t overhead = vpd_overhead_pages(pages);
	uint32_t first = vpa_alloc(&ctx->pages, overhead);
	if (first == UINT32_MAX)
		return ENOMEM;
	uint64_t dir_gpa = (uint64_t)first * VRDMA_PAGE_BYTES;
	uint64_t tables[VPD_ENTRIES_PER_PAGE];
	for (uint32_t t = 0; t + 1 < overhead; t++)
		tables[t] = dir_gpa + (uint64_t)(t + 1) * VRDMA_PAGE_BYTES;
	vpd_fill(&ctx->vm->memory, dir_gpa, tables, gpas, pages);
	ref->dir_gpa = dir_gpa;
	ref->page_count = pages;
	ref->reserved = 0;
	*directory_gpa = dir_gpa;
	*directory_pages = overhead;
	return 0;
}

int vg_describe(struct vrdma_context *ctx, uint64_t first_gpa, uint32_t pages,
		struct vrdma_pdir_ref *ref, uint64_t *directory_gpa, uint32_t *directory_pages)
{
	if (pages == 0 || pages > VPD_MAX_PAGES)
		return EINVAL;
	uint64_t *gpas = malloc((size_t)pages * sizeof *gpas);
	if (gpas == NULL)
		return ENOMEM;
	for (uint32_t i = 0; i < pages; i++)
		gpas[i] = first_gpa + (uint64_t)i * VRDMA_PAGE_BYTES;
	int rc = vg_describe_pages(ctx, gpas, pages, ref, directory_gpa, directory_pages);
	free(gpas);
	return rc;
}

int vg_alloc_described(struct vrdma_context *ctx, uint32_t pages, uint8_t **memory, uint64_t *gpa,
		       struct vrdma_pdir_ref *ref, uint64_t *directory_gpa, uint32_t *directory_pages)
{
	uint32_t first = vpa_alloc(&ctx->pages, pages);
	if (first == UINT32_MAX)
		return ENOMEM;
	*gpa = (uint64_t)first * VRDMA_PAGE_BYTES;
	*memory = ctx->vm->memory.base + *gpa;
	memset(*memory, 0, (size_t)pages * VRDMA_PAGE_BYTES);
	int rc = vg_describe(ctx, *gpa, pages, ref, directory_gpa, directory_pages);
	if (rc != 0)
		vpa_free(&ctx->pages, first, pages);
	return rc;
}

int vg_command(struct vrdma_context *ctx, uint32_t command, union vrdma_request *req,
	       union vrdma_response *resp)
{
	pthread_mutex_lock(&ctx->command_lock);
	req->hdr.command = command;
	req->hdr.token = ++ctx->token;
	memcpy(ctx->request, req, sizeof *req);
	vdev_write_register(ctx->vm->device, VRDMA_REG_REQUEST, 1);
	wait_vector(ctx, VRDMA_VECTOR_COMMAND);
	memcpy(resp, ctx->response, sizeof *resp);
	pthread_mutex_unlock(&ctx->command_lock);
	if (resp->hdr.token != req->hdr.token || resp->hdr.ack != (command | VRDMA_RESPONSE_ACK))
		return EIO;
	return (int)resp->hdr.err;
}

static int alloc_event_ring(struct vrdma_context *ctx, struct vg_event_ring *ring,
			    struct vrdma_pdir_ref *ref)
{
	ring->pages = EVENT_RING_PAGES;
	ring->size = (EVENT_RING_PAGES - 1) * (VRDMA_PAGE_BYTES / 8u);
	ring->cons = 0;
	return vg_alloc_described(ctx, ring->pages, &ring->memory, &ring->gpa, ref,
				  &ring->directory_gpa, &ring->directory_pages);
}

static void free_context(struct vrdma_context *ctx)
{
	vpa_destroy(&ctx->pages);
	pthread_mutex_destroy(&ctx->command_lock);
	pthread_mutex_destroy(&ctx->event_lock);
	pthread_cond_destroy(&ctx->event_arrived);
	free(ctx->qps);
	free(ctx->cqs);
	free(ctx->pds);
	free(ctx->mrs);
	free(ctx);
}

/* What the application left open: the device's RESET destroyed it on the
 * device side; free the driver's side. */
static void free_leftovers(struct vrdma_context *ctx)
{
	for (uint32_t i = 0; ctx->qps && i < ctx->caps.max_qp; i++)
		free(ctx->qps[i]);
	for (uint32_t i = 0; ctx->cqs && i < ctx->caps.max_cq; i++)
		free(ctx->cqs[i]);
	for (uint32_t i = 0; ctx->pds && i < ctx->caps.max_pd; i++)
		free(ctx->pds[i]);
	for (uint32_t i = 0; ctx->mrs && i < ctx->caps.max_mr; i++)
		free(ctx->mrs[i]);
}

struct vrdma_context *vrdma_open_device(struct vrdma_vm *vm)
{
	struct vrdma_context *ctx = calloc(1, sizeof *ctx);
	if (ctx == NULL)
		return NULL;
	ctx->vm = vm;
	pthread_mutex_init(&ctx->command_lock, NULL);
	pthread_mutex_init(&ctx->event_lock, NULL);
	pthread_cond_init(&ctx->event_arrived, NULL);
	int rc = vpa_init(&ctx->pages, (uint32_t)(vm->memory.bytes / VRDMA_PAGE_BYTES));
	if (rc != 0 || vdev_read_register(vm->device, VRDMA_REG_VERSION) != VRDMA_ABI_VERSION) {
		free_context(ctx);
		errno = rc ? rc : ENODEV;
		return NULL;
	}
	uint32_t first = vpa_alloc(&ctx->pages, 3); /* DSR, request slot, response slot */
	struct vrdma_dsr dsr;
	memset(&dsr, 0, sizeof dsr);
	rc = first == UINT32_MAX ? ENOMEM : 0;
	if (rc == 0)
		rc = alloc_event_ring(ctx, &ctx->async_ring, &dsr.async_ring);
	if (rc == 0)
		rc = alloc_event_ring(ctx, &ctx->notify_ring, &dsr.notify_ring);
	if (rc != 0) {
		free_context(ctx);
		errno = rc;
		return NULL;
	}
	ctx->dsr_gpa = (uint64_t)first * VRDMA_PAGE_BYTES;
	ctx->dsr_page = vm->memory.base + ctx->dsr_gpa;
	ctx->request = (void *)(ctx->dsr_page + VRDMA_PAGE_BYTES);
	ctx->response = (void *)(ctx->dsr_page + 2 * VRDMA_PAGE_BYTES);
	dsr.driver_version = VRDMA_ABI_VERSION;
	dsr.request_slot_gpa = ctx->dsr_gpa + VRDMA_PAGE_BYTES;
	dsr.response_slot_gpa = ctx->dsr_gpa + 2 * VRDMA_PAGE_BYTES;
	memcpy(ctx->dsr_page, &dsr, sizeof dsr);
	vdev_write_register(vm->device, VRDMA_REG_DSR_LOW, (uint32_t)ctx->dsr_gpa);
	vdev_write_register(vm->device, VRDMA_REG_DSR_HIGH, (uint32_t)(ctx->dsr_gpa >> 32));
	vdev_write_register(vm->device, VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE);
	wait_vector(ctx, VRDMA_VECTOR_COMMAND);
	rc = (int)vdev_read_register(vm->device, VRDMA_REG_ERR);
	if (rc == 0) {
		memcpy(&ctx->caps, &((struct vrdma_dsr *)ctx->dsr_page)->caps, sizeof ctx->caps);
		ctx->qps = calloc(ctx->caps.max_qp, sizeof *ctx->qps);
		ctx->cqs = calloc(ctx->caps.max_cq, sizeof *ctx->cqs);
		ctx->pds = calloc(ctx->caps.max_pd, sizeof *ctx->pds);
		ctx->mrs = calloc(ctx->caps.max_mr, sizeof *ctx->mrs);
		if (ctx->qps == NULL || ctx->cqs == NULL || ctx->pds == NULL || ctx->mrs == NULL)
			rc = ENOMEM;
	}
	if (rc != 0) {
		free_context(ctx);
		errno = rc;
		return NULL;
	}
	return ctx;
}

int vrdma_close_device(struct vrdma_context *ctx)
{
	if (ctx == NULL)
		return 0;
	/* RESET destroys whatever the application left behind. */
	pthread_mutex_lock(&ctx->command_lock);
	vdev_write_register(ctx->vm->device, VRDMA_REG_CTL, VRDMA_CTL_RESET);
	wait_vector(ctx, VRDMA_VECTOR_COMMAND);
	pthread_mutex_unlock(&ctx->command_lock);
	free_leftovers(ctx);
	free_context(ctx);
	return 0;
}

const struct vrdma_caps *vrdma_caps(const struct vrdma_context *ctx)
{
	return &ctx->caps;
}

int vrdma_query_device(struct vrdma_context *ctx, struct ibv_device_attr *attr)
{
	memset(attr, 0, sizeof *attr);
	memcpy(attr->fw_ver, "vrdma-1", 8);
	attr->node_guid = ctx->caps.node_guid;
	attr->max_mr_size = ctx->caps.max_mr_bytes;
	attr->page_size_cap = VRDMA_PAGE_BYTES;
	attr->max_qp = (int)ctx->caps.max_qp;
	attr->max_qp_wr = (int)ctx->caps.max_qp_wr;
	attr->max_sge = (int)ctx->caps.max_sge;
	attr->max_cq = (int)ctx->caps.max_cq;
	attr->max_cqe = (int)ctx->caps.max_cqe;
	attr->max_mr = (int)ctx->caps.max_mr;
	attr->max_pd = (int)ctx->caps.max_pd;
	attr->phys_port_cnt = 1;
	return 0;
}

int vrdma_query_port(struct vrdma_context *ctx, uint8_t port_num, struct ibv_port_attr *attr)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_port.port_num = port_num;
	int rc = vg_command(ctx, VRDMA_CMD_QUERY_PORT, &req, &resp);
	if (rc != 0)
		return rc;
	memset(attr, 0, sizeof *attr);
	attr->state = (enum ibv_port_state)resp.query_port.state;
	attr->max_mtu = (enum ibv_mtu)resp.query_port.max_mtu;
	attr->active_mtu = (enum ibv_mtu)resp.query_port.active_mtu;
	attr->lid = (uint16_t)resp.query_port.lid;
	attr->gid_tbl_len = (int)resp.query_port.gid_tbl_len;
	attr->max_msg_sz = resp.query_port.max_msg_bytes;
	attr->link_layer = (uint8_t)resp.query_port.link_layer;
	return 0;
}

int vrdma_query_gid(struct vrdma_context *ctx, uint8_t port_num, int index, union ibv_gid *gid)
{
	union vrdma_request req;
	union vrdma_response resp;
	if (index < 0)
		return EINVAL;
	memset(&req, 0, sizeof req);
	req.query_gid.port_num = port_num;
	req.query_gid.index = (uint32_t)index;
	int rc = vg_command(ctx, VRDMA_CMD_QUERY_GID, &req, &resp);
	if (rc == 0)
		memcpy(gid->raw, resp.query_gid.gid, sizeof gid->raw);
	return rc;
}

void *vrdma_alloc_buffer(struct vrdma_context *ctx, size_t bytes)
{
	uint64_t pages = (bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES;
	uint32_t first = pages == 0 || pages > UINT32_MAX ? UINT32_MAX : vpa_alloc(&ctx->pages, (uint32_t)pages);
	if (first == UINT32_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	return ctx->vm->memory.base + (uint64_t)first * VRDMA_PAGE_BYTES;
}

void vrdma_free_buffer(struct vrdma_context *ctx, void *buffer, size_t bytes)
{
	uint64_t gpa = vgm_gpa_of(&ctx->vm->memory, buffer);
	if (gpa != UINT64_MAX)
		vg_free_pages(ctx, gpa, (uint32_t)((bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES));
}

void vrdma_context_moved(struct vrdma_context *ctx, struct vrdma_vm *vm)
{
	ctx->vm = vm;
}
