/*
 * option.h - a way of giving a VM RDMA, described as data: the stages an
 * operation passes through, each naming a mechanism (mechanism.h).
 *
 * An option file (models/options/NAME.yaml) lists its paths:
 *   request:       a WRITE or SEND, from the post to the payload being
 *                  visible to the receiver (its poller or its CQ);
 *   completion:    from the data reaching the receiver's HCA to the sender
 *                  consuming its CQE (runs beside the next message);
 *   off_path:      CPU work that occupies a core but delays no message
 *                  (the VM entry after a trap);
 *   read_request:  an RDMA READ, from the post to the responder's HCA;
 *   read_response: the data back, to the requester consuming its CQE.
 * Message paths (request, read_request, read_response) each contain one
 * run of fabric stages: all the transfer mechanisms of one route
 * (mechanisms.def: `wire` and `switch`; `eth_wire` and `eth_switch`;
 * `memory_copy`; `eswitch_loopback`; `net_loopback`), that splits them into the part on the sending side, the transfer and the part
 * on the receiving side.  The route must suit the placement: two hosts for
 * the fabrics, two VMs on one host for a copy or the HCA's loopback.  A
 * stage may apply only to some verbs (`verbs: [send_lat]`) or completion
 * modes; its `side` (sender or receiver of the message) says which host or
 * VM runs it.  Stage names are the keys of the latency breakdown: unique
 * among the stages of one operation.
 */
#ifndef MDL_OPTION_H
#define MDL_OPTION_H

#include "models/mechanism.h"
#include "input/diag.h"

enum { MDL_STAGES_MAX = 160, MDL_NAME_MAX = 48 };   /* softroce-pvnic.yaml, all verbs and modes: 124 */

typedef enum mdl_path {
	PATH_REQUEST, PATH_COMPLETION, PATH_OFF, PATH_READ_REQUEST, PATH_READ_RESPONSE, PATH_COUNT
} mdl_path;

typedef enum mdl_placement { PLACE_DIFFERENT_HOSTS, PLACE_SAME_HOST, PLACE_COUNT } mdl_placement;

/* perftest's tests.  Option files describe operations, named by the four
 * latency tests; a bandwidth test runs the same stages as the latency test
 * of its operation, streamed (sim/stream.h).  An atomic (ib_atomic_lat,
 * ib_atomic_bw) is READ-shaped: an 8-byte request and response, the
 * responder's HCA (or rxe) executing it on host memory. */
typedef enum mdl_verb {
	VERB_WRITE_LAT, VERB_READ_LAT, VERB_SEND_LAT, VERB_ATOMIC_LAT,
	VERB_WRITE_BW, VERB_READ_BW, VERB_SEND_BW, VERB_ATOMIC_BW,
	VERB_COUNT
} mdl_verb;
enum { VERB_OPERATIONS = VERB_WRITE_BW };

/* The latency verb naming VERB's operation; is VERB a bandwidth test? */
static inline mdl_verb mdl_verb_operation(mdl_verb verb)
{
	return (int)verb >= VERB_OPERATIONS ? (mdl_verb)((int)verb - VERB_OPERATIONS) : verb;
}
static inline int mdl_verb_is_bandwidth(mdl_verb verb)
{
	return (int)verb >= VERB_OPERATIONS;
}

/* Is VERB answered by the responder alone (READ, atomic): a request and a
 * response on the read paths, one operation per round trip, which perftest
 * reports whole (perftest_parameters.c: rtt_factor 1 for READ and ATOMIC)? */
static inline int mdl_verb_round_trip(mdl_verb verb)
{
	mdl_verb op = mdl_verb_operation(verb);
	return op == VERB_READ_LAT || op == VERB_ATOMIC_LAT;
}
static inline int mdl_verb_is_atomic(mdl_verb verb)
{
	return mdl_verb_operation(verb) == VERB_ATOMIC_LAT;
}

/* perftest's -A: the atomic operation.  Both cost alike in the model: the
 * responder reads, modifies and writes 8 bytes either way. */
