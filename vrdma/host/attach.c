/*
 * vrdma/host/attach.c -- the guest side of a vrdma-host's socket: a remote
 * device model behind struct vdev (vm.h's ops).  See attach.h, wire.h.
 *
 * Register accesses are rare (opening, commands, closing): a record each
 * on the socket, one at a time (a lock), a read waiting for its answer.
 * Doorbells are the data path: a bit in the doorbell page and, once per
 * backend turn, a write to the kick eventfd -- what the in-process trap
 * handler does, so a guest process pays one system call per batch of
 * doorbells, as a KVM guest pays one exit through ioeventfd.
 */
#include "vrdma/host/attach.h"
#include "vrdma/host/remote.h"
#include "vrdma/device/doorbells.h"
#include "vrdma/host/wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int vremote_send_record(int sock, const struct vhost_msg *m)
{
	return vremote_send_with_fds(sock, m, NULL, 0);
}

int vremote_send_with_fds(int sock, const struct vhost_msg *m, const int *fds, int fd_count)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * VHOST_RESTORE_FDS)];
	} control;
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof *m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd_count < 0 || fd_count > VHOST_RESTORE_FDS) {
		errno = EINVAL;
		return -1;
	}
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
	ssize_t n;
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof *m ? 0 : -1;
}

static void remote_write_register(struct vdev *device, uint32_t offset, uint32_t value)
{
	struct vremote *r = (struct vremote *)device;
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_WRITE_REG, .offset = offset, .value = value };
	pthread_mutex_lock(&r->lock);
	vremote_send_record(r->sock, &m);
	pthread_mutex_unlock(&r->lock);
}

/* A register of a host that is gone reads as all ones, as a PCI device's
 * that fell off the bus. */
static uint32_t remote_read_register(struct vdev *device, uint32_t offset)
{
	struct vremote *r = (struct vremote *)device;
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_READ_REG, .offset = offset };
	uint32_t value = UINT32_MAX;
	pthread_mutex_lock(&r->lock);
	if (vremote_send_record(r->sock, &m) == 0) {
		ssize_t n;
		while ((n = recv(r->sock, &m, sizeof m, 0)) < 0 && errno == EINTR)
			;
		if (n == (ssize_t)sizeof m && m.magic == VHOST_MAGIC && m.kind == VHOST_REG_VALUE)
			value = m.value;
	}
	pthread_mutex_unlock(&r->lock);
	return value;
}

/* What a UAR write asks for, as the trap handler's trace names it. */
static enum vtrace_doorbell uar_kind(uint32_t offset, uint32_t value)
{
	uint32_t flags = value & ~VRDMA_UAR_HANDLE_MASK;
	if (offset == VRDMA_UAR_QP)
		return flags == VRDMA_UAR_QP_SEND ? VTRACE_DB_SEND : flags == VRDMA_UAR_QP_RECV ? VTRACE_DB_RECV : VTRACE_DB_INVALID;
	if (offset == VRDMA_UAR_CQ)
		return flags == VRDMA_UAR_CQ_ARM			      ? VTRACE_DB_CQ_ARM
		       : flags == (VRDMA_UAR_CQ_ARM | VRDMA_UAR_CQ_ARM_SOLICITED) ? VTRACE_DB_CQ_ARM_SOLICITED
		       : flags == VRDMA_UAR_CQ_POLL				      ? VTRACE_DB_CQ_POLL
											      : VTRACE_DB_INVALID;
	return VTRACE_DB_INVALID;
}

static void remote_write_uar(struct vdev *device, uint32_t offset, uint32_t value, uint64_t trace_op_id)
{
	struct vremote *r = (struct vremote *)device;
	/* The ring and the kick are this doorbell's exit (an ioeventfd's, in
	 * KVM): the guest's trace records it, as the in-process trap handler
	 * does, since the host process never sees a doorbell one by one. */
	if (r->vm.trace) {
		enum vtrace_doorbell kind = uar_kind(offset, value);
		vtrace_event(r->vm.trace, VTRACE_DOORBELL, VTRACE_ACTOR_TRAP_HANDLER, r->vm.host_id, r->vm.guest_id,
			     value & VRDMA_UAR_HANDLE_MASK, trace_op_id, offset, value, kind,
			     kind == VTRACE_DB_INVALID ? VTRACE_F_ERROR : 0);
	}
	if (vdb_ring(r->bells, offset, value) <= 0)
		return; /* a poll doorbell, or one the device would ignore */
	if (atomic_exchange(&r->bells->rung, 1) != 0)
		return; /* the backend was kicked and has not begun this guest's turn */
	uint64_t one = 1;
	ssize_t n = write(r->kick_fd, &one, sizeof one);
	(void)n;
}

static const struct vdev_ops remote_ops = {
	.write_register = remote_write_register,
	.read_register = remote_read_register,
	.write_uar = remote_write_uar,
};

/* ---- attaching ---- */

int vremote_connect_to(const char *path, char *err, size_t err_bytes)
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof a.sun_path) {
		snprintf(err, err_bytes, "vRDMA host socket '%s': expected a path of 1..%zu bytes",
			 path ? path : "", sizeof a.sun_path - 1);
		errno = EINVAL;
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		snprintf(err, err_bytes, "cannot connect to the vRDMA host at %s: %s", path, strerror(e));
		if (sock >= 0)
			close(sock);
		errno = e;
		return -1;
	}
	struct timeval wait = { .tv_sec = VREMOTE_WELCOME_WAIT_S };
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
	return sock;
}

/* One record and up to MAX_FDS passed fds (OUT fds[], *got: how many came;
 * those beyond MAX_FDS are closed).  The record's size in bytes, or -1. */
