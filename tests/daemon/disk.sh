#!/bin/sh
# disk.sh: the daemon's database on a disk that fills up or turns
# read-only, and readers while it writes (root only).
#
# The database lives on a small tmpfs of its own.  A sender in a
# namespace streams UDP datagrams at a steady pace to a veth pair the
# daemon captures on.
#   - Readers: export --db and report --db, run again and again while
#     the daemon writes, all succeed, and the daemon never pauses for
#     them.
#   - Full: a file fills the tmpfs; the daemon logs "history paused"
#     once, goes on capturing, and when the file goes it logs "history
#     resumed" and writes what it kept: after TERM the samples hold every
#     datagram sent.
#   - Read-only: the tmpfs is remounted read-only, then read-write
#     again: the same.
#   - integrity_check is ok at the end.
#   - A long outage (22 s read-only, more than the 16 batches the queue
#     keeps): the dropped batches are counted (USR1), carried in the live
#     snapshot, and wiretop view's header says "history: N batches lost";
#     the log warns once at the first drop and gives the count when
#     writing resumes.
#   - TERM while the disk is full: exit 4 and one line giving the cause
#     (the disk is full) and the batches and flow records not written.
# Environment (set by make check): WIRETOP, WT_SRCDIR.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init disk
wt_need_wiretop
wt_need_sqlite3
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up
wt_need_tool mount umount dd tmux

small=$WT_TMP/small
mkdir "$small"
mount -t tmpfs -o size=4m,mode=1777 wt-disk-test "$small" ||
    wt_missing "cannot mount a tmpfs"
trap 'wt_netns_down; umount "$small" 2>/dev/null; [ -n "${WT_KEEP:-}" ] || rm -rf "$WT_TMP"' EXIT



# N datagrams, 200 a second, each from its own source port (a flow each)
send() {
	wt_ns_py - "$1" <<'PY'
import socket, sys, time
t0 = time.monotonic()
for i in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"f" * 80, ("10.201.0.1", 9999))
    s.close()
    d = t0 + (i + 1) / 200.0 - time.monotonic()
    if d > 0:
        time.sleep(d)
PY
}

printf '[wiretop]\nudp_timeout = 1\n' >conf
chmod 644 conf
filter='udp and src host 10.201.0.2 and dst port 9999'
db=$small/wiretop/history.db
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -c conf -i "$WT_IF0" -f "$filter" --db "$db" \
    --log d.log 2>d.err &
dpid=$!
WT_PIDS="$WT_PIDS $dpid"
wt_wait_capture "$n0" 1
wt_wait_log d.log "history: $db" || wt_hard "no daemon: $(cat d.err)"
sent=0

# ---- readers while it writes ----------------------------------------------
send 600 &
spid=$!
rfail=0
r=0
while kill -0 $spid 2>/dev/null; do
	"$WIRETOP" export --db "$db" --since 1h --what samples >/dev/null \
	    2>r.err || { rfail=$((rfail + 1)); wt_log "export: $(cat r.err)"; }
	"$WIRETOP" report --db "$db" --format json -o /dev/null 2>r.err ||
	    { rfail=$((rfail + 1)); wt_log "report: $(cat r.err)"; }
	r=$((r + 1))
done
wait $spid
sent=$((sent + 600))
wt_check "readers: $r rounds of export --db and report --db while the daemon writes, $rfail failed" \
    eval '[ $rfail = 0 ] && [ $r -ge 5 ]'
wt_check "readers: the daemon never paused for them" \
    eval '! grep -q "history paused" d.log'

# ---- full -----------------------------------------------------------------
sleep 1.5
dd if=/dev/zero of="$small/fill" bs=64k 2>/dev/null
send 400
sent=$((sent + 400))
wt_wait_log d.log "history paused: .*full" 50 &&
    wt_pass "full disk: the daemon says history paused" ||
    wt_fail "full disk: no pause in the log: $(tail -3 d.log)"
kill -0 $dpid && wt_pass "full disk: the daemon goes on" ||
    wt_fail "full disk: the daemon died: $(cat d.err)"
kill -USR1 $dpid
wt_wait_log d.log "history $db: paused (retrying)" &&
    wt_pass "full disk: USR1 says paused" ||
    wt_fail "full disk: USR1: $(tail -3 d.log)"
rm -f "$small/fill"
wt_wait_log d.log "history resumed" 100 &&
    wt_pass "space again: history resumed" ||
    wt_fail "space again: not resumed: $(tail -3 d.log)"

# ---- read-only ------------------------------------------------------------
# A file system with a file open for writing cannot be remounted
# read-only: the daemon stops, the disk turns read-only, a new daemon
# starts on it, captures, and writes when the disk is writable again.
sleep 1
kill -TERM $dpid
wait $dpid
rc=$?
wt_check "full-disk run: TERM, exit 0 (got $rc: $(cat d.err))" [ $rc = 0 ]
mount -o remount,ro "$small" || wt_hard "remount ro"
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -c conf -i "$WT_IF0" -f "$filter" --db "$db" \
    --log ro.log 2>ro.err &
dpid=$!
WT_PIDS="$WT_PIDS $dpid"
wt_wait_capture "$n0" 1
wt_wait_log ro.log "history paused: cannot open the database" &&
    wt_pass "read-only disk: the daemon starts, history paused" ||
    wt_fail "read-only disk: $(cat ro.log ro.err)"
send 400
sent=$((sent + 400))
mount -o remount,rw "$small" || wt_hard "remount rw"
wt_wait_log ro.log "history resumed" 150 &&
    wt_pass "writable again: history resumed" ||
    wt_fail "writable again: not resumed: $(tail -3 ro.log)"
cat ro.log >>d.log

