#!/bin/sh
# tests/bench/vrdma_floors.sh -- make bench: the reference implementation
# against its floors, measured in the same run with the same CPU placement.
#
# For each placement (one-core: every thread on CPU A; two-cores: the
# server's side on CPU A, the client's on CPU B):
#   floors   floor_pingpong udp and eventfd (2 B, both sides blocking) and
#            udp-poll (both sides polling and yielding, as the backend polls),
#            udp_stream of 64 KiB messages in 4 KiB packets, batched as the
#            software HCA batches (sendmmsg/recvmmsg of 16) and unbatched;
#   vrdma    vrdma-perf write_lat 2 B and write_bw 64 KiB, two hosts (--demo)
#            and one host (--same-host), threads pinned: host 1's backend and
#            the server guest on A, host 2's backend and the client on B (one
#            host: its backend on A);
#   perftest ib_write_lat 2 B over the LD_PRELOAD verbs library, when
#            VRDMA_VERBS_PRELOAD names it (make bench sets it), as VMs of
#            vrdma-host processes placed the same way (perftest_write_lat).
# The ratios of issue 18: two hosts write_lat vs the UDP ping-pong (target
# <= 3; also against the polling UDP ping-pong, the fair floor for a polling
# backend across cores, where the sleeping floor pays a wake-up it avoids), same host vs two hosts write_lat (target < 1), two hosts write_bw vs
# the batched UDP stream (target >= 0.5).
#
# Output: a readable table on stdout; JSON (vrdma-floors.json) and CSV
# (vrdma-floors.csv) in $FLOORS_OUT (default: the current directory), units
# in the keys.  A report, not a pass/fail test: nothing here fails on a
# figure.  Run it under `flock -x /work/cpu.lock` on a shared machine.
#
# Usage: vrdma_floors.sh VRDMA_PERF FLOOR_PINGPONG UDP_STREAM
# Environment: FLOORS_CPUS="A B" (default "0 1"); FLOORS_SMOKE=1 runs every
# part at a few dozen operations (make check; figures then mean nothing);
# FLOORS_POLL_US=N passes --backend-poll-us=N to vrdma-perf (default 20, vrdma-perf's own);
# VRDMA_VERBS_PRELOAD=LIB runs perftest over the library too.
set -eu
perf=$1
pingpong=$2
stream=$3
out=${FLOORS_OUT:-.}
set -- ${FLOORS_CPUS:-0 1}
cpu_a=$1
cpu_b=$2
poll_us=${FLOORS_POLL_US:-20}
if [ "${FLOORS_SMOKE:-0}" = 1 ]; then
  lat_n=50; bw_n=20; pp_n=50; stream_n=20
else
  lat_n=20000; bw_n=20000; pp_n=50000; stream_n=20000
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# key=value from a floor program's line
field() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p"; }
# t_typical of a latency table, BW average of a bandwidth table
typical() { awk '$1 ~ /^[0-9]+$/ && NF >= 9 { print $5 }' "$1"; }
bw_average() { awk '$1 ~ /^[0-9]+$/ && NF == 5 { print $4 }' "$1"; }

# perftest 4.5's ib_write_lat 2 B over the LD_PRELOAD verbs library, placed
# like vrdma-perf: WHERE "demo" runs two vrdma-host processes (host 1 and
# the server on CPU A, host 2 and the client on CPU B), "same-host" one
# vrdma-host on CPU A with the server on A and the client on B.  Prints the
# client's t_typical (us), or "-" when VRDMA_VERBS_PRELOAD is unset or
# ib_write_lat is not installed.  The hosts keep their default poll (0:
# perftest spins on memory without yielding; docs/architecture.md, Speed).
host_program=$(dirname "$perf")/vrdma-host
perftest_port=$((20000 + $$ % 20000))
perftest_write_lat() {
  if [ -z "${VRDMA_VERBS_PRELOAD:-}" ] || ! command -v ib_write_lat > /dev/null; then
    echo -
    return
  fi
  set -- "$1" $2
  where=$1 a=$2 b=$3
  perftest_port=$((perftest_port + 1))
  taskset -c "$a" "$host_program" --quiet --socket "$work/host1.sock" > /dev/null &
  h1=$!
  h2=
  sock2=$work/host1.sock
  if [ "$where" = demo ]; then
    taskset -c "$b" "$host_program" --quiet --socket "$work/host2.sock" > /dev/null &
    h2=$!
    sock2=$work/host2.sock
  fi
  for _ in $(seq 100); do [ -S "$work/host1.sock" ] && [ -S "$sock2" ] && break; sleep 0.05; done
  VRDMA_HOST=$work/host1.sock LD_PRELOAD=$VRDMA_VERBS_PRELOAD taskset -c "$a" \
    timeout 300 ib_write_lat -s 2 -n "$lat_n" -p "$perftest_port" > "$work/pt-server" 2>&1 &
  server=$!
  sleep 0.5
  VRDMA_HOST=$sock2 LD_PRELOAD=$VRDMA_VERBS_PRELOAD taskset -c "$b" \
    timeout 300 ib_write_lat -s 2 -n "$lat_n" -p "$perftest_port" localhost > "$work/pt-client" 2>&1 || true
  wait "$server" || true
  kill $h1 $h2 2> /dev/null || true
  wait $h1 $h2 2> /dev/null || true
  value=$(typical "$work/pt-client")
  echo "${value:--}"
}

