/*
 * vrdma_migration_report.c - a vRDMA VM's migration, evaluated per preset
 * over the block's grid and written as a table, JSON or CSV.  Times are
 * reported in milliseconds (from microseconds of QP work to seconds of
 * registration), bytes as counted.
 */
#include "output/vrdma_migration_report.h"

#include <math.h>
#include <stddef.h>

#include "common/json_write.h"
#include "models/vrdma_migration_scenario.h"

/* One result column: key (JSON, CSV), heading (text), and where it is. */
typedef struct column {
	const char *key;
	const char *heading;
	size_t offset;     /* into mdl_vmig_result, a double */
	int is_bytes;      /* bytes, written whole; otherwise ns, written in ms */
} column;

#define COL(key, heading, field, bytes) {key, heading, offsetof(mdl_vmig_result, field), bytes}
static const column columns[] = {
	COL("state_bytes", "state B", state_bytes, 1),
	COL("quiesce_ms", "quiesce", quiesce_ns, 0),
	COL("transfer_ms", "transfer", transfer_ns, 0),
	COL("register_ms", "register", register_ns, 0),
	COL("register_added_ms", "reg. added", register_added_ns, 0),
	COL("objects_ms", "PD+CQ", objects_ns, 0),
	COL("qp_restore_ms", "QPs", qp_restore_ns, 0),
	COL("added_downtime_ms", "ADDED", added_downtime_ns, 0),
	COL("notify_ms", "notify", notify_ns, 0),
	COL("repoint_ms", "re-point", repoint_ns, 0),
	COL("peer_pause_ms", "PEER PAUSE", peer_pause_ns, 0),
};
enum { COLUMNS = sizeof columns / sizeof columns[0] };

static double column_value(const mdl_vmig_result *r, const column *c)
{
	double v = *(const double *)((const char *)r + c->offset);
	return c->is_bytes ? v : v / 1e6;
}

typedef struct point {
	size_t preset, q, m;
	mdl_vmig_device device;
	mdl_vmig_result result;
} point;

static void evaluate(const scn_scenario *s, size_t preset, size_t q, size_t m, point *out)
{
	const scn_vmig *v = s->vmig;
	out->preset = preset;
	out->q = q;
	out->m = m;
	out->device = scn_vmig_point(v, q, m);
	const mdl_params *peer = v->peer_count ? scn_params(s, preset, v->peers[0]) : NULL;
	mdl_vmig_compute(&out->device, scn_params(s, preset, v->from), scn_params(s, preset, v->to), peer, &out->result);
}

static int check_finite(const scn_scenario *s, const point *p, vr_diag *diag)
{
	for (size_t c = 0; c < COLUMNS; c++)
		if (!isfinite(column_value(&p->result, &columns[c])))
			return vr_diag_at(diag, s->vmig->where, "internal error: %s is not finite at %llu QPs, %llu B",
					  columns[c].key, p->device.qps, p->device.registered_bytes);
	return 0;
}

static void text_header(const scn_scenario *s, FILE *out)
{
	const scn_vmig *v = s->vmig;
	fprintf(out, "# %s: a vRDMA VM migrating %s -> %s, %zu peer host(s)", s->name, s->hosts[v->from].name,
		s->hosts[v->to].name, v->peer_count);
	fprintf(out, "; quiesce %s (%llu x %llu B in flight per QP); registration %s",
		mdl_vmig_quiesce_names[v->device.quiesce], v->device.outstanding, v->device.outstanding_bytes,
		mdl_vmig_registration_names[v->device.registration]);
	if (v->device.registration == MDL_VMIG_DURING_PRECOPY)
		fprintf(out, " (pre-copy %.3f ms)", v->device.precopy_ns / 1e6);
	fprintf(out, "; %llu region(s), %llu PD(s), %llu CQ(s) per QP; base downtime %.3f ms\n", v->regions,
		v->device.pds, v->cqs_per_qp, v->device.base_downtime_ns / 1e6);
	fprintf(out, "# times in ms; ADDED = quiesce + transfer + reg. added + PD+CQ + QPs; PEER PAUSE = base + ADDED + notify + re-point\n");
}

static void text_row_head(FILE *out)
{
	fprintf(out, "%-20s %8s %14s", "preset", "QPs", "registered B");
	for (size_t c = 0; c < COLUMNS; c++)
		fprintf(out, " %11s", columns[c].heading);
	fputc('\n', out);
}

static void text_row(const scn_scenario *s, const point *p, FILE *out)
{
	fprintf(out, "%-20s %8llu %14llu", s->preset_params[p->preset].preset, p->device.qps, p->device.registered_bytes);
	for (size_t c = 0; c < COLUMNS; c++) {
		double v = column_value(&p->result, &columns[c]);
		if (columns[c].is_bytes)
			fprintf(out, " %11.0f", v);
		else
			fprintf(out, " %11.3f", v);
	}
	fputc('\n', out);
}

