#!/bin/sh
# tests/tap-run.sh: run one test program for make check (LOG_COMPILER)
# so that automake's TAP driver counts its individual checks.
#
#   tap-run.sh PROGRAM [ARGS...]
#
# PROGRAM's stdout passes through to the driver.  TAP it prints ("ok",
# "not ok", a plan, "Bail out!") counts as it is; Check unit tests print
# TAP because CK_TAP_LOG_FILE_NAME is "-".  A line starting "FAIL: " or
# "FAIL " (the older scripts' style) counts as "not ok".  Then, from the
# exit status:
#   - no plan printed: the plan "1..N" is added for the N results seen;
#     a program that printed no result at all becomes one result: ok
#     (exit 0), skipped (exit 77) or not ok (anything else);
#   - an exit status that the results do not explain (a signal, 99, or 1
#     with no "not ok") adds one "not ok" naming it, so a crash always
#     counts as a failure;
#   - exit 77 after a "1..0 # SKIP" plan, or 1 after a "not ok", is
#     already counted and reported to the driver as 0.
# Anything else goes to the driver unchanged (it reports an error).

[ $# -ge 1 ] || { echo "usage: tap-run.sh PROGRAM [ARGS...]" >&2; exit 99; }
name=${1##*/}
st=$(mktemp "${TMPDIR:-/tmp}/wt-tap.XXXXXX") || exit 99
CK_TAP_LOG_FILE_NAME=-
export CK_TAP_LOG_FILE_NAME

{ "$@"; echo "$?" >"$st"; } | awk -v st="$st" -v name="$name" '
	/^(not )?ok($|[^a-zA-Z0-9_])/ {
		n++
		if ($0 ~ /^not ok/) nok++
		print; fflush(); next
	}
	/^1\.\.[0-9]+/ {
		plan = 1
		if ($0 ~ /^1\.\.0+[ \t]*#/) skipplan = 1
		print; fflush(); next
	}
	/^[ \t]*Bail out!/ { bail = 1; print; fflush(); next }
	/^FAIL[: ]/ {
		n++; nok++
		sub(/^FAIL:? */, "")
		print "not ok - " $0; fflush(); next
	}
	{ print; fflush() }
	END {
		rc = 99
		if ((getline line < st) > 0)
			rc = line + 0
		close(st)
		out = rc
		if (bail) {
			# the driver ignores the exit status after a bail-out
		} else if (plan) {
			if ((rc == 77 && skipplan) || (rc == 1 && nok > 0))
				out = 0
		} else if (n == 0 && rc == 77) {
			print "1..0 # SKIP " name ": exit status 77"
			out = 0
		} else {
			if (n == 0 && rc == 0) {
				print "ok - " name; n++
			} else if (rc != 0 && !(rc == 1 && nok > 0)) {
				print "not ok - " name ": exit status " rc; n++
			}
			print "1.." n
			out = 0
		}
		print out > st
		close(st)
	}'
rc=$(cat "$st" 2>/dev/null)
rm -f "$st"
exit "${rc:-99}"
