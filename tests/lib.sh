# tests/lib.sh: shell helpers for wiretop's test scripts (POSIX sh).
#
# Source it first thing:
#   . "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
#   wt_init corpus-counts        # name for messages, temp dir, cleanup
#
# make check exports WIRETOP, WT_TOOLS, WT_SRCDIR, WT_BUILDDIR, WT_CORPUS.
# Tests read the corpus in place ($WT_CORPUS) and never copy it.
#
# Output is TAP (make check runs every test through automake's TAP
# driver, via tests/tap-run.sh): wt_pass and wt_fail print one
# "ok - ..." / "not ok - ..." line each, wt_skip prints "1..0 # SKIP
# reason" and wt_hard "Bail out!".  The lines carry no numbers and
# wt_finish prints no plan, so checks made in a subshell (a `| while`
# loop) still count: tests/tap-run.sh counts the lines and adds the plan.
# Exit codes still follow automake: 0 pass, 1 fail, 77 skip, 99 hard
# error, so a script run by hand says the same.
#
# A missing prerequisite (a tool, the corpus: wt_need_tool,
# wt_need_corpus, wt_missing) skips the test, saying why, except under CI
# (CI=true): there it fails, because a skip would hide a broken install
# step.

WT_PASSES=0
WT_FAILS=0
WT_N=0
WT_NAME=${WT_NAME:-$(basename "$0" .sh)}
WT_TMP=

# wt_init [NAME]: set the test name, make $WT_TMP, clean it up on exit.
wt_init() {
	[ -n "${1:-}" ] && WT_NAME=$1
	: "${WT_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
	# tests/wtdb.py for the Python checks of a database
	PYTHONPATH=$WT_SRCDIR/tests${PYTHONPATH:+:$PYTHONPATH}
	export PYTHONPATH
	WT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-$WT_NAME.XXXXXX") ||
	    wt_hard "cannot make a temporary directory"
	# wiretop started as root drops to the user nobody before it opens
	# -o and --log files: let that user write here (sticky, like /tmp)
	chmod 1777 "$WT_TMP"
	trap 'rm -rf "$WT_TMP"' EXIT
	trap 'rm -rf "$WT_TMP"; exit 130' INT TERM
}

# wt_log MSG...: a line on stdout (make check keeps it in the .log).
wt_log() {
	printf '%s: %s\n' "$WT_NAME" "$*"
}

# wt_ci: true when running under CI (CI set, and not 0/false/no).
wt_ci() {
	case ${CI:-} in
	"" | 0 | false | FALSE | False | no) return 1 ;;
	esac
	return 0
}

# wt_skip MSG...: skip the whole test (the rest of it, if some checks
# already ran).
wt_skip() {
	if [ "$WT_N" -eq 0 ]; then
		printf '1..0 # SKIP %s: %s\n' "$WT_NAME" "$*"
		exit 77
	fi
	WT_N=$((WT_N + 1))
	printf 'ok - %s # SKIP %s\n' "$WT_NAME" "$(_wt_desc "$*")"
	wt_finish
}

# wt_missing MSG...: a prerequisite is missing: skip, or fail under CI.
wt_missing() {
	if wt_ci; then
		wt_fail "$* (required when CI=$CI)"
		wt_finish
	fi
	wt_skip "$*"
}

# wt_hard MSG...: the test itself cannot run (broken setup).
wt_hard() {
	printf 'Bail out! %s: %s\n' "$WT_NAME" "$*"
	printf 'ERROR: %s: %s\n' "$WT_NAME" "$*" >&2
	exit 99
}

# _wt_desc MSG: MSG on one line, '#' escaped (TAP reads "# SKIP" as a
# directive).
_wt_desc() {
	printf '%s' "$1" | tr '\n' ' ' | sed 's/#/\\#/g'
}

# wt_fail MSG...: record one failure and go on.
wt_fail() {
	WT_FAILS=$((WT_FAILS + 1))
	WT_N=$((WT_N + 1))
	printf 'not ok - %s\n' "$(_wt_desc "$*")"
}

