#!/bin/sh
# daemon.sh: wiretop daemon on a veth pair in a namespace (root only).
#
#   - in the foreground, with --log and --pidfile: it captures what is
#     sent, USR1 logs capture and store statistics, HUP applies a new
#     retention and names a setting that needs a restart (a file with a
#     filter that does not compile applies nothing), a second daemon
#     on the same pid file is refused with one line, so is one on the
#     same database (exit 4; the first keeps its control socket), and
#     TERM writes the last interval: the stored samples and the flow
#     record hold exactly the datagrams sent (SIGTERM loses nothing);
#   - a damaged database: exit 4, one line on stderr and one error line
#     in the log, naming the file and saying it is damaged;
#   - db_group: the directory is 0750 and the files 0640 in that group;
#   - --daemonize: the command returns once the daemon runs, the pid file
#     names it; a daemon that cannot start makes it exit with its status
#     and one line on stderr, once the pid file's lock is free again;
#     relative paths stay the same files on HUP;
#   - capture files are refused (import is for them).
# Counts come from the sender: N UDP datagrams of 100 bytes, and the
# filter keeps anything else out; each is 14 + 20 + 8 + 100 bytes on the
# wire.
# Environment (set by make check): WIRETOP, WT_SRCDIR.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init daemon
wt_need_wiretop
wt_need_sqlite3
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up


# send N: N datagrams of one flow, 10.201.0.2:40000 to 10.201.0.1:9999
# (tests/live/netns.sh), 10 ms apart
send() {
	wt_ns_flow "$1" 10
}


filter='udp and src host 10.201.0.2 and dst port 9999'
cat >conf <<CONF
[wiretop]
retention_flows = 86400
CONF
chmod 644 conf

# ---- the foreground daemon --------------------------------------------
db=$WT_TMP/state/wiretop/history.db
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -c conf -i "$WT_IF0" -f "$filter" --db "$db" \
    --log d.log --pidfile "$WT_TMP/d.pid" 2>d.err &
dpid=$!
WT_PIDS="$WT_PIDS $dpid"
wt_wait_capture "$n0" 1
wt_wait_log d.log "history: $db" ||
    wt_fail "the daemon did not say it runs: $(cat d.log d.err)"
got=$(cat d.pid 2>/dev/null)
wt_check "the pid file names the daemon ($got, want $dpid)" \
    [ "$got" = "$dpid" ]
send 200

"$WIRETOP" daemon -i "$WT_IF0" --db "$WT_TMP/other.db" \
    --pidfile "$WT_TMP/d.pid" --log d2.log 2>d2.err
rc=$?
wt_check "a second daemon on the same pid file: exit 1 (got $rc)" [ $rc = 1 ]
if [ "$(wc -l <d2.err)" = 1 ] && grep -q "another wiretop daemon holds it (pid $dpid)" d2.err; then
	wt_pass "a second daemon: one line naming the first"
else
	wt_fail "a second daemon: stderr: $(cat d2.err)"
fi

# a second daemon on the same database (another pid file, none): refused
# before it captures, with one line naming the database and the first;
# the first keeps its control socket (a second one that was accepted
# would run: timeout ends it)
timeout 5 "$WIRETOP" daemon -i "$WT_IF0" -f "$filter" --db "$db" \
    --log d3.log 2>d3.err
rc=$?
wt_check "a second daemon on the same database: exit 4 (got $rc)" [ $rc = 4 ]
if [ "$(wc -l <d3.err)" = 1 ] &&
    grep -q "^wiretop: $db: another wiretop daemon writes this database (pid $dpid; " d3.err
then
	wt_pass "a second daemon on the database: one line naming it and the first"
else
	wt_fail "a second daemon on the database: stderr: $(cat d3.err)"
fi
wt_check "the first daemon's control socket is still there" [ -S "$db.sock" ]
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1]); s.send(b"hello"); print(s.recv(128).decode())' \
    "$db.sock" >ctl.out 2>&1
wt_check "... and answers ($(cat ctl.out))" grep -q "^error: expected" ctl.out

