/*
 * vrdma/hca/soft/packet.c -- encoding and validating decoding of the
 * transport headers (BTH, RETH, AETH, IMMDT) in network byte order.
 */
#include <errno.h>
#include <string.h>

#include "vrdma/hca/soft/packet.h"

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put24(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 16); put16(p + 1, v); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get24(const uint8_t *p) { return (uint32_t)p[0] << 16 | get16(p + 1); }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

/* BTH (IBA 9.2): opcode | SE M Pad(2) TVer(4) | P_Key(16) | reserved(8)
 * DestQP(24) | A reserved(7) PSN(24). */
static uint8_t *put_bth(uint8_t *p, const struct soft_pkt *pkt)
{
	p[0] = pkt->opcode;
	p[1] = (uint8_t)((pkt->solicited ? 0x80u : 0u) | (uint32_t)(pkt->pad & 3u) << 4);
	put16(p + 2, pkt->pkey);
	p[4] = 0;
	put24(p + 5, pkt->dest_qpn);
	p[8] = pkt->ackreq ? 0x80u : 0u;
	put24(p + 9, pkt->psn);
	return p + SOFT_BTH_BYTES;
}

size_t soft_pkt_encode(uint8_t *buf, struct soft_pkt *pkt)
{
	pkt->info = soft_opcode_info(pkt->opcode);
	pkt->pad = (uint8_t)((4u - (pkt->payload_bytes & 3u)) & 3u);
	uint8_t *p = put_bth(buf, pkt);
	unsigned int flags = pkt->info->flags;
	if (flags & SOFT_HDR_RETH) {
		put32(p, (uint32_t)(pkt->va >> 32));
		put32(p + 4, (uint32_t)pkt->va);
		put32(p + 8, pkt->rkey);
		put32(p + 12, pkt->dma_length);
		p += SOFT_RETH_BYTES;
	}
	if (flags & SOFT_HDR_AETH) {
		p[0] = pkt->syndrome;
		put24(p + 1, pkt->msn);
		p += SOFT_AETH_BYTES;
	}
	if (flags & SOFT_HDR_IMMDT) {
		memcpy(p, &pkt->imm, 4);   /* already in network order */
		p += SOFT_IMMDT_BYTES;
	}
	memset(p + pkt->payload_bytes, 0, pkt->pad);
	return (size_t)(p - buf);
}

/* An AETH syndrome the RC transport defines: an ACK, an RNR NAK, or a NAK
 * with a code of IBA table 44 (0..4). */
static int valid_syndrome(uint8_t syndrome)
{
	switch (syndrome & SOFT_AETH_TYPE_MASK) {
	case SOFT_AETH_ACK:
	case SOFT_AETH_RNR_NAK: return 1;
	case SOFT_AETH_NAK: return (syndrome & 0x1fu) <= 4u;
	default: return 0;
	}
}

static int decode_bth(const uint8_t *p, struct soft_pkt *pkt)
{
	pkt->opcode = p[0];
	pkt->info = soft_opcode_info(p[0]);
	if (!pkt->info || (p[1] & 0x0fu) != 0 || p[4] != 0 || (p[8] & 0x7fu) != 0)
		return EINVAL;   /* unknown opcode, transport version, reserved bits */
	pkt->solicited = (p[1] & 0x80u) != 0;
	pkt->pad = (p[1] >> 4) & 3u;
	pkt->pkey = (uint16_t)get16(p + 2);
	pkt->dest_qpn = get24(p + 5);
	pkt->ackreq = (p[8] & 0x80u) != 0;
	pkt->psn = get24(p + 9);
	return 0;
}

static void decode_ext(const uint8_t *p, struct soft_pkt *pkt)
{
	unsigned int flags = pkt->info->flags;
	if (flags & SOFT_HDR_RETH) {
		pkt->va = (uint64_t)get32(p) << 32 | get32(p + 4);
		pkt->rkey = get32(p + 8);
		pkt->dma_length = get32(p + 12);
		p += SOFT_RETH_BYTES;
	}
	if (flags & SOFT_HDR_AETH) {
		pkt->syndrome = p[0];
		pkt->msn = get24(p + 1);
		p += SOFT_AETH_BYTES;
	}
	if (flags & SOFT_HDR_IMMDT)
		memcpy(&pkt->imm, p, 4);
}

/* Header combinations a well-formed packet of this opcode must satisfy. */
static int valid_combination(const struct soft_pkt *pkt)
{
	unsigned int flags = pkt->info->flags;
	if (!(flags & SOFT_HDR_PAYLOAD) && (pkt->payload_bytes != 0 || pkt->pad != 0))
		return 0;
	if ((pkt->payload_bytes + pkt->pad) % 4u != 0)
		return 0;
	if ((flags & SOFT_HDR_AETH) && !valid_syndrome(pkt->syndrome))
		return 0;
	/* read responses carry an ACK syndrome; NAKs travel in ACKNOWLEDGE */
	if ((flags & SOFT_OPF_READ) && (flags & SOFT_HDR_AETH) &&
	    (pkt->syndrome & SOFT_AETH_TYPE_MASK) != SOFT_AETH_ACK)
		return 0;
	if (pkt->opcode == SOFT_OP_READ_REQUEST && pkt->dma_length > 0x80000000u)
		return 0;
	if ((pkt->opcode == SOFT_OP_WRITE_ONLY || pkt->opcode == SOFT_OP_WRITE_ONLY_IMM) &&
	    pkt->dma_length != pkt->payload_bytes)
		return 0;
	if (pkt->opcode == SOFT_OP_WRITE_FIRST && pkt->dma_length <= pkt->payload_bytes)
		return 0;
	return 1;
}

int soft_pkt_decode(const uint8_t *buf, size_t bytes, struct soft_pkt *pkt)
{
	memset(pkt, 0, sizeof *pkt);
	if (!buf || bytes < SOFT_BTH_BYTES || bytes > SOFT_PKT_MAX_BYTES || decode_bth(buf, pkt))
		return EINVAL;
	size_t header = pkt->info->header_bytes;
	if (bytes < header + pkt->pad)
		return EINVAL;
	decode_ext(buf + SOFT_BTH_BYTES, pkt);
	pkt->payload = buf + header;
	pkt->payload_bytes = (uint32_t)(bytes - header - pkt->pad);
	if (pkt->payload_bytes > SOFT_PKT_MAX_PAYLOAD || !valid_combination(pkt))
		return EINVAL;
	return 0;
}
