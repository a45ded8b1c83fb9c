#!/bin/sh
# counts.sh: `wiretop report` on a pcapgen fixture (tests/pcap/talkers.txt),
# on corpus captures and on two files at once (-r A -r B, merged by time)
# checked against tshark: totals, the peak second, the traffic series,
# hosts and top talkers, TCP segments, retransmissions and handshake RTTs,
# and on talkers.txt the top services (tests/report/counts.py says how
# tshark's numbers are worked out).  tcp-retrans.txt has one
# retransmission.  The JSON must parse (python3 json, strict) and the
# text must carry the same numbers.  The same input gives the same bytes
# twice, in every format.  tshark and mergecap are required under CI.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init report-counts
wt_need_wiretop
wt_need_tool python3 tshark mergecap

wt_need_pcapgen
"$pcapgen" -o "$WT_TMP/talkers.pcap" "$WT_SRCDIR/tests/pcap/talkers.txt" \
    >/dev/null || wt_hard "pcapgen failed on talkers.txt"

# check NAME CAPTURE [-r MORE]: one report per format, compared with
# tshark's reading of CAPTURE (the merge of both files when two), with
# the counts.py options in $pyopts
check() {
	name=$1
	cap=$2
	shift 2
	for fmt in json text html; do
		for run in 1 2; do
			if ! "$WIRETOP" report -r "$cap" "$@" --format "$fmt" \
			    -o "$WT_TMP/$name.$run.$fmt" 2>"$WT_TMP/err"; then
				wt_fail "$name: report --format $fmt: $(cat "$WT_TMP/err")"
				return
			fi
		done
		wt_check "$name: $fmt is the same twice" \
		    cmp -s "$WT_TMP/$name.1.$fmt" "$WT_TMP/$name.2.$fmt"
	done
	wt_check "$name: JSON is strict JSON" python3 -c '
import json, sys
def no_dup(p):
    d = {}
    for k, v in p:
        if k in d: raise ValueError("duplicate " + k)
        d[k] = v
    return d
json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"),
    object_pairs_hook=no_dup)' "$WT_TMP/$name.1.json"
	if [ $# -gt 0 ]; then
		mergecap -w "$WT_TMP/$name.merged.pcapng" "$cap" "$2" ||
		    wt_hard "mergecap failed"
		cap=$WT_TMP/$name.merged.pcapng
	fi
	python3 "$WT_SRCDIR/tests/report/counts.py" "$cap" \
	    "$WT_TMP/$name.1.json" "$WT_TMP/$name.1.text" $pyopts \
	    >"$WT_TMP/out" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok - "*) wt_pass "$name: ${line#ok - }" ;;
		*) wt_fail "$name: ${line#not ok - }" ;;
		esac
	done <"$WT_TMP/out"
}

"$pcapgen" -o "$WT_TMP/retrans.pcap" "$WT_SRCDIR/tests/pcap/tcp-retrans.txt" \
    >/dev/null || wt_hard "pcapgen failed on tcp-retrans.txt"

# talkers.txt: https, http, ssh and ntp by their ports, and ICMP
pyopts="--tcp --services=443=https,80=http,22=ssh,123=ntp"
check talkers "$WT_TMP/talkers.pcap"
pyopts=--tcp
check tcp-retrans "$WT_TMP/retrans.pcap"
corpus=${WT_CORPUS:-}/real
if [ -f "$corpus/ndpi_iphone.pcap" ] &&
    [ -f "$corpus/ndpi_http-ipv6.pcap" ]; then
	check iphone "$corpus/ndpi_iphone.pcap"
	check http-ipv6 "$corpus/ndpi_http-ipv6.pcap"
	check merged "$corpus/ndpi_iphone.pcap" -r "$WT_TMP/talkers.pcap"
else
	wt_missing "corpus captures real/ndpi_iphone.pcap, real/ndpi_http-ipv6.pcap not found"
fi

# -o: never through a symbolic link; never over the capture being read
ln -s "$WT_TMP/target" "$WT_TMP/link"
if "$WIRETOP" report -r "$WT_TMP/talkers.pcap" -o "$WT_TMP/link" \
    2>/dev/null || [ -e "$WT_TMP/target" ]; then
	wt_fail "-o followed a symbolic link"
else
	wt_pass "-o refuses a symbolic link"
fi
cp "$WT_TMP/talkers.pcap" "$WT_TMP/in.pcap"
"$WIRETOP" report -r "$WT_TMP/in.pcap" -o "$WT_TMP/in.pcap" 2>/dev/null
rc=$?
wt_check "-o the -r file: usage error (2, got $rc), capture kept" \
    sh -c '[ '$rc' = 2 ] && cmp -s "$1" "$2"' sh "$WT_TMP/in.pcap" \
    "$WT_TMP/talkers.pcap"
"$WIRETOP" report -r "$WT_TMP/talkers.pcap" --format csv >/dev/null 2>&1
rc=$?
wt_check "--format csv is a usage error for report (2, got $rc)" [ $rc = 2 ]
"$WIRETOP" report -r "$WT_TMP/talkers.pcap" --what hosts >/dev/null 2>&1
rc=$?
wt_check "--what does not apply to report (2, got $rc)" [ $rc = 2 ]
wt_finish
