/*
 * replay_scenario.c - scenarios that replay a trace: the trace sets the
 * workload and the completion mode, the replay map the option.
 *
 * A scenario file's `replay:` and `vrdmasim replay TRACE` share every step
 * after reading their input (scn_replay_attach, then scenario.c's checks
 * and parameter sets), so both refuse the same things with the same words.
 */
#include "models/replay_scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "input/catalog.h"

/* The command's scenario: the headline's preset by default, on two hosts
 * of two VMs each (a trace of either placement replays on them). */
static const char DEFAULT_PRESET[] = "esxi5-qdr-2012";
static const char *const HOSTS[] = {"host-a", "host-b"};
enum { VMS_PER_HOST = 2, PRESET_LIST_MAX = 1024 };

int scn_replay_attach(scn_scenario *s, const scn_replay_request *rq, vr_where at,
		      vr_diag *trace_diag, vr_diag *diag)
{
	s->replay = calloc(1, sizeof *s->replay);
	s->replay_map = calloc(1, sizeof *s->replay_map);
	if (!s->replay || !s->replay_map)
		return vr_diag_at(diag, at, "out of memory");
	char path[4096];
	vr_catalog_resolve(rq->trace, s->file, path, sizeof path);
	if (vr_replay_map_load("vrdma", s->replay_map, diag))
		return -1;
	if (vr_trace_profile_read(path, s->replay_map, s->replay, trace_diag) ||
	    vr_replay_option(s->replay, s->replay_map, rq->costs, at, &s->options[0], trace_diag))
		return -1;
	vr_replay_workload(s->replay, rq->iterations, &s->workloads[0]);
	s->workload_count = 1;
	s->completion = s->replay->completion;
	s->option_count = 1;
	if (rq->compare) {
		const char *pipeline = s->replay_map->option[s->replay->placement];
		if (mdl_option_load(pipeline, NULL, at, &s->options[1], diag))
			return -1;
		s->option_count = 2;
	}
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split LIST ("P[,P...]", edited in place) into S's presets, each name
 * trimmed of blanks and located at its column in LABEL ("--preset LIST"). */
static int add_presets(scn_scenario *s, scn_preset_ref *refs, char *list, const char *label, vr_diag *diag)
{
	char *item = list;
	for (;;) {
		char *end = item + strcspn(item, ",");
		int last = *end == '\0';
		*end = '\0';
		while (is_blank(*item))
			item++;
		for (char *tail = item + strlen(item); tail > item && is_blank(tail[-1]); tail--)
			tail[-1] = '\0';
		vr_where at = {label, 1, (unsigned)(item - list) + 1};
		if (*item == '\0')
			return vr_diag_at(diag, at, "found an empty preset name, expected preset names or paths separated by commas (P[,P...])");
		if (scn_add_preset(s, refs, item, at, diag) != 0)
			return -1;
		if (last)
			return 0;
		item = end + 1;
	}
}

/* Two hosts: the replayed options run between VMs on different hosts. */
static void set_topology(scn_scenario *s)
{
	s->host_count = sizeof HOSTS / sizeof HOSTS[0];
	for (size_t h = 0; h < s->host_count; h++) {
		snprintf(s->hosts[h].name, sizeof s->hosts[h].name, "%s", HOSTS[h]);
		s->hosts[h].vms = VMS_PER_HOST;
	}
}

int scn_replay_build(const scn_replay_request *rq, const char *presets, scn_scenario *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	/* A label, not a file: relative paths (trace, presets) resolve in
	 * the working directory. */
	snprintf(out->file, sizeof out->file, "vrdmasim replay");
	snprintf(out->name, sizeof out->name, "replay");
	out->seed = 1;
	set_topology(out);
	/* The names and their label outlive the parameter sets' errors. */
	char list[PRESET_LIST_MAX], label[PRESET_LIST_MAX + 16];
	presets = presets ? presets : DEFAULT_PRESET;
	snprintf(label, sizeof label, "--preset %s", presets);
	if (strlen(presets) >= sizeof list)
		return vr_diag_at(diag, (vr_where){label, 1, 1}, "found a preset list of %zu characters, expected at most %d",
				  strlen(presets), PRESET_LIST_MAX - 1);
	snprintf(list, sizeof list, "%s", presets);
	scn_preset_ref refs[SCN_PRESETS_MAX];
	if (add_presets(out, refs, list, label, diag) != 0)
		return -1;
	/* The trace's errors are its own: its file, its record. */
	vr_where at = {rq->trace, 0, 0};
	vr_diag trace_diag;
	vr_diag_clear(&trace_diag);
	if (scn_replay_attach(out, rq, at, &trace_diag, diag) != 0) {
		if (trace_diag.failed)
			*diag = trace_diag;
		return -1;
	}
	if (scn_check_option(out, &out->options[0], at, diag) != 0)
		return -1;
	return scn_build_params(out, refs, NULL, diag);
}

/* ---- a traced live migration, modelled ---- */

int scn_replay_migration_device(const vr_trace_profile *p, mdl_vmig_device *dev)
{
	*dev = (mdl_vmig_device){0};
	if (p->migration_spans[0] == 0)
		return 0;
	const unsigned long long(*a)[2] = p->migration_args;
	dev->qps = a[0][0];
	dev->cqs = dev->qps;
	dev->pds = dev->qps;
	dev->peers = dev->qps ? 1 : 0;
	dev->outstanding = dev->qps ? (a[0][1] + dev->qps - 1) / dev->qps : 0;
	dev->outstanding_bytes = p->size_count ? (unsigned long long)p->sizes[0] : 0;
	dev->regions = a[2][0];
	dev->registered_bytes = a[2][1] * (unsigned long long)MDL_VMIG_REGISTER_PAGE_BYTES;
	dev->quiesce = MDL_VMIG_RECORD;
	dev->registration = MDL_VMIG_AT_SWITCHOVER;
	return 1;
}

/* The guest memory the reference implementation copies while the guest
 * is stopped (no pre-copy round), over the migration link, in ns. */
static double memory_copy_ns(unsigned long long bytes, const mdl_params *src, const mdl_params *dst)
{
	double bps = fmin(MDL_VALUE(src, WIRE_BANDWIDTH), MDL_VALUE(dst, WIRE_BANDWIDTH));
	return (double)bytes * 8.0 / bps * 1e9;
}

void scn_replay_print_migration(const scn_scenario *s, FILE *out)
{
	mdl_vmig_device dev;
	if (!s->replay || !scn_replay_migration_device(s->replay, &dev))
		return;
	const vr_trace_profile *p = s->replay;
	const double *m = p->migration_ns;
	fprintf(out, "\nLive migration: the trace's steps beside the model's (models/vrdma_migration.h) on each preset,\n"
		     " %llu QP%s, %llu requests in flight recorded, %llu MR%s over %llu B, %llu B of guest memory copied\n"
		     " while stopped; quiesce record, registration at the switchover, 1 CQ and 1 PD per QP (not in the trace)\n",
		dev.qps, dev.qps == 1 ? "" : "s", p->migration_args[0][1], dev.regions, dev.regions == 1 ? "" : "s",
		dev.registered_bytes, p->migration_args[1][1]);
	fprintf(out, " %-24s %14s", "step [us]", "trace");
	for (size_t k = 0; k < s->preset_count; k++)
		fprintf(out, " %22s", scn_params(s, k, 0)->preset);
	fprintf(out, "\n");
	double model[4][SCN_PRESETS_MAX];
	for (size_t k = 0; k < s->preset_count; k++) {
		/* host 0 is the peer (the server); the client moves between hosts
		 * of host 1's parameters */
		const mdl_params *peer = scn_params(s, k, 0), *src = scn_params(s, k, s->host_count > 1 ? 1 : 0);
		mdl_vmig_result r;
		mdl_vmig_compute(&dev, src, src, peer, &r);
		model[0][k] = r.quiesce_ns;
		model[1][k] = r.transfer_ns + memory_copy_ns(p->migration_args[1][1], src, src);
		model[2][k] = r.register_added_ns + r.objects_ns + r.qp_restore_ns;
		model[3][k] = r.notify_ns + r.repoint_ns;
	}
	static const char *const steps[4] = {"quiesce", "transfer", "re-registration", "reconnection"};
	double total_trace = 0, total[SCN_PRESETS_MAX] = {0};
	for (int j = 0; j < 4; j++) {
		fprintf(out, " %-24s %14.1f", steps[j], m[j] / 1e3);
		total_trace += m[j];
		for (size_t k = 0; k < s->preset_count; k++) {
			fprintf(out, " %22.1f", model[j][k] / 1e3);
			total[k] += model[j][k];
		}
		fprintf(out, "\n");
	}
	fprintf(out, " %-24s %14.1f", "pause (sum)", total_trace / 1e3);
	for (size_t k = 0; k < s->preset_count; k++)
		fprintf(out, " %22.1f", total[k] / 1e3);
	fprintf(out, "\n");
}
