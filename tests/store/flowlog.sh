#!/bin/sh
# flowlog.sh: `wiretop import` of flow logs, checked against the logs
# themselves (awk over the input file), never against wiretop's output:
#   - Zeek conn.log TSV: each of the corpus's 8 Zeek baselines.  Their
#     timestamps are masked by Zeek's test suite (XXXXXXXXXX.XXXXXX): as
#     they are, every record is a malformed line (the line numbers of the
#     first 10, then "N more", as awk numbers the records); with each
#     mask replaced by a time made here (1600000000 + the line number),
#     `export --db --what flows` gives exactly the log's records (5-tuple,
#     service, duration, bytes, state, history, packets, IP bytes,
#     tunnel parents; Zeek's unset "-" as 0 or null), and the per-host
#     and per-service totals are awk's sums of the log (Zeek has no wire
#     bytes: totals use orig_ip_bytes/resp_ip_bytes, doc/wiretop.8); the
#     packet clock (meta newest) is the end of the newest record;
#   - Zeek conn.log JSON (LogAscii::use_json=T), made here from the same
#     logs with python (epoch ts, and ISO 8601 ts as json_timestamps=
#     JSON::TS_ISO8601 writes it; unset fields left out): the same records;
#   - wiretop's CSV, NDJSON and JSON flow exports of pcapgen fixtures: a
#     fresh database gives back the export field by field (all columns:
#     the export carries every column of the flows table);
#   - malformed lines (a bad port, a 100 000-byte line, a NUL byte, a
#     truncated JSON object) are reported with exactly their line
#     numbers, and the good lines are imported;
#   - retention (retention_flows) keeps exactly the records newer than
#     the newest record's end - the limit;
#   - a file imported twice changes nothing; a file that is neither a
#     capture nor a known flow log is refused in one line with exit 2;
#   - a capture and a flow log in one command;
#   - text that would start a spreadsheet formula (a Zeek service
#     "=1+2", a history "-2+3", a uid "@C1"): every CSV export of the
#     database (flows, services) writes it as "'=1+2" in quotes, the JSON
#     exports as it is, and the CSV imported again gives it back as it
#     was; a source's name in the summary of a capture too.
# Needs the corpus (zeek-baselines/), awk and python3 (CI=true: required).
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-flowlog
wt_need_wiretop
wt_need_tool awk python3
wt_need_sqlite3
wt_need_pcapgen
wt_need_corpus zeek-baselines
zb=$WT_CORPUS/zeek-baselines

# expected TSV: the records of a Zeek conn.log (awk over the file), one a
# line: ts uid orig_h orig_p resp_h resp_p proto service duration
# orig_bytes resp_bytes conn_state history orig_pkts orig_ip_bytes
# resp_pkts resp_ip_bytes tunnel_parents, unset as wiretop keeps it.
cat >"$WT_TMP/expect.awk" <<'AWK'
BEGIN { FS = "\t" }
/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
/^#/ || NF == 0 { next }
function v(name, zero,   x) {
	x = (name in col) ? $(col[name]) : "-"
	if (x == "-" || x == "(empty)") return zero
	return x
}
{
	print v("ts", "") "|" v("uid", "") "|" v("id.orig_h", "") "|" \
	    v("id.orig_p", "") "|" v("id.resp_h", "") "|" v("id.resp_p", "") \
	    "|" v("proto", "") "|" v("service", "") "|" \
	    v("duration", "0.000000") "|" v("orig_bytes", 0) "|" \
	    v("resp_bytes", 0) "|" v("conn_state", "") "|" v("history", "") \
	    "|" v("orig_pkts", 0) "|" v("orig_ip_bytes", 0) "|" \
	    v("resp_pkts", 0) "|" v("resp_ip_bytes", 0) "|" \
	    v("tunnel_parents", "")
}
AWK
# host and service totals of those records (awk): a record with packets
# adds its IP bytes and packets to both hosts (out for the sender) and to
# its service (the service, else proto/resp_p), and counts one flow.
cat >"$WT_TMP/totals.awk" <<'AWK'
BEGIN { FS = "|" }
$14 + $16 > 0 {
	h[$3] = 1; h[$5] = 1
	bout[$3] += $15; bin[$3] += $17; pout[$3] += $14; pin[$3] += $16
	bin[$5] += $15; bout[$5] += $17; pin[$5] += $14; pout[$5] += $16
	fl[$3]++; fl[$5]++
	s = $8 != "" ? $8 : $7 "/" $6
	sb[s] += $15 + $17; sp[s] += $14 + $16; sf[s]++
}
END {
	for (a in h)
		print "host " a " " bin[a] " " bout[a] " " pin[a] " " pout[a] \
		    " " fl[a]
	for (s in sb)
		print "service " s " " sb[s] " " sp[s] " " sf[s]
}
AWK
# got.py DB: the same lines from export --db (flows, hosts, services),
# read with python's csv module.
cat >"$WT_TMP/got.py" <<'PY'
import csv, subprocess, sys
wt, db, what = sys.argv[1:4]
out = subprocess.run([wt, "export", "--db", db, "--since", "1970-01-01",
    "--what", what, "--format", "csv"], capture_output=True, text=True,
    check=True).stdout
