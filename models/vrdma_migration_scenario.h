/*
 * vrdma_migration_scenario.h - a scenario's `vrdma_migration:` block: a VM
 * with a vRDMA device migrating from one host of the topology to another,
 * its peers on other hosts, and the grid of QP counts and registered
 * memory the model (models/vrdma_migration.h) is evaluated at, per preset.
 *
 * Contract:
 * - Read strictly: every key, count, size, time and host name is checked
 *   and a refusal is located (FILE:LINE:COL: found X, expected Y).  QPs,
 *   CQs, PDs and regions run from 0 to MDL_VMIG_OBJECTS_MAX, registered
 *   memory from 0 to MDL_VMIG_REGISTERED_MAX, and a region holds at least
 *   one 4 KiB page (the smallest mem.page_size) at every memory of the
 *   grid; peers are hosts of the topology other than the two ends, each
 *   once, and QPs need at least one.
 * - The grid is every QP count with every memory, in the order written;
 *   at most SCN_VMIG_POINTS_MAX values each.
 * - scn_vmig_evaluate runs the model for one (preset, point) with the
 *   scenario's parameters of the source, destination and first peer host
 *   (the busiest: QPs are spread round robin over the peers in order).
 */
#ifndef VR_VRDMA_MIGRATION_SCENARIO_H
#define VR_VRDMA_MIGRATION_SCENARIO_H

#include "input/diag.h"
#include "input/yaml_tree.h"
#include "models/host.h"
#include "models/migrate.h"
#include "models/vrdma_migration.h"

enum { SCN_VMIG_POINTS_MAX = 64 };

typedef struct scn_vmig {
	vr_where where;                    /* the block, for messages */
	size_t from, to;                   /* host indices: source, destination */
	size_t peers[SCN_HOSTS_MAX];       /* peer hosts' indices, in the order written */
	size_t peer_count;
	unsigned long long qps[SCN_VMIG_POINTS_MAX];       /* the grid's QP counts */
	size_t qps_count;
	unsigned long long memory[SCN_VMIG_POINTS_MAX];    /* the grid's registered bytes */
	size_t memory_count;
	unsigned long long cqs_per_qp;     /* CQs = QPs x this (0 to 2: a send and a receive CQ) */
	unsigned long long regions;        /* R at every memory above 0 (none at 0) */
	mdl_vmig_device device;            /* the rest: PDs, in flight, modes, times */
} scn_vmig;

/* Read NODE (the value of KEY `vrdma_migration`) against the topology's
 * HOSTS into OUT.  0, or -1 with DIAG filled. */
int scn_vmig_read(const yt_node *node, const scn_host *hosts, size_t host_count, scn_vmig *out, vr_diag *diag);

/* Read `migrate:`'s `vrdma:` map NODE (docs/scenario-format.md, "A vRDMA
 * VM in a migration") into OUT: the VM (`vm:`, its text checked here and
 * resolved by the flows' reader) or its QPs and peer hosts (`qps:`,
 * `peers:`), its regions and registered memory, CQs per QP, PDs, requests
 * in flight, quiesce and registration, with this block's limits.  The
 * pre-copy that registration may overlap is the run's, measured.  0, or
 * -1 with DIAG filled. */
int scn_vmig_read_live(const yt_node *node, scn_migrate_vrdma *out, vr_diag *diag);

/* The device of grid point (QPS_INDEX, MEMORY_INDEX) of V. */
mdl_vmig_device scn_vmig_point(const scn_vmig *v, size_t qps_index, size_t memory_index);

#endif
