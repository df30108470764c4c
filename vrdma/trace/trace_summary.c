/*
 * vrdma/trace/trace_summary.c -- open operations, their stages, and the
 * histograms the stages land in.
 *
 * Open operations live in a ring of `open_ops_max` slots in the order they
 * were first seen (the oldest is finished when a new one needs its slot) and
 * are found by op_id through an open-addressing table of slot numbers with
 * linear probing and backward-shift deletion.  A slot keeps its events array
 * when reused, so a long trace allocates nothing per operation.
 */
#include "vrdma/trace/trace_summary.h"

#include <infiniband/verbs.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_write.h"
#include "vrdma/trace/trace_read.h"

/* ---- histograms: durations (duration.c), and where the stage falls ---- */

struct histogram {
	struct vtrace_durations d;
	uint64_t position_sum;  /* stage's index within its ops, to order stages */
};

static void histogram_add(struct histogram *h, uint64_t value, unsigned position)
{
	vtrace_durations_add(&h->d, value);
	h->position_sum += position;
}

static void histogram_stats(const struct histogram *h, struct vtrace_duration_stats *out)
{
	vtrace_durations_stats(h ? &h->d : NULL, out);
}

/* ---- the summary ---- */

struct op_event {
	uint64_t time_ns;
	uint16_t kind;
};

struct op {
	uint64_t op_id;
	enum vtrace_verb verb;
	uint32_t event_count;
	uint32_t event_capacity;
	struct op_event *events;   /* kept when the slot is reused */
};

struct vtrace_summary {
	char *config;                         /* copy of the trace's text, or NULL */
	uint64_t records;
	uint64_t first_ns, last_ns;           /* earliest start, latest end */
	uint64_t kinds[VTRACE_KIND_COUNT_][VTRACE_ACTOR_COUNT_];
	uint64_t ops[VTRACE_VERB_COUNT_];
	uint64_t ops_evicted;
	uint64_t events_untimed;
	struct histogram *totals[VTRACE_VERB_COUNT_];
	struct histogram *stages[VTRACE_VERB_COUNT_][VTRACE_KIND_COUNT_][VTRACE_KIND_COUNT_];
	int out_of_memory;                    /* a histogram could not be made */

	struct op *ring;                      /* open_ops_max slots */
	size_t open_ops_max;
	size_t ring_head;                     /* oldest open op */
	size_t ring_used;
	uint32_t *index;                      /* slot + 1 per entry, 0 = empty */
	size_t index_capacity;                /* power of two >= 2 * open_ops_max */
};

static const char *const verb_names[VTRACE_VERB_COUNT_] = {
	[VTRACE_VERB_RDMA_WRITE] = "rdma-write",
	[VTRACE_VERB_RDMA_WRITE_IMM] = "rdma-write-imm",
	[VTRACE_VERB_SEND] = "send",
	[VTRACE_VERB_SEND_IMM] = "send-imm",
	[VTRACE_VERB_RDMA_READ] = "rdma-read",
	[VTRACE_VERB_RECV] = "recv",
	[VTRACE_VERB_OTHER] = "other",
	[VTRACE_VERB_NO_POST] = "no-post",
};

const char *vtrace_verb_name(enum vtrace_verb verb)
{
	return (unsigned)verb < VTRACE_VERB_COUNT_ ? verb_names[verb] : NULL;
}

static enum vtrace_verb verb_of_opcode(uint64_t opcode)
{
	switch (opcode) {
	case IBV_WR_RDMA_WRITE: return VTRACE_VERB_RDMA_WRITE;
	case IBV_WR_RDMA_WRITE_WITH_IMM: return VTRACE_VERB_RDMA_WRITE_IMM;
	case IBV_WR_SEND: return VTRACE_VERB_SEND;
	case IBV_WR_SEND_WITH_IMM: return VTRACE_VERB_SEND_IMM;
	case IBV_WR_RDMA_READ: return VTRACE_VERB_RDMA_READ;
	case VTRACE_RECV_OPCODE: return VTRACE_VERB_RECV;
	default: return VTRACE_VERB_OTHER;
	}
}