static void json_point(json_writer *w, const scn_scenario *s, const point *p)
{
	json_write_break(w, 4);
	json_write_object_begin(w);
	json_write_key_string(w, "preset", s->preset_params[p->preset].preset);
	json_write_key_uint(w, "qps", p->device.qps);
	json_write_key_uint(w, "cqs", p->device.cqs);
	json_write_key_uint(w, "registered_bytes", p->device.registered_bytes);
	json_write_key_uint(w, "regions", p->device.regions);
	json_write_key_uint(w, "peer_qps_max", p->result.peer_qps_max);
	for (size_t c = 0; c < COLUMNS; c++)
		json_write_key_double(w, columns[c].key, columns[c].is_bytes ? "%.0f" : "%.6f",
				      column_value(&p->result, &columns[c]));
	json_write_object_end(w);
}

static void json_block(json_writer *w, const scn_scenario *s)
{
	const scn_vmig *v = s->vmig;
	json_write_key(w, "vrdma_migration");
	json_write_object_begin(w);
	json_write_key_string(w, "from", s->hosts[v->from].name);
	json_write_key_string(w, "to", s->hosts[v->to].name);
	json_write_key(w, "peers");
	json_write_array_begin(w);
	for (size_t i = 0; i < v->peer_count; i++)
		json_write_string(w, s->hosts[v->peers[i]].name);
	json_write_array_end(w);
	json_write_key_string(w, "quiesce", mdl_vmig_quiesce_names[v->device.quiesce]);
	json_write_key_string(w, "registration", mdl_vmig_registration_names[v->device.registration]);
	json_write_key_double(w, "precopy_ms", "%.6f", v->device.precopy_ns / 1e6);
	json_write_key_double(w, "base_downtime_ms", "%.6f", v->device.base_downtime_ns / 1e6);
	json_write_key_uint(w, "in_flight_requests", v->device.outstanding);
	json_write_key_uint(w, "in_flight_bytes", v->device.outstanding_bytes);
	json_write_key_uint(w, "pds", v->device.pds);
	json_write_key_uint(w, "cqs_per_qp", v->cqs_per_qp);
	json_write_object_end(w);
}

static void csv_head(FILE *out)
{
	fprintf(out, "preset,qps,cqs,registered_bytes,regions,peer_qps_max");
	for (size_t c = 0; c < COLUMNS; c++)
		fprintf(out, ",%s", columns[c].key);
	fputc('\n', out);
}

static void csv_row(const scn_scenario *s, const point *p, FILE *out)
{
	fprintf(out, "%s,%llu,%llu,%llu,%llu,%llu", s->preset_params[p->preset].preset, p->device.qps,
		p->device.cqs, p->device.registered_bytes, p->device.regions, p->result.peer_qps_max);
	for (size_t c = 0; c < COLUMNS; c++)
		fprintf(out, columns[c].is_bytes ? ",%.0f" : ",%.6f", column_value(&p->result, &columns[c]));
	fputc('\n', out);
}

int vr_vmig_report(const scn_scenario *s, vr_format format, const vr_invocation *inv, FILE *out, vr_diag *diag)
{
	const scn_vmig *v = s->vmig;
	json_writer w;
	/* Every point is checked before anything is written. */
	for (size_t p = 0; p < s->preset_count; p++)
		for (size_t q = 0; q < v->qps_count; q++)
			for (size_t m = 0; m < v->memory_count; m++) {
				point pt;
				evaluate(s, p, q, m, &pt);
				if (check_finite(s, &pt, diag))
					return -1;
			}
	if (format == FORMAT_JSON) {
		vr_results_json_begin(&w, out, VR_JSON_SCHEMA_VERSION, s, inv, "vrdma_migration_results");
	} else if (format == FORMAT_CSV) {
		csv_head(out);
	} else {
		text_header(s, out);
		text_row_head(out);
	}
	for (size_t p = 0; p < s->preset_count; p++)
		for (size_t q = 0; q < v->qps_count; q++)
			for (size_t m = 0; m < v->memory_count; m++) {
				point pt;
				evaluate(s, p, q, m, &pt);
				if (format == FORMAT_JSON)
					json_point(&w, s, &pt);
				else if (format == FORMAT_CSV)
					csv_row(s, &pt, out);
				else
					text_row(s, &pt, out);
			}
	if (format == FORMAT_JSON) {
		/* vr_results_json_end, with the block's description after the results */
		json_write_break(&w, 2);
		json_write_array_end(&w);
		json_write_break(&w, 2);
		json_block(&w, s);
		json_write_break(&w, 0);
		json_write_object_end(&w);
		json_write_end_document(&w);
		if (json_write_failed(&w))
			return vr_diag_at(diag, v->where, "internal error: the JSON results could not be written");
	}
	return 0;
}
