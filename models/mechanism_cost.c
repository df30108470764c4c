/*
 * mechanism_cost.c - the cost formulas of the mechanisms, one function per
 * row of mechanisms.def (or per family).  Each starts from a zeroed cost
 * carrying its row's resource and fills in the time and the counts; the
 * expressions are written so that every estimate stays what it was when
 * they were the cases of one switch.
 */
#include "models/mechanism_cost.h"

#include "models/pcie.h"

#include <math.h>

#define V(p, id) MDL_VALUE(p, id)

/* Time to move BYTES over a resource of BPS bits per second, in ns. */
static double transfer_ns(double bytes, double bps)
{
	return bytes * 8.0 / bps * 1e9;
}

/* PCIe transactions: read requests of at most max_read_request bytes, write
 * TLPs of at most max_payload bytes; at least one for any DMA. */
static double read_requests(const mdl_params *p, double bytes)
{
	return mdl_pcie_tlps(bytes, V(p, PCIE_MAX_READ_REQUEST));
}

static double write_tlps(const mdl_params *p, double bytes)
{
	return mdl_pcie_tlps(bytes, V(p, PCIE_MAX_PAYLOAD));
}

/* A cost that repeats for each packet: the whole message pays it PACKETS
 * times, a pipeline only once plus the slowest stage's repeats. */
static void per_packet(mdl_cost *c, double ns_per_packet, const mdl_message *msg)
{
	c->fixed_ns += ns_per_packet * msg->packets;
	c->per_packet_ns += ns_per_packet;
}

/* The WQE moving over PCIe, on the host with parameters P. */
static double wqe_transfer_ns(const mdl_params *p)
{
	return transfer_ns(V(p, HCA_WQE_BYTES), mdl_resource_bps(RES_PCIE, p));
}

void mdl_cost_cpu(const mdl_cost_in *in, mdl_cost *c)
{
	const mdl_params *own = in->own;
	const mdl_cpu_cost *cpu = in->cpu;
	if (cpu->fixed >= 0)
		c->fixed_ns += own->value[cpu->fixed];
	if (cpu->per_page >= 0)
		c->fixed_ns += own->value[cpu->per_page] * in->msg->pages;
	double each = cpu->per_packet >= 0 ? own->value[cpu->per_packet] : 0.0;
	if (cpu->bytes_rate >= 0)
		each += transfer_ns(in->msg->size_bytes / in->msg->packets, own->value[cpu->bytes_rate]);
	per_packet(c, each, in->msg);
	c->software = 1;
}

void mdl_cost_doorbell_trap(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, VIRT_VM_EXIT);
	c->software = 1;
	c->counts.vm_exits = 1;
	c->counts.doorbells = 1;
}

void mdl_cost_vm_entry(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, VIRT_VM_ENTRY);
	c->software = 1;
}

void mdl_cost_mmio_doorbell(const mdl_cost_in *in, mdl_cost *c)
{
	/* With BlueFlame the WQE rides in the same posted write. */
	c->fixed_ns = V(in->own, PCIE_WRITE_LATENCY) + (in->msg->blueflame ? wqe_transfer_ns(in->own) : 0.0);
	c->counts.doorbells = 1;
}

void mdl_cost_wqe_fetch(const mdl_cost_in *in, mdl_cost *c)
{
	if (in->msg->blueflame)
		return;   /* the doorbell carried it */
	c->fixed_ns = V(in->own, PCIE_READ_LATENCY) + wqe_transfer_ns(in->own);
	c->counts.dma_reads = read_requests(in->own, V(in->own, HCA_WQE_BYTES));
}

void mdl_cost_recv_wqe_fetch(const mdl_cost_in *in, mdl_cost *c)
{
	/* Only a receive WQE the HCA has not prefetched costs a read on the path. */
	c->fixed_ns = (1.0 - V(in->own, HCA_RECV_WQE_PREFETCH)) * (V(in->own, PCIE_READ_LATENCY) + wqe_transfer_ns(in->own));
	c->counts.dma_reads = read_requests(in->own, V(in->own, HCA_WQE_BYTES));
}

void mdl_cost_payload_dma_read(const mdl_cost_in *in, mdl_cost *c)
{
	if (in->msg->inline_payload) {
		c->resource = RES_NONE;   /* the payload rode in the WQE */
		return;
	}
	/* The first read's round trip; the rest streams (serialization). */
	c->fixed_ns = V(in->own, PCIE_READ_LATENCY);
	c->counts.dma_reads = read_requests(in->own, in->msg->size_bytes);
}

