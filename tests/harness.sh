#!/bin/sh
# harness.sh: the test harness counts what it should.  Small programs are
# run the way make check runs a test (tests/tap-run.sh under automake's
# build-aux/tap-driver.sh) and the results the driver records must be:
# a crash or an unexplained exit status is a failure, exit 77 a skip, a
# lib.sh check one result each, a missing tool a skip outside CI and a
# failure under CI=true, wt_hard an error.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
wt_init harness
driver=$WT_SRCDIR/build-aux/tap-driver.sh
wrap=$WT_SRCDIR/tests/tap-run.sh
[ -f "$driver" ] || wt_hard "no $driver (autogen.sh installs it)"

# case NAME WANT SCRIPT: run SCRIPT (sh text) as a test; WANT is the
# sorted results the driver must record, e.g. "FAIL PASS".
case_is() {
	_name=$1 _want=$2
	printf '#!/bin/sh\n%s\n' "$3" >"$WT_TMP/$_name"
	chmod +x "$WT_TMP/$_name"
	env AM_TAP_AWK="${AWK:-awk}" ${CASE_ENV:-} sh "$driver" \
	    --test-name "$_name" --log-file "$WT_TMP/$_name.log" \
	    --trs-file "$WT_TMP/$_name.trs" --color-tests no \
	    --enable-hard-errors yes --expect-failure no -- \
	    sh "$wrap" "$WT_TMP/$_name" >/dev/null 2>&1
	_got=$(sed -n 's/^:test-result: \([A-Z]*\).*/\1/p' "$WT_TMP/$_name.trs" |
	    LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
	wt_check "$_name: driver records '$_got', want '$_want'" \
	    [ "$_got" = "$_want" ]
}

lib=". '$WT_SRCDIR/tests/lib.sh'; wt_init t"
CASE_ENV="CI=false"
case_is crash "FAIL" 'echo hello; kill -SEGV $$'
case_is crash-after-ok "FAIL PASS" 'echo "ok - a"; kill -SEGV $$'
case_is exit77 "SKIP" 'exit 77'
case_is exit3 "FAIL" 'exit 3'
case_is exit0-silent "PASS" 'echo hello'
case_is legacy "FAIL PASS" 'echo "FAIL x"; echo "ok   y"; exit 1'
case_is exit1-no-tap "FAIL" 'echo "all wrong"; exit 1'
case_is tap-plan "PASS PASS" 'echo "ok 1 - a"; echo "ok 2 - b"; echo 1..2'
case_is lib-checks "FAIL PASS PASS" "$lib; wt_pass a; wt_check b false; wt_check c true; wt_finish"
case_is lib-subshell "PASS PASS" "$lib; echo x | while read -r l; do wt_pass in-loop; done; wt_pass after; wt_finish"
case_is lib-hard "ERROR PASS" "$lib; wt_pass a; wt_hard broken"
case_is lib-skip "SKIP" "$lib; wt_skip not here"
case_is lib-missing-tool "SKIP" "$lib; wt_need_tool wt-no-such-tool; wt_pass a; wt_finish"
case_is lib-missing-corpus "SKIP" "$lib; WT_CORPUS=/nonexistent; wt_need_corpus; wt_pass a; wt_finish"
CASE_ENV="CI=true"
case_is ci-missing-tool "FAIL" "$lib; wt_need_tool wt-no-such-tool; wt_pass a; wt_finish"
case_is ci-missing-corpus "FAIL" "$lib; WT_CORPUS=/nonexistent; wt_need_corpus; wt_pass a; wt_finish"
case_is ci-crash "FAIL" 'kill -SEGV $$'
wt_finish
