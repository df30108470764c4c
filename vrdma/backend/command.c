/*
 * vrdma/backend/command.c -- the command channel and its commands.
 *
 * The guest writes a request into its request slot and writes REQUEST.  The
 * backend copies the whole request out of guest memory once (so the guest
 * cannot change it under our feet), checks every field, executes it through
 * the device layer, writes the response slot, sets ERR and raises vector 0.
 * Every refusal is an errno in the response: EINVAL for a malformed request,
 * ENOENT for a handle that names nothing of this guest's, EBUSY for an
 * object still in use, ENOMEM when a table is full or the guest is over
 * its share of the host (account.h).
 *
 * Commands that walk a page directory (CREATE_MR, CREATE_CQ, CREATE_QP)
 * run in phases, so that no command holds the backend thread for longer
 * than a turn's page budget (backend.h, VBACKEND_TURN_PAGES):
 *
 *   REQUEST --begin--> walking --(budget spent)--> walking (next turn) ...
 *                         |                           |
 *                         +---- walk done: finish ----+--> response, ERR, vector 0
 *   reset or VM destroyed while walking: vb_walk_free (arrays freed, bill released)
 *
 * begin_X checks the request and charges the bill (vb_walk_begin, walk.c);
 * each turn walks at most the budget (vb_continue_command); finish_X
 * creates the object from the pages walked and takes the arrays and the
 * bill.  Every object is charged to its guest before the host allocates
 * anything for it (bill.c); activation and reset are lifecycle.c's.
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/qp_attr.h"
#include "vrdma/device/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)

static uint32_t pages_spanned(uint64_t iova, uint64_t length)
{
	uint64_t first = iova & (VRDMA_PAGE_BYTES - 1);
	return (uint32_t)((first + length + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES);
}

static uint32_t slot_pages(uint32_t slots, uint32_t slot_bytes)
{
	return (uint32_t)(((uint64_t)slots * slot_bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES);
}


/* ---- commands ---- */

static uint32_t free_slot(const void *table, size_t entry_bytes, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		if (!*(const int *)((const char *)table + i * entry_bytes))
			return i + 1;
	return 0;
}

static int cmd_query_port(struct vdev *dev, const union vrdma_request *req, union vrdma_response *resp)
{
	struct ibv_port_attr port;
	if (req->query_port.port_num != 1)
		return EINVAL;
	memset(&port, 0, sizeof port);
	int rc = dev->backend->hca->ops->query_port(dev->backend->hca, 1, &port);
	if (rc != 0)
		return rc;
	resp->query_port.state = port.state;
	resp->query_port.max_mtu = port.max_mtu;
	resp->query_port.active_mtu = port.active_mtu;
	resp->query_port.lid = port.lid;
	resp->query_port.gid_tbl_len = (uint32_t)port.gid_tbl_len;
	resp->query_port.max_msg_bytes = port.max_msg_sz;
	resp->query_port.link_layer = port.link_layer;
	return 0;
}

static int cmd_query_gid(struct vdev *dev, const union vrdma_request *req, union vrdma_response *resp)
{
	union ibv_gid gid;
	if (req->query_gid.port_num != 1 || req->query_gid.index > 255)
		return EINVAL;
	struct vhca *hca = dev->backend->hca;
	int rc = hca->ops->query_gid(hca, 1, (int)req->query_gid.index, &gid);
	if (rc == 0)
		memcpy(resp->query_gid.gid, gid.raw, sizeof gid.raw);
	return rc;
}

static int cmd_create_pd(struct vdev *dev, union vrdma_response *resp)
{
	uint32_t handle = free_slot(dev->pds, sizeof *dev->pds, dev->backend->config.max_pd_per_guest);
	if (handle == 0)
		return ENOMEM;
	struct vb_pd *pd = &dev->pds[handle - 1];
	int rc = vb_charge(dev, vb_pd_bill());
	if (rc != 0)
		return rc;
	rc = dev->backend->hca->ops->alloc_pd(dev->backend->hca, &pd->pdn);
	if (rc != 0) {
		vb_release(dev, vb_pd_bill());
		return rc;
	}
	pd->used = 1;
	resp->create_pd.pd_handle = handle;
	return 0;
}

