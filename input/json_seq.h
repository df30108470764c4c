/*
 * json_seq.h - a file of JSON objects one after another: JSON lines (one
 * object per line, as a sweep writes its points) or whole documents
 * concatenated (results files joined with cat).  Each object must start a
 * line of its own and nothing but spaces may follow its closing brace on
 * that line.  A file of one object is the ordinary case.
 *
 * Each object is parsed by the strict reader (input/json_read.h) on its
 * own, so the memory bounds hold per object, and every location
 * (json_where, the reader's own messages) is a line and column of the whole
 * file.
 */
#ifndef VR_JSON_SEQ_H
#define VR_JSON_SEQ_H

#include "input/json_read.h"

/* Called with each object of the file in turn; DOC is freed after the call
 * (copy what you keep).  Return 0 to go on, -1 (DIAG filled) to stop. */
typedef int (*json_seq_each)(const json_doc *doc, void *context, vr_diag *diag);

/* Read PATH (remembered as an input: input/file.h) and call EACH with
 * every object.  WHAT names the kind of file in messages ("a results
 * file").  Returns the number of objects (at least 1), or -1 with DIAG
 * filled: a syntax error, an object that does not start a line, a file
 * with no object, or EACH's refusal. */
long json_seq_read(const char *path, const char *what, json_seq_each each, void *context, vr_diag *diag);

#endif