sleep 0.5	# the kernel retires its last block after 100 ms
kill -USR1 $dpid
wt_wait_log d.log "source 0 ($WT_IF0): 200 packets" &&
    wt_pass "USR1: the capture statistics are logged (200 packets)" ||
    wt_fail "USR1: no capture statistics: $(cat d.log)"
grep -q "history $db: writing; [0-9]* batches written" d.log &&
    wt_pass "USR1: the store statistics are logged" ||
    wt_fail "USR1: no store statistics: $(cat d.log)"

cat >conf <<CONF
[wiretop]
retention_flows = 3600
max_flows = 5000
CONF
kill -HUP $dpid
wt_wait_log d.log "HUP: retention now: .* flows 3600 s" &&
    wt_pass "HUP: the new retention is applied" ||
    wt_fail "HUP: retention: $(cat d.log)"
wt_wait_log d.log "HUP: changed, takes effect after a restart: max_flows" &&
    wt_pass "HUP: max_flows is named as needing a restart" ||
    wt_fail "HUP: restart settings: $(cat d.log)"
printf '[wiretop]\nretention_flows = forever\n' >conf
kill -HUP $dpid
wt_wait_log d.log "error: HUP: .*conf:2: retention_flows: .*; the settings in effect stay" &&
    wt_pass "HUP with a bad file: one error line, the settings stay" ||
    wt_fail "HUP bad file: $(cat d.log)"
# a filter that does not compile is a bad file too: the retention given
# with it is not applied either (a daemon whose filter is the file's: -f
# would win over it)
printf '[wiretop]\nfilter = udp\n' >fconf
"$WIRETOP" daemon -c fconf -i "$WT_IF0" --db "$WT_TMP/f.db" --log f.log \
    2>f.err &
fpid=$!
WT_PIDS="$WT_PIDS $fpid"
if wt_wait_log f.log "control socket"; then
	printf '[wiretop]\nretention_flows = 7200\nfilter = tcp port\n' >fconf
	kill -HUP $fpid
	if wt_wait_log f.log "error: HUP: filter: .*; the settings in effect stay" &&
	    sleep 0.3 && ! grep -q "flows 7200 s\|capture filter now" f.log; then
		wt_pass "HUP with a filter that does not compile: nothing applied"
	else
		wt_fail "HUP bad filter: $(cat f.log f.err)"
	fi
else
	wt_fail "the daemon with a filter from its file did not start: $(cat f.log f.err)"
fi
kill -TERM $fpid
wait $fpid

