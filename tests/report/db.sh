#!/bin/sh
# db.sh: `wiretop report --db` (the history database) against `report -r`
# on the same file and against tshark, and --since/--until windows.
# - Import matches the file: tests/pcap/talkers.txt and the corpus's
#   real/ndpi_iphone.pcap are imported (wiretop import --db), then
#   `report --db --format json` must give the totals, the peak seconds,
#   the series, the top talkers (address, bytes in and out, packets), the
#   top services and TCP health of `report -r` on the file, and pass
#   tests/report/counts.py (tshark's independent counts), text included.
#   The stored service totals key a flow without a known service by its
#   "proto/port", with ICMPv6 as "icmp" (the flow records' Zeek
#   convention), so the -r figures of "other icmp6" are added to "other
#   icmp" for the comparison; learned names may differ (the database
#   keeps every name with its last second, the engine its own choice).
# - Windows: a capture written here for pcapgen, one UDP packet every
#   10 minutes for 6 h (to port 40123, which has no service name),
#   packet i of 100 + i payload bytes (142 + i on the
#   wire: Ethernet, IPv4, UDP, no padding), each its own flow.  The bytes
#   expected inside a window are summed here from that list: totals over
#   [since, until) exactly; talkers and services over the whole hours
#   inside the window (the database keeps them per hour), with the
#   rounding said in the report; with -r, everything exactly.  With the
#   per-second rows aged out (retention_seconds 600), then the per-minute
#   ones, the totals are still whole, from 60 s, then 3600 s rows, and
#   the report says the peak's resolution.
# - HTML from --db: self-contained and escaped (htmlcheck.py static), and
#   drawn by headless Chromium (htmlcheck.py dom), as tests/report/html.sh.
# - Hostile strings put in the database with sqlite3 (a learned name, a
#   service, an alert) come back whole in JSON and escaped in text and
#   HTML; the alert is listed.
# - Problems: a database with pages overwritten in its middle, a text
#   file, another program's SQLite file, a missing file: one line, exit 4;
#   --db with -r, --until before --since: exit 2.
# - Without --db and -r, report reads $XDG_STATE_HOME/wiretop/history.db.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init report-db
wt_need_wiretop
wt_need_tool python3 tshark sqlite3
wt_need_pcapgen
py=$WT_SRCDIR/tests/report/htmlcheck.py
export WIRETOP_NO_DEFAULT_CONFIG=1

# tap FILE NAME: the check lines of FILE as TAP checks named NAME
tap() {
	while IFS= read -r line; do
		case $line in
		"ok - "*) wt_pass "$2: ${line#ok - }" ;;
		"not ok - "*) wt_fail "$2: ${line#not ok - }" ;;
		*) wt_log "$line" ;;
		esac
	done <"$1"
}

