/*
 * tests/vrdma/test_host_move.c -- a guest process moved between vrdma-host
 * processes with live RDMA connections (vrdma_move; host/wire.h's SAVE,
 * RESTORE, RESUME; docs/migration.md).
 *
 * in_flight_between_processes: guest A (host 1) and its peer B (host 2)
 * ping-pong over 10 % packet loss; then A has a SEND held in its HCA by
 * RNR NAKs (B has no receive for it yet), RDMA WRITEs and an RDMA READ
 * queued behind it, a receive posted and B's message's completion not
 * polled when its VMM moves it: first to a host that refuses it (too
 * little memory per guest: A resumes on host 1), then, with more writes
 * posted, to host 3.  Both saves find all four kinds of work.  Every work
 * request completes once, successfully; every byte arrives; the two go on
 * ping-ponging.
 *
 * hostile_restores: RESTOREs with wrong fd counts, fds that are not
 * memfds, a memory file too short, and saved states truncated, flipped or
 * of another version are refused with a reason and no fds; records out of
 * order around SAVE end the connection; the host serves an honest guest
 * afterwards.  A RESTORE of a good state gives a VM whose memory is the
 * memory handed over.
 */
#include "tests/check_run.h"
#include "tests/vrdma/proc_world.h"
#include "vrdma/host/attach.h"
#include "vrdma/host/wire.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PAIR_WAIT_S 25u
#define ROUND_TRIPS 20u
#define WRITES 8u
#define WRITE_BYTES 4096u
#define WRITES_AT (32u << 10)  /* A's [32K, 64K) -> B's, one write per 4 KiB */
#define READ_AT (24u << 10)    /* B's [24K, 32K) -> A's */
#define READ_BYTES (8u << 10)
#define DONE_AT (20u << 10)    /* A's "done" message, from there */
#define DONE_BYTES 64u
#define READ_SEED 777u
#define READ_WR_ID WRITES         /* A's wr_ids: writes 0..7, then these */
#define RECV_WR_ID (WRITES + 1)   /* taken by B's message before the moves, polled after */
#define DONE_WR_ID (WRITES + 2)
#define S1_WR_ID (WRITES + 3)     /* and S1_WR_ID + 1: S2 */
#define KEPT_WR_ID (WRITES + 5)   /* posted across the moves, taken by B's first answer after */
#define B_SEND_WR_ID 50u
#define NOTHING_MORE_S 0.05       /* after the last completion, none for this long */
#define WRITE_SEED 900u

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/vrdma-move-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

struct mover_arg {
	const char *socket_path;     /* where the guest starts */
	const char *refusing_path;   /* a host that refuses it (NULL: none) */
	const char *destination_path;
	int xfd;
	int initiator;               /* A: moves; B: its peer */
};

/* A's work in flight, held there: a SEND (S2) posted with another (S1)
 * in one call, so the backend hands both to the HCA in one turn; S1 takes
 * the receive B has left, S2 finds none and waits out RNR NAKs (rnr_retry
 * 7: for ever) until B posts one, after the moves, and the writes and the
 * READ posted behind it wait with it.  So the HCA holds unretired work at
 * both saves, whatever the timing. */
static int post_held_send(struct pw_guest *g, unsigned seen[64])
{
	struct ibv_sge sge[2] = { { (uint64_t)(uintptr_t)(g->buffer + DONE_AT), DONE_BYTES, g->mr->lkey },
				  { (uint64_t)(uintptr_t)(g->buffer + DONE_AT), DONE_BYTES, g->mr->lkey } };
	struct ibv_send_wr wr[2], *bad = NULL;
	memset(wr, 0, sizeof wr);
	for (int i = 0; i < 2; i++) {
		wr[i].wr_id = S1_WR_ID + (unsigned)i;
		wr[i].opcode = IBV_WR_SEND;
		wr[i].sg_list = &sge[i];
		wr[i].num_sge = 1;
		wr[i].send_flags = IBV_SEND_SIGNALED;
	}
	wr[0].next = &wr[1];
	if (vrdma_post_send(g->qp, wr, &bad) != 0)
		return PW_FAIL_POST;
	return pw_collect(g, 1, seen); /* S1's: S2 has been handed over with it */
}

