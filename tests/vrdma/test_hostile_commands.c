/*
 * tests/vrdma/test_hostile_commands.c -- hostile guests against the vRDMA
 * backend: registers, doorbells, activation and the command channel.
 *
 * The backend serves many guests, and everything a guest writes is
 * untrusted: registers, UAR doorbells, the DSR, the command request slot,
 * page directories, ring indices, WQEs, CQ consumer indices.  Each test
 * here builds a world of honest guests -- x and y on host 1, z on host 2,
 * with connected QPs x<->y (the same-host copy path) and x<->z (UDP) --
 * lets an attacker loose on host 1, and then checks that
 *   - the attacker got the error the ABI promises (an errno in the command
 *     response or ERR, an error completion, an async event);
 *   - the backend counted it (guest_errors);
 *   - not one byte of any honest guest's memory changed during the attack;
 *   - the honest guests still complete RDMA writes with the right data.
 * Attackers come two ways: a raw VM whose memory the test writes byte by
 * byte (no driver at all), or a VM opened with the honest driver whose
 * rings, WQEs and indices the test then corrupts (test_hostile_rings.c).
 * The world and the raw attacker are hostile.c's.
 */
#include "tests/check_run.h"
#include "tests/vrdma/fixture.h"
#include "tests/vrdma/hostile.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/ring.h"
#include "vrdma/guest/internal.h" /* the CQ ring's memory, to corrupt it */

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- registers, UAR, doorbells ---- */

START_TEST(registers_and_doorbells)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_start(&r, &w.h1);
	uint64_t before = guest_errors(&w.h1);
	/* before activation: unknown registers, read-only ones, bad CTL values */
	static const uint32_t bad_offsets[] = { VRDMA_REG_VERSION, VRDMA_REG_ERR, VRDMA_REG_FILE_BYTES, 0x02,
						0x40, 0x1000, 0xfffffffcu, 0xffffffffu };
	for (size_t i = 0; i < sizeof bad_offsets / sizeof bad_offsets[0]; i++)
		raw_reg(&r, bad_offsets[i], 0xdeadbeef);
	raw_reg(&r, VRDMA_REG_CTL, 0);
	raw_reg(&r, VRDMA_REG_CTL, 3);
	raw_reg(&r, VRDMA_REG_CTL, 0xffffffffu);
	/* UAR: unknown offsets, handle 0, huge handles, bad flags */
	static const uint32_t bad_uar[][2] = {
		{ 0x08, 1 | VRDMA_UAR_QP_SEND }, { 0xfff, 1 }, { 0xffffffffu, 0xffffffffu },
		{ VRDMA_UAR_QP, 0 | VRDMA_UAR_QP_SEND }, { VRDMA_UAR_QP, 0x00ffffffu | VRDMA_UAR_QP_SEND },
		{ VRDMA_UAR_QP, 4096 | VRDMA_UAR_QP_RECV }, { VRDMA_UAR_QP, 1 }, { VRDMA_UAR_QP, 1 | (1u << 24) },
		{ VRDMA_UAR_CQ, 0 | VRDMA_UAR_CQ_ARM }, { VRDMA_UAR_CQ, 0x00ffffffu | VRDMA_UAR_CQ_ARM },
		{ VRDMA_UAR_CQ, 1 | VRDMA_UAR_CQ_ARM_SOLICITED }, { VRDMA_UAR_CQ, 1 | VRDMA_UAR_CQ_ARM | VRDMA_UAR_CQ_POLL },
		{ VRDMA_UAR_CQ, 1 },
	};
	size_t n_uar = sizeof bad_uar / sizeof bad_uar[0];
	for (size_t i = 0; i < n_uar; i++)
		vdev_write_uar(r.vm->device, bad_uar[i][0], bad_uar[i][1]);
	/* in-range doorbells before activation are not served (and not errors) */
	vdev_write_uar(r.vm->device, VRDMA_UAR_QP, 1 | VRDMA_UAR_QP_SEND);
	vdev_write_uar(r.vm->device, VRDMA_UAR_CQ, 1 | VRDMA_UAR_CQ_ARM);
	/* a command before activation: EINVAL in ERR, vector 0 all the same */
	ck_assert_uint_eq(raw_kick(&r, VRDMA_REG_REQUEST, 1), EINVAL);
	size_t n_bad = sizeof bad_offsets / sizeof bad_offsets[0] + 3 + n_uar + 1; /* + the command */
	ck_assert_uint_eq(guest_errors(&w.h1), before + n_bad);

	/* active, with objects of its own: doorbells naming objects that do
	 * not exist, or exist only in the honest guests (handles are
	 * per guest: x has QPs 1 and 2) */
	raw_clean_dsr(&r);
	ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), 0);
	before = guest_errors(&w.h1);
	static const uint32_t handles[] = { 1, 2, 3, 63, 64, 1023, 1024, 1025, 4095 };
	size_t n_handles = sizeof handles / sizeof handles[0];
	for (size_t i = 0; i < n_handles; i++) {
		vdev_write_uar(r.vm->device, VRDMA_UAR_QP, handles[i] | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV);
		vdev_write_uar(r.vm->device, VRDMA_UAR_CQ, handles[i] | VRDMA_UAR_CQ_ARM);
	}
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	req.query_port.port_num = 1;
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_QUERY_PORT, &resp), 0);
	/* each handle: a send, a receive and an arm doorbell for nothing */
	ck_assert_uint_eq(guest_errors(&w.h1), before + 3 * n_handles);
	/* the interrupt mask is the guest's own business: masking vector 0
	 * silences the command interrupt, and unmasking brings it back */
	raw_reg(&r, VRDMA_REG_IMR, 0xffffffffu);
	raw_reg(&r, VRDMA_REG_REQUEST, 1);
	ck_assert(!vector_fired(r.vm, VRDMA_VECTOR_COMMAND, 100));
	raw_reg(&r, VRDMA_REG_IMR, 0);
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_QUERY_PORT, &resp), 0);
	raw_stop(&r);
	world_stop(&w);
}
END_TEST