static int pd_in_use(struct vdev *dev, uint32_t handle)
{
	const struct vbackend_config *c = &dev->backend->config;
	for (uint32_t i = 0; i < c->max_mr_per_guest; i++)
		if (dev->mrs[i].used && dev->mrs[i].pd_handle == handle)
			return 1;
	for (uint32_t i = 0; i < c->max_qp_per_guest; i++)
		if (dev->qps[i].used && dev->qps[i].pd_handle == handle)
			return 1;
	return 0;
}

static int cmd_destroy_pd(struct vdev *dev, const union vrdma_request *req)
{
	struct vb_pd *pd = vb_pd_get(dev, req->destroy_pd.pd_handle);
	if (pd == NULL)
		return ENOENT;
	if (pd_in_use(dev, req->destroy_pd.pd_handle))
		return EBUSY;
	int rc = dev->backend->hca->ops->dealloc_pd(dev->backend->hca, pd->pdn);
	if (rc == 0) {
		pd->used = 0;
		vb_release(dev, vb_pd_bill());
	}
	return rc;
}

static int begin_create_mr(struct vdev *dev, const union vrdma_request *req, char *why, size_t why_bytes)
{
	const __typeof__(req->create_mr) *r = &req->create_mr;
	if (vb_pd_get(dev, r->pd_handle) == NULL)
		return ENOENT;
	if (r->length_bytes == 0 || r->length_bytes > (uint64_t)VPD_MAX_PAGES * VRDMA_PAGE_BYTES ||
	    r->iova > UINT64_MAX - r->length_bytes || (r->access_flags & ~KNOWN_ACCESS) != 0 ||
	    r->pages.page_count != pages_spanned(r->iova, r->length_bytes))
		return EINVAL;
	/* verbs: remote write needs local write */
	if ((r->access_flags & IBV_ACCESS_REMOTE_WRITE) && !(r->access_flags & IBV_ACCESS_LOCAL_WRITE))
		return EINVAL;
	uint32_t handle = free_slot(dev->mrs, sizeof *dev->mrs, dev->backend->config.max_mr_per_guest);
	if (handle == 0)
		return ENOMEM;
	return vb_walk_begin(dev, &r->pages, VPD_MAX_PAGES, vb_mr_bill(r->pages.page_count), handle, why,
			  why_bytes);
}

static int finish_create_mr(struct vdev *dev, union vrdma_response *resp)
{
	struct vb_walk *w = &dev->walk;
	const __typeof__(w->req.create_mr) *r = &w->req.create_mr;
	struct vb_pd *pd = vb_pd_get(dev, r->pd_handle);
	struct vb_mr *mr = &dev->mrs[w->handle - 1];
	uint32_t n = r->pages.page_count;
	if (pd == NULL)
		return ENOENT;
	mr->mem = (struct vhca_mem){
		.iova = r->iova,
		.length_bytes = r->length_bytes,
		.first_page_offset = (uint32_t)(r->iova & (VRDMA_PAGE_BYTES - 1)),
		.page_count = n,
		.pages = w->pages,
		.page_offsets = w->gpas,
		.fd = dev->memory.fd,
	};
	VB_TRACE(dev, VTRACE_TRANSLATE, VTRACE_ACTOR_BACKEND, w->handle, 0, n, r->length_bytes, 0, 0);
	int rc = dev->backend->hca->ops->reg_mr(dev->backend->hca, pd->pdn, &mr->mem, (int)r->access_flags,
						 &mr->lkey, &mr->rkey);
	if (rc != 0) {
		memset(mr, 0, sizeof *mr);
		return rc;
	}
	mr->pages = w->pages;
	mr->gpas = w->gpas;
	vb_walk_taken(w, 1);
	mr->used = 1;
	mr->access = (int)r->access_flags;
	mr->pd_handle = r->pd_handle;
	resp->create_mr.mr_handle = w->handle;
	resp->create_mr.lkey = mr->lkey;
	resp->create_mr.rkey = mr->rkey;
	return 0;
}

static int cmd_destroy_mr(struct vdev *dev, const union vrdma_request *req)
{
	struct vb_mr *mr = vb_mr_get(dev, req->destroy_mr.mr_handle);
	if (mr == NULL)
		return ENOENT;
	vb_destroy_mr(dev, mr);
	return 0;
}

