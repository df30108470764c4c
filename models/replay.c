/*
 * replay.c - trace-driven estimates (replay.h).
 *
 * Reading is one streaming pass: the trace reader checks the format and the
 * order of each actor's events; this pass checks that every event of a work
 * request comes after that request's post (per queue it keeps only the
 * highest sequence number posted, so memory stays bounded by the number of
 * queues, not of records) and counts each binding's events.
 */
#include "models/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/catalog.h"
#include "input/file.h"
#include "input/yaml_read.h"
#include "vrdma/trace/duration.h"
#include "vrdma/trace/trace.h"
#include "vrdma/trace/trace_read.h"

/* ---- the replay map ---- */

static const char *const MAP_KEYS[] = {"replay", "options", "bindings", NULL};
static const char *const BINDING_KEYS[] = {"stage", "event", "queue", "doorbell", "interrupt", "measured", NULL};
static const char *const QUEUE_NAMES[] = {"send", "recv", NULL};
static const char *const DOORBELL_NAMES[] = {"send", "recv", "arm", "poll", NULL};
static const int DOORBELL_KINDS[] = {VTRACE_DB_SEND, VTRACE_DB_RECV, VTRACE_DB_CQ_ARM, VTRACE_DB_CQ_POLL};
static const char *const INTERRUPT_NAMES[] = {"raised", "suppressed", NULL};

static int read_event_kind(const yt_node *v, unsigned *kind, vr_diag *diag)
{
	const char *names[VTRACE_KIND_COUNT_ + 1];
	size_t n = 0;
	for (unsigned k = 1; k < VTRACE_KIND_COUNT_; k++)
		names[n++] = vtrace_kind_name(k);
	names[n] = NULL;
	int choice;
	if (yr_choice(v, "a trace event kind", names, &choice, diag))
		return -1;
	*kind = (unsigned)choice + 1;
	return 0;
}

/* measured: [FROM, TO] (two event kinds of the work request) or none. */
static int read_measured(const yt_node *v, vr_replay_binding *b, vr_diag *diag)
{
	if (v->type == YT_SCALAR && strcmp(v->text, "none") == 0) {
		b->measured = 2;
		return 0;
	}
	if (v->type != YT_SEQ || v->count != 2)
		return vr_diag_at(diag, v->where, "found %s, expected [FROM, TO]: two trace event kinds, or none",
				  v->type == YT_SCALAR ? v->text : "a list not of two");
	if (read_event_kind(v->items[0], &b->measured_from, diag) || read_event_kind(v->items[1], &b->measured_to, diag))
		return -1;
	b->measured = 1;
	return 0;
}

static int read_binding(const yt_node *node, vr_replay_binding *b, vr_diag *diag)
{
	const yt_node *v;
	const char *text;
	int choice;
	if (yr_expect(node, YT_MAP, "a binding {stage, event, ...}", diag) ||
	    yr_known_keys(node, BINDING_KEYS, "a binding", diag) ||
	    yr_required(node, "stage", "a binding", &v, diag) || yr_string(v, "a stage name", &text, diag))
		return -1;
	if (strlen(text) >= sizeof b->stage)
		return vr_diag_at(diag, v->where, "found a stage name of %zu characters, expected at most %d",
				  strlen(text), MDL_NAME_MAX - 1);
	snprintf(b->stage, sizeof b->stage, "%s", text);
	if (yr_required(node, "event", "a binding", &v, diag) || read_event_kind(v, &b->kind, diag))
		return -1;
	b->queue = b->doorbell = b->interrupt = -1;
	if ((v = yt_get(node, "queue"))) {
		if (yr_choice(v, "the work request's queue", QUEUE_NAMES, &choice, diag))
			return -1;
		b->queue = choice;
	}
	if ((v = yt_get(node, "doorbell"))) {
		if (b->kind != VTRACE_DOORBELL)
			return vr_diag_at(diag, v->where, "found 'doorbell' on a '%s' binding, expected it only with event: doorbell",
					  vtrace_kind_name(b->kind));
		if (yr_choice(v, "the doorbell", DOORBELL_NAMES, &choice, diag))
			return -1;
		b->doorbell = DOORBELL_KINDS[choice];
	}
	if ((v = yt_get(node, "measured")) && read_measured(v, b, diag))
		return -1;
	if ((v = yt_get(node, "interrupt"))) {
		if (b->kind != VTRACE_INTERRUPT)
			return vr_diag_at(diag, v->where, "found 'interrupt' on a '%s' binding, expected it only with event: interrupt",
					  vtrace_kind_name(b->kind));
		if (yr_choice(v, "raised or suppressed", INTERRUPT_NAMES, &choice, diag))
			return -1;
		b->interrupt = choice;
	}
	return 0;
}

