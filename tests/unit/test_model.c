/*
 * test_model.c - mechanisms and plans: the arithmetic the simulator folds.
 * Each expectation is derived from the parameters, not copied from output.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/plan.h"
#include "models/preset.h"
#include "tests/check_run.h"

static const vr_where NOWHERE = {"test", 1, 1};
static mdl_params params;
static mdl_option native, vrdma;

static void setup(void)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_int_eq(mdl_preset_load("esxi5-qdr-2012", NULL, NOWHERE, &params, &diag), 0);
	ck_assert_int_eq(mdl_params_resolve(&params, "esxi5-qdr-2012", &diag), 0);
	ck_assert_int_eq(mdl_option_load("native", NULL, NOWHERE, &native, &diag), 0);
	ck_assert_int_eq(mdl_option_load("vrdma", NULL, NOWHERE, &vrdma, &diag), 0);
}

#define P(id) (params.value[MDL_##id])
/* PCIe's payload rate: the link net of each TLP's overhead. */
#define PCIE_PAYLOAD_BPS (P(PCIE_BANDWIDTH) * P(PCIE_MAX_PAYLOAD) / (P(PCIE_MAX_PAYLOAD) + P(PCIE_TLP_OVERHEAD)))

/* perftest's footprint: one QP, the message buffer. */
static const mdl_footprint ONE_QP = {1, 0};

static void build_write(const mdl_option *o, const mdl_params *sender, const mdl_params *receiver,
			double size, mdl_plan *plan)
{
	mdl_plan_build(o, sender, receiver, size, VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, plan);
}

/* Uncontended one-way time: what the engine's sleeps and transfer add up to. */
static double one_way_ns(const mdl_plan *plan)
{
	return mdl_plan_segment_ns(plan, SEG_SENDER) + plan->fabric_latency_ns + plan->serialization_ns + plan->pipeline_ns +
	       mdl_plan_segment_ns(plan, SEG_RECEIVER);
}

static int stage_segment(const mdl_option *o, const mdl_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->count; i++)
		if (!strcmp(o->stages[plan->stages[i].stage].name, name))
			return (int)plan->stages[i].segment;
	return -1;
}

static double stage_ns(const mdl_option *o, const mdl_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->count; i++)
		if (!strcmp(o->stages[plan->stages[i].stage].name, name))
			return plan->stages[i].nominal_ns;
	return NAN;
}

START_TEST(native_small_write_by_hand)
{
	mdl_plan plan;
	build_write(&native, &params, &params, 2, &plan);
	ck_assert(plan.message.inline_payload && plan.message.blueflame);
	double wire_bytes = 2 + P(WIRE_HEADER_BYTES);
	double slowest = fmin(fmin(P(WIRE_BANDWIDTH), P(SWITCH_BANDWIDTH)), fmin(P(HCA_BANDWIDTH), PCIE_PAYLOAD_BPS));
	double expected = P(CPU_POST_SEND) + P(PCIE_WRITE_LATENCY) + P(HCA_WQE_BYTES) * 8 / PCIE_PAYLOAD_BPS * 1e9 /* BlueFlame doorbell */
			  + P(HCA_WQE_PROCESSING) + P(HCA_PACKET_PROCESSING)                                     /* tx */
			  + 2 * P(WIRE_PROPAGATION) + P(SWITCH_LATENCY) + wire_bytes * 8 / slowest * 1e9            /* fabric */
			  + P(HCA_PACKET_PROCESSING) + P(PCIE_WRITE_LATENCY) + P(CPU_POLL_DETECT);               /* rx */
	ck_assert_double_eq_tol(one_way_ns(&plan), expected, 1e-9);
	ck_assert_double_eq(stage_ns(&native, &plan, "wqe_fetch"), 0);
	ck_assert_double_eq(stage_ns(&native, &plan, "payload_dma_read"), 0);
	ck_assert_double_eq(plan.counters.vm_exits, 0);
	ck_assert_double_eq(plan.counters.doorbells, 1);
	ck_assert_double_eq(plan.counters.dma_reads, 0);
	ck_assert_double_eq(plan.counters.dma_writes, 2);      /* payload + CQE */
	ck_assert_double_eq(plan.counters.wire_packets, 2);    /* data + ACK */
}
END_TEST

