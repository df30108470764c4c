/*
 * kvm_stats.c - a vCPU's cumulative counters (kvm_stats.h).
 */
#include "calibration/vmexits/kvm_stats.h"

#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The counters worth a line: what kind of exit, and what KVM did for it. */
static const char *const KEPT[] = {
	"exits", "io_exits", "mmio_exits", "insn_emulation", "insn_emulation_fail", "hypercalls", "irq_injections",
	"irq_exits", "signal_exits", "request_irq_exits", "irq_window_exits", "halt_exits", "host_state_reload",
	"nmi_injections", "req_event", "fpu_reload", "preemption_reported", NULL};

static int kept(const char *name)
{
	for (size_t i = 0; KEPT[i]; i++)
		if (strcmp(KEPT[i], name) == 0)
			return 1;
	return 0;
}

void vmx_stats_open(vmx_stats *s, int vcpu_fd)
{
	memset(s, 0, sizeof *s);
	s->fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0) {
		s->fd = -1;
		return;
	}
	struct kvm_stats_header h;
	if (pread(s->fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
		vmx_stats_close(s);
		return;
	}
	size_t each = sizeof(struct kvm_stats_desc) + h.name_size;
	char *descs = malloc(each * h.num_desc);
	if (!descs || pread(s->fd, descs, each * h.num_desc, h.desc_offset) != (ssize_t)(each * h.num_desc)) {
		free(descs);
		vmx_stats_close(s);
		return;
	}
	for (uint32_t i = 0; i < h.num_desc && s->count < VMX_STATS_MAX; i++) {
		const struct kvm_stats_desc *d = (const void *)(descs + i * each);
		if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE || d->size != 1 || !kept(d->name))
			continue;
		snprintf(s->name[s->count], sizeof s->name[0], "%.*s", (int)h.name_size, d->name);
		s->offset[s->count++] = h.data_offset + d->offset;
	}
	free(descs);
}

void vmx_stats_read(const vmx_stats *s, vmx_stats_snapshot *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; s->fd >= 0 && i < s->count; i++)
		if (pread(s->fd, &out->value[i], sizeof out->value[i], (off_t)s->offset[i]) != (ssize_t)sizeof out->value[i])
			out->value[i] = 0;
}

void vmx_stats_write(FILE *out, const vmx_stats *s, const vmx_stats_snapshot *before, const vmx_stats_snapshot *after,
		     double round_trips)
{
	int first = 1;
	fputc('{', out);
	for (size_t i = 0; i < s->count; i++) {
		uint64_t moved = after->value[i] - before->value[i];
		if (moved == 0)
			continue;
		fprintf(out, "%s%s: %.3g", first ? "" : ", ", s->name[i], (double)moved / round_trips);
		first = 0;
	}
	fputc('}', out);
}

void vmx_stats_close(vmx_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