# same NAME CAPTURE COUNTS-OPTIONS...: import CAPTURE into its own
# database, report from it and from the file, compare
same() {
	name=$1
	cap=$2
	shift 2
	db=$WT_TMP/$name.db
	if ! "$WIRETOP" import --db "$db" "$cap" >/dev/null 2>"$WT_TMP/err"; then
		wt_fail "$name: import failed: $(cat "$WT_TMP/err")"
		return
	fi
	for fmt in json text html; do
		"$WIRETOP" report --db "$db" --format $fmt \
		    -o "$WT_TMP/$name.db.$fmt" 2>"$WT_TMP/err" ||
		    wt_fail "$name: report --db --format $fmt: $(cat "$WT_TMP/err")"
	done
	"$WIRETOP" report -r "$cap" --format json -o "$WT_TMP/$name.r.json" \
	    2>"$WT_TMP/err" || wt_fail "$name: report -r: $(cat "$WT_TMP/err")"
	python3 - "$WT_TMP/$name.db.json" "$WT_TMP/$name.r.json" \
	    >"$WT_TMP/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
def check(desc, a, b):
    print(("ok - " if a == b else "not ok - ") + desc +
          ("" if a == b else ": --db %s, -r %s" % (a, b)))
for k in ("packets", "bytes", "flows", "hosts", "first"):
    check("totals.%s" % k, d["totals"][k], r["totals"][k])
check("peak", d["peak"], r["peak"])
check("traffic over time", d["traffic"], r["traffic"])
t = lambda rep: [(h["address"], h["bytes"], h["bytes_in"], h["bytes_out"],
                  h["packets"]) for h in rep["top_talkers"]]
check("top talkers (address, bytes, in, out, packets)", t(d), t(r))
def svc(rep, merge):
    out = {}
    for v in rep["top_services"]:
        k = (v["service"], v["proto"])
        if merge and k == (None, "icmp6"):
            k = (None, "icmp")
        a = out.setdefault(k, [0, 0, 0])
        for i, f in enumerate(("bytes", "packets", "flows")):
            a[i] += v[f]
    return sorted(out.items(), key=lambda kv: (-kv[1][0], str(kv[0])))
check("top services (ICMPv6 counted as icmp)", svc(d, False), svc(r, True))
check("TCP health", d["tcp"], r["tcp"])
check("decode problems and drops", (d["decode"]["errors"], d["drops"]["total"]),
      (r["decode"]["errors"], r["drops"]["total"]))
# the store keeps the first 63 bytes of a source's name (store.c)
check("sources (name's first 63 bytes, packets, bytes)",
      [(s["name"], s["packets"], s["bytes"]) for s in d["sources"]],
      [(s["name"].encode()[:63].decode(), s["packets"], s["bytes"])
       for s in r["sources"]])
check("alerts: read from the database, none stored",
      (d["alerts"]["checked"], d["alerts"]["total"], d["alerts"]["list"]),
      (True, 0, []))
check("range: the last 24 h of what is stored, until the newest",
      (d["range"]["until_newest"], d["range"]["rounded"]), (True, False))
PY
	tap "$WT_TMP/out" "$name"
	python3 "$WT_SRCDIR/tests/report/counts.py" "$cap" \
	    "$WT_TMP/$name.db.json" "$WT_TMP/$name.db.text" "$@" \
	    >"$WT_TMP/out" 2>&1
	tap "$WT_TMP/out" "$name --db vs tshark"
	python3 "$py" static "$WT_TMP/$name.db.html" "$WT_TMP/$name.db.json" \
	    >"$WT_TMP/out" 2>&1
	tap "$WT_TMP/out" "$name --db html"
}

"$pcapgen" -o "$WT_TMP/talkers.pcap" "$WT_SRCDIR/tests/pcap/talkers.txt" \
    >/dev/null || wt_hard "pcapgen failed on talkers.txt"
same talkers "$WT_TMP/talkers.pcap" --tcp \
    --services=443=https,80=http,22=ssh,123=ntp
iphone=${WT_CORPUS:-}/real/ndpi_iphone.pcap
if [ -f "$iphone" ]; then
	same iphone "$iphone" --tcp
else
	wt_missing "corpus capture real/ndpi_iphone.pcap not found"
fi

# HTML from --db in Chromium
chr=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && { chr=$c; break; }
done
[ -n "$chr" ] || wt_missing "chromium not installed"
for n in talkers iphone; do
	[ -f "$WT_TMP/$n.db.html" ] || continue
	HOME=$WT_TMP timeout 120 "$chr" --headless --no-sandbox \
	    --disable-gpu --no-first-run --user-data-dir="$WT_TMP/chr-$n" \
	    --dump-dom "file://$WT_TMP/$n.db.html" >"$WT_TMP/$n.dom" \
	    2>"$WT_TMP/$n.chr.err"
	if [ ! -s "$WT_TMP/$n.dom" ]; then
		wt_fail "$n: chromium rendered nothing: $(tail -3 "$WT_TMP/$n.chr.err")"
		continue
	fi
	python3 "$py" dom "$WT_TMP/$n.dom" "$WT_TMP/$n.db.json" \
	    >"$WT_TMP/out" 2>&1
	tap "$WT_TMP/out" "$n --db html (chromium)"
done

# windows
base=1700000000
{
	echo "linktype ether"
	i=0
	while [ $i -lt 36 ]; do
		printf '%d.250 udp 10.0.0.%d:%d > 10.0.1.9:40123 len=%d\n' \
		    $((i * 600 + 37)) $((1 + i % 3)) $((20000 + i)) $((100 + i))
		i=$((i + 1))
	done
} >"$WT_TMP/hours.txt"
"$pcapgen" -o "$WT_TMP/hours.pcap" "$WT_TMP/hours.txt" >/dev/null ||
    wt_hard "pcapgen failed on hours.txt"