static int begin_create_cq(struct vdev *dev, const union vrdma_request *req, char *why, size_t why_bytes)
{
	const __typeof__(req->create_cq) *r = &req->create_cq;
	uint32_t size = r->cqe_count;
	if (!vring_size_ok(size) || size > dev->backend->config.max_cqe)
		return EINVAL;
	if (r->ring.page_count != 1 + slot_pages(size, VRDMA_CQE_BYTES))
		return EINVAL;
	uint32_t handle = free_slot(dev->cqs, sizeof *dev->cqs, dev->backend->config.max_cq_per_guest);
	if (handle == 0)
		return ENOMEM;
	return vb_walk_begin(dev, &r->ring, r->ring.page_count, vb_cq_bill(size, r->ring.page_count), handle,
			  why, why_bytes);
}

static int finish_create_cq(struct vdev *dev, union vrdma_response *resp)
{
	struct vb_walk *w = &dev->walk;
	const __typeof__(w->req.create_cq) *r = &w->req.create_cq;
	struct vb_cq *cq = &dev->cqs[w->handle - 1];
	uint32_t size = r->cqe_count;
	struct vrdma_ring_state *state = (struct vrdma_ring_state *)w->pages[0];
	int rc = vb_ring_setup(&cq->ring, w->pages, r->ring.page_count, 1, VRDMA_CQE_BYTES, size,
			       &state->cons_head, &state->prod_tail);
	if (rc == 0)
		rc = dev->backend->hca->ops->create_cq(dev->backend->hca, (int)size, vb_cq_event, cq,
						       &cq->cqn);
	if (rc != 0) {
		memset(cq, 0, sizeof *cq);
		return rc;
	}
	vb_walk_taken(w, 0);
	vring_store(cq->ring.device_index, 0);
	atomic_store(&cq->arm, 0);
	cq->used = 1;
	cq->dev = dev;
	cq->handle = w->handle;
	resp->create_cq.cq_handle = w->handle;
	resp->create_cq.cqe_count = size;
	return 0;
}

static int cmd_destroy_cq(struct vdev *dev, const union vrdma_request *req)
{
	struct vb_cq *cq = vb_cq_get(dev, req->destroy_cq.cq_handle);
	if (cq == NULL)
		return ENOENT;
	if (cq->qp_refs != 0)
		return EBUSY;
	vb_destroy_cq(dev, cq);
	return 0;
}

static int check_qp_request(struct vdev *dev, const __typeof__(((union vrdma_request *)0)->create_qp) *r)
{
	const struct vbackend_config *c = &dev->backend->config;
	if (vb_pd_get(dev, r->pd_handle) == NULL || vb_cq_get(dev, r->send_cq_handle) == NULL ||
	    vb_cq_get(dev, r->recv_cq_handle) == NULL)
		return ENOENT;
	if (!vring_size_ok(r->max_send_wr) || !vring_size_ok(r->max_recv_wr) ||
	    r->max_send_wr > c->max_qp_wr || r->max_recv_wr > c->max_qp_wr ||
	    r->max_send_sge > VRDMA_MAX_SGE || r->max_recv_sge > VRDMA_MAX_SGE ||
	    r->max_inline_data > VRDMA_MAX_INLINE_BYTES || r->sq_sig_all > 1)
		return EINVAL;
	uint64_t sq_end = (uint64_t)r->sq_first_page + slot_pages(r->max_send_wr, VRDMA_WQE_BYTES);
	uint64_t rq_end = (uint64_t)r->rq_first_page + slot_pages(r->max_recv_wr, VRDMA_WQE_BYTES);
	if (r->sq_first_page != 1 || r->rq_first_page != sq_end || r->pages.page_count != rq_end)
		return EINVAL;
	return 0;
}

static int begin_create_qp(struct vdev *dev, const union vrdma_request *req, char *why, size_t why_bytes)
{
	const __typeof__(req->create_qp) *r = &req->create_qp;
	int rc = check_qp_request(dev, r);
	if (rc != 0)
		return rc;
	uint32_t handle = free_slot(dev->qps, sizeof *dev->qps, dev->backend->config.max_qp_per_guest);
	if (handle == 0)
		return ENOMEM;
	return vb_walk_begin(dev, &r->pages, r->pages.page_count,
			  vb_qp_bill(r->max_send_wr + r->max_recv_wr, r->pages.page_count), handle, why, why_bytes);
}

