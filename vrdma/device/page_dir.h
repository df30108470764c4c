/*
 * vrdma/device/page_dir.h -- two-level page directories in guest memory.
 *
 * An object in guest memory (a ring, a registered region) lists its pages in
 * a directory: one directory page of VPD_ENTRIES_PER_PAGE entries, each the
 * GPA of a table page, whose entries are the GPAs of the object's pages, in
 * order.  page i is table[i / 512][i % 512].  So up to 512 x 512 pages
 * (1 GiB) per object, with 1 + ceil(n / 512) pages of overhead.
 *
 * The guest builds directories (guest/); the backend walks them here with
 * every entry checked: page-aligned and inside this guest's memory.
 */
#ifndef VRDMA_PAGE_DIR_H
#define VRDMA_PAGE_DIR_H

#include <stddef.h>
#include <stdint.h>

#include "vrdma/device/abi.h"
#include "vrdma/device/guest_mem.h"

#define VPD_ENTRIES_PER_PAGE (VRDMA_PAGE_BYTES / 8u)
#define VPD_MAX_PAGES (VPD_ENTRIES_PER_PAGE * VPD_ENTRIES_PER_PAGE)

/* Pages a directory for `page_count` pages needs (directory + tables). */
uint32_t vpd_overhead_pages(uint32_t page_count);

/* Pages mapped by an object of `page_count` pages, its directory and
 * tables included: what the backend charges a guest for it. */
uint64_t vpd_mapped_pages(uint32_t page_count);

/* Fill a directory whose directory and table pages the caller allocated:
 * dir_gpa and table_gpas[ceil(n/512)] in guest memory (guest side). */
void vpd_fill(const struct vgm_map *map, uint64_t dir_gpa, const uint64_t *table_gpas,
	      const uint64_t *page_gpas, uint32_t page_count);

/* Walk a directory from guest memory into gpas_out[ref->page_count] (the
 * backend side).  ref->page_count must be in [1, max_pages].  Returns 0, or
 * EINVAL with `why` saying which entry was bad. */
int vpd_walk(const struct vgm_map *map, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
	     uint64_t *gpas_out, char *why, size_t why_bytes);

#endif
