/*
 * mechanism.c - cost formulas of the primitives.  Each is a few lines of
 * arithmetic over named parameters; none allocates or branches on options.
 */
#include "models/mechanism.h"

#include <math.h>

#define V(p, id) ((p)->value[MDL_##id])

const mdl_mechanism_info mdl_mechanisms[MECH_COUNT] = {
	[MECH_CPU] = {"cpu", SIDE_REQUESTER, ON_REQUEST | ON_COMPLETION | ON_OFF_PATH, "software work; cost from a named parameter"},
	[MECH_DOORBELL_TRAP] = {"doorbell_trap", SIDE_REQUESTER, ON_REQUEST | ON_COMPLETION, "guest doorbell write that traps: a VM exit"},
	[MECH_VM_ENTRY] = {"vm_entry", SIDE_REQUESTER, ON_COMPLETION | ON_OFF_PATH, "return into the guest after a trap"},
	[MECH_MMIO_DOORBELL] = {"mmio_doorbell", SIDE_REQUESTER, ON_REQUEST, "posted MMIO doorbell to the HCA"},
	[MECH_WQE_FETCH] = {"wqe_fetch", SIDE_REQUESTER, ON_REQUEST, "HCA fetches the WQE by DMA read"},
	[MECH_PAYLOAD_DMA_READ] = {"payload_dma_read", SIDE_REQUESTER, ON_REQUEST, "HCA reads the payload by DMA"},
	[MECH_HCA_TX] = {"hca_tx", SIDE_REQUESTER, ON_REQUEST, "HCA transmit processing"},
	[MECH_WIRE] = {"wire", SIDE_FABRIC, ON_REQUEST, "propagation along both cables"},
	[MECH_SWITCH] = {"switch", SIDE_FABRIC, ON_REQUEST, "switch port to port"},
	[MECH_HCA_RX] = {"hca_rx", SIDE_RESPONDER, ON_REQUEST, "HCA receive processing"},
	[MECH_PAYLOAD_DMA_WRITE] = {"payload_dma_write", SIDE_RESPONDER, ON_REQUEST, "HCA writes the payload by DMA"},
	[MECH_ACK_RETURN] = {"ack_return", SIDE_FABRIC, ON_COMPLETION, "ACK generation and its trip back"},
	[MECH_CQE_DMA_WRITE] = {"cqe_dma_write", SIDE_REQUESTER, ON_COMPLETION, "HCA writes the CQE by DMA"},
};

mdl_message mdl_message_make(const mdl_params *p, double size_bytes)
{
	mdl_message m;
	m.size_bytes = size_bytes;
	m.packets = size_bytes <= V(p, WIRE_MTU) ? 1.0 : ceil(size_bytes / V(p, WIRE_MTU));
	m.wire_bytes = size_bytes + m.packets * V(p, WIRE_HEADER_BYTES);
	m.pages = size_bytes <= V(p, MEM_PAGE_SIZE) ? 1.0 : ceil(size_bytes / V(p, MEM_PAGE_SIZE));
	m.inline_payload = size_bytes <= V(p, HCA_INLINE_MAX);
	m.blueflame = size_bytes <= V(p, HCA_BLUEFLAME_MAX);
	return m;
}

double mdl_resource_bps(mdl_resource resource, const mdl_params *p)
{
	switch (resource) {
	case RES_PCIE: return V(p, PCIE_BANDWIDTH);
	case RES_HCA: return V(p, HCA_BANDWIDTH);
	case RES_WIRE: return V(p, WIRE_BANDWIDTH);
	case RES_SWITCH: return V(p, SWITCH_BANDWIDTH);
	case RES_NONE: break;
	}
	return INFINITY;
}

/* Time to move BYTES over a resource of BPS bits per second, in ns. */
static double transfer_ns(double bytes, double bps)
{
	return bytes * 8.0 / bps * 1e9;
}

