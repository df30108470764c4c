/*
 * flow_builder.h - what sim/flow_experiment.c builds a flows scenario's
 * paths with: the builder's state, and the hops of a message's DMA, links
 * and translations (sim/flow_hops.c).  Internal to the sim layer.
 *
 * Contract:
 * - A builder appends hops (fl_hop_spec) for the path being built into
 *   HOPS (COUNT of them, at most HOPS_MAX: further hops are dropped, which
 *   the path's checks then refuse); the functions below append, and read
 *   the scenario, preset, option and hosts' servers it names.
 * - vr_flow_hop and vr_flow_hop_varying merge consecutive pure delays and
 *   consecutive visits to one server; a zero delay vanishes.
 * - The payload's links of a leg (its PCIe data, uplink, downlink, PCIe
 *   data) stream the message as the single-flow model has it: each starts
 *   on its first bytes (fl_hop_spec.overlap_ns), PACKET_PACE_NS carrying
 *   the leg's slowest link so far; vr_flow_add_transfer's delay is the
 *   plan's transfer less what those links add to a message alone.
 * - Translation stages become cache lookups (fl_hop_spec FL_CACHE) of the
 *   host that runs them, in place of the single-flow model's steady sweep.
 */
#ifndef VR_FLOW_BUILDER_H
#define VR_FLOW_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "models/plan.h"
#include "models/scenario.h"
#include "sim/flow_experiment.h"
#include "sim/flow_interrupts.h"
#include "sim/flows/flows.h"

enum { HOPS_MAX = 4 * MDL_STAGES_MAX + 16 };
/* A connection's pages are keyed connection << PAGE_KEY_BITS + page: 2^28
 * pages (1 TiB of 4 KiB pages) per buffer. */
enum { PAGE_KEY_BITS = 28 };
/* What a QP-context or translation miss reads (a cache line). */
enum { CONTEXT_LINE_BYTES = 64 };

/* The servers of one host, by index in the engine. */
typedef struct host_servers {
	uint32_t vcpu0;               /* vCPU of VM 0; VM i's is vcpu0 + i */
	int cores_shared;             /* more VMs than cpu.guest_cores: vcpu0 is the
				       * pool of those cores, every VM's vCPU work queues there */
	uint32_t backend, hca, uplink, downlink;   /* uplink/downlink FL_NONE on one-host routes */
	uint32_t pcie_up, pcie_down;  /* the HCA's (or NIC's) PCIe link: to host memory, from it */
	uint32_t qp_contexts, translations, iotlb;   /* its caches (fl_add_cache) */
	uint32_t hypervisor;          /* its hypervisor cores (cpu.hypervisor_cores): the CPU work of
				       * hypervisors' groups; FL_NONE when no group joins hypervisors */
} host_servers;

typedef struct vr_flow_builder {
	const scn_scenario *s;
	const mdl_option *option;     /* the run's */
	const mdl_option *local;      /* its counterpart inside one host, or NULL */
	const mdl_option *path_option;   /* of the path being built: option or local */
	size_t preset;
	fl_engine *e;
	host_servers *hosts;
	fl_hop_spec main_hops[HOPS_MAX], branch_hops[HOPS_MAX];
	fl_hop_spec *hops;            /* where hop() appends: main_hops, or branch_hops
				       * while a fork's branch is built */
	size_t count;
	int detaching;                /* building a fork's branch (see fork_segment) */
	scn_vm_ref client, server;    /* the client and server VMs of the path being built */
	int completion_detached;      /* its completions are forked (a latency test's) */
	vr_irq_work irq;              /* the work of the interrupt being built */
	int pages_taken;              /* a lookup of the leg took its pages: an IOTLB looks them up again */
	double packet_pace_ns;        /* the leg's slowest link so far: its time per packet (0:
				       * none), how its packets reach the next link (cut-through) */
	uint64_t connection;          /* connections added so far: QP keys, page keys */
	int whole_cpu;                /* a hypervisors' group: its software stages load their
				       * server with every packet's work (full_ns), not the
				       * first packet's, and the transfer keeps only the
				       * hardware's pipeline (plan.h pipeline_hardware_ns) */
	double register_ns;           /* a migration's round 1 with on_demand registration: what
				       * one message registers on each side's hypervisor cores
				       * (flow_migrate.h), before its transfer; 0 otherwise */
	scn_flow_service service;     /* of the group whose path is being built, */
	double post_list, cq_moderation;   /* ... its requests per doorbell and per completion */
	vr_flow_result *result;       /* paths' counts go here */
	size_t path_capacity;
	vr_diag *diag;
} vr_flow_builder;

/* Append a visit to SERVER (FL_NONE: a delay) of TIME_NS, with a spread
 * CV (a lognormal's coefficient of variation; 0: none). */
void vr_flow_hop_varying(vr_flow_builder *b, uint32_t server, double time_ns, double cv);
void vr_flow_hop(vr_flow_builder *b, uint32_t server, double time_ns);

/* The share of stage PS's work one operation carries (post lists and CQ
 * moderation batch it). */
double vr_flow_stage_share(const vr_flow_builder *b, const mdl_plan_stage *ps);

/* PS, if it is a DMA stage (server SERVE_PCIE) of a message from FROM to
 * TO, as its visits to the PCIe link of the host that runs it: 1; else 0. */
int vr_flow_pcie_stage(vr_flow_builder *b, const mdl_plan *plan, const mdl_plan_stage *ps, scn_vm_ref from,
		       scn_vm_ref to);

/* PS, if it is a translation stage, as lookups in the caches of the host
 * that runs it: 1; else 0. */
int vr_flow_translation_stage(vr_flow_builder *b, const mdl_plan *plan, const mdl_plan_stage *ps, scn_vm_ref from,
			      scn_vm_ref to);

/* PLAN's transfer from FROM to TO: uplink, the fabric's delay, downlink
 * (a delay alone within one host). */
void vr_flow_add_transfer(vr_flow_builder *b, const mdl_plan *plan, scn_vm_ref from, scn_vm_ref to);

#endif