static int post_writes(struct pw_guest *g, unsigned first, unsigned count)
{
	int rc = PW_OK;
	for (unsigned i = first; i < first + count && rc == PW_OK; i++)
		rc = pw_post_at(g, IBV_WR_RDMA_WRITE, i, WRITES_AT + i * WRITE_BYTES, WRITES_AT + i * WRITE_BYTES,
				WRITE_BYTES);
	return rc;
}

static void print_move(const char *what, const struct vrdma_move_times *t)
{
	fprintf(stderr, "A: %s host %u: paused %.2f ms (save %.2f, restore %.2f, switch %.3f), %llu bytes of state, "
		"%u sends in flight, %u receives posted, %u completions unpolled\n", what, t->host_id, t->pause_ns / 1e6,
		t->save_ns / 1e6, t->restore_ns / 1e6, t->switch_ns / 1e6, (unsigned long long)t->state_bytes,
		t->sends_in_flight, t->recvs_posted, t->cqes_unpolled);
}

/* A: two receives posted; the SEND held; B's message into the first
 * receive, its completion left unpolled; half the writes and the READ
 * before the refused move, the other half after it, before the real one;
 * all behind the held SEND.  The second receive stays posted across the
 * moves: B's first answer afterwards takes it (where the ping-pong's own
 * would have put it). */
static int move_with_work_in_flight(struct pw_guest *g, const struct mover_arg *a)
{
	unsigned seen[64] = {0};
	char sent;
	for (unsigned i = 0; i < WRITES; i++)
		pw_fill(g->buffer + WRITES_AT + i * WRITE_BYTES, WRITE_BYTES, WRITE_SEED + i);
	int rc = pw_post_recv_at(g, RECV_WR_ID, PW_RECV_AT, PW_MESSAGE_BYTES);
	if (rc == PW_OK)
		rc = pw_post_recv_at(g, KEPT_WR_ID, PW_RECV_AT, PW_MESSAGE_BYTES);
	if (rc == PW_OK)
		rc = post_held_send(g, seen);
	/* B sends once S1 has come; its send done means A's HCA took it */
	if (rc == PW_OK && (write(a->xfd, "g", 1) != 1 || read(a->xfd, &sent, 1) != 1))
		rc = PW_FAIL_EXCHANGE;
	if (rc == PW_OK)
		rc = post_writes(g, 0, WRITES / 2);
	if (rc == PW_OK)
		rc = pw_post_at(g, IBV_WR_RDMA_READ, READ_WR_ID, READ_AT, READ_AT, READ_BYTES);
	if (rc != PW_OK)
		return rc;
	char err[256];
	struct vrdma_move_times t;
	const unsigned host_before = 1, host_after = 3;
	if (a->refusing_path) {
		int e = vrdma_move(g->vm, a->refusing_path, &t, err, sizeof err);
		if (e != EINVAL || !t.resumed_at_source || t.host_id != host_before || !strstr(err, "refused")) {
			fprintf(stderr, "A: the refused move gave %d, resumed %d: %s\n", e, t.resumed_at_source, err);
			return PW_FAIL_EXPECT;
		}
		print_move("refused, resumed on", &t);
		if (t.sends_in_flight < 1 || t.recvs_posted < 1 || t.cqes_unpolled < 1)
			return PW_FAIL_EXPECT;
	}
	rc = post_writes(g, WRITES / 2, WRITES - WRITES / 2);
	if (rc != PW_OK)
		return rc;
	err[0] = '\0';
	int e = vrdma_move(g->vm, a->destination_path, &t, err, sizeof err);
	if (e != 0 || t.resumed_at_source || t.host_id != host_after) {
		fprintf(stderr, "A: the move gave %d, resumed %d, host %u: %s\n", e, t.resumed_at_source, t.host_id,
			err);
		return PW_FAIL_EXPECT;
	}
	print_move("moved to", &t);
	if (t.sends_in_flight < 1 || t.recvs_posted < 1 || t.cqes_unpolled < 1)
		return PW_FAIL_EXPECT;
	/* B may take the held SEND now */
	if (write(a->xfd, "m", 1) != 1)
		return PW_FAIL_EXCHANGE;
	rc = pw_collect(g, 1 + 1 + WRITES + 1, seen); /* B's message, S2, the writes, the READ */
	if (rc != PW_OK)
		fprintf(stderr, "A: the work posted before the moves did not complete\n");
	/* and nothing more: no work request completes twice, later */
	struct ibv_wc extra;
	for (double end = pw_now_s() + NOTHING_MORE_S; rc == PW_OK && pw_now_s() < end;)
		if (vrdma_poll_cq(g->cq, 1, &extra) != 0) {
			fprintf(stderr, "A: an extra completion, wr_id %llu\n", (unsigned long long)extra.wr_id);
			rc = PW_FAIL_WC;
		}
	if (rc == PW_OK && !pw_same(g->buffer + READ_AT, READ_BYTES, READ_SEED)) {
		fprintf(stderr, "A: the RDMA READ's bytes are not B's\n");
		rc = PW_FAIL_DATA;
	}
	/* tell B the writes are done: RC orders this SEND after them */
	if (rc == PW_OK)
		rc = pw_post_at(g, IBV_WR_SEND, DONE_WR_ID, DONE_AT, 0, DONE_BYTES);
	if (rc == PW_OK && (rc = pw_collect(g, 1, seen)) != PW_OK)
		fprintf(stderr, "A: the message after the move did not complete\n");
	return rc;
}

