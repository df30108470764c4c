/*
 * vrdma/host/server.h -- the hypervisor side of one host as a process:
 * every process that connects to the host's UNIX socket becomes a VM of
 * its backend (host/wire.h says what they say).
 *
 * One thread (vhost_run's caller) serves every connection without
 * blocking: a connection gets at most VHOST_MSGS_PER_WAKE records per
 * wake-up; a new connection's HELLO is read as it is accepted; one that has
 * not said HELLO within hello_timeout_ms is closed, and at most
 * VHOST_MAX_UNATTACHED connections may wait for their HELLO at once (the
 * oldest is closed to make room), so no connection delays the others.
 * A connection that ends, for whatever reason, destroys its VM: the
 * backend frees its objects and releases its accounting.
 */
#ifndef VRDMA_HOST_SERVER_H
#define VRDMA_HOST_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vrdma/backend/backend.h"

#define VHOST_MSGS_PER_WAKE 16u  /* records taken from one connection per wake-up */
#define VHOST_MAX_UNATTACHED 16u /* connections waiting for their HELLO at once */
#define VHOST_ACCEPTS_PER_WAKE 16u /* connections accepted per wake-up */

struct vhost_config {
	const char *socket_path;     /* created (mode 0600), removed by vhost_close */
	unsigned max_guests;         /* guest processes attached at once, 1..VBACKEND_MAX_GUESTS */
	uint64_t max_memory_bytes;   /* the most guest memory one guest may ask for */
	unsigned hello_timeout_ms;   /* a connection silent this long after connecting is closed */
	FILE *log;                   /* one line per attach, refusal, detach; NULL: quiet */
};

struct vhost;

/* Listen on config->socket_path for guests of `backend` (which must
 * outlive the server).  A socket file left by a dead server is replaced; a
 * live one is refused (EADDRINUSE).  Returns 0, or an errno with err filled. */
int vhost_open(const struct vhost_config *config, struct vbackend *backend, struct vhost **out,
	       char *err, size_t err_bytes);
/* Serve until stop_fd is readable (a signalfd, an eventfd).  0, or an errno. */
int vhost_run(struct vhost *host, int stop_fd);
/* One wake-up of vhost_run without a stop fd: wait up to timeout_ms (0:
 * not at all) for what the guests sent and serve it as vhost_run does.
 * Returns the number of events served (0: nothing came), or -errno.  For
 * a caller that drives the server itself, on one thread, instead of
 * vhost_run (the fuzz harness fuzz/fuzz_host.c). */
int vhost_serve_once(struct vhost *host, int timeout_ms);
/* Destroy every guest's VM, close the connections, remove the socket. */
void vhost_close(struct vhost *host);
/* Guest processes attached now. */
unsigned vhost_guest_count(const struct vhost *host);

#endif
