/*
 * vrdma_migration_report.h - a `vrdma_migration:` scenario's results
 * (models/vrdma_migration_scenario.h) in text, JSON and CSV: for each
 * preset and grid point (QPs, registered memory), the device state sent,
 * each step's time, the VM's added downtime and the pause the busiest peer
 * host's QPs see (docs/results-schema.md, "Migrating a vRDMA VM").
 */
#ifndef VR_VRDMA_MIGRATION_REPORT_H
#define VR_VRDMA_MIGRATION_REPORT_H

#include <stdio.h>

#include "output/provenance.h"
#include "output/report.h"

/* Evaluate S's block (S->vmig must be set) and write it in FORMAT to OUT.
 * 0, or -1 with DIAG filled (a non-finite result: an internal error). */
int vr_vmig_report(const scn_scenario *s, vr_format format, const vr_invocation *inv, FILE *out, vr_diag *diag);

#endif