/* B: the bytes A reads; S1 into the receive the ping-pong left; a message
 * of its own into A's first receive; when A has moved, receives for S2
 * and A's "done"; then A's writes checked. */
static int peer_of_the_move(struct pw_guest *g, int xfd)
{
	unsigned seen[64] = {0};
	char go, moved;
	pw_fill(g->buffer + READ_AT, READ_BYTES, READ_SEED);
	int rc = write(xfd, "r", 1) == 1 ? PW_OK : PW_FAIL_EXCHANGE;
	if (rc == PW_OK)
		rc = pw_collect(g, 1, seen);
	if (rc == PW_OK && read(xfd, &go, 1) != 1)
		rc = PW_FAIL_EXCHANGE;
	if (rc == PW_OK)
		rc = pw_post_at(g, IBV_WR_SEND, B_SEND_WR_ID, 0, 0, PW_MESSAGE_BYTES);
	if (rc == PW_OK)
		rc = pw_collect(g, 1, seen);
	if (rc == PW_OK && write(xfd, "s", 1) != 1)
		rc = PW_FAIL_EXCHANGE;
	if (rc == PW_OK && read(xfd, &moved, 1) != 1)
		rc = PW_FAIL_EXCHANGE;
	for (unsigned i = 0; rc == PW_OK && i < 2; i++)
		rc = pw_post_recv_at(g, 60 + i, PW_RECV_AT, PW_MESSAGE_BYTES);
	if (rc == PW_OK)
		rc = pw_collect(g, 2, seen);
	for (unsigned i = 0; rc == PW_OK && i < WRITES; i++)
		if (!pw_same(g->buffer + WRITES_AT + i * WRITE_BYTES, WRITE_BYTES, WRITE_SEED + i)) {
			fprintf(stderr, "B: A's write %u did not arrive whole\n", i);
			rc = PW_FAIL_DATA;
		}
	return rc;
}

