/* Fixture: the reference implementation depending on the simulator. */
#include "vrdma/guest/verbs.h"
#include "models/params.h"
