/*
 * test_options.c - each built-in option's stages say what its description
 * (models/options/NAME.yaml) says: where the VMs are, what carries the
 * message between them, which stages and mechanisms are on which path, and
 * which are not there at all.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/plan.h"
#include "models/preset.h"
#include "tests/check_run.h"

static const vr_where NOWHERE = {"test", 1, 1};

#define END MECH_COUNT   /* ends a list of mechanisms */
enum { WANT_MAX = 12, LACK_MAX = 10 };

typedef struct want_stage {
	mdl_path path;
	const char *name;
	mdl_mechanism mechanism;
} want_stage;

typedef struct option_expect {
	const char *name;
	mdl_placement placement;
	mdl_link link;
	mdl_route route;               /* what its fabric stages cross */
	int completion_after_receiver; /* software transports ACK after the responder's work */
	const char *fabric;            /* the stage that carries a WRITE across (SEG_FABRIC) */
	want_stage has[WANT_MAX];      /* up to the first NULL name */
	const char *lacks[LACK_MAX];   /* stage names on no path, up to NULL */
	mdl_mechanism lacks_mechanism[LACK_MAX]; /* mechanisms on no path, up to END */
} option_expect;

static const option_expect EXPECT[] = {
	{"native", PLACE_DIFFERENT_HOSTS, LINK_INFINIBAND, ROUTE_INFINIBAND, 0, "wire",
	 {{PATH_REQUEST, "post_send", MECH_CPU}, {PATH_REQUEST, "doorbell", MECH_MMIO_DOORBELL},
	  {PATH_REQUEST, "hca_tx", MECH_HCA_TX}, {PATH_REQUEST, "wire", MECH_WIRE}, {PATH_REQUEST, "switch", MECH_SWITCH},
	  {PATH_REQUEST, "payload_dma_write", MECH_PAYLOAD_DMA_WRITE}, {PATH_COMPLETION, "ack_return", MECH_ACK_RETURN},
	  {PATH_READ_RESPONSE, "response_wire", MECH_WIRE}},
	 {"doorbell_vm_exit", "payload_iommu", "eswitch_tx", "vm_to_vm_copy"},
	 {MECH_DOORBELL_TRAP, MECH_VM_ENTRY, MECH_VIRQ_INJECTION, MECH_HALTED_VCPU_INTERRUPT, MECH_ASSIGNED_MSI,
	  MECH_IOMMU_TRANSLATION, MECH_ESWITCH_STEERING, MECH_MEMORY_COPY, END}},
	{"passthrough", PLACE_DIFFERENT_HOSTS, LINK_INFINIBAND, ROUTE_INFINIBAND, 0, "wire",
	 {{PATH_REQUEST, "doorbell", MECH_MMIO_DOORBELL}, {PATH_REQUEST, "payload_iommu", MECH_IOMMU_TRANSLATION},
	  {PATH_REQUEST, "recv_payload_iommu", MECH_IOMMU_TRANSLATION}, {PATH_REQUEST, "wire", MECH_WIRE},
	  {PATH_COMPLETION, "cq_host_interrupt", MECH_ASSIGNED_MSI},
	  {PATH_COMPLETION, "cq_virq_injection", MECH_HALTED_VCPU_INTERRUPT},
	  {PATH_READ_RESPONSE, "responder_payload_iommu", MECH_IOMMU_TRANSLATION}},
	 {"doorbell_vm_exit", "eswitch_tx", "vm_to_vm_copy"},
	 {MECH_DOORBELL_TRAP, MECH_VM_ENTRY, MECH_ESWITCH_STEERING, MECH_MEMORY_COPY, MECH_MSI_INTERRUPT, END}},
	{"sriov", PLACE_DIFFERENT_HOSTS, LINK_INFINIBAND, ROUTE_INFINIBAND, 0, "wire",
	 {{PATH_REQUEST, "doorbell", MECH_MMIO_DOORBELL}, {PATH_REQUEST, "payload_iommu", MECH_IOMMU_TRANSLATION},
	  {PATH_REQUEST, "eswitch_tx", MECH_ESWITCH_STEERING}, {PATH_REQUEST, "eswitch_rx", MECH_ESWITCH_STEERING},
	  {PATH_REQUEST, "wire", MECH_WIRE}, {PATH_REQUEST, "switch", MECH_SWITCH},
	  {PATH_COMPLETION, "ack_return", MECH_ACK_RETURN}},
	 {"doorbell_vm_exit", "eswitch_loopback", "vm_to_vm_copy"},
	 {MECH_DOORBELL_TRAP, MECH_VM_ENTRY, MECH_ESWITCH_LOOPBACK, MECH_ESWITCH_ACK_RETURN, MECH_MEMORY_COPY, END}},
	{"sriov-local", PLACE_SAME_HOST, LINK_INFINIBAND, ROUTE_HCA_LOOPBACK, 0, "eswitch_loopback",
	 {{PATH_REQUEST, "doorbell", MECH_MMIO_DOORBELL}, {PATH_REQUEST, "payload_iommu", MECH_IOMMU_TRANSLATION},
	  {PATH_REQUEST, "eswitch_tx", MECH_ESWITCH_STEERING}, {PATH_REQUEST, "eswitch_loopback", MECH_ESWITCH_LOOPBACK},
	  {PATH_REQUEST, "eswitch_rx", MECH_ESWITCH_STEERING}, {PATH_COMPLETION, "ack_return", MECH_ESWITCH_ACK_RETURN},
	  {PATH_READ_RESPONSE, "response_eswitch_loopback", MECH_ESWITCH_LOOPBACK}},
	 {"wire", "switch", "doorbell_vm_exit", "vm_to_vm_copy"},
	 {MECH_WIRE, MECH_SWITCH, MECH_ACK_RETURN, MECH_DOORBELL_TRAP, MECH_MEMORY_COPY, MECH_ETH_WIRE, END}},
	{"softroce-directpath", PLACE_DIFFERENT_HOSTS, LINK_ETHERNET, ROUTE_ETHERNET, 1, "eth_wire",
	 {{PATH_REQUEST, "rxe_post_send", MECH_CPU}, {PATH_REQUEST, "rxe_requester", MECH_CPU},
	  {PATH_REQUEST, "nic_doorbell", MECH_MMIO_DOORBELL}, {PATH_REQUEST, "payload_iommu", MECH_IOMMU_TRANSLATION},
	  {PATH_REQUEST, "nic_tx", MECH_NIC_TX}, {PATH_REQUEST, "eth_wire", MECH_ETH_WIRE},
	  {PATH_REQUEST, "eth_switch", MECH_ETH_SWITCH}, {PATH_REQUEST, "rxe_responder", MECH_CPU},
	  {PATH_REQUEST, "virq_injection", MECH_VIRQ_INJECTION}, {PATH_COMPLETION, "ack_return", MECH_ETH_ACK_RETURN},
	  {PATH_COMPLETION, "rxe_completer", MECH_CPU}},
	 {"doorbell_vm_exit", "kick_vm_exit", "wire", "hca_tx", "vm_to_vm_copy"},
	 {MECH_DOORBELL_TRAP, MECH_VM_ENTRY, MECH_WIRE, MECH_SWITCH, MECH_HCA_TX, MECH_ACK_RETURN, MECH_MEMORY_COPY, END}},
	{"softroce-pvnic", PLACE_DIFFERENT_HOSTS, LINK_ETHERNET, ROUTE_ETHERNET, 1, "eth_wire",
	 {{PATH_REQUEST, "rxe_requester", MECH_CPU}, {PATH_REQUEST, "kick_vm_exit", MECH_DOORBELL_TRAP},
	  {PATH_REQUEST, "vswitch_tx", MECH_CPU}, {PATH_REQUEST, "nic_tx", MECH_NIC_TX},
	  {PATH_REQUEST, "eth_wire", MECH_ETH_WIRE}, {PATH_REQUEST, "vswitch_rx", MECH_CPU},
	  {PATH_REQUEST, "rx_virq_injection", MECH_VIRQ_INJECTION}, {PATH_COMPLETION, "ack_kick_vm_exit", MECH_DOORBELL_TRAP},
	  {PATH_COMPLETION, "ack_return", MECH_ETH_ACK_RETURN}, {PATH_OFF, "kick_vm_entry", MECH_VM_ENTRY}},
	 {"doorbell_vm_exit", "wire", "payload_iommu", "vm_to_vm_copy"},
	 /* the host owns the NIC: no IOMMU on its DMA */
	 {MECH_IOMMU_TRANSLATION, MECH_WIRE, MECH_HCA_TX, MECH_ACK_RETURN, MECH_MEMORY_COPY, END}},
	{"softroce-pvnic-local", PLACE_SAME_HOST, LINK_ETHERNET, ROUTE_MEMORY, 1, "vm_to_vm_copy",
	 {{PATH_REQUEST, "rxe_requester", MECH_CPU}, {PATH_REQUEST, "kick_vm_exit", MECH_DOORBELL_TRAP},
	  {PATH_REQUEST, "vswitch_forward", MECH_CPU}, {PATH_REQUEST, "vm_to_vm_copy", MECH_MEMORY_COPY},
	  {PATH_REQUEST, "rx_virq_injection", MECH_VIRQ_INJECTION}, {PATH_COMPLETION, "ack_kick_vm_exit", MECH_DOORBELL_TRAP},
	  {PATH_READ_RESPONSE, "response_vm_to_vm_copy", MECH_MEMORY_COPY}, {PATH_OFF, "kick_vm_entry", MECH_VM_ENTRY}},
	 {"eth_wire", "eth_switch", "nic_tx", "wire"},
	 {MECH_ETH_WIRE, MECH_ETH_SWITCH, MECH_NIC_TX, MECH_NIC_RX, MECH_ETH_ACK_RETURN, MECH_WIRE, MECH_IOMMU_TRANSLATION, END}},
	{"softroce-loopback", PLACE_SAME_HOST, LINK_ETHERNET, ROUTE_KERNEL_LOOPBACK, 1, "loopback",
	 {{PATH_REQUEST, "rxe_post_send", MECH_CPU}, {PATH_REQUEST, "rxe_requester", MECH_CPU},
	  {PATH_REQUEST, "requester_icrc", MECH_CPU}, {PATH_REQUEST, "loopback", MECH_NET_LOOPBACK},
	  {PATH_REQUEST, "rxe_responder", MECH_CPU}, {PATH_COMPLETION, "rxe_completer", MECH_CPU},
	  {PATH_READ_RESPONSE, "response_loopback", MECH_NET_LOOPBACK}},
	 {"eth_wire", "nic_tx", "host_interrupt", "kick_vm_exit"},
	 {MECH_ETH_WIRE, MECH_NIC_TX, MECH_NIC_INTERRUPT, MECH_DOORBELL_TRAP, MECH_VIRQ_INJECTION, MECH_MEMORY_COPY, END}},
	{"vrdma", PLACE_DIFFERENT_HOSTS, LINK_INFINIBAND, ROUTE_INFINIBAND, 0, "wire",
	 {{PATH_REQUEST, "guest_post_send", MECH_CPU}, {PATH_REQUEST, "doorbell_vm_exit", MECH_DOORBELL_TRAP},
	  {PATH_REQUEST, "trap_dispatch", MECH_CPU}, {PATH_REQUEST, "backend_translate_wqe", MECH_CPU},
	  {PATH_REQUEST, "physical_doorbell", MECH_MMIO_DOORBELL}, {PATH_REQUEST, "wire", MECH_WIRE},
	  {PATH_REQUEST, "switch", MECH_SWITCH}, {PATH_COMPLETION, "ack_return", MECH_ACK_RETURN},
	  {PATH_COMPLETION, "cqe_proxy", MECH_CPU}, {PATH_OFF, "vm_entry", MECH_VM_ENTRY}},
	 {"payload_iommu", "eswitch_tx", "vm_to_vm_copy"},
	 /* the backend translates; the HCA DMAs zero-copy without an IOMMU */
	 {MECH_IOMMU_TRANSLATION, MECH_ESWITCH_STEERING, MECH_MEMORY_COPY, MECH_ETH_WIRE, END}},
	{"vrdma-local", PLACE_SAME_HOST, LINK_NONE, ROUTE_MEMORY, 0, "vm_to_vm_copy",
	 {{PATH_REQUEST, "guest_post_send", MECH_CPU}, {PATH_REQUEST, "doorbell_vm_exit", MECH_DOORBELL_TRAP},
	  {PATH_REQUEST, "trap_dispatch", MECH_CPU}, {PATH_REQUEST, "backend_translate_wqe", MECH_CPU},
	  {PATH_REQUEST, "vm_to_vm_copy", MECH_MEMORY_COPY}, {PATH_COMPLETION, "cqe_proxy", MECH_CPU},
	  {PATH_READ_RESPONSE, "vm_to_vm_copy", MECH_MEMORY_COPY}, {PATH_OFF, "vm_entry", MECH_VM_ENTRY}},
	 {"wire", "switch", "physical_doorbell", "hca_tx", "ack_return"},
	 /* no HCA, no wire, no ACK */
	 {MECH_WIRE, MECH_SWITCH, MECH_MMIO_DOORBELL, MECH_HCA_TX, MECH_HCA_RX, MECH_ACK_RETURN, MECH_CQE_DMA_WRITE, END}},
};

