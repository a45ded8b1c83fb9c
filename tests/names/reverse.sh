#!/bin/sh
# reverse.sh: resolve = reverse looks up the hosts on screen without ever
# stalling it, and resolve = passive / off send no query at all.
#
# The test runs in its own mount and network namespace (unshare -mn): lo
# only, with its own /etc/resolv.conf (nameserver 127.0.0.1, a 30 s
# timeout), /etc/nsswitch.conf (hosts: files dns) and /etc/hosts bound
# over the system's, and tests/names/dnsserver.py on 127.0.0.1:53, which
# logs every query it gets.  Its PTR table:
#   127.0.0.2  alpha.test
#   127.0.0.3  a name with ESC [31m and BEL (glibc refuses such an
#              answer: no name, the raw bytes never reach the screen)
#   127.0.0.4  slow: never answered (the lookup hangs for 30 s, longer
#   127.0.0.6  slow  than the test runs)
#   127.0.0.7  beta.test
# and /etc/hosts names 127.0.0.5 with ESC [31m and BEL in the name
# (glibc passes that through: the screen must show it escaped, as
# "evil?red?bell.test").  Traffic: UDP from 127.0.0.1 to 127.0.0.2-7,
# 20 packets a second each, for as long as the test runs.
# Checks: (a) the screen shows the answered names, with the host view
# saying "reverse DNS"; (b) while the two slow lookups hang, the screen's
# clock goes on (one frame a second) and q quits at once; a live export
# with resolve = reverse ends in its normal time; (c) with resolve =
# passive and off the server gets no query.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

if [ -z "${WT_NAMES_NS:-}" ]; then
	wt_init names-reverse
	[ "$(id -u)" = 0 ] || wt_missing "needs root (mount and network namespaces)"
	wt_need_tool unshare tmux python3 ip
	unshare -mn true 2>/dev/null ||
	    wt_missing "cannot create mount and network namespaces"
	rm -rf "$WT_TMP"
	WT_NAMES_NS=1 exec unshare -mn sh "$0" "$@"
fi

wt_init names-reverse
wt_need_wiretop
export WIRETOP_NO_DEFAULT_CONFIG=1
HOME=$WT_TMP
export HOME
# the tmux panes: tests/tui/viewlib.sh (vl_start, vl_snap, vl_wait,
# vl_key; a new tmux server per session)
. "$WT_SRCDIR/tests/tui/viewlib.sh"
PIDS=
cleanup() {
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null
	done
	vl_cleanup
}
trap cleanup EXIT
trap 'exit 130' HUP INT PIPE TERM

ip link set lo up || wt_hard "cannot bring lo up"
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' \
    >"$WT_TMP/resolv.conf"
printf 'hosts: files dns\n' >"$WT_TMP/nsswitch.conf"
printf '127.0.0.1 localhost\n127.0.0.5 evil\033[31mred\007bell.test\n' \
    >"$WT_TMP/hosts"
chmod 644 "$WT_TMP/resolv.conf" "$WT_TMP/nsswitch.conf" "$WT_TMP/hosts"
for f in resolv.conf nsswitch.conf hosts; do
	mount --bind "$WT_TMP/$f" "/etc/$f" ||
	    wt_hard "cannot bind $WT_TMP/$f over /etc/$f"
done
# no nscd or other cache of the host's outside the namespace
[ -d /var/run/nscd ] && mount -t tmpfs none /var/run/nscd

python3 "$WT_SRCDIR/tests/names/dnsserver.py" "$WT_TMP/queries" \
    '127.0.0.2=alpha.test' '127.0.0.3=evil\x1b[31m.bad\x07x.test' \
    '127.0.0.4=slow' '127.0.0.6=slow' '127.0.0.7=beta.test' \
    >"$WT_TMP/dns.out" 2>&1 &
PIDS="$PIDS $!"
wt_wait_log "$WT_TMP/dns.out" ready || wt_hard "the DNS server did not start"
: >"$WT_TMP/queries"
python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    for i in range(2, 8):
        s.sendto(b"x" * 100, ("127.0.0.%d" % i, 9))
    time.sleep(0.05)
' >/dev/null 2>&1 &
PIDS="$PIDS $!"

queries() {
	grep -c . "$WT_TMP/queries"
}

