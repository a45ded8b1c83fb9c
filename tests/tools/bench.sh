#!/bin/sh
# bench.sh: make bench: wiretop's offline speed, memory per flow, the cost
# of one flow record, and live capture.  Every line that has a target
# says what it is compared with (the read floor: a bare libpcap read loop,
# tests/tools/floor.c), the ratio, the target and PASS or FAIL.
#
# 1. Throughput: a capture of BENCH_PACKETS packets (default 5 000 000)
#    over BENCH_FLOWS flows (200 000, Zipf popularity; see benchgen.c) is
#    read by the floor, by `wiretop export --what summary` (target <= 1.5
#    x floor) and by `wiretop export --what flows` writing CSV (target
#    <= 1.25 x floor); best of 3 wall times after a warm-up run of each.
# 2. Many flows: BENCH_SHORT_FLOWS (1 000 000) two-packet UDP flows
#    (benchgen --short: 2 000 000 packets): flows as CSV (target <= 10 x
#    floor) and the summary (target <= 5 x floor).
# 3. Memory: a capture in which BENCH_CONC_FLOWS flows (1 000 000) are
#    all open at once; (peak RSS of wiretop - peak RSS of the floor) /
#    flows, with the kernel's exact peak (%M of /usr/bin/time).  Target:
#    <= 256 bytes per flow.  wiretop reads a file at --speed max through
#    a 256 KiB buffer (it maps only a file replayed at a pace), so the
#    peak RSS counts no file pages.  The sampled peak of anonymous memory is shown
#    beside it.
# 4. The flow record path under callgrind (instructions, the stable
#    figure on a shared machine): BENCH_CG_FLOWS (20 000) two-packet
#    flows exported as CSV minus the same exported as a summary, divided
#    by the records written.  Target: <= 4 000 instructions per record.
# 5. Live capture on loopback: tests/tools/bench-live.sh, when it exists.
# 6. TUI frame time and idle CPU.
# 7. The history store: records/s, bytes per million flows, the offline
#    ratio with the store on, a day of samples (tests/tools/bench-store.sh).
# 8. Alerts and GeoIP: the offline ratio to the floor with every detector
#    and GeoIP on against both off, and the same in instructions under
#    callgrind (tests/tools/bench-alerts.sh).
# 9. IPFIX: export --format ipfix against --format csv, in instructions
#    under callgrind (target <= 1.10; tests/tools/bench-ipfix.sh).
# The captures are generated once into ./bench-out/ (about 6 GB with the
# defaults) and reused while benchgen and the sizes stay the same.
# Needs /usr/bin/time (Debian package "time") and valgrind.  Exit 1 if a
# target is missed or a program fails, 2 if the benchmark cannot run.
# Environment: WIRETOP, WT_TOOLS, WT_CORPUS (set by make bench).

set -u

wiretop=${WIRETOP:-src/wiretop}
tools=${WT_TOOLS:-tests/tools}
packets=${BENCH_PACKETS:-5000000}
flows=${BENCH_FLOWS:-200000}
cflows=${BENCH_CONC_FLOWS:-1000000}
cpackets=$((cflows * 7))
sflows=${BENCH_SHORT_FLOWS:-1000000}
cgflows=${BENCH_CG_FLOWS:-20000}
here=$(cd "$(dirname "$0")" && pwd)
outdir=${BENCH_OUT:-bench-out}
TIME=/usr/bin/time

if [ ! -x "$TIME" ]; then
	echo "bench: needs $TIME (apt-get install time)"
	exit 2
fi
for p in "$wiretop" "$tools/benchgen" "$tools/floor"; do
	if [ ! -x "$p" ]; then
		echo "bench: $p is not built"
		exit 2
	fi
done
mkdir -p "$outdir" || exit 2
chmod 1777 "$outdir" 2>/dev/null	# wiretop drops to nobody before it opens -o

failed=0

# gen FILE ARGS...: run benchgen unless FILE was made by this benchgen
# with these arguments.
gen()
{
	file=$1
	shift
	stamp="$(cksum <"$tools/benchgen") $*"
	if [ -f "$file" ] && [ -f "$file.stamp" ] &&
	    [ "$(cat "$file.stamp")" = "$stamp" ]; then
		echo "bench: reusing $file"
		return 0
	fi
	rm -f "$file" "$file.stamp"
	"$tools/benchgen" -o "$file" "$@" || exit 2
	echo "$stamp" >"$file.stamp"
}

