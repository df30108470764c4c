/*
 * vrdma/host/server.c -- vrdma-host's connections: accept, HELLO, register
 * exits, hang-ups.  See server.h.
 *
 * A connection is NEW until its HELLO (or a moving guest's RESTORE), then
 * ATTACHED to its VM until it ends; a SAVE makes it SAVED, its VM stopped
 * and kept until it hangs up or asks to RESUME here.  Everything a guest
 * sends is checked here before the device sees it: the record's size and
 * kind, the order, no fds except RESTORE's two memfds.  A register write is
 * the VM exit QEMU's device model would take in user space: it goes to the
 * backend's trap handler (vdev_write_register) on this thread.
 */
#include "vrdma/host/server.h"
#include "vrdma/host/state_file.h"
#include "vrdma/host/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EPOLL_BATCH 64
#define TICK_MS 100                /* how often NEW connections' deadlines are checked */
#define LISTEN_MARK ((void *)1)
#define STOP_MARK ((void *)2)
#define MAX_PASSED_FDS 16          /* fds taken from one record; more end the connection */
#define CONTROL_SPACE CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)

enum conn_state { CONN_NEW, CONN_ATTACHED, CONN_SAVED };

struct conn {
	int fd;
	enum conn_state state;
	uint64_t deadline_ns;      /* NEW: closed when still silent by then */
	pid_t pid;                 /* the peer's, for the log */
	struct vrdma_vm *vm;       /* ATTACHED, SAVED */
	uint8_t *saved;            /* SAVED: the state saved here, for a RESUME */
	size_t saved_bytes;
	struct conn *next;
};

struct vhost {
	struct vhost_config config;
	struct vbackend *backend;
	int listen_fd, epoll_fd;
	struct conn *conns;
	unsigned attached, unattached;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void log_line(struct vhost *h, const struct conn *c, const char *what, const char *why)
{
	if (h->config.log == NULL)
		return;
	fprintf(h->config.log, "vrdma-host: pid %ld: %s%s%s\n", (long)c->pid, what, why ? ": " : "",
		why ? why : "");
	fflush(h->config.log);
}

/* ---- the listening socket ---- */

static int fill_address(const char *path, struct sockaddr_un *a, char *err, size_t err_bytes)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof a->sun_path) {
		snprintf(err, err_bytes, "--socket: found '%s', expected a path of 1..%zu bytes",
			 path ? path : "", sizeof a->sun_path - 1);
		return EINVAL;
	}
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

/* A socket file whose server is gone is replaced; a live one is not. */
static int clear_stale_socket(const struct sockaddr_un *a, char *err, size_t err_bytes)
{
	struct stat st;
	if (lstat(a->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, err_bytes, "--socket: %s exists and is not a socket", a->sun_path);
		return EEXIST;
	}
	int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int live = probe >= 0 && connect(probe, (const struct sockaddr *)a, sizeof *a) == 0;
	if (probe >= 0)
		close(probe);
	if (live) {
		snprintf(err, err_bytes, "--socket: another vrdma-host listens on %s", a->sun_path);
		return EADDRINUSE;
	}
	unlink(a->sun_path);
	return 0;
}

static int listen_on(struct vhost *h, char *err, size_t err_bytes)
{
	struct sockaddr_un a;
	int rc = fill_address(h->config.socket_path, &a, err, err_bytes);
	if (rc == 0)
		rc = clear_stale_socket(&a, err, err_bytes);
	if (rc != 0)
		return rc;
	h->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old = umask(0177); /* 0600: only this user's processes become guests */
	if (h->listen_fd < 0 || bind(h->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(h->listen_fd, 64) != 0)
		rc = errno;
	umask(old);
	if (rc != 0)
		snprintf(err, err_bytes, "--socket: cannot listen on %s: %s", a.sun_path, strerror(rc));
	return rc;
}

static int watch(int epoll_fd, int fd, void *mark)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = mark };
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

