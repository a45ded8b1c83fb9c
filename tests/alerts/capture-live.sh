#!/bin/sh
# capture-live.sh: the capture detector on live interfaces: an interface
# that disappears under `wiretop daemon` is a critical capture alert
# naming it, logged (--log) as the daemon logs every alert.
#
#   - Two interfaces (veth pairs into a network namespace, see
#     tests/live/netns.sh), one deleted: one alert line, "error: alert N
#     [critical] capture: capture: IF disappeared..." for that interface
#     and no other capture alert; the daemon goes on with the other one,
#     which still sees every datagram sent to it (its per-second samples
#     in the database, read after SIGTERM), and exits 0 on SIGTERM.
#   - One interface, deleted: the same alert, then "every capture source
#     has ended: stopping" and exit status 3 (a capture problem), as
#     wiretop(8) says under DAEMON.
# Root only (capture, namespaces); without root or ip(8) it skips, and
# fails under CI=true.  Environment (set by make check): WIRETOP,
# WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-capture-live
wt_need_wiretop
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up
export WIRETOP_NO_DEFAULT_CONFIG=1

# send N ADDR...: N datagrams to each ADDR, one every 20 ms
send() {
	_n=$1
	shift
	wt_ns_send "$_n" 20 "$@"
}

# alive PID: the process runs (and is not a zombie waiting for us).
alive() {
	kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# daemon NAME IF...: start the daemon on the interfaces, as root (-u
# root: the files stay root's), database NAME.db, log NAME.log; waits
# for its capture sockets.
daemon() {
	_name=$1
	shift
	_args=
	for _i in "$@"; do
		_args="$_args -i $_i"
	done
	_n0=$(wt_packet_sockets)
	# shellcheck disable=SC2086
	"$WIRETOP" daemon $_args -f 'udp and port 9999' -u root \
	    --db "$WT_TMP/$_name.db" --log "$WT_TMP/$_name.log" \
	    >"$WT_TMP/$_name.out" 2>&1 &
	dpid=$!
	WT_PIDS="$WT_PIDS $dpid"
	wt_wait_capture "$_n0" $#
}

# ---- two interfaces, one deleted: the daemon goes on --------------------
daemon two "$WT_IF0" "$WT_IF1"
send 25 10.201.0.1 10.201.1.1
ip link del "$WT_IF0"
re="error: alert [0-9]* \[critical\] capture: capture: $WT_IF0 disappeared"
if wt_wait_log two.log "$re"; then
	wt_pass "deleted $WT_IF0: critical capture alert logged"
else
	wt_fail "deleted $WT_IF0: no capture alert; log: $(cat two.log)"
fi
wt_check "one capture alert, about $WT_IF0 only" \
    [ "$(grep -c 'alert [0-9]* \[[a-z]*\] capture:' two.log)" = 1 ]
sleep 1
if alive "$dpid"; then
	wt_pass "the daemon goes on with $WT_IF1"
else
	wt_fail "the daemon stopped: $(tail -n 3 two.log)"
fi
send 40 10.201.1.1
kill -TERM "$dpid"
wait "$dpid"
rc=$?
wt_check "SIGTERM: exit $rc (want 0)" [ "$rc" = 0 ]
wt_check "no 'every capture source has ended' while $WT_IF1 runs" \
    sh -c "! grep -q 'every capture source has ended' two.log"
# what the second interface saw: its source's packets in the database
n1=$(python3 - "$WT_TMP/two.db" "$WT_IF1" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute("SELECT sum(rx_pkts + tx_pkts) FROM samples_sec "
                "WHERE source = ?", (sys.argv[2],)).fetchone()[0])
PY
)
wt_check "$WT_IF1 saw all 65 datagrams, the delete notwithstanding (got $n1)" \
    [ "$n1" = 65 ]

# ---- one interface, deleted: the daemon stops ---------------------------
daemon one "$WT_IF1"
send 10 10.201.1.1
ip link del "$WT_IF1"
re="error: alert [0-9]* \[critical\] capture: capture: $WT_IF1 disappeared"
if wt_wait_log one.log "$re"; then
	wt_pass "deleted $WT_IF1: critical capture alert logged"
else
	wt_fail "deleted $WT_IF1: no capture alert; log: $(cat one.log)"
fi
i=0
while [ $i -lt 100 ] && alive "$dpid"; do
	sleep 0.1
	i=$((i + 1))
done
if alive "$dpid"; then
	wt_fail "the daemon still runs with no source left"
else
	wait "$dpid"
	rc=$?
	wt_check "no source left: exit $rc (want 3)" [ "$rc" = 3 ]
	wt_check "the log says every source has ended" \
	    grep -q 'every capture source has ended: stopping' one.log
fi
wt_finish