/* Every binding must name a stage of one of the map's options: a typo
 * would otherwise bind nothing, silently. */
static int check_stages(const yt_doc *doc, vr_replay_map *map, vr_diag *diag)
{
	static mdl_option options[PLACE_COUNT];
	for (int p = 0; p < PLACE_COUNT; p++)
		if (mdl_option_load(map->option[p], doc->file, doc->root->where, &options[p], diag))
			return -1;
	const yt_node *list = yt_get(doc->root, "bindings");
	for (size_t i = 0; i < map->count; i++) {
		int found = 0;
		for (int p = 0; p < PLACE_COUNT && !found; p++)
			for (size_t k = 0; k < options[p].stage_count && !found; k++)
				found = strcmp(options[p].stages[k].name, map->bindings[i].stage) == 0;
		if (!found)
			return vr_diag_at(diag, yt_get(list->items[i], "stage")->where,
					  "found stage '%s', expected a stage of option '%s' or '%s'",
					  map->bindings[i].stage, map->option[PLACE_DIFFERENT_HOSTS], map->option[PLACE_SAME_HOST]);
	}
	return 0;
}

static int read_map(const yt_doc *doc, vr_replay_map *map, vr_diag *diag)
{
	const yt_node *root = doc->root, *v, *list;
	const char *text;
	if (!root)
		return vr_diag_at(diag, (vr_where){doc->file, 1, 1}, "found an empty file, expected a replay map");
	if (yr_document(root, MAP_KEYS, "a replay map", diag) ||
	    yr_required(root, "replay", "a replay map", &v, diag) || yr_string(v, "the map's name", &text, diag))
		return -1;
	snprintf(map->name, sizeof map->name, "%s", text);
	if (yr_required(root, "options", "a replay map", &v, diag) || yr_expect(v, YT_MAP, "the options by placement", diag) ||
	    yr_known_keys(v, mdl_placement_names, "the options by placement", diag))
		return -1;
	for (int p = 0; p < PLACE_COUNT; p++) {
		const yt_node *o;
		if (yr_required(v, mdl_placement_names[p], "the options by placement", &o, diag) ||
		    yr_string(o, "an option name", &text, diag))
			return -1;
		snprintf(map->option[p], sizeof map->option[p], "%s", text);
	}
	if (yr_required(root, "bindings", "a replay map", &list, diag) || yr_expect(list, YT_SEQ, "a list of bindings", diag))
		return -1;
	if (list->count > VR_REPLAY_BINDINGS_MAX)
		return vr_diag_at(diag, list->where, "found %zu bindings, expected at most %d", list->count,
				  VR_REPLAY_BINDINGS_MAX);
	for (size_t i = 0; i < list->count; i++)
		if (read_binding(list->items[i], &map->bindings[i], diag))
			return -1;
	map->count = list->count;
	return check_stages(doc, map, diag);
}

int vr_replay_map_load(const char *name, vr_replay_map *map, vr_diag *diag)
{
	yt_doc doc;
	memset(map, 0, sizeof *map);
	if (vr_catalog_load("models/replay", "replay map", name, NULL, (vr_where){"--map", 1, 1}, &doc, diag))
		return -1;
	int rc = read_map(&doc, map, diag);
	yt_free(&doc);
	return rc;
}

