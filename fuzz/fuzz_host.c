/*
 * fuzz/fuzz_host.c -- libFuzzer harness for vrdma-host's socket protocol
 * (vrdma/host/server.c, wire.h): the trust boundary between a host process
 * and the guest processes that connect to it.
 *
 * One host per process (software HCA, backend, server on a UNIX socket in
 * a temporary directory), made once; the harness's own thread drives the
 * server (vhost_serve_once) instead of vhost_run, so what the server did
 * with a record is done when the harness looks.  Its guests are sockets of
 * this process:
 *
 *   H  an honest guest, attached with vrdma_attach and driven by the real
 *      guest driver; its round trips (a command, a register read) run on a
 *      helper thread while the harness serves, and must finish in 5 s.
 *   up to FH_SLOTS hostile connections, each a raw socket whose records,
 *      fds, doorbell page, kick eventfd, interrupt lines and memory the
 *      input drives.
 *
 * The harness keeps a model of what the server must do with each record
 * (wire.h): a record of the wrong size, with fds, without the magic, of an
 * unknown kind or out of order ends that connection and no other; a HELLO
 * is welcomed or refused as server.c says; a READ_REG is answered.  A
 * move's records too: SAVE makes an attached connection SAVED (or is
 * refused and it runs on), RESUME welcomes a SAVED one back, RESTORE on a
 * new connection welcomes a guest from a saved state and its memory, with
 * 0..3 fds of the input's choosing (real states, fuzzed, truncated or
 * flipped ones, guest memory, pipes, /dev/null, memfds too small).  After
 * each action it checks the model against the server: the connections it
 * should have closed read EOF, the others do not, answers are there, the
 * host's guest count is the model's.  fuzz/README.md lists the actions.
 */
#include "fuzz/fuzz.h"
#include "fuzz/fuzz_host.h"
#include "vrdma/backend/backend.h"
#include "vrdma/device/doorbells.h"
#include "vrdma/guest/verbs.h"
#include "vrdma/hca/hca.h"
#include "vrdma/host/attach.h"
#include "vrdma/host/server.h"
#include "vrdma/host/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FH_HONEST_MEMORY (256u << 10)
#define FH_HELLO_TIMEOUT_MS 60000u   /* no connection expires within an input */
#define FH_WAIT_S 5.0                /* an honest round trip longer than this is a hang */

#define FH_HOST_MAX_FDS 16u    /* server.c's MAX_PASSED_FDS: more in one record end it unanswered */

/* SAVED: after a SAVE that succeeded, until RESUME (ATTACHED again) or the end. */
enum slot_state { S_EMPTY, S_NEW, S_ATTACHED, S_SAVED };

struct slot {
	enum slot_state state;
	int fd;
	uint64_t order;              /* connect order: the oldest NEW is crowded out */
	unsigned reads;              /* READ_REGs sent and not yet answered */
	uint32_t read_offset[64];
	uint16_t guest_id;
	uint8_t host_id;
	int id_moved;                /* guest_id came with a move: not this host's device number */
	int touched;                 /* a register was written: the device may hold objects or be
				      * mid-command, so a save or restore of it may be refused */
	/* ATTACHED, SAVED: what the WELCOME gave */
	int memory_fd, bells_fd, kick_fd, irq_fd[VRDMA_VECTOR_COUNT];
	uint8_t *memory;
	uint64_t memory_bytes;
	struct vrdma_doorbells *bells;
};

/* A state a SAVED reply gave, kept for the input's RESTOREs. */
struct saved_state {
	int fd;                      /* the sealed memfd */
	uint64_t bytes;
	uint64_t memory_bytes;       /* its guest's, as its WELCOME gave it */
	uint16_t guest_id;
	uint8_t host_id;
	int touched;                 /* its device's slot had written a register */
};

static struct {
	char dir[64], path[108];
	struct vhca *hca;
	struct vbackend *backend;
	struct vhost *host;
	struct vrdma_vm *hvm;          /* H */
	struct vrdma_context *hctx;
	struct slot slots[FH_SLOTS];
	struct saved_state states[FH_STATES]; /* this input's, oldest replaced */
	unsigned state_count, states_saved;
	const uint8_t *input;          /* the current input's first byte, for FUZZ_DEBUG */
	uint64_t connects;
	int debug;
} fh;

static void die(const char *what) __attribute__((noreturn));
static void die(const char *what)
{
	fprintf(stderr, "fuzz_host: %s\n", what);
	abort();
}

#define DEBUG(...)                                    \
	do {                                          \
		if (fh.debug)                         \
			fprintf(stderr, __VA_ARGS__); \
	} while (0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Serve until the server has nothing left to take: every record sent so
 * far has been handled (the harness is the only sender, and the server
 * takes what is queued without waiting). */
static void pump(void)
{
	for (unsigned i = 0;; i++) {
		int n = vhost_serve_once(fh.host, 0);
		if (n < 0)
			die("vhost_serve_once failed");
		if (n == 0)
			return;
		if (i > 100000)
			die("the server never runs out of events");
	}
}

/* ---- H: round trips on a helper thread while this one serves ---- */

struct honest_job {
	void (*fn)(void);
	atomic_int done;
};

static void *honest_thread(void *arg)
{
	struct honest_job *job = arg;
	job->fn();
	atomic_store(&job->done, 1);
	return NULL;
}

static void honest_run(void (*fn)(void))
{
	struct honest_job job = { .fn = fn };
	pthread_t t;
	if (pthread_create(&t, NULL, honest_thread, &job) != 0)
		die("pthread_create");
	double deadline = now_s() + FH_WAIT_S;
	while (!atomic_load(&job.done)) {
		if (vhost_serve_once(fh.host, 1) < 0)
			die("vhost_serve_once failed");
		if (now_s() > deadline)
			die("the honest guest's round trip did not finish in 5 s");
	}
	pthread_join(t, NULL);
	pump();
}

static void honest_attach(void)
{
	char err[256];
	if (vrdma_attach(fh.path, FH_HONEST_MEMORY, &fh.hvm, err, sizeof err) != 0)
		die(err);
	fh.hctx = vrdma_open_device(fh.hvm);
	if (fh.hctx == NULL)
		die("the honest guest cannot open its device");
}

static void honest_round_trip(void)
{
	struct ibv_port_attr port;
	memset(&port, 0, sizeof port);
	if (vrdma_query_port(fh.hctx, 1, &port) != 0 || port.state != IBV_PORT_ACTIVE)
		die("the honest guest's QUERY_PORT failed");
	if (vdev_read_register(fh.hvm->device, VRDMA_REG_VERSION) != VRDMA_ABI_VERSION)
		die("the honest guest's register read failed");
}

/* ---- the world ---- */

static void clear_slot(struct slot *s)
{
	memset(s, 0, sizeof *s);
	s->state = S_EMPTY;
	s->fd = s->memory_fd = s->bells_fd = s->kick_fd = -1;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		s->irq_fd[v] = -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fh.debug = getenv("FUZZ_DEBUG") != NULL;
	signal(SIGPIPE, SIG_IGN); /* as vrdma-host */
	snprintf(fh.dir, sizeof fh.dir, "/tmp/fuzz-host.XXXXXX");
	if (mkdtemp(fh.dir) == NULL)
		die("mkdtemp");
	snprintf(fh.path, sizeof fh.path, "%s/host.sock", fh.dir);
	char err[256];
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	if (vhca_soft_create(&hc, NULL, 1, &fh.hca, err, sizeof err) != 0)
		die(err);
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = fh.hca;
	bc.host_id = 1;
	if (vbackend_start(&bc, &fh.backend, err, sizeof err) != 0)
		die(err);
	struct vhost_config sc = { .socket_path = fh.path, .max_guests = FH_MAX_GUESTS,
				   .max_memory_bytes = FH_MAX_MEMORY, .hello_timeout_ms = FH_HELLO_TIMEOUT_MS,
				   .log = fh.debug ? stderr : NULL };
	if (vhost_open(&sc, fh.backend, &fh.host, err, sizeof err) != 0)
		die(err);
	for (unsigned i = 0; i < FH_SLOTS; i++)
		clear_slot(&fh.slots[i]);
	honest_run(honest_attach);
	return 0;
}

/* ---- the model ---- */

static unsigned count(enum slot_state state)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FH_SLOTS; i++)
		n += fh.slots[i].state == state;
	return n;
}

