/*
 * fuzz/fuzz_backend_world.c -- see fuzz_backend_world.h.
 */
#include "fuzz/fuzz_backend_world.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"

struct fuzz_world fw;

void fw_die(const char *what)
{
	fprintf(stderr, "fuzz_backend: %s\n", what);
	abort();
}

/* ---- A: raw device access ---- */

void fw_wait_vector0(void)
{
	struct pollfd p = { .fd = fw.a->irq_fd[VRDMA_VECTOR_COMMAND], .events = POLLIN };
	int rc;
	while ((rc = poll(&p, 1, 5000)) < 0 && errno == EINTR)
		;
	if (rc == 0)
		fw_die("the backend did not raise vector 0 within 5 s (hang)");
	uint64_t count;
	if (read(p.fd, &count, sizeof count) != sizeof count)
		fw_die("read vector 0");
}

void fw_reg(uint32_t offset, uint32_t value)
{
	vdev_write_register(fw.a->device, offset, value);
}

/* The request slot's current contents as a command: REQUEST, wait. */
void fw_kick_request(void)
{
	fw_reg(VRDMA_REG_REQUEST, 1);
	fw_wait_vector0();
}

/* A command from the harness: 0 or errno; EIO when no proper response. */
int fw_acmd(union vrdma_request *req, uint32_t command, union vrdma_response *resp)
{
	req->hdr.command = command;
	req->hdr.token = ++fw.token;
	memcpy(apage(P_REQ), req, sizeof *req);
	memset(apage(P_RESP), 0, PAGE);
	fw_kick_request();
	memcpy(resp, apage(P_RESP), sizeof *resp);
	if (resp->hdr.token != req->hdr.token || resp->hdr.ack != (command | VRDMA_RESPONSE_ACK))
		return EIO;
	return (int)resp->hdr.err;
}

/* All previous doorbells have been served when this returns. */
void fw_sync_backend(void)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_port.port_num = 1;
	fw_reg(VRDMA_REG_IMR, 0);
	fw_acmd(&req, VRDMA_CMD_QUERY_PORT, &resp);
}

/* A one-table directory at dir/table listing `n` (<= 512) page GPAs. */
static void build_dir(uint32_t dir, uint32_t table, const uint64_t *gpas, uint32_t n)
{
	uint64_t *d = (uint64_t *)apage(dir), *t = (uint64_t *)apage(table);
	memset(d, 0, PAGE);
	memset(t, 0, PAGE);
	d[0] = agpa(table);
	for (uint32_t i = 0; i < n && i < VPD_ENTRIES_PER_PAGE; i++)
		t[i] = gpas[i];
}

void fw_build_contig_dir(uint32_t dir, uint32_t table, uint32_t first, uint32_t n)
{
	uint64_t gpas[32];
	for (uint32_t i = 0; i < n; i++)
		gpas[i] = agpa(first + i);
	build_dir(dir, table, gpas, n);
}

void fw_write_clean_dsr(void)
{
	struct vrdma_dsr dsr;
	memset(&dsr, 0, sizeof dsr);
	dsr.driver_version = VRDMA_ABI_VERSION;
	dsr.request_slot_gpa = agpa(P_REQ);
	dsr.response_slot_gpa = agpa(P_RESP);
	dsr.async_ring = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_ASYNC_DIR), .page_count = 2 };
	dsr.notify_ring = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_NOTIFY_DIR), .page_count = 2 };
	memcpy(apage(P_DSR), &dsr, sizeof dsr);
}

void fw_a_reset(void)
{
	fw_reg(VRDMA_REG_IMR, 0);
	fw_reg(VRDMA_REG_CTL, VRDMA_CTL_RESET);
	fw_wait_vector0();
}

int fw_a_activate(void)
{
	fw_reg(VRDMA_REG_IMR, 0);
	fw_reg(VRDMA_REG_DSR_LOW, (uint32_t)agpa(P_DSR));
	fw_reg(VRDMA_REG_DSR_HIGH, 0);
	fw_reg(VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE);
	fw_wait_vector0();
	return (int)vdev_read_register(fw.a->device, VRDMA_REG_ERR);
}

