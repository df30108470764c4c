/*
 * flows_report.c - a flows scenario's results: one block per (preset,
 * option), each with its groups, VMs and servers (see flows_report.h).
 */
#include "config.h"
#include "output/flows_report.h"

#include <math.h>
#include <string.h>

#include "common/json_write.h"
#include "sim/flow_experiment.h"
#include "sim/flow_interrupts.h"
#include "sim/flow_migrate.h"

#define MB 1e6

/* The name HOST/INDEX of flat VM index VM. */
static void vm_name(const scn_scenario *s, size_t vm, char *buf, size_t len)
{
	if (vm >= s->flows.vm_count && vm - s->flows.vm_count < s->host_count) {   /* a host's hypervisor */
		snprintf(buf, len, "%s", s->hosts[vm - s->flows.vm_count].name);
		return;
	}
	for (size_t h = s->host_count; h-- > 0;)
		if (vm >= s->flows.vm_first[h]) {
			snprintf(buf, len, "%s/%zu", s->hosts[h].name, vm - s->flows.vm_first[h]);
			return;
		}
	snprintf(buf, len, "vm%zu", vm);
}

static const char *preset_name(const vr_run *run, const vr_flow_result *f)
{
	return scn_params(run->scenario, f->preset, 0)->preset;
}

/* Latency figures in us, scaled to what perftest reports. */
static void latency_us(const fl_figures *fg, double scale, double out[4])
{
	out[0] = fg->p50_ns * scale / 1e3;
	out[1] = fg->p99_ns * scale / 1e3;
	out[2] = fg->p999_ns * scale / 1e3;
	out[3] = fg->max_ns * scale / 1e3;
}

/* A VM's latency as a client in us: 1, or 0 when it posted nothing or its
 * groups' latencies are of different kinds (vr_flow_result). */
static int vm_latency_us(const vr_flow_result *f, size_t vm, const fl_figures *fg, double out[4])
{
	double scale = f->vm_latency_scale[vm];
	memset(out, 0, 4 * sizeof *out);
	if (!fg->completed || !(scale > 0))
		return 0;
	latency_us(fg, scale, out);
	return 1;
}

/* Cache misses per completed operation (0 without operations). */
static double misses_per_op(const fl_figures *fg)
{
	return fg->completed ? (double)fg->cache_misses / (double)fg->completed : 0;
}

/* ---- text ---- */

/* A server's p99 wait in us, or "-" where only the mean is kept (a VM's vCPU). */
static const char *wait_p99_text(const fl_server_figures *sf, char *buf, size_t len)
{
	if (!sf->has_wait_percentiles)
		return "-";
	snprintf(buf, len, "%.3f", sf->p99_wait_ns / 1e3);
	return buf;
}

/* NAME's part after "HOST " (a host's servers and caches are named so:
 * sim/flow_experiment.h), or NULL when it is not one of HOST's. */
static const char *of_host(const char *name, const char *host)
{
	size_t n = strlen(host);
	return strncmp(name, host, n) == 0 && name[n] == ' ' ? name + n + 1 : NULL;
}

/* Beside "saturates first", per host: how full its PCIe link is each way
 * and how each cache hits (its misses per operation completed in the run,
 * all groups'), so a reader sees whether a cache or the link fills. */
static void text_saturation_hosts(const scn_scenario *s, const vr_flow_result *f, FILE *out)
{
	uint64_t ops = 0;
	for (size_t g = 0; g < s->flows.group_count; g++) {
		fl_figures fg;
		fl_group_figures(f->engine, (uint32_t)g, &fg);
		ops += fg.completed;
	}
	for (size_t h = 0; h < s->host_count; h++) {
		const char *host = s->hosts[h].name, *what, *sep = "; hit rates:";
		double up = 0, down = 0;
		for (size_t i = 0; i < fl_server_count(f->engine); i++) {
			fl_server_figures sf;
			fl_server_figures_of(f->engine, (uint32_t)i, &sf);
			if ((what = of_host(sf.name, host)) && strcmp(what, "pcie up") == 0)
				up = sf.utilisation;
			else if (what && strcmp(what, "pcie down") == 0)
				down = sf.utilisation;
		}
		fprintf(out, "   %s: pcie up %.4f, down %.4f", host, up, down);
		for (size_t i = 0; i < fl_cache_count(f->engine); i++) {
			fl_cache_figures cf;
			fl_cache_figures_of(f->engine, (uint32_t)i, &cf);
			if (!(what = of_host(cf.name, host)))
				continue;
			if (cf.lookups)
				fprintf(out, "%s %s %.4f (%.3g misses/op)", sep, what, cf.hit_rate,
					ops ? (double)cf.misses / (double)ops : 0);
			else
				fprintf(out, "%s %s unused", sep, what);
			sep = ",";
		}
		fputc('\n', out);
	}
}

