/*
 * preset.c - reading presets: every parameter present, each with a source.
 */
#include "models/preset.h"

#include <stdio.h>
#include <string.h>

#include "input/catalog.h"
#include "input/yaml_read.h"

static const char *const preset_keys[] = {"preset", "description", "parameters", NULL};
static const char *const entry_keys[] = {"value", "source", NULL};

static int read_entry(mdl_params *out, const yt_node *key, const yt_node *entry, vr_diag *diag)
{
	const yt_node *value, *source;
	const char *source_text;
	char what[128];
	snprintf(what, sizeof what, "the source of parameter '%s'", key->text);
	char entry_what[128];
	snprintf(entry_what, sizeof entry_what, "parameter '%s'", key->text);
	if (yr_expect(entry, YT_MAP, entry_what, diag) || yr_known_keys(entry, entry_keys, entry_what, diag) ||
	    yr_required(entry, "value", entry_what, &value, diag) ||
	    yr_required(entry, "source", entry_what, &source, diag) ||
	    yr_string(source, what, &source_text, diag))
		return -1;
	return mdl_params_set(out, key, value, source_text, diag);
}

static int parse_preset(const yt_doc *doc, mdl_params *out, vr_diag *diag)
{
	const yt_node *root = doc->root, *v, *list;
	const char *name;
	if (!root)
		return vr_diag_at(diag, (vr_where){doc->file, 0, 0}, "found an empty file, expected a preset");
	if (yr_document(root, preset_keys, "a preset", diag) ||
	    yr_required(root, "preset", "a preset", &v, diag) || yr_string(v, "the preset name", &name, diag) ||
	    yr_required(root, "description", "a preset", &v, diag) ||
	    yr_required(root, "parameters", "a preset", &list, diag) ||
	    yr_expect(list, YT_MAP, "the parameters", diag))
		return -1;
	if (!vr_is_identifier(name) || strlen(name) >= sizeof out->preset)
		return vr_diag_at(diag, v->where, "found the preset name '%s', expected at most %zu letters, digits, '_', '.' and '-'",
				  name, sizeof out->preset - 1);
	snprintf(out->preset, sizeof out->preset, "%s", name);
	for (size_t i = 0; i < list->count; i++)
		if (read_entry(out, list->keys[i], list->items[i], diag) != 0)
			return -1;
	for (int id = 0; id < MDL_PARAM_COUNT; id++)
		if (!out->set[id])
			return vr_diag_at(diag, list->where,
					  "found no '%s' in the parameters, expected every model parameter with a value and a source (this one: %s)",
					  mdl_param_defs[id].name, mdl_param_defs[id].meaning);
	return 0;
}

int mdl_preset_load(const char *name, const char *base_file, vr_where where,
		    mdl_params *out, vr_diag *diag)
{
	yt_doc doc;
	memset(out, 0, sizeof *out);
	if (vr_catalog_load("models/presets", "preset", name, base_file, where, &doc, diag) != 0)
		return -1;
	int rc = parse_preset(&doc, out, diag);
	if (rc == 0 && !vr_catalog_is_path(name) && strcmp(out->preset, name) != 0)
		rc = vr_diag_at(diag, yt_get(doc.root, "preset")->where,
				"found preset name '%s' in the file for '%s', expected them to match", out->preset, name);
	yt_free(&doc);
	return rc;
}

/* ---- calibration overlays ------------------------------------------- */

static const char *const overlay_keys[] = {"calibration", "description", "dataset", "base_preset", "fit", "parameters", NULL};

int mdl_overlay_load(const char *path, const char *base_file, vr_where where, mdl_params *params, vr_diag *diag)
{
	return mdl_overlay_load_from(path, base_file, where, params, NULL, diag);
}

int mdl_overlay_load_from(const char *path, const char *base_file, vr_where where, mdl_params *params,
			  mdl_file_ref *from, vr_diag *diag)
{
	yt_doc doc;
	if (vr_catalog_load("calibration/overlays", "calibration overlay", path, base_file, where, &doc, diag) != 0)
		return -1;
	if (from) {
		snprintf(from->path, sizeof from->path, "%s", doc.file);
		memcpy(from->sha256, doc.sha256, sizeof from->sha256);
	}
	const yt_node *root = doc.root, *v, *list;
	const char *name;
	int rc = 0;
	if (!root)
		rc = vr_diag_at(diag, (vr_where){doc.file, 0, 0}, "found an empty file, expected a calibration overlay");
	else if (yr_document(root, overlay_keys, "a calibration overlay", diag) ||
		 yr_required(root, "calibration", "a calibration overlay", &v, diag) ||
		 yr_string(v, "the calibrated model", &name, diag) ||
		 yr_required(root, "parameters", "a calibration overlay", &list, diag) ||
		 yr_expect(list, YT_MAP, "the parameters", diag))
		rc = -1;
	else if (list->count == 0)
		rc = vr_diag_at(diag, list->where, "found no parameters, expected the calibrated values");
	for (size_t i = 0; rc == 0 && root && i < list->count; i++)
		rc = read_entry(params, list->keys[i], list->items[i], diag);
	yt_free(&doc);
	return rc;
}
