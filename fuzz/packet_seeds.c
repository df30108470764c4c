/*
 * fuzz/packet_seeds.c -- writes the seed inputs of fuzz/fuzz_packet.c: one
 * script per packet kind and exchange, with packets encoded by the soft
 * HCA's own encoder against the harness's fixed world (fuzz_packet.h).
 *
 *   packet_seeds DIRECTORY     (`make fuzz-seeds` writes fuzz/corpus/packet)
 *
 * Requests from the peer (every request opcode, multi-packet messages
 * across the PSN wrap, READs), the answers to H's own requests (ACK, NAK
 * sequence, RNR NAK, fatal NAKs, read responses), and the usual faults:
 * duplicates, PSN gaps, bad keys, bad lengths, truncated packets, a wrong
 * port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_packet.h"
#include "vrdma/hca/soft/packet.h"

#define SCRIPT_MAX_BYTES 4096u   /* libFuzzer's -max_len in fuzz/run-fuzz */

static uint8_t script[SCRIPT_MAX_BYTES];
static size_t script_bytes;

static void put8(uint32_t v)
{
	if (script_bytes >= sizeof script) {
		fprintf(stderr, "packet_seeds: a seed longer than %u bytes\n", SCRIPT_MAX_BYTES);
		exit(1);
	}
	script[script_bytes++] = (uint8_t)v;
}

static void put16(uint32_t v) { put8(v); put8(v >> 8); }
static void put32(uint32_t v) { put16(v); put16(v >> 16); }

/* A packet to QP `qpn`; `cut` bytes are left off its end (truncation). */
static void packet_cut(uint8_t opcode, uint32_t qpn, uint32_t psn, int ackreq, uint32_t payload_bytes,
		       uint64_t va, uint32_t rkey, uint32_t dma_length, uint8_t syndrome, uint32_t cut,
		       uint32_t port)
{
	uint8_t buf[SOFT_PKT_MAX_BYTES];
	struct soft_pkt pkt = {.opcode = opcode, .pkey = 0xffff, .dest_qpn = qpn, .psn = psn & 0xffffffu,
			       .ackreq = (uint8_t)ackreq, .payload_bytes = payload_bytes, .va = va,
			       .rkey = rkey, .dma_length = dma_length, .syndrome = syndrome,
			       .imm = 0x11223344u};
	size_t header = soft_pkt_encode(buf, &pkt);
	for (uint32_t i = 0; i < payload_bytes; i++)
		buf[header + i] = (uint8_t)(0xa0u + i);
	size_t bytes = soft_pkt_bytes(&pkt) - cut;
	put8(PK_ACT_PACKET | port);
	put16((uint32_t)bytes);
	for (size_t i = 0; i < bytes; i++)
		put8(buf[i]);
}

static void req(uint8_t opcode, uint32_t psn_offset, uint32_t payload_bytes)
{
	packet_cut(opcode, PK_QPN0, PK_RQ_PSN + psn_offset, 1, payload_bytes, 0, 0, 0, 0, 0, 0);
}

static void rdma(uint8_t opcode, uint32_t qpn, uint32_t psn_offset, uint32_t payload_bytes, int mr,
		 uint32_t offset, uint32_t dma_length)
{
	packet_cut(opcode, qpn, PK_RQ_PSN + psn_offset, 1, payload_bytes, pk_regions[mr].iova + offset,
		   PK_KEY(mr), dma_length, 0, 0, 0);
}

/* An answer to H's requests: psn_offset from PK_SQ_PSN. */
static void answer(uint8_t opcode, uint32_t psn_offset, uint8_t syndrome, uint32_t payload_bytes)
{
	packet_cut(opcode, PK_QPN0, PK_SQ_PSN + psn_offset, 0, payload_bytes, 0, 0, 0,
		   opcode == SOFT_OP_ACKNOWLEDGE ? syndrome : SOFT_AETH_ACK_UNLIMITED, 0, 0);
}

static void post_send(int qp1, int kind, uint32_t flags, int local_mr, uint32_t local_off,
		      uint32_t length, int remote_mr, uint32_t remote_off)
{
	put8(PK_ACT_SEND | (qp1 ? PK_ON_QP1 : 0));
	put8((uint32_t)kind);
	put8(flags);
	put8((uint32_t)local_mr);
	put16(local_off);
	put16(length);
	put8((uint32_t)remote_mr);
	put16(remote_off);
	put32(0x55667788u);
}

