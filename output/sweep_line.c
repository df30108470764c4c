/*
 * sweep_line.c - a sweep point's results line: the run's JSON document made
 * compact, then "point" and "ran".  See sweep_line.h.
 */
#include "output/sweep_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_write.h"
#include "output/report.h"

static const char RAN_KEY[] = ",\"ran\":{";

/* Drop the whitespace outside strings: the document on one line. */
static size_t compact(char *text, size_t length)
{
	size_t out = 0;
	int in_string = 0, escaped = 0;
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (in_string) {
			in_string = escaped || c != '"';
			escaped = !escaped && c == '\\';
		} else if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		else
			in_string = c == '"';
		text[out++] = c;
	}
	return out;
}

static void write_coordinates(json_writer *w, const swp_sweep *sw, size_t index)
{
	json_write_key(w, "coordinates");
	json_write_object_begin(w);
	for (size_t v = 0; v < sw->var_count; v++) {
		const yt_node *value = swp_value(sw, index, v);
		json_write_key(w, sw->vars[v].key->text);
		if (swp_is_number(value))
			json_write_double(w, "%.17g", strtod(value->text, NULL));
		else
			json_write_string(w, value->text);
	}
	json_write_object_end(w);
}

/* ,"point":{...},"ran":{...}} */
static void write_tail(FILE *out, const vr_point_record *p)
{
	json_writer w;
	json_write_init(&w, out);
	json_write_object_begin(&w);
	json_write_key(&w, "point");
	json_write_object_begin(&w);
	json_write_key_uint(&w, "index", p->index);
	json_write_key_uint(&w, "round", p->round);
	write_coordinates(&w, p->sweep, p->index);
	json_write_key_uint(&w, "seed", swp_seed(p->sweep, p->index));
	json_write_object_end(&w);
	json_write_key(&w, "ran");
	json_write_object_begin(&w);
	json_write_key_string(&w, "host", p->host);
	json_write_key_string(&w, "started_utc", p->started_utc);
	json_write_key_double(&w, "elapsed_s", "%.3f", p->elapsed_s);
	json_write_object_end(&w);
	json_write_object_end(&w);
}

int vr_sweep_line(const vr_run *run, const vr_invocation *inv, const vr_point_record *p, char **line, size_t *length,
		  vr_diag *diag)
{
	char *doc = NULL, *tail = NULL;
	size_t doc_len = 0, tail_len = 0;
	FILE *a = open_memstream(&doc, &doc_len), *b = a ? open_memstream(&tail, &tail_len) : NULL;
	int rc = a && b ? vr_report(run, FORMAT_JSON, inv, a, diag) : vr_diag_at(diag, (vr_where){"memory", 0, 0}, "out of memory");
	if (b)
		write_tail(b, p);
	if ((a && fclose(a) != 0) || (b && fclose(b) != 0) || !doc || !tail)
		rc = rc ? rc : vr_diag_at(diag, (vr_where){"memory", 0, 0}, "out of memory");
	if (rc == 0) {
		doc_len = compact(doc, doc_len);
		tail_len = compact(tail, tail_len);
		/* the document's closing '}' gives way to the tail's members */
		while (doc_len && doc[doc_len - 1] != '}')
			doc_len--;
		*line = malloc(doc_len + tail_len + 2);
		if (!*line || doc_len < 2 || tail_len < 2)
			rc = vr_diag_at(diag, (vr_where){"memory", 0, 0}, "out of memory");
	}
	if (rc == 0) {
		memcpy(*line, doc, doc_len - 1);
		(*line)[doc_len - 1] = ',';
		memcpy(*line + doc_len, tail + 1, tail_len - 1);   /* without the tail's '{' */
		*length = doc_len + tail_len - 1;
		(*line)[(*length)++] = '\n';
		(*line)[*length] = '\0';
	}
	free(doc);
	free(tail);
	return rc;
}

size_t vr_sweep_line_without_ran(const char *line, size_t length)
{
	const char *at = NULL;
	for (const char *from = line; (from = memmem(from, length - (size_t)(from - line), RAN_KEY, sizeof RAN_KEY - 1));
	     from++)
		at = from;   /* the last: "ran" is the line's last member */
	return at ? (size_t)(at - line) : length;
}
