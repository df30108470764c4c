/*
 * report.c - text, JSON and CSV writers.  Deterministic: same run, same bytes.
 * A result's fields come from the one table (fields.def) and its counters
 * from theirs (models/counters.def); the breakdowns from the option's stages.
 */
#include "config.h"

#include "output/flows_report.h"
#include "output/report.h"

#include <math.h>
#include <string.h>

#include "common/json_write.h"
#include "output/fields.h"

const char *const vr_format_names[FORMAT_COUNT + 1] = {"text", "json", "csv", NULL};

static const double NS_PER_US = 1e3;
/* Extras below a femtosecond per operation are rounding, not time. */
static const double EXTRA_SHOWN_ABOVE_NS = 1e-6;

static const mdl_option *option_of(const vr_run *run, const vr_result *r)
{
	return &run->scenario->options[r->option];
}

static const scn_workload *workload_of(const vr_run *run, const vr_result *r)
{
	return &run->scenario->workloads[r->workload];
}

static const char *preset_of(const vr_run *run, const vr_result *r)
{
	return scn_params(run->scenario, r->preset, 0)->preset;
}

/* Refuse a run with a non-finite number before writing a byte of it. */
static int refuse_non_finite(const vr_run *run, vr_diag *diag)
{
	for (size_t i = 0; i < run->count; i++) {
		const char *field;
		const vr_result *r = &run->results[i];
		if (vr_result_finite(r, &field))
			continue;
		const scn_scenario *s = run->scenario;
		return vr_diag_at(diag, (vr_where){s->file, 0, 0},
				  "internal error: the result of %s, %s, %s, %.0f B has a non-finite %s, expected finite numbers only (nothing written)",
				  scn_params(s, r->preset, 0)->preset, s->options[r->option].name, mdl_verb_names[s->workloads[r->workload].verb],
				  r->size_bytes, field);
	}
	return 0;
}

static void size_label(double bytes, char *buf, size_t len)
{
	if (bytes >= 1048576 && (long long)bytes % 1048576 == 0)
		snprintf(buf, len, "%.0fMiB", bytes / 1048576);
	else if (bytes >= 1024 && (long long)bytes % 1024 == 0)
		snprintf(buf, len, "%.0fKiB", bytes / 1024);
	else
		snprintf(buf, len, "%.0fB", bytes);
}

/* ---- text ------------------------------------------------------------ */

static const char *const RULE =
	"---------------------------------------------------------------------------------------------------------------------";

static void text_header(const vr_run *run, const vr_result *r, FILE *out)
{
	const scn_scenario *s = run->scenario;
	const scn_workload *w = workload_of(run, r);
	const mdl_option *o = option_of(run, r);
	fprintf(out, "%s\n", RULE);
	fprintf(out, " vrdmasim %s | scenario %s | preset %s | seed %llu\n", PACKAGE_VERSION, s->name,
		preset_of(run, r), s->seed);
	fprintf(out, " option %s: %s\n", o->name, o->summary);
	static const char *const what[VERB_COUNT] = {
		[VERB_WRITE_LAT] = "RDMA Write ping-pong; t = half a round trip",
		[VERB_READ_LAT] = "RDMA Read; t = a whole round trip, as perftest reports",
		[VERB_SEND_LAT] = "Send/Receive ping-pong; t = half a round trip",
		[VERB_WRITE_BW] = "RDMA Write stream",
		[VERB_READ_BW] = "RDMA Read stream",
		[VERB_SEND_BW] = "Send/Receive stream",
		[VERB_ATOMIC_LAT] = "; t = a whole round trip, as perftest reports",
		[VERB_ATOMIC_BW] = " stream",
	};
	/* an atomic is named as perftest's banner names it: "Atomic FETCH_AND_ADD" */
	char test[96];
	if (mdl_verb_is_atomic(w->verb))
		snprintf(test, sizeof test, "Atomic %s%s", mdl_atomic_perftest_names[w->atomic], what[w->verb]);
	else
		snprintf(test, sizeof test, "%s", what[w->verb]);
	/* hosts joined back to back: said beside the placement it changes */
	int back_to_back = s->back_to_back && o->placement == PLACE_DIFFERENT_HOSTS;
	fprintf(out, " test %s (%s) | completion %s | %s%s\n", mdl_verb_names[w->verb], test,
		mdl_completion_names[s->completion], mdl_placement_names[o->placement],
		back_to_back ? ", back to back (no switch)" : "");
	if (mdl_verb_is_bandwidth(w->verb))
		fprintf(out, " tx depth %u | post list %u | CQ moderation %u | MB = 2^20 bytes, as perftest\n",
			w->tx_depth, w->post_list, w->cq_moderation);
	fprintf(out, "%s\n", RULE);
	for (size_t c = 0; c < VR_TEXT_COLUMN_COUNT; c++)
		if (vr_field_applies(vr_text_columns[c].tests, mdl_verb_is_bandwidth(w->verb)))
			fputs(vr_text_columns[c].header, out);
	fputs("\n", out);
}

