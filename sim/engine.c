/*
 * engine.c - SimGrid set-up and the experiment sequence.
 */
#include "config.h"

#include "sim/engine.h"
#include "sim/assumed.h"

#include <errno.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/cleanup.h"
#include "input/outfile.h"
#include "sim/flow_experiment.h"
#include "sim/pingpong.h"
#include "sim/platform.h"
#include "sim/simgrid_cfg.h"
#include "sim/stream.h"

/* SimGrid settings that make its clock a faithful adder of our latencies
 * (see ../shared/DESIGN.md, "SimGrid facts that bite").  Given as command-line
 * flags so that SimGrid parses each by its own type, before the engine and
 * the platform exist. */
static const char *const SIMGRID_FLAGS[] = {
	"--log=root.thres:warning",             /* no "Configuration change" chatter */
	"--cfg=network/model:CM02",             /* LV08 would scale latencies by 13.01 */
	"--cfg=network/latency-factor:1",
	"--cfg=network/bandwidth-factor:1",
	"--cfg=network/crosstraffic:0",
	"--cfg=network/TCP-gamma:1e15",         /* no window limit on bandwidth */
	"--cfg=surf/precision:1e-15",           /* keep sub-ns stage costs exact */
	"--cfg=tracing/precision:9",
#ifdef VRDMASIM_SANITIZED
	"--cfg=contexts/factory:thread",        /* raw contexts confuse ASan */
#endif
};

static void free_all(char **strings, size_t count)
{
	for (size_t i = 0; strings && i < count; i++)
		free(strings[i]);
	free(strings);
}

/* Ours, then the user's tracing settings as SimGrid's --cfg=NAME:VALUE
 * (checked by sim/simgrid_cfg.c: SimGrid would abort on a bad one), then
 * the trace file the run chose (the later setting wins). */
static int start_simgrid(const vr_engine_config *config, vr_diag *diag)
{
	enum { FLAG_COUNT = sizeof SIMGRID_FLAGS / sizeof SIMGRID_FLAGS[0] };
	size_t settings = config->cfg_count + (config->trace_file != NULL);
	char **argv = calloc(FLAG_COUNT + settings + 3, sizeof *argv);
	char **owned = calloc(settings + 1, sizeof *owned);
	int argc = 0;
	for (size_t i = 0; argv && owned && i < settings; i++) {
		const char *value = i < config->cfg_count ? config->cfgs[i] : config->trace_file;
		size_t bytes = strlen(value) + 32;
		if (!(owned[i] = malloc(bytes))) {
			free_all(owned, i);
			owned = NULL;
			break;
		}
		snprintf(owned[i], bytes, "--cfg=%s%s", i < config->cfg_count ? "" : "tracing/filename:", value);
	}
	if (!argv || !owned) {
		free(argv);
		free_all(owned, settings);
		return vr_diag_at(diag, (vr_where){"--cfg", 0, 0}, "out of memory");
	}
	argv[argc++] = (char *)config->argv0;
	for (size_t i = 0; i < FLAG_COUNT; i++)
		argv[argc++] = (char *)SIMGRID_FLAGS[i];
	if (settings)   /* see sim/simgrid_cfg.c: SimGrid 3.32 aborts on our links' topology */
		argv[argc++] = (char *)"--cfg=tracing/platform/topology:no";
	for (size_t i = 0; i < settings; i++)
		argv[argc++] = owned[i];
	/* SimGrid catches SIGINT to list its actors and exit(1): take it back,
	 * so that an interrupt removes the temporary files and kills us.  An
	 * interrupt meanwhile waits. */
	vr_cleanup_block(1);
	vr_cleanup_catch_signals();
	simgrid_init(&argc, argv);
	vr_cleanup_catch_signals();
	vr_cleanup_block(0);
	free_all(owned, settings);
	free(argv);
	return 0;
}

typedef struct experiment_sequence {
	const scn_scenario *s;
	vr_run *run;
} experiment_sequence;

/* Seed of one actor in one experiment: independent of run order. */
static unsigned long actor_seed(const scn_scenario *s, size_t experiment, int role)
{
	unsigned long long x = s->seed * 0x9E3779B97F4A7C15ull + experiment * 2 + (unsigned)role + 1;
	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return (unsigned long)(x & 0xFFFFFFFFul);
}

/* The two plans of a verb: what travels A -> B and what comes back B -> A. */
static void build_legs(const scn_scenario *s, const scn_workload *w, const mdl_option *option, const mdl_params *a,
		       const mdl_params *b, double size_bytes, mdl_plan *ab, mdl_plan *ba)
{
	mdl_plan_build(option, a, b, size_bytes, w->verb, s->completion, mdl_leg_of(w->verb, 0), &w->footprint, ab);
	mdl_plan_build(option, b, a, size_bytes, w->verb, s->completion, mdl_leg_of(w->verb, 1), &w->footprint, ba);
}

