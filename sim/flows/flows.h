/*
 * sim/flows/flows.h - the many-flow engine: thousands of flows (QP
 * connections) driven by one actor from its own event queue over FIFO
 * servers served by arithmetic (../shared/DESIGN.md, "Many tenants on
 * shared hardware").
 *
 * The caller describes, in C, independent of any scenario syntax:
 *  - servers: FIFO queues of k identical units (a backend thread, the
 *    engines of an HCA, a single-queue link), see server.h;
 *  - paths: the hops of one operation, each a pure delay (an uncontended
 *    fixed cost: arithmetic, no queue) or a visit to a server with a
 *    service time, fixed or exponential.  A ping-pong round trip is the
 *    request's hops followed by the reply's;
 *  - flows: a path, or several with their weights (a size mix: each
 *    operation posted draws its path and bytes, see fl_choice), a load
 *    (closed loop: a window of operations in flight,
 *    a new one posted when one completes, window 1 being ping-pong; or open
 *    loop: Poisson arrivals at a rate, which wait in the flow's FIFO while
 *    the window is full, latency running from arrival to completion), and
 *    the group, client VM and server VM the results are gathered under.
 * then runs it (fl_run, or fl_run_in_actor inside a SimGrid actor) and
 * reads the figures per flow, group, VM and server.
 *
 * Time is kept in integer picoseconds (int64_t: 106 days): sums of costs
 * are exact and associative, so the order in which delays are folded or
 * queues are crossed never changes a result in its last bit, and ties
 * compare exactly (equal times pop in scheduling order).  Durations given
 * in ns are rounded to the picosecond once, when the engine is built;
 * results are given back in ns.
 *
 * Determinism: a flow's arrivals, a flow's choices and a server's
 * exponential service times come from their own streams, seeded from the
 * base seed and the flow's or server's index only (rng.h); the same build
 * gives bit-identical results.  A flow of one choice draws nothing, so
 * giving it as a path or as one choice changes no bit of a run.
 * Memory grows with flows (times their choices), servers and operations
 * in flight, never with operations completed.
 */
#ifndef FL_FLOWS_H
#define FL_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#define FL_NONE UINT32_MAX       /* no server (a pure delay); failure of an fl_add_* */
#define FL_FORK (UINT32_MAX - 1) /* a hop that starts detached work (fl_hop_spec.branch) */
/* A visit to a server of the flow that takes the path: its client's own
 * (fl_flow_spec.client_own) or its server's (server_own), such as a VM's
 * vCPU.  One path then serves every pair of VMs alike but for them. */
#define FL_CLIENT_OWN (UINT32_MAX - 2)
#define FL_SERVER_OWN (UINT32_MAX - 3)
/* A hop that looks up a key of the flow in a cache (fl_hop_spec.cache,
 * fl_add_cache) and, on a miss, costs the hop's time_ns. */
#define FL_CACHE (UINT32_MAX - 4)
/* The start and the end of an interrupt's work on a path: an interrupt
 * vector (fl_add_irq) that coalesces completions (fl_hop_spec.irq). */
#define FL_IRQ (UINT32_MAX - 5)
#define FL_IRQ_END (UINT32_MAX - 6)
#define FL_CHOICES_MAX 256       /* choices per flow: an event carries its choice in 8 bits */

typedef struct fl_engine fl_engine;

typedef struct fl_config {
	uint64_t seed;               /* base of every random stream */
	double horizon_ns;           /* stop at this time; 0: when every flow has done its operations */
	uint32_t groups;             /* group ids are 0 .. groups - 1 */
	uint32_t vms;                /* VM ids are 0 .. vms - 1 */
} fl_config;

typedef struct fl_server_spec {
	const char *name;            /* copied */
	uint32_t units;              /* parallel units, >= 1 */
	int wait_histogram;          /* keep waiting-time percentiles (about 350 KB) */
} fl_server_spec;

/* A cache of keys the flows' operations look up (an HCA's QP contexts or
 * translations, an IOMMU's IOTLB): ENTRIES keys, WAYS 0 fully associative
 * LRU, else set-associative (models/cache.h: key mod sets, LRU in a set).
 * Shared by every flow whose paths look it up, in the order of the
 * lookups' times. */
