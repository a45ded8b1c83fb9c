#!/bin/sh
# tui.sh: drive the real TUI in tmux on fixture captures.
#
# Every step waits by polling the pane for expected text with a timeout,
# never by sleeping a fixed time.  Expected values come from how the
# fixtures are built (tests/pcap/talkers.txt: 10.0.0.5 sends 2400 + 1200
# frames of 1454 bytes, see below), cross-checked with tshark when it is
# installed.  The tmux server is private (-L) and always killed on exit.
set -u

: "${WIRETOP:?}" "${WT_TOOLS:?}" "${WT_SRCDIR:?}"
. "$WT_SRCDIR/tests/lib.sh"
wt_need_tool tmux	# skips, or fails under CI=true

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-tui.XXXXXX")
NSESS=0
SOCK="wt$$-0"
T="tmux -L $SOCK -f /dev/null"
TIMEOUT=${WT_TUI_TIMEOUT:-60}	# seconds; generous for sanitizer builds
pass=0
fail=0

cleanup() {
	n=0
	while [ $n -le $NSESS ]; do
		tmux -L "wt$$-$n" kill-server >/dev/null 2>&1
		n=$((n + 1))
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() {
	[ -n "${WT_TUI_TRACE:-}" ] && date +%T.%N
	pass=$((pass + 1))
	echo "ok - $1"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	echo "--- screen:"
	cat "$TMP/screen" 2>/dev/null
	echo "---"
}

check() {	# check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

snap() {
	$T capture-pane -p -t wt > "$TMP/screen" 2>/dev/null
}

# wait_for TEXT: poll until the pane shows TEXT (fixed string).
wait_for() {
	i=0
	while [ $i -lt $((TIMEOUT * 10)) ]; do
		snap
		grep -qF -- "$1" "$TMP/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# eventually COMMAND...: poll the pane until COMMAND (run on a fresh
# snapshot) succeeds; the screen may be caught mid-update.
eventually() {
	i=0
	while [ $i -lt $((TIMEOUT * 10)) ]; do
		snap
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

is() {	# is EXPECTED COMMAND...: the command prints EXPECTED
	e=$1
	shift
	[ "$("$@")" = "$e" ]
}

second_talker() {
	talkers | awk 'NR==2{print $1}'
}

count_talkers() {
	talkers | grep -c .
}

count_nonmatching() {
	talkers | grep -vc '^198\.51\.'
}

# wait_gone TEXT: poll until the pane no longer shows TEXT.
wait_gone() {
	i=0
	while [ $i -lt $((TIMEOUT * 10)) ]; do
		snap
		grep -qF -- "$1" "$TMP/screen" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_file FILE: poll until FILE exists and is not empty.
wait_file() {
	i=0
	while [ $i -lt $((TIMEOUT * 10)) ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# exited_ok: wiretop has exited, with status 0.
exited_ok() {
	wait_file "$TMP/exit" && grep -qx "EXIT=0" "$TMP/exit"
}

# start W H ENV-AND-ARGS: run wiretop in a fresh W x H session; when it
# exits, record its status and the terminal modes, then keep the pane.
start() {
	w=$1
	h=$2
	shift 2
	$T kill-server >/dev/null 2>&1
	NSESS=$((NSESS + 1))
	SOCK="wt$$-$NSESS"
	T="tmux -L $SOCK -f /dev/null"
	rm -f "$TMP/exit" "$TMP/stty"
	$T new-session -d -s wt -x "$w" -y "$h" \
	    "env $* ; echo \"EXIT=\$?\" > $TMP/exit.tmp; stty -a > $TMP/stty; mv $TMP/exit.tmp $TMP/exit; echo AFTER-EXIT; exec sleep 600"
}

# Rows of the talkers pane (between its column headings and the next
# pane's title).
talkers() {
	awk '/^host/{f=1; next} f && /Connections/{exit} f && NF{print}' \
	    "$TMP/screen"
}

first_talker() {
	talkers | awk 'NR==1{print $1}'
}

# The talker row for host $1.
talker_row() {
	talkers | awk -v h="$1" '$1 == h {print; exit}'
}

# fmt_size as wiretop prints sizes: binary units, 2/1/0 decimals.
fmt_size() {
	awk -v b="$1" 'BEGIN {
		if (b < 1024) { printf "%d B\n", b; exit }
		split("KiB MiB GiB TiB", u, " ")
		v = b; i = 0
		while (v >= 1024 && i < 4) { v /= 1024; i++ }
		if (v < 10) printf "%.2f %s\n", v, u[i]
		else if (v < 100) printf "%.1f %s\n", v, u[i]
		else printf "%.0f %s\n", v, u[i]
	}'
}

# H lines, the header on top, the status line at the bottom.
whole() {
	[ "$(wc -l < "$TMP/screen")" -eq "$1" ] &&
	    head -n 1 "$TMP/screen" | grep -q '^ wiretop ' &&
	    tail -n 1 "$TMP/screen" | grep -q 'F1 help'
}

all_panes() {
	for pane in 'Top talkers' Connections 'Protocols and services' \
	    Bandwidth Alerts; do
		grep -q "$pane" "$TMP/screen" || return 1
	done
}

# Screen sanity: H lines, the header first, the status line last, no line
# wider than W characters (ASCII screens: bytes = characters).
valid_screen() {	# W H
	n=$(wc -l < "$TMP/screen")
	[ "$n" -eq "$2" ] || return 1
	head -n 1 "$TMP/screen" | grep -q '^ wiretop ' || return 1
	tail -n 1 "$TMP/screen" | grep -q 'F1 help' || return 1
	awk -v w="$1" 'length($0) > w {bad=1} END {exit bad}' "$TMP/screen"
}

"$WT_TOOLS/pcapgen" -o "$TMP/talkers.pcap" \
    "$WT_SRCDIR/tests/pcap/talkers.txt" || exit 99
"$WT_TOOLS/pcapgen" -o "$TMP/dns.pcap" \
    "$WT_SRCDIR/tests/pcap/dns-escape.txt" || exit 99

# talkers.txt: frames are 54 bytes of headers + payload.  10.0.0.5 sends
# to .10: SYN, ACK, 2400 x 1454, FIN, ACK and receives SYN-ACK, 1200 ACKs,
# FIN; to .11: the same with 1200 data frames and 600 ACKs.
TOP_BYTES=$(( (4 * 54 + 2400 * 1454 + 54 + 1200 * 54 + 54) + \
    (4 * 54 + 1200 * 1454 + 54 + 600 * 54 + 54) ))
if command -v tshark >/dev/null 2>&1; then
	TS=$(tshark -r "$TMP/talkers.pcap" -Y 'ip.addr == 10.0.0.5' \
	    -T fields -e frame.len 2>/dev/null | awk '{s += $1} END {print s}')
	check "tshark agrees on 10.0.0.5's bytes ($TOP_BYTES)" \
	    [ "$TS" = "$TOP_BYTES" ]
elif wt_ci; then
	not_ok "tshark is not installed (required when CI=$CI)"
else
	echo "ok - tshark cross-check # SKIP tshark is not installed"
fi
TOP_TOTAL=$(fmt_size "$TOP_BYTES")

# ---- the main screen, UTF-8 and colours --------------------------------
start 120 40 LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen \
    "$WIRETOP" -r "$TMP/talkers.pcap" --speed max
check "replay finishes and says so" wait_for " finished "
wait_for "F1 help" >/dev/null
check "top talker is 10.0.0.5" eventually is 10.0.0.5 first_talker
check "top talker total is $TOP_TOTAL" \
    sh -c "echo '$(talker_row 10.0.0.5)' | grep -qF '$TOP_TOTAL'"
check "UTF-8 line drawing" grep -q "$(printf '\342\224\200') Top talkers" \
    "$TMP/screen"
$T capture-pane -e -p -t wt > "$TMP/screen.e"
check "colours are used by default" sh -c "grep -o \"$(printf '\033')\\[[0-9;]*m\" '$TMP/screen.e' | sed 's/^.\\[//; s/m\$//' | tr ';' '\\n' | grep -qE '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])\$'"

# sort: s cycles 10s -> 40s -> total -> in -> out -> host; S reverses
$T send-keys -t wt s s
check "s sorts by total" wait_for "sort: total"
check "by total 10.0.0.5 first" eventually is 10.0.0.5 first_talker
check "by total 198.51.100.10 second" \
    eventually is 198.51.100.10 second_talker
$T send-keys -t wt s s s
check "s cycles to host" wait_for "sort: host"
check "by host 10.0.0.1 first" eventually is 10.0.0.1 first_talker
$T send-keys -t wt S
check "S reverses" wait_for "sort: host $(printf '\342\226\274')"
check "reversed: 203.0.113.50 first" \
    eventually is 203.0.113.50 first_talker

# filter
$T send-keys -t wt / 1 9 8 . 5 1 Enter
check "filter shows in the title" wait_for "filter: 198.51"
check "filter keeps the 3 matching hosts" eventually is 3 count_talkers
check "filtered rows all match" eventually is 0 count_nonmatching
$T send-keys -t wt Escape
check "Esc clears the filter" wait_gone "filter: 198.51"

# help
$T send-keys -t wt F1
check "F1 shows the help" wait_for "show or close this help"
check "help lists the sort key" wait_for "cycle the sort column"
$T send-keys -t wt Escape
check "Esc leaves the help" wait_for "Top talkers"
$T send-keys -t wt '?'
check "? shows the help" wait_for "drill down into the host"
$T send-keys -t wt '?'
check "? closes the help" wait_for "Top talkers"

# pause
$T send-keys -t wt p
check "p pauses the display" wait_for "[display paused]"
$T send-keys -t wt p
check "p resumes" wait_gone "[display paused]"

# drill-down: sort by total, first row, Enter
# (from host: 2s, 10s, 40s, total)
$T send-keys -t wt s s s s
check "s wraps around to total" wait_for "sort: total"
$T send-keys -t wt Home Enter
check "Enter drills into the top talker" wait_for "Host 10.0.0.5"
check "drill-down lists its peers" eventually sh -c "grep -q '198.51.100.10' '$TMP/screen' && grep -q '198.51.100.11' '$TMP/screen'"
check "drill-down lists its flows" wait_for "Flows of 10.0.0.5"
$T send-keys -t wt Escape
check "Esc returns from the drill-down" wait_for "Top talkers"

# resize 120x40 -> 80x24 -> 200x60
$T resize-window -t wt -x 80 -y 24
check "resize to 80x24" wait_for "$(printf '\342\224\200') Top talkers"
check "80x24 screen is whole" eventually whole 24
$T resize-window -t wt -x 200 -y 60
check "200x60 shows every pane" eventually all_panes
check "200x60 screen is whole" eventually whole 60

# q quits with status 0 and restores the terminal
$T send-keys -t wt q
check "q exits" wait_file "$TMP/exit"
check "exit status 0" grep -qx "EXIT=0" "$TMP/exit"
check "terminal restored (echo, icanon)" \
    sh -c "grep -q ' icanon' '$TMP/stty' && grep -q ' echo ' '$TMP/stty'"
check "screen is back to the shell" wait_for "AFTER-EXIT"
check "no TUI left on the screen" sh -c "! grep -q 'Top talkers' '$TMP/screen'"

# ---- LANG=C: plain ASCII; NO_COLOR: no colour ---------------------------
start 100 30 LANG=C LC_ALL=C NO_COLOR=1 TERM=screen \
    "$WIRETOP" -r "$TMP/talkers.pcap" --speed max
check "LANG=C screen comes up" wait_for " finished "
wait_for "F1 help" >/dev/null
$T capture-pane -p -t wt > "$TMP/screen"
check "LANG=C: no byte above 0x7f" \
    [ "$(LC_ALL=C tr -d '\000-\177' < "$TMP/screen" | wc -c)" -eq 0 ]
check "LANG=C: ASCII line drawing" grep -q -- "- Top talkers -" "$TMP/screen"
check "LANG=C: screen is whole" eventually valid_screen 100 30
$T capture-pane -e -p -t wt > "$TMP/screen.e"
check "NO_COLOR: no colour in SGR sequences" sh -c "! grep -o \"$(printf '\033')\\[[0-9;]*m\" '$TMP/screen.e' | sed 's/^.\\[//; s/m\$//' | tr ';' '\\n' | grep -qE '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])\$'"
check "NO_COLOR: attributes still mark the focus" \
    grep -q "$(printf '\033')\\[[0-9;]*7[;m]" "$TMP/screen.e"
$T resize-window -t wt -x 80 -y 24
check "LANG=C: 80x24 after resize is whole" eventually valid_screen 80 24
$T send-keys -t wt q
check "LANG=C: q exits 0" exited_ok

# ---- a DNS name carrying an escape sequence ------------------------------
start 120 30 LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen \
    "$WIRETOP" -r "$TMP/dns.pcap" --speed max
check "dns-escape screen comes up" wait_for " finished "
check "the name is shown sanitised" wait_for "?.evil.example"
check "the escape's text is gone with it" \
    sh -c "! grep -q '\\[2J' '$TMP/screen'"
check "the screen was not cleared by it" grep -q '^ wiretop ' "$TMP/screen"
$T send-keys -t wt q
check "dns-escape: q exits" wait_file "$TMP/exit"
check "dns-escape: exit status 0" grep -qx "EXIT=0" "$TMP/exit"

# ---- SIGBUS from outside while a file is replayed ------------------------
# The file reader's SIGBUS handler (a shrinking mapped file) and the
# screen's fatal-signal handler each take the other for the one before
# it; a SIGBUS that is not a fault in the map must still end the process
# (135: killed by SIGBUS; 134: a sanitizer's handler ends with SIGABRT),
# not bounce between the two handlers.
start 120 30 LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen \
    "$WIRETOP" -r "$TMP/talkers.pcap" --speed 0.01
if wait_for " replaying "; then
	sleep 1		# the reader reinstalls its handler once a batch
	wpid=$(pgrep -P "$($T display -p -t wt '#{pane_pid}')" -x wiretop)
	kill -BUS "$wpid"
	check "SIGBUS: wiretop ends" wait_file "$TMP/exit"
	check "SIGBUS: died of it" grep -qx "EXIT=13[45]" "$TMP/exit"
	check "SIGBUS: alternate screen left" \
	    is 0 $T display -p -t wt '#{alternate_on}'
	kill -KILL "$wpid" 2>/dev/null
else
	not_ok "SIGBUS: the replay did not start"
fi

# ---- other terminals ------------------------------------------------------
for term in vt100 linux xterm-256color tmux-256color; do
	if ! infocmp "$term" >/dev/null 2>&1; then
		if wt_ci; then
			not_ok "TERM=$term: no terminfo entry (required when CI=$CI)"
		else
			echo "ok - TERM=$term # SKIP no terminfo entry"
		fi
		continue
	fi
	start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=$term \
	    "$WIRETOP" -r "$TMP/talkers.pcap" --speed max -d 0.1 --frames 3
	check "TERM=$term: --frames 3 runs and exits 0" exited_ok
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