int vhost_open(const struct vhost_config *config, struct vbackend *backend, struct vhost **out,
	       char *err, size_t err_bytes)
{
	if (config->max_guests < 1 || config->max_guests > VBACKEND_MAX_GUESTS) {
		snprintf(err, err_bytes, "--guests: found %u, expected 1..%u", config->max_guests,
			 VBACKEND_MAX_GUESTS);
		return EINVAL;
	}
	struct vhost *h = calloc(1, sizeof *h);
	if (h == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return ENOMEM;
	}
	h->config = *config;
	h->backend = backend;
	h->listen_fd = -1;
	h->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	int rc = h->epoll_fd < 0 ? errno : listen_on(h, err, err_bytes);
	if (rc == 0 && (rc = watch(h->epoll_fd, h->listen_fd, LISTEN_MARK)) != 0)
		snprintf(err, err_bytes, "epoll: %s", strerror(rc));
	if (rc != 0) {
		if (h->listen_fd >= 0)
			close(h->listen_fd);
		if (h->epoll_fd >= 0)
			close(h->epoll_fd);
		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

/* ---- connections ---- */

static void drop(struct vhost *h, struct conn *c, const char *why)
{
	epoll_ctl(h->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	free(c->saved);
	c->saved = NULL;
	if (c->state != CONN_NEW) {
		vbackend_destroy_vm(h->backend, c->vm);
		h->attached--;
		log_line(h, c, "detached", why);
	} else {
		h->unattached--;
		log_line(h, c, "closed before attaching", why);
	}
	c->vm = NULL;
}

static int send_record(int fd, const struct vhost_msg *m, const int *fds, int fd_count)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof *m };
	union {
		struct cmsghdr align;
		char bytes[CONTROL_SPACE];
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd_count > 0) {
		memset(&control, 0, sizeof control);
		msg.msg_control = control.bytes;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)fd_count);
	}
	/* never wait for a guest: one that does not read its answers is gone */
	ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	return n == (ssize_t)sizeof *m ? 0 : -1;
}

static void refuse(struct vhost *h, struct conn *c, int err, const char *why)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_WELCOME, .err = err };
	snprintf(m.why, sizeof m.why, "%s", why);
	send_record(c->fd, &m, NULL, 0);
	drop(h, c, why);
}

/* A guest that is now VM's: send it the VM's fds. */
static void welcome(struct vhost *h, struct conn *c, struct vrdma_vm *vm, const struct vbackend_remote *r,
		    const char *what)
{
	char why[160];
	int fds[VHOST_WELCOME_FDS] = { [VHOST_FD_MEMORY] = r->memory_fd, [VHOST_FD_DOORBELLS] = r->doorbells_fd,
				       [VHOST_FD_KICK] = r->kick_fd };
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		fds[VHOST_FD_IRQ + v] = r->irq_fd[v];
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_WELCOME, .memory_bytes = r->memory_bytes,
			       .guest_id = vm->guest_id, .host_id = vbackend_host_id(h->backend) };
	c->state = CONN_ATTACHED;
	c->vm = vm;
	snprintf(why, sizeof why, "guest %u, %llu bytes", vm->guest_id, (unsigned long long)r->memory_bytes);
	log_line(h, c, what, why);
	if (send_record(c->fd, &m, fds, VHOST_WELCOME_FDS) != 0)
		drop(h, c, "cannot send the welcome");
}

/* What HELLO and RESTORE both ask: a version this host speaks, a memory
 * size it grants, a free place.  0, or the connection was refused. */
static int admit(struct vhost *h, struct conn *c, const struct vhost_msg *in)
{
	char why[160];
	if (in->value != VHOST_WIRE_VERSION) {
		snprintf(why, sizeof why, "found wire version %u, expected %u", in->value, VHOST_WIRE_VERSION);
		refuse(h, c, EPROTO, why);
		return -1;
	}
	if (in->memory_bytes == 0 || in->memory_bytes > h->config.max_memory_bytes) {
		snprintf(why, sizeof why, "asked for %llu bytes of guest memory, expected 1..%llu",
			 (unsigned long long)in->memory_bytes, (unsigned long long)h->config.max_memory_bytes);
		refuse(h, c, EINVAL, why);
		return -1;
	}
	if (h->attached >= h->config.max_guests) {
		snprintf(why, sizeof why, "this host already runs %u guests (--guests)", h->attached);
		refuse(h, c, ENOSPC, why);
		return -1;
	}
	return 0;
}

static void hello(struct vhost *h, struct conn *c, const struct vhost_msg *in)
{
	char why[160];
	if (admit(h, c, in) != 0)
		return;
	struct vbackend_remote r;
	struct vrdma_vm *vm = NULL;
	int rc = vbackend_create_remote_vm(h->backend, in->memory_bytes, &vm, &r, why, sizeof why);
	if (rc != 0) {
		refuse(h, c, rc, why);
		return;
	}
	h->unattached--;
	h->attached++;
	welcome(h, c, vm, &r, "attached");
}

/* ---- a moving guest (wire.h: SAVE, RESTORE, RESUME) ---- */

