/*
 * yaml_tree.c - builds a yt_node tree from libyaml's event stream.
 *
 * A recursive descent over events: a scalar is a leaf, a mapping reads
 * key/value pairs until MAPPING-END, a sequence reads items until
 * SEQUENCE-END.  Depth is bounded so a hostile file cannot exhaust the stack.
 */
#include "input/yaml_tree.h"

#include "input/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum {
	NESTING_MAX = 64,         /* our formats nest 4 deep; 64 is generous */
	CHILDREN_MAX = 4096,      /* the largest list we read has 64 items; keeps the duplicate-key check cheap */
};

typedef struct builder {
	yaml_parser_t parser;
	const char *file;
	vr_diag *diag;
} builder;

static vr_where where_of(const builder *b, yaml_mark_t mark)
{
	vr_where w = {b->file, (unsigned)mark.line + 1, (unsigned)mark.column + 1};
	return w;
}

static void node_free(yt_node *node)
{
	if (!node)
		return;
	free(node->text);
	for (size_t i = 0; i < node->count; i++) {
		if (node->keys)
			node_free(node->keys[i]);
		node_free(node->items[i]);
	}
	free(node->keys);
	free(node->items);
	free(node);
}

static yt_node *node_new(const builder *b, yt_type type, yaml_mark_t mark)
{
	yt_node *node = calloc(1, sizeof *node);
	if (!node)
		return NULL;
	node->type = type;
	node->where = where_of(b, mark);
	return node;
}

static int next_event(builder *b, yaml_event_t *event)
{
	if (yaml_parser_parse(&b->parser, event))
		return 0;
	vr_where w = where_of(b, b->parser.problem_mark);
	return vr_diag_at(b->diag, w, "found invalid YAML (%s%s%s), expected well-formed YAML",
			  b->parser.problem ? b->parser.problem : "syntax error",
			  b->parser.context ? " " : "",
			  b->parser.context ? b->parser.context : "");
}

static int append(yt_node *parent, yt_node *key, yt_node *item)
{
	size_t n = parent->count + 1;
	yt_node **items = realloc(parent->items, n * sizeof *items);
	if (!items)
		return -1;
	parent->items = items;
	if (parent->type == YT_MAP) {
		yt_node **keys = realloc(parent->keys, n * sizeof *keys);
		if (!keys)
			return -1;
		parent->keys = keys;
		keys[n - 1] = key;
	}
	items[n - 1] = item;
	parent->count = n;
	return 0;
}

static yt_node *build_node(builder *b, yaml_event_t *first, int depth);

/* A tag ("!!str", "!custom") would ask for a type or a meaning that the
 * strict readers never apply: refused rather than silently ignored.
 * libyaml expands "!!" to the YAML namespace; say it as it was written. */
static void refuse_tag(builder *b, const yaml_event_t *event, const yaml_char_t *tag)
{
	static const char core[] = "tag:yaml.org,2002:";
	const char *text = (const char *)tag;
	int short_form = strncmp(text, core, sizeof core - 1) == 0;
	vr_diag_at(b->diag, where_of(b, event->start_mark),
		   "found the tag '%s%.200s', expected plain values (YAML tags are not supported)", short_form ? "!!" : "",
		   short_form ? text + sizeof core - 1 : text);
}

/* The tag of a node's first event, or NULL. */
static const yaml_char_t *tag_of(const yaml_event_t *event)
{
	switch (event->type) {
	case YAML_SCALAR_EVENT: return event->data.scalar.tag;
	case YAML_MAPPING_START_EVENT: return event->data.mapping_start.tag;
	case YAML_SEQUENCE_START_EVENT: return event->data.sequence_start.tag;
	default: return NULL;
	}
}

