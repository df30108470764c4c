/*
 * yaml_read.c - typed reads with located errors; the vocabulary every strict
 * loader speaks.
 */
#include "input/yaml_read.h"

#include <stdio.h>
#include <string.h>

/* Shorten what the user wrote for quoting in a one-line message. */
static const char *quoted_text(const yt_node *node, char *buf, size_t len)
{
	if (node->type != YT_SCALAR) {
		snprintf(buf, len, "%s", yt_type_name(node->type));
		return buf;
	}
	if (strlen(node->text) > 40)
		snprintf(buf, len, "'%.37s...'", node->text);
	else
		snprintf(buf, len, "'%s'", node->text);
	return buf;
}

int yr_expect(const yt_node *node, yt_type type, const char *what, vr_diag *diag)
{
	if (node->type == type)
		return 0;
	char found[64];
	return vr_diag_at(diag, node->where, "found %s for %s, expected %s",
			  quoted_text(node, found, sizeof found), what, yt_type_name(type));
}

int yr_document(const yt_node *root, const char *const *keys, const char *what, vr_diag *diag)
{
	const yt_node *kind;
	if (root->type != YT_MAP)
		return vr_diag_at(diag, root->where, "found %s for %s, expected a mapping", yt_type_name(root->type), what);
	/* A misspelt kind key ("scenaro:") still says what the file is meant
	 * to be: then the unknown keys are named, with their suggestions. */
	const char *const kind_key[] = {keys[0], NULL};
	int misspelt = 0;
	for (size_t i = 0; i < root->count; i++)
		misspelt |= vr_nearest(root->keys[i]->text, kind_key) != NULL;
	if (!misspelt && yr_required(root, keys[0], what, &kind, diag) != 0)
		return -1;
	return yr_known_keys(root, keys, what, diag);
}

int vr_is_identifier(const char *text)
{
	return text[0] != '\0' &&
	       text[strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")] == '\0';
}

void yr_join(const char *const *words, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; words[i] && used < len; i++) {
		const char *sep = i == 0 ? "" : (words[i + 1] ? ", " : " or ");
		int n = snprintf(buf + used, len - used, "%s%s", sep, words[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int yr_known_keys(const yt_node *map, const char *const *allowed, const char *what,
		  vr_diag *diag)
{
	for (size_t i = 0; i < map->count; i++) {
		const char *key = map->keys[i]->text;
		int known = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				known = 1;
		if (known)
			continue;
		const char *near = vr_nearest(key, allowed);
		if (near)
			return vr_diag_at(diag, map->keys[i]->where,
					  "found unknown key '%s' in %s, expected '%s' (did you mean '%s'?)",
					  key, what, near, near);
		char list[512];
		yr_join(allowed, list, sizeof list);
		return vr_diag_at(diag, map->keys[i]->where,
				  "found unknown key '%s' in %s, expected one of %s", key, what, list);
	}
	return 0;
}

int yr_required(const yt_node *map, const char *key, const char *what,
		const yt_node **out, vr_diag *diag)
{
	*out = yt_get(map, key);
	if (*out)
		return 0;
	return vr_diag_at(diag, map->where, "found %s without '%s', expected the key '%s' (required)",
			  what, key, key);
}

int yr_string(const yt_node *node, const char *what, const char **out, vr_diag *diag)
{
	if (yr_expect(node, YT_SCALAR, what, diag) != 0)
		return -1;
	if (node->text[0] == '\0')
		return vr_diag_at(diag, node->where, "found an empty value for %s, expected text", what);
	*out = node->text;
	return 0;
}

int yr_quantity(const yt_node *node, vr_qkind kind, const char *what,
		vr_quantity *out, vr_diag *diag)
{
	if (yr_expect(node, YT_SCALAR, what, diag) != 0)
		return -1;
	char expected[160];
	if (vr_parse_quantity(node->text, kind, out, expected, sizeof expected) == 0)
		return 0;
	char found[64];
	return vr_diag_at(diag, node->where, "found %s for %s, expected %s",
			  quoted_text(node, found, sizeof found), what, expected);
}

int yr_count(const yt_node *node, const char *what, unsigned long long min,
	     unsigned long long max, unsigned long long *out, vr_diag *diag)
{
	vr_quantity q;
	if (yr_quantity(node, VR_Q_COUNT, what, &q, diag) != 0)
		return -1;
	if (q.value < (double)min || q.value > (double)max) {
		char found[64];
		return vr_diag_at(diag, node->where, "found %s for %s, expected a whole number from %llu to %llu",
				  quoted_text(node, found, sizeof found), what, min, max);
	}
	*out = (unsigned long long)q.value;
	return 0;
}

int yr_choice(const yt_node *node, const char *what, const char *const *choices,
	      int *out, vr_diag *diag)
{
	if (yr_expect(node, YT_SCALAR, what, diag) != 0)
		return -1;
	for (int i = 0; choices[i]; i++)
		if (strcmp(choices[i], node->text) == 0) {
			*out = i;
			return 0;
		}
	char list[512], found[64];
	yr_join(choices, list, sizeof list);
	const char *near = vr_nearest(node->text, choices);
	if (near)
		return vr_diag_at(diag, node->where, "found %s for %s, expected one of %s (did you mean '%s'?)",
				  quoted_text(node, found, sizeof found), what, list, near);
	return vr_diag_at(diag, node->where, "found %s for %s, expected one of %s",
			  quoted_text(node, found, sizeof found), what, list);
}
