/*
 * bare_pingpong.c - the reference for `make bench`: the plainest SimGrid
 * ping-pong, configured like vrdmasim (CM02).
 *
 *   bare_pingpong ROUND_TRIPS
 *       two actors, one link, a 2-byte message each way per round trip
 *   bare_pingpong ROUND_TRIPS PAIRS HOSTS
 *       PAIRS ping-pong pairs of 64-byte messages, each doing ROUND_TRIPS,
 *       at once: pair i from host i mod HOSTS to the next host, every
 *       message crossing its source's uplink and its destination's
 *       (one full-duplex link per host, shared by every pair that starts
 *       or ends there: SPLITDUPLEX, its UP way leaving the host, its DOWN
 *       way entering it, as the many-flow engine's "H uplink" and
 *       "H downlink" servers).
 *       The many-flow engine's reference: with thousands of flows in
 *       flight, SimGrid's sharing solver sets the pace.
 *
 * Prints "round_trips N wall_s W" (N: all pairs' round trips).
 */
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { SINGLE_BYTES = 2, PAIR_BYTES = 64, NAME_BYTES = 32, HOSTS_MAX = 64 };

static long round_trips;
static long message_bytes = SINGLE_BYTES;
static int token;

/* argv[1], argv[2]: this actor's mailbox and its peer's. */
static void ping(int argc, char **argv)
{
	sg_mailbox_t mine = sg_mailbox_by_name(argc == 3 ? argv[1] : "ping");
	sg_mailbox_t peer = sg_mailbox_by_name(argc == 3 ? argv[2] : "pong");
	for (long i = 0; i < round_trips; i++) {
		sg_mailbox_put(peer, &token, message_bytes);
		sg_mailbox_get(mine);
	}
}

static void pong(int argc, char **argv)
{
	sg_mailbox_t mine = sg_mailbox_by_name(argc == 3 ? argv[1] : "pong");
	sg_mailbox_t peer = sg_mailbox_by_name(argc == 3 ? argv[2] : "ping");
	for (long i = 0; i < round_trips; i++) {
		sg_mailbox_get(mine);
		sg_mailbox_put(peer, &token, message_bytes);
	}
}

/* HOSTS hosts, a full-duplex link each, a route between every two of
 * them over the source's link going up and the destination's coming
 * down, written to F. */
static void write_shared_platform(FILE *f, int hosts)
{
	fprintf(f, "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
		   "<platform version=\"4.1\"><zone id=\"z\" routing=\"Full\">\n");
	for (int h = 0; h < hosts; h++)
		fprintf(f, "<host id=\"h%d\" speed=\"1Gf\"/><link id=\"up%d\" bandwidth=\"4GBps\" latency=\"500ns\" sharing_policy=\"SPLITDUPLEX\"/>\n", h, h);
	for (int a = 0; a < hosts; a++)
		for (int b = 0; b < hosts; b++)
			if (a != b)
				fprintf(f, "<route src=\"h%d\" dst=\"h%d\" symmetrical=\"NO\"><link_ctn id=\"up%d\" direction=\"UP\"/><link_ctn id=\"up%d\" direction=\"DOWN\"/></route>\n",
					a, b, a, b);
	fprintf(f, "</zone></platform>\n");
}

static void start_pairs(long pairs, int hosts)
{
	for (long p = 0; p < pairs; p++) {
		char a[NAME_BYTES], b[NAME_BYTES], from[NAME_BYTES], to[NAME_BYTES];
		snprintf(a, sizeof a, "ping%ld", p);
		snprintf(b, sizeof b, "pong%ld", p);
		snprintf(from, sizeof from, "h%ld", p % hosts);
		snprintf(to, sizeof to, "h%ld", (p % hosts + 1) % hosts);
		char *ping_argv[] = {"ping", a, b}, *pong_argv[] = {"pong", b, a};
		sg_actor_create("ping", sg_host_by_name(from), ping, 3, ping_argv);
		sg_actor_create("pong", sg_host_by_name(to), pong, 3, pong_argv);
	}
}

static const char PLATFORM[] =
	"<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
	"<platform version=\"4.1\"><zone id=\"z\" routing=\"Full\">\n"
	"<host id=\"a\" speed=\"1Gf\"/><host id=\"b\" speed=\"1Gf\"/>\n"
	"<link id=\"l\" bandwidth=\"4GBps\" latency=\"500ns\"/>\n"
	"<route src=\"a\" dst=\"b\"><link_ctn id=\"l\"/></route>\n"
	"</zone></platform>\n";

int main(int argc, char **argv)
{
	long pairs = 1;
	int hosts = 2;
	if ((argc != 2 && argc != 4) || (round_trips = atol(argv[1])) <= 0 ||
	    (argc == 4 && ((pairs = atol(argv[2])) <= 0 || (hosts = atoi(argv[3])) < 2 || hosts > HOSTS_MAX))) {
		fprintf(stderr, "usage: bare_pingpong ROUND_TRIPS [PAIRS HOSTS]   (HOSTS from 2 to %d)\n", HOSTS_MAX);
		return 2;
	}
	char path[] = "/tmp/bare-pingpong-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f)
		return 1;
	if (argc == 2)
		fputs(PLATFORM, f);
	else
		write_shared_platform(f, hosts);
	if (fclose(f) != 0)
		return 1;
	/* thousands of actors: small stacks (the actors hold a few locals) */
	char *sg_argv[] = {argv[0], "--log=root.thres:warning", "--cfg=network/model:CM02", "--cfg=contexts/stack-size:64", NULL};
	int sg_argc = argc == 2 ? 3 : 4;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	simgrid_init(&sg_argc, sg_argv);
	simgrid_load_platform(path);
	remove(path);
	if (argc == 2) {
		sg_actor_create("ping", sg_host_by_name("a"), ping, 0, NULL);
		sg_actor_create("pong", sg_host_by_name("b"), pong, 0, NULL);
	} else {
		message_bytes = PAIR_BYTES;
		start_pairs(pairs, hosts);
	}
	simgrid_run();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("round_trips %ld wall_s %.3f\n", round_trips * pairs,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
	return 0;
}
