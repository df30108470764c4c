/*
 * fuzz/host_seeds.c -- writes the seed inputs of fuzz/fuzz_host.c: one
 * script per part of vrdma-host's protocol, against fuzz/fuzz_host.h.
 *
 *   host_seeds DIRECTORY     (`make fuzz-seeds` writes fuzz/corpus/host)
 *
 * Attaches and their refusals (version, memory, a full host), every way a
 * record can break the rules (size, fds, magic, kind, order), register
 * traffic, the doorbell page and the kick, guests that die or stop
 * listening mid-command, and a crowd of silent connections.  A move's
 * records: save then resume, save then hang up, restores of real states
 * (welcomed) and of spoilt ones, with every wrong count and kind of fd,
 * and each of them out of order.
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
	put8(2); /* 2 % 8 + 1 = 3 words */
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

/* ---- a move (SAVE, RESUME, RESTORE) ---- */

/* READS READ_REGs, then a SAVE. */
static void save(unsigned slot, unsigned reads)
{
	action(A_SAVE, slot);
	put8(reads);
	for (unsigned i = 0; i < reads; i++)
		put8(i % 8u);
}

static void resume(unsigned slot, unsigned pending)
{
	action(A_RESUME, slot);
	put8(pending);
}

/* A RESTORE's head: its fds follow (fd_*), NFDS of them.  MEMORY is read
 * as FORM says (0: the memory of the guest whose state is passed). */
static void restore(unsigned slot, uint32_t form, uint32_t version, uint64_t memory, unsigned nfds)
{
	action(A_RESTORE, slot);
	put8(form);
	if (form & FH_RESTORE_RAW_VERSION)
		put32(version);
	if (form & FH_RESTORE_MEMORY_64)
		put64(memory);
	else if (form & FH_RESTORE_MEMORY_16)
		put16((uint32_t)(memory - 1u));
	put8(1); /* vector 0 pending */
	put8(nfds);
}

/* A RESTORE as a VMM sends it: saved state STATE, the guest memory of SOURCE. */
static void restore_moved(unsigned slot, unsigned state, unsigned source)
{
	restore(slot, 0, 0, 0, 2);
	put8(FH_FD_STATE);
	put8(state);
	put8(FH_FD_MEMORY);
	put8(source);
}

static void fd_state(unsigned state) { put8(FH_FD_STATE); put8(state); }
static void fd_memory(unsigned slot) { put8(FH_FD_MEMORY); put8(slot); }
static void fd_small(uint32_t bytes) { put8(FH_FD_SMALL); put16(bytes); }

static void fd_flipped(unsigned state, uint32_t at, uint32_t x)
{
	put8(FH_FD_FLIPPED);
	put8(state);
	put16(at);
	put8(x);
}

static void fd_truncated(unsigned state, uint32_t bytes)
{
	put8(FH_FD_TRUNCATED);
	put8(state);
	put16(bytes);
}

/* A state nobody saved: the magic and a header, the rest garbage. */
static void fd_fuzzed(void)
{
	static const char magic[] = "VRDMAMIG";
	put8(FH_FD_FUZZED);
	put8(64);
	for (unsigned i = 0; i < 8; i++)
		put8((uint8_t)magic[i]);
	put32(1);  /* version */
	put32(32); /* header bytes */
	put32(32); /* body bytes: all there */
	put32(0);
	put32(0x1234567u); /* a CRC-32 it is not */
	put32(0);
	for (unsigned i = 32; i < 64; i++)
		put8(i);
}

/* A record of any kind, with N eventfds (1..FH_MAX_FDS). */
static void fds_of_kind(unsigned slot, uint32_t kind, unsigned n)
{
	action(A_FDS, slot);
	put8(n - 1u);
	put8(1); /* eventfds */
	put8(FH_FORM_KIND_ANY);
	put32(kind);
	put8(reg(VRDMA_REG_VERSION));
	put32(VHOST_WIRE_VERSION);
}

