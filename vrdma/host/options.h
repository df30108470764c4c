/*
 * vrdma/host/options.h -- vrdma-host's command line.
 */
#ifndef VRDMA_HOST_OPTIONS_H
#define VRDMA_HOST_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

struct vhost_options {
	const char *socket_path;     /* --socket, required */
	uint16_t udp_port;           /* --port: the soft HCA's UDP port = its LID; 0 any */
	unsigned max_guests;         /* --guests */
	uint64_t memory_per_guest_bytes; /* --memory-per-guest: the most one guest may ask for */
	uint8_t host_id;             /* --host-id: the host's number in traces */
	uint32_t mtu_bytes;          /* --mtu */
	const char *trace_path;      /* --trace, or NULL */
	double loss_probability;     /* --loss */
	uint64_t seed;               /* --seed */
	unsigned hello_timeout_ms;   /* --hello-timeout-ms */
	int quiet;                   /* --quiet: no attach/detach lines */
	uint64_t backend_poll_ns;    /* --backend-poll-us */
};

/* Returns 0 (run), 1 (--help or --version printed: exit 0) or 2 (a
 * refusal printed on err: exit 2). */
int vhost_parse_options(int argc, char **argv, struct vhost_options *o, FILE *err);

#endif
