#!/bin/sh
# make bench: vrdmasim's simulation speed and memory, as ratios against a
# bare SimGrid ping-pong measured in the same run (machines here are shared
# and noisy: absolute times mean little, ratios measured together do).
#   1. round trips per wall second: the headline scenario (built in:
#      scenarios/seed-vrdma-write-lat.yaml, 2 presets x 2 options x 6 sizes)
#      at 1,000,000 iterations per experiment, versus the bare ping-pong at
#      1,000,000 round trips;
#   2. peak memory (max RSS) of the headline at 1e4 and at 1e6 iterations:
#      must stay flat;
#   3. bandwidth streams: messages per wall second of write_bw at 64 KiB with
#      tx depth 128 (tests/bench/bandwidth.yaml: 2 presets x 3 options, N
#      messages each), versus the bare ping-pong's messages per second (two
#      per round trip);
#   4. the reference implementation: vrdma-perf write_lat (polling, 2 B) and
#      write_bw (64 KiB), two hosts over UDP and one host's copy path,
#      versus two processes ping-ponging and streaming through shared memory
#      (tests/bench/shm_pingpong.c), the floor on this machine;
#   4b. live migration (issue 20): vrdma-perf write_lat --demo, the
#      client's guest moved to a third host half way through, without loss
#      and with 10 % loss: the pause each side saw and the steps of the
#      move (docs/migration.md), then `vrdmasim replay` of the trace of the
#      lossless run, whose migration steps it prints beside the model's
#      estimate of them on both presets;
#   5. trace replay: `vrdmasim replay` of a 1,000,000-operation trace
#      (vrdma-perf write_bw, one host), replayed operations per wall second
#      versus the bare ping-pong's round trips per second, and its peak RSS
#      (the trace is streamed: it must not grow with the trace);
#   6. `vrdmasim plot` on a 100 MiB JSON array of 1s (the most values per
#      byte a file can hold): its peak RSS above that of a 3-byte file, as a
#      ratio to the file's size (input/json_read.h bounds what the reader allocates
#      to JSON_MEMORY_PER_INPUT_BYTE = 10 times the file).
#   7. fairness: an honest guest's same-host write latency (p50, p99, max)
#      alone, beside a thread that merely spins, and beside each hostile
#      guest pattern on the same backend (tests/bench/fair_bench.c; threads
#      pinned, so the lines compare with each other).
#   8. many flows (issue 13): tests/bench/many-flows.yaml, 1,000 VMs on 8
#      hosts, 8 QPs per VM each to a VM on the next host (8,000 vRDMA
#      write_lat ping-pongs of 64 B, 1,000 round trips each), versus the
#      bare ping-pong with 8,000 pairs over per-host links (bare_pingpong
#      1000 8000 8): round trips per wall second of both and their ratio
#      (target >= 1), vrdmasim's wall time (moonshot: under 60 s), its
#      engine's events per wall second, the peak RSS of both.
#   9. sweeps (issue 15): tests/bench/sweep-64.yaml, 64 points of vRDMA
#      write_lat at SWEEP_N iterations, run by `vrdmasim sweep -j 2` versus
#      the sum of its points run one by one (`--point K`), halved: the
#      ratio of the two wall times (target < 1.1).
# Usage: bench.sh VRDMASIM BARE_PINGPONG SRCDIR [VRDMA_PERF SHM_PINGPONG [FAIR_BENCH]]
#        (sections 4 to 6 need VRDMA_PERF and SHM_PINGPONG, 7 FAIR_BENCH;
#        BENCH_ITERATIONS=N to change 1e6; BENCH_SMOKE=1 shrinks every
#        section to a few hundred operations, 8 to 5 round trips per
#        connection and 800 reference pairs: make check runs it that way,
#        tests/bench/smoke.sh, so the benchmark cannot rot; its figures then
#        mean nothing)
set -eu
vrdmasim=$1
bare=$2
srcdir=${3:-.}
vrdma_perf=${4:-}
shm=${5:-}
fair=${6:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  N=${BENCH_ITERATIONS:-1000}; perf_n=200; trace_ops=2000; shm_args="1000 500"; fair_n=200
  BENCH_PLOT_MIB=${BENCH_PLOT_MIB:-1}
  flow_trips=5; flow_pairs=800; sweep_n=100
else
  N=${BENCH_ITERATIONS:-1000000}; perf_n=20000; trace_ops=1000000; shm_args="100000 50000"; fair_n=20000
  flow_trips=1000; flow_pairs=8000; sweep_n=20000
fi

# Wall seconds of a command; its max RSS (KiB) into FILE.rss when GNU time exists.
measure() {
  out=$1; shift
  start=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" -o "$out.rss" "$@" > "$out"
  else
    "$@" > "$out"; echo 0 > "$out.rss"
  fi
  end=$(date +%s.%N)
  echo "$start $end" | awk '{ printf "%.3f", $2 - $1 }'
}

# Round trips simulated, warm-up included: sum over the CSV rows.
round_trips() {
  awk -F, 'NR > 1 { n += $6 + $7 } END { print n }' "$1"
}

bare_s=$(measure "$work/bare.out" "$bare" "$N")
sim_s=$(measure "$work/sim.out" "$vrdmasim" run --iterations "$N" --format csv)
small_s=$(measure "$work/small.out" "$vrdmasim" run --iterations 10000 --format csv)
bw_s=$(measure "$work/bw.out" "$vrdmasim" run "$srcdir/tests/bench/bandwidth.yaml" --iterations "$N" --format csv)

awk -v n="$N" -v b="$bare_s" -v s="$sim_s" -v trips="$(round_trips "$work/sim.out")" \
    -v rs="$(cat "$work/small.out.rss")" -v rb="$(cat "$work/sim.out.rss")" \
    -v bw="$bw_s" -v messages="$(round_trips "$work/bw.out")" 'BEGIN {
  bare_rate = n / b; sim_rate = trips / s;
  bw_rate = messages / bw; bare_messages = 2 * n / b;
  printf "bare SimGrid ping-pong     : %9.0f round trips/s  (%d in %.1f s)\n", bare_rate, n, b;
  printf "vrdmasim headline scenario : %9.0f round trips/s  (%d in %.1f s)\n", sim_rate, trips, s;
  printf "speed ratio                : %9.2f  (target >= 0.50)\n", sim_rate / bare_rate;
  if (rs > 0)
    printf "peak RSS at 1e4 / %.0e iterations: %d KiB / %d KiB  (ratio %.2f, target flat: <= 1.10)\n", n, rs, rb, rb / rs;
  else
    printf "peak RSS: /usr/bin/time not installed (apt-get install time)\n";
  printf "bare SimGrid ping-pong     : %9.0f messages/s\n", bare_messages;
  printf "vrdmasim write_bw 64 KiB   : %9.0f messages/s  (%d in %.1f s, tx depth 128)\n", bw_rate, messages, bw;
  printf "bandwidth speed ratio      : %9.2f  (target >= 0.50)\n", bw_rate / bare_messages;
}'

