/*
 * tests/vrdma/test_host.c -- hosts and guests as processes: vrdma-host and
 * vrdma_attach.
 *
 * Guest processes use the unchanged guest driver over vrdma_attach: RDMA
 * WRITE and SEND/RECV with their bytes checked, between two VMs of one
 * host process and between two host processes.  A hostile guest process
 * (doorbell floods, register-write spam, malformed records, fds, silence,
 * attempts to resize its memory, deaths mid-command) runs beside an honest
 * pair, whose ping-pong still completes in time, and the host survives it.
 * A killed guest's VM is destroyed: its peer's QP gets an error completion
 * and a new guest takes its place.
 */
#include "tests/check_run.h"
#include "tests/vrdma/proc_world.h"
#include "vrdma/device/doorbells.h"
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
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAIR_WAIT_S 25u
#define HOSTILE_ROUND_TRIPS 2000u
#define HONEST_BOUND_S 10.0 /* the honest pair's round trips beside the hostile guest */

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/vrdma-host-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	rmdir(dir);
}

/* Two guest processes on the given sockets ping-pong; returns how long. */
static double run_pair(const char *socket_a, const char *socket_b, unsigned round_trips)
{
	int x[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, x), 0);
	struct pw_pair_arg a = { socket_a, x[0], 1, round_trips }, b = { socket_b, x[1], 0, round_trips };
	double start = pw_now_s();
	pid_t pa = pw_spawn(pw_guest_main, &a), pb = pw_spawn(pw_guest_main, &b);
	int ra = pw_wait(pa, PAIR_WAIT_S), rb = pw_wait(pb, PAIR_WAIT_S);
	double took = pw_now_s() - start;
	close(x[0]);
	close(x[1]);
	ck_assert_msg(ra == 0 && rb == 0, "initiator exited %d, responder %d (proc_world.h: PW_FAIL_*)", ra, rb);
	return took;
}

START_TEST(two_vms_of_one_host)
{
	make_dir();
	struct pw_host h;
	pw_host_start(&h, dir, "one", NULL);
	run_pair(h.socket_path, h.socket_path, 50);
	int status = pw_host_stop(&h);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "vrdma-host ended with status %d", status);
	remove_dir();
}
END_TEST

START_TEST(two_host_processes)
{
	make_dir();
	struct pw_host h1, h2;
	pw_host_start(&h1, dir, "h1", "--host-id", "1", NULL);
	pw_host_start(&h2, dir, "h2", "--host-id", "2", NULL);
	ck_assert_int_ne(h1.lid, h2.lid);
	run_pair(h1.socket_path, h2.socket_path, 50);
	ck_assert_int_eq(pw_host_stop(&h1), 0);
	ck_assert_int_eq(pw_host_stop(&h2), 0);
	remove_dir();
}
END_TEST

/* --trace: the device side's events of guest processes, readable by
 * vrdma-trace. */
START_TEST(trace_of_guest_processes)
{
	make_dir();
	char trace[128], command[512];
	snprintf(trace, sizeof trace, "%s/host.vtrace", dir);
	struct pw_host h;
	pw_host_start(&h, dir, "traced", "--trace", trace, NULL);
	run_pair(h.socket_path, h.socket_path, 10);
	ck_assert_int_eq(pw_host_stop(&h), 0);
	const char *reader = getenv("VRDMA_TRACE") ? getenv("VRDMA_TRACE") : "./vrdma-trace";
	snprintf(command, sizeof command, "'%s' '%s' > '%s.txt'", reader, trace, trace);
	ck_assert_int_eq(system(command), 0);
	snprintf(command, sizeof command, "grep -q doorbell '%s.txt'", trace);
	ck_assert_msg(system(command) == 0, "the summary of %s names no doorbell", trace);
	snprintf(command, sizeof command, "rm -f '%s' '%s.txt'", trace, trace);
	ck_assert_int_eq(system(command), 0);
	remove_dir();
}
END_TEST

/* ---- a hostile guest process, speaking the wire protocol itself ---- */

