/*
 * fuzz/fuzz_host.h -- what an input of fuzz/fuzz_host.c is, for the harness
 * and for its seed writer (fuzz/host_seeds.c).
 *
 * A script of up to FH_MAX_ACTIONS actions, each an opcode byte (mod
 * A_COUNT), a slot byte (mod FH_SLOTS: which hostile connection; an action
 * on an empty slot connects it first) and its operands; multi-byte
 * operands little-endian.  fuzz/README.md has the table.
 */
#ifndef VRDMA_FUZZ_HOST_H
#define VRDMA_FUZZ_HOST_H

#define FH_SLOTS 20u               /* hostile connections at once: > VHOST_MAX_UNATTACHED */
#define FH_MAX_GUESTS 4u           /* the host's --guests: the honest guest and three hostile */
#define FH_MAX_MEMORY (256u << 10) /* the host's --memory-per-guest */
#define FH_MAX_ACTIONS 64u
#define FH_MAX_FDS 24u             /* fds one record may carry */
#define FH_STATES 4u               /* saved states an input keeps for its RESTOREs */
#define FH_RESTORE_MAX_FDS 3u      /* a RESTORE carries 0..3 fds */

enum fh_action {
	A_CONNECT,     /* n: connect 1 + n % 8 empty slots from this one */
	A_HELLO,       /* memory (16 bits): a well-formed HELLO for memory % max + 1 bytes */
	A_RECORD,      /* a record (below) */
	A_WRITE_REG,   /* register, value (32) */
	A_READ_REGS,   /* n, registers: 1 + n % 32 READ_REGs sent at once */
	A_BAD_SIZE,    /* size form, a record, fill byte: a record of another size */
	A_FDS,         /* n, which, a record: a record carrying 1 + n % FH_MAX_FDS fds */
	A_DOORBELLS,   /* n, n x (word, value (64)), kick: the doorbell page */
	A_KICK,        /* value (64), n: the kick eventfd */
	A_MEMORY,      /* offset (32), n, n bytes: guest memory */
	A_HANG_UP,     /* the guest process dies */
	A_SHUT_WR,     /* the guest says no more */
	A_CLOSE_LINES, /* which: close or drain interrupt lines and the kick */
	A_HONEST,      /* the honest guest's round trip, now */
	A_BURST,       /* n, register, value (32): 1 + n % 64 WRITE_REGs at once */
	A_ACTIVATE,    /* page, reset: DSR_LOW, DSR_HIGH, CTL ACTIVATE or RESET */
	A_FLOOD,       /* n: 256 + 8 n READ_REGs, no answer read until the last is sent */
	A_SAVE,        /* n, n % 4 registers: that many READ_REGs, then SAVE, all sent at once */
	A_RESUME,      /* pending: RESUME, these vectors pending */
	A_RESTORE,     /* form, [version (32)], [memory], pending, n, fds: a RESTORE (below) */
	A_SETUP,       /* as a driver: RESET, DSR, ACTIVATE, CREATE_PD, CREATE_MR (64 KiB or more) */
	A_COUNT
};

/* A record's first byte, its form: bit 7 a magic (32) from the input;
 * bits 0-2 the kind (0: any (32), 1-2 WRITE_REG, 3 READ_REG, 4 HELLO,
 * 5 WELCOME, 6 REG_VALUE, 7: 0); a HELLO's bit 6: a version (32) from the
 * input, bit 5: memory (64) from the input, else 1 KiB x (1 + a byte);
 * other kinds: register, value (32); bit 4: garbage in the unread fields
 * (64, 32, 16, 8, 8, 8). */
#define FH_FORM_KIND_ANY 0u
#define FH_FORM_WRITE_REG 1u
#define FH_FORM_READ_REG 3u
#define FH_FORM_HELLO 4u
#define FH_FORM_WELCOME 5u
#define FH_FORM_REG_VALUE 6u
#define FH_FORM_GARBAGE 0x10u
#define FH_FORM_RAW_MEMORY 0x20u
#define FH_FORM_RAW_VERSION 0x40u
#define FH_FORM_RAW_MAGIC 0x80u

/* A RESTORE's form byte: bit 0 a version (32) from the input, else
 * VHOST_WIRE_VERSION; bit 2 memory (64) from the input, else bit 1 memory
 * (16) % max + 1, else the memory of the guest whose state the fds name
 * (as a VMM sends it; 4 KiB when they name none).  Then the pending
 * vectors (8), the fd count (8, % (FH_RESTORE_MAX_FDS + 1)) and each fd:
 * a kind byte (% FH_FD_COUNT) and its operands. */
#define FH_RESTORE_RAW_VERSION 0x01u
#define FH_RESTORE_MEMORY_16 0x02u
#define FH_RESTORE_MEMORY_64 0x04u

enum fh_fd_kind {
	FH_FD_STATE,     /* i: saved state i % those saved (none yet: an empty memfd) */
	FH_FD_FUZZED,    /* n, n bytes: a memfd holding them, a state nobody saved */
	FH_FD_TRUNCATED, /* i, bytes (16): saved state i cut to bytes % its size */
	FH_FD_FLIPPED,   /* i, at (16), x: saved state i with byte at % its size ^ x (0: 1) */
	FH_FD_MEMORY,    /* slot: that slot's guest memory (none: a fresh memfd of the max) */
	FH_FD_PIPE,      /* a pipe's read end */
	FH_FD_DEV_NULL,  /* /dev/null */
	FH_FD_SMALL,     /* bytes (16): a memfd of that many zero bytes */
	FH_FD_COUNT
};

/* A register byte: below 0xf0 one of the eight registers of abi.h (mod 8,
 * in offset order), 0xf0..0xfe offsets 0..56, 0xff an offset (32). */
#define FH_REG_RAW 0xffu

#endif
