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

/*
 * Walking a directory from guest memory (the backend side), resumably: a
 * cursor remembers how far it got, so a long walk can go on in pieces
 * (the backend walks a budget of entries per turn of its guest).
 *
 * Every entry is read from guest memory exactly once, into a local, then
 * checked and used: the directory entry of a table when the cursor enters
 * that table (kept in the cursor), each table entry when it is walked.  A
 * guest that changes its directory mid-walk therefore gets either the pages
 * as each entry was read -- every one a page of its own memory -- or an
 * error for an entry that is not; never a page outside its memory.
 */
struct vpd_cursor {
	struct vrdma_pdir_ref ref; /* copied when the walk began */
	uint32_t done;             /* entries walked: gpas_out[0, done) are set */
	uint64_t table_gpa;        /* the table of entry `done` (read when entered) */
};

/* Begin a walk of `ref` (copied).  ref->page_count must be in
 * [1, max_pages]; the directory page must be a page of guest memory.
 * Returns 0, or EINVAL with `why` saying what was wrong. */
int vpd_walk_begin(const struct vgm_map *map, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
		   struct vpd_cursor *cursor, char *why, size_t why_bytes);

/* Walk at most `budget` more entries into gpas_out[ref.page_count].
 * OUT: *walked the entries walked by this call.  Returns 0 (done when
 * cursor->done == ref.page_count), or EINVAL with `why` saying which entry
 * was bad (the walk is then over). */
int vpd_walk_step(const struct vgm_map *map, struct vpd_cursor *cursor, uint32_t budget,
		  uint64_t *gpas_out, uint32_t *walked, char *why, size_t why_bytes);

/* The whole walk in one go (gpas_out may be NULL only when the reference
 * is refused).  Returns 0, or EINVAL with `why`. */
int vpd_walk(const struct vgm_map *map, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
	     uint64_t *gpas_out, char *why, size_t why_bytes);

#endif