static int raw_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/* HELLO; OUT: fds[VHOST_WELCOME_FDS].  Returns the socket, or -1. */
static int raw_attach(const char *path, int *fds)
{
	int s = raw_connect(path);
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_HELLO, .value = VHOST_WIRE_VERSION,
			       .memory_bytes = 1u << 20 };
	if (s < 0 || send(s, &m, sizeof m, 0) != (ssize_t)sizeof m)
		return -1;
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * VHOST_WELCOME_FDS)];
	} control;
	struct iovec iov = { &m, sizeof m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
			      .msg_controllen = sizeof control.bytes };
	struct cmsghdr *cm;
	if (recvmsg(s, &msg, 0) != (ssize_t)sizeof m || m.err != 0 || (cm = CMSG_FIRSTHDR(&msg)) == NULL ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int) * VHOST_WELCOME_FDS)) {
		close(s);
		return -1;
	}
	memcpy(fds, CMSG_DATA(cm), sizeof(int) * VHOST_WELCOME_FDS);
	return s;
}

static void raw_write_register(int s, uint32_t offset, uint32_t value)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_WRITE_REG, .offset = offset, .value = value };
	ssize_t n = send(s, &m, sizeof m, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)n;
}

/* Its memory and doorbell page cannot be resized or unsealed. */
static int try_resize(const int *fds)
{
	int bad = 0;
	for (int i = VHOST_FD_MEMORY; i <= VHOST_FD_DOORBELLS; i++) {
		bad |= ftruncate(fds[i], 0) == 0;
		bad |= ftruncate(fds[i], 1u << 30) == 0;
		bad |= fcntl(fds[i], F_ADD_SEALS, F_SEAL_WRITE) == 0;
	}
	return bad;
}

/* Everything a guest process holds, abused oldest first. */
static void flood_attached(const char *path, unsigned rounds)
{
	int fds[VHOST_WELCOME_FDS];
	int s = raw_attach(path, fds);
	if (s < 0)
		return;
	struct vrdma_doorbells *db = mmap(NULL, VRDMA_PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
					  fds[VHOST_FD_DOORBELLS], 0);
	/* the kick eventfd near its limit and made blocking (the backend must
	 * never read or write it); an interrupt line written back */
	uint64_t big = UINT64_MAX - 1 - 2 * rounds, one = 1;
	ssize_t n = write(fds[VHOST_FD_KICK], &big, sizeof big);
	fcntl(fds[VHOST_FD_KICK], F_SETFL, 0);
	fcntl(fds[VHOST_FD_IRQ], F_SETFL, 0);
	n = send(fds[VHOST_FD_IRQ], &one, sizeof one, MSG_DONTWAIT);
	(void)n;
	if (try_resize(fds))
		_exit(PW_FAIL_EXPECT);
	for (unsigned r = 0; r < rounds && db != MAP_FAILED; r++) {
		n = write(fds[VHOST_FD_KICK], &one, sizeof one); /* (blocks once at the limit: its own loss) */
		for (unsigned w = 0; w < VRDMA_DOORBELL_WORDS; w++) {
			atomic_store(&db->sq[w], UINT64_MAX);
			atomic_store(&db->rq[w], UINT64_MAX);
			atomic_store(&db->cq_arm[w], UINT64_MAX);
		}
		atomic_store(&db->rung, r & 1);
		raw_write_register(s, VRDMA_REG_REQUEST, 1);
		raw_write_register(s, VRDMA_REG_CTL, r % 3 ? VRDMA_CTL_ACTIVATE : VRDMA_CTL_RESET);
		raw_write_register(s, VRDMA_REG_DSR_LOW, r * 4096u);
		raw_write_register(s, 0x777, r);
		struct vhost_msg q = { .magic = VHOST_MAGIC, .kind = VHOST_READ_REG, .offset = VRDMA_REG_ERR };
		n = send(s, &q, sizeof q, MSG_DONTWAIT | MSG_NOSIGNAL); /* answers never read */
		if (r % 16 == 15)
			usleep(100); /* flood the host, not this machine's 2 cores */
	}
	/* then a malformed record: the host must end this guest */
	char junk[7] = "garbage";
	n = send(s, junk, sizeof junk, MSG_NOSIGNAL);
	(void)n;
	close(s);
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		close(fds[i]);
	if (db != MAP_FAILED)
		munmap(db, VRDMA_PAGE_BYTES);
}

