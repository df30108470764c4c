/*
 * test_trace.c - the trace subsystem of the reference implementation: the
 * writer (threads, publish or nothing), the reader's checks with the place
 * of every error, the summary's stage arithmetic, the Chrome JSON, and the
 * vrdma-trace command line.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <infiniband/verbs.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "input/json_read.h"
#include "tests/check_run.h"
#include "vrdma/trace/trace.h"
#include "vrdma/trace/trace_chrome.h"
#include "vrdma/trace/trace_read.h"
#include "vrdma/trace/trace_summary.h"

/* ---- fixture: a fresh directory per test ---- */

static char dir[64];
static char err[1024];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/vtrace-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char path[512];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* PATH of NAME in the test directory, in one of a few rotating buffers. */
static const char *in_dir(const char *name)
{
	static char paths[4][512];
	static unsigned next;
	char *p = paths[next++ % 4];
	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Number of entries in the test directory; the first one's name in FIRST. */
static int dir_entries(char *first, size_t first_bytes)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++ == 0 && first)
			snprintf(first, first_bytes, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static struct vtrace_record rec(unsigned kind, unsigned actor, unsigned host, unsigned guest, uint32_t object,
				uint64_t op_id, uint64_t time_ns, uint32_t duration_ns, uint64_t arg0)
{
	return (struct vtrace_record){
		.time_ns = time_ns,
		.op_id = op_id,
		.arg0 = arg0,
		.object = object,
		.duration_ns = duration_ns,
		.kind = (uint16_t)kind,
		.actor = (uint8_t)actor,
		.host = (uint8_t)host,
		.guest = (uint16_t)guest,
	};
}

/* A trace file through the writer. */
static void write_trace(const char *path, const char *config, const struct vtrace_record *records, size_t count)
{
	struct vtrace *t = vtrace_open(path, config, err, sizeof err);
	ck_assert_msg(t != NULL, "%s", err);
	for (size_t i = 0; i < count; i++)
		vtrace_emit(t, &records[i]);
	ck_assert_msg(vtrace_close(t, err, sizeof err) == 0, "%s", err);
}

/* ---- raw files, byte by byte, for the reader's errors ---- */

struct raw {
	unsigned char bytes[4096];
	size_t length;
};

static void raw_put(struct raw *raw, const void *bytes, size_t length)
{
	ck_assert_uint_le(raw->length + length, sizeof raw->bytes);
	memcpy(raw->bytes + raw->length, bytes, length);
	raw->length += length;
}

static void raw_u32(struct raw *raw, uint32_t value)
{
	unsigned char b[4] = {(unsigned char)value, (unsigned char)(value >> 8), (unsigned char)(value >> 16),
			      (unsigned char)(value >> 24)};
	raw_put(raw, b, 4);
}

static void raw_header(struct raw *raw, const char *magic, uint32_t version, uint32_t record_bytes,
		       const char *config)
{
	raw->length = 0;
	raw_put(raw, magic, 8);
	raw_u32(raw, version);
	raw_u32(raw, record_bytes);
	raw_u32(raw, (uint32_t)strlen(config));
	raw_u32(raw, 0);
	raw_put(raw, config, strlen(config));
}

static void raw_record(struct raw *raw, struct vtrace_record r)
{
	unsigned char b[VTRACE_RECORD_BYTES];
	vtrace_record_encode(&r, b);
	raw_put(raw, b, sizeof b);
}

static void raw_save(const struct raw *raw, const char *path)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(raw->bytes, 1, raw->length, f), raw->length);
	fclose(f);
}

/* Read PATH to its end; returns the number of records, or -1 with err. */
static long read_all(const char *path)
{
	struct vtrace_reader *r = vtrace_reader_open(path, err, sizeof err);
	if (!r)
		return -1;
	struct vtrace_record record;
	int got;
	while ((got = vtrace_reader_next(r, &record, err, sizeof err)) > 0)
		;
	long count = got < 0 ? -1 : (long)vtrace_reader_count(r);
	vtrace_reader_close(r);
	return count;
}

/* ---- the writer ---- */

enum { THREADS = 4, PER_THREAD = 20000 };   /* 4.5 MB: several buffer flushes */

static struct vtrace *shared_trace;

static void *emit_from_thread(void *arg)
{
	unsigned guest = (unsigned)(uintptr_t)arg;
	for (uint64_t i = 0; i < PER_THREAD; i++)
		vtrace_event(shared_trace, VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, (uint16_t)guest, 7,
			     vtrace_op_id(1, guest, 7, 0, (uint32_t)i), i, 64, 1, VTRACE_F_SIGNALED);
	return NULL;
}

