#!/bin/sh
# bench-ipfix.sh: make bench, section 9: the cost of IPFIX.  Run by
# bench.sh, or alone (same environment).
#
# a. Instructions under callgrind (every thread's, callgrind's
#    "Collected": the stable figure on a shared machine) of
#    `wiretop export -r ZIPF --format ipfix -o FILE` against the same with
#    `--format csv -o FILE`, on a Zipf capture of 500 000 packets over
#    20 000 flows (benchgen, as bench-alerts.sh).  Target: <= 1.10.
# b. The offline benchmark's capture (BENCH_PACKETS/BENCH_FLOWS): the same
#    two exports, best of 3 wall times after a warm-up, printed beside
#    the instructions (the wall clock of a shared machine is noise; the
#    verdict is a.'s).
# Environment: WIRETOP, WT_TOOLS, BENCH_OUT, BENCH_PACKETS, BENCH_FLOWS.
wiretop=${WIRETOP:-src/wiretop}
tools=${WT_TOOLS:-tests/tools}
packets=${BENCH_PACKETS:-5000000}
flows=${BENCH_FLOWS:-200000}
outdir=${BENCH_OUT:-bench-out}
TIME=/usr/bin/time
zipf=$outdir/zipf-$packets-$flows.pcap
small=$outdir/zipf-500000-20000.pcap
failed=0
export WIRETOP_NO_DEFAULT_CONFIG=1
. "$(dirname "$0")/benchlib.sh"

mkdir -p "$outdir" && chmod 1777 "$outdir" 2>/dev/null
echo
echo "== IPFIX: export --format ipfix vs --format csv"

small_capture "$small" "$tools"

# --- a. instructions ----------------------------------------------------------
cg_instr()
{
	callgrind_ir "$outdir/cg.err" "$wiretop" export -r "$small" \
	    --speed max --format "$1" -o "$outdir/bench-ipfix.out"
}
cg_verdict "IPFIX vs CSV: instructions" ipfix csv

# --- b. wall time on the offline benchmark's capture --------------------------
best()
{
	_b=
	for _i in 0 1 2 3; do
		"$TIME" -o "$outdir/time.out" -f "%e" "$wiretop" export -r "$zipf" \
		    --speed max --format "$1" -o "$outdir/bench-ipfix.out" \
		    2>/dev/null || return 1
		[ "$_i" = 0 ] && continue
		_t=$(cat "$outdir/time.out")
		if [ -z "$_b" ] || awk -v a="$_t" -v b="$_b" \
		    'BEGIN { exit !(a < b) }'; then
			_b=$_t
		fi
	done
	echo "$_b"
}
if [ -f "$zipf" ] && [ -x "$TIME" ]; then
	tc=$(best csv)
	ti=$(best ipfix)
	echo "IPFIX vs CSV: wall time $packets/$flows: ipfix ${ti:-?} s, csv" \
	    "${tc:-?} s ($(awk -v a="${ti:-0}" -v b="${tc:-0}" 'BEGIN {
		if (b <= 0) b = 0.01; printf "%.2f", a / b }') x; the shared" \
	    "machine's wall clock, for information)"
else
	echo "IPFIX vs CSV: wall time: $zipf missing (bench.sh makes it)"
fi
rm -f "$outdir/cg.err" "$outdir/time.out" "$outdir/bench-ipfix.out"
exit "$failed"