rows = list(csv.DictReader(out.splitlines()))
for r in rows:
    if what == "flows":
        print("|".join(r[k] for k in ("ts", "uid", "id.orig_h", "id.orig_p",
            "id.resp_h", "id.resp_p", "proto", "service", "duration",
            "orig_bytes", "resp_bytes", "conn_state", "history",
            "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
            "tunnel_parents")))
    elif what == "hosts":
        print("host", r["addr"], r["bytes_in"], r["bytes_out"],
            r["pkts_in"], r["pkts_out"], r["flows"])
    else:
        print("service", r["service"], r["bytes"], r["pkts"], r["flows"])
PY
got() {
	python3 "$WT_TMP/got.py" "$WIRETOP" "$1" "$2" | LC_ALL=C sort
}
# same DESC FILE1 FILE2: pass if equal, else fail showing a few lines.
same() {
	if cmp -s "$2" "$3"; then
		wt_pass "$1 ($(wc -l <"$2") lines)"
	else
		wt_fail "$1"
		diff "$2" "$3" | head -8 | sed 's/^/#   /'
	fi
}
# rows DB SQL: the first column of the query's first row.
rows() {
	wt_sql "$1" "$2" | head -n 1 | cut -d '|' -f 1
}

# tojson.py TSV OUT ISO: Zeek's JSON form of a conn.log (LogAscii::
# use_json=T): one object a line, fields in #fields order, typed by
# #types, unset fields left out, sets as arrays; ts as an epoch number,
# or (ISO=1) as JSON::TS_ISO8601 writes it.
cat >"$WT_TMP/tojson.py" <<'PY'
import json, sys, datetime
src, dst, iso = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
names = types = None
out = open(dst, "w")
for line in open(src):
    line = line.rstrip("\n")
    if line.startswith("#fields\t"):
        names = line.split("\t")[1:]
    elif line.startswith("#types\t"):
        types = line.split("\t")[1:]
    if line.startswith("#") or not line:
        continue
    parts = []
    for n, t, v in zip(names, types, line.split("\t")):
        if v == "-":
            continue
        if t.startswith("set[") or t.startswith("vector["):
            val = [] if v == "(empty)" else v.split(",")
            parts.append(json.dumps(n) + ":" + json.dumps(val))
        elif t in ("count", "port", "int"):
            parts.append(json.dumps(n) + ":" + v)
        elif t == "bool":
            parts.append(json.dumps(n) + ":" + ("true" if v == "T" else "false"))
        elif t in ("time", "interval", "double"):
            if n == "ts" and iso:
                s, us = v.split(".")
                d = datetime.datetime.fromtimestamp(int(s), datetime.timezone.utc)
                v = json.dumps(d.strftime("%Y-%m-%dT%H:%M:%S") + "." + us + "Z")
            parts.append(json.dumps(n) + ":" + v)
        else:
            parts.append(json.dumps(n) + ":" + json.dumps(v))
    out.write("{" + ",".join(parts) + "}\n")
