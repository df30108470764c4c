/*
 * bare_pingpong.c - the reference for `make bench`: the plainest SimGrid
 * ping-pong (two actors, one link, one message each way per round trip),
 * configured like vrdmasim (CM02).  Usage: bare_pingpong ROUND_TRIPS
 * Prints "round_trips N wall_s W".
 */
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long round_trips;
static int token;

static void ping(int argc, char **argv)
{
	sg_mailbox_t mine = sg_mailbox_by_name("ping"), peer = sg_mailbox_by_name("pong");
	for (long i = 0; i < round_trips; i++) {
		sg_mailbox_put(peer, &token, 2);
		sg_mailbox_get(mine);
	}
}

static void pong(int argc, char **argv)
{
	sg_mailbox_t mine = sg_mailbox_by_name("pong"), peer = sg_mailbox_by_name("ping");
	for (long i = 0; i < round_trips; i++) {
		sg_mailbox_get(mine);
		sg_mailbox_put(peer, &token, 2);
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
	if (argc != 2 || (round_trips = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: bare_pingpong ROUND_TRIPS\n");
		return 2;
	}
	char path[] = "/tmp/bare-pingpong-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, PLATFORM, sizeof PLATFORM - 1) != (ssize_t)(sizeof PLATFORM - 1))
		return 1;
	close(fd);
	char *sg_argv[] = {argv[0], "--log=root.thres:warning", "--cfg=network/model:CM02", NULL};
	int sg_argc = 3;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	simgrid_init(&sg_argc, sg_argv);
	simgrid_load_platform(path);
	remove(path);
	sg_actor_create("ping", sg_host_by_name("a"), ping, 0, NULL);
	sg_actor_create("pong", sg_host_by_name("b"), pong, 0, NULL);
	simgrid_run();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("round_trips %ld wall_s %.3f\n", round_trips, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
	return 0;
}
