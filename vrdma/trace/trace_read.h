/*
 * vrdma/trace/trace_read.h -- a streaming reader of trace files, checking
 * each record as it goes (vrdma-trace, and the simulator's trace replay).
 *
 * Memory is bounded: one buffered file, the configuration text, and one
 * entry per actor instance seen (never per record), so a trace of millions
 * of operations reads in a few hundred kilobytes.
 *
 * Errors name the place, what was found and what was expected:
 *   FILE: byte offset 8: unknown format version 2 (expected 1)
 *   FILE: record 12 at byte offset 712: unknown event kind 99 (expected 1..24)
 * Records are numbered from 0; the offset is the record's first byte.
 *
 * The time check.  An actor instance is one ordered stream of work:
 *   (host, guest, actor)          for guest-vcpu, trap-handler, backend and
 *                                 interrupt;
 *   (host, guest, actor, object)  for hca-requester, hca-responder and
 *                                 hca-completer, whose work is per QP (or
 *                                 per CQ) and may be driven by more than
 *                                 one thread in a hardware-backed HCA.
 * Writers buffer per thread, so records of different instances interleave
 * out of time order; that is not an error.  Within one instance the end
 * time (time_ns + duration_ns) must not decrease: a record is emitted when
 * its work ends (trace.h).  A decrease is reported with both records.
 */
#ifndef VRDMA_TRACE_READ_H
#define VRDMA_TRACE_READ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vrdma/trace/trace.h"

struct vtrace_reader;

/* Open PATH and check its header.  Returns the reader, or NULL with ERR
 * filled ("FILE: byte offset 0: not a vrdma trace (...)").  Only a regular
 * file is opened: a FIFO, a device or a folder is refused without
 * blocking. */
struct vtrace_reader *vtrace_reader_open(const char *path, char *err, size_t err_bytes);

/* The next record into *OUT.  Returns 1 (a record), 0 (clean end of the
 * file) or -1 (ERR filled; the reader stays at the error, call close). */
int vtrace_reader_next(struct vtrace_reader *reader, struct vtrace_record *out, char *err, size_t err_bytes);

/* 0-based number of the record next() last returned or failed on. */
uint64_t vtrace_reader_record_number(const struct vtrace_reader *reader);

/* Byte offset of that record in the file. */
uint64_t vtrace_reader_offset(const struct vtrace_reader *reader);

/* Records returned so far (after the clean end: the record count). */
uint64_t vtrace_reader_count(const struct vtrace_reader *reader);

/* The configuration text, NUL-terminated, owned by the reader. */
const char *vtrace_reader_config(const struct vtrace_reader *reader);

/* The file the reader was opened on, as given. */
const char *vtrace_reader_path(const struct vtrace_reader *reader);

/* The device and inode of the opened file: which file it is, whatever
 * the path said (so an output can be refused when it is this input). */
void vtrace_reader_file_id(const struct vtrace_reader *reader, dev_t *device, ino_t *inode);

void vtrace_reader_close(struct vtrace_reader *reader);

/* Look KEY up in configuration text ("key: value" lines).  Returns 1 with
 * the value (spaces around it removed) in OUT, cut to OUT_BYTES - 1 bytes,
 * or 0 when no line has that key.  The first line with the key wins. */
int vtrace_config_get(const char *config, const char *key, char *out, size_t out_bytes);

#endif