START_TEST(round_trip_from_threads)
{
	make_dir();
	const char *path = in_dir("t.trace");
	shared_trace = vtrace_open(path, "format-version: 1\ntest: round-trip\nmtu-bytes:  4096 \n", err, sizeof err);
	ck_assert_msg(shared_trace != NULL, "%s", err);
	pthread_t threads[THREADS];
	for (uintptr_t i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, emit_from_thread, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	ck_assert_int_eq(vtrace_close(shared_trace, err, sizeof err), 0);

	struct vtrace_reader *r = vtrace_reader_open(path, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	char value[64];
	ck_assert_int_eq(vtrace_config_get(vtrace_reader_config(r), "test", value, sizeof value), 1);
	ck_assert_str_eq(value, "round-trip");
	ck_assert_int_eq(vtrace_config_get(vtrace_reader_config(r), "mtu-bytes", value, sizeof value), 1);
	ck_assert_str_eq(value, "4096");
	ck_assert_int_eq(vtrace_config_get(vtrace_reader_config(r), "mtu", value, sizeof value), 0);
	uint64_t next_sequence[THREADS + 1] = {0};
	struct vtrace_record record;
	int got;
	while ((got = vtrace_reader_next(r, &record, err, sizeof err)) > 0) {
		ck_assert_uint_ge(record.guest, 1);
		ck_assert_uint_le(record.guest, THREADS);
		ck_assert_uint_eq(record.arg0, next_sequence[record.guest]);   /* each thread's order kept */
		ck_assert_uint_eq(record.op_id, vtrace_op_id(1, record.guest, 7, 0, (uint32_t)record.arg0));
		ck_assert_uint_eq(record.kind, VTRACE_POST);
		ck_assert_uint_eq(record.flags, VTRACE_F_SIGNALED);
		ck_assert_uint_eq(record.arg1, 64);
		next_sequence[record.guest]++;
	}
	ck_assert_msg(got == 0, "%s", err);
	ck_assert_uint_eq(vtrace_reader_count(r), THREADS * PER_THREAD);
	for (int g = 1; g <= THREADS; g++)
		ck_assert_uint_eq(next_sequence[g], PER_THREAD);
	vtrace_reader_close(r);
	remove_dir();
}
END_TEST

START_TEST(close_publishes_abandon_leaves_nothing)
{
	make_dir();
	const char *path = in_dir("t.trace");
	struct vtrace *t = vtrace_open(path, "test: publish\n", err, sizeof err);
	ck_assert_ptr_nonnull(t);
	char name[256];
	ck_assert_int_eq(dir_entries(name, sizeof name), 1);
	ck_assert_int_eq(strncmp(name, "t.trace.tmp.", 12), 0);   /* written beside, not yet there */
	ck_assert(!exists(path));
	vtrace_event(t, VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 0, 1, 3, 0, 1, 0, 0, 0);
	ck_assert_int_eq(vtrace_close(t, err, sizeof err), 0);
	ck_assert_int_eq(dir_entries(name, sizeof name), 1);
	ck_assert_str_eq(name, "t.trace");
	ck_assert_int_eq(read_all(path), 1);

	const char *other = in_dir("u.trace");
	t = vtrace_open(other, "", err, sizeof err);
	ck_assert_ptr_nonnull(t);
	vtrace_event(t, VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 0, 1, 3, 0, 1, 0, 0, 0);
	vtrace_abandon(t);
	ck_assert_int_eq(dir_entries(NULL, 0), 1);   /* only t.trace */
	ck_assert(!exists(other));

	/* A NULL trace records nothing and closes fine. */
	vtrace_event(NULL, VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 0, 1, 3, 0, 1, 0, 0, 0);
	ck_assert_int_eq(vtrace_close(NULL, err, sizeof err), 0);
	vtrace_abandon(NULL);
	remove_dir();
}
END_TEST

START_TEST(open_failure_is_reported)
{
	ck_assert_ptr_null(vtrace_open("/nonexistent/dir/t.trace", "", err, sizeof err));
	ck_assert_str_eq(err, "/nonexistent/dir/t.trace: cannot create the trace file: No such file or directory");
}
END_TEST

/* A full disk, as a file-size limit: the close fails, names the file, and
 * leaves nothing behind.  In a child, so the limit does not outlive it. */
START_TEST(write_error_fails_the_close)
{
	make_dir();
	const char *path = in_dir("t.trace");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit limit = {100000, 100000};
		setrlimit(RLIMIT_FSIZE, &limit);
		struct vtrace *t = vtrace_open(path, "test: full\n", err, sizeof err);
		if (!t)
			_exit(10);
		for (int i = 0; i < 50000; i++)
			vtrace_event(t, VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 0, 1, 3, 0, 1, 0, 0, 0);
		if (vtrace_close(t, err, sizeof err) != -1)
			_exit(11);
		char expected[600];
		snprintf(expected, sizeof expected, "%s: cannot write the trace: File too large", path);
		_exit(strcmp(err, expected) == 0 ? 0 : 12);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(dir_entries(NULL, 0), 0);
	remove_dir();
}
END_TEST

START_TEST(kind_and_actor_names)
{
	ck_assert_str_eq(vtrace_kind_name(VTRACE_POST), "post");
	ck_assert_str_eq(vtrace_kind_name(VTRACE_HCA_COMPLETION), "hca-completion");
	ck_assert_str_eq(vtrace_kind_name(VTRACE_ASYNC_EVENT), "async-event");
	ck_assert_ptr_null(vtrace_kind_name(0));
	ck_assert_ptr_null(vtrace_kind_name(VTRACE_KIND_COUNT_));
	for (unsigned k = 1; k < VTRACE_KIND_COUNT_; k++)
		ck_assert_ptr_nonnull(vtrace_kind_name(k));
	ck_assert_str_eq(vtrace_actor_name(VTRACE_ACTOR_GUEST_VCPU), "guest-vcpu");
	ck_assert_str_eq(vtrace_actor_name(VTRACE_ACTOR_INTERRUPT), "interrupt");
	ck_assert_ptr_null(vtrace_actor_name(0));
	ck_assert_ptr_null(vtrace_actor_name(VTRACE_ACTOR_COUNT_));
	uint64_t now = vtrace_now_ns();
	ck_assert_uint_ge(vtrace_now_ns(), now);
}
END_TEST

/* The file form is little-endian at fixed offsets, whatever the machine. */
START_TEST(record_encoding_is_defined)
{
	struct vtrace_record r = rec(VTRACE_DMA_READ, VTRACE_ACTOR_HCA_REQUESTER, 2, 3, 0x11223344u,
				     0x0102030405060708u, 0x1112131415161718u, 0x21222324u, 0x3132333435363738u);
	r.arg1 = 0x4142434445464748u;
	r.arg2 = 0x51525354u;
	r.flags = 0x6162u;
	unsigned char b[VTRACE_RECORD_BYTES];
	vtrace_record_encode(&r, b);
	ck_assert_uint_eq(b[0], 0x18);
	ck_assert_uint_eq(b[7], 0x11);
	ck_assert_uint_eq(b[8], 0x08);
	ck_assert_uint_eq(b[32], 0x44);
	ck_assert_uint_eq(b[40], 0x24);
	ck_assert_uint_eq(b[44], VTRACE_DMA_READ);
	ck_assert_uint_eq(b[46], VTRACE_ACTOR_HCA_REQUESTER);
	ck_assert_uint_eq(b[47], 2);
	ck_assert_uint_eq(b[48], 3);
	ck_assert_uint_eq(b[50], 0x62);
	struct vtrace_record back;
	vtrace_record_decode(b, &back);
	ck_assert_int_eq(memcmp(&back, &r, sizeof r), 0);
}
END_TEST

/* ---- the reader's errors ---- */

/* A 16-byte configuration puts record N at byte 24 + 16 + 56 N:
 * record 12 at 712, as in the tool's example message. */
static const char config16[] = "test: reader-x\n\n";

static void good_records(struct raw *raw, int count)
{
	for (int i = 0; i < count; i++)
		raw_record(raw, rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, (uint64_t)i + 1, 100 + (uint64_t)i,
				    0, 0));
}

static void expect_error(const struct raw *raw, const char *message)
{
	const char *path = in_dir("bad.trace");
	raw_save(raw, path);
	ck_assert_int_eq(read_all(path), -1);
	char expected[1024];
	snprintf(expected, sizeof expected, "%s: %s", path, message);
	ck_assert_msg(strcmp(err, expected) == 0, "\n  got      %s\n  expected %s", err, expected);
}

START_TEST(reader_refuses_bad_headers)
{
	make_dir();
	ck_assert_uint_eq(strlen(config16), 16);
	struct raw raw;
	raw_header(&raw, "GARBAGE!", 1, 56, config16);
	expect_error(&raw, "byte offset 0: not a vrdma trace (found other first bytes, not quoted, expected the magic \"VRDMATRC\")");
	raw.length = 0;
	expect_error(&raw, "byte offset 0: not a vrdma trace (found an empty file, expected the magic \"VRDMATRC\")");
	raw.length = 0;
	raw_put(&raw, "\x7f" "ELF\x02\x01\x01\x00", 8);
	expect_error(&raw, "byte offset 0: not a vrdma trace (found other first bytes, not quoted, expected the magic "
			   "\"VRDMATRC\")");
	/* a password file: refused, and not one byte of it in the message */
	raw.length = 0;
	raw_put(&raw, "root:$y$secret:19000", 20);
	expect_error(&raw, "byte offset 0: not a vrdma trace (found other first bytes, not quoted, expected the magic "
			   "\"VRDMATRC\")");
	ck_assert_msg(!strstr(err, "root:"), "the file was quoted: %s", err);
	raw_header(&raw, "VRDMATRC", 1, 56, "");
	raw.length = 12;
	expect_error(&raw, "byte offset 12: truncated header (found 12 bytes of 24)");
	raw_header(&raw, "VRDMATRC", 2, 56, config16);
	expect_error(&raw, "byte offset 8: unknown format version 2 (expected 1)");
	raw_header(&raw, "VRDMATRC", 1, 48, config16);
	expect_error(&raw, "byte offset 12: record size 48 bytes (expected 56)");
	raw_header(&raw, "VRDMATRC", 1, 56, "test: truncated-config-text-of-40-bytes\n");
	raw.length = 24 + 10;
	expect_error(&raw, "byte offset 24: configuration text truncated (found 10 bytes of 40)");
	raw_header(&raw, "VRDMATRC", 1, 56, "a: b\n");
	raw.bytes[16] = 0x00, raw.bytes[17] = 0x00, raw.bytes[18] = 0x00, raw.bytes[19] = 0x40;
	expect_error(&raw, "byte offset 16: configuration text of 1073741824 bytes (expected at most 1048576)");
	raw_header(&raw, "VRDMATRC", 1, 56, "a: b\n");
	raw.bytes[24 + 2] = '\0';
	expect_error(&raw, "byte offset 26: NUL byte in the configuration text (expected \"key: value\" lines)");
	remove_dir();
}
END_TEST

START_TEST(reader_refuses_bad_records)
{
	make_dir();
	struct raw raw;
	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	good_records(&raw, 2);
	raw.length += 20;   /* 20 bytes of a third record (zeros) */
	expect_error(&raw, "record 2 at byte offset 152: truncated record (found 20 bytes of 56)");

	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	good_records(&raw, 12);
	raw_record(&raw, rec(99, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 0, 500, 0, 0));
	expect_error(&raw, "record 12 at byte offset 712: unknown event kind 99 (expected 1..24)");

	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	raw_record(&raw, rec(0, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 0, 500, 0, 0));
	expect_error(&raw, "record 0 at byte offset 40: unknown event kind 0 (expected 1..24)");

	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	good_records(&raw, 3);
	raw_record(&raw, rec(VTRACE_POLL, 9, 1, 1, 1, 0, 500, 0, 0));
	expect_error(&raw, "record 3 at byte offset 208: unknown actor 9 (expected 1..7)");

	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	raw_record(&raw, rec(VTRACE_POLL, 0, 1, 1, 1, 0, 500, 0, 0));
	expect_error(&raw, "record 0 at byte offset 40: unknown actor 0 (expected 1..7)");

	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	raw_record(&raw, rec(VTRACE_WQE_FETCH, VTRACE_ACTOR_BACKEND, 1, 2, 5, 0, 1000, 0, 0));
	raw_record(&raw, rec(VTRACE_WQE_FETCH, VTRACE_ACTOR_BACKEND, 1, 3, 5, 0, 10, 0, 0));   /* other guest */
	raw_record(&raw, rec(VTRACE_CQE_WRITE, VTRACE_ACTOR_BACKEND, 1, 2, 5, 0, 900, 0, 0));
	expect_error(&raw,
		     "record 2 at byte offset 152: time goes backwards within backend host 1 guest 2 "
		     "(found end time 900 ns, expected at least 1000 ns, the end of record 0)");

	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	raw_record(&raw, rec(VTRACE_DMA_READ, VTRACE_ACTOR_HCA_REQUESTER, 2, 0, 17, 0, 1000, 50, 0));
	raw_record(&raw, rec(VTRACE_PACKET_TX, VTRACE_ACTOR_HCA_REQUESTER, 2, 0, 17, 0, 1049, 0, 0));
	expect_error(&raw,
		     "record 1 at byte offset 96: time goes backwards within hca-requester host 2 guest 0 object 17 "
		     "(found end time 1049 ns, expected at least 1050 ns, the end of record 0)");
	remove_dir();
}
END_TEST

/* Out of order across instances is how buffered threads write: accepted.
 * So is a span emitted after the events inside it. */
START_TEST(reader_accepts_interleaved_instances)
{
	make_dir();
	struct raw raw;
	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	raw_record(&raw, rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 0, 1000, 0, 0));
	raw_record(&raw, rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 2, 1, 0, 500, 0, 0));
	raw_record(&raw, rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 2, 1, 1, 0, 400, 0, 0));
	raw_record(&raw, rec(VTRACE_DOORBELL, VTRACE_ACTOR_TRAP_HANDLER, 1, 1, 1, 0, 300, 0, 0));
	raw_record(&raw, rec(VTRACE_PACKET_TX, VTRACE_ACTOR_HCA_REQUESTER, 1, 0, 5, 0, 2000, 0, 0));
	raw_record(&raw, rec(VTRACE_PACKET_TX, VTRACE_ACTOR_HCA_REQUESTER, 1, 0, 6, 0, 100, 0, 0));
	raw_record(&raw, rec(VTRACE_TRANSLATE, VTRACE_ACTOR_BACKEND, 1, 1, 9, 0, 200, 0, 0));
	raw_record(&raw, rec(VTRACE_COMMAND, VTRACE_ACTOR_BACKEND, 1, 1, 9, 0, 100, 500, 0));
	raw_record(&raw, rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 0, 1000, 0, 0));   /* equal: fine */
	const char *path = in_dir("ok.trace");
	raw_save(&raw, path);
	struct vtrace_reader *r = vtrace_reader_open(path, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	struct vtrace_record record;
	for (int i = 0; i < 9; i++) {
		ck_assert_msg(vtrace_reader_next(r, &record, err, sizeof err) == 1, "%s", err);
		ck_assert_uint_eq(vtrace_reader_record_number(r), (uint64_t)i);
		ck_assert_uint_eq(vtrace_reader_offset(r), 40 + 56 * (uint64_t)i);
	}
	ck_assert_int_eq(vtrace_reader_next(r, &record, err, sizeof err), 0);
	ck_assert_uint_eq(vtrace_reader_count(r), 9);
	ck_assert_str_eq(vtrace_reader_config(r), config16);
	vtrace_reader_close(r);

	ck_assert_ptr_null(vtrace_reader_open(in_dir("missing.trace"), err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "missing.trace: cannot open the trace: No such file or directory"));
	remove_dir();
}
END_TEST

