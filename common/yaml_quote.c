/*
 * yaml_quote.c - see yaml_quote.h.
 */
#include "common/yaml_quote.h"

void vr_yaml_quoted(FILE *out, const char *text)
{
	fputc('"', out);
	for (const char *s = text; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
	}
	fputc('"', out);
}
