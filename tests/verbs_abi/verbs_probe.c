/*
 * verbs_probe.c - a verbs program of our own, linked against libibverbs
 * like any other and run by test_verbs_abi with libvrdma-verbs.so
 * preloaded, for what the Debian tools do not exercise:
 *   - regions on buffers of every kind the library accepts (malloc'd and
 *     unaligned, a range inside a registered one, the same range twice,
 *     two ranges overlapping in part, adjacent buffers sharing a page),
 *     their bytes kept through registration
 *     and deregistration, and an RDMA write between two of them (two QPs
 *     of one process: the host's same-host copy path) landing in place;
 *   - the refusals (file-backed memory, the stack, UD, SRQ, extended CQs), each with
 *     errno EOPNOTSUPP;
 *   - a completion channel whose fd is real: quiet before any completion,
 *     readable after a solicited one, and the event names the CQ.
 * Prints "verbs_probe: ok" and exits 0, or the first failure and exits 1.
 */
#include <errno.h>
#include <infiniband/verbs.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <unistd.h>

#define CHECK(cond, ...)                                                                          \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "verbs_probe:%d: ", __LINE__);                            \
			fprintf(stderr, __VA_ARGS__);                                             \
			fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));             \
			exit(1);                                                          \
		}                                                                                 \
	} while (0)

struct world {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_comp_channel *channel;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];
};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static int filled(const uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

static void open_world(struct world *w)
{
	int n = 0;
	struct ibv_device **list = ibv_get_device_list(&n);
	CHECK(list && n == 1 && strcmp(ibv_get_device_name(list[0]), "vrdma0") == 0, "no vrdma0 device");
	w->ctx = ibv_open_device(list[0]);
	ibv_free_device_list(list);
	CHECK(w->ctx, "ibv_open_device");
	w->pd = ibv_alloc_pd(w->ctx);
	w->channel = ibv_create_comp_channel(w->ctx);
	CHECK(w->pd && w->channel && w->channel->fd >= 0, "alloc_pd / create_comp_channel");
	w->cq = ibv_create_cq(w->ctx, 16, w, w->channel, 0);
	CHECK(w->cq, "create_cq");
	for (int i = 0; i < 2; i++) {
		struct ibv_qp_init_attr a = {.send_cq = w->cq, .recv_cq = w->cq, .qp_type = IBV_QPT_RC,
					     .cap = {.max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1}};
		w->qp[i] = ibv_create_qp(w->pd, &a);
		CHECK(w->qp[i], "create_qp %d", i);
	}
}

/* QP i to QP 1 - i of this process: the peer's LID is our own. */
static void connect_pair(struct world *w)
{
	struct ibv_port_attr port;
	CHECK(ibv_query_port(w->ctx, 1, &port) == 0 && port.state == IBV_PORT_ACTIVE &&
		      port.link_layer == IBV_LINK_LAYER_INFINIBAND && port.lid != 0, "query_port");
	for (int i = 0; i < 2; i++) {
		struct ibv_qp_attr a = {.qp_state = IBV_QPS_INIT, .port_num = 1,
					.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE};
		CHECK(ibv_modify_qp(w->qp[i], &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS) == 0,
		      "INIT");
		memset(&a, 0, sizeof a);
		a.qp_state = IBV_QPS_RTR;
		a.path_mtu = IBV_MTU_1024;
		a.dest_qp_num = w->qp[1 - i]->qp_num;
		a.max_dest_rd_atomic = 1;
		a.min_rnr_timer = 12;
		a.ah_attr.dlid = port.lid;
		a.ah_attr.port_num = 1;
		CHECK(ibv_modify_qp(w->qp[i], &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
							  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER) == 0,
		      "RTR");
		memset(&a, 0, sizeof a);
		a.qp_state = IBV_QPS_RTS;
		a.timeout = 14;
		a.retry_cnt = 7;
		a.rnr_retry = 7;
		a.max_rd_atomic = 1;
		CHECK(ibv_modify_qp(w->qp[i], &a, IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
							  IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC) == 0,
		      "RTS");
	}
}

/* Registration keeps the bytes, shares windows, and gives them back. */
static void regions(struct world *w)
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	uint8_t *heap = malloc(10007);
	CHECK(heap, "malloc");
	fill(heap, 10007, 3);
	struct ibv_mr *mr = ibv_reg_mr(w->pd, heap + 5, 9000, access);
	CHECK(mr && mr->addr == heap + 5 && mr->length == 9000, "reg_mr on a malloc'd buffer");
	CHECK(filled(heap, 10007, 3), "the buffer's bytes changed at registration");
	struct ibv_mr *inside = ibv_reg_mr(w->pd, heap + 100, 100, access);
	struct ibv_mr *again = ibv_reg_mr(w->pd, heap + 5, 9000, access);
	CHECK(inside && again && inside->lkey != mr->lkey, "a range inside, the same range again");
	uint8_t *more = malloc(12000);
	CHECK(more, "malloc");
	fill(more, 12000, 5);
	struct ibv_mr *low = ibv_reg_mr(w->pd, more, 6000, access), *high = ibv_reg_mr(w->pd, more + 5000, 7000, access);
	CHECK(low && high, "two registrations overlapping in part");
	CHECK(ibv_dereg_mr(low) == 0 && filled(more, 12000, 5) && ibv_dereg_mr(high) == 0 && filled(more, 12000, 5),
	      "overlapping registrations kept the bytes");
	free(more);
	heap[4000] = 0x5a;
	CHECK(ibv_dereg_mr(mr) == 0 && ibv_dereg_mr(inside) == 0 && ibv_dereg_mr(again) == 0, "dereg_mr");
	CHECK(heap[4000] == 0x5a, "a write while registered was lost at deregistration");
	heap[4000] = (uint8_t)(3 + 4000 * 7);
	CHECK(filled(heap, 10007, 3), "the buffer's bytes changed at deregistration");
	free(heap);

	uint8_t stack[3000];
	fill(stack, sizeof stack, 9);
	errno = 0;
	CHECK(ibv_reg_mr(w->pd, stack, sizeof stack, access) == NULL && errno == EOPNOTSUPP &&
		      filled(stack, sizeof stack, 9),
	      "a stack buffer not refused");

	FILE *f = tmpfile();
	CHECK(f && ftruncate(fileno(f), 8192) == 0, "tmpfile");
	void *file = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fileno(f), 0);
	CHECK(file != MAP_FAILED, "mmap");
	errno = 0;
	CHECK(ibv_reg_mr(w->pd, file, 8192, access) == NULL && errno == EOPNOTSUPP, "a file-backed mapping not refused");
	munmap(file, 8192);
	fclose(f);
}

