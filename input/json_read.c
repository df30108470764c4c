/*
 * json.c - recursive-descent JSON reader with positions, into one array of
 * compact nodes.
 *
 * Two passes: measure() counts an upper bound on the nodes and the bytes of
 * the strings with escapes, so that every buffer is allocated once at its
 * size (no doubling, whose slack and copies would break the memory bound in
 * json.h); then the parser fills the nodes in document order.  Strings
 * without escapes stay in place (their closing quote becomes the NUL); the
 * text keeps its newlines, so json_where can count lines afterwards.
 */
#include "input/json_read.h"

#include "input/file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(json_node) == 16, "the memory bound in json.h counts 16 bytes per node");
_Static_assert(JSON_BYTES_MAX <= ((size_t)1 << 29), "json_node.offset has 29 bits");

typedef struct reader {
	char *text, *end, *p;
	const char *file;
	unsigned line;
	const char *line_start;
	json_doc *doc;
	size_t nodes_used, nodes_max;
	size_t strings_used;
	vr_diag *diag;
} reader;

static vr_where here(const reader *r)
{
	return (vr_where){r->file, r->line, (unsigned)(r->p - r->line_start) + 1};
}

/* What the reader is looking at, quoted for a message. */
static void describe(const reader *r, char *buf, size_t len)
{
	if (r->p >= r->end) {
		snprintf(buf, len, "the end of the file");
		return;
	}
	unsigned char c = (unsigned char)*r->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
}

static int expected(reader *r, const char *what)
{
	char found[64];
	describe(r, found, sizeof found);
	return vr_diag_at(r->diag, here(r), "found %s, expected %s", found, what);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(reader *r)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (c == '\n') {
			r->line++;
			r->line_start = r->p + 1;
		} else if (!is_space(c)) {
			return;
		}
		r->p++;
	}
}

/* Index of the closing quote of the string whose content starts at START
 * (LENGTH when there is none); *ESCAPED tells whether it has escapes. */
static size_t string_end(const char *text, size_t length, size_t start, int *escaped)
{
	size_t i = start;
	*escaped = 0;
	while (i < length && text[i] != '"') {
		if (text[i] == '\\') {
			*escaped = 1;
			i++;
		}
		i++;
	}
	return i < length ? i : length;
}

/* Before parsing: an upper bound on the nodes (every value but the first
 * follows a ',', a ':' or an opening bracket not closed at once) and
 * the bytes the strings with escapes need once decoded (escapes only shrink:
 * the raw length and a NUL bound it). */
static void measure(const char *text, size_t length, size_t *nodes, size_t *string_bytes)
{
	size_t count = 1, bytes = 0;
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (c == '"') {
			int escaped;
			size_t close = string_end(text, length, i + 1, &escaped);
			if (escaped)
				bytes += close - i;
			i = close;
		} else if (c == ',' || c == ':') {
			count++;
		} else if (c == '[' || c == '{') {
			size_t k = i + 1;
			while (k < length && is_space(text[k]))
				k++;
			count += k >= length || text[k] != (c == '[' ? ']' : '}');   /* "[}": the parser reads a value there */
		}
	}
	/* A value costs at least 2 bytes (its first byte, and a separator or its
	 * parent's closing bracket) but for the brackets still open; a document
	 * that parses never needs more, whatever the count above says. */
	size_t most = (length + 1) / 2 + JSON_DEPTH_MAX + 2;
	*nodes = count < most ? count : most;
	*string_bytes = bytes;
}

static json_node *new_node(reader *r, json_type type)
{
	if (r->nodes_used == r->nodes_max) {
		/* measure() bounds every document the parser gets through. */
		vr_diag_at(r->diag, here(r), "found more values than the file's separators allow, expected a JSON document");
		return NULL;
	}
	json_node *n = &r->doc->root[r->nodes_used++];
	n->offset = (unsigned)(r->p - r->text);
	n->type = type;
	n->span = 1;
	n->text = NULL;
	return n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append code point CP as UTF-8. */
static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* One escape at r->p (after the backslash), written at *W. */
static int read_escape(reader *r, char **w)
{
	char e = *r->p++;
	const char *simple = strchr("\"\\/bfnrt", e);
	if (simple && e) {
		static const char decoded[] = "\"\\/\b\f\n\r\t";
		*(*w)++ = decoded[simple - "\"\\/bfnrt"];
		return 0;
	}
	if (e != 'u' || r->end - r->p < 4) {
		r->p--;
		return expected(r, "an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)");
	}
	unsigned cp = 0;
	for (int k = 0; k < 4; k++) {
		int d = hex_digit(r->p[k]);
		if (d < 0) {
			r->p += k;
			return expected(r, "a hexadecimal digit of a \\u escape");
		}
		cp = cp * 16 + (unsigned)d;
	}
	r->p += 4;
	*w += put_utf8(*w, cp);   /* surrogates are kept as their code units */
	return 0;
}

/* A string at r->p (the opening quote), decoded into N->text: in place when
 * it has no escapes, else into the document's string buffer. */
static int read_string(reader *r, json_node *n)
{
	r->p++;
	int escaped;
	string_end(r->text, (size_t)(r->end - r->text), (size_t)(r->p - r->text), &escaped);
	char *s = escaped ? r->doc->strings + r->strings_used : r->p, *w = s;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p;
		if (c < 0x20)
			return expected(r, "a character of a string (control characters must be escaped)");
		if (c != '\\') {
			*w++ = (char)c;
			r->p++;
		} else if (++r->p < r->end && read_escape(r, &w) != 0) {
			return -1;
		}
	}
	if (r->p >= r->end)
		return expected(r, "'\"' closing the string");
	r->p++;
	*w++ = '\0';   /* in place: over the closing quote */
	if (escaped)
		r->strings_used += (size_t)(w - s);
	n->text = s;
	return 0;
}

