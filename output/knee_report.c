/*
 * knee_report.c - the knee table and the knee report.  See knee_report.h.
 */
#include "output/knee_report.h"

#include <string.h>

#include "common/json_write.h"

enum { KNEE_COLUMNS = 7 };

/* A value of the knee variable, or "-" (table) / null (JSON) for none. */
static const char *value_text(const knee_series *s, long at)
{
	return at < 0 ? "-" : s->obs[at].x_text;
}

/* The series' other coordinates and result, "VAR=VALUE ..." (table). */
static void describe(const knee_series *s, char *buf, size_t len)
{
	buf[0] = '\0';
	const char *parts[2] = {s->result, s->coordinates};
	for (size_t p = 0; p < 2; p++)
		for (const char *c = parts[p]; *c;) {
			size_t used = strlen(buf);
			size_t n = strcspn(c, ",");
			char member[512];
			snprintf(member, sizeof member, "%.*s", (int)n, c);
			/* "KEY":VALUE -> KEY=VALUE, quotes dropped */
			char *colon = strstr(member, "\":");
			if (colon) {
				*colon = '\0';
				const char *value = colon + 2;
				size_t vlen = strlen(value);
				if (vlen >= 2 && value[0] == '"')
					snprintf(buf + used, len - used, "%s%s=%.*s", used ? " " : "", member + 1, (int)(vlen - 2), value + 1);
				else
					snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", member + 1, value);
			}
			c += n + (c[n] == ',');
		}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void print_row(FILE *out, const size_t *width, const char *const *cells)
{
	for (size_t c = 0; c + 1 < KNEE_COLUMNS; c++)
		fprintf(out, "%-*s  ", (int)width[c], cells[c]);
	fprintf(out, "%s\n", cells[KNEE_COLUMNS - 1]);
}

/* A series' cells in the table's column order; AT and ROUNDS hold the two
 * cells made here. */
static void row_cells(const knee_series *s, char *at, size_t at_len, char *rounds, size_t rounds_len,
		      const char *cells[KNEE_COLUMNS])
{
	describe(s, at, at_len);
	snprintf(rounds, rounds_len, "%u", knee_rounds(s));
	const char *row[KNEE_COLUMNS] = {s->preset, s->option, at, value_text(s, s->meets), value_text(s, s->meets),
					 value_text(s, s->fails), rounds};
	memcpy(cells, row, sizeof row);
}

int vr_knee_table(FILE *out, const swp_sweep *sw, const knee_set *set)
{
	static const char *const heads[KNEE_COLUMNS] = {"preset", "option", "at", "knee", "meets_up_to", "fails_from", "rounds"};
	size_t width[KNEE_COLUMNS];
	for (size_t c = 0; c < KNEE_COLUMNS; c++)
		width[c] = strlen(heads[c]);
	char at[1024], rounds[16];
	const char *cells[KNEE_COLUMNS];
	for (size_t i = 0; i < set->count; i++) {
		row_cells(&set->series[i], at, sizeof at, rounds, sizeof rounds, cells);
		for (size_t c = 0; c < KNEE_COLUMNS; c++)
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	fprintf(out, "# knees: the largest %s with %s\n", sw->vars[sw->knee_var].key->text, sw->target.text);
	print_row(out, width, heads);
	for (size_t i = 0; i < set->count; i++) {
		row_cells(&set->series[i], at, sizeof at, rounds, sizeof rounds, cells);
		print_row(out, width, cells);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* A knee variable's value as the sweep's coordinates write it. */
static void write_value(FILE *out, const knee_series *s, long at)
{
	if (at < 0) {
		fputs("null", out);
		return;
	}
	const char *text = s->obs[at].x_text;
	if (strspn(text, "0123456789+-.eE") == strlen(text))
		fputs(text, out);
	else
		json_put_string(out, text);
}

static const char *scenario_name(const swp_sweep *sw)
{
	const yt_node *name = yt_get(sw->doc.root, "scenario");
	return name && name->type == YT_SCALAR ? name->text : "";
}

int vr_knee_json(FILE *out, const swp_sweep *sw, const knee_set *set)
{
	/* every name goes through the JSON escaper; the coordinates and the
	 * result member are JSON already (cut from the sweep's lines) */
	fputs("{\"tool\": \"vrdmasim\", \"kind\": \"knees\", \"scenario\": ", out);
	json_put_string(out, scenario_name(sw));
	fputs(", \"target\": ", out);
	json_put_string(out, sw->target.text);
	fputs(", \"variable\": ", out);
	json_put_string(out, sw->vars[sw->knee_var].key->text);
	fputs(", \"knees\": [", out);
	for (size_t i = 0; i < set->count; i++) {
		const knee_series *s = &set->series[i];
		fputs(i ? ",\n  {\"preset\": " : "\n  {\"preset\": ", out);
		json_put_string(out, s->preset);
		fputs(", \"option\": ", out);
		json_put_string(out, s->option);
		fprintf(out, ", %s%s\"coordinates\": {%s}, \"knee\": ", s->result, s->result[0] ? ", " : "", s->coordinates);
		write_value(out, s, s->meets);
		fputs(", \"meets_up_to\": ", out);
		write_value(out, s, s->meets);
		fputs(", \"fails_from\": ", out);
		write_value(out, s, s->fails);
		fprintf(out, ", \"rounds\": %u}", knee_rounds(s));
	}
	fputs(set->count ? "\n]}\n" : "]}\n", out);
	return ferror(out) ? -1 : 0;
}