/* ---- reading the trace ---- */

/* The highest sequence number posted on each queue, keyed by the op id's
 * upper 32 bits (host, guest, QP, queue). */
typedef struct queue_table {
	uint32_t *keys;
	uint32_t *next_sequence;   /* 0: slot free; else highest posted + 1 */
	size_t capacity, used;
} queue_table;

static size_t queue_slot(const queue_table *t, uint32_t key)
{
	size_t h = (key * 2654435761u) & (t->capacity - 1);
	while (t->next_sequence[h] != 0 && t->keys[h] != key)
		h = (h + 1) & (t->capacity - 1);
	return h;
}

static int queue_grow(queue_table *t)
{
	queue_table bigger = {0};
	bigger.capacity = t->capacity ? t->capacity * 2 : 1024;
	bigger.keys = calloc(bigger.capacity, sizeof *bigger.keys);
	bigger.next_sequence = calloc(bigger.capacity, sizeof *bigger.next_sequence);
	if (!bigger.keys || !bigger.next_sequence) {
		free(bigger.keys);
		free(bigger.next_sequence);
		return -1;
	}
	for (size_t i = 0; i < t->capacity; i++)
		if (t->next_sequence[i]) {
			size_t h = queue_slot(&bigger, t->keys[i]);
			bigger.keys[h] = t->keys[i];
			bigger.next_sequence[h] = t->next_sequence[i];
			bigger.used++;
		}
	free(t->keys);
	free(t->next_sequence);
	*t = bigger;
	return 0;
}

/* Durations: a direct-mapped table of work requests in flight (first time
 * of each measured event kind) and fixed-memory statistics per binding
 * (vrdma/trace/duration.h), so memory is fixed whatever the trace's
 * length.  A collision forgets the older request's partial times: a lost
 * sample, never a wrong one. */
enum { OPEN_OPS = 1 << 16, MEASURED_KINDS = 8 };

typedef struct open_op {
	uint64_t op_id;
	uint64_t first_ns[MEASURED_KINDS];
	uint8_t seen;            /* bit per measured kind */
} open_op;

typedef struct profile_pass {
	vr_trace_profile *out;
	const vr_replay_map *map;
	queue_table queues;
	unsigned long long counts[VR_REPLAY_BINDINGS_MAX];
	unsigned long long send_queues;     /* distinct send queues that posted */
	unsigned long long recv_posts, recv_completions;
	unsigned kinds[MEASURED_KINDS];     /* the event kinds measurements use */
	size_t kind_count;
	open_op *open;                      /* OPEN_OPS of them, or NULL */
	struct vtrace_durations *hists;     /* one per binding, or NULL */
	vr_diag *diag;
	struct vtrace_reader *reader;
} profile_pass;

/* "FILE: record N at byte offset O: WHAT". */
static int at_record(profile_pass *p, const char *what)
{
	return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0}, "record %llu at byte offset %llu: %s",
			  (unsigned long long)vtrace_reader_record_number(p->reader),
			  (unsigned long long)vtrace_reader_offset(p->reader), what);
}

/* A posted size is held to the scenario's rule for sizes (scenario.h). */
static int note_size(profile_pass *p, uint64_t posted_bytes)
{
	vr_trace_profile *o = p->out;
	double bytes = (double)posted_bytes;
	if (!scn_size_in_range(bytes)) {
		char what[160];
		snprintf(what, sizeof what, "found a post of %llu bytes, expected " SCN_SIZE_RANGE_TEXT " (as a scenario's sizes)",
			 (unsigned long long)posted_bytes);
		return at_record(p, what);
	}
	for (size_t i = 0; i < o->size_count; i++)
		if (o->sizes[i] == bytes)
			return 0;
	if (o->size_count == VR_REPLAY_SIZES_MAX) {
		char what[128];
		snprintf(what, sizeof what, "found a message size of %.0f bytes beyond %d sizes, expected at most %d sizes in one trace",
			 bytes, VR_REPLAY_SIZES_MAX, VR_REPLAY_SIZES_MAX);
		return at_record(p, what);
	}
	o->sizes[o->size_count++] = bytes;
	return 0;
}

