/*
 * vrdma/perf/report_json.c -- perftest's --out_json file: the layout of
 * perftest >= 24.01 (write_test_info_to_file and write_*_report_to_file in
 * its src/perftest_parameters.c, keys quoted since its commit f9e82f7):
 * {"test_info": {...}, "results": {...}}, no indentation, one member per
 * line.  test_info carries the settings the banner prints, under perftest's
 * keys; results one size's figures, printed as perftest prints them (%.2f,
 * MsgRate %.6f; Gb/sec below 0.1 %.6f).  The bandwidth unit is not in the
 * file, as in perftest's: MsgRate * MsgSize tells it.
 */
#include "vrdma/perf/perf.h"

#include "common/json_write.h"

#include <errno.h>
#include <string.h>

/* perftest's test name in JSON: the banner with '_' for ' '. */
static void test_name(enum perf_test t, char *out, size_t size)
{
	snprintf(out, size, "%s", perf_banner_of(t));
	for (char *c = out; *c; c++)
		if (*c == ' ')
			*c = '_';
}

static void member_string(json_writer *w, const char *key, const char *value)
{
	json_write_break(w, 0);
	json_write_key_string(w, key, value);
}

static void member_uint(json_writer *w, const char *key, unsigned long long value)
{
	json_write_break(w, 0);
	json_write_key_uint(w, key, value);
}

static void member_double(json_writer *w, const char *key, const char *format, double value)
{
	json_write_break(w, 0);
	json_write_key_double(w, key, format, value);
}

static void write_test_info(json_writer *w, const struct perf_options *opt)
{
	char name[64];
	test_name(opt->test, name, sizeof name);
	json_write_break(w, 0);
	json_write_key(w, "test_info");
	json_write_object_begin(w);
	member_string(w, "test", name);
	member_string(w, "Dual_port", "OFF");
	member_string(w, "Device", "vrdma0");
	member_uint(w, "Number_of_qps", opt->qps);
	member_string(w, "Transport_type", "IB");
	member_string(w, "Connection_type", "RC");
	member_string(w, "Using_SRQ", "OFF");
	member_uint(w, "TX_depth", opt->tx_depth);
	if (!perf_is_latency(opt->test))
		member_uint(w, "CQ_Moderation", opt->cq_moderation);
	member_uint(w, "Mtu", opt->mtu_bytes);
	member_string(w, "Link_type", opt->two_hosts ? "Ethernet" : "same host");
	member_uint(w, "Max_inline_data", opt->inline_bytes);
	member_string(w, "Data_ex_method", "Ethernet");
	json_write_break(w, 0);
	json_write_object_end(w);
}

static void write_results(json_writer *w, const struct perf_options *opt, const struct perf_figures *f)
{
	json_write_break(w, 0);
	json_write_key(w, "results");
	json_write_object_begin(w);
	member_uint(w, "MsgSize", f->size_bytes);
	member_uint(w, "n_iterations", f->iterations);
	if (perf_is_latency(opt->test)) {
		static const char *const keys[] = {"t_min", "t_max", "t_typical", "t_avg", "t_stdev", "percentile_99", "percentile_99.9"};
		const double values[] = {f->t_min, f->t_max, f->t_typical, f->t_avg, f->t_stdev, f->t_p99, f->t_p999};
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			member_double(w, keys[i], "%.2f", values[i]);
	} else {
		const char *format = perf_fine_bandwidth(opt, f) ? "%.6f" : "%.2f";
		member_double(w, "BW_peak", format, f->bw_peak);
		member_double(w, "BW_average", format, f->bw_avg);
		member_double(w, "MsgRate", "%.6f", f->msg_rate_mpps);
	}
	json_write_break(w, 0);
	json_write_object_end(w);
}

static void write_migration(json_writer *w, const struct perf_options *opt, const struct perf_sample *s)
{
	const struct vbackend_migration *m = &s->migration;
	json_write_break(w, 0);
	json_write_key(w, "migration");
	json_write_object_begin(w);
	member_string(w, "moved", "client");
	member_uint(w, "at_iteration", opt->migrate_at);
	member_double(w, "client_pause_us", "%.2f", m->pause_ns / 1e3);
	member_double(w, "client_round_trip_after_us", "%.2f", s->client_round_trip_us);
	member_double(w, "server_wait_us", "%.2f", s->server_wait_us);
	member_double(w, "quiesce_us", "%.2f", m->quiesce_ns / 1e3);
	member_double(w, "transfer_us", "%.2f", m->transfer_ns / 1e3);
	member_double(w, "register_us", "%.2f", m->register_ns / 1e3);
	member_double(w, "reconnect_us", "%.2f", m->reconnect_ns / 1e3);
	member_uint(w, "state_bytes", m->state_bytes);
	member_uint(w, "sends_in_flight", m->sends_in_flight);
	member_uint(w, "recvs_posted", m->recvs_posted);
	member_uint(w, "cqes_unpolled", m->cqes_unpolled);
	member_uint(w, "qpn_remapped", (unsigned long long)m->qpn_remapped);
	json_write_break(w, 0);
	json_write_object_end(w);
}

int perf_write_json(const struct perf_options *opt, const struct perf_figures *f, char *err, size_t err_bytes)
{
	return perf_write_json_migration(opt, f, NULL, err, err_bytes);
}

int perf_write_json_migration(const struct perf_options *opt, const struct perf_figures *f,
			      const struct perf_sample *s, char *err, size_t err_bytes)
{
	FILE *out = fopen(opt->out_json_file, "w");
	if (!out) {
		snprintf(err, err_bytes, "--out_json_file: cannot write '%s': %s", opt->out_json_file, strerror(errno));
		return -1;
	}
	json_writer w;
	json_write_init(&w, out);
	json_write_object_begin(&w);
	write_test_info(&w, opt);
	write_results(&w, opt, f);
	if (s && s->migrated)
		write_migration(&w, opt, s);
	json_write_break(&w, 0);
	json_write_object_end(&w);
	json_write_end_document(&w);
	int failed = json_write_failed(&w) || ferror(out);
	if (fclose(out) != 0 || failed) {
		snprintf(err, err_bytes, "--out_json_file: cannot write '%s'%s", opt->out_json_file,
			 json_write_failed(&w) ? ": a figure was not finite" : "");
		return -1;
	}
	return 0;
}