/* The QP's CQs and PD are still there: no other command ran mid-walk and a
 * reset ends the walk; checked again all the same. */
static int finish_create_qp(struct vdev *dev, union vrdma_response *resp)
{
	struct vb_walk *w = &dev->walk;
	const __typeof__(w->req.create_qp) *r = &w->req.create_qp;
	int rc = check_qp_request(dev, r);
	if (rc != 0)
		return rc;
	struct vb_qp *qp = &dev->qps[w->handle - 1];
	qp->pages = w->pages;
	uint8_t *state_page = qp->pages[0];
	struct vrdma_ring_state *sq_state = (void *)(state_page + VRDMA_QP_SQ_STATE_OFFSET);
	struct vrdma_ring_state *rq_state = (void *)(state_page + VRDMA_QP_RQ_STATE_OFFSET);
	vb_ring_setup(&qp->sq, qp->pages, r->pages.page_count, r->sq_first_page, VRDMA_WQE_BYTES,
		      r->max_send_wr, &sq_state->prod_tail, &sq_state->cons_head);
	vb_ring_setup(&qp->rq, qp->pages, r->pages.page_count, r->rq_first_page, VRDMA_WQE_BYTES,
		      r->max_recv_wr, &rq_state->prod_tail, &rq_state->cons_head);
	struct vhca_qp_init init = {
		.pdn = vb_pd_get(dev, r->pd_handle)->pdn,
		.send_cqn = vb_cq_get(dev, r->send_cq_handle)->cqn,
		.recv_cqn = vb_cq_get(dev, r->recv_cq_handle)->cqn,
		/* at least one send SGE: inline data reaches the HCA as one */
		.cap = { .max_send_wr = r->max_send_wr, .max_recv_wr = r->max_recv_wr,
			 .max_send_sge = r->max_send_sge ? r->max_send_sge : 1, .max_recv_sge = r->max_recv_sge,
			 .max_inline_data = r->max_inline_data },
		.sq_sig_all = (int)r->sq_sig_all,
		.trace_guest = dev->guest_id,
	};
	rc = vb_inflight_init(&qp->sq_inflight, r->max_send_wr + 1);
	if (rc == 0)
		rc = vb_inflight_init(&qp->rq_inflight, r->max_recv_wr + 1);
	if (rc == 0)
		rc = dev->backend->hca->ops->create_qp(dev->backend->hca, &init, &qp->qpn);
	if (rc == 0 && (rc = vb_qpn_insert(dev->backend, qp->qpn, qp)) != 0)
		dev->backend->hca->ops->destroy_qp(dev->backend->hca, qp->qpn);
	if (rc != 0) {
		vb_inflight_free(&qp->sq_inflight);
		vb_inflight_free(&qp->rq_inflight);
		memset(qp, 0, sizeof *qp);
		return rc;
	}
	vb_walk_taken(w, 0);
	vring_store(qp->sq.device_index, 0);
	vring_store(qp->rq.device_index, 0);
	qp->used = 1;
	qp->dev = dev;
	qp->handle = w->handle;
	qp->page_count = r->pages.page_count;
	qp->pd_handle = r->pd_handle;
	qp->send_cq_handle = r->send_cq_handle;
	qp->recv_cq_handle = r->recv_cq_handle;
	qp->max_send_sge = r->max_send_sge;
	qp->max_recv_sge = r->max_recv_sge;
	qp->max_inline_bytes = r->max_inline_data;
	qp->sq_sig_all = (int)r->sq_sig_all;
	vb_cq_get(dev, r->send_cq_handle)->qp_refs++;
	vb_cq_get(dev, r->recv_cq_handle)->qp_refs++;
	resp->create_qp.qp_handle = w->handle;
	resp->create_qp.qpn = qp->qpn;
	resp->create_qp.max_send_wr = r->max_send_wr;
	resp->create_qp.max_recv_wr = r->max_recv_wr;
	resp->create_qp.max_send_sge = r->max_send_sge;
	resp->create_qp.max_recv_sge = r->max_recv_sge;
	resp->create_qp.max_inline_data = r->max_inline_data;
	return 0;
}

