#!/bin/sh
# daemon.sh: the daemon logs its alerts (syslog, here --log), one line
# each, at a level from the severity.
#
# The daemon captures loopback (only this test's UDP port); the test
# sends 3 datagrams of 3000 bytes from 127.0.0.1 to 127.0.0.1: frames of
# 14 + 20 + 8 + 3000 = 3042 bytes, above large_packet_bytes (1600): one
# large_packet alert (notice, so an info line) whose repeats fold in.
# Needs root (capture) and python3 (the sender, the database wait).

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-daemon
wt_need_wiretop
wt_need_tool python3
[ "$(id -u)" -eq 0 ] || wt_missing "needs root to capture on lo"
wt_need_sqlite3
. "$WT_SRCDIR/tests/tui/viewlib.sh"
trap vl_cleanup EXIT
export WIRETOP_NO_DEFAULT_CONFIG=1

port=$((20000 + $$ % 20000))
vl_daemon "$WT_TMP/h.db" "$port" || {
	cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
	wt_hard "the daemon did not start"
}
wt_check "the detectors are named in the log" \
    grep -q 'alerts: detectors port_scan,host_scan' "$WT_TMP/daemon.log"
vl_send 127.0.0.1 127.0.0.1 3 3000 "$port"
if wt_wait_log "$WT_TMP/daemon.log" \
    'info: alert 1 \[notice\] large_packet: large packet: 127.0.0.1 to 127.0.0.1, udp, 3042 bytes on the wire (bound 1600)'; then
	wt_pass "the large packet alert is logged"
else
	cat "$WT_TMP/daemon.log"
	wt_fail "the large packet alert is logged"
fi
vl_daemon_stop
wt_check "one alert line, the repeats folded in" \
    [ "$(grep -c 'alert [0-9]* \[' "$WT_TMP/daemon.log")" -eq 1 ]
wt_finish
