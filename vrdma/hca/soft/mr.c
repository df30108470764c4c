/*
 * vrdma/hca/soft/mr.c -- protection domains, memory regions, and the DMA
 * engine that walks them.
 *
 * Zero-copy: a region is the caller's page list; the HCA reads and writes
 * those pages in place, one contiguous span (never crossing a page) at a
 * time, so it touches nothing outside [pages[i], pages[i] + 4096).  Every
 * span re-resolves its key, because a region may be deregistered between
 * two packets of one message; a vanished region fails the copy, it is
 * never dereferenced.
 *
 * Keys: lkey == rkey = (slot + 1) << 8 | generation, so a stale key of a
 * reused slot does not match (until the 8-bit generation wraps).
 */
#include <errno.h>
#include <string.h>

#include "vrdma/hca/soft/soft.h"

#define KEY_GEN_BITS 8u
#define KNOWN_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
		      IBV_ACCESS_REMOTE_ATOMIC | IBV_ACCESS_RELAXED_ORDERING)

struct soft_pd *soft_pd_get(struct soft_hca *hca, uint32_t pdn)
{
	if (pdn == 0 || pdn > SOFT_MAX_PD || !hca->pds[pdn - 1].used)
		return NULL;
	return &hca->pds[pdn - 1];
}

int soft_alloc_pd(struct vhca *vhca, uint32_t *pdn)
{
	struct soft_hca *hca = soft_hca(vhca);
	for (uint32_t i = 0; i < SOFT_MAX_PD; i++) {
		if (!hca->pds[i].used) {
			hca->pds[i] = (struct soft_pd){.used = 1};
			*pdn = i + 1;
			return 0;
		}
	}
	return ENOMEM;
}

int soft_dealloc_pd(struct vhca *vhca, uint32_t pdn)
{
	struct soft_pd *pd = soft_pd_get(soft_hca(vhca), pdn);
	if (!pd)
		return EINVAL;
	if (pd->refs)
		return EBUSY;
	pd->used = 0;
	return 0;
}

struct soft_mr *soft_mr_get(struct soft_hca *hca, uint32_t key)
{
	uint32_t slot = (key >> KEY_GEN_BITS) - 1u;   /* key 0 wraps to a huge slot */
	if (slot >= SOFT_MAX_MR || hca->mrs[slot].key != key)
		return NULL;
	return &hca->mrs[slot];
}

/* The description must say what it means: pages for every byte, the first
 * byte inside the first page, and an iova range that does not wrap. */
static int valid_mem(const struct vhca_mem *mem)
{
	if (!mem || !mem->pages || mem->page_count == 0 ||
	    mem->page_count > SOFT_MAX_REGION_PAGES || mem->first_page_offset >= VHCA_PAGE_BYTES)
		return 0;
	uint64_t room = (uint64_t)mem->page_count * VHCA_PAGE_BYTES - mem->first_page_offset;
	if (mem->length_bytes > room || mem->length_bytes > UINT64_MAX - mem->iova)
		return 0;
	for (uint32_t i = 0; i < mem->page_count; i++)
		if (!mem->pages[i])
			return 0;
	return 1;
}

/* Register in SLOT (free) with generation GEN. */
static int reg_in_slot(struct soft_hca *hca, uint32_t pdn, const struct vhca_mem *mem, int access,
		       uint32_t slot, uint32_t gen, uint32_t *key)
{
	struct soft_pd *pd = soft_pd_get(hca, pdn);
	if (!pd || !valid_mem(mem) || (access & ~KNOWN_ACCESS))
		return EINVAL;
	/* verbs: remote write or atomic access needs local write (ibv_reg_mr) */
	if ((access & (IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_ATOMIC)) &&
	    !(access & IBV_ACCESS_LOCAL_WRITE))
		return EINVAL;
	struct soft_mr *mr = &hca->mrs[slot];
	*mr = (struct soft_mr){
		.key = (slot + 1u) << KEY_GEN_BITS | (gen & 0xffu), .pdn = pdn, .access = access,
		.iova = mem->iova, .length_bytes = mem->length_bytes,
		.first_page_offset = mem->first_page_offset, .page_count = mem->page_count,
		.pages = mem->pages};
	pd->refs++;
	*key = mr->key;
	return 0;
}

int soft_reg_mr(struct vhca *vhca, uint32_t pdn, const struct vhca_mem *mem, int access,
		uint32_t *lkey, uint32_t *rkey)
{
	struct soft_hca *hca = soft_hca(vhca);
	for (uint32_t i = 0; i < SOFT_MAX_MR; i++) {
		if (hca->mrs[i].key)
			continue;
		int rc = reg_in_slot(hca, pdn, mem, access, i, hca->mr_gen[i], lkey);
		if (rc == 0) {
			hca->mr_gen[i]++;
			*rkey = *lkey;
		}
		return rc;
	}
	return ENOMEM;
}

/* Live migration (migrate.c): the key a region had on the source HCA. */
int soft_reg_mr_key(struct vhca *vhca, uint32_t pdn, const struct vhca_mem *mem, int access, uint32_t key)
{
	struct soft_hca *hca = soft_hca(vhca);
	uint32_t slot = (key >> KEY_GEN_BITS) - 1u, got;
	if (key == 0 || slot >= SOFT_MAX_MR)
		return EINVAL;
	if (hca->mrs[slot].key != 0)
		return EEXIST;
	int rc = reg_in_slot(hca, pdn, mem, access, slot, key & 0xffu, &got);
	if (rc == 0)
		hca->mr_gen[slot] = (uint8_t)((key & 0xffu) + 1u);
	return rc;
}