run_placement() {
  name=$1 a=$2 b=$3
  "$pingpong" udp "$pp_n" "$a" "$b" > "$work/udp"
  "$pingpong" eventfd "$pp_n" "$a" "$b" > "$work/efd"
  "$pingpong" udp-poll "$pp_n" "$a" "$b" > "$work/udppoll"
  "$stream" "$stream_n" 65536 16 "$a" "$b" > "$work/stream16"
  "$stream" "$stream_n" 65536 1 "$a" "$b" > "$work/stream1"
  pin="--cpu-guest=$a,$b --backend-poll-us=$poll_us"
  "$perf" write_lat --demo -n "$lat_n" $pin --cpu-backend="$a,$b" > "$work/lat2"
  "$perf" write_lat --same-host -n "$lat_n" $pin --cpu-backend="$a" > "$work/lat1"
  "$perf" write_bw --demo -s 65536 -n "$bw_n" $pin --cpu-backend="$a,$b" > "$work/bw2"
  "$perf" write_bw --same-host -s 65536 -n "$bw_n" $pin --cpu-backend="$a" > "$work/bw1"
  echo "$name $a $b $(field "$work/udp" half_rtt_p50_us) $(field "$work/efd" half_rtt_p50_us)" \
       "$(field "$work/stream16" bandwidth_mib_per_s) $(field "$work/stream1" bandwidth_mib_per_s)" \
       "$(typical "$work/lat2") $(typical "$work/lat1") $(bw_average "$work/bw2") $(bw_average "$work/bw1")" \
       "$(perftest_write_lat demo "$a $b") $(perftest_write_lat same-host "$a $b")" \
       "$(field "$work/udppoll" half_rtt_p50_us)" >> "$work/rows"
}

: > "$work/rows"
run_placement one-core "$cpu_a" "$cpu_a"
run_placement two-cores "$cpu_a" "$cpu_b"

columns="placement,cpu_a,cpu_b,udp_pingpong_half_rtt_us,eventfd_pingpong_half_rtt_us,udp_stream_batched_mib_per_s,udp_stream_unbatched_mib_per_s,vrdma_two_hosts_write_lat_us,vrdma_same_host_write_lat_us,vrdma_two_hosts_write_bw_mib_per_s,vrdma_same_host_write_bw_mib_per_s,perftest_two_hosts_write_lat_us,perftest_same_host_write_lat_us,ratio_two_hosts_lat_to_udp_pingpong,ratio_same_host_to_two_hosts_lat,ratio_two_hosts_bw_to_udp_stream,backend_poll_us,udp_poll_pingpong_half_rtt_us,ratio_two_hosts_lat_to_udp_poll_pingpong"
mkdir -p "$out"
awk -v cols="$columns" -v poll="$poll_us" -v csv="$out/vrdma-floors.csv" -v json="$out/vrdma-floors.json" 'BEGIN {
  n = split(cols, key, ",");
  print cols > csv;
  printf "[" > json;
}
{
  for (i = 1; i <= 13; i++) v[i] = $i;
  v[14] = ($4 > 0) ? sprintf("%.2f", $8 / $4) : "-";
  v[15] = ($8 > 0) ? sprintf("%.2f", $9 / $8) : "-";
  v[16] = ($6 > 0) ? sprintf("%.2f", $10 / $6) : "-";
  v[17] = poll;
  v[18] = $14;
  v[19] = ($14 > 0) ? sprintf("%.2f", $8 / $14) : "-";
  line = v[1];
  for (i = 2; i <= n; i++) line = line "," v[i];
  print line > csv;
  printf "%s\n  {", (NR > 1 ? "," : "") > json;
  for (i = 1; i <= n; i++) {
    q = (i == 1 || v[i] == "-") ? "\"" : "";
    printf "%s\"%s\": %s%s%s", (i > 1 ? ", " : ""), key[i], q, v[i], q > json;
  }
  printf "}" > json;
  row[NR] = $0; r14[NR] = v[14]; r15[NR] = v[15]; r16[NR] = v[16]; r19[NR] = v[19];
}
END {
  print "\n]" > json;
  printf "vRDMA against its floors (median half round trips in us, bandwidth in MiB/s; backend poll %s us)\n", poll;
  printf "%-10s %-5s %9s %9s %9s %11s %11s | %9s %9s %9s %9s | %6s %7s %6s %6s\n", "placement", "cpus", "udp_pp", "udp_poll", "efd_pp",
         "udp_strm16", "udp_strm1", "lat_2host", "lat_1host", "bw_2host", "bw_1host", "lat/pp", "lat/poll", "1h/2h", "bw/strm";
  for (r = 1; r <= NR; r++) {
    split(row[r], f, " ");
    printf "%-10s %s,%-3s %9s %9s %9s %11s %11s | %9s %9s %9s %9s | %6s %7s %6s %6s\n", f[1], f[2], f[3], f[4], f[14], f[5], f[6], f[7],
           f[8], f[9], f[10], f[11], r14[r], r19[r], r15[r], r16[r];
  }
  print "targets: lat/pp <= 3 (two hosts write_lat 2 B vs the UDP ping-pong; lat/poll: vs the polling one), 1h/2h < 1 (same host faster),";
  print "         bw/strm >= 0.5 (two hosts write_bw 64 KiB vs the batched UDP stream)";
  printf "perftest over the verbs library: %s\n", (row[1] ~ / - - [^ ]*$/) ? "not run (VRDMA_VERBS_PRELOAD hook, tests/bench/vrdma_floors.sh)" : "in the JSON/CSV";
}' "$work/rows"
echo "files: $out/vrdma-floors.json $out/vrdma-floors.csv"