typedef struct fl_cache_spec {
	const char *name;            /* copied */
	uint32_t entries;            /* >= 1 */
	uint32_t ways;               /* 0, or a divisor of entries */
} fl_cache_spec;

/* An interrupt vector (an HCA's MSI-X vector and EQ of one VM, a VM's
 * virtual vector): the completions that reach it while an interrupt it
 * raised is still pending (its moderation window) or being handled ride
 * that interrupt (see FL_IRQ in fl_hop_spec). */
typedef struct fl_irq_spec {
	const char *name;            /* copied */
} fl_irq_spec;

/* Which of its flow's keys a cache hop looks up (fl_flow_spec). */
typedef enum fl_cache_key {
	FL_KEY_QP,                   /* the flow's qp_key: its QP's context */
	FL_KEY_PAGE,                 /* the flow's next PAGES pages: page_base + i, i cycling over
				      * page_count, advancing PAGES per lookup (per operation when
				      * its path looks its pages up once) */
	FL_KEY_PAGE_AGAIN,           /* the pages the flow's last FL_KEY_PAGE lookup took (a second
				      * cache translating the same pages), without advancing */
} fl_cache_key;

typedef enum fl_service {
	FL_SERVICE_FIXED,            /* time_ns exactly */
	FL_SERVICE_EXPONENTIAL,      /* drawn from the server's stream, of mean time_ns */
	FL_SERVICE_LOGNORMAL,        /* drawn from the server's stream, of median time_ns and
				      * coefficient of variation cv */
} fl_service;

/* A hop: a pure delay, a visit to a server, a fork or a cache lookup.  A fork starts, at
 * the moment the operation passes it, detached work along another path
 * (BRANCH, added before): work that loads servers without holding the
 * operation back, such as the completion a ping-pong's sender handles
 * while the reply is on its way, or a VM entry after the doorbell's trap.
 * Detached work ends at its path's end; it completes nothing and is not
 * counted in any figure but the servers'.
 * A cache lookup (FL_CACHE) looks up the flow's KEY in CACHE when the
 * operation (or detached work) reaches it, and costs TIME_NS per miss
 * (the fetch of what missed; the misses of one lookup of several pages one
 * after the other) beyond its OVERLAP_NS, nothing on a hit.  It is an
 * event of its own, so that lookups reach a cache in time order.
 * An interrupt (FL_IRQ ... FL_IRQ_END, both naming vector IRQ: an index
 * from fl_add_irq, or FL_CLIENT_OWN / FL_SERVER_OWN for the flow's
 * client_irq / server_irq): the hops between them are the interrupt's
 * work (its MSI, its injection, its handler).  A completion that reaches
 * FL_IRQ while the vector is idle raises an interrupt: it waits TIME_NS
 * (the moderation window) and goes through that work; the vector stays
 * busy until it reaches FL_IRQ_END (the handler has drained the CQ and
 * re-armed it).  A completion that reaches FL_IRQ while the vector is
 * busy rides that interrupt: it skips the work and goes on from
 * FL_IRQ_END when the interrupt that carries it gets there.  Each is one
 * event of its own, no server; no fork between them. */
