/*
 * vrdma/verbs_abi/cq.c -- completion channels and completion queues:
 * ibv_create_comp_channel, ibv_destroy_comp_channel, ibv_create_cq,
 * ibv_destroy_cq, ibv_get_cq_event, ibv_ack_cq_events, and the ops
 * poll_cq and req_notify_cq that verbs.h inlines.
 *
 * A channel's fd is a duplicate of the device's CQ-notification interrupt
 * line (an eventfd): it becomes readable when the device raised a CQ
 * notification, so a program may poll() it before ibv_get_cq_event, and
 * O_NONBLOCK on it makes ibv_get_cq_event return EAGAIN, as with rdma-core.
 * The driver's CQ carries the wrapper as its cq_context, so an event
 * names the program's struct ibv_cq.
 */
#include "vrdma/verbs_abi/abi.h"
#include "vrdma/device/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

VAB_EXPORT struct ibv_comp_channel *ibv_create_comp_channel(struct ibv_context *context)
{
	struct vab_channel *ch = calloc(1, sizeof *ch);
	if (ch == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ch->driver = vrdma_create_comp_channel(vab_context_of(context)->driver);
	ch->ibv.fd = ch->driver ? fcntl(vab_device_vm()->irq_fd[VRDMA_VECTOR_CQ_NOTIFY], F_DUPFD_CLOEXEC, 0) : -1;
	if (ch->ibv.fd < 0) {
		int rc = errno;
		if (ch->driver)
			vrdma_destroy_comp_channel(ch->driver);
		free(ch);
		errno = rc;
		return NULL;
	}
	ch->ibv.context = context;
	return &ch->ibv;
}

VAB_EXPORT int ibv_destroy_comp_channel(struct ibv_comp_channel *ibv)
{
	struct vab_channel *ch = (struct vab_channel *)ibv;
	if (ibv->refcnt != 0) {
		errno = EBUSY;
		return -1;
	}
	vrdma_destroy_comp_channel(ch->driver);
	close(ibv->fd);
	free(ch);
	return 0;
}

VAB_EXPORT struct ibv_cq *ibv_create_cq(struct ibv_context *context, int cqe, void *cq_context,
					struct ibv_comp_channel *channel, int comp_vector)
{
	struct vab_cq *cq = calloc(1, sizeof *cq);
	if (cq == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (comp_vector < 0 || comp_vector >= context->num_comp_vectors) {
		free(cq);
		errno = EINVAL;
		return NULL;
	}
	struct vab_channel *ch = (struct vab_channel *)channel;
	cq->driver = vrdma_create_cq(vab_context_of(context)->driver, cqe, cq, ch ? ch->driver : NULL);
	if (cq->driver == NULL) {
		free(cq);
		return NULL;
	}
	cq->ibv.context = context;
	cq->ibv.channel = channel;
	cq->ibv.cq_context = cq_context;
	cq->ibv.cqe = cqe;
	pthread_mutex_init(&cq->ibv.mutex, NULL);
	pthread_cond_init(&cq->ibv.cond, NULL);
	if (channel)
		channel->refcnt++;
	return &cq->ibv;
}

VAB_EXPORT int ibv_destroy_cq(struct ibv_cq *ibv)
{
	struct vab_cq *cq = (struct vab_cq *)ibv;
	int rc = vrdma_destroy_cq(cq->driver);
	if (rc != 0)
		return rc;
	if (ibv->channel)
		ibv->channel->refcnt--;
	pthread_cond_destroy(&ibv->cond);
	pthread_mutex_destroy(&ibv->mutex);
	free(cq);
	return 0;
}

VAB_EXPORT int ibv_get_cq_event(struct ibv_comp_channel *channel, struct ibv_cq **cq, void **cq_context)
{
	struct vrdma_cq *driver_cq;
	void *wrapper;
	int rc = vrdma_get_cq_event(((struct vab_channel *)channel)->driver, &driver_cq, &wrapper);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	*cq = &((struct vab_cq *)wrapper)->ibv;
	*cq_context = (*cq)->cq_context;
	return 0;
}

VAB_EXPORT void ibv_ack_cq_events(struct ibv_cq *ibv, unsigned int nevents)
{
	vrdma_ack_cq_events(((struct vab_cq *)ibv)->driver, nevents);
	pthread_mutex_lock(&ibv->mutex);
	ibv->comp_events_completed += nevents;
	pthread_cond_signal(&ibv->cond);
	pthread_mutex_unlock(&ibv->mutex);
}

int vab_poll_cq(struct ibv_cq *ibv, int num_entries, struct ibv_wc *wc)
{
	return vrdma_poll_cq(((struct vab_cq *)ibv)->driver, num_entries, wc);
}

int vab_req_notify_cq(struct ibv_cq *ibv, int solicited_only)
{
	return vrdma_req_notify_cq(((struct vab_cq *)ibv)->driver, solicited_only);
}
