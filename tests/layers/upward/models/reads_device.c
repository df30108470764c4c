/* Fixture: the model reading the device ABI instead of the trace format. */
#include "vrdma/trace/trace.h"
#include "vrdma/device/abi.h"
