/*
 * fuzz/fuzz_restore.c -- libFuzzer harness for the restore path of live
 * migration (vrdma/backend/migrate.c, vbackend_restore_vm): a saved state
 * comes from another host and is untrusted.
 *
 * One host (a software HCA that drops every packet it sends, so a restored
 * QP's "new location" messages reach nobody, and a backend), made once.
 * Input: byte 0 says what follows.  Bit 0 clear: the body of a saved state,
 * which the harness seals with a good header (magic, version, lengths,
 * CRC-32), so the fuzzer reaches the contents past the checksum; bit 0
 * set: a whole saved state, header included, as it arrives.  The state is
 * restored over 1 MiB of zeroed guest memory (FZ_MEMORY, the size of the
 * seed's guest, tests/vrdma/test_migrate.c).
 *
 * After each input: a refusal leaves an error that starts where it says
 * (the header's or "saved state: byte offset N"); a state restored is
 * destroyed; either way the host's accounting is back where it was (a
 * restored object not charged, or a refused one not released, aborts).
 *
 * Seeds (fuzz/corpus/restore): a real saved state of test_migrate's small
 * guest (an MR, a CQ, a QP in RTS with a posted receive), as a body and
 * whole; regenerate with VRDMA_RESTORE_SEEDS=DIR tests/vrdma/test_migrate.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "vrdma/backend/backend.h"
#include "vrdma/hca/hca.h"

#define FZ_MEMORY (1u << 20)
#define FZ_HEADER 32u

static struct vhca *hca;
static struct vbackend *backend;
static struct vacct_usage baseline[VACCT_COUNT];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[256];
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.loss_probability = 1.0; /* nothing leaves: a restored peer address is the input's */
	if (vhca_soft_create(&hc, NULL, 1, &hca, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_restore: %s\n", err);
		abort();
	}
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = hca;
	bc.host_id = 1;
	if (vbackend_start(&bc, &backend, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_restore: %s\n", err);
		abort();
	}
	vbackend_get_usage(backend, NULL, baseline);
	return 0;
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int raw = data[0] & 1;
	size_t n = size - 1;
	uint8_t *state = malloc(FZ_HEADER + n + 1);
	if (state == NULL)
		abort();
	size_t bytes;
	if (raw) {
		memcpy(state, data + 1, n);
		bytes = n;
	} else {
		memcpy(state, "VRDMAMIG", 8);
		le32(state + 8, VBACKEND_MIGRATION_VERSION);
		le32(state + 12, FZ_HEADER);
		le32(state + 16, (uint32_t)n);
		le32(state + 20, 0);
		le32(state + 24, crc32_of(data + 1, n));
		le32(state + 28, 0);
		memcpy(state + FZ_HEADER, data + 1, n);
		bytes = FZ_HEADER + n;
	}
	char err[256] = "";
	struct vrdma_vm *vm = NULL;
	int rc = vbackend_restore_vm(backend, state, bytes, NULL, FZ_MEMORY, &vm, NULL, err, sizeof err);
	if (rc == 0) {
		vbackend_destroy_vm(backend, vm);
	} else if (strncmp(err, "saved state: ", 13) != 0) {
		fprintf(stderr, "fuzz_restore: a refusal without a located error: \"%s\"\n", err);
		abort();
	}
	struct vacct_usage now[VACCT_COUNT];
	vbackend_get_usage(backend, NULL, now);
	for (int r = 0; r < VACCT_COUNT; r++)
		if (now[r].in_use != baseline[r].in_use) {
			fprintf(stderr, "fuzz_restore: %s in use %llu after the input, %llu before\n",
				vacct_resource_names[r], (unsigned long long)now[r].in_use,
				(unsigned long long)baseline[r].in_use);
			abort();
		}
	free(state);
	return 0;
}
