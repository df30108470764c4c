/*
 * vrdma/hca/soft/packet.h -- the soft HCA's wire format: InfiniBand
 * transport headers as RoCEv2 carries them in UDP (IBA vol. 1, 9.2-9.3),
 * RC opcodes only.  A packet is
 *     BTH (12) [RETH (16)] [AETH (4)] [IMMDT (4)] payload pad(0..3)
 * with every field in network byte order; which extended headers follow
 * the BTH is fixed by the opcode (opcode.c).  The ICRC is left out: UDP's
 * checksum covers loopback.
 *
 * Received bytes are untrusted: soft_pkt_decode() accepts only a packet
 * whose length, opcode, header set, pad and AETH syndrome are all valid,
 * and never reads outside the buffer it is given.
 */
#ifndef VRDMA_HCA_SOFT_PACKET_H
#define VRDMA_HCA_SOFT_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* BTH opcodes of the RC transport (IBA 9.2, table 38). */
enum soft_opcode {
	SOFT_OP_SEND_FIRST = 0x00,
	SOFT_OP_SEND_MIDDLE = 0x01,
	SOFT_OP_SEND_LAST = 0x02,
	SOFT_OP_SEND_LAST_IMM = 0x03,
	SOFT_OP_SEND_ONLY = 0x04,
	SOFT_OP_SEND_ONLY_IMM = 0x05,
	SOFT_OP_WRITE_FIRST = 0x06,
	SOFT_OP_WRITE_MIDDLE = 0x07,
	SOFT_OP_WRITE_LAST = 0x08,
	SOFT_OP_WRITE_LAST_IMM = 0x09,
	SOFT_OP_WRITE_ONLY = 0x0a,
	SOFT_OP_WRITE_ONLY_IMM = 0x0b,
	SOFT_OP_READ_REQUEST = 0x0c,
	SOFT_OP_READ_RESPONSE_FIRST = 0x0d,
	SOFT_OP_READ_RESPONSE_MIDDLE = 0x0e,
	SOFT_OP_READ_RESPONSE_LAST = 0x0f,
	SOFT_OP_READ_RESPONSE_ONLY = 0x10,
	SOFT_OP_ACKNOWLEDGE = 0x11,
	SOFT_OP_COUNT
};

/* What an opcode carries and means (opcode.c). */
enum {
	SOFT_HDR_RETH = 1u << 0,
	SOFT_HDR_AETH = 1u << 1,
	SOFT_HDR_IMMDT = 1u << 2,
	SOFT_HDR_PAYLOAD = 1u << 3,   /* may carry payload */
	SOFT_OPF_REQUEST = 1u << 4,   /* requester -> responder */
	SOFT_OPF_SEND = 1u << 5,
	SOFT_OPF_WRITE = 1u << 6,
	SOFT_OPF_READ = 1u << 7,      /* read request or read response */
	SOFT_OPF_FIRST = 1u << 8,     /* starts a message (FIRST or ONLY) */
	SOFT_OPF_LAST = 1u << 9,      /* ends a message (LAST or ONLY) */
	SOFT_OPF_RECV = 1u << 10      /* consumes a receive WQE at the responder */
};

struct soft_opcode_info {
	const char *name;
	unsigned int flags;
	uint8_t header_bytes;         /* BTH + extended headers */
};

/* NULL for opcodes outside the RC table. */
const struct soft_opcode_info *soft_opcode_info(unsigned int opcode);

#define SOFT_BTH_BYTES 12u
#define SOFT_RETH_BYTES 16u
#define SOFT_AETH_BYTES 4u
#define SOFT_IMMDT_BYTES 4u
#define SOFT_PKT_MAX_PAYLOAD 4096u
#define SOFT_PKT_MAX_BYTES (SOFT_BTH_BYTES + SOFT_RETH_BYTES + SOFT_AETH_BYTES + SOFT_IMMDT_BYTES + \
			    SOFT_PKT_MAX_PAYLOAD + 3u)

/* AETH syndrome (IBA 9.3.5): bits 7..5 the type, 4..0 credits, RNR timer
 * or NAK code. */
#define SOFT_AETH_TYPE_MASK 0xe0u
#define SOFT_AETH_ACK 0x00u
#define SOFT_AETH_RNR_NAK 0x20u
#define SOFT_AETH_NAK 0x60u
#define SOFT_AETH_ACK_UNLIMITED 0x1fu  /* ACK without end-to-end credits */
#define SOFT_AETH_NAK_PSN_SEQ 0x60u
#define SOFT_AETH_NAK_INVALID_REQ 0x61u
#define SOFT_AETH_NAK_REMOTE_ACCESS 0x62u
#define SOFT_AETH_NAK_REMOTE_OP 0x63u

/* One packet, decoded or to encode.  Fields of headers the opcode does not
 * carry are 0. */
struct soft_pkt {
	uint8_t opcode;
	uint8_t solicited;    /* BTH SE */
	uint8_t ackreq;       /* BTH A */
	uint8_t pad;          /* BTH PadCnt: bytes after the payload to a 4-byte boundary */
	uint16_t pkey;
	uint32_t dest_qpn;    /* 24 bits */
	uint32_t psn;         /* 24 bits */
	uint64_t va;          /* RETH */
	uint32_t rkey;
	uint32_t dma_length;
	uint8_t syndrome;     /* AETH */
	uint32_t msn;         /* 24 bits */
	uint32_t imm;         /* IMMDT, kept in network order as verbs hands it */
	const uint8_t *payload;
	uint32_t payload_bytes;
	const struct soft_opcode_info *info;
};

/* Parse `bytes` bytes at `buf`.  Returns 0 and fills *pkt (payload points
 * into buf), or EINVAL for anything malformed. */
int soft_pkt_decode(const uint8_t *buf, size_t bytes, struct soft_pkt *pkt);

/* Write pkt's headers at buf (room for SOFT_PKT_MAX_BYTES); the caller puts
 * pkt->payload_bytes of payload right after them.  Sets pkt->pad and
 * zeroes the pad bytes.  Returns the header bytes; the packet's total is
 * header + payload_bytes + pad (soft_pkt_bytes). */
size_t soft_pkt_encode(uint8_t *buf, struct soft_pkt *pkt);
static inline size_t soft_pkt_bytes(const struct soft_pkt *pkt)
{
	return (size_t)pkt->info->header_bytes + pkt->payload_bytes + pkt->pad;
}

#endif
