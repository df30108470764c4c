/*
 * test_verbs_abi.c - unmodified verbs programs over libvrdma-verbs.so.
 *
 * Debian's ibv_rc_pingpong (-c checks every received byte) and perftest's
 * ib_write_lat run as server and client, two processes that are two hosts
 * (each preloads the library and starts its private host), exchanging
 * their addresses over localhost TCP on a free port; their output is
 * checked; and the same programs as VMs of vrdma-host processes
 * (VRDMA_HOST): two VMs of one host, and two host processes.  A program
 * asking for UD gets the clear refusal.  A traced run
 * replays in `vrdmasim replay`.  Every program runs under a deadline, so a
 * hang fails.  Exit 77 (skipped) only when the programs are not installed.
 *
 * Under the sanitizers the library needs the sanitizer runtime first in
 * LD_PRELOAD: the test takes the one it runs with itself (its own maps).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/check_run.h"
#include "tests/e2e/run_tool.h"

#define DEADLINE_S 60

struct child {
	pid_t pid;
	char out_path[512];
};

static char preload[2048];

static const char *build_dir(void)
{
	const char *d = getenv("VRDMASIM_BUILDDIR");
	return d && d[0] ? d : ".";
}

/* The sanitizer runtime this test runs with, if any: the library is built
 * the same way, and that runtime must be loaded before anything else. */
