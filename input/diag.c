/*
 * diag.c - formatting of located user errors and "did you mean" suggestions.
 */
#include "input/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vr_diag_clear(vr_diag *diag)
{
	diag->failed = 0;
	diag->message[0] = '\0';
}

int vr_diag_at(vr_diag *diag, vr_where where, const char *fmt, ...)
{
	if (diag->failed)
		return -1;
	diag->failed = 1;
	int used;
	if (where.line > 0)
		used = snprintf(diag->message, sizeof diag->message, "%s:%u:%u: ",
				where.file, where.line, where.column);
	else
		used = snprintf(diag->message, sizeof diag->message, "%s: ",
				where.file ? where.file : "vrdmasim");
	if (used < 0 || (size_t)used >= sizeof diag->message)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(diag->message + used, sizeof diag->message - (size_t)used, fmt, ap);
	va_end(ap);
	return -1;
}

/* Levenshtein distance, bounded to short identifiers (longer ones never match). */
static size_t edit_distance(const char *a, const char *b)
{
	enum { LONGEST = 64 };
	size_t la = strlen(a), lb = strlen(b);
	if (la > LONGEST || lb > LONGEST)
		return (size_t)-1;
	size_t row[LONGEST + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t above = row[j];
			size_t substitute = diagonal + (a[i - 1] != b[j - 1]);
			size_t best = above + 1 < row[j - 1] + 1 ? above + 1 : row[j - 1] + 1;
			row[j] = substitute < best ? substitute : best;
			diagonal = above;
		}
	}
	return row[lb];
}

const char *vr_nearest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_distance = (size_t)-1;
	for (; *candidates; candidates++) {
		size_t d = edit_distance(word, *candidates);
		if (d < best_distance) {
			best_distance = d;
			best = *candidates;
		}
	}
	/* A typo changes a few characters; beyond a third of the word it is
	 * another word and a suggestion would mislead. */
	size_t allowed = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2;
	return best_distance <= allowed ? best : NULL;
}