# wt_pass [MSG...]: record one success.
wt_pass() {
	WT_PASSES=$((WT_PASSES + 1))
	WT_N=$((WT_N + 1))
	if [ $# -gt 0 ]; then
		printf 'ok - %s\n' "$(_wt_desc "$*")"
	else
		printf 'ok\n'
	fi
	return 0
}

# wt_check DESC CMD...: run CMD; pass if it succeeds, else fail with DESC.
wt_check() {
	_d=$1
	shift
	if "$@"; then
		wt_pass "$_d"
	else
		wt_fail "$_d"
	fi
}

# wt_finish: print the totals (a TAP comment); exit 0 if nothing failed,
# else 1.  (Checks made in a subshell are not in these totals, but their
# TAP lines are what make check counts.)
wt_finish() {
	printf '# %s: %d passed, %d failed\n' "$WT_NAME" "$WT_PASSES" \
	    "$WT_FAILS"
	[ "$WT_FAILS" -eq 0 ] && exit 0
	exit 1
}

# wt_need_wiretop: $WIRETOP must be the built binary.
wt_need_wiretop() {
	if [ -z "${WIRETOP:-}" ] && [ -n "${WT_BUILDDIR:-}" ]; then
		WIRETOP=$WT_BUILDDIR/src/wiretop
	fi
	[ -n "${WIRETOP:-}" ] && [ -x "$WIRETOP" ] ||
	    wt_hard "WIRETOP (${WIRETOP:-unset}) is not an executable"
}

# wt_need_corpus [SUBDIR...]: $WT_CORPUS (and each SUBDIR) must exist;
# else skip, or fail under CI.
wt_need_corpus() {
	[ -n "${WT_CORPUS:-}" ] && [ -d "$WT_CORPUS" ] ||
	    wt_missing "no test corpus at ${WT_CORPUS:-(WT_CORPUS unset)}"
	for _s in "$@"; do
		[ -d "$WT_CORPUS/$_s" ] ||
		    wt_missing "corpus has no $_s/ folder"
	done
}

# wt_need_tool TOOL...: every TOOL must be on PATH; else skip, or fail
# under CI.
# wt_need_pcapgen: $pcapgen, the fixture generator make check builds.
wt_need_pcapgen() {
	pcapgen=${WT_TOOLS:-tests/tools}/pcapgen
	[ -x "$pcapgen" ] || wt_hard "needs $pcapgen (make check builds it)"
}

# wt_need_sqlite3: python3 with its sqlite3 module (the store's tests).
wt_need_sqlite3() {
	wt_need_tool python3
	python3 -c 'import sqlite3' 2>/dev/null ||
	    wt_missing "python3 has no sqlite3 module"
}

# wt_sql DB SQL: the rows of a query, read-only, columns joined by "|"
# (NULL as an empty string), as wiretop reads the database (`wiretop db
# sql`: flows, host_hour and host_day are tables only inside wiretop).
# Python checks use tests/wtdb.py the same way (PYTHONPATH has it).
wt_sql() {
	"$WIRETOP" db --db "$1" sql "$2"
}

# wt_wait_log FILE REGEX [TENTHS]: wait (100 tenths of a second unless
# given) until a line of FILE matches; false if none does by then.
wt_wait_log() {
	_i=0
	while [ $_i -lt "${3:-100}" ] && ! grep -q "$2" "$1" 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

# wt_wait_gone PID [TENTHS]: wait (50 tenths of a second unless given)
# until process PID has ended; false if it still runs by then.
wt_wait_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt "${2:-50}" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# wt_stop_pidfile FILE [TENTHS]: stop (TERM) the process whose pid FILE
# holds and wait (100 tenths unless given) until it has removed FILE, as
# nfcapd does once it has written its data file.
wt_stop_pidfile() {
	kill "$(cat "$1")" 2>/dev/null
	_i=0
	while [ -f "$1" ] && [ $_i -lt "${2:-100}" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# wt_free_port [tcp|udp]: a port on 127.0.0.1 that nobody uses now (udp
# unless tcp is asked), for a test's own listener.
wt_free_port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "${1:-udp}"
}

wt_need_tool() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 ||
		    wt_missing "$_t not installed (packaging/install-deps.sh --test)"
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

# wt_sanitizer_report FILE: true if FILE holds an ASan/UBSan/LSan/TSan
# report.
wt_sanitizer_report() {
	grep -Eq '(ERROR|WARNING): (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak|Thread)' \
	    "$1" 2>/dev/null
}

# wt_index_packets TSV FILE: the `packets` column of FILE's row in an
# INDEX.tsv (empty if absent or '-').
wt_index_packets() {
	awk -F '\t' -v f="$2" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "packets") c = i; next }
	    $1 == f && c { if ($c != "-") print $c; exit }' "$1"
}