/* The guests the host runs: H, and every hostile one attached or saved
 * (a SAVED VM is stopped, not gone: it counts until its guest hangs up). */
static unsigned live_guests(void)
{
	return 1 + count(S_ATTACHED) + count(S_SAVED);
}

static void check_guest_count(void)
{
	unsigned want = live_guests();
	if (vhost_guest_count(fh.host) != want) {
		fprintf(stderr, "fuzz_host: the host runs %u guests, the model %u\n",
			vhost_guest_count(fh.host), want);
		die("guest count");
	}
}

/* What a WELCOME gave a slot, unmapped and closed (the socket stays). */
static void forget_device(struct slot *s)
{
	if (s->memory)
		munmap(s->memory, s->memory_bytes);
	if (s->bells)
		munmap(s->bells, VRDMA_PAGE_BYTES);
	s->memory = NULL;
	s->bells = NULL;
	int *fds[] = { &s->memory_fd, &s->bells_fd, &s->kick_fd, &s->irq_fd[0], &s->irq_fd[1], &s->irq_fd[2] };
	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

/* The harness's side of a connection closed and unmapped. */
static void release(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	forget_device(s);
	clear_slot(s);
}

/* The saved states an input collected: closed at its end, so that an
 * input means the same script whatever ran before it. */
static void forget_states(void)
{
	for (unsigned i = 0; i < fh.state_count; i++)
		close(fh.states[i].fd);
	fh.state_count = 0;
	fh.states_saved = 0;
}

/* One record from the host, without waiting.  Returns its size, 0 at EOF,
 * -1 when there is none.  OUT: *m, fds[] (closed by the caller), *nfds. */
static ssize_t receive(int fd, struct vhost_msg *m, int *fds, int *nfds)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * VHOST_WELCOME_FDS)];
	} control;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
			      .msg_controllen = sizeof control.bytes };
	*nfds = 0;
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno == EAGAIN)
			return -1;
		if (errno == ECONNRESET)
			return 0;
		die("recvmsg from the host failed");
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			die("the host sent a control message other than SCM_RIGHTS");
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++)
			memcpy(&fds[(*nfds)++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		die("the host sent an oversized record or too many fds");
	return n;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Answers owed to a live connection: one REG_VALUE per READ_REG, in order. */
static void take_answers(struct slot *s)
{
	for (unsigned i = 0; i < s->reads; i++) {
		struct vhost_msg m;
		int fds[VHOST_WELCOME_FDS], nfds;
		ssize_t n = receive(s->fd, &m, fds, &nfds);
		close_fds(fds, nfds);
		if (n != (ssize_t)sizeof m || nfds != 0 || m.magic != VHOST_MAGIC || m.kind != VHOST_REG_VALUE ||
		    m.offset != s->read_offset[i])
			die("a READ_REG without its REG_VALUE");
		if (m.offset == VRDMA_REG_VERSION && m.value != VRDMA_ABI_VERSION)
			die("REG_VALUE of VERSION is not the ABI version");
	}
	s->reads = 0;
}

/* A connection the host must still serve: its answers, and nothing else. */
static void expect_alive(struct slot *s)
{
	take_answers(s);
	struct vhost_msg m;
	int fds[VHOST_WELCOME_FDS], nfds;
	ssize_t n = receive(s->fd, &m, fds, &nfds);
	close_fds(fds, nfds);
	if (n == 0)
		die("the host closed a connection that kept the protocol");
	if (n > 0)
		die("the host sent a record nobody asked for");
}

/* A refusal is a WELCOME with an errno, a NUL-terminated reason, no fds. */
static void check_refusal(const struct vhost_msg *m, int nfds)
{
	if (nfds != 0 || m->err <= 0 || memchr(m->why, '\0', sizeof m->why) == NULL)
		die("a refusal with fds, or without its errno or reason");
	DEBUG("  refused: %d %s\n", m->err, m->why);
}

/* A connection the host must have closed: what it still owes may come
 * first (answers, a refusal), then EOF. */
static void expect_closed(struct slot *s, int refusal)
{
	for (unsigned i = 0; i < s->reads + 2; i++) {
		struct vhost_msg m;
		int fds[VHOST_WELCOME_FDS], nfds;
		ssize_t n = receive(s->fd, &m, fds, &nfds);
		close_fds(fds, nfds);
		if (n == 0) {
			release(s);
			return;
		}
		if (n < 0)
			die("the host kept a connection it should have closed");
		if (nfds != 0 || m.magic != VHOST_MAGIC)
			die("a record without the magic, or with fds, before a close");
		if (m.kind == VHOST_WELCOME) {
			if (!refusal)
				die("a WELCOME before a close that owed none");
			check_refusal(&m, nfds);
		} else if (m.kind != VHOST_REG_VALUE) {
			die("a record of an unexpected kind before a close");
		}
	}
	die("too many records before a close");
}

/* A NEW connection the host must refuse: a refusal, then EOF. */
static void expect_refused(struct slot *s)
{
	struct vhost_msg m;
	int fds[VHOST_WELCOME_FDS], nfds;
	ssize_t n = receive(s->fd, &m, fds, &nfds);
	close_fds(fds, nfds);
	if (n != (ssize_t)sizeof m || m.magic != VHOST_MAGIC || m.kind != VHOST_WELCOME || m.err == 0)
		die("a connection closed without its refusal");
	check_refusal(&m, nfds);
	expect_closed(s, 0);
}

/* The host's answer to a HELLO, RESTORE or RESUME: a WELCOME.  Returns 0
 * with fds[] (VHOST_WELCOME_FDS of them), or its refusal's errno (checked,
 * its fds closed). */
static int read_welcome(struct slot *s, struct vhost_msg *m, int *fds)
{
	int got[VHOST_WELCOME_FDS], nfds;
	ssize_t n = receive(s->fd, m, got, &nfds);
	if (n <= 0)
		die("no answer to a HELLO, RESTORE or RESUME");
	if (n != (ssize_t)sizeof *m || m->magic != VHOST_MAGIC || m->kind != VHOST_WELCOME)
		die("a HELLO, RESTORE or RESUME answered by something other than a WELCOME");
	if (m->err != 0) {
		close_fds(got, nfds);
		check_refusal(m, nfds);
		return m->err;
	}
	if (nfds != VHOST_WELCOME_FDS)
		die("a WELCOME without its fds");
	memcpy(fds, got, sizeof got);
	return 0;
}

/* The WELCOME M (err 0) with FDS was read on s: s is ATTACHED to the guest
 * it names.  Its memory and doorbell page must be whole, mapped and sealed. */
static void take_welcome(struct slot *s, const struct vhost_msg *m, const int *fds)
{
	if (m->memory_bytes == 0 || m->memory_bytes % VRDMA_PAGE_BYTES != 0 || m->memory_bytes > FH_MAX_MEMORY)
		die("a WELCOME whose memory is not whole pages of at most the host's maximum");
	struct stat st;
	if (fstat(fds[VHOST_FD_MEMORY], &st) != 0 || (uint64_t)st.st_size < m->memory_bytes)
		die("guest memory smaller than the WELCOME says");
	s->state = S_ATTACHED;
	s->guest_id = m->guest_id;
	s->host_id = m->host_id;
	s->memory_fd = fds[VHOST_FD_MEMORY];
	s->bells_fd = fds[VHOST_FD_DOORBELLS];
	s->kick_fd = fds[VHOST_FD_KICK];
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		s->irq_fd[v] = fds[VHOST_FD_IRQ + v];
	s->memory_bytes = m->memory_bytes;
	void *p = mmap(NULL, s->memory_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, s->memory_fd, 0);
	void *b = mmap(NULL, VRDMA_PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, s->bells_fd, 0);
	if (p == MAP_FAILED || b == MAP_FAILED)
		die("cannot map what the WELCOME gave");
	s->memory = p;
	s->bells = b;
	/* the seals hold: the guest cannot resize the memory the backend maps */
	if (ftruncate(s->memory_fd, (off_t)s->memory_bytes / 2) == 0 ||
	    ftruncate(s->memory_fd, (off_t)s->memory_bytes * 2) == 0 ||
	    ftruncate(s->bells_fd, 0) == 0)
		die("a guest could resize its sealed memory");
}

/* A HELLO was sent on NEW slot s and served: the model's verdict. */
static void expect_hello_outcome(struct slot *s, const struct vhost_msg *hello)
{
	int fine = hello->value == VHOST_WIRE_VERSION && hello->memory_bytes != 0 &&
		   hello->memory_bytes <= FH_MAX_MEMORY && live_guests() < FH_MAX_GUESTS;
	struct vhost_msg m;
	int fds[VHOST_WELCOME_FDS];
	int err = read_welcome(s, &m, fds);
	if (err != 0) {
		if (fine && err != ENOSPC && err != ENOMEM)
			die("a proper HELLO refused");
		expect_closed(s, 0);
		return;
	}
	if (!fine)
		die("a HELLO that breaks the rules welcomed");
	if (m.memory_bytes < hello->memory_bytes)
		die("a WELCOME with less memory than asked");
	/* a fresh guest's id is its device number on this host; a moved
	 * guest's is the one it had on its source, so only others are unique */
	if (m.guest_id == fh.hvm->guest_id)
		die("a WELCOME with the honest guest's id");
	for (unsigned i = 0; i < FH_SLOTS; i++)
		if ((fh.slots[i].state == S_ATTACHED || fh.slots[i].state == S_SAVED) && !fh.slots[i].id_moved &&
		    fh.slots[i].guest_id == m.guest_id)
			die("a WELCOME with a live guest's id");
	take_welcome(s, &m, fds);
	expect_alive(s);
}

/* ---- the model of a move (wire.h's SAVE, RESUME, RESTORE) ---- */

static void send_record(struct slot *s, const struct vhost_msg *m);

/* A guest just welcomed by a move: its new VM answers a register read. */
static void expect_serving(struct slot *s)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_READ_REG, .offset = VRDMA_REG_VERSION };
	send_record(s, &m);
}

