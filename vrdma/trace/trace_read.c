/*
 * vrdma/trace/trace_read.c -- header check, record-by-record reading, and
 * the per-actor-instance time check.
 *
 * The instance table is open addressing with linear probing, keyed by the
 * instance packed into 64 bits (host 8, guest 16, actor 8, object 32 bits:
 * exactly the record's fields, so no two instances share a key).  Actor 0 is
 * never valid, so key 0 marks an empty slot.  It doubles when half full.
 */
#include "vrdma/trace/trace_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Large reads are what make a streaming reader fast; 256 KiB is 4,681
 * records per read() and still a fixed, small cost. */
#define READ_BUFFER_BYTES ((size_t)256 << 10)
#define INSTANCES_INITIAL 64u   /* power of two */

struct instance {
	uint64_t key;            /* 0: empty */
	uint64_t last_end_ns;    /* end of the instance's latest record */
	uint64_t last_record;    /* its number, for the message */
};

struct vtrace_reader {
	FILE *file;
	char *path;
	struct stat identity;       /* of the opened file: device, inode */
	char *config;               /* NUL-terminated configuration text */
	uint64_t records_offset;    /* byte offset of record 0 */
	uint64_t count;             /* records returned */
	uint64_t record;            /* number of the record last read or failed on */
	int failed;                 /* an error was reported: reading stopped */
	struct instance *instances; /* capacity entries, a power of two */
	size_t capacity;
	size_t used;
};

/* ---- messages ---- */