/* ---- the op_id index ---- */

static size_t hash_op(uint64_t op_id, size_t capacity)
{
	return (size_t)((op_id * 0x9e3779b97f4a7c15u) >> 32) & (capacity - 1);
}

/* Where OP_ID's entry is, or the empty entry where it would go. */
static size_t index_find(const struct vtrace_summary *s, uint64_t op_id)
{
	size_t i = hash_op(op_id, s->index_capacity);
	while (s->index[i] != 0 && s->ring[s->index[i] - 1].op_id != op_id)
		i = (i + 1) & (s->index_capacity - 1);
	return i;
}

/* Remove entry I, moving later entries of its probe run back so lookups
 * never stop early at the hole (Knuth's algorithm R). */
static void index_remove(struct vtrace_summary *s, size_t i)
{
	size_t mask = s->index_capacity - 1;
	size_t j = i;
	s->index[i] = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (s->index[j] == 0)
			return;
		size_t home = hash_op(s->ring[s->index[j] - 1].op_id, s->index_capacity);
		/* Entry j may move to the hole at i unless its home lies in (i, j]. */
		int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			s->index[i] = s->index[j];
			s->index[j] = 0;
			i = j;
		}
	}
}

/* ---- finishing an operation ---- */

static struct histogram *histogram_at(struct vtrace_summary *s, struct histogram **slot)
{
	if (!*slot && !(*slot = calloc(1, sizeof **slot)))
		s->out_of_memory = 1;
	return *slot;
}

/* Stable insertion sort by time: events arrive nearly in order (threads
 * buffer only a little), so this is close to linear. */
static void sort_events(struct op_event *events, uint32_t count)
{
	for (uint32_t i = 1; i < count; i++) {
		struct op_event e = events[i];
		uint32_t j = i;
		while (j > 0 && events[j - 1].time_ns > e.time_ns) {
			events[j] = events[j - 1];
			j--;
		}
		events[j] = e;
	}
}

static void finish_op(struct vtrace_summary *s, struct op *op)
{
	struct op_event *e = op->events;
	uint32_t n = op->event_count;
	s->ops[op->verb]++;
	sort_events(e, n);
	for (uint32_t i = 1; i < n; i++) {
		struct histogram *h = histogram_at(s, &s->stages[op->verb][e[i - 1].kind][e[i].kind]);
		if (h)
			histogram_add(h, e[i].time_ns - e[i - 1].time_ns, i - 1);
	}
	if (n >= 2) {
		struct histogram *h = histogram_at(s, &s->totals[op->verb]);
		if (h)
			histogram_add(h, e[n - 1].time_ns - e[0].time_ns, 0);
	}
	op->event_count = 0;
}

static void finish_oldest(struct vtrace_summary *s)
{
	struct op *op = &s->ring[s->ring_head];
	index_remove(s, index_find(s, op->op_id));
	finish_op(s, op);
	s->ring_head = (s->ring_head + 1) % s->open_ops_max;
	s->ring_used--;
}

/* ---- adding records ---- */

/* The open operation OP_ID, opened (finishing the oldest if full) when new. */
static struct op *open_op(struct vtrace_summary *s, uint64_t op_id)
{
	size_t i = index_find(s, op_id);
	if (s->index[i] != 0)
		return &s->ring[s->index[i] - 1];
	if (s->ring_used == s->open_ops_max) {
		finish_oldest(s);
		s->ops_evicted++;
		i = index_find(s, op_id);
	}
	size_t slot = (s->ring_head + s->ring_used) % s->open_ops_max;
	s->ring_used++;
	s->index[i] = (uint32_t)slot + 1;
	struct op *op = &s->ring[slot];
	op->op_id = op_id;
	op->verb = VTRACE_VERB_NO_POST;
	op->event_count = 0;
	return op;
}

