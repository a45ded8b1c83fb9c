#!/bin/sh
# veth.sh: live sources on veth pairs in a network namespace (root only).
#
#   - An interface deleted during a live export of two interfaces ends
#     that source ("IF: interface disappeared ...", one stderr line, exit
#     0) while the other one goes on: it sees every datagram sent to it.
#   - The same interface given twice, or an interface and "any", is
#     opened once with one warning line: each datagram counts once.
# Counts come from the sender: N UDP datagrams to port 9999, and the
# filter "udp and port 9999" keeps anything else out.
# Environment (set by make check): WIRETOP, WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init veth
wt_need_wiretop
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up

# send N ADDR...: N datagrams to each ADDR, one every 50 ms
send() {
	_n=$1
	shift
	wt_ns_send "$_n" 50 "$@"
}

# packets of source I in a summary JSON file: pkts FILE I
pkts() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["sources"][int(sys.argv[2])]["packets"])' "$1" "$2" 2>/dev/null
}

# ---- an interface that disappears ------------------------------------
n0=$(wt_packet_sockets)
"$WIRETOP" export -i "$WT_IF0" -i "$WT_IF1" -f 'udp and port 9999' \
    --duration 6 --what summary --format json -o gone.json \
    --log gone.log 2>gone.err &
pid=$!
wt_wait_capture "$n0" 2
send 60 10.201.0.1 10.201.1.1 &
sender=$!
sleep 1.5
ip link del "$WT_IF0"
wait $sender
wait $pid
rc=$?
p0=$(pkts gone.json 0)
p1=$(pkts gone.json 1)
wt_check "deleted interface: export exit $rc (want 0)" [ "$rc" = 0 ]
if [ "$(wc -l <gone.err)" -eq 1 ] && grep -q \
    "^wiretop: $WT_IF0: interface disappeared after [0-9]* packets" gone.err
then
	wt_pass "deleted interface: one line on stderr"
else
	wt_fail "deleted interface: stderr: $(cat gone.err)"
fi
grep -q "warning: source 0 ($WT_IF0) ended: $WT_IF0: interface disappeared" \
    gone.log && wt_pass "deleted interface: the log says so" ||
    wt_fail "deleted interface: log: $(cat gone.log)"
if [ "${p1:-x}" = 60 ] && [ "${p0:-0}" -gt 0 ] && [ "${p0:-60}" -lt 60 ]; then
	wt_pass "the other interface went on: $p1 of 60 (deleted one: $p0)"
else
	wt_fail "after the delete: $WT_IF1 saw '$p1' of 60, $WT_IF0 '$p0'" \
	    "(want 60, and 1..59)"
fi

# ---- the same interface twice, and with any ---------------------------
for second in "$WT_IF1" any; do
	n0=$(wt_packet_sockets)
	"$WIRETOP" export -i "$WT_IF1" -i "$second" -f 'udp and port 9999' \
	    --duration 3 --what summary --format json -o dup.json \
	    2>dup.err &
	pid=$!
	wt_wait_capture "$n0" 1
	send 20 10.201.1.1
	wait $pid
	rc=$?
	n=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["sources"]), d["packets"])' dup.json 2>/dev/null)
	if [ "$rc" = 0 ] && [ "$n" = "1 20" ] &&
	    [ "$(wc -l <dup.err)" -eq 1 ] && grep -q warning dup.err; then
		wt_pass "-i $WT_IF1 -i $second: one source, 20 packets, a warning"
	else
		wt_fail "-i $WT_IF1 -i $second: exit $rc, sources+packets" \
		    "'$n' (want '1 20'), stderr: $(cat dup.err)"
	fi
done

wt_finish
