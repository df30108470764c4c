/*
 * tests/vrdma/proc_world.h -- hosts and guests as processes for the tests
 * of vrdma-host and vrdma_attach (test_host.c).
 *
 * A host is a vrdma-host process ($VRDMA_HOST) on a socket in a fresh
 * directory; a guest is a forked child running a function and exiting
 * with its result.  Children die with their parent (PR_SET_PDEATHSIG) and
 * carry an alarm, so a hang fails a test instead of blocking the suite.
 * The guest routines (pw_guest_*) use only the guest driver's API over
 * vrdma_attach, and return 0 or a PW_FAIL_* code naming what went wrong.
 */
#ifndef TESTS_VRDMA_PROC_WORLD_H
#define TESTS_VRDMA_PROC_WORLD_H

#include <stdint.h>
#include <sys/types.h>

#include "vrdma/guest/verbs.h"

#define PW_CHILD_ALARM_S 30u /* a child still running then is killed by SIGALRM */

enum pw_fail {
	PW_OK = 0,
	PW_FAIL_ATTACH = 10,  /* vrdma_attach refused */
	PW_FAIL_SETUP = 11,   /* opening the device, PD, CQ, MR, QP */
	PW_FAIL_EXCHANGE = 12, /* talking to the peer process */
	PW_FAIL_CONNECT = 13, /* modify_qp to RTS */
	PW_FAIL_POST = 14,
	PW_FAIL_WC = 15,      /* an error completion, or none in time */
	PW_FAIL_DATA = 16,    /* the bytes that arrived are not those sent */
	PW_FAIL_EXPECT = 17,  /* something the test expects did not happen */
};

struct pw_host {
	pid_t pid;
	uint16_t lid;
	char socket_path[108];
};

/* Start vrdma-host on DIR/NAME.sock with the extra arguments (NULL-ended). */
void pw_host_start(struct pw_host *host, const char *dir, const char *name, ...);
/* SIGTERM; returns its wait status.  The socket must be gone then. */
int pw_host_stop(struct pw_host *host);

/* Fork a child that runs fn(arg) and exits with its return value. */
pid_t pw_spawn(int (*fn)(void *arg), void *arg);
/* Its exit code, 128 + signal when killed, -1 when not done within
 * timeout_s. */
int pw_wait(pid_t pid, unsigned timeout_s);

/* A guest with its device opened: PD, one CQ, a PW_BUFFER_BYTES buffer
 * registered, one RC QP.  The ping-pong uses the first 16 KiB + 64 B. */
#define PW_BUFFER_BYTES (64u << 10)
#define PW_RECV_AT (16u << 10)     /* where the ping-pong's messages land */
#define PW_MESSAGE_BYTES 64u
struct pw_guest {
	struct vrdma_vm *vm;
	struct vrdma_context *ctx;
	struct vrdma_pd *pd;
	struct vrdma_cq *cq;
	uint8_t *buffer;
	struct vrdma_mr *mr;
	struct vrdma_qp *qp;
	uint16_t peer_lid;
	uint32_t peer_rkey;
	uint64_t peer_addr;
};

int pw_guest_open(struct pw_guest *g, const char *socket_path);
/* Exchange LID, QPN, rkey and address with the peer on xfd; to RTS. */
int pw_guest_connect(struct pw_guest *g, int xfd);
/* ROUND_TRIPS times: the initiator writes 4 KiB (RDMA WRITE) then sends
 * 64 B; the responder checks both and sends 64 B back, which the
 * initiator checks. */
int pw_guest_pingpong(struct pw_guest *g, int initiator, unsigned round_trips);
void pw_guest_close(struct pw_guest *g);

/* Work of the caller's choosing (test_host_move.c): a signalled OP of
 * BYTES from this guest's buffer at LOCAL_AT to the peer's at REMOTE_AT
 * (RDMA WRITE, READ) or to its next receive (SEND), with WR_ID. */
int pw_post_at(struct pw_guest *g, enum ibv_wr_opcode op, uint64_t wr_id, uint32_t local_at, uint32_t remote_at,
	       uint32_t bytes);
/* A receive of BYTES into the buffer at LOCAL_AT, with WR_ID. */
int pw_post_recv_at(struct pw_guest *g, uint64_t wr_id, uint32_t local_at, uint32_t bytes);
/* Wait for N completions, each successful and with a wr_id below 64 not
 * seen before (SEEN[wr_id] counts them).  PW_OK, PW_FAIL_WC. */
int pw_collect(struct pw_guest *g, unsigned n, unsigned seen[64]);
/* BYTES of a pattern that SEED names; 1 when P holds exactly it. */
void pw_fill(uint8_t *p, uint32_t bytes, uint32_t seed);
int pw_same(const uint8_t *p, uint32_t bytes, uint32_t seed);

/* One whole guest: open, connect over xfd, ping-pong, close. */
struct pw_pair_arg {
	const char *socket_path;
	int xfd;
	int initiator;
	unsigned round_trips;
};
int pw_guest_main(void *pw_pair_arg);

double pw_now_s(void);

#endif
