/*
 * vrdma/backend/migrate.c -- live migration of a guest's vRDMA device:
 * quiesce and save in the source backend, restore in another
 * (docs/migration.md has the format and the steps).
 *
 * The saved state is untrusted at the destination: every count is bounded
 * before anything is allocated for it, every handle checked against the
 * destination's limits and the objects restored before it, every guest
 * address against the guest's memory, and each object charged to the
 * guest's account as a created one is.  The HCA checks its part (the QP's
 * attributes through modify_qp, its work requests through post).
 */
#include "vrdma/backend/internal.h"
#include "vrdma/device/ring.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIG_MAGIC "VRDMAMIG"
#define MIG_HEADER_BYTES 32u
#define MIG_QPN_MASK 0xffffffu /* a QP number is 24 bits on the wire (IBTA BTH) */
#define MIG_MAX_EVENT_RING_PAGES 17u
#define MIG_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)

/* A span of the backend actor for the moving guest (trace.h). */
#define VB_TRACE_SPAN(dev, kind_, start, end, a0, a1)                                                   \
	do {                                                                                      \
		if ((dev)->backend->trace) {                                                      \
			struct vtrace_record rec_ = {.time_ns = (start), .arg0 = (a0), .arg1 = (a1),     \
				.duration_ns = (end) - (start) > UINT32_MAX ? UINT32_MAX : (uint32_t)((end) - (start)), \
				.kind = (kind_), .actor = VTRACE_ACTOR_BACKEND,                   \
				.host = (dev)->backend->config.host_id, .guest = (dev)->guest_id}; \
			vtrace_emit((dev)->backend->trace, &rec_);                                \
		}                                                                                 \
	} while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32). */
uint32_t vb_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

/* ---- the writer ---- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int failed;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->failed)
		return;
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		while (cap < w->n + n)
			cap *= 2;
		uint8_t *p = realloc(w->p, cap);
		if (p == NULL) {
			w->failed = 1;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->n, src, n);
	w->n += n;
}

static void put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(w, b, 4);
}

static void put64(struct wbuf *w, uint64_t v)
{
	put32(w, (uint32_t)v);
	put32(w, (uint32_t)(v >> 32));
}

/* ---- the reader: every read bounded, the first failure remembered ---- */

struct rbuf {
	const uint8_t *p;
	size_t n, off;
	char *err;
	size_t err_bytes;
	int failed;
};

static int fail(struct rbuf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct rbuf *r, const char *fmt, ...)
{
	if (!r->failed) {
		char what[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(r->err, r->err_bytes, "saved state: byte offset %zu: %s", MIG_HEADER_BYTES + r->off, what);
	}
	r->failed = 1;
	return EINVAL;
}

static uint32_t get32(struct rbuf *r)
{
	if (r->failed || r->n - r->off < 4) {
		fail(r, "truncated (found %zu bytes, expected 4 more)", r->n - r->off);
		return 0;
	}
	const uint8_t *b = r->p + r->off;
	r->off += 4;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get64(struct rbuf *r)
{
	uint64_t lo = get32(r);
	return lo | (uint64_t)get32(r) << 32;
}

static void get(struct rbuf *r, void *dst, size_t n)
{
	if (r->failed || r->n - r->off < n) {
		fail(r, "truncated (found %zu bytes, expected %zu more)", r->n - r->off, n);
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
}

/* A count, refused above MAX before anything is allocated for it. */
static uint32_t get_count(struct rbuf *r, uint32_t max, const char *what)
{
	uint32_t v = get32(r);
	if (!r->failed && v > max) {
		fail(r, "%s %u (expected at most %u)", what, v, max);
		return 0;
	}
	return v;
}

/* ---- save ---- */

static void put_gpas(struct wbuf *w, struct vdev *dev, uint8_t *const *pages, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put64(w, vgm_gpa_of(&dev->memory, pages[i]));
}

static void put_ring(struct wbuf *w, struct vdev *dev, const struct vb_ring *ring)
{
	put32(w, ring->page_count);
	put32(w, ring->size);
	put32(w, ring->index);
	put_gpas(w, dev, ring->pages, ring->page_count);
}

static void put_inflight(struct wbuf *w, const struct vb_inflight *f)
{
	put32(w, f->count);
	for (uint32_t i = 0; i < f->count; i++) {
		uint32_t at = (f->head + i) % f->capacity;
		put64(w, f->op_ids[at]);
		put64(w, f->guest_wr_ids[at]);
	}
}

static void put_sges(struct wbuf *w, const struct ibv_sge *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		put64(w, s[i].addr);
		put32(w, s[i].length);
		put32(w, s[i].lkey);
	}
}

static void put_image(struct wbuf *w, const struct vhca_qp_image *im)
{
	const uint32_t f[] = {im->state, im->access_flags, im->port_num, im->pkey_index, im->dlid,
			      im->dest_qpn, im->path_mtu, im->timeout, im->retry_cnt, im->rnr_retry,
			      im->min_rnr_timer, im->max_rd_atomic, im->max_dest_rd_atomic, im->sq_psn,
			      im->rq_psn, im->msn, im->in_message, im->last_opcode, im->have_recv,
			      im->recv_offset};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		put32(w, f[i]);
	put64(w, im->write_va);
	put32(w, im->write_rkey);
	put32(w, im->write_left);
	put32(w, im->write_total);
	put32(w, im->prior_lid);
	put32(w, im->prior_qpn);
	put32(w, im->send_count);
	for (uint32_t i = 0; i < im->send_count; i++) {
		const struct vhca_saved_send *s = &im->sends[i];
		put64(w, s->wr_id);
		put64(w, s->remote_addr);
		put32(w, s->opcode);
		put32(w, s->send_flags);
		put32(w, s->imm_data);
		put32(w, s->rkey);
		put32(w, s->num_sge);
		put32(w, s->inline_bytes);
		put_sges(w, s->sge, s->num_sge);
		put(w, s->inline_data, s->inline_bytes);
	}
	put32(w, im->recv_count);
	for (uint32_t i = 0; i < im->recv_count; i++) {
		put64(w, im->recvs[i].wr_id);
		put32(w, im->recvs[i].num_sge);
		put_sges(w, im->recvs[i].sge, im->recvs[i].num_sge);
	}
}

static uint32_t count_used(const void *table, size_t entry_bytes, uint32_t n)
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < n; i++)
		c += *(const int *)((const uint8_t *)table + i * entry_bytes) != 0;
	return c;
}

