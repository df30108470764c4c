/*
 * mechanism.c - the mechanism and route tables (rows in mechanisms.def and
 * routes.def), the message a mechanism sees, resource rates, and the one
 * call that costs a stage.  The formulas are in mechanism_cost.c.
 */
#include "models/mechanism.h"

#include "models/cache.h"

#include <math.h>

#include "models/mechanism_cost.h"

#define V(p, id) MDL_VALUE(p, id)

const mdl_mechanism_info mdl_mechanisms[MECH_COUNT] = {
#define MECHANISM(ID, name, side, route, part, resource, kind, paths, per_doorbell, server, cost, description) \
	[MECH_##ID] = {name, side, route, part, resource, kind, paths, per_doorbell, server, cost, description},
#include "models/mechanisms.def"
#undef MECHANISM
};

const mdl_route_info mdl_routes[ROUTE_COUNT] = {
#define ROUTE(ID, name, between_hosts, endpoint, ...) [ROUTE_##ID] = {name, between_hosts, endpoint, {__VA_ARGS__}},
#include "models/routes.def"
#undef ROUTE
};

const char *const mdl_route_names[ROUTE_COUNT] = {
#define ROUTE(ID, name, ...) [ROUTE_##ID] = name,
#include "models/routes.def"
#undef ROUTE
};

const char *const mdl_kind_names[KIND_COUNT] = {
	[KIND_SOFTWARE] = "software", [KIND_VIRTUALIZATION] = "virtualization", [KIND_INTERRUPTS] = "interrupts",
	[KIND_PCIE_DMA] = "pcie_dma", [KIND_ADAPTER] = "adapter", [KIND_FABRIC] = "fabric",
};

const char *const mdl_server_names[SERVE_COUNT + 1] = {
	[SERVE_NONE] = "none", [SERVE_VCPU] = "vcpu", [SERVE_BACKEND] = "backend",
	[SERVE_HCA] = "hca", [SERVE_LINK] = "link", [SERVE_PCIE] = "pcie", [SERVE_COUNT] = NULL,
};

const char *const mdl_resource_names[RES_COUNT] = {
	[RES_NONE] = "none", [RES_PCIE] = "pcie", [RES_HCA] = "hca", [RES_WIRE] = "wire",
	[RES_SWITCH] = "switch", [RES_NIC] = "nic", [RES_MEMORY] = "memory",
};

int mdl_route_between_hosts(mdl_route route)
{
	return mdl_routes[route].between_hosts;
}

int mdl_mechanism_translates(mdl_mechanism mech)
{
	return mech == MECH_HCA_CONTEXT_CACHE || mech == MECH_IOMMU_TRANSLATION;
}

int mdl_mechanism_is_switch(mdl_mechanism mech)
{
	return mech == MECH_SWITCH || mech == MECH_ETH_SWITCH;
}

/* Share of accesses that miss a cache of ENTRIES (fully associative,
 * LRU: the many-flow model's caches) when a single flow's accesses sweep
 * WORKING_SET items in turn: its QPs, its buffer's pages. */
static double miss_chance(double entries, double working_set)
{
	return mdl_cache_sweep_miss_ratio(entries, 0, working_set);
}

static double pages_in(double page_bytes, double bytes)
{
	return bytes <= page_bytes ? 1.0 : ceil(bytes / page_bytes);
}

static double pages_of(const mdl_params *p, double bytes)
{
	return pages_in(V(p, MEM_PAGE_SIZE), bytes);
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
	/* The IOMMU maps guest memory in the host's pages: huge pages widen
	 * the IOTLB's reach.  The core's TLB holds a guest page's translation
	 * at the smaller of the two page sizes (a 4 KiB guest page on a 2 MiB
	 * host page is still a 4 KiB entry). */
	double registered_bytes = fmax(footprint->registered_bytes, buffer_bytes);
	m.host_pages = pages_in(V(p, MEM_HOST_PAGE_SIZE), buffer_bytes);
	m.iotlb_miss = miss_chance(V(p, IOMMU_IOTLB_ENTRIES), pages_in(V(p, MEM_HOST_PAGE_SIZE), registered_bytes));
	m.tlb_miss = miss_chance(V(p, CPU_TLB_ENTRIES),
				 pages_in(fmin(V(p, MEM_PAGE_SIZE), V(p, MEM_HOST_PAGE_SIZE)), registered_bytes));
	return m;
}

double mdl_page_walk_levels(double page_bytes)
{
	/* each level above the 4 KiB one maps 512 times more */
	double above = floor(log2(fmax(page_bytes, 4096.0) / 4096.0) / 9.0 + 1e-9);
	return fmax(4.0 - above, 2.0);
}

double mdl_iommu_walk_ns(const mdl_params *p)
{
	return V(p, IOMMU_PAGE_WALK) * mdl_page_walk_levels(V(p, MEM_HOST_PAGE_SIZE)) / 4.0;
}

double mdl_ept_walk_extra_ns(const mdl_params *p)
{
	enum { FULL_2D_REFERENCES = 24 };   /* (4+1)(4+1)-1: virt.ept_walk */
	double g = mdl_page_walk_levels(V(p, MEM_PAGE_SIZE)), h = mdl_page_walk_levels(V(p, MEM_HOST_PAGE_SIZE));
	return V(p, VIRT_EPT_WALK) * ((g + 1.0) * (h + 1.0) - 1.0 - g) / FULL_2D_REFERENCES;
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

mdl_cost mdl_mechanism_cost(mdl_mechanism mech, const mdl_params *sender, const mdl_params *receiver,
			    const mdl_message *msg, const mdl_cpu_cost *cpu, mdl_side side, double elapsed_ns)
{
	const mdl_mechanism_info *m = &mdl_mechanisms[mech];
	mdl_cost c = {.resource = m->resource};
	/* Local mechanisms use the parameters of the host they run on. */
	mdl_cost_in in = {side == SIDE_RECEIVER ? receiver : sender, sender, receiver, msg, cpu, side, elapsed_ns};
	m->cost(&in, &c);
	return c;
}
