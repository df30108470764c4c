/*
 * replay.h - trace-driven estimates: a trace of the vRDMA reference
 * implementation (vrdma/, docs/trace-format.md) drives the model.
 *
 * The trace says which mechanisms each work request went through: how many
 * traps, fetches, CQE writes, polls, interrupts.  A replay map
 * (models/replay/NAME.yaml) binds stages of an option to the trace events
 * that evidence them.  Reading the trace (streamed, in bounded memory)
 * counts, per send work request, the events of each binding; the replay
 * then runs the option with each bound stage repeated as often as the trace
 * saw it, on a preset's modelled hardware, for the trace's test, sizes,
 * completion mode and tx depth.  Stages the map does not bind (the HCA's
 * hardware, the fabric) run as the option describes them.
 *
 * Where the trace's structure matches the option's assumptions the two
 * estimates agree; where it does not (an extra doorbell, a batched one, an
 * empty-poll trap) the stage breakdown shows which stage and by how much.
 */
#ifndef VR_REPLAY_H
#define VR_REPLAY_H

#include <stdio.h>

#include "input/diag.h"
#include "models/scenario.h"

enum { VR_REPLAY_BINDINGS_MAX = 64, VR_REPLAY_SIZES_MAX = 32 };

typedef struct vr_replay_binding {
	char stage[MDL_NAME_MAX];
	unsigned kind;            /* enum vtrace_kind */
	int queue;                /* -1 any, 0 send, 1 receive (the op id's queue) */
	int doorbell;             /* -1 any, else enum vtrace_doorbell */
	int interrupt;            /* -1 any, 0 raised, 1 suppressed (CQ-notification vector) */
	int measured;             /* 0: no measurement (the model's cost); 1: from..to below;
				   * 2: none (the work lies inside another stage's interval) */
	unsigned measured_from, measured_to;  /* event kinds of one work request */
} vr_replay_binding;

typedef struct vr_replay_map {
	char name[MDL_NAME_MAX];
	char option[PLACE_COUNT][MDL_NAME_MAX];  /* the option replayed, by the trace's placement */
	size_t count;
	vr_replay_binding bindings[VR_REPLAY_BINDINGS_MAX];
} vr_replay_map;

typedef struct vr_trace_profile {
	char file[1024];
	mdl_verb verb;                         /* the trace's test */
	mdl_completion completion;
	mdl_placement placement;               /* two hosts, or one */
	unsigned tx_depth;                     /* per QP */
	unsigned qps;                          /* QPs that posted sends */
	double cpu_mhz;                        /* of the recording machine, 0 if unknown */
	size_t size_count;
	double sizes[VR_REPLAY_SIZES_MAX];     /* payload sizes of the send work requests */
	unsigned long long send_ops;           /* send work requests (posts on send queues) */
	unsigned long long records;
	double per_op[VR_REPLAY_BINDINGS_MAX]; /* events of each binding per send work request */
	double measured_ns[VR_REPLAY_BINDINGS_MAX];   /* median of the measured interval, -1: none */
	/* A live migration in the trace (docs/migration.md): the spans of its
	 * steps (quiesce, transfer, re-registration, reconnection), summed */
	unsigned long long migration_spans[4];
	double migration_ns[4];
	/* and what each step carried (the last move's): QPs and requests in
	 * flight at the quiesce, state and memory bytes moved, MRs and pages
	 * re-registered: the inputs a model of the steps takes */
	unsigned long long migration_args[3][2];
} vr_trace_profile;

typedef enum vr_replay_costs { COSTS_MODEL, COSTS_MEASURED } vr_replay_costs;

/* Load the built-in map NAME ("vrdma") or a map file (a path). */
int vr_replay_map_load(const char *name, vr_replay_map *map, vr_diag *diag);

/* Read the trace at PATH, counting MAP's bindings.  Returns 0, or -1 with
 * DIAG naming the record and byte offset of what is wrong. */
int vr_trace_profile_read(const char *path, const vr_replay_map *map, vr_trace_profile *out, vr_diag *diag);

/* What the trace showed, per send work request, for each bound stage: the
 * structure the replay runs. */
void vr_replay_print_profile(const vr_trace_profile *profile, const vr_replay_map *map, FILE *out);

/* The workload the trace ran: its test, sizes, tx depth; ITERATIONS per
 * size, or 0 for as many as the trace has. */
void vr_replay_workload(const vr_trace_profile *profile, unsigned long long iterations, scn_workload *out);

/* The replayed option: the map's option for the trace's placement, named
 * "<option>.trace" (or "<option>.measured" with COSTS_MEASURED: the bound
 * software stages then cost what the trace measured, in the recording
 * machine's cycles run at the preset's clock; hardware stages keep the
 * preset's costs), with each bound stage repeated as often as the trace saw
 * it.  WHERE locates the scenario's `replay:` for errors. */
int vr_replay_option(const vr_trace_profile *profile, const vr_replay_map *map, vr_replay_costs costs,
		     vr_where where, mdl_option *out, vr_diag *diag);

extern const char *const vr_replay_costs_names[];   /* "model", "measured" */

#endif