static int op_add_event(struct vtrace_summary *s, struct op *op, const struct vtrace_record *r)
{
	if (r->kind == VTRACE_POST && op->verb == VTRACE_VERB_NO_POST)
		op->verb = verb_of_opcode(r->arg0);
	if (op->event_count == VTRACE_SUMMARY_OP_EVENTS_MAX) {
		s->events_untimed++;
		return 0;
	}
	if (op->event_count == op->event_capacity) {
		uint32_t capacity = op->event_capacity ? op->event_capacity * 2 : 16;
		struct op_event *events = realloc(op->events, capacity * sizeof *events);
		if (!events)
			return -1;
		op->events = events;
		op->event_capacity = capacity;
	}
	op->events[op->event_count++] = (struct op_event){r->time_ns, r->kind};
	return 0;
}

int vtrace_summary_add(struct vtrace_summary *s, const struct vtrace_record *r)
{
	uint64_t end = r->time_ns + r->duration_ns;
	if (end < r->time_ns)
		end = UINT64_MAX;
	if (s->records == 0 || r->time_ns < s->first_ns)
		s->first_ns = r->time_ns;
	if (s->records == 0 || end > s->last_ns)
		s->last_ns = end;
	s->records++;
	if (r->kind < VTRACE_KIND_COUNT_ && r->actor < VTRACE_ACTOR_COUNT_)
		s->kinds[r->kind][r->actor]++;
	if (r->op_id == 0 || r->kind == 0 || r->kind >= VTRACE_KIND_COUNT_)
		return 0;
	if (op_add_event(s, open_op(s, r->op_id), r) != 0 || s->out_of_memory)
		return -1;
	return 0;
}

void vtrace_summary_finish(struct vtrace_summary *s)
{
	while (s->ring_used > 0)
		finish_oldest(s);
}

/* ---- life cycle ---- */

struct vtrace_summary *vtrace_summary_new(size_t open_ops_max)
{
	if (open_ops_max == 0)
		open_ops_max = VTRACE_SUMMARY_OPEN_OPS;
	if (open_ops_max > UINT32_MAX / 4)
		return NULL;
	struct vtrace_summary *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->open_ops_max = open_ops_max;
	s->index_capacity = 1;
	while (s->index_capacity < 2 * open_ops_max)
		s->index_capacity *= 2;
	s->ring = calloc(open_ops_max, sizeof *s->ring);
	s->index = calloc(s->index_capacity, sizeof *s->index);
	if (!s->ring || !s->index) {
		vtrace_summary_free(s);
		return NULL;
	}
	return s;
}

void vtrace_summary_free(struct vtrace_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->ring && i < s->open_ops_max; i++)
		free(s->ring[i].events);
	for (unsigned v = 0; v < VTRACE_VERB_COUNT_; v++) {
		free(s->totals[v]);
		for (unsigned a = 0; a < VTRACE_KIND_COUNT_; a++)
			for (unsigned b = 0; b < VTRACE_KIND_COUNT_; b++)
				free(s->stages[v][a][b]);
	}
	free(s->ring);
	free(s->index);
	free(s->config);
	free(s);
}

int vtrace_summary_set_config(struct vtrace_summary *s, const char *config)
{
	free(s->config);
	s->config = strdup(config ? config : "");
	return s->config ? 0 : -1;
}

int vtrace_summary_read(struct vtrace_summary *s, const char *path, char *err, size_t err_bytes)
{
	struct vtrace_reader *reader = vtrace_reader_open(path, err, err_bytes);
	if (!reader)
		return -1;
	int status = vtrace_summary_set_config(s, vtrace_reader_config(reader));
	struct vtrace_record record;
	int got;
	while (status == 0 && (got = vtrace_reader_next(reader, &record, err, err_bytes)) != 0) {
		if (got < 0)
			status = -1;
		else if (vtrace_summary_add(s, &record) != 0) {
			snprintf(err, err_bytes, "%s: out of memory summarising the trace", path);
			status = -1;
		}
	}
	if (status == 0) {
		vtrace_summary_finish(s);
		if (s->out_of_memory) {
			snprintf(err, err_bytes, "%s: out of memory summarising the trace", path);
			status = -1;
		}
	}
	vtrace_reader_close(reader);
	return status;
}

/* ---- results ---- */

uint64_t vtrace_summary_records(const struct vtrace_summary *s)
{
	return s->records;
}

