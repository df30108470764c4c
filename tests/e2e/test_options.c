/*
 * test_options.c - every way of giving a VM RDMA, end to end: for each
 * option, preset, latency test and completion mode the breakdown adds up
 * and latency grows with size; the options keep their order; the counters
 * and the breakdown say where the VMs are; no bandwidth beats the slowest
 * link of its path.
 *
 * The scenarios (tests/e2e/options-lat.yaml, options-bw.yaml) run once, in
 * an unchecked fixture; each test reads their CSV.  The latency scenario
 * runs three times: as written (polling, with the presets' jitter), with
 * `completion: event`, and without jitter nor the VMs' timer ticks, for
 * the comparisons between options: options whose nominal costs are a few
 * ns apart (native and passthrough with polling, while the IOTLB holds the
 * buffer) would otherwise be ordered by their random draws.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/run_tool.h"
#include "tests/check_run.h"

enum { NPRESETS = 2, NOPTIONS = 9, NLAT_VERBS = 3, NSIZES = 3, NBW_VERBS = 3, NBW_SIZES = 2 };

static const char *const PRESETS[NPRESETS] = {"esxi5-qdr-2012", "modern-hdr"};
static const char *const OPTIONS[NOPTIONS] = {
	"native", "passthrough", "sriov", "sriov-local", "softroce-directpath",
	"softroce-pvnic", "softroce-pvnic-local", "vrdma", "vrdma-local",
};
static const char *const LAT_VERBS[NLAT_VERBS] = {"write_lat", "send_lat", "read_lat"};
static const char *const SIZES[NSIZES] = {"2", "65536", "1048576"};   /* increasing */
static const char *const BW_VERBS[NBW_VERBS] = {"write_bw", "read_bw", "send_bw"};
static const char *const BW_SIZES[NBW_SIZES] = {"65536", "1048576"};

/* The options whose two VMs are on different hosts, native excepted. */
static const char *const REMOTE_VIRTUAL[] = {"passthrough", "sriov", "softroce-directpath", "softroce-pvnic", "vrdma"};
static const char *const SOFTROCE[] = {"softroce-directpath", "softroce-pvnic", "softroce-pvnic-local"};
static const char *const LOCAL[] = {"sriov-local", "softroce-pvnic-local", "vrdma-local"};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static tool_output lat_poll, lat_event, lat_nominal, bw;
static char dir[64];

static void run_scenarios(void)
{
	char lat[4096], event[256], cmd[4600];
	snprintf(lat, sizeof lat, "%s", src_path("tests/e2e/options-lat.yaml"));
	const char *made = temp_dir();
	snprintf(dir, sizeof dir, "%s", made ? made : "/nonexistent");
	snprintf(event, sizeof event, "%s/options-lat-event.yaml", dir);
	snprintf(cmd, sizeof cmd, "sed 's/^completion: poll$/completion: event/' %s > %s", lat, event);
	if (system(cmd) != 0)
		fprintf(stderr, "test_options: cannot write %s\n", event);
	lat_poll = run_tool((const char *[]){"run", lat, "--format", "csv", NULL});
	lat_event = run_tool((const char *[]){"run", event, "--format", "csv", NULL});
	lat_nominal = run_tool((const char *[]){"run", lat, "--format", "csv", "--iterations", "50",
						"--set", "jitter.cpu_cv=0", "--set", "jitter.interference_probability=0",
						"--set", "virt.timer_tick_rate=0Hz", NULL});
	bw = run_tool((const char *[]){"run", src_path("tests/e2e/options-bw.yaml"), "--format", "csv", NULL});
}

static void free_scenarios(void)
{
	char cmd[128];
	tool_output_free(&lat_poll);
	tool_output_free(&lat_event);
	tool_output_free(&lat_nominal);
	tool_output_free(&bw);
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_options: cannot remove %s\n", dir);
}

