/*
 * platform.h - the SimGrid platform of a scenario, generated as XML.
 *
 * Per preset p and host h: a host "p<p>-<host>" and three links on its way
 * to the fabric: "p<p>-<host>-pcie" (PCIe, SPLITDUPLEX: each direction its own resource), "p<p>-<host>-hca" (the
 * HCA's packet engine, SPLITDUPLEX) and "p<p>-<host>-wire" (the cable, SPLITDUPLEX,
 * with its propagation as latency); one "p<p>-switch" (FATPIPE: the fabric
 * is non-blocking) carries the switch latency.  Route h -> g:
 *   pcie(h) hca(h) wire(h) switch wire(g) hca(g) pcie(g)
 * Fixed processing costs are not link latencies: they are arithmetic in the
 * actors (models/plan.h).  Each preset's hosts form a separate set so that
 * one simulation can run several presets one after the other.
 */
#ifndef VR_PLATFORM_H
#define VR_PLATFORM_H

#include <stdio.h>

#include "sim/scenario.h"

/* Write the platform of S to OUT.  Returns 0, or -1 on a write error. */
int vr_platform_write(const scn_scenario *s, FILE *out);

/* Host name of HOST under PRESET, into BUF. */
void vr_platform_host_name(const scn_scenario *s, size_t preset, size_t host, char *buf, size_t len);

#endif
