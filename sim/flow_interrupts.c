/*
 * flow_interrupts.c - which stages are an interrupt's work, how msi's
 * cost splits between the vector's window, a delay and the target vCPU,
 * and the interrupt figures of a run (see flow_interrupts.h).
 */
#include "sim/flow_interrupts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/flow_experiment.h"

/* Is stage K of PLAN written for event completions only? */
static int event_only(const mdl_option *option, const mdl_plan *plan, size_t k)
{
	return option->stages[plan->stages[k].stage].completions == 1u << COMPLETION_EVENT;
}

/* Is stage K of PLAN the IOMMU's remapping of the MSI-X?  It comes before
 * the interrupt reaches a CPU: a delay of its own, not part of the
 * interrupt's work on the vector. */
static int remapping(const mdl_option *option, const mdl_plan *plan, size_t k)
{
	return option->stages[plan->stages[k].stage].mechanism == MECH_INTERRUPT_REMAP;
}

/* The stage of PLAN next to I in its segment, before (DIR -1) or after
 * (+1) it; plan->count when none. */
static size_t neighbour(const mdl_plan *plan, size_t i, int dir)
{
	for (size_t k = i + (size_t)dir; k < plan->count; k += (size_t)dir)
		if (plan->stages[k].segment == plan->stages[i].segment)
			return k;
	return plan->count;
}

int vr_irq_place(const mdl_option *option, const mdl_plan *plan, size_t i, double cq_moderation,
		 int detached_completion)
{
	mdl_segment seg = plan->stages[i].segment;
	if (!event_only(option, plan, i) || seg == SEG_OFF ||
	    (seg == SEG_COMPLETION && (cq_moderation > 1 || detached_completion)) || remapping(option, plan, i))
		return 0;
	size_t first = i, k;
	while ((k = neighbour(plan, first, -1)) < plan->count && event_only(option, plan, k) && !remapping(option, plan, k))
		first = k;
	mdl_mechanism m = option->stages[plan->stages[first].stage].mechanism;
	if (m != MECH_MSI_INTERRUPT && m != MECH_ASSIGNED_MSI && m != MECH_VIRQ_INJECTION && m != MECH_HALTED_VCPU_INTERRUPT)
		return 0;
	k = neighbour(plan, i, +1);
	return VR_IRQ_IN | (first == i ? VR_IRQ_FIRST : 0) |
	       (k == plan->count || !event_only(option, plan, k) ? VR_IRQ_LAST : 0);
}

int vr_irq_msi_split(const mdl_option *option, const mdl_plan_stage *ps, const mdl_params *p, vr_irq_part *out)
{
	memset(out, 0, sizeof *out);
	mdl_mechanism m = option->stages[ps->stage].mechanism;
	if (m != MECH_MSI_INTERRUPT && m != MECH_ASSIGNED_MSI)
		return 0;
	/* msi_interrupt is the MSI write, the moderation and the host's
	 * handler (mdl_cost_msi_interrupt; assigned_msi's handler runs for the
	 * interrupts the IOMMU does not post): the window, a delay, the vCPU's
	 * core, each at most what is left of the stage's cost */
	double handler_ns = MDL_VALUE(p, IRQ_HANDLER);
	if (m == MECH_ASSIGNED_MSI)
		handler_ns *= 1.0 - MDL_VALUE(p, VIRT_POSTED_INTERRUPTS);
	double left = ps->nominal_ns;
	out->window_ns = MDL_VALUE(p, HCA_INTERRUPT_MODERATION) < left ? MDL_VALUE(p, HCA_INTERRUPT_MODERATION) : left;
	left -= out->window_ns;
	out->vcpu_ns = handler_ns < left ? handler_ns : left;
	out->delay_ns = left - out->vcpu_ns;
	return 1;
}

int vr_flow_irq_vectors(const scn_scenario *s, vr_flow_result *r)
{
	size_t n = r->vm_count ? r->vm_count : 1;
	r->irq_first = FL_NONE;
	r->irq_counts = calloc(n, sizeof *r->irq_counts);
	r->irq_vcpu_ns = calloc(n, sizeof *r->irq_vcpu_ns);
	r->irq_backend_ns = calloc(n, sizeof *r->irq_backend_ns);
	r->vm_vcpu = malloc(n * sizeof *r->vm_vcpu);
	r->vm_backend = malloc(n * sizeof *r->vm_backend);
	if (!r->irq_counts || !r->irq_vcpu_ns || !r->irq_backend_ns || !r->vm_vcpu || !r->vm_backend)
		return -1;
	for (size_t vm = 0; vm < n; vm++)
		r->vm_vcpu[vm] = r->vm_backend[vm] = FL_NONE;
	if (s->completion != COMPLETION_EVENT)
		return 0;
	char name[MDL_NAME_MAX + 32];
	for (size_t h = 0; h < s->host_count; h++)
		for (unsigned v = 0; v < s->hosts[h].vms; v++) {
			snprintf(name, sizeof name, "%s/%u irq", s->hosts[h].name, v);
			uint32_t id = fl_add_irq(r->engine, &(fl_irq_spec){.name = name});
			if (id == FL_NONE)
				return -1;
			if (r->irq_first == FL_NONE)
				r->irq_first = id;
		}
	for (size_t h = 0; s->flows.endpoint_count > s->flows.vm_count && h < s->host_count; h++) {
		snprintf(name, sizeof name, "%s hypervisor irq", s->hosts[h].name);
		uint32_t id = fl_add_irq(r->engine, &(fl_irq_spec){.name = name});
		if (id == FL_NONE)
			return -1;
		if (r->irq_first == FL_NONE)
			r->irq_first = id;
	}
	return 0;
}