static void assert_ran(const tool_output *o, const char *what)
{
	ck_assert_msg(o->status == 0, "%s: exit status %d: %s", what, o->status, o->err);
	ck_assert_msg(o->out && strchr(o->out, '\n'), "%s: no CSV", what);
}

static size_t lines_of(const char *text)
{
	size_t n = 0;
	for (const char *p = strchr(text, '\n'); p; p = strchr(p + 1, '\n'))
		n++;
	return n;
}

/* Does the CSV's header have column NAME? */
static int has_column(const char *csv, const char *name)
{
	size_t len = strlen(name), header = strcspn(csv, "\n");
	for (const char *p = csv; p < csv + header; p += strcspn(p, ",\n") + 1)
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\n'))
			return 1;
	return 0;
}

static int contains(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

static double median(const char *csv, const char *preset, const char *option, const char *verb, const char *size)
{
	return csv_value_verb(csv, preset, option, verb, size, "median_us");
}

/* Every row is there, once, with what the scenario asked for. */
START_TEST(every_experiment_ran)
{
	assert_ran(&lat_poll, "options-lat.yaml");
	assert_ran(&lat_event, "options-lat.yaml with completion: event");
	assert_ran(&lat_nominal, "options-lat.yaml without jitter");
	assert_ran(&bw, "options-bw.yaml");
	const size_t lat_rows = NPRESETS * NOPTIONS * NLAT_VERBS * NSIZES;
	ck_assert_uint_eq(lines_of(lat_poll.out), 1 + lat_rows);
	ck_assert_uint_eq(lines_of(lat_event.out), 1 + lat_rows);
	ck_assert_uint_eq(lines_of(lat_nominal.out), 1 + lat_rows);
	ck_assert_uint_eq(lines_of(bw.out), 1 + NPRESETS * NOPTIONS * NBW_VERBS * NBW_SIZES);
	ck_assert_ptr_null(strstr(lat_poll.out, ",event,"));
	ck_assert_ptr_null(strstr(lat_event.out, ",poll,"));
	ck_assert_ptr_nonnull(strstr(lat_event.out, ",event,"));
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++) {
			for (size_t v = 0; v < NLAT_VERBS; v++)
				for (size_t z = 0; z < NSIZES; z++) {
					const char *const csv[] = {lat_poll.out, lat_event.out, lat_nominal.out};
					for (size_t c = 0; c < COUNT(csv); c++)
						ck_assert_msg(median(csv[c], PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z]) > 0,
							      "run %zu: no median for %s %s %s %s B", c, PRESETS[p], OPTIONS[o],
							      LAT_VERBS[v], SIZES[z]);
					/* without jitter every operation takes its nominal time */
					double lo = csv_value_verb(lat_nominal.out, PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z], "min_us");
					double hi = csv_value_verb(lat_nominal.out, PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z], "max_us");
					ck_assert_msg(lo > 0 && hi <= lo * 1.001, "%s %s %s %s B without jitter: min %g us, max %g us",
						      PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z], lo, hi);
				}
			for (size_t v = 0; v < NBW_VERBS; v++)
				for (size_t z = 0; z < NBW_SIZES; z++) {
					ck_assert_msg(csv_value_verb(bw.out, PRESETS[p], OPTIONS[o], BW_VERBS[v], BW_SIZES[z],
								     "bw_average_mib_per_s") > 0,
						      "no bandwidth for %s %s %s %s B", PRESETS[p], OPTIONS[o], BW_VERBS[v], BW_SIZES[z]);
					ck_assert_double_eq(csv_value_verb(bw.out, PRESETS[p], OPTIONS[o], BW_VERBS[v], BW_SIZES[z],
									   "tx_depth"), 128);
				}
		}
}
END_TEST

/* The typical operation's stages add up to its median within 1%: every
 * option, preset, test, size, polled and by event. */