/* ---- the summary ---- */

/* Three RDMA writes whose stages are known:
 *   op k (k = 1, 2, 3) posted at T = 1000 k:
 *     post T, wqe-write T + 10 k, doorbell T + 10 k + 20, poll T + 15 k + 20
 *   post -> wqe-write     10, 20, 30   mean 20  median 20
 *   wqe-write -> doorbell 20, 20, 20   mean 20
 *   doorbell -> poll       5, 10, 15   mean 10  median 10
 *   total                 35, 50, 65   mean 50  median 50
 * op 2's doorbell comes before its WQE write in the file (another thread
 * wrote it first); plus one receive and a record of no operation. */
static size_t known_records(struct vtrace_record *out)
{
	size_t n = 0;
	for (uint64_t k = 1; k <= 3; k++) {
		uint64_t t = 1000 * k, op = vtrace_op_id(1, 1, 4, 0, (uint32_t)k);
		out[n++] = rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 4, op, t, 0, IBV_WR_RDMA_WRITE);
		if (k == 2)
			out[n++] = rec(VTRACE_DOORBELL, VTRACE_ACTOR_TRAP_HANDLER, 1, 1, 4, op, t + 10 * k + 20, 0, 0);
		out[n++] = rec(VTRACE_WQE_WRITE, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 4, op, t + 10 * k, 0, 0);
		if (k != 2)
			out[n++] = rec(VTRACE_DOORBELL, VTRACE_ACTOR_TRAP_HANDLER, 1, 1, 4, op, t + 10 * k + 20, 0, 0);
		out[n++] = rec(VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 4, op, t + 15 * k + 20, 0, 1);
	}
	uint64_t recv = vtrace_op_id(1, 2, 4, 1, 1);
	out[n++] = rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 2, 2, 4, recv, 5000, 0, VTRACE_RECV_OPCODE);
	out[n++] = rec(VTRACE_CQE_WRITE, VTRACE_ACTOR_BACKEND, 2, 2, 4, recv, 5300, 0, 0);
	out[n++] = rec(VTRACE_NOTIFY, VTRACE_ACTOR_BACKEND, 2, 2, 4, 0, 5400, 0, 0);   /* no op */
	return n;
}

