/*
 * mechanism.c - cost formulas of the primitives.  Each is a few lines of
 * arithmetic over named parameters; none allocates or branches on options.
 */
#include "models/mechanism.h"

#include <math.h>

#define V(p, id) MDL_VALUE(p, id)

const mdl_mechanism_info mdl_mechanisms[MECH_COUNT] = {
	[MECH_CPU] = {"cpu", SIDE_SENDER, ON_REQUEST | ON_COMPLETION | ON_OFF_PATH, "software work; cost from a named parameter"},
	[MECH_DOORBELL_TRAP] = {"doorbell_trap", SIDE_SENDER, ON_REQUEST | ON_COMPLETION, "guest doorbell write that traps: a VM exit"},
	[MECH_VM_ENTRY] = {"vm_entry", SIDE_SENDER, ON_REQUEST | ON_COMPLETION | ON_OFF_PATH, "return into the guest after a trap"},
	[MECH_MMIO_DOORBELL] = {"mmio_doorbell", SIDE_SENDER, ON_REQUEST, "posted MMIO doorbell to the HCA"},
	[MECH_WQE_FETCH] = {"wqe_fetch", SIDE_SENDER, ON_REQUEST, "HCA fetches the WQE by DMA read"},
	[MECH_RECV_WQE_FETCH] = {"recv_wqe_fetch", SIDE_RECEIVER, ON_REQUEST, "HCA reads a receive WQE it had not prefetched"},
	[MECH_PAYLOAD_DMA_READ] = {"payload_dma_read", SIDE_SENDER, ON_REQUEST, "HCA reads the payload by DMA"},
	[MECH_HCA_TX] = {"hca_tx", SIDE_SENDER, ON_REQUEST, "HCA transmit processing"},
	[MECH_WIRE] = {"wire", SIDE_FABRIC, ON_REQUEST, "propagation along both cables"},
	[MECH_SWITCH] = {"switch", SIDE_FABRIC, ON_REQUEST, "switch port to port"},
	[MECH_HCA_RX] = {"hca_rx", SIDE_RECEIVER, ON_REQUEST, "HCA receive processing"},
	[MECH_PAYLOAD_DMA_WRITE] = {"payload_dma_write", SIDE_RECEIVER, ON_REQUEST, "HCA writes the payload by DMA"},
	[MECH_ACK_RETURN] = {"ack_return", SIDE_FABRIC, ON_COMPLETION, "ACK generation and its trip back"},
	[MECH_CQE_DMA_WRITE] = {"cqe_dma_write", SIDE_SENDER, ON_REQUEST | ON_COMPLETION, "HCA writes the CQE by DMA"},
	[MECH_MSI_INTERRUPT] = {"msi_interrupt", SIDE_SENDER, ON_REQUEST | ON_COMPLETION, "MSI-X to a CPU and its kernel handler"},
	[MECH_VIRQ_INJECTION] = {"virq_injection", SIDE_SENDER, ON_REQUEST | ON_COMPLETION, "virtual interrupt into the guest"},
};

