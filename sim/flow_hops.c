/*
 * flow_hops.c - the hops of a many-flow path: appending them, a message's
 * DMA on its hosts' PCIe links, its transfer over their uplink and
 * downlink, and its translations as cache lookups (flow_builder.h).
 */
#include "sim/flow_builder.h"

#include <math.h>

#include "models/mechanism.h"
#include "models/pcie.h"

/* Append a hop; consecutive pure delays merge, zero delays vanish, and
 * consecutive visits to one server are one visit: a backend thread that
 * takes a doorbell dispatches the trap, translates the WQE and posts it in
 * one go, without queueing again between its own steps. */
void vr_flow_hop_varying(vr_flow_builder *b, uint32_t server, double time_ns, double cv)
{
	if (server == FL_NONE && time_ns <= 0)
		return;
	fl_hop_spec *last = b->count ? &b->hops[b->count - 1] : NULL;
	if (last && last->server == server && server != FL_FORK && !last->per_miss) {
		/* one visit: its spread is that of the sum of independent parts */
		double sd = hypot(last->cv * last->time_ns, cv * time_ns);
		last->time_ns += time_ns;
		last->cv = last->time_ns > 0 ? sd / last->time_ns : 0;
		if (last->cv > 0 && last->service == FL_SERVICE_FIXED)
			last->service = FL_SERVICE_LOGNORMAL;
		return;
	}
	fl_service service = FL_SERVICE_FIXED;
	if (server != FL_NONE && b->service == FLOW_SERVICE_EXPONENTIAL)
		service = FL_SERVICE_EXPONENTIAL;
	else if (server != FL_NONE && cv > 0)
		service = FL_SERVICE_LOGNORMAL;
	if (b->count < HOPS_MAX)
		b->hops[b->count++] = (fl_hop_spec){.server = server, .time_ns = time_ns, .service = service,
						    .cv = service == FL_SERVICE_LOGNORMAL ? cv : 0};
}

/* A hop of no spread of its own (hardware, links, delays). */
void vr_flow_hop(vr_flow_builder *b, uint32_t server, double time_ns)
{
	vr_flow_hop_varying(b, server, time_ns, 0);
}

/* The share of STAGE's work one operation carries: a post list of L
 * requests rings one doorbell, so a per-doorbell stage's work is 1/L of it
 * per request; a completion is asked every cq_moderation requests, so a
 * completion stage's work is that fraction.  (The work is spread evenly
 * over the requests: a fluid view of the batching, exact in throughput.)
 * Latency tests post one request at a time, each signaled. */
double vr_flow_stage_share(const vr_flow_builder *b, const mdl_plan_stage *ps)
{
	double share = 1.0;
	if (ps->per_doorbell)
		share /= b->post_list;
	if (ps->segment == SEG_COMPLETION)
		share /= b->cq_moderation;
	return share;
}

/* A visit to a link, served packet by packet (a flow's messages in order). */
static void link_hop(vr_flow_builder *b, uint32_t link, double time_ns, uint32_t packets)
{
	vr_flow_hop(b, link, time_ns);
	if (b->count && b->hops[b->count - 1].server == link)
		b->hops[b->count - 1].packets = packets;
}

/* How much of its TIME_NS a link that a message's payload crosses spends
 * before the message has wholly reached it, its PACKETS coming from the
 * links before it at one per PACE_NS (0: none before it): the message
 * streams through the leg's links as the single-flow model has it (its
 * serialization counted once, at its slowest link), each link starting on
 * its first bytes. */
static double payload_lead_ns(double time_ns, double pace_ns, uint32_t packets)
{
	return pace_ns > 0 ? fmin(time_ns, (packets > 1 ? packets : 1) * pace_ns) : 0;
}

/* What that link adds to the message's time alone. */
static double payload_adds_ns(double time_ns, double pace_ns, uint32_t packets)
{
	return time_ns - payload_lead_ns(time_ns, pace_ns, packets);
}

/* A link's visit for a message's payload (PCIe data, uplink, downlink):
 * its lead over the links before it on the leg, and the leg's pace (the
 * slowest link's time per packet so far) for the links after it. */
static void payload_hop(vr_flow_builder *b, uint32_t link, double time_ns, uint32_t packets)
{
	link_hop(b, link, time_ns, packets);
	if (b->count && b->hops[b->count - 1].server == link)
		b->hops[b->count - 1].overlap_ns = payload_lead_ns(time_ns, b->packet_pace_ns, packets);
	b->packet_pace_ns = fmax(b->packet_pace_ns, time_ns / (packets > 1 ? packets : 1));
}

/* The PCIe traffic of stage PS of PLAN (models/pcie.h) into OUT, on the
 * parameters of the host that runs it: 0 when it moves nothing. */