PY

# ---- Zeek conn.log TSV and JSON: the 8 baselines -----------------------
k=0
for log in "$zb"/*.conn.log; do
	b=$(basename "$log" .conn.log)
	k=$((k + 1))
	# as they are: every record's ts is masked, so every record is a
	# malformed line
	awk '!/^#/ && NF > 0 { print NR }' "$log" >"$WT_TMP/$b.lines"
	n=$(wc -l <"$WT_TMP/$b.lines")
	"$WIRETOP" import --db "$WT_TMP/$b-masked.db" "$log" \
	    >/dev/null 2>"$WT_TMP/err"
	rc=$?
	sed -n 's/^wiretop: import: .*:\([0-9]*\): malformed line: ts: .*/\1/p' \
	    "$WT_TMP/err" >"$WT_TMP/got.lines"
	head -10 "$WT_TMP/$b.lines" >"$WT_TMP/want.lines"
	more=0
	[ "$n" -gt 10 ] && more=$((n - 10))
	if [ $rc -eq 0 ] && cmp -s "$WT_TMP/got.lines" "$WT_TMP/want.lines" &&
	    { [ $more -eq 0 ] || grep -q ": $more more malformed lines\$" \
	    "$WT_TMP/err"; } &&
	    grep -q ": 0 records imported, $n malformed lines skipped\$" \
	    "$WT_TMP/err"; then
		wt_pass "$b as stored (masked ts): $n malformed lines, the first lines reported by number, exit 0"
	else
		wt_fail "$b as stored (masked ts): exit $rc: $(head -3 "$WT_TMP/err")"
	fi

	# with times: the mask replaced by 1600000000 + the line number
	awk 'BEGIN { FS = OFS = "\t" }
	    /^#/ || NF == 0 { print; next }
	    { $1 = sprintf("%d.%06d", 1600000000 + NR, NR * 7); print }' \
	    "$log" >"$WT_TMP/$b.log"
	awk -f "$WT_TMP/expect.awk" "$WT_TMP/$b.log" | LC_ALL=C sort \
	    >"$WT_TMP/$b.want"
	db=$WT_TMP/$b.db
	"$WIRETOP" import --db "$db" "$WT_TMP/$b.log" 2>"$WT_TMP/err"
	rc=$?
	[ $rc -eq 0 ] && grep -q ": $n records imported, 0 malformed lines skipped\$" \
	    "$WT_TMP/err"
	wt_check "$b: import exit 0 (rc $rc), the summary says $n records: $(cat "$WT_TMP/err")" \
	    [ $? -eq 0 ]
	got "$db" flows >"$WT_TMP/got"
	same "$b: export --db flows = the log's records, field by field" \
	    "$WT_TMP/$b.want" "$WT_TMP/got"
	# per-field sums, as the brief of the test asks (they follow from
	# the records, and say which field is off when one is)
	for f in 10 11 14 15 16 17; do
		w=$(awk -F'|' -v f=$f '{ s += $f } END { print s + 0 }' \
		    "$WT_TMP/$b.want")
		g=$(awk -F'|' -v f=$f '{ s += $f } END { print s + 0 }' \
		    "$WT_TMP/got")
		[ "$w" = "$g" ] || wt_fail "$b: sum of field $f: $g, want $w"
	done
	awk -f "$WT_TMP/totals.awk" "$WT_TMP/$b.want" | LC_ALL=C sort \
	    >"$WT_TMP/want.tot"
	{ got "$db" hosts; got "$db" services; } | LC_ALL=C sort \
	    >"$WT_TMP/got.tot"
	same "$b: per-host and per-service totals = awk's sums over the log" \
	    "$WT_TMP/want.tot" "$WT_TMP/got.tot"
	# the end of the newest record, in whole seconds (exact: the
	# fractions are added as integers of us)
	want=$(awk -F'|' '{ split($1, t, "."); split($9, d, ".")
	    e = t[1] + d[1] + (t[2] + d[2] >= 1000000 ? 1 : 0)
	    if (e > m) m = e } END { print m }' "$WT_TMP/$b.want")
	nw=$(rows "$db" "select value from meta where key = 'newest'")
	wt_check "$b: the packet clock is the newest record's end ($nw, want $want)" \
	    [ "$nw" = "$want" ]

	# Zeek's JSON form of the same log; every other one with ISO ts
	python3 "$WT_TMP/tojson.py" "$WT_TMP/$b.log" "$WT_TMP/$b.json" \
	    $((k % 2))
	"$WIRETOP" import --db "$WT_TMP/$b-json.db" "$WT_TMP/$b.json" \
	    2>"$WT_TMP/err"
	rc=$?
	got "$WT_TMP/$b-json.db" flows >"$WT_TMP/got"
	[ $rc -eq 0 ] || wt_fail "$b.json: import exit $rc: $(cat "$WT_TMP/err")"
	same "$b as Zeek JSON ($([ $((k % 2)) = 1 ] && echo ISO 8601 || echo epoch) ts): the log's records" \
	    "$WT_TMP/$b.want" "$WT_TMP/got"