static void record_of_kind(unsigned slot, uint32_t kind)
{
	action(A_RECORD, slot);
	put8(FH_FORM_KIND_ANY);
	put32(kind);
	put8(reg(VRDMA_REG_VERSION));
	put32(0);
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

	/* a move that fails at the destination: save, then resume here */
	hello(0, 64u << 10);
	read_regs(0, 2);
	save(0, 3); /* the answers to 3 READ_REGs, then SAVED */
	honest();
	doorbells(0, 1u | VRDMA_UAR_QP_SEND, 1u | VRDMA_UAR_CQ_ARM, 1); /* into a stopped VM */
	static const uint8_t marks[] = { 0xde, 0xad, 0xbe, 0xef };
	memory(0, 4096, marks, sizeof marks);
	resume(0, 7);
	read_regs(0, 8);
	write_reg(0, VRDMA_REG_IMR, 7);
	save(0, 0); /* a written device: may be refused */
	resume(0, 0);
	honest();
	write_seed(dir, "move-save-resume");

	/* a guest that hangs up while saved: its VM ends */
	hello(0, 4096);
	hello(1, 8192);
	hello(2, 4096); /* the host is full */
	save(1, 1);
	hello(3, 4096); /* a saved VM still counts: refused */
	action(A_HANG_UP, 1);
	hello(3, 4096); /* now there is room */
	save(3, 0);
	action(A_SHUT_WR, 3);
	honest();
	write_seed(dir, "move-save-hang-up");

	/* moves that work: a state restored beside its stopped source, which
	 * then goes; the restored guest saved and restored again, and resumed */
	hello(0, 64u << 10);
	save(0, 1);
	restore_moved(1, 0, 0);
	read_regs(1, 8);
	action(A_HANG_UP, 0);
	honest();
	save(1, 0);
	restore_moved(2, 1, 1);
	read_regs(2, 4);
	resume(1, 0);
	read_regs(1, 4);
	honest();
	write_seed(dir, "move-restore");

	/* spoilt states and memory: each refused, then the source resumes */
	hello(0, 64u << 10);
	save(0, 0);
	restore(1, 0, 0, 0, 2);
	fd_flipped(0, 0, 0xff); /* the magic */
	fd_memory(0);
	restore(2, 0, 0, 0, 2);
	fd_flipped(0, 40, 1); /* the body */
	fd_memory(0);
	restore(3, 0, 0, 0, 2);
	fd_flipped(0, 24, 0x80); /* the checksum */
	fd_memory(0);
	restore(4, 0, 0, 0, 2);
	fd_truncated(0, 31); /* within the header */
	fd_memory(0);
	restore(5, 0, 0, 0, 2);
	fd_truncated(0, 40);
	fd_memory(0);
	restore(6, FH_RESTORE_MEMORY_16, 0, 64u << 10, 2);
	fd_fuzzed();
	fd_memory(0);
	restore(7, FH_RESTORE_MEMORY_16, 0, 64u << 10, 2);
	fd_memory(0); /* guest memory as the state */
	fd_memory(0);
	restore(8, FH_RESTORE_MEMORY_16, 0, 4096, 2); /* the state's guest had 64 KiB */
	fd_state(0);
	fd_memory(0);
	restore(9, 0, 0, 0, 2);
	fd_state(0);
	fd_small(4096); /* memory too small */
	restore(10, FH_RESTORE_RAW_VERSION, 2, 0, 2);
	fd_state(0);
	fd_memory(0);
	restore(11, FH_RESTORE_MEMORY_64, 0, 0, 2);
	fd_state(0);
	fd_memory(0);
	restore(12, FH_RESTORE_MEMORY_64, 0, (uint64_t)FH_MAX_MEMORY + 1u, 2);
	fd_state(0);
	fd_memory(0);
	resume(0, 1);
	honest();
	write_seed(dir, "move-restore-spoilt");

	/* wrong counts and kinds of fds */
	restore(0, 0, 0, 0, 2); /* nothing saved yet: empty memfds */
	fd_state(0);
	fd_memory(0);
	hello(1, 4096);
	save(1, 0);
	restore(2, 0, 0, 0, 0);
	restore(3, 0, 0, 0, 1);
	fd_state(0);
	restore(4, 0, 0, 0, 3);
	fd_state(0);
	fd_memory(1);
	put8(FH_FD_PIPE);
	restore(5, 0, 0, 0, 2);
	fd_state(0);
	put8(FH_FD_PIPE);
	restore(6, 0, 0, 0, 2);
	put8(FH_FD_DEV_NULL);
	fd_memory(1);
	restore(7, 0, 0, 0, 2);
	put8(FH_FD_PIPE);
	fd_memory(1);
	restore(8, 0, 0, 0, 2);
	fd_state(0);
	put8(FH_FD_DEV_NULL);
	restore(9, FH_RESTORE_MEMORY_16, 0, 4096, 2);
	fd_small(200); /* zeros as the state */
	fd_memory(1);
	fds_of_kind(10, VHOST_RESTORE, 2);
	fds_of_kind(11, VHOST_RESTORE, FH_MAX_FDS); /* more than the host takes */
	record_of_kind(12, VHOST_RESTORE); /* without fds */
	hello(13, 4096);
	hello(14, 4096);
	restore_moved(15, 0, 1); /* the host is full */
	honest();
	write_seed(dir, "move-restore-fds");

	/* each record of a move out of order, and anything but RESUME in SAVED */
	save(0, 0); /* before HELLO */
	record_of_kind(1, VHOST_RESUME);
	hello(2, 4096);
	resume(2, 0); /* attached, not saved */
	hello(3, 4096);
	restore_moved(3, 0, 3); /* fds past NEW */
	hello(4, 4096);
	record_of_kind(4, VHOST_RESTORE);
	record_of_kind(5, VHOST_SAVED);
	hello(5, 4096);
	save(5, 0);
	write_reg(5, VRDMA_REG_IMR, 1);
	hello(6, 4096);
	save(6, 0);
	save(6, 0);
	hello(7, 4096);
	save(7, 0);
	read_regs(7, 1);
	hello(8, 4096);
	save(8, 0);
	hello(8, 4096);
	hello(9, 4096);
	save(9, 0);
	record_of_kind(9, VHOST_RESTORE);
	hello(10, 4096);
	save(10, 0);
	fds_of_kind(10, VHOST_RESUME, 1);
	honest();
	write_seed(dir, "move-out-of-order");

	/* a device that was activated: its save and restore may go either way */
	hello(0, 64u << 10);
	activate(0, 0, 0);
	save(0, 2);
	restore_moved(1, 0, 0);
	resume(0, 0);
	honest();
	write_seed(dir, "move-activated");

	/* a guest with a region, as a driver sets it up: resumed where it was
	 * saved (the stopped VM must not keep the region's key from it) */
	hello(0, 64u << 10);
	action(A_SETUP, 0);
	save(0, 0);
	resume(0, 1);
	read_regs(0, 2);
	honest();
	write_seed(dir, "regress-resume-region-key-taken");

	/* a state with a region restored beside its source (the key is
	 * taken), then after the source has gone (it is free) */
	hello(0, 64u << 10);
	action(A_SETUP, 0);
	save(0, 1);
	restore_moved(1, 0, 0);
	resume(0, 0);
	save(0, 0);
	action(A_HANG_UP, 0);
	restore_moved(2, 1, 0); /* slot 0's memory is gone: a fresh memfd */
	read_regs(2, 2);
	save(2, 0);
	resume(2, 0);
	honest();
	write_seed(dir, "move-with-a-region");
	return 0;
}
