/*
 * tests/vrdma/hostile.c -- see hostile.h.
 */
#include "tests/vrdma/hostile.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vrdma/device/page_dir.h"

/* ---- the honest world ---- */

static struct fx_guest *honest(struct world *w, int i)
{
	return i == 0 ? &w->x : i == 1 ? &w->y : &w->z;
}

static void snapshot(struct world *w)
{
	for (int i = 0; i < 3; i++) {
		const struct vgm_map *m = &honest(w, i)->vm->memory;
		if (w->snap[i] == NULL)
			w->snap[i] = malloc(m->bytes);
		ck_assert_ptr_nonnull(w->snap[i]);
		memcpy(w->snap[i], m->base, m->bytes);
	}
}

void world_start(struct world *w)
{
	memset(w, 0, sizeof *w);
	fx_host_start(&w->h1, 1, 0, NULL);
	fx_host_start(&w->h2, 2, 0, NULL);
	fx_guest_start(&w->x, &w->h1, HONEST_BYTES);
	fx_guest_start(&w->y, &w->h1, HONEST_BYTES);
	fx_guest_start(&w->z, &w->h2, HONEST_BYTES);
	w->xy = fx_create_qp(&w->x, 16, 2, 64);
	w->yx = fx_create_qp(&w->y, 16, 2, 64);
	w->xz = fx_create_qp(&w->x, 16, 2, 64);
	w->zx = fx_create_qp(&w->z, 16, 2, 64);
	fx_connect(w->xy, &w->x, w->yx, &w->y, 7);
	fx_connect(w->xz, &w->x, w->zx, &w->z, 7);
	snapshot(w);
}

/* One RDMA write of 8 KiB from x's buffer into `to`'s, data checked. */
static void honest_write(struct world *w, struct vrdma_qp *qp, struct fx_guest *to)
{
	struct ibv_wc wc;
	uint64_t seed = ++w->round;
	fx_fill(w->x.buffer, 8192, seed);
	memset(to->buffer + 65536, 0, 8192);
	struct ibv_sge sge = { .addr = (uintptr_t)w->x.buffer, .length = 8192, .lkey = w->x.mr->lkey };
	struct ibv_send_wr wr, *bad = NULL;
	memset(&wr, 0, sizeof wr);
	wr.wr_id = seed;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (uintptr_t)(to->buffer + 65536);
	wr.wr.rdma.rkey = to->mr->rkey;
	ck_assert_int_eq(vrdma_post_send(qp, &wr, &bad), 0);
	fx_wait_wc(w->x.cq, &wc);
	ck_assert_msg(wc.status == IBV_WC_SUCCESS, "honest write: %s", vrdma_wc_status_str(wc.status));
	ck_assert_uint_eq(wc.wr_id, seed);
	ck_assert_msg(memcmp(to->buffer + 65536, w->x.buffer, 8192) == 0, "honest write: wrong data");
}

/* The attacker changed nothing of the honest guests', and they still work
 * on one host and across two. */
void world_check(struct world *w)
{
	static const char *names[] = { "x", "y", "z" };
	for (int i = 0; i < 3; i++) {
		const struct vgm_map *m = &honest(w, i)->vm->memory;
		for (uint64_t at = 0; at < m->bytes; at += PAGE)
			ck_assert_msg(memcmp(m->base + at, w->snap[i] + at, PAGE) == 0,
				      "honest guest %s: page at GPA 0x%llx changed during the attack", names[i],
				      (unsigned long long)at);
	}
	enum ibv_event_type type;
	uint32_t handle;
	for (int i = 0; i < 3; i++)
		ck_assert_msg(!vrdma_poll_async_event(honest(w, i)->ctx, &type, &handle),
			      "honest guest %s got async event %d", names[i], (int)type);
	honest_write(w, w->xy, &w->y);
	honest_write(w, w->xz, &w->z);
	snapshot(w);
}

void world_stop(struct world *w)
{
	world_check(w);
	fx_guest_stop(&w->x);
	fx_guest_stop(&w->y);
	fx_guest_stop(&w->z);
	fx_host_stop(&w->h1);
	fx_host_stop(&w->h2);
	for (int i = 0; i < 3; i++)
		free(w->snap[i]);
}

uint64_t guest_errors(struct fx_host *h)
{
	struct vbackend_stats st;
	vbackend_get_stats(h->backend, &st);
	return st.guest_errors;
}

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- a raw attacker: a VM and its memory, no driver ---- */

void raw_start_pages(struct raw *r, struct fx_host *host, uint32_t pages)
{
	char err[256];
	memset(r, 0, sizeof *r);
	r->host = host;
	ck_assert_msg(vbackend_create_vm(host->backend, (uint64_t)pages * PAGE, &r->vm, err, sizeof err) == 0,
		      "%s", err);
	r->m = r->vm->memory.base;
	r->bytes = r->vm->memory.bytes;
}

void raw_start(struct raw *r, struct fx_host *host) { raw_start_pages(r, host, RAW_PAGES); }

void raw_stop(struct raw *r)
{
	vbackend_destroy_vm(r->host->backend, r->vm);
	memset(r, 0, sizeof *r);
}

/* 1 when `vector` fired within `ms` (and take the count). */
int vector_fired(struct vrdma_vm *vm, int vector, unsigned ms)
{
	struct pollfd p = { .fd = vm->irq_fd[vector], .events = POLLIN };
	if (poll(&p, 1, (int)ms) != 1)
		return 0;
	uint64_t count;
	ck_assert_int_eq(read(p.fd, &count, sizeof count), (ssize_t)sizeof count);
	return 1;
}

void raw_reg(struct raw *r, uint32_t offset, uint32_t value)
{
	vdev_write_register(r->vm->device, offset, value);
}