done

# ---- the same file twice: a no-op -------------------------------------
db=$WT_TMP/zeek_wikipedia.db
before=$(got "$db" hosts | cksum)
nflows=$(rows "$db" "select count(*) from flows")
"$WIRETOP" import --db "$db" "$WT_TMP/zeek_wikipedia.log" 2>"$WT_TMP/err"
rc=$?
[ $rc -eq 0 ] && grep -q "already in" "$WT_TMP/err" &&
    [ "$(rows "$db" "select count(*) from flows")" = "$nflows" ] &&
    [ "$(got "$db" hosts | cksum)" = "$before" ]
wt_check "the same log twice: exit $rc, nothing added ($nflows flows): $(cat "$WT_TMP/err")" \
    [ $? -eq 0 ]

# ---- retention applies to imported records ----------------------------
# zeek_wikipedia with its records 100 s apart and retention_flows 600:
# the records left are those whose ts >= the newest record's end - 600
# (awk over the log)
awk 'BEGIN { FS = OFS = "\t" }
    /^#/ || NF == 0 { print; next }
    { $1 = sprintf("%d.%06d", 1600000000 + NR * 100, NR); print }' \
    "$zb/zeek_wikipedia.conn.log" >"$WT_TMP/spread.log"
awk -f "$WT_TMP/expect.awk" "$WT_TMP/spread.log" >"$WT_TMP/spread.all"
want=$(awk -F'|' '{ split($1, t, "."); split($9, d, ".")
    e = t[1] + d[1] + (t[2] + d[2] >= 1000000 ? 1 : 0); if (e > m) m = e
    ts[NR] = $1 } END { for (i in ts) if (ts[i] >= m - 600) n++; print n }' \
    "$WT_TMP/spread.all")
printf 'retention_flows = 600\n' >"$WT_TMP/ret.conf"
WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" import -c "$WT_TMP/ret.conf" \
    --db "$WT_TMP/ret.db" "$WT_TMP/spread.log" 2>/dev/null
n=$(rows "$WT_TMP/ret.db" "select count(*) from flows")
wt_check "retention_flows 600 on imported records: $n of $(wc -l <"$WT_TMP/spread.all") left, want $want" \
    [ "$n" = "$want" ]

# ---- refused: neither a capture nor a known log -----------------------
printf 'hello, world\nthis is not a flow log\n' >"$WT_TMP/text.txt"
: >"$WT_TMP/empty"
"$pcapgen" -o "$WT_TMP/basic-tcp.pcap" "$WT_SRCDIR/tests/pcap/basic-tcp.txt" ||
    wt_hard "pcapgen failed"