/* Event completions: each VM's vector (interrupts per VM: a VM has one
 * vCPU server, or shares its host's pool of guest cores). */
static void text_interrupts(const vr_run *run, const vr_flow_result *f, FILE *out)
{
	if (f->irq_first == FL_NONE)
		return;
	fprintf(out, "\n %-16s %16s %14s %10s %14s\n", "vm interrupts", "completions/s", "interrupts/s", "coalesced",
		"irq exits/s");
	for (size_t v = 0; v < f->vm_count; v++) {
		vr_flow_irq_rates q;
		char name[MDL_NAME_MAX + 16];
		vr_flow_irq_rates_of(f, v, &q);
		vm_name(run->scenario, v, name, sizeof name);
		fprintf(out, " %-16s %16.1f %14.1f %10.4f %14.1f\n", name, q.completions_per_s, q.raised_per_s, q.coalesced,
			q.exits_per_s);
	}
}

/* The name of migration G's VM (HOST/INDEX) into BUF. */
static void migrated_vm_name(const scn_scenario *s, size_t g, char *buf, size_t len)
{
	const scn_migrate *m = &s->flows.groups[g].migrate;
	vm_name(s, scn_vm_index(&s->flows, (scn_vm_ref){m->vm_host, m->vm_index}), buf, len);
}

/* The migrations that name their VM: what its own flows waited while it
 * was stopped. */
static void text_migrated_vms(const scn_scenario *s, const vr_flow_result *f, FILE *out)
{
	int header = 0;
	for (size_t g = 0; g < s->flows.group_count; g++) {
		if (!f->migrations[g].on || !s->flows.groups[g].migrate.vm_given)
			continue;
		vr_migration_figures m;
		vr_migration_figures_of(f, &f->migrations[g], &m);
		char name[64];
		migrated_vm_name(s, g, name, sizeof name);
		if (!header++)
			fprintf(out, "\n %-16s %-16s %10s %10s %12s\n", "migrated vm", "vm", "flows", "held ops", "held[ms]");
		fprintf(out, " %-16s %-16s %10zu %10llu %12.3f\n", s->flows.groups[g].name, name, m.held_flows,
			(unsigned long long)m.held_ops, m.held_ms);
	}
}

/* Live migrations (`migrate:` groups): one line each. */
static void text_migrations(const vr_run *run, const vr_flow_result *f, FILE *out)
{
	const scn_scenario *s = run->scenario;
	if (!f->migrations)
		return;
	fprintf(out, "\n %-16s %10s %10s %12s %12s %6s %12s %12s  %s\n", "migration", "transport", "total[s]",
		"downtime[ms]", "moved[MB]", "rounds", "src cpu[s]", "dst cpu[s]", "result");
	for (size_t g = 0; g < s->flows.group_count; g++) {
		if (!f->migrations[g].on)
			continue;
		vr_migration_figures m;
		vr_migration_figures_of(f, &f->migrations[g], &m);
		fprintf(out, " %-16s %10s %10.4f %12.3f %12.1f %6u %12.4f %12.4f  %s\n", s->flows.groups[g].name,
			scn_flow_transport_names[s->flows.groups[g].transport], m.total_s, m.downtime_ms, m.moved_bytes / MB,
			m.rounds, m.source_cpu_s, m.destination_cpu_s, m.result);
	}
	text_migrated_vms(s, f, out);
	for (size_t g = 0; g < s->flows.group_count; g++) {
		if (!f->migrations[g].on || !f->migrations[g].vrdma)
			continue;
		vr_migration_figures m;
		vr_migration_figures_of(f, &f->migrations[g], &m);
		fprintf(out, "\n %-16s %6s %6s %12s %12s %12s %10s %10s %10s %10s %10s %10s %12s\n", "vrdma", "QPs", "peers",
			"measured[ms]", "added[ms]", "state[KB]", "state[ms]", "quiesce[ms]", "register[ms]", "objects[ms]",
			"QPs[ms]", "repoint[ms]", "peer pause[ms]");
		fprintf(out, " %-16s %6llu %6llu %12.3f %12.3f %12.1f %10.4f %10.4f %10.4f %10.4f %10.4f %10.4f %12.3f\n",
			s->flows.groups[g].name, m.qps, m.peers, m.measured_downtime_ms, m.added_downtime_ms, m.state_bytes / 1e3,
			m.state_transfer_ms, m.quiesce_ms, m.register_added_ms, m.objects_ms, m.qp_restore_ms,
			m.notify_ms + m.repoint_ms, m.peer_pause_ms);
	}
}

