# tests/tui/viewlib.sh: helpers of the view and history-range tests
# (sourced after tests/lib.sh and wt_init): a private tmux server, polling
# waits on its pane, the talkers pane's rows, a loopback UDP sender and
# the daemon that writes the database they read.
#
# Every wait polls the pane (0.1 s) up to VL_TIMEOUT seconds; nothing
# sleeps a fixed time and then looks once.

VL_N=0
VL_TIMEOUT=${WT_TUI_TIMEOUT:-60}
VL_DAEMON=
VL_T="tmux -L wtv$$-0 -f /dev/null"

vl_cleanup() {
	_n=0
	while [ $_n -le $VL_N ]; do
		tmux -L "wtv$$-$_n" kill-server >/dev/null 2>&1
		_n=$((_n + 1))
	done
	[ -n "$VL_DAEMON" ] && kill "$VL_DAEMON" 2>/dev/null
	for _u in $VL_USERS; do
		userdel "$_u" >/dev/null 2>&1
	done
	[ -n "$VL_GROUP" ] && groupdel "$VL_GROUP" >/dev/null 2>&1
	rm -rf "$WT_TMP"
}

# vl_users G IN OUT: a system group G, a user IN in it and a user OUT
# outside it, without homes (root only; vl_cleanup removes them); the
# test then runs in $WT_TMP with HOME there.
VL_USERS=
VL_GROUP=
vl_users() {
	trap vl_cleanup EXIT
	trap 'vl_cleanup; exit 130' INT TERM HUP PIPE
	cd "$WT_TMP" || wt_hard "cd $WT_TMP"
	HOME=$WT_TMP
	export HOME
	groupadd -r "$1" || wt_hard "groupadd $1"
	VL_GROUP=$1
	useradd -r -M -N -d /nonexistent -s /bin/sh -G "$1" "$2" ||
	    wt_hard "useradd $2"
	VL_USERS=$2
	useradd -r -M -N -d /nonexistent -s /bin/sh "$3" ||
	    wt_hard "useradd $3"
	VL_USERS="$2 $3"
}

# vl_start W H CMD...: run CMD (a shell command line) in a fresh W x H
# pane of a new tmux server (a killed server may still hold its socket
# for a moment); its exit status goes to $WT_TMP/exit and the pane stays.
vl_start() {
	_w=$1
	_h=$2
	shift 2
	$VL_T kill-server >/dev/null 2>&1
	VL_N=$((VL_N + 1))
	VL_T="tmux -L wtv$$-$VL_N -f /dev/null"
	rm -f "$WT_TMP/exit"
	$VL_T new-session -d -s wt -x "$_w" -y "$_h" \
	    "$*; echo \"EXIT=\$?\" > $WT_TMP/exit.tmp; mv $WT_TMP/exit.tmp $WT_TMP/exit; exec sleep 600"
}

vl_snap() {
	$VL_T capture-pane -p -t wt > "$WT_TMP/screen" 2>/dev/null
}

# vl_key KEY...: send keys to the pane.
vl_key() {
	$VL_T send-keys -t wt "$@"
}

# vl_wait TEXT: poll until the pane shows TEXT (a fixed string).
vl_wait() {
	_i=0
	while [ $_i -lt $((VL_TIMEOUT * 10)) ]; do
		vl_snap
		grep -qF -- "$1" "$WT_TMP/screen" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# vl_eventually CMD...: poll until CMD succeeds on a fresh snapshot;
# within SECS seconds if VL_WITHIN is set.
vl_eventually() {
	_i=0
	_n=$((${VL_WITHIN:-$VL_TIMEOUT} * 10))
	while [ $_i -lt $_n ]; do
		vl_snap
		"$@" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# Rows of the talkers pane (below its headings, up to the next pane).
vl_talkers() {
	awk '/^host /{f=1; next} f && /Connections|Protocols and/{exit}
	    f && NF{print}' "$WT_TMP/screen"
}

vl_first_talker() {
	vl_talkers | awk 'NR==1{print $1}'
}

# vl_first_is ADDR: the first talker is ADDR.
vl_first_is() {
	[ "$(vl_first_talker)" = "$1" ]
}

# vl_exited_ok: the command in the pane exited with status 0.
vl_exited_ok() {
	[ -f "$WT_TMP/exit" ] && grep -qx "EXIT=0" "$WT_TMP/exit"
}

vl_show() {
	echo "--- screen:"
	cat "$WT_TMP/screen" 2>/dev/null
	echo "---"
}

# vl_send SRC DST COUNT SIZE PORT: COUNT UDP datagrams of SIZE bytes
# from SRC to DST:PORT on loopback; a socket bound to DST:PORT and never
# read takes them (no ICMP port unreachable).
vl_send() {
	python3 - "$@" <<'PY'
import socket, sys, time
src, dst, n, size, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
r.bind((dst, port))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
for i in range(n):
    s.sendto(b"x" * size, (dst, port))
    if i % 200 == 199:
        time.sleep(0.01)    # a kernel capture buffer is not a sink
PY
}

# vl_daemon DB PORT [ARGS...]: start `wiretop daemon` on lo, capturing
# the test's datagrams only, as root (-u root: the test needs the files
# owned by root), writing DB; waits until it has written a snapshot.
vl_daemon() {
	_db=$1
	_port=$2
	shift 2
	"$WIRETOP" daemon -i lo -f "udp and port $_port" -u root \
	    --db "$_db" --log "$WT_TMP/daemon.log" "$@" \
	    > "$WT_TMP/daemon.out" 2>&1 &
	VL_DAEMON=$!
	_i=0
	while [ $_i -lt $((VL_TIMEOUT * 10)) ]; do
		[ -f "$_db" ] && [ "$(python3 -c 'import sqlite3, sys
try:
    c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
    print(c.execute("SELECT count(*) FROM live_snapshot").fetchone()[0])
except Exception:
    print(0)' "$_db")" = 1 ] && return 0
		kill -0 "$VL_DAEMON" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# vl_daemon_stop: TERM, and wait for it.
vl_daemon_stop() {
	[ -n "$VL_DAEMON" ] || return 0
	kill -TERM "$VL_DAEMON" 2>/dev/null
	wait "$VL_DAEMON" 2>/dev/null
	VL_DAEMON=
}