/* R's row of perftest's table: the text columns of its kind of test. */
static void text_row(const vr_run *run, const vr_result *r, int bandwidth, FILE *out)
{
	for (size_t c = 0; c < VR_TEXT_COLUMN_COUNT; c++) {
		const vr_text_column *column = &vr_text_columns[c];
		if (!vr_field_applies(column->tests, bandwidth))
			continue;
		vr_field_value v = vr_field_get(run, r, column->field);
		switch (vr_fields[column->field].type) {
		case FIELD_STRING: fprintf(out, column->format, v.text); break;
		case FIELD_UINT: fprintf(out, column->format, v.count); break;
		case FIELD_NUMBER: fprintf(out, column->format, v.number); break;
		}
	}
	fputs("\n", out);
}

/* The row of each result's share resting on assumptions (sim/assumed.h). */
static void text_assumed_share(const vr_result *group, size_t n, FILE *out)
{
	fprintf(out, " %-26s", "rests on assumptions [%]");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.1f", 100.0 * group[k].assumed_share);
	fprintf(out, "\n");
}

/* The critical-path stages that rest on assumptions at some size and cost
 * something there, on one line. */
static void text_assumed_stages(const mdl_option *o, const vr_result *group, size_t n, FILE *out)
{
	fprintf(out, " (stages whose cost depends on an assumed value:");
	int any = 0;
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++) {
		int shown = 0;
		for (size_t k = 0; k < n; k++)
			shown |= vr_breakdown_used(&group[k], slot) && group[k].assumed[slot] &&
				 fabs(group[k].breakdown_ns[slot]) > EXTRA_SHOWN_ABOVE_NS;
		if (shown)
			fprintf(out, "%s %s", any++ ? "," : "", vr_breakdown_name(o, slot));
	}
	fprintf(out, "%s)\n", any ? "" : " none");
}

/* What each resource costs per message, against the pace achieved. */
static void text_bw_limits(const vr_result *group, size_t n, FILE *out)
{
	char label[32];
	fprintf(out, "\n What sets the rate: time each resource spends per message [usec]\n %-26s", "resource");
	for (size_t k = 0; k < n; k++) {
		size_label(group[k].size_bytes, label, sizeof label);
		fprintf(out, " %10s", label);
	}
	fprintf(out, "\n %-26s", "requester CPU");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.3f", group[k].bw.sender_cpu_ns / NS_PER_US);
	fprintf(out, "\n %-26s", "receiver CPU");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.3f", group[k].bw.receiver_cpu_ns / NS_PER_US);
	fprintf(out, "\n %-26s", "slowest link");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.3f", group[k].bw.link_ns / NS_PER_US);
	fprintf(out, "\n %-26s", "  which link");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10s", mdl_resource_names[group[k].bw.link]);
	fprintf(out, "\n %-26s", "achieved, per message");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.3f", group[k].bw.msg_rate_per_s > 0 ? 1e6 / group[k].bw.msg_rate_per_s : 0.0);
	fprintf(out, "\n %-26s", "limited by");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10s", vr_bw_limit_names[group[k].bw.limit]);
	fprintf(out, "\n");
	text_assumed_share(group, n, out);
}

static void text_row_of_slot(const mdl_option *o, const vr_result *group, size_t n, size_t slot, FILE *out)
{
	fprintf(out, " %-26s", vr_breakdown_name(o, slot));
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.3f", group[k].breakdown_ns[slot] / NS_PER_US);
	fprintf(out, "\n");
}

/* Rows for the option's stages in ROLE (titled), if it has any. */
static void text_role_rows(const mdl_option *o, const vr_result *group, size_t n, vr_slot_role role,
			   const char *title, FILE *out)
{
	int titled = 0;
	for (size_t slot = 0; slot < o->stage_count; slot++) {
		if (group[0].role[slot] != role)
			continue;
		if (!titled++)
			fprintf(out, " %s\n", title);
		text_row_of_slot(o, group, n, slot, out);
	}
}