/* ---- activation ---- */

START_TEST(activation)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_start(&r, &w.h1);
	uint64_t before = guest_errors(&w.h1);
	uint32_t fails = 0;
	raw_clean_dsr(&r);
	/* the DSR outside guest memory, straddling its end, unaligned */
	static const uint64_t bad_dsr[] = { (uint64_t)RAW_PAGES * PAGE, (uint64_t)RAW_PAGES * PAGE - 8,
					    1ull << 32, UINT64_MAX & ~(uint64_t)(PAGE - 1), 0x10, PAGE + 1 };
	for (size_t i = 0; i < sizeof bad_dsr / sizeof bad_dsr[0]; i++, fails++)
		ck_assert_uint_eq(raw_activate_at(&r, bad_dsr[i]), EINVAL);
	/* one field at a time wrong */
	struct vrdma_dsr good;
	memcpy(&good, raw_dsr(&r), sizeof good);
	struct vrdma_dsr bad[24];
	int n = 0;
	for (int i = 0; i < 24; i++)
		bad[i] = good;
	bad[n++].driver_version = 0;
	bad[n++].driver_version = VRDMA_ABI_VERSION + 1;
	bad[n++].request_slot_gpa = (uint64_t)RAW_PAGES * PAGE;
	bad[n++].request_slot_gpa = (uint64_t)RAW_PAGES * PAGE - 100;
	bad[n++].response_slot_gpa = UINT64_MAX - 10;
	bad[n++].async_ring.page_count = 0;
	bad[n++].async_ring.page_count = 1;
	bad[n++].async_ring.page_count = 4;      /* 1536 entries: not a power of two */
	bad[n++].async_ring.page_count = 18;     /* more than the device takes */
	bad[n++].async_ring.page_count = 0xffffffffu;
	bad[n++].async_ring.dir_gpa = (uint64_t)RAW_PAGES * PAGE;
	bad[n++].async_ring.dir_gpa = rgpa(R_ASYNC_DIR) + 8;
	bad[n++].notify_ring.dir_gpa = UINT64_MAX;
	for (int i = 0; i < n; i++, fails++) {
		memcpy(raw_dsr(&r), &bad[i], sizeof bad[i]);
		ck_assert_msg(raw_activate_at(&r, rgpa(R_DSR)) == EINVAL, "bad DSR %d accepted", i);
	}
	/* event ring directories with bad entries */
	memcpy(raw_dsr(&r), &good, sizeof good);
	uint64_t *async_dir = (uint64_t *)rpage(&r, R_ASYNC_DIR), *async_tab = (uint64_t *)rpage(&r, R_ASYNC_TAB);
	uint64_t *notify_tab = (uint64_t *)rpage(&r, R_NOTIFY_TAB);
	const uint64_t bad_entries[] = { (uint64_t)RAW_PAGES * PAGE, rgpa(R_ASYNC) + 4, UINT64_MAX,
						(uint64_t)RAW_PAGES * PAGE - PAGE + 8, 1ull << 63 };
	for (size_t i = 0; i < sizeof bad_entries / sizeof bad_entries[0]; i++) {
		uint64_t keep = async_tab[1];
		async_tab[1] = bad_entries[i];
		ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), EINVAL);
		async_tab[1] = keep;
		keep = async_dir[0];
		async_dir[0] = bad_entries[i];
		ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), EINVAL);
		async_dir[0] = keep;
		keep = notify_tab[0];
		notify_tab[0] = bad_entries[i];
		ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), EINVAL);
		notify_tab[0] = keep;
		fails += 3;
	}
	ck_assert_uint_eq(guest_errors(&w.h1), before + fails);
	/* the right DSR works, and fills the caps; twice is EBUSY */
	ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), 0);
	ck_assert_uint_eq(raw_dsr(&r)->caps.max_sge, VRDMA_MAX_SGE);
	ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), EBUSY);
	/* RESET, and it activates again */
	ck_assert_uint_eq(raw_kick(&r, VRDMA_REG_CTL, VRDMA_CTL_RESET), 0);
	ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), 0);
	/* the event rings may overlap the DSR and the slots: its own memory */
	raw_kick(&r, VRDMA_REG_CTL, VRDMA_CTL_RESET);
	uint64_t *t = (uint64_t *)rpage(&r, R_ASYNC_TAB);
	t[0] = rgpa(R_DSR);
	t[1] = rgpa(R_REQ);
	ck_assert_uint_eq(raw_activate_at(&r, rgpa(R_DSR)), 0);
	raw_stop(&r);
	world_stop(&w);
}
END_TEST