# measure NAME CMD...: run CMD once to warm up and 3 times timed; sets
# best (wall seconds, lowest) and rss (KiB, highest).  A failing run
# counts as a failure of the benchmark.
measure()
{
	name=$1
	shift
	best=
	rss=0
	i=0
	while [ $i -lt 4 ]; do
		if ! "$TIME" -o "$outdir/time.out" -f "%e %M" "$@" \
		    >"$outdir/run.out" 2>"$outdir/run.err"; then
			echo "bench: FAIL: $name exited with an error:"
			tail -n 5 "$outdir/run.err" "$outdir/time.out"
			failed=1
			best=0
			return 1
		fi
		if [ $i -gt 0 ]; then
			read -r e m <"$outdir/time.out" || true
			if [ -z "$best" ] ||
			    awk -v a="$e" -v b="$best" 'BEGIN { exit !(a < b) }'
			then
				best=$e
			fi
			[ "$m" -gt "$rss" ] && rss=$m
		fi
		i=$((i + 1))
	done
	return 0
}

# peak_anon CMD...: run CMD once, sampling its anonymous memory; sets
# anon (peak RssAnon, KiB).
peak_anon()
{
	"$@" >"$outdir/run.out" 2>"$outdir/run.err" &
	pid=$!
	anon=0
	while kill -0 "$pid" 2>/dev/null; do
		a=$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' \
		    "/proc/$pid/status" 2>/dev/null)
		if [ -n "$a" ] && [ "$a" -gt "$anon" ]; then
			anon=$a
		fi
		sleep 0.01
	done
	if ! wait "$pid"; then
		echo "bench: FAIL: $1 exited with an error:"
		tail -n 5 "$outdir/run.err"
		failed=1
		return 1
	fi
	if [ "$anon" = 0 ]; then
		echo "bench: FAIL: could not sample the memory of $1"
		failed=1
		return 1
	fi
	return 0
}

. "$here/benchlib.sh"	# verdict

# ratio A B: A / B with two decimals (B of 0 counts as 0.01).
ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.01
		printf "%.2f", a / b }'
}

# vs_floor NAME TARGET FILE ARGS...: time wiretop export -r FILE ARGS
# against $floor_s (the floor on FILE) and print its line.
vs_floor()
{
	_n=$1 _t=$2 _f=$3
	shift 3
	if measure "$_n" "$wiretop" export -r "$_f" --speed max \
	    -o /dev/null "$@"; then
		verdict "$_n" "$(ratio "$best" "$floor_s")" "x floor" "$_t" \
		    "wiretop $best s, floor $floor_s s, $(awk -v p="$packets_in" \
		    -v w="$best" 'BEGIN { if (w <= 0) w = 0.01
			printf "%.0f", p / w }') packets/s"
	else
		echo "$_n: FAIL (wiretop failed)"
	fi
}

# summary_packets FILE: the packet count wiretop reports for FILE.
summary_packets()
{
	"$wiretop" export -r "$1" --what summary --format json --speed max \
	    -o "$outdir/summary.json" 2>"$outdir/run.err" || return 1
	sed -n 's/.*"packets" *: *\([0-9][0-9]*\).*/\1/p' \
	    "$outdir/summary.json" | head -n 1
}

zipf=$outdir/zipf-$packets-$flows.pcap
conc=$outdir/concurrent-$cflows.pcap
short=$outdir/short-$sflows.pcap
cgcap=$outdir/short-$cgflows.pcap
gen "$zipf" -n "$packets" -f "$flows"
gen "$conc" --concurrent -n "$cpackets" -f "$cflows"
gen "$short" --short -f "$sflows"
gen "$cgcap" --short -f "$cgflows"

# --- 1. throughput ---------------------------------------------------
echo
echo "== throughput: $zipf"
n=$(summary_packets "$zipf")
if [ "$n" != "$packets" ]; then
	echo "bench: FAIL: wiretop counted '${n:-nothing}' packets," \
	    "expected $packets"
	failed=1
fi
measure floor "$tools/floor" "$zipf"
floor_s=$best
floor_rss=$rss
echo "floor              $floor_s s ($floor_rss KiB)"
packets_in=$packets
vs_floor "summary, $packets/$flows" 1.5 "$zipf" --what summary \
    --format json