/* A post starts a work request; any other event of one must follow it. */
static int check_started(profile_pass *p, const struct vtrace_record *r)
{
	uint32_t key = (uint32_t)(r->op_id >> 32), sequence = (uint32_t)r->op_id;
	if ((p->queues.used + 1) * 2 > p->queues.capacity && queue_grow(&p->queues))
		return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0}, "out of memory reading the trace");
	size_t h = queue_slot(&p->queues, key);
	uint32_t *next = &p->queues.next_sequence[h];
	if (r->kind == VTRACE_POST) {
		if (*next == 0) {
			p->queues.keys[h] = key;
			p->queues.used++;
			if ((key & 1u) == 0)
				p->send_queues++;
		}
		if (sequence + 1u > *next)
			*next = sequence + 1u;
		return 0;
	}
	if (*next == 0 || sequence >= *next) {
		char op[160];
		snprintf(op, sizeof op, "a '%s' event of work request 0x%016llx, which never started (no 'post' of it before)",
			 vtrace_kind_name(r->kind), (unsigned long long)r->op_id);
		return at_record(p, op);
	}
	return 0;
}

static int binding_matches(const vr_replay_binding *b, const struct vtrace_record *r)
{
	if (r->kind != b->kind)
		return 0;
	if (b->queue >= 0 && (r->op_id == 0 || (int)((r->op_id >> 32) & 1u) != b->queue))
		return 0;
	if (b->doorbell >= 0) {
		int arm = b->doorbell == VTRACE_DB_CQ_ARM;
		if (!(r->arg2 == (uint32_t)b->doorbell || (arm && r->arg2 == VTRACE_DB_CQ_ARM_SOLICITED)))
			return 0;
	}
	if (b->interrupt >= 0 &&
	    (r->object != VTRACE_VECTOR_CQ_NOTIFY || ((r->flags & VTRACE_F_SUPPRESSED) != 0) != (b->interrupt == 1)))
		return 0;
	return 1;
}

static int kind_slot(const profile_pass *p, unsigned kind)
{
	for (size_t i = 0; i < p->kind_count; i++)
		if (p->kinds[i] == kind)
			return (int)i;
	return -1;
}

static void measure(profile_pass *p, const struct vtrace_record *r)
{
	int slot = kind_slot(p, r->kind);
	if (slot < 0 || !p->open)
		return;
	size_t h = (size_t)((r->op_id * 0x9E3779B97F4A7C15ull) >> 48) & (OPEN_OPS - 1);
	open_op *o = &p->open[h];
	if (o->op_id != r->op_id) {
		memset(o, 0, sizeof *o);
		o->op_id = r->op_id;
	}
	if (o->seen & (1u << slot))
		return;
	o->seen |= (uint8_t)(1u << slot);
	o->first_ns[slot] = r->time_ns;
	/* close the intervals this event ends */
	for (size_t b = 0; b < p->map->count; b++) {
		const vr_replay_binding *x = &p->map->bindings[b];
		if (x->measured != 1 || x->measured_to != r->kind)
			continue;
		if (x->queue >= 0 && (int)((r->op_id >> 32) & 1u) != x->queue)
			continue;
		int from = kind_slot(p, x->measured_from);
		if (from < 0 || !(o->seen & (1u << from)))
			continue;
		vtrace_durations_add(&p->hists[b], r->time_ns > o->first_ns[from] ? r->time_ns - o->first_ns[from] : 0);
	}
}

