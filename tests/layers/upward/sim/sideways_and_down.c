/* Fixture: includes that are allowed (sideways, down, the trace format). */
#include "sim/stats.h"
#include "models/plan.h"
#include "input/diag.h"
#include "common/histogram.h"