static int save_device(struct vdev *dev, struct wbuf *w, struct vbackend_migration *m, char *err, size_t err_bytes)
{
	struct vbackend *b = dev->backend;
	const struct vbackend_config *c = &b->config;
	struct ibv_port_attr port;
	memset(&port, 0, sizeof port);
	b->hca->ops->query_port(b->hca, 1, &port);
	if (dev->walk.running) {
		snprintf(err, err_bytes, "a command is mid-walk: save after it is answered");
		return EBUSY;
	}
	put64(w, dev->memory.bytes);
	put64(w, dev->dsr_gpa);
	put32(w, (uint32_t)dev->active);
	put32(w, atomic_load(&dev->reg_imr));
	put32(w, port.lid);
	put32(w, dev->op_host);
	put32(w, dev->op_guest);
	put_ring(w, dev, &dev->async_ring);
	put_ring(w, dev, &dev->notify_ring);
	put32(w, count_used(dev->pds, sizeof *dev->pds, c->max_pd_per_guest));
	for (uint32_t i = 0; i < c->max_pd_per_guest; i++)
		if (dev->pds[i].used)
			put32(w, i + 1);
	put32(w, count_used(dev->mrs, sizeof *dev->mrs, c->max_mr_per_guest));
	for (uint32_t i = 0; i < c->max_mr_per_guest; i++) {
		const struct vb_mr *mr = &dev->mrs[i];
		if (!mr->used)
			continue;
		put32(w, i + 1);
		put32(w, mr->pd_handle);
		put32(w, mr->lkey);
		put32(w, (uint32_t)mr->access);
		put64(w, mr->mem.iova);
		put64(w, mr->mem.length_bytes);
		put32(w, mr->mem.page_count);
		for (uint32_t p = 0; p < mr->mem.page_count; p++)
			put64(w, mr->gpas[p]);
	}
	put32(w, count_used(dev->cqs, sizeof *dev->cqs, c->max_cq_per_guest));
	for (uint32_t i = 0; i < c->max_cq_per_guest; i++) {
		const struct vb_cq *cq = &dev->cqs[i];
		if (!cq->used)
			continue;
		put32(w, i + 1);
		put32(w, atomic_load(&cq->arm));
		put32(w, (uint32_t)cq->broken);
		put_ring(w, dev, &cq->ring);
	}
	uint32_t nqp = count_used(dev->qps, sizeof *dev->qps, c->max_qp_per_guest);
	put32(w, nqp);
	for (uint32_t i = 0; i < c->max_qp_per_guest; i++) {
		struct vb_qp *qp = &dev->qps[i];
		if (!qp->used)
			continue;
		uint32_t depth = qp->sq.size > qp->rq.size ? qp->sq.size : qp->rq.size;
		struct vhca_qp_image im;
		memset(&im, 0, sizeof im);
		im.sends = calloc(depth, sizeof *im.sends);
		im.recvs = calloc(depth, sizeof *im.recvs);
		int rc = im.sends && im.recvs ? b->hca->ops->save_qp(b->hca, qp->qpn, depth, &im) : ENOMEM;
		if (rc != 0) {
			free(im.sends);
			free(im.recvs);
			snprintf(err, err_bytes, "QP %u: the HCA cannot save it (%s)", i + 1,
				 rc == ENOTSUP ? "same-host path or error state" : strerror(rc));
			return rc;
		}
		m->sends_in_flight += im.send_count;
		m->recvs_posted += im.recv_count;
		const uint32_t f[] = {i + 1, qp->qpn, qp->pd_handle, qp->send_cq_handle, qp->recv_cq_handle,
				      qp->sq.size, qp->rq.size, qp->max_send_sge, qp->max_recv_sge,
				      qp->max_inline_bytes, (uint32_t)qp->sq_sig_all, qp->page_count, qp->sq.first_page,
				      qp->rq.first_page, qp->sq.index, qp->rq.index, qp->sq_sequence, qp->rq_sequence,
				      (uint32_t)qp->broken, (uint32_t)qp->sq_holding, (uint32_t)qp->rq_holding};
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			put32(w, f[k]);
		put64(w, qp->sq_held_op);
		put64(w, qp->rq_held_op);
		put(w, &qp->sq_held, sizeof qp->sq_held);
		put(w, &qp->rq_held, sizeof qp->rq_held);
		put_inflight(w, &qp->sq_inflight);
		put_inflight(w, &qp->rq_inflight);
		put_image(w, &im);
		put_gpas(w, dev, qp->pages, qp->page_count);
		free(im.sends);
		free(im.recvs);
	}
	if (w->failed) {
		snprintf(err, err_bytes, "out of memory");
		return ENOMEM;
	}
	return 0;
}

/* The HCA's QPs of this guest stop: nothing more is taken from the wire
 * for them, nothing more written into the guest's memory. */
static void stop_qps(struct vdev *dev)
{
	struct vbackend *b = dev->backend;
	for (uint32_t i = 0; i < b->config.max_qp_per_guest; i++) {
		struct vb_qp *qp = &dev->qps[i];
		if (!qp->used || qp->qpn == 0)
			continue;
		b->hca->ops->destroy_qp(b->hca, qp->qpn);
		vb_qpn_remove(b, qp->qpn);
		qp->qpn = 0;
	}
}

