/*
 * vrdma/trace/trace_chrome.c -- one JSON event per record, metadata events
 * for each host and track the first time it appears.
 *
 * The tracks seen are kept in a small open-addressing set (a few per guest
 * and host), so memory does not grow with the trace.
 */
#include "vrdma/trace/trace_chrome.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json_write.h"
#include "vrdma/trace/trace.h"
#include "vrdma/trace/trace_read.h"

/* ---- how each kind's arguments are shown ---- */

enum arg_format {
	ARG_NONE = 0,
	ARG_DEC,        /* a number */
	ARG_HEX,        /* a hex string: addresses, register offsets and values */
	ARG_WR_OPCODE,  /* ibv_wr_opcode, or VTRACE_RECV_OPCODE */
	ARG_DOORBELL,   /* enum vtrace_doorbell */
	ARG_RETX        /* enum vtrace_retransmit_reason */
};

struct arg_spec {
	const char *name;
	enum arg_format format;
};

/* arg0, arg1, arg2 of each kind, as trace.h lists them. */
static const struct arg_spec arg_specs[VTRACE_KIND_COUNT_][3] = {
	[VTRACE_POST] = {{"opcode", ARG_WR_OPCODE}, {"bytes", ARG_DEC}, {"sges", ARG_DEC}},
	[VTRACE_WQE_WRITE] = {{"ring_index", ARG_DEC}, {"wqe_bytes", ARG_DEC}, {0}},
	[VTRACE_DOORBELL] = {{"register", ARG_HEX}, {"value", ARG_HEX}, {"doorbell", ARG_DOORBELL}},
	[VTRACE_COMMAND] = {{"command", ARG_DEC}, {"result", ARG_DEC}, {0}},
	[VTRACE_WQE_FETCH] = {{"ring_index", ARG_DEC}, {"wqe_bytes", ARG_DEC}, {"error", ARG_DEC}},
	[VTRACE_TRANSLATE] = {{"pages", ARG_DEC}, {"bytes", ARG_DEC}, {0}},
	[VTRACE_DMA_READ] = {{"iova", ARG_HEX}, {"bytes", ARG_DEC}, {0}},
	[VTRACE_DMA_WRITE] = {{"iova", ARG_HEX}, {"bytes", ARG_DEC}, {0}},
	[VTRACE_PACKET_TX] = {{"bth_opcode", ARG_DEC}, {"psn", ARG_DEC}, {"payload_bytes", ARG_DEC}},
	[VTRACE_PACKET_RX] = {{"bth_opcode", ARG_DEC}, {"psn", ARG_DEC}, {"payload_bytes", ARG_DEC}},
	[VTRACE_ACK] = {{"syndrome", ARG_HEX}, {"psn", ARG_DEC}, {0}},
	[VTRACE_RETRANSMIT] = {{"reason", ARG_RETX}, {"first_psn", ARG_DEC}, {0}},
	[VTRACE_HCA_COMPLETION] = {{"status", ARG_DEC}, {"byte_len", ARG_DEC}, {"wc_opcode", ARG_DEC}},
	[VTRACE_CQE_WRITE] = {{"status", ARG_DEC}, {"byte_len", ARG_DEC}, {"ring_index", ARG_DEC}},
	[VTRACE_POLL] = {{"completions", ARG_DEC}, {"empty_polls", ARG_DEC}, {0}},
	[VTRACE_PACKET_DROP] = {{"bth_opcode", ARG_DEC}, {"psn", ARG_DEC}, {0}},
	[VTRACE_ASYNC_EVENT] = {{"event_type", ARG_DEC}, {0}, {0}},
	[VTRACE_MIGRATE_QUIESCE] = {{"qps", ARG_DEC}, {"in_flight", ARG_DEC}, {0}},
	[VTRACE_MIGRATE_TRANSFER] = {{"state_bytes", ARG_DEC}, {"memory_bytes", ARG_DEC}, {0}},
	[VTRACE_MIGRATE_REGISTER] = {{"mrs", ARG_DEC}, {"pages", ARG_DEC}, {0}},
	[VTRACE_MIGRATE_RECONNECT] = {{"qps", ARG_DEC}, {"qpn_remapped", ARG_DEC}, {0}},
};

