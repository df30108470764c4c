/*
 * json_seq.c - a file of JSON objects, each starting a line (json_seq.h).
 *
 * The split is a scan of brackets outside strings: it only finds where an
 * object seems to end; the reader then parses that span strictly, so an
 * unbalanced or malformed object is reported by the reader, located.
 */
#include "input/json_seq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/file.h"

/* Index just after the bracket that closes the value opening at START, or
 * LENGTH when the text ends first. */
static size_t object_end(const char *text, size_t length, size_t start)
{
	long depth = 0;
	for (size_t i = start; i < length; i++) {
		char c = text[i];
		if (c == '"') {
			for (i++; i < length && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			return i + 1;
		}
	}
	return length;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int refuse(const char *path, unsigned line, unsigned column, char c, const char *expected, vr_diag *diag)
{
	char found[32];
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
		snprintf(found, sizeof found, "'%c'", c);
	else
		snprintf(found, sizeof found, "byte 0x%02x", (unsigned char)c);
	return vr_diag_at(diag, (vr_where){path, line, column}, "found %s, expected %s", found, expected);
}

/* Parse the object on the line that starts at TEXT[*AT] (line *LINE; only
 * blanks before the object) and hand it to EACH; advance *AT past it and
 * the blanks after it on its last line. */
static int one_object(const char *path, const char *text, size_t length, size_t *at, unsigned *line,
		      json_seq_each each, void *context, vr_diag *diag)
{
	size_t open = *at;
	while (text[open] != '{')
		open++;
	size_t end = object_end(text, length, open);
	json_doc doc;
	if (json_load_buffer_at(path, *line, text + *at, end - *at, &doc, diag) != 0)
		return -1;
	int rc = each(&doc, context, diag);
	json_free(&doc);
	if (rc != 0)
		return -1;
	size_t column = 1;
	for (size_t i = *at; i < end; i++, column++)
		if (text[i] == '\n') {
			(*line)++;
			column = 0;
		}
	for (; end < length && is_blank(text[end]); end++)
		column++;
	*at = end;
	if (end < length && text[end] != '\n')
		return refuse(path, *line, (unsigned)column, text[end], "the end of the line after an object (each object starts a line of its own)", diag);
	return 0;
}

long json_seq_read(const char *path, const char *what, json_seq_each each, void *context, vr_diag *diag)
{
	char *text;
	size_t length;
	if (vr_read_file(path, JSON_BYTES_MAX, what, &text, &length, diag) != 0)
		return -1;
	long objects = 0;
	unsigned line = 1, column = 1;
	size_t at = 0;
	int rc = 0;
	if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		at = 3;   /* a UTF-8 byte-order mark, as the reader tolerates */
	while (rc == 0 && at < length) {
		char c = text[at];
		if (c == '\n') {
			line++;
			column = 1;
			at++;
		} else if (is_blank(c)) {
			column++;
			at++;
		} else if (c != '{') {
			rc = refuse(path, line, column, c, "'{' starting an object", diag);
		} else {
			at -= column - 1;   /* from the start of its line: the reader counts the columns */
			rc = one_object(path, text, length, &at, &line, each, context, diag);
			objects++;
			column = 1;
		}
	}
	free(text);
	if (rc == 0 && objects == 0)
		rc = vr_diag_at(diag, (vr_where){path, line, column}, "found the end of the file, expected %s: a JSON object", what);
	return rc == 0 ? objects : -1;
}
