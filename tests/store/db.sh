#!/bin/sh
# db.sh: `wiretop db check|vacuum|purge --before T`, checked with the
# sqlite3 CLI.
# The capture, written here for pcapgen: one UDP packet every 7 s for 3 h
# (1543 packets from 1700000000, a new flow each: the ports change), so
# every tier has rows on both sides of T = base + 5400 s.
# - check on the imported database: exit 0, integrity ok;
# - purge --before T: removes exactly the rows wholly older than T (per
#   second and flows: ts < T; per minute, hour, day: the row's whole
#   period ends by T; names last seen before T), counted with sqlite3
#   before and after; by construction 772 packets (and flows) are older
#   than T; a second purge removes nothing;
# - vacuum keeps every row (sqlite3 counts) and shrinks the file;
# - a copy with two pages in its middle overwritten (dd): check exits 4
#   and names the problem;
# - while `import` writes a big generated capture (benchgen) into the same
#   database, check, purge, vacuum (and report --db) succeed, the import
#   succeeds, the
#   database passes sqlite3's integrity_check and holds every flow record
#   of the big capture (as many as export -r writes).
# - usage: no action, an unknown action, purge without --before, a bad
#   time, --before with check: exit 2; a missing database: exit 4;
# - sql output escapes ESC as \x1b, C1, U+202E and the line and paragraph
#   separators (U+2028, U+2029) as \u{XXXX}.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-db
wt_need_wiretop
wt_need_tool sqlite3
wt_need_pcapgen
benchgen=${WT_TOOLS:-tests/tools}/benchgen
[ -x "$benchgen" ] || wt_hard "needs $benchgen (make check builds it)"

{
	echo "linktype ether"
	i=0
	while [ $i -lt 1543 ]; do
		printf '%d.000 udp 10.0.0.1:%d > 10.0.0.2:9999 len=10\n' \
		    $((i * 7)) $((10000 + i))
		i=$((i + 1))
	done
} >"$WT_TMP/db.txt"
"$pcapgen" -o "$WT_TMP/db.pcap" "$WT_TMP/db.txt" >/dev/null ||
    wt_hard "pcapgen failed"
db=$WT_TMP/h.db
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import --db "$db" "$WT_TMP/db.pcap" \
    >/dev/null 2>"$WT_TMP/err" || wt_hard "import failed: $(cat "$WT_TMP/err")"

# the tables as wiretop shows them (flows, host_hour, host_day are made
# of segments inside wiretop); sqlite3 itself for the raw file
q() {
	"$WIRETOP" db --db "$db" sql "$1"
}
tables="samples_sec samples_min samples_hour host_hour host_day
service_hour service_day flows names alerts"

# check on a good database
"$WIRETOP" db check --db "$db" >"$WT_TMP/out" 2>"$WT_TMP/err"
wt_check "check on a good database: exit 0" [ $? -eq 0 ]
wt_check "check says integrity ok" grep -q '^integrity    ok$' "$WT_TMP/out"
wt_check "check gives the schema version" grep -q "^schema       3 " \
    "$WT_TMP/out"
n=$(q "select count(*) from flows")
wt_check "the flows table holds the 1543 flows of the construction ($n)" \
    [ "$n" = 1543 ]
wt_check "check counts them, from the first one's second" \
    grep -Eq "^flows +1543  2023-11-14T22:13:20Z" "$WT_TMP/out"
wt_check "check gives the newest second stored" \
    grep -q "^newest       $(date -u -d @$(q "select value from meta where key = 'newest'") +%Y-%m-%dT%H:%M:%SZ)\$" \
    "$WT_TMP/out"

# purge --before T
t=$((1700000000 + 5400))
iso=$(date -u -d @$t +%Y-%m-%dT%H:%M:%SZ)
cond() {
	case $1 in
	samples_sec) echo "ts < $t" ;;
	samples_min) echo "ts + 60 <= $t" ;;
	samples_hour | host_hour | service_hour) echo "ts + 3600 <= $t" ;;
	host_day | service_day) echo "ts + 86400 <= $t" ;;
	flows) echo "ts_us < $t * 1000000" ;;
	names) echo "last_ts < $t" ;;
	alerts) echo "last_us < $t * 1000000" ;;
	esac
}
for tb in $tables; do
	eval "before_$tb=\$(q \"select count(*) from $tb\")"
	eval "old_$tb=\$(q \"select count(*) from $tb where $(cond $tb)\")"