static int mover_main(void *arg)
{
	const struct mover_arg *a = arg;
	struct pw_guest g;
	int rc = pw_guest_open(&g, a->socket_path);
	if (rc == PW_OK)
		rc = pw_guest_connect(&g, a->xfd);
	if (rc == PW_OK)
		rc = pw_guest_pingpong(&g, a->initiator, ROUND_TRIPS);
	char ready;
	if (rc == PW_OK && a->initiator)
		rc = read(a->xfd, &ready, 1) == 1 ? move_with_work_in_flight(&g, a) : PW_FAIL_EXCHANGE;
	else if (rc == PW_OK)
		rc = peer_of_the_move(&g, a->xfd);
	/* and on, both ways, from the new place */
	if (rc == PW_OK)
		rc = pw_guest_pingpong(&g, a->initiator, ROUND_TRIPS);
	/* neither leaves before the other has all its completions: with loss,
	 * the ACK of one side's last SEND may be lost, and its resend needs
	 * the other side's QP after that side's own last round is done */
	if (rc == PW_OK && (write(a->xfd, "d", 1) != 1 || read(a->xfd, &ready, 1) != 1))
		rc = PW_FAIL_EXCHANGE;
	if (rc != PW_FAIL_ATTACH)
		pw_guest_close(&g);
	return rc;
}

START_TEST(in_flight_between_processes)
{
	make_dir();
	struct pw_host h1, h2, h3, small;
	pw_host_start(&h1, dir, "h1", "--host-id", "1", "--loss", "0.1", "--seed", "11", NULL);
	pw_host_start(&h2, dir, "h2", "--host-id", "2", "--loss", "0.1", "--seed", "12", NULL);
	pw_host_start(&h3, dir, "h3", "--host-id", "3", "--loss", "0.1", "--seed", "13", NULL);
	pw_host_start(&small, dir, "small", "--host-id", "4", "--memory-per-guest", "1M", NULL);
	int x[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, x), 0);
	struct mover_arg a = { h1.socket_path, small.socket_path, h3.socket_path, x[0], 1 },
			 b = { h2.socket_path, NULL, NULL, x[1], 0 };
	pid_t pa = pw_spawn(mover_main, &a), pb = pw_spawn(mover_main, &b);
	int ra = pw_wait(pa, PAIR_WAIT_S), rb = pw_wait(pb, PAIR_WAIT_S);
	ck_assert_msg(ra == 0 && rb == 0, "A exited %d, B %d (proc_world.h: PW_FAIL_*)", ra, rb);
	ck_assert_int_eq(pw_host_stop(&h1), 0);
	ck_assert_int_eq(pw_host_stop(&h2), 0);
	ck_assert_int_eq(pw_host_stop(&h3), 0);
	ck_assert_int_eq(pw_host_stop(&small), 0);
	close(x[0]);
	close(x[1]);
	rmdir(dir);
}
END_TEST

/* ---- a hostile VMM, speaking the wire protocol itself ---- */

static int raw_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&a, sizeof a), 0);
	struct timeval wait = { .tv_sec = 10 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
	return s;
}

static void raw_send(int s, const struct vhost_msg *m, const int *fds, int n)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	memset(&control, 0, sizeof control);
	struct iovec iov = { (void *)m, sizeof *m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n > 0) {
		msg.msg_control = control.bytes;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
	}
	ck_assert_int_eq(sendmsg(s, &msg, MSG_NOSIGNAL), (ssize_t)sizeof *m);
}

/* A reply and the fds it carried (closed unless OUT fds is given). */
static int raw_reply(int s, struct vhost_msg *m, int *fds)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * 8)];
	} control;
	struct iovec iov = { m, sizeof *m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
			      .msg_controllen = sizeof control.bytes };
	memset(m, 0, sizeof *m);
	ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	int count = 0;
	for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm))
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++, count++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
			if (fds)
				fds[count] = fd;
			else
				close(fd);
		}
	return n == (ssize_t)sizeof *m ? count : -1;
}

static int memfd_of(const void *bytes, size_t n)
{
	int fd = memfd_create("test-state", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, n), (ssize_t)n);
	return fd;
}

