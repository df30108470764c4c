/*
 * flow_experiment.h - a flows scenario (models/flows.h) run by the
 * many-flow engine (sim/flows/flows.h): one fl_engine per (preset, option).
 *
 * Contract:
 * - Servers, per host H (in host order): a vCPU per VM ("H/i vcpu", one
 *   unit) while the host has no more VMs than cpu.guest_cores; beyond,
 *   one pool "H guest cores" of cpu.guest_cores units that every VM's
 *   vCPU work queues for (overcommit: a work-conserving scheduler without
 *   time slices or wake-up costs; a VM's own work is then not kept to one
 *   core at a time); "H backend" (vrdma.backend_threads units),
 *   "H hca" (hca.engines units), "H pcie up" and "H pcie down" (the
 *   HCA's or NIC's PCIe link to and from host memory, one unit each,
 *   serving TLP bytes at pcie.bandwidth: models/pcie.h), and for options whose route crosses the
 *   fabric "H uplink" and "H downlink" (one unit each, serving a message's
 *   serialization at the host's link rate packet by packet: a turn per
 *   packet, so that flows' messages interleave, a flow's own in order).
 * - A stage of a plan visits the server its mechanism or `runs_on:` names
 *   (models/mechanisms.def, column server), on the host or VM of the side
 *   that runs it, for the stage's nominal_ns (fixed service); other stages
 *   are pure delays.  A DMA stage (server SERVE_PCIE) is its read requests
 *   on the up direction, a delay, then its data on the direction it goes
 *   (a write's data before the delay): the delay is the stage's cost less
 *   its visits, so that alone it costs what it did.  The payload's data
 *   (payload_dma_read, payload_dma_write) is no part of its stage's cost
 *   but of the transfer's serialization: the transfer's delay gives it up,
 *   at least 0.  The payload's data is served in turns of the message's
 *   packets, a flow's messages in order, as on a link; and it streams
 *   through the leg's links (PCIe data, uplink, downlink, PCIe data) as
 *   the single-flow model has it: each link starts on the message's first
 *   bytes when it is free (fl_hop_spec.overlap_ns), so that alone a
 *   message pays its serialization once, at its slowest link, and times
 *   as the plan says at any size (a test holds it within 5 % from 2 B to
 *   1 MiB; before, a message crossed each link whole in turn and 1 MiB
 *   took 4 times its single-flow time).
 *   Read tags (pcie.read_tags) cap reads at tags x max_read_request per
 *   read_latency, as a longer service of their completions (models/pcie.h:
 *   a FIFO of the downstream direction, which carries almost only reads,
 *   rather than a k-unit server held for the read latency: that would hold
 *   a message's whole read on one tag, or need a visit per request).
 *   Not yet on PCIe: translation misses (hca_context_cache), MSI-X
 *   writes, the NIC's DMA (nic_tx, nic_rx), a prefetched receive WQE.
 *   The transfer is an uplink visit, a pure delay (the route's link
 *   latencies and pipeline plus the bottleneck's serialization, less what
 *   the payload's links add to the message alone, at least 0), then a
 *   downlink visit.
 * - A latency test's operation is a ping-pong round trip: the request
 *   plan's sender, transfer and receiver stages, then the reply's; its
 *   latency is reported per message (half) for WRITE and SEND, whole for
 *   READ, as perftest does.  A bandwidth test's operation is one message
 *   (both legs for READ) followed by its completion stages.  A
 *   per-doorbell stage's work at its server is divided by the workload's
 *   post_list, a completion stage's by its cq_moderation (each request
 *   carries its share); delays are not.  Off-path work (after the
 *   sender's stages) and, in latency tests, the sender's completion (from
 *   the data's arrival, or after the receiver's stages for software
 *   transports) are forks: detached work on the shared servers, none on
 *   a VM's own vCPU (see fork_segment).
 * - Caches, per host: QP contexts, translations (hca.*_cache_entries) and
 *   the IOTLB (iommu.iotlb_entries), fully associative LRU.  A translation
 *   stage becomes lookups of the connection's QP and its message's pages
 *   (the connection's buffer cycled through); a miss costs the stage's
 *   parameter, an HCA miss partly as a 64 B read on the PCIe link towards
 *   the device.  As in the single-flow pipeline, the first page's share of
 *   a lookup's misses delays the message, the later pages' hide behind its
 *   later packets, and the lookups of one message's pages at several
 *   stages run beside each other (sim/flows/cache_hop.c); the transfer's
 *   delay leaves the translation stages out of its pipeline
 *   (mdl_plan.pipeline_cacheless_ns).
 * - Per VM, VM exits/s and interrupts/s: each path's per-operation counts
 *   on its client's side and its server's (its stages' counts, shared as
 *   their work), times the operations each flow completed along it, over
 *   the run's time; a host's are the sum of its VMs'.
 * - Event completions: an interrupt's stages are a visit of the VM's
 *   vector, which coalesces the completions of its CQs (moderation, and a
 *   handler that drains before re-arming), their work on the VM's vCPU
 *   and counted per interrupt raised: see flow_interrupts.h.
 * - One flow per connection, closed loop (its window) or open loop (its
 *   Poisson rate, at most the workload's tx_depth in flight).
 * - A size mix: one path per (pair of VMs, size), and each flow a choice
 *   per size of its group's mix (size_weights, the bytes of the size), so
 *   each operation draws its size from its flow's stream; a single size
 *   is one choice and draws nothing.  The latency scale is the verb's, the
 *   same for every size.  `sizes:` with several sizes is refused when the
 *   scenario is read (models/workload.c): a mix is written `size_mix:`.
 */