/* ---- the command channel ---- */

START_TEST(unknown_and_random_commands)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_open(&r, &w.h1);
	union vrdma_request req;
	union vrdma_response resp;
	uint64_t before = guest_errors(&w.h1);
	static const uint32_t unknown[] = { 0, VRDMA_CMD_COUNT_, VRDMA_CMD_COUNT_ + 1, 0x7fffffffu,
					    VRDMA_RESPONSE_ACK | VRDMA_CMD_CREATE_PD, 0xffffffffu };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		memset(&req, 0xa5, sizeof req);
		ck_assert_int_eq(raw_cmd(&r, &req, unknown[i], &resp), EINVAL);
	}
	ck_assert_uint_eq(guest_errors(&w.h1), before + sizeof unknown / sizeof unknown[0]);
	/* random bytes in the whole request slot: always an answer */
	uint8_t noise[PAGE];
	for (int i = 0; i < 3000; i++) {
		fx_fill(noise, sizeof noise, (uint64_t)i + 1);
		if (i % 3 == 0) /* a known command with random fields */
			noise[8] = (uint8_t)(1 + i % 12), noise[9] = noise[10] = noise[11] = 0;
		memcpy(rpage(&r, R_REQ), noise, PAGE);
		raw_kick(&r, VRDMA_REG_REQUEST, 1);
		const union vrdma_request *sent = (const void *)noise;
		const union vrdma_response *got = (const void *)rpage(&r, R_RESP);
		ck_assert_uint_eq(got->hdr.token, sent->hdr.token);
		ck_assert_uint_eq(got->hdr.ack, sent->hdr.command | VRDMA_RESPONSE_ACK);
	}
	/* request and response slots that move away after activation */
	raw_dsr(&r)->request_slot_gpa = (uint64_t)RAW_PAGES * PAGE;
	ck_assert_uint_eq(raw_kick(&r, VRDMA_REG_REQUEST, 1), EINVAL);
	raw_dsr(&r)->request_slot_gpa = rgpa(R_REQ);
	raw_dsr(&r)->response_slot_gpa = UINT64_MAX - PAGE + 1;
	ck_assert_uint_eq(raw_kick(&r, VRDMA_REG_REQUEST, 1), EINVAL);
	raw_dsr(&r)->response_slot_gpa = rgpa(R_REQ); /* one page for both: fine */
	memset(&req, 0, sizeof req);
	req.hdr.command = VRDMA_CMD_QUERY_PORT;
	req.query_port.port_num = 1;
	memcpy(rpage(&r, R_REQ), &req, sizeof req);
	ck_assert_uint_eq(raw_kick(&r, VRDMA_REG_REQUEST, 1), 0);
	raw_dsr(&r)->response_slot_gpa = rgpa(R_RESP);
	/* queries with bad arguments */
	memset(&req, 0, sizeof req);
	req.query_port.port_num = 2;
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_QUERY_PORT, &resp), EINVAL);
	memset(&req, 0, sizeof req);
	req.query_gid.port_num = 1;
	req.query_gid.index = 0xffffffffu;
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_QUERY_GID, &resp), EINVAL);
	req.query_gid.index = 200;
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_QUERY_GID, &resp), EINVAL);
	raw_stop(&r);
	world_stop(&w);
}
END_TEST

START_TEST(create_mr_checks)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_open(&r, &w.h1);
	uint32_t pd = raw_create_pd(&r);
	const uint32_t rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	const uint64_t iova = 0x10000;
	struct vrdma_pdir_ref ok = raw_dir(&r, R_DIR, R_DATA, 4);
	uint64_t before = guest_errors(&w.h1);
	int fails = 0;
