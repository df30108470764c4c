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
					   "downtime_target", "max_rounds", "registration", "chunk", "vrdma", "vm", NULL};

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

/* A dirty rate at V (WHAT for messages): 0 (idle) or a rate with its unit,
 * into *BYTES_PER_S. */
static int read_rate(const yt_node *v, const char *what, double *bytes_per_s, vr_diag *diag)
{
	vr_quantity q;
	if (v->type == YT_SCALAR && strcmp(v->text ? v->text : "", "0") == 0) {
		*bytes_per_s = 0;   /* an idle VM, or an idle phase */
		return 0;
	}
	if (yr_quantity(v, VR_Q_RATE, what, &q, diag))
		return -1;
	*bytes_per_s = q.value / 8;   /* rates are kept in bit/s */
	return 0;
}

static const char *const phases_keys[] = {"phases", "repeat", NULL};
static const char *const phase_keys[] = {"rate", "for", NULL};

/* One phase ITEM ({rate, for}) into P. */
static int read_phase(const yt_node *item, scn_dirty_phase *p, vr_diag *diag)
{
	const yt_node *v;
	vr_quantity q;
	if (yr_expect(item, YT_MAP, "a dirty-rate phase ({rate: 200MBps, for: 2s})", diag) ||
	    yr_known_keys(item, phase_keys, "a dirty-rate phase", diag) ||
	    yr_required(item, "rate", "a dirty-rate phase", &v, diag) ||
	    read_rate(v, "a phase's dirty rate (bytes of pages written per second, such as 200MBps, or 0)", &p->bytes_per_s,
		      diag) ||
	    yr_required(item, "for", "a dirty-rate phase", &v, diag) ||
	    yr_quantity(v, VR_Q_TIME, "a phase's duration", &q, diag))
		return -1;
	if (q.is_cycles || !(q.value > 0) || q.value > SCN_DIRTY_PHASE_MAX_NS)
		return vr_diag_at(diag, v->where, "found the phase duration '%s', expected a time above 0 and at most 24 h",
				  v->text);
	p->duration_ns = q.value;
	return 0;
}

/* `dirty_rate: {phases: [{rate, for}, ...], repeat: BOOL}` at V. */
static int read_phases(const yt_node *v, scn_migrate *m, vr_diag *diag)
{
	static const char *const no_yes[] = {"false", "true", NULL};
	const yt_node *list, *repeat = yt_get(v, "repeat");
	scn_dirty_phases *d = &m->phases;
	int yes = 0;
	if (yr_known_keys(v, phases_keys, "the dirty rate's phase model", diag) ||
	    yr_required(v, "phases", "the dirty rate's phase model", &list, diag) ||
	    yr_expect(list, YT_SEQ, "the phases (a list of {rate, for})", diag))
		return -1;
	if (list->count == 0 || list->count > SCN_DIRTY_PHASES_MAX)
		return vr_diag_at(diag, list->where, "found %zu dirty-rate phases, expected from 1 to %d", list->count,
				  SCN_DIRTY_PHASES_MAX);
	if (repeat && yr_choice(repeat, "whether the phases repeat (true: the cycle starts again after the last phase; false: the last phase's rate holds)",
				no_yes, &yes, diag))
		return -1;
	d->repeat = yes;
	d->count = list->count;
	for (size_t i = 0; i < list->count; i++)
		if (read_phase(list->items[i], &d->phase[i], diag))
			return -1;
	m->dirty_bytes_per_s = mdl_dirty_long_run(m);
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
	if (v->type == YT_MAP)
		return read_phases(v, m, diag);
	return read_rate(v, "the dirty rate (bytes of pages written per second, such as 1GBps, or {phases: [...]})",
			 &m->dirty_bytes_per_s, diag);
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
	const yt_node *v = yt_get(node, "vm");
	const char *text;
	if (v && yr_string(v, "the migrated VM (HOST/INDEX, a VM of the source host)", &text, diag))
		return -1;
	m->vm_given = v != NULL;   /* resolved with the hosts (models/flows.c) */
	v = yt_get(node, "vrdma");
	return v ? scn_vmig_read_live(v, &m->vrdma, diag) : 0;
}