enum { NOPTIONS = sizeof EXPECT / sizeof EXPECT[0] };

static mdl_params params;
static mdl_option option;
static const option_expect *expect;

/* Loop tests: _i indexes EXPECT; load that option and the 2012 preset. */
static void load(int i)
{
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_int_eq(mdl_preset_load("esxi5-qdr-2012", NULL, NOWHERE, &params, &diag), 0);
	ck_assert_int_eq(mdl_params_resolve(&params, "esxi5-qdr-2012", &diag), 0);
	expect = &EXPECT[i];
	ck_assert_msg(mdl_option_load(expect->name, NULL, NOWHERE, &option, &diag) == 0, "cannot load %s", expect->name);
}

static const mdl_stage *find_stage(mdl_path path, const char *name)
{
	for (size_t i = 0; i < option.stage_count; i++)
		if (option.stages[i].path == path && !strcmp(option.stages[i].name, name))
			return &option.stages[i];
	return NULL;
}

static const mdl_plan_stage *plan_stage(const mdl_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->count; i++)
		if (!strcmp(option.stages[plan->stages[i].stage].name, name))
			return &plan->stages[i];
	return NULL;
}

/* The segment of stage NAME in PLAN, or -1 when it is not there. */
static int segment_of(const mdl_plan *plan, const char *name)
{
	const mdl_plan_stage *s = plan_stage(plan, name);
	return s ? (int)s->segment : -1;
}