START_TEST(breakdown_sums_to_the_median)
{
	const tool_output *const runs[] = {&lat_poll, &lat_event};
	for (size_t r = 0; r < COUNT(runs); r++) {
		assert_ran(runs[r], r ? "event" : "poll");
		const char *csv = runs[r]->out;
		for (size_t p = 0; p < NPRESETS; p++)
			for (size_t o = 0; o < NOPTIONS; o++)
				for (size_t v = 0; v < NLAT_VERBS; v++)
					for (size_t z = 0; z < NSIZES; z++) {
						double m = median(csv, PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z]);
						double sum = csv_breakdown_sum_verb(csv, PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z]);
						ck_assert_msg(m > 0 && fabs(sum - m) <= 0.01 * m,
							      "%s %s %s %s B %s: breakdown sums to %g, median %g", PRESETS[p],
							      OPTIONS[o], LAT_VERBS[v], SIZES[z], r ? "event" : "poll", sum, m);
					}
	}
}
END_TEST

/* 2 B < 64 KiB < 1 MiB, strictly, for every option, preset and test,
 * polled and by event. */
START_TEST(latency_grows_with_size)
{
	const tool_output *const runs[] = {&lat_poll, &lat_event};
	for (size_t r = 0; r < COUNT(runs); r++) {
		assert_ran(runs[r], r ? "event" : "poll");
		for (size_t p = 0; p < NPRESETS; p++)
			for (size_t o = 0; o < NOPTIONS; o++)
				for (size_t v = 0; v < NLAT_VERBS; v++)
					for (size_t z = 1; z < NSIZES; z++) {
						double smaller = median(runs[r]->out, PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z - 1]);
						double larger = median(runs[r]->out, PRESETS[p], OPTIONS[o], LAT_VERBS[v], SIZES[z]);
						ck_assert_msg(smaller > 0 && larger > smaller, "%s %s %s %s: %s B takes %g us, %s B %g us",
							      PRESETS[p], OPTIONS[o], LAT_VERBS[v], r ? "event" : "poll",
							      SIZES[z - 1], smaller, SIZES[z], larger);
					}
	}
}
END_TEST

/* Sleeping on a completion channel costs more than polling, at 2 B. */
START_TEST(event_costs_more_than_poll)
{
	assert_ran(&lat_poll, "poll");
	assert_ran(&lat_event, "event");
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++)
			for (size_t v = 0; v < NLAT_VERBS; v++) {
				double polled = median(lat_poll.out, PRESETS[p], OPTIONS[o], LAT_VERBS[v], "2");
				double evented = median(lat_event.out, PRESETS[p], OPTIONS[o], LAT_VERBS[v], "2");
				ck_assert_msg(polled > 0 && evented > polled, "%s %s %s 2 B: event %g us, poll %g us",
					      PRESETS[p], OPTIONS[o], LAT_VERBS[v], evented, polled);
			}
}
END_TEST

/* Native is the fastest way between two hosts: every virtualized option
 * adds stages to its path, at every size, polling (nominal costs). */
START_TEST(native_is_fastest_between_hosts)
{
	assert_ran(&lat_nominal, "without jitter");
	const char *csv = lat_nominal.out;
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t v = 0; v < NLAT_VERBS; v++)
			for (size_t z = 0; z < NSIZES; z++) {
				double native = median(csv, PRESETS[p], "native", LAT_VERBS[v], SIZES[z]);
				ck_assert(native > 0);
				for (size_t o = 0; o < COUNT(REMOTE_VIRTUAL); o++) {
					double other = median(csv, PRESETS[p], REMOTE_VIRTUAL[o], LAT_VERBS[v], SIZES[z]);
					ck_assert_msg(native <= other, "%s %s %s B: native %g us, %s %g us", PRESETS[p],
						      LAT_VERBS[v], SIZES[z], native, REMOTE_VIRTUAL[o], other);
				}
			}
}
END_TEST

/* vRDMA on one host skips HCA, wire and switch: small messages are faster
 * than between hosts.  Large ones go at one core's copy bandwidth instead
 * of the fabric's slowest link: faster on the 2012 preset (5 GB/s copy
 * against QDR's 3.4 GB/s PCIe Gen2), slower on the modern one (10 GB/s
 * against HDR's 25 GB/s). */
