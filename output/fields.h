/*
 * fields.h - the fields of a result (fields.def) as data the writers
 * iterate: which results have each, where JSON puts it, its CSV column, its
 * value; and perftest's text columns.
 */
#ifndef VR_FIELDS_H
#define VR_FIELDS_H

#include "sim/results.h"

typedef enum vr_field {
#define VR_FIELD(id, tests, group, line, key, csv, type, format, unit, value, meaning) FIELD_##id,
#include "output/fields.def"
#undef VR_FIELD
	FIELD_COUNT
} vr_field;

typedef enum vr_field_tests { FIELD_ALL, FIELD_LATENCY, FIELD_BANDWIDTH } vr_field_tests;
typedef enum vr_field_group { GROUP_TOP, GROUP_ONE_WAY, GROUP_BANDWIDTH, GROUP_PER_MESSAGE, FIELD_GROUP_COUNT } vr_field_group;
typedef enum vr_field_type { FIELD_STRING, FIELD_UINT, FIELD_NUMBER } vr_field_type;

typedef struct vr_field_info {
	vr_field_tests tests;
	vr_field_group group;
	int new_line;            /* JSON starts a line with it (or its group) */
	const char *key;         /* JSON key, within its group */
	const char *csv;         /* CSV column */
	vr_field_type type;
	const char *format;      /* a NUMBER's printf conversion, JSON and CSV */
	const char *unit;        /* "" for names */
	const char *meaning;
} vr_field_info;

extern const vr_field_info vr_fields[FIELD_COUNT];
extern const char *const vr_field_group_keys[FIELD_GROUP_COUNT];   /* NULL, "one_way_us", ... */
extern const char *const vr_field_tests_names[3];                  /* "all", "latency", "bandwidth" */

/* One field's value: TEXT for a STRING, COUNT for a UINT, NUMBER for a
 * NUMBER. */
typedef struct vr_field_value {
	const char *text;
	unsigned long long count;
	double number;
} vr_field_value;

vr_field_value vr_field_get(const vr_run *run, const vr_result *r, vr_field field);

/* Do the results of a bandwidth test (BANDWIDTH 1) or a latency test
 * (0) have fields (or text columns) for TESTS? */
int vr_field_applies(vr_field_tests tests, int bandwidth);

/* perftest's text tables: the columns of latency tests, then of bandwidth
 * tests (a result's are those whose TESTS it is). */
typedef struct vr_text_column {
	vr_field_tests tests;
	vr_field field;
	const char *header;      /* with the spacing before it */
	const char *format;      /* printf conversion of the value, with the spacing before it */
} vr_text_column;

enum {
#define VR_FIELD(id, tests, group, line, key, csv, type, format, unit, value, meaning)
#define VR_TEXT_COLUMN(tests, id, header, format) + 1
	VR_TEXT_COLUMN_COUNT = 0
#include "output/fields.def"
#undef VR_TEXT_COLUMN
#undef VR_FIELD
};

extern const vr_text_column vr_text_columns[VR_TEXT_COLUMN_COUNT];

#endif