static void post_recv(int qp1, int mr, uint32_t offset, uint32_t length)
{
	put8(PK_ACT_RECV);
	put8((uint32_t)qp1);
	put8((uint32_t)mr);
	put16(offset);
	put16(length);
}

static void timers(void) { put8(PK_ACT_TIMERS); }
static void poll_cq(void) { put8(PK_ACT_POLL); }

static void control(uint32_t what, uint32_t which)
{
	put8(PK_ACT_CONTROL);
	put8(what);
	put8(which);
}

static const char *dir;

static void save(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(script, 1, script_bytes, f) != script_bytes || fclose(f) != 0) {
		fprintf(stderr, "packet_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	script_bytes = 0;
}

static const uint32_t M = PK_MTU_BYTES;

static void responder_seeds(void)
{
	req(SOFT_OP_SEND_ONLY, 0, 100);
	poll_cq();
	save("resp-send-only");
	req(SOFT_OP_SEND_ONLY_IMM, 0, 0);
	poll_cq();
	save("resp-send-only-imm-empty");
	/* the second receive (3100 bytes) across the PSN wrap */
	req(SOFT_OP_SEND_ONLY, 0, 4);
	req(SOFT_OP_SEND_FIRST, 1, M);
	req(SOFT_OP_SEND_MIDDLE, 2, M);
	req(SOFT_OP_SEND_LAST_IMM, 3, 500);
	poll_cq();
	save("resp-send-first-middle-last-imm");
	req(SOFT_OP_SEND_FIRST, 0, M);
	req(SOFT_OP_SEND_LAST, 1, 1000);
	save("resp-send-too-long-for-receive");
	req(SOFT_OP_SEND_ONLY, 0, 100);
	req(SOFT_OP_SEND_ONLY, 1, 100);
	req(SOFT_OP_SEND_ONLY, 2, 100);   /* no receive left: RNR NAK */
	post_recv(0, PK_MR0, 0, 200);
	req(SOFT_OP_SEND_ONLY, 2, 100);
	save("resp-rnr-then-receive");
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN0, 0, 200, PK_MR0, 8, 200);
	save("resp-write-only");
	rdma(SOFT_OP_WRITE_ONLY_IMM, PK_QPN0, 0, 16, PK_MR0, 0, 16);
	poll_cq();
	save("resp-write-only-imm");
	rdma(SOFT_OP_WRITE_FIRST, PK_QPN0, 0, M, PK_MR0, 4000, 2 * M + 300);
	req(SOFT_OP_WRITE_MIDDLE, 1, M);
	req(SOFT_OP_WRITE_LAST_IMM, 2, 300);
	poll_cq();
	save("resp-write-first-middle-last-imm");
	rdma(SOFT_OP_WRITE_FIRST, PK_QPN0, 0, M, PK_MR0, 0, M + 4);
	req(SOFT_OP_WRITE_LAST, 1, 4);
	save("resp-write-first-last");
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN0, 0, 0, PK_MR0, 0, 0);
	save("resp-write-zero-length");
	rdma(SOFT_OP_READ_REQUEST, PK_QPN0, 0, 0, PK_MR1, 100, 3000);
	rdma(SOFT_OP_READ_REQUEST, PK_QPN0, 0, 0, PK_MR1, 100, 3000);   /* duplicate: again */
	rdma(SOFT_OP_READ_REQUEST, PK_QPN0, 3, 0, PK_MR0, 0, 0);
	save("resp-read-request");
	/* faults */
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN0, 0, 64, PK_MR1, 0, 64);
	poll_cq();
	save("resp-write-no-remote-write");
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN0, 0, 64, PK_MR2, 0, 64);
	save("resp-write-other-pd");
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN1, 0, 64, PK_MR0, 0, 64);
	save("resp-write-qp-without-access");
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN0, 0, 64, PK_MR0, 3 * 4096 - 230, 64);
	save("resp-write-past-region");
	rdma(SOFT_OP_READ_REQUEST, PK_QPN0, 0, 0, PK_MR3, 0, 64);
	poll_cq();
	save("resp-read-local-only-region");
	req(SOFT_OP_SEND_ONLY, 0, 100);
	req(SOFT_OP_SEND_ONLY, 0, 100);   /* duplicate: re-ACK */
	req(SOFT_OP_SEND_ONLY, 3, 100);   /* gap: NAK sequence, once */
	req(SOFT_OP_SEND_ONLY, 4, 100);
	req(SOFT_OP_SEND_ONLY, 1, 100);
	save("resp-duplicate-and-gap");
	rdma(SOFT_OP_WRITE_ONLY_IMM, PK_QPN0, 0, 4, PK_MR0, 0, 4);
	rdma(SOFT_OP_WRITE_ONLY_IMM, PK_QPN0, 1, 4, PK_MR0, 0, 4);
	rdma(SOFT_OP_WRITE_ONLY_IMM, PK_QPN0, 2, 4, PK_MR0, 0, 4);   /* no receive: RNR */
	save("resp-write-imm-rnr");
	rdma(SOFT_OP_WRITE_FIRST, PK_QPN0, 0, M, PK_MR0, 0, M + 4);
	req(SOFT_OP_WRITE_LAST, 1, 8);   /* more than the RETH announced */
	save("resp-write-longer-than-reth");
	rdma(SOFT_OP_WRITE_FIRST, PK_QPN0, 0, M, PK_MR0, 0, M + 4);
	control(PK_CTL_DEREG, PK_MR0);
	req(SOFT_OP_WRITE_LAST, 1, 4);   /* the region went away mid-message */
	save("resp-write-region-gone");
	control(PK_CTL_DEREG, PK_MR0);
	req(SOFT_OP_SEND_ONLY, 0, 100);  /* the receive names a region gone */
	poll_cq();
	save("resp-send-receive-region-gone");
	control(PK_CTL_TRACE, 0);
	req(SOFT_OP_SEND_ONLY, 0, 100);
	rdma(SOFT_OP_WRITE_ONLY, PK_QPN0, 1, 200, PK_MR0, 8, 200);
	rdma(SOFT_OP_READ_REQUEST, PK_QPN0, 2, 0, PK_MR1, 100, 3000);
	save("resp-traced");
	req(SOFT_OP_SEND_MIDDLE, 0, M);   /* no message in progress */
	save("resp-middle-without-first");
	req(SOFT_OP_SEND_FIRST, 0, 100);  /* FIRST must be full */
	save("resp-short-first");
	packet_cut(SOFT_OP_SEND_ONLY, PK_QPN0, PK_RQ_PSN, 1, 100, 0, 0, 0, 0, 90, 0);
	packet_cut(SOFT_OP_WRITE_ONLY, PK_QPN0, PK_RQ_PSN, 1, 0, 0, 0, 0, 0, 14, 0);
	save("resp-truncated");
	packet_cut(SOFT_OP_SEND_ONLY, PK_QPN0, PK_RQ_PSN, 1, 100, 0, 0, 0, 0, 0, PK_FROM_WRONG_PORT);
	packet_cut(SOFT_OP_SEND_ONLY, 0x123456u, PK_RQ_PSN, 1, 100, 0, 0, 0, 0, 0, 0);
	save("resp-wrong-port-and-qpn");
}

