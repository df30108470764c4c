/*
 * fields.c - fields.def expanded: the field table, values, text columns.
 */
#include "output/fields.h"

static const double NS_PER_US = 1e3;
static const double BYTES_PER_MB = 1048576.0;   /* perftest's MB/sec */
static const double BITS_PER_GBIT = 1e9;        /* perftest's Gb/sec (--report_gbits) */

const char *const vr_field_group_keys[FIELD_GROUP_COUNT] = {
	[GROUP_TOP] = NULL, [GROUP_ONE_WAY] = "one_way_us", [GROUP_BANDWIDTH] = "bandwidth",
	[GROUP_PER_MESSAGE] = "per_message_us",
};

const char *const vr_field_tests_names[3] = {
	[FIELD_ALL] = "all", [FIELD_LATENCY] = "latency", [FIELD_BANDWIDTH] = "bandwidth",
};

const vr_field_info vr_fields[FIELD_COUNT] = {
#define VR_FIELD(id, tests, group, line, key, csv, type, format, unit, value, meaning) \
	[FIELD_##id] = {FIELD_##tests, GROUP_##group, line, key, csv, FIELD_##type, format, unit, meaning},
#define NEW_LINE 1
#define SAME_LINE 0
#include "output/fields.def"
#undef SAME_LINE
#undef NEW_LINE
#undef VR_FIELD
};

#define VALUE_STRING(x) ((vr_field_value){.text = (x)})
#define VALUE_UINT(x) ((vr_field_value){.count = (x)})
#define VALUE_NUMBER(x) ((vr_field_value){.number = (x)})

vr_field_value vr_field_get(const vr_run *run, const vr_result *r, vr_field field)
{
	const scn_workload *w = &run->scenario->workloads[r->workload];
	switch (field) {
#define VR_FIELD(id, tests, group, line, key, csv, type, format, unit, value, meaning) \
	case FIELD_##id:                                                                   \
		return VALUE_##type(value);
#include "output/fields.def"
#undef VR_FIELD
	case FIELD_COUNT:
		break;
	}
	return VALUE_NUMBER(0.0);
}

int vr_field_applies(vr_field_tests tests, int bandwidth)
{
	return tests == FIELD_ALL || tests == (bandwidth ? FIELD_BANDWIDTH : FIELD_LATENCY);
}

/* the text columns alone */
#define VR_FIELD(id, tests, group, line, key, csv, type, format, unit, value, meaning)
const vr_text_column vr_text_columns[VR_TEXT_COLUMN_COUNT] = {
#define VR_TEXT_COLUMN(tests, id, header, format) {FIELD_##tests, FIELD_##id, header, format},
#include "output/fields.def"
#undef VR_TEXT_COLUMN
};
#undef VR_FIELD
