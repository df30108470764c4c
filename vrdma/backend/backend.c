/*
 * vrdma/backend/backend.c -- the backend thread and the VMs it serves.
 *
 * One thread per host waits (epoll) on: each device's ioeventfd (kicked by
 * trap handlers), the HCA's event fd (packets, timers), and a control
 * eventfd (stop, device added or removed).  All device work runs on this
 * thread, so guest objects need no locks; trap handlers on vCPU threads only
 * set atomic pending bits.
 *
 * Fairness: guests are served in turns, round robin.  A guest that becomes
 * due (kicked, or HCA work for it: room again, a copy to go on) joins the
 * tail of the run queue; a turn serves the head within the budgets of
 * backend.h and stops there; the guest just served, if it has work again
 * (left over, or new), rejoins the queue behind every guest that became
 * due meanwhile.  So a guest waits for at most one turn of each other
 * guest, and the thread blocks in epoll only when no guest has work.  The
 * HCA's own processing runs between turns with a copy budget of zero: the
 * same-host copies it would start go on in their guests' turns.
 */
#include "vrdma/backend/internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EPOLL_BATCH 64
#define HCA_MARK ((void *)1)
#define CONTROL_MARK ((void *)2)
/* A guest's kick is marked with its slot, not its device: epoll_wait runs
 * outside the lock, so an event may outlive the device it names. */
#define GUEST_MARK_BASE ((uintptr_t)16)
#define GUEST_MARK(guest_id) ((void *)(GUEST_MARK_BASE + (uintptr_t)(guest_id)))

void vbackend_default_config(struct vbackend_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_qp_per_guest = 1024;
	c->max_cq_per_guest = 1024;
	c->max_mr_per_guest = 1024;
	c->max_pd_per_guest = 64;
	c->max_qp_wr = 4096;
	c->max_cqe = 65536;
	c->cpu = -1;
	vacct_default_limits(&c->limits);
}

/* The backend cannot promise guests more objects than its HCA holds. */
static void clamp_to_hca(struct vacct_limits *l, struct vhca *hca)
{
	struct ibv_device_attr attr;
	memset(&attr, 0, sizeof attr);
	if (hca->ops->query_device(hca, &attr) != 0)
		return;
	const int hca_max[VACCT_COUNT] = {
		[VACCT_PD] = attr.max_pd, [VACCT_MR] = attr.max_mr, [VACCT_CQ] = attr.max_cq,
		[VACCT_QP] = attr.max_qp, [VACCT_CQE] = 0, [VACCT_WQE] = 0, [VACCT_PAGE] = 0,
	};
	for (int r = 0; r < VACCT_COUNT; r++)
		if (hca_max[r] > 0 && (uint64_t)hca_max[r] < l->host_total[r])
			l->host_total[r] = (uint64_t)hca_max[r];
}

/* ---- turns and their fairness counters ---- */

static struct vbackend_work work_now(const struct vbackend *b)
{
	return (struct vbackend_work){ .wqes = b->stats.wqes_fetched, .commands = b->stats.commands,
				       .doorbells = b->doorbells, .copied_bytes = b->hca->copied_bytes,
				       .pages = b->pages_walked };
}

