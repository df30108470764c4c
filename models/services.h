/*
 * services.h - the hypervisor's services as flow groups
 * (docs/scenario-format.md, "Hypervisor services"): vSAN replicated
 * writes (`vsan:`), iSER and iSCSI storage commands (`iser:`) and fault
 * tolerance's log (`ft:`).  This file reads a group's class block and says
 * what one operation of the class is: which messages, of what size, in
 * which direction, over RDMA verbs or TCP messages.  The engine's side
 * (paths, legs, triggers) is sim/flow_services.c.
 *
 * Contract:
 * - An operation is a sequence of at most SVC_MESSAGES_MAX messages
 *   between the class's two ends, the initiator I and the target T
 *   (vSAN: the writing host and one replica; iSER: initiator and target;
 *   FT: the primary's host and the secondary's).  A vSAN write is one such
 *   sequence per replica, all at once, done when the last is
 *   acknowledged (the engine's fan-out).
 * - Sizes are bytes on the transport: payload plus the protocol's headers
 *   that the class adds (an iSCSI PDU's 48 B BHS, iSER's 12 B header);
 *   the transport's own headers (TCP/IP, RoCE or InfiniBand) are its
 *   option's (wire.*, eth.*).
 * - Everything here is arithmetic on its inputs: no engine, no state.
 * Errors are "FILE:LINE:COL: found X, expected Y" in the caller's vr_diag.
 */
#ifndef VR_SERVICES_H
#define VR_SERVICES_H

#include <stddef.h>

#include "input/yaml_tree.h"
#include "models/host.h"
#include "models/params.h"

enum {
	SVC_MESSAGES_MAX = 4,          /* iSCSI's write: command, R2T, data, response */
	SVC_REPLICAS_MAX = 16,         /* beyond vSAN's largest policy (FTT 3 mirrored: 4 replicas) */
};
/* Protocol constants (not model parameters: the RFCs fix them). */
#define SVC_ISCSI_BHS_BYTES 48.0       /* RFC 7143, 11.2: the Basic Header Segment of every PDU */
#define SVC_ISCSI_MAX_SEGMENT 8192.0   /* RFC 7143, 13.12: MaxRecvDataSegmentLength's default */
#define SVC_ISER_HEADER_BYTES 12.0     /* RFC 7145, 9.2: the iSER header before each control PDU */
/* vSAN's replication protocol (RDT) is not public: assumption, one 64 B
 * cache line of header before each write's data and as its acknowledgement
 * (of the order of iSCSI's 48 B BHS). */
#define SVC_VSAN_HEADER_BYTES 64.0

typedef enum svc_class { SVC_NONE, SVC_VSAN, SVC_ISER, SVC_FT, SVC_CLASS_COUNT } svc_class;
extern const char *const svc_class_names[SVC_CLASS_COUNT + 1];   /* "none", "vsan", "iser", "ft" */

typedef enum svc_transport { SVC_OVER_RDMA, SVC_OVER_TCP } svc_transport;

/* A message's operation: a SEND over RDMA or a message over TCP; an RDMA
 * WRITE; an RDMA READ (its request goes FROM_TARGET's way, the data back). */
typedef enum svc_verb { SVC_SEND, SVC_WRITE, SVC_READ } svc_verb;

typedef struct svc_message {
	svc_verb verb;
	int from_target;               /* 0: from the initiator to the target; 1: the other way
					* (a READ: who issues it; its data comes the other way) */
	double bytes;                  /* on the transport, the class's headers included */
} svc_message;

/* The class block of a group. */
typedef struct svc_spec {
	svc_class cls;
	unsigned from;                 /* vSAN: the writing host; iSER: the initiator's; FT: the primary's */
	unsigned to;                   /* iSER: the target's host; FT: the secondary's */
	unsigned primary_vm;           /* FT: the primary VM's index on its host */
	unsigned replicas[SVC_REPLICAS_MAX];   /* vSAN: the replicas' hosts */
	unsigned replica_count;
	double size_bytes;             /* vSAN, iSER: a write's or a command's data */
	double read_share;             /* iSER: the share of reads, 0 to 1 */
	unsigned long long iterations; /* vSAN, iSER: operations per connection */
	char follows[64];              /* FT: the group whose input to the primary it logs */
	unsigned line, column;         /* of the class block */
} svc_spec;

/* Default replicas of a vSAN write: vSAN's default storage policy,
 * failures to tolerate 1 with RAID-1 mirroring, keeps two copies of each
 * object (VMware, "vSAN Policies", Failures to tolerate: default 1; a
 * mirrored object of FTT n has n + 1 replicas and a witness, which holds
 * no data and takes no write). */
#define SVC_VSAN_DEFAULT_REPLICAS 2u

/* Which class block GROUP (a flow group's map) has: its class, or SVC_NONE;
 * -1 with DIAG filled when it has more than one. */
int svc_class_of(const yt_node *group, vr_diag *diag);

/* Read GROUP's class block (svc_class_of said which) against the topology
 * HOSTS[0 .. HOST_COUNT).  0, or -1 with DIAG located at the offending
 * value. */
int svc_read(const yt_node *group, svc_class cls, const scn_host *hosts, size_t host_count, svc_spec *out,
	     vr_diag *diag);

/* The messages of one operation into OUT[SVC_MESSAGES_MAX]; returns their
 * count.  vSAN: a replica's part of a write of SIZE bytes (data, then its
 * acknowledgement); iSER (READ nonzero: a read; else a write): over RDMA
 * the command SEND, the target's RDMA WRITE of the data (read) or RDMA
 * READ of it (write), the response SEND (RFC 7145, 7.3); over TCP iSCSI's
 * PDUs (RFC 7143, 3.2): command, Data-In (read), or R2T and Data-Out
 * (write), response, the data in segments of SVC_ISCSI_MAX_SEGMENT each
 * with its BHS.  FT: one log record of SIZE bytes. */
size_t svc_messages(svc_class cls, svc_transport transport, int read, double size, svc_message *out);

/* The bytes of FT log for INPUT_BYTES the primary received, from the
 * primary host's parameters P. */
double svc_ft_log_bytes(const mdl_params *p, double input_bytes);

/* A guest timer tick's FT log record (0: ticks are not logged) and the
 * ticks per second, from the primary host's parameters P. */
double svc_ft_tick_bytes(const mdl_params *p);
double svc_ft_tick_rate_hz(const mdl_params *p);

#endif