START_TEST(vrdma_local_beats_vrdma)
{
	assert_ran(&lat_nominal, "without jitter");
	for (size_t p = 0; p < NPRESETS; p++) {
		double local = median(lat_nominal.out, PRESETS[p], "vrdma-local", "write_lat", "2");
		double remote = median(lat_nominal.out, PRESETS[p], "vrdma", "write_lat", "2");
		ck_assert_msg(local > 0 && local < remote, "%s write_lat 2 B: vrdma-local %g us, vrdma %g us", PRESETS[p], local, remote);
	}
	double old_local = median(lat_nominal.out, "esxi5-qdr-2012", "vrdma-local", "write_lat", "1048576");
	double old_remote = median(lat_nominal.out, "esxi5-qdr-2012", "vrdma", "write_lat", "1048576");
	ck_assert_msg(old_local < old_remote, "2012, 1 MiB: vrdma-local %g us, vrdma %g us", old_local, old_remote);
	double new_local = median(lat_nominal.out, "modern-hdr", "vrdma-local", "write_lat", "1048576");
	double new_remote = median(lat_nominal.out, "modern-hdr", "vrdma", "write_lat", "1048576");
	ck_assert_msg(new_local > new_remote, "modern, 1 MiB: vrdma-local %g us, vrdma %g us", new_local, new_remote);
}
END_TEST

/* Per-operation counters, polling: options that let the guest ring the
 * HCA's doorbell directly never exit; vRDMA traps once per WRITE; a vNIC's
 * kick traps. */
START_TEST(vm_exits_per_operation)
{
	assert_ran(&lat_poll, "poll");
	static const char *const direct[] = {"native", "passthrough", "sriov"};
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t v = 0; v < NLAT_VERBS; v++)
			for (size_t z = 0; z < NSIZES; z++) {
				for (size_t o = 0; o < COUNT(direct); o++) {
					double exits = csv_value_verb(lat_poll.out, PRESETS[p], direct[o], LAT_VERBS[v], SIZES[z], "vm_exits");
					ck_assert_msg(exits == 0, "%s %s %s %s B: %g VM exits", PRESETS[p], direct[o],
						      LAT_VERBS[v], SIZES[z], exits);
				}
				double pvnic = csv_value_verb(lat_poll.out, PRESETS[p], "softroce-pvnic", LAT_VERBS[v], SIZES[z], "vm_exits");
				ck_assert_msg(pvnic > 0, "%s softroce-pvnic %s %s B: %g VM exits", PRESETS[p], LAT_VERBS[v],
					      SIZES[z], pvnic);
			}
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t z = 0; z < NSIZES; z++) {
			double exits = csv_value_verb(lat_poll.out, PRESETS[p], "vrdma", "write_lat", SIZES[z], "vm_exits");
			ck_assert_msg(exits == 1, "%s vrdma write_lat %s B: %g VM exits", PRESETS[p], SIZES[z], exits);
		}
}
END_TEST

/* Between two VMs of one host nothing crosses a wire. */
START_TEST(local_options_put_no_packet_on_a_wire)
{
	assert_ran(&lat_poll, "poll");
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < COUNT(LOCAL); o++)
			for (size_t v = 0; v < NLAT_VERBS; v++)
				for (size_t z = 0; z < NSIZES; z++) {
					double packets = csv_value_verb(lat_poll.out, PRESETS[p], LOCAL[o], LAT_VERBS[v], SIZES[z],
									"wire_packets");
					ck_assert_msg(packets == 0, "%s %s %s %s B: %g wire packets per operation", PRESETS[p],
						      LOCAL[o], LAT_VERBS[v], SIZES[z], packets);
				}
}
END_TEST

