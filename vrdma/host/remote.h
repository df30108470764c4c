/*
 * vrdma/host/remote.h -- inside a guest process's VM on a vrdma-host: what
 * attach.c (attaching, register accesses, doorbells) and guest_move.c
 * (moving it to another host) share.  Not for users: attach.h is.
 */
#ifndef VRDMA_HOST_REMOTE_H
#define VRDMA_HOST_REMOTE_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "vrdma/device/doorbells.h"
#include "vrdma/device/guest_mem.h"
#include "vrdma/device/vm.h"
#include "vrdma/host/wire.h"

#define VREMOTE_WELCOME_WAIT_S 10 /* a host that does not answer HELLO by then is not one */

struct vremote {
	const struct vdev_ops *ops;     /* first (vm.h) */
	int sock;
	pthread_mutex_t lock;           /* one register access (or a move) at a time */
	struct vgm_map bells_map;       /* the doorbell page */
	struct vrdma_doorbells *bells;
	int kick_fd;
	struct vrdma_vm vm;
};

/* VM's struct vremote, or NULL when VM is not a vrdma_attach one. */
struct vremote *vremote_of(struct vrdma_vm *vm);

/* One record on the socket (0, or -1 with errno); with FD_COUNT (at most
 * VHOST_RESTORE_FDS) fds passed along. */
int vremote_send_record(int sock, const struct vhost_msg *m);
int vremote_send_with_fds(int sock, const struct vhost_msg *m, const int *fds, int fd_count);
/* One record with up to MAX_FDS passed fds (OUT fds[], *got: how many
 * came; those beyond are closed).  The record's size, or -1 with errno. */
ssize_t vremote_receive_with_fds(int sock, struct vhost_msg *m, int *fds, int max_fds, int *got);
/* A WELCOME with its VHOST_WELCOME_FDS fds (OUT fds[], -1 unless all
 * came).  0, or an errno with err: the host's refusal and its reason. */
int vremote_receive_welcome(int sock, struct vhost_msg *m, int *fds, char *err, size_t err_bytes);
/* A connected socket to the vrdma-host at PATH, reads waiting at most
 * VREMOTE_WELCOME_WAIT_S; -1 with errno and err. */
int vremote_connect_to(const char *path, char *err, size_t err_bytes);
/* Reads on SOCK wait as long as the host takes (after its welcome). */
void vremote_wait_forever(int sock);

#endif
