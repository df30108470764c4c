/*
 * mechanism.h - the primitives every option is built from.
 *
 * A mechanism is a cost formula over the model parameters and the message:
 * how long a stage takes when nothing contends, which bandwidth resource it
 * streams the payload through (for bottleneck attribution and contention),
 * and what it counts (VM exits, doorbells, DMA transactions, packets).
 * Options (models/options/ *.yaml) are lists of stages naming these.
 */
#ifndef MDL_MECHANISM_H
#define MDL_MECHANISM_H

#include "models/counters.h"
#include "models/params.h"

typedef enum mdl_mechanism {
	MECH_CPU,                /* software work on a CPU; cost from named parameters */
	MECH_DOORBELL_TRAP,      /* guest writes a doorbell register: the write traps (VM exit) */
	MECH_VM_ENTRY,           /* hypervisor resumes the guest after a trap */
	MECH_MMIO_DOORBELL,      /* posted MMIO doorbell write to the HCA or NIC (may carry a BlueFlame WQE) */
	MECH_WQE_FETCH,          /* HCA reads the WQE from host memory by DMA (skipped with BlueFlame) */
	MECH_RECV_WQE_FETCH,     /* receiving HCA reads the posted receive WQE (unless prefetched) */
	MECH_PAYLOAD_DMA_READ,   /* HCA reads the payload by DMA (skipped when inline) */
	MECH_HCA_TX,             /* HCA schedules the QP, parses the WQE, builds the first packet */
	MECH_WIRE,               /* the two cables host-switch-host: propagation */
	MECH_SWITCH,             /* the switch, cut-through */
	MECH_HCA_RX,             /* receiving HCA checks and steers the last packet */
	MECH_PAYLOAD_DMA_WRITE,  /* receiving HCA writes the payload into memory (posted) */
	MECH_ACK_RETURN,         /* responder HCA acknowledges; the ACK crosses back */
	MECH_CQE_DMA_WRITE,      /* an HCA writes a CQE into memory */
	MECH_MSI_INTERRUPT,      /* the HCA's MSI-X write reaches a CPU, whose kernel handles it */
	MECH_VIRQ_INJECTION,     /* the hypervisor delivers a virtual interrupt into the guest */
	MECH_IOMMU_TRANSLATION,  /* the IOMMU translates a device's DMA addresses (IOTLB hit or walk) */
	MECH_HCA_CONTEXT_CACHE,  /* the HCA looks up the QP context and the buffer's translations */
	MECH_ESWITCH_STEERING,   /* SR-IOV embedded switch between a VF and the port */
	MECH_ESWITCH_LOOPBACK,   /* VF to VF on one HCA: the packet turns inside it */
	MECH_MEMORY_COPY,        /* software copies the message between two VMs' memories */
	MECH_NIC_TX,             /* Ethernet NIC: descriptor and payload DMA reads, transmit */
	MECH_ETH_WIRE,           /* the two Ethernet cables host-switch-host */
	MECH_ETH_SWITCH,         /* the Ethernet switch */
	MECH_NIC_RX,             /* Ethernet NIC: receive, DMA writes of payload and descriptor */
	MECH_NIC_INTERRUPT,      /* the NIC's receive interrupt (after moderation) and its handler */
	MECH_ETH_ACK_RETURN,     /* a RoCE ACK through both NICs, cables and the switch */
	MECH_ESWITCH_ACK_RETURN, /* an ACK from one VF to another through the embedded switch */
	MECH_NET_LOOPBACK,       /* a loopback netdev hands the packet back to the same stack: no cost of its own */
	MECH_COUNT
} mdl_mechanism;

/* Where a stage runs, relative to the message it serves: on the host that
 * sends it, on the host that receives it, or in the fabric between them. */
typedef enum mdl_side { SIDE_SENDER, SIDE_RECEIVER, SIDE_FABRIC } mdl_side;

