/*
 * vrdma/tools/vrdma-perf.c -- perftest's tests over the vRDMA reference
 * implementation.  See vrdma/perf/perf.h.
 *
 * Exit status: 0 success, 1 a test failed (an error completion, a stuck
 * peer), 2 bad command line or set-up failure.
 */
#include "vrdma/perf/perf.h"

#include <stdlib.h>
#include <string.h>

static int run(const struct perf_options *opt, struct perf_world *w)
{
	perf_print_banner(stdout, opt, w);
	perf_print_header(stdout, opt);
	uint64_t first = opt->all_sizes ? 2 : opt->size_bytes, last = perf_max_size(opt);
	for (uint64_t size = first; size <= last; size = opt->all_sizes ? size * 2 : last + 1) {
		struct perf_sample sample;
		if (perf_run_size(opt, w, size, &sample) != 0) {
			fprintf(stderr, "vrdma-perf: cannot start the test threads\n");
			return 1;
		}
		if (sample.failed) {
			fprintf(stderr, "vrdma-perf: %s at %llu bytes: %s\n", opt->test_name,
				(unsigned long long)size, sample.error);
			free(sample.latency_us);
			return 1;
		}
		struct perf_figures figures;
		perf_figures_of(opt, &sample, &figures);
		free(sample.latency_us);
		perf_print_row(stdout, opt, &figures);
		if (sample.migrated) {
			perf_print_footer(stdout, opt);
			perf_print_migration(stdout, opt, &sample);
		}
		char err[512];
		/* perftest rewrites its JSON for every size: after -a, the last */
		if (opt->out_json && perf_write_json_migration(opt, &figures, &sample, err, sizeof err) != 0) {
			fprintf(stderr, "vrdma-perf: %s\n", err);
			return 2;
		}
	}
	perf_print_footer(stdout, opt);
	return 0;
}

int main(int argc, char **argv)
{
	struct perf_options opt;
	int rc = perf_parse_options(argc, argv, &opt, stderr);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	struct perf_world *world = NULL;
	char err[512];
	if (perf_world_create(&opt, &world, err, sizeof err) != 0) {
		fprintf(stderr, "vrdma-perf: %s\n", err);
		return 2;
	}
	int status = run(&opt, world);
	/* The trace is published only for a run that succeeded. */
	if (perf_world_destroy(world, status == 0, err, sizeof err) != 0) {
		fprintf(stderr, "vrdma-perf: %s\n", err);
		return 2;
	}
	return status;
}
