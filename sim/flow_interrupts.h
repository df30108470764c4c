/*
 * flow_interrupts.h - event-mode completions' interrupts in a many-flow
 * run (sim/flow_experiment.c maps them with these; the engine's vectors
 * are sim/flows/irq_hop.c).
 *
 * Contract:
 * - An interrupt's work is a run of consecutive stages of one segment
 *   that an option writes for event completions only (`completions:
 *   [event]`), starting with msi_interrupt, assigned_msi, virq_injection
 *   or halted_vcpu_interrupt: the MSI,
 *   the virtual injection, the handlers, the wake-up of the waiting thread
 *   and its re-arming of the CQ (ibv_req_notify_cq; a trap on vRDMA),
 *   what one interrupt does however many completions it finds: the woken
 *   thread drains the CQ (perftest -e: ibv_get_cq_event, re-arm, poll
 *   until empty), so the CQ polls that follow stay per completion.
 *   SoftRoCE's NIC interrupts are written for both modes (a receive
 *   interrupt per packet): they stay per-visit delays, as before.
 * - Each VM has one vector (its HCA EQ's MSI-X vector for passthrough,
 *   SR-IOV and native, its virtual device's vector for vRDMA): the
 *   completions of all its CQs share it, so they coalesce across its
 *   connections.  The vector's moderation window is the host's
 *   hca.interrupt_moderation (0 in both presets: mlx4/mlx5 fire on an
 *   armed CQ's first event; a scenario may override it), taken out of
 *   msi_interrupt's cost; vRDMA's virtual vector has none (the backend
 *   injects as it proxies), so its completions coalesce only while an
 *   interrupt is handled.
 * - Delivery: the virtual injection (virq_injection: posted, or an exit to
 *   inject and one for the EOI, virt.posted_interrupts) and the guest's
 *   handler run on the target VM's vCPU server (its own, or its host's
 *   pool of guest cores).  The host's MSI handler (msi_interrupt's
 *   irq.handler) runs there too: the presets name no host core for it,
 *   and KVM/ESXi steer an assigned device's MSI-X to the physical CPU the
 *   target vCPU runs on (irqbalance aside), which a VM with a core of its
 *   own owns; the MSI write itself (pcie.write_latency) stays a delay.
 * - vRDMA: the option has the backend poll its physical CQ (no host
 *   interrupt), so its completion proxying (vrdma.backend_cq_poll and
 *   vrdma.cqe_proxy per CQE) stays per completion before the interrupt:
 *   the backend's time per guest interrupt grows with the CQEs it
 *   carries, coalescing amortising the injection and handler only.
 * - Not coalesced (per-operation costs as before): a batch's completions
 *   (cq_moderation > 1: the fluid share of flow_experiment.h), and
 *   detached completions (a latency test's sender's, forked without its
 *   own-vCPU work).
 * - Counts: an interrupt's stages count once per interrupt raised on its
 *   VM's vector, the other stages once per operation.
 */
#ifndef VR_FLOW_INTERRUPTS_H
#define VR_FLOW_INTERRUPTS_H

#include <stdint.h>

#include "models/option.h"
#include "models/plan.h"
#include "models/scenario.h"

struct vr_flow_result;

/* Where stage I of PLAN (of OPTION) stands in an interrupt's work: 0 in
 * none (or not coalesced: a batch's completion, with CQ_MODERATION > 1,
 * or a detached one, DETACHED_COMPLETION; nor the IOMMU's remapping of the
 * MSI-X, a delay before the interrupt reaches a CPU), else VR_IRQ_IN with
 * VR_IRQ_FIRST and VR_IRQ_LAST when it opens or closes it. */
enum { VR_IRQ_IN = 1, VR_IRQ_FIRST = 2, VR_IRQ_LAST = 4 };
int vr_irq_place(const mdl_option *option, const mdl_plan *plan, size_t i, double cq_moderation,
		 int detached_completion);

/* msi_interrupt (or assigned_msi) stage PS on the parameters P of its host: the moderation
 * window it opens with, the delay it keeps (the MSI write) and its
 * handler's work on the target VM's vCPU's core; 0 for another stage. */
typedef struct vr_irq_part {
	double window_ns, delay_ns, vcpu_ns;
} vr_irq_part;
int vr_irq_msi_split(const mdl_option *option, const mdl_plan_stage *ps, const mdl_params *p, vr_irq_part *out);

/* Give every VM of S a vector in R's engine when S's completions are
 * events (R->irq_first; FL_NONE otherwise) and R's per-VM interrupt
 * figures their room.  0, or -1 when out of memory or the engine refuses. */
int vr_flow_irq_vectors(const scn_scenario *s, struct vr_flow_result *r);

/* What one interrupt on the vector of each VM of AT's host does (of AT
 * alone when it is the host's hypervisor: its paths are its own), as
 * mapped: PER_IRQ its stages' counts (NULL: keep them); or its work:
 * VCPU_NS on the VM's vCPU (VCPU0 + the VM's index on its host with
 * OWN_VCPUS, else VCPU0, the host's pool or hypervisor cores) and
 * BACKEND_NS on BACKEND.  Hypervisors' vectors follow the VMs' (at
 * irq_first + their flat index) when the scenario has them. */
void vr_flow_irq_set_counts(const scn_scenario *s, struct vr_flow_result *r, scn_vm_ref at, const mdl_counters *per_irq);
typedef struct vr_irq_work {
	double vcpu_ns, backend_ns;
	uint32_t vcpu0, backend;
	int own_vcpus;
} vr_irq_work;
void vr_flow_irq_set_work(const scn_scenario *s, struct vr_flow_result *r, scn_vm_ref at, const vr_irq_work *work);

/* Add to PER_S[vm_count] each VM's counts of the interrupts it raised
 * per second. */
void vr_flow_irq_add_rates(const struct vr_flow_result *r, mdl_counters *per_s);

/* Free what vr_flow_irq_vectors allocated in R (NULLs stay NULL). */
void vr_flow_irq_free(struct vr_flow_result *r);

/* After the run: VM's interrupts (vr_flow_result.irq_first: none without
 * vectors, all 0). */
typedef struct vr_flow_irq_rates {
	double raised_per_s;          /* interrupts raised on its vector */
	double completions_per_s;     /* completions that reached it: raised or rode */
	double coalesced;             /* share of those that rode an interrupt, 0 .. 1 */
	double exits_per_s;           /* VM exits of its interrupts (injection, EOI) */
} vr_flow_irq_rates;
void vr_flow_irq_rates_of(const struct vr_flow_result *r, size_t vm, vr_flow_irq_rates *out);

/* After the run: the share of SERVER's busy time spent on interrupts'
 * work (per interrupt raised, on a vCPU or a backend), 0 for a server
 * that does none. */
double vr_flow_irq_share(const struct vr_flow_result *r, uint32_t server);

#endif
