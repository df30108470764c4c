/*
 * vrdma/device/qp_attr.h -- queue pair attributes between rdma-core's
 * struct ibv_qp_attr and the device's fixed layout (struct vrdma_qp_attr).
 * The guest driver converts on the way in (modify) and out (query); the
 * backend the other way round.  Converting is copying fields: the backend
 * checks the values (the HCA checks them again).
 */
#ifndef VRDMA_QP_ATTR_H
#define VRDMA_QP_ATTR_H

#include <infiniband/verbs.h>

#include "vrdma/device/abi.h"

void vrdma_qp_attr_from_verbs(const struct ibv_qp_attr *from, struct vrdma_qp_attr *to);
/* The address vector's port is the QP's port (to->ah_attr.port_num). */
void vrdma_qp_attr_to_verbs(const struct vrdma_qp_attr *from, struct ibv_qp_attr *to);

#endif
