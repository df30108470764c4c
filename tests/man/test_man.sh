#!/usr/bin/env bash
# The man pages (help2man, tools/make-man) exist, are not empty, and name
# every flag: vrdmasim's of its flag table (`vrdmasim help --complete`),
# vrdma-perf's, vrdma-trace's and vrdma-host's of their --help.  A page built without
# help2man (a stub that points at --help) is skipped.
set -uo pipefail
src=${VRDMASIM_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${VRDMASIM_BUILDDIR:-.}
fail() { echo "FAIL: $*"; exit 1; }
page_of() {
	if [ -f "$build/man/$1.1" ]; then echo "$build/man/$1.1"; else echo "$src/man/$1.1"; fi
}
# check PROGRAM FLAG...: PROGRAM's page names each FLAG
check() {
	local program=$1 page text
	shift
	page=$(page_of "$program")
	[ -s "$page" ] || fail "$page: missing or empty"
	if grep -q 'built without help2man' "$page"; then
		echo "SKIP: $page was built without help2man"
		exit 77
	fi
	grep -q "^\.SH DESCRIPTION" "$page" || fail "$page: no DESCRIPTION"
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
	for flag in "$@"; do
		grep -qF -- "$flag" <<<"$text" || fail "$page does not name $flag"
	done
	echo "$page: names its $# flags"
}
sim=${VRDMASIM:-./vrdmasim}
flags=$(for command in $("$sim" help --complete); do "$sim" help --complete "$command"; done | awk '{ print $1 }' | sort -u)
[ "$(wc -l <<<"$flags")" -ge 14 ] || fail "the flag table has $(wc -l <<<"$flags") flags, expected at least 14"
check vrdmasim $flags
for command in $("$sim" help --complete); do
	grep -qF "$command" "$(page_of vrdmasim)" || fail "the page does not name the command $command"
done
perf=${VRDMA_PERF:-./vrdma-perf}
check vrdma-perf $("$perf" --help | grep -oE -- '--[a-z_-]+' | sort -u)
trace=${VRDMA_TRACE:-./vrdma-trace}
check vrdma-trace $("$trace" --help | grep -oE -- '--[a-z_-]+' | sort -u)
host=${VRDMA_HOST:-./vrdma-host}
check vrdma-host $("$host" --help | grep -oE -- '--[a-z_-]+' | sort -u)
