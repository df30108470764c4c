/*
 * migrate.c - `migrate:` read and checked, and pre-copy's rounds (see
 * migrate.h for the state machine).
 */
#include "models/migrate.h"

#include <math.h>
#include <string.h>

#include "input/yaml_read.h"
#include "models/vrdma_migration_scenario.h"

const char *const scn_registration_names[MIGRATE_REGISTRATION_COUNT + 1] = {"pin_all", "on_demand", NULL};
const char *const mdl_precopy_phase_names[PRECOPY_PHASE_COUNT] = {"copying", "stop_and_copy", "converged",
								  "does not converge"};

static const char *const migrate_keys[] = {"memory", "working_set", "dirty_rate", "page_size", "message",
					   "downtime_target", "max_rounds", "registration", "chunk", "vrdma", NULL};

/* A size at KEY of NODE (DEFAULT_BYTES when absent, unless REQUIRED), from
 * MIN_BYTES to MAX_BYTES. */
static int read_size(const yt_node *node, const char *key, const char *what, int required, double default_bytes,
		     double min_bytes, double max_bytes, double *out, vr_diag *diag)
{
	const yt_node *v = yt_get(node, key);
	vr_quantity q;
	*out = default_bytes;
	if (!v && required)
		return yr_required(node, key, "'migrate'", &v, diag);
	if (!v)
		return 0;
	if (yr_quantity(v, VR_Q_SIZE, what, &q, diag) != 0)
		return -1;
	if (!(q.value >= min_bytes && q.value <= max_bytes))
		return vr_diag_at(diag, v->where, "found '%s' for %s, expected a size from %.0f B to %.0f B", v->text, what,
				  min_bytes, max_bytes);
	*out = q.value;
	return 0;
}

static int read_times(const yt_node *node, scn_migrate *m, vr_diag *diag)
{
	const yt_node *v;
	vr_quantity q;
	if (yr_required(node, "downtime_target", "'migrate'", &v, diag) ||
	    yr_quantity(v, VR_Q_TIME, "the downtime target", &q, diag))
		return -1;
	/* the last pages always take some time: a target of 0 is never met */
	if (q.is_cycles || !(q.value > 0) || q.value > 3600e9)
		return vr_diag_at(diag, v->where, "found the downtime target '%s', expected a time above 0 and at most 1 h (the last pages always take time to cross: a target of 0 never converges)",
				  v->text);
	m->downtime_target_ns = q.value;
	unsigned long long rounds = 0;
	if ((v = yt_get(node, "max_rounds")) &&
	    yr_count(v, "the pre-copy rounds before stop-and-copy", 1, SCN_MIGRATE_ROUNDS_MAX, &rounds, diag))
		return -1;
	m->max_rounds = (unsigned)rounds;
	if (!(v = yt_get(node, "dirty_rate")))
		return yr_required(node, "dirty_rate", "'migrate'", &v, diag);
	if (strcmp(v->text ? v->text : "", "0") == 0) {
		m->dirty_bytes_per_s = 0;   /* an idle VM */
		return 0;
	}
	if (yr_quantity(v, VR_Q_RATE, "the dirty rate (bytes of pages written per second, such as 1GBps)", &q, diag))
		return -1;
	m->dirty_bytes_per_s = q.value / 8;   /* rates are kept in bit/s */
	return 0;
}

static int read_registration(const yt_node *node, scn_migrate *m, vr_diag *diag)
{
	const yt_node *v = yt_get(node, "registration"), *chunk = yt_get(node, "chunk");
	int which = MIGRATE_ON_DEMAND;
	m->registration_given = v != NULL;
	if (v && yr_choice(v, "the registration of guest memory (pin_all: all up front; on_demand: chunk by chunk)",
			   scn_registration_names, &which, diag))
		return -1;
	m->registration = (scn_registration)which;
	if (chunk && m->registration != MIGRATE_ON_DEMAND)
		return vr_diag_at(diag, chunk->where, "found 'chunk' with registration pin_all, expected it only with registration: on_demand (the chunks registered on their first send)");
	/* QEMU's RDMA migration registers 1 MiB chunks (RDMA_REG_CHUNK_SHIFT 20, migration/rdma.c) */
	return read_size(node, "chunk", "the registration chunk", 0, 1048576, m->page_bytes, 1073741824.0, &m->chunk_bytes,
			 diag);
}