/* Attach (HELLO) with MEMORY_BYTES; OUT fds[VHOST_WELCOME_FDS]. */
static int raw_attach(const char *path, uint64_t memory_bytes, int *fds)
{
	int s = raw_connect(path);
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_HELLO, .value = VHOST_WIRE_VERSION,
			       .memory_bytes = memory_bytes };
	raw_send(s, &m, NULL, 0);
	ck_assert_int_eq(raw_reply(s, &m, fds), VHOST_WELCOME_FDS);
	ck_assert_int_eq(m.err, 0);
	return s;
}

/* A RESTORE of STATE_FD and MEMORY_FD (either -1: left out; EXTRA >= 0: a
 * third fd) must be refused with WHY_PART in its reason, and the
 * connection closed. */
static void expect_refused(const char *path, int state_fd, int memory_fd, int extra, uint64_t memory_bytes,
			   const char *why_part)
{
	int s = raw_connect(path), fds[3], n = 0;
	if (state_fd >= 0)
		fds[n++] = state_fd;
	if (memory_fd >= 0)
		fds[n++] = memory_fd;
	if (extra >= 0)
		fds[n++] = extra;
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_RESTORE, .value = VHOST_WIRE_VERSION,
			       .memory_bytes = memory_bytes };
	raw_send(s, &m, fds, n);
	ck_assert_int_eq(raw_reply(s, &m, NULL), 0); /* no fds with a refusal */
	ck_assert_int_eq(m.kind, VHOST_WELCOME);
	ck_assert_int_ne(m.err, 0);
	m.why[sizeof m.why - 1] = '\0';
	ck_assert_msg(strstr(m.why, why_part) != NULL, "found the reason '%s', expected it to name '%s'", m.why,
		      why_part);
	char byte;
	ck_assert_int_eq(recv(s, &byte, 1, 0), 0); /* closed */
	close(s);
}

/* A connection that sends RECORD must be closed by the host. */
static void expect_closed_after(int s, uint32_t kind)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = kind };
	raw_send(s, &m, NULL, 0);
	char byte;
	ck_assert_int_eq(recv(s, &byte, 1, 0), 0);
	close(s);
}

