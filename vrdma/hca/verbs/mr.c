/*
 * vrdma/hca/verbs/mr.c -- protection domains and memory regions on the real
 * device.
 *
 * Zero-copy: a guest region is a list of guest pages, scattered in the
 * guest memory file.  The device needs one contiguous virtual range, so the
 * driver reserves one (PROT_NONE, nothing behind it), maps the file's pages
 * over it in place (MAP_FIXED | MAP_SHARED, one mmap per run of consecutive
 * file pages), and registers that range with ibv_reg_mr_iova at the guest's
 * iova.  The device then reads and writes guest memory itself; the guest's
 * addresses are the device's, locally (SGEs) and remotely (RDMA).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "vrdma/hca/verbs/verbs.h"

#define KNOWN_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
		      IBV_ACCESS_REMOTE_ATOMIC | IBV_ACCESS_RELAXED_ORDERING)

struct verbs_pd *verbs_pd_get(struct verbs_hca *hca, uint32_t pdn)
{
	if (pdn == 0 || pdn > VERBS_MAX_PD || !hca->pds[pdn - 1].pd)
		return NULL;
	return &hca->pds[pdn - 1];
}

int verbs_alloc_pd(struct vhca *vhca, uint32_t *pdn)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	for (uint32_t i = 0; i < VERBS_MAX_PD; i++) {
		if (hca->pds[i].pd)
			continue;
		errno = 0;
		struct ibv_pd *pd = ibv_alloc_pd(hca->ctx);
		if (!pd)
			return errno ? errno : ENOMEM;
		hca->pds[i] = (struct verbs_pd){.pd = pd};
		*pdn = i + 1;
		return 0;
	}
	return ENOMEM;
}

int verbs_dealloc_pd(struct vhca *vhca, uint32_t pdn)
{
	struct verbs_pd *pd = verbs_pd_get(verbs_hca(vhca), pdn);
	if (!pd)
		return EINVAL;
	if (pd->refs)
		return EBUSY;
	int rc = ibv_dealloc_pd(pd->pd);
	if (rc)
		return verbs_errno(rc);
	pd->pd = NULL;
	return 0;
}

struct verbs_mr *verbs_mr_get(struct verbs_hca *hca, uint32_t lkey)
{
	uint32_t slot = (lkey >> VERBS_KEY_GEN_BITS) - 1u;   /* key 0 wraps to a huge slot */
	if (slot >= VERBS_MAX_MR || !hca->mrs[slot].mr || hca->mrs[slot].lkey != lkey)
		return NULL;
	return &hca->mrs[slot];
}

/* What the region must say to be mapped: pages for every byte, page-aligned
 * offsets in a real file, an iova range that does not wrap. */
static int valid_mem(const struct vhca_mem *mem)
{
	if (!mem || !mem->page_offsets || mem->fd < 0 || mem->page_count == 0 ||
	    mem->page_count > VERBS_MAX_REGION_PAGES || mem->first_page_offset >= VHCA_PAGE_BYTES ||
	    mem->length_bytes == 0)
		return 0;
	uint64_t room = (uint64_t)mem->page_count * VHCA_PAGE_BYTES - mem->first_page_offset;
	if (mem->length_bytes > room || mem->length_bytes - 1 > UINT64_MAX - mem->iova)
		return 0;
	for (uint32_t i = 0; i < mem->page_count; i++)
		if (mem->page_offsets[i] % VHCA_PAGE_BYTES || mem->page_offsets[i] > (uint64_t)INT64_MAX)
			return 0;
	return 1;
}

/* Consecutive pages from `first` that are consecutive in the file too. */
static uint32_t run_length(const struct vhca_mem *mem, uint32_t first)
{
	uint32_t n = 1;
	while (first + n < mem->page_count &&
	       mem->page_offsets[first + n] == mem->page_offsets[first] + (uint64_t)n * VHCA_PAGE_BYTES)
		n++;
	return n;
}

/* The region's pages, contiguous: *base, or an errno.  *runs counts the
 * mmap calls, for the trace. */
