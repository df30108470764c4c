/*
 * vrdma/hca/hca.c -- what every device-layer driver shares.
 */
#include "vrdma/hca/hca.h"

void vhca_trace(struct vhca *hca, enum vtrace_kind kind, enum vtrace_actor actor, uint16_t guest,
		uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1, uint32_t arg2, uint16_t flags,
		uint64_t start_ns)
{
	if (!hca->trace)
		return;
	uint64_t now = vtrace_now_ns();
	uint64_t span = start_ns && now > start_ns ? now - start_ns : 0;
	struct vtrace_record r = {
		.time_ns = start_ns ? start_ns : now, .op_id = op_id, .arg0 = arg0, .arg1 = arg1,
		.object = object, .arg2 = arg2, .duration_ns = span > UINT32_MAX ? UINT32_MAX : (uint32_t)span,
		.kind = (uint16_t)kind, .actor = (uint8_t)actor, .host = hca->trace_host,
		.guest = guest, .flags = flags};
	vtrace_emit(hca->trace, &r);
}