"$WIRETOP" export -r "$WT_TMP/basic-tcp.pcap" --what hosts --format csv \
    >"$WT_TMP/hosts.csv"
for f in text.txt empty hosts.csv; do
	"$WIRETOP" import --db "$db" "$WT_TMP/$f" >/dev/null 2>"$WT_TMP/err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
	    grep -q "neither a capture file" "$WT_TMP/err" &&
	    [ "$(rows "$db" "select count(*) from flows")" = "$nflows" ]
	wt_check "$f: refused, exit 2 (got $rc), one line, nothing written: $(cat "$WT_TMP/err")" \
	    [ $? -eq 0 ]
done

# ---- malformed lines among good ones ----------------------------------
# zeek_wikipedia with 3 bad lines put in at known places: a port out of
# range, a line of 100 000 bytes, a NUL byte in the uid.
src=$WT_TMP/zeek_wikipedia.log
good=$(awk '!/^#/ && NF > 0' "$src" | wc -l)
python3 - "$src" "$WT_TMP/bad.log" <<'PY' >"$WT_TMP/bad.want"
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
first = next(i for i, l in enumerate(lines) if l and not l.startswith(b"#"))
rec = lines[first].split(b"\t")
bad1 = b"\t".join(rec[:3] + [b"99999"] + rec[4:])
bad2 = b"\t".join(rec[:1] + [b"C" * 100000] + rec[2:])
bad3 = b"\t".join(rec[:1] + [b"Cab\x00cd"] + rec[2:])
out = lines[:first + 2] + [bad1] + lines[first + 2:first + 6] + [bad2] + \
    lines[first + 6:first + 9] + [bad3] + lines[first + 9:]
open(sys.argv[2], "wb").write(b"\n".join(out))
for i, l in enumerate(out):
    if l in (bad1, bad2, bad3):
        print(i + 1)
PY
"$WIRETOP" import --db "$WT_TMP/bad.db" "$WT_TMP/bad.log" 2>"$WT_TMP/err"
rc=$?
sed -n 's/^wiretop: import: .*bad\.log:\([0-9]*\): malformed line: .*/\1/p' \
    "$WT_TMP/err" >"$WT_TMP/bad.got"
same "3 malformed lines in a TSV log: exactly their line numbers reported" \
    "$WT_TMP/bad.want" "$WT_TMP/bad.got"
n=$(rows "$WT_TMP/bad.db" "select count(*) from flows")
[ $rc -eq 0 ] && [ "$n" -eq "$good" ] &&
    grep -q ": $good records imported, 3 malformed lines skipped\$" "$WT_TMP/err"
wt_check "the $good good lines are imported ($n), the summary says so, exit 0 (rc $rc)" \
    [ $? -eq 0 ]
[ "$(wc -L <"$WT_TMP/err")" -lt 200 ]
wt_check "no message quotes the long line" [ $? -eq 0 ]

# NDJSON: a truncated object (new line 2), a count past 2^53 (the 4th
# record, line 5), a control byte in a member name's place (line 7)
python3 "$WT_TMP/tojson.py" "$src" "$WT_TMP/ok.json" 0
awk 'NR == 2 { print substr($0, 1, 40) }
    NR == 4 { sub(/"orig_pkts":[0-9]+/, "\"orig_pkts\":18014398509481985") }
    NR == 6 { printf "{\"ts\":1,%c}\n", 1 }
    { print }' "$WT_TMP/ok.json" >"$WT_TMP/bad.json"
printf '2\n5\n7\n' >"$WT_TMP/badj.want"
"$WIRETOP" import --db "$WT_TMP/badj.db" "$WT_TMP/bad.json" 2>"$WT_TMP/err"
rc=$?
sed -n 's/^wiretop: import: .*bad\.json:\([0-9]*\): malformed line: .*/\1/p' \
    "$WT_TMP/err" >"$WT_TMP/badj.got"
