/*
 * flow_migrate.c - live migrations as controllers of rounds (see
 * flow_migrate.h).
 */
#include "sim/flow_migrate.h"

#include <math.h>

#include "sim/flow_experiment.h"

/* 4 KiB: the unit of mr.register_page. */
#define REGISTER_PAGE_BYTES 4096.0

double vr_migration_register_ns(const scn_migrate *m, int rdma, const mdl_params *p, double *pin_ns)
{
	*pin_ns = 0;
	if (!rdma)
		return 0;
	double call_ns = MDL_VALUE(p, MR_REGISTER_CALL), page_ns = MDL_VALUE(p, MR_REGISTER_PAGE);
	if (m->registration == MIGRATE_PIN_ALL) {
		*pin_ns = call_ns + ceil(m->memory_bytes / REGISTER_PAGE_BYTES) * page_ns;
		return 0;
	}
	/* each chunk once, in round 1: a message's share of its chunk(s) */
	double chunk_ns = call_ns + ceil(m->chunk_bytes / REGISTER_PAGE_BYTES) * page_ns;
	return chunk_ns * m->message_bytes / m->chunk_bytes;
}

/* Messages that carry BYTES. */
static uint64_t messages(const vr_migration *m, double bytes)
{
	return (uint64_t)ceil(bytes / m->message_bytes - 1e-9);
}

uint64_t vr_migration_start(vr_migration *m, const scn_migrate *migrate, double start_ns, double pin_ns)
{
	m->on = 1;
	m->message_bytes = migrate->message_bytes;
	m->start_ns = start_ns;
	m->pin_ns = pin_ns;
	m->round_ops = m->first_ops = messages(m, mdl_precopy_start(&m->pre, migrate, start_ns + pin_ns));
	m->pre.origin_ns = start_ns;   /* the dirty rate's phases start with the migration, pin_all's registration included */
	return m->round_ops;
}

double vr_migration_vrdma_extra_ns(const mdl_vmig_result *v)
{
	return v->quiesce_ns + v->register_added_ns + v->objects_ns + v->qp_restore_ns;
}

/* The stop-and-copy starts at NOW_NS: the VM stops, the flows with an end
 * at it are held. */
static void vm_stop(vr_migration *m, double now_ns)
{
	m->stop_start_ns = now_ns;
	for (size_t i = 0; i < m->held_count; i++)
		fl_hold(m->engine, m->held[i], now_ns);
}

/* The held flows go on at AT_NS. */
static void vm_release(vr_migration *m, double at_ns)
{
	m->release_ns = at_ns;
	for (size_t i = 0; i < m->held_count; i++)
		fl_release(m->engine, m->held[i], at_ns);
}

/* vrdma: the memory's stop-and-copy ended at NOW_NS (DOWNTIME_NS long; 0
 * when nothing was dirtied and the VM stopped at once: then the state's
 * crossing is the model's): the model's steps with the measured pre-copy
 * and downtime, and the held flows released once the peers re-pointed. */
static void vrdma_done(vr_migration *m, double now_ns, double downtime_ns)
{
	if (m->stop_start_ns < 0)   /* no stop-and-copy round: the device's steps alone */
		vm_stop(m, now_ns);
	mdl_vmig_device d = m->device;
	d.precopy_ns = m->stop_start_ns - m->start_ns;
	d.precopy_first_round = 0;
	d.base_downtime_ns = downtime_ns;
	mdl_vmig_compute(&d, m->src, m->dst, m->peer, &m->vmig);
	double extra = vr_migration_vrdma_extra_ns(&m->vmig) + (downtime_ns > 0 ? 0 : m->vmig.transfer_ns);
	vm_release(m, now_ns + extra + m->vmig.notify_ns + m->vmig.repoint_ns);
}

