/*
 * vrdma/perf/perf.h -- vrdma-perf: perftest's tests over the reference
 * implementation.
 *
 * A run sets up hosts (a software HCA and a backend each) and two guests
 * (server and client), connects one RC QP between them the way perftest does
 * (exchange LID, QPN, PSN, rkey and address, then INIT, RTR, RTS), runs the
 * test on two guest threads and prints perftest's table.
 *   --demo        two hosts, the guests talk through UDP on loopback
 *   --same-host   one host, the backend's direct copy between the guests
 * The table is perftest 4.5's text (Debian 12's perftest), or >= 24.07's
 * with --perftest_version=24.07 (bandwidth in MiB/sec, the same 2^20 bytes
 * as 4.5's MB/sec); --out_json writes perftest's --out_json file as well
 * (report_json.c), one size, as perftest does.
 */
#ifndef VRDMA_PERF_H
#define VRDMA_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vrdma/backend/backend.h"
#include "vrdma/guest/verbs.h"
#include "vrdma/trace/trace.h"

#define PERF_QPS_MAX 64u

/* Whose text the table copies: perftest 4.5's (MB/sec) or >= 24.07's
 * (MiB/sec: perftest commit 1d202bb). */
enum perf_text_version { PERF_TEXT_4_5, PERF_TEXT_24_07 };

enum perf_test {
	PERF_WRITE_LAT, PERF_READ_LAT, PERF_SEND_LAT, PERF_WRITE_BW, PERF_READ_BW, PERF_SEND_BW
};

struct perf_options {
	enum perf_test test;
	const char *test_name;
	uint64_t size_bytes;      /* -s */
	int all_sizes;            /* -a: 2 B .. 8 MiB */
	uint64_t iterations;      /* -n */
	int use_events;           /* -e */
	uint32_t tx_depth;        /* -t, per QP */
	uint32_t qps;             /* -q: QPs between the two guests (bandwidth tests) */
	uint32_t inline_bytes;    /* -I */
	uint32_t cq_moderation;   /* -Q */
	int two_hosts;            /* --demo */
	int same_host;            /* --same-host */
	const char *trace_path;   /* --trace */
	double loss_probability;  /* --loss */
	uint64_t seed;            /* --seed */
	uint32_t mtu_bytes;       /* -m */
	int report_gbits;         /* --report_gbits */
	enum perf_text_version text_version; /* --perftest_version */
	int out_json;             /* --out_json: write perftest's JSON report */
	const char *out_json_file; /* --out_json_file (default perftest_out.json, as perftest's) */
	char hca_device[64];      /* --hca=verbs:DEVICE; "" for the software HCA */
	int hca_gid_index;        /* --hca=verbs:DEVICE:GID_INDEX (default 1) */
	/* Placement: CPUs of the guests' threads ([0] server, [1] client) and
	 * of the backends' ([0] host 1, [1] host 2); -1 leaves a thread
	 * unpinned.  Benchmarks compare only runs placed the same way. */
	int cpu_guest[2];         /* --cpu-guest=S[,C] */
	int cpu_backend[2];       /* --cpu-backend=H1[,H2] */
	uint64_t backend_poll_ns; /* --backend-poll-us: vbackend_config.poll_ns */
	uint64_t migrate_at;      /* --migrate-at: the client's guest moves to a third host
				   * before this iteration (0: no move) */
};

/* Pin the calling thread to CPU (nothing when CPU < 0). */
void perf_pin_thread(int cpu);

/* Parse argv; on error print to `err` and return 2 (usage); 1 when it
 * printed the help or the version (exit 0); else 0. */
int perf_parse_options(int argc, char **argv, struct perf_options *opt, FILE *err);
uint64_t perf_max_size(const struct perf_options *opt);

/* One guest's end of the connection. */
struct perf_peer_info {
	uint32_t lid, rkey;
	uint32_t qpn[PERF_QPS_MAX], psn[PERF_QPS_MAX];
	uint64_t addr;
	union ibv_gid gid;
	int ethernet;             /* RoCE: address by GID */
};

struct perf_endpoint {
	struct vrdma_context *ctx;
	struct vrdma_pd *pd;
	struct vrdma_comp_channel *channel;
	struct vrdma_cq *send_cq, *recv_cq;
	struct vrdma_qp *qp;      /* qps[0]: the latency tests' one QP */
	struct vrdma_qp *qps[PERF_QPS_MAX];
	uint32_t qp_count;
	uint8_t *buffer;          /* size max, page aligned, guest memory */
	uint64_t buffer_bytes;
	struct vrdma_mr *mr;
	struct perf_peer_info local, remote;
	uint32_t rx_depth;
	uint32_t recvs_outstanding[PERF_QPS_MAX]; /* receives posted and not yet completed, per QP */
};

