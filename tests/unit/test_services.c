/*
 * test_services.c - the hypervisor services' classes (models/services.h):
 * their blocks read and refused with located errors, and one operation's
 * messages computed by hand from RFC 7143 and RFC 7145.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "input/yaml_tree.h"
#include "models/preset.h"
#include "models/services.h"
#include "tests/check_run.h"

static const scn_host hosts[] = {{"esx-a", 2}, {"esx-b", 1}, {"esx-c", 1}};

/* Read the class block of the group TEXT (one YAML map); the result of
 * svc_read, DIAG holding its message. */
static int read_group(const char *text, svc_spec *out, vr_diag *diag)
{
	yt_doc doc;
	vr_diag_clear(diag);
	ck_assert_int_eq(yt_load_buffer("g.yaml", text, strlen(text), &doc, diag), 0);
	int cls = svc_class_of(doc.root, diag);
	int rc = cls <= SVC_NONE ? -1 : svc_read(doc.root, (svc_class)cls, hosts, 3, out, diag);
	yt_free(&doc);
	return rc;
}

static void refused(const char *text, const char *expected)
{
	svc_spec s;
	vr_diag d;
	ck_assert_int_eq(read_group(text, &s, &d), -1);
	ck_assert_msg(strstr(d.message, expected), "%s: got '%s'", expected, d.message);
}

START_TEST(vsan_replicas_listed_counted_and_by_default)
{
	svc_spec s;
	vr_diag d;
	ck_assert_int_eq(read_group("vsan: {from: esx-b, replicas: [esx-c, esx-a], size: 4KiB, iterations: 10}", &s, &d), 0);
	ck_assert_int_eq(s.cls, SVC_VSAN);
	ck_assert_uint_eq(s.from, 1);
	ck_assert_uint_eq(s.replica_count, 2);
	ck_assert_uint_eq(s.replicas[0], 2);
	ck_assert_uint_eq(s.replicas[1], 0);
	ck_assert_double_eq(s.size_bytes, 4096);
	/* a count takes the hosts after the writer, wrapping round */
	ck_assert_int_eq(read_group("vsan: {from: esx-c, replicas: 1, size: 4KiB, iterations: 10}", &s, &d), 0);
	ck_assert_uint_eq(s.replicas[0], 0);
	/* vSAN's default policy: failures to tolerate 1, two replicas */
	ck_assert_int_eq(read_group("vsan: {from: esx-a, size: 64KiB, iterations: 10}", &s, &d), 0);
	ck_assert_uint_eq(s.replica_count, SVC_VSAN_DEFAULT_REPLICAS);
	ck_assert_uint_eq(s.replicas[0], 1);
	ck_assert_uint_eq(s.replicas[1], 2);
}
END_TEST

START_TEST(bad_blocks_are_located)
{
	refused("vsan: {from: esx-a, replicas: [esx-b, esx-a], size: 4KiB, iterations: 10}",
		"g.yaml:1:39: found the replica 'esx-a', the writer itself");
	refused("vsan: {from: esx-a, replicas: [esx-b, esx-b], size: 4KiB, iterations: 10}", "found the replica 'esx-b' twice");
	refused("vsan: {from: esx-x, size: 4KiB, iterations: 10}", "found 'esx-x' for the writing host, expected a host of the topology");
	refused("vsan: {from: esx-a, replicas: 3, size: 4KiB, iterations: 10}", "expected");
	refused("vsan: {from: esx-a/0, size: 4KiB, iterations: 10}", "found 'esx-a/0' for the writing host");
	refused("iser: {initiator: esx-a, target: esx-b, reads: 1.5, size: 4KiB, iterations: 10}",
		"found the share of reads '1.5', expected a ratio from 0 (all writes) to 1 (all reads)");
	refused("iser: {initiator: esx-a, target: esx-a, reads: 0.5, size: 4KiB, iterations: 10}", "the initiator's own host");
	refused("iser: {initiator: esx-a, target: esx-b, size: 4KiB, iterations: 10}", "reads");
	refused("ft: {primary: esx-a/2, secondary: esx-b, follows: web}", "found the VM index 2 in 'esx-a/2', expected below 2");
	refused("ft: {primary: esx-a/0, secondary: esx-a, follows: web}", "the primary's host");
	refused("{vsan: {from: esx-a, size: 4KiB, iterations: 1}, iser: {}}", "found 'iser' beside 'vsan'");
	refused("vsan: {from: esx-a, size: 4KiB, iterations: 10, replica: 2}", "replica");
}
END_TEST

