/*
 * host_info.h - what a VM-exit dataset records about the host it was
 * measured on: CPU, kernel, whether KVM itself runs inside a VM (nested)
 * and the evidence, KVM's module settings, the load, the TSC's rate.
 */
#ifndef VMX_HOST_INFO_H
#define VMX_HOST_INFO_H

#include <stdio.h>

#include "common/yaml_quote.h"

typedef struct vmx_host_info {
	char cpu_model[128];          /* /proc/cpuinfo "model name" */
	char kernel[400];             /* uname: sysname release version machine */
	int hypervisor_flag;          /* /proc/cpuinfo's "hypervisor" flag: this host is a VM */
	int vmx_or_svm_flag;          /* /proc/cpuinfo shows vmx or svm */
	char dmi_vendor[128], dmi_product[128];   /* /sys/class/dmi/id; "" if absent */
	int cpus_online;
} vmx_host_info;

void vmx_host_info_read(vmx_host_info *info);

/* The 1, 5 and 15 minute load averages; -1 each if unknown. */
void vmx_load_average(double load[3]);

/* The host's TSC rate in kHz, timed against CLOCK_MONOTONIC_RAW over
 * about SECONDS; 0 if the clock misbehaves. */
double vmx_host_tsc_khz(double seconds);

/* YAML lines "MODULE.NAME: VALUE" for every parameter of kvm and of its
 * vendor module (how exits are handled: unrestricted_guest, ept, npt,
 * enable_apicv, halt_poll_ns...), indented by INDENT spaces. */
void vmx_write_kvm_params(FILE *out, int indent);

/* The loaded module that implements KVM for this CPU: kvm_intel, kvm_amd,
 * kvm_pvm (PVM: software virtualization without VMX or SVM), or "unknown". */
const char *vmx_kvm_vendor_module(void);

#endif
