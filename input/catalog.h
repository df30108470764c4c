/*
 * catalog.h - the data files built into the binary: presets
 * (models/presets/NAME.yaml), options (models/options/NAME.yaml) and the
 * headline scenario.  A name that looks like a path ("./x.yaml", "a/b.yaml")
 * is read from the file system instead, so users can add their own.
 */
#ifndef VR_CATALOG_H
#define VR_CATALOG_H

#include <stddef.h>

#include "input/diag.h"
#include "input/yaml_tree.h"

typedef struct vr_embedded_file {
	const char *path;    /* relative to the source tree */
	const char *text;
	size_t length;
} vr_embedded_file;

extern const vr_embedded_file vr_embedded_files[];   /* ends with path == NULL */

/* The embedded file at PATH, or NULL. */
const vr_embedded_file *vr_catalog_file(const char *path);

/* Names of the embedded entries under DIR ("models/presets"), without the
 * ".yaml"; fills NAMES (NULL-terminated, at most MAX-1 names). */
size_t vr_catalog_names(const char *dir, const char **names, size_t max, char storage[][64]);

/* Does NAME denote a file path rather than a catalogue entry? */
int vr_catalog_is_path(const char *name);

/* NAME as a path: relative to BASE_FILE's folder when BASE_FILE has one
 * and NAME is relative. */
void vr_catalog_resolve(const char *name, const char *base_file, char *path, size_t path_bytes);

/* Load the catalogue entry DIR/NAME.yaml, or the file NAME when it is a path
 * (relative paths are taken relative to BASE_FILE's folder, when given).
 * KIND ("preset", "option") is used in the "unknown name" message, which is
 * located at WHERE and suggests the nearest known name. */
int vr_catalog_load(const char *dir, const char *kind, const char *name,
		    const char *base_file, vr_where where, yt_doc *doc, vr_diag *diag);

#endif