sleep 1
kill -TERM $dpid
wait $dpid
rc=$?
wt_check "TERM: exit 0 (got $rc: $(cat d.err))" [ $rc = 0 ]
got=$(wt_sql "$db" "select sum(rx_pkts + tx_pkts) from samples_sec")
wt_check "every datagram is stored: $sent sent, $got in the samples" \
    [ "$got" = "$sent" ]
got=$(wt_sql "$db" "select sum(orig_pkts) from flows")
wt_check "every flow is stored: $sent datagrams in the flow records (got $got)" \
    [ "$got" = "$sent" ]
got=$(wt_sql "$db" "pragma integrity_check")
wt_check "integrity_check: $got" [ "$got" = ok ]
wt_check "nothing was dropped or lost" \
    eval '! grep -q "[1-9][0-9]* dropped\|history lost\|cannot be written" d.log'

# ---- a long outage: batches dropped, counted and shown -----------------------
# The queue keeps 16 batches (about 16 s): a read-only disk for 22 s
# loses some; the daemon counts them (USR1), and the viewers' header says
# so once the disk is back.
mount -o remount,ro "$small" || wt_hard "remount ro"
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -c conf -i "$WT_IF0" -f "$filter" --db "$db" \
    --log long.log 2>long.err &
dpid=$!
WT_PIDS="$WT_PIDS $dpid"
wt_wait_capture "$n0" 1
wt_wait_log long.log "history paused" || wt_fail "long outage: no pause"
wt_ns_py - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(220):
    s.sendto(b"l" * 40, ("10.201.0.1", 9999))
    time.sleep(0.1)
PY
mount -o remount,rw "$small" || wt_hard "remount rw"
wt_wait_log long.log "history resumed" 150 ||
    wt_fail "long outage: not resumed: $(tail -3 long.log)"
sleep 2.5
kill -USR1 $dpid
wt_wait_log long.log "writing; .* [1-9][0-9]* dropped (queue full)" &&
    wt_pass "long outage: USR1 counts the dropped batches" ||
    wt_fail "long outage: USR1: $(grep history long.log | tail -2)"
got=$(wt_sql "$db" "select hist_dropped from live_snapshot")
wt_check "long outage: the snapshot carries the count ($got)" \
    [ "${got:-0}" -gt 0 ]
# the log says so as it happens: one warning at the first drop, the
# count when writing resumes (the USR1 count: nothing more was dropped)
n1=$(sed -n 's/.*writing; .* \([0-9]*\) dropped (queue full).*/\1/p' long.log | tail -1)
if [ "$(grep -c 'warning: .*history queue full' long.log)" = 1 ] &&
    grep -q "warning: $db: history: $n1 batch\(es\)\? ([0-9]* flow records) dropped while the queue was full" long.log
then
	wt_pass "long outage: the log warns at the first drop and counts the $n1 dropped batches when writing resumes"
else
	wt_fail "long outage: drop warnings: $(grep -i 'drop\|queue' long.log)"
fi
vt="tmux -L wtdisk$$ -f /dev/null"
$vt new-session -d -x 160 -y 20 "$WIRETOP view --db $db; sleep 30"
_i=0
while [ $_i -lt 50 ] && ! $vt capture-pane -p 2>/dev/null |
    grep -q "batches lost"; do
	sleep 0.1
	_i=$((_i + 1))
done
$vt capture-pane -p 2>/dev/null | grep -q "history: $got batches lost" &&
    wt_pass "long outage: wiretop view's header says history: $got batches lost" ||
    wt_fail "long outage: view header: $($vt capture-pane -p 2>/dev/null | head -2)"
$vt kill-server 2>/dev/null
kill -TERM $dpid
wait $dpid
rc=$?
wt_check "long outage: TERM, exit 0 (got $rc)" [ $rc = 0 ]
got=$(wt_sql "$db" "pragma integrity_check")
wt_check "long outage: integrity_check: $got" [ "$got" = ok ]

# ---- TERM while the disk is full ---------------------------------------------
# The last batches cannot be written: after its retries the daemon exits
# 4 with one line (stderr and log) that gives the real cause and what
# was lost, not SQLite's message about the ROLLBACK after a failed
# COMMIT ("cannot rollback - no transaction is active", twice).
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -c conf -i "$WT_IF0" -f "$filter" --db "$db" \
    --log term.log 2>term.err &
dpid=$!
WT_PIDS="$WT_PIDS $dpid"
wt_wait_capture "$n0" 1
wt_wait_log term.log "history: $db" || wt_fail "full at TERM: no daemon"
dd if=/dev/zero of="$small/fill" bs=64k 2>/dev/null
send 200
wt_wait_log term.log "history paused: .*full" 50 ||
    wt_fail "full at TERM: no pause: $(tail -3 term.log)"
kill -TERM $dpid
wait $dpid
rc=$?
rm -f "$small/fill"
wt_check "full at TERM: exit 4 (got $rc)" [ $rc = 4 ]
if [ "$(wc -l <term.err)" = 1 ] && grep -q "^wiretop: $db: cannot write: the disk is full (.*); not written: [1-9][0-9]* batch\(es\)\? ([1-9][0-9]* flow records)$" term.err
then
	wt_pass "full at TERM: one line on stderr, the disk full and what was lost: $(cat term.err)"
else
	wt_fail "full at TERM: stderr: $(cat term.err)"
fi
if [ "$(grep -c 'error:' term.log)" = 1 ] && grep -q "error: $db: cannot write: the disk is full" term.log &&
    ! grep -q rollback term.log; then
	wt_pass "full at TERM: one error line in the log"
else
	wt_fail "full at TERM: log: $(grep -v 'info:' term.log)"
fi
got=$(wt_sql "$db" "pragma integrity_check")
wt_check "full at TERM: integrity_check: $got" [ "$got" = ok ]
wt_finish
