#!/bin/sh
# rollup.sh: the history database's rollups and retention boundaries,
# read with the sqlite3 CLI.  retention.sh checks which rows each tier
# keeps for packets 7 s apart; this test checks the sums behind the rows
# and the exact edge of every limit.
#
# Two captures written here for pcapgen (base 1699999200, 22:00 UTC, so
# the 4 hours cross midnight), imported together (two sources):
#   one.pcap: A: a 52-byte UDP frame every second, offsets 0..14400;
#             D: two 52-byte UDP flows of one frame at 12599.999 and
#             12600.000 (the edge of retention_flows below);
#   two.pcap: B: a 92-byte UDP frame every 3 s from 0.5 (4800 frames);
#             C: a 154-byte TCP segment every 10 s from 0.25 (1441).
# Checks, with the default retention (nothing is old enough to go):
#   - per-second packets and bytes of each source = the construction;
#   - every samples_min row = the sum of its samples_sec rows, every
#     samples_hour row = the sum of its samples_min rows (per source, all
#     six counters), and no second is without its minute and hour;
#   - host_day = the sum of host_hour per day and address, service_day =
#     the sum of service_hour per day and service (every column).
# Then again into a new database with retention_seconds 600,
# retention_minutes 3600, retention_hours 7200, retention_flows 1800: the
# newest second is 1700013600 (offset 14400), so each limit falls on a
# row (second 1700013000, minute 1700010000, hour and day 1700006400,
# flow start 1700011800.000000): that row is the oldest left, the row
# before it (which the first database holds) is gone, and every row at
# or after the edge is exactly the first database's row.
# Reads the databases as wiretop does (`wiretop db sql`).
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-rollup
wt_need_wiretop
wt_need_tool awk comm
wt_need_pcapgen

cat >"$WT_TMP/one.txt" <<'EOF'
base 1699999200
linktype ether
0.000 udp 10.0.0.1:1000 > 10.0.0.2:53 len=10 rep=14401 dt=1
12599.999 udp 10.0.0.7:3000 > 10.0.0.8:9999 len=10
12600.000 udp 10.0.0.7:3001 > 10.0.0.8:9999 len=10
EOF
cat >"$WT_TMP/two.txt" <<'EOF'
base 1699999200
linktype ether
0.500 udp 10.0.0.3:2000 > 10.0.0.4:123 len=50 rep=4800 dt=3
0.250 tcp 10.0.0.1:40000 > 10.0.0.5:443 A len=100 rep=1441 dt=10
EOF
for f in one two; do
	"$pcapgen" -o "$WT_TMP/$f.pcap" "$WT_TMP/$f.txt" ||
	    wt_hard "pcapgen $f.txt failed"
done
db=$WT_TMP/all.db
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import --db "$db" "$WT_TMP/one.pcap" \
    "$WT_TMP/two.pcap" 2>"$WT_TMP/err"
wt_check "import of two captures: exit 0: $(cat "$WT_TMP/err")" [ $? -eq 0 ]

q() {
	"$WIRETOP" db --db "$1" sql "$2" | tr '|' ' '
}

# ---- per-second counts: the construction ------------------------------
awk 'BEGIN {
	b = 1699999200
	for (s = 0; s <= 14400; s++) { p1[s] += 1; y1[s] += 52 }
	p1[12599] += 1; y1[12599] += 52; p1[12600] += 1; y1[12600] += 52
	for (i = 0; i < 4800; i++) { p2[i * 3] += 1; y2[i * 3] += 92 }
	for (i = 0; i <= 1440; i++) { p2[i * 10] += 1; y2[i * 10] += 154 }
	for (s in p1) print "one", b + s, p1[s], y1[s]
	for (s in p2) print "two", b + s, p2[s], y2[s]
}' | LC_ALL=C sort >"$WT_TMP/want"
q "$db" "select case when source like '%one.pcap' then 'one' else 'two' end,
    ts, rx_pkts + tx_pkts, rx_bytes + tx_bytes from samples_sec" |
    LC_ALL=C sort >"$WT_TMP/got"
if cmp -s "$WT_TMP/want" "$WT_TMP/got"; then
	wt_pass "samples_sec: packets and bytes of each source in each second = the construction ($(wc -l <"$WT_TMP/want") rows)"
else
	wt_fail "samples_sec differs from the construction"
	diff "$WT_TMP/want" "$WT_TMP/got" | head -6 | sed 's/^/#   /'
fi