int vbackend_save_vm(struct vbackend *b, struct vrdma_vm *vm, uint8_t **state, size_t *bytes,
		     struct vbackend_migration *m, char *err, size_t err_bytes)
{
	struct vdev *dev = vm->device;
	if (b->hca->ops->save_qp == NULL) {
		snprintf(err, err_bytes, "the %s HCA cannot save QPs", b->hca->ops->name);
		return ENOTSUP;
	}
	pthread_mutex_lock(&b->lock);
	uint64_t start = now_ns();
	/* quiesce: no turn of this guest from now on (backend.c); what the HCA
	 * completed reaches the guest's CQ rings */
	dev->frozen = 1;
	b->hca->ops->process(b->hca);
	for (uint32_t i = 0; i < b->config.max_cq_per_guest; i++)
		if (dev->cqs[i].used)
			vb_cq_event(&dev->cqs[i], dev->cqs[i].cqn);
	struct wbuf w = {0};
	uint8_t header[MIG_HEADER_BYTES];
	memset(header, 0, sizeof header);
	put(&w, header, sizeof header);
	struct vbackend_migration counts;
	memset(&counts, 0, sizeof counts);
	for (uint32_t i = 0; i < b->config.max_cq_per_guest; i++) {
		struct vb_cq *cq = &dev->cqs[i];
		uint32_t cons = cq->used ? vring_load(cq->ring.guest_index) : 0;
		if (cq->used && vring_index_ok(cons, cq->ring.size) &&
		    vring_used(cq->ring.index, cons, cq->ring.size) <= cq->ring.size)
			counts.cqes_unpolled += vring_used(cq->ring.index, cons, cq->ring.size);
	}
	int rc = save_device(dev, &w, &counts, err, err_bytes);
	uint32_t in_flight = counts.sends_in_flight + counts.recvs_posted;
	if (rc == 0)
		stop_qps(dev);
	else
		dev->frozen = 0;
	uint64_t end = now_ns();
	uint32_t qps = count_used(dev->qps, sizeof *dev->qps, b->config.max_qp_per_guest);
	VB_TRACE_SPAN(dev, VTRACE_MIGRATE_QUIESCE, start, end, qps, in_flight);
	pthread_mutex_unlock(&b->lock);
	if (rc != 0) {
		free(w.p);
		return rc;
	}
	size_t body = w.n - MIG_HEADER_BYTES;
	memcpy(w.p, MIG_MAGIC, 8);
	uint8_t *h = w.p + 8;
	const uint32_t fields[] = {VBACKEND_MIGRATION_VERSION, MIG_HEADER_BYTES, (uint32_t)body,
				   (uint32_t)((uint64_t)body >> 32), vb_crc32(w.p + MIG_HEADER_BYTES, body), 0};
	for (size_t i = 0; i < 6; i++)
		for (int k = 0; k < 4; k++)
			h[i * 4 + (size_t)k] = (uint8_t)(fields[i] >> (8 * k));
	*state = w.p;
	*bytes = w.n;
	if (m) {
		m->quiesce_ns = end - start;
		m->qps = qps;
		m->in_flight = in_flight;
		m->sends_in_flight = counts.sends_in_flight;
		m->recvs_posted = counts.recvs_posted;
		m->cqes_unpolled = counts.cqes_unpolled;
		m->state_bytes = w.n;
	}
	return 0;
}

/* ---- restore ---- */