uint64_t vtrace_summary_kind_count(const struct vtrace_summary *s, unsigned kind, unsigned actor)
{
	return kind < VTRACE_KIND_COUNT_ && actor < VTRACE_ACTOR_COUNT_ ? s->kinds[kind][actor] : 0;
}

uint64_t vtrace_summary_ops(const struct vtrace_summary *s, enum vtrace_verb verb)
{
	return (unsigned)verb < VTRACE_VERB_COUNT_ ? s->ops[verb] : 0;
}

uint64_t vtrace_summary_ops_evicted(const struct vtrace_summary *s)
{
	return s->ops_evicted;
}

uint64_t vtrace_summary_events_untimed(const struct vtrace_summary *s)
{
	return s->events_untimed;
}

int vtrace_summary_stage(const struct vtrace_summary *s, enum vtrace_verb verb, unsigned from_kind,
			 unsigned to_kind, struct vtrace_duration_stats *out)
{
	const struct histogram *h = NULL;
	if ((unsigned)verb < VTRACE_VERB_COUNT_ && from_kind < VTRACE_KIND_COUNT_ && to_kind < VTRACE_KIND_COUNT_)
		h = s->stages[verb][from_kind][to_kind];
	histogram_stats(h, out);
	return out->count > 0;
}

int vtrace_summary_total(const struct vtrace_summary *s, enum vtrace_verb verb, struct vtrace_duration_stats *out)
{
	histogram_stats((unsigned)verb < VTRACE_VERB_COUNT_ ? s->totals[verb] : NULL, out);
	return out->count > 0;
}

/* ---- printing ---- */

struct stage_ref {
	unsigned from, to;
	double position;   /* mean index of the stage within its operations */
};

static int by_position(const void *pa, const void *pb)
{
	const struct stage_ref *a = pa, *b = pb;
	if (a->position != b->position)
		return a->position < b->position ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return a->to < b->to ? -1 : a->to > b->to;
}

/* VERB's stages in pipeline order (by mean position) into OUT; the count. */
static size_t stages_in_order(const struct vtrace_summary *s, unsigned verb,
			      struct stage_ref out[VTRACE_KIND_COUNT_ * VTRACE_KIND_COUNT_])
{
	size_t n = 0;
	for (unsigned a = 0; a < VTRACE_KIND_COUNT_; a++)
		for (unsigned b = 0; b < VTRACE_KIND_COUNT_; b++) {
			const struct histogram *h = s->stages[verb][a][b];
			if (h && h->d.count > 0)
				out[n++] = (struct stage_ref){a, b, (double)h->position_sum / (double)h->d.count};
		}
	qsort(out, n, sizeof *out, by_position);
	return n;
}

static const char method_text[] =
	"median_ns and p99_ns from a log-spaced histogram (exact below 64 ns, then 32 buckets per power "
	"of two: within 1.6%); count, mean_ns, min_ns and max_ns exact";

static void print_stats_row(FILE *out, const char *verb, const char *stage, const struct vtrace_duration_stats *st)
{
	fprintf(out, "%-15s %-34s %10" PRIu64 " %12.1f %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
		verb, stage, st->count, st->mean_ns, st->median_ns, st->p99_ns, st->min_ns, st->max_ns);
}

static void print_config(const struct vtrace_summary *s, FILE *out)
{
	fprintf(out, "configuration\n");
	for (const char *line = s->config ? s->config : ""; *line;) {
		size_t length = strcspn(line, "\n");
		fprintf(out, "  %.*s\n", (int)length, line);
		line += length + (line[length] == '\n');
	}
}

static void print_kinds(const struct vtrace_summary *s, FILE *out)
{
	fprintf(out, "\n%-15s %-15s %12s\n", "kind", "actor", "count");
	for (unsigned k = 1; k < VTRACE_KIND_COUNT_; k++)
		for (unsigned a = 1; a < VTRACE_ACTOR_COUNT_; a++)
			if (s->kinds[k][a])
				fprintf(out, "%-15s %-15s %12" PRIu64 "\n", vtrace_kind_name(k), vtrace_actor_name(a),
					s->kinds[k][a]);
}

