#!/bin/sh
# labels.sh: label values are escaped as the text format wants, whatever
# bytes an interface name holds.
#
# In a network namespace of its own, the test makes a veth pair named
#   a"b\c + byte 0xce (not UTF-8 on its own)   and   q + ESC + "é" +
#   U+2028 (UTF-8, the second a line separator)
# and runs the daemon on both, with /metrics on the namespace's loopback.
# The text format escapes a backslash as \\ and a double quote as \";
# wiretop writes a control byte, a byte that is not UTF-8 and the bytes
# of a code point fmt_cp_unsafe() names as the four characters \xNN (so
# \\xNN in the text), and keeps other UTF-8:
#   source="a\"b\\c\\xce"   and   source="q\\x1bé\\xe2\\x80\\xa8"
# and promtool check metrics passes on it.
# Needs root (a namespace), ip(8), python3 and promtool.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init metrics-labels
wt_need_wiretop
wt_need_tool python3
wt_need_tool ip
wt_need_tool promtool
[ "$(id -u)" -eq 0 ] || wt_missing "needs root (a network namespace)"
MT_PY="python3 $WT_SRCDIR/tests/metrics/attack.py"
export WIRETOP_NO_DEFAULT_CONFIG=1
NS=wtmet$$
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WT_TMP"
}
trap cleanup EXIT

if1=$(printf 'a"b\\c\316')
if2=$(printf 'q\033\303\251\342\200\250')
ip netns add "$NS" || wt_hard "cannot make a network namespace"
ip -n "$NS" link set lo up &&
    ip -n "$NS" link add "$if1" type veth peer name "$if2" &&
    ip -n "$NS" link set "$if1" up && ip -n "$NS" link set "$if2" up ||
    wt_hard "cannot make the veth pair"

url=http://127.0.0.1:9796/metrics
ip netns exec "$NS" "$WIRETOP" daemon -i "$if1" -i "$if2" -u root \
    --db "$WT_TMP/h.db" --log "$WT_TMP/daemon.log" \
    --metrics-listen :9796 > "$WT_TMP/daemon.out" 2>&1 &
PID=$!
i=0
until ip netns exec "$NS" $MT_PY get "$url" > "$WT_TMP/metrics" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 "$PID" 2>/dev/null; then
		cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
		wt_hard "the daemon did not answer"
	fi
	sleep 0.2
done

want1=$(printf 'wiretop_source_up{source="a\\"b\\\\c\\\\xce"} 1')
want2=$(printf 'wiretop_source_up{source="q\\\\x1b\303\251\\\\xe2\\\\x80\\\\xa8"} 1')
wt_log "expected: $want1"
wt_check "a\"b\\c + 0xce is escaped" grep -qxF "$want1" "$WT_TMP/metrics"
wt_check "q + ESC + é + U+2028 is escaped, é kept" grep -qxF "$want2" "$WT_TMP/metrics"
wt_check "no raw ESC byte in the text" \
    sh -c "! grep -q \"\$(printf '\033')\" '$WT_TMP/metrics'"
if promtool check metrics < "$WT_TMP/metrics" > "$WT_TMP/promtool" 2>&1; then
	wt_pass "promtool check metrics passes"
else
	sed 's/^/    /' "$WT_TMP/promtool"
	wt_fail "promtool check metrics passes"
fi
kill -TERM "$PID"
wait "$PID"
wt_check "the daemon exits 0 on TERM" [ $? -eq 0 ]
PID=
wt_finish
