#!/bin/sh
# retention.sh: each tier keeps exactly what is newer than its limit,
# measured back from the newest second stored (the packet clock).
# The capture, written here for pcapgen: one UDP packet every 7 seconds
# for 3 h (a new flow each: ports change), so every tier has rows on both
# sides of its limit.  The settings (seconds): retention_seconds 600,
# retention_minutes 3600, retention_hours 7200 (hour rollups and host and
# service totals), retention_flows 1800.  A row stays iff its ts (flows:
# ts_us / 1e6) >= newest - limit; the expected rows are worked out here
# from the list of packet times, not from wiretop.
# Needs python3 with its sqlite3 module (CI=true: required).
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-retention
wt_need_wiretop
wt_need_sqlite3
wt_need_pcapgen

{
	echo "linktype ether"
	i=0
	while [ $i -lt 1543 ]; do
		printf '%d.000 udp 10.0.0.1:%d > 10.0.0.2:9999 len=10\n' \
		    $((i * 7)) $((10000 + i))
		i=$((i + 1))
	done
} >"$WT_TMP/ret.txt"
"$pcapgen" -o "$WT_TMP/ret.pcap" "$WT_TMP/ret.txt" || wt_hard "pcapgen failed"
cat >"$WT_TMP/ret.conf" <<'CONF'
retention_seconds = 600
retention_minutes = 3600
retention_hours = 7200
retention_flows = 1800
CONF
db=$WT_TMP/ret.db
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import -c "$WT_TMP/ret.conf" \
    --db "$db" "$WT_TMP/ret.pcap" 2>"$WT_TMP/err"
wt_check "import with small retention settings: exit 0" [ $? -eq 0 ]

python3 - "$db" <<'PY' >"$WT_TMP/out"
import wtdb, sys
base = 1700000000
times = [base + i * 7 for i in range(1543)]
newest = times[-1]
c = wtdb.connect(sys.argv[1])
def check(what, got, want):
    print(("ok - " if got == want else "not ok - ") +
        "%s: %d rows kept, want %d" % (what, len(got), len(want)))
    if got != want:
        print("#   extra %s missing %s" % (sorted(set(got) - set(want))[:3],
            sorted(set(want) - set(got))[:3]))
nw = c.execute("select value from meta where key = 'newest'").fetchone()[0]
print(("ok - " if nw == newest else "not ok - ") +
    "the packet clock is the newest packet's second (%d)" % nw)
secs = sorted({t for t in times})
check("samples_sec (600 s)", [r[0] for r in c.execute(
    "select ts from samples_sec order by ts")],
    [t for t in secs if t >= newest - 600])
mins = sorted({t - t % 60 for t in times})
check("samples_min (3600 s)", [r[0] for r in c.execute(
    "select ts from samples_min order by ts")],
    [t for t in mins if t >= newest - 3600])
hours = sorted({t - t % 3600 for t in times})
check("samples_hour (7200 s)", [r[0] for r in c.execute(
    "select ts from samples_hour order by ts")],
    [t for t in hours if t >= newest - 7200])
check("service_hour (7200 s)", [r[0] for r in c.execute(
    "select distinct ts from service_hour order by ts")],
    [t for t in hours if t >= newest - 7200])
check("host_hour (7200 s), 10.0.0.1", [r[0] for r in c.execute(
    "select ts from host_hour where addr = '10.0.0.1' order by ts")],
    [t for t in hours if t >= newest - 7200])
check("flows (1800 s)", [r[0] // 1000000 for r in c.execute(
    "select ts_us from flows order by ts_us")],
    [t for t in times if t >= newest - 1800])
PY
cat "$WT_TMP/out"
while read -r l; do
	case $l in
	"ok - "*) WT_PASSES=$((WT_PASSES + 1)); WT_N=$((WT_N + 1)) ;;
	"not ok - "*) WT_FAILS=$((WT_FAILS + 1)); WT_N=$((WT_N + 1)) ;;
	esac
done <"$WT_TMP/out"
wt_finish
