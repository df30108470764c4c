/*
 * catalog.c - look-up of built-in data files, with file-system fallback.
 */
#include "input/catalog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/yaml_read.h"

const vr_embedded_file *vr_catalog_file(const char *path)
{
	for (const vr_embedded_file *f = vr_embedded_files; f->path; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}

size_t vr_catalog_names(const char *dir, const char **names, size_t max, char storage[][64])
{
	size_t n = 0, dir_len = strlen(dir);
	for (const vr_embedded_file *f = vr_embedded_files; f->path && n + 1 < max; f++) {
		if (strncmp(f->path, dir, dir_len) != 0 || f->path[dir_len] != '/')
			continue;
		const char *base = f->path + dir_len + 1;
		size_t len = strlen(base);
		if (len < 6 || strcmp(base + len - 5, ".yaml") != 0 || len - 5 >= 64)
			continue;
		memcpy(storage[n], base, len - 5);
		storage[n][len - 5] = '\0';
		names[n] = storage[n];
		n++;
	}
	names[n] = NULL;
	return n;
}

int vr_catalog_is_path(const char *name)
{
	size_t len = strlen(name);
	return strchr(name, '/') != NULL || (len > 5 && strcmp(name + len - 5, ".yaml") == 0);
}

/* "did you mean" for a name that is not in the catalogue: the nearest
 * entry, also trying the base name of a path ("x/esxi.yaml" -> "esxi"). */
static const char *suggest(const char *name, const char *const *names)
{
	char base[64];
	const char *slash = strrchr(name, '/');
	snprintf(base, sizeof base, "%s", slash ? slash + 1 : name);
	size_t len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
		base[len - 5] = '\0';
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], base) == 0)
			return names[i];
	return vr_nearest(name, names);
}

static int unknown_entry(const char *dir, const char *kind, const char *name, vr_where where,
			 const char *problem, vr_diag *diag)
{
	const char *names[64];
	char storage[64][64];
	vr_catalog_names(dir, names, 64, storage);
	char list[1024];
	yr_join(names, list, sizeof list);
	const char *near = suggest(name, names);
	if (!names[0])   /* nothing of this kind is built in: files only */
		return vr_diag_at(diag, where, "found %s '%s'%.300s, expected a path to a readable .yaml file", kind, name, problem);
	return vr_diag_at(diag, where, "found %s '%s'%.300s, expected a built-in %s (%s) or a path to a readable .yaml file%s%s%s",
			  kind, name, problem, kind, list, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

void vr_catalog_resolve(const char *name, const char *base_file, char *path, size_t path_bytes)
{
	const char *slash = base_file ? strrchr(base_file, '/') : NULL;
	if (name[0] != '/' && slash)
		snprintf(path, path_bytes, "%.*s/%s", (int)(slash - base_file), base_file, name);
	else
		snprintf(path, path_bytes, "%s", name);
}

int vr_catalog_load(const char *dir, const char *kind, const char *name,
		    const char *base_file, vr_where where, yt_doc *doc, vr_diag *diag)
{
	memset(doc, 0, sizeof *doc);
	if (vr_catalog_is_path(name)) {
		char path[4096];
		vr_catalog_resolve(name, base_file, path, sizeof path);
		struct stat st;
		char problem[4400];
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0) {
			snprintf(problem, sizeof problem, ", but %s: %s", path,
				 stat(path, &st) != 0 ? strerror(errno) : !S_ISREG(st.st_mode) ? "is not a regular file" : "cannot be read");
			return unknown_entry(dir, kind, name, where, problem, diag);
		}
		return yt_load_file(path, doc, diag);
	}
	char path[256];
	snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
	const vr_embedded_file *f = vr_catalog_file(path);
	if (f)
		return yt_load_buffer(path, f->text, f->length, doc, diag);
	return unknown_entry(dir, kind, name, where, "", diag);
}