static uint32_t pages_spanned(uint64_t iova, uint64_t length)
{
	uint64_t first = iova & (VRDMA_PAGE_BYTES - 1);
	return (uint32_t)((first + length + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES);
}

static uint32_t slot_pages(uint32_t slots, uint32_t slot_bytes)
{
	return (uint32_t)(((uint64_t)slots * slot_bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES);
}

/* N page addresses, each a whole page of the guest's memory. */
static uint8_t **get_pages(struct rbuf *r, struct vdev *dev, uint32_t n, uint64_t **gpas_out)
{
	uint64_t *gpas = calloc(n ? n : 1, sizeof *gpas);
	uint8_t **pages = calloc(n ? n : 1, sizeof *pages);
	if (!gpas || !pages) {
		fail(r, "out of memory for %u pages", n);
	} else {
		for (uint32_t i = 0; i < n && !r->failed; i++) {
			gpas[i] = get64(r);
			pages[i] = (gpas[i] % VRDMA_PAGE_BYTES) ? NULL : vgm_at(&dev->memory, gpas[i], VRDMA_PAGE_BYTES);
			if (!r->failed && pages[i] == NULL)
				fail(r, "page address 0x%llx outside the guest's memory or not page-aligned",
				     (unsigned long long)gpas[i]);
		}
	}
	if (r->failed || gpas_out == NULL)
		free(gpas);
	else
		*gpas_out = gpas;
	if (r->failed) {
		free(pages);
		return NULL;
	}
	return pages;
}

/* A ring of SLOT_BYTES slots from page FIRST; its state (the two indices)
 * at STATE_OFFSET of page 0. */
static int get_ring(struct rbuf *r, struct vdev *dev, struct vb_ring *ring, uint32_t page_count,
		    uint32_t first, uint32_t slot_bytes, uint32_t size, uint32_t index, uint8_t **pages,
		    size_t state_offset, int guest_produces)
{
	if (!vring_size_ok(size) || !vring_index_ok(index, size))
		return fail(r, "ring of %u slots at index %u", size, index);
	struct vrdma_ring_state *st = (struct vrdma_ring_state *)(pages[0] + state_offset);
	if (vb_ring_setup(ring, pages, page_count, first, slot_bytes, size,
			  guest_produces ? &st->prod_tail : &st->cons_head,
			  guest_produces ? &st->cons_head : &st->prod_tail) != 0)
		return fail(r, "ring of %u slots does not fit its %u pages", size, page_count);
	ring->index = index;
	vring_store(ring->device_index, index);
	(void)dev;
	return 0;
}

static int get_event_ring(struct rbuf *r, struct vdev *dev, struct vb_ring *ring, int active)
{
	uint32_t n = get_count(r, MIG_MAX_EVENT_RING_PAGES, "event ring pages");
	uint32_t size = get32(r), index = get32(r);
	if (r->failed)
		return EINVAL;
	if (!active)
		return n == 0 ? 0 : fail(r, "event ring of an inactive device");
	if (n < 2 || size != (n - 1) * (VRDMA_PAGE_BYTES / 8u))
		return fail(r, "event ring of %u pages and %u slots", n, size);
	if (vb_charge(dev, vb_ring_bill(n)) != 0)
		return fail(r, "event ring over the guest's share of this host");
	uint8_t **pages = get_pages(r, dev, n, NULL);
	if (pages == NULL || get_ring(r, dev, ring, n, 1, 8, size, index, pages, 0, 0) != 0) {
		free(pages);
		vb_release(dev, vb_ring_bill(n));
		memset(ring, 0, sizeof *ring);
		return EINVAL;
	}
	return 0;
}

/* A handle of a table of MAX, not used yet. */
static uint32_t get_handle(struct rbuf *r, uint32_t max, const void *table, size_t entry_bytes, const char *what)
{
	uint32_t h = get32(r);
	if (r->failed)
		return 0;
	if (h == 0 || h > max) {
		fail(r, "%s handle %u (expected 1..%u on this host)", what, h, max);
		return 0;
	}
	if (*(const int *)((const uint8_t *)table + (h - 1) * entry_bytes)) {
		fail(r, "%s handle %u twice", what, h);
		return 0;
	}
	return h;
}

static int restore_pds(struct rbuf *r, struct vdev *dev)
{
	struct vbackend *b = dev->backend;
	uint32_t n = get_count(r, b->config.max_pd_per_guest, "PD count");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		uint32_t h = get_handle(r, b->config.max_pd_per_guest, dev->pds, sizeof *dev->pds, "PD");
		if (r->failed)
			break;
		if (vb_charge(dev, vb_pd_bill()) != 0)
			return fail(r, "PD %u over the guest's share of this host", h);
		if (b->hca->ops->alloc_pd(b->hca, &dev->pds[h - 1].pdn) != 0) {
			vb_release(dev, vb_pd_bill());
			return fail(r, "PD %u: the HCA has no room", h);
		}
		dev->pds[h - 1].used = 1;
	}
	return r->failed ? EINVAL : 0;
}

static int restore_mrs(struct rbuf *r, struct vdev *dev, uint64_t *pages_total)
{
	struct vbackend *b = dev->backend;
	uint32_t n = get_count(r, b->config.max_mr_per_guest, "MR count");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		uint32_t h = get_handle(r, b->config.max_mr_per_guest, dev->mrs, sizeof *dev->mrs, "MR");
		uint32_t pd = get32(r), key = get32(r), access = get32(r);
		uint64_t iova = get64(r), length = get64(r);
		uint32_t pages = get_count(r, VPD_MAX_PAGES, "MR pages");
		if (r->failed)
			break;
		if (vb_pd_get(dev, pd) == NULL)
			return fail(r, "MR %u names PD %u, not restored", h, pd);
		if (length == 0 || iova > UINT64_MAX - length || (access & ~(uint32_t)MIG_ACCESS) ||
		    pages != pages_spanned(iova, length))
			return fail(r, "MR %u: %llu bytes at 0x%llx in %u pages, access 0x%x", h,
				    (unsigned long long)length, (unsigned long long)iova, pages, access);
		if (vb_charge(dev, vb_mr_bill(pages)) != 0)
			return fail(r, "MR %u over the guest's share of this host", h);
		struct vb_mr *mr = &dev->mrs[h - 1];
		mr->pages = get_pages(r, dev, pages, &mr->gpas);
		if (mr->pages == NULL) {
			vb_release(dev, vb_mr_bill(pages));
			return EINVAL;
		}
		mr->mem = (struct vhca_mem){.iova = iova, .length_bytes = length,
					    .first_page_offset = (uint32_t)(iova & (VRDMA_PAGE_BYTES - 1)),
					    .page_count = pages, .pages = mr->pages, .page_offsets = mr->gpas,
					    .fd = dev->memory.fd};
		int rc = b->hca->ops->reg_mr_key(b->hca, vb_pd_get(dev, pd)->pdn, &mr->mem, (int)access, key);
		if (rc != 0) {
			free(mr->pages);
			free(mr->gpas);
			memset(mr, 0, sizeof *mr);
			vb_release(dev, vb_mr_bill(pages));
			return fail(r, "MR %u: key 0x%x %s on this host", h, key,
				    rc == EEXIST ? "is taken" : "cannot be registered");
		}
		mr->lkey = mr->rkey = key;
		mr->access = (int)access;
		mr->pd_handle = pd;
		mr->used = 1;
		*pages_total += pages;
	}
	return r->failed ? EINVAL : 0;
}

static int restore_cqs(struct rbuf *r, struct vdev *dev)
{
	struct vbackend *b = dev->backend;
	uint32_t n = get_count(r, b->config.max_cq_per_guest, "CQ count");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		uint32_t h = get_handle(r, b->config.max_cq_per_guest, dev->cqs, sizeof *dev->cqs, "CQ");
		uint32_t arm = get32(r), broken = get32(r);
		uint32_t pages = get_count(r, 1 + slot_pages(b->config.max_cqe, VRDMA_CQE_BYTES), "CQ pages");
		uint32_t size = get32(r), index = get32(r);
		if (r->failed)
			break;
		if (!vring_size_ok(size) || size > b->config.max_cqe || pages != 1 + slot_pages(size, VRDMA_CQE_BYTES) ||
		    broken > 1 || (arm & ~(uint32_t)(VRDMA_UAR_CQ_ARM | VRDMA_UAR_CQ_ARM_SOLICITED)))
			return fail(r, "CQ %u: %u CQEs in %u pages, arm 0x%x", h, size, pages, arm);
		if (vb_charge(dev, vb_cq_bill(size, pages)) != 0)
			return fail(r, "CQ %u over the guest's share of this host", h);
		struct vb_cq *cq = &dev->cqs[h - 1];
		uint8_t **pg = get_pages(r, dev, pages, NULL);
		if (pg == NULL || get_ring(r, dev, &cq->ring, pages, 1, VRDMA_CQE_BYTES, size, index, pg, 0, 0) != 0 ||
		    b->hca->ops->create_cq(b->hca, (int)size, vb_cq_event, cq, &cq->cqn) != 0) {
			free(pg);
			memset(cq, 0, sizeof *cq);
			vb_release(dev, vb_cq_bill(size, pages));
			return fail(r, "CQ %u cannot be created", h);
		}
		atomic_store(&cq->arm, arm);
		cq->broken = (int)broken;
		cq->used = 1;
		cq->dev = dev;
		cq->handle = h;
	}
	return r->failed ? EINVAL : 0;
}