/* Stages as rows, sizes as columns: the breakdown of a group of results. */
static void text_breakdown(const vr_run *run, const vr_result *group, size_t n, FILE *out)
{
	const mdl_option *o = option_of(run, group);
	char label[32];
	fprintf(out, "\n Breakdown of t: cost of each stage in a typical operation, on the critical path [usec]\n");
	fprintf(out, " %-26s", "stage");
	for (size_t k = 0; k < n; k++) {
		size_label(group[k].size_bytes, label, sizeof label);
		fprintf(out, " %10s", label);
	}
	fprintf(out, "\n");
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++) {
		/* Stages always; an extra (serialization, queueing...) when it
		 * costs something at some size. */
		int shown = 0;
		for (size_t k = 0; k < n; k++)
			shown |= vr_breakdown_used(&group[k], slot) &&
				 (slot < VR_EXTRA_BASE || fabs(group[k].breakdown_mean_ns[slot]) > EXTRA_SHOWN_ABOVE_NS);
		if (shown)
			text_row_of_slot(o, group, n, slot, out);
	}
	fprintf(out, " %-26s", "sum");
	for (size_t k = 0; k < n; k++) {
		double sum = 0;
		for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++)
			if (vr_breakdown_used(&group[k], slot))
				sum += group[k].breakdown_ns[slot];
		fprintf(out, " %10.3f", sum / NS_PER_US);
	}
	fprintf(out, "\n %-26s", "t_typical (measured)");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %10.3f", group[k].median_ns / NS_PER_US);
	fprintf(out, "\n");
	text_assumed_share(group, n, out);
	text_assumed_stages(o, group, n, out);
	text_role_rows(o, group, n, ROLE_COMPLETION,
		       "Requester's send completion (races the reply; late only as send_completion_wait):", out);
	text_role_rows(o, group, n, ROLE_OFF, "CPU time off the latency path:", out);
	fprintf(out, "\n Per operation %-16s", "");
	for (size_t k = 0; k < n; k++) {
		size_label(group[k].size_bytes, label, sizeof label);
		fprintf(out, " %10s", label);
	}
	fprintf(out, "\n");
	for (mdl_counter c = 0; c < COUNTER_COUNT; c++) {
		fprintf(out, " %-26s", mdl_counter_infos[c].name);
		for (size_t k = 0; k < n; k++)
			fprintf(out, " %10g", mdl_counter_value(&group[k].per_op, c));
		fprintf(out, "\n");
	}
}

int vr_report_text(const vr_run *run, FILE *out, vr_diag *diag)
{
	if (refuse_non_finite(run, diag) != 0)
		return -1;
	for (size_t i = 0, sizes; i < run->count; i += sizes) {
		const scn_workload *w = workload_of(run, &run->results[i]);
		sizes = w->size_count;
		int bandwidth = mdl_verb_is_bandwidth(w->verb);
		text_header(run, &run->results[i], out);
		for (size_t k = 0; k < sizes; k++)
			text_row(run, &run->results[i + k], bandwidth, out);
		if (bandwidth)
			text_bw_limits(&run->results[i], sizes, out);
		else
			text_breakdown(run, &run->results[i], sizes, out);
	}
	fprintf(out, "%s\n", RULE);
	return 0;
}

/* ---- JSON ------------------------------------------------------------ */

static void json_us(json_writer *w, const char *key, double ns)
{
	json_write_key_double(w, key, "%.6f", ns / NS_PER_US);
}

static void json_role(json_writer *w, const mdl_option *o, const vr_result *r, vr_slot_role role)
{
	for (size_t slot = 0; slot < o->stage_count; slot++)
		if (r->role[slot] == role)
			json_us(w, o->stages[slot].name, r->breakdown_ns[slot]);
}

/* "stage": us pairs of the critical path, from VALUES (typical or mean). */
static void json_critical(json_writer *w, const mdl_option *o, const vr_result *r, const double *values)
{
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++)
		if (vr_breakdown_used(r, slot))
			json_us(w, vr_breakdown_name(o, slot), values[slot]);
}

/* KEY, on a line of its own, opening an object (the caller fills and
 * closes it). */
static void json_object_line(json_writer *w, const char *key)
{
	json_write_break(w, 5);
	json_write_key(w, key);
	json_write_object_begin(w);
}

