/*
 * input_file.c - whole-file reads with a size limit.
 */
#include "sim/input_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int refuse(FILE *f, char *text, vr_diag *diag, const char *path, const char *message, const char *detail)
{
	free(text);
	fclose(f);
	return vr_diag_at(diag, (vr_where){path, 0, 0}, "%s%s", message, detail);
}

int vr_read_file(const char *path, size_t max_bytes, const char *what, char **out, size_t *length, vr_diag *diag)
{
	*out = NULL;
	*length = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot open the file: %s", strerror(errno));
	char *text = NULL;
	size_t capacity = 0;
	for (;;) {
		if (*length + 1 >= capacity) {
			size_t grown_capacity = capacity ? capacity * 2 : 4096;
			if (capacity > max_bytes) {
				char detail[160];
				snprintf(detail, sizeof detail, "found a file larger than %zu MiB, expected %s", max_bytes >> 20, what);
				return refuse(f, text, diag, path, "", detail);
			}
			char *grown = realloc(text, grown_capacity);
			if (!grown)
				return refuse(f, text, diag, path, "out of memory", "");
			text = grown;
			capacity = grown_capacity;
		}
		size_t got = fread(text + *length, 1, capacity - 1 - *length, f);
		*length += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		return refuse(f, text, diag, path, "cannot read the file: ", strerror(errno));
	fclose(f);
	if (*length > max_bytes) {
		free(text);
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "found a file larger than %zu MiB, expected %s", max_bytes >> 20, what);
	}
	text[*length] = '\0';
	*out = text;
	return 0;
}
