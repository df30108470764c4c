/*
 * mechanism.c - cost formulas of the primitives.  Each is a few lines of
 * arithmetic over named parameters; none allocates or branches on options.
 */
#include "models/mechanism.h"

#include <math.h>

#define V(p, id) MDL_VALUE(p, id)

#define SENDER_PATHS (ON_REQUEST | ON_COMPLETION)

const mdl_mechanism_info mdl_mechanisms[MECH_COUNT] = {
	[MECH_CPU] = {"cpu", SIDE_SENDER, ROUTE_NONE, KIND_SOFTWARE, ON_REQUEST | ON_COMPLETION | ON_OFF_PATH, "software work; cost from named parameters"},
	[MECH_DOORBELL_TRAP] = {"doorbell_trap", SIDE_SENDER, ROUTE_NONE, KIND_VIRTUALIZATION, SENDER_PATHS, "guest doorbell write that traps: a VM exit"},
	[MECH_VM_ENTRY] = {"vm_entry", SIDE_SENDER, ROUTE_NONE, KIND_VIRTUALIZATION, ON_REQUEST | ON_COMPLETION | ON_OFF_PATH, "return into the guest after a trap"},
	[MECH_MMIO_DOORBELL] = {"mmio_doorbell", SIDE_SENDER, ROUTE_NONE, KIND_PCIE_DMA, SENDER_PATHS, "posted MMIO doorbell to the HCA or NIC"},
	[MECH_WQE_FETCH] = {"wqe_fetch", SIDE_SENDER, ROUTE_NONE, KIND_PCIE_DMA, ON_REQUEST, "HCA fetches the WQE by DMA read"},
	[MECH_RECV_WQE_FETCH] = {"recv_wqe_fetch", SIDE_RECEIVER, ROUTE_NONE, KIND_PCIE_DMA, ON_REQUEST, "HCA reads a receive WQE it had not prefetched"},
	[MECH_PAYLOAD_DMA_READ] = {"payload_dma_read", SIDE_SENDER, ROUTE_NONE, KIND_PCIE_DMA, ON_REQUEST, "HCA reads the payload by DMA"},
	[MECH_HCA_TX] = {"hca_tx", SIDE_SENDER, ROUTE_NONE, KIND_ADAPTER, ON_REQUEST, "HCA transmit processing"},
	[MECH_WIRE] = {"wire", SIDE_FABRIC, ROUTE_INFINIBAND, KIND_FABRIC, ON_REQUEST, "propagation along both cables"},
	[MECH_SWITCH] = {"switch", SIDE_FABRIC, ROUTE_INFINIBAND, KIND_FABRIC, ON_REQUEST, "switch port to port"},
	[MECH_HCA_RX] = {"hca_rx", SIDE_RECEIVER, ROUTE_NONE, KIND_ADAPTER, ON_REQUEST, "HCA receive processing"},
	[MECH_PAYLOAD_DMA_WRITE] = {"payload_dma_write", SIDE_RECEIVER, ROUTE_NONE, KIND_PCIE_DMA, ON_REQUEST, "HCA writes the payload by DMA"},
	[MECH_ACK_RETURN] = {"ack_return", SIDE_FABRIC, ROUTE_NONE, KIND_FABRIC, ON_COMPLETION, "ACK generation and its trip back"},
	[MECH_CQE_DMA_WRITE] = {"cqe_dma_write", SIDE_SENDER, ROUTE_NONE, KIND_PCIE_DMA, SENDER_PATHS, "HCA writes the CQE by DMA"},
	[MECH_MSI_INTERRUPT] = {"msi_interrupt", SIDE_SENDER, ROUTE_NONE, KIND_INTERRUPTS, SENDER_PATHS, "MSI-X to a CPU and its kernel handler"},
	[MECH_VIRQ_INJECTION] = {"virq_injection", SIDE_SENDER, ROUTE_NONE, KIND_VIRTUALIZATION, SENDER_PATHS, "virtual interrupt into the guest"},
	[MECH_IOMMU_TRANSLATION] = {"iommu_translation", SIDE_SENDER, ROUTE_NONE, KIND_PCIE_DMA, SENDER_PATHS, "IOMMU translation of the DMA addresses"},
	[MECH_HCA_CONTEXT_CACHE] = {"hca_context_cache", SIDE_SENDER, ROUTE_NONE, KIND_PCIE_DMA, SENDER_PATHS, "HCA QP-context and translation cache look-ups"},
	[MECH_ESWITCH_STEERING] = {"eswitch_steering", SIDE_SENDER, ROUTE_NONE, KIND_ADAPTER, ON_REQUEST, "embedded switch between a VF and the port"},
	[MECH_ESWITCH_LOOPBACK] = {"eswitch_loopback", SIDE_FABRIC, ROUTE_HCA_LOOPBACK, KIND_FABRIC, ON_REQUEST, "VF to VF through the HCA's embedded switch"},
	[MECH_MEMORY_COPY] = {"memory_copy", SIDE_FABRIC, ROUTE_MEMORY, KIND_FABRIC, ON_REQUEST, "copy between two VMs' memories on one host"},
	[MECH_NIC_TX] = {"nic_tx", SIDE_SENDER, ROUTE_NONE, KIND_ADAPTER, ON_REQUEST, "Ethernet NIC DMA reads and transmit"},
	[MECH_ETH_WIRE] = {"eth_wire", SIDE_FABRIC, ROUTE_ETHERNET, KIND_FABRIC, ON_REQUEST, "propagation along both Ethernet cables"},
	[MECH_ETH_SWITCH] = {"eth_switch", SIDE_FABRIC, ROUTE_ETHERNET, KIND_FABRIC, ON_REQUEST, "Ethernet switch port to port"},
	[MECH_NIC_RX] = {"nic_rx", SIDE_RECEIVER, ROUTE_NONE, KIND_ADAPTER, ON_REQUEST, "Ethernet NIC receive and DMA writes"},
	[MECH_NIC_INTERRUPT] = {"nic_interrupt", SIDE_RECEIVER, ROUTE_NONE, KIND_INTERRUPTS, SENDER_PATHS, "NIC receive interrupt and its kernel handler"},
	[MECH_ETH_ACK_RETURN] = {"eth_ack_return", SIDE_FABRIC, ROUTE_NONE, KIND_FABRIC, ON_COMPLETION, "a RoCE ACK back through NICs, cables and switch"},
	[MECH_NET_LOOPBACK] = {"net_loopback", SIDE_FABRIC, ROUTE_KERNEL_LOOPBACK, KIND_FABRIC, ON_REQUEST, "a loopback netdev turns the packet around in the kernel"},
	[MECH_ESWITCH_ACK_RETURN] = {"eswitch_ack_return", SIDE_FABRIC, ROUTE_NONE, KIND_ADAPTER, ON_COMPLETION, "an ACK back from VF to VF inside the HCA"},
};

