#!/bin/sh
# counters.sh: /metrics counts what was sent.
#
# The daemon captures lo (only this test's UDP port) with /metrics on
# another port.  Each datagram of S bytes is one frame of 14 + 20 + 8 + S
# bytes on lo, captured once.  127.0.0.1 is the capture host's own
# address on lo, so what it sends is transmitted (tx) and what it gets
# from any other address is received (rx):
#   A: 127.0.0.1 -> 127.0.0.4, 50 x 100 bytes: tx 50 frames, 50 x 142 = 7100
#   B: 127.0.0.2 -> 127.0.0.1, 30 x 200 bytes: rx 30 frames, 30 x 242 = 7260
#   C: 127.0.0.3 -> 127.0.0.1, 10 x 300 bytes: rx 10 frames, 10 x 342 = 3420
# so tx 50 / 7100, rx 40 / 10680; 3 flows, 4 hosts.  With
# metrics_top_hosts = 2 only the two busiest hosts are labelled:
# 127.0.0.1 (in 10680 / 40, out 7100 / 50) and 127.0.0.2 (out 7260), not
# 127.0.0.4 (in 7100) nor 127.0.0.3 (out 3420).  udp_timeout = 1 ends the
# flows a second after their last datagram: 3 flow rows written, no flow
# left.  Then D: 127.0.0.1 -> 127.0.0.4, 3 x 3000 bytes (3042 on the
# wire, above large_packet_bytes 1600): tx 53 / 16226, a fourth flow, one
# large_packet alert raised and active.
# Needs root (capture on lo) and python3.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init metrics-counters
wt_need_wiretop
wt_need_tool python3
[ "$(id -u)" -eq 0 ] || wt_missing "needs root to capture on lo"
wt_need_sqlite3
. "$WT_SRCDIR/tests/metrics/lib.sh"
trap vl_cleanup EXIT

printf '[wiretop]\nudp_timeout = 1\nmetrics_top_hosts = 2\n' > "$WT_TMP/w.conf"
t0=$(date +%s)
mt_start -c "$WT_TMP/w.conf"
t1=$(date +%s)

wt_check "GET /metrics answers 200" sh -c "$MT_PY get '$MT_URL' >/dev/null"
wt_check "the source is up" mt_wait_value wiretop_source_up 'source="lo"' 1
v=$($MT_PY value "$MT_URL" wiretop_start_time_seconds)
wt_check "start time $v is between $t0 and $t1 + 1" \
    awk -v v="$v" -v a="$t0" -v b="$t1" 'BEGIN{exit !(v >= a && v <= b + 1)}'
ver=$("$WIRETOP" --version | awk '{print $2}')
wt_check "build_info names version $ver" sh -c "$MT_PY get '$MT_URL' |
    grep -q '^wiretop_build_info{version=\"$ver\",libmicrohttpd=\"[0-9.]*\"} 1\$'"

vl_send 127.0.0.1 127.0.0.4 50 100 "$MT_PORT"
vl_send 127.0.0.2 127.0.0.1 30 200 "$MT_PORT"
vl_send 127.0.0.3 127.0.0.1 10 300 "$MT_PORT"

check() {
	_s=$1${2:+\{$2\}}
	if mt_wait_value "$1" "$2" "$3"; then
		wt_pass "$_s is $3"
	else
		wt_fail "$_s is $3 (read: ${MT_LAST:-nothing})"
	fi
}
check wiretop_source_transmit_packets_total 'source="lo"' 50
check wiretop_source_transmit_bytes_total 'source="lo"' 7100
check wiretop_source_receive_packets_total 'source="lo"' 40
check wiretop_source_receive_bytes_total 'source="lo"' 10680
for r in kernel interface ring; do
	check wiretop_source_drops_total "source=\"lo\",reason=\"$r\"" 0
done
for k in truncated invalid unsupported; do
	check wiretop_source_decode_problems_total "source=\"lo\",kind=\"$k\"" 0
done
check wiretop_flows_created_total '' 3
check wiretop_hosts_created_total '' 4
check wiretop_hosts '' 4
check wiretop_host_receive_bytes_total 'host="127.0.0.1"' 10680
check wiretop_host_receive_packets_total 'host="127.0.0.1"' 40
check wiretop_host_transmit_bytes_total 'host="127.0.0.1"' 7100
check wiretop_host_transmit_packets_total 'host="127.0.0.1"' 50
check wiretop_host_transmit_bytes_total 'host="127.0.0.2"' 7260
check wiretop_host_receive_bytes_total 'host="127.0.0.2"' 0
$MT_PY get "$MT_URL" > "$WT_TMP/m1"
wt_check "two hosts labelled (metrics_top_hosts = 2)" \
    [ "$(grep -c '^wiretop_host_receive_bytes_total{' "$WT_TMP/m1")" -eq 2 ]
wt_check "127.0.0.3 and 127.0.0.4 are not labelled" \
    sh -c "! grep -q '127\\.0\\.0\\.[34]' '$WT_TMP/m1'"
# the flows end (udp_timeout) and the store writes them
check wiretop_flows '' 0
check wiretop_store_rows_written_total 'table="flows"' 3
check wiretop_flows_evicted_total '' 0
check wiretop_store_degraded '' 0
v=$(mt_value wiretop_store_rows_written_total 'table="samples"')
wt_check "per-second samples are written ($v)" [ "${v:-0}" -gt 0 ]

check wiretop_alerts_raised_total 'kind="large_packet"' 0
vl_send 127.0.0.1 127.0.0.4 3 3000 "$MT_PORT"
check wiretop_source_transmit_packets_total 'source="lo"' 53
check wiretop_source_transmit_bytes_total 'source="lo"' 16226
check wiretop_alerts_raised_total 'kind="large_packet"' 1
check wiretop_alerts_active 'kind="large_packet"' 1
check wiretop_alerts_active 'kind="port_scan"' 0
check wiretop_flows_created_total '' 4
check wiretop_store_rows_written_total 'table="flows"' 4

mt_stop_clean
wt_finish