/* A state the host handed over: a sealed memfd of the bytes SAVED said,
 * with a header the backend takes.  Kept for RESTOREs (the oldest goes). */
static void keep_state(const struct slot *s, int fd, uint64_t bytes)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);
	int want = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
	if (seals < 0 || (seals & want) != want || fstat(fd, &st) != 0 || (uint64_t)st.st_size != bytes || bytes == 0)
		die("a saved state that is not a sealed memfd of the bytes SAVED says");
	uint8_t *copy = malloc(bytes);
	char err[256];
	if (copy == NULL || pread(fd, copy, bytes, 0) != (ssize_t)bytes)
		die("cannot read a saved state");
	if (vbackend_check_state_header(copy, bytes, err, sizeof err) != 0)
		die("a saved state whose header the backend refuses");
	free(copy);
	struct saved_state *k = &fh.states[fh.states_saved++ % FH_STATES];
	if (fh.state_count == FH_STATES)
		close(k->fd);
	else
		fh.state_count++;
	*k = (struct saved_state){ .fd = fd, .bytes = bytes, .memory_bytes = s->memory_bytes,
				   .guest_id = s->guest_id, .host_id = s->host_id, .touched = s->touched };
}

/* A SAVE was sent on ATTACHED slot s after its READ_REGs: their answers,
 * then SAVED.  A device nobody has written to has nothing to refuse for. */
static void expect_saved_outcome(struct slot *s)
{
	take_answers(s);
	struct vhost_msg m;
	int fds[VHOST_WELCOME_FDS], nfds;
	ssize_t n = receive(s->fd, &m, fds, &nfds);
	if (n != (ssize_t)sizeof m || m.magic != VHOST_MAGIC || m.kind != VHOST_SAVED)
		die("a SAVE answered by something other than SAVED");
	if (m.err != 0) {
		close_fds(fds, nfds);
		if (nfds != 0 || m.err < 0 || memchr(m.why, '\0', sizeof m.why) == NULL)
			die("a refused SAVE with fds, or without its errno or reason");
		if (!s->touched)
			die("the save of an untouched device refused");
		DEBUG("  save refused: %d %s\n", m.err, m.why);
		expect_alive(s); /* it runs on */
		return;
	}
	if (nfds != 1)
		die("a SAVED without exactly one fd");
	keep_state(s, fds[0], m.memory_bytes);
	s->state = S_SAVED;
	expect_alive(s);
}