static void build(mdl_verb verb, mdl_completion completion, mdl_leg leg, mdl_plan *plan)
{
	static const mdl_footprint one_qp = {1, 0};
	mdl_plan_build(&option, &params, &params, 2, verb, completion, leg, &one_qp, plan);
}

/* The option file's header: its name, where the VMs are, its packets. */
START_TEST(header_matches)
{
	load(_i);
	ck_assert_str_eq(option.name, expect->name);
	ck_assert_msg(option.placement == expect->placement, "%s: placement %s", option.name,
		      mdl_placement_names[option.placement]);
	ck_assert_msg(option.link == expect->link, "%s: link %s", option.name, mdl_link_names[option.link]);
	ck_assert_msg(option.route == expect->route, "%s: route %s", option.name, mdl_route_names[option.route]);
	ck_assert_int_eq(mdl_route_between_hosts(option.route), expect->placement == PLACE_DIFFERENT_HOSTS);
	ck_assert_int_eq(option.completion_after_receiver, expect->completion_after_receiver);
	ck_assert(strlen(option.summary) > 0);
	for (int v = 0; v < VERB_COUNT; v++)
		ck_assert_msg(mdl_option_runs(&option, (mdl_verb)v), "%s cannot run %s", option.name, mdl_verb_names[v]);
	ck_assert_uint_eq(option.completions, (1u << COMPLETION_POLL) | (1u << COMPLETION_EVENT));
}
END_TEST

