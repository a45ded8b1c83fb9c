#!/bin/sh
# tests/ipfix/pmacct.sh: wiretop's IPFIX read by pmacct's nfacctd on
# loopback (UDP; nfacctd 1.7 has no TCP listener).  nfacctd aggregates
# by the 5-tuple, VLAN and input interface, and reads the RFC 5103
# reverse counters (enterprise 29305, elements 1 and 2) as two custom
# primitives (aggregate_primitives); its print plugin writes CSV.  Every
# flow of wiretop's own CSV export of the same capture must be there with
# the originator's packets and IP bytes and the responder's.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init ipfix-pmacct
wt_need_wiretop
wt_need_pcapgen
wt_need_tool nfacctd python3
. "$WT_SRCDIR/tests/ipfix/common.sh"

# collect NAME CAPTURE: nfacctd's lines in $WT_TMP/NAME.pm, wiretop's in
# $WT_TMP/NAME.wt (proto src sport dst dport pkts bytes rpkts rbytes
# vlan).
collect() {
	_n=$1 _c=$2 _d=$WT_TMP/pm-$1
	mkdir -p "$_d"
	chmod 777 "$_d"
	_p=$(wt_free_port udp)
	cat >"$_d/prim.map" <<P
name=rev_bytes field_type=29305:1 len=8 semantics=u_int
name=rev_pkts field_type=29305:2 len=8 semantics=u_int
P
	cat >"$_d/nfacctd.conf" <<C
daemonize: false
pidfile: $_d/pid
nfacctd_ip: 127.0.0.1
nfacctd_port: $_p
nfacctd_pipe_size: 8388608
aggregate_primitives: $_d/prim.map
plugins: print
aggregate: src_host, dst_host, src_port, dst_port, proto, vlan, in_iface, rev_bytes, rev_pkts
print_output: csv
print_output_file: $_d/out.csv
print_refresh_time: 1
C
	nfacctd -f "$_d/nfacctd.conf" >"$_d/log" 2>&1 &
	_pid=$!
	_i=0
	# the core listens and the print plugin has its cache
	while ! { grep -q 'waiting for NetFlow/IPFIX data' "$_d/log" &&
	    grep -q 'cache entries' "$_d/log"; } 2>/dev/null &&
	    [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	# the core can take a datagram before its plugin listens to it
	# (it then never reaches the output): give them a moment
	sleep 1
	"$WIRETOP" export -r "$_c" --ipfix "127.0.0.1:$_p" \
	    -o "$WT_TMP/$_n.csv" 2>"$WT_TMP/$_n.err" ||
	    wt_fail "$_n: export --ipfix failed: $(cat "$WT_TMP/$_n.err")"
	python3 "$py" csv "$WT_TMP/$_n.csv" | cut -d' ' -f1-10 | sort \
	    >"$WT_TMP/$_n.wt"
	_want=$(wc -l <"$WT_TMP/$_n.wt")
	# the print plugin writes its cache every second: wait for all
	_i=0
	while [ $_i -lt 100 ]; do
		[ -f "$_d/out.csv" ] &&
		    [ $(($(wc -l <"$_d/out.csv") - 1)) -ge "$_want" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	# stop the core and its plugin (both started here; the file is
	# written): the core does not end on SIGTERM
	kill -9 "$_pid" $(cat "$_d"/pid-print-* 2>/dev/null) 2>/dev/null
	wait "$_pid" 2>/dev/null
	# VLAN,IN_IFACE,SRC_IP,DST_IP,SRC_PORT,DST_PORT,PROTOCOL,rev_bytes,
	# rev_pkts,PACKETS,BYTES
	awk -F, 'NR > 1 {
		p = $7
		if (p == "tcp") p = 6
		if (p == "udp") p = 17
		if (p == "icmp") p = 1
		if (p == "ipv6-icmp" || p == "icmp6") p = 58
		print p, $3, $5, $4, $6, $10, $11, $9, $8, $1
	}' "$_d/out.csv" 2>/dev/null | sort >"$WT_TMP/$_n.pm"
}

# compare NAME: flow by flow, and nfacctd's log when they differ.
compare() {
	ipfix_compare "$1" pm nfacctd ||
	    tail -n 8 "$WT_TMP/pm-$1/log" | sed 's/^/# nfacctd: /'
}

# collect2 NAME CAPTURE: collect, and once more with a fresh nfacctd if
# it output nothing at all (a collector that lost the datagrams while
# starting, seen on a loaded machine; wiretop's records are the same
# both times, and the second must then match).
collect2() {
	collect "$1" "$2"
	if [ ! -s "$WT_TMP/$1.pm" ]; then
		wt_log "$1: nfacctd output nothing: once more"
		rm -rf "$WT_TMP/pm-$1"
		collect "$1" "$2"
	fi
}

collect2 fixture "$WT_TMP/flows.pcap"
compare fixture
ipfix_fixture_want pm nfacctd
if [ -n "${WT_CORPUS:-}" ] && [ -d "$WT_CORPUS/real" ]; then
	# captures whose 5-tuples are unique (nfacctd sums equal keys)
	for c in zeek_http-bro.org.pcap zeek_vlan-q-in-q.pcap zeek_ssh.pcap; do
		[ -f "$WT_CORPUS/real/$c" ] || continue
		collect2 "${c%.*}" "$WT_CORPUS/real/$c"
		compare "${c%.*}"
	done
else
	wt_missing "no corpus (WT_CORPUS): only the fixture was compared"
fi
wt_finish