/* Each slot's role, from the segments the plans put it in. */
static void mark_roles(vr_result *r, const mdl_plan *ab, const mdl_plan *ba, int read)
{
	const mdl_plan *plans[] = {ab, ba};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < plans[k]->count; i++) {
			const mdl_plan_stage *st = &plans[k]->stages[i];
			r->role[st->stage] = st->segment == SEG_COMPLETION ? ROLE_COMPLETION
					   : st->segment == SEG_OFF ? ROLE_OFF : ROLE_CRITICAL;
		}
	for (size_t e = 0; e < EXTRA_COUNT; e++) {
		r->role[VR_EXTRA_BASE + e] = ROLE_CRITICAL;
		r->role[VR_EXTRA_RESPONSE_BASE + e] = read ? ROLE_CRITICAL : ROLE_NONE;
	}
}

/* Counters per operation: a READ is both legs; a WRITE or SEND is one
 * message, and the two directions may differ (hosts need not be alike):
 * average them. */
static void count_per_op(vr_result *r, const mdl_plan *ab, const mdl_plan *ba, int read)
{
	r->per_op = ab->counters;
	mdl_counters_add(&r->per_op, &ba->counters);
	if (!read)
		mdl_counters_scale(&r->per_op, 0.5);
}

/* A bandwidth test: requester on A, messages (or READ responses) in one
 * direction. */
static void run_stream(const scn_workload *w, vr_result *r, size_t index, const mdl_plan *ab, const mdl_plan *ba,
		       int read, const char *host_a, const char *host_b)
{
	char prefix[64];
	snprintf(prefix, sizeof prefix, "e%zu", index);
	vr_stream_setup setup = {
		.forward = ab, .response = read ? ba : NULL,
		.requester_host = host_a, .responder_host = host_b, .mailbox_prefix = prefix,
		.total = r->warmup + r->iterations, .warmup = r->warmup,
		.tx_depth = w->tx_depth, .post_list = w->post_list, .cq_moderation = w->cq_moderation,
		.receives = mdl_verb_operation(w->verb) == VERB_SEND_LAT,
		.result = r,
	};
	vr_stream_run(&setup);
	r->per_op = ab->counters;
	if (read)
		mdl_counters_add(&r->per_op, &ba->counters);
}