same "3 malformed lines in a JSON log: exactly their line numbers reported" \
    "$WT_TMP/badj.want" "$WT_TMP/badj.got"
n=$(rows "$WT_TMP/badj.db" "select count(*) from flows")
[ "$n" -eq $((good - 1)) ] && [ $rc -eq 0 ]
wt_check "the good JSON lines are imported ($n of $((good - 1))), exit $rc" \
    [ $? -eq 0 ]

# ---- wiretop's own exports: CSV, NDJSON and JSON round trips -----------
for f in basic-tcp dns-name ipv6 tcp-retrans icmp-echo frag teredo gre; do
	"$pcapgen" -o "$WT_TMP/$f.pcap" "$WT_SRCDIR/tests/pcap/$f.txt" ||
	    wt_hard "pcapgen $f.txt failed"
	"$WIRETOP" export -r "$WT_TMP/$f.pcap" --format csv >"$WT_TMP/$f.csv"
	tail -n +2 "$WT_TMP/$f.csv" | LC_ALL=C sort >"$WT_TMP/$f.want"
	for fmt in csv ndjson json; do
		"$WIRETOP" export -r "$WT_TMP/$f.pcap" --format $fmt \
		    >"$WT_TMP/$f.out.$fmt"
		"$WIRETOP" import --db "$WT_TMP/$f-$fmt.db" "$WT_TMP/$f.out.$fmt" \
		    2>"$WT_TMP/err" || wt_fail "$f.$fmt: import: $(cat "$WT_TMP/err")"
		"$WIRETOP" export --db "$WT_TMP/$f-$fmt.db" --since 1970-01-01 \
		    --format csv >"$WT_TMP/back"
		[ "$(head -1 "$WT_TMP/back")" = "$(head -1 "$WT_TMP/$f.csv")" ] ||
		    wt_fail "$f.$fmt: the header row differs"
		tail -n +2 "$WT_TMP/back" | LC_ALL=C sort >"$WT_TMP/got"
		same "$f: export -r --format $fmt, imported, export --db: every column of every flow" \
		    "$WT_TMP/$f.want" "$WT_TMP/got"
	done
done
# hosts of a capture without tunnels: the CSV import's totals are the
# capture's (wire bytes and packets)
for f in basic-tcp dns-name ipv6 tcp-retrans icmp-echo; do
	"$WIRETOP" export -r "$WT_TMP/$f.pcap" --what hosts --format csv |
	    awk -F, 'NR > 1 { print "host " $1 " " $5 " " $6 " " $7 " " $8 }' |
	    LC_ALL=C sort >"$WT_TMP/want"
	got "$WT_TMP/$f-csv.db" hosts | cut -d' ' -f1-6 >"$WT_TMP/got"
	same "$f: per-host totals of the imported CSV = export -r --what hosts" \
	    "$WT_TMP/want" "$WT_TMP/got"
done

# ---- a capture and a flow log in one command --------------------------
# (the log's times moved next to the capture's, 1700000000: retention
# would drop records years older than the newest)
sed 's/^16\(000000[0-9][0-9]\.\)/17\1/' "$WT_TMP/zeek_http-get.log" \
    >"$WT_TMP/mixed.log"
"$WIRETOP" import --db "$WT_TMP/mixed.db" "$WT_TMP/basic-tcp.pcap" \
    "$WT_TMP/mixed.log" 2>"$WT_TMP/err"
rc=$?
want=$(($(tail -n +2 "$WT_TMP/basic-tcp.csv" | wc -l) +
    $(awk '!/^#/ && NF > 0' "$WT_TMP/mixed.log" | wc -l)))