static void print_verb_stages(const struct vtrace_summary *s, unsigned verb, FILE *out)
{
	struct vtrace_duration_stats st;
	struct stage_ref order[VTRACE_KIND_COUNT_ * VTRACE_KIND_COUNT_];
	if (vtrace_summary_total(s, verb, &st))
		print_stats_row(out, verb_names[verb], "total (first -> last event)", &st);
	size_t n = stages_in_order(s, verb, order);
	for (size_t i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s -> %s", vtrace_kind_name(order[i].from), vtrace_kind_name(order[i].to));
		vtrace_summary_stage(s, verb, order[i].from, order[i].to, &st);
		print_stats_row(out, verb_names[verb], name, &st);
	}
}

static void print_ops(const struct vtrace_summary *s, FILE *out)
{
	fprintf(out, "\noperations (records with op_id != 0, grouped by the verb of their post)\n");
	fprintf(out, "%-15s %12s\n", "verb", "ops");
	for (unsigned v = 0; v < VTRACE_VERB_COUNT_; v++)
		if (s->ops[v])
			fprintf(out, "%-15s %12" PRIu64 "\n", verb_names[v], s->ops[v]);
	if (s->ops_evicted || s->events_untimed)
		fprintf(out, "(%" PRIu64 " operations finished early with %zu open; %" PRIu64
			     " events past %u per operation not timed)\n",
			s->ops_evicted, s->open_ops_max, s->events_untimed, VTRACE_SUMMARY_OP_EVENTS_MAX);
	fprintf(out, "\nstages: the time between consecutive events of one operation, in time order\n");
	fprintf(out, "%s\n", method_text);
	fprintf(out, "%-15s %-34s %10s %12s %12s %12s %12s %12s\n", "verb", "stage", "count", "mean_ns", "median_ns",
		"p99_ns", "min_ns", "max_ns");
	for (unsigned v = 0; v < VTRACE_VERB_COUNT_; v++)
		print_verb_stages(s, v, out);
}

