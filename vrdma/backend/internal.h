/*
 * vrdma/backend/internal.h -- the backend's private structures.
 *
 * One struct vbackend per host; one struct vdev per guest device.  Guest
 * objects are named by handles, small per-guest numbers (index + 1), so one
 * guest cannot name another's objects.  The backend keeps its own copy of
 * every ring index it produces or consumes; what it reads from guest memory
 * is only ever the other side's index, validated.
 */
#ifndef VRDMA_BACKEND_INTERNAL_H
#define VRDMA_BACKEND_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vrdma/backend/backend.h"
#include "vrdma/device/abi.h"
#include "vrdma/device/doorbells.h"
#include "vrdma/device/guest_mem.h"
#include "vrdma/device/page_dir.h"
#include "vrdma/device/vm.h"


/* Work requests handed to the HCA whose completions have not come back:
 * maps the op id (the HCA's wr_id) to the guest's wr_id.  RC completes in
 * order, so a FIFO suffices; unsignalled requests are skipped over. */
struct vb_inflight {
	uint64_t *op_ids;
	uint64_t *guest_wr_ids;
	uint32_t capacity, head, count;
};

/* A ring in guest memory: host pointers of its pages, slot geometry. */
struct vb_ring {
	uint8_t **pages;          /* host pointers into the backend's view */
	uint32_t page_count;
	uint32_t first_page;      /* slots start at this page */
	uint32_t slot_bytes;
	uint32_t size;            /* slots, a power of two */
	uint32_t *guest_index;    /* the guest's index in guest memory (read, validated) */
	uint32_t *device_index;   /* our index in guest memory (written) */
	uint32_t index;           /* our index, authoritative */
};

struct vb_pd {
	int used;
	uint32_t pdn;
};

struct vb_mr {
	int used;
	uint32_t pd_handle;
	uint32_t lkey, rkey;
	int access;               /* IBV_ACCESS_* as registered (migrate.c saves it) */
	uint8_t **pages;
	uint64_t *gpas;
	struct vhca_mem mem;
};

struct vb_cq {
	int used;
	uint32_t cqn;
	struct vb_ring ring;      /* device produces CQEs, guest consumes */
	atomic_uint arm;          /* 0, VRDMA_UAR_CQ_ARM, or with _SOLICITED */
	int broken;               /* ring index corrupted or overrun: no more CQEs */
	uint32_t qp_refs;
	struct vdev *dev;
	uint32_t handle;
};

struct vb_qp {
	int used;
	uint32_t qpn;
	uint32_t pd_handle, send_cq_handle, recv_cq_handle;
	uint32_t max_send_sge, max_recv_sge, max_inline_bytes;
	int sq_sig_all;
	uint8_t **pages;
	uint32_t page_count;
	struct vb_ring sq, rq;    /* guest produces WQEs, device consumes */
	uint32_t sq_sequence, rq_sequence; /* work requests consumed: op ids */
	struct vb_inflight sq_inflight, rq_inflight;
	int sq_stalled, rq_stalled; /* the HCA's queue was full: retry when it drains */
	int on_stalled_list;
	struct vb_qp *next_stalled;
	/* a WQE fetched (its slot already free) that the HCA had no room for */
	struct vrdma_send_wqe sq_held;
	struct vrdma_recv_wqe rq_held;
	uint64_t sq_held_op, rq_held_op;
	int sq_holding, rq_holding;
	int broken;               /* ring corrupted: QP moved to error */
	uint32_t handle;
	struct vdev *dev;
};

/* A command whose page directory is walked in pieces, at most the turn's
 * page budget (backend.h) per turn of its guest (walk.c).  It begins when
 * the guest writes REQUEST: the request is copied once, checked, its bill
 * charged and the backend's arrays allocated; the walk goes on in the
 * guest's next turns; only when it is done is the object created and the
 * response written (ERR, vector 0).  Meanwhile no other command is taken.
 * A reset or the VM's destruction mid-walk frees the arrays and releases
 * the bill. */