static int map_region(const struct vhca_mem *mem, uint8_t **base, uint32_t *runs)
{
	size_t bytes = (size_t)mem->page_count * VHCA_PAGE_BYTES;
	uint8_t *range = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (range == MAP_FAILED)
		return errno ? errno : ENOMEM;
	*runs = 0;
	for (uint32_t i = 0; i < mem->page_count;) {
		uint32_t n = run_length(mem, i);
		void *at = mmap(range + (size_t)i * VHCA_PAGE_BYTES, (size_t)n * VHCA_PAGE_BYTES,
				PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mem->fd,
				(off_t)mem->page_offsets[i]);
		if (at == MAP_FAILED) {
			int e = errno ? errno : ENOMEM;
			munmap(range, bytes);
			return e;
		}
		(*runs)++;
		i += n;
	}
	*base = range;
	return 0;
}

static int free_mr_slot(struct verbs_hca *hca, uint32_t *slot)
{
	for (uint32_t i = 0; i < VERBS_MAX_MR; i++)
		if (!hca->mrs[i].mr) {
			*slot = i;
			return 0;
		}
	return ENOMEM;
}

int verbs_reg_mr(struct vhca *vhca, uint32_t pdn, const struct vhca_mem *mem, int access,
		 uint32_t *lkey, uint32_t *rkey)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_pd *pd = verbs_pd_get(hca, pdn);
	uint32_t slot, runs = 0;
	uint8_t *base = NULL;
	if (!pd || !valid_mem(mem) || (access & ~KNOWN_ACCESS) || !lkey || !rkey)
		return EINVAL;
	int rc = free_mr_slot(hca, &slot);
	if (rc)
		return rc;
	uint64_t start_ns = hca->base.trace ? vtrace_now_ns() : 0;
	rc = map_region(mem, &base, &runs);
	if (rc)
		return rc;
	size_t map_bytes = (size_t)mem->page_count * VHCA_PAGE_BYTES;
	errno = 0;
	struct ibv_mr *mr = ibv_reg_mr_iova(pd->pd, base + mem->first_page_offset, mem->length_bytes,
					    mem->iova, access);
	if (!mr) {
		rc = errno ? errno : EINVAL;
		munmap(base, map_bytes);
		return rc;
	}
	uint32_t key = (slot + 1u) << VERBS_KEY_GEN_BITS | (hca->mr_gen[slot]++ & 0xffu);
	hca->mrs[slot] = (struct verbs_mr){
		.mr = mr, .lkey = key, .pdn = pdn, .access = access, .iova = mem->iova,
		.length_bytes = mem->length_bytes, .map = base, .map_bytes = map_bytes};
	pd->refs++;
	*lkey = key;
	*rkey = mr->rkey;
	/* One TRANSLATE per registration: the pages mapped and pinned, the
	 * time that took; arg2 = mmap runs (1 when the guest's pages are
	 * contiguous in its memory file). */
	verbs_trace(hca, VTRACE_TRANSLATE, VTRACE_ACTOR_BACKEND, 0, key, 0, mem->page_count,
		    mem->length_bytes, runs, 0, start_ns);
	return 0;
}

static void release_mr(struct verbs_hca *hca, struct verbs_mr *mr)
{
	struct verbs_pd *pd = verbs_pd_get(hca, mr->pdn);
	if (pd)
		pd->refs--;
	munmap(mr->map, mr->map_bytes);
	memset(mr, 0, sizeof *mr);
}

int verbs_dereg_mr(struct vhca *vhca, uint32_t lkey)
{
	struct verbs_hca *hca = verbs_hca(vhca);
	struct verbs_mr *mr = verbs_mr_get(hca, lkey);
	if (!mr)
		return EINVAL;
	int rc = ibv_dereg_mr(mr->mr);
	if (rc)
		return verbs_errno(rc);   /* still registered: keep the mapping */
	release_mr(hca, mr);
	return 0;
}

void verbs_mr_release_all(struct verbs_hca *hca)
{
	for (uint32_t i = 0; i < VERBS_MAX_MR; i++)
		if (hca->mrs[i].mr) {
			ibv_dereg_mr(hca->mrs[i].mr);
			release_mr(hca, &hca->mrs[i]);
		}
}
