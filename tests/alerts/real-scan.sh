#!/bin/sh
# real-scan.sh: a real scan and a real SYN flood, made by the tools
# attackers use (nmap, hping3) from a network namespace against this
# host's end of a veth pair (root only; the traffic never leaves the
# pair).  What the issue's "done when" asks, end to end, live:
#
#   - `nmap -sS -p 1-1000` from 10.201.0.2 to 10.201.0.1: nearly every
#     port is closed (a RST is not an answer), so well over
#     port_scan_ports (100) unanswered probes in one window: the TUI
#     (tmux) shows "port scan: 10.201.0.2 probed N ports of 10.201.0.1"
#     within 10 s of the scan's start, N > 100;
#   - the daemon capturing the same interface stores it (export --db
#     --what alerts: port_scan, subject 10.201.0.2, peer 10.201.0.1) and
#     calls alert_command, as the dropped user, with the attacker in
#     WIRETOP_ALERT_SUBJECT and the target in WIRETOP_ALERT_PEER;
#   - `hping3 -S -p 80 -i u400` (2500 SYNs a second, 5000 in all) to
#     10.201.0.1:80: more than syn_flood_rate (500) half-open connections
#     in a second: the TUI shows "SYN flood: 10.201.0.1 port 80 got N
#     SYNs in one second" (or the ratio rule's "answered 0 of N SYNs in
#     one second", N >= syn_flood_min, when the rate rule has not fired
#     first: both are a flood named by its target) and
#     the daemon stores a syn_flood alert for it, with the rate measured
#     (above 500).

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init real-scan
wt_need_wiretop
wt_need_tool nmap hping3 tmux python3
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up
. "$WT_SRCDIR/tests/tui/viewlib.sh"
trap 'vl_cleanup; wt_netns_down; rm -rf "$WT_TMP"' EXIT
export WIRETOP_NO_DEFAULT_CONFIG=1

# the hook and the database belong to the user the daemon drops to
PUB=$WT_TMP/pub
mkdir -p "$PUB" && chmod 0711 "$WT_TMP" && chmod 1777 "$PUB"
cat >"$PUB/hook" <<'SH'
#!/bin/sh
env | grep '^WIRETOP_ALERT_' | sort >"$(dirname "$0")/hook.$WIRETOP_ALERT_ID"
id -un >>"$(dirname "$0")/hook.$WIRETOP_ALERT_ID"
SH
chmod 0755 "$PUB/hook"
printf 'alert_command = %s\n' "$PUB/hook" >"$PUB/d.conf"
DB=$PUB/db/history.db
n0=$(wt_packet_sockets)
"$WIRETOP" daemon -i "$WT_IF0" -u nobody -c "$PUB/d.conf" --db "$DB" \
    --log "$PUB/daemon.log" >"$PUB/daemon.out" 2>&1 &
VL_DAEMON=$!
vl_start 160 60 "'$WIRETOP' -i '$WT_IF0' -u root"
wt_wait_capture "$n0" 2
wt_wait_log "$PUB/daemon.log" "control socket\|history: " 100 ||
    wt_hard "the daemon did not start: $(cat "$PUB/daemon.out" "$PUB/daemon.log")"

t0=$(date +%s)
ip netns exec "$WT_NS" nmap -n -Pn -sS -p 1-1000 -T4 --max-retries 0 \
    10.201.0.1 >"$WT_TMP/nmap.out" 2>&1 || wt_hard "nmap failed: $(cat "$WT_TMP/nmap.out")"
scanned() {
	grep -Eq 'port scan: 10\.201\.0\.2 probed [0-9]+ ports of 10\.201\.0\.1' "$WT_TMP/screen"
}
if VL_WITHIN=20 vl_eventually scanned; then
	t1=$(date +%s)
	n=$(grep -Eo 'probed [0-9]+ ports' "$WT_TMP/screen" | head -n 1 | awk '{print $2}')
	wt_check "the TUI names attacker and target $((t1 - t0)) s after the scan began ($n ports, bound 100)" \
	    [ $((t1 - t0)) -le 10 ] && [ "${n:-0}" -gt 100 ]
else
	vl_show
	wt_fail "the TUI shows the port scan"
fi

q() {
	"$WIRETOP" db --db "$DB" sql "$1" 2>/dev/null
}
stored_scan() {
	[ "$(q "select count(*) from alerts where kind = 'port_scan' and subject = '10.201.0.2' and peer = '10.201.0.1'")" = 1 ]
}
if VL_WITHIN=10 vl_eventually stored_scan; then
	wt_pass "the daemon stores the port scan: attacker 10.201.0.2, target 10.201.0.1"
else
	q "select * from alerts"
	cat "$PUB/daemon.log"
	wt_fail "the daemon stores the port scan"
fi
hooked() {
	grep -lq 'WIRETOP_ALERT_KIND=port_scan' "$PUB"/hook.* 2>/dev/null
}
if VL_WITHIN=10 vl_eventually hooked; then
	f=$(grep -l 'WIRETOP_ALERT_KIND=port_scan' "$PUB"/hook.* | head -n 1)
	wt_check "alert_command ran as nobody with the attacker and the target" \
	    grep -qx 'WIRETOP_ALERT_SUBJECT=10.201.0.2' "$f" &&
	    grep -qx 'WIRETOP_ALERT_PEER=10.201.0.1' "$f" &&
	    grep -qx 'nobody' "$f"
else
	cat "$PUB/daemon.log"
	wt_fail "alert_command ran for the port scan"
fi

# the flood
ip netns exec "$WT_NS" hping3 -q -S -p 80 -i u400 -c 5000 10.201.0.1 \
    >"$WT_TMP/hping.out" 2>&1
flooded() {
	grep -Eq 'SYN flood: 10\.201\.0\.1 port 80 (got|answered [0-9]+ of) [0-9]+ SYNs in one second' "$WT_TMP/screen"
}
if VL_WITHIN=15 vl_eventually flooded; then
	wt_pass "the TUI shows the SYN flood on 10.201.0.1:80"
else
	vl_show
	cat "$WT_TMP/hping.out"
	wt_fail "the TUI shows the SYN flood on 10.201.0.1:80"
fi
stored_flood() {
	v=$(q "select cast(value as integer) from alerts where kind = 'syn_flood' and port = 80")
	[ -n "$v" ] && [ "$v" -gt 500 ]
}
if VL_WITHIN=10 vl_eventually stored_flood; then
	wt_pass "the daemon stores the SYN flood with its rate ($v > 500 SYNs/s)"
else
	q "select * from alerts"
	wt_fail "the daemon stores the SYN flood with its rate"
fi
# what else fired, for the log (a scan also trips other detectors:
# nmap's probes are large in number, not in size)
q "select '# ' || kind || ' ' || subject || ' ' || coalesce(peer, '-') || ' ' || coalesce(port, '-') from alerts"
vl_key q
kill -TERM "$VL_DAEMON"
wait "$VL_DAEMON"
rc=$?
VL_DAEMON=
wt_check "the daemon exits 0 on TERM (got $rc)" [ "$rc" -eq 0 ]
wt_finish
