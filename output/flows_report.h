/*
 * flows_report.h - the results of a flows scenario (sim/flow_experiment.h)
 * in text, JSON and CSV: per flow group (operations, ops/s, MB/s, latency
 * percentiles), per VM, per shared server (utilisation, visits, waiting),
 * and the server that saturates first, in text beside each host's PCIe
 * utilisation each way and cache hit rates (docs/results-schema.md, "Many
 * flows").  Latencies are per message for WRITE and SEND latency tests
 * (half the round trip, as perftest), whole otherwise.
 */
#ifndef VR_FLOWS_REPORT_H
#define VR_FLOWS_REPORT_H

#include <stdio.h>

#include "output/provenance.h"
#include "output/report.h"
#include "sim/results.h"

/* Write RUN's flow results in FORMAT to OUT.  0, or -1 with DIAG filled. */
int vr_flows_report(const vr_run *run, vr_format format, const vr_invocation *inv, FILE *out, vr_diag *diag);

#endif
