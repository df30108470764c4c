/*
 * yaml_quote.h - a string as one double-quoted YAML scalar.
 *
 * For the YAML this project writes by hand (calibration overlays, dataset
 * metadata): quotes and backslashes are escaped, control characters
 * (newlines, tabs, escapes) become spaces, so whatever a command line, a
 * CPU's model name or a file name holds, the scalar stays on its line and
 * the document stays valid.
 */
#ifndef VR_YAML_QUOTE_H
#define VR_YAML_QUOTE_H

#include <stdio.h>

void vr_yaml_quoted(FILE *out, const char *text);

#endif
