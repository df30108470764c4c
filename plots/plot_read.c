/*
 * plot_read.c - checked reads of a results file's values (plot_read.h).
 */
#include "config.h"

#include "plots/plot_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/yaml_read.h"

const json_node *vr_plot_member(const json_doc *doc, const json_node *object, const char *key, json_type type, vr_diag *diag)
{
	const json_node *v = json_get(object, key);
	if (!v) {
		vr_diag_at(diag, json_where(doc, object), "found a result without \"%s\", expected it (docs/results-schema.md)", key);
		return NULL;
	}
	if (v->type != type) {
		vr_diag_at(diag, json_where(doc, v), "found %s for \"%s\", expected a different type (docs/results-schema.md)",
			   json_type_name(v->type), key);
		return NULL;
	}
	return v;
}

int vr_plot_number(const json_doc *doc, const json_node *object, const char *key, double *out, vr_diag *diag)
{
	const json_node *v = vr_plot_member(doc, object, key, JSON_NUMBER, diag);
	if (!v)
		return -1;
	double value = json_number(v);
	if (!(value >= 0) || !isfinite(value))
		return vr_diag_at(diag, json_where(doc, v), "found %g for \"%s\", expected a finite number, zero or more", value, key);
	*out = value;
	return 0;
}

int vr_plot_intern(const json_doc *doc, const json_node *at, const char *what, char list[][MDL_NAME_MAX], size_t *count,
		   size_t max, size_t *out, vr_diag *diag)
{
	const char *name = at->text;
	if (!vr_is_identifier(name) || strlen(name) >= MDL_NAME_MAX)
		return vr_diag_at(diag, json_where(doc, at), "found the %s name '%.60s', expected at most %d letters, digits, '_', '.' and '-'",
				  what, name, MDL_NAME_MAX - 1);
	for (size_t i = 0; i < *count; i++)
		if (strcmp(list[i], name) == 0) {
			*out = i;
			return 0;
		}
	if (*count == max)
		return vr_diag_at(diag, json_where(doc, at), "found more than %zu %s names, expected at most %zu", max, what, max);
	snprintf(list[*count], MDL_NAME_MAX, "%s", name);
	*out = (*count)++;
	return 0;
}

int vr_plot_filter(const char *file, const char *list, const char names[][MDL_NAME_MAX], size_t count, int *shown,
		   vr_diag *diag)
{
	for (size_t o = 0; o < count; o++)
		shown[o] = list == NULL;
	for (const char *item = list; item && *item;) {
		size_t len = strcspn(item, ","), o = 0;
		while (o < count && !(strlen(names[o]) == len && strncmp(names[o], item, len) == 0))
			o++;
		if (o == count) {
			char have[1024] = "";
			for (size_t k = 0; k < count && strlen(have) + MDL_NAME_MAX + 8 < sizeof have; k++)
				snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", k ? ", " : "", names[k]);
			return vr_diag_at(diag, (vr_where){"--options", 0, 0}, "found the option '%.*s', expected options %s holds: %s",
					  (int)(len < 60 ? len : 60), item, file, have);
		}
		shown[o] = 1;
		item += len + (item[len] == ',');
	}
	return 0;
}
