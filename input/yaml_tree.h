/*
 * yaml_tree.h - a YAML document as a small tree of nodes that remember where
 * they came from, so that every later (semantic) error can name file:line:col.
 *
 * Only what vrdmasim's inputs need: one document of maps, sequences and
 * scalars.  Anchors and aliases, tags and multi-document streams are refused,
 * as are duplicate keys and non-scalar keys.  The tree owns all its strings.
 */
#ifndef VR_YAML_TREE_H
#define VR_YAML_TREE_H

#include <stddef.h>

#include "input/diag.h"
#include "input/sha256.h"

typedef enum yt_type { YT_SCALAR, YT_MAP, YT_SEQ } yt_type;

typedef struct yt_node {
	yt_type type;
	vr_where where;            /* 1-based; where.file points into the doc */
	char *text;                /* YT_SCALAR: the value as written */
	int quoted;                /* YT_SCALAR: written in quotes */
	size_t count;              /* YT_MAP: pairs; YT_SEQ: items */
	struct yt_node **keys;     /* YT_MAP: key scalars, count of them */
	struct yt_node **items;    /* YT_MAP: values; YT_SEQ: items */
} yt_node;

typedef struct yt_doc {
	char *file;                /* name used in messages */
	yt_node *root;             /* NULL for an empty document */
	char sha256[VR_SHA256_HEX_BYTES];   /* of the bytes parsed: results name the files that shaped them */
} yt_doc;

/* Load PATH.  On error fills DIAG (with the place libyaml reports) and
 * returns -1; DOC is then empty and needs no yt_free. */
int yt_load_file(const char *path, yt_doc *doc, vr_diag *diag);

/* Same, from memory; NAME is used in messages. */
int yt_load_buffer(const char *name, const char *text, size_t length,
		   yt_doc *doc, vr_diag *diag);

void yt_free(yt_doc *doc);

/* The value under KEY in MAP, or NULL.  MAP must be a YT_MAP. */
const yt_node *yt_get(const yt_node *map, const char *key);

/* "a mapping", "a list", "a scalar": for messages. */
const char *yt_type_name(yt_type type);

#endif
