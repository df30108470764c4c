/*
 * host.h - a host of a scenario's topology and the VMs it holds.
 *
 * A host's VMs are named HOST/0 .. HOST/vms-1; flows (models/flows.h) name
 * them, the single-flow workloads use the first ones.
 */
#ifndef VR_HOST_H
#define VR_HOST_H

#include "models/option.h"

enum {
	SCN_HOSTS_MAX = 64,
	SCN_VMS_PER_HOST_MAX = 1024,
};

typedef struct scn_host {
	char name[MDL_NAME_MAX];
	unsigned vms;                 /* VMs on this host: HOST/0 .. HOST/vms-1 */
} scn_host;

#endif
