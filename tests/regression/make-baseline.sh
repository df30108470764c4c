#!/bin/sh
# Write the regression baseline, tests/regression/baseline.json: the results
# of every configuration of configs.sh run with VRDMASIM, as `vrdmasim run
# --format json` writes them, one run after another (a file `vrdmasim
# regress` reads).  What regress does not compare is left out to keep the
# file small and its diffs readable: the provenance (a temporary path, the
# build) and the breakdowns.  The test suite runs this script too and
# compares its output with the baseline (tests/regression/test_headline.c).
# Usage: make-baseline.sh SRCDIR VRDMASIM > baseline.json   (make regression-baseline)
set -eu
srcdir=$1
vrdmasim=$2
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.yaml"' EXIT
grep -v '^#' "$srcdir/tests/regression/configs.sh" | while read -r name scenario completion iterations verb; do
  sed -e "s/^completion: poll\$/completion: $completion/" "$srcdir/$scenario" > "$tmp.yaml"
  if [ "$verb" != - ]; then sed -i -e "s/^  verb: write_lat\$/  verb: $verb/" "$tmp.yaml"; fi
  if [ "$iterations" = 0 ]; then more=; else more="--iterations $iterations"; fi
  # shellcheck disable=SC2086
  "$vrdmasim" run "$tmp.yaml" --format json $more > "$tmp"
  sed -E -e '/^  "provenance": /d' \
    -e '/^     "(breakdown_us|breakdown_mean_us|breakdown_by_kind_us|completion_path_us|off_path_us)": /d' "$tmp"
done
