/*
 * vrdma/verbs_abi/trace_config.c -- VRDMA_VERBS_TRACE: the trace writer with the
 * header vrdma-perf writes (format-version, recorder, test, completion,
 * transport, ...), which `vrdmasim replay` requires.
 */
#include "config.h"
#include "vrdma/verbs_abi/trace_config.h"
#include "vrdma/device/abi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The program's name as the kernel keeps it. */
static void program_name(char *out, size_t out_bytes)
{
	FILE *f = fopen("/proc/self/comm", "r");
	out[0] = '\0';
	if (f != NULL) {
		if (fgets(out, (int)out_bytes, f) == NULL)
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

/* Whether the program was started with -e or --events (NUL-separated
 * arguments in /proc/self/cmdline). */
static int asked_for_events(void)
{
	char args[4096];
	FILE *f = fopen("/proc/self/cmdline", "r");
	if (f == NULL)
		return 0;
	size_t n = fread(args, 1, sizeof args - 1, f);
	fclose(f);
	args[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(args + i) + 1)
		if (strcmp(args + i, "-e") == 0 || strcmp(args + i, "--events") == 0)
			return 1;
	return 0;
}

/* perftest's ib_<test> names its test; ibv_rc_pingpong is a send ping-pong. */
static void test_of_program(const char *name, char *out, size_t out_bytes)
{
	static const char *const tests[] = {"write_lat", "read_lat", "send_lat", "atomic_lat",
					    "write_bw", "read_bw", "send_bw", "atomic_bw", NULL};
	for (int i = 0; tests[i]; i++)
		if (strncmp(name, "ib_", 3) == 0 && strcmp(name + 3, tests[i]) == 0) {
			snprintf(out, out_bytes, "%s", tests[i]);
			return;
		}
	snprintf(out, out_bytes, "send_lat");
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && v[0] ? v : fallback;
}

int vab_trace_open(int private_host, struct vtrace **trace, char *err, size_t err_bytes)
{
	const char *path = getenv("VRDMA_VERBS_TRACE");
	*trace = NULL;
	if (path == NULL || path[0] == '\0')
		return 0;
	char name[64], test[32], host[128] = "unknown", config[1024];
	program_name(name, sizeof name);
	test_of_program(name, test, sizeof test);
	gethostname(host, sizeof host - 1);
	snprintf(config, sizeof config,
		 "format-version: %u\nrecorder: libvrdma-verbs %s (%s)\nhost-name: %s\ncpu-mhz: 0\n"
		 "clock: CLOCK_MONOTONIC\npage-bytes: %u\ntest: %s\ntransport: %s\ncompletion: %s\n"
		 "tx-depth: %s\nhca: soft\n",
		 VTRACE_VERSION, PACKAGE_VERSION, name, host, VRDMA_PAGE_BYTES,
		 env_or("VRDMA_VERBS_TRACE_TEST", test),
		 env_or("VRDMA_VERBS_TRACE_TRANSPORT", private_host ? "two-host" : "same-host"),
		 env_or("VRDMA_VERBS_TRACE_COMPLETION", asked_for_events() ? "event" : "poll"),
		 env_or("VRDMA_VERBS_TRACE_TX_DEPTH", "1"));
	*trace = vtrace_open(path, config, err, err_bytes);
	return *trace ? 0 : (errno ? errno : EIO);
}
