#!/bin/sh
# files.sh: files opened with the right rights, the log, and how export
# ends.
#
#   -o and --log never follow a symbolic link (the link's target keeps its
#   bytes), are created with mode 0640 less the umask, owned by the user
#   wiretop runs as; a file that cannot be created is one line naming the
#   file and that user.  --log gets the start, the sources, the drop and
#   the exit.  A closed standard output (export | head -n 1) ends quietly:
#   nothing on stderr, killed by SIGPIPE (141) or 0.  SIGUSR1 logs the
#   counters; a live export stops on SIGTERM within 2 s with complete
#   output.  Options that do not
#   apply to a mode are one line and exit 2.
# Runs as any user; the ownership checks need root.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init files
wt_need_wiretop
HOME=$WT_TMP XDG_CONFIG_HOME=$WT_TMP/.config
export HOME XDG_CONFIG_HOME

if [ "$(id -u)" = 0 ]; then
	if getent passwd wiretop >/dev/null 2>&1; then
		runas=wiretop
	else
		runas=nobody
	fi
else
	runas=$(id -un)
fi
pcap=$WT_TMP/basic.pcap
"$WT_TOOLS/pcapgen" -o "$pcap" "$WT_SRCDIR/tests/pcap/basic-tcp.txt" ||
    wt_hard "pcapgen failed"

# mode_of FILE: permission bits in octal
mode_of() {
	stat -c %a "$1"
}

# 1. a symbolic link as -o: refused, its target untouched
printf 'precious\n' >"$WT_TMP/victim"
ln -s "$WT_TMP/victim" "$WT_TMP/out.csv"
"$WIRETOP" export -r "$pcap" -o "$WT_TMP/out.csv" 2>"$WT_TMP/err"
rc=$?
if [ $rc != 0 ] && [ "$(cat "$WT_TMP/victim")" = precious ] &&
    [ "$(wc -l <"$WT_TMP/err")" = 1 ] && grep -q -F "$WT_TMP/out.csv" "$WT_TMP/err"
then
	wt_pass "-o symlink: refused (exit $rc), target intact, one line"
else
	wt_fail "-o symlink: exit $rc, victim '$(cat "$WT_TMP/victim")'," \
	    "stderr: $(cat "$WT_TMP/err")"
fi
# the same for --log (a dangling link too: nothing may be created)
ln -s "$WT_TMP/created-by-link" "$WT_TMP/log.lnk"
"$WIRETOP" export -r "$pcap" -o /dev/null --log "$WT_TMP/log.lnk" \
    2>"$WT_TMP/err"
rc=$?
if [ $rc != 0 ] && [ ! -e "$WT_TMP/created-by-link" ] &&
    [ "$(wc -l <"$WT_TMP/err")" = 1 ]; then
	wt_pass "--log dangling symlink: refused, nothing created"
else
	wt_fail "--log symlink: exit $rc, stderr: $(cat "$WT_TMP/err")"
fi

# 2. modes: 0640 with umask 022, 0600 with umask 077; owner
for um in 022 077; do
	want=640
	[ $um = 077 ] && want=600
	rm -f "$WT_TMP/m.csv" "$WT_TMP/m.log"
	(umask $um; "$WIRETOP" export -r "$pcap" -o "$WT_TMP/m.csv" \
	    --log "$WT_TMP/m.log" 2>"$WT_TMP/err")
	for f in m.csv m.log; do
		m=$(mode_of "$WT_TMP/$f" 2>/dev/null)
		if [ "$m" = "$want" ]; then
			wt_pass "umask $um: $f created $m"
		else
			wt_fail "umask $um: $f mode '$m', want $want"
		fi
	done
done
owner=$(stat -c %U "$WT_TMP/m.csv")
[ "$owner" = "$runas" ] && wt_pass "-o file owned by $runas" ||
    wt_fail "-o file owned by '$owner', want $runas"
# an existing file is truncated, not appended to; the log is appended
printf 'old line that must go\n' >"$WT_TMP/t.csv"
chmod 666 "$WT_TMP/t.csv"
"$WIRETOP" export -r "$pcap" -o "$WT_TMP/t.csv" 2>/dev/null
if ! grep -q 'old line' "$WT_TMP/t.csv" &&
    [ "$(wc -l <"$WT_TMP/t.csv")" = 2 ]; then
	wt_pass "-o existing file: truncated, header and one flow"
else
	wt_fail "-o existing file: $(head -n 1 "$WT_TMP/t.csv")"
fi