/* Who serves each stage in a many-flow run: the hypervisor's stages (the
 * backend's, the vNIC backend's and the vswitch's, trap dispatch,
 * completion proxying) on the backend threads, other software on the vCPU,
 * the adapters' pipelines on the HCA, the fabric on links. */
START_TEST(stages_served_where_they_run)
{
	load(_i);
	size_t hypervisor = 0;
	for (size_t k = 0; k < option.stage_count; k++) {
		const mdl_stage *s = &option.stages[k];
		mdl_server want = mdl_mechanisms[s->mechanism].server;
		if (s->mechanism == MECH_CPU)
			want = strstr(s->name, "backend") || strstr(s->name, "vswitch") || strstr(s->name, "trap_dispatch") ||
			       strstr(s->name, "cqe_proxy") ? SERVE_BACKEND : SERVE_VCPU;
		hypervisor += want == SERVE_BACKEND;
		ck_assert_msg(s->server == want, "%s: %s served by %s, expected %s", option.name, s->name,
			      mdl_server_names[s->server], mdl_server_names[want]);
		if (s->mechanism == MECH_HCA_TX || s->mechanism == MECH_NIC_RX)
			ck_assert_int_eq(s->server, SERVE_HCA);
		if (s->mechanism == MECH_WIRE || s->mechanism == MECH_DOORBELL_TRAP)
			ck_assert_int_eq(s->server, s->mechanism == MECH_WIRE ? SERVE_LINK : SERVE_VCPU);
	}
	int has_backend = strncmp(option.name, "vrdma", 5) == 0 || strncmp(option.name, "softroce-pvnic", 14) == 0;
	ck_assert_msg((hypervisor > 0) == has_backend, "%s: %zu stages on the backend", option.name, hypervisor);
}
END_TEST