echo "wiretop peak RSS   $rss KiB"
vs_floor "flows as CSV, $packets/$flows" 1.25 "$zipf" --what flows \
    --format csv

# --- 2. many short flows ------------------------------------------------
echo
echo "== many flows: $short ($sflows two-packet flows)"
spackets=$((sflows * 2))
n=$(summary_packets "$short")
if [ "$n" != "$spackets" ]; then
	echo "bench: FAIL: wiretop counted '${n:-nothing}' packets," \
	    "expected $spackets"
	failed=1
fi
measure floor "$tools/floor" "$short"
floor_s=$best
packets_in=$spackets
echo "floor              $floor_s s"
vs_floor "flows as CSV, $spackets/$sflows" 10 "$short" --what flows \
    --format csv
vs_floor "summary, $spackets/$sflows" 5 "$short" --what summary \
    --format json

# --- 3. memory per concurrent flow -----------------------------------
# The target is checked on the exact peak RSS (%M), which also counts the
# (at most about a MiB of) mapped file pages; the peak of anonymous
# memory (RssAnon in /proc/PID/status, sampled every 10 ms) is printed
# beside it.
echo
echo "== memory: $conc ($cflows concurrent flows)"
n=$(summary_packets "$conc")
if [ "$n" != "$cpackets" ]; then
	echo "bench: FAIL: wiretop counted '${n:-nothing}' packets," \
	    "expected $cpackets"
	failed=1
fi
measure floor "$tools/floor" "$conc"
floor_rss=$rss
peak_anon "$tools/floor" "$conc"
floor_anon=$anon
if measure wiretop "$wiretop" export -r "$conc" --what summary \
    --format json --speed max -o /dev/null &&
    peak_anon "$wiretop" export -r "$conc" --what summary \
    --format json --speed max -o /dev/null; then
	awk -v fl="$cflows" -v fr="$floor_rss" -v wr="$rss" -v w="$best" \
	    -v p="$cpackets" -v fa="$floor_anon" -v wa="$anon" 'BEGIN {
		per = (wr - fr) * 1024 / fl
		printf "flows              %d\n", fl
		printf "peak RSS           wiretop %d KiB, floor %d KiB\n",
		    wr, fr
		printf "peak anonymous     wiretop %d KiB, floor %d KiB " \
		    "(%.1f bytes per flow)\n", wa, fa, (wa - fa) * 1024 / fl
		printf "bytes per flow     %.1f (target <= 256)\n", per
		printf "wiretop            %.2f s (%.0f packets/s)\n", w,
		    p / (w > 0 ? w : 0.01)
		if (per <= 256) print "PASS memory per flow"
		else { print "FAIL memory per flow"; exit 1 }
	}' || failed=1
else
	echo "FAIL memory per flow"
fi

# --- 4. the flow record path under callgrind ------------------------------
# Instructions of every thread (callgrind's "Collected"), CSV of every
# flow minus the summary of the same capture, per record written.
echo
echo "== flow record path: $cgcap ($cgflows flows, callgrind)"
# cg_instr ARGS...: instructions of wiretop export -r $cgcap ARGS.
cg_instr()
{
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	    "$wiretop" export -r "$cgcap" --speed max -o /dev/null "$@" \
	    2>"$outdir/cg.err" || return 1
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$outdir/cg.err"
}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "instructions per flow record: FAIL (valgrind is not installed)"
	failed=1
