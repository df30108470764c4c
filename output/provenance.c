/*
 * provenance.c - the `provenance` object of results JSON
 * (docs/results-schema.md).  One line, so that tools/golden-compare can set
 * it aside when it compares estimates across builds.
 */
#include "output/provenance.h"

#include "build_version.h"
#include "input/json_read.h"

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
	}
	return "";
}

static void string_array(const char *const *items, size_t count, FILE *out)
{
	fputc('[', out);
	for (size_t i = 0; i < count; i++) {
		if (i)
			fputs(", ", out);
		json_write_string(items[i], out);
	}
	fputc(']', out);
}

static void file_ref(const char *path, const char *sha256, FILE *out)
{
	fputs("{\"path\": ", out);
	json_write_string(path, out);
	fputs(", \"sha256\": ", out);
	json_write_string(sha256, out);
	fputc('}', out);
}

/* Do hosts A and B hold the same value of parameter ID, from one source? */
static int same_setting(const scn_scenario *s, size_t preset, size_t a, size_t b, int id)
{
	const mdl_params *pa = scn_params(s, preset, a), *pb = scn_params(s, preset, b);
	return pa->value[id] == pb->value[id] && strcmp(pa->source[id], pb->source[id]) == 0;
}

/* One entry per parameter and setting: the hosts that share it listed. */
static void changed_entry(const scn_scenario *s, size_t preset, size_t host, int id, FILE *out)
{
	const mdl_params *p = scn_params(s, preset, host), *alone = &s->preset_params[preset];
	fputs("{\"preset\": ", out);
	json_write_string(alone->preset, out);
	fputs(", \"hosts\": [", out);
	for (size_t h = host, n = 0; h < s->host_count; h++)
		if (same_setting(s, preset, host, h, id)) {
			fputs(n++ ? ", " : "", out);
			json_write_string(s->hosts[h].name, out);
		}
	fputs("], \"parameter\": ", out);
	json_write_string(mdl_param_defs[id].name, out);
	fprintf(out, ", \"value\": %.17g, \"preset_value\": %.17g, \"unit\": \"%s\", \"source\": ", p->value[id],
		alone->value[id], unit_of(mdl_param_defs[id].kind));
	json_write_string(p->source[id], out);
	fputc('}', out);
}

static void changed_parameters(const scn_scenario *s, FILE *out)
{
	fputs("\"parameters_changed\": [", out);
	int any = 0;
	for (size_t preset = 0; preset < s->preset_count; preset++)
		for (int id = 0; id < MDL_PARAM_COUNT; id++)
			for (size_t host = 0; host < s->host_count; host++) {
				int listed = 0;
				for (size_t g = 0; g < host && !listed; g++)
					listed = same_setting(s, preset, g, host, id);
				if (listed || scn_params(s, preset, host)->value[id] == s->preset_params[preset].value[id])
					continue;
				fputs(any++ ? ", " : "", out);
				changed_entry(s, preset, host, id, out);
			}
	fputc(']', out);
}

void vr_provenance_json(const scn_scenario *s, const vr_invocation *inv, FILE *out)
{
	fputs("\"provenance\": {\"version\": ", out);
	json_write_string(vr_build_version(), out);
	fputs(", \"command_line\": ", out);
	string_array(inv ? (const char *const *)inv->argv : NULL, inv ? (size_t)inv->argc : 0, out);
	fputs(", \"sets\": ", out);
	string_array(inv ? inv->sets : NULL, inv ? inv->set_count : 0, out);
	fputs(", \"scenario\": ", out);
	file_ref(s->file, s->sha256, out);
	fputs(", \"overlays\": [", out);
	if (s->overlay.path[0])
		file_ref(s->overlay.path, s->overlay.sha256, out);
	fputs("], ", out);
	changed_parameters(s, out);
	fputc('}', out);
}