static void json_migrations(json_writer *w, const vr_run *run, const vr_flow_result *f)
{
	const scn_scenario *s = run->scenario;
	if (!f->migrations)
		return;
	json_write_key(w, "migrations");
	json_write_array_begin(w);
	for (size_t g = 0; g < s->flows.group_count; g++) {
		if (!f->migrations[g].on)
			continue;
		vr_migration_figures m;
		vr_migration_figures_of(f, &f->migrations[g], &m);
		json_write_break(w, 6);
		json_write_object_begin(w);
		json_write_key_string(w, "group", s->flows.groups[g].name);
		json_write_key_string(w, "transport", scn_flow_transport_names[s->flows.groups[g].transport]);
		json_write_key_double(w, "total_time_s", "%.9f", m.total_s);
		json_write_key_double(w, "downtime_ms", "%.6f", m.downtime_ms);
		json_write_key_double(w, "moved_bytes", "%.0f", m.moved_bytes);
		json_write_key_uint(w, "rounds", m.rounds);
		json_write_key_double(w, "source_cpu_s", "%.9f", m.source_cpu_s);
		json_write_key_double(w, "destination_cpu_s", "%.9f", m.destination_cpu_s);
		json_write_key_string(w, "result", m.result);
		if (s->flows.groups[g].migrate.vm_given) {
			char name[64];
			migrated_vm_name(s, g, name, sizeof name);
			json_write_key_string(w, "vm", name);
			json_write_key_uint(w, "held_flows", m.held_flows);
			json_write_key_uint(w, "held_operations", m.held_ops);
			json_write_key_double(w, "held_ms", "%.6f", m.held_ms);
		}
		if (m.vrdma) {
			json_write_key(w, "vrdma");
			json_write_object_begin(w);
			json_write_key_uint(w, "qps", m.qps);
			json_write_key_uint(w, "peers", m.peers);
			json_write_key_double(w, "measured_downtime_ms", "%.6f", m.measured_downtime_ms);
			json_write_key_double(w, "added_downtime_ms", "%.6f", m.added_downtime_ms);
			json_write_key_double(w, "state_bytes", "%.0f", m.state_bytes);
			json_write_key_double(w, "state_transfer_ms", "%.6f", m.state_transfer_ms);
			json_write_key_double(w, "quiesce_ms", "%.6f", m.quiesce_ms);
			json_write_key_double(w, "register_added_ms", "%.6f", m.register_added_ms);
			json_write_key_double(w, "objects_ms", "%.6f", m.objects_ms);
			json_write_key_double(w, "qp_restore_ms", "%.6f", m.qp_restore_ms);
			json_write_key_double(w, "notify_ms", "%.6f", m.notify_ms);
			json_write_key_double(w, "repoint_ms", "%.6f", m.repoint_ms);
			json_write_key_double(w, "peer_pause_ms", "%.6f", m.peer_pause_ms);
			json_write_object_end(w);
		}
		json_write_object_end(w);
	}
	json_write_array_end(w);
}