static const char *wr_opcode_name(uint64_t opcode)
{
	static const char *const names[] = {"rdma-write", "rdma-write-imm", "send", "send-imm", "rdma-read"};
	if (opcode == VTRACE_RECV_OPCODE)
		return "recv";
	return opcode < sizeof names / sizeof names[0] ? names[opcode] : NULL;
}

static const char *doorbell_name(uint64_t doorbell)
{
	static const char *const names[] = {
		NULL, "send", "recv", "cq-arm", "cq-arm-solicited", "cq-poll",
		"request", "dsr", "control", "intr-mask", "invalid",
	};
	return doorbell < sizeof names / sizeof names[0] ? names[doorbell] : NULL;
}

static const char *retransmit_name(uint64_t reason)
{
	static const char *const names[] = {NULL, "timeout", "nak-sequence", "rnr"};
	return reason < sizeof names / sizeof names[0] ? names[reason] : NULL;
}

/* JSON numbers are doubles to most readers: past 2^53, write a string. */
static void put_number(json_writer *w, uint64_t value)
{
	char text[24];
	if (value <= ((uint64_t)1 << 53)) {
		json_write_uint(w, value);
		return;
	}
	snprintf(text, sizeof text, "%" PRIu64, value);
	json_write_string(w, text);
}

static void put_hex(json_writer *w, const char *format, uint64_t value)
{
	char text[24];
	snprintf(text, sizeof text, format, value);
	json_write_string(w, text);
}

static void put_arg(json_writer *w, const struct arg_spec *spec, uint64_t value)
{
	const char *name = NULL;
	json_write_key(w, spec->name);
	switch (spec->format) {
	case ARG_HEX: put_hex(w, "0x%" PRIx64, value); return;
	case ARG_WR_OPCODE: name = wr_opcode_name(value); break;
	case ARG_DOORBELL: name = doorbell_name(value); break;
	case ARG_RETX: name = retransmit_name(value); break;
	default: break;
	}
	if (name)
		json_write_string(w, name);
	else
		put_number(w, value);
}

/* The flags' names joined by '|', unnamed bits last in hex. */
static void put_flags(json_writer *w, uint16_t flags)
{
	static const struct { uint16_t bit; const char *name; } names[] = {
		{VTRACE_F_SIGNALED, "signaled"}, {VTRACE_F_INLINE, "inline"}, {VTRACE_F_ACKREQ, "ackreq"},
		{VTRACE_F_SUPPRESSED, "suppressed"}, {VTRACE_F_ERROR, "error"},
	};
	char text[80];
	size_t used = 0;
	const char *separator = "";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].bit) {
			used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", separator, names[i].name);
			separator = "|";
			flags &= (uint16_t)~names[i].bit;
		}
	if (flags)
		snprintf(text + used, sizeof text - used, "%s0x%x", separator, flags);
	else
		text[used] = '\0';
	json_write_key_string(w, "flags", text);
}

static void put_args(json_writer *w, const struct vtrace_record *r)
{
	const uint64_t values[3] = {r->arg0, r->arg1, r->arg2};
	json_write_key(w, "args");
	json_write_object_begin(w);
	json_write_key_uint(w, "object", r->object);
	if (r->op_id) {
		json_write_key(w, "op");
		put_hex(w, "0x%016" PRIx64, r->op_id);
	}
	for (int i = 0; i < 3; i++)
		if (arg_specs[r->kind][i].name)
			put_arg(w, &arg_specs[r->kind][i], values[i]);
	if (r->flags)
		put_flags(w, r->flags);
	json_write_object_end(w);
}

/* ---- tracks ---- */

static int is_guest_side(unsigned actor)
{
	return actor == VTRACE_ACTOR_GUEST_VCPU || actor == VTRACE_ACTOR_TRAP_HANDLER;
}

static uint32_t track_of(const struct vtrace_record *r)
{
	return is_guest_side(r->actor) ? (uint32_t)r->guest * 8u + r->actor : r->actor;
}

/* Guests' tracks first (by guest), then the host's own in pipeline order. */
static uint32_t sort_index_of(const struct vtrace_record *r)
{
	return is_guest_side(r->actor) ? track_of(r) : (1u << 20) + r->actor;
}