static int stage_dma(const vr_flow_builder *b, const mdl_plan *plan, const mdl_plan_stage *ps, scn_vm_ref from,
		     scn_vm_ref to, mdl_pcie_dma *out)
{
	const mdl_stage *st = &b->path_option->stages[ps->stage];
	if (st->server != SERVE_PCIE)
		return 0;
	scn_vm_ref at = ps->side == SIDE_RECEIVER ? to : from;
	return mdl_pcie_dma_of(st->mechanism, scn_params(b->s, b->preset, at.host), &plan->message, out);
}

/* The payload's time on the sender's and the receiver's PCIe links (the
 * streaming stages' data): the transfer's delay gives it up (see
 * flow_experiment.h). */
static void streaming_ns(const vr_flow_builder *b, const mdl_plan *plan, scn_vm_ref from, scn_vm_ref to,
			 double *sender_ns, double *receiver_ns)
{
	mdl_pcie_dma dma;
	*sender_ns = *receiver_ns = 0;
	for (size_t i = 0; i < plan->count; i++) {
		mdl_segment seg = plan->stages[i].segment;
		if ((seg == SEG_SENDER || seg == SEG_RECEIVER) && stage_dma(b, plan, &plan->stages[i], from, to, &dma) &&
		    dma.streams)
			*(seg == SEG_SENDER ? sender_ns : receiver_ns) += dma.data_ns;
	}
}

/* A DMA stage: its read requests upstream, its fixed latency (a delay:
 * the stage's cost less its visits, so that alone it costs what it did),
 * then its data on the way it goes; a write's data goes before its
 * latency.  The payload's data is served in turns of the message's
 * packets, as on a link: the HCA interleaves its QPs' DMA, a QP's in
 * order.  Returns 0 when PS is not a DMA stage (or moves nothing). */
int vr_flow_pcie_stage(vr_flow_builder *b, const mdl_plan *plan, const mdl_plan_stage *ps, scn_vm_ref from,
		       scn_vm_ref to)
{
	mdl_pcie_dma dma;
	if (!stage_dma(b, plan, ps, from, to, &dma))
		return 0;
	const host_servers *hs = &b->hosts[(ps->side == SIDE_RECEIVER ? to : from).host];
	double share = vr_flow_stage_share(b, ps), request_ns = dma.request_ns * share, data_ns = dma.data_ns * share;
	double on_stage_ns = request_ns + (dma.streams ? 0 : data_ns);
	double delay_ns = ps->nominal_ns > on_stage_ns ? ps->nominal_ns - on_stage_ns : 0;
	uint32_t data_link = dma.data_upstream ? hs->pcie_up : hs->pcie_down;
	uint32_t packets = dma.streams && plan->message.packets > 1 && plan->message.packets < UINT32_MAX
				   ? (uint32_t)plan->message.packets : 0;
	void (*data_hop)(vr_flow_builder *, uint32_t, double, uint32_t) = dma.streams ? payload_hop : link_hop;
	vr_flow_hop(b, hs->pcie_up, request_ns);
	if (dma.data_upstream)
		data_hop(b, data_link, data_ns, packets);
	vr_flow_hop(b, FL_NONE, delay_ns);
	if (!dma.data_upstream)
		data_hop(b, data_link, data_ns, packets);
	return 1;
}

/* A lookup in CACHE; each miss costs MISS_NS, of which READ_NS (if any)
 * on the host's PCIe link towards the device: the read completion that
 * brings what missed, queueing there with the other DMA.  The misses of a
 * message's pages hide behind its later packets' time on its slowest link
 * (HIDDEN_NS): a page is translated while the pages before it cross, as
 * the single-flow model's pipeline has it. */
static void cache_hop(vr_flow_builder *b, uint32_t cache, fl_cache_key key, uint32_t pages, double miss_ns,
		      uint32_t link, double read_ns, double hidden_ns)
{
	if (b->count + 2 > HOPS_MAX)
		return;
	read_ns = link == FL_NONE ? 0 : fmin(read_ns, miss_ns);
	b->hops[b->count++] = (fl_hop_spec){.server = FL_CACHE, .cache = cache, .key = key, .pages = pages,
					    .time_ns = miss_ns - read_ns, .overlap_ns = hidden_ns};
	if (read_ns > 0)
		b->hops[b->count++] = (fl_hop_spec){.server = link, .time_ns = read_ns, .per_miss = 1};
}

/* PS, if it is a translation stage, as lookups in the caches of the host
 * that runs it, in place of the single-flow model's steady sweep: the
 * HCA's QP context and the pages' translations, then the IOMMU's IOTLB for
 * the same pages.  Each miss costs a fetch (hca.context_miss) or a walk
 * (iommu.page_walk).  Returns 0 when PS is no such stage. */