/* The stages its description names are there, on their path, with their
 * mechanism; the ones it rules out are on no path. */
START_TEST(stages_match_the_description)
{
	load(_i);
	for (size_t k = 0; k < WANT_MAX && expect->has[k].name; k++) {
		const want_stage *w = &expect->has[k];
		const mdl_stage *s = find_stage(w->path, w->name);
		ck_assert_msg(s != NULL, "%s: no stage %s on its %s path", option.name, w->name, mdl_path_names[w->path]);
		ck_assert_msg(s->mechanism == w->mechanism, "%s: %s is %s, expected %s", option.name, w->name,
			      mdl_mechanisms[s->mechanism].name, mdl_mechanisms[w->mechanism].name);
	}
	for (size_t k = 0; k < LACK_MAX && expect->lacks[k]; k++)
		for (int path = 0; path < PATH_COUNT; path++)
			ck_assert_msg(!find_stage((mdl_path)path, expect->lacks[k]), "%s: has a stage %s on its %s path",
				      option.name, expect->lacks[k], mdl_path_names[path]);
	size_t k = 0;
	for (; k < LACK_MAX && expect->lacks_mechanism[k] != END; k++)
		for (size_t i = 0; i < option.stage_count; i++)
			ck_assert_msg(option.stages[i].mechanism != expect->lacks_mechanism[k], "%s: stage %s is %s",
				      option.name, option.stages[i].name, mdl_mechanisms[expect->lacks_mechanism[k]].name);
	ck_assert_msg(k < LACK_MAX, "%s: the expectation's mechanism list has no END", option.name);
}
END_TEST

/* Compiled for a 2 B WRITE, polling: the fabric stage carries the message
 * across (the fabric segment), the request-path stages named above run on
 * either side of it, and a plan for every verb and mode has a fabric. */
