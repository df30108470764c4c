/*
 * vrdma/host/options.c -- vrdma-host's command line.  Every refusal says
 * which option, what was found, what was expected.
 */
#include "config.h"

#include "vrdma/host/options.h"
#include "vrdma/backend/backend.h"
#include "vrdma/backend/limits.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_GUESTS 16u
#define DEFAULT_MEMORY_BYTES (UINT64_C(1) << 30)
#define MAX_MEMORY_BYTES (UINT64_C(1) << 40)
#define DEFAULT_HELLO_TIMEOUT_MS 2000u

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vrdma-host --socket=PATH [OPTION...]\n"
		"\n"
		"The hypervisor's side of one vRDMA host as a process: the vRDMA backend and\n"
		"its software HCA.  Every process that connects to PATH (vrdma_attach) becomes\n"
		"a VM of this host, with its own guest memory and vRDMA device; two VMs of one\n"
		"host take the direct copy path, two hosts talk over UDP on 127.0.0.1.\n"
		"Prints the host's LID (its UDP port) on standard output, then serves until\n"
		"SIGTERM or SIGINT, when it destroys every VM and removes PATH.\n"
		"\n"
		"Options:\n"
		"  --socket=PATH          the UNIX socket guests connect to (mode 0600)\n"
		"  --port=N               the soft HCA's UDP port, which is its LID (default 0: any)\n"
		"  --guests=N             guest processes attached at once, 1..%u (default %u)\n"
		"  --memory-per-guest=BYTES  the most guest memory one guest may ask for; a K, M\n"
		"                         or G suffix multiplies by 2^10, 2^20, 2^30 (default 1G)\n"
		"  --host-id=N            this host's number in traces, 1..255 (default 1)\n"
		"  -m, --mtu=BYTES        256, 512, 1024, 2048 or 4096 (default 4096)\n"
		"  --trace=FILE           record the device side's mechanism events\n"
		"                         (docs/trace-format.md), published at exit\n"
		"  --loss=P               drop sent UDP packets with probability P (0..0.5)\n"
		"  --seed=N               seed of the loss (default 1)\n"
		"  --hello-timeout-ms=N   close a connection silent this long (default %u)\n"
		"  --backend-poll-us=N    the backend looks for work N us before sleeping\n"
		"                         (default %u; 0: sleep at once)\n"
		"  -q, --quiet            no line per guest attached or detached (standard error)\n"
		"  -h, --help             this help\n"
		"  -V, --version          the version\n"
		"\n"
		"Exit status: 0 stopped by a signal, 2 bad command line or set-up failure.\n",
		VBACKEND_MAX_GUESTS, DEFAULT_GUESTS, DEFAULT_HELLO_TIMEOUT_MS, VBACKEND_SERVE_POLL_US);
}