int soft_dereg_mr(struct vhca *vhca, uint32_t lkey)
{
	struct soft_hca *hca = soft_hca(vhca);
	struct soft_mr *mr = soft_mr_get(hca, lkey);
	if (!mr)
		return EINVAL;
	soft_pd_get(hca, mr->pdn)->refs--;
	memset(mr, 0, sizeof *mr);
	return 0;
}

/* [addr, addr + bytes) inside the region, without overflow. */
static int in_bounds(const struct soft_mr *mr, uint64_t addr, uint64_t bytes)
{
	if (addr < mr->iova)
		return 0;
	uint64_t start = addr - mr->iova;
	return start <= mr->length_bytes && bytes <= mr->length_bytes - start;
}

/* The region an SGE names, if it may be used as the list requires. */
static struct soft_mr *sge_region(struct soft_hca *hca, const struct soft_sgl *sgl,
				  const struct ibv_sge *sge, int *err)
{
	struct soft_mr *mr = soft_mr_get(hca, sge->lkey);
	if (!mr || mr->pdn != sgl->pdn || !in_bounds(mr, sge->addr, sge->length)) {
		*err = EINVAL;
		return NULL;
	}
	if ((mr->access & sgl->access) != sgl->access) {
		*err = EACCES;
		return NULL;
	}
	return mr;
}

int soft_sgl_check(struct soft_hca *hca, const struct soft_sgl *sgl, uint64_t *total_bytes)
{
	uint64_t total = sgl->inline_data ? sgl->inline_bytes : 0;
	for (uint32_t i = 0; !sgl->inline_data && i < sgl->num_sge; i++) {
		int err = 0;
		total += sgl->sge[i].length;
		if (sgl->sge[i].length && !sge_region(hca, sgl, &sgl->sge[i], &err))
			return err;
	}
	*total_bytes = total;
	return 0;
}

void soft_dma_start(struct soft_dma *dma, struct soft_hca *hca, const struct soft_sgl *sgl,
		    uint64_t offset)
{
	*dma = (struct soft_dma){.hca = hca, .sgl = sgl, .offset = offset};
	if (sgl->inline_data)
		return;
	while (dma->index < sgl->num_sge && dma->offset >= sgl->sge[dma->index].length) {
		dma->offset -= sgl->sge[dma->index].length;
		dma->index++;
	}
}

/* The next contiguous host bytes at the position, at most `max`, within
 * one page.  Returns their count (0 and dma->failed at a broken bound). */
static uint32_t dma_span(struct soft_dma *dma, uint8_t **ptr, uint64_t max)
{
	const struct soft_sgl *sgl = dma->sgl;
	if (sgl->inline_data) {
		if (dma->offset >= sgl->inline_bytes)
			goto fail;
		*ptr = (uint8_t *)(uintptr_t)(sgl->inline_data + dma->offset);
		uint64_t left = sgl->inline_bytes - dma->offset;
		return (uint32_t)(left < max ? left : max);
	}
	while (dma->index < sgl->num_sge && dma->offset >= sgl->sge[dma->index].length) {
		dma->offset = 0;
		dma->index++;
	}
	if (dma->index >= sgl->num_sge)
		goto fail;
	const struct ibv_sge *sge = &sgl->sge[dma->index];
	int err;
	struct soft_mr *mr = sge_region(dma->hca, sgl, sge, &err);
	if (!mr)
		goto fail;
	uint64_t at = sge->addr - mr->iova + dma->offset + mr->first_page_offset;
	uint64_t within = at % VHCA_PAGE_BYTES;
	uint64_t n = VHCA_PAGE_BYTES - within;
	if (n > sge->length - dma->offset)
		n = sge->length - dma->offset;
	if (n > max)
		n = max;
	*ptr = mr->pages[at / VHCA_PAGE_BYTES] + within;
	dma->pages++;
	return (uint32_t)n;
fail:
	dma->failed = 1;
	return 0;
}

int soft_dma_to_buf(struct soft_dma *dma, uint8_t *buf, uint32_t bytes)
{
	while (bytes) {
		uint8_t *p;
		uint32_t n = dma_span(dma, &p, bytes);
		if (!n)
			return EFAULT;
		memcpy(buf, p, n);
		buf += n;
		bytes -= n;
		dma->offset += n;
	}
	return 0;
}

int soft_dma_from_buf(struct soft_dma *dma, const uint8_t *buf, uint32_t bytes)
{
	if (dma->sgl->inline_data && bytes)
		return EFAULT;
	while (bytes) {
		uint8_t *p;
		uint32_t n = dma_span(dma, &p, bytes);
		if (!n)
			return EFAULT;
		memcpy(p, buf, n);
		buf += n;
		bytes -= n;
		dma->offset += n;
	}
	return 0;
}

/* Page to page, no bounce buffer: each step copies the shorter of the two
 * current spans. */
int soft_dma_copy(struct soft_dma *dst, struct soft_dma *src, uint64_t bytes)
{
	if (dst->sgl->inline_data && bytes)
		return EFAULT;
	while (bytes) {
		uint8_t *d, *s;
		uint32_t n = dma_span(dst, &d, bytes);
		if (!n)
			return EFAULT;
		n = dma_span(src, &s, n);
		if (!n)
			return EFAULT;
		memcpy(d, s, n);
		bytes -= n;
		dst->offset += n;
		src->offset += n;
	}
	return 0;
}

uint64_t soft_dma_iova(const struct soft_dma *dma)
{
	const struct soft_sgl *sgl = dma->sgl;
	if (sgl->inline_data || dma->index >= sgl->num_sge)
		return 0;
	return sgl->sge[dma->index].addr + dma->offset;
}

uint32_t soft_dma_key(const struct soft_dma *dma)
{
	const struct soft_sgl *sgl = dma->sgl;
	return sgl->inline_data || dma->index >= sgl->num_sge ? 0 : sgl->sge[dma->index].lkey;
}