static int take_record(profile_pass *p, const struct vtrace_record *r)
{
	if (r->op_id != 0 && check_started(p, r))
		return -1;
	int recv_queue = r->op_id != 0 && ((r->op_id >> 32) & 1u);
	if (recv_queue && r->kind == VTRACE_POST)
		p->recv_posts++;
	if (recv_queue && r->kind == VTRACE_CQE_WRITE)
		p->recv_completions++;
	if (r->kind == VTRACE_POST && r->op_id != 0 && ((r->op_id >> 32) & 1u) == 0) {
		p->out->send_ops++;
		if (note_size(p, r->arg1))
			return -1;
	}
	for (size_t b = 0; b < p->map->count; b++)
		if (binding_matches(&p->map->bindings[b], r))
			p->counts[b]++;
	if (r->op_id != 0)
		measure(p, r);
	return 0;
}

/* The event kinds the map's measurements use, and the tables for them. */
static int prepare_measurements(profile_pass *p)
{
	for (size_t b = 0; b < p->map->count; b++) {
		const vr_replay_binding *x = &p->map->bindings[b];
		unsigned kinds[2] = {x->measured_from, x->measured_to};
		for (int k = 0; x->measured == 1 && k < 2; k++)
			if (kind_slot(p, kinds[k]) < 0) {
				if (p->kind_count == MEASURED_KINDS)
					return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0},
							  "the replay map measures more than %d event kinds", MEASURED_KINDS);
				p->kinds[p->kind_count++] = kinds[k];
			}
	}
	if (p->kind_count == 0)
		return 0;
	p->open = calloc(OPEN_OPS, sizeof *p->open);
	p->hists = calloc(p->map->count, sizeof *p->hists);
	if (!p->open || !p->hists)
		return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0}, "out of memory reading the trace");
	return 0;
}

/* ---- the configuration header ---- */

static int config_choice(profile_pass *p, const char *key, const char *const *choices, int *out)
{
	char value[128], expected[256];
	const char *config = vtrace_reader_config(p->reader);
	if (!vtrace_config_get(config, key, value, sizeof value))
		return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0},
				  "the trace's configuration has no '%s', expected the header vrdma-perf writes", key);
	for (int i = 0; choices[i]; i++)
		if (strcmp(value, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	yr_join(choices, expected, sizeof expected);
	return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0},
			  "the trace's configuration says %s: '%s', expected %s", key, value, expected);
}

/* The recording machine's clock ("cpu-mhz: 2596.122"): it scales measured
 * costs, so it obeys cpu.frequency's bounds (models/params.def); 0 is what
 * vrdma-perf writes when it cannot read the clock: not recorded.  Located
 * at the key's byte offset in the file (the text follows the header). */
static int read_cpu_mhz(profile_pass *p, const char *config, const char *value)
{
	static const double HZ_PER_MHZ = 1e6;
	char *end;
	/* Plain decimal, as every number a user writes: strtod alone would
	 * also take hex floats, "inf" and "nan". */
	int decimal = value[strspn(value, "0123456789.eE+-")] == '\0';
	double mhz = strtod(value, &end);
	if (decimal && end != value && *end == '\0' && (mhz == 0 || mdl_param_in_bounds(MDL_CPU_FREQUENCY, mhz * HZ_PER_MHZ))) {
		p->out->cpu_mhz = mhz;
		return 0;
	}
	const char *key = strstr(config, "cpu-mhz:");
	char expected[512];
	mdl_param_expected(MDL_CPU_FREQUENCY, expected, sizeof expected);
	return vr_diag_at(p->diag, (vr_where){p->out->file, 0, 0},
			  "byte offset %llu: found cpu-mhz: '%s' in the trace's configuration, expected a clock in MHz within cpu.frequency's bounds, %s",
			  (unsigned long long)(VTRACE_HEADER_BYTES + (key ? key - config : 0)), value, expected);
}

