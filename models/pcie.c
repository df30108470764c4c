/*
 * pcie.c - the PCIe traffic of the DMA mechanisms (pcie.h).
 */
#include "models/pcie.h"

#include <math.h>
#include <string.h>

#define V(p, id) MDL_VALUE(p, id)

double mdl_pcie_tlps(double bytes, double chunk_bytes)
{
	return bytes <= chunk_bytes ? 1.0 : ceil(bytes / chunk_bytes);
}

double mdl_pcie_tlp_bytes(const mdl_params *p, double bytes, double chunk_bytes)
{
	return bytes + mdl_pcie_tlps(bytes, chunk_bytes) * V(p, PCIE_TLP_OVERHEAD);
}

static double link_ns(const mdl_params *p, double tlp_bytes)
{
	return tlp_bytes * 8.0 / V(p, PCIE_BANDWIDTH) * 1e9;
}

/* A DMA read of BYTES: its requests upstream (header-only TLPs), its
 * completions downstream, no faster than the tags let the requests go. */
static void dma_read(const mdl_params *p, double bytes, mdl_pcie_dma *out)
{
	double requests = mdl_pcie_tlps(bytes, V(p, PCIE_MAX_READ_REQUEST));
	out->request_ns = link_ns(p, requests * V(p, PCIE_TLP_OVERHEAD));
	double tags_ns = requests * V(p, PCIE_READ_LATENCY) / V(p, PCIE_READ_TAGS);
	out->data_ns = fmax(link_ns(p, mdl_pcie_tlp_bytes(p, bytes, V(p, PCIE_MAX_PAYLOAD))), tags_ns);
	out->data_upstream = 0;
}

/* A write of BYTES (DMA upstream, MMIO downstream). */
static void posted_write(const mdl_params *p, double bytes, int upstream, mdl_pcie_dma *out)
{
	out->data_ns = link_ns(p, mdl_pcie_tlp_bytes(p, bytes, V(p, PCIE_MAX_PAYLOAD)));
	out->data_upstream = upstream;
}

int mdl_pcie_dma_of(mdl_mechanism mech, const mdl_params *p, const mdl_message *msg, mdl_pcie_dma *out)
{
	memset(out, 0, sizeof *out);
	switch (mech) {
	case MECH_MMIO_DOORBELL:
		posted_write(p, msg->blueflame ? V(p, HCA_WQE_BYTES) : MDL_PCIE_DOORBELL_BYTES, 0, out);
		return 1;
	case MECH_WQE_FETCH:
		if (msg->blueflame)
			return 0;
		dma_read(p, V(p, HCA_WQE_BYTES), out);
		return 1;
	case MECH_RECV_WQE_FETCH: {
		double on_path = 1.0 - V(p, HCA_RECV_WQE_PREFETCH);
		if (!(on_path > 0))
			return 0;
		dma_read(p, V(p, HCA_WQE_BYTES), out);
		out->request_ns *= on_path;
		out->data_ns *= on_path;
		return 1;
	}
	case MECH_PAYLOAD_DMA_READ:
		if (msg->inline_payload)
			return 0;
		dma_read(p, msg->size_bytes, out);
		out->streams = 1;
		return 1;
	case MECH_PAYLOAD_DMA_WRITE:
		posted_write(p, msg->size_bytes, 1, out);
		out->streams = 1;
		return 1;
	case MECH_CQE_DMA_WRITE:
		posted_write(p, V(p, HCA_CQE_BYTES), 1, out);
		return 1;
	default:
		return 0;
	}
}