static void check_stage(const struct vtrace_summary *s, enum vtrace_verb verb, unsigned from, unsigned to,
			uint64_t count, double mean, uint64_t median)
{
	struct vtrace_duration_stats st;
	ck_assert_int_eq(vtrace_summary_stage(s, verb, from, to, &st), 1);
	ck_assert_uint_eq(st.count, count);
	ck_assert_double_eq_tol(st.mean_ns, mean, 1e-9);
	ck_assert_uint_eq(st.median_ns, median);
}

static void check_known_summary(const struct vtrace_summary *s)
{
	ck_assert_uint_eq(vtrace_summary_records(s), 15);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_RDMA_WRITE), 3);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_RECV), 1);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_SEND), 0);
	ck_assert_uint_eq(vtrace_summary_kind_count(s, VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU), 4);
	ck_assert_uint_eq(vtrace_summary_kind_count(s, VTRACE_NOTIFY, VTRACE_ACTOR_BACKEND), 1);
	check_stage(s, VTRACE_VERB_RDMA_WRITE, VTRACE_POST, VTRACE_WQE_WRITE, 3, 20, 20);
	check_stage(s, VTRACE_VERB_RDMA_WRITE, VTRACE_WQE_WRITE, VTRACE_DOORBELL, 3, 20, 20);
	check_stage(s, VTRACE_VERB_RDMA_WRITE, VTRACE_DOORBELL, VTRACE_POLL, 3, 10, 10);
	check_stage(s, VTRACE_VERB_RECV, VTRACE_POST, VTRACE_CQE_WRITE, 1, 300, 300);
	struct vtrace_duration_stats st;
	ck_assert_int_eq(vtrace_summary_stage(s, VTRACE_VERB_RDMA_WRITE, VTRACE_POST, VTRACE_DOORBELL, &st), 0);
	ck_assert_int_eq(vtrace_summary_total(s, VTRACE_VERB_RDMA_WRITE, &st), 1);
	ck_assert_uint_eq(st.count, 3);
	ck_assert_double_eq_tol(st.mean_ns, 50, 1e-9);
	ck_assert_uint_eq(st.median_ns, 50);
	ck_assert_uint_eq(st.min_ns, 35);
	ck_assert_uint_eq(st.max_ns, 65);
	ck_assert_uint_eq(vtrace_summary_ops_evicted(s), 0);
}

