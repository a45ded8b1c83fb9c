#!/bin/sh
# import.sh: `wiretop import` into a fresh history database, then
# `export --db` and the database itself, checked against the same file:
#   - flows from the database are the rows of `export -r` on the file;
#   - per-second samples (rx + tx packets and bytes) equal tshark's count
#     of frames and frame bytes in each second;
#   - per-host totals (bytes and packets in and out, summed over the
#     hours) equal tshark's per-address count of IP frames (first IP
#     header of each frame: the captures chosen carry no tunnel), and on
#     tunnel fixtures the hand-computed expected hosts (innermost layer);
#   - per-service totals add up to tshark's IP frames and bytes;
#   - per-minute and per-hour rollups are the sums of their seconds;
#   - a second import of the same file changes nothing.
# Captures: pcapgen fixtures (tests/pcap/*.txt) and corpus files.  Needs
# python3 (with its sqlite3 module) and tshark; under CI=true a missing
# one fails.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-import
wt_need_wiretop
wt_need_tool python3 tshark
wt_need_sqlite3
wt_need_pcapgen

caps=
for f in basic-tcp icmp-echo ipv6 dns-name frag; do
	"$pcapgen" -o "$WT_TMP/$f.pcap" "$WT_SRCDIR/tests/pcap/$f.txt" ||
	    wt_hard "pcapgen $f.txt failed"
	caps="$caps $WT_TMP/$f.pcap"
done
if [ -n "${WT_CORPUS:-}" ] && [ -d "$WT_CORPUS/real" ]; then
	for f in zeek_http-get.pcap ndpi_http-ipv6.pcap ndpi_iphone.pcap \
	    zeek_dhcp.pcap; do
		[ -f "$WT_CORPUS/real/$f" ] && caps="$caps $WT_CORPUS/real/$f"
	done
else
	wt_missing "no corpus at ${WT_CORPUS:-(unset)}"
fi

# check.py DB PCAP FLOWS_R FLOWS_DB: every check of one capture; prints
# "ok - ..." / "not ok - ..." lines.
cat >"$WT_TMP/check.py" <<'PY'
import wtdb, subprocess, sys, collections
db, pcap, fr, fd, name = sys.argv[1:6]
def out(ok, what):
    print(("ok - " if ok else "not ok - ") + name + ": " + what)
rows_r = sorted(open(fr).read().splitlines()[1:])
rows_d = sorted(open(fd).read().splitlines()[1:])
head_r = open(fr).readline(); head_d = open(fd).readline()
out(head_r == head_d and rows_r == rows_d and len(rows_r) > 0,
    "export --db flows = export -r flows (%d rows, %d from db)" %
    (len(rows_r), len(rows_d)))
if rows_r != rows_d:
    for l in sorted(set(rows_r) ^ set(rows_d))[:6]:
        print("#   " + ("-r  " if l in rows_r else "db  ") + l)
t = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-E",
    "occurrence=f", "-e", "frame.time_epoch", "-e", "frame.len", "-e",
    "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst"],
    capture_output=True, text=True, check=True).stdout
sec = collections.Counter(); secb = collections.Counter()
hb = collections.Counter(); hp = collections.Counter()
ipp = ipb = 0
for line in t.splitlines():
    ts, ln, s4, d4, s6, d6 = (line.split("\t") + [""] * 6)[:6]
    s = int(ts.split(".")[0]); n = int(ln)
    sec[s] += 1; secb[s] += n
    src, dst = (s4, d4) if s4 else (s6, d6)
    if src:
        ipp += 1; ipb += n
        hb[(src, "out")] += n; hp[(src, "out")] += 1
        hb[(dst, "in")] += n; hp[(dst, "in")] += 1
c = wtdb.connect(db)
got = {r[0]: (r[1], r[2]) for r in c.execute(
    "select ts, sum(rx_pkts + tx_pkts), sum(rx_bytes + tx_bytes) "
    "from samples_sec group by ts")}
want = {s: (sec[s], secb[s]) for s in sec}
out(got == want, "per-second packets and bytes = tshark's (%d seconds)" %
    len(want))
if got != want:
    for s in sorted(set(got) | set(want))[:5]:
        print("#   %s db %s tshark %s" % (s, got.get(s), want.get(s)))
hosts = {}
for a, bi, bo, pi, po in c.execute("select addr, sum(bytes_in), "
        "sum(bytes_out), sum(pkts_in), sum(pkts_out) from host_hour "
        "group by addr"):
    hosts[a] = (bi, bo, pi, po)
