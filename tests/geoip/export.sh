#!/bin/sh
# export.sh: GeoIP in the exports and the report, on tests/geoip/flows.txt
# with the tests' own databases (tests/geoip/geo.txt, built with Debian's
# libmaxmind-db-writer-perl): the flow columns orig_cc, resp_cc,
# orig_asn, resp_asn (CSV and NDJSON), the host columns cc, asn, as_org,
# city with their hostile names escaped, the report's top talkers; and
# without a database, with a missing one and with a broken one: one
# notice line at most, the geo columns empty, everything else the same.
# Expected values are those of flows.txt's comment, taken from geo.txt.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init geoip-export
wt_need_wiretop
wt_need_pcapgen
wt_need_tool perl python3
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
    wt_missing "MaxMind::DB::Writer::Tree not installed (libmaxmind-db-writer-perl)"
cd "$WT_TMP" || wt_hard "no $WT_TMP"
spec=$WT_SRCDIR/tests/geoip/geo.txt
perl "$WT_SRCDIR/tests/geoip/mkdb.pl" country "$spec" c.mmdb &&
    perl "$WT_SRCDIR/tests/geoip/mkdb.pl" asn "$spec" a.mmdb ||
    wt_hard "cannot build the test databases"
"$pcapgen" -o flows.pcap "$WT_SRCDIR/tests/geoip/flows.txt" >/dev/null ||
    wt_hard "pcapgen failed on flows.txt"
conf() {	# conf NAME COUNTRY ASN
	printf 'geoip_country_db = %s\ngeoip_asn_db = %s\n' "$2" "$3" >"$1.conf"
}
conf own "$WT_TMP/c.mmdb" "$WT_TMP/a.mmdb"
conf off "" ""
conf missing "$WT_TMP/none.mmdb" "$WT_TMP/none-asn.mmdb"
head -c 2000 c.mmdb >broken.mmdb
conf broken "$WT_TMP/broken.mmdb" "$WT_TMP/a.mmdb"

run() {	# run CONF MODE ARGS...: wiretop with a configuration, stderr
	# to CONF.err
	_c=$1
	_m=$2
	shift 2
	HOME=$WT_TMP "$WIRETOP" "$_m" -c "$_c.conf" "$@" 2>"$_c.err"
}

# ---- flows, CSV and NDJSON -----------------------------------------
run own export -r flows.pcap >own.csv || wt_fail "export (csv) failed"
run own export -r flows.pcap --format ndjson >own.ndjson ||
    wt_fail "export (ndjson) failed"
cat >flows.want <<'W'
10.0.0.5 203.0.113.7 - NZ - 64500
198.51.100.5 10.0.0.5 DE - 64501 -
10.0.0.5 198.51.100.200 - FR - 64502
fd00::1 2001:db8:1::5 - JP - 64504
10.0.0.5 192.0.2.1 - - - 64503
10.0.0.5 8.8.8.8 - - - -
10.0.0.5 10.0.0.6 - - - -
2001:db8:2::9 fd00::1 BR - - -
W
python3 - own.csv own.ndjson >flows.got <<'PY' || wt_fail "flows: unreadable"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
js = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(js)
for r, j in zip(rows, js):
    cols = ("orig_cc", "resp_cc", "orig_asn", "resp_asn")
    c = [r[k] or "-" for k in cols]
    # NDJSON: the same values, codes as strings, numbers as numbers
    jj = [("-" if j[k] is None else str(j[k])) for k in cols]
    assert c == jj, (c, jj)
    assert all(j[k] is None or isinstance(j[k], int) for k in cols[2:])
    print(r["id.orig_h"], r["id.resp_h"], *c)
PY
wt_check "flows: orig_cc resp_cc orig_asn resp_asn as built (CSV = NDJSON)" \
    sh -c 'sort flows.want >a; sort flows.got >b; cmp -s a b'
wt_check "flows: the geo columns come before schema" \
    sh -c 'head -n 1 own.csv | grep -q ",retrans,orig_cc,resp_cc,orig_asn,resp_asn,schema\$"'
