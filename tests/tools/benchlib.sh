# tests/tools/benchlib.sh: what the benchmark scripts share (sourced by
# bench.sh, bench-alerts.sh and bench-ipfix.sh; each sets failed=0 first).

# verdict NAME VALUE UNIT TARGET [DETAIL]: print one benchmark line,
# "NAME: VALUE UNIT (target <= TARGET) DETAIL: PASS|FAIL"; a miss sets
# failed.
verdict()
{
	if awk -v v="$2" -v t="$4" 'BEGIN { exit !(v <= t) }'; then
		_r=PASS
	else
		_r=FAIL
		failed=1
	fi
	printf '%s: %s %s (target <= %s)%s: %s\n' "$1" "$2" "$3" "$4" \
	    "${5:+ $5}" "$_r"
}

# div A B: A / B with three decimals (B of 0 counts as 0.01).
div()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.01; printf "%.3f", a / b }'
}

# small_capture FILE TOOLS: FILE is benchgen's 500 000 packets of 20 000
# flows (made, or kept from a run with the same benchgen); the capture the
# callgrind sections run on.  Exits 2 if benchgen fails.
small_capture()
{
	_stamp="$(cksum <"$2/benchgen") -n 500000 -f 20000"
	if ! { [ -f "$1" ] && [ -f "$1.stamp" ] &&
	    [ "$(cat "$1.stamp")" = "$_stamp" ]; }; then
		rm -f "$1" "$1.stamp"
		"$2/benchgen" -o "$1" -n 500000 -f 20000 >/dev/null || exit 2
		echo "$_stamp" >"$1.stamp"
	fi
}

# callgrind_ir ERRFILE CMD...: the instructions of every thread of CMD
# under callgrind (its "Collected" line); nothing, and 1, if CMD failed.
callgrind_ir()
{
	_err=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
	    2>"$_err" || return 1
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$_err"
}

# cg_verdict NAME NEW BASE: the instructions of run NEW over those of run
# BASE (cg_instr NEW|BASE, the caller's, prints one run's count with
# callgrind_ir), target <= 1.10.
cg_verdict()
{
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "$1: FAIL (valgrind is not installed)"
		failed=1
		return
	fi
	_base=$(cg_instr "$3")
	_new=$(cg_instr "$2")
	if [ -z "$_base" ] || [ -z "$_new" ]; then
		echo "$1: FAIL (callgrind failed: $3 '$_base', $2 '$_new')"
		tail -n 3 "$outdir/cg.err"
		failed=1
		return
	fi
	verdict "$1" "$(div "$_new" "$_base")" "x" 1.10 \
	    "($2 $_new Ir, $3 $_base Ir, 500000/20000 under callgrind)"
}