typedef struct fl_hop_spec {
	uint32_t server;             /* FL_NONE: a pure delay; FL_FORK: a fork; FL_CACHE: a lookup */
	double time_ns;              /* the delay, the service time (its mean), a miss's cost; 0 for a fork */
	fl_service service;          /* ignored for a pure delay or a fork */
	double cv;                   /* FL_SERVICE_LOGNORMAL: its coefficient of variation, >= 0 */
	uint32_t branch;             /* FL_FORK: the path of the detached work */
	uint32_t packets;            /* 0: a visit served whole.  N >= 1: a link, serving the
				      * message in N turns (packets), each its share of the
				      * time, the message queueing again after each, so that
				      * flows' messages interleave; a flow's own messages (one
				      * QP's) cross it in order (gate.h) */
	double overlap_ns;           /* what overlaps the message's own transfer (cut-through):
				      * a visit to a server: the message's first bytes reached
				      * it up to OVERLAP_NS (at most its service) before the
				      * message did, so it starts that much earlier if the
				      * server was free then (never before its earlier work),
				      * taking at once the turns that end by the message's
				      * arrival, and never leaves before that arrival;
				      * FL_CACHE: the misses' cost hides behind the message's
				      * packets up to OVERLAP_NS (later pages are translated
				      * while earlier ones cross).  0: none */
	uint32_t cache;              /* FL_CACHE: from fl_add_cache */
	fl_cache_key key;            /* FL_CACHE: which key of the flow */
	uint32_t pages;              /* FL_CACHE, FL_KEY_PAGE(_AGAIN): pages per lookup (0: 1), <= 65,535 */
	uint32_t irq;                /* FL_IRQ, FL_IRQ_END: the vector (see above) */
	int per_miss;                /* a visit that happens for the misses of the flow's last
				      * cache lookup, its service counted once per miss (the reads
				      * the misses need on a PCIe link); no visit without a miss */
} fl_hop_spec;

typedef enum fl_load {
	FL_CLOSED_LOOP,              /* WINDOW operations in flight, reposted at completion */
	FL_OPEN_LOOP,                /* Poisson arrivals at RATE_PER_S, at most WINDOW in flight */
	FL_TRIGGERED,                /* an arrival each time an operation of a leader flow
				      * completes (fl_follow), at most WINDOW in flight, the
				      * others waiting in order (a log that follows a VM's input) */
} fl_load;

/* One way an operation of a flow may go, e.g. one size of a size mix.
 * Each operation posted takes choice i with probability weight_i / (sum of
 * the flow's weights), drawn from the flow's own choice stream (choice.h:
 * a cumulative table, exact to 2^-53); it keeps that choice, its path and
 * its bytes, until it completes, and is counted under it
 * (fl_flow_choice_completed). */
typedef struct fl_choice {
	uint32_t path;               /* from fl_add_path */
	uint64_t bytes_per_op;       /* the bytes of an operation that takes it */
	double weight;               /* relative: a finite number > 0 */
} fl_choice;

/* A controller of rounds (a live migration's pre-copy): the flows that
 * name it (fl_flow_spec.controller) do their operations; when all of them
 * are idle (every operation posted has completed) it is asked for the next
 * round at the time the last completed: NEXT_ROUND returns the operations
 * of the round (spread over its flows in order of addition, the first ones
 * taking one more when they do not divide), 0 to end; it may set *PATH to
 * a path (fl_add_path) its flows (single-choice) take from this round on,
 * or leave it FL_NONE.  Called once per round, never per operation. */
typedef uint64_t (*fl_round_fn)(void *ctx, double now_ns, uint32_t *path);
typedef struct fl_controller_spec {
	fl_round_fn next_round;
	void *ctx;                   /* passed back, not owned */
} fl_controller_spec;

typedef struct fl_flow_spec {
	uint32_t path;               /* from fl_add_path; ignored when choice_count > 0 */
	uint32_t group;              /* < config.groups */
	uint32_t client_vm, server_vm;   /* < config.vms */
	uint32_t client_own, server_own; /* the servers FL_CLIENT_OWN and FL_SERVER_OWN visits of
					  * its paths mean (unused without such visits) */
	uint32_t client_irq, server_irq; /* the vectors FL_CLIENT_OWN and FL_SERVER_OWN interrupts
					  * of its paths mean (unused without them) */
	uint64_t bytes_per_op;       /* for bytes/s; ignored when choice_count > 0 */
	fl_load load;
	uint32_t window;             /* >= 1 */
	double rate_per_s;           /* open loop: arrivals per second, > 0 */
	uint64_t operations;         /* closed: to complete; open: arrivals; 0: until the horizon */
	double start_ns;             /* first post (closed) or the time arrivals start (open) */
	double stop_ns;              /* 0: none; else nothing is posted (closed) nor arrives (open)
				      * from then on: a phase of a run; > start_ns */
	const fl_choice *choices;    /* a mix (copied by fl_add_flow); NULL with choice_count 0 */
	uint32_t choice_count;       /* 0: the one choice {path, bytes_per_op}; else 1 .. FL_CHOICES_MAX */
	int fan_out;                 /* nonzero: each operation takes EVERY choice at once (its
				      * legs: a write sent to each replica) and completes when the
				      * last leg does, its latency the slowest leg's; its bytes are
				      * its legs' bytes_per_op summed; weights are ignored, and
				      * each leg counts in fl_flow_choice_completed */
	uint64_t qp_key;             /* FL_KEY_QP lookups: its QP (unique across the flows sharing a cache) */
	uint64_t page_base;          /* FL_KEY_PAGE lookups: its first page's key */
	uint32_t page_count;         /* and its pages (its registered memory's working set; 0: 1) */
	uint32_t controller;         /* 0: none; else 1 + an index from fl_add_controller: the flow's
				      * OPERATIONS are its first round's (closed loop only) */
} fl_flow_spec;