uint64_t vr_migration_next_round(void *ctx, double now_ns, uint32_t *path)
{
	vr_migration *m = ctx;
	mdl_precopy_phase before = m->pre.phase;
	double bytes = mdl_precopy_next(&m->pre, now_ns, (double)m->round_ops * m->message_bytes);
	if (m->pre.phase == PRECOPY_STOP_COPY && before == PRECOPY_COPYING) {
		if (m->vrdma)
			bytes += mdl_vmig_state_bytes(&m->device, m->src);   /* the device's state crosses too */
		vm_stop(m, now_ns);
	} else if (m->vrdma && m->pre.phase == PRECOPY_DONE) {
		vrdma_done(m, now_ns, before == PRECOPY_STOP_COPY ? m->pre.downtime_ns : 0);
	} else if (m->pre.phase == PRECOPY_DONE && before == PRECOPY_STOP_COPY) {
		vm_release(m, now_ns);   /* the VM runs on the destination: the downtime is over */
	}
	m->round_ops = bytes > 0 ? messages(m, bytes) : 0;
	m->later_ops += m->round_ops;
	*path = m->later_path;
	return m->round_ops;
}

/* M's seconds on SIDE's hypervisor cores (0 source, 1 destination). */
static double cpu_s(const vr_migration *m, int side)
{
	return ((double)m->first_ops * m->cpu_ns[0][side] + (double)m->later_ops * m->cpu_ns[1][side] + m->pin_ns) / 1e9;
}

void vr_migration_figures_of(const vr_flow_result *r, const vr_migration *m, vr_migration_figures *out)
{
	const mdl_precopy *p = &m->pre;
	int over = p->phase == PRECOPY_DONE || p->phase == PRECOPY_DIVERGED;
	/* a run cut short (duration:) ends the migration at its end */
	double end_ns = over ? p->end_ns : fl_end_ns(r->engine);
	*out = (vr_migration_figures){
		.total_s = (end_ns - m->start_ns) / 1e9,
		.moved_bytes = p->moved_bytes,
		.rounds = p->rounds,
		.source_cpu_s = cpu_s(m, 0),
		.destination_cpu_s = cpu_s(m, 1),
		.converged = p->phase == PRECOPY_DONE,
		.forced = p->forced,
	};
	out->downtime_ms = out->converged ? p->downtime_ns / 1e6 : 0;
	out->measured_downtime_ms = out->downtime_ms;
	if (m->vrdma) {
		out->vrdma = 1;
		out->qps = m->device.qps;
		out->peers = m->device.peers;
		out->state_bytes = mdl_vmig_state_bytes(&m->device, m->src);
	}
	if (m->vrdma && out->converged) {
		const mdl_vmig_result *v = &m->vmig;
		out->state_transfer_ms = v->transfer_ns / 1e6;
		out->quiesce_ms = v->quiesce_ns / 1e6;
		out->register_added_ms = v->register_added_ns / 1e6;
		out->objects_ms = v->objects_ns / 1e6;
		out->qp_restore_ms = v->qp_restore_ns / 1e6;
		out->notify_ms = v->notify_ns / 1e6;
		out->repoint_ms = v->repoint_ns / 1e6;
		out->added_downtime_ms = v->added_downtime_ns / 1e6;
		/* the state crossed in the measured stop-and-copy (or, with nothing
		 * dirtied, by the model's arithmetic) */
		double extra = vr_migration_vrdma_extra_ns(v) + (p->downtime_ns > 0 ? 0 : v->transfer_ns);
		out->downtime_ms = (p->downtime_ns + extra) / 1e6;
		out->peer_pause_ms = m->device.qps ? out->downtime_ms + out->notify_ms + out->repoint_ms : 0;
	}
	out->held_flows = m->held_count;
	for (size_t i = 0; i < m->held_count; i++)
		out->held_ops += fl_flow_held_ops(m->engine, m->held[i]);
	out->held_ms = m->stop_start_ns >= 0 && m->release_ns >= 0 ? (m->release_ns - m->stop_start_ns) / 1e6 : 0;
	out->result = !over ? "unfinished" : !out->converged ? "does not converge" : p->forced ? "round limit" : "converged";
}