const char *const mdl_kind_names[KIND_COUNT] = {
	[KIND_SOFTWARE] = "software", [KIND_VIRTUALIZATION] = "virtualization", [KIND_INTERRUPTS] = "interrupts",
	[KIND_PCIE_DMA] = "pcie_dma", [KIND_ADAPTER] = "adapter", [KIND_FABRIC] = "fabric",
};

const char *const mdl_resource_names[RES_COUNT] = {
	[RES_NONE] = "none", [RES_PCIE] = "pcie", [RES_HCA] = "hca", [RES_WIRE] = "wire",
	[RES_SWITCH] = "switch", [RES_NIC] = "nic", [RES_MEMORY] = "memory",
};

const char *const mdl_route_names[ROUTE_COUNT] = {
	[ROUTE_NONE] = "none", [ROUTE_INFINIBAND] = "InfiniBand fabric", [ROUTE_ETHERNET] = "Ethernet fabric",
	[ROUTE_MEMORY] = "host-memory copy", [ROUTE_HCA_LOOPBACK] = "HCA loopback",
	[ROUTE_KERNEL_LOOPBACK] = "kernel loopback netdev",
};

int mdl_route_between_hosts(mdl_route route)
{
	return route == ROUTE_INFINIBAND || route == ROUTE_ETHERNET;
}