START_TEST(large_write_fetches_and_segments)
{
	mdl_plan plan;
	double size = 4 * P(WIRE_MTU) + 1;
	build_write(&native, &params, &params, size, &plan);
	ck_assert(!plan.message.inline_payload && !plan.message.blueflame);
	ck_assert_double_eq(plan.message.packets, 5);
	ck_assert_double_eq(plan.message.wire_bytes, size + 5 * P(WIRE_HEADER_BYTES));
	ck_assert_double_eq_tol(stage_ns(&native, &plan, "payload_dma_read"), P(PCIE_READ_LATENCY), 1e-9);
	ck_assert_double_gt(stage_ns(&native, &plan, "wqe_fetch"), P(PCIE_READ_LATENCY));
	/* PCIe transactions: the WQE, then read requests of max_read_request
	 * bytes; write TLPs of max_payload bytes, then the CQE. */
	ck_assert_double_eq(plan.counters.dma_reads, 1 + ceil(size / P(PCIE_MAX_READ_REQUEST)));
	ck_assert_double_eq(plan.counters.dma_writes, ceil(size / P(PCIE_MAX_PAYLOAD)) + 1);
	ck_assert_double_eq(plan.counters.wire_packets, 5 + 1);
}
END_TEST

/* vRDMA = native with the doorbell replaced by a trap into the backend. */
START_TEST(vrdma_adds_the_trap_path)
{
	mdl_plan n, v;
	build_write(&native, &params, &params, 64, &n);
	build_write(&vrdma, &params, &params, 64, &v);
	double trap = P(VRDMA_GUEST_POST_SEND) + P(VIRT_VM_EXIT) + P(VIRT_TRAP_DISPATCH) +
		      P(VRDMA_TRANSLATE_WQE) + P(VRDMA_TRANSLATE_PAGE) * 1 /* one page */ + P(CPU_POST_SEND);
	ck_assert_double_eq_tol(one_way_ns(&v) - one_way_ns(&n), trap - P(CPU_POST_SEND), 1e-9);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "doorbell_vm_exit"), SEG_SENDER);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "backend_translate_wqe"), SEG_SENDER);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "guest_poll_detect"), SEG_RECEIVER);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "cqe_proxy"), SEG_COMPLETION);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "vm_entry"), SEG_OFF);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "wire"), SEG_FABRIC);
	ck_assert_double_eq(v.counters.vm_exits, 1);
	ck_assert_double_eq(v.counters.doorbells, 2);          /* guest (trapped) + physical */
}
END_TEST

/* Translation cost follows the guest pages the payload spans. */
START_TEST(translation_scales_with_pages)
{
	mdl_plan one, many;
	build_write(&vrdma, &params, &params, P(MEM_PAGE_SIZE), &one);
	build_write(&vrdma, &params, &params, 16 * P(MEM_PAGE_SIZE), &many);
	ck_assert_double_eq_tol(stage_ns(&vrdma, &many, "backend_translate_wqe") - stage_ns(&vrdma, &one, "backend_translate_wqe"),
				15 * P(VRDMA_TRANSLATE_PAGE), 1e-9);
}
END_TEST

START_TEST(latency_grows_with_size)
{
	const mdl_option *options[] = {&native, &vrdma};
	for (size_t k = 0; k < 2; k++) {
		double previous = 0;
		for (double size = 2; size <= 8388608; size *= 2) {
			mdl_plan plan;
			build_write(options[k], &params, &params, size, &plan);
			double t = one_way_ns(&plan);
			ck_assert_msg(t >= previous, "%s: %g B takes %g ns, less than %g", options[k]->name, size, t, previous);
			previous = t;
		}
	}
}
END_TEST