#define MR_FAILS(expect, ...) do { ck_assert_int_eq(raw_create_mr(&r, __VA_ARGS__, NULL), expect); fails++; } while (0)
	/* PDs that are not this guest's (x has PD 1; this guest's is pd) */
	MR_FAILS(ENOENT, 0, iova, 4 * PAGE, rw, ok);
	MR_FAILS(ENOENT, pd + 1, iova, 4 * PAGE, rw, ok);
	MR_FAILS(ENOENT, 0xffffffffu, iova, 4 * PAGE, rw, ok);
	/* lengths, iova overflow, access */
	MR_FAILS(EINVAL, pd, iova, 0, rw, ok);
	MR_FAILS(EINVAL, pd, UINT64_MAX - PAGE, 4 * PAGE, rw, ok);
	MR_FAILS(EINVAL, pd, UINT64_MAX & ~(uint64_t)(PAGE - 1), 4 * PAGE, rw, ok);
	MR_FAILS(EINVAL, pd, iova, UINT64_MAX, rw, ok);
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw | (1u << 10), ok);
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw | IBV_ACCESS_REMOTE_ATOMIC, ok);
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, 0xffffffffu, ok);
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, IBV_ACCESS_REMOTE_WRITE, ok);
	/* page_count that does not match the length */
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE + 1, rw, ok);
	MR_FAILS(EINVAL, pd, iova + 1, 4 * PAGE, rw, ok);
	MR_FAILS(EINVAL, pd, iova, 3 * PAGE, rw, ok);
	struct vrdma_pdir_ref ref = ok;
	ref.page_count = 0;
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw, ref);
	/* directory outside, unaligned */
	ref = ok;
	ref.dir_gpa = (uint64_t)RAW_PAGES * PAGE;
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw, ref);
	ref.dir_gpa = ok.dir_gpa + 8;
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw, ref);
	ref.dir_gpa = UINT64_MAX;
	MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw, ref);
	/* entries outside, unaligned, straddling the end; a table outside */
	uint64_t *table = (uint64_t *)rpage(&r, R_TAB), *dir = (uint64_t *)rpage(&r, R_DIR);
	const uint64_t bad_entries[] = { (uint64_t)RAW_PAGES * PAGE, rgpa(R_DATA) + 16,
						(uint64_t)RAW_PAGES * PAGE - 16, UINT64_MAX & ~(uint64_t)(PAGE - 1),
						1ull << 40 };
	for (size_t i = 0; i < sizeof bad_entries / sizeof bad_entries[0]; i++) {
		uint64_t keep = table[3];
		table[3] = bad_entries[i];
		MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw, ok);
		table[3] = keep;
		keep = dir[0];
		dir[0] = bad_entries[i];
		MR_FAILS(EINVAL, pd, iova, 4 * PAGE, rw, ok);
		dir[0] = keep;
	}
	/* more pages than a directory holds, length to match */
	ref = ok;
	ref.page_count = VPD_MAX_PAGES + 1;
	MR_FAILS(EINVAL, pd, 0, (uint64_t)(VPD_MAX_PAGES + 1) * PAGE, rw, ref);
	/* a region over all of its memory, DSR and directories included: the
	 * guest's own business */
	struct vrdma_pdir_ref big = raw_dir(&r, R_DIR, 0, RAW_PAGES);
	uint32_t big_mr;
	ck_assert_int_eq(raw_create_mr(&r, pd, 0, (uint64_t)RAW_PAGES * PAGE, rw, big, &big_mr), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, big_mr), 0);
#undef MR_FAILS
	ck_assert_uint_eq(guest_errors(&w.h1), before + (uint64_t)fails);
	/* the good one, then destroys: of the PD in use, twice, of nothing */
	ok = raw_dir(&r, R_DIR, R_DATA, 4);
	uint32_t mr;
	ck_assert_int_eq(raw_create_mr(&r, pd, iova, 4 * PAGE, rw, ok, &mr), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_PD, pd), EBUSY);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, 0), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, mr + 1), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, 0xffffffffu), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, mr), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, mr), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_PD, pd), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_PD, pd), ENOENT);
	raw_stop(&r);
	world_stop(&w);
}
END_TEST

/* A directory at `dir` for n pages whose every entry is one table page,
 * `table`, whose every entry is one data page: n pages of mapping from
 * three pages of memory. */
static struct vrdma_pdir_ref raw_alias_dir(struct raw *r, uint32_t dir, uint32_t table, uint32_t data,
					   uint32_t n)
{
	uint64_t *d = (uint64_t *)rpage(r, dir), *t = (uint64_t *)rpage(r, table);
	for (uint32_t i = 0; i < VPD_ENTRIES_PER_PAGE; i++) {
		d[i] = rgpa(table);
		t[i] = rgpa(data);
	}
	return (struct vrdma_pdir_ref){ .dir_gpa = rgpa(dir), .page_count = n };
}

static struct vacct_usage page_usage(struct fx_host *h, struct vrdma_vm *vm)
{
	struct vacct_usage usage[VACCT_COUNT];
	vbackend_get_usage(h->backend, vm, usage);
	return usage[VACCT_PAGE];
}

/* The host's page mappings are the sum of its guests'. */
static void host_is_sum(struct fx_host *h, struct vrdma_vm *const *vms, int n)
{
	uint64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += page_usage(h, vms[i]).in_use;
	ck_assert_uint_eq(page_usage(h, NULL).in_use, sum);
}

/* Issue 11: a guest using a few pages of its memory registered 1,024
 * regions of 1 GiB through aliased directories (every entry the same table
 * page and data page), and the host held 16 B per mapped page: 4 GiB.  Every
 * mapping now counts against the guest, capped by its own memory. */
