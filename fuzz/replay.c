/*
 * fuzz/replay.c -- a main for a fuzz harness without libFuzzer: runs every
 * committed corpus input through LLVMFuzzerTestOneInput once, so `make
 * check` compiles each harness against the current library and regression-
 * tests its corpus (seeds and the inputs of fixed findings) under the
 * build's sanitizers.
 *
 *   replay_NAME [FILE or DIRECTORY]...
 * Without arguments: $VRDMASIM_SRCDIR/fuzz/corpus/FUZZ_CORPUS (FUZZ_CORPUS
 * is fixed at compile time, the harness's corpus name; VRDMASIM_SRCDIR
 * defaults to the current directory).  Files of a directory run in name
 * order.  Exit 0 when every input ran, 1 when an input could not be read or
 * a directory holds none (an emptied corpus must not pass); a finding
 * aborts as it does under libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS: the harness's corpus folder under fuzz/corpus/"
#endif

/* libFuzzer's own -max_len in fuzz/run-fuzz: longer inputs are never made. */
#define MAX_INPUT_BYTES 4096u

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	static uint8_t data[MAX_INPUT_BYTES + 1];
	size_t n = fread(data, 1, sizeof data, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > MAX_INPUT_BYTES) {
		fprintf(stderr, "replay: %s: %s\n", path, bad ? "read error" : "longer than -max_len");
		return 1;
	}
	/* a copy of exactly n bytes, so ASan sees a read past the input */
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy) {
		fprintf(stderr, "replay: out of memory\n");
		return 1;
	}
	memcpy(copy, data, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of `dir`, in name order; OUT: *count inputs run. */
static int run_dir(const char *dir, unsigned int *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, NULL);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	qsort(names, (size_t)n, sizeof *names, by_name);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			failed |= run_file(path);
			++*count;
		}
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	char default_dir[4096];
	const char *srcdir = getenv("VRDMASIM_SRCDIR");
	snprintf(default_dir, sizeof default_dir, "%s/fuzz/corpus/%s", srcdir ? srcdir : ".", FUZZ_CORPUS);
	char *defaults[] = {argv[0], default_dir, NULL};
	if (argc < 2) {
		argc = 2;
		argv = defaults;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		unsigned int count = 0;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			failed |= run_dir(argv[i], &count);
			if (count == 0) {
				fprintf(stderr, "replay: %s: no inputs\n", argv[i]);
				failed = 1;
			}
		} else {
			failed |= run_file(argv[i]);
			count = 1;
		}
		printf("replay: %s: %u input(s)\n", argv[i], count);
	}
	return failed;
}