# -o naming the capture file being read (by its name, another path, a
# hard link, or as standard input): refused before anything is opened,
# one line, exit 2, the capture unchanged
cp "$pcap" "$WT_TMP/in.pcap"
chmod 666 "$WT_TMP/in.pcap"
ln -f "$WT_TMP/in.pcap" "$WT_TMP/in-link.pcap"
sum=$(cksum <"$WT_TMP/in.pcap")
for how in name path link stdin; do
	case $how in
	name) "$WIRETOP" export -r "$WT_TMP/in.pcap" -o "$WT_TMP/in.pcap" ;;
	path) "$WIRETOP" export -r "$WT_TMP/in.pcap" -o "$WT_TMP/./in.pcap" ;;
	link) "$WIRETOP" export -r "$WT_TMP/in-link.pcap" -o "$WT_TMP/in.pcap" ;;
	stdin) "$WIRETOP" export -r - -o "$WT_TMP/in.pcap" <"$WT_TMP/in.pcap" ;;
	esac 2>"$WT_TMP/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(cksum <"$WT_TMP/in.pcap")" = "$sum" ] &&
	    [ "$(wc -l <"$WT_TMP/err")" = 1 ]; then
		wt_pass "-o is the -r file ($how): refused, capture intact"
	else
		wt_fail "-o is the -r file ($how): exit $rc, size" \
		    "$(wc -c <"$WT_TMP/in.pcap"): $(cat "$WT_TMP/err")"
	fi
done

# -o naming a FIFO: output goes to its reader once one comes; with no
# reader, TERM ends the wait (signals are blocked, so a blocking open
# would wait for ever) with one line
rm -f "$WT_TMP/out.fifo"
mkfifo -m 666 "$WT_TMP/out.fifo" || wt_hard "mkfifo"
"$WIRETOP" export -r "$pcap" -o "$WT_TMP/out.fifo" 2>"$WT_TMP/err" &
pid=$!
sleep 1
kill -TERM $pid
wt_wait_gone $pid 50
kill -KILL $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc = 1 ] && [ "$(wc -l <"$WT_TMP/err")" = 1 ] &&
    grep -q 'out\.fifo' "$WT_TMP/err"; then
	wt_pass "-o FIFO without a reader: TERM ends the wait, one line"
else
	wt_fail "-o FIFO without a reader: exit $rc: $(cat "$WT_TMP/err")"
fi
"$WIRETOP" export -r "$pcap" -o "$WT_TMP/out.fifo" 2>"$WT_TMP/err" &
pid=$!
sleep 0.3
timeout 10 cat "$WT_TMP/out.fifo" >"$WT_TMP/fifo.csv"
wait $pid
rc=$?
if [ $rc = 0 ] && [ "$(wc -l <"$WT_TMP/fifo.csv")" = 2 ] &&
    head -n 1 "$WT_TMP/fifo.csv" | grep -q '^ts,uid,'; then
	wt_pass "-o FIFO: its reader gets the header and the flow"
else
	wt_fail "-o FIFO with a reader: exit $rc, $(cat "$WT_TMP/err")"
fi

# 3. a directory the user cannot write: one line, the file and the user
if [ "$(id -u)" = 0 ]; then
	mkdir "$WT_TMP/rootonly"
	chmod 700 "$WT_TMP/rootonly"
	"$WIRETOP" export -r "$pcap" -o "$WT_TMP/rootonly/x.csv" \
	    2>"$WT_TMP/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(wc -l <"$WT_TMP/err")" = 1 ] &&
	    grep -q -F "$WT_TMP/rootonly/x.csv" "$WT_TMP/err" &&
	    grep -q -w "$runas" "$WT_TMP/err"; then
		wt_pass "-o in a root-only directory: one line, file and user"
	else
		wt_fail "-o in a root-only directory: exit $rc: $(cat "$WT_TMP/err")"
	fi
fi

# 4. the log gets the meaningful lines
rm -f "$WT_TMP/run.log"
"$WIRETOP" export -r "$pcap" -o /dev/null --log "$WT_TMP/run.log" 2>/dev/null
for pat in 'info: wiretop .* started: export mode' \
    "info: source 0 opened: .*basic.pcap \\(file\\)" \
    "info: privileges dropped: running as $runas " \
    'info: source 0 .* 11 packets' 'info: exit 0'; do
	if grep -E -q "$pat" "$WT_TMP/run.log"; then
		wt_pass
	else
		wt_fail "--log: no line matching '$pat' in: $(cat "$WT_TMP/run.log")"
	fi
done

# 5. a closed standard output ends quietly
awk 'BEGIN { for (i = 1; i <= 4000; i++)
	printf "%d.000 udp 10.0.%d.%d:%d > 10.1.0.1:53 len=20\n", i,
	    int(i / 250), i % 250 + 1, 1024 + i }' >"$WT_TMP/many.txt"