static int fail(char *err, size_t err_bytes, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "PATH: " + the formatted text; always returns -1. */
static int fail(char *err, size_t err_bytes, const char *path, const char *fmt, ...)
{
	if (!err || !err_bytes)
		return -1;
	int n = snprintf(err, err_bytes, "%s: ", path);
	if (n < 0 || (size_t)n >= err_bytes)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, err_bytes - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- the header ---- */

static uint32_t get_u32(const unsigned char *in)
{
	return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

static int check_magic(const unsigned char *header, size_t got, const char *path, char *err, size_t err_bytes)
{
	size_t compared = got < 8 ? got : 8;
	if (got == 0)
		return fail(err, err_bytes, path, "byte offset 0: not a vrdma trace (found an empty file, expected the magic \"%s\")",
			    VTRACE_MAGIC);
	/* A file of another kind (a password file, a key) is not quoted. */
	if (memcmp(header, VTRACE_MAGIC, compared) != 0)
		return fail(err, err_bytes, path,
			    "byte offset 0: not a vrdma trace (found other first bytes, not quoted, expected the magic \"%s\")",
			    VTRACE_MAGIC);
	if (got < VTRACE_HEADER_BYTES)
		return fail(err, err_bytes, path, "byte offset %zu: truncated header (found %zu bytes of %u)", got,
			    got, VTRACE_HEADER_BYTES);
	return 0;
}

static int read_header(struct vtrace_reader *r, char *err, size_t err_bytes)
{
	unsigned char header[VTRACE_HEADER_BYTES];
	size_t got = fread(header, 1, sizeof header, r->file);
	if (ferror(r->file))
		return fail(err, err_bytes, r->path, "cannot read the trace: %s", strerror(errno));
	if (check_magic(header, got, r->path, err, err_bytes) != 0)
		return -1;
	uint32_t version = get_u32(header + 8);
	uint32_t record_bytes = get_u32(header + 12);
	uint32_t config_bytes = get_u32(header + 16);
	if (version != VTRACE_VERSION)
		return fail(err, err_bytes, r->path, "byte offset 8: unknown format version %" PRIu32 " (expected %u)",
			    version, VTRACE_VERSION);
	if (record_bytes != VTRACE_RECORD_BYTES)
		return fail(err, err_bytes, r->path, "byte offset 12: record size %" PRIu32 " bytes (expected %u)",
			    record_bytes, VTRACE_RECORD_BYTES);
	if (config_bytes > VTRACE_CONFIG_BYTES_MAX)
		return fail(err, err_bytes, r->path,
			    "byte offset 16: configuration text of %" PRIu32 " bytes (expected at most %u)",
			    config_bytes, VTRACE_CONFIG_BYTES_MAX);
	r->config = malloc((size_t)config_bytes + 1);
	if (!r->config)
		return fail(err, err_bytes, r->path, "cannot read the trace: %s", strerror(ENOMEM));
	got = fread(r->config, 1, config_bytes, r->file);
	r->config[got] = '\0';
	if (got < config_bytes)
		return fail(err, err_bytes, r->path,
			    "byte offset %u: configuration text truncated (found %zu bytes of %" PRIu32 ")",
			    VTRACE_HEADER_BYTES, got, config_bytes);
	size_t text_bytes = strlen(r->config);
	if (text_bytes < config_bytes)
		return fail(err, err_bytes, r->path,
			    "byte offset %zu: NUL byte in the configuration text (expected \"key: value\" lines)",
			    VTRACE_HEADER_BYTES + text_bytes);
	r->records_offset = VTRACE_HEADER_BYTES + (uint64_t)config_bytes;
	return 0;
}

/* ---- the instance table ---- */

static int is_per_qp(unsigned actor)
{
	return actor == VTRACE_ACTOR_HCA_REQUESTER || actor == VTRACE_ACTOR_HCA_RESPONDER ||
	       actor == VTRACE_ACTOR_HCA_COMPLETER;
}

static uint64_t instance_key(const struct vtrace_record *rec)
{
	uint64_t object = is_per_qp(rec->actor) ? rec->object : 0;
	return (uint64_t)rec->host << 56 | (uint64_t)rec->guest << 40 | (uint64_t)rec->actor << 32 | object;
}

/* Fibonacci hashing: the key's fields sit in distinct bit ranges, so mix
 * them all into the top bits before taking the slot. */
static size_t slot_of(uint64_t key, size_t capacity)
{
	return (size_t)((key * 0x9e3779b97f4a7c15u) >> 32) & (capacity - 1);
}

static struct instance *probe(struct instance *table, size_t capacity, uint64_t key)
{
	size_t i = slot_of(key, capacity);
	while (table[i].key != 0 && table[i].key != key)
		i = (i + 1) & (capacity - 1);
	return &table[i];
}

static int grow(struct vtrace_reader *r)
{
	size_t capacity = r->capacity ? r->capacity * 2 : INSTANCES_INITIAL;
	struct instance *table = calloc(capacity, sizeof *table);
	if (!table)
		return -1;
	for (size_t i = 0; i < r->capacity; i++)
		if (r->instances[i].key != 0)
			*probe(table, capacity, r->instances[i].key) = r->instances[i];
	free(r->instances);
	r->instances = table;
	r->capacity = capacity;
	return 0;
}

/* The instance with KEY, added if new; NULL when out of memory. */
static struct instance *find_instance(struct vtrace_reader *r, uint64_t key)
{
	if ((r->used + 1) * 2 > r->capacity && grow(r) != 0)
		return NULL;
	struct instance *slot = probe(r->instances, r->capacity, key);
	if (slot->key == 0) {
		slot->key = key;
		slot->last_end_ns = 0;
		slot->last_record = UINT64_MAX;
		r->used++;
	}
	return slot;
}

/* ---- records ---- */

static uint64_t end_ns(const struct vtrace_record *rec)
{
	uint64_t end = rec->time_ns + rec->duration_ns;
	return end < rec->time_ns ? UINT64_MAX : end;
}

static void describe_instance(const struct vtrace_record *rec, char *out, size_t out_bytes)
{
	int n = snprintf(out, out_bytes, "%s host %u guest %u", vtrace_actor_name(rec->actor), rec->host, rec->guest);
	if (is_per_qp(rec->actor) && n > 0 && (size_t)n < out_bytes)
		snprintf(out + n, out_bytes - (size_t)n, " object %" PRIu32, rec->object);
}

static int check_time(struct vtrace_reader *r, const struct vtrace_record *rec, char *err, size_t err_bytes)
{
	struct instance *inst = find_instance(r, instance_key(rec));
	if (!inst)
		return fail(err, err_bytes, r->path, "cannot read the trace: %s", strerror(ENOMEM));
	uint64_t end = end_ns(rec);
	if (inst->last_record != UINT64_MAX && end < inst->last_end_ns) {
		char who[96];
		describe_instance(rec, who, sizeof who);
		return fail(err, err_bytes, r->path,
			    "record %" PRIu64 " at byte offset %" PRIu64 ": time goes backwards within %s "
			    "(found end time %" PRIu64 " ns, expected at least %" PRIu64 " ns, the end of record %" PRIu64
			    ")",
			    r->record, vtrace_reader_offset(r), who, end, inst->last_end_ns, inst->last_record);
	}
	inst->last_end_ns = end;
	inst->last_record = r->record;
	return 0;
}

static int check_record(struct vtrace_reader *r, const struct vtrace_record *rec, char *err, size_t err_bytes)
{
	if (!vtrace_kind_name(rec->kind))
		return fail(err, err_bytes, r->path,
			    "record %" PRIu64 " at byte offset %" PRIu64 ": unknown event kind %u (expected 1..%d)",
			    r->record, vtrace_reader_offset(r), rec->kind, VTRACE_KIND_COUNT_ - 1);
	if (!vtrace_actor_name(rec->actor))
		return fail(err, err_bytes, r->path,
			    "record %" PRIu64 " at byte offset %" PRIu64 ": unknown actor %u (expected 1..%d)",
			    r->record, vtrace_reader_offset(r), rec->actor, VTRACE_ACTOR_COUNT_ - 1);
	return check_time(r, rec, err, err_bytes);
}

int vtrace_reader_next(struct vtrace_reader *r, struct vtrace_record *out, char *err, size_t err_bytes)
{
	if (r->failed)
		return fail(err, err_bytes, r->path, "reading stopped at an earlier error");
	unsigned char bytes[VTRACE_RECORD_BYTES];
	r->record = r->count;
	size_t got = fread(bytes, 1, sizeof bytes, r->file);
	if (ferror(r->file)) {
		r->failed = 1;
		return fail(err, err_bytes, r->path, "record %" PRIu64 " at byte offset %" PRIu64 ": cannot read: %s",
			    r->record, vtrace_reader_offset(r), strerror(errno));
	}
	if (got == 0)
		return 0;
	if (got < sizeof bytes) {
		r->failed = 1;
		return fail(err, err_bytes, r->path,
			    "record %" PRIu64 " at byte offset %" PRIu64 ": truncated record (found %zu bytes of %u)",
			    r->record, vtrace_reader_offset(r), got, VTRACE_RECORD_BYTES);
	}
	vtrace_record_decode(bytes, out);
	if (check_record(r, out, err, err_bytes) != 0) {
		r->failed = 1;
		return -1;
	}
	r->count++;
	return 1;
}

/* ---- the rest of the API ---- */

/* Open the trace, refusing what is not a regular file: a FIFO would block
 * the open forever (O_NONBLOCK keeps it from waiting for a writer; the
 * flag is cleared once the file is known to be regular). */
static int open_regular(struct vtrace_reader *r, char *err, size_t err_bytes)
{
	int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(err, err_bytes, r->path, "cannot open the trace: %s", strerror(errno));
	int opened = fstat(fd, &r->identity) == 0;
	if (opened && !S_ISREG(r->identity.st_mode)) {
		close(fd);
		return fail(err, err_bytes, r->path, "found %s, expected a regular file (a vrdma trace)",
			    S_ISFIFO(r->identity.st_mode) ? "a FIFO" : S_ISDIR(r->identity.st_mode) ? "a folder"
			    : "a device or socket");
	}
	if (!opened || fcntl(fd, F_SETFL, 0) != 0 || !(r->file = fdopen(fd, "rb"))) {
		int saved = errno;
		close(fd);
		return fail(err, err_bytes, r->path, "cannot open the trace: %s", strerror(saved));
	}
	return 0;
}

struct vtrace_reader *vtrace_reader_open(const char *path, char *err, size_t err_bytes)
{
	struct vtrace_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path))) {
		free(r);
		fail(err, err_bytes, path, "cannot read the trace: %s", strerror(ENOMEM));
		return NULL;
	}
	if (open_regular(r, err, err_bytes) != 0) {
		vtrace_reader_close(r);
		return NULL;
	}
	setvbuf(r->file, NULL, _IOFBF, READ_BUFFER_BYTES);
	if (read_header(r, err, err_bytes) != 0) {
		vtrace_reader_close(r);
		return NULL;
	}
	if (grow(r) != 0) {
		fail(err, err_bytes, path, "cannot read the trace: %s", strerror(ENOMEM));
		vtrace_reader_close(r);
		return NULL;
	}
	return r;
}

