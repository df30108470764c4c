/*
 * json.h - a strict JSON reader for the files vrdmasim reads back (its own
 * results, for `vrdmasim plot`).
 *
 * The whole document becomes one array of compact nodes in document order
 * (a container is followed by its subtree; an object's children alternate
 * name, value), so memory stays a small multiple of the file: at most
 * JSON_MEMORY_PER_INPUT_BYTE bytes per input byte, counted in
 * json_doc.bytes_allocated.  Strings are decoded in place in the reader's
 * copy of the text; only strings with escapes are copied.  Every node
 * remembers where it starts, and json_where() turns that into file:line:col
 * so that callers can report a bad value where it is.
 * RFC 8259 JSON: objects, arrays, strings (with \u escapes, UTF-8 kept as
 * is), numbers, true, false, null.  Nesting deeper than JSON_DEPTH_MAX and
 * files larger than JSON_BYTES_MAX are refused rather than risked.
 */
#ifndef VR_JSON_H
#define VR_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "input/diag.h"

enum { JSON_DEPTH_MAX = 64 };
/* Results files are a few MiB; the cap bounds what a hostile file can cost
 * (JSON_MEMORY_PER_INPUT_BYTE times it), and node offsets are 29 bits. */
#define JSON_BYTES_MAX ((size_t)512 << 20)
/* Bytes the reader allocates per input byte, at most (plus the file name and
 * JSON_MEMORY_FIXED_BYTES).  Why 10: a node is 16 bytes and every value
 * costs at least 2 bytes of input (its own first byte and a ',', ':' or the
 * closing bracket of its parent), so nodes take at most 8 bytes per input
 * byte; the reader's copy of the text is 1 more; strings with escapes are
 * decoded into a side buffer no longer than the raw strings, which in a
 * document that parses keeps the total at 9 at most, and in one that does not
 * (the buffers are sized before parsing) under 9.5. */
enum { JSON_MEMORY_PER_INPUT_BYTE = 10 };
/* Nodes allowed for open containers whose closing bracket is not read yet,
 * the text's terminating NUL and rounding: 16 bytes times
 * (JSON_DEPTH_MAX + 4) and a little. */
enum { JSON_MEMORY_FIXED_BYTES = 2048 };

typedef enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

/* 16 bytes: read it through the functions below. */
typedef struct json_node {
	unsigned offset : 29;       /* where the value starts in json_doc.text */
	unsigned type : 3;          /* a json_type */
	uint32_t span;              /* nodes in the subtree, this one included */
	const char *text;           /* JSON_STRING: decoded, NUL-terminated; JSON_NUMBER: its text; else NULL */
} json_node;

typedef struct json_doc {
	char *file;                 /* heap copy: json_where's file points to it */
	json_node *root;            /* the node array; the top-level value is its first node */
	char *text;                 /* the reader's copy of the document */
	char *strings;              /* decoded strings that had escapes */
	size_t bytes_allocated;     /* everything above, in bytes: the reader's peak use */
	unsigned first_line;        /* the line of FILE the text starts on (1 but for json_load_buffer_at) */
} json_doc;

/* Read PATH.  Returns 0, or -1 with DIAG filled (nothing to free then). */
int json_load_file(const char *path, json_doc *out, vr_diag *diag);

/* Parse TEXT of LENGTH bytes, naming it FILE in messages.  TEXT is copied. */
int json_load_buffer(const char *file, const char *text, size_t length, json_doc *out, vr_diag *diag);

/* As json_load_buffer, for TEXT that starts on line FIRST_LINE (column 1)
 * of FILE: messages and json_where count lines from there (a JSON-lines
 * file's objects, input/json_seq.h). */
int json_load_buffer_at(const char *file, unsigned first_line, const char *text, size_t length, json_doc *out,
			vr_diag *diag);

void json_free(json_doc *doc);

/* Member KEY of OBJECT, or NULL (also when OBJECT is not an object). */
const json_node *json_get(const json_node *object, const char *key);

/* Elements of an array, members of an object (0 for other types).  Walks
 * the children: loop with json_first and json_next rather than json_item. */
size_t json_count(const json_node *node);

/* Element INDEX of ARRAY (a walk of INDEX steps), or NULL. */
const json_node *json_item(const json_node *array, size_t index);

/* The first element of ARRAY, or NULL; the element after ITEM in ARRAY, or
 * NULL after the last. */
const json_node *json_first(const json_node *array);
const json_node *json_next(const json_node *array, const json_node *item);

/* The value of a JSON_NUMBER node (0 for other types). */
double json_number(const json_node *node);

/* Where NODE starts in DOC (a walk of the text: for messages). */
vr_where json_where(const json_doc *doc, const json_node *node);

/* Name of a node's type, for messages ("a number", "an object"...). */
const char *json_type_name(json_type type);

#endif
