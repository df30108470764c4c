/*
 * fuzz/fuzz_backend_world.h -- the backend harness's world (fuzz_backend.c):
 * one host (software HCA + backend) and two guests, made once per process.
 *
 *   A  the attacker: a raw VM whose memory the harness writes directly (no
 *      guest driver), with the fixed layout below;
 *   B  an honest peer, driven by the real guest driver.
 *
 * Every helper that kicks the backend waits for the end of what it kicked
 * (fuzz_backend.c says how), so an input means one script whatever the
 * threads do.  A failure of the harness itself aborts (fw_die).
 */
#ifndef VRDMA_FUZZ_BACKEND_WORLD_H
#define VRDMA_FUZZ_BACKEND_WORLD_H

#include <stdint.h>

#include "vrdma/backend/backend.h"
#include "vrdma/device/abi.h"
#include "vrdma/guest/internal.h"
#include "vrdma/guest/verbs.h"
#include "vrdma/hca/hca.h"

#define PAGE VRDMA_PAGE_BYTES
#define A_PAGES 256u
#define B_MEMORY (2u << 20)
#define B_REGION_BYTES (64u << 10)

/* A's layout, in pages. */
enum {
	P_DSR = 0, P_REQ = 1, P_RESP = 2,
	P_ASYNC_DIR = 3, P_ASYNC_TAB = 4, P_ASYNC = 5,     /* 2 pages */
	P_NOTIFY_DIR = 7, P_NOTIFY_TAB = 8, P_NOTIFY = 9,  /* 2 pages */
	P_CQ_DIR = 11, P_CQ_TAB = 12, P_CQ = 13,           /* 2 pages: 64 CQEs */
	P_QP_DIR = 15, P_QP_TAB = 16, P_QP = 17,           /* 3 pages: state, SQ 16, RQ 16 */
	P_MR_DIR = 20, P_MR_TAB = 21,
	P_REGION = 32, REGION_PAGES = 16,
	P_SCRATCH = 64, SCRATCH_PAGES = A_PAGES - 64
};
#define A_CQE 64u
#define A_DEPTH 16u
#define A_SGE 4u
#define A_INLINE 64u
#define A_IOVA 0x7f0000001000ull


struct fuzz_world {
	struct vhca *hca;
	struct vbackend *backend;
	uint16_t lid;
	struct vrdma_vm *a;
	uint8_t *am;              /* A's memory */
	uint64_t token;
	uint32_t pd, mr, lkey, rkey, cq, qp, qpn;
	uint32_t sq_prod, rq_prod;
	/* B */
	struct vrdma_vm *bvm;
	struct vrdma_context *b;
	struct vrdma_pd *bpd;
	struct vrdma_cq *bcq;
	uint8_t *bbuf;
	struct vrdma_mr *bmr;
	struct vrdma_qp *bqp;
	uint8_t *bsnap;
};
extern struct fuzz_world fw;

/* Make the world (libFuzzer's initialisation); aborts on failure. */
void fw_create(void);
void fw_die(const char *what) __attribute__((noreturn));

/* ---- A: raw device access ---- */

static inline uint8_t *apage(uint32_t page) { return fw.am + (size_t)page * PAGE; }
static inline uint64_t agpa(uint32_t page) { return (uint64_t)page * PAGE; }

/* Wait for vector 0 (a command, ACTIVATE or RESET answered); 5 s is a hang. */
void fw_wait_vector0(void);
/* Write one of A's device registers (a trap). */
void fw_reg(uint32_t offset, uint32_t value);
/* The request slot's current contents as a command: REQUEST, wait. */
void fw_kick_request(void);
/* A command from the harness: 0 or errno; EIO when no proper response. */
int fw_acmd(union vrdma_request *req, uint32_t command, union vrdma_response *resp);
/* All previous doorbells have been served when this returns. */
void fw_sync_backend(void);
/* A one-table directory at DIR/TABLE listing N pages from FIRST. */
void fw_build_contig_dir(uint32_t dir, uint32_t table, uint32_t first, uint32_t n);
/* A DSR naming A's slots and event rings, as a driver writes it. */
void fw_write_clean_dsr(void);
void fw_a_reset(void);
/* ACTIVATE with the DSR at P_DSR: ERR, 0 on success. */
int fw_a_activate(void);
/* A's QP connected to DEST_QPN on this host, in RTS. */
void fw_modify_a_qp_to_rts(uint32_t dest_qpn);
/* A reset and set up again by hand: DSR, PD, a registered region, a CQ, a QP. */
void fw_a_setup(void);

/* ---- B: the honest driver ---- */

/* A fresh QP for B, connected to A's, with receives posted. */
void fw_b_new_qp(void);
/* Abort unless B's memory outside what the device may write is as it was
 * when fw.bsnap was taken. */
void fw_b_check_untouched(void);

#endif