# ---- 4 to 6 need vrdma-perf and shm_pingpong (make bench passes them) ----
if [ -n "$vrdma_perf" ]; then
  # ---- 4. the reference implementation against shared memory ----
  "$shm" $shm_args > "$work/shm.out"
  # t_typical of a latency table, BW average of a bandwidth table
  typical() { awk '$1 ~ /^[0-9]+$/ && NF >= 9 { print $5 }' "$1"; }
  bw_average() { awk '$1 ~ /^[0-9]+$/ && NF == 5 { print $4 }' "$1"; }
  for where in demo same-host; do
    "$vrdma_perf" write_lat --$where -n "$perf_n" > "$work/lat-$where.out"
    "$vrdma_perf" write_bw --$where -s 65536 -n "$perf_n" > "$work/bw-$where.out"
  done
  awk -v shm="$(cat "$work/shm.out")" -v l2="$(typical "$work/lat-demo.out")" -v l1="$(typical "$work/lat-same-host.out")" \
      -v b2="$(bw_average "$work/bw-demo.out")" -v b1="$(bw_average "$work/bw-same-host.out")" 'BEGIN {
    split(shm, kv, /[ =]/); shm_lat = kv[2]; shm_bw = kv[4];
    printf "shared-memory ping-pong    : %9.3f us half round trip, %9.0f MB/s at 64 KiB (two processes)\n", shm_lat, shm_bw;
    printf "vrdma-perf write_lat --demo      : %8.2f us t_typical  (ratio shm/vrdma %.4f)\n", l2, shm_lat / l2;
    printf "vrdma-perf write_lat --same-host : %8.2f us t_typical  (ratio shm/vrdma %.4f)\n", l1, shm_lat / l1;
    printf "vrdma-perf write_bw 64 KiB --demo      : %8.0f MB/s  (ratio vrdma/shm %.4f)\n", b2, b2 / shm_bw;
    printf "vrdma-perf write_bw 64 KiB --same-host : %8.0f MB/s  (ratio vrdma/shm %.4f)\n", b1, b1 / shm_bw;
  }'

  # ---- 4b. live migration: the pause ----
  for loss in 0 0.1; do
    "$vrdma_perf" write_lat --demo -n "$perf_n" --migrate-at $((perf_n / 2)) --loss "$loss" \
      --trace "$work/migrate-$loss.vtrace" > "$work/migrate-$loss.out"
    awk -v loss="$loss" '$1 == "client" && /stopped/ { c = $2 } $1 == "client" && /round trip/ { r = $2 }
      $1 == "server" { s = $2 } /^ steps/ { steps = $0 } END {
      printf "vrdma-perf write_lat --demo --migrate-at, loss %s: client paused %.1f us, first round trip after %.1f us, server waited %.1f us\n", loss, c, r, s;
      sub(/^ steps\[usec\]: /, "", steps); printf "  steps (us): %s\n", steps }' "$work/migrate-$loss.out"
  done
  # the replay: the trace's steps beside the model's on both presets
  "$vrdmasim" replay "$work/migrate-0.vtrace" --preset esxi5-qdr-2012,modern-hdr > "$work/migrate-replay.txt"
  sed -n '/^Live migration:/,$p' "$work/migrate-replay.txt"
  rm -f "$work"/migrate-*.vtrace

  # ---- 5. replaying a 1,000,000-operation trace ----
  "$vrdma_perf" write_bw --same-host -n "$trace_ops" --trace "$work/big.vtrace" > /dev/null
  replay_s=$(measure "$work/replay.out" "$vrdmasim" replay "$work/big.vtrace" --format csv)
  awk -v n="$N" -v ops="$trace_ops" -v b="$bare_s" -v r="$replay_s" -v rss="$(cat "$work/replay.out.rss")" \
      -v bytes="$(wc -c < "$work/big.vtrace")" 'BEGIN {
    rate = ops / r; bare_rate = n / b;
    printf "vrdmasim replay, %d-operation trace (%.0f MB) : %9.0f operations/s  (%.1f s, peak RSS %d KiB)\n", ops, bytes / 1e6, rate, r, rss;
    printf "replay speed ratio (vs bare ping-pong round trips/s): %.2f\n", rate / bare_rate;
  }'
  rm -f "$work/big.vtrace"

  # ---- 6. plot's memory on a large file: a ratio to the file's size ----
  # Not a results file, so plot refuses it (status 2) once it is parsed; GNU
  # time then writes a line about the status before the RSS.
  plot_mib=${BENCH_PLOT_MIB:-100}
  { printf '['; yes '1,' | tr -d '\n' | head -c $((plot_mib * 1048576 - 3)); printf '1]'; } > "$work/big.json"
  printf '[1]' > "$work/small.json"
  measure "$work/plot-small.out" "$vrdmasim" plot "$work/small.json" --out "$work/plot" 2> /dev/null > /dev/null || true
  measure "$work/plot-big.out" "$vrdmasim" plot "$work/big.json" --out "$work/plot" 2> /dev/null > /dev/null || true
  awk -v small="$(tail -n 1 "$work/plot-small.out.rss")" -v big="$(tail -n 1 "$work/plot-big.out.rss")" \
      -v bytes="$(wc -c < "$work/big.json")" 'BEGIN {
    printf "vrdmasim plot, %.0f MiB JSON array of 1s   : peak RSS %d KiB, %.1f x the file above a 3-byte file (bound 10)\n",
           bytes / 1048576, big, (big - small) * 1024 / bytes;
  }'
  rm -f "$work/big.json"
