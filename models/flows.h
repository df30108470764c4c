/*
 * flows.h - a scenario's `flows:`: groups of connections between VMs, each
 * group with its workload and its load, parsed, checked and EXPANDED into
 * the list of connections the many-flow engine drives
 * (docs/scenario-format.md, "Many flows: `flows:`").
 *
 * Contract:
 * - A VM is HOST/INDEX, INDEX from 0 to the host's `vms` - 1.  A connection
 *   is one RC QP pair: a QP of the client VM (the requester, which posts)
 *   and a QP of the server VM.  `qps: Q` gives Q connections to each
 *   connected (client, server) pair of VMs.
 * - QP indices are numbered per VM over the whole scenario, in the order
 *   of the groups and of their connections: a VM's QPs are 0 ..
 *   vm_qps[vm] - 1, whether it is the client or the server of each.
 * - Memory is proportional to the number of connections (24 bytes each,
 *   plus 4 bytes per VM), at most SCN_FLOW_CONNECTIONS_MAX in a scenario.
 * - Everything here is deterministic: seeds derive from the scenario's seed
 *   and the group's name (reordering groups keeps each group's streams).
 * Errors are "FILE:LINE:COL: found X, expected Y" in the caller's vr_diag.
 */
#ifndef VR_FLOWS_H
#define VR_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "input/yaml_tree.h"
#include "models/host.h"
#include "models/migrate.h"
#include "models/workload.h"

enum {
	SCN_FLOW_GROUPS_MAX = 256,
	SCN_FLOW_QPS_MAX = 4096,                /* connections per connected pair of VMs */
	SCN_FLOW_CONNECTIONS_MAX = 1000000,     /* in a scenario: the expanded list is in memory */
	SCN_VMS_MAX = SCN_HOSTS_MAX * SCN_VMS_PER_HOST_MAX,
};
#define SCN_FLOW_RATE_MAX_PER_S 1e9         /* beyond any HCA's message rate */
#define SCN_FLOW_DURATION_MAX_NS 86400e9    /* a simulated day */

/* A VM: the index of its host in the topology and its index on that host;
 * or a host's hypervisor (vm == SCN_VM_HYPERVISOR), the endpoint of a
 * group of the hypervisor's own traffic (`between: {from: HOST, to: HOST}`
 * with `transport:`). */
typedef struct scn_vm_ref {
	uint16_t host;
	uint16_t vm;
} scn_vm_ref;
#define SCN_VM_HYPERVISOR UINT16_MAX

/* How a group's hypervisor endpoints talk (`transport:`); VM endpoints
 * take the scenario's options instead (FLOW_TRANSPORT_OPTIONS). */
typedef enum scn_flow_transport {
	FLOW_TRANSPORT_OPTIONS,   /* VMs: each of the scenario's options */
	FLOW_TRANSPORT_RDMA,      /* the hypervisor's kernel verbs: the native option's plans */
	FLOW_TRANSPORT_TCP,       /* the hypervisor kernel's TCP stack: option host-tcp */
	FLOW_TRANSPORT_COUNT
} scn_flow_transport;
extern const char *const scn_flow_transport_names[FLOW_TRANSPORT_COUNT + 1];   /* "", "rdma", "tcp" */
extern const char *const scn_flow_transport_options[FLOW_TRANSPORT_COUNT];     /* NULL, "native", "host-tcp" */

/* How a group's `between:` chose its pairs (for reports; the connections
 * are already expanded). */
typedef enum scn_flow_between {
	FLOW_ONE_PAIR,     /* {from: A, to: B} */
	FLOW_PAIRS,        /* {pairs: [SET_A, SET_B]}: i-th with i-th */
	FLOW_INCAST,       /* {incast: {from: SET, to: B}}: N:1 */
	FLOW_ALL_TO_ALL,   /* {all_to_all: SET}: every ordered pair of distinct VMs */
	FLOW_LIST,         /* {list: [[A, B], ...]} */
	FLOW_BETWEEN_COUNT
} scn_flow_between;
extern const char *const scn_flow_between_names[FLOW_BETWEEN_COUNT + 1];

typedef enum scn_flow_loop { FLOW_CLOSED_LOOP, FLOW_OPEN_LOOP } scn_flow_loop;
/* How long each visit of a group's operations to a shared server takes:
 * its software stages drawn as the single-flow model draws them (lognormal
 * around their cost with the preset's jitter.cpu_cv: `service: jitter`,
 * the default), the stage's cost exactly (`fixed`: M/D/1's assumption in
 * the queueing checks), or drawn from an exponential distribution of that
 * mean (`exponential`: M/M/1's). */
typedef enum scn_flow_service { FLOW_SERVICE_FIXED, FLOW_SERVICE_EXPONENTIAL, FLOW_SERVICE_JITTER } scn_flow_service;
typedef enum scn_flow_rate_per { FLOW_PER_QP, FLOW_PER_VM } scn_flow_rate_per;