hdb=$WT_TMP/hours.db
"$WIRETOP" import --db "$hdb" "$WT_TMP/hours.pcap" >/dev/null 2>&1 ||
    wt_hard "import of hours.pcap failed"
wt_check "hours.pcap: tshark sees 36 frames of 142 + i bytes" python3 -c '
import subprocess, sys
out = subprocess.run(["tshark", "-r", sys.argv[1], "-T", "fields", "-e",
    "frame.len"], capture_output=True, text=True, check=True).stdout.split()
sys.exit([int(x) for x in out] != [142 + i for i in range(36)])' \
    "$WT_TMP/hours.pcap"

# window NAME SOURCE-OPTION SINCE UNTIL: report the window; python works
# out what it must hold from the fixture's list (UNTIL "-": none)
window() {
	name=$1 src=$2 since=$3 until=$4
	set -- --since "$since"
	[ "$until" = - ] || set -- "$@" --until "$until"
	case $src in
	db) set -- --db "$hdb" "$@" ;;
	r) set -- -r "$WT_TMP/hours.pcap" "$@" ;;
	esac
	rm -f "$WT_TMP/w.json" "$WT_TMP/w.text"
	if ! "$WIRETOP" report "$@" --format json -o "$WT_TMP/w.json" \
	    2>"$WT_TMP/err" || ! "$WIRETOP" report "$@" -o "$WT_TMP/w.text" \
	    2>>"$WT_TMP/err"; then
		wt_fail "$name: report $*: $(cat "$WT_TMP/err")"
		return
	fi
	python3 - "$WT_TMP/w.json" "$WT_TMP/w.text" "$src" "$since" "$until" \
	    >"$WT_TMP/out" 2>&1 <<'PY'
import calendar, json, sys, time
js, txt, src, since, until = sys.argv[1:6]
base = 1700000000
pk = [(base + i * 600 + 37, 142 + i) for i in range(36)]   # (second, bytes)
newest = pk[-1][0]
def t(s):
    if s[-1] in "smhdw":
        return newest - int(s[:-1]) * {"s": 1, "m": 60, "h": 3600,
                                       "d": 86400, "w": 604800}[s[-1]]
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
t0 = t(since)
t1 = newest + 1 if until == "-" else t(until)
r = json.load(open(js))
text = open(txt).read()
def check(desc, a, b):
    print(("ok - " if a == b else "not ok - ") + desc +
          ("" if a == b else ": got %s, want %s" % (a, b)))
inside = [b for s, b in pk if t0 <= s < t1]
check("totals: %d packets, %d bytes in [since, until)" % (len(inside),
      sum(inside)), (r["totals"]["packets"], r["totals"]["bytes"]),
      (len(inside), sum(inside)))
check("the series sums to them",
      sum(b["bytes"] for b in r["traffic"]["buckets"]), sum(inside))
if src == "db":
    h0 = -(-t0 // 3600) * 3600
    h1 = (newest // 3600 + 1) * 3600 if until == "-" else t1 // 3600 * 3600
    iso = lambda s: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))
    check("whole hours %s to %s, rounded %s" % (iso(h0), iso(h1),
          h0 != t0 or (until != "-" and h1 != t1)),
          (r["range"]["hours_since"], r["range"]["hours_until"],
           r["range"]["rounded"]),
          (iso(h0), iso(h1), h0 != t0 or (until != "-" and h1 != t1)))
    hm = lambda s: time.strftime("%Y-%m-%d %H:%M", time.gmtime(s))
    check("the text says which hours",
          ("from %s to " % hm(h0)) in text and
          ((" UTC (whole hours: the range's edges are rounded" in text) ==
           r["range"]["rounded"]), True)
else:
    h0, h1 = t0, t1
hb = [b for s, b in pk if h0 <= s < h1]
talk = {}
for i, (s, b) in enumerate(pk):
    if h0 <= s < h1:
        for a in ("10.0.0.%d" % (1 + i % 3), "10.0.1.9"):
            talk[a] = talk.get(a, 0) + b
