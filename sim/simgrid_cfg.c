/*
 * simgrid_cfg.c - the tracing settings of SimGrid 3.32 a run takes, checked
 * before SimGrid sees them (simgrid_cfg.h).
 */
#include "sim/simgrid_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum cfg_type { CFG_BOOLEAN, CFG_PATH, CFG_TEXT, CFG_PRECISION } cfg_type;

/* SimGrid 3.32's tracing settings (`--help-cfg`), but those of SMPI
 * (vrdmasim runs no MPI), tracing/comment-file (a file SimGrid would
 * read) and tracing/platform/topology: SimGrid 3.32 aborts drawing the
 * topology of split-duplex links ("container with name p0-esx-a-hca_UP
 * not found"), so the engine turns it off whenever settings are given. */
static const struct {
	const char *name;
	cfg_type type;
} SETTINGS[] = {
	{"tracing", CFG_BOOLEAN},
	{"tracing/filename", CFG_PATH},
	{"tracing/platform", CFG_BOOLEAN},
	{"tracing/uncategorized", CFG_BOOLEAN},
	{"tracing/categorized", CFG_BOOLEAN},
	{"tracing/actor", CFG_BOOLEAN},
	{"tracing/vm", CFG_BOOLEAN},
	{"tracing/basic", CFG_BOOLEAN},
	{"tracing/disable_link", CFG_BOOLEAN},
	{"tracing/disable_power", CFG_BOOLEAN},
	{"tracing/disable-destroy", CFG_BOOLEAN},
	{"tracing/precision", CFG_PRECISION},
	{"tracing/comment", CFG_TEXT},
};
enum { SETTING_COUNT = sizeof SETTINGS / sizeof SETTINGS[0], VALUE_MAX = 4095 };

/* What SimGrid reads as a boolean: the first half true. */
static const char *const BOOLEANS[] = {"yes", "on", "true", "1", "no", "off", "false", "0"};

static int boolean_value(const char *value)
{
	for (size_t k = 0; k < sizeof BOOLEANS / sizeof BOOLEANS[0]; k++)
		if (strcmp(value, BOOLEANS[k]) == 0)
			return k < 4;
	return -1;
}

/* Printable ASCII only: a value ends up in a trace file's header. */
static int printable(const char *value)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

static int value_ok(cfg_type type, const char *value)
{
	switch (type) {
	case CFG_BOOLEAN: return boolean_value(value) >= 0;
	case CFG_PATH: return value[0] && strlen(value) <= VALUE_MAX && printable(value);
	case CFG_TEXT: return strlen(value) <= VALUE_MAX && printable(value);
	case CFG_PRECISION: return value[0] && strlen(value) <= 2 && strspn(value, "0123456789") == strlen(value) &&
				   atoi(value) <= 15;
	}
	return 0;
}

static const char *const TYPE_EXPECTED[] = {
	[CFG_BOOLEAN] = "yes, no, on, off, true, false, 1 or 0",
	[CFG_PATH] = "a file name (printable characters)",
	[CFG_TEXT] = "printable characters",
	[CFG_PRECISION] = "a number of digits from 0 to 15",
};

int vr_simgrid_cfg_check(const char *setting, char *expected, size_t bytes)
{
	const char *colon = strchr(setting, ':');
	size_t length = colon ? (size_t)(colon - setting) : strlen(setting);
	for (size_t k = 0; k < SETTING_COUNT; k++)
		if (strlen(SETTINGS[k].name) == length && strncmp(SETTINGS[k].name, setting, length) == 0) {
			if (colon && value_ok(SETTINGS[k].type, colon + 1))
				return 0;
			snprintf(expected, bytes, "%s:VALUE with VALUE %s", SETTINGS[k].name, TYPE_EXPECTED[SETTINGS[k].type]);
			return -1;
		}
	size_t used = (size_t)snprintf(expected, bytes, "NAME:VALUE with NAME a SimGrid tracing setting:");
	for (size_t k = 0; k < SETTING_COUNT && used < bytes; k++)
		used += (size_t)snprintf(expected + used, bytes - used, "%s %s", k ? "," : "", SETTINGS[k].name);
	return -1;
}

const char *vr_simgrid_cfg_trace_file(const char *const *settings, size_t count)
{
	int on = 0;
	const char *file = "simgrid.trace";
	for (size_t i = 0; i < count; i++)
		if (strncmp(settings[i], "tracing:", strlen("tracing:")) == 0)
			on = boolean_value(settings[i] + strlen("tracing:")) == 1;
		else if (strncmp(settings[i], "tracing/filename:", strlen("tracing/filename:")) == 0)
			file = settings[i] + strlen("tracing/filename:");
	return on ? file : NULL;
}
