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
cat "$out"
# One line per section: a section that silently printed nothing fails.
for line in 'speed ratio' 'peak RSS at 1e4' 'bandwidth speed ratio' 'shared-memory ping-pong' \
            'write_bw 64 KiB --same-host' 'replay speed ratio' 'vrdmasim plot,' 'honest 2 B same-host' \
            'many-flow speed ratio' 'many-flow engine' 'sweep -j 2 ratio'; do
  grep -q "$line" "$out" || { echo "smoke.sh: no '$line' line in make bench's output" >&2; exit 1; }
done
