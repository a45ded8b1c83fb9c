# tests/lib.sh: shell helpers for wiretop's test scripts (POSIX sh).
#
# Source it first thing:
#   . "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
#   wt_init corpus-counts        # name for messages, temp dir, cleanup
#
# make check exports WIRETOP, WT_TOOLS, WT_SRCDIR, WT_BUILDDIR, WT_CORPUS.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
# Tests read the corpus in place ($WT_CORPUS) and never copy it.

WT_PASSES=0
WT_FAILS=0
WT_NAME=${WT_NAME:-$(basename "$0" .sh)}
WT_TMP=

# wt_init [NAME]: set the test name, make $WT_TMP, clean it up on exit.
wt_init() {
	[ -n "$1" ] && WT_NAME=$1
	: "${WT_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
	WT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-$WT_NAME.XXXXXX") ||
	    wt_hard "cannot make a temporary directory"
	trap 'rm -rf "$WT_TMP"' EXIT
	trap 'rm -rf "$WT_TMP"; exit 130' INT TERM
}

# wt_log MSG...: a line on stdout (make check keeps it in the .log).
wt_log() {
	printf '%s: %s\n' "$WT_NAME" "$*"
}

# wt_skip MSG...: skip the whole test.
wt_skip() {
	printf 'SKIP: %s: %s\n' "$WT_NAME" "$*"
	exit 77
}

# wt_hard MSG...: the test itself cannot run (broken setup).
wt_hard() {
	printf 'ERROR: %s: %s\n' "$WT_NAME" "$*" >&2
	exit 99
}

# wt_fail MSG...: record one failure and go on.
wt_fail() {
	WT_FAILS=$((WT_FAILS + 1))
	printf 'FAIL: %s\n' "$*"
}

# wt_pass MSG...: record one success (MSG optional, printed if given).
wt_pass() {
	WT_PASSES=$((WT_PASSES + 1))
	[ $# -gt 0 ] && printf 'PASS: %s\n' "$*"
	return 0
}

# wt_check DESC CMD...: run CMD; pass if it succeeds, else fail with DESC.
wt_check() {
	_d=$1
	shift
	if "$@"; then
		wt_pass
	else
		wt_fail "$_d"
	fi
}

# wt_finish: print the totals and exit 0 if nothing failed, else 1.
wt_finish() {
	printf '%s: %d passed, %d failed\n' "$WT_NAME" "$WT_PASSES" \
	    "$WT_FAILS"
	[ "$WT_FAILS" -eq 0 ] && exit 0
	exit 1
}

# wt_need_wiretop: $WIRETOP must be the built binary.
wt_need_wiretop() {
	if [ -z "$WIRETOP" ] && [ -n "$WT_BUILDDIR" ]; then
		WIRETOP=$WT_BUILDDIR/src/wiretop
	fi
	[ -n "$WIRETOP" ] && [ -x "$WIRETOP" ] ||
	    wt_hard "WIRETOP (${WIRETOP:-unset}) is not an executable"
}

# wt_need_corpus [SUBDIR...]: skip unless $WT_CORPUS (and each SUBDIR)
# exists.
wt_need_corpus() {
	[ -n "$WT_CORPUS" ] && [ -d "$WT_CORPUS" ] ||
	    wt_skip "no test corpus (set WT_CORPUS)"
	for _s in "$@"; do
		[ -d "$WT_CORPUS/$_s" ] ||
		    wt_skip "corpus has no $_s/ folder"
	done
}

# wt_need_tool TOOL...: skip unless every TOOL is on PATH.
wt_need_tool() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 || wt_skip "$_t not installed"
	done
}

# wt_captures DIR...: list *.pcap and *.pcapng files in DIRs, sorted, one
# per line (names have no newlines in the corpus).
wt_captures() {
	for _d in "$@"; do
		find "$_d" -type f \( -name '*.pcap' -o \
		    -name '*.pcapng' \) 2>/dev/null
	done | LC_ALL=C sort
}

# wt_sanitizer_report FILE: true if FILE holds an ASan/UBSan/LSan report.
wt_sanitizer_report() {
	grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)' \
	    "$1" 2>/dev/null
}

# wt_index_packets TSV FILE: the `packets` column of FILE's row in an
# INDEX.tsv (empty if absent or '-').
wt_index_packets() {
	awk -F '\t' -v f="$2" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "packets") c = i; next }
	    $1 == f && c { if ($c != "-") print $c; exit }' "$1"
}
