#!/bin/sh
# Regenerate tests/regression/headline-baseline.csv: run every configuration
# of configs.sh with VRDMASIM and keep two figures per result (latency:
# median_us, p99_us; bandwidth: bw_average_mib_per_s, bw_peak_mib_per_s).
# Usage: make-baseline.sh SRCDIR VRDMASIM > baseline.csv   (make regression-baseline)
set -eu
srcdir=$1
vrdmasim=$2
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.yaml"' EXIT
echo "# Estimates pinned by tests/regression/test_headline.c (tolerance 0.5%)."
echo "# Made by 'make regression-baseline' from the configurations in tests/regression/configs.sh."
echo "# first, second: median_us, p99_us for latency tests; bw_average_mib_per_s, bw_peak_mib_per_s for bandwidth tests."
echo "config,preset,option,size_bytes,first,second"
grep -v '^#' "$srcdir/tests/regression/configs.sh" | while read -r name scenario completion iterations verb; do
  sed -e "s/^completion: poll\$/completion: $completion/" "$srcdir/$scenario" > "$tmp.yaml"
  if [ "$verb" != - ]; then sed -i -e "s/^  verb: write_lat\$/  verb: $verb/" "$tmp.yaml"; fi
  if [ "$iterations" = 0 ]; then more=; else more="--iterations $iterations"; fi
  # shellcheck disable=SC2086
  "$vrdmasim" run "$tmp.yaml" --format csv $more > "$tmp"
  awk -F, -v c="$name" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
      if ($3 ~ /_bw$/) { a = col["bw_average_mib_per_s"]; b = col["bw_peak_mib_per_s"] }
      else { a = col["median_us"]; b = col["p99_us"] }
      print c "," $1 "," $2 "," $4 "," $a "," $b
    }' "$tmp"
done
