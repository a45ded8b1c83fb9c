#!/bin/sh
# hostile.sh: slow and hostile HTTP clients cannot stall capture or
# exhaust the daemon's memory.
#
# The daemon captures lo (this test's UDP port) with /metrics on
# 127.0.0.1.  The attackers come from other loopback addresses (127/8 is
# all loopback) while the test scrapes from 127.0.0.1, and during each
# attack the test sends datagrams from 127.0.0.1 to 127.0.0.6 (transmitted
# frames of 14 + 20 + 8 + S bytes, see counters.sh):
#   1. 1,000 connections at once from 127.0.0.2, held silent for 12 s:
#      beyond the per-address limit (8) they are closed at once, and a
#      scrape from 127.0.0.1 answers within 5 s while they are held;
#      100 x 100 bytes sent meanwhile.
#   2. 1,000 connections from 250 addresses (127.1.0.0/16), held for 8 s:
#      they fill the connection limit (64), so a scrape may be refused
#      while they last; 100 x 200 bytes sent meanwhile, and once they go
#      a scrape answers within 15 s and counts them.
#   3. slowloris: 20 connections from 127.0.0.3 send a request's headers
#      a byte a second for 14 s (past the 10 s idle timeout); a scrape
#      answers within 5 s meanwhile; 100 x 300 bytes sent meanwhile.
#      Then 80 such connections from 10 addresses (127.0.3.1-10, 8
#      each: the per-address limit) for 16 s: they take every one of the
#      64 places, so a scrape 2 s in gets no answer within 1 s; but a
#      request has 5 s (metrics.c, METRICS_REQUEST_S), so the scrape
#      waiting behind them answers within 8 s while they trickle on,
#      and none of the 80 is still open at the end.
#   4. 16 requests at once, from 16 addresses, with a 1 MB URL (8) or a
#      1 MB header (8): each is answered 414 or 431, or closed, never
#      buffered; 100 x 400 bytes sent meanwhile.
# Capture goes on throughout: after it all the transmitted counters are
# exactly 400 frames and 100 x (142 + 242 + 342 + 442) = 116800 bytes,
# and nothing was dropped.  VmRSS never grows more than 4 MiB over its
# value before the attacks: the limits allow 64 connections of 16 KiB
# (1 MiB), while the 16 oversized requests alone would be 16 MiB if they
# were kept.  The daemon exits 0 on TERM.
# Needs root (capture on lo) and python3.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init metrics-hostile
wt_need_wiretop
wt_need_tool python3
[ "$(id -u)" -eq 0 ] || wt_missing "needs root to capture on lo"
wt_need_sqlite3
. "$WT_SRCDIR/tests/metrics/lib.sh"
trap vl_cleanup EXIT

# An AddressSanitizer build (make check's sanitizer run) keeps freed
# memory in a quarantine, 256 MiB by default: with none, what the daemon
# holds is what it uses.  (The setting means nothing to other builds.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
export ASAN_OPTIONS
mt_start
$MT_PY get "$MT_URL" >/dev/null || wt_fail "a first scrape answers"
rss0=$(mt_rss "$VL_DAEMON")
rss_max=$rss0
rss_note() {
	_r=$(mt_rss "$VL_DAEMON")
	[ -n "$_r" ] && [ "$_r" -gt "$rss_max" ] && rss_max=$_r
}

# 1: many connections from one address
$MT_PY hold 127.0.0.2 -- 127.0.0.1 "$MT_MPORT" 1000 12 > "$WT_TMP/hold1" &
atk=$!
sleep 3
rss_note
wt_check "1,000 connections from one address: a scrape from another answers within 5 s" \
    $MT_PY answers "$MT_URL" 5
vl_send 127.0.0.1 127.0.0.6 100 100 "$MT_PORT"
rss_note
wait $atk
wt_log "phase 1: $(cat "$WT_TMP/hold1") connections made"

