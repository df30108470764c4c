#!/bin/sh
# tests/bench/smoke.sh -- make check: run `make bench`'s script end to end at
# a few hundred operations per section (BENCH_SMOKE=1), so that every
# benchmark it offers still builds, runs and prints its lines.  Its figures
# are not looked at: timing belongs to make bench, never to a test.
set -eu
: "${VRDMASIM:?}" "${VRDMASIM_SRCDIR:?}"
builddir=$(dirname "$VRDMASIM")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BENCH_SMOKE=1 sh "$VRDMASIM_SRCDIR/tests/bench/bench.sh" "$VRDMASIM" "$builddir/tests/bench/bare_pingpong" \
  "$VRDMASIM_SRCDIR" "$builddir/vrdma-perf" "$builddir/tests/bench/shm_pingpong" \
  "$builddir/tests/bench/fair_bench" > "$out"
# The reference implementation's floors (vrdma_floors.sh), at a few dozen
# operations; one CPU stands for both when the machine has one.
cpus="0 1"
[ "$(nproc 2>/dev/null || echo 1)" -ge 2 ] || cpus="0 0"
floors=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$floors"' EXIT
FLOORS_SMOKE=1 FLOORS_CPUS=$cpus FLOORS_OUT=$floors sh "$VRDMASIM_SRCDIR/tests/bench/vrdma_floors.sh" \
  "$builddir/vrdma-perf" "$builddir/tests/bench/floor_pingpong" "$builddir/tests/bench/udp_stream" >> "$out"
for placement in one-core two-cores; do
  grep -q "^$placement,$(echo $cpus | cut -d ' ' -f 1)," "$floors/vrdma-floors.csv" ||
    { echo "smoke.sh: no $placement row in vrdma-floors.csv" >&2; exit 1; }
  # every figure of the row was measured (a number, not empty)
  awk -F, -v p="$placement" '$1 == p { for (i = 4; i <= 11; i++) if ($i !~ /^[0-9.]+$/) exit 1 }' \
    "$floors/vrdma-floors.csv" || { echo "smoke.sh: $placement row has a missing figure" >&2; exit 1; }
done
grep -q '"ratio_two_hosts_lat_to_udp_pingpong"' "$floors/vrdma-floors.json" ||
  { echo "smoke.sh: vrdma-floors.json has no ratio" >&2; exit 1; }
cat "$out"
# One line per section: a section that silently printed nothing fails.
for line in 'speed ratio' 'peak RSS at 1e4' 'bandwidth speed ratio' 'shared-memory ping-pong' \
            'write_bw 64 KiB --same-host' 'replay speed ratio' 'vrdmasim plot,' 'honest 2 B same-host' \
            'many-flow speed ratio' 'many-flow engine' 'sweep -j 2 ratio' 'vRDMA against its floors' \
            'migrate-at, loss 0.1' 'Live migration: the trace' ' pause (sum) ' 'udp_poll'; do
  grep -q "$line" "$out" || { echo "smoke.sh: no '$line' line in make bench's output" >&2; exit 1; }
done