START_TEST(iser_reads_and_writes_by_hand)
{
	svc_message m[SVC_MESSAGES_MAX];
	/* RDMA read: command SEND (12 B iSER header + 48 B BHS), the target's
	 * RDMA WRITE of the data, the response SEND */
	ck_assert_uint_eq(svc_messages(SVC_ISER, SVC_OVER_RDMA, 1, 65536, m), 3);
	ck_assert_int_eq(m[0].verb, SVC_SEND);
	ck_assert_int_eq(m[0].from_target, 0);
	ck_assert_double_eq(m[0].bytes, 60);
	ck_assert_int_eq(m[1].verb, SVC_WRITE);
	ck_assert_int_eq(m[1].from_target, 1);
	ck_assert_double_eq(m[1].bytes, 65536);
	ck_assert_int_eq(m[2].verb, SVC_SEND);
	ck_assert_int_eq(m[2].from_target, 1);
	ck_assert_double_eq(m[2].bytes, 60);
	/* RDMA write: the target reads the data from the initiator */
	ck_assert_uint_eq(svc_messages(SVC_ISER, SVC_OVER_RDMA, 0, 4096, m), 3);
	ck_assert_int_eq(m[1].verb, SVC_READ);
	ck_assert_int_eq(m[1].from_target, 1);
	ck_assert_double_eq(m[1].bytes, 4096);
	/* iSCSI read: 64 KiB in 8 Data-In PDUs of 8 KiB, each with its 48 B BHS */
	ck_assert_uint_eq(svc_messages(SVC_ISER, SVC_OVER_TCP, 1, 65536, m), 3);
	ck_assert_double_eq(m[0].bytes, 48);
	ck_assert_double_eq(m[1].bytes, 65536 + 8 * 48);
	ck_assert_double_eq(m[2].bytes, 48);
	/* iSCSI write: command, R2T, Data-Out (one PDU), response */
	ck_assert_uint_eq(svc_messages(SVC_ISER, SVC_OVER_TCP, 0, 4096, m), 4);
	ck_assert_int_eq(m[1].from_target, 1);
	ck_assert_double_eq(m[1].bytes, 48);
	ck_assert_int_eq(m[2].from_target, 0);
	ck_assert_double_eq(m[2].bytes, 4096 + 48);
	ck_assert_int_eq(m[3].from_target, 1);
	/* a vSAN replica's part: the data with its header, the ack back */
	ck_assert_uint_eq(svc_messages(SVC_VSAN, SVC_OVER_RDMA, 0, 4096, m), 2);
	ck_assert_double_eq(m[0].bytes, 4096 + SVC_VSAN_HEADER_BYTES);
	ck_assert_int_eq(m[1].from_target, 1);
}
END_TEST

START_TEST(ft_log_from_the_presets)
{
	mdl_params p;
	vr_diag d;
	vr_diag_clear(&d);
	ck_assert_int_eq(mdl_preset_load("esxi5-qdr-2012", NULL, (vr_where){0}, &p, &d), 0);
	ck_assert_int_eq(mdl_params_resolve(&p, "esxi5-qdr-2012", &d), 0);
	/* 890 Mbit/s received made 950 Mbit/s of log: 8900 B make 9496 B (950/890 rounded to 1.067) */
	ck_assert_double_eq(svc_ft_log_bytes(&p, 8900), ceil(8900 * 1.067));
	/* an idle 1000 Hz Linux guest: 179 B a tick, 1.432 Mbit/s */
	ck_assert_double_eq_tol(svc_ft_tick_bytes(&p) * 8 * svc_ft_tick_rate_hz(&p), 1.43e6, 0.01e6);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("services");
	TCase *tc = tcase_create("classes");
	tcase_add_test(tc, vsan_replicas_listed_counted_and_by_default);
	tcase_add_test(tc, bad_blocks_are_located);
	tcase_add_test(tc, iser_reads_and_writes_by_hand);
	tcase_add_test(tc, ft_log_from_the_presets);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