# ---- rollups: each tier is the sum of the one below -------------------
# rollup_check DESC UPPER LOWER STEP: rows of UPPER that differ from the
# sums of LOWER's rows in their STEP, and groups of LOWER with no UPPER
# row; both must be 0.
rollup_check() {
	bad=$(q "$db" "
	    with s as (select ts - ts % $4 as t, source, sum(rx_bytes) rb,
	        sum(tx_bytes) tb, sum(rx_pkts) rp, sum(tx_pkts) tp,
	        sum(drops) d, sum(decode_errors) e from $3 group by t, source)
	    select (select count(*) from $2 u left join s on s.t = u.ts and
	        s.source = u.source where s.t is null or u.rx_bytes != s.rb or
	        u.tx_bytes != s.tb or u.rx_pkts != s.rp or u.tx_pkts != s.tp or
	        u.drops != s.d or u.decode_errors != s.e),
	    (select count(*) from s where not exists (select 1 from $2 u
	        where u.ts = s.t and u.source = s.source)),
	    (select count(*) from $2)")
	set -- "$1" $bad
	[ "$2" = 0 ] && [ "$3" = 0 ] && [ "$4" -gt 0 ]
	wt_check "$1: $4 rows, $2 differ from their sums, $3 sums without a row" \
	    [ $? -eq 0 ]
}
rollup_check "samples_min = sum of samples_sec (per source, per minute)" \
    samples_min samples_sec 60
rollup_check "samples_hour = sum of samples_min (per source, per hour)" \
    samples_hour samples_min 3600
n=$(q "$db" "select count(distinct source) from samples_hour")
wt_check "samples come from 2 sources (got $n)" [ "$n" = 2 ]
n=$(q "$db" "select count(*) from samples_hour where source like '%one.pcap'")
wt_check "source one has 5 hours (22:00 to 02:00; got $n)" [ "$n" = 5 ]

# day_check DESC DAY HOUR KEY COLS...: every DAY row = the sum of its
# HOUR rows, and every day of HOUR has its row.
day_check() {
	desc=$1 day=$2 hour=$3 key=$4
	shift 4
	sums= cmp=
	for c in "$@"; do
		sums="$sums, sum($c) as $c"
		cmp="$cmp or d.$c != h.$c"
	done
	bad=$(q "$db" "
	    with h as (select ts - ts % 86400 as t, $key$sums from $hour
	        group by t, $key)
	    select (select count(*) from $day d left join h on h.t = d.ts and
	        h.$key = d.$key where h.t is null$cmp),
	    (select count(*) from h where not exists (select 1 from $day d
	        where d.ts = h.t and d.$key = h.$key)),
	    (select count(*) from $day), (select count(distinct ts) from $day)")
	set -- $bad
	[ "$1" = 0 ] && [ "$2" = 0 ] && [ "$3" -gt 0 ] && [ "$4" = 2 ]
	wt_check "$desc: $3 rows over $4 days, $1 differ from their sums, $2 sums without a row" \
	    [ $? -eq 0 ]
}
day_check "host_day = sum of host_hour (per address, per UTC day)" \
    host_day host_hour addr bytes_in bytes_out pkts_in pkts_out flows
day_check "service_day = sum of service_hour (per service, per UTC day)" \
    service_day service_hour service bytes pkts flows
# and the hosts' totals are the frames of the construction: 10.0.0.1
# sends A (14401 x 52 bytes) and C (1441 x 154)
got=$(q "$db" "select sum(bytes_out), sum(pkts_out) from host_day
    where addr = '10.0.0.1'")
wt_check "10.0.0.1 sent $((14401 * 52 + 1441 * 154)) bytes in $((14401 + 1441)) frames over both days (got $got)" \
    [ "$got" = "$((14401 * 52 + 1441 * 154)) $((14401 + 1441))" ]

# ---- retention: exactly what is older than each limit goes ------------
cat >"$WT_TMP/small.conf" <<'EOF'
retention_seconds = 600
retention_minutes = 3600
retention_hours = 7200
retention_flows = 1800
EOF
small=$WT_TMP/small.db
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import -c "$WT_TMP/small.conf" \
    --db "$small" "$WT_TMP/one.pcap" "$WT_TMP/two.pcap" 2>"$WT_TMP/err"
wt_check "import with small retention: exit 0: $(cat "$WT_TMP/err")" [ $? -eq 0 ]
newest=$(q "$small" "select value from meta where key = 'newest'")
wt_check "the packet clock is the last frame's second (1700013600, got $newest)" \
    [ "$newest" = 1700013600 ]

# edge TABLE TSCOL LIMIT STEP: the oldest row left is at newest - LIMIT
# (scaled by STEP: 1 for seconds, 1000000 for flows' ts_us), the full
# database has a row before it that is gone, and the rows at or after
# the edge are exactly the full database's.
edge() {
	t=$1 col=$2 lim=$3 mul=$4
	e=$(( (newest - lim) * mul ))
	q "$db" "select * from $t where $col >= $e" | sort >"$WT_TMP/full"
	q "$small" "select * from $t" | sort >"$WT_TMP/kept"
	set -- "$(q "$small" "select min($col) from $t")" \
	    "$(q "$db" "select max($col) from $t where $col < $e")" \
	    "$(q "$small" "select count(*) from $t where $col < $e")" \
	    "$(comm -23 "$WT_TMP/full" "$WT_TMP/kept" | wc -l)" \
	    "$(comm -13 "$WT_TMP/full" "$WT_TMP/kept" | wc -l)" \
	    "$(wc -l <"$WT_TMP/kept")"
	[ "$1" = "$e" ] && [ -n "${2:-}" ] && [ "$3" = 0 ] && [ "$4" = 0 ] &&
	    [ "${5:-}" = 0 ]
	wt_check "$t (limit $lim s): oldest row left $1 = newest - limit $e; the one before ($2) gone; $6 rows, the full database's from the edge on ($4 missing, $5 extra)" \
	    [ $? -eq 0 ]
}
edge samples_sec ts 600 1
edge samples_min ts 3600 1
edge samples_hour ts 7200 1
edge host_hour ts 7200 1
edge host_day ts 7200 1
edge service_hour ts 7200 1
edge service_day ts 7200 1
edge flows ts_us 1800 1000000
# the flow 1 ms before the edge is the one that went
q "$db" "select orig_p, ts_us from flows where orig_h = '10.0.0.7'" |
    sort >"$WT_TMP/full"
q "$small" "select orig_p, ts_us from flows where orig_h = '10.0.0.7'" |
    sort >"$WT_TMP/kept"
gone=$(comm -23 "$WT_TMP/full" "$WT_TMP/kept")
wt_check "the flow 1 ms older than the edge went, the one on it stayed (gone: $gone)" \
    [ "$gone" = "3000 1700011799999000" ]
wt_finish