done
wt_check "by construction 772 packets (flows) are older than T" \
    [ "$old_samples_sec" -eq 772 ] && [ "$old_flows" -eq 772 ]
wt_check "some rows of every rollup tier are older than T, some not" \
    [ "$old_samples_min" -gt 0 ] && [ "$old_samples_min" -lt "$before_samples_min" ] &&
    [ "$old_host_hour" -gt 0 ] && [ "$old_host_hour" -lt "$before_host_hour" ]
"$WIRETOP" db purge --db "$db" --before "$iso" >"$WT_TMP/out" 2>"$WT_TMP/err"
wt_check "purge --before $iso: exit 0" [ $? -eq 0 ]
for tb in $tables; do
	eval "b=\$before_$tb o=\$old_$tb"
	a=$(q "select count(*) from $tb")
	left=$(q "select count(*) from $tb where $(cond $tb)")
	wt_check "purge: $tb keeps $((b - o)) of $b rows (has $a), none older" \
	    [ "$a" -eq $((b - o)) ] && [ "$left" -eq 0 ]
	wt_check "purge reports $o rows removed from $tb" \
	    grep -Eq "^  $tb +$o\$" "$WT_TMP/out"
done
"$WIRETOP" db purge --db "$db" --before "$iso" >"$WT_TMP/out" 2>&1
wt_check "a second purge removes nothing" grep -q ': 0 rows$' "$WT_TMP/out"
wt_check "relative --before (2h: before the newest second stored)" \
    "$WIRETOP" db purge --db "$db" --before 2h >/dev/null

# vacuum keeps every row and shrinks the file after the purge
counts() {
	for tb in $tables imported_files; do
		printf '%s %s\n' "$tb" "$(q "select count(*) from $tb")"
	done
}
counts >"$WT_TMP/c1"
s1=$(stat -c %s "$db")
"$WIRETOP" db vacuum --db "$db" >"$WT_TMP/out" 2>"$WT_TMP/err"
wt_check "vacuum: exit 0" [ $? -eq 0 ]
counts >"$WT_TMP/c2"
s2=$(stat -c %s "$db")
wt_check "vacuum keeps every row" cmp -s "$WT_TMP/c1" "$WT_TMP/c2"
wt_check "vacuum shrinks the file after the purge ($s1 -> $s2 bytes)" \
    [ "$s2" -lt "$s1" ]
wt_check "vacuum reports the sizes" grep -q "bytes before" "$WT_TMP/out"
wt_check "integrity_check after vacuum: ok" \
    [ "$(q "pragma integrity_check")" = ok ]

# a damaged segment: SQLite's pages are sound, the packing is not
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import --db "$WT_TMP/s.db" \
    "$WT_TMP/db.pcap" >/dev/null 2>&1
sqlite3 "$WT_TMP/s.db" "update flow_seg set data = substr(data, 1, 200) ||
    x'ffffffffffffffffffff' || substr(data, 211) where id = (select min(id)
    from flow_seg)" || wt_hard "sqlite3 could not change the segment"
"$WIRETOP" db check --db "$WT_TMP/s.db" >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
wt_check "check on a damaged flow segment: exit 4 (got $rc), the problem named" \
    [ $rc -eq 4 ] && grep -q 'problem: flows: .*damaged segment' "$WT_TMP/out"
"$WIRETOP" export --db "$WT_TMP/s.db" --since 1970-01-01 >/dev/null \
    2>"$WT_TMP/err"
rc=$?
wt_check "export --db of it: exit 4, one line ($(head -1 "$WT_TMP/err"))" \
    [ $rc -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ]
sqlite3 "$WT_TMP/s.db" "update host_seg set data = x'01ff'" ||
    wt_hard "sqlite3 could not change the host segments"
"$WIRETOP" report --db "$WT_TMP/s.db" --since 1970-01-01 >/dev/null \
    2>"$WT_TMP/err"
rc=$?
wt_check "report --db with damaged host totals: exit 4, one line ($(head -1 "$WT_TMP/err"))" \
    [ $rc -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ]

