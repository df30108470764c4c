/*
 * mechanism.h - the primitives every option is built from.
 *
 * A mechanism is a row of models/mechanisms.def: its name, where it runs,
 * the route it belongs to, the resource it streams the payload through,
 * where it may appear, and its cost function (mechanism_cost.c): how long a
 * stage takes when nothing contends and what it counts (VM exits,
 * doorbells, DMA transactions, packets).  Routes are rows of
 * models/routes.def.  Options (models/options/ *.yaml) are lists of stages
 * naming mechanisms; the code reads the rows' columns rather than testing
 * for particular mechanisms.
 */
#ifndef MDL_MECHANISM_H
#define MDL_MECHANISM_H

#include "models/counters.h"
#include "models/params.h"

/* One per row of mechanisms.def, in its order. */
typedef enum mdl_mechanism {
#define MECHANISM(ID, ...) MECH_##ID,
#include "models/mechanisms.def"
#undef MECHANISM
	MECH_COUNT
} mdl_mechanism;

/* Where a stage runs, relative to the message it serves: on the host that
 * sends it, on the host that receives it, or in the fabric between them. */
typedef enum mdl_side { SIDE_SENDER, SIDE_RECEIVER, SIDE_FABRIC } mdl_side;

/* Bandwidth resources a stage can stream payload through. */
typedef enum mdl_resource { RES_NONE, RES_PCIE, RES_HCA, RES_WIRE, RES_SWITCH, RES_NIC, RES_MEMORY, RES_COUNT } mdl_resource;

extern const char *const mdl_resource_names[RES_COUNT];

/* How a message gets from one VM to the other: one per row of routes.def.
 * The fabric stages of a message path belong to one of these; it fixes the
 * links the transfer crosses (platform.h) and where the two VMs must be. */
typedef enum mdl_route {
#define ROUTE(ID, ...) ROUTE_##ID,
#include "models/routes.def"
#undef ROUTE
	ROUTE_COUNT
} mdl_route;

enum { MDL_ROUTE_LINKS_MAX = 4 };

typedef struct mdl_route_info {
	const char *name;        /* for messages */
	int between_hosts;       /* the two VMs on two hosts (else both on one) */
	const char *endpoint;    /* suffix of the platform's endpoint hosts, or NULL */
	mdl_resource links[MDL_ROUTE_LINKS_MAX];   /* crossed, tie order; RES_NONE ends */
} mdl_route_info;

extern const mdl_route_info mdl_routes[ROUTE_COUNT];
extern const char *const mdl_route_names[ROUTE_COUNT];

/* Is ROUTE between two hosts (else between two VMs on one host)? */
int mdl_route_between_hosts(mdl_route route);

/* 1 for the stages whose cost is cache misses (hca_context_cache,
 * iommu_translation): the many-flow model looks their keys up in its
 * caches instead (sim/flow_experiment.h). */
int mdl_mechanism_translates(mdl_mechanism mech);

/* 1 for a fabric's switch (switch, eth_switch): hosts joined back to back
 * (the topology's `fabric: back-to-back`) cross none, so plans leave it out. */
int mdl_mechanism_is_switch(mdl_mechanism mech);

/* The packet format of an option: InfiniBand (MTU and headers wire.*),
 * RoCE over Ethernet (eth.*), or none: a software copy moves the payload
 * whole, without packets or headers. */
typedef enum mdl_link { LINK_INFINIBAND, LINK_ETHERNET, LINK_NONE, LINK_COUNT } mdl_link;

/* What the HCA's and IOMMU's caches must hold for a workload: its QPs and
 * the memory it registered.  Misses grow once these outnumber the entries. */
typedef struct mdl_footprint {
	double qps;
	double registered_bytes;
} mdl_footprint;

