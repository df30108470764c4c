/*
 * vrdma/host/wire.h -- what a guest process and its vrdma-host say on the
 * host's UNIX socket (SOCK_SEQPACKET: one message per record).
 *
 *   guest                          host
 *   HELLO (memory_bytes, version)  ->
 *                                  <- WELCOME (err, guest_id, host_id, memory_bytes)
 *                                     + SCM_RIGHTS: the VHOST_WELCOME_FDS fds, in
 *                                     enum vhost_fd order (none when err != 0)
 *   WRITE_REG (offset, value)      ->   a register write: a VM exit (no answer)
 *   READ_REG (offset)              ->
 *                                  <- REG_VALUE (value)
 *
 * A move (host/guest_move.c): the guest's VMM stops its vCPUs, then
 *   SAVE                           ->   to the source (ATTACHED)
 *                                  <- SAVED (err, memory_bytes: the state's bytes,
 *                                     value: sends in flight, offset: receives posted,
 *                                     cqes_unpolled)
 *                                     + SCM_RIGHTS: 1 fd, a sealed memfd holding the
 *                                     saved state (none when err != 0)
 * and, on a new connection to the destination, instead of HELLO:
 *   RESTORE (memory_bytes, version, offset: the vectors with an interrupt
 *            the guest had not read, bit v for vector v)
 *            + SCM_RIGHTS: 2 fds, the state's memfd and the memory's memfd ->
 *                                  <- WELCOME, as for HELLO
 * When the destination refuses, the VMM asks the source to take it back:
 *   RESUME (offset: pending vectors, as RESTORE's) -> to the source (SAVED)
 *                                  <- WELCOME, as for HELLO (the VM restored
 *                                     here from the state saved here)
 * A connection that hangs up while SAVED ends its VM, as any other.
 *
 * Doorbells do not travel here: the guest rings its doorbell page and
 * kicks (device/doorbells.h).  Every record is exactly sizeof(struct
 * vhost_msg); a guest's record of another size, with fds attached, of an
 * unknown kind or out of order ends its connection, and with it its VM;
 * RESTORE is the one record that carries fds (exactly 2).
 */
#ifndef VRDMA_HOST_WIRE_H
#define VRDMA_HOST_WIRE_H

#include <stdint.h>

#include "vrdma/device/abi.h"

#define VHOST_MAGIC 0x686d7276u /* "vrmh" */
#define VHOST_WIRE_VERSION 1u

enum vhost_kind {
	VHOST_HELLO = 1,
	VHOST_WELCOME = 2,
	VHOST_WRITE_REG = 3,
	VHOST_READ_REG = 4,
	VHOST_REG_VALUE = 5,
	VHOST_SAVE = 6,
	VHOST_SAVED = 7,
	VHOST_RESTORE = 8,
	VHOST_RESUME = 9,
};

/* The fds a RESTORE carries, in this order. */
enum vhost_restore_fd {
	VHOST_RESTORE_FD_STATE = 0,  /* a memfd: the saved state (vbackend_save_vm's bytes) */
	VHOST_RESTORE_FD_MEMORY = 1, /* a memfd: the guest's memory, memory_bytes of it */
	VHOST_RESTORE_FDS = 2
};

/* The fds a WELCOME carries, in this order. */
enum vhost_fd {
	VHOST_FD_MEMORY = 0,    /* the guest memory's memfd (sealed), memory_bytes long */
	VHOST_FD_DOORBELLS = 1, /* one page: struct vrdma_doorbells */
	VHOST_FD_KICK = 2,      /* eventfd: write 1 after ringing */
	VHOST_FD_IRQ = 3,       /* VRDMA_VECTOR_COUNT SOCK_SEQPACKET sockets, by vector */
	VHOST_WELCOME_FDS = VHOST_FD_IRQ + VRDMA_VECTOR_COUNT
};

struct vhost_msg {
	uint32_t magic;          /* VHOST_MAGIC */
	uint32_t kind;           /* enum vhost_kind */
	uint32_t offset;         /* WRITE_REG, READ_REG: the register (abi.h);
				    RESTORE, RESUME: pending interrupt vectors */
	uint32_t value;          /* WRITE_REG, REG_VALUE: the value; HELLO: VHOST_WIRE_VERSION */
	uint64_t memory_bytes;   /* HELLO, RESTORE: asked; WELCOME: given (whole
				    pages); SAVED: the state's bytes */
	int32_t err;             /* WELCOME, SAVED: 0, or an errno and `why` */
	uint16_t guest_id;       /* WELCOME: the device number on this host (after
				    RESTORE, RESUME: the one the guest had, kept) */
	uint8_t host_id;         /* WELCOME: the host's number in traces */
	uint8_t reserved;
	char why[88];            /* WELCOME, SAVED with err: the host's reason, NUL-terminated */
	uint32_t cqes_unpolled;  /* SAVED: CQEs in the guest's CQ rings it had not polled */
	uint32_t reserved2;
};
_Static_assert(sizeof(struct vhost_msg) == 128, "one fixed record size on the wire");

#endif