void vr_flow_irq_free(vr_flow_result *r)
{
	free(r->irq_counts);
	free(r->irq_vcpu_ns);
	free(r->irq_backend_ns);
	free(r->vm_vcpu);
	free(r->vm_backend);
	r->irq_counts = NULL;
	r->irq_vcpu_ns = r->irq_backend_ns = NULL;
	r->vm_vcpu = r->vm_backend = NULL;
	r->irq_first = FL_NONE;
}

void vr_flow_irq_set_counts(const scn_scenario *s, vr_flow_result *r, scn_vm_ref at, const mdl_counters *per_irq)
{
	if (scn_is_hypervisor(at)) {
		r->irq_counts[scn_vm_index(&s->flows, at)] = *per_irq;
		return;
	}
	for (unsigned v = 0; v < s->hosts[at.host].vms; v++)
		r->irq_counts[s->flows.vm_first[at.host] + v] = *per_irq;
}

void vr_flow_irq_set_work(const scn_scenario *s, vr_flow_result *r, scn_vm_ref at, const vr_irq_work *work)
{
	if (scn_is_hypervisor(at)) {
		size_t vm = scn_vm_index(&s->flows, at);
		r->irq_vcpu_ns[vm] = work->vcpu_ns;
		r->irq_backend_ns[vm] = work->backend_ns;
		r->vm_vcpu[vm] = work->vcpu0;
		r->vm_backend[vm] = work->backend;
		return;
	}
	size_t host = at.host;
	for (unsigned v = 0; v < s->hosts[host].vms; v++) {
		size_t vm = s->flows.vm_first[host] + v;
		r->irq_vcpu_ns[vm] = work->vcpu_ns;
		r->irq_backend_ns[vm] = work->backend_ns;
		r->vm_vcpu[vm] = work->own_vcpus ? work->vcpu0 + v : work->vcpu0;
		r->vm_backend[vm] = work->backend;
	}
}

void vr_flow_irq_add_rates(const vr_flow_result *r, mdl_counters *per_s)
{
	if (r->irq_first == FL_NONE)
		return;
	for (size_t vm = 0; vm < r->vm_count; vm++) {
		vr_flow_irq_rates q;
		vr_flow_irq_rates_of(r, vm, &q);
		mdl_counters n = r->irq_counts[vm];
		mdl_counters_scale(&n, q.raised_per_s);
		mdl_counters_add(&per_s[vm], &n);
	}
}

void vr_flow_irq_rates_of(const vr_flow_result *r, size_t vm, vr_flow_irq_rates *out)
{
	memset(out, 0, sizeof *out);
	double seconds = fl_end_ns(r->engine) / 1e9;
	if (r->irq_first == FL_NONE || vm >= r->vm_count || !(seconds > 0))
		return;
	fl_irq_figures fig;
	fl_irq_figures_of(r->engine, r->irq_first + (uint32_t)vm, &fig);
	double completions = (double)(fig.raised + fig.rode);
	out->raised_per_s = (double)fig.raised / seconds;
	out->completions_per_s = completions / seconds;
	out->coalesced = completions > 0 ? (double)fig.rode / completions : 0;
	out->exits_per_s = out->raised_per_s * r->irq_counts[vm].vm_exits;
}

double vr_flow_irq_share(const vr_flow_result *r, uint32_t server)
{
	if (r->irq_first == FL_NONE || server >= fl_server_count(r->engine))
		return 0;
	fl_server_figures sf;
	fl_server_figures_of(r->engine, server, &sf);
	double busy_ns = sf.utilisation * sf.units * fl_end_ns(r->engine), irq_ns = 0;
	for (size_t vm = 0; vm < r->vm_count; vm++) {
		double ns = (r->vm_vcpu[vm] == server ? r->irq_vcpu_ns[vm] : 0) +
			    (r->vm_backend[vm] == server ? r->irq_backend_ns[vm] : 0);
		fl_irq_figures fig;
		fl_irq_figures_of(r->engine, r->irq_first + (uint32_t)vm, &fig);
		irq_ns += (double)fig.raised * ns;
	}
	return busy_ns > 0 && irq_ns > 0 ? (irq_ns < busy_ns ? irq_ns / busy_ns : 1.0) : 0;
}