fi

# ---- 7. an honest guest beside hostile ones ----
if [ -n "$fair" ]; then
  "$fair" "$fair_n"
fi

# ---- 8. many flows: 1,000 VMs on 8 hosts, 8,000 ping-pongs at once ----
# Both run FLOW_TRIPS round trips per connection; the reference moves
# FLOW_PAIRS pairs' 64 B messages over per-host full-duplex links.
ref_s=$(measure "$work/ref.out" "$bare" "$flow_trips" "$flow_pairs" 8)
flows_s=$(measure "$work/flows.out" "$vrdmasim" run "$srcdir/tests/bench/many-flows.yaml" \
  --iterations "$flow_trips" --format json)
# Round trips completed (the groups' ops) and events handled, from the JSON.
flow_sum() {
  awk -v key="$2" -v only="$3" 'index($0, only) {
    while (match($0, "\"" key "\": [0-9]+")) {
      n += substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 4); $0 = substr($0, RSTART + RLENGTH)
    }
  } END { print n + 0 }' "$1"
}
awk -v ref_trips="$(awk '{ print $2 }' "$work/ref.out")" -v r="$ref_s" -v rr="$(tail -n 1 "$work/ref.out.rss")" \
    -v trips="$(flow_sum "$work/flows.out" ops '"group": ')" -v f="$flows_s" -v fr="$(tail -n 1 "$work/flows.out.rss")" \
    -v events="$(flow_sum "$work/flows.out" events '"events": ')" -v pairs="$flow_pairs" 'BEGIN {
  ref_rate = ref_trips / r; rate = trips / f;
  printf "bare SimGrid, %d ping-pong pairs on 8 hosts : %9.0f round trips/s  (%.0f in %.1f s, peak RSS %d KiB)\n", pairs, ref_rate, ref_trips, r, rr;
  printf "vrdmasim many flows, 1,000 VMs x 8 QPs     : %9.0f round trips/s  (%.0f in %.1f s, peak RSS %d KiB)\n", rate, trips, f, fr;
  printf "many-flow speed ratio      : %9.2f  (target >= 1.00)\n", rate / ref_rate;
  printf "many-flow wall time        : %9.1f s  (moonshot < 60 s)\n", f;
  printf "many-flow engine           : %9.0f events/s  (%.0f events; wall time of the whole run, build and report included)\n", events / f, events;
}'