# clock: the header's packet-time clock (HH:MM:SS) now on the pane.
clock() {
	vl_snap
	grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' "$WT_TMP/screen" | head -1
}

screen_fail() {
	wt_fail "$1"
	sed 's/^/    /' "$WT_TMP/screen"
}

# ---- resolve = reverse -------------------------------------------------
vl_start 120 30 "$WIRETOP -i lo --resolve reverse --log $WT_TMP/log; sleep 600"
t0=$(date +%s)
for n in alpha.test beta.test 'evil?red?bell.test'; do
	if vl_wait "$n"; then
		wt_pass "the screen shows $n ($(($(date +%s) - t0)) s)"
	else
		screen_fail "the screen shows $n"
	fi
done
vl_snap
wt_check "the raw ESC [31m of a name never reaches the screen" \
    sh -c "! grep -q '\[31m' '$WT_TMP/screen'"
wt_check "the hostile DNS answer (127.0.0.3) gives no name" \
    sh -c "! grep -q 'evil.*bad\|bad.*x\.test' '$WT_TMP/screen'"
wt_check "the slow addresses were asked (their queries reached the server)" \
    sh -c "grep -q '^4\.0\.0\.127\.in-addr\.arpa 12' '$WT_TMP/queries' &&
	grep -q '^6\.0\.0\.127\.in-addr\.arpa 12' '$WT_TMP/queries'"
wt_check "no query for 127.0.0.1 and .5 (/etc/hosts names them)" \
    sh -c "! grep -q '^[15]\.0\.0\.127\.' '$WT_TMP/queries'"

# ticking COUNT: the header's clock changes COUNT times within
# COUNT + 3 seconds (one frame a second); says how long it took.
ticking() {
	_c1=$(clock)
	_seen=$_c1
	_ok=0
	_t=$(date +%s%N)
	while [ $(($(date +%s%N) - _t)) -lt $((($1 + 3) * 1000000000)) ]; do
		sleep 0.1
		_c=$(clock)
		if [ -n "$_c" ] && [ "$_c" != "$_seen" ]; then
			_ok=$((_ok + 1))
			_seen=$_c
		fi
		[ $_ok -ge "$1" ] && break
	done
	tick_ms=$((($(date +%s%N) - _t) / 1000000))
	tick_span="$_c1 -> $_seen"
	[ $_ok -ge "$1" ]
}

# (b) the slow lookups hang (30 s timeout): the clock still moves
# every second and the log shows them in flight.
if ticking 3; then
	wt_pass "the clock moved 3 times in $tick_ms ms with lookups hanging ($tick_span)"
else
	screen_fail "the clock moves while lookups hang ($tick_span in $tick_ms ms)"
fi
pid=$(pgrep -f "^$WIRETOP -i lo --resolve reverse" | head -1)
[ -n "$pid" ] && kill -USR1 "$pid"
if wt_wait_log "$WT_TMP/log" "reverse DNS: .* 2 in flight"; then
	wt_pass "USR1 logs the 2 slow lookups in flight: $(grep 'reverse DNS' "$WT_TMP/log" | tail -1 | sed 's/.*reverse DNS/reverse DNS/')"
else
	wt_fail "USR1 logs the resolver with 2 lookups in flight"
	sed 's/^/    /' "$WT_TMP/log"
fi
wt_check "the log counts the found names" \
    grep -q "reverse DNS: [0-9]* asked, [3-9] found" "$WT_TMP/log"

# the host view of alpha.test says where its name comes from
vl_key / && vl_key -l 'alpha' &&
    vl_key Enter
sleep 0.5
vl_key Enter
if vl_wait "alpha.test (reverse DNS)"; then
	wt_pass "the host view says alpha.test comes from reverse DNS"
else
	screen_fail "the host view says alpha.test comes from reverse DNS"
fi

# q quits at once, whatever lookups still hang
t1=$(date +%s%N)
vl_key Escape
vl_key q
i=0
while [ $i -lt 200 ] && pgrep -f "^$WIRETOP -i lo --resolve reverse" \
    >/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
ms=$((($(date +%s%N) - t1) / 1000000))
# waiting for the hanging lookups would take their 30 s timeout; 5 s
# leaves room for slow (sanitizer) builds
if [ $ms -lt 5000 ]; then
	wt_pass "q quits in $ms ms with lookups hanging"