wt_check "flows: no notice with working databases" [ ! -s own.err ]

# ---- hosts: cc, asn, as_org, city; hostile names escaped -------------
run own export -r flows.pcap --what hosts >hosts.csv
run own export -r flows.pcap --what hosts --format json >hosts.json
python3 - hosts.csv hosts.json <<'PY' >hosts.out 2>&1
import csv, json, sys
raw = open(sys.argv[1], "rb").read() + open(sys.argv[2], "rb").read()
# no terminal control reaches the files: ESC, C1 and bidi are escaped
assert b"\x1b" not in raw, "raw ESC"
assert "\u202e".encode() not in raw and "\u009b".encode() not in raw, "bidi/C1"
h = {r["addr"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
j = {r["addr"]: r for r in json.load(open(sys.argv[2]))["hosts"]}
def want(a, cc, asn, org, city, jorg, jcity):
    r = h[a]
    got = (r["cc"], r["asn"], r["as_org"], r["city"])
    assert got == (cc, asn, org, city), (a, got)
    r = j[a]
    got = (r["cc"], r["asn"], r["as_org"], r["city"])
    exp = (cc or None, int(asn) if asn else None, jorg, jcity)
    assert got == exp, (a, got, exp)
# CSV: a formula gets a ' inside quotes, ESC is \x1b, bidi \u202e
want("203.0.113.7", "NZ", "64500", "'=cmd|' /C calc'!A0",
     "Evil\\x1b[31mCity", "=cmd|' /C calc'!A0", "Evil\x1b[31mCity")
want("198.51.100.5", "DE", "64501", '"Quoted, Inc."', "Berlin",
     '"Quoted, Inc."', "Berlin")
want("198.51.100.200", "FR", "64502", "Right\\u202eLeft\\u009bOrg", "",
     "Right\u202eLeft\u009bOrg", None)
want("192.0.2.1", "", "64503", "ASN only, no country", "",
     "ASN only, no country", None)
want("2001:db8:1::5", "JP", "64504", "IPv6 Org", "T\u014dky\u014d",
     "IPv6 Org", "T\u014dky\u014d")
want("8.8.8.8", "", "", "", "", None, None)
want("10.0.0.5", "", "", "", "", None, None)
want("fd00::1", "", "", "", "", None, None)
print("ok")
PY
if grep -qx ok hosts.out; then
	wt_pass "hosts: cc asn as_org city as built, hostile names escaped (CSV, JSON)"
else
	wt_fail "hosts: $(tail -n 1 hosts.out)"
fi

# ---- report -r: countries and AS of the top talkers ------------------
run own report -r flows.pcap --format json >rep.json
run own report -r flows.pcap >rep.txt
wt_check "report: top talkers with cc, asn, as_org (JSON)" python3 -c '
import json, sys
t = {h["address"]: h for h in json.load(open("rep.json"))["top_talkers"]}
assert (t["203.0.113.7"]["cc"], t["203.0.113.7"]["asn"],
        t["203.0.113.7"]["as_org"]) == ("NZ", 64500, "=cmd|'"'"' /C calc'"'"'!A0")
assert (t["2001:db8:1::5"]["cc"], t["2001:db8:1::5"]["asn"]) == ("JP", 64504)
assert (t["10.0.0.5"]["cc"], t["10.0.0.5"]["asn"]) == (None, None)
'
wt_check "report: the text's talkers show NZ 64500 and -- for a private host" \
    sh -c 'grep -Eq " NZ +64500  203\.0\.113\.7 " rep.txt &&
    grep -Eq " -- +-  10\.0\.0\.5 " rep.txt'

# ---- no database, a missing one, a broken one ------------------------
strip() {	# the CSV without its four geo columns
	python3 -c '
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
for r in csv.DictReader(open(sys.argv[1], newline="")):
    w.writerow([v for k, v in r.items() if k not in
               ("orig_cc", "resp_cc", "orig_asn", "resp_asn")])' "$1"
}
strip own.csv >own.rest
for c in off missing broken; do
	run $c export -r flows.pcap >$c.csv
	rc=$?
	strip $c.csv >$c.rest
	n=$(wc -l <$c.err)
	case $c in
	off) want_n=0 ;;
	*) want_n=1 ;;
	esac
	if [ $rc = 0 ] && [ "$n" = $want_n ] && cmp -s own.rest $c.rest &&
	    ! wt_sanitizer_report $c.err; then
		wt_pass "$c: exit 0, $n notice line(s), every other column as with GeoIP"
	else
		wt_fail "$c: exit $rc, $n stderr lines (want $want_n), other columns $(cmp -s own.rest $c.rest && echo same || echo differ)"
		sed 's/^/    /' $c.err
	fi
