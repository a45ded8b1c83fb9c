#!/bin/sh
# prometheus.sh: /metrics is valid for Prometheus's own tools.
#
# promtool check metrics (Debian's prometheus package) passes on the
# text, with host labels and an alert in it.  Then a real Prometheus,
# started here on loopback (its own configuration, a 1 s scrape interval
# and its storage in the temporary directory), scrapes the daemon, and
# the counters are read back through its query API: after 20 datagrams
# of 500 bytes from 127.0.0.1 (the capture host's own address on lo,
# so transmitted) to 127.0.0.5, 20 frames of 14 + 20 + 8 + 500 = 542
# bytes: 20 and 10840.
# Needs root (capture on lo), python3 and prometheus.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init metrics-prometheus
wt_need_wiretop
wt_need_tool python3
wt_need_tool promtool
wt_need_tool prometheus
[ "$(id -u)" -eq 0 ] || wt_missing "needs root to capture on lo"
wt_need_sqlite3
. "$WT_SRCDIR/tests/metrics/lib.sh"
PROM=
PPORT=$((MT_PORT + 2))
cleanup() {
	[ -n "$PROM" ] && kill "$PROM" 2>/dev/null && wait "$PROM" 2>/dev/null
	vl_cleanup
}
trap cleanup EXIT

printf '[wiretop]\nmetrics_top_hosts = 3\n' > "$WT_TMP/w.conf"
mt_start -c "$WT_TMP/w.conf"
vl_send 127.0.0.1 127.0.0.5 20 500 "$MT_PORT"
# 3000 bytes: a large_packet alert in the text too
vl_send 127.0.0.1 127.0.0.5 1 3000 "$MT_PORT"
mt_wait_value wiretop_alerts_raised_total 'kind="large_packet"' 1 ||
    wt_fail "the large_packet alert is counted (read: ${MT_LAST:-nothing})"

$MT_PY get "$MT_URL" > "$WT_TMP/metrics" || wt_fail "GET /metrics"
if promtool check metrics < "$WT_TMP/metrics" > "$WT_TMP/promtool" 2>&1; then
	wt_pass "promtool check metrics passes"
else
	sed 's/^/    /' "$WT_TMP/promtool"
	wt_fail "promtool check metrics passes"
fi
wt_check "the text has host labels" grep -q '^wiretop_host_transmit_bytes_total{host="127.0.0.1"} ' "$WT_TMP/metrics"

mkdir "$WT_TMP/prom"
cat > "$WT_TMP/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: wiretop
    static_configs:
      - targets: ['127.0.0.1:$MT_MPORT']
YML
prometheus --config.file="$WT_TMP/prom/prometheus.yml" \
    --storage.tsdb.path="$WT_TMP/prom/data" \
    --web.listen-address="127.0.0.1:$PPORT" \
    > "$WT_TMP/prom/log" 2>&1 &
PROM=$!

# query EXPR: the value of the first result of an instant query, or
# nothing
query() {
	python3 - "http://127.0.0.1:$PPORT/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    with urllib.request.urlopen(url, timeout=5) as r:
        d = json.load(r)
    print(d["data"]["result"][0]["value"][1])
except Exception:
    pass
PY
}
# wait_query EXPR WANT: poll (0.5 s) for 60 s
wait_query() {
	_i=0
	while [ $_i -lt 120 ]; do
		got=$(query "$1")
		[ "$got" = "$2" ] && return 0
		kill -0 "$PROM" 2>/dev/null || return 1
		sleep 0.5
		_i=$((_i + 1))
	done
	return 1
}
qcheck() {
	if wait_query "$1" "$2"; then
		wt_pass "Prometheus: $1 = $2"
	else
		wt_fail "Prometheus: $1 = $2 (read: ${got:-nothing})"
	fi
}
qcheck 'up{job="wiretop"}' 1
qcheck 'wiretop_source_transmit_packets_total{source="lo",job="wiretop"}' 21
qcheck 'wiretop_source_transmit_bytes_total{source="lo"}' $((20 * 542 + 3042))
qcheck 'wiretop_host_receive_bytes_total{host="127.0.0.5"}' $((20 * 542 + 3042))
qcheck 'wiretop_alerts_raised_total{kind="large_packet"}' 1
qcheck 'scrape_samples_scraped{job="wiretop"}' \
    "$(grep -vc '^#' "$WT_TMP/metrics")"
if ! kill -0 "$PROM" 2>/dev/null; then
	sed 's/^/    /' "$WT_TMP/prom/log" | tail -20
fi
mt_stop_clean
wt_finish
