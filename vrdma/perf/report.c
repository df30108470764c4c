/*
 * vrdma/perf/report.c -- perftest's banner and tables, so vrdma-perf output
 * sits next to real perftest runs (and vrdmasim's perftest reader takes it).
 * MB is 2^20 bytes, as perftest's MB/sec; perftest >= 24.07 names it MiB/sec
 * (its commit 1d202bb), --perftest_version=24.07.
 */
#include "vrdma/perf/perf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RULE "---------------------------------------------------------------------------------------\n"
#define MIB (1024.0 * 1024.0)

const char *perf_banner_of(enum perf_test t)
{
	static const char *const names[] = {
		[PERF_WRITE_LAT] = "RDMA_Write Latency Test", [PERF_READ_LAT] = "RDMA_Read Latency Test",
		[PERF_SEND_LAT] = "Send Latency Test",        [PERF_WRITE_BW] = "RDMA_Write BW Test",
		[PERF_READ_BW] = "RDMA_Read BW Test",         [PERF_SEND_BW] = "Send BW Test",
	};
	return names[t];
}

int perf_is_latency(enum perf_test t)
{
	return t == PERF_WRITE_LAT || t == PERF_READ_LAT || t == PERF_SEND_LAT;
}

static void print_address(FILE *out, const char *which, const struct perf_peer_info *p)
{
	fprintf(out, " %s address: LID %#06x QPN %#06x PSN %#08x RKey %#08x VAddr %#016llx\n", which, p->lid,
		p->qpn[0], p->psn[0], p->rkey, (unsigned long long)p->addr);
}

void perf_print_banner(FILE *out, const struct perf_options *opt, struct perf_world *w)
{
	struct perf_endpoint *client = perf_world_client(w);
	fputs(RULE, out);
	fprintf(out, "                    %s\n", perf_banner_of(opt->test));
	fprintf(out, " Dual-port       : OFF\t\tDevice         : vrdma0\n");
	fprintf(out, " Number of qps   : %u\t\tTransport type : IB\n", opt->qps);
	fprintf(out, " Connection type : RC\t\tUsing SRQ      : OFF\n");
	fprintf(out, " TX depth        : %u\n", opt->tx_depth);
	if (!perf_is_latency(opt->test))
		fprintf(out, " CQ Moderation   : %u\n", opt->cq_moderation);
	fprintf(out, " Mtu             : %u[B]\n", opt->mtu_bytes);
	if (opt->hca_device[0])
		fprintf(out, " Link type       : %s (verbs HCA %s, GID index %d)\n",
			opt->two_hosts ? "two backends on one device" : "same host", opt->hca_device,
			opt->hca_gid_index);
	else
		fprintf(out, " Link type       : %s\n",
			opt->two_hosts ? "Ethernet (UDP on loopback)" : "same host (direct copy)");
	fprintf(out, " Max inline data : %u[B]\n", opt->inline_bytes);
	fprintf(out, " Completions     : %s\n", opt->use_events ? "event" : "poll");
	fputs(RULE, out);
	print_address(out, "local", &client->local);
	print_address(out, "remote", &client->remote);
	fputs(RULE, out);
}

