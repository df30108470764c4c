/*
 * fuzz/fuzz.h -- the libFuzzer entry points every harness in fuzz/ defines.
 * libFuzzer (clang -fsanitize=fuzzer, fuzz/run-fuzz) calls them; where it
 * is not available (gcc builds, `make check`) fuzz/replay.c's main runs the
 * committed corpus through them instead.
 *
 * LLVMFuzzerInitialize is called once before any input; it may keep state
 * for the process.  LLVMFuzzerTestOneInput runs one input and returns 0; a
 * finding aborts (a harness check, or a sanitizer report).
 */
#ifndef VRDMA_FUZZ_H
#define VRDMA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a script: a cursor that reads bytes off its front, 0 once
 * it is used up.  Multi-byte values are little-endian, each byte read in
 * its own statement: the order in which the operands of `|` are evaluated
 * is unspecified (gcc and clang differ), and an input must mean the same
 * script under both. */
struct in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t g8(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t g16(struct in *in)
{
	uint16_t low = g8(in);
	return (uint16_t)(low | (uint16_t)g8(in) << 8);
}

static inline uint32_t g32(struct in *in)
{
	uint32_t low = g16(in);
	return low | (uint32_t)g16(in) << 16;
}

static inline uint64_t g64(struct in *in)
{
	uint64_t low = g32(in);
	return low | (uint64_t)g32(in) << 32;
}

#endif