/* Chance that an access misses a cache of ENTRIES when the accesses spread
 * over WORKING_SET items in turn (LRU under a cyclic sweep keeps at most
 * the share that fits). */
static double miss_chance(double entries, double working_set)
{
	return working_set <= entries ? 0.0 : 1.0 - entries / working_set;
}

static double pages_of(const mdl_params *p, double bytes)
{
	return bytes <= V(p, MEM_PAGE_SIZE) ? 1.0 : ceil(bytes / V(p, MEM_PAGE_SIZE));
}

mdl_message mdl_message_make(const mdl_params *p, mdl_link link, double wire_payload_bytes,
			     double buffer_bytes, int inline_allowed, const mdl_footprint *footprint)
{
	mdl_message m;
	int ethernet = link == LINK_ETHERNET;
	double mtu = link == LINK_NONE ? INFINITY : ethernet ? V(p, ETH_MTU) : V(p, WIRE_MTU);
	double header_bytes = link == LINK_NONE ? 0.0 : ethernet ? V(p, ETH_HEADER_BYTES) : V(p, WIRE_HEADER_BYTES);
	m.size_bytes = wire_payload_bytes;
	m.packets = wire_payload_bytes <= mtu ? 1.0 : ceil(wire_payload_bytes / mtu);
	m.wire_bytes = wire_payload_bytes + m.packets * header_bytes;
	m.pages = pages_of(p, buffer_bytes);
	/* Only an HCA takes payload inside the WQE. */
	m.inline_payload = link == LINK_INFINIBAND && inline_allowed && wire_payload_bytes <= V(p, HCA_INLINE_MAX);
	m.blueflame = m.inline_payload && V(p, HCA_BLUEFLAME_MAX) > 0 && wire_payload_bytes <= V(p, HCA_BLUEFLAME_MAX);
	double registered_pages = pages_of(p, fmax(footprint->registered_bytes, buffer_bytes));
	m.qp_miss = miss_chance(V(p, HCA_QP_CACHE_ENTRIES), footprint->qps);
	m.mtt_miss = miss_chance(V(p, HCA_MTT_CACHE_ENTRIES), registered_pages);
	m.iotlb_miss = miss_chance(V(p, IOMMU_IOTLB_ENTRIES), registered_pages);
	return m;
}

double mdl_resource_bps(mdl_resource resource, const mdl_params *p)
{
	switch (resource) {
	case RES_PCIE:
		/* Payload moves in TLPs of at most max_payload bytes, each with its overhead. */
		return V(p, PCIE_BANDWIDTH) * V(p, PCIE_MAX_PAYLOAD) / (V(p, PCIE_MAX_PAYLOAD) + V(p, PCIE_TLP_OVERHEAD));
	case RES_HCA: return V(p, HCA_BANDWIDTH);
	case RES_WIRE: return V(p, WIRE_BANDWIDTH);
	case RES_SWITCH: return V(p, SWITCH_BANDWIDTH);
	case RES_NIC: return V(p, NIC_BANDWIDTH);
	case RES_MEMORY: return V(p, MEM_COPY_BANDWIDTH);
	case RES_NONE:
	case RES_COUNT: break;
	}
	return INFINITY;
}

/* Time to move BYTES over a resource of BPS bits per second, in ns. */
static double transfer_ns(double bytes, double bps)
{
	return bytes * 8.0 / bps * 1e9;
}

/* PCIe transactions: read requests of at most max_read_request bytes, write
 * TLPs of at most max_payload bytes; at least one for any DMA. */
static double read_requests(const mdl_params *p, double bytes)
{
	return bytes <= V(p, PCIE_MAX_READ_REQUEST) ? 1.0 : ceil(bytes / V(p, PCIE_MAX_READ_REQUEST));
}

static double write_tlps(const mdl_params *p, double bytes)
{
	return bytes <= V(p, PCIE_MAX_PAYLOAD) ? 1.0 : ceil(bytes / V(p, PCIE_MAX_PAYLOAD));
}

