#!/bin/sh
# tui.sh: the alerts pane in the real TUI, in tmux, on the port-scan
# fixture (tests/alerts/port-scan.txt).
#
# From how the fixture is built: two scans pass port_scan_ports (100):
# 203.0.113.10 with its 101st unanswered UDP probe (sent at 0.05 + 100 x
# 0.1 = 10.05 s, counted when it has waited 3 s unanswered: 13.05 s) and
# 203.0.113.9 with its 103rd SYN (two of its ports answered: sent at
# 102 x 0.1 = 10.2 s, counted at 13.2 s).  The pane lists the newest
# first: 203.0.113.9's alert (id 2) is the first row.  Tab four times moves the focus from the
# talkers to the alerts pane; `a` acknowledges the selected alert (the
# row then says "ack", the status line who did it), and Enter shows its
# details on the status line and opens the host view of its subject.
# Every step waits by polling the pane, never by a fixed sleep.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-tui
wt_need_wiretop
wt_need_pcapgen
wt_need_tool tmux
. "$WT_SRCDIR/tests/tui/viewlib.sh"
trap vl_cleanup EXIT

"$pcapgen" -o "$WT_TMP/scan.pcap" "$WT_SRCDIR/tests/alerts/port-scan.txt" \
    >/dev/null || wt_hard "pcapgen failed"

vl_start 100 30 "WIRETOP_NO_DEFAULT_CONFIG=1 $WIRETOP -r $WT_TMP/scan.pcap --speed max"
if vl_wait "2 open, 2 raised"; then
	wt_pass "the pane counts the two scans"
else
	vl_show
	wt_fail "the pane counts the two scans"
fi
first_row() {
	awk '/^─ Alerts|^- Alerts/{f=1; next} f{print; exit}' "$WT_TMP/screen"
}
row_is() {	# row_is REGEX: the first alert row matches
	first_row | grep -Eq "$1"
}
if vl_eventually row_is 'warning +new .*port scan: 203\.0\.113\.9 probed'; then
	wt_pass "the newest alert is 203.0.113.9's port scan, new"
else
	vl_show
	wt_fail "the newest alert is 203.0.113.9's port scan, new"
fi

vl_key Tab Tab Tab Tab
vl_key a
if vl_wait "alert 2 acknowledged by" &&
    vl_eventually row_is 'warning +ack .*port scan: 203\.0\.113\.9'; then
	wt_pass "a acknowledges it"
else
	vl_show
	wt_fail "a acknowledges it"
fi

vl_key Enter
if vl_wait "Host 203.0.113.9" && vl_wait "alert 2 port_scan warning"; then
	wt_pass "Enter shows the details and opens the subject host"
else
	vl_show
	wt_fail "Enter shows the details and opens the subject host"
fi
vl_key Escape
vl_key q
if vl_eventually vl_exited_ok; then
	wt_pass "quits with status 0"
else
	vl_show
	wt_fail "quits with status 0"
fi
wt_finish