# schema 1 (a row per flow record and per host total) is migrated: the
# rows written here come back, the same, from the segments
v1=$WT_TMP/v1.db
sqlite3 "$v1" <<'SQL' || wt_hard "sqlite3 could not make a schema 1 database"
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;
CREATE TABLE samples_sec (ts INTEGER NOT NULL, source TEXT NOT NULL, rx_bytes INTEGER NOT NULL, tx_bytes INTEGER NOT NULL, rx_pkts INTEGER NOT NULL, tx_pkts INTEGER NOT NULL, drops INTEGER NOT NULL, decode_errors INTEGER NOT NULL, PRIMARY KEY (ts, source)) WITHOUT ROWID;
CREATE TABLE samples_min (ts INTEGER NOT NULL, source TEXT NOT NULL, rx_bytes INTEGER NOT NULL, tx_bytes INTEGER NOT NULL, rx_pkts INTEGER NOT NULL, tx_pkts INTEGER NOT NULL, drops INTEGER NOT NULL, decode_errors INTEGER NOT NULL, PRIMARY KEY (ts, source)) WITHOUT ROWID;
CREATE TABLE samples_hour (ts INTEGER NOT NULL, source TEXT NOT NULL, rx_bytes INTEGER NOT NULL, tx_bytes INTEGER NOT NULL, rx_pkts INTEGER NOT NULL, tx_pkts INTEGER NOT NULL, drops INTEGER NOT NULL, decode_errors INTEGER NOT NULL, PRIMARY KEY (ts, source)) WITHOUT ROWID;
CREATE TABLE host_hour (ts INTEGER NOT NULL, addr TEXT NOT NULL, bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, pkts_in INTEGER NOT NULL, pkts_out INTEGER NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY (ts, addr)) WITHOUT ROWID;
CREATE TABLE host_day (ts INTEGER NOT NULL, addr TEXT NOT NULL, bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, pkts_in INTEGER NOT NULL, pkts_out INTEGER NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY (ts, addr)) WITHOUT ROWID;
CREATE TABLE service_hour (ts INTEGER NOT NULL, service TEXT NOT NULL, bytes INTEGER NOT NULL, pkts INTEGER NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY (ts, service)) WITHOUT ROWID;
CREATE TABLE service_day (ts INTEGER NOT NULL, service TEXT NOT NULL, bytes INTEGER NOT NULL, pkts INTEGER NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY (ts, service)) WITHOUT ROWID;
CREATE TABLE flows (ts_us INTEGER NOT NULL, uid TEXT NOT NULL, orig_h TEXT NOT NULL, orig_p INTEGER NOT NULL, resp_h TEXT NOT NULL, resp_p INTEGER NOT NULL, proto TEXT NOT NULL, service TEXT, duration_us INTEGER NOT NULL, orig_bytes INTEGER NOT NULL, resp_bytes INTEGER NOT NULL, conn_state TEXT NOT NULL, history TEXT, orig_pkts INTEGER NOT NULL, orig_ip_bytes INTEGER NOT NULL, resp_pkts INTEGER NOT NULL, resp_ip_bytes INTEGER NOT NULL, orig_wire_bytes INTEGER NOT NULL, resp_wire_bytes INTEGER NOT NULL, vlan INTEGER, inner_vlan INTEGER, return_vlan INTEGER, tunnel_parents TEXT, tunnel TEXT, community_id TEXT, rtt_us INTEGER, retrans INTEGER NOT NULL);
CREATE INDEX flows_ts ON flows (ts_us);
CREATE TABLE names (addr TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, PRIMARY KEY (addr, name)) WITHOUT ROWID;
CREATE TABLE alerts (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, severity INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT, message TEXT NOT NULL, value REAL, threshold REAL, state TEXT NOT NULL DEFAULT 'active', resolved_ts INTEGER);
CREATE INDEX alerts_ts ON alerts (ts);
CREATE TABLE imported_files (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, imported_ts INTEGER NOT NULL, complete INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE live_snapshot (wall_ns INTEGER NOT NULL, pkt_ns INTEGER NOT NULL, flows INTEGER NOT NULL, hosts INTEGER NOT NULL, packets INTEGER NOT NULL, hist_dropped INTEGER NOT NULL DEFAULT 0, hist_retries INTEGER NOT NULL DEFAULT 0);
CREATE TABLE live_sources (idx INTEGER PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, detail TEXT, rx_rate REAL, tx_rate REAL, pps REAL, drops_kernel INTEGER, drops_iface INTEGER, drops_ring INTEGER, flows INTEGER, hosts INTEGER, rx_series TEXT, tx_series TEXT);
CREATE TABLE live_hosts (rank INTEGER PRIMARY KEY, addr TEXT NOT NULL, name TEXT, in_2s REAL, in_10s REAL, in_40s REAL, out_2s REAL, out_10s REAL, out_40s REAL, bytes_in INTEGER, bytes_out INTEGER, flows INTEGER, last_ts INTEGER);
CREATE TABLE live_flows (rank INTEGER PRIMARY KEY, proto TEXT NOT NULL, proto_num INTEGER, orig_h TEXT NOT NULL, orig_p INTEGER, resp_h TEXT NOT NULL, resp_p INTEGER, orig_name TEXT, resp_name TEXT, service TEXT, conn_state TEXT, duration REAL, orig_rate REAL, resp_rate REAL, bytes INTEGER, rtt_us INTEGER, retrans INTEGER);
CREATE TABLE live_services (kind TEXT NOT NULL, rank INTEGER NOT NULL, name TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (kind, rank)) WITHOUT ROWID;
INSERT INTO schema_version VALUES (1);
INSERT INTO meta VALUES ('newest', 1700003600);
INSERT INTO flows VALUES (1700000000123456, 'CabcdefghijklmnopQ', '10.1.0.1', 40000, '10.1.0.2', 443, 'tcp', 'https', 2500000, 100, 2000, 'SF', 'ShADadFf', 5, 308, 4, 2208, 378, 2264, NULL, NULL, NULL, NULL, NULL, '1:abc=', 1500, 1);
INSERT INTO flows VALUES (1700003000000001, 'CzyxwvutsrqponmlkJ', 'fe80::1', 5353, 'ff02::fb', 5353, 'udp', NULL, 0, 30, 0, 'S0', 'D', 1, 78, 0, 0, 92, 0, 7, 8, 9, 'Cparent1,Cparent2', 'vxlan', NULL, NULL, 0);
INSERT INTO host_hour VALUES (1699999200, '10.1.0.1', 2264, 378, 4, 5, 1), (1699999200, '10.1.0.2', 378, 2264, 5, 4, 1), (1700002800, 'fe80::1', 0, 92, 0, 1, 1);
INSERT INTO host_day VALUES (1699920000, '10.1.0.1', 2264, 378, 4, 5, 1), (1699920000, '10.1.0.2', 378, 2264, 5, 4, 1), (1699920000, 'fe80::1', 0, 92, 0, 1, 1);
PRAGMA application_id = 2004119601;
SQL
cp "$v1" "$WT_TMP/v1-before.db"
for t in flows host_hour host_day; do
	sqlite3 "$v1" "select * from $t" | sort >"$WT_TMP/v1.$t"
done
"$WIRETOP" db check --db "$v1" >"$WT_TMP/out" 2>"$WT_TMP/err"
wt_check "a schema 1 database: check migrates it (exit $?, schema 3)" \
    grep -q "^schema       3 " "$WT_TMP/out"
# (schema 2's flows have four more columns, the GeoIP ones: NULL here)
v1cols="ts_us, uid, orig_h, orig_p, resp_h, resp_p, proto, service,
    duration_us, orig_bytes, resp_bytes, conn_state, history, orig_pkts,
    orig_ip_bytes, resp_pkts, resp_ip_bytes, orig_wire_bytes,
    resp_wire_bytes, vlan, inner_vlan, return_vlan, tunnel_parents, tunnel,
    community_id, rtt_us, retrans"
for t in flows host_hour host_day; do
	c='*'
	[ $t = flows ] && c=$v1cols
	"$WIRETOP" db --db "$v1" sql "select $c from $t" | sort >"$WT_TMP/v2.$t"
	wt_check "migrated: every row of $t as it was ($(wc -l <"$WT_TMP/v1.$t") rows)" \
	    cmp -s "$WT_TMP/v1.$t" "$WT_TMP/v2.$t"
done
wt_check "migrated: the GeoIP columns are there, empty" \
    [ "$("$WIRETOP" db --db "$v1" sql "select count(*) from flows where
        orig_cc is null and resp_cc is null and orig_asn is null and
        resp_asn is null")" = 2 ]
wt_check "migrated: the row tables are gone, the segments hold them" \
    [ "$(sqlite3 "$v1" "select count(*) from sqlite_master where name in
        ('flows', 'host_hour', 'host_day'); select sum(n) from flow_seg")" = "0
2" ]
chmod 0444 "$WT_TMP/v1-before.db"
"$WIRETOP" export --db "$WT_TMP/v1-before.db" --since 1970-01-01 \
    >"$WT_TMP/out" 2>"$WT_TMP/err"
wt_check "a schema 1 database read-only: export still reads its rows (exit $?)" \
    [ "$(grep -c ',wiretop.flows/' "$WT_TMP/out")" -eq 2 ]
# its alerts table (schema 1's, never written) is not read as schema 3's:
# no alerts, said in one line, not a failure
"$WIRETOP" export --db "$WT_TMP/v1-before.db" --since 1970-01-01 \
    --what alerts >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
wt_check "a schema 1 database read-only: export --what alerts exits 0 (got $rc)" \
    [ $rc -eq 0 ]
wt_check "... with the header and no record" [ "$(wc -l <"$WT_TMP/out")" -eq 1 ]
wt_check "... and one line saying why" [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] \
    && grep -q "before alerts were kept" "$WT_TMP/err"
"$WIRETOP" report --db "$WT_TMP/v1-before.db" --since 1970-01-01 \
    >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
wt_check "a schema 1 database read-only: report exits 0 (got $rc: $(head -c 200 "$WT_TMP/err"))" \
    [ $rc -eq 0 ]
wt_check "... its top talkers are the 3 hosts written" \
    [ "$(grep -Ec '^ +[123] .*(10\.1\.0\.1|10\.1\.0\.2|fe80::1) ' "$WT_TMP/out")" -eq 3 ]
wt_check "... and its alerts say none were kept" \
    grep -q "none kept (a database of a schema before alerts" "$WT_TMP/out"

# a damaged copy: two pages in the middle overwritten
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import --db "$WT_TMP/c.db" \
    "$WT_TMP/db.pcap" >/dev/null 2>&1
pages=$(sqlite3 "$WT_TMP/c.db" "pragma page_count")
ps=$(sqlite3 "$WT_TMP/c.db" "pragma page_size")
head -c $((2 * ps)) /dev/zero | tr '\0' 'W' >"$WT_TMP/junk"
dd if="$WT_TMP/junk" of="$WT_TMP/c.db" bs="$ps" seek=$((pages / 2)) \
    conv=notrunc 2>/dev/null
"$WIRETOP" db check --db "$WT_TMP/c.db" >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
wt_check "check on a damaged database ($pages pages, 2 overwritten): exit 4 (got $rc)" \
    [ $rc -eq 4 ]
wt_check "check lists the problem" grep -Eq 'problem|damaged|malformed' \
    "$WT_TMP/out" "$WT_TMP/err"
wt_check "check says so in one line on stderr" [ "$(wc -l <"$WT_TMP/err")" -eq 1 ]

# usage and missing files
wt_check "no action: exit 2" sh -c '"$1" db --db "$2" 2>/dev/null; [ $? -eq 2 ]' \
    sh "$WIRETOP" "$db"
wt_check "unknown action: exit 2" sh -c '"$1" db fix --db "$2" 2>/dev/null; [ $? -eq 2 ]' \
    sh "$WIRETOP" "$db"
wt_check "purge without --before: exit 2" \
    sh -c '"$1" db purge --db "$2" 2>/dev/null; [ $? -eq 2 ]' sh "$WIRETOP" "$db"
wt_check "purge --before yesterday: exit 2" \
    sh -c '"$1" db purge --before yesterday --db "$2" 2>/dev/null; [ $? -eq 2 ]' \
    sh "$WIRETOP" "$db"
wt_check "check --before: exit 2" \
    sh -c '"$1" db check --before 1h --db "$2" 2>/dev/null; [ $? -eq 2 ]' \
    sh "$WIRETOP" "$db"
wt_check "sql without a query: exit 2" \
    sh -c '"$1" db sql --db "$2" 2>/dev/null; [ $? -eq 2 ]' sh "$WIRETOP" "$db"
"$WIRETOP" db sql --db "$db" "delete from samples_sec" >/dev/null \
    2>"$WT_TMP/err"
rc=$?
wt_check "sql that writes: exit 2, one line, nothing deleted" \
    [ $rc -eq 2 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
    [ "$(q "select count(*) from samples_sec")" -gt 0 ]
wt_check "sql output escapes control bytes (ESC as \\x1b)" \
    [ "$(q "select 'a' || char(27) || '[2Jb'")" = 'a\x1b[2Jb' ]
wt_check "sql output escapes C1, U+202E, U+2028 and U+2029 as \\u{XXXX}" \
    [ "$(q "select 'a' || char(155, 8238, 8232, 8233) || 'b'")" = \
    'a\u{009b}\u{202e}\u{2028}\u{2029}b' ]
"$WIRETOP" db check --db "$WT_TMP/none.db" >/dev/null 2>"$WT_TMP/err"
wt_check "check on a missing database: exit 4, one line, nothing created" \
    [ $? -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
    [ ! -e "$WT_TMP/none.db" ]
printf 'not a database at all, just text\n%.0s' $(seq 300) >"$WT_TMP/text.db"
"$WIRETOP" db vacuum --db "$WT_TMP/text.db" >/dev/null 2>"$WT_TMP/err"
wt_check "vacuum on a text file: exit 4, one line" \
    [ $? -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ]

# all three while an import writes the same database
"$benchgen" -o "$WT_TMP/big.pcap" -n 600000 -f 300000 --short >/dev/null 2>&1 ||
    wt_hard "benchgen failed"
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import --db "$db" "$WT_TMP/big.pcap" \
    >/dev/null 2>"$WT_TMP/imp.err" &
imp=$!
# wait until the import has committed its first rows
want=$(awk '$1 == "flows" { print $2 }' "$WT_TMP/c2")
i=0
while [ "$(q "select count(*) from flows" 2>/dev/null || echo 0)" -le "$want" ] &&
    [ $i -lt 400 ] && kill -0 $imp 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
ok=1
rounds=0
while kill -0 $imp 2>/dev/null; do
	"$WIRETOP" db check --db "$db" >"$WT_TMP/out" 2>"$WT_TMP/err" ||
	    { ok=0; wt_log "check during import: $(cat "$WT_TMP/err")"; }
	"$WIRETOP" db purge --db "$db" --before 2023-11-14T00:00:00Z \
	    >/dev/null 2>"$WT_TMP/err" ||
	    { ok=0; wt_log "purge during import: $(cat "$WT_TMP/err")"; }
	"$WIRETOP" db vacuum --db "$db" >/dev/null 2>"$WT_TMP/err" ||
	    { ok=0; wt_log "vacuum during import: $(cat "$WT_TMP/err")"; }
	"$WIRETOP" report --db "$db" --format json >/dev/null \
	    2>"$WT_TMP/err" ||
	    { ok=0; wt_log "report during import: $(cat "$WT_TMP/err")"; }
	rounds=$((rounds + 1))
done
wait $imp
rc=$?
wt_log "$rounds rounds of check, purge and vacuum ran during the import"
wt_check "at least one round ran while the import wrote" [ $rounds -ge 1 ]
wt_check "check, purge, vacuum and report --db succeed while an import writes" \
    [ $ok -eq 1 ]
wt_check "the import that ran beside them succeeds (exit $rc)" [ $rc -eq 0 ]
wt_check "integrity_check after it all: ok" \
    [ "$(q "pragma integrity_check")" = ok ]
"$WIRETOP" export -r "$WT_TMP/big.pcap" --what flows --format csv \
    2>/dev/null | tail -n +2 | wc -l >"$WT_TMP/nbig"
nbig=$(cat "$WT_TMP/nbig")
have=$(q "select count(*) from flows")
wt_check "every flow record is there: $have = $want before + $nbig of export -r" \
    [ "$have" -eq $((want + nbig)) ]
wt_finish