/* A RESUME was sent on SAVED slot s: welcomed back as the same guest, or
 * (only for want of memory) refused and closed, its VM gone. */
static void expect_resume_outcome(struct slot *s)
{
	struct vhost_msg m;
	int fds[VHOST_WELCOME_FDS];
	int err = read_welcome(s, &m, fds);
	if (err != 0) {
		/* the host restores what it saved itself, into the memory it
		 * gave: only a shortage of memory may stop it */
		if (!s->touched || err != ENOMEM)
			die("a RESUME refused, not for want of memory");
		expect_closed(s, 0);
		return;
	}
	if (m.guest_id != s->guest_id || m.host_id != s->host_id || m.memory_bytes != s->memory_bytes)
		die("a resumed guest with another id or memory");
	forget_device(s); /* the stopped VM's memory, lines and kick are gone */
	take_welcome(s, &m, fds);
	s->id_moved = 1; /* its VM is another device now, under the old id */
	expect_serving(s);
}

/* What the model knows of an fd a RESTORE carries. */
struct passed {
	int fd;
	int memfd;                          /* a memfd (the only files the host reads) */
	uint64_t bytes;                     /* a memfd's size */
	enum { STATE_BAD, STATE_GOOD, STATE_UNKNOWN } as_state;
	const struct saved_state *origin;   /* STATE_GOOD: the state it is */
};

enum verdict { MUST_REFUSE, MUST_WELCOME, MAY_EITHER };

static uint64_t whole_pages(uint64_t bytes)
{
	return (bytes + VRDMA_PAGE_BYTES - 1) / VRDMA_PAGE_BYTES * VRDMA_PAGE_BYTES;
}

/* What server.c's restore must do with RESTORE m and its fds: refuse a
 * wrong count, version, size or a full host (admit), a state or memory
 * that is not a memfd of the right size, a state the backend cannot take
 * (truncated, flipped, of another memory size); welcome an unmodified
 * state of an untouched device.  Fuzzed states, and states of devices
 * that may hold objects (whose keys may be taken here), may go either way. */
static enum verdict restore_verdict(const struct vhost_msg *m, const struct passed *p, unsigned n)
{
	if (n != VHOST_RESTORE_FDS || m->value != VHOST_WIRE_VERSION || m->memory_bytes == 0 ||
	    m->memory_bytes > FH_MAX_MEMORY || live_guests() >= FH_MAX_GUESTS)
		return MUST_REFUSE;
	const struct passed *state = &p[VHOST_RESTORE_FD_STATE], *memory = &p[VHOST_RESTORE_FD_MEMORY];
	if (!state->memfd || state->bytes == 0 || state->as_state == STATE_BAD)
		return MUST_REFUSE;
	if (!memory->memfd || memory->bytes < m->memory_bytes)
		return MUST_REFUSE;
	if (state->as_state == STATE_UNKNOWN)
		return MAY_EITHER;
	if (whole_pages(m->memory_bytes) != state->origin->memory_bytes)
		return MUST_REFUSE; /* the state says its guest's memory size */
	return state->origin->touched ? MAY_EITHER : MUST_WELCOME;
}

/* A RESTORE m with the fds p[0..n) was sent on NEW slot s: the verdict,
 * and a welcomed guest taken. */
static void expect_restore_outcome(struct slot *s, const struct vhost_msg *restore, const struct passed *p,
				   unsigned n)
{
	enum verdict v = restore_verdict(restore, p, n);
	struct vhost_msg m;
	int fds[VHOST_WELCOME_FDS];
	int err = read_welcome(s, &m, fds);
	if (err != 0) {
		if (v == MUST_WELCOME)
			die("a RESTORE of a good state refused");
		expect_closed(s, 0);
		return;
	}
	if (v == MUST_REFUSE)
		die("a RESTORE that breaks the rules welcomed");
	if (m.memory_bytes != whole_pages(restore->memory_bytes))
		die("a restored guest's memory is not what it asked, in whole pages");
	const struct saved_state *origin = p[VHOST_RESTORE_FD_STATE].origin;
	if (origin && (m.guest_id != origin->guest_id || m.host_id != origin->host_id))
		die("a restored guest without the ids it was saved with");
	take_welcome(s, &m, fds);
	s->id_moved = 1;
	s->touched = origin ? origin->touched : 1; /* a fuzzed state's device may hold anything */
	expect_serving(s);
}

/* ---- sending ---- */

/* Send one record of `bytes` bytes (`fds` attached), serving the host
 * while the socket is full.  Returns 0, or -1 when the host is gone. */
static int send_raw(struct slot *s, const void *data, size_t bytes, const int *fds, unsigned nfds)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = bytes };
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * FH_MAX_FDS)];
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&control, 0, sizeof control);
		msg.msg_control = control.bytes;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	for (unsigned tries = 0; tries < 1000; tries++) {
		ssize_t n = sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)bytes)
			return 0;
		if (n < 0 && errno == EAGAIN) {
			pump();
			continue;
		}
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return -1;
		die("sendmsg to the host failed");
	}
	die("the host does not take records");
}

static void connect_slot(struct slot *s)
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, fh.path, strlen(fh.path) + 1);
	release(s);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("cannot connect to the host");
	s->state = S_NEW;
	s->order = ++fh.connects;
	pump();
	/* beyond VHOST_MAX_UNATTACHED silent connections, the oldest goes */
	if (count(S_NEW) > VHOST_MAX_UNATTACHED) {
		struct slot *oldest = NULL;
		for (unsigned i = 0; i < FH_SLOTS; i++)
			if (fh.slots[i].state == S_NEW && (!oldest || fh.slots[i].order < oldest->order))
				oldest = &fh.slots[i];
		expect_closed(oldest, 0);
	}
}

static const uint32_t registers[] = {
	VRDMA_REG_VERSION, VRDMA_REG_DSR_LOW, VRDMA_REG_DSR_HIGH, VRDMA_REG_CTL,
	VRDMA_REG_REQUEST, VRDMA_REG_ERR, VRDMA_REG_IMR, VRDMA_REG_FILE_BYTES,
};
#define REGISTER_COUNT (sizeof registers / sizeof registers[0])

static uint32_t pick_register(struct in *in)
{
	uint8_t r = g8(in);
	if (r < 0xf0)
		return registers[r % REGISTER_COUNT];
	return r == 0xff ? g32(in) : (uint32_t)(r & 0x0f) * 4u; /* 0xf0..0xfe: offsets 0..56 */
}

