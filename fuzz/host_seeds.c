/*
 * fuzz/host_seeds.c -- writes the seed inputs of fuzz/fuzz_host.c: one
 * script per part of vrdma-host's protocol, against fuzz/fuzz_host.h.
 *
 *   host_seeds DIRECTORY     (`make fuzz-seeds` writes fuzz/corpus/host)
 *
 * Attaches and their refusals (version, memory, a full host), every way a
 * record can break the rules (size, fds, magic, kind, order), register
 * traffic, the doorbell page and the kick, guests that die or stop
 * listening mid-command, and a crowd of silent connections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_host.h"
#include "vrdma/device/abi.h"
#include "vrdma/host/wire.h"

#define SCRIPT_MAX_BYTES 4096u /* libFuzzer's -max_len in fuzz/run-fuzz */

static uint8_t script[SCRIPT_MAX_BYTES];
static size_t script_bytes;

static void put8(uint32_t v)
{
	if (script_bytes >= sizeof script) {
		fprintf(stderr, "host_seeds: a seed longer than %u bytes\n", SCRIPT_MAX_BYTES);
		exit(1);
	}
	script[script_bytes++] = (uint8_t)v;
}

static void put16(uint32_t v) { put8(v); put8(v >> 8); }
static void put32(uint32_t v) { put16(v); put16(v >> 16); }
static void put64(uint64_t v) { put32((uint32_t)v); put32((uint32_t)(v >> 32)); }

/* A register byte for offset `offset` of abi.h (registers in offset order). */
static uint32_t reg(uint32_t offset) { return offset / 4u; }

static void action(enum fh_action a, unsigned slot) { put8(a); put8(slot); }

static void hello(unsigned slot, uint32_t memory)
{
	action(A_HELLO, slot);
	put16(memory - 1u);
}

static void write_reg(unsigned slot, uint32_t offset, uint32_t value)
{
	action(A_WRITE_REG, slot);
	put8(reg(offset));
	put32(value);
}

static void read_regs(unsigned slot, unsigned n)
{
	action(A_READ_REGS, slot);
	put8(n - 1u);
	for (unsigned i = 0; i < n; i++)
		put8(i % 8u);
}

/* A record of form `form` with a register and value (every kind but HELLO). */
static void record_body(uint32_t form, uint32_t offset, uint32_t value)
{
	put8(form);
	if (form & FH_FORM_RAW_MAGIC)
		put32(0x12345678u);
	if ((form & 7u) == FH_FORM_KIND_ANY)
		put32(0x99u);
	put8(reg(offset));
	put32(value);
	if (form & FH_FORM_GARBAGE) {
		put64(0xdeadbeefcafef00dull);
		put32(0xffffffffu);
		put16(0xffffu);
		put8(0xff);
		put8(0xff);
		put8('x');
	}
}

static void record(unsigned slot, uint32_t form, uint32_t offset, uint32_t value)
{
	action(A_RECORD, slot);
	record_body(form, offset, value);
}

/* A HELLO record with a version and memory of the seed's choosing. */
static void raw_hello(unsigned slot, uint32_t version, uint64_t memory)
{
	action(A_RECORD, slot);
	put8(FH_FORM_HELLO | FH_FORM_RAW_VERSION | FH_FORM_RAW_MEMORY);
	put32(version);
	put64(memory);
}

static void honest(void) { action(A_HONEST, 0); }

static void doorbells(unsigned slot, uint32_t qp_value, uint32_t cq_value, unsigned kick)
{
	action(A_DOORBELLS, slot);
	put8(3);
	put8(0x80);
	put64(qp_value);
	put8(0x81);
	put64(cq_value);
	put8(5);
	put64(~0ull);
	put8(kick);
}

static void activate(unsigned slot, unsigned page, int reset)
{
	action(A_ACTIVATE, slot);
	put8(page);
	put8(reset);
}

static void memory(unsigned slot, uint32_t at, const uint8_t *bytes, unsigned n)
{
	action(A_MEMORY, slot);
	put32(at);
	put8(n);
	for (unsigned i = 0; i < n; i++)
		put8(bytes[i]);
}