else
	wt_fail "q quits at once with lookups hanging (still there after $ms ms)"
fi
$VL_T kill-server >/dev/null 2>&1

# one lookup at a time and a queue of 1: the first slow address holds
# the only lookup, the second waits in the queue, every other request
# is dropped and counted, and the screen still goes on.
printf 'resolve_lookups = 1\nresolve_queue = 1\n' >"$WT_TMP/small.conf"
vl_start 120 30 "$WIRETOP -i lo --resolve reverse -c $WT_TMP/small.conf \
    --log $WT_TMP/small.log; sleep 600"
if vl_wait "127.0.0.7" && ticking 3; then
	wt_pass "queue of 1: the clock moved 3 times in $tick_ms ms"
else
	screen_fail "queue of 1: the screen goes on ($tick_span)"
fi
pid=$(pgrep -f "^$WIRETOP -i lo --resolve reverse -c" | head -1)
[ -n "$pid" ] && kill -USR1 "$pid"
if wt_wait_log "$WT_TMP/small.log" "reverse DNS: .*, [1-9][0-9]* dropped"; then
	wt_pass "queue of 1: requests dropped and counted: $(grep 'reverse DNS' "$WT_TMP/small.log" | tail -1 | sed 's/.*reverse DNS/reverse DNS/')"
else
	wt_fail "queue of 1: requests dropped and counted"
	sed 's/^/    /' "$WT_TMP/small.log"
fi
$VL_T kill-server >/dev/null 2>&1

# the daemon looks up its top hosts (what wiretop view shows): the
# names reach the live snapshot in the database
"$WIRETOP" daemon -i lo --resolve reverse --db "$WT_TMP/h.db" \
    --log "$WT_TMP/daemon.log" >/dev/null 2>&1 &
dpid=$!
PIDS="$PIDS $dpid"
i=0
while [ $i -lt $((VL_TIMEOUT * 10)) ]; do
	"$WIRETOP" db --db "$WT_TMP/h.db" sql "SELECT addr, name FROM \
	    live_hosts ORDER BY addr" >"$WT_TMP/live" 2>/dev/null
	grep -q 'beta\.test' "$WT_TMP/live" && grep -q 'alpha\.test' \
	    "$WT_TMP/live" && break
	sleep 0.2
	i=$((i + 1))
done
wt_check "the daemon's live snapshot has the PTR names" sh -c "
    grep -q '127\.0\.0\.2.*alpha\.test' '$WT_TMP/live' &&
    grep -q '127\.0\.0\.7.*beta\.test' '$WT_TMP/live'"
wt_check "the history database keeps them as PTR names (kind 6)" sh -c "
    \"$WIRETOP\" db --db '$WT_TMP/h.db' sql \"SELECT name, kind FROM names
	WHERE name = 'alpha.test'\" | grep -q '6'"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null

# a live export is not held up by reverse: it never looks names up
n0=$(queries)
t1=$(date +%s%N)
"$WIRETOP" export -i lo --resolve reverse --duration 2 --what hosts \
    >"$WT_TMP/export.csv" 2>"$WT_TMP/export.err"
rc=$?
ms=$((($(date +%s%N) - t1) / 1000000))
wt_check "a 2 s live export with resolve = reverse ends in $ms ms (< 4000)" \
    sh -c "[ $rc -eq 0 ] && [ $ms -lt 4000 ]"
wt_check "the export asked no query" sh -c "[ $(queries) -eq $n0 ]"

# ---- (c) passive and off: not one query ----------------------------------
for mode in passive off; do
	n0=$(queries)
	vl_start 120 30 "$WIRETOP -i lo --resolve $mode -d 0.2"
	if vl_wait "127.0.0.7"; then
		# a few more frames with every host on screen
		sleep 2
		vl_snap
		wt_check "resolve = $mode: the hosts are on screen without names" \
		    sh -c "grep -q '127\.0\.0\.2' '$WT_TMP/screen' &&
			! grep -q 'alpha\.test\|localhost' '$WT_TMP/screen'"
	else
		screen_fail "resolve = $mode: the hosts are on screen"
	fi
	$VL_T kill-server >/dev/null 2>&1
	n1=$(queries)
	wt_check "resolve = $mode: no query reached the server ($n0 -> $n1)" \
	    sh -c "[ $n0 -eq $n1 ]"
done
wt_finish