/* A record with the input's fields; `kind_byte` picks the kind. */
static void record_from_input(struct in *in, struct vhost_msg *m)
{
	uint8_t form = g8(in);
	memset(m, 0, sizeof *m);
	m->magic = (form & 0x80) ? g32(in) : VHOST_MAGIC;
	switch (form & 7) {
	case 0: m->kind = g32(in); break;              /* any kind */
	case 1: case 2: m->kind = VHOST_WRITE_REG; break;
	case 3: m->kind = VHOST_READ_REG; break;
	case 4: m->kind = VHOST_HELLO; break;
	case 5: m->kind = VHOST_WELCOME; break;
	case 6: m->kind = VHOST_REG_VALUE; break;
	default: m->kind = 0; break;
	}
	if (m->kind == VHOST_HELLO) {
		m->value = (form & 0x40) ? g32(in) : VHOST_WIRE_VERSION;
		m->memory_bytes = (form & 0x20) ? g64(in) : (uint64_t)(g8(in) + 1u) * 1024u;
	} else {
		m->offset = pick_register(in);
		m->value = g32(in);
	}
	if (form & 0x10) { /* garbage in the fields nobody reads */
		m->memory_bytes ^= g64(in);
		m->err = (int32_t)g32(in);
		m->guest_id = g16(in);
		m->host_id = g8(in);
		m->reserved = g8(in);
		m->why[0] = (char)g8(in);
	}
}

/* Send a well-sized, fd-less record and check what the host did with it. */
static void send_record(struct slot *s, const struct vhost_msg *m)
{
	DEBUG("  record magic %08x kind %u offset %#x value %#x memory %llu\n", m->magic, m->kind, m->offset,
	      m->value, (unsigned long long)m->memory_bytes);
	if (send_raw(s, m, sizeof *m, NULL, 0) != 0)
		die("a connection the model thinks alive is gone");
	pump();
	if (m->magic != VHOST_MAGIC) {
		expect_closed(s, 0);
	} else if (s->state == S_NEW && m->kind == VHOST_HELLO) {
		expect_hello_outcome(s, m);
	} else if (s->state == S_NEW && m->kind == VHOST_RESTORE) {
		expect_restore_outcome(s, m, NULL, 0); /* without its fds */
	} else if (s->state == S_ATTACHED && m->kind == VHOST_WRITE_REG) {
		s->touched = 1;
		expect_alive(s);
	} else if (s->state == S_ATTACHED && m->kind == VHOST_READ_REG) {
		s->read_offset[s->reads++] = m->offset;
		expect_alive(s);
	} else if (s->state == S_ATTACHED && m->kind == VHOST_SAVE) {
		expect_saved_outcome(s);
	} else if (s->state == S_SAVED && m->kind == VHOST_RESUME) {
		expect_resume_outcome(s);
	} else {
		expect_closed(s, 0); /* out of order; in SAVED, anything but RESUME */
	}
}

/* ---- a RESTORE's fds ---- */

/* A memfd of BYTES bytes: DATA's, or zeros. */
static int memfd_of(const void *data, uint64_t bytes)
{
	int fd = memfd_create("fuzz-host", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0 ||
	    (data && bytes > 0 && pwrite(fd, data, bytes, 0) != (ssize_t)bytes))
		die("cannot make a memfd");
	return fd;
}

/* A memfd holding saved state K cut to BYTES, its byte AT xor X. */
static int state_copy(const struct saved_state *k, uint64_t bytes, uint64_t at, uint8_t x)
{
	uint8_t *copy = malloc(k->bytes);
	if (copy == NULL || pread(k->fd, copy, k->bytes, 0) != (ssize_t)k->bytes)
		die("cannot read a saved state");
	copy[at] ^= x;
	int fd = memfd_of(copy, bytes);
	free(copy);
	return fd;
}

/* Saved state I of those this input collected, or NULL. */
static const struct saved_state *state_at(uint8_t i)
{
	return fh.state_count ? &fh.states[i % fh.state_count] : NULL;
}

/* One fd of a RESTORE as the input makes it (fuzz_host.h's fh_fd_kind):
 * OUT *p, whose fd the harness closes once sent.  Returns the saved state
 * it was made from (good or spoilt), or NULL. */
static const struct saved_state *make_passed(struct in *in, struct passed *p)
{
	uint8_t kind = g8(in) % FH_FD_COUNT;
	const struct saved_state *k = NULL;
	memset(p, 0, sizeof *p);
	p->memfd = 1;
	p->as_state = STATE_BAD;
	switch (kind) {
	case FH_FD_STATE:
		k = state_at(g8(in));
		p->fd = k ? dup(k->fd) : memfd_of(NULL, 0);
		p->bytes = k ? k->bytes : 0;
		p->as_state = k ? STATE_GOOD : STATE_BAD;
		p->origin = k;
		break;
	case FH_FD_FUZZED: { /* a state nobody saved: whether it restores is the backend's business */
		uint8_t bytes[255];
		unsigned n = g8(in);
		for (unsigned i = 0; i < n; i++)
			bytes[i] = g8(in);
		p->fd = memfd_of(bytes, n);
		p->bytes = n;
		p->as_state = STATE_UNKNOWN;
		break;
	}
	case FH_FD_TRUNCATED: { /* the header's length, or the header itself, fails */
		k = state_at(g8(in));
		uint16_t cut = g16(in);
		p->bytes = k ? cut % k->bytes : 0;
		p->fd = k ? state_copy(k, p->bytes, 0, 0) : memfd_of(NULL, 0);
		break;
	}
	case FH_FD_FLIPPED: { /* CRC-32 catches every change of one byte */
		k = state_at(g8(in));
		uint16_t at = g16(in);
		uint8_t x = g8(in);
		p->bytes = k ? k->bytes : 0;
		p->fd = k ? state_copy(k, k->bytes, at % k->bytes, x ? x : 1) : memfd_of(NULL, 0);
		break;
	}
	case FH_FD_MEMORY: { /* a guest's memory: what a move passes second */
		const struct slot *t = &fh.slots[g8(in) % FH_SLOTS];
		struct stat st;
		p->fd = t->memory_fd >= 0 ? dup(t->memory_fd) : memfd_of(NULL, FH_MAX_MEMORY);
		if (p->fd < 0 || fstat(p->fd, &st) != 0)
			die("cannot pass a guest's memory");
		p->bytes = (uint64_t)st.st_size;
		p->as_state = STATE_UNKNOWN; /* the guest wrote what it liked */
		break;
	}
	case FH_FD_PIPE: { /* a file whose read could block the host: never read */
		int ends[2];
		if (pipe2(ends, O_CLOEXEC) != 0)
			die("pipe2");
		close(ends[1]);
		p->fd = ends[0];
		p->memfd = 0;
		break;
	}
	case FH_FD_DEV_NULL:
		p->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		p->memfd = 0;
		break;
	default: { /* FH_FD_SMALL: zeros, as a state or as too little memory */
		uint16_t bytes = g16(in);
		p->fd = memfd_of(NULL, bytes);
		p->bytes = bytes;
		break;
	}
	}
	if (p->fd < 0)
		die("cannot make an fd to pass");
	return k;
}