/* The counters (models/counters.def). */
static void json_per_op(json_writer *w, const vr_result *r)
{
	json_object_line(w, "per_op");
	for (mdl_counter c = 0; c < COUNTER_COUNT; c++)
		json_write_key_double(w, mdl_counter_infos[c].name, "%g", mdl_counter_value(&r->per_op, c));
	json_write_object_end(w);
}

/* The typical critical path summed by what the time is spent on
 * (mechanism.h's kinds), plus streaming (serialization and queueing on
 * the links), pipeline (later packets paced by a slower per-packet stage,
 * a CPU for software transports) and waiting (interference, a late send
 * completion). */
static void json_by_kind(json_writer *w, const mdl_option *o, const vr_result *r)
{
	double kind_ns[KIND_COUNT] = {0}, streaming_ns = 0, pipeline_ns = 0, waiting_ns = 0;
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++) {
		if (!vr_breakdown_used(r, slot))
			continue;
		double ns = r->breakdown_ns[slot];
		if (slot < VR_EXTRA_BASE) {
			kind_ns[mdl_mechanisms[o->stages[slot].mechanism].kind] += ns;
			continue;
		}
		vr_extra_stage e = (vr_extra_stage)((slot - VR_EXTRA_BASE) % EXTRA_COUNT);
		if (e == EXTRA_PIPELINE)
			pipeline_ns += ns;
		else if (e == EXTRA_SERIALIZATION || e == EXTRA_QUEUEING)
			streaming_ns += ns;
		else
			waiting_ns += ns;
	}
	for (size_t k = 0; k < KIND_COUNT; k++)
		json_us(w, mdl_kind_names[k], kind_ns[k]);
	json_us(w, "streaming", streaming_ns);
	json_us(w, "pipeline", pipeline_ns);
	json_us(w, "waiting", waiting_ns);
}

/* The stage-by-stage maps of a latency test. */
static void json_breakdowns(json_writer *w, const mdl_option *o, const vr_result *r)
{
	json_object_line(w, "breakdown_us");
	json_critical(w, o, r, r->breakdown_ns);
	json_write_object_end(w);
	json_object_line(w, "breakdown_mean_us");
	json_critical(w, o, r, r->breakdown_mean_ns);
	json_write_object_end(w);
	json_object_line(w, "breakdown_by_kind_us");
	json_by_kind(w, o, r);
	json_write_object_end(w);
	json_object_line(w, "completion_path_us");
	json_role(w, o, r, ROLE_COMPLETION);
	json_write_object_end(w);
	json_object_line(w, "off_path_us");
	json_role(w, o, r, ROLE_OFF);
	json_write_object_end(w);
}

static void json_field_value(json_writer *w, const vr_field_info *field, vr_field_value v)
{
	switch (field->type) {
	case FIELD_STRING: json_write_string(w, v.text); break;
	case FIELD_UINT: json_write_uint(w, v.count); break;
	case FIELD_NUMBER: json_write_double(w, field->format, v.number); break;
	}
}

/* R's fields (fields.def), each group an object. */
static void json_fields(json_writer *w, const vr_run *run, const vr_result *r, int bandwidth)
{
	vr_field_group open = GROUP_TOP;
	for (vr_field f = 0; f < FIELD_COUNT; f++) {
		const vr_field_info *field = &vr_fields[f];
		if (!vr_field_applies(field->tests, bandwidth))
			continue;
		if (field->group != open && open != GROUP_TOP)
			json_write_object_end(w);
		if (field->new_line)
			json_write_break(w, 5);
		if (field->group != open && field->group != GROUP_TOP) {
			json_write_key(w, vr_field_group_keys[field->group]);
			json_write_object_begin(w);
		}
		open = field->group;
		json_write_key(w, field->key);
		json_field_value(w, field, vr_field_get(run, r, f));
	}
	if (open != GROUP_TOP)
		json_write_object_end(w);
}

/* The critical-path slots of R that rest on assumptions, by name. */
static void json_assumed_stages(json_writer *w, const mdl_option *o, const vr_result *r)
{
	json_write_key(w, "assumed_stages");
	json_write_array_begin(w);
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++)
		if (vr_breakdown_used(r, slot) && r->assumed[slot])
			json_write_string(w, vr_breakdown_name(o, slot));
	json_write_array_end(w);
}