void perf_print_header(FILE *out, const struct perf_options *opt)
{
	if (perf_is_latency(opt->test))
		fprintf(out, " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    "
			     "t_stdev[usec]   99%% percentile[usec]   99.9%% percentile[usec] \n");
	else if (opt->report_gbits)
		fprintf(out, " #bytes     #iterations    BW peak[Gb/sec]    BW average[Gb/sec]   MsgRate[Mpps]\n");
	else if (opt->text_version == PERF_TEXT_24_07)
		fprintf(out, " #bytes     #iterations    BW peak[MiB/sec]    BW average[MiB/sec]   MsgRate[Mpps]\n");
	else
		fprintf(out, " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]\n");
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(const double *sorted, uint64_t n, double fraction)
{
	uint64_t index = (uint64_t)ceil(fraction * (double)n);
	if (index > 0)
		index--;
	return sorted[index < n ? index : n - 1];
}

static void latency_figures(struct perf_sample *s, struct perf_figures *f)
{
	uint64_t n = s->iterations;
	double *v = s->latency_us;
	qsort(v, n, sizeof *v, compare_double);
	double sum = 0, sum_sq = 0;
	for (uint64_t i = 0; i < n; i++)
		sum += v[i];
	double avg = sum / (double)n;
	for (uint64_t i = 0; i < n; i++)
		sum_sq += (v[i] - avg) * (v[i] - avg);
	f->t_min = v[0];
	f->t_max = v[n - 1];
	f->t_typical = percentile(v, n, 0.5);
	f->t_avg = avg;
	f->t_stdev = n > 1 ? sqrt(sum_sq / (double)(n - 1)) : 0.0;
	f->t_p99 = percentile(v, n, 0.99);
	f->t_p999 = percentile(v, n, 0.999);
}

static void bandwidth_figures(const struct perf_options *opt, const struct perf_sample *s, struct perf_figures *f)
{
	double bytes = (double)s->size_bytes * (double)s->iterations;
	double avg = s->elapsed_s > 0 ? bytes / s->elapsed_s : 0.0;
	double peak = s->peak_bytes_per_s > avg ? s->peak_bytes_per_s : avg;
	double unit_bytes_per_s = opt->report_gbits ? 1e9 / 8 : MIB;
	f->bw_peak = peak / unit_bytes_per_s;
	f->bw_avg = avg / unit_bytes_per_s;
	f->msg_rate_mpps = s->elapsed_s > 0 ? (double)s->iterations / s->elapsed_s / 1e6 : 0.0;
}

void perf_figures_of(const struct perf_options *opt, struct perf_sample *s, struct perf_figures *f)
{
	memset(f, 0, sizeof *f);
	f->size_bytes = s->size_bytes;
	f->iterations = s->iterations;
	if (perf_is_latency(opt->test))
		latency_figures(s, f);
	else
		bandwidth_figures(opt, s, f);
}

/* perftest prints Gb/sec below 0.1 to six decimals (inc_accuracy in
 * print_full_bw_report), else two. */
int perf_fine_bandwidth(const struct perf_options *opt, const struct perf_figures *f)
{
	return opt->report_gbits && f->bw_avg < 0.1;
}

void perf_print_row(FILE *out, const struct perf_options *opt, const struct perf_figures *f)
{
	if (perf_is_latency(opt->test))
		fprintf(out, " %-7llu %-10llu %-14.2f %-12.2f %-18.2f %-14.2f %-15.2f %-23.2f %-7.2f\n",
			(unsigned long long)f->size_bytes, (unsigned long long)f->iterations, f->t_min, f->t_max, f->t_typical,
			f->t_avg, f->t_stdev, f->t_p99, f->t_p999);
	else if (perf_fine_bandwidth(opt, f))
		fprintf(out, " %-10llu %-10llu     %-18.6f %-18.6f %.6f\n", (unsigned long long)f->size_bytes,
			(unsigned long long)f->iterations, f->bw_peak, f->bw_avg, f->msg_rate_mpps);
	else
		fprintf(out, " %-10llu %-10llu     %-18.2f %-18.2f %.6f\n", (unsigned long long)f->size_bytes,
			(unsigned long long)f->iterations, f->bw_peak, f->bw_avg, f->msg_rate_mpps);
	fflush(out);
}

void perf_print_footer(FILE *out, const struct perf_options *opt)
{
	fputs(RULE, out);
}

void perf_print_migration(FILE *out, const struct perf_options *opt, const struct perf_sample *s)
{
	if (!s->migrated)
		return;
	const struct vbackend_migration *m = &s->migration;
	fprintf(out, " Migration: the client's guest moved from host 2 to host 3 before iteration %llu\n",
		(unsigned long long)opt->migrate_at);
	fprintf(out, " side     pause[usec]   what it is\n");
	fprintf(out, " client   %-13.2f the guest stopped: quiesce, transfer, re-registration\n", m->pause_ns / 1e3);
	fprintf(out, " client   %-13.2f its first round trip after the move\n", s->client_round_trip_us);
	if (opt->test != PERF_READ_LAT)
		fprintf(out, " server   %-13.2f its wait for that iteration (from its previous one)\n", s->server_wait_us);
	fprintf(out, " steps[usec]: quiesce %.2f, transfer %.2f, re-registration %.2f, reconnection %.2f\n",
		m->quiesce_ns / 1e3, m->transfer_ns / 1e3, m->register_ns / 1e3, m->reconnect_ns / 1e3);
	fprintf(out, " saved state %llu bytes: %u sends unretired, %u receives posted, %u CQEs unpolled; QPN %s\n",
		(unsigned long long)m->state_bytes, m->sends_in_flight, m->recvs_posted, m->cqes_unpolled,
		m->qpn_remapped ? "remapped" : "kept");
}
