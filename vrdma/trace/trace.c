/*
 * vrdma/trace/trace.c -- the trace writer: one mutex, one large buffer, a
 * temporary file renamed into place by vtrace_close().
 *
 * Emitting costs a lock and a 56-byte encode; the file is written only when
 * the buffer fills, so the threads that trace (guest vCPUs, backends) do not
 * wait on the disk per event.  A write error is remembered, later events are
 * dropped, and vtrace_close() reports it and removes the temporary file.
 */
#include "vrdma/trace/trace.h"
#include "common/fd_io.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 1 MiB: large enough that a flush is rare (18,724 records), small enough
 * to be nothing beside a guest's memory. */
#define BUFFER_BYTES ((size_t)1 << 20)

struct vtrace {
	pthread_mutex_t lock;   /* guards everything below */
	int fd;                 /* the temporary file */
	char *path;             /* where the trace is published */
	char *temp;             /* path + ".tmp.XXXXXX" */
	unsigned char *buffer;  /* BUFFER_BYTES, records not yet written */
	size_t used_bytes;
	int write_errno;        /* first write error, 0 if none */
};

static const char *const kind_names[VTRACE_KIND_COUNT_] = {
	[VTRACE_POST] = "post",
	[VTRACE_WQE_WRITE] = "wqe-write",
	[VTRACE_DOORBELL] = "doorbell",
	[VTRACE_COMMAND] = "command",
	[VTRACE_WQE_FETCH] = "wqe-fetch",
	[VTRACE_TRANSLATE] = "translate",
	[VTRACE_DMA_READ] = "dma-read",
	[VTRACE_DMA_WRITE] = "dma-write",
	[VTRACE_PACKET_TX] = "packet-tx",
	[VTRACE_PACKET_RX] = "packet-rx",
	[VTRACE_ACK] = "ack",
	[VTRACE_RETRANSMIT] = "retransmit",
	[VTRACE_HCA_COMPLETION] = "hca-completion",
	[VTRACE_CQE_WRITE] = "cqe-write",
	[VTRACE_NOTIFY] = "notify",
	[VTRACE_INTERRUPT] = "interrupt",
	[VTRACE_POLL] = "poll",
	[VTRACE_PACKET_DROP] = "packet-drop",
	[VTRACE_EVENT_WAKE] = "event-wake",
	[VTRACE_ASYNC_EVENT] = "async-event",
	[VTRACE_MIGRATE_QUIESCE] = "migrate-quiesce",
	[VTRACE_MIGRATE_TRANSFER] = "migrate-transfer",
	[VTRACE_MIGRATE_REGISTER] = "migrate-register",
	[VTRACE_MIGRATE_RECONNECT] = "migrate-reconnect",
};

static const char *const actor_names[VTRACE_ACTOR_COUNT_] = {
	[VTRACE_ACTOR_GUEST_VCPU] = "guest-vcpu",
	[VTRACE_ACTOR_TRAP_HANDLER] = "trap-handler",
	[VTRACE_ACTOR_BACKEND] = "backend",
	[VTRACE_ACTOR_HCA_REQUESTER] = "hca-requester",
	[VTRACE_ACTOR_HCA_RESPONDER] = "hca-responder",
	[VTRACE_ACTOR_HCA_COMPLETER] = "hca-completer",
	[VTRACE_ACTOR_INTERRUPT] = "interrupt",
};

const char *vtrace_kind_name(unsigned kind)
{
	return kind < VTRACE_KIND_COUNT_ ? kind_names[kind] : NULL;
}

const char *vtrace_actor_name(unsigned actor)
{
	return actor < VTRACE_ACTOR_COUNT_ ? actor_names[actor] : NULL;
}

uint64_t vtrace_now_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* ---- the file form ---- */

static void put_le(unsigned char *out, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (unsigned char)(value >> (8 * i));
}

