#!/bin/sh
# bench.sh: make bench: wiretop's offline speed and memory per flow.
#
# 1. Throughput: a capture of BENCH_PACKETS packets (default 5 000 000)
#    over BENCH_FLOWS flows (200 000, Zipf popularity; see benchgen.c) is
#    read by the floor (a bare libpcap read loop, tests/tools/floor.c)
#    and by `wiretop export --what summary`; best of 3 wall times after a
#    warm-up run of each.  Target: wiretop <= 1.5 x floor.
# 2. Memory: a capture in which BENCH_CONC_FLOWS flows (1 000 000) are
#    all open at once; (peak RSS of wiretop - peak RSS of the floor) /
#    flows.  Target: <= 256 bytes per flow.
# The captures are generated once into ./bench-out/ (about 4 GB with the
# defaults) and reused while benchgen and the sizes stay the same.
# Needs /usr/bin/time (Debian package "time").  Exit 1 if a target is
# missed or a program fails, 2 if the benchmark cannot run.
# Environment: WIRETOP, WT_TOOLS (set by make bench).

set -u

wiretop=${WIRETOP:-src/wiretop}
tools=${WT_TOOLS:-tests/tools}
packets=${BENCH_PACKETS:-5000000}
flows=${BENCH_FLOWS:-200000}
cflows=${BENCH_CONC_FLOWS:-1000000}
cpackets=$((cflows * 7))
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

# summary_packets FILE: the packet count wiretop reports for FILE.
summary_packets()
{
	"$wiretop" export -r "$1" --what summary --format json \
	    -o "$outdir/summary.json" 2>"$outdir/run.err" || return 1
	sed -n 's/.*"packets" *: *\([0-9][0-9]*\).*/\1/p' \
	    "$outdir/summary.json" | head -n 1
}

zipf=$outdir/zipf-$packets-$flows.pcap
conc=$outdir/concurrent-$cflows.pcap
gen "$zipf" -n "$packets" -f "$flows"
gen "$conc" --concurrent -n "$cpackets" -f "$cflows"

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
if measure wiretop "$wiretop" export -r "$zipf" --what summary \
    --format json -o /dev/null; then
	wt_s=$best
	wt_rss=$rss
	awk -v p="$packets" -v f="$floor_s" -v w="$wt_s" -v fr="$floor_rss" \
	    -v wr="$wt_rss" 'BEGIN {
		if (f <= 0) f = 0.01
		if (w <= 0) w = 0.01
		printf "packets            %d\n", p
		printf "floor              %.2f s (%.0f packets/s, %d KiB)\n",
		    f, p / f, fr
		printf "wiretop            %.2f s (%.0f packets/s, %d KiB)\n",
		    w, p / w, wr
		printf "ratio              %.2f (target <= 1.5)\n", w / f
		if (w / f <= 1.5) print "PASS throughput"
		else { print "FAIL throughput"; exit 1 }
	}' || failed=1
else
	echo "FAIL throughput"
fi

# --- 2. memory per concurrent flow -----------------------------------
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
if measure wiretop "$wiretop" export -r "$conc" --what summary \
    --format json -o /dev/null; then
	awk -v fl="$cflows" -v fr="$floor_rss" -v wr="$rss" -v w="$best" \
	    -v p="$cpackets" 'BEGIN {
		per = (wr - fr) * 1024 / fl
		printf "flows              %d\n", fl
		printf "peak RSS           wiretop %d KiB, floor %d KiB\n",
		    wr, fr
		printf "bytes per flow     %.1f (target <= 256)\n", per
		printf "wiretop            %.2f s (%.0f packets/s)\n", w,
		    p / (w > 0 ? w : 0.01)
		if (per <= 256) print "PASS memory per flow"
		else { print "FAIL memory per flow"; exit 1 }
	}' || failed=1
else
	echo "FAIL memory per flow"
fi

# --- 3. TUI frame time -----------------------------------------------
# Hook for the TUI benchmark: when wiretop offers --bench-frame, run it
# on the throughput capture; its output (and exit status) is its own.
if "$wiretop" --help 2>&1 | grep -q -- '--bench-frame'; then
	echo
	echo "== TUI frame time"
	"$wiretop" --bench-frame -r "$zipf" || failed=1
fi

rm -f "$outdir/time.out" "$outdir/run.out" "$outdir/run.err" \
    "$outdir/summary.json"
echo
if [ "$failed" = 0 ]; then
	echo "bench: all targets met"
else
	echo "bench: some targets missed"
fi
exit "$failed"