static void write_seed(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(script, 1, script_bytes, f) != script_bytes || fclose(f) != 0) {
		fprintf(stderr, "host_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	script_bytes = 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: host_seeds DIRECTORY\n");
		return 2;
	}
	const char *dir = argv[1];

	/* attaches */
	hello(0, 64u << 10);
	read_regs(0, 8);
	write_reg(0, VRDMA_REG_IMR, 7);
	honest();
	write_seed(dir, "attach-read-write");

	hello(0, 4096);
	hello(1, 8192);
	hello(2, 1);
	hello(3, 4096); /* the host is full: refused */
	honest();
	action(A_HANG_UP, 1);
	hello(3, FH_MAX_MEMORY); /* now there is room */
	read_regs(3, 2);
	write_seed(dir, "attach-until-full");

	raw_hello(0, VHOST_WIRE_VERSION, 0);
	raw_hello(1, VHOST_WIRE_VERSION, (uint64_t)FH_MAX_MEMORY + 1u);
	raw_hello(2, 2, 4096);
	raw_hello(3, VHOST_WIRE_VERSION, ~0ull);
	honest();
	write_seed(dir, "hello-refused");

	/* out of order */
	write_reg(0, VRDMA_REG_CTL, VRDMA_CTL_ACTIVATE); /* before HELLO */
	read_regs(1, 1);
	record(2, FH_FORM_WELCOME, 0, 0);
	hello(3, 4096);
	hello(3, 4096); /* a second HELLO */
	hello(4, 4096);
	record(4, FH_FORM_REG_VALUE, VRDMA_REG_ERR, 1);
	hello(5, 4096);
	record(5, FH_FORM_KIND_ANY, 0, 0);
	honest();
	write_seed(dir, "out-of-order");

	/* the magic */
	hello(0, 4096);
	record(0, FH_FORM_WRITE_REG | FH_FORM_RAW_MAGIC, VRDMA_REG_IMR, 0);
	record(1, FH_FORM_HELLO | FH_FORM_RAW_MAGIC, 0, 0);
	hello(2, 4096);
	record(2, FH_FORM_WRITE_REG | FH_FORM_GARBAGE, VRDMA_REG_IMR, 0); /* fine */
	record(2, FH_FORM_READ_REG | FH_FORM_GARBAGE, VRDMA_REG_VERSION, 0);
	write_seed(dir, "magic-and-garbage");

	/* sizes */
	static const uint8_t size_forms[] = { 0, 254, 1, 127, 3, 255 };
	for (unsigned i = 0; i < sizeof size_forms; i++) {
		hello(i, 4096);
		action(A_BAD_SIZE, i);
		put8(size_forms[i]);
		record_body(FH_FORM_WRITE_REG, VRDMA_REG_IMR, 0);
		put8(0xab);
		action(A_BAD_SIZE, 10 + i); /* before HELLO too */
		put8(size_forms[i]);
		record_body(FH_FORM_HELLO, 0, 0);
		put8(0);
	}
	honest();
	write_seed(dir, "wrong-sizes");

	/* fds */
	action(A_FDS, 0);
	put8(0);
	put8(1);
	put8(FH_FORM_HELLO);
	put8(3);
	hello(1, 4096);
	action(A_FDS, 1);
	put8(FH_MAX_FDS - 1u); /* more than the host's control buffer takes */
	put8(1);
	record_body(FH_FORM_WRITE_REG, VRDMA_REG_IMR, 0);
	hello(2, 4096);
	action(A_FDS, 2);
	put8(1);
	put8(2); /* its own memory */
	record_body(FH_FORM_READ_REG, VRDMA_REG_VERSION, 0);
	hello(3, 4096);
	action(A_FDS, 3);
	put8(0);
	put8(0); /* its own socket */
	record_body(FH_FORM_WRITE_REG, VRDMA_REG_IMR, 0);
	honest();
	write_seed(dir, "fds");

	/* doorbells and kicks */
	hello(0, 64u << 10);
	doorbells(0, 1u | VRDMA_UAR_QP_SEND | VRDMA_UAR_QP_RECV, 1u | VRDMA_UAR_CQ_ARM, 1);
	action(A_KICK, 0);
	put64(~0ull);
	put8(3);
	action(A_KICK, 0);
	put64(~0ull - 1u);
	put8(3);
	honest();
	action(A_CLOSE_LINES, 0);
	put8(0x0f); /* close every line and the kick */
	doorbells(0, 4095u | VRDMA_UAR_QP_SEND, 4095u | VRDMA_UAR_CQ_ARM, 1);
	honest();
	write_seed(dir, "doorbells-and-kicks");

	/* commands from guest memory, and a guest that dies in one */
	hello(0, 64u << 10);
	static const uint8_t junk[] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0x10, 0, 0, 0, 0, 0, 0 };
	memory(0, 0, junk, sizeof junk);
	activate(0, 0, 0);
	write_reg(0, VRDMA_REG_REQUEST, 1);
	action(A_BURST, 0);
	put8(63);
	put8(reg(VRDMA_REG_REQUEST));
	put32(0);
	read_regs(0, 32);
	action(A_HANG_UP, 0);
	hello(1, 64u << 10);
	activate(1, 3, 1);
	write_reg(1, VRDMA_REG_REQUEST, 0);
	action(A_SHUT_WR, 1);
	honest();
	write_seed(dir, "die-mid-command");

	/* a crowd of silent connections: the oldest are crowded out */
	for (unsigned i = 0; i < 3; i++) {
		action(A_CONNECT, i * 8u);
		put8(7);
	}
	hello(19, 4096);
	honest();
	action(A_HANG_UP, 5);
	action(A_CONNECT, 5);
	put8(0);
	write_seed(dir, "crowd-of-silent");

	/* a guest that does not read its answers */
	hello(0, 4096);
	hello(1, 4096);
	action(A_FLOOD, 0);
	put8(255);
	action(A_FLOOD, 1);
	put8(0);
	honest();
	write_seed(dir, "unread-answers");

	/* a raw register offset, out of the file */
	hello(0, 4096);
	action(A_WRITE_REG, 0);
	put8(FH_REG_RAW);
	put32(0xfffffffcu);
	put32(1);
	action(A_READ_REGS, 0);
	put8(1);
	put8(FH_REG_RAW);
	put32(VRDMA_REG_FILE_BYTES);
	put8(0xf3);
	write_seed(dir, "registers-out-of-range");
	return 0;
}