want = sorted(talk.items(), key=lambda kv: (-kv[1], kv[0]))
check("top talkers over the hours: %s" % want,
      [(h["address"], h["bytes"]) for h in r["top_talkers"]], want)
check("top services over the hours: other udp, %d bytes, %d flows" % (
      sum(hb), len(hb)), [(v["service"], v["proto"], v["bytes"], v["flows"])
      for v in r["top_services"]], [(None, "udp", sum(hb), len(hb))]
      if hb else [])
PY
	tap "$WT_TMP/out" "$name"
}
window "db: whole hours" db 2023-11-14T23:00:00Z 2023-11-15T01:00:00Z
window "db: rounded edges" db 2023-11-14T23:20:00Z 2023-11-15T01:30:00Z
window "db: the last 2 h (relative)" db 2h -
window "db: 150m until 30m (relative)" db 150m 30m
window "-r: an exact window" r 2023-11-14T23:20:00Z 2023-11-15T01:30:00Z
window "-r: the last 90 min of the file" r 90m -
# coarser samples: with the per-second rows (and then the per-minute
# ones) aged out, the totals come from the next tier, still whole, and
# the peak is labelled with its resolution
for tier in "600 2592000 60 1-minute" "600 3600 3600 1-hour"; do
	set -- $tier
	printf 'retention_seconds = %s\nretention_minutes = %s\n' "$1" "$2" \
	    >"$WT_TMP/ret.conf"
	rm -f "$WT_TMP/ret.db"
	"$WIRETOP" import -c "$WT_TMP/ret.conf" --db "$WT_TMP/ret.db" \
	    "$WT_TMP/hours.pcap" >/dev/null 2>&1 ||
	    wt_fail "import with retention_seconds $1 failed"
	"$WIRETOP" report --db "$WT_TMP/ret.db" --since 7h --format json \
	    -o "$WT_TMP/ret.json" 2>"$WT_TMP/err" &&
	    "$WIRETOP" report --db "$WT_TMP/ret.db" --since 7h \
	    -o "$WT_TMP/ret.text" 2>>"$WT_TMP/err" ||
	    wt_fail "report on pruned seconds: $(cat "$WT_TMP/err")"
	wt_check "per-second rows kept $1 s, per-minute $2 s: the totals are whole (36 packets, $((36 * 142 + 630)) bytes) from $3 s rows, said so" \
	    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
sys.exit(r["totals"]["packets"] != 36 or r["totals"]["bytes"] != int(sys.argv[3])
    or r["peak"]["resolution_seconds"] != int(sys.argv[4]) or
    r["traffic"]["bucket_seconds"] % int(sys.argv[4]) != 0 or
    ("Peak rate (%s buckets: the per-second samples" % sys.argv[5]) not in t)' \
	    "$WT_TMP/ret.json" "$WT_TMP/ret.text" $((36 * 142 + 630)) "$3" "$4"
done
"$WIRETOP" report --db "$hdb" --since 2023-11-14T22:00:00Z \
    --until 2023-11-14T22:10:00Z --format json -o "$WT_TMP/e.json" 2>&1
wt_check "a window with nothing stored: exit 0, zero packets, no talkers" \
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(r["totals"]["packets"] != 0 or r["top_talkers"] != [])' "$WT_TMP/e.json"

# the default database
mkdir -p "$WT_TMP/state/wiretop"
cp "$WT_TMP/talkers.db" "$WT_TMP/state/wiretop/history.db"
XDG_STATE_HOME=$WT_TMP/state "$WIRETOP" report --format json \
    -o "$WT_TMP/default.json" 2>"$WT_TMP/err"
wt_check "no --db, no -r: the user's database (\$XDG_STATE_HOME)" python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(a["range"]["database"] != sys.argv[3] or
    a["totals"] != b["totals"] or a["top_talkers"] != b["top_talkers"])' \
    "$WT_TMP/default.json" "$WT_TMP/talkers.db.json" \
    "$WT_TMP/state/wiretop/history.db"

