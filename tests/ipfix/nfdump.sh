#!/bin/sh
# tests/ipfix/nfdump.sh: wiretop's IPFIX read by a real collector, nfdump's
# nfcapd, on loopback (UDP: nfcapd 1.7 listens on UDP only).  For each
# capture (the fixture tests/ipfix/flows.txt, and captures of the corpus)
# `wiretop export -r CAPTURE --ipfix 127.0.0.1:PORT` sends the flows,
# nfcapd stores them, `nfdump -r FILE -o csv` reads them back, and every
# flow must be there as wiretop's own CSV export of the same capture
# has it: the 5-tuple, the originator's packets and IP bytes (nfdump's
# ipkt/ibyt) and the responder's (opkt/obyt: the RFC 5103 reverse
# counters), and the VLAN.  For the fixture the values are also the ones
# its text gives, and the TCP flags nfdump shows are the flags its
# packets carry (SYN, ACK, FIN; RST).
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init ipfix-nfdump
wt_need_wiretop
wt_need_pcapgen
wt_need_tool nfcapd nfdump python3
. "$WT_SRCDIR/tests/ipfix/common.sh"

# collect NAME CAPTURE: nfcapd on a fresh port, wiretop sends CAPTURE,
# nfdump's CSV lines of it in $WT_TMP/NAME.nf (proto src sport dst dport
# ipkt ibyt opkt obyt vlan), wiretop's own in $WT_TMP/NAME.wt.
collect() {
	_n=$1 _c=$2 _d=$WT_TMP/nf-$1
	mkdir -p "$_d"
	_p=$(wt_free_port udp)
	nfcapd -w "$_d" -b 127.0.0.1 -p "$_p" -t 3600 -B 8388608 \
	    -P "$_d/pid" >"$_d/nfcapd.log" 2>&1 &
	_i=0
	while ! grep -q 'Startup' "$_d/nfcapd.log" 2>/dev/null &&
	    [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if ! "$WIRETOP" export -r "$_c" --ipfix "127.0.0.1:$_p" \
	    -o "$WT_TMP/$_n.csv" 2>"$WT_TMP/$_n.err"; then
		wt_fail "$_n: export --ipfix failed: $(cat "$WT_TMP/$_n.err")"
	fi
	grep -q ' 0 not delivered' "$WT_TMP/$_n.err" ||
	    wt_fail "$_n: records not delivered: $(cat "$WT_TMP/$_n.err")"
	# let nfcapd read its socket, then stop it: it writes its file
	sleep 1
	wt_stop_pidfile "$_d/pid"
	_f=$(ls "$_d"/nfcapd.2* 2>/dev/null | head -n 1)
	[ -n "$_f" ] || { wt_fail "$_n: nfcapd wrote no file"; return 1; }
	nfdump -q -r "$_f" -o csv >"$WT_TMP/$_n.nfcsv" 2>"$WT_TMP/$_n.nferr" ||
	    wt_fail "$_n: nfdump -r failed: $(cat "$WT_TMP/$_n.nferr")"
	# nfdump's csv: ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,
	# obyt,in,out,...,svln (26); ICMP's dp is type.code: 0 here, as
	# wiretop's ports of ICMP are Zeek's (type, counterpart)
	awk -F, '$1 ~ /^[0-9]/ {
		p = $8; gsub(/ /, "", p)
		n = tolower(p)
		if (p == "TCP") n = 6
		if (p == "UDP") n = 17
		if (p == "ICMP") n = 1
		if (p == "ICMP6") n = 58
		sp = $6; dp = $7
		if (n == 1 || n == 58) { sp = 0; dp = 0 }
		print n, $4, sp, $5, dp, $12, $13, $14, $15, $26
	}' "$WT_TMP/$_n.nfcsv" | sort >"$WT_TMP/$_n.nf"
	python3 "$py" csv "$WT_TMP/$_n.csv" | cut -d' ' -f1-10 | sort \
	    >"$WT_TMP/$_n.wt"
}

collect fixture "$WT_TMP/flows.pcap"
ipfix_compare fixture nf nfdump
ipfix_fixture_want nf nfdump
# flags: the handshake, data and close flow shows SYN ACK FIN; the
# refused one the SYN its originator sent; the interface is source 1
flg=$(awk -F, '$6 == 40000 { print $9 }' "$WT_TMP/fixture.nfcsv")
wt_check "fixture: nfdump shows the flags of 10.0.0.1:40000 (...A..SF): '$flg'" \
    [ "$flg" = "...A..SF" ]
flg=$(awk -F, '$6 == 40001 { print $9 }' "$WT_TMP/fixture.nfcsv")
wt_check "fixture: nfdump shows the SYN of the refused flow: '$flg'" \
    [ "$flg" = "......S." ]
ins=$(awk -F, '$1 ~ /^[0-9]/ { print $16 }' "$WT_TMP/fixture.nfcsv" |
    sort -u)
wt_check "fixture: every flow came in on interface 1 (the first source): '$ins'" \
    [ "$ins" = 1 ]

# captures of the corpus: many flows, IPv4 and IPv6, VLANs
if [ -n "${WT_CORPUS:-}" ] && [ -d "$WT_CORPUS/real" ]; then
	for c in zeek_http-bro.org.pcap ndpi_iphone.pcap zeek_vlan-q-in-q.pcap \
	    zeek_icmp6.pcap; do
		[ -f "$WT_CORPUS/real/$c" ] || continue
		collect "${c%.*}" "$WT_CORPUS/real/$c"
		ipfix_compare "${c%.*}" nf nfdump
	done
else
	wt_missing "no corpus (WT_CORPUS): only the fixture was compared"
fi
wt_finish
