/*
 * simgrid_cfg.h - SimGrid's tracing settings passed through from the
 * command line (`vrdmasim run --cfg tracing:yes --cfg
 * tracing/filename:run.trace`), as SimGrid's own --cfg=NAME:VALUE.
 *
 * SimGrid aborts the process on a setting it does not know or a value it
 * cannot parse, so each is checked here first against the tracing settings
 * of SimGrid 3.32 and their types.  Only tracing settings pass: the others
 * (network and CPU models, precision) would change the estimates this
 * model is built on (sim/engine.c sets them).  The trace shows the
 * SimGrid activities of a run: the single-flow engine's (pingpong,
 * stream); the many-flow engine (sim/flows/) runs none, so a flows
 * scenario's trace holds only its platform.
 */
#ifndef VR_SIM_SIMGRID_CFG_H
#define VR_SIM_SIMGRID_CFG_H

#include <stddef.h>

/* 0 when SETTING ("NAME:VALUE") is a tracing setting SimGrid takes, else
 * -1 with what was expected in EXPECTED (BYTES). */
int vr_simgrid_cfg_check(const char *setting, char *expected, size_t bytes);

/* The file the SETTINGS (COUNT, checked) make SimGrid trace into: NULL
 * when they do not turn tracing on (the last `tracing:` wins), else the
 * last tracing/filename, or SimGrid's default, simgrid.trace. */
const char *vr_simgrid_cfg_trace_file(const char *const *settings, size_t count);

#endif