n=$(rows "$WT_TMP/mixed.db" "select count(*) from flows")
c=$(rows "$WT_TMP/mixed.db" "select count(*) from imported_files where complete = 1")
[ $rc -eq 0 ] && [ "$n" -eq "$want" ] && [ "$c" -eq 2 ]
wt_check "a pcap and a conn.log in one import: exit $rc, $n flows (want $want), $c files complete" \
    [ $? -eq 0 ]
# ---- text that would start a formula -------------------------------------
# Expected values are the strings written into the log here.
printf '%s\n' '{"ts":1362692526.939527,"uid":"@C1","id.orig_h":"10.0.0.1","id.orig_p":1234,"id.resp_h":"10.0.0.2","id.resp_p":80,"proto":"tcp","service":"=1+2","duration":1.0,"orig_bytes":10,"resp_bytes":20,"conn_state":"SF","history":"-2+3","orig_pkts":2,"resp_pkts":2,"orig_ip_bytes":90,"resp_ip_bytes":100}' \
    >"$WT_TMP/formula.json"
"$WIRETOP" import --db "$WT_TMP/formula.db" "$WT_TMP/formula.json" \
    2>"$WT_TMP/err" || wt_fail "formula.json: import: $(cat "$WT_TMP/err")"
for w in flows services; do
	"$WIRETOP" export --db "$WT_TMP/formula.db" --since 1970-01-01 \
	    --what $w --format csv >"$WT_TMP/formula-$w.csv"
done
"$WIRETOP" export --db "$WT_TMP/formula.db" --since 1970-01-01 \
    --format ndjson >"$WT_TMP/formula.ndjson"
# cells.py FILE COL...: the named cells of the CSV's one record, and
# whether any cell of any row starts a formula
cat >"$WT_TMP/cells.py" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join(rows[0][c] for c in sys.argv[2:]))
bad = [v for r in rows for v in r.values() if v[:1] in ("=", "+", "-", "@")]
print("formula cells: %d" % len(bad))
PY
[ "$(python3 "$WT_TMP/cells.py" "$WT_TMP/formula-flows.csv" uid service \
    history)" = "'@C1 '=1+2 '-2+3
formula cells: 0" ] && grep -q -F ',"'"'"'=1+2",' "$WT_TMP/formula-flows.csv"
wt_check "export --db --what flows (CSV): uid, service and history that start a formula get a ' in quotes" \
    [ $? -eq 0 ]
[ "$(python3 "$WT_TMP/cells.py" "$WT_TMP/formula-services.csv" service)" = \
    "'=1+2
formula cells: 0" ]
wt_check "export --db --what services (CSV): a service that starts a formula gets a '" \
    [ $? -eq 0 ]
grep -q -F '"uid":"@C1",' "$WT_TMP/formula.ndjson" &&
    grep -q -F '"service":"=1+2",' "$WT_TMP/formula.ndjson" &&
    grep -q -F '"history":"-2+3",' "$WT_TMP/formula.ndjson"
wt_check "NDJSON keeps them as they are" [ $? -eq 0 ]
"$WIRETOP" import --db "$WT_TMP/formula2.db" "$WT_TMP/formula-flows.csv" \
    2>"$WT_TMP/err" || wt_fail "formula-flows.csv: import: $(cat "$WT_TMP/err")"
"$WIRETOP" export --db "$WT_TMP/formula2.db" --since 1970-01-01 \
    --format ndjson >"$WT_TMP/formula2.ndjson"
same "the CSV imported again: the same record (the ' removed)" \
    "$WT_TMP/formula.ndjson" "$WT_TMP/formula2.ndjson"
cp "$WT_TMP/basic-tcp.pcap" "$WT_TMP/=1+2.pcap"
(cd "$WT_TMP" && "$WIRETOP" export -r =1+2.pcap --what summary) \
    >"$WT_TMP/formula-summary.csv"
grep -q -F 'source,0.name,"'"'"'=1+2.pcap",' "$WT_TMP/formula-summary.csv"
wt_check "export -r --what summary (CSV): a source's name that starts a formula gets a '" \
    [ $? -eq 0 ]
wt_finish