/* Connections that never become guests: silence, junk, fds, lies. */
static void bad_connections(const char *path)
{
	/* Silent connections, held until the next call: the host closes them
	 * when their HELLO is late; beyond VHOST_MAX_UNATTACHED, oldest first. */
	static int silent[20];
	static int opened;
	if (!opened)
		memset(silent, 0xff, sizeof silent);
	opened = 1;
	for (int i = 0; i < 20; i++) {
		if (silent[i] >= 0)
			close(silent[i]);
		silent[i] = raw_connect(path);
	}
	int s = raw_connect(path);
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_WRITE_REG }; /* before HELLO */
	ssize_t n = s >= 0 ? send(s, &m, sizeof m, MSG_NOSIGNAL) : 0;
	close(s);
	s = raw_connect(path);
	char big[4096] = { 0 };
	n = s >= 0 ? send(s, big, sizeof big, MSG_NOSIGNAL) : 0; /* oversized */
	close(s);
	s = raw_connect(path);
	m.kind = VHOST_HELLO;
	m.value = VHOST_WIRE_VERSION;
	m.memory_bytes = UINT64_MAX; /* more than allowed */
	n = s >= 0 ? send(s, &m, sizeof m, MSG_NOSIGNAL) : 0;
	close(s);
	s = raw_connect(path);
	if (s >= 0) { /* a HELLO carrying an fd */
		m.memory_bytes = 1u << 20;
		union {
			struct cmsghdr align;
			char bytes[CMSG_SPACE(sizeof(int))];
		} control;
		struct iovec iov = { &m, sizeof m };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
				      .msg_controllen = sizeof control.bytes };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		int fd = STDERR_FILENO;
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
		n = sendmsg(s, &msg, MSG_NOSIGNAL);
		close(s);
	}
	(void)n;
}

/* A guest that dies in the middle of a command. */
static void die_mid_command(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct pw_guest g;
		if (pw_guest_open(&g, path) == PW_OK)
			vdev_write_register(g.vm->device, VRDMA_REG_REQUEST, 1);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static int hostile_main(void *arg)
{
	const char *path = arg;
	for (;;) {
		flood_attached(path, 2000);
		bad_connections(path);
		die_mid_command(path);
	}
	return 0;
}

START_TEST(hostile_guest_beside_honest_pair)
{
	make_dir();
	struct pw_host h;
	pw_host_start(&h, dir, "hostile", "--hello-timeout-ms", "300", "--memory-per-guest", "64M", NULL);
	double alone_s = run_pair(h.socket_path, h.socket_path, HOSTILE_ROUND_TRIPS);
	pid_t hostile = pw_spawn(hostile_main, h.socket_path);
	usleep(100000); /* the hostile guest is at it */
	double beside_s = run_pair(h.socket_path, h.socket_path, HOSTILE_ROUND_TRIPS);
	printf("honest pair, %u round trips: %.3f s alone, %.3f s beside the hostile guest\n",
	       HOSTILE_ROUND_TRIPS, alone_s, beside_s);
	ck_assert_msg(beside_s < HONEST_BOUND_S, "the honest pair took %.3f s beside the hostile guest", beside_s);
	int status = 0;
	ck_assert_int_eq(waitpid(hostile, &status, WNOHANG), 0); /* it was still at it */
	kill(hostile, SIGKILL);
	waitpid(hostile, &status, 0);
	ck_assert_msg(!WIFEXITED(status), "the hostile guest exited %d: its memory was resizable",
		      WEXITSTATUS(status));
	ck_assert_int_eq(kill(h.pid, 0), 0); /* the host survived */
	run_pair(h.socket_path, h.socket_path, 10); /* and serves after it */
	ck_assert_int_eq(pw_host_stop(&h), 0);
	remove_dir();
}
END_TEST

/* ---- a killed guest ---- */

struct victim_arg {
	const char *path;
	int xfd;     /* to the peer guest: pw_guest_connect */
	int control; /* to the test: 'r' when connected; the survivor waits for 'g' */
	int survivor;
};

/* Connect; the victim then waits to be killed; the survivor, told that
 * its peer is dead, sends: the completion must be an error, in time. */
static int victim_pair_main(void *arg)
{
	const struct victim_arg *a = arg;
	struct pw_guest g;
	int rc = pw_guest_open(&g, a->path);
	if (rc == PW_OK)
		rc = pw_guest_connect(&g, a->xfd);
	char go = 'r';
	if (rc != PW_OK || write(a->control, &go, 1) != 1)
		return rc != PW_OK ? rc : PW_FAIL_EXCHANGE;
	if (!a->survivor)
		for (;;)
			pause();
	if (read(a->control, &go, 1) != 1)
		return PW_FAIL_EXCHANGE;
	struct ibv_sge sge = { (uint64_t)(uintptr_t)g.buffer, 64, g.mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 9, .sg_list = &sge, .num_sge = 1, .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED }, *bad = NULL;
	if (vrdma_post_send(g.qp, &wr, &bad) != 0)
		return PW_FAIL_POST;
	struct ibv_wc wc;
	double end = pw_now_s() + 10.0;
	int got = 0;
	while ((got = vrdma_poll_cq(g.cq, 1, &wc)) == 0 && pw_now_s() < end)
		usleep(100);
	if (got == 1)
		printf("the survivor's send to a dead guest: %s\n", ibv_wc_status_str(wc.status));
	rc = got == 1 && wc.status != IBV_WC_SUCCESS ? PW_OK : PW_FAIL_EXPECT;
	pw_guest_close(&g);
	return rc;
}

static int attach_once(void *arg)
{
	struct pw_guest g;
	int rc = pw_guest_open(&g, arg);
	if (rc != PW_FAIL_ATTACH)
		pw_guest_close(&g);
	return rc;
}

START_TEST(killed_guest_is_destroyed)
{
	make_dir();
	struct pw_host h;
	pw_host_start(&h, dir, "kill", "--guests", "2", NULL);
	int x[2], cs[2], cv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, x), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, cs), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, cv), 0);
	struct victim_arg survivor = { h.socket_path, x[0], cs[1], 1 }, victim = { h.socket_path, x[1], cv[1], 0 };
	pid_t ps = pw_spawn(victim_pair_main, &survivor), pv = pw_spawn(victim_pair_main, &victim);
	char ready;
	ck_assert_int_eq(read(cs[0], &ready, 1), 1);
	ck_assert_int_eq(read(cv[0], &ready, 1), 1);
	/* the host is full (--guests 2) */
	ck_assert_int_eq(pw_wait(pw_spawn(attach_once, h.socket_path), 10), PW_FAIL_ATTACH);
	kill(pv, SIGKILL);
	ck_assert_int_eq(pw_wait(pv, 10), 128 + SIGKILL);
	ck_assert_int_eq(write(cs[0], "g", 1), 1);
	ck_assert_int_eq(pw_wait(ps, 20), 0);
	/* the dead guest's place is free again (the survivor's too, by now) */
	int rc = -1;
	for (int tries = 0; tries < 40 && rc != 0; tries++) {
		rc = pw_wait(pw_spawn(attach_once, h.socket_path), 10);
		if (rc != 0)
			usleep(50000);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(pw_host_stop(&h), 0);
	for (int i = 0; i < 2; i++) {
		close(x[i]);
		close(cs[i]);
		close(cv[i]);
	}
	remove_dir();
}
END_TEST

