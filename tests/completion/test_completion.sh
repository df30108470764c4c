#!/usr/bin/env bash
# The bash completion (completion/vrdmasim), sourced in bash and asked as
# bash asks it: it offers the commands, each command's own flags (those of
# `vrdmasim help COMMAND`, no other), and the values it knows.
set -uo pipefail
src=${VRDMASIM_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
sim=${VRDMASIM:-./vrdmasim}
fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=/dev/null
source "$src/completion/vrdmasim" || fail "cannot source completion/vrdmasim"
complete -p vrdmasim >/dev/null || fail "no completion registered for vrdmasim"

# offers WORD... : complete the words after the program name; the last is
# the one at the cursor; then COMPREPLY must hold each expected word.
ask() {
	COMP_WORDS=("$sim" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_vrdmasim
	printf '%s\n' "${COMPREPLY[@]}"
}
offers() {
	local got=$1
	shift
	for word in "$@"; do
		grep -qxF -- "$word" <<<"$got" || fail "did not offer '$word' among: $(echo $got)"
	done
}

offers "$(ask '')" run validate plot calibrate replay compare list help
offers "$(ask re)" replay
offers "$(ask run --f)" --format
offers "$(ask replay --co)" --costs --compare
offers "$(ask compare --m)" --max-error
# a command's own flags, every one of them and no other
for command in $("$sim" help --complete); do
	expected=$("$sim" "$command" --help | grep -oE '^  (-[A-Za-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort)
	got=$(ask "$command" -- | sort)
	[ -n "$expected" ] || fail "$command --help lists no flag"
	[ "$got" = "$expected" ] || fail "$command: offered $(echo $got), expected $(echo $expected)"
done
offers "$(ask run --format '')" text json csv
offers "$(ask run --format = j)" json
offers "$(ask replay trace --costs m)" model measured
offers "$(ask calibrate x.csv --preset '')" esxi5-qdr-2012 modern-hdr
offers "$(ask replay t --preset esxi5-qdr-2012,mo)" esxi5-qdr-2012,modern-hdr
offers "$(ask run s.yaml --preset '')" edr-skylake ndr-sapphirerapids
offers "$(ask sweep s.yaml --preset edr-skylake,nd)" edr-skylake,ndr-sapphirerapids
offers "$(ask plot r.json --options native,vr)" native,vrdma native,vrdma-local
offers "$(ask plot r.json --options '')" native sriov softroce-pvnic
offers "$(ask help ru)" run
# files for an operand
cd "$src" || fail "no source tree"
offers "$(ask run scenarios/seed-vrdma-w)" scenarios/seed-vrdma-write-lat.yaml
echo "completion: commands, flags and values offered"
