/*
 * provenance.h - what made a results file: the command line, every --set,
 * the build, the scenario and calibration overlay with their content
 * hashes, and every parameter whose value in force differs from its
 * preset's, with the value, the preset's value and where the value in force
 * came from (an overlay, a scenario override, a host map, --set).  A reader
 * of results can then tell how to make them again, and whether the files
 * they hold are the ones that were used.
 */
#ifndef VR_PROVENANCE_H
#define VR_PROVENANCE_H

#include <stddef.h>
#include <stdio.h>

#include "common/json_write.h"
#include "models/scenario.h"

/* How the program was run: filled by the command, read by the writers. */
typedef struct vr_invocation {
	int argc;
	char *const *argv;
	size_t set_count;
	const char *const *sets;     /* every --set NAME=QUANTITY, in order */
} vr_invocation;

/* The build's version: PACKAGE_VERSION-gHASH from a git clone
 * (tools/build-version), the release's otherwise. */
const char *vr_build_version(void);

/* Write the member `"provenance": {...}` into the object W has open, on
 * one line, for S run as INV (NULL: the command line is not known). */
void vr_provenance_json(json_writer *w, const scn_scenario *s, const vr_invocation *inv);

/* The frame every results document shares: the opening object, tool,
 * version, schema, provenance, scenario and seed, then the key
 * RESULTS_KEY and its array opened; the caller writes the items, then
 * vr_results_json_end closes the array and the document. */
void vr_results_json_begin(json_writer *w, FILE *out, unsigned schema_version, const scn_scenario *s,
			   const vr_invocation *inv, const char *results_key);
void vr_results_json_end(json_writer *w);

#endif
