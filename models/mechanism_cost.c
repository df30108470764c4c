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
	if (cpu->per_chunk >= 0)   /* spread over the packets, so that it pipelines as per-packet work does */
		each += own->value[cpu->per_chunk] * ceil(fmax(in->msg->size_bytes, 1) / own->value[cpu->chunk_bytes]) /
			in->msg->packets;
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

/* The cables a packet crosses between two hosts' adapters, each host's
 * wire.propagation its cable's: both cables through a switch; back to
 * back, one cable, which both hosts describe (their mean, so that both
 * directions agree when the hosts' values differ). */
static double cables_ns(const mdl_params *sender, const mdl_params *receiver)
{
	double both = V(sender, WIRE_PROPAGATION) + V(receiver, WIRE_PROPAGATION);
	return sender->back_to_back ? 0.5 * both : both;
}

/* The cables, InfiniBand or Ethernet: each host's propagation. */
void mdl_cost_propagation(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = cables_ns(in->sender, in->receiver);
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

/* Adds to NS, term by term in the order the sums always had (so that they
 * stay bit-identical), the way back from RECEIVER to SENDER: its cable, the
 * switch (SWITCH_ID) and the sender's cable; back to back, the one cable. */
static double add_way_back(double ns, const mdl_params *receiver, const mdl_params *sender, mdl_param_id switch_id)
{
	if (receiver->back_to_back)
		return ns + cables_ns(receiver, sender);
	ns += V(receiver, WIRE_PROPAGATION);
	ns += sender->value[switch_id];
	return ns + V(sender, WIRE_PROPAGATION);
}

void mdl_cost_ack_return(const mdl_cost_in *in, mdl_cost *c)
{
	const mdl_params *sender = in->sender, *receiver = in->receiver;
	double ns = add_way_back(V(receiver, HCA_PACKET_PROCESSING), receiver, sender, MDL_SWITCH_LATENCY);
	c->fixed_ns = ns + transfer_ns(V(receiver, WIRE_ACK_BYTES), V(receiver, WIRE_BANDWIDTH)) +
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

/* What waking a halted vCPU costs, written once for every stage that
 * wakes one.  While KVM still polls for it (the wait so far, the plan's
 * time before the stage, within virt.halt_poll) the vCPU only re-enters:
 * a VM entry.  Later its host thread sleeps on an idle core: the core
 * leaves its C-state (cpu.idle_exit) and the thread is woken, scheduled
 * and enters the guest (virt.vcpu_wakeup). */
static double halted_vcpu_wake_ns(const mdl_cost_in *in)
{
	const mdl_params *own = in->own;
	if (in->elapsed_ns < V(own, VIRT_HALT_POLL))
		return V(own, VIRT_VM_ENTRY);
	return V(own, VIRT_VCPU_WAKEUP) + V(own, CPU_IDLE_EXIT);
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
	c->fixed_ns = halted_vcpu_wake_ns(in) + (1.0 - posted) * V(own, VIRT_EOI_EXIT);
	c->software = 1;
	c->counts.interrupts = 1;
	c->counts.vm_exits = 1.0 + (1.0 - posted);   /* the HLT, the EOI */
}

void mdl_cost_iommu_translation(const mdl_cost_in *in, mdl_cost *c)
{
	/* The payload's DMA: an inline payload rode in the WQE, so the sender
	 * reads none and translates none.  The first request's look-up is on
	 * the path (later ones pipeline behind it); a walk for each host page
	 * whose translation missed, the walks of later packets overlapping the
	 * earlier packets' transfer. */
	const mdl_message *msg = in->msg;
	if (in->side == SIDE_SENDER && msg->inline_payload)
		return;
	c->fixed_ns = V(in->own, IOMMU_IOTLB_HIT);
	per_packet(c, msg->iotlb_miss * mdl_iommu_walk_ns(in->own) * msg->host_pages / msg->packets, msg);
}

/* A queue entry's DMA (a WQE read, a CQE write) through the IOMMU: the
 * rings are a few pages, looked up like the buffer's (they miss only when
 * the registered memory sweeps the IOTLB). */
static double ring_translation_ns(const mdl_cost_in *in)
{
	return V(in->own, IOMMU_IOTLB_HIT) + in->msg->iotlb_miss * mdl_iommu_walk_ns(in->own);
}

void mdl_cost_iommu_wqe_translation(const mdl_cost_in *in, mdl_cost *c)
{
	if (in->msg->blueflame)
		return;   /* the doorbell carried the WQE: no DMA read */
	c->fixed_ns = ring_translation_ns(in);
}

void mdl_cost_iommu_cqe_translation(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = ring_translation_ns(in);
}

void mdl_cost_interrupt_remap(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, IOMMU_INTERRUPT_REMAP);
}

void mdl_cost_guest_page_walk(const mdl_cost_in *in, mdl_cost *c)
{
	/* One access to one page (a WQE, a CQE, the polled byte): a TLB miss
	 * walks two dimensions where a native core walks one. */
	c->fixed_ns = in->msg->tlb_miss * mdl_ept_walk_extra_ns(in->own);
}

void mdl_cost_vcpu_timer_tick(const mdl_cost_in *in, mdl_cost *c)
{
	/* No cost in the median: a tick strikes a message at the rate of the
	 * guest's timer while the message is under way (the plan makes it a
	 * chance), and then steals the vCPU for an exit, the tick's handling
	 * and the entry back. */
	const mdl_params *own = in->own;
	c->events_per_ns = V(own, VIRT_TIMER_TICK_RATE) * 1e-9;
	c->event_ns = V(own, VIRT_VM_EXIT) + V(own, VIRT_TIMER_TICK_COST) + V(own, VIRT_VM_ENTRY);
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
	double ns = add_way_back(2.0 * V(receiver, PCIE_READ_LATENCY) + V(receiver, NIC_TX_PROCESSING), receiver, sender,
				 MDL_ETH_SWITCH_LATENCY);
	c->fixed_ns = ns + transfer_ns(V(receiver, ETH_ACK_BYTES), fmin(V(receiver, NIC_BANDWIDTH), V(sender, NIC_BANDWIDTH))) +
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

/* An atomic at the responder's HCA (read_response path, whose sender is the
 * responder): the 8-byte DMA read that fetched the original value is the
 * path's payload_dma_read stage; this is the HCA's own work (the address
 * held against other QPs' atomics, the add or compare-and-swap) and the
 * write-back, a posted DMA write the response need not wait for.  Where the
 * device and its root port support PCIe AtomicOps the read and the write
 * are one non-posted request instead: the same round trip, to first order. */
void mdl_cost_atomic_execute(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, HCA_ATOMIC_EXECUTE);
	c->counts.dma_writes = 1;
}

/* No fixed cost: a memory copy is all streaming (its time is the route's
 * serialization); a loopback netdev's work is the stack's cpu stages on
 * both sides. */
void mdl_cost_none(const mdl_cost_in *in, mdl_cost *c)
{
}

/* A scheduling delay, not work: the CPU is free meanwhile, so the stage
 * occupies no CPU of the pipeline or the stream (software stays 0). */
void mdl_cost_deferred_task(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, RXE_DEFER);
}

/* Between the messages of a latency test the backend thread sleeps and its
 * core idles: the wake-up, then the core's exit from its C-state. */
void mdl_cost_backend_wakeup(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = V(in->own, VNIC_BACKEND_WAKEUP) + V(in->own, CPU_IDLE_EXIT);
}

/* A halted vCPU woken where its interrupt is charged by another stage
 * (a vNIC's virq_injection): the wake-up alone. */
void mdl_cost_vcpu_halt_wakeup(const mdl_cost_in *in, mdl_cost *c)
{
	c->fixed_ns = halted_vcpu_wake_ns(in);
}
