/*
 * scenario.h - a scenario file, loaded strictly and resolved into what the
 * engine runs: parameter sets per (preset, host), options, workload.
 *
 * Every key, type, unit and bound is checked here, before anything runs;
 * errors carry file:line:col (docs/scenario-format.md describes the file).
 */
#ifndef VR_SCENARIO_H
#define VR_SCENARIO_H

#include "models/option.h"
#include "models/params.h"
#include "models/preset.h"
#include "models/flows.h"
#include "models/host.h"
#include "models/workload.h"

enum {
	SCN_PRESETS_MAX = 8,
	SCN_OPTIONS_MAX = 16,
	SCN_WORKLOADS_MAX = 8,
};

struct vr_trace_profile;
struct vr_replay_map;
struct scn_vmig;

typedef struct scn_scenario {
	char file[1024];              /* as given, for messages and output; relative paths
				       * in the scenario resolve beside it ("vrdmasim replay"
				       * for the replay command's: the working directory) */
	char name[MDL_NAME_MAX];
	char description[512];
	unsigned long long seed;

	size_t preset_count;
	size_t host_count;
	int back_to_back;             /* `topology: {fabric: back-to-back}`: the two hosts'
				       * adapters joined by one cable, no switch (at most
				       * two hosts); every params[] entry carries it */
	scn_host hosts[SCN_HOSTS_MAX];
	mdl_params *params;           /* [preset * host_count + host], resolved */

	size_t option_count;
	mdl_option options[SCN_OPTIONS_MAX];
	mdl_option *same_host_options[SCN_OPTIONS_MAX];   /* flows only: options[i]'s `same_host:`
							   * counterpart, loaded when a connection
							   * lies inside one host; NULL otherwise */

	mdl_option *transport_options[FLOW_TRANSPORT_COUNT];   /* flows only: the option a
							   * hypervisors' group of that transport
							   * runs under every option (native,
							   * host-tcp), loaded when a group uses it */

	mdl_completion completion;    /* for every workload */
	size_t workload_count;        /* 0 with `flows:` */
	scn_workload workloads[SCN_WORKLOADS_MAX];
	/* `flows:` (models/flows.h): groups of connections between VMs that
	 * run at once; flows.group_count == 0 (groups NULL) without it. */
	scn_flows flows;

	/* `replay:` (models/replay.h): the trace that set the workload and the
	 * completion mode, and the map that bound option 0's stages to it;
	 * NULL otherwise. */
	struct vr_trace_profile *replay;
	struct vr_replay_map *replay_map;
	/* `vrdma_migration:` (models/vrdma_migration_scenario.h): a vRDMA VM's
	 * migration, the model evaluated over its grid per preset; it stands
	 * alone (no workload, flows or options); NULL otherwise. */
	struct scn_vmig *vmig;
	/* Provenance, for results: the scenario's content hash ("" when built
	 * in memory), the `calibration:` overlay read (path "" when none), and
	 * each preset alone, resolved ([preset]): what the parameters in force
	 * are compared with. */
	char sha256[VR_SHA256_HEX_BYTES];
	mdl_file_ref overlay;
	mdl_params *preset_params;
} scn_scenario;

/* Load PATH.  Returns 0, or -1 with DIAG filled; free with scn_free either way. */
int scn_load_file(const char *path, scn_scenario *out, vr_diag *diag);

/* Load from memory (the built-in headline scenario); NAME is used in messages. */
int scn_load_buffer(const char *name, const char *text, size_t length,
		    scn_scenario *out, vr_diag *diag);

/* The keys a scenario file may hold at its top, NULL-terminated. */
const char *const *scn_scenario_keys(void);

/* Load the scenario DOC holds (a sweep's point: models/sweep.h); its name
 * and content hash are DOC's.  As scn_load_file otherwise. */
int scn_load_doc(const yt_doc *doc, scn_scenario *out, vr_diag *diag);

/* Parameters in force for PRESET (index) on HOST (index). */
const mdl_params *scn_params(const scn_scenario *s, size_t preset, size_t host);

/* Apply "NAME=QUANTITY" (command line --set) to every preset and host, after
 * the scenario's own overrides, and re-check the result.  Errors are
 * located as "--set NAME=QUANTITY:1:COL". */
int scn_set_parameter(scn_scenario *s, const char *assignment, vr_diag *diag);

/* The same for a parameter KEY (its name) set to VALUE (a quantity), both
 * located where they were written (a sweep's variable and value). */
int scn_set_parameter_node(scn_scenario *s, const yt_node *key, const yt_node *value, vr_diag *diag);

/* The presets "P[,P...]" (as --preset gives them) as a list of names, each
 * located at its column in LABEL, which must outlive every use of the list
 * (errors name it).  NULL with DIAG filled on an empty name, or when out of
 * memory; free with yt_free(&(yt_doc){.root = list}). */
yt_node *scn_preset_list(const char *presets, const char *label, vr_diag *diag);

/* Replace the `preset:` of the scenario tree ROOT (a map) by a copy of LIST
 * (scn_preset_list): the command line's --preset, which replaces whatever
 * presets the file names.  0, or -1 with DIAG filled (out of memory). */
int scn_replace_presets(yt_node *root, const yt_node *list, vr_diag *diag);

/* Replace every workload's iteration count (command line --iterations); a
 * flow group's: the operations per connection. */
void scn_set_iterations(scn_scenario *s, unsigned long long iterations);

void scn_free(scn_scenario *s);

/*
 * Building a scenario: the steps every scenario goes through, whether a
 * file describes it (scn_load_*) or C code builds it (the replay command,
 * models/replay_scenario.h).  Each returns 0, or -1 with DIAG filled.
 */

/* A preset as the scenario names it: a built-in name or a path (resolved
 * beside s->file), and where it was named, for errors. */
typedef struct scn_preset_ref {
	const char *name;
	vr_where where;
} scn_preset_ref;

/* Append NAME to PRESETS[0 .. s->preset_count) and count it: each preset
 * once, at most SCN_PRESETS_MAX. */
int scn_add_preset(scn_scenario *s, scn_preset_ref *presets, const char *name, vr_where where, vr_diag *diag);

/* Can option O run every workload (and flow group) of S, in S's completion
 * mode, on S's topology, between the VMs S's flows connect?  Errors are
 * located at AT, or at the flow group that O cannot run. */
int scn_check_option(const scn_scenario *s, const mdl_option *o, vr_where at, vr_diag *diag);

/* What a scenario file layers on each preset, in this order; any may be
 * NULL.  HOST_HCA and HOST_LINK have s->host_count entries. */
typedef struct scn_layers {
	const yt_node *calibration;        /* the calibration overlay's path */
	const yt_node *overrides;          /* `overrides:` */
	const yt_node *switch_map;         /* `topology: switch:` */
	const yt_node *const *host_cpu;    /* each host's `cpu:` */
	const yt_node *const *host_hca;    /* each host's `hca:` */
	const yt_node *const *host_link;   /* each host's `link:` */
} scn_layers;

/* Resolve s->params, one set per (preset, host): PRESETS[p] <- LAYERS (NULL:
 * none), checked like any parameter set.  S owns the result (scn_free). */
int scn_build_params(scn_scenario *s, const scn_preset_ref *presets, const scn_layers *layers, vr_diag *diag);

#endif