int scn_read_migrate(const yt_node *key, const yt_node *node, scn_migrate *m, vr_diag *diag)
{
	memset(m, 0, sizeof *m);
	m->on = 1;
	m->line = key->where.line;
	m->column = key->where.column;
	if (yr_expect(node, YT_MAP, "'migrate' ({memory, dirty_rate, downtime_target, ...})", diag) ||
	    yr_known_keys(node, migrate_keys, "'migrate'", diag) ||
	    read_size(node, "memory", "the VM's memory", 1, 0, 4096, SCN_MIGRATE_MEMORY_MAX_BYTES, &m->memory_bytes, diag) ||
	    read_size(node, "working_set", "the working set (the pages the VM writes)", 0, m->memory_bytes, 0,
		      m->memory_bytes, &m->working_set_bytes, diag) ||
	    read_size(node, "page_size", "the page size", 0, 4096, 4096, 1073741824.0, &m->page_bytes, diag) ||
	    read_size(node, "message", "the bytes per message", 0, 262144, m->page_bytes, 1073741824.0, &m->message_bytes,
		      diag) ||
	    read_times(node, m, diag) || read_registration(node, m, diag))
		return -1;
	const yt_node *v = yt_get(node, "vrdma");
	return v ? scn_vmig_read_live(v, &m->vrdma, diag) : 0;
}

/* Whole pages of M covering BYTES. */
static double whole_pages(const scn_migrate *m, double bytes)
{
	return ceil(bytes / m->page_bytes - 1e-9) * m->page_bytes;
}

double mdl_precopy_start(mdl_precopy *p, const scn_migrate *m, double start_ns)
{
	*p = (mdl_precopy){.m = m, .phase = PRECOPY_COPYING, .rounds = 1, .round_start_ns = start_ns};
	p->round_bytes = whole_pages(m, m->memory_bytes);
	return p->round_bytes;
}

/* Begin the next round at NOW_NS with BYTES in phase PHASE: BYTES. */
static double next(mdl_precopy *p, double now_ns, double bytes, mdl_precopy_phase phase)
{
	p->phase = phase;
	p->rounds++;
	p->round_bytes = bytes;
	p->round_start_ns = now_ns;
	return bytes;
}

/* The migration ends at NOW_NS in PHASE: 0 bytes more. */
static double finish(mdl_precopy *p, double now_ns, mdl_precopy_phase phase)
{
	p->phase = phase;
	p->end_ns = now_ns;
	return 0;
}

double mdl_precopy_next(mdl_precopy *p, double now_ns, double sent_bytes)
{
	const scn_migrate *m = p->m;
	double round_ns = now_ns - p->round_start_ns;
	p->moved_bytes += sent_bytes;
	if (p->phase == PRECOPY_STOP_COPY) {
		p->downtime_ns = round_ns;
		return finish(p, now_ns, PRECOPY_DONE);
	}
	if (p->phase != PRECOPY_COPYING)
		return 0;
	double dirty = whole_pages(m, fmin(m->dirty_bytes_per_s * round_ns / 1e9, m->working_set_bytes));
	if (dirty <= 0)   /* nothing dirtied: the VM stops with nothing left to send */
		return finish(p, now_ns, PRECOPY_DONE);
	/* the expected downtime at the rate the last round achieved (QEMU's
	 * migration_update_counters: remaining bytes / measured bandwidth) */
	double rate_per_ns = round_ns > 0 ? sent_bytes / round_ns : INFINITY;
	int fits = dirty <= rate_per_ns * m->downtime_target_ns;
	int limit = m->max_rounds && p->rounds >= m->max_rounds;
	if (fits || limit) {
		p->forced = !fits;
		return next(p, now_ns, dirty, PRECOPY_STOP_COPY);
	}
	/* no round limit: a remainder that does not shrink never fits */
	if (!m->max_rounds && (dirty >= p->round_bytes || p->rounds >= SCN_MIGRATE_ROUNDS_MAX))
		return finish(p, now_ns, PRECOPY_DIVERGED);
	return next(p, now_ns, dirty, PRECOPY_COPYING);
}