/* Bandwidth resources a stage can stream payload through. */
typedef enum mdl_resource { RES_NONE, RES_PCIE, RES_HCA, RES_WIRE, RES_SWITCH, RES_NIC, RES_MEMORY, RES_COUNT } mdl_resource;

extern const char *const mdl_resource_names[RES_COUNT];

/* How a message gets from one VM to the other: the fabric stages of a
 * message path name one of these, and it fixes the links the transfer
 * crosses (platform.h) and where the two VMs must be. */
typedef enum mdl_route {
	ROUTE_NONE,              /* not a fabric mechanism */
	ROUTE_INFINIBAND,        /* PCIe, HCA, cable, switch, cable, HCA, PCIe: two hosts */
	ROUTE_ETHERNET,          /* PCIe, NIC, cable, Ethernet switch, cable, NIC, PCIe: two hosts */
	ROUTE_MEMORY,            /* a copy through one host's memory: two VMs on it */
	ROUTE_HCA_LOOPBACK,      /* PCIe, the HCA's embedded switch, PCIe: two VMs on one host */
	ROUTE_KERNEL_LOOPBACK,   /* a netdev that loops packets back in one kernel (lo, dummy): one host */
	ROUTE_COUNT
} mdl_route;

extern const char *const mdl_route_names[ROUTE_COUNT];

/* Is ROUTE between two hosts (else between two VMs on one host)? */
int mdl_route_between_hosts(mdl_route route);

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
 *   cost = fixed + per_page x pages + per_packet x packets + bytes / bytes_rate */
typedef struct mdl_cpu_cost {
	int fixed, per_page, per_packet, bytes_rate;
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
} mdl_message;

/* The uncontended cost of one stage. */
typedef struct mdl_cost {
	double fixed_ns;         /* latency with no queueing, excluding serialization */
	double per_packet_ns;    /* the part of fixed_ns that every packet pays again: a
				  * pipeline overlaps it with the other stages' packets */
	mdl_resource resource;   /* where the payload streams, or RES_NONE */
	int software;            /* runs on a CPU: subject to jitter */
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

/* Paths of an option (see option.h) a mechanism may appear on, as bits. */
enum { ON_REQUEST = 1, ON_COMPLETION = 2, ON_OFF_PATH = 4 };

typedef struct mdl_mechanism_info {
	const char *name;        /* as written in option files */
	mdl_side side;           /* default side; a stage may move a local mechanism */
	mdl_route route;         /* fabric mechanisms: the route they belong to */
	mdl_kind kind;
	unsigned paths;          /* ON_* bits: where it can happen */
	const char *meaning;
} mdl_mechanism_info;

extern const mdl_mechanism_info mdl_mechanisms[MECH_COUNT];

/* Describe a message in LINK's packets as sent by a host with PARAMS:
 * WIRE_PAYLOAD_BYTES cross the wire (0 for a READ request), BUFFER_BYTES is
 * the local buffer the work request names (for address translation), and
 * INLINE_ALLOWED says whether the payload may ride in the WQE (not for READ
 * responses).  FOOTPRINT sets the cache miss chances. */
mdl_message mdl_message_make(const mdl_params *params, mdl_link link, double wire_payload_bytes,
			     double buffer_bytes, int inline_allowed, const mdl_footprint *footprint);

/* The cost of MECH for MSG.  SENDER and RECEIVER are the parameters of the
 * hosts the message leaves and reaches; SIDE says which one a local
 * mechanism runs on; CPU names MECH_CPU's cost parameters. */
mdl_cost mdl_mechanism_cost(mdl_mechanism mech, const mdl_params *sender, const mdl_params *receiver,
			    const mdl_message *msg, const mdl_cpu_cost *cpu, mdl_side side);

/* Bandwidth of RESOURCE on a host with PARAMS, in bits per second. */
double mdl_resource_bps(mdl_resource resource, const mdl_params *params);

#endif
