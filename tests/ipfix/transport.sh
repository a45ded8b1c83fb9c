#!/bin/sh
# tests/ipfix/transport.sh: IPFIX transports on loopback, read by
# tests/ipfix/ipfix.py (written from RFC 7011), since neither Debian
# collector takes TCP (nfcapd 1.7 and nfacctd 1.7 listen on UDP only).
# - TCP (tcp://127.0.0.1:PORT): a listener keeps the stream; its framing
#   (messages back to back, each its own length, templates first,
#   sequence numbers) checks and its records are wiretop's CSV flows.
# - UDP template refresh: with ipfix_template_refresh_messages = 2 the
#   templates come again at least every third message, and every
#   datagram is one whole message.
# - Records a collector does not take are counted, never lost silently:
#   UDP to a port where nothing listens (ECONNREFUSED) and TCP to one that
#   refuses the connection give "N not delivered" on stderr and exit 1,
#   and sent + not delivered = the flows.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init ipfix-transport
wt_need_wiretop
wt_need_pcapgen
wt_need_tool python3
. "$WT_SRCDIR/tests/ipfix/common.sh"
cap=$WT_TMP/flows.pcap
if [ -n "${WT_CORPUS:-}" ] && [ -f "$WT_CORPUS/real/ndpi_1kxun.pcap" ]; then
	cap=$WT_CORPUS/real/ndpi_1kxun.pcap	# 200 flows: many messages
else
	wt_missing "no corpus (WT_CORPUS): the fixture's 6 flows only"
fi
"$WIRETOP" export -r "$cap" -o "$WT_TMP/want.csv" 2>/dev/null ||
    wt_hard "export failed"
python3 "$py" csv "$WT_TMP/want.csv" | sort >"$WT_TMP/want"
nflows=$(wc -l <"$WT_TMP/want")

# --- TCP -----------------------------------------------------------------
# ready: wait until FILE exists (the listener made it)
ready() {
	_i=0
	while [ ! -f "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
p=$(wt_free_port tcp)
python3 "$py" tcp "$p" "$WT_TMP/tcp.bin" &
lpid=$!
ready "$WT_TMP/tcp.bin.ready"
"$WIRETOP" export -r "$cap" --ipfix "tcp://127.0.0.1:$p" -o /dev/null \
    2>"$WT_TMP/tcp.err"
rc=$?
wait "$lpid"
if [ "$rc" = 0 ] && grep -q " $nflows flow records sent.* 0 not delivered" \
    "$WT_TMP/tcp.err"; then
	wt_pass "tcp: export exits 0, everything delivered"
else
	wt_fail "tcp: export exit $rc: $(cat "$WT_TMP/tcp.err")"
fi
if python3 "$py" parse "$WT_TMP/tcp.bin" 2>"$WT_TMP/tcp.perr" | sort \
    >"$WT_TMP/tcp.got"; then
	if cmp -s "$WT_TMP/tcp.got" "$WT_TMP/want"; then
		wt_pass "tcp: the stream's $nflows records are the CSV's flows ($(cat "$WT_TMP/tcp.perr"))"
	else
		wt_fail "tcp: the stream's records differ from the CSV:"
		diff "$WT_TMP/want" "$WT_TMP/tcp.got" | head -n 10 | sed 's/^/# /'
	fi
else
	wt_fail "tcp: the stream is not IPFIX: $(cat "$WT_TMP/tcp.perr")"
fi

# --- UDP: template refresh -----------------------------------------------
p=$(wt_free_port udp)
printf 'ipfix_template_refresh_messages = 2\n' >"$WT_TMP/refresh.conf"
python3 "$py" udp "$p" "$WT_TMP/udp.bin" 1 &
lpid=$!
ready "$WT_TMP/udp.bin.ready"
"$WIRETOP" export -c "$WT_TMP/refresh.conf" -r "$cap" \
    --ipfix "127.0.0.1:$p" -o /dev/null 2>"$WT_TMP/udp.err" ||
    wt_fail "udp: export failed: $(cat "$WT_TMP/udp.err")"
wait "$lpid"
if python3 "$py" parse "$WT_TMP/udp.bin" --udp 2>"$WT_TMP/udp.perr" | sort \
    >"$WT_TMP/udp.got"; then
	wt_check "udp: every datagram is a message, the records are the CSV's flows" \
	    cmp -s "$WT_TMP/udp.got" "$WT_TMP/want"
	set -- $(cat "$WT_TMP/udp.perr")
	# messages M template_sets T: a template message, then at most 2
	# data messages before the next
	if [ "$4" -ge 2 ] && [ $(($2 - $4)) -le $((2 * $4)) ]; then
		wt_pass "udp: templates again every 2 messages ($2 messages, $4 template sets)"
	else
		wt_fail "udp: templates not refreshed every 2 messages ($2 messages, $4 template sets)"
	fi
else
	wt_fail "udp: not IPFIX: $(cat "$WT_TMP/udp.perr")"
fi

# --- what a collector does not take --------------------------------------
p=$(wt_free_port udp)
"$WIRETOP" export -r "$cap" --ipfix "127.0.0.1:$p" -o /dev/null \
    2>"$WT_TMP/refused.err"
rc=$?
line=$(grep 'IPFIX' "$WT_TMP/refused.err")
sent=$(echo "$line" | sed -n 's/.*: \([0-9]*\) flow records sent.*/\1/p')
lost=$(echo "$line" | sed -n 's/.* \([0-9]*\) not delivered.*/\1/p')
if [ "$rc" = 1 ] && [ "${lost:-0}" -gt 0 ] &&
    [ $((sent + lost)) = "$nflows" ]; then
	wt_pass "udp, nobody listening: counted, exit 1 ($line)"
else
	wt_fail "udp, nobody listening: exit $rc, not counted as expected ($line)"
fi
p=$(wt_free_port tcp)
"$WIRETOP" export -r "$cap" --ipfix "tcp://127.0.0.1:$p" -o /dev/null \
    2>"$WT_TMP/tcpdown.err"
rc=$?
line=$(grep 'IPFIX' "$WT_TMP/tcpdown.err")
if [ "$rc" = 1 ] &&
    echo "$line" | grep -q " 0 flow records sent.* $nflows not delivered"; then
	wt_pass "tcp, connection refused: all $nflows counted, exit 1 ($line)"
else
	wt_fail "tcp, connection refused: exit $rc ($line)"
fi
wt_finish
