/*
 * pcie.h - the PCIe traffic of one DMA stage: which direction of the host's
 * link it loads and for how long, in TLPs with their overhead.
 *
 * Contract:
 * - Each direction of a host's PCIe link moves pcie.bandwidth of TLP bytes
 *   (after line coding and data-link overhead, mechanism.h).  A write or a
 *   read completion carries its data in TLPs of at most pcie.max_payload
 *   bytes, a read request asks for at most pcie.max_read_request bytes and
 *   carries none; each TLP adds pcie.tlp_overhead bytes (the counts of
 *   mechanism_cost.c: read_requests, write_tlps).  Read completions are
 *   taken at max_payload too (a root complex may split them finer, at its
 *   read completion boundary: left out).
 * - Upstream (device to host memory): DMA writes' data (payload, CQE) and
 *   read requests.  Downstream (host to device): read completions with
 *   their data (WQE, payload) and MMIO writes (the doorbell, with the WQE
 *   under BlueFlame).
 * - Outstanding reads: the device has pcie.read_tags tags, one per read
 *   request in flight, each held for about pcie.read_latency.  By Little's
 *   law its reads then deliver at most read_tags x max_read_request bytes
 *   per read_latency; a read's completions take the longer of their TLPs'
 *   time on the link and that pace (mdl_pcie_dma.data_ns).  The
 *   downstream direction carries almost nothing but read completions, so
 *   the cap is the direction's for reads, as a FIFO shares it.
 * - A stage the receiver prefetches off the path (recv_wqe_fetch) counts
 *   the on-path share of its traffic only, as its cost does.
 */
#ifndef MDL_PCIE_H
#define MDL_PCIE_H

#include "models/mechanism.h"

/* A doorbell register write without BlueFlame: one 64-bit MMIO store (the
 * UAR doorbell of mlx4/mlx5 HCAs is written 8 bytes at a time). */
enum { MDL_PCIE_DOORBELL_BYTES = 8 };

typedef struct mdl_pcie_dma {
	double request_ns;       /* upstream, before the data: read requests (reads only) */
	double data_ns;          /* the data's TLPs on data_upstream's direction */
	int data_upstream;       /* 1: a DMA write's data; 0: read completions or an MMIO write */
	int streams;             /* 1: the payload, whose streaming the single-flow model counts
				  * in the transfer's serialization, not in the stage's cost */
} mdl_pcie_dma;

/* The PCIe traffic of a stage of MECH moving MSG on a host with
 * parameters P into OUT: 1, or 0 (OUT zeroed) when it moves nothing over
 * the link (not a DMA mechanism, an inline payload, a WQE that BlueFlame
 * carried). */
int mdl_pcie_dma_of(mdl_mechanism mech, const mdl_params *p, const mdl_message *msg, mdl_pcie_dma *out);

/* The TLPs (or read requests) that carry BYTES in pieces of at most
 * CHUNK_BYTES: at least one for any transfer. */
double mdl_pcie_tlps(double bytes, double chunk_bytes);

/* Bytes of TLPs on the link for BYTES of data in TLPs of at most
 * CHUNK_BYTES each (at least one TLP), with P's overhead. */
double mdl_pcie_tlp_bytes(const mdl_params *p, double bytes, double chunk_bytes);

#endif
