/*
 * vrdma_migration.c - the steps a vRDMA device adds to its VM's migration
 * (contract and sources in vrdma_migration.h; parameters in params.def).
 * Plain arithmetic: no step contends with another VM's work here.
 */
#include "models/vrdma_migration.h"

#include <math.h>

const char *const mdl_vmig_quiesce_names[MDL_VMIG_QUIESCE_COUNT + 1] = {"drain", "record", NULL};
const char *const mdl_vmig_registration_names[MDL_VMIG_REGISTRATION_COUNT + 1] = {"at_switchover", "during_precopy",
										    NULL};

#define V(p, id) MDL_VALUE(p, id)

/* BYTES at RATE_BPS (bits/s) in ns. */
static double serialize_ns(double bytes, double rate_bps)
{
	return bytes * 8.0 / rate_bps * 1e9;
}

double mdl_vmig_one_way_ns(const mdl_params *a, const mdl_params *b)
{
	double cables = V(a, WIRE_PROPAGATION) + V(b, WIRE_PROPAGATION);
	if (a->back_to_back)
		return 0.5 * cables + V(a, HCA_PACKET_PROCESSING) + V(b, HCA_PACKET_PROCESSING);
	return cables + V(a, SWITCH_LATENCY) + V(a, HCA_PACKET_PROCESSING) + V(b, HCA_PACKET_PROCESSING);
}

/* The migration link: the slower of the two hosts' links. */
static double link_bps(const mdl_params *src, const mdl_params *dst)
{
	return fmin(V(src, WIRE_BANDWIDTH), V(dst, WIRE_BANDWIDTH));
}

/* Requests in flight over all QPs at the quiesce. */
static double in_flight(const mdl_vmig_device *dev)
{
	return (double)dev->qps * (double)dev->outstanding;
}

double mdl_vmig_state_bytes(const mdl_vmig_device *dev, const mdl_params *src)
{
	double bytes = V(src, VRDMA_DEVICE_STATE_BYTES) + (double)dev->qps * V(src, VRDMA_QP_STATE_BYTES) +
		       (double)dev->cqs * V(src, VRDMA_CQ_STATE_BYTES) +
		       (double)dev->regions * V(src, VRDMA_MR_STATE_BYTES) +
		       (double)dev->pds * V(src, VRDMA_PD_STATE_BYTES);
	if (dev->quiesce == MDL_VMIG_RECORD)
		bytes += in_flight(dev) * V(src, HCA_WQE_BYTES);
	return bytes;
}

/* Step 1: the requests already with the HCA leave at the link's rate and
 * the last ACK returns a round trip later; recorded, nothing is waited for. */
static double quiesce_ns(const mdl_vmig_device *dev, const mdl_params *src, const mdl_params *peer)
{
	if (dev->quiesce == MDL_VMIG_RECORD || in_flight(dev) == 0 || !peer)
		return 0;
	double bytes = in_flight(dev) * (double)dev->outstanding_bytes;
	return serialize_ns(bytes, V(src, WIRE_BANDWIDTH)) + 2 * mdl_vmig_one_way_ns(src, peer);
}

double mdl_vmig_precopy_ns(const mdl_vmig_device *dev, const mdl_params *src, const mdl_params *dst)
{
	if (dev->precopy_first_round)
		return serialize_ns((double)dev->registered_bytes, link_bps(src, dst));
	return dev->precopy_ns;
}

double mdl_vmig_register_ns(const mdl_vmig_device *dev, const mdl_params *dst)
{
	if (dev->regions == 0)
		return 0;
	double region_bytes = (double)dev->registered_bytes / (double)dev->regions;
	double pages = ceil(region_bytes / MDL_VMIG_REGISTER_PAGE_BYTES);
	return (double)dev->regions * (V(dst, MR_REGISTER_CALL) + pages * V(dst, MR_REGISTER_PAGE));
}

void mdl_vmig_compute(const mdl_vmig_device *dev, const mdl_params *src, const mdl_params *dst,
		      const mdl_params *peer, mdl_vmig_result *out)
{
	*out = (mdl_vmig_result){0};
	out->quiesce_ns = quiesce_ns(dev, src, dev->qps ? peer : NULL);
	out->state_bytes = mdl_vmig_state_bytes(dev, src);
	out->transfer_ns = serialize_ns(out->state_bytes, link_bps(src, dst)) + mdl_vmig_one_way_ns(src, dst);
	out->register_ns = mdl_vmig_register_ns(dev, dst);
	out->register_added_ns = dev->registration == MDL_VMIG_DURING_PRECOPY
					 ? fmax(0.0, out->register_ns - mdl_vmig_precopy_ns(dev, src, dst))
					 : out->register_ns;
	out->objects_ns = (double)dev->pds * V(dst, HCA_ALLOC_PD) + (double)dev->cqs * V(dst, HCA_CREATE_CQ);
	out->qp_restore_ns = (double)dev->qps * (V(dst, HCA_CREATE_QP) + MDL_VMIG_LOCAL_MODIFIES * V(dst, HCA_MODIFY_QP));
	out->added_downtime_ns = out->quiesce_ns + out->transfer_ns + out->register_added_ns + out->objects_ns +
				 out->qp_restore_ns;
	if (dev->qps == 0 || dev->peers == 0 || !peer)
		return;
	out->peer_qps_max = (dev->qps + dev->peers - 1) / dev->peers;
	out->notify_ns = mdl_vmig_one_way_ns(dst, peer) + V(peer, VRDMA_PEER_NOTIFY);
	out->repoint_ns = (double)out->peer_qps_max * MDL_VMIG_PEER_MODIFIES * V(peer, HCA_MODIFY_QP);
	out->peer_pause_ns = dev->base_downtime_ns + out->added_downtime_ns + out->notify_ns + out->repoint_ns;
}
