/*
 * preset.h - hardware presets: a complete parameter set with a source for
 * every value (models/presets/NAME.yaml, or a path).
 *
 * File shape:
 *   preset: NAME
 *   description: "..."
 *   parameters:
 *     cpu.frequency: {value: 2.3GHz, source: "..."}
 *     ...
 * The result is not yet resolved: overlays and scenario overrides are
 * applied first, then mdl_params_resolve().
 */
#ifndef MDL_PRESET_H
#define MDL_PRESET_H

#include "models/params.h"
#include "input/sha256.h"

/* Load preset NAME (catalogue name or path relative to BASE_FILE's folder);
 * WHERE locates the name for "unknown preset" errors. */
int mdl_preset_load(const char *name, const char *base_file, vr_where where,
		    mdl_params *out, vr_diag *diag);

/* Apply a calibration overlay (a file written by `vrdmasim calibrate`:
 *   calibration: MODEL
 *   dataset: ..., base_preset: ..., fit: {...}   (recorded, not used)
 *   parameters:
 *     rxe.requester: {value: 3.1us, source: "calibrated: ..."}
 * ) to PARAMS, over the preset's values.  PATH is relative to BASE_FILE's
 * folder; WHERE locates it for messages. */
int mdl_overlay_load(const char *path, const char *base_file, vr_where where, mdl_params *params, vr_diag *diag);

/* Which file an overlay was read from, and its content: results record it. */
typedef struct mdl_file_ref {
	char path[1024];
	char sha256[VR_SHA256_HEX_BYTES];
} mdl_file_ref;

/* mdl_overlay_load, filling FROM (when not NULL) with the file read. */
int mdl_overlay_load_from(const char *path, const char *base_file, vr_where where, mdl_params *params,
			  mdl_file_ref *from, vr_diag *diag);

#endif