/* A cost that repeats for each packet: the whole message pays it PACKETS
 * times, a pipeline only once plus the slowest stage's repeats. */
static void per_packet(mdl_cost *c, double ns_per_packet, const mdl_message *msg)
{
	c->fixed_ns += ns_per_packet * msg->packets;
	c->per_packet_ns += ns_per_packet;
}

static void cpu_cost(mdl_cost *c, const mdl_params *own, const mdl_message *msg, const mdl_cpu_cost *cpu)
{
	if (cpu->fixed >= 0)
		c->fixed_ns += own->value[cpu->fixed];
	if (cpu->per_page >= 0)
		c->fixed_ns += own->value[cpu->per_page] * msg->pages;
	double each = cpu->per_packet >= 0 ? own->value[cpu->per_packet] : 0.0;
	if (cpu->bytes_rate >= 0)
		each += transfer_ns(msg->size_bytes / msg->packets, own->value[cpu->bytes_rate]);
	per_packet(c, each, msg);
	c->software = 1;
}

mdl_cost mdl_mechanism_cost(mdl_mechanism mech, const mdl_params *sender, const mdl_params *receiver,
			    const mdl_message *msg, const mdl_cpu_cost *cpu, mdl_side side)
{
	mdl_cost c = {0};
	/* Local mechanisms use the parameters of the host they run on. */
	const mdl_params *own = side == SIDE_RECEIVER ? receiver : sender;
	switch (mech) {
	case MECH_CPU:
		cpu_cost(&c, own, msg, cpu);
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
			     (msg->blueflame ? transfer_ns(V(own, HCA_WQE_BYTES), mdl_resource_bps(RES_PCIE, own)) : 0.0);
		c.counts.doorbells = 1;
		break;
	case MECH_WQE_FETCH:
		if (msg->blueflame)
			break;
		c.fixed_ns = V(own, PCIE_READ_LATENCY) + transfer_ns(V(own, HCA_WQE_BYTES), mdl_resource_bps(RES_PCIE, own));
		c.counts.dma_reads = read_requests(own, V(own, HCA_WQE_BYTES));
		break;
	case MECH_RECV_WQE_FETCH:
		/* Only a receive WQE the HCA has not prefetched costs a read on the path. */
		c.fixed_ns = (1.0 - V(own, HCA_RECV_WQE_PREFETCH)) *
			     (V(own, PCIE_READ_LATENCY) + transfer_ns(V(own, HCA_WQE_BYTES), mdl_resource_bps(RES_PCIE, own)));
		c.counts.dma_reads = read_requests(own, V(own, HCA_WQE_BYTES));
		break;
	case MECH_PAYLOAD_DMA_READ:
		if (msg->inline_payload)
			break;
		/* The first read's round trip; the rest streams (serialization). */
		c.fixed_ns = V(own, PCIE_READ_LATENCY);
		c.resource = RES_PCIE;
		c.counts.dma_reads = read_requests(own, msg->size_bytes);
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
		c.counts.dma_writes = write_tlps(own, msg->size_bytes);
		break;
	case MECH_ACK_RETURN:
		c.fixed_ns = V(receiver, HCA_PACKET_PROCESSING) + V(receiver, WIRE_PROPAGATION) +
			     V(sender, SWITCH_LATENCY) + V(sender, WIRE_PROPAGATION) +
			     transfer_ns(V(receiver, WIRE_ACK_BYTES), V(receiver, WIRE_BANDWIDTH)) +
			     V(sender, HCA_PACKET_PROCESSING);
		c.counts.wire_packets = 1;
		break;
	case MECH_CQE_DMA_WRITE:
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY) + transfer_ns(V(own, HCA_CQE_BYTES), mdl_resource_bps(RES_PCIE, own));
		c.counts.dma_writes = write_tlps(own, V(own, HCA_CQE_BYTES));
		break;
	case MECH_MSI_INTERRUPT:
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY) + V(own, HCA_INTERRUPT_MODERATION) + V(own, IRQ_HANDLER);
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
	case MECH_IOMMU_TRANSLATION:
		/* A walk for each page whose translation missed; the walks of later
		 * packets overlap the earlier packets' transfer. */
		per_packet(&c, msg->iotlb_miss * V(own, IOMMU_PAGE_WALK) * msg->pages / msg->packets, msg);
		break;
	case MECH_HCA_CONTEXT_CACHE:
		c.fixed_ns = msg->qp_miss * V(own, HCA_CONTEXT_MISS);
		per_packet(&c, msg->mtt_miss * V(own, HCA_CONTEXT_MISS) * msg->pages / msg->packets, msg);
		c.counts.dma_reads = msg->qp_miss + msg->mtt_miss * msg->pages;
		break;
	case MECH_ESWITCH_STEERING:
		c.fixed_ns = V(own, HCA_ESWITCH_STEERING);
		break;
	case MECH_ESWITCH_LOOPBACK:
		c.fixed_ns = V(sender, HCA_ESWITCH_LOOPBACK);
		c.resource = RES_HCA;
		break;
	case MECH_MEMORY_COPY:
		/* All streaming: the copy's time is the route's serialization. */
		c.resource = RES_MEMORY;
		break;
	case MECH_NIC_TX:
		/* Descriptor fetch, then payload fetch, then the pipeline. */
		c.fixed_ns = 2.0 * V(own, PCIE_READ_LATENCY) + V(own, NIC_TX_PROCESSING);
		c.resource = RES_NIC;
		c.counts.dma_reads = msg->packets + read_requests(own, msg->size_bytes);   /* descriptors, payload */
		c.counts.wire_packets = msg->packets;
		break;
	case MECH_ETH_WIRE:
		c.fixed_ns = V(sender, WIRE_PROPAGATION) + V(receiver, WIRE_PROPAGATION);
		c.resource = RES_NIC;
		break;
	case MECH_ETH_SWITCH:
		c.fixed_ns = V(sender, ETH_SWITCH_LATENCY);
		c.resource = RES_NIC;
		break;
	case MECH_NIC_RX:
		c.fixed_ns = V(own, NIC_RX_PROCESSING) + V(own, PCIE_WRITE_LATENCY);
		c.counts.dma_writes = write_tlps(own, msg->size_bytes) + 1.0;   /* payload, then the descriptor write-back */
		break;
	case MECH_NIC_INTERRUPT:
		c.fixed_ns = V(own, PCIE_WRITE_LATENCY) + V(own, NIC_INTERRUPT_MODERATION) + V(own, IRQ_HANDLER);
		c.software = 1;
		c.counts.interrupts = 1;
		break;
	case MECH_ETH_ACK_RETURN:
		c.fixed_ns = 2.0 * V(receiver, PCIE_READ_LATENCY) + V(receiver, NIC_TX_PROCESSING) +
			     V(receiver, WIRE_PROPAGATION) + V(sender, ETH_SWITCH_LATENCY) + V(sender, WIRE_PROPAGATION) +
			     transfer_ns(V(receiver, ETH_ACK_BYTES), fmin(V(receiver, NIC_BANDWIDTH), V(sender, NIC_BANDWIDTH))) +
			     V(sender, NIC_RX_PROCESSING) + V(sender, PCIE_WRITE_LATENCY);
		c.counts.wire_packets = 1;
		c.counts.dma_reads = 2;
		c.counts.dma_writes = 2;
		break;
	case MECH_NET_LOOPBACK:
		break;   /* the stack's own costs are the cpu stages on both sides */
	case MECH_ESWITCH_ACK_RETURN:
		/* Built and steered by the responder's VF, turned, steered and
		 * consumed by the requester's: no PCIe, no cable. */
		c.fixed_ns = 2.0 * V(sender, HCA_PACKET_PROCESSING) + 2.0 * V(sender, HCA_ESWITCH_STEERING) +
			     V(sender, HCA_ESWITCH_LOOPBACK);
		break;
	case MECH_COUNT:
		break;
	}
	return c;
}