static uint64_t get_le(const unsigned char *in, unsigned bytes)
{
	uint64_t value = 0;
	for (unsigned i = 0; i < bytes; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

void vtrace_record_encode(const struct vtrace_record *r, unsigned char out[VTRACE_RECORD_BYTES])
{
	put_le(out + 0, r->time_ns, 8);
	put_le(out + 8, r->op_id, 8);
	put_le(out + 16, r->arg0, 8);
	put_le(out + 24, r->arg1, 8);
	put_le(out + 32, r->object, 4);
	put_le(out + 36, r->arg2, 4);
	put_le(out + 40, r->duration_ns, 4);
	put_le(out + 44, r->kind, 2);
	put_le(out + 46, r->actor, 1);
	put_le(out + 47, r->host, 1);
	put_le(out + 48, r->guest, 2);
	put_le(out + 50, r->flags, 2);
	put_le(out + 52, r->reserved, 4);
}

void vtrace_record_decode(const unsigned char in[VTRACE_RECORD_BYTES], struct vtrace_record *r)
{
	r->time_ns = get_le(in + 0, 8);
	r->op_id = get_le(in + 8, 8);
	r->arg0 = get_le(in + 16, 8);
	r->arg1 = get_le(in + 24, 8);
	r->object = (uint32_t)get_le(in + 32, 4);
	r->arg2 = (uint32_t)get_le(in + 36, 4);
	r->duration_ns = (uint32_t)get_le(in + 40, 4);
	r->kind = (uint16_t)get_le(in + 44, 2);
	r->actor = (uint8_t)get_le(in + 46, 1);
	r->host = (uint8_t)get_le(in + 47, 1);
	r->guest = (uint16_t)get_le(in + 48, 2);
	r->flags = (uint16_t)get_le(in + 50, 2);
	r->reserved = (uint32_t)get_le(in + 52, 4);
}

/* ---- writing ---- */

static void set_error(char *err, size_t err_bytes, const char *path, const char *what, int error)
{
	if (err && err_bytes)
		snprintf(err, err_bytes, "%s: %s: %s", path, what, strerror(error));
}

/* Caller holds the lock.  After the first error nothing more is written. */
static void flush_locked(struct vtrace *trace)
{
	if (trace->write_errno == 0 && trace->used_bytes > 0)
		trace->write_errno = fd_write_all(trace->fd, trace->buffer, trace->used_bytes);
	trace->used_bytes = 0;
}

static int write_header(struct vtrace *trace, const char *config_text, size_t config_bytes)
{
	unsigned char header[VTRACE_HEADER_BYTES];
	memcpy(header, VTRACE_MAGIC, 8);
	put_le(header + 8, VTRACE_VERSION, 4);
	put_le(header + 12, VTRACE_RECORD_BYTES, 4);
	put_le(header + 16, config_bytes, 4);
	put_le(header + 20, 0, 4);
	int error = fd_write_all(trace->fd, header, sizeof header);
	if (error == 0)
		error = fd_write_all(trace->fd, (const unsigned char *)config_text, config_bytes);
	return error;
}

static void discard(struct vtrace *trace)
{
	if (trace->fd >= 0) {
		close(trace->fd);
		unlink(trace->temp);
	}
	pthread_mutex_destroy(&trace->lock);
	free(trace->buffer);
	free(trace->temp);
	free(trace->path);
	free(trace);
}

/* mkstemp makes the file 0600; a trace is an ordinary output file. */
static void give_plain_mode(int fd)
{
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
}

struct vtrace *vtrace_open(const char *path, const char *config_text, char *err, size_t err_bytes)
{
	if (!config_text)
		config_text = "";
	size_t config_bytes = strlen(config_text);
	if (config_bytes > VTRACE_CONFIG_BYTES_MAX) {
		if (err && err_bytes)
			snprintf(err, err_bytes, "%s: configuration text of %zu bytes (expected at most %u)", path,
				 config_bytes, VTRACE_CONFIG_BYTES_MAX);
		return NULL;
	}
	struct vtrace *trace = calloc(1, sizeof *trace);
	if (!trace) {
		set_error(err, err_bytes, path, "cannot open the trace", ENOMEM);
		return NULL;
	}
	trace->fd = -1;
	pthread_mutex_init(&trace->lock, NULL);
	size_t path_bytes = strlen(path);
	trace->path = strdup(path);
	trace->temp = malloc(path_bytes + sizeof ".tmp.XXXXXX");
	trace->buffer = malloc(BUFFER_BYTES);
	if (!trace->path || !trace->temp || !trace->buffer) {
		set_error(err, err_bytes, path, "cannot open the trace", ENOMEM);
		discard(trace);
		return NULL;
	}
	memcpy(trace->temp, path, path_bytes);
	memcpy(trace->temp + path_bytes, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	trace->fd = mkstemp(trace->temp);
	if (trace->fd < 0) {
		set_error(err, err_bytes, path, "cannot create the trace file", errno);
		discard(trace);
		return NULL;
	}
	give_plain_mode(trace->fd);
	int error = write_header(trace, config_text, config_bytes);
	if (error) {
		set_error(err, err_bytes, path, "cannot write the trace", error);
		discard(trace);
		return NULL;
	}
	return trace;
}

void vtrace_emit(struct vtrace *trace, const struct vtrace_record *record)
{
	if (!trace)
		return;
	pthread_mutex_lock(&trace->lock);
	if (trace->used_bytes + VTRACE_RECORD_BYTES > BUFFER_BYTES)
		flush_locked(trace);
	vtrace_record_encode(record, trace->buffer + trace->used_bytes);
	trace->used_bytes += VTRACE_RECORD_BYTES;
	pthread_mutex_unlock(&trace->lock);
}

void vtrace_event(struct vtrace *trace, enum vtrace_kind kind, enum vtrace_actor actor, uint8_t host,
		  uint16_t guest, uint32_t object, uint64_t op_id, uint64_t arg0, uint64_t arg1, uint32_t arg2,
		  uint16_t flags)
{
	if (!trace)
		return;
	struct vtrace_record record = {
		.time_ns = vtrace_now_ns(),
		.op_id = op_id,
		.arg0 = arg0,
		.arg1 = arg1,
		.object = object,
		.arg2 = arg2,
		.kind = (uint16_t)kind,
		.actor = (uint8_t)actor,
		.host = host,
		.guest = guest,
		.flags = flags,
	};
	vtrace_emit(trace, &record);
}

/* fsync before rename: a trace that exists is complete, even after a crash. */
int vtrace_close(struct vtrace *trace, char *err, size_t err_bytes)
{
	if (!trace)
		return 0;
	pthread_mutex_lock(&trace->lock);
	flush_locked(trace);
	int error = trace->write_errno;
	pthread_mutex_unlock(&trace->lock);
	if (error == 0 && fsync(trace->fd) != 0)
		error = errno;
	if (close(trace->fd) != 0 && error == 0)
		error = errno;
	trace->fd = -1;
	if (error == 0 && rename(trace->temp, trace->path) != 0)
		error = errno;
	if (error) {
		unlink(trace->temp);
		set_error(err, err_bytes, trace->path, "cannot write the trace", error);
	}
	discard(trace);
	return error ? -1 : 0;
}

void vtrace_abandon(struct vtrace *trace)
{
	if (trace)
		discard(trace);
}