static void thread_name(const struct vtrace_record *r, char *out, size_t out_bytes)
{
	static const char *const names[VTRACE_ACTOR_COUNT_] = {
		[VTRACE_ACTOR_GUEST_VCPU] = "vcpu",
		[VTRACE_ACTOR_TRAP_HANDLER] = "trap handler",
		[VTRACE_ACTOR_BACKEND] = "backend",
		[VTRACE_ACTOR_HCA_REQUESTER] = "hca requester",
		[VTRACE_ACTOR_HCA_RESPONDER] = "hca responder",
		[VTRACE_ACTOR_HCA_COMPLETER] = "hca completer",
		[VTRACE_ACTOR_INTERRUPT] = "interrupt",
	};
	if (is_guest_side(r->actor))
		snprintf(out, out_bytes, "guest %u %s", r->guest, names[r->actor]);
	else
		snprintf(out, out_bytes, "%s", names[r->actor]);
}

struct track_set {
	uint64_t *keys;      /* 0: empty; else (host << 32 | tid) + 1 */
	size_t capacity;     /* power of two */
	size_t used;
};

static size_t track_slot(const struct track_set *set, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15u) >> 32) & (set->capacity - 1);
	while (set->keys[i] != 0 && set->keys[i] != key)
		i = (i + 1) & (set->capacity - 1);
	return i;
}

/* Add KEY; returns 1 if it was new, 0 if seen, -1 when out of memory. */
static int track_add(struct track_set *set, uint64_t key)
{
	if ((set->used + 1) * 2 > set->capacity) {
		struct track_set bigger = {calloc(set->capacity ? set->capacity * 2 : 64, sizeof(uint64_t)),
					   set->capacity ? set->capacity * 2 : 64, set->used};
		if (!bigger.keys)
			return -1;
		for (size_t i = 0; i < set->capacity; i++)
			if (set->keys[i])
				bigger.keys[track_slot(&bigger, set->keys[i])] = set->keys[i];
		free(set->keys);
		*set = bigger;
	}
	size_t i = track_slot(set, key);
	if (set->keys[i] == key)
		return 0;
	set->keys[i] = key;
	set->used++;
	return 1;
}

/* ---- events ---- */

struct writer {
	json_writer json;
	uint64_t events;
	struct track_set tracks;
};

/* An event: an object on a line of its own. */
static void begin_event(struct writer *w)
{
	w->events++;
	json_write_break(&w->json, 0);
	json_write_object_begin(&w->json);
}

/* A metadata event ("ph": "M") of HOST (and of track TID, unless
 * negative); its args are the caller's to write. */
static void begin_metadata(struct writer *w, const char *name, uint32_t host, int64_t tid)
{
	begin_event(w);
	json_write_key_string(&w->json, "name", name);
	json_write_key_string(&w->json, "ph", "M");
	json_write_key_uint(&w->json, "pid", host);
	if (tid >= 0)
		json_write_key_uint(&w->json, "tid", (unsigned long long)tid);
	json_write_key(&w->json, "args");
	json_write_object_begin(&w->json);
}

static void end_metadata(struct writer *w)
{
	json_write_object_end(&w->json);
	json_write_object_end(&w->json);
}

/* Microseconds with three decimals: the exact nanoseconds. */
static void put_time_us(json_writer *w, const char *key, uint64_t ns)
{
	json_write_key(w, key);
	json_write_uint_scaled(w, ns, 3);
}

/* Metadata for R's host and track if they are new.  0 or -1 (memory). */
static int put_metadata(struct writer *w, const struct vtrace_record *r)
{
	int new_host = track_add(&w->tracks, ((uint64_t)r->host << 32 | 0xffffffffu) + 1);
	int new_track = track_add(&w->tracks, ((uint64_t)r->host << 32 | track_of(r)) + 1);
	if (new_host < 0 || new_track < 0)
		return -1;
	if (new_host) {
		char name[32];
		snprintf(name, sizeof name, "host %u", r->host);
		begin_metadata(w, "process_name", r->host, -1);
		json_write_key_string(&w->json, "name", name);
		end_metadata(w);
	}
	if (new_track) {
		char name[64];
		thread_name(r, name, sizeof name);
		begin_metadata(w, "thread_name", r->host, track_of(r));
		json_write_key_string(&w->json, "name", name);
		end_metadata(w);
		begin_metadata(w, "thread_sort_index", r->host, track_of(r));
		json_write_key_uint(&w->json, "sort_index", sort_index_of(r));
		end_metadata(w);
	}
	return 0;
}