addrs = {a for a, _ in hb}
wanth = {a: (hb[(a, "in")], hb[(a, "out")], hp[(a, "in")], hp[(a, "out")])
    for a in addrs}
out(hosts == wanth, "per-host bytes and packets = tshark's (%d hosts)" %
    len(wanth))
if hosts != wanth:
    for a in sorted(set(hosts) | set(wanth))[:5]:
        if hosts.get(a) != wanth.get(a):
            print("#   %s db %s tshark %s" % (a, hosts.get(a), wanth.get(a)))
sv = c.execute("select coalesce(sum(pkts), 0), coalesce(sum(bytes), 0) "
    "from service_hour").fetchone()
out(sv == (ipp, ipb), "services add up to tshark's IP frames and bytes "
    "(%s, want %s)" % (sv, (ipp, ipb)))
dsv = c.execute("select coalesce(sum(pkts), 0), coalesce(sum(bytes), 0) "
    "from service_day").fetchone()
dh = c.execute("select coalesce(sum(bytes_in), 0) from host_day").fetchone()
hh = c.execute("select coalesce(sum(bytes_in), 0) from host_hour").fetchone()
out(dsv == sv and dh == hh, "per-day totals = the sum of the hours")
cols = "rx_bytes, tx_bytes, rx_pkts, tx_pkts, drops, decode_errors"
sums = ", ".join("sum(%s)" % x for x in cols.split(", "))
for tier, width in (("samples_min", 60), ("samples_hour", 3600)):
    a = sorted(c.execute("select ts, source, %s from %s" % (cols, tier)))
    b = sorted(c.execute("select ts - ts %% %d, source, %s from samples_sec "
        "group by 1, 2" % (width, sums)))
    out(a == b and len(a) > 0, "%s rows = the sums of their seconds "
        "(%d rows)" % (tier, len(a)))
PY