#ifndef VR_FLOW_EXPERIMENT_H
#define VR_FLOW_EXPERIMENT_H

#include "models/counters.h"
#include "models/scenario.h"
#include "sim/flows/flows.h"

/* What one operation along a path counts on each of its two hosts (the
 * plans' per-host counters, models/counters.def): VM exits, interrupts... */
typedef struct vr_flow_path_counts {
	mdl_counters counts[2];       /* per operation, on each */
	int own_ends;                 /* a service's path (a vSAN write's leg to one replica): its
				       * two ends are ENDS, not its flow's client and server VMs */
	uint32_t ends[2];             /* then: the endpoints' flat indices (scn_vm_index) */
} vr_flow_path_counts;

typedef struct vr_flow_result {
	size_t preset, option;
	fl_engine *engine;            /* run; owned (vr_flow_result_free) */
	double *latency_scale;        /* [group]: reported latency = path latency x this */
	size_t vm_count;
	double *vm_latency_scale;     /* [vm]: the same for a VM's latency as a client: its
				       * groups' scale, NaN when they differ (latencies of
				       * different kinds: none reported), 0 if it posts nothing */
	mdl_counters *vm_rates;       /* [vm_count]: vr_flow_vm_rates, once run (allocated here) */
	vr_flow_path_counts *paths;   /* [path_count], by the engine's path index */
	size_t path_count;
	/* event completions' interrupts (flow_interrupts.h): VM v's vector is
	 * irq_first + v (FL_NONE: none), what one of its interrupts counts and
	 * does on its vCPU and its backend, and those servers */
	uint32_t irq_first;
	mdl_counters *irq_counts;     /* [vm_count] */
	double *irq_vcpu_ns, *irq_backend_ns;   /* [vm_count] */
	uint32_t *vm_vcpu, *vm_backend;         /* [vm_count] */
	struct vr_migration *migrations;        /* [group]: a `migrate:` group's (flow_migrate.h);
						 * .on 0 for other groups; NULL without any */
	size_t migration_count;                 /* its length (the groups), 0 when NULL */
} vr_flow_result;

/* Can every group of S run (1 to SCN_SIZES_MAX sizes, each of weight in
 * (0, 1]: what the reader guarantees, checked for scenarios built in C)?
 * 0, or -1 with DIAG located at the first group that cannot. */
int vr_flow_check(const scn_scenario *s, vr_diag *diag);

/* Build the engine of S's flows for PRESET and OPTION into OUT (not run
 * yet).  0, or -1 with DIAG filled. */
int vr_flow_build(const scn_scenario *s, size_t preset, size_t option, vr_flow_result *out, vr_diag *diag);

/* After the run: HOST's counts per second of simulated time (VM exits/s,
 * interrupts/s...): the sum of its VMs' (vr_flow_vm_rates, in vm_rates). */
void vr_flow_host_rates(const scn_scenario *s, const vr_flow_result *r, size_t host, mdl_counters *per_s);

/* After the run: each VM's counts per second (PER_S[vm_count]): the VM
 * exits and interrupts of its side of every operation of its flows, as a
 * client or as a server. */
int vr_flow_vm_rates(const vr_flow_result *r, mdl_counters *per_s);

void vr_flow_result_free(vr_flow_result *r);

#endif