mdl_message mdl_message_make(const mdl_params *p, double wire_payload_bytes, double buffer_bytes,
			     int inline_allowed)
{
	mdl_message m;
	m.size_bytes = wire_payload_bytes;
	m.packets = wire_payload_bytes <= V(p, WIRE_MTU) ? 1.0 : ceil(wire_payload_bytes / V(p, WIRE_MTU));
	m.wire_bytes = wire_payload_bytes + m.packets * V(p, WIRE_HEADER_BYTES);
	m.pages = buffer_bytes <= V(p, MEM_PAGE_SIZE) ? 1.0 : ceil(buffer_bytes / V(p, MEM_PAGE_SIZE));
	m.inline_payload = inline_allowed && wire_payload_bytes <= V(p, HCA_INLINE_MAX);
	m.blueflame = m.inline_payload && V(p, HCA_BLUEFLAME_MAX) > 0 && wire_payload_bytes <= V(p, HCA_BLUEFLAME_MAX);
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

mdl_cost mdl_mechanism_cost(mdl_mechanism mech, const mdl_params *sender, const mdl_params *receiver,
			    const mdl_message *msg, int cost_param, int per_page_param, mdl_side side)
{
	mdl_cost c = {0};
	/* Local mechanisms use the parameters of the host they run on. */
	const mdl_params *own = side == SIDE_RECEIVER ? receiver : sender;
	switch (mech) {
	case MECH_CPU:
		c.fixed_ns = own->value[cost_param] +
			     (per_page_param >= 0 ? own->value[per_page_param] * msg->pages : 0.0);
		c.software = 1;
		break;
	case MECH_DOORBELL_TRAP:
		c.fixed_ns = V(own, VIRT_VM_EXIT);
		c.software = 1;
		c.counts.vm_exits = 1;
		c.counts.doorbells = 1;
		break;
	case MECH_VM_ENTRY:
		c.fixed_ns = V(own, VIRT_VM_ENTRY);
		c.software = 1;
		break;
	case MECH_MMIO_DOORBELL:
		/* With BlueFlame the WQE rides in the same posted write. */
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY) +
			     (msg->blueflame ? transfer_ns(V(own, HCA_WQE_BYTES), V(own, PCIE_BANDWIDTH)) : 0.0);
		c.counts.doorbells = 1;
		break;
	case MECH_WQE_FETCH:
		if (msg->blueflame)
			break;
		c.fixed_ns = V(own, PCIE_READ_LATENCY) + transfer_ns(V(own, HCA_WQE_BYTES), V(own, PCIE_BANDWIDTH));
		c.counts.dma_reads = 1;
		break;
	case MECH_RECV_WQE_FETCH:
		/* Only a receive WQE the HCA has not prefetched costs a read on the path. */
		c.fixed_ns = (1.0 - V(own, HCA_RECV_WQE_PREFETCH)) *
			     (V(own, PCIE_READ_LATENCY) + transfer_ns(V(own, HCA_WQE_BYTES), V(own, PCIE_BANDWIDTH)));
		c.counts.dma_reads = 1;
		break;
	case MECH_PAYLOAD_DMA_READ:
		if (msg->inline_payload)
			break;
		/* The first read's round trip; the rest streams (serialization). */
		c.fixed_ns = V(own, PCIE_READ_LATENCY);
		c.resource = RES_PCIE;
		c.counts.dma_reads = msg->packets;
		break;
	case MECH_HCA_TX:
		c.fixed_ns = V(own, HCA_WQE_PROCESSING) + V(own, HCA_PACKET_PROCESSING);
		c.resource = RES_HCA;
		c.counts.wire_packets = msg->packets;
		break;
	case MECH_WIRE:
		c.fixed_ns = V(sender, WIRE_PROPAGATION) + V(receiver, WIRE_PROPAGATION);
		c.resource = RES_WIRE;
		break;
	case MECH_SWITCH:
		c.fixed_ns = V(sender, SWITCH_LATENCY);
		c.resource = RES_SWITCH;
		break;
	case MECH_HCA_RX:
		c.fixed_ns = V(own, HCA_PACKET_PROCESSING);
		break;
	case MECH_PAYLOAD_DMA_WRITE:
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY);
		c.counts.dma_writes = msg->packets;
		break;
	case MECH_ACK_RETURN:
		c.fixed_ns = V(receiver, HCA_PACKET_PROCESSING) + V(receiver, WIRE_PROPAGATION) +
			     V(sender, SWITCH_LATENCY) + V(sender, WIRE_PROPAGATION) +
			     transfer_ns(V(receiver, WIRE_ACK_BYTES), V(receiver, WIRE_BANDWIDTH)) +
			     V(sender, HCA_PACKET_PROCESSING);
		c.counts.wire_packets = 1;
		break;
	case MECH_CQE_DMA_WRITE:
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY) + transfer_ns(V(own, HCA_CQE_BYTES), V(own, PCIE_BANDWIDTH));
		c.counts.dma_writes = 1;
		break;
	case MECH_MSI_INTERRUPT:
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY) + V(own, IRQ_HANDLER);
		c.software = 1;
		c.counts.interrupts = 1;
		break;
	case MECH_VIRQ_INJECTION: {
		/* Posted: a notification, no exit.  Otherwise an exit to inject and
		 * one for the guest's EOI. */
		double posted = V(own, VIRT_POSTED_INTERRUPTS);
		c.fixed_ns = posted * V(own, VIRT_POSTED_DELIVERY) +
			     (1.0 - posted) * (V(own, VIRT_INTERRUPT_INJECTION) + V(own, VIRT_EOI_EXIT));
		c.software = 1;
		c.counts.interrupts = 1;
		c.counts.vm_exits = 2.0 * (1.0 - posted);
		break;
	}
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

void mdl_counters_scale(mdl_counters *c, double factor)
{
	c->vm_exits *= factor;
	c->doorbells *= factor;
	c->interrupts *= factor;
	c->dma_reads *= factor;
	c->dma_writes *= factor;
	c->wire_packets *= factor;
}
