/*
 * report.c - text, JSON and CSV writers.  Deterministic: same run, same bytes.
 */
#include "config.h"

#include "sim/report.h"

#include <math.h>
#include <string.h>

const char *const vr_format_names[FORMAT_COUNT + 1] = {"text", "json", "csv", NULL};

static const double NS_PER_US = 1e3;
/* Extras below a femtosecond per operation are rounding, not time. */
static const double EXTRA_SHOWN_ABOVE_NS = 1e-6;

static const mdl_option *option_of(const vr_run *run, const vr_result *r)
{
	return &run->scenario->options[r->option];
}

static const char *preset_of(const vr_run *run, const vr_result *r)
{
	return scn_params(run->scenario, r->preset, 0)->preset;
}

/* ---- text ------------------------------------------------------------ */

static const char *const RULE =
	"---------------------------------------------------------------------------------------------------------------------";

static void text_header(const vr_run *run, const vr_result *r, FILE *out)
{
	const scn_scenario *s = run->scenario;
	const mdl_option *o = option_of(run, r);
	fprintf(out, "%s\n", RULE);
	fprintf(out, " vrdmasim %s | scenario %s | preset %s | seed %llu\n", PACKAGE_VERSION, s->name,
		preset_of(run, r), s->seed);
	fprintf(out, " option %s: %s\n", o->name, o->summary);
	static const char *const what[VERB_COUNT] = {
		[VERB_WRITE_LAT] = "RDMA Write ping-pong; t = half a round trip",
		[VERB_READ_LAT] = "RDMA Read; t = a whole round trip, as perftest reports",
		[VERB_SEND_LAT] = "Send/Receive ping-pong; t = half a round trip",
	};
	fprintf(out, " test %s (%s) | completion %s | %s\n", mdl_verb_names[s->verb], what[s->verb],
		mdl_completion_names[s->completion], mdl_placement_names[o->placement]);
	fprintf(out, "%s\n", RULE);
	fprintf(out, " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]"
		     "    t_stdev[usec]   99%% percentile[usec]   99.9%% percentile[usec] \n");
}

static void text_row(const vr_result *r, FILE *out)
{
	fprintf(out, " %-7.0f %-10llu    %-7.2f        %-7.2f      %-7.2f            %-7.2f        %-7.2f"
		     "          %-7.2f                %-7.2f\n",
		r->size_bytes, r->iterations, r->min_ns / NS_PER_US, r->max_ns / NS_PER_US,
		r->median_ns / NS_PER_US, r->mean_ns / NS_PER_US, r->stdev_ns / NS_PER_US,
		r->p99_ns / NS_PER_US, r->p999_ns / NS_PER_US);
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
	text_role_rows(o, group, n, ROLE_COMPLETION,
		       "Requester's send completion (races the reply; late only as send_completion_wait):", out);
	text_role_rows(o, group, n, ROLE_OFF, "CPU time off the latency path:", out);
	fprintf(out, "\n Per operation %-16s", "");
	for (size_t k = 0; k < n; k++) {
		size_label(group[k].size_bytes, label, sizeof label);
		fprintf(out, " %10s", label);
	}
	fprintf(out, "\n");
	static const char *const counter_names[] = {"vm_exits", "doorbells", "interrupts", "dma_reads", "dma_writes", "wire_packets"};
	for (size_t c = 0; c < sizeof counter_names / sizeof counter_names[0]; c++) {
		fprintf(out, " %-26s", counter_names[c]);
		for (size_t k = 0; k < n; k++) {
			const double *v = &group[k].per_op.vm_exits;   /* the counters are consecutive doubles */
			fprintf(out, " %10g", v[c]);
		}
		fprintf(out, "\n");
	}
}

void vr_report_text(const vr_run *run, FILE *out)
{
	size_t sizes = run->scenario->size_count;
	for (size_t i = 0; i < run->count; i += sizes) {
		text_header(run, &run->results[i], out);
		for (size_t k = 0; k < sizes; k++)
			text_row(&run->results[i + k], out);
		text_breakdown(run, &run->results[i], sizes, out);
	}
	fprintf(out, "%s\n", RULE);
}

/* ---- JSON ------------------------------------------------------------ */

static void json_string(const char *text, FILE *out)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_us(const char *key, double ns, const char *sep, FILE *out)
{
	fprintf(out, "\"%s\": %.6f%s", key, ns / NS_PER_US, sep);
}

static void json_role(const mdl_option *o, const vr_result *r, vr_slot_role role, FILE *out)
{
	const char *sep = "";
	for (size_t slot = 0; slot < o->stage_count; slot++) {
		if (r->role[slot] != role)
			continue;
		fprintf(out, "%s", sep);
		json_us(o->stages[slot].name, r->breakdown_ns[slot], "", out);
		sep = ", ";
	}
}

/* "stage": us pairs of the critical path, from VALUES (typical or mean). */
static void json_critical(const mdl_option *o, const vr_result *r, const double *values, FILE *out)
{
	const char *sep = "";
	for (size_t slot = 0; slot < VR_BREAKDOWN_SLOTS; slot++) {
		if (!vr_breakdown_used(r, slot))
			continue;
		fprintf(out, "%s", sep);
		json_us(vr_breakdown_name(o, slot), values[slot], "", out);
		sep = ", ";
	}
}