static void sanitizer_runtime(char *out, size_t out_bytes)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	out[0] = '\0';
	while (f && fgets(line, sizeof line, f)) {
		char *path = strchr(line, '/');
		if (path && strstr(path, "/libasan.so")) {
			path[strcspn(path, "\n")] = '\0';
			snprintf(out, out_bytes, "%s", path);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void set_preload(void)
{
	char runtime[1024];
	sanitizer_runtime(runtime, sizeof runtime);
	snprintf(preload, sizeof preload, "%s%s%s/libvrdma-verbs.so", runtime, runtime[0] ? " " : "",
		 build_dir());
}

/* A TCP port nobody listens on now. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Start PROGRAM ARGS with the library preloaded, stdout and stderr into a
 * file of DIR named NAME; EXTRA_ENV ("K=V" lines, or NULL) added. */
static struct child start(const char *dir, const char *name, const char *extra_env, const char *const *argv)
{
	struct child c;
	snprintf(c.out_path, sizeof c.out_path, "%s/%s.out", dir, name);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		int fd = open(c.out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("LD_PRELOAD", preload, 1);
		/* Debian's tools leak at exit; the library's own leaks are
		 * the unit tests' business. */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		unsetenv("VRDMA_HOST");
		/* "K=V" lines: each into the environment (the child's copy) */
		for (char *line = extra_env ? strdup(extra_env) : NULL, *next; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			putenv(line);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return c;
}

/* Exit status (128 + signal when killed); killed after the deadline. */
static int finish(struct child *c, int deadline_s)
{
	struct timespec t0, now, nap = {0, 20 * 1000 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int status;
		pid_t r = waitpid(c->pid, &status, WNOHANG);
		if (r == c->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= deadline_s) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
			return 128 + SIGKILL;
		}
		nanosleep(&nap, NULL);
	}
}

static void dump_on_failure(int failed, const struct child *c)
{
	if (!failed)
		return;
	char *text = read_file(c->out_path);
	fprintf(stderr, "---- %s\n%s\n", c->out_path, text);
	free(text);
}

/* Whether some socket listens on TCP PORT (/proc/net/tcp and tcp6: the
 * local address's port in hex, state 0A).  Watching rather than connecting
 * keeps the server's one accept for its client. */
static int listening(int port)
{
	static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	int found = 0;
	for (int t = 0; t < 2 && !found; t++) {
		FILE *f = fopen(tables[t], "r");
		char line[512], local[128], state[8];
		while (f && !found && fgets(line, sizeof line, f)) {
			unsigned p;
			char *colon;
			if (sscanf(line, "%*s %127s %*s %7s", local, state) == 2 && (colon = strrchr(local, ':')) &&
			    sscanf(colon + 1, "%x", &p) == 1)
				found = (int)p == port && strcmp(state, "0A") == 0;
		}
		if (f)
			fclose(f);
	}
	return found;
}

/* Wait (at most the deadline) until the server listens or has exited. */
static void wait_for_server(const struct child *c, int port)
{
	struct timespec nap = {0, 20 * 1000 * 1000};
	for (int i = 0; i < DEADLINE_S * 50 && !listening(port); i++) {
		siginfo_t info = {0};
		if (waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != 0)
			return; /* gone: finish() reports it */
		nanosleep(&nap, NULL);
	}
}

/* Server and client of one program; both must exit 0.  OUT: their output. */
static void run_pair_env(const char *dir, const char *name, int port, const char *server_env, const char *client_env,
			 const char *const *server_argv, const char *const *client_argv, char **server_out,
			 char **client_out)
{
	char sname[64], cname[64];
	snprintf(sname, sizeof sname, "%s-server", name);
	snprintf(cname, sizeof cname, "%s-client", name);
	struct child s = start(dir, sname, server_env, server_argv);
	/* ibv_rc_pingpong's client does not retry its connect. */
	wait_for_server(&s, port);
	struct child c = start(dir, cname, client_env, client_argv);
	int crc = finish(&c, DEADLINE_S);
	int src = finish(&s, DEADLINE_S);
	dump_on_failure(crc != 0 || src != 0, &s);
	dump_on_failure(crc != 0 || src != 0, &c);
	ck_assert_msg(src == 0 && crc == 0, "%s: server exit %d, client exit %d", name, src, crc);
	*server_out = read_file(s.out_path);
	*client_out = read_file(c.out_path);
}

static void run_pair(const char *dir, const char *name, int port, const char *client_env,
		     const char *const *server_argv, const char *const *client_argv, char **server_out,
		     char **client_out)
{
	run_pair_env(dir, name, port, NULL, client_env, server_argv, client_argv, server_out, client_out);
}

/* ---- vrdma-host processes ---- */

struct host {
	pid_t pid;
	char socket[400];
	char env[420];   /* "VRDMA_HOST=<socket>", for start()'s putenv */
};

/* Start a vrdma-host listening on DIR/NAME.sock, recording its trace in
 * TRACE (or not: NULL); wait for its socket. */
static void host_start_traced(struct host *h, const char *dir, const char *name, const char *trace)
{
	char program[1100];
	const char *given = getenv("VRDMA_HOST_PROGRAM");
	snprintf(program, sizeof program, "%s", given ? given : "./vrdma-host");
	snprintf(h->socket, sizeof h->socket, "%s/%s.sock", dir, name);
	snprintf(h->env, sizeof h->env, "VRDMA_HOST=%s", h->socket);
	h->pid = fork();
	ck_assert_int_ge(h->pid, 0);
	if (h->pid == 0) {
		alarm(4 * DEADLINE_S);   /* never outlive a stuck test */
		if (trace)
			execl(program, program, "--quiet", "--socket", h->socket, "--trace", trace, (char *)NULL);
		else
			execl(program, program, "--quiet", "--socket", h->socket, (char *)NULL);
		_exit(127);
	}
	struct timespec nap = {0, 10 * 1000 * 1000};
	struct stat st;
	for (int i = 0; i < DEADLINE_S * 100 && stat(h->socket, &st) != 0; i++)
		nanosleep(&nap, NULL);
	ck_assert_msg(stat(h->socket, &st) == 0, "%s did not listen on %s", program, h->socket);
}

static void host_start(struct host *h, const char *dir, const char *name)
{
	host_start_traced(h, dir, name, NULL);
}

/* SIGTERM: the host exits 0 after destroying its VMs. */
static void host_stop(struct host *h)
{
	int status;
	kill(h->pid, SIGTERM);
	ck_assert_int_eq(waitpid(h->pid, &status, 0), h->pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "vrdma-host ended with status 0x%x", status);
}

/* Where the two programs' VMs live. */
enum placement { ONE_HOST, TWO_HOST_PROCESSES };

static void run_placed(enum placement where, const char *dir, const char *name, int port, const char *const *server_argv,
		       const char *const *client_argv, char **server_out, char **client_out)
{
	struct host a, b;
	host_start(&a, dir, "host-a");
	if (where == TWO_HOST_PROCESSES)
		host_start(&b, dir, "host-b");
	run_pair_env(dir, name, port, a.env, where == ONE_HOST ? a.env : b.env, server_argv, client_argv, server_out, client_out);
	host_stop(&a);
	if (where == TWO_HOST_PROCESSES)
		host_stop(&b);
}

static int matches(const char *text, const char *pattern)
{
	regex_t re;
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
	int found = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

static void pingpong(const char *extra)
{
	const char *dir = temp_dir();
	char port[16];
	snprintf(port, sizeof port, "%d", free_port());
	const char *server[] = {"ibv_rc_pingpong", "-p", port, "-c", "-n", "200", extra, NULL};
	const char *client[] = {"ibv_rc_pingpong", "-p", port, "-c", "-n", "200", extra, "localhost", NULL};
	if (extra == NULL)
		client[6] = "localhost", client[7] = NULL;
	char *so, *co;
	run_pair(dir, "pingpong", atoi(port), NULL, server, client, &so, &co);
	const char *row = "^[0-9]+ bytes in [0-9.]+ seconds = [0-9.]+ Mbit/sec$";
	ck_assert_msg(matches(so, row) && matches(co, row), "no throughput line:\n%s\n%s", so, co);
	ck_assert_msg(matches(co, "^200 iters in [0-9.]+ seconds"), "no iteration line:\n%s", co);
	ck_assert_msg(matches(co, "local address: +LID 0x[0-9a-f]+, QPN 0x[0-9a-f]+"), "no address line:\n%s", co);
	free(so);
	free(co);
	remove_tree(dir);
}

START_TEST(rc_pingpong_checks_data_polled)
{
	pingpong(NULL);
}
END_TEST

START_TEST(rc_pingpong_checks_data_with_events)
{
	pingpong("-e");
}
END_TEST

static void pingpong_placed(enum placement where)
{
	const char *dir = temp_dir();
	char port[16];
	snprintf(port, sizeof port, "%d", free_port());
	const char *server[] = {"ibv_rc_pingpong", "-p", port, "-c", "-n", "200", NULL};
	const char *client[] = {"ibv_rc_pingpong", "-p", port, "-c", "-n", "200", "localhost", NULL};
	char *so, *co;
	run_placed(where, dir, "pingpong", atoi(port), server, client, &so, &co);
	ck_assert_msg(matches(co, "^200 iters in [0-9.]+ seconds"), "no iteration line:\n%s", co);
	ck_assert_msg(matches(so, "^[0-9]+ bytes in [0-9.]+ seconds"), "no throughput line:\n%s", so);
	free(so);
	free(co);
	remove_tree(dir);
}

START_TEST(rc_pingpong_two_vms_of_one_host)
{
	pingpong_placed(ONE_HOST);
}
END_TEST

START_TEST(rc_pingpong_two_host_processes)
{
	pingpong_placed(TWO_HOST_PROCESSES);
}
END_TEST

/* perftest's table: its header, then a row "2 100 min max typical ...". */
static void check_lat_table(const char *out)
{
	ck_assert_msg(strstr(out, "RDMA_Write Latency Test") != NULL, "no test banner:\n%s", out);
	ck_assert_msg(strstr(out, "Device         : vrdma0") != NULL, "not the vRDMA device:\n%s", out);
	ck_assert_msg(matches(out, "^ #bytes #iterations +t_min\\[usec\\] +t_max\\[usec\\] +t_typical\\[usec\\]"),
		      "no table header:\n%s", out);
	ck_assert_msg(matches(out, "^ 2 +100 +[0-9]+\\.[0-9]+ +[0-9]+\\.[0-9]+ +[0-9]+\\.[0-9]+"),
		      "no numeric row:\n%s", out);
}

START_TEST(write_lat_prints_its_table)
{
	const char *dir = temp_dir();
	char port[16];
	snprintf(port, sizeof port, "%d", free_port());
	const char *server[] = {"ib_write_lat", "-n", "100", "-p", port, NULL};
	const char *client[] = {"ib_write_lat", "-n", "100", "-p", port, "localhost", NULL};
	char *so, *co;
	run_pair(dir, "write_lat", atoi(port), NULL, server, client, &so, &co);
	check_lat_table(so);
	check_lat_table(co);
	free(so);
	free(co);
	remove_tree(dir);
}
END_TEST

static void write_lat_placed(enum placement where)
{
	const char *dir = temp_dir();
	char port[16];
	snprintf(port, sizeof port, "%d", free_port());
	const char *server[] = {"ib_write_lat", "-n", "100", "-p", port, NULL};
	const char *client[] = {"ib_write_lat", "-n", "100", "-p", port, "localhost", NULL};
	char *so, *co;
	run_placed(where, dir, "write_lat", atoi(port), server, client, &so, &co);
	check_lat_table(so);
	check_lat_table(co);
	free(so);
	free(co);
	remove_tree(dir);
}

START_TEST(write_lat_two_vms_of_one_host)
{
	write_lat_placed(ONE_HOST);
}
END_TEST

START_TEST(write_lat_two_host_processes)
{
	write_lat_placed(TWO_HOST_PROCESSES);
}
END_TEST

/* The client's trace (VRDMA_VERBS_TRACE) is one `vrdmasim replay` reads. */
START_TEST(traced_write_lat_replays)
{
	const char *dir = temp_dir();
	char port[16], trace[600], env[640];
	snprintf(port, sizeof port, "%d", free_port());
	snprintf(trace, sizeof trace, "%s/write_lat.vtrace", dir);
	snprintf(env, sizeof env, "VRDMA_VERBS_TRACE=%s", trace);
	const char *server[] = {"ib_write_lat", "-n", "100", "-p", port, NULL};
	const char *client[] = {"ib_write_lat", "-n", "100", "-p", port, "localhost", NULL};
	char *so, *co;
	run_pair(dir, "traced", atoi(port), env, server, client, &so, &co);
	struct stat st;
	ck_assert_msg(stat(trace, &st) == 0 && st.st_size > 0, "no trace at %s", trace);
	const char *args[] = {"replay", trace, NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "replay exit %d: %s", o.status, o.err);
	ck_assert_msg(strstr(o.out, "write_lat") != NULL, "replay did not name the test:\n%s", o.out);
	tool_output_free(&o);
	free(so);
	free(co);
	remove_tree(dir);
}
END_TEST

/* Two VMs of one vrdma-host: each program traces its guest's side, the
 * host its device's; `vrdma-trace --merge` makes one trace of the three,
 * and it replays with the doorbells the guests rang. */
START_TEST(host_process_traces_merge_and_replay)
{
	const char *dir = temp_dir();
	char port[16], host_trace[600], guest_trace[2][600], env[2][1400], merged[600];
	snprintf(port, sizeof port, "%d", free_port());
	snprintf(host_trace, sizeof host_trace, "%s/host.vtrace", dir);
	snprintf(merged, sizeof merged, "%s/merged.vtrace", dir);
	struct host h;
	host_start_traced(&h, dir, "host", host_trace);
	for (int i = 0; i < 2; i++) {
		snprintf(guest_trace[i], sizeof guest_trace[i], "%s/guest%d.vtrace", dir, i);
		ck_assert_int_lt(snprintf(env[i], sizeof env[i], "%s\nVRDMA_VERBS_TRACE=%s", h.env, guest_trace[i]),
				 (int)sizeof env[i]);
	}
	const char *server[] = {"ib_write_lat", "-n", "100", "-p", port, NULL};
	const char *client[] = {"ib_write_lat", "-n", "100", "-p", port, "localhost", NULL};
	char *so, *co;
	run_pair_env(dir, "traced-host", atoi(port), env[1], env[0], server, client, &so, &co);
	host_stop(&h);
	char tool[1100];
	const char *given = getenv("VRDMA_TRACE");
	snprintf(tool, sizeof tool, "%s", given ? given : "./vrdma-trace");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(tool, tool, "--merge", merged, guest_trace[0], guest_trace[1], host_trace, (char *)NULL);
		_exit(127);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "vrdma-trace --merge: status 0x%x", status);
	const char *args[] = {"replay", merged, NULL};
	tool_output o = run_tool(args);
	ck_assert_msg(o.status == 0, "replay exit %d: %s", o.status, o.err);
	ck_assert_msg(strstr(o.out, "one host") != NULL, "not replayed as one host:\n%s", o.out);
	ck_assert_msg(matches(o.out, "^ doorbells +1$"), "no doorbell per operation:\n%s", o.out);
	tool_output_free(&o);
	free(so);
	free(co);
	remove_tree(dir);
}
END_TEST

/* UD is refused at create_qp, with errno EOPNOTSUPP's line naming it. */
START_TEST(ud_is_refused_by_name)
{
	const char *dir = temp_dir();
	char port[16];
	snprintf(port, sizeof port, "%d", free_port());
	const char *argv[] = {"ibv_ud_pingpong", "-p", port, NULL};
	struct child c = start(dir, "ud", NULL, argv);
	int rc = finish(&c, DEADLINE_S);
	char *out = read_file(c.out_path);
	ck_assert_msg(rc != 0 && rc < 128, "ibv_ud_pingpong exit %d (expected a failure, not a hang or crash):\n%s",
		      rc, out);
	ck_assert_msg(strstr(out, "vrdma: UD queue pairs: not supported by the vRDMA device") != NULL,
		      "no refusal naming UD:\n%s", out);
	free(out);
	remove_tree(dir);
}
END_TEST

/* ibv_devices and ibv_devinfo -v describe the device (the latter reaches
 * rdma-core's private ibv_query_gid_type). */
START_TEST(devinfo_describes_the_device)
{
	const char *dir = temp_dir();
	const char *devinfo[] = {"ibv_devinfo", "-v", NULL}, *devices[] = {"ibv_devices", NULL};
	struct child c = start(dir, "devinfo", NULL, devinfo);
	int rc = finish(&c, DEADLINE_S);
	char *out = read_file(c.out_path);
	ck_assert_msg(rc == 0 && strstr(out, "hca_id:\tvrdma0") && matches(out, "link_layer:\t+InfiniBand$") &&
			      matches(out, "state:\t+PORT_ACTIVE") && matches(out, "GID\\[  0\\]:\t+fe80:"),
		      "ibv_devinfo -v exit %d:\n%s", rc, out);
	free(out);
	c = start(dir, "devices", NULL, devices);
	rc = finish(&c, DEADLINE_S);
	out = read_file(c.out_path);
	ck_assert_msg(rc == 0 && matches(out, "^ +vrdma0[ \t]+[0-9a-f]{16}$"), "ibv_devices exit %d:\n%s", rc, out);
	free(out);
	remove_tree(dir);
}
END_TEST

/* Our own verbs program: regions on every kind of buffer, an RDMA write
 * between two of them, the completion channel's fd, the refusals. */
START_TEST(own_program_regions_and_refusals)
{
	const char *dir = temp_dir();
	char probe[1024];
	snprintf(probe, sizeof probe, "%s/tests/verbs_abi/verbs_probe", build_dir());
	const char *argv[] = {probe, NULL};
	struct child c = start(dir, "probe", NULL, argv);
	int rc = finish(&c, DEADLINE_S);
	char *out = read_file(c.out_path);
	ck_assert_msg(rc == 0 && strstr(out, "verbs_probe: ok") != NULL, "verbs_probe exit %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "vrdma: cannot register memory at 0x") != NULL &&
			      strstr(out, "file-backed or shared mapping") != NULL,
		      "the file-backed refusal's line is missing:\n%s", out);
	free(out);
	remove_tree(dir);
}
END_TEST

static int installed(const char *program)
{
	const char *path = getenv("PATH");
	char copy[4096], full[4200];
	snprintf(copy, sizeof copy, "%s", path ? path : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof full, "%s/%s", d, program);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

int main(void)
{
	static const char *const needed[] = {"ibv_rc_pingpong", "ibv_ud_pingpong", "ibv_devinfo", "ibv_devices",
					     "ib_write_lat", NULL};
	for (int i = 0; needed[i]; i++)
		if (!installed(needed[i])) {
			printf("SKIP: %s is not installed (Debian: apt-get install ibverbs-utils perftest)\n",
			       needed[i]);
			return 77;
		}
	set_preload();
	Suite *s = suite_create("verbs_abi");
	TCase *t = tcase_create("unmodified programs");
	tcase_set_timeout(t, 3 * DEADLINE_S);
	tcase_add_test(t, rc_pingpong_checks_data_polled);
	tcase_add_test(t, rc_pingpong_checks_data_with_events);
	tcase_add_test(t, write_lat_prints_its_table);
	tcase_add_test(t, rc_pingpong_two_vms_of_one_host);
	tcase_add_test(t, rc_pingpong_two_host_processes);
	tcase_add_test(t, write_lat_two_vms_of_one_host);
	tcase_add_test(t, write_lat_two_host_processes);
	tcase_add_test(t, host_process_traces_merge_and_replay);
	tcase_add_test(t, traced_write_lat_replays);
	tcase_add_test(t, ud_is_refused_by_name);
	tcase_add_test(t, own_program_regions_and_refusals);
	tcase_add_test(t, devinfo_describes_the_device);
	suite_add_tcase(s, t);
	return run_suite(s);
}