/* What a test measured at one size: per-iteration microseconds for latency
 * tests, completion times for bandwidth tests. */
struct perf_sample {
	uint64_t size_bytes;
	uint64_t iterations;
	double *latency_us;       /* latency tests: iterations values */
	double elapsed_s;         /* bandwidth tests */
	double peak_bytes_per_s;
	int failed;               /* a completion in error */
	char error[160];
	/* --migrate-at: the move and the pause each side saw */
	int migrated;
	struct vbackend_migration migration;
	double client_round_trip_us; /* the client's first iteration after the move */
	double server_wait_us;    /* the server's wait for the client's iteration after the move */
};

/* Setup (setup.c): hosts, guests, endpoints, connection. */
struct perf_world;
int perf_world_create(const struct perf_options *opt, struct perf_world **out, char *err, size_t err_bytes);
/* Tear everything down; then publish the trace (or drop it).  Returns 0,
 * or -1 when the trace could not be written (err filled). */
int perf_world_destroy(struct perf_world *w, int publish_trace, char *err, size_t err_bytes);
struct perf_endpoint *perf_world_server(struct perf_world *w);
/* --migrate-at: move the client's guest from host 2 to host 3 (its vCPU,
 * the calling thread, is stopped meanwhile); 0, or an errno with err. */
int perf_world_migrate_client(struct perf_world *w, struct vbackend_migration *m, char *err, size_t err_bytes);
/* 1 once the client's peer answered its new location (m->reconnect_ns set). */
int perf_world_reconnected(struct perf_world *w, struct vbackend_migration *m);
struct perf_endpoint *perf_world_client(struct perf_world *w);

/* The tests (lat.c, bw.c): run one size, both sides, on two threads. */
int perf_run_size(const struct perf_options *opt, struct perf_world *w, uint64_t size_bytes,
		  struct perf_sample *sample);

/* Waiting for a completion, by polling or by event; returns 1 with *wc,
 * or 0 on timeout (stuck peer). */
int perf_wait_completion(struct perf_endpoint *ep, struct vrdma_cq *cq, int use_events, struct ibv_wc *wc);

/* One size's figures as perftest reports them: latency in microseconds;
 * bandwidth in the report's unit (MiB/s, or Gb/s with --report_gbits). */
struct perf_figures {
	uint64_t size_bytes, iterations;
	double t_min, t_max, t_typical, t_avg, t_stdev, t_p99, t_p999;
	double bw_peak, bw_avg, msg_rate_mpps;
};

/* Output (report.c): perftest's banner and tables.  perf_figures_of sorts
 * the sample's latencies. */
void perf_print_banner(FILE *out, const struct perf_options *opt, struct perf_world *w);
void perf_print_header(FILE *out, const struct perf_options *opt);
/* --migrate-at: the pause each side saw and the steps of the move. */
void perf_print_migration(FILE *out, const struct perf_options *opt, const struct perf_sample *s);
void perf_figures_of(const struct perf_options *opt, struct perf_sample *s, struct perf_figures *f);
void perf_print_row(FILE *out, const struct perf_options *opt, const struct perf_figures *f);
void perf_print_footer(FILE *out, const struct perf_options *opt);

/* perftest's --out_json file (report_json.c): the test, its settings and F,
 * written over opt->out_json_file (perftest reopens it for every size, so
 * after -a it holds the last).  Returns 0, or -1 with ERR filled. */
int perf_write_json(const struct perf_options *opt, const struct perf_figures *f, char *err, size_t err_bytes);
/* The same with --migrate-at's "migration" object (S: the sample, or NULL). */
int perf_write_json_migration(const struct perf_options *opt, const struct perf_figures *f,
			      const struct perf_sample *s, char *err, size_t err_bytes);

/* Bandwidth printed to six decimals (perftest's Gb/sec below 0.1), not two. */
int perf_fine_bandwidth(const struct perf_options *opt, const struct perf_figures *f);

/* The banner's test name ("RDMA_Write Latency Test"). */
const char *perf_banner_of(enum perf_test t);
int perf_is_latency(enum perf_test t);

#endif
