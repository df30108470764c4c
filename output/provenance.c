/*
 * provenance.c - the `provenance` object of results JSON
 * (docs/results-schema.md).  One line, so that tools/golden-compare can set
 * it aside when it compares estimates across builds.
 */
#include "config.h"

#include "output/provenance.h"

#include "build_version.h"

#include <string.h>

const char *vr_build_version(void)
{
	return VRDMASIM_BUILD_VERSION;
}

/* Canonical units of the parameter kinds (input/units.h). */
static const char *unit_of(vr_qkind kind)
{
	switch (kind) {
	case VR_Q_TIME: return "ns";
	case VR_Q_RATE: return "bit/s";
	case VR_Q_SIZE: return "bytes";
	case VR_Q_FREQ: return "Hz";
	case VR_Q_RATIO: return "ratio";
	case VR_Q_COUNT: return "count";
	case VR_Q_OP_RATE: return "op/s";
	}
	return "";
}

static void string_array(json_writer *w, const char *key, const char *const *items, size_t count)
{
	json_write_key(w, key);
	json_write_array_begin(w);
	for (size_t i = 0; i < count; i++)
		json_write_string(w, items[i]);
	json_write_array_end(w);
}

static void file_ref(json_writer *w, const char *path, const char *sha256)
{
	json_write_object_begin(w);
	json_write_key_string(w, "path", path);
	json_write_key_string(w, "sha256", sha256);
	json_write_object_end(w);
}

/* Do hosts A and B hold the same value of parameter ID, from one source? */
static int same_setting(const scn_scenario *s, size_t preset, size_t a, size_t b, int id)
{
	const mdl_params *pa = scn_params(s, preset, a), *pb = scn_params(s, preset, b);
	return pa->value[id] == pb->value[id] && strcmp(pa->source[id], pb->source[id]) == 0;
}

/* One entry per parameter and setting: the hosts that share it listed. */
static void changed_entry(json_writer *w, const scn_scenario *s, size_t preset, size_t host, int id)
{
	const mdl_params *p = scn_params(s, preset, host), *alone = &s->preset_params[preset];
	json_write_object_begin(w);
	json_write_key_string(w, "preset", alone->preset);
	json_write_key(w, "hosts");
	json_write_array_begin(w);
	for (size_t h = host; h < s->host_count; h++)
		if (same_setting(s, preset, host, h, id))
			json_write_string(w, s->hosts[h].name);
	json_write_array_end(w);
	json_write_key_string(w, "parameter", mdl_param_defs[id].name);
	json_write_key_double(w, "value", "%.17g", p->value[id]);
	json_write_key_double(w, "preset_value", "%.17g", alone->value[id]);
	json_write_key_string(w, "unit", unit_of(mdl_param_defs[id].kind));
	json_write_key_string(w, "source", p->source[id]);
	json_write_object_end(w);
}

static void changed_parameters(json_writer *w, const scn_scenario *s)
{
	json_write_key(w, "parameters_changed");
	json_write_array_begin(w);
	for (size_t preset = 0; preset < s->preset_count; preset++)
		for (int id = 0; id < MDL_PARAM_COUNT; id++)
			for (size_t host = 0; host < s->host_count; host++) {
				int listed = 0;
				for (size_t g = 0; g < host && !listed; g++)
					listed = same_setting(s, preset, g, host, id);
				if (!listed && scn_params(s, preset, host)->value[id] != s->preset_params[preset].value[id])
					changed_entry(w, s, preset, host, id);
			}
	json_write_array_end(w);
}

void vr_provenance_json(json_writer *w, const scn_scenario *s, const vr_invocation *inv)
{
	json_write_key(w, "provenance");
	json_write_object_begin(w);
	json_write_key_string(w, "version", vr_build_version());
	string_array(w, "command_line", inv ? (const char *const *)inv->argv : NULL, inv ? (size_t)inv->argc : 0);
	string_array(w, "sets", inv ? inv->sets : NULL, inv ? inv->set_count : 0);
	json_write_key(w, "scenario");
	file_ref(w, s->file, s->sha256);
	json_write_key(w, "overlays");
	json_write_array_begin(w);
	if (s->overlay.path[0])
		file_ref(w, s->overlay.path, s->overlay.sha256);
	json_write_array_end(w);
	changed_parameters(w, s);
	json_write_object_end(w);
}

void vr_results_json_begin(json_writer *w, FILE *out, unsigned schema_version, const scn_scenario *s,
			   const vr_invocation *inv, const char *results_key)
{
	json_write_init(w, out);
	json_write_object_begin(w);
	json_write_break(w, 2);
	json_write_key_string(w, "tool", "vrdmasim");
	json_write_key_string(w, "version", PACKAGE_VERSION);
	json_write_key_uint(w, "schema_version", schema_version);
	json_write_break(w, 2);
	vr_provenance_json(w, s, inv);
	json_write_break(w, 2);
	json_write_key_string(w, "scenario", s->name);
	json_write_key_uint(w, "seed", s->seed);
	json_write_break(w, 2);
	json_write_key(w, results_key);
	json_write_array_begin(w);
}

void vr_results_json_end(json_writer *w)
{
	json_write_break(w, 2);
	json_write_array_end(w);
	json_write_break(w, 0);
	json_write_object_end(w);
	json_write_end_document(w);
}
