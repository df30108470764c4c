/* Fixture for tests/layers/test_layers.sh: the input layer reaching up into
 * the engine.  Never compiled. */
#include "config.h"
#include "input/diag.h"
#include "sim/engine.h"
