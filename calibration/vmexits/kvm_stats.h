/*
 * kvm_stats.h - a vCPU's counters from KVM's binary statistics
 * (KVM_GET_STATS_FD, Linux 5.14 and later): how many exits, emulated
 * instructions, injections... a test cost per round trip.  On an older
 * kernel there are none, and the dataset says so.
 */
#ifndef VMX_KVM_STATS_H
#define VMX_KVM_STATS_H

#include <stdint.h>
#include <stdio.h>

enum { VMX_STATS_MAX = 24 };

typedef struct vmx_stats {
	int fd;                             /* -1: no statistics */
	size_t count;                       /* counters kept */
	char name[VMX_STATS_MAX][48];
	uint64_t offset[VMX_STATS_MAX];     /* of each counter in the stats file */
} vmx_stats;

typedef struct vmx_stats_snapshot {
	uint64_t value[VMX_STATS_MAX];
} vmx_stats_snapshot;

/* Open the statistics of the vCPU VCPU_FD and find the counters kept
 * (exits, io_exits, mmio_exits, insn_emulation, hypercalls, ...).  Leaves
 * S->fd at -1 when KVM offers none. */
void vmx_stats_open(vmx_stats *s, int vcpu_fd);

void vmx_stats_read(const vmx_stats *s, vmx_stats_snapshot *out);

/* YAML "{name: per_round_trip, ...}" of the counters that moved between
 * BEFORE and AFTER, divided by ROUND_TRIPS; "{}" if none. */
void vmx_stats_write(FILE *out, const vmx_stats *s, const vmx_stats_snapshot *before, const vmx_stats_snapshot *after,
		     double round_trips);

void vmx_stats_close(vmx_stats *s);

#endif
