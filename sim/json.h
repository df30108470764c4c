/*
 * json.h - a strict JSON reader for the files vrdmasim reads back (its own
 * results, for `vrdmasim plot`).
 *
 * The whole document becomes a tree of nodes; every node remembers where it
 * starts (file:line:col) so that callers can report a bad value where it is.
 * RFC 8259 JSON: objects, arrays, strings (with \u escapes, UTF-8 kept as
 * is), numbers, true, false, null.  Nesting deeper than JSON_DEPTH_MAX and
 * files larger than JSON_BYTES_MAX are refused rather than risked.
 */
#ifndef VR_JSON_H
#define VR_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "sim/diag.h"

enum { JSON_DEPTH_MAX = 64 };
#define JSON_BYTES_MAX ((size_t)512 << 20)

typedef enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_node {
	json_type type;
	vr_where where;
	double number;              /* JSON_NUMBER */
	char *text;                 /* JSON_STRING */
	size_t count;               /* JSON_ARRAY, JSON_OBJECT */
	char **keys;                /* JSON_OBJECT: count keys */
	struct json_node **items;   /* JSON_ARRAY, JSON_OBJECT: count values */
} json_node;

typedef struct json_doc {
	char *file;                 /* heap copy: the nodes' where.file point to it */
	json_node *root;
} json_doc;

/* Read PATH.  Returns 0, or -1 with DIAG filled (nothing to free then). */
int json_load_file(const char *path, json_doc *out, vr_diag *diag);

/* Parse TEXT of LENGTH bytes, naming it FILE in messages. */
int json_load_buffer(const char *file, const char *text, size_t length, json_doc *out, vr_diag *diag);

void json_free(json_doc *doc);

/* Member KEY of OBJECT, or NULL (also when OBJECT is not an object). */
const json_node *json_get(const json_node *object, const char *key);

/* Write TEXT as a JSON string (quoted, escaped) to OUT: the writers of
 * results and fits share it. */
void json_write_string(const char *text, FILE *out);

/* Name of a node's type, for messages ("a number", "an object"...). */
const char *json_type_name(json_type type);

#endif
