/*
 * vrdma/device/vm.c -- the trap: vdev_* dispatch to the device model behind
 * a guest's struct vdev (vm.h).
 */
#include "vrdma/device/vm.h"

static const struct vdev_ops *ops_of(struct vdev *device)
{
	/* vm.h: every device model's struct begins with its ops pointer */
	return *(const struct vdev_ops *const *)(const void *)device;
}

void vdev_write_register(struct vdev *device, uint32_t offset, uint32_t value)
{
	ops_of(device)->write_register(device, offset, value);
}

uint32_t vdev_read_register(struct vdev *device, uint32_t offset)
{
	return ops_of(device)->read_register(device, offset);
}

void vdev_write_uar(struct vdev *device, uint32_t offset, uint32_t value)
{
	ops_of(device)->write_uar(device, offset, value, 0);
}

void vdev_write_uar_traced(struct vdev *device, uint32_t offset, uint32_t value, uint64_t trace_op_id)
{
	ops_of(device)->write_uar(device, offset, value, trace_op_id);
}
