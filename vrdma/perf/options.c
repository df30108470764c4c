/*
 * vrdma/perf/options.c -- vrdma-perf's command line, perftest's where they
 * apply.  Every refusal says which option, what was found, what was
 * expected.
 */
#include "config.h"

#include "vrdma/perf/perf.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vrdma/backend/backend.h"

#define MAX_SIZE_BYTES (16u << 20)
#define SWEEP_MAX_BYTES (8u << 20)

static const struct {
	const char *name;
	enum perf_test test;
} TESTS[] = {
	{ "write_lat", PERF_WRITE_LAT }, { "read_lat", PERF_READ_LAT }, { "send_lat", PERF_SEND_LAT },
	{ "write_bw", PERF_WRITE_BW },   { "read_bw", PERF_READ_BW },   { "send_bw", PERF_SEND_BW },
};

static void usage(FILE *err)
{
	fprintf(err,
		"Usage: vrdma-perf TEST (--demo | --same-host) [OPTION...]\n"
		"\n"
		"perftest's tests over the vRDMA reference implementation: two guests,\n"
		"their paravirtual driver, the backend and an HCA, in one process.\n"
		"TEST: write_lat read_lat send_lat write_bw read_bw send_bw\n"
		"\n"
		"Options:\n"
		"  --demo            two hosts (two backends, two guests), UDP on loopback\n"
		"  --same-host       one host, two guests, the backend's direct copy path\n"
		"  -s, --size=BYTES  message size (default 2 for latency, 65536 for bandwidth)\n"
		"  -a, --all         sizes 2 B to 8 MiB, powers of two\n"
		"  -n, --iters=N     iterations (default 1000 latency, 5000 bandwidth)\n"
		"  -e, --events      wait for completions by event instead of polling\n"
		"  -t, --tx-depth=N  send queue depth (default 1 latency, 128 bandwidth), per QP\n"
		"  -q, --qp=N        QPs between the guests, 1..64 (bandwidth tests; default 1)\n"
		"  -I, --inline_size=BYTES  largest message sent inline (default 0..%u)\n"
		"  -Q, --cq-mod=N    signal one send in N (bandwidth, default 100)\n"
		"  -m, --mtu=BYTES   256, 512, 1024, 2048 or 4096 (default 4096)\n"
		"  -F                accepted, as perftest's (no CPU frequency check here)\n"
		"  --report_gbits    bandwidth in Gb/s\n"
		"  --perftest_version=4.5|24.07  the text of perftest 4.5 (default: bandwidth\n"
		"                    in MB/sec) or of perftest >= 24.07 (MiB/sec, the same 2^20 bytes)\n"
		"  --out_json        also write perftest's JSON report (perftest >= 24.01's layout)\n"
		"                    into --out_json_file; as perftest's, it holds one size: the last\n"
		"  --out_json_file=FILE  the JSON report's file (default perftest_out.json)\n"
		"  --trace=FILE      record every mechanism event (docs/trace-format.md)\n"
		"  --loss=P          drop UDP packets with probability P (0..0.5) in --demo\n"
		"  --seed=N          seed of the loss (default 1)\n"
		"  --hca=soft|verbs:DEVICE[:GID_INDEX]  the hosts' HCA: the software one (default),\n"
		"                    or the RDMA device DEVICE through libibverbs, both hosts\n"
		"                    on it (GID_INDEX default 1: rxe's IPv4 RoCEv2 GID)\n"
		"  --cpu-guest=S[,C]     pin the server's and the client's guest threads to\n"
		"                    CPUs S and C (one CPU: both there); default unpinned\n"
		"  --cpu-backend=H1[,H2] pin the backend threads of host 1 and host 2\n"
		"  --migrate-at=N    (--demo, latency tests) the client's guest moves to a third\n"
		"                    host before iteration N, live; prints the pause each side saw\n"
		"  --backend-poll-us=N   each backend looks for work N us before sleeping,\n"
		"                    yielding the CPU as it looks (default %u; 0: it sleeps at once)\n"
		"  -h, --help        this help\n"
		"  -V, --version     the version\n"
		"\n"
		"Exit status: 0 success, 1 a test failed, 2 bad command line or set-up failure.\n",
		VRDMA_MAX_INLINE_BYTES, VBACKEND_TOOL_POLL_US);
}

static void version(void)
{
	printf("vrdma-perf (vrdmasim) %s\n", PACKAGE_VERSION);
}

