/*
 * platform.c - SimGrid platform XML from a resolved scenario.
 */
#include "sim/platform.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static const double BITS_PER_BYTE = 8.0;
/* Hosts compute nothing in this model yet; any speed will do. */
static const char *const HOST_SPEED = "1Gf";

/* Suffix of the endpoint hosts of a same-host route; NULL for the others. */
static const char *const local_suffix[ROUTE_COUNT] = {
	[ROUTE_MEMORY] = "mem", [ROUTE_HCA_LOOPBACK] = "vf", [ROUTE_KERNEL_LOOPBACK] = "lo",
};
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

/* ':' cannot appear in a host name of the scenario: no clashes. */
static void endpoint_on(const scn_scenario *s, size_t preset, size_t host, mdl_route route, int vm,
			char *buf, size_t len)
{
	char name[160];
	physical_name(s, preset, host, name, sizeof name);
	if (route == ROUTE_ETHERNET)
		snprintf(buf, len, "%s:eth", name);
	else if (local_suffix[route])
		snprintf(buf, len, "%s:vm%d-%s", name, vm, local_suffix[route]);
	else
		snprintf(buf, len, "%s", name);
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
		static const mdl_route routes[] = {ROUTE_INFINIBAND, ROUTE_ETHERNET, ROUTE_MEMORY, ROUTE_HCA_LOOPBACK,
						   ROUTE_KERNEL_LOOPBACK};
		for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++)
			for (int vm = 0; vm < (local_suffix[routes[r]] ? 2 : 1); vm++) {
				endpoint_on(s, p, h, routes[r], vm, name, sizeof name);
				fprintf(out, "    <host id=\"%s\" speed=\"%s\"/>\n", name, HOST_SPEED);
			}
	}
}

static void write_links(const scn_scenario *s, size_t p, link_writer *out)
{
	char name[160];
	for (size_t h = 0; h < s->host_count; h++) {
		const mdl_params *par = scn_params(s, p, h);
		physical_name(s, p, h, name, sizeof name);
		/* The rates the model streams payload at (mechanism.h): PCIe net of
		 * its TLP overhead. */
		write_link(out, name, "pcie", mdl_resource_bps(RES_PCIE, par), 0, "SPLITDUPLEX");
		write_link(out, name, "hca", mdl_resource_bps(RES_HCA, par), 0, "SPLITDUPLEX");
		write_link(out, name, "wire", mdl_resource_bps(RES_WIRE, par), MDL_VALUE(par, WIRE_PROPAGATION), "SPLITDUPLEX");
		write_link(out, name, "nic", mdl_resource_bps(RES_NIC, par), 0, "SPLITDUPLEX");
		write_link(out, name, "ethwire", mdl_resource_bps(RES_NIC, par), MDL_VALUE(par, WIRE_PROPAGATION), "SPLITDUPLEX");
		write_link(out, name, "memory", mdl_resource_bps(RES_MEMORY, par), 0, "SPLITDUPLEX");
		write_link(out, name, "eswitch", mdl_resource_bps(RES_HCA, par), MDL_VALUE(par, HCA_ESWITCH_LOOPBACK), "FATPIPE");
		write_link(out, name, "kernel", KERNEL_LOOPBACK_BPS, 0, "FATPIPE");
	}
	const mdl_params *first = scn_params(s, p, 0);
	snprintf(name, sizeof name, "p%zu", p);
	write_link(out, name, "switch", mdl_resource_bps(RES_SWITCH, first), MDL_VALUE(first, SWITCH_LATENCY), "FATPIPE");
	write_link(out, name, "ethswitch", mdl_resource_bps(RES_NIC, first), MDL_VALUE(first, ETH_SWITCH_LATENCY), "FATPIPE");
}

/* One hop of a route: LINK of host NAME, in DIRECTION (or none, for FATPIPE). */
static void hop(FILE *out, const char *name, const char *link, const char *direction)
{
	if (direction)
		fprintf(out, "<link_ctn id=\"%s-%s\" direction=\"%s\"/>", name, link, direction);
	else
		fprintf(out, "<link_ctn id=\"%s-%s\"/>", name, link);
}

/* A fabric route between two hosts: out through SRC's adapter and cable,
 * the switch, in through DST's. */
static void write_fabric_route(const scn_scenario *s, size_t p, size_t a, size_t b, mdl_route route, FILE *out)
{
	int ib = route == ROUTE_INFINIBAND;
	const char *adapter = ib ? "hca" : "nic", *cable = ib ? "wire" : "ethwire", *sw = ib ? "switch" : "ethswitch";
	char src[200], dst[200], src_host[160], dst_host[160], zone[32];
	endpoint_on(s, p, a, route, 0, src, sizeof src);
	endpoint_on(s, p, b, route, 0, dst, sizeof dst);
	physical_name(s, p, a, src_host, sizeof src_host);
	physical_name(s, p, b, dst_host, sizeof dst_host);
	snprintf(zone, sizeof zone, "p%zu", p);
	fprintf(out, "    <route src=\"%s\" dst=\"%s\">\n      ", src, dst);
	hop(out, src_host, "pcie", "UP");
	hop(out, src_host, adapter, "UP");
	hop(out, src_host, cable, "UP");
	hop(out, zone, sw, NULL);
	hop(out, dst_host, cable, "DOWN");
	hop(out, dst_host, adapter, "DOWN");
	hop(out, dst_host, "pcie", "DOWN");
	fprintf(out, "\n    </route>\n");
}

/* The same-host routes of host H: a memory copy, the HCA loop, and the
 * kernel's loopback netdev. */
static void write_local_routes(const scn_scenario *s, size_t p, size_t h, FILE *out)
{
	char src[200], dst[200], host[160];
	physical_name(s, p, h, host, sizeof host);
	endpoint_on(s, p, h, ROUTE_MEMORY, 0, src, sizeof src);
	endpoint_on(s, p, h, ROUTE_MEMORY, 1, dst, sizeof dst);
	fprintf(out, "    <route src=\"%s\" dst=\"%s\">", src, dst);
	hop(out, host, "memory", "UP");
	fprintf(out, "</route>\n");
	endpoint_on(s, p, h, ROUTE_HCA_LOOPBACK, 0, src, sizeof src);
	endpoint_on(s, p, h, ROUTE_HCA_LOOPBACK, 1, dst, sizeof dst);
	fprintf(out, "    <route src=\"%s\" dst=\"%s\">", src, dst);
	hop(out, host, "pcie", "UP");
	hop(out, host, "hca", "UP");
	hop(out, host, "eswitch", NULL);
	hop(out, host, "pcie", "DOWN");
	fprintf(out, "</route>\n");
	endpoint_on(s, p, h, ROUTE_KERNEL_LOOPBACK, 0, src, sizeof src);
	endpoint_on(s, p, h, ROUTE_KERNEL_LOOPBACK, 1, dst, sizeof dst);
	fprintf(out, "    <route src=\"%s\" dst=\"%s\">", src, dst);
	hop(out, host, "kernel", NULL);
	fprintf(out, "</route>\n");
}

static void write_routes(const scn_scenario *s, size_t p, FILE *out)
{
	for (size_t a = 0; a < s->host_count; a++) {
		for (size_t b = a + 1; b < s->host_count; b++) {
			write_fabric_route(s, p, a, b, ROUTE_INFINIBAND, out);
			write_fabric_route(s, p, a, b, ROUTE_ETHERNET, out);
		}
		write_local_routes(s, p, a, out);
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
