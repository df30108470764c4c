/*
 * vrdma/guest/objects.c -- protection domains, regions, CQs and QPs.
 *
 * Each create puts the object's memory (rings) in guest pages, describes
 * them by a page directory and sends one command; each destroy sends one
 * command and gives the pages back.
 */
#include "vrdma/guest/internal.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/qp_attr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t round_up_pow2(uint32_t n)
{
	uint32_t p = 1;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

static uint32_t pages_for(uint64_t bytes)
{
	return (uint32_t)((bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES);
}

/* One DESTROY_* command for HANDLE. */
static int destroy_object(struct vrdma_context *ctx, uint32_t command, uint32_t handle)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.destroy.handle = handle;
	return vg_command(ctx, command, &req, &resp);
}

static void *fail(int rc, void *to_free)
{
	free(to_free);
	errno = rc;
	return NULL;
}

struct vrdma_pd *vrdma_alloc_pd(struct vrdma_context *ctx)
{
	struct vrdma_pd *pd = calloc(1, sizeof *pd);
	if (pd == NULL)
		return fail(ENOMEM, NULL);
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	int rc = vg_command(ctx, VRDMA_CMD_CREATE_PD, &req, &resp);
	if (rc != 0)
		return fail(rc, pd);
	pd->context = ctx;
	pd->handle = resp.create_pd.pd_handle;
	if (pd->handle == 0 || pd->handle > ctx->caps.max_pd) {
		vrdma_dealloc_pd(pd);
		return fail(EIO, NULL);
	}
	ctx->pds[pd->handle - 1] = pd;
	return pd;
}

int vrdma_dealloc_pd(struct vrdma_pd *pd)
{
	int rc = destroy_object(pd->context, VRDMA_CMD_DESTROY_PD, pd->handle);
	if (rc == 0) {
		if (pd->handle != 0 && pd->handle <= pd->context->caps.max_pd)
			pd->context->pds[pd->handle - 1] = NULL;
		free(pd);
	}
	return rc;
}

struct vrdma_mr *vrdma_reg_mr(struct vrdma_pd *pd, void *addr, size_t length, int access)
{
	return vrdma_reg_mr_iova(pd, addr, length, (uintptr_t)addr, access);
}

struct vrdma_mr *vrdma_reg_mr_iova(struct vrdma_pd *pd, void *addr, size_t length, uint64_t iova,
				   int access)
{
	struct vrdma_context *ctx = pd->context;
	uint64_t gpa = vgm_gpa_of(&ctx->vm->memory, addr);
	if (length == 0 || gpa == UINT64_MAX || length > ctx->vm->memory.bytes - gpa)
		return fail(EFAULT, NULL);
	uint64_t first_page_gpa = gpa & ~(uint64_t)(VRDMA_PAGE_BYTES - 1);
	uint64_t pages = pages_for((gpa - first_page_gpa) + length);
	uint64_t *gpas = malloc(pages * sizeof *gpas);
	if (gpas == NULL)
		return fail(ENOMEM, NULL);
	for (uint64_t i = 0; i < pages; i++)
		gpas[i] = first_page_gpa + i * VRDMA_PAGE_BYTES;
	struct vrdma_mr *mr = vrdma_reg_mr_pages(pd, gpas, (uint32_t)pages, (uint32_t)(gpa - first_page_gpa), length,
						 iova, access);
	free(gpas);
	return mr;
}

struct vrdma_mr *vrdma_reg_mr_pages(struct vrdma_pd *pd, const uint64_t *page_gpas, uint32_t pages,
				    uint32_t first_page_offset, size_t length, uint64_t iova, int access)
{
	struct vrdma_context *ctx = pd->context;
	if (length == 0 || pages == 0 || first_page_offset >= VRDMA_PAGE_BYTES ||
	    pages_for(first_page_offset + (uint64_t)length) != pages)
		return fail(EINVAL, NULL);
	for (uint32_t i = 0; i < pages; i++)
		if (page_gpas[i] % VRDMA_PAGE_BYTES != 0 || !vgm_at(&ctx->vm->memory, page_gpas[i], VRDMA_PAGE_BYTES))
			return fail(EFAULT, NULL);
	struct vrdma_mr *mr = calloc(1, sizeof *mr);
	if (mr == NULL)
		return fail(ENOMEM, NULL);
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	int rc = vg_describe_pages(ctx, page_gpas, pages, &req.create_mr.pages, &mr->directory_gpa,
				   &mr->directory_pages);
	if (rc != 0)
		return fail(rc, mr);
	req.create_mr.iova = iova;
	req.create_mr.length_bytes = length;
	req.create_mr.pd_handle = pd->handle;
	req.create_mr.access_flags = (uint32_t)access;
	rc = vg_command(ctx, VRDMA_CMD_CREATE_MR, &req, &resp);
	/* The directory was only needed while the device walked it. */
	vg_free_pages(ctx, mr->directory_gpa, mr->directory_pages);
	mr->directory_pages = 0;
	if (rc != 0)
		return fail(rc, mr);
	mr->pd = pd;
	mr->addr = ctx->vm->memory.base + page_gpas[0] + first_page_offset;
	mr->length = length;
	mr->handle = resp.create_mr.mr_handle;
	mr->lkey = resp.create_mr.lkey;
	mr->rkey = resp.create_mr.rkey;
	if (mr->handle == 0 || mr->handle > ctx->caps.max_mr) {
		vrdma_dereg_mr(mr);
		return fail(EIO, NULL);
	}
	ctx->mrs[mr->handle - 1] = mr;
	return mr;
}

int vrdma_dereg_mr(struct vrdma_mr *mr)
{
	struct vrdma_context *ctx = mr->pd->context;
	int rc = destroy_object(ctx, VRDMA_CMD_DESTROY_MR, mr->handle);
	if (rc == 0) {
		if (mr->handle != 0 && mr->handle <= ctx->caps.max_mr)
			ctx->mrs[mr->handle - 1] = NULL;
		free(mr);
	}
	return rc;
}

struct vrdma_comp_channel *vrdma_create_comp_channel(struct vrdma_context *ctx)
{
	struct vrdma_comp_channel *ch = calloc(1, sizeof *ch);
	if (ch == NULL)
		return fail(ENOMEM, NULL);
	ch->context = ctx;
	return ch;
}

int vrdma_destroy_comp_channel(struct vrdma_comp_channel *ch)
{
	free(ch);
	return 0;
}

struct vrdma_cq *vrdma_create_cq(struct vrdma_context *ctx, int cqe, void *cq_context,
				 struct vrdma_comp_channel *channel)
{
	if (cqe <= 0 || (uint32_t)cqe > ctx->caps.max_cqe)
		return fail(EINVAL, NULL);
	struct vrdma_cq *cq = calloc(1, sizeof *cq);
	if (cq == NULL)
		return fail(ENOMEM, NULL);
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	cq->size = round_up_pow2((uint32_t)cqe);
	cq->memory_pages = 1 + pages_for((uint64_t)cq->size * VRDMA_CQE_BYTES);
	int rc = vg_alloc_described(ctx, cq->memory_pages, &cq->memory, &cq->memory_gpa,
				    &req.create_cq.ring, &cq->directory_gpa, &cq->directory_pages);
	if (rc != 0)
		return fail(rc, cq);
	req.create_cq.cqe_count = cq->size;
	rc = vg_command(ctx, VRDMA_CMD_CREATE_CQ, &req, &resp);
	if (rc != 0) {
		vg_free_pages(ctx, cq->memory_gpa, cq->memory_pages);
		vg_free_pages(ctx, cq->directory_gpa, cq->directory_pages);
		return fail(rc, cq);
	}
	cq->context = ctx;
	cq->channel = channel;
	cq->cq_context = cq_context;
	cq->handle = resp.create_cq.cq_handle;
	if (cq->handle == 0 || cq->handle > ctx->caps.max_cq) {
		vrdma_destroy_cq(cq);
		return fail(EIO, NULL);
	}
	ctx->cqs[cq->handle - 1] = cq;
	return cq;
}

int vrdma_destroy_cq(struct vrdma_cq *cq)
{
	struct vrdma_context *ctx = cq->context;
	int rc = destroy_object(ctx, VRDMA_CMD_DESTROY_CQ, cq->handle);
	if (rc != 0)
		return rc;
	if (cq->handle != 0 && cq->handle <= ctx->caps.max_cq)
		ctx->cqs[cq->handle - 1] = NULL;
	vg_free_pages(ctx, cq->memory_gpa, cq->memory_pages);
	vg_free_pages(ctx, cq->directory_gpa, cq->directory_pages);
	free(cq);
	return 0;
}

struct vrdma_qp *vrdma_create_qp(struct vrdma_pd *pd, struct vrdma_cq *send_cq,
				 struct vrdma_cq *recv_cq, struct ibv_qp_init_attr *init)
{
	struct vrdma_context *ctx = pd->context;
	struct ibv_qp_cap *cap = &init->cap;
	if (init->qp_type != IBV_QPT_RC || cap->max_send_wr == 0 || cap->max_recv_wr == 0 ||
	    cap->max_send_wr > ctx->caps.max_qp_wr || cap->max_recv_wr > ctx->caps.max_qp_wr ||
	    cap->max_send_sge > VRDMA_MAX_SGE || cap->max_recv_sge > VRDMA_MAX_SGE ||
	    cap->max_inline_data > VRDMA_MAX_INLINE_BYTES)
		return fail(EINVAL, NULL);
	struct vrdma_qp *qp = calloc(1, sizeof *qp);
	if (qp == NULL)
		return fail(ENOMEM, NULL);
	qp->cap = *cap;
	qp->cap.max_send_wr = round_up_pow2(cap->max_send_wr);
	qp->cap.max_recv_wr = round_up_pow2(cap->max_recv_wr);
	uint32_t sq_pages = pages_for((uint64_t)qp->cap.max_send_wr * VRDMA_WQE_BYTES);
	uint32_t rq_pages = pages_for((uint64_t)qp->cap.max_recv_wr * VRDMA_WQE_BYTES);
	qp->memory_pages = 1 + sq_pages + rq_pages;
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	int rc = vg_alloc_described(ctx, qp->memory_pages, &qp->memory, &qp->memory_gpa,
				    &req.create_qp.pages, &qp->directory_gpa, &qp->directory_pages);
	if (rc != 0)
		return fail(rc, qp);
	req.create_qp.pd_handle = pd->handle;
	req.create_qp.send_cq_handle = send_cq->handle;
	req.create_qp.recv_cq_handle = recv_cq->handle;
	req.create_qp.sq_sig_all = init->sq_sig_all ? 1 : 0;
	req.create_qp.max_send_wr = qp->cap.max_send_wr;
	req.create_qp.max_recv_wr = qp->cap.max_recv_wr;
	req.create_qp.max_send_sge = cap->max_send_sge;
	req.create_qp.max_recv_sge = cap->max_recv_sge;
	req.create_qp.max_inline_data = cap->max_inline_data;
	req.create_qp.sq_first_page = 1;
	req.create_qp.rq_first_page = 1 + sq_pages;
	rc = vg_command(ctx, VRDMA_CMD_CREATE_QP, &req, &resp);
	if (rc == 0 && (resp.create_qp.qp_handle == 0 || resp.create_qp.qp_handle > ctx->caps.max_qp))
		rc = EIO;
	if (rc != 0) {
		vg_free_pages(ctx, qp->memory_gpa, qp->memory_pages);
		vg_free_pages(ctx, qp->directory_gpa, qp->directory_pages);
		return fail(rc, qp);
	}
	qp->context = ctx;
	qp->pd = pd;
	qp->send_cq = send_cq;
	qp->recv_cq = recv_cq;
	qp->qp_context = init->qp_context;
	qp->handle = resp.create_qp.qp_handle;
	qp->qp_num = resp.create_qp.qpn;
	qp->state = IBV_QPS_RESET;
	qp->sq_sig_all = init->sq_sig_all;
	*cap = qp->cap;
	ctx->qps[qp->handle - 1] = qp;
	return qp;
}

int vrdma_modify_qp(struct vrdma_qp *qp, struct ibv_qp_attr *attr, int attr_mask)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = qp->handle;
	req.modify_qp.attr_mask = (uint32_t)attr_mask;
	vrdma_qp_attr_from_verbs(attr, &req.modify_qp.attr);
	int rc = vg_command(qp->context, VRDMA_CMD_MODIFY_QP, &req, &resp);
	if (rc == 0 && (attr_mask & IBV_QP_STATE)) {
		qp->state = attr->qp_state;
		if (attr->qp_state == IBV_QPS_RESET) {
			/* The device restarted both rings. */
			struct vrdma_ring_state *sq = (void *)(qp->memory + VRDMA_QP_SQ_STATE_OFFSET);
			struct vrdma_ring_state *rq = (void *)(qp->memory + VRDMA_QP_RQ_STATE_OFFSET);
			qp->sq_prod = qp->rq_prod = 0;
			__atomic_store_n(&sq->prod_tail, 0, __ATOMIC_RELEASE);
			__atomic_store_n(&rq->prod_tail, 0, __ATOMIC_RELEASE);
		}
	}
	return rc;
}