typedef struct scn_flow_load {
	scn_flow_loop loop;
	unsigned window;              /* closed loop: operations in flight per QP (default:
				       * the workload's tx_depth, perftest's; 1 for latency tests) */
	double rate_per_s;            /* open loop: Poisson arrivals, operations/s, as written */
	scn_flow_rate_per per;        /* ... per QP, or per client VM (split evenly over the
				       * VM's client QPs in the group) */
} scn_flow_load;

typedef struct scn_flow_connection {
	double arrival_rate_per_s;    /* open loop: this QP's Poisson arrivals, operations/s
				       * (a per-VM rate split over the client VM's QPs in the
				       * group); 0 in closed loop */
	scn_vm_ref client, server;
	uint32_t client_qp;           /* QP index in the client VM */
	uint32_t server_qp;           /* QP index in the server VM */
} scn_flow_connection;

typedef struct scn_flow_group {
	char name[MDL_NAME_MAX];
	scn_flow_between between;
	unsigned qps;                 /* connections per connected pair of VMs (`qps:`, default 1) */
	scn_workload workload;        /* iterations: operations per connection; footprint.qps
				       * stays 1 (a VM's QPs are vm_qps); sizes_bytes
				       * [0 .. size_count) is the size mix ... */
	double size_weights[SCN_SIZES_MAX];   /* ... drawn per operation with these (sum 1) */
	scn_flow_load load;
	scn_flow_service service;     /* `service:` (default jitter) */
	double start_ns;              /* `start:`: when its connections begin (default 0) */
	double stop_ns;               /* `stop:`: when they stop posting (0: with their iterations) */
	unsigned long long seed;      /* the group's; scn_flow_connection_seed() per connection */
	size_t connection_count;
	scn_flow_connection *connections;
	scn_migrate migrate;          /* `migrate:` (in place of `workload:`): a live migration
				       * between two hypervisors, its connections its streams;
				       * migrate.on 0 otherwise */
	scn_flow_transport transport; /* FLOW_TRANSPORT_OPTIONS for VMs; else every connection
				       * joins the hypervisors of two hosts */
	unsigned line, column;        /* where the group is written (in the scenario's file) */
	unsigned between_line, between_column;
	unsigned transport_line, transport_column;
} scn_flow_group;

typedef struct scn_flows {
	size_t group_count;           /* 0: the scenario has no `flows:` */
	scn_flow_group *groups;
	size_t connection_count;      /* over all groups */
	size_t vm_count;              /* VMs of the topology, all hosts */
	unsigned vm_first[SCN_HOSTS_MAX];   /* flat index of each host's VM 0 */
	size_t endpoint_count;        /* vm_count, plus one per host (its hypervisor, flat index
				       * vm_count + host) when a group joins hypervisors */
	uint32_t *vm_qps;             /* [vm_count + hosts]: QPs each endpoint holds (caches' footprint) */
	double duration_ns;           /* the scenario's `duration:`: the run stops there;
				       * 0: when every connection has done its iterations */
	unsigned line, column;        /* the `flows:` key */
} scn_flows;

/* Read `flows:` (NODE, a list of groups; KEY is the `flows` key, for its
 * place) for a topology of HOST_COUNT HOSTS and the scenario's SEED.  OUT
 * is emptied first; free it with scn_flows_free either way.  0, or -1 with
 * DIAG filled. */
int scn_flows_read(const yt_node *key, const yt_node *node, const scn_host *hosts, size_t host_count,
		   unsigned long long seed, scn_flows *out, vr_diag *diag);

void scn_flows_free(scn_flows *f);

/* An endpoint's flat index, for per-VM arrays: a VM's 0 .. vm_count - 1,
 * a hypervisor's vm_count + its host (below endpoint_count). */
static inline size_t scn_vm_index(const scn_flows *f, scn_vm_ref vm)
{
	return vm.vm == SCN_VM_HYPERVISOR ? f->vm_count + vm.host : f->vm_first[vm.host] + vm.vm;
}

/* Is VM a host's hypervisor? */
static inline int scn_is_hypervisor(scn_vm_ref vm)
{
	return vm.vm == SCN_VM_HYPERVISOR;
}

/* The seed of connection C of group G: distinct streams per connection. */
unsigned long long scn_flow_connection_seed(const scn_flow_group *g, size_t c);

/* Does any connection join two VMs of one host? */
int scn_flows_any_same_host(const scn_flows *f);

/* The most QPs group G holds on any one host: each connection is a QP on
 * its client's host and one on its server's (two on a host it joins to
 * itself).  What the host's QP-context cache sees of the group. */
size_t scn_flow_group_qps_per_host(const scn_flow_group *g);

/* Does every connection of every group run on the placement an option
 * needs (SAME_HOST 1: client and server VMs on one host; 0: on two; -1:
 * either, for an option with a `same_host:` counterpart)?
 * FILE locates the refusal at the first group that does not; OPTION
 * names the option in it. */
int scn_flows_check_placement(const scn_flows *f, const scn_host *hosts, int same_host, const char *option,
			      const char *file, vr_diag *diag);

#endif