/* A RESTORE and its fds, as the input says (fuzz_host.h): OUT *m, p[];
 * returns how many fds. */
static unsigned restore_from_input(struct in *in, struct vhost_msg *m, struct passed *p)
{
	uint8_t form = g8(in);
	memset(m, 0, sizeof *m);
	m->magic = VHOST_MAGIC;
	m->kind = VHOST_RESTORE;
	m->value = (form & FH_RESTORE_RAW_VERSION) ? g32(in) : VHOST_WIRE_VERSION;
	uint64_t memory = 0;
	if (form & FH_RESTORE_MEMORY_64)
		memory = g64(in);
	else if (form & FH_RESTORE_MEMORY_16)
		memory = (uint64_t)g16(in) % FH_MAX_MEMORY + 1u;
	m->offset = g8(in); /* pending vectors: the host keeps those that exist */
	unsigned n = g8(in) % (FH_RESTORE_MAX_FDS + 1u);
	const struct saved_state *named = NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct saved_state *k = make_passed(in, &p[i]);
		if (named == NULL)
			named = k;
	}
	/* as a VMM asks: the memory its guest had where it was saved */
	if (!(form & (FH_RESTORE_MEMORY_64 | FH_RESTORE_MEMORY_16)))
		memory = named ? named->memory_bytes : VRDMA_PAGE_BYTES;
	m->memory_bytes = memory;
	return n;
}

/* Send a RESTORE with fds, and check what the host did with it. */
static void send_restore(struct slot *s, struct in *in)
{
	struct vhost_msg m;
	struct passed p[FH_RESTORE_MAX_FDS];
	int fds[FH_RESTORE_MAX_FDS];
	unsigned n = restore_from_input(in, &m, p);
	for (unsigned i = 0; i < n; i++)
		fds[i] = p[i].fd;
	DEBUG("  RESTORE version %u memory %llu pending %#x, %u fds\n", m.value, (unsigned long long)m.memory_bytes,
	      m.offset, n);
	int rc = send_raw(s, &m, sizeof m, fds, n);
	close_fds(fds, (int)n);
	if (rc != 0)
		die("a connection the model thinks alive is gone");
	pump();
	if (s->state == S_NEW)
		expect_restore_outcome(s, &m, p, n);
	else
		expect_closed(s, 0); /* fds past NEW, or a RESTORE out of order */
}

/* ---- a hostile device set up as a driver sets it up (A_SETUP) ---- */

/* Its guest pages: DSR, command slots, event rings with their one-table
 * directories, a registered region of one page. */
enum {
	SP_DSR, SP_REQUEST, SP_RESPONSE,
	SP_ASYNC_DIR, SP_ASYNC_TABLE, SP_ASYNC,       /* 2 pages */
	SP_NOTIFY_DIR = 7, SP_NOTIFY_TABLE, SP_NOTIFY, /* 2 pages */
	SP_MR_DIR = 11, SP_MR_TABLE, SP_REGION,
	SP_PAGES
};
#define SETUP_WAIT_MS 1000 /* for vector 0; the setup is best effort, not a check */

static uint8_t *setup_page(struct slot *s, unsigned page)
{
	return s->memory + (size_t)page * VRDMA_PAGE_BYTES;
}

/* A one-table directory at DIR listing N pages from FIRST. */
static void setup_directory(struct slot *s, unsigned dir, unsigned first, unsigned n)
{
	uint64_t d = (uint64_t)(dir + 1) * VRDMA_PAGE_BYTES;
	memset(setup_page(s, dir), 0, 2 * VRDMA_PAGE_BYTES);
	memcpy(setup_page(s, dir), &d, sizeof d);
	for (unsigned i = 0; i < n; i++) {
		uint64_t gpa = (uint64_t)(first + i) * VRDMA_PAGE_BYTES;
		memcpy(setup_page(s, dir + 1) + i * sizeof gpa, &gpa, sizeof gpa);
	}
}

static void setup_register(struct slot *s, uint32_t offset, uint32_t value)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_WRITE_REG, .offset = offset, .value = value };
	send_record(s, &m);
}

/* A register write that the device answers on vector 0: 0 when it did. */
static int setup_kick(struct slot *s, uint32_t offset, uint32_t value)
{
	uint64_t count;
	while (recv(s->irq_fd[VRDMA_VECTOR_COMMAND], &count, sizeof count, MSG_DONTWAIT) > 0)
		; /* earlier interrupts are not this answer */
	setup_register(s, offset, value);
	struct pollfd p = { .fd = s->irq_fd[VRDMA_VECTOR_COMMAND], .events = POLLIN };
	if (poll(&p, 1, SETUP_WAIT_MS) != 1)
		return -1;
	return recv(p.fd, &count, sizeof count, MSG_DONTWAIT) > 0 ? 0 : -1;
}

/* One command through the slots: its response's err, or EIO. */
static int setup_command(struct slot *s, union vrdma_request *req, uint32_t command, union vrdma_response *resp)
{
	static uint64_t token;
	req->hdr.command = command;
	req->hdr.token = ++token;
	memcpy(setup_page(s, SP_REQUEST), req, sizeof *req);
	memset(setup_page(s, SP_RESPONSE), 0, VRDMA_PAGE_BYTES);
	if (setup_kick(s, VRDMA_REG_REQUEST, 1) != 0)
		return EIO;
	memcpy(resp, setup_page(s, SP_RESPONSE), sizeof *resp);
	if (resp->hdr.token != req->hdr.token || resp->hdr.ack != (command | VRDMA_RESPONSE_ACK))
		return EIO;
	return (int)resp->hdr.err;
}

/* What a saved state holds when its guest has objects: an active device
 * with event rings, a PD, a region (whose key the host must give back to
 * the same guest when it resumes it).  Best effort: a device the input
 * left in any state may refuse. */
