/*
 * test_mechanisms.c - the mechanisms the options beyond native and vRDMA
 * add: routes and their bottlenecks, packet formats, cache misses, the
 * per-packet pipeline of software transports, per-doorbell stages.  Every
 * expectation is computed here from the preset's parameters.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "models/plan.h"
#include "models/preset.h"
#include "tests/check_run.h"

static const vr_where NOWHERE = {"test", 1, 1};
static const mdl_footprint ONE_QP = {1, 0};
static mdl_params params;

#define P(id) (params.value[MDL_##id])

static void setup(void)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_int_eq(mdl_preset_load("esxi5-qdr-2012", NULL, NOWHERE, &params, &diag), 0);
	ck_assert_int_eq(mdl_params_resolve(&params, "esxi5-qdr-2012", &diag), 0);
}

static void load(const char *name, mdl_option *o)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(mdl_option_load(name, NULL, NOWHERE, o, &diag) == 0, "%s", diag.message);
}

static void build(const mdl_option *o, double size, const mdl_footprint *fp, mdl_plan *plan)
{
	mdl_plan_build(o, &params, &params, size, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, fp, plan);
}

static const mdl_plan_stage *stage(const mdl_option *o, const mdl_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->count; i++)
		if (!strcmp(o->stages[plan->stages[i].stage].name, name))
			return &plan->stages[i];
	ck_abort_msg("no stage %s in %s", name, o->name);
	return NULL;
}

/* ns to move BYTES at BPS bits per second. */
static double at(double bytes, double bps)
{
	return bytes * 8 / bps * 1e9;
}

START_TEST(routes_fix_placement_and_bottleneck)
{
	static mdl_option o;
	mdl_plan plan;
	load("softroce-directpath", &o);
	ck_assert_int_eq(o.route, ROUTE_ETHERNET);
	ck_assert_int_eq(o.placement, PLACE_DIFFERENT_HOSTS);
	build(&o, 2, &ONE_QP, &plan);
	ck_assert_int_eq(plan.bottleneck, RES_NIC);   /* 10GbE, slower than PCIe */
	ck_assert_double_eq_tol(plan.serialization_ns, at(2 + P(ETH_HEADER_BYTES), P(NIC_BANDWIDTH)), 1e-9);
	load("vrdma-local", &o);
	ck_assert_int_eq(o.route, ROUTE_MEMORY);
	ck_assert_int_eq(o.placement, PLACE_SAME_HOST);
	build(&o, 65536, &ONE_QP, &plan);
	ck_assert_int_eq(plan.bottleneck, RES_MEMORY);
	ck_assert_double_eq(plan.message.packets, 1);          /* link none: a whole-message copy */
	ck_assert_double_eq(plan.message.wire_bytes, 65536);   /* no headers */
	ck_assert_double_eq_tol(plan.serialization_ns, at(65536, P(MEM_COPY_BANDWIDTH)), 1e-6);
	ck_assert_double_eq(plan.fabric_latency_ns, 0);
	load("sriov-local", &o);
	ck_assert_int_eq(o.route, ROUTE_HCA_LOOPBACK);
	build(&o, 65536, &ONE_QP, &plan);
	ck_assert_double_eq_tol(plan.serialization_ns, at(plan.message.wire_bytes, fmin(P(HCA_BANDWIDTH), mdl_resource_bps(RES_PCIE, &params))), 1e-6);
	ck_assert_double_eq_tol(plan.fabric_latency_ns, P(HCA_ESWITCH_LOOPBACK), 1e-9);
}
END_TEST

START_TEST(roce_packets_use_the_ethernet_mtu)
{
	static mdl_option o;
	mdl_plan plan;
	load("softroce-pvnic", &o);
	build(&o, 65536, &ONE_QP, &plan);
	ck_assert_double_eq(plan.message.packets, ceil(65536 / P(ETH_MTU)));
	ck_assert_double_eq(plan.message.wire_bytes, 65536 + plan.message.packets * P(ETH_HEADER_BYTES));
	ck_assert_int_eq(plan.message.inline_payload, 0);   /* no inline on a NIC */
}
END_TEST