static void text_block(const vr_run *run, const vr_flow_result *f, FILE *out)
{
	const scn_scenario *s = run->scenario;
	fprintf(out, "\n preset %s | option %s | %zu flows | %.3f ms simulated | %llu events\n", preset_name(run, f),
		s->options[f->option].name, fl_flow_count(f->engine), fl_end_ns(f->engine) / 1e6,
		(unsigned long long)fl_events(f->engine));
	fprintf(out, "\n %-16s %12s %14s %10s %10s %10s %10s %10s %12s %12s %10s\n", "group", "ops", "ops/s", "MB/s",
		"p50[us]", "p99[us]", "p99.9[us]", "max[us]", "misses/op", "connections", "QPs/host");
	for (size_t g = 0; g < s->flows.group_count; g++) {
		fl_figures fg;
		fl_group_figures(f->engine, (uint32_t)g, &fg);
		double lat[4];
		latency_us(&fg, f->latency_scale[g], lat);
		fprintf(out, " %-16s %12llu %14.1f %10.3f %10.3f %10.3f %10.3f %10.3f %12.4f %12zu %10zu\n",
			s->flows.groups[g].name, (unsigned long long)fg.completed, fg.ops_per_s, fg.bytes_per_s / MB, lat[0],
			lat[1], lat[2], lat[3], misses_per_op(&fg), s->flows.groups[g].connection_count,
			scn_flow_group_qps_per_host(&s->flows.groups[g]));
	}
	text_migrations(run, f, out);
	fprintf(out, "\n %-16s %12s %14s %10s %10s %10s %12s %12s %12s\n", "vm", "ops", "ops/s", "MB/s", "p50[us]",
		"p99[us]", "served ops", "exits/s", "irqs/s");
	for (size_t v = 0; v < f->vm_count; v++) {
		fl_figures fg;
		uint64_t served = 0;
		fl_vm_figures(f->engine, (uint32_t)v, &fg, &served);
		char name[MDL_NAME_MAX + 16], p50[32], p99[32];
		vm_name(s, v, name, sizeof name);
		double lat[4];
		int has = vm_latency_us(f, v, &fg, lat);
		snprintf(p50, sizeof p50, has ? "%.3f" : "-", lat[0]);
		snprintf(p99, sizeof p99, has ? "%.3f" : "-", lat[1]);
		fprintf(out, " %-16s %12llu %14.1f %10.3f %10s %10s %12llu %12.1f %12.1f\n", name,
			(unsigned long long)fg.completed, fg.ops_per_s, fg.bytes_per_s / MB, p50, p99,
			(unsigned long long)served, f->vm_rates[v].vm_exits, f->vm_rates[v].interrupts);
	}
	fprintf(out, "\n %-24s %6s %12s %12s %10s %14s %14s %10s\n", "server", "units", "visits", "utilisation", "peak",
		"mean wait[us]", "p99 wait[us]", "max queue");
	for (size_t i = 0; i < fl_server_count(f->engine); i++) {
		fl_server_figures sf;
		char p99[32];
		fl_server_figures_of(f->engine, (uint32_t)i, &sf);
		fprintf(out, " %-24s %6u %12llu %12.4f %10.4f %14.3f %14s %10llu\n", sf.name, sf.units,
			(unsigned long long)sf.visits, sf.utilisation, sf.peak_utilisation, sf.mean_wait_ns / 1e3,
			wait_p99_text(&sf, p99, sizeof p99), (unsigned long long)sf.max_queue);
	}
	fprintf(out, "\n %-24s %8s %14s %14s %10s\n", "cache", "entries", "lookups", "misses", "hit rate");
	for (size_t i = 0; i < fl_cache_count(f->engine); i++) {
		fl_cache_figures cf;
		fl_cache_figures_of(f->engine, (uint32_t)i, &cf);
		fprintf(out, " %-24s %8u %14llu %14llu %10.4f\n", cf.name, cf.entries, (unsigned long long)cf.lookups,
			(unsigned long long)cf.misses, cf.hit_rate);
	}
	text_interrupts(run, f, out);
	fprintf(out, "\n %-24s %14s %14s\n", "host", "VM exits/s", "interrupts/s");
	for (size_t h = 0; h < s->host_count; h++) {
		mdl_counters per_s;
		vr_flow_host_rates(s, f, h, &per_s);
		fprintf(out, " %-24s %14.1f %14.1f\n", s->hosts[h].name, per_s.vm_exits, per_s.interrupts);
	}
	uint32_t busiest = fl_busiest_server(f->engine);
	if (busiest != FL_NONE) {
		fl_server_figures sf;
		fl_server_figures_of(f->engine, busiest, &sf);
		fprintf(out, "\n saturates first: %s (peak utilisation %.4f over %.3g ms; %.4f over the run)\n", sf.name,
			sf.peak_utilisation, sf.peak_window_ns / 1e6, sf.utilisation);
		double irq = vr_flow_irq_share(f, busiest);
		if (irq > 0)
			fprintf(out, " interrupts' work: %.1f %% of its busy time%s\n", 100 * irq,
				irq >= 0.5 ? ": interrupt handling is what saturates it" : "");
		text_saturation_hosts(s, f, out);
	}
}

