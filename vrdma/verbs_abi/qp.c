/*
 * vrdma/verbs_abi/qp.c -- queue pairs: ibv_create_qp, ibv_modify_qp,
 * ibv_query_qp, ibv_destroy_qp, and the ops post_send and post_recv that
 * verbs.h inlines.  RC only, no SRQ.  The QP number the program publishes
 * is the HCA's QPN, which the peer puts in dest_qp_num and which work
 * completions carry as qp_num.
 */
#include "vrdma/verbs_abi/abi.h"

#include <errno.h>
#include <stdlib.h>

static const char *qp_type_name(enum ibv_qp_type type)
{
	switch (type) {
	case IBV_QPT_UC: return "UC queue pairs";
	case IBV_QPT_UD: return "UD queue pairs";
	case IBV_QPT_RAW_PACKET: return "raw packet queue pairs";
	case IBV_QPT_XRC_SEND:
	case IBV_QPT_XRC_RECV: return "XRC queue pairs";
	case IBV_QPT_DRIVER: return "driver-specific queue pairs (DC, SRD)";
	default: return "queue pairs of this type";
	}
}

VAB_EXPORT struct ibv_qp *ibv_create_qp(struct ibv_pd *pd, struct ibv_qp_init_attr *init)
{
	if (init->qp_type != IBV_QPT_RC) {
		vab_unsupported(qp_type_name(init->qp_type));
		return NULL;
	}
	if (init->srq != NULL) {
		vab_unsupported("shared receive queues (SRQ)");
		return NULL;
	}
	struct vab_qp *qp = calloc(1, sizeof *qp);
	if (qp == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	struct vab_cq *scq = (struct vab_cq *)init->send_cq, *rcq = (struct vab_cq *)init->recv_cq;
	qp->driver = vrdma_create_qp(((struct vab_pd *)pd)->driver, scq ? scq->driver : NULL,
				     rcq ? rcq->driver : NULL, init);
	if (qp->driver == NULL) {
		free(qp);
		return NULL;
	}
	qp->ibv.context = pd->context;
	qp->ibv.qp_context = init->qp_context;
	qp->ibv.pd = pd;
	qp->ibv.send_cq = init->send_cq;
	qp->ibv.recv_cq = init->recv_cq;
	qp->ibv.handle = qp->driver->handle;
	qp->ibv.qp_num = qp->driver->qp_num;
	qp->ibv.state = IBV_QPS_RESET;
	qp->ibv.qp_type = IBV_QPT_RC;
	pthread_mutex_init(&qp->ibv.mutex, NULL);
	pthread_cond_init(&qp->ibv.cond, NULL);
	return &qp->ibv;
}

VAB_EXPORT int ibv_modify_qp(struct ibv_qp *ibv, struct ibv_qp_attr *attr, int attr_mask)
{
	struct vab_qp *qp = (struct vab_qp *)ibv;
	int rc = vrdma_modify_qp(qp->driver, attr, attr_mask);
	if (rc == 0 && (attr_mask & IBV_QP_STATE))
		ibv->state = attr->qp_state;
	return rc;
}

VAB_EXPORT int ibv_query_qp(struct ibv_qp *ibv, struct ibv_qp_attr *attr, int attr_mask,
			    struct ibv_qp_init_attr *init_attr)
{
	struct vab_qp *qp = (struct vab_qp *)ibv;
	int rc = vrdma_query_qp(qp->driver, attr, attr_mask, init_attr);
	if (rc == 0 && init_attr != NULL) {
		init_attr->qp_context = ibv->qp_context;
		init_attr->send_cq = ibv->send_cq;
		init_attr->recv_cq = ibv->recv_cq;
		init_attr->srq = NULL;
		init_attr->qp_type = IBV_QPT_RC;
	}
	return rc;
}

VAB_EXPORT int ibv_destroy_qp(struct ibv_qp *ibv)
{
	struct vab_qp *qp = (struct vab_qp *)ibv;
	int rc = vrdma_destroy_qp(qp->driver);
	if (rc != 0)
		return rc;
	pthread_cond_destroy(&ibv->cond);
	pthread_mutex_destroy(&ibv->mutex);
	free(qp);
	return 0;
}

int vab_post_send(struct ibv_qp *ibv, struct ibv_send_wr *wr, struct ibv_send_wr **bad_wr)
{
	return vrdma_post_send(((struct vab_qp *)ibv)->driver, wr, bad_wr);
}

int vab_post_recv(struct ibv_qp *ibv, struct ibv_recv_wr *wr, struct ibv_recv_wr **bad_wr)
{
	return vrdma_post_recv(((struct vab_qp *)ibv)->driver, wr, bad_wr);
}