static int read_config(profile_pass *p)
{
	static const char *const transports[] = {"two-host", "same-host", NULL};
	int verb, completion, transport;
	if (config_choice(p, "test", mdl_verb_names, &verb) || config_choice(p, "completion", mdl_completion_names, &completion) ||
	    config_choice(p, "transport", transports, &transport))
		return -1;
	vr_trace_profile *o = p->out;
	o->verb = (mdl_verb)verb;
	o->completion = (mdl_completion)completion;
	o->placement = transport == 0 ? PLACE_DIFFERENT_HOSTS : PLACE_SAME_HOST;
	char value[64];
	const char *config = vtrace_reader_config(p->reader);
	o->tx_depth = vtrace_config_get(config, "tx-depth", value, sizeof value) ? (unsigned)strtoul(value, NULL, 10) : 1;
	if (o->tx_depth == 0)
		o->tx_depth = 1;
	o->cpu_mhz = 0.0;
	return vtrace_config_get(config, "cpu-mhz", value, sizeof value) ? read_cpu_mhz(p, config, value) : 0;
}

/* The trace reader's messages already begin with the file and the record. */
static int raw_error(vr_diag *diag, const char *message)
{
	if (!diag->failed) {
		diag->failed = 1;
		snprintf(diag->message, sizeof diag->message, "%s", message);
	}
	return -1;
}

int vr_trace_profile_read(const char *path, const vr_replay_map *map, vr_trace_profile *out, vr_diag *diag)
{
	char err[512];
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", path);
	profile_pass p = {.out = out, .map = map, .diag = diag};
	p.reader = vtrace_reader_open(path, err, sizeof err);
	if (!p.reader)
		return raw_error(diag, err);
	dev_t device;
	ino_t inode;
	vtrace_reader_file_id(p.reader, &device, &inode);
	if (vr_input_note(path, device, inode, diag) != 0) {
		vtrace_reader_close(p.reader);
		return -1;
	}
	int rc = read_config(&p);
	if (rc == 0)
		rc = prepare_measurements(&p);
	struct vtrace_record r;
	int got = 0;
	while (rc == 0 && (got = vtrace_reader_next(p.reader, &r, err, sizeof err)) == 1) {
		if (r.kind >= VTRACE_MIGRATE_QUIESCE && r.kind <= VTRACE_MIGRATE_RECONNECT && r.duration_ns > 0) {
			out->migration_spans[r.kind - VTRACE_MIGRATE_QUIESCE]++;
			out->migration_ns[r.kind - VTRACE_MIGRATE_QUIESCE] += r.duration_ns;
			if (r.kind != VTRACE_MIGRATE_RECONNECT) {
				out->migration_args[r.kind - VTRACE_MIGRATE_QUIESCE][0] = r.arg0;
				out->migration_args[r.kind - VTRACE_MIGRATE_QUIESCE][1] = r.arg1;
			}
		}
		rc = take_record(&p, &r);
	}
	if (rc == 0 && got < 0)
		rc = raw_error(diag, err);
	out->records = vtrace_reader_count(p.reader);
	/* Both guests of a ping-pong post on their own QP: count the QPs of one. */
	out->qps = p.send_queues == 0 ? 1 : (unsigned)p.send_queues;
	if (out->qps > 1 && !mdl_verb_is_bandwidth(out->verb))
		out->qps = (out->qps + 1) / 2;
	vtrace_reader_close(p.reader);
	free(p.queues.keys);
	free(p.queues.next_sequence);
	if (rc == 0 && out->send_ops == 0)
		rc = vr_diag_at(diag, (vr_where){path, 0, 0},
				"found no work request on a send queue in %llu records, expected the trace of a perftest run",
				(unsigned long long)out->records);
	/* Receives still posted when the trace ends were posted ahead (perftest
	 * pre-posts a ring of them) for messages that never came: set-up, not
	 * per-message work.  The receive side's counts are scaled to the
	 * receives that completed. */
	double steady = p.recv_posts ? (double)p.recv_completions / (double)p.recv_posts : 1.0;
	for (size_t b = 0; rc == 0 && b < map->count; b++) {
		const vr_replay_binding *x = &map->bindings[b];
		int posting = x->kind == VTRACE_POST || x->kind == VTRACE_DOORBELL || x->kind == VTRACE_WQE_FETCH;
		int receive_side = posting && (x->queue == 1 || x->doorbell == VTRACE_DB_RECV);
		out->per_op[b] = (double)p.counts[b] / (double)out->send_ops * (receive_side ? steady : 1.0);
		out->measured_ns[b] = map->bindings[b].measured == 2 ? 0.0 : -1.0;
		struct vtrace_duration_stats st;
		vtrace_durations_stats(p.hists ? &p.hists[b] : NULL, &st);
		if (map->bindings[b].measured == 1 && st.count > 0)
			out->measured_ns[b] = (double)st.median_ns;
	}
	free(p.open);
	free(p.hists);
	return rc;
}