void fw_modify_a_qp_to_rts(uint32_t dest_qpn)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = fw.qp;
	req.modify_qp.attr_mask = IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS;
	req.modify_qp.attr.qp_state = IBV_QPS_INIT;
	req.modify_qp.attr.port_num = 1;
	req.modify_qp.attr.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	if (fw_acmd(&req, VRDMA_CMD_MODIFY_QP, &resp) != 0)
		fw_die("A: INIT");
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = fw.qp;
	req.modify_qp.attr_mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
	req.modify_qp.attr.qp_state = IBV_QPS_RTR;
	req.modify_qp.attr.path_mtu = IBV_MTU_4096;
	req.modify_qp.attr.dest_qp_num = dest_qpn;
	req.modify_qp.attr.rq_psn = 100;
	req.modify_qp.attr.max_dest_rd_atomic = 16;
	req.modify_qp.attr.min_rnr_timer = 1;
	req.modify_qp.attr.dlid = fw.lid;
	req.modify_qp.attr.port_num = 1;
	if (fw_acmd(&req, VRDMA_CMD_MODIFY_QP, &resp) != 0)
		fw_die("A: RTR");
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = fw.qp;
	req.modify_qp.attr_mask = IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				  IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC;
	req.modify_qp.attr.qp_state = IBV_QPS_RTS;
	req.modify_qp.attr.sq_psn = 100;
	req.modify_qp.attr.timeout = 14;
	req.modify_qp.attr.retry_cnt = 1;
	req.modify_qp.attr.rnr_retry = 0; /* an RNR fails at once: no timers */
	req.modify_qp.attr.max_rd_atomic = 16;
	if (fw_acmd(&req, VRDMA_CMD_MODIFY_QP, &resp) != 0)
		fw_die("A: RTS");
}

void fw_a_setup(void)
{
	union vrdma_request req;
	union vrdma_response resp;
	fw_a_reset();
	memset(fw.am, 0, (size_t)A_PAGES * PAGE);
	fw_write_clean_dsr();
	fw_build_contig_dir(P_ASYNC_DIR, P_ASYNC_TAB, P_ASYNC, 2);
	fw_build_contig_dir(P_NOTIFY_DIR, P_NOTIFY_TAB, P_NOTIFY, 2);
	if (fw_a_activate() != 0)
		fw_die("A: activate");
	memset(&req, 0, sizeof req);
	if (fw_acmd(&req, VRDMA_CMD_CREATE_PD, &resp) != 0)
		fw_die("A: CREATE_PD");
	fw.pd = resp.create_pd.pd_handle;
	fw_build_contig_dir(P_MR_DIR, P_MR_TAB, P_REGION, REGION_PAGES);
	memset(&req, 0, sizeof req);
	req.create_mr.iova = A_IOVA;
	req.create_mr.length_bytes = (uint64_t)REGION_PAGES * PAGE;
	req.create_mr.pd_handle = fw.pd;
	req.create_mr.access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	req.create_mr.pages = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_MR_DIR), .page_count = REGION_PAGES };
	if (fw_acmd(&req, VRDMA_CMD_CREATE_MR, &resp) != 0)
		fw_die("A: CREATE_MR");
	fw.mr = resp.create_mr.mr_handle;
	fw.lkey = resp.create_mr.lkey;
	fw.rkey = resp.create_mr.rkey;
	fw_build_contig_dir(P_CQ_DIR, P_CQ_TAB, P_CQ, 2);
	memset(&req, 0, sizeof req);
	req.create_cq.cqe_count = A_CQE;
	req.create_cq.ring = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_CQ_DIR), .page_count = 2 };
	if (fw_acmd(&req, VRDMA_CMD_CREATE_CQ, &resp) != 0)
		fw_die("A: CREATE_CQ");
	fw.cq = resp.create_cq.cq_handle;
	fw_build_contig_dir(P_QP_DIR, P_QP_TAB, P_QP, 3);
	memset(&req, 0, sizeof req);
	req.create_qp.pd_handle = fw.pd;
	req.create_qp.send_cq_handle = req.create_qp.recv_cq_handle = fw.cq;
	req.create_qp.max_send_wr = req.create_qp.max_recv_wr = A_DEPTH;
	req.create_qp.max_send_sge = req.create_qp.max_recv_sge = A_SGE;
	req.create_qp.max_inline_data = A_INLINE;
	req.create_qp.sq_first_page = 1;
	req.create_qp.rq_first_page = 2;
	req.create_qp.pages = (struct vrdma_pdir_ref){ .dir_gpa = agpa(P_QP_DIR), .page_count = 3 };
	if (fw_acmd(&req, VRDMA_CMD_CREATE_QP, &resp) != 0)
		fw_die("A: CREATE_QP");
	fw.qp = resp.create_qp.qp_handle;
	fw.qpn = resp.create_qp.qpn;
	fw.sq_prod = fw.rq_prod = 0;
}

/* ---- B: the honest driver ---- */

