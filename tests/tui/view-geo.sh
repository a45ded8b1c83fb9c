#!/bin/sh
# view-geo.sh: `wiretop view` shows the country the daemon's GeoIP gave a
# host (its live snapshot, live_hosts.cc), in tmux.
#
# The tests' own databases (tests/geoip/geo.txt, built by mkdb.pl with
# libmaxmind-db-writer-perl) say 198.51.100.0/25 is DE and 203.0.113.0/24
# NZ.  Two network namespaces of the test's own, joined by a veth pair
# and with no other route: the daemon runs in the first (10.202.0.1,
# capturing its end of the pair), and 198.51.100.5 and 203.0.113.7 in the
# second send it UDP datagrams.  Its own address is private; the two
# senders are remote to it, so each is looked up once.
#   - The snapshot in the database has cc DE and NZ for them, and none
#     for 10.202.0.1 (read with python's sqlite3).
#   - wiretop view on that database shows DE and NZ in the geo column of
#     their talkers rows and -- for 10.202.0.1.
# Root only (namespaces, capture); without root, ip(8), tmux or the perl
# module it skips, and fails under CI=true.  Nothing leaves the two
# namespaces: neither has a route anywhere else.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init view-geo
wt_need_wiretop
[ "$(id -u)" = 0 ] || wt_missing "needs root (namespaces, capture)"
wt_need_tool tmux python3 awk ip perl
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
    wt_missing "MaxMind::DB::Writer::Tree not installed (libmaxmind-db-writer-perl)"
. "$WT_SRCDIR/tests/tui/viewlib.sh"
NSA=wtvga$$
NSB=wtvgb$$
IFA=wtva$$
IFB=wtvb$$
down() {
	vl_cleanup
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	ip link del "$IFA" 2>/dev/null
}
trap down EXIT
trap 'down; exit 130' INT TERM HUP PIPE
cd "$WT_TMP" || wt_hard "cd $WT_TMP"
HOME=$WT_TMP
export HOME
export WIRETOP_NO_DEFAULT_CONFIG=1

spec=$WT_SRCDIR/tests/geoip/geo.txt
perl "$WT_SRCDIR/tests/geoip/mkdb.pl" country "$spec" "$WT_TMP/c.mmdb" &&
    perl "$WT_SRCDIR/tests/geoip/mkdb.pl" asn "$spec" "$WT_TMP/a.mmdb" ||
    wt_hard "cannot build the test databases"
printf 'geoip_country_db = %s\ngeoip_asn_db = %s\n' "$WT_TMP/c.mmdb" \
    "$WT_TMP/a.mmdb" >"$WT_TMP/geo.conf"

ip netns add "$NSA" 2>/dev/null && ip netns add "$NSB" 2>/dev/null ||
    wt_missing "cannot create a network namespace"
ip link add "$IFA" type veth peer name "$IFB" &&
ip link set "$IFA" netns "$NSA" && ip link set "$IFB" netns "$NSB" &&
ip -n "$NSA" addr add 10.202.0.1/24 dev "$IFA" &&
ip -n "$NSA" link set "$IFA" up && ip -n "$NSA" link set lo up &&
ip -n "$NSA" route add 198.51.100.0/25 dev "$IFA" &&
ip -n "$NSA" route add 203.0.113.0/24 dev "$IFA" &&
ip -n "$NSB" addr add 198.51.100.5/25 dev "$IFB" &&
ip -n "$NSB" addr add 203.0.113.7/24 dev "$IFB" &&
ip -n "$NSB" link set "$IFB" up && ip -n "$NSB" link set lo up &&
ip -n "$NSB" route add 10.202.0.0/24 dev "$IFB" ||
    wt_hard "cannot set up the namespaces"

PORT=$((20000 + $$ % 20000))
DB=$WT_TMP/history.db
ip netns exec "$NSA" "$WIRETOP" daemon -c "$WT_TMP/geo.conf" -i "$IFA" \
    -f "udp and port $PORT" -u root --db "$DB" --log "$WT_TMP/daemon.log" \
    >"$WT_TMP/daemon.out" 2>&1 &
VL_DAEMON=$!
# its first snapshot
i=0
while [ $i -lt $((VL_TIMEOUT * 10)) ]; do
	[ -f "$DB" ] && [ "$(python3 -c 'import sqlite3, sys
try:
    c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
    print(c.execute("SELECT count(*) FROM live_snapshot").fetchone()[0])
except Exception:
    print(0)' "$DB")" = 1 ] && break
	kill -0 "$VL_DAEMON" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$VL_DAEMON" 2>/dev/null && [ -f "$DB" ] || {
	cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
	wt_hard "wiretop daemon did not start"
}

# 300 datagrams from 198.51.100.5, 200 from 203.0.113.7, a few every
# 10 ms until the snapshot has both (at most VL_TIMEOUT s)
ip netns exec "$NSB" python3 - "$PORT" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for src, n in (("198.51.100.5", 300), ("203.0.113.7", 200)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    socks.append((s, n))
for i in range(300):
    for s, n in socks:
        if i < n:
            s.sendto(b"x" * 500, ("10.202.0.1", port))
    if i % 10 == 9:
        time.sleep(0.01)
PY
sender=$!
wait "$sender"

# cc of ADDR in the snapshot ("" none, "?" no row)
snap_cc() {
	python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
r = c.execute("SELECT cc FROM live_hosts WHERE addr = ?",
              (sys.argv[2],)).fetchone()
print("?" if r is None else (r[0] or ""))
PY
}
i=0
while [ $i -lt $((VL_TIMEOUT * 10)) ] &&
    { [ "$(snap_cc 198.51.100.5)" = "?" ] ||
    [ "$(snap_cc 203.0.113.7)" = "?" ]; }; do
	sleep 0.1
	i=$((i + 1))
done
c1=$(snap_cc 198.51.100.5)
c2=$(snap_cc 203.0.113.7)
c3=$(snap_cc 10.202.0.1)
wt_check "snapshot: 198.51.100.5 has cc DE (got '$c1')" [ "$c1" = DE ]
wt_check "snapshot: 203.0.113.7 has cc NZ (got '$c2')" [ "$c2" = NZ ]
wt_check "snapshot: the private 10.202.0.1 has none (got '$c3')" [ "$c3" = "" ]

# the talkers row of host $1 has the text $2 (fixed string)
row_has() {
	awk -v h="$1" '/^host /{f=1; next} f && /Connections/{exit}
	    f && $1 == h {print; exit}' "$WT_TMP/screen" >"$WT_TMP/row"
	grep -qF -- "$2" "$WT_TMP/row"
}

vl_start 140 45 "'$WIRETOP' view --db '$DB'"
vl_wait "snapshot" || { vl_show; wt_fail "view shows the daemon's snapshot"; }
for x in "198.51.100.5 DE" "203.0.113.7 NZ" "10.202.0.1 --"; do
	set -- $x
	if vl_eventually row_has "$1" " $2 "; then
		wt_pass "view: $1 shows $2 in the geo column"
	else
		vl_show
		wt_fail "view: $1 shows $2 in the geo column (row: $(cat "$WT_TMP/row"))"
	fi
done
vl_key q
vl_eventually vl_exited_ok || wt_fail "q quits view with status 0"
vl_daemon_stop
wt_finish
