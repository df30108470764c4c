/*
 * test_vrdma_migration.c - what a vRDMA device adds to its VM's migration
 * (models/vrdma_migration.h): a small device's every step computed by hand
 * (drain and record, registration at the switchover and during the
 * pre-copy); the added downtime and the peers' pause grow with QPs and
 * registered memory; a device with no objects adds only its fixed state's
 * transfer; the ends of every range stay finite; and the shipped scenario
 * loads and evaluates finite and monotonic on its presets.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario.h"
#include "models/vrdma_migration_scenario.h"
#include "tests/check_run.h"

/* Round numbers, so that every step can be checked by hand. */
static mdl_params host(void)
{
	mdl_params p;
	memset(&p, 0, sizeof p);
	p.value[MDL_WIRE_BANDWIDTH] = 8e9;          /* 1 B/ns */
	p.value[MDL_WIRE_PROPAGATION] = 100;
	p.value[MDL_SWITCH_LATENCY] = 200;
	p.value[MDL_HCA_PACKET_PROCESSING] = 50;    /* one way: 100 + 100 + 200 + 50 + 50 = 500 ns */
	p.value[MDL_HCA_WQE_BYTES] = 64;
	p.value[MDL_MEM_PAGE_SIZE] = 4096;
	p.value[MDL_VRDMA_DEVICE_STATE_BYTES] = 100;
	p.value[MDL_VRDMA_QP_STATE_BYTES] = 400;
	p.value[MDL_VRDMA_CQ_STATE_BYTES] = 100;
	p.value[MDL_VRDMA_MR_STATE_BYTES] = 100;
	p.value[MDL_VRDMA_PD_STATE_BYTES] = 8;
	p.value[MDL_VRDMA_PEER_NOTIFY] = 7000;
	p.value[MDL_HCA_ALLOC_PD] = 5000;
	p.value[MDL_HCA_CREATE_CQ] = 20000;
	p.value[MDL_HCA_CREATE_QP] = 30000;
	p.value[MDL_HCA_MODIFY_QP] = 10000;
	p.value[MDL_MR_REGISTER_CALL] = 10000;
	p.value[MDL_MR_REGISTER_PAGE] = 200;
	return p;
}

/* One QP, one CQ, one PD, one region of two pages, one peer host, one
 * 4 KiB request in flight, 1 ms of downtime without the device. */
static mdl_vmig_device small(void)
{
	return (mdl_vmig_device){.qps = 1, .cqs = 1, .pds = 1, .regions = 1, .registered_bytes = 8192, .peers = 1,
				 .outstanding = 1, .outstanding_bytes = 4096, .quiesce = MDL_VMIG_DRAIN,
				 .registration = MDL_VMIG_AT_SWITCHOVER, .base_downtime_ns = 1e6};
}

static mdl_vmig_result run(const mdl_vmig_device *d)
{
	mdl_params p = host();
	mdl_vmig_result r;
	mdl_vmig_compute(d, &p, &p, &p, &r);
	return r;
}

#define NEAR(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1.0, fabs((double)(b))), "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

START_TEST(small_device_by_hand)
{
	mdl_vmig_device d = small();
	mdl_vmig_result r = run(&d);
	NEAR(r.quiesce_ns, 4096 + 2 * 500);                     /* the request leaves, its ACK returns */
	NEAR(r.state_bytes, 100 + 400 + 100 + 100 + 8);         /* 708 B */
	NEAR(r.transfer_ns, 708 + 500);
	NEAR(r.register_ns, 10000 + 2 * 200);
	NEAR(r.register_added_ns, 10400);
	NEAR(r.objects_ns, 5000 + 20000);
	NEAR(r.qp_restore_ns, 30000 + 3 * 10000);
	NEAR(r.added_downtime_ns, 5096 + 1208 + 10400 + 25000 + 60000);   /* 101,704 ns */
	NEAR(r.notify_ns, 500 + 7000);
	ck_assert_uint_eq(r.peer_qps_max, 1);
	NEAR(r.repoint_ns, 4 * 10000);
	NEAR(r.peer_pause_ns, 1e6 + 101704 + 7500 + 40000);
}
END_TEST

START_TEST(recorded_requests_travel_instead)
{
	mdl_vmig_device d = small();
	d.quiesce = MDL_VMIG_RECORD;
	d.outstanding = 3;
	mdl_vmig_result r = run(&d);
	NEAR(r.quiesce_ns, 0);
	NEAR(r.state_bytes, 708 + 3 * 64);
	NEAR(r.transfer_ns, 900 + 500);
}
END_TEST

