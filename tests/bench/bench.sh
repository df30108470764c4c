#!/bin/sh
# make bench: vrdmasim's simulation speed and memory, as ratios against a
# bare SimGrid ping-pong measured in the same run (machines here are shared
# and noisy: absolute times mean little, ratios measured together do).
#   1. round trips per wall second: headline scenario at 1,000,000 iterations
#      (one option, one preset, one size, so the figure is per experiment)
#      versus the bare ping-pong at 1,000,000 round trips;
#   2. peak memory (max RSS) at 1e4 and at 1e6 iterations: must stay flat.
# Usage: bench.sh VRDMASIM BARE_PINGPONG
set -eu
vrdmasim=$1
bare=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
N=${BENCH_ITERATIONS:-1000000}

cat > "$work/bench.yaml" <<YAML
scenario: bench-vrdma-write-lat
preset: esxi5-qdr-2012
seed: 1
topology:
  hosts:
    - {name: a}
    - {name: b}
options: [vrdma]
workload: {verb: write_lat, sizes: [2B], iterations: 10000}
completion: poll
YAML

# wall seconds and max RSS (KiB) of a command, from GNU time's format if
# present, else from bash's times and /proc (fallback: RSS unknown).
measure() {
  out=$1; shift
  start=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" -o "$out.rss" "$@" > "$out" 2>/dev/null
  else
    "$@" > "$out"; echo 0 > "$out.rss"
  fi
  end=$(date +%s.%N)
  echo "$start $end" | awk '{ printf "%.3f", $2 - $1 }'
}

bare_s=$(measure "$work/bare.out" "$bare" "$N")
sim_s=$(measure "$work/sim.out" "$vrdmasim" run "$work/bench.yaml" --iterations "$N" --format csv)
small_s=$(measure "$work/small.out" "$vrdmasim" run "$work/bench.yaml" --iterations 10000 --format csv)
rss_small=$(cat "$work/small.out.rss")
rss_big=$(cat "$work/sim.out.rss")

awk -v n="$N" -v b="$bare_s" -v s="$sim_s" -v rs="$rss_small" -v rb="$rss_big" 'BEGIN {
  bare_rate = n / b; sim_rate = n / s;
  printf "bare SimGrid ping-pong : %9.0f round trips/s  (%d in %.2f s)\n", bare_rate, n, b;
  printf "vrdmasim vrdma 2B      : %9.0f round trips/s  (%d in %.2f s)\n", sim_rate, n, s;
  printf "speed ratio            : %9.2f  (target >= 0.50)\n", sim_rate / bare_rate;
  if (rs > 0)
    printf "peak RSS 1e4 / %.0e iter: %d KiB / %d KiB  (ratio %.2f, target flat: <= 1.10)\n", n, rs, rb, rb / rs;
  else
    printf "peak RSS: /usr/bin/time not installed (apt-get install time)\n";
}'