START_TEST(summary_stage_arithmetic)
{
	struct vtrace_record records[32];
	size_t n = known_records(records);
	struct vtrace_summary *s = vtrace_summary_new(0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(vtrace_summary_add(s, &records[i]), 0);
	vtrace_summary_finish(s);
	check_known_summary(s);
	vtrace_summary_free(s);

	/* The same through a file (records of the trap handler and vCPU are
	 * separate instances, so op 2's order is legal). */
	make_dir();
	write_trace(in_dir("k.trace"), "test: known\n", records, n);
	s = vtrace_summary_new(0);
	ck_assert_msg(vtrace_summary_read(s, in_dir("k.trace"), err, sizeof err) == 0, "%s", err);
	check_known_summary(s);

	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	ck_assert_int_eq(vtrace_summary_print(s, "k.trace", out), 0);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "  test: known\n"));
	ck_assert_ptr_nonnull(strstr(text, "records 15, span 4400 ns"));
	ck_assert_ptr_nonnull(strstr(text, "mean_ns    median_ns"));
	ck_assert_ptr_nonnull(strstr(text, "rdma-write      post -> wqe-write                           3         20.0           20"));
	free(text);

	out = open_memstream(&text, &length);
	ck_assert_int_eq(vtrace_summary_print_json(s, "k.trace", out), 0);
	fclose(out);
	json_doc doc;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(json_load_buffer("summary.json", text, length, &doc, &diag) == 0, "%s\n%s", diag.message, text);
	ck_assert_str_eq(json_get(json_get(doc.root, "config"), "test")->text, "known");
	ck_assert_double_eq(json_number(json_get(doc.root, "records")), 15);
	const json_node *verbs = json_get(doc.root, "verbs");
	ck_assert_uint_eq(json_count(verbs), 2);
	ck_assert_str_eq(json_get(json_item(verbs, 0), "verb")->text, "rdma-write");
	ck_assert_double_eq(json_number(json_get(json_get(json_item(verbs, 0), "total"), "mean_ns")), 50);
	const json_node *first = json_first(json_get(json_item(verbs, 0), "stages"));
	ck_assert_str_eq(json_get(first, "stage")->text, "post -> wqe-write");
	ck_assert_double_eq(json_number(json_get(first, "mean_ns")), 20);
	json_free(&doc);
	free(text);
	vtrace_summary_free(s);
	remove_dir();
}
END_TEST