static void b_to_rts(uint32_t dest_qpn)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	if (vrdma_modify_qp(fw.bqp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		fw_die("B: INIT");
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_4096;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 100;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 1;
	a.ah_attr.dlid = fw.lid;
	a.ah_attr.port_num = 1;
	if (vrdma_modify_qp(fw.bqp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
					      IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		fw_die("B: RTR");
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 100;
	a.timeout = 14;
	a.retry_cnt = 1;
	a.rnr_retry = 0;
	a.max_rd_atomic = 16;
	if (vrdma_modify_qp(fw.bqp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
					      IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC))
		fw_die("B: RTS");
}

static void b_drain_cq(void)
{
	struct ibv_wc wc[16];
	while (vrdma_poll_cq(fw.bcq, 16, wc) > 0)
		;
	enum ibv_event_type type;
	uint32_t handle;
	while (vrdma_poll_async_event(fw.b, &type, &handle))
		;
}

void fw_b_new_qp(void)
{
	if (fw.bqp != NULL && vrdma_destroy_qp(fw.bqp) != 0)
		fw_die("B: destroy QP");
	b_drain_cq();
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 4, .max_recv_sge = 4,
			 .max_inline_data = 64 },
	};
	fw.bqp = vrdma_create_qp(fw.bpd, fw.bcq, fw.bcq, &init);
	if (fw.bqp == NULL)
		fw_die("B: create QP");
	b_to_rts(fw.qpn);
	/* receives for A's sends: the second half of B's region */
	for (int i = 0; i < 4; i++) {
		struct ibv_sge sge = { .addr = (uintptr_t)(fw.bbuf + B_REGION_BYTES / 2 + (size_t)i * 4096),
				       .length = 4096, .lkey = fw.bmr->lkey };
		struct ibv_recv_wr wr = { .wr_id = 1000u + (unsigned)i, .sg_list = &sge, .num_sge = 1 }, *bad;
		if (vrdma_post_recv(fw.bqp, &wr, &bad) != 0)
			fw_die("B: post_recv");
	}
}

/* B's memory the device may write: its region (A may RDMA-write there),
 * its CQ ring, its QP's ring-state page, its event rings. */
static int b_may_change(uint64_t gpa)
{
	const struct vgm_map *m = &fw.bvm->memory;
	uint64_t region = (uint64_t)(fw.bbuf - m->base);
	uint64_t cq = (uint64_t)(fw.bcq->memory - m->base);
	uint64_t qp = (uint64_t)(fw.bqp->memory - m->base);
	uint64_t as = fw.b->async_ring.gpa, ns = fw.b->notify_ring.gpa;
	return (gpa >= region && gpa < region + B_REGION_BYTES) ||
	       (gpa >= cq && gpa < cq + (uint64_t)fw.bcq->memory_pages * PAGE) ||
	       (gpa >= qp && gpa < qp + PAGE) ||
	       (gpa >= as && gpa < as + (uint64_t)fw.b->async_ring.pages * PAGE) ||
	       (gpa >= ns && gpa < ns + (uint64_t)fw.b->notify_ring.pages * PAGE);
}

void fw_b_check_untouched(void)
{
	const uint8_t *now = fw.bvm->memory.base;
	for (uint64_t page = 0; page < B_MEMORY / PAGE; page++) {
		uint64_t gpa = page * PAGE;
		if (b_may_change(gpa))
			continue;
		if (memcmp(now + gpa, fw.bsnap + gpa, PAGE) != 0) {
			fprintf(stderr, "fuzz_backend: the honest guest's page at GPA 0x%llx changed\n",
				(unsigned long long)gpa);
			abort();
		}
	}
}

void fw_create(void)
{
	char err[256];
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.rnr_timer_us = 100;
	if (vhca_soft_create(&hc, NULL, 1, &fw.hca, err, sizeof err) != 0)
		fw_die(err);
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = fw.hca;
	bc.host_id = 1;
	if (vbackend_start(&bc, &fw.backend, err, sizeof err) != 0)
		fw_die(err);
	struct ibv_port_attr port;
	memset(&port, 0, sizeof port);
	fw.hca->ops->query_port(fw.hca, 1, &port);
	fw.lid = port.lid;
	if (vbackend_create_vm(fw.backend, (uint64_t)A_PAGES * PAGE, &fw.a, err, sizeof err) != 0)
		fw_die(err);
	fw.am = fw.a->memory.base;
	if (vbackend_create_vm(fw.backend, B_MEMORY, &fw.bvm, err, sizeof err) != 0)
		fw_die(err);
	fw.b = vrdma_open_device(fw.bvm);
	if (fw.b == NULL)
		fw_die("B: open");
	fw.bpd = vrdma_alloc_pd(fw.b);
	fw.bcq = vrdma_create_cq(fw.b, 256, NULL, NULL);
	fw.bbuf = vrdma_alloc_buffer(fw.b, B_REGION_BYTES);
	if (!fw.bpd || !fw.bcq || !fw.bbuf)
		fw_die("B: setup");
	fw.bmr = vrdma_reg_mr(fw.bpd, fw.bbuf, B_REGION_BYTES,
			     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (fw.bmr == NULL)
		fw_die("B: reg_mr");
	fw.bsnap = malloc(B_MEMORY);
	if (fw.bsnap == NULL)
		fw_die("out of memory");
}