/* Misses: the caches are LRUs and a single flow sweeps its QPs and its
 * buffer's pages in turn, so a working set that fits never misses and one
 * that outgrows a cache misses on every access (not the share that does
 * not fit: each key is evicted just before its turn comes back).  Charged
 * per page for translations and once for the QP context.  The IOMMU maps
 * host pages (2 MiB on the preset): its walk reads three levels, not four;
 * every DMA on the path pays the IOTLB's hit. */
START_TEST(caches_miss_once_the_footprint_outgrows_them)
{
	static mdl_option o;
	mdl_plan plan;
	load("passthrough", &o);
	build(&o, 4096, &ONE_QP, &plan);
	ck_assert_double_eq(stage(&o, &plan, "payload_iommu")->nominal_ns, P(IOMMU_IOTLB_HIT));
	ck_assert_double_eq(stage(&o, &plan, "hca_context_cache")->nominal_ns, 0);
	mdl_footprint big = {1000, 1073741824.0};   /* 1000 QPs, 1 GiB registered */
	ck_assert(1000 > P(HCA_QP_CACHE_ENTRIES) && 1073741824.0 / P(MEM_PAGE_SIZE) > P(HCA_MTT_CACHE_ENTRIES));
	ck_assert(1073741824.0 / P(MEM_HOST_PAGE_SIZE) > P(IOMMU_IOTLB_ENTRIES) && P(MEM_HOST_PAGE_SIZE) == 2097152);
	build(&o, 4096, &big, &plan);
	/* 4 KiB: one page, two packets of 2 KiB; the first packet's share. */
	double packets = plan.message.packets, walk = P(IOMMU_PAGE_WALK) * 3 / 4;
	ck_assert_double_eq(packets, ceil(4096 / P(WIRE_MTU)));
	ck_assert_double_eq_tol(mdl_iommu_walk_ns(&params), walk, 1e-9);
	ck_assert_double_eq_tol(stage(&o, &plan, "payload_iommu")->nominal_ns, P(IOMMU_IOTLB_HIT) + walk / packets, 1e-9);
	ck_assert_double_eq_tol(stage(&o, &plan, "payload_iommu")->full_ns, P(IOMMU_IOTLB_HIT) + walk, 1e-9);
	ck_assert_double_eq_tol(stage(&o, &plan, "hca_context_cache")->full_ns, 2 * P(HCA_CONTEXT_MISS), 1e-9);
	/* the rings' pages are swept out too */
	ck_assert_double_eq_tol(stage(&o, &plan, "wqe_iommu")->full_ns, P(IOMMU_IOTLB_HIT) + walk, 1e-9);
	/* The fetches are DMA reads: the WQE, the payload's read requests, and
	 * both hosts' context and translation misses (one page). */
	ck_assert_double_eq_tol(plan.counters.dma_reads, 1 + ceil(4096 / P(PCIE_MAX_READ_REQUEST)) + 2 * 2, 1e-9);
}
END_TEST

/* One QP and perftest's buffer: a message whose host pages fit the
 * IOTLB's entries never walks once warm; one page more and every page
 * walks, every time: 64 entries of 2 MiB reach 128 MiB, of 4 KiB only
 * 256 KiB (1 MiB: 256 pages against 64 entries, four levels each). */