# 2: many connections from many addresses: the connection limit
srcs=$(awk 'BEGIN{for (i = 0; i < 250; i++) printf "127.1.%d.%d ", int(i / 200), i % 200 + 1}')
# shellcheck disable=SC2086
$MT_PY hold $srcs -- 127.0.0.1 "$MT_MPORT" 1000 8 > "$WT_TMP/hold2" &
atk=$!
sleep 3
rss_note
vl_send 127.0.0.1 127.0.0.6 100 200 "$MT_PORT"
rss_note
wait $atk
wt_log "phase 2: $(cat "$WT_TMP/hold2") connections made"
wt_check "once the 1,000 connections go, a scrape answers within 15 s" \
    mt_wait_value wiretop_source_transmit_packets_total 'source="lo"' 200 15

# 3: slowloris
$MT_PY slowloris 127.0.0.3 127.0.0.1 "$MT_MPORT" 20 14 > "$WT_TMP/slow" &
atk=$!
sleep 3
rss_note
wt_check "slowloris from one address: a scrape from another answers within 5 s" \
    $MT_PY answers "$MT_URL" 5
vl_send 127.0.0.1 127.0.0.6 100 300 "$MT_PORT"
rss_note
wait $atk
wt_log "phase 3: $(cat "$WT_TMP/slow") slow connections still open after 14 s (the limit per address is 8)"
wt_check "slowloris holds no more than 8 connections" [ "$(cat "$WT_TMP/slow")" -le 8 ]
srcs=127.0.3.1,127.0.3.2,127.0.3.3,127.0.3.4,127.0.3.5,127.0.3.6,127.0.3.7,127.0.3.8,127.0.3.9,127.0.3.10
$MT_PY slowloris $srcs 127.0.0.1 "$MT_MPORT" 80 16 > "$WT_TMP/slow80" &
atk=$!
sleep 2
rss_note
if $MT_PY answers "$MT_URL" 1; then
	wt_fail "80 slowloris connections from 10 addresses: a scrape answered at once (the attack did not fill the 64 places)"
else
	wt_pass "80 slowloris connections from 10 addresses fill the 64 places: no answer within 1 s"
fi
t0=$(date +%s)
wt_check "80 slowloris connections: a scrape answers within 8 s while they trickle" \
    $MT_PY answers "$MT_URL" 8
wt_log "phase 3, 80 connections: the scrape waited $(($(date +%s) - t0)) s"
rss_note
wait $atk
wt_check "80 slowloris connections: none still open after 16 s (read: $(cat "$WT_TMP/slow80"))" \
    [ "$(cat "$WT_TMP/slow80")" = 0 ]

# 4: oversized requests
pids=
i=1
while [ $i -le 16 ]; do
	where=url
	[ $i -gt 8 ] && where=header
	$MT_PY big "127.0.2.$i" 127.0.0.1 "$MT_MPORT" $where 1000000 \
	    > "$WT_TMP/big.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
vl_send 127.0.0.1 127.0.0.6 100 400 "$MT_PORT"
rss_note
# shellcheck disable=SC2086
wait $pids
rss_note
cat "$WT_TMP"/big.* > "$WT_TMP/big"
wt_log "phase 4 answers: $(sort "$WT_TMP/big" | uniq -c | tr '\n' ' ')"
wt_check "16 oversized requests: each answered 414 or 431, or closed" \
    [ "$(grep -cE '^(414|431|closed)$' "$WT_TMP/big")" -eq 16 ]

wt_check "capture went on: 400 frames transmitted" \
    mt_wait_value wiretop_source_transmit_packets_total 'source="lo"' 400 15
wt_check "capture went on: 116800 bytes transmitted" \
    mt_wait_value wiretop_source_transmit_bytes_total 'source="lo"' 116800 15
for r in kernel interface ring; do
	wt_check "no $r drops" \
	    mt_wait_value wiretop_source_drops_total "source=\"lo\",reason=\"$r\"" 0 5
done
rss_note
wt_log "VmRSS: $rss0 KiB before the attacks, at most $rss_max KiB during"
wt_check "VmRSS grew at most 4 MiB ($rss0 -> $rss_max KiB)" \
    [ $((rss_max - rss0)) -le 4096 ]
mt_stop_clean
wt_finish
