/*
 * vrdma/tools/vrdma-host.c -- one vRDMA host as a process: the backend and
 * its software HCA, serving guest processes on a UNIX socket.  See
 * vrdma/host/server.h and options.c.
 *
 * Exit status: 0 stopped by SIGTERM or SIGINT, 2 bad command line or
 * set-up failure.
 */
#include "config.h"

#include "vrdma/backend/backend.h"
#include "vrdma/hca/hca.h"
#include "vrdma/host/options.h"
#include "vrdma/host/server.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct host {
	struct vtrace *trace;
	struct vhca *hca;
	struct vbackend *backend;
	struct vhost *server;
};

static int open_trace(const struct vhost_options *o, struct host *h, char *err, size_t err_bytes)
{
	if (o->trace_path == NULL)
		return 0;
	char config[512];
	snprintf(config, sizeof config,
		 "format-version: %u\nrecorder: vrdma-host %s\nclock: CLOCK_MONOTONIC\npage-bytes: %u\n"
		 "mtu-bytes: %u\ntransport: guest-processes\nloss-probability: %g\n",
		 VTRACE_VERSION, PACKAGE_VERSION, VRDMA_PAGE_BYTES, o->mtu_bytes, o->loss_probability);
	h->trace = vtrace_open(o->trace_path, config, err, err_bytes);
	return h->trace ? 0 : -1;
}

static int start(const struct vhost_options *o, struct host *h, char *err, size_t err_bytes)
{
	if (open_trace(o, h, err, err_bytes) != 0)
		return -1;
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.udp_port = o->udp_port;
	hc.mtu_bytes = o->mtu_bytes;
	hc.loss_probability = o->loss_probability;
	hc.loss_seed = o->seed;
	if (vhca_soft_create(&hc, h->trace, o->host_id, &h->hca, err, err_bytes) != 0)
		return -1;
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = h->hca;
	bc.trace = h->trace;
	bc.host_id = o->host_id;
	bc.poll_ns = o->backend_poll_ns;
	if (vbackend_start(&bc, &h->backend, err, err_bytes) != 0)
		return -1;
	struct vhost_config sc = { .socket_path = o->socket_path, .max_guests = o->max_guests,
				   .max_memory_bytes = o->memory_per_guest_bytes,
				   .hello_timeout_ms = o->hello_timeout_ms, .log = o->quiet ? NULL : stderr };
	return vhost_open(&sc, h->backend, &h->server, err, err_bytes) == 0 ? 0 : -1;
}

/* Returns 0, or -1 with err filled when the trace cannot be published. */
static int stop(struct host *h, int publish, char *err, size_t err_bytes)
{
	vhost_close(h->server);
	vbackend_stop(h->backend);
	if (h->hca)
		h->hca->ops->destroy(h->hca);
	if (h->trace == NULL)
		return 0;
	if (!publish) {
		vtrace_abandon(h->trace);
		return 0;
	}
	return vtrace_close(h->trace, err, err_bytes);
}

static uint16_t lid_of(struct vhca *hca)
{
	struct ibv_port_attr port;
	memset(&port, 0, sizeof port);
	hca->ops->query_port(hca, 1, &port);
	return port.lid;
}

int main(int argc, char **argv)
{
	struct vhost_options opt;
	int rc = vhost_parse_options(argc, argv, &opt, stderr);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	/* The signals arrive as a readable fd the server loop watches. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL); /* before any thread starts */
	int stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
	struct host h = { 0 };
	char err[512];
	if (stop_fd < 0 || start(&opt, &h, err, sizeof err) != 0) {
		if (stop_fd < 0)
			snprintf(err, sizeof err, "signalfd failed");
		fprintf(stderr, "vrdma-host: %s\n", err);
		stop(&h, 0, err, sizeof err);
		return 2;
	}
	printf("vrdma-host: LID %u, socket %s, up to %u guests of %llu bytes\n", lid_of(h.hca),
	       opt.socket_path, opt.max_guests, (unsigned long long)opt.memory_per_guest_bytes);
	fflush(stdout);
	rc = vhost_run(h.server, stop_fd);
	if (rc != 0)
		fprintf(stderr, "vrdma-host: %s\n", strerror(rc));
	if (stop(&h, rc == 0, err, sizeof err) != 0) {
		fprintf(stderr, "vrdma-host: %s\n", err);
		return 2;
	}
	close(stop_fd);
	return rc == 0 ? 0 : 2;
}