for cap in $caps; do
	name=$(basename "$cap")
	db=$WT_TMP/$name.db
	if ! "$WIRETOP" import --db "$db" "$cap" 2>"$WT_TMP/err"; then
		wt_fail "$name: import failed: $(head -3 "$WT_TMP/err")"
		continue
	fi
	wt_pass "$name: imported"
	"$WIRETOP" export -r "$cap" >"$WT_TMP/r.csv" 2>/dev/null
	"$WIRETOP" export --db "$db" --since 1970-01-01 >"$WT_TMP/d.csv" ||
	    wt_fail "$name: export --db failed"
	python3 "$WT_TMP/check.py" "$db" "$cap" "$WT_TMP/r.csv" \
	    "$WT_TMP/d.csv" "$name" >"$WT_TMP/out" 2>&1 ||
	    wt_fail "$name: check.py: $(tail -3 "$WT_TMP/out")"
	cat "$WT_TMP/out"
	while read -r l; do
		case $l in
		"ok - "*) WT_PASSES=$((WT_PASSES + 1)); WT_N=$((WT_N + 1)) ;;
		"not ok - "*) WT_FAILS=$((WT_FAILS + 1)); WT_N=$((WT_N + 1)) ;;
		esac
	done <"$WT_TMP/out"

	# The same file again: refused in one line, nothing counted twice.
	q="select (select count(*) from flows), (select sum(rx_bytes + tx_bytes) from samples_sec), (select sum(bytes_in) from host_hour), (select count(*) from imported_files)"
	before=$(python3 -c "import wtdb,sys; print(wtdb.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" "$db" "$q")
	"$WIRETOP" import --db "$db" "$cap" 2>"$WT_TMP/err"
	rc=$?
	after=$(python3 -c "import wtdb,sys; print(wtdb.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" "$db" "$q")
	if [ $rc -eq 0 ] && [ "$before" = "$after" ] &&
	    [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
	    grep -q "already in" "$WT_TMP/err"; then
		wt_pass "$name: a second import is refused, nothing counted twice"
	else
		wt_fail "$name: second import: rc $rc, $before -> $after: $(cat "$WT_TMP/err")"
	fi
done

# An import that did not finish (its file marked as started only, as an
# interrupted one leaves it): refused, exit 4, one line, nothing added.
db=$WT_TMP/basic-tcp.pcap.db
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update imported_files set complete = 0"); c.commit()' "$db"
n0=$("$WIRETOP" export --db "$db" --since 1970-01-01 --format ndjson | wc -l)
"$WIRETOP" import --db "$db" "$WT_TMP/basic-tcp.pcap" 2>"$WT_TMP/err"
rc=$?
n1=$("$WIRETOP" export --db "$db" --since 1970-01-01 --format ndjson | wc -l)
[ $rc -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] && [ "$n0" -eq "$n1" ] &&
    grep -q interrupted "$WT_TMP/err"
wt_check "a file whose import was interrupted: refused (rc $rc, flows $n0 -> $n1): $(cat "$WT_TMP/err")" \
    [ $? -eq 0 ]
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update imported_files set complete = 1"); c.commit()' "$db"

# Two files in one import, then a third: the flows of all of them.
set -- $caps
db=$WT_TMP/multi.db
if "$WIRETOP" import --db "$db" "$1" "$2" 2>"$WT_TMP/err" &&
    "$WIRETOP" import --db "$db" "$3" 2>>"$WT_TMP/err"; then
	n=$("$WIRETOP" export --db "$db" --since 1970-01-01 --format ndjson |
	    wc -l)
	m=0
	for c in "$1" "$2" "$3"; do
		m=$((m + $("$WIRETOP" export -r "$c" --format ndjson | wc -l)))
	done
	wt_check "three files in two imports: $n flow records, want $m" \
	    [ "$n" -eq "$m" ]
else
	wt_fail "import of several files failed: $(cat "$WT_TMP/err")"
fi

# export --db: --until, relative times, JSON, and what does not apply.
db=$WT_TMP/basic-tcp.pcap.db
n=$("$WIRETOP" export --db "$db" --since 1h --format ndjson | wc -l)
wt_check "--since 1h (from the newest data): 1 flow, got $n" [ "$n" -eq 1 ]
n=$("$WIRETOP" export --db "$db" --since 2023-01-01 \
    --until 2023-11-14T22:13:20Z --format ndjson | wc -l)
wt_check "--until before the flow: 0 flows, got $n" [ "$n" -eq 0 ]
n=$("$WIRETOP" export --db "$db" --since 2023-11-14T23:13:20+01:00 \
    --until 2023-11-14T22:13:21Z --format ndjson | wc -l)
wt_check "--since with an offset, --until 1 s later: 1 flow, got $n" \
    [ "$n" -eq 1 ]
for w in flows hosts services samples; do
	"$WIRETOP" export --db "$db" --since 1d --what $w --format json \
	    >"$WT_TMP/j" &&
	    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
	    "$WT_TMP/j" 2>/dev/null
	wt_check "export --db --what $w --format json is valid JSON" \
	    [ $? -eq 0 ]
done
"$WIRETOP" export --db "$db" --since yesterday 2>"$WT_TMP/err"
wt_check "--since yesterday: usage error (2)" [ $? -eq 2 ]
"$WIRETOP" export --db "$db" 2>"$WT_TMP/err"
wt_check "export --db without --since: usage error (2)" [ $? -eq 2 ]
"$WIRETOP" export --db "$db" --since 1h --what summary 2>"$WT_TMP/err"
wt_check "export --db --what summary: usage error (2)" [ $? -eq 2 ]
"$WIRETOP" export -r "$1" --what samples 2>"$WT_TMP/err"
wt_check "export -r --what samples: usage error (2)" [ $? -eq 2 ]
"$WIRETOP" export --db "$WT_TMP/none.db" --since 1h 2>"$WT_TMP/err"
rc=$?
[ $rc -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ]
wt_check "export --db of a missing file: exit 4, one line (rc $rc)" \
    [ $? -eq 0 ]
"$WIRETOP" import --db "$WT_TMP/x.db" - <"$1" 2>"$WT_TMP/err"
wt_check "import of standard input: usage error (2)" [ $? -eq 2 ]

# Tunnels: host totals in the database count each frame once, at its
# innermost layer, as the engine's hosts do: for each tunnel fixture the
# database's hosts are tests/pcap/expected/NAME.hosts (worked out by
# hand: the overlay hosts carry the frames, a tunnel endpoint only what
# it sent outside tunnels).
for f in vxlan gre teredo tunnel-depth; do
	"$pcapgen" -o "$WT_TMP/$f.pcap" "$WT_SRCDIR/tests/pcap/$f.txt" ||
	    wt_hard "pcapgen $f.txt failed"
	db=$WT_TMP/$f.db
	"$WIRETOP" import --db "$db" "$WT_TMP/$f.pcap" 2>"$WT_TMP/err" ||
	    wt_hard "import of $f failed: $(cat "$WT_TMP/err")"
	"$WIRETOP" export --db "$db" --since 1d --what hosts \
	    >"$WT_TMP/$f.dbhosts" 2>"$WT_TMP/err" ||
	    wt_hard "export --db of $f failed: $(cat "$WT_TMP/err")"
	python3 - "$WT_SRCDIR/tests/pcap/expected/$f.hosts" \
	    "$WT_TMP/$f.dbhosts" >"$WT_TMP/cmp" <<'PY'
import csv, sys
want = {r["addr"]: (int(r["bytes_in"]), int(r["bytes_out"]),
    int(r["pkts_in"]), int(r["pkts_out"]))
    for r in csv.DictReader(open(sys.argv[1]))}
got = {r["addr"]: (int(r["bytes_in"]), int(r["bytes_out"]),
    int(r["pkts_in"]), int(r["pkts_out"]))
    for r in csv.DictReader(open(sys.argv[2]))}
print("ok" if want == got and want else "want %s got %s" % (want, got))
PY
	wt_check "$f: database hosts = the hand-computed expected/$f.hosts" \
	    [ "$(cat "$WT_TMP/cmp")" = ok ]
done

# A big file (over 16 MiB) is known by its size, its first and last 4 MiB
# and 64 KiB of every 64 MiB between (wiretop.8): the same file again is
# a no-op; a copy with one byte changed in its last 4 MiB is another
# file; a copy changed only outside those regions is, as documented,
# taken for the same file.
benchgen=${WT_TOOLS:-tests/tools}/benchgen
[ -x "$benchgen" ] || wt_hard "needs $benchgen (make check builds it)"
big=$WT_TMP/big.pcap
"$benchgen" -o "$big" --short -f 15000 >/dev/null 2>&1 ||
    wt_hard "benchgen failed"
size=$(stat -c %s "$big")
wt_check "the big capture is over 16 MiB ($size bytes)" \
    [ "$size" -gt 16777216 ]
db=$WT_TMP/big.db
"$WIRETOP" import --db "$db" "$big" 2>"$WT_TMP/err"
wt_check "big file: imported (exit $?)" [ $? -eq 0 ]
"$WIRETOP" import --db "$db" "$big" 2>"$WT_TMP/err"
rc=$?
wt_check "big file again: exit 0, nothing imported ($(cat "$WT_TMP/err"))" \
    eval '[ $rc -eq 0 ] && grep -q "already in" "$WT_TMP/err"'
flows() {
	wt_sql "$1" "select count(*) from flows"
}

# names learned again over time: a row per address and name, its first
# time and its newest (tests/store/dns-repeat.txt: base 1700000000)
"$pcapgen" -o "$WT_TMP/dns-repeat.pcap" "$WT_SRCDIR/tests/store/dns-repeat.txt" ||
    wt_hard "pcapgen dns-repeat.txt failed"
"$WIRETOP" import --db "$WT_TMP/names.db" "$WT_TMP/dns-repeat.pcap" \
    2>"$WT_TMP/err"
wt_check "names over time: imported (exit $?)" [ $? -eq 0 ]
got=$(wt_sql "$WT_TMP/names.db" "select addr, name, first_ts - 1700000000,
    last_ts - 1700000000 from names order by addr, name" | tr '\n' ' ')
want="2606:2800:220:1:248:1893:25c8:1946|www.example.com|20|20 "
want="${want}93.184.216.34|alias.example.net|10|130 "
want="${want}93.184.216.34|www.example.com|0|200 "
wt_check "names over time: first and newest times ($got)" [ "$got" = "$want" ]
got=$(wt_sql "$WT_TMP/names.db" "select count(distinct kind) from names")
wt_check "names over time: one kind, the DNS answer's ($got)" [ "$got" = 1 ]
n1=$(flows "$db")
wt_check "big file: 15000 flow records ($n1)" [ "$n1" = 15000 ]
# flip one byte (a payload byte, not a header) 1000 bytes from the end
cp "$big" "$WT_TMP/tail.pcap"
printf 'Z' | dd of="$WT_TMP/tail.pcap" bs=1 seek=$((size - 1000)) \
    conv=notrunc 2>/dev/null
"$WIRETOP" import --db "$db" "$WT_TMP/tail.pcap" 2>"$WT_TMP/err"
n2=$(flows "$db")
wt_check "a copy changed in its last 4 MiB is another file ($n2 records, want 30000)" \
    [ "$n2" = 30000 ]
cp "$big" "$WT_TMP/mid.pcap"
printf 'Z' | dd of="$WT_TMP/mid.pcap" bs=1 seek=$((6 * 1048576)) \
    conv=notrunc 2>/dev/null
"$WIRETOP" import --db "$db" "$WT_TMP/mid.pcap" 2>"$WT_TMP/err"
wt_check "a copy changed only between the sampled regions is the same file, as documented" \
    grep -q "already in" "$WT_TMP/err"
wt_finish