send 50
kill -TERM $dpid
wait $dpid
rc=$?
wt_check "TERM: exit 0 (got $rc)" [ $rc = 0 ]
wt_check "TERM: nothing on stderr ($(cat d.err))" [ ! -s d.err ]
got=$(wt_sql "$db" "select sum(rx_pkts + tx_pkts), sum(rx_bytes + tx_bytes)
    from samples_sec")
wt_check "samples hold the 250 datagrams, 250 x 142 bytes (got $got)" \
    [ "$got" = "250|35500" ]
got=$(wt_sql "$db" "select count(*), sum(orig_pkts), sum(orig_bytes),
    sum(orig_wire_bytes) from flows where orig_h = '10.201.0.2'
    and orig_p = 40000 and resp_p = 9999")
wt_check "TERM flushed the open flow: 250 datagrams, 25000 payload bytes, 35500 on the wire (got $got)" \
    [ "$got" = "1|250|25000|35500" ]
got=$(wt_sql "$db" "pragma integrity_check")
wt_check "integrity_check after TERM: $got" [ "$got" = ok ]
grep -q "info: exit 0" d.log && wt_pass "the log ends with exit 0" ||
    wt_fail "log end: $(tail -3 d.log)"

# ---- a damaged database ------------------------------------------------
# Pages 4 to 8 overwritten (the roots of the samples and alerts tables,
# as a new database lays them out; the schema's pages are left, so the
# file opens); the first write meets the damage.  One line on stderr and
# in the log names the file and says it is damaged (SQLite's own message
# was read after a ROLLBACK had replaced it: "not an error").
cp "$db" "$WT_TMP/damaged.db"
chmod 666 "$WT_TMP/damaged.db"
python3 -c 'import sys
f = open(sys.argv[1], "r+b")
f.seek(12288); f.write(b"\xff" * 20480)' "$WT_TMP/damaged.db"
"$WIRETOP" daemon -i "$WT_IF0" --db "$WT_TMP/damaged.db" --log k.log \
    2>k.err
rc=$?
wt_check "a damaged database: exit 4 (got $rc)" [ $rc = 4 ]
if [ "$(wc -l <k.err)" = 1 ] &&
    grep -q "^wiretop: $WT_TMP/damaged.db: cannot write: the history database is damaged" k.err
then
	wt_pass "a damaged database: one line on stderr naming it damaged"
else
	wt_fail "a damaged database: stderr: $(cat k.err)"
fi
if [ "$(grep -c 'error:' k.log)" = 1 ] && grep -q "error: $WT_TMP/damaged.db: .*damaged" k.log &&
    ! grep -q "not an error" k.log; then
	wt_pass "a damaged database: one error line in the log"
else
	wt_fail "a damaged database: log: $(grep -v 'info:' k.log)"
fi

# ---- db_group ----------------------------------------------------------
grp=wtd$$
groupadd -r "$grp" 2>/dev/null || wt_missing "groupadd"
trap 'wt_netns_down; groupdel "$grp" 2>/dev/null; rm -rf "$WT_TMP"' EXIT
printf '[wiretop]\ndb_group = %s\nuser = root\n' "$grp" >conf
gdb=$WT_TMP/gstate/history.db
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -c conf -i "$WT_IF0" -f "$filter" --db "$gdb" \
    --log g.log 2>g.err &
gpid=$!
WT_PIDS="$WT_PIDS $gpid"
wt_wait_capture "$n0" 1
wt_wait_log g.log "history: $gdb (group-readable)" ||
    wt_fail "db_group daemon: $(cat g.log g.err)"
send 10
sleep 1.5
got=$(stat -c '%a %G' "$WT_TMP/gstate" "$gdb" "$gdb-wal" "$gdb-shm" | tr '\n' ' ')
wt_check "db_group: directory 0750, files 0640, group $grp (got $got)" \
    [ "$got" = "750 $grp 640 $grp 640 $grp 640 $grp " ]
kill -TERM $gpid
wait $gpid
printf '[wiretop]\ndb_group = no-such-group-%s\n' $$ >conf
"$WIRETOP" daemon -c conf -i "$WT_IF0" --db "$gdb" 2>g.err
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <g.err)" = 1 ]; then
	wt_pass "an unknown db_group: exit 2, one line"
else
	wt_fail "an unknown db_group: exit $rc: $(cat g.err)"
fi

# ---- --daemonize --------------------------------------------------------
rm -f conf
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -i "$WT_IF0" -f "$filter" --db "$db" --log z.log \
    --pidfile "$WT_TMP/z.pid" --daemonize 2>z.err
rc=$?
zpid=$(cat z.pid 2>/dev/null)
WT_PIDS="$WT_PIDS $zpid"
wt_check "--daemonize: exit 0 once running (got $rc: $(cat z.err))" [ $rc = 0 ]
if [ -n "$zpid" ] && kill -0 "$zpid" 2>/dev/null &&
    [ "$(ps -o ppid= -p "$zpid" | tr -d ' ')" != $$ ]; then
	wt_pass "--daemonize: pid $zpid runs, detached"
else
	wt_fail "--daemonize: pid file '$zpid' does not name a detached daemon"
fi
wt_check "--daemonize: no controlling terminal, its own session" \
    [ "$(ps -o tty= -p "$zpid" | tr -d ' ')" = "?" ]
kill -TERM "$zpid"
_i=0
while kill -0 "$zpid" 2>/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
wt_check "--daemonize: TERM ends it" eval '! kill -0 "$zpid" 2>/dev/null'
grep -q "info: exit 0" z.log && wt_pass "--daemonize: exit 0 logged" ||
    wt_fail "--daemonize log: $(tail -3 z.log)"

# relative paths (here: $WT_TMP) are made absolute before the daemon
# works in /, and HUP reads the same command line to the same files: the
# log moved away is opened again where it was, and nothing is named as
# changed
printf '[wiretop]\nretention_flows = 86400\n' >rel.conf
chmod 644 rel.conf
"$WIRETOP" daemon -c rel.conf -i "$WT_IF0" -f "$filter" --db rel.db \
    --log rel.log --pidfile rel.pid --daemonize 2>rel.err
rc=$?
rpid=$(cat rel.pid 2>/dev/null)
WT_PIDS="$WT_PIDS $rpid"
wt_check "--daemonize with relative paths: exit 0 (got $rc: $(cat rel.err))" \
    [ $rc = 0 ]
mv rel.log rel.log.1
kill -HUP "$rpid"
_i=0
while [ ! -e rel.log ] && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
kill -HUP "$rpid"
wt_wait_log rel.log "HUP: GeoIP" 50
if [ -e rel.log ] && grep -q "HUP: GeoIP" rel.log &&
    ! grep -q "error: HUP\|takes effect after a restart" rel.log.1 rel.log
then
	wt_pass "HUP with relative paths: the log opened again in $WT_TMP, nothing named as changed"
else
	wt_fail "HUP with relative paths: $(grep -h HUP rel.log.1 rel.log 2>/dev/null)"
fi
kill -TERM "$rpid"
wt_check "--daemonize with relative paths: TERM ends it" wt_wait_gone "$rpid" 100

"$WIRETOP" daemon -i wtnosuch$$ --db "$db" --log y.log --daemonize 2>y.err
rc=$?
wt_check "--daemonize on a missing interface: exit 3 (got $rc)" [ $rc = 3 ]
wt_check "... with one line on stderr ($(cat y.err))" \
    [ "$(wc -l <y.err)" = 1 ]

# A daemon that fails to start (random bytes as its database) has
# released its pid file's lock (and the database's) by the time the
# command returns: started again at once, a daemon gets them.
head -c 20480 /dev/urandom >"$WT_TMP/random.db"
chmod 666 "$WT_TMP/random.db"
held=0
for i in 1 2 3 4 5; do
	"$WIRETOP" daemon -i "$WT_IF0" --db "$WT_TMP/random.db" --log x.log \
	    --pidfile "$WT_TMP/x.pid" --daemonize 2>x.err
	rc=$?
	[ $rc = 4 ] || wt_fail "--daemonize on random bytes: exit $rc (want 4): $(cat x.err)"
	if [ -e "$WT_TMP/x.pid" ] && ! flock -n "$WT_TMP/x.pid" true; then
		held=$((held + 1))
	fi
done
wt_check "--daemonize that fails: the pid file's lock is free when it returns (held $held times of 5)" \
    [ $held = 0 ]
"$WIRETOP" daemon -i "$WT_IF0" --db "$WT_TMP/random.db" --log x.log \
    --pidfile "$WT_TMP/x.pid" --daemonize 2>x.err
"$WIRETOP" daemon -i "$WT_IF0" -f "$filter" --db "$WT_TMP/x.db" \
    --log x.log --pidfile "$WT_TMP/x.pid" --daemonize 2>x.err
rc=$?
xpid=$(cat x.pid 2>/dev/null)
WT_PIDS="$WT_PIDS $xpid"
wt_check "--daemonize again at once on the same pid file: exit 0 (got $rc: $(cat x.err))" \
    [ $rc = 0 ]
[ -n "$xpid" ] && wt_stop_pidfile "$WT_TMP/x.pid"

# ---- what the daemon refuses -------------------------------------------
"$WIRETOP" daemon -r /dev/null --db "$db" 2>r.err
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <r.err)" = 1 ] && grep -q import r.err; then
	wt_pass "daemon -r FILE: exit 2, one line pointing to import"
else
	wt_fail "daemon -r FILE: exit $rc: $(cat r.err)"
fi
wt_finish