/* An RDMA write with immediate from one malloc'd region into another,
 * announced by a solicited event on the channel's fd. */
static void write_between(struct world *w)
{
	const size_t bytes = 20000;
	uint8_t *src = malloc(bytes), *dst = malloc(bytes);
	CHECK(src && dst, "malloc");
	fill(src, bytes, 11);
	memset(dst, 0, bytes);
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct ibv_mr *smr = ibv_reg_mr(w->pd, src, bytes, access), *dmr = ibv_reg_mr(w->pd, dst, bytes, access);
	CHECK(smr && dmr, "reg_mr");
	struct ibv_recv_wr rwr = {.wr_id = 2}, *bad_r;
	CHECK(ibv_post_recv(w->qp[1], &rwr, &bad_r) == 0, "post_recv");
	struct pollfd pfd = {.fd = w->channel->fd, .events = POLLIN};
	CHECK(ibv_req_notify_cq(w->cq, 0) == 0 && poll(&pfd, 1, 0) == 0, "the channel's fd is readable too early");
	struct ibv_sge sge = {.addr = (uintptr_t)src, .length = (uint32_t)bytes, .lkey = smr->lkey};
	struct ibv_send_wr wr = {.wr_id = 1, .sg_list = &sge, .num_sge = 1, .opcode = IBV_WR_RDMA_WRITE_WITH_IMM,
				 .send_flags = IBV_SEND_SIGNALED | IBV_SEND_SOLICITED, .imm_data = htonl(77)}, *bad;
	wr.wr.rdma.remote_addr = (uintptr_t)dst;
	wr.wr.rdma.rkey = dmr->rkey;
	CHECK(ibv_post_send(w->qp[0], &wr, &bad) == 0, "post_send");
	CHECK(poll(&pfd, 1, 10000) == 1, "no event on the channel's fd in 10 s");
	struct ibv_cq *ev_cq;
	void *ev_ctx;
	CHECK(ibv_get_cq_event(w->channel, &ev_cq, &ev_ctx) == 0 && ev_cq == w->cq && ev_ctx == w, "get_cq_event");
	ibv_ack_cq_events(ev_cq, 1);
	int got = 0;
	struct ibv_wc wc[2];
	for (int spins = 0; got < 2 && spins < 100000000; spins++) {
		int n = ibv_poll_cq(w->cq, 2 - got, wc + got);
		CHECK(n >= 0, "poll_cq");
		got += n;
	}
	CHECK(got == 2 && wc[0].status == IBV_WC_SUCCESS && wc[1].status == IBV_WC_SUCCESS, "completions");
	CHECK(filled(dst, bytes, 11), "the written bytes are not in the destination buffer");
	CHECK(ibv_dereg_mr(smr) == 0 && ibv_dereg_mr(dmr) == 0 && filled(dst, bytes, 11), "dereg_mr");
	free(src);
	free(dst);
}

static void refusals(struct world *w)
{
	struct ibv_qp_init_attr ud = {.send_cq = w->cq, .recv_cq = w->cq, .qp_type = IBV_QPT_UD,
				      .cap = {.max_send_wr = 1, .max_recv_wr = 1, .max_send_sge = 1, .max_recv_sge = 1}};
	errno = 0;
	CHECK(ibv_create_qp(w->pd, &ud) == NULL && errno == EOPNOTSUPP, "UD not refused");
	struct ibv_srq_init_attr srq = {.attr = {.max_wr = 4, .max_sge = 1}};
	errno = 0;
	CHECK(ibv_create_srq(w->pd, &srq) == NULL && errno == EOPNOTSUPP, "SRQ not refused");
	struct ibv_cq_init_attr_ex cq = {.cqe = 4};
	errno = 0;
	CHECK(ibv_create_cq_ex(w->ctx, &cq) == NULL && errno == EOPNOTSUPP, "extended CQs not refused");
	struct ibv_device_attr_ex dev;
	CHECK(ibv_query_device_ex(w->ctx, NULL, &dev) == 0 && dev.orig_attr.max_qp > 0, "query_device_ex");
}

int main(void)
{
	struct world w;
	open_world(&w);
	connect_pair(&w);
	regions(&w);
	write_between(&w);
	refusals(&w);
	for (int i = 0; i < 2; i++)
		CHECK(ibv_destroy_qp(w.qp[i]) == 0, "destroy_qp");
	CHECK(ibv_destroy_cq(w.cq) == 0 && ibv_destroy_comp_channel(w.channel) == 0 && ibv_dealloc_pd(w.pd) == 0 &&
		      ibv_close_device(w.ctx) == 0,
	      "teardown");
	printf("verbs_probe: ok\n");
	return 0;
}
