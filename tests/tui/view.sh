#!/bin/sh
# view.sh: `wiretop view` on the database a running `wiretop daemon -i lo`
# writes, in tmux (root only: the daemon captures).
#
#   - The top talker shown is the host the test sent the most bytes from:
#     127.77.1.1 sends 3 x 1000 datagrams (to three receivers), 127.77.2.1
#     sends 1500 to one, so by construction 127.77.1.1 leads every other
#     address (the receivers get 1000 and 1500).
#   - It follows within about 2 s (a snapshot a second, read every
#     second): a new sender, 127.77.3.1, sends 6000 datagrams; it must
#     lead the pane at most 4 s after its last datagram (2 s, and slack
#     for a machine busy with make -j check).  The time is printed.
#   - After the daemon stops, the header says "daemon not writing since".
#   - A database wiretop view cannot use is one line on stderr and exit 4:
#     a file that is not SQLite, and (as the user nobody) a file it may
#     not read: "permission denied (ask to be added to group G)" with
#     the file's real group.
#   - Enter on the top talker shows its row and flow from the snapshot.
#   - f and + say they are not available in view.
# The daemon's BPF filter keeps only the test's port on lo.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init view
wt_need_wiretop
wt_need_tool tmux python3 awk
[ "$(id -u)" = 0 ] || wt_missing "needs root (the daemon captures on lo)"
. "$WT_SRCDIR/tests/tui/viewlib.sh"
trap vl_cleanup EXIT
trap 'vl_cleanup; exit 130' INT TERM HUP PIPE
cd "$WT_TMP" || wt_hard "cd $WT_TMP"
HOME=$WT_TMP
export HOME

PORT=$((20000 + $$ % 20000))
DB=$WT_TMP/db/history.db
mkdir -p "$WT_TMP/db"

# --- the top talker ------------------------------------------------------
vl_daemon "$DB" "$PORT" || {
	cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
	wt_hard "wiretop daemon did not write a snapshot"
}
vl_start 140 45 "'$WIRETOP' view --db '$DB'"
if vl_wait "snapshot"; then
	wt_pass "view shows the daemon's snapshot"
else
	vl_show
	wt_fail "view shows the daemon's snapshot"
fi
vl_send 127.77.1.1 127.77.1.2 1000 1000 "$PORT"
vl_send 127.77.1.1 127.77.1.3 1000 1000 "$PORT"
vl_send 127.77.1.1 127.77.1.4 1000 1000 "$PORT"
vl_send 127.77.2.1 127.77.2.2 1500 1000 "$PORT"
if vl_eventually vl_first_is 127.77.1.1; then
	wt_pass "the top talker is the host that sent the most (127.77.1.1)"
else
	vl_show
	wt_fail "the top talker is the host that sent the most (127.77.1.1)"
fi
# every address that sent or received is listed: six
if vl_eventually sh -c '[ "$(awk "/^host /{f=1; next} f && /Connections/{exit}
    f && /^127\.77\./{n++} END{print n+0}" "$0")" -eq 6 ]' \
    "$WT_TMP/screen"; then
	wt_pass "the six addresses of the traffic are listed"
else
	vl_show
	wt_fail "the six addresses of the traffic are listed"
fi

# --- it follows within about 2 s -------------------------------------------
vl_send 127.77.3.1 127.77.3.2 6000 1000 "$PORT"
t0=$(date +%s.%N)
VL_WITHIN=4
if vl_eventually vl_first_is 127.77.3.1; then
	t1=$(date +%s.%N)
	wt_log "a new top talker shown $(awk -v a="$t0" -v b="$t1" \
	    'BEGIN{printf "%.2f", b - a}') s after its last datagram"
	wt_pass "a new top talker appears within 4 s"
else
	vl_show
	wt_fail "a new top talker appears within 4 s"
fi
VL_WITHIN=

# --- drill-down: what the snapshot has -------------------------------------
vl_key Enter
if vl_wait "Host 127.77.3.1 (snapshot)" &&
    vl_eventually grep -q "127\.77\.3\.1:[0-9]* *127\.77\.3\.2:$PORT" \
    "$WT_TMP/screen"; then
	wt_pass "Enter on the top talker shows its snapshot row and its flow"
else
	vl_show
	wt_fail "Enter on the top talker shows its snapshot row and its flow"
fi
vl_key Escape
vl_wait "Top talkers" || wt_fail "Esc goes back from the host view"

# --- keys that act on capture -------------------------------------------
vl_key f
if vl_wait "not available in view"; then
	wt_pass "f says the capture filter is not available in view"
else
	vl_show
	wt_fail "f says the capture filter is not available in view"
fi
vl_key +
if vl_wait "replay pace is not available in view"; then
	wt_pass "+ says the replay pace is not available in view"
else
	vl_show
	wt_fail "+ says the replay pace is not available in view"
fi

# --- the daemon stops -------------------------------------------------------
vl_daemon_stop
if vl_wait "daemon not writing since"; then
	wt_pass "the header says the daemon is not writing"
else
	vl_show
	wt_fail "the header says the daemon is not writing"
fi
vl_key q
if vl_eventually vl_exited_ok; then
	wt_pass "q quits with status 0"
else
	vl_show
	wt_fail "q quits with status 0"
fi

# --- databases view cannot use: one line, exit 4 ---------------------------
# one_line_exit4 DESCRIPTION PATTERN CMD...: stderr is one line matching
# PATTERN (extended regex), and the status is 4.
one_line_exit4() {
	d=$1
	pat=$2
	shift 2
	"$@" > "$WT_TMP/o" 2> "$WT_TMP/e" </dev/null
	rc=$?
	if [ $rc -eq 4 ] && [ "$(wc -l < "$WT_TMP/e")" -eq 1 ] &&
	    grep -Eq -- "$pat" "$WT_TMP/e"; then
		wt_pass "$d"
	else
		wt_fail "$d (exit $rc)"
		cat "$WT_TMP/e"
	fi
}

head -c 4096 /dev/urandom > "$WT_TMP/garbage.db"
one_line_exit4 "a file that is not a database: one line, exit 4" \
    "^wiretop: view: .*garbage.db: not a wiretop history database" \
    "$WIRETOP" view --db "$WT_TMP/garbage.db"
one_line_exit4 "a missing database: one line, exit 4" \
    "^wiretop: view: .*nothere.db: no history database" \
    "$WIRETOP" view --db "$WT_TMP/nothere.db"

if command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	# the database as a daemon with db_group would leave it, read by
	# a user outside the group
	mkdir -p "$WT_TMP/locked"
	cp "$DB" "$WT_TMP/locked/history.db"
	chmod 0640 "$WT_TMP/locked/history.db"
	chmod 0755 "$WT_TMP/locked"
	g=$(stat -c %G "$WT_TMP/locked/history.db")
	one_line_exit4 "an unreadable database: one line naming group $g, exit 4" \
	    "^wiretop: view: .*history.db: permission denied \(ask to be added to group $g\)$" \
	    runuser -u nobody -- "$WIRETOP" view --db "$WT_TMP/locked/history.db"
else
	wt_missing "runuser or the user nobody"
fi

wt_finish
