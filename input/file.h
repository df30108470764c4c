/*
 * input_file.h - the inputs of one command: opening them (regular files
 * only, read whole with a size limit) and remembering which files they
 * were, so that no output of the command can replace one of them.
 *
 * Every input a command reads from the file system goes through here (a
 * scenario, a preset, an option, an overlay, a replay map, a results file,
 * a perftest output, a CSV of figures) or is noted here after another
 * reader opened it (a trace: vr_input_note).  Files are remembered by
 * device and inode, so "./s.yaml", "s.yaml", a symbolic link and a hard
 * link to it are all the same input.  The list lives for the process (a
 * command is one process); it is not thread-safe: inputs are read before
 * any simulation thread starts.
 */
#ifndef VR_INPUT_FILE_H
#define VR_INPUT_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "input/diag.h"

/* Open PATH for reading, refusing what is not a regular file (a FIFO would
 * block the open forever, a device or a folder is not an input): the
 * check is made on the opened descriptor, which is opened without
 * blocking.  WHAT names the file expected ("a scenario").  Remembers the
 * file as an input.  Returns the stream, or NULL with DIAG filled. */
FILE *vr_input_open(const char *path, const char *what, vr_diag *diag);

/* Read all of PATH (through vr_input_open) into *TEXT (NUL-terminated;
 * free() it) and *LENGTH.  Files above MAX_BYTES are refused, not risked:
 * WHAT names the kind of file expected ("a small YAML file").  Returns 0,
 * or -1 with DIAG filled and nothing to free. */
int vr_read_file(const char *path, size_t max_bytes, const char *what, char **text, size_t *length, vr_diag *diag);

/* Remember PATH, opened by another reader as the file DEVICE/INODE, as an
 * input.  Returns 0, or -1 with DIAG filled (out of memory). */
int vr_input_note(const char *path, dev_t device, ino_t inode, vr_diag *diag);

/* May PATH be written as an output?  Refuses an empty path, and a path
 * that names (after symbolic links) one of the inputs read so far, naming
 * both paths.  A path that does not exist yet is not an input.  LABEL
 * says which output it is ("--out").  Returns 0, or -1 with DIAG filled. */
int vr_output_check(const char *path, const char *label, vr_diag *diag);

/* Forget every input (tests that run several commands in one process). */
void vr_inputs_forget(void);

#endif
