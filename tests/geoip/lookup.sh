#!/bin/sh
# lookup.sh: wiretop's GeoIP lookups (src/geoip.c, through
# tests/tools/geolookup) against what the databases were built from.
#
#  - The tests' own databases, built here from tests/geoip/geo.txt with
#    Debian's libmaxmind-db-writer-perl: every network's first, middle
#    and last address (IPv4 and IPv6), an address outside every network,
#    private addresses (never looked up), and the hostile names kept as
#    they are (cut at 128 bytes): escaping is the outputs' job.
#  - MaxMind's test databases in ../shared/corpus/mmdb: every network of
#    their source JSON (first, middle and last address), expected the
#    record of the longest network holding the address, as MaxMind's
#    writer builds them; ::a.b.c.d/N networks are IPv4 (the IPv4 subtree),
#    aliases of IPv4 (::ffff:0:0/96, 2001::/32, 2002::/16) are left out.
#  - Every broken database there (and an empty, a truncated and a random
#    file): the open fails with one notice, or the lookups fail or find
#    nothing, never a crash (also under ASan+UBSan in CI).
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init geoip-lookup
geo=${WT_TOOLS:-tests/tools}/geolookup
[ -x "$geo" ] || wt_hard "needs $geo (make check builds it)"
wt_need_tool perl python3
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
    wt_missing "MaxMind::DB::Writer::Tree not installed (libmaxmind-db-writer-perl)"
spec=$WT_SRCDIR/tests/geoip/geo.txt
perl "$WT_SRCDIR/tests/geoip/mkdb.pl" country "$spec" "$WT_TMP/c.mmdb" &&
    perl "$WT_SRCDIR/tests/geoip/mkdb.pl" asn "$spec" "$WT_TMP/a.mmdb" ||
    wt_hard "cannot build the test databases"

# The addresses to ask and the answers expected, from the spec.
python3 - "$spec" >"$WT_TMP/own.want" <<'PY' || wt_hard "spec"
import ipaddress, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip() == "" or line.startswith("#"):
        continue
    net, cc, city, asn, org = line.rstrip("\n").split("\t")
    rows.append((ipaddress.ip_network(net), cc, city, asn, org))
def unesc(s):
    out, i = bytearray(), 0
    while i < len(s):
        if s[i:i+2] == "\\x":
            out.append(int(s[i+2:i+4], 16)); i += 4
        else:
            out += s[i].encode(); i += 1
    return bytes(out[:128])
def show(b):
    return "".join(chr(c) if 0x20 <= c <= 0x7e and c != 0x5c
                   else "\\x%02x" % c for c in b) or "-"
