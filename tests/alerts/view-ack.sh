#!/bin/sh
# view-ack.sh: the daemon's alerts in wiretop view, acknowledged by a
# viewer and stored with who did it (root only: users, groups, capture).
#
# A system group and two unprivileged users are made for the test (and
# removed on exit): one in the group, one not.  `wiretop daemon -i lo`
# (db_group = the group) captures the test's UDP port; the test sends 3
# datagrams of 3000 bytes from 127.0.0.1 to 127.0.0.1: frames of 14 + 20
# + 8 + 3000 = 3042 bytes, above large_packet_bytes (1600): one
# large_packet alert.  Then:
#   - the history holds it (export --db --what alerts), active, no ack;
#   - the member runs `wiretop view` (tmux, runuser), sees it in the
#     alerts pane (Tab four times from the talkers), presses a: the
#     status line says the daemon acknowledged it as that user, the row
#     says "ack", and the database row says acknowledged, ack_user = the
#     member (the kernel's name for the connection, SO_PEERCRED), ack_ts
#     within the test's wall-clock window;
#   - the control socket beside the database is 0660 in the group, and
#     the user outside the group cannot connect to it;
#   - a request that is not "ack UID" gets an error and changes nothing;
#   - after SIGTERM the row is still acknowledged (a later change never
#     takes an acknowledgement back), and the socket is gone.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init view-ack
wt_need_wiretop
wt_need_tool tmux python3 runuser groupadd useradd userdel groupdel
[ "$(id -u)" = 0 ] || wt_missing "needs root (users, groups, capture)"
. "$WT_SRCDIR/tests/tui/viewlib.sh"
export WIRETOP_NO_DEFAULT_CONFIG=1

G=wta$$
U1=wtain$$
U2=wtaout$$
vl_users "$G" "$U1" "$U2"

PORT=$((20000 + ($$ + 11) % 20000))
chmod 0755 "$WT_TMP"
DIR=$WT_TMP/lib/wiretop
DB=$DIR/history.db
mkdir -p "$WT_TMP/lib" && chmod 0755 "$WT_TMP/lib"
printf 'db_group = %s\n' "$G" >"$WT_TMP/d.conf"
vl_daemon "$DB" "$PORT" -c "$WT_TMP/d.conf" || {
	cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
	wt_hard "wiretop daemon did not write a snapshot"
}
SOCK=$DB.sock
mode=$(stat -c '%a %G' "$SOCK" 2>/dev/null)
wt_check "the control socket is 0660 in $G ($mode)" [ "$mode" = "660 $G" ]

vl_send 127.0.0.1 127.0.0.1 3 3000 "$PORT"
# q SQL: one value from the daemon's database
q() {
	"$WIRETOP" db --db "$DB" sql "$1" 2>/dev/null
}
stored() {
	[ "$(q "select kind || ' ' || state || ' ' || coalesce(ack_user, '-') from alerts")" = "large_packet active -" ]
}
if VL_WITHIN=20 vl_eventually stored; then
	wt_pass "the daemon stores its alert, active, not acknowledged"
else
	q "select * from alerts"
	wt_fail "the daemon stores its alert, active, not acknowledged"
fi

# the user outside the group cannot reach the socket
if runuser -u "$U2" -- python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])' "$SOCK" 2>/dev/null; then
	wt_fail "a user outside $G cannot connect to the control socket"
else
	wt_pass "a user outside $G cannot connect to the control socket"
fi
# a request that is not one
reply=$(runuser -u "$U1" -- python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1]); s.send(b"ack $(reboot)")
s.settimeout(5); print(s.recv(200).decode())' "$SOCK" 2>&1)
wt_check "a malformed request gets an error ($reply)" \
    sh -c 'case "$1" in error:*) exit 0 ;; *) exit 1 ;; esac' - "$reply"
wt_check "and changes nothing" stored

t0=$(date +%s)
vl_start 160 50 "runuser -u $U1 -- '$WIRETOP' view --db '$DB'"
if vl_wait "the daemon's: 1 open, 1 stored"; then
	wt_pass "the member's view lists the daemon's alert"
else
	vl_show
	wt_fail "the member's view lists the daemon's alert"
fi
vl_key Tab Tab Tab Tab
vl_key a
row_ack() {
	grep -Eq 'notice +ack .*large packet: 127\.0\.0\.1' "$WT_TMP/screen"
}
if vl_wait "acknowledged by $U1" && vl_eventually row_ack; then
	wt_pass "a: the daemon acknowledges it as $U1, the row says ack"
else
	vl_show
	wt_fail "a: the daemon acknowledges it as $U1, the row says ack"
fi
t1=$(date +%s)
r=$(q "select state || ' ' || ack_user || ' ' || (ack_us / 1000000) from alerts")
set -- $r
wt_check "stored: acknowledged by $U1 between $t0 and $t1 ($r)" \
    [ "$1" = acknowledged ] && [ "$2" = "$U1" ] && [ "$3" -ge "$t0" ] && [ "$3" -le "$t1" ]
grep -q "alert 1 acknowledged by $U1 (wiretop view)" "$WT_TMP/daemon.log"
wt_check "the daemon logs who acknowledged it" [ $? -eq 0 ]

vl_key q
vl_daemon_stop
r=$(q "select state || ' ' || ack_user from alerts")
wt_check "after SIGTERM it is still acknowledged by $U1 ($r)" [ "$r" = "acknowledged $U1" ]
wt_check "the socket is gone" [ ! -e "$SOCK" ]
wt_finish