void mdl_cost_hca_tx(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, HCA_WQE_PROCESSING) + V(in->own, HCA_PACKET_PROCESSING);
	c->counts.wire_packets = in->msg->packets;
}

/* Both cables, InfiniBand or Ethernet: each host's propagation. */
void mdl_cost_propagation(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->sender, WIRE_PROPAGATION) + V(in->receiver, WIRE_PROPAGATION);
}

void mdl_cost_switch(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->sender, SWITCH_LATENCY);
}

void mdl_cost_hca_rx(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, HCA_PACKET_PROCESSING);
}

void mdl_cost_payload_dma_write(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, PCIE_WRITE_LATENCY);
	c->counts.dma_writes = write_tlps(in->own, in->msg->size_bytes);
}

void mdl_cost_ack_return(const mdl_cost_in *in, mdl_cost *c)
{
	const mdl_params *sender = in->sender, *receiver = in->receiver;
	c->fixed_ns = V(receiver, HCA_PACKET_PROCESSING) + V(receiver, WIRE_PROPAGATION) +
		      V(sender, SWITCH_LATENCY) + V(sender, WIRE_PROPAGATION) +
		      transfer_ns(V(receiver, WIRE_ACK_BYTES), V(receiver, WIRE_BANDWIDTH)) +
		      V(sender, HCA_PACKET_PROCESSING);
	c->counts.wire_packets = 1;
}

void mdl_cost_cqe_dma_write(const mdl_cost_in *in, mdl_cost *c)
{
	const mdl_params *own = in->own;
	c->fixed_ns = V(own, PCIE_WRITE_LATENCY) + transfer_ns(V(own, HCA_CQE_BYTES), mdl_resource_bps(RES_PCIE, own));
	c->counts.dma_writes = write_tlps(own, V(own, HCA_CQE_BYTES));
}

void mdl_cost_msi_interrupt(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, PCIE_WRITE_LATENCY) + V(in->own, HCA_INTERRUPT_MODERATION) + V(in->own, IRQ_HANDLER);
	c->software = 1;
	c->counts.interrupts = 1;
}

void mdl_cost_virq_injection(const mdl_cost_in *in, mdl_cost *c)
{
	/* Posted: a notification, no exit.  Otherwise an exit to inject and
	 * one for the guest's EOI. */
	const mdl_params *own = in->own;
	double posted = V(own, VIRT_POSTED_INTERRUPTS);
	c->fixed_ns = posted * V(own, VIRT_POSTED_DELIVERY) +
		      (1.0 - posted) * (V(own, VIRT_INTERRUPT_INJECTION) + V(own, VIRT_EOI_EXIT));
	c->software = 1;
	c->counts.interrupts = 1;
	c->counts.vm_exits = 2.0 * (1.0 - posted);
}

void mdl_cost_assigned_msi(const mdl_cost_in *in, mdl_cost *c)
{
	/* An assigned device's MSI-X write crosses PCIe like any other.  Posted
	 * (VT-d posted interrupts, with APICv: virt.posted_interrupts), the
	 * IOMMU records it in the vCPU's descriptor and no host handler runs;
	 * otherwise the host's handler takes it and forwards it to the VM. */
	const mdl_params *own = in->own;
	c->fixed_ns = V(own, PCIE_WRITE_LATENCY) + V(own, HCA_INTERRUPT_MODERATION) +
		      (1.0 - V(own, VIRT_POSTED_INTERRUPTS)) * V(own, IRQ_HANDLER);
	c->software = 1;
	c->counts.interrupts = 1;
}

void mdl_cost_halted_vcpu_interrupt(const mdl_cost_in *in, mdl_cost *c)
{
	/* The thread waiting for the event blocked, so its vCPU halted (an
	 * exit, off the path).  Within KVM's halt-polling window the host is
	 * still polling for it: the interrupt costs the VM entry.  Later, the
	 * vCPU's host thread sleeps and must be woken, scheduled and entered.
	 * Either way the vCPU is not running: no kick, no exit to inject; the
	 * vector is delivered on entry.  Without APIC virtualization the
	 * guest's EOI still exits. */
	const mdl_params *own = in->own;
	double posted = V(own, VIRT_POSTED_INTERRUPTS);
	int polled = in->elapsed_ns < V(own, VIRT_HALT_POLL);
	c->fixed_ns = (polled ? V(own, VIRT_VM_ENTRY) : V(own, VIRT_VCPU_WAKEUP)) + (1.0 - posted) * V(own, VIRT_EOI_EXIT);
	c->software = 1;
	c->counts.interrupts = 1;
	c->counts.vm_exits = 1.0 + (1.0 - posted);   /* the HLT, the EOI */
}