START_TEST(write_plan_crosses_its_fabric)
{
	load(_i);
	mdl_plan plan;
	build(VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
	ck_assert_msg(plan.route == expect->route, "%s: plan route %s", option.name, mdl_route_names[plan.route]);
	ck_assert_msg(segment_of(&plan, expect->fabric) == SEG_FABRIC, "%s: %s not in the fabric segment", option.name,
		      expect->fabric);
	for (size_t k = 0; k < WANT_MAX && expect->has[k].name; k++) {
		const want_stage *w = &expect->has[k];
		const mdl_stage *s = find_stage(w->path, w->name);
		if (w->path != PATH_REQUEST || !s || !mdl_stage_applies(s, VERB_WRITE_LAT, COMPLETION_POLL))
			continue;
		const mdl_plan_stage *p = plan_stage(&plan, w->name);
		ck_assert_msg(p != NULL, "%s: %s not in a 2 B write_lat plan", option.name, w->name);
		ck_assert_msg(p->nominal_ns >= 0 && isfinite(p->nominal_ns), "%s: %s costs %g ns", option.name, w->name,
			      p->nominal_ns);
	}
	for (size_t k = 0; k < LACK_MAX && expect->lacks[k]; k++)
		ck_assert_msg(!plan_stage(&plan, expect->lacks[k]), "%s: %s in a write_lat plan", option.name, expect->lacks[k]);
	static const struct { mdl_verb verb; mdl_leg leg; } legs[] = {
		{VERB_WRITE_LAT, LEG_MESSAGE}, {VERB_SEND_LAT, LEG_MESSAGE},
		{VERB_READ_LAT, LEG_READ_REQUEST}, {VERB_READ_LAT, LEG_READ_RESPONSE},
	};
	for (size_t l = 0; l < sizeof legs / sizeof legs[0]; l++)
		for (int c = 0; c < COMPLETION_COUNT; c++) {
			build(legs[l].verb, (mdl_completion)c, legs[l].leg, &plan);
			ck_assert_msg(plan.route == expect->route, "%s %s leg %d %s: route %s", option.name,
				      mdl_verb_names[legs[l].verb], (int)legs[l].leg, mdl_completion_names[c],
				      mdl_route_names[plan.route]);
			size_t in_fabric = 0;
			for (size_t i = 0; i < plan.count; i++)
				in_fabric += plan.stages[i].segment == SEG_FABRIC;
			ck_assert_msg(in_fabric >= 1, "%s %s leg %d: no fabric stage", option.name, mdl_verb_names[legs[l].verb],
				      (int)legs[l].leg);
		}
}
END_TEST

/* Traps where the description puts them: a 2 B WRITE, polling, exits once
 * per message on vRDMA (the doorbell), never where the guest owns its
 * doorbell page (native, passthrough, SR-IOV) or has no VM (SoftRoCE on a
 * loopback); a vNIC's kick exits. */
START_TEST(write_traps_where_described)
{
	load(_i);
	mdl_plan plan;
	build(VERB_WRITE_LAT, COMPLETION_POLL, LEG_MESSAGE, &plan);
	const char *n = option.name;
	if (!strcmp(n, "native") || !strcmp(n, "passthrough") || !strncmp(n, "sriov", 5) || !strcmp(n, "softroce-loopback"))
		ck_assert_msg(plan.counters.vm_exits == 0, "%s: %g VM exits", n, plan.counters.vm_exits);
	else if (!strncmp(n, "vrdma", 5)) {
		ck_assert_msg(plan.counters.vm_exits == 1, "%s: %g VM exits", n, plan.counters.vm_exits);
		ck_assert_int_eq(segment_of(&plan, "doorbell_vm_exit"), SEG_SENDER);
		ck_assert_int_eq(segment_of(&plan, "vm_entry"), SEG_OFF);
	} else if (!strncmp(n, "softroce-pvnic", 14)) {
		ck_assert_msg(plan.counters.vm_exits >= 1, "%s: %g VM exits", n, plan.counters.vm_exits);
		ck_assert_int_eq(segment_of(&plan, "kick_vm_exit"), SEG_SENDER);
		ck_assert_int_eq(segment_of(&plan, "kick_vm_entry"), SEG_OFF);
	} else {
		ck_assert_str_eq(n, "softroce-directpath");   /* exits only to inject interrupts, if they are not posted */
		ck_assert(!plan_stage(&plan, "doorbell_vm_exit") && !plan_stage(&plan, "kick_vm_exit"));
	}
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("options");
	TCase *tc = tcase_create("descriptions");
	tcase_add_loop_test(tc, header_matches, 0, NOPTIONS);
	tcase_add_loop_test(tc, stages_match_the_description, 0, NOPTIONS);
	tcase_add_loop_test(tc, stages_served_where_they_run, 0, NOPTIONS);
	tcase_add_loop_test(tc, write_plan_crosses_its_fabric, 0, NOPTIONS);
	tcase_add_loop_test(tc, write_traps_where_described, 0, NOPTIONS);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
