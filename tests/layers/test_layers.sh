#!/usr/bin/env bash
# The layer check (tools/check-layers) passes on the source tree and fails,
# naming file and line, on a fixture with upward includes.
set -uo pipefail
src=${VRDMASIM_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
check=$src/tools/check-layers
fail() { echo "FAIL: $*"; exit 1; }

out=$(bash "$check" "$src") || fail "the source tree has upward includes: $out"

out=$(bash "$check" "$src/tests/layers/upward"); rc=$?
[ $rc = 1 ] || fail "upward fixture: exit $rc, expected 1"
echo "$out"
for expected in \
	'input/reads_engine.c:5: includes "sim/engine.h": points up a layer' \
	'vrdma/guest/uses_model.c:3: includes "models/params.h"' \
	'models/reads_device.c:3: includes "vrdma/device/abi.h"'; do
	grep -qF "$expected" <<< "$out" || fail "not reported: $expected"
done
[ "$(wc -l <<< "$out")" = 3 ] || fail "reported more than the three upward includes"
grep -q sideways_and_down <<< "$out" && fail "an allowed include was reported"
echo "PASS: layers hold; the three upward includes of the fixture are reported"