for net, cc, city, asn, org in rows:
    for a in (net[0], net[net.num_addresses // 2], net[-1]):
        print("\t".join([str(a), "looked", cc, asn,
                         show(unesc(city)) if city != "-" else "-",
                         show(unesc(org)) if org != "-" else "-"]))
for a in ("8.8.8.8", "2001:db8:3::1"):
    print("\t".join([a, "looked", "-", "-", "-", "-"]))
for a in ("10.1.2.3", "192.168.0.1", "172.16.5.5", "127.0.0.1",
          "169.254.1.1", "100.64.0.1", "224.0.0.251", "fd00::1", "fe80::1",
          "::1", "ff02::1"):
    print("\t".join([a, "special", "-", "-", "-", "-"]))
PY
cut -f1 "$WT_TMP/own.want" | "$geo" "$WT_TMP/c.mmdb" "$WT_TMP/a.mmdb" \
    >"$WT_TMP/own.got" 2>"$WT_TMP/own.err"
if diff "$WT_TMP/own.want" "$WT_TMP/own.got" >"$WT_TMP/own.diff"; then
	wt_pass "own databases: $(wc -l <"$WT_TMP/own.want") addresses as built (IPv4, IPv6, private, hostile names)"
else
	wt_fail "own databases: lookups differ from tests/geoip/geo.txt"
	head -20 "$WT_TMP/own.diff" | sed 's/^/    /'
fi
wt_check "own databases: no notice, status 'country, ASN'" \
    grep -qx 'status: GeoIP: country, ASN' "$WT_TMP/own.err"

# No database at all: nothing looked up, and the status says so.
printf '81.2.69.142\n' | "$geo" "" "" >"$WT_TMP/none.got" 2>"$WT_TMP/none.err"
wt_check "no database: not looked up, status 'off (no database)'" \
    sh -c "grep -q '	none	-	-	-	-\$' '$WT_TMP/none.got' &&
    grep -qx 'status: GeoIP: off (no database)' '$WT_TMP/none.err' &&
    ! grep -q notice '$WT_TMP/none.err'"
# A missing file that was asked for: one notice naming it.
printf '81.2.69.142\n' | "$geo" "$WT_TMP/nope.mmdb" "" \
    >/dev/null 2>"$WT_TMP/miss.err"
wt_check "a missing database: one notice naming the file" \
    sh -c "[ \$(grep -c '^notice: GeoIP: country database $WT_TMP/nope.mmdb: No such file' '$WT_TMP/miss.err') = 1 ]"

# ---- MaxMind's test databases --------------------------------------
wt_need_corpus mmdb
M=$WT_CORPUS/mmdb
compare() {	# compare DB JSON KIND: country or asn fields vs source JSON
	python3 - "$WT_CORPUS/mmdb/source-data/$2" "$3" >"$WT_TMP/$1.want" <<'PY'
import ipaddress, json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
kind = sys.argv[2]
nets = []
for obj in data:
    for k, rec in obj.items():
        n = ipaddress.ip_network(k, strict=False)
        if n.version == 6 and n.prefixlen >= 96 and \
                int(n.network_address) >> 32 == 0:
            n = ipaddress.ip_network((int(n.network_address),
                                      n.prefixlen - 96)[0] if False else
                                     "%s/%d" % (ipaddress.IPv4Address(
                                         int(n.network_address) & 0xffffffff),
                                         n.prefixlen - 96))
        nets.append((n, rec))
aliases = [ipaddress.ip_network(x) for x in
           ("::ffff:0:0/96", "2001::/32", "2002::/16", "::/96")]
special = [ipaddress.ip_network(x) for x in
           ("0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "224.0.0.0/3",
            "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12",
            "192.168.0.0/16", "::/127", "fc00::/7", "fe80::/10", "ff00::/8")]
def within(a, lst):
    return any(a.version == n.version and a in n for n in lst)
def best(a):
    m = None
    for n, rec in nets:
        if n.version == a.version and a in n and \
                (m is None or n.prefixlen > m[0].prefixlen):
            m = (n, rec)
    return m[1] if m else None
def show(s):
    if s is None or s == "":
        return "-"
    b = s.encode("utf-8")[:128]
    return "".join(chr(c) if 0x20 <= c <= 0x7e and c != 0x5c
                   else "\\x%02x" % c for c in b)
seen = set()
for n, _ in nets:
    for a in (n[0], n[n.num_addresses // 2], n[-1]):
        if a in seen or within(a, aliases) or within(a, special):
            continue
        seen.add(a)
        r = best(a) or {}
        if kind == "country":
            c = (r.get("country") or {}).get("iso_code") or \
                (r.get("registered_country") or {}).get("iso_code")
            city = ((r.get("city") or {}).get("names") or {}).get("en")
            print("%s\t%s\t%s" % (a, c or "-", show(city)))
        else:
            asn = r.get("autonomous_system_number")
            print("%s\t%s\t%s" % (a, asn if asn else "-",
                  show(r.get("autonomous_system_organization"))))
PY
	if [ "$3" = country ]; then
		cut -f1 "$WT_TMP/$1.want" | "$geo" "$M/$1" "" 2>/dev/null |
		    cut -f1,3,5 >"$WT_TMP/$1.got"
	else
		cut -f1 "$WT_TMP/$1.want" | "$geo" "" "$M/$1" 2>/dev/null |
		    cut -f1,4,6 >"$WT_TMP/$1.got"
	fi
	if [ -s "$WT_TMP/$1.want" ] &&
	    diff "$WT_TMP/$1.want" "$WT_TMP/$1.got" >"$WT_TMP/$1.diff"; then
		wt_pass "$1: $(wc -l <"$WT_TMP/$1.want") addresses (IPv4 $(grep -vc '^[^	]*:' "$WT_TMP/$1.want"), IPv6 $(grep -c '^[^	]*:' "$WT_TMP/$1.want")) as in source-data/$2"
	else
		wt_fail "$1: lookups differ from source-data/$2"
		head -20 "$WT_TMP/$1.diff" | sed 's/^/    /'
	fi
}
for db in GeoIP2-City-Test GeoIP2-Country-Test GeoLite2-City-Test \
    GeoLite2-Country-Test; do
	compare "$db.mmdb" "$db.json" country
done
compare GeoLite2-ASN-Test.mmdb GeoLite2-ASN-Test.json asn

# The README's spot checks.
"$geo" "$M/GeoIP2-City-Test.mmdb" "$M/GeoLite2-ASN-Test.mmdb" \
    81.2.69.142 2.125.160.216 89.160.20.112 216.160.83.56 2001:218::1 \
    1.1.1.1 1.128.0.1 1.0.0.1 2>/dev/null |
    awk -F '\t' 'NR <= 5 { print $1 "\t" $3; next } { print $1 "\t" $3 "\t" $4 }' \
    >"$WT_TMP/spot"
printf '%s\n' '81.2.69.142	GB' '2.125.160.216	GB' '89.160.20.112	SE' \
    '216.160.83.56	US' '2001:218::1	JP' '1.1.1.1	-	-' \
    '1.128.0.1	-	1221' '1.0.0.1	-	15169' >"$WT_TMP/spot.want"
wt_check "README spot checks (GB, SE, US, JP, not found, AS1221, AS15169)" \
    cmp -s "$WT_TMP/spot.want" "$WT_TMP/spot"

# ---- broken databases ---------------------------------------------
head -c 3000 "$M/GeoIP2-City-Test.mmdb" >"$WT_TMP/truncated.mmdb"
: >"$WT_TMP/empty.mmdb"
# Pseudo-random bytes (a fixed seed: the same file every run), alone and
# before the metadata marker, so that the open parses them as metadata.
python3 -c '
import random, sys
r = random.Random(9)
open(sys.argv[1], "wb").write(bytes(r.randrange(256) for _ in range(65536)))
open(sys.argv[2], "wb").write(bytes(r.randrange(256) for _ in range(4096)) +
    b"\xab\xcd\xefMaxMind.com" + bytes(r.randrange(256) for _ in range(64)))
' "$WT_TMP/random.mmdb" "$WT_TMP/marker.mmdb"
for f in "$M"/*Broken*.mmdb "$M"/*Invalid*.mmdb "$M"/MaxMind-DB-test-broken-*.mmdb \
    $(find "$M/bad-data" -name '*.mmdb' | sort) "$WT_TMP/truncated.mmdb" \
    "$WT_TMP/empty.mmdb" "$WT_TMP/random.mmdb" "$WT_TMP/marker.mmdb"; do
	n=${f##*/}
	"$geo" -s "$f" "$f" >"$WT_TMP/scan.out" 2>"$WT_TMP/scan.err"
	rc=$?
	notices=$(grep -c '^notice:' "$WT_TMP/scan.err")
	lines=$(wc -l <"$WT_TMP/scan.out")
	if [ $rc = 0 ] && [ "$notices" -le 1 ] && [ "$lines" = 69632 ] &&
	    ! wt_sanitizer_report "$WT_TMP/scan.err"; then
		wt_pass "broken $n: $(grep '^status:' "$WT_TMP/scan.err" | cut -c9-), $(sed -n 's/^errors: //p' "$WT_TMP/scan.err") lookup errors, no crash"
	else
		wt_fail "broken $n: exit $rc, $notices notices, $lines lines"
		head -5 "$WT_TMP/scan.err" | sed 's/^/    /'
	fi
done
wt_finish