START_TEST(registration_overlapping_the_precopy)
{
	mdl_vmig_device d = small();
	d.registration = MDL_VMIG_DURING_PRECOPY;
	d.precopy_ns = 5000;
	mdl_vmig_result r = run(&d);
	NEAR(r.register_ns, 10400);
	NEAR(r.register_added_ns, 5400);
	d.precopy_ns = 1e9;                                     /* a long pre-copy hides it all */
	NEAR(run(&d).register_added_ns, 0);
	d.precopy_first_round = 1;                              /* 8 KiB at 1 B/ns: 8192 ns */
	NEAR(run(&d).register_added_ns, 10400 - 8192);
}
END_TEST

/* Peers share the QPs round robin: the busiest holds ceil(Q/P). */
START_TEST(busiest_peer_host)
{
	mdl_vmig_device d = small();
	d.qps = 10;
	d.cqs = 10;
	d.peers = 4;
	mdl_vmig_result r = run(&d);
	ck_assert_uint_eq(r.peer_qps_max, 3);
	NEAR(r.repoint_ns, 3 * 4 * 10000);
	NEAR(r.qp_restore_ns, 10 * 60000);
}
END_TEST

START_TEST(no_objects_adds_the_fixed_state_only)
{
	mdl_vmig_device d = {.quiesce = MDL_VMIG_DRAIN, .registration = MDL_VMIG_AT_SWITCHOVER, .outstanding = 16,
			     .outstanding_bytes = 65536, .base_downtime_ns = 1e6};
	mdl_vmig_result r = run(&d);
	NEAR(r.state_bytes, 100);
	NEAR(r.added_downtime_ns, 100 + 500);                   /* the fixed state's transfer */
	NEAR(r.quiesce_ns + r.register_ns + r.objects_ns + r.qp_restore_ns, 0);
	NEAR(r.peer_pause_ns, 0);                               /* no QP, no peer to pause */
	ck_assert_uint_eq(r.peer_qps_max, 0);
}
END_TEST

START_TEST(grows_with_qps_and_memory)
{
	static const unsigned long long qps[] = {0, 1, 2, 16, 255, 256, 4096, 100000, MDL_VMIG_OBJECTS_MAX};
	static const unsigned long long bytes[] = {0, 4096, 4097, 1 << 20, 1ULL << 30, 256ULL << 30, MDL_VMIG_REGISTERED_MAX};
	for (int mode = 0; mode < 4; mode++) {
		double last_q = -1;
		for (size_t i = 0; i < sizeof qps / sizeof qps[0]; i++) {
			mdl_vmig_device d = small();
			d.quiesce = mode & 1 ? MDL_VMIG_RECORD : MDL_VMIG_DRAIN;
			d.registration = mode & 2 ? MDL_VMIG_DURING_PRECOPY : MDL_VMIG_AT_SWITCHOVER;
			d.precopy_first_round = 1;
			d.qps = d.cqs = qps[i];
			mdl_vmig_result r = run(&d);
			ck_assert_msg(r.added_downtime_ns > last_q, "mode %d: %llu QPs add %g ns, not above %g", mode, qps[i],
				      r.added_downtime_ns, last_q);
			last_q = r.added_downtime_ns;
		}
		double last_m = -1, last_pause = -1;
		for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
			mdl_vmig_device d = small();
			d.registration = mode & 2 ? MDL_VMIG_DURING_PRECOPY : MDL_VMIG_AT_SWITCHOVER;
			d.precopy_ns = 1e6;
			d.registered_bytes = bytes[i];
			d.regions = bytes[i] ? 1 : 0;
			mdl_vmig_result r = run(&d);
			ck_assert_msg(r.added_downtime_ns >= last_m && r.peer_pause_ns >= last_pause,
				      "mode %d: %llu B adds %g ns, below %g", mode, bytes[i], r.added_downtime_ns, last_m);
			last_m = r.added_downtime_ns;
			last_pause = r.peer_pause_ns;
		}
		ck_assert(last_m > 1e9);                        /* 64 TiB of pages take seconds */
	}
}
END_TEST

/* Every count and size at its largest, every parameter at its largest:
 * finite; and at zero: finite and not negative. */