struct vb_walk {
	int running;              /* a command is mid-walk */
	union vrdma_request req;  /* the request as copied when it began */
	struct vacct_bill bill;   /* charged when it began, released unless the object took it */
	uint32_t handle;          /* the table slot the object will fill */
	struct vpd_cursor cursor; /* how far the walk got */
	uint64_t *gpas;           /* [page_count]: the pages walked so far */
	uint8_t **pages;          /* [page_count]: their host pointers */
	uint64_t start_ns;        /* when it began, for the trace */
};

/* Register writes, coalesced as KVM's ioeventfd coalesces: the trap
 * handler sets them, the backend takes them on wake-up.  (Doorbells are
 * bits in the doorbell page, struct vdev's bells.) */
struct vb_pending {
	atomic_uint request;      /* REQUEST written */
	atomic_uint control;      /* last CTL value written, 0 = none */
	atomic_uint invalid;      /* writes the device does not understand */
};

struct vdev {
	const struct vdev_ops *ops; /* first (vm.h): vb_trap_ops */
	struct vbackend *backend;
	struct vrdma_vm vm;       /* handed to the guest */
	struct vgm_map memory;    /* the backend's own view of guest memory */
	uint16_t guest_id;
	/* the host and guest numbers its op ids carry (trace.h): its own, or
	 * after a migration the ones it had where it started, so a work
	 * request keeps its id across the move */
	uint8_t op_host;
	uint16_t op_guest;
	int kick_fd;              /* ioeventfd: the trap handler writes, the backend waits */
	struct vgm_map bells_page; /* the doorbell page: a sealed memfd, also a guest process's */
	struct vrdma_doorbells *bells; /* its contents: written by the guest, untrusted */
	int remote;               /* the guest is another process (vbackend_create_remote_vm) */
	int guest_kick_fd;        /* remote: the guest's kick (an eventfd it holds too: never
				   * read or written here, watched edge-triggered), or -1 */
	int irq_fd[VRDMA_VECTOR_COUNT]; /* the backend's ends of the interrupt lines: vm.irq_fd's
					 * eventfds, or a remote guest's non-blocking sockets */
	atomic_uint reg_dsr_low, reg_dsr_high, reg_imr, reg_err;
	struct vb_pending pending;
	int active;
	int frozen;               /* saved for migration (migrate.c): no more turns */
	uint64_t dsr_gpa;
	struct vb_ring async_ring, notify_ring; /* device produces, guest consumes */
	struct vb_pd *pds;
	struct vb_mr *mrs;
	struct vb_cq *cqs;
	struct vb_qp *qps;
	struct vacct_guest account; /* what this guest holds (account.h) */
	struct vb_walk walk;      /* the command mid-walk, if any */
	/* Scheduling (backend.c).  due: the guest has work the backend has not
	 * started on (a trap handler set it and kicked, or its last turn ended
	 * at a budget); trap handlers kick only when they set it. */
	atomic_uint due;
	int queued;               /* on the run queue */
	struct vdev *next_queued;
	int more;                 /* this turn stopped at a budget with work left */
	uint32_t *paused_qpns;    /* QPs whose same-host copy stopped at the budget */
	uint32_t paused_count;
	struct vbackend_work waiting; /* done for other guests since this one became due */
	struct vbackend_guest_stats service;
};

struct vb_qpn_entry {
	uint32_t qpn;
	struct vb_qp *qp;         /* NULL: free; tombstones use (void*)1 */
};