static int parse_u64(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
		     FILE *err)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
	if (end == NULL || end == text || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(err, "vrdma-host: %s: found '%s', expected an integer in %" PRIu64 "..%" PRIu64 "\n",
			option, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_bytes(const char *text, uint64_t *out, FILE *err)
{
	char digits[32];
	size_t len = strlen(text);
	unsigned shift = 0;
	const char *suffix = len > 0 ? strchr("KMG", text[len - 1]) : NULL;
	if (suffix != NULL && len > 1 && len < sizeof digits) {
		shift = 10u * (unsigned)(suffix - "KMG" + 1);
		memcpy(digits, text, len - 1);
		digits[len - 1] = '\0';
		text = digits;
	}
	uint64_t v;
	if (parse_u64("--memory-per-guest", text, 1, MAX_MEMORY_BYTES >> shift, &v, err) != 0)
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_probability(const char *text, double *out, FILE *err)
{
	char *end = NULL;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || text[strspn(text, "0123456789.eE+-")] != '\0' || !(v >= 0.0 && v <= 0.5)) {
		fprintf(err, "vrdma-host: --loss: found '%s', expected a probability in 0..0.5\n", text);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_mtu(const char *text, uint32_t *out, FILE *err)
{
	uint64_t v;
	if (parse_u64("--mtu", text, 256, 4096, &v, err) != 0)
		return -1;
	if ((v & (v - 1)) != 0) {
		fprintf(err, "vrdma-host: --mtu: found '%s', expected 256, 512, 1024, 2048 or 4096\n", text);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static void defaults(struct vhost_options *o)
{
	memset(o, 0, sizeof *o);
	o->max_guests = DEFAULT_GUESTS;
	o->memory_per_guest_bytes = DEFAULT_MEMORY_BYTES;
	o->host_id = 1;
	o->mtu_bytes = 4096;
	o->seed = 1;
	o->hello_timeout_ms = DEFAULT_HELLO_TIMEOUT_MS;
	o->backend_poll_ns = VBACKEND_SERVE_POLL_US * 1000u;
}

/* One option; 0, or -1 when refused (printed). */
static int take_option(int c, const char *arg, struct vhost_options *o, FILE *err)
{
	uint64_t v = 0;
	int bad = 0;
	switch (c) {
	case 1: o->socket_path = arg; break;
	case 2: bad = parse_u64("--port", arg, 0, 65535, &v, err); o->udp_port = (uint16_t)v; break;
	case 3: bad = parse_u64("--guests", arg, 1, VBACKEND_MAX_GUESTS, &v, err); o->max_guests = (unsigned)v; break;
	case 4: bad = parse_bytes(arg, &o->memory_per_guest_bytes, err); break;
	case 5: bad = parse_u64("--host-id", arg, 1, 255, &v, err); o->host_id = (uint8_t)v; break;
	case 'm': bad = parse_mtu(arg, &o->mtu_bytes, err); break;
	case 6: o->trace_path = arg; break;
	case 7: bad = parse_probability(arg, &o->loss_probability, err); break;
	case 8: bad = parse_u64("--seed", arg, 0, UINT64_MAX, &o->seed, err); break;
	case 9: bad = parse_u64("--hello-timeout-ms", arg, 1, 3600000, &v, err); o->hello_timeout_ms = (unsigned)v; break;
	case 10: bad = parse_u64("--backend-poll-us", arg, 0, 1000000, &v, err); o->backend_poll_ns = v * 1000u; break;
	case 'q': o->quiet = 1; break;
	default: return -1;
	}
	return bad ? -1 : 0;
}

int vhost_parse_options(int argc, char **argv, struct vhost_options *o, FILE *err)
{
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 1 },   { "port", required_argument, NULL, 2 },
		{ "guests", required_argument, NULL, 3 },   { "memory-per-guest", required_argument, NULL, 4 },
		{ "host-id", required_argument, NULL, 5 },  { "mtu", required_argument, NULL, 'm' },
		{ "trace", required_argument, NULL, 6 },    { "loss", required_argument, NULL, 7 },
		{ "seed", required_argument, NULL, 8 },     { "hello-timeout-ms", required_argument, NULL, 9 },
		{ "backend-poll-us", required_argument, NULL, 10 },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
	};
	defaults(o);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":m:qhV", longs, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == 'V') {
			printf("vrdma-host (vrdmasim) %s\n", PACKAGE_VERSION);
			return 1;
		}
		if (c == ':') {
			fprintf(err, "vrdma-host: %s: found nothing, expected a value\n", argv[optind - 1]);
			return 2;
		}
		if (c == '?') {
			fprintf(err, "vrdma-host: unknown option '%s'\n", argv[optind - 1]);
			usage(err);
			return 2;
		}
		if (take_option(c, optarg, o, err) != 0)
			return 2;
	}
	if (optind < argc) {
		fprintf(err, "vrdma-host: found '%s', expected options only\n", argv[optind]);
		return 2;
	}
	if (o->socket_path == NULL) {
		fprintf(err, "vrdma-host: found no --socket, expected --socket=PATH\n");
		return 2;
	}
	return 0;
}
