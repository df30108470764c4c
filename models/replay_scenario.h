/*
 * replay_scenario.h - scenarios that replay a trace (models/replay.h): the
 * `replay:` of a scenario file, and the scenario `vrdmasim replay TRACE`
 * builds in C, with the same checks as a file's.
 */
#ifndef VR_REPLAY_SCENARIO_H
#define VR_REPLAY_SCENARIO_H

#include <stdio.h>

#include "input/diag.h"
#include "models/replay.h"
#include "models/scenario.h"
#include "models/vrdma_migration.h"

/* What a replay asks for: a scenario's `replay:`, or the command's flags. */
typedef struct scn_replay_request {
	const char *trace;               /* the trace's path, as given (resolved beside s->file) */
	vr_replay_costs costs;           /* the model's, or the trace's measured ones */
	unsigned long long iterations;   /* per size; 0: as many as the trace has */
	int compare;                     /* run the pipeline's own option beside it */
} scn_replay_request;

/* Read RQ's trace and set S's replay, workload, completion mode and
 * options: 0 the replayed option, 1 the pipeline's with RQ->compare.  S's
 * topology must be set.  Returns 0, or -1 with: TRACE_DIAG filled when the
 * trace itself is wrong (naming the trace and the record or byte offset),
 * else DIAG, located at AT. */
int scn_replay_attach(scn_scenario *s, const scn_replay_request *rq, vr_where at,
		      vr_diag *trace_diag, vr_diag *diag);

/* The scenario of `vrdmasim replay TRACE`, named "replay": RQ on two hosts
 * of two VMs each, on PRESETS ("P[,P...]" as --preset gives it; NULL:
 * esxi5-qdr-2012).  Errors in the trace are the trace's own (file, record);
 * errors in the list are located in "--preset LIST".  Returns 0, or -1
 * with DIAG filled; free with scn_free either way. */
int scn_replay_build(const scn_replay_request *rq, const char *presets, scn_scenario *out, vr_diag *diag);

/* The device a traced live migration moved (models/vrdma_migration.h), as
 * its trace records it (docs/trace-format.md, kinds 21 to 24): QPs and the
 * requests in flight recorded at the quiesce (quiesce: record), MRs and
 * pages re-registered (at the switchover, as the reference implementation
 * does), one peer host per QP's peer (the trace's two-host run: one).  The
 * trace does not count CQs and PDs: one of each per QP's guest, as
 * vrdma-perf's guests have.  Returns 0 when the trace holds no migration. */
int scn_replay_migration_device(const vr_trace_profile *p, mdl_vmig_device *dev);

/* With S's replay holding a live migration, print the model's estimate of
 * its steps on each preset's hardware beside what the trace measured:
 * quiesce; the transfer (the device state and the guest memory the
 * reference implementation copies while the guest is stopped, over the
 * migration link); re-registration and restore (MRs re-registered, PDs,
 * CQs and QPs re-created); reconnection (the peer told and its QP
 * re-pointed).  Nothing when the trace holds none. */
void scn_replay_print_migration(const scn_scenario *s, FILE *out);

#endif