static void json_result(const vr_run *run, const vr_result *r, FILE *out)
{
	const scn_scenario *s = run->scenario;
	const mdl_option *o = option_of(run, r);
	fprintf(out, "    {\"preset\": ");
	json_string(preset_of(run, r), out);
	fprintf(out, ", \"option\": ");
	json_string(o->name, out);
	fprintf(out, ", \"verb\": \"%s\", \"size_bytes\": %.0f, \"completion\": \"%s\",\n",
		mdl_verb_names[s->verb], r->size_bytes, mdl_completion_names[s->completion]);
	fprintf(out, "     \"iterations\": %llu, \"warmup_iterations\": %llu,\n", r->iterations, r->warmup);
	fprintf(out, "     \"one_way_us\": {");
	json_us("min", r->min_ns, ", ", out);
	json_us("median", r->median_ns, ", ", out);
	json_us("mean", r->mean_ns, ", ", out);
	json_us("stdev", r->stdev_ns, ", ", out);
	json_us("p99", r->p99_ns, ", ", out);
	json_us("p999", r->p999_ns, ", ", out);
	json_us("max", r->max_ns, "},\n", out);
	fprintf(out, "     \"breakdown_us\": {");
	json_critical(o, r, r->breakdown_ns, out);
	fprintf(out, "},\n     \"breakdown_mean_us\": {");
	json_critical(o, r, r->breakdown_mean_ns, out);
	fprintf(out, "},\n     \"completion_path_us\": {");
	json_role(o, r, ROLE_COMPLETION, out);
	fprintf(out, "},\n     \"off_path_us\": {");
	json_role(o, r, ROLE_OFF, out);
	const mdl_counters *c = &r->per_op;
	fprintf(out, "},\n     \"per_op\": {\"vm_exits\": %g, \"doorbells\": %g, \"interrupts\": %g, "
		     "\"dma_reads\": %g, \"dma_writes\": %g, \"wire_packets\": %g}}",
		c->vm_exits, c->doorbells, c->interrupts, c->dma_reads, c->dma_writes, c->wire_packets);
}

void vr_report_json(const vr_run *run, FILE *out)
{
	const scn_scenario *s = run->scenario;
	fprintf(out, "{\n  \"tool\": \"vrdmasim\", \"version\": \"%s\", \"schema_version\": %d,\n",
		PACKAGE_VERSION, VR_JSON_SCHEMA_VERSION);
	fprintf(out, "  \"scenario\": ");
	json_string(s->name, out);
	fprintf(out, ", \"seed\": %llu,\n  \"results\": [\n", s->seed);
	for (size_t i = 0; i < run->count; i++) {
		json_result(run, &run->results[i], out);
		fprintf(out, "%s\n", i + 1 < run->count ? "," : "");
	}
	fprintf(out, "  ]\n}\n");
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

void vr_report_csv(const vr_run *run, FILE *out)
{
	const scn_scenario *s = run->scenario;
	const char *columns[SCN_OPTIONS_MAX * VR_BREAKDOWN_SLOTS];
	size_t ncol = breakdown_columns(run, columns, sizeof columns / sizeof columns[0]);
	fprintf(out, "preset,option,verb,size_bytes,completion,iterations,warmup_iterations,"
		     "min_us,median_us,mean_us,stdev_us,p99_us,p999_us,max_us,"
		     "vm_exits,doorbells,interrupts,dma_reads,dma_writes,wire_packets");
	for (size_t k = 0; k < ncol; k++)
		fprintf(out, ",breakdown_%s_us", columns[k]);
	fprintf(out, "\n");
	for (size_t i = 0; i < run->count; i++) {
		const vr_result *r = &run->results[i];
		const mdl_counters *c = &r->per_op;
		fprintf(out, "%s,%s,%s,%.0f,%s,%llu,%llu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%g,%g,%g,%g,%g,%g",
			preset_of(run, r), option_of(run, r)->name, mdl_verb_names[s->verb], r->size_bytes,
			mdl_completion_names[s->completion], r->iterations, r->warmup,
			r->min_ns / NS_PER_US, r->median_ns / NS_PER_US, r->mean_ns / NS_PER_US,
			r->stdev_ns / NS_PER_US, r->p99_ns / NS_PER_US, r->p999_ns / NS_PER_US, r->max_ns / NS_PER_US,
			c->vm_exits, c->doorbells, c->interrupts, c->dma_reads, c->dma_writes, c->wire_packets);
		for (size_t k = 0; k < ncol; k++) {
			const double *v = breakdown_value(run, r, columns[k]);
			if (v)
				fprintf(out, ",%.6f", *v / NS_PER_US);
			else
				fprintf(out, ",");
		}
		fprintf(out, "\n");
	}
}

void vr_report(const vr_run *run, vr_format format, FILE *out)
{
	switch (format) {
	case FORMAT_TEXT: vr_report_text(run, out); break;
	case FORMAT_JSON: vr_report_json(run, out); break;
	case FORMAT_CSV: vr_report_csv(run, out); break;
	case FORMAT_COUNT: break;
	}
}