static void put_event(struct writer *w, const struct vtrace_record *r)
{
	json_writer *j = &w->json;
	begin_event(w);
	json_write_key_string(j, "name", vtrace_kind_name(r->kind));
	json_write_key_string(j, "cat", vtrace_actor_name(r->actor));
	json_write_key_string(j, "ph", r->duration_ns ? "X" : "i");
	put_time_us(j, "ts", r->time_ns);
	if (r->duration_ns)
		put_time_us(j, "dur", r->duration_ns);
	else
		json_write_key_string(j, "s", "t");
	json_write_key_uint(j, "pid", r->host);
	json_write_key_uint(j, "tid", track_of(r));
	put_args(j, r);
	json_write_object_end(j);
}

int vtrace_chrome_write(struct vtrace_reader *reader, FILE *out, uint64_t *events, char *err, size_t err_bytes)
{
	struct writer w = {.events = 0, .tracks = {NULL, 0, 0}};
	struct vtrace_record r;
	int got, status = 0;
	json_write_init(&w.json, out);
	json_write_object_begin(&w.json);
	json_write_key(&w.json, "traceEvents");
	json_write_array_begin(&w.json);
	while ((got = vtrace_reader_next(reader, &r, err, err_bytes)) > 0) {
		if (put_metadata(&w, &r) != 0) {
			snprintf(err, err_bytes, "%s: out of memory converting the trace", vtrace_reader_path(reader));
			got = -1;
			break;
		}
		put_event(&w, &r);
	}
	if (got < 0)
		status = -1;
	json_write_break(&w.json, 0);
	json_write_array_end(&w.json);
	json_write_break(&w.json, 0);
	json_write_key_string(&w.json, "displayTimeUnit", "ns");
	json_write_object_end(&w.json);
	json_write_end_document(&w.json);
	free(w.tracks.keys);
	if (events)
		*events = w.events;
	return status;
}

/* Is PATH (after symbolic links) the file the reader reads?  Writing it,
 * or its temporary file, would destroy the trace being converted. */
static int is_the_input(const struct vtrace_reader *reader, const char *path)
{
	struct stat st;
	dev_t device;
	ino_t inode;
	vtrace_reader_file_id(reader, &device, &inode);
	return stat(path, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

int vtrace_chrome_convert(const char *trace_path, const char *out_path, uint64_t *events, char *err,
			  size_t err_bytes)
{
	struct vtrace_reader *reader = vtrace_reader_open(trace_path, err, err_bytes);
	if (!reader)
		return -1;
	size_t path_bytes = strlen(out_path);
	char *temp = malloc(path_bytes + sizeof ".tmp");
	FILE *out = NULL;
	if (temp) {
		memcpy(temp, out_path, path_bytes);
		memcpy(temp + path_bytes, ".tmp", sizeof ".tmp");
		const char *input = is_the_input(reader, out_path) ? out_path : is_the_input(reader, temp) ? temp : NULL;
		if (input) {
			snprintf(err, err_bytes, "%s: found the output '%s', which is the trace being read, expected an output that replaces no input",
				 trace_path, input);
			free(temp);
			vtrace_reader_close(reader);
			return -1;
		}
		out = fopen(temp, "w");
	}
	if (!out) {
		snprintf(err, err_bytes, "%s: cannot create the output: %s", temp ? temp : out_path,
			 strerror(temp ? errno : ENOMEM));
		free(temp);
		vtrace_reader_close(reader);
		return -1;
	}
	int status = vtrace_chrome_write(reader, out, events, err, err_bytes);
	vtrace_reader_close(reader);
	errno = 0;
	int write_failed = fflush(out) != 0 || ferror(out) != 0;
	int write_errno = errno;
	write_failed |= fclose(out) != 0;
	if (write_errno == 0)
		write_errno = errno ? errno : EIO;
	if (status == 0 && write_failed) {
		snprintf(err, err_bytes, "%s: cannot write the output: %s", out_path, strerror(write_errno));
		status = -1;
	}
	if (status == 0 && rename(temp, out_path) != 0) {
		snprintf(err, err_bytes, "%s: cannot write the output: %s", out_path, strerror(errno));
		status = -1;
	}
	if (status != 0)
		unlink(temp);
	free(temp);
	return status;
}
