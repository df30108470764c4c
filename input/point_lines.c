/*
 * point_lines.c - a sweep's results file, line by line.  See point_lines.h.
 */
#include "input/point_lines.h"

#include <stdlib.h>
#include <string.h>

#include "input/file.h"
#include "input/json_read.h"

enum { POINT_FILE_MAX_BYTES = 1u << 30 };   /* a million points of a kilobyte */

static int refuse(const char *path, unsigned line, const char *what, vr_diag *diag)
{
	return vr_diag_at(diag, (vr_where){path, line, 1}, "found %s, expected a sweep point's results ('vrdmasim sweep' writes one per line)",
			  what);
}

/* The fields a line must hold, read from its JSON. */
static int read_line(const char *path, vr_point_line *p, vr_diag *diag)
{
	json_doc doc;
	vr_diag inner;
	vr_diag_clear(&inner);
	if (json_load_buffer(path, p->text, p->length - 1, &doc, &inner) != 0)
		return refuse(path, p->line, "a line that is not JSON", diag);
	const json_node *root = doc.root, *point = json_get(root, "point"), *provenance = json_get(root, "provenance");
	const json_node *index = json_get(point, "index"), *round = json_get(point, "round");
	const json_node *sha = json_get(json_get(provenance, "scenario"), "sha256");
	int rc = 0;
	if (!index || index->type != JSON_NUMBER || json_number(index) < 0 || !round || round->type != JSON_NUMBER ||
	    !sha || sha->type != JSON_STRING || strlen(sha->text) != VR_SHA256_HEX_BYTES - 1)
		rc = refuse(path, p->line, "a line without point.index, point.round or provenance.scenario.sha256", diag);
	else {
		p->index = (size_t)json_number(index);
		p->round = (unsigned)json_number(round);
		memcpy(p->sha256, sha->text, VR_SHA256_HEX_BYTES);
	}
	json_free(&doc);
	return rc;
}

int vr_point_lines_read(const char *path, vr_point_lines *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	size_t length;
	if (vr_read_file(path, POINT_FILE_MAX_BYTES, "a sweep's results (JSON lines)", &out->text, &length, diag) != 0)
		return -1;
	const char *last = length ? memrchr(out->text, '\n', length) : NULL;
	out->whole_bytes = last ? (size_t)(last - out->text) + 1 : 0;
	out->torn_bytes = length - out->whole_bytes;
	size_t lines = 0;
	for (size_t i = 0; i < out->whole_bytes; i++)
		lines += out->text[i] == '\n';
	out->lines = calloc(lines ? lines : 1, sizeof *out->lines);
	if (!out->lines) {
		vr_point_lines_free(out);
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
	}
	unsigned number = 0;
	for (size_t at = 0; at < out->whole_bytes;) {
		const char *end = memchr(out->text + at, '\n', out->whole_bytes - at);
		vr_point_line *p = &out->lines[out->count];
		*p = (vr_point_line){.text = out->text + at, .length = (size_t)(end - out->text) + 1 - at, .line = ++number};
		at += p->length;
		if (p->length == 1)
			continue;   /* an empty line: nothing */
		if (read_line(path, p, diag) != 0) {
			vr_point_lines_free(out);
			return -1;
		}
		out->count++;
	}
	return 0;
}

void vr_point_lines_free(vr_point_lines *l)
{
	free(l->text);
	free(l->lines);
	memset(l, 0, sizeof *l);
}