uint64_t vtrace_reader_record_number(const struct vtrace_reader *r)
{
	return r->record;
}

uint64_t vtrace_reader_offset(const struct vtrace_reader *r)
{
	return r->records_offset + r->record * VTRACE_RECORD_BYTES;
}

uint64_t vtrace_reader_count(const struct vtrace_reader *r)
{
	return r->count;
}

const char *vtrace_reader_config(const struct vtrace_reader *r)
{
	return r->config;
}

const char *vtrace_reader_path(const struct vtrace_reader *r)
{
	return r->path;
}

void vtrace_reader_file_id(const struct vtrace_reader *r, dev_t *device, ino_t *inode)
{
	*device = r->identity.st_dev;
	*inode = r->identity.st_ino;
}

void vtrace_reader_close(struct vtrace_reader *r)
{
	if (!r)
		return;
	if (r->file)
		fclose(r->file);
	free(r->instances);
	free(r->config);
	free(r->path);
	free(r);
}

/* ---- configuration text ---- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int vtrace_config_get(const char *config, const char *key, char *out, size_t out_bytes)
{
	size_t key_bytes = strlen(key);
	for (const char *line = config; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((size_t)(end - line) > key_bytes && strncmp(line, key, key_bytes) == 0 && line[key_bytes] == ':') {
			const char *value = line + key_bytes + 1;
			while (value < end && is_space(*value))
				value++;
			const char *stop = end;
			while (stop > value && is_space(stop[-1]))
				stop--;
			if (out_bytes) {
				size_t n = (size_t)(stop - value) < out_bytes - 1 ? (size_t)(stop - value) : out_bytes - 1;
				memcpy(out, value, n);
				out[n] = '\0';
			}
			return 1;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}
