#!/usr/bin/env bash
# `make install` into a scratch DESTDIR, then `make installcheck` there: the
# installed program validates every installed scenario (so each finds its
# overlay and trace where they were installed) and runs the headline.
# Needs MAKE and VRDMASIM_BUILDDIR (set by `make check`).
set -uo pipefail
builddir=${VRDMASIM_BUILDDIR:?set by make check}
make_cmd=${MAKE:-make}
dest=$(mktemp -d "${TMPDIR:-/tmp}/vrdmasim-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

$make_cmd -C "$builddir" install DESTDIR="$dest" > "$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; fail "make install"; }
$make_cmd -C "$builddir" installcheck DESTDIR="$dest" > "$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; fail "make installcheck"; }
validated=$(grep -cE ': valid (sweep )?\(' "$dest.log")   # a study: 'valid sweep (...)'
rm -f "$dest.log"
installed=$(find "$dest" -path '*/share/vrdmasim/scenarios/*.yaml' | wc -l)
[ "$installed" -ge 6 ] || fail "only $installed scenarios installed"
[ "$validated" = "$installed" ] || fail "$validated of $installed installed scenarios validated"
overlay=$(find "$dest" -path '*/share/vrdmasim/calibration/overlays/published-softroce.yaml' | wc -l)
[ "$overlay" = 1 ] || fail "the overlay softroce-calibrated.yaml names is not installed"
echo "PASS: installed; $validated installed scenarios validated by the installed program"