/* Durations 1..1000 ns: exact mean, histogram median and p99 within 1.6%. */
START_TEST(summary_percentiles_from_histogram)
{
	struct vtrace_summary *s = vtrace_summary_new(0);
	for (uint64_t i = 1; i <= 1000; i++) {
		struct vtrace_record post = rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, i, 10000 * i, 0,
						IBV_WR_SEND);
		struct vtrace_record poll = rec(VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, i, 10000 * i + i, 0, 1);
		vtrace_summary_add(s, &post);
		vtrace_summary_add(s, &poll);
	}
	vtrace_summary_finish(s);
	struct vtrace_duration_stats st;
	ck_assert_int_eq(vtrace_summary_stage(s, VTRACE_VERB_SEND, VTRACE_POST, VTRACE_POLL, &st), 1);
	ck_assert_uint_eq(st.count, 1000);
	ck_assert_double_eq_tol(st.mean_ns, 500.5, 1e-9);
	ck_assert_uint_eq(st.min_ns, 1);
	ck_assert_uint_eq(st.max_ns, 1000);
	ck_assert_msg(st.median_ns >= 500 * 0.984 && st.median_ns <= 500 * 1.016, "median %lu",
		      (unsigned long)st.median_ns);
	ck_assert_msg(st.p99_ns >= 990 * 0.984 && st.p99_ns <= 990 * 1.016, "p99 %lu", (unsigned long)st.p99_ns);
	vtrace_summary_free(s);
}
END_TEST

/* With two open slots, a third op finishes the oldest; a late event of a
 * finished op starts a new one that has no post. */
START_TEST(summary_finishes_oldest_when_full)
{
	struct vtrace_summary *s = vtrace_summary_new(2);
	struct vtrace_record records[] = {
		rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 11, 0, 0, IBV_WR_RDMA_READ),
		rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 12, 1, 0, IBV_WR_RDMA_READ),
		rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 13, 2, 0, IBV_WR_RDMA_READ),
		rec(VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 11, 10, 0, 1),
		rec(VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 13, 12, 0, 1),
	};
	for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
		ck_assert_int_eq(vtrace_summary_add(s, &records[i]), 0);
	vtrace_summary_finish(s);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_RDMA_READ), 3);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_NO_POST), 1);
	ck_assert_uint_eq(vtrace_summary_ops_evicted(s), 2);
	check_stage(s, VTRACE_VERB_RDMA_READ, VTRACE_POST, VTRACE_POLL, 1, 10, 10);   /* op 13 */

	/* Many ops through a small table: every one counted once, index intact. */
	vtrace_summary_free(s);
	s = vtrace_summary_new(64);
	for (uint64_t i = 1; i <= 100000; i++) {
		struct vtrace_record post = rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, i * 7919, 10 * i, 0,
						IBV_WR_SEND);
		struct vtrace_record poll = rec(VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, (i > 5 ? i - 5 : i) * 7919,
						10 * i + 3, 0, 1);
		vtrace_summary_add(s, &post);
		if (i > 5)
			vtrace_summary_add(s, &poll);
	}
	vtrace_summary_finish(s);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_SEND), 100000);
	ck_assert_uint_eq(vtrace_summary_ops(s, VTRACE_VERB_NO_POST), 0);
	struct vtrace_duration_stats st;
	ck_assert_int_eq(vtrace_summary_stage(s, VTRACE_VERB_SEND, VTRACE_POST, VTRACE_POLL, &st), 1);
	ck_assert_uint_eq(st.count, 100000 - 5);
	ck_assert_double_eq_tol(st.mean_ns, 53, 1e-9);
	vtrace_summary_free(s);
}
END_TEST

/* ---- Chrome JSON ---- */