START_TEST(a_buffer_one_page_larger_than_the_iotlb_walks_every_page)
{
	static mdl_option o;
	mdl_plan plan;
	load("passthrough", &o);
	double page = P(MEM_HOST_PAGE_SIZE), entries = P(IOMMU_IOTLB_ENTRIES), hit = P(IOMMU_IOTLB_HIT);
	build(&o, entries * page, &ONE_QP, &plan);
	ck_assert_double_eq(stage(&o, &plan, "payload_iommu")->full_ns, hit);
	build(&o, (entries + 1) * page, &ONE_QP, &plan);
	ck_assert_double_eq_tol(stage(&o, &plan, "payload_iommu")->full_ns, hit + (entries + 1) * mdl_iommu_walk_ns(&params), 1e-6);
	build(&o, 1048576, &ONE_QP, &plan);
	ck_assert_double_eq(stage(&o, &plan, "payload_iommu")->full_ns, hit);
	mdl_params small = params;
	small.value[MDL_MEM_HOST_PAGE_SIZE] = 4096;
	mdl_plan_build(&o, &small, &small, 1048576, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &plan);
	ck_assert_double_eq_tol(stage(&o, &plan, "payload_iommu")->full_ns, hit + 1048576 / 4096.0 * P(IOMMU_PAGE_WALK), 1e-6);
}
END_TEST

/* Walk levels by page size; a 2D walk against a native one (Bhargava et
 * al.: (G+1)(H+1)-1 references against G). */
START_TEST(walks_read_fewer_levels_with_larger_pages)
{
	ck_assert_double_eq(mdl_page_walk_levels(4096), 4);
	ck_assert_double_eq(mdl_page_walk_levels(65536), 4);
	ck_assert_double_eq(mdl_page_walk_levels(2097152), 3);
	ck_assert_double_eq(mdl_page_walk_levels(1073741824), 2);
	mdl_params p = params;
	p.value[MDL_MEM_PAGE_SIZE] = p.value[MDL_MEM_HOST_PAGE_SIZE] = 4096;
	ck_assert_double_eq_tol(mdl_ept_walk_extra_ns(&p), P(VIRT_EPT_WALK) * 20 / 24, 1e-9);
	p.value[MDL_MEM_HOST_PAGE_SIZE] = 2097152;
	ck_assert_double_eq_tol(mdl_ept_walk_extra_ns(&p), P(VIRT_EPT_WALK) * 15 / 24, 1e-9);
	p.value[MDL_MEM_HOST_PAGE_SIZE] = 1073741824;
	ck_assert_double_eq_tol(mdl_ept_walk_extra_ns(&p), P(VIRT_EPT_WALK) * 10 / 24, 1e-9);
}
END_TEST

/* What passthrough adds to a polled write: an IOTLB hit per DMA on the
 * path (none for a BlueFlame WQE or an inline payload), 2D walks only once
 * the registered memory outgrows the TLB's reach, and a timer tick that
 * strikes with the chance rate x one-way time, costing nothing nominally. */
