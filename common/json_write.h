/*
 * common/json_write.h - the one JSON writer: a streaming emitter of objects,
 * arrays, keys and values to a FILE, with the one string escaper.
 *
 * The writer places the punctuation (",", ": ", the brackets); the caller
 * places the line breaks, so each output keeps the layout people read:
 * json_write_break(w, N) puts a newline and N spaces before the next token
 * (after its comma, if it is an item that follows another), and a single
 * space follows a comma otherwise.  Numbers are written with the printf
 * format the caller gives, so an output stays byte-identical to what its
 * format promised.
 *
 * Non-finite numbers are refused: JSON has no inf or nan.  A refused
 * number is written as null and marks the writer failed (json_write_failed);
 * the writers of results check their numbers first (output/report.c), so a
 * refusal here is an internal error, the last line.
 *
 * Deeper nesting than JSON_WRITE_DEPTH_MAX also marks the writer failed.
 * Write errors are the stream's: check ferror(out) as before.
 */
#ifndef COMMON_JSON_WRITE_H
#define COMMON_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { JSON_WRITE_DEPTH_MAX = 16 };   /* the deepest output (the trace summary) nests 4 */

typedef struct json_writer {
	FILE *out;
	unsigned depth;                            /* open containers */
	unsigned char has_items[JSON_WRITE_DEPTH_MAX]; /* container at each depth has an item yet */
	int after_key;                             /* a key was written: its value comes next */
	int break_indent;                          /* >= 0: newline and this many spaces before the next token */
	int failed;                                /* a non-finite number or too deep a nesting was refused */
} json_writer;

void json_write_init(json_writer *w, FILE *out);

/* A newline and INDENT spaces before the next token (item or closing
 * bracket), in place of the single space after a comma. */
void json_write_break(json_writer *w, int indent);

void json_write_object_begin(json_writer *w);
void json_write_object_end(json_writer *w);
void json_write_array_begin(json_writer *w);
void json_write_array_end(json_writer *w);

/* A key of the open object; its value is the next value written. */
void json_write_key(json_writer *w, const char *key);
void json_write_key_n(json_writer *w, const char *key, size_t length);

/* Values.  Strings go through the one escaper: '"' and '\\' backslashed,
 * newline and tab as \n and \t, other bytes below 0x20 as \u00XX, every
 * other byte (UTF-8 included) as it is. */
void json_write_string(json_writer *w, const char *text);
void json_write_string_n(json_writer *w, const char *text, size_t length);
/* The same escaper for hand-written JSON outside a writer: TEXT quoted. */
void json_put_string(FILE *out, const char *text);
void json_write_int(json_writer *w, long long value);
void json_write_uint(json_writer *w, unsigned long long value);
/* VALUE / 10^DECIMALS, exactly, with DECIMALS digits after the point
 * (1234567, 3 -> 1234.567): a fixed-point count without rounding. */
void json_write_uint_scaled(json_writer *w, uint64_t value, unsigned decimals);
/* VALUE by FORMAT, a printf conversion of one double ("%.6f", "%.9g",
 * "%g").  A non-finite VALUE is refused: null is written, the writer is
 * marked failed, and -1 returned; 0 otherwise. */
int json_write_double(json_writer *w, const char *format, double value);
void json_write_bool(json_writer *w, int value);
void json_write_null(json_writer *w);

/* Convenience: KEY and its value in one call. */
void json_write_key_string(json_writer *w, const char *key, const char *text);
void json_write_key_uint(json_writer *w, const char *key, unsigned long long value);
int json_write_key_double(json_writer *w, const char *key, const char *format, double value);

/* A newline after the document. */
void json_write_end_document(json_writer *w);

/* 1 when a number or a nesting was refused, else 0. */
int json_write_failed(const json_writer *w);

#endif