int vrdma_query_qp(struct vrdma_qp *qp, struct ibv_qp_attr *attr, int attr_mask,
		   struct ibv_qp_init_attr *init)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_qp.qp_handle = qp->handle;
	int rc = vg_command(qp->context, VRDMA_CMD_QUERY_QP, &req, &resp);
	if (rc != 0)
		return rc;
	vrdma_qp_attr_to_verbs(&resp.query_qp.attr, attr);
	attr->cap = qp->cap;
	if (init != NULL) {
		memset(init, 0, sizeof *init);
		init->qp_type = IBV_QPT_RC;
		init->cap = qp->cap;
		init->sq_sig_all = qp->sq_sig_all;
		init->qp_context = qp->qp_context;
	}
	(void)attr_mask;
	return 0;
}

int vrdma_destroy_qp(struct vrdma_qp *qp)
{
	struct vrdma_context *ctx = qp->context;
	int rc = destroy_object(ctx, VRDMA_CMD_DESTROY_QP, qp->handle);
	if (rc != 0)
		return rc;
	ctx->qps[qp->handle - 1] = NULL;
	vg_free_pages(ctx, qp->memory_gpa, qp->memory_pages);
	vg_free_pages(ctx, qp->directory_gpa, qp->directory_pages);
	free(qp);
	return 0;
}
