/*
 * migrate.h - a flow group's `migrate:` (live migration between two
 * hypervisors, pre-copy) as read and checked, and the pre-copy arithmetic
 * that decides each round's bytes from the last round's measured duration
 * (docs/scenario-format.md, "Live migration: `migrate:`").
 *
 * Pre-copy (Clark et al., "Live Migration of Virtual Machines", NSDI 2005;
 * QEMU's migration/ram.c): round 1 sends all of memory while the VM runs;
 * each later round sends the pages the VM dirtied during the round before
 * it; when what is left would cross in the downtime target at the last
 * round's measured rate, or the round limit is reached, the VM stops and
 * the rest crosses (stop-and-copy: its duration is the downtime).  Pages
 * dirtied during a round: the dirty rate's integral over the round's
 * simulated interval (a constant rate times its duration; a phase model's
 * rates over the phases the round spans), at most the working set (the
 * pages the VM writes: the writable working set of Clark et al.), whole
 * pages.
 *
 *   state:  COPYING --fits the target, or the round limit--> STOP_COPY --> DONE
 *           COPYING --no round limit and the remainder does not shrink at
 *                     the long-run dirty rate (or SCN_MIGRATE_ROUNDS_MAX
 *                     rounds)--> DIVERGED
 * Errors: "FILE:LINE:COL: found X, expected Y" in the caller's vr_diag.
 */
#ifndef MDL_MIGRATE_H
#define MDL_MIGRATE_H

#include <stdint.h>

#include "input/diag.h"
#include "input/yaml_tree.h"
#include "models/vrdma_migration.h"

enum {
	SCN_MIGRATE_ROUNDS_MAX = 1000,   /* pre-copy rounds a run may take: a remainder that
					  * shrinks more slowly than this is reported as not
					  * converging, never looped on */
};
/* A phase model of the dirty rate holds at most this many phases: a
 * workload's shape written by hand (a burst, a quiet spell, a few
 * benchmarks one after the other), not a trace replayed sample by sample;
 * it keeps scn_migrate's storage fixed (16 B a phase). */
enum { SCN_DIRTY_PHASES_MAX = 32 };
#define SCN_DIRTY_PHASE_MAX_NS 86400e9   /* a phase lasts at most a day: longer than any migration */
#define SCN_MIGRATE_MEMORY_MAX_BYTES 17592186044416.0   /* 16 TiB: beyond any VM's memory today */

typedef enum scn_registration {
	MIGRATE_PIN_ALL,             /* all memory registered before round 1 (QEMU's rdma-pin-all) */
	MIGRATE_ON_DEMAND,           /* chunks registered on their first send, both sides (QEMU's default) */
	MIGRATE_REGISTRATION_COUNT
} scn_registration;
extern const char *const scn_registration_names[MIGRATE_REGISTRATION_COUNT + 1];

/* `migrate:`'s `vrdma:` map: the migrating VM's paravirtual RDMA device
 * (docs/architecture.md, "Migrating a vRDMA VM").  Its QPs and peers come
 * from the other groups' connections with an end at VM (`vm:`, resolved by
 * models/flows.c), or are given (`qps:`, `peers:`). */
typedef struct scn_migrate_vrdma {
	int on;
	int vm_given;                /* `vm:`: the device's QPs are the VM's connections */
	uint16_t vm_host, vm_index;  /* that VM (a VM of the migration's source host) */
	unsigned long long cqs_per_qp;
	mdl_vmig_device device;      /* with `qps:`: qps and peers; regions, memory, modes always */
} scn_migrate_vrdma;

/* One phase of `dirty_rate: {phases: [...]}`: RATE for FOR. */
typedef struct scn_dirty_phase {
	double bytes_per_s;          /* pages written, bytes/s (>= 0) */
	double duration_ns;          /* > 0 */
} scn_dirty_phase;

/* `dirty_rate:` as a phase model (docs/scenario-format.md, "Live
 * migration"): the phases follow one another from the migration's start
 * (the group's `start:`); with REPEAT the sequence starts again after the
 * last phase, without it the last phase's rate holds from then on.  The
 * shape is the user's, as Clark et al. (NSDI 2005, section 4, "Writable
 * Working Sets") found a guest's page dirtying to vary with what it runs. */