static int parse_u64(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
		     FILE *err)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = text[0] == '-' ? 0 : strtoull(text, &end, 10);
	if (text[0] == '-' || end == text || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(err, "vrdma-perf: %s: found '%s', expected an integer in %" PRIu64 "..%" PRIu64 "\n",
			option, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_probability(const char *text, double *out, FILE *err)
{
	char *end = NULL;
	double v = strtod(text, &end);
	/* plain decimal: strtod alone would also take hex floats */
	if (end == text || *end != '\0' || text[strspn(text, "0123456789.eE+-")] != '\0' || !(v >= 0.0 && v <= 0.5)) {
		fprintf(err, "vrdma-perf: --loss: found '%s', expected a probability in 0..0.5\n", text);
		return -1;
	}
	*out = v;
	return 0;
}

/* soft, verbs:DEVICE or verbs:DEVICE:GID_INDEX (device names have no ':'). */
static int parse_hca(const char *text, struct perf_options *o, FILE *err)
{
	const char *name = strncmp(text, "verbs:", 6) == 0 ? text + 6 : NULL;
	const char *colon = name ? strchr(name, ':') : NULL;
	size_t len = name ? (colon ? (size_t)(colon - name) : strlen(name)) : 0;
	char *end = NULL;
	long index = 1;
	if (colon) {
		errno = 0;
		index = colon[1] >= '0' && colon[1] <= '9' ? strtol(colon + 1, &end, 10) : -1;
	}
	if (strcmp(text, "soft") == 0) {
		o->hca_device[0] = '\0';
		return 0;
	}
	if (!name || len == 0 || len >= sizeof o->hca_device ||
	    (colon && (index < 0 || index > 255 || *end != '\0' || errno != 0))) {
		fprintf(err, "vrdma-perf: --hca: found '%s', expected soft or verbs:DEVICE[:GID_INDEX]\n", text);
		return -1;
	}
	memcpy(o->hca_device, name, len);
	o->hca_device[len] = '\0';
	o->hca_gid_index = (int)index;
	return 0;
}

/* --perftest_version: whose text the table copies. */
static int parse_text_version(const char *text, struct perf_options *o, FILE *err)
{
	if (strcmp(text, "4.5") == 0)
		o->text_version = PERF_TEXT_4_5;
	else if (strcmp(text, "24.07") == 0)
		o->text_version = PERF_TEXT_24_07;
	else {
		fprintf(err, "vrdma-perf: --perftest_version: found '%s', expected 4.5 (MB/sec) or 24.07 (MiB/sec)\n", text);
		return -1;
	}
	return 0;
}

/* --cpu-*: CPU or CPU,CPU; one CPU pins both threads there. */
static int parse_cpus(const char *option, const char *text, int cpus[2], FILE *err)
{
	char first[32];
	const char *comma = strchr(text, ',');
	size_t len = comma ? (size_t)(comma - text) : strlen(text);
	uint64_t a, b;
	if (len == 0 || len >= sizeof first) {
		fprintf(err, "vrdma-perf: %s: found '%s', expected CPU or CPU,CPU\n", option, text);
		return -1;
	}
	memcpy(first, text, len);
	first[len] = '\0';
	if (parse_u64(option, first, 0, CPU_SETSIZE - 1, &a, err) != 0 ||
	    parse_u64(option, comma ? comma + 1 : first, 0, CPU_SETSIZE - 1, &b, err) != 0)
		return -1;
	cpus[0] = (int)a;
	cpus[1] = (int)b;
	return 0;
}

static int parse_json_file(const char *text, struct perf_options *o, FILE *err)
{
	if (text[0] == '\0') {
		fprintf(err, "vrdma-perf: --out_json_file: found an empty name, expected a file to write\n");
		return -1;
	}
	o->out_json_file = text;
	return 0;
}

static int is_latency(enum perf_test t)
{
	return t == PERF_WRITE_LAT || t == PERF_READ_LAT || t == PERF_SEND_LAT;
}

static int apply_defaults_and_check(struct perf_options *o, int size_given, int iters_given,
				    int depth_given, int inline_given, FILE *err)
{
	int lat = is_latency(o->test);
	if (!size_given)
		o->size_bytes = lat ? 2 : 65536;
	if (!iters_given)
		o->iterations = lat ? 1000 : 5000;
	if (!depth_given)
		o->tx_depth = lat ? 1 : 128;
	if (!inline_given)
		o->inline_bytes = o->test == PERF_READ_LAT || o->test == PERF_READ_BW ? 0 : (lat ? VRDMA_MAX_INLINE_BYTES : 0);
	if (o->two_hosts == o->same_host) {
		fprintf(err, "vrdma-perf: found %s, expected exactly one of --demo (two hosts) and --same-host\n",
			o->two_hosts ? "both" : "neither");
		return -1;
	}
	if (lat && o->qps > 1) {
		fprintf(err, "vrdma-perf: -q: found %u, expected 1: the latency tests use one QP, as perftest's\n", o->qps);
		return -1;
	}
	if (o->use_events && o->test == PERF_WRITE_LAT) {
		fprintf(err, "vrdma-perf: -e: write_lat waits on memory, not on completions: expected no -e\n");
		return -1;
	}
	if ((o->test == PERF_READ_LAT || o->test == PERF_READ_BW) && o->inline_bytes > 0) {
		fprintf(err, "vrdma-perf: -I: found %u, expected 0: RDMA READ carries no inline data\n",
			o->inline_bytes);
		return -1;
	}
	if (o->loss_probability > 0 && o->hca_device[0]) {
		fprintf(err, "vrdma-perf: --loss: only the software HCA drops packets: expected --hca=soft\n");
		return -1;
	}
	if (o->loss_probability > 0 && !o->two_hosts) {
		fprintf(err, "vrdma-perf: --loss: the same-host path sends no packets: expected --demo\n");
		return -1;
	}
	if (o->migrate_at && (!o->two_hosts || !lat || o->hca_device[0] || o->all_sizes)) {
		fprintf(err, "vrdma-perf: --migrate-at: found it with %s, expected --demo, a latency test, one size "
			     "and the software HCA\n", !o->two_hosts ? "--same-host" : !lat ? "a bandwidth test"
			     : o->all_sizes ? "-a" : "--hca=verbs");
		return -1;
	}
	if (o->migrate_at >= o->iterations) {
		fprintf(err, "vrdma-perf: --migrate-at: found %llu, expected an iteration before the last (at most %llu)\n",
			(unsigned long long)o->migrate_at, (unsigned long long)o->iterations - 1);
		return -1;
	}
	if (o->cq_moderation > o->tx_depth)
		o->cq_moderation = o->tx_depth;
	return 0;
}

int perf_parse_options(int argc, char **argv, struct perf_options *o, FILE *err)
{
	static const struct option longs[] = {
		{ "size", required_argument, NULL, 's' },   { "all", no_argument, NULL, 'a' },
		{ "iters", required_argument, NULL, 'n' },  { "events", no_argument, NULL, 'e' },
		{ "tx-depth", required_argument, NULL, 't' }, { "inline_size", required_argument, NULL, 'I' },
		{ "qp", required_argument, NULL, 'q' },
		{ "cq-mod", required_argument, NULL, 'Q' }, { "mtu", required_argument, NULL, 'm' },
		{ "demo", no_argument, NULL, 1 },           { "same-host", no_argument, NULL, 2 },
		{ "trace", required_argument, NULL, 3 },    { "loss", required_argument, NULL, 4 },
		{ "seed", required_argument, NULL, 5 },     { "report_gbits", no_argument, NULL, 6 },
		{ "hca", required_argument, NULL, 7 },      { "help", no_argument, NULL, 'h' },
		{ "perftest_version", required_argument, NULL, 8 }, { "out_json", no_argument, NULL, 9 },
		{ "out_json_file", required_argument, NULL, 10 },
		{ "cpu-guest", required_argument, NULL, 11 }, { "cpu-backend", required_argument, NULL, 12 },
		{ "backend-poll-us", required_argument, NULL, 13 },
		{ "migrate-at", required_argument, NULL, 14 },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->cq_moderation = 100;
	o->mtu_bytes = 4096;
	o->seed = 1;
	o->hca_gid_index = 1;
	o->cpu_guest[0] = o->cpu_guest[1] = o->cpu_backend[0] = o->cpu_backend[1] = -1;
	o->backend_poll_ns = VBACKEND_TOOL_POLL_US * 1000u;
	o->out_json_file = "perftest_out.json";   /* perftest's DEFAULT_JSON_FILE_NAME */
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
			usage(stdout == err ? err : stdout);
			return 1;
		}
		if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
			version();
			return 1;
		}
		fprintf(err, "vrdma-perf: found %s, expected a test name first\n", argc < 2 ? "nothing" : argv[1]);
		usage(err);
		return 2;
	}
	size_t t;
	for (t = 0; t < sizeof TESTS / sizeof TESTS[0]; t++)
		if (strcmp(argv[1], TESTS[t].name) == 0)
			break;
	if (t == sizeof TESTS / sizeof TESTS[0]) {
		fprintf(err, "vrdma-perf: unknown test '%s', expected write_lat, read_lat, send_lat, "
			     "write_bw, read_bw or send_bw\n", argv[1]);
		return 2;
	}
	o->test = TESTS[t].test;
	o->test_name = TESTS[t].name;
	int size_given = 0, iters_given = 0, depth_given = 0, inline_given = 0, c;
	uint64_t v;
	optind = 2;
	opterr = 0;
	o->qps = 1;
	while ((c = getopt_long(argc, argv, ":s:an:et:q:I:Q:m:FhV", longs, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 's': bad = parse_u64("-s", optarg, 1, MAX_SIZE_BYTES, &o->size_bytes, err); size_given = 1; break;
		case 'a': o->all_sizes = 1; break;
		case 'n': bad = parse_u64("-n", optarg, 1, 100000000, &o->iterations, err); iters_given = 1; break;
		case 'e': o->use_events = 1; break;
		case 't': bad = parse_u64("-t", optarg, 1, 4096, &v, err); o->tx_depth = (uint32_t)v; depth_given = 1; break;
		case 'q': bad = parse_u64("-q", optarg, 1, PERF_QPS_MAX, &v, err); o->qps = (uint32_t)v; break;
		case 'I': bad = parse_u64("-I", optarg, 0, VRDMA_MAX_INLINE_BYTES, &v, err); o->inline_bytes = (uint32_t)v; inline_given = 1; break;
		case 'Q': bad = parse_u64("-Q", optarg, 1, 4096, &v, err); o->cq_moderation = (uint32_t)v; break;
		case 'm':
			bad = parse_u64("-m", optarg, 256, 4096, &v, err);
			if (!bad && (v & (v - 1)) != 0) {
				fprintf(err, "vrdma-perf: -m: found '%s', expected 256, 512, 1024, 2048 or 4096\n", optarg);
				bad = 1;
			}
			o->mtu_bytes = (uint32_t)v;
			break;
		case 'F': break;
		case 1: o->two_hosts = 1; break;
		case 2: o->same_host = 1; break;
		case 3: o->trace_path = optarg; break;
		case 4: bad = parse_probability(optarg, &o->loss_probability, err); break;
		case 5: bad = parse_u64("--seed", optarg, 0, UINT64_MAX, &o->seed, err); break;
		case 6: o->report_gbits = 1; break;
		case 7: bad = parse_hca(optarg, o, err); break;
		case 8: bad = parse_text_version(optarg, o, err); break;
		case 9: o->out_json = 1; break;
		case 10: bad = parse_json_file(optarg, o, err); break;
		case 11: bad = parse_cpus("--cpu-guest", optarg, o->cpu_guest, err); break;
		case 12: bad = parse_cpus("--cpu-backend", optarg, o->cpu_backend, err); break;
		case 13:
			bad = parse_u64("--backend-poll-us", optarg, 0, 1000000, &v, err);
			o->backend_poll_ns = v * 1000u;
			break;
		case 14: bad = parse_u64("--migrate-at", optarg, 1, 100000000, &o->migrate_at, err); break;
		case 'h': usage(stdout); return 1;
		case 'V': version(); return 1;
		case ':':
			fprintf(err, "vrdma-perf: %s: found nothing, expected a value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(err, "vrdma-perf: unknown option '%s'\n", argv[optind - 1]);
			usage(err);
			return 2;
		}
		if (bad)
			return 2;
	}
	if (optind < argc) {
		fprintf(err, "vrdma-perf: found '%s', expected options only after the test name "
			     "(a server name is not needed: --demo runs both ends)\n", argv[optind]);
		return 2;
	}
	if (o->all_sizes && size_given) {
		fprintf(err, "vrdma-perf: found both -a and -s, expected one of them\n");
		return 2;
	}
	return apply_defaults_and_check(o, size_given, iters_given, depth_given, inline_given, err) ? 2 : 0;
}

uint64_t perf_max_size(const struct perf_options *o)
{
	return o->all_sizes ? SWEEP_MAX_BYTES : o->size_bytes;
}
