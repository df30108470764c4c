/*
 * tests/vrdma/hostile.h -- the world the hostile-guest tests attack, and
 * the attacker that needs no driver (test_hostile_*.c).
 *
 * The honest world: guests x and y on host 1, z on host 2, with connected
 * QPs x<->y (the same-host copy path) and x<->z (UDP).  world_check() says
 * that not one byte of an honest guest's memory changed since the last
 * check, that no honest guest got an async event, and that RDMA writes on
 * both pairs still complete with the right data.
 *
 * The raw attacker: a VM whose memory the test writes byte by byte, with
 * the fixed page layout below; its commands go through the request slot
 * like a driver's, and every helper waits for the device's answer.
 */
#ifndef TESTS_VRDMA_HOSTILE_H
#define TESTS_VRDMA_HOSTILE_H

#include <stdint.h>

#include "tests/vrdma/fixture.h"
#include "vrdma/device/abi.h"

#define PAGE VRDMA_PAGE_BYTES
#define HONEST_BYTES (256u << 10)   /* each honest guest's buffer */
#define RAW_PAGES 2048u             /* a raw attacker's memory, by default */

/* ---- the honest world ---- */

struct world {
	struct fx_host h1, h2;
	struct fx_guest x, y, z;
	struct vrdma_qp *xy, *yx, *xz, *zx;
	uint8_t *snap[3];
	uint64_t round;
};

/* Start both hosts and the three honest guests, connect them, snapshot. */
void world_start(struct world *w);
/* The attacker changed nothing of the honest guests', and they still work
 * on one host and across two; snapshot again. */
void world_check(struct world *w);
/* world_check, then tear everything down. */
void world_stop(struct world *w);
/* The backend's count of guest errors on host H. */
uint64_t guest_errors(struct fx_host *h);
/* Monotonic seconds. */
double now_s(void);

/* ---- a raw attacker: a VM and its memory, no driver ---- */

struct raw {
	struct fx_host *host;
	struct vrdma_vm *vm;
	uint8_t *m;
	uint64_t bytes;
	uint64_t token;
};

/* Layout (pages) used by raw_activate. */
enum {
	R_DSR = 0, R_REQ = 1, R_RESP = 2,
	R_ASYNC_DIR = 3, R_ASYNC_TAB = 4, R_ASYNC = 5,    /* 2 pages */
	R_NOTIFY_DIR = 7, R_NOTIFY_TAB = 8, R_NOTIFY = 9, /* 2 pages */
	R_DIR = 16, R_TAB = 17, R_TAB2 = 18,              /* for objects */
	R_DATA = 32                                       /* object pages from here */
};

static inline uint8_t *rpage(struct raw *r, uint32_t page) { return r->m + (size_t)page * PAGE; }
static inline uint64_t rgpa(uint32_t page) { return (uint64_t)page * PAGE; }
static inline struct vrdma_dsr *raw_dsr(struct raw *r) { return (struct vrdma_dsr *)rpage(r, R_DSR); }

/* A raw VM of PAGES pages (RAW_PAGES: raw_start) on HOST, not activated. */
void raw_start_pages(struct raw *r, struct fx_host *host, uint32_t pages);
void raw_start(struct raw *r, struct fx_host *host);
void raw_stop(struct raw *r);
/* 1 when `vector` fired within `ms` (and take the count). */
int vector_fired(struct vrdma_vm *vm, int vector, unsigned ms);
/* Write a device register (a trap). */
void raw_reg(struct raw *r, uint32_t offset, uint32_t value);
/* CTL ACTIVATE or RESET, or REQUEST: the device answers on vector 0; ERR. */
uint32_t raw_kick(struct raw *r, uint32_t offset, uint32_t value);
/* A directory at page DIR (its tables after it) listing n pages from `first`. */
struct vrdma_pdir_ref raw_dir(struct raw *r, uint32_t dir, uint32_t first, uint32_t n);
/* A DSR at R_DSR naming the slots and event rings of the layout. */
void raw_clean_dsr(struct raw *r);
/* ACTIVATE with the DSR at DSR_GPA: ERR. */
uint32_t raw_activate_at(struct raw *r, uint64_t dsr_gpa);
/* raw_start_pages, a clean DSR, activated (checked). */
void raw_open_pages(struct raw *r, struct fx_host *host, uint32_t pages);
void raw_open(struct raw *r, struct fx_host *host);
/* A command: the errno of the response (EIO when there is none). */
int raw_cmd(struct raw *r, union vrdma_request *req, uint32_t command, union vrdma_response *resp);
/* CREATE_PD, checked: the handle. */
uint32_t raw_create_pd(struct raw *r);
/* A command whose request is one handle (DESTROY_*): the errno. */
int raw_simple(struct raw *r, uint32_t command, uint32_t handle);
/* CREATE_MR: the errno, and *HANDLE (may be NULL) on success. */
int raw_create_mr(struct raw *r, uint32_t pd, uint64_t iova, uint64_t length, uint32_t access,
		  struct vrdma_pdir_ref pages, uint32_t *handle);
/* CREATE_CQ: the errno, and *HANDLE (may be NULL) on success. */
int raw_create_cq(struct raw *r, uint32_t cqe, struct vrdma_pdir_ref ring, uint32_t *handle);
/* A QP request for depth 16 (1 + 1 + 1 pages) on pd/cq. */
void qp_request(union vrdma_request *req, uint32_t pd, uint32_t cq, struct vrdma_pdir_ref pages);

#endif
