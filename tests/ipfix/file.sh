#!/bin/sh
# tests/ipfix/file.sh: `export --format ipfix -o FILE` writes an IPFIX file
# (RFC 5655: IPFIX messages one after another).  Read back by two readers
# that are not wiretop: libfixbuf's ipfixDump (libfixbuf-tools) must read
# every message and count the records, and tests/ipfix/ipfix.py (written
# from RFC 7011) checks the structure (version, lengths, sets, templates
# before data, no empty set, sequence numbers) and decodes each record:
# the same flows, packets, IP bytes both ways, VLAN and times (ms) as
# wiretop's CSV export of the capture.  The same capture gives the same
# file twice.  Other --what and the history are refused.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init ipfix-file
wt_need_wiretop
wt_need_pcapgen
wt_need_tool ipfixDump python3
. "$WT_SRCDIR/tests/ipfix/common.sh"
set -- "$WT_TMP/flows.pcap"
if [ -n "${WT_CORPUS:-}" ] && [ -d "$WT_CORPUS/real" ]; then
	set -- "$@" "$WT_CORPUS/real/ndpi_1kxun.pcap" \
	    "$WT_CORPUS/real/zeek_icmp6.pcap" \
	    "$WT_CORPUS/real/zeek_vlan-mpls-mixed.pcap"
else
	wt_missing "no corpus (WT_CORPUS): only the fixture is checked"
fi

for c in "$@"; do
	n=$(basename "$c" .pcap)
	"$WIRETOP" export -r "$c" --format ipfix -o "$WT_TMP/$n.ipfix" \
	    2>"$WT_TMP/$n.err" ||
	    wt_fail "$n: export --format ipfix failed: $(cat "$WT_TMP/$n.err")"
	"$WIRETOP" export -r "$c" --format csv -o "$WT_TMP/$n.csv" \
	    2>/dev/null || wt_fail "$n: export --format csv failed"
	want=$(python3 "$py" csv "$WT_TMP/$n.csv" | wc -l)
	# ipfixDump: every message read, the records counted
	if ipfixDump -s -i "$WT_TMP/$n.ipfix" >"$WT_TMP/$n.dump" 2>&1; then
		got=$(sed -n 's/.*Messages, \([0-9]*\) Data Records.*/\1/p' \
		    "$WT_TMP/$n.dump" | head -n 1)
		wt_check "$n: ipfixDump reads the file: ${got:-?} records, $want flows" \
		    [ "${got:-x}" = "$want" ]
	else
		wt_fail "$n: ipfixDump cannot read the file:"
		head -n 5 "$WT_TMP/$n.dump" | sed 's/^/# /'
	fi
	# the RFC 7011 reader: structure and each record
	if python3 "$py" parse "$WT_TMP/$n.ipfix" 2>"$WT_TMP/$n.perr" |
	    cut -d' ' -f1-12 | sort >"$WT_TMP/$n.got"; then
		python3 "$py" csv "$WT_TMP/$n.csv" | sort >"$WT_TMP/$n.want"
		if [ -s "$WT_TMP/$n.want" ] &&
		    cmp -s "$WT_TMP/$n.got" "$WT_TMP/$n.want"; then
			wt_pass "$n: the file's $want records are the CSV's flows"
		else
			wt_fail "$n: the file's records differ from the CSV:"
			diff "$WT_TMP/$n.want" "$WT_TMP/$n.got" | head -n 10 |
			    sed 's/^/# /'
		fi
	else
		wt_fail "$n: not a valid IPFIX file: $(cat "$WT_TMP/$n.perr")"
	fi
	"$WIRETOP" export -r "$c" --format ipfix -o "$WT_TMP/$n.2.ipfix" \
	    2>/dev/null
	wt_check "$n: the same capture gives the same file" \
	    cmp -s "$WT_TMP/$n.ipfix" "$WT_TMP/$n.2.ipfix"
done

# the fixture's flags, interface and end reasons (flows.txt): SYN ACK FIN
# each way (0x13), the refused flow's SYN (0x02) and the RST back (0x04),
# the IPv6 flow SYN ACK (0x12); every flow on interface 1, ended by the
# end of the capture (flowEndReason 4, forced end)
python3 "$py" fields "$WT_TMP/flows.ipfix" \
    sourceTransportPort,tcpControlBits,reverseTcpControlBits,ingressInterface,flowEndReason,biflowDirection,icmpTypeCodeIPv4 |
    sort >"$WT_TMP/fields"
sort >"$WT_TMP/fields.want" <<'W'
0 0 0 1 4 1 2048
1234 0 0 1 4 1 0
40000 19 19 1 4 1 0
40001 2 4 1 4 1 0
50000 18 18 1 4 1 -
9999 0 0 1 4 1 0
W
if cmp -s "$WT_TMP/fields" "$WT_TMP/fields.want"; then
	wt_pass "flows.txt: flags, interface, end reason, direction, ICMP type"
else
	wt_fail "flows.txt: fields differ:"
	diff "$WT_TMP/fields.want" "$WT_TMP/fields" | sed 's/^/# /'
fi

# refused: not flows, the history, a terminal
"$WIRETOP" export -r "$WT_TMP/flows.pcap" --what hosts --format ipfix \
    -o "$WT_TMP/h.ipfix" 2>"$WT_TMP/h.err"
rc=$?
wt_check "--what hosts --format ipfix is refused (exit 2): $rc" [ "$rc" = 2 ]
"$WIRETOP" export --db "$WT_TMP/none.db" --since 1d --format ipfix \
    -o "$WT_TMP/d.ipfix" 2>"$WT_TMP/d.err"
rc=$?
wt_check "export --db --format ipfix is refused (exit 2): $rc" [ "$rc" = 2 ]
wt_finish
