/*
 * flow_between.h - a flow group's `between:` (internal to models/flows.c):
 * VM names (HOST/INDEX), ranges (HOST/A-B) and lists of them, read and
 * checked, kept as the sets the form pairs, so that a group's size is known
 * before anything of that size is allocated.
 */
#ifndef VR_FLOW_BETWEEN_H
#define VR_FLOW_BETWEEN_H

#include "models/flows.h"

/* The pairs of VMs of one `between:`, not yet multiplied by `qps`.
 * ONE_PAIR and LIST: a[i] with b[i]; PAIRS: a[i] with b[i]; INCAST: a[i]
 * with b[0]; ALL_TO_ALL: a[i] with a[j], i != j. */
typedef struct flow_plan {
	scn_flow_between form;
	size_t a_count, b_count;
	scn_vm_ref *a, *b;
} flow_plan;

/* Read `between:` NODE against the topology (F's vm_first and vm_count,
 * HOSTS[0 .. HOST_COUNT)).  0, or -1 with DIAG filled; free PLAN either way. */
int flow_between_read(const yt_node *node, const scn_host *hosts, size_t host_count, const scn_flows *f,
		      flow_plan *plan, vr_diag *diag);

/* One VM named by NODE (HOST/INDEX, not a range nor a hypervisor), WHAT
 * for messages.  0, or -1 with DIAG filled. */
int flow_between_vm(const yt_node *node, const scn_host *hosts, size_t host_count, const scn_flows *f,
		    const char *what, scn_vm_ref *vm, vr_diag *diag);

/* Pairs of VMs (client, server) in PLAN. */
unsigned long long flow_plan_pairs(const flow_plan *plan);

/* The K-th pair, K < flow_plan_pairs(PLAN). */
void flow_plan_pair(const flow_plan *plan, size_t k, scn_vm_ref *client, scn_vm_ref *server);

void flow_plan_free(flow_plan *plan);

#endif