static void work_add(struct vbackend_work *sum, const struct vbackend_work *w)
{
	sum->wqes += w->wqes;
	sum->commands += w->commands;
	sum->doorbells += w->doorbells;
	sum->copied_bytes += w->copied_bytes;
	sum->pages += w->pages;
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static void work_max(struct vbackend_work *max, const struct vbackend_work *w)
{
	max->wqes = max_u64(max->wqes, w->wqes);
	max->commands = max_u64(max->commands, w->commands);
	max->doorbells = max_u64(max->doorbells, w->doorbells);
	max->copied_bytes = max_u64(max->copied_bytes, w->copied_bytes);
	max->pages = max_u64(max->pages, w->pages);
}

/* The guest's wait ends: record what the others got meanwhile.  Clearing
 * `due` by exchange orders it after a trap handler's bit-set that saw it
 * set (and so did not kick): the turn then sees that bit. */
static struct vbackend_work begin_turn(struct vdev *dev)
{
	atomic_exchange(&dev->due, 0);
	/* before the bits are taken: a doorbell rung after this kicks again */
	atomic_store(&dev->bells->rung, 0);
	work_max(&dev->service.max_waited, &dev->waiting);
	memset(&dev->waiting, 0, sizeof dev->waiting);
	return work_now(dev->backend);
}

/* What the turn did, counted for the guest and against every guest that
 * waited through it (a guest that became due mid-turn counts it whole). */
static void end_turn(struct vdev *dev, const struct vbackend_work *start)
{
	struct vbackend *b = dev->backend;
	struct vbackend_work now = work_now(b);
	struct vbackend_work done = { now.wqes - start->wqes, now.commands - start->commands,
				      now.doorbells - start->doorbells,
				      now.copied_bytes - start->copied_bytes, now.pages - start->pages };
	dev->service.turns++;
	dev->service.last_turn = done;
	work_add(&dev->service.total, &done);
	for (unsigned i = 0; i < VBACKEND_MAX_GUESTS; i++) {
		struct vdev *other = b->devices[i];
		if (other != NULL && other != dev && atomic_load(&other->due))
			work_add(&other->waiting, &done);
	}
}

/* ---- the run queue ---- */

static void enqueue(struct vbackend *b, struct vdev *dev)
{
	if (dev->queued)
		return;
	dev->queued = 1;
	dev->next_queued = NULL;
	if (b->queue_tail != NULL)
		b->queue_tail->next_queued = dev;
	else
		b->queue_head = dev;
	b->queue_tail = dev;
}

static struct vdev *dequeue(struct vbackend *b)
{
	struct vdev *dev = b->queue_head;
	if (dev == NULL)
		return NULL;
	b->queue_head = dev->next_queued;
	if (b->queue_head == NULL)
		b->queue_tail = NULL;
	dev->queued = 0;
	dev->next_queued = NULL;
	return dev;
}

static void unqueue(struct vbackend *b, struct vdev *dev)
{
	struct vdev *prev = NULL;
	for (struct vdev *d = b->queue_head; d != NULL; prev = d, d = d->next_queued) {
		if (d != dev)
			continue;
		if (prev != NULL)
			prev->next_queued = d->next_queued;
		else
			b->queue_head = d->next_queued;
		if (b->queue_tail == d)
			b->queue_tail = prev;
		break;
	}
	dev->queued = 0;
	if (b->last == dev)
		b->last = NULL;
}

/* Guests marked due while the last turn ran (their kick may not have
 * reached epoll yet) go before the guest just served. */
static void enqueue_due(struct vbackend *b)
{
	for (unsigned i = 0; i < VBACKEND_MAX_GUESTS; i++) {
		struct vdev *dev = b->devices[i];
		if (dev != NULL && dev != b->last && atomic_load(&dev->due))
			enqueue(b, dev);
	}
}

static int has_work(struct vdev *dev)
{
	return dev->more || dev->paused_count > 0 || atomic_load(&dev->due);
}

void vb_schedule(struct vdev *dev)
{
	struct vbackend *b = dev->backend;
	if (b->serving == dev) {
		dev->more = 1;
		return;
	}
	atomic_store(&dev->due, 1);
	enqueue(b, dev);
}

/* One turn: copies that stopped at the last budget, rings the HCA had no
 * room for, then control, doorbells and the command (or the rest of the
 * one mid-walk), within the budgets. */
static void serve_turn(struct vbackend *b, struct vdev *dev)
{
	if (dev->frozen) { /* saved for migration: its work is the destination's */
		atomic_store(&dev->due, 0);
		return;
	}
	b->serving = dev;
	struct vbackend_work start = begin_turn(dev);
	b->turn_wqes_left = VBACKEND_TURN_WQES;
	b->turn_doorbells_left = VBACKEND_TURN_DOORBELLS;
	b->turn_pages_left = VBACKEND_TURN_PAGES;
	b->hca->copy_budget_bytes = VBACKEND_TURN_COPY_BYTES;
	dev->more = 0;
	vb_resume_paused(dev);
	if (b->stalled != NULL)
		vb_retry_stalled(dev);
	vb_drain_doorbells(dev);
	b->hca->copy_budget_bytes = 0;
	b->serving = NULL;
	if (dev->more || dev->paused_count > 0)
		atomic_store(&dev->due, 1);
	b->last = dev;
	end_turn(dev, &start);
}

/* The device a kick's MARK names, or NULL when vbackend_destroy_vm took
 * it away after epoll_wait returned the kick (a device newly attached in
 * the same slot gets a spurious turn, which is harmless). */
static struct vdev *marked_device(struct vbackend *b, void *mark)
{
	uintptr_t slot = (uintptr_t)mark - GUEST_MARK_BASE - 1;
	return slot < VBACKEND_MAX_GUESTS ? b->devices[slot] : NULL;
}

static void take_events(struct vbackend *b, const struct epoll_event *events, int n)
{
	for (int i = 0; i < n; i++) {
		void *mark = events[i].data.ptr;
		uint64_t count;
		if (mark == CONTROL_MARK) {
			ssize_t r = read(b->control_fd, &count, sizeof count);
			(void)r;
		} else if (mark == HCA_MARK) {
			b->hca->ops->process(b->hca);
			if (b->stalled != NULL)
				vb_stalled_due(b);
		} else {
			struct vdev *dev = marked_device(b, mark);
			if (dev == NULL)
				continue;
			ssize_t r = read(dev->kick_fd, &count, sizeof count);
			(void)r;
			/* A guest process's kick comes with no trap handler to set due. */
			if (dev->remote)
				atomic_store(&dev->due, 1);
			if (dev != b->last)
				enqueue(b, dev);
		}
	}
}

static void pin_thread(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *backend_thread(void *arg)
{
	struct vbackend *b = arg;
	pin_thread(b->config.cpu);
	struct epoll_event events[EPOLL_BATCH];
	int idle = 1;
	while (!atomic_load(&b->stop)) {
		/* With guests waiting, only look for new arrivals. */
		int kicked;
		int n = vb_wait(b, events, EPOLL_BATCH, idle, &kicked);
		if (n < 0 && errno == EINTR && !kicked)
			continue;
		pthread_mutex_lock(&b->lock);
		if (kicked)
			enqueue_due(b);
		take_events(b, events, n);
		if (b->last != NULL) {
			enqueue_due(b);
			if (has_work(b->last))
				enqueue(b, b->last);
			b->last = NULL;
		}
		struct vdev *dev = dequeue(b);
		if (dev != NULL)
			serve_turn(b, dev);
		idle = b->queue_head == NULL && (b->last == NULL || !has_work(b->last));
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

static int watch_events(int epoll_fd, int fd, uint32_t events, void *mark)
{
	struct epoll_event ev = { .events = events, .data.ptr = mark };
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

static int watch(int epoll_fd, int fd, void *mark)
{
	return watch_events(epoll_fd, fd, EPOLLIN, mark);
}

int vbackend_start(const struct vbackend_config *config, struct vbackend **out, char *err,
		   size_t err_bytes)
{
	struct vbackend *b = calloc(1, sizeof *b);
	if (b == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return ENOMEM;
	}
	b->config = *config;
	b->hca = config->hca;
	b->trace = config->trace;
	clamp_to_hca(&b->config.limits, b->hca);
	char why[200];
	if (vacct_check_limits(&b->config.limits, why, sizeof why) != 0) {
		snprintf(err, err_bytes, "vRDMA backend limits: %s", why);
		free(b);
		return EINVAL;
	}
	vacct_host_init(&b->account, &b->config.limits);
	b->qpn_table_size = 2 * 65536;
	b->qpn_table = calloc(b->qpn_table_size, sizeof *b->qpn_table);
	b->wc_batch = calloc(32, sizeof *b->wc_batch);
	b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	b->control_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&b->lock, NULL);
	int rc = 0;
	if (b->qpn_table == NULL || b->wc_batch == NULL)
		rc = ENOMEM;
	else if (b->epoll_fd < 0 || b->control_fd < 0)
		rc = errno;
	if (rc == 0)
		rc = watch(b->epoll_fd, b->control_fd, CONTROL_MARK);
	if (rc == 0)
		rc = watch(b->epoll_fd, b->hca->ops->event_fd(b->hca), HCA_MARK);
	if (rc == 0) {
		b->hca->on_async = vb_async_event;
		b->hca->async_ctx = b;
		if (b->hca->ops->resume_send != NULL) {
			b->hca->on_paused = vb_copy_paused;
			b->hca->copy_budget_bytes = 0; /* copies happen in turns only */
		}
		rc = pthread_create(&b->thread, NULL, backend_thread, b);
	}
	if (rc != 0) {
		snprintf(err, err_bytes, "cannot start the vRDMA backend: %s", strerror(rc));
		if (b->epoll_fd >= 0)
			close(b->epoll_fd);
		if (b->control_fd >= 0)
			close(b->control_fd);
		free(b->qpn_table);
		free(b->wc_batch);
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

static void free_device(struct vdev *dev)
{
	vb_lines_close(dev);
	vgm_unmap(&dev->memory, 0);
	vgm_unmap(&dev->vm.memory, 1);
	free(dev->pds);
	free(dev->mrs);
	free(dev->cqs);
	free(dev->qps);
	free(dev->paused_qpns);
	free(dev);
}

static struct vdev *new_device(struct vbackend *b, uint16_t guest_id)
{
	const struct vbackend_config *c = &b->config;
	struct vdev *dev = calloc(1, sizeof *dev);
	if (dev == NULL)
		return NULL;
	dev->ops = &vb_trap_ops;
	dev->backend = b;
	dev->guest_id = guest_id;
	dev->op_host = b->config.host_id;
	dev->op_guest = guest_id;
	dev->kick_fd = dev->guest_kick_fd = -1;
	dev->memory.fd = dev->vm.memory.fd = dev->bells_page.fd = -1;
	for (int v = 0; v < VRDMA_VECTOR_COUNT; v++)
		dev->vm.irq_fd[v] = dev->irq_fd[v] = -1;
	dev->pds = calloc(c->max_pd_per_guest, sizeof *dev->pds);
	dev->mrs = calloc(c->max_mr_per_guest, sizeof *dev->mrs);
	dev->cqs = calloc(c->max_cq_per_guest, sizeof *dev->cqs);
	dev->qps = calloc(c->max_qp_per_guest, sizeof *dev->qps);
	dev->paused_qpns = calloc(c->max_qp_per_guest, sizeof *dev->paused_qpns);
	if (!dev->pds || !dev->mrs || !dev->cqs || !dev->qps || !dev->paused_qpns) {
		free_device(dev);
		return NULL;
	}
	return dev;
}

static int create_vm(struct vbackend *b, uint64_t memory_bytes, int remote, struct vrdma_vm **out,
		     char *err, size_t err_bytes)
{
	if (b->config.max_qp_per_guest >= VRDMA_DOORBELL_WORDS * 64u ||
	    b->config.max_cq_per_guest >= VRDMA_DOORBELL_WORDS * 64u) {
		snprintf(err, err_bytes, "at most %u QPs and CQs per guest", VRDMA_DOORBELL_WORDS * 64u - 1);
		return EINVAL;
	}
	pthread_mutex_lock(&b->lock);
	uint16_t slot = 0;
	while (slot < VBACKEND_MAX_GUESTS && b->devices[slot] != NULL)
		slot++;
	pthread_mutex_unlock(&b->lock);
	if (slot == VBACKEND_MAX_GUESTS) {
		snprintf(err, err_bytes, "this host already runs %u guests", VBACKEND_MAX_GUESTS);
		return ENOSPC;
	}
	struct vdev *dev = new_device(b, (uint16_t)(slot + 1));
	if (dev == NULL) {
		snprintf(err, err_bytes, "out of memory");
		return ENOMEM;
	}
	int rc = vgm_create(memory_bytes, &dev->vm.memory, err, err_bytes);
	if (rc == 0)
		rc = vgm_map(dev->vm.memory.fd, dev->vm.memory.bytes, &dev->memory, err, err_bytes);
	if (rc == 0)
		rc = vb_lines_open(dev, remote, err, err_bytes);
	dev->vm.device = (struct vdev *)dev;
	dev->vm.guest_id = dev->guest_id;
	dev->vm.host_id = b->config.host_id;
	dev->vm.trace = b->trace;
	if (rc == 0) {
		pthread_mutex_lock(&b->lock);
		rc = vacct_attach(&b->account, &dev->account, dev->memory.bytes / VRDMA_PAGE_BYTES, err, err_bytes);
		if (rc == 0) {
			b->devices[slot] = dev;
			rc = watch(b->epoll_fd, dev->kick_fd, GUEST_MARK(dev->guest_id));
			/* Edge-triggered and never read: the guest holds this eventfd
			 * and could make a read of it block (clear O_NONBLOCK, drain
			 * it first); every write to it still wakes epoll. */
			if (rc == 0 && dev->guest_kick_fd >= 0)
				rc = watch_events(b->epoll_fd, dev->guest_kick_fd, EPOLLIN | EPOLLET,
						  GUEST_MARK(dev->guest_id));
			if (rc != 0) {
				epoll_ctl(b->epoll_fd, EPOLL_CTL_DEL, dev->kick_fd, NULL);
				b->devices[slot] = NULL;
				vacct_detach(&b->account, &dev->account);
			}
		}
		pthread_mutex_unlock(&b->lock);
	}
	if (rc != 0) {
		free_device(dev);
		return rc;
	}
	*out = &dev->vm;
	return 0;
}

int vbackend_create_vm(struct vbackend *b, uint64_t memory_bytes, struct vrdma_vm **out, char *err,
		       size_t err_bytes)
{
	return create_vm(b, memory_bytes, 0, out, err, err_bytes);
}

int vbackend_create_remote_vm(struct vbackend *b, uint64_t memory_bytes, struct vrdma_vm **out,
			      struct vbackend_remote *remote, char *err, size_t err_bytes)
{
	int rc = create_vm(b, memory_bytes, 1, out, err, err_bytes);
	if (rc == 0)
		vb_lines_share((struct vdev *)(*out)->device, remote);
	return rc;
}

void vbackend_destroy_vm(struct vbackend *b, struct vrdma_vm *vm)
{
	if (vm == NULL)
		return;
	struct vdev *dev = vm->device;
	/* Holding the lock means the backend thread is not inside this device. */
	pthread_mutex_lock(&b->lock);
	epoll_ctl(b->epoll_fd, EPOLL_CTL_DEL, dev->kick_fd, NULL);
	if (dev->guest_kick_fd >= 0)
		epoll_ctl(b->epoll_fd, EPOLL_CTL_DEL, dev->guest_kick_fd, NULL);
	vb_reset_device(dev);
	vacct_detach(&b->account, &dev->account);
	unqueue(b, dev); /* after the reset: its flushes may have made the guest due */
	b->devices[dev->guest_id - 1] = NULL;
	pthread_mutex_unlock(&b->lock);
	free_device(dev);
}

void vbackend_stop(struct vbackend *b)
{
	if (b == NULL)
		return;
	atomic_store(&b->stop, 1);
	uint64_t one = 1;
	ssize_t n = write(b->control_fd, &one, sizeof one);
	(void)n;
	pthread_join(b->thread, NULL);
	for (unsigned i = 0; i < VBACKEND_MAX_GUESTS; i++)
		if (b->devices[i] != NULL) {
			vb_reset_device(b->devices[i]);
			free_device(b->devices[i]);
		}
	close(b->epoll_fd);
	close(b->control_fd);
	pthread_mutex_destroy(&b->lock);
	free(b->qpn_table);
	free(b->wc_batch);
	free(b);
}

uint8_t vbackend_host_id(const struct vbackend *b)
{
	return b->config.host_id;
}

void vbackend_get_stats(struct vbackend *b, struct vbackend_stats *stats)
{
	pthread_mutex_lock(&b->lock);
	*stats = b->stats;
	pthread_mutex_unlock(&b->lock);
	stats->traps = atomic_load(&b->traps);
}

void vbackend_get_usage(struct vbackend *b, const struct vrdma_vm *vm, struct vacct_usage *usage)
{
	pthread_mutex_lock(&b->lock);
	if (vm == NULL)
		vacct_host_usage(&b->account, usage);
	else
		vacct_guest_usage(&b->account, &((const struct vdev *)vm->device)->account, usage);
	pthread_mutex_unlock(&b->lock);
}

void vbackend_get_guest_stats(struct vbackend *b, const struct vrdma_vm *vm,
			      struct vbackend_guest_stats *stats)
{
	pthread_mutex_lock(&b->lock);
	*stats = ((const struct vdev *)vm->device)->service;
	pthread_mutex_unlock(&b->lock);
}