static void get_sges(struct rbuf *r, struct ibv_sge *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		s[i].addr = get64(r);
		s[i].length = get32(r);
		s[i].lkey = get32(r);
	}
}

static void get_image(struct rbuf *r, struct vhca_qp_image *im, uint32_t sq_depth, uint32_t rq_depth)
{
	uint32_t *f[] = {&im->state, &im->access_flags, &im->port_num, &im->pkey_index, &im->dlid,
			 &im->dest_qpn, &im->path_mtu, &im->timeout, &im->retry_cnt, &im->rnr_retry,
			 &im->min_rnr_timer, &im->max_rd_atomic, &im->max_dest_rd_atomic, &im->sq_psn,
			 &im->rq_psn, &im->msn, &im->in_message, &im->last_opcode, &im->have_recv,
			 &im->recv_offset};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		*f[i] = get32(r);
	im->write_va = get64(r);
	im->write_rkey = get32(r);
	im->write_left = get32(r);
	im->write_total = get32(r);
	im->prior_lid = get32(r);
	im->prior_qpn = get32(r);
	if (im->prior_lid > UINT16_MAX || (im->prior_qpn & ~MIG_QPN_MASK))
		fail(r, "a prior location LID %u, QPN 0x%x (expected a 16-bit LID, a 24-bit QPN)", im->prior_lid,
		     im->prior_qpn);
	im->send_count = get_count(r, sq_depth, "unretired sends");
	for (uint32_t i = 0; i < im->send_count && !r->failed; i++) {
		struct vhca_saved_send *s = &im->sends[i];
		s->wr_id = get64(r);
		s->remote_addr = get64(r);
		s->opcode = get32(r);
		s->send_flags = get32(r);
		s->imm_data = get32(r);
		s->rkey = get32(r);
		s->num_sge = get_count(r, VHCA_SAVE_MAX_SGE, "SGEs");
		s->inline_bytes = get_count(r, VHCA_SAVE_MAX_INLINE, "inline bytes");
		get_sges(r, s->sge, s->num_sge);
		get(r, s->inline_data, s->inline_bytes);
	}
	im->recv_count = get_count(r, rq_depth, "unretired receives");
	for (uint32_t i = 0; i < im->recv_count && !r->failed; i++) {
		im->recvs[i].wr_id = get64(r);
		im->recvs[i].num_sge = get_count(r, VHCA_SAVE_MAX_SGE, "SGEs");
		get_sges(r, im->recvs[i].sge, im->recvs[i].num_sge);
	}
}

static int get_inflight(struct rbuf *r, struct vb_inflight *f)
{
	uint32_t n = get_count(r, f->capacity, "work requests in flight");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		f->op_ids[i] = get64(r);
		f->guest_wr_ids[i] = get64(r);
	}
	f->head = 0;
	f->count = r->failed ? 0 : n;
	return r->failed ? EINVAL : 0;
}