void vr_replay_print_profile(const vr_trace_profile *profile, const vr_replay_map *map, FILE *out)
{
	fprintf(out, "\nTrace %s: %llu records, %llu send work requests, %s, %s, completion by %s, %u QP%s, tx depth %u per QP\n",
		profile->file, profile->records, profile->send_ops, mdl_verb_names[profile->verb],
		profile->placement == PLACE_SAME_HOST ? "one host" : "two hosts", mdl_completion_names[profile->completion],
		profile->qps, profile->qps == 1 ? "" : "s", profile->tx_depth);
	fprintf(out, " recorded at %.0f MHz; measured_ns: the median interval on that machine (with --costs measured,\n"
		     " its cycles run at the preset's cpu.frequency; '(inside)': counted in another stage's interval)\n",
		profile->cpu_mhz);
	fprintf(out, " %-34s %-28s %16s %14s\n", "stage of option", "trace event", "per work request", "measured_ns");
	for (size_t b = 0; b < map->count; b++) {
		const vr_replay_binding *x = &map->bindings[b];
		char event[64];
		snprintf(event, sizeof event, "%s%s%s", vtrace_kind_name(x->kind),
			 x->queue >= 0 ? (x->queue ? " (recv)" : " (send)") : "",
			 x->doorbell == VTRACE_DB_CQ_POLL ? " (poll)" : x->doorbell == VTRACE_DB_CQ_ARM ? " (arm)"
			 : x->doorbell == VTRACE_DB_RECV ? " (recv)" : x->doorbell == VTRACE_DB_SEND ? " (send)"
			 : x->interrupt == 0 ? " (raised)" : x->interrupt == 1 ? " (suppressed)" : "");
		char measured[32] = "-";
		if (x->measured == 2)
			snprintf(measured, sizeof measured, "(inside)");
		else if (profile->measured_ns[b] >= 0)
			snprintf(measured, sizeof measured, "%.0f", profile->measured_ns[b]);
		fprintf(out, " %-34s %-28s %16.3f %14s\n", x->stage, event, profile->per_op[b], measured);
	}
	if (profile->migration_spans[0] > 0) {
		/* what the trace measured of a live migration; the model's
		 * estimate of the same steps follows (scn_replay_print_migration) */
		static const char *const steps[4] = {"quiesce", "transfer", "re-registration", "reconnection"};
		fprintf(out, " live migration in the trace (measured; the model's estimate follows):");
		for (int k = 0; k < 4; k++)
			fprintf(out, "%s %s %.1f us", k ? "," : "", steps[k], profile->migration_ns[k] / 1e3);
		const unsigned long long (*a)[2] = profile->migration_args;
		fprintf(out, "\n  (%llu QP%s, %llu requests in flight recorded; %llu state bytes and %llu memory bytes moved; "
			     "%llu MR%s, %llu pages re-registered)\n", a[0][0], a[0][0] == 1 ? "" : "s", a[0][1], a[1][0],
			a[1][1], a[2][0], a[2][0] == 1 ? "" : "s", a[2][1]);
	}
}

/* ---- the workload and the option ---- */

const char *const vr_replay_costs_names[] = {"model", "measured", NULL};

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Runs of a latency test are round trips: both guests post one message
 * each; bandwidth tests and READs count the requester's operations. */