static void run_one(const scn_scenario *s, vr_result *r, size_t index)
{
	const mdl_option *option = &s->options[r->option];
	const scn_workload *w = &s->workloads[r->workload];
	const mdl_params *a = scn_params(s, r->preset, vr_platform_host_of(option->route, 0));
	const mdl_params *b = scn_params(s, r->preset, vr_platform_host_of(option->route, 1));
	mdl_plan ab, ba;
	build_legs(s, w, option, a, b, r->size_bytes, &ab, &ba);
	/* perftest reports half a round trip for WRITE and SEND (two messages),
	 * the whole round trip for READ and atomics (one operation). */
	int read = mdl_verb_round_trip(w->verb);
	double operations_per_round_trip = read ? 1.0 : 2.0;
	static vr_stats stats;   /* 350 KB: one, reused, not on an actor's stack */
	vr_stats_reset(&stats);
	static vr_breakdown breakdown;
	vr_breakdown_reset(&breakdown);
	char box_a[64], box_b[64], host_a[200], host_b[200];
	snprintf(box_a, sizeof box_a, "e%zu-a", index);
	snprintf(box_b, sizeof box_b, "e%zu-b", index);
	vr_platform_endpoint(s, r->preset, option->route, 0, host_a, sizeof host_a);
	vr_platform_endpoint(s, r->preset, option->route, 1, host_b, sizeof host_b);
	if (mdl_verb_is_bandwidth(w->verb)) {
		run_stream(w, r, index, &ab, &ba, read, host_a, host_b);
		vr_result_find_assumed(r, s, option, w, a, b, &ab, &ba);
		return;
	}
	vr_pingpong_side sides[2] = {
		{.initiator = 1, .send_plan = &ab, .recv_plan = &ba, .own_box = sg_mailbox_by_name(box_a),
		 .peer_box = sg_mailbox_by_name(box_b), .stats = &stats},
		{.initiator = 0, .send_plan = &ba, .recv_plan = &ab, .own_box = sg_mailbox_by_name(box_b),
		 .peer_box = sg_mailbox_by_name(box_a)},
	};
	sg_actor_t actors[2];
	for (int k = 0; k < 2; k++) {
		sides[k].total = r->warmup + r->iterations;
		sides[k].warmup = r->warmup;
		sides[k].latency_per_round_trip = 1.0 / operations_per_round_trip;
		sides[k].extra_base = read && k == 1 ? VR_EXTRA_RESPONSE_BASE : VR_EXTRA_BASE;
		sides[k].breakdown = &breakdown;
		vr_jitter_init(&sides[k].jitter, k == 0 ? a : b, actor_seed(s, index, k));
		actors[k] = sg_actor_init(k == 0 ? "initiator" : "responder", sg_host_by_name(k == 0 ? host_a : host_b));
		sg_actor_set_data(actors[k], &sides[k]);
		sg_actor_start(actors[k], vr_pingpong_actor, 0, NULL);
	}
	for (int k = 0; k < 2; k++)
		sg_actor_join(actors[k], -1);
	vr_breakdown_close_pending(&breakdown);
	for (int k = 0; k < 2; k++)
		vr_jitter_free(&sides[k].jitter);
	r->min_ns = stats.min_ns;
	r->max_ns = stats.max_ns;
	r->mean_ns = stats.mean_ns;
	r->stdev_ns = vr_stats_stdev_ns(&stats);
	r->median_ns = vr_stats_quantile_ns(&stats, 0.5);
	r->p99_ns = vr_stats_quantile_ns(&stats, 0.99);
	r->p999_ns = vr_stats_quantile_ns(&stats, 0.999);
	/* A round trip holds operations_per_round_trip operations (a READ's
	 * request and response have their own slots). */
	for (size_t k = 0; k < VR_BREAKDOWN_SLOTS; k++) {
		r->breakdown_mean_ns[k] = breakdown.sum_ns[k] / ((double)breakdown.counted * operations_per_round_trip);
		r->breakdown_ns[k] = breakdown.typical
			? breakdown.typical_ns[k] / ((double)breakdown.typical * operations_per_round_trip)
			: r->breakdown_mean_ns[k];   /* no round near the median: fall back to the means */
	}
	r->typical_rounds = breakdown.typical;
	mark_roles(r, &ab, &ba, read);
	count_per_op(r, &ab, &ba, read);
	vr_result_find_assumed(r, s, option, w, a, b, &ab, &ba);
}

static void controller(int argc, char **argv)
{
	experiment_sequence *seq = sg_actor_self_get_data();
	for (size_t i = 0; i < seq->run->count; i++)
		run_one(seq->s, &seq->run->results[i], i);
	/* A flows scenario: each (preset, option) engine, one after the
	 * other, each driven by this actor from its own event queue. */
	for (size_t i = 0; i < seq->run->flow_count && !seq->run->flow_failed; i++) {
		if (fl_run_in_actor(seq->run->flows[i].engine) != 0) {
			seq->run->flow_failed = 1;
			snprintf(seq->run->flow_error, sizeof seq->run->flow_error, "%s",
				 fl_engine_error(seq->run->flows[i].engine));
		} else {
			vr_flow_vm_rates(&seq->run->flows[i], seq->run->flows[i].vm_rates);
		}
	}
}

/* The engines of a flows scenario, built before SimGrid starts. */
static int build_flows(const scn_scenario *s, vr_run *run, vr_diag *diag)
{
	if (vr_flow_check(s, diag) != 0)
		return -1;
	run->flows = calloc(s->preset_count * s->option_count, sizeof *run->flows);
	if (!run->flows)
		return vr_diag_at(diag, (vr_where){s->file, 0, 0}, "out of memory");
	for (size_t p = 0; p < s->preset_count; p++)
		for (size_t o = 0; o < s->option_count; o++)
			if (vr_flow_build(s, p, o, &run->flows[run->flow_count++], diag) != 0)
				return -1;
	return 0;
}

/* A fresh folder for the platform under $TMPDIR (else /tmp), registered
 * for removal should the process die; its path into BUF, NULL on failure
 * (BUF then names the parent). */
static const char *make_temp_folder(char *buf, size_t len)
{
	const char *parent = getenv("TMPDIR");
	if (!parent || !*parent)
		parent = "/tmp";
	snprintf(buf, len, "%s/vrdmasim-XXXXXX", parent);
	vr_cleanup_block(1);   /* no interrupt between the creation and the registration */
	int made = mkdtemp(buf) != NULL;
	int saved = errno;
	if (made)
		vr_cleanup_add(buf, VR_CLEANUP_DIR);
	vr_cleanup_block(0);
	if (!made) {
		snprintf(buf, len, "%s", parent);
		errno = saved;
		return NULL;
	}
	return buf;
}

