/*
 * platform.c - SimGrid platform XML from a resolved scenario.
 */
#include "sim/platform.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <string.h>

static const double BITS_PER_BYTE = 8.0;
/* Hosts compute nothing in this model yet; any speed will do. */
static const char *const HOST_SPEED = "1Gf";

/* A kernel loopback moves no bytes; SimGrid wants a finite rate all the same. */
static const double KERNEL_LOOPBACK_BPS = 8e15;

static void physical_name(const scn_scenario *s, size_t preset, size_t host, char *buf, size_t len)
{
	snprintf(buf, len, "p%zu-%s", preset, s->hosts[host].name);
}

size_t vr_platform_host_of(mdl_route route, int vm)
{
	return mdl_route_between_hosts(route) ? (size_t)vm : 0;
}

/* The endpoint of VM on HOST for ROUTE: the physical host, or a host of
 * the route's own (routes.def's endpoint), one per VM on a same-host
 * route.  ':' cannot appear in a host name of the scenario: no clashes. */
static void endpoint_on(const scn_scenario *s, size_t preset, size_t host, mdl_route route, int vm,
			char *buf, size_t len)
{
	char name[160];
	const mdl_route_info *r = &mdl_routes[route];
	physical_name(s, preset, host, name, sizeof name);
	if (!r->endpoint)
		snprintf(buf, len, "%s", name);
	else if (r->between_hosts)
		snprintf(buf, len, "%s:%s", name, r->endpoint);
	else
		snprintf(buf, len, "%s:vm%d-%s", name, vm, r->endpoint);
}

/* Endpoints per host of ROUTE: one, or one per VM when both VMs are on it. */
static int endpoints_per_host(mdl_route route)
{
	return mdl_routes[route].between_hosts ? 1 : 2;
}

void vr_platform_endpoint(const scn_scenario *s, size_t preset, mdl_route route, int vm, char *buf, size_t len)
{
	endpoint_on(s, preset, vr_platform_host_of(route, vm), route, vm, buf, len);
}

/* Links are written through this, which keeps the first value SimGrid
 * could not take: its parser refuses denormals ("value out of range") and
 * its solver needs positive finite rates.  Validation keeps every value
 * representable (models/params.def's bounds); this is the last line. */
typedef struct link_writer {
	FILE *out;
	char bad[256];   /* first link SimGrid could not take, or empty */
} link_writer;

static int representable_rate(double bytes_per_s)
{
	return isnormal(bytes_per_s) && bytes_per_s > 0;
}

static int representable_latency(double s)
{
	return s == 0 || (isnormal(s) && s > 0);
}

static void write_link(link_writer *w, const char *host, const char *kind, double bps, double latency_ns,
		       const char *sharing)
{
	double bytes_per_s = bps / BITS_PER_BYTE, latency_s = latency_ns * 1e-9;
	if (!w->bad[0] && !(representable_rate(bytes_per_s) && representable_latency(latency_s)))
		snprintf(w->bad, sizeof w->bad, "link %s-%s with %g B/s and %g s", host, kind, bytes_per_s, latency_s);
	fprintf(w->out, "    <link id=\"%s-%s\" bandwidth=\"%.17gBps\" latency=\"%.17gs\" sharing_policy=\"%s\"/>\n",
		host, kind, bytes_per_s, latency_s, sharing);
}

/* SimGrid's DTD wants a zone's hosts, then its links, then its routes. */
static void write_hosts(const scn_scenario *s, size_t p, FILE *out)
{
	char name[200];
	for (size_t h = 0; h < s->host_count; h++) {
		for (int r = ROUTE_NONE + 1; r < ROUTE_COUNT; r++)
			for (int vm = 0; vm < endpoints_per_host((mdl_route)r); vm++) {
				endpoint_on(s, p, h, (mdl_route)r, vm, name, sizeof name);
				fprintf(out, "    <host id=\"%s\" speed=\"%s\"/>\n", name, HOST_SPEED);
			}
	}
}