#define ALIAS_GUEST_PAGES 48u /* 192 KiB: the raw layout and a few data pages */
#define ALIAS_MR_PAGES 16u
START_TEST(aliased_page_directories)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_open_pages(&r, &w.h1, ALIAS_GUEST_PAGES);
	uint32_t pd = raw_create_pd(&r);
	const uint32_t rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct vacct_usage start = page_usage(&w.h1, r.vm);
	ck_assert_uint_le(start.cap, (uint64_t)VB_LIMIT_MAPPINGS_PER_GUEST_PAGE * ALIAS_GUEST_PAGES);
	uint64_t before = guest_errors(&w.h1);
	/* 1 GiB of mappings from three pages: refused, nothing held */
	struct vrdma_pdir_ref gib = raw_alias_dir(&r, R_DIR, R_TAB, R_DATA, VPD_MAX_PAGES);
	ck_assert_int_eq(raw_create_mr(&r, pd, 0, (uint64_t)VPD_MAX_PAGES * PAGE, rw, gib, NULL), ENOMEM);
	ck_assert_uint_eq(page_usage(&w.h1, r.vm).in_use, start.in_use);
	ck_assert_uint_eq(guest_errors(&w.h1), before + 1);
	/* small aliased regions until the cap: each costs its every mapping */
	struct vrdma_pdir_ref small = raw_alias_dir(&r, R_DIR, R_TAB, R_DATA, ALIAS_MR_PAGES);
	uint32_t handles[64], made = 0;
	int rc = 0;
	while (made < 64 && (rc = raw_create_mr(&r, pd, 0, ALIAS_MR_PAGES * PAGE, rw, small, &handles[made])) == 0)
		made++;
	ck_assert_int_eq(rc, ENOMEM);
	struct vacct_usage full = page_usage(&w.h1, r.vm);
	ck_assert_uint_eq(made, (start.cap - start.in_use) / vpd_mapped_pages(ALIAS_MR_PAGES));
	ck_assert_uint_eq(full.in_use, start.in_use + made * vpd_mapped_pages(ALIAS_MR_PAGES));
	ck_assert_uint_le(full.in_use, full.cap);
	ck_assert_uint_le(full.high_water, full.cap);
	struct vrdma_vm *vms[] = { w.x.vm, w.y.vm, r.vm };
	host_is_sum(&w.h1, vms, 3);
	/* destroying gives every mapping back */
	for (uint32_t i = 0; i < made; i++)
		ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, handles[i]), 0);
	ck_assert_uint_eq(page_usage(&w.h1, r.vm).in_use, start.in_use);
	raw_stop(&r);
	host_is_sum(&w.h1, vms, 2);
	world_stop(&w);
}
END_TEST

/* ---- a command's page-directory walk spans turns (backend.h,
 * VBACKEND_TURN_PAGES): what a guest can do to it mid-walk ---- */

#define WALK_GUEST_PAGES (1u << 17) /* 512 MiB: may map 2 GiB, so a 1 GiB region fits */
#define WALK_ATTEMPTS 50            /* tries to catch a walk mid-way (the first nearly always does) */
#define WALK_DEADLINE_S 5.0

/* Write a CREATE_MR of `pages` and REQUEST, without waiting for it. */
static void raw_begin_mr(struct raw *r, uint32_t pd, struct vrdma_pdir_ref pages)
{
	union vrdma_request req;
	memset(&req, 0, sizeof req);
	req.create_mr.length_bytes = (uint64_t)pages.page_count * PAGE;
	req.create_mr.pd_handle = pd;
	req.create_mr.access_flags = IBV_ACCESS_LOCAL_WRITE;
	req.create_mr.pages = pages;
	req.hdr.command = VRDMA_CMD_CREATE_MR;
	req.hdr.token = ++r->token;
	memcpy(rpage(r, R_REQ), &req, sizeof req);
	memset(rpage(r, R_RESP), 0, PAGE);
	raw_reg(r, VRDMA_REG_REQUEST, 1);
}

static int raw_answered(struct raw *r)
{
	const union vrdma_response *resp = (const void *)rpage(r, R_RESP);
	return resp->hdr.ack == (VRDMA_CMD_CREATE_MR | VRDMA_RESPONSE_ACK);
}

static uint64_t backend_commands(struct fx_host *h)
{
	struct vbackend_stats s;
	vbackend_get_stats(h->backend, &s);
	return s.commands;
}

/* A reset mid-walk ends the walk and gives its charge back: every
 * resource of the guest at 0 (a leaked charge never gets there). */