/* Serialization is the message over the slowest link of the route. */
START_TEST(bottleneck_is_the_slowest_link)
{
	mdl_params slow_pcie = params;
	slow_pcie.value[MDL_PCIE_BANDWIDTH] = 1e9;
	mdl_plan plan;
	build_write(&native, &slow_pcie, &params, 1 << 20, &plan);
	ck_assert_int_eq(plan.bottleneck, RES_PCIE);
	ck_assert_double_eq_tol(plan.serialization_ns, plan.message.wire_bytes * 8 / mdl_resource_bps(RES_PCIE, &slow_pcie) * 1e9, 1e-6);
	mdl_params slow_wire = params;
	slow_wire.value[MDL_WIRE_BANDWIDTH] = 1e9;
	build_write(&native, &params, &slow_wire, 1 << 20, &plan);
	ck_assert_int_eq(plan.bottleneck, RES_WIRE);
}
END_TEST

/* SEND: the receiver learns from a receive CQE and re-posts its receive,
 * instead of polling its buffer.  The CQE is a posted write right behind
 * the payload's: it lands one CQE's serialization after it. */
START_TEST(send_replaces_buffer_polling_with_a_receive_completion)
{
	mdl_plan write, send;
	build_write(&native, &params, &params, 2, &write);
	mdl_plan_build(&native, &params, &params, 2, VERB_SEND_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &send);
	ck_assert(isnan(stage_ns(&native, &send, "poll_detect")));
	double recv_cqe = P(HCA_CQE_BYTES) * 8 / PCIE_PAYLOAD_BPS * 1e9;
	double recv_wqe = (1 - P(HCA_RECV_WQE_PREFETCH)) * (P(PCIE_READ_LATENCY) + P(HCA_WQE_BYTES) * 8 / PCIE_PAYLOAD_BPS * 1e9);
	ck_assert_double_eq_tol(one_way_ns(&send) - one_way_ns(&write),
				recv_wqe + recv_cqe + P(CPU_POLL_CQ) + P(CPU_POST_RECV), 1e-9);
	ck_assert_double_eq(send.counters.dma_writes, write.counters.dma_writes + 1);
	/* vRDMA: the receive completion and the re-post both go through the backend */
	mdl_plan v;
	mdl_plan_build(&vrdma, &params, &params, 2, VERB_SEND_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &v);
	ck_assert_double_eq(v.counters.vm_exits, 2);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "recv_cqe_proxy"), SEG_RECEIVER);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "recv_vm_entry"), SEG_RECEIVER);
	ck_assert_int_eq(stage_segment(&vrdma, &v, "vm_entry"), SEG_OFF);
}
END_TEST

/* READ: a header-only request, then a response the responder's HCA reads
 * by DMA (never inline) and the requester completes through its CQ. */
START_TEST(read_legs)
{
	mdl_plan request, response;
	mdl_plan_build(&native, &params, &params, 2, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_REQUEST, &ONE_QP, &request);
	mdl_plan_build(&native, &params, &params, 2, VERB_READ_LAT, COMPLETION_POLL, LEG_READ_RESPONSE, &ONE_QP, &response);
	ck_assert_double_eq(request.message.wire_bytes, P(WIRE_HEADER_BYTES));
	ck_assert_double_eq(response.message.wire_bytes, 2 + P(WIRE_HEADER_BYTES));
	ck_assert(!response.message.inline_payload);
	ck_assert_double_eq_tol(stage_ns(&native, &response, "responder_payload_dma_read"), P(PCIE_READ_LATENCY), 1e-9);
	ck_assert_int_eq(stage_segment(&native, &response, "responder_payload_dma_read"), SEG_SENDER);
	ck_assert_int_eq(stage_segment(&native, &response, "poll_cq"), SEG_RECEIVER);
	ck_assert_int_eq(stage_segment(&native, &request, "responder_hca_rx"), SEG_RECEIVER);
	ck_assert_int_eq(mdl_plan_segment_ns(&request, SEG_COMPLETION), 0);
	ck_assert(request.sender_software);
	ck_assert(!response.sender_software);     /* the responder's HCA answers alone */
	/* write-only and send-only stages stay out of a READ */
	ck_assert(isnan(stage_ns(&native, &request, "payload_dma_read")));
}
END_TEST

/* Virtual interrupts for a waiting thread's halted vCPU: posted ones cost
 * no EOI exit, the others one each; the HLT exits either way.  Within the
 * halt-polling window the wake-up is a VM entry, beyond it a vCPU wake-up. */
