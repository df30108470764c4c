/*
 * yaml_read.h - typed, located reads from a yt_node tree for the strict
 * loaders (scenario, preset, option).  Each returns 0, or -1 after writing a
 * "FILE:LINE:COL: found X, expected Y" message into DIAG.
 * WHAT names the thing being read, for messages ("the workload", "a stage").
 */
#ifndef VR_YAML_READ_H
#define VR_YAML_READ_H

#include "input/diag.h"
#include "input/units.h"
#include "input/yaml_tree.h"

/* NODE must be of TYPE. */
int yr_expect(const yt_node *node, yt_type type, const char *what, vr_diag *diag);

/* Every key of MAP must be in ALLOWED (NULL-terminated); an unknown key is
 * reported with the nearest allowed one as a suggestion. */
int yr_known_keys(const yt_node *map, const char *const *allowed, const char *what,
		  vr_diag *diag);

/* The root of a file of one kind: a mapping that holds KEYS[0], the key
 * that says what the file is ("preset", "option", "scenario"), and no key
 * outside KEYS (NULL-terminated).  Until the file has shown itself to be
 * of that kind nothing it contains is quoted: a file named by mistake (or
 * on purpose: "preset: /etc/shadow") is not echoed into a message. */
int yr_document(const yt_node *root, const char *const *keys, const char *what, vr_diag *diag);

/* The value of a key that must be present; OUT receives it. */
int yr_required(const yt_node *map, const char *key, const char *what,
		const yt_node **out, vr_diag *diag);

/* A non-empty scalar string. */
int yr_string(const yt_node *node, const char *what, const char **out, vr_diag *diag);

/* A quantity of KIND (see units.h). */
int yr_quantity(const yt_node *node, vr_qkind kind, const char *what,
		vr_quantity *out, vr_diag *diag);

/* A whole number in [MIN, MAX]. */
int yr_count(const yt_node *node, const char *what, unsigned long long min,
	     unsigned long long max, unsigned long long *out, vr_diag *diag);

/* One of CHOICES (NULL-terminated); OUT receives its index. */
int yr_choice(const yt_node *node, const char *what, const char *const *choices,
	      int *out, vr_diag *diag);

/* Is TEXT made of letters, digits, '_', '.' and '-' only (a name that is
 * safe in XML attributes, CSV fields and file names)? */
int vr_is_identifier(const char *text);

/* Write "a, b or c" into BUF (for "expected one of ..."). */
void yr_join(const char *const *words, char *buf, size_t len);

#endif
