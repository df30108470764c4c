/*
 * vrdma/hca/soft/net.c -- the wire and the clock: one non-blocking UDP
 * socket on 127.0.0.1 per HCA (its port is the HCA's LID, so a peer is
 * named by ah_attr.dlid = its port), injected loss, and the QPs' timers
 * behind one timerfd.  The backend waits on an epoll fd holding both.
 *
 * Batching: a system call costs about as much as a 4 KiB copy here, so
 * packets leave in sendmmsg batches (queued by soft_net_send, sent by
 * soft_net_flush when the queue is full and before each of the HCA's entry
 * points returns: a WQE's packets, or one process() call's ACKs, go in one
 * call) and arrive in recvmmsg batches of SOFT_RX_MMSG.  The packets and
 * their order are those of one call per packet.
 *
 * A packet the socket refuses (buffers full) is lost like an injected one:
 * the requester's window keeps that rare, retransmission repairs it.
 *
 * Timers are lazy: the timerfd is set to the earliest deadline only when a
 * new deadline is earlier than what it holds; a deadline pushed later or
 * cleared leaves it alone, and an early wake-up just re-arms it.  So the
 * per-ACK restart of the retransmit timer costs no system call.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vrdma/hca/soft/soft.h"

/* splitmix64: a small seeded generator, so a loss pattern repeats. */
static uint64_t next_random(struct soft_hca *hca)
{
	uint64_t z = (hca->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int lose(struct soft_hca *hca)
{
	double p = hca->config.loss_probability;
	return p > 0 && (double)(next_random(hca) >> 11) * 0x1.0p-53 < p;
}

void soft_net_send(struct soft_hca *hca, struct soft_qp *qp, const struct soft_pkt *pkt,
		   size_t bytes, enum vtrace_actor actor, uint64_t op_id)
{
	if (soft_tracing(hca))
		soft_trace(hca, VTRACE_PACKET_TX, actor, qp->trace_guest, pkt->dest_qpn, op_id,
			   pkt->opcode, pkt->psn, pkt->payload_bytes, pkt->ackreq ? VTRACE_F_ACKREQ : 0, 0);
	if (lose(hca)) {
		hca->stats.packets_dropped++;
		if (soft_tracing(hca))
			soft_trace(hca, VTRACE_PACKET_DROP, actor, qp->trace_guest, pkt->dest_qpn, op_id,
				   pkt->opcode, pkt->psn, 0, 0, 0);
		return;
	}
	hca->tx_port[hca->tx_count] = qp->ah_attr.dlid;
	hca->tx_bytes[hca->tx_count] = (uint32_t)bytes;
	if (++hca->tx_count == SOFT_TX_MMSG)
		soft_net_flush(hca);
	hca->tx = hca->tx_queue[hca->tx_count];
}

void soft_net_send_raw(struct soft_hca *hca, uint16_t port, const uint8_t *buf, size_t bytes)
{
	if (bytes > SOFT_PKT_MAX_BYTES)
		return;
	if (lose(hca)) {
		hca->stats.packets_dropped++;
		return;
	}
	memcpy(hca->tx, buf, bytes);
	hca->tx_port[hca->tx_count] = port;
	hca->tx_bytes[hca->tx_count] = (uint32_t)bytes;
	if (++hca->tx_count == SOFT_TX_MMSG)
		soft_net_flush(hca);
	hca->tx = hca->tx_queue[hca->tx_count];
}

/* The queue in as few sendmmsg calls as the socket takes.  A packet the
 * socket refuses (buffers full) is lost, as before batching. */
void soft_net_flush(struct soft_hca *hca)
{
	uint32_t count = hca->tx_count;
	if (count == 0)
		return;
	struct sockaddr_in to[SOFT_TX_MMSG];
	struct iovec iov[SOFT_TX_MMSG];
	struct mmsghdr msgs[SOFT_TX_MMSG];
	for (uint32_t i = 0; i < count; i++) {
		to[i] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(hca->tx_port[i]),
					     .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		iov[i] = (struct iovec){.iov_base = hca->tx_queue[i], .iov_len = hca->tx_bytes[i]};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to[i], .msg_namelen = sizeof to[i],
						       .msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	for (uint32_t done = 0; done < count;) {
		int sent = sendmmsg(hca->sock, msgs + done, count - done, 0);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0) {   /* the first of the rest refused: lost, go on after it */
			hca->stats.send_failures++;
			done++;
			continue;
		}
		hca->stats.packets_sent += (uint64_t)sent;
		done += (uint32_t)sent;
	}
	hca->tx_count = 0;
	hca->tx = hca->tx_queue[0];
}

/* Only a packet from the QP's own peer, for a QP that talks over the wire,
 * reaches its responder (requests) or completer (answers). */
static void dispatch(struct soft_hca *hca, const uint8_t *buf, size_t bytes,
		     const struct sockaddr_in *from)
{
	struct soft_pkt pkt;
	if (bytes > 0 && buf[0] == SOFT_MGMT_MARK && from->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
		soft_mgmt_receive(hca, buf, bytes, ntohs(from->sin_port));
		return;
	}
	if (soft_pkt_decode(buf, bytes, &pkt)) {
		hca->stats.packets_rejected++;
		return;
	}
	struct soft_qp *qp = soft_qp_get(hca, pkt.dest_qpn);
	if (!qp || qp->local || from->sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
	    ntohs(from->sin_port) != qp->ah_attr.dlid) {
		hca->stats.packets_rejected++;
		return;
	}
	hca->stats.packets_received++;
	if (pkt.info->flags & SOFT_OPF_REQUEST)
		soft_resp_receive(qp, &pkt);
	else
		soft_comp_receive(qp, &pkt);
}

void soft_net_dispatch(struct soft_hca *hca, size_t bytes, const struct sockaddr_in *from)
{
	dispatch(hca, hca->rx, bytes, from);
	soft_net_flush(hca);
}

/* Up to SOFT_RX_MMSG datagrams in one recvmmsg; how many (0: none). */
static uint32_t receive_batch(struct soft_hca *hca, struct sockaddr_in *from)
{
	struct iovec iov[SOFT_RX_MMSG];
	struct mmsghdr msgs[SOFT_RX_MMSG];
	for (uint32_t i = 0; i < SOFT_RX_MMSG; i++) {
		iov[i] = (struct iovec){.iov_base = hca->rx_queue[i], .iov_len = sizeof hca->rx_queue[i]};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &from[i], .msg_namelen = sizeof from[i],
						       .msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	int n;
	do
		n = recvmmsg(hca->sock, msgs, SOFT_RX_MMSG, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		/* MSG_TRUNC in msg_flags: the datagram was larger than the
		 * buffer, which is larger than any valid packet */
		if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || msgs[i].msg_len > sizeof hca->rx_queue[i] ||
		    msgs[i].msg_hdr.msg_namelen != sizeof from[i]) {
			hca->stats.packets_rejected++;
			msgs[i].msg_len = 0;
			continue;
		}
		dispatch(hca, hca->rx_queue[i], msgs[i].msg_len, &from[i]);
	}
	return (uint32_t)n;
}

void soft_net_receive_all(struct soft_hca *hca)
{
	struct sockaddr_in from[SOFT_RX_MMSG];
	for (uint32_t total = 0; total < SOFT_RX_BATCH;) {
		uint32_t n = receive_batch(hca, from);
		total += n;
		/* a short batch drained the socket: no call just to hear EAGAIN */
		if (n < SOFT_RX_MMSG)
			return;
	}
}

/* ---- timers ---- */

static void arm_fd(struct soft_hca *hca, uint64_t when_ns)
{
	struct itimerspec spec = {
		.it_value = {.tv_sec = (time_t)(when_ns / 1000000000u),
			     .tv_nsec = (long)(when_ns % 1000000000u)}};
	if (timerfd_settime(hca->timer_fd, TFD_TIMER_ABSTIME, &spec, NULL) == 0)
		hca->timer_armed_ns = when_ns;
}

static int on_list(const struct soft_qp *qp)
{
	return qp->timer_prev || qp->hca->timers == qp;
}

void soft_timer_set(struct soft_qp *qp, uint64_t *deadline, uint64_t when_ns)
{
	struct soft_hca *hca = qp->hca;
	*deadline = when_ns ? when_ns : 1;
	if (!on_list(qp)) {
		qp->timer_prev = NULL;
		qp->timer_next = hca->timers;
		if (hca->timers)
			hca->timers->timer_prev = qp;
		hca->timers = qp;
	}
	if (!hca->timer_armed_ns || when_ns < hca->timer_armed_ns)
		arm_fd(hca, when_ns);
}

void soft_timer_clear(struct soft_qp *qp, uint64_t *deadline)
{
	*deadline = 0;
	if (qp->retx_deadline_ns || qp->rnr_deadline_ns || qp->redirect_deadline_ns || !on_list(qp))
		return;
	if (qp->timer_prev)
		qp->timer_prev->timer_next = qp->timer_next;
	else
		qp->hca->timers = qp->timer_next;
	if (qp->timer_next)
		qp->timer_next->timer_prev = qp->timer_prev;
	qp->timer_prev = qp->timer_next = NULL;
}

uint64_t soft_ack_timeout_ns(const struct soft_qp *qp)
{
	return qp->timeout ? (uint64_t)SOFT_ACK_TIMEOUT_UNIT_NS << qp->timeout : 0;
}

void soft_retx_restart(struct soft_qp *qp)
{
	uint64_t timeout_ns = soft_ack_timeout_ns(qp);
	if (timeout_ns)
		soft_timer_set(qp, &qp->retx_deadline_ns, soft_now_ns() + timeout_ns);
	else
		soft_timer_clear(qp, &qp->retx_deadline_ns);
}

static void fire(struct soft_qp *qp, uint64_t now)
{
	if (qp->rnr_deadline_ns && qp->rnr_deadline_ns <= now) {
		soft_timer_clear(qp, &qp->rnr_deadline_ns);
		soft_comp_rnr_expired(qp);
	}
	if (qp->retx_deadline_ns && qp->retx_deadline_ns <= now) {
		soft_timer_clear(qp, &qp->retx_deadline_ns);
		soft_comp_timeout(qp);
	}
	if (qp->redirect_deadline_ns && qp->redirect_deadline_ns <= now) {
		soft_timer_clear(qp, &qp->redirect_deadline_ns);
		soft_redirect_resend(qp);
	}
}

/* Firing may arm, clear or flush any QP's timers, so the due QPs are
 * collected by number first and looked up again one by one. */
void soft_timers_run(struct soft_hca *hca)
{
	uint64_t ticks, now = soft_now_ns();
	if (read(hca->timer_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return;
	hca->timer_armed_ns = 0;
	uint32_t *due = hca->timer_due, count = 0;
	for (struct soft_qp *qp = hca->timers; qp && count < SOFT_MAX_QP; qp = qp->timer_next)
		if ((qp->retx_deadline_ns && qp->retx_deadline_ns <= now) ||
		    (qp->rnr_deadline_ns && qp->rnr_deadline_ns <= now) ||
		    (qp->redirect_deadline_ns && qp->redirect_deadline_ns <= now))
			due[count++] = qp->qpn;
	for (uint32_t i = 0; i < count; i++) {
		struct soft_qp *qp = soft_qp_get(hca, due[i]);
		if (qp)
			fire(qp, now);
	}
	uint64_t earliest = 0;
	for (struct soft_qp *qp = hca->timers; qp; qp = qp->timer_next) {
		uint64_t d[3] = {qp->retx_deadline_ns, qp->rnr_deadline_ns, qp->redirect_deadline_ns};
		for (int j = 0; j < 3; j++)
			if (d[j] && (!earliest || d[j] < earliest))
				earliest = d[j];
	}
	if (earliest && (!hca->timer_armed_ns || earliest < hca->timer_armed_ns))
		arm_fd(hca, earliest);
}

/* ---- the socket and the wait set ---- */

static void grow_buffer(int sock, int force, int plain)
{
	int bytes = (int)SOFT_SOCKET_BUFFER_BYTES;
	/* FORCE passes rmem_max/wmem_max when privileged; else the capped size */
	if (setsockopt(sock, SOL_SOCKET, force, &bytes, sizeof bytes) != 0)
		(void)setsockopt(sock, SOL_SOCKET, plain, &bytes, sizeof bytes);
}

static int open_socket(struct soft_hca *hca, char *err, size_t err_bytes)
{
	hca->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (hca->sock < 0)
		return snprintf(err, err_bytes, "soft HCA: socket: %s", strerror(errno)), errno;
	grow_buffer(hca->sock, SO_RCVBUFFORCE, SO_RCVBUF);
	grow_buffer(hca->sock, SO_SNDBUFFORCE, SO_SNDBUF);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(hca->config.udp_port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t addr_bytes = sizeof addr;
	if (bind(hca->sock, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    getsockname(hca->sock, (struct sockaddr *)&addr, &addr_bytes) != 0) {
		int e = errno;
		snprintf(err, err_bytes, "soft HCA: bind 127.0.0.1:%u: %s", hca->config.udp_port,
			 strerror(e));
		return e;
	}
	hca->lid = ntohs(addr.sin_port);
	return 0;
}

static int watch(int epoll_fd, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

int soft_net_open(struct soft_hca *hca, char *err, size_t err_bytes)
{
	hca->sock = hca->timer_fd = hca->epoll_fd = -1;
	hca->tx = hca->tx_queue[0];
	hca->tx_count = 0;
	int e = open_socket(hca, err, err_bytes);
	if (e)
		return e;
	hca->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	hca->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (hca->timer_fd < 0 || hca->epoll_fd < 0 || watch(hca->epoll_fd, hca->sock) ||
	    watch(hca->epoll_fd, hca->timer_fd)) {
		e = errno;
		snprintf(err, err_bytes, "soft HCA: timerfd/epoll: %s", strerror(e));
		return e;
	}
	return 0;
}

void soft_net_close(struct soft_hca *hca)
{
	int fds[3] = {hca->epoll_fd, hca->timer_fd, hca->sock};
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}
