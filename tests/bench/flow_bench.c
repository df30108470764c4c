/*
 * flow_bench.c - the many-flow engine's speed on the shape of issue 13's
 * bench: VMS VMs on 8 hosts, QPS client QPs per VM, each connected to a QP
 * of a VM on the next host, ping-pong (window 1) for ROUND_TRIPS each.
 * Per host three servers (one vRDMA backend core, the HCA's engines, the
 * uplink); a round trip visits eight of them and crosses folded delays.
 * The costs are round numbers of the right order, not a calibrated model:
 * this measures the engine, not vRDMA.
 * With CHOICES above 1, each flow is a mix of that many equal choices of
 * the same round trip (a size mix's cost: a draw per operation; the
 * simulated figures do not change).
 * With QP_CACHE above 0, each host's HCA has a QP-context cache of that
 * many entries (fully associative LRU) that each message looks its QP up
 * in before the HCA's engines, a miss costing 547 ns (hca.context_miss):
 * at each HCA visit: four lookups (four events) more per round trip.
 * Usage: flow_bench [VMS [QPS [ROUND_TRIPS [CHOICES [QP_CACHE]]]]]   (default 1000 8 1000 1 0)
 * Prints the run's size, wall time, events/s, round trips/s and peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/flows/flows.h"

enum { HOSTS = 8 };

typedef struct host_servers {
	uint32_t core, hca, uplink;
	uint32_t qp_cache;       /* FL_NONE: none */
} host_servers;

static double wall_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void add_servers(fl_engine *e, host_servers *h, long qp_cache)
{
	char name[64];
	for (int i = 0; i < HOSTS; i++) {
		snprintf(name, sizeof name, "host%d/qp-contexts", i);
		h[i].qp_cache = qp_cache > 0 ? fl_add_cache(e, &(fl_cache_spec){.name = name, .entries = (uint32_t)qp_cache})
					     : FL_NONE;
		snprintf(name, sizeof name, "host%d/backend-core", i);
		h[i].core = fl_add_server(e, &(fl_server_spec){.name = name, .units = 1});
		snprintf(name, sizeof name, "host%d/hca-engines", i);
		h[i].hca = fl_add_server(e, &(fl_server_spec){.name = name, .units = 4});
		snprintf(name, sizeof name, "host%d/uplink", i);
		h[i].uplink = fl_add_server(e, &(fl_server_spec){.name = name, .units = 1});
	}
}

/* A 64 B WRITE from host A to host B, then B's answer: one round trip. */
static uint32_t add_round_trip(fl_engine *e, const host_servers *a, const host_servers *b)
{
	fl_hop_spec hops[] = {
		{.server = FL_NONE, .time_ns = 150},      /* guest posts to its ring */
		{.server = a->core, .time_ns = 250},      /* trap, translate, physical doorbell */
		{.server = FL_NONE, .time_ns = 200},      /* doorbell MMIO, WQE fetch */
		{.server = a->hca, .time_ns = 60},        /* HCA engine: the WQE */
		{.server = FL_NONE, .time_ns = 100},      /* payload DMA read */
		{.server = a->uplink, .time_ns = 16},     /* 64 B + headers at 40 Gb/s */
		{.server = FL_NONE, .time_ns = 600},      /* wire and switch */
		{.server = b->hca, .time_ns = 60},        /* responder: DMA write, ACK */
		{.server = FL_NONE, .time_ns = 400},      /* the guest on B sees the data */
		{.server = FL_NONE, .time_ns = 150},      /* and posts its answer */
		{.server = b->core, .time_ns = 250},
		{.server = FL_NONE, .time_ns = 200},
		{.server = b->hca, .time_ns = 60},
		{.server = FL_NONE, .time_ns = 100},
		{.server = b->uplink, .time_ns = 16},
		{.server = FL_NONE, .time_ns = 600},
		{.server = a->hca, .time_ns = 60},
		{.server = FL_NONE, .time_ns = 400},
	};
	enum { COUNT = sizeof hops / sizeof hops[0] };
	if (a->qp_cache == FL_NONE)
		return fl_add_path(e, hops, COUNT);
	/* the QP's context looked up before each HCA's engines take a WQE or a message */
	fl_hop_spec cached[2 * COUNT];
	size_t n = 0;
	for (size_t i = 0; i < COUNT; i++) {
		if (hops[i].server == a->hca || hops[i].server == b->hca)
			cached[n++] = (fl_hop_spec){.server = FL_CACHE, .time_ns = 547, .key = FL_KEY_QP,
						    .cache = hops[i].server == a->hca ? a->qp_cache : b->qp_cache};
		cached[n++] = hops[i];
	}
	return fl_add_path(e, cached, n);
}