/* The parameters of a cpu stage's cost: a parameter id each, or -1.
 *   cost = fixed + per_page x pages + per_packet x packets + bytes / bytes_rate
 *          + per_chunk x ceil(bytes / chunk_bytes)
 * (a chunk: what a software pass handles at once whatever the wire's
 * packets, such as a TCP stack's TSO or GRO segment; both or neither). */
typedef struct mdl_cpu_cost {
	int fixed, per_page, per_packet, bytes_rate;
	int per_chunk, chunk_bytes;
} mdl_cpu_cost;

/* What a message looks like to the mechanisms. */
typedef struct mdl_message {
	double size_bytes;       /* payload */
	double packets;          /* after MTU segmentation, at least 1 */
	double wire_bytes;       /* payload plus per-packet headers */
	double pages;            /* guest pages the payload spans */
	int inline_payload;      /* payload travels inside the WQE */
	int blueflame;           /* WQE pushed with the doorbell write */
	double qp_miss;          /* chance the QP context is not on the HCA */
	double mtt_miss;         /* chance a page translation is not on the HCA */
	double iotlb_miss;       /* chance a page translation is not in the IOTLB */
	double host_pages;       /* host pages (mem.host_page_size) the payload spans: the IOMMU's mappings */
	double tlb_miss;         /* chance a guest access misses the core's TLB (its reach
				  * against the registered memory's pages) */
} mdl_message;

/* The uncontended cost of one stage. */
typedef struct mdl_cost {
	double fixed_ns;         /* latency with no queueing, excluding serialization */
	double per_packet_ns;    /* the part of fixed_ns that every packet pays again: a
				  * pipeline overlaps it with the other stages' packets */
	mdl_resource resource;   /* where the payload streams, or RES_NONE */
	int software;            /* runs on a CPU: subject to jitter */
	double events_per_ns;    /* an event that strikes at this rate while the message is
				  * under way (a timer tick): the plan turns it into a chance
				  * per message, its one-way time x this rate */
	double event_ns;         /* what such an event costs the message it strikes */
	mdl_counters counts;
} mdl_cost;

/* What a mechanism's time is spent on, to summarize breakdowns (plots). */
typedef enum mdl_kind {
	KIND_SOFTWARE,           /* application, driver, backend or transport code on a CPU */
	KIND_VIRTUALIZATION,     /* VM exits and entries, virtual interrupt delivery */
	KIND_INTERRUPTS,         /* device interrupts and their handlers */
	KIND_PCIE_DMA,           /* doorbells, DMA reads and writes, address translation */
	KIND_ADAPTER,            /* HCA and NIC pipelines, the embedded switch */
	KIND_FABRIC,             /* cables, switches, the copy or loop between VMs */
	KIND_COUNT
} mdl_kind;

extern const char *const mdl_kind_names[KIND_COUNT];

/* The shared server that does a stage's work when many flows run at once
 * (mechanisms.def, column `server`; sim/flow_experiment.h).  The
 * single-flow path ignores it. */
typedef enum mdl_server {
	SERVE_NONE,              /* a pure delay: nothing queues (yet) */
	SERVE_VCPU,              /* the vCPU of the VM on the stage's side */
	SERVE_BACKEND,           /* the hypervisor's backend threads on the stage's host */
	SERVE_HCA,               /* the processing engines of that host's HCA or NIC */
	SERVE_LINK,              /* the links of the route's transfer */
	SERVE_PCIE,              /* that host's PCIe link, each way (models/pcie.h): a DMA */
	SERVE_COUNT
} mdl_server;

extern const char *const mdl_server_names[SERVE_COUNT + 1];

/* Paths of an option (see option.h) a mechanism may appear on, as bits. */
enum { ON_REQUEST = 1, ON_COMPLETION = 2, ON_OFF_PATH = 4 };

/* The part a mechanism plays in moving a message (mechanisms.def). */
typedef enum mdl_part {
	PART_HOST,               /* work on one host: its side's parameters, arithmetic */
	PART_TRANSFER,           /* the route's transfer: SimGrid link latencies */
	PART_ACK,                /* the acknowledgement's way back over the route: arithmetic */
} mdl_part;

