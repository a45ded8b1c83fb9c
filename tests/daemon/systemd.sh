#!/bin/sh
# systemd.sh: the systemd units and the sysusers.d entry (root only for
# the last part).
#   - systemd-analyze verify passes on wiretop.service,
#     wiretop-report.service and wiretop-report.timer as this build
#     generates them (ExecStart pointed at the built binary; the man pages
#     they name are found in doc/);
#   - the daemon's unit has the hardening the issue asks for, and
#     systemd-analyze security rates it OK or better;
#   - systemd-sysusers creates the wiretop user and group from the
#     sysusers.d entry (in a scratch root);
#   - the daemon runs as the unit runs it: an unprivileged user holding
#     only CAP_NET_RAW and CAP_NET_ADMIN (ambient, bounding set, no new
#     privileges), in a state directory it owns; it captures, clears its
#     capabilities, and TERM stores every datagram sent.
# Environment (set by make check): WIRETOP, WT_SRCDIR, WT_BUILDDIR.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init systemd
wt_need_wiretop
wt_need_tool systemd-analyze
units=${WT_BUILDDIR:-.}/packaging/systemd
for u in wiretop.service wiretop-report.service wiretop-report.timer; do
	[ -f "$units/$u" ] || wt_hard "$units/$u not built (make)"
	sed "s|^ExecStart=[^ ]*/wiretop |ExecStart=$WIRETOP |" "$units/$u" \
	    >"$WT_TMP/$u"
done
mkdir -p "$WT_TMP/man/man8" "$WT_TMP/man/man5"
cp "$WT_SRCDIR/doc/wiretop.8" "$WT_TMP/man/man8/"
cp "$WT_SRCDIR/doc/wiretop.conf.5" "$WT_TMP/man/man5/"
cd "$WT_TMP" || wt_hard "cd"
MANPATH=$WT_TMP/man systemd-analyze verify wiretop.service \
    wiretop-report.service wiretop-report.timer >verify.out 2>&1
rc=$?
wt_check "systemd-analyze verify: exit $rc ($(cat verify.out))" [ $rc = 0 ]

for d in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
    PrivateTmp=yes StateDirectory=wiretop \
    "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN" \
    "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN" User=wiretop; do
	grep -qx "$d" wiretop.service && wt_pass "wiretop.service: $d" ||
	    wt_fail "wiretop.service has no line $d"
done
grep -q "^ExecStart=$WIRETOP daemon" wiretop.service &&
    wt_pass "wiretop.service runs wiretop daemon" ||
    wt_fail "ExecStart: $(grep ExecStart wiretop.service)"
level=$(systemd-analyze security --offline=true wiretop.service 2>/dev/null |
    sed -n 's/.*Overall exposure level for wiretop.service: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
case $level in
*" SAFE" | *" OK") wt_pass "systemd-analyze security: $level" ;;
*) wt_fail "systemd-analyze security: '$level' (want OK or SAFE)" ;;
esac
grep -q "^OnCalendar=" wiretop-report.timer &&
    grep -q " report .*--format html -o " wiretop-report.service &&
    wt_pass "the report timer runs an HTML report" ||
    wt_fail "report timer/service: $(cat wiretop-report.service)"

if [ "$(id -u)" != 0 ]; then
	wt_missing "the rest needs root (systemd-sysusers --root, capabilities)"
fi
wt_need_tool systemd-sysusers setpriv
wt_need_sqlite3
mkdir -p root/etc
systemd-sysusers --root="$WT_TMP/root" \
    "$WT_SRCDIR/packaging/systemd/wiretop.sysusers" >sysusers.out 2>&1
pw=$(grep '^wiretop:' root/etc/passwd)
gr=$(grep '^wiretop:' root/etc/group)
case $pw in
wiretop:x:*:*:*:/var/lib/wiretop:/usr/sbin/nologin)
	wt_pass "sysusers: the wiretop user ($pw)" ;;
*)	wt_fail "sysusers: passwd line '$pw' ($(cat sysusers.out))" ;;
esac
uid=$(echo "$pw" | cut -d: -f3)
wt_check "sysusers: a system uid ($uid < 1000) and its group ($gr)" \
    eval '[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ -n "$gr" ]'

# ---- as the unit runs it ------------------------------------------------
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up
state=$WT_TMP/state
mkdir -m 0750 "$state"
chown nobody:nogroup "$state"
n0=$(wt_packet_sockets)
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=-all,+net_raw,+net_admin \
    --ambient-caps=-all,+net_raw,+net_admin \
    --bounding-set=-all,+net_raw,+net_admin --no-new-privs \
    "$WIRETOP" daemon -i "$WT_IF0" \
    -f 'udp and src host 10.201.0.2 and dst port 9999' \
    --db "$state/history.db" --log "$state/d.log" 2>d.err &
dpid=$!
WT_PIDS="$WT_PIDS $dpid"
wt_wait_capture "$n0" 1
wt_wait_log "$state/d.log" "history: " ||
    wt_fail "as the unit runs it: the daemon did not start: $(cat d.err)"
eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$dpid/status")
amb=$(awk '/^CapAmb:/ { print $2 }' "/proc/$dpid/status")
wt_check "running: no effective or ambient capability left (CapEff $eff, CapAmb $amb)" \
    eval '[ "$eff" = 0000000000000000 ] && [ "$amb" = 0000000000000000 ]'
wt_ns_py - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(120):
    s.sendto(b"u" * 60, ("10.201.0.1", 9999))
    time.sleep(0.005)
PY
kill -TERM $dpid
wait $dpid
rc=$?
wt_check "as the unit runs it: exit 0 on TERM (got $rc: $(cat d.err))" [ $rc = 0 ]
got=$(wt_sql "$state/history.db" "select sum(rx_pkts + tx_pkts) from samples_sec")
wt_check "as the unit runs it: the 120 datagrams are stored (got $got)" \
    [ "$got" = 120 ]
wt_finish