static void remove_temp_folder(const char *file, const char *dir)
{
	remove(file);
	vr_cleanup_forget(file);
	rmdir(dir);
	vr_cleanup_forget(dir);
}

/* The platform XML at PATH: a temporary folder's file (TEMPORARY), or the
 * one --keep-platform keeps, written whole or not at all (an interrupted or
 * refused write leaves no half a platform; a kept one that SimGrid aborts on
 * stays, for the user to read). */
static int write_platform(const scn_scenario *s, const char *path, int temporary, vr_diag *diag)
{
	if (!temporary) {
		vr_outfile of;
		if (vr_outfile_open(&of, path, diag) != 0)
			return -1;
		if (vr_platform_write(s, of.stream, path, diag) != 0) {
			vr_outfile_abort(&of);
			return -1;
		}
		return vr_outfile_commit(&of, diag);
	}
	FILE *f = fopen(path, "w");
	if (!f)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write the platform: %s", strerror(errno));
	int rc = vr_platform_write(s, f, path, diag);
	if (fclose(f) != 0 && rc == 0)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write the platform: %s", strerror(errno));
	return rc;
}

static void plan_results(const scn_scenario *s, vr_run *run)
{
	size_t n = 0;
	for (size_t p = 0; p < s->preset_count; p++)
		for (size_t w = 0; w < s->workload_count; w++)
			for (size_t o = 0; o < s->option_count; o++)
				for (size_t z = 0; z < s->workloads[w].size_count; z++) {
					vr_result *r = &run->results[n++];
					r->preset = p;
					r->workload = w;
					r->option = o;
					r->size_bytes = s->workloads[w].sizes_bytes[z];
					r->iterations = s->workloads[w].iterations;
					r->warmup = s->workloads[w].warmup;
				}
	run->count = n;
}

int vr_engine_run(const scn_scenario *s, const vr_engine_config *config, vr_run *run, vr_diag *diag)
{
	memset(run, 0, sizeof *run);
	run->scenario = s;
	size_t sizes = 0;
	for (size_t w = 0; w < s->workload_count; w++)
		sizes += s->workloads[w].size_count;
	run->results = calloc(s->preset_count * s->option_count * sizes + 1, sizeof *run->results);
	if (!run->results)
		return vr_diag_at(diag, (vr_where){s->file, 0, 0}, "out of memory");
	plan_results(s, run);
	if (s->flows.group_count && build_flows(s, run, diag) != 0)
		return -1;

	char path[4096 + sizeof "/platform.xml"], tmpdir[4096];
	const char *dir = config->keep_platform_dir;
	if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST)
		return vr_diag_at(diag, (vr_where){dir, 0, 0}, "cannot create the folder for --keep-platform: %s", strerror(errno));
	if (!dir && !(dir = make_temp_folder(tmpdir, sizeof tmpdir)))
		return vr_diag_at(diag, (vr_where){tmpdir, 0, 0}, "cannot create a temporary folder: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/platform.xml", dir);
	int temporary = !config->keep_platform_dir;
	if (temporary)
		vr_cleanup_add(path, VR_CLEANUP_FILE);
	if (write_platform(s, path, temporary, diag) != 0) {
		if (temporary)
			remove_temp_folder(path, dir);
		return -1;
	}

	/* SimGrid aborts the process on a platform it refuses: the cleanup
	 * table removes the folder then (validation should make it never). */
	if (start_simgrid(config, diag) != 0) {
		if (temporary)
			remove_temp_folder(path, dir);
		return -1;
	}
	simgrid_load_platform(path);
	if (temporary)
		remove_temp_folder(path, dir);
	char host[200];
	vr_platform_endpoint(s, 0, ROUTE_INFINIBAND, 0, host, sizeof host);
	experiment_sequence seq = {s, run};
	sg_actor_t ctl = sg_actor_init("controller", sg_host_by_name(host));
	sg_actor_set_data(ctl, &seq);
	sg_actor_start(ctl, controller, 0, NULL);
	simgrid_run();
	if (run->flow_failed)
		return vr_diag_at(diag, (vr_where){s->file, s->flows.line, s->flows.column}, "found flows that cannot run: %s",
				  run->flow_error);
	return 0;
}

void vr_run_free(vr_run *run)
{
	free(run->results);
	run->results = NULL;
	for (size_t i = 0; i < run->flow_count; i++)
		vr_flow_result_free(&run->flows[i]);
	free(run->flows);
	run->flows = NULL;
	run->flow_count = 0;
}