mdl_cost mdl_mechanism_cost(mdl_mechanism mech, const mdl_params *req, const mdl_params *resp,
			    const mdl_message *msg, int cost_param, int per_page_param, mdl_side side)
{
	mdl_cost c = {0};
	const mdl_params *own = side == SIDE_RESPONDER ? resp : req;
	switch (mech) {
	case MECH_CPU:
		c.fixed_ns = own->value[cost_param] +
			     (per_page_param >= 0 ? own->value[per_page_param] * msg->pages : 0.0);
		c.software = 1;
		break;
	case MECH_DOORBELL_TRAP:
		c.fixed_ns = V(req, VIRT_VM_EXIT);
		c.software = 1;
		c.counts.vm_exits = 1;
		c.counts.doorbells = 1;
		break;
	case MECH_VM_ENTRY:
		c.fixed_ns = V(req, VIRT_VM_ENTRY);
		c.software = 1;
		break;
	case MECH_MMIO_DOORBELL:
		/* With BlueFlame the WQE rides in the same posted write. */
		c.fixed_ns = V(req, PCIE_WRITE_LATENCY) +
			     (msg->blueflame ? transfer_ns(V(req, HCA_WQE_BYTES), V(req, PCIE_BANDWIDTH)) : 0.0);
		c.counts.doorbells = 1;
		break;
	case MECH_WQE_FETCH:
		if (msg->blueflame)
			break;
		c.fixed_ns = V(req, PCIE_READ_LATENCY) + transfer_ns(V(req, HCA_WQE_BYTES), V(req, PCIE_BANDWIDTH));
		c.counts.dma_reads = 1;
		break;
	case MECH_PAYLOAD_DMA_READ:
		if (msg->inline_payload)
			break;
		/* The first read's round trip; the rest streams (serialization). */
		c.fixed_ns = V(req, PCIE_READ_LATENCY);
		c.resource = RES_PCIE;
		c.counts.dma_reads = msg->packets;
		break;
	case MECH_HCA_TX:
		c.fixed_ns = V(req, HCA_WQE_PROCESSING) + V(req, HCA_PACKET_PROCESSING);
		c.resource = RES_HCA;
		c.counts.wire_packets = msg->packets;
		break;
	case MECH_WIRE:
		c.fixed_ns = V(req, WIRE_PROPAGATION) + V(resp, WIRE_PROPAGATION);
		c.resource = RES_WIRE;
		break;
	case MECH_SWITCH:
		c.fixed_ns = V(req, SWITCH_LATENCY);
		c.resource = RES_SWITCH;
		break;
	case MECH_HCA_RX:
		c.fixed_ns = V(resp, HCA_PACKET_PROCESSING);
		break;
	case MECH_PAYLOAD_DMA_WRITE:
		c.fixed_ns = V(resp, PCIE_WRITE_LATENCY);
		c.counts.dma_writes = msg->packets;
		break;
	case MECH_ACK_RETURN:
		c.fixed_ns = V(resp, HCA_PACKET_PROCESSING) + V(resp, WIRE_PROPAGATION) +
			     V(req, SWITCH_LATENCY) + V(req, WIRE_PROPAGATION) +
			     transfer_ns(V(resp, WIRE_ACK_BYTES), V(resp, WIRE_BANDWIDTH)) +
			     V(req, HCA_PACKET_PROCESSING);
		c.counts.wire_packets = 1;
		break;
	case MECH_CQE_DMA_WRITE:
		c.fixed_ns = V(req, PCIE_WRITE_LATENCY) + transfer_ns(V(req, HCA_CQE_BYTES), V(req, PCIE_BANDWIDTH));
		c.counts.dma_writes = 1;
		break;
	case MECH_COUNT:
		break;
	}
	return c;
}

void mdl_counters_add(mdl_counters *sum, const mdl_counters *more)
{
	sum->vm_exits += more->vm_exits;
	sum->doorbells += more->doorbells;
	sum->interrupts += more->interrupts;
	sum->dma_reads += more->dma_reads;
	sum->dma_writes += more->dma_writes;
	sum->wire_packets += more->wire_packets;
}