/* A new engine; NULL when out of memory.  Free with fl_engine_free. */
fl_engine *fl_engine_new(const fl_config *config);
void fl_engine_free(fl_engine *e);

/* Each returns the new object's index (0, 1, ... in order of addition), or
 * FL_NONE when the spec is invalid or memory ran out; fl_engine_error says
 * which.  Add every server before the paths that visit it, every path
 * before the flows that take it, and nothing after fl_run. */
uint32_t fl_add_server(fl_engine *e, const fl_server_spec *spec);
uint32_t fl_add_cache(fl_engine *e, const fl_cache_spec *spec);   /* before the paths that look it up */
uint32_t fl_add_irq(fl_engine *e, const fl_irq_spec *spec);       /* before the paths that raise it */
uint32_t fl_add_path(fl_engine *e, const fl_hop_spec *hops, size_t count);
uint32_t fl_add_flow(fl_engine *e, const fl_flow_spec *spec);
uint32_t fl_add_controller(fl_engine *e, const fl_controller_spec *spec);   /* before its flows */
/* After the run: the rounds CONTROLLER ran (its calls that returned
 * operations, plus the first) and when its last round ended (ns). */
void fl_controller_figures(const fl_engine *e, uint32_t controller, uint64_t *rounds, double *end_ns);
const char *fl_engine_error(const fl_engine *e);

/* During the run (from a controller's fl_round_fn): hold FLOW, so that
 * the operations it posts from FROM_NS on (the round's end passed to the
 * fl_round_fn: a closed loop's posts are known ahead of their time) wait,
 * their latency running from their post or arrival, as a QP whose peer is
 * being moved (a migration's peers); fl_release ends the hold at AT_NS (no
 * earlier than FROM_NS), when what waited starts, oldest first.  A flow
 * never held costs one test of a flag per post. */
void fl_hold(fl_engine *e, uint32_t flow, double from_ns);
void fl_release(fl_engine *e, uint32_t flow, double at_ns);

/* Make FOLLOWER (a flow of load FL_TRIGGERED) take an arrival each time an
 * operation of LEADER (any flow added before it) completes, at that
 * completion's time, on the leader's choice (its choice 0 when it has one
 * choice only or the leader fans out).  A leader has at most one
 * follower; a follower may follow several leaders.  0, or -1
 * (fl_engine_error). */
int fl_follow(fl_engine *e, uint32_t follower, uint32_t leader);

/* Run to the end (the horizon, or every flow done); once per engine.
 * Pure C: no SimGrid call.  Returns 0, or -1 (fl_engine_error) when the
 * run cannot end (no horizon and an unbounded flow). */
int fl_run(fl_engine *e);

/* The same from inside a SimGrid actor: the engine's time 0 is SimGrid's
 * clock at the call, and the actor sleeps until the run's end, so that
 * SimGrid's clock agrees with the engine's. */
int fl_run_in_actor(fl_engine *e);

/* ---- results, valid after the run ---- */

typedef struct fl_figures {
	uint64_t completed;          /* operations completed */
	uint64_t bytes;              /* their bytes */
	double ops_per_s, bytes_per_s;
	double min_ns, mean_ns, p50_ns, p99_ns, p999_ns, max_ns;   /* latency; 0 when none */
	double mean_half_width_ns;   /* 95 % confidence of the mean (batch means); NaN if not kept */
	uint64_t cache_misses;       /* a group's: its flows' misses in every cache */
} fl_figures;