static int restore_qp(struct rbuf *r, struct vdev *dev, uint16_t old_lid, int *remapped)
{
	struct vbackend *b = dev->backend;
	const struct vbackend_config *c = &b->config;
	uint32_t h = get_handle(r, c->max_qp_per_guest, dev->qps, sizeof *dev->qps, "QP");
	uint32_t v[20];
	for (int i = 0; i < 20; i++)
		v[i] = get32(r);
	uint64_t sq_held_op = get64(r), rq_held_op = get64(r);
	if (r->failed)
		return EINVAL;
	uint32_t old_qpn = v[0], pd = v[1], scq = v[2], rcq = v[3], sq_size = v[4], rq_size = v[5];
	uint32_t send_sge = v[6], recv_sge = v[7], inline_bytes = v[8], sig_all = v[9], pages = v[10];
	uint32_t sq_first = v[11], rq_first = v[12], sq_index = v[13], rq_index = v[14];
	if (vb_pd_get(dev, pd) == NULL || vb_cq_get(dev, scq) == NULL || vb_cq_get(dev, rcq) == NULL)
		return fail(r, "QP %u names PD %u, CQs %u and %u: not all restored", h, pd, scq, rcq);
	if (!vring_size_ok(sq_size) || !vring_size_ok(rq_size) || sq_size > c->max_qp_wr || rq_size > c->max_qp_wr ||
	    send_sge > VRDMA_MAX_SGE || recv_sge > VRDMA_MAX_SGE || inline_bytes > VRDMA_MAX_INLINE_BYTES ||
	    sig_all > 1 || v[17] > 1 || v[18] > 1 || v[19] > 1 || sq_first != 1 ||
	    rq_first != sq_first + slot_pages(sq_size, VRDMA_WQE_BYTES) ||
	    pages != rq_first + slot_pages(rq_size, VRDMA_WQE_BYTES))
		return fail(r, "QP %u: geometry (%u/%u WRs, %u pages) or flags not valid on this host", h, sq_size,
			    rq_size, pages);
	uint32_t rq_holding = v[19];
	if (vb_charge(dev, vb_qp_bill(sq_size + rq_size, pages)) != 0)
		return fail(r, "QP %u over the guest's share of this host", h);
	struct vb_qp *qp = &dev->qps[h - 1];
	struct vhca_qp_image im;
	memset(&im, 0, sizeof im);
	im.sends = calloc(sq_size, sizeof *im.sends);
	im.recvs = calloc(rq_size, sizeof *im.recvs);
	int rc = 0;
	if (!im.sends || !im.recvs || vb_inflight_init(&qp->sq_inflight, sq_size + 1) ||
	    vb_inflight_init(&qp->rq_inflight, rq_size + 1))
		rc = fail(r, "out of memory");
	if (rc == 0) {
		get(r, &qp->sq_held, sizeof qp->sq_held);
		get(r, &qp->rq_held, sizeof qp->rq_held);
		get_inflight(r, &qp->sq_inflight);
		get_inflight(r, &qp->rq_inflight);
		get_image(r, &im, sq_size, rq_size);
		qp->pages = get_pages(r, dev, pages, NULL);
		rc = r->failed ? EINVAL : 0;
	}
	qp->max_send_sge = send_sge;
	qp->max_recv_sge = recv_sge;
	qp->max_inline_bytes = inline_bytes;
	if (rc == 0 && ((v[18] && vb_check_send_wqe(qp, &qp->sq_held) != 0) ||
			(rq_holding && qp->rq_held.num_sge > recv_sge)))
		rc = fail(r, "QP %u: a held work request is not valid", h);
	if (rc == 0) {
		uint8_t *state_page = qp->pages[0];
		size_t sq_off = VRDMA_QP_SQ_STATE_OFFSET, rq_off = VRDMA_QP_RQ_STATE_OFFSET;
		if (get_ring(r, dev, &qp->sq, pages, sq_first, VRDMA_WQE_BYTES, sq_size, sq_index, qp->pages, sq_off, 1) ||
		    get_ring(r, dev, &qp->rq, pages, rq_first, VRDMA_WQE_BYTES, rq_size, rq_index, qp->pages, rq_off, 1))
			rc = EINVAL;
		(void)state_page;
	}
	if (rc == 0) {
		struct vhca_qp_init init = {
			.pdn = vb_pd_get(dev, pd)->pdn, .send_cqn = vb_cq_get(dev, scq)->cqn,
			.recv_cqn = vb_cq_get(dev, rcq)->cqn,
			.cap = {.max_send_wr = sq_size, .max_recv_wr = rq_size, .max_send_sge = send_sge ? send_sge : 1,
				.max_recv_sge = recv_sge, .max_inline_data = inline_bytes},
			.sq_sig_all = (int)sig_all, .trace_guest = dev->guest_id};
		rc = b->hca->ops->create_qp(b->hca, &init, &qp->qpn);
		if (rc == 0 && (rc = vb_qpn_insert(b, qp->qpn, qp)) != 0) {
			b->hca->ops->destroy_qp(b->hca, qp->qpn);
			qp->qpn = 0;
		}
		if (rc != 0)
			rc = fail(r, "QP %u cannot be created on this host", h);
	}
	if (rc == 0) {
		qp->used = 1;
		qp->dev = dev;
		qp->handle = h;
		qp->page_count = pages;
		qp->send_cq_handle = scq;
		qp->recv_cq_handle = rcq;
		vb_cq_get(dev, scq)->qp_refs++;
		vb_cq_get(dev, rcq)->qp_refs++;
		rc = b->hca->ops->restore_qp(b->hca, qp->qpn, &im, old_lid, old_qpn);
		if (rc != 0)
			rc = fail(r, "QP %u: the HCA refused its transport state (%s)", h, strerror(rc));
	}
	free(im.sends);
	free(im.recvs);
	if (rc != 0) {
		if (qp->used) {
			vb_destroy_qp(dev, qp); /* releases the bill */
		} else {
			vb_inflight_free(&qp->sq_inflight);
			vb_inflight_free(&qp->rq_inflight);
			free(qp->pages);
			memset(qp, 0, sizeof *qp);
			vb_release(dev, vb_qp_bill(sq_size + rq_size, pages));
		}
		return rc;
	}
	*remapped |= qp->qpn != old_qpn;
	qp->pd_handle = pd;
	qp->sq_sig_all = (int)sig_all;
	qp->sq_sequence = v[15];
	qp->rq_sequence = v[16];
	qp->broken = (int)v[17];
	qp->sq_holding = (int)v[18];
	qp->rq_holding = (int)rq_holding;
	qp->sq_held_op = sq_held_op;
	qp->rq_held_op = rq_held_op;
	return 0;
}