else
	recs=$("$wiretop" export -r "$cgcap" --what summary --format json \
	    --speed max 2>/dev/null | python3 -c 'import json, sys
print(json.load(sys.stdin)["flows"]["records"])' 2>/dev/null)
	ic=$(cg_instr --what flows --format csv)
	is=$(cg_instr --what summary --format json)
	if [ -z "$ic" ] || [ -z "$is" ] || [ -z "$recs" ] || [ "$recs" = 0 ]
	then
		echo "instructions per flow record: FAIL (callgrind or the" \
		    "summary failed: csv '$ic', summary '$is', records '$recs')"
		tail -n 3 "$outdir/cg.err"
		failed=1
	else
		verdict "instructions per flow record" \
		    "$(awk -v c="$ic" -v s="$is" -v r="$recs" \
		    'BEGIN { printf "%.0f", (c - s) / r }')" "Ir" 4000 \
		    "csv $ic - summary $is Ir over $recs records"
	fi
fi

# --- 5. live capture on loopback (tests/tools/bench-live.sh) ---------------
echo
echo "== live capture on lo"
if [ -f "$here/bench-live.sh" ]; then
	WIRETOP=$wiretop WT_TOOLS=$tools sh "$here/bench-live.sh" || failed=1
else
	echo "live: not measured (tests/tools/bench-live.sh missing)"
fi

# --- 7. the history store (tests/tools/bench-store.sh) ----------------------
if [ -f "$here/bench-store.sh" ]; then
	WIRETOP=$wiretop WT_TOOLS=$tools BENCH_OUT=$outdir BENCH_PACKETS=$packets \
	    BENCH_FLOWS=$flows BENCH_SHORT_FLOWS=$sflows \
	    sh "$here/bench-store.sh" || failed=1
else
	echo "store: not measured (tests/tools/bench-store.sh missing)"
fi

# --- 8. alerts and GeoIP (tests/tools/bench-alerts.sh) ---------------------
if [ -f "$here/bench-alerts.sh" ]; then
	WIRETOP=$wiretop WT_TOOLS=$tools BENCH_OUT=$outdir BENCH_PACKETS=$packets \
	    BENCH_FLOWS=$flows WT_CORPUS=${WT_CORPUS:-} \
	    sh "$here/bench-alerts.sh" || failed=1
else
	echo "alerts: not measured (tests/tools/bench-alerts.sh missing)"
fi

# --- 9. IPFIX vs CSV (tests/tools/bench-ipfix.sh) ---------------------------
if [ -f "$here/bench-ipfix.sh" ]; then
	WIRETOP=$wiretop WT_TOOLS=$tools BENCH_OUT=$outdir BENCH_PACKETS=$packets \
	    BENCH_FLOWS=$flows sh "$here/bench-ipfix.sh" || failed=1
else
	echo "IPFIX: not measured (tests/tools/bench-ipfix.sh missing)"
fi

# --- 6. TUI: frame time and idle CPU (owner: TUI) -------------------------
# Frame: tests/tools/uibench fills an engine with 100 000 flows and 50 000
# hosts through engine_packet() and times collect + sort + render of every
# pane at 200x60 (no terminal).  Target: <= 5 ms of CPU per frame.
# Idle: the real TUI on a live capture of lo (BPF "tcp port 9", so other
# loopback traffic does not count) in a 200x60 tmux pane; CPU ticks of the
# process over 10 s from /proc.  Target: < 1% of a core.
echo
echo "== TUI frame time (200x60, 100k flows, 50k hosts; target <= 5 ms)"
if [ -x "$tools/uibench" ]; then
	"$tools/uibench" -n 100 --max-ms 5 || failed=1
else
	echo "bench: $tools/uibench is not built"
	failed=1
fi
echo
echo "== TUI idle CPU (live on lo, 10 s; target < 1% of a core)"
if ! command -v tmux >/dev/null 2>&1; then
	echo "bench: tmux is not installed: skipped"
else
	sock="wtbench$$"
	tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 60 \
	    "exec $wiretop -i lo -f 'tcp port 9'"
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}' 2>/dev/null)
	i=0
	while [ $i -lt 100 ] && ! tmux -L "$sock" capture-pane -p \
	    2>/dev/null | grep -q 'Top talkers'; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$pid" ] || [ ! -r "/proc/$pid/stat" ] || [ $i -ge 100 ]; then
		echo "bench: the TUI did not start on lo (capture rights?)"
		tmux -L "$sock" capture-pane -p 2>/dev/null | head -5
		failed=1
	else
		sleep 2
		t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
		sleep 10
		t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
		pct=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" \
		    'BEGIN { printf "%.2f", (b - a) * 100 / hz / 10 }')
		echo "wiretop TUI idle: $pct% of a core"
		awk -v p="$pct" 'BEGIN { exit !(p < 1) }' || failed=1
	fi
	tmux -L "$sock" kill-server >/dev/null 2>&1
fi

rm -f "$outdir/time.out" "$outdir/run.out" "$outdir/run.err" \
    "$outdir/summary.json" "$outdir/cg.err"
echo
if [ "$failed" = 0 ]; then
	echo "bench: all targets met"
else
	echo "bench: some targets missed"
fi
exit "$failed"