int vtrace_summary_print(const struct vtrace_summary *s, const char *title, FILE *out)
{
	fprintf(out, "trace %s\n", title);
	print_config(s, out);
	fprintf(out, "\nrecords %" PRIu64 ", span %" PRIu64 " ns (from %" PRIu64 " ns to %" PRIu64 " ns)\n",
		s->records, s->records ? s->last_ns - s->first_ns : 0, s->first_ns, s->last_ns);
	print_kinds(s, out);
	print_ops(s, out);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

/* The line starting at LINE's key: is it the first line with that key?
 * (Readers take the first, as vtrace_config_get() does.) */
static int first_with_key(const char *config, const char *line, size_t key_bytes)
{
	for (const char *p = config; p < line;) {
		size_t length = strcspn(p, "\n");
		if (length > key_bytes && p[key_bytes] == ':' && strncmp(p, line, key_bytes) == 0)
			return 0;
		p += length + (p[length] == '\n');
	}
	return 1;
}

/* The configuration's "key: value" lines as an object, a line each. */
static void json_config(const struct vtrace_summary *s, json_writer *w)
{
	const char *config = s->config ? s->config : "";
	int any = 0;
	json_write_break(w, 2);
	json_write_key(w, "config");
	json_write_object_begin(w);
	for (const char *line = config; *line;) {
		size_t length = strcspn(line, "\n");
		const char *colon = memchr(line, ':', length);
		if (colon && colon > line && first_with_key(config, line, (size_t)(colon - line))) {
			const char *value = colon + 1, *end = line + length;
			while (value < end && (*value == ' ' || *value == '\t'))
				value++;
			while (end > value && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			json_write_break(w, 4);
			json_write_key_n(w, line, (size_t)(colon - line));
			json_write_string_n(w, value, (size_t)(end - value));
			any = 1;
		}
		line += length + (line[length] == '\n');
	}
	if (any)
		json_write_break(w, 2);
	json_write_object_end(w);
}

static void json_kinds(const struct vtrace_summary *s, json_writer *w)
{
	int any = 0;
	json_write_break(w, 2);
	json_write_key(w, "events");
	json_write_array_begin(w);
	for (unsigned k = 1; k < VTRACE_KIND_COUNT_; k++)
		for (unsigned a = 1; a < VTRACE_ACTOR_COUNT_; a++)
			if (s->kinds[k][a]) {
				json_write_break(w, 4);
				json_write_object_begin(w);
				json_write_key_string(w, "kind", vtrace_kind_name(k));
				json_write_key_string(w, "actor", vtrace_actor_name(a));
				json_write_key_uint(w, "count", s->kinds[k][a]);
				json_write_object_end(w);
				any = 1;
			}
	if (any)
		json_write_break(w, 2);
	json_write_array_end(w);
}

static void json_stats(json_writer *w, const struct vtrace_duration_stats *st)
{
	json_write_key_uint(w, "count", st->count);
	json_write_key_double(w, "mean_ns", "%.1f", st->mean_ns);
	json_write_key_uint(w, "median_ns", st->median_ns);
	json_write_key_uint(w, "p99_ns", st->p99_ns);
	json_write_key_uint(w, "min_ns", st->min_ns);
	json_write_key_uint(w, "max_ns", st->max_ns);
}

static void json_stage(const struct vtrace_summary *s, unsigned verb, const struct stage_ref *stage, json_writer *w)
{
	struct vtrace_duration_stats st;
	const char *from = vtrace_kind_name(stage->from), *to = vtrace_kind_name(stage->to);
	char name[80];
	snprintf(name, sizeof name, "%s -> %s", from, to);
	vtrace_summary_stage(s, verb, stage->from, stage->to, &st);
	json_write_break(w, 6);
	json_write_object_begin(w);
	json_write_key_string(w, "stage", name);
	json_write_key_string(w, "from", from);
	json_write_key_string(w, "to", to);
	json_stats(w, &st);
	json_write_object_end(w);
}

static void json_verb(const struct vtrace_summary *s, unsigned verb, json_writer *w)
{
	struct vtrace_duration_stats st;
	struct stage_ref order[VTRACE_KIND_COUNT_ * VTRACE_KIND_COUNT_];
	json_write_break(w, 4);
	json_write_object_begin(w);
	json_write_key_string(w, "verb", verb_names[verb]);
	json_write_key_uint(w, "ops", s->ops[verb]);
	json_write_break(w, 5);
	json_write_key(w, "total");
	json_write_object_begin(w);
	vtrace_summary_total(s, verb, &st);
	json_stats(w, &st);
	json_write_object_end(w);
	json_write_break(w, 5);
	json_write_key(w, "stages");
	json_write_array_begin(w);
	size_t n = stages_in_order(s, verb, order);
	for (size_t i = 0; i < n; i++)
		json_stage(s, verb, &order[i], w);
	if (n)
		json_write_break(w, 5);
	json_write_array_end(w);
	json_write_object_end(w);
}

int vtrace_summary_print_json(const struct vtrace_summary *s, const char *title, FILE *out)
{
	json_writer w;
	json_write_init(&w, out);
	json_write_object_begin(&w);
	json_write_break(&w, 2);
	json_write_key_string(&w, "trace", title);
	json_config(s, &w);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "records", s->records);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "first_ns", s->first_ns);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "last_ns", s->last_ns);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "span_ns", s->records ? s->last_ns - s->first_ns : 0);
	json_kinds(s, &w);
	json_write_break(&w, 2);
	json_write_key_string(&w, "method", method_text);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "open_ops_max", s->open_ops_max);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "ops_evicted", s->ops_evicted);
	json_write_break(&w, 2);
	json_write_key_uint(&w, "events_untimed", s->events_untimed);
	json_write_break(&w, 2);
	json_write_key(&w, "verbs");
	json_write_array_begin(&w);
	int any = 0;
	for (unsigned v = 0; v < VTRACE_VERB_COUNT_; v++)
		if (s->ops[v]) {
			json_verb(s, v, &w);
			any = 1;
		}
	if (any)
		json_write_break(&w, 2);
	json_write_array_end(&w);
	json_write_break(&w, 0);
	json_write_object_end(&w);
	json_write_end_document(&w);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