void mdl_cost_iommu_translation(const mdl_cost_in *in, mdl_cost *c)
{
	/* A walk for each page whose translation missed; the walks of later
	 * packets overlap the earlier packets' transfer. */
	const mdl_message *msg = in->msg;
	per_packet(c, msg->iotlb_miss * V(in->own, IOMMU_PAGE_WALK) * msg->pages / msg->packets, msg);
}

void mdl_cost_hca_context_cache(const mdl_cost_in *in, mdl_cost *c)
{
	const mdl_message *msg = in->msg;
	c->fixed_ns = msg->qp_miss * V(in->own, HCA_CONTEXT_MISS);
	per_packet(c, msg->mtt_miss * V(in->own, HCA_CONTEXT_MISS) * msg->pages / msg->packets, msg);
	c->counts.dma_reads = msg->qp_miss + msg->mtt_miss * msg->pages;
}

void mdl_cost_eswitch_steering(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, HCA_ESWITCH_STEERING);
}

void mdl_cost_eswitch_loopback(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->sender, HCA_ESWITCH_LOOPBACK);
}

void mdl_cost_nic_tx(const mdl_cost_in *in, mdl_cost *c)
{
	/* Descriptor fetch, then payload fetch, then the pipeline. */
	const mdl_params *own = in->own;
	c->fixed_ns = 2.0 * V(own, PCIE_READ_LATENCY) + V(own, NIC_TX_PROCESSING);
	c->counts.dma_reads = in->msg->packets + read_requests(own, in->msg->size_bytes);   /* descriptors, payload */
	c->counts.wire_packets = in->msg->packets;
}

void mdl_cost_eth_switch(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->sender, ETH_SWITCH_LATENCY);
}

void mdl_cost_nic_rx(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, NIC_RX_PROCESSING) + V(in->own, PCIE_WRITE_LATENCY);
	c->counts.dma_writes = write_tlps(in->own, in->msg->size_bytes) + 1.0;   /* payload, then the descriptor write-back */
}

void mdl_cost_nic_interrupt(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, PCIE_WRITE_LATENCY) + V(in->own, NIC_INTERRUPT_MODERATION) + V(in->own, IRQ_HANDLER);
	c->software = 1;
	c->counts.interrupts = 1;
}

void mdl_cost_eth_ack_return(const mdl_cost_in *in, mdl_cost *c)
{
	const mdl_params *sender = in->sender, *receiver = in->receiver;
	c->fixed_ns = 2.0 * V(receiver, PCIE_READ_LATENCY) + V(receiver, NIC_TX_PROCESSING) +
		      V(receiver, WIRE_PROPAGATION) + V(sender, ETH_SWITCH_LATENCY) + V(sender, WIRE_PROPAGATION) +
		      transfer_ns(V(receiver, ETH_ACK_BYTES), fmin(V(receiver, NIC_BANDWIDTH), V(sender, NIC_BANDWIDTH))) +
		      V(sender, NIC_RX_PROCESSING) + V(sender, PCIE_WRITE_LATENCY);
	c->counts.wire_packets = 1;
	c->counts.dma_reads = 2;
	c->counts.dma_writes = 2;
}

void mdl_cost_eswitch_ack_return(const mdl_cost_in *in, mdl_cost *c)
{
	/* Built and steered by the responder's VF, turned, steered and
	 * consumed by the requester's: no PCIe, no cable. */
	const mdl_params *sender = in->sender;
	c->fixed_ns = 2.0 * V(sender, HCA_PACKET_PROCESSING) + 2.0 * V(sender, HCA_ESWITCH_STEERING) +
		      V(sender, HCA_ESWITCH_LOOPBACK);
}

/* No fixed cost: a memory copy is all streaming (its time is the route's
 * serialization); a loopback netdev's work is the stack's cpu stages on
 * both sides. */
void mdl_cost_none(const mdl_cost_in *in, mdl_cost *c)
{
}
