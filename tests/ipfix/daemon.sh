#!/bin/sh
# tests/ipfix/daemon.sh: the daemon with ipfix_collector, on a veth pair in
# a namespace (root only), the collector a UDP listener on 127.0.0.1
# (tests/ipfix/ipfix.py, written from RFC 7011).
#   - 40 UDP datagrams of 100 bytes from 10.201.0.2:40000 to
#     10.201.0.1:9999 are one flow; udp_timeout = 1 ends it while the
#     daemon runs: the collector gets one record of 40 packets and
#     40 * 128 = 5120 IP bytes, and SIGUSR1 logs the IPFIX line (up,
#     1 flow record, 1 sent, 0 not delivered);
#   - with a collector port where nothing listens, the records are counted
#     as not delivered in the USR1 line and the last one, never dropped
#     silently.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init ipfix-daemon
wt_need_wiretop
wt_need_tool python3
py=$WT_SRCDIR/tests/ipfix/ipfix.py
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up

# send N: N datagrams of one flow, 10.201.0.2:40000 to 10.201.0.1:9999
# (tests/live/netns.sh), 5 ms apart
send() {
	wt_ns_flow "$1" 5
}
filter='udp and src host 10.201.0.2 and dst port 9999'
# run NAME PORT: a daemon sending to 127.0.0.1:PORT; 40 datagrams; wait
# for the flow to end (udp_timeout 1 s, the daemon ticks on idle); USR1.
run() {
	cat >"$1.conf" <<CONF
udp_timeout = 1
ipfix_collector = 127.0.0.1:$2
CONF
	chmod 644 "$1.conf"
	n0=$(wt_packet_sockets)
	"$WIRETOP" daemon -c "$1.conf" -i "$WT_IF0" -f "$filter" \
	    --db "$WT_TMP/$1/history.db" --log "$1.log" 2>"$1.err" &
	dpid=$!
	WT_PIDS="$WT_PIDS $dpid"
	wt_wait_capture "$n0" 1
	wt_wait_log "$1.log" "IPFIX: flow records to udp 127.0.0.1:$2" ||
	    wt_fail "$1: the daemon did not start: $(cat "$1.log" "$1.err")"
	send 40
	# the flow ends after udp_timeout (1 s) on an idle tick, and its
	# message goes out when it has waited a second: USR1 until the
	# record is counted (sent or not delivered), at most 10 s
	i=0
	while [ $i -lt 20 ]; do
		sleep 0.5
		kill -USR1 "$dpid"
		wt_wait_log "$1.log" \
		    "IPFIX udp 127.0.0.1:$2: .* \(1 sent\|1 not delivered\)" 5 &&
		    break
		i=$((i + 1))
	done
	wt_wait_log "$1.log" "IPFIX udp 127.0.0.1:$2: " ||
	    wt_fail "$1: no IPFIX line after USR1: $(tail -n 5 "$1.log")"
	kill -TERM "$dpid"
	wait "$dpid"
}

# ---- a collector --------------------------------------------------------
port=$(wt_free_port udp)
python3 "$py" udp "$port" "$WT_TMP/got.bin" 2 &
lpid=$!
i=0
while [ ! -f "$WT_TMP/got.bin.ready" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
WT_PIDS="$WT_PIDS $lpid"
run up "$port"
wait "$lpid"
got=$(python3 "$py" parse "$WT_TMP/got.bin" --udp 2>"$WT_TMP/perr" |
    cut -d' ' -f1-9)
wt_check "the collector got the flow: '$got'" \
    [ "$got" = "17 10.201.0.2 40000 10.201.0.1 9999 40 5120 0 0" ]
line=$(grep "IPFIX udp 127.0.0.1:$port: .* 1 sent" up.log | head -n 1)
if echo "$line" | grep -q ': up; 1 flow records, 1 sent in 2 messages, 0 not delivered'; then
	wt_pass "USR1: the IPFIX line counts the record sent (templates, then data: 2 messages)"
else
	wt_fail "USR1: IPFIX line: '$line'"
fi

# ---- nobody listening ---------------------------------------------------
port=$(wt_free_port udp)
run down "$port"
line=$(grep "IPFIX udp 127.0.0.1:$port: .* 1 not delivered" down.log | head -n 1)
# the templates' message goes (the port unreachable comes back), the
# data's send then fails
if echo "$line" | grep -q ': up; 1 flow records, 0 sent in [01] messages, 1 not delivered (collector over capacity or unreachable); last error: send: Connection refused'; then
	wt_pass "nobody listening: the record is counted as not delivered ($line)"
else
	wt_fail "nobody listening: IPFIX line: '$line'"
fi
wt_finish
