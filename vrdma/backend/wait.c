/*
 * vrdma/backend/wait.c -- how the backend thread waits for work: sleeping
 * in epoll, or first looking for work for a bounded time (poll_ns of
 * struct vbackend_config) while guests need not wake it.
 *
 * A wake-up costs 1 us on the sleeper's own core and 5-25 us across cores
 * on these VMs (an inter-processor interrupt inside a VM): more than the
 * device work a small message needs.  A backend that has just worked looks
 * again for poll_ns before sleeping.  Meanwhile a guest's trap handler does
 * not write the kick eventfd (a system call, and a wake-up if the backend
 * slept): it flips poll_state from POLLING to KICKED, which the polling
 * loop reads from memory.  The protocol, both sides atomic:
 *   backend  POLLING -> (loop: KICKED seen? work) -> CAS POLLING -> IDLE,
 *            and a failed CAS means KICKED: work;
 *   trap     CAS POLLING -> KICKED succeeded: the backend will see it;
 *            else (IDLE, or KICKED by another guest) write the eventfd.
 * So no kick is lost: the trap's CAS succeeds only while the backend is
 * in the loop or before its final CAS, which then fails.
 * A kick seen this way names no guest: the caller enqueues every guest
 * marked due, as the trap handler marked it before kicking.
 * Packets and timers are still the HCA's fd: the loop asks epoll without
 * waiting.
 */
#include "vrdma/backend/internal.h"

#include <errno.h>
#include <sched.h>
#include <sys/epoll.h>
#include <time.h>

#define POLL_SPINS_PER_CHECK 4u

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Leave the polling state; 1 when a trap kicked meanwhile. */
static int stop_polling(struct vbackend *b)
{
	int expected = VB_POLL_POLLING;
	if (atomic_compare_exchange_strong(&b->poll_state, &expected, VB_POLL_IDLE))
		return 0;
	atomic_store(&b->poll_state, VB_POLL_IDLE);
	return 1;
}

int vb_trap_kick_polling(struct vbackend *b)
{
	int expected = VB_POLL_POLLING;
	return atomic_compare_exchange_strong(&b->poll_state, &expected, VB_POLL_KICKED);
}

int vb_wait(struct vbackend *b, struct epoll_event *events, int max_events, int idle, int *kicked)
{
	*kicked = 0;
	if (!idle || b->config.poll_ns == 0)
		return epoll_wait(b->epoll_fd, events, max_events, idle ? -1 : 0);
	uint64_t deadline = now_ns() + b->config.poll_ns;
	atomic_store(&b->poll_state, VB_POLL_POLLING);
	for (unsigned spins = 0;; spins++) {
		if (atomic_load_explicit(&b->poll_state, memory_order_acquire) == VB_POLL_KICKED) {
			*kicked = stop_polling(b);
			return 0;
		}
		/* the HCA's fd costs a system call: asked every few spins; and
		 * the CPU is offered to whoever else wants it (a vCPU sharing
		 * this core), which costs nothing when nobody does */
		if (spins % POLL_SPINS_PER_CHECK == POLL_SPINS_PER_CHECK - 1) {
			int n = epoll_wait(b->epoll_fd, events, max_events, 0);
			if (n != 0 || now_ns() >= deadline) {
				*kicked = stop_polling(b);
				if (n != 0 || *kicked)
					return n;
				break;
			}
			sched_yield();
		}
		relax();
	}
	return epoll_wait(b->epoll_fd, events, max_events, -1);
}
