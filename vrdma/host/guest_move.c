/*
 * vrdma/host/guest_move.c -- a guest process's VM moved to another
 * vrdma-host: the VMM's side of a live migration (attach.h's vrdma_move;
 * wire.h's SAVE, RESTORE, RESUME; docs/migration.md).
 *
 * The guest's own memory travels as its memfd: the destination reads it
 * (pread) into memory of its own, as a migration stream would carry it.
 * The switch then replaces what the guest holds without the guest driver
 * noticing: MAP_FIXED puts the new memory and doorbell page where the old
 * ones were; dup2 puts the new kick, interrupt lines and socket under the
 * old numbers, and closing the old socket is what tells the source the
 * guest has gone (it destroys the old VM).
 */
#include "vrdma/host/attach.h"
#include "vrdma/host/remote.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]), fds[i] = -1;
}

/* Interrupts raised on the old lines that the guest has not read: taken
 * off the lines, returned as a vector mask for the new host to raise. */
static unsigned take_pending_interrupts(struct vremote *r)
{
	unsigned pending = 0;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++) {
		uint64_t count;
		while (recv(r->vm.irq_fd[v], &count, sizeof count, MSG_DONTWAIT) > 0)
			pending |= 1u << v;
	}
	return pending;
}

/* SAVE on the source.  0 and *state_fd, or an errno with err (the source
 * refused: the device runs on there). */
static int save_at_source(struct vremote *r, struct vrdma_move_times *t, int *state_fd, char *err, size_t err_bytes)
{
	struct vhost_msg m = { .magic = VHOST_MAGIC, .kind = VHOST_SAVE };
	int got = 0;
	*state_fd = -1;
	if (vremote_send_record(r->sock, &m) != 0 ||
	    vremote_receive_with_fds(r->sock, &m, state_fd, 1, &got) != (ssize_t)sizeof m || m.magic != VHOST_MAGIC ||
	    m.kind != VHOST_SAVED) {
		close_all(state_fd, 1);
		snprintf(err, err_bytes, "the source vRDMA host did not answer the save");
		return EIO;
	}
	if (m.err != 0) {
		close_all(state_fd, 1);
		m.why[sizeof m.why - 1] = '\0';
		snprintf(err, err_bytes, "the source vRDMA host could not save the device: %s", m.why);
		return m.err > 0 ? m.err : EPROTO;
	}
	if (got != 1 || *state_fd < 0) {
		close_all(state_fd, 1);
		snprintf(err, err_bytes, "the source vRDMA host sent %d file descriptors with the saved state, expected 1",
			 got);
		return EIO;
	}
	t->state_bytes = m.memory_bytes;
	t->sends_in_flight = m.value;
	t->recvs_posted = m.offset;
	t->cqes_unpolled = m.cqes_unpolled;
	return 0;
}

/* RESTORE at the destination: OUT *sock (connected, welcomed) and fds[]. */
static int restore_at(struct vremote *r, const char *path, int state_fd, unsigned pending, int *sock,
		      struct vhost_msg *m, int *fds, char *err, size_t err_bytes)
{
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		fds[i] = -1;
	*sock = vremote_connect_to(path, err, err_bytes);
	if (*sock < 0)
		return errno ? errno : EIO;
	struct vhost_msg req = { .magic = VHOST_MAGIC, .kind = VHOST_RESTORE, .value = VHOST_WIRE_VERSION,
				 .offset = pending, .memory_bytes = r->vm.memory.bytes };
	int pass[VHOST_RESTORE_FDS] = { [VHOST_RESTORE_FD_STATE] = state_fd, [VHOST_RESTORE_FD_MEMORY] = r->vm.memory.fd };
	int sent = vremote_send_with_fds(*sock, &req, pass, VHOST_RESTORE_FDS);
	int rc = sent == 0 ? vremote_receive_welcome(*sock, m, fds, err, err_bytes) : EIO;
	if (sent != 0)
		snprintf(err, err_bytes, "cannot hand the guest to the destination vRDMA host: %s", strerror(errno));
	if (rc != 0) {
		close(*sock);
		*sock = -1;
		close_all(fds, VHOST_WELCOME_FDS);
	}
	return rc;
}

/* RESUME at the source, whose connection is r->sock: OUT fds[]. */
static int resume_at_source(struct vremote *r, unsigned pending, struct vhost_msg *m, int *fds, char *err,
			    size_t err_bytes)
{
	struct vhost_msg req = { .magic = VHOST_MAGIC, .kind = VHOST_RESUME, .offset = pending };
	for (int i = 0; i < VHOST_WELCOME_FDS; i++)
		fds[i] = -1;
	if (vremote_send_record(r->sock, &req) != 0) {
		snprintf(err, err_bytes, "the source vRDMA host is gone");
		return EIO;
	}
	return vremote_receive_welcome(r->sock, m, fds, err, err_bytes);
}

