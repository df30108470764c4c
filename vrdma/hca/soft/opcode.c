/*
 * vrdma/hca/soft/opcode.c -- the RC opcode table: for every BTH opcode the
 * soft HCA speaks, which extended headers follow the BTH and what the
 * packet means to the responder (IBA 9.2, table 38; 9.3 header layouts).
 */
#include <stddef.h>

#include "vrdma/hca/soft/packet.h"

#define B SOFT_BTH_BYTES
#define R SOFT_RETH_BYTES
#define A SOFT_AETH_BYTES
#define I SOFT_IMMDT_BYTES
#define REQ SOFT_OPF_REQUEST
#define PAY SOFT_HDR_PAYLOAD
#define F SOFT_OPF_FIRST
#define L SOFT_OPF_LAST

static const struct soft_opcode_info opcodes[SOFT_OP_COUNT] = {
	[SOFT_OP_SEND_FIRST] = {"SEND_FIRST", REQ | SOFT_OPF_SEND | SOFT_OPF_RECV | PAY | F, B},
	[SOFT_OP_SEND_MIDDLE] = {"SEND_MIDDLE", REQ | SOFT_OPF_SEND | PAY, B},
	[SOFT_OP_SEND_LAST] = {"SEND_LAST", REQ | SOFT_OPF_SEND | PAY | L, B},
	[SOFT_OP_SEND_LAST_IMM] = {"SEND_LAST_WITH_IMMEDIATE",
				   REQ | SOFT_OPF_SEND | PAY | L | SOFT_HDR_IMMDT, B + I},
	[SOFT_OP_SEND_ONLY] = {"SEND_ONLY", REQ | SOFT_OPF_SEND | SOFT_OPF_RECV | PAY | F | L, B},
	[SOFT_OP_SEND_ONLY_IMM] = {"SEND_ONLY_WITH_IMMEDIATE",
				   REQ | SOFT_OPF_SEND | SOFT_OPF_RECV | PAY | F | L | SOFT_HDR_IMMDT,
				   B + I},
	[SOFT_OP_WRITE_FIRST] = {"RDMA_WRITE_FIRST", REQ | SOFT_OPF_WRITE | PAY | F | SOFT_HDR_RETH,
				 B + R},
	[SOFT_OP_WRITE_MIDDLE] = {"RDMA_WRITE_MIDDLE", REQ | SOFT_OPF_WRITE | PAY, B},
	[SOFT_OP_WRITE_LAST] = {"RDMA_WRITE_LAST", REQ | SOFT_OPF_WRITE | PAY | L, B},
	/* the receive WQE is consumed by the immediate, at the last packet */
	[SOFT_OP_WRITE_LAST_IMM] = {"RDMA_WRITE_LAST_WITH_IMMEDIATE",
				    REQ | SOFT_OPF_WRITE | PAY | L | SOFT_OPF_RECV | SOFT_HDR_IMMDT,
				    B + I},
	[SOFT_OP_WRITE_ONLY] = {"RDMA_WRITE_ONLY", REQ | SOFT_OPF_WRITE | PAY | F | L | SOFT_HDR_RETH,
				B + R},
	[SOFT_OP_WRITE_ONLY_IMM] = {"RDMA_WRITE_ONLY_WITH_IMMEDIATE",
				    REQ | SOFT_OPF_WRITE | PAY | F | L | SOFT_OPF_RECV |
					    SOFT_HDR_RETH | SOFT_HDR_IMMDT,
				    B + R + I},
	[SOFT_OP_READ_REQUEST] = {"RDMA_READ_REQUEST", REQ | SOFT_OPF_READ | F | L | SOFT_HDR_RETH,
				  B + R},
	[SOFT_OP_READ_RESPONSE_FIRST] = {"RDMA_READ_RESPONSE_FIRST",
					 SOFT_OPF_READ | PAY | F | SOFT_HDR_AETH, B + A},
	[SOFT_OP_READ_RESPONSE_MIDDLE] = {"RDMA_READ_RESPONSE_MIDDLE", SOFT_OPF_READ | PAY, B},
	[SOFT_OP_READ_RESPONSE_LAST] = {"RDMA_READ_RESPONSE_LAST",
					SOFT_OPF_READ | PAY | L | SOFT_HDR_AETH, B + A},
	[SOFT_OP_READ_RESPONSE_ONLY] = {"RDMA_READ_RESPONSE_ONLY",
					SOFT_OPF_READ | PAY | F | L | SOFT_HDR_AETH, B + A},
	[SOFT_OP_ACKNOWLEDGE] = {"ACKNOWLEDGE", F | L | SOFT_HDR_AETH, B + A},
};

const struct soft_opcode_info *soft_opcode_info(unsigned int opcode)
{
	return opcode < SOFT_OP_COUNT ? &opcodes[opcode] : NULL;
}
