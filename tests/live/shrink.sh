#!/bin/sh
# shrink.sh: a capture file that shrinks while it is read (tcpdump -w
# rewriting the same name) ends the export with one line
#   wiretop: FILE: truncated while being read at offset N
# exit code 3 (capture error) and valid partial output, never SIGBUS.
# The reader maps the file; pages past the new end fault, and the reader
# thread catches that fault.  16 runs, each truncating the file at another
# moment and to another size (0, inside the first page, mid-file).
# Environment (set by make check): WIRETOP, WT_TOOLS, WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init shrink
wt_need_wiretop
wt_need_tool tmux python3 truncate
benchgen=${WT_TOOLS:-tests/tools}/benchgen
[ -x "$benchgen" ] || wt_hard "needs $benchgen"
cd "$WT_TMP" || wt_hard "cd $WT_TMP"
# a run as root drops to an unprivileged user before it opens -o files
HOME=$WT_TMP
export HOME

# 50000 packets (~31 MB) over 60 s of packet time: read at --speed 100
# the export takes 0.6 s, so a truncation within 0.4 s lands mid-read.
"$benchgen" -o orig.pcap -n 50000 -f 1000 >/dev/null 2>&1 ||
    wt_hard "benchgen failed"

hit=0
run=0
for sz in 0 1000 4096 12000000; do
	for delay in 0.05 0.15 0.3 0.4; do
		run=$((run + 1))
		cp orig.pcap t.pcap || wt_hard "cp"
		if [ $((run % 2)) -eq 0 ]; then fmt=json; else fmt=csv; fi
		"$WIRETOP" export -r t.pcap --speed 100 --what summary \
		    --format $fmt >out 2>err &
		pid=$!
		sleep $delay
		truncate -s $sz t.pcap
		wait $pid
		rc=$?
		nerr=$(wc -l <err | tr -d ' ')
		what="run $run (size $sz after ${delay}s, $fmt)"
		if [ $rc -ge 128 ]; then
			wt_fail "$what: killed by signal $((rc - 128))"
			continue
		fi
		if [ $rc -eq 3 ] && [ "$nerr" = 1 ] && grep -Eq \
		    '^wiretop: t\.pcap: truncated while being read at offset [0-9]+$' \
		    err; then
			hit=$((hit + 1))
			wt_pass
		elif [ $rc -eq 0 ] && [ "$nerr" = 0 ]; then
			wt_pass		# read to the end before the truncation
		elif [ $rc -eq 0 ] && [ "$nerr" = 1 ] && grep -Eq \
		    '^wiretop: t\.pcap: truncated after [0-9]+ packets$' err
		then
			# cut before it was opened (a slow start, as under a
			# sanitizer): an ordinary truncated file, said so
			wt_pass
		else
			wt_fail "$what: exit $rc, $nerr lines: $(head -n 2 err)"
		fi
		wt_check "$what: output parses" python3 -c '
import csv, json, sys
fmt, path = sys.argv[1], sys.argv[2]
with open(path) as f:
    if fmt == "json":
        d = json.load(f)
        assert d["packets"] >= 0
    else:
        rows = list(csv.reader(f))
        assert rows[0][0] == "section" and len(rows) > 3
' $fmt out
	done
done
# screen_cut NAME FILE WAIT ARGS...: run the screen on FILE (ARGS) in a
# private tmux, truncate FILE to nothing after WAIT seconds and leave the
# pane, once the run has ended, in NAME.txt; sets alt to the pane's
# alternate_on at the end.
screen_cut() {
	_sock=$WT_TMP/$1.sock _txt=$1.txt _f=$2 _w=$3
	shift 3
	tmux -S "$_sock" new-session -d -x 100 -y 30 \
	    "'$WIRETOP' -r '$WT_TMP/$_f' $*; echo EXIT=\$?; sleep 30"
	sleep "$_w"
	truncate -s 0 "$_f"
	i=0
	while [ $i -lt 100 ] && ! tmux -S "$_sock" capture-pane -p |
	    grep -q '^EXIT='; do
		sleep 0.1
		i=$((i + 1))
	done
	tmux -S "$_sock" capture-pane -p -J >"$_txt"
	alt=$(tmux -S "$_sock" display -p '#{alternate_on}')
	tmux -S "$_sock" kill-server 2>/dev/null
}

# The screen too: the terminal leaves the alternate screen, and the
# error line is printed after it.
cp orig.pcap t.pcap || wt_hard "cp"
screen_cut pane t.pcap 1.2 --speed 10 -d 0.2 --frames 15
if [ "$alt" = 0 ] && grep -q '^EXIT=3$' pane.txt &&
    grep -q 't\.pcap: truncated while being read at offset [0-9]' \
    pane.txt; then
	wt_pass "screen: terminal restored, one error line, exit 3"
else
	wt_fail "screen: alternate screen $alt; pane: $(grep . pane.txt |
	    tail -n 3)"
fi

# The same while the replay waits for its second packet (a 1 s pause,
# the longest gap replayed): the reader has just mapped the file and
# sleeps, the screen starts meanwhile; the cut must still be reported
# (exit 3 and the line), not crash the process with SIGBUS.
cat >gap.txt <<'T'
linktype ether
0.000 udp 10.0.0.1:1000 > 10.0.0.2:2000 len=10
5.000 udp 10.0.0.1:1000 > 10.0.0.2:2000 len=1000 rep=50 dt=0.001
T
"${WT_TOOLS:-tests/tools}/pcapgen" -o gap.pcap gap.txt ||
    wt_hard "pcapgen gap"
screen_cut pane2 gap.pcap 0.5 -d 0.2 --frames 15
if grep -q '^EXIT=3$' pane2.txt &&
    grep -q '^wiretop: [^:]*gap\.pcap: truncated while being read' \
    pane2.txt; then
	wt_pass "screen, cut during the first pause: one line, exit 3"
else
	wt_fail "screen, cut during the first pause: $(grep . pane2.txt |
	    tail -n 2)"
fi

# at 0.05 to 0.4 s into a 0.6 s read, nearly every run must be cut
if [ $hit -ge 12 ]; then
	wt_pass "$hit of $run runs were cut mid-read and reported it"
else
	wt_fail "only $hit of $run runs were cut mid-read (want >= 12)"
fi
wt_finish
