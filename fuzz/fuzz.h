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

#endif