done
wt_check "off: every geo column empty" python3 -c '
import csv
for r in csv.DictReader(open("off.csv", newline="")):
    assert not any(r[k] for k in ("orig_cc", "resp_cc", "orig_asn", "resp_asn"))'
wt_check "missing: the notice names both files and says the columns show --" \
    grep -q "^wiretop: GeoIP: country database $WT_TMP/none.mmdb: No such file or directory; ASN database $WT_TMP/none-asn.mmdb: No such file or directory; geo columns show --\$" missing.err
wt_check "broken country database: the notice names it; ASNs still filled" \
    sh -c "grep -q '^wiretop: GeoIP: country database $WT_TMP/broken.mmdb: ' broken.err &&
    grep -q ',,64500,' broken.csv"

# The built-in default paths (Debian's geoipupdate): absent, they are no
# problem worth a line; the screen says "GeoIP: off (no database)".
if [ -e /var/lib/GeoIP/GeoLite2-City.mmdb ] ||
    [ -e /var/lib/GeoIP/GeoLite2-Country.mmdb ] ||
    [ -e /var/lib/GeoIP/GeoLite2-ASN.mmdb ]; then
	wt_log "GeoLite2 files in /var/lib/GeoIP: the quiet default is not checked"
else
	printf '' >default.conf
	run default export -r flows.pcap >default.csv
	wt_check "default paths absent: no line on stderr, geo columns empty" \
	    sh -c '[ ! -s default.err ] && cmp -s off.csv default.csv'
fi

# ---- export --db: the history keeps each flow's geo as it was looked up
# when the flow was stored: every row, every column, as export -r gives
if run own import --db "$WT_TMP/h.db" flows.pcap >/dev/null &&
    run own export --db "$WT_TMP/h.db" --since 2023-01-01T00:00Z >db.csv; then
	tail -n +2 db.csv | sort >d
	tail -n +2 own.csv | sort >o
	wt_check "export --db: the geo columns as stored, every row as export -r gives it ($(wc -l <d) rows)" \
	    sh -c '[ -s d ] && cmp -s d o && grep -q ",JP," d'
	# a flow log of wiretop's own keeps them too
	run off import --db "$WT_TMP/l.db" own.csv >/dev/null &&
	    run off export --db "$WT_TMP/l.db" --since 2023-01-01T00:00Z >l.csv
	tail -n +2 l.csv | sort >l
	wt_check "import of the CSV export (a flow log), export --db: the same rows, geo columns too" \
	    cmp -s l o
	run own report --db "$WT_TMP/h.db" --since 2023-01-01T00:00Z \
	    --format json >repdb.json
	wt_check "report --db: the top talkers' country and AS as report -r gives them" python3 -c '
import json
t = {h["address"]: (h["cc"], h["asn"], h["as_org"])
     for h in json.load(open("repdb.json"))["top_talkers"]}
r = {h["address"]: (h["cc"], h["asn"], h["as_org"])
     for h in json.load(open("rep.json"))["top_talkers"]}
assert t == r and t["203.0.113.7"][:2] == ("NZ", 64500), (t, r)
'
else
	wt_fail "import / export --db failed: $(cat own.err)"
fi
wt_finish