static int reset_mid_walk(struct world *w, struct raw *r)
{
	uint32_t pd = raw_create_pd(r);
	raw_begin_mr(r, pd, raw_alias_dir(r, R_DIR, R_TAB, R_DATA, VPD_MAX_PAGES));
	raw_reg(r, VRDMA_REG_CTL, VRDMA_CTL_RESET);
	struct vacct_usage usage[VACCT_COUNT];
	int zero = 0;
	for (double end = now_s() + WALK_DEADLINE_S; !zero && now_s() < end;) {
		vbackend_get_usage(w->h1.backend, r->vm, usage);
		zero = 1;
		for (int k = 0; k < VACCT_COUNT; k++)
			zero &= usage[k].in_use == 0;
	}
	ck_assert_msg(zero, "the guest still holds resources after its reset");
	int mid_walk = !raw_answered(r);
	ck_assert(vector_fired(r->vm, VRDMA_VECTOR_COMMAND, 5000));
	while (vector_fired(r->vm, VRDMA_VECTOR_COMMAND, 20))
		;
	raw_clean_dsr(r);
	ck_assert_uint_eq(raw_activate_at(r, rgpa(R_DSR)), 0);
	return mid_walk;
}

/* The VM destroyed mid-walk: the host holds only the honest guests'. */
static int destroy_mid_walk(struct world *w)
{
	struct raw r;
	raw_open_pages(&r, &w->h1, WALK_GUEST_PAGES);
	uint32_t pd = raw_create_pd(&r);
	uint64_t commands = backend_commands(&w->h1);
	raw_begin_mr(&r, pd, raw_alias_dir(&r, R_DIR, R_TAB, R_DATA, VPD_MAX_PAGES));
	raw_stop(&r);
	int mid_walk = backend_commands(&w->h1) == commands; /* no answer: still walking */
	struct vrdma_vm *vms[] = { w->x.vm, w->y.vm };
	host_is_sum(&w->h1, vms, 2);
	return mid_walk;
}

struct dir_scribbler {
	struct raw *r;
	atomic_int stop;
	pthread_t thread;
};

/* Flip the directory's entries between two good tables and table entries
 * between a good page and one past the guest's memory. */
static void *scribble_directory(void *arg)
{
	struct dir_scribbler *s = arg;
	uint64_t *dir = (uint64_t *)rpage(s->r, R_DIR), *table = (uint64_t *)rpage(s->r, R_TAB);
	for (uint64_t n = 0; !atomic_load(&s->stop); n++) {
		uint32_t i = (uint32_t)(n * 2654435761u) % VPD_ENTRIES_PER_PAGE;
		__atomic_store_n(&dir[i], rgpa(n & 1 ? R_TAB : R_TAB2), __ATOMIC_RELAXED);
		__atomic_store_n(&table[i], n & 2 ? rgpa(R_DATA) : s->r->bytes, __ATOMIC_RELAXED);
	}
	return NULL;
}

START_TEST(page_walk_interrupted_or_scribbled)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_open_pages(&r, &w.h1, WALK_GUEST_PAGES);
	int caught = 0;
	for (int i = 0; i < WALK_ATTEMPTS && !caught; i++)
		caught = reset_mid_walk(&w, &r);
	ck_assert_msg(caught, "no reset came mid-walk in %d tries", WALK_ATTEMPTS);
	/* a directory scribbled mid-walk: a region of the guest's own pages, or EINVAL */
	uint32_t pd = raw_create_pd(&r);
	struct vacct_usage start = page_usage(&w.h1, r.vm);
	struct vrdma_pdir_ref gib = raw_alias_dir(&r, R_DIR, R_TAB, R_DATA, VPD_MAX_PAGES);
	raw_alias_dir(&r, R_DIR, R_TAB2, R_DATA, 1); /* R_TAB2: every entry R_DATA too */
	raw_alias_dir(&r, R_DIR, R_TAB, R_DATA, 1);
	struct dir_scribbler s = { .r = &r };
	ck_assert_int_eq(pthread_create(&s.thread, NULL, scribble_directory, &s), 0);
	int refused = 0;
	for (int i = 0; i < 8; i++) {
		uint32_t handle = 0;
		int rc = raw_create_mr(&r, pd, 0, (uint64_t)VPD_MAX_PAGES * PAGE, IBV_ACCESS_LOCAL_WRITE, gib, &handle);
		ck_assert_msg(rc == 0 || rc == EINVAL, "CREATE_MR under a scribbled directory: %d", rc);
		refused += rc == EINVAL;
		if (rc == 0)
			ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_MR, handle), 0);
	}
	atomic_store(&s.stop, 1);
	pthread_join(s.thread, NULL);
	ck_assert_int_gt(refused, 0);
	ck_assert_uint_eq(page_usage(&w.h1, r.vm).in_use, start.in_use);
	raw_stop(&r);
	caught = 0;
	for (int i = 0; i < WALK_ATTEMPTS && !caught; i++)
		caught = destroy_mid_walk(&w);
	ck_assert_msg(caught, "no VM destroyed mid-walk in %d tries", WALK_ATTEMPTS);
	world_check(&w);
	world_stop(&w);
}
END_TEST