typedef enum mdl_atomic { ATOMIC_FETCH_AND_ADD, ATOMIC_CMP_AND_SWAP, ATOMIC_COUNT } mdl_atomic;
extern const char *const mdl_atomic_names[ATOMIC_COUNT + 1];        /* as scenarios write them */
extern const char *const mdl_atomic_perftest_names[ATOMIC_COUNT];    /* as perftest prints them */

typedef enum mdl_completion { COMPLETION_POLL, COMPLETION_EVENT, COMPLETION_COUNT } mdl_completion;

extern const char *const mdl_path_names[PATH_COUNT + 1];
extern const char *const mdl_placement_names[PLACE_COUNT + 1];
extern const char *const mdl_verb_names[VERB_COUNT + 1];
extern const char *const mdl_operation_names[VERB_OPERATIONS + 1];   /* the latency verbs */
extern const char *const mdl_completion_names[COMPLETION_COUNT + 1];
extern const char *const mdl_link_names[LINK_COUNT + 1];

typedef struct mdl_stage {
	char name[MDL_NAME_MAX];
	mdl_mechanism mechanism;
	mdl_path path;
	mdl_side side;           /* sender or receiver of the message (fabric for wire, switch, ACK) */
	unsigned verbs;          /* bit per operation (latency verb) it applies to (all by default) */
	unsigned completions;    /* bit per mdl_completion it applies to (all by default) */
	mdl_cpu_cost cpu;        /* MECH_CPU: its cost parameters (all -1 otherwise) */
	int per_doorbell;        /* once per doorbell: a post list shares it (doorbells, traps) */
	int behind_posted_write; /* `behind: posted_write`: a posted write (CQE, MSI-X) the device
				  * issues right behind the stage before's posted write; PCIe keeps
				  * posted writes in order without waiting for them, so it lands
				  * right after it instead of a whole pcie.write_latency later */
	mdl_server server;       /* who serves it in a many-flow run: the mechanism's, or for a
				  * cpu stage SERVE_VCPU (`runs_on: guest`) or SERVE_BACKEND
				  * (`runs_on: hypervisor`) */
	int repeat_param;        /* parameter id: how many times per operation it happens (-1: once) */
	double replay_times;     /* set by a trace replay: how many times per operation the trace saw
				  * it (replaces once / repeat_param); negative when not replayed */
	double measured_cycles;  /* set by a replay with measured costs: the CPU cycles the trace's
				  * machine spent on it, run at this side's cpu.frequency; negative
				  * for the parameters' cost */
	unsigned line, column;   /* where the stage is written in the option file */
} mdl_stage;

typedef struct mdl_option {
	char name[MDL_NAME_MAX];
	char summary[256];
	char file[256];          /* the option file, for messages */
	mdl_placement placement;
	mdl_link link;           /* packet format: MTU and headers */
	mdl_route route;         /* what its fabric stages cross (from the request path) */
	int completion_after_receiver; /* software transports: the ACK leaves after the responder's work */
	unsigned verbs;          /* bit per operation (latency verb) it can run, with its bandwidth test */
	unsigned completions;    /* bit per mdl_completion */
	char same_host[MDL_NAME_MAX];   /* `same_host:`: the option a many-flow run takes for a
					 * connection inside one host ("" : none, refused) */
	size_t stage_count;
	mdl_stage stages[MDL_STAGES_MAX];
} mdl_option;

/* Load option NAME (catalogue name or path; see catalog.h).  WHERE locates
 * the name in the scenario for "unknown option" errors. */
int mdl_option_load(const char *name, const char *base_file, vr_where where,
		    mdl_option *out, vr_diag *diag);

/* Does STAGE take part in VERB (latency or bandwidth) with COMPLETION? */
int mdl_stage_applies(const mdl_stage *stage, mdl_verb verb, mdl_completion completion);

/* Can OPTION run VERB? */
int mdl_option_runs(const mdl_option *option, mdl_verb verb);


#endif
