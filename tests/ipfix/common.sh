# tests/ipfix/common.sh: what the IPFIX tests share, sourced after
# tests/lib.sh's wt_init and wt_need_pcapgen.
#
# $py is tests/ipfix/ipfix.py.  The fixture, tests/ipfix/flows.txt, is
# built into $WT_TMP/flows.pcap; its flows as the collectors' comparison
# lines give them (proto src sport dst dport pkts bytes rpkts rbytes
# vlan) are tests/ipfix/flows.want, derived by hand from flows.txt (its
# comments say how).
py=$WT_SRCDIR/tests/ipfix/ipfix.py	# the RFC 7011 reader
"$pcapgen" -o "$WT_TMP/flows.pcap" "$WT_SRCDIR/tests/ipfix/flows.txt" \
    >/dev/null || wt_hard "pcapgen failed"

# ipfix_compare NAME EXT COLLECTOR: $WT_TMP/NAME.wt (wiretop's own CSV of
# the capture, as comparison lines) against $WT_TMP/NAME.EXT (what
# COLLECTOR read), flow by flow.
ipfix_compare() {
	_nw=$(wc -l <"$WT_TMP/$1.wt")
	_nc=$(wc -l <"$WT_TMP/$1.$2")
	if [ "$_nw" -gt 0 ] && cmp -s "$WT_TMP/$1.wt" "$WT_TMP/$1.$2"; then
		wt_pass "$1: $3 reads the $_nw flows of wiretop's CSV"
		return 0
	fi
	wt_fail "$1: $3 has $_nc flows, wiretop's CSV $_nw:"
	diff "$WT_TMP/$1.wt" "$WT_TMP/$1.$2" | head -n 20 | sed 's/^/# /'
	return 1
}

# ipfix_fixture_want EXT COLLECTOR: $WT_TMP/fixture.EXT holds the
# fixture's flows with the numbers flows.txt gives.
ipfix_fixture_want() {
	sort "$WT_SRCDIR/tests/ipfix/flows.want" >"$WT_TMP/fixture.want"
	if cmp -s "$WT_TMP/fixture.want" "$WT_TMP/fixture.$1"; then
		wt_pass "fixture: $2's counters are the ones flows.txt gives"
	else
		wt_fail "fixture: $2 differs from flows.txt:"
		diff "$WT_TMP/fixture.want" "$WT_TMP/fixture.$1" |
		    sed 's/^/# /'
	fi
}