static int read_value(reader *r, int depth);

/* Members or elements up to CLOSE ('}' or ']'), as the nodes after N. */
static int read_container(reader *r, json_node *n, char close, int depth)
{
	int object = close == '}';
	size_t first = r->nodes_used;
	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		skip_space(r);
		if (object) {
			if (r->p >= r->end || *r->p != '"')
				return expected(r, "'\"' starting a member name");
			json_node *key = new_node(r, JSON_STRING);
			if (!key || read_string(r, key) != 0)
				return -1;
			skip_space(r);
			if (r->p >= r->end || *r->p != ':')
				return expected(r, "':' after a member name");
			r->p++;
		}
		if (read_value(r, depth + 1) != 0)
			return -1;
		n->span = (uint32_t)(r->nodes_used - first + 1);
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return expected(r, object ? "',' or '}' after a member" : "',' or ']' after an element");
	}
}

static int read_number(reader *r, json_node *n)
{
	/* JSON's grammar, checked before strtod (which accepts more). */
	const char *q = r->p;
	if (q < r->end && *q == '-')
		q++;
	if (q >= r->end || !(*q >= '0' && *q <= '9'))
		return expected(r, "a value (object, array, string, number, true, false or null)");
	if (*q == '0')
		q++;
	else
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	if (q < r->end && *q == '.') {
		q++;
		if (q >= r->end || !(*q >= '0' && *q <= '9')) {
			r->p = (char *)q;
			return expected(r, "a digit after the decimal point");
		}
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= r->end || !(*q >= '0' && *q <= '9')) {
			r->p = (char *)q;
			return expected(r, "a digit of the exponent");
		}
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	char buf[64];
	size_t len = (size_t)(q - r->p);
	if (len >= sizeof buf)
		return vr_diag_at(r->diag, here(r), "found a number of %zu characters, expected at most %zu", len, sizeof buf - 1);
	memcpy(buf, r->p, len);
	buf[len] = '\0';
	errno = 0;
	double value = strtod(buf, NULL);
	if (errno == ERANGE && isinf(value))
		return vr_diag_at(r->diag, here(r), "found the number %s, expected one within the range of a double", buf);
	/* The text after a number is a separator, a bracket, space or the
	 * text's NUL, never rewritten: json_number reads it again. */
	n->text = r->p;
	r->p = (char *)q;
	return 0;
}

static int read_literal(reader *r, const char *word)
{
	size_t len = strlen(word);
	if ((size_t)(r->end - r->p) < len || memcmp(r->p, word, len) != 0)
		return expected(r, "a value (object, array, string, number, true, false or null)");
	r->p += len;
	return 0;
}

static int read_value(reader *r, int depth)
{
	skip_space(r);
	if (depth > JSON_DEPTH_MAX)
		return vr_diag_at(r->diag, here(r), "found values nested deeper than %d levels, expected at most %d",
				  JSON_DEPTH_MAX, JSON_DEPTH_MAX);
	if (r->p >= r->end)
		return expected(r, "a value (object, array, string, number, true, false or null)");
	char c = *r->p;
	json_type type = c == '{' ? JSON_OBJECT : c == '[' ? JSON_ARRAY : c == '"' ? JSON_STRING
		       : c == 't' ? JSON_TRUE : c == 'f' ? JSON_FALSE : c == 'n' ? JSON_NULL : JSON_NUMBER;
	json_node *n = new_node(r, type);
	if (!n)
		return -1;
	switch (type) {
	case JSON_OBJECT: return read_container(r, n, '}', depth);
	case JSON_ARRAY: return read_container(r, n, ']', depth);
	case JSON_STRING: return read_string(r, n);
	case JSON_TRUE: return read_literal(r, "true");
	case JSON_FALSE: return read_literal(r, "false");
	case JSON_NULL: return read_literal(r, "null");
	case JSON_NUMBER: return read_number(r, n);
	}
	return -1;
}

/* Allocate the node array and the string buffer at the sizes measure()
 * found, and account for them. */
