/*
 * json.c - recursive-descent JSON reader with positions.
 */
#include "sim/json.h"

#include "sim/input_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
	const char *text, *end, *p;
	const char *file;
	unsigned line;
	const char *line_start;
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

static void skip_space(reader *r)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (c == '\n') {
			r->line++;
			r->line_start = r->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		r->p++;
	}
}

static json_node *new_node(reader *r, json_type type)
{
	json_node *n = calloc(1, sizeof *n);
	if (!n) {
		vr_diag_at(r->diag, here(r), "out of memory");
		return NULL;
	}
	n->type = type;
	n->where = here(r);
	return n;
}

static void free_node(json_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->count; i++) {
		if (n->keys)
			free(n->keys[i]);
		free_node(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->text);
	free(n);
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

/* A string at r->p (the opening quote); *OUT gets a heap copy. */
static int read_string(reader *r, char **out)
{
	r->p++;
	const char *start = r->p;
	/* Escapes only shrink: the raw length bounds the decoded one. */
	const char *close = start;
	while (close < r->end && *close != '"')
		close += *close == '\\' && close + 1 < r->end ? 2 : 1;
	char *s = malloc((size_t)(close - start) + 1), *w = s;
	if (!s)
		return vr_diag_at(r->diag, here(r), "out of memory");
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p;
		if (c < 0x20) {
			free(s);
			return expected(r, "a character of a string (control characters must be escaped)");
		}
		if (c != '\\') {
			*w++ = (char)c;
			r->p++;
			continue;
		}
		r->p++;
		if (r->p >= r->end)
			break;
		char e = *r->p++;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (simple && e) {
			static const char decoded[] = "\"\\/\b\f\n\r\t";
			*w++ = decoded[simple - "\"\\/bfnrt"];
			continue;
		}
		if (e != 'u' || r->end - r->p < 4) {
			r->p--;
			free(s);
			return expected(r, "an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)");
		}
		unsigned cp = 0;
		for (int k = 0; k < 4; k++) {
			int d = hex_digit(r->p[k]);
			if (d < 0) {
				r->p += k;
				free(s);
				return expected(r, "a hexadecimal digit of a \\u escape");
			}
			cp = cp * 16 + (unsigned)d;
		}
		r->p += 4;
		w += put_utf8(w, cp);   /* surrogates are kept as their code units */
	}
	if (r->p >= r->end) {
		free(s);
		return expected(r, "'\"' closing the string");
	}
	r->p++;
	*w = '\0';
	*out = s;
	return 0;
}

static int read_value(reader *r, json_node **out, int depth);

static int grow(reader *r, json_node *n, size_t *capacity, int with_keys)
{
	if (n->count < *capacity)
		return 0;
	size_t cap = *capacity ? *capacity * 2 : 8;
	json_node **items = realloc(n->items, cap * sizeof *items);
	if (!items)
		return vr_diag_at(r->diag, here(r), "out of memory");
	n->items = items;
	if (with_keys) {
		char **keys = realloc(n->keys, cap * sizeof *keys);
		if (!keys)
			return vr_diag_at(r->diag, here(r), "out of memory");
		n->keys = keys;
	}
	*capacity = cap;
	return 0;
}

/* Members or elements up to CLOSE ('}' or ']'). */
static int read_container(reader *r, json_node *n, char close, int depth)
{
	int object = close == '}';
	size_t capacity = 0;
	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		skip_space(r);
		if (grow(r, n, &capacity, object) != 0)
			return -1;
		if (object) {
			if (r->p >= r->end || *r->p != '"')
				return expected(r, "'\"' starting a member name");
			char *key;
			if (read_string(r, &key) != 0)
				return -1;
			n->keys[n->count] = key;
			n->items[n->count] = NULL;
			n->count++;   /* owned from here: freed with the node */
			skip_space(r);
			if (r->p >= r->end || *r->p != ':') {
				return expected(r, "':' after a member name");
			}
			r->p++;
			if (read_value(r, &n->items[n->count - 1], depth + 1) != 0)
				return -1;
		} else {
			n->items[n->count++] = NULL;
			if (read_value(r, &n->items[n->count - 1], depth + 1) != 0)
				return -1;
		}
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
			r->p = q;
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
			r->p = q;
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
	n->number = strtod(buf, NULL);
	if (errno == ERANGE && isinf(n->number))
		return vr_diag_at(r->diag, here(r), "found the number %s, expected one within the range of a double", buf);
	r->p = q;
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

static int read_value(reader *r, json_node **out, int depth)
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
	*out = n;
	switch (type) {
	case JSON_OBJECT: return read_container(r, n, '}', depth);
	case JSON_ARRAY: return read_container(r, n, ']', depth);
	case JSON_STRING: return read_string(r, &n->text);
	case JSON_TRUE: return read_literal(r, "true");
	case JSON_FALSE: return read_literal(r, "false");
	case JSON_NULL: return read_literal(r, "null");
	case JSON_NUMBER: return read_number(r, n);
	}
	return -1;
}

int json_load_buffer(const char *file, const char *text, size_t length, json_doc *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->file = strdup(file);
	if (!out->file)
		return vr_diag_at(diag, (vr_where){file, 0, 0}, "out of memory");
	reader r = {.text = text, .end = text + length, .p = text, .file = out->file, .line = 1,
		    .line_start = text, .diag = diag};
	/* A UTF-8 byte-order mark is tolerated, as RFC 8259 allows parsers to. */
	if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3;
	int rc = read_value(&r, &out->root, 0);
	if (rc == 0) {
		skip_space(&r);
		if (r.p < r.end)
			rc = expected(&r, "the end of the file after the top-level value");
	}
	if (rc != 0) {
		/* Messages may point at the file name: keep it until the caller is
		 * done with DIAG (it was formatted already), then free. */
		json_free(out);
	}
	return rc;
}

int json_load_file(const char *path, json_doc *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	char *text;
	size_t length;
	if (vr_read_file(path, JSON_BYTES_MAX, "a results file", &text, &length, diag) != 0)
		return -1;
	int rc = json_load_buffer(path, text, length, out, diag);
	free(text);
	return rc;
}

void json_free(json_doc *doc)
{
	free_node(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

const json_node *json_get(const json_node *object, const char *key)
{
	if (!object || object->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < object->count; i++)
		if (strcmp(object->keys[i], key) == 0)
			return object->items[i];
	return NULL;
}

const char *json_type_name(json_type type)
{
	static const char *const names[] = {
		[JSON_NULL] = "null", [JSON_FALSE] = "false", [JSON_TRUE] = "true", [JSON_NUMBER] = "a number",
		[JSON_STRING] = "a string", [JSON_ARRAY] = "an array", [JSON_OBJECT] = "an object",
	};
	return names[type];
}

void json_write_string(const char *text, FILE *out)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}