/* Is breakdown column NAME empty in that row (and is the column there)? */
static int stage_absent(const char *csv, const char *preset, const char *option, const char *verb,
			const char *size, const char *name)
{
	char column[160];
	snprintf(column, sizeof column, "breakdown_%s_us", name);
	ck_assert_msg(has_column(csv, column), "no column %s", column);
	return isnan(csv_value_verb(csv, preset, option, verb, size, column));
}

/* The breakdown names the fabric each option crosses.  vrdma-local: no
 * stage of a wire or a switch at all (the backend copies between the
 * guests); sriov-local: the eSwitch loopback, no cable, no switch;
 * softroce-pvnic-local: the copy between guests, no Ethernet cable; the
 * options between hosts: their cable. */
START_TEST(breakdown_shows_the_fabric)
{
	const tool_output *const runs[] = {&lat_poll, &lat_event};
	for (size_t r = 0; r < COUNT(runs); r++) {
		assert_ran(runs[r], r ? "event" : "poll");
		const char *csv = runs[r]->out;
		/* the header's breakdown columns that name a wire or a switch */
		char *header = strndup(csv, strcspn(csv, "\n")), *save = NULL;
		const char **fabric = calloc(strlen(header) + 1, sizeof *fabric);
		ck_assert(header && fabric);
		size_t nfabric = 0;
		for (char *col = strtok_r(header, ",", &save); col; col = strtok_r(NULL, ",", &save))
			if (!strncmp(col, "breakdown_", 10) && (strstr(col, "wire") || strstr(col, "switch")))
				fabric[nfabric++] = col;
		ck_assert_uint_ge(nfabric, 4);   /* wire, switch, eth_wire, eth_switch at least */
		for (size_t p = 0; p < NPRESETS; p++)
			for (size_t v = 0; v < NLAT_VERBS; v++)
				for (size_t z = 0; z < NSIZES; z++) {
					const char *pr = PRESETS[p], *vb = LAT_VERBS[v], *sz = SIZES[z];
					ck_assert(median(csv, pr, "vrdma-local", vb, sz) > 0);
					for (size_t k = 0; k < nfabric; k++) {
						double value = csv_value_verb(csv, pr, "vrdma-local", vb, sz, fabric[k]);
						ck_assert_msg(isnan(value), "%s vrdma-local %s %s B: %s = %g", pr, vb, sz, fabric[k], value);
					}
					ck_assert_msg(!stage_absent(csv, pr, "vrdma-local", vb, sz, "vm_to_vm_copy"),
						      "%s vrdma-local %s %s B: no vm_to_vm_copy", pr, vb, sz);
					ck_assert_msg(!stage_absent(csv, pr, "vrdma-local", vb, sz, "doorbell_vm_exit"),
						      "%s vrdma-local %s %s B: no doorbell_vm_exit", pr, vb, sz);
					ck_assert_msg(!stage_absent(csv, pr, "sriov-local", vb, sz, "eswitch_loopback"),
						      "%s sriov-local %s %s B: no eswitch_loopback", pr, vb, sz);
					ck_assert_msg(stage_absent(csv, pr, "sriov-local", vb, sz, "wire"),
						      "%s sriov-local %s %s B: a wire", pr, vb, sz);
					ck_assert_msg(stage_absent(csv, pr, "sriov-local", vb, sz, "switch"),
						      "%s sriov-local %s %s B: a switch", pr, vb, sz);
					ck_assert_msg(!stage_absent(csv, pr, "softroce-pvnic-local", vb, sz, "vm_to_vm_copy"),
						      "%s softroce-pvnic-local %s %s B: no vm_to_vm_copy", pr, vb, sz);
					ck_assert_msg(stage_absent(csv, pr, "softroce-pvnic-local", vb, sz, "eth_wire"),
						      "%s softroce-pvnic-local %s %s B: an eth_wire", pr, vb, sz);
					for (size_t o = 0; o < NOPTIONS; o++) {
						const char *opt = OPTIONS[o];
						if (contains(LOCAL, COUNT(LOCAL), opt))
							continue;
						const char *cable = contains(SOFTROCE, COUNT(SOFTROCE), opt) ? "eth_wire" : "wire";
						ck_assert_msg(!stage_absent(csv, pr, opt, vb, sz, cable), "%s %s %s %s B: no %s",
							      pr, opt, vb, sz, cable);
					}
				}
		free(fabric);
		free(header);
	}
}
END_TEST