/* Reads children until the matching end event. */
static int build_children(builder *b, yt_node *parent, int depth)
{
	for (;;) {
		yaml_event_t event;
		if (next_event(b, &event) != 0)
			return -1;
		if (event.type == YAML_MAPPING_END_EVENT || event.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&event);
			return 0;
		}
		yt_node *key = NULL;
		if (parent->count == CHILDREN_MAX) {
			vr_diag_at(b->diag, where_of(b, event.start_mark), "found more than %d entries in %s, expected a small one",
				   CHILDREN_MAX, yt_type_name(parent->type));
			yaml_event_delete(&event);
			return -1;
		}
		if (parent->type == YT_MAP) {
			if (event.type != YAML_SCALAR_EVENT) {
				vr_diag_at(b->diag, where_of(b, event.start_mark),
					   "found a complex mapping key, expected a plain name");
				yaml_event_delete(&event);
				return -1;
			}
			key = build_node(b, &event, depth + 1);
			yaml_event_delete(&event);
			if (!key)
				return -1;
			if (yt_get(parent, key->text)) {
				vr_diag_at(b->diag, key->where,
					   "found the key '%s' a second time, expected each key once",
					   key->text);
				node_free(key);
				return -1;
			}
			if (next_event(b, &event) != 0) {
				node_free(key);
				return -1;
			}
		}
		yt_node *child = build_node(b, &event, depth + 1);
		yaml_event_delete(&event);
		if (!child || append(parent, key, child) != 0) {
			node_free(key);
			node_free(child);
			return -1;
		}
	}
}

static yt_node *build_node(builder *b, yaml_event_t *event, int depth)
{
	if (depth > NESTING_MAX) {
		vr_diag_at(b->diag, where_of(b, event->start_mark),
			   "found nesting deeper than %d levels, expected a shallow document",
			   NESTING_MAX);
		return NULL;
	}
	if (tag_of(event)) {
		refuse_tag(b, event, tag_of(event));
		return NULL;
	}
	yt_node *node = NULL;
	switch (event->type) {
	case YAML_SCALAR_EVENT:
		if (event->data.scalar.anchor) {
			vr_diag_at(b->diag, where_of(b, event->start_mark),
				   "found an anchor '&%s', expected plain values (anchors and aliases are not supported)",
				   (const char *)event->data.scalar.anchor);
			return NULL;
		}
		node = node_new(b, YT_SCALAR, event->start_mark);
		if (!node)
			return NULL;
		node->text = strdup((const char *)event->data.scalar.value);
		node->quoted = event->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			       event->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		if (!node->text) {
			node_free(node);
			return NULL;
		}
		return node;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if ((event->type == YAML_MAPPING_START_EVENT && event->data.mapping_start.anchor) ||
		    (event->type == YAML_SEQUENCE_START_EVENT && event->data.sequence_start.anchor)) {
			vr_diag_at(b->diag, where_of(b, event->start_mark),
				   "found an anchor, expected plain values (anchors and aliases are not supported)");
			return NULL;
		}
		node = node_new(b, event->type == YAML_MAPPING_START_EVENT ? YT_MAP : YT_SEQ,
				event->start_mark);
		if (!node)
			return NULL;
		if (build_children(b, node, depth) != 0) {
			node_free(node);
			return NULL;
		}
		return node;
	case YAML_ALIAS_EVENT:
		vr_diag_at(b->diag, where_of(b, event->start_mark),
			   "found an alias '*%s', expected plain values (anchors and aliases are not supported)",
			   (const char *)event->data.alias.anchor);
		return NULL;
	default:
		vr_diag_at(b->diag, where_of(b, event->start_mark),
			   "found an unexpected YAML structure, expected a value");
		return NULL;
	}
}

/* STREAM-START, DOCUMENT-START, root, DOCUMENT-END, then STREAM-END only. */
static int build_document(builder *b, yt_doc *doc)
{
	yaml_event_t event;
	int state = 0;   /* 0 before the document, 1 in it, 2 after it */
	for (;;) {
		if (next_event(b, &event) != 0)
			return -1;
		yaml_event_type_t type = event.type;
		yaml_mark_t mark = event.start_mark;
		if (type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&event);
			return 0;
		}
		if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&event);
			continue;
		}
		if (type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&event);
			if (state != 0)
				return vr_diag_at(b->diag, where_of(b, mark),
						  "found a second YAML document, expected exactly one");
			state = 1;
			continue;
		}
		doc->root = build_node(b, &event, 0);
		yaml_event_delete(&event);
		if (!doc->root)
			return -1;
		state = 2;
	}
}