static void setup_device(struct slot *s)
{
	if (s->state != S_ATTACHED || s->memory_bytes < SP_PAGES * VRDMA_PAGE_BYTES ||
	    s->irq_fd[VRDMA_VECTOR_COMMAND] < 0)
		return;
	s->touched = 1;
	setup_register(s, VRDMA_REG_IMR, 0);
	if (setup_kick(s, VRDMA_REG_CTL, VRDMA_CTL_RESET) != 0)
		return;
	memset(s->memory, 0, SP_PAGES * VRDMA_PAGE_BYTES);
	struct vrdma_dsr dsr;
	memset(&dsr, 0, sizeof dsr);
	dsr.driver_version = VRDMA_ABI_VERSION;
	dsr.request_slot_gpa = (uint64_t)SP_REQUEST * VRDMA_PAGE_BYTES;
	dsr.response_slot_gpa = (uint64_t)SP_RESPONSE * VRDMA_PAGE_BYTES;
	dsr.async_ring = (struct vrdma_pdir_ref){ .dir_gpa = (uint64_t)SP_ASYNC_DIR * VRDMA_PAGE_BYTES, .page_count = 2 };
	dsr.notify_ring = (struct vrdma_pdir_ref){ .dir_gpa = (uint64_t)SP_NOTIFY_DIR * VRDMA_PAGE_BYTES, .page_count = 2 };
	memcpy(setup_page(s, SP_DSR), &dsr, sizeof dsr);
	setup_directory(s, SP_ASYNC_DIR, SP_ASYNC, 2);
	setup_directory(s, SP_NOTIFY_DIR, SP_NOTIFY, 2);
	setup_register(s, VRDMA_REG_DSR_LOW, (uint32_t)(SP_DSR * VRDMA_PAGE_BYTES));
	setup_register(s, VRDMA_REG_DSR_HIGH, 0);
	if (setup_kick(s, VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE) != 0)
		return;
	union vrdma_request req;
	union vrdma_response resp;
	memset(&req, 0, sizeof req);
	int rc = setup_command(s, &req, VRDMA_CMD_CREATE_PD, &resp);
	DEBUG("  CREATE_PD: %d\n", rc);
	if (rc != 0)
		return;
	uint32_t pd = resp.create_pd.pd_handle;
	setup_directory(s, SP_MR_DIR, SP_REGION, 1);
	memset(&req, 0, sizeof req);
	req.create_mr.iova = (uint64_t)SP_REGION * VRDMA_PAGE_BYTES;
	req.create_mr.length_bytes = VRDMA_PAGE_BYTES;
	req.create_mr.pd_handle = pd;
	req.create_mr.access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	req.create_mr.pages = (struct vrdma_pdir_ref){ .dir_gpa = (uint64_t)SP_MR_DIR * VRDMA_PAGE_BYTES, .page_count = 1 };
	rc = setup_command(s, &req, VRDMA_CMD_CREATE_MR, &resp);
	DEBUG("  CREATE_MR: %d\n", rc);
}

/* ---- actions ---- */

/* A slot whose guest holds a VM's memory, doorbells and lines: attached,
 * or saved (stopped, but a hostile VMM may still touch them). */
static int has_device(const struct slot *s)
{
	return s->state == S_ATTACHED || s->state == S_SAVED;
}

static struct slot *pick_slot(struct in *in)
{
	return &fh.slots[g8(in) % FH_SLOTS];
}