static int text(const vr_run *run, FILE *out)
{
	const scn_scenario *s = run->scenario;
	fprintf(out, " vrdmasim %s | scenario %s | seed %llu | many flows: %zu groups, %zu connections, %zu VMs\n",
		PACKAGE_VERSION, s->name, s->seed, s->flows.group_count, s->flows.connection_count, s->flows.vm_count);
	for (size_t i = 0; i < run->flow_count; i++)
		text_block(run, &run->flows[i], out);
	return 0;
}

/* ---- JSON ---- */

static void json_figures(json_writer *w, const fl_figures *fg, double scale)
{
	double lat[4];
	latency_us(fg, scale, lat);
	json_write_key_uint(w, "ops", fg->completed);
	json_write_key_double(w, "ops_per_s", "%.3f", fg->ops_per_s);
	json_write_key_double(w, "mb_per_s", "%.6f", fg->bytes_per_s / MB);
	json_write_key_double(w, "p50_us", "%.6f", lat[0]);
	json_write_key_double(w, "p99_us", "%.6f", lat[1]);
	json_write_key_double(w, "p999_us", "%.6f", lat[2]);
	json_write_key_double(w, "max_us", "%.6f", lat[3]);
}

static void json_block(json_writer *w, const vr_run *run, const vr_flow_result *f)
{
	const scn_scenario *s = run->scenario;
	json_write_break(w, 4);
	json_write_object_begin(w);
	json_write_key_string(w, "preset", preset_name(run, f));
	json_write_key_string(w, "option", s->options[f->option].name);
	json_write_key_double(w, "simulated_ms", "%.6f", fl_end_ns(f->engine) / 1e6);
	json_write_key_uint(w, "events", fl_events(f->engine));   /* the engine's work: make bench's events/s */
	json_write_key(w, "groups");
	json_write_array_begin(w);
	for (size_t g = 0; g < s->flows.group_count; g++) {
		fl_figures fg;
		fl_group_figures(f->engine, (uint32_t)g, &fg);
		json_write_break(w, 6);
		json_write_object_begin(w);
		json_write_key_string(w, "group", s->flows.groups[g].name);
		json_figures(w, &fg, f->latency_scale[g]);
		json_write_key_uint(w, "cache_misses", fg.cache_misses);
		json_write_key_double(w, "cache_misses_per_op", "%.6f", misses_per_op(&fg));
		json_write_key_uint(w, "connections", s->flows.groups[g].connection_count);
		json_write_key_uint(w, "qps_per_host", scn_flow_group_qps_per_host(&s->flows.groups[g]));
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_migrations(w, run, f);
	json_write_key(w, "vms");
	json_write_array_begin(w);
	for (size_t v = 0; v < f->vm_count; v++) {
		fl_figures fg;
		uint64_t served = 0;
		fl_vm_figures(f->engine, (uint32_t)v, &fg, &served);
		char name[MDL_NAME_MAX + 16];
		vm_name(s, v, name, sizeof name);
		json_write_break(w, 6);
		json_write_object_begin(w);
		json_write_key_string(w, "vm", name);
		json_write_key_uint(w, "ops", fg.completed);
		json_write_key_double(w, "ops_per_s", "%.3f", fg.ops_per_s);
		json_write_key_double(w, "mb_per_s", "%.6f", fg.bytes_per_s / MB);
		double lat[4];
		if (vm_latency_us(f, v, &fg, lat)) {
			json_write_key_double(w, "p50_us", "%.6f", lat[0]);
			json_write_key_double(w, "p99_us", "%.6f", lat[1]);
			json_write_key_double(w, "p999_us", "%.6f", lat[2]);
			json_write_key_double(w, "max_us", "%.6f", lat[3]);
		}
		json_write_key_uint(w, "served_ops", served);
		json_write_key_double(w, "vm_exits_per_s", "%.3f", f->vm_rates[v].vm_exits);
		json_write_key_double(w, "interrupts_per_s", "%.3f", f->vm_rates[v].interrupts);
		if (f->irq_first != FL_NONE) {   /* event completions: its vector */
			vr_flow_irq_rates q;
			vr_flow_irq_rates_of(f, v, &q);
			json_write_key_double(w, "irq_completions_per_s", "%.3f", q.completions_per_s);
			json_write_key_double(w, "irq_raised_per_s", "%.3f", q.raised_per_s);
			json_write_key_double(w, "irq_coalesced", "%.6f", q.coalesced);
			json_write_key_double(w, "irq_exits_per_s", "%.3f", q.exits_per_s);
		}
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_key(w, "servers");
	json_write_array_begin(w);
	for (size_t i = 0; i < fl_server_count(f->engine); i++) {
		fl_server_figures sf;
		fl_server_figures_of(f->engine, (uint32_t)i, &sf);
		json_write_break(w, 6);
		json_write_object_begin(w);
		json_write_key_string(w, "server", sf.name);
		json_write_key_uint(w, "units", sf.units);
		json_write_key_uint(w, "visits", sf.visits);
		json_write_key_double(w, "utilisation", "%.6f", sf.utilisation);
		json_write_key_double(w, "peak_utilisation", "%.6f", sf.peak_utilisation);
		json_write_key_double(w, "peak_window_us", "%.3f", sf.peak_window_ns / 1e3);
		json_write_key_double(w, "mean_wait_us", "%.6f", sf.mean_wait_ns / 1e3);
		if (isfinite(sf.wait_half_width_ns))
			json_write_key_double(w, "mean_wait_half_width_us", "%.6f", sf.wait_half_width_ns / 1e3);
		if (sf.has_wait_percentiles) {
			json_write_key_double(w, "p50_wait_us", "%.6f", sf.p50_wait_ns / 1e3);
			json_write_key_double(w, "p99_wait_us", "%.6f", sf.p99_wait_ns / 1e3);
		}
		json_write_key_double(w, "max_wait_us", "%.6f", sf.max_wait_ns / 1e3);
		json_write_key_uint(w, "max_queue", sf.max_queue);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_key(w, "caches");
	json_write_array_begin(w);
	for (size_t i = 0; i < fl_cache_count(f->engine); i++) {
		fl_cache_figures cf;
		fl_cache_figures_of(f->engine, (uint32_t)i, &cf);
		json_write_break(w, 6);
		json_write_object_begin(w);
		json_write_key_string(w, "cache", cf.name);
		json_write_key_uint(w, "entries", cf.entries);
		json_write_key_uint(w, "lookups", cf.lookups);
		json_write_key_uint(w, "misses", cf.misses);
		json_write_key_double(w, "hit_rate", "%.6f", cf.hit_rate);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_key(w, "hosts");
	json_write_array_begin(w);
	for (size_t h = 0; h < s->host_count; h++) {
		mdl_counters per_s;
		vr_flow_host_rates(s, f, h, &per_s);
		json_write_break(w, 6);
		json_write_object_begin(w);
		json_write_key_string(w, "host", s->hosts[h].name);
		json_write_key_double(w, "vm_exits_per_s", "%.3f", per_s.vm_exits);
		json_write_key_double(w, "interrupts_per_s", "%.3f", per_s.interrupts);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	uint32_t busiest = fl_busiest_server(f->engine);
	fl_server_figures sf = {.name = ""};
	if (busiest != FL_NONE)
		fl_server_figures_of(f->engine, busiest, &sf);
	json_write_key_string(w, "saturates_first", sf.name);
	if (busiest != FL_NONE && f->irq_first != FL_NONE)
		json_write_key_double(w, "saturates_first_irq_share", "%.6f", vr_flow_irq_share(f, busiest));
	json_write_object_end(w);
}

static int json(const vr_run *run, const vr_invocation *inv, FILE *out)
{
	const scn_scenario *s = run->scenario;
	json_writer w;
	vr_results_json_begin(&w, out, VR_JSON_SCHEMA_VERSION, s, inv, "flow_results");
	for (size_t i = 0; i < run->flow_count; i++)
		json_block(&w, run, &run->flows[i]);
	vr_results_json_end(&w);
	return 0;
}

/* ---- CSV ---- */

static int csv(const vr_run *run, FILE *out)
{
	const scn_scenario *s = run->scenario;
	fprintf(out, "preset,option,kind,name,ops,ops_per_s,mb_per_s,p50_us,p99_us,p999_us,max_us,units,visits,utilisation,mean_wait_us,p99_wait_us,vm_exits_per_s,interrupts_per_s,lookups,hit_rate,connections,qps_per_host,peak_utilisation\n");
	for (size_t i = 0; i < run->flow_count; i++) {
		const vr_flow_result *f = &run->flows[i];
		const char *p = preset_name(run, f), *o = s->options[f->option].name;
		for (size_t g = 0; g < s->flows.group_count; g++) {
			fl_figures fg;
			fl_group_figures(f->engine, (uint32_t)g, &fg);
			double lat[4];
			latency_us(&fg, f->latency_scale[g], lat);
			fprintf(out, "%s,%s,group,%s,%llu,%.3f,%.6f,%.6f,%.6f,%.6f,%.6f,,,,,,,,,,%zu,%zu,\n", p, o,
				s->flows.groups[g].name, (unsigned long long)fg.completed, fg.ops_per_s, fg.bytes_per_s / MB, lat[0],
				lat[1], lat[2], lat[3], s->flows.groups[g].connection_count,
				scn_flow_group_qps_per_host(&s->flows.groups[g]));
		}
		for (size_t v = 0; v < f->vm_count; v++) {
			fl_figures fg;
			fl_vm_figures(f->engine, (uint32_t)v, &fg, NULL);
			char name[MDL_NAME_MAX + 16];
			vm_name(s, v, name, sizeof name);
			double lat[4];
			char cells[128] = ",,,";
			if (vm_latency_us(f, v, &fg, lat))
				snprintf(cells, sizeof cells, "%.6f,%.6f,%.6f,%.6f", lat[0], lat[1], lat[2], lat[3]);
			fprintf(out, "%s,%s,vm,%s,%llu,%.3f,%.6f,%s,,,,,,%.3f,%.3f,,,,,\n", p, o, name,
				(unsigned long long)fg.completed, fg.ops_per_s, fg.bytes_per_s / MB, cells, f->vm_rates[v].vm_exits,
				f->vm_rates[v].interrupts);
		}
		for (size_t v = 0; f->irq_first != FL_NONE && v < f->vm_count; v++) {
			vr_flow_irq_rates q;   /* its vector: completions/s, irq exits/s, interrupts raised/s */
			char name[MDL_NAME_MAX + 16];
			vr_flow_irq_rates_of(f, v, &q);
			vm_name(s, v, name, sizeof name);
			fprintf(out, "%s,%s,irq,%s,,%.3f,,,,,,,,,,,%.3f,%.3f,,,,,\n", p, o, name, q.completions_per_s, q.exits_per_s,
				q.raised_per_s);
		}
		for (size_t k = 0; k < fl_server_count(f->engine); k++) {
			fl_server_figures sf;
			fl_server_figures_of(f->engine, (uint32_t)k, &sf);
			char p99[32] = "";
			if (sf.has_wait_percentiles)
				snprintf(p99, sizeof p99, "%.6f", sf.p99_wait_ns / 1e3);
			fprintf(out, "%s,%s,server,%s,,,,,,,,%u,%llu,%.6f,%.6f,%s,,,,,,,%.6f\n", p, o, sf.name, sf.units,
				(unsigned long long)sf.visits, sf.utilisation, sf.mean_wait_ns / 1e3, p99, sf.peak_utilisation);
		}
		for (size_t h = 0; h < s->host_count; h++) {
			mdl_counters per_s;
			vr_flow_host_rates(s, f, h, &per_s);
			fprintf(out, "%s,%s,host,%s,,,,,,,,,,,,,%.3f,%.3f,,,,,\n", p, o, s->hosts[h].name, per_s.vm_exits,
				per_s.interrupts);
		}
		for (size_t k = 0; k < fl_cache_count(f->engine); k++) {
			fl_cache_figures cf;
			fl_cache_figures_of(f->engine, (uint32_t)k, &cf);
			fprintf(out, "%s,%s,cache,%s,,,,,,,,%u,,,,,,,%llu,%.6f,,,\n", p, o, cf.name, cf.entries,
				(unsigned long long)cf.lookups, cf.hit_rate);
		}
	}
	return 0;
}

int vr_flows_report(const vr_run *run, vr_format format, const vr_invocation *inv, FILE *out, vr_diag *diag)
{
	(void)diag;
	switch (format) {
	case FORMAT_TEXT: return text(run, out);
	case FORMAT_JSON: return json(run, inv, out);
	case FORMAT_CSV: return csv(run, out);
	case FORMAT_COUNT: break;
	}
	return 0;
}