/* vrdma_attach's refusals name their reason. */
START_TEST(attach_refusals)
{
	char err[256];
	struct vrdma_vm *vm = NULL;
	ck_assert_int_ne(vrdma_attach("/nonexistent/vrdma.sock", 1u << 20, &vm, err, sizeof err), 0);
	ck_assert_msg(strstr(err, "cannot connect") != NULL, "%s", err);
	make_dir();
	struct pw_host h;
	pw_host_start(&h, dir, "refuse", "--memory-per-guest", "1M", NULL);
	ck_assert_int_eq(vrdma_attach(h.socket_path, 2u << 20, &vm, err, sizeof err), EINVAL);
	ck_assert_msg(strstr(err, "expected 1..1048576") != NULL, "%s", err);
	ck_assert_int_eq(vrdma_attach(h.socket_path, 1u << 20, &vm, err, sizeof err), 0);
	ck_assert_int_ge(vm->memory.fd, 0);
	ck_assert_uint_eq(vm->memory.bytes, 1u << 20);
	ck_assert_int_ne(ftruncate(vm->memory.fd, 0), 0); /* sealed */
	vrdma_detach(vm);
	ck_assert_int_eq(pw_host_stop(&h), 0);
	remove_dir();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma-host");
	TCase *t = tcase_create("processes");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, two_vms_of_one_host);
	tcase_add_test(t, two_host_processes);
	tcase_add_test(t, hostile_guest_beside_honest_pair);
	tcase_add_test(t, killed_guest_is_destroyed);
	tcase_add_test(t, attach_refusals);
	tcase_add_test(t, trace_of_guest_processes);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return run_suite(suite());
}