START_TEST(passthrough_pays_hits_walks_and_ticks)
{
	static mdl_option o;
	mdl_plan plan;
	load("passthrough", &o);
	build(&o, 2, &ONE_QP, &plan);
	ck_assert(plan.message.blueflame && plan.message.inline_payload);
	ck_assert_double_eq(stage(&o, &plan, "wqe_iommu")->nominal_ns, 0);
	ck_assert_double_eq(stage(&o, &plan, "payload_iommu")->nominal_ns, 0);
	ck_assert_double_eq(stage(&o, &plan, "recv_payload_iommu")->nominal_ns, P(IOMMU_IOTLB_HIT));
	ck_assert_double_eq(stage(&o, &plan, "cqe_iommu")->nominal_ns, P(IOMMU_IOTLB_HIT));
	ck_assert_double_eq(stage(&o, &plan, "poll_detect_tlb")->nominal_ns, 0);
	const mdl_plan_stage *tick = stage(&o, &plan, "recv_timer_tick");
	ck_assert_double_eq(tick->nominal_ns, 0);
	ck_assert_double_eq_tol(tick->event_chance, P(VIRT_TIMER_TICK_RATE) * mdl_plan_one_way_ns(&plan) * 1e-9, 1e-12);
	ck_assert_double_eq_tol(tick->event_ns, P(VIRT_VM_EXIT) + P(VIRT_TIMER_TICK_COST) + P(VIRT_VM_ENTRY), 1e-9);
	build(&o, 65536, &ONE_QP, &plan);
	ck_assert_double_eq(stage(&o, &plan, "wqe_iommu")->nominal_ns, P(IOMMU_IOTLB_HIT));
	ck_assert_double_eq(stage(&o, &plan, "payload_iommu")->nominal_ns, P(IOMMU_IOTLB_HIT));
	mdl_footprint big = {1, 64.0 * 1048576};   /* 16384 guest pages against the TLB's entries */
	ck_assert(big.registered_bytes / P(MEM_PAGE_SIZE) > P(CPU_TLB_ENTRIES));
	build(&o, 65536, &big, &plan);
	ck_assert_double_eq_tol(stage(&o, &plan, "poll_detect_tlb")->nominal_ns, mdl_ept_walk_extra_ns(&params), 1e-9);
	ck_assert_double_eq_tol(stage(&o, &plan, "post_send_tlb")->nominal_ns, mdl_ept_walk_extra_ns(&params), 1e-9);
	/* native has none of these stages */
	load("native", &o);
	for (size_t i = 0; i < o.stage_count; i++) {
		mdl_mechanism m = o.stages[i].mechanism;
		ck_assert_msg(m != MECH_IOMMU_TRANSLATION && m != MECH_IOMMU_WQE_TRANSLATION && m != MECH_IOMMU_CQE_TRANSLATION &&
				      m != MECH_INTERRUPT_REMAP && m != MECH_GUEST_PAGE_WALK && m != MECH_VCPU_TIMER_TICK,
			      "native's stage %s", o.stages[i].name);
	}
}
END_TEST

/* A software transport's later packets go at the pace of the busiest CPU:
 * the sender's per-packet stages add up (one core). */
START_TEST(software_pipeline_paced_by_the_cpu)
{
	static mdl_option o;
	mdl_plan plan;
	load("softroce-directpath", &o);
	build(&o, 65536, &ONE_QP, &plan);
	double packets = plan.message.packets, bytes = 65536 / packets;
	double sender = P(RXE_REQUESTER) + at(bytes, P(MEM_COPY_BANDWIDTH)) + at(bytes, P(RXE_ICRC_BANDWIDTH)) +
			P(NET_TX_PER_PACKET) + P(NIC_DRIVER_TX);
	double receiver = P(NIC_DRIVER_RX) + P(NET_RX_PER_PACKET) + at(bytes, P(RXE_ICRC_BANDWIDTH)) + P(RXE_RESPONDER) +
			  at(bytes, P(MEM_COPY_BANDWIDTH));
	double link = plan.serialization_ns / packets;
	double slowest = fmax(fmax(sender, receiver), link);
	ck_assert_double_eq_tol(plan.pipeline_ns, (packets - 1) * slowest - (plan.serialization_ns - link), 1e-6);
	ck_assert(plan.pipeline_ns > 0);
	/* Ends that take turns on shared CPUs (cpu.side_overlap 0): their
	 * per-packet work adds up. */
	mdl_params shared = params;
	shared.value[MDL_CPU_SIDE_OVERLAP] = 0;
	mdl_plan turns;
	mdl_plan_build(&o, &shared, &shared, 65536, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &turns);
	ck_assert_double_eq_tol(turns.pipeline_ns, (packets - 1) * fmax(sender + receiver, link) - (plan.serialization_ns - link), 1e-6);
	/* Each per-packet stage is charged one packet on the latency path. */
	ck_assert_double_eq_tol(stage(&o, &plan, "rxe_requester")->nominal_ns, P(RXE_REQUESTER), 1e-9);
	ck_assert_double_eq_tol(stage(&o, &plan, "rxe_requester")->full_ns, P(RXE_REQUESTER) * packets, 1e-6);
	/* An HCA streams at its link: no pipeline beyond serialization. */
	load("native", &o);
	build(&o, 65536, &ONE_QP, &plan);
	ck_assert_double_eq(plan.pipeline_ns, 0);
}
END_TEST

