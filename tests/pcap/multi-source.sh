#!/bin/sh
# multi-source.sh: an export from two sources at once, run in every build
# and, in CI, under ThreadSanitizer (.ci/run's build-tsan): one reader
# thread per -r file, the ring and the engine thread are all exercised.
#
#   1. two fixtures (tests/pcap/basic-tcp.txt, udp.txt): the summary
#      counts the packets capinfos counts in each, per source and in
#      total, and the flows' packets add up to the same total;
#   2. two synthetic captures from benchgen (20 000 packets each, other
#      seeds): the summary counts 40 000 packets, as built;
#   3. as root, a live capture on lo for 2 s beside a -r file: exit 0
#      and the 5 datagrams sent to a private port are one flow.
# Every run must exit 0 with no sanitizer report (a ThreadSanitizer data
# race fails the check).

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init multi-source
wt_need_wiretop
wt_need_tool python3 capinfos
tools=${WT_TOOLS:-$WT_BUILDDIR/tests/tools}
[ -x "$tools/pcapgen" ] && [ -x "$tools/benchgen" ] ||
    wt_hard "needs $tools/pcapgen and benchgen (make check builds them)"

a=$WT_TMP/a.pcap
b=$WT_TMP/b.pcap
"$tools/pcapgen" -o "$a" "$WT_SRCDIR/tests/pcap/basic-tcp.txt" &&
    "$tools/pcapgen" -o "$b" "$WT_SRCDIR/tests/pcap/udp.txt" ||
    wt_hard "pcapgen failed"

# export DESC ARGS...: run wiretop export ARGS with stdout in $WT_TMP/out;
# true if it exits 0 with no sanitizer report (else one failure).
export_ok() {
	_d=$1
	shift
	"$WIRETOP" export "$@" >"$WT_TMP/out" 2>"$WT_TMP/err"
	_rc=$?
	if wt_sanitizer_report "$WT_TMP/err"; then
		wt_fail "$_d: sanitizer report: $(grep -m 3 -E 'Sanitizer|runtime error' "$WT_TMP/err")"
		return 1
	fi
	if [ "$_rc" -ne 0 ]; then
		wt_fail "$_d: exit $_rc: $(head -n 3 "$WT_TMP/err")"
		return 1
	fi
	return 0
}

# json_get FILE EXPR: evaluate a python expression over the JSON doc d.
json_get() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

na=$(capinfos -c -M -T -r "$a" | cut -f 2)
nb=$(capinfos -c -M -T -r "$b" | cut -f 2)

# 1. two fixtures
if export_ok "-r a -r b summary" -r "$a" -r "$b" --what summary \
    --format json; then
	got=$(json_get "$WT_TMP/out" \
	    '"%d %d %d" % (d["packets"], d["sources"][0]["packets"], d["sources"][1]["packets"])')
	wt_check "-r a -r b summary: packets '$got', capinfos $((na + nb)) $na $nb" \
	    [ "$got" = "$((na + nb)) $na $nb" ]
fi
if export_ok "-r a -r b flows" -r "$a" -r "$b" --what flows \
    --format json; then
	got=$(json_get "$WT_TMP/out" \
	    'sum(f["orig_pkts"] + f["resp_pkts"] for f in d["flows"])')

	# udp.txt has one ARP frame: counted, but in no flow
	wt_check "-r a -r b flows: $got packets in flows, want $((na + nb - 1))" \
	    [ "$got" = "$((na + nb - 1))" ]
fi

# 2. two larger synthetic captures
"$tools/benchgen" -o "$WT_TMP/s1.pcap" -n 20000 -f 2000 -s 1 &&
    "$tools/benchgen" -o "$WT_TMP/s2.pcap" -n 20000 -f 2000 -s 2 ||
    wt_hard "benchgen failed"
if export_ok "two benchgen captures, flows as CSV" -r "$WT_TMP/s1.pcap" \
    -r "$WT_TMP/s2.pcap" --what flows; then
	wt_pass "two benchgen captures, flows as CSV: exit 0, no report"
fi
if export_ok "two benchgen captures, summary" -r "$WT_TMP/s1.pcap" \
    -r "$WT_TMP/s2.pcap" --what summary --format json; then
	got=$(json_get "$WT_TMP/out" 'd["packets"]')
	wt_check "two benchgen captures: $got packets, built 40000" \
	    [ "$got" = 40000 ]
fi

# 3. live on lo beside a file
if [ "$(id -u)" -ne 0 ] || [ ! -d /sys/class/net/lo ]; then
	if wt_ci; then
		wt_fail "not root: live capture on lo cannot be tested" \
		    "(required when CI=$CI)"
	else
		wt_log "not root: live capture on lo not tested"
	fi
	wt_finish
fi
port=$((20000 + $$ % 20000))
"$WIRETOP" export -i lo -r "$a" -f "udp port $port" --duration 2 \
    --format json >"$WT_TMP/live.json" 2>"$WT_TMP/err" &
pid=$!
sleep 0.7
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"x" * 100, ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.02)' "$port"
wait $pid
rc=$?
if wt_sanitizer_report "$WT_TMP/err"; then
	wt_fail "live lo + -r: sanitizer report: $(grep -m 3 -E 'Sanitizer|runtime error' "$WT_TMP/err")"
elif [ $rc -eq 3 ] && ! wt_ci; then
	wt_log "live capture on lo not possible here: $(cat "$WT_TMP/err")"
elif [ $rc -ne 0 ]; then
	wt_fail "live lo + -r: exit $rc: $(head -n 3 "$WT_TMP/err")"
else
	got=$(json_get "$WT_TMP/live.json" \
	    '" ".join("%s/%d" % (f["proto"], f["orig_pkts"]) for f in d["flows"] if f["id.resp_p"] == '"$port"')')
	wt_check "live lo + -r: the 5 datagrams are one flow ('$got')" \
	    [ "$got" = "udp/5" ]
fi
wt_finish
