/*
 * tests/vrdma/proc_world.c -- see proc_world.h.
 */
#include "tests/vrdma/proc_world.h"
#include "vrdma/host/attach.h"

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GUEST_MEMORY_BYTES (32u << 20)
#define BUFFER_BYTES PW_BUFFER_BYTES
#define WRITE_BYTES 4096u
#define MESSAGE_BYTES PW_MESSAGE_BYTES
#define WRITE_AT (8u << 10)     /* where the peer's RDMA WRITE lands */
#define RECV_AT PW_RECV_AT
#define WC_WAIT_S 10.0

double pw_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- processes ---- */

static void become_child(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(PW_CHILD_ALARM_S);
}

void pw_host_start(struct pw_host *h, const char *dir, const char *name, ...)
{
	const char *program = getenv("VRDMA_HOST_PROGRAM") ? getenv("VRDMA_HOST_PROGRAM") : "./vrdma-host";
	/* PW_HOST_LOG=1: the hosts' attach and detach lines on standard error */
	const char *argv[24] = { program, getenv("PW_HOST_LOG") ? "--port=0" : "--quiet", "--socket" };
	int argc = 3;
	snprintf(h->socket_path, sizeof h->socket_path, "%s/%s.sock", dir, name);
	argv[argc++] = h->socket_path;
	va_list ap;
	va_start(ap, name);
	for (const char *a; argc < 23 && (a = va_arg(ap, const char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	int out[2];
	ck_assert_int_eq(pipe(out), 0);
	h->pid = fork();
	ck_assert_int_ge(h->pid, 0);
	if (h->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execv(program, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fdopen(out[0], "r");
	char line[256] = "";
	unsigned lid = 0;
	ck_assert_msg(fgets(line, sizeof line, f) != NULL, "%s printed nothing", program);
	fclose(f);
	ck_assert_msg(sscanf(line, "vrdma-host: LID %u,", &lid) == 1 && lid > 0 && lid < 65536,
		      "found '%s', expected 'vrdma-host: LID N, ...'", line);
	h->lid = (uint16_t)lid;
}

int pw_host_stop(struct pw_host *h)
{
	int status = -1;
	kill(h->pid, SIGTERM);
	waitpid(h->pid, &status, 0);
	struct stat st;
	ck_assert_msg(stat(h->socket_path, &st) != 0, "%s left behind", h->socket_path);
	return status;
}

pid_t pw_spawn(int (*fn)(void *), void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		become_child();
		int rc = fn(arg);
		fflush(NULL);
		_exit(rc);
	}
	return pid;
}

int pw_wait(pid_t pid, unsigned timeout_s)
{
	double end = pw_now_s() + timeout_s;
	int status;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (pw_now_s() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(2000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- a guest over vrdma_attach ---- */

static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1u;
	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static int same(const uint8_t *p, uint32_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1u;
	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (p[i] != (uint8_t)x)
			return 0;
	}
	return 1;
}

void pw_fill(uint8_t *p, uint32_t bytes, uint32_t seed) { fill(p, bytes, seed); }
int pw_same(const uint8_t *p, uint32_t bytes, uint32_t seed) { return same(p, bytes, seed); }

int pw_guest_open(struct pw_guest *g, const char *socket_path)
{
	char err[256];
	memset(g, 0, sizeof *g);
	if (vrdma_attach(socket_path, GUEST_MEMORY_BYTES, &g->vm, err, sizeof err) != 0) {
		fprintf(stderr, "guest %d: %s\n", (int)getpid(), err);
		return PW_FAIL_ATTACH;
	}
	g->ctx = vrdma_open_device(g->vm);
	g->pd = g->ctx ? vrdma_alloc_pd(g->ctx) : NULL;
	g->cq = g->pd ? vrdma_create_cq(g->ctx, 256, NULL, NULL) : NULL;
	g->buffer = g->cq ? vrdma_alloc_buffer(g->ctx, BUFFER_BYTES) : NULL;
	g->mr = g->buffer ? vrdma_reg_mr(g->pd, g->buffer, BUFFER_BYTES,
					 IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)
			  : NULL;
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	g->qp = g->mr ? vrdma_create_qp(g->pd, g->cq, g->cq, &init) : NULL;
	return g->qp ? PW_OK : PW_FAIL_SETUP;
}

struct peer_info {
	uint32_t lid, qpn, rkey, pad;
	uint64_t addr;
};

static int exchange(int xfd, const struct peer_info *mine, struct peer_info *theirs)
{
	if (write(xfd, mine, sizeof *mine) != (ssize_t)sizeof *mine)
		return -1;
	return read(xfd, theirs, sizeof *theirs) == (ssize_t)sizeof *theirs ? 0 : -1;
}

static int to_rts(struct vrdma_qp *qp, uint16_t dlid, uint32_t dest_qpn)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	int rc = vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_4096;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 7;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 1;
	a.ah_attr.dlid = dlid;
	a.ah_attr.port_num = 1;
	rc |= vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
					      IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
	memset(&a, 0, sizeof a);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 7;
	a.timeout = 12;  /* 16.8 ms: a peer that died is given up on within ~0.2 s */
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	rc |= vrdma_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
					      IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
	return rc;
}

int pw_guest_connect(struct pw_guest *g, int xfd)
{
	struct ibv_port_attr port;
	if (vrdma_query_port(g->ctx, 1, &port) != 0)
		return PW_FAIL_SETUP;
	struct peer_info mine = { .lid = port.lid, .qpn = g->qp->qp_num, .rkey = g->mr->rkey,
				  .addr = (uint64_t)(uintptr_t)g->buffer },
			 theirs;
	if (exchange(xfd, &mine, &theirs) != 0)
		return PW_FAIL_EXCHANGE;
	g->peer_lid = (uint16_t)theirs.lid;
	g->peer_rkey = theirs.rkey;
	g->peer_addr = theirs.addr;
	if (to_rts(g->qp, g->peer_lid, theirs.qpn) != 0)
		return PW_FAIL_CONNECT;
	/* both at RTS before anyone sends */
	return exchange(xfd, &mine, &theirs) == 0 ? PW_OK : PW_FAIL_EXCHANGE;
}

static int post_recv(struct pw_guest *g)
{
	struct ibv_sge sge = { (uint64_t)(uintptr_t)(g->buffer + RECV_AT), MESSAGE_BYTES, g->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1 }, *bad = NULL;
	return vrdma_post_recv(g->qp, &wr, &bad) == 0 ? PW_OK : PW_FAIL_POST;
}


int pw_post_at(struct pw_guest *g, enum ibv_wr_opcode op, uint64_t wr_id, uint32_t local_at, uint32_t remote_at,
	       uint32_t bytes)
{
	struct ibv_sge sge = { (uint64_t)(uintptr_t)(g->buffer + local_at), bytes, g->mr->lkey };
	struct ibv_send_wr wr, *bad = NULL;
	memset(&wr, 0, sizeof wr);
	wr.wr_id = wr_id;
	wr.opcode = op;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = g->peer_addr + remote_at;
	wr.wr.rdma.rkey = g->peer_rkey;
	return vrdma_post_send(g->qp, &wr, &bad) == 0 ? PW_OK : PW_FAIL_POST;
}

int pw_post_recv_at(struct pw_guest *g, uint64_t wr_id, uint32_t local_at, uint32_t bytes)
{
	struct ibv_sge sge = { (uint64_t)(uintptr_t)(g->buffer + local_at), bytes, g->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad = NULL;
	return vrdma_post_recv(g->qp, &wr, &bad) == 0 ? PW_OK : PW_FAIL_POST;
}

int pw_collect(struct pw_guest *g, unsigned n, unsigned seen[64])
{
	double end = pw_now_s() + WC_WAIT_S;
	unsigned spins = 0;
	while (n > 0) {
		struct ibv_wc wc;
		int got = vrdma_poll_cq(g->cq, 1, &wc);
		if (got < 0 || (got == 1 && (wc.status != IBV_WC_SUCCESS || wc.wr_id >= 64 || seen[wc.wr_id]++ != 0))) {
			fprintf(stderr, "guest %d: completion of wr_id %llu, status %d (a failure, unknown or twice)\n",
				(int)getpid(), got == 1 ? (unsigned long long)wc.wr_id : 0ull, got < 0 ? -1 : (int)wc.status);
			return PW_FAIL_WC;
		}
		n -= (unsigned)got;
		if (got == 0 && ++spins % 16 == 0) {
			sched_yield();
			if (pw_now_s() > end)
				return PW_FAIL_WC;
		}
	}
	return PW_OK;
}

/* Wait for `n` successful completions. */
static int wait_wcs(struct pw_guest *g, int n)
{
	double end = pw_now_s() + WC_WAIT_S;
	struct ibv_wc wc;
	unsigned spins = 0;
	while (n > 0) {
		int got = vrdma_poll_cq(g->cq, 1, &wc);
		if (got < 0 || (got == 1 && wc.status != IBV_WC_SUCCESS)) {
			fprintf(stderr, "guest %d: completion status %d\n", (int)getpid(), got < 0 ? -1 : (int)wc.status);
			return PW_FAIL_WC;
		}
		n -= got;
		if (got == 0 && ++spins % 16 == 0) {
			sched_yield(); /* 2 cores: let the backend and the peer run */
			if (pw_now_s() > end)
				return PW_FAIL_WC;
		}
	}
	return PW_OK;
}

static int initiator_round(struct pw_guest *g, uint32_t i)
{
	int rc = post_recv(g);
	fill(g->buffer, WRITE_BYTES, 2 * i);
	if (rc == PW_OK)
		rc = pw_post_at(g, IBV_WR_RDMA_WRITE, IBV_WR_RDMA_WRITE, 0, WRITE_AT, WRITE_BYTES);
	fill(g->buffer + WRITE_BYTES, MESSAGE_BYTES, 2 * i + 1);
	if (rc == PW_OK)
		rc = pw_post_at(g, IBV_WR_SEND, IBV_WR_SEND, WRITE_BYTES, WRITE_AT, MESSAGE_BYTES);
	if (rc == PW_OK)
		rc = wait_wcs(g, 3); /* the write, the send, the answer */
	if (rc == PW_OK && !same(g->buffer + RECV_AT, MESSAGE_BYTES, 100000 + i))
		rc = PW_FAIL_DATA;
	return rc;
}

static int responder_round(struct pw_guest *g, uint32_t i)
{
	int rc = wait_wcs(g, 1);
	/* RC orders the WRITE before the SEND that announced it */
	if (rc == PW_OK && (!same(g->buffer + WRITE_AT, WRITE_BYTES, 2 * i) ||
			    !same(g->buffer + RECV_AT, MESSAGE_BYTES, 2 * i + 1)))
		rc = PW_FAIL_DATA;
	if (rc == PW_OK)
		rc = post_recv(g);
	fill(g->buffer, MESSAGE_BYTES, 100000 + i);
	if (rc == PW_OK)
		rc = pw_post_at(g, IBV_WR_SEND, IBV_WR_SEND, 0, WRITE_AT, MESSAGE_BYTES);
	return rc == PW_OK ? wait_wcs(g, 1) : rc;
}

int pw_guest_pingpong(struct pw_guest *g, int initiator, unsigned round_trips)
{
	int rc = initiator ? PW_OK : post_recv(g);
	for (uint32_t i = 0; i < round_trips && rc == PW_OK; i++)
		rc = initiator ? initiator_round(g, i) : responder_round(g, i);
	return rc;
}

void pw_guest_close(struct pw_guest *g)
{
	vrdma_close_device(g->ctx);
	vrdma_detach(g->vm);
	memset(g, 0, sizeof *g);
}

int pw_guest_main(void *arg)
{
	const struct pw_pair_arg *a = arg;
	struct pw_guest g;
	int rc = pw_guest_open(&g, a->socket_path);
	if (rc == PW_OK)
		rc = pw_guest_connect(&g, a->xfd);
	if (rc == PW_OK)
		rc = pw_guest_pingpong(&g, a->initiator, a->round_trips);
	if (rc != PW_FAIL_ATTACH)
		pw_guest_close(&g);
	return rc;
}