/* The vectors RESTORE or RESUME names as owed (bits beyond them ignored). */
static unsigned pending_vectors(const struct vhost_msg *in)
{
	return in->offset & ((1u << VRDMA_VECTOR_COUNT) - 1);
}

static void saved_reply(struct conn *c, int err, const char *why, const struct vbackend_migration *saved,
			int state_fd)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_SAVED, .err = err };
	if (saved) {
		m.memory_bytes = saved->state_bytes;
		m.value = saved->sends_in_flight;
		m.offset = saved->recvs_posted;
		m.cqes_unpolled = saved->cqes_unpolled;
	}
	if (why)
		snprintf(m.why, sizeof m.why, "%.*s", (int)sizeof m.why - 1, why);
	send_record(c->fd, &m, state_fd >= 0 ? &state_fd : NULL, state_fd >= 0 ? 1 : 0);
}

/* The guest's VMM stopped it to move it: quiesce and save its device.  A
 * save that fails leaves the VM running here (vbackend_save_vm). */
static void save(struct vhost *h, struct conn *c)
{
	char why[160];
	uint8_t *state = NULL;
	size_t bytes = 0;
	int fd = -1;
	struct vbackend_migration saved;
	int rc = vbackend_save_vm(h->backend, c->vm, &state, &bytes, &saved, why, sizeof why);
	if (rc == 0 && vhost_state_to_memfd(state, bytes, &fd, why, sizeof why) != 0) {
		/* the host is out of memory: the device is stopped and its state
		 * cannot leave; it would resume here only into the same shortage */
		free(state);
		drop(h, c, "its saved state cannot be handed over (out of memory): the VM ends");
		return;
	}
	if (rc != 0) {
		saved_reply(c, rc, why, NULL, -1);
		log_line(h, c, "could not save", why);
		return;
	}
	c->state = CONN_SAVED;
	c->saved = state;
	c->saved_bytes = bytes;
	snprintf(why, sizeof why, "guest %u, %zu bytes of state", c->vm->guest_id, bytes);
	log_line(h, c, "saved for a move", why);
	saved_reply(c, 0, NULL, &saved, fd);
	close(fd);
}

/* A guest moving here: its state and memory, both memfds, checked as any
 * guest input before the backend restores them (which checks the state
 * itself, object by object). */
static void restore(struct vhost *h, struct conn *c, const struct vhost_msg *in, const int *fds, int fd_count)
{
	char why[160];
	if (fd_count != VHOST_RESTORE_FDS) {
		snprintf(why, sizeof why, "RESTORE: found %d file descriptors, expected %d (state, memory)", fd_count,
			 VHOST_RESTORE_FDS);
		refuse(h, c, EINVAL, why);
		return;
	}
	if (admit(h, c, in) != 0)
		return;
	uint8_t *state = NULL;
	size_t bytes = 0;
	int rc = vhost_state_from_memfd(fds[VHOST_RESTORE_FD_STATE], VHOST_MAX_STATE_BYTES, &state, &bytes, why,
					sizeof why);
	if (rc == 0)
		rc = vhost_check_memory_file(fds[VHOST_RESTORE_FD_MEMORY], in->memory_bytes, why, sizeof why);
	struct vbackend_remote r;
	struct vrdma_vm *vm = NULL;
	if (rc == 0)
		rc = vbackend_restore_remote_vm(h->backend, state, bytes, fds[VHOST_RESTORE_FD_MEMORY], in->memory_bytes,
						pending_vectors(in), &vm, &r, NULL, why,
						sizeof why);
	free(state);
	if (rc != 0) {
		refuse(h, c, rc, why);
		return;
	}
	h->unattached--;
	h->attached++;
	welcome(h, c, vm, &r, "restored a moving guest");
}

/* The move failed at the destination: the guest resumes here, from the
 * state saved here and its memory as it is here.  The stopped VM goes
 * first: its regions hold their keys on the HCA (and its objects their
 * charges) until then, and the restored regions take the same keys.  A
 * refused resume ends the connection, and the VM with it, anyway; the
 * guest's memory outlives the VM in a dup of its memfd. */