# hostile strings stored in the database (a name learned from packets,
# a service and an alert as a flow log or the next issue may store them)
# come back escaped: text as the screen escapes, JSON whole, HTML as text
cp "$WT_TMP/talkers.db" "$WT_TMP/hostile.db"
top=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["top_talkers"][0]["address"])' "$WT_TMP/talkers.db.json")
n1=$(printf '\033[2J<script>x</script>.example')
n2="<img src=x onerror=y>&amp;"
n3=$(printf 'evil\033]0;t\007 "msg" <b>')
sqlite3 "$WT_TMP/hostile.db" "
insert into names values ('$top', '$n1', 1, 1800000000, 1800000000);
insert into service_hour values (1699999200, '$n2', 99999999, 1, 1);
insert into alerts (uid, ts_us, last_us, severity, kind, state, subject,
    message, value, threshold, count, notifications) values
    ('00000000000000aa', 1700000000000000, 1700000000000000, 2, 'test',
    'active', '$n2', '$n3', 1, 1, 1, 1);" ||
    wt_hard "sqlite3 could not write the hostile rows"
for fmt in text json html; do
	"$WIRETOP" report --db "$WT_TMP/hostile.db" --format $fmt \
	    -o "$WT_TMP/hostile.$fmt" 2>"$WT_TMP/err" ||
	    wt_fail "hostile: report --format $fmt: $(cat "$WT_TMP/err")"
done
wt_check "hostile: JSON gives the name, the service and the alert back whole" \
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(r["top_talkers"][0]["name"] != sys.argv[2] or
    r["top_services"][0]["service"] != sys.argv[3] or
    r["top_services"][0]["proto"] is not None or
    r["alerts"]["total"] != 1 or r["alerts"]["list"][0]["message"] != sys.argv[4])' \
    "$WT_TMP/hostile.json" "$n1" "$n2" "$n3"
wt_check "hostile: no control byte in text, JSON or HTML, escaped in text" \
    python3 -c '
import sys
bad = 0
for f in sys.argv[1:4]:
    d = open(f, "rb").read()
    bad += sum(1 for c in d if (c < 0x20 and c != 10) or c == 0x7f)
t = open(sys.argv[1], "rb").read()
sys.exit(bad or b"\\x1b[2J<script>x</script>.example" not in t or
    b"evil\\x1b]0;t\\x07" not in t)' \
    "$WT_TMP/hostile.text" "$WT_TMP/hostile.json" "$WT_TMP/hostile.html"
python3 "$py" static "$WT_TMP/hostile.html" "$WT_TMP/hostile.json" \
    "$n1" "$n2" "$n3" >"$WT_TMP/out" 2>&1
tap "$WT_TMP/out" "hostile --db html"

# problems: one line, exit 4 (a database), 2 (usage)
bad() {
	desc=$1 want=$2
	shift 2
	"$WIRETOP" report "$@" >"$WT_TMP/out" 2>"$WT_TMP/err"
	rc=$?
	wt_check "$desc: exit $want (got $rc), one line" \
	    [ $rc -eq "$want" ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
	    [ ! -s "$WT_TMP/out" ]
}
cp "$WT_TMP/talkers.db" "$WT_TMP/corrupt.db"
pages=$(sqlite3 "$WT_TMP/corrupt.db" "pragma page_count")
ps=$(sqlite3 "$WT_TMP/corrupt.db" "pragma page_size")
head -c $(((pages - 4) * ps)) /dev/zero | tr '\0' 'Z' >"$WT_TMP/junk"
dd if="$WT_TMP/junk" of="$WT_TMP/corrupt.db" bs="$ps" seek=2 conv=notrunc \
    2>/dev/null
bad "a database with $((pages - 4)) of $pages pages overwritten" 4 \
    --db "$WT_TMP/corrupt.db"
printf 'just text, not SQLite\n' >"$WT_TMP/text.db"
bad "a text file" 4 --db "$WT_TMP/text.db"
sqlite3 "$WT_TMP/other.db" "create table t (x); insert into t values (1)"
bad "another program's SQLite file" 4 --db "$WT_TMP/other.db"
bad "a missing database" 4 --db "$WT_TMP/missing.db"
bad "--db with -r" 2 --db "$WT_TMP/talkers.db" -r "$WT_TMP/talkers.pcap"
bad "--until before --since" 2 --db "$WT_TMP/talkers.db" --since 1h \
    --until 2h
bad "a bad --since" 2 --db "$WT_TMP/talkers.db" --since yesterday
wt_finish