START_TEST(doorbells_and_traps_are_shared_by_a_post_list)
{
	static mdl_option o;
	mdl_plan plan;
	load("vrdma", &o);
	build(&o, 2, &ONE_QP, &plan);
	ck_assert_int_eq(stage(&o, &plan, "doorbell_vm_exit")->per_doorbell, 1);
	ck_assert_int_eq(stage(&o, &plan, "trap_dispatch")->per_doorbell, 1);        /* once_per: doorbell */
	ck_assert_int_eq(stage(&o, &plan, "physical_doorbell")->per_doorbell, 1);
	ck_assert_int_eq(stage(&o, &plan, "backend_translate_wqe")->per_doorbell, 0);  /* per request */
	ck_assert_int_eq(stage(&o, &plan, "guest_post_send")->per_doorbell, 0);
	ck_assert_int_eq(plan.completion_after_receiver, 0);
	load("softroce-pvnic-local", &o);
	build(&o, 2, &ONE_QP, &plan);
	ck_assert_int_eq(plan.completion_after_receiver, 1);   /* rxe's responder sends the ACK */
}
END_TEST

/* A guest that polls an empty CQ rings doorbells when the backend proxies
 * on demand: the `repeat:` stages scale with vrdma.empty_poll_doorbells. */
START_TEST(empty_poll_doorbells_scale_the_completion)
{
	static mdl_option o;
	mdl_plan eager, lazy;
	load("vrdma", &o);
	ck_assert_double_eq(P(VRDMA_EMPTY_POLL_DOORBELLS), 0);
	build(&o, 2, &ONE_QP, &eager);
	ck_assert_double_eq(stage(&o, &eager, "empty_poll_vm_exit")->nominal_ns, 0);
	params.value[MDL_VRDMA_EMPTY_POLL_DOORBELLS] = 2;
	build(&o, 2, &ONE_QP, &lazy);
	double per_doorbell = P(VIRT_VM_EXIT) + P(VIRT_TRAP_DISPATCH) + P(VIRT_VM_ENTRY);
	ck_assert_double_eq_tol(mdl_plan_segment_ns(&lazy, SEG_COMPLETION) - mdl_plan_segment_ns(&eager, SEG_COMPLETION),
				2 * per_doorbell, 1e-6);
	ck_assert_double_eq_tol(lazy.counters.vm_exits - eager.counters.vm_exits, 2, 1e-12);
	/* The message path itself does not change. */
	ck_assert_double_eq_tol(mdl_plan_segment_ns(&lazy, SEG_SENDER), mdl_plan_segment_ns(&eager, SEG_SENDER), 1e-9);
}
END_TEST

/* The bandwidth verbs run the stages of their operation. */
START_TEST(bandwidth_verbs_use_their_operation)
{
	static mdl_option o;
	mdl_plan lat, bw;
	load("vrdma", &o);
	ck_assert(mdl_option_runs(&o, VERB_SEND_BW));
	mdl_plan_build(&o, &params, &params, 64, VERB_SEND_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &lat);
	mdl_plan_build(&o, &params, &params, 64, VERB_SEND_BW, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &bw);
	ck_assert_uint_eq(lat.count, bw.count);
	for (size_t i = 0; i < lat.count; i++)
		ck_assert_int_eq(lat.stages[i].stage, bw.stages[i].stage);
	ck_assert_int_eq(mdl_verb_operation(VERB_READ_BW), VERB_READ_LAT);
	ck_assert(mdl_verb_is_bandwidth(VERB_WRITE_BW) && !mdl_verb_is_bandwidth(VERB_WRITE_LAT));
}
END_TEST

/* The plan of VERB's LEG on option O, with COMPLETION. */
static void build_leg(const mdl_option *o, mdl_verb verb, mdl_completion completion, mdl_leg leg, mdl_plan *plan)
{
	mdl_plan_build(o, &params, &params, 2, verb, completion, leg, &ONE_QP, plan);
}