/* CTL ACTIVATE or RESET, or REQUEST: the device answers on vector 0. */
uint32_t raw_kick(struct raw *r, uint32_t offset, uint32_t value)
{
	raw_reg(r, offset, value);
	ck_assert_msg(vector_fired(r->vm, VRDMA_VECTOR_COMMAND, 5000), "no vector 0 within 5 s");
	return vdev_read_register(r->vm->device, VRDMA_REG_ERR);
}

/* A directory at R_DIR/R_TAB.. listing n pages from `first`. */
struct vrdma_pdir_ref raw_dir(struct raw *r, uint32_t dir, uint32_t first, uint32_t n)
{
	uint64_t tables[4], gpas[2048];
	ck_assert_uint_le(n, 2048);
	uint32_t t = vpd_overhead_pages(n) - 1;
	for (uint32_t i = 0; i < t; i++)
		tables[i] = rgpa(dir + 1 + i);
	for (uint32_t i = 0; i < n; i++)
		gpas[i] = rgpa(first + i);
	vpd_fill(&r->vm->memory, rgpa(dir), tables, gpas, n);
	return (struct vrdma_pdir_ref){ .dir_gpa = rgpa(dir), .page_count = n };
}

void raw_clean_dsr(struct raw *r)
{
	struct vrdma_dsr dsr;
	memset(&dsr, 0, sizeof dsr);
	dsr.driver_version = VRDMA_ABI_VERSION;
	dsr.request_slot_gpa = rgpa(R_REQ);
	dsr.response_slot_gpa = rgpa(R_RESP);
	dsr.async_ring = raw_dir(r, R_ASYNC_DIR, R_ASYNC, 2);
	dsr.notify_ring = raw_dir(r, R_NOTIFY_DIR, R_NOTIFY, 2);
	memcpy(rpage(r, R_DSR), &dsr, sizeof dsr);
}

uint32_t raw_activate_at(struct raw *r, uint64_t dsr_gpa)
{
	raw_reg(r, VRDMA_REG_DSR_LOW, (uint32_t)dsr_gpa);
	raw_reg(r, VRDMA_REG_DSR_HIGH, (uint32_t)(dsr_gpa >> 32));
	return raw_kick(r, VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE);
}

void raw_open_pages(struct raw *r, struct fx_host *host, uint32_t pages)
{
	raw_start_pages(r, host, pages);
	raw_clean_dsr(r);
	ck_assert_uint_eq(raw_activate_at(r, rgpa(R_DSR)), 0);
}

void raw_open(struct raw *r, struct fx_host *host) { raw_open_pages(r, host, RAW_PAGES); }

/* A command: the errno of the response (EIO when there is none). */
int raw_cmd(struct raw *r, union vrdma_request *req, uint32_t command, union vrdma_response *resp)
{
	req->hdr.command = command;
	req->hdr.token = ++r->token;
	memcpy(rpage(r, R_REQ), req, sizeof *req);
	memset(rpage(r, R_RESP), 0, PAGE);
	uint32_t err = raw_kick(r, VRDMA_REG_REQUEST, 1);
	memcpy(resp, rpage(r, R_RESP), sizeof *resp);
	if (resp->hdr.token != req->hdr.token || resp->hdr.ack != (command | VRDMA_RESPONSE_ACK))
		return EIO;
	ck_assert_uint_eq(resp->hdr.err, err); /* ERR says the same */
	return (int)resp->hdr.err;
}

uint32_t raw_create_pd(struct raw *r)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	ck_assert_int_eq(raw_cmd(r, &req, VRDMA_CMD_CREATE_PD, &resp), 0);
	return resp.create_pd.pd_handle;
}

int raw_simple(struct raw *r, uint32_t command, uint32_t handle)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.destroy_pd.pd_handle = handle; /* first field of every one-handle command */
	return raw_cmd(r, &req, command, &resp);
}

int raw_create_mr(struct raw *r, uint32_t pd, uint64_t iova, uint64_t length, uint32_t access,
		  struct vrdma_pdir_ref pages, uint32_t *handle)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.create_mr.iova = iova;
	req.create_mr.length_bytes = length;
	req.create_mr.pd_handle = pd;
	req.create_mr.access_flags = access;
	req.create_mr.pages = pages;
	int rc = raw_cmd(r, &req, VRDMA_CMD_CREATE_MR, &resp);
	if (rc == 0 && handle)
		*handle = resp.create_mr.mr_handle;
	return rc;
}

int raw_create_cq(struct raw *r, uint32_t cqe, struct vrdma_pdir_ref ring, uint32_t *handle)
{
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.create_cq.cqe_count = cqe;
	req.create_cq.ring = ring;
	int rc = raw_cmd(r, &req, VRDMA_CMD_CREATE_CQ, &resp);
	if (rc == 0 && handle)
		*handle = resp.create_cq.cq_handle;
	return rc;
}

/* A QP request for depth 16 (1 + 1 + 1 pages) on pd/cq. */
void qp_request(union vrdma_request *req, uint32_t pd, uint32_t cq, struct vrdma_pdir_ref pages)
{
	memset(req, 0, sizeof *req);
	req->create_qp.pd_handle = pd;
	req->create_qp.send_cq_handle = req->create_qp.recv_cq_handle = cq;
	req->create_qp.max_send_wr = req->create_qp.max_recv_wr = 16;
	req->create_qp.max_send_sge = req->create_qp.max_recv_sge = 2;
	req->create_qp.max_inline_data = 64;
	req->create_qp.sq_first_page = 1;
	req->create_qp.rq_first_page = 2;
	req->create_qp.pages = pages;
}
