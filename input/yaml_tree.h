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

/* Editing a tree (a sweep's points: models/sweep.h).  Each returns 0, or
 * -1 when out of memory (nothing changed then). */

/* A deep copy of NODE (its places kept); NULL when out of memory. */
yt_node *yt_copy(const yt_node *node);

/* A new scalar holding a copy of TEXT, located at WHERE; NULL when out of
 * memory. */
yt_node *yt_scalar(const char *text, vr_where where);

/* A new list holding ITEM (owned by the list from then on), located at
 * ITEM's place; NULL when out of memory (ITEM is then freed). */
yt_node *yt_list_of(yt_node *item);

/* Append ITEM (owned by LIST once appended) to LIST, a YT_SEQ. */
int yt_list_append(yt_node *list, yt_node *item);

/* Replace item INDEX of PARENT (a map's value or a list's item) by VALUE,
 * which the tree then owns; the old item is freed. */
void yt_replace_item(yt_node *parent, size_t index, yt_node *value);

/* Append KEY (a copy of the text, located at KEY_WHERE) with VALUE (owned
 * by the tree from then on) to MAP. */
int yt_map_append(yt_node *map, const char *key, vr_where key_where, yt_node *value);

/* Remove pair INDEX from MAP, freeing it. */
void yt_map_remove(yt_node *map, size_t index);

/* "a mapping", "a list", "a scalar": for messages. */
const char *yt_type_name(yt_type type);

#endif