static void resume(struct vhost *h, struct conn *c, const struct vhost_msg *in)
{
	char why[160];
	uint64_t memory_bytes = c->vm->memory.bytes;
	int memory_fd = dup(c->vm->memory.fd);
	if (memory_fd < 0) {
		int e = errno;
		snprintf(why, sizeof why, "cannot keep the guest's memory: %s", strerror(e));
		refuse(h, c, e, why);
		return;
	}
	vbackend_destroy_vm(h->backend, c->vm);
	c->vm = NULL; /* a refusal's drop finds no VM left to destroy */
	struct vbackend_remote r;
	struct vrdma_vm *vm = NULL;
	int rc = vbackend_restore_remote_vm(h->backend, c->saved, c->saved_bytes, memory_fd, memory_bytes,
					    pending_vectors(in), &vm, &r, NULL, why,
					    sizeof why);
	close(memory_fd);
	free(c->saved);
	c->saved = NULL;
	if (rc != 0) {
		refuse(h, c, rc, why);
		return;
	}
	welcome(h, c, vm, &r, "resumed after a failed move");
}

static void register_read(struct vhost *h, struct conn *c, uint32_t offset)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_REG_VALUE, .offset = offset,
			       .value = vdev_read_register(c->vm->device, offset) };
	if (send_record(c->fd, &m, NULL, 0) != 0)
		drop(h, c, "does not read its register values");
}

/* One record, with the fds it carried (closed by the caller).  Returns 0
 * to go on, -1 when the connection was dropped. */
static int take_record(struct vhost *h, struct conn *c, const struct vhost_msg *m, const int *fds, int fd_count)
{
	if (m->magic != VHOST_MAGIC) {
		drop(h, c, "a record without the magic number");
		return -1;
	}
	if (fd_count > 0 && !(c->state == CONN_NEW && m->kind == VHOST_RESTORE)) {
		drop(h, c, "sent file descriptors");
		return -1;
	}
	if (c->state == CONN_NEW && m->kind == VHOST_HELLO) {
		hello(h, c, m);
	} else if (c->state == CONN_NEW && m->kind == VHOST_RESTORE) {
		restore(h, c, m, fds, fd_count);
	} else if (c->state == CONN_ATTACHED && m->kind == VHOST_WRITE_REG) {
		vdev_write_register(c->vm->device, m->offset, m->value);
		return 0;
	} else if (c->state == CONN_ATTACHED && m->kind == VHOST_READ_REG) {
		register_read(h, c, m->offset);
	} else if (c->state == CONN_ATTACHED && m->kind == VHOST_SAVE) {
		save(h, c);
	} else if (c->state == CONN_SAVED && m->kind == VHOST_RESUME) {
		resume(h, c, m);
	} else {
		drop(h, c, c->state == CONN_NEW     ? "spoke before HELLO"
			   : c->state == CONN_SAVED ? "spoke while saved for a move"
						    : "a record of an unknown kind");
		return -1;
	}
	return c->fd < 0 ? -1 : 0;
}

/* The fds a record carried, in OUT fds[] (*count of them, at most
 * MAX_PASSED_FDS; any beyond are closed).  1 when the record's control
 * data was cut short or was not only SCM_RIGHTS: the connection ends. */
static int take_passed_fds(struct msghdr *msg, int *fds, int *count)
{
	int bad = (msg->msg_flags & MSG_CTRUNC) != 0;
	*count = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
			if (*count < MAX_PASSED_FDS)
				fds[(*count)++] = fd;
			else
				close(fd), bad = 1;
		}
	}
	return bad;
}

static void close_fds(const int *fds, int count)
{
	for (int i = 0; i < count; i++)
		close(fds[i]);
}

static void serve_connection(struct vhost *h, struct conn *c)
{
	for (unsigned i = 0; i < VHOST_MSGS_PER_WAKE && c->fd >= 0; i++) {
		struct vhost_msg m;
		char extra;
		struct iovec iov[2] = { { &m, sizeof m }, { &extra, 1 } };
		union {
			struct cmsghdr align;
			char bytes[CONTROL_SPACE];
		} control;
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = control.bytes,
				      .msg_controllen = sizeof control.bytes };
		ssize_t n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		int fds[MAX_PASSED_FDS], fd_count = 0;
		int bad_control = n > 0 && take_passed_fds(&msg, fds, &fd_count);
		int rc = 0;
		if (n <= 0)
			drop(h, c, n == 0 ? "hung up" : strerror(errno));
		else if (bad_control)
			drop(h, c, "sent file descriptors");
		else if (n != (ssize_t)sizeof m || (msg.msg_flags & MSG_TRUNC))
			drop(h, c, "a record of the wrong size");
		else
			rc = take_record(h, c, &m, fds, fd_count);
		close_fds(fds, fd_count);
		if (n <= 0 || bad_control || rc != 0 || c->fd < 0)
			return;
	}
}