/* No bandwidth beats the slowest link of its path: at most one message per
 * slowest_link_us_per_msg (the message with its headers through that link). */
START_TEST(bandwidth_within_the_slowest_link)
{
	assert_ran(&bw, "options-bw.yaml");
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t o = 0; o < NOPTIONS; o++)
			for (size_t v = 0; v < NBW_VERBS; v++)
				for (size_t z = 0; z < NBW_SIZES; z++) {
					const char *pr = PRESETS[p], *opt = OPTIONS[o], *vb = BW_VERBS[v], *sz = BW_SIZES[z];
					double size = csv_value_verb(bw.out, pr, opt, vb, sz, "size_bytes");
					double link_us = csv_value_verb(bw.out, pr, opt, vb, sz, "slowest_link_us_per_msg");
					double average = csv_value_verb(bw.out, pr, opt, vb, sz, "bw_average_mib_per_s");
					double peak = csv_value_verb(bw.out, pr, opt, vb, sz, "bw_peak_mib_per_s");
					ck_assert_msg(size == atof(sz) && link_us > 0 && average > 0 && peak > 0,
						      "%s %s %s %s B: size %g, link %g us, average %g, peak %g", pr, opt, vb, sz,
						      size, link_us, average, peak);
					double bound = size / link_us * 1e6 / 1048576.0;   /* MiB/s */
					ck_assert_msg(average <= bound * 1.001, "%s %s %s %s B: average %g MiB/s above the link's %g",
						      pr, opt, vb, sz, average, bound);
					ck_assert_msg(peak <= bound * 1.01, "%s %s %s %s B: peak %g MiB/s above the link's %g",
						      pr, opt, vb, sz, peak, bound);
				}
}
END_TEST

/* SoftRoCE runs the transport on the guest's CPU: at 1 MiB it streams at
 * less than a third of native RDMA's bandwidth. */
START_TEST(softroce_bandwidth_far_below_native)
{
	assert_ran(&bw, "options-bw.yaml");
	for (size_t p = 0; p < NPRESETS; p++)
		for (size_t v = 0; v < NBW_VERBS; v++) {
			double native = csv_value_verb(bw.out, PRESETS[p], "native", BW_VERBS[v], "1048576", "bw_average_mib_per_s");
			ck_assert(native > 0);
			for (size_t o = 0; o < COUNT(SOFTROCE); o++) {
				double soft = csv_value_verb(bw.out, PRESETS[p], SOFTROCE[o], BW_VERBS[v], "1048576",
							     "bw_average_mib_per_s");
				ck_assert_msg(soft > 0 && soft < native / 3, "%s %s 1 MiB: %s %g MiB/s, native %g MiB/s",
					      PRESETS[p], BW_VERBS[v], SOFTROCE[o], soft, native);
			}
		}
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("options");
	TCase *tc = tcase_create("every_option");
	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, run_scenarios, free_scenarios);
	tcase_add_test(tc, every_experiment_ran);
	tcase_add_test(tc, breakdown_sums_to_the_median);
	tcase_add_test(tc, latency_grows_with_size);
	tcase_add_test(tc, event_costs_more_than_poll);
	tcase_add_test(tc, native_is_fastest_between_hosts);
	tcase_add_test(tc, vrdma_local_beats_vrdma);
	tcase_add_test(tc, vm_exits_per_operation);
	tcase_add_test(tc, local_options_put_no_packet_on_a_wire);
	tcase_add_test(tc, breakdown_shows_the_fabric);
	tcase_add_test(tc, bandwidth_within_the_slowest_link);
	tcase_add_test(tc, softroce_bandwidth_far_below_native);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
