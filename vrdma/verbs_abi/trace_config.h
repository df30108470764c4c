/*
 * vrdma/verbs_abi/trace_config.h -- the trace of a preloaded run
 * (VRDMA_VERBS_TRACE=FILE) and the configuration header `vrdmasim replay` reads.
 *
 * The program does not say which perftest test it runs, so the header's
 * test, completion and transport are taken from the environment when set
 * (VRDMA_VERBS_TRACE_TEST, VRDMA_VERBS_TRACE_COMPLETION, VRDMA_VERBS_TRACE_TRANSPORT) and
 * otherwise from the program: its name (ib_write_lat -> write_lat,
 * ibv_rc_pingpong -> send_lat) and its arguments (-e or --events: event).
 */
#ifndef VRDMA_VERBS_ABI_TRACE_CONFIG_H
#define VRDMA_VERBS_ABI_TRACE_CONFIG_H

#include <stddef.h>

#include "vrdma/trace/trace.h"

/* OUT: *trace, NULL when VRDMA_VERBS_TRACE is unset.  private_host: the process
 * is a host of its own (transport two-host unless told otherwise).
 * Returns 0, or an errno with err filled. */
int vab_trace_open(int private_host, struct vtrace **trace, char *err, size_t err_bytes);

#endif
