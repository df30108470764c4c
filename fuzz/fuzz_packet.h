/*
 * fuzz/fuzz_packet.h -- the fixed world of fuzz/fuzz_packet.c and the
 * encoding of its input script, shared with fuzz/packet_seeds.c, which
 * writes the seeds of fuzz/corpus/packet against these numbers.  Changing
 * one means regenerating the seeds (`make fuzz-seeds`).
 */
#ifndef VRDMA_FUZZ_PACKET_H
#define VRDMA_FUZZ_PACKET_H

#include <stdint.h>
#include <infiniband/verbs.h>

#define PK_MTU_BYTES 1024u          /* small: multi-packet messages from small buffers */
#define PK_WINDOW_PACKETS 8u        /* small: window stalls and chunked READs are reachable */
#define PK_TIMER_US 10000000u       /* 10 s: timers fire only when an action says so */
#define PK_ACK_TIMEOUT 31           /* the Local ACK Timeout, 4.096 us x 2^31 (2.4 h): likewise */
#define PK_CQE 32u                  /* small: CQ overrun is reachable */
#define PK_DEPTH 8u                 /* send and receive queue depth */
#define PK_SGE 2u
#define PK_INLINE 64u
#define PK_PEER_QPN0 0x000abcu      /* what QP0 and QP1 send to */
#define PK_PEER_QPN1 0x000abdu
#define PK_QPN0 0x1000u             /* generation 1, slot 0, in a fresh HCA */
#define PK_QPN1 0x1001u
#define PK_RQ_PSN 0xfffffcu         /* both directions wrap within a few packets */
#define PK_SQ_PSN 0xfffffau
#define PK_RECV0_BYTES 1500u        /* QP0's first receive (QP1's only one) */
#define PK_RECV1_BYTES 3100u        /* QP0's second: 100 in MR0 + 3000 in MR3 */
#define PK_MAX_STEPS 64
#define PK_MAX_LOCAL_BYTES (3u * 4096u)  /* offsets and lengths of posted WQEs, mod this */

/* Regions: MR0 all access, MR1 no remote write, MR2 on the other PD, MR3
 * local only.  Keys of a fresh HCA with zeroed generations: (slot+1) << 8. */
enum { PK_MR0, PK_MR1, PK_MR2, PK_MR3, PK_NMR };
#define PK_KEY(mr) (((uint32_t)(mr) + 1u) << 8)
#define PK_PAGES 8u
#define PK_ALL_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)
struct pk_region {
	uint32_t pd;             /* 0 or 1 */
	int access;
	uint32_t first_page;     /* in the harness's page array */
	uint32_t pages;
	uint32_t first_page_offset;
	uint64_t iova;
	uint64_t length_bytes;
};
static const struct pk_region pk_regions[PK_NMR] = {
	[PK_MR0] = {0, PK_ALL_ACCESS, 0, 3, 100, 0x10000064ull, 3 * 4096 - 200},
	[PK_MR1] = {0, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ, 3, 2, 0, 0x20000000ull, 2 * 4096},
	[PK_MR2] = {1, PK_ALL_ACCESS, 5, 1, 0, 0x30000000ull, 4096},
	[PK_MR3] = {0, IBV_ACCESS_LOCAL_WRITE, 6, 2, 0, 0x40000000ull, 2 * 4096},
};

/* Script actions: the opcode byte mod 8 (fuzz_packet.c has the operands). */
enum {
	PK_ACT_PACKET = 0,          /* 0..2; bit 3: from a wrong port */
	PK_ACT_SEND = 3,            /* bit 3: on QP1 */
	PK_ACT_RECV = 4,
	PK_ACT_TIMERS = 5,
	PK_ACT_POLL = 6,
	PK_ACT_CONTROL = 7
};
#define PK_FROM_WRONG_PORT 8u
#define PK_ON_QP1 8u
/* PK_ACT_SEND's kind byte, mod 5 */
enum { PK_SEND_WRITE, PK_SEND_WRITE_IMM, PK_SEND_SEND, PK_SEND_SEND_IMM, PK_SEND_READ, PK_SEND_KINDS };
/* its flags byte */
#define PK_F_SIGNALED 1u
#define PK_F_INLINE 2u
#define PK_F_TWO_SGE 4u
#define PK_F_SOLICITED 8u
#define PK_REMOTE_RAW_KEY 0x80u     /* remote region byte: the rkey is the immediate */
/* PK_ACT_CONTROL's first byte, mod PK_CTL_KINDS */
enum { PK_CTL_DEREG, PK_CTL_REREG, PK_CTL_QP_ERROR, PK_CTL_TRACE, PK_CTL_KINDS };

#endif