static void json_result(json_writer *w, const vr_run *run, const vr_result *r)
{
	int bandwidth = mdl_verb_is_bandwidth(workload_of(run, r)->verb);
	json_write_break(w, 4);
	json_write_object_begin(w);
	json_fields(w, run, r, bandwidth);
	if (!bandwidth) {
		json_assumed_stages(w, option_of(run, r), r);
		json_breakdowns(w, option_of(run, r), r);
	}
	json_per_op(w, r);
	json_write_object_end(w);
}

int vr_report_json(const vr_run *run, const vr_invocation *inv, FILE *out, vr_diag *diag)
{
	if (refuse_non_finite(run, diag) != 0)
		return -1;
	const scn_scenario *s = run->scenario;
	json_writer w;
	vr_results_json_begin(&w, out, VR_JSON_SCHEMA_VERSION, s, inv, "results");
	for (size_t i = 0; i < run->count; i++)
		json_result(&w, run, &run->results[i]);
	vr_results_json_end(&w);
	return 0;
}

/* ---- CSV ------------------------------------------------------------- */

/* Breakdown columns are the union of stage names over the run, in order of
 * first appearance. */
static size_t breakdown_columns(const vr_run *run, const char **names, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < run->count; i++) {
		const mdl_option *o = option_of(run, &run->results[i]);
		for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++) {
			if (!vr_breakdown_used(&run->results[i], slot))
				continue;
			const char *name = vr_breakdown_name(o, slot);
			size_t k = 0;
			while (k < n && strcmp(names[k], name) != 0)
				k++;
			if (k == n && n < max)
				names[n++] = name;
		}
	}
	return n;
}

static const double *breakdown_value(const vr_run *run, const vr_result *r, const char *name)
{
	const mdl_option *o = option_of(run, r);
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++)
		if (vr_breakdown_used(r, slot) && strcmp(vr_breakdown_name(o, slot), name) == 0)
			return &r->breakdown_ns[slot];
	return NULL;
}

/* Which kinds of tests the run holds: their columns are in the CSV. */
static void run_kinds(const vr_run *run, int *latency, int *bandwidth)
{
	*latency = *bandwidth = 0;
	for (size_t w = 0; w < run->scenario->workload_count; w++) {
		if (mdl_verb_is_bandwidth(run->scenario->workloads[w].verb))
			*bandwidth = 1;
		else
			*latency = 1;
	}
}

/* Is FIELD a column of the run's CSV (the run has its kind of tests)? */
static int csv_has(const vr_field_info *field, int latency, int bandwidth)
{
	return field->tests == FIELD_ALL || (field->tests == FIELD_LATENCY && latency) ||
	       (field->tests == FIELD_BANDWIDTH && bandwidth);
}

/* R's cell of FIELD (empty when its kind of test has no such field). */
static void csv_cell(const vr_run *run, const vr_result *r, vr_field f, int is_bw, FILE *out)
{
	const vr_field_info *field = &vr_fields[f];
	if (!vr_field_applies(field->tests, is_bw))
		return;
	vr_field_value v = vr_field_get(run, r, f);
	switch (field->type) {
	case FIELD_STRING: fputs(v.text, out); break;
	case FIELD_UINT: fprintf(out, "%llu", v.count); break;
	case FIELD_NUMBER: fprintf(out, field->format, v.number); break;
	}
}

int vr_report_csv(const vr_run *run, FILE *out, vr_diag *diag)
{
	if (refuse_non_finite(run, diag) != 0)
		return -1;
	int latency, bandwidth;
	run_kinds(run, &latency, &bandwidth);
	const char *columns[SCN_OPTIONS_MAX * VR_BREAKDOWN_SLOTS];
	size_t ncol = breakdown_columns(run, columns, sizeof columns / sizeof columns[0]);
	const char *separator = "";
	for (vr_field f = 0; f < FIELD_COUNT; f++)
		if (csv_has(&vr_fields[f], latency, bandwidth)) {
			fprintf(out, "%s%s", separator, vr_fields[f].csv);
			separator = ",";
		}
	for (mdl_counter c = 0; c < COUNTER_COUNT; c++)
		fprintf(out, ",%s", mdl_counter_infos[c].name);
	for (size_t k = 0; k < ncol; k++)
		fprintf(out, ",breakdown_%s_us", columns[k]);
	fprintf(out, "\n");
	for (size_t i = 0; i < run->count; i++) {
		const vr_result *r = &run->results[i];
		const scn_workload *w = workload_of(run, r);
		int is_bw = mdl_verb_is_bandwidth(w->verb);
		separator = "";
		for (vr_field f = 0; f < FIELD_COUNT; f++)
			if (csv_has(&vr_fields[f], latency, bandwidth)) {
				fputs(separator, out);
				csv_cell(run, r, f, is_bw, out);
				separator = ",";
			}
		for (mdl_counter c = 0; c < COUNTER_COUNT; c++)
			fprintf(out, ",%g", mdl_counter_value(&r->per_op, c));
		for (size_t k = 0; k < ncol; k++) {
			const double *v = is_bw ? NULL : breakdown_value(run, r, columns[k]);
			if (v)
				fprintf(out, ",%.6f", *v / NS_PER_US);
			else
				fprintf(out, ",");
		}
		fprintf(out, "\n");
	}
	return 0;
}