int main(int argc, char **argv)
{
	long vms = argc > 1 ? atol(argv[1]) : 1000, qps = argc > 2 ? atol(argv[2]) : 8;
	long round_trips = argc > 3 ? atol(argv[3]) : 1000, choices = argc > 4 ? atol(argv[4]) : 1;
	long qp_cache = argc > 5 ? atol(argv[5]) : 0;
	if (vms < HOSTS || qps < 1 || round_trips < 1 || choices < 1 || choices > FL_CHOICES_MAX || qp_cache < 0 ||
	    qp_cache > (1L << 30)) {
		fprintf(stderr, "usage: flow_bench [VMS >= %d [QPS >= 1 [ROUND_TRIPS >= 1 [CHOICES 1 .. %d [QP_CACHE 0 .. 2^30]]]]]\n",
			HOSTS, FL_CHOICES_MAX);
		return 2;
	}
	double t0 = wall_s();
	fl_config config = {.seed = 1, .groups = 1, .vms = (uint32_t)vms};
	fl_engine *e = fl_engine_new(&config);
	host_servers hosts[HOSTS];
	add_servers(e, hosts, qp_cache);
	uint32_t paths[HOSTS];
	for (int i = 0; i < HOSTS; i++)
		paths[i] = add_round_trip(e, &hosts[i], &hosts[(i + 1) % HOSTS]);
	long per_host = vms / HOSTS;
	fl_choice mix[FL_CHOICES_MAX];
	for (long vm = 0; vm < per_host * HOSTS; vm++) {
		long host = vm / per_host, peer = ((host + 1) % HOSTS) * per_host + vm % per_host;
		for (long c = 0; c < choices; c++)
			mix[c] = (fl_choice){.path = paths[host], .bytes_per_op = 64, .weight = 1};
		for (long q = 0; q < qps; q++)
			if (fl_add_flow(e, &(fl_flow_spec){.path = paths[host], .client_vm = (uint32_t)vm,
							   .server_vm = (uint32_t)peer, .bytes_per_op = 64,
							   .load = FL_CLOSED_LOOP, .window = 1,
							   .operations = (uint64_t)round_trips,
							   .choices = choices > 1 ? mix : NULL,
							   .choice_count = choices > 1 ? (uint32_t)choices : 0,
							   .qp_key = (uint64_t)fl_flow_count(e)}) == FL_NONE) {
				fprintf(stderr, "flow_bench: %s\n", fl_engine_error(e));
				return 1;
			}
	}
	double t1 = wall_s();
	if (fl_run(e) < 0) {
		fprintf(stderr, "flow_bench: %s\n", fl_engine_error(e));
		return 1;
	}
	double t2 = wall_s();
	fl_figures g;
	fl_group_figures(e, 0, &g);
	fl_server_figures busiest;
	fl_server_figures_of(e, fl_busiest_server(e), &busiest);
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	double run_s = t2 - t1;
	printf("flows %zu round_trips %llu events %llu\n", fl_flow_count(e), (unsigned long long)g.completed,
	       (unsigned long long)fl_events(e));
	printf("build_s %.3f run_s %.3f events_per_s %.0f round_trips_per_s %.0f peak_rss_kib %ld\n", t1 - t0, run_s,
	       (double)fl_events(e) / run_s, (double)g.completed / run_s, usage.ru_maxrss);
	printf("simulated_s %.6f round_trip_p50_ns %.1f p99_ns %.1f busiest %s utilisation %.3f\n",
	       fl_end_ns(e) * 1e-9, g.p50_ns, g.p99_ns, busiest.name, busiest.utilisation);
	for (size_t c = 0; c < fl_cache_count(e) && c < 2; c++) {
		fl_cache_figures cf;
		fl_cache_figures_of(e, (uint32_t)c, &cf);
		printf("cache %s entries %u lookups %llu hit_rate %.4f\n", cf.name, cf.entries,
		       (unsigned long long)cf.lookups, cf.hit_rate);
	}
	fl_engine_free(e);
	return 0;
}