# ---- 9. a 64-point sweep with -j 2, against its points one by one ----
# Wall times, and CPU times (user + system, workers included) that show
# what the sweep itself costs whatever else loads the machine.
sweep=$srcdir/tests/bench/sweep-64.yaml
cpu() { if [ -x /usr/bin/time ]; then /usr/bin/time -f "%U %S" -o "$work/cpu" "$@"; awk '{ print $1 + $2 }' "$work/cpu"; else "$@"; echo 0; fi; }
one_s=0; one_cpu=0
k=0
while [ "$k" -lt 64 ]; do
  start=$(date +%s.%N)
  c=$(cpu "$vrdmasim" sweep "$sweep" --point "$k" --iterations "$sweep_n" --out "$work/points.jsonl" $([ "$k" -gt 0 ] && echo --resume))
  end=$(date +%s.%N)
  one_s=$(echo "$one_s $start $end" | awk '{ printf "%.3f", $1 + $3 - $2 }')
  one_cpu=$(echo "$one_cpu $c" | awk '{ printf "%.3f", $1 + $2 }')
  k=$((k + 1))
done
start=$(date +%s.%N)
j2_cpu=$(cpu "$vrdmasim" sweep "$sweep" -j 2 --iterations "$sweep_n" --out "$work/sweep.jsonl")
j2_s=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.3f", $2 - $1 }')
awk -v one="$one_s" -v j2="$j2_s" -v one_cpu="$one_cpu" -v j2_cpu="$j2_cpu" -v lines="$(wc -l < "$work/sweep.jsonl")" \
    -v load="$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo '?')" 'BEGIN {
  printf "vrdmasim sweep, 64 points, -j 2 : %.1f s for %d lines; points one by one: %.1f s (load average %s)\n", j2, lines, one, load;
  printf "sweep -j 2 ratio (vs one by one / 2): %.2f  (target < 1.10)\n", j2 / (one / 2);
  printf "sweep -j 2 CPU time vs one by one: %.2f  (%.1f s vs %.1f s)\n", (one_cpu > 0 ? j2_cpu / one_cpu : 0), j2_cpu, one_cpu;
}'