static void completer_seeds(void)
{
	post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 3000, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 2, SOFT_AETH_ACK_UNLIMITED, 0);
	poll_cq();
	save("comp-write-ack");
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	post_send(0, PK_SEND_SEND_IMM, PK_F_SIGNALED | PK_F_INLINE, PK_MR0, 0, 40, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_ACK_UNLIMITED, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 1, SOFT_AETH_ACK_UNLIMITED, 0);
	poll_cq();
	save("comp-send-inline-ack");
	post_send(0, PK_SEND_READ, PK_F_SIGNALED, PK_MR0, 0, 2500, PK_MR1, 0);
	answer(SOFT_OP_READ_RESPONSE_FIRST, 0, 0, M);
	answer(SOFT_OP_READ_RESPONSE_MIDDLE, 1, 0, M);
	answer(SOFT_OP_READ_RESPONSE_LAST, 2, 0, 2500 - 2 * M);
	poll_cq();
	save("comp-read-responses");
	post_send(0, PK_SEND_READ, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR1, 0);
	answer(SOFT_OP_READ_RESPONSE_ONLY, 0, 0, 100);
	save("comp-read-response-only");
	post_send(0, PK_SEND_READ, PK_F_SIGNALED, PK_MR0, 0, 12000, PK_MR1, 0);  /* > window */
	answer(SOFT_OP_READ_RESPONSE_FIRST, 0, 0, M);
	answer(SOFT_OP_READ_RESPONSE_MIDDLE, 2, 0, M);   /* a gap: ask again */
	answer(SOFT_OP_ACKNOWLEDGE, 5, SOFT_AETH_ACK_UNLIMITED, 0);
	save("comp-read-gap");
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_RNR_NAK | 12u, 0);
	timers();
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_RNR_NAK | 12u, 0);
	timers();
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_RNR_NAK | 12u, 0);
	poll_cq();
	save("comp-rnr-nak-retries");
	post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 3000, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 1, SOFT_AETH_NAK_PSN_SEQ, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 2, SOFT_AETH_ACK_UNLIMITED, 0);
	save("comp-nak-sequence");
	post_send(0, PK_SEND_WRITE_IMM, PK_F_SIGNALED | PK_F_TWO_SGE, PK_MR0, 0, 100, PK_MR2, 0);
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_NAK_REMOTE_ACCESS, 0);
	poll_cq();
	save("comp-nak-remote-access");
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_NAK_INVALID_REQ, 0);
	save("comp-nak-invalid-request");
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_NAK_REMOTE_OP, 0);
	save("comp-nak-remote-operation");
	post_send(0, PK_SEND_READ, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR1, 0);
	control(PK_CTL_DEREG, PK_MR0);
	answer(SOFT_OP_READ_RESPONSE_ONLY, 0, 0, 100);   /* its local region is gone */
	poll_cq();
	save("comp-read-response-region-gone");
	control(PK_CTL_TRACE, 0);
	post_send(0, PK_SEND_READ, PK_F_SIGNALED, PK_MR0, 0, 2500, PK_MR1, 0);
	post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	answer(SOFT_OP_READ_RESPONSE_FIRST, 0, 0, M);
	timers();
	answer(SOFT_OP_READ_RESPONSE_MIDDLE, 1, 0, M);
	answer(SOFT_OP_READ_RESPONSE_LAST, 2, 0, 2500 - 2 * M);
	answer(SOFT_OP_ACKNOWLEDGE, 3, SOFT_AETH_ACK_UNLIMITED, 0);
	save("comp-traced");
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	timers();
	timers();
	timers();
	poll_cq();
	save("comp-retry-exceeded");
	post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 3000, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 7, SOFT_AETH_ACK_UNLIMITED, 0);   /* never sent */
	answer(SOFT_OP_ACKNOWLEDGE, (uint32_t)-3, SOFT_AETH_ACK_UNLIMITED, 0);   /* stale */
	save("comp-ack-out-of-range");
	/* finding: 12 packets, a window of 8 sent; an ACK for a PSN assigned
	 * but never sent moved comp.psn past req.psn (the QP stalled with no
	 * timer), and one for the last PSN completed data that never left */
	post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 12000, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 9, SOFT_AETH_ACK_UNLIMITED, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 11, SOFT_AETH_ACK_UNLIMITED, 0);
	poll_cq();
	save("regress-ack-for-unsent-psn");
	/* finding: an RNR NAK pauses the requester, a NAK sequence rewinds it
	 * (nothing is resent while it waits), then an ACK for the PSN sent
	 * before the rewind moved comp.psn past req.psn and retired the WQE
	 * under req.index */
	post_send(0, PK_SEND_SEND, PK_F_SIGNALED, PK_MR0, 0, 100, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_RNR_NAK | 12u, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_NAK_PSN_SEQ, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 0, SOFT_AETH_ACK_UNLIMITED, 0);
	timers();
	poll_cq();
	save("regress-ack-during-rnr-wait");
	post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 3000, PK_MR0, 0);
	control(PK_CTL_DEREG, PK_MR0);
	timers();
	poll_cq();
	save("comp-region-gone-before-retransmit");
	for (int i = 0; i < 10; i++)
		post_send(0, PK_SEND_WRITE, PK_F_SIGNALED, PK_MR0, 0, 2000, PK_MR0, 0);
	answer(SOFT_OP_ACKNOWLEDGE, 7, SOFT_AETH_ACK_UNLIMITED, 0);
	control(PK_CTL_QP_ERROR, 0);
	poll_cq();
	save("comp-window-then-error");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: packet_seeds DIRECTORY\n");
		return 2;
	}
	dir = argv[1];
	responder_seeds();
	completer_seeds();
	return 0;
}