/* What a cost function reads. */
typedef struct mdl_cost_in {
	const mdl_params *own;      /* the host a local mechanism runs on (its stage's side) */
	const mdl_params *sender;   /* the host the message leaves */
	const mdl_params *receiver; /* the host it reaches */
	const mdl_message *msg;
	const mdl_cpu_cost *cpu;    /* MECH_CPU's cost parameters */
	mdl_side side;              /* which of the two OWN is (a sender's DMA reads, a receiver's writes) */
	double elapsed_ns;          /* the plan's time before this stage: at least how long a
				     * thread that blocked at the post has waited */
} mdl_cost_in;

/* A mechanism's cost formula: adds its uncontended time and counts to
 * OUT, which starts zeroed with the row's resource. */
typedef void mdl_cost_fn(const mdl_cost_in *in, mdl_cost *out);

/* A row of mechanisms.def; see there for the columns. */
typedef struct mdl_mechanism_info {
	const char *name;        /* as written in option files */
	mdl_side side;           /* default side; a stage may move a local mechanism */
	mdl_route route;         /* the route it belongs to, or ROUTE_NONE: any */
	mdl_part part;
	mdl_resource resource;   /* where the payload streams, or RES_NONE */
	mdl_kind kind;
	unsigned paths;          /* ON_* bits: where it can happen */
	int per_doorbell;        /* once per doorbell: a post list shares it */
	mdl_server server;       /* who serves it in a many-flow run (a cpu stage may move it) */
	mdl_cost_fn *cost;
	const char *description;
} mdl_mechanism_info;

extern const mdl_mechanism_info mdl_mechanisms[MECH_COUNT];

/* Describe a message in LINK's packets as sent by a host with PARAMS:
 * WIRE_PAYLOAD_BYTES cross the wire (0 for a READ request), BUFFER_BYTES is
 * the local buffer the work request names (for address translation), and
 * INLINE_ALLOWED says whether the payload may ride in the WQE (not for READ
 * responses).  FOOTPRINT sets the caches' working sets (their misses). */
mdl_message mdl_message_make(const mdl_params *params, mdl_link link, double wire_payload_bytes,
			     double buffer_bytes, int inline_allowed, const mdl_footprint *footprint);

/* The cost of MECH for MSG.  SENDER and RECEIVER are the parameters of the
 * hosts the message leaves and reaches; SIDE says which one a local
 * mechanism runs on; CPU names MECH_CPU's cost parameters; ELAPSED_NS is
 * the plan's time before the stage (mdl_cost_in). */
mdl_cost mdl_mechanism_cost(mdl_mechanism mech, const mdl_params *sender, const mdl_params *receiver,
			    const mdl_message *msg, const mdl_cpu_cost *cpu, mdl_side side, double elapsed_ns);

/* Paging levels a walk reads to reach a mapping of PAGE_BYTES on x86-64
 * (four-level tables): 4 for 4 KiB, 3 for 2 MiB, 2 for 1 GiB. */
double mdl_page_walk_levels(double page_bytes);

/* An IOTLB miss's walk on a host with PARAMS: iommu.page_walk is a 4 KiB
 * mapping's four levels; a larger host page walks fewer. */
double mdl_iommu_walk_ns(const mdl_params *params);

/* What a guest TLB miss's two-dimensional walk costs beyond a native
 * one: with G guest and H host levels it reads (G+1)(H+1)-1 entries
 * against G (Bhargava et al., ASPLOS 2008: 24 against 4 with 4 KiB pages
 * in both), virt.ept_walk being the 24. */
double mdl_ept_walk_extra_ns(const mdl_params *params);

/* Bandwidth of RESOURCE on a host with PARAMS, in bits per second. */
double mdl_resource_bps(mdl_resource resource, const mdl_params *params);

#endif