START_TEST(chrome_json_parses_with_every_event)
{
	make_dir();
	uint64_t op = vtrace_op_id(1, 1, 4, 0, 1);
	struct vtrace_record records[] = {
		rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 4, op, 1234567, 0, IBV_WR_RDMA_WRITE),
		rec(VTRACE_DOORBELL, VTRACE_ACTOR_TRAP_HANDLER, 1, 1, 4, op, 1234600, 0, 0x800),
		rec(VTRACE_WQE_FETCH, VTRACE_ACTOR_BACKEND, 1, 1, 4, op, 1235000, 0, 0),
		rec(VTRACE_DMA_READ, VTRACE_ACTOR_HCA_REQUESTER, 1, 0, 17, op, 1235100, 2500, 0xffffffffffff0000u),
		rec(VTRACE_PACKET_TX, VTRACE_ACTOR_HCA_REQUESTER, 1, 0, 18, op, 1237700, 0, 10),
		rec(VTRACE_PACKET_RX, VTRACE_ACTOR_HCA_RESPONDER, 2, 0, 18, 0, 1239000, 0, 10),
		rec(VTRACE_POST, VTRACE_ACTOR_GUEST_VCPU, 1, 2, 4, 0, 1240000, 0, VTRACE_RECV_OPCODE),
		rec(VTRACE_POLL, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 4, op, 1241000, 0, 1),
	};
	records[1].arg2 = VTRACE_DB_SEND;
	records[0].flags = VTRACE_F_SIGNALED | VTRACE_F_INLINE;
	write_trace(in_dir("c.trace"), "test: chrome\n", records, sizeof records / sizeof records[0]);
	uint64_t events = 0;
	ck_assert_msg(vtrace_chrome_convert(in_dir("c.trace"), in_dir("c.json"), &events, err, sizeof err) == 0, "%s",
		      err);
	/* 8 records; hosts 1 and 2; tracks: guest 1 vcpu, guest 1 trap handler,
	 * backend, hca requester, guest 2 vcpu on host 1, hca responder on host
	 * 2 (6 tracks, 2 metadata events each). */
	ck_assert_uint_eq(events, 8 + 2 + 6 * 2);
	ck_assert_int_eq(dir_entries(NULL, 0), 2);   /* no .tmp left */

	json_doc doc;
	vr_diag diag;
	vr_diag_clear(&diag);
	ck_assert_msg(json_load_file(in_dir("c.json"), &doc, &diag) == 0, "%s", diag.message);
	const json_node *list = json_get(doc.root, "traceEvents");
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_eq(json_count(list), events);
	int instants = 0, completes = 0, metadata = 0;
	for (const json_node *e = json_first(list); e; e = json_next(list, e)) {
		const char *ph = json_get(e, "ph")->text;
		instants += strcmp(ph, "i") == 0;
		completes += strcmp(ph, "X") == 0;
		metadata += strcmp(ph, "M") == 0;
		if (strcmp(ph, "X") == 0) {
			ck_assert_str_eq(json_get(e, "name")->text, "dma-read");
			ck_assert_double_eq_tol(json_number(json_get(e, "ts")), 1235.1, 1e-9);
			ck_assert_double_eq_tol(json_number(json_get(e, "dur")), 2.5, 1e-9);
			const json_node *args = json_get(e, "args");
			ck_assert_str_eq(json_get(args, "iova")->text, "0xffffffffffff0000");
			ck_assert_str_eq(json_get(args, "op")->text, "0x0101000800000001");
		}
		if (strcmp(ph, "i") == 0 && strcmp(json_get(e, "name")->text, "post") == 0 &&
		    json_number(json_get(e, "ts")) < 1235) {
			ck_assert_double_eq_tol(json_number(json_get(e, "ts")), 1234.567, 1e-9);
			const json_node *args = json_get(e, "args");
			ck_assert_str_eq(json_get(args, "opcode")->text, "rdma-write");
			ck_assert_str_eq(json_get(args, "flags")->text, "signaled|inline");
			ck_assert_double_eq(json_number(json_get(e, "tid")), 9);
		}
	}
	ck_assert_int_eq(instants, 7);
	ck_assert_int_eq(completes, 1);
	ck_assert_int_eq(metadata, 14);
	json_free(&doc);
	remove_dir();
}
END_TEST

