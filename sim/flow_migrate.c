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
	return m->round_ops;
}

uint64_t vr_migration_next_round(void *ctx, double now_ns, uint32_t *path)
{
	vr_migration *m = ctx;
	double bytes = mdl_precopy_next(&m->pre, now_ns, (double)m->round_ops * m->message_bytes);
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
	out->result = !over ? "unfinished" : !out->converged ? "does not converge" : p->forced ? "round limit" : "converged";
}