typedef struct fl_server_figures {
	const char *name;
	uint32_t units;
	uint64_t visits;
	double utilisation;          /* busy / (units x elapsed) */
	double peak_utilisation;     /* the same over its busiest window (server.h), or the run's
				      * when it is shorter than one */
	double peak_window_ns;       /* that window's width (the run's, then) */
	uint64_t max_queue;          /* longest queue joined, the arrival included */
	double mean_wait_ns, wait_half_width_ns;   /* waiting time before service, its 95 % interval */
	double p50_wait_ns, p99_wait_ns, max_wait_ns;   /* percentiles 0 without wait_histogram */
	int has_wait_percentiles;    /* the server kept them (wait_histogram) */
} fl_server_figures;

double fl_end_ns(const fl_engine *e);         /* the run's end: horizon or last completion */
uint64_t fl_events(const fl_engine *e);       /* events handled */
size_t fl_flow_count(const fl_engine *e);
size_t fl_server_count(const fl_engine *e);

/* Throughputs are over a window: a flow's runs from its start to its last
 * completion when it did all its operations, to the run's end otherwise; a
 * group's or a VM's from the first start to the last end of its flows.
 * Latency: of each completed operation; a flow keeps its minimum, mean
 * and maximum only (percentiles 0: a million flows cannot each keep a
 * histogram), a VM and a group their percentiles too. */
void fl_flow_figures(const fl_engine *e, uint32_t flow, fl_figures *out);
/* The operations of FLOW completed on its choice CHOICE (0 for a flow
 * given without choices); 0 for a choice it does not have.  Its bytes are
 * these times the choice's bytes_per_op. */
uint64_t fl_flow_choice_completed(const fl_engine *e, uint32_t flow, uint32_t choice);
/* After the run: how many choices FLOW has, the path of its choice CHOICE
 * (FL_NONE beyond them), and its client and server VMs. */
uint32_t fl_flow_choice_count(const fl_engine *e, uint32_t flow);
uint32_t fl_flow_choice_path(const fl_engine *e, uint32_t flow, uint32_t choice);
void fl_flow_vms(const fl_engine *e, uint32_t flow, uint32_t *client_vm, uint32_t *server_vm);
/* After the run: the operations of FLOW completed whose post (closed
 * loop) or arrival (open loop) fell within a hold (fl_hold to its
 * release): each waited for the release, parked or behind parked ones
 * for its window.  Those in flight at the hold's start are not counted:
 * they finish. */
uint64_t fl_flow_held_ops(const fl_engine *e, uint32_t flow);
/* Latency percentiles within 0.1 % (sim/stats). */
void fl_group_figures(const fl_engine *e, uint32_t group, fl_figures *out);
/* The operations the VM posted as a client; SERVED_OPS: those it answered
 * as a server (may be NULL). */
void fl_vm_figures(const fl_engine *e, uint32_t vm, fl_figures *out, uint64_t *served_ops);
void fl_server_figures_of(const fl_engine *e, uint32_t server, fl_server_figures *out);
typedef struct fl_cache_figures {
	const char *name;
	uint32_t entries, ways;
	uint64_t lookups, hits, misses;   /* a lookup of N pages counts N */
	double hit_rate;             /* hits / lookups; 0 without lookups */
} fl_cache_figures;

size_t fl_cache_count(const fl_engine *e);
void fl_cache_figures_of(const fl_engine *e, uint32_t cache, fl_cache_figures *out);

typedef struct fl_irq_figures {
	const char *name;
	uint64_t raised;             /* interrupts raised */
	uint64_t rode;               /* completions that rode one raised before them */
} fl_irq_figures;

size_t fl_irq_count(const fl_engine *e);
void fl_irq_figures_of(const fl_engine *e, uint32_t irq, fl_irq_figures *out);

/* The server of highest utilisation (the first to saturate as load grows);
 * FL_NONE without servers. */
uint32_t fl_busiest_server(const fl_engine *e);

#endif