/* Put what a welcome gave where the guest's old ones are (see the top).
 * The guest's own host and guest numbers stay: they name its work
 * requests' op ids, which the restored device keeps (migrate.c). */
static int switch_to(struct vremote *r, const struct vhost_msg *m, int *fds, int sock, char *err, size_t err_bytes)
{
	struct stat st;
	if (m->memory_bytes != r->vm.memory.bytes || fstat(fds[VHOST_FD_MEMORY], &st) != 0 ||
	    (uint64_t)st.st_size < r->vm.memory.bytes) {
		snprintf(err, err_bytes, "the new vRDMA host's guest memory is not the %llu bytes the guest had",
			 (unsigned long long)r->vm.memory.bytes);
		return EPROTO;
	}
	if (mmap(r->vm.memory.base, r->vm.memory.bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fds[VHOST_FD_MEMORY], 0) == MAP_FAILED ||
	    mmap(r->bells_map.base, r->bells_map.bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fds[VHOST_FD_DOORBELLS], 0) == MAP_FAILED) {
		snprintf(err, err_bytes, "cannot map the new vRDMA host's memory: %s", strerror(errno));
		return errno;
	}
	int rc = 0;
	rc |= dup2(fds[VHOST_FD_MEMORY], r->vm.memory.fd) < 0;
	rc |= dup2(fds[VHOST_FD_DOORBELLS], r->bells_map.fd) < 0;
	rc |= dup2(fds[VHOST_FD_KICK], r->kick_fd) < 0;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		rc |= dup2(fds[VHOST_FD_IRQ + v], r->vm.irq_fd[v]) < 0;
	/* the old socket closes here: the source destroys the old VM */
	if (sock >= 0)
		rc |= dup2(sock, r->sock) < 0;
	if (rc != 0) {
		snprintf(err, err_bytes, "cannot take the new vRDMA host's file descriptors: %s", strerror(errno));
		return errno ? errno : EIO;
	}
	vremote_wait_forever(r->sock);
	return 0;
}

int vrdma_move(struct vrdma_vm *vm, const char *to_socket_path, struct vrdma_move_times *t, char *err,
	       size_t err_bytes)
{
	struct vrdma_move_times local;
	if (t == NULL)
		t = &local;
	memset(t, 0, sizeof *t);
	struct vremote *r = vremote_of(vm);
	if (r == NULL) {
		snprintf(err, err_bytes, "vrdma_move: not a guest process's VM (vrdma_attach)");
		return EINVAL;
	}
	pthread_mutex_lock(&r->lock);
	uint64_t t0 = now_ns();
	int state_fd = -1;
	int rc = save_at_source(r, t, &state_fd, err, err_bytes);
	uint64_t t1 = now_ns();
	if (rc != 0) {
		pthread_mutex_unlock(&r->lock);
		return rc;
	}
	t->save_ns = t1 - t0;
	unsigned pending = take_pending_interrupts(r);
	int fds[VHOST_WELCOME_FDS], sock = -1;
	struct vhost_msg m;
	rc = restore_at(r, to_socket_path, state_fd, pending, &sock, &m, fds, err, err_bytes);
	close(state_fd);
	uint64_t t2 = now_ns();
	t->restore_ns = t2 - t1;
	if (rc != 0) {
		char why[200];
		if (resume_at_source(r, pending, &m, fds, why, sizeof why) != 0 ||
		    switch_to(r, &m, fds, -1, why, sizeof why) != 0) {
			size_t used = strlen(err);
			snprintf(err + used, err_bytes - used, "; and the source could not resume the guest: %s", why);
			close_all(fds, VHOST_WELCOME_FDS);
			pthread_mutex_unlock(&r->lock);
			return EIO;
		}
		t->resumed_at_source = 1;
		t->host_id = m.host_id;
	} else if (switch_to(r, &m, fds, sock, err, err_bytes) != 0) {
		rc = EIO;
	}
	if (rc == 0)
		t->host_id = m.host_id;
	close_all(fds, VHOST_WELCOME_FDS);
	if (sock >= 0)
		close(sock);
	uint64_t t3 = now_ns();
	t->switch_ns = t3 - t2;
	t->pause_ns = t3 - t0;
	pthread_mutex_unlock(&r->lock);
	return rc;
}