ssize_t vremote_receive_with_fds(int sock, struct vhost_msg *m, int *fds, int max_fds, int *got)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int) * VHOST_WELCOME_FDS)];
	} control;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
			      .msg_controllen = sizeof control.bytes };
	for (int i = 0; i < max_fds; i++)
		fds[i] = -1;
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	*got = 0;
	for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
			if (*got < max_fds)
				fds[*got] = fd;
			else
				close(fd);
			(*got)++;
		}
	}
	return n;
}

/* OUT: m, fds[VHOST_WELCOME_FDS] (all -1 unless the host sent them all). */
int vremote_receive_welcome(int sock, struct vhost_msg *m, int *fds, char *err, size_t err_bytes)
{
	int got;
	ssize_t n = vremote_receive_with_fds(sock, m, fds, VHOST_WELCOME_FDS, &got);
	if (n != (ssize_t)sizeof *m || m->magic != VHOST_MAGIC || m->kind != VHOST_WELCOME) {
		snprintf(err, err_bytes, "the vRDMA host did not welcome this guest (%s)",
			 n < 0 ? strerror(errno) : "found no welcome record");
		return EPROTO;
	}
	if (m->err != 0) {
		m->why[sizeof m->why - 1] = '\0';
		snprintf(err, err_bytes, "the vRDMA host refused this guest: %s", m->why);
		return m->err > 0 ? m->err : EPROTO;
	}
	if (got != VHOST_WELCOME_FDS) {
		snprintf(err, err_bytes, "the vRDMA host sent %d file descriptors, expected %d", got,
			 VHOST_WELCOME_FDS);
		return EPROTO;
	}
	return 0;
}

/* Map what the welcome gave: the memory (after checking its size, so no
 * access beyond the file can fault) and the doorbell page. */
static int map_welcome(struct vremote *r, const struct vhost_msg *m, int *fds, char *err, size_t err_bytes)
{
	struct stat st;
	if (fstat(fds[VHOST_FD_MEMORY], &st) != 0 || (uint64_t)st.st_size < m->memory_bytes ||
	    m->memory_bytes == 0) {
		snprintf(err, err_bytes, "the vRDMA host's guest memory is not the %llu bytes it said",
			 (unsigned long long)m->memory_bytes);
		return EPROTO;
	}
	int rc = vgm_map(fds[VHOST_FD_MEMORY], m->memory_bytes, &r->vm.memory, err, err_bytes);
	if (rc != 0)
		return rc;
	fds[VHOST_FD_MEMORY] = -1;
	rc = vgm_map(fds[VHOST_FD_DOORBELLS], VRDMA_PAGE_BYTES, &r->bells_map, err, err_bytes);
	if (rc != 0)
		return rc;
	fds[VHOST_FD_DOORBELLS] = -1;
	r->bells = (struct vrdma_doorbells *)r->bells_map.base;
	r->kick_fd = fds[VHOST_FD_KICK];
	fds[VHOST_FD_KICK] = -1;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++) {
		r->vm.irq_fd[v] = fds[VHOST_FD_IRQ + v];
		fds[VHOST_FD_IRQ + v] = -1;
	}
	r->vm.guest_id = m->guest_id;
	r->vm.host_id = m->host_id;
	return 0;
}

static struct vremote *new_remote(void)
{
	struct vremote *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->ops = &remote_ops;
	r->sock = r->kick_fd = -1;
	r->vm.memory.fd = r->bells_map.fd = -1;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		r->vm.irq_fd[v] = -1;
	r->vm.device = (struct vdev *)r;
	r->vm.trace = NULL; /* the host process records the device's side */
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

static void free_remote(struct vremote *r)
{
	if (r->sock >= 0)
		close(r->sock); /* the host destroys the VM */
	vgm_unmap(&r->vm.memory, 1);
	vgm_unmap(&r->bells_map, 1);
	if (r->kick_fd >= 0)
		close(r->kick_fd);
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		if (r->vm.irq_fd[v] >= 0)
			close(r->vm.irq_fd[v]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int vrdma_attach(const char *socket_path, uint64_t memory_bytes, struct vrdma_vm **out, char *err,
		 size_t err_bytes)
{
	struct vremote *r = new_remote();
	if (r == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return ENOMEM;
	}
	r->sock = vremote_connect_to(socket_path, err, err_bytes);
	if (r->sock < 0) {
		int e = errno;
		free_remote(r);
		return e;
	}
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_HELLO, .value = VHOST_WIRE_VERSION,
			       .memory_bytes = memory_bytes };
	int fds[VHOST_WELCOME_FDS];
	int rc = 0;
	if (vremote_send_record(r->sock, &m) != 0) {
		rc = errno ? errno : EPIPE;
		snprintf(err, err_bytes, "cannot greet the vRDMA host: %s", strerror(rc));
		for (int i = 0; i < VHOST_WELCOME_FDS; i++)
			fds[i] = -1;
	} else {
		rc = vremote_receive_welcome(r->sock, &m, fds, err, err_bytes);
	}
	if (rc == 0)
		rc = map_welcome(r, &m, fds, err, err_bytes);
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (rc != 0) {
		free_remote(r);
		return rc;
	}
	/* register reads wait as long as the host takes; the welcome did not */
	vremote_wait_forever(r->sock);
	*out = &r->vm;
	return 0;
}

void vremote_wait_forever(int sock)
{
	struct timeval forever = { 0 };
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever);
}

struct vremote *vremote_of(struct vrdma_vm *vm)
{
	struct vremote *r = vm ? (struct vremote *)vm->device : NULL;
	return r && r->ops == &remote_ops ? r : NULL;
}

void vrdma_detach(struct vrdma_vm *vm)
{
	struct vremote *r = vremote_of(vm);
	if (r != NULL) /* else not a VM of vrdma_attach */
		free_remote(r);
}