static void act(struct in *in)
{
	size_t byte = (size_t)(in->p - fh.input);
	uint8_t op = g8(in) % A_COUNT;
	struct slot *s = pick_slot(in);
	DEBUG("action %u at byte %zu on slot %ld (state %d)\n", op, byte, (long)(s - fh.slots), s->state);
	if (op == A_CONNECT) {
		unsigned n = g8(in) % 8u + 1u;
		for (unsigned i = 0; i < n; i++) {
			struct slot *t = &fh.slots[(s - fh.slots + i) % FH_SLOTS];
			if (t->state == S_EMPTY)
				connect_slot(t);
		}
		return;
	}
	if (op == A_HONEST) {
		honest_run(honest_round_trip);
		return;
	}
	if (s->state == S_EMPTY)
		connect_slot(s);
	if (s->state == S_EMPTY)
		return;
	struct vhost_msg m;
	switch (op) {
	case A_HELLO: { /* a well-formed attach */
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_HELLO;
		m.value = VHOST_WIRE_VERSION;
		m.memory_bytes = (uint64_t)g16(in) % FH_MAX_MEMORY + 1u;
		send_record(s, &m);
		break;
	}
	case A_RECORD:
		record_from_input(in, &m);
		send_record(s, &m);
		break;
	case A_WRITE_REG:
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_WRITE_REG;
		m.offset = pick_register(in);
		m.value = g32(in);
		send_record(s, &m);
		break;
	case A_READ_REGS: { /* READ_REGs, all sent before the host serves them */
		unsigned n = g8(in) % 32u + 1u;
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_READ_REG;
		m.offset = pick_register(in);
		if (s->state != S_ATTACHED) {
			send_record(s, &m); /* before HELLO: the end of it */
			break;
		}
		for (unsigned i = 0; i < n; i++) {
			if (i > 0)
				m.offset = pick_register(in);
			if (send_raw(s, &m, sizeof m, NULL, 0) != 0)
				die("a connection the model thinks alive is gone");
			s->read_offset[s->reads++] = m.offset;
		}
		pump();
		expect_alive(s);
		break;
	}
	case A_BAD_SIZE: { /* a record of another size: 0..255 bytes, or 128 + 1..255 */
		uint8_t form = g8(in);
		size_t bytes = (form & 1) ? sizeof m + (size_t)(form >> 1) + 1u : (size_t)(form >> 1) * 2u;
		if (bytes == sizeof m)
			bytes = 0;
		uint8_t buf[sizeof m + 128];
		record_from_input(in, &m);
		memset(buf, g8(in), sizeof buf);
		memcpy(buf, &m, bytes < sizeof m ? bytes : sizeof m);
		DEBUG("  %zu bytes\n", bytes);
		if (send_raw(s, buf, bytes, NULL, 0) != 0)
			die("a connection the model thinks alive is gone");
		pump();
		expect_closed(s, 0);
		break;
	}
	case A_FDS: { /* a record carrying fds: eventfds, or the guest's own */
		unsigned n = g8(in) % FH_MAX_FDS + 1u;
		int fds[FH_MAX_FDS];
		uint8_t which = g8(in);
		for (unsigned i = 0; i < n; i++)
			fds[i] = (which & 1) || s->state != S_ATTACHED ? eventfd(0, EFD_CLOEXEC)
								     : dup((which & 2) ? s->memory_fd : s->fd);
		record_from_input(in, &m);
		int rc = send_raw(s, &m, sizeof m, fds, n);
		close_fds(fds, (int)n);
		if (rc != 0)
			die("a connection the model thinks alive is gone");
		pump();
		/* the one record that may carry fds: eventfds are no memfds, so a
		 * NEW connection's RESTORE is refused (unless the fds overflow) */
		if (s->state == S_NEW && m.magic == VHOST_MAGIC && m.kind == VHOST_RESTORE && n <= FH_HOST_MAX_FDS)
			expect_refused(s);
		else
			expect_closed(s, 0);
		break;
	}
	case A_DOORBELLS: { /* scribble on the doorbell page, kick or not */
		if (!has_device(s))
			break;
		unsigned n = g8(in) % 8u + 1u;
		_Atomic uint64_t *words = (_Atomic uint64_t *)(void *)s->bells;
		for (unsigned i = 0; i < n; i++) {
			uint8_t w = g8(in);
			uint64_t v = g64(in);
			if (w & 0x80) /* a doorbell as a guest rings it */
				vdb_ring(s->bells, (w & 1) ? VRDMA_UAR_CQ : VRDMA_UAR_QP, (uint32_t)v);
			else
				atomic_store(&words[w % (3u * VRDMA_DOORBELL_WORDS + 1u)], v);
		}
		uint64_t kick = g8(in);
		if (kick != 0 && s->kick_fd >= 0) {
			ssize_t k = write(s->kick_fd, &kick, sizeof k);
			/* EAGAIN after A_KICK filled the counter: the host never reads it */
			if (k != sizeof kick && !(k < 0 && errno == EAGAIN))
				die("cannot kick the backend");
		}
		break;
	}
	case A_KICK: { /* any value into the kick eventfd, any number of times */
		if (!has_device(s) || s->kick_fd < 0)
			break;
		uint64_t v = g64(in);
		unsigned n = g8(in) % 4u + 1u;
		for (unsigned i = 0; i < n; i++) {
			ssize_t w = write(s->kick_fd, &v, sizeof v);
			(void)w; /* UINT64_MAX is refused, a full counter would block: EAGAIN */
		}
		break;
	}
	case A_MEMORY: { /* write guest memory: a DSR, a request, anything */
		if (!has_device(s))
			break;
		uint32_t at = g32(in) % (uint32_t)s->memory_bytes;
		unsigned n = g8(in) % 64u;
		for (unsigned i = 0; i < n && at + i < s->memory_bytes; i++)
			s->memory[at + i] = g8(in);
		break;
	}
	case A_HANG_UP: /* the guest process dies */
		close(s->fd);
		s->fd = -1;
		release(s);
		pump();
		break;
	case A_SHUT_WR: /* says no more, still listens */
		shutdown(s->fd, SHUT_WR);
		pump();
		expect_closed(s, 0);
		break;
	case A_CLOSE_LINES: { /* the guest closes (or drains) its interrupt lines and kick */
		if (!has_device(s))
			break;
		uint8_t which = g8(in);
		for (int v = 0; v < VRDMA_VECTOR_COUNT; v++) {
			if (s->irq_fd[v] < 0 || !(which & (1u << v)))
				continue;
			if (which & 0x80) {
				uint64_t x;
				while (recv(s->irq_fd[v], &x, sizeof x, MSG_DONTWAIT) > 0)
					;
			} else {
				close(s->irq_fd[v]);
				s->irq_fd[v] = -1;
			}
		}
		if ((which & 0x08) && !(which & 0x80)) {
			close(s->kick_fd);
			s->kick_fd = -1;
		}
		break;
	}
	case A_BURST: { /* many WRITE_REGs at once: more than a wake-up takes */
		unsigned n = g8(in) % 64u + 1u;
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_WRITE_REG;
		m.offset = pick_register(in);
		m.value = g32(in);
		if (s->state != S_ATTACHED)
			break;
		s->touched = 1;
		for (unsigned i = 0; i < n; i++)
			if (send_raw(s, &m, sizeof m, NULL, 0) != 0)
				die("a connection the model thinks alive is gone");
		pump();
		expect_alive(s);
		break;
	}
	case A_ACTIVATE: { /* DSR at a GPA of the input, then ACTIVATE or RESET */
		uint64_t dsr = (uint64_t)g8(in) * VRDMA_PAGE_BYTES;
		uint32_t ctl = (g8(in) & 1) ? VRDMA_CTL_RESET : VRDMA_CTL_ACTIVATE;
		if (s->state != S_ATTACHED)
			break;
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_WRITE_REG;
		m.offset = VRDMA_REG_DSR_LOW;
		m.value = (uint32_t)dsr;
		send_record(s, &m);
		m.offset = VRDMA_REG_DSR_HIGH;
		m.value = (uint32_t)(dsr >> 32);
		send_record(s, &m);
		m.offset = VRDMA_REG_CTL;
		m.value = ctl;
		send_record(s, &m);
		break;
	}
	case A_FLOOD: { /* a guest that does not read its answers is gone, or gets them all */
		unsigned n = 256u + 8u * g8(in), sent = 0;
		if (s->state != S_ATTACHED)
			break;
		take_answers(s);
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_READ_REG;
		m.offset = VRDMA_REG_VERSION;
		while (sent < n && send_raw(s, &m, sizeof m, NULL, 0) == 0)
			sent++;
		pump();
		for (unsigned got = 0;; got++) {
			struct vhost_msg a;
			int fds[VHOST_WELCOME_FDS], nfds;
			ssize_t r = receive(s->fd, &a, fds, &nfds);
			close_fds(fds, nfds);
			if (r == 0) { /* dropped: it did not read */
				DEBUG("  dropped after %u of %u answers\n", got, sent);
				release(s);
				break;
			}
			if (r < 0) {
				if (got != sent)
					die("a flood of READ_REGs half answered, and the connection alive");
				break;
			}
			if (r != (ssize_t)sizeof a || a.magic != VHOST_MAGIC || a.kind != VHOST_REG_VALUE ||
			    a.offset != VRDMA_REG_VERSION || a.value != VRDMA_ABI_VERSION || got >= sent)
				die("a flood of READ_REGs answered wrongly");
		}
		break;
	}
	case A_SAVE: { /* READ_REGs, then SAVE: their answers come before SAVED */
		unsigned n = g8(in) % 4u;
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_READ_REG;
		for (unsigned i = 0; i < n; i++) {
			m.offset = pick_register(in);
			if (s->state != S_ATTACHED)
				continue;
			if (send_raw(s, &m, sizeof m, NULL, 0) != 0)
				die("a connection the model thinks alive is gone");
			s->read_offset[s->reads++] = m.offset;
		}
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_SAVE;
		send_record(s, &m);
		break;
	}
	case A_RESUME: /* the move failed: back to the source */
		memset(&m, 0, sizeof m);
		m.magic = VHOST_MAGIC;
		m.kind = VHOST_RESUME;
		m.offset = g8(in); /* pending vectors */
		send_record(s, &m);
		break;
	case A_RESTORE:
		send_restore(s, in);
		break;
	case A_SETUP:
		setup_device(s);
		break;
	default:
		break;
	}
	check_guest_count();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	fh.input = data;
	for (unsigned i = 0; i < FH_MAX_ACTIONS && in.n > 0; i++)
		act(&in);
	/* every hostile guest goes; the host is as it was */
	for (unsigned i = 0; i < FH_SLOTS; i++)
		if (fh.slots[i].state != S_EMPTY) {
			close(fh.slots[i].fd);
			fh.slots[i].fd = -1;
			release(&fh.slots[i]);
		}
	pump();
	check_guest_count();
	forget_states();
	honest_run(honest_round_trip);
	return 0;
}
