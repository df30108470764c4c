/*
 * vrdma/device/page_dir.c -- building and walking two-level page directories.
 */
#include "vrdma/device/page_dir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int page_ok(const struct vgm_map *map, uint64_t gpa)
{
	return (gpa & (VRDMA_PAGE_BYTES - 1)) == 0 && vgm_at(map, gpa, VRDMA_PAGE_BYTES) != NULL;
}

uint32_t vpd_overhead_pages(uint32_t page_count)
{
	return 1u + (page_count + VPD_ENTRIES_PER_PAGE - 1) / VPD_ENTRIES_PER_PAGE;
}

uint64_t vpd_mapped_pages(uint32_t page_count)
{
	return (uint64_t)page_count + vpd_overhead_pages(page_count);
}

void vpd_fill(const struct vgm_map *map, uint64_t dir_gpa, const uint64_t *table_gpas,
	      const uint64_t *page_gpas, uint32_t page_count)
{
	uint64_t *dir = vgm_at(map, dir_gpa, VRDMA_PAGE_BYTES);
	uint32_t tables = vpd_overhead_pages(page_count) - 1u;
	memset(dir, 0, VRDMA_PAGE_BYTES);
	for (uint32_t t = 0; t < tables; t++) {
		uint64_t *table = vgm_at(map, table_gpas[t], VRDMA_PAGE_BYTES);
		memset(table, 0, VRDMA_PAGE_BYTES);
		dir[t] = table_gpas[t];
	}
	for (uint32_t i = 0; i < page_count; i++) {
		uint64_t *table = vgm_at(map, dir[i / VPD_ENTRIES_PER_PAGE], VRDMA_PAGE_BYTES);
		table[i % VPD_ENTRIES_PER_PAGE] = page_gpas[i];
	}
}

int vpd_walk_begin(const struct vgm_map *map, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
		   struct vpd_cursor *cursor, char *why, size_t why_bytes)
{
	uint32_t count = ref->page_count;
	memset(cursor, 0, sizeof *cursor);
	if (count == 0 || count > max_pages || count > VPD_MAX_PAGES) {
		snprintf(why, why_bytes, "page directory of %u pages (expected 1..%u)", count,
			 max_pages < VPD_MAX_PAGES ? max_pages : VPD_MAX_PAGES);
		return EINVAL;
	}
	if (!page_ok(map, ref->dir_gpa)) {
		snprintf(why, why_bytes, "directory page at GPA 0x%llx is not a page of guest memory",
			 (unsigned long long)ref->dir_gpa);
		return EINVAL;
	}
	cursor->ref = *ref;
	return 0;
}

/* Enter the table of entry cursor->done: read its directory entry once. */
static int enter_table(const struct vgm_map *map, struct vpd_cursor *cursor, char *why, size_t why_bytes)
{
	const uint64_t *dir = vgm_at(map, cursor->ref.dir_gpa, VRDMA_PAGE_BYTES);
	uint32_t t = cursor->done / VPD_ENTRIES_PER_PAGE;
	uint64_t table_gpa = __atomic_load_n(&dir[t], __ATOMIC_RELAXED);
	if (!page_ok(map, table_gpa)) {
		snprintf(why, why_bytes, "directory entry %u: table at GPA 0x%llx is not a page of guest memory",
			 t, (unsigned long long)table_gpa);
		return EINVAL;
	}
	cursor->table_gpa = table_gpa;
	return 0;
}

int vpd_walk_step(const struct vgm_map *map, struct vpd_cursor *cursor, uint32_t budget,
		  uint64_t *gpas_out, uint32_t *walked, char *why, size_t why_bytes)
{
	uint32_t count = cursor->ref.page_count;
	*walked = 0;
	while (cursor->done < count && *walked < budget) {
		uint32_t j = cursor->done % VPD_ENTRIES_PER_PAGE;
		if (j == 0) { /* a new table: its directory entry, once */
			int rc = enter_table(map, cursor, why, why_bytes);
			if (rc != 0)
				return rc;
		}
		const uint64_t *table = vgm_at(map, cursor->table_gpa, VRDMA_PAGE_BYTES);
		uint32_t n = VPD_ENTRIES_PER_PAGE - j;
		if (n > count - cursor->done)
			n = count - cursor->done;
		if (n > budget - *walked)
			n = budget - *walked;
		for (uint32_t k = 0; k < n; k++) {
			uint64_t gpa = __atomic_load_n(&table[j + k], __ATOMIC_RELAXED);
			if (!page_ok(map, gpa)) {
				snprintf(why, why_bytes, "page %u: GPA 0x%llx is not a page of guest memory",
					 cursor->done + k, (unsigned long long)gpa);
				cursor->done += k; /* walked up to the bad one: counted */
				*walked += k;
				return EINVAL;
			}
			gpas_out[cursor->done + k] = gpa;
		}
		cursor->done += n;
		*walked += n;
	}
	return 0;
}

int vpd_walk(const struct vgm_map *map, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
	     uint64_t *gpas_out, char *why, size_t why_bytes)
{
	struct vpd_cursor cursor;
	uint32_t walked;
	int rc = vpd_walk_begin(map, ref, max_pages, &cursor, why, why_bytes);
	if (rc == 0)
		rc = vpd_walk_step(map, &cursor, ref->page_count, gpas_out, &walked, why, why_bytes);
	return rc;
}