#define KNOWN_QP_ATTR_MASK                                                                         \
	(IBV_QP_STATE | IBV_QP_CUR_STATE | IBV_QP_ACCESS_FLAGS | IBV_QP_PKEY_INDEX | IBV_QP_PORT |  \
	 IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |      \
	 IBV_QP_RQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER | IBV_QP_SQ_PSN |          \
	 IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_DEST_QPN)

static int cmd_modify_qp(struct vdev *dev, const union vrdma_request *req)
{
	const __typeof__(req->modify_qp) *r = &req->modify_qp;
	struct vb_qp *qp = vb_qp_get(dev, r->qp_handle);
	if (qp == NULL)
		return ENOENT;
	if ((r->attr_mask & ~(uint32_t)KNOWN_QP_ATTR_MASK) != 0 ||
	    ((r->attr_mask & IBV_QP_STATE) && r->attr.qp_state > IBV_QPS_ERR))
		return EINVAL;
	struct ibv_qp_attr attr;
	vrdma_qp_attr_to_verbs(&r->attr, &attr);
	int rc = dev->backend->hca->ops->modify_qp(dev->backend->hca, qp->qpn, &attr, (int)r->attr_mask);
	if (rc == 0 && (r->attr_mask & IBV_QP_STATE) && r->attr.qp_state == IBV_QPS_RESET) {
		/* RESET empties both queues: the rings start over. */
		qp->sq.index = qp->rq.index = 0;
		vring_store(qp->sq.device_index, 0);
		vring_store(qp->rq.device_index, 0);
		qp->sq_inflight.count = qp->rq_inflight.count = 0;
		qp->sq_holding = qp->rq_holding = 0;
		qp->broken = 0;
	}
	return rc;
}

static int cmd_query_qp(struct vdev *dev, const union vrdma_request *req, union vrdma_response *resp)
{
	struct vb_qp *qp = vb_qp_get(dev, req->query_qp.qp_handle);
	if (qp == NULL)
		return ENOENT;
	struct ibv_qp_attr attr;
	memset(&attr, 0, sizeof attr);
	int rc = dev->backend->hca->ops->query_qp(dev->backend->hca, qp->qpn, &attr);
	if (rc == 0)
		vrdma_qp_attr_from_verbs(&attr, &resp->query_qp.attr);
	return rc;
}

static int cmd_destroy_qp(struct vdev *dev, const union vrdma_request *req)
{
	struct vb_qp *qp = vb_qp_get(dev, req->destroy_qp.qp_handle);
	if (qp == NULL)
		return ENOENT;
	vb_destroy_qp(dev, qp);
	return 0;
}

static int dispatch(struct vdev *dev, const union vrdma_request *req, union vrdma_response *resp,
		    char *why, size_t why_bytes)
{
	switch (req->hdr.command) {
	case VRDMA_CMD_QUERY_PORT: return cmd_query_port(dev, req, resp);
	case VRDMA_CMD_CREATE_PD: return cmd_create_pd(dev, resp);
	case VRDMA_CMD_DESTROY_PD: return cmd_destroy_pd(dev, req);
	case VRDMA_CMD_CREATE_MR: return begin_create_mr(dev, req, why, why_bytes);
	case VRDMA_CMD_DESTROY_MR: return cmd_destroy_mr(dev, req);
	case VRDMA_CMD_CREATE_CQ: return begin_create_cq(dev, req, why, why_bytes);
	case VRDMA_CMD_DESTROY_CQ: return cmd_destroy_cq(dev, req);
	case VRDMA_CMD_CREATE_QP: return begin_create_qp(dev, req, why, why_bytes);
	case VRDMA_CMD_MODIFY_QP: return cmd_modify_qp(dev, req);
	case VRDMA_CMD_QUERY_QP: return cmd_query_qp(dev, req, resp);
	case VRDMA_CMD_DESTROY_QP: return cmd_destroy_qp(dev, req);
	case VRDMA_CMD_QUERY_GID: return cmd_query_gid(dev, req, resp);
	default: return EINVAL;
	}
}

