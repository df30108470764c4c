/*
 * vrdma/device/qp_attr.c -- see qp_attr.h.
 */
#include "vrdma/device/qp_attr.h"

#include <string.h>

void vrdma_qp_attr_from_verbs(const struct ibv_qp_attr *v, struct vrdma_qp_attr *a)
{
	memset(a, 0, sizeof *a);
	a->qp_state = v->qp_state;
	a->cur_qp_state = v->cur_qp_state;
	a->path_mtu = v->path_mtu;
	a->qp_access_flags = (uint32_t)v->qp_access_flags;
	a->pkey_index = v->pkey_index;
	a->port_num = v->port_num;
	a->dest_qp_num = v->dest_qp_num;
	a->rq_psn = v->rq_psn;
	a->sq_psn = v->sq_psn;
	a->max_rd_atomic = v->max_rd_atomic;
	a->max_dest_rd_atomic = v->max_dest_rd_atomic;
	a->min_rnr_timer = v->min_rnr_timer;
	a->timeout = v->timeout;
	a->retry_cnt = v->retry_cnt;
	a->rnr_retry = v->rnr_retry;
	a->dlid = v->ah_attr.dlid;
	a->sl = v->ah_attr.sl;
	a->is_global = v->ah_attr.is_global;
	a->sgid_index = v->ah_attr.grh.sgid_index;
	a->hop_limit = v->ah_attr.grh.hop_limit;
	a->flow_label = v->ah_attr.grh.flow_label;
	memcpy(a->dgid, v->ah_attr.grh.dgid.raw, sizeof a->dgid);
	a->max_send_wr = v->cap.max_send_wr;
	a->max_recv_wr = v->cap.max_recv_wr;
	a->max_send_sge = v->cap.max_send_sge;
	a->max_recv_sge = v->cap.max_recv_sge;
	a->max_inline_data = v->cap.max_inline_data;
}

void vrdma_qp_attr_to_verbs(const struct vrdma_qp_attr *a, struct ibv_qp_attr *v)
{
	memset(v, 0, sizeof *v);
	v->qp_state = (enum ibv_qp_state)a->qp_state;
	v->cur_qp_state = (enum ibv_qp_state)a->cur_qp_state;
	v->path_mtu = (enum ibv_mtu)a->path_mtu;
	v->qp_access_flags = (unsigned)a->qp_access_flags;
	v->pkey_index = (uint16_t)a->pkey_index;
	v->port_num = (uint8_t)a->port_num;
	v->dest_qp_num = a->dest_qp_num;
	v->rq_psn = a->rq_psn;
	v->sq_psn = a->sq_psn;
	v->max_rd_atomic = (uint8_t)a->max_rd_atomic;
	v->max_dest_rd_atomic = (uint8_t)a->max_dest_rd_atomic;
	v->min_rnr_timer = (uint8_t)a->min_rnr_timer;
	v->timeout = (uint8_t)a->timeout;
	v->retry_cnt = (uint8_t)a->retry_cnt;
	v->rnr_retry = (uint8_t)a->rnr_retry;
	v->ah_attr.dlid = (uint16_t)a->dlid;
	v->ah_attr.sl = (uint8_t)a->sl;
	v->ah_attr.port_num = (uint8_t)a->port_num;
	v->ah_attr.is_global = a->is_global ? 1 : 0;
	v->ah_attr.grh.sgid_index = (uint8_t)a->sgid_index;
	v->ah_attr.grh.hop_limit = (uint8_t)a->hop_limit;
	v->ah_attr.grh.flow_label = a->flow_label & 0xfffffu;
	memcpy(v->ah_attr.grh.dgid.raw, a->dgid, sizeof a->dgid);
	v->cap.max_send_wr = a->max_send_wr;
	v->cap.max_recv_wr = a->max_recv_wr;
	v->cap.max_send_sge = a->max_send_sge;
	v->cap.max_recv_sge = a->max_recv_sge;
	v->cap.max_inline_data = a->max_inline_data;
}