/* The connection waiting longest for its HELLO. */
static struct conn *oldest_unattached(struct vhost *h)
{
	struct conn *oldest = NULL;
	for (struct conn *c = h->conns; c != NULL; c = c->next)
		if (c->fd >= 0 && c->state == CONN_NEW && (oldest == NULL || c->deadline_ns < oldest->deadline_ns))
			oldest = c;
	return oldest;
}

/* Accept one connection and read its HELLO at once: a guest sends it
 * right after connecting, so it is usually there, and the guest attaches
 * before anyone else can crowd it out.  Silent ones wait, at most
 * VHOST_MAX_UNATTACHED of them; beyond, the oldest is closed, so a flood
 * of connections delays a real guest's attach only as long as its HELLO
 * is not yet written. */
static int take_connection(struct vhost *h)
{
	int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL || watch(h->epoll_fd, fd, c) != 0) {
		free(c);
		close(fd);
		return 0;
	}
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		c->pid = cred.pid;
	c->fd = fd;
	c->state = CONN_NEW;
	c->deadline_ns = now_ns() + (uint64_t)h->config.hello_timeout_ms * 1000000u;
	c->next = h->conns;
	h->conns = c;
	h->unattached++;
	serve_connection(h, c);
	struct conn *oldest = h->unattached > VHOST_MAX_UNATTACHED ? oldest_unattached(h) : NULL;
	if (oldest != NULL)
		drop(h, oldest, "crowded out by newer connections before its HELLO");
	return 0;
}

static void expire_silent(struct vhost *h)
{
	uint64_t now = now_ns();
	for (struct conn *c = h->conns; c != NULL; c = c->next)
		if (c->fd >= 0 && c->state == CONN_NEW && now >= c->deadline_ns)
			drop(h, c, "said no HELLO in time");
}

static void free_dropped(struct vhost *h)
{
	struct conn **link = &h->conns;
	while (*link != NULL) {
		struct conn *c = *link;
		if (c->fd < 0) {
			*link = c->next;
			free(c);
		} else {
			link = &c->next;
		}
	}
}

/* One wake-up: wait up to timeout_ms for events and serve them.  Returns
 * 1 when stop_fd (>= 0, watched) became readable, 0 to go on, or -1 with
 * errno.  OUT: *served, the events taken. */
static int serve_wake(struct vhost *h, int stop_fd, int timeout_ms, int *served)
{
	struct epoll_event events[EPOLL_BATCH];
	int n = epoll_wait(h->epoll_fd, events, EPOLL_BATCH, timeout_ms);
	*served = n > 0 ? n : 0;
	if (n < 0 && errno != EINTR)
		return -1;
	/* Hang-ups first: a guest that died frees its place before a new
	 * guest in the same batch asks for one. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			void *mark = events[i].data.ptr;
			int hangup = (events[i].events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)) != 0;
			if (mark == STOP_MARK) {
				if (pass == 1) {
					epoll_ctl(h->epoll_fd, EPOLL_CTL_DEL, stop_fd, NULL);
					return 1;
				}
			} else if (mark == LISTEN_MARK) {
				for (unsigned k = 0; pass == 1 && k < VHOST_ACCEPTS_PER_WAKE; k++)
					if (take_connection(h) != 0)
						break;
			} else if (pass == (hangup ? 0 : 1)) {
				struct conn *c = mark;
				if (c->fd >= 0)
					serve_connection(h, c);
			}
		}
	expire_silent(h);
	free_dropped(h);
	return 0;
}

int vhost_run(struct vhost *h, int stop_fd)
{
	int rc = watch(h->epoll_fd, stop_fd, STOP_MARK);
	if (rc != 0)
		return rc;
	for (;;) {
		int served;
		rc = serve_wake(h, stop_fd, TICK_MS, &served);
		if (rc != 0)
			return rc > 0 ? 0 : errno;
	}
}

int vhost_serve_once(struct vhost *h, int timeout_ms)
{
	int served;
	return serve_wake(h, -1, timeout_ms, &served) == 0 ? served : -errno;
}

void vhost_close(struct vhost *h)
{
	if (h == NULL)
		return;
	for (struct conn *c = h->conns; c != NULL; c = c->next)
		if (c->fd >= 0)
			drop(h, c, "the host stops");
	free_dropped(h);
	close(h->listen_fd);
	close(h->epoll_fd);
	unlink(h->config.socket_path);
	free(h);
}

unsigned vhost_guest_count(const struct vhost *h)
{
	return h->attached;
}
