#!/bin/sh
# store.sh: alerts in the history database.  Each detector fixture
# (tests/alerts/*.txt, its first run's settings) is imported into a new
# database; export --db --what alerts must then give exactly the alerts
# the fixture's "#@expect" lines work out (kind, subject, peer, port),
# and every field of them as export -r gives them for the same file (the
# counts and last times included: what is stored is the alert as it
# stood at the end).  Then: importing again adds nothing, report --db
# lists them, retention removes those older than retention_hours, and a live
# store closes what an earlier run left open.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-store
wt_need_wiretop
wt_need_pcapgen
wt_need_tool python3
. "$WT_SRCDIR/tests/alerts/fixture.sh"
export WIRETOP_NO_DEFAULT_CONFIG=1

n=0
for fx in "$WT_SRCDIR"/tests/alerts/*.txt; do
	name=$(basename "$fx" .txt)
	pcap=$WT_TMP/$name.pcap
	"$pcapgen" -o "$pcap" "$fx" >/dev/null || wt_hard "pcapgen failed on $fx"
	run=$(fx_runs "$fx" | head -n 1)
	conf=$WT_TMP/$name.conf
	fx_conf "$fx" "$run" "$conf"
	fx_need_corpus "$fx" "$name" || continue
	db=$WT_TMP/$name.db
	if ! "$WIRETOP" import -u root -c "$conf" --db "$db" "$pcap" \
	    2>"$WT_TMP/err"; then
		wt_fail "$name: import failed: $(cat "$WT_TMP/err")"
		continue
	fi
	"$WIRETOP" export -c "$conf" -r "$pcap" --what alerts --format json \
	    -o "$WT_TMP/r.json" 2>/dev/null || wt_hard "export -r failed on $name"
	if ! "$WIRETOP" export --db "$db" --since 2000-01-01T00:00:00Z \
	    --what alerts --format json -o "$WT_TMP/d.json" 2>"$WT_TMP/err"; then
		wt_fail "$name: export --db failed: $(cat "$WT_TMP/err")"
		continue
	fi
	if msg=$(python3 - "$fx" "$run" "$WT_TMP/d.json" "$WT_TMP/r.json" \
	    "$pcap" <<'PY'
import json, sys
from wtfixture import expects
fx, run, dbf, rf, fname = sys.argv[1:6]
want = expects(fx, run, fname)
d = json.load(open(dbf))
r = json.load(open(rf))
if d.get("schema") != "wiretop.alerts/1":
    print("schema is %r" % d.get("schema")); sys.exit(1)
got = sorted((a["kind"], a["subject"], a["peer"] or "",
              "" if a["port"] is None else str(a["port"]))
             for a in d["alerts"])
if got != sorted(want):
    print("want %s, got %s" % (sorted(want), got)); sys.exit(1)
def key(a):
    return a["uid"]
dd = {key(a): a for a in d["alerts"]}
rr = {key(a): a for a in r["alerts"]}
if sorted(dd) != sorted(rr):
    print("uids differ: db %s, -r %s" % (sorted(dd), sorted(rr))); sys.exit(1)
for u in dd:
    a, b = dict(dd[u]), dict(rr[u])
    a.pop("id"); b.pop("id")
    if a != b:
        diff = [k for k in a if a[k] != b.get(k)]
        print("alert %s differs in %s: db %s, -r %s" % (u, diff,
              [a[k] for k in diff], [b[k] for k in diff])); sys.exit(1)
print("%d alerts, as export -r" % len(got))
PY
	); then
		wt_pass "$name: $msg"
	else
		wt_fail "$name: $msg"
	fi
	n=$((n + 1))
done
[ "$n" -ge 8 ] || wt_fail "only $n fixtures found"

# The port-scan database again: a second import of the same file adds no
# alert, report --db lists the two alerts.
db=$WT_TMP/port-scan.db
"$WIRETOP" import -u root --db "$db" "$WT_TMP/port-scan.pcap" 2>/dev/null
c=$("$WIRETOP" db --db "$db" sql "select count(*) from alerts" 2>&1)
wt_check "a second import adds no alert" [ "$c" = 2 ]
"$WIRETOP" report --db "$db" --since 2000-01-01T00:00:00Z --format json \
    -o "$WT_TMP/rep.json" 2>"$WT_TMP/err" || wt_fail "report --db: $(cat "$WT_TMP/err")"
wt_check "report --db lists the two port scans" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["alerts"]
assert a["total"] == 2, a
assert sorted(x["subject"] for x in a["list"]) == ["203.0.113.10", "203.0.113.9"], a
assert all(x["kind"] == "port_scan" for x in a["list"]), a
' "$WT_TMP/rep.json"

# Retention: alerts whose last sighting is older than retention_hours go.  The
# fixture's alerts end within seconds of 1700000018; a flow log record
# a day later, imported with retention_hours = 2 h, moves the clock past them.
cat >"$WT_TMP/late.log" <<'LOG'
#separator \x09
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]
1700086400.000000	Cxyz1	10.9.9.1	1000	10.9.9.2	80	tcp	-	1.0	10	20	SF	-	-	0	ShADadFf	3	130	3	140	-
LOG
printf 'retention_hours = 7200\n' >"$WT_TMP/keep.conf"
"$WIRETOP" import -u root -c "$WT_TMP/keep.conf" --db "$db" "$WT_TMP/late.log" \
    2>"$WT_TMP/err" || wt_fail "import of the late record: $(cat "$WT_TMP/err")"
c=$("$WIRETOP" db --db "$db" sql "select count(*) from alerts" 2>&1)
wt_check "retention removed the alerts older than retention_hours (left: $c)" [ "$c" = 0 ]

wt_finish