static unsigned long long iterations_of(const vr_trace_profile *p)
{
	unsigned long long per_size = p->send_ops / (p->size_count ? p->size_count : 1);
	int ping_pong = !mdl_verb_is_bandwidth(p->verb) && !mdl_verb_round_trip(p->verb);
	per_size = ping_pong ? per_size / 2 : per_size;
	return per_size ? per_size : 1;
}

void vr_replay_workload(const vr_trace_profile *p, unsigned long long iterations, scn_workload *w)
{
	memset(w, 0, sizeof *w);
	w->verb = p->verb;
	w->size_count = p->size_count < SCN_SIZES_MAX ? p->size_count : SCN_SIZES_MAX;
	memcpy(w->sizes_bytes, p->sizes, w->size_count * sizeof w->sizes_bytes[0]);
	qsort(w->sizes_bytes, w->size_count, sizeof w->sizes_bytes[0], compare_double);
	w->iterations = iterations ? iterations : iterations_of(p);
	w->warmup = 0;
	/* Work requests that overlapped in the trace overlap here: every QP's
	 * window is in flight at once, on the same modelled link and CPUs,
	 * and the HCA's caches hold every QP. */
	w->footprint.qps = p->qps;
	int bandwidth = mdl_verb_is_bandwidth(p->verb);
	unsigned long long window = (unsigned long long)p->tx_depth * p->qps;
	w->tx_depth = bandwidth ? (unsigned)(window < SCN_TX_DEPTH_MAX ? window : SCN_TX_DEPTH_MAX) : 1;
	w->post_list = 1;
	w->cq_moderation = bandwidth ? (p->tx_depth < SCN_CQ_MODERATION_DEFAULT ? p->tx_depth : SCN_CQ_MODERATION_DEFAULT) : 1;
}

/* A measured cost becomes a stage's cost: it obeys the bounds of a time
 * parameter (models/params.def), so the run stays finite. */
static int check_measured(const vr_trace_profile *profile, const char *stage, double ns, vr_diag *diag)
{
	int time_param = MDL_CPU_POST_SEND;   /* any stage cost: they share their bounds */
	if (mdl_param_in_bounds(time_param, ns))
		return 0;
	char expected[512];
	mdl_param_expected(time_param, expected, sizeof expected);
	return vr_diag_at(diag, (vr_where){profile->file, 0, 0},
			  "found a median of %.0f ns measured for stage '%s', expected a stage cost, %s", ns, stage, expected);
}

int vr_replay_option(const vr_trace_profile *profile, const vr_replay_map *map, vr_replay_costs costs,
		     vr_where where, mdl_option *out, vr_diag *diag)
{
	if (costs == COSTS_MEASURED && !(profile->cpu_mhz > 0))
		return vr_diag_at(diag, (vr_where){profile->file, 0, 0},
				  "the trace does not record its machine's clock ('cpu-mhz'), expected it for measured costs");
	const char *option = map->option[profile->placement];
	if (mdl_option_load(option, NULL, where, out, diag))
		return -1;
	snprintf(out->name, sizeof out->name, "%s.%s", option, costs == COSTS_MEASURED ? "measured" : "trace");
	for (size_t b = 0; b < map->count; b++)
		for (size_t k = 0; k < out->stage_count; k++) {
			mdl_stage *st = &out->stages[k];
			if (strcmp(st->name, map->bindings[b].stage) != 0)
				continue;
			st->replay_times = profile->per_op[b];
			/* ns at the recording machine's clock -> its cycles */
			if (costs == COSTS_MEASURED && profile->measured_ns[b] >= 0 && st->mechanism == MECH_CPU) {
				if (check_measured(profile, st->name, profile->measured_ns[b], diag) != 0)
					return -1;
				st->measured_cycles = profile->measured_ns[b] * profile->cpu_mhz * 1e-3;
			}
		}
	return 0;
}