static int check_header(const uint8_t *state, size_t bytes, struct rbuf *r)
{
	if (bytes < MIG_HEADER_BYTES) {
		snprintf(r->err, r->err_bytes, "saved state: %zu bytes, shorter than its %u-byte header", bytes,
			 MIG_HEADER_BYTES);
		return EINVAL;
	}
	if (memcmp(state, MIG_MAGIC, 8) != 0) {
		snprintf(r->err, r->err_bytes, "saved state: byte offset 0: not a vRDMA saved state (expected the magic \"%s\")",
			 MIG_MAGIC);
		return EINVAL;
	}
	uint32_t f[6];
	for (int i = 0; i < 6; i++) {
		const uint8_t *b = state + 8 + 4 * i;
		f[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	}
	if (f[0] != VBACKEND_MIGRATION_VERSION) {
		snprintf(r->err, r->err_bytes, "saved state: byte offset 8: version %u (expected %u)", f[0],
			 VBACKEND_MIGRATION_VERSION);
		return EINVAL;
	}
	uint64_t body = (uint64_t)f[2] | (uint64_t)f[3] << 32;
	if (f[1] != MIG_HEADER_BYTES || f[5] != 0) {
		snprintf(r->err, r->err_bytes, "saved state: byte offset 12: header of %u bytes, reserved %u (expected %u, 0)",
			 f[1], f[5], MIG_HEADER_BYTES);
		return EINVAL;
	}
	if (body != bytes - MIG_HEADER_BYTES) {
		snprintf(r->err, r->err_bytes, "saved state: byte offset 16: body of %llu bytes, found %zu (%s)",
			 (unsigned long long)body, bytes - MIG_HEADER_BYTES,
			 body > bytes - MIG_HEADER_BYTES ? "truncated" : "over-long");
		return EINVAL;
	}
	uint32_t crc = vb_crc32(state + MIG_HEADER_BYTES, bytes - MIG_HEADER_BYTES);
	if (crc != f[4]) {
		snprintf(r->err, r->err_bytes, "saved state: byte offset 24: checksum 0x%08x, body's CRC-32 is 0x%08x (corrupted)",
			 f[4], crc);
		return EINVAL;
	}
	r->p = state + MIG_HEADER_BYTES;
	r->n = bytes - MIG_HEADER_BYTES;
	r->off = 0;
	return 0;
}

int vbackend_check_state_header(const uint8_t *state, size_t bytes, char *err, size_t err_bytes)
{
	struct rbuf r = {.err = err, .err_bytes = err_bytes};
	return check_header(state, bytes, &r);
}

static int restore_device(struct vdev *dev, struct rbuf *r, struct vbackend_migration *m)
{
	struct vbackend *b = dev->backend;
	uint64_t memory_bytes = get64(r), dsr = get64(r);
	uint32_t active = get32(r), imr = get32(r), old_lid = get32(r), op_host = get32(r), op_guest = get32(r);
	if (r->failed)
		return EINVAL;
	if (op_host > UINT8_MAX || op_guest > UINT8_MAX)
		return fail(r, "op-id host %u, guest %u (expected at most 255 each)", op_host, op_guest);
	if (memory_bytes != dev->memory.bytes)
		return fail(r, "guest memory of %llu bytes (this VM has %llu)", (unsigned long long)memory_bytes,
			    (unsigned long long)dev->memory.bytes);
	if (active > 1 || old_lid > UINT16_MAX || (active && (dsr % VRDMA_PAGE_BYTES || !vgm_at(&dev->memory, dsr, VRDMA_PAGE_BYTES))))
		return fail(r, "device active %u, DSR 0x%llx, LID %u", active, (unsigned long long)dsr, old_lid);
	if (get_event_ring(r, dev, &dev->async_ring, (int)active) || get_event_ring(r, dev, &dev->notify_ring, (int)active))
		return EINVAL;
	dev->active = (int)active;
	dev->dsr_gpa = dsr;
	dev->op_host = (uint8_t)op_host;
	dev->op_guest = (uint16_t)op_guest;
	dev->vm.host_id = dev->op_host; /* the guest's op ids too (its driver computes them) */
	dev->vm.guest_id = dev->op_guest;
	atomic_store(&dev->reg_imr, imr);
	atomic_store(&dev->reg_dsr_low, (uint32_t)dsr);
	atomic_store(&dev->reg_dsr_high, (uint32_t)(dsr >> 32));
	uint64_t pages = 0;
	if (restore_pds(r, dev) || restore_mrs(r, dev, &pages) || restore_cqs(r, dev))
		return EINVAL;
	uint32_t nqp = get_count(r, b->config.max_qp_per_guest, "QP count");
	int remapped = 0;
	for (uint32_t i = 0; i < nqp && !r->failed; i++)
		if (restore_qp(r, dev, (uint16_t)old_lid, &remapped) != 0)
			return EINVAL;
	if (r->failed)
		return EINVAL;
	if (r->off != r->n)
		return fail(r, "%zu bytes after the last object", r->n - r->off);
	if (m) {
		m->mrs = count_used(dev->mrs, sizeof *dev->mrs, b->config.max_mr_per_guest);
		m->pages = pages;
		m->qpn_remapped = remapped;
	}
	/* resume: every ring looked at again (WQEs posted during the move, a
	 * held WQE, a CQ armed) */
	for (uint32_t i = 0; i < b->config.max_qp_per_guest; i++)
		if (dev->qps[i].used) {
			vb_ring_again(dev, 1, i + 1);
			vb_ring_again(dev, 0, i + 1);
		}
	return 0;
}

/* Where the restored guest's memory comes from: a mapping in this process
 * (an in-process move), or a file the guest's VMM handed over (a guest
 * process: read with pread, so a file shorter than it said, or changed
 * under us, gives a short read, never a fault). */
struct memory_source {
	const uint8_t *base; /* or NULL */
	int fd;              /* or -1 */
	uint64_t bytes;
};

static int copy_memory(struct vdev *dev, const struct memory_source *src, char *err, size_t err_bytes)
{
	uint64_t n = src->bytes < dev->memory.bytes ? src->bytes : dev->memory.bytes;
	if (src->base) {
		memcpy(dev->memory.base, src->base, n);
		return 0;
	}
	/* file to file in the kernel first: no page of either is mapped, so
	 * none is faulted in here (a fault costs ~10 us in a nested VM); pread
	 * finishes what it could not copy */
	uint64_t done = 0;
	while (src->fd >= 0 && done < n) {
		loff_t in = (loff_t)done, out = (loff_t)done;
		ssize_t got = copy_file_range(src->fd, &in, dev->vm.memory.fd, &out, n - done, 0);
		if (got <= 0)
			break;
		done += (uint64_t)got;
	}
	while (src->fd >= 0 && done < n) {
		ssize_t got = pread(src->fd, dev->memory.base + done, n - done, (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			snprintf(err, err_bytes, "the guest memory file ended at byte %llu, expected %llu bytes (%s)",
				 (unsigned long long)done, (unsigned long long)n, got < 0 ? strerror(errno) : "end of file");
			return EINVAL;
		}
		done += (uint64_t)got;
	}
	return 0;
}

static int restore_vm(struct vbackend *b, const uint8_t *state, size_t bytes, const struct memory_source *src,
		      struct vbackend_remote *remote, struct vrdma_vm **out, struct vbackend_migration *m, char *err,
		      size_t err_bytes)
{
	struct rbuf r = {.err = err, .err_bytes = err_bytes};
	int rc = check_header(state, bytes, &r);
	if (rc != 0)
		return rc;
	if (b->hca->ops->restore_qp == NULL || b->hca->ops->reg_mr_key == NULL) {
		snprintf(err, err_bytes, "the %s HCA cannot restore QPs", b->hca->ops->name);
		return ENOTSUP;
	}
	struct vrdma_vm *vm;
	rc = remote ? vbackend_create_remote_vm(b, src->bytes, &vm, remote, err, err_bytes)
		    : vbackend_create_vm(b, src->bytes, &vm, err, err_bytes);
	if (rc != 0)
		return rc;
	struct vdev *dev = vm->device;
	uint64_t t0 = now_ns();
	rc = copy_memory(dev, src, err, err_bytes);
	uint64_t t1 = now_ns();
	if (rc == 0) {
		pthread_mutex_lock(&b->lock);
		rc = restore_device(dev, &r, m);
		uint64_t t2 = now_ns();
		if (rc == 0) {
			VB_TRACE_SPAN(dev, VTRACE_MIGRATE_TRANSFER, t0, t1, bytes, src->bytes);
			VB_TRACE_SPAN(dev, VTRACE_MIGRATE_REGISTER, t1, t2, m ? m->mrs : 0, m ? m->pages : 0);
		}
		pthread_mutex_unlock(&b->lock);
		if (m) {
			m->transfer_ns += t1 - t0;
			m->register_ns = t2 - t1;
			m->resumed_ns = t2;
		}
	}
	if (rc != 0) {
		vbackend_destroy_vm(b, vm);
		return rc;
	}
	*out = vm;
	return 0;
}

int vbackend_restore_vm(struct vbackend *b, const uint8_t *state, size_t bytes, const uint8_t *memory,
			uint64_t memory_bytes, struct vrdma_vm **out, struct vbackend_migration *m, char *err,
			size_t err_bytes)
{
	struct memory_source src = {.base = memory, .fd = -1, .bytes = memory_bytes};
	return restore_vm(b, state, bytes, &src, NULL, out, m, err, err_bytes);
}

int vbackend_restore_remote_vm(struct vbackend *b, const uint8_t *state, size_t bytes, int memory_fd,
			       uint64_t memory_bytes, unsigned pending_vectors, struct vrdma_vm **out,
			       struct vbackend_remote *remote, struct vbackend_migration *m, char *err, size_t err_bytes)
{
	struct memory_source src = {.base = NULL, .fd = memory_fd, .bytes = memory_bytes};
	int rc = restore_vm(b, state, bytes, &src, remote, out, m, err, err_bytes);
	if (rc != 0)
		return rc;
	/* interrupts raised before the save that the guest had not read yet:
	 * they were on the source's lines, which the guest let go */
	struct vdev *dev = (*out)->device;
	pthread_mutex_lock(&b->lock);
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		if (pending_vectors & (1u << v))
			vb_raise_interrupt(dev, (enum vrdma_vector)v);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

int vbackend_reconnected(struct vbackend *b, struct vrdma_vm *vm, struct vbackend_migration *m)
{
	pthread_mutex_lock(&b->lock);
	uint64_t t = 0;
	int done = b->hca->ops->reconnected == NULL || b->hca->ops->reconnected(b->hca, &t);
	if (done && m && !m->reconnect_ns) {
		if (t < m->resumed_ns) /* no answer was needed (no QP in RTS) */
			t = m->resumed_ns;
		m->reconnect_ns = t - m->resumed_ns;
		(void)vm; /* the HCA traced the reconnection when the answer came */
	}
	pthread_mutex_unlock(&b->lock);
	return done;
}

int vbackend_migrate_vm(struct vbackend *from, struct vrdma_vm *vm, struct vbackend *to, struct vrdma_vm **out,
			struct vbackend_migration *m, char *err, size_t err_bytes)
{
	struct vbackend_migration local;
	if (m == NULL)
		m = &local;
	memset(m, 0, sizeof *m);
	if (((struct vdev *)vm->device)->remote) {
		snprintf(err, err_bytes, "a guest process (vrdma-host) cannot be moved: only an in-process guest's "
			 "memory mapping and device pins can be re-pointed");
		return ENOTSUP;
	}
	uint64_t start = now_ns();
	uint8_t *state = NULL;
	size_t bytes = 0;
	int rc = vbackend_save_vm(from, vm, &state, &bytes, m, err, err_bytes);
	if (rc != 0)
		return rc;
	struct vdev *src = vm->device;
	uint8_t *base = vm->memory.base;   /* the guest's view: it stays where it is */
	uint64_t view_bytes = vm->memory.bytes;
	/* transfer: the saved state and the guest's memory (stopped: the vCPU
	 * is here) go to the destination, which copies the memory in */
	struct vrdma_vm *nvm = NULL;
	struct vbackend *host = to;
	struct memory_source memory = {.base = NULL, .fd = src->vm.memory.fd, .bytes = src->memory.bytes};
	rc = restore_vm(to, state, bytes, &memory, NULL, &nvm, m, err, err_bytes);
	if (rc != 0) {
		/* the destination refused: resume here, from the same state, as
		 * vrdma-host's RESUME does: the stopped VM goes first (its
		 * regions hold their keys, its objects their charges), its
		 * memory kept in a dup of its memfd */
		char why[256];
		host = from;
		memory.fd = dup(src->vm.memory.fd);
		src->vm.memory.base = NULL;   /* the guest's view is not the VM's to unmap */
		vbackend_destroy_vm(from, vm);
		vm = NULL;
		if (memory.fd < 0 || restore_vm(from, state, bytes, &memory, NULL, &nvm, NULL, why, sizeof why) != 0)
			nvm = NULL;
		if (memory.fd >= 0)
			close(memory.fd);
	}
	free(state);
	*out = NULL;
	if (nvm == NULL)
		return rc;
	/* the guest's view moves: the new VM's memory mapped where the old
	 * one's was, so every guest pointer stays valid */
	struct vdev *dst = nvm->device;
	if (mmap(base, view_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, nvm->memory.fd, 0) == MAP_FAILED) {
		int e = errno;
		snprintf(err, err_bytes, "mapping the destination's memory: %s", strerror(e));
		vbackend_destroy_vm(host, nvm);
		return e;
	}
	munmap(dst->vm.memory.base, dst->vm.memory.bytes);
	dst->vm.memory.base = base;
	*out = nvm;
	if (host == from)
		return rc;
	/* the source forgets the guest (its view is now the new VM's) */
	src->vm.memory.base = NULL;
	vbackend_destroy_vm(from, vm);
	m->pause_ns = now_ns() - start;
	return 0;
}