static void write_links(const scn_scenario *s, size_t p, link_writer *out)
{
	char name[160];
	for (size_t h = 0; h < s->host_count; h++) {
		const mdl_params *par = scn_params(s, p, h);
		/* back to back, the two hosts' cable links are the two halves of
		 * one cable: a route crosses both, as the plans' mean (mechanism_cost.c) */
		double cable_ns = s->back_to_back ? 0.5 * MDL_VALUE(par, WIRE_PROPAGATION) : MDL_VALUE(par, WIRE_PROPAGATION);
		physical_name(s, p, h, name, sizeof name);
		/* The rates the model streams payload at (mechanism.h): PCIe net of
		 * its TLP overhead. */
		write_link(out, name, "pcie", mdl_resource_bps(RES_PCIE, par), 0, "SPLITDUPLEX");
		write_link(out, name, "hca", mdl_resource_bps(RES_HCA, par), 0, "SPLITDUPLEX");
		write_link(out, name, "wire", mdl_resource_bps(RES_WIRE, par), cable_ns, "SPLITDUPLEX");
		write_link(out, name, "nic", mdl_resource_bps(RES_NIC, par), 0, "SPLITDUPLEX");
		write_link(out, name, "ethwire", mdl_resource_bps(RES_NIC, par), cable_ns, "SPLITDUPLEX");
		write_link(out, name, "memory", mdl_resource_bps(RES_MEMORY, par), 0, "SPLITDUPLEX");
		write_link(out, name, "eswitch", mdl_resource_bps(RES_HCA, par), MDL_VALUE(par, HCA_ESWITCH_LOOPBACK), "FATPIPE");
		write_link(out, name, "kernel", KERNEL_LOOPBACK_BPS, 0, "FATPIPE");
	}
	const mdl_params *first = scn_params(s, p, 0);
	snprintf(name, sizeof name, "p%zu", p);
	write_link(out, name, "switch", mdl_resource_bps(RES_SWITCH, first), MDL_VALUE(first, SWITCH_LATENCY), "FATPIPE");
	write_link(out, name, "ethswitch", mdl_resource_bps(RES_NIC, first), MDL_VALUE(first, ETH_SWITCH_LATENCY), "FATPIPE");
}

/* The links a route crosses, source to destination (SimGrid's names; the
 * bandwidths the plan streams at are routes.def's links).  A hop is a link
 * of the source's host, the destination's (the same host on a same-host
 * route) or the preset's fabric, in a direction (or none, for FATPIPE). */
typedef enum hop_at { AT_SRC, AT_DST, AT_FABRIC } hop_at;
typedef struct hop {
	const char *link;
	hop_at at;
	const char *direction;
} hop;
enum { HOPS_MAX = 7 };
static const hop route_hops[ROUTE_COUNT][HOPS_MAX] = {
	[ROUTE_INFINIBAND] = {{"pcie", AT_SRC, "UP"}, {"hca", AT_SRC, "UP"}, {"wire", AT_SRC, "UP"}, {"switch", AT_FABRIC, NULL},
			      {"wire", AT_DST, "DOWN"}, {"hca", AT_DST, "DOWN"}, {"pcie", AT_DST, "DOWN"}},
	[ROUTE_ETHERNET] = {{"pcie", AT_SRC, "UP"}, {"nic", AT_SRC, "UP"}, {"ethwire", AT_SRC, "UP"}, {"ethswitch", AT_FABRIC, NULL},
			    {"ethwire", AT_DST, "DOWN"}, {"nic", AT_DST, "DOWN"}, {"pcie", AT_DST, "DOWN"}},
	[ROUTE_MEMORY] = {{"memory", AT_SRC, "UP"}},
	[ROUTE_HCA_LOOPBACK] = {{"pcie", AT_SRC, "UP"}, {"hca", AT_SRC, "UP"}, {"eswitch", AT_SRC, NULL}, {"pcie", AT_DST, "DOWN"}},
	[ROUTE_KERNEL_LOOPBACK] = {{"kernel", AT_SRC, NULL}},
};