/* Stages of mechanism MECH in PLAN, and their time in *NS. */
static int count_mechanism(const mdl_option *o, const mdl_plan *plan, mdl_mechanism mech, double *ns)
{
	int n = 0;
	*ns = 0;
	for (size_t i = 0; i < plan->count; i++)
		if (o->stages[plan->stages[i].stage].mechanism == mech) {
			n++;
			*ns += plan->stages[i].nominal_ns;
		}
	return n;
}

static const char *const SOFTROCE[] = {"softroce-loopback", "softroce-directpath", "softroce-pvnic", "softroce-pvnic-local", NULL};

/* rxe schedules the responder for an RDMA READ request only (rxe_resp.c
 * rxe_resp_queue_pkt): one wait per READ, none per WRITE or SEND. */
START_TEST(rxe_defers_the_read_responder_once)
{
	static mdl_option o;
	mdl_plan plan;
	double ns;
	for (size_t i = 0; SOFTROCE[i]; i++) {
		load(SOFTROCE[i], &o);
		build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_REQUEST, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_DEFERRED_TASK, &ns), 1);
		ck_assert_double_eq_tol(ns, P(RXE_DEFER), 1e-9);
		ck_assert_int_eq(stage(&o, &plan, "responder_defer")->segment, SEG_RECEIVER);
		build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_RESPONSE, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_DEFERRED_TASK, &ns), 0);
		build_leg(&o, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_DEFERRED_TASK, &ns), 0);
		build_leg(&o, VERB_SEND_LAT, COMPLETION_EVENT, LEG_MESSAGE, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_DEFERRED_TASK, &ns), 0);
	}
}
END_TEST

/* A CQE written right behind the payload, and an MSI-X right behind the
 * CQE, are posted writes PCIe keeps in order without waiting for them:
 * each lands just after the write before it, not a whole write latency
 * later.  Every HCA option marks them so, for SEND's receiver and READ's
 * response; the requester's own CQE (after the ACK) still pays it. */
START_TEST(posted_writes_ride_behind_the_write_before)
{
	static const char *const HCA[] = {"native", "passthrough", "sriov", "sriov-local", "vrdma", NULL};
	static mdl_option o;
	mdl_plan plan;
	double ns;
	double cqe_alone_ns = P(PCIE_WRITE_LATENCY) + P(HCA_CQE_BYTES) * 8e9 / mdl_resource_bps(RES_PCIE, &params);
	for (size_t i = 0; HCA[i]; i++) {
		load(HCA[i], &o);
		build_leg(&o, VERB_SEND_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_CQE_DMA_WRITE, &ns), 2);
		ck_assert_msg(stage(&o, &plan, "recv_cqe_dma_write")->nominal_ns < P(PCIE_WRITE_LATENCY) / 4,
			      "%s: the receiver's CQE costs %g ns", HCA[i], stage(&o, &plan, "recv_cqe_dma_write")->nominal_ns);
		ck_assert_double_eq_tol(stage(&o, &plan, "cqe_dma_write")->nominal_ns, cqe_alone_ns, 1e-6);
		build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_RESPONSE, &plan);
		ck_assert_msg(stage(&o, &plan, "cqe_dma_write")->nominal_ns < P(PCIE_WRITE_LATENCY) / 4, "%s: READ's CQE", HCA[i]);
	}
	load("native", &o);
	build_leg(&o, VERB_WRITE_LAT, COMPLETION_EVENT, LEG_MESSAGE, &plan);
	ck_assert_double_eq_tol(stage(&o, &plan, "cq_interrupt")->nominal_ns,
				P(HCA_INTERRUPT_MODERATION) + P(IRQ_HANDLER), 1e-6);
}
END_TEST

/* A paravirtual vNIC wakes the sending and the receiving backend thread,
 * on each way, between hosts and inside one; passthrough has none. */
