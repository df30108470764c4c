/*
 * common/json_write.c - see json_write.h.
 */
#include "common/json_write.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void json_write_init(json_writer *w, FILE *out)
{
	*w = (json_writer){.out = out, .break_indent = -1};
}

void json_write_break(json_writer *w, int indent)
{
	w->break_indent = indent;
}

/* The pending line break, if any: a newline and its indentation. */
static void put_break(json_writer *w)
{
	if (w->break_indent < 0)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->break_indent; i++)
		fputc(' ', w->out);
	w->break_indent = -1;
}

/* Before a key, or a value that has no key: the comma after an earlier
 * item, then the pending break or (after a comma) one space. */
static void before_item(json_writer *w)
{
	int follows = w->depth > 0 && w->has_items[w->depth - 1];
	if (w->depth > 0)
		w->has_items[w->depth - 1] = 1;
	if (follows)
		fputc(',', w->out);
	if (w->break_indent >= 0)
		put_break(w);
	else if (follows)
		fputc(' ', w->out);
}

/* Before any value: a value after a key follows its ": " directly. */
static void before_value(json_writer *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	before_item(w);
}

static void container_open(json_writer *w, char bracket)
{
	before_value(w);
	fputc(bracket, w->out);
	if (w->depth == JSON_WRITE_DEPTH_MAX) {
		w->failed = 1;   /* still written; the depth stops counting */
		return;
	}
	w->has_items[w->depth++] = 0;
}

static void container_close(json_writer *w, char bracket)
{
	put_break(w);
	fputc(bracket, w->out);
	if (w->depth > 0)
		w->depth--;
}

void json_write_object_begin(json_writer *w)
{
	container_open(w, '{');
}

void json_write_object_end(json_writer *w)
{
	container_close(w, '}');
}

void json_write_array_begin(json_writer *w)
{
	container_open(w, '[');
}

void json_write_array_end(json_writer *w)
{
	container_close(w, ']');
}

/* The one escaper. */
static void put_escaped(FILE *out, const char *text, size_t length)
{
	fputc('"', out);
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void json_put_string(FILE *out, const char *text)
{
	put_escaped(out, text, strlen(text));
}

void json_write_key_n(json_writer *w, const char *key, size_t length)
{
	before_item(w);
	put_escaped(w->out, key, length);
	fputs(": ", w->out);
	w->after_key = 1;
}

void json_write_key(json_writer *w, const char *key)
{
	json_write_key_n(w, key, strlen(key));
}

void json_write_string_n(json_writer *w, const char *text, size_t length)
{
	before_value(w);
	put_escaped(w->out, text, length);
}

void json_write_string(json_writer *w, const char *text)
{
	json_write_string_n(w, text, strlen(text));
}

void json_write_int(json_writer *w, long long value)
{
	before_value(w);
	fprintf(w->out, "%lld", value);
}

void json_write_uint(json_writer *w, unsigned long long value)
{
	before_value(w);
	fprintf(w->out, "%llu", value);
}

void json_write_uint_scaled(json_writer *w, uint64_t value, unsigned decimals)
{
	uint64_t scale = 1;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	before_value(w);
	if (decimals == 0)
		fprintf(w->out, "%" PRIu64, value);
	else
		fprintf(w->out, "%" PRIu64 ".%0*" PRIu64, value / scale, (int)decimals, value % scale);
}

int json_write_double(json_writer *w, const char *format, double value)
{
	before_value(w);
	if (!isfinite(value)) {
		fputs("null", w->out);
		w->failed = 1;
		return -1;
	}
	fprintf(w->out, format, value);
	return 0;
}

void json_write_bool(json_writer *w, int value)
{
	before_value(w);
	fputs(value ? "true" : "false", w->out);
}

void json_write_null(json_writer *w)
{
	before_value(w);
	fputs("null", w->out);
}

void json_write_key_string(json_writer *w, const char *key, const char *text)
{
	json_write_key(w, key);
	json_write_string(w, text);
}

void json_write_key_uint(json_writer *w, const char *key, unsigned long long value)
{
	json_write_key(w, key);
	json_write_uint(w, value);
}

int json_write_key_double(json_writer *w, const char *key, const char *format, double value)
{
	json_write_key(w, key);
	return json_write_double(w, format, value);
}

void json_write_end_document(json_writer *w)
{
	put_break(w);
	fputc('\n', w->out);
}

int json_write_failed(const json_writer *w)
{
	return w->failed;
}