double mdl_dirty_long_run(const scn_migrate *m)
{
	const scn_dirty_phases *d = &m->phases;
	if (!d->count)
		return m->dirty_bytes_per_s;
	if (!d->repeat)
		return d->phase[d->count - 1].bytes_per_s;
	double bytes = 0, ns = 0;
	for (size_t i = 0; i < d->count; i++) {
		bytes += d->phase[i].bytes_per_s * d->phase[i].duration_ns;
		ns += d->phase[i].duration_ns;
	}
	return bytes / ns;
}

/* Do all of D's phases have one rate? */
static int one_rate(const scn_dirty_phases *d)
{
	for (size_t i = 1; i < d->count; i++)
		if (d->phase[i].bytes_per_s != d->phase[0].bytes_per_s)
			return 0;
	return 1;
}

/* The bytes D's phases dirty from their start to T_NS after it (the
 * integral of the rate, ns * bytes/s / 1e9): whole cycles (with repeat),
 * then the phases before the one T_NS falls in, then that phase's part;
 * without repeat, after the last phase its rate goes on. */
static double dirtied_since_origin(const scn_dirty_phases *d, double t_ns)
{
	if (t_ns <= 0)
		return 0;
	double cycle_ns = 0, cycle_bytes = 0, bytes = 0;
	for (size_t i = 0; i < d->count; i++) {
		cycle_ns += d->phase[i].duration_ns;
		cycle_bytes += d->phase[i].bytes_per_s * d->phase[i].duration_ns / 1e9;
	}
	if (d->repeat) {
		double cycles = floor(t_ns / cycle_ns);
		bytes = cycles * cycle_bytes;
		t_ns -= cycles * cycle_ns;
	} else if (t_ns >= cycle_ns) {
		return cycle_bytes + d->phase[d->count - 1].bytes_per_s * (t_ns - cycle_ns) / 1e9;
	}
	for (size_t i = 0; i < d->count && t_ns > 0; i++) {
		double ns = fmin(t_ns, d->phase[i].duration_ns);
		bytes += d->phase[i].bytes_per_s * ns / 1e9;
		t_ns -= ns;
	}
	return bytes;
}

double mdl_dirty_bytes(const scn_migrate *m, double origin_ns, double from_ns, double to_ns)
{
	const scn_dirty_phases *d = &m->phases;
	if (!d->count)
		return m->dirty_bytes_per_s * (to_ns - from_ns) / 1e9;
	/* a single rate: the constant form's product, to the bit */
	if (one_rate(d))
		return d->phase[0].bytes_per_s * (to_ns - from_ns) / 1e9;
	double bytes = dirtied_since_origin(d, to_ns - origin_ns) - dirtied_since_origin(d, from_ns - origin_ns);
	return bytes > 0 ? bytes : 0;   /* rounding, never negative */
}

/* Whole pages of M covering BYTES. */
static double whole_pages(const scn_migrate *m, double bytes)
{
	return ceil(bytes / m->page_bytes - 1e-9) * m->page_bytes;
}

double mdl_precopy_start(mdl_precopy *p, const scn_migrate *m, double start_ns)
{
	*p = (mdl_precopy){.m = m, .phase = PRECOPY_COPYING, .rounds = 1, .round_start_ns = start_ns, .origin_ns = start_ns};
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
	double dirty = whole_pages(m, fmin(mdl_dirty_bytes(m, p->origin_ns, p->round_start_ns, now_ns), m->working_set_bytes));
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
	/* No round limit: a remainder that does not shrink never fits.  Whether
	 * it shrinks is judged at the long-run dirty rate, not this round's:
	 * with phases, a round that fell into a burst may dirty more than it
	 * sent and the next quiet phase still let the rounds shrink; what
	 * cannot converge is a VM whose rate over a whole cycle of its phases
	 * (with repeat), or whose last phase's rate (without: it holds for
	 * ever), is at or above what the streams achieved (this round's bytes
	 * over its duration).  A constant rate is its own long-run rate: the
	 * same test as the round's own dirtied pages. */
	double long_run = m->phases.count ? whole_pages(m, fmin(mdl_dirty_long_run(m) * round_ns / 1e9, m->working_set_bytes))
					  : dirty;
	if (!m->max_rounds && (long_run >= p->round_bytes || p->rounds >= SCN_MIGRATE_ROUNDS_MAX))
		return finish(p, now_ns, PRECOPY_DIVERGED);
	return next(p, now_ns, dirty, PRECOPY_COPYING);
}
