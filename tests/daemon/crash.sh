#!/bin/sh
# crash.sh: the daemon killed with SIGKILL at random moments (root only).
#
# 20 times: a daemon captures on a veth pair while a sender in the
# namespace streams UDP datagrams at a steady pace and notes, against
# the monotonic clock, how many it has sent; after a random 1 to 4 s
# the daemon gets SIGKILL.  After each kill:
#   - PRAGMA integrity_check is ok;
#   - what that run stored (samples) never exceeds what was sent, and
#     falls short by at most the last interval: everything sent up to
#     2 s before the kill is stored (1 s batches, the kernel's 100 ms
#     blocks, the store's write).
# Then a last run ends with SIGTERM: it stores exactly what was sent.
# Environment (set by make check): WIRETOP, WT_SRCDIR.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init crash
wt_need_wiretop
wt_need_sqlite3
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up

KILLS=${WT_CRASH_KILLS:-20}
MARGIN=2.0


stored() {
	wt_sql "$db" "select coalesce(sum(rx_pkts + tx_pkts), 0) from samples_sec"
}

# the sender: 400 datagrams a second until killed; each line of its log
# is "MONOTONIC_TIME SENT_SO_FAR"
start_sender() {
	ip netns exec "$WT_NS" python3 - "$1" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
log = open(sys.argv[1], "w", buffering=1)
n = 0
t0 = time.monotonic()
while True:
    s.sendto(b"k" * 64, ("10.201.0.1", 9999))
    n += 1
    log.write("%.4f %d\n" % (time.monotonic(), n))
    t = t0 + n / 400.0
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
PY
	sender=$!
}

# sent_by LOG T: datagrams sent up to monotonic time T (from the log)
sent_by() {
	awk -v t="$2" '$1 <= t { n = $2 } END { print n + 0 }' "$1"
}


filter='udp and src host 10.201.0.2 and dst port 9999'
db=$WT_TMP/state/history.db
k=0
bad_int=0
bad_over=0
bad_short=0
while [ $k -lt "$KILLS" ]; do
	k=$((k + 1))
	before=$(stored 2>/dev/null || echo 0)
	n0=$(wt_packet_sockets)
	"$WIRETOP" daemon -i "$WT_IF0" -f "$filter" --db "$db" \
	    --log "run$k.log" 2>"run$k.err" &
	dpid=$!
	wt_wait_capture "$n0" 1
	wt_wait_log "run$k.log" "history: $db" || {
		wt_fail "run $k: the daemon did not start: $(cat "run$k.err")"
		kill -KILL $dpid 2>/dev/null
		continue
	}
	start_sender "send$k.log"
	# a random moment: 1 to 4 s
	sleep "$(awk -v s="$k$$" 'BEGIN { srand(s); printf "%.2f", 1 + rand() * 3 }')"
	tkill=$(python3 -c 'import time; print("%.4f" % time.monotonic())')
	kill -KILL $dpid
	wait $dpid 2>/dev/null
	kill $sender
	wait $sender 2>/dev/null
	ok=$(wt_sql "$db" "pragma integrity_check" 2>&1)
	[ "$ok" = ok ] || { bad_int=$((bad_int + 1)); wt_log "run $k: integrity_check: $ok"; }
	got=$(($(stored) - before))
	sent=$(sent_by "send$k.log" 1e18)
	floor=$(sent_by "send$k.log" "$(awk -v t="$tkill" -v m=$MARGIN 'BEGIN { printf "%.4f", t - m }')")
	wt_log "run $k: sent $sent, stored $got, sent $MARGIN s before the kill $floor"
	[ "$got" -le "$sent" ] || bad_over=$((bad_over + 1))
	[ "$got" -ge "$floor" ] || bad_short=$((bad_short + 1))
done
wt_check "after $KILLS SIGKILLs: integrity_check ok every time ($bad_int bad)" \
    [ $bad_int = 0 ]
wt_check "stored never more than sent ($bad_over runs over)" [ $bad_over = 0 ]
wt_check "stored at least what was sent up to $MARGIN s before each kill ($bad_short runs short)" \
    [ $bad_short = 0 ]

# ---- SIGTERM loses nothing ---------------------------------------------
before=$(stored)
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -i "$WT_IF0" -f "$filter" --db "$db" --log term.log \
    2>term.err &
dpid=$!
wt_wait_capture "$n0" 1
wt_wait_log term.log "history: $db" || wt_fail "TERM run: no start"
start_sender send-term.log
sleep 1.7
kill $sender
wait $sender 2>/dev/null
kill -TERM $dpid
wait $dpid
rc=$?
got=$(($(stored) - before))
sent=$(sent_by send-term.log 1e18)
wt_check "SIGTERM: exit 0 (got $rc)" [ $rc = 0 ]
wt_check "SIGTERM: all $sent datagrams stored (got $got)" [ "$got" = "$sent" ]
ok=$(wt_sql "$db" "pragma integrity_check")
wt_check "integrity_check after TERM: $ok" [ "$ok" = ok ]
wt_finish