START_TEST(hostile_restores)
{
	make_dir();
	struct pw_host h;
	pw_host_start(&h, dir, "hostile", "--guests", "4", NULL);
	const uint64_t memory_bytes = 1u << 20;
	/* a real saved state, from a guest attached and saved (a fresh device) */
	int fds[VHOST_WELCOME_FDS + 1];
	int s = raw_attach(h.socket_path, memory_bytes, fds);
	uint8_t *mem = mmap(NULL, memory_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fds[VHOST_FD_MEMORY], 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	pw_fill(mem, (uint32_t)memory_bytes, 4242);
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_SAVE };
	raw_send(s, &m, NULL, 0);
	int state_fd[1];
	ck_assert_int_eq(raw_reply(s, &m, state_fd), 1);
	ck_assert_int_eq(m.kind, VHOST_SAVED);
	ck_assert_int_eq(m.err, 0);
	size_t state_bytes = (size_t)m.memory_bytes;
	uint8_t *state = malloc(state_bytes + 1);
	ck_assert_int_eq(pread(state_fd[0], state, state_bytes, 0), (ssize_t)state_bytes);
	ck_assert_int_ne(ftruncate(state_fd[0], 0), 0); /* sealed: what was saved stays saved */
	int memory_fd = fds[VHOST_FD_MEMORY];

	/* fd counts and kinds */
	expect_refused(h.socket_path, -1, -1, -1, memory_bytes, "found 0 file descriptors");
	expect_refused(h.socket_path, state_fd[0], -1, -1, memory_bytes, "found 1 file descriptors");
	expect_refused(h.socket_path, state_fd[0], memory_fd, memory_fd, memory_bytes, "found 3 file descriptors");
	int pipe_fds[2];
	ck_assert_int_eq(pipe(pipe_fds), 0);
	expect_refused(h.socket_path, pipe_fds[0], memory_fd, -1, memory_bytes, "not a memfd");
	expect_refused(h.socket_path, state_fd[0], pipe_fds[0], -1, memory_bytes, "not a memfd");
	int short_memory = memfd_create("short", MFD_CLOEXEC);
	ck_assert_int_eq(ftruncate(short_memory, 4096), 0);
	expect_refused(h.socket_path, state_fd[0], short_memory, -1, memory_bytes, "expected at least");
	expect_refused(h.socket_path, state_fd[0], memory_fd, -1, memory_bytes << 20, "expected 1..");
	/* the state: truncated, flipped, another version, one byte too long */
	for (size_t cut = 0; cut < state_bytes; cut += state_bytes / 7 + 1) {
		int f = cut ? memfd_of(state, cut) : memfd_create("empty", MFD_CLOEXEC);
		expect_refused(h.socket_path, f, memory_fd, -1, memory_bytes, cut ? "" : "found 0 bytes");
		close(f);
	}
	for (size_t at = 0; at < state_bytes; at += state_bytes / 11 + 1) {
		state[at] ^= 0x40;
		int f = memfd_of(state, state_bytes);
		expect_refused(h.socket_path, f, memory_fd, -1, memory_bytes, "");
		close(f);
		state[at] ^= 0x40;
	}
	state[8] ^= 0x7; /* the version, the header's first field */
	int f = memfd_of(state, state_bytes);
	expect_refused(h.socket_path, f, memory_fd, -1, memory_bytes, "version");
	close(f);
	state[8] ^= 0x7;
	state[state_bytes] = 0;
	f = memfd_of(state, state_bytes + 1);
	expect_refused(h.socket_path, f, memory_fd, -1, memory_bytes, "");
	close(f);

	/* the good state restores, with the memory handed over */
	int r = raw_connect(h.socket_path);
	int pass[2] = { state_fd[0], memory_fd };
	struct vhost_msg req = { .magic = VHOST_MAGIC, .kind = VHOST_RESTORE, .value = VHOST_WIRE_VERSION,
				 .memory_bytes = memory_bytes };
	raw_send(r, &req, pass, 2);
	int got[VHOST_WELCOME_FDS + 2];
	ck_assert_int_eq(raw_reply(r, &m, got), VHOST_WELCOME_FDS);
	ck_assert_int_eq(m.err, 0);
	uint8_t *copy = mmap(NULL, memory_bytes, PROT_READ, MAP_SHARED, got[VHOST_FD_MEMORY], 0);
	ck_assert_ptr_ne(copy, MAP_FAILED);
	ck_assert(pw_same(copy, (uint32_t)memory_bytes, 4242));
	ck_assert_int_eq(memcmp(copy, mem, memory_bytes), 0);
	munmap(copy, memory_bytes);
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		close(got[i]);

	/* out of order around SAVE: a register read while saved; RESUME
	 * without a save */
	expect_closed_after(s, VHOST_READ_REG);
	int fds2[VHOST_WELCOME_FDS];
	int s2 = raw_attach(h.socket_path, memory_bytes, fds2);
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		close(fds2[i]);
	expect_closed_after(s2, VHOST_RESUME);
	/* and the host still serves an honest guest */
	struct vrdma_vm *vm = NULL;
	char err[256];
	ck_assert_msg(vrdma_attach(h.socket_path, memory_bytes, &vm, err, sizeof err) == 0, "%s", err);
	vrdma_detach(vm);
	close(r);
	munmap(mem, memory_bytes);
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		close(fds[i]);
	close(state_fd[0]);
	close(short_memory);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	free(state);
	ck_assert_int_eq(pw_host_stop(&h), 0);
	rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma-host moves");
	TCase *t = tcase_create("processes");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, in_flight_between_processes);
	tcase_add_test(t, hostile_restores);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return run_suite(suite());
}
