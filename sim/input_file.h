/*
 * input_file.h - reading a whole input file (a scenario, a preset, an
 * option, a results file) into memory, with the errors users see.
 */
#ifndef VR_INPUT_FILE_H
#define VR_INPUT_FILE_H

#include <stddef.h>

#include "sim/diag.h"

/* Read all of PATH into *TEXT (NUL-terminated; free() it) and *LENGTH.
 * Files above MAX_BYTES are refused, not risked: WHAT names the kind of
 * file expected ("a small YAML file").  Returns 0, or -1 with DIAG filled
 * and nothing to free. */
int vr_read_file(const char *path, size_t max_bytes, const char *what, char **text, size_t *length, vr_diag *diag);

#endif