int vr_report(const vr_run *run, vr_format format, const vr_invocation *inv, FILE *out, vr_diag *diag)
{
	if (run->flow_count)
		return vr_flows_report(run, format, inv, out, diag);
	switch (format) {
	case FORMAT_TEXT: return vr_report_text(run, out, diag);
	case FORMAT_JSON: return vr_report_json(run, inv, out, diag);
	case FORMAT_CSV: return vr_report_csv(run, out, diag);
	case FORMAT_COUNT: break;
	}
	return 0;
}

/* The result of OPTION for R's preset, workload and size, or NULL. */
static const vr_result *counterpart(const vr_run *run, const vr_result *r, size_t option)
{
	for (size_t i = 0; i < run->count; i++) {
		const vr_result *o = &run->results[i];
		if (o->option == option && o->preset == r->preset && o->workload == r->workload &&
		    o->size_bytes == r->size_bytes)
			return o;
	}
	return NULL;
}

int vr_report_compare(const vr_run *run, FILE *out, vr_diag *diag)
{
	const scn_scenario *s = run->scenario;
	if (refuse_non_finite(run, diag) != 0)
		return -1;
	if (s->option_count < 2)
		return 0;
	const mdl_option *a = &s->options[0], *b = &s->options[1];
	for (size_t i = 0; i < run->count; i++) {
		const vr_result *r = &run->results[i];
		const vr_result *p = r->option == 0 ? counterpart(run, r, 1) : NULL;
		if (!p)
			continue;
		char size[32];
		size_label(r->size_bytes, size, sizeof size);
		if (mdl_verb_is_bandwidth(s->workloads[r->workload].verb)) {
			double x = r->bw.average_bytes_per_s / 1048576.0, y = p->bw.average_bytes_per_s / 1048576.0;
			fprintf(out, "\n%s vs %s: %s, %s, %s\n", a->name, b->name, preset_of(run, r),
				mdl_verb_names[s->workloads[r->workload].verb], size);
			fprintf(out, " %-34s %12.1f %12.1f %12.1f  (%+.1f%%)\n", "BW average [MB/sec]", x, y, x - y,
				y > 0 ? 100.0 * (x - y) / y : 0.0);
			fprintf(out, " %-34s %12s %12s\n", "limited by", vr_bw_limit_names[r->bw.limit],
				vr_bw_limit_names[p->bw.limit]);
			continue;
		}
		fprintf(out, "\n%s vs %s: %s, %s, %s (typical operation, ns)\n", a->name, b->name,
			preset_of(run, r), mdl_verb_names[s->workloads[r->workload].verb], size);
		fprintf(out, " %-34s %12s %12s %12s\n", "stage", a->name, b->name, "difference");
		for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++) {
			if (!vr_breakdown_used(r, slot) && !vr_breakdown_used(p, slot))
				continue;
			double x = r->breakdown_ns[slot], y = p->breakdown_ns[slot];
			if (x == 0 && y == 0)
				continue;
			/* mark what is more than the jitter of the sampled operations */
			int differs = fabs(x - y) > 1.0 && fabs(x - y) > 0.01 * fmax(fabs(x), fabs(y));
			fprintf(out, " %-34s %12.1f %12.1f %12.1f%s\n", vr_breakdown_name(a, slot), x, y, x - y,
				differs ? "  <-" : "");
		}
		double diff = r->median_ns - p->median_ns;
		fprintf(out, " %-34s %12.1f %12.1f %12.1f  (%+.1f%%)\n", "one way (t_typical)", r->median_ns, p->median_ns,
			diff, p->median_ns > 0 ? 100.0 * diff / p->median_ns : 0.0);
	}
	return 0;
}