/* A VM destroyed while its kick is on its way: the backend thread may
 * have taken the kick from epoll before the destroy took the lock; it must
 * drop it, not serve a freed device (AddressSanitizer catches the use). */
START_TEST(destroyed_with_its_kick_in_flight)
{
	enum { CYCLES = 3000 };
	struct world w;
	world_start(&w);
	for (int i = 0; i < CYCLES; i++) {
		struct raw r;
		raw_start(&r, &w.h1);
		raw_reg(&r, VRDMA_REG_REQUEST, 1);
		raw_stop(&r);
	}
	world_check(&w);
	world_stop(&w);
}
END_TEST

START_TEST(create_cq_qp_checks)
{
	struct world w;
	world_start(&w);
	struct raw r;
	raw_open(&r, &w.h1);
	union vrdma_request req;
	union vrdma_response resp;
	/* handles of the honest guest x (PD 1, CQ 1, QPs 1 and 2) mean nothing here */
	qp_request(&req, 1, 1, raw_dir(&r, R_DIR, R_DATA, 3));
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_CREATE_QP, &resp), ENOENT);
	for (uint32_t h = 1; h <= 2; h++) {
		ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_QP, h), ENOENT);
		ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_QUERY_QP, h), ENOENT);
		ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_CQ, h), ENOENT);
		ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_PD, h), ENOENT);
	}
	uint32_t pd = raw_create_pd(&r);
	uint64_t before = guest_errors(&w.h1);
	int fails = 0;
	/* CQ sizes and geometry */
	static const uint32_t bad_cqe[] = { 0, 3, 100, 1u << 31, 0xffffffffu, 1u << 17 };
	for (size_t i = 0; i < sizeof bad_cqe / sizeof bad_cqe[0]; i++, fails++)
		ck_assert_int_eq(raw_create_cq(&r, bad_cqe[i], raw_dir(&r, R_DIR, R_DATA, 2), NULL), EINVAL);
	struct vrdma_pdir_ref ring = raw_dir(&r, R_DIR, R_DATA, 2);
	ring.page_count = 3;
	ck_assert_int_eq(raw_create_cq(&r, 64, ring, NULL), EINVAL);
	fails++;
	ring.page_count = 1;
	ck_assert_int_eq(raw_create_cq(&r, 64, ring, NULL), EINVAL);
	fails++;
	ring = raw_dir(&r, R_DIR, R_DATA, 2);
	ring.dir_gpa = (uint64_t)RAW_PAGES * PAGE;
	ck_assert_int_eq(raw_create_cq(&r, 64, ring, NULL), EINVAL);
	fails++;
	ring = raw_dir(&r, R_DIR, R_DATA, 2);
	((uint64_t *)rpage(&r, R_TAB))[1] = rgpa(RAW_PAGES);
	ck_assert_int_eq(raw_create_cq(&r, 64, ring, NULL), EINVAL);
	fails++;
	ring = raw_dir(&r, R_DIR, R_DATA, 2);
	((uint64_t *)rpage(&r, R_TAB))[0] = rgpa(R_DATA) + 64;
	ck_assert_int_eq(raw_create_cq(&r, 64, ring, NULL), EINVAL);
	fails++;
	uint32_t cq;
	ck_assert_int_eq(raw_create_cq(&r, 64, raw_dir(&r, R_DIR, R_DATA, 2), &cq), 0);
	/* QP sizes, limits, geometry */
	struct vrdma_pdir_ref qpages = raw_dir(&r, R_DIR + 4, R_DATA + 8, 3);
	union vrdma_request bad[32];
	int n = 0;
	for (int i = 0; i < 32; i++)
		qp_request(&bad[i], pd, cq, qpages);
	bad[n++].create_qp.max_send_wr = 0;
	bad[n++].create_qp.max_send_wr = 24;
	bad[n++].create_qp.max_recv_wr = 1u << 31;
	bad[n++].create_qp.max_recv_wr = 8192;        /* more than max_qp_wr */
	bad[n++].create_qp.max_send_sge = VRDMA_MAX_SGE + 1;
	bad[n++].create_qp.max_recv_sge = 0xffffffffu;
	bad[n++].create_qp.max_inline_data = VRDMA_MAX_INLINE_BYTES + 1;
	bad[n++].create_qp.sq_sig_all = 2;
	bad[n++].create_qp.sq_first_page = 0;
	bad[n++].create_qp.sq_first_page = 2;
	bad[n++].create_qp.rq_first_page = 1;
	bad[n++].create_qp.rq_first_page = 3;
	bad[n++].create_qp.rq_first_page = 0xffffffffu;
	bad[n++].create_qp.pages.page_count = 2;
	bad[n++].create_qp.pages.page_count = 4;
	bad[n++].create_qp.pages.page_count = 0;
	bad[n++].create_qp.pages.dir_gpa = 1;
	bad[n++].create_qp.pages.dir_gpa = (uint64_t)RAW_PAGES * PAGE;
	for (int i = 0; i < n; i++, fails++)
		ck_assert_msg(raw_cmd(&r, &bad[i], VRDMA_CMD_CREATE_QP, &resp) == EINVAL, "bad QP %d", i);
	qp_request(&req, pd, cq + 1, qpages);
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_CREATE_QP, &resp), ENOENT);
	fails++;
	qp_request(&req, pd + 5, cq, qpages);
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_CREATE_QP, &resp), ENOENT);
	fails++;
	((uint64_t *)rpage(&r, R_DIR + 5))[2] = UINT64_MAX;
	qp_request(&req, pd, cq, qpages);
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_CREATE_QP, &resp), EINVAL);
	fails++;
	ck_assert_uint_eq(guest_errors(&w.h1), before + (uint64_t)fails);
	/* a good QP; then destroys of objects in use, and of nothing */
	qpages = raw_dir(&r, R_DIR + 4, R_DATA + 8, 3);
	qp_request(&req, pd, cq, qpages);
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_CREATE_QP, &resp), 0);
	uint32_t qp = resp.create_qp.qp_handle;
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_CQ, cq), EBUSY);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_PD, pd), EBUSY);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_QP, qp + 1), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_QP, 0), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_QP, 0xffffffffu), ENOENT);
	/* MODIFY_QP: unknown mask bits, states that do not exist, values the
	 * HCA refuses, transitions that skip states */
	struct { uint32_t mask, state, mtu, port, timeout; } bad_mod[] = {
		{ IBV_QP_STATE | (1u << 30), IBV_QPS_INIT, 0, 1, 0 },
		{ IBV_QP_STATE | IBV_QP_RATE_LIMIT, IBV_QPS_INIT, 0, 1, 0 },
		{ 0xffffffffu, IBV_QPS_INIT, 0, 1, 0 },
		{ IBV_QP_STATE, 7, 0, 0, 0 },
		{ IBV_QP_STATE, 0xffffffffu, 0, 0, 0 },
		{ IBV_QP_STATE, IBV_QPS_RTS, 0, 0, 0 },
		{ IBV_QP_STATE, IBV_QPS_SQD, 0, 0, 0 },
		{ IBV_QP_STATE | IBV_QP_PORT, IBV_QPS_INIT, 0, 2, 0 },
		{ IBV_QP_STATE | IBV_QP_PATH_MTU, IBV_QPS_INIT, 9, 1, 0 },
		{ IBV_QP_STATE | IBV_QP_TIMEOUT, IBV_QPS_INIT, 0, 1, 200 },
		{ 0, IBV_QPS_INIT, 0, 1, 0 },
	};
	for (size_t i = 0; i < sizeof bad_mod / sizeof bad_mod[0]; i++) {
		memset(&req, 0, sizeof req);
		req.modify_qp.qp_handle = qp;
		req.modify_qp.attr_mask = bad_mod[i].mask;
		req.modify_qp.attr.qp_state = bad_mod[i].state;
		req.modify_qp.attr.path_mtu = bad_mod[i].mtu;
		req.modify_qp.attr.port_num = bad_mod[i].port;
		req.modify_qp.attr.timeout = bad_mod[i].timeout;
		ck_assert_msg(raw_cmd(&r, &req, VRDMA_CMD_MODIFY_QP, &resp) == EINVAL, "bad modify %zu accepted", i);
	}
	memset(&req, 0, sizeof req);
	req.modify_qp.qp_handle = qp + 7;
	req.modify_qp.attr_mask = IBV_QP_STATE;
	ck_assert_int_eq(raw_cmd(&r, &req, VRDMA_CMD_MODIFY_QP, &resp), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_QUERY_QP, qp), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_QP, qp), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_QP, qp), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_CQ, cq), 0);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_CQ, cq), ENOENT);
	ck_assert_int_eq(raw_simple(&r, VRDMA_CMD_DESTROY_PD, pd), 0);
	/* tables fill up: ENOMEM, never more than the caps */
	uint32_t max_pd = raw_dsr(&r)->caps.max_pd, made = 0;
	for (uint32_t i = 0; i < max_pd + 3; i++) {
		memset(&req, 0, sizeof req);
		int rc = raw_cmd(&r, &req, VRDMA_CMD_CREATE_PD, &resp);
		ck_assert(rc == 0 || rc == ENOMEM);
		made += rc == 0;
	}
	ck_assert_uint_eq(made, max_pd);
	raw_stop(&r);
	world_stop(&w);
}
END_TEST


static Suite *suite(void)
{
	Suite *s = suite_create("vrdma hostile guests: commands");
	TCase *t = tcase_create("hostile");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, registers_and_doorbells);
	tcase_add_test(t, destroyed_with_its_kick_in_flight);
	tcase_add_test(t, activation);
	tcase_add_test(t, unknown_and_random_commands);
	tcase_add_test(t, create_mr_checks);
	tcase_add_test(t, aliased_page_directories);
	tcase_add_test(t, page_walk_interrupted_or_scribbled);
	tcase_add_test(t, create_cq_qp_checks);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