"$WT_TOOLS/pcapgen" -o "$WT_TMP/many.pcap" "$WT_TMP/many.txt" ||
    wt_hard "pcapgen failed"
rc=$( { "$WIRETOP" export -r "$WT_TMP/many.pcap" 2>"$WT_TMP/err"
    echo $? >"$WT_TMP/rc"; } | head -n 1 >/dev/null; cat "$WT_TMP/rc")
if { [ "$rc" = 141 ] || [ "$rc" = 0 ]; } && [ ! -s "$WT_TMP/err" ]; then
	wt_pass "export | head -n 1: quiet, status $rc"
else
	wt_fail "export | head -n 1: status $rc, stderr: $(cat "$WT_TMP/err")"
fi

# 6. SIGTERM stops a live export promptly, with complete output
if [ "$(id -u)" = 0 ] && ip link show lo >/dev/null 2>&1; then
	rm -f "$WT_TMP/term.log"
	"$WIRETOP" export -i lo --format json -o "$WT_TMP/term.json" \
	    --log "$WT_TMP/term.log" 2>"$WT_TMP/err" &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q 'privileges dropped' \
	    "$WT_TMP/term.log" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	# SIGUSR1: the counters go to the log while the run goes on
	kill -USR1 $pid
	i=0
	while [ $i -lt 100 ] && ! grep -q 'source 0 (lo): .* packets, drops' \
	    "$WT_TMP/term.log" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if grep -q 'source 0 (lo): .* packets, drops' "$WT_TMP/term.log" &&
	    kill -0 $pid 2>/dev/null; then
		wt_pass "SIGUSR1: statistics logged, still running"
	else
		wt_fail "SIGUSR1: $(cat "$WT_TMP/term.log")"
	fi
	t0=$(date +%s%N)
	kill -TERM $pid
	wait $pid
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ $rc = 0 ] && [ $ms -lt 2000 ] &&
	    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
	    "$WT_TMP/term.json" 2>/dev/null; then
		wt_pass "SIGTERM: live export stopped in $ms ms, valid JSON"
	else
		wt_fail "SIGTERM: exit $rc after $ms ms: $(cat "$WT_TMP/err")"
	fi
fi

# 7. options that do not apply to a mode: one line, exit 2
for args in "export -r $pcap --theme mono" "export -r $pcap --frames 1" \
    "-r $pcap --duration 3" "-r $pcap -o $WT_TMP/x.csv"; do
	# shellcheck disable=SC2086
	timeout 10 "$WIRETOP" $args </dev/null >/dev/null 2>"$WT_TMP/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$WT_TMP/err")" = 1 ] &&
	    grep -q 'does not apply' "$WT_TMP/err"; then
		wt_pass
	else
		wt_fail "wiretop $args: exit $rc: $(cat "$WT_TMP/err")"
	fi
done
# --speed is a source option (wiretop.8 lists it there): export takes it
timeout 10 "$WIRETOP" export -r "$pcap" --speed 100 </dev/null \
    >"$WT_TMP/speed.csv" 2>"$WT_TMP/err"
rc=$?
[ $rc = 0 ] && [ "$(wc -l <"$WT_TMP/speed.csv")" = 2 ] &&
    "$WIRETOP" --help | sed -n '/^Sources:/,/^Screen:/p' | grep -q -- --speed &&
    wt_pass "export --speed: accepted, and --help lists it with the sources" ||
    wt_fail "export --speed: exit $rc: $(cat "$WT_TMP/err")"


# --log: a file name with ESC, a C1 control (U+009B, CSI) and a bidi
# override (U+202E) is written escaped, as in every message; no such
# byte or character reaches the log raw
hostile=$(printf 'n\033[2J\302\233x\342\200\256y.pcap')
cp "$pcap" "$WT_TMP/$hostile"
rm -f "$WT_TMP/esc.log"
"$WIRETOP" export -r "$WT_TMP/$hostile" -o /dev/null \
    --log "$WT_TMP/esc.log" 2>/dev/null
if grep -q 'n\\x1b\[2J\\u{009b}x\\u{202e}y\.pcap' "$WT_TMP/esc.log" &&
    ! LC_ALL=C grep -q "$(printf '\033')" "$WT_TMP/esc.log" &&
    ! grep -q "$(printf '\302\233')" "$WT_TMP/esc.log" &&
    ! grep -q "$(printf '\342\200\256')" "$WT_TMP/esc.log"; then
	wt_pass "--log: ESC, C1 and bidi controls in a name are escaped"
else
	wt_fail "--log escaping: $(grep -a pcap "$WT_TMP/esc.log" | head -n 2)"
fi
wt_finish
