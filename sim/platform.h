/*
 * platform.h - the SimGrid platform of a scenario, generated as XML.
 *
 * Per preset p and physical host h, links (SPLITDUPLEX unless said: each
 * direction its own resource):
 *   p<p>-<h>-pcie     PCIe between memory and the adapters
 *   p<p>-<h>-hca      the HCA's packet engine
 *   p<p>-<h>-wire     the InfiniBand cable (its propagation as latency)
 *   p<p>-<h>-nic      the Ethernet NIC
 *   p<p>-<h>-ethwire  the Ethernet cable
 *   p<p>-<h>-memory   a core copying between two VMs' memories
 *   p<p>-<h>-eswitch  the HCA's embedded switch turning VF-to-VF packets
 *                     (FATPIPE, its latency the turnaround)
 * and per preset one "p<p>-switch" and one "p<p>-ethswitch" (FATPIPE: the
 * fabrics are non-blocking) carrying the switch latencies.
 *
 * A route (models/routes.def) joins two endpoints, SimGrid hosts named by
 * vr_platform_endpoint from the route's endpoint column; platform.c lists
 * the links each route crosses:
 *   InfiniBand  p<p>-<h> to p<p>-<g>: pcie hca wire switch wire hca pcie
 *   Ethernet    p<p>-<h>:eth to p<p>-<g>:eth: pcie nic ethwire ethswitch ...
 *   memory      p<p>-<h>:vm0-mem to p<p>-<h>:vm1-mem: memory
 *   HCA loop    p<p>-<h>:vm0-vf to p<p>-<h>:vm1-vf: pcie hca eswitch pcie
 *   kernel lo   p<p>-<h>:vm0-lo to p<p>-<h>:vm1-lo: kernel (no cost: a loopback
 *               netdev hands packets back; the stack's work is cpu stages)
 * Hosts joined back to back (the topology's `fabric: back-to-back`) cross no
 * switch, and their two cable links carry half of each host's propagation:
 * one cable.
 * A route's link latencies must add up to its fabric stages' costs
 * (mechanism.c); the engine reports any difference as queueing.
 * Fixed processing costs are not link latencies: they are arithmetic in the
 * actors (models/plan.h).  Each preset's hosts form a separate set so that
 * one simulation can run several presets one after the other.
 */
#ifndef VR_PLATFORM_H
#define VR_PLATFORM_H

#include <stdio.h>

#include "input/diag.h"
#include "models/scenario.h"

/* Write the platform of S to OUT (the file PATH, for messages).  Returns
 * 0; or -1 and DIAG on a write error, or when a rate or latency is one
 * SimGrid could not take (not finite, not positive, a denormal). */
int vr_platform_write(const scn_scenario *s, FILE *out, const char *path, vr_diag *diag);

/* SimGrid host of VM number VM (0 or 1) of an experiment whose messages take
 * ROUTE under PRESET, into BUF: on host VM for routes between hosts, both on
 * the first host otherwise. */
void vr_platform_endpoint(const scn_scenario *s, size_t preset, mdl_route route, int vm, char *buf, size_t len);

/* Index of the physical host VM number VM runs on, for ROUTE. */
size_t vr_platform_host_of(mdl_route route, int vm);

#endif