/* The finish of a command begun by dispatch (VB_WALKING). */
static int finish(struct vdev *dev, union vrdma_response *resp)
{
	switch (dev->walk.req.hdr.command) {
	case VRDMA_CMD_CREATE_MR: return finish_create_mr(dev, resp);
	case VRDMA_CMD_CREATE_CQ: return finish_create_cq(dev, resp);
	case VRDMA_CMD_CREATE_QP: return finish_create_qp(dev, resp);
	default: return EINVAL;
	}
}

/* The request and response slots the DSR names, NULL when there are none. */
static void command_slots(struct vdev *dev, void **request_slot, void **response_slot)
{
	*request_slot = *response_slot = NULL;
	if (!dev->active)
		return;
	struct vrdma_dsr dsr;
	memcpy(&dsr, vgm_at(&dev->memory, dev->dsr_gpa, VRDMA_PAGE_BYTES), sizeof dsr);
	*request_slot = vgm_at(&dev->memory, dsr.request_slot_gpa, VRDMA_PAGE_BYTES);
	*response_slot = vgm_at(&dev->memory, dsr.response_slot_gpa, VRDMA_PAGE_BYTES);
}

/* The command is over: response (when the slots exist), ERR, vector 0. */
static void respond(struct vdev *dev, const union vrdma_request *req, union vrdma_response *resp, int rc,
		    uint64_t start_ns)
{
	void *request_slot, *response_slot;
	command_slots(dev, &request_slot, &response_slot);
	if (request_slot != NULL && response_slot != NULL) {
		resp->hdr.token = req->hdr.token;
		resp->hdr.ack = req->hdr.command | VRDMA_RESPONSE_ACK;
		resp->hdr.err = (uint32_t)rc;
		memcpy(response_slot, resp, sizeof *resp);
	}
	dev->backend->stats.commands++;
	if (rc != 0)
		dev->backend->stats.guest_errors++;
	atomic_store(&dev->reg_err, (unsigned)rc);
	if (dev->backend->trace) {
		struct vtrace_record rec = {
			.time_ns = start_ns, .kind = VTRACE_COMMAND, .actor = VTRACE_ACTOR_BACKEND,
			.host = dev->backend->config.host_id, .guest = dev->guest_id,
			.arg0 = req->hdr.command, .arg1 = (uint64_t)rc,
			.duration_ns = (uint32_t)(vtrace_now_ns() - start_ns),
			.flags = rc ? VTRACE_F_ERROR : 0,
		};
		vtrace_emit(dev->backend->trace, &rec);
	}
	vb_raise_interrupt(dev, VRDMA_VECTOR_COMMAND);
}

void vb_continue_command(struct vdev *dev)
{
	struct vb_walk *w = &dev->walk;
	int rc = vb_walk_step(dev);
	if (rc == 0 && !vb_walk_done(w)) {
		vb_schedule(dev); /* the rest in the guest's next turn */
		return;
	}
	union vrdma_response resp;
	memset(&resp, 0, sizeof resp);
	if (rc == 0)
		rc = finish(dev, &resp);
	union vrdma_request req = w->req;
	uint64_t start_ns = w->start_ns;
	vb_walk_free(dev);
	respond(dev, &req, &resp, rc, start_ns);
}

void vb_execute_command(struct vdev *dev)
{
	uint64_t start_ns = dev->backend->trace ? vtrace_now_ns() : 0;
	union vrdma_request req;
	union vrdma_response resp;
	char why[200] = "";
	int rc;
	void *request_slot, *response_slot;
	command_slots(dev, &request_slot, &response_slot);
	memset(&resp, 0, sizeof resp);
	if (request_slot == NULL || response_slot == NULL) {
		memset(&req, 0, sizeof req);
		rc = EINVAL;
	} else {
		memcpy(&req, request_slot, sizeof req);
		rc = dispatch(dev, &req, &resp, why, sizeof why);
	}
	if (rc == VB_WALKING) {
		dev->walk.req = req;
		dev->walk.start_ns = start_ns;
		vb_continue_command(dev);
		return;
	}
	respond(dev, &req, &resp, rc, start_ns);
}