START_TEST(vnic_backends_wake_on_both_sides)
{
	static mdl_option o;
	mdl_plan plan;
	double ns, one = P(VNIC_BACKEND_WAKEUP) + P(CPU_IDLE_EXIT);
	static const char *const PVNIC[] = {"softroce-pvnic", "softroce-pvnic-local", NULL};
	for (size_t i = 0; PVNIC[i]; i++) {
		load(PVNIC[i], &o);
		build_leg(&o, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_BACKEND_WAKEUP, &ns), 4);   /* message and ACK */
		ck_assert_double_eq_tol(ns, 4 * one, 1e-9);
		ck_assert_int_eq(stage(&o, &plan, "backend_wakeup")->segment, SEG_SENDER);
		ck_assert_int_eq(stage(&o, &plan, "rx_backend_wakeup")->segment, SEG_RECEIVER);
		build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_RESPONSE, &plan);
		ck_assert_int_eq(count_mechanism(&o, &plan, MECH_BACKEND_WAKEUP, &ns), 2);
	}
	load("softroce-directpath", &o);
	build_leg(&o, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_BACKEND_WAKEUP, &ns), 0);
}
END_TEST

/* A vCPU halts where its application blocks: the READ responder, the side
 * waiting for a completion event; never a polling side.  Halt-polling
 * leaves only the VM entry; without it the wake-up and the idle exit. */
START_TEST(halted_vcpus_wake_unless_halt_polled)
{
	static mdl_option o;
	mdl_plan plan;
	double ns;
	load("softroce-directpath", &o);
	ck_assert_double_eq(P(VIRT_HALT_POLL), 0);
	build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_REQUEST, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_VCPU_HALT_WAKEUP, &ns), 1);
	ck_assert_double_eq_tol(ns, P(VIRT_VCPU_WAKEUP) + P(CPU_IDLE_EXIT), 1e-9);
	build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_RESPONSE, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_VCPU_HALT_WAKEUP, &ns), 0);
	build_leg(&o, VERB_READ_LAT, COMPLETION_EVENT, LEG_READ_RESPONSE, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_VCPU_HALT_WAKEUP, &ns), 1);
	build_leg(&o, VERB_SEND_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_VCPU_HALT_WAKEUP, &ns), 0);
	build_leg(&o, VERB_SEND_LAT, COMPLETION_EVENT, LEG_MESSAGE, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_VCPU_HALT_WAKEUP, &ns), 2);   /* receiver, then the ACK's */
	params.value[MDL_VIRT_HALT_POLL] = 200e3;
	build_leg(&o, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_REQUEST, &plan);
	ck_assert_int_eq(count_mechanism(&o, &plan, MECH_VCPU_HALT_WAKEUP, &ns), 1);
	ck_assert_double_eq_tol(ns, P(VIRT_VM_ENTRY), 1e-9);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("mechanisms");
	TCase *tc = tcase_create("options beyond native and vRDMA");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, routes_fix_placement_and_bottleneck);
	tcase_add_test(tc, roce_packets_use_the_ethernet_mtu);
	tcase_add_test(tc, caches_miss_once_the_footprint_outgrows_them);
	tcase_add_test(tc, a_buffer_one_page_larger_than_the_iotlb_walks_every_page);
	tcase_add_test(tc, walks_read_fewer_levels_with_larger_pages);
	tcase_add_test(tc, passthrough_pays_hits_walks_and_ticks);
	tcase_add_test(tc, software_pipeline_paced_by_the_cpu);
	tcase_add_test(tc, doorbells_and_traps_are_shared_by_a_post_list);
	tcase_add_test(tc, bandwidth_verbs_use_their_operation);
	tcase_add_test(tc, empty_poll_doorbells_scale_the_completion);
	tcase_add_test(tc, rxe_defers_the_read_responder_once);
	tcase_add_test(tc, vnic_backends_wake_on_both_sides);
	tcase_add_test(tc, halted_vcpus_wake_unless_halt_polled);
	tcase_add_test(tc, posted_writes_ride_behind_the_write_before);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