int yt_load_buffer(const char *name, const char *text, size_t length,
		   yt_doc *doc, vr_diag *diag)
{
	memset(doc, 0, sizeof *doc);
	doc->file = strdup(name);
	if (!doc->file)
		return vr_diag_at(diag, (vr_where){name, 0, 0}, "out of memory");
	builder b = {.file = doc->file, .diag = diag};
	if (!yaml_parser_initialize(&b.parser)) {
		yt_free(doc);
		return vr_diag_at(diag, (vr_where){name, 0, 0}, "cannot start the YAML parser");
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, length);
	int rc = build_document(&b, doc);
	yaml_parser_delete(&b.parser);
	if (rc != 0 && !diag->failed)
		vr_diag_at(diag, (vr_where){name, 0, 0}, "out of memory while reading");
	if (rc != 0)
		yt_free(doc);
	else
		vr_sha256_hex(text, length, doc->sha256);
	return rc;
}

int yt_load_file(const char *path, yt_doc *doc, vr_diag *diag)
{
	enum { FILE_SIZE_MAX = 16 << 20 };   /* inputs are small; refuse what is not */
	memset(doc, 0, sizeof *doc);
	char *text;
	size_t length;
	if (vr_read_file(path, FILE_SIZE_MAX, "a small YAML file", &text, &length, diag) != 0)
		return -1;
	int rc = yt_load_buffer(path, text, length, doc, diag);
	free(text);
	return rc;
}

void yt_free(yt_doc *doc)
{
	node_free(doc->root);
	free(doc->file);
	memset(doc, 0, sizeof *doc);
}

const yt_node *yt_get(const yt_node *map, const char *key)
{
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->keys[i]->text, key) == 0)
			return map->items[i];
	return NULL;
}

yt_node *yt_copy(const yt_node *node)
{
	yt_node *copy = calloc(1, sizeof *copy);
	if (!copy)
		return NULL;
	copy->type = node->type;
	copy->where = node->where;
	copy->quoted = node->quoted;
	if (node->text && !(copy->text = strdup(node->text))) {
		free(copy);
		return NULL;
	}
	for (size_t i = 0; i < node->count; i++) {
		yt_node *key = node->keys ? yt_copy(node->keys[i]) : NULL;
		yt_node *item = yt_copy(node->items[i]);
		if ((node->keys && !key) || !item || append(copy, key, item) != 0) {
			node_free(key);
			node_free(item);
			node_free(copy);
			return NULL;
		}
	}
	return copy;
}

yt_node *yt_scalar(const char *text, vr_where where)
{
	yt_node *node = calloc(1, sizeof *node);
	if (!node || !(node->text = strdup(text))) {
		free(node);
		return NULL;
	}
	node->type = YT_SCALAR;
	node->where = where;
	return node;
}

yt_node *yt_list_of(yt_node *item)
{
	yt_node *list = calloc(1, sizeof *list);
	if (!list || append(list, NULL, item) != 0) {
		free(list);
		node_free(item);
		return NULL;
	}
	list->type = YT_SEQ;
	list->where = item->where;
	return list;
}

int yt_list_append(yt_node *list, yt_node *item)
{
	return append(list, NULL, item);
}

void yt_replace_item(yt_node *parent, size_t index, yt_node *value)
{
	node_free(parent->items[index]);
	parent->items[index] = value;
}

int yt_map_append(yt_node *map, const char *key, vr_where key_where, yt_node *value)
{
	yt_node *k = yt_scalar(key, key_where);
	if (!k)
		return -1;
	if (append(map, k, value) != 0) {
		node_free(k);
		return -1;
	}
	return 0;
}

void yt_map_remove(yt_node *map, size_t index)
{
	node_free(map->keys[index]);
	node_free(map->items[index]);
	memmove(&map->keys[index], &map->keys[index + 1], (map->count - index - 1) * sizeof map->keys[0]);
	memmove(&map->items[index], &map->items[index + 1], (map->count - index - 1) * sizeof map->items[0]);
	map->count--;
}

const char *yt_type_name(yt_type type)
{
	switch (type) {
	case YT_SCALAR: return "a single value";
	case YT_MAP: return "a mapping";
	case YT_SEQ: return "a list";
	}
	return "?";
}