typedef struct scn_dirty_phases {
	size_t count;                /* 0: the constant form (dirty_bytes_per_s) */
	int repeat;
	scn_dirty_phase phase[SCN_DIRTY_PHASES_MAX];
} scn_dirty_phases;

typedef struct scn_migrate {
	int on;                      /* the group is a migration */
	double memory_bytes;         /* the VM's memory: round 1 */
	double working_set_bytes;    /* the pages it dirties (<= memory) */
	double dirty_bytes_per_s;    /* constant dirty rate, bytes/s of pages written (>= 0);
				      * with phases, their long-run rate (mdl_dirty_long_run) */
	scn_dirty_phases phases;     /* `dirty_rate: {phases: ...}` (count 0 without) */
	double page_bytes;           /* dirty-tracking granule */
	double message_bytes;        /* bytes per send (pages batched per message) */
	double downtime_target_ns;   /* > 0 */
	unsigned max_rounds;         /* pre-copy rounds before stop-and-copy is forced; 0: none */
	scn_registration registration;   /* rdma only */
	double chunk_bytes;          /* on-demand registration's chunk (QEMU: 1 MiB) */
	int registration_given;      /* `registration:` written (refused with tcp) */
	scn_migrate_vrdma vrdma;     /* `vrdma:` (on 0 without) */
	/* the migrated VM (`vm: HOST/INDEX`, or `vrdma:`'s `vm:`; resolved by
	 * models/flows.c): the flows with an end at it are held while it is
	 * stopped (sim/flow_migrate.h) */
	int vm_given;
	uint16_t vm_host, vm_index;  /* a VM of the migration's source host */
	unsigned line, column;       /* the `migrate:` key */
} scn_migrate;

/* Read `migrate:` NODE (KEY its key) into M.  0, or -1 with DIAG. */
int scn_read_migrate(const yt_node *key, const yt_node *node, scn_migrate *m, vr_diag *diag);

/* Bytes of pages M's VM writes from FROM_NS to TO_NS (absolute times;
 * ORIGIN_NS the phases' start): the dirty rate's integral, before the
 * working set's cap.  A constant rate, or phases that all have one rate,
 * give rate * (TO_NS - FROM_NS) / 1e9 exactly, as the constant form always
 * computed it. */
double mdl_dirty_bytes(const scn_migrate *m, double origin_ns, double from_ns, double to_ns);

/* M's long-run dirty rate (bytes/s): the constant rate; with phases and
 * repeat, the mean over one cycle of them; without repeat, the last
 * phase's rate (it holds forever after). */
double mdl_dirty_long_run(const scn_migrate *m);

typedef enum mdl_precopy_phase {
	PRECOPY_COPYING, PRECOPY_STOP_COPY, PRECOPY_DONE, PRECOPY_DIVERGED, PRECOPY_PHASE_COUNT
} mdl_precopy_phase;
extern const char *const mdl_precopy_phase_names[PRECOPY_PHASE_COUNT];

typedef struct mdl_precopy {
	const scn_migrate *m;        /* not owned */
	mdl_precopy_phase phase;
	unsigned rounds;             /* rounds started, the stop-and-copy included */
	double round_bytes;          /* the current round's */
	double round_start_ns;
	double origin_ns;            /* where the dirty rate's phases start: START_NS of
				      * mdl_precopy_start, which the caller may move to the
				      * migration's own start (before pin_all's registration) */
	double moved_bytes;          /* sent by the rounds ended */
	double downtime_ns;          /* the stop-and-copy's duration once DONE */
	double end_ns;               /* when DONE or DIVERGED */
	int forced;                  /* stop-and-copy forced by the round limit (the target missed) */
} mdl_precopy;

/* Start at START_NS: round 1 is all of M's memory (returned, bytes). */
double mdl_precopy_start(mdl_precopy *p, const scn_migrate *m, double start_ns);

/* The current round ended at NOW_NS having sent SENT_BYTES (its bytes, or
 * more when rounded up to whole messages): the next round's bytes, or 0
 * when the migration is over (DONE or DIVERGED). */
double mdl_precopy_next(mdl_precopy *p, double now_ns, double sent_bytes);

#endif
