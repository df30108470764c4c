/*
 * flow_migrate.h - a flows scenario's live migrations (`migrate:` groups)
 * on the many-flow engine: each is a controller of rounds (fl_add_controller)
 * over its streams, whose next round's bytes the pre-copy arithmetic
 * (models/migrate.h) takes from the last round's measured duration; each
 * round's pages cross as messages through the hosts' hypervisor cores,
 * HCA, PCIe and links, beside the VMs' traffic.
 *
 * Registration (transport rdma): pin_all registers all memory on both
 * sides before round 1 (the streams start that much later, each side's
 * hypervisor spending it); on_demand registers each chunk on its first
 * send, source and destination, with a control round trip (QEMU's
 * RDMA_CONTROL_REGISTER_REQUEST): round 1's messages carry their share of
 * it on the hypervisor cores, later rounds find their pages registered.
 * Internal to the sim layer and output.
 */
#ifndef VR_FLOW_MIGRATE_H
#define VR_FLOW_MIGRATE_H

#include <stdint.h>

#include "models/migrate.h"
#include "models/params.h"
#include "models/vrdma_migration.h"
#include "sim/flows/flows.h"

typedef struct vr_migration {
	int on;                      /* the group is a migration */
	mdl_precopy pre;
	double message_bytes;
	uint64_t round_ops;          /* messages of the current round */
	uint32_t later_path;         /* the path after round 1 (on_demand: without registering) */
	uint32_t source_cpu, destination_cpu;   /* the hypervisor servers of its two hosts */
	double pin_ns;               /* pin_all: each side's registration before round 1 */
	double cpu_ns[2][2];         /* [round 1, later rounds][source, destination]: one message's
				      * work on each side's hypervisor cores (mean service) */
	uint64_t first_ops, later_ops;   /* messages of round 1, of the later rounds */
	double start_ns;             /* the group's start (before any registration) */
	/* The migrated VM, when the group names it (`vm:`, or `vrdma:`'s): the
	 * flows with an end at it (its own groups' flows: its peers' ends too)
	 * are held (fl_hold) from the stop-and-copy's start, the VM being
	 * stopped, until the stop-and-copy's end, when it runs again on the
	 * destination; with `vrdma:`, until that end plus the device's steps,
	 * the notification and the peers' re-pointing (below).  Without a
	 * named VM nothing is held. */
	fl_engine *engine;           /* not owned: to hold and release the flows */
	uint32_t *held;              /* [held_count]: the flows held (owned) */
	size_t held_count;
	double stop_start_ns;        /* the stop-and-copy's start (-1 before) */
	double release_ns;           /* when the held flows were released (-1 before) */
	/* `vrdma:` (docs/architecture.md, "Migrating a vRDMA VM"): the VM's
	 * device; its state crosses in the stop-and-copy, the rest of the
	 * model's steps add to the measured downtime, and the held flows wait
	 * for them, the notification and the peers' re-pointing too */
	int vrdma;
	mdl_vmig_device device;      /* QPs and peers filled in by the build */
	const mdl_params *src, *dst, *peer;   /* peer: the busiest peer host's (NULL without QPs) */
	mdl_vmig_result vmig;        /* the model's steps, once DONE */
} vr_migration;

/* What one message of M's round 1 costs each side in registration with
 * on_demand over rdma (0 otherwise), with P's costs; and into *PIN_NS
 * what pin_all costs each side before round 1 (0 otherwise). */
double vr_migration_register_ns(const scn_migrate *m, int rdma, const mdl_params *p, double *pin_ns);

/* Start M (the group's MIGRATE, starting at START_NS, streams registered
 * after PIN_NS): round 1's messages. */
uint64_t vr_migration_start(vr_migration *m, const scn_migrate *migrate, double start_ns, double pin_ns);

/* The controller's fl_round_fn (CTX a vr_migration). */
uint64_t vr_migration_next_round(void *ctx, double now_ns, uint32_t *path);

/* Figures of a run's migration, for the reports. */
typedef struct vr_migration_figures {
	double total_s;              /* from the group's start to the end (DONE or DIVERGED), registration included */
	double downtime_ms;          /* the stop-and-copy's duration; 0 unless converged */
	double moved_bytes;          /* every round's messages' bytes */
	unsigned rounds;             /* the stop-and-copy included */
	double source_cpu_s, destination_cpu_s;   /* the migration's seconds on each host's
						   * hypervisor cores: its messages' work, and pin_all's */
	int converged;               /* DONE: the VM runs on the destination */
	int forced;                  /* stop-and-copy forced by max_rounds: the downtime target missed */
	const char *result;          /* "converged", "round limit", "does not converge" */
	/* `vrdma:` (0 without; the model's terms once converged): downtime_ms is
	 * measured_downtime_ms (the stop-and-copy, the device state included)
	 * plus the quiesce, the registration left, objects and QPs */
	int vrdma;
	unsigned long long qps, peers;
	double measured_downtime_ms;
	double added_downtime_ms;    /* the device's: the state's crossing (its bytes at the rate
				      * the model takes) and the four terms below */
	double state_bytes, state_transfer_ms;
	double quiesce_ms, register_added_ms, objects_ms, qp_restore_ms;
	double notify_ms, repoint_ms;
	double peer_pause_ms;        /* the busiest peer host's QPs: stop-and-copy's start to the
				      * end of their re-pointing (0 without QPs) */
	/* the migrated VM's own flows (0 unless the group names it) */
	size_t held_flows;           /* flows with an end at the VM */
	uint64_t held_ops;           /* their operations that waited for the VM to run again
				      * (fl_flow_held_ops) */
	double held_ms;              /* from the stop-and-copy's start to their release; 0 if
				      * never held (no stop-and-copy, or not converged) */
} vr_migration_figures;

/* The device terms added to the measured stop-and-copy (ns). */
double vr_migration_vrdma_extra_ns(const mdl_vmig_result *v);

struct vr_flow_result;
void vr_migration_figures_of(const struct vr_flow_result *r, const vr_migration *m, vr_migration_figures *out);

#endif