START_TEST(chrome_leaves_nothing_for_a_bad_trace)
{
	make_dir();
	struct raw raw;
	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	good_records(&raw, 12);
	raw_record(&raw, rec(99, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 0, 500, 0, 0));
	raw_save(&raw, in_dir("bad.trace"));
	ck_assert_int_eq(vtrace_chrome_convert(in_dir("bad.trace"), in_dir("out.json"), NULL, err, sizeof err), -1);
	char expected[600];
	snprintf(expected, sizeof expected, "%s: record 12 at byte offset 712: unknown event kind 99 (expected 1..24)",
		 in_dir("bad.trace"));
	ck_assert_str_eq(err, expected);
	ck_assert_int_eq(dir_entries(NULL, 0), 1);   /* bad.trace only */
	ck_assert_int_eq(vtrace_chrome_convert(in_dir("bad.trace"), "/nonexistent/out.json", NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "/nonexistent/out.json.tmp: cannot create the output: No such file or directory");

	/* A full disk while converting: an error, and still nothing left. */
	struct vtrace_record records[32];
	write_trace(in_dir("k.trace"), "test: full\n", records, known_records(records));
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit limit = {1000, 1000};
		setrlimit(RLIMIT_FSIZE, &limit);
		if (vtrace_chrome_convert(in_dir("k.trace"), in_dir("k.json"), NULL, err, sizeof err) != -1)
			_exit(10);
		char full[600];
		snprintf(full, sizeof full, "%s: cannot write the output: File too large", in_dir("k.json"));
		_exit(strcmp(err, full) == 0 ? 0 : 11);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(dir_entries(NULL, 0), 2);   /* bad.trace, k.trace */
	remove_dir();
}
END_TEST

/* ---- the command line (when the binary is there) ---- */

/* $VRDMA_TRACE (make check), else ./vrdma-trace; NULL when neither runs. */
static const char *tool_path(void)
{
	const char *path = getenv("VRDMA_TRACE");
	if (!path)
		path = "./vrdma-trace";
	return access(path, X_OK) == 0 ? path : NULL;
}

/* Run the tool with ARGS; stdout and stderr into OUT and ERRS (the test
 * directory's files "stdout" and "stderr"); returns the exit status. */
static int run_tool(const char *const *args, char *out, size_t out_bytes, char *errs, size_t errs_bytes)
{
	const char *argv[8] = {tool_path()};
	for (int i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	char out_path[512], err_path[512];
	snprintf(out_path, sizeof out_path, "%s/stdout", dir);
	snprintf(err_path, sizeof err_path, "%s/stderr", dir);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	const char *paths[2] = {out_path, err_path};
	char *buffers[2] = {out, errs};
	size_t sizes[2] = {out_bytes, errs_bytes};
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(paths[i], "r");
		size_t n = f ? fread(buffers[i], 1, sizes[i] - 1, f) : 0;
		buffers[i][n] = '\0';
		if (f)
			fclose(f);
		unlink(paths[i]);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(command_line)
{
	if (!tool_path())
		return;   /* built without the tool: nothing to run */
	make_dir();
	static char out[65536], errs[4096];
	struct vtrace_record records[32];
	size_t n = known_records(records);
	write_trace(in_dir("k.trace"), "test: cli\n", records, n);
	struct raw raw;
	raw_header(&raw, "VRDMATRC", 1, 56, config16);
	good_records(&raw, 12);
	raw_record(&raw, rec(99, VTRACE_ACTOR_GUEST_VCPU, 1, 1, 1, 0, 500, 0, 0));
	raw_save(&raw, in_dir("bad.trace"));

	ck_assert_int_eq(run_tool((const char *[]){NULL}, out, sizeof out, errs, sizeof errs), 2);
	ck_assert_ptr_nonnull(strstr(errs, "missing the trace file"));
	ck_assert_ptr_nonnull(strstr(errs, "Usage: vrdma-trace FILE"));
	ck_assert_int_eq(run_tool((const char *[]){"--version", NULL}, out, sizeof out, errs, sizeof errs), 0);
	ck_assert_ptr_nonnull(strstr(out, "vrdma-trace (vrdmasim) " PACKAGE_VERSION "\n"));
	ck_assert_int_eq(run_tool((const char *[]){"--help", NULL}, out, sizeof out, errs, sizeof errs), 0);
	ck_assert_ptr_nonnull(strstr(out, "  --chrome OUT.json  "));
	ck_assert_int_eq(run_tool((const char *[]){in_dir("k.trace"), "--bogus", NULL}, out, sizeof out, errs,
				  sizeof errs), 2);
	ck_assert_ptr_nonnull(strstr(errs, "unknown option: --bogus"));
	ck_assert_int_eq(run_tool((const char *[]){in_dir("k.trace"), "extra", NULL}, out, sizeof out, errs,
				  sizeof errs), 2);
	ck_assert_int_eq(run_tool((const char *[]){in_dir("k.trace"), "--chrome", NULL}, out, sizeof out, errs,
				  sizeof errs), 2);

	ck_assert_int_eq(run_tool((const char *[]){in_dir("k.trace"), NULL}, out, sizeof out, errs, sizeof errs), 0);
	ck_assert_ptr_nonnull(strstr(out, "post -> wqe-write"));
	ck_assert_ptr_nonnull(strstr(out, "mean_ns"));
	ck_assert_int_eq(run_tool((const char *[]){in_dir("k.trace"), "--json", NULL}, out, sizeof out, errs,
				  sizeof errs), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"mean_ns\": 20.0"));
	ck_assert_int_eq(run_tool((const char *[]){in_dir("k.trace"), "--chrome", in_dir("k.json"), NULL}, out,
				  sizeof out, errs, sizeof errs), 0);
	ck_assert(exists(in_dir("k.json")));

	ck_assert_int_eq(run_tool((const char *[]){in_dir("bad.trace"), "--chrome", in_dir("bad.json"), NULL}, out,
				  sizeof out, errs, sizeof errs), 2);
	char expected[600];
	snprintf(expected, sizeof expected,
		 "vrdma-trace: %s: record 12 at byte offset 712: unknown event kind 99 (expected 1..24)\n",
		 in_dir("bad.trace"));
	ck_assert_str_eq(errs, expected);
	ck_assert(!exists(in_dir("bad.json")));
	ck_assert(!exists(in_dir("bad.json.tmp")));
	ck_assert_int_eq(run_tool((const char *[]){in_dir("bad.trace"), NULL}, out, sizeof out, errs, sizeof errs), 2);
	ck_assert_str_eq(errs, expected);
	ck_assert_str_eq(out, "");
	remove_dir();
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("trace");
	TCase *writer = tcase_create("writer");
	tcase_set_timeout(writer, 60);
	tcase_add_test(writer, round_trip_from_threads);
	tcase_add_test(writer, close_publishes_abandon_leaves_nothing);
	tcase_add_test(writer, open_failure_is_reported);
	tcase_add_test(writer, write_error_fails_the_close);
	tcase_add_test(writer, kind_and_actor_names);
	tcase_add_test(writer, record_encoding_is_defined);
	suite_add_tcase(suite, writer);
	TCase *reader = tcase_create("reader");
	tcase_add_test(reader, reader_refuses_bad_headers);
	tcase_add_test(reader, reader_refuses_bad_records);
	tcase_add_test(reader, reader_accepts_interleaved_instances);
	suite_add_tcase(suite, reader);
	TCase *summary = tcase_create("summary");
	tcase_set_timeout(summary, 60);
	tcase_add_test(summary, summary_stage_arithmetic);
	tcase_add_test(summary, summary_percentiles_from_histogram);
	tcase_add_test(summary, summary_finishes_oldest_when_full);
	suite_add_tcase(suite, summary);
	TCase *chrome = tcase_create("chrome");
	tcase_add_test(chrome, chrome_json_parses_with_every_event);
	tcase_add_test(chrome, chrome_leaves_nothing_for_a_bad_trace);
	suite_add_tcase(suite, chrome);
	TCase *cli = tcase_create("command line");
	tcase_set_timeout(cli, 60);
	tcase_add_test(cli, command_line);
	suite_add_tcase(suite, cli);
	return run_suite(suite);
}