/* One hop: LINK of NAME (a host or the preset), in DIRECTION or none. */
static void write_hop(FILE *out, const char *name, const char *link, const char *direction)
{
	if (direction)
		fprintf(out, "<link_ctn id=\"%s-%s\" direction=\"%s\"/>", name, link, direction);
	else
		fprintf(out, "<link_ctn id=\"%s-%s\"/>", name, link);
}

/* ROUTE from host A to host B (A itself on a same-host route, from VM 0 to
 * VM 1).  Routes between hosts take a line per hop list, the others one. */
static void write_route(const scn_scenario *s, size_t p, size_t a, size_t b, mdl_route route, FILE *out)
{
	assert(route_hops[route][0].link);   /* every route of routes.def has hops here */
	int between = mdl_routes[route].between_hosts;
	char src[200], dst[200], names[3][160];
	endpoint_on(s, p, a, route, 0, src, sizeof src);
	endpoint_on(s, p, b, route, between ? 0 : 1, dst, sizeof dst);
	physical_name(s, p, a, names[AT_SRC], sizeof names[AT_SRC]);
	physical_name(s, p, b, names[AT_DST], sizeof names[AT_DST]);
	snprintf(names[AT_FABRIC], sizeof names[AT_FABRIC], "p%zu", p);
	fprintf(out, "    <route src=\"%s\" dst=\"%s\">%s", src, dst, between ? "\n      " : "");
	for (size_t i = 0; i < HOPS_MAX && route_hops[route][i].link; i++)
		if (!(s->back_to_back && route_hops[route][i].at == AT_FABRIC))   /* back to back: no switch */
			write_hop(out, names[route_hops[route][i].at], route_hops[route][i].link, route_hops[route][i].direction);
	fprintf(out, "%s</route>\n", between ? "\n    " : "");
}

/* Per host: the routes to each later host, then its same-host routes. */
static void write_routes(const scn_scenario *s, size_t p, FILE *out)
{
	for (size_t a = 0; a < s->host_count; a++) {
		for (size_t b = a + 1; b < s->host_count; b++)
			for (int r = ROUTE_NONE + 1; r < ROUTE_COUNT; r++)
				if (mdl_routes[r].between_hosts)
					write_route(s, p, a, b, (mdl_route)r, out);
		for (int r = ROUTE_NONE + 1; r < ROUTE_COUNT; r++)
			if (!mdl_routes[r].between_hosts)
				write_route(s, p, a, a, (mdl_route)r, out);
	}
}

int vr_platform_write(const scn_scenario *s, FILE *out, const char *path, vr_diag *diag)
{
	link_writer links = {.out = out};
	fprintf(out, "<?xml version='1.0'?>\n");
	fprintf(out, "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n");
	fprintf(out, "<!-- Generated by vrdmasim from %s; see sim/platform.h for its shape. -->\n", s->file);
	fprintf(out, "<platform version=\"4.1\">\n  <zone id=\"fabric\" routing=\"Full\">\n");
	for (size_t p = 0; p < s->preset_count; p++)
		write_hosts(s, p, out);
	for (size_t p = 0; p < s->preset_count; p++)
		write_links(s, p, &links);
	for (size_t p = 0; p < s->preset_count; p++)
		write_routes(s, p, out);
	fprintf(out, "  </zone>\n</platform>\n");
	if (links.bad[0])
		return vr_diag_at(diag, (vr_where){path, 0, 0},
				  "internal error: found a %s, expected positive normal rates and latencies of 0 or normal numbers (SimGrid refuses the rest)",
				  links.bad);
	if (ferror(out))
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot write the platform: %s", strerror(errno));
	return 0;
}