static int allocate(json_doc *doc, size_t length, size_t *nodes_max, vr_diag *diag)
{
	size_t string_bytes;
	measure(doc->text, length, nodes_max, &string_bytes);
	doc->root = malloc(*nodes_max * sizeof *doc->root);
	doc->strings = string_bytes ? malloc(string_bytes) : NULL;
	doc->bytes_allocated += *nodes_max * sizeof *doc->root + string_bytes;
	if (!doc->root || (string_bytes && !doc->strings))
		return vr_diag_at(diag, (vr_where){doc->file, 0, 0}, "out of memory");
	return 0;
}

/* Parse DOC->text (LENGTH bytes and a NUL, owned by DOC) into DOC. */
static int parse(json_doc *doc, size_t length, vr_diag *diag)
{
	reader r = {.text = doc->text, .end = doc->text + length, .p = doc->text, .file = doc->file, .line = doc->first_line,
		    .line_start = doc->text, .doc = doc, .diag = diag};
	if (allocate(doc, length, &r.nodes_max, diag) != 0)
		return -1;
	/* A UTF-8 byte-order mark is tolerated, as RFC 8259 allows parsers to. */
	if (length >= 3 && memcmp(r.text, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3;
	int rc = read_value(&r, 0);
	if (rc == 0) {
		skip_space(&r);
		if (r.p < r.end)
			rc = expected(&r, "the end of the file after the top-level value");
	}
	return rc;
}

/* Take TEXT (LENGTH bytes and a NUL, heap) into OUT and parse it. */
static int load(const char *file, unsigned first_line, char *text, size_t length, json_doc *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->first_line = first_line;
	out->text = text;
	out->file = strdup(file);
	out->bytes_allocated = length + 1 + strlen(file) + 1;
	int rc;
	if (!out->file)
		rc = vr_diag_at(diag, (vr_where){file, 0, 0}, "out of memory");
	else if (length > JSON_BYTES_MAX)
		rc = vr_diag_at(diag, (vr_where){file, 0, 0}, "found %zu bytes, expected at most %zu MiB", length, JSON_BYTES_MAX >> 20);
	else
		rc = parse(out, length, diag);
	if (rc != 0) {
		/* Messages may point at the file name: keep it until the caller is
		 * done with DIAG (it was formatted already), then free. */
		json_free(out);
	}
	return rc;
}

int json_load_buffer_at(const char *file, unsigned first_line, const char *text, size_t length, json_doc *out,
			vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	char *copy = malloc(length + 1);
	if (!copy)
		return vr_diag_at(diag, (vr_where){file, 0, 0}, "out of memory");
	memcpy(copy, text, length);
	copy[length] = '\0';
	return load(file, first_line, copy, length, out, diag);
}

int json_load_buffer(const char *file, const char *text, size_t length, json_doc *out, vr_diag *diag)
{
	return json_load_buffer_at(file, 1, text, length, out, diag);
}

int json_load_file(const char *path, json_doc *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	char *text;
	size_t length;
	if (vr_read_file(path, JSON_BYTES_MAX, "a results file", &text, &length, diag) != 0)
		return -1;
	return load(path, 1, text, length, out, diag);
}

void json_free(json_doc *doc)
{
	free(doc->root);
	free(doc->text);
	free(doc->strings);
	free(doc->file);
	memset(doc, 0, sizeof *doc);
}

const json_node *json_first(const json_node *array)
{
	return array && (array->type == JSON_ARRAY || array->type == JSON_OBJECT) && array->span > 1 ? array + 1 : NULL;
}

const json_node *json_next(const json_node *array, const json_node *item)
{
	const json_node *next = item + item->span;
	return next < array + array->span ? next : NULL;
}

const json_node *json_get(const json_node *object, const char *key)
{
	if (!object || object->type != JSON_OBJECT)
		return NULL;
	for (const json_node *name = json_first(object); name; name = json_next(object, name + 1))
		if (strcmp(name->text, key) == 0)
			return name + 1;
	return NULL;
}

size_t json_count(const json_node *node)
{
	size_t count = 0;
	for (const json_node *item = json_first(node); item; item = json_next(node, item))
		count++;
	return node && node->type == JSON_OBJECT ? count / 2 : count;
}

const json_node *json_item(const json_node *array, size_t index)
{
	const json_node *item = json_first(array);
	while (item && index--)
		item = json_next(array, item);
	return item;
}

double json_number(const json_node *node)
{
	return node->type == JSON_NUMBER ? strtod(node->text, NULL) : 0;
}

vr_where json_where(const json_doc *doc, const json_node *node)
{
	unsigned line = doc->first_line;
	const char *line_start = doc->text;
	for (const char *p = doc->text; p < doc->text + node->offset; p++)
		if (*p == '\n') {
			line++;
			line_start = p + 1;
		}
	return (vr_where){doc->file, line, (unsigned)(doc->text + node->offset - line_start) + 1};
}

const char *json_type_name(json_type type)
{
	static const char *const names[] = {
		[JSON_NULL] = "null", [JSON_FALSE] = "false", [JSON_TRUE] = "true", [JSON_NUMBER] = "a number",
		[JSON_STRING] = "a string", [JSON_ARRAY] = "an array", [JSON_OBJECT] = "an object",
	};
	return names[type];
}
