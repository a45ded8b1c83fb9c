#!/bin/sh
# tui.sh: the screen as a process: privileges, the filter line, a source
# that goes away, and a fatal signal.
#
#   The TUI on a live interface runs as the drop user with no
#   capabilities (/proc/PID/status); Ctrl-U empties the filter line and
#   Ctrl-W deletes its last word; on a veth pair this test creates, the
#   header says "down" for the interface set down, then "gone" once it is
#   deleted, while lo goes on; SIGSEGV leaves the terminal out of
#   the alternate screen (tmux reports it), the process dead of the
#   signal.
# Every wait polls the pane; the tmux server is private and killed on
# exit, the veth pair deleted.  Needs root and tmux (skip otherwise;
# fail under CI=true).
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init proc-tui
wt_need_wiretop
wt_need_tool tmux ip
[ "$(id -u)" = 0 ] || wt_missing "needs root"
ip link show lo >/dev/null 2>&1 || wt_missing "no loopback interface"
HOME=$WT_TMP XDG_CONFIG_HOME=$WT_TMP/.config
export HOME XDG_CONFIG_HOME

SOCK=wtp$$
T="tmux -L $SOCK -f /dev/null"
V0=wtv$$a V1=wtv$$b
V0=$(printf '%.15s' "$V0") V1=$(printf '%.15s' "$V1")
cleanup() {
	$T kill-server >/dev/null 2>&1
	ip link del "$V0" >/dev/null 2>&1
	ip link del "$V1" >/dev/null 2>&1
	rm -rf "$WT_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if getent passwd wiretop >/dev/null 2>&1; then
	want_uid=$(id -u wiretop)
else
	want_uid=$(id -u nobody)
fi

snap() {
	$T capture-pane -p -t wt >"$WT_TMP/screen" 2>/dev/null
}
# wait_for TEXT: poll the pane (at most 30 s) until it shows TEXT
wait_for() {
	_i=0
	while [ $_i -lt 300 ]; do
		snap
		grep -qF -- "$1" "$WT_TMP/screen" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# wait_line PATTERN: poll until the pane's last line matches the ERE
wait_last() {
	_i=0
	while [ $_i -lt 300 ]; do
		snap
		grep -v '^ *$' "$WT_TMP/screen" | tail -n 1 |
		    grep -qE -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# start CMD...: run CMD in the pane under a shell that writes its exit
# status to $WT_TMP/rc (tmux may mark a pane dead before it has reaped
# the process, so its own status formats can still be empty); pid is
# CMD's process
start() {
	$T kill-server >/dev/null 2>&1
	rm -f "$WT_TMP/rc"
	$T new-session -d -s wt -x 120 -y 30 \
	    "sh -c '\"\$0\" \"\$@\"; echo \$? >$WT_TMP/rc' $*"
	$T set-option -t wt remain-on-exit on >/dev/null
	_sh=$($T display -p -t wt '#{pane_pid}')
	_i=0
	pid=
	while [ $_i -lt 50 ] && [ -z "$pid" ]; do
		pid=$(pgrep -P "$_sh" | head -n 1)
		[ -n "$pid" ] || sleep 0.1
		_i=$((_i + 1))
	done
}

# 1. privileges of the screen on a live interface
start "$WIRETOP" -i lo
if wait_for "lo live"; then
	u=$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' /proc/$pid/status)
	e=$(awk '$1 == "CapEff:" { print $2 }' /proc/$pid/status)
	b=$(awk '$1 == "CapBnd:" { print $2 }' /proc/$pid/status)
	if [ "$u" = "$want_uid$want_uid$want_uid$want_uid" ] &&
	    [ "$e" = 0000000000000000 ] && [ "$b" = 0000000000000000 ]; then
		wt_pass "TUI runs as uid $want_uid, no capabilities"
	else
		wt_fail "TUI: Uid $u CapEff $e CapBnd $b"
	fi
else
	wt_fail "TUI on lo did not start: $(cat "$WT_TMP/screen")"
fi

# 2. Ctrl-U and Ctrl-W on the filter line
$T send-keys -t wt / a b c ' ' x y z
if wait_last 'abc xyz'; then
	$T send-keys -t wt C-w
	wait_last 'abc $|abc$' && ! grep -v '^ *$' "$WT_TMP/screen" |
	    tail -n 1 | grep -q xyz &&
	    wt_pass "Ctrl-W deletes the last word" ||
	    wt_fail "Ctrl-W: $(grep -v '^ *$' "$WT_TMP/screen" | tail -n 1)"
	$T send-keys -t wt C-u
	if wait_last ': *$' && ! grep -v '^ *$' "$WT_TMP/screen" |
	    tail -n 1 | grep -q 'abc'; then
		wt_pass "Ctrl-U empties the filter line"
	else
		wt_fail "Ctrl-U: $(grep -v '^ *$' "$WT_TMP/screen" | tail -n 1)"
	fi
	$T send-keys -t wt q r
	wait_last 'qr$' && wt_pass "typing goes on after Ctrl-U" ||
	    wt_fail "after Ctrl-U: $(grep -v '^ *$' "$WT_TMP/screen" | tail -n 1)"
	$T send-keys -t wt Escape
else
	wt_fail "the filter line did not show abc xyz: $(tail -n 3 "$WT_TMP/screen")"
fi

# 3. a fatal signal restores the terminal
alt=$($T display -p -t wt '#{alternate_on}')
# (the check below means something only if the screen was in use)
[ "$alt" = 1 ] || wt_fail "the screen is not in the alternate screen before the signal (alternate_on=$alt)"
kill -SEGV "$pid"
i=0
while [ $i -lt 100 ] && [ ! -s "$WT_TMP/rc" ]; do
	sleep 0.1
	i=$((i + 1))
done
# (without the restore, tmux reports alternate_on 1 after the process)
rc=$(cat "$WT_TMP/rc" 2>/dev/null)
alt=$($T display -p -t wt '#{alternate_on}')
# 139: killed by SIGSEGV; 134: a sanitizer build's handler, called next,
# ends with SIGABRT
if { [ "$rc" = 139 ] || [ "$rc" = 134 ]; } && [ "$alt" = 0 ]; then
	wt_pass "SIGSEGV: died of it (status $rc), alternate screen left"
else
	wt_fail "SIGSEGV: exit status '$rc', alternate_on $alt"
fi

# 4. an interface that goes down, then is deleted, while lo goes on
if ip link add "$V0" type veth peer name "$V1" 2>/dev/null &&
    ip link set "$V0" up && ip link set "$V1" up; then
	start "$WIRETOP" -i "$V0" -i lo
	if wait_for "$V0 live"; then
		ip link set "$V0" down
		wait_for "$V0 down" && grep -q "interface is down" "$WT_TMP/screen" &&
		    grep -q "lo live" "$WT_TMP/screen" &&
		    wt_pass "header: $V0 down, lo live" ||
		    wt_fail "down: $(head -n 3 "$WT_TMP/screen")"
		ip link del "$V0"
		wait_for "$V0 gone" && grep -q "lo live" "$WT_TMP/screen" &&
		    ! grep -q "interface is down" "$WT_TMP/screen" &&
		    wt_pass "header: $V0 gone, lo live" ||
		    wt_fail "gone: $(head -n 3 "$WT_TMP/screen")"
		grep -q "live (1 gone)" "$WT_TMP/screen" &&
		    wt_pass "first line: live (1 gone)" ||
		    wt_fail "first line: $(head -n 1 "$WT_TMP/screen")"
	else
		wt_fail "TUI on $V0 did not start: $(head -n 3 "$WT_TMP/screen")"
	fi
	$T send-keys -t wt q
else
	wt_log "cannot create a veth pair here: gone/down not tested"
fi

wt_finish