int vr_flow_translation_stage(vr_flow_builder *b, const mdl_plan *plan, const mdl_plan_stage *ps, scn_vm_ref from,
			      scn_vm_ref to)
{
	mdl_mechanism m = b->path_option->stages[ps->stage].mechanism;
	if (!mdl_mechanism_translates(m) || b->detaching)
		return 0;
	scn_vm_ref at = ps->side == SIDE_RECEIVER ? to : from;
	const host_servers *hs = &b->hosts[at.host];
	const mdl_params *p = scn_params(b->s, b->preset, at.host);
	double pages = ceil(plan->message.pages);
	uint32_t n = pages < 1 ? 1 : pages > UINT16_MAX ? UINT16_MAX : (uint32_t)pages;
	double packets = plan->message.packets;
	double hidden_ns = packets > 1 ? plan->serialization_ns * (packets - 1) / packets : 0;
	if (m == MECH_HCA_CONTEXT_CACHE) {
		/* a miss reads one 64 B line of the context memory (ICM) in host
		 * memory, as hca.context_miss assumes */
		double read_ns = mdl_pcie_tlp_bytes(p, CONTEXT_LINE_BYTES, MDL_VALUE(p, PCIE_MAX_PAYLOAD)) * 8.0 /
				 MDL_VALUE(p, PCIE_BANDWIDTH) * 1e9;
		cache_hop(b, hs->qp_contexts, FL_KEY_QP, 0, MDL_VALUE(p, HCA_CONTEXT_MISS), hs->pcie_down, read_ns, 0);
		cache_hop(b, hs->translations, b->pages_taken ? FL_KEY_PAGE_AGAIN : FL_KEY_PAGE, n,
			  MDL_VALUE(p, HCA_CONTEXT_MISS), hs->pcie_down, read_ns, hidden_ns);
	} else {
		/* as mdl_cost_iommu_translation: a sender's inline payload is read
		 * by no DMA; the first look-up's hit is on the path; the IOMMU
		 * walks its tables in host memory, off the device's link */
		if (ps->side != SIDE_RECEIVER && plan->message.inline_payload)
			return 1;
		vr_flow_hop(b, FL_NONE, MDL_VALUE(p, IOMMU_IOTLB_HIT));
		cache_hop(b, hs->iotlb, b->pages_taken ? FL_KEY_PAGE_AGAIN : FL_KEY_PAGE, n, mdl_iommu_walk_ns(p),
			  FL_NONE, 0, hidden_ns);
	}
	b->pages_taken = 1;
	return 1;
}

/* Serialization of PLAN's message on a host's link (its route's first link). */
static double link_ns(const mdl_plan *plan, const mdl_params *p)
{
	double bps = mdl_resource_bps(mdl_routes[plan->route].links[0], p);
	return plan->message.wire_bytes * 8.0 / bps * 1e9;
}

/* The transfer: uplink, the fabric's delay, downlink (flow_experiment.h).
 * The delay is what the plan's transfer takes (payload DMA included) less
 * what the payload's links add to a message alone: alone, a message of
 * any size times as the plan says, unless its links are slower. */
void vr_flow_add_transfer(vr_flow_builder *b, const mdl_plan *plan, scn_vm_ref from, scn_vm_ref to)
{
	double sender_ns, receiver_ns;
	streaming_ns(b, plan, from, to, &sender_ns, &receiver_ns);
	/* the caches' misses are their lookups' (translation_stage) */
	double pipeline_ns = b->whole_cpu ? plan->pipeline_hardware_ns : plan->pipeline_cacheless_ns;
	double whole_ns = plan->fabric_latency_ns + plan->serialization_ns + pipeline_ns - sender_ns;
	uint32_t packets = plan->message.packets < UINT32_MAX ? (uint32_t)plan->message.packets : UINT32_MAX;
	const host_servers *src = &b->hosts[from.host], *dst = &b->hosts[to.host];
	if (src->uplink == FL_NONE || !mdl_route_between_hosts(plan->route)) {
		whole_ns -= payload_adds_ns(receiver_ns, b->packet_pace_ns, packets);
		vr_flow_hop(b, FL_NONE, whole_ns > 0 ? whole_ns : 0);
		return;
	}
	double up_ns = link_ns(plan, scn_params(b->s, b->preset, from.host));
	double down_ns = link_ns(plan, scn_params(b->s, b->preset, to.host));
	double up_pace_ns = fmax(b->packet_pace_ns, up_ns / packets), down_pace_ns = fmax(up_pace_ns, down_ns / packets);
	double rest_ns = whole_ns - payload_adds_ns(up_ns, b->packet_pace_ns, packets) -
			 payload_adds_ns(down_ns, up_pace_ns, packets) - payload_adds_ns(receiver_ns, down_pace_ns, packets);
	/* A link sends packets: messages of several flows interleave there. */
	payload_hop(b, src->uplink, up_ns, packets);
	vr_flow_hop(b, FL_NONE, rest_ns > 0 ? rest_ns : 0);
	payload_hop(b, dst->downlink, down_ns, packets);
}