struct vbackend {
	struct vbackend_config config;
	struct vhca *hca;
	struct vtrace *trace;
	pthread_t thread;
	int epoll_fd;
	int control_fd;           /* eventfd: stop, device added/removed */
	pthread_mutex_t lock;     /* guards devices[] against create/destroy */
	pthread_cond_t changed;
	struct vdev *devices[VBACKEND_MAX_GUESTS];
	atomic_int stop;
	struct vb_qpn_entry *qpn_table; /* HCA QPN -> QP, open addressing */
	uint32_t qpn_table_size;
	struct vbackend_stats stats; /* backend thread only */
	struct vb_qp *stalled;        /* QPs whose WQEs wait for room in the HCA */
	atomic_ullong traps;          /* counted by trap handlers on vCPU threads */
	struct ibv_wc *wc_batch;
	struct vacct_host account;    /* every guest's holdings (account.h) */
	uint64_t doorbells;           /* doorbell bits taken, for the fairness counters */
	/* Run queue of due guests, served one turn each in order (backend.c). */
	struct vdev *queue_head, *queue_tail;
	struct vdev *serving;         /* the guest whose turn it is, or NULL */
	struct vdev *last;            /* served last: queued again behind the guests due meanwhile */
	uint32_t turn_wqes_left, turn_doorbells_left; /* the serving guest's budget (backend.h) */
	uint32_t turn_pages_left;
	uint64_t pages_walked;        /* page-directory entries walked, for the fairness counters */
	atomic_int poll_state;        /* VB_POLL_*: wait.c's handshake with trap handlers */
};

/* wait.c: waiting for work (config.poll_ns: look before sleeping). */
enum { VB_POLL_IDLE, VB_POLL_POLLING, VB_POLL_KICKED };
struct epoll_event;
/* epoll_wait's result; *kicked when a trap handler kicked the polling
 * thread instead of its eventfd (the caller enqueues the guests due). */
int vb_wait(struct vbackend *b, struct epoll_event *events, int max_events, int idle, int *kicked);
/* A trap handler's kick: 1 when the backend is polling and will see it. */
int vb_trap_kick_polling(struct vbackend *b);

/* backend.c: the guest has work for a turn (within its own turn: another one). */
void vb_schedule(struct vdev *dev);

/* command.c */
void vb_execute_command(struct vdev *dev);
/* Walk on the command mid-walk (dev->walk.running), within the turn's page
 * budget; answer it when done. */
void vb_continue_command(struct vdev *dev);

/* lifecycle.c: activation (DSR written, CTL), reset, object teardown (the
 * object's bill released, its slot cleared) */
void vb_activate(struct vdev *dev);
void vb_reset_device(struct vdev *dev);
void vb_destroy_qp(struct vdev *dev, struct vb_qp *qp);
void vb_destroy_mr(struct vdev *dev, struct vb_mr *mr);
void vb_destroy_cq(struct vdev *dev, struct vb_cq *cq);

/* bill.c: what each object costs its guest (account.h); PAGES are the
 * object's page-directory pages. */
struct vacct_bill vb_pd_bill(void);
struct vacct_bill vb_mr_bill(uint32_t pages);
struct vacct_bill vb_cq_bill(uint32_t cqes, uint32_t pages);
struct vacct_bill vb_qp_bill(uint32_t wqes, uint32_t pages);
struct vacct_bill vb_ring_bill(uint32_t pages);
/* 0, or ENOMEM with nothing charged (over the guest's share, or the host's) */
int vb_charge(struct vdev *dev, struct vacct_bill bill);
void vb_release(struct vdev *dev, struct vacct_bill bill);

/* walk.c: a command's page directory, a turn's page budget at a time */
#define VB_WALKING (-1) /* vb_walk_begin's return: the command goes on in the next turns */
/* Charge BILL and begin walking REF (at most MAX_PAGES) for the object in
 * slot HANDLE.  Returns VB_WALKING, or an errno with nothing charged (WHY
 * says what is wrong with the directory). */
int vb_walk_begin(struct vdev *dev, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
		  struct vacct_bill bill, uint32_t handle, char *why, size_t why_bytes);
/* Walk at most the turn's page budget; 0, or an errno. */
int vb_walk_step(struct vdev *dev);
int vb_walk_done(const struct vb_walk *w);
/* The object took the walk's page pointers (and its gpas with TOOK_GPAS) and its bill. */
void vb_walk_taken(struct vb_walk *w, int took_gpas);
/* Free what the walk still owns, release the bill it still holds. */
void vb_walk_free(struct vdev *dev);