START_TEST(virtual_interrupts_posted_or_not)
{
	mdl_params posted = params, trapped = params;
	posted.value[MDL_VIRT_POSTED_INTERRUPTS] = 1;
	trapped.value[MDL_VIRT_POSTED_INTERRUPTS] = 0;
	mdl_plan a, b;
	mdl_plan_build(&vrdma, &posted, &posted, 2, VERB_SEND_LAT, COMPLETION_EVENT, LEG_MESSAGE, &ONE_QP, &a);
	mdl_plan_build(&vrdma, &trapped, &trapped, 2, VERB_SEND_LAT, COMPLETION_EVENT, LEG_MESSAGE, &ONE_QP, &b);
	ck_assert_double_eq(b.counters.vm_exits - a.counters.vm_exits, 2);   /* two interrupts, an EOI exit each */
	ck_assert_double_eq(a.counters.interrupts, 2);
	ck_assert_double_eq_tol(stage_ns(&vrdma, &b, "recv_virq_injection") - stage_ns(&vrdma, &a, "recv_virq_injection"),
				P(VIRT_EOI_EXIT), 1e-9);
	/* polling has no interrupt stages at all */
	mdl_plan polled;
	mdl_plan_build(&vrdma, &params, &params, 2, VERB_SEND_LAT, COMPLETION_POLL, LEG_MESSAGE, &ONE_QP, &polled);
	ck_assert(isnan(stage_ns(&vrdma, &polled, "recv_virq_injection")));
	ck_assert_double_eq(polled.counters.interrupts, 0);
}
END_TEST

START_TEST(halted_vcpu_caught_by_polling_or_woken)
{
	mdl_params polling = params, sleeping = params;
	polling.value[MDL_VIRT_HALT_POLL] = 200e3;
	sleeping.value[MDL_VIRT_HALT_POLL] = 0;
	mdl_plan a, b;
	mdl_plan_build(&vrdma, &polling, &polling, 2, VERB_WRITE_LAT, COMPLETION_EVENT, LEG_MESSAGE, &ONE_QP, &a);
	mdl_plan_build(&vrdma, &sleeping, &sleeping, 2, VERB_WRITE_LAT, COMPLETION_EVENT, LEG_MESSAGE, &ONE_QP, &b);
	double posted = P(VIRT_POSTED_INTERRUPTS), eoi_ns = (1.0 - posted) * P(VIRT_EOI_EXIT);
	ck_assert_double_eq_tol(stage_ns(&vrdma, &a, "virq_injection"), P(VIRT_VM_ENTRY) + eoi_ns, 1e-9);
	double woken_ns = P(VIRT_VCPU_WAKEUP) + P(CPU_IDLE_EXIT);   /* the host thread's core was idle too */
	ck_assert_double_eq_tol(stage_ns(&vrdma, &b, "virq_injection"), woken_ns + eoi_ns, 1e-9);
	/* a message that takes longer than the window: woken, not caught */
	polling.value[MDL_VIRT_HALT_POLL] = 1e3;
	mdl_plan_build(&vrdma, &polling, &polling, 1 << 20, VERB_WRITE_LAT, COMPLETION_EVENT, LEG_MESSAGE, &ONE_QP, &a);
	ck_assert_double_eq_tol(stage_ns(&vrdma, &a, "virq_injection"), woken_ns + eoi_ns, 1e-9);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("model");
	TCase *tc = tcase_create("plans");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, native_small_write_by_hand);
	tcase_add_test(tc, large_write_fetches_and_segments);
	tcase_add_test(tc, vrdma_adds_the_trap_path);
	tcase_add_test(tc, translation_scales_with_pages);
	tcase_add_test(tc, latency_grows_with_size);
	tcase_add_test(tc, bottleneck_is_the_slowest_link);
	tcase_add_test(tc, send_replaces_buffer_polling_with_a_receive_completion);
	tcase_add_test(tc, read_legs);
	tcase_add_test(tc, virtual_interrupts_posted_or_not);
	tcase_add_test(tc, halted_vcpu_caught_by_polling_or_woken);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