START_TEST(ends_of_ranges_are_finite)
{
	mdl_params p = host();
	for (int id = 0; id < MDL_PARAM_COUNT; id++)
		if (p.value[id] != 0)
			p.value[id] = mdl_param_defs[id].max;
	mdl_vmig_device big = {.qps = MDL_VMIG_OBJECTS_MAX, .cqs = 2 * MDL_VMIG_OBJECTS_MAX, .pds = MDL_VMIG_OBJECTS_MAX,
			       .regions = MDL_VMIG_OBJECTS_MAX, .registered_bytes = MDL_VMIG_REGISTERED_MAX, .peers = 1,
			       .outstanding = MDL_VMIG_OUTSTANDING_MAX, .outstanding_bytes = MDL_VMIG_MESSAGE_MAX,
			       .quiesce = MDL_VMIG_DRAIN, .registration = MDL_VMIG_DURING_PRECOPY,
			       .precopy_ns = MDL_VMIG_TIME_MAX_NS, .base_downtime_ns = MDL_VMIG_TIME_MAX_NS};
	mdl_vmig_device none = {0};
	mdl_params slow = p;
	slow.value[MDL_WIRE_BANDWIDTH] = mdl_param_defs[MDL_WIRE_BANDWIDTH].min;
	mdl_params zero = {0};
	zero.value[MDL_WIRE_BANDWIDTH] = mdl_param_defs[MDL_WIRE_BANDWIDTH].min;
	const mdl_params *sets[] = {&p, &slow, &zero};
	const mdl_vmig_device *devices[] = {&big, &none};
	for (size_t s = 0; s < 3; s++)
		for (size_t k = 0; k < 2; k++) {
			mdl_vmig_result r;
			mdl_vmig_compute(devices[k], sets[s], sets[s], sets[s], &r);
			const double v[] = {r.quiesce_ns, r.state_bytes, r.transfer_ns, r.register_ns, r.register_added_ns,
					    r.objects_ns, r.qp_restore_ns, r.added_downtime_ns, r.notify_ns, r.repoint_ns,
					    r.peer_pause_ns};
			for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
				ck_assert_msg(isfinite(v[i]) && v[i] >= 0, "set %zu device %zu field %zu: %g", s, k, i, v[i]);
		}
}
END_TEST

static const char *src_file(const char *rel)
{
	static char path[1024];
	const char *src = getenv("VRDMASIM_SRCDIR");
	snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
	return path;
}

/* The shipped scenarios: every point of both presets finite, growing with
 * QPs at each memory and (registering at the switchover) with memory at
 * each QP count. */
START_TEST(shipped_scenario_grows_and_stays_finite)
{
	static const char *const files[] = {"scenarios/vmotion-vrdma-vm.yaml", "scenarios/vmotion-vrdma-vm-overlap.yaml"};
	for (size_t f = 0; f < 2; f++) {
		scn_scenario s;
		vr_diag diag;
		vr_diag_clear(&diag);
		int rc = scn_load_file(src_file(files[f]), &s, &diag);
		ck_assert_msg(rc == 0, "%s", diag.message);
		ck_assert_ptr_nonnull(s.vmig);
		ck_assert_uint_eq(s.preset_count, 2);
		const scn_vmig *v = s.vmig;
		for (size_t p = 0; p < s.preset_count; p++)
			for (size_t q = 0; q < v->qps_count; q++)
				for (size_t m = 0; m < v->memory_count; m++) {
					mdl_vmig_device d = scn_vmig_point(v, q, m);
					mdl_vmig_result r, before;
					const mdl_params *src = scn_params(&s, p, v->from), *dst = scn_params(&s, p, v->to),
							 *peer = scn_params(&s, p, v->peers[0]);
					mdl_vmig_compute(&d, src, dst, peer, &r);
					ck_assert(isfinite(r.added_downtime_ns) && isfinite(r.peer_pause_ns));
					ck_assert(r.peer_pause_ns > r.added_downtime_ns);
					if (q > 0) {
						mdl_vmig_device e = scn_vmig_point(v, q - 1, m);
						mdl_vmig_compute(&e, src, dst, peer, &before);
						ck_assert(r.added_downtime_ns > before.added_downtime_ns);
						ck_assert(r.peer_pause_ns > before.peer_pause_ns);
					}
					/* overlapped with the first round, more memory is also a
					 * longer pre-copy to hide behind: not monotonic there */
					if (m > 0 && f == 0) {
						mdl_vmig_device e = scn_vmig_point(v, q, m - 1);
						mdl_vmig_compute(&e, src, dst, peer, &before);
						ck_assert(r.added_downtime_ns >= before.added_downtime_ns);
					}
				}
		scn_free(&s);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vrdma_migration");
	TCase *t = tcase_create("model");
	tcase_add_test(t, small_device_by_hand);
	tcase_add_test(t, recorded_requests_travel_instead);
	tcase_add_test(t, registration_overlapping_the_precopy);
	tcase_add_test(t, busiest_peer_host);
	tcase_add_test(t, no_objects_adds_the_fixed_state_only);
	tcase_add_test(t, grows_with_qps_and_memory);
	tcase_add_test(t, ends_of_ranges_are_finite);
	suite_add_tcase(s, t);
	TCase *sc = tcase_create("scenario");
	tcase_add_test(sc, shipped_scenario_grows_and_stays_finite);
	suite_add_tcase(s, sc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