/* work.c: send and receive rings */
void vb_consume_send_queue(struct vb_qp *qp);
/* 0 when a fetched send WQE may be handed to the HCA, else EINVAL */
int vb_check_send_wqe(const struct vb_qp *qp, const struct vrdma_send_wqe *w);
void vb_consume_recv_queue(struct vb_qp *qp);
int vb_inflight_init(struct vb_inflight *f, uint32_t capacity);
void vb_inflight_free(struct vb_inflight *f);
int vb_inflight_take(struct vb_inflight *f, uint64_t op_id, uint64_t *guest_wr_id);
/* After the HCA did work: the guests of QPs the HCA had refused are due;
 * in a guest's turn, its QPs are retried. */
void vb_stalled_due(struct vbackend *b);
void vb_retry_stalled(struct vdev *dev);
void vb_forget_stalled(struct vb_qp *qp);
/* The HCA stopped a same-host copy at the turn's budget (vhca on_paused);
 * the guest's next turn resumes it. */
void vb_copy_paused(void *backend, uint32_t qpn);
void vb_resume_paused(struct vdev *dev);

/* completion.c */
void vb_cq_event(void *ctx, uint32_t cqn);
void vb_async_event(void *ctx, enum ibv_event_type type, uint32_t object);
void vb_guest_async_event(struct vdev *dev, enum ibv_event_type type, uint32_t handle);
void vb_raise_interrupt(struct vdev *dev, enum vrdma_vector vector);
void vb_write_error_cqe(struct vb_qp *qp, int send_queue, uint64_t guest_wr_id, uint64_t op_id,
			enum ibv_wc_status status, enum ibv_wc_opcode opcode);
void vb_arm_cq(struct vb_cq *cq, unsigned arm);

/* objects.c */
struct vb_pd *vb_pd_get(struct vdev *dev, uint32_t handle);
struct vb_mr *vb_mr_get(struct vdev *dev, uint32_t handle);
struct vb_cq *vb_cq_get(struct vdev *dev, uint32_t handle);
struct vb_qp *vb_qp_get(struct vdev *dev, uint32_t handle);
int vb_qpn_insert(struct vbackend *b, uint32_t qpn, struct vb_qp *qp);
struct vb_qp *vb_qpn_find(struct vbackend *b, uint32_t qpn);
void vb_qpn_remove(struct vbackend *b, uint32_t qpn);
int vb_ring_map(struct vdev *dev, const struct vrdma_pdir_ref *ref, uint32_t max_pages,
		uint8_t ***pages_out, char *why, size_t why_bytes);
int vb_ring_setup(struct vb_ring *ring, uint8_t **pages, uint32_t page_count, uint32_t first_page,
		  uint32_t slot_bytes, uint32_t size, uint32_t *guest_index, uint32_t *device_index);
void *vb_ring_slot(const struct vb_ring *ring, uint32_t index);

/* lines.c: the VM's doorbell page, kicks and interrupt lines (REMOTE: for
 * a guest process); 0, or an errno with err filled */
int vb_lines_open(struct vdev *dev, int remote, char *err, size_t err_bytes);
void vb_lines_close(struct vdev *dev);
void vb_lines_share(struct vdev *dev, struct vbackend_remote *remote);

/* migrate.c */
uint32_t vb_crc32(const uint8_t *p, size_t n);

/* trap.c */
extern const struct vdev_ops vb_trap_ops;
void vb_drain_doorbells(struct vdev *dev);
/* The turn's budget stopped a ring with WQEs left: ring again for it. */
void vb_ring_again(struct vdev *dev, int send_queue, uint32_t handle);
/* An arm doorbell for this CQ trapped but not yet drained: take it (1). */
int vb_take_arm_doorbell(struct vdev *dev, uint32_t handle);

#define VB_TRACE(dev, kind, actor, object, op, a0, a1, a2, flags)                                  \
	do {                                                                                      \
		if ((dev)->backend->trace)                                                        \
			vtrace_event((dev)->backend->trace, kind, actor, (dev)->backend->config.host_id, \
				     (dev)->guest_id, object, op, a0, a1, a2, flags);             \
	} while (0)

#endif
